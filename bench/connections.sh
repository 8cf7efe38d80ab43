#!/usr/bin/env bash
# 1,000 concurrent keep-alive connections, cppgateway (direct calls) against the Go peer side by
# side, on a fresh server each:
# - idle: idle_connections.py opens 1,000 connections, gets one answer on each, holds them idle
#   and reports the server's RSS per idle connection;
# - busy: wrk -t2 -c1000 -d5s --timeout 5s on GET /v1/users/42, alternating sides, 3 runs:
#   requests/s, p50, p99 and the slowest request (wrk's Max, the slowest connection's worst
#   latency), and any connect, read, write or timeout errors (there must be none).
#
#   bench/connections.sh [runs] [connections]   (default 3 runs of 1000; 127.0.0.1 only, bounded)
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
runs=${1:-3}
connections=${2:-1000}
build_all
ulimit -n "$(ulimit -Hn)"  # clients and servers each hold one descriptor per connection

start cppgateway "$build/bench/bench_server" 127.0.0.1:0 --service=callback --direct-calls
start peer "$PEER_HOME/bin/peer" -addr 127.0.0.1:0
declare -A pid=([cppgateway]=${pids[0]} [peer]=${pids[1]})
declare -A port=([cppgateway]=$(wait_for_port cppgateway "$ours_port_sed")
  [peer]=$(wait_for_port peer "$peer_port_sed"))

echo "# $connections keep-alive connections: idle RSS, then wrk -t2 -c$connections -d5s; $(machine)"
declare -A idle
for side in cppgateway peer; do
  curl -sf -o /dev/null "http://127.0.0.1:${port[$side]}/v1/users/42"  # first-call work
  echo "## $side idle"
  timeout 60 /usr/bin/python3 bench/idle_connections.py "${port[$side]}" "${pid[$side]}" \
    "$connections" | tee "$logs/idle-$side"
  idle[$side]=$(sed -n 's/.*per_connection_kib=\([0-9.-]*\).*/\1/p' "$logs/idle-$side")
done

for run in $(seq "$runs"); do
  for side in cppgateway peer; do
    out=$(timeout 60 wrk -t2 -c"$connections" -d5s --timeout 5s --latency \
      "http://127.0.0.1:${port[$side]}/v1/users/42")
    rps=$(awk '/^Requests\/sec/ {print $2}' <<< "$out")
    p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
    p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
    max=$(awk '$1 == "Latency" {print $4}' <<< "$out")
    errors=$(grep -E 'Non-2xx|Socket errors' <<< "$out" | tr '\n' ' ' || true)
    echo "$run $side $rps $p50 $p99 $max" >> "$logs/results"
    printf 'run %d %-10s %9s req/s  p50 %-8s p99 %-8s max %-8s %s\n' "$run" "$side" "$rps" \
      "$p50" "$p99" "$max" "${errors:-no errors}"
  done
done

column() { awk -v s="$1" -v f="$2" '$2==s {print $f}' "$logs/results" | if [ "$2" = 3 ]; then cat; else to_ms; fi | median; }
echo
echo "# median of $runs runs; latencies in ms; $(machine)"
printf '%-10s %10s %8s %8s %9s %14s\n' side 'req/s' p50 p99 'max' 'KiB/idle conn'
for side in cppgateway peer; do
  printf '%-10s %10s %8s %8s %9s %14s\n' "$side" "$(column "$side" 3)" "$(column "$side" 4)" \
    "$(column "$side" 5)" "$(column "$side" 6)" "${idle[$side]}"
done
printf 'ratio: %.2fx requests/s\n' "$(ratio "$(column cppgateway 3)" "$(column peer 3)")"
