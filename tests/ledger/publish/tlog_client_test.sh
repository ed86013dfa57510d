#!/usr/bin/env bash
# ledgerctl publish-tiles checked by an independent tlog-tiles client
# (tlogclient/main.go: Go's golang.org/x/mod/sumdb/tlog and note, Debian's
# golang-golang-x-mod-dev, built in GOPATH mode), over HTTP from a static
# file server. The log is a real ledgerctl log of more than 256 entries (full
# tiles, a level-1 tile); it is published, grown by publish-tiles --follow,
# verified with a consistency proof from the first checkpoint; then the
# attacks: a flipped byte in a published tile, a truncated entry bundle, an
# altered checkpoint (the client fails), and a rolled-back store publishing
# over the directory (the publisher refuses).
#   CTL=ledgerctl tlog_client_test.sh WORK_DIR
set -euo pipefail
work=$1
src=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work"
cd "$work"
step() { echo "== $*"; }

# ops/setup installs golang-go and golang-golang-x-mod-dev: missing is a failure.
command -v go > /dev/null || { echo "FAIL: go not found (ops/setup installs golang-go)"; exit 1; }
[ -d /usr/share/gocode/src/golang.org/x/mod/sumdb/tlog ] \
  || { echo "FAIL: golang-golang-x-mod-dev missing (ops/setup installs it)"; exit 1; }
step "build the Go client"
GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$work/gocache" GOFLAGS= \
  go build -o tlogclient "$src/tlogclient/main.go"

events() {  # events FIRST COUNT: JSON lines
  for i in $(seq "$1" $(($1 + $2 - 1))); do
    printf '{"kind":"SIGNATURE_PRODUCED","event_id":"evt-%d","request_id":"req-%d","occurred_at":"2026-01-01T00:00:00Z","actor":{"type":"service","id":"signer"},"subject":"key/k-%d","outcome":"SUCCESS"}\n' "$i" "$i" $((i % 5))
  done
}
# The client must fail, and say why.
must_fail() {  # must_fail WHAT ARGS...
  local what=$1; shift
  if ./tlogclient "$@" > out.txt 2> err.txt; then
    echo "FAIL: the client accepted $what"; cat out.txt; exit 1
  fi
  grep -q "tlogclient: FAIL:" err.txt || { echo "FAIL: no clear message for $what"; cat err.txt; exit 1; }
  echo "   rejected ($what): $(cat err.txt)"
}

step "a log of 200 entries, published"
"$CTL" init --data log --origin publish.test/log > /dev/null
events 0 200 | "$CTL" append --data log --batch-size 64 > /dev/null
cp -r log log-at-200          # kept for the rollback attempt below
"$CTL" publish-tiles --data log --out pub
test -f pub/tile/0/000.p/200 -a -f pub/tile/entries/000.p/200
./tlogclient -vkey log/log.vkey -dir pub -save cp-200.txt

step "grown to 350 entries while publish-tiles --follow 1 runs"
"$CTL" publish-tiles --data log --out pub --follow 1 > follow.txt 2>&1 &
follower=$!
events 200 150 | "$CTL" append --data log --batch-size 64 > /dev/null
for _ in $(seq 100); do
  [ "$(sed -n 2p pub/checkpoint)" = 350 ] && break
  sleep 0.2
done
kill -TERM "$follower"
wait "$follower" || { echo "FAIL: publish-tiles --follow exited $?"; cat follow.txt; exit 1; }
cat follow.txt
[ "$(sed -n 2p pub/checkpoint)" = 350 ] || { echo "FAIL: not published: $(cat pub/checkpoint)"; exit 1; }
for f in tile/0/000 tile/0/001.p/94 tile/1/000.p/1 tile/entries/000 tile/entries/001.p/94 \
         tile/0/000.p/200 tile/entries/000.p/200; do
  test -f "pub/$f" || { echo "FAIL: pub/$f missing"; exit 1; }
done
[ "$(stat -c %s pub/tile/0/000)" = 8192 ]

step "the Go client verifies everything, and consistency with size 200"
./tlogclient -vkey log/log.vkey -dir pub -old cp-200.txt
"$CTL" publish-tiles --data log --out pub | grep -q "up to date"

step "attacks on the published files"
cp -r pub bad && printf '\xff' | dd of=bad/tile/0/000 bs=1 seek=1000 conv=notrunc status=none
must_fail "a flipped byte in tile/0/000" -vkey log/log.vkey -dir bad
rm -rf bad && cp -r pub bad && printf '\xff' | dd of=bad/tile/1/000.p/1 bs=1 seek=5 conv=notrunc status=none
must_fail "a flipped byte in tile/1/000.p/1" -vkey log/log.vkey -dir bad
rm -rf bad && cp -r pub bad && truncate -s -1 bad/tile/entries/000
must_fail "a truncated entry bundle" -vkey log/log.vkey -dir bad
rm -rf bad && cp -r pub bad && printf '\x41' | dd of=bad/tile/entries/001.p/94 bs=1 seek=40 conv=notrunc status=none
must_fail "an altered entry" -vkey log/log.vkey -dir bad
rm -rf bad && cp -r pub bad && sed -i '2s/350/349/' bad/checkpoint
must_fail "an altered checkpoint" -vkey log/log.vkey -dir bad
rm -rf bad && cp -r pub bad && cp cp-200.txt bad/checkpoint
must_fail "a published checkpoint older than one already seen" -vkey log/log.vkey -dir bad -old <(cat pub/checkpoint)

step "a rolled-back store does not publish over the directory"
before=$(cat pub/checkpoint)
if "$CTL" publish-tiles --data log-at-200 --out pub > out.txt 2> err.txt; then
  echo "FAIL: the publisher published a smaller checkpoint"; exit 1
fi
grep -q published_checkpoint_rollback err.txt || { echo "FAIL: no rollback code"; cat err.txt; exit 1; }
[ "$(cat pub/checkpoint)" = "$before" ]
echo "   refused: $(cat err.txt)"
echo "PASS"
