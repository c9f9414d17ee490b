# Shared helpers for the benchmark scripts (sourced).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sluice="${root}/build/bin/sluice"
plugins="${root}/build/plugins"

now_ns() { date +%s%N; }

# median of the numbers given as arguments
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

free_port() { python3 - 2>/dev/null <<'PY' || echo $((20000 + RANDOM % 20000))
import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])
PY
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }

# write_worker_properties <dir> <port> [extra lines...]
write_worker_properties() {
  local dir="$1" port="$2"
  shift 2
  {
    echo "listeners=http://127.0.0.1:${port}"
    echo "plugin.path=${plugins}"
    echo "key.converter=org.apache.kafka.connect.json.JsonConverter"
    echo "value.converter=org.apache.kafka.connect.json.JsonConverter"
    echo "offset.storage.file.filename=${dir}/offsets.json"
    echo "offset.flush.interval.ms=1000"
    for line in "$@"; do echo "$line"; done
  } >"${dir}/worker.properties"
}

wait_http() {  # wait_http <url> <timeout seconds>
  local deadline=$(( $(date +%s) + $2 ))
  until curl -fs -o /dev/null "$1"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.001
  done
}
