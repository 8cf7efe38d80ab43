#!/usr/bin/env bash
# Installs missing Debian packages and the npm test tools, builds everything warning-free, checks
# formatting and runs every test. `scripts/test.sh --sanitize` does the same in an ASan+UBSan build
# (build-sanitize/).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The OpenAPI validator and the buf CLI, from the npm registry into tools/node_modules.
scripts/install-node-tools.sh

build=${BUILD_DIR:-build}
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS=-Werror)
if [ "${1:-}" = --sanitize ]; then
  build=${BUILD_DIR:-build-sanitize}
  flags=(-DCMAKE_BUILD_TYPE=Debug -DCPPGATEWAY_SANITIZE=ON -DCMAKE_CXX_FLAGS=-Werror)
fi

# Formatting is part of the build: clang-format decides, not the reviewer.
git ls-files '*.cc' '*.h' | grep -v '\.expected$' | xargs clang-format --dry-run --Werror

cmake -S . -B "$build" "${flags[@]}"
cmake --build "$build" -j"$(nproc)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
ctest --test-dir "$build" --output-on-failure --timeout 300 -j"$(nproc)" | tee "$log"
# A test that did not run proves nothing: every skip fails the run, and says which.
if grep -E '\((Skipped|Disabled|Not Run)\)' "$log"; then
  echo "test.sh: the tests above did not run" >&2
  exit 1
fi
