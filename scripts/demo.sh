#!/usr/bin/env bash
# Builds the example server and runs it: gRPC and REST/JSON on one port, one REST call and one gRPC
# call answered, then stops it. Installs missing Debian packages first (run as root on a fresh machine).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$build" --target metrics_server metrics_client -j"$(nproc)"

out=$(mktemp)
"$build/examples/metrics/metrics_server" 127.0.0.1:0 > "$out" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do  # up to 10 s for "listening on <port>"
  grep -q '^listening on' "$out" && break
  kill -0 "$server" || { echo "metrics_server did not start" >&2; exit 1; }
  sleep 0.1
done
port=$(sed -n 's/^listening on //p' "$out")
[ -n "$port" ] || { echo "metrics_server did not print its port" >&2; exit 1; }
echo "metrics_server: gRPC and REST on 127.0.0.1:$port"
echo
url="http://127.0.0.1:$port/api/v3/metrics:query?query=host_cpu_usage_overall%5B2h%5D"
echo "\$ curl -i '$url'"
curl -sS -i --max-time 5 "$url"
echo
echo
watch="http://127.0.0.1:$port/api/v3/metrics:watch?metric=host_cpu_usage_overall&count=3"
echo "\$ curl -N '$watch'      # a server stream, one line per sample as it is produced"
curl -sS -N --max-time 10 "$watch"
echo
echo "\$ metrics_client 127.0.0.1:$port 'host_cpu_usage_overall[2h]'"
"$build/examples/metrics/metrics_client" "127.0.0.1:$port" 'host_cpu_usage_overall[2h]'
