#!/usr/bin/env bash
# JDBC sink throughput: ROWS rows (default 1M) as Debezium create events, then ROWS updates of the
# same keys, through the JDBC sink task (bench_jdbc_sink: the task the worker runs, fed in-process,
# only its put() calls timed) into PostgreSQL 15 and MariaDB 10.11, in batches of BATCH (default
# 5000). Baselines in the same run, same table, same rows:
#   PostgreSQL inserts: \copy of the rows into the emptied table;
#   PostgreSQL updates: the server-side upsert pattern: \copy into a temp table, then one
#     INSERT .. SELECT .. ON CONFLICT DO UPDATE, in one transaction;
#   MariaDB inserts: LOAD DATA LOCAL INFILE into the emptied table;
#   MariaDB updates: LOAD DATA LOCAL INFILE .. REPLACE.
# Prints rows/s and ratios (targets: >= 0.5x COPY / LOAD DATA for inserts, >= 0.8x the upsert
# pattern for updates). Medians of RUNS runs.
# Knobs: RUNS, ROWS, BATCH; SLUICE_BUILD_DIR (the build whose bench_jdbc_sink runs) or BENCH_BIN (that
# binary itself); DATABASES="postgres mariadb" (the default) or DATABASES=postgres to skip MariaDB.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/pg_server.sh"
runs="${RUNS:-3}"
rows="${ROWS:-1000000}"
batch="${BATCH:-5000}"
databases="${DATABASES:-postgres mariadb}"
with() { [[ " $databases " == *" $1 "* ]]; }
bench_bin="${BENCH_BIN:-${build}/bench/bench_jdbc_sink}"
[ -x "$bench_bin" ] || bench_bin="${build}/bin/bench_jdbc_sink"
[ -x "$bench_bin" ] || { echo "bench_jdbc_sink is not built (cmake --build ${build} --target bench_jdbc_sink)" >&2; exit 1; }
start_pg

# MariaDB in $work/maria, as root with --user=root (mariadbd refuses root otherwise).
if with mariadb; then
  mport=$(free_port)
  maria_user=(); [ "$(id -u)" -eq 0 ] && maria_user=(--user=root)
  mariadb-install-db --no-defaults --datadir="$work/maria" --auth-root-authentication-method=normal \
    --skip-test-db "${maria_user[@]}" >/dev/null 2>&1
  mariadbd --no-defaults --datadir="$work/maria" --socket="$work/maria.sock" --port="$mport" \
    --bind-address=127.0.0.1 --skip-name-resolve --skip-log-bin --innodb-flush-log-at-trx-commit=2 \
    --innodb-buffer-pool-size=512M --innodb-log-file-size=256M --local-infile=1 --max-allowed-packet=64M \
    "${maria_user[@]}" --log-error="$work/maria.log" --pid-file="$work/maria.pid" 2>/dev/null &
  maria_pid=$!
  trap 'kill "$maria_pid" 2>/dev/null; bench_cleanup' EXIT
  maria() { mariadb --no-defaults --socket="$work/maria.sock" --user=root --local-infile=1 "$@"; }
  for _ in $(seq 1 100); do maria -e "SELECT 1" >/dev/null 2>&1 && break; sleep 0.1; done
  maria -e "CREATE USER bench@'127.0.0.1' IDENTIFIED BY 'bench'; GRANT ALL ON *.* TO bench@'127.0.0.1'"
fi

seconds() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.3f", (e - s) / 1e9 }'; }
ins_csv="$work/insert.csv"; upd_csv="$work/update.csv"
chmod 755 "$work"
cols="id, v, name, amount, created, __sluice_position"
pg_ins=(); pg_upd=(); pg_copy=(); pg_merge=(); my_ins=(); my_upd=(); my_load=(); my_replace=()
for i in $(seq 1 "$runs"); do
  # PostgreSQL
  psql_ -d postgres -c "DROP DATABASE IF EXISTS sinkbench" -c "CREATE DATABASE sinkbench" >/dev/null 2>&1
  url="jdbc:postgresql://127.0.0.1:${pgport}/sinkbench"
  pg_ins+=("$("$bench_bin" "$url" postgres "" "$rows" insert "$batch" "$ins_csv" | awk '{print $2}')")
  pg_upd+=("$("$bench_bin" "$url" postgres "" "$rows" update "$batch" "$upd_csv" | awk '{print $2}')")
  chmod 644 "$ins_csv" "$upd_csv"
  psql_ -d sinkbench -c "TRUNCATE t" -c "VACUUM t" -c "CHECKPOINT" >/dev/null
  s=$(now_ns); psql_ -d sinkbench -c "\\copy t (${cols}) FROM '${ins_csv}' CSV"; e=$(now_ns)
  pg_copy+=("$(seconds "$s" "$e")")
  psql_ -d sinkbench -c "VACUUM t" -c "CHECKPOINT" >/dev/null
  s=$(now_ns)
  psql_ -d sinkbench -1 <<SQL
CREATE TEMP TABLE s (LIKE t) ON COMMIT DROP;
\\copy s (${cols}) FROM '${upd_csv}' CSV
INSERT INTO t (${cols}) SELECT ${cols} FROM s ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v, name = EXCLUDED.name,
  amount = EXCLUDED.amount, created = EXCLUDED.created, __sluice_position = EXCLUDED.__sluice_position;
SQL
  e=$(now_ns)
  pg_merge+=("$(seconds "$s" "$e")")
  [ "$(psql_ -d sinkbench -At -c "SELECT count(*) FROM t WHERE v = id * 3")" = "$rows" ] || { echo "PostgreSQL: wrong table contents" >&2; exit 1; }

  # MariaDB
  with mariadb || continue
  maria -e "DROP DATABASE IF EXISTS sinkbench; CREATE DATABASE sinkbench"
  url="jdbc:mariadb://127.0.0.1:${mport}/sinkbench"
  my_ins+=("$("$bench_bin" "$url" bench bench "$rows" insert "$batch" | awk '{print $2}')")
  my_upd+=("$("$bench_bin" "$url" bench bench "$rows" update "$batch" | awk '{print $2}')")
  maria sinkbench -e "TRUNCATE t"
  s=$(now_ns); maria sinkbench -e "LOAD DATA LOCAL INFILE '${ins_csv}' INTO TABLE t FIELDS TERMINATED BY ',' (${cols})"; e=$(now_ns)
  my_load+=("$(seconds "$s" "$e")")
  s=$(now_ns); maria sinkbench -e "LOAD DATA LOCAL INFILE '${upd_csv}' REPLACE INTO TABLE t FIELDS TERMINATED BY ',' (${cols})"; e=$(now_ns)
  my_replace+=("$(seconds "$s" "$e")")
  [ "$(maria sinkbench -N -e "SELECT count(*) FROM t WHERE v = id * 3")" = "$rows" ] || { echo "MariaDB: wrong table contents" >&2; exit 1; }
done
report() {  # report <label> <ours seconds> <baseline seconds> <baseline name> <target>
  awk -v l="$1" -v o="$2" -v b="$3" -v n="$rows" -v bn="$4" -v t="$5" -v k="$runs" 'BEGIN {
    printf "%s (median of %d): sluice %.0f rows/s, %s %.0f rows/s, ratio %.2f (target >= %s)\n", l, k, n/o, bn, n/b, b/o, t }'
}
echo "PostgreSQL seconds per run: sluice inserts ${pg_ins[*]}; COPY ${pg_copy[*]}; sluice updates ${pg_upd[*]}; upsert pattern ${pg_merge[*]}"
report "PostgreSQL, ${rows} inserts" "$(median "${pg_ins[@]}")" "$(median "${pg_copy[@]}")" "COPY" 0.5
report "PostgreSQL, ${rows} updates of existing keys" "$(median "${pg_upd[@]}")" "$(median "${pg_merge[@]}")" "COPY + INSERT..ON CONFLICT" 0.8
with mariadb || exit 0
report "MariaDB, ${rows} inserts" "$(median "${my_ins[@]}")" "$(median "${my_load[@]}")" "LOAD DATA LOCAL INFILE" 0.5
report "MariaDB, ${rows} updates of existing keys" "$(median "${my_upd[@]}")" "$(median "${my_replace[@]}")" "LOAD DATA .. REPLACE" 0.8
