#!/usr/bin/env bash
# Installs the Debian packages arrload needs to build and test, only those missing.
# Usage: scripts/install-deps.sh [build|test]   (test adds the tools the test command uses)
set -euo pipefail
want=(g++ cmake ninja-build ccache pkg-config
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
      libcli11-dev libfmt-dev libyaml-cpp-dev libssl-dev libgtest-dev libsqlite3-dev)
if [[ "${1:-build}" == test ]]; then
  want+=(clang-format clang-tidy)
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
