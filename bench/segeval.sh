#!/usr/bin/env bash
# segeval.sh — word-segmentation F1 of zhengce's segmenter (friso, through
# wrappers/segmenter.h) on the SIGHAN 2005 PKU and MSR test sets in
# $SHARED/seg-gold, printed next to published figures for jieba.
#
# Usage: bench/segeval.sh        (BUILD, SHARED from make or the environment)
# Needs $BUILD/bench/segeval (make $BUILD/bench/segeval).
#
# The gold files are licensed for research use only: they are read here as a
# yardstick and never copied into the repository or into a dictionary.
set -eu
BUILD=${BUILD:-build}
SHARED=${SHARED:-$(cd "$(dirname "$0")/../.." && pwd)/shared}
bin=$BUILD/bench/segeval
gold=$SHARED/seg-gold
if [ ! -x "$bin" ]; then
  echo "segeval.sh: $bin not built (make $bin)" >&2; exit 2
fi
if [ ! -r "$gold/pku_test.utf8" ]; then
  echo "segeval.sh: no SIGHAN data in $gold" >&2; exit 2
fi
out=$BUILD/bench/segeval-out; mkdir -p "$out"

# Published jieba figures (default dictionary), word F on these exact sets:
#   howl-anderson/Chinese_tokenizer_benchmark README (bakeoff score script):
#     PKU P 0.853 R 0.787 F 0.818;  MSR P 0.817 R 0.812 F 0.815
#   lancopku/pkuseg-python readme/comparison.md, default models:
#     PKU F 0.8183;  MSR F 0.8145
# (both quoted in shared/seg-gold/README.md, "Published reference figures").
declare -A JIEBA=([pku]=0.818 [msr]=0.815)

printf '%-4s %7s %7s %7s   %-12s %s\n' set P R F1 "jieba F1" "segmenter speed"
for set in pku msr; do
  line=$("$bin" -o "$out/${set}_seg.utf8" "$gold/${set}_test.utf8" \
           "$gold/${set}_test_gold.utf8" 2>"$out/${set}.log")
  get() { echo "$line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
  p=$(get P); r=$(get R); f=$(get F1); mbs=$(get seg_MB_per_s)
  skipped=$(get skipped)
  note=""
  [ "$skipped" != 0 ] && note=" ($skipped gold lines differ from the test text: skipped)"
  verdict=$(awk -v f="$f" -v j="${JIEBA[$set]}" 'BEGIN{print (f>=j)?">= jieba":"< jieba"}')
  printf '%-4s %7s %7s %7s   %-12s %s MB/s%s  %s\n' "$set" "$p" "$r" "$f" \
    "${JIEBA[$set]}" "$mbs" "$note" "$verdict"
done
echo "segmentations written to $out/"
