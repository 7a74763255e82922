// tests/fuzz/fuzz_idx.c - libFuzzer harness for the IDX reader (raw and gzip'd input).
// Build and run: `make fuzz` (tests/fuzz/run.sh), or by hand from this directory:
//   clang -g -O1 -fsanitize=fuzzer,address,undefined -o fuzz_idx fuzz_idx.c -lz -lm
//   ./fuzz_idx -rss_limit_mb=2560 -timeout=25 corpus_idx
// tests/test_mnist.c replays corpus_idx/ (and crashes/) through the same entry in `make test`.
#define GROUNDUP_IMPLEMENTATION
#include "../../groundup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gu_tensor t = gu_idx_load_mem(data, size);
    gu_free(&t);
    return 0;
}
