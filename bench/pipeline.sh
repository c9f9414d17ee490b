#!/usr/bin/env bash
# Synthetic source -> 3 SMTs -> JsonConverter -> embedded bus -> JsonConverter -> null sink, one
# task each: records/s through the real worker and its peak RSS, against a baseline measured in
# the same run: the same records pushed through the same transforms and converters in a plain
# single-threaded loop (bench_transform_convert), i.e. the work itself without the runtime around it.
# Medians of RUNS runs of COUNT records. The worker serializes on the bus (embedded.bus.pass.records
# =false): the converters are part of what is measured.
source "$(dirname "$0")/common.sh"
runs="${RUNS:-5}"
count="${COUNT:-1000000}"
size="${RECORD_SIZE:-100}"
work="$(mktemp -d)"
trap 'rm -rf "$work"; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true' EXIT

transforms='"transforms":"stamp,rename,cast",
  "transforms.stamp.type":"org.apache.kafka.connect.transforms.InsertField$Value",
  "transforms.stamp.static.field":"origin","transforms.stamp.static.value":"bench",
  "transforms.rename.type":"org.apache.kafka.connect.transforms.ReplaceField$Value",
  "transforms.rename.renames":"name:label",
  "transforms.cast.type":"org.apache.kafka.connect.transforms.Cast$Value",
  "transforms.cast.spec":"id:string"'

rates=(); rss=(); base=()
for i in $(seq 1 "$runs"); do
  port=$(free_port)
  rm -f "$work/offsets.json"
  write_worker_properties "$work" "$port" "offset.flush.interval.ms=100" "embedded.bus.pass.records=false"
  "$sluice" standalone "$work/worker.properties" 2>"$work/worker.log" &
  pid=$!
  wait_http "http://127.0.0.1:${port}/" 10
  api="http://127.0.0.1:${port}/connectors"
  curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' "$api" \
    -d '{"name":"null","config":{"connector.class":"NullSink","topics":"bench"}}'
  start=$(now_ns)
  curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' "$api" -d "{\"name\":\"synthetic\",\"config\":{
    \"connector.class\":\"SyntheticSource\",\"topic\":\"bench\",\"count\":\"${count}\",\"record.size\":\"${size}\",
    ${transforms}}}"
  while true; do
    done_count=$(curl -fs "$api/null/offsets" | grep -o '"kafka_offset":[0-9]*' | cut -d: -f2 || true)
    [ -n "$done_count" ] && [ "$done_count" -ge "$count" ] && break
    sleep 0.02
  done
  end=$(now_ns)
  rates+=("$(( count * 1000000000 / (end - start) ))")
  rss+=("$(hwm_kb "$pid")")
  kill -TERM "$pid"; wait "$pid" || true
  pid=""
  base+=("$("${root}/build/bin/bench_transform_convert" "$count" "$size")")
done

r=$(median "${rates[@]}"); m=$(median "${rss[@]}"); b=$(median "${base[@]}")
awk -v r="$r" -v b="$b" -v n="$count" -v k="$runs" 'BEGIN {
  printf "pipeline, 1 source task + 1 sink task, %d records (median of %d): %.0f records/s; same work in a plain loop: %.0f records/s; ratio %.3f\n", n, k, r, b, r/b }'
awk -v m="$m" 'BEGIN { printf "peak RSS of the worker during the run (median): %.1f MB\n", m/1024 }'
