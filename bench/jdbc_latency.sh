#!/usr/bin/env bash
# End-to-end latency PostgreSQL -> sluice -> PostgreSQL at a fixed rate: RATE rows/s (default 5000)
# for SECONDS_RUN seconds (default 30), inserted as 50-row transactions every 10 ms. Each source row
# carries created_at = clock_timestamp() taken in its transaction just before COMMIT; the target
# table (created beforehand, same columns plus applied_at DEFAULT clock_timestamp()) gets applied_at
# when the sink's INSERT writes the row, inside the sink's batch transaction, on the same server
# clock. Prints p50/p99/max of applied_at - created_at over all rows after a 5 s warm-up (target
# p99 < 50 ms). The first 5 s are left out: the worker connects and creates its slot then.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/pg_server.sh"
rate="${RATE:-5000}"
seconds_run="${SECONDS_RUN:-30}"
start_pg

psql_ -d postgres -c "CREATE DATABASE src" -c "CREATE DATABASE dst" >/dev/null
# The source commits as a production server does (synchronous_commit=on, PostgreSQL's default): a
# walsender only sends WAL that is flushed, and with synchronous_commit=off that waits for the WAL
# writer (wal_writer_delay, 200 ms), which would be measured as replication latency.
psql_ -d postgres -c "ALTER DATABASE src SET synchronous_commit = on" >/dev/null
psql_ -d src -c "CREATE TABLE t (id bigint PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL)" \
  -c "CREATE PUBLICATION p FOR TABLE t" >/dev/null
psql_ -d dst -c "CREATE TABLE t (id bigint PRIMARY KEY, payload text NOT NULL, created_at timestamptz NOT NULL,
                                 applied_at timestamptz DEFAULT clock_timestamp())" >/dev/null

start_worker
post_connector "{\"name\":\"sink\",\"config\":{\"connector.class\":\"io.debezium.connector.jdbc.JdbcSinkConnector\",
  \"topics\":\"bench.public.t\",\"connection.url\":\"jdbc:postgresql://127.0.0.1:${pgport}/dst\",
  \"connection.username\":\"postgres\",\"insert.mode\":\"upsert\",\"primary.key.mode\":\"record_key\",
  \"delete.enabled\":\"true\",\"schema.evolution\":\"basic\",\"table.name.format\":\"t\"}}"
post_connector "{\"name\":\"pg\",\"config\":{\"connector.class\":\"io.debezium.connector.postgresql.PostgresConnector\",
  \"database.hostname\":\"${work}\",\"database.port\":\"${pgport}\",\"database.user\":\"postgres\",
  \"database.dbname\":\"src\",\"topic.prefix\":\"bench\",\"table.include.list\":\"public.t\",
  \"slot.name\":\"sluice\",\"publication.name\":\"p\",\"publication.autocreate.mode\":\"disabled\"}}"

deadline=$(( $(date +%s) + 30 ))
until [ "$(psql_ -d src -At -c "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'sluice' AND active")" = 1 ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "the source never started streaming; worker log:" >&2; tail -20 "$work/worker.log" >&2; exit 1; }
  sleep 0.1
done

per_txn=$(( rate / 100 ))
txns=$(( seconds_run * 100 ))
# One transaction every 10 ms, paced against the wall clock so a slow commit does not lower the rate.
psql_ -d src -c "DO \$\$ DECLARE t0 timestamptz := clock_timestamp(); BEGIN
  FOR b IN 0..${txns} - 1 LOOP
    INSERT INTO t SELECT b::bigint * ${per_txn} + g, md5(g::text), clock_timestamp() FROM generate_series(1, ${per_txn}) g;
    COMMIT;
    PERFORM pg_sleep(greatest(0, extract(epoch FROM t0 + (b + 1) * interval '10 ms' - clock_timestamp())));
  END LOOP; END \$\$" >/dev/null
total=$(( per_txn * txns ))
deadline=$(( $(date +%s) + 120 ))
until [ "$(psql_ -d dst -At -c "SELECT count(*) FROM t")" -ge "$total" ]; do
  [ "$(date +%s)" -lt "$deadline" ] || { echo "timed out; worker log:" >&2; tail -20 "$work/worker.log" >&2; exit 1; }
  sleep 0.2
done
stop_worker
psql_ -d dst -At -F ' ' -c "WITH l AS (SELECT extract(epoch FROM applied_at - created_at) * 1000 AS ms FROM t
                              WHERE created_at > (SELECT min(created_at) FROM t) + interval '5 s')
  SELECT count(*), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1),
         round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1), round(max(ms)::numeric, 1) FROM l" |
  awk -v r="$rate" '{ printf "PostgreSQL -> sluice -> PostgreSQL at %d rows/s: %d rows measured, latency p50 %.1f ms, p99 %.1f ms, max %.1f ms (target p99 < 50 ms)\n", r, $1, $2, $3, $4 }'
achieved=$(psql_ -d src -At -c "SELECT round(count(*) / extract(epoch FROM max(created_at) - min(created_at))) FROM t")
echo "achieved source rate: ${achieved} rows/s"
