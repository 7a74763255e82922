// cc -O3 -march=native -I.. -o bench_random random.c -lm
// bench/random.c - is gu_randn as fast as torch.randn, and how much faster than filling
// the same tensor from the lesson's Wichmann-Hill rand()? (The lesson: 2.24 ms for 7840
// Python rand() values against 95.8 us for torch.randn(784,10).)
// torch is timed through /usr/bin/python3 when it is there (timeit, best-of-5 medians).
#ifndef _GNU_SOURCE
#define _GNU_SOURCE  // popen
#endif
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include "bench.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>


typedef void (*fill_fn)(float *out, int64_t n);
static void fill_randn(float *out, int64_t n) { gu_randn_fill(NULL, out, n); }
// The reference: the same public call with every part on its portable C path.
static void fill_randn_ref(float *out, int64_t n) { gu_randn_fill(NULL, out, n); }
static void fill_wh(float *out, int64_t n) {  // [rand() for _ in range(n)]
    int64_t i;
    for (i = 0; i < n; i++) out[i] = (float)gu_rand();
}

// median seconds per call over `reps` timed calls (after one warm-up)
static double time_fill(fill_fn f, float *buf, int64_t n, int reps) {
    double t[64];
    int r;
    f(buf, n);
    for (r = 0; r < reps; r++) {
        int inner = n < 100000 ? 200 : 1, k;
        double t0 = now();
        for (k = 0; k < inner; k++) f(buf, n);
        t[r] = (now() - t0) / inner;
    }
    qsort(t, (size_t)reps, sizeof t[0], cmp_double);
    return t[reps / 2];
}

// torch.randn(*shape) in seconds per call, or -1 without torch
static double time_torch(const char *shape, int number) {
    char cmd[512], line[128];
    FILE *p;
    double s = -1;
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c \"import torch,timeit,statistics; torch.set_num_threads(1); "
             "f=lambda: torch.randn(%s); f(); "
             "print(statistics.median(timeit.repeat(f, number=%d, repeat=7))/%d)\" 2>/dev/null",
             shape, number, number);
    p = popen(cmd, "r");
    if (!p) return -1;
    if (fgets(line, sizeof line, p)) s = atof(line);
    if (pclose(p) != 0) s = -1;
    return s > 0 ? s : -1;
}

int main(void) {
    static const struct { const char *label, *torch_shape; int64_t n; int number; } cases[2] = {
        {"randn 784x10", "784,10", 7840, 1000},
        {"randn 10M", "10_000_000", 10000000, 3},
    };
    int c, fails = 0;
    gu_seed(457428938475ull);
    gu_manual_seed(1);
    printf("%-14s %12s %12s %12s %12s %9s %9s\n", "case", "gu_randn", "reference", "torch", "W-H loop",
           "vs torch", "vs W-H");
    for (c = 0; c < 2; c++) {
        int64_t n = cases[c].n;
        float *buf = (float *)malloc((size_t)n * sizeof(float));
        double fast, ref, wh, torch;
        if (!buf) return 1;
        gu_set_kernel("auto");
        fast = time_fill(fill_randn, buf, n, n < 100000 ? 15 : 7);
        if (gu_set_kernel("portable") != 0) { fprintf(stderr, "bench_random: %s\n", gu_error()); return 1; }
        ref = time_fill(fill_randn_ref, buf, n, n < 100000 ? 5 : 3);
        gu_set_kernel("auto");
        wh = time_fill(fill_wh, buf, n, n < 100000 ? 5 : 3);
        torch = time_torch(cases[c].torch_shape, cases[c].number);
        printf("%-14s %9.1f us %9.1f us ", cases[c].label, fast * 1e6, ref * 1e6);
        if (torch > 0) printf("%9.1f us ", torch * 1e6); else printf("%12s ", "(no torch)");
        printf("%9.1f us ", wh * 1e6);
        if (torch > 0) printf("%8.2fx ", torch / fast); else printf("%9s ", "-");
        printf("%8.1fx\n", wh / fast);
        if (torch > 0 && fast > torch) fails++;
        if (wh / fast < 20) fails++;
        free(buf);
    }
    printf("(median per call, one thread; reference = gu_set_kernel(\"portable\"): the scalar path, GU_NO_SIMD's speed;\n"
           " bar: gu_randn at least as fast as torch and >= 20x the Wichmann-Hill loop: %s)\n",
           fails ? "MISSED" : "met");
    return 0;
}
