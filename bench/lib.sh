# shellcheck shell=bash
# Shared helpers for bench/*.sh (sourced, not run).
# Starts a private nginx on 127.0.0.1 (its own prefix, config, pid and logs under $OUT), installs
# missing Debian packages, and reads CPU and memory figures from /proc.

# Other work (compilers) shares these 2 cores: the benchmark's processes run at a higher priority
# (CFS weight of nice -15 is ~29x that of nice 0) so that they get their CPUs almost whole. With
# sched_autogroup on (Debian's default), nice only ranks processes inside one session, so the
# script also runs in a session of its own (setsid) and gives that session's autogroup the same
# nice. NICE=0 turns both off.
NICE=${NICE:--15}

# own_autogroup "$0" "$@": call first; re-runs the script in a new session once.
own_autogroup() {
  [[ $NICE == 0 ]] && return 0
  if [[ -z ${ARRLOAD_BENCH_SESSION:-} ]]; then
    ARRLOAD_BENCH_SESSION=1 exec setsid --wait "$@"
  fi
  if [[ -r /proc/self/autogroup ]]; then
    echo "$NICE" >/proc/self/autogroup 2>/dev/null || echo "bench: could not set the autogroup nice" >&2
  fi
}

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ensure_pkgs CMD:PACKAGE ...  installs PACKAGE with apt-get when CMD is not on the PATH.
ensure_pkgs() {
  local missing=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  ((${#missing[@]})) || return 0
  log "installing missing Debian packages: ${missing[*]}"
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  # policy-rc.d (Docker images) or the lack of systemd keeps the package's own nginx from starting;
  # this script never uses it.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
    --no-install-recommends "${missing[@]}"
}

# Copies the arrload binary so a rebuild during the benchmark cannot swap it mid-way.
snapshot_arrload() {
  local src=${ARRLOAD:-$ROOT/build/arrload}
  [[ -x $src ]] || die "no arrload binary at $src (build it, or set ARRLOAD=path)"
  cp "$src" "$OUT/arrload"
  ARRLOAD_BIN=$OUT/arrload
  log "arrload: $src (copied to $ARRLOAD_BIN; built $(date -r "$src" '+%F %T'), sha256 $(sha256sum "$src" | cut -c1-12), work tree at $(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"
}

# Raise the soft open-files limit as far as the hard limit allows (raising the hard limit needs
# CAP_SYS_RESOURCE, which containers often lack). Prints the resulting soft limit.
raise_nofile() {
  local want=$1
  ulimit -Hn "$want" 2>/dev/null || true
  local hard
  hard=$(ulimit -Hn)
  [[ $hard == unlimited ]] && hard=$want
  ulimit -n $((want < hard ? want : hard))
  ulimit -n
}

# start_nginx PORT CPU: one worker pinned to CPU, tiny fixed responses, keep-alive forever.
# Runs under `timeout` so it ends by itself even if this script is killed.
NGINX_PID=""
start_nginx() {
  local port=$1 cpu=$2 max_seconds=${3:-1800}
  local nofile
  nofile=$(ulimit -n)
  mkdir -p "$OUT/nginx/logs" "$OUT/nginx/tmp"
  cat >"$OUT/nginx/nginx.conf" <<CONF
daemon off;
master_process on;
worker_processes 1;
worker_rlimit_nofile $nofile;
pid $OUT/nginx/nginx.pid;
error_log $OUT/nginx/logs/error.log warn;
events {
  worker_connections 65535;
  use epoll;
  multi_accept on;
}
http {
  access_log off;
  keepalive_requests 1000000000;
  keepalive_timeout 600s;
  client_body_temp_path $OUT/nginx/tmp/body;
  proxy_temp_path $OUT/nginx/tmp/proxy;
  fastcgi_temp_path $OUT/nginx/tmp/fastcgi;
  uwsgi_temp_path $OUT/nginx/tmp/uwsgi;
  scgi_temp_path $OUT/nginx/tmp/scgi;
  server {
    listen 127.0.0.1:$port backlog=4096 reuseport;
    default_type text/plain;
    location / { return 200 "ok"; }
  }
}
CONF
  timeout "$max_seconds" nice -n "$NICE" taskset -c "$cpu" nginx -p "$OUT/nginx" -c "$OUT/nginx/nginx.conf" \
    >"$OUT/nginx/logs/stdout.log" 2>&1 &
  NGINX_PID=$!  # the `timeout` process; nginx's master is its child
  local _
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/a" >/dev/null 2>&1; then
      log "nginx up on 127.0.0.1:$port, pinned to CPU $cpu (open files: $nofile)"
      return 0
    fi
    sleep 0.1
  done
  cat "$OUT/nginx/logs/error.log" "$OUT/nginx/logs/stdout.log" >&2
  die "nginx did not start"
}

stop_nginx() {
  [[ -n $NGINX_PID ]] || return 0
  kill -TERM "$NGINX_PID" 2>/dev/null || true  # timeout forwards SIGTERM to nginx's master
  wait "$NGINX_PID" 2>/dev/null || true
  NGINX_PID=""
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

pick_port() {
  local p
  for p in 18080 18180 18280 18380 18480; do
    port_free "$p" && { echo "$p"; return 0; }
  done
  die "no free port"
}

# proc_cpu_ticks PID: utime+stime of the process (all its threads), in clock ticks.
proc_cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }

# cpu_busy_ticks N: busy (non-idle, non-iowait) ticks of CPU N since boot, from /proc/stat.
cpu_busy_ticks() { awk -v c="cpu$1" '$1 == c {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }

# nginx_worker_pid: the worker process of the nginx started by start_nginx.
nginx_worker_pid() { pgrep -P "$(cat "$OUT/nginx/nginx.pid")" | head -1; }

# median of the numbers on stdin, one per line
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
