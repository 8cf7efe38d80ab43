#!/usr/bin/env bash
# Slow backend, side by side: both gateways in proxy mode in front of the SAME gRPC backend, the Go
# peer with -unary-delay 100ms (GetUser waits 100 ms before answering). 256 connections can at best
# get 2,560 requests/s through; a gateway that holds a thread per call gets far fewer.
#
#   backend:     peer -unary-delay 100ms                       (gRPC, 127.0.0.1)
#   cppgateway:  bench_server --backend=127.0.0.1:<backend>    (REST -> remote gRPC)
#   peer:        peer -gateway-target 127.0.0.1:<backend>      (grpc-gateway -> remote gRPC)
#
#   bench/slow_backend.sh [runs] [seconds]   (default 3 alternating runs of 10 s per side)
#
# Prints each run (requests/s, p50, p99, CPU used by the gateway) and the medians with ratios.
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
runs=${1:-3}
seconds=${2:-10}
build_all

start backend "$PEER_HOME/bin/peer" -addr 127.0.0.1:0 -unary-delay 100ms
backend_port=$(wait_for_port backend "$peer_port_sed")
start cppgateway "$build/bench/bench_server" 127.0.0.1:0 --backend=127.0.0.1:"$backend_port"
ours_pid=$started_pid
start peer "$PEER_HOME/bin/peer" -addr 127.0.0.1:0 -gateway-target 127.0.0.1:"$backend_port"
peer_pid=$started_pid
ours_port=$(wait_for_port cppgateway "$ours_port_sed")
peer_port=$(wait_for_port peer "$peer_port_sed")
declare -A port=([cppgateway]=$ours_port [peer]=$peer_port) pid=([cppgateway]=$ours_pid [peer]=$peer_pid)

wrk_args=(-t2 -c256 --latency --timeout 5s)
for side in cppgateway peer; do  # warm up: 256 connections, the gateway's channel to the backend
  curl -sf -o /dev/null "http://127.0.0.1:${port[$side]}/v1/users/42"
  timeout 20 wrk "${wrk_args[@]}" -d2s "http://127.0.0.1:${port[$side]}/v1/users/42" > /dev/null
done

echo "# Slow backend: both gateways in proxy mode before one Go backend with -unary-delay 100ms"
echo "# GET /v1/users/42, wrk ${wrk_args[*]} -d${seconds}s, $runs alternating runs (ideal 2560 req/s)"
echo "# $(machine)"
for run in $(seq "$runs"); do
  for side in cppgateway peer; do
    cpu_before=$(cpu_seconds "${pid[$side]}")
    out=$(timeout $((seconds + 30)) wrk "${wrk_args[@]}" -d"${seconds}s" \
      "http://127.0.0.1:${port[$side]}/v1/users/42")
    cpu=$(echo "($(cpu_seconds "${pid[$side]}") - $cpu_before) * 100 / $seconds" | bc -l)
    rps=$(awk '/^Requests\/sec/ {print $2}' <<< "$out")
    p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
    p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
    errors=$(grep -E 'Non-2xx|Socket errors' <<< "$out" | tr '\n' ' ' || true)
    echo "$side $rps $(to_ms <<< "$p50") $(to_ms <<< "$p99") $cpu" >> "$logs/results"
    printf 'run %d %-10s %8s req/s  p50 %-8s p99 %-8s gateway CPU %3.0f %%  %s\n' \
      "$run" "$side" "$rps" "$p50" "$p99" "$cpu" "$errors"
  done
done

echo
echo "# median of $runs runs; latency in ms; gateway CPU in % of one core; $(machine)"
median_of() { awk -v s="$1" -v c="$2" '$1 == s {print $c}' "$logs/results" | median; }
printf '%-12s %12s %12s %8s\n' "" cppgateway peer ratio
for metric in "req/s 2" "p50 3" "p99 4" "CPU 5"; do
  read -r name col <<< "$metric"
  ours=$(median_of cppgateway "$col")
  peer=$(median_of peer "$col")
  printf '%-12s %12.1f %12.1f %7.2fx\n' "$name" "$ours" "$peer" "$(ratio "$ours" "$peer")"
done
printf '%-12s %12.1f %12.1f  (MiB after the load)\n' RSS "$(echo "$(rss_kib "$ours_pid") / 1024" | bc -l)" \
  "$(echo "$(rss_kib "$peer_pid") / 1024" | bc -l)"
