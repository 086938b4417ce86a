# bench/peers.sh — `bench/run.sh quick|full`: zhengce side by side with its
# peers in one run (sourced by bench/run.sh; options are described there).
#
# Owns: the work directory ($BENCH_OUT, default bench/out/MODE), the daemons
# it starts (zhengce-searchd, Sphinx searchd, redis-server: each on a free
# loopback port, each stopped by its recorded PID, also on error), and the
# table between its markers in docs/benchmarks.md.  Must never: bind a
# non-loopback address, kill a process it did not start, or run unbounded.
#
# Results are `key=value` lines in $out/results.txt; bench/report.py turns
# them into the table.

peers_log() { printf '== %s  %s\n' "$(date +%H:%M:%S)" "$*"; }

# apt-get install the packages whose probe fails; apt-get update only then.
peers_deps() {
  local need=() p
  [ -x /usr/bin/time ] || need+=(time)
  command -v indexer >/dev/null && command -v searchd >/dev/null || need+=(sphinxsearch)
  command -v redis-server >/dev/null || need+=(redis-server)
  command -v redis-benchmark >/dev/null || need+=(redis-tools)
  command -v xapian-compact >/dev/null || need+=(xapian-tools)
  pkg-config --exists sqlite3 || need+=(libsqlite3-dev)
  if [ ${#need[@]} -gt 0 ]; then
    peers_log "installing ${need[*]} (apt-get)"
    apt-get update -qq
    # policy-rc.d or not, no packaged service is used: each daemon here is
    # started by this script with its own configuration.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  for p in /usr/bin/time indexer searchd redis-server redis-benchmark xapian-compact; do
    command -v "$p" >/dev/null || { echo "bench: $p still missing" >&2; exit 1; }
  done
}

# A free TCP port on 127.0.0.1 (the kernel's choice, released at once).
peers_free_port() {
  "$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Seconds since a `date +%s.%N` stamp, 2 decimals.
peers_since() { awk -v a="$(date +%s.%N)" -v b="$1" 'BEGIN {printf "%.2f", a - b}'; }

peers_kb() { du -sk "$@" | awk '{s+=$1} END {print s+0}'; }

# peers_timed LABEL.PREFIX CMD... : runs CMD under /usr/bin/time -v (and a
# time limit); records PREFIX_wall (s), PREFIX_rss_mb (peak RSS).
peers_timed() {
  local key=$1; shift
  local tv="$out/time-${key//./-}.txt" rc=0
  timeout "$STEP_LIMIT" /usr/bin/time -v -o "$tv" "$@" >>"$out/steps.log" 2>&1 || rc=$?
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$tv")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$tv")
  echo "${key}_wall=${wall:-0}" >>"$res"
  echo "${key}_rss_mb=${rss:-0}" >>"$res"
  if [ $rc -ne 0 ]; then
    echo "${key}_failed=exit $rc" >>"$res"
    peers_log "$key failed (exit $rc; see $out/steps.log)"
  fi
  return 0
}

# peers_load PREFIX TOOL ARGS... : one loadgen-format line into PREFIX_* keys.
peers_load() {
  local key=$1; shift
  local line
  line=$(timeout $((SECS + 60)) "$@" 2>>"$out/steps.log" | tail -1) || true
  echo "   $key: $line"
  set -- $line
  if [ $# -ge 10 ]; then
    { echo "${key}_qps=$7"; echo "${key}_p50=$8"; echo "${key}_p99=$9"; echo "${key}_p999=${10}"
      echo "${key}_errors=$5"; } >>"$res"
  else
    echo "${key}_failed=no result" >>"$res"
  fi
}

# peers_rss_watch PID KEY: samples VmRSS/RssAnon/RssFile every 0.2 s until
# killed; the maxima go to KEY_{rss,anon,file}_mb when it is stopped.
peers_rss_watch() {
  local p=$1 key=$2 max=0 anon=0 file=0
  trap 'echo "${key}_rss_mb=$((max/1024))" >>"$res"; echo "${key}_anon_mb=$((anon/1024))" >>"$res"; echo "${key}_file_mb=$((file/1024))" >>"$res"; exit 0' TERM
  while kill -0 "$p" 2>/dev/null; do
    local r a f
    r=$(awk '/^VmRSS:/ {print $2}' /proc/$p/status 2>/dev/null || echo 0)
    a=$(awk '/^RssAnon:/ {print $2}' /proc/$p/status 2>/dev/null || echo 0)
    f=$(awk '/^RssFile:/ {print $2}' /proc/$p/status 2>/dev/null || echo 0)
    [ "${r:-0}" -gt "$max" ] && max=$r
    [ "${a:-0}" -gt "$anon" ] && anon=$a
    [ "${f:-0}" -gt "$file" ] && file=$f
    sleep 0.2
  done
  echo "${key}_rss_mb=$((max/1024))" >>"$res"
  echo "${key}_anon_mb=$((anon/1024))" >>"$res"
  echo "${key}_file_mb=$((file/1024))" >>"$res"
}

peers_stop_pid() {
  local p=$1
  if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
    kill -TERM "$p" 2>/dev/null || true
    local i
    for i in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && kill -KILL "$p" 2>/dev/null || true
  fi
  wait "$p" 2>/dev/null || true
}

# peers_daemon_load NAME PID TOOL ADDR QUERIES : one daemon's benchmark with
# TOOL (loadgen or sphinxql_load, one command line): idle RSS, a warm-up, PING
# then the query mix at 1, 8 and 64 connections, and the RSS while 64
# connections query, into NAME.d_* keys.
peers_daemon_load() {
  local name=$1 dpid=$2 tool=$3 daddr=$4 queries=$5 c
  echo "$name.d_idle_rss_mb=$(( $(awk '/^VmRSS:/ {print $2}' /proc/$dpid/status) / 1024 ))" >>"$res"
  "$tool" --addr "$daddr" --conns 4 --queries "$queries" --requests 2000 \
      --duration "$SECS" --label warmup >/dev/null 2>>"$out/steps.log" || true
  for c in 1 8 64; do
    peers_load "$name.d_ping_c$c" "$tool" --addr "$daddr" --conns "$c" --ping \
        --requests 2000000 --duration "$SECS" --label ping
  done
  for c in 1 8 64; do
    if [ "$c" = 64 ]; then peers_rss_watch "$dpid" "$name.d_busy" & wpid=$!; fi
    peers_load "$name.d_query_c$c" "$tool" --addr "$daddr" --conns "$c" \
        --queries "$queries" --requests 1000000 --duration "$SECS" --label query
  done
  peers_stop_pid "$wpid"; wpid=""
}

peers_cleanup() {
  [ -n "${zpid:-}" ] && peers_stop_pid "$zpid"
  [ -n "${spid:-}" ] && peers_stop_pid "$spid"
  [ -n "${rpid:-}" ] && peers_stop_pid "$rpid"
  [ -n "${wpid:-}" ] && peers_stop_pid "$wpid"
  zpid="" spid="" rpid="" wpid=""
}

peers_bench() {
  local mode=$1
  local gen_mb real_mb per_class passes total
  if [ "$mode" = quick ]; then
    gen_mb=${BENCH_MB:-16} real_mb=${BENCH_REAL_MB:-4} per_class=${BENCH_PER_CLASS:-20}
    SECS=${BENCH_SECS:-4} passes=2 total=2000 STEP_LIMIT=900
  else
    gen_mb=${BENCH_MB:-200} real_mb=${BENCH_REAL_MB:-0} per_class=${BENCH_PER_CLASS:-60}
    SECS=${BENCH_SECS:-10} passes=2 total=20000 STEP_LIMIT=7200
  fi
  out=${BENCH_OUT:-bench/out/$mode}
  local doc=${BENCH_DOC:-docs/benchmarks.md}
  local bin="$BUILD/bin" bb="$BUILD/bench" cores
  cores=$(nproc)
  res="$out/results.txt"
  zpid="" spid="" rpid="" wpid=""
  trap peers_cleanup EXIT
  local t_start; t_start=$(date +%s)

  for f in "$bin/zhengce-indexer" "$bin/zhengce-searchd" "$bb/loadgen" "$bb/qbench" \
           "$bb/xapian_bound" "$bb/fts5_bench" "$bb/sphinxql_load"; do
    [ -x "$f" ] || { echo "bench: $f missing (run make bench)" >&2; exit 1; }
  done
  peers_deps
  mkdir -p "$out"
  rm -rf "$out"/zhengce-index* "$out"/xapian-db* "$out"/fts5-* "$out"/sphinx "$out"/redis
  : >"$res"
  : >"$out/steps.log"

  # -- machine and versions --------------------------------------------------
  {
    echo "meta.mode=$mode"
    echo "meta.date=$(date -u +%Y-%m-%dT%H:%MZ)"
    echo "meta.nproc=$cores"
    echo "meta.cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
    echo "meta.ram_gb=$(awk '/MemTotal/ {printf "%.1f", $2/1048576}' /proc/meminfo)"
    echo "meta.kernel=$(uname -r)"
    echo "meta.load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "meta.commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- lib indexer searchd wrappers 2>/dev/null || echo '+changes')"
    echo "meta.xapian=$(pkg-config --modversion xapian-core)"
    echo "meta.sphinx=$(indexer 2>&1 | head -1 | awk '{print $2}')"
    echo "meta.sqlite=$(pkg-config --modversion sqlite3)"
    echo "meta.redis=$(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p')"
    echo "meta.libevent=$(pkg-config --modversion libevent)"
    echo "meta.cc=$(${CC:-cc} --version | head -1)"
    echo "meta.command=make $( [ "$mode" = quick ] && echo bench-quick || echo bench ) BENCH_MB=$gen_mb BENCH_REAL_MB=$real_mb BENCH_PER_CLASS=$per_class BENCH_SECS=$SECS${BENCH_ANALYZER:+ BENCH_ANALYZER=$BENCH_ANALYZER}"
  } >>"$res"

  # -- corpus and query mix --------------------------------------------------
  local corpus="$out/corpus.jsonl" real="$SHARED/corpus-real/policies.jsonl"
  local stamp="gen42-${gen_mb}MB+real-${real_mb}MB"
  if [ ! -f "$out/corpus.stamp" ] || [ "$(cat "$out/corpus.stamp")" != "$stamp" ] || [ ! -s "$corpus" ]; then
    peers_log "corpus: corpus/gen --seed 42 --mb $gen_mb + policies.jsonl ($real_mb MiB; 0 = all)"
    "$PYTHON" corpus/gen --seed 42 --mb "$gen_mb" --out "$corpus.tmp"
    if [ -f "$real" ]; then
      if [ "$real_mb" = 0 ]; then
        cat "$real" >>"$corpus.tmp"
      else
        # whole lines only: the first line that crosses the limit is dropped
        head -c $((real_mb * 1048576)) "$real" | "$PYTHON" -c '
import sys
d = sys.stdin.buffer.read()
sys.stdout.buffer.write(d[: d.rfind(b"\n") + 1])' >>"$corpus.tmp"
      fi
    else
      echo "bench: $real missing; generated documents only" >&2
    fi
    mv "$corpus.tmp" "$corpus"
    echo "$stamp" >"$out/corpus.stamp"
  fi
  local bytes docs
  bytes=$(stat -c %s "$corpus")
  docs=$(wc -l <"$corpus")
  { echo "corpus.bytes=$bytes"; echo "corpus.docs=$docs"; } >>"$res"
  peers_log "corpus: $docs documents, $((bytes / 1048576)) MiB"
  local t0
  t0=$(date +%s.%N)
  "$PYTHON" bench/prep.py --corpus "$corpus" --out "$out" --per-class "$per_class" --sphinx-tsv
  echo "sphinx.tsv_secs=$(peers_since "$t0")" >>"$res"

  # -- indexing ----------------------------------------------------------------
  peers_log "zhengce-indexer"
  local ana=()
  [ -n "${BENCH_ANALYZER:-}" ] && ana=(--analyzer "$BENCH_ANALYZER")
  peers_timed zhengce.index "$bin/zhengce-indexer" --index "$out/zhengce-index" "${ana[@]}" --quiet --no-progress "$corpus"
  echo "zhengce.index_kb=$(peers_kb "$out/zhengce-index")" >>"$res"
  t0=$(date +%s.%N)
  xapian-compact "$out/zhengce-index" "$out/zhengce-index.compact" >>"$out/steps.log" 2>&1 &&
    echo "zhengce.compact_kb=$(peers_kb "$out/zhengce-index.compact")" >>"$res"
  echo "zhengce.compact_secs=$(peers_since "$t0")" >>"$res"

  peers_log "xapian_bound index"
  peers_timed xapian.index "$bb/xapian_bound" index --db "$out/xapian-db" "$corpus"
  echo "xapian.index_kb=$(peers_kb "$out/xapian-db")" >>"$res"
  t0=$(date +%s.%N)
  xapian-compact "$out/xapian-db" "$out/xapian-db.compact" >>"$out/steps.log" 2>&1 &&
    echo "xapian.compact_kb=$(peers_kb "$out/xapian-db.compact")" >>"$res"
  echo "xapian.compact_secs=$(peers_since "$t0")" >>"$res"

  local tok
  for tok in trigram unicode61; do
    peers_log "fts5_bench index ($tok)"
    peers_timed "fts5_$tok.index" "$bb/fts5_bench" index --db "$out/fts5-$tok.db" --tokenizer "$tok" "$corpus"
    echo "fts5_$tok.index_kb=$(peers_kb "$out/fts5-$tok.db")" >>"$res"
  done

  peers_log "sphinx indexer"
  local sph="$out/sphinx" sport
  mkdir -p "$sph"
  sport=$(peers_free_port)
  local abs_out; abs_out=$(cd "$out" && pwd)
  cat >"$sph/sphinx.conf" <<EOF
# made by bench/peers.sh: the benchmark corpus (bench/prep.py's sphinx.tsv),
# CJK as Sphinx 2.2's documentation advises (ngram_len = 1, ngram_chars over
# the CJK ranges, the default UTF-8 charset_table), English stemming.
source zc_src
{
  type = tsvpipe
  tsvpipe_command = cat $abs_out/sphinx.tsv
  tsvpipe_field_string = title
  tsvpipe_field = body
  tsvpipe_field = docno
  tsvpipe_attr_uint = lang
  tsvpipe_attr_string = issuer
  tsvpipe_attr_uint = issuer_crc
  tsvpipe_attr_uint = date_num
  tsvpipe_attr_uint = year
}
index zc
{
  source = zc_src
  path = $abs_out/sphinx/zc
  charset_table = 0..9, A..Z->a..z, _, a..z, U+410..U+42F->U+430..U+44F, U+430..U+44F, U+401->U+451, U+451
  ngram_len = 1
  ngram_chars = U+3000..U+2FA1F
  morphology = stem_en
}
indexer
{
  mem_limit = 256M
}
searchd
{
  listen = 127.0.0.1:$sport:mysql41
  log = $abs_out/sphinx/searchd.log
  query_log = $abs_out/sphinx/query.log
  pid_file = $abs_out/sphinx/searchd.pid
  binlog_path =
  workers = threads
  max_children = 256
}
EOF
  peers_timed sphinx.index indexer --config "$sph/sphinx.conf" --all
  echo "sphinx.index_kb=$(peers_kb "$sph"/zc.*)" >>"$res"

  # -- queries in process --------------------------------------------------------
  local qargs=(--queries "$out/queries.tsv" --passes "$passes" --threads "$cores" --total "$total" --max-secs $((SECS * 2)))
  peers_log "queries in process: qbench (zhengce), xapian_bound, fts5_bench x2"
  timeout "$STEP_LIMIT" "$bb/qbench" --index "$out/zhengce-index" "${qargs[@]}" --label zhengce >>"$res" 2>>"$out/steps.log" ||
    echo "zhengce.q_failed=1" >>"$res"
  # The cost of exact totals, back to back with the run above: the same
  # mix with no counting past the page (bench/counts.sh measures it in full).
  timeout "$STEP_LIMIT" "$bb/qbench" --index "$out/zhengce-index" "${qargs[@]}" --threads 0 \
      --exact-count 0 --label zhengce_count0 >>"$res" 2>>"$out/steps.log" ||
    echo "zhengce_count0.q_failed=1" >>"$res"
  # the authority prior's cost (issue 13): the same latency pass right after,
  # without it (SEARCH "prior":false)
  timeout "$STEP_LIMIT" "$bb/qbench" --index "$out/zhengce-index" --queries "$out/queries.tsv" \
      --passes "$passes" --threads 0 --no-prior --label zhengce_noprior >>"$res" 2>>"$out/steps.log" ||
    echo "zhengce_noprior.q_failed=1" >>"$res"
  timeout "$STEP_LIMIT" "$bb/xapian_bound" query --db "$out/xapian-db" "${qargs[@]}" --label xapian >>"$res" 2>>"$out/steps.log" ||
    echo "xapian.q_failed=1" >>"$res"
  for tok in trigram unicode61; do
    timeout "$STEP_LIMIT" "$bb/fts5_bench" query --db "$out/fts5-$tok.db" --tokenizer "$tok" "${qargs[@]}" --label "fts5_$tok" >>"$res" 2>>"$out/steps.log" ||
      echo "fts5_$tok.q_failed=1" >>"$res"
  done

  # -- zhengce-searchd -------------------------------------------------------------
  peers_log "zhengce-searchd: PING and the query mix at 1, 8, 64 connections, ${SECS}s each"
  local zlog="$out/zhengce-searchd.log" addr="" i c
  "$bin/zhengce-searchd" --index "$out/zhengce-index" --listen 127.0.0.1:0 --slow-ms 100000 \
      --idle-timeout 0 2>"$zlog" &
  zpid=$!
  for i in $(seq 1 600); do
    if grep -q " ready " "$zlog" 2>/dev/null; then
      addr=$(grep -o 'listening tcp [^ ]*' "$zlog" | head -1 | cut -d' ' -f3)
      break
    fi
    kill -0 "$zpid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -n "$addr" ]; then
    peers_daemon_load zhengce "$zpid" "$bb/loadgen" "$addr" "$out/queries-searchd.txt"
  else
    echo "zhengce.d_failed=not ready" >>"$res"
    cat "$zlog" >>"$out/steps.log"
  fi
  peers_stop_pid "$zpid"; zpid=""

  # -- Sphinx searchd ----------------------------------------------------------------
  peers_log "sphinx searchd on 127.0.0.1:$sport: PING and the query mix at 1, 8, 64 connections"
  if searchd --config "$sph/sphinx.conf" >>"$out/steps.log" 2>&1; then
    for i in $(seq 1 100); do [ -s "$sph/searchd.pid" ] && break; sleep 0.1; done
    spid=$(cat "$sph/searchd.pid" 2>/dev/null || true)
  fi
  if [ -n "$spid" ]; then
    sleep 0.5
    peers_daemon_load sphinx "$spid" "$bb/sphinxql_load" "127.0.0.1:$sport" "$out/queries-sphinxql.txt"
    # searchd daemonized itself: not our child, so stop it by its pid file's PID
    kill -TERM "$spid" 2>/dev/null || true
    for i in $(seq 1 100); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$spid" 2>/dev/null && kill -KILL "$spid" 2>/dev/null || true
    spid=""
  else
    echo "sphinx.d_failed=not started" >>"$res"
  fi

  # -- redis ---------------------------------------------------------------------------
  local rport; rport=$(peers_free_port)
  peers_log "redis-server on 127.0.0.1:$rport: redis-benchmark -t ping at 1, 8, 64 connections"
  mkdir -p "$out/redis"
  # redis chdirs to --dir before opening its log: absolute paths only
  redis-server --bind 127.0.0.1 --port "$rport" --save '' --appendonly no --daemonize no \
      --dir "$abs_out/redis" --logfile "$abs_out/redis/redis.log" &
  rpid=$!
  local rready=0
  for i in $(seq 1 100); do
    redis-cli -h 127.0.0.1 -p "$rport" ping >/dev/null 2>&1 && { rready=1; break; }
    kill -0 "$rpid" 2>/dev/null || break
    sleep 0.1
  done
  local n_ping=$((SECS * 40000))
  if [ "$rready" = 1 ]; then
    for c in 1 8 64; do
      local csv
      csv=$(timeout $((SECS * 10 + 60)) redis-benchmark -h 127.0.0.1 -p "$rport" -t ping -c "$c" -n "$n_ping" --csv 2>>"$out/steps.log" |
            grep '"PING_INLINE"' | tr -d '"') || true
      echo "   redis.ping_c$c: $csv"
      if [ -n "$csv" ]; then
        IFS=, read -r _ rps _ _ p50 _ p99 _ <<<"$csv"
        { echo "redis.d_ping_c${c}_qps=$rps"; echo "redis.d_ping_c${c}_p50=$p50"; echo "redis.d_ping_c${c}_p99=$p99"; } >>"$res"
      fi
    done
  else
    echo "redis.d_failed=not started" >>"$res"
    cat "$abs_out/redis/redis.log" >>"$out/steps.log" 2>/dev/null || true
  fi
  peers_stop_pid "$rpid"; rpid=""

  {
    echo "meta.load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "meta.total_secs=$(( $(date +%s) - t_start ))"
  } >>"$res"
  trap - EXIT
  "$PYTHON" bench/report.py --results "$res" --doc "$doc" --mode "$mode"
}
