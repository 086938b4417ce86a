#!/usr/bin/env bash
# tests/fuzz/run.sh — runs libFuzzer harnesses for a bounded time each
# (make fuzz / make fuzz-short call it; the binaries must be built).
#
# Usage: tests/fuzz/run.sh BUILD SECONDS JOBS NAME...
#   BUILD    build dir holding fuzz/<NAME> binaries
#   SECONDS  -max_total_time of each harness
#   JOBS     harnesses run at the same time (1 per core is plenty)
#
# Each harness fuzzes a fresh copy of tests/fuzz/corpus/<NAME>/ in
# BUILD/fuzz/work/<NAME>/ (new inputs stay out of the repository), with
# tests/fuzz/<NAME>.dict when it exists.  A crash, leak, sanitizer report,
# timeout (-timeout per input) or out-of-memory is saved under
# BUILD/fuzz/artifacts/<NAME>/ and makes the harness fail.
#
# Output: one line per harness, and BUILD/fuzz/results.txt with one line
# "pass|fail NAME EXECS SECONDS" each, which tests/run.sh counts.
# Exit status: 0 if every harness passed.
set -u
BUILD=$1 SECONDS_EACH=$2 JOBS=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
out=$BUILD/fuzz
mkdir -p "$out/logs"
: >"$out/results.txt"

# Per-input time limit: far above any honest input (they take milliseconds),
# low enough that a hang is reported within a short run.
PER_INPUT_TIMEOUT=${FUZZ_TIMEOUT:-20}
RSS_LIMIT_MB=${FUZZ_RSS_MB:-2048}

run_one() {
  local name=$1
  local bin=$out/$name work=$out/work/$name art=$out/artifacts/$name
  local log=$out/logs/$name.log
  rm -rf "$work" "$art"
  mkdir -p "$work" "$art"
  if [ -d "$here/corpus/$name" ]; then
    cp -R "$here/corpus/$name/." "$work/"
  fi
  local dict=()
  [ -f "$here/$name.dict" ] && dict=(-dict="$here/$name.dict")
  local t0=$SECONDS
  # ASan/UBSan: stop at the first report so libFuzzer saves the input.
  ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$bin" -max_total_time="$SECONDS_EACH" -timeout="$PER_INPUT_TIMEOUT" \
      -rss_limit_mb="$RSS_LIMIT_MB" -print_final_stats=1 -entropic_scale_per_exec_time=1 \
      -artifact_prefix="$art/" "${dict[@]}" "$work" >"$log" 2>&1
  local rc=$?
  local took=$((SECONDS - t0))
  local execs
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  execs=${execs:-0}
  if [ "$rc" -eq 0 ] && [ -z "$(ls -A "$art")" ]; then
    echo "pass $name $execs $took" >>"$out/results.txt"
    echo "fuzz $name: $execs runs in ${took} s, no crash"
  else
    echo "fail $name $execs $took" >>"$out/results.txt"
    echo "fuzz $name: FAILED (rc $rc) after $execs runs in ${took} s; artifacts in $art; log $log:"
    # The report, with only the stack frames of our own code.
    grep -E 'ERROR|SUMMARY|invariant failed|runtime error|#[0-9]+ 0x|artifact' "$log" |
      grep -vE 'fuzzer::|libc\.so|libc_start|__sanitizer|in _start|in raise |in abort |pthread_kill|\(BuildId' |
      head -30
  fi
}

running=0
for name in "$@"; do
  if [ "$JOBS" -gt 1 ]; then
    run_one "$name" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
      wait -n
      running=$((running - 1))
    fi
  else
    run_one "$name"
  fi
done
wait

failed=$(grep -c '^fail' "$out/results.txt")
ran=$(grep -c '' "$out/results.txt")
[ "$ran" -eq "$#" ] || { echo "fuzz: only $ran of $# harnesses reported"; exit 1; }
[ "$failed" -eq 0 ]
