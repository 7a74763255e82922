#!/bin/sh
# bench/gpu_check.sh - one command for a GPU machine: builds the CUDA companion, its tests,
# examples/07_cuda.cu and bench/gpu_check.cu with nvcc; runs the tests; checks every
# kernel against the CPU gu_matmul with gu_test_close and times it beside cuBLAS on
# 4096^3, 1024^3, 1000^3, 4097x33x513 and the MNIST product; prints transfer times.
# Made to finish within 4 minutes on one H100: about 40 s of build, under a minute of
# checks and timings, and at most 45 s for each of two compute-sanitizer passes.
#
#    sh bench/gpu_check.sh            # from the repository root
#    sh bench/gpu_check.sh --quick    # skips 4096^3
#
# Environment: NVCC (default: nvcc on PATH, else /usr/local/cuda/bin/nvcc),
# CUDA_ARCH (default sm_90, the H100), OUT (if set, the log is copied there).
# Exit status: 0 all checks passed; 1 a check failed; 2 a build or CUDA failure;
# 3 no GPU visible.
set -u
cd "$(dirname "$0")/.." || exit 2
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
ARCH=${CUDA_ARCH:-sm_90}
B=build
mkdir -p $B
if [ ! -x "$NVCC" ]; then echo "gpu_check: nvcc not found"; exit 2; fi
CUDA_HOME=${CUDA_HOME:-$(dirname "$(dirname "$NVCC")")}
echo "gpu_check: $($NVCC --version | tail -1), -arch=$ARCH, $(date -u '+%Y-%m-%d %H:%M UTC')"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader

NVFLAGS="-O3 -std=c++17 -arch=$ARCH -Xcompiler -Wall,-Wextra -I."
HOSTOPT="-Xcompiler -O3,-march=native,-pthread"

# The oracle: gu_matmul and gu_test_close from groundup.h.
DEFS=""
LIBS="-lm -lz"
for f in "$CUDA_HOME"/lib64/libcublas.so "$CUDA_HOME"/lib/libcublas.so /usr/lib/*/libcublas.so; do
    if [ -e "$f" ]; then DEFS="$DEFS -DGU_HAVE_CUBLAS"; LIBS="-lcublas $LIBS"; break; fi
done

# The one implementation file of gpu_check, compiled as C by cc like any user's program.
impl() {
    echo '#define GROUNDUP_IMPLEMENTATION'
    echo '#include "../groundup.h"'
}

t0=$(date +%s)
fail=0
echo "== build (defines:$DEFS)"
$NVCC $NVFLAGS -c groundup_cuda.cu -o $B/groundup_cuda.o || exit 2
impl >$B/gpu_check_impl.c
${CC:-cc} -O3 -march=native -std=c11 -pthread -c $B/gpu_check_impl.c -o $B/gpu_check_impl.o || exit 2
# the three programs at once (nvcc uses one core per file)
$NVCC $NVFLAGS $HOSTOPT $DEFS -o $B/gpu_check bench/gpu_check.cu $B/gpu_check_impl.o $B/groundup_cuda.o $LIBS -lpthread &
p1=$!
$NVCC $NVFLAGS -o $B/07_cuda examples/07_cuda.cu $B/groundup_cuda.o -lm -lz &
p2=$!
{ ${CC:-cc} -O2 -std=c11 -Wall -Wextra -Wpedantic -c tests/test_cuda.c -o $B/test_cuda.o &&
  $NVCC -arch=$ARCH -o $B/test_cuda $B/test_cuda.o $B/groundup_cuda.o -lm -lz; } &
p3=$!
wait $p1 || exit 2
wait $p2 || exit 2
wait $p3 || exit 2
echo "   built in $(( $(date +%s) - t0 )) s"

echo "== tests/test_cuda"
(cd tests && ../$B/test_cuda) || fail=1
echo "== examples/07_cuda"
./$B/07_cuda || fail=1
echo "== bench/gpu_check"
{ ./$B/gpu_check "$@"; echo $? >$B/gpu_check.rc; } 2>&1 | tee $B/gpu_check.log
rc=$(cat $B/gpu_check.rc)
[ -n "${OUT:-}" ] && cp $B/gpu_check.log "$OUT/" 2>/dev/null
if [ "$rc" = 3 ]; then echo "== gpu_check.sh: no GPU visible, nothing was checked"; exit 3; fi
[ "$rc" = 0 ] || fail=1

# Out-of-bounds accesses and shared-memory races, on the tests' small shapes (every kernel).
SAN=$(command -v compute-sanitizer || ls "$CUDA_HOME"/bin/compute-sanitizer 2>/dev/null)
if [ -n "$SAN" ] && [ "${GPU_CHECK_SANITIZE:-1}" = 1 ]; then
    for tool in memcheck racecheck; do
        echo "== compute-sanitizer --tool $tool (test_cuda matmul_all)"
        (cd tests && timeout 45 "$SAN" --tool $tool --error-exitcode 9 ../$B/test_cuda matmul_all) >$B/sanitize_$tool.log 2>&1
        st=$?
        tail -4 $B/sanitize_$tool.log
        if [ $st = 124 ]; then echo "   (timed out after 45 s: not checked)"; elif [ $st != 0 ]; then fail=1; fi
    done
else
    echo "== compute-sanitizer not found (or GPU_CHECK_SANITIZE=0): skipped"
fi
echo "== gpu_check.sh: $( [ $fail = 0 ] && echo 'all green' || echo 'FAILED' ) in $(( $(date +%s) - t0 )) s"
[ $fail = 0 ] || exit 1
exit 0
