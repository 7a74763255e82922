// tests/fuzz/fuzz_pkl.c - libFuzzer harness for the restricted unpickler (raw and gzip'd input).
// Build and run: `make fuzz` (tests/fuzz/run.sh), or by hand from this directory:
//   clang -g -O1 -fsanitize=fuzzer,address,undefined -o fuzz_pkl fuzz_pkl.c -lz -lm
//   ./fuzz_pkl -rss_limit_mb=2560 -timeout=25 -dict=pkl.dict corpus_pkl
// tests/test_mnist.c replays corpus_pkl/ (and crashes/) through the same entry in `make test`.
#define GROUNDUP_IMPLEMENTATION
#include "../../groundup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    gu_tensor t[16];
    int count = 0, i;
    if (gu_pkl_load_mem(data, size, t, 16, &count) == 0)
        for (i = 0; i < count; i++) gu_free(&t[i]);
    return 0;
}
