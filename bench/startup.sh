#!/usr/bin/env bash
# Startup to first answered GET / and idle RSS with the file connectors loaded, against a baseline
# measured in the same run: the JDK's minimal built-in HTTP server (the floor under any JVM worker
# such as Kafka Connect) started the same way. Medians of RUNS runs.
source "$(dirname "$0")/common.sh"
runs="${RUNS:-11}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! command -v javac >/dev/null; then
  echo "installing a JDK for the baseline (default-jdk-headless)" >&2
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo
  $sudo_cmd apt-get install -y -qq default-jdk-headless >/dev/null
fi
javac -d "$work" "$(dirname "$0")/baselines/MinimalHttpServer.java"

sluice_ms=(); sluice_rss=(); jvm_ms=(); jvm_rss=()
for i in $(seq 1 "$runs"); do
  port=$(free_port)
  write_worker_properties "$work" "$port"
  start=$(now_ns)
  "$sluice" standalone "$work/worker.properties" 2>"$work/worker.log" &
  pid=$!
  wait_http "http://127.0.0.1:${port}/" 10
  end=$(now_ns)
  sluice_ms+=("$(( (end - start) / 1000 ))")
  # Idle with a file source and a file sink defined and running.
  : >"$work/in.txt"
  curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' "http://127.0.0.1:${port}/connectors" \
    -d "{\"name\":\"src\",\"config\":{\"connector.class\":\"FileStreamSource\",\"file\":\"$work/in.txt\",\"topic\":\"t\"}}"
  curl -fs -o /dev/null -X POST -H 'Content-Type: application/json' "http://127.0.0.1:${port}/connectors" \
    -d "{\"name\":\"sink\",\"config\":{\"connector.class\":\"FileStreamSink\",\"file\":\"$work/out.txt\",\"topics\":\"t\"}}"
  sleep 1
  sluice_rss+=("$(rss_kb "$pid")")
  kill -TERM "$pid"; wait "$pid" || true
  rm -f "$work/offsets.json"

  port=$(free_port)
  start=$(now_ns)
  java -cp "$work" MinimalHttpServer "$port" &
  pid=$!
  wait_http "http://127.0.0.1:${port}/" 30
  end=$(now_ns)
  jvm_ms+=("$(( (end - start) / 1000 ))")
  sleep 1
  jvm_rss+=("$(rss_kb "$pid")")
  kill "$pid"; wait "$pid" 2>/dev/null || true
done

s_start=$(median "${sluice_ms[@]}"); j_start=$(median "${jvm_ms[@]}")
s_rss=$(median "${sluice_rss[@]}"); j_rss=$(median "${jvm_rss[@]}")
awk -v s="$s_start" -v j="$j_start" -v r="$runs" 'BEGIN {
  printf "startup to first GET / answer (median of %d): sluice %.1f ms, minimal JVM HTTP server %.1f ms, ratio %.3f (target < 100 ms)\n", r, s/1000, j/1000, s/j }'
awk -v s="$s_rss" -v j="$j_rss" 'BEGIN {
  printf "idle RSS with file connectors running (median): sluice %.1f MB, minimal JVM HTTP server %.1f MB, ratio %.3f (target < 20 MB)\n", s/1024, j/1024, s/j }'
