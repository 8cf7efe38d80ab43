#!/usr/bin/env bash
# Installs missing Debian packages, builds everything warning-free, checks formatting and runs every
# test, then each fuzz target for a short while (scripts/fuzz.sh: a clang build in build-fuzz/;
# FUZZ_SECONDS per target, 10 by default, 0 to skip). `scripts/test.sh --sanitize` does the same
# in an ASan+UBSan build (build-sanitize/), without the fuzz run (its targets have ASan already).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

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
ctest --test-dir "$build" --output-on-failure --timeout 300 -j"$(nproc)"

# The corpora are replayed by ctest above, in every build; this explores beyond them.
fuzz_seconds=${FUZZ_SECONDS:-10}
if [ "${1:-}" != --sanitize ] && [ "$fuzz_seconds" != 0 ]; then
  scripts/fuzz.sh "$fuzz_seconds"
fi
