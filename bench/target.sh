#!/usr/bin/env bash
# Throughput of the embedded AutoArr target on one core: `arrload target --latency-scale 0
# --threads 1` pinned to SERVER_CPU (1), driven by wrk pinned to GEN_CPU (0), DURATION seconds
# per route, on 127.0.0.1 only. Prints requests/s per route and the target's CPU use (was the
# target the bottleneck?). Every load is bounded by wrk -d and by `timeout`.
#
# Usage: bench/target.sh
# Environment: NICE=-15 DURATION=10 CONNECTIONS=50 GEN_CPU=0 SERVER_CPU=1
#              ARRLOAD=build/arrload (copied first)  OUT=results/bench/target-<time>
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
own_autogroup bash "$0" "$@"

DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-50}
GEN_CPU=${GEN_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
ROUTES=(/health /api/v1/shows/ /api/v1/downloads/queue)
OUT=${OUT:-$ROOT/results/bench/target-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

ensure_pkgs wrk:wrk taskset:util-linux curl:curl
snapshot_arrload
raise_nofile 65536 >/dev/null
PORT=$(pick_port)
URL=http://127.0.0.1:$PORT

taskset -c "$SERVER_CPU" nice -n "$NICE" "$ARRLOAD_BIN" target --port "$PORT" --threads 1 \
  --latency-scale 0 --db :memory: >"$OUT/target.out" 2>"$OUT/target.err" &
TARGET_PID=$!
trap 'kill "$TARGET_PID" 2>/dev/null || true; wait "$TARGET_PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fsS "$URL/ping" >/dev/null 2>&1 && break
  sleep 0.05
done
curl -fsS "$URL/ping" >/dev/null || die "the target did not start (see $OUT/target.err)"

printf '%-28s %12s %10s %12s\n' route requests/s "p99" "target CPU"
for route in "${ROUTES[@]}"; do
  before=$(proc_cpu_ticks "$TARGET_PID")
  timeout $((DURATION + 30)) taskset -c "$GEN_CPU" nice -n "$NICE" \
    wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "$URL$route" >"$OUT/wrk${route//\//_}.txt"
  after=$(proc_cpu_ticks "$TARGET_PID")
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$OUT/wrk${route//\//_}.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$OUT/wrk${route//\//_}.txt")
  errors=$(awk '/Non-2xx|Socket errors/' "$OUT/wrk${route//\//_}.txt")
  cpu=$(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v d="$DURATION" \
    'BEGIN {printf "%.0f%%", 100 * t / hz / d}')
  printf '%-28s %12.0f %10s %12s\n' "$route" "$rps" "$p99" "$cpu"
  [[ -z $errors ]] || log "$route: $errors"
done
log "results and wrk output in $OUT"
