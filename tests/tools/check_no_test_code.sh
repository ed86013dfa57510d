#!/usr/bin/env bash
# A shipped binary carries no test hooks (crash points, the explorer's
# --tamper, fault-injecting stores); with --nitro, also nothing of the sim
# platform, the development PKI or the attestation producer, which the Nitro
# notary must not contain (notary-enclave/README.md, "Trusted files").
#   check_no_test_code.sh [--nitro] BINARY...
# Exit 0 when every binary is clean, 1 (listing what was found) otherwise.
set -euo pipefail
nitro=0
if [ "${1:-}" = --nitro ]; then nitro=1; shift; fi
[ $# -gt 0 ] || { echo "usage: $0 [--nitro] BINARY..." >&2; exit 2; }
hook_symbols='HitCrashPoint|LoadCrashPlan|CrashPlan|explorer::Tamper|FaultyKv|FailWritesAfter'
hook_strings='LEDGER_CRASH_AT|--tamper'
nitro_symbols='DevPki|SimPlatform|SignAttestation|attestation_dev|InProcess'
nitro_strings='sim-pki|sim-notary-enclave'
status=0
for bin in "$@"; do
  [ -x "$bin" ] || { echo "FAIL: $bin is not an executable"; status=1; continue; }
  symbols=$hook_symbols strings_=$hook_strings
  if [ $nitro = 1 ]; then symbols="$symbols|$nitro_symbols" strings_="$strings_|$nitro_strings"; fi
  found=$( { nm -C "$bin" 2>/dev/null | grep -E "$symbols" || true; } | head -5)
  text=$( { strings -n 6 "$bin" | grep -E -- "$strings_" || true; } | head -5)
  if [ -n "$found$text" ]; then
    echo "FAIL: $bin contains test or development code:"
    [ -z "$found" ] || sed 's/^/  symbol: /' <<<"$found"
    [ -z "$text" ] || sed 's/^/  string: /' <<<"$text"
    status=1
  else
    echo "PASS: $bin has no test hooks$([ $nitro = 1 ] && echo ", no sim or development code")"
  fi
done
exit $status
