#!/usr/bin/env bash
# Memory per idle user: arrload with N users, each holding one keep-alive connection to a local
# nginx (127.0.0.1) and waiting (one request, then constant(30) > the run time).
#
# For each N, once all N users have spawned and their connections are open (the arrload process
# holds N sockets and its RSS stopped growing), samples VmRSS, VmHWM and RssAnon from
# /proc/PID/status. Reports bytes per user = (RSS(N) - RSS(1)) / (N - 1). REPEAT runs per N,
# interleaved (1, 1000, 10000, 1, 1000, ...), medians reported. Every run is bounded by -t.
#
# LOCUST_COUNTS ("1 1000 5000") runs Locust (FastHttpUser, bench/scenarios/locustfile.py FastIdle)
# the same way, at the counts it reaches. NOCONN_COUNTS ("100000") runs arrload users whose one
# request goes to a closed port on 127.0.0.1 (connection refused, counted as a failure), so they
# wait without a connection: this shows how many users one process holds when the open-files limit
# (one descriptor per connection) is below N.
#
# Usage: bench/memory.sh [--help]
# MASSIF=1 then runs N=MASSIF_USERS (1000) once under valgrind's massif and lists where
# the heap of idle users goes (bench/massif_top.py).
# arrload's users are spread over SPREAD (8) loopback addresses 127.0.0.1..8 (lib.sh NGINX_ADDRS).
# Environment: SPREAD=8 NICE=-15 COUNTS="1 1000 10000 50000 100000" LOCUST_COUNTS="1 1000 5000"
#              NOCONN_COUNTS="100000" REPEAT=3 MASSIF=0 MASSIF_USERS=1000 THREADS=1 GEN_CPU=0 SERVER_CPU=1
#              ARRLOAD=build/arrload (copied first)  OUT=results/bench/memory-<time>
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
own_autogroup bash "$0" "$@"

COUNTS=${COUNTS:-1 1000 10000 50000 100000}
LOCUST_COUNTS=${LOCUST_COUNTS-1 1000 5000}
NOCONN_COUNTS=${NOCONN_COUNTS-100000}
REPEAT=${REPEAT:-3}
THREADS=${THREADS:-1}
GEN_CPU=${GEN_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
OUT=${OUT:-$ROOT/results/bench/memory-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

MASSIF=${MASSIF:-0}
MASSIF_USERS=${MASSIF_USERS:-1000}
ensure_pkgs nginx:nginx-light taskset:util-linux curl:curl ss:iproute2
[[ -n $LOCUST_COUNTS ]] && ensure_pkgs locust:python3-locust
((MASSIF)) && ensure_pkgs valgrind:valgrind python3:python3
snapshot_arrload
# Each user needs one descriptor in arrload and one in nginx (separate processes, same limit).
NOFILE=$(raise_nofile 200000)
read -r PORT_LO PORT_HI </proc/sys/net/ipv4/ip_local_port_range
EPHEMERAL=$((PORT_HI - PORT_LO + 1))
log "open files limit: $NOFILE; ephemeral ports: $EPHEMERAL"

SPREAD=${SPREAD:-8}
NGINX_ADDRS=$(loopback_addrs "$SPREAD")  # read by start_nginx (lib.sh)
export NGINX_ADDRS
PORT=$(pick_port)
URL=http://127.0.0.1:$PORT
start_nginx "$PORT" "$SERVER_CPU" 3600
trap stop_nginx EXIT
# arrload's users spread over SPREAD loopback addresses (see NGINX_ADDRS in lib.sh).
SCENARIO=$OUT/idle-spread.yaml
spread_idle_scenario "$SCENARIO" "$PORT" "$SPREAD"
ROWS=$OUT/rows.tsv
printf 'tool\tusers\trun\tspawned_s\tsockets\tnginx_conns\tvmrss_kb\tvmhwm_kb\trssanon_kb\trequests\tfailures\tnote\n' >"$ROWS"

# Both tolerate a process that ends or descriptors that close while they read.
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
socket_count() { { find "/proc/$1/fd" -lname 'socket:*' 2>/dev/null || true; } | wc -l; }

run_one() {  # TOOL N RUN   (TOOL: arrload, locust or arrload-noconn)
  local tool=$1 n=$2 run=$3
  local rate=$(((n + 2) / 3))  # all users within ~3 s
  ((rate < 1)) && rate=1
  local run_time=$((n / rate + 12))
  local base=$OUT/$tool-n$n-$run
  log "$tool N=$n run $run: spawn rate $rate/s, run time ${run_time}s"
  case $tool in
    arrload | arrload-noconn)
      local host=$URL scenario=$SCENARIO
      if [[ $tool == arrload-noconn ]]; then
        host=http://127.0.0.1:$CLOSED_PORT
        scenario=$BENCH_DIR/scenarios/idle.yaml
      fi
      nice -n "$NICE" taskset -c "$GEN_CPU" "$ARRLOAD_BIN" run --headless -f "$scenario" -H "$host" -u "$n" -r "$rate" \
        -t "${run_time}s" --threads "$THREADS" --csv "$base" --only-summary --seed "$run" --no-preflight \
        >"$base.log" 2>&1 &
      ;;
    locust)
      # Locust runs in the foreground of its own process: exec keeps $! its PID.
      nice -n "$NICE" taskset -c "$GEN_CPU" locust -f "$BENCH_DIR/scenarios/locustfile.py" --headless \
        -u "$n" -r "$rate" -t "${run_time}s" -H "$URL" --csv "$base" --only-summary --stop-timeout 1 \
        --loglevel WARNING FastIdle >"$base.log" 2>&1 &
      ;;
  esac
  local pid=$!
  # Belt and braces: -t ends the run; this ends it if -t somehow did not.
  (sleep $((run_time + 60)) && kill -TERM "$pid" 2>/dev/null) &
  local guard=$!
  local t0=$SECONDS sockets=0 prev=-1 rss note="" want=$n
  # Users without a connection hold no socket: wait for the spawn time, then for a stable RSS.
  [[ $tool == arrload-noconn ]] && want=0
  # Wait for N sockets, then for RSS to stop growing (two equal samples 0.5 s apart).
  while kill -0 "$pid" 2>/dev/null && ((SECONDS - t0 < run_time - 4)); do
    sockets=$(socket_count "$pid")
    if ((sockets >= want)) && { [[ $tool != arrload-noconn ]] || ((SECONDS - t0 > n / rate + 1)); }; then
      rss=$(status_kb "$pid" VmRSS)
      [[ $rss == "$prev" ]] && break
      prev=$rss
    fi
    sleep 0.5
  done
  local spawned=$((SECONDS - t0))
  ((sockets >= want)) || note="only $sockets of $n sockets open"
  [[ $tool == arrload-noconn ]] && note="no connections (closed port)"
  sleep 1
  local vmrss vmhwm anon conns
  vmrss=$(status_kb "$pid" VmRSS)
  vmhwm=$(status_kb "$pid" VmHWM)
  anon=$(status_kb "$pid" RssAnon)
  sockets=$(socket_count "$pid")
  conns=$(ss -Htn state established "( sport = :$PORT )" | wc -l)
  log "  sockets $sockets, nginx connections $conns, VmRSS $vmrss kB, VmHWM $vmhwm kB, RssAnon $anon kB"
  wait "$pid" || true
  kill "$guard" 2>/dev/null || true
  wait "$guard" 2>/dev/null || true
  local requests failures
  requests=$(awk -F, '$2 == "Aggregated" {print $3}' "${base}_stats.csv" 2>/dev/null || echo "?")
  failures=$(awk -F, '$2 == "Aggregated" {print $4}' "${base}_stats.csv" 2>/dev/null || echo "?")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$n" "$run" "$spawned" "$sockets" \
    "$conns" "$vmrss" "$vmhwm" "$anon" "${requests:-?}" "${failures:-?}" "${note:--}" >>"$ROWS"
}

# A port on 127.0.0.1 nothing listens on (for arrload-noconn).
CLOSED_PORT=18079
port_free "$CLOSED_PORT" || die "port $CLOSED_PORT is in use (arrload-noconn needs it closed)"

counts=()
for n in $COUNTS; do
  if ((n + 64 > NOFILE)); then
    log "skipping N=$n: needs about $((n + 64)) open files per process, the limit is $NOFILE (hard limit $(ulimit -Hn); raising it needs CAP_SYS_RESOURCE)"
    echo "N=$n skipped: open files limit $NOFILE (hard $(ulimit -Hn))" >>"$OUT/skipped.txt"
    continue
  fi
  if ((n > EPHEMERAL - 1000)); then
    log "skipping N=$n: one destination address:port has only $EPHEMERAL ephemeral ports"
    echo "N=$n skipped: $EPHEMERAL ephemeral ports" >>"$OUT/skipped.txt"
    continue
  fi
  counts+=("$n")
done

locust_counts=()
for n in $LOCUST_COUNTS; do ((n + 64 <= NOFILE)) && locust_counts+=("$n"); done
read -r -a noconn_counts <<<"$NOCONN_COUNTS"

for run in $(seq 1 "$REPEAT"); do
  for n in "${counts[@]}"; do run_one arrload "$n" "$run"; done
  for n in "${locust_counts[@]}"; do run_one locust "$n" "$run"; done
  for n in "${noconn_counts[@]}"; do run_one arrload-noconn "$n" "$run"; done
done

col() { awk -F'\t' -v t="$1" -v n="$2" -v c="$3" 'NR > 1 && $1 == t && $2 == n {print $c}' "$ROWS"; }
{
  echo "## Memory per idle user (median of $REPEAT runs, --threads $THREADS)"
  echo
  echo "| tool | users | VmRSS (kB) | VmHWM (kB) | RssAnon (kB) | bytes/user (RSS) | bytes/user (HWM) |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  summary_rows() {  # TOOL BASE_TOOL COUNTS...
    local tool=$1 base_tool=$2 n
    shift 2
    local base_rss base_hwm
    base_rss=$(col "$base_tool" 1 7 | median); base_hwm=$(col "$base_tool" 1 8 | median)
    for n in "$@"; do
      rss=$(col "$tool" "$n" 7 | median); hwm=$(col "$tool" "$n" 8 | median); anon=$(col "$tool" "$n" 9 | median)
      awk -v t="$tool" -v n="$n" -v r="$rss" -v h="$hwm" -v a="$anon" -v br="$base_rss" -v bh="$base_hwm" 'BEGIN {
        if (n > 1 && br > 0) printf "| %s | %d | %d | %d | %d | %.0f | %.0f |\n", t, n, r, h, a, 1024 * (r - br) / (n - 1), 1024 * (h - bh) / (n - 1)
        else printf "| %s | %d | %d | %d | %d | - | - |\n", t, n, r, h, a }'
    done
  }
  summary_rows arrload arrload "${counts[@]}"
  ((${#locust_counts[@]})) && summary_rows locust locust "${locust_counts[@]}"
  ((${#noconn_counts[@]})) && summary_rows arrload-noconn arrload "${noconn_counts[@]}"
  [[ -f $OUT/skipped.txt ]] && { echo; sed 's/^/- /' "$OUT/skipped.txt"; }
  echo
  echo "Per run: $ROWS"
} | tee "$OUT/summary.md"
column -t -s $'\t' "$ROWS"

if ((MASSIF)); then
  # Idle users under massif: one detailed snapshot per sample, the heap measured while they wait.
  n=$MASSIF_USERS
  log "massif: $n idle users"
  timeout 300 nice -n "$NICE" taskset -c "$GEN_CPU" valgrind --tool=massif --threshold=0.5 \
    --detailed-freq=1 --max-snapshots=200 --massif-out-file="$OUT/massif.out" \
    "$ARRLOAD_BIN" run --headless -f "$SCENARIO" -H "$URL" -u "$n" -r $(((n + 1) / 2)) -t 10s --threads "$THREADS" \
    --csv "$OUT/massif" --only-summary >"$OUT/massif-run.log" 2>&1 || true
  python3 "$BENCH_DIR/massif_top.py" "$OUT/massif.out" --users "$n" | tee "$OUT/massif-top.txt"
fi
