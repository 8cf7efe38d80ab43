# shellcheck shell=bash disable=SC2034  # the variables here are used by the scripts that source it
# Sourced by the bench scripts: the build, the Go peer, background processes stopped by PID on
# exit, medians. Runs from the repository's root.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
peer_dir=$(cd ../shared/peers/grpc-gateway-go && pwd)
build=${BUILD_DIR:-build-bench}
export PEER_HOME=${PEER_HOME:-/tmp/grpc-gateway-go-peer}
logs=$(mktemp -d)

# Builds bench_server, stream_client, soak_client and micro_bench (Release, own build dir, JOBS
# parallel jobs, default 2).
build_ours() {
  scripts/install-deps.sh
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCPPGATEWAY_BUILD_BENCH=ON \
    -DCPPGATEWAY_BUILD_TESTS=OFF -DCPPGATEWAY_BUILD_EXAMPLES=OFF > /dev/null
  cmake --build "$build" --target bench_server stream_client soak_client micro_bench -j"${JOBS:-2}" > /dev/null
}

# build_ours, then wrk and the Go peer if missing.
build_all() {
  command -v wrk > /dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq wrk; }
  build_ours
  [ -x "$PEER_HOME/bin/peer" ] || "$peer_dir/build.sh" > /tmp/grpc-gateway-go-peer-build.log 2>&1
}

# Every process started with `start` is stopped by its PID when the script exits.
pids=()
stop_all() { for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; done; }
trap stop_all EXIT

# start NAME COMMAND...: runs it in the background, output to $logs/NAME.log; sets $started_pid.
start() {
  local name=$1; shift
  "$@" > "$logs/$name.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
}

# stop PID: stops one process started with `start`.
stop() { kill "$1" 2> /dev/null || true; wait "$1" 2> /dev/null || true; }

# wait_for_port NAME SED-EXPRESSION: the port the process logs (10 s at most).
wait_for_port() {
  for _ in $(seq 100); do
    port=$(sed -n "$2" "$logs/$1.log" | head -1)
    [ -n "$port" ] && { echo "$port"; return 0; }
    sleep 0.1
  done
  echo "no port in $1's log:" >&2; cat "$logs/$1.log" >&2; return 1
}
ours_port_sed='s/^listening on //p'
peer_port_sed='s/.*peer listening on 127.0.0.1:\([0-9]*\).*/\1/p'

# What else the machine is doing: numbers from a busy machine are noisy.
machine() { echo "$(nproc) cores shared; load average $(cut -d' ' -f1-3 /proc/loadavg)"; }

# A process's RSS in KiB and its CPU time (user + system) in seconds.
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
peak_rss_kib() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{sub(/.*\) /, ""); print ($12 + $13) / hz}' "/proc/$1/stat"; }

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# wrk's latencies (850.00us, 1.20ms, 1.05s) in ms.
to_ms() { sed -E 's/([0-9.]+)us/\1 0.001/; s/([0-9.]+)ms/\1 1/; s/([0-9.]+)s$/\1 1000/' | awk '{printf "%.3f\n", $1*$2}'; }
ratio() { echo "$1 / $2" | bc -l; }
