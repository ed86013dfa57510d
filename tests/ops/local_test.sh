#!/usr/bin/env bash
# ops/local end to end: --once comes up (notary, two witnesses, ledgerd, the explorer,
# all on TLS with a local CA, anvil with the registry and anchord, the samples appended
# over HTTPS, a receipt and the
# first anchor verified) and stops everything it
# started; in serving mode, SIGTERM to the script stops everything too.
# Usage: local_test.sh WORKDIR   (CTL, NOTARY, LEDGERD, WITNESS, EXPLORER, ANCHORD: the binaries)
set -euo pipefail
W=$1
OPS=$(cd "$(dirname "$0")/../../ops" && pwd)
rm -rf "$W"; mkdir -p "$W"
fail() { echo "FAIL: $*" >&2; exit 1; }
all_stopped() {
  while read -r pid name; do
    if kill -0 "$pid" 2>/dev/null; then fail "$name (pid $pid) still running"; fi
  done < "$1/pids"
  [ "$(wc -l < "$1/pids")" -eq 7 ] || fail "expected 7 processes in $1/pids"
}

"$OPS/local" --once "$W/once" > "$W/once.out" 2>&1 || { cat "$W/once.out"; fail "--once exited $?"; }
grep -q '^ledgerd        https://127.0.0.1:' "$W/once.out" || fail "no ledgerd URL"
grep -q '^witness 2      https://127.0.0.1:' "$W/once.out" || fail "no second witness"
grep -q '^explorer       https://127.0.0.1:' "$W/once.out" || fail "no explorer URL"
grep -q '^chain (anvil)  http://127.0.0.1:' "$W/once.out" || fail "no local chain"
grep -q '^OK: entry [0-9]* anchors .*on chain with' "$W/once.out" || fail "no anchor verified on chain"
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert p["registry_chain_id"] == 31337 and p["registry_contract"].startswith("0x")' \
  "$W/once/log/pins.json" || fail "pins.json lacks the registry"
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); assert p["log_vkey"] and len(p["witness_vkeys"]) == 2' \
  "$W/once/log/pins.json" || fail "pins.json lacks the log or witness vkeys"
grep -q 'stopped 7 processes' "$W/once.out" || fail "did not stop its processes"
samples=$(grep -c . "$OPS/samples/events.jsonl")
got=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' \
  "$W/once/samples.receipts.json")
[ "$got" -eq "$samples" ] || fail "$got receipts for $samples samples"
all_stopped "$W/once"
# What ledgerd acknowledged is in the store, and it audits clean.
"$CTL" verify store --data "$W/once/log" > /dev/null || fail "store audit"

# Serving mode, stopped by SIGTERM.
NO_SAMPLES=1 "$OPS/local" "$W/serve" > "$W/serve.out" 2>&1 &
script=$!
for _ in $(seq 300); do [ -s "$W/serve/where.txt" ] && break; sleep 0.1; done
[ -s "$W/serve/where.txt" ] || { cat "$W/serve.out"; fail "serving mode did not come up"; }
ca=$W/serve/tls/ca.crt
curl -sSf --cacert "$ca" "$(cat "$W/serve/ledgerd.url")/healthz" > /dev/null || fail "ledgerd not healthy"
# TLS: a client that does not trust the local CA is refused.
if curl -sS -o /dev/null "$(cat "$W/serve/ledgerd.url")/healthz" 2> /dev/null; then
  fail "ledgerd answered a client that does not trust its CA"
fi
# Registry statements are for anchord only: no credential, or the auditor's
# export token, is 401.
for auth in "" "auditor:$(cat "$W/serve/export-token")"; do
  code=$(curl --cacert "$ca" -s -o /dev/null -w '%{http_code}' ${auth:+-u "$auth"} -H 'Content-Type: application/json' \
    -d '{}' "$(cat "$W/serve/ledgerd.url")/v1/anchor/statement")
  [ "$code" = 401 ] || fail "POST /v1/anchor/statement answered $code without anchord's token"
done
kill -TERM "$script"
status=0; wait "$script" || status=$?
[ "$status" -eq 143 ] || fail "exit status $status after SIGTERM"
all_stopped "$W/serve"
rm -rf "$W"
echo "ops/local: up and down cleanly"
