#!/usr/bin/env bash
# check_install.sh BUILD — `make install` gives a user everything needed.
# Installs into a temporary DESTDIR (PREFIX=/usr/local), then builds
# docs/examples/embed.c against the installed tree with nothing but
# `pkg-config --cflags --libs zhengce` (PKG_CONFIG_PATH and
# PKG_CONFIG_SYSROOT_DIR pointed at it), twice:
#   shared  the installed libzhengce.so; the binary must need it
#   static  `pkg-config --static`, in a copy of the tree without the .so, so
#           the linker takes libzhengce.a: Libs.private must be enough
# and runs each (index two documents, search).  Also checks that
# `pkg-config --cflags zhengce` is the include directory alone.
# Prints one line per check; exit 0 when all pass.
# SAN=1 (make asan): the tree is sanitizer-built, so make install gets SAN=1
# and the example is compiled with the sanitizers too (their runtime must be
# linked into the program; pkg-config cannot say so).
set -u
BUILD=${1:-build}
CC=${CC:-cc}
SAN=${SAN:-}
sanflags=
[ "$SAN" = 1 ] && sanflags="-fsanitize=address,undefined"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/zc-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fails=0
ok()   { echo "install: $1: ok"; }
bad()  { echo "install: $1: FAILED"; [ -n "${2:-}" ] && echo "$2" | tail -30; fails=$((fails + 1)); }

root=$tmp/root
if ! out=$(make --no-print-directory BUILD="$BUILD" SAN="$SAN" install DESTDIR="$root" PREFIX=/usr/local 2>&1); then
  bad "make install" "$out"; echo "install: 1 FAILED"; exit 1
fi
ok "make install DESTDIR=... PREFIX=/usr/local"

# pc: PREFIX; cflags: the include directory, nothing a dependency adds
pcflags() {   # pcflags ROOT ARGS...: pkg-config zhengce against the tree at ROOT
  local r=$1; shift
  PKG_CONFIG_PATH=$r/usr/local/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$r pkg-config "$@" zhengce
}
cflags=$(pcflags "$root" --cflags)
if [ "$(echo $cflags)" = "-I$root/usr/local/include" ]; then ok "pkg-config --cflags is '-I<include>' only"
else bad "pkg-config --cflags is '$cflags', want '-I$root/usr/local/include' only"; fi
[ -f "$root/usr/local/include/zhengce.h" ] && ok "zhengce.h installed" || bad "zhengce.h installed"
# the built-in synonym list, a model for an index's own (docs/synonyms.md)
if cmp -s data/synonyms.txt "$root/usr/local/share/zhengce/synonyms.txt"; then
  ok "share/zhengce/synonyms.txt installed"
else bad "share/zhengce/synonyms.txt installed"; fi

# build_run NAME ROOT [--static]: compile, link, run embed.c
build_run() {
  local name=$1 r=$2 st=${3:-} exe=$tmp/embed-$1 o
  if ! o=$($CC -std=c11 -Wall -Wextra -Werror $sanflags $(pcflags "$r" --cflags $st) -o "$exe" \
           docs/examples/embed.c $(pcflags "$r" --libs $st) 2>&1); then
    bad "$name: compile and link" "$o"; return
  fi
  if readelf -d "$exe" | grep -q 'NEEDED.*libzhengce'; then
    [ "$name" = shared ] || { bad "$name: binary needs libzhengce.so"; return; }
  else
    [ "$name" = static ] || { bad "$name: binary does not need libzhengce.so"; return; }
  fi
  if ! o=$(LD_LIBRARY_PATH=$r/usr/local/lib "$exe" "$tmp/index-$name" 振兴东北 2>&1); then
    bad "$name: run" "$o"; return
  fi
  if echo "$o" | grep -q '\[ne-2003\]'; then ok "$name: embed.c built with pkg-config, ran, found ne-2003"
  else bad "$name: ran but did not find ne-2003" "$o"; fi
}
build_run shared "$root"
cp -a "$root" "$tmp/root-static"
rm -f "$tmp"/root-static/usr/local/lib/libzhengce.so*
build_run static "$tmp/root-static" --static

[ "$fails" -eq 0 ] && { echo "install: all checks passed"; exit 0; }
echo "install: $fails FAILED"; exit 1
