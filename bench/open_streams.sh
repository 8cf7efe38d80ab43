#!/usr/bin/env bash
# Open streams: thousands of idle SSE subscribers on one server, each receiving one message a
# second (GET /v1/ticks?count=C&interval_ms=1000, Accept: text/event-stream; the service paces
# them with grpc::Alarms, no thread per stream). For each step of the ramp, on a fresh server:
# every message delivered, the server's threads before and with all streams open, and its RSS per
# open stream = (RSS all open - RSS before) / N. The Go peer (a goroutine per stream) is measured
# the same way, for reference.
#
#   bench/open_streams.sh [streams...]   (default 1000 10000; COUNT=20 messages per stream,
#                                         SIDES="cppgateway peer"; 127.0.0.1 only, bounded)
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
steps=("$@")
[ $# -gt 0 ] || steps=(1000 10000)
count=${COUNT:-20}
sides=${SIDES:-cppgateway peer}
build_all
ulimit -n "$(ulimit -Hn)"  # the server holds one socket per stream too

echo "# Open streams: N idle SSE subscribers, $count messages each, one a second; ramp ${steps[*]}"
echo "# stream_client: one thread, epoll, 256 connections opening at a time; a fresh server per step"
for n in "${steps[@]}"; do
  for side in $sides; do
    if [ "$side" = cppgateway ]; then
      start "$side-$n" "$build/bench/bench_server" 127.0.0.1:0
      port=$(wait_for_port "$side-$n" "$ours_port_sed")
    else
      start "$side-$n" "$PEER_HOME/bin/peer" -addr 127.0.0.1:0
      port=$(wait_for_port "$side-$n" "$peer_port_sed")
    fi
    server_pid=$started_pid
    client=("$build/bench/stream_client" --port="$port" --server-pid="$server_pid")
    # Warm up, so that "before" includes what any first streams start (gRPC's lazy thread pools).
    timeout 30 "${client[@]}" --streams=100 --count=3 --interval-ms=200 > /dev/null
    echo
    echo "## $side, $n streams; $(machine)"
    timeout $((count + 120)) "${client[@]}" --streams="$n" --count="$count" --interval-ms=1000 \
      | tee "$logs/client" || true
    result=$(sed -n 's/^result //p' "$logs/client")
    [ -z "$result" ] || echo "$side $result" >> "$logs/results"
    stop "$server_pid"
  done
done

echo
echo "# per step: RSS in MiB, per stream in KiB; threads before -> all open; delivered/expected"
printf '%-10s %6s %7s %9s %9s %10s %9s %7s %15s\n' side streams open_s "RSS bef" "RSS open" \
  "KiB/strm" threads "CPU %" delivered
while read -r side fields; do
  declare -A r=()
  for field in $fields; do r[${field%%=*}]=${field#*=}; done
  printf '%-10s %6s %7s %9.1f %9.1f %10s %4s->%-4s %7s %7s/%-7s\n' "$side" "${r[streams]}" \
    "${r[open_s]}" "$(echo "${r[rss_before_kib]} / 1024" | bc -l)" \
    "$(echo "${r[rss_open_kib]} / 1024" | bc -l)" "${r[per_stream_kib]}" "${r[threads_before]}" \
    "${r[threads_open]}" "${r[cpu_percent]}" "${r[delivered]}" "${r[expected]}"
done < "$logs/results"
