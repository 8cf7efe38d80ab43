#!/usr/bin/env bash
# Server streaming throughput: messages/s of short, unpaced streams, cppgateway against the Go
# peer side by side: cppgateway with direct calls (the callback service called by the gateway
# itself) and through gRPC's in-process channel. S concurrent streams (one connection each), each GET
# /v1/ticks?count=1000&interval_ms=0 with Accept: text/event-stream (the peer answers NDJSON, as
# grpc-gateway v1 does), all driven by stream_client; the rate is every message delivered over
# the time from the first connect to the last stream's end. Every stream must end cleanly with
# its 1,000 messages.
#
#   bench/stream_rate.sh [runs] [streams]   (default 3 alternating runs of 64 streams;
#                                             127.0.0.1 only, bounded by timeouts)
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
runs=${1:-3}
streams=${2:-64}
count=1000
build_all

start direct "$build/bench/bench_server" 127.0.0.1:0 --service=callback --direct-calls
start channel "$build/bench/bench_server" 127.0.0.1:0
start peer "$PEER_HOME/bin/peer" -addr 127.0.0.1:0
sides=(direct channel peer)
declare -A pid=([direct]=${pids[0]} [channel]=${pids[1]} [peer]=${pids[2]})
declare -A port=([direct]=$(wait_for_port direct "$ours_port_sed")
  [channel]=$(wait_for_port channel "$ours_port_sed") [peer]=$(wait_for_port peer "$peer_port_sed"))

# stream_client's result line for one run on SIDE.
measure() {
  timeout 120 "$build/bench/stream_client" --port="${port[$1]}" --server-pid="${pid[$1]}" \
    --streams="$streams" --count=$count --interval-ms=0 --opening="$streams" |
    sed -n 's/^result //p'
}
for side in "${sides[@]}"; do measure "$side" > /dev/null; done  # warm up

echo "# Server streaming: $streams streams x $count messages, unpaced (interval_ms=0), SSE"
echo "# (the peer: NDJSON); $runs alternating runs; $(machine)"
for run in $(seq "$runs"); do
  for side in "${sides[@]}"; do
    result=$(measure "$side")
    declare -A r=()
    for field in $result; do r[${field%%=*}]=${field#*=}; done
    echo "$run $side ${r[messages_per_s]:-0} ${r[complete]:-0} ${r[delivered]:-0}" >> "$logs/results"
    printf 'run %d %-10s %9s messages/s  %s/%s streams complete, %s messages\n' "$run" "$side" \
      "${r[messages_per_s]:-0}" "${r[complete]:-0}" "$streams" "${r[delivered]:-0}"
  done
done

declare -A rate=()
for side in "${sides[@]}"; do rate[$side]=$(awk -v side="$side" '$2==side {print $3}' "$logs/results" | median); done
echo
echo "# median of $runs runs; $(machine)"
for side in direct channel; do
  printf 'messages/s: cppgateway %-7s %s, peer %s, ratio %.2fx\n' "$side" "${rate[$side]}" \
    "${rate[peer]}" "$(ratio "${rate[$side]}" "${rate[peer]}")"
done
printf 'RSS after: cppgateway direct %.1f MiB, channel %.1f MiB, peer %.1f MiB\n' \
  "$(echo "$(rss_kib "${pid[direct]}") / 1024" | bc -l)" \
  "$(echo "$(rss_kib "${pid[channel]}") / 1024" | bc -l)" \
  "$(echo "$(rss_kib "${pid[peer]}") / 1024" | bc -l)"
