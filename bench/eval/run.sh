#!/usr/bin/env bash
# run.sh — entry point of `make eval`: measured search quality per analyzer.
#
# Runs bench/eval/eval.py with the system Python (standard library only).
# Environment (set by make): BUILD (build dir with bin/ and bench/evalq),
# SHARED (the shared data dir), PYTHON (default /usr/bin/python3).
# Extra arguments go to eval.py (e.g. --analyzers ngram --per-class 100).
#
# If the shared corpora are absent this says so and exits 0: the evaluation
# is optional where the data is not mounted.
set -eu
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SHARED=${SHARED:-$(cd .. && pwd)/shared}
PYTHON=${PYTHON:-/usr/bin/python3}
if [ ! -r "$SHARED/corpus-real/policies.jsonl" ]; then
  echo "eval: $SHARED/corpus-real/policies.jsonl not found: the shared corpora are" \
       "missing, nothing to evaluate (docs/quality.md left as it is)." >&2
  exit 0
fi
mkdir -p "$BUILD"
# The judge is tested before it judges (a second or two).
echo "[eval] testing the harness (bench/eval/test_eval.py)" >&2
BUILD=$BUILD SHARED=$SHARED "$PYTHON" bench/eval/test_eval.py 2>"$BUILD/eval-selftest.log" || {
  cat "$BUILD/eval-selftest.log" >&2
  echo "eval: the harness's own tests failed; no figures produced" >&2
  exit 1
}
exec "$PYTHON" bench/eval/eval.py --build "$BUILD" --shared "$SHARED" "$@"
