// bench/bench.h - what every benchmark shares: a monotonic clock and a comparison for
// qsort, so that each program reports medians. Included after groundup.h.
#ifndef GU_BENCH_H
#define GU_BENCH_H
#include <stdlib.h>
#include <time.h>

static inline double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
#endif
