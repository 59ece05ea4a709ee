#!/usr/bin/env bash
# Schedule precision of an open-model (arrival-rate) class, issue 17: at each of RATES iterations
# per second against nginx, on one core, the achieved rate / the intended rate, dropped
# iterations, the p99 start lateness, the generator's CPU and whether the generator self-check
# flagged saturation.
#
# Part 1, RUNS rounds over RATES (interleaved: 1000 10000 50000 1000 ...): bench/
# schedule_precision.cc (built here as arrload_schedule_precision), which runs
# bench/scenarios/arrival.yaml (pool 200, max_pool 400, one GET per iteration) with the engine's
# Runner exactly as `arrload run --threads 1 --arrival-rate R` does, with the CLI's self-check,
# and prints one JSON line: the engine's own scheduled/dropped/late-start counts and a start
# lateness estimate (method at the top of the .cc). It is timed by /usr/bin/time.
# Before each of those runs, the same core's own timer floor: cyclictest (Debian rt-tests), one
# SCHED_OTHER thread at the same nice, waking every 1/RATE s for CT_SECONDS (--laptop: it leaves
# /dev/cpu_dma_latency alone), its wake-up latency histogram. Its clock_nanosleep has the default
# 50 us timer slack of SCHED_OTHER; arrload's timerfd timers have none.
# Part 2, CLI_RUNS rounds: the real `arrload run --headless --threads 1 --arrival-rate R`, for
# its console (the self-check's saturation warning) and its JSON report (requests, and
# dropped_iterations when the report has it).
#
# nginx (bench/lib.sh start_nginx: 1 worker, `return 200 "ok"`) on SERVER_CPU, the generator on
# GEN_CPU (taskset), DURATION seconds per run, the load average before each run. Every load
# goes to 127.0.0.1 and stops by itself (-t, --seconds, timeout).
#
# Usage: bench/schedule_precision.sh [--help]
# Environment: RATES="1000 10000 50000" RUNS=3 CLI_RUNS=1 DURATION=10 CT_SECONDS=3 (0: no
#              cyclictest) GEN_CPU=1 SERVER_CPU=0
#              NICE=-15 BUILD=build (built there: arrload arrload_schedule_precision)
#              ARRLOAD=<a prebuilt arrload> PRECISION=<a prebuilt arrload_schedule_precision>
#              OUT=results/bench/schedule-<time> RESULT=bench/results/<date>-schedule.json
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
own_autogroup bash "$0" "$@"

RATES=${RATES:-1000 10000 50000}
RUNS=${RUNS:-3}
CLI_RUNS=${CLI_RUNS:-1}
CT_SECONDS=${CT_SECONDS:-3}
DURATION=${DURATION:-10}
GEN_CPU=${GEN_CPU:-1}
SERVER_CPU=${SERVER_CPU:-0}
BUILD=${BUILD:-$ROOT/build}
OUT=${OUT:-$ROOT/results/bench/schedule-$(date +%Y%m%d-%H%M%S)}
RESULT=${RESULT:-$ROOT/bench/results/$(date +%F)-schedule.json}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
HZ=$(getconf CLK_TCK)

ensure_pkgs nginx:nginx-light taskset:util-linux curl:curl /usr/bin/time:time python3:python3 \
  cyclictest:rt-tests
if [[ -z ${ARRLOAD:-} || -z ${PRECISION:-} ]]; then
  log "building arrload and arrload_schedule_precision in $BUILD"
  [[ -f $BUILD/build.ninja || -f $BUILD/Makefile ]] ||
    cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$OUT/build.log" 2>&1
  nice cmake --build "$BUILD" -j2 --target arrload arrload_schedule_precision >>"$OUT/build.log" 2>&1 ||
    { tail -30 "$OUT/build.log" >&2; die "build failed (see $OUT/build.log)"; }
fi
snapshot_arrload
cp "${PRECISION:-$BUILD/arrload_schedule_precision}" "$OUT/schedule_precision"
raise_nofile 20000 >/dev/null
PORT=$(pick_port)
HOST=http://127.0.0.1:$PORT
trap stop_nginx EXIT
start_nginx "$PORT" "$SERVER_CPU" $((RUNS * 30 * $(wc -w <<<"$RATES") + 300))
NGINX_WORKER=$(nginx_worker_pid)
cat /proc/loadavg >"$OUT/loadavg-start"

# cpu_steal_ticks N: ticks the hypervisor took from CPU N since boot (/proc/stat).
cpu_steal_ticks() { awk -v c="cpu$1" '$1 == c {print $9}' /proc/stat; }

# measure KIND RATE RUN CMD...: runs CMD pinned to GEN_CPU under /usr/bin/time; appends one JSON
# line to $OUT/rows.jsonl with the load average before, nginx's worker CPU and the time figures.
measure() {
  local kind=$1 rate=$2 run=$3
  shift 3
  local base=$OUT/$kind-$rate-$run load nginx0 nginx1 core0 core1 steal0 steal1
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  nginx0=$(proc_cpu_ticks "$NGINX_WORKER")
  core0=$(cpu_busy_ticks "$GEN_CPU")
  steal0=$(cpu_steal_ticks "$GEN_CPU")
  log "$kind rate $rate run $run (load average $load)"
  timeout $((DURATION + 60)) /usr/bin/time -f '%U %S %e %M' -o "$base.time" \
    nice -n "$NICE" taskset -c "$GEN_CPU" "$@" >"$base.out" 2>"$base.err" || log "  exit status $?"
  nginx1=$(proc_cpu_ticks "$NGINX_WORKER")
  core1=$(cpu_busy_ticks "$GEN_CPU")
  steal1=$(cpu_steal_ticks "$GEN_CPU")
  grep -h 'saturated' "$base.err" | head -3 | sed 's/^/  /' >&2 || true
  python3 - "$kind" "$rate" "$run" "$base" "$load" $((nginx1 - nginx0)) "$HZ" "$DURATION" \
    $((core1 - core0)) $((steal1 - steal0)) \
    >>"$OUT/rows.jsonl" <<'PY'
import json, sys
kind, rate, run, base, load, nginx_ticks, hz, duration, core_ticks, steal_ticks = sys.argv[1:]
user, sys_, wall, rss = open(base + ".time").read().split()[-4:]
row = {"kind": kind, "rate": float(rate), "run": int(run), "loadavg": load,
       "time": {"user_s": float(user), "sys_s": float(sys_), "wall_s": float(wall), "max_rss_kb": int(rss)},
       "gen_cpu_percent": 100 * (float(user) + float(sys_)) / float(wall),
       "nginx_cpu_percent": 100 * int(nginx_ticks) / int(hz) / float(wall),
       # The generator's core as a whole (everything on it, the generator included) and the
       # hypervisor's steal: what else ran there is core_busy - gen_cpu.
       "core_busy_percent": 100 * int(core_ticks) / int(hz) / float(wall),
       "core_steal_percent": 100 * int(steal_ticks) / int(hz) / float(wall)}
err = open(base + ".err", errors="replace").read()
row["saturation_warnings"] = err.count("the load generator is saturated")
if kind == "precision":
    row.update(json.loads(open(base + ".out").read().strip().splitlines()[-1]))
elif kind == "cyclictest":
    counts, overflows = [], 0
    for line in open(base + ".hist"):
        if line[:1].isdigit():
            us, n = line.split()[:2]
            counts.append((int(us), int(n)))
        elif line.startswith("# Histogram Overflows:"):
            overflows = int(line.split(":")[1].split()[0])
    total = sum(n for _, n in counts) + overflows
    wake = {}
    for q, key in ((0.5, "p50"), (0.9, "p90"), (0.99, "p99"), (0.999, "p999")):
        acc = 0
        for us, n in counts:
            acc += n
            if acc >= q * total:
                wake[key] = us
                break
        else:
            wake[key] = None  # in the overflow bucket
    row.update({"wakeups": total, "overflows": overflows, "wakeup_us": wake})
else:
    # The JSON report (docs/reports.md); dropped/scheduled iterations only once it has them.
    rep = json.load(open(base + ".json"))
    agg = rep["aggregated"]
    row["requests"], row["failures"] = agg["num_requests"], agg["num_failures"]
    row["duration_s"] = rep["duration_s"]
    row["completed_per_s"] = agg["num_requests"] / rep["duration_s"]
    row["generator"] = rep.get("generator", "")
    for k in ("dropped_iterations", "scheduled_iterations"):
        if k in rep:
            row[k] = rep[k]
print(json.dumps(row))
PY
}

for run in $(seq 1 "$RUNS"); do
  for rate in $RATES; do
    if ((CT_SECONDS > 0)); then
      measure cyclictest "$rate" "$run" cyclictest --laptop --quiet --threads=1 --affinity="$GEN_CPU" \
        --policy=other --interval=$((1000000 / rate)) --duration="$CT_SECONDS" --histogram=30000 \
        --histfile="$OUT/cyclictest-$rate-$run.hist"
    fi
    measure precision "$rate" "$run" "$OUT/schedule_precision" --host "$HOST" --rate "$rate" \
      --seconds "$DURATION" --threads 1 --scenario "$ROOT/bench/scenarios/arrival.yaml"
  done
done
for run in $(seq 1 "$CLI_RUNS"); do
  for rate in $RATES; do
    measure cli "$rate" "$run" "$ARRLOAD_BIN" run -f "$ROOT/bench/scenarios/arrival.yaml" \
      -H "$HOST" --headless -t "${DURATION}s" --threads 1 --arrival-rate "$rate" \
      --json-file "$OUT/cli-$rate-$run.json" --only-summary
  done
done
cat /proc/loadavg >"$OUT/loadavg-end"

mkdir -p "$(dirname "$RESULT")"
python3 "$BENCH_DIR/schedule_table.py" "$OUT" "$RESULT"
log "raw outputs in $OUT; numbers in $RESULT"
