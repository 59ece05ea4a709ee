#!/usr/bin/env bash
# Throughput per core: arrload vs wrk, h2load (--h1) and Locust (FastHttpUser and HttpUser)
# against a local nginx (1 worker) on 127.0.0.1.
#
# nginx is pinned to SERVER_CPU (1), the generator to GEN_CPU (0). Runs the tools in turn
# (A B C D E A B C D E ...) RUNS times for DURATION seconds each and reports, per tool, the median
# requests/s and CPU-seconds per 1,000 requests (user+sys of the generator process, all threads,
# from /usr/bin/time), the nginx worker's CPU use (was the server the bottleneck?), and the
# ratios arrload/wrk and arrload/Locust-FastHttpUser. Every load is bounded by its own duration
# option and by `timeout`.
#
# Usage: bench/throughput.sh [--help]
# Environment: NICE=-15 RUNS=3 DURATION=15 USERS=50 GEN_CPU=0 SERVER_CPU=1
#              TOOLS="arrload wrk h2load locust-fast locust-http" (any subset, in this order)
#              ARRLOAD=build/arrload (copied first)  OUT=results/bench/throughput-<time>
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
own_autogroup bash "$0" "$@"

RUNS=${RUNS:-3}
DURATION=${DURATION:-15}
USERS=${USERS:-50}
GEN_CPU=${GEN_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
TOOLS=${TOOLS:-arrload wrk h2load locust-fast locust-http}
OUT=${OUT:-$ROOT/results/bench/throughput-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

ensure_pkgs nginx:nginx-light wrk:wrk h2load:nghttp2-client locust:python3-locust taskset:util-linux \
  curl:curl /usr/bin/time:time
snapshot_arrload
raise_nofile 65536 >/dev/null
PORT=$(pick_port)
URL=http://127.0.0.1:$PORT
NTOOLS=$(wc -w <<<"$TOOLS")
start_nginx "$PORT" "$SERVER_CPU" $((RUNS * NTOOLS * (DURATION + 30) + 120))
trap stop_nginx EXIT
NGINX_WORKER=$(nginx_worker_pid)
SCENARIO=$BENCH_DIR/scenarios/throughput.yaml
ROWS=$OUT/rows.tsv
printf 'tool\trun\trequests\tfailures\treq_per_s\tcpu_s\tuser_s\tsys_s\tcpu_ms_per_1k\twall_s\tmaxrss_kb\tnginx_cpu_pct\tcpu%s_busy_pct\tcpu%s_busy_pct\n' \
  "$GEN_CPU" "$SERVER_CPU" >"$ROWS"

# Busy figures over a run: nginx worker CPU %, and each CPU's busy % (anything else running
# on the generator's or the server's CPU shows here).
snap() { echo "$(proc_cpu_ticks "$NGINX_WORKER") $(cpu_busy_ticks "$GEN_CPU") $(cpu_busy_ticks "$SERVER_CPU") $(date +%s.%N)"; }
usage_between() {  # BEFORE AFTER -> "nginx% gen_cpu% server_cpu%"
  read -r n0 g0 s0 t0 <<<"$1"
  read -r n1 g1 s1 t1 <<<"$2"
  awk -v n="$((n1 - n0))" -v g="$((g1 - g0))" -v s="$((s1 - s0))" -v t0="$t0" -v t1="$t1" \
    'BEGIN {d = (t1 - t0) * 100; printf "%.0f %.0f %.0f", 100*n/d, 100*g/d, 100*s/d}'
}

run_arrload() {
  local i=$1 rc=0 before after
  log "arrload run $i: $USERS users, wait none, --threads 1, ${DURATION}s"
  before=$(snap)
  timeout $((DURATION + 60)) nice -n "$NICE" taskset -c "$GEN_CPU" /usr/bin/time -f '%U %S %e %M' -o "$OUT/arrload-$i.time" \
    "$ARRLOAD_BIN" run --headless -f "$SCENARIO" -H "$URL" -u "$USERS" -r 1000 -t "${DURATION}s" --threads 1 \
    --csv "$OUT/arrload-$i" --only-summary --seed "$i" >"$OUT/arrload-$i.log" 2>&1 || rc=$?
  after=$(snap)
  ((rc == 0)) || log "arrload exited with $rc (see $OUT/arrload-$i.log)"
  local requests failures rps
  requests=$(awk -F, '$2 == "Aggregated" {print $3}' "$OUT/arrload-${i}_stats.csv")
  failures=$(awk -F, '$2 == "Aggregated" {print $4}' "$OUT/arrload-${i}_stats.csv")
  rps=$(awk -F, '$2 == "Aggregated" {printf "%.0f", $10}' "$OUT/arrload-${i}_stats.csv")
  record arrload "$i" "$requests" "$failures" "$rps" "$OUT/arrload-$i.time" "$(usage_between "$before" "$after")"
}

run_wrk() {
  local i=$1 rc=0 before after
  log "wrk run $i: -t1 -c$USERS -d${DURATION}s"
  before=$(snap)
  timeout $((DURATION + 60)) nice -n "$NICE" taskset -c "$GEN_CPU" /usr/bin/time -f '%U %S %e %M' -o "$OUT/wrk-$i.time" \
    wrk -t1 -c"$USERS" -d"${DURATION}s" "$URL/a" >"$OUT/wrk-$i.log" 2>&1 || rc=$?
  after=$(snap)
  ((rc == 0)) || log "wrk exited with $rc (see $OUT/wrk-$i.log)"
  local requests failures rps
  requests=$(awk '/requests in/ {print $1}' "$OUT/wrk-$i.log")
  failures=$(awk '/Non-2xx|Socket errors/ {n++} END {print n + 0}' "$OUT/wrk-$i.log")
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$OUT/wrk-$i.log")
  record wrk "$i" "$requests" "$failures" "$rps" "$OUT/wrk-$i.time" "$(usage_between "$before" "$after")"
}

run_h2load() {
  local i=$1 rc=0 before after
  log "h2load run $i: --h1 -t1 -c$USERS -D $DURATION"
  before=$(snap)
  timeout $((DURATION + 60)) nice -n "$NICE" taskset -c "$GEN_CPU" /usr/bin/time -f '%U %S %e %M' -o "$OUT/h2load-$i.time" \
    h2load --h1 -t1 -c"$USERS" -D "$DURATION" "$URL/a" >"$OUT/h2load-$i.log" 2>&1 || rc=$?
  after=$(snap)
  ((rc == 0)) || log "h2load exited with $rc (see $OUT/h2load-$i.log)"
  local requests failures rps
  # "requests: N total, N started, N done, N succeeded, F failed, E errored, T timeout"
  requests=$(awk '/^requests:/ {print $8}' "$OUT/h2load-$i.log")
  failures=$(awk '/^requests:/ {print $10 + $12 + $14}' "$OUT/h2load-$i.log")
  rps=$(awk '/^finished in/ {printf "%.0f", $4}' "$OUT/h2load-$i.log")
  record h2load "$i" "$requests" "$failures" "$rps" "$OUT/h2load-$i.time" "$(usage_between "$before" "$after")"
}

# run_locust TOOL CLASS RUN: one Locust process (gevent, one core), same users, CSV on.
run_locust() {
  local tool=$1 class=$2 i=$3 rc=0 before after
  log "$tool run $i: locust $class, $USERS users, ${DURATION}s"
  before=$(snap)
  timeout $((DURATION + 60)) nice -n "$NICE" taskset -c "$GEN_CPU" /usr/bin/time -f '%U %S %e %M' -o "$OUT/$tool-$i.time" \
    locust -f "$BENCH_DIR/scenarios/locustfile.py" --headless -u "$USERS" -r "$USERS" -t "${DURATION}s" \
    -H "$URL" --csv "$OUT/$tool-$i" --only-summary --stop-timeout 1 --loglevel WARNING "$class" \
    >"$OUT/$tool-$i.log" 2>&1 || rc=$?
  after=$(snap)
  ((rc == 0)) || log "$tool exited with $rc (see $OUT/$tool-$i.log)"
  local requests failures rps
  requests=$(awk -F, '$2 == "Aggregated" {print $3}' "$OUT/$tool-${i}_stats.csv")
  failures=$(awk -F, '$2 == "Aggregated" {print $4}' "$OUT/$tool-${i}_stats.csv")
  rps=$(awk -F, '$2 == "Aggregated" {printf "%.0f", $10}' "$OUT/$tool-${i}_stats.csv")
  record "$tool" "$i" "$requests" "$failures" "$rps" "$OUT/$tool-$i.time" "$(usage_between "$before" "$after")"
}
run_locust-fast() { run_locust locust-fast FastHammer "$1"; }
run_locust-http() { run_locust locust-http SlowHammer "$1"; }

record() {  # TOOL RUN REQUESTS FAILURES RPS TIMEFILE "NGINX% GEN% SRV%"
  local user sys wall maxrss
  read -r user sys wall maxrss <"$6"
  read -r ng gc sc <<<"$7"
  awk -v OFS='\t' -v tool="$1" -v run="$2" -v req="$3" -v fail="$4" -v rps="$5" -v u="$user" \
    -v s="$sys" -v w="$wall" -v m="$maxrss" -v ng="$ng" -v gc="$gc" -v sc="$sc" 'BEGIN {
      cpu = u + s
      print tool, run, req, fail, rps, cpu, u, s, sprintf("%.2f", 1e6 * cpu / req), w, m, ng, gc, sc
    }' >>"$ROWS"
  tail -1 "$ROWS" | awk -F'\t' '{printf "  -> %s req/s, %s requests, %s failed, CPU %s s (%s ms per 1k req), nginx %s%%\n", $5, $3, $4, $6, $9, $12}' >&2
}

log "warm-up: wrk 2 s"
timeout 30 nice -n "$NICE" taskset -c "$GEN_CPU" wrk -t1 -c"$USERS" -d2s "$URL/a" >/dev/null

for i in $(seq 1 "$RUNS"); do
  for tool in $TOOLS; do "run_$tool" "$i"; done
done

col() { awk -F'\t' -v t="$1" -v c="$2" 'NR > 1 && $1 == t {print $c}' "$ROWS"; }
{
  echo "## Throughput (median of $RUNS interleaved runs, ${DURATION}s each, $USERS connections/users)"
  echo
  echo "| tool | req/s | CPU ms per 1,000 req | req per generator CPU-second | nginx worker CPU | CPU $GEN_CPU busy | failures |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for tool in $TOOLS; do
    awk -v t="$tool" -v a="$(col "$tool" 5 | median)" -v c="$(col "$tool" 9 | median)" \
      -v n="$(col "$tool" 12 | median)" -v g="$(col "$tool" 13 | median)" -v f="$(col "$tool" 4 | paste -sd+ | bc)" \
      'BEGIN {printf "| %s | %d | %.2f | %d | %d%% | %d%% | %d |\n", t, a, c, 1e6 / c, n, g, f}'
  done
  a_rps=$(col arrload 5 | median); a_cpu=$(col arrload 9 | median)
  for ref in wrk locust-fast; do
    [[ " $TOOLS " == *" $ref "* && " $TOOLS " == *" arrload "* ]] || continue
    awk -v r="$ref" -v a="$a_rps" -v w="$(col "$ref" 5 | median)" -v ac="$a_cpu" -v wc="$(col "$ref" 9 | median)" \
      'BEGIN {printf "\nratio arrload/%s: req/s %.2f, requests per CPU-second %.2f\n", r, a / w, wc / ac}'
  done
  echo
  echo "Per run: $ROWS"
} | tee "$OUT/summary.md"
column -t -s $'\t' "$ROWS"
