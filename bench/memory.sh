#!/usr/bin/env bash
# Memory per idle user: arrload with N users, each holding one keep-alive connection to a local
# nginx (127.0.0.1) and waiting (one request, then constant(30) > the run time).
#
# For each N, once all N users have spawned and their connections are open (the arrload process
# holds N sockets and its RSS stopped growing), samples VmRSS, VmHWM and RssAnon from
# /proc/PID/status. Reports bytes per user = (RSS(N) - RSS(1)) / (N - 1). REPEAT runs per N,
# interleaved (1, 1000, 10000, 1, 1000, ...), medians reported. Every run is bounded by -t.
#
# Usage: bench/memory.sh
# MASSIF=1 (default) then runs N=MASSIF_USERS (1000) once under valgrind's massif and lists where
# the heap of idle users goes (bench/massif_top.py).
# Environment: NICE=-15 COUNTS="1 1000 10000 50000" REPEAT=3 MASSIF=1 MASSIF_USERS=1000 THREADS=1 GEN_CPU=0 SERVER_CPU=1
#              ARRLOAD=build/arrload (copied first)  OUT=results/bench/memory-<time>
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
own_autogroup bash "$0" "$@"

COUNTS=${COUNTS:-1 1000 10000 50000}
REPEAT=${REPEAT:-3}
THREADS=${THREADS:-1}
GEN_CPU=${GEN_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
OUT=${OUT:-$ROOT/results/bench/memory-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

MASSIF=${MASSIF:-1}
MASSIF_USERS=${MASSIF_USERS:-1000}
ensure_pkgs nginx:nginx-light taskset:util-linux curl:curl ss:iproute2
((MASSIF)) && ensure_pkgs valgrind:valgrind python3:python3
snapshot_arrload
# Each user needs one descriptor in arrload and one in nginx (separate processes, same limit).
NOFILE=$(raise_nofile 200000)
read -r PORT_LO PORT_HI </proc/sys/net/ipv4/ip_local_port_range
EPHEMERAL=$((PORT_HI - PORT_LO + 1))
log "open files limit: $NOFILE; ephemeral ports: $EPHEMERAL"

PORT=$(pick_port)
URL=http://127.0.0.1:$PORT
start_nginx "$PORT" "$SERVER_CPU" 3600
trap stop_nginx EXIT
SCENARIO=$BENCH_DIR/scenarios/idle.yaml
ROWS=$OUT/rows.tsv
printf 'users\trun\tspawned_s\tsockets\tnginx_conns\tvmrss_kb\tvmhwm_kb\trssanon_kb\trequests\tfailures\tnote\n' >"$ROWS"

# Both tolerate a process that ends or descriptors that close while they read.
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
socket_count() { { find "/proc/$1/fd" -lname 'socket:*' 2>/dev/null || true; } | wc -l; }

run_one() {  # N RUN
  local n=$1 run=$2
  local rate=$(((n + 2) / 3))  # all users within ~3 s
  ((rate < 1)) && rate=1
  local run_time=$((n / rate + 12))
  log "N=$n run $run: spawn rate $rate/s, run time ${run_time}s"
  nice -n "$NICE" taskset -c "$GEN_CPU" "$ARRLOAD_BIN" run -f "$SCENARIO" -H "$URL" -u "$n" -r "$rate" \
    -t "${run_time}s" --threads "$THREADS" --csv "$OUT/n$n-$run" --only-summary --seed "$run" \
    >"$OUT/n$n-$run.log" 2>&1 &
  local pid=$!
  # Belt and braces: -t ends the run; this ends it if -t somehow did not.
  (sleep $((run_time + 60)) && kill -TERM "$pid" 2>/dev/null) &
  local guard=$!
  local t0=$SECONDS sockets=0 prev=-1 rss note=""
  # Wait for N sockets, then for RSS to stop growing (two equal samples 0.5 s apart).
  while kill -0 "$pid" 2>/dev/null && ((SECONDS - t0 < run_time - 4)); do
    sockets=$(socket_count "$pid")
    if ((sockets >= n)); then
      rss=$(status_kb "$pid" VmRSS)
      [[ $rss == "$prev" ]] && break
      prev=$rss
    fi
    sleep 0.5
  done
  local spawned=$((SECONDS - t0))
  ((sockets >= n)) || note="only $sockets of $n sockets open"
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
  requests=$(awk -F, '$2 == "Aggregated" {print $3}' "$OUT/n$n-${run}_stats.csv" 2>/dev/null || echo "?")
  failures=$(awk -F, '$2 == "Aggregated" {print $4}' "$OUT/n$n-${run}_stats.csv" 2>/dev/null || echo "?")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$n" "$run" "$spawned" "$sockets" "$conns" \
    "$vmrss" "$vmhwm" "$anon" "$requests" "$failures" "${note:--}" >>"$ROWS"
}

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

for run in $(seq 1 "$REPEAT"); do
  for n in "${counts[@]}"; do run_one "$n" "$run"; done
done

col() { awk -F'\t' -v n="$1" -v c="$2" 'NR > 1 && $1 == n {print $c}' "$ROWS"; }
{
  echo "## Memory per idle user (median of $REPEAT runs, --threads $THREADS)"
  echo
  echo "| users | VmRSS (kB) | VmHWM (kB) | RssAnon (kB) | bytes/user (RSS) | bytes/user (HWM) |"
  echo "|---:|---:|---:|---:|---:|---:|"
  base_rss=$(col 1 6 | median); base_hwm=$(col 1 7 | median)
  for n in "${counts[@]}"; do
    rss=$(col "$n" 6 | median); hwm=$(col "$n" 7 | median); anon=$(col "$n" 8 | median)
    awk -v n="$n" -v r="$rss" -v h="$hwm" -v a="$anon" -v br="$base_rss" -v bh="$base_hwm" 'BEGIN {
      if (n > 1) printf "| %d | %d | %d | %d | %.0f | %.0f |\n", n, r, h, a, 1024 * (r - br) / (n - 1), 1024 * (h - bh) / (n - 1)
      else printf "| %d | %d | %d | %d | - | - |\n", n, r, h, a }'
  done
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
    "$ARRLOAD_BIN" run -f "$SCENARIO" -H "$URL" -u "$n" -r $(((n + 1) / 2)) -t 10s --threads "$THREADS" \
    --csv "$OUT/massif" --only-summary >"$OUT/massif-run.log" 2>&1 || true
  python3 "$BENCH_DIR/massif_top.py" "$OUT/massif.out" --users "$n" | tee "$OUT/massif-top.txt"
fi
