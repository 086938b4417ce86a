#!/usr/bin/env bash
# bench/run.sh — the benchmarks (see docs/benchmarks.md).
#
#   bench/run.sh quick|full|searchd|counts  (BUILD, SHARED from make)
#
# quick|full (make bench-quick, make bench): one run, on one corpus, of
#   zhengce (indexer, libzhengce in process, zhengce-searchd) and its peers:
#   the Xapian bound (bench/xapian_bound.cc), Sphinx 2.2 (Debian's
#   sphinxsearch: indexer + searchd over SphinxQL), SQLite FTS5 (trigram and
#   unicode61, bench/fts5_bench.c) and redis-server (PING only).  Prints ONE
#   table (bench/report.py) and puts it into docs/benchmarks.md, replacing
#   the previous table of the same mode.  Installs what is missing with
#   apt-get; starts and stops its own daemons (by recorded PID), on loopback
#   only; every step is bounded in time and requests.
#     BENCH_MB=N         MiB of generated documents (corpus/gen --seed 42);
#                        quick 16, full 200
#     BENCH_REAL_MB=N    MiB of $SHARED/corpus-real/policies.jsonl added
#                        (whole lines); 0 = all of it; quick 4, full 0
#     BENCH_PER_CLASS=N  queries per class in the mix; quick 20, full 60
#     BENCH_SECS=S       duration of each load run; quick 4, full 10
#     BENCH_ANALYZER=A   zhengce's analyzer (ngram, words, hybrid); default:
#                        the library's default for a new index
#     BENCH_OUT=DIR      work directory; default bench/out/MODE (git-ignored)
#     BENCH_DOC=FILE     where the table goes; default docs/benchmarks.md
#                        ('-' = nowhere)
#
# searchd: indexes the real corpus ($SHARED/corpus-real) + corpus/sample +
# generated documents (corpus/gen), starts zhengce-searchd on a free loopback
# port, drives it with build/bench/loadgen at 1, 8 and 64 connections with
# PING and with the fixed query mix bench/searchd-queries.txt, prints QPS and
# latency p50/p99/p99.9 per setting, and stops the daemon.  Bounded: each run
# stops at a request count or a time limit, whichever comes first.
#   GEN_MB=20            MiB of generated documents added to the real corpus
#   BENCH_SECS=10        time limit of each loadgen run (seconds)
#   BENCH_INDEX=DIR      reuse (or build once into) this index directory;
#                        default $BUILD/bench/searchd-index, reused when complete
#   BENCH_FRESH=1        rebuild the index even if it is there
#
# counts (make bench-counts): the cost of exact totals — query latency with
# each "exact_count" bound, back to back, on the real corpus and on the real
# corpus plus generated documents; see bench/counts.sh.
set -euo pipefail

mode=${1:-quick}
BUILD=${BUILD:-build}
SHARED=${SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
PYTHON=${PYTHON:-/usr/bin/python3}
cd "$(dirname "$0")/.."

searchd_bench() {
  local bin="$BUILD/bin" lg="$BUILD/bench/loadgen"
  local gen_mb=${GEN_MB:-20} secs=${BENCH_SECS:-10}
  local index=${BENCH_INDEX:-$BUILD/bench/searchd-index}
  work=$(mktemp -d)
  pid=""
  cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
    rm -rf "$work"
    pid=""
  }
  trap cleanup EXIT

  for f in "$bin/zhengce-indexer" "$bin/zhengce-searchd" "$bin/zhengce" "$lg"; do
    [ -x "$f" ] || { echo "bench searchd: $f missing (run make)" >&2; exit 1; }
  done

  # -- the index -------------------------------------------------------------
  local stamp="real+sample+gen${gen_mb}MB"
  # rebuilt when asked, when incomplete or made for other settings, and when
  # this build cannot open it (an index format change)
  if [ "${BENCH_FRESH:-0}" = 1 ] || [ ! -f "$index/.bench-complete" ] ||
     [ "$(cat "$index/.bench-complete")" != "$stamp" ] ||
     ! "$bin/zhengce" --index "$index" ping >/dev/null 2>&1; then
    rm -rf "$index"
    mkdir -p "$(dirname "$index")"
    local inputs=(corpus/sample)
    for f in "$SHARED/corpus-real/policies.jsonl" "$SHARED/corpus-real/policies-en.jsonl"; do
      [ -f "$f" ] && inputs+=("$f")
    done
    echo "== indexing ${inputs[*]} into $index"
    "$bin/zhengce-indexer" --index "$index" --quiet --no-progress "${inputs[@]}"
    if [ "$gen_mb" != 0 ]; then
      echo "== indexing ${gen_mb} MiB of generated documents (corpus/gen --seed 42)"
      "$PYTHON" corpus/gen --seed 42 --mb "$gen_mb" |
        "$bin/zhengce-indexer" --index "$index" --quiet --no-progress -
    fi
    echo "$stamp" > "$index/.bench-complete"
  else
    echo "== reusing $index ($stamp; BENCH_FRESH=1 rebuilds it)"
  fi

  # -- the daemon ------------------------------------------------------------
  local log="$work/searchd.log"
  "$bin/zhengce-searchd" --index "$index" --listen 127.0.0.1:0 --slow-ms 100000 2>"$log" &
  pid=$!
  local addr="" i
  for i in $(seq 1 200); do
    if grep -q " ready " "$log" 2>/dev/null; then
      addr=$(grep -o 'listening tcp [^ ]*' "$log" | head -1 | cut -d' ' -f3)
      break
    fi
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.05
  done
  [ -n "$addr" ] || { echo "bench searchd: daemon not ready" >&2; cat "$log" >&2; exit 1; }
  local docs; docs=$(grep -o 'docs=[0-9]*' "$log" | head -1 | cut -d= -f2)
  local cores; cores=$(nproc)
  echo "== zhengce-searchd at $addr: $docs documents, $cores cores, $(sed -n 's/.*workers=\([0-9]*\).*/\1/p' "$log" | head -1) workers"
  echo "== each run: at most ${secs}s; PING up to 500000 requests, queries up to 100000"
  echo
  # warm the page cache and the workers' handles
  "$lg" --addr "$addr" --conns 4 --queries bench/searchd-queries.txt --requests 2000 \
        --duration 5 --label warmup >/dev/null || true

  printf "%-8s %6s %5s %9s %6s %7s %9s %8s %8s %8s\n" what conns depth requests errors \
         secs qps p50_ms p99_ms p99.9_ms
  local rc=0 c
  for c in 1 8 64; do
    "$lg" --addr "$addr" --conns "$c" --ping --requests 500000 --duration "$secs" --label ping || rc=1
  done
  for c in 1 8 64; do
    "$lg" --addr "$addr" --conns "$c" --queries bench/searchd-queries.txt --requests 100000 \
          --duration "$secs" --label query || rc=1
  done
  echo
  "$bin/zhengce" --server "$addr" stats --json | sed 's/^/== STATS: /' || true
  kill -TERM "$pid"
  wait "$pid" || rc=1
  pid=""
  return $rc
}

case "$mode" in
  searchd) searchd_bench ;;
  quick|full) source bench/peers.sh; peers_bench "$mode" ;;
  counts) source bench/counts.sh; counts_bench ;;
  *) echo "usage: bench/run.sh quick|full|searchd|counts" >&2; exit 2 ;;
esac
