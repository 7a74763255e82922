#!/bin/sh
# tests/cross.sh - the portability matrix (`make test-cross`): the test runner built for
# other CPUs, another OS and another compiler, and run there.
#
#   aarch64, s390x (big-endian), i686 (x87), armhf (32-bit ARM): Debian's cross compilers,
#       a static build of tests/main.c, run from tests/ under qemu-user-static
#   mingw: x86_64-w64-mingw32-gcc (posix threads: winpthreads) builds the tests and
#       examples/06_grid.c (gu_launch and the matmul on 2 threads), run under wine; the
#       example's output must be Linux's, byte for byte (timings masked)
#   tcc: tcc 0.9.27, threads on, the whole runner
#
# Usage: sh tests/cross.sh [target ...]   (default: all six). A target whose compiler or
# emulator is missing is skipped with a message; any failure makes the exit status 1.
# zlib for the cross targets: Debian's zlib1g-dev for that architecture, unpacked into
# build/cross/ (apt-get download; as root the architecture is added to dpkg first). The
# tests need it (they gzip their own fixtures), so without it the target is skipped, with
# the reason.
cd "$(dirname "$0")/.." || exit 1
B=build/cross
mkdir -p "$B/stbinc" || exit 1
W="-Wall -Wextra -Wpedantic -Werror"
# Debian's libstb-dev header is the same for every architecture; the cross compilers do
# not look in /usr/include, so they get a folder holding just stb/.
[ -e "$B/stbinc/stb" ] || ln -s /usr/include/stb "$B/stbinc/stb"
fail=0
say() { echo "cross: $*"; }
have() { command -v "$1" >/dev/null 2>&1; }

# zlib_for DEBARCH PKG...: unpack the packages into $B/root-DEBARCH; 0 when zlib.h is there.
zlib_for() {
    arch=$1; shift
    root=$B/root-$arch
    [ -n "$(find "$root" -name zlib.h 2>/dev/null | head -n 1)" ] && return 0
    mkdir -p "$root/deb" || return 1
    if ! (cd "$root/deb" && apt-get download "$@" >/dev/null 2>&1); then
        if [ "$(id -u)" = 0 ] && [ "$arch" != mingw ] && ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
            dpkg --add-architecture "$arch" && apt-get update -qq >/dev/null 2>&1
        fi
        (cd "$root/deb" && apt-get download "$@" >/dev/null 2>&1) || return 1
    fi
    for d in "$root"/deb/*.deb; do dpkg-deb -x "$d" "$root" || return 1; done
    [ -n "$(find "$root" -name zlib.h | head -n 1)" ]
}

# linux NAME TRIPLET DEBARCH QEMU FILTERS: build, then run the runner once per filter ("" = all).
linux() {
    name=$1 cc=$2-gcc arch=$3 qemu=$4 filters=$5
    have "$cc" || { say "$name: $cc not found, skipped (apt-get install gcc-$2)"; return; }
    have "$qemu" || { say "$name: $qemu not found, skipped (apt-get install qemu-user-static)"; return; }
    if ! zlib_for "$arch" "zlib1g-dev:$arch" "zlib1g:$arch"; then
        say "$name: skipped: no zlib for $arch (as root: dpkg --add-architecture $arch; apt-get update; then rerun)"
        return
    fi
    z="-I$B/root-$arch/usr/include -L$B/root-$arch/usr/lib/$(ls "$B/root-$arch/usr/lib" | grep linux | head -n 1)"
    say "$name: building"
    # shellcheck disable=SC2086
    if ! $cc -static -O2 -std=c11 $W -isystem "$B/stbinc" $z -o "$B/test_$name" tests/main.c -lz -lm -lpthread \
        2>"$B/$name.log"; then
        say "$name: BUILD FAILED"; cat "$B/$name.log"; fail=1; return
    fi
    for f in $filters; do
        [ "$f" = all ] && f=
        say "$name: running tests ${f:-(all)} under $qemu"
        (cd tests && "$qemu" "../$B/test_$name" $f) >"$B/$name.out" 2>&1
        rc=$?
        grep -E "FAIL|skip|passed" "$B/$name.out" | sed "s/^/  $name: /"
        [ $rc = 0 ] || { say "$name: FAILED"; fail=1; }
    done
}

mingw() {
    cc=x86_64-w64-mingw32-gcc-posix
    have $cc || cc=x86_64-w64-mingw32-gcc
    have $cc || { say "mingw: x86_64-w64-mingw32-gcc not found, skipped (apt-get install gcc-mingw-w64-x86-64)"; return; }
    have wine || { say "mingw: wine not found, skipped (apt-get install wine wine64)"; return; }
    sys=/usr/x86_64-w64-mingw32
    if [ -e $sys/include/zlib.h ]; then z=
    elif zlib_for mingw libz-mingw-w64-dev; then z="-I$B/root-mingw$sys/include -L$B/root-mingw$sys/lib"
    else say "mingw: skipped: no zlib (apt-get install libz-mingw-w64-dev)"; return; fi
    say "mingw: building (threads on: winpthreads; windows.h included before groundup)"
    # shellcheck disable=SC2086
    if ! { $cc -static -O2 -std=c11 $W -include windows.h -isystem "$B/stbinc" -DSTBI_NO_SIMD $z \
               -o "$B/test_main.exe" tests/main.c -lz -lpthread &&
           $cc -static -O2 $W -include windows.h -isystem "$B/stbinc" $z -o "$B/06_grid.exe" examples/06_grid.c -lz -lpthread &&
           gcc -O2 $W -o "$B/06_grid" examples/06_grid.c -lm -lz -lpthread; } 2>"$B/mingw.log"; then
        say "mingw: BUILD FAILED"; cat "$B/mingw.log"; fail=1; return
    fi
    export WINEDEBUG=-all
    say "mingw: running the tests under wine"
    (cd tests && wine "../$B/test_main.exe" "$ALL") >"$B/mingw.out" 2>&1
    rc=$?
    grep -E "FAIL|skip|passed" "$B/mingw.out" | sed "s/^/  mingw: /"
    [ $rc = 0 ] || { say "mingw: tests FAILED"; fail=1; }
    fix=tests/fixtures/mnist/mini_mnist.pkl.gz
    mask() { tr -d '\r' | sed 's/[0-9][0-9]* ms/N ms/'; }
    "$B/06_grid" $fix | mask >"$B/06_grid.linux.txt"
    wine "$B/06_grid.exe" $fix 2>/dev/null | mask >"$B/06_grid.wine.txt"
    if cmp -s "$B/06_grid.linux.txt" "$B/06_grid.wine.txt" && [ -s "$B/06_grid.linux.txt" ]; then
        say "mingw: examples/06_grid under wine prints what it prints on Linux ($(wc -l <"$B/06_grid.linux.txt") lines)"
    else
        say "mingw: examples/06_grid: output under wine differs from Linux"; diff "$B/06_grid.linux.txt" "$B/06_grid.wine.txt"; fail=1
    fi
}

tcc_() {
    have tcc || { say "tcc: not found, skipped (apt-get install tcc)"; return; }
    say "tcc: building (threads on)"
    # stb_image.h (the tests read PNGs back) uses SSE2 intrinsics that tcc lacks: STBI_NO_SIMD.
    if ! tcc -Wall -Werror -DSTBI_NO_SIMD -o "$B/test_tcc" tests/main.c -lm -lz -lpthread 2>"$B/tcc.log"; then
        say "tcc: BUILD FAILED"; cat "$B/tcc.log"; fail=1; return
    fi
    (cd tests && "../$B/test_tcc" "$ALL") >"$B/tcc.out" 2>&1
    rc=$?
    grep -E "FAIL|skip|passed" "$B/tcc.out" | sed "s/^/  tcc: /"
    [ $rc = 0 ] || { say "tcc: FAILED"; fail=1; }
}

# Test subsets (the runner takes substrings of test names, separated by commas).
CORE=print_matches,view_chains,lesson_cells,creation_and_casts,view_vs_reshape,errors_are_clean,copy_and,custom_values
POOL=threads_fork,threads_concurrent
# Every suite but the walk-through's, whose tests run the host's build/00_walkthrough (an
# x86-64 Linux program, not the target's) when make has built it.
ALL="$CORE,mnist,random,ops_,plot,ladder,gemm,matmul_,robust,$POOL"
targets=${*:-aarch64 s390x i686 armhf mingw tcc}
for t in $targets; do
    case $t in
    aarch64) linux aarch64 aarch64-linux-gnu arm64 qemu-aarch64-static "$ALL" ;;
    # big-endian: everything but the gemm tests (2.5 of its 4 minutes under qemu; the
    # portable kernel they would check there is the one aarch64 and armhf check)
    s390x) linux s390x s390x-linux-gnu s390x qemu-s390x-static "$CORE,mnist,random,ops_,plot,ladder,robust,$POOL" ;;
    # x87 under qemu is slow (the whole runner took 12 minutes): the tests of what depends on
    # the FPU and the word size: the random numbers, the core (tensors, views, printing),
    # the MNIST parsers, and the thread pool
    i686) linux i686 i686-linux-gnu i386 qemu-i386-static "random,$CORE,mnist,robust,$POOL,plot_same_bytes" ;;
    # 32-bit ARM: all but the long gemm accuracy sweeps (the whole runner: about 7 minutes)
    armhf) linux armhf arm-linux-gnueabihf armhf qemu-arm-static "$CORE,mnist,random,ops_,plot,ladder,robust,$POOL,gemm_bad_args,gemm_ref_agrees,matmul_" ;;
    mingw) mingw ;;
    tcc) tcc_ ;;
    *) say "unknown target $t"; fail=1 ;;
    esac
done
[ $fail = 0 ] && say "all targets passed" || { say "FAILED"; exit 1; }
