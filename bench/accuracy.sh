#!/usr/bin/env bash
# Accuracy and overhead: what latency each tool reports against a server that measures, per
# request, the time the request spent on its side. Tool-added latency = the tool's p50 (p99)
# minus the server's p50 (p99), on the same run.
#
# SERVER=ref (default): bench/ref_server.cc (built here with g++ -O2 into OUT), one thread,
# epoll + timerfd, answers every request after DELAY_US and records, per request, the time from
# the kernel's receive timestamp of the request (SO_TIMESTAMPNS) to the return of the send()
# that finished the answer ("wire"; includes the server's wake-up and queueing behind other
# requests), and from the return of recv() to that send() ("recv"). It measures every request of
# the run (GET /__reset before, GET /__stats after). Load points (POINTS, "name:users:delay_us"):
#   low    50 connections, 20 ms delay: ~2,400 req/s, the old fixed point (Locust can keep up)
#   half   50 connections, delay = 2 x USERS / S, where S is arrload's saturation (median req/s
#          with delay 0, SAT_RUNS runs of SAT_DURATION s, measured first, wrk alongside): a closed
#          loop of USERS connections then makes at most S / 2 req/s (a little less: the delay
#          comes on top of the time outside the server). Only the TOOLS also in HALF_TOOLS
#          (default arrload wrk: Locust saturates near 4,000 req/s).
# SERVER=target: the old method, the embedded target (`arrload target --latency-scale 0
# --added-latency ADDED --threads 1`) and its log ring ("Request started"/"Request completed",
# the newest ~250 requests, bench/server_time.py). Its window leaves out socket reading, parsing
# and writing, so it under-states the server's time (see docs/BENCHMARKS.md, section 4).
#
# The server runs on SERVER_CPU, the tool on GEN_CPU, zero wait, DURATION seconds, RUNS rounds
# interleaved (arrload, wrk, Locust FastHttpUser, arrload, ...). Tool percentiles: arrload's JSON
# report (histogram, < 0.1% error), wrk --latency (10 us), Locust's response times kept unrounded
# by the locustfile (BENCH_LATENCY_FILE).
#
# Usage: bench/accuracy.sh [--help]
# Environment: NICE=-15 RUNS=3 DURATION=10 GEN_CPU=0 SERVER_CPU=1 SERVER=ref
#              POINTS="low:50:20000 half:50:auto" TOOLS="arrload wrk locust-fast" HALF_TOOLS="arrload wrk"
#              SAT_RUNS=3 SAT_DURATION=5   (SERVER=target: USERS=50 ADDED=20ms, one point)
#              ARRLOAD=build/arrload  OUT=results/bench/accuracy-<time>
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
own_autogroup bash "$0" "$@"

RUNS=${RUNS:-3}
DURATION=${DURATION:-10}
GEN_CPU=${GEN_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
SERVER=${SERVER:-ref}
TOOLS=${TOOLS:-arrload wrk locust-fast}
HALF_TOOLS=${HALF_TOOLS:-arrload wrk}
POINTS=${POINTS:-low:50:20000 half:50:auto}
SAT_RUNS=${SAT_RUNS:-3}
SAT_DURATION=${SAT_DURATION:-5}
USERS=${USERS:-50}   # SERVER=target only
ADDED=${ADDED:-20ms} # SERVER=target only
OUT=${OUT:-$ROOT/results/bench/accuracy-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

ensure_pkgs wrk:wrk locust:python3-locust taskset:util-linux curl:curl python3:python3 g++:g++
snapshot_arrload
raise_nofile 65536 >/dev/null
PORT=$(pick_port)
URL=http://127.0.0.1:$PORT
SERVER_PID=""
stop_server() {
  [[ -n $SERVER_PID ]] || return 0
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}
trap stop_server EXIT

wait_for_server() {  # PATH
  for _ in $(seq 100); do
    curl -fsS "$URL$1" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  die "the server did not start (see $OUT/server-*.err)"
}

# start_ref_server DELAY_US SECONDS
start_ref_server() {
  stop_server
  timeout "$2" nice -n "$NICE" taskset -c "$SERVER_CPU" "$OUT/ref_server" "$PORT" "$1" \
    >"$OUT/server-$1.out" 2>"$OUT/server-$1.err" &
  SERVER_PID=$!
  wait_for_server /__reset
  log "ref_server on 127.0.0.1:$PORT (CPU $SERVER_CPU), delay $1 us"
}

if [[ $SERVER == ref ]]; then
  g++ -O2 -std=c++20 -o "$OUT/ref_server" "$BENCH_DIR/ref_server.cc" || die "could not build bench/ref_server.cc"
elif [[ $SERVER == target ]]; then
  POINTS="target:$USERS:$ADDED"
  NTOOLS=$(wc -w <<<"$TOOLS")
  timeout $((RUNS * NTOOLS * (DURATION + 40) + 60)) nice -n "$NICE" taskset -c "$SERVER_CPU" \
    "$ARRLOAD_BIN" target --port "$PORT" --threads 1 --latency-scale 0 --added-latency "$ADDED" \
    --db :memory: --download-seconds 0 >"$OUT/target.out" 2>"$OUT/server-target.err" &
  SERVER_PID=$!
  wait_for_server /ping
  log "target on 127.0.0.1:$PORT (CPU $SERVER_CPU), --added-latency $ADDED"
else
  die "SERVER must be ref or target"
fi

ROWS=$OUT/rows.tsv
printf 'point\ttool\trun\tusers\tdelay_us\tload\trequests\treq_per_s\tp50_ms\tp99_ms\tserver_n\tserver_p50_ms\tserver_p99_ms\trecv_p50_ms\trecv_p99_ms\tadded_p50_us\tadded_p99_us\n' >"$ROWS"

# wrk prints "50%   20.13ms"; to milliseconds.
wrk_ms() { awk -v k="$1" '$1 == k {v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
  printf "%.3f", (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v}' "$2"; }

# run_load TOOL BASE USERS SECONDS: runs one tool; prints "requests req/s p50_ms p99_ms".
run_load() {
  local tool=$1 base=$2 users=$3 secs=$4 rc=0
  case $tool in
    arrload)
      timeout $((secs + 60)) nice -n "$NICE" taskset -c "$GEN_CPU" "$ARRLOAD_BIN" run --headless \
        -f "$BENCH_DIR/scenarios/accuracy.yaml" -H "$URL" -u "$users" -r 1000 -t "${secs}s" \
        --threads 1 --json-file "$base.json" --only-summary --seed 1 >"$base.log" 2>&1 || rc=$?
      python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["aggregated"]
p = a["response_time_percentiles_ms"]
print(a["num_requests"], round(a["total_rps"]), p["50%"], p["99%"])' "$base.json"
      ;;
    wrk)
      timeout $((secs + 60)) nice -n "$NICE" taskset -c "$GEN_CPU" \
        wrk -t1 -c"$users" -d"${secs}s" --latency "$URL/ping" >"$base.log" 2>&1 || rc=$?
      echo "$(awk '/requests in/ {print $1}' "$base.log") $(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$base.log")" \
        "$(wrk_ms 50% "$base.log") $(wrk_ms 99% "$base.log")"
      ;;
    locust-fast)
      BENCH_LATENCY_FILE=$base.lat.json timeout $((secs + 60)) nice -n "$NICE" taskset -c "$GEN_CPU" \
        locust -f "$BENCH_DIR/scenarios/locustfile.py" --headless -u "$users" -r "$users" \
        -t "${secs}s" -H "$URL" --csv "$base" --only-summary --stop-timeout 1 \
        --loglevel WARNING FastPing >"$base.log" 2>&1 || rc=$?
      echo "$(awk -F, '$2 == "Aggregated" {print $3}' "${base}_stats.csv")" \
        "$(awk -F, '$2 == "Aggregated" {printf "%.0f", $10}' "${base}_stats.csv")" \
        "$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print(round(d["p50_ms"], 3), round(d["p99_ms"], 3))' "$base.lat.json")"
      ;;
    *) die "unknown tool $tool" ;;
  esac
  ((rc == 0)) || log "$tool exited with $rc (see $base.log)"
}

# server_times BASE: prints "n p50_ms p99_ms recv_p50_ms recv_p99_ms" for the run just made.
server_times() {
  local base=$1
  if [[ $SERVER == ref ]]; then
    curl -fsS "$URL/__stats" >"$base.server.json"
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
w, r = d["wire"], d["recv"]
print(d["n"], *(round(v / 1000, 4) for v in (w["p50_us"], w["p99_us"], r["p50_us"], r["p99_us"])))' "$base.server.json"
  else
    # The newest 500 log entries (~250 requests), all from the end of this run.
    curl -fsS "$URL/api/v1/logs?limit=500" >"$base.server.json"
    python3 "$BENCH_DIR/server_time.py" <"$base.server.json" >"$base.server-summary.json"
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
r = lambda v: "nan" if v is None else round(v, 3)
print(d["n"], r(d["p50_ms"]), r(d["p99_ms"]), "nan", "nan")' "$base.server-summary.json"
  fi
}

run_tool() {  # POINT TOOL RUN USERS DELAY_US
  local point=$1 tool=$2 i=$3 users=$4 delay=$5
  local base=$OUT/$point-$tool-$i load requests rps p50 p99 sn s50 s99 r50 r99
  load=$(cut -d' ' -f1 /proc/loadavg)
  log "$point: $tool run $i, $users connections, zero wait, server delay $delay, ${DURATION}s (load $load)"
  [[ $SERVER == ref ]] && curl -fsS "$URL/__reset" >/dev/null
  read -r requests rps p50 p99 < <(run_load "$tool" "$base" "$users" "$DURATION")
  read -r sn s50 s99 r50 r99 < <(server_times "$base")
  ((sn > 0)) || log "  no server time for this run"
  awk -v OFS='\t' -v pt="$point" -v t="$tool" -v i="$i" -v u="$users" -v d="$delay" -v l="$load" \
    -v n="$requests" -v r="$rps" -v p50="$p50" -v p99="$p99" -v sn="$sn" -v s50="$s50" -v s99="$s99" \
    -v r50="$r50" -v r99="$r99" 'BEGIN {
      print pt, t, i, u, d, l, n, r, p50, p99, sn, s50, s99, r50, r99,
        sprintf("%.0f", 1000 * (p50 - s50)), sprintf("%.0f", 1000 * (p99 - s99)) }' >>"$ROWS"
  tail -1 "$ROWS" | awk -F'\t' '{printf "  -> %s req/s; tool p50 %s ms p99 %s ms; server p50 %s ms p99 %s ms; added %s us / %s us\n", $8, $9, $10, $12, $13, $16, $17}' >&2
}

# Saturation (SERVER=ref, a point with delay "auto"): delay 0, arrload and wrk interleaved.
SAT_RPS=""
if [[ $SERVER == ref && $POINTS == *:auto* ]]; then
  sat_users=$(tr ' ' '\n' <<<"$POINTS" | awk -F: '$3 == "auto" {print $2; exit}')
  start_ref_server 0 $((SAT_RUNS * 2 * (SAT_DURATION + 40) + 60))
  printf 'tool\trun\tusers\tload\trequests\treq_per_s\tp50_ms\tp99_ms\n' >"$OUT/saturation.tsv"
  for i in $(seq 1 "$SAT_RUNS"); do
    for tool in arrload wrk; do
      load=$(cut -d' ' -f1 /proc/loadavg)
      log "saturation: $tool run $i, $sat_users connections, delay 0, ${SAT_DURATION}s (load $load)"
      read -r requests rps p50 p99 < <(run_load "$tool" "$OUT/sat-$tool-$i" "$sat_users" "$SAT_DURATION")
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$i" "$sat_users" "$load" "$requests" "$rps" "$p50" "$p99" >>"$OUT/saturation.tsv"
      log "  -> $rps req/s"
    done
  done
  SAT_RPS=$(awk -F'\t' 'NR > 1 && $1 == "arrload" {print $6}' "$OUT/saturation.tsv" | median)
  log "saturation (arrload, median): $SAT_RPS req/s"
fi

for spec in $POINTS; do
  IFS=: read -r point users delay <<<"$spec"
  tools=$TOOLS
  if [[ $delay == auto ]]; then
    delay=$(awk -v u="$users" -v s="$SAT_RPS" 'BEGIN {printf "%d", 2e6 * u / s}')
    tools=$(for t in $HALF_TOOLS; do if [[ " $TOOLS " == *" $t "* ]]; then echo "$t"; fi; done | xargs)
  fi
  if [[ $SERVER == ref ]]; then
    start_ref_server "$delay" $((RUNS * $(wc -w <<<"$tools") * (DURATION + 40) + 60))
  fi
  for i in $(seq 1 "$RUNS"); do
    for tool in $tools; do run_tool "$point" "$tool" "$i" "$users" "$delay"; done
  done
done
stop_server

col() { awk -F'\t' -v p="$1" -v t="$2" -v c="$3" 'NR > 1 && $1 == p && $2 == t {print $c}' "$ROWS"; }
{
  echo "## Accuracy (server: $SERVER; median of $RUNS interleaved runs, ${DURATION}s each)"
  [[ -n $SAT_RPS ]] && echo && echo "Saturation (delay 0, arrload, median of $SAT_RUNS): $SAT_RPS req/s ($OUT/saturation.tsv)"
  echo
  echo "| point | tool | conns | delay (us) | req/s | tool p50 (ms) | tool p99 (ms) | server p50 (ms) | server p99 (ms) | added p50 (us) | added p99 (us) | load avg |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  for point in $(awk -F'\t' 'NR > 1 {print $1}' "$ROWS" | uniq); do
    for tool in $(awk -F'\t' -v p="$point" 'NR > 1 && $1 == p {print $2}' "$ROWS" | awk '!seen[$0]++'); do
      printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$point" "$tool" \
        "$(col "$point" "$tool" 4 | head -1)" "$(col "$point" "$tool" 5 | head -1)" \
        "$(col "$point" "$tool" 8 | median)" "$(col "$point" "$tool" 9 | median)" \
        "$(col "$point" "$tool" 10 | median)" "$(col "$point" "$tool" 12 | median)" \
        "$(col "$point" "$tool" 13 | median)" "$(col "$point" "$tool" 16 | median)" \
        "$(col "$point" "$tool" 17 | median)" "$(col "$point" "$tool" 6 | paste -sd/)"
    done
  done
  echo
  echo "Per run: $ROWS"
} | tee "$OUT/summary.md"
column -t -s $'\t' "$ROWS"
