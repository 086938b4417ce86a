#!/usr/bin/env bash
# Installs the Debian packages zhengce needs to build, test and demo, only
# those missing.  Root runs apt-get directly; others go through sudo.
set -euo pipefail
PKGS=(build-essential pkg-config g++ libxapian-dev xapian-tools libevent-dev
      libutf8proc-dev libjansson-dev libfriso-dev friso-dict libopencc-dev opencc
      libcmocka-dev libedit-dev python3 python3-pytest clang libclang-rt-14-dev
      valgrind libzstd-dev nettle-dev)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && { echo "deps: all ${#PKGS[@]} packages present"; exit 0; }
echo "deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq "${missing[@]}"
