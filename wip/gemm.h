// @@decls
#ifndef GU_PART_GEMM_DECLS
#define GU_PART_GEMM_DECLS
#ifdef __cplusplus
extern "C" {
#endif
// >>gemm: the fast matmul ---------------------------------------------------------------
// C = alpha * op(A) @ op(B) + beta * C, row-major, as BLAS's sgemm. op(X) is X for 'N' and
// X transposed for 'T' (lower case accepted). op(A) is (m, k), op(B) is (k, n), C is (m, n);
// lda, ldb, ldc are the distances between rows as stored (A stored (m, k) for 'N' and
// (k, m) for 'T'). beta == 0 means C is not read (NaNs in C do not survive). alpha == 0 or
// k == 0 only scales C. Returns 0, or -1 with gu_error() set for bad arguments: negative
// sizes, a leading dimension smaller than the stored row, a letter other than N/T, a NULL
// pointer for a nonempty matrix.
GUDEF int gu_sgemm(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
                   const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                   float *c, int64_t ldc);
// The same contract in three plain loops (float sums, k in order): the oracle.
GUDEF int gu_sgemm_ref(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
                       const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                       float *c, int64_t ldc);

// torch.matmul on float32 tensors of any strides: 1-D @ 1-D is a dot product (0-d result);
// a 1-D left operand is promoted to (1, k) and a 1-D right one to (k, 1), and the added
// dim is removed from the result; dims before the last two are batch dims and broadcast.
// gu_matmul returns an owner; gu_matmul_out writes into out (exactly the result's shape,
// float32, any strides, not overlapping a or b) and returns 0 or -1.
GUDEF gu_tensor gu_matmul(gu_tensor a, gu_tensor b);
GUDEF int gu_matmul_out(gu_tensor out, gu_tensor a, gu_tensor b);

// The microkernel is chosen once from cpuid: "avx512", else "avx2" (AVX2+FMA), else
// "portable" (plain C, always compiled; the only one under GU_NO_SIMD). The environment
// variable GROUNDUP_GEMM_KERNEL or this call forces one ("auto" restores the choice);
// -1 if the name is unknown or this CPU cannot run it.
GUDEF int gu_gemm_set_kernel(const char *name);
GUDEF const char *gu_gemm_kernel(void);   // the kernel in use: "avx512", "avx2", "portable"

// Threads for large products (split over the rows or columns of C, never over k, so the
// bits do not depend on the count). Default: GROUNDUP_NUM_THREADS, else the online CPUs.
// n <= 0 restores the default. Always 1 under GU_NO_THREADS.
GUDEF void gu_set_num_threads(int n);
GUDEF int gu_get_num_threads(void);
#ifdef __cplusplus
}
#endif
#endif
// @@impl
#if defined(GROUNDUP_IMPLEMENTATION) && !defined(GU_PART_GEMM_IMPL)
#define GU_PART_GEMM_IMPL
// >>gemm ------------------------------------------------------------------------------------
// The five loops of BLIS/GotoBLAS (docs/KernelsHowTo.md in BLIS), for C (m, n) += A (m, k) B (k, n):
//
//   for jc in steps of NC           columns of C and B         B block (KC, NC) lives in L3
//     for pc in steps of KC         the k dimension            pack B(pc.., jc..) -> bp
//       for ic in steps of MC       rows of C and A            pack A(ic.., pc..) -> ap, in L2
//         for jr in steps of NR     one B micro-panel (KC, NR), reused from L1 ...
//           for ir in steps of MR   ... by every A micro-panel (MR, KC): the microkernel
//
// Packing copies a block into the order the microkernel reads it (A in columns of MR rows,
// B in rows of NR columns, edges zero-padded), so any strides or transposes cost the same.
// The microkernel keeps an MR x NR tile of C in registers for the whole KC loop; it alone is
// architecture-specific. Threads split C's rows or columns, never k: every element of C is
// the same chain of operations whatever the thread count, hence the same bits.
#include <stdlib.h>
#if !defined(GU_NO_THREADS)
#include <pthread.h>
#include <unistd.h>
#endif
#if !defined(GU_NO_SIMD) && (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define GU__X86_SIMD 1
#include <immintrin.h>
#endif
#ifdef GROUNDUP_CBLAS
#ifndef GROUNDUP_CBLAS_INCLUDE
#define GROUNDUP_CBLAS_INCLUDE <cblas.h>
#endif
#include GROUNDUP_CBLAS_INCLUDE
#endif

#if defined(__GNUC__) || defined(__clang__)
#define GU__RESTRICT __restrict__
#else
#define GU__RESTRICT
#endif

// 64-byte aligned scratch through the hooks: over-allocate, keep the raw pointer before it.
static float *gu__alloc_aligned(int64_t nfloats, void **raw) {
    int64_t bytes;
    uintptr_t p;
    if (!gu__mul_ok(nfloats, (int64_t)sizeof(float), &bytes) || bytes > INT64_MAX - 64) { *raw = NULL; return NULL; }
    *raw = gu__malloc((size_t)bytes + 64);
    if (!*raw) return NULL;
    p = ((uintptr_t)*raw + 63) & ~(uintptr_t)63;
    return (float *)p;
}

// ---- the reference: three loops ----------------------------------------------------------
static int gu__sgemm_check(const char *op, char transa, char transb, int64_t m, int64_t n, int64_t k,
                           const float *a, int64_t lda, const float *b, int64_t ldb, const float *c, int64_t ldc) {
    int ta = transa == 'T' || transa == 't', tb = transb == 'T' || transb == 't';
    int64_t wa, wb, wc;
    if (!(ta || transa == 'N' || transa == 'n')) { gu__seterr("%s: transa is '%c' (0x%02x), expected 'N' or 'T'", op, transa, (unsigned char)transa); return 0; }
    if (!(tb || transb == 'N' || transb == 'n')) { gu__seterr("%s: transb is '%c' (0x%02x), expected 'N' or 'T'", op, transb, (unsigned char)transb); return 0; }
    if (m < 0 || n < 0 || k < 0) {
        gu__seterr("%s: negative size (m %" PRId64 ", n %" PRId64 ", k %" PRId64 ")", op, m, n, k);
        return 0;
    }
    wa = ta ? m : k;  // the stored row of A: (m, k) for 'N', (k, m) for 'T'
    wb = tb ? k : n;
    wc = n;
    if (lda < (wa > 1 ? wa : 1)) { gu__seterr("%s: lda %" PRId64 " is smaller than the stored row of A (%" PRId64 ", transa '%c')", op, lda, wa, transa); return 0; }
    if (ldb < (wb > 1 ? wb : 1)) { gu__seterr("%s: ldb %" PRId64 " is smaller than the stored row of B (%" PRId64 ", transb '%c')", op, ldb, wb, transb); return 0; }
    if (ldc < (wc > 1 ? wc : 1)) { gu__seterr("%s: ldc %" PRId64 " is smaller than the row of C (%" PRId64 ")", op, ldc, wc); return 0; }
    if (m > 0 && k > 0 && !a) { gu__seterr("%s: A is NULL for a (%" PRId64 ", %" PRId64 ") product", op, m, k); return 0; }
    if (k > 0 && n > 0 && !b) { gu__seterr("%s: B is NULL for a (%" PRId64 ", %" PRId64 ") product", op, k, n); return 0; }
    if (m > 0 && n > 0 && !c) { gu__seterr("%s: C is NULL for a (%" PRId64 ", %" PRId64 ") result", op, m, n); return 0; }
    {   // the largest offset touched must be addressable
        int64_t t1, t2;
        if (!gu__mul_ok(ta ? k : m, lda, &t1) || !gu__mul_ok(tb ? n : k, ldb, &t2) || !gu__mul_ok(m, ldc, &t1)) {
            gu__seterr("%s: sizes overflow (m %" PRId64 ", n %" PRId64 ", k %" PRId64 ")", op, m, n, k);
            return 0;
        }
    }
    return 1;
}

GU__DEF int gu_sgemm_ref(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
                         const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                         float *c, int64_t ldc) {
    int64_t i, j, p, rsa, csa, rsb, csb;
    if (!gu__sgemm_check("sgemm_ref", transa, transb, m, n, k, a, lda, b, ldb, c, ldc)) return -1;
    rsa = (transa == 'N' || transa == 'n') ? lda : 1;  // A(i, p) = a[i*rsa + p*csa]
    csa = (transa == 'N' || transa == 'n') ? 1 : lda;
    rsb = (transb == 'N' || transb == 'n') ? ldb : 1;  // B(p, j) = b[p*rsb + j*csb]
    csb = (transb == 'N' || transb == 'n') ? 1 : ldb;
    for (i = 0; i < m; i++)
        for (j = 0; j < n; j++) {
            float sum = 0, *cij = &c[i * ldc + j];
            if (alpha != 0)
                for (p = 0; p < k; p++) sum += a[i * rsa + p * csa] * b[p * rsb + j * csb];
            *cij = alpha * sum + (beta == 0 ? 0.0f : beta * *cij);
        }
    return 0;
}

// ---- microkernels ---------------------------------------------------------------------------
// The contract (BLIS's): given kc, a packed A micro-panel ap (kc columns of MR values) and a
// packed B micro-panel bp (kc rows of NR values), compute the MR x NR tile AB and write
//     C[i][j] = alpha * AB[i][j] + beta * C[i][j]      for i < mr, j < nr
// with C's rows ldc apart. beta == 0: C is not read. mr < MR or nr < NR at the edges.
typedef void (*gu__ukr_fn)(int64_t kc, const float *ap, const float *bp, float *c, int64_t ldc,
                           int mr, int nr, float alpha, float beta);
// Two paths without packed A, for small n, A's rows contiguous (lda apart), A read once:
// "rows": C rows [0, m) from B (k, n) read in place (rows ldb apart): each A element is
//   broadcast against a row of B. `split` (1 or 4) interleaves k over that many partial
//   sums, to break the FMA latency chain when there are few rows; the caller picks it from
//   the whole product, so every row is the same operations whatever the row grouping.
// "dot": C rows [0, m) for n <= 16 from bt, B packed in chunks of V (vector width) rows,
//   n padded to J columns (see the packing): each C element is a dot product of an A row
//   and a column of B, vectorized along k, reduced by a fixed tree. No broadcasts.
typedef void (*gu__rows_fn)(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                            const float *b, int64_t ldb, float beta, float *c, int64_t ldc, int split);
typedef void (*gu__dot_fn)(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                           const float *bt, int64_t J, float beta, float *c, int64_t ldc);

typedef struct gu__gemm_kernel {
    const char *name;
    int mr, nr;            // register tile
    int64_t mc, kc, nc;    // cache blocks (mc a multiple of mr, nc of nr)
    gu__ukr_fn ukr;
    gu__rows_fn rows;
    int64_t rows_max_n;    // the rows kernel handles n up to this
    gu__dot_fn dot;        // NULL: no dot kernel
    int64_t dot_vec;       // its vector width V
    int64_t dot_jpad;      // it wants n padded to a multiple of this
} gu__gemm_kernel;

// Portable C: a 4 x 16 tile in a local array; compilers keep it in vector registers when
// they can. Written without fma() so it stays exact C; -ffp-contract decides.
#define GU__PMR 4
#define GU__PNR 16
static void gu__ukr_portable(int64_t kc, const float *GU__RESTRICT ap, const float *GU__RESTRICT bp, float *c,
                             int64_t ldc, int mr, int nr, float alpha, float beta) {
    float ab[GU__PMR][GU__PNR];
    int64_t p;
    int i, j;
    for (i = 0; i < GU__PMR; i++)
        for (j = 0; j < GU__PNR; j++) ab[i][j] = 0;
    for (p = 0; p < kc; p++, ap += GU__PMR, bp += GU__PNR)
        for (i = 0; i < GU__PMR; i++)
            for (j = 0; j < GU__PNR; j++) ab[i][j] += ap[i] * bp[j];
    for (i = 0; i < mr; i++)
        for (j = 0; j < nr; j++) {
            float *cij = &c[i * ldc + j];
            *cij = alpha * ab[i][j] + (beta == 0 ? 0.0f : beta * *cij);
        }
}

static void gu__rows_portable(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                              const float *b, int64_t ldb, float beta, float *c, int64_t ldc, int split) {
    float acc[GU__PNR];
    (void)split;  // one chain per element, k in order
    int64_t i, j, p;
    for (i = 0; i < m; i++) {
        const float *ai = a + i * lda;
        float *ci = c + i * ldc;
        for (j = 0; j < n; j++) acc[j] = 0;
        for (p = 0; p < k; p++) {
            const float *bpp = b + p * ldb;
            float aip = ai[p];
            for (j = 0; j < n; j++) acc[j] += aip * bpp[j];
        }
        for (j = 0; j < n; j++) ci[j] = alpha * acc[j] + (beta == 0 ? 0.0f : beta * ci[j]);
    }
}

#ifdef GU__X86_SIMD
// AVX-512: a 14 x 32 tile of C in 28 zmm accumulators (two per row), plus two for the B
// row: 30 of 32 registers. Per k step: 2 loads of B, 14 broadcasts of A, 28 FMAs; Zen 5's
// two 512-bit FMA pipes and 4-cycle latency need at least 8 independent chains.
#define GU__A5MR 14
#define GU__A5NR 32
#define GU__A5_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13)
__attribute__((target("avx512f,avx2,fma")))
static void gu__ukr_avx512(int64_t kc, const float *GU__RESTRICT ap, const float *GU__RESTRICT bp, float *c,
                           int64_t ldc, int mr, int nr, float alpha, float beta) {
#define GU__A5_DECL(i) __m512 c##i##0 = _mm512_setzero_ps(), c##i##1 = _mm512_setzero_ps();
#define GU__A5_FMA(i) { __m512 a_ = _mm512_set1_ps(ap[i]); c##i##0 = _mm512_fmadd_ps(a_, b0, c##i##0); c##i##1 = _mm512_fmadd_ps(a_, b1, c##i##1); }
#define GU__A5_STORE(i) if (i < mr) { \
        float *ci_ = c + (int64_t)i * ldc; \
        __m512 r0_ = _mm512_mul_ps(c##i##0, va), r1_ = _mm512_mul_ps(c##i##1, va); \
        if (beta != 0) { \
            r0_ = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m0, ci_), vb, r0_); \
            r1_ = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m1, ci_ + 16), vb, r1_); \
        } \
        _mm512_mask_storeu_ps(ci_, m0, r0_); _mm512_mask_storeu_ps(ci_ + 16, m1, r1_); }
    GU__A5_ROWS(GU__A5_DECL)
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    __mmask16 m0 = (__mmask16)(nr >= 16 ? 0xFFFF : (1u << nr) - 1);
    __mmask16 m1 = (__mmask16)(nr >= 32 ? 0xFFFF : nr <= 16 ? 0 : (1u << (nr - 16)) - 1);
    int64_t p;
    for (p = 0; p < kc; p++) {
        __m512 b0 = _mm512_load_ps(bp), b1 = _mm512_load_ps(bp + 16);
        GU__A5_ROWS(GU__A5_FMA)
        ap += GU__A5MR;
        bp += GU__A5NR;
    }
    GU__A5_ROWS(GU__A5_STORE)
#undef GU__A5_DECL
#undef GU__A5_FMA
#undef GU__A5_STORE
}

#define GU__A5_INL static inline __attribute__((always_inline, target("avx512f,avx2,fma")))
#if defined(__clang__)
#define GU__UNROLL _Pragma("unroll")
#else
#define GU__UNROLL _Pragma("GCC unroll 16")
#endif

// Rows kernel: R rows (<= 8), NV vectors of 16 columns (<= 4, the last masked by mk), S
// interleaved k phases (1 or 4; a k tail goes to phase 0). The loops have constant bounds
// once inlined, so the accumulators live in registers.
GU__A5_INL void gu__a5_rows_block(int R, int NV, int S, int64_t k, const float *a, int64_t lda,
                                  const float *b, int64_t ldb, float *c, int64_t ldc,
                                  __m512 va, __m512 vb, int use_beta, const __mmask16 *mk) {
    __m512 acc[8][4][4];
    int r, v, q;
    int64_t p;
    GU__UNROLL for (r = 0; r < R; r++) GU__UNROLL for (v = 0; v < NV; v++) GU__UNROLL for (q = 0; q < S; q++)
        acc[r][v][q] = _mm512_setzero_ps();
    for (p = 0; p + S <= k; p += S) {
        GU__UNROLL for (q = 0; q < S; q++) {
            const float *bq = b + (p + q) * ldb;
            __m512 bv[4];
            GU__UNROLL for (v = 0; v < NV; v++) bv[v] = _mm512_maskz_loadu_ps(mk[v], bq + 16 * v);
            GU__UNROLL for (r = 0; r < R; r++) {
                __m512 ar = _mm512_set1_ps(a[r * lda + p + q]);
                GU__UNROLL for (v = 0; v < NV; v++) acc[r][v][q] = _mm512_fmadd_ps(ar, bv[v], acc[r][v][q]);
            }
        }
    }
    for (; p < k; p++) {
        const float *bq = b + p * ldb;
        __m512 bv[4];
        GU__UNROLL for (v = 0; v < NV; v++) bv[v] = _mm512_maskz_loadu_ps(mk[v], bq + 16 * v);
        GU__UNROLL for (r = 0; r < R; r++) {
            __m512 ar = _mm512_set1_ps(a[r * lda + p]);
            GU__UNROLL for (v = 0; v < NV; v++) acc[r][v][0] = _mm512_fmadd_ps(ar, bv[v], acc[r][v][0]);
        }
    }
    GU__UNROLL for (r = 0; r < R; r++) GU__UNROLL for (v = 0; v < NV; v++) {
        __m512 x = acc[r][v][0];
        float *cv = c + r * ldc + 16 * v;
        if (S == 4) x = _mm512_add_ps(_mm512_add_ps(acc[r][v][0], acc[r][v][1]), _mm512_add_ps(acc[r][v][2], acc[r][v][3]));
        x = _mm512_mul_ps(x, va);
        if (use_beta) x = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(mk[v], cv), vb, x);
        _mm512_mask_storeu_ps(cv, mk[v], x);
    }
}

__attribute__((target("avx512f,avx2,fma")))
static void gu__rows_avx512(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                            const float *b, int64_t ldb, float beta, float *c, int64_t ldc, int split) {
    __m512 va = _mm512_set1_ps(alpha), vb = _mm512_set1_ps(beta);
    __mmask16 mk[4];
    int64_t i = 0;
    int v, nv = (int)((n + 15) / 16), ub = beta != 0;
    for (v = 0; v < 4; v++) {
        int64_t w = n - 16 * v;
        mk[v] = (__mmask16)(w >= 16 ? 0xFFFF : w <= 0 ? 0 : (1u << w) - 1);
    }
#define GU__A5_RUN(R, NV, S) \
    for (; i + R <= m; i += R) gu__a5_rows_block(R, NV, S, k, a + i * lda, lda, b, ldb, c + i * ldc, ldc, va, vb, ub, mk);
    if (split == 4) {
        if (nv == 1) { GU__A5_RUN(1, 1, 4) } else if (nv == 2) { GU__A5_RUN(1, 2, 4) }
        else if (nv == 3) { GU__A5_RUN(1, 3, 4) } else { GU__A5_RUN(1, 4, 4) }
    } else {
        if (nv == 1) { GU__A5_RUN(8, 1, 1) GU__A5_RUN(1, 1, 1) }
        else if (nv == 2) { GU__A5_RUN(8, 2, 1) GU__A5_RUN(1, 2, 1) }
        else if (nv == 3) { GU__A5_RUN(6, 3, 1) GU__A5_RUN(1, 3, 1) }
        else { GU__A5_RUN(5, 4, 1) GU__A5_RUN(1, 4, 1) }
    }
#undef GU__A5_RUN
}

// Dot kernel: R rows by all J (n, even) columns of C at once, 16 lanes of k per FMA: each
// A row is read once, front to back, and bt too. R * J accumulators (<= 24).
GU__A5_INL void gu__a5_dot_block(int R, int J, int64_t n, int64_t k, const float *a, int64_t lda, const float *bt,
                                 float *c, int64_t ldc, float alpha, float beta) {
    __m512 acc[2][16 + 2];
    int64_t p;
    int r, j, j0;
    GU__UNROLL for (r = 0; r < R; r++) GU__UNROLL for (j = 0; j < J + 2; j++) acc[r][j] = _mm512_setzero_ps();
    for (p = 0; p + 16 <= k; p += 16, bt += 16 * J) {
        __m512 ar[2];
        GU__UNROLL for (r = 0; r < R; r++) {
            _mm_prefetch((const char *)(a + r * lda + p) + 2048, _MM_HINT_T0);
            ar[r] = _mm512_loadu_ps(a + r * lda + p);
        }
        GU__UNROLL for (j = 0; j < J; j++) {
            __m512 bj = _mm512_load_ps(bt + 16 * j);
            GU__UNROLL for (r = 0; r < R; r++) acc[r][j] = _mm512_fmadd_ps(ar[r], bj, acc[r][j]);
        }
    }
    if (p < k) {   // the last partial chunk: A masked, bt is zero-padded
        __mmask16 tail = (__mmask16)((1u << (k - p)) - 1);
        __m512 ar[2];
        GU__UNROLL for (r = 0; r < R; r++) ar[r] = _mm512_maskz_loadu_ps(tail, a + r * lda + p);
        GU__UNROLL for (j = 0; j < J; j++) {
            __m512 bj = _mm512_load_ps(bt + 16 * j);
            GU__UNROLL for (r = 0; r < R; r++) acc[r][j] = _mm512_fmadd_ps(ar[r], bj, acc[r][j]);
        }
    }
    GU__UNROLL for (r = 0; r < R; r++) GU__UNROLL for (j0 = 0; j0 < J; j0 += 4) {
        // four 16-lane sums at once: pairs within 128-bit lanes, then across the lanes
        __m512 t0 = _mm512_add_ps(_mm512_unpacklo_ps(acc[r][j0], acc[r][j0 + 1]), _mm512_unpackhi_ps(acc[r][j0], acc[r][j0 + 1]));
        __m512 t1 = _mm512_add_ps(_mm512_unpacklo_ps(acc[r][j0 + 2], acc[r][j0 + 3]), _mm512_unpackhi_ps(acc[r][j0 + 2], acc[r][j0 + 3]));
        __m512 u = _mm512_add_ps(_mm512_shuffle_ps(t0, t1, _MM_SHUFFLE(1, 0, 1, 0)), _mm512_shuffle_ps(t0, t1, _MM_SHUFFLE(3, 2, 3, 2)));
        __m256 h = _mm256_add_ps(_mm512_castps512_ps256(u), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(u), 1)));
        __m128 q = _mm_mul_ps(_mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)), _mm_set1_ps(alpha));
        float *cr = c + r * ldc + j0, s4[4];
        int w = n - j0 < 4 ? (int)(n - j0) : 4, jj;
        _mm_storeu_ps(s4, q);
        for (jj = 0; jj < w; jj++) cr[jj] = beta == 0 ? s4[jj] : s4[jj] + beta * cr[jj];
    }
}

__attribute__((target("avx512f,avx2,fma")))
static void gu__dot_avx512(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                           const float *bt, int64_t J, float beta, float *c, int64_t ldc) {
    int64_t i = 0;
#define GU__A5_DOT(R, J) \
    for (; i + R <= m; i += R) gu__a5_dot_block(R, J, n, k, a + i * lda, lda, bt, c + i * ldc, ldc, alpha, beta);
    switch (J) {
    case 2: GU__A5_DOT(2, 2) GU__A5_DOT(1, 2) break;
    case 4: GU__A5_DOT(2, 4) GU__A5_DOT(1, 4) break;
    case 6: GU__A5_DOT(2, 6) GU__A5_DOT(1, 6) break;
    case 8: GU__A5_DOT(2, 8) GU__A5_DOT(1, 8) break;
    case 10: GU__A5_DOT(2, 10) GU__A5_DOT(1, 10) break;
    case 12: GU__A5_DOT(2, 12) GU__A5_DOT(1, 12) break;
    case 14: GU__A5_DOT(1, 14) break;
    default: GU__A5_DOT(1, 16) break;
    }
#undef GU__A5_DOT
}

// AVX2 + FMA: a 6 x 16 tile in 12 ymm accumulators, 2 for B, 1 broadcast (15 of 16).
#define GU__A2MR 6
#define GU__A2NR 16
#define GU__A2_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)
static const int32_t gu__mask8[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
__attribute__((target("avx2,fma")))
static void gu__ukr_avx2(int64_t kc, const float *GU__RESTRICT ap, const float *GU__RESTRICT bp, float *c,
                         int64_t ldc, int mr, int nr, float alpha, float beta) {
#define GU__A2_DECL(i) __m256 c##i##0 = _mm256_setzero_ps(), c##i##1 = _mm256_setzero_ps();
#define GU__A2_FMA(i) { __m256 a_ = _mm256_broadcast_ss(ap + i); c##i##0 = _mm256_fmadd_ps(a_, b0, c##i##0); c##i##1 = _mm256_fmadd_ps(a_, b1, c##i##1); }
#define GU__A2_STORE(i) if (i < mr) { \
        float *ci_ = c + (int64_t)i * ldc; \
        __m256 r0_ = _mm256_mul_ps(c##i##0, va), r1_ = _mm256_mul_ps(c##i##1, va); \
        if (beta != 0) { \
            r0_ = _mm256_fmadd_ps(_mm256_maskload_ps(ci_, m0), vb, r0_); \
            r1_ = _mm256_fmadd_ps(_mm256_maskload_ps(ci_ + 8, m1), vb, r1_); \
        } \
        _mm256_maskstore_ps(ci_, m0, r0_); _mm256_maskstore_ps(ci_ + 8, m1, r1_); }
    GU__A2_ROWS(GU__A2_DECL)
    __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    int w0 = nr >= 8 ? 8 : nr, w1 = nr >= 16 ? 8 : nr <= 8 ? 0 : nr - 8;
    __m256i m0 = _mm256_loadu_si256((const __m256i *)(gu__mask8 + 8 - w0));
    __m256i m1 = _mm256_loadu_si256((const __m256i *)(gu__mask8 + 8 - w1));
    int64_t p;
    for (p = 0; p < kc; p++) {
        __m256 b0 = _mm256_load_ps(bp), b1 = _mm256_load_ps(bp + 8);
        GU__A2_ROWS(GU__A2_FMA)
        ap += GU__A2MR;
        bp += GU__A2NR;
    }
    GU__A2_ROWS(GU__A2_STORE)
#undef GU__A2_DECL
#undef GU__A2_FMA
#undef GU__A2_STORE
}

#define GU__A2_INL static inline __attribute__((always_inline, target("avx2,fma")))
GU__A2_INL void gu__a2_rows_block(int R, int NV, int S, int64_t k, const float *a, int64_t lda,
                                  const float *b, int64_t ldb, float *c, int64_t ldc,
                                  __m256 va, __m256 vb, int use_beta, const __m256i *mk) {
    __m256 acc[6][3][4];
    int r, v, q;
    int64_t p;
    GU__UNROLL for (r = 0; r < R; r++) GU__UNROLL for (v = 0; v < NV; v++) GU__UNROLL for (q = 0; q < S; q++)
        acc[r][v][q] = _mm256_setzero_ps();
    for (p = 0; p + S <= k; p += S) {
        GU__UNROLL for (q = 0; q < S; q++) {
            const float *bq = b + (p + q) * ldb;
            __m256 bv[3];
            GU__UNROLL for (v = 0; v < NV; v++) bv[v] = _mm256_maskload_ps(bq + 8 * v, mk[v]);
            GU__UNROLL for (r = 0; r < R; r++) {
                __m256 ar = _mm256_broadcast_ss(a + r * lda + p + q);
                GU__UNROLL for (v = 0; v < NV; v++) acc[r][v][q] = _mm256_fmadd_ps(ar, bv[v], acc[r][v][q]);
            }
        }
    }
    for (; p < k; p++) {
        const float *bq = b + p * ldb;
        __m256 bv[3];
        GU__UNROLL for (v = 0; v < NV; v++) bv[v] = _mm256_maskload_ps(bq + 8 * v, mk[v]);
        GU__UNROLL for (r = 0; r < R; r++) {
            __m256 ar = _mm256_broadcast_ss(a + r * lda + p);
            GU__UNROLL for (v = 0; v < NV; v++) acc[r][v][0] = _mm256_fmadd_ps(ar, bv[v], acc[r][v][0]);
        }
    }
    GU__UNROLL for (r = 0; r < R; r++) GU__UNROLL for (v = 0; v < NV; v++) {
        __m256 x = acc[r][v][0];
        float *cv = c + r * ldc + 8 * v;
        if (S == 4) x = _mm256_add_ps(_mm256_add_ps(acc[r][v][0], acc[r][v][1]), _mm256_add_ps(acc[r][v][2], acc[r][v][3]));
        x = _mm256_mul_ps(x, va);
        if (use_beta) x = _mm256_fmadd_ps(_mm256_maskload_ps(cv, mk[v]), vb, x);
        _mm256_maskstore_ps(cv, mk[v], x);
    }
}

__attribute__((target("avx2,fma")))
static void gu__rows_avx2(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                          const float *b, int64_t ldb, float beta, float *c, int64_t ldc, int split) {
    __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
    __m256i mk[3];
    int64_t i = 0;
    int v, nv = (int)((n + 7) / 8), ub = beta != 0;
    for (v = 0; v < 3; v++) {
        int64_t w = n - 8 * v;
        mk[v] = _mm256_loadu_si256((const __m256i *)(gu__mask8 + 8 - (w >= 8 ? 8 : w <= 0 ? 0 : w)));
    }
#define GU__A2_RUN(R, NV, S) \
    for (; i + R <= m; i += R) gu__a2_rows_block(R, NV, S, k, a + i * lda, lda, b, ldb, c + i * ldc, ldc, va, vb, ub, mk);
    if (split == 4) {
        if (nv == 1) { GU__A2_RUN(1, 1, 4) } else if (nv == 2) { GU__A2_RUN(1, 2, 4) } else { GU__A2_RUN(1, 3, 4) }
    } else {
        if (nv == 1) { GU__A2_RUN(6, 1, 1) GU__A2_RUN(1, 1, 1) }
        else if (nv == 2) { GU__A2_RUN(4, 2, 1) GU__A2_RUN(1, 2, 1) }
        else { GU__A2_RUN(3, 3, 1) GU__A2_RUN(1, 3, 1) }
    }
#undef GU__A2_RUN
}

GU__A2_INL void gu__a2_dot_block(int R, int64_t J, int64_t n, int64_t k, const float *a, int64_t lda, const float *bt,
                                 float *c, int64_t ldc, float alpha, float beta) {
    int64_t j0, p;
    int r, j;
    __m256i tail = _mm256_loadu_si256((const __m256i *)(gu__mask8 + 8 - (k & 7)));
    for (j0 = 0; j0 < n; j0 += 4) {
        __m256 acc[2][4];
        const float *b0 = bt + 8 * j0;
        GU__UNROLL for (r = 0; r < R; r++) GU__UNROLL for (j = 0; j < 4; j++) acc[r][j] = _mm256_setzero_ps();
        for (p = 0; p + 8 <= k; p += 8, b0 += 8 * J) {
            __m256 ar[2];
            GU__UNROLL for (r = 0; r < R; r++) ar[r] = _mm256_loadu_ps(a + r * lda + p);
            GU__UNROLL for (j = 0; j < 4; j++) {
                __m256 bj = _mm256_load_ps(b0 + 8 * j);
                GU__UNROLL for (r = 0; r < R; r++) acc[r][j] = _mm256_fmadd_ps(ar[r], bj, acc[r][j]);
            }
        }
        if (p < k) {
            __m256 ar[2];
            GU__UNROLL for (r = 0; r < R; r++) ar[r] = _mm256_maskload_ps(a + r * lda + p, tail);
            GU__UNROLL for (j = 0; j < 4; j++) {
                __m256 bj = _mm256_load_ps(b0 + 8 * j);
                GU__UNROLL for (r = 0; r < R; r++) acc[r][j] = _mm256_fmadd_ps(ar[r], bj, acc[r][j]);
            }
        }
        GU__UNROLL for (r = 0; r < R; r++) {
            __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(acc[r][0], acc[r][1]), _mm256_hadd_ps(acc[r][2], acc[r][3]));
            __m128 q = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
            float *cr = c + r * ldc + j0, s4[4];
            int w = n - j0 < 4 ? (int)(n - j0) : 4;
            q = _mm_mul_ps(q, _mm_set1_ps(alpha));
            _mm_storeu_ps(s4, q);
            for (j = 0; j < w; j++) cr[j] = beta == 0 ? s4[j] : s4[j] + beta * cr[j];
        }
    }
}

__attribute__((target("avx2,fma")))
static void gu__dot_avx2(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                         const float *bt, int64_t J, float beta, float *c, int64_t ldc) {
    int64_t i = 0;
    for (; i + 2 <= m; i += 2) gu__a2_dot_block(2, J, n, k, a + i * lda, lda, bt, c + i * ldc, ldc, alpha, beta);
    for (; i < m; i++) gu__a2_dot_block(1, J, n, k, a + i * lda, lda, bt, c + i * ldc, ldc, alpha, beta);
}
#endif // GU__X86_SIMD

// The kernels this build knows, best first. Blocking: KC rows of a B micro-panel (KC x NR
// floats) stay in L1 (48 KiB on Zen 5); an A block (MC x KC) stays in L2; a B block
// (KC x NC) in L3.
static gu__gemm_kernel gu__kernels[] = {   // not const: bench/ tuning may change the blocks
#ifdef GU__X86_SIMD
    {"avx512", GU__A5MR, GU__A5NR, 14 * 24, 256, 4096, gu__ukr_avx512, gu__rows_avx512, 64, gu__dot_avx512, 16, 2},
    {"avx2", GU__A2MR, GU__A2NR, 6 * 32, 256, 4096, gu__ukr_avx2, gu__rows_avx2, 24, gu__dot_avx2, 8, 4},
#endif
    {"portable", GU__PMR, GU__PNR, GU__PMR * 32, 256, 2048, gu__ukr_portable, gu__rows_portable, 16, NULL, 0, 1},
};
#define GU__NKERNELS ((int)(sizeof gu__kernels / sizeof gu__kernels[0]))

static int gu__kernel_runs_here(const gu__gemm_kernel *kr) {
#ifdef GU__X86_SIMD
    __builtin_cpu_init();
    if (strcmp(kr->name, "avx512") == 0) return __builtin_cpu_supports("avx512f") != 0;
    if (strcmp(kr->name, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    return strcmp(kr->name, "portable") == 0;
}

static int gu__kernel_idx = -1;   // -1: not chosen yet (chosen lazily: no constructors)

static int gu__kernel_auto(void) {
    int i;
    for (i = 0; i < GU__NKERNELS; i++)
        if (gu__kernel_runs_here(&gu__kernels[i])) return i;
    return GU__NKERNELS - 1;
}

GU__DEF int gu_gemm_set_kernel(const char *name) {
    int i;
    if (!name || strcmp(name, "auto") == 0 || name[0] == 0) { gu__kernel_idx = gu__kernel_auto(); return 0; }
    for (i = 0; i < GU__NKERNELS; i++)
        if (strcmp(name, gu__kernels[i].name) == 0) {
            if (!gu__kernel_runs_here(&gu__kernels[i])) {
                gu__seterr("gemm_set_kernel: this CPU cannot run the \"%s\" kernel", name);
                return -1;
            }
            gu__kernel_idx = i;
            return 0;
        }
    gu__seterr("gemm_set_kernel: unknown kernel \"%s\" (this build has:%s%s portable)", name,
               GU__NKERNELS > 1 ? " avx512" : "", GU__NKERNELS > 1 ? " avx2" : "");
    return -1;
}

static const gu__gemm_kernel *gu__kernel(void) {
    if (gu__kernel_idx < 0) {
        const char *env = getenv("GROUNDUP_GEMM_KERNEL");
        int i = gu__kernel_auto(), j;
        if (env && env[0])
            for (j = 0; j < GU__NKERNELS; j++)
                if (strcmp(env, gu__kernels[j].name) == 0 && gu__kernel_runs_here(&gu__kernels[j])) i = j;
        gu__kernel_idx = i;
    }
    return &gu__kernels[gu__kernel_idx];
}
GU__DEF const char *gu_gemm_kernel(void) { return gu__kernel()->name; }

// ---- threads -----------------------------------------------------------------------------
static int gu__nthreads = 0;   // 0: not decided yet

static int gu__default_threads(void) {
#ifdef GU_NO_THREADS
    return 1;
#else
    const char *env = getenv("GROUNDUP_NUM_THREADS");
    long n = env ? strtol(env, NULL, 10) : 0;
    if (n <= 0) n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n <= 0) n = 1;
    return n > 256 ? 256 : (int)n;
#endif
}
GU__DEF void gu_set_num_threads(int n) {
#ifdef GU_NO_THREADS
    (void)n;
    gu__nthreads = 1;
#else
    gu__nthreads = n > 0 ? (n > 256 ? 256 : n) : gu__default_threads();
#endif
}
GU__DEF int gu_get_num_threads(void) {
    if (gu__nthreads <= 0) gu__nthreads = gu__default_threads();
    return gu__nthreads;
}

// ---- packing -------------------------------------------------------------------------------
// A(i, p) = a[i*rsa + p*csa] for i < mc, p < kc, into micro-panels of MR rows:
// ap[(i/MR)*MR*kc + p*MR + i%MR], rows past mc zero.
static void gu__pack_a(int64_t mc, int64_t kc, const float *a, int64_t rsa, int64_t csa, int mr, float *GU__RESTRICT ap) {
    int64_t ir, p;
    int i;
    for (ir = 0; ir < mc; ir += mr, ap += (int64_t)mr * kc) {
        int h = mc - ir < mr ? (int)(mc - ir) : mr;
        const float *ai = a + ir * rsa;
        if (csa == 1) {         // rows contiguous: read each row along p
            for (i = 0; i < h; i++) {
                const float *row = ai + i * rsa;
                for (p = 0; p < kc; p++) ap[p * mr + i] = row[p];
            }
        } else if (rsa == 1 && h == mr) {   // columns contiguous: copy MR at a time
            for (p = 0; p < kc; p++)
                for (i = 0; i < mr; i++) ap[p * mr + i] = ai[p * csa + i];
        } else {
            for (p = 0; p < kc; p++)
                for (i = 0; i < h; i++) ap[p * mr + i] = ai[i * rsa + p * csa];
        }
        for (i = h; i < mr; i++)
            for (p = 0; p < kc; p++) ap[p * mr + i] = 0;
    }
}
// B(p, j) = b[p*rsb + j*csb] for p < kc, j < nc, into micro-panels of NR columns:
// bp[(j/NR)*NR*kc + p*NR + j%NR], columns past nc zero.
static void gu__pack_b(int64_t kc, int64_t nc, const float *b, int64_t rsb, int64_t csb, int nr, float *GU__RESTRICT bp) {
    int64_t jr, p;
    int j;
    for (jr = 0; jr < nc; jr += nr, bp += (int64_t)nr * kc) {
        int w = nc - jr < nr ? (int)(nc - jr) : nr;
        const float *bj = b + jr * csb;
        if (csb == 1 && w == nr) {
            for (p = 0; p < kc; p++) memcpy(bp + p * nr, bj + p * rsb, (size_t)nr * sizeof(float));
        } else if (rsb == 1) {  // B transposed: each column is contiguous along p
            for (j = 0; j < w; j++) {
                const float *col = bj + j * csb;
                for (p = 0; p < kc; p++) bp[p * nr + j] = col[p];
            }
            for (p = 0; p < kc; p++)
                for (j = w; j < nr; j++) bp[p * nr + j] = 0;
        } else {
            for (p = 0; p < kc; p++) {
                for (j = 0; j < w; j++) bp[p * nr + j] = bj[p * rsb + j * csb];
                for (j = w; j < nr; j++) bp[p * nr + j] = 0;
            }
        }
    }
}

// ---- the five loops --------------------------------------------------------------------------
// One product as the loops see it: op(A) (m, k) with strides (rsa, csa), op(B) (k, n) with
// (rsb, csb), C (m, n) with rows ldc apart and unit columns.
typedef struct gu__gemm_prob {
    int64_t m, n, k;
    float alpha, beta;
    const float *a; int64_t rsa, csa;
    const float *b; int64_t rsb, csb;
    float *c; int64_t ldc;
} gu__gemm_prob;

// C(m, n) = beta * C when there is nothing to multiply.
static void gu__scale_c(int64_t m, int64_t n, float beta, float *c, int64_t ldc) {
    int64_t i, j;
    for (i = 0; i < m; i++) {
        float *ci = c + i * ldc;
        if (beta == 0) memset(ci, 0, (size_t)n * sizeof(float));
        else if (beta != 1)
            for (j = 0; j < n; j++) ci[j] *= beta;
    }
}

static void gu__gemm_packed(const gu__gemm_kernel *kr, const gu__gemm_prob *pr, float *apbuf, float *bpbuf) {
    int64_t jc, pc, ic, jr, ir;
    int64_t m = pr->m, n = pr->n, k = pr->k;
    for (jc = 0; jc < n; jc += kr->nc) {
        int64_t nc = n - jc < kr->nc ? n - jc : kr->nc;
        for (pc = 0; pc < k; pc += kr->kc) {
            int64_t kc = k - pc < kr->kc ? k - pc : kr->kc;
            float beta = pc == 0 ? pr->beta : 1.0f;   // later k blocks accumulate
            gu__pack_b(kc, nc, pr->b + pc * pr->rsb + jc * pr->csb, pr->rsb, pr->csb, kr->nr, bpbuf);
            for (ic = 0; ic < m; ic += kr->mc) {
                int64_t mc = m - ic < kr->mc ? m - ic : kr->mc;
                gu__pack_a(mc, kc, pr->a + ic * pr->rsa + pc * pr->csa, pr->rsa, pr->csa, kr->mr, apbuf);
                for (jr = 0; jr < nc; jr += kr->nr) {
                    int nr = nc - jr < kr->nr ? (int)(nc - jr) : kr->nr;
                    const float *bp = bpbuf + jr * kc;
                    for (ir = 0; ir < mc; ir += kr->mr) {
                        int mr = mc - ir < kr->mr ? (int)(mc - ir) : kr->mr;
                        kr->ukr(kc, apbuf + ir * kc, bp, pr->c + (ic + ir) * pr->ldc + jc + jr, pr->ldc, mr, nr, pr->alpha, beta);
                    }
                }
            }
        }
    }
}

// Sizes of the pack buffers one thread needs for a sub-product of (m, n, k).
static void gu__pack_sizes(const gu__gemm_kernel *kr, int64_t m, int64_t n, int64_t k, int64_t *asz, int64_t *bsz) {
    int64_t mc = m < kr->mc ? m : kr->mc, nc = n < kr->nc ? n : kr->nc, kc = k < kr->kc ? k : kr->kc;
    *asz = (mc + kr->mr - 1) / kr->mr * kr->mr * kc;
    *bsz = (nc + kr->nr - 1) / kr->nr * kr->nr * kc;
}

enum { GU__PATH_PACKED, GU__PATH_ROWS, GU__PATH_DOT };

typedef struct gu__gemm_task {
    const gu__gemm_kernel *kr;
    gu__gemm_prob pr;          // this thread's part of C
    int path, split;           // GU__PATH_*; the rows kernel's k split
    float *ap, *bp;            // packed path: this thread's buffers. dot: the shared bt
    int64_t kp;                // dot: the J bt was packed with
} gu__gemm_task;

static void gu__gemm_task_run(gu__gemm_task *t) {
    const gu__gemm_prob *p = &t->pr;
    if (p->m == 0 || p->n == 0) return;
    if (t->path == GU__PATH_ROWS)
        t->kr->rows(p->m, p->n, p->k, p->alpha, p->a, p->rsa, p->b, p->rsb, p->beta, p->c, p->ldc, t->split);
    else if (t->path == GU__PATH_DOT)
        t->kr->dot(p->m, p->n, p->k, p->alpha, p->a, p->rsa, t->bp, t->kp, p->beta, p->c, p->ldc);
    else
        gu__gemm_packed(t->kr, p, t->ap, t->bp);
}
#define GU__GEMM_MAX_THREADS 64

#ifndef GU_NO_THREADS
static void *gu__gemm_thread(void *arg) {
    gu__gemm_task_run((gu__gemm_task *)arg);
    return NULL;
}

// The thread pool: started by the first product that wants threads (no constructors),
// stopped and joined at exit. Worker w runs tasks[w] of each new job (the caller runs
// tasks[0]). After a job, workers spin briefly (back-to-back products start at once), then
// sleep on a condition variable. One caller at a time: a second concurrent caller, or a
// forked child, starts threads of its own for that call instead.
static pthread_mutex_t gu__pool_busy = PTHREAD_MUTEX_INITIALIZER;   // held by the caller using the pool
static pthread_mutex_t gu__pool_lock = PTHREAD_MUTEX_INITIALIZER;   // guards the fields below
static pthread_cond_t gu__pool_wake = PTHREAD_COND_INITIALIZER, gu__pool_done = PTHREAD_COND_INITIALIZER;
static pthread_t gu__pool_th[GU__GEMM_MAX_THREADS];
static int gu__pool_n, gu__pool_jobs, gu__pool_pending, gu__pool_quit, gu__pool_atexit;
static unsigned long gu__pool_gen;   // bumped per job; read without the lock while spinning
static unsigned long gu__pool_gen0[GU__GEMM_MAX_THREADS];   // the generation a worker started at
static gu__gemm_task *gu__pool_tasks;
static pid_t gu__pool_pid;

static void *gu__pool_worker(void *arg) {
    int id = (int)(intptr_t)arg, spin;
    unsigned long seen;
    pthread_mutex_lock(&gu__pool_lock);
    seen = gu__pool_gen0[id];   // not gu__pool_gen: the job it was started for may be out already
    for (;;) {
        if (gu__pool_gen == seen && !gu__pool_quit) {
            pthread_mutex_unlock(&gu__pool_lock);
            for (spin = 0; spin < 4000 && __atomic_load_n(&gu__pool_gen, __ATOMIC_ACQUIRE) == seen; spin++) {
#if defined(__x86_64__) || defined(__i386__)
                __builtin_ia32_pause();
#endif
            }
            pthread_mutex_lock(&gu__pool_lock);
            while (gu__pool_gen == seen && !gu__pool_quit) pthread_cond_wait(&gu__pool_wake, &gu__pool_lock);
        }
        if (gu__pool_quit) break;
        seen = gu__pool_gen;
        if (id < gu__pool_jobs) {
            gu__gemm_task *t = &gu__pool_tasks[id];
            pthread_mutex_unlock(&gu__pool_lock);
            gu__gemm_task_run(t);
            pthread_mutex_lock(&gu__pool_lock);
            if (--gu__pool_pending == 0) pthread_cond_signal(&gu__pool_done);
        }
    }
    pthread_mutex_unlock(&gu__pool_lock);
    return NULL;
}

static void gu__pool_stop(void) {
    int i, n;
    pthread_mutex_lock(&gu__pool_lock);
    n = gu__pool_pid == getpid() ? gu__pool_n : 0;   // a forked child has no workers to join
    gu__pool_quit = 1;
    pthread_cond_broadcast(&gu__pool_wake);
    pthread_mutex_unlock(&gu__pool_lock);
    for (i = 1; i <= n; i++) pthread_join(gu__pool_th[i], NULL);
    pthread_mutex_lock(&gu__pool_lock);
    gu__pool_n = 0;
    gu__pool_quit = 0;
    pthread_mutex_unlock(&gu__pool_lock);
}

// Runs tasks[0, nt) on the pool; 0 if the pool is not available (the caller does it).
static int gu__pool_run(gu__gemm_task *tasks, int nt) {
    if (pthread_mutex_trylock(&gu__pool_busy) != 0) return 0;
    pthread_mutex_lock(&gu__pool_lock);
    if (gu__pool_pid != getpid()) { gu__pool_n = 0; gu__pool_pid = getpid(); }
    while (gu__pool_n < nt - 1) {
        gu__pool_gen0[gu__pool_n + 1] = gu__pool_gen;
        if (pthread_create(&gu__pool_th[gu__pool_n + 1], NULL, gu__pool_worker, (void *)(intptr_t)(gu__pool_n + 1)) != 0) break;
        gu__pool_n++;
        if (!gu__pool_atexit) gu__pool_atexit = atexit(gu__pool_stop) == 0;
    }
    if (gu__pool_n < nt - 1) {
        pthread_mutex_unlock(&gu__pool_lock);
        pthread_mutex_unlock(&gu__pool_busy);
        return 0;
    }
    gu__pool_tasks = tasks;
    gu__pool_jobs = nt;
    gu__pool_pending = nt - 1;
    __atomic_store_n(&gu__pool_gen, gu__pool_gen + 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&gu__pool_wake);
    pthread_mutex_unlock(&gu__pool_lock);
    gu__gemm_task_run(&tasks[0]);
    pthread_mutex_lock(&gu__pool_lock);
    while (gu__pool_pending > 0) pthread_cond_wait(&gu__pool_done, &gu__pool_lock);
    gu__pool_jobs = 0;
    pthread_mutex_unlock(&gu__pool_lock);
    pthread_mutex_unlock(&gu__pool_busy);
    return 1;
}
#endif

// The fast product on checked arguments. Returns 0, or -1 (out of memory).
static int gu__sgemm_core(const char *op, gu__gemm_prob pr) {
    const gu__gemm_kernel *kr = gu__kernel();
    gu__gemm_task tasks[GU__GEMM_MAX_THREADS];
    void *raw = NULL, *rawb = NULL;
    float *buf = NULL, *bpacked = NULL;
    int64_t work, asz = 0, bsz = 0, per, nparts_m, nparts_n, i;
    int64_t dot_kp = 0;
    int nt = gu_get_num_threads(), t, path, split_m;
    if (pr.m == 0 || pr.n == 0) return 0;
    if (pr.k == 0 || pr.alpha == 0) { gu__scale_c(pr.m, pr.n, pr.beta, pr.c, pr.ldc); return 0; }
#ifdef GROUNDUP_CBLAS
    {   // a system BLAS takes the product when the strides are ones it can express
        int ta = pr.csa != 1, tb = pr.csb != 1;
        int64_t lda = ta ? pr.csa : pr.rsa, ldb = tb ? pr.csb : pr.rsb, lim = INT32_MAX;
        int oka = ta ? pr.rsa == 1 && lda >= pr.m : lda >= pr.k;
        int okb = tb ? pr.rsb == 1 && ldb >= pr.k : ldb >= pr.n;
        if (oka && okb && lda >= 1 && ldb >= 1 && pr.ldc >= pr.n && pr.m <= lim && pr.n <= lim && pr.k <= lim &&
            lda <= lim && ldb <= lim && pr.ldc <= lim) {
            cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                        (int)pr.m, (int)pr.n, (int)pr.k, pr.alpha, pr.a, (int)lda, pr.b, (int)ldb, pr.beta, pr.c, (int)pr.ldc);
            return 0;
        }
    }
#endif
    // Small n with A's rows contiguous: stream A once, without packing it. n <= 16 and
    // enough rows to pay for transposing B: dot products along k. Otherwise, while B is
    // small enough to stay in cache: the rows kernel on B in place (copied to (k, n) rows
    // when its columns are not contiguous).
    path = GU__PATH_PACKED;
    if (pr.csa == 1 || pr.k == 1) {
        if (kr->dot && pr.n <= 16 && pr.m >= 32 && pr.k <= 16384) path = GU__PATH_DOT;
        else if (pr.n <= kr->rows_max_n && pr.k * pr.n <= 64 * 1024) path = GU__PATH_ROWS;
    }
    if (path == GU__PATH_DOT) {
        // bt, chunk-major: for each chunk of V rows of B, the J (n padded) columns one after
        // another, V values each: bt[(c*J + j)*V + l] = B(c*V + l, j), zero past k and n.
        // The kernel then reads bt front to back, one stream.
        int64_t V = kr->dot_vec, J = (pr.n + kr->dot_jpad - 1) / kr->dot_jpad * kr->dot_jpad;
        int64_t nch = (pr.k + V - 1) / V, j;
        bpacked = gu__alloc_aligned(nch * J * V, &rawb);
        if (!bpacked) { gu__seterr("%s: out of memory packing B (%" PRId64 ", %" PRId64 ")", op, pr.k, pr.n); return -1; }
        memset(bpacked, 0, (size_t)(nch * J * V) * sizeof(float));
        for (i = 0; i < pr.k; i++)
            for (j = 0; j < pr.n; j++) bpacked[((i / V) * J + j) * V + i % V] = pr.b[i * pr.rsb + j * pr.csb];
        dot_kp = J;
    } else if (path == GU__PATH_ROWS && pr.csb != 1) {
        bpacked = gu__alloc_aligned(pr.k * pr.n, &rawb);
        if (!bpacked) { gu__seterr("%s: out of memory packing B (%" PRId64 ", %" PRId64 ")", op, pr.k, pr.n); return -1; }
        for (i = 0; i < pr.k; i++) {
            int64_t j;
            for (j = 0; j < pr.n; j++) bpacked[i * pr.n + j] = pr.b[i * pr.rsb + j * pr.csb];
        }
        pr.b = bpacked;
        pr.rsb = pr.n;
        pr.csb = 1;
    }
    // Threads only when each has enough work to pay for starting it (~20 us each).
    if (!gu__mul_ok(pr.m, pr.n, &work) || !gu__mul_ok(work, pr.k, &work)) work = INT64_MAX;
    if (nt > GU__GEMM_MAX_THREADS) nt = GU__GEMM_MAX_THREADS;
    if (work < (int64_t)1 << 21) nt = 1;
    // Split the longer side of C in whole tiles (rows kernel: rows only).
    nparts_m = (pr.m + kr->mr - 1) / kr->mr;
    nparts_n = (pr.n + kr->nr - 1) / kr->nr;
    split_m = path != GU__PATH_PACKED || nparts_m * kr->mr >= nparts_n * kr->nr;
    if (split_m ? nparts_m < nt : nparts_n < nt) nt = (int)(split_m ? nparts_m : nparts_n);
    if (nt < 1) nt = 1;
    per = ((split_m ? nparts_m : nparts_n) + nt - 1) / nt;
    for (t = 0; t < nt; t++) {
        gu__gemm_task *tk = &tasks[t];
        int64_t lo = t * per, hi = (t + 1) * per;
        tk->kr = kr;
        tk->pr = pr;
        tk->path = path;
        tk->split = pr.m < 8 ? 4 : 1;   // from the whole product: the same for every part
        tk->ap = NULL;
        tk->bp = path == GU__PATH_DOT ? bpacked : NULL;
        tk->kp = dot_kp;
        if (split_m) {
            lo *= kr->mr; hi *= kr->mr;
            if (hi > pr.m) hi = pr.m;
            if (lo > hi) lo = hi;
            tk->pr.m = hi - lo;
            tk->pr.a = pr.a + lo * pr.rsa;
            tk->pr.c = pr.c + lo * pr.ldc;
        } else {
            lo *= kr->nr; hi *= kr->nr;
            if (hi > pr.n) hi = pr.n;
            if (lo > hi) lo = hi;
            tk->pr.n = hi - lo;
            tk->pr.b = pr.b + lo * pr.csb;
            tk->pr.c = pr.c + lo;
        }
    }
    if (path == GU__PATH_PACKED) {
        int64_t a1, b1, total = 0;
        gu__pack_sizes(kr, tasks[0].pr.m, tasks[0].pr.n, pr.k, &asz, &bsz);
        a1 = (asz + 15) / 16 * 16;   // keep every buffer 64-byte aligned
        b1 = (bsz + 15) / 16 * 16;
        if (!gu__mul_ok(a1 + b1, nt, &total) || !(buf = gu__alloc_aligned(total, &raw))) {
            gu__seterr("%s: out of memory for the packing buffers (m %" PRId64 ", n %" PRId64 ", k %" PRId64 ")", op, pr.m, pr.n, pr.k);
            if (rawb) GU_FREE(rawb);
            return -1;
        }
        for (t = 0; t < nt; t++) {
            tasks[t].ap = buf + t * (a1 + b1);
            tasks[t].bp = tasks[t].ap + a1;
        }
    }
    if (nt == 1) gu__gemm_task_run(&tasks[0]);
#ifndef GU_NO_THREADS
    else if (!gu__pool_run(tasks, nt)) {   // pool busy: threads for this call only
        pthread_t th[GU__GEMM_MAX_THREADS];
        int started[GU__GEMM_MAX_THREADS];
        for (t = 1; t < nt; t++) started[t] = pthread_create(&th[t], NULL, gu__gemm_thread, &tasks[t]) == 0;
        gu__gemm_task_run(&tasks[0]);
        for (t = 1; t < nt; t++) {
            if (started[t]) pthread_join(th[t], NULL);
            else gu__gemm_task_run(&tasks[t]);   // could not start one: do its part here
        }
    }
#else
    else
        for (t = 0; t < nt; t++) gu__gemm_task_run(&tasks[t]);
#endif
    if (raw) GU_FREE(raw);
    if (rawb) GU_FREE(rawb);
    return 0;
}

GU__DEF int gu_sgemm(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
                     const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                     float *c, int64_t ldc) {
    gu__gemm_prob pr;
    int na = transa == 'N' || transa == 'n', nb = transb == 'N' || transb == 'n';
    if (!gu__sgemm_check("sgemm", transa, transb, m, n, k, a, lda, b, ldb, c, ldc)) return -1;
    pr.m = m; pr.n = n; pr.k = k;
    pr.alpha = alpha; pr.beta = beta;
    pr.a = a; pr.rsa = na ? lda : 1; pr.csa = na ? 1 : lda;
    pr.b = b; pr.rsb = nb ? ldb : 1; pr.csb = nb ? 1 : ldb;
    pr.c = c; pr.ldc = ldc;
    return gu__sgemm_core("sgemm", pr);
}

// ---- matmul on tensors -------------------------------------------------------------------------
// torch.matmul's shape rules. Fills: the operands as (batch..., m, k) and (batch..., k, n)
// views expanded to the common batch shape, the result's shape, and the (batch..., m, n)
// shape the result is viewed as while computing.
typedef struct gu__mm_plan {
    gu_tensor a, b;            // nd-D, batch dims expanded (stride 0 where broadcast)
    int nd;                    // batch dims + 2
    int64_t full[GU_MAX_DIMS]; // (batch..., m, n)
    int out_ndim;
    int64_t out_shape[GU_MAX_DIMS];
    int a_vec, b_vec;          // 1-D operand promoted
} gu__mm_plan;

static int gu__mm_plan_make(const char *op, gu_tensor a, gu_tensor b, gu__mm_plan *pl) {
    gu_tensor a2 = a, b2 = b;
    int na, nb, nd, i;
    int64_t m, n, k, k2, shape[GU_MAX_DIMS];
    if (!gu__check_in(op, a) || !gu__check_in(op, b)) return 0;
    if (a.dtype != GU_FLOAT32 || b.dtype != GU_FLOAT32) {
        gu__seterr("%s: %s @ %s: expected float32 operands, got %s and %s", op, GU__SHT(a), GU__SHT(b), gu_dtype_name(a.dtype), gu_dtype_name(b.dtype));
        return 0;
    }
    if (a.ndim == 0 || b.ndim == 0) {
        gu__seterr("%s: %s @ %s: both arguments need at least 1 dim", op, GU__SHT(a), GU__SHT(b));
        return 0;
    }
    pl->a_vec = a.ndim == 1;
    pl->b_vec = b.ndim == 1;
    if (pl->a_vec) a2 = gu_unsqueeze(a, 0);     // (k,) -> (1, k)
    if (pl->b_vec) b2 = gu_unsqueeze(b, 1);     // (k,) -> (k, 1)
    m = a2.shape[a2.ndim - 2]; k = a2.shape[a2.ndim - 1];
    k2 = b2.shape[b2.ndim - 2]; n = b2.shape[b2.ndim - 1];
    if (k != k2) {
        gu__seterr("%s: %s @ %s: inner dims %" PRId64 " and %" PRId64 " differ", op, GU__SHT(a), GU__SHT(b), k, k2);
        return 0;
    }
    na = a2.ndim - 2; nb = b2.ndim - 2;
    nd = (na > nb ? na : nb) + 2;
    for (i = 0; i < nd - 2; i++) {   // broadcast the batch dims, aligned on the right
        int ia = i - (nd - 2 - na), ib = i - (nd - 2 - nb);
        int64_t sa = ia >= 0 ? a2.shape[ia] : 1, sb = ib >= 0 ? b2.shape[ib] : 1;
        if (sa != sb && sa != 1 && sb != 1) {
            gu__seterr("%s: %s @ %s: batch dims %s and %s cannot be broadcast", op, GU__SHT(a), GU__SHT(b), gu__sh(na, a2.shape), gu__sh(nb, b2.shape));
            return 0;
        }
        shape[i] = sa == 1 ? sb : sa;
    }
    shape[nd - 2] = m; shape[nd - 1] = k;
    pl->a = gu_expand(a2, nd, shape);
    shape[nd - 2] = k; shape[nd - 1] = n;
    pl->b = gu_expand(b2, nd, shape);
    if (!gu_ok(pl->a) || !gu_ok(pl->b)) return 0;
    pl->nd = nd;
    for (i = 0; i < nd - 2; i++) pl->full[i] = shape[i];
    pl->full[nd - 2] = m; pl->full[nd - 1] = n;
    pl->out_ndim = 0;
    for (i = 0; i < nd - 2; i++) pl->out_shape[pl->out_ndim++] = shape[i];
    if (!pl->a_vec) pl->out_shape[pl->out_ndim++] = m;
    if (!pl->b_vec) pl->out_shape[pl->out_ndim++] = n;
    {
        int64_t cnt;
        if (!gu__check_shape(op, pl->out_ndim, pl->out_shape, &cnt)) return 0;
    }
    return 1;
}

// Can dims [0, nd) of (shape, stride) be walked as one dim of stride *st? (size-1 dims skip)
static int gu__collapse(int nd, const int64_t *shape, const int64_t *stride, int64_t *st) {
    int64_t inner = 1, span = 1;   // the innermost stride, and the elements it has covered
    int i, have = 0;
    for (i = nd - 1; i >= 0; i--) {
        if (shape[i] == 1) continue;
        if (!have) { inner = stride[i]; have = 1; }
        else if (stride[i] != inner * span) return 0;
        span *= shape[i];
    }
    *st = inner;
    return 1;
}

// out (nd-D view, (batch..., m, n), unit column stride unless n == 1) = a @ b.
static int gu__mm_run(const char *op, const gu__mm_plan *pl, gu_tensor out) {
    int nd = pl->nd, nbd = nd - 2, d;
    int64_t m = pl->full[nd - 2], n = pl->full[nd - 1], k = pl->a.shape[nd - 1], nbatch = 1, bi;
    int64_t idx[GU_MAX_DIMS] = {0};
    gu__gemm_prob pr;
    const float *abase = (const float *)pl->a.base + pl->a.offset, *bbase = (const float *)pl->b.base + pl->b.offset;
    float *cbase = (float *)out.base + out.offset;
    int b_batched = 0;
    for (d = 0; d < nbd; d++) {
        nbatch *= pl->full[d];
        if (pl->b.stride[d] != 0 && pl->full[d] != 1) b_batched = 1;
    }
    pr.k = k; pr.alpha = 1; pr.beta = 0;
    pr.rsa = pl->a.stride[nd - 2]; pr.csa = pl->a.stride[nd - 1];
    pr.rsb = pl->b.stride[nd - 2]; pr.csb = pl->b.stride[nd - 1];
    pr.ldc = out.stride[nd - 2];
    if (m == 1) pr.ldc = n;   // one row: the row distance is never used
    if (nbatch == 0 || m == 0 || n == 0) return 0;
    // One B for every batch, and A's and C's (batch..., m) dims walkable as one: a single
    // product of (batch*m, k) @ (k, n), as torch folds it.
    if (nbatch > 1 && !b_batched) {
        int64_t sa, sc;
        if (gu__collapse(nd - 1, pl->a.shape, pl->a.stride, &sa) && gu__collapse(nd - 1, out.shape, out.stride, &sc)) {
            pr.m = nbatch * m; pr.n = n;
            pr.a = abase; pr.rsa = sa;
            pr.b = bbase;
            pr.c = cbase; pr.ldc = sc;
            return gu__sgemm_core(op, pr);
        }
    }
    pr.m = m; pr.n = n;
    for (bi = 0; bi < nbatch; bi++) {
        int64_t oa = 0, ob = 0, oc = 0;
        for (d = 0; d < nbd; d++) {
            oa += idx[d] * pl->a.stride[d];
            ob += idx[d] * pl->b.stride[d];
            oc += idx[d] * out.stride[d];
        }
        pr.a = abase + oa; pr.b = bbase + ob; pr.c = cbase + oc;
        if (gu__sgemm_core(op, pr) != 0) return -1;
        for (d = nbd - 1; d >= 0; d--) {   // odometer over the batch dims
            if (++idx[d] < pl->full[d]) break;
            idx[d] = 0;
        }
    }
    return 0;
}

GU__DEF gu_tensor gu_matmul(gu_tensor a, gu_tensor b) {
    gu__mm_plan pl;
    gu_tensor out, full;
    if (!gu__mm_plan_make("matmul", a, b, &pl)) return gu__invalid();
    out = gu__empty("matmul", GU_FLOAT32, pl.out_ndim, pl.out_shape);
    if (!gu_ok(out)) return out;
    full = gu_view(out, pl.nd, pl.full);   // contiguous: always a view
    if (gu__mm_run("matmul", &pl, full) != 0) { gu_free(&out); return gu__invalid(); }
    return out;
}

// The elements' address range [lo, hi] of t, in floats from its base pointer.
static void gu__span(gu_tensor t, const float **lo, const float **hi) {
    int64_t l = t.offset, h = t.offset;
    int i;
    for (i = 0; i < t.ndim; i++) {
        int64_t e = (t.shape[i] - 1) * t.stride[i];
        if (e < 0) l += e; else h += e;
    }
    *lo = (const float *)t.base + l;
    *hi = (const float *)t.base + h;
}

GU__DEF int gu_matmul_out(gu_tensor out, gu_tensor a, gu_tensor b) {
    gu__mm_plan pl;
    gu_tensor full;
    int i, nd;
    if (!gu__mm_plan_make("matmul_out", a, b, &pl)) return -1;
    if (!gu__check_in("matmul_out", out)) return -1;
    if (out.dtype != GU_FLOAT32 || out.ndim != pl.out_ndim) {
        gu__seterr("matmul_out: %s @ %s gives %s float32, but out is %s %s", GU__SHT(a), GU__SHT(b),
                   gu__sh(pl.out_ndim, pl.out_shape), GU__SHT(out), gu_dtype_name(out.dtype));
        return -1;
    }
    for (i = 0; i < out.ndim; i++)
        if (out.shape[i] != pl.out_shape[i]) {
            gu__seterr("matmul_out: %s @ %s gives %s, but out is %s", GU__SHT(a), GU__SHT(b), gu__sh(pl.out_ndim, pl.out_shape), GU__SHT(out));
            return -1;
        }
    if (gu_numel(out) == 0) return 0;
    {
        const float *ol, *oh, *l, *h;
        gu__span(out, &ol, &oh);
        gu__span(pl.a, &l, &h);
        if (gu_numel(pl.a) && !(oh < l || h < ol)) { gu__seterr("matmul_out: out overlaps the left operand %s", GU__SHT(a)); return -1; }
        gu__span(pl.b, &l, &h);
        if (gu_numel(pl.b) && !(oh < l || h < ol)) { gu__seterr("matmul_out: out overlaps the right operand %s", GU__SHT(b)); return -1; }
    }
    // out as (batch..., m, n): put back the dims a 1-D operand removed.
    full = out;
    nd = pl.nd;
    if (pl.a_vec) full = gu_unsqueeze(full, nd - 2);
    if (pl.b_vec) full = gu_unsqueeze(full, full.ndim);
    if (!gu_ok(full)) return -1;
    if (full.stride[nd - 1] != 1 && pl.full[nd - 1] > 1) {
        // C's columns are not contiguous: compute into a fresh tensor, then copy.
        gu_tensor tmp = gu_matmul(a, b);
        int rc;
        if (!gu_ok(tmp)) return -1;
        rc = gu_copy_(out, tmp);
        gu_free(&tmp);
        return rc;
    }
    return gu__mm_run("matmul_out", &pl, full);
}
#endif
// @@end
