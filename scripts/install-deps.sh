#!/usr/bin/env bash
# Installs the Debian packages arrload needs to build and test, only those missing.
# Usage: scripts/install-deps.sh [build|test|package|bench]   (test adds the tools the test command
# uses, including those of package: dpkg-shlibdeps and file for `make package`, and clang with
# libFuzzer for the fuzz targets; bench adds Google
# Benchmark for the microbenchmarks, -DARRLOAD_BENCH=ON; bench/run.sh installs the load tools it
# compares against itself)
set -euo pipefail
want=(g++ cmake ninja-build ccache pkg-config lld
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
      libcli11-dev libfmt-dev libyaml-cpp-dev libssl-dev libgtest-dev libsqlite3-dev
      libmsgpuck-dev libzmq3-dev cppzmq-dev zlib1g-dev libbrotli-dev)
if [[ "${1:-build}" == test ]]; then
  want+=(clang-format clang-tidy python3-locust python3-prometheus-client dpkg-dev file clang libfuzzer-14-dev)
elif [[ "${1:-build}" == package ]]; then
  want+=(dpkg-dev file)
elif [[ "${1:-build}" == bench ]]; then
  want+=(libbenchmark-dev)
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "arrload: installing missing Debian packages: ${missing[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
