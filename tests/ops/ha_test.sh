#!/usr/bin/env bash
# ops/ha end to end: three Patroni-managed PostgreSQL 15 nodes and one etcd
# member on loopback.
#   1. A writer commits rows in a loop through the multi-host writer conninfo;
#      a row is acknowledged when its COMMIT returns, and only then recorded.
#   2. The leader's host dies (kill -9 of Patroni and PostgreSQL) mid-writes.
#      Patroni promotes the synchronous standby; the time from the kill to the
#      next acknowledged write is measured and must be <= 30 s.
#   3. Every acknowledged row is on the new leader; the async replica follows
#      the new leader (same timeline, streaming, has the last row) and refuses
#      writes.
#   4. The old leader rejoins (pg_rewind) and becomes the synchronous standby.
#   5. Strict mode: with no standby left a write does not return within 5 s,
#      is waiting for synchronous replication and is invisible; once
#      standbys return it commits after all (a client timeout is no abort).
# Every process is stopped at the end, on failure too.
# Usage: ha_test.sh WORKDIR   (exit 77: Patroni, etcd or PostgreSQL 15 missing)
set -euo pipefail
W=$1
HA=$(cd "$(dirname "$0")/../../ops" && pwd)/ha
for tool in patroni etcd psql /usr/lib/postgresql/15/bin/postgres; do
  command -v "$tool" > /dev/null || { echo "SKIP: $tool is not installed (ops/setup)"; exit 77; }
done
rm -rf "$W"; mkdir -p "$W"
W=$(cd "$W" && pwd)
C=$W/cluster
fail() { echo "FAIL: $*" >&2; "$HA" status "$C" >&2 2> /dev/null || true; exit 1; }
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$@"; }

writer_pid=
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  touch "$W/stop"
  if [ -n "$writer_pid" ]; then kill "$writer_pid" 2> /dev/null || true; wait "$writer_pid" 2> /dev/null || true; fi
  if [ -f "$C/ha.json" ]; then "$HA" down "$C" > /dev/null || status=1; fi
  # Nothing started under $W may outlive the test (zombies have no command line).
  if pgrep -f -- "$W/" > /dev/null; then
    echo "FAIL: processes left:" >&2; pgrep -af -- "$W/" >&2; status=1
  fi
  [ "$status" -eq 0 ] && rm -rf "$W"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t=$(now)
"$HA" up "$C" || fail "ops/ha up"
echo "up in $(elapsed "$t" "$(now)") s"
# shellcheck disable=SC1091
source "$C/ha.env"
"$HA" status "$C"
psql "$HA_WRITER" -XAtq -v ON_ERROR_STOP=1 -c "CREATE TABLE rows (id bigint PRIMARY KEY)" ||
  fail "CREATE TABLE through the writer conninfo"
[ "$(psql "$HA_WRITER" -XAtc 'SHOW synchronous_commit')" = on ] || fail "writer role not synchronous_commit=on"

# 1. The writer: one INSERT per transaction; "id start end" once COMMIT returned.
writer() {
  local i=0 s
  while [ ! -e "$W/stop" ]; do
    i=$((i + 1)); s=$(now)
    if timeout 20 psql "$HA_WRITER" -XAtq -v ON_ERROR_STOP=1 \
        -c "INSERT INTO rows (id) VALUES ($i)" > /dev/null 2>> "$W/writer.err"; then
      echo "$i $s $(now)" >> "$W/acked"
    fi
    sleep 0.02
  done
}
: > "$W/acked"
writer &
writer_pid=$!
for _ in $(seq 200); do [ "$(wc -l < "$W/acked")" -ge 20 ] && break; sleep 0.1; done
[ "$(wc -l < "$W/acked")" -ge 20 ] || fail "the writer commits too little: $(tail -3 "$W/writer.err")"

# 2. The leader's host dies.
t_kill=$(now)
old=$("$HA" kill-leader "$C") || fail "kill-leader"
t_gone=$(now)
new=$("$HA" wait-leader "$C" 40 --not "$old") || fail "no new leader"
t_promoted=$(now)
# The first write begun once the old leader's processes were gone can only
# commit on the new leader; timed from the kill, so a slight overestimate.
first=
for _ in $(seq 300); do
  first=$(awk -v t="$t_gone" '$2 > t { print $3; exit }' "$W/acked")
  [ -n "$first" ] && break
  sleep 0.1
done
[ -n "$first" ] || fail "no write committed within 30 s of promotion"
failover=$(elapsed "$t_kill" "$first")
echo "killed leader $old; $new promoted after $(elapsed "$t_kill" "$t_promoted") s;" \
  "first acknowledged write after the kill: $failover s"
python3 -c "import sys; sys.exit(float(sys.argv[1]) > 30)" "$failover" || fail "failover took $failover s (> 30 s)"
sleep 2
touch "$W/stop"; wait "$writer_pid" || true; writer_pid=

# 3. No acknowledged row is lost; the async replica follows the new leader.
acked=$(wc -l < "$W/acked")
cut -d' ' -f1 "$W/acked" | sort > "$W/acked.ids"
"$HA" psql "$C" "$new" ledger -XAtq -c "SELECT id FROM rows" | sort > "$W/leader.ids"
lost=$(comm -23 "$W/acked.ids" "$W/leader.ids" | wc -l)
extra=$(comm -13 "$W/acked.ids" "$W/leader.ids" | wc -l)
echo "$acked acknowledged rows, $lost lost, $extra committed without acknowledgement (ambiguous)"
[ "$lost" -eq 0 ] || fail "$lost acknowledged rows missing on $new"
"$HA" wait-streaming "$C" pg3 30 || fail "pg3 does not stream from $new"
last=$(sort -n "$W/acked.ids" | tail -1)
for _ in $(seq 100); do
  [ "$(psql "$HA_READER" -XAtc "SELECT count(*) FROM rows WHERE id = $last")" = 1 ] && break
  sleep 0.1
done
[ "$(psql "$HA_READER" -XAtc "SELECT count(*) FROM rows WHERE id = $last")" = 1 ] ||
  fail "pg3 lacks the last acknowledged row"
tl_new=$("$HA" psql "$C" "$new" -XAtc "SELECT timeline_id FROM pg_control_checkpoint()")
tl_pg3=$("$HA" psql "$C" pg3 -XAtc "SELECT received_tli FROM pg_stat_wal_receiver")
[ "$tl_pg3" = "$tl_new" ] || fail "pg3 on timeline $tl_pg3, the leader on $tl_new"
if psql "$HA_READER" -XAtq -c "INSERT INTO rows (id) VALUES (0)" 2> /dev/null; then
  fail "the reader conninfo accepted a write"
fi
echo "pg3 streams from $new on timeline $tl_new and has row $last"

# 4. The old leader's host comes back: Patroni rewinds it; it becomes the sync standby.
t=$(now)
"$HA" rejoin "$C" "$old"
sync=$("$HA" wait-sync "$C" 90) || fail "$old did not rejoin"
[ "$sync" = "$old" ] || fail "synchronous standby is $sync, expected $old"
echo "$old rejoined as the synchronous standby in $(elapsed "$t" "$(now)") s"
"$HA" status "$C"

# 5. Strict mode: no standby, no acknowledgement. pg3 goes too: while Patroni
#    has no synchronous candidate it sets synchronous_standby_names to '*',
#    which lets any standby acknowledge, the nosync replica included.
"$HA" kill "$C" "$old" > /dev/null
"$HA" kill "$C" pg3 > /dev/null
sleep 1
echo "synchronous_standby_names on $new without a standby:" \
  "$("$HA" psql "$C" "$new" -XAtc 'SHOW synchronous_standby_names')"
status=0
timeout 5 psql "$HA_WRITER" -XAtq -c "INSERT INTO rows (id) VALUES (-1)" > /dev/null 2>&1 || status=$?
[ "$status" -eq 124 ] || fail "a write without any standby ended with status $status instead of waiting"
waiting=$("$HA" psql "$C" "$new" -XAtc "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'SyncRep'")
[ "$waiting" -ge 1 ] || fail "no backend waits for synchronous replication"
[ "$("$HA" psql "$C" "$new" ledger -XAtc 'SELECT count(*) FROM rows WHERE id = -1')" = 0 ] ||
  fail "the unreplicated row is visible"
echo "strict mode: with no standby the write did not return in 5 s ($waiting backend waiting on SyncRep)"
"$HA" rejoin "$C" "$old"
"$HA" rejoin "$C" pg3
"$HA" wait-sync "$C" 60 > /dev/null || fail "standbys did not return"
for _ in $(seq 50); do
  [ "$("$HA" psql "$C" "$new" ledger -XAtc 'SELECT count(*) FROM rows WHERE id = -1')" = 1 ] && break
  sleep 0.1
done
[ "$("$HA" psql "$C" "$new" ledger -XAtc 'SELECT count(*) FROM rows WHERE id = -1')" = 1 ] ||
  fail "the timed-out write did not commit once a standby returned"
echo "the timed-out write committed once a standby returned: a client timeout is not an abort"

"$HA" down "$C"
echo "ops/ha: failover in $failover s, $acked acknowledged rows, none lost"
