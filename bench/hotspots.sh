#!/usr/bin/env bash
# Hot spots of arrload on the request path: a short run (DURATION=3 s, USERS=10, wait none,
# --threads 1) against a local nginx on 127.0.0.1, profiled twice:
#  1. perf record (cpu-clock sampling; this VM has no hardware counters), whole process incl. kernel;
#  2. valgrind --tool=callgrind, user space only, collection switched on after the users spawned
#     (steady state), summarised by bench/callgrind_top.py: top functions by self cost, and who
#     calls malloc / operator new / free / pthread_mutex_lock / clock_gettime, per request.
# Also counts system calls per request with strace -c (arrload, then wrk for comparison).
#
# Usage: bench/hotspots.sh     Environment: NICE=-15 DURATION=3 USERS=10 ARRLOAD=... OUT=...
#        PARTS="perf callgrind strace" (any subset; `PARTS=callgrind` for a repeatable
#        instructions-per-request figure to compare two builds)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
own_autogroup bash "$0" "$@"

DURATION=${DURATION:-3}
USERS=${USERS:-10}
PARTS=${PARTS:-perf callgrind strace}
want() { [[ " $PARTS " == *" $1 "* ]]; }
a_req=0 w_req=0
OUT=${OUT:-$ROOT/results/bench/hotspots-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

ensure_pkgs nginx:nginx-light wrk:wrk taskset:util-linux curl:curl perf:linux-perf \
  valgrind:valgrind strace:strace python3:python3
snapshot_arrload
PORT=$(pick_port)
URL=http://127.0.0.1:$PORT
start_nginx "$PORT" 1 600
trap stop_nginx EXIT
SCENARIO=$BENCH_DIR/scenarios/throughput.yaml
run_args=(run --headless -f "$SCENARIO" -H "$URL" -u "$USERS" -r 1000 -t "${DURATION}s" --threads 1 --only-summary)

if want perf; then
log "perf record, ${DURATION}s"
timeout $((DURATION + 60)) nice -n "$NICE" taskset -c 0 perf record -e cpu-clock -F 4000 -g \
  -o "$OUT/perf.data" -- "$ARRLOAD_BIN" "${run_args[@]}" --csv "$OUT/perf" >"$OUT/perf-run.log" 2>&1
perf report -i "$OUT/perf.data" --no-children --sort dso --stdio -g none 2>/dev/null |
  grep '%' >"$OUT/perf-dso.txt" || true
perf report -i "$OUT/perf.data" --no-children --sort sym --stdio -g none 2>/dev/null |
  grep '%' | head -40 >"$OUT/perf-top.txt" || true
perf report -i "$OUT/perf.data" --no-children --sort sym --stdio -g none 2>/dev/null |
  grep '\[\.\]' | head -25 >"$OUT/perf-top-user.txt" || true
fi

if want callgrind; then
log "callgrind, ${DURATION}s (collection from 2 s on)"
timeout $((DURATION + 120)) nice -n "$NICE" taskset -c 0 valgrind --tool=callgrind --instr-atstart=no \
  --callgrind-out-file="$OUT/callgrind.out" "$ARRLOAD_BIN" "${run_args[@]}" --csv "$OUT/callgrind" \
  >"$OUT/callgrind-run.log" 2>&1 &
cg=$!
sleep 2  # valgrind starts slowly; the users are all running after this
vg=$(pgrep -n -f -- "--callgrind-out-file=$OUT/callgrind.out" || true)
if ! { [[ -n $vg ]] && callgrind_control -i on "$vg" >"$OUT/callgrind-control.log" 2>&1; }; then
  log "could not switch callgrind's collection on (pid '$vg')"
fi
wait "$cg" || true
python3 "$BENCH_DIR/callgrind_top.py" "$OUT/callgrind.out" --top 20 >"$OUT/callgrind-top.txt"
fi

if want strace; then
log "strace -c, ${DURATION}s each"
timeout $((DURATION + 60)) nice -n "$NICE" taskset -c 0 strace -f -c -o "$OUT/arrload.strace" \
  "$ARRLOAD_BIN" "${run_args[@]}" --csv "$OUT/strace" >"$OUT/strace-run.log" 2>&1 || true
timeout $((DURATION + 60)) nice -n "$NICE" taskset -c 0 strace -f -c -o "$OUT/wrk.strace" \
  wrk -t1 -c"$USERS" -d"${DURATION}s" "$URL/a" >"$OUT/wrk-strace.log" 2>&1 || true
a_req=$(awk -F, '$2 == "Aggregated" {print $3}' "$OUT/strace_stats.csv")
w_req=$(awk '/requests in/ {print $1}' "$OUT/wrk-strace.log")
fi
per_req() { awk -v r="$2" '$NF ~ /^[a-z_0-9]+$/ && $4 ~ /^[0-9]+$/ && $NF != "total" {printf "  %-16s %6.2f per request\n", $NF, $4 / r}' "$1" | sort -k2 -gr | head -8; }

touch "$OUT/perf-dso.txt" "$OUT/perf-top.txt" "$OUT/perf-top-user.txt" "$OUT/callgrind-top.txt" \
  "$OUT/arrload.strace" "$OUT/wrk.strace"
{
  echo "== perf: share of samples by object (arrload process, all threads)"
  head -8 "$OUT/perf-dso.txt"
  echo
  echo "== perf: top 15 symbols by self samples"
  head -15 "$OUT/perf-top.txt" | cut -c1-150
  echo
  echo "== perf: top 15 user-space symbols"
  head -15 "$OUT/perf-top-user.txt" | cut -c1-150
  echo
  echo "== callgrind (user space, steady state)"
  cat "$OUT/callgrind-top.txt"
  echo
  echo "== system calls per request: arrload ($a_req requests under strace)"
  per_req "$OUT/arrload.strace" "$a_req"
  echo "== system calls per request: wrk ($w_req requests under strace)"
  per_req "$OUT/wrk.strace" "$w_req"
} | tee "$OUT/summary.txt"
