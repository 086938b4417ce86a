# bench/counts.sh — `make bench-counts` (bench/run.sh counts): what exact
# totals cost (issue 13, item 1).  Sourced by bench/run.sh.
#
# On two indexes — the real corpus ($SHARED/corpus-real, both files) and
# the real corpus plus BENCH_COUNTS_GEN_MB MiB of generated Chinese
# documents (corpus/gen --seed 42 --lang zh; big enough that common queries
# pass the default bound of 10,000) — it runs the benchmark query mix
# (bench/prep.py's queries.tsv for that corpus) through build/bench/qbench,
# one thread, with every query's "exact_count" set to each value of
# SETTINGS in turn, the settings alternated round after round (back to
# back, so that the load of the shared machine falls on all of them), and
# records p50/p99 per class; on the second index also a mix of COMMON
# words, each held by most of its documents (the worst case: counting the
# whole bound).  0 is what a search did before: Xapian
# checks only the page (check_at_least = the page's end).  Then evalq
# --json answers the mix once per setting, for the share of exact totals
# and the estimates' error against the totals counted with "all".
# bench/counts_report.py prints the table and puts it into
# docs/benchmarks.md between <!-- bench:counts:begin --> and
# <!-- bench:counts:end -->.
#   BENCH_COUNTS_GEN_MB=100  0 = the real corpus only
#   BENCH_ROUNDS=3           rounds of every setting
#   BENCH_PER_CLASS=30       queries per class of the mix
#   BENCH_PASSES=3           timed passes over the mix per run
#   BENCH_OUT=DIR            default bench/out/counts (git-ignored); indexes
#                            are reused there while the indexer and the
#                            inputs are unchanged
#   BENCH_DOC=FILE           default docs/benchmarks.md ('-' = nowhere)
#
# Owns: its work directory.  Starts no daemon; every step is bounded by
# `timeout`.  Must never: write outside BENCH_OUT and BENCH_DOC.

counts_log() { printf '== %s  %s\n' "$(date +%H:%M:%S)" "$*"; }

# Words and phrases most generated and many real documents hold.
COMMON=(发展 推进 国务院 '"进一步"' 建设 '发展 推进' '安全 生产' 人民政府)

# counts_index NAME JSONL: (re)builds $out/NAME-index from JSONL unless
# its stamp (indexer binary, input size and time) is the same and it opens.
counts_index() {
  local name=$1 src=$2 idx="$out/$1-index"
  local stamp
  stamp="$(stat -c '%s %Y' "$BUILD/bin/zhengce-indexer" "$src" | tr '\n' ' ')"
  if [ -f "$idx.stamp" ] && [ "$(cat "$idx.stamp")" = "$stamp" ] &&
     "$BUILD/bin/zhengce" --index "$idx" ping >/dev/null 2>&1; then
    counts_log "$name: reusing $idx"
    return
  fi
  rm -rf "$idx" "$idx.stamp"
  counts_log "$name: indexing $(wc -l <"$src") documents"
  timeout 7200 "$BUILD/bin/zhengce-indexer" --index "$idx" --quiet --no-progress "$src"
  echo "$stamp" >"$idx.stamp"
}

counts_bench() {
  local gen_mb=${BENCH_COUNTS_GEN_MB:-100} rounds=${BENCH_ROUNDS:-3}
  local per_class=${BENCH_PER_CLASS:-30} passes=${BENCH_PASSES:-3}
  out=${BENCH_OUT:-bench/out/counts}
  local doc=${BENCH_DOC:-docs/benchmarks.md}
  local real_zh="$SHARED/corpus-real/policies.jsonl" real_en="$SHARED/corpus-real/policies-en.jsonl"
  local qb="$BUILD/bench/qbench" eq="$BUILD/bench/evalq"
  for f in "$BUILD/bin/zhengce-indexer" "$BUILD/bin/zhengce" "$qb" "$eq" "$real_zh" "$real_en"; do
    [ -e "$f" ] || { echo "bench counts: $f missing (make all; ZC shared corpora)" >&2; exit 1; }
  done
  mkdir -p "$out"
  local res="$out/results.txt"
  : >"$res"
  {
    echo "meta.date=$(date -u +%Y-%m-%dT%H:%MZ)"
    echo "meta.commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- lib wrappers 2>/dev/null || echo '+changes')"
    echo "meta.nproc=$(nproc)"
    echo "meta.cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
    echo "meta.load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "meta.command=make bench-counts BENCH_COUNTS_GEN_MB=$gen_mb BENCH_ROUNDS=$rounds BENCH_PER_CLASS=$per_class BENCH_PASSES=$passes"
  } >>"$res"

  local corpora=(real) settings
  cat "$real_zh" "$real_en" >"$out/real.jsonl.tmp"
  cmp -s "$out/real.jsonl.tmp" "$out/real.jsonl" 2>/dev/null && rm "$out/real.jsonl.tmp" ||
    mv "$out/real.jsonl.tmp" "$out/real.jsonl"
  if [ "$gen_mb" != 0 ]; then
    corpora+=(big)
    if [ ! -f "$out/big.stamp" ] || [ "$(cat "$out/big.stamp")" != "$gen_mb" ] ||
       [ "$out/real.jsonl" -nt "$out/big.jsonl" ]; then
      counts_log "big: corpus-real + corpus/gen --seed 42 --mb $gen_mb --lang zh"
      { cat "$out/real.jsonl"; "$PYTHON" corpus/gen --seed 42 --mb "$gen_mb" --lang zh; } \
        >"$out/big.jsonl"
      echo "$gen_mb" >"$out/big.stamp"
    fi
  fi
  local c r s idx
  for c in "${corpora[@]}"; do
    counts_index "$c" "$out/$c.jsonl"
    echo "$c.docs=$(wc -l <"$out/$c.jsonl")" >>"$res"
    mkdir -p "$out/$c-q"
    "$PYTHON" bench/prep.py --corpus "$out/$c.jsonl" --out "$out/$c-q" --per-class "$per_class"
  done
  if [ "$gen_mb" != 0 ]; then
    corpora+=(common)
    mkdir -p "$out/common-q"
    echo "common.docs=$(wc -l <"$out/big.jsonl")" >>"$res"
    printf '%s\n' "${COMMON[@]}" | "$PYTHON" -c '
import json, sys
for q in sys.stdin.read().splitlines():
    z = json.dumps({"q": q}, ensure_ascii=False)
    print("\t".join(["common", q, "", "", "0", "0", "", "0", "10", z, "", "", ""]))' \
      >"$out/common-q/queries.tsv"
  fi
  for c in "${corpora[@]}"; do
    if [ "$c" = real ]; then settings=(0 1000 10000 all); else settings=(0 1000 3000 10000 30000 all); fi
    idx="$out/$c-index"
    [ "$c" = common ] && idx="$out/big-index"
    echo "$c.settings=${settings[*]}" >>"$res"
    for r in $(seq 1 "$rounds"); do
      for s in "${settings[@]}"; do
        counts_log "$c: round $r, exact_count $s"
        timeout 1800 "$qb" --index "$idx" --queries "$out/$c-q/queries.tsv" \
            --passes "$passes" --threads 0 --exact-count "$s" --label "$c.r$r.e$s" >>"$res" ||
          echo "$c.r$r.e$s.failed=1" >>"$res"
      done
    done
    # The totals of the mix under each setting, for exactness and error.
    for s in "${settings[@]}"; do
      cut -f10 "$out/$c-q/queries.tsv" | grep -v '^zjson$' |
        "$PYTHON" -c '
import json, sys
s = sys.argv[1]
for line in sys.stdin:
    o = json.loads(line)
    o["exact_count"] = True if s == "all" else int(s)
    o["snippet"] = False
    print(json.dumps(o, ensure_ascii=False))' "$s" |
        timeout 1800 "$eq" --json "$idx" >"$out/$c-totals-$s.jsonl" 2>/dev/null ||
        echo "$c.totals_$s.failed=1" >>"$res"
    done
  done
  echo "meta.load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$res"
  "$PYTHON" bench/counts_report.py --results "$res" --out "$out" --doc "$doc"
}
