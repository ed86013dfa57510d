#!/usr/bin/env bash
# ops/run's build (ops/build --run) configures without the tests and builds
# only what ops/local starts. This checks the configuration it relies on: the
# tree configures with LEDGER_BUILD_TESTS=OFF (so no library grew a test-only
# dependency), every program ops/local starts is a target there, and no test
# or benchmark target is.
set -euo pipefail
src=${1:?source dir}
out=${2:?scratch build dir}
rm -rf "$out"
cmake -S "$src" -B "$out" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLEDGER_BUILD_TESTS=OFF > "$out.log" 2>&1 ||
  { cat "$out.log"; echo "FAIL: the tree does not configure without the tests"; exit 1; }
targets=$(cmake --build "$out" --target help)
run_targets=$(sed -n 's/^RUN_TARGETS=(\(.*\))$/\1/p' "$src/ops/build")
[ -n "$run_targets" ] || { echo "FAIL: no RUN_TARGETS in ops/build"; exit 1; }
for t in $run_targets; do
  grep -qE "^\.\.\. $t\$" <<<"$targets" || { echo "FAIL: $t is not a target without the tests"; exit 1; }
done
# Every binary ops/local starts by default is one of them.
for bin in $(sed -n 's/^[A-Z]*=\${[A-Z]*:-\$BIN\/\(.*\)}$/\1/p' "$src/ops/local"); do
  name=${bin##*/}
  grep -qw -- "$name" <<<"$run_targets" || { echo "FAIL: ops/local starts $name, which ops/build --run does not build"; exit 1; }
done
if grep -qE '^\.\.\. .*(_test|_bench|_fuzz)$' <<<"$targets"; then
  echo "FAIL: test targets configured with LEDGER_BUILD_TESTS=OFF:"
  grep -E '^\.\.\. .*(_test|_bench|_fuzz)$' <<<"$targets" | head
  exit 1
fi
rm -rf "$out" "$out.log"
echo "PASS: LEDGER_BUILD_TESTS=OFF configures; $run_targets are its targets; no test target"
