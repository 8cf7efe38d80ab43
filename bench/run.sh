#!/usr/bin/env bash
# REST throughput, latency and memory of cppgateway against the Go grpc-gateway + cmux peer
# (shared/peers/grpc-gateway-go), side by side in one run on this machine: the same API, the same
# requests, the same wrk settings, alternating sides so drift hits both.
#
#   bench/run.sh [runs]     (default 3 runs of 5 s per endpoint and side; 127.0.0.1 only, bounded)
#
# Prints one line per run and a summary: median requests/s, median p50 latency, RSS after the load,
# and the ratio cppgateway / peer.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
peer_dir=$(cd ../shared/peers/grpc-gateway-go && pwd)
command -v wrk > /dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -qq wrk; }

scripts/install-deps.sh
build=${BUILD_DIR:-build-bench}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCPPGATEWAY_BUILD_BENCH=ON \
  -DCPPGATEWAY_BUILD_TESTS=OFF -DCPPGATEWAY_BUILD_EXAMPLES=OFF > /dev/null
cmake --build "$build" --target bench_server -j"$(nproc)" > /dev/null
export PEER_HOME=${PEER_HOME:-/tmp/grpc-gateway-go-peer}
[ -x "$PEER_HOME/bin/peer" ] || "$peer_dir/build.sh" > /tmp/grpc-gateway-go-peer-build.log 2>&1

logs=$(mktemp -d)
pids=()
stop_all() { for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; done; }
trap stop_all EXIT

# Starts "$@" with output to $1.log and waits (10 s at most) for the port it reports.
wait_for_port() {  # log-file sed-expression
  for _ in $(seq 100); do
    port=$(sed -n "$2" "$1" | head -1)
    [ -n "$port" ] && { echo "$port"; return 0; }
    sleep 0.1
  done
  echo "no port in $1:" >&2; cat "$1" >&2; return 1
}
"$build/bench/bench_server" 127.0.0.1:0 > "$logs/cppgateway.log" 2>&1 &
pids+=($!); ours_pid=$!
"$PEER_HOME/bin/peer" -addr 127.0.0.1:0 > "$logs/peer.log" 2>&1 &
pids+=($!); peer_pid=$!
ours_port=$(wait_for_port "$logs/cppgateway.log" 's/^listening on //p')
peer_port=$(wait_for_port "$logs/peer.log" 's/.*peer listening on 127.0.0.1:\([0-9]*\).*/\1/p')

declare -A port=([cppgateway]=$ours_port [peer]=$peer_port) pid=([cppgateway]=$ours_pid [peer]=$peer_pid)
for side in cppgateway peer; do  # warm up: connections, gateway channels, caches
  curl -sf -o /dev/null "http://127.0.0.1:${port[$side]}/v1/users/42"
  timeout 10 wrk -t1 -c16 -d1s "http://127.0.0.1:${port[$side]}/v1/users/42" > /dev/null
done

echo "# cppgateway vs Go grpc-gateway v1.6.4 + cmux (grpc-go 1.33): wrk -t1 -c16 -d5s, $(nproc) cores shared"
for run in $(seq "$runs"); do
  for endpoint in get_user post_user; do
    for side in cppgateway peer; do
      url="http://127.0.0.1:${port[$side]}/v1/users"
      args=()
      if [ "$endpoint" = get_user ]; then url="$url/42"; else args=(-s bench/post_user.lua); fi
      out=$(timeout 30 wrk -t1 -c16 -d5s --latency "${args[@]}" "$url")
      rps=$(awk '/^Requests\/sec/ {print $2}' <<< "$out")
      p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
      errors=$(grep -E 'Non-2xx|Socket errors' <<< "$out" | tr '\n' ' ' || true)
      echo "$run $endpoint $side $rps $p50 $errors" >> "$logs/results"
      printf 'run %d %-9s %-10s %9s req/s  p50 %-8s %s\n' "$run" "$endpoint" "$side" "$rps" "$p50" "$errors"
    done
  done
done
rss=()
for side in cppgateway peer; do
  rss[${#rss[@]}]=$(awk '/VmRSS/ {print $2}' "/proc/${pid[$side]}/status")
done

echo
echo "# median of $runs runs; p50 latency in ms; RSS after the load in MiB"
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
to_ms() { sed -E 's/([0-9.]+)us/\1 0.001/; s/([0-9.]+)ms/\1 1/; s/([0-9.]+)s$/\1 1000/' | awk '{printf "%.3f\n", $1*$2}'; }
printf '%-10s %14s %14s %8s %10s %10s %8s\n' endpoint cppgateway peer ratio "p50 ours" "p50 peer" ratio
for endpoint in get_user post_user; do
  ours=$(awk -v e=$endpoint '$2==e && $3=="cppgateway" {print $4}' "$logs/results" | median)
  peer=$(awk -v e=$endpoint '$2==e && $3=="peer" {print $4}' "$logs/results" | median)
  ours_p50=$(awk -v e=$endpoint '$2==e && $3=="cppgateway" {print $5}' "$logs/results" | to_ms | median)
  peer_p50=$(awk -v e=$endpoint '$2==e && $3=="peer" {print $5}' "$logs/results" | to_ms | median)
  printf '%-10s %10s r/s %10s r/s %7.2fx %8s ms %8s ms %7.2fx\n' "$endpoint" "$ours" "$peer" \
    "$(echo "$ours / $peer" | bc -l)" "$ours_p50" "$peer_p50" "$(echo "$ours_p50 / $peer_p50" | bc -l)"
done
printf 'RSS        %10.1f MiB %10.1f MiB %7.2fx\n' "$(echo "${rss[0]} / 1024" | bc -l)" \
  "$(echo "${rss[1]} / 1024" | bc -l)" "$(echo "${rss[0]} / ${rss[1]}" | bc -l)"
