// examples/common.h - the few helpers every example and benchmark shares: stop at the
// first error with groundup's message, a clock, a median, where the lesson's data is (and
// stand-ins without it), and the lesson's own timings of the matmul ladder.
// Included after groundup.h (with its implementation) by the examples in this folder and,
// through bench/bench.h, by the benchmarks.
#ifndef GU_EXAMPLES_COMMON_H
#define GU_EXAMPLES_COMMON_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

// Where the lesson's data is: path when given, else $GROUNDUP_DATA, else ./data, then
// ../data. Each may be a file, a folder gu_mnist_find accepts (mnist.pkl.gz, or the four
// IDX files), or a folder whose mnist/ holds the IDX files: the layout `make data` writes
// in this repository (data/mnist.pkl.gz and data/mnist/). 0 and the path in buf; -1 and
// gu_error() saying where it looked and how to get the data.
static inline int find_mnist(char *buf, size_t n, const char *path) {
    const char *env = getenv("GROUNDUP_DATA"), *places[2] = {"data", "../data"};
    char sub[4096], msg[1024];
    int k, np = 2;
    if (path || (env && *env)) {
        places[0] = path ? path : env;
        np = 1;
    }
    for (k = 0; k < np; k++) {
        snprintf(sub, sizeof sub, "%s/mnist", places[k]);
        if (gu_mnist_find(buf, n, places[k]) == 0 || gu_mnist_find(buf, n, sub) == 0) return 0;
    }
    if (np == 1) {
        gu_mnist_find(buf, n, places[0]);  // its message says what the place lacks
        snprintf(msg, sizeof msg, "%s", gu_error());
        gu_set_error("%s%s (run `make data` in the groundup directory to fetch MNIST into data/)", msg,
                     path ? "" : ", from GROUNDUP_DATA");
    } else {
        gu_set_error("no MNIST data in ./data or ../data (mnist.pkl.gz, or the four IDX files in data/mnist/): run "
                     "`make data` in the groundup directory, or set GROUNDUP_DATA to a file or folder, or pass the path");
    }
    return -1;
}

// x_train (50000, 784) and x_valid (10000, 784), pixels / 256 as in mnist.pkl.gz, from
// where find_mnist finds them. Without the data: uniform random stand-ins from a generator
// of their own, so that weights drawn after gu_manual_seed(1) are still torch's. Returns 1
// for the real data, 0 for stand-ins.
static inline int load_data(const char *path, gu_tensor *x_train, gu_tensor *x_valid) {
    char found[4096];
    gu_mnist m;
    if (find_mnist(found, sizeof found, path) == 0 && gu_mnist_load(found, &m) == 0) {
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

// The lesson's own timings of each rung, Python on the notebook's machine, in seconds; 0
// where it gave none. small_s is x_valid[:5] @ weights: its %timeit where it ran one, else
// its %time. full_s is x_train @ weights: its last cell that times the rungs one after the
// other (the torch.matmul section), so every figure comes from the same run.
typedef struct lesson_time { const char *name; double small_s, full_s; } lesson_time;
static const lesson_time lesson_times[] = {
    {"matmul_3loops", 333e-3, 0},
    {"matmul_2loops_dot", 219e-6, 1.79},  // the lesson's matmul_2loops_njit
    {"matmul_2loops_elementwise", 656e-6, 4.05},
    {"matmul_2loops_dotproduct", 400e-6, 3.72},
    {"matmul_1loop_broadcast", 59.6e-6, 515e-3},
    {"matmul_einsum", 0, 23.2e-3},
    {"matmul", 0, 24e-3},  // torch.matmul (OpenBLAS there)
};
// The lesson's timings of the rung called name; NULL for a rung it did not have.
static inline const lesson_time *lesson_time_of(const char *name) {
    size_t i;
    for (i = 0; i < sizeof lesson_times / sizeof lesson_times[0]; i++)
        if (!strcmp(lesson_times[i].name, name)) return &lesson_times[i];
    return NULL;
}
#endif
