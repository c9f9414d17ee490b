# A throwaway PostgreSQL 15 for the benchmark scripts (sourced after common.sh): start_pg starts it
# in $work/data, listening on the unix socket in $work and on 127.0.0.1:$pgport; psql_ runs psql
# against it; the EXIT trap stops it and removes $work (plus the worker in $pid, if any).
bindir="$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)"
work="$(mktemp -d /tmp/sluice-bench.XXXXXX)"
chmod 755 "$work"
as_pg=()
[ "$(id -u)" -eq 0 ] && { chown postgres "$work"; as_pg=(runuser -u postgres --); }
pid=""
bench_cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap bench_cleanup EXIT

start_pg() {
  pgport=$(free_port)
  "${as_pg[@]}" "$bindir/initdb" -D "$work/data" -U postgres --auth=trust -E UTF8 --locale=C --no-sync >/dev/null
  cat >>"$work/data/postgresql.conf" <<CONF
port=${pgport}
listen_addresses='127.0.0.1'
unix_socket_directories='${work}'
wal_level=logical
max_wal_senders=10
max_replication_slots=10
max_logical_replication_workers=8
fsync=off
synchronous_commit=off
full_page_writes=off
timezone='UTC'
shared_buffers=256MB
max_wal_size=4GB
CONF
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null
}
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$work" -p "$pgport" -U postgres "$@"; }

# start_worker [extra worker.properties lines...]: a fresh worker in $work; sets $pid and $api.
start_worker() {
  local port
  port=$(free_port)
  write_worker_properties "$work" "$port" "$@"
  rm -f "$work/offsets.json"
  "$sluice" standalone "$work/worker.properties" 2>>"$work/worker.log" &
  pid=$!
  wait_http "http://127.0.0.1:${port}/" 10
  api="http://127.0.0.1:${port}/connectors"
}
stop_worker() { kill -TERM "$pid"; wait "$pid" || true; pid=""; }
post_connector() { curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' "$api" -d "$1"; }
