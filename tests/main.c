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
#include "test_mnist.c"
#include "test_ops.c"
#include "test_random.c"
#include "test_plot.c"
#include "test_gemm.c"
#include "test_ladder.c"
#include <unistd.h>
#include "test_walkthrough.c"
#include "test_robust.c"
#include "test_tidy.c"

// Every suite, in order; t__main walks this once to count, then runs it.
static void all_suites(void) {
    suite_core();
    // >>suites-run (one line per area)
    suite_walkthrough();
    suite_mnist();
    suite_ops();
    suite_random();
    suite_plot();
    suite_ladder();
    suite_gemm();
    suite_robust();
    suite_tidy();
}

int main(int argc, char **argv) { return t__main(argc, argv, all_suites); }
