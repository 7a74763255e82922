// examples/common.h - the few helpers every example shares: stop at the first error with
// groundup's message, a clock, a median, and the lesson's data (or stand-ins without it).
// Included after groundup.h (with its implementation) by the examples in this folder.
#ifndef GU_EXAMPLES_COMMON_H
#define GU_EXAMPLES_COMMON_H
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

// An example stops loudly at the first error, with groundup's message.
static inline gu_tensor ok(gu_tensor t) {
    if (!gu_ok(t)) {
        fprintf(stderr, "error: %s\n", gu_error());
        exit(1);
    }
    return t;
}

static inline double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// x_train (50000, 784) and x_valid (10000, 784), pixels / 256 as in mnist.pkl.gz. The
// loader finds the data (path, $GROUNDUP_DATA, ./data, ../data: `make data`). Without it:
// uniform random stand-ins from a generator of their own, so that weights drawn after
// gu_manual_seed(1) are still torch's. Returns 1 for the real data, 0 for stand-ins.
static inline int load_data(const char *path, gu_tensor *x_train, gu_tensor *x_valid) {
    char found[4096];
    gu_mnist m;
    if (gu_mnist_find(found, sizeof found, path) == 0 && gu_mnist_load(found, &m) == 0) {
        *x_train = m.x_train;  // keep these two, free the rest
        *x_valid = m.x_valid;
        gu_free(&m.y_train);
        gu_free(&m.y_valid);
        gu_free(&m.x_test);
        gu_free(&m.y_test);
        printf("MNIST from %s\n", found);
        return 1;
    } else {
        int64_t st[2] = {50000, 784}, sv[2] = {10000, 784};
        gu_generator g;
        printf("MNIST not found (%s)\n=> x_train and x_valid are random stand-ins of the same shapes.\n", gu_error());
        gu_generator_seed(&g, 42);
        *x_train = ok(gu_rand_gen(&g, 2, st));
        *x_valid = ok(gu_rand_gen(&g, 2, sv));
        return 0;
    }
}
#endif
