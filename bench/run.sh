#!/usr/bin/env bash
# The whole benchmark in one command (`make bench`): arrload side by side with wrk, h2load and
# Locust on this machine, every load on 127.0.0.1 only, bounded in time.
#
#   micro       Google Benchmark: stats::Histogram and request formatting (builds build-bench/
#               with -DARRLOAD_BENCH=ON, needs libbenchmark-dev)
#   throughput  bench/throughput.sh: req/s and CPU per request, arrload wrk h2load locust x2
#   memory      bench/memory.sh: RSS per idle user (arrload, Locust, arrload without connections)
#   spawn       bench/spawn.sh: users started per second, on time
#   accuracy    bench/accuracy.sh: tool-reported latency vs the time a reference server measured
#               (bench/ref_server.cc), at 2,400 req/s and at half of arrload's saturation
#   autoarr     bench/autoarr.sh: the AutoArr `stress` profile against the embedded target
#
# Installs what is missing with apt-get (nginx-light, wrk, nghttp2-client, python3-locust, ...),
# pins servers to SERVER_CPU=1 and generators to GEN_CPU=0, runs in its own session at nice
# NICE=-15 (see bench/lib.sh), and writes raw outputs under results/bench/run-<time>/ (gitignored)
# and the collected numbers to bench/results/<date>.json (RESULT=path to change it).
#
# Usage: bench/run.sh [--help] [--quick] [PART ...]     (default: all parts, in the order above)
# Environment: QUICK=1 (same as --quick: one short run of each, about 4 min), ARRLOAD=build/arrload,
#              and each part's own variables (RUNS, DURATION, COUNTS, RATES, ... see their --help);
#              the defaults below keep the whole run near 15 minutes.
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
own_autogroup bash "$0" "$@"

QUICK=${QUICK:-0}
if [[ ${1:-} == --quick ]]; then QUICK=1; shift; fi
PARTS=("$@")
((${#PARTS[@]})) || PARTS=(micro throughput memory spawn accuracy autoarr)
for p in "${PARTS[@]}"; do
  case $p in micro | throughput | memory | spawn | accuracy | autoarr) ;; *) die "unknown part '$p' (see --help)" ;; esac
done

STAMP=$(date +%Y%m%d-%H%M%S)
OUT=${OUT:-$ROOT/results/bench/run-$STAMP}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RESULT=${RESULT:-$ROOT/bench/results/$(date +%F).json}
export GEN_CPU=${GEN_CPU:-0} SERVER_CPU=${SERVER_CPU:-1} NICE
exec > >(tee -a "$OUT/run.log") 2>&1

ensure_pkgs nginx:nginx-light wrk:wrk h2load:nghttp2-client locust:python3-locust taskset:util-linux \
  curl:curl /usr/bin/time:time ss:iproute2 python3:python3 bc:bc
# One copy of the binary for every part.
snapshot_arrload
export ARRLOAD=$ARRLOAD_BIN

# Defaults per mode; any variable already set in the environment wins.
if ((QUICK)); then
  : "${RUNS:=1}" "${DURATION:=5}" "${MEM_REPEAT:=1}" "${SPAWN_REPEAT:=1}" "${RATES:=1000 9000 18000}"
  : "${COUNTS:=1 1000 10000}" "${LOCUST_COUNTS:=1 1000}" "${AUTOARR_RUNS:=1}" "${TIME_SCALE:=0.0125}"
  : "${MICRO_MIN_TIME:=0.05}"
else
  : "${RUNS:=3}" "${DURATION:=10}" "${MEM_REPEAT:=2}" "${SPAWN_REPEAT:=2}" "${RATES:=1000 3000 6000 9000 18000}"
  : "${COUNTS:=1 1000 10000 50000 100000}" "${LOCUST_COUNTS:=1 1000 5000}" "${AUTOARR_RUNS:=2}"
  : "${TIME_SCALE:=0.025}" "${MICRO_MIN_TIME:=0.3}"
fi
: "${NOCONN_COUNTS=100000}"

# Machine and settings, for the JSON and docs/BENCHMARKS.md.
python3 - "$OUT/meta.json" <<PY
import json, os, platform, subprocess, sys
def sh(c):
    try:
        return subprocess.run(c, shell=True, capture_output=True, text=True, timeout=20).stdout.strip()
    except Exception:
        return ""
meta = {
  "date": sh("date -u +%FT%TZ"),
  "machine": {
    "cpu": sh("lscpu | sed -n 's/^Model name: *//p'"),
    "cpus": os.cpu_count(),
    "mem_kb": int(sh("awk '/MemTotal/ {print \$2}' /proc/meminfo") or 0),
    "kernel": platform.release(),
    "os": sh(". /etc/os-release && echo \$PRETTY_NAME"),
    "virtualization": sh("lscpu | sed -n 's/^Hypervisor vendor: *//p'"),
    "loadavg_at_start": sh("cat /proc/loadavg"),
    "nofile_hard": sh("ulimit -Hn"),
    "ephemeral_ports": sh("cat /proc/sys/net/ipv4/ip_local_port_range"),
  },
  "arrload": {
    "commit": sh("git -C '$ROOT' rev-parse --short HEAD"),
    "dirty": bool(sh("git -C '$ROOT' status --porcelain -- src CMakeLists.txt")),
    "binary_sha256": sh("sha256sum '$ARRLOAD' | cut -c1-16"),
    "build": "RelWithDebInfo (-O2 -g)",
  },
  "tools": {
    "wrk": sh("wrk -v 2>&1 | head -1"),
    "h2load": sh("h2load --version 2>&1 | head -1"),
    "locust": sh("dpkg-query -W -f='\${Version}' python3-locust"),
    "nginx": sh("nginx -v 2>&1"),
    "python3": platform.python_version(),
  },
  "settings": {
    "quick": $QUICK, "gen_cpu": $GEN_CPU, "server_cpu": $SERVER_CPU, "nice": $NICE,
    "runs": $RUNS, "duration_s": $DURATION, "parts": "${PARTS[*]}",
  },
}
json.dump(meta, open(sys.argv[1], "w"), indent=1)
PY

run_part() {
  local part=$1
  log "=== $part ==="
  local t0=$SECONDS rc=0
  case $part in
    micro)
      mkdir -p "$OUT/micro"
      dpkg-query -W -f='${Status}' libbenchmark-dev 2>/dev/null | grep -q "install ok installed" ||
        "$ROOT/scripts/install-deps.sh" bench
      local bdir=${BENCH_BUILD:-$ROOT/build-bench}
      [[ -f $bdir/build.ninja ]] || cmake -S "$ROOT" -B "$bdir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DARRLOAD_BENCH=ON -DARRLOAD_TESTS=OFF >"$OUT/micro/cmake.log"
      CCACHE_BASEDIR=$ROOT cmake --build "$bdir" --target arrload_micro >"$OUT/micro/build.log" 2>&1 ||
        { log "micro: build failed (see $OUT/micro/build.log)"; return 0; }
      timeout 600 nice -n "$NICE" taskset -c "$GEN_CPU" "$bdir/arrload_micro" \
        --benchmark_min_time="$MICRO_MIN_TIME" --benchmark_repetitions=3 \
        --benchmark_report_aggregates_only=true --benchmark_out="$OUT/micro/micro.json" \
        --benchmark_out_format=json | tee "$OUT/micro/summary.txt" || rc=$?
      ;;
    throughput)
      OUT=$OUT/throughput RUNS=$RUNS DURATION=$DURATION "$BENCH_DIR/throughput.sh" || rc=$? ;;
    memory)
      OUT=$OUT/memory REPEAT=$MEM_REPEAT COUNTS=$COUNTS LOCUST_COUNTS=$LOCUST_COUNTS \
        NOCONN_COUNTS=$NOCONN_COUNTS MASSIF=0 "$BENCH_DIR/memory.sh" || rc=$? ;;
    spawn)
      OUT=$OUT/spawn REPEAT=$SPAWN_REPEAT RATES=$RATES "$BENCH_DIR/spawn.sh" || rc=$? ;;
    accuracy)
      OUT=$OUT/accuracy RUNS=$RUNS DURATION=$DURATION "$BENCH_DIR/accuracy.sh" || rc=$? ;;
    autoarr)
      OUT=$OUT/autoarr RUNS=$AUTOARR_RUNS TIME_SCALE=$TIME_SCALE "$BENCH_DIR/autoarr.sh" || rc=$? ;;
  esac
  ((rc == 0)) || log "$part failed with exit code $rc; going on"
  log "$part took $((SECONDS - t0)) s"
}

for part in "${PARTS[@]}"; do run_part "$part"; done

mkdir -p "$(dirname "$RESULT")"
python3 "$BENCH_DIR/collect.py" "$OUT" "$RESULT"
log "results: $RESULT (raw outputs: $OUT)"
