#!/usr/bin/env bash
# Runs the browser test (ui_test.mjs) with ARRLOAD_BINARY, screenshots to ARTIFACT_DIR. Installs
# what it needs when missing: Debian's chromium (and node/npm), and playwright-core from npm into
# DEPS_DIR (default: ARTIFACT_DIR/../browser-deps).
set -euo pipefail
binary=${1:?usage: run.sh ARRLOAD_BINARY ARTIFACT_DIR [DEPS_DIR]}
artifacts=${2:?usage: run.sh ARRLOAD_BINARY ARTIFACT_DIR [DEPS_DIR]}
deps=${3:-$(dirname "$artifacts")/browser-deps}
here=$(cd "$(dirname "$0")" && pwd)

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]})); then
  echo "browser test: installing ${missing[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if [[ ! -d "$deps/node_modules/playwright-core" ]]; then
  echo "browser test: installing playwright-core into $deps"
  mkdir -p "$deps"
  npm install --prefix "$deps" --no-audit --no-fund --silent playwright-core@1 >/dev/null
fi
mkdir -p "$artifacts"
cp "$here/ui_test.mjs" "$deps/ui_test.mjs"  # resolves playwright-core from $deps/node_modules
exec node "$deps/ui_test.mjs" "$binary" "$artifacts"
