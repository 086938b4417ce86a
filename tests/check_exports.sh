#!/usr/bin/env bash
# check_exports.sh SO HEADER... — the exported-symbol check.
# Passes (exit 0) when the shared library SO exports exactly the functions
# the public HEADERs (zhengce.h, zc_status.h) declare with ZC_API, and
# nothing else: every symbol
# `nm -D --defined-only` lists, whatever its kind (function, data, weak,
# typeinfo, template instance), must be a zc_* name, and the zc_* functions
# must be the header's set.  lib/libzhengce.map makes it so.
set -u
so=$1; shift; hdrs=("$@"); hdr="${hdrs[*]}"
[ -f "$so" ] || { echo "check_exports: $so not found"; exit 1; }
syms=$(nm -D --defined-only "$so") || { echo "check_exports: nm -D $so failed"; exit 1; }
want=$(cat "${hdrs[@]}" | grep -v '^#define' | grep -o 'ZC_API [^(]*(' | sed -E 's/.*[ *]([a-z_0-9]+)\($/\1/' | sort -u)
[ -n "$want" ] || { echo "check_exports: no ZC_API function found in $hdr"; exit 1; }
have=$(echo "$syms" | awk '$2 == "T" {print $3}' | sort -u)
notzc=$(echo "$syms" | awk 'NF >= 3 && $3 !~ /^zc_/ {print $2, $3}')
nonfunc=$(echo "$syms" | awk 'NF >= 3 && $3 ~ /^zc_/ && $2 != "T" {print $2, $3}')
extra=$(comm -13 <(echo "$want") <(echo "$have"))
missing=$(comm -23 <(echo "$want") <(echo "$have"))
ok=1
if [ -n "$notzc" ]; then
  echo "exported but not zc_* ($(echo "$notzc" | wc -l) symbols):"; echo "$notzc" | head -20 | sed 's/^/  /'
  ok=0
fi
[ -n "$nonfunc" ] && { echo "zc_* symbols that are not functions:" $nonfunc; ok=0; }
[ -n "$extra" ] && { echo "exported but not in $hdr:" $extra; ok=0; }
[ -n "$missing" ] && { echo "declared in $hdr but not exported:" $missing; ok=0; }
if [ "$ok" = 1 ]; then
  echo "exports match $hdr ($(echo "$want" | wc -l) functions, nothing else)"
  exit 0
fi
exit 1
