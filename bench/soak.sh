#!/usr/bin/env bash
# Soak: the AutoArr `day` profile at real speed (60 minutes) against the embedded target, with
# arrload's own resident memory, open file descriptors and threads sampled every 10 s.
#   bench/soak.sh [OUT_DIR]        (ARRLOAD=path/to/arrload, SAMPLE_SECONDS=10, TIME_SCALE=1)
#   LOAD="-u 50 -r 5 -t 20m" bench/soak.sh OUT_DIR   (a constant load instead of the day profile)
# Writes OUT_DIR/soak_samples.csv (elapsed_s, rss_kib, fds, threads), the run's reports
# (OUT_DIR/soak_*.csv, soak.json, soak.html, the target memory CSV) and OUT_DIR/console.txt.
# bench/plot_soak.py OUT_DIR/soak_samples.csv > docs/soak.svg draws the plot in docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-bench/results/soak}
ARRLOAD=${ARRLOAD:-build/arrload}
SAMPLE_SECONDS=${SAMPLE_SECONDS:-10}
TIME_SCALE=${TIME_SCALE:-1}
LOAD=${LOAD:---profile day --time-scale $TIME_SCALE}
mkdir -p "$OUT"
# A copy, so a rebuild of the tree during the hour cannot change the binary under the run.
BIN=$(mktemp -d)/arrload
cp "$ARRLOAD" "$BIN"

port_file=$(mktemp)
"$BIN" target --port 0 --threads 1 >"$port_file" 2>"$OUT/target.log" &
target_pid=$!
trap 'kill $target_pid 2>/dev/null || true; [[ -n ${run_pid:-} ]] && kill $run_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -qo 'http://127.0.0.1:[0-9]*' "$port_file" "$OUT/target.log" 2>/dev/null && break
  sleep 0.1
done
host=$(grep -ho 'http://127.0.0.1:[0-9]*' "$port_file" "$OUT/target.log" | head -1)
[[ -n $host ]] || { echo "soak: the target did not say its address" >&2; exit 1; }

# shellcheck disable=SC2086 # LOAD is a list of options
"$BIN" run -f scenarios/autoarr $LOAD --headless \
  --host "$host" --target-pid "$target_pid" --csv "$OUT/soak" --json-file "$OUT/soak.json" \
  --html "$OUT/soak.html" >"$OUT/console.txt" 2>&1 &
run_pid=$!
start=$(date +%s)
echo "elapsed_s,rss_kib,fds,threads" >"$OUT/soak_samples.csv"
while kill -0 $run_pid 2>/dev/null; do
  rss=$(awk '/^VmRSS:/ {print $2}' /proc/$run_pid/status 2>/dev/null || true)
  threads=$(awk '/^Threads:/ {print $2}' /proc/$run_pid/status 2>/dev/null || true)
  fds=$(ls /proc/$run_pid/fd 2>/dev/null | wc -l)
  [[ -n $rss ]] && echo "$(( $(date +%s) - start )),$rss,$fds,$threads" >>"$OUT/soak_samples.csv"
  sleep "$SAMPLE_SECONDS"
done
set +e
wait $run_pid
rc=$?
set -e
echo "soak: arrload exited $rc after $(( $(date +%s) - start )) s; samples in $OUT/soak_samples.csv"
exit $rc
