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

int main(int argc, char **argv) {
    if (argc > 1) t__filter = argv[1];
    suite_core();
    // >>suites-run (one line per area)
    printf("%d passed, %d failed\n", t__passed, t__failed);
    return t__failed ? 1 : 0;
}
