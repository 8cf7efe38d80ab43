#!/usr/bin/env bash
# Micro benchmarks (Google Benchmark) of the steps of a REST call that are not I/O: route matching
# among 192 routes, query binding, and JSON both ways for bench.v1's User and the large
# Everything message. No peer: they say where a request's CPU goes, in ns per operation.
#
#   bench/micro.sh [--benchmark_filter=Json ...]
# shellcheck source=bench/lib.sh
source "$(dirname "$0")/lib.sh"
build_ours
echo "== micro benchmarks ($(machine))"
"$build/bench/micro/micro_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  "$@"
