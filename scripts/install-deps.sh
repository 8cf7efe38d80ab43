#!/usr/bin/env bash
# Installs, from Debian 12's apt, everything cppgateway needs to build and run every test.
# Idempotent: only missing packages are installed. Needs root (or sudo).
set -euo pipefail
PKGS=(
  build-essential cmake pkg-config git curl ca-certificates
  protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libprotoc-dev
  libgrpc++-dev libgrpc-dev
  libcpp-httplib-dev nlohmann-json3-dev libboost1.81-dev libyaml-cpp-dev
  googletest libgtest-dev libgmock-dev
  libbenchmark-dev  # bench/micro (Google Benchmark)
  python3 python3-grpcio
  golang-go golang-google-grpc-dev
  clang-format
  clang-14 libclang-rt-14-dev  # libFuzzer, for scripts/fuzz.sh (the fuzz run of scripts/test.sh)
  chromium  # the browser test (tests/e2e/browser_test.cc): headless, so no fonts or X server
)
missing=()
for p in "${PKGS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
((${#missing[@]})) || exit 0
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}"
