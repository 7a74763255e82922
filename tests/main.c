// tests/main.c - the one test runner. Each area is a file of tests included here;
// `./test_main [substring]` runs the tests whose name contains substring.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  // the tests use POSIX (fork, popen)
#endif
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include "runner.h"

#include "test_core.c"
// >>suites-include (one line per area)
#include "../wip/mnist.h"  // TEMP
#include "test_mnist.c"
#include "../wip/ops.h"  // TEMP
#include "test_ops.c"
#include "../wip/random.h"  // TEMP
#include "test_random.c"
#include "../wip/plot.h"  // TEMP
#include "test_plot.c"
#include "../wip/ops.h"  // TEMP
#include "../wip/gemm.h"  // TEMP
#include "../wip/ladder.h"  // TEMP
#include "test_ladder.c"

int main(int argc, char **argv) {
    if (argc > 1) t__filter = argv[1];
    suite_core();
    // >>suites-run (one line per area)
    suite_mnist();
    suite_ops();
    suite_random();
    suite_plot();
    suite_ladder();
    printf("%d passed, %d failed\n", t__passed, t__failed);
    return t__failed ? 1 : 0;
}
