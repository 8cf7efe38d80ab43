#!/usr/bin/env bash
# Every benchmark, one after the other (about 15 minutes; 127.0.0.1 only, every run bounded):
#   run.sh           unary REST against the Go peer at 16 and 256 connections (req/s, p50, p99,
#                    RSS, share of the raw HTTP ceiling)
#   connections.sh   1,000 keep-alive connections: RSS per idle one, req/s and worst latency
#   stream_rate.sh   server streaming, 1,000 unpaced messages per stream (messages/s)
#   grpc_port.sh     gRPC through the shared port against a plain grpc::Server port (calls/s, p99)
#   slow_backend.sh  both gateways in proxy mode before a backend that waits 100 ms (req/s, p99)
#   open_streams.sh  1,000 then 10,000 idle SSE streams on one server (delivery, threads, RSS/stream)
#   soak.sh          60 s of REST and gRPC load beside hostile clients (failures, p99, RSS)
#   micro.sh         routing, query binding and JSON per step (Google Benchmark)
#
#   bench/run_all.sh
set -euo pipefail
cd "$(dirname "$0")"
./run.sh
echo
./connections.sh
echo
./stream_rate.sh
echo
./grpc_port.sh
echo
./slow_backend.sh
echo
./open_streams.sh
echo
./soak.sh
echo
./micro.sh
