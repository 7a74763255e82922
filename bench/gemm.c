// bench/gemm.c - groundup's matmul beside OpenBLAS's cblas_sgemm, on this machine, now.
// Build: make build/bench_gemm   (cc -O3 -march=native bench/gemm.c -lopenblas -lm -lz -lpthread)
// Run:   ./build/bench_gemm [--quick] [--only SUBSTRING] [--kernel NAME]
//        about 85 s; --quick about 20 s (shorter timing, no 4096); --only picks shapes by name.
//        --kernel avx2 forces groundup's AVX2 kernel and OpenBLAS's (OPENBLAS_CORETYPE=Haswell,
//        or the core OPENBLAS_CORETYPE names): the AVX2 table on an AVX-512 machine.
//        Without it OpenBLAS runs the kernels it picks itself, or SkylakeX's / Haswell's where
//        its pick lacks the CPU's AVX-512 / AVX2 (a CPU newer than OpenBLAS 0.3.21).
//        --cpu-time: 1 thread only, timed by CPU time, for a machine busy with other jobs.
//
// First what the machine can do: the FMA peak of the instruction set groundup's kernel uses
// (12 independent FMA chains per core) and the read bandwidth (summing a 512 MiB array), on
// 1 and 2 threads. Then for each shape and thread count, groundup and OpenBLAS are timed
// alternately in the same process (5 rounds of blocks) and the medians printed. "% limit" is
// the roofline time max(flops / peak, bytes / bandwidth) over groundup's time: near 100%
// leaves nothing to gain. Each result is checked against OpenBLAS's before timing. Runs on
// any x86-64 (each probe only where the CPU has its instructions) and on aarch64.
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include "bench.h"
#include <cblas.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void openblas_set_num_threads(int num_threads);
char *openblas_get_config(void);
char *openblas_get_corename(void);

// Whether this CPU runs the instruction set of groundup's kernel of that name ("avx512",
// "avx2" with FMA, "neon").
static int cpu_runs(const char *isa) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    if (strcmp(isa, "avx512") == 0) return __builtin_cpu_supports("avx512f");
    if (strcmp(isa, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#elif defined(__aarch64__)
    if (strcmp(isa, "neon") == 0) return 1;
#endif
    (void)isa;
    return 0;
}

// The OpenBLAS core to ask for when the one it chose by itself lacks this CPU's widest
// vector instructions (a CPU newer than the library), or NULL when its choice is right.
static const char *stronger_openblas_core(const char *core) {
    static const char *const avx512[] = {"skylakex", "cooperlake", "sapphirerapids", NULL};
    static const char *const avx2[] = {"haswell", "zen", "skylakex", "cooperlake", "sapphirerapids", NULL};
    const char *const *k;
    char lower[64];
    size_t i;
    for (i = 0; core && core[i] && i + 1 < sizeof lower; i++) lower[i] = (char)(core[i] | 0x20);
    lower[i] = 0;
    if (cpu_runs("avx512")) {
        for (k = avx512; *k; k++) if (strcmp(lower, *k) == 0) return NULL;
        return "SkylakeX";
    }
    if (cpu_runs("avx2")) {
        for (k = avx2; *k; k++) if (strcmp(lower, *k) == 0) return NULL;
        return "Haswell";
    }
    return NULL;
}


// ---- the machine's limits ----------------------------------------------------------------
// The peak of the instruction set groundup's kernel uses: 12 independent FMA chains (enough
// for 2 pipes of latency 4-6) of 512-bit vectors for "avx512", 256-bit for "avx2", 128-bit
// NEON on aarch64, scalar otherwise. Each probe runs only where the CPU has it.
#define PEAK_ITERS 20000000L
typedef struct { double sink; const float *p; size_t n; double secs; } worker;
static volatile float start[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};   // distinct and opaque: no chain merging
static int peak_lanes = 1;   // floats per FMA of the probe that runs

// One probe body for every vector type: V the type, SET1 a broadcast, FMA x*m+a, ADD.
#define FMA_PROBE(NAME, ATTR, V, SET1, FMA, ADD, FIRST) \
ATTR static void *NAME(void *arg) { \
    worker *w = (worker *)arg; \
    V x[12], mul = SET1(0.9999999f), add = SET1(1e-7f), s; \
    long i; \
    int j; \
    for (j = 0; j < 12; j++) x[j] = SET1(start[j]); \
    for (i = 0; i < PEAK_ITERS; i++) { \
        x[0] = FMA(x[0], mul, add); x[1] = FMA(x[1], mul, add); x[2] = FMA(x[2], mul, add); \
        x[3] = FMA(x[3], mul, add); x[4] = FMA(x[4], mul, add); x[5] = FMA(x[5], mul, add); \
        x[6] = FMA(x[6], mul, add); x[7] = FMA(x[7], mul, add); x[8] = FMA(x[8], mul, add); \
        x[9] = FMA(x[9], mul, add); x[10] = FMA(x[10], mul, add); x[11] = FMA(x[11], mul, add); \
    } \
    s = x[0]; \
    for (j = 1; j < 12; j++) s = ADD(s, x[j]); \
    w->sink = FIRST(s); \
    return NULL; \
}
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
FMA_PROBE(fma_worker_avx512, __attribute__((target("avx512f,fma"))), __m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps, _mm512_reduce_add_ps)
#define AVX2_FIRST(v) _mm_cvtss_f32(_mm256_castps256_ps128(v))
FMA_PROBE(fma_worker_avx2, __attribute__((target("avx2,fma"))), __m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps, AVX2_FIRST)
#elif defined(__aarch64__)
#include <arm_neon.h>
#define NEON_FMA(x, m, a) vfmaq_f32(a, x, m)
FMA_PROBE(fma_worker_neon, , float32x4_t, vdupq_n_f32, NEON_FMA, vaddq_f32, vaddvq_f32)
#endif
#define SCALAR_FMA(x, m, a) ((x) * (m) + (a))
#define SCALAR_SAME(v) (v)
#define SCALAR_ADD(x, y) ((x) + (y))
FMA_PROBE(fma_worker_scalar, , float, SCALAR_SAME, SCALAR_FMA, SCALAR_ADD, SCALAR_SAME)

static void *(*fma_worker_for(const char *kernel))(void *) {
    if (cpu_runs(kernel)) {
#if defined(__x86_64__) || defined(__i386__)
        if (strcmp(kernel, "avx512") == 0) { peak_lanes = 16; return fma_worker_avx512; }
        peak_lanes = 8;
        return fma_worker_avx2;
#elif defined(__aarch64__)
        peak_lanes = 4;
        return fma_worker_neon;
#endif
    }
    peak_lanes = 1;
    return fma_worker_scalar;
}

// Reads p[0, n) with four independent sums (plain C: compilers vectorize it for this CPU).
static void *read_worker(void *arg) {
    worker *w = (worker *)arg;
    float s[4][16] = {{0}};
    size_t i;
    int j, q;
    for (i = 0; i + 64 <= w->n; i += 64)
        for (q = 0; q < 4; q++)
            for (j = 0; j < 16; j++) s[q][j] += w->p[i + 16 * q + j];
    for (q = 1; q < 4; q++)
        for (j = 0; j < 16; j++) s[0][j] += s[q][j];
    w->sink = s[0][0] + s[0][15];
    return NULL;
}

// --cpu-time: time by the CPU time of the calling thread, not the wall clock, for a machine
// shared with other busy jobs (what they take of the core then does not count). Only the
// 1-thread rows: both libraries run a 1-thread product on the calling thread.
static int cpu_time = 0;
static double tnow(void) {
    struct timespec ts;
    if (!cpu_time) return now();
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

// Runs fn on nt threads over equal parts of p[0, n); returns the wall time.
static double run_workers(void *(*fn)(void *), int nt, const float *p, size_t n) {
    pthread_t th[8];
    worker w[8];
    double t0;
    int i;
    for (i = 0; i < nt; i++) { w[i].p = p ? p + n / (size_t)nt * (size_t)i : NULL; w[i].n = n / (size_t)nt; }
    t0 = tnow();
    for (i = 1; i < nt; i++) pthread_create(&th[i], NULL, fn, &w[i]);
    fn(&w[0]);
    for (i = 1; i < nt; i++) pthread_join(th[i], NULL);
    return tnow() - t0;
}

static double peak_gflops(int nt) {
    void *(*fn)(void *) = fma_worker_for(gu_gemm_kernel());
    double best = 1e30;
    int r;
    // Ten tries, a pause between: a VM may start the second thread on the first one's CPU
    // and leave it there for a while; the best try is the one where both ran side by side.
    for (r = 0; r < 10; r++) {
        double t = run_workers(fn, nt, NULL, 0);
        if (t < best) best = t;
        usleep(20000);
    }
    return (double)nt * PEAK_ITERS * 12 * peak_lanes * 2 / best / 1e9;
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
        {100, 100, 100, "small"}, {2000, 200, 300, "B in L2"}, {1, 1000, 1000, "one row"}, {8, 512, 512, "few rows"},
    };
    int quick = 0, ai;
    const char *only = NULL;   // --only SUBSTRING: the shapes whose name or dims contain it
    const char *kernel = NULL; // --kernel NAME: groundup's kernel, and OpenBLAS's of the same ISA
    double budget;
    for (ai = 1; ai < argc; ai++) {
        if (strcmp(argv[ai], "--quick") == 0) quick = 1;
        else if (strcmp(argv[ai], "--only") == 0 && ai + 1 < argc) only = argv[++ai];
        else if (strcmp(argv[ai], "--kernel") == 0 && ai + 1 < argc) kernel = argv[++ai];
        else if (strcmp(argv[ai], "--cpu-time") == 0) cpu_time = 1;
        else { fprintf(stderr, "usage: %s [--quick] [--only SUBSTRING] [--kernel avx512|avx2|neon|portable] [--cpu-time]\n", argv[0]); return 2; }
    }
    budget = quick ? 0.25 : 1.0;   // seconds of timing per row and library
    // OpenBLAS picks its kernels from OPENBLAS_CORETYPE when the library is loaded, before
    // main: to change it, the program runs itself again with the variable set. --kernel avx2
    // wants OpenBLAS's AVX2 kernels too (Haswell's, unless OPENBLAS_CORETYPE names another,
    // such as Zen); without --kernel, OpenBLAS runs its best kernels for this CPU: its own
    // choice (the variable unset), unless that choice lacks the CPU's vector instructions.
    // OpenBLAS 0.3.21 does not know CPUs newer than itself (an Emerald Rapids Xeon, family 6
    // model 207, gets the SSE3 "Prescott" kernels, at a fifth of its AVX-512 speed): then its
    // AVX-512 kernels (SkylakeX) or AVX2 ones (Haswell) are the peer, and the header says so.
    {
        const char *want = NULL, *have = getenv("OPENBLAS_CORETYPE"), *ours = getenv("BENCH_GEMM_CORETYPE");
        if (kernel && strcmp(kernel, "avx2") == 0) want = have && have[0] ? have : "Haswell";
        else if (ours && have && strcmp(ours, have) == 0) want = have;   // set by the run before this one
        else if (!have) want = stronger_openblas_core(openblas_get_corename());
        if (want ? !have || strcmp(have, want) != 0 : have != NULL) {
            if (want) setenv("OPENBLAS_CORETYPE", want, 1);
            else unsetenv("OPENBLAS_CORETYPE");
            if (want && !kernel) setenv("BENCH_GEMM_CORETYPE", want, 1);
            fprintf(stderr, "bench_gemm: running again with OPENBLAS_CORETYPE %s\n", want ? want : "unset");
            execv("/proc/self/exe", argv);
            perror("execv");   // could not: go on, and say so in the table header
        }
    }
    if (kernel && gu_gemm_set_kernel(kernel) != 0) { fprintf(stderr, "bench_gemm: %s\n", gu_error()); return 2; }
    double peak[3], bw[3];
    size_t nbw = (size_t)512 << 20 >> 2;
    float *big;
    int s, nt;
    big = (float *)malloc(nbw * sizeof(float));
    for (size_t i = 0; i < nbw; i++) big[i] = (float)(i & 1023);
    peak[2] = bw[2] = 0;
    for (nt = 1; nt <= (cpu_time ? 1 : 2); nt++) { peak[nt] = peak_gflops(nt); bw[nt] = read_gbps(nt, big, nbw); }
    free(big);
    if (cpu_time)
        printf("machine: %ld online CPUs; %s FMA peak %.0f GFLOP/s (1 thread); read bandwidth %.1f GB/s (1)\n",
               sysconf(_SC_NPROCESSORS_ONLN), peak_lanes == 16 ? "AVX-512" : peak_lanes == 8 ? "AVX2" : peak_lanes == 4 ? "NEON" : "scalar",
               peak[1], bw[1]);
    else
        printf("machine: %ld online CPUs; %s FMA peak %.0f GFLOP/s (1 thread), %.0f (2); read bandwidth %.1f GB/s (1), %.1f (2)\n",
               sysconf(_SC_NPROCESSORS_ONLN), peak_lanes == 16 ? "AVX-512" : peak_lanes == 8 ? "AVX2" : peak_lanes == 4 ? "NEON" : "scalar", peak[1], peak[2], bw[1], bw[2]);
    printf("groundup kernel %s; OpenBLAS %s, core %s%s\n", gu_gemm_kernel(), openblas_get_config(), openblas_get_corename(),
           getenv("BENCH_GEMM_CORETYPE") ? " (OPENBLAS_CORETYPE set: its own choice lacks this CPU's vector instructions)"
           : getenv("OPENBLAS_CORETYPE") ? " (OPENBLAS_CORETYPE set)" : "");
    printf("C = A @ B, A (m, k), B (k, n), row-major float32; medians of alternating runs%s\n\n",
           cpu_time ? "; timed by the calling thread's CPU time (1 thread only)" : "");
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
        for (nt = 1; nt <= (cpu_time ? 1 : 2); nt++) {
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
            t0 = tnow();
            gu_sgemm('N', 'N', m, n, k, 1, a, k, b, n, 0, c1, n);
            one = tnow() - t0;
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
                    t0 = tnow();
                    for (j = 0; j < inner; j++) gu_sgemm('N', 'N', m, n, k, 1, a, k, b, n, 0, c1, n);
                    tg[r + q] = (tnow() - t0) / inner;
                }
                if (nt > 1) usleep(150000);
                for (q = 0; q < blk && r + q < reps; q++) {
                    t0 = tnow();
                    for (j = 0; j < inner; j++)
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)n, (int)k, 1, a, (int)k, b, (int)n, 0, c2, (int)n);
                    tb[r + q] = (tnow() - t0) / inner;
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
