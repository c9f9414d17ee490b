# Shared helpers for the benchmark scripts (sourced).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SLUICE_BUILD_DIR:-${root}/build}"  # SLUICE_BUILD_DIR: another build directory
sluice="${build}/bin/sluice"
plugins="${build}/plugins"

now_ns() { date +%s%N; }

# median of the numbers given as arguments
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

free_port() { python3 - 2>/dev/null <<'PY' || echo $((20000 + RANDOM % 20000))
import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])
PY
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
# cpu_seconds <pid>: user + system CPU time of a live process.
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"; }

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

# wait_offsets <url> <count> <timeout seconds>: polls a sink connector's GET .../offsets until its
# highest kafka_offset reaches count, then prints the time (date +%s%N) it saw that. One python
# process for the whole wait (no curl/grep forks every poll: that CPU would be taken from the
# worker being measured). Fails after the timeout.
wait_offsets() {
  python3 - "$@" <<'PY'
import http.client, json, sys, time, urllib.parse
url, count, timeout = urllib.parse.urlsplit(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
deadline = time.monotonic() + timeout
while time.monotonic() < deadline:
    try:
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
        conn.request("GET", url.path)
        body = conn.getresponse().read()
        conn.close()
        offsets = [o.get("offset", {}).get("kafka_offset", -1) for o in json.loads(body).get("offsets", [])]
        if offsets and max(offsets) >= count:
            print(time.time_ns())
            sys.exit(0)
    except (OSError, ValueError, http.client.HTTPException):
        pass
    time.sleep(0.05)
sys.exit(1)
PY
}

