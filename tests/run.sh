#!/usr/bin/env bash
# Runs the test suites and ends with one summary line:
#   "make test: N passed, N failed, N skipped"   ("make check: ..." for check)
# Usage: tests/run.sh [unit|fuzz|integration|asan|all|check]
#   (BUILD, SHARED, PYTHON, SAN from make)
#
# `check` (= make check, the edit loop: under 2 minutes on 2 cores) is the
# unit stage and the integration suite minus CHECK_MARKERS: the real-corpus
# tests, the SIGKILL/disk-full crash tests and the overload tests (pytest
# markers, tests/integration/conftest.py); no fuzz, ASan or valgrind.
#
# Stages of `all` (= make test), each counted in the summary line:
#   unit         cmocka unit tests of $BUILD, the exported-symbol check, the
#                install check (tests/check_install.sh), the layer check
#                (tests/check_layers.py) and its self-test
#   fuzz         each libFuzzer harness for a short bounded time
#   integration  the whole pytest suite against $BUILD's programs
#   asan         an ASan+UBSan build in $BUILD-asan (ASAN_BUILD), its unit
#                tests and the integration suite minus every realcorpus test
#                and ASAN_DESELECT: the real-corpus tests, which the
#                integration stage runs
#                on the plain build (an ASan index build of the real corpora
#                alone takes over 9 minutes), the SIGKILL crash tests
#                (test_crash.py, test_kill9_mid_run_then_rerun: a killed
#                process is never checked by ASan, and the indexing paths
#                they drive run under ASan in the other indexer tests), and
#                test_overload.py, whose latency bound measures the plain
#                daemon.  Skipped when this
#                run is itself a sanitizer build (make asan: SAN=1), or with
#                ZC_ASAN_STAGE=0 (said in the output, counted as skipped).
#                Beside the ASan build and unit tests it runs the valgrind
#                session of the plain daemon (make valgrind,
#                tests/valgrind/searchd_session.py), counted as one test;
#                ZC_VALGRIND_STAGE=0 leaves it out.
# `make asan` still runs every stage on an ASan+UBSan build, with nothing
# deselected.
set -u
what=${1:-all}
BUILD=${BUILD:-build}
SHARED=${SHARED:-$(cd .. && pwd)/shared}
PYTHON=${PYTHON:-/usr/bin/python3}
SAN=${SAN:-}
ASAN_BUILD=${ASAN_BUILD:-$BUILD-asan}
passed=0 failed=0 skipped=0
label="make test"; [ "$what" = check ] && label="make check"
log=$BUILD/test-logs; mkdir -p "$log"

# The integration tests make check leaves out (pytest -m expression).
CHECK_MARKERS="not realcorpus and not crash and not overload"

# The integration tests the asan stage leaves to the plain stage (see above).
ASAN_DESELECT=(
  tests/integration/test_overload.py
  "tests/integration/test_indexer.py::test_real_corpora_all_indexed"
  "tests/integration/test_indexer.py::test_real_every_document_by_id"
  "tests/integration/test_indexer.py::test_real_cli_get_spot_check"
  "tests/integration/test_indexer.py::test_real_docno_three_spellings"
  "tests/integration/test_indexer.py::test_real_title_in_top3"
  "tests/integration/test_indexer.py::test_real_rerun_keeps_count"
  tests/integration/test_crash.py
  "tests/integration/test_indexer.py::test_kill9_mid_run_then_rerun"
)

# run_unit BUILD LABEL: every $BUILD/tests/test_* binary; adds to the counts.
run_unit() {
  local b=$1 label=$2 t name out rc p f s
  for t in "$b"/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    out="$b/test-logs/$name.log"
    mkdir -p "$b/test-logs"
    ZC_SHARED="$SHARED" ZC_BUILD="$b" timeout 600 "$t" >"$out" 2>&1
    rc=$?
    p=$(grep -o '\[  PASSED  \] [0-9]* test' "$out" | grep -o '[0-9]*' | tail -1)
    f=$(grep -o '\[  FAILED  \] [0-9]* test' "$out" | grep -o '[0-9]*' | tail -1)
    s=$(grep -o '\[  SKIPPED \] [0-9]* test' "$out" | grep -o '[0-9]*' | tail -1)
    p=${p:-0}; f=${f:-0}; s=${s:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed or timed out
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    if [ "$f" -ne 0 ]; then
      echo "$label $name: $p passed, $f FAILED (rc $rc) — log follows"; tail -40 "$out"
    else
      echo "$label $name: $p passed"
    fi
  done
}

# run_pytest BUILD LOGNAME [pytest args...]: the integration suite against
# BUILD's programs; adds to the counts.
run_pytest() {
  local b=$1 name=$2 out line p f e s
  shift 2
  out="$b/test-logs/$name"
  mkdir -p "$b/test-logs"
  ZC_SHARED="$SHARED" ZC_BUILD="$(cd "$b" && pwd)" timeout 1800 \
    "$PYTHON" -m pytest -q -p no:cacheprovider --durations=15 "$@" tests/integration 2>&1 | tee "$out" | tail -30
  line=$(grep -E '(passed|failed|error|no tests ran)' "$out" | tail -1)
  p=$(echo "$line" | grep -o '[0-9]* passed' | grep -o '[0-9]*'); p=${p:-0}
  f=$(echo "$line" | grep -o '[0-9]* failed' | grep -o '[0-9]*'); f=${f:-0}
  e=$(echo "$line" | grep -o '[0-9]* error' | grep -o '[0-9]*'); e=${e:-0}
  s=$(echo "$line" | grep -o '[0-9]* skipped' | grep -o '[0-9]*'); s=${s:-0}
  [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$e" -eq 0 ] && f=1   # pytest found nothing / crashed
  passed=$((passed + p)); failed=$((failed + f + e)); skipped=$((skipped + s))
}

# wait_valgrind: collects the background valgrind session (vg_pid), once;
# 1 passed or 1 failed, or 1 skipped when valgrind is missing (exit 77).
vg_pid=
tv=0
wait_valgrind() {
  [ -n "$vg_pid" ] || return 0
  wait "$vg_pid"; local rc=$?
  vg_pid=; tv=$(date +%s)
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1)); grep '^valgrind:' "$log/valgrind.log"
  elif [ "$rc" -eq 77 ]; then
    skipped=$((skipped + 1)); cat "$log/valgrind.log"
  else
    failed=$((failed + 1)); echo "valgrind: FAILED (rc $rc) — log follows"; tail -60 "$log/valgrind.log"
  fi
}

unit_stage() { [ "$what" = all ] || [ "$what" = unit ] || [ "$what" = check ]; }

if unit_stage; then
  run_unit "$BUILD" unit
fi

# the exported-symbol check and the install check (make install, then
# docs/examples/embed.c built against the installed tree with pkg-config,
# shared and static), the layer check (includes and, from $BUILD/obj, link
# dependencies; tests/layers-allow.txt) and its self-test: one test each
# run_check NAME LOG COMMAND...: one pass or fail, the log's tail on failure
run_check() {
  local name=$1 out=$log/$2; shift 2
  if "$@" >"$out" 2>&1; then
    passed=$((passed + 1)); tail -1 "$out"
  else
    failed=$((failed + 1)); echo "$name FAILED — log follows"; tail -40 "$out"
  fi
}
if unit_stage; then
  if bash tests/check_exports.sh "$BUILD/lib/libzhengce.so" lib/zhengce.h base/zc_status.h; then
    passed=$((passed + 1)); else failed=$((failed + 1)); fi
  run_check "install check" install.log env SAN="$SAN" bash tests/check_install.sh "$BUILD"
  run_check "layer check" layers.log "$PYTHON" tests/check_layers.py --objs "$BUILD/obj"
  run_check "layer check self-test" layers-selftest.log env PYTHON="$PYTHON" bash tests/check_layers_selftest.sh
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
  run_pytest "$BUILD" pytest.log
fi

if [ "$what" = check ]; then
  echo "integration (minus -m '$CHECK_MARKERS'; make test runs them):"
  run_pytest "$BUILD" pytest-check.log -m "$CHECK_MARKERS"
fi

# ---- asan: ASan+UBSan build, its unit tests and most of the integration suite
if [ "$what" = all ] || [ "$what" = asan ]; then
  if [ -n "$SAN" ]; then
    :   # this run is a sanitizer build already (make asan)
  elif [ "${ZC_ASAN_STAGE:-1}" = 0 ]; then
    echo "asan: stage skipped (ZC_ASAN_STAGE=0)"
    skipped=$((skipped + 1))
  else
    t0=$(date +%s)
    mkdir -p "$ASAN_BUILD/test-logs"
    # the valgrind session (one core) runs beside the ASan build and unit
    # tests; it is waited for before the ASan integration suite
    vg_pid=
    if [ "${ZC_VALGRIND_STAGE:-1}" != 0 ]; then
      ZC_BUILD="$(cd "$BUILD" && pwd)" "$PYTHON" tests/valgrind/searchd_session.py \
        >"$log/valgrind.log" 2>&1 &
      vg_pid=$!
    fi
    if ! make --no-print-directory -j2 BUILD="$ASAN_BUILD" SAN=1 all \
         >"$ASAN_BUILD/test-logs/build.log" 2>&1; then
      echo "asan: build FAILED — log follows"; tail -40 "$ASAN_BUILD/test-logs/build.log"
      failed=$((failed + 1))
    else
      t1=$(date +%s)
      run_unit "$ASAN_BUILD" "asan unit"
      t2=$(date +%s)
      wait_valgrind
      desel=(-m "not realcorpus")
      for d in "${ASAN_DESELECT[@]}"; do
        case $d in *::*) desel+=(--deselect "$d");; *) desel+=(--ignore "$d");; esac
      done
      echo "asan integration (minus the realcorpus tests and ASAN_DESELECT: ${#ASAN_DESELECT[@]} real-corpus, crash and latency items, run above):"
      run_pytest "$ASAN_BUILD" pytest.log "${desel[@]}"
      t3=$(date +%s)
      echo "asan: build $((t1 - t0)) s, unit $((t2 - t1)) s, valgrind wait $((tv - t2)) s, integration $((t3 - tv)) s"
    fi
    wait_valgrind
  fi
fi

echo "$label: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
