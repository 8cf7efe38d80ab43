#!/usr/bin/env bash
# Unary REST: throughput, latency and memory of cppgateway against the Go grpc-gateway + cmux peer
# (shared/peers/grpc-gateway-go), side by side in one run on this machine: the same API, the same
# requests, the same wrk settings, alternating sides so drift hits both.
#
#   bench/run.sh [runs] [connections...]   (default 3 runs of 5 s per endpoint, side and
#                                            connection count, at 16 and 256 connections;
#                                            127.0.0.1 only, bounded)
#
# Sides: `direct` is cppgateway with callback methods and ServerOptions::direct_calls, one event
# loop per core (the default); `loop1` the same with one event loop, which leaves wrk a core of
# its own on a 2-core machine; `channel` is cppgateway with synchronous methods, called through
# gRPC's in-process channel; `peer` is the Go peer. Endpoints: GET /v1/users/42, POST /v1/users,
# POST /v1/echo with a large Everything, and `raw`: GET /raw/users/42 on the direct servers, the
# same answer as a fixed body with no transcoding and no call (the server's HTTP ceiling).
#
# Prints one line per run and a summary: median requests/s, p50 and p99, the server's RSS after
# the workload (the largest over its runs), the ratios to the peer (and of GET to the raw
# ceiling), and each server's RSS after the whole load and at its peak (VmHWM).
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
runs=${1:-3}
shift $(($# > 0 ? 1 : 0))
levels=("$@")
[ ${#levels[@]} -gt 0 ] || levels=(16 256)
build_all

start direct "$build/bench/bench_server" 127.0.0.1:0 --service=callback --direct-calls
direct_pid=$started_pid
start loop1 "$build/bench/bench_server" 127.0.0.1:0 --service=callback --direct-calls \
  --event-loops=1
loop1_pid=$started_pid
start channel "$build/bench/bench_server" 127.0.0.1:0 --service=sync
channel_pid=$started_pid
start peer "$PEER_HOME/bin/peer" -addr 127.0.0.1:0
peer_pid=$started_pid
declare -A port=([direct]=$(wait_for_port direct "$ours_port_sed")
  [loop1]=$(wait_for_port loop1 "$ours_port_sed") [channel]=$(wait_for_port channel "$ours_port_sed") [peer]=$(wait_for_port peer "$peer_port_sed"))
declare -A pid=([direct]=$direct_pid [loop1]=$loop1_pid [channel]=$channel_pid [peer]=$peer_pid)

# The target and wrk arguments of an endpoint.
target() {
  case $1 in
    get_user) echo "/v1/users/42" ;;
    post_user) echo "/v1/users -s bench/post_user.lua" ;;
    post_echo) echo "/v1/echo -s bench/post_echo.lua" ;;
    raw) echo "/raw/users/42" ;;
  esac
}
sides=(direct loop1 channel peer)
sides_of() { if [ "$1" = raw ]; then echo direct loop1; else echo "${sides[@]}"; fi; }

for side in "${sides[@]}"; do  # warm up: connections, gateway channels, caches
  curl -sf -o /dev/null "http://127.0.0.1:${port[$side]}/v1/users/42"
  timeout 10 wrk -t1 -c16 -d1s "http://127.0.0.1:${port[$side]}/v1/users/42" > /dev/null
done

echo "# Unary REST: cppgateway (direct calls, a loop per core and one loop; sync methods through"
echo "# the channel) vs Go grpc-gateway"
echo "# v1.6.4 + cmux (grpc-go 1.33); wrk -t1 -c{${levels[*]}} -d5s, $runs alternating runs;"
echo "# $(machine)"
endpoints=(get_user post_user post_echo raw)
for run in $(seq "$runs"); do
  for c in "${levels[@]}"; do
    for endpoint in "${endpoints[@]}"; do
      for side in $(sides_of "$endpoint"); do
        read -r path script <<< "$(target "$endpoint")"
        # shellcheck disable=SC2086  # script is "-s file" or nothing
        out=$(timeout 30 wrk -t1 -c"$c" -d5s --timeout 5s --latency $script \
          "http://127.0.0.1:${port[$side]}$path")
        rps=$(awk '/^Requests\/sec/ {print $2}' <<< "$out")
        p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
        p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
        errors=$(grep -E 'Non-2xx|Socket errors' <<< "$out" | tr '\n' ' ' || true)
        rss=$(rss_kib "${pid[$side]}")  # the server's, as this workload leaves it
        echo "$run $endpoint@$c $side $rps $p50 $p99 $rss $errors" >> "$logs/results"
        printf 'run %d %-13s %-8s %9s req/s  p50 %-8s p99 %-8s %s\n' "$run" "$endpoint@$c" \
          "$side" "$rps" "$p50" "$p99" "$errors"
      done
    done
  done
done
declare -A rss peak
for side in "${sides[@]}"; do
  rss[$side]=$(rss_kib "${pid[$side]}")
  peak[$side]=$(peak_rss_kib "${pid[$side]}")
done

# column ENDPOINT SIDE FIELD: the median of a field (4 req/s, 5 p50, 6 p99; latencies in ms).
column() {
  awk -v e="$1" -v s="$2" -v f="$3" '$2==e && $3==s {print $f}' "$logs/results" |
    if [ "$3" = 4 ]; then cat; else to_ms; fi | median
}
# rss_mib ENDPOINT SIDE: the largest RSS the server had after a run of the workload, in MiB.
rss_mib() {
  awk -v e="$1" -v s="$2" '$2==e && $3==s && $7 > max {max = $7} END {printf "%.1f", max / 1024}' \
    "$logs/results"
}

echo
echo "# median of $runs runs; latencies in ms; ratio = cppgateway / peer; $(machine)"
printf '%-13s %-8s %10s %8s %8s %8s %8s\n' endpoint side 'req/s' p50 p99 'RSS MiB' ratio
for c in "${levels[@]}"; do
  for endpoint in get_user post_user post_echo; do
    peer_rps=$(column "$endpoint@$c" peer 4)
    for side in "${sides[@]}"; do
      rps=$(column "$endpoint@$c" "$side" 4)
      printf '%-13s %-8s %10s %8s %8s %8s %7.2fx\n' "$endpoint@$c" "$side" "$rps" \
        "$(column "$endpoint@$c" "$side" 5)" "$(column "$endpoint@$c" "$side" 6)" \
        "$(rss_mib "$endpoint@$c" "$side")" "$(ratio "$rps" "$peer_rps")"
    done
  done
  for side in direct loop1; do
    raw_rps=$(column "raw@$c" "$side" 4)
    printf '%-13s %-8s %10s %8s %8s %8s\n' "raw@$c" "$side" "$raw_rps" \
      "$(column "raw@$c" "$side" 5)" "$(column "raw@$c" "$side" 6)" "$(rss_mib "raw@$c" "$side")"
    printf 'GET /v1/users/42 (%s) at %s connections is %.0f%% of its raw ceiling\n' "$side" "$c" \
      "$(echo "100 * $(column "get_user@$c" "$side" 4) / $raw_rps" | bc -l)"
  done
done
printf 'RSS after the load: direct %.1f MiB, loop1 %.1f MiB, channel %.1f MiB, peer %.1f MiB' \
  "$(echo "${rss[direct]} / 1024" | bc -l)" "$(echo "${rss[loop1]} / 1024" | bc -l)" \
  "$(echo "${rss[channel]} / 1024" | bc -l)" "$(echo "${rss[peer]} / 1024" | bc -l)"
printf ' (direct/peer %.2fx)\n' "$(ratio "${rss[direct]}" "${rss[peer]}")"
printf 'peak RSS (VmHWM) over the run: direct %.1f MiB, loop1 %.1f MiB, channel %.1f MiB, peer %.1f MiB' \
  "$(echo "${peak[direct]} / 1024" | bc -l)" "$(echo "${peak[loop1]} / 1024" | bc -l)" \
  "$(echo "${peak[channel]} / 1024" | bc -l)" "$(echo "${peak[peer]} / 1024" | bc -l)"
printf ' (direct/peer %.2fx)\n' "$(ratio "${peak[direct]}" "${peak[peer]}")"
