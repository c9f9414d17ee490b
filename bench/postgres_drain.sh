#!/usr/bin/env bash
# PostgreSQL CDC drain: a backlog of ROWS rows (inserted in 10k-row transactions) sits in a logical
# replication slot; the PostgresConnector drains it through JsonConverter into a null sink on the
# embedded bus (the sink reads with JsonConverter too, unless SINK_CONVERTER names another
# converter class). Baseline in the same run: pg_recvlogical draining the same WAL with pgoutput
# to /dev/null over the same unix socket. Prints rows/s of both and the ratio (target >= 0.8), the
# worker's peak RSS and its CPU seconds per million events. Narrow rows and ~1 KB rows.
# Medians of RUNS runs. SLUICE_BUILD_DIR picks the build directory (default build/). Records are
# serialized and parsed again (embedded.bus.pass.records=false), so JsonConverter's cost is in the
# figure; PASS_RECORDS=true lets them pass as objects, as a worker does by default.
source "$(dirname "$0")/common.sh"
runs="${RUNS:-3}"
rows="${ROWS:-1000000}"
sink_converter="${SINK_CONVERTER:-org.apache.kafka.connect.json.JsonConverter}"
bindir="$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)"
work="$(mktemp -d /tmp/sluice-pgbench.XXXXXX)"
chmod 755 "$work"
as_pg=()
[ "$(id -u)" -eq 0 ] && { chown postgres "$work"; as_pg=(runuser -u postgres --); }
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

pgport=$(free_port)
"${as_pg[@]}" "$bindir/initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
cat >>"$work/data/postgresql.conf" <<CONF
port=${pgport}
listen_addresses=''
unix_socket_directories='${work}'
wal_level=logical
max_wal_senders=10
max_replication_slots=10
fsync=off
synchronous_commit=off
full_page_writes=off
CONF
"${as_pg[@]}" "$bindir/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$work" -p "$pgport" -U postgres "$@"; }
psql_ -d postgres -c "CREATE DATABASE app"
psql_ -d app -c "CREATE TABLE narrow (id int PRIMARY KEY, v text, n int);
                 CREATE TABLE wide (id int PRIMARY KEY, payload text);
                 CREATE PUBLICATION bench_pub FOR ALL TABLES;"

# load <table>: ROWS rows in 10k-row transactions.
load() {
  local table="$1" expr
  if [ "$table" = narrow ]; then expr="i, 'value-' || i, i % 1000"; else expr="i, repeat(md5(i::text), 32)"; fi
  psql_ -d app -c "TRUNCATE $table" -c "DO \$\$ BEGIN
    FOR b IN 0..$(( rows / 10000 - 1 )) LOOP
      INSERT INTO $table SELECT $expr FROM generate_series(b * 10000 + 1, (b + 1) * 10000) AS i;
      COMMIT;
    END LOOP; END \$\$;"
}


for table in ${TABLES:-narrow wide}; do
  base=(); ours=(); rss=(); cpu=()
  for i in $(seq 1 "$runs"); do
    psql_ -d app -c "SELECT pg_create_logical_replication_slot('base', 'pgoutput'),
                            pg_create_logical_replication_slot('sluice', 'pgoutput')" >/dev/null
    load "$table"
    end_lsn=$(psql_ -d app -At -c "SELECT pg_current_wal_lsn()")

    start=$(now_ns)
    pg_recvlogical -h "$work" -p "$pgport" -U postgres -d app --slot base --start --endpos "$end_lsn" \
      -o proto_version=1 -o publication_names=bench_pub --no-loop -f /dev/null
    end=$(now_ns)
    base+=("$(( rows * 1000000000 / (end - start) ))")

    port=$(free_port)
    write_worker_properties "$work" "$port" "offset.flush.interval.ms=100" \
      "embedded.bus.pass.records=${PASS_RECORDS:-false}"
    rm -f "$work/offsets.json"
    "$sluice" standalone "$work/worker.properties" 2>"$work/worker.log" &
    pid=$!
    wait_http "http://127.0.0.1:${port}/" 10
    api="http://127.0.0.1:${port}/connectors"
    curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' "$api" \
      -d "{\"name\":\"null\",\"config\":{\"connector.class\":\"NullSink\",\"topics\":\"bench.public.${table}\",
           \"key.converter\":\"${sink_converter}\",\"value.converter\":\"${sink_converter}\"}}"
    start=$(now_ns)
    curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' "$api" -d "{\"name\":\"pg\",\"config\":{
      \"connector.class\":\"io.debezium.connector.postgresql.PostgresConnector\",
      \"database.hostname\":\"${work}\",\"database.port\":\"${pgport}\",\"database.user\":\"postgres\",
      \"database.dbname\":\"app\",\"topic.prefix\":\"bench\",\"table.include.list\":\"public.${table}\",
      \"slot.name\":\"sluice\",\"publication.name\":\"bench_pub\",\"publication.autocreate.mode\":\"disabled\",
      \"snapshot.mode\":\"no_data\"}}"
    end=$(wait_offsets "$api/null/offsets" "$rows" 600) ||
      { echo "timed out; worker log:" >&2; tail -20 "$work/worker.log" >&2; exit 1; }
    ours+=("$(( rows * 1000000000 / (end - start) ))")
    rss+=("$(hwm_kb "$pid")")
    cpu+=("$(cpu_seconds "$pid")")
    kill -TERM "$pid"; wait "$pid" || true
    pid=""
    psql_ -d app -c "SELECT pg_drop_replication_slot('base'), pg_drop_replication_slot('sluice')" >/dev/null
  done
  o=$(median "${ours[@]}"); b=$(median "${base[@]}"); m=$(median "${rss[@]}"); c=$(median "${cpu[@]}")
  awk -v o="$o" -v b="$b" -v n="$rows" -v k="$runs" -v t="$table" -v m="$m" -v c="$c" 'BEGIN {
    printf "%s rows, %d-row backlog in 10k-row transactions (median of %d): sluice %.0f rows/s, pg_recvlogical %.0f rows/s, ratio %.3f (target >= 0.8)\n", t, n, k, o, b, o/b
    printf "%s rows: worker peak RSS %.1f MB, %.2f CPU seconds per million events\n", t, m/1024, c * 1000000 / n }'
done
