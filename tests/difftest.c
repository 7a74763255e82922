// tests/difftest.c - the differential test's interpreter: runs the cases that
// tools/difftest_gen.py wrote (from PyTorch 1.13 and NumPy) through groundup's PUBLIC API
// and compares: reprs character for character, integers and bools bit for bit, floats
// bit for bit or at the tolerance the generator stated for that check.
//
//   build/difftest CASES_FILE        prints one line per mismatch, then a summary; exit 1
//                                    if any case disagrees
//
// A case is a few statements on registers (r0, r1, ...), each one a public call; a
// statement that PyTorch refused is followed by "err", and groundup must refuse it too
// (the case ends there). The format is described in tools/difftest_gen.py.
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"

#define NREG 64
#define MAXTOK (1 << 16)  // values on one line (the generator stays far below)

static gu_tensor reg[NREG];
static int nmismatch, ncases, case_id, case_bad;
static long line_no;

static void mismatch(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
static void mismatch(const char *fmt, ...) {
    va_list ap;
    if (case_bad) return;  // one report per case
    case_bad = 1;
    nmismatch++;
    printf("MISMATCH case %d (line %ld): ", case_id, line_no);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

// ---- tokens of one line ----
static char *tok[MAXTOK];
static int ntok;
static void split(char *s) {
    ntok = 0;
    while (*s) {
        if (ntok == MAXTOK) { mismatch("case file: more than %d tokens on a line", MAXTOK); return; }
        while (*s == ' ') s++;
        if (!*s) break;
        tok[ntok++] = s;
        while (*s && *s != ' ') s++;
        if (*s) *s++ = 0;
    }
}
static int64_t I(int i) { return i < ntok ? strtoll(tok[i], NULL, 10) : 0; }
static double F(int i) { return i < ntok ? strtod(tok[i], NULL) : 0; }
static int R(int i) {
    int r = i < ntok && tok[i][0] == 'r' ? atoi(tok[i] + 1) : -1;
    return r >= 0 && r < NREG ? r : 0;
}
static gu_dtype DT(int i) {
    const char *s = i < ntok ? tok[i] : "";
    return strcmp(s, "float32") == 0 ? GU_FLOAT32 : strcmp(s, "int64") == 0 ? GU_INT64
         : strcmp(s, "uint8") == 0 ? GU_UINT8 : strcmp(s, "bool") == 0 ? GU_BOOL : GU_INVALID;
}
// "nd d0 d1 ..." at token i into shape; returns the index after it
static int SHAPE(int i, int *nd, int64_t *shape) {
    int k;
    *nd = (int)I(i);
    if (*nd < 0 || *nd > GU_MAX_DIMS) *nd = 0;
    for (k = 0; k < *nd; k++) shape[k] = I(i + 1 + k);
    return i + 1 + *nd;
}

// ---- the operation tables (public functions only) ----
typedef gu_tensor (*bin_fn)(gu_tensor, gu_tensor);
typedef int (*bin_out_fn)(gu_tensor, gu_tensor, gu_tensor);
typedef gu_tensor (*bins_fn)(gu_tensor, double);
typedef gu_tensor (*bini_fn)(gu_tensor, int64_t);
typedef gu_tensor (*rbins_fn)(double, gu_tensor);
typedef gu_tensor (*rbini_fn)(int64_t, gu_tensor);
typedef int (*bin_ip_fn)(gu_tensor, gu_tensor);
typedef int (*bins_ip_fn)(gu_tensor, double);
typedef int (*bini_ip_fn)(gu_tensor, int64_t);
typedef struct binop {
    const char *name;
    bin_fn f; bin_out_fn out; bins_fn s; bini_fn is; rbins_fn rs; rbini_fn ris;
    bin_ip_fn ip; bins_ip_fn sip; bini_ip_fn isip;
} binop;
#define B(X) #X, gu_##X, gu_##X##_out, gu_##X##_scalar, gu_##X##_iscalar
static const binop binops[] = {
    {B(add), 0, 0, gu_add_, gu_add_scalar_, gu_add_iscalar_},
    {B(sub), gu_rsub_scalar, gu_rsub_iscalar, gu_sub_, gu_sub_scalar_, gu_sub_iscalar_},
    {B(mul), 0, 0, gu_mul_, gu_mul_scalar_, gu_mul_iscalar_},
    {B(div), gu_rdiv_scalar, gu_rdiv_iscalar, gu_div_, gu_div_scalar_, gu_div_iscalar_},
    {B(pow), gu_rpow_scalar, gu_rpow_iscalar, gu_pow_, 0, 0},
    {B(maximum), 0, 0, 0, 0, 0},
    {B(minimum), 0, 0, 0, 0, 0},
    {B(gt), gu_rgt_scalar, gu_rgt_iscalar, 0, 0, 0},
    {B(lt), gu_rlt_scalar, gu_rlt_iscalar, 0, 0, 0},
    {B(ge), gu_rge_scalar, gu_rge_iscalar, 0, 0, 0},
    {B(le), gu_rle_scalar, gu_rle_iscalar, 0, 0, 0},
    {B(eq), 0, 0, 0, 0, 0},
    {B(ne), 0, 0, 0, 0, 0},
    {B(logical_and), 0, 0, 0, 0, 0},
    {B(logical_or), 0, 0, 0, 0, 0},
};
#undef B
static const binop *find_bin(const char *name) {
    size_t i;
    for (i = 0; i < sizeof binops / sizeof binops[0]; i++)
        if (strcmp(binops[i].name, name) == 0) return &binops[i];
    return NULL;
}
typedef struct unop { const char *name; gu_tensor (*f)(gu_tensor); int (*out)(gu_tensor, gu_tensor); } unop;
static const unop unops[] = {
    {"neg", gu_neg, gu_neg_out}, {"abs", gu_abs, gu_abs_out}, {"sqrt", gu_sqrt, gu_sqrt_out},
    {"exp", gu_exp, gu_exp_out}, {"log", gu_log, gu_log_out}, {"logical_not", gu_logical_not, gu_logical_not_out},
};
typedef struct redop {
    const char *name; gu_tensor (*all)(gu_tensor); gu_tensor (*dim)(gu_tensor, int, int);
    int (*out)(gu_tensor, gu_tensor, int, int);
} redop;
static const redop redops[] = {
    {"sum", gu_sum, gu_sum_dim, gu_sum_dim_out}, {"mean", gu_mean, gu_mean_dim, gu_mean_dim_out},
    {"prod", gu_prod, gu_prod_dim, gu_prod_dim_out}, {"min", gu_min, gu_min_dim, gu_min_dim_out},
    {"max", gu_max, gu_max_dim, gu_max_dim_out}, {"argmin", gu_argmin, gu_argmin_dim, gu_argmin_dim_out},
    {"argmax", gu_argmax, gu_argmax_dim, gu_argmax_dim_out},
};

// ---- values ----
// Compares one element: bit for bit when rtol = atol = 0 (NaN matches NaN, -0 only -0),
// else |got - want| <= atol + rtol * |want| with equal infinities and NaN matching NaN.
static int close_enough(double got, double want, double rtol, double atol) {
    if (want != want) return got != got;
    if (got != got) return 0;
    if (rtol == 0 && atol == 0) return got == want && signbit(got) == signbit(want);
    if (isinf(want) || isinf(got)) return got == want;
    return fabs(got - want) <= atol + rtol * fabs(want);
}

// vals X rtol atol dtype nd dims... values...
static void check_vals(void) {
    gu_tensor t = reg[R(1)], c;
    double rtol = F(2), atol = F(3);
    gu_dtype dt = DT(4);
    int nd, i, k;
    int64_t shape[GU_MAX_DIMS], n;
    k = SHAPE(5, &nd, shape);
    if (!gu_ok(t)) { mismatch("vals: register is invalid"); return; }
    if (t.dtype != dt) { mismatch("dtype %s, torch has %s", gu_dtype_name(t.dtype), gu_dtype_name(dt)); return; }
    if (t.ndim != nd || memcmp(t.shape, shape, (size_t)nd * sizeof shape[0]) != 0) {
        char a[200], b[200];
        gu_tensor w = gu_wrap(GU_FLOAT32, nd, shape, NULL);
        gu_shape_str(t, a, sizeof a);
        if (gu_ok(w)) gu_shape_str(w, b, sizeof b); else snprintf(b, sizeof b, "?");
        mismatch("shape %s, torch has %s", a, b);
        return;
    }
    n = gu_numel(t);
    if (ntok - k != n) { mismatch("case file: %d values for %lld elements", ntok - k, (long long)n); return; }
    c = gu_contiguous(t);
    for (i = 0; i < n; i++) {
        int64_t idx[GU_MAX_DIMS], rem = i;
        int d;
        for (d = nd - 1; d >= 0; d--) { idx[d] = rem % shape[d]; rem /= shape[d]; }
        if (dt == GU_FLOAT32) {
            double g = gu_get(c, nd, idx), w = F(k + i);
            if (!close_enough(g, w, rtol, atol)) { mismatch("element %d: %.9g, torch has %.9g (rtol %g atol %g)", i, g, w, rtol, atol); break; }
        } else {
            int64_t g = gu_get_i64(c, nd, idx), w = I(k + i);
            if (g != w) { mismatch("element %d: %lld, torch has %lld", i, (long long)g, (long long)w); break; }
        }
    }
    gu_free(&c);
}

// strides X ND S...: "x" marks a dim of size 1, whose stride carries no meaning
static int strides_match(gu_tensor t, int from) {
    int d;
    for (d = 0; d < t.ndim; d++)
        if (from + d < ntok && tok[from + d][0] != 'x' && t.stride[d] != I(from + d)) return 0;
    return 1;
}

// Undoes the generator's escapes: \n and \\ .
static void unescape(char *s) {
    char *o = s;
    for (; *s; s++) {
        if (*s == '\\' && s[1] == 'n') { *o++ = '\n'; s++; }
        else if (*s == '\\' && s[1] == '\\') { *o++ = '\\'; s++; }
        else *o++ = *s;
    }
    *o = 0;
}


// Runs one statement; returns 0 on success, -1 when groundup refused it.
static int run_stmt(char *raw) {
    const char *op;
    int nd, k, i;
    int64_t shape[GU_MAX_DIMS], idx[GU_MAX_DIMS];
    gu_tensor r;
    int produces = 1, rc = 0;
    static char rest[1 << 22];
    memset(&r, 0, sizeof r);
    // repr keeps its spaces: take the raw text after "repr rN "
    if (strncmp(raw, "repr ", 5) == 0) {
        char *sp = strchr(raw + 5, ' '), *s;
        int rr = atoi(raw + 6);
        if (!sp || rr < 0 || rr >= NREG) { mismatch("case file: bad repr line"); return 0; }
        snprintf(rest, sizeof rest, "%s", sp + 1);
        unescape(rest);
        s = gu_repr(reg[rr]);
        if (!s) { mismatch("repr failed: %s", gu_error()); return 0; }
        if (strcmp(s, rest) != 0) mismatch("repr differs:\n--- groundup\n%s\n--- torch\n%s", s, rest);
        gu_free_mem(s);
        return 0;
    }
    split(raw);
    if (ntok == 0) return 0;
    op = tok[0];
    gu_clear_error();
    if (strcmp(op, "new") == 0) {
        gu_dtype dt = DT(2);
        int64_t n = 1, j;
        void *buf;
        k = SHAPE(3, &nd, shape);
        for (i = 0; i < nd; i++) n *= shape[i];
        buf = calloc((size_t)(n > 0 ? n : 1), 8);
        for (j = 0; j < n && buf; j++) {
            if (dt == GU_FLOAT32) ((float *)buf)[j] = (float)F(k + (int)j);
            else if (dt == GU_INT64) ((int64_t *)buf)[j] = I(k + (int)j);
            else ((uint8_t *)buf)[j] = (uint8_t)I(k + (int)j);
        }
        r = gu_from_data(dt, nd, shape, buf);
        free(buf);
    } else if (strcmp(op, "zeros") == 0 || strcmp(op, "ones") == 0) {
        SHAPE(3, &nd, shape);
        r = op[0] == 'z' ? gu_zeros(DT(2), nd, shape) : gu_ones(DT(2), nd, shape);
    } else if (strcmp(op, "full") == 0) {
        k = SHAPE(3, &nd, shape);
        r = gu_full(DT(2), nd, shape, F(k));
    } else if (strcmp(op, "fulli") == 0) {
        k = SHAPE(3, &nd, shape);
        r = gu_full_i64(DT(2), nd, shape, I(k));
    } else if (strcmp(op, "scalar") == 0) r = gu_scalar(DT(2), F(3));
    else if (strcmp(op, "scalari") == 0) r = gu_scalar_i64(DT(2), I(3));
    else if (strcmp(op, "arange") == 0) r = gu_arange(F(2), F(3), F(4), DT(5));
    else if (strcmp(op, "arangei") == 0) r = gu_arange_i64(I(2), I(3), I(4), DT(5));
    // views
    else if (strcmp(op, "slice") == 0) {
        int64_t a = strcmp(tok[4], "E") == 0 ? GU_END : strcmp(tok[4], "RE") == 0 ? GU_REND : I(4);
        int64_t b = strcmp(tok[5], "E") == 0 ? GU_END : strcmp(tok[5], "RE") == 0 ? GU_REND : I(5);
        r = gu_slice(reg[R(2)], (int)I(3), a, b, I(6));
    }
    else if (strcmp(op, "select") == 0) r = gu_select(reg[R(2)], (int)I(3), I(4));
    else if (strcmp(op, "narrow") == 0) r = gu_narrow(reg[R(2)], (int)I(3), I(4), I(5));
    else if (strcmp(op, "index") == 0) {
        nd = (int)I(3);
        for (i = 0; i < nd && i < GU_MAX_DIMS; i++) idx[i] = I(4 + i);
        r = gu_index(reg[R(2)], nd, idx);
    }
    else if (strcmp(op, "unsqueeze") == 0) r = gu_unsqueeze(reg[R(2)], (int)I(3));
    else if (strcmp(op, "squeeze") == 0) r = gu_squeeze(reg[R(2)], (int)I(3));
    else if (strcmp(op, "squeezeall") == 0) r = gu_squeeze_all(reg[R(2)]);
    else if (strcmp(op, "expand") == 0) { SHAPE(3, &nd, shape); r = gu_expand(reg[R(2)], nd, shape); }
    else if (strcmp(op, "transpose") == 0) r = gu_transpose(reg[R(2)], (int)I(3), (int)I(4));
    else if (strcmp(op, "t") == 0) r = gu_t(reg[R(2)]);
    else if (strcmp(op, "permute") == 0) {
        int p[GU_MAX_DIMS];
        nd = (int)I(3);
        for (i = 0; i < nd && i < GU_MAX_DIMS; i++) p[i] = (int)I(4 + i);
        r = gu_permute(reg[R(2)], p);
    }
    else if (strcmp(op, "view") == 0) { SHAPE(3, &nd, shape); r = gu_view(reg[R(2)], nd, shape); }
    else if (strcmp(op, "reshape") == 0) { SHAPE(3, &nd, shape); r = gu_reshape(reg[R(2)], nd, shape); }
    else if (strcmp(op, "flatten") == 0) r = gu_flatten(reg[R(2)]);
    else if (strcmp(op, "contig") == 0) r = gu_contiguous(reg[R(2)]);
    else if (strcmp(op, "clone") == 0) r = gu_clone(reg[R(2)]);
    else if (strcmp(op, "to") == 0) r = gu_to(reg[R(2)], DT(3));
    // elementwise
    else if (strncmp(op, "bin", 3) == 0 || strncmp(op, "rbin", 4) == 0) {
        const binop *b = find_bin(tok[op[0] == 'r' ? 2 : (strcmp(op, "binout") == 0 || strncmp(op, "binip", 5) == 0) ? 1 : 2]);
        if (!b) { mismatch("case file: unknown binary op"); return 0; }
        if (strcmp(op, "bin") == 0) r = b->f(reg[R(3)], reg[R(4)]);
        else if (strcmp(op, "binf") == 0) r = b->s(reg[R(3)], F(4));
        else if (strcmp(op, "bini") == 0) r = b->is(reg[R(3)], I(4));
        else if (strcmp(op, "rbinf") == 0 && b->rs) r = b->rs(F(3), reg[R(4)]);
        else if (strcmp(op, "rbini") == 0 && b->ris) r = b->ris(I(3), reg[R(4)]);
        else if (strcmp(op, "binout") == 0) { produces = 0; rc = b->out(reg[R(2)], reg[R(3)], reg[R(4)]); }
        else if (strcmp(op, "binip") == 0 && b->ip) { produces = 0; rc = b->ip(reg[R(2)], reg[R(3)]); }
        else if (strcmp(op, "binipf") == 0 && b->sip) { produces = 0; rc = b->sip(reg[R(2)], F(3)); }
        else if (strcmp(op, "binipi") == 0 && b->isip) { produces = 0; rc = b->isip(reg[R(2)], I(3)); }
        else { mismatch("case file: no such form %s of %s", op, b->name); return 0; }
    } else if (strcmp(op, "un") == 0 || strcmp(op, "unout") == 0) {
        const unop *u = NULL;
        size_t j;
        for (j = 0; j < sizeof unops / sizeof unops[0]; j++)
            if (strcmp(unops[j].name, tok[op[2] == 'o' ? 1 : 2]) == 0) u = &unops[j];
        if (!u) { mismatch("case file: unknown unary op"); return 0; }
        if (op[2] == 'o') { produces = 0; rc = u->out(reg[R(2)], reg[R(3)]); }
        else r = u->f(reg[R(3)]);
    } else if (strcmp(op, "where") == 0) r = gu_where(reg[R(2)], reg[R(3)], reg[R(4)]);
    else if (strcmp(op, "whereout") == 0) { produces = 0; rc = gu_where_out(reg[R(1)], reg[R(2)], reg[R(3)], reg[R(4)]); }
    else if (strcmp(op, "red") == 0 || strcmp(op, "redd") == 0 || strcmp(op, "reddout") == 0) {
        const redop *d = NULL;
        size_t j;
        for (j = 0; j < sizeof redops / sizeof redops[0]; j++)
            if (strcmp(redops[j].name, tok[op[3] == 'd' && op[4] == 'o' ? 1 : 2]) == 0) d = &redops[j];
        if (!d) { mismatch("case file: unknown reduction"); return 0; }
        if (strcmp(op, "red") == 0) r = d->all(reg[R(3)]);
        else if (strcmp(op, "redd") == 0) r = d->dim(reg[R(3)], (int)I(4), (int)I(5));
        else { produces = 0; rc = d->out(reg[R(2)], reg[R(3)], (int)I(4), (int)I(5)); }
    } else if (strcmp(op, "norm") == 0) r = gu_norm(reg[R(2)]);
    else if (strcmp(op, "empty") == 0) { SHAPE(3, &nd, shape); r = gu_empty(DT(2), nd, shape); }
    else if (strcmp(op, "expandas") == 0) r = gu_expand_as(reg[R(2)], reg[R(3)]);
    else if (strcmp(op, "matmulout") == 0) { produces = 0; rc = gu_matmul_out(reg[R(1)], reg[R(2)], reg[R(3)]); }
    else if (strcmp(op, "rung") == 0) {
        const gu_matmul_rung *l = gu_matmul_ladder(NULL);
        for (; l->name && strcmp(l->name, tok[2]) != 0; l++) {}
        if (!l->name) { mismatch("case file: no rung %s", tok[2]); return 0; }
        r = l->fn(reg[R(3)], reg[R(4)]);
    }
    // structure checks: shape rX DTYPE ND DIMS... ; strides rX ND S... ; getflat rX I = F
    else if (strcmp(op, "shape") == 0 || strcmp(op, "strides") == 0) {
        gu_tensor t = reg[R(1)];
        int isshape = op[1] == 'h';
        produces = 0;
        SHAPE(isshape ? 3 : 2, &nd, shape);
        if (!gu_ok(t)) mismatch("%s: register is invalid", op);
        else if (isshape && t.dtype != DT(2)) mismatch("dtype %s, torch has %s", gu_dtype_name(t.dtype), tok[2]);
        else if (t.ndim != nd || (isshape && memcmp(t.shape, shape, (size_t)nd * sizeof shape[0]) != 0) ||
                 (!isshape && !strides_match(t, 3))) {
            char g[200];
            if (isshape) gu_shape_str(t, g, sizeof g); else gu_stride_str(t, g, sizeof g);
            mismatch("%s %s differ from torch's", op, g);
        }
    } else if (strcmp(op, "getflat") == 0) {
        double g = gu_get_flat(reg[R(1)], I(2));
        produces = 0;
        if (gu_error()[0]) rc = -1;
        else if (!close_enough(g, F(4), 0, 0)) mismatch("getflat: %.17g, torch has %s", g, tok[4]);
    }
    else if (strcmp(op, "matmul") == 0) r = gu_matmul(reg[R(2)], reg[R(3)]);
    else if (strcmp(op, "einsum") == 0) {
        gu_tensor ops[GU_EINSUM_MAX_OPERANDS];
        int n = (int)I(3);
        for (i = 0; i < n && i < GU_EINSUM_MAX_OPERANDS; i++) ops[i] = reg[R(4 + i)];
        r = gu_einsum(tok[2], n, ops);
    } else if (strcmp(op, "copy") == 0) { produces = 0; rc = gu_copy_(reg[R(1)], reg[R(2)]); }
    else if (strcmp(op, "set") == 0 || strcmp(op, "seti") == 0) {
        produces = 0;
        nd = (int)I(2);
        for (i = 0; i < nd && i < GU_MAX_DIMS; i++) idx[i] = I(3 + i);
        rc = op[3] == 'i' ? gu_set_i64(reg[R(1)], nd, idx, I(3 + nd)) : gu_set(reg[R(1)], nd, idx, F(3 + nd));
    }
    // checks that read a value: get/geti X n idx... = V ; item/itemi X = V ; dot X Y = V tol
    else if (strcmp(op, "get") == 0 || strcmp(op, "geti") == 0 || strcmp(op, "item") == 0 || strcmp(op, "itemi") == 0) {
        int isint = op[strlen(op) - 1] == 'i', isget = op[0] == 'g';
        double g = 0;
        int64_t gi = 0;
        produces = 0;
        nd = isget ? (int)I(2) : 0;
        for (i = 0; i < nd && i < GU_MAX_DIMS; i++) idx[i] = I(3 + i);
        k = isget ? 3 + nd + 1 : 3;  // after "="
        if (isint) gi = isget ? gu_get_i64(reg[R(1)], nd, idx) : gu_item_i64(reg[R(1)]);
        else g = isget ? gu_get(reg[R(1)], nd, idx) : gu_item(reg[R(1)]);
        if (gu_error()[0]) rc = -1;
        else if (isint ? gi != I(k) : !close_enough(g, F(k), 0, 0))
            mismatch("%s: %.17g, torch has %s", op, isint ? (double)gi : g, tok[k]);
    } else if (strcmp(op, "dot") == 0) {
        float g = gu_dot(reg[R(1)], reg[R(2)]);
        produces = 0;
        if (gu_error()[0]) rc = -1;
        else if (!close_enough(g, F(4), F(5), F(6))) mismatch("dot: %.9g, torch has %s", (double)g, tok[4]);
    } else if (strcmp(op, "allclose") == 0) {
        int g = gu_allclose(reg[R(1)], reg[R(2)], F(3), F(4));
        produces = 0;
        if (g < 0) rc = -1;
        else if (g != (int)I(6)) mismatch("allclose: %d, torch has %s", g, tok[6]);
    } else if (strcmp(op, "vals") == 0) { check_vals(); return 0; }
    else { mismatch("case file: unknown statement %s", op); return 0; }
    if (produces) {
        int rr = R(1);
        if (!gu_ok(r)) rc = -1;
        else reg[rr] = r;
    }
    return rc;
}

int main(int argc, char **argv) {
    FILE *f;
    static char line[1 << 22];
    int in_case = 0, skipping = 0, failed_prev = 0, j;
    if (argc < 2) { fprintf(stderr, "usage: difftest CASES_FILE\n"); return 2; }
    f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 2; }
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        line_no++;
        if (n == sizeof line - 1 && line[n - 1] != '\n') { mismatch("case file: line %ld too long", line_no); break; }
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (line[0] == '#' || n == 0) continue;
        if (strncmp(line, "case ", 5) == 0) {
            gu_printopts o;
            char sci[8] = "a";
            memset(&o, 0, sizeof o);
            case_id = atoi(line + 5);
            in_case = 1; skipping = 0; failed_prev = 0; case_bad = 0;
            ncases++;
            memset(reg, 0, sizeof reg);  // all invalid
            if (sscanf(line + 5, "%*d %d %d %d %d %7s", &o.precision, &o.threshold, &o.edgeitems, &o.linewidth, sci) == 5) {
                if (o.precision == 0) o.precision = GU_PRECISION_0;
                o.sci_mode = sci[0] == 'y' ? GU_SCI_ON : sci[0] == 'n' ? GU_SCI_OFF : GU_SCI_AUTO;
            }
            if (gu_set_printoptions(o) != 0) mismatch("set_printoptions refused: %s", gu_error());
            continue;
        }
        if (!in_case) continue;
        if (strcmp(line, "end") == 0) {
            if (failed_prev && !case_bad) mismatch("groundup refused a statement torch accepted: %s", gu_error());
            for (j = 0; j < NREG; j++) gu_free(&reg[j]);  // views are harmless to free
            in_case = 0;
            continue;
        }
        if (skipping) continue;
        if (strcmp(line, "err") == 0) {
            if (!failed_prev) mismatch("groundup accepted a statement torch refused");
            skipping = 1;  // the case ends at torch's error
            failed_prev = 0;
            continue;
        }
        if (failed_prev) { mismatch("groundup refused a statement torch accepted: %s", gu_error()); skipping = 1; continue; }
        failed_prev = run_stmt(line) != 0;
    }
    fclose(f);
    printf("difftest: %d cases, %d mismatches\n", ncases, nmismatch);
    return nmismatch ? 1 : 0;
}
