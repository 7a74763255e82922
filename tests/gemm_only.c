// tests/gemm_only.c - the gemm tests alone, for a cross build run under qemu-user (make
// test-neon): no zlib, no data files. `./test_gemm_only [substring]` as test_main.
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include "runner.h"
#include "test_gemm.c"

int main(int argc, char **argv) {
    if (argc > 1) t__filter = argv[1];
    printf("gemm kernel: %s\n", gu_gemm_kernel());
    suite_gemm();
    printf("%d passed, %d failed\n", t__passed, t__failed);
    return t__failed ? 1 : 0;
}
