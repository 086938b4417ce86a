#!/usr/bin/env bash
# Compares the symbols libzhengce.so exports with the functions zhengce.h
# declares (ZC_API).  Exit 0 when they are the same set.
set -u
so=$1 hdr=$2
want=$(grep -v '^#define' "$hdr" | grep -o 'ZC_API [^(]*(' | sed -E 's/.*[ *]([a-z_0-9]+)\($/\1/' | sort -u)
have=$(nm -D --defined-only "$so" | awk '$2 == "T" {print $3}' | grep -v '^_' | sort -u)
extra=$(comm -13 <(echo "$want") <(echo "$have"))
missing=$(comm -23 <(echo "$want") <(echo "$have"))
[ -n "$extra" ] && echo "exported but not in $hdr:" $extra
[ -n "$missing" ] && echo "declared in $hdr but not exported:" $missing
[ -z "$extra$missing" ] && echo "exports match $hdr ($(echo "$want" | wc -l) functions)"
[ -z "$extra$missing" ]
