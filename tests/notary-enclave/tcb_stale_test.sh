#!/usr/bin/env bash
# ops/tcb --check notices a trusted-file list that is one number off: it must
# fail on a copy of notary-enclave/README.md whose first count is changed.
#   tcb_stale_test.sh SOURCE_DIR BUILD_DIR SCRATCH_FILE
set -euo pipefail
src=$1 build=$2 copy=$3
awk '!done && /^\| `[^`]*\/` \| [0-9]+ \|/ { sub(/\| [0-9]+ \|/, "| 1 |"); done = 1 } { print }' \
  "$src/notary-enclave/README.md" > "$copy"
cmp -s "$copy" "$src/notary-enclave/README.md" && { echo "FAIL: no count to change"; exit 1; }
if out=$("$src/ops/tcb" --check --build "$build" --source "$src" --readme "$copy" 2>&1); then
  echo "FAIL: ops/tcb --check accepted a stale list"; exit 1
fi
grep -q "trusted-file list is stale" <<<"$out" || { echo "FAIL: $out"; exit 1; }
rm -f "$copy"
echo "PASS: ops/tcb --check refuses a stale list"
