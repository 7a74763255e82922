// tests/test_core.c - the tensor, its views, errors and printing (issue: the core).

// ---- printing: character for character against PyTorch (fixtures/print/cases.txt) ----
// Returns the next line (empty lines included) and advances *p; NULL at the end.
static char *t__line(char **p) {
    char *s = *p, *nl;
    if (!s || !*s) return NULL;
    nl = strchr(s, '\n');
    if (nl) { *nl = 0; *p = nl + 1; } else *p = s + strlen(s);
    return s;
}

static void test_print_matches_torch(void) {
    char *text = t_read_file("fixtures/print/cases.txt", NULL), *line, *save;
    int ncases = 0;
    CHECKF(text != NULL, "fixtures/print/cases.txt missing (run tests/fixtures/gen_print.py)");
    if (!text) return;
    save = text;
    line = t__line(&save);
    while (line) {
        char name[64], sci[8], dts[16];
        gu_printopts o;
        int ndim = 0, i, nexpect = 0;
        int64_t shape[GU_MAX_DIMS], n = 1;
        gu_dtype dt;
        gu_tensor t;
        char *data, *p, *r, expect[20000];
        if (line[0] == '#') { line = t__line(&save); continue; }
        if (sscanf(line, "case %63s", name) != 1) break;
        memset(&o, 0, sizeof o);
        line = t__line(&save);
        sscanf(line, "opts %d %d %d %d %7s", &o.precision, &o.threshold, &o.edgeitems, &o.linewidth, sci);
        o.sci_mode = strcmp(sci, "on") == 0 ? GU_SCI_ON : strcmp(sci, "off") == 0 ? GU_SCI_OFF : GU_SCI_AUTO;
        line = t__line(&save);
        sscanf(line, "dtype %15s", dts);
        dt = strcmp(dts, "float32") == 0 ? GU_FLOAT32 : strcmp(dts, "int64") == 0 ? GU_INT64 : strcmp(dts, "uint8") == 0 ? GU_UINT8 : GU_BOOL;
        line = t__line(&save);
        p = line + 6;
        ndim = (int)strtol(p, &p, 10);
        for (i = 0; i < ndim; i++) { shape[i] = strtoll(p, &p, 10); n *= shape[i]; }
        line = t__line(&save);
        data = line + 4;  // "data" then values (may be empty: strtok skipped nothing as "data" is there)
        t = gu_empty(dt, ndim, shape);
        CHECK(gu_ok(t));
        p = data;
        for (i = 0; i < n; i++) {
            double v = strtod(p, &p);
            int64_t k = i;
            gu_tensor flat = gu_flatten(t);
            gu_set(flat, 1, &k, v);
            gu_free(&flat);
        }
        line = t__line(&save);
        sscanf(line, "expect %d", &nexpect);
        expect[0] = 0;
        for (i = 0; i < nexpect; i++) {
            line = t__line(&save);
            if (i) strcat(expect, "\n");
            strcat(expect, line);
        }
        gu_set_printoptions(o);
        r = gu_repr(t);
        t__cur = name;
        CHECK_STREQ(r, expect);
        t__cur = "test_print_matches_torch";
        gu_free_mem(r);
        gu_free(&t);
        ncases++;
        line = t__line(&save);
    }
    {
        gu_printopts zero;
        memset(&zero, 0, sizeof zero);
        gu_set_printoptions(zero);
    }
    CHECKF(ncases >= 30, "only %d print cases parsed", ncases);
    free(text);
}

// ---- views against a naive index computation ------------------------------------------
// A tiny deterministic generator for the property tests (xorshift).
static uint64_t t__rng = 0x9E3779B97F4A7C15ull;
static uint64_t t__next(void) { t__rng ^= t__rng << 13; t__rng ^= t__rng >> 7; t__rng ^= t__rng << 17; return t__rng; }
static int64_t t__randint(int64_t lo, int64_t hi) { return lo + (int64_t)(t__next() % (uint64_t)(hi - lo + 1)); }

// The naive model of a view: for every element of the view (row-major multi-index), the
// flat position in the base array, tracked as an explicit table instead of strides.
typedef struct { int ndim; int64_t shape[GU_MAX_DIMS]; int64_t *pos; int64_t n; } t__model;

static int64_t t__numel(int ndim, const int64_t *shape) { int64_t n = 1; int i; for (i = 0; i < ndim; i++) n *= shape[i]; return n; }
static void t__unravel(int64_t k, int ndim, const int64_t *shape, int64_t *idx) {
    int d;
    for (d = ndim - 1; d >= 0; d--) { idx[d] = shape[d] ? k % shape[d] : 0; k = shape[d] ? k / shape[d] : 0; }
}
static int64_t t__ravel(int ndim, const int64_t *shape, const int64_t *idx) {
    int64_t k = 0; int d;
    for (d = 0; d < ndim; d++) k = k * shape[d] + idx[d];
    return k;
}

static void test_view_chains_property(void) {
    int trial, step;
    for (trial = 0; trial < 400; trial++) {
        int64_t shape[GU_MAX_DIMS], n, i, idx[GU_MAX_DIMS], src[GU_MAX_DIMS];
        int ndim = (int)t__randint(1, 4), d;
        gu_tensor base, v, owned = gu__invalid();
        t__model m;
        for (d = 0; d < ndim; d++) shape[d] = t__randint(1, 5);
        n = t__numel(ndim, shape);
        base = gu_arange(0, (double)n, 1, GU_FLOAT32);
        v = gu_view(base, ndim, shape);
        CHECK(gu_ok(v));
        m.ndim = ndim;
        memcpy(m.shape, shape, sizeof shape);
        m.n = n;
        m.pos = (int64_t *)malloc(sizeof(int64_t) * (size_t)(n ? n : 1));
        for (i = 0; i < n; i++) m.pos[i] = i;
        for (step = 0; step < 6; step++) {
            int op = (int)t__randint(0, 6);
            t__model nm;
            gu_tensor nv = gu__invalid();
            nm.ndim = m.ndim;
            memcpy(nm.shape, m.shape, sizeof m.shape);
            if (op == 0 && m.ndim > 0) {  // slice with a random step, either sign
                int dd = (int)t__randint(0, m.ndim - 1);
                int64_t len = m.shape[dd], st = t__randint(-3, 3), a, b, cnt;
                if (st == 0) st = 1;
                a = t__randint(-len - 1, len + 1);
                b = t__randint(-len - 1, len + 1);
                nv = gu_slice(v, dd, a, b, st);
                // Python slice semantics, computed independently by enumeration.
                {
                    int64_t start = a, stop = b, j, tmp[64];
                    if (start < 0) start += len;
                    if (stop < 0) stop += len;
                    if (st > 0) { if (start < 0) start = 0; if (stop > len) stop = len; }
                    else { if (start > len - 1) start = len - 1; if (stop < -1) stop = -1; }
                    cnt = 0;
                    for (j = start; st > 0 ? j < stop : j > stop; j += st)
                        if (j >= 0 && j < len) tmp[cnt++] = j;
                    nm.shape[dd] = cnt;
                    nm.n = t__numel(nm.ndim, nm.shape);
                    nm.pos = (int64_t *)malloc(sizeof(int64_t) * (size_t)(nm.n ? nm.n : 1));
                    for (i = 0; i < nm.n; i++) {
                        t__unravel(i, nm.ndim, nm.shape, idx);
                        memcpy(src, idx, sizeof idx);
                        src[dd] = tmp[idx[dd]];
                        nm.pos[i] = m.pos[t__ravel(m.ndim, m.shape, src)];
                    }
                }
            } else if (op == 1 && m.ndim >= 2) {  // transpose
                int a = (int)t__randint(0, m.ndim - 1), b = (int)t__randint(0, m.ndim - 1);
                int64_t s;
                nv = gu_transpose(v, a, b);
                s = nm.shape[a]; nm.shape[a] = nm.shape[b]; nm.shape[b] = s;
                nm.n = m.n;
                nm.pos = (int64_t *)malloc(sizeof(int64_t) * (size_t)(nm.n ? nm.n : 1));
                for (i = 0; i < nm.n; i++) {
                    t__unravel(i, nm.ndim, nm.shape, idx);
                    memcpy(src, idx, sizeof idx);
                    src[a] = idx[b]; src[b] = idx[a];
                    nm.pos[i] = m.pos[t__ravel(m.ndim, m.shape, src)];
                }
            } else if (op == 2 && m.ndim < 6) {  // unsqueeze
                int dd = (int)t__randint(0, m.ndim);
                nv = gu_unsqueeze(v, dd);
                for (d = m.ndim; d > dd; d--) nm.shape[d] = nm.shape[d - 1];
                nm.shape[dd] = 1;
                nm.ndim = m.ndim + 1;
                nm.n = m.n;
                nm.pos = (int64_t *)malloc(sizeof(int64_t) * (size_t)(nm.n ? nm.n : 1));
                memcpy(nm.pos, m.pos, sizeof(int64_t) * (size_t)m.n);
            } else if (op == 3 && m.ndim > 0) {  // expand a size-1 dim, or add a leading dim
                int64_t want[GU_MAX_DIMS];
                int lead = m.ndim < 5 ? (int)t__randint(0, 1) : 0;
                nm.ndim = m.ndim + lead;
                if (lead) want[0] = t__randint(0, 3);
                for (d = 0; d < m.ndim; d++) want[d + lead] = m.shape[d] == 1 ? t__randint(1, 3) : m.shape[d];
                nv = gu_expand(v, nm.ndim, want);
                memcpy(nm.shape, want, sizeof want);
                nm.n = t__numel(nm.ndim, nm.shape);
                nm.pos = (int64_t *)malloc(sizeof(int64_t) * (size_t)(nm.n ? nm.n : 1));
                for (i = 0; i < nm.n; i++) {
                    t__unravel(i, nm.ndim, nm.shape, idx);
                    for (d = 0; d < m.ndim; d++) src[d] = m.shape[d] == 1 ? 0 : idx[d + lead];
                    nm.pos[i] = m.pos[t__ravel(m.ndim, m.shape, src)];
                }
            } else if (op == 4 && m.ndim > 0 && m.n > 0) {  // select
                int dd = (int)t__randint(0, m.ndim - 1);
                int64_t k = t__randint(-m.shape[dd], m.shape[dd] - 1), kk = k < 0 ? k + m.shape[dd] : k;
                nv = gu_select(v, dd, k);
                for (d = dd; d < m.ndim - 1; d++) nm.shape[d] = m.shape[d + 1];
                nm.ndim = m.ndim - 1;
                nm.n = t__numel(nm.ndim, nm.shape);
                nm.pos = (int64_t *)malloc(sizeof(int64_t) * (size_t)(nm.n ? nm.n : 1));
                for (i = 0; i < nm.n; i++) {
                    t__unravel(i, nm.ndim, nm.shape, idx);
                    for (d = 0; d < dd; d++) src[d] = idx[d];
                    src[dd] = kk;
                    for (d = dd + 1; d < m.ndim; d++) src[d] = idx[d - 1];
                    nm.pos[i] = m.pos[t__ravel(m.ndim, m.shape, src)];
                }
            } else if (op == 5) {  // reshape (view when possible, else a copy), row-major order kept
                int64_t want[2];
                int nd = m.n > 0 && t__randint(0, 1) ? 2 : 1;
                if (nd == 2) {
                    int64_t f = 1, c;
                    for (c = 1; c <= m.n; c++) if (m.n % c == 0 && t__randint(0, 2) == 0) f = c;
                    want[0] = f; want[1] = -1;
                } else want[0] = -1;
                nv = gu_reshape(v, nd, want);
                if (nv.owner) {  // a copy: keep it alive until the chain ends
                    gu_free(&owned);
                    owned = nv;
                    // the copy's element i holds what the old view held at i
                }
                nm.ndim = nd;
                if (nd == 2) { nm.shape[0] = want[0]; nm.shape[1] = m.n / want[0]; }
                else nm.shape[0] = m.n;
                nm.n = m.n;
                nm.pos = (int64_t *)malloc(sizeof(int64_t) * (size_t)(nm.n ? nm.n : 1));
                memcpy(nm.pos, m.pos, sizeof(int64_t) * (size_t)m.n);
            } else {
                continue;
            }
            CHECKF(gu_ok(nv), "op %d failed: %s", op, gu_error());
            if (!gu_ok(nv)) { free(nm.pos); break; }
            CHECK(nv.ndim == nm.ndim);
            for (d = 0; d < nm.ndim; d++) CHECK(nv.shape[d] == nm.shape[d]);
            // Every element of the view equals the base element the model says.
            for (i = 0; i < nm.n; i++) {
                double got = gu_get_flat(nv, i);
                t__unravel(i, nm.ndim, nm.shape, idx);
                CHECKF(got == (double)nm.pos[i], "op %d elem %lld: got %g want %lld", op, (long long)i, got, (long long)nm.pos[i]);
                if (got != (double)nm.pos[i]) break;
                if (nm.ndim > 0) CHECK(gu_get(nv, nm.ndim, idx) == got);
            }
            // A view never allocates: its storage is the base's or the reshape copy's.
            CHECK(nv.base == base.base || (gu_ok(owned) && nv.base == owned.base));
            free(m.pos);
            m = nm;
            v = nv;
            {   // contiguous() of the view holds the same elements
                gu_tensor c = gu_contiguous(v);
                CHECK(gu_is_contiguous(c));
                for (i = 0; i < m.n; i++) if (gu_get_flat(c, i) != (double)m.pos[i]) { CHECK(0); break; }
                gu_free(&c);
            }
        }
        free(m.pos);
        gu_free(&owned);
        gu_free(&base);
    }
}

// ---- the lesson's cells ------------------------------------------------------------------
static void test_lesson_cells(void) {
    int64_t sh33[2] = {3, 3}, s28[3] = {-1, 28, 28}, i2[2] = {20, 15};
    char buf[64];
    gu_tensor m = gu_arange(1, 10, 1, GU_FLOAT32), mm, c, e, img, imgs;
    mm = gu_view(m, 2, sh33);
    c = gu_arange(10, 40, 10, GU_FLOAT32);
    e = gu_expand_as(c, mm);
    CHECK_STREQ(gu_stride_str(e, buf, sizeof buf), "(0, 1)");
    CHECK(gu_storage_numel(e) == 3);
    CHECK_STREQ(gu_shape_str(gu_unsqueeze(c, 0), buf, sizeof buf), "(1, 3)");
    CHECK_STREQ(gu_shape_str(gu_unsqueeze(c, 1), buf, sizeof buf), "(3, 1)");
    CHECK_STREQ(gu_shape_str(gu_unsqueeze(c, -1), buf, sizeof buf), "(3, 1)");
    CHECK_STREQ(gu_shape_str(c, buf, sizeof buf), "(3,)");
    // reshape((-1,28,28)) of a (2, 784) stand-in, then imgs[0,20,15] == img[20*28+15]
    img = gu_arange(0, 2 * 784, 1, GU_FLOAT32);
    {
        int64_t s2[2] = {2, 784};
        gu_tensor x = gu_view(img, 2, s2);
        imgs = gu_reshape(x, 3, s28);
        CHECK_STREQ(gu_shape_str(imgs, buf, sizeof buf), "(2, 28, 28)");
        CHECK(imgs.base == img.base);  // a view: no copy
        {
            gu_tensor first = gu_select(imgs, 0, 0);
            CHECK(gu_get(first, 2, i2) == 20 * 28 + 15);
            CHECK(gu_item(gu_index(first, 2, i2)) == 20 * 28 + 15);
        }
        gu_free(&imgs);
    }
    gu_free(&img);
    gu_free(&c);
    gu_free(&m);
    gu_free(&mm);  // a view: harmless
    CHECK(!gu_ok(mm));
}

static void test_creation_and_casts(void) {
    int64_t sh[2] = {2, 3};
    float src[6] = {1.5f, -2.7f, 0, 3, 255.9f, -1};
    gu_tensor a = gu_from_data(GU_FLOAT32, 2, sh, src), b, w;
    gu_tensor i = gu_to(a, GU_INT64), u = gu_to(a, GU_UINT8), bo = gu_to(a, GU_BOOL), f;
    int64_t ix[2] = {0, 1};
    CHECK(gu_get(i, 2, ix) == -2);  // truncation toward zero, as PyTorch
    ix[1] = 0; CHECK(gu_get(u, 2, ix) == 1);
    ix[0] = 1; ix[1] = 1; CHECK(gu_get(u, 2, ix) == 255);
    ix[0] = 0; ix[1] = 2; CHECK(gu_get(bo, 2, ix) == 0);
    ix[1] = 1; CHECK(gu_get(bo, 2, ix) == 1);
    f = gu_to(bo, GU_FLOAT32);  // the lesson's (a < b).float()
    CHECK(gu_get(f, 2, ix) == 1.0);
    src[0] = 99;  // from_data copied
    ix[1] = 0; CHECK(gu_get(a, 2, ix) == 1.5);
    w = gu_wrap(GU_FLOAT32, 2, sh, src);  // wrap borrows
    CHECK(gu_get(w, 2, ix) == 99);
    CHECK(w.owner == 0);
    gu_set(w, 2, ix, 7);
    CHECK(src[0] == 7);
    gu_free(&w);  // harmless: src is ours
    b = gu_clone(gu_t(a));
    CHECK(gu_is_contiguous(b) && b.shape[0] == 3 && b.shape[1] == 2);
    ix[0] = 1; ix[1] = 1; CHECK(t__feq((float)gu_get(b, 2, ix), 255.9f));
    ix[0] = 2; ix[1] = 1; CHECK(gu_get(b, 2, ix) == -1);
    {
        gu_tensor z = gu_zeros(GU_INT64, 2, sh), o = gu_ones(GU_BOOL, 2, sh), fu = gu_full(GU_FLOAT32, 0, NULL, 2.5);
        CHECK(gu_get_flat(z, 5) == 0 && gu_get_flat(o, 5) == 1 && gu_item(fu) == 2.5);
        CHECK(gu_numel(fu) == 1 && fu.ndim == 0);
        gu_free(&z); gu_free(&o); gu_free(&fu);
    }
    {
        gu_tensor r = gu_arange(0, 1, 0.25, GU_FLOAT32);
        CHECK(gu_numel(r) == 4 && gu_get_flat(r, 3) == 0.75);
        gu_free(&r);
    }
    gu_free(&a); gu_free(&b); gu_free(&i); gu_free(&u); gu_free(&bo); gu_free(&f);
}

static void test_view_vs_reshape(void) {
    int64_t sh[2] = {4, 6}, flat = -1, s3[3] = {2, -1, 3};
    gu_tensor a = gu_arange(0, 24, 1, GU_FLOAT32), m = gu_view(a, 2, sh), t = gu_t(m), v, r;
    v = gu_view(t, 1, &flat);  // transposed: no view exists
    CHECK(!gu_ok(v));
    CHECK(strstr(gu_error(), "view:") && strstr(gu_error(), "reshape"));
    r = gu_reshape(t, 1, &flat);  // reshape copies
    CHECK(gu_ok(r) && r.owner && r.base != a.base);
    CHECK(gu_get_flat(r, 1) == 6);
    gu_free(&r);
    v = gu_view(gu_slice(m, 1, 0, 6, 2), 3, s3);  // every other column: still one chunk
    CHECKF(gu_ok(v) && gu_get_flat(v, 4) == 8, "%s", gu_error());
    v = gu_view(gu_slice(m, 1, 0, 4, 1), 1, &flat);  // (4, 4) of stride (6, 1): no view
    CHECK(!gu_ok(v));
    v = gu_view(gu_slice(m, 0, 0, 4, 2), 3, s3);  // rows 0 and 2: chunks line up
    CHECKF(gu_ok(v), "%s", gu_error());
    CHECK(gu_get_flat(v, 6) == 12);
    gu_free(&a);
}

static void test_errors_are_clean(void) {
    int64_t bad[2] = {5, 785}, two[2] = {-1, -1}, nine[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    int64_t huge[3] = {INT64_MAX / 2, 4, 2}, sh[2] = {5, 784}, idx[2] = {5, 0};
    int perm[2] = {0, 0};
    gu_tensor a = gu_zeros(GU_FLOAT32, 2, sh), r;
    CHECK(gu_ok(a));
    r = gu_view(a, 2, bad);
    CHECK(!gu_ok(r));
    CHECK_STREQ(gu_error(), "view: shape (5, 785) is invalid for input of size 3920");
    r = gu_reshape(a, 2, two);
    CHECK(!gu_ok(r) && strstr(gu_error(), "only one dimension can be inferred"));
    CHECK(gu_get(a, 2, idx) != gu_get(a, 2, idx));  // NaN
    CHECK(strstr(gu_error(), "index 5 is out of bounds for dim 0 with size 5"));
    CHECK(gu_set(a, 2, idx, 1) == -1);
    r = gu_select(a, 1, -785);
    CHECK(!gu_ok(r) && strstr(gu_error(), "select: index -785"));
    r = gu_zeros(GU_FLOAT32, 9, nine);
    CHECK(!gu_ok(r) && strstr(gu_error(), "9 dims requested, at most 8"));
    r = gu_zeros(GU_FLOAT32, 3, huge);
    CHECK(!gu_ok(r) && strstr(gu_error(), "more elements than int64 can count"));
    {   // no elements, but contiguous strides that would overflow int64
        int64_t empty_huge[3] = {3489710669LL * 1000, 0, 3489710669LL * 1000};
        r = gu_zeros(GU_FLOAT32, 3, empty_huge);
        CHECK(!gu_ok(r) && strstr(gu_error(), "zeros: shape (3489710669000, 0, 3489710669000) has more elements than int64"));
    }
    huge[0] = INT64_MAX / 8; huge[1] = 1; huge[2] = 1;
    r = gu_zeros(GU_FLOAT32, 3, huge);
    CHECK(!gu_ok(r) && (strstr(gu_error(), "too large to allocate") || strstr(gu_error(), "out of memory")));
    {
        int64_t ex[2] = {5, 10};
        r = gu_expand(a, 2, ex);
        CHECK(!gu_ok(r) && strstr(gu_error(), "expand: the expanded size 10 must match the existing size 784"));
    }
    r = gu_permute(a, perm);
    CHECK(!gu_ok(r) && strstr(gu_error(), "permute: dim 0 is repeated"));
    {
        gu_tensor v = a;
        int k;
        for (k = 0; k < 6; k++) v = gu_unsqueeze(v, 0);
        CHECK(gu_ok(v) && v.ndim == 8);
        r = gu_unsqueeze(v, 0);  // a 9th dim
        CHECK(!gu_ok(r) && strstr(gu_error(), "already has 8 dims"));
    }
    r = gu_transpose(a, 0, 2);
    CHECK(!gu_ok(r) && strstr(gu_error(), "transpose: dim 2 out of range"));
    // an invalid tensor passed on keeps the first message
    gu_view(a, 2, bad);
    r = gu_transpose(gu_view(a, 2, bad), 0, 1);
    CHECK(!gu_ok(r) && strstr(gu_error(), "view: shape (5, 785)"));
    CHECK(gu_numel(r) == 0);
    gu_free(&r);  // freeing an invalid tensor is harmless
    r = gu_arange(0, 1, 0, GU_FLOAT32);
    CHECK(!gu_ok(r) && strstr(gu_error(), "arange"));
    r = gu_empty(GU_INVALID, 0, NULL);
    CHECK(!gu_ok(r));
    {
        char *s = gu_repr(r);
        CHECK_STREQ(s, "tensor(invalid)");
        gu_free_mem(s);
    }
    gu_free(&a);
}

static void test_copy_and_contiguous(void) {
    int64_t sh[2] = {3, 4};
    gu_tensor a = gu_zeros(GU_FLOAT32, 2, sh), row = gu_arange(0, 4, 1, GU_FLOAT32), c;
    CHECK(gu_copy_(a, row) == 0);  // broadcast the row into every row
    CHECK(gu_get_flat(a, 9) == 1);
    c = gu_contiguous(a);
    CHECK(c.base == a.base && !c.owner);
    gu_free(&c);
    c = gu_contiguous(gu_t(a));
    CHECK(c.base != a.base && c.owner && gu_get_flat(c, 1) == 0 && gu_get_flat(c, 3) == 1);
    CHECK(gu_copy_(row, a) == -1 && strstr(gu_error(), "copy_"));
    gu_free(&c); gu_free(&a); gu_free(&row);
}

static void test_custom_values_roundtrip(void) {
    // negative steps reverse; squeeze; narrow; permute
    int64_t sh[3] = {2, 1, 3};
    int perm[3] = {2, 0, 1};
    gu_tensor a = gu_arange(0, 6, 1, GU_FLOAT32), v = gu_view(a, 3, sh), r;
    r = gu_slice(a, 0, GU_END, GU_REND, -1);
    CHECK(gu_numel(r) == 6 && gu_get_flat(r, 0) == 5 && gu_get_flat(r, 5) == 0);
    r = gu_squeeze(v, 1);
    CHECK(r.ndim == 2 && r.shape[1] == 3);
    r = gu_squeeze(v, 0);  // not size 1: unchanged, as PyTorch
    CHECK(r.ndim == 3);
    r = gu_squeeze_all(v);
    CHECK(r.ndim == 2);
    r = gu_narrow(a, 0, 2, 3);
    CHECK(gu_numel(r) == 3 && gu_get_flat(r, 0) == 2);
    r = gu_permute(v, perm);
    CHECK(r.shape[0] == 3 && r.shape[1] == 2 && r.shape[2] == 1 && gu_get_flat(r, 1) == 3);
    gu_free(&a);
}


// ---- exact at the edges: one regression per cause found by the differential test ----
// Each expected string is PyTorch 1.13's repr of the same tensor.
static void t__expect_repr(gu_tensor t, const char *want) {
    char *r = gu_repr(t);
    CHECK_STREQ(r, want);
    gu_free_mem(r);
}

static void test_edges_int64_exact(void) {
    int64_t v2[2] = {INT64_MAX, ((int64_t)1 << 53) + 1}, sh2[1] = {2}, i0[1] = {0}, i1[1] = {1};
    int64_t big = 1152921573326323713LL;
    gu_tensor t = gu_from_data(GU_INT64, 1, sh2, v2), c, f, u, z;
    // printing: exact digits, no cast of 2^63 to int64
    t__expect_repr(t, "tensor([9223372036854775807,    9007199254740993])");
    // get/set/item in int64
    CHECK(gu_get_i64(t, 1, i0) == INT64_MAX);
    CHECK(gu_set_i64(t, 1, i1, INT64_MIN) == 0 && gu_get_i64(t, 1, i1) == INT64_MIN);
    CHECK(gu_set_i64(t, 1, i1, v2[1]) == 0);
    z = gu_select(t, 0, 1);
    CHECK(gu_item_i64(z) == v2[1]);
    {   // a step far past the end (Python's t[::2**63-1]): one element, no overflow of its stride
        int64_t s212[2] = {2, 12};
        gu_tensor g = gu_zeros(GU_FLOAT32, 2, s212), h = gu_slice(gu_transpose(g, 0, 1), 0, 3, INT64_MAX, INT64_MAX);
        CHECK(gu_ok(h) && h.shape[0] == 1 && h.shape[1] == 2);
        int64_t at[2] = {1, 11}, first[2] = {1, 0};
        CHECK(gu_set(g, 2, at, 7) == 0);
        h = gu_slice(g, 1, -1, INT64_MIN + 1, -INT64_MAX);   // t[:, -1::-(2**63-1)]: the last column
        CHECK(gu_ok(h) && h.shape[1] == 1 && gu_get(h, 2, first) == 7);
        h = gu_slice(g, 1, 6, 0, INT64_MIN);   // Python's [6:0:-2**63]: column 6 alone
        CHECK(gu_ok(h) && h.shape[1] == 1 && h.offset == 6);
        h = gu_slice(g, 1, INT64_MAX, INT64_MIN, INT64_MIN);   // [::-2**63]: the last column
        CHECK(gu_ok(h) && h.shape[1] == 1 && gu_get(h, 2, first) == 7);
        h = gu_slice(g, 1, 0, 12, 5);   // 0, 5, 10: the stride times the step, as PyTorch
        CHECK(gu_ok(h) && h.shape[1] == 3 && h.stride[1] == 5);
        gu_free(&g);
    }
    // copy_ int64 -> int64 keeps every bit
    c = gu_zeros(GU_INT64, 1, sh2);
    CHECK(gu_copy_(c, t) == 0 && gu_get_i64(c, 1, i1) == v2[1]);
    // to(float32) rounds once: 1152921573326323713 -> 1.1529216420458004e18 (torch), not via double
    gu_set_i64(c, 1, i0, big);
    f = gu_to(c, GU_FLOAT32);
    CHECK(t__deq(gu_get(f, 1, i0), 1.1529216420458004e18));   // through a double (x87: no excess precision)
    // to(uint8) wraps: 2^53 + 1 -> 1
    u = gu_to(t, GU_UINT8);
    CHECK(gu_get_i64(u, 1, i1) == 1 && gu_get_i64(u, 1, i0) == 255);
    gu_free(&f); gu_free(&u);
    // to(float32) rounds to nearest, ties to even, once, on every target (values from torch:
    // torch.tensor([...], dtype=torch.int64).float())
    {
        static const int64_t iv[8] = {16777217, 16777219, -16777219, 33554435, 9007199254740993,
                                      INT64_MAX, INT64_MIN, 1152921573326323713};
        static const double fv[8] = {16777216.0, 16777220.0, -16777220.0, 33554436.0, 9007199254740992.0,
                                     9223372036854775808.0, -9223372036854775808.0, 1.1529216420458004e18};
        int64_t s8[1] = {8}, k;
        gu_tensor iv_t = gu_empty(GU_INT64, 1, s8), fv_t;
        for (k = 0; k < 8; k++) gu_set_i64(iv_t, 1, &k, iv[k]);
        fv_t = gu_to(iv_t, GU_FLOAT32);
        for (k = 0; k < 8; k++)
            CHECKF(gu_get(fv_t, 1, &k) == fv[k], "to(float32) of %lld gave %.17g, want %.17g",
                   (long long)iv[k], gu_get(fv_t, 1, &k), fv[k]);
        gu_free(&iv_t); gu_free(&fv_t);
    }
    // full/scalar/arange in int64
    f = gu_full_i64(GU_INT64, 1, sh2, INT64_MAX - 1);
    t__expect_repr(f, "tensor([9223372036854775806, 9223372036854775806])");
    gu_free(&f);
    f = gu_scalar_i64(GU_INT64, INT64_MIN);
    t__expect_repr(f, "tensor(-9223372036854775808)");
    gu_free(&f);
    f = gu_arange_i64(INT64_MAX - 2, INT64_MAX, 1, GU_INT64);
    t__expect_repr(f, "tensor([9223372036854775805, 9223372036854775806])");
    gu_free(&f);
    f = gu_full_i64(GU_UINT8, 1, sh2, -1);  // torch.full((2,), -1, dtype=uint8): wraps to 255
    t__expect_repr(f, "tensor([255, 255], dtype=torch.uint8)");
    gu_free(&f);
    // int64 sum wraps as torch: 3 * 2^62 -> -2^62
    {
        int64_t w[3] = {(int64_t)1 << 62, (int64_t)1 << 62, (int64_t)1 << 62}, sh3[1] = {3};
        gu_tensor a = gu_from_data(GU_INT64, 1, sh3, w), s = gu_sum(a);
        CHECK(gu_item_i64(s) == -((int64_t)1 << 62));
        gu_free(&s); gu_free(&a);
    }
    gu_free(&c); gu_free(&t);
}

static void test_edges_creation_and_copy(void) {
    int64_t e0[1] = {0}, e23[2] = {0, 3}, s3[1] = {3}, s2[2] = {2, 3};
    gu_tensor t, d, src;
    // empty shapes: no write into the 1-byte block (ASan caught 4 and 8 bytes written)
    t = gu_ones(GU_FLOAT32, 1, e0); CHECK(gu_ok(t) && gu_numel(t) == 0); gu_free(&t);
    t = gu_full(GU_INT64, 2, e23, 7); CHECK(gu_ok(t)); gu_free(&t);
    t = gu_full_i64(GU_INT64, 1, e0, 7); CHECK(gu_ok(t)); gu_free(&t);
    // values that do not fit: torch's "value cannot be converted to type uint8_t without overflow"
    t = gu_scalar(GU_UINT8, 300); CHECK(!gu_ok(t) && strstr(gu_error(), "overflow"));
    t = gu_full(GU_UINT8, 1, s3, -0.5); CHECK(!gu_ok(t));
    t = gu_full(GU_INT64, 1, s3, NAN); CHECK(!gu_ok(t));
    t = gu_full(GU_FLOAT32, 1, s3, 1e300); CHECK(!gu_ok(t));
    t = gu_full_i64(GU_UINT8, 1, s3, 256); CHECK(!gu_ok(t));
    t = gu_full(GU_FLOAT32, 1, s3, INFINITY); CHECK(gu_ok(t)); gu_free(&t);
    t = gu_full(GU_UINT8, 1, s3, 255); CHECK(gu_ok(t));
    { int64_t i0[1] = {0}; CHECK(gu_set(t, 1, i0, 256) == -1 && gu_set_i64(t, 1, i0, -255) == 0 && gu_get_i64(t, 1, i0) == 1); }
    gu_free(&t);
    // copy_ into an expanded destination: refused, as torch
    t = gu_zeros(GU_FLOAT32, 1, (int64_t[]){1});
    d = gu_expand(t, 1, s3);
    src = gu_ones(GU_FLOAT32, 1, s3);
    CHECK(gu_copy_(d, src) == -1 && strstr(gu_error(), "single memory location"));
    // ... except from itself (the same view: torch returns at once); another view of it is refused
    CHECK(gu_copy_(d, d) == 0 && gu_get_flat(t, 0) == 0);
    CHECK(gu_copy_(d, gu_expand(t, 1, s3)) == 0);
    CHECK(gu_copy_(d, t) == -1 && strstr(gu_error(), "single memory location"));
    // ... but an empty expanded view takes an in-place op and a copy (nothing to write)
    {
        gu_tensor e = gu_zeros(GU_FLOAT32, 2, e23), ee = gu_expand(e, 3, (int64_t[]){2, 0, 3});
        CHECK(gu_add_scalar_(ee, 1.0) == 0);
        CHECK(gu_copy_(ee, e) == 0);
        gu_free(&e);
    }
    gu_free(&src); gu_free(&t);
    // copy_ from a source that partly overlaps the destination: read first, as memmove
    // (NumPy's rule, the library's for every out; PyTorch refuses, README lists it)
    {
        gu_tensor x = gu_arange(0, 6, 1, GU_FLOAT32), z = gu_view(x, 2, (int64_t[]){3, 2});
        CHECK(gu_copy_(gu_slice(x, 0, 1, GU_END, 1), gu_slice(x, 0, 0, -1, 1)) == 0);
        CHECK(gu_get_flat(x, 0) == 0 && gu_get_flat(x, 1) == 0 && gu_get_flat(x, 5) == 4);
        CHECK(gu_copy_(x, x) == 0 && gu_get_flat(x, 5) == 4);
        CHECK(gu_copy_(gu_narrow(z, 0, 0, 2), gu_t(gu_narrow(z, 0, 0, 2))) == 0 && gu_get_flat(x, 1) == 1);
        gu_free(&x);
    }
    // arange: the step's sign must agree, bool is refused, integer dtypes truncate first
    t = gu_arange(-2, 20, -1, GU_INT64); CHECK(!gu_ok(t) && strstr(gu_error(), "inconsistent"));
    t = gu_arange(0, 2, 1, GU_BOOL); CHECK(!gu_ok(t));
    t = gu_arange(0, 5, 0.5, GU_INT64); CHECK(!gu_ok(t));
    t = gu_arange(0, INFINITY, 1, GU_FLOAT32); CHECK(!gu_ok(t));
    t = gu_arange(0.5, 5, 1.5, GU_INT64); t__expect_repr(t, "tensor([0, 1, 2, 3, 4])"); gu_free(&t);
    t = gu_arange(250, 260, 3, GU_UINT8); t__expect_repr(t, "tensor([250, 253,   0,   3], dtype=torch.uint8)"); gu_free(&t);
    // squeeze of a 0-d tensor: dim must be -1 or 0
    t = gu_scalar(GU_FLOAT32, 1);
    CHECK(!gu_ok(gu_squeeze(t, 5)) && strstr(gu_error(), "out of range"));
    CHECK(gu_ok(gu_squeeze(t, 0)) && gu_ok(gu_squeeze(t, -1)));
    gu_free(&t);
    (void)s2;
}

static void test_edges_printing(void) {
    gu_printopts o, dflt;
    float one_e9[2] = {1.0f, 1e9f};
    int64_t s2[1] = {2}, e03[2] = {0, 3};
    gu_tensor t = gu_from_data(GU_FLOAT32, 1, s2, one_e9), z = gu_zeros(GU_FLOAT32, 1, s2), e = gu_zeros(GU_FLOAT32, 2, e03);
    memset(&o, 0, sizeof o);
    memset(&dflt, 0, sizeof dflt);
    // sci_mode off on whole numbers that the automatic mode prints in scientific form
    o.sci_mode = GU_SCI_OFF; gu_set_printoptions(o);
    t__expect_repr(t, "tensor([        1., 1000000000.])");
    // sci_mode on with no nonzero finite value
    o.sci_mode = GU_SCI_ON; gu_set_printoptions(o);
    t__expect_repr(z, "tensor([0., 0.])");
    // the size= suffix wraps at linewidth as torch's _add_suffixes counts
    o.sci_mode = GU_SCI_AUTO; o.linewidth = 23; gu_set_printoptions(o);
    t__expect_repr(e, "tensor([],\n       size=(0, 3))");
    o.linewidth = 24; gu_set_printoptions(o);
    t__expect_repr(e, "tensor([], size=(0, 3))");
    // precision: every digit asked is printed, beyond the old 512-byte buffer
    o.linewidth = 0; o.precision = 1000; CHECK(gu_set_printoptions(o) == 0);
    {
        float third = 1.0f / 3.0f;
        gu_tensor s = gu_from_data(GU_FLOAT32, 0, NULL, &third);
        char *r = gu_repr(s), want[1100];
        int n = snprintf(want, sizeof want, "tensor(%.1000f)", (double)third);
        CHECK(r && (int)strlen(r) == n && strcmp(r, want) == 0);
        gu_free_mem(r);
        gu_free(&s);
    }
    // precision out of range is refused (never cut, never a hang); the options stay
    o.precision = 1001; CHECK(gu_set_printoptions(o) == -1 && strstr(gu_error(), "precision"));
    o.precision = 2147483647; CHECK(gu_set_printoptions(o) == -1);
    o.precision = -2; CHECK(gu_set_printoptions(o) == -1);
    CHECK(gu_get_printoptions().precision == 1000);
    gu_set_printoptions(dflt);
    gu_free(&t); gu_free(&z); gu_free(&e);
}

static void suite_core(void) {
    RUN(test_print_matches_torch);
    RUN(test_view_chains_property);
    RUN(test_lesson_cells);
    RUN(test_creation_and_casts);
    RUN(test_view_vs_reshape);
    RUN(test_errors_are_clean);
    RUN(test_copy_and_contiguous);
    RUN(test_custom_values_roundtrip);
    RUN(test_edges_int64_exact);
    RUN(test_edges_creation_and_copy);
    RUN(test_edges_printing);
}
