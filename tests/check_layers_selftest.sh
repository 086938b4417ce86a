#!/usr/bin/env bash
# check_layers_selftest.sh — proves tests/check_layers.py can fail.
# On a temporary copy of the product folders (never the tree itself) it must
#   pass on the copy as it is (with today's allowlist),
#   fail on a planted upward include (lib/ including searchd/),
#   fail on a planted sideways include (indexer/ including searchd/),
#   fail on a planted module cycle (two new lib/ modules including each other),
#   fail on a planted header that stands in for a system one (lib/string.h,
#     with -Ilib planted in the copy's CPPFLAGS),
#   fail on a planted include not written by its path from the top,
#   fail on a planted link-level cycle (two objects calling each other),
# each with the planted file:line in its output.  Exit 0 when all hold.
set -u
PYTHON=${PYTHON:-python3}
here=$(cd "$(dirname "$0")" && pwd); src=$(dirname "$here")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zc-layers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0

fresh() {   # a clean copy of the tree in $tmp/tree
  rm -rf "$tmp/tree"; mkdir -p "$tmp/tree/tests"
  for d in base wrappers lib protocol client indexer searchd cli; do
    [ -d "$src/$d" ] && cp -r "$src/$d" "$tmp/tree/"
  done
  cp "$src/Makefile" "$tmp/tree/"
  cp "$src/tests/check_layers.py" "$src/tests/layers-allow.txt" "$tmp/tree/tests/"
}
# expect NAME RC PATTERN [ARGS...]: run the script on the copy
expect() {
  local name=$1 want=$2 pat=$3 out rc; shift 3
  out=$("$PYTHON" "$tmp/tree/tests/check_layers.py" --root "$tmp/tree" "$@" 2>&1); rc=$?
  if [ "$rc" -eq "$want" ] && echo "$out" | grep -qE -- "$pat"; then
    echo "layers selftest: $name: ok"
  else
    echo "layers selftest: $name: FAILED (exit $rc, want $want; output must match '$pat'):"
    echo "$out" | tail -20
    fails=$((fails + 1))
  fi
}

fresh
expect "clean copy passes" 0 'no violation beyond the allowlist'

fresh
n=$(( $(wc -l < "$tmp/tree/lib/norm.c") + 1 ))
echo '#include "searchd/server.h"' >> "$tmp/tree/lib/norm.c"
expect "upward include fails" 1 "^lib/norm.c:$n: includes searchd/server.h: upward"

fresh
n=$(( $(wc -l < "$tmp/tree/wrappers/converter.c") + 1 ))
echo '#include "lib/norm.h"' >> "$tmp/tree/wrappers/converter.c"
expect "wrappers including lib fails" 1 "^wrappers/converter.c:$n: includes lib/norm.h: upward"

fresh
n=$(( $(wc -l < "$tmp/tree/indexer/main.c") + 1 ))
echo '#include "searchd/conn.h"' >> "$tmp/tree/indexer/main.c"
expect "sideways include fails" 1 "^indexer/main.c:$n: includes searchd/conn.h: sideways"

fresh
printf '#include "lib/zz_plant_b.h"\n' > "$tmp/tree/lib/zz_plant_a.h"
printf '/* b */\n#include "lib/zz_plant_a.h"\n' > "$tmp/tree/lib/zz_plant_b.c"
printf '/* b */\n' > "$tmp/tree/lib/zz_plant_b.h"
expect "module cycle fails" 1 'cycle between modules lib/zz_plant_a <-> lib/zz_plant_b'
expect "module cycle names file:line" 1 '^  lib/zz_plant_b.c:2: includes lib/zz_plant_a.h'

fresh
printf '/* ours */\n' > "$tmp/tree/lib/string.h"
sed -i 's|^CPPFLAGS   += |CPPFLAGS   += -Ilib |' "$tmp/tree/Makefile"
expect "system header stand-in fails" 1 '^lib/string.h:1: stands in for the system header <string.h>'

fresh
n=$(( $(wc -l < "$tmp/tree/lib/norm.c") + 1 ))
echo '#include "strbuf.h"' >> "$tmp/tree/lib/norm.c"
expect "unqualified include fails" 1 "^lib/norm.c:$n: includes \"strbuf.h\", not by its path from the top"

fresh
mkdir -p "$tmp/objs/lib"
printf 'void zz_plant_g(void);\nvoid zz_plant_f(void)\n{\n    zz_plant_g();\n}\n' > "$tmp/tree/lib/zz_plant_f.c"
printf 'void zz_plant_f(void);\nvoid zz_plant_g(void)\n{\n    zz_plant_f();\n}\n' > "$tmp/tree/lib/zz_plant_g.c"
if ${CC:-cc} -c -o "$tmp/objs/lib/zz_plant_f.o" "$tmp/tree/lib/zz_plant_f.c" &&
   ${CC:-cc} -c -o "$tmp/objs/lib/zz_plant_g.o" "$tmp/tree/lib/zz_plant_g.c"; then
  expect "link-level cycle fails" 1 '^  lib/zz_plant_f.c:4: uses zz_plant_g, defined in lib/zz_plant_g.c' --objs "$tmp/objs"
else
  echo "layers selftest: link-level cycle: FAILED (cc)"; fails=$((fails + 1))
fi

[ "$fails" -eq 0 ] && { echo "layers selftest: all checks passed"; exit 0; }
echo "layers selftest: $fails FAILED"; exit 1
