#!/usr/bin/env bash
# PostgreSQL -> PostgreSQL replication of a backlog of CHANGES mixed changes (inserts 50%, updates
# 35%, deletes 15%, in 1,000-change transactions over a 100k-row table): sluice (PostgreSQL source
# + JDBC sink on the embedded bus, one worker) versus PostgreSQL's own logical replication
# (CREATE SUBSCRIPTION) and versus `pgcopydb follow` (pgcopydb 0.10, wal2json), applying the same
# WAL, in the same run on the same server, one at a time (the others stopped, their slots idle).
# All start from the same table contents with a slot created before the changes; each is timed from
# the moment it starts consuming until the marker row written after the last change is visible in
# its target. Afterwards every target is checked row by row against the source (the run fails if
# one differs). Prints seconds to converge for each and the ratios (subscription time / sluice time,
# pgcopydb time / sluice time; > 1 means sluice is faster). Medians of RUNS runs. WORKER_EXTRA:
# worker.properties lines for sluice's worker (e.g. WORKER_EXTRA=embedded.bus.buffer.bytes=67108864).
# Needs the pgcopydb and postgresql-15-wal2json packages (installed by the script when run as root).
source "$(dirname "$0")/common.sh"
# pgcopydb and wal2json are needed by this benchmark only (not by the build or the tests).
if ! command -v pgcopydb >/dev/null || [ ! -e "$(pg_config --pkglibdir 2>/dev/null || echo /usr/lib/postgresql/15/lib)/wal2json.so" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgcopydb postgresql-15-wal2json; } >/dev/null
  else
    echo "pg_replication.sh needs pgcopydb and wal2json: apt-get install pgcopydb postgresql-15-wal2json" >&2
    exit 1
  fi
fi
source "$(dirname "$0")/pg_server.sh"
runs="${RUNS:-3}"
changes="${CHANGES:-1000000}"
start_pg
# pgcopydb 0.10 turns a WAL segment's changes into SQL only once it has received the whole segment
# (or reached --endpos), and a backlog crossing a segment boundary hung it and once lost the updates
# of a transaction split across the two: 1 GB segments (the maximum) hold each run's backlog in one.
# pg_server.sh is shared with other benchmarks, so the segment size is changed here.
"${as_pg[@]}" "$bindir/pg_ctl" -D "$work/data" -w stop >/dev/null
"${as_pg[@]}" "$bindir/pg_resetwal" --wal-segsize=1024 -D "$work/data" >/dev/null
echo "min_wal_size=2GB" >>"$work/data/postgresql.conf"  # at least two segments
"${as_pg[@]}" "$bindir/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null
psql_ -d postgres -c "CREATE EXTENSION pg_walinspect" >/dev/null  # finds the marker's commit record

# pgcopydb writes its work files under TMPDIR and XDG_DATA_HOME (not --dir): both in $work.
pgc_env=(env TMPDIR="$work/pgcopydb/tmp" XDG_DATA_HOME="$work/pgcopydb/data")
pgc_src="postgres://postgres@127.0.0.1:${pgport}/src"
pgc_dst="postgres://postgres@127.0.0.1:${pgport}/dst_pgcopydb"
pgc_pid=""  # `pgcopydb follow`, leader of its own process group (it forks a receive, a transform
            # and an apply process, and stops only when they all get the signal)
pgc_running() { [ -n "$(ps -o stat= -s "$pgc_pid" | grep -v Z)" ]; }  # any of its processes, zombies aside
pgc_stop() {
  [ -n "$pgc_pid" ] || return 0
  kill -TERM -- "-$pgc_pid" 2>/dev/null || true
  for _ in $(seq 50); do pgc_running || break; sleep 0.1; done
  kill -KILL -- "-$pgc_pid" 2>/dev/null || true
  wait "$pgc_pid" 2>/dev/null || true
  pgc_pid=""
}
trap 'pgc_stop; bench_cleanup' EXIT

table_ddl="CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, payload text NOT NULL, at timestamptz NOT NULL)"
preload="INSERT INTO t SELECT g, g, md5(g::text), '2024-01-01' FROM generate_series(1, 100000) g"
# Each transaction: 500 inserts of new ids, 350 updates and 150 deletes of existing ones.
workload="DO \$\$ DECLARE next_id int := 100001; BEGIN
  FOR b IN 1..$(( changes / 1000 )) LOOP
    INSERT INTO t SELECT g, g % 1000, md5(g::text), now() FROM generate_series(next_id, next_id + 499) g;
    UPDATE t SET v = v + 1, at = now() WHERE id IN
      (SELECT id FROM t WHERE id % 7 = b % 7 AND id > next_id - 20000 ORDER BY id LIMIT 350);
    DELETE FROM t WHERE id IN (SELECT id FROM t WHERE id % 11 = b % 11 AND id < next_id ORDER BY id DESC LIMIT 150);
    next_id := next_id + 500;
    COMMIT;
  END LOOP; END \$\$"
dump="SELECT md5(string_agg(concat_ws('|', id, v, payload, at), ',' ORDER BY id)) || ' ' || count(*) FROM t"

wait_marker() {  # wait_marker <db> [log]: until the marker row is in <db>'s t (on timeout, shows log)
  # One session polls inside the server (a fresh psql every few ms would take a tenth of the
  # machine from whatever is being measured); COMMIT each round so no snapshot is held.
  timeout 1800 psql -X -q -v ON_ERROR_STOP=1 -h "$work" -p "$pgport" -U postgres -d "$1" -c "DO \$\$ BEGIN
      WHILE NOT EXISTS (SELECT 1 FROM t WHERE id = -1) LOOP PERFORM pg_sleep(0.005); COMMIT; END LOOP; END \$\$" \
    || { echo "timed out waiting for $1; ${2:-$work/worker.log}:" >&2; tail -20 "${2:-$work/worker.log}" >&2; exit 1; }
}

# seconds (1 s resolution, from its log) pgcopydb's apply sat idle between the SQL file being ready
# and its next look for it (it looks every 10 s)
pgc_idle() { awk '{ split($1, h, ":"); s = h[1] * 3600 + h[2] * 60 + h[3] }
  /Transformed JSON messages into SQL file/ { t = s } /Replaying changes from file/ && t != "" { r = s; exit }
  END { print (t != "" && r != "") ? (r - t + 86400) % 86400 : "?" }' "$1"; }

ours=(); native=(); cpu=(); theirs=(); idle=()
for i in $(seq 1 "$runs"); do
  for db in src dst_native dst_sluice dst_pgcopydb; do
    psql_ -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null 2>&1
    psql_ -d "$db" -c "$table_ddl" -c "$preload" >/dev/null
  done
  psql_ -d src -c "CREATE PUBLICATION p FOR TABLE t" \
    -c "SELECT pg_create_logical_replication_slot('native', 'pgoutput'), pg_create_logical_replication_slot('sluice', 'pgoutput')" >/dev/null
  # pgcopydb's own slot (wal2json) starting at a fresh WAL segment, its sentinel table on src, its
  # replication origin for dst_pgcopydb; apply enabled in the sentinel (an UPDATE of that table).
  rm -rf "$work/pgcopydb"; mkdir -p "$work/pgcopydb/tmp" "$work/pgcopydb/data"
  psql_ -d src -c "SELECT pg_switch_wal()" >/dev/null
  { "${pgc_env[@]}" pgcopydb stream setup --source "$pgc_src" --target "$pgc_dst" --slot-name pgcopydb \
      --origin pgcopydb --not-consistent && "${pgc_env[@]}" pgcopydb stream sentinel set apply --source "$pgc_src"
  } >>"$work/pgcopydb-setup.log" 2>&1 \
    || { echo "pgcopydb stream setup failed:" >&2; tail -20 "$work/pgcopydb-setup.log" >&2; exit 1; }
  psql_ -d dst_native -c "CREATE SUBSCRIPTION s CONNECTION 'host=${work} port=${pgport} user=postgres dbname=src'
    PUBLICATION p WITH (create_slot = false, slot_name = 'native', copy_data = false, enabled = false)" >/dev/null
  psql_ -d src -c "$workload" >/dev/null
  before=$(psql_ -d src -At -c "SELECT pg_current_wal_insert_lsn()")
  xid=$(psql_ -d src -At -c "BEGIN" -c "INSERT INTO t VALUES (-1, 0, 'marker', now())" \
    -c "SELECT txid_current() % 4294967296" -c "SET LOCAL synchronous_commit = on" -c "COMMIT")
  # pgcopydb 0.10 stops (and has its last SQL file written) only at an --endpos that is exactly the
  # end of a commit record: the marker's.
  endpos=$(psql_ -d postgres -At -c "SELECT end_lsn FROM pg_get_wal_records_info('$before', pg_current_wal_flush_lsn())
    WHERE xid = '$xid' AND resource_manager = 'Transaction' AND record_type = 'COMMIT'")
  one_segment=$(psql_ -d src -At -c "SELECT pg_walfile_name(confirmed_flush_lsn) = pg_walfile_name('$endpos')
    FROM pg_replication_slots WHERE slot_name = 'pgcopydb'")
  [ -n "$endpos" ] && [ "$one_segment" = t ] \
    || { echo "run $i: no marker commit found, or the backlog spans WAL segments (endpos '$endpos')" >&2; exit 1; }

  start=$(now_ns)
  psql_ -d dst_native -c "ALTER SUBSCRIPTION s ENABLE" >/dev/null
  wait_marker dst_native
  end=$(now_ns)
  native+=("$(( (end - start) / 1000000 ))")
  # An enabled subscription keeps its walsender decoding every WAL record of the cluster, the
  # sluice sink's writes included: disabled, it takes no CPU from sluice's turn.
  psql_ -d dst_native -c "ALTER SUBSCRIPTION s DISABLE" >/dev/null

  start=$(now_ns)
  start_worker ${WORKER_EXTRA:-}
  post_connector "{\"name\":\"sink\",\"config\":{\"connector.class\":\"io.debezium.connector.jdbc.JdbcSinkConnector\",
    \"topics\":\"bench.public.t\",\"connection.url\":\"jdbc:postgresql://127.0.0.1:${pgport}/dst_sluice\",
    \"connection.username\":\"postgres\",\"insert.mode\":\"upsert\",\"primary.key.mode\":\"record_key\",
    \"delete.enabled\":\"true\",\"schema.evolution\":\"basic\",\"table.name.format\":\"t\",\"batch.size\":\"5000\",
    \"consumer.override.max.poll.records\":\"5000\"}}"
  post_connector "{\"name\":\"pg\",\"config\":{\"connector.class\":\"io.debezium.connector.postgresql.PostgresConnector\",
    \"database.hostname\":\"${work}\",\"database.port\":\"${pgport}\",\"database.user\":\"postgres\",
    \"database.dbname\":\"src\",\"topic.prefix\":\"bench\",\"table.include.list\":\"public.t\",
    \"slot.name\":\"sluice\",\"publication.name\":\"p\",\"publication.autocreate.mode\":\"disabled\",
    \"snapshot.mode\":\"no_data\"}}"
  wait_marker dst_sluice
  end=$(now_ns)
  ours+=("$(( (end - start) / 1000000 ))")
  cpu+=("$(cpu_seconds "$pid")")
  stop_worker

  start=$(now_ns)
  "${pgc_env[@]}" setsid pgcopydb follow --source "$pgc_src" --target "$pgc_dst" --slot-name pgcopydb \
    --origin pgcopydb --resume --not-consistent --endpos "$endpos" >"$work/pgcopydb-follow.log" 2>&1 &
  pgc_pid=$!
  wait_marker dst_pgcopydb "$work/pgcopydb-follow.log"
  end=$(now_ns)
  theirs+=("$(( (end - start) / 1000000 ))")
  idle+=("$(pgc_idle "$work/pgcopydb-follow.log")")
  # It exits on its own once it has applied the marker's transaction (its endpos).
  for _ in $(seq 300); do pgc_running || break; sleep 0.1; done
  pgc_stop

  expected=$(psql_ -d src -At -c "$dump")
  for db in dst_native dst_sluice dst_pgcopydb; do
    got=$(psql_ -d "$db" -At -c "$dump")
    [ "$got" = "$expected" ] || { echo "run $i: $db differs from the source ($got vs $expected)" >&2; exit 1; }
  done
  psql_ -d dst_native -c "ALTER SUBSCRIPTION s SET (slot_name = NONE)" \
    -c "DROP SUBSCRIPTION s" >/dev/null
  # Walsenders and pgcopydb's sessions go away just after their clients: wait for them before
  # dropping the slots and the (cluster-wide) replication origin.
  psql_ -d postgres -c "DO \$\$ BEGIN FOR n IN 1..6000 LOOP
      EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_replication_slots WHERE active)
        AND NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = 'dst_pgcopydb');
      PERFORM pg_sleep(0.01); END LOOP; END \$\$" >/dev/null
  psql_ -d src -c "SELECT pg_drop_replication_slot('native'), pg_drop_replication_slot('sluice'),
    pg_drop_replication_slot('pgcopydb')" -c "SELECT pg_replication_origin_drop('pgcopydb')" >/dev/null
done
o=$(median "${ours[@]}"); n=$(median "${native[@]}"); w=$(median "${cpu[@]}"); p=$(median "${theirs[@]}")
awk -v o="$o" -v n="$n" -v w="$w" -v c="$changes" -v k="$runs" 'BEGIN {
  printf "PostgreSQL -> PostgreSQL, %d mixed changes (median of %d): sluice %.2f s (%.0f changes/s; worker CPU %.2f s), CREATE SUBSCRIPTION %.2f s (%.0f changes/s), ratio subscription/sluice %.2f (target > 1)\n", c, k, o/1000, c*1000/o, w, n/1000, c*1000/n, n/o }'
awk -v o="$o" -v p="$p" -v c="$changes" -v k="$runs" -v idle="${idle[*]}" 'BEGIN {
  printf "pgcopydb follow (median of %d): %.2f s (%.0f changes/s), ratio pgcopydb/sluice %.2f (target > 1); its apply idle waiting for its 10 s poll of the SQL file, per run: %s s\n", k, p/1000, c*1000/p, p/o, idle }'
