#!/usr/bin/env bash
# End to end on one machine: an arrload master with 2 arrload workers vs one arrload process,
# the same total users, against a local nginx (1 worker) on 127.0.0.1.
#
# nginx is pinned to SERVER_CPU (1); the load (the single process, or the master and both
# workers) to GEN_CPU (0), so both setups have exactly one core to make load with. Runs the two
# setups in turn RUNS times for DURATION seconds each and reports each run's total requests/s
# (from the master's or the process's CSV Aggregated row) and the medians' ratio
# cluster/single. Every process is bounded by -t and by `timeout`.
#
# Usage: bench/cluster.sh [--help]
# Environment: NICE=-15 RUNS=3 DURATION=15 USERS=50 GEN_CPU=0 SERVER_CPU=1
#              ARRLOAD=build/arrload (copied first)  OUT=results/bench/cluster-<time>
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
own_autogroup bash "$0" "$@"

RUNS=${RUNS:-3}
DURATION=${DURATION:-15}
USERS=${USERS:-50}
GEN_CPU=${GEN_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
OUT=${OUT:-$ROOT/results/bench/cluster-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

ensure_pkgs nginx:nginx-light taskset:util-linux curl:curl
snapshot_arrload
raise_nofile 65536 >/dev/null
PORT=$(pick_port)
URL=http://127.0.0.1:$PORT
start_nginx "$PORT" "$SERVER_CPU" $((RUNS * 2 * (DURATION + 40) + 120))
trap stop_nginx EXIT
SCENARIO=$BENCH_DIR/scenarios/throughput.yaml
ROWS=$OUT/rows.tsv
printf 'setup\trun\trequests\treq_per_s\n' >"$ROWS"

# The Aggregated row's request count and Requests/s from a _stats.csv.
aggregated() { awk -F, '$2 == "Aggregated" {print $3 "\t" $10}' "$1"; }

run_single() {
  local i=$1
  log "single run $i: $USERS users, --threads 1, ${DURATION}s"
  timeout $((DURATION + 60)) nice -n "$NICE" taskset -c "$GEN_CPU" "$ARRLOAD_BIN" run -f "$SCENARIO" \
    -H "$URL" -u "$USERS" -r 1000 -t "${DURATION}s" --headless --only-summary --threads 1 \
    --csv "$OUT/single-$i" --exit-code-on-error 0 >"$OUT/single-$i.out" 2>"$OUT/single-$i.err"
  printf 'single\t%s\t%s\n' "$i" "$(aggregated "$OUT/single-${i}_stats.csv")" >>"$ROWS"
}

run_cluster() {
  local i=$1 mport
  mport=$((PORT + 100))
  log "cluster run $i: master + 2 workers, $USERS users in all, --threads 1 each, ${DURATION}s"
  timeout $((DURATION + 60)) nice -n "$NICE" taskset -c "$GEN_CPU" "$ARRLOAD_BIN" run -f "$SCENARIO" \
    --master --master-bind-host 127.0.0.1 --master-bind-port "$mport" --expect-workers 2 \
    -H "$URL" -u "$USERS" -r 1000 -t "${DURATION}s" --headless --only-summary \
    --csv "$OUT/cluster-$i" --exit-code-on-error 0 >"$OUT/cluster-$i.out" 2>"$OUT/cluster-$i.err" &
  local master=$!
  local w pids=()
  for w in 1 2; do
    timeout $((DURATION + 60)) nice -n "$NICE" taskset -c "$GEN_CPU" "$ARRLOAD_BIN" run -f "$SCENARIO" \
      --worker --master-host 127.0.0.1 --master-port "$mport" --threads 1 \
      >"$OUT/cluster-$i-w$w.out" 2>"$OUT/cluster-$i-w$w.err" &
    pids+=($!)
  done
  wait "$master" || true
  wait "${pids[@]}" || true  # not a bare `wait`: nginx runs in the background too
  printf 'cluster\t%s\t%s\n' "$i" "$(aggregated "$OUT/cluster-${i}_stats.csv")" >>"$ROWS"
}

log "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$RUNS"); do
  run_single "$i"
  run_cluster "$i"
done
log "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
single=$(awk -F'\t' '$1 == "single" {print $4}' "$ROWS" | median)
cluster=$(awk -F'\t' '$1 == "cluster" {print $4}' "$ROWS" | median)
{
  echo "| setup | runs (req/s) | median req/s |"
  echo "|---|---|---|"
  for s in single cluster; do
    printf '| %s | %s | %s |\n' "$s" "$(awk -F'\t' -v s="$s" '$1 == s {printf "%s%.0f", sep, $4; sep=", "}' "$ROWS")" \
      "$(awk -F'\t' -v s="$s" '$1 == s {print $4}' "$ROWS" | median | xargs printf '%.0f')"
  done
  awk -v a="$cluster" -v b="$single" 'BEGIN {printf "\ncluster / single: %.3f\n", a / b}'
} | tee "$OUT/summary.md"
