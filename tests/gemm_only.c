// tests/gemm_only.c - the gemm tests alone, for a cross build run under qemu-user (make
// test-neon): no zlib, no data files. `./test_gemm_only [substring]` as test_main.
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include "runner.h"
#include "test_gemm.c"

static void gemm_suites(void) { suite_gemm(); }

int main(int argc, char **argv) {
    printf("gemm kernel: %s\n", gu_gemm_kernel());
    return t__main(argc, argv, gemm_suites);
}
