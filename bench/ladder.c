// bench/ladder.c - what einsum costs over the GEMM it calls, and what its loop path costs,
// beside OpenBLAS (cblas_sgemm) and NumPy-style reference loops. One question: is
// gu_einsum's routing (matrix products to the GEMM, the rest to a strided loop) cheap?
// Build: make bench  (or cc -O3 -march=native -I.. -o ladder ladder.c -lopenblas -lm -lz -lpthread)
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include "bench.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>


// What one benchmark case runs: a closure over its tensors.
typedef struct bcase {
    const char *spec;
    gu_tensor a, b;
    float *out;  // for the cblas form
} bcase;
typedef void (*bfn)(bcase *c);

// Median seconds per call, over 9 samples of enough calls to last 20 ms.
static double bench(bfn fn, bcase *c) {
    double t[9], t0;
    int reps = 1, s, r;
    for (;;) {
        t0 = now();
        for (r = 0; r < reps; r++) fn(c);
        if (now() - t0 > 0.02 || reps > 1 << 20) break;
        reps *= 2;
    }
    for (s = 0; s < 9; s++) {
        t0 = now();
        for (r = 0; r < reps; r++) fn(c);
        t[s] = (now() - t0) / reps;
    }
    qsort(t, 9, sizeof t[0], cmp_double);
    return t[4];
}

static void run_einsum(bcase *c) {
    gu_tensor r = gu_einsum2(c->spec, c->a, c->b);
    if (!gu_ok(r)) { fprintf(stderr, "%s\n", gu_error()); exit(1); }
    gu_free(&r);
}
static void run_einsum1(bcase *c) {
    gu_tensor r = gu_einsum1(c->spec, c->a);
    if (!gu_ok(r)) { fprintf(stderr, "%s\n", gu_error()); exit(1); }
    gu_free(&r);
}
static void run_matmul(bcase *c) {
    gu_tensor r = gu_matmul(c->a, c->b);
    if (!gu_ok(r)) { fprintf(stderr, "%s\n", gu_error()); exit(1); }
    gu_free(&r);
}
// a (M,K) @ b (K,N), both contiguous, or a batch of them (B,M,K) @ (B,K,N).
static void run_cblas(bcase *c) {
    int batched = c->a.ndim == 3, B = batched ? (int)c->a.shape[0] : 1, i;
    int M = (int)c->a.shape[batched], K = (int)c->a.shape[batched + 1], N = (int)c->b.shape[batched + 1];
    const float *a = (const float *)gu_data(c->a), *b = (const float *)gu_data(c->b);
    for (i = 0; i < B; i++)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, a + (size_t)i * M * K, K,
                    b + (size_t)i * K * N, N, 0.0f, c->out + (size_t)i * M * N, N);
}
// The diagonal, as a C programmer writes it: the baseline for einsum's loop path.
static void run_diag_loop(bcase *c) {
    int64_t n = c->a.shape[0], i;
    const float *a = (const float *)gu_data(c->a);
    for (i = 0; i < n; i++) c->out[i] = a[i * n + i];
}
static void run_trans_loop(bcase *c) {
    int64_t r = c->a.shape[0], k = c->a.shape[1], i, j;
    const float *a = (const float *)gu_data(c->a);
    for (j = 0; j < k; j++)
        for (i = 0; i < r; i++) c->out[j * r + i] = a[i * k + j];
}

static void row(const char *what, const char *peer, double us, double peer_us) {
    printf("%-40s %10.1f us   %-14s %10.1f us   %5.2fx\n", what, us * 1e6, peer, peer_us * 1e6, us / peer_us);
}

int main(void) {
    bcase c;
    int64_t sx[2] = {50000, 784}, sw[2] = {784, 10};
    int64_t sba[3] = {64, 128, 128}, sq[2] = {2048, 2048};
    gu_tensor x, w, x5, ba, bb, q;
    gu_manual_seed(1);
    x = gu_randn(2, sx);
    w = gu_randn(2, sw);
    x5 = gu_narrow(x, 0, 0, 5);
    ba = gu_randn(3, sba);
    bb = gu_randn(3, sba);
    q = gu_randn(2, sq);
    c.out = (float *)malloc((size_t)64 * 128 * 128 * sizeof(float) + (size_t)2048 * 2048 * sizeof(float) + (size_t)50000 * 10 * sizeof(float));
    if (!gu_ok(x) || !gu_ok(w) || !gu_ok(ba) || !gu_ok(bb) || !gu_ok(q) || !c.out) { fprintf(stderr, "setup failed\n"); return 1; }
    printf("threads: %d, gemm kernel: %s\n\n", gu_get_num_threads(), gu_gemm_kernel());
    printf("%-40s %13s   %-14s %13s   %6s\n", "groundup", "median", "peer", "median", "ratio");

    c.spec = "ik,kj->ij";
    c.a = x5; c.b = w;
    row("einsum ik,kj->ij (5,784)@(784,10)", "gu_matmul", bench(run_einsum, &c), bench(run_matmul, &c));
    row("einsum ik,kj->ij (5,784)@(784,10)", "cblas_sgemm", bench(run_einsum, &c), bench(run_cblas, &c));
    c.a = x;
    row("einsum ik,kj->ij (50000,784)@(784,10)", "gu_matmul", bench(run_einsum, &c), bench(run_matmul, &c));
    row("einsum ik,kj->ij (50000,784)@(784,10)", "cblas_sgemm", bench(run_einsum, &c), bench(run_cblas, &c));
    c.spec = "bik,bkj->bij";
    c.a = ba; c.b = bb;
    row("einsum bik,bkj->bij 64x(128,128)^2", "gu_matmul", bench(run_einsum, &c), bench(run_matmul, &c));
    row("einsum bik,bkj->bij 64x(128,128)^2", "cblas loop", bench(run_einsum, &c), bench(run_cblas, &c));
    c.spec = "ii->i";
    c.a = q;
    row("einsum ii->i (2048,2048) (loop path)", "C loop", bench(run_einsum1, &c), bench(run_diag_loop, &c));
    c.spec = "ij->ji";
    row("einsum ij->ji (2048,2048) (loop path)", "C loop", bench(run_einsum1, &c), bench(run_trans_loop, &c));

    free(c.out);
    gu_free(&x); gu_free(&w); gu_free(&ba); gu_free(&bb); gu_free(&q);
    return 0;
}
