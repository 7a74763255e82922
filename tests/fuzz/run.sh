#!/bin/sh
# tests/fuzz/run.sh - `make fuzz`: builds the libFuzzer harnesses with clang and runs each
# for FUZZ_SECONDS (default 60) with OSS-Fuzz-like limits. The committed corpus seeds a
# scratch corpus in build/fuzz/ (so the committed one stays small); a crash, leak or
# timeout leaves its input in tests/fuzz/crashes/ (replayed by the tests once committed)
# and makes this script fail.
set -eu
cd "$(dirname "$0")"
SECS=${FUZZ_SECONDS:-60}
OUT=../../build/fuzz
CC=${FUZZ_CC:-clang}
mkdir -p "$OUT" crashes
command -v "$CC" >/dev/null 2>&1 || { echo "fuzz: $CC not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' > "$OUT/probe.c"
$CC -fsanitize=fuzzer,address,undefined -o "$OUT/probe" "$OUT/probe.c" 2>/dev/null ||
    { echo "fuzz: $CC cannot build libFuzzer targets: run  sudo apt-get install libclang-rt-14-dev" >&2; exit 1; }
status=0
for h in pkl idx; do
    $CC -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -o "$OUT/fuzz_$h" fuzz_$h.c -lz -lm
    mkdir -p "$OUT/corpus_$h"
    dict=""
    [ -f $h.dict ] && dict="-dict=$h.dict"
    echo "fuzz: fuzz_$h for ${SECS}s"
    if ! "$OUT/fuzz_$h" -max_total_time="$SECS" -rss_limit_mb=2560 -timeout=25 -print_final_stats=1 \
            -artifact_prefix=crashes/ $dict "$OUT/corpus_$h" corpus_$h > "$OUT/fuzz_$h.log" 2>&1; then
        echo "fuzz: fuzz_$h FAILED (see $OUT/fuzz_$h.log and tests/fuzz/crashes/)" >&2
        tail -40 "$OUT/fuzz_$h.log" >&2
        status=1
    fi
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|^#[0-9]+.*DONE" "$OUT/fuzz_$h.log" || true
done
[ $status = 0 ] && echo "fuzz: no crash, leak or timeout"
exit $status
