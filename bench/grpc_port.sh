#!/usr/bin/env bash
# gRPC through the shared port against the same service on a plain grpc::Server port, in one
# process: what the mux costs a gRPC client once its connection is decided (nothing, if the
# 24-byte preface is all it takes). Unary GetUser from soak_client's gRPC clients: CHANNELS
# channels (a connection and a thread each), one call at a time on each, alternating ports.
#
#   bench/grpc_port.sh [runs] [channels]   (default 3 runs of 5 s per port, 16 channels; 127.0.0.1)
#
# Prints each run and the median calls/s and p99 per port, with the ratio shared / plain.
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
runs=${1:-3}
channels=${2:-16}
build_ours

start cppgateway "$build/bench/bench_server" 127.0.0.1:0 --plain-grpc=127.0.0.1:0
shared_port=$(wait_for_port cppgateway "$ours_port_sed")
plain_port=$(wait_for_port cppgateway 's/^plain grpc listening on //p')
declare -A port=([shared]=$shared_port [plain]=$plain_port)

# load PORT SECONDS: the soak client's gRPC clients alone; prints "calls p99_ms failed".
load() {
  timeout $(($2 + 30)) "$build/bench/soak_client" --port="$1" --seconds="$2" --rest=0 --streams=0 \
    --grpc="$channels" --hostile=0 --bombs=0 |
    awk '$1 == "result" && $2 == "grpc_unary" {
           for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
           print v["done"], v["p99_ms"], v["failed"] }'
}

for side in shared plain; do load "${port[$side]}" 1 > /dev/null; done  # warm up
echo "# gRPC unary GetUser: the shared port (mux) vs a plain grpc::Server port, same process"
echo "# $channels channels, one call at a time each, 5 s per run, $runs alternating runs; $(machine)"
for run in $(seq "$runs"); do
  for side in shared plain; do
    read -r calls p99 failed <<< "$(load "${port[$side]}" 5)"
    rate=$(echo "$calls / 5" | bc -l)
    echo "$run $side $rate $p99 $failed" >> "$logs/results"
    printf 'run %d %-6s %9.0f calls/s  p99 %6s ms  failed %s\n' "$run" "$side" "$rate" "$p99" "$failed"
  done
done

echo
echo "# median of $runs runs; $(machine)"
shared=$(awk '$2 == "shared" {print $3}' "$logs/results" | median)
plain=$(awk '$2 == "plain" {print $3}' "$logs/results" | median)
shared_p99=$(awk '$2 == "shared" {print $4}' "$logs/results" | median)
plain_p99=$(awk '$2 == "plain" {print $4}' "$logs/results" | median)
printf 'shared port %9.0f calls/s  p99 %s ms\n' "$shared" "$shared_p99"
printf 'plain port  %9.0f calls/s  p99 %s ms\n' "$plain" "$plain_p99"
printf 'ratio       %9.2fx\n' "$(ratio "$shared" "$plain")"
