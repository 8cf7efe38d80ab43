#!/usr/bin/env bash
# Soak under hostile load: legitimate REST unary, REST streaming and gRPC clients at full load on
# one server, first alone (the baseline, a third of the time), then for the full time beside
# hostile clients on the same port: slowloris heads and bodies, non-readers, idle HTTP/2
# prefaces, JSON bombs, resets in the middle of answers (bench/soak_client.cc says what each
# does). Every legitimate request is checked to the byte. It prints the failed legitimate
# requests (there must be none), their p99 with attackers against the baseline, how the server
# ended each kind of hostile connection, and the server's RSS and threads at the start, at the
# peak and at the end, and whatever it wrote besides its port (there must be nothing).
#
#   bench/soak.sh [seconds]   (default 60; 127.0.0.1 only, bounded; exits 1 if a legitimate
#                              request failed or the server wrote anything)
#
# The server is bench_server with --grpc-idle-ms=10000: an idle gRPC connection is closed after
# 10 s instead of 5 min, so that the idle HTTP/2 prefaces are closed within the run. Its other
# limits are ServerOptions' defaults (read and write timeouts 5 s).
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
seconds=${1:-60}
baseline=$(((seconds + 2) / 3))
build_ours

start soak-server "$build/bench/bench_server" 127.0.0.1:0 --grpc-idle-ms=10000
port=$(wait_for_port soak-server "$ours_port_sed")
server_pid=$started_pid
client=("$build/bench/soak_client" --port="$port" --server-pid="$server_pid")
threads() { awk '/^Threads:/ {print $2}' "/proc/$1/status"; }
# "name xcount, ..." of a process's threads.
thread_names() {
  cat "/proc/$1"/task/*/comm | sort | uniq -c \
    | awk '{n = $1; $1 = ""; printf "%s%s x%s", sep, substr($0, 2), n; sep = ", "}'
}

echo "# Soak: REST GET+POST on 4 connections, REST streams of 20 messages on 4, gRPC GetUser on 4"
echo "# channels, at full load; ${baseline} s alone, then ${seconds} s beside 32 hostile connections"
echo "# of each kind (4 of each JSON bomb); $(machine); open files $(ulimit -n)"
# Warm-up, so that the start includes what the first requests set up (gRPC's lazy pools).
timeout 60 "${client[@]}" --seconds=3 --hostile=0 --bombs=0 > /dev/null || true
sleep 1
rss_start=$(rss_kib "$server_pid")
threads_start=$(threads "$server_pid")
names_start=$(thread_names "$server_pid")

echo
echo "## baseline: ${baseline} s without attackers; $(machine)"
timeout $((baseline + 60)) "${client[@]}" --seconds="$baseline" --hostile=0 --bombs=0 \
  | tee "$logs/baseline" || true
echo
echo "## soak: ${seconds} s with attackers; $(machine)"
timeout $((seconds + 60)) "${client[@]}" --seconds="$seconds" | tee "$logs/soak" || true
# The end: once the load has stopped and the server has seen its connections go.
sleep 5
rss_end=$(rss_kib "$server_pid")
threads_end=$(threads "$server_pid")
names_end=$(thread_names "$server_pid")
server_output=$(grep -v '^listening on ' "$logs/soak-server.log" || true)

# result KIND done=.. failed=.. p50_ms=.. p99_ms=..: FIELD of KIND in FILE.
field() { sed -n "s/^result $2 .*$3=\([0-9.]*\).*/\1/p" "$logs/$1"; }
echo
echo "# Summary ($(machine))"
failed=0
printf '%-12s %8s %6s %10s %13s %6s %7s %9s\n' kind "done" "failed" "p99 alone" "p99 attacked" \
  ratio "> 1 s" "max"
for kind in rest_get rest_post rest_stream grpc_unary; do
  for run in baseline soak; do
    f=$(field "$run" "$kind" failed)
    failed=$((failed + ${f:-1}))  # no figure at all: the client did not finish
  done
  alone=$(field baseline "$kind" p99_ms)
  attacked=$(field soak "$kind" p99_ms)
  printf '%-12s %8s %6s %7.2f ms %10.2f ms %5.1fx %7s %6.0f ms\n' "$kind" \
    "$(field soak "$kind" "done")" "$(field soak "$kind" failed)" "${alone:-0}" "${attacked:-0}" \
    "$(ratio "${attacked:-0}" "${alone:-1}")" "$(field soak "$kind" over_1s)" \
    "$(field soak "$kind" max_ms)"
done
peak=$(sed -n 's/^result server rss_peak_kib=\([0-9]*\).*/\1/p' "$logs/soak")
threads_peak=$(sed -n 's/^result server .*threads_peak=\([0-9]*\).*/\1/p' "$logs/soak")
printf 'server RSS:     start %.1f MiB, peak %.1f MiB (sampled once a second), end %.1f MiB\n' \
  "$(ratio "$rss_start" 1024)" "$(ratio "${peak:-0}" 1024)" "$(ratio "$rss_end" 1024)"
echo "server threads: start $threads_start, peak ${threads_peak:-?}, end $threads_end"
echo "  start: $names_start"
echo "  end:   $names_end"
if [ "$failed" -eq 0 ]; then
  echo "legitimate requests failed: 0 (baseline and soak)"
else
  echo "!!! LEGITIMATE REQUESTS FAILED: $failed (baseline and soak; see FAILED above) !!!"
fi
if [ -z "$server_output" ]; then
  echo "server output besides its port: none"
else
  echo "!!! THE SERVER WROTE (stdout and stderr, besides its port): !!!"
  echo "$server_output" | head -50
fi
[ "$failed" -eq 0 ] && [ -z "$server_output" ]
