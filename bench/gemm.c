// bench/gemm.c - groundup's matmul beside OpenBLAS's cblas_sgemm, on this machine, now.
// Build: make build/bench_gemm   (cc -O3 -march=native bench/gemm.c -lopenblas -lm -lz -lpthread)
// Run:   ./build/bench_gemm [--quick] [--only SUBSTRING]
//        about 85 s; --quick about 20 s (shorter timing, no 4096); --only picks shapes by name.
//
// First what the machine can do: the FMA peak (12 independent AVX-512 FMA chains per core)
// and the read bandwidth (summing a 512 MiB array), on 1 and 2 threads. Then for each shape
// and thread count, groundup and OpenBLAS are timed alternately in the same process (5
// rounds of blocks) and the medians printed. "% limit" is the roofline time
// max(flops / peak, bytes / bandwidth) over groundup's time: near 100% leaves nothing to
// gain. OPENBLAS_CORETYPE can force OpenBLAS's weaker AVX2 kernels, so the program runs
// itself again without it. Each result is checked against OpenBLAS's before timing.
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include "bench.h"
#include <cblas.h>
#include <immintrin.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void openblas_set_num_threads(int num_threads);
char *openblas_get_config(void);
char *openblas_get_corename(void);


// ---- the machine's limits ----------------------------------------------------------------
#define PEAK_ITERS 20000000L
typedef struct { double sink; const float *p; size_t n; double secs; } worker;

__attribute__((target("avx512f,fma"))) static void *fma_worker(void *arg) {
    worker *w = (worker *)arg;
    static volatile float start[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};   // distinct and opaque:
    __m512 x0 = _mm512_set1_ps(start[0]), x1 = _mm512_set1_ps(start[1]), x2 = _mm512_set1_ps(start[2]);  // no chain merging
    __m512 x3 = _mm512_set1_ps(start[3]), x4 = _mm512_set1_ps(start[4]), x5 = _mm512_set1_ps(start[5]);
    __m512 x6 = _mm512_set1_ps(start[6]), x7 = _mm512_set1_ps(start[7]), x8 = _mm512_set1_ps(start[8]);
    __m512 x9 = _mm512_set1_ps(start[9]), x10 = _mm512_set1_ps(start[10]), x11 = _mm512_set1_ps(start[11]);
    __m512 mul = _mm512_set1_ps(0.9999999f), add = _mm512_set1_ps(1e-7f);
    long i;
    for (i = 0; i < PEAK_ITERS; i++) {   // 12 independent chains: latency 4 x 2 pipes covered
        x0 = _mm512_fmadd_ps(x0, mul, add); x1 = _mm512_fmadd_ps(x1, mul, add); x2 = _mm512_fmadd_ps(x2, mul, add);
        x3 = _mm512_fmadd_ps(x3, mul, add); x4 = _mm512_fmadd_ps(x4, mul, add); x5 = _mm512_fmadd_ps(x5, mul, add);
        x6 = _mm512_fmadd_ps(x6, mul, add); x7 = _mm512_fmadd_ps(x7, mul, add); x8 = _mm512_fmadd_ps(x8, mul, add);
        x9 = _mm512_fmadd_ps(x9, mul, add); x10 = _mm512_fmadd_ps(x10, mul, add); x11 = _mm512_fmadd_ps(x11, mul, add);
    }
    x0 = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(x0, x1), _mm512_add_ps(x2, x3)), _mm512_add_ps(_mm512_add_ps(x4, x5), _mm512_add_ps(x6, x7)));
    x0 = _mm512_add_ps(x0, _mm512_add_ps(_mm512_add_ps(x8, x9), _mm512_add_ps(x10, x11)));
    w->sink = _mm512_reduce_add_ps(x0);
    return NULL;
}

__attribute__((target("avx512f"))) static void *read_worker(void *arg) {
    worker *w = (worker *)arg;
    __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
    size_t i;
    for (i = 0; i + 64 <= w->n; i += 64) {
        s0 = _mm512_add_ps(s0, _mm512_loadu_ps(w->p + i));
        s1 = _mm512_add_ps(s1, _mm512_loadu_ps(w->p + i + 16));
        s2 = _mm512_add_ps(s2, _mm512_loadu_ps(w->p + i + 32));
        s3 = _mm512_add_ps(s3, _mm512_loadu_ps(w->p + i + 48));
    }
    w->sink = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
    return NULL;
}

// Runs fn on nt threads over equal parts of p[0, n); returns the wall time.
static double run_workers(void *(*fn)(void *), int nt, const float *p, size_t n) {
    pthread_t th[8];
    worker w[8];
    double t0;
    int i;
    for (i = 0; i < nt; i++) { w[i].p = p ? p + n / (size_t)nt * (size_t)i : NULL; w[i].n = n / (size_t)nt; }
    t0 = now();
    for (i = 1; i < nt; i++) pthread_create(&th[i], NULL, fn, &w[i]);
    fn(&w[0]);
    for (i = 1; i < nt; i++) pthread_join(th[i], NULL);
    return now() - t0;
}

static double peak_gflops(int nt) {
    double best = 1e30;
    int r;
    for (r = 0; r < 3; r++) {
        double t = run_workers(fma_worker, nt, NULL, 0);
        if (t < best) best = t;
    }
    return (double)nt * PEAK_ITERS * 12 * 16 * 2 / best / 1e9;
}

static double read_gbps(int nt, const float *p, size_t n) {
    double best = 1e30;
    int r;
    for (r = 0; r < 4; r++) {
        double t = run_workers(read_worker, nt, p, n);
        if (t < best) best = t;
    }
    return (double)n * sizeof(float) / best / 1e9;
}

// ---- the products ------------------------------------------------------------------------
typedef struct { int64_t m, n, k; const char *name; } shape;


static float frand(uint64_t *s) {
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (float)((double)(*s >> 40) / (double)(1 << 24) - 0.5);
}

int main(int argc, char **argv) {
    static const shape shapes[] = {
        {256, 256, 256, "256"}, {512, 512, 512, "512"}, {1024, 1024, 1024, "1024"}, {2048, 2048, 2048, "2048"},
        {4096, 4096, 4096, "4096"}, {50000, 10, 784, "MNIST x@w"}, {5, 10, 784, "lesson 5 rows"},
        {127, 257, 131, "odd"}, {1000, 1000, 1000, "1000"}, {4097, 33, 513, "tall, n 33"}, {33, 4097, 513, "wide, m 33"},
        {100, 100, 100, "small"}, {2000, 200, 300, "B in L2"},
    };
    int quick = 0, ai;
    const char *only = NULL;   // --only SUBSTRING: the shapes whose name or dims contain it
    double budget;
    for (ai = 1; ai < argc; ai++) {
        if (strcmp(argv[ai], "--quick") == 0) quick = 1;
        else if (strcmp(argv[ai], "--only") == 0 && ai + 1 < argc) only = argv[++ai];
        else { fprintf(stderr, "usage: %s [--quick] [--only SUBSTRING]\n", argv[0]); return 2; }
    }
    budget = quick ? 0.25 : 1.0;   // seconds of timing per row and library
    double peak[3], bw[3];
    size_t nbw = (size_t)512 << 20 >> 2;
    float *big;
    int s, nt;
    if (getenv("OPENBLAS_CORETYPE")) {   // OpenBLAS reads it when loaded: start again without it
        fprintf(stderr, "bench_gemm: OPENBLAS_CORETYPE=%s set; running again without it\n", getenv("OPENBLAS_CORETYPE"));
        unsetenv("OPENBLAS_CORETYPE");
        execv("/proc/self/exe", argv);
        perror("execv");   // could not: go on, and say so in the table header
    }
    big = (float *)malloc(nbw * sizeof(float));
    for (size_t i = 0; i < nbw; i++) big[i] = (float)(i & 1023);
    for (nt = 1; nt <= 2; nt++) { peak[nt] = peak_gflops(nt); bw[nt] = read_gbps(nt, big, nbw); }
    free(big);
    printf("machine: %ld online CPUs; FMA peak %.0f GFLOP/s (1 thread), %.0f (2); read bandwidth %.1f GB/s (1), %.1f (2)\n",
           sysconf(_SC_NPROCESSORS_ONLN), peak[1], peak[2], bw[1], bw[2]);
    printf("groundup kernel %s; OpenBLAS %s, core %s%s\n", gu_gemm_kernel(), openblas_get_config(), openblas_get_corename(),
           getenv("OPENBLAS_CORETYPE") ? " (OPENBLAS_CORETYPE set!)" : "");
    printf("C = A @ B, A (m, k), B (k, n), row-major float32; medians of alternating runs\n\n");
    printf("| %-14s | %-16s | thr | groundup GFLOP/s | OpenBLAS GFLOP/s | ratio | groundup time | %% limit (bound) |\n", "shape", "m x n x k");
    printf("|----------------|------------------|-----|------------------|------------------|-------|---------------|-----------------|\n");
    for (s = 0; s < (int)(sizeof shapes / sizeof shapes[0]); s++) {
        const shape *sh = &shapes[s];
        int64_t m = sh->m, n = sh->n, k = sh->k, i;
        float *a, *b, *c1, *c2;
        uint64_t seed = 42;
        double flops = 2.0 * (double)m * (double)n * (double)k, bytes = 4.0 * ((double)m * k + (double)k * n + (double)m * n);
        char dims[64];
        snprintf(dims, sizeof dims, "%dx%dx%d", (int)m, (int)n, (int)k);
        if (quick && m == 4096) continue;
        if (only && !strstr(sh->name, only) && !strstr(dims, only)) continue;
        a = (float *)malloc(sizeof(float) * (size_t)(m * k));
        b = (float *)malloc(sizeof(float) * (size_t)(k * n));
        c1 = (float *)malloc(sizeof(float) * (size_t)(m * n));
        c2 = (float *)malloc(sizeof(float) * (size_t)(m * n));
        for (i = 0; i < m * k; i++) a[i] = frand(&seed);
        for (i = 0; i < k * n; i++) b[i] = frand(&seed);
        for (nt = 1; nt <= 2; nt++) {
            double tg[4000], tb[4000], t0, one, maxdiff = 0, mg, mb, limit;
            int reps, r, inner, j;
            gu_set_num_threads(nt);
            openblas_set_num_threads(nt);
            // check first, and warm up (page faults, thread start-up)
            gu_sgemm('N', 'N', m, n, k, 1, a, k, b, n, 0, c1, n);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1, a, (int)k, b, (int)n, 0, c2, (int)n);
            for (i = 0; i < m * n; i++) {
                double d = fabs((double)c1[i] - c2[i]);
                if (d > maxdiff) maxdiff = d;
            }
            if (maxdiff > 1e-3 * (1 + sqrt((double)k))) {
                printf("| %-14s | groundup and OpenBLAS differ by %g: not timed\n", sh->name, maxdiff);
                continue;
            }
            t0 = now();
            gu_sgemm('N', 'N', m, n, k, 1, a, k, b, n, 0, c1, n);
            one = now() - t0;
            inner = one < 1e-3 ? (int)(1e-3 / (one > 1e-7 ? one : 1e-7)) + 1 : 1;   // samples of >= ~1 ms
            reps = (int)(budget / (one * inner + 1e-9));
            if (reps < 5) reps = 5;
            if (reps > 4000) reps = 4000;
            // Alternate in blocks, 5 rounds. Both libraries' threads spin a while after a call
            // (OpenBLAS for up to ~0.1 s), which would steal the other's second core: with
            // threads, pause before each block.
            for (r = 0; r < reps;) {
                int blk = reps / 5 > 0 ? reps / 5 : 1, q;
                if (nt > 1) usleep(150000);
                for (q = 0; q < blk && r + q < reps; q++) {
                    t0 = now();
                    for (j = 0; j < inner; j++) gu_sgemm('N', 'N', m, n, k, 1, a, k, b, n, 0, c1, n);
                    tg[r + q] = (now() - t0) / inner;
                }
                if (nt > 1) usleep(150000);
                for (q = 0; q < blk && r + q < reps; q++) {
                    t0 = now();
                    for (j = 0; j < inner; j++)
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1, a, (int)k, b, (int)n, 0, c2, (int)n);
                    tb[r + q] = (now() - t0) / inner;
                }
                r += q;
            }
            qsort(tg, (size_t)reps, sizeof(double), cmp_double);
            qsort(tb, (size_t)reps, sizeof(double), cmp_double);
            mg = tg[reps / 2];
            mb = tb[reps / 2];
            limit = flops / (peak[nt] * 1e9) > bytes / (bw[nt] * 1e9) ? flops / (peak[nt] * 1e9) : bytes / (bw[nt] * 1e9);
            {
                char tbuf[32], lim[32];
                if (mg < 1e-3) snprintf(tbuf, sizeof tbuf, "%.2f us", mg * 1e6);
                else snprintf(tbuf, sizeof tbuf, "%.2f ms", mg * 1e3);
                if (flops / (peak[nt] * 1e9) < bytes / (bw[nt] * 1e9) && bytes < 16e6)
                    snprintf(lim, sizeof lim, "- (in cache)");   // the memory bound does not apply
                else
                    snprintf(lim, sizeof lim, "%.0f%% (%s)", 100 * limit / mg, flops / (peak[nt] * 1e9) > bytes / (bw[nt] * 1e9) ? "FMA" : "read");
                printf("| %-14s | %-16s | %3d | %16.1f | %16.1f | %5.2f | %13s | %-15s |\n", sh->name, dims, nt, flops / mg / 1e9,
                       flops / mb / 1e9, mb / mg, tbuf, lim);
                fflush(stdout);
            }
        }
        free(a); free(b); free(c1); free(c2);
    }
    return 0;
}
