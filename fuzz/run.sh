#!/usr/bin/env bash
# Runs the libFuzzer targets built in BUILD (make fuzz / make fuzz-smoke; docs/reliability.md,
# "Fuzzing"), each for SECONDS, one after another, and prints a line per target: executions,
# executions per second, corpus size, and whether it crashed.
#
# Usage: fuzz/run.sh [--smoke] BUILD SECONDS [TARGET...]   (targets: the names after fuzz_;
#        default all)
#   Each target starts from fuzz/corpus/TARGET (checked in) and BUILD/fuzz-corpus/TARGET (what
#   earlier runs found; new inputs go there). --smoke starts from the checked-in corpus alone
#   and keeps nothing, so `make test` runs the same inputs first on every machine.
#   A crash, leak, timeout (10 s per input) or out-of-memory (2 GiB) stops that target and
#   leaves the input in BUILD/fuzz-artifacts/TARGET/ beside the log (last-run.log, or
#   last-smoke.log for --smoke); the script then exits 1 after the others.
#   Reproduce one: BUILD/fuzz/fuzz_TARGET BUILD/fuzz-artifacts/TARGET/crash-...
set -uo pipefail
smoke=0
if [[ "${1:-}" == --smoke ]]; then
  smoke=1
  shift
fi
if (($# < 2)); then
  sed -n '2,15p' "$0"
  exit 2
fi
build=$(cd "$1" && pwd)
seconds=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
targets=("$@")
if ((${#targets[@]} == 0)); then
  for f in "$root"/fuzz/fuzz_*.cc; do
    n=$(basename "$f" .cc)
    targets+=("${n#fuzz_}")
  done
fi

failed=()
printf '%-16s %8s %12s %9s %8s  %s\n' target seconds execs exec/s corpus result
for t in "${targets[@]}"; do
  bin="$build/fuzz/fuzz_$t"
  if [[ ! -x "$bin" ]]; then
    echo "fuzz/run.sh: $bin is not built (make fuzz-build)" >&2
    failed+=("$t")
    continue
  fi
  artifacts="$build/fuzz-artifacts/$t"
  work="$build/fuzz-work/$t"  # the working directory: files a scenario names are looked up here
  mkdir -p "$artifacts" "$work"
  if ((smoke)); then
    corpus=$(mktemp -d "$build/fuzz-smoke-$t.XXXXXX")
  else
    corpus="$build/fuzz-corpus/$t"
    mkdir -p "$corpus"
  fi
  log="$artifacts/last-$( ((smoke)) && echo smoke || echo run ).log"
  start=$(date +%s)
  (cd "$work" && "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" "$corpus" "$root/fuzz/corpus/$t") \
    >"$log" 2>&1
  rc=$?
  took=$(($(date +%s) - start))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  size=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  result=ok
  if ((rc != 0)); then
    result="FAILED (exit $rc; log $log)"
    failed+=("$t")
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -5 >&2
    sed -n 's/.*Test unit written to /  input: /p' "$log" >&2
  fi
  printf '%-16s %8s %12s %9s %8s  %s\n' "$t" "$took" "${execs:-?}" "${rate:-?}" "${size:-?}" \
    "$result"
  ((smoke)) && rm -rf "$corpus"
done
if ((${#failed[@]})); then
  echo "fuzz/run.sh: failed: ${failed[*]}" >&2
  exit 1
fi
