#!/bin/sh
# promtool on ops/monitoring's alert rules and example configuration (ctest
# monitoring_rules_check, monitoring_rules_test, monitoring_rules_config):
# promtool_rules.sh SOURCE_DIR check|test|config.
# Exit 77 (skipped) only when promtool is not installed.
set -eu
if ! command -v promtool >/dev/null 2>&1; then
  echo "SKIP: promtool not found (Debian package prometheus; ops/setup installs it)"
  exit 77
fi
cd "$1/ops/monitoring"
case "$2" in
  check) exec promtool check rules alerts.yml ;;
  test) exec promtool test rules alerts_test.yml ;;
  config) exec promtool check config prometheus.yml ;;
  *) echo "usage: $0 SOURCE_DIR check|test|config" >&2; exit 2 ;;
esac
