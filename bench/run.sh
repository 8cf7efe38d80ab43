#!/usr/bin/env bash
# Unary REST: throughput, latency and memory of cppgateway against the Go grpc-gateway + cmux peer
# (shared/peers/grpc-gateway-go), side by side in one run on this machine: the same API, the same
# requests, the same wrk settings, alternating sides so drift hits both.
#
#   bench/run.sh [runs]     (default 3 runs of 5 s per endpoint and side; 127.0.0.1 only, bounded)
#
# Prints one line per run and a summary: median requests/s, median p50 latency, RSS after the load,
# and the ratio cppgateway / peer.
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
runs=${1:-3}
build_all

start cppgateway "$build/bench/bench_server" 127.0.0.1:0
ours_pid=$started_pid
start peer "$PEER_HOME/bin/peer" -addr 127.0.0.1:0
peer_pid=$started_pid
ours_port=$(wait_for_port cppgateway "$ours_port_sed")
peer_port=$(wait_for_port peer "$peer_port_sed")

declare -A port=([cppgateway]=$ours_port [peer]=$peer_port)
for side in cppgateway peer; do  # warm up: connections, gateway channels, caches
  curl -sf -o /dev/null "http://127.0.0.1:${port[$side]}/v1/users/42"
  timeout 10 wrk -t1 -c16 -d1s "http://127.0.0.1:${port[$side]}/v1/users/42" > /dev/null
done

echo "# Unary REST: cppgateway (in-process service) vs Go grpc-gateway v1.6.4 + cmux (grpc-go 1.33)"
echo "# GET /v1/users/42 and POST /v1/users, wrk -t1 -c16 -d5s, $runs alternating runs; $(machine)"
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
rss=("$(rss_kib "$ours_pid")" "$(rss_kib "$peer_pid")")

echo
echo "# median of $runs runs; p50 latency in ms; RSS after the load in MiB; $(machine)"
printf '%-10s %14s %14s %8s %10s %10s %8s\n' endpoint cppgateway peer ratio "p50 ours" "p50 peer" ratio
for endpoint in get_user post_user; do
  ours=$(awk -v e=$endpoint '$2==e && $3=="cppgateway" {print $4}' "$logs/results" | median)
  peer=$(awk -v e=$endpoint '$2==e && $3=="peer" {print $4}' "$logs/results" | median)
  ours_p50=$(awk -v e=$endpoint '$2==e && $3=="cppgateway" {print $5}' "$logs/results" | to_ms | median)
  peer_p50=$(awk -v e=$endpoint '$2==e && $3=="peer" {print $5}' "$logs/results" | to_ms | median)
  printf '%-10s %10s r/s %10s r/s %7.2fx %8s ms %8s ms %7.2fx\n' "$endpoint" "$ours" "$peer" \
    "$(ratio "$ours" "$peer")" "$ours_p50" "$peer_p50" "$(ratio "$ours_p50" "$peer_p50")"
done
printf 'RSS        %10.1f MiB %10.1f MiB %7.2fx\n' "$(echo "${rss[0]} / 1024" | bc -l)" \
  "$(echo "${rss[1]} / 1024" | bc -l)" "$(ratio "${rss[0]}" "${rss[1]}")"
