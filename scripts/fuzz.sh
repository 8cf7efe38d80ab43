#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz for SECONDS each (default 60), one after the other, each
# on a copy of its committed corpus (the corpus in the tree does not grow), and fails when any of
# them finds a crash or a broken invariant. Installs what is missing first (Debian's clang-14 and
# libclang-rt-14-dev bring libFuzzer: scripts/install-deps.sh), then builds the targets in
# build-fuzz/ with clang: the runtime with the fuzzer's coverage instrumentation, ASan and UBSan.
#
#   scripts/fuzz.sh [SECONDS]         FUZZ_TARGETS="json query" scripts/fuzz.sh 300
#
# A crash leaves its input in build-fuzz/fuzz-runs/<target>/crash-*; replay it with
# build-fuzz/tests/fuzz/<target>_fuzz <file>. Fix the bug, then keep the input: in
# tests/fuzz/corpus/<target>/ (replayed by ctest in every build) and as a unit test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
scripts/install-deps.sh

build=${FUZZ_BUILD_DIR:-build-fuzz}
# -O1 as OSS-Fuzz builds, and without NDEBUG: Boost.Beast's assertions are checks too.
CC=clang-14 CXX=clang++-14 cmake -S . -B "$build" -DCPPGATEWAY_FUZZ=ON \
  -DCPPGATEWAY_BUILD_TESTS=ON -DCPPGATEWAY_BUILD_EXAMPLES=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  > /dev/null
start=$(date +%s)
cmake --build "$build" --target cppgateway_fuzz_targets -j"$(nproc)"
echo "fuzz: targets built in $(($(date +%s) - start)) s"

targets=${FUZZ_TARGETS:-path_template router query json json_codecs http1_parser sniff}
failed=()
for name in $targets; do
  run="$build/fuzz-runs/$name"
  rm -rf "$run"
  mkdir -p "$run/corpus"
  cp tests/fuzz/corpus/"$name"/* "$run/corpus/"
  dict=()
  [ -f "tests/fuzz/dict/$name.dict" ] && dict=(-dict="tests/fuzz/dict/$name.dict")
  echo "fuzz: $name for ${seconds} s"
  if "$build/tests/fuzz/${name}_fuzz" "$run/corpus" "${dict[@]}" -max_total_time="$seconds" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$run/" \
    > "$run/log" 2>&1; then
    # "#123456<tab>DONE   cov: 1234 ft: 5678 corp: 90/12Kb lim: 4096 exec/s: 31677 rss: 567Mb"
    done_line=$(grep -a -E '^#[0-9]+\s+DONE' "$run/log" | tail -1 |
      sed -E 's/^#([0-9]+)\s+DONE\s+/\1 runs, /' || true)
    echo "fuzz: $name passed: ${done_line:-?}"
  else
    echo "fuzz: $name FAILED (log: $run/log)" >&2
    # What broke, with the input (libFuzzer prints it after the stack) and where it is kept.
    pattern='invariant broken|ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error'
    if grep -a -q -E "$pattern" "$run/log"; then
      grep -a -m1 -A40 -E "$pattern" "$run/log" >&2 || true
    else
      tail -40 "$run/log" >&2
    fi
    ls "$run"/crash-* "$run"/leak-* "$run"/timeout-* "$run"/oom-* 2>/dev/null >&2 || true
    failed+=("$name")
  fi
done
if ((${#failed[@]})); then
  echo "fuzz: failed: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: every target ran ${seconds} s without a crash"
