#!/usr/bin/env bash
# PostgreSQL -> PostgreSQL replication of a backlog of CHANGES mixed changes (inserts 50%, updates
# 35%, deletes 15%, in 1,000-change transactions over a 100k-row table): sluice (PostgreSQL source
# + JDBC sink on the embedded bus, one worker) versus PostgreSQL's own logical replication
# (CREATE SUBSCRIPTION) applying the same WAL, in the same run on the same server. Both start from
# the same table contents with a slot created before the changes; each is timed from the moment it
# starts consuming until the marker row written after the last change is visible in its target.
# Afterwards both targets are checked row by row against the source (the run fails if they differ).
# Prints seconds to converge for each and the ratio (subscription time / sluice time; > 1 means
# sluice is faster). Medians of RUNS runs. WORKER_EXTRA: worker.properties lines for sluice's worker
# (e.g. WORKER_EXTRA=embedded.bus.buffer.bytes=67108864).
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/pg_server.sh"
runs="${RUNS:-3}"
changes="${CHANGES:-1000000}"
start_pg

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

wait_marker() {  # wait_marker <db>: until the marker row is in <db>'s t
  # One session polls inside the server (a fresh psql every few ms would take a tenth of the
  # machine from whatever is being measured); COMMIT each round so no snapshot is held.
  timeout 1800 psql -X -q -v ON_ERROR_STOP=1 -h "$work" -p "$pgport" -U postgres -d "$1" -c "DO \$\$ BEGIN
      WHILE NOT EXISTS (SELECT 1 FROM t WHERE id = -1) LOOP PERFORM pg_sleep(0.005); COMMIT; END LOOP; END \$\$" \
    || { echo "timed out waiting for $1; worker log:" >&2; tail -20 "$work/worker.log" >&2; exit 1; }
}

ours=(); native=(); cpu=()
for i in $(seq 1 "$runs"); do
  for db in src dst_native dst_sluice; do
    psql_ -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null 2>&1
    psql_ -d "$db" -c "$table_ddl" -c "$preload" >/dev/null
  done
  psql_ -d src -c "CREATE PUBLICATION p FOR TABLE t" \
    -c "SELECT pg_create_logical_replication_slot('native', 'pgoutput'), pg_create_logical_replication_slot('sluice', 'pgoutput')" >/dev/null
  psql_ -d dst_native -c "CREATE SUBSCRIPTION s CONNECTION 'host=${work} port=${pgport} user=postgres dbname=src'
    PUBLICATION p WITH (create_slot = false, slot_name = 'native', copy_data = false, enabled = false)" >/dev/null
  psql_ -d src -c "$workload" -c "INSERT INTO t VALUES (-1, 0, 'marker', now())" >/dev/null

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

  expected=$(psql_ -d src -At -c "$dump")
  for db in dst_native dst_sluice; do
    got=$(psql_ -d "$db" -At -c "$dump")
    [ "$got" = "$expected" ] || { echo "run $i: $db differs from the source ($got vs $expected)" >&2; exit 1; }
  done
  psql_ -d dst_native -c "ALTER SUBSCRIPTION s SET (slot_name = NONE)" \
    -c "DROP SUBSCRIPTION s" >/dev/null
  psql_ -d src -c "SELECT pg_drop_replication_slot('native'), pg_drop_replication_slot('sluice')" >/dev/null
done
o=$(median "${ours[@]}"); n=$(median "${native[@]}"); w=$(median "${cpu[@]}")
awk -v o="$o" -v n="$n" -v w="$w" -v c="$changes" -v k="$runs" 'BEGIN {
  printf "PostgreSQL -> PostgreSQL, %d mixed changes (median of %d): sluice %.2f s (%.0f changes/s; worker CPU %.2f s), CREATE SUBSCRIPTION %.2f s (%.0f changes/s), ratio subscription/sluice %.2f (target > 1)\n", c, k, o/1000, c*1000/o, w, n/1000, c*1000/n, n/o }'
echo "pgcopydb follow: not measured (see bench/README.md)"
