#!/usr/bin/env bash
# Times a cold build: configures an empty build directory as `make build` does (Ninja,
# RelWithDebInfo) and runs `cmake --build DIR -j JOBS` with ccache off (CCACHE_DISABLE=1).
# Prints the wall time, the CPU time and the load average before and after.
# Usage: scripts/build-time.sh [SOURCE_DIR] [BUILD_DIR]   (defaults: this checkout, a new temp dir)
# JOBS=2 by default. NICE=-15 (the default, needs root) runs the build in a session of its own at
# that nice, as bench/ does, so that other compiles on the machine take little CPU from it;
# NICE=0 measures under whatever else runs.
set -euo pipefail
NICE=${NICE:--15}
if [[ $NICE != 0 && -z ${ARRLOAD_BUILD_TIME_SESSION:-} ]]; then
  ARRLOAD_BUILD_TIME_SESSION=1 exec setsid --wait "$0" "$@"
fi
if [[ $NICE != 0 && -w /proc/self/autogroup ]]; then
  echo "$NICE" >/proc/self/autogroup 2>/dev/null || echo "build-time: could not set the autogroup nice" >&2
fi
source_dir=$(cd "${1:-$(dirname "$0")/..}" && pwd)
build_dir=${2:-$(mktemp -d "${TMPDIR:-/tmp}/arrload_build_time_XXXXXX")}
jobs=${JOBS:-2}
rm -rf "$build_dir"
cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
echo "build-time: $source_dir ($(git -C "$source_dir" rev-parse --short HEAD 2>/dev/null || echo no git)) into $build_dir, -j$jobs, nice $NICE"
echo "build-time: before: $(uptime)"
export CCACHE_DISABLE=1
/usr/bin/time -f "build-time: %e s wall, %U s user, %S s sys" \
  nice -n "$NICE" cmake --build "$build_dir" -j "$jobs" >"$build_dir/build-time.log" 2>&1 ||
  { tail -20 "$build_dir/build-time.log"; exit 1; }
tail -1 "$build_dir/build-time.log"
echo "build-time: after:  $(uptime)"
