#!/usr/bin/env bash
# Accuracy and overhead: what latency each tool reports against a server whose latency is known.
#
# The embedded target (`arrload target --latency-scale 0 --added-latency ADDED --threads 1`)
# answers GET /ping after ADDED (20 ms). It runs on SERVER_CPU, the tool on GEN_CPU, USERS
# connections, zero wait, DURATION seconds, RUNS rounds interleaved (arrload, wrk, Locust
# FastHttpUser). After each run the target's log ring (/api/v1/logs?limit=500: the newest ~250 requests, with
# microsecond start and end timestamps) gives the server-side time of each request
# (bench/server_time.py). Tool-added latency = the tool's p50 (p99) minus the server's p50 (p99).
# Tool percentiles: arrload's JSON report (microseconds), wrk --latency (10 us), Locust's own
# response times kept unrounded by the locustfile (BENCH_LATENCY_FILE).
#
# Usage: bench/accuracy.sh [--help]
# Environment: NICE=-15 RUNS=3 DURATION=10 USERS=50 ADDED=20ms GEN_CPU=0 SERVER_CPU=1
#              TOOLS="arrload wrk locust-fast"  ARRLOAD=build/arrload  OUT=results/bench/accuracy-<time>
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
own_autogroup bash "$0" "$@"

RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
USERS=${USERS:-50}
ADDED=${ADDED:-20ms}
GEN_CPU=${GEN_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
TOOLS=${TOOLS:-arrload wrk locust-fast}
OUT=${OUT:-$ROOT/results/bench/accuracy-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

ensure_pkgs wrk:wrk locust:python3-locust taskset:util-linux curl:curl python3:python3
snapshot_arrload
raise_nofile 65536 >/dev/null
PORT=$(pick_port)
URL=http://127.0.0.1:$PORT
NTOOLS=$(wc -w <<<"$TOOLS")
timeout $((RUNS * NTOOLS * (DURATION + 40) + 60)) nice -n "$NICE" taskset -c "$SERVER_CPU" \
  "$ARRLOAD_BIN" target --port "$PORT" --threads 1 --latency-scale 0 --added-latency "$ADDED" \
  --db :memory: --download-seconds 0 >"$OUT/target.out" 2>"$OUT/target.err" &
TARGET_PID=$!
trap 'kill "$TARGET_PID" 2>/dev/null || true; wait "$TARGET_PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fsS "$URL/ping" >/dev/null 2>&1 && break
  sleep 0.05
done
curl -fsS "$URL/ping" >/dev/null || die "the target did not start (see $OUT/target.err)"
log "target on 127.0.0.1:$PORT (CPU $SERVER_CPU), --added-latency $ADDED"

ROWS=$OUT/rows.tsv
printf 'tool\trun\trequests\treq_per_s\tp50_ms\tp99_ms\tserver_n\tserver_p50_ms\tserver_p99_ms\theader_p50_ms\tadded_p50_us\tadded_p99_us\n' >"$ROWS"

# wrk prints "50%   20.13ms"; to milliseconds.
wrk_ms() { awk -v k="$1" '$1 == k {v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
  printf "%.3f", (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v}' "$2"; }

run_tool() {  # TOOL RUN
  local tool=$1 i=$2 rc=0 requests rps p50 p99
  local base=$OUT/$tool-$i
  log "$tool run $i: $USERS connections, zero wait, ${DURATION}s"
  case $tool in
    arrload)
      timeout $((DURATION + 60)) nice -n "$NICE" taskset -c "$GEN_CPU" "$ARRLOAD_BIN" run --headless \
        -f "$BENCH_DIR/scenarios/accuracy.yaml" -H "$URL" -u "$USERS" -r 1000 -t "${DURATION}s" \
        --threads 1 --json "$base.json" --only-summary --seed "$i" >"$base.log" 2>&1 || rc=$?
      read -r requests rps p50 p99 < <(python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["aggregated"]
p = a["response_time_percentiles_ms"]
print(a["num_requests"], round(a["total_rps"]), p["50%"], p["99%"])' "$base.json")
      ;;
    wrk)
      timeout $((DURATION + 60)) nice -n "$NICE" taskset -c "$GEN_CPU" \
        wrk -t1 -c"$USERS" -d"${DURATION}s" --latency "$URL/ping" >"$base.log" 2>&1 || rc=$?
      requests=$(awk '/requests in/ {print $1}' "$base.log")
      rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$base.log")
      p50=$(wrk_ms 50% "$base.log")
      p99=$(wrk_ms 99% "$base.log")
      ;;
    locust-fast)
      BENCH_LATENCY_FILE=$base.lat.json timeout $((DURATION + 60)) nice -n "$NICE" taskset -c "$GEN_CPU" \
        locust -f "$BENCH_DIR/scenarios/locustfile.py" --headless -u "$USERS" -r "$USERS" \
        -t "${DURATION}s" -H "$URL" --csv "$base" --only-summary --stop-timeout 1 \
        --loglevel WARNING FastPing >"$base.log" 2>&1 || rc=$?
      requests=$(awk -F, '$2 == "Aggregated" {print $3}' "${base}_stats.csv")
      rps=$(awk -F, '$2 == "Aggregated" {printf "%.0f", $10}' "${base}_stats.csv")
      read -r p50 p99 < <(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(round(d["p50_ms"], 3), round(d["p99_ms"], 3))' "$base.lat.json")
      ;;
    *) die "unknown tool $tool" ;;
  esac
  ((rc == 0)) || log "$tool exited with $rc (see $base.log)"
  # The newest 500 log entries (~250 requests), all from the end of this run.
  curl -fsS "$URL/api/v1/logs?limit=500" >"$base.server.json"
  local srv
  srv=$(python3 "$BENCH_DIR/server_time.py" <"$base.server.json")
  echo "$srv" >"$base.server-summary.json"
  read -r sn s50 s99 h50 < <(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
r = lambda v: "nan" if v is None else round(v, 3)
print(d["n"], r(d["p50_ms"]), r(d["p99_ms"]), r(d["header_p50_ms"]))' "$srv")
  # With more than ~200 connections in flight the 500 newest log entries hold few complete pairs.
  ((sn > 0)) || log "  no complete request in the target's last 500 log entries (too many connections for the log ring); server time unknown"
  awk -v OFS='\t' -v t="$tool" -v i="$i" -v n="$requests" -v r="$rps" -v p50="$p50" -v p99="$p99" \
    -v sn="$sn" -v s50="$s50" -v s99="$s99" -v h50="$h50" 'BEGIN {
      print t, i, n, r, p50, p99, sn, s50, s99, h50, sprintf("%.0f", 1000 * (p50 - s50)), sprintf("%.0f", 1000 * (p99 - s99)) }' >>"$ROWS"
  tail -1 "$ROWS" | awk -F'\t' '{printf "  -> %s req/s; tool p50 %s ms p99 %s ms; server p50 %s ms p99 %s ms; added %s us / %s us\n", $4, $5, $6, $8, $9, $11, $12}' >&2
}

for i in $(seq 1 "$RUNS"); do
  for tool in $TOOLS; do run_tool "$tool" "$i"; done
done

col() { awk -F'\t' -v t="$1" -v c="$2" 'NR > 1 && $1 == t {print $c}' "$ROWS"; }
{
  echo "## Accuracy (median of $RUNS interleaved runs, ${DURATION}s each, $USERS connections, server adds $ADDED)"
  echo
  echo "| tool | req/s | tool p50 (ms) | tool p99 (ms) | server p50 (ms) | server p99 (ms) | added p50 (us) | added p99 (us) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for tool in $TOOLS; do
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$tool" "$(col "$tool" 4 | median)" \
      "$(col "$tool" 5 | median)" "$(col "$tool" 6 | median)" "$(col "$tool" 8 | median)" \
      "$(col "$tool" 9 | median)" "$(col "$tool" 11 | median)" "$(col "$tool" 12 | median)"
  done
  echo
  echo "Per run: $ROWS"
} | tee "$OUT/summary.md"
column -t -s $'\t' "$ROWS"
