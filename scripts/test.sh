#!/usr/bin/env bash
# Installs missing Debian packages and the npm test tools, builds everything warning-free, checks
# formatting and runs every test, then each fuzz target for a short while (scripts/fuzz.sh: a clang
# build in build-fuzz/; FUZZ_SECONDS per target, 10 by default).
#
#   scripts/test.sh --sanitize   every test in an ASan+UBSan build (build-sanitize/), no fuzz run
#                                (the fuzz targets have ASan already)
#   scripts/test.sh --tsan       the server, mux, streaming and direct-call tests under TSan
#                                (build-tsan/; tests/sanitizers/tsan.supp names what is not ours)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-}
scripts/install-deps.sh
# The OpenAPI validator and the buf CLI, from the npm registry into tools/node_modules.
scripts/install-node-tools.sh

build=${BUILD_DIR:-build}
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS=-Werror)
targets=(all)
tests=()
case "$mode" in
  "") ;;
  --sanitize)
    build=${BUILD_DIR:-build-sanitize}
    flags=(-DCMAKE_BUILD_TYPE=Debug -DCPPGATEWAY_SANITIZE=ON -DCMAKE_CXX_FLAGS=-Werror)
    ;;
  --tsan)
    build=${BUILD_DIR:-build-tsan}
    flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCPPGATEWAY_SANITIZE_THREAD=ON
      -DCMAKE_CXX_FLAGS=-Werror -DCPPGATEWAY_BUILD_EXAMPLES=OFF)
    # Where threads meet: the event loops, the mux, gRPC's callbacks and the outbound queues.
    targets=(cppgateway_transport_e2e_tests cppgateway_streaming_e2e_tests
      cppgateway_headers_e2e_tests cppgateway_direct_call_e2e_tests)
    # Less one: under TSan's timing, grpc's in-process transport stops delivering the slow
    # reader's stream after a few MiB: the gateway's read and the service's write are both
    # started and neither completes until the call is cancelled (no race is reported). The same
    # test through a real channel (SlowReaderHoldsARemoteServiceBack) runs here, and both run in
    # the other two builds.
    tests=(-R 'Transport|Streaming|ServerStream|DirectStream|Headers|DirectCall'
      -E 'SlowReaderHoldsTheServiceBack$')
    export TSAN_OPTIONS="suppressions=$PWD/tests/sanitizers/tsan.supp halt_on_error=1"
    ;;
  *)
    echo "usage: scripts/test.sh [--sanitize | --tsan]" >&2
    exit 2
    ;;
esac

# Formatting is part of the build: clang-format decides, not the reviewer.
git ls-files '*.cc' '*.h' | grep -v '\.expected$' | xargs clang-format --dry-run --Werror

cmake -S . -B "$build" "${flags[@]}"
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
ctest --test-dir "$build" --output-on-failure --timeout 300 -j"$(nproc)" "${tests[@]}" |
  tee "$log"
# A test that did not run proves nothing: every skip fails the run, and says which.
if grep -E '\((Skipped|Disabled|Not Run)\)' "$log"; then
  echo "test.sh: the tests above did not run" >&2
  exit 1
fi

# The corpora are replayed by ctest above, in every build; this explores beyond them.
fuzz_seconds=${FUZZ_SECONDS:-10}
if [ -z "$mode" ] && [ "$fuzz_seconds" != 0 ]; then
  scripts/fuzz.sh "$fuzz_seconds"
fi
