#!/usr/bin/env bash
# Spawn rate: how many users per second arrload starts on time.
#
# For each rate R in RATES, runs `arrload run -u N -r R` with the idle scenario (each user sends one
# GET, opening its keep-alive connection, then waits) against a local nginx on 127.0.0.1, and polls
# the number of open descriptors of the arrload process every 20 ms. A user counts as started when
# its connection is open. Locust's spawning (which arrload follows) starts floor(R) users at once
# every second, so the last batch starts at N/R - 1 s and all N users should be running by N/R s:
# the rate is sustained ("on time") when the measured time to N running users is <= N/R s (plus
# SLACK_MS). Achieved rate = N / measured time. N is capped by the open-files limit. The users
# are spread over SPREAD (8) loopback addresses (one address makes connect() itself the bottleneck,
# see NGINX_ADDRS in lib.sh).
#
# Usage: bench/spawn.sh [--help]
# Environment: SPREAD=8 NICE=-15 N=18000 RATES="1000 3000 6000 9000 18000" REPEAT=2 THREADS=1 SLACK_MS=100
#              GEN_CPU=0 SERVER_CPU=1  ARRLOAD=build/arrload  OUT=results/bench/spawn-<time>
set -euo pipefail
if [[ ${1:-} == -h || ${1:-} == --help ]]; then sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0; fi
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
own_autogroup bash "$0" "$@"

RATES=${RATES:-1000 3000 6000 9000 18000}
REPEAT=${REPEAT:-2}
THREADS=${THREADS:-1}
SLACK_MS=${SLACK_MS:-100}
GEN_CPU=${GEN_CPU:-0}
SERVER_CPU=${SERVER_CPU:-1}
OUT=${OUT:-$ROOT/results/bench/spawn-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)

ensure_pkgs nginx:nginx-light taskset:util-linux curl:curl
snapshot_arrload
NOFILE=$(raise_nofile 200000)
N=${N:-$((NOFILE - 2000 < 18000 ? NOFILE - 2000 : 18000))}
read -r PORT_LO PORT_HI </proc/sys/net/ipv4/ip_local_port_range
((N < PORT_HI - PORT_LO)) || die "N=$N is more than the ephemeral ports"
SPREAD=${SPREAD:-8}
NGINX_ADDRS=$(loopback_addrs "$SPREAD")  # read by start_nginx (lib.sh)
export NGINX_ADDRS
PORT=$(pick_port)
URL=http://127.0.0.1:$PORT
start_nginx "$PORT" "$SERVER_CPU" 3600
trap stop_nginx EXIT
SCENARIO=$OUT/idle-spread.yaml
spread_idle_scenario "$SCENARIO" "$PORT" "$SPREAD"
ROWS=$OUT/rows.tsv
printf 'rate\trun\tusers\tnominal_s\tmeasured_s\tachieved_per_s\ton_time\trequests\tfailures\n' >"$ROWS"

fd_count() { ls -U "/proc/$1/fd" 2>/dev/null | wc -l; }

run_one() {  # RATE RUN
  local rate=$1 run=$2
  local nominal run_time
  nominal=$(awk -v n="$N" -v r="$rate" 'BEGIN {printf "%.3f", n / r}')
  run_time=$(awk -v n="$nominal" 'BEGIN {printf "%d", n + 8}')
  log "rate $rate/s run $run: $N users, all running by ${nominal}s if on time"
  local t0 t1 base
  t0=$(date +%s.%N)
  nice -n "$NICE" taskset -c "$GEN_CPU" "$ARRLOAD_BIN" run --headless -f "$SCENARIO" -H "$URL" \
    -u "$N" -r "$rate" -t "${run_time}s" --threads "$THREADS" --csv "$OUT/r$rate-$run" --only-summary \
    --seed "$run" >"$OUT/r$rate-$run.log" 2>&1 &
  local pid=$!
  (sleep $((run_time + 60)) && kill -TERM "$pid" 2>/dev/null) &
  local guard=$!
  base=$(fd_count "$pid")
  t1=""
  while kill -0 "$pid" 2>/dev/null; do
    if (($(fd_count "$pid") - base >= N)); then
      t1=$(date +%s.%N)
      break
    fi
    sleep 0.02
  done
  wait "$pid" || true
  kill "$guard" 2>/dev/null || true
  wait "$guard" 2>/dev/null || true
  local requests failures
  requests=$(awk -F, '$2 == "Aggregated" {print $3}' "$OUT/r$rate-${run}_stats.csv" 2>/dev/null || echo "?")
  failures=$(awk -F, '$2 == "Aggregated" {print $4}' "$OUT/r$rate-${run}_stats.csv" 2>/dev/null || echo "?")
  if [[ -z $t1 ]]; then
    log "  never reached $N open connections"
    printf '%s\t%s\t%s\t%s\t-\t-\tno\t%s\t%s\n' "$rate" "$run" "$N" "$nominal" "$requests" "$failures" >>"$ROWS"
    return
  fi
  awk -v OFS='\t' -v r="$rate" -v run="$run" -v n="$N" -v nom="$nominal" -v t0="$t0" -v t1="$t1" \
    -v slack="$SLACK_MS" -v req="$requests" -v f="$failures" 'BEGIN {
      m = t1 - t0
      print r, run, n, nom, sprintf("%.3f", m), sprintf("%.0f", n / m), (m <= nom + slack / 1000 ? "yes" : "no"), req, f }' >>"$ROWS"
  tail -1 "$ROWS" | awk -F'\t' '{printf "  -> %s users running after %s s (nominal %s s): %s users/s, on time: %s\n", $3, $5, $4, $6, $7}' >&2
}

for run in $(seq 1 "$REPEAT"); do
  for rate in $RATES; do run_one "$rate" "$run"; done
done

{
  echo "## Spawn rate ($N users, idle scenario, --threads $THREADS, $REPEAT runs per rate)"
  echo
  echo "| rate asked (users/s) | nominal time (s) | measured time (s, median) | achieved users/s | on time (runs) |"
  echo "|---:|---:|---:|---:|---|"
  for rate in $RATES; do
    awk -F'\t' -v r="$rate" 'NR > 1 && $1 == r {print $5}' "$ROWS" | grep -v -- - | median >"$OUT/.m" || true
    m=$(cat "$OUT/.m")
    ok=$(awk -F'\t' -v r="$rate" 'NR > 1 && $1 == r {print $7}' "$ROWS" | paste -sd/)
    awk -v r="$rate" -v n="$N" -v m="$m" -v ok="$ok" 'BEGIN {
      printf "| %d | %.3f | %s | %s | %s |\n", r, n / r, m, (m > 0 ? sprintf("%.0f", n / m) : "-"), ok }'
  done
  echo
  echo "Per run: $ROWS"
} | tee "$OUT/summary.md"
column -t -s $'\t' "$ROWS"
