// tests/test_gemm.c - the fast matmul (issue 7): gu_sgemm judged as netlib's BLAS tests judge
// sgemm (RELIABILITY item 8), on every kernel this CPU runs (forced with gu_gemm_set_kernel),
// plus every edge tile; 1 and 2 threads give the same bits; gu_matmul's torch.matmul
// semantics against plain loops (1-D, broadcast batches, transposed, sliced, expanded,
// reversed operands, a strided out); bad arguments are errors. Runs in well under a second
// (a few seconds under ASan).
#include <math.h>
#include <float.h>

static uint64_t tg__state = 88172645463325252ull;
static float tg__rand(void) {   // xorshift64, uniform in [-1, 1)
    tg__state ^= tg__state << 13;
    tg__state ^= tg__state >> 7;
    tg__state ^= tg__state << 17;
    return (float)((double)(tg__state >> 40) / (double)(1 << 23) - 1.0);
}

static const char *const tg__kernels[] = {"avx512", "avx2", "neon", "portable"};
#define TG__NKERNELS ((int)(sizeof tg__kernels / sizeof tg__kernels[0]))

// Switches to kernel `name`; 0 when this build or CPU lacks it, which is expected (a CPU
// without AVX-512, a GU_NO_SIMD build): said once per kernel, then its checks are skipped.
static int tg__use_kernel(const char *name) {
    static char said[256] = " ";  // " avx512 avx2 "
    char key[64];
    if (gu_gemm_set_kernel(name) == 0) return 1;
    snprintf(key, sizeof key, " %s ", name);
    if (!strstr(said, key) && strlen(said) + strlen(key) < sizeof said) {
        NOTE("kernel %s not in this build or CPU, as expected here: its checks skipped (%s)", name, gu_error());
        strcat(said, key + 1);
    }
    gu_clear_error();
    return 0;
}

#define TG_GUARD 3          // guard rows above and below C, guard columns right of each row
#define TG_SENTINEL 4321.5f

// One product on the current kernel against a float64 reference, with the netlib ratio
// |C - Cref| / (eps * (|alpha| sum|a||b| + |beta||c|)) < 16 per element, guards unchanged.
// Returns 1 on success; prints the first failure.
static int tg__check_one(char ta, char tb, int64_t m, int64_t n, int64_t k, float alpha, float beta) {
    int64_t lda = (ta == 'N' ? k : m) + 3, ldb = (tb == 'N' ? n : k) + 2, ldc = n + TG_GUARD;
    int64_t arows = ta == 'N' ? m : k, brows = tb == 'N' ? k : n;
    int64_t crows = m + 2 * TG_GUARD, i, j, p;
    float *a = (float *)malloc(sizeof(float) * (size_t)(arows * lda + 1));
    float *b = (float *)malloc(sizeof(float) * (size_t)(brows * ldb + 1));
    float *cbuf = (float *)malloc(sizeof(float) * (size_t)(crows * ldc));
    float *c0 = (float *)malloc(sizeof(float) * (size_t)(m * n + 1));
    float *c = cbuf + TG_GUARD * ldc;
    int ok = 1, rc;
    double worst = 0;
    for (i = 0; i < arows * lda; i++) a[i] = tg__rand();
    for (i = 0; i < brows * ldb; i++) b[i] = tg__rand();
    for (i = 0; i < crows * ldc; i++) cbuf[i] = TG_SENTINEL;
    for (i = 0; i < m; i++)
        for (j = 0; j < n; j++) {
            // beta == 0 must not read C: give it NaN there
            c0[i * n + j] = beta == 0 ? NAN : tg__rand();
            c[i * ldc + j] = c0[i * n + j];
        }
    rc = gu_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    if (rc != 0) { printf("    sgemm returned %d: %s\n", rc, gu_error()); ok = 0; }
    for (i = 0; ok && i < m; i++)
        for (j = 0; ok && j < n; j++) {
            double s = 0, g = 0, ref, err, ratio;
            for (p = 0; p < k; p++) {
                double x = ta == 'N' ? a[i * lda + p] : a[p * lda + i];
                double y = tb == 'N' ? b[p * ldb + j] : b[j * ldb + p];
                s += x * y;
                g += fabs(x * y);
            }
            ref = (double)alpha * s;
            g = fabs((double)alpha) * g;
            if (beta != 0) { ref += (double)beta * c0[i * n + j]; g += fabs((double)beta * c0[i * n + j]); }
            err = fabs((double)c[i * ldc + j] - ref);
            ratio = g > 0 ? err / ((double)FLT_EPSILON * g) : (err == 0 ? 0 : INFINITY);
            if (ratio > worst) worst = ratio;
            if (!(ratio < 16)) {
                printf("    C[%d][%d] = %.9g, reference %.9g, ratio %g\n", (int)i, (int)j, (double)c[i * ldc + j], ref, ratio);
                ok = 0;
            }
        }
    for (i = 0; ok && i < crows; i++)
        for (j = 0; ok && j < ldc; j++) {
            int inside = i >= TG_GUARD && i < TG_GUARD + m && j < n;
            if (!inside && !(cbuf[i * ldc + j] == TG_SENTINEL)) {
                printf("    guard C row %d col %d was written\n", (int)i - TG_GUARD, (int)j);
                ok = 0;
            }
        }
    if (!ok)
        printf("  FAILED kernel %s: sgemm('%c', '%c', m %d, n %d, k %d, alpha %g, beta %g), worst ratio %g\n", gu_gemm_kernel(), ta, tb,
               (int)m, (int)n, (int)k, (double)alpha, (double)beta, worst);
    free(a); free(b); free(cbuf); free(c0);
    return ok;
}

static const int64_t tg__sizes[] = {0, 1, 2, 3, 5, 9, 16, 17, 31, 33, 64, 65, 127, 257};
#define TG_NSIZES ((int)(sizeof tg__sizes / sizeof tg__sizes[0]))
static const float tg__alphas[] = {0.0f, 1.0f, 0.7f};
static const float tg__betas[] = {0.0f, 1.0f, 1.3f};

// Every (m, n) pair of the sizes, k rotating through all of them; the transposes and the
// (alpha, beta) pairs rotate too, so each appears with small and large shapes. Then the
// full cube of the small sizes with every transpose and every (alpha, beta).
static void test_gemm_netlib_all_kernels(void) {
    int kern, im, in, ik, t, ab, fails = 0, runs = 0;
    const char tr[2] = {'N', 'T'};
    for (kern = 0; kern < TG__NKERNELS; kern++) {
        if (!tg__use_kernel(tg__kernels[kern])) continue;
        for (im = 0; im < TG_NSIZES; im++)
            for (in = 0; in < TG_NSIZES; in++) {
                int sel = im * TG_NSIZES + in;
                int64_t k = tg__sizes[(im + 3 * in) % TG_NSIZES];
                char ta = tr[sel & 1], tb = tr[(sel >> 1) & 1];
                float alpha = tg__alphas[(sel / 4) % 3], beta = tg__betas[(sel / 12) % 3];
                runs++;
                if (fails < 5 && !tg__check_one(ta, tb, tg__sizes[im], tg__sizes[in], k, alpha, beta)) fails++;
            }
        for (im = 0; im < 8; im++)
            for (in = 0; in < 8; in++)
                for (ik = 0; ik < 8; ik++)
                    for (t = 0; t < 4; t++)
                        for (ab = 0; ab < 9; ab++) {
                            runs++;
                            if (fails < 5 && !tg__check_one(tr[t & 1], tr[t >> 1], tg__sizes[im], tg__sizes[in], tg__sizes[ik],
                                                            tg__alphas[ab % 3], tg__betas[ab / 3])) fails++;
                        }
    }
    // every edge tile: m and n through two register tiles of each kernel, k across a block
    for (kern = 0; kern < TG__NKERNELS; kern++) {
        int64_t m, n;
        if (!tg__use_kernel(tg__kernels[kern])) continue;
        for (m = 1; m <= 30; m++)
            for (n = 63; n <= 98; n += 7) {
                runs++;
                if (fails < 5 && !tg__check_one(tr[m & 1], tr[(m >> 1) & 1], m, n, m == 29 ? 1030 : 7 + m, 0.7f, m % 3 ? 1.3f : 0.0f)) fails++;
            }
    }
    gu_gemm_set_kernel("auto");
    CHECKF(fails == 0, "%d of %d products failed the netlib bound", fails, runs);
}

// Small cache blocks make small products take many (jc, pc, ic) blocks: the threads' shared
// B buffers change turns many times, and edges fall inside blocks. Each kernel, 2 threads,
// every transpose, against the netlib bound and bit for bit against 1 thread; then again
// from inside a gu_launch kernel, the pool busy, so the parts that do not share B run instead.
static int tg__same_bits_1_2(char ta, char tb, int64_t m, int64_t n, int64_t k) {
    int64_t lda = ta == 'N' ? k : m, ldb = tb == 'N' ? n : k, i;
    float *a = (float *)malloc(sizeof(float) * (size_t)(m * k)), *b = (float *)malloc(sizeof(float) * (size_t)(k * n));
    float *c1 = (float *)malloc(sizeof(float) * (size_t)(m * n)), *c2 = (float *)malloc(sizeof(float) * (size_t)(m * n));
    for (i = 0; i < m * k; i++) a[i] = tg__rand();
    for (i = 0; i < k * n; i++) b[i] = tg__rand();
    for (i = 0; i < m * n; i++) c1[i] = c2[i] = tg__rand();
    gu_set_num_threads(1);
    gu_sgemm(ta, tb, m, n, k, 0.7f, a, lda, b, ldb, 1.3f, c1, n);
    gu_set_num_threads(2);
    gu_sgemm(ta, tb, m, n, k, 0.7f, a, lda, b, ldb, 1.3f, c2, n);
    for (i = 0; i < m * n && memcmp(&c1[i], &c2[i], sizeof(float)) == 0; i++) {}
    if (i < m * n)
        printf("    kernel %s, %c%c (%d, %d, %d): 1 and 2 threads differ first at C[%d][%d]\n", gu_gemm_kernel(), ta, tb,
               (int)m, (int)n, (int)k, (int)(i / n), (int)(i % n));
    free(a); free(b); free(c1); free(c2);
    return i == m * n;
}

typedef struct {
    const int64_t (*shapes)[3];
    int nshapes, fails, runs;
} tg__blocks_arg;
static void tg__blocks_run(tg__blocks_arg *x) {
    int s, t;
    for (s = 0; s < x->nshapes; s++)
        for (t = 0; t < 4; t++) {
            char ta = "NTNT"[t], tb = "NNTT"[t];
            int64_t m = x->shapes[s][0], n = x->shapes[s][1], k = x->shapes[s][2];
            gu_set_num_threads(2);
            x->runs += 2;
            if (!tg__check_one(ta, tb, m, n, k, 0.7f, t & 1 ? 1.3f : 0.0f)) x->fails++;
            if (!tg__same_bits_1_2(ta, tb, m, n, k)) x->fails++;
        }
}
#if !defined(GU_NO_THREADS) && !defined(GU_NO_GRID)
// Block 0 of a 2-block launch on 2 threads: the pool is busy with the launch, so the
// products inside run their parts on this thread (block 1 does nothing).
static void tg__blocks_in_launch(const gu_thread_ctx *ctx, void *p) {
    if (ctx->blockIdx.x == 0) tg__blocks_run((tg__blocks_arg *)p);
}
#endif

static void test_gemm_threads_small_blocks(void) {
    static const int64_t shapes[][3] = {{200, 150, 130}, {331, 97, 251}, {150, 40, 300}, {20, 300, 130}, {50, 200, 100}};
    // blocks of 1 micro-panel of A, 40 of k, 1 micro-panel of B; then of several micro-panels
    // (40 rows: 3 of AVX-512's 14, 7 of AVX2's 6, 10 portable ones; 70 columns: 3 of 32, 5 of 16, 6 of 12)
    static const int64_t blocks[][3] = {{1, 40, 1}, {40, 40, 70}};
    int kern, bl, pass, saved = gu_get_num_threads();
    tg__blocks_arg x;
    x.shapes = shapes;
    x.nshapes = (int)(sizeof shapes / sizeof shapes[0]);
    x.fails = x.runs = 0;
    CHECK(gu_gemm_set_blocks(-1, 40, 1) == -1 && strstr(gu_error(), "gemm_set_blocks") != NULL);
    CHECK(gu_gemm_set_blocks(1, 65537, 1) == -1);
    for (kern = 0; kern < TG__NKERNELS; kern++) {
        if (!tg__use_kernel(tg__kernels[kern])) continue;
        for (bl = 0; bl < 2; bl++) {
            CHECK(gu_gemm_set_blocks(blocks[bl][0], blocks[bl][1], blocks[bl][2]) == 0);
            for (pass = 0; pass < 2; pass++) {
                if (pass == 0) { tg__blocks_run(&x); continue; }
#if !defined(GU_NO_THREADS) && !defined(GU_NO_GRID)
                {   // again with the pool in use elsewhere: the parts run one after another
                    gu_dim3 g = {2, 1, 1}, b1 = {1, 1, 1};
                    gu_set_num_threads(2);
                    CHECK(gu_launch(tg__blocks_in_launch, g, b1, &x) == 0);
                }
#endif
            }
        }
        CHECK(gu_gemm_set_blocks(0, 0, 0) == 0);
    }
    gu_set_num_threads(saved);
    gu_gemm_set_kernel("auto");
    CHECKF(x.fails == 0, "%d of %d small-block products failed", x.fails, x.runs);
}

// The rows path without packing: the rows kernel on column blocks (n past one block: 65,
// 100, 129, 200), the last few columns (n % vector width, at most half a vector) handed to the
// dot kernel, a chunk of 120 rows at a time. Every such width, with one, two and three full
// vectors before it, row counts around the chunk, k across the dot kernel's 16-float chunks
// and its threshold, B with strided columns (copied for the rows kernel, transposed for the
// dot kernel). Small k sends some of them to the packed path: both must hold.
static void test_gemm_rows_dot_tail(void) {
    static const int64_t ns[] = {17, 18, 20, 23, 24, 25, 33, 34, 37, 40, 49, 50, 56, 65, 100, 129, 200};
    static const int64_t ms[] = {32, 119, 121, 250};
    static const int64_t ks[] = {1, 15, 16, 17, 64, 301};
    int kern, in, im, ik, fails = 0, runs = 0, saved = gu_get_num_threads();
    for (kern = 0; kern < TG__NKERNELS; kern++) {
        if (!tg__use_kernel(tg__kernels[kern])) continue;
        for (in = 0; in < (int)(sizeof ns / sizeof ns[0]); in++)
            for (im = 0; im < (int)(sizeof ms / sizeof ms[0]); im++)
                for (ik = 0; ik < (int)(sizeof ks / sizeof ks[0]); ik++) {
                    int sel = in + im + ik;
                    char ta = "NT"[sel & 1], tb = "NT"[(sel >> 1) & 1];
                    runs++;
                    if (fails < 5 && !tg__check_one(ta, tb, ms[im], ns[in], ks[ik], tg__alphas[sel % 3], tg__betas[(sel / 3) % 3]))
                        fails++;
                    if (ik == 5 && im == 3) {
                        runs++;
                        if (fails < 5 && !tg__same_bits_1_2(ta, tb, ms[im], ns[in], ks[ik])) fails++;
                    }
                }
    }
    gu_set_num_threads(saved);
    gu_gemm_set_kernel("auto");
    CHECKF(fails == 0, "%d of %d products with a dot tail failed", fails, runs);
}

// Few rows with wide n (the vector-matrix products of inference): the rows kernel whatever n
// where the kernel says so (rows_few), B read in place once, columns split among threads.
// Row counts at and around each kernel's limits and k-split choice, n past one column block
// with and without a partial vector, k across the limit of the path (a 64-column strip of B
// in L2: 2048; with one n, to keep the sanitizer and qemu runs short), strided B (sent to the
// packed path); the netlib bound, and bit for bit 1 vs 2 threads where the product is big
// enough to be split.
static void test_gemm_few_rows_wide(void) {
    static const int64_t ms[] = {1, 2, 3, 4, 5, 6, 7, 8, 13, 16, 17};
    static const int64_t ns[] = {65, 129, 700, 1030};
    static const int64_t ks[] = {1, 31, 300, 2048, 2049};
    int kern, in, im, ik, fails = 0, runs = 0, saved = gu_get_num_threads();
    for (kern = 0; kern < TG__NKERNELS; kern++) {
        if (!tg__use_kernel(tg__kernels[kern])) continue;
        for (im = 0; im < (int)(sizeof ms / sizeof ms[0]); im++)
            for (in = 0; in < (int)(sizeof ns / sizeof ns[0]); in++)
                for (ik = 0; ik < (int)(sizeof ks / sizeof ks[0]); ik++) {
                    int sel = in + im + ik;
                    char ta = "NT"[sel & 1], tb = "NNNT"[sel & 3];
                    if (ks[ik] > 300 && ns[in] != 129) continue;
                    runs++;
                    if (fails < 5 && !tg__check_one(ta, tb, ms[im], ns[in], ks[ik], tg__alphas[sel % 3], tg__betas[(sel / 3) % 3]))
                        fails++;
                    if (ms[im] * ns[in] * ks[ik] >= ((int64_t)1 << 21)) {
                        runs++;
                        if (fails < 5 && !tg__same_bits_1_2(ta, tb, ms[im], ns[in], ks[ik])) fails++;
                    }
                }
    }
    gu_set_num_threads(saved);
    gu_gemm_set_kernel("auto");
    CHECKF(fails == 0, "%d of %d few-row products failed", fails, runs);
}

// The rows kernel's plans: every row count from 1 to 17 (each kernel's blocks of 8, 6, 5, 4,
// 2 and 1 rows, 4 + 4 rather than 5 + 2 + 1, k split in 1, 2 or 4), by widths of one to four
// vectors and past one column block, whole and partial, k odd and even.
static void test_gemm_rows_every_m(void) {
    static const int64_t ns[] = {9, 16, 17, 31, 32, 40, 48, 63, 64, 80, 96};
    static const int64_t ks[] = {33, 302};
    int kern, in, ik, fails = 0, runs = 0;
    int64_t m;
    for (kern = 0; kern < TG__NKERNELS; kern++) {
        if (!tg__use_kernel(tg__kernels[kern])) continue;
        for (m = 1; m <= 17; m++)
            for (in = 0; in < (int)(sizeof ns / sizeof ns[0]); in++)
                for (ik = 0; ik < (int)(sizeof ks / sizeof ks[0]); ik++) {
                    int sel = (int)m + in + ik;
                    runs++;
                    if (fails < 5 && !tg__check_one("NT"[sel & 1], "NNNT"[sel & 3], m, ns[in], ks[ik],
                                                    tg__alphas[sel % 3], tg__betas[(sel / 3) % 3]))
                        fails++;
                }
    }
    gu_gemm_set_kernel("auto");
    CHECKF(fails == 0, "%d of %d rows-kernel products failed", fails, runs);
}

// The dot path (n <= 12, m >= 32, k >= 16 n, A's rows contiguous), the MNIST product's: every
// n, so every pass width and row block of each kernel (AVX2: 6, 4, 3 or 2 rows by passes of 1
// to 6 columns, the last pass reaching into bt's padding for n = 5, 7, 9, 11; AVX-512: 8 (n = 1),
// 4, 2 or 1 row), row counts that leave 0 to 7 rows after a block, k a multiple of the vector and not;
// against the netlib bound, and bit for bit 1 vs 2 threads.
static void test_gemm_dot_path_every_n(void) {
    static const int64_t ms[] = {33, 34, 35, 36, 37, 38, 39, 100};
    int kern, n, im, fails = 0, runs = 0, saved = gu_get_num_threads();
    for (kern = 0; kern < TG__NKERNELS; kern++) {
        if (!tg__use_kernel(tg__kernels[kern])) continue;
        for (n = 1; n <= 12; n++)
            for (im = 0; im < (int)(sizeof ms / sizeof ms[0]); im++) {
                int64_t k = im & 1 ? 16 * n : 16 * n + 13;
                char tb = "NT"[(n + im) & 1];
                runs += 2;
                if (fails < 5 && !tg__check_one('N', tb, ms[im], n, k, tg__alphas[(n + im) % 3], tg__betas[n % 3])) fails++;
                if (fails < 5 && !tg__same_bits_1_2('N', tb, ms[im], n, k)) fails++;
            }
    }
    gu_set_num_threads(saved);
    gu_gemm_set_kernel("auto");
    CHECKF(fails == 0, "%d of %d dot-path products failed", fails, runs);
}

// The same bits with 1 and 2 threads, for shapes big enough to be split (packed path over
// rows and over columns, the rows kernel, more than one MC/KC/NC block).
static void test_gemm_threads_same_bits(void) {
    static const int64_t shapes[][3] = {{300, 200, 100}, {97, 700, 300}, {5000, 10, 300}, {3001, 33, 257},
                                        {20, 4200, 30}, {700, 65, 520}};
    static const char trs[][2] = {{'N', 'N'}, {'T', 'N'}, {'N', 'T'}, {'T', 'T'}};
    int kern, s, t, saved = gu_get_num_threads();
    for (kern = 0; kern < TG__NKERNELS; kern++) {
        if (!tg__use_kernel(tg__kernels[kern])) continue;
        for (s = 0; s < (int)(sizeof shapes / sizeof shapes[0]); s++)
            for (t = 0; t < 4; t++) {
                int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2], i;
                char ta = trs[t][0], tb = trs[t][1];
                int64_t lda = ta == 'N' ? k : m, ldb = tb == 'N' ? n : k;
                float *a = (float *)malloc(sizeof(float) * (size_t)(m * k));
                float *b = (float *)malloc(sizeof(float) * (size_t)(k * n));
                float *c1 = (float *)malloc(sizeof(float) * (size_t)(m * n));
                float *c2 = (float *)malloc(sizeof(float) * (size_t)(m * n));
                for (i = 0; i < m * k; i++) a[i] = tg__rand();
                for (i = 0; i < k * n; i++) b[i] = tg__rand();
                for (i = 0; i < m * n; i++) c1[i] = c2[i] = tg__rand();
                gu_set_num_threads(1);
                CHECK(gu_sgemm(ta, tb, m, n, k, 0.7f, a, lda, b, ldb, 1.3f, c1, n) == 0);
                gu_set_num_threads(2);
                CHECK(gu_sgemm(ta, tb, m, n, k, 0.7f, a, lda, b, ldb, 1.3f, c2, n) == 0);
                for (i = 0; i < m * n && memcmp(&c1[i], &c2[i], sizeof(float)) == 0; i++) {}
                CHECKF(i == m * n, "kernel %s, %c%c (%d, %d, %d): 1 and 2 threads differ first at C[%d][%d]: %.9g and %.9g",
                       gu_gemm_kernel(), ta, tb, (int)m, (int)n, (int)k, (int)(i / n), (int)(i % n), i < m * n ? (double)c1[i] : 0.0,
                       i < m * n ? (double)c2[i] : 0.0);
                free(a); free(b); free(c1); free(c2);
            }
    }
    gu_set_num_threads(saved);
    gu_gemm_set_kernel("auto");
}

// The packed path's blocks: other mc and nc (rounded up to whole micro-panels) give the same
// bits as the kernel's own, on every kernel; kc cuts the sums over k, and is left alone here.
static void test_gemm_blocks_same_bits(void) {
    static const int64_t shapes[][3] = {{300, 200, 100}, {97, 700, 300}, {130, 400, 257}};
    static const int64_t blocks[][2] = {{1, 1}, {40, 70}, {7, 300}};
    int kern, s, bl;
    for (kern = 0; kern < TG__NKERNELS; kern++) {
        if (!tg__use_kernel(tg__kernels[kern])) continue;
        for (s = 0; s < (int)(sizeof shapes / sizeof shapes[0]); s++) {
            int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2], i;
            float *a = (float *)malloc(sizeof(float) * (size_t)(m * k)), *b = (float *)malloc(sizeof(float) * (size_t)(k * n));
            float *c0 = (float *)malloc(sizeof(float) * (size_t)(m * n)), *c1 = (float *)malloc(sizeof(float) * (size_t)(m * n));
            for (i = 0; i < m * k; i++) a[i] = tg__rand();
            for (i = 0; i < k * n; i++) b[i] = tg__rand();
            CHECK(gu_gemm_set_blocks(0, 0, 0) == 0);
            CHECK(gu_sgemm('N', 'N', m, n, k, 1, a, k, b, n, 0, c0, n) == 0);
            for (bl = 0; bl < (int)(sizeof blocks / sizeof blocks[0]); bl++) {
                CHECK(gu_gemm_set_blocks(blocks[bl][0], 0, blocks[bl][1]) == 0);
                CHECK(gu_sgemm('N', 'N', m, n, k, 1, a, k, b, n, 0, c1, n) == 0);
                for (i = 0; i < m * n && memcmp(&c0[i], &c1[i], sizeof(float)) == 0; i++) {}
                CHECKF(i == m * n, "kernel %s (%d, %d, %d), mc %d nc %d: differs from the kernel's blocks at C[%d][%d]",
                       gu_gemm_kernel(), (int)m, (int)n, (int)k, (int)blocks[bl][0], (int)blocks[bl][1], (int)(i / n), (int)(i % n));
            }
            free(a); free(b); free(c0); free(c1);
        }
    }
    gu_gemm_set_blocks(0, 0, 0);
    gu_gemm_set_kernel("auto");
}

// A random float32 tensor of the given shape (an owner).
static gu_tensor tg__randn(int ndim, const int64_t *shape) {
    gu_tensor t = gu_empty(GU_FLOAT32, ndim, shape);
    int64_t i;
    for (i = 0; i < t.storage_numel; i++) ((float *)t.base)[i] = tg__rand();
    return t;
}

// torch.matmul by plain loops in double, on gu_get: the oracle for shapes and strides.
static void tg__matmul_loops(gu_tensor a, gu_tensor b, gu_tensor out) {
    int av = a.ndim == 1, bv = b.ndim == 1, nd, nbd, d;
    int64_t m, n, k, total, e, idx[GU_MAX_DIMS], ia[GU_MAX_DIMS], ib[GU_MAX_DIMS], io[GU_MAX_DIMS], oshape[GU_MAX_DIMS];
    int ona = av ? 0 : a.ndim - 2, onb = bv ? 0 : b.ndim - 2;   // batch dims of each
    k = a.shape[a.ndim - 1];
    m = av ? 1 : a.shape[a.ndim - 2];
    n = bv ? 1 : b.shape[b.ndim - 1];
    nbd = (ona > onb ? ona : onb);
    nd = nbd + 2;
    for (d = 0; d < nbd; d++) {
        int ja = d - (nbd - ona), jb = d - (nbd - onb);
        int64_t sa = ja >= 0 ? a.shape[ja] : 1, sb = jb >= 0 ? b.shape[jb] : 1;
        oshape[d] = sa > sb ? sa : sb;
    }
    oshape[nbd] = m; oshape[nbd + 1] = n;
    total = 1;
    for (d = 0; d < nd; d++) total *= oshape[d];
    for (e = 0; e < total; e++) {
        int64_t r = e, p, no = 0;
        double s = 0;
        for (d = nd - 1; d >= 0; d--) { idx[d] = r % oshape[d]; r /= oshape[d]; }
        for (p = 0; p < k; p++) {
            int na = 0, nb = 0;
            for (d = 0; d < ona; d++) ia[na++] = a.shape[d] == 1 ? 0 : idx[d + (nbd - ona)];
            if (!av) ia[na++] = idx[nbd];
            ia[na++] = p;
            for (d = 0; d < onb; d++) ib[nb++] = b.shape[d] == 1 ? 0 : idx[d + (nbd - onb)];
            ib[nb++] = p;
            if (!bv) ib[nb++] = idx[nbd + 1];
            s += gu_get(a, na, ia) * gu_get(b, nb, ib);
        }
        for (d = 0; d < nbd; d++) io[no++] = idx[d];
        if (!av) io[no++] = idx[nbd];
        if (!bv) io[no++] = idx[nbd + 1];
        gu_set(out, no, io, s);
    }
}

// gu_matmul(a, b) has `want` as its shape and matches the loops to float accuracy.
static void tg__check_matmul(const char *what, gu_tensor a, gu_tensor b, int wnd, const int64_t *want) {
    gu_tensor r = gu_matmul(a, b), ref;
    int64_t i, n;
    double worst = 0;
    CHECKF(gu_ok(r), "%s: %s", what, gu_error());
    if (!gu_ok(r)) return;
    CHECKF(r.ndim == wnd && (wnd == 0 || memcmp(r.shape, want, sizeof(int64_t) * (size_t)wnd) == 0), "%s: result shape %s",
           what, gu__sh(r.ndim, r.shape));
    ref = gu_zeros(GU_FLOAT32, r.ndim, r.shape);
    tg__matmul_loops(a, b, ref);
    n = gu_numel(r);
    for (i = 0; i < n; i++) {
        double d = fabs(gu_get_flat(r, i) - gu_get_flat(ref, i));
        if (d > worst) worst = d;
    }
    CHECKF(worst < 1e-4, "%s: differs from the loops by %g", what, worst);
    // the same through gu_matmul_out into a transposed (non-contiguous) output when 2-D
    if (r.ndim >= 2) {
        gu_tensor o = gu_zeros(GU_FLOAT32, r.ndim, r.shape), ot;
        int64_t tshape[GU_MAX_DIMS];
        int d;
        for (d = 0; d < r.ndim; d++) tshape[d] = r.shape[d];
        tshape[r.ndim - 1] = r.shape[r.ndim - 2];
        tshape[r.ndim - 2] = r.shape[r.ndim - 1];
        gu_free(&o);
        o = gu_zeros(GU_FLOAT32, r.ndim, tshape);
        ot = gu_transpose(o, -1, -2);   // shape of r, column stride != 1
        CHECKF(gu_matmul_out(ot, a, b) == 0, "%s: matmul_out: %s", what, gu_error());
        worst = 0;
        for (i = 0; i < n; i++) {
            double d2 = fabs(gu_get_flat(ot, i) - gu_get_flat(r, i));
            if (d2 > worst) worst = d2;
        }
        CHECKF(worst < 1e-5, "%s: matmul_out into a transposed out differs by %g", what, worst);
        gu_free(&o);
    }
    gu_free(&ref);
    gu_free(&r);
}

static void test_matmul_semantics(void) {
    int64_t s_k[1] = {7}, s_k2[1] = {9}, s_mk[2] = {5, 7}, s_kn[2] = {7, 3}, s_b3[3] = {2, 5, 7}, s_b4[4] = {4, 1, 5, 7};
    int64_t s_bk[3] = {3, 7, 6}, s_big[2] = {40, 70}, s_bigk[2] = {70, 90};
    gu_tensor v = tg__randn(1, s_k), w = tg__randn(1, s_k), x = tg__randn(2, s_mk), y = tg__randn(2, s_kn);
    gu_tensor b3 = tg__randn(3, s_b3), b4 = tg__randn(4, s_b4), bk = tg__randn(3, s_bk), v9 = tg__randn(1, s_k2);
    gu_tensor big = tg__randn(2, s_big), bigk = tg__randn(2, s_bigk);
    {
        int64_t e0[1] = {0}, e1[1] = {5}, e2[1] = {3}, e3[2] = {5, 3}, e4[3] = {2, 5, 3}, e5[4] = {4, 3, 5, 6}, e6[2] = {2, 5};
        int64_t e7[3] = {2, 5, 5}, e8[2] = {3, 6};
        tg__check_matmul("1-D @ 1-D", v, w, 0, e0);
        tg__check_matmul("2-D @ 1-D", x, v, 1, e1);
        tg__check_matmul("1-D @ 2-D", v, y, 1, e2);
        tg__check_matmul("2-D @ 2-D", x, y, 2, e3);
        tg__check_matmul("3-D @ 2-D (folded batch)", b3, y, 3, e4);
        tg__check_matmul("4-D @ 3-D broadcast", b4, bk, 4, e5);
        tg__check_matmul("3-D @ 1-D", b3, v, 2, e6);
        tg__check_matmul("1-D @ 3-D", v, bk, 2, e8);
        // transposed, sliced, expanded operands
        tg__check_matmul("3-D @ its own transpose", b3, gu_transpose(b3, 1, 2), 3, e7);
    }
    {
        int64_t e[2] = {90, 40}, e2[2] = {20, 45}, e3[3] = {3, 40, 90}, sh3[3] = {3, 40, 70};
        tg__check_matmul("transposed @ transposed", gu_t(bigk), gu_t(big), 2, e);   // (90, 70) @ (70, 40)
        tg__check_matmul("sliced with steps", gu_slice(big, 0, 0, 40, 2), gu_slice(bigk, 1, 0, 90, 2), 2, e2);
        tg__check_matmul("expanded batch (stride 0)", gu_expand(big, 3, sh3), bigk, 3, e3);
    }
    {   // negative strides: a reversed slice
        int64_t e[2] = {40, 90};
        tg__check_matmul("reversed rows", gu_slice(big, 0, GU_END, GU_REND, -1), bigk, 2, e);
    }
    (void)v9;
    gu_free(&v); gu_free(&w); gu_free(&x); gu_free(&y); gu_free(&b3); gu_free(&b4); gu_free(&bk); gu_free(&v9);
    gu_free(&big); gu_free(&bigk);
}

static void test_matmul_errors(void) {
    int64_t s1[2] = {5, 784}, s2[2] = {785, 10}, s3[3] = {2, 5, 3}, s4[3] = {4, 3, 2}, s5[2] = {5, 10};
    gu_tensor a = gu_zeros(GU_FLOAT32, 2, s1), b = gu_zeros(GU_FLOAT32, 2, s2), r;
    gu_tensor c = gu_zeros(GU_FLOAT32, 3, s3), d = gu_zeros(GU_FLOAT32, 3, s4), o = gu_zeros(GU_FLOAT32, 2, s5);
    gu_tensor li = gu_zeros(GU_INT64, 2, s1), sc = gu_scalar(GU_FLOAT32, 2);
    r = gu_matmul(a, b);
    CHECK(!gu_ok(r));
    CHECK_STREQ(gu_error(), "matmul: (5, 784) @ (785, 10): inner dims 784 and 785 differ");
    r = gu_matmul(c, d);
    CHECK(!gu_ok(r));
    CHECK_STREQ(gu_error(), "matmul: (2, 5, 3) @ (4, 3, 2): batch dims (2,) and (4,) cannot be broadcast");
    r = gu_matmul(li, b);
    CHECK(!gu_ok(r) && strstr(gu_error(), "float32") != NULL);
    r = gu_matmul(sc, a);
    CHECK(!gu_ok(r) && strstr(gu_error(), "at least 1 dim") != NULL);
    CHECK(gu_matmul_out(o, a, b) == -1);
    gu_clear_error();
    CHECK(!gu_ok(gu_matmul(gu_slice(a, 9, 0, 1, 1), a)));   // invalid input carries its message
    CHECK(strstr(gu_error(), "slice") != NULL);
    {   // out of the wrong shape; out overlapping an input
        int64_t s6[2] = {784, 10};
        gu_tensor bb = gu_zeros(GU_FLOAT32, 2, s6), sq = gu_zeros(GU_FLOAT32, 2, s5);
        int64_t s7[2] = {10, 10};
        gu_tensor q = gu_zeros(GU_FLOAT32, 2, s7);
        CHECK(gu_matmul_out(o, a, bb) == 0);
        CHECK(gu_matmul_out(sq, a, a) == -1);
        CHECK(gu_matmul_out(q, q, q) == -1 && strstr(gu_error(), "overlaps") != NULL);
        {   // an expanded out (stride 0): every row would be written by many, as PyTorch refuses
            int64_t s8[2] = {1, 10};
            gu_tensor row = gu_zeros(GU_FLOAT32, 2, s8);
            CHECKF(gu_matmul_out(gu_expand(row, 2, s5), a, bb) == -1 && strstr(gu_error(), "matmul_out") && strstr(gu_error(), "stride 0"),
                   "%s", gu_error());
            gu_free(&row);
        }
        gu_free(&bb); gu_free(&sq); gu_free(&q);
    }
    gu_free(&a); gu_free(&b); gu_free(&c); gu_free(&d); gu_free(&o); gu_free(&li); gu_free(&sc);
}

// 'C' and 'c' (conjugate transpose) are 'T' for real matrices, as Reference-LAPACK's sblat3
// and CBLAS's c_sblat3 expect: within the netlib bound, and the same bits as 'T'.
static void test_gemm_conj_trans(void) {
    static const int64_t shapes[][3] = {{5, 10, 784}, {37, 29, 41}, {130, 70, 300}};
    static const char pairs[][2] = {{'C', 'N'}, {'N', 'C'}, {'c', 'c'}, {'C', 't'}};
    int s, q, fails = 0;
    for (s = 0; s < 3; s++)
        for (q = 0; q < 4; q++) {
            int64_t m = shapes[s][0], n = shapes[s][1], k = shapes[s][2], i;
            char ta = pairs[q][0], tb = pairs[q][1];
            int at = ta != 'N', bt = tb != 'N';
            float *a = (float *)malloc(sizeof(float) * (size_t)(m * k)), *b = (float *)malloc(sizeof(float) * (size_t)(k * n));
            float *c1 = (float *)malloc(sizeof(float) * (size_t)(m * n)), *c2 = (float *)malloc(sizeof(float) * (size_t)(m * n));
            for (i = 0; i < m * k; i++) a[i] = tg__rand();
            for (i = 0; i < k * n; i++) b[i] = tg__rand();
            for (i = 0; i < m * n; i++) c1[i] = c2[i] = tg__rand();
            CHECK(gu_sgemm(ta, tb, m, n, k, 0.5f, a, at ? m : k, b, bt ? k : n, 1.5f, c1, n) == 0);
            CHECK(gu_sgemm(at ? 'T' : 'N', bt ? 'T' : 'N', m, n, k, 0.5f, a, at ? m : k, b, bt ? k : n, 1.5f, c2, n) == 0);
            if (memcmp(c1, c2, sizeof(float) * (size_t)(m * n)) != 0) fails++;
            if (!tg__check_one(ta, tb, m, n, k, 0.7f, 1.3f)) fails++;
            CHECK(gu_sgemm_ref(ta, tb, m, n, k, 0.5f, a, at ? m : k, b, bt ? k : n, 1.5f, c1, n) == 0);
            free(a); free(b); free(c1); free(c2);
        }
    CHECKF(fails == 0, "%d products with 'C' differ from 'T'", fails);
}

static void test_gemm_bad_args(void) {
    float a[64] = {0}, b[64] = {0}, c[64] = {0};
    CHECK(gu_sgemm('N', 'N', -1, 2, 2, 1, a, 2, b, 2, 0, c, 2) == -1 && strstr(gu_error(), "negative") != NULL);
    CHECK(gu_sgemm('N', 'N', 2, 2, -3, 1, a, 2, b, 2, 0, c, 2) == -1);
    CHECK(gu_sgemm('X', 'N', 2, 2, 2, 1, a, 2, b, 2, 0, c, 2) == -1 && strstr(gu_error(), "transa") != NULL);
    CHECK(gu_sgemm('N', 'Z', 2, 2, 2, 1, a, 2, b, 2, 0, c, 2) == -1 && strstr(gu_error(), "transb") != NULL);
    CHECK(gu_sgemm('N', 'N', 2, 3, 4, 1, a, 3, b, 3, 0, c, 3) == -1 && strstr(gu_error(), "lda 3") != NULL);
    CHECK(gu_sgemm('T', 'N', 2, 3, 4, 1, a, 1, b, 3, 0, c, 3) == -1 && strstr(gu_error(), "lda 1") != NULL);
    CHECK(gu_sgemm('N', 'N', 2, 3, 4, 1, a, 4, b, 2, 0, c, 3) == -1 && strstr(gu_error(), "ldb 2") != NULL);
    CHECK(gu_sgemm('N', 'T', 2, 3, 4, 1, a, 4, b, 3, 0, c, 3) == -1 && strstr(gu_error(), "ldb 3") != NULL);
    CHECK(gu_sgemm('N', 'N', 2, 3, 4, 1, a, 4, b, 3, 0, c, 2) == -1 && strstr(gu_error(), "ldc 2") != NULL);
    CHECK(gu_sgemm('N', 'N', 2, 3, 4, 1, NULL, 4, b, 3, 0, c, 3) == -1 && strstr(gu_error(), "NULL") != NULL);
    CHECK(gu_sgemm('N', 'N', 2, 3, 4, 1, a, 4, NULL, 3, 0, c, 3) == -1);
    CHECK(gu_sgemm('N', 'N', 2, 3, 4, 1, a, 4, b, 3, 0, NULL, 3) == -1);
    CHECK(gu_sgemm_ref('N', 'N', 2, 3, 4, 1, a, 4, b, 3, 0, c, 2) == -1);
    // empty products are fine with NULL pointers and minimal leading dimensions
    CHECK(gu_sgemm('N', 'N', 0, 0, 0, 1, NULL, 1, NULL, 1, 0, NULL, 1) == 0);
    CHECK(gu_sgemm('N', 'N', 2, 3, 0, 1, NULL, 1, NULL, 3, 0, c, 3) == 0);
    CHECK(gu_sgemm('n', 't', 2, 2, 2, 1, a, 2, b, 2, 0, c, 2) == 0);   // lower case is accepted
    CHECK(gu_gemm_set_kernel("sse9") == -1 && strstr(gu_error(), "unknown") != NULL);
    CHECK(gu_gemm_set_kernel("portable") == 0 && strcmp(gu_gemm_kernel(), "portable") == 0);
    CHECK(gu_gemm_set_kernel("auto") == 0);
    // gu_set_kernel: every part; an unknown name names itself and what this CPU and build have
    CHECK(gu_set_kernel("sse9") == -1 && strstr(gu_error(), "\"sse9\"") != NULL && strstr(gu_error(), "portable") != NULL);
    CHECK(gu_set_kernel("portable") == 0 && strcmp(gu_kernel(), "portable") == 0 && strcmp(gu_gemm_kernel(), "portable") == 0);
    CHECK(gu_gemm_set_kernel("auto") == 0 && strcmp(gu_kernel(), "portable") == 0);   // the gemm-only form leaves the rest
    CHECK(gu_set_kernel(NULL) == 0 && strcmp(gu_kernel(), gu_gemm_kernel()) == 0);    // "auto": the same choice for all
}

// gu_sgemm_ref against gu_sgemm, and the lesson's product shape through both.
static void test_gemm_ref_agrees(void) {
    int64_t m = 5, n = 10, k = 784, i;
    float *a = (float *)malloc(sizeof(float) * (size_t)(m * k)), *b = (float *)malloc(sizeof(float) * (size_t)(k * n));
    float c1[50], c2[50];
    double worst = 0;
    for (i = 0; i < m * k; i++) a[i] = tg__rand();
    for (i = 0; i < k * n; i++) b[i] = tg__rand();
    CHECK(gu_sgemm('N', 'N', m, n, k, 1, a, k, b, n, 0, c1, n) == 0);
    CHECK(gu_sgemm_ref('N', 'N', m, n, k, 1, a, k, b, n, 0, c2, n) == 0);
    for (i = 0; i < m * n; i++) worst = fabs(c1[i] - c2[i]) > worst ? fabs(c1[i] - c2[i]) : worst;
    CHECKF(worst < 1e-3, "sgemm and sgemm_ref differ by %g", worst);
    free(a); free(b);
}

static void suite_gemm(void) {
    RUN(test_gemm_bad_args);
    RUN(test_gemm_ref_agrees);
    RUN(test_gemm_netlib_all_kernels);
    RUN(test_gemm_conj_trans);
    RUN(test_gemm_few_rows_wide);
    RUN(test_gemm_rows_every_m);
    RUN(test_gemm_threads_same_bits);
    RUN(test_gemm_blocks_same_bits);
    RUN(test_gemm_threads_small_blocks);
    RUN(test_gemm_rows_dot_tail);
    RUN(test_gemm_dot_path_every_n);
    RUN(test_matmul_semantics);
    RUN(test_matmul_errors);
}
