// tests/test_ops.c - elementwise ops, broadcasting, promotion, reductions, test_close
// (issue 3). The fast paths are checked bit for bit against the element-by-element
// reference (gu__elementwise_ref) over thousands of random shapes and views; the
// semantics against PyTorch through fixtures/ops/golden.txt (gen_ops_golden.py).

// ---- a seeded generator and random views ----
static uint64_t to__rng = 0x9E3779B97F4A7C15ull;
static uint64_t to__next(void) {  // splitmix64
    uint64_t z = (to__rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static int to__randint(int n) { return (int)(to__next() % (uint64_t)n); }

static void to__fill(gu_tensor t) {
    int64_t i;
    for (i = 0; i < t.storage_numel; i++) {
        int r = to__randint(100);
        switch (t.dtype) {
        case GU_FLOAT32: {
            float v = (float)(to__randint(33) - 16) / (float)(1 + to__randint(4));
            if (r < 2) v = NAN;
            else if (r < 4) v = r == 2 ? INFINITY : -INFINITY;
            else if (r < 8) v = 0;
            ((float *)t.base)[i] = v;
            break;
        }
        case GU_INT64:
            ((int64_t *)t.base)[i] = r < 5 ? (int64_t)(to__next() >> 1) * (r & 1 ? 1 : -1) : to__randint(13) - 6;
            break;
        case GU_UINT8: ((uint8_t *)t.base)[i] = (uint8_t)to__next(); break;
        case GU_BOOL: ((uint8_t *)t.base)[i] = (uint8_t)(r & 1); break;
        default: break;
        }
    }
}
static gu_dtype to__rand_dtype(void) {
    static const gu_dtype d[4] = {GU_FLOAT32, GU_INT64, GU_UINT8, GU_BOOL};
    return d[to__randint(4)];
}

// A random view of the given shape: contiguous, reversed-strides (a permutation of a
// transposed buffer), sliced with steps 2 or -1, or expanded from size-1 dims.
typedef struct to__opnd { gu_tensor own, v; } to__opnd;
static to__opnd to__make(gu_dtype dt, int nd, const int64_t *shape) {
    to__opnd o;
    int64_t bs[GU_MAX_DIMS] = {0};
    int i, mode = to__randint(4);
    if (nd == 0) mode = 0;
    if (mode == 1) {  // transposed: buffer of the reversed shape, permuted back
        int perm[GU_MAX_DIMS];
        for (i = 0; i < nd; i++) { bs[i] = shape[nd - 1 - i]; perm[i] = nd - 1 - i; }
        o.own = gu_empty(dt, nd, bs);
        o.v = gu_permute(o.own, perm);
    } else if (mode == 2) {  // sliced: every dim of a bigger buffer, step 2 or -1
        for (i = 0; i < nd; i++) bs[i] = 2 * shape[i] + 1;
        o.own = gu_empty(dt, nd, bs);
        o.v = o.own;
        for (i = 0; i < nd; i++) {
            if (to__randint(2) || shape[i] == 0) o.v = gu_slice(o.v, i, 1, 1 + 2 * shape[i], 2);
            else o.v = gu_slice(o.v, i, shape[i] - 1, GU_REND, -1);
        }
        o.v.owner = 0;
    } else if (mode == 3) {  // expanded: some dims stored once, read with stride 0
        for (i = 0; i < nd; i++) bs[i] = to__randint(2) ? 1 : shape[i];
        o.own = gu_empty(dt, nd, bs);
        o.v = gu_expand(o.own, nd, shape);
    } else {
        o.own = gu_empty(dt, nd, shape);
        o.v = o.own;
        o.v.owner = 0;
    }
    to__fill(o.own);
    return o;
}
// A random shape that broadcasts to (nd, shape): leading dims dropped, some dims 1.
static int to__sub_shape(int nd, const int64_t *shape, int64_t *out) {
    int drop = to__randint(nd + 1), i;
    if (to__randint(3)) drop = 0;
    for (i = drop; i < nd; i++) out[i - drop] = to__randint(4) == 0 ? 1 : shape[i];
    return nd - drop;
}
static int to__rand_shape(int64_t *shape) {
    int nd = to__randint(5), i;
    for (i = 0; i < nd; i++) {
        int r = to__randint(20);
        shape[i] = r == 0 ? 0 : r < 5 ? 1 : 1 + to__randint(6);
    }
    if (to__randint(10) == 0 && nd > 0) shape[nd - 1] = 600 + to__randint(600);  // past one buffer block
    return nd;
}

// Same validity, dtype, shape and bytes; prints the first difference.
static int to__same(gu_tensor x, gu_tensor y, const char *what) {
    gu__iter ix, iy;
    int64_t n, i;
    size_t es;
    if (gu_ok(x) != gu_ok(y)) { fprintf(stderr, "  %s: ok %d vs %d (%s)\n", what, gu_ok(x), gu_ok(y), gu_error()); return 0; }
    if (!gu_ok(x)) return 1;
    if (x.dtype != y.dtype || !gu_same_shape(x, y)) {
        fprintf(stderr, "  %s: %s %s vs %s %s\n", what, gu_dtype_name(x.dtype), GU__SHT(x), gu_dtype_name(y.dtype), GU__SHT(y));
        return 0;
    }
    n = gu_numel(x);
    es = gu_dtype_size(x.dtype);
    gu__iter_init(&ix, x);
    gu__iter_init(&iy, y);
    for (i = 0; i < n; i++, gu__iter_next(&ix), gu__iter_next(&iy))
        if (memcmp((char *)x.base + ix.pos * (int64_t)es, (char *)y.base + iy.pos * (int64_t)es, es) != 0) {
            fprintf(stderr, "  %s: element %lld differs: %.9g vs %.9g (shape %s)\n", what, (long long)i,
                    gu__load(x.dtype, x.base, ix.pos), gu__load(y.dtype, y.base, iy.pos), GU__SHT(x));
            return 0;
        }
    return 1;
}

typedef gu_tensor (*to__bin_fn)(gu_tensor, gu_tensor);
typedef int (*to__bin_out_fn)(gu_tensor, gu_tensor, gu_tensor);
static const to__bin_fn to__bins[] = {gu_add, gu_sub, gu_mul, gu_div, gu_pow, gu_maximum, gu_minimum,
                                      gu_gt, gu_lt, gu_ge, gu_le, gu_eq, gu_ne, gu_logical_and, gu_logical_or};
static const to__bin_out_fn to__bin_outs[] = {gu_add_out, gu_sub_out, gu_mul_out, gu_div_out, gu_pow_out, gu_maximum_out, gu_minimum_out,
                                              gu_gt_out, gu_lt_out, gu_ge_out, gu_le_out, gu_eq_out, gu_ne_out, gu_logical_and_out, gu_logical_or_out};
static const char *const to__bin_names[] = {"add", "sub", "mul", "div", "pow", "maximum", "minimum",
                                            "gt", "lt", "ge", "le", "eq", "ne", "logical_and", "logical_or"};
typedef gu_tensor (*to__un_fn)(gu_tensor);
static const to__un_fn to__uns[] = {gu_neg, gu_abs, gu_sqrt, gu_exp, gu_log, gu_logical_not};
typedef gu_tensor (*to__sc_fn)(gu_tensor, double);
typedef gu_tensor (*to__isc_fn)(gu_tensor, int64_t);
static const to__sc_fn to__scs[] = {gu_add_scalar, gu_sub_scalar, gu_mul_scalar, gu_div_scalar, gu_pow_scalar, gu_maximum_scalar,
                                    gu_minimum_scalar, gu_gt_scalar, gu_lt_scalar, gu_ge_scalar, gu_le_scalar, gu_eq_scalar, gu_ne_scalar,
                                    gu_logical_and_scalar, gu_logical_or_scalar};
static const to__isc_fn to__iscs[] = {gu_add_iscalar, gu_sub_iscalar, gu_mul_iscalar, gu_div_iscalar, gu_pow_iscalar, gu_maximum_iscalar,
                                      gu_minimum_iscalar, gu_gt_iscalar, gu_lt_iscalar, gu_ge_iscalar, gu_le_iscalar, gu_eq_iscalar, gu_ne_iscalar,
                                      gu_logical_and_iscalar, gu_logical_or_iscalar};

// fast op vs the reference: the same function called twice, the second time with every
// elementwise loop routed through gu__elementwise_ref (gu_set_kernel("portable"); "auto"
// keeps the fast loops even where the CPU or build has no SIMD).
#define TO__FAST() gu_set_kernel("auto")
#define TO__REF() gu_set_kernel("portable")
#define TO__BOTH(fast, ref, EXPR) do { TO__FAST(); fast = (EXPR); TO__REF(); ref = (EXPR); TO__FAST(); } while (0)

static void test_ops_differential_vs_reference(void) {
    int iter, k, compared = 0;
    to__rng = 12345;
    CHECK(TO__REF() == 0 && strcmp(gu_kernel(), "portable") == 0);
    CHECK(TO__FAST() == 0);
    for (iter = 0; iter < 2500; iter++) {
        int64_t shape[GU_MAX_DIMS], sa[GU_MAX_DIMS], sb[GU_MAX_DIMS];
        int nd = to__rand_shape(shape), na = to__sub_shape(nd, shape, sa), nb = to__sub_shape(nd, shape, sb);
        to__opnd a = to__make(to__rand_dtype(), na, sa), b = to__make(to__rand_dtype(), nb, sb);
        char what[200];
        if (to__randint(2)) { to__opnd t = a; a = b; b = t; }
        for (k = 0; k < 15; k++) {
            gu_tensor f, r;
            snprintf(what, sizeof what, "%s(%s %s, %s %s)", to__bin_names[k], gu_dtype_name(a.v.dtype), GU__SHT(a.v), gu_dtype_name(b.v.dtype), GU__SHT(b.v));
            TO__BOTH(f, r, to__bins[k](a.v, b.v));
            CHECKF(to__same(f, r, what), "iter %d", iter);
            gu_free(&f);
            gu_free(&r);
            compared++;
        }
        // _out into a random dtype and a random (strided) view of the broadcast shape
        {
            int nd2;
            int64_t s2[GU_MAX_DIMS];
            k = to__randint(15);
            if (gu__bcast("t", a.v.ndim, a.v.shape, b.v.ndim, b.v.shape, &nd2, s2)) {
                to__opnd o1 = to__make(to__rand_dtype(), nd2, s2), o2;
                int rf, rr;
                if (o1.v.ndim && !gu_is_contiguous(o1.v)) {  // writable: no stride 0
                    int d;
                    for (d = 0; d < o1.v.ndim; d++) if (o1.v.stride[d] == 0 && o1.v.shape[d] > 1) break;
                    if (d < o1.v.ndim) { gu_free(&o1.own); o1.own = gu_empty(o1.v.dtype, nd2, s2); o1.v = o1.own; o1.v.owner = 0; to__fill(o1.own); }
                }
                o2.own = gu_clone(o1.own);
                o2.v = o1.v;
                o2.v.base = o2.own.base;
                TO__FAST();
                rf = to__bin_outs[k](o1.v, a.v, b.v);
                TO__REF();
                rr = to__bin_outs[k](o2.v, a.v, b.v);
                TO__FAST();
                CHECKF(rf == rr, "%s_out: %d vs %d", to__bin_names[k], rf, rr);
                snprintf(what, sizeof what, "%s_out into %s", to__bin_names[k], gu_dtype_name(o1.v.dtype));
                if (rf == 0) CHECKF(to__same(o1.own, o2.own, what), "iter %d", iter);
                gu_free(&o1.own);
                gu_free(&o2.own);
            }
        }
        // scalars on either side, float and integer
        {
            double s = (double)(to__randint(9) - 4) / (1 + to__randint(2));
            int64_t is = to__randint(9) - 4;
            gu_tensor f, r;
            k = to__randint(15);
            TO__BOTH(f, r, to__scs[k](a.v, s));
            CHECKF(to__same(f, r, "scalar"), "%s_scalar iter %d", to__bin_names[k], iter);
            gu_free(&f); gu_free(&r);
            TO__BOTH(f, r, to__iscs[k](a.v, is));
            CHECKF(to__same(f, r, "iscalar"), "%s_iscalar iter %d", to__bin_names[k], iter);
            gu_free(&f); gu_free(&r);
            TO__BOTH(f, r, gu_rsub_scalar(s, a.v));
            CHECKF(to__same(f, r, "rsub_scalar"), "iter %d", iter);
            gu_free(&f); gu_free(&r);
            TO__BOTH(f, r, gu_rpow_iscalar(is, a.v));
            CHECKF(to__same(f, r, "rpow_iscalar"), "iter %d", iter);
            gu_free(&f); gu_free(&r);
        }
        // unary ops and where
        for (k = 0; k < 6; k++) {
            gu_tensor f, r;
            TO__BOTH(f, r, to__uns[k](a.v));
            CHECKF(to__same(f, r, "unary"), "unary %d on %s %s iter %d", k, gu_dtype_name(a.v.dtype), GU__SHT(a.v), iter);
            gu_free(&f); gu_free(&r);
        }
        {
            int64_t sc[GU_MAX_DIMS];
            int nc = to__sub_shape(nd, shape, sc);
            to__opnd c = to__make(GU_BOOL, nc, sc);
            gu_tensor f, r;
            TO__BOTH(f, r, gu_where(c.v, a.v, b.v));
            CHECKF(to__same(f, r, "where"), "iter %d", iter);
            gu_free(&f); gu_free(&r); gu_free(&c.own);
        }
        // in place: a copy of a (same strides) += b where b broadcasts to a
        {
            gu_tensor a1 = gu_clone(a.own), a2 = gu_clone(a.own), v1 = a.v, v2 = a.v;
            int rf, rr, wr = 0, d;
            for (d = 0; d < a.v.ndim; d++) if (a.v.stride[d] == 0 && a.v.shape[d] > 1) wr = 1;
            if (!wr) {
                v1.base = a1.base;
                v2.base = a2.base;
                k = to__randint(5);
                TO__FAST();
                rf = k == 0 ? gu_add_(v1, b.v) : k == 1 ? gu_sub_(v1, b.v) : k == 2 ? gu_mul_(v1, b.v) : k == 3 ? gu_div_(v1, b.v) : gu_pow_(v1, b.v);
                TO__REF();
                rr = k == 0 ? gu_add_(v2, b.v) : k == 1 ? gu_sub_(v2, b.v) : k == 2 ? gu_mul_(v2, b.v) : k == 3 ? gu_div_(v2, b.v) : gu_pow_(v2, b.v);
                TO__FAST();
                CHECKF(rf == rr, "in-place %d: %d vs %d", k, rf, rr);
                if (rf == 0) CHECKF(to__same(a1, a2, "in-place"), "iter %d", iter);
            }
            gu_free(&a1);
            gu_free(&a2);
        }
        gu_free(&a.own);
        gu_free(&b.own);
    }
    CHECK(compared == 2500 * 15);
}

// ---- promotion, checked against the table PyTorch 1.13 gives ----
static void test_ops_promotion_table(void) {
    // rows: a's dtype, cols: b's dtype; order float32, int64, uint8, bool
    static const gu_dtype dts[4] = {GU_FLOAT32, GU_INT64, GU_UINT8, GU_BOOL};
    static const gu_dtype add[4][4] = {
        {GU_FLOAT32, GU_FLOAT32, GU_FLOAT32, GU_FLOAT32},
        {GU_FLOAT32, GU_INT64, GU_INT64, GU_INT64},
        {GU_FLOAT32, GU_INT64, GU_UINT8, GU_UINT8},
        {GU_FLOAT32, GU_INT64, GU_UINT8, GU_BOOL}};
    int64_t two = 2;
    int i, j;
    for (i = 0; i < 4; i++)
        for (j = 0; j < 4; j++) {
            gu_tensor a = gu_ones(dts[i], 1, &two), b = gu_ones(dts[j], 1, &two);
            gu_tensor s = gu_add(a, b), d = gu_div(a, b), g = gu_gt(a, b), a0 = gu_ones(dts[i], 0, NULL), z = gu_add(a0, b);
            CHECKF(s.dtype == add[i][j], "add %s %s -> %s", gu_dtype_name(dts[i]), gu_dtype_name(dts[j]), gu_dtype_name(s.dtype));
            CHECK(d.dtype == GU_FLOAT32);
            CHECK(g.dtype == GU_BOOL);
            // a 0-d a counts only when of a higher category than b
            {
                int ci = dts[i] == GU_BOOL ? 0 : dts[i] == GU_FLOAT32 ? 2 : 1, cj = dts[j] == GU_BOOL ? 0 : dts[j] == GU_FLOAT32 ? 2 : 1;
                gu_dtype want = ci > cj ? add[i][j] : dts[j];
                CHECKF(z.dtype == want, "0-d %s + %s -> %s, want %s", gu_dtype_name(dts[i]), gu_dtype_name(dts[j]), gu_dtype_name(z.dtype), gu_dtype_name(want));
            }
            gu_free(&a); gu_free(&b); gu_free(&s); gu_free(&d); gu_free(&g); gu_free(&a0); gu_free(&z);
        }
    {   // scalars: float scalar -> float32; int scalar keeps the dtype, bool -> int64
        gu_tensor u = gu_full(GU_UINT8, 1, &two, 200), bl = gu_ones(GU_BOOL, 1, &two), l = gu_ones(GU_INT64, 1, &two);
        gu_tensor r1 = gu_add_iscalar(u, 300), r2 = gu_add_scalar(u, 0.5), r3 = gu_add_iscalar(bl, 1), r4 = gu_mul_scalar(l, 2);
        CHECK(r1.dtype == GU_UINT8 && gu_get_flat(r1, 0) == 244);  // 300 wraps to 44, as PyTorch
        CHECK(r2.dtype == GU_FLOAT32 && gu_get_flat(r2, 0) == 200.5);
        CHECK(r3.dtype == GU_INT64 && gu_get_flat(r3, 0) == 2);
        CHECK(r4.dtype == GU_FLOAT32);
        gu_free(&u); gu_free(&bl); gu_free(&l); gu_free(&r1); gu_free(&r2); gu_free(&r3); gu_free(&r4);
    }
}

// ---- errors: each returns an invalid tensor or -1 with the message ----
static void to__expect_err(gu_tensor r, const char *want, int line) {
    CHECKF(!gu_ok(r), "line %d: expected an error", line);
    CHECKF(strstr(gu_error(), want) != NULL, "line %d: message [%s] lacks [%s]", line, gu_error(), want);
}
#define TO__ERR(EXPR, WANT) do { gu_tensor r_ = (EXPR); to__expect_err(r_, WANT, __LINE__); gu_free(&r_); gu_clear_error(); } while (0)
#define TO__ERRI(EXPR, WANT) do { int r_ = (EXPR); CHECKF(r_ == -1, "line %d: expected -1", __LINE__); \
    CHECKF(strstr(gu_error(), WANT) != NULL, "line %d: message [%s] lacks [%s]", __LINE__, gu_error(), WANT); gu_clear_error(); } while (0)

static void test_ops_errors(void) {
    int64_t s33[2] = {3, 3}, s2 = 2, s3 = 3, s23[2] = {2, 3};
    gu_tensor m = gu_ones(GU_FLOAT32, 2, s33), v2 = gu_ones(GU_FLOAT32, 1, &s2), v3 = gu_ones(GU_FLOAT32, 1, &s3);
    gu_tensor bl = gu_ones(GU_BOOL, 1, &s3), l = gu_ones(GU_INT64, 1, &s3), e = gu_zeros(GU_FLOAT32, 1, &s2);
    gu_tensor o23 = gu_zeros(GU_FLOAT32, 2, s23), oi = gu_zeros(GU_INT64, 2, s33), empty;
    int64_t z = 0;
    empty = gu_zeros(GU_FLOAT32, 1, &z);

    TO__ERR(gu_add(m, v2), "add: shapes (3, 3) and (2,) do not broadcast (dim -1: 3 vs 2)");
    TO__ERR(gu_gt(v2, m), "gt: shapes (2,) and (3, 3) do not broadcast (dim -1: 2 vs 3)");
    TO__ERR(gu_mul(o23, gu_unsqueeze(v3, 1)), "mul: shapes (2, 3) and (3, 1) do not broadcast (dim -2: 2 vs 3)");
    TO__ERR(gu_add(m, gu__invalid()), "add: invalid input tensor");
    TO__ERRI(gu_add_out(o23, m, v3), "add_out: out has shape (2, 3), the result has shape (3, 3)");
    TO__ERRI(gu_add_out(oi, m, v3), "add_out: result type float32 can't be cast to the out dtype int64");
    TO__ERRI(gu_add_out(gu_expand(v3, 2, s33), m, v3), "stride 0");
    TO__ERRI(gu_add_(v3, m), "add_: the result of shape (3, 3) does not fit in a of shape (3,)");
    TO__ERRI(gu_add_(l, v3), "add_: result type float32 can't be cast to a's dtype int64");
    TO__ERRI(gu_mul_scalar_(l, 0.5), "mul_scalar_: result type float32 can't be cast");
    TO__ERR(gu_sub(bl, bl), "sub: subtraction with a bool tensor is not supported");
    TO__ERR(gu_sub(l, bl), "sub: subtraction with a bool tensor is not supported");
    TO__ERR(gu_rsub_iscalar(1, bl), "sub: subtraction with a bool tensor");
    TO__ERR(gu_neg(bl), "neg: not supported for dtype bool");
    TO__ERR(gu_abs(bl), "abs: not supported for dtype bool");
    TO__ERR(gu_pow(bl, bl), "pow: not supported for dtype bool");
    TO__ERR(gu_pow_iscalar(l, -1), "pow: integers to negative integer powers are not allowed");
    TO__ERR(gu_where(l, m, m), "where: the condition must be a bool tensor, got int64 (3,)");
    TO__ERR(gu_where(bl, m, v2), "where: shapes (3, 3) and (2,) do not broadcast");
    TO__ERR(gu_mean(l), "mean: needs a float32 tensor, got int64 (3,)");
    TO__ERR(gu_norm(l), "norm: needs a float32 tensor");
    TO__ERR(gu_argmax(bl), "argmax: not supported for bool");
    TO__ERR(gu_min(empty), "min: the input of shape (0,) has no elements");
    TO__ERR(gu_argmax(empty), "argmax: the input of shape (0,) has no elements");
    {
        gu_tensor zd = gu_zeros(GU_FLOAT32, 0, NULL);
        TO__ERR(gu_max_dim(zd, 1, 0), "max: dim 1 out of range");
        gu_free(&zd);
    }
    TO__ERR(gu_sum_dim(m, 2, 0), "sum: dim 2 out of range for a tensor of shape (3, 3)");
    TO__ERR(gu_sum_dim(m, -3, 0), "sum: dim -3 out of range");
    TO__ERRI(gu_sum_dim_out(e, m, 0, 1), "sum: out is float32 (2,), the result is float32 (1, 3)");
    TO__ERRI(gu_sum_dim_out(v3, l, 0, 0), "sum: out is float32 (3,), the result is int64 ()");
    CHECK(gu_test_close(m, v2, 1e-5) == 0 && strstr(gu_error(), "test_close: shapes (3, 3) and (2,) do not broadcast"));
    {   // reducing a 0-size dim: sum gives zeros, max is an error
        int64_t s03[2] = {0, 3};
        gu_tensor z03 = gu_zeros(GU_FLOAT32, 2, s03), s = gu_sum_dim(z03, 0, 0), mx = gu_max_dim(z03, 1, 0);
        CHECK(gu_ok(s) && gu_numel(s) == 3 && gu_get_flat(s, 0) == 0);
        CHECK(gu_ok(mx) && gu_numel(mx) == 0);  // nothing to reduce in 0 rows
        TO__ERR(gu_max_dim(z03, 0, 0), "max: dim 0 of shape (0, 3) has size 0");
        gu_free(&z03); gu_free(&s); gu_free(&mx);
    }
    {   // empty tensors over no storage at all (gu_wrap of NULL) go through every path
        gu_tensor w = gu_wrap(GU_FLOAT32, 1, &z, NULL), r1 = gu_add(w, w), r2 = gu_sum(w), r3 = gu_sum_dim(w, 0, 1);
        CHECK(gu_ok(r1) && gu_numel(r1) == 0 && gu_item(r2) == 0 && gu_numel(r3) == 1 && gu_test_close(w, w, 1e-5) == 1);
        gu_free(&r1); gu_free(&r2); gu_free(&r3);
    }
    {   // empty reductions as PyTorch: sum 0, prod 1, mean nan
        gu_tensor s = gu_sum(empty), p = gu_prod(empty), mn = gu_mean(empty);
        CHECK(gu_item(s) == 0 && gu_item(p) == 1 && gu_item(mn) != gu_item(mn));
        gu_free(&s); gu_free(&p); gu_free(&mn);
    }
    gu_free(&m); gu_free(&v2); gu_free(&v3); gu_free(&bl); gu_free(&l); gu_free(&e); gu_free(&o23); gu_free(&oi); gu_free(&empty);
}

// ---- reductions against a float64 / int64 reference over random views ----
static void test_ops_reductions_vs_reference(void) {
    int iter;
    to__rng = 777;
    for (iter = 0; iter < 600; iter++) {
        int64_t shape[GU_MAX_DIMS];
        int nd = to__rand_shape(shape), op, d, keep = to__randint(2);
        gu_dtype dt = to__rand_dtype();
        to__opnd a;
        if (nd == 0 || to__randint(4) == 0) d = -100;  // all elements
        else d = to__randint(nd);
        if (dt == GU_FLOAT32 && to__randint(2)) dt = GU_INT64;
        a = to__make(dt, nd, shape);
        if (dt == GU_FLOAT32) {  // finite values for the sums
            int64_t i;
            for (i = 0; i < a.own.storage_numel; i++) ((float *)a.own.base)[i] = (float)(to__randint(2001) - 1000) / 64.0f;
        }
        for (op = 0; op < 7; op++) {
            gu_tensor r = d == -100 ? (op == 0 ? gu_sum(a.v) : op == 1 ? gu_mean(a.v) : op == 2 ? gu_prod(a.v) : op == 3 ? gu_min(a.v) : op == 4 ? gu_max(a.v) : op == 5 ? gu_argmin(a.v) : gu_argmax(a.v))
                                    : (op == 0 ? gu_sum_dim(a.v, d, keep) : op == 1 ? gu_mean_dim(a.v, d, keep) : op == 2 ? gu_prod_dim(a.v, d, keep) : op == 3 ? gu_min_dim(a.v, d, keep) : op == 4 ? gu_max_dim(a.v, d, keep) : op == 5 ? gu_argmin_dim(a.v, d, keep) : gu_argmax_dim(a.v, d, keep));
            int64_t L = d == -100 ? gu_numel(a.v) : a.v.shape[d], nout = d == -100 ? 1 : (L ? gu_numel(a.v) / L : -1), o, k;
            int expect_err = (op == 1 && dt != GU_FLOAT32) || ((op >= 5) && dt == GU_BOOL) || (op >= 3 && L == 0);
            if (expect_err) { CHECKF(!gu_ok(r), "op %d on %s %s dim %d should fail", op, gu_dtype_name(dt), GU__SHT(a.v), d); gu_clear_error(); gu_free(&r); continue; }
            if (!gu_ok(r)) { CHECKF(0, "op %d on %s %s dim %d: %s", op, gu_dtype_name(dt), GU__SHT(a.v), d, gu_error()); continue; }
            if (nout < 0) { gu_free(&r); continue; }  // a 0-size reduced dim: shape checked elsewhere
            CHECK(gu_numel(r) == nout);
            for (o = 0; o < nout && o < gu_numel(r); o++) {
                // the run of output o: its multi-index without dim d, then k along d
                int64_t idx[GU_MAX_DIMS], rem = o, best_k = 0;
                double ref = op == 2 ? 1 : 0, bestv = 0, got = gu_get_flat(r, o);
                int64_t iref = op == 2 ? 1 : 0;
                int i2;
                if (d != -100)
                    for (i2 = nd - 1; i2 >= 0; i2--) { if (i2 == d) { idx[i2] = 0; continue; } idx[i2] = rem % shape[i2]; rem /= shape[i2]; }
                {
                    gu__iter it;  // the full reduction walks a.v in row-major order
                    if (d == -100) gu__iter_init(&it, a.v);
                    for (k = 0; k < L; k++) {
                        int64_t off = a.v.offset, iv;
                        double v;
                        if (d == -100) { off = it.pos; gu__iter_next(&it); }
                        else { idx[d] = k; for (i2 = 0; i2 < nd; i2++) off += idx[i2] * a.v.stride[i2]; }
                        v = gu__load(dt, a.v.base, off);
                        iv = dt == GU_INT64 ? ((int64_t *)a.v.base)[off] : (int64_t)v;
                        if (op == 0 || op == 1) { ref += v; iref = (int64_t)((uint64_t)iref + (uint64_t)iv); }
                        else if (op == 2) { ref *= v; iref = (int64_t)((uint64_t)iref * (uint64_t)iv); }
                        else if (k == 0 || ((op == 3 || op == 5) ? v < bestv : v > bestv)) { bestv = v; best_k = k; iref = iv; }
                    }
                }
                if (op == 1) ref = L ? ref / (double)L : NAN;
                if (op >= 3 && op <= 4) ref = bestv;
                if (op >= 5) { CHECKF(got == (double)best_k, "arg op %d: %g vs %lld", op, got, (long long)best_k); continue; }
                if (dt == GU_FLOAT32) {
                    double tol = 1e-6 * fabs(ref) + 1e-30;
                    if (op == 2) tol = 1e-5 * fabs(ref);
                    CHECKF(fabs(got - ref) <= tol || (got != got && ref != ref) || (op == 2 && isinf(got) && fabs(ref) > 1e38), "op %d %s dim %d: %.9g vs %.9g", op, GU__SHT(a.v), d, got, ref);
                } else if (op != 1) {
                    int64_t gi = r.dtype == GU_INT64 ? ((int64_t *)r.base)[o] : (int64_t)got;
                    if (op == 3 || op == 4) gi = r.dtype == GU_INT64 ? ((int64_t *)r.base)[o] : ((uint8_t *)r.base)[o];
                    CHECKF(gi == iref, "op %d %s %s dim %d: %lld vs %lld", op, gu_dtype_name(dt), GU__SHT(a.v), d, (long long)gi, (long long)iref);
                }
            }
            gu_free(&r);
        }
        gu_free(&a.own);
    }
}

// The bar: 39.2M pixel-like values (k/255) summed in float32 agree with float64.
static void test_ops_sum_accuracy_39m(void) {
    int64_t n = 50000LL * 784, i;
    gu_tensor x = gu_empty(GU_FLOAT32, 1, &n), s;
    double ref = 0;
    float *p = (float *)x.base;
    uint64_t st = 1;
    if (!gu_ok(x)) SKIP("no memory for 157 MB");
    for (i = 0; i < n; i++) {
        st = st * 6364136223846793005ull + 1442695040888963407ull;
        p[i] = (st >> 60) < 6 ? 0.0f : (float)((st >> 33) % 256) / 255.0f;  // mostly-dark digits
        ref += p[i];
    }
    s = gu_sum(x);
    CHECKF(fabs(gu_item(s) - ref) <= 1e-6 * ref, "sum %.9g vs float64 %.9g (rel %.3g)", gu_item(s), ref, fabs(gu_item(s) - ref) / ref);
    gu_free(&s);
    {   // mean over rows of the (50000, 784) view, the contiguous row-adding path
        int64_t sh[2] = {50000, 784};
        gu_tensor v = gu_view(x, 2, sh), m0 = gu_mean_dim(v, 0, 0);
        double r0 = 0;
        for (i = 0; i < 50000; i++) r0 += p[i * 784 + 400];
        r0 /= 50000;
        CHECKF(fabs(gu_get_flat(m0, 400) - r0) <= 1e-6 * r0, "mean(0)[400] %.9g vs %.9g", gu_get_flat(m0, 400), r0);
        gu_free(&m0);
    }
    gu_free(&x);
}

static void test_ops_lesson_cells(void) {
    float av[] = {10, 6, -4}, bv[] = {2, 8, 7}, mv[] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, cv[] = {10, 20, 30};
    int64_t n3 = 3, s33[2] = {3, 3};
    gu_tensor a = gu_from_data(GU_FLOAT32, 1, &n3, av), b = gu_from_data(GU_FLOAT32, 1, &n3, bv);
    gu_tensor m = gu_from_data(GU_FLOAT32, 2, s33, mv), c = gu_from_data(GU_FLOAT32, 1, &n3, cv);
    gu_tensor ab = gu_add(a, b), lt = gu_lt(a, b), ltf = gu_to(lt, GU_FLOAT32), mean = gu_mean(ltf);
    gu_tensor mm = gu_mul(m, m), s = gu_sum(mm), fro = gu_sqrt(s), nrm = gu_norm(m);
    gu_tensor mc = gu_add(m, gu_unsqueeze(c, 1)), outer = gu_mul(gu_unsqueeze(c, 0), gu_unsqueeze(c, 1)), gt = gu_gt(gu_unsqueeze(c, 0), gu_unsqueeze(c, 1));
    char *r;
    r = gu_repr(ab); CHECK_STREQ(r, "tensor([12., 14.,  3.])"); gu_free_mem(r);
    CHECK(fabs(gu_item(mean) - 2.0 / 3.0) < 1e-7);
    CHECK(fabs(gu_item(fro) - 16.881943016134134) < 1e-5 && gu_item(fro) == gu_item(nrm));
    r = gu_repr(mc); CHECK_STREQ(r, "tensor([[11., 12., 13.],\n        [24., 25., 26.],\n        [37., 38., 39.]])"); gu_free_mem(r);
    r = gu_repr(outer); CHECK_STREQ(r, "tensor([[100., 200., 300.],\n        [200., 400., 600.],\n        [300., 600., 900.]])"); gu_free_mem(r);
    r = gu_repr(gt); CHECK_STREQ(r, "tensor([[False,  True,  True],\n        [False, False,  True],\n        [False, False, False]])"); gu_free_mem(r);
    gu_free(&a); gu_free(&b); gu_free(&m); gu_free(&c); gu_free(&ab); gu_free(&lt); gu_free(&ltf); gu_free(&mean);
    gu_free(&mm); gu_free(&s); gu_free(&fro); gu_free(&nrm); gu_free(&mc); gu_free(&outer); gu_free(&gt);
}

static void test_ops_test_close(void) {
    float xv[] = {1, 2, 3, 4, 5, 6}, yv[] = {1, 2, 3.00002f, 4, 5.1f, 6};
    int64_t s23[2] = {2, 3}, s3 = 3;
    gu_tensor x = gu_from_data(GU_FLOAT32, 2, s23, xv), y = gu_from_data(GU_FLOAT32, 2, s23, yv), row = gu_from_data(GU_FLOAT32, 1, &s3, xv);
    gu_tensor top = gu_narrow(x, 0, 0, 1);
    CHECK(gu_test_close(x, x, 1e-5) == 1);
    CHECK(gu_test_close(x, y, 0.2) == 1);
    CHECK(gu_test_close(x, y, 1e-5) == 0);
    CHECKF(strstr(gu_error(), "2 of 6 elements") && strstr(gu_error(), "worst at [1, 1]: 5 vs 5.0999999"), "%s", gu_error());
    CHECK(gu_test_close(top, row, 1e-5) == 1);  // broadcasting (1, 3) with (3,)
    CHECK(gu_allclose(x, y, 0.03, 0) == 1);
    CHECK(gu_allclose(x, y, 1e-6, 1e-8) == 0 && strstr(gu_error(), "allclose"));
    {
        float nv[] = {NAN}, iv[] = {INFINITY};
        int64_t one = 1;
        gu_tensor nn = gu_from_data(GU_FLOAT32, 1, &one, nv), inf = gu_from_data(GU_FLOAT32, 1, &one, iv);
        CHECK(gu_test_close(nn, nn, 1) == 0);
        CHECK(gu_allclose(inf, inf, 0, 0) == 1);
        CHECK(gu_allclose(nn, nn, 0, 0) == 0);
        {   // a finite value is never close to an infinity, nor -inf to inf (torch.allclose)
            float ov[] = {1}, mv[] = {-INFINITY};
            gu_tensor o = gu_from_data(GU_FLOAT32, 1, &one, ov), minf = gu_from_data(GU_FLOAT32, 1, &one, mv);
            CHECK(gu_allclose(o, inf, 1e-5, 1e-8) == 0);
            CHECK(gu_allclose(inf, o, 1e-5, 1e-8) == 0);
            CHECK(gu_allclose(minf, inf, 1e-5, 1e-8) == 0 && gu_allclose(minf, minf, 1e-5, 1e-8) == 1);
            CHECK(gu_allclose(o, o, -1, 0) == 0 && strstr(gu_error(), "rtol"));   // tolerances < 0 refused
            CHECK(gu_allclose(o, o, 0, NAN) == 0 && strstr(gu_error(), "atol"));
            {   // two dtypes: refused, as torch.allclose does ("Long did not match Float")
                int64_t iv1 = 1;
                gu_tensor i1 = gu_from_data(GU_INT64, 1, &one, &iv1);
                CHECKF(gu_allclose(i1, o, 1e-5, 1e-8) == 0 && strstr(gu_error(), "dtypes differ") &&
                       strstr(gu_error(), "int64 and float32"), "%s", gu_error());
                CHECK(gu_test_close(i1, o, 1e-5) == 1);   // the lesson's test_close compares any two
                gu_free(&i1);
            }
            {   // 3.4e38 - (-3.4e38) overflows float32: not close, whatever the tolerance (torch)
                float bv[] = {3.4e38f}, nbv[] = {-3.4e38f};
                gu_tensor big = gu_from_data(GU_FLOAT32, 1, &one, bv), nbig = gu_from_data(GU_FLOAT32, 1, &one, nbv);
                CHECK(gu_allclose(big, nbig, 1e10, 0) == 0 && gu_allclose(big, nbig, 0, INFINITY) == 0);
                CHECK(gu_allclose(big, big, 0, 0) == 1);
                gu_free(&big); gu_free(&nbig);
            }
            gu_free(&o); gu_free(&minf);
        }
        {   // int64 compared exactly: 2^62 + 1 and 2^62 are one apart, the same double
            int64_t iv1[] = {((int64_t)1 << 62) + 1, INT64_MIN}, iv2[] = {(int64_t)1 << 62, INT64_MAX}, two = 2;
            gu_tensor i1 = gu_from_data(GU_INT64, 1, &two, iv1), i2 = gu_from_data(GU_INT64, 1, &two, iv2);
            CHECK(gu_allclose(gu_narrow(i1, 0, 0, 1), gu_narrow(i2, 0, 0, 1), 0, 0) == 0);
            CHECK(gu_allclose(gu_narrow(i1, 0, 0, 1), gu_narrow(i2, 0, 0, 1), 0, 1) == 1);
            CHECK(gu_allclose(gu_narrow(i1, 0, 1, 1), gu_narrow(i2, 0, 1, 1), 0, 1e18) == 0);   // 2^64 - 1 apart, no wrap
            CHECK(gu_allclose(i1, i1, 0, 0) == 1);
            gu_free(&i1); gu_free(&i2);
        }
        gu_free(&nn); gu_free(&inf);
    }
    gu_clear_error();
    gu_free(&x); gu_free(&y); gu_free(&row);
}

// ---- golden cases from PyTorch (fixtures/ops/golden.txt, made by gen_ops_golden.py) ----
// A line: `op arg... = result`; args T:dtype:shape:values (shape "2x3", "" for 0-d;
// values comma-separated), F:float scalar, I:int scalar, D:dim, K:keepdim; result a T: or E
// (PyTorch raised).
static gu_dtype to__dt(const char *s) {
    return !strcmp(s, "float32") ? GU_FLOAT32 : !strcmp(s, "int64") ? GU_INT64 : !strcmp(s, "uint8") ? GU_UINT8 : !strcmp(s, "bool") ? GU_BOOL : GU_INVALID;
}
static gu_tensor to__parse_t(char *s) {  // "T:dtype:shape:values"
    char *dt = s + 2, *sh = strchr(dt, ':'), *vals, *p;
    int64_t shape[GU_MAX_DIMS], i = 0;
    int nd = 0;
    gu_tensor t;
    *sh++ = 0;
    vals = strchr(sh, ':');
    *vals++ = 0;
    for (p = sh; *p; ) { shape[nd++] = strtoll(p, &p, 10); if (*p == 'x') p++; }
    t = gu_empty(to__dt(dt), nd, shape);
    for (p = vals; *p && i < t.storage_numel; i++) {
        if (t.dtype == GU_INT64) ((int64_t *)t.base)[i] = strtoll(p, &p, 10);
        else if (t.dtype == GU_FLOAT32) ((float *)t.base)[i] = (float)strtod(p, &p);
        else ((uint8_t *)t.base)[i] = (uint8_t)strtol(p, &p, 10);
        if (*p == ',') p++;
    }
    return t;
}
// Splits s at spaces in place (no strtok_r: it is POSIX, not C99).
static int to__split(char *s, char **tok, int max) {
    int n = 0;
    while (*s && n < max) {
        while (*s == ' ') *s++ = 0;
        if (!*s) break;
        tok[n++] = s;
        while (*s && *s != ' ') s++;
    }
    return n;
}
static void test_ops_golden_torch(void) {
    FILE *f = fopen("fixtures/ops/golden.txt", "r");
    char line[8192];
    int cases = 0, lineno = 0;
    if (!f) { CHECKF(0, "fixtures/ops/golden.txt is missing (run tests/fixtures/gen_ops_golden.py)"); return; }
    while (fgets(line, sizeof line, f)) {
        char *all[9], **tok = all + 1, *op;
        int nt, i, nten = 0, ok;
        gu_tensor t[3], want, got = gu__invalid();
        double fs = 0;
        int64_t is = 0;
        int dim = 0, keep = 0, has_f = 0, has_i = 0, want_err;
        lineno++;
        line[strcspn(line, "\n")] = 0;
        if (!line[0] || line[0] == '#') continue;
        nt = to__split(line, all, 9) - 1;
        op = all[0];
        if (nt < 2 || strcmp(tok[nt - 2], "=") != 0) { CHECKF(0, "golden line %d is malformed", lineno); continue; }
        for (i = 0; i < nt - 2; i++) {
            if (tok[i][0] == 'T') t[nten++] = to__parse_t(tok[i]);
            else if (tok[i][0] == 'F') { fs = strtod(tok[i] + 2, NULL); has_f = 1; }
            else if (tok[i][0] == 'I') { is = strtoll(tok[i] + 2, NULL, 10); has_i = 1; }
            else if (tok[i][0] == 'D') dim = atoi(tok[i] + 2);
            else if (tok[i][0] == 'K') keep = atoi(tok[i] + 2);
        }
        want_err = tok[nt - 1][0] == 'E';
        want = want_err ? gu__invalid() : to__parse_t(tok[nt - 1]);
        for (i = 0; i < 15; i++) {
            char nm[40];
            if (!strcmp(op, to__bin_names[i])) got = to__bins[i](t[0], t[1]);
            snprintf(nm, sizeof nm, "%s_s", to__bin_names[i]);
            if (!strcmp(op, nm) && has_f) got = to__scs[i](t[0], fs);
            snprintf(nm, sizeof nm, "%s_is", to__bin_names[i]);
            if (!strcmp(op, nm) && has_i) got = to__iscs[i](t[0], is);
        }
        if (!strcmp(op, "rsub_s")) got = gu_rsub_scalar(fs, t[0]);
        if (!strcmp(op, "rdiv_is")) got = gu_rdiv_iscalar(is, t[0]);
        if (!strcmp(op, "rpow_is")) got = gu_rpow_iscalar(is, t[0]);
        if (!strcmp(op, "rpow_s")) got = gu_rpow_scalar(fs, t[0]);
        if (!strcmp(op, "neg")) got = gu_neg(t[0]);
        if (!strcmp(op, "abs")) got = gu_abs(t[0]);
        if (!strcmp(op, "sqrt")) got = gu_sqrt(t[0]);
        if (!strcmp(op, "exp")) got = gu_exp(t[0]);
        if (!strcmp(op, "log")) got = gu_log(t[0]);
        if (!strcmp(op, "logical_not")) got = gu_logical_not(t[0]);
        if (!strcmp(op, "where")) got = gu_where(t[0], t[1], t[2]);
        if (!strcmp(op, "sum")) got = gu_sum(t[0]);
        if (!strcmp(op, "mean")) got = gu_mean(t[0]);
        if (!strcmp(op, "prod")) got = gu_prod(t[0]);
        if (!strcmp(op, "min")) got = gu_min(t[0]);
        if (!strcmp(op, "max")) got = gu_max(t[0]);
        if (!strcmp(op, "argmin")) got = gu_argmin(t[0]);
        if (!strcmp(op, "argmax")) got = gu_argmax(t[0]);
        if (!strcmp(op, "norm")) got = gu_norm(t[0]);
        if (!strcmp(op, "sum_dim")) got = gu_sum_dim(t[0], dim, keep);
        if (!strcmp(op, "mean_dim")) got = gu_mean_dim(t[0], dim, keep);
        if (!strcmp(op, "prod_dim")) got = gu_prod_dim(t[0], dim, keep);
        if (!strcmp(op, "min_dim")) got = gu_min_dim(t[0], dim, keep);
        if (!strcmp(op, "max_dim")) got = gu_max_dim(t[0], dim, keep);
        if (!strcmp(op, "argmin_dim")) got = gu_argmin_dim(t[0], dim, keep);
        if (!strcmp(op, "argmax_dim")) got = gu_argmax_dim(t[0], dim, keep);
        if (want_err) {
            CHECKF(!gu_ok(got), "golden line %d (%s): PyTorch raises, we gave a result", lineno, op);
        } else if (!gu_ok(got)) {
            CHECKF(0, "golden line %d (%s): %s", lineno, op, gu_error());
        } else if (got.dtype != want.dtype || !gu_same_shape(got, want)) {
            CHECKF(0, "golden line %d (%s): got %s %s, want %s %s", lineno, op, gu_dtype_name(got.dtype), GU__SHT(got), gu_dtype_name(want.dtype), GU__SHT(want));
        } else {
            // floats: exact, except libm functions and float32 sums, within a few ulps
            int loose = !strncmp(op, "rdiv", 4) /* PyTorch's 3 / t is t.reciprocal() * 3 */ || !strcmp(op, "pow") || !strncmp(op, "pow_", 4) || !strncmp(op, "rpow", 4) || !strcmp(op, "exp") || !strcmp(op, "log") ||
                        !strncmp(op, "sum", 3) || !strncmp(op, "mean", 4) || !strncmp(op, "prod", 4) || !strcmp(op, "norm");
            int64_t k, n = gu_numel(got);
            ok = 1;
            for (k = 0; k < n && ok; k++) {
                double g = gu_get_flat(got, k), w = gu_get_flat(want, k);
                if (got.dtype == GU_INT64) ok = ((int64_t *)got.base)[k] == ((int64_t *)want.base)[k];
                else if (g != g || w != w) ok = g != g && w != w;
                else ok = g == w || (loose && fabs(g - w) <= 4e-7 * fabs(w));
                if (!ok) CHECKF(0, "golden line %d (%s): element %lld is %.9g, PyTorch %.9g", lineno, op, (long long)k, g, w);
            }
        }
        gu_clear_error();
        gu_free(&got);
        gu_free(&want);
        for (i = 0; i < nten; i++) gu_free(&t[i]);
        cases++;
    }
    fclose(f);
    CHECKF(cases > 100, "only %d golden cases", cases);
}

// The forms that write into given tensors: _out of reductions, unary ops, where, and the
// in-place scalar forms, each against the allocating form.
static void test_ops_out_and_inplace_forms(void) {
    float mv[] = {3, -1, 4, 1, -5, 9};
    int64_t s23[2] = {2, 3}, s3 = 3, s13[2] = {1, 3};
    gu_tensor m = gu_from_data(GU_FLOAT32, 2, s23, mv), o3 = gu_zeros(GU_FLOAT32, 1, &s3), o13 = gu_zeros(GU_FLOAT32, 2, s13);
    gu_tensor l3 = gu_zeros(GU_INT64, 1, &s3), o23 = gu_zeros(GU_FLOAT32, 2, s23), b23 = gu_zeros(GU_BOOL, 2, s23);
    gu_tensor r, c, z = gu_scalar(GU_FLOAT32, 0);
    // m = [[3, -1, 4], [1, -5, 9]]
    CHECK(gu_sum_dim_out(o3, m, 0, 0) == 0 && gu_get_flat(o3, 0) == 4 && gu_get_flat(o3, 1) == -6 && gu_get_flat(o3, 2) == 13);
    CHECK(gu_max_dim_out(o13, m, 0, 1) == 0 && gu_get_flat(o13, 0) == 3 && gu_get_flat(o13, 1) == -1 && gu_get_flat(o13, 2) == 9);
    CHECK(gu_argmin_dim_out(l3, m, 0, 0) == 0 && gu_get_flat(l3, 0) == 1 && gu_get_flat(l3, 1) == 1 && gu_get_flat(l3, 2) == 0);
    CHECK(gu_mean_dim_out(o3, gu_t(m), 1, 0) == 0 && gu_get_flat(o3, 0) == 2 && gu_get_flat(o3, 1) == -3 && gu_get_flat(o3, 2) == 6.5);
    CHECK(gu_abs_out(o23, m) == 0 && gu_get_flat(o23, 1) == 1 && gu_get_flat(o23, 4) == 5);
    CHECK(gu_gt_out(b23, m, o3) == 0);  // m > [2, -3, 6.5], row broadcast
    CHECK(gu_get_flat(b23, 0) == 1 && gu_get_flat(b23, 1) == 1 && gu_get_flat(b23, 2) == 0 && gu_get_flat(b23, 4) == 0 && gu_get_flat(b23, 5) == 1);
    CHECK(gu_logical_not_out(b23, m) == 0 && gu_get_flat(b23, 0) == 0 && gu_get_flat(b23, 5) == 0);
    c = gu_gt_iscalar(m, 0);
    CHECK(gu_where_out(o23, c, m, z) == 0 && gu_get_flat(o23, 0) == 3 && gu_get_flat(o23, 1) == 0 && gu_get_flat(o23, 4) == 0);
    r = gu_where(c, m, o3);
    CHECK(gu_ok(r) && gu_get_flat(r, 0) == 3 && gu_get_flat(r, 1) == -3 && gu_get_flat(r, 4) == -3 && gu_get_flat(r, 5) == 9);
    gu_free(&r);
    // ((3 + 0.5) * 2 - 1) / 4 = 1.5 and ((0 + 0.5) * 2 - 1) / 4 = 0
    CHECK(gu_add_scalar_(o23, 0.5) == 0 && gu_mul_iscalar_(o23, 2) == 0 && gu_sub_iscalar_(o23, 1) == 0 && gu_div_scalar_(o23, 4) == 0);
    CHECK(gu_get_flat(o23, 0) == 1.5 && gu_get_flat(o23, 1) == 0);
    CHECK(gu_add_iscalar_(l3, 5) == 0 && gu_get_flat(l3, 0) == 6 && gu_get_flat(l3, 2) == 5);
    gu_free(&c);
    gu_free(&z);
    gu_free(&m); gu_free(&o3); gu_free(&o13); gu_free(&l3); gu_free(&o23); gu_free(&b23);
}


// ---- exact at the edges (ops): regressions found by the differential test vs PyTorch ----
static void test_ops_edges(void) {
    float xs[4] = {-INFINITY, -0.0f, 4.0f, 2.0f};
    int64_t s4[1] = {4}, s3[2] = {1, 3}, s2[1] = {2};
    gu_tensor x = gu_from_data(GU_FLOAT32, 1, s4, xs), r, o, a;
    // x ** 0.5 is sqrt (-inf -> nan, -0 -> -0), x ** -0.5 is 1 / sqrt (-0 -> -inf)
    r = gu_pow_scalar(x, 0.5);
    CHECK(isnan(gu_get_flat(r, 0)) && gu_get_flat(r, 1) == 0 && signbit(gu_get_flat(r, 1)) && gu_get_flat(r, 2) == 2);
    gu_free(&r);
    r = gu_pow_scalar(x, -0.5);
    CHECK(isnan(gu_get_flat(r, 0)) && isinf(gu_get_flat(r, 1)) && gu_get_flat(r, 1) < 0 && gu_get_flat(r, 2) == 0.5);
    gu_free(&r);
    r = gu_pow_iscalar(x, 3);  // x * x * x, as torch
    CHECK(gu_get_flat(r, 3) == 8 && gu_get_flat(r, 0) == -INFINITY);
    gu_free(&r);
    // uint8 ** 256: the exponent does not fit uint8, refused as torch (255 wraps)
    a = gu_full_i64(GU_UINT8, 1, s2, 3);
    r = gu_pow_iscalar(a, 256);
    CHECK(!gu_ok(r) && strstr(gu_error(), "overflow"));
    r = gu_pow_iscalar(a, 255);
    CHECK(gu_ok(r) && gu_get_flat(r, 0) == 171);
    gu_free(&r); gu_free(&a);
    // neg/abs out of another dtype: refused as torch ("Found dtype Float but expected Long")
    a = gu_ones(GU_INT64, 1, s2);
    o = gu_zeros(GU_FLOAT32, 1, s2);
    CHECK(gu_neg_out(o, a) == -1 && strstr(gu_error(), "dtype"));
    CHECK(gu_abs_out(o, a) == -1);
    CHECK(gu_neg_out(a, a) == 0);
    gu_free(&o); gu_free(&a);
    // einsum "ii->i" on (1, 3): a diagonal's sizes must agree (no broadcasting there)
    a = gu_ones(GU_FLOAT32, 2, s3);
    r = gu_einsum1("ii->i", a);
    CHECK(!gu_ok(r) && strstr(gu_error(), "repeated"));
    gu_free(&a);
    gu_free(&x);
}

static void suite_ops(void) {
    RUN(test_ops_edges);
    RUN(test_ops_out_and_inplace_forms);
    RUN(test_ops_lesson_cells);
    RUN(test_ops_promotion_table);
    RUN(test_ops_errors);
    RUN(test_ops_differential_vs_reference);
    RUN(test_ops_reductions_vs_reference);
    RUN(test_ops_sum_accuracy_39m);
    RUN(test_ops_test_close);
    RUN(test_ops_golden_torch);
}
