#!/bin/sh
# Builds tests/compile_check.c with -Wall -Wextra -Wpedantic -Werror under gcc and clang as
# C99 and C11, as C++ under g++ and clang++, and with every option of the header's OPTIONS
# at least once (static mode, each opt-out, allocation hooks, GUDEF, GU_ASSERT, GU_CUDA's
# declarations, the stb and CBLAS options, fast math), and runs each binary. A partial set
# of hooks, -ffast-math without GU_ALLOW_FAST_MATH and the old option names must fail.
# One line per build as it goes ("compile-check 3: gcc-O2 ... ok"), a count at the end.
cd "$(dirname "$0")" || exit 1
W="-Wall -Wextra -Wpedantic -Werror"
LIBS="-lm -lz -lpthread"
out=$(mktemp -d)
fail=0
n=0
begin() {  # begin NAME: the build's line, finished by `ok` or by its failure
    n=$((n + 1))
    printf 'compile-check %d: %s ... ' "$n" "$1"
}
run() {  # run NAME COMPILER FLAGS...
    name=$1; shift
    begin "$name"
    if "$@" -o "$out/$name" $LIBS 2>"$out/$name.log" && "$out/$name" >"$out/$name.out" 2>&1; then echo ok; else
        echo; echo "compile-check FAILED: $name: $*"; cat "$out/$name.log" "$out/$name.out"; fail=1
    fi
}
have() { command -v "$1" >/dev/null 2>&1; }
for cc in gcc clang; do
    have $cc || { echo "compile-check: $cc not found, skipped"; continue; }
    for std in c99 c11; do
        run "$cc-$std" $cc -std=$std $W compile_check.c compile_check_b.c
    done
    run "$cc-O2" $cc -std=c99 -O2 $W compile_check.c compile_check_b.c
    run "$cc-static" $cc -std=c99 $W -DGU_STATIC compile_check.c
    run "$cc-optouts" $cc -std=c99 $W -DGU_NO_THREADS -DGU_NO_SIMD -DGU_NO_ZLIB -DGU_NO_PNG compile_check.c compile_check_b.c
    run "$cc-hooks" $cc -std=c11 $W -DCHECK_HOOKS compile_check.c compile_check_b.c
    run "$cc-nozlib-png" $cc -std=c99 $W -DGU_NO_ZLIB compile_check.c compile_check_b.c
done
for cxx in g++ clang++; do
    have $cxx || { echo "compile-check: $cxx not found, skipped"; continue; }
    run "$cxx-cuda-decls" $cxx -x c++ -std=c++11 $W -DGU_CUDA compile_check.c compile_check_b.c
    run "$cxx-O2" $cxx -x c++ -std=c++14 -O2 $W compile_check.c compile_check_b.c
    run "$cxx-17-static" $cxx -x c++ -std=c++17 $W -DGU_STATIC compile_check.c
done
# The per-part opt-outs, each alone (gcc), and all at once (gcc, clang with GU_NO_ZLIB
# too, g++).
parts="GU_NO_PLOT GU_NO_MNIST GU_NO_LADDER GU_NO_EINSUM GU_NO_GRID"
all=""
for p in $parts; do
    all="$all -D$p"
    have gcc && run "gcc-$p" gcc -std=c99 $W -D$p compile_check.c compile_check_b.c
done
have gcc && run "gcc-parts-out" gcc -std=c99 $W $all compile_check.c compile_check_b.c
have clang && run "clang-parts-out" clang -std=c11 $W $all -DGU_NO_ZLIB compile_check.c compile_check_b.c
have g++ && run "g++-parts-out" g++ -x c++ -std=c++11 $W $all compile_check.c compile_check_b.c
# The other options, once each (gcc): the user's GUDEF (exporting the API from a
# -fvisibility=hidden build) with the user's GU_ASSERT and the CUDA companion's
# declarations (GU_CUDA, in C; the C++ build above has them too); a program's own
# stb_image_write (GU_STB_NO_IMPL) named by GU_STB_INCLUDE; GU_CBLAS with GU_CBLAS_INCLUDE,
# where a CBLAS (OpenBLAS) links.
if have gcc; then
    run gcc-gudef-assert-cuda gcc -std=c99 $W -fvisibility=hidden '-DGUDEF=extern __attribute__((visibility("default")))' \
        -DCHECK_ASSERT -DGU_CUDA compile_check.c compile_check_b.c
    run gcc-stb-own gcc -std=c99 $W -I. -DGU_STB_NO_IMPL '-DGU_STB_INCLUDE="compile_check_wrap.h"' -DCHECK_WRAP_STB \
        compile_check.c compile_check_b.c
    if echo 'int main(void) { return 0; }' | gcc -x c - -o "$out/blas" -lopenblas 2>/dev/null; then
        run gcc-cblas gcc -std=c99 $W -I. -DGU_CBLAS '-DGU_CBLAS_INCLUDE="compile_check_wrap.h"' -DCHECK_WRAP_CBLAS \
            compile_check.c compile_check_b.c -lopenblas
    else
        echo "compile-check: no -lopenblas, GU_CBLAS skipped"
    fi
    # The options renamed in 0.2.0: each old name is an #error that names the new one.
    begin "old option names refused"
    bad=""
    for old in STATIC NO_PNG STB_INCLUDE STB_NO_IMPL CBLAS CBLAS_INCLUDE CUDA; do
        if printf '#include "groundup.h"\n' | gcc -E -x c -I.. -DGROUNDUP_$old - >/dev/null 2>"$out/old.log" ||
            ! grep -q "renamed GROUNDUP_$old to GU_$old\"" "$out/old.log"; then bad="$bad GROUNDUP_$old"; fi
    done
    if [ -z "$bad" ]; then echo ok; else echo; echo "compile-check FAILED: not refused by name:$bad"; fail=1; fi
fi
# Mixed: the implementation in C, a user in C++.
if have gcc && have g++; then
    begin "mixed C/C++"
    gcc -std=c99 $W -c compile_check.c -o "$out/a.o" 2>"$out/mixed.log" &&
    g++ -x c++ $W -c compile_check_b.c -o "$out/b.o" 2>>"$out/mixed.log" &&
    g++ "$out/a.o" "$out/b.o" -o "$out/mixed" $LIBS 2>>"$out/mixed.log" && "$out/mixed" >>"$out/mixed.log" 2>&1 &&
    echo ok || { echo; echo "compile-check FAILED: mixed C/C++"; cat "$out/mixed.log"; fail=1; }
fi
# The differential test's interpreter (public API only), warning-free under both compilers,
# run on the kept repros.
for cc in gcc clang; do
    have $cc || continue
    n=$((n + 1))
    if $cc -std=c99 $W difftest.c -o "$out/difftest-$cc" $LIBS 2>"$out/difftest-$cc.log" &&
        "$out/difftest-$cc" fixtures/difftest/repros.txt >"$out/difftest-$cc.out"; then :; else
        echo "compile-check FAILED: difftest ($cc)"; cat "$out/difftest-$cc.log" "$out/difftest-$cc.out" 2>/dev/null; fail=1
    fi
done
# Hooks are all or none.
begin "partial hooks refused"
if printf '#define GU_MALLOC(n) malloc(n)\n#define GROUNDUP_IMPLEMENTATION\n#include "groundup.h"\n' |
    gcc -x c -fsyntax-only -I.. - 2>"$out/hooks.log"; then
    echo; echo "compile-check FAILED: a partial set of GU_MALLOC/GU_FREE/GU_REALLOC compiled"; fail=1
elif ! grep -q "Must define all or none" "$out/hooks.log"; then
    echo; echo "compile-check FAILED: partial hooks gave the wrong error"; cat "$out/hooks.log"; fail=1
else
    echo ok
fi
# -ffast-math is refused, with a message naming the opt-in; with the opt-in it builds.
n=$((n + 1))
if gcc -std=c99 -O2 -ffast-math -fsyntax-only compile_check.c 2>"$out/fastmath.log"; then
    echo "compile-check FAILED: the implementation compiled under -ffast-math"; fail=1
elif ! grep -q "GU_ALLOW_FAST_MATH" "$out/fastmath.log"; then
    echo "compile-check FAILED: -ffast-math gave the wrong error"; cat "$out/fastmath.log"; fail=1
fi
n=$((n + 1))
gcc -std=c99 -O2 -ffast-math -DGU_ALLOW_FAST_MATH $W -fsyntax-only compile_check.c 2>"$out/fastmath2.log" ||
    { echo "compile-check FAILED: -ffast-math -DGU_ALLOW_FAST_MATH"; cat "$out/fastmath2.log"; fail=1; }
# strict C89: the header's first error names C99 (gcc goes on after an #error, so more
# follow); GNU C89 and C++98 (warning-free: 64-bit constants through UINT64_C) build.
n=$((n + 1))
printf '#include "%s/groundup.h"\n' "$(cd .. && pwd)" >"$out/c89.c"
if gcc -std=c89 -fsyntax-only "$out/c89.c" 2>"$out/c89.log"; then
    echo "compile-check FAILED: the header compiled as strict C89"; fail=1
elif ! grep -m 1 "error" "$out/c89.log" | grep -q "groundup needs C99"; then
    echo "compile-check FAILED: strict C89's first error is another"; head -5 "$out/c89.log"; fail=1
fi
have gcc && run gcc-gnu89 gcc -std=gnu89 -Wall -Wextra -Werror compile_check.c compile_check_b.c
have g++ && run g++-98 g++ -x c++ -std=c++98 $W compile_check.c compile_check_b.c
# tcc 0.9.27, threads on: C11 atomics and GCC's __atomic builtins are missing there, so the
# library's atomics fall back to a mutex and its pause hint is plain asm.
if have tcc; then
    run tcc tcc -Wall -Werror compile_check.c compile_check_b.c
    run tcc-nothreads tcc -Wall -Werror -DGU_NO_THREADS compile_check.c compile_check_b.c
fi
rm -rf "$out"
[ $fail = 0 ] && echo "compile-check: $n builds ok" || exit 1
