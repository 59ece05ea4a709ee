#!/usr/bin/env bash
# The AutoArr suite itself: the `stress` profile's users (225) against the embedded target, to show
# how much of a core arrload needs for the suite it was written for.
#
# The target (`arrload target --threads 1`, default latency model, --latency-scale SCALE) runs on
# SERVER_CPU, `arrload run -f scenarios/autoarr --profile stress --time-scale TIME_SCALE` on GEN_CPU
# (TIME_SCALE 0.025 turns the profile's 20 min into 30 s; the spawn rate grows to match). Reports
# arrload's CPU (user+sys over wall, /usr/bin/time), peak RSS, requests/s and failures, and the
# target's CPU, RUNS times.
#
# Usage: bench/autoarr.sh [--help]
# Environment: NICE=-15 RUNS=2 TIME_SCALE=0.025 SCALE=1 PROFILE=stress GEN_CPU=0 SERVER_CPU=1
#              ARRLOAD=build/arrload  OUT=results/bench/autoarr-<time>
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
own_autogroup bash "$0" "$@"

RUNS=${RUNS:-2}
TIME_SCALE=${TIME_SCALE:-0.025}
SCALE=${SCALE:-1}
PROFILE=${PROFILE:-stress}
GEN_CPU=${GEN_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
OUT=${OUT:-$ROOT/results/bench/autoarr-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

ensure_pkgs taskset:util-linux curl:curl /usr/bin/time:time python3:python3
snapshot_arrload
raise_nofile 65536 >/dev/null
ROWS=$OUT/rows.tsv
printf 'profile\trun\tusers\twall_s\tcpu_s\tcpu_pct\tmaxrss_kb\trequests\tfailures\treq_per_s\ttarget_cpu_pct\n' >"$ROWS"

TPID=""
trap '[[ -z $TPID ]] || kill "$TPID" 2>/dev/null || true' EXIT
run_one() {
  local i=$1 port url tpid rc=0
  port=$(pick_port)
  url=http://127.0.0.1:$port
  timeout 900 nice -n "$NICE" taskset -c "$SERVER_CPU" "$ARRLOAD_BIN" target --port "$port" --threads 1 \
    --latency-scale "$SCALE" --db :memory: >"$OUT/target-$i.out" 2>"$OUT/target-$i.err" &
  TPID=$!  # `timeout`; the target is its child
  for _ in $(seq 100); do
    curl -fsS "$url/ping" >/dev/null 2>&1 && break
    sleep 0.05
  done
  tpid=$(pgrep -P "$TPID" | head -1)
  local t_before t_after
  t_before=$(proc_cpu_ticks "$tpid")
  log "run $i: --profile $PROFILE --time-scale $TIME_SCALE against $url"
  timeout 900 nice -n "$NICE" taskset -c "$GEN_CPU" /usr/bin/time -f '%U %S %e %M' -o "$OUT/run-$i.time" \
    "$ARRLOAD_BIN" run --headless -f "$ROOT/scenarios/autoarr" -H "$url" --profile "$PROFILE" \
    --time-scale "$TIME_SCALE" --threads 1 --no-budgets --json-file "$OUT/run-$i.json" --only-summary \
    --seed "$i" >"$OUT/run-$i.log" 2>&1 || rc=$?
  t_after=$(proc_cpu_ticks "$tpid")
  kill "$TPID" 2>/dev/null || true
  wait "$TPID" 2>/dev/null || true
  TPID=""
  ((rc == 0)) || log "arrload exited with $rc (see $OUT/run-$i.log)"
  local user sys wall maxrss
  read -r user sys wall maxrss <"$OUT/run-$i.time"
  python3 - "$OUT/run-$i.json" "$PROFILE" "$i" "$user" "$sys" "$wall" "$maxrss" \
    "$((t_after - t_before))" "$(getconf CLK_TCK)" >>"$ROWS" <<'PY'
import json, sys
path, profile, run, user, sys_s, wall, maxrss, ticks, hz = sys.argv[1:]
d = json.load(open(path))
a = d["aggregated"]
cpu = float(user) + float(sys_s)
print("\t".join(str(x) for x in [
    profile, run, d.get("peak_user_count"), wall, round(cpu, 2), round(100 * cpu / float(wall), 1),
    maxrss, a["num_requests"], a["num_failures"], round(a["total_rps"], 1),
    round(100 * int(ticks) / int(hz) / float(wall), 1)]))
PY
  tail -1 "$ROWS" | awk -F'\t' '{printf "  -> %s users, %s req/s, %s failures; arrload CPU %s%% of a core, max RSS %s kB; target CPU %s%%\n", $3, $10, $9, $6, $7, $11}' >&2
}

for i in $(seq 1 "$RUNS"); do run_one "$i"; done
{
  echo "## AutoArr suite: --profile $PROFILE --time-scale $TIME_SCALE ($RUNS runs)"
  echo
  echo "| run | peak users | req/s | failures | arrload CPU (% of one core) | arrload max RSS (kB) | target CPU |"
  echo "|---:|---:|---:|---:|---:|---:|---:|"
  awk -F'\t' 'NR > 1 {printf "| %s | %s | %s | %s | %s%% | %s | %s%% |\n", $2, $3, $10, $9, $6, $7, $11}' "$ROWS"
  echo
  echo "Per run: $ROWS"
} | tee "$OUT/summary.md"
