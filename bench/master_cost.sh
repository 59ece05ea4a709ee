#!/usr/bin/env bash
# Master cost: what a cluster master spends on N workers that each report 20 endpoints every 3 s
# and a heartbeat every second (issue 15). The workers are simulated by one light process
# (bench/sim_workers.cc, built here as arrload_sim_workers); the master is Locust 2.12.1's or
# arrload's, run one after the other for each N in the same invocation, both with the web UI on
# 127.0.0.1 and --autostart (-u N -r N --expect-workers N). Floors for comparison: the kinds
# null-discard, null-decode and null-merge run bench/null_master.cc (a ZeroMQ ROUTER that only
# receives; decodes with arrload's codec; also decodes and merges arrload_delta), no web UI.
#
# For each master and N: start the master (pinned to MASTER_CPU), start the simulator (pinned to
# SIM_CPU), wait until the master's /stats/requests shows N workers and N users, wait WARMUP s,
# then over SAMPLE s read the master's CPU time (utime+stime of all its threads, /proc/PID/stat),
# its RSS (VmRSS, VmHWM), the simulator's CPU time, the load average, and poll /stats/requests
# every POLL s. The age of the newest stats in the web UI: at each poll, the total request count R
# of /stats/requests (Locust's caches its answer for 2 s or more) is matched against the
# simulator's progress file (requests it has handed to ZeroMQ, every 0.1 s): age = the time the
# answer arrived - the time the simulator had sent R requests (resolution about 0.05 s; ui_wait_s
# is how long the answer took). This is the master's lag (queueing, merging, caching); a real
# worker adds up to its 3 s report interval on top. Then everything is stopped; every process
# runs under `timeout`.
#
# Usage: bench/master_cost.sh [--help]
# Environment: COUNTS="100 1000 5000" MASTERS="locust arrload" (or any of locust, arrload,
#              arrload-nozmtp, null-discard, null-decode, null-merge; an arrload without a master
#              is skipped; arrload-nozmtp: arrload with ZeroMQ's own pings turned off by
#              bench/no_zmtp_heartbeat.c, an LD_PRELOAD shim)
#              REPEAT=1 (rounds, each over every N and master) WARMUP=20 SAMPLE=30 POLL=2
#              CONNECT_WAIT=180 EXT=1 (arrload and null-merge masters: the simulated workers add
#              arrload_delta) MASTER_CPU=1 SIM_CPU=0 NICE=-15 ARRLOAD=build/arrload (copied first)
#              BUILD=build SIM=<a prebuilt simulator, else both tools are built>
#              MASTER_PORT=25557 WEB_PORT=28089 OUT=results/bench/master-cost-<time>
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
own_autogroup bash "$0" "$@"

COUNTS=${COUNTS:-100 1000 5000}
MASTERS=${MASTERS:-locust arrload}
REPEAT=${REPEAT:-1}
WARMUP=${WARMUP:-20}
SAMPLE=${SAMPLE:-30}
POLL=${POLL:-2}
CONNECT_WAIT=${CONNECT_WAIT:-180}
EXT=${EXT:-1}
MASTER_CPU=${MASTER_CPU:-1}
SIM_CPU=${SIM_CPU:-0}
BUILD=${BUILD:-$ROOT/build}
OUT=${OUT:-$ROOT/results/bench/master-cost-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
PY=/usr/bin/python3  # Debian's, which has Locust's modules
HZ=$(getconf CLK_TCK)

log "open files: $(raise_nofile 20000)"
if [[ -n ${SIM:-} ]]; then
  cp "$SIM" "$OUT/sim_workers"
  [[ -x $BUILD/arrload_null_master ]] && cp "$BUILD/arrload_null_master" "$OUT/null_master"
else
  log "building the simulator and the null master (targets arrload_sim_workers, arrload_null_master in $BUILD)"
  nice -n 10 cmake --build "$BUILD" --target arrload_sim_workers arrload_null_master >"$OUT/build.log" 2>&1 ||
    { tail -20 "$OUT/build.log" >&2; die "could not build the bench tools"; }
  cp "$BUILD/arrload_sim_workers" "$OUT/sim_workers"
  cp "$BUILD/arrload_null_master" "$OUT/null_master"
fi
HAVE_ARRLOAD=0
if [[ " $MASTERS " == *" arrload"* ]]; then
  cc -O2 -shared -fPIC -o "$OUT/no_zmtp_heartbeat.so" "$BENCH_DIR/no_zmtp_heartbeat.c" -ldl ||
    die "could not build bench/no_zmtp_heartbeat.c"
  if [[ ! -x ${ARRLOAD:-$ROOT/build/arrload} ]]; then
    log "no arrload binary at ${ARRLOAD:-$ROOT/build/arrload}: measuring Locust's master only"
  else
    snapshot_arrload
    if "$ARRLOAD_BIN" run --help 2>/dev/null | grep -q -- '--master-bind-port'; then
      HAVE_ARRLOAD=1
    else
      log "this arrload has no master mode: measuring Locust's master only"
    fi
  fi
fi

MASTER_PORT=${MASTER_PORT:-25557}
WEB_PORT=${WEB_PORT:-28089}
port_free "$MASTER_PORT" || die "port $MASTER_PORT is taken (set MASTER_PORT)"
port_free "$WEB_PORT" || die "port $WEB_PORT is taken (set WEB_PORT)"

RESULTS=$OUT/results.tsv
printf 'master\tworkers\tmaster_cpu_pct\trss_mib\thwm_mib\tage_median_s\tage_max_s\tui_wait_s\tsim_cpu_pct\tload1_start\tload1_end\tworkers_seen\tusers_seen\treports_per_s\tsend_failures\n' >"$RESULTS"

# start_master KIND N TAG: starts the master under `timeout`, its output in OUT/TAG.master.log;
# sets MASTER_TIMEOUT_PID and MASTER_CMD.
start_master() {
  local kind=$1 n=$2 tag=$3 bound=$((CONNECT_WAIT + WARMUP + SAMPLE + 360))
  if [[ $kind == null-* ]]; then
    MASTER_CMD="$OUT/null_master --port $MASTER_PORT --mode ${kind#null-} --duration $bound"
  elif [[ $kind == locust ]]; then
    MASTER_CMD="locust -f $BENCH_DIR/scenarios/master_cost_locustfile.py --master --master-bind-host 127.0.0.1 --master-bind-port $MASTER_PORT --web-host 127.0.0.1 --web-port $WEB_PORT --autostart -u $n -r $n --expect-workers $n"
  else
    MASTER_CMD=""
    [[ $kind == arrload-nozmtp ]] && MASTER_CMD="env LD_PRELOAD=$OUT/no_zmtp_heartbeat.so "
    MASTER_CMD+="$ARRLOAD_BIN run -f $BENCH_DIR/scenarios/master_cost.yaml --master --master-bind-host 127.0.0.1 --master-bind-port $MASTER_PORT --web-host 127.0.0.1 --web-port $WEB_PORT --autostart -u $n -r $n --expect-workers $n"
  fi
  # shellcheck disable=SC2086
  timeout "$bound" nice -n "$NICE" taskset -c "$MASTER_CPU" $MASTER_CMD \
    >"$OUT/$tag.master.log" 2>&1 &
  MASTER_TIMEOUT_PID=$!
}

# stats_json: the master's /stats/requests, or nothing; from a null master its newest status line.
stats_json() {
  if [[ $KIND == null-* ]]; then
    tail -1 "$OUT/$TAG.master.log" 2>/dev/null | grep '^workers' || true
  else
    curl -fsS --max-time 5 "http://127.0.0.1:$WEB_PORT/stats/requests" 2>/dev/null || true
  fi
}

# workers_and_users JSON: "workers users total_requests" from a /stats/requests body.
workers_and_users() {
  "$PY" -c '
import json, sys
text = sys.stdin.read()
if text.startswith("workers "):  # a null master: "workers W spawned S messages M bytes B requests R"
    f = text.split()
    print(f[1], f[3], f[9]); sys.exit()
try:
    d = json.loads(text)
except ValueError:
    print("0 0 0"); sys.exit()
total = [s for s in d.get("stats", []) if s.get("name") == "Aggregated"]
workers = d.get("workers")
print(len(workers) if workers is not None else d.get("worker_count", 0), d.get("user_count", 0),
      total[0]["num_requests"] if total else 0)'
}

rss_kib() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# measure KIND N ROUND: one master with N simulated workers; appends a row to $RESULTS.
measure() {
  local kind=$1 n=$2 tag="$1-$2-$3" ext=()
  KIND=$kind TAG=$tag
  [[ ($kind == arrload* || $kind == null-merge) && $EXT == 1 ]] && ext=(--arrload-ext)
  log "== $kind master, $n workers"
  start_master "$kind" "$n" "$tag"
  local _ mpid=""
  for _ in $(seq 1 100); do
    mpid=$(pgrep -P "$MASTER_TIMEOUT_PID" | head -1 || true)
    [[ -n $mpid ]] && stats_json | grep -q . && break
    sleep 0.2
  done
  if [[ -z $mpid ]] || ! stats_json | grep -q .; then
    log "$kind master did not serve /stats/requests within 20 s: skipped (see $OUT/$tag.master.log)"
    tail -5 "$OUT/$tag.master.log" >&2
    kill -TERM "$MASTER_TIMEOUT_PID" 2>/dev/null || true; wait "$MASTER_TIMEOUT_PID" 2>/dev/null || true
    return 0
  fi
  # An arrload master gets arrload workers: they announce arrload and the scenario's fingerprint.
  local version=()
  if [[ $kind == arrload* ]]; then
    version=(--version-string "arrload $("$ARRLOAD_BIN" --version | awk '{print $2}') scenario:$(grep -o 'scenario fingerprint [0-9a-f]*' "$OUT/$tag.master.log" | awk '{print $3}')")
  fi
  # The simulator outlives any wait (a saturated master can take minutes); it is stopped below.
  SIM_CMD="$OUT/sim_workers --workers $n --master-port $MASTER_PORT --duration $((CONNECT_WAIT + WARMUP + SAMPLE + 300)) --progress $OUT/$tag.progress ${ext[*]}"
  # shellcheck disable=SC2086
  timeout $((CONNECT_WAIT + WARMUP + SAMPLE + 330)) nice -n "$NICE" taskset -c "$SIM_CPU" $SIM_CMD \
    "${version[@]}" >"$OUT/$tag.sim.log" 2>&1 &
  [[ ${#version[@]} -gt 0 ]] && SIM_CMD+=" --version-string '${version[1]}'"
  local sim_timeout=$! spid=""
  for _ in $(seq 1 50); do spid=$(pgrep -P "$sim_timeout" | head -1 || true); [[ -n $spid ]] && break; sleep 0.1; done
  local started=$SECONDS w=0 u=0
  while ((SECONDS - started < CONNECT_WAIT)); do
    read -r w u _ < <(stats_json | workers_and_users)
    ((w >= n && u >= n)) && break
    sleep 1
  done
  log "$w workers, $u users after $((SECONDS - started)) s; warming up ${WARMUP} s"
  sleep "$WARMUP"
  if ! kill -0 "$mpid" 2>/dev/null || ! kill -0 "$spid" 2>/dev/null; then
    log "the master or the simulator ended before the measurement: skipped (see $OUT/$tag.*.log)"
    kill -TERM "$sim_timeout" "$MASTER_TIMEOUT_PID" 2>/dev/null || true
    wait "$sim_timeout" "$MASTER_TIMEOUT_PID" 2>/dev/null || true
    return 0
  fi
  local load_start m0 s0 t0 hwm=0 rss
  load_start=$(cut -d' ' -f1 /proc/loadavg)
  m0=$(proc_cpu_ticks "$mpid"); s0=$(proc_cpu_ticks "$spid"); t0=$EPOCHREALTIME
  : >"$OUT/$tag.polls"
  local tp body
  for _ in $(seq 1 $((SAMPLE / POLL))); do
    tp=$EPOCHREALTIME
    body=$(stats_json)
    echo "$tp $EPOCHREALTIME $(workers_and_users <<<"$body") $(rss_kib "$mpid" VmRSS)" >>"$OUT/$tag.polls"
    sleep "$POLL"
  done
  local m1 s1 t1 load_end
  m1=$(proc_cpu_ticks "$mpid"); s1=$(proc_cpu_ticks "$spid"); t1=$EPOCHREALTIME
  load_end=$(cut -d' ' -f1 /proc/loadavg)
  rss=$(rss_kib "$mpid" VmRSS); hwm=$(rss_kib "$mpid" VmHWM)
  ps -eo pcpu,comm --sort=-pcpu | head -8 >"$OUT/$tag.top"
  kill -TERM "$sim_timeout" 2>/dev/null || true; wait "$sim_timeout" 2>/dev/null || true
  kill -TERM "$MASTER_TIMEOUT_PID" 2>/dev/null || true; wait "$MASTER_TIMEOUT_PID" 2>/dev/null || true
  "$PY" - "$OUT/$tag.polls" "$OUT/$tag.progress" "$kind" "$n" "$m0" "$m1" "$s0" "$s1" "$t0" "$t1" \
    "$HZ" "$rss" "$hwm" "$load_start" "$load_end" >>"$RESULTS" <<'PY'
import bisect, statistics, sys
(polls, progress, kind, n, m0, m1, s0, s1, t0, t1, hz, rss, hwm, l0, l1) = sys.argv[1:]
el = float(t1) - float(t0)
def cpu(a, b):  # "-" when the process was gone by the end of the window
    return "-" if int(b) == 0 else f"{(int(b) - int(a)) / int(hz) / el * 100:.1f}"
sent = [tuple(map(float, l.split())) for l in open(progress) if l.strip()]
times = [s[0] for s in sent]; totals = [s[1] for s in sent]
ages, waits, last = [], [], None
for line in open(polls):
    tq, tp, w, u, r, _ = map(float, line.split())  # asked at tq, answered at tp
    last = (w, u)
    waits.append(tp - tq)
    i = bisect.bisect_left(totals, r)  # first time the simulator had sent >= r requests
    if i == 0: ts = times[0]
    elif i >= len(totals): ts = tp
    else:
        (ta, ra), (tb, rb) = (times[i - 1], totals[i - 1]), (times[i], totals[i])
        ts = ta + (r - ra) / (rb - ra) * (tb - ta) if rb > ra else tb
    if not kind.startswith("null-"):  # a null master has no web UI
        ages.append(max(0.0, tp - ts))
def at(t):  # the progress line nearest before t
    return sent[max(0, bisect.bisect_right(times, t) - 1)]
a, b = at(float(t0)), at(float(t1))
rate = (b[2] - a[2]) / (b[0] - a[0]) if b[0] > a[0] else 0
print("\t".join([kind, n, cpu(m0, m1), f"{int(rss) / 1024:.0f}", f"{int(hwm) / 1024:.0f}",
                 f"{statistics.median(ages):.2f}" if ages else "-", f"{max(ages):.2f}" if ages else "-",
                 f"{statistics.median(waits):.2f}" if waits else "-",
                 cpu(s0, s1), l0, l1, f"{last[0]:.0f}" if last else "-",
                 f"{last[1]:.0f}" if last else "-", f"{rate:.0f}", f"{b[3]:.0f}"]))
PY
  tail -1 "$RESULTS" >&2
  { echo "master: $MASTER_CMD"; echo "sim:    $SIM_CMD"; } >"$OUT/$tag.commands"
  sleep 3  # let the ports close
}

log "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); results in $OUT"
for rep in $(seq 1 "$REPEAT"); do
  for n in $COUNTS; do
    for kind in $MASTERS; do
      [[ $kind == arrload* && $HAVE_ARRLOAD == 0 ]] && continue
      measure "$kind" "$n" "$rep"
    done
  done
done
column -t -s $'\t' "$RESULTS"
