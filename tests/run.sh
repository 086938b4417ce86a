#!/usr/bin/env bash
# Runs the test suites and ends with one summary line:
#   "make test: N passed, N failed"
# Usage: tests/run.sh [unit|integration|all]   (BUILD, SHARED, PYTHON from make)
set -u
what=${1:-all}
BUILD=${BUILD:-build}
SHARED=${SHARED:-$(cd .. && pwd)/shared}
PYTHON=${PYTHON:-/usr/bin/python3}
passed=0 failed=0 skipped=0
log=$BUILD/test-logs; mkdir -p "$log"

if [ "$what" = all ] || [ "$what" = unit ]; then
  for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    out="$log/$name.log"
    ZC_SHARED="$SHARED" ZC_BUILD="$BUILD" timeout 600 "$t" >"$out" 2>&1
    rc=$?
    p=$(grep -o '\[  PASSED  \] [0-9]* test' "$out" | grep -o '[0-9]*' | tail -1)
    f=$(grep -o '\[  FAILED  \] [0-9]* test' "$out" | grep -o '[0-9]*' | tail -1)
    s=$(grep -o '\[  SKIPPED \] [0-9]* test' "$out" | grep -o '[0-9]*' | tail -1)
    p=${p:-0}; f=${f:-0}; s=${s:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed or timed out
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    if [ "$f" -ne 0 ]; then
      echo "unit $name: $p passed, $f FAILED (rc $rc) — log follows"; tail -40 "$out"
    else
      echo "unit $name: $p passed"
    fi
  done
fi

if [ "$what" = all ] || [ "$what" = unit ]; then
  if bash tests/check_exports.sh "$BUILD/lib/libzhengce.so" lib/zhengce.h; then
    passed=$((passed + 1)); else failed=$((failed + 1)); fi
fi

# ---- fuzz: short libFuzzer runs (tests/fuzz/; `tests/run.sh fuzz` alone) ----
# `make fuzz-short` runs every harness for a bounded time (FUZZ_SHORT_SECONDS,
# two at a time); each counts as 1 passed or 1 failed (a harness that did not
# build or report fails).  Skipped when clang or its libFuzzer runtime is
# missing.
if [ "$what" = all ] || [ "$what" = fuzz ]; then
  nfuzz=$(ls tests/fuzz/fuzz_*.c 2>/dev/null | wc -l)
  if [ "$nfuzz" -eq 0 ]; then
    :
  elif ! command -v clang++ >/dev/null 2>&1 ||
       ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' |
         clang -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1; then
    echo "fuzz: clang with libFuzzer (clang, libclang-rt-dev) not found, $nfuzz harness(es) skipped"
    skipped=$((skipped + nfuzz))
  else
    out="$log/fuzz.log"
    res="$BUILD/fuzz/results.txt"
    rm -f "$res"
    make --no-print-directory -j2 BUILD="$BUILD" fuzz-short >"$out" 2>&1
    fp=0 ff=0
    if [ -f "$res" ]; then
      fp=$(grep -c '^pass' "$res"); ff=$(grep -c '^fail' "$res")
    fi
    [ $((fp + ff)) -lt "$nfuzz" ] && ff=$((nfuzz - fp))
    passed=$((passed + fp)); failed=$((failed + ff))
    if [ "$ff" -ne 0 ]; then
      echo "fuzz: $ff FAILED (artifacts in $BUILD/fuzz/artifacts/) — log follows"; tail -40 "$out"
    else
      grep '^fuzz ' "$out"
    fi
  fi
fi

if [ "$what" = all ] || [ "$what" = integration ]; then
  out="$log/pytest.log"
  ZC_SHARED="$SHARED" ZC_BUILD="$(cd "$BUILD" && pwd)" timeout 1800 \
    "$PYTHON" -m pytest -q -p no:cacheprovider tests/integration 2>&1 | tee "$out" | tail -30
  line=$(grep -E '(passed|failed|error|no tests ran)' "$out" | tail -1)
  p=$(echo "$line" | grep -o '[0-9]* passed' | grep -o '[0-9]*'); p=${p:-0}
  f=$(echo "$line" | grep -o '[0-9]* failed' | grep -o '[0-9]*'); f=${f:-0}
  e=$(echo "$line" | grep -o '[0-9]* error' | grep -o '[0-9]*'); e=${e:-0}
  s=$(echo "$line" | grep -o '[0-9]* skipped' | grep -o '[0-9]*'); s=${s:-0}
  [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$e" -eq 0 ] && f=1   # pytest found nothing / crashed
  passed=$((passed + p)); failed=$((failed + f + e)); skipped=$((skipped + s))
fi

echo "make test: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
