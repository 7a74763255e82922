// tests/test_ladder.c - every rung of the matmul ladder against a float64 reference
// (netlib's bound), einsum against explicit loops, the grid launchers, and the errors.
#include <float.h>
#include <math.h>

#ifndef LADDER_TRIALS
#define LADDER_TRIALS 300  // random shapes per run of the rung test (more: -DLADDER_TRIALS=2000)
#endif
static uint64_t ladder__rng = 0x9e3779b97f4a7c15ull;
static uint64_t ladder_next(void) {  // xorshift64*: the tests' own seeded stream
    ladder__rng ^= ladder__rng >> 12;
    ladder__rng ^= ladder__rng << 25;
    ladder__rng ^= ladder__rng >> 27;
    return ladder__rng * 2685821657736338717ull;
}
static float ladder_uniform(void) { return (float)((double)(ladder_next() >> 40) / (double)(1 << 24) * 2.0 - 1.0); }
static int64_t ladder_int(int64_t n) { return (int64_t)(ladder_next() >> 33) % n; }

static gu_tensor ladder_rand(int ndim, const int64_t *shape) {
    gu_tensor t = gu_empty(GU_FLOAT32, ndim, shape);
    int64_t i;
    for (i = 0; i < t.storage_numel; i++) ((float *)t.base)[i] = ladder_uniform();
    return t;
}

// A (rows, cols) view in one of several layouts; *own gets the owner to free.
enum { LADDER_CONTIG, LADDER_TRANSPOSED, LADDER_SLICED, LADDER_EXPANDED, LADDER_REVERSED, LADDER_NLAYOUTS };
static const char *ladder_layout_name[] = {"contiguous", "transposed", "sliced", "expanded", "reversed"};
static gu_tensor ladder_operand(int64_t rows, int64_t cols, int layout, gu_tensor *own) {
    int64_t sh[2];
    switch (layout) {
    case LADDER_TRANSPOSED:
        sh[0] = cols; sh[1] = rows;
        *own = ladder_rand(2, sh);
        return gu_t(*own);
    case LADDER_SLICED:  // every other row from 1, columns 2..2+cols of a wider tensor
        sh[0] = 2 * rows + 1; sh[1] = cols + 3;
        *own = ladder_rand(2, sh);
        return gu_narrow(gu_slice(*own, 0, 1, GU_END, 2), 1, 2, cols);
    case LADDER_EXPANDED:  // one row broadcast down (stride 0), or one column across
        if (ladder_int(2)) {
            sh[0] = 1; sh[1] = cols;
        } else {
            sh[0] = rows; sh[1] = 1;
        }
        *own = ladder_rand(2, sh);
        sh[0] = rows; sh[1] = cols;
        return gu_expand(*own, 2, sh);
    case LADDER_REVERSED:  // columns backwards: a negative stride
        sh[0] = rows; sh[1] = cols;
        *own = ladder_rand(2, sh);
        return gu_slice(*own, 1, -1, GU_REND, -1);
    default:
        sh[0] = rows; sh[1] = cols;
        *own = ladder_rand(2, sh);
        return *own;
    }
}

static double ladder_at(gu_tensor t, int64_t i, int64_t j) {
    return ((const float *)t.base)[t.offset + i * t.stride[0] + j * t.stride[1]];
}

// netlib's test: |C - Cref| / (eps * sum_k |a[i,k]| |b[k,j]|) < 16, per element, with a
// float64 reference; a zero denominator requires an exact zero. Returns the worst ratio.
static double ladder_netlib_ratio(gu_tensor a, gu_tensor b, gu_tensor c) {
    int64_t M = a.shape[0], K = a.shape[1], N = b.shape[1], i, j, k;
    double worst = 0;
    for (i = 0; i < M; i++)
        for (j = 0; j < N; j++) {
            double ref = 0, mag = 0, err;
            for (k = 0; k < K; k++) {
                ref += ladder_at(a, i, k) * ladder_at(b, k, j);
                mag += fabs(ladder_at(a, i, k) * ladder_at(b, k, j));
            }
            err = fabs(ladder_at(c, i, j) - ref);
            if (mag == 0) { if (err != 0) return INFINITY; continue; }
            if (err / (FLT_EPSILON * mag) > worst) worst = err / (FLT_EPSILON * mag);
        }
    return worst;
}

static void test_ladder_table(void) {
    int n = 0;
    const gu_matmul_rung *r = gu_matmul_ladder(&n);
    CHECK(n == 7);
    CHECK_STREQ(r[0].name, "matmul_3loops");
    CHECK_STREQ(r[n - 1].name, "matmul");
    CHECK(r[n].name == NULL && r[n].fn == NULL);
    CHECK(gu_matmul_ladder(NULL) == r);
}

// Every rung on random shapes 0..64 per dim in every layout, within netlib's bound.
static void test_ladder_rungs_vs_float64(void) {
    int n, trial, ri;
    const gu_matmul_rung *rungs = gu_matmul_ladder(&n);
    double worst[16] = {0};
    for (trial = 0; trial < LADDER_TRIALS; trial++) {
        // mostly small, some edge sizes (0 and 1), some up to 64
        int64_t dims[3];
        int d, la = trial % LADDER_NLAYOUTS, lb = (trial / LADDER_NLAYOUTS) % LADDER_NLAYOUTS;
        gu_tensor oa, ob, a, b;
        for (d = 0; d < 3; d++) {
            int64_t r = ladder_int(10);
            dims[d] = r == 0 ? 0 : r == 1 ? 1 : ladder_int(65);
        }
        if (trial == 0) { dims[0] = 5; dims[1] = 64; dims[2] = 10; }
        a = ladder_operand(dims[0], dims[1], la, &oa);
        b = ladder_operand(dims[1], dims[2], lb, &ob);
        CHECK(gu_ok(a) && gu_ok(b));
        for (ri = 0; ri < n; ri++) {
            gu_tensor c = rungs[ri].fn(a, b);
            double q;
            CHECKF(gu_ok(c), "%s on %s %s @ %s %s: %s", rungs[ri].name, GU__SHT(a), ladder_layout_name[la], GU__SHT(b),
                   ladder_layout_name[lb], gu_error());
            if (!gu_ok(c)) continue;
            CHECK(c.ndim == 2 && c.shape[0] == dims[0] && c.shape[1] == dims[2] && gu_is_contiguous(c) && c.owner);
            q = ladder_netlib_ratio(a, b, c);
            CHECKF(q < 16, "%s on %s %s @ %s %s: netlib ratio %g", rungs[ri].name, GU__SHT(a), ladder_layout_name[la],
                   GU__SHT(b), ladder_layout_name[lb], q);
            if (q > worst[ri]) worst[ri] = q;
            gu_free(&c);
        }
        gu_free(&oa);
        gu_free(&ob);
    }
    if (getenv("LADDER_VERBOSE"))  // the worst netlib ratio of each rung (the bar is 16)
        for (ri = 0; ri < n; ri++) printf("  %-26s worst ratio %.3f\n", rungs[ri].name, worst[ri]);
}

// The lesson's check: each rung agrees with matmul_3loops within 1e-3 (gu_test_close).
static void test_ladder_test_close(void) {
    int64_t sa[2] = {5, 784}, sb[2] = {784, 10};
    gu_tensor a = ladder_rand(2, sa), b = ladder_rand(2, sb), ref = gu_matmul_3loops(a, b);
    int n, ri;
    const gu_matmul_rung *rungs = gu_matmul_ladder(&n);
    for (ri = 1; ri < n; ri++) {
        gu_tensor c = rungs[ri].fn(a, b);
        CHECKF(gu_test_close(ref, c, 1e-3), "%s: %s", rungs[ri].name, gu_error());
        gu_free(&c);
    }
    gu_free(&a);
    gu_free(&b);
    gu_free(&ref);
}

static void test_ladder_shape_errors(void) {
    int64_t s1[2] = {5, 784}, s2[2] = {785, 10}, s3[3] = {2, 784, 10}, v[1] = {784};
    gu_tensor a = gu_zeros(GU_FLOAT32, 2, s1), b = gu_zeros(GU_FLOAT32, 2, s2);
    gu_tensor b3 = gu_zeros(GU_FLOAT32, 3, s3), vec = gu_zeros(GU_FLOAT32, 1, v);
    gu_tensor ai = gu_zeros(GU_INT64, 2, s1);
    int n, ri;
    const gu_matmul_rung *rungs = gu_matmul_ladder(&n);
    for (ri = 0; ri < n; ri++) {
        gu_tensor c;
        char want[128];
        gu_clear_error();
        c = rungs[ri].fn(a, b);
        CHECKF(!gu_ok(c), "%s accepted (5, 784) @ (785, 10)", rungs[ri].name);
        snprintf(want, sizeof want, "%s: (5, 784) @ (785, 10): inner dims 784 and 785 differ", rungs[ri].name);
        CHECK_STREQ(gu_error(), want);
        c = rungs[ri].fn(a, b3);
        CHECKF(!gu_ok(c) && strstr(gu_error(), "(5, 784) @ (2, 784, 10)") && strstr(gu_error(), "2-D"), "%s: %s",
               rungs[ri].name, gu_error());
        c = rungs[ri].fn(vec, b);
        CHECKF(!gu_ok(c) && strstr(gu_error(), "(784,) @ (785, 10)"), "%s: %s", rungs[ri].name, gu_error());
        c = rungs[ri].fn(ai, b);
        CHECKF(!gu_ok(c) && strstr(gu_error(), "float32"), "%s: %s", rungs[ri].name, gu_error());
        // an invalid input keeps the first message
        gu__seterr("first");
        c = rungs[ri].fn(gu_slice(a, 5, 0, 1, 1), b);
        CHECKF(!gu_ok(c), "%s accepted an invalid tensor", rungs[ri].name);
        CHECK_STREQ(gu_error(), "slice: dim 5 out of range for a tensor of shape (5, 784) (expected -2 to 1)");
    }
    gu_free(&a); gu_free(&b); gu_free(&b3); gu_free(&vec); gu_free(&ai);
}

static void test_ladder_dot(void) {
    int64_t n;
    for (n = 0; n < 70; n += (n < 40 ? 1 : 7)) {
        int64_t s2[2];
        gu_tensor x, y, m;
        double ref = 0, mag = 0;
        float got;
        int64_t i;
        s2[0] = 2; s2[1] = n;
        x = ladder_rand(1, &n);
        m = ladder_rand(2, s2);
        y = gu_select(m, 0, 1);
        for (i = 0; i < n; i++) {
            double p = (double)((float *)x.base)[i] * gu_get_flat(y, i);
            ref += p;
            mag += fabs(p);
        }
        got = gu_dot(x, y);
        CHECKF(fabs(got - ref) <= 16 * FLT_EPSILON * mag, "n=%d: %g vs %g", (int)n, got, ref);
        // strided: a column of m^T
        got = gu_dot(x, gu_select(gu_t(m), 1, 1));
        CHECKF(fabs(got - ref) <= 16 * FLT_EPSILON * mag, "strided n=%d: %g vs %g", (int)n, got, ref);
        gu_free(&x);
        gu_free(&m);
    }
    {
        int64_t s3 = 3, s4 = 4;
        gu_tensor a = gu_ones(GU_FLOAT32, 1, &s3), b = gu_ones(GU_FLOAT32, 1, &s4);
        CHECK(gu_dot(a, b) != gu_dot(a, b));  // NaN
        CHECK_STREQ(gu_error(), "dot: (3,) . (4,): expected two 1-D tensors of the same length");
        CHECK(gu_dot(a, a) == 3.0f);
        gu_free(&a);
        gu_free(&b);
    }
}

// >>einsum tests
static float ladder_f(gu_tensor t, int n, const int64_t *idx) { return (float)gu_get(t, n, idx); }
#define LADDER_IDX(...) (int64_t[]){__VA_ARGS__}

// |got - want| small relative to the sum of magnitudes that made want.
static int ladder_close(double got, double want, double mag) {
    return fabs(got - want) <= 16 * FLT_EPSILON * (mag > 1 ? mag : 1);
}

static gu_tensor ladder_randn(int ndim, const int64_t *shape) { return ladder_rand(ndim, shape); }

static void test_ladder_einsum_specs(void) {
    int64_t sa[2] = {3, 4}, sb[2] = {4, 5}, sq[2] = {4, 4}, sba[3] = {2, 3, 4}, sbb[3] = {2, 4, 5}, sv1 = 3, sv2 = 5;
    gu_tensor a = ladder_randn(2, sa), b = ladder_randn(2, sb), q = ladder_randn(2, sq);
    gu_tensor ba = ladder_randn(3, sba), bb = ladder_randn(3, sbb), v1 = ladder_randn(1, &sv1), v2 = ladder_randn(1, &sv2);
    gu_tensor r;
    int64_t i, j, k, bi;
    int ok;

    // a sum of -0 products is -0, an empty sum +0 (as NumPy and torch)
    {
        float m1 = -1, z = 0, one_f = 1;
        int64_t one = 1, none = 0;
        gu_tensor ops[3] = {gu_from_data(GU_FLOAT32, 0, NULL, &m1), gu_from_data(GU_FLOAT32, 0, NULL, &z),
                            gu_from_data(GU_FLOAT32, 0, NULL, &one_f)};
        gu_tensor jv = gu_from_data(GU_FLOAT32, 1, &one, &m1), kv = gu_from_data(GU_FLOAT32, 1, &one, &z), ev = gu_zeros(GU_FLOAT32, 1, &none);
        r = gu_einsum(",,->", 3, ops);
        CHECKF(gu_ok(r) && gu_item(r) == 0 && signbit(gu_item(r)), "%s", gu_error());
        gu_free(&r);
        r = gu_einsum2("j,k->", jv, kv);
        CHECKF(gu_ok(r) && gu_item(r) == 0 && signbit(gu_item(r)), "%s", gu_error());
        gu_free(&r);
        r = gu_einsum("i->", 1, &ev);
        CHECKF(gu_ok(r) && gu_item(r) == 0 && !signbit(gu_item(r)), "%s", gu_error());
        gu_free(&r);
        for (i = 0; i < 3; i++) gu_free(&ops[i]);
        gu_free(&jv);
        gu_free(&kv);
        gu_free(&ev);
    }
    // ik,kj->ij, and the implicit form, and with a transposed b (gemm 'T'), and a reversed a (copy)
    {
        const char *specs[4] = {"ik,kj->ij", "ik,kj", " ik , kj -> ij ", "ik,jk->ij"};
        int s;
        for (s = 0; s < 4; s++) {
            gu_tensor bop = s == 3 ? gu_t(b) : b;
            r = gu_einsum2(specs[s], a, bop);
            CHECKF(gu_ok(r) && r.ndim == 2 && r.shape[0] == 3 && r.shape[1] == 5, "%s: %s", specs[s], gu_error());
            ok = 1;
            for (i = 0; gu_ok(r) && i < 3; i++)
                for (j = 0; j < 5; j++) {
                    double want = 0, mag = 0;
                    for (k = 0; k < 4; k++) {
                        double p = (double)ladder_f(a, 2, LADDER_IDX(i, k)) * ladder_f(b, 2, LADDER_IDX(k, j));
                        want += p; mag += fabs(p);
                    }
                    ok &= ladder_close(ladder_f(r, 2, LADDER_IDX(i, j)), want, mag);
                }
            CHECKF(ok, "%s", specs[s]);
            gu_free(&r);
        }
    }
    // ik,kj->ikj then .sum(1) (the lesson's form)
    r = gu_einsum2("ik,kj->ikj", a, b);
    CHECK(gu_ok(r) && r.ndim == 3 && r.shape[0] == 3 && r.shape[1] == 4 && r.shape[2] == 5);
    ok = 1;
    for (i = 0; gu_ok(r) && i < 3; i++)
        for (k = 0; k < 4; k++)
            for (j = 0; j < 5; j++)
                ok &= t__feq(ladder_f(r, 3, LADDER_IDX(i, k, j)), ladder_f(a, 2, LADDER_IDX(i, k)) * ladder_f(b, 2, LADDER_IDX(k, j)));
    CHECK(ok);
    gu_free(&r);
    // bik,bkj->bij
    r = gu_einsum2("bik,bkj->bij", ba, bb);
    CHECK(gu_ok(r) && r.ndim == 3 && r.shape[0] == 2 && r.shape[1] == 3 && r.shape[2] == 5);
    ok = 1;
    for (bi = 0; gu_ok(r) && bi < 2; bi++)
        for (i = 0; i < 3; i++)
            for (j = 0; j < 5; j++) {
                double want = 0, mag = 0;
                for (k = 0; k < 4; k++) {
                    double p = (double)ladder_f(ba, 3, LADDER_IDX(bi, i, k)) * ladder_f(bb, 3, LADDER_IDX(bi, k, j));
                    want += p; mag += fabs(p);
                }
                ok &= ladder_close(ladder_f(r, 3, LADDER_IDX(bi, i, j)), want, mag);
            }
    CHECK(ok);
    gu_free(&r);
    // ij->ji, and implicit "ba" (alphabetical output: a transpose)
    {
        const char *specs[2] = {"ij->ji", "ba"};
        int s;
        for (s = 0; s < 2; s++) {
            r = gu_einsum1(specs[s], a);
            CHECKF(gu_ok(r) && r.ndim == 2 && r.shape[0] == 4 && r.shape[1] == 3 && r.owner, "%s", specs[s]);
            ok = 1;
            for (i = 0; gu_ok(r) && i < 3; i++)
                for (j = 0; j < 4; j++) ok &= ladder_f(r, 2, LADDER_IDX(j, i)) == ladder_f(a, 2, LADDER_IDX(i, j));
            CHECKF(ok, "%s", specs[s]);
            gu_free(&r);
        }
    }
    // ii-> trace, ii->i diagonal, ij-> sum
    {
        double tr = 0, mag = 0, sum = 0, smag = 0;
        for (i = 0; i < 4; i++) { tr += ladder_f(q, 2, LADDER_IDX(i, i)); mag += fabs(ladder_f(q, 2, LADDER_IDX(i, i))); }
        r = gu_einsum1("ii->", q);
        CHECK(gu_ok(r) && r.ndim == 0 && ladder_close(gu_item(r), tr, mag));
        gu_free(&r);
        r = gu_einsum1("ii", q);  // implicit: i appears twice, so it is summed
        CHECK(gu_ok(r) && r.ndim == 0 && ladder_close(gu_item(r), tr, mag));
        gu_free(&r);
        r = gu_einsum1("ii->i", q);
        CHECK(gu_ok(r) && r.ndim == 1 && r.shape[0] == 4);
        for (i = 0; gu_ok(r) && i < 4; i++) CHECK(gu_get_flat(r, i) == ladder_f(q, 2, LADDER_IDX(i, i)));
        gu_free(&r);
        for (i = 0; i < 3; i++)
            for (j = 0; j < 4; j++) { sum += ladder_f(a, 2, LADDER_IDX(i, j)); smag += fabs(ladder_f(a, 2, LADDER_IDX(i, j))); }
        r = gu_einsum1("ij->", a);
        CHECK(gu_ok(r) && r.ndim == 0 && ladder_close(gu_item(r), sum, smag));
        gu_free(&r);
    }
    // i,j->ij outer
    r = gu_einsum2("i,j->ij", v1, v2);
    CHECK(gu_ok(r) && r.ndim == 2 && r.shape[0] == 3 && r.shape[1] == 5);
    for (i = 0; gu_ok(r) && i < 3; i++)
        for (j = 0; j < 5; j++)
            CHECK(t__feq(ladder_f(r, 2, LADDER_IDX(i, j)), (float)gu_get_flat(v1, i) * (float)gu_get_flat(v2, j)));
    gu_free(&r);
    // ...ik,...kj->...ij: (2,1,3,4) and (5,4,2) broadcast to (2,5,3,2)
    {
        int64_t sx[4] = {2, 1, 3, 4}, sy[3] = {5, 4, 2};
        gu_tensor ox = ladder_randn(4, sx), y = ladder_randn(3, sy), x;
        int64_t p, u, w;
        int variant;
        for (variant = 0; variant < 2; variant++) {
            // variant 1: k reversed in x, so x is copied (its broadcast dim is not expanded)
            x = variant ? gu_slice(ox, 3, -1, GU_REND, -1) : ox;
            r = gu_einsum2("...ik,...kj->...ij", x, y);
            CHECKF(gu_ok(r) && r.ndim == 4 && r.shape[0] == 2 && r.shape[1] == 5 && r.shape[2] == 3 && r.shape[3] == 2, "%s",
                   gu_error());
            ok = 1;
            for (p = 0; gu_ok(r) && p < 2; p++)
                for (u = 0; u < 5; u++)
                    for (i = 0; i < 3; i++)
                        for (j = 0; j < 2; j++) {
                            double want = 0, mag = 0;
                            for (w = 0; w < 4; w++) {
                                double t = (double)ladder_f(x, 4, LADDER_IDX(p, 0, i, w)) * ladder_f(y, 3, LADDER_IDX(u, w, j));
                                want += t; mag += fabs(t);
                            }
                            ok &= ladder_close(ladder_f(r, 4, LADDER_IDX(p, u, i, j)), want, mag);
                        }
            CHECKF(ok, "variant %d", variant);
            gu_free(&r);
        }
        gu_free(&ox);
        gu_free(&y);
    }
    // three operands: ij,jk,kl->il
    {
        int64_t s1[2] = {2, 3}, s2[2] = {3, 4}, s3[2] = {4, 5};
        gu_tensor x = ladder_randn(2, s1), y = ladder_randn(2, s2), z = ladder_randn(2, s3);
        int64_t l;
        r = gu_einsum3("ij,jk,kl->il", x, y, z);
        CHECK(gu_ok(r) && r.ndim == 2 && r.shape[0] == 2 && r.shape[1] == 5);
        ok = 1;
        for (i = 0; gu_ok(r) && i < 2; i++)
            for (l = 0; l < 5; l++) {
                double want = 0, mag = 0;
                for (j = 0; j < 3; j++)
                    for (k = 0; k < 4; k++) {
                        double t = (double)ladder_f(x, 2, LADDER_IDX(i, j)) * ladder_f(y, 2, LADDER_IDX(j, k)) *
                                   ladder_f(z, 2, LADDER_IDX(k, l));
                        want += t; mag += fabs(t);
                    }
                ok &= ladder_close(ladder_f(r, 2, LADDER_IDX(i, l)), want, mag);
            }
        CHECK(ok);
        gu_free(&r);
        gu_free(&x); gu_free(&y); gu_free(&z);
    }
    // zero-size: a (3,0) @ (0,5) is zeros, a (0,4) @ (4,5) is (0,5)
    {
        int64_t z1[2] = {3, 0}, z2[2] = {0, 5};
        gu_tensor x = gu_empty(GU_FLOAT32, 2, z1), y = gu_empty(GU_FLOAT32, 2, z2);
        r = gu_einsum2("ik,kj->ij", x, y);
        CHECK(gu_ok(r) && r.shape[0] == 3 && r.shape[1] == 5);
        for (i = 0; gu_ok(r) && i < 15; i++) CHECK(gu_get_flat(r, i) == 0);
        gu_free(&r);
        r = gu_einsum2("ik,kj->ij", gu_t(y), gu_t(x));  // (5,0) @ (0,3)
        CHECK(gu_ok(r) && r.shape[0] == 5 && r.shape[1] == 3);
        for (i = 0; gu_ok(r) && i < 15; i++) CHECK(gu_get_flat(r, i) == 0);
        gu_free(&r);
        r = gu_einsum1("ij->", x);
        CHECK(gu_ok(r) && gu_item(r) == 0);
        gu_free(&r);
        gu_free(&x); gu_free(&y);
    }
    gu_free(&a); gu_free(&b); gu_free(&q); gu_free(&ba); gu_free(&bb); gu_free(&v1); gu_free(&v2);
}

// einsum against explicit loops on random strided batch products, through both paths.
static void test_ladder_einsum_random_batch(void) {
    int trial;
    for (trial = 0; trial < LADDER_TRIALS / 3; trial++) {
        int64_t B = ladder_int(4), M = ladder_int(9), K = ladder_int(9), N = ladder_int(9);
        int64_t sa[3], sb[3], bi, i, j, k;
        int perm[3] = {0, 2, 1};
        gu_tensor oa, ob, a, b, r;
        int ok = 1;
        sa[0] = B; sa[1] = M; sa[2] = K;
        sb[0] = B; sb[1] = N; sb[2] = K;
        oa = ladder_rand(3, sa);
        ob = ladder_rand(3, sb);
        a = trial & 1 ? gu_slice(oa, 2, -1, GU_REND, -1) : oa;  // reversed k: forces a copy
        b = gu_permute(ob, perm);                                // (B, K, N), k contiguous
        r = gu_einsum2("bik,bkj->bij", a, b);
        CHECKF(gu_ok(r) && r.shape[0] == B && r.shape[1] == M && r.shape[2] == N, "%s", gu_error());
        for (bi = 0; gu_ok(r) && bi < B; bi++)
            for (i = 0; i < M; i++)
                for (j = 0; j < N; j++) {
                    double want = 0, mag = 0;
                    for (k = 0; k < K; k++) {
                        double p = (double)ladder_f(a, 3, LADDER_IDX(bi, i, k)) * ladder_f(b, 3, LADDER_IDX(bi, k, j));
                        want += p; mag += fabs(p);
                    }
                    ok &= ladder_close(ladder_f(r, 3, LADDER_IDX(bi, i, j)), want, mag);
                }
        CHECKF(ok, "trial %d (%d,%d,%d,%d)", trial, (int)B, (int)M, (int)K, (int)N);
        gu_free(&r);
        // the output in another order: bij -> jbi
        r = gu_einsum2("bik,bkj->jbi", a, b);
        CHECK(gu_ok(r) && r.shape[0] == N && r.shape[1] == B && r.shape[2] == M);
        gu_free(&r);
        gu_free(&oa);
        gu_free(&ob);
    }
}

static void test_ladder_einsum_errors(void) {
    int64_t s1[2] = {5, 784}, s2[2] = {785, 10}, s3[2] = {784, 10};
    gu_tensor a = gu_zeros(GU_FLOAT32, 2, s1), b = gu_zeros(GU_FLOAT32, 2, s2), c = gu_zeros(GU_FLOAT32, 2, s3);
    gu_tensor ai = gu_zeros(GU_INT64, 2, s1), ops[2], r;
    struct { const char *spec; int n; const char *want; } cases[] = {
        {"ik,kj->ij", 1, "einsum: \"ik,kj->ij\" names 2 operands but 1 was given"},
        {"ik->ik", 2, "einsum: \"ik->ik\" names 1 operand but 2 were given"},
        {"ik,k2->i2", 2, "einsum: \"ik,k2->i2\": invalid character '2' at position 4 (subscripts are letters a-z, A-Z)"},
        {"ik,kj->iji", 2, "einsum: \"ik,kj->iji\": letter 'i' appears more than once in the output"},
        {"ik,kj->ix", 2, "einsum: \"ik,kj->ix\": output letter 'x' does not appear in the inputs"},
        {"ik,kj->ij", 2, "einsum: \"ik,kj->ij\": letter 'k' has size 785 in operand 1 (shape (785, 10)) but 784 elsewhere"},
        {"ijk,kj->ij", 2, "einsum: \"ijk,kj->ij\": operand 0 has shape (5, 784) (2 dims) but its subscripts name 3"},
        {"i.k,kj->ij", 2, "einsum: \"i.k,kj->ij\": a '.' at position 1 is not part of an ellipsis '...'"},
        {"......,kj", 2, "einsum: \"......,kj\": a term has more than one ellipsis '...'"},
        {"ik,kj->i-j", 2, "einsum: \"ik,kj->i-j\": invalid character '-' at position 8 (subscripts are letters a-z, A-Z)"},
        {"ik,kj->ij->", 2, "einsum: \"ik,kj->ij->\": unexpected '-' in the output subscripts"},
    };
    size_t i;
    ops[0] = a; ops[1] = b;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ops[1] = i == 5 ? b : c;  // only the size case needs the mismatched b
        gu_clear_error();
        r = gu_einsum(cases[i].spec, cases[i].n, ops);
        CHECKF(!gu_ok(r), "%s accepted", cases[i].spec);
        CHECK_STREQ(gu_error(), cases[i].want);
    }
    {   // '...' missing from the output: its dims are summed, as torch.einsum does
        int64_t s23[2] = {2, 3};
        gu_tensor base = gu_arange(0, 6, 1, GU_FLOAT32), x = gu_view(base, 2, s23), w = gu_ones(GU_FLOAT32, 2, s23);
        r = gu_einsum1("...i->", x);
        CHECK(gu_ok(r) && r.ndim == 0 && gu_item(r) == 15);
        gu_free(&r);
        r = gu_einsum1("i...->i", x);   // rows: 0+1+2, 3+4+5
        CHECK(gu_ok(r) && r.ndim == 1 && gu_get_flat(r, 0) == 3 && gu_get_flat(r, 1) == 12);
        gu_free(&r);
        r = gu_einsum2("...i,...i->i", x, w);   // columns: 0+3, 1+4, 2+5
        CHECK(gu_ok(r) && r.ndim == 1 && gu_get_flat(r, 0) == 3 && gu_get_flat(r, 2) == 7);
        gu_free(&r);
        gu_free(&base);
        gu_free(&w);
    }
    r = gu_einsum2("ik,kj->ij", ai, c);
    CHECK(!gu_ok(r));
    CHECK_STREQ(gu_error(), "einsum: \"ik,kj->ij\": operand 0 is int64 (5, 784); einsum works on float32");
    r = gu_einsum("ij", 0, ops);
    CHECK(!gu_ok(r) && strstr(gu_error(), "0 operands given"));
    r = gu_einsum(NULL, 1, ops);
    CHECK(!gu_ok(r) && strstr(gu_error(), "spec is NULL"));
    {   // 2^22 each, expanded (no memory): 2^66 products do not fit int64
        int64_t one = 1, big = (int64_t)1 << 22;
        gu_tensor o = gu_ones(GU_FLOAT32, 1, &one), v = gu_expand(o, 1, &big);
        r = gu_einsum3("i,j,k->", v, v, v);
        CHECK(!gu_ok(r));
        CHECK_STREQ(gu_error(), "einsum: \"i,j,k->\": the product of all letter sizes overflows int64");
        gu_free(&o);
    }
    gu_free(&a); gu_free(&b); gu_free(&c); gu_free(&ai);
}

// >>grid tests
typedef struct ladder_mm_args { gu_tensor a, b, c; } ladder_mm_args;

// The lesson's kernel: one (i, j) of the result, the third loop inside.
static void ladder_matmul_kernel(int64_t i, int64_t j, void *p) {
    ladder_mm_args *g = (ladder_mm_args *)p;
    if (i < g->c.shape[0] && j < g->c.shape[1]) {
        float tmp = 0.f;
        int64_t k;
        for (k = 0; k < g->a.shape[1]; k++) tmp += (float)(ladder_at(g->a, i, k) * ladder_at(g->b, k, j));
        ((float *)g->c.base)[i * g->c.shape[1] + j] = tmp;
    }
}
static void ladder_matmul_cuda(const gu_thread_ctx *ctx, void *p) {
    int64_t i, j;
    gu_grid(ctx, &i, &j);
    ladder_matmul_kernel(i, j, p);
}

typedef struct ladder_visit { int64_t nx, ny; int *hits; int64_t order_bad, last; } ladder_visit;
static void ladder_visit_kernel(int64_t i, int64_t j, void *p) {
    ladder_visit *v = (ladder_visit *)p;
    int64_t lin = i * v->ny + j;
    if (lin != v->last + 1) v->order_bad++;
    v->last = lin;
    v->hits[lin]++;
}
static void ladder_visit_cuda(const gu_thread_ctx *ctx, void *p) {
    ladder_visit *v = (ladder_visit *)p;
    int64_t i, j;
    gu_grid(ctx, &i, &j);
    if (ctx->blockDim.z != 1 || ctx->gridDim.z != 1 || ctx->threadIdx.x >= ctx->blockDim.x ||
        ctx->blockIdx.y >= ctx->gridDim.y)
        v->order_bad++;  // read only from the calling thread's job in 1-thread mode
    if (i < v->nx && j < v->ny) v->hits[i * v->ny + j]++;  // distinct (i,j) per thread: no race
}

static void test_ladder_launch_kernel(void) {
    int hits[7 * 5] = {0}, k, ok = 1;
    ladder_visit v;
    v.nx = 7; v.ny = 5; v.hits = hits; v.order_bad = 0; v.last = -1;
    gu_launch_kernel(ladder_visit_kernel, 7, 5, &v);
    for (k = 0; k < 35; k++) ok &= hits[k] == 1;
    CHECK(ok);
    CHECK(v.order_bad == 0);  // i outer, j inner, as the lesson's two loops
    gu_launch_kernel(ladder_visit_kernel, 0, 5, &v);
    gu_launch_kernel(ladder_visit_kernel, -3, 5, &v);
    CHECK(v.last == 34);
}

static void test_ladder_launch_cuda(void) {
    int nthreads;
    for (nthreads = 1; nthreads <= 3; nthreads++) {
        int hits[37 * 21], k, ok = 1;
        ladder_visit v;
        gu_dim3 tpb = {16, 16, 0}, blocks;  // z = 0 counts as 1
        memset(hits, 0, sizeof hits);
        v.nx = 37; v.ny = 21; v.hits = hits; v.order_bad = 0; v.last = -1;
        blocks.x = (37 + 15) / 16; blocks.y = (21 + 15) / 16; blocks.z = 1;
        gu_set_num_threads(nthreads);
        CHECK(gu_launch(ladder_visit_cuda, blocks, tpb, &v) == 0);
        for (k = 0; k < 37 * 21; k++) ok &= hits[k] == 1;
        CHECKF(ok, "threads %d", nthreads);
        if (nthreads == 1) CHECK(v.order_bad == 0);
    }
    gu_set_num_threads(0);
    {
        gu_dim3 g = {2, -1, 1}, b = {1, 1, 1};
        CHECK(gu_launch(ladder_visit_cuda, g, b, NULL) == -1);
        CHECK(strstr(gu_error(), "launch: negative size") != NULL);
        g.y = INT64_MAX;
        g.x = 4;
        CHECK(gu_launch(ladder_visit_cuda, g, b, NULL) == -1);
        CHECK(strstr(gu_error(), "more threads than int64") != NULL);
    }
}

// The lesson's matmul kernel through both launchers agrees with matmul_3loops (netlib's
// bound; not bit-exact, as the compiler may fuse 3loops' multiply-adds).
static void test_ladder_launch_matmul(void) {
    int64_t sa[2] = {37, 50}, sb[2] = {50, 10};
    ladder_mm_args g;
    gu_tensor ref;
    gu_dim3 tpb = {16, 16, 1}, blocks;
    g.a = ladder_rand(2, sa);
    g.b = ladder_rand(2, sb);
    ref = gu_matmul_3loops(g.a, g.b);
    g.c = gu_zeros(GU_FLOAT32, 2, ref.shape);
    gu_launch_kernel(ladder_matmul_kernel, 37, 10, &g);
    CHECK(ladder_netlib_ratio(g.a, g.b, g.c) < 16);
    CHECK(gu_test_close(ref, g.c, 1e-5));
    memset(g.c.base, 0, 370 * sizeof(float));
    blocks.x = (37 + 15) / 16; blocks.y = (10 + 15) / 16; blocks.z = 1;
    CHECK(gu_launch(ladder_matmul_cuda, blocks, tpb, &g) == 0);
    CHECK(ladder_netlib_ratio(g.a, g.b, g.c) < 16);
    CHECK(gu_test_close(ref, g.c, 1e-5));
    gu_free(&g.a); gu_free(&g.b); gu_free(&g.c); gu_free(&ref);
}

static void suite_ladder(void) {
    RUN(test_ladder_table);
    RUN(test_ladder_rungs_vs_float64);
    RUN(test_ladder_test_close);
    RUN(test_ladder_shape_errors);
    RUN(test_ladder_dot);
    RUN(test_ladder_einsum_specs);
    RUN(test_ladder_einsum_random_batch);
    RUN(test_ladder_einsum_errors);
    RUN(test_ladder_launch_kernel);
    RUN(test_ladder_launch_cuda);
    RUN(test_ladder_launch_matmul);
}
