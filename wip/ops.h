// @@decls
#ifndef GU_PART_OPS_DECLS
#define GU_PART_OPS_DECLS
#ifdef __cplusplus
extern "C" {
#endif
// >>ops: elementwise arithmetic, broadcasting, comparisons, reductions ---------------------
//
// The lesson's middle part: `a + b`, `(a < b).float().mean()`, `(m*m).sum().sqrt()`,
// `m + c`, `c[None,:] * c[:,None]`, `test_close(a, b)`.
//
// Broadcasting (NumPy's rule). Shapes are compared from the trailing dim backwards; two
// dims are compatible when they are equal or one of them is 1; a missing leading dim
// counts as 1. The smaller operand is never copied: it becomes a stride-0 view
// (gu_expand) and the loops read it in place. Otherwise:
//    "add: shapes (3, 3) and (2,) do not broadcast (dim -1: 3 vs 2)".
//
// Forms of every binary op X (add sub mul div pow maximum minimum gt lt ge le eq ne
// logical_and logical_or):
//    gu_X(a, b)            a new contiguous owner of the broadcast shape
//    gu_X_out(out, a, b)   writes into out (0 or -1): out must have exactly the broadcast
//                          shape, no stride-0 dims, and a dtype the result can be cast to
//                          (PyTorch's rule: not float into an integer, not a number into
//                          bool). out may be a or b itself, but must not partly overlap them.
//    gu_X_(a, b)           in place, a = a X b, b broadcast to a (add sub mul div pow)
//    gu_X_scalar(a, s)     a X s with s a FLOAT scalar (a Python float)
//    gu_X_iscalar(a, s)    a X s with s an INTEGER scalar (a Python int)
//    gu_rX_scalar(s, a), gu_rX_iscalar(s, a)   s X a, where the order matters
//                          (sub div pow gt lt ge le)
//    gu_X_scalar_(a, s), gu_X_iscalar_(a, s)   in place (add sub mul div)
//
// Type promotion is PyTorch's for our four dtypes, ordered bool < uint8 < int64 < float32:
//   - two tensors: the higher of the two (uint8 + int64 -> int64, int64 + float32 ->
//     float32; int64 compared with float32 compares as float32);
//   - a 0-d tensor counts only when it is of a higher category (bool < integer < float)
//     than the tensors with dims: int64 0-d + uint8 (3,) -> uint8, float32 0-d + int64 ->
//     float32;
//   - a scalar likewise: a float scalar makes an integer tensor float32 (`int_t * 0.5`), an
//     integer scalar keeps the tensor's dtype (uint8 + 300 wraps, as PyTorch) and turns a
//     bool tensor into int64;
//   - div is true division: integers are divided as float32 (int64 / int64 -> float32);
//     sqrt, exp and log of integers or bools give float32;
//   - comparisons and logical ops give bool; sum and prod of bool/uint8/int64 give int64.
// Integer arithmetic wraps around (two's complement), as PyTorch's does.
// Unsupported, as in PyTorch (an error, never a silent cast): sub with a bool operand,
// neg/abs of bool, pow of bool by bool, an integer to a negative integer scalar power,
// mean/norm of non-float tensors (convert with gu_to first, as the lesson's `.float()`),
// argmin/argmax of bool, min/max/argmin/argmax over zero elements.
// Float NaN: maximum/minimum/min/max propagate it; argmin/argmax point at the first NaN.
GUDEF gu_tensor gu_add(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_sub(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_mul(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_div(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_pow(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_maximum(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_minimum(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_gt(gu_tensor a, gu_tensor b);            // a > b, bool
GUDEF gu_tensor gu_lt(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_ge(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_le(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_eq(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_ne(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_logical_and(gu_tensor a, gu_tensor b);   // nonzero-ness, bool
GUDEF gu_tensor gu_logical_or(gu_tensor a, gu_tensor b);

GUDEF int gu_add_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_sub_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_mul_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_div_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_pow_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_maximum_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_minimum_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_gt_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_lt_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_ge_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_le_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_eq_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_ne_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_logical_and_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_logical_or_out(gu_tensor out, gu_tensor a, gu_tensor b);

GUDEF int gu_add_(gu_tensor a, gu_tensor b);   // a += b
GUDEF int gu_sub_(gu_tensor a, gu_tensor b);
GUDEF int gu_mul_(gu_tensor a, gu_tensor b);
GUDEF int gu_div_(gu_tensor a, gu_tensor b);
GUDEF int gu_pow_(gu_tensor a, gu_tensor b);

// With a float scalar (s as a Python float) and with an integer scalar (a Python int).
GUDEF gu_tensor gu_add_scalar(gu_tensor a, double s);      GUDEF gu_tensor gu_add_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_sub_scalar(gu_tensor a, double s);      GUDEF gu_tensor gu_sub_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_mul_scalar(gu_tensor a, double s);      GUDEF gu_tensor gu_mul_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_div_scalar(gu_tensor a, double s);      GUDEF gu_tensor gu_div_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_pow_scalar(gu_tensor a, double s);      GUDEF gu_tensor gu_pow_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_maximum_scalar(gu_tensor a, double s);  GUDEF gu_tensor gu_maximum_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_minimum_scalar(gu_tensor a, double s);  GUDEF gu_tensor gu_minimum_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_gt_scalar(gu_tensor a, double s);       GUDEF gu_tensor gu_gt_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_lt_scalar(gu_tensor a, double s);       GUDEF gu_tensor gu_lt_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_ge_scalar(gu_tensor a, double s);       GUDEF gu_tensor gu_ge_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_le_scalar(gu_tensor a, double s);       GUDEF gu_tensor gu_le_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_eq_scalar(gu_tensor a, double s);       GUDEF gu_tensor gu_eq_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_ne_scalar(gu_tensor a, double s);       GUDEF gu_tensor gu_ne_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_logical_and_scalar(gu_tensor a, double s);  GUDEF gu_tensor gu_logical_and_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_logical_or_scalar(gu_tensor a, double s);   GUDEF gu_tensor gu_logical_or_iscalar(gu_tensor a, int64_t s);
// s X a, where the order matters
GUDEF gu_tensor gu_rsub_scalar(double s, gu_tensor a);     GUDEF gu_tensor gu_rsub_iscalar(int64_t s, gu_tensor a);
GUDEF gu_tensor gu_rdiv_scalar(double s, gu_tensor a);     GUDEF gu_tensor gu_rdiv_iscalar(int64_t s, gu_tensor a);
GUDEF gu_tensor gu_rpow_scalar(double s, gu_tensor a);     GUDEF gu_tensor gu_rpow_iscalar(int64_t s, gu_tensor a);
GUDEF gu_tensor gu_rgt_scalar(double s, gu_tensor a);      GUDEF gu_tensor gu_rgt_iscalar(int64_t s, gu_tensor a);
GUDEF gu_tensor gu_rlt_scalar(double s, gu_tensor a);      GUDEF gu_tensor gu_rlt_iscalar(int64_t s, gu_tensor a);
GUDEF gu_tensor gu_rge_scalar(double s, gu_tensor a);      GUDEF gu_tensor gu_rge_iscalar(int64_t s, gu_tensor a);
GUDEF gu_tensor gu_rle_scalar(double s, gu_tensor a);      GUDEF gu_tensor gu_rle_iscalar(int64_t s, gu_tensor a);
// in place with a scalar: a += s, ...
GUDEF int gu_add_scalar_(gu_tensor a, double s);           GUDEF int gu_add_iscalar_(gu_tensor a, int64_t s);
GUDEF int gu_sub_scalar_(gu_tensor a, double s);           GUDEF int gu_sub_iscalar_(gu_tensor a, int64_t s);
GUDEF int gu_mul_scalar_(gu_tensor a, double s);           GUDEF int gu_mul_iscalar_(gu_tensor a, int64_t s);
GUDEF int gu_div_scalar_(gu_tensor a, double s);           GUDEF int gu_div_iscalar_(gu_tensor a, int64_t s);

// Unary ops (+ _out forms). sqrt/exp/log of integers and bools give float32.
GUDEF gu_tensor gu_neg(gu_tensor a);
GUDEF gu_tensor gu_abs(gu_tensor a);
GUDEF gu_tensor gu_sqrt(gu_tensor a);
GUDEF gu_tensor gu_exp(gu_tensor a);
GUDEF gu_tensor gu_log(gu_tensor a);
GUDEF gu_tensor gu_logical_not(gu_tensor a);
GUDEF int gu_neg_out(gu_tensor out, gu_tensor a);
GUDEF int gu_abs_out(gu_tensor out, gu_tensor a);
GUDEF int gu_sqrt_out(gu_tensor out, gu_tensor a);
GUDEF int gu_exp_out(gu_tensor out, gu_tensor a);
GUDEF int gu_log_out(gu_tensor out, gu_tensor a);
GUDEF int gu_logical_not_out(gu_tensor out, gu_tensor a);

// where(cond, a, b): a where cond is true, else b; cond must be bool; all three broadcast.
GUDEF gu_tensor gu_where(gu_tensor cond, gu_tensor a, gu_tensor b);
GUDEF int gu_where_out(gu_tensor out, gu_tensor cond, gu_tensor a, gu_tensor b);

// Reductions: over all elements (a 0-d result) or over one dim (keepdim keeps it as size 1).
// sum/prod: float32 -> float32, bool/uint8/int64 -> int64. mean: float32 only.
// min/max: the input's dtype. argmin/argmax: int64 (flat index for the all-elements form,
// the first one on ties). Float32 sums, means and norms accumulate in float64 (32
// accumulators, so they stay at memory speed): the sum of MNIST's 39.2M pixels agrees with
// a float64 sum to float32 rounding (6e-8 relative; the issue asks 1e-6). prod also
// multiplies in float64. The _out forms need a contiguous out of exactly the result shape
// and dtype.
GUDEF gu_tensor gu_sum(gu_tensor t);
GUDEF gu_tensor gu_sum_dim(gu_tensor t, int dim, int keepdim);
GUDEF int gu_sum_dim_out(gu_tensor out, gu_tensor t, int dim, int keepdim);
GUDEF gu_tensor gu_mean(gu_tensor t);
GUDEF gu_tensor gu_mean_dim(gu_tensor t, int dim, int keepdim);
GUDEF int gu_mean_dim_out(gu_tensor out, gu_tensor t, int dim, int keepdim);
GUDEF gu_tensor gu_prod(gu_tensor t);
GUDEF gu_tensor gu_prod_dim(gu_tensor t, int dim, int keepdim);
GUDEF int gu_prod_dim_out(gu_tensor out, gu_tensor t, int dim, int keepdim);
GUDEF gu_tensor gu_min(gu_tensor t);
GUDEF gu_tensor gu_min_dim(gu_tensor t, int dim, int keepdim);
GUDEF int gu_min_dim_out(gu_tensor out, gu_tensor t, int dim, int keepdim);
GUDEF gu_tensor gu_max(gu_tensor t);
GUDEF gu_tensor gu_max_dim(gu_tensor t, int dim, int keepdim);
GUDEF int gu_max_dim_out(gu_tensor out, gu_tensor t, int dim, int keepdim);
GUDEF gu_tensor gu_argmin(gu_tensor t);
GUDEF gu_tensor gu_argmin_dim(gu_tensor t, int dim, int keepdim);
GUDEF int gu_argmin_dim_out(gu_tensor out, gu_tensor t, int dim, int keepdim);
GUDEF gu_tensor gu_argmax(gu_tensor t);
GUDEF gu_tensor gu_argmax_dim(gu_tensor t, int dim, int keepdim);
GUDEF int gu_argmax_dim_out(gu_tensor out, gu_tensor t, int dim, int keepdim);
GUDEF gu_tensor gu_norm(gu_tensor t);   // Frobenius: sqrt of the sum of squares, float32 0-d

// fastcore's test_close: 1 when every |a - b| < eps (a and b broadcast; fastcore's default
// eps is 1e-5), else 0 and gu_error() names the worst element, its index and both values:
//   "test_close: 2 of 6 elements differ by eps=1e-05 or more (shapes (2, 3) and (2, 3));
//    worst at [1, 1]: 5 vs 5.0999999 (|diff| 0.1)". NaN is never close.
GUDEF int gu_test_close(gu_tensor a, gu_tensor b, double eps);
// NumPy/PyTorch allclose: every |a - b| <= atol + rtol * |b| (equal infinities are close).
GUDEF int gu_allclose(gu_tensor a, gu_tensor b, double rtol, double atol);
#ifdef __cplusplus
}
#endif
#endif
// @@impl
#if defined(GROUNDUP_IMPLEMENTATION) && !defined(GU_PART_OPS_IMPL)
#define GU_PART_OPS_IMPL
// >>ops ------------------------------------------------------------------------------------
// How an elementwise op runs:
//  1. promotion picks the compute dtype `ct` (gu__result_type) and the result dtype `rt`
//     (bool for comparisons, else ct);
//  2. the operands are expanded to the broadcast shape (stride-0 views, no copy);
//  3. gu__nloop drops size-1 dims and merges dims that are contiguous in every operand,
//     so a contiguous (50000, 784) + (50000, 784) add is a single row of 39.2M elements;
//  4. each row goes to a kernel: a plain loop over the row that the compiler vectorises.
//     Operands already of dtype ct with stride 1 or 0 are read in place; others
//     (other dtypes, transposed or reversed views) are converted into small stack
//     buffers first, GU__OPS_BLK elements at a time. Results of another dtype or stride go
//     through a buffer the same way.
// The reference (gu__elementwise_ref) takes every element on its own: a multi-index by
// division, offsets from the strides, the same kernel called with n = 1. The tests check
// that both agree bit for bit.

#define GU__OPS_BLK 512

// Conversions as PyTorch casts. Only "upward" conversions (bool -> uint8 -> int64 ->
// float32) and int64 -> uint8 (wrapping) occur in the ops; float -> integer is defined here
// as in the core (NaN -> INT64_MIN, saturating) so that nothing is undefined.
static int64_t gu__f2i64(float v) {
    if (v != v) return INT64_MIN;
    if (v >= 9223372036854775807.0f) return INT64_MAX;
    if (v <= -9223372036854775808.0f) return INT64_MIN;
    return (int64_t)v;
}
// Converts n elements from src (stride ss, dtype from) to dst (stride ds, dtype to).
static void gu__cvt(gu_dtype to, void *dst, int64_t ds, gu_dtype from, const void *src, int64_t ss, int64_t n) {
    int64_t i;
#define GU__CVT(TO, FROM, EXPR) { const FROM *s_ = (const FROM *)src; TO *d_ = (TO *)dst; \
        for (i = 0; i < n; i++) { FROM v = s_[i * ss]; d_[i * ds] = (TO)(EXPR); } return; }
    switch (to) {
    case GU_FLOAT32:
        switch (from) {
        case GU_FLOAT32: GU__CVT(float, float, v)
        case GU_INT64: GU__CVT(float, int64_t, v)
        case GU_UINT8: case GU_BOOL: GU__CVT(float, uint8_t, v)
        default: return;
        }
    case GU_INT64:
        switch (from) {
        case GU_FLOAT32: GU__CVT(int64_t, float, gu__f2i64(v))
        case GU_INT64: GU__CVT(int64_t, int64_t, v)
        case GU_UINT8: case GU_BOOL: GU__CVT(int64_t, uint8_t, v)
        default: return;
        }
    case GU_UINT8:
        switch (from) {
        case GU_FLOAT32: GU__CVT(uint8_t, float, (v != v || v >= 9.2e18f || v <= -9.2e18f) ? 0 : (uint8_t)gu__f2i64(v))
        case GU_INT64: GU__CVT(uint8_t, int64_t, (uint8_t)v)
        case GU_UINT8: case GU_BOOL: GU__CVT(uint8_t, uint8_t, v)
        default: return;
        }
    case GU_BOOL:
        switch (from) {
        case GU_FLOAT32: GU__CVT(uint8_t, float, v != 0)
        case GU_INT64: GU__CVT(uint8_t, int64_t, v != 0)
        case GU_UINT8: case GU_BOOL: GU__CVT(uint8_t, uint8_t, v != 0)
        default: return;
        }
    default: return;
    }
#undef GU__CVT
}

// ---- promotion ----
static int gu__dtype_rank(gu_dtype d) { return d == GU_BOOL ? 0 : d == GU_UINT8 ? 1 : d == GU_INT64 ? 2 : d == GU_FLOAT32 ? 3 : -1; }
static gu_dtype gu__promote2(gu_dtype a, gu_dtype b) {
    if (a == GU_INVALID) return b;
    if (b == GU_INVALID) return a;
    return gu__dtype_rank(a) >= gu__dtype_rank(b) ? a : b;
}
// PyTorch's combine_categories: the lower-priority result counts only when it is of a
// higher category than the higher-priority one.
static gu_dtype gu__combine(gu_dtype higher, gu_dtype lower) {
    if (higher == GU_INVALID) return lower;
    if (lower == GU_INVALID) return higher;
    if (higher == GU_FLOAT32) return higher;
    if (higher == GU_BOOL || lower == GU_FLOAT32) return gu__promote2(higher, lower);
    return higher;
}
// Operand priority: tensors with dims, then 0-d tensors, then scalars (wrapped numbers).
#define GU__P_SCALAR 0
#define GU__P_ZERODIM 1
#define GU__P_DIM 2
static int gu__prio(gu_tensor t) { return t.ndim > 0 ? GU__P_DIM : GU__P_ZERODIM; }
static gu_dtype gu__result_type(int n, const gu_tensor *t, const int *prio) {
    gu_dtype r[3] = {GU_INVALID, GU_INVALID, GU_INVALID};
    int i;
    for (i = 0; i < n; i++) r[prio[i]] = gu__promote2(r[prio[i]], t[i].dtype);
    return gu__combine(r[GU__P_DIM], gu__combine(r[GU__P_ZERODIM], r[GU__P_SCALAR]));
}
// PyTorch's canCast: no float into an integer, no non-bool into bool.
static int gu__can_cast(gu_dtype from, gu_dtype to) {
    if (from == GU_FLOAT32 && to != GU_FLOAT32) return 0;
    if (to == GU_BOOL && from != GU_BOOL) return 0;
    return 1;
}

// ---- broadcasting ----
// The broadcast shape of a and b; 0 and "op: shapes (3, 3) and (2,) do not broadcast
// (dim -1: 3 vs 2)" when there is none. Dims are named from the end, as the rule reads.
static int gu__bcast(const char *op, int na, const int64_t *sa, int nb, const int64_t *sb, int *nd, int64_t *shape) {
    int n = na > nb ? na : nb, i;
    for (i = 1; i <= n; i++) {
        int64_t da = i <= na ? sa[na - i] : 1, db = i <= nb ? sb[nb - i] : 1;
        if (da == db || db == 1) shape[n - i] = da;
        else if (da == 1) shape[n - i] = db;
        else {
            gu__seterr("%s: shapes %s and %s do not broadcast (dim %d: %" PRId64 " vs %" PRId64 ")", op,
                       gu__sh(na, sa), gu__sh(nb, sb), -i, da, db);
            return 0;
        }
    }
    *nd = n;
    return 1;
}

// ---- the loop over rows ----
// Up to 4 operands of one shape (after expansion): op 0 is the output. gu__nloop_init drops
// size-1 dims and merges neighbours that are contiguous with each other in every operand.
#define GU__NOPS 4
typedef struct gu__nloop {
    int ndim, nop;
    int64_t shape[GU_MAX_DIMS];
    int64_t stride[GU__NOPS][GU_MAX_DIMS];  // elements
    char *ptr[GU__NOPS];                    // element [0, .., 0]
    size_t es[GU__NOPS];
} gu__nloop;
static void gu__nloop_init(gu__nloop *L, int nop, const gu_tensor *t) {
    int i, k, n = 0;
    L->nop = nop;
    for (k = 0; k < nop; k++) {
        L->es[k] = gu_dtype_size(t[k].dtype);
        L->ptr[k] = t[k].base ? (char *)t[k].base + t[k].offset * (int64_t)L->es[k] : NULL;  // NULL: gu_wrap'd, empty
    }
    for (i = 0; i < t[0].ndim; i++) {
        int merge = n > 0;
        if (t[0].shape[i] == 1) continue;
        for (k = 0; k < nop && merge; k++)
            if (L->stride[k][n - 1] != t[k].stride[i] * t[k].shape[i]) merge = 0;
        if (merge) {
            L->shape[n - 1] *= t[0].shape[i];
            for (k = 0; k < nop; k++) L->stride[k][n - 1] = t[k].stride[i];
        } else {
            L->shape[n] = t[0].shape[i];
            for (k = 0; k < nop; k++) L->stride[k][n] = t[k].stride[i];
            n++;
        }
    }
    if (n == 0) {  // a single element
        L->shape[0] = 1;
        for (k = 0; k < nop; k++) L->stride[k][0] = 0;
        n = 1;
    }
    L->ndim = n;
}
// Calls row(ctx, n, p, s) for every row (the last dim) in row-major order: p are the
// row's first elements, s the row strides in elements. An odometer, no division.
typedef void (*gu__row_fn)(void *ctx, int64_t n, char **p, const int64_t *s);
static void gu__nloop_run(gu__nloop *L, gu__row_fn row, void *ctx) {
    int64_t idx[GU_MAX_DIMS] = {0}, s[GU__NOPS];
    char *p[GU__NOPS];
    int k, d, last = L->ndim - 1;
    for (d = 0; d < L->ndim; d++)
        if (L->shape[d] == 0) return;
    for (k = 0; k < L->nop; k++) { p[k] = L->ptr[k]; s[k] = L->stride[k][last]; }
    for (;;) {
        row(ctx, L->shape[last], p, s);
        for (d = last - 1; d >= 0; d--) {
            if (++idx[d] < L->shape[d]) {
                for (k = 0; k < L->nop; k++) p[k] += L->stride[k][d] * (int64_t)L->es[k];
                break;
            }
            for (k = 0; k < L->nop; k++) p[k] -= L->stride[k][d] * (L->shape[d] - 1) * (int64_t)L->es[k];
            idx[d] = 0;
        }
        if (d < 0) return;
    }
}

// ---- kernels ----
// A binary kernel: o[i] = a[i*sa] OP b[i*sb] with sa, sb each 0 (broadcast) or 1. The
// expression is the one definition of the op. The loops go in blocks of GU__VB: each block
// is loaded into locals, computed, then stored, a shape that gcc vectorises even at -O2
// (no alias versioning needed: o may be a itself, for the in-place forms) and clang too.
#define GU__VB 16
typedef void (*gu__bin_kernel)(int64_t n, const void *pa, int sa, const void *pb, int sb, void *po);
#define GU__BK(NAME, T, R, EXPR) \
static void NAME(int64_t n, const void *pa, int sa, const void *pb, int sb, void *po) { \
    const T *a = (const T *)pa; const T *b = (const T *)pb; R *o = (R *)po; int64_t i = 0; int j; \
    T xa[GU__VB], xb[GU__VB], x, y; R r[GU__VB]; \
    if (n <= 0) return; \
    x = a[0]; y = b[0]; \
    if (sa && sb) { \
        for (; i + GU__VB <= n; i += GU__VB) { \
            for (j = 0; j < GU__VB; j++) { xa[j] = a[i + j]; xb[j] = b[i + j]; } \
            for (j = 0; j < GU__VB; j++) { x = xa[j]; y = xb[j]; r[j] = (R)(EXPR); } \
            for (j = 0; j < GU__VB; j++) o[i + j] = r[j]; } \
        for (; i < n; i++) { x = a[i]; y = b[i]; o[i] = (R)(EXPR); } \
    } else if (sb) { \
        for (; i + GU__VB <= n; i += GU__VB) { \
            for (j = 0; j < GU__VB; j++) xb[j] = b[i + j]; \
            for (j = 0; j < GU__VB; j++) { y = xb[j]; r[j] = (R)(EXPR); } \
            for (j = 0; j < GU__VB; j++) o[i + j] = r[j]; } \
        for (; i < n; i++) { y = b[i]; o[i] = (R)(EXPR); } \
    } else if (sa) { \
        for (; i + GU__VB <= n; i += GU__VB) { \
            for (j = 0; j < GU__VB; j++) xa[j] = a[i + j]; \
            for (j = 0; j < GU__VB; j++) { x = xa[j]; r[j] = (R)(EXPR); } \
            for (j = 0; j < GU__VB; j++) o[i + j] = r[j]; } \
        for (; i < n; i++) { x = a[i]; o[i] = (R)(EXPR); } \
    } else { \
        R v = (R)(EXPR); \
        for (; i < n; i++) o[i] = v; \
    } \
}
// Integer power by squaring, wrapping as PyTorch's; negative exponents as PyTorch's powi.
static int64_t gu__ipow(int64_t base, int64_t e) {
    uint64_t r = 1, x = (uint64_t)base;
    if (e < 0) return base == 1 ? 1 : base == -1 ? ((e & 1) ? -1 : 1) : 0;
    while (e) {
        if (e & 1) r *= x;
        x *= x;
        e >>= 1;
    }
    return (int64_t)r;
}
// NaN-propagating maximum/minimum (torch.maximum), and the integer ones.
#define GU__FMAX(x, y) ((x) != (x) ? (x) : (y) != (y) ? (y) : (x) > (y) ? (x) : (y))
#define GU__FMIN(x, y) ((x) != (x) ? (x) : (y) != (y) ? (y) : (x) < (y) ? (x) : (y))
// Wrapping int64 arithmetic through uint64 (signed overflow is undefined in C).
#define GU__WRAP(x, OP, y) ((int64_t)((uint64_t)(x) OP (uint64_t)(y)))

GU__BK(gu__k_add_f32, float, float, x + y)
GU__BK(gu__k_add_i64, int64_t, int64_t, GU__WRAP(x, +, y))
GU__BK(gu__k_add_u8, uint8_t, uint8_t, x + y)
GU__BK(gu__k_add_b, uint8_t, uint8_t, x | y)
GU__BK(gu__k_sub_f32, float, float, x - y)
GU__BK(gu__k_sub_i64, int64_t, int64_t, GU__WRAP(x, -, y))
GU__BK(gu__k_sub_u8, uint8_t, uint8_t, x - y)
GU__BK(gu__k_mul_f32, float, float, x * y)
GU__BK(gu__k_mul_i64, int64_t, int64_t, GU__WRAP(x, *, y))
GU__BK(gu__k_mul_u8, uint8_t, uint8_t, x * y)
GU__BK(gu__k_mul_b, uint8_t, uint8_t, x & y)
GU__BK(gu__k_div_f32, float, float, x / y)
GU__BK(gu__k_pow_f32, float, float, powf(x, y))
GU__BK(gu__k_pow_i64, int64_t, int64_t, gu__ipow(x, y))
GU__BK(gu__k_pow_u8, uint8_t, uint8_t, gu__ipow(x, y))
GU__BK(gu__k_max_f32, float, float, GU__FMAX(x, y))
GU__BK(gu__k_max_i64, int64_t, int64_t, x > y ? x : y)
GU__BK(gu__k_max_u8, uint8_t, uint8_t, x > y ? x : y)
GU__BK(gu__k_min_f32, float, float, GU__FMIN(x, y))
GU__BK(gu__k_min_i64, int64_t, int64_t, x < y ? x : y)
GU__BK(gu__k_min_u8, uint8_t, uint8_t, x < y ? x : y)
#define GU__CMP_KERNELS(OPN, OP) \
    GU__BK(gu__k_##OPN##_f32, float, uint8_t, x OP y) \
    GU__BK(gu__k_##OPN##_i64, int64_t, uint8_t, x OP y) \
    GU__BK(gu__k_##OPN##_u8, uint8_t, uint8_t, x OP y)
GU__CMP_KERNELS(gt, >)
GU__CMP_KERNELS(lt, <)
GU__CMP_KERNELS(ge, >=)
GU__CMP_KERNELS(le, <=)
GU__CMP_KERNELS(eq, ==)
GU__CMP_KERNELS(ne, !=)
#undef GU__CMP_KERNELS
#define GU__LOGIC_KERNELS(OPN, OP) \
    GU__BK(gu__k_##OPN##_f32, float, uint8_t, (x != 0) OP (y != 0)) \
    GU__BK(gu__k_##OPN##_i64, int64_t, uint8_t, (x != 0) OP (y != 0)) \
    GU__BK(gu__k_##OPN##_u8, uint8_t, uint8_t, (x != 0) OP (y != 0))
GU__LOGIC_KERNELS(land, &)
GU__LOGIC_KERNELS(lor, |)
#undef GU__LOGIC_KERNELS

typedef enum gu__binop {
    GU__ADD, GU__SUB, GU__MUL, GU__DIV, GU__POW, GU__MAXIMUM, GU__MINIMUM,
    GU__GT, GU__LT, GU__GE, GU__LE, GU__EQ, GU__NE, GU__LAND, GU__LOR, GU__NBINOPS
} gu__binop;
static const char *const gu__binop_names[GU__NBINOPS] = {
    "add", "sub", "mul", "div", "pow", "maximum", "minimum",
    "gt", "lt", "ge", "le", "eq", "ne", "logical_and", "logical_or"};
static int gu__binop_is_bool(gu__binop op) { return op >= GU__GT; }

// The kernel for op computed in dtype ct; NULL where PyTorch has none. Comparisons of
// bools use the uint8 kernels (bools are bytes 0 and 1).
static gu__bin_kernel gu__bin_kernel_for(gu__binop op, gu_dtype ct) {
    int f = ct == GU_FLOAT32, l = ct == GU_INT64, u = ct == GU_UINT8, b = ct == GU_BOOL;
#define GU__PICK(KF, KL, KU, KB) return f ? KF : l ? KL : u ? KU : b ? KB : (gu__bin_kernel)0
    switch (op) {
    case GU__ADD: GU__PICK(gu__k_add_f32, gu__k_add_i64, gu__k_add_u8, gu__k_add_b);
    case GU__SUB: GU__PICK(gu__k_sub_f32, gu__k_sub_i64, gu__k_sub_u8, (gu__bin_kernel)0);
    case GU__MUL: GU__PICK(gu__k_mul_f32, gu__k_mul_i64, gu__k_mul_u8, gu__k_mul_b);
    case GU__DIV: GU__PICK(gu__k_div_f32, (gu__bin_kernel)0, (gu__bin_kernel)0, (gu__bin_kernel)0);
    case GU__POW: GU__PICK(gu__k_pow_f32, gu__k_pow_i64, gu__k_pow_u8, (gu__bin_kernel)0);
    case GU__MAXIMUM: GU__PICK(gu__k_max_f32, gu__k_max_i64, gu__k_max_u8, gu__k_max_u8);
    case GU__MINIMUM: GU__PICK(gu__k_min_f32, gu__k_min_i64, gu__k_min_u8, gu__k_min_u8);
    case GU__GT: GU__PICK(gu__k_gt_f32, gu__k_gt_i64, gu__k_gt_u8, gu__k_gt_u8);
    case GU__LT: GU__PICK(gu__k_lt_f32, gu__k_lt_i64, gu__k_lt_u8, gu__k_lt_u8);
    case GU__GE: GU__PICK(gu__k_ge_f32, gu__k_ge_i64, gu__k_ge_u8, gu__k_ge_u8);
    case GU__LE: GU__PICK(gu__k_le_f32, gu__k_le_i64, gu__k_le_u8, gu__k_le_u8);
    case GU__EQ: GU__PICK(gu__k_eq_f32, gu__k_eq_i64, gu__k_eq_u8, gu__k_eq_u8);
    case GU__NE: GU__PICK(gu__k_ne_f32, gu__k_ne_i64, gu__k_ne_u8, gu__k_ne_u8);
    case GU__LAND: GU__PICK(gu__k_land_f32, gu__k_land_i64, gu__k_land_u8, gu__k_land_u8);
    case GU__LOR: GU__PICK(gu__k_lor_f32, gu__k_lor_i64, gu__k_lor_u8, gu__k_lor_u8);
    default: return (gu__bin_kernel)0;
    }
}

// Unary kernels: o[i] = f(a[i*sa]), sa 0 or 1, in blocks as the binary ones.
typedef void (*gu__un_kernel)(int64_t n, const void *pa, int sa, void *po);
#define GU__UK(NAME, T, R, EXPR) \
static void NAME(int64_t n, const void *pa, int sa, void *po) { \
    const T *a = (const T *)pa; R *o = (R *)po; int64_t i = 0; int j; \
    T xa[GU__VB], x; R r[GU__VB]; \
    if (n <= 0) return; \
    if (sa) { \
        for (; i + GU__VB <= n; i += GU__VB) { \
            for (j = 0; j < GU__VB; j++) xa[j] = a[i + j]; \
            for (j = 0; j < GU__VB; j++) { x = xa[j]; r[j] = (R)(EXPR); } \
            for (j = 0; j < GU__VB; j++) o[i + j] = r[j]; } \
        for (; i < n; i++) { x = a[i]; o[i] = (R)(EXPR); } \
    } else { \
        R v; \
        x = a[0]; \
        v = (R)(EXPR); \
        for (; i < n; i++) o[i] = v; \
    } \
}
GU__UK(gu__k_neg_f32, float, float, -x)
GU__UK(gu__k_neg_i64, int64_t, int64_t, GU__WRAP(0, -, x))
GU__UK(gu__k_neg_u8, uint8_t, uint8_t, 0 - x)
GU__UK(gu__k_abs_f32, float, float, fabsf(x))
GU__UK(gu__k_abs_i64, int64_t, int64_t, x < 0 ? GU__WRAP(0, -, x) : x)
GU__UK(gu__k_abs_u8, uint8_t, uint8_t, x)
GU__UK(gu__k_sqrt_f32, float, float, sqrtf(x))
GU__UK(gu__k_exp_f32, float, float, expf(x))
GU__UK(gu__k_log_f32, float, float, logf(x))
GU__UK(gu__k_not_f32, float, uint8_t, x == 0)
GU__UK(gu__k_not_i64, int64_t, uint8_t, x == 0)
GU__UK(gu__k_not_u8, uint8_t, uint8_t, x == 0)

typedef enum gu__unop { GU__NEG, GU__ABS, GU__SQRT, GU__EXP, GU__LOG, GU__LNOT, GU__NUNOPS } gu__unop;
static const char *const gu__unop_names[GU__NUNOPS] = {"neg", "abs", "sqrt", "exp", "log", "logical_not"};
static gu__un_kernel gu__un_kernel_for(gu__unop op, gu_dtype ct) {
    int f = ct == GU_FLOAT32, l = ct == GU_INT64, u = ct == GU_UINT8, b = ct == GU_BOOL;
#define GU__UPICK(KF, KL, KU, KB) return f ? KF : l ? KL : u ? KU : b ? KB : (gu__un_kernel)0
    switch (op) {
    case GU__NEG: GU__UPICK(gu__k_neg_f32, gu__k_neg_i64, gu__k_neg_u8, (gu__un_kernel)0);
    case GU__ABS: GU__UPICK(gu__k_abs_f32, gu__k_abs_i64, gu__k_abs_u8, (gu__un_kernel)0);
    case GU__SQRT: GU__UPICK(gu__k_sqrt_f32, (gu__un_kernel)0, (gu__un_kernel)0, (gu__un_kernel)0);
    case GU__EXP: GU__UPICK(gu__k_exp_f32, (gu__un_kernel)0, (gu__un_kernel)0, (gu__un_kernel)0);
    case GU__LOG: GU__UPICK(gu__k_log_f32, (gu__un_kernel)0, (gu__un_kernel)0, (gu__un_kernel)0);
    case GU__LNOT: GU__UPICK(gu__k_not_f32, gu__k_not_i64, gu__k_not_u8, gu__k_not_u8);
    default: return (gu__un_kernel)0;
    }
#undef GU__UPICK
}

// where: o[i] = c[i*sc] ? a[i*sa] : b[i*sb], by element size (the values are only moved).
typedef void (*gu__where_kernel)(int64_t n, const uint8_t *c, int sc, const void *pa, int sa, const void *pb, int sb, void *po);
#define GU__WK(NAME, T) \
static void NAME(int64_t n, const uint8_t *c, int sc, const void *pa, int sa, const void *pb, int sb, void *po) { \
    const T *a = (const T *)pa; const T *b = (const T *)pb; T *o = (T *)po; int64_t i; \
    if (sc && sa && sb) { for (i = 0; i < n; i++) o[i] = c[i] ? a[i] : b[i]; } \
    else { for (i = 0; i < n; i++) o[i] = c[i * sc] ? a[i * sa] : b[i * sb]; } \
}
GU__WK(gu__k_where1, uint8_t)
GU__WK(gu__k_where4, uint32_t)
GU__WK(gu__k_where8, uint64_t)

// ---- one kernel call per row ----
// What a row needs: the kernel, the dtype each input must have for it (cin), the dtype it
// writes (rt), and each operand's real dtype (dt[0] the output's).
typedef struct gu__ectx {
    int nin;  // 1 (unary), 2 (binary) or 3 (where)
    gu__bin_kernel bk;
    gu__un_kernel uk;
    gu__where_kernel wk;
    gu_dtype cin[3], rt, dt[GU__NOPS];
} gu__ectx;

static void gu__ectx_call(const gu__ectx *c, int64_t n, const void *const *in, const int *s, void *o) {
    if (c->nin == 1) c->uk(n, in[0], s[0], o);
    else if (c->nin == 2) c->bk(n, in[0], s[0], in[1], s[1], o);
    else c->wk(n, (const uint8_t *)in[0], s[0], in[1], s[1], in[2], s[2], o);
}

static void gu__elementwise_row(void *vctx, int64_t n, char **p, const int64_t *s) {
    const gu__ectx *c = (const gu__ectx *)vctx;
    double buf[GU__NOPS][GU__OPS_BLK];  // 8-byte elements at most; 16 KiB on the stack
    const void *in[3];
    int sin[3], direct[3], k, direct_out;
    int64_t i0;
    for (k = 0; k < c->nin; k++)
        direct[k] = c->dt[k + 1] == c->cin[k] && (s[k + 1] == 0 || s[k + 1] == 1);
    direct_out = c->dt[0] == c->rt && s[0] == 1;
    if (direct_out && (c->nin < 1 || direct[0]) && (c->nin < 2 || direct[1]) && (c->nin < 3 || direct[2])) {
        for (k = 0; k < c->nin; k++) { in[k] = p[k + 1]; sin[k] = (int)s[k + 1]; }
        gu__ectx_call(c, n, in, sin, p[0]);
        return;
    }
    for (i0 = 0; i0 < n; i0 += GU__OPS_BLK) {
        int64_t m = n - i0 < GU__OPS_BLK ? n - i0 : GU__OPS_BLK;
        void *o;
        for (k = 0; k < c->nin; k++) {
            const char *src = p[k + 1] + i0 * s[k + 1] * (int64_t)gu_dtype_size(c->dt[k + 1]);
            if (direct[k]) { in[k] = src; sin[k] = (int)s[k + 1]; }
            else if (s[k + 1] == 0) {  // a broadcast value: convert it once
                gu__cvt(c->cin[k], buf[k + 1], 1, c->dt[k + 1], src, 0, 1);
                in[k] = buf[k + 1];
                sin[k] = 0;
            } else {
                gu__cvt(c->cin[k], buf[k + 1], 1, c->dt[k + 1], src, s[k + 1], m);
                in[k] = buf[k + 1];
                sin[k] = 1;
            }
        }
        o = direct_out ? (void *)(p[0] + i0 * (int64_t)gu_dtype_size(c->dt[0])) : (void *)buf[0];
        gu__ectx_call(c, m, in, sin, o);
        if (!direct_out)
            gu__cvt(c->dt[0], p[0] + i0 * s[0] * (int64_t)gu_dtype_size(c->dt[0]), s[0], c->rt, buf[0], 1, m);
    }
}

// The naive reference: every element on its own, its multi-index by division.
static void gu__elementwise_ref(const gu__ectx *c, int nop, const gu_tensor *t) {
    int64_t n = gu_numel(t[0]), i, idx[GU_MAX_DIMS];
    int k, d;
    for (i = 0; i < n; i++) {
        double vin[3], vout;
        const void *in[3];
        int s[3] = {1, 1, 1};
        int64_t rem = i;
        for (d = t[0].ndim - 1; d >= 0; d--) { idx[d] = rem % t[0].shape[d]; rem /= t[0].shape[d]; }
        for (k = 1; k < nop; k++) {
            int64_t off = t[k].offset;
            for (d = 0; d < t[k].ndim; d++) off += idx[d] * t[k].stride[d];
            gu__cvt(c->cin[k - 1], &vin[k - 1], 1, t[k].dtype, (const char *)t[k].base + off * (int64_t)gu_dtype_size(t[k].dtype), 0, 1);
            in[k - 1] = &vin[k - 1];
        }
        gu__ectx_call(c, 1, in, s, &vout);
        {
            int64_t off = t[0].offset;
            for (d = 0; d < t[0].ndim; d++) off += idx[d] * t[0].stride[d];
            gu__cvt(t[0].dtype, (char *)t[0].base + off * (int64_t)gu_dtype_size(t[0].dtype), 0, c->rt, &vout, 0, 1);
        }
    }
}

// Set by the tests to route every elementwise op through the reference.
static int gu__ops_use_ref GU__UNUSED;

// Runs an elementwise op whose operands t[1..nop-1] are already broadcast views of
// out's shape t[0]. No allocation; out was checked by the caller.
static void gu__elementwise_run(const gu__ectx *c, int nop, const gu_tensor *t) {
    gu__nloop L;
    gu__ectx cc = *c;
    int k;
    for (k = 0; k < nop; k++) cc.dt[k] = t[k].dtype;
    if (gu__ops_use_ref) { gu__elementwise_ref(&cc, nop, t); return; }
    gu__nloop_init(&L, nop, t);
    gu__nloop_run(&L, gu__elementwise_row, &cc);
}

// Checks an output: exactly the result shape, no stride-0 dims, a dtype rt casts to.
static int gu__check_out(const char *op, gu_tensor out, int nd, const int64_t *shape, gu_dtype rt) {
    int i;
    if (!gu__check_in(op, out)) return 0;
    if (out.ndim != nd || memcmp(out.shape, shape, (size_t)nd * sizeof shape[0]) != 0) {
        gu__seterr("%s: out has shape %s, the result has shape %s", op, GU__SHT(out), gu__sh(nd, shape));
        return 0;
    }
    if (!gu__can_cast(rt, out.dtype)) {
        gu__seterr("%s: result type %s can't be cast to the out dtype %s", op, gu_dtype_name(rt), gu_dtype_name(out.dtype));
        return 0;
    }
    for (i = 0; i < nd; i++)
        if (out.shape[i] > 1 && out.stride[i] == 0) {
            gu__seterr("%s: out of shape %s has stride 0 in dim %d (a broadcast view cannot be written)", op, GU__SHT(out), i);
            return 0;
        }
    return 1;
}

// ---- binary ops ----
// Sets up op(a, b) with priorities pa, pb: the kernel, the dtypes, the broadcast shape.
static int gu__binary_prep(gu__binop op, gu_tensor a, int pa, gu_tensor b, int pb, gu__ectx *c, int *nd, int64_t *shape) {
    const char *name = gu__binop_names[op];
    gu_tensor t[2];
    int prio[2];
    gu_dtype ct;
    if (!gu__check_in(name, a) || !gu__check_in(name, b)) return 0;
    t[0] = a; t[1] = b; prio[0] = pa; prio[1] = pb;
    ct = gu__result_type(2, t, prio);
    if (op == GU__SUB && (a.dtype == GU_BOOL || b.dtype == GU_BOOL)) {
        gu__seterr("sub: subtraction with a bool tensor is not supported (shapes %s and %s); use logical_xor or logical_not", GU__SHT(a), GU__SHT(b));
        return 0;
    }
    if (op == GU__DIV) ct = GU_FLOAT32;  // true division, as Python's `/`
    memset(c, 0, sizeof *c);
    c->nin = 2;
    c->bk = gu__bin_kernel_for(op, ct);
    if (!c->bk) {
        gu__seterr("%s: not supported for dtype %s (%s %s and %s %s)", name, gu_dtype_name(ct),
                   gu_dtype_name(a.dtype), GU__SHT(a), gu_dtype_name(b.dtype), GU__SHT(b));
        return 0;
    }
    c->cin[0] = c->cin[1] = ct;
    c->rt = gu__binop_is_bool(op) ? GU_BOOL : ct;
    return gu__bcast(name, a.ndim, a.shape, b.ndim, b.shape, nd, shape);
}

static int gu__binary_into(gu__binop op, gu_tensor out, gu_tensor a, int pa, gu_tensor b, int pb, const char *name) {
    gu__ectx c;
    int nd, inplace = name[strlen(name) - 1] == '_';
    int64_t shape[GU_MAX_DIMS];
    gu_tensor t[3];
    if (!gu__binary_prep(op, a, pa, b, pb, &c, &nd, shape)) return -1;
    if (inplace && (out.ndim != nd || memcmp(out.shape, shape, (size_t)nd * sizeof shape[0]) != 0)) {
        gu__seterr("%s: the result of shape %s does not fit in a of shape %s (in-place ops cannot grow a)", name, gu__sh(nd, shape), GU__SHT(a));
        return -1;
    }
    if (inplace && !gu__can_cast(c.rt, out.dtype)) {
        gu__seterr("%s: result type %s can't be cast to a's dtype %s", name, gu_dtype_name(c.rt), gu_dtype_name(out.dtype));
        return -1;
    }
    if (!gu__check_out(name, out, nd, shape, c.rt)) return -1;
    t[0] = out;
    t[1] = gu_expand(a, nd, shape);
    t[2] = gu_expand(b, nd, shape);
    gu__elementwise_run(&c, 3, t);
    return 0;
}

static gu_tensor gu__binary(gu__binop op, gu_tensor a, int pa, gu_tensor b, int pb) {
    gu__ectx c;
    int nd;
    int64_t shape[GU_MAX_DIMS];
    gu_tensor t[3];
    if (!gu__binary_prep(op, a, pa, b, pb, &c, &nd, shape)) return gu__invalid();
    t[0] = gu__empty(gu__binop_names[op], c.rt, nd, shape);
    if (!gu_ok(t[0])) return t[0];
    t[1] = gu_expand(a, nd, shape);
    t[2] = gu_expand(b, nd, shape);
    gu__elementwise_run(&c, 3, t);
    return t[0];
}

// A scalar as a 0-d tensor over a local variable (no allocation).
static gu_tensor gu__wrap_scalar(gu_dtype dt, void *p) {
    gu_tensor t = gu__invalid();
    t.dtype = dt;
    t.base = p;
    t.storage_numel = 1;
    return t;
}
static gu_tensor gu__binary_scalar(gu__binop op, gu_tensor a, double s, int reverse) {
    float f = (float)s;  // a Python float meets float32 tensors as float32 (default dtype)
    gu_tensor st = gu__wrap_scalar(GU_FLOAT32, &f);
    if (!gu__check_in(gu__binop_names[op], a)) return gu__invalid();
    return reverse ? gu__binary(op, st, GU__P_SCALAR, a, gu__prio(a)) : gu__binary(op, a, gu__prio(a), st, GU__P_SCALAR);
}
static gu_tensor gu__binary_iscalar(gu__binop op, gu_tensor a, int64_t s, int reverse) {
    gu_tensor st = gu__wrap_scalar(GU_INT64, &s);
    if (!gu__check_in(gu__binop_names[op], a)) return gu__invalid();
    if (op == GU__POW && !reverse && s < 0 && a.dtype != GU_FLOAT32) {
        gu__seterr("pow: integers to negative integer powers are not allowed (%s %s ** %" PRId64 ")", gu_dtype_name(a.dtype), GU__SHT(a), s);
        return gu__invalid();
    }
    return reverse ? gu__binary(op, st, GU__P_SCALAR, a, gu__prio(a)) : gu__binary(op, a, gu__prio(a), st, GU__P_SCALAR);
}
static int gu__binary_scalar_(gu__binop op, gu_tensor a, double s, const char *name) {
    float f = (float)s;
    return gu__binary_into(op, a, a, gu__prio(a), gu__wrap_scalar(GU_FLOAT32, &f), GU__P_SCALAR, name);
}
static int gu__binary_iscalar_(gu__binop op, gu_tensor a, int64_t s, const char *name) {
    return gu__binary_into(op, a, a, gu__prio(a), gu__wrap_scalar(GU_INT64, &s), GU__P_SCALAR, name);
}

#define GU__BINARY_DEFS(X, OP) \
    GU__DEF gu_tensor gu_##X(gu_tensor a, gu_tensor b) { return gu__binary(OP, a, gu__prio(a), b, gu__prio(b)); } \
    GU__DEF int gu_##X##_out(gu_tensor out, gu_tensor a, gu_tensor b) { return gu__binary_into(OP, out, a, gu__prio(a), b, gu__prio(b), #X "_out"); } \
    GU__DEF gu_tensor gu_##X##_scalar(gu_tensor a, double s) { return gu__binary_scalar(OP, a, s, 0); } \
    GU__DEF gu_tensor gu_##X##_iscalar(gu_tensor a, int64_t s) { return gu__binary_iscalar(OP, a, s, 0); }
#define GU__INPLACE_DEFS(X, OP) \
    GU__DEF int gu_##X##_(gu_tensor a, gu_tensor b) { \
        if (!gu__check_in(#X "_", a)) return -1; \
        return gu__binary_into(OP, a, a, gu__prio(a), b, gu__prio(b), #X "_"); }
#define GU__INPLACE_SCALAR_DEFS(X, OP) \
    GU__DEF int gu_##X##_scalar_(gu_tensor a, double s) { return gu__binary_scalar_(OP, a, s, #X "_scalar_"); } \
    GU__DEF int gu_##X##_iscalar_(gu_tensor a, int64_t s) { return gu__binary_iscalar_(OP, a, s, #X "_iscalar_"); }
#define GU__REVERSE_DEFS(X, OP) \
    GU__DEF gu_tensor gu_r##X##_scalar(double s, gu_tensor a) { return gu__binary_scalar(OP, a, s, 1); } \
    GU__DEF gu_tensor gu_r##X##_iscalar(int64_t s, gu_tensor a) { return gu__binary_iscalar(OP, a, s, 1); }

GU__BINARY_DEFS(add, GU__ADD)
GU__BINARY_DEFS(sub, GU__SUB)
GU__BINARY_DEFS(mul, GU__MUL)
GU__BINARY_DEFS(div, GU__DIV)
GU__BINARY_DEFS(pow, GU__POW)
GU__BINARY_DEFS(maximum, GU__MAXIMUM)
GU__BINARY_DEFS(minimum, GU__MINIMUM)
GU__BINARY_DEFS(gt, GU__GT)
GU__BINARY_DEFS(lt, GU__LT)
GU__BINARY_DEFS(ge, GU__GE)
GU__BINARY_DEFS(le, GU__LE)
GU__BINARY_DEFS(eq, GU__EQ)
GU__BINARY_DEFS(ne, GU__NE)
GU__BINARY_DEFS(logical_and, GU__LAND)
GU__BINARY_DEFS(logical_or, GU__LOR)
GU__INPLACE_DEFS(add, GU__ADD)
GU__INPLACE_DEFS(sub, GU__SUB)
GU__INPLACE_DEFS(mul, GU__MUL)
GU__INPLACE_DEFS(div, GU__DIV)
GU__INPLACE_DEFS(pow, GU__POW)
GU__INPLACE_SCALAR_DEFS(add, GU__ADD)
GU__INPLACE_SCALAR_DEFS(sub, GU__SUB)
GU__INPLACE_SCALAR_DEFS(mul, GU__MUL)
GU__INPLACE_SCALAR_DEFS(div, GU__DIV)
GU__REVERSE_DEFS(sub, GU__SUB)
GU__REVERSE_DEFS(div, GU__DIV)
GU__REVERSE_DEFS(pow, GU__POW)
GU__REVERSE_DEFS(gt, GU__GT)
GU__REVERSE_DEFS(lt, GU__LT)
GU__REVERSE_DEFS(ge, GU__GE)
GU__REVERSE_DEFS(le, GU__LE)

// ---- unary ops ----
static int gu__unary_prep(gu__unop op, gu_tensor a, gu__ectx *c) {
    const char *name = gu__unop_names[op];
    gu_dtype ct;
    if (!gu__check_in(name, a)) return 0;
    ct = a.dtype;
    if (op == GU__SQRT || op == GU__EXP || op == GU__LOG) ct = GU_FLOAT32;  // integers -> float32
    memset(c, 0, sizeof *c);
    c->nin = 1;
    c->uk = gu__un_kernel_for(op, ct);
    if (!c->uk) {
        gu__seterr("%s: not supported for dtype %s (shape %s)%s", name, gu_dtype_name(a.dtype), GU__SHT(a),
                   op == GU__NEG ? "; to invert a mask use logical_not" : "");
        return 0;
    }
    c->cin[0] = ct;
    c->rt = op == GU__LNOT ? GU_BOOL : ct;
    return 1;
}
static gu_tensor gu__unary(gu__unop op, gu_tensor a) {
    gu__ectx c;
    gu_tensor t[2];
    if (!gu__unary_prep(op, a, &c)) return gu__invalid();
    t[0] = gu__empty(gu__unop_names[op], c.rt, a.ndim, a.shape);
    if (!gu_ok(t[0])) return t[0];
    t[1] = a;
    gu__elementwise_run(&c, 2, t);
    return t[0];
}
static int gu__unary_into(gu__unop op, gu_tensor out, gu_tensor a, const char *name) {
    gu__ectx c;
    gu_tensor t[2];
    if (!gu__unary_prep(op, a, &c)) return -1;
    if (!gu__check_out(name, out, a.ndim, a.shape, c.rt)) return -1;
    t[0] = out;
    t[1] = a;
    gu__elementwise_run(&c, 2, t);
    return 0;
}
#define GU__UNARY_DEFS(X, OP) \
    GU__DEF gu_tensor gu_##X(gu_tensor a) { return gu__unary(OP, a); } \
    GU__DEF int gu_##X##_out(gu_tensor out, gu_tensor a) { return gu__unary_into(OP, out, a, #X "_out"); }
GU__UNARY_DEFS(neg, GU__NEG)
GU__UNARY_DEFS(abs, GU__ABS)
GU__UNARY_DEFS(sqrt, GU__SQRT)
GU__UNARY_DEFS(exp, GU__EXP)
GU__UNARY_DEFS(log, GU__LOG)
GU__UNARY_DEFS(logical_not, GU__LNOT)

// ---- where ----
static int gu__where_prep(const char *name, gu_tensor cond, gu_tensor a, gu_tensor b, gu__ectx *c, int *nd, int64_t *shape) {
    gu_tensor t[2];
    int prio[2], n1;
    int64_t s1[GU_MAX_DIMS];
    gu_dtype ct;
    size_t es;
    if (!gu__check_in(name, cond) || !gu__check_in(name, a) || !gu__check_in(name, b)) return 0;
    if (cond.dtype != GU_BOOL) {
        gu__seterr("%s: the condition must be a bool tensor, got %s %s", name, gu_dtype_name(cond.dtype), GU__SHT(cond));
        return 0;
    }
    t[0] = a; t[1] = b; prio[0] = gu__prio(a); prio[1] = gu__prio(b);
    ct = gu__result_type(2, t, prio);
    es = gu_dtype_size(ct);
    memset(c, 0, sizeof *c);
    c->nin = 3;
    c->wk = es == 1 ? gu__k_where1 : es == 4 ? gu__k_where4 : gu__k_where8;
    c->cin[0] = GU_BOOL;
    c->cin[1] = c->cin[2] = ct;
    c->rt = ct;
    if (!gu__bcast(name, cond.ndim, cond.shape, a.ndim, a.shape, &n1, s1)) return 0;
    return gu__bcast(name, n1, s1, b.ndim, b.shape, nd, shape);
}
GU__DEF gu_tensor gu_where(gu_tensor cond, gu_tensor a, gu_tensor b) {
    gu__ectx c;
    int nd;
    int64_t shape[GU_MAX_DIMS];
    gu_tensor t[4];
    if (!gu__where_prep("where", cond, a, b, &c, &nd, shape)) return gu__invalid();
    t[0] = gu__empty("where", c.rt, nd, shape);
    if (!gu_ok(t[0])) return t[0];
    t[1] = gu_expand(cond, nd, shape);
    t[2] = gu_expand(a, nd, shape);
    t[3] = gu_expand(b, nd, shape);
    gu__elementwise_run(&c, 4, t);
    return t[0];
}
GU__DEF int gu_where_out(gu_tensor out, gu_tensor cond, gu_tensor a, gu_tensor b) {
    gu__ectx c;
    int nd;
    int64_t shape[GU_MAX_DIMS];
    gu_tensor t[4];
    if (!gu__where_prep("where_out", cond, a, b, &c, &nd, shape)) return -1;
    if (!gu__check_out("where_out", out, nd, shape, c.rt)) return -1;
    t[0] = out;
    t[1] = gu_expand(cond, nd, shape);
    t[2] = gu_expand(a, nd, shape);
    t[3] = gu_expand(b, nd, shape);
    gu__elementwise_run(&c, 4, t);
    return 0;
}

// ---- reductions ----
// A reduction of one strided run of n elements gives a gu__racc: f for float32 inputs
// (float64 accumulators), i for integer/bool inputs (int64, wrapping), arg the index of
// the chosen element for min/max/argmin/argmax.
typedef enum gu__redop { GU__RSUM, GU__RMEAN, GU__RPROD, GU__RMIN, GU__RMAX, GU__RARGMIN, GU__RARGMAX, GU__RSUMSQ } gu__redop;
static const char *const gu__redop_names[] = {"sum", "mean", "prod", "min", "max", "argmin", "argmax", "norm"};
typedef struct gu__racc { double f; int64_t i, arg; } gu__racc;

// Sum of n contiguous floats in float64: 32 independent accumulators (four AVX-512
// vectors' worth) so the loop runs at memory speed, then added pairwise.
static double gu__sum_f32_contig(const float *x, int64_t n, int squares) {
    double acc[32] = {0};
    int64_t i = 0;
    int j, w;
    if (squares) {
        for (; i + 32 <= n; i += 32)
            for (j = 0; j < 32; j++) acc[j] += (double)x[i + j] * (double)x[i + j];
        for (; i < n; i++) acc[i & 31] += (double)x[i] * (double)x[i];
    } else {
        for (; i + 32 <= n; i += 32)
            for (j = 0; j < 32; j++) acc[j] += (double)x[i + j];
        for (; i < n; i++) acc[i & 31] += (double)x[i];
    }
    for (w = 16; w >= 1; w /= 2)
        for (j = 0; j < w; j++) acc[j] += acc[j + w];
    return acc[0];
}

// Integer and bool runs: int64 accumulators, wrapping.
#define GU__IRED(NAME, T) \
static void NAME(gu__redop op, const T *x, int64_t n, int64_t s, gu__racc *r) { \
    int64_t k; \
    switch (op) { \
    case GU__RSUM: case GU__RMEAN: case GU__RSUMSQ: \
        for (k = 0; k < n; k++) { r->i = GU__WRAP(r->i, +, x[k * s]); } \
        break; \
    case GU__RPROD: \
        r->i = 1; \
        for (k = 0; k < n; k++) { r->i = GU__WRAP(r->i, *, x[k * s]); } \
        break; \
    case GU__RMIN: case GU__RARGMIN: \
        r->i = x[0]; \
        for (k = 1; k < n; k++) { if (x[k * s] < r->i) { r->i = x[k * s]; r->arg = k; } } \
        break; \
    case GU__RMAX: case GU__RARGMAX: \
        r->i = x[0]; \
        for (k = 1; k < n; k++) { if (x[k * s] > r->i) { r->i = x[k * s]; r->arg = k; } } \
        break; \
    } \
}
GU__IRED(gu__ired_i64, int64_t)
GU__IRED(gu__ired_u8, uint8_t)
#undef GU__IRED

static gu__racc gu__reduce_run(gu__redop op, gu_dtype dt, const char *p, int64_t n, int64_t s) {
    gu__racc r;
    int64_t k;
    r.f = 0;
    r.i = 0;
    r.arg = 0;
    if (dt == GU_FLOAT32) {
        const float *x = (const float *)p;
        switch (op) {
        case GU__RSUM: case GU__RMEAN: case GU__RSUMSQ:
            if (s == 1) r.f = gu__sum_f32_contig(x, n, op == GU__RSUMSQ);
            else if (op == GU__RSUMSQ) for (k = 0; k < n; k++) r.f += (double)x[k * s] * (double)x[k * s];
            else for (k = 0; k < n; k++) r.f += (double)x[k * s];
            break;
        case GU__RPROD:
            r.f = 1;
            for (k = 0; k < n; k++) r.f *= (double)x[k * s];
            break;
        case GU__RMIN: case GU__RARGMIN:
            r.f = x[0];
            for (k = 1; k < n && r.f == r.f; k++) {
                float v = x[k * s];
                if (v < r.f || v != v) { r.f = v; r.arg = k; }
            }
            break;
        case GU__RMAX: case GU__RARGMAX:
            r.f = x[0];
            for (k = 1; k < n && r.f == r.f; k++) {
                float v = x[k * s];
                if (v > r.f || v != v) { r.f = v; r.arg = k; }
            }
            break;
        }
        return r;
    }
    if (dt == GU_INT64) gu__ired_i64(op, (const int64_t *)p, n, s, &r);
    else gu__ired_u8(op, (const uint8_t *)p, n, s, &r);
    return r;
}

// Folds the partial result b (of a run starting at flat index off) into a.
static void gu__reduce_fold(gu__redop op, gu_dtype dt, gu__racc *a, gu__racc b, int64_t off) {
    int f = dt == GU_FLOAT32;
    switch (op) {
    case GU__RSUM: case GU__RMEAN: case GU__RSUMSQ:
        if (f) a->f += b.f; else a->i = GU__WRAP(a->i, +, b.i);
        break;
    case GU__RPROD:
        if (f) a->f *= b.f; else a->i = GU__WRAP(a->i, *, b.i);
        break;
    case GU__RMIN: case GU__RARGMIN:
        if (f ? (a->f == a->f && (b.f < a->f || b.f != b.f)) : b.i < a->i) { *a = b; a->arg += off; }
        break;
    case GU__RMAX: case GU__RARGMAX:
        if (f ? (a->f == a->f && (b.f > a->f || b.f != b.f)) : b.i > a->i) { *a = b; a->arg += off; }
        break;
    }
}

// The result dtype of op on dt, or GU_INVALID (with a message) where PyTorch has none.
static gu_dtype gu__reduce_dtype(gu__redop op, gu_tensor t) {
    const char *name = gu__redop_names[op];
    switch (op) {
    case GU__RSUM: case GU__RPROD: return t.dtype == GU_FLOAT32 ? GU_FLOAT32 : GU_INT64;
    case GU__RMEAN: case GU__RSUMSQ:
        if (t.dtype == GU_FLOAT32) return GU_FLOAT32;
        gu__seterr("%s: needs a float32 tensor, got %s %s (convert with gu_to(t, GU_FLOAT32))", name, gu_dtype_name(t.dtype), GU__SHT(t));
        return GU_INVALID;
    case GU__RMIN: case GU__RMAX: return t.dtype;
    case GU__RARGMIN: case GU__RARGMAX:
        if (t.dtype != GU_BOOL) return GU_INT64;
        gu__seterr("%s: not supported for bool (shape %s)", name, GU__SHT(t));
        return GU_INVALID;
    }
    return GU_INVALID;
}

// Writes the final value of r (over n elements) as element `pos` of out storage.
static void gu__reduce_store(gu__redop op, gu_dtype in, gu_tensor out, int64_t pos, gu__racc r, int64_t n) {
    switch (op) {
    case GU__RARGMIN: case GU__RARGMAX: ((int64_t *)out.base)[pos] = r.arg; return;
    case GU__RMEAN: ((float *)out.base)[pos] = (float)(r.f / (double)n); return;
    case GU__RSUMSQ: ((float *)out.base)[pos] = (float)sqrt(r.f); return;
    default: break;
    }
    if (in == GU_FLOAT32) ((float *)out.base)[pos] = (float)r.f;
    else if (out.dtype == GU_INT64) ((int64_t *)out.base)[pos] = r.i;
    else ((uint8_t *)out.base)[pos] = (uint8_t)r.i;  // min/max of uint8 or bool
}

// Over all elements: one run when contiguous, else the merged rows of gu__nloop.
typedef struct gu__redall_ctx { gu__redop op; gu_dtype dt; gu__racc acc; int64_t done; } gu__redall_ctx;
static void gu__redall_row(void *vctx, int64_t n, char **p, const int64_t *s) {
    gu__redall_ctx *c = (gu__redall_ctx *)vctx;
    gu__racc r = gu__reduce_run(c->op, c->dt, p[0], n, s[0]);
    if (c->done == 0) c->acc = r;
    else gu__reduce_fold(c->op, c->dt, &c->acc, r, c->done);
    c->done += n;
}
static gu_tensor gu__reduce_all(gu__redop op, gu_tensor t) {
    const char *name = gu__redop_names[op];
    gu_dtype rdt;
    gu_tensor out;
    int64_t n;
    gu__redall_ctx c;
    if (!gu__check_in(name, t)) return gu__invalid();
    if ((rdt = gu__reduce_dtype(op, t)) == GU_INVALID) return gu__invalid();
    n = gu_numel(t);
    if (n == 0 && op >= GU__RMIN && op <= GU__RARGMAX) {
        gu__seterr("%s: the input of shape %s has no elements; give a dim to reduce", name, GU__SHT(t));
        return gu__invalid();
    }
    out = gu__empty(name, rdt, 0, NULL);
    if (!gu_ok(out)) return out;
    memset(&c, 0, sizeof c);
    c.op = op;
    c.dt = t.dtype;
    if (n == 0) {
        c.acc = gu__reduce_run(op, t.dtype, NULL, 0, 1);  // 0 for sum, 1 for prod
    } else if (gu_is_contiguous(t)) {
        c.acc = gu__reduce_run(op, t.dtype, (const char *)gu_data(t), n, 1);
    } else {
        gu__nloop L;
        gu__nloop_init(&L, 1, &t);
        gu__nloop_run(&L, gu__redall_row, &c);
    }
    gu__reduce_store(op, t.dtype, out, 0, c.acc, n);
    return out;
}

// Over one dim d. For contiguous inputs reduced over a dim that is not the last one
// (sum(0) of a (784, 10) matrix), each output row adds whole input rows, so the inner
// loop stays contiguous; otherwise each output element reduces its strided run.
static int gu__reduce_dim_into(gu__redop op, gu_tensor out, gu_tensor t, int dim, int keepdim, int alloc, gu_tensor *res) {
    const char *name = gu__redop_names[op];
    gu_dtype rdt;
    int d, i, nd = 0;
    int64_t shape[GU_MAX_DIMS], L, nout;
    gu_tensor o, tv;
    if (!gu__check_in(name, t)) return -1;
    if ((d = gu__wrapdim(name, t, dim, 0)) < 0) return -1;
    if ((rdt = gu__reduce_dtype(op, t)) == GU_INVALID) return -1;
    L = t.ndim ? t.shape[d] : 1;
    for (i = 0; i < t.ndim; i++) {
        if (i != d) shape[nd++] = t.shape[i];
        else if (keepdim) shape[nd++] = 1;
    }
    if (L == 0 && op >= GU__RMIN && op <= GU__RARGMAX) {
        gu__seterr("%s: dim %d of shape %s has size 0; there is nothing to reduce", name, d, GU__SHT(t));
        return -1;
    }
    if (alloc) {
        o = gu__empty(name, rdt, nd, shape);
        if (!gu_ok(o)) return -1;
    } else {
        if (!gu__check_in(name, out)) return -1;
        if (out.ndim != nd || memcmp(out.shape, shape, (size_t)nd * sizeof shape[0]) != 0 || out.dtype != rdt) {
            gu__seterr("%s: out is %s %s, the result is %s %s", name, gu_dtype_name(out.dtype), GU__SHT(out), gu_dtype_name(rdt), gu__sh(nd, shape));
            return -1;
        }
        if (!gu_is_contiguous(out)) {
            gu__seterr("%s: out of shape %s must be contiguous", name, GU__SHT(out));
            return -1;
        }
        o = out;
    }
    nout = gu_numel(o);
    if (nout > 0) {
        int64_t opos = o.offset, inner = 1, outer = 1;
        for (i = d + 1; i < t.ndim; i++) inner *= t.shape[i];
        for (i = 0; i < d; i++) outer *= t.shape[i];
        if (t.ndim && gu_is_contiguous(t) && inner > 1 && L > 0 && (op == GU__RSUM || op == GU__RMEAN) && t.dtype == GU_FLOAT32) {
            // out[o, j] = sum_k t[o, k, j]: add rows of `inner` into float64 accumulators
            double acc[256];
            const float *x = (const float *)t.base + t.offset;
            int64_t oo, j0, k, j;
            for (oo = 0; oo < outer; oo++)
                for (j0 = 0; j0 < inner; j0 += 256) {
                    int64_t w = inner - j0 < 256 ? inner - j0 : 256;
                    for (j = 0; j < w; j++) acc[j] = 0;
                    for (k = 0; k < L; k++) {
                        const float *row = x + (oo * L + k) * inner + j0;
                        int64_t jb = 0;
                        for (; jb + 16 <= w; jb += 16)  // fixed-width blocks vectorise at -O2
                            for (j = 0; j < 16; j++) acc[jb + j] += (double)row[jb + j];
                        for (j = jb; j < w; j++) acc[j] += (double)row[j];
                    }
                    for (j = 0; j < w; j++)
                        ((float *)o.base)[opos + oo * inner + j0 + j] = (float)(op == GU__RMEAN ? acc[j] / (double)L : acc[j]);
                }
        } else {
            // each output element: its run of L elements with stride t.stride[d]
            gu__iter it;
            int64_t s = t.ndim ? t.stride[d] : 0, k;
            tv = t;
            if (t.ndim) {  // t without dim d: the start of every run, in output order
                for (i = d; i < t.ndim - 1; i++) { tv.shape[i] = t.shape[i + 1]; tv.stride[i] = t.stride[i + 1]; }
                tv.ndim--;
            }
            gu__iter_init(&it, tv);
            for (k = 0; k < nout; k++, gu__iter_next(&it)) {
                const char *p = L ? (const char *)t.base + it.pos * (int64_t)gu_dtype_size(t.dtype) : NULL;
                gu__reduce_store(op, t.dtype, o, opos + k, gu__reduce_run(op, t.dtype, p, L, s), L);
            }
        }
    }
    if (res) *res = o;
    return 0;
}
static gu_tensor gu__reduce_dim(gu__redop op, gu_tensor t, int dim, int keepdim) {
    gu_tensor r = gu__invalid();
    if (gu__reduce_dim_into(op, r, t, dim, keepdim, 1, &r) < 0) return gu__invalid();
    return r;
}

#define GU__REDUCE_DEFS(X, OP) \
    GU__DEF gu_tensor gu_##X(gu_tensor t) { return gu__reduce_all(OP, t); } \
    GU__DEF gu_tensor gu_##X##_dim(gu_tensor t, int dim, int keepdim) { return gu__reduce_dim(OP, t, dim, keepdim); } \
    GU__DEF int gu_##X##_dim_out(gu_tensor out, gu_tensor t, int dim, int keepdim) { return gu__reduce_dim_into(OP, out, t, dim, keepdim, 0, NULL); }
GU__REDUCE_DEFS(sum, GU__RSUM)
GU__REDUCE_DEFS(mean, GU__RMEAN)
GU__REDUCE_DEFS(prod, GU__RPROD)
GU__REDUCE_DEFS(min, GU__RMIN)
GU__REDUCE_DEFS(max, GU__RMAX)
GU__REDUCE_DEFS(argmin, GU__RARGMIN)
GU__REDUCE_DEFS(argmax, GU__RARGMAX)
GU__DEF gu_tensor gu_norm(gu_tensor t) { return gu__reduce_all(GU__RSUMSQ, t); }

// ---- test_close, allclose ----
// Walks a and b (broadcast) and finds the worst |a - b| (NaN counts as worst).
typedef struct gu__close_ctx {
    double eps, rtol, atol;
    int mode;        // 0: test_close (|a-b| < eps), 1: allclose
    int64_t done, bad, worst_i;
    double worst, wa, wb;
    gu_dtype da, db;
} gu__close_ctx;
static void gu__close_row(void *vctx, int64_t n, char **p, const int64_t *s) {
    gu__close_ctx *c = (gu__close_ctx *)vctx;
    int64_t k;
    for (k = 0; k < n; k++) {
        double x = gu__load(c->da, p[1], k * s[1]), y = gu__load(c->db, p[2], k * s[2]), diff = fabs(x - y);
        int ok;
        if (c->mode == 0) ok = diff < c->eps;
        else ok = x == y || (diff <= c->atol + c->rtol * fabs(y));
        if (!ok) {
            double score = diff != diff ? INFINITY : diff;
            if (c->bad == 0 || score > c->worst) { c->worst = score; c->worst_i = c->done + k; c->wa = x; c->wb = y; }
            c->bad++;
        }
    }
    c->done += n;
}
static int gu__close(const char *name, gu_tensor a, gu_tensor b, gu__close_ctx *c) {
    int nd, d;
    int64_t shape[GU_MAX_DIMS], idx[GU_MAX_DIMS], rem;
    gu_tensor t[3];
    gu__nloop L;
    char where[256];
    size_t len = 0;
    if (!gu__check_in(name, a) || !gu__check_in(name, b)) return 0;
    if (!gu__bcast(name, a.ndim, a.shape, b.ndim, b.shape, &nd, shape)) return 0;
    t[1] = gu_expand(a, nd, shape);
    t[2] = gu_expand(b, nd, shape);
    t[0] = t[1];  // the loop needs an "output": a's view, only read
    c->da = a.dtype;
    c->db = b.dtype;
    gu__nloop_init(&L, 3, t);
    gu__nloop_run(&L, gu__close_row, c);
    if (c->bad == 0) return 1;
    rem = c->worst_i;
    for (d = nd - 1; d >= 0; d--) { idx[d] = rem % shape[d]; rem /= shape[d]; }
    where[0] = 0;
    for (d = 0; d < nd && len < sizeof where; d++)
        len += (size_t)snprintf(where + len, sizeof where - len, "%s%" PRId64, d ? ", " : "", idx[d]);
    if (c->mode == 0)
        gu__seterr("%s: %" PRId64 " of %" PRId64 " elements differ by eps=%g or more (shapes %s and %s); worst at [%s]: %.9g vs %.9g (|diff| %.3g)",
                   name, c->bad, c->done, c->eps, GU__SHT(a), GU__SHT(b), where, c->wa, c->wb, fabs(c->wa - c->wb));
    else
        gu__seterr("%s: %" PRId64 " of %" PRId64 " elements are not close (rtol=%g, atol=%g; shapes %s and %s); worst at [%s]: %.9g vs %.9g (|diff| %.3g)",
                   name, c->bad, c->done, c->rtol, c->atol, GU__SHT(a), GU__SHT(b), where, c->wa, c->wb, fabs(c->wa - c->wb));
    return 0;
}
GU__DEF int gu_test_close(gu_tensor a, gu_tensor b, double eps) {
    gu__close_ctx c;
    memset(&c, 0, sizeof c);
    c.eps = eps;
    return gu__close("test_close", a, b, &c);
}
GU__DEF int gu_allclose(gu_tensor a, gu_tensor b, double rtol, double atol) {
    gu__close_ctx c;
    memset(&c, 0, sizeof c);
    c.mode = 1;
    c.rtol = rtol;
    c.atol = atol;
    return gu__close("allclose", a, b, &c);
}
#endif
// @@end
