// tests/test_mnist.c - the MNIST loader: the restricted unpickler, IDX, gzip,
// hostile inputs (truncation and mutation sweeps, the named attacks), the fuzz corpus, and
// the real data when `make data` has fetched it (skipped with a message otherwise).
// Fixtures: fixtures/mnist/, made by fixtures/gen_mnist_fixtures.py.
#include <dirent.h>

#define TM_DIR "fixtures/mnist/"

static void tm__free_all(gu_tensor *t, int n) {
    int i;
    for (i = 0; i < n; i++) gu_free(&t[i]);
}

// ---- the split fixtures: ((x, y), (x, y), (x, y)), x[i,j] = ((i*7+j*13+base)%256)/256 ----
static int tm__check_split(const char *name, gu_tensor *t, int count) {
    static const int ns[3] = {5, 3, 2};
    int k, i, j, bad = 0;
    if (count != 6) { CHECKF(0, "%s: %d arrays", name, count); return 0; }
    for (k = 0; k < 3; k++) {
        gu_tensor x = t[2 * k], y = t[2 * k + 1];
        if (x.dtype != GU_FLOAT32 || x.ndim != 2 || x.shape[0] != ns[k] || x.shape[1] != 4 || y.dtype != GU_INT64 ||
            y.ndim != 1 || y.shape[0] != ns[k]) {
            CHECKF(0, "%s: pair %d has wrong dtypes/shapes", name, k);
            return 0;
        }
        for (i = 0; i < ns[k]; i++) {
            for (j = 0; j < 4; j++)
                bad += ((float *)x.base)[i * 4 + j] != (float)((i * 7 + j * 13 + k) % 256) / 256.0f;
            bad += ((int64_t *)y.base)[i] != (i * 3 + k) % 10;
        }
    }
    CHECKF(bad == 0, "%s: %d wrong values", name, bad);
    return bad == 0;
}

static void test_mnist_pkl_all_protocols(void) {
    static const char *names[] = {"split_py3_p0.pkl", "split_py3_p1.pkl", "split_py3_p2.pkl", "split_py3_p3.pkl",
                                  "split_py3_p4.pkl", "split_py3_p5.pkl", "split_np2_p2.pkl", "split_np2_p4.pkl",
                                  "split_np2_p5.pkl", "split_py2_p0.pkl", "split_py2_p1.pkl", "split_py2_p2.pkl",
                                  "split_py2_p2.pkl.gz", "split_py2_p2_mark.pkl"};
    size_t k;
    for (k = 0; k < sizeof names / sizeof names[0]; k++) {
        char path[256];
        gu_tensor t[8];
        gu_mnist m;
        int count = -1;
        snprintf(path, sizeof path, TM_DIR "%s", names[k]);
        CHECKF(gu_pkl_load(path, t, 8, &count) == 0, "%s: %s", names[k], gu_error());
        tm__check_split(names[k], t, count);
        tm__free_all(t, count);
        CHECKF(gu_mnist_load_pkl(path, &m) == 0, "%s: %s", names[k], gu_error());
        CHECK(m.x_train.shape[0] == 5 && m.y_test.shape[0] == 2 && m.x_valid.dtype == GU_FLOAT32);
        gu_mnist_free(&m);
        CHECK(gu_data_format_of(path) == GU_FORMAT_PICKLE);
        // too small an output array is an error, and leaves nothing allocated
        CHECK(gu_pkl_load(path, t, 5, &count) == -1 && count == 0);
        CHECKF(strstr(gu_error(), "more than 5 arrays") != NULL, "%s", gu_error());
    }
}

// The same list as dtype_arrays() in the generator.
static void tm__check_dtypes(const char *name, gu_tensor *t, int count) {
    static const double f01[6] = {0, 0.5, 1, 1.5, 2, 2.5};
    int i;
    if (count != 15) { CHECKF(0, "%s: %d arrays", name, count); return; }
    for (i = 0; i < 2; i++) {
        int j;
        CHECKF(t[i].dtype == GU_FLOAT32 && t[i].ndim == 2 && t[i].shape[0] == 2 && t[i].shape[1] == 3, "%s: %d", name, i);
        for (j = 0; j < 6; j++) CHECKF(gu_get_flat(t[i], j) == f01[j], "%s: array %d [%d]", name, i, j);
    }
    CHECK(t[2].dtype == GU_FLOAT32 && gu_get_flat(t[2], 0) == (double)(float)0.1 && gu_get_flat(t[2], 1) == -2.5 &&
          gu_get_flat(t[2], 2) == (double)1e10f);
    CHECK(t[3].dtype == GU_INT64 && ((int64_t *)t[3].base)[0] == -5 && ((int64_t *)t[3].base)[2] == ((int64_t)1 << 40));
    CHECK(t[4].dtype == GU_INT64 && ((int64_t *)t[4].base)[0] == -1 && ((int64_t *)t[4].base)[2] == 2147483647);
    CHECK(t[5].dtype == GU_UINT8 && gu_get_flat(t[5], 1) == 255 && gu_get_flat(t[5], 2) == 7);
    CHECK(t[6].dtype == GU_BOOL && gu_get_flat(t[6], 0) == 1 && gu_get_flat(t[6], 1) == 0 && gu_get_flat(t[6], 2) == 1);
    {  // Fortran order: same values, Fortran strides
        int j;
        CHECKF(t[7].stride[0] == 1 && t[7].stride[1] == 2, "%s: fortran strides (%d, %d)", name, (int)t[7].stride[0], (int)t[7].stride[1]);
        for (j = 0; j < 6; j++) CHECKF(gu_get_flat(t[7], j) == j, "%s: fortran [%d]", name, j);
    }
    CHECK(t[8].dtype == GU_INT64 && ((int64_t *)t[8].base)[0] == -300 && ((int64_t *)t[8].base)[1] == 5);
    CHECK(t[9].dtype == GU_INT64 && ((int64_t *)t[9].base)[0] == 65535);
    CHECK(t[10].dtype == GU_INT64 && ((int64_t *)t[10].base)[0] == 4294967295LL);
    CHECK(t[11].dtype == GU_INT64 && ((int64_t *)t[11].base)[0] == -128 && ((int64_t *)t[11].base)[1] == 127);
    CHECK(t[12].dtype == GU_FLOAT32 && t[12].ndim == 2 && t[12].shape[0] == 0 && t[12].shape[1] == 3);
    {
        int j;
        CHECK(t[13].dtype == GU_INT64 && t[13].ndim == 3);
        for (j = 0; j < 8; j++) CHECKF(gu_get_flat(t[13], j) == j - 3, "%s: i8 3-d [%d]", name, j);
    }
    CHECK(t[14].dtype == GU_FLOAT32 && t[14].ndim == 0 && gu_item(t[14]) == 3.5);
}

static void test_mnist_pkl_dtypes(void) {
    static const char *names[] = {"dtypes_py3_p0.pkl", "dtypes_py3_p1.pkl", "dtypes_py3_p2.pkl", "dtypes_py3_p3.pkl",
                                  "dtypes_py3_p4.pkl", "dtypes_py3_p5.pkl", "dtypes_np2_p5.pkl", "dtypes_py2_p0.pkl",
                                  "dtypes_py2_p1.pkl", "dtypes_py2_p2.pkl"};
    size_t k;
    for (k = 0; k < sizeof names / sizeof names[0]; k++) {
        char path[256];
        gu_tensor t[20];
        int count = -1;
        snprintf(path, sizeof path, TM_DIR "%s", names[k]);
        CHECKF(gu_pkl_load(path, t, 20, &count) == 0, "%s: %s", names[k], gu_error());
        tm__check_dtypes(names[k], t, count);
        tm__free_all(t, count);
    }
    for (k = 0; k < 3; k++) {  // LONG1 dims, b'' as builtins.bytes()
        char path[256];
        gu_tensor t[2];
        int count = 0;
        snprintf(path, sizeof path, TM_DIR "zero_long_py3_p%d.pkl", k == 0 ? 0 : k == 1 ? 2 : 5);
        CHECKF(gu_pkl_load(path, t, 2, &count) == 0 && count == 1, "%s: %s", path, gu_error());
        if (count == 1) CHECK(t[0].ndim == 2 && t[0].shape[0] == 0 && t[0].shape[1] == ((int64_t)1 << 40));
        tm__free_all(t, count);
    }
    {  // one bare array is a result too
        gu_tensor t[2];
        int count = 0;
        CHECKF(gu_pkl_load(TM_DIR "single_py3_p4.pkl", t, 2, &count) == 0 && count == 1, "%s", gu_error());
        if (count == 1) CHECK(t[0].shape[0] == 5 && t[0].shape[1] == 4);
        tm__free_all(t, count);
    }
}

static void test_mnist_idx_types(void) {
    static const char *names[] = {"u8", "i8", "i16", "i32", "f32", "f64"};
    static const int vals[6] = {0, 1, 2, 3, 100, 127};
    int k, gz, j;
    for (k = 0; k < 6; k++)
        for (gz = 0; gz < 2; gz++) {
            char path[256];
            gu_tensor t;
            snprintf(path, sizeof path, TM_DIR "t_%s.idx%s", names[k], gz ? ".gz" : "");
            t = gu_idx_load(path);
            CHECKF(gu_ok(t), "%s: %s", path, gu_error());
            if (!gu_ok(t)) continue;
            CHECK(t.ndim == 2 && t.shape[0] == 2 && t.shape[1] == 3);
            CHECK(t.dtype == (k == 0 ? GU_UINT8 : k >= 4 ? GU_FLOAT32 : GU_INT64));
            for (j = 0; j < 6; j++) {
                double want = k == 0 ? vals[j] : k >= 4 ? vals[j] / 8.0 - 1.25 : vals[j] - 50;
                CHECKF(gu_get_flat(t, j) == want, "%s [%d]: %g != %g", path, j, gu_get_flat(t, j), want);
            }
            CHECK(gu_data_format_of(path) == GU_FORMAT_IDX);
            gu_free(&t);
        }
}

// The IDX directory and the pickle the generator built from it (the lesson's layout) agree
// bit for bit: pixel/256 and the split.
static void test_mnist_idx_dir_equals_pkl(void) {
    gu_mnist a, b;
    gu_tensor *ta = &a.x_train, *tb = &b.x_train;
    int k;
    CHECKF(gu_mnist_load_idx(TM_DIR "mini", &a) == 0, "%s", gu_error());
    CHECKF(gu_mnist_load_pkl(TM_DIR "mini_mnist.pkl.gz", &b) == 0, "%s", gu_error());
    CHECK(gu_data_format_of(TM_DIR "mini") == GU_FORMAT_IDX_DIR);
    CHECK(a.x_train.shape[0] == 10 && a.x_train.shape[1] == 784 && a.x_valid.shape[0] == 2 && a.x_test.shape[0] == 6);
    for (k = 0; k < 6; k++) {
        size_t bytes = (size_t)gu_numel(ta[k]) * gu_dtype_size(ta[k].dtype);
        CHECKF(gu_same_shape(ta[k], tb[k]) && ta[k].dtype == tb[k].dtype && memcmp(ta[k].base, tb[k].base, bytes) == 0,
               "tensor %d differs", k);
    }
    // pixel (i*31 + r*7 + c*3) % 256 with a blank top 4 rows; image 0, row 20, col 15
    CHECK(gu_get_flat(a.x_train, 20 * 28 + 15) == ((20 * 7 + 15 * 3) % 256) / 256.0);
    CHECK(gu_get_flat(a.y_valid, 0) == 0 && gu_get_flat(a.y_valid, 1) == 1 && gu_get_flat(a.y_test, 0) == 5);
    {
        gu_mnist c;
        CHECKF(gu_mnist_load(TM_DIR "mini", &c) == 0, "%s", gu_error());
        gu_mnist_free(&c);
        CHECK(gu_mnist_load(TM_DIR "t_u8.idx", &c) == -1 && strstr(gu_error(), "one IDX file"));
    }
    gu_mnist_free(&a);
    gu_mnist_free(&b);
}

static void test_mnist_to_float(void) {
    int64_t shape[3] = {2, 2, 2};
    uint8_t px[8] = {0, 1, 128, 255, 3, 4, 5, 6};
    gu_tensor u = gu_wrap(GU_UINT8, 3, shape, px), a = gu_mnist_to_float(u, 256), b = gu_mnist_to_float(u, 255);
    CHECK(a.ndim == 2 && a.shape[0] == 2 && a.shape[1] == 4);
    CHECK(gu_get_flat(a, 3) == 255.0 / 256.0 && gu_get_flat(b, 3) == 1.0 && t__feq((float)gu_get_flat(b, 2), 128.0f / 255.0f));
    gu_free(&a);
    gu_free(&b);
    a = gu_mnist_to_float(u, INFINITY);   // every pixel 0: refused, as 0, -1 and NaN are
    CHECKF(!gu_ok(a) && strstr(gu_error(), "finite divisor"), "%s", gu_error());
    a = gu_mnist_to_float(u, 0);
    CHECK(!gu_ok(a) && strstr(gu_error(), "finite divisor"));
    a = gu_mnist_to_float(u, NAN);
    CHECK(!gu_ok(a));
    u = gu_scalar(GU_FLOAT32, 1);
    a = gu_mnist_to_float(u, 255);
    CHECK(!gu_ok(a) && strstr(gu_error(), "mnist_to_float"));
    gu_free(&u);
}

// ---- hostile inputs -------------------------------------------------------------------------
static int tm__pkl_fails(const void *p, size_t n, const char *want) {
    gu_tensor t[4];
    int count = 0, rc;
    gu_clear_error();
    rc = gu_pkl_load_mem(p, n, t, 4, &count);
    if (rc == 0) { tm__free_all(t, count); CHECKF(0, "accepted, wanted an error with \"%s\"", want); return 0; }
    CHECKF(count == 0, "count %d after an error", count);
    CHECKF(strstr(gu_error(), want) != NULL, "error \"%s\" lacks \"%s\"", gu_error(), want);
    return 1;
}

#define TM_PKL_FAILS(lit, want) tm__pkl_fails(lit, sizeof(lit) - 1, want)

static void test_mnist_hostile_named(void) {
    gu_tensor t[4];
    int count = 0;
    // a pickle calling os.system (Python writes it as posix.system) and builtins.eval
    CHECK(gu_pkl_load(TM_DIR "evil_os_system.pkl", t, 4, &count) == -1);
    CHECKF(strstr(gu_error(), "refusing global posix.system") && strstr(gu_error(), "at byte 2"), "%s", gu_error());
    CHECK(gu_pkl_load(TM_DIR "evil_eval_p4.pkl", t, 4, &count) == -1);
    CHECKF(strstr(gu_error(), "refusing global builtins.eval") && strstr(gu_error(), "STACK_GLOBAL"), "%s", gu_error());
    // refused opcodes are named
    TM_PKL_FAILS("\x80\x02(cos\nsystem\nS'ls'\ntR.", "refusing global os.system");
    TM_PKL_FAILS("(i__main__\nX\n.", "refusing opcode INST");
    TM_PKL_FAILS("\x80\x02N)\x81.", "refusing opcode NEWOBJ");
    TM_PKL_FAILS("\x80\x05\x97.", "refusing opcode NEXT_BUFFER");
    TM_PKL_FAILS("\x80\x02}.", "refusing opcode EMPTY_DICT");
    TM_PKL_FAILS("\x80\x02\x82\x01.", "refusing opcode EXT1");
    TM_PKL_FAILS("\x80\x02Q.", "refusing opcode BINPERSID");
    // the messages say what is wrong and where, never an opcode that was not read
    tm__pkl_fails("", 0, "the input is empty (at byte 0)");
    CHECKF(!strstr(gu_error(), "opcode"), "%s", gu_error());
    TM_PKL_FAILS("x.", "unknown opcode 0x78 (at byte 0)");
    TM_PKL_FAILS("\x80\x02N", "the input ends without STOP (at byte 3)");
    TM_PKL_FAILS("\x80\x02N\xee.", "unknown opcode 0xee (at byte 3)");
    // a NUL in a global's name is shown, so that the refused name never reads as an allowed one
    TM_PKL_FAILS("cnumpy\x00x\nndarray\n.", "refusing global numpy\\x00x.ndarray");
    // a text PUT key just under 2^64 is too big for int64, not for 64 bits
    TM_PKL_FAILS("Np18446744073709551614\n.", "does not fit in int64");
    TM_PKL_FAILS("Np18446744073709551616\n.", "does not fit in 64 bits");
    CHECK(gu_pkl_load_mem("N.", 2, t, -1, &count) == -1 && strstr(gu_error(), "max is -1"));
    // LONG_BINPUT 0xFFFFFFFF: the memo takes any key without a 4G-entry table
    {
        static const unsigned char ok[] = {0x80, 2, ')', 'r', 0xff, 0xff, 0xff, 0xff, '0', 'j', 0xff, 0xff, 0xff, 0xff, '.'};
        CHECKF(gu_pkl_load_mem(ok, sizeof ok, t, 4, &count) == 0 && count == 0, "%s", gu_error());
        TM_PKL_FAILS("\x80\x02)r\xff\xff\xff\xff" "0j\xfe\xff\xff\xff.", "memo key 4294967294 was never stored");
    }
    // BINSTRING declaring 2 GiB in a 1 KiB file, raw and gzip'd: refused before allocating
    {
        unsigned char buf[1024], *gz;
        size_t gzn;
        memset(buf, 'N', sizeof buf);
        memcpy(buf, "\x80\x02T\xff\xff\xff\x7f", 7);
        tm__pkl_fails(buf, sizeof buf, "declares 2147483647 bytes but at most 1017 can follow");
        gz = t_gzip(buf, sizeof buf, &gzn);
        tm__pkl_fails(gz, gzn, "declares 2147483647 bytes but at most");
        free(gz);
        memcpy(buf, "\x80\x02T\xff\xff\xff\xff", 7);  // a negative BINSTRING length
        tm__pkl_fails(buf, sizeof buf, "negative length");
        memcpy(buf, "\x80\x04\x8e\xff\xff\xff\xff\xff\xff\xff\x7f", 11);  // BINBYTES8 of 2^63-1
        tm__pkl_fails(buf, sizeof buf, "can follow");
    }
    // 100000 nested MARKs
    {
        char *marks = (char *)malloc(100001);
        memset(marks, '(', 100000);
        marks[100000] = '.';
        tm__pkl_fails(marks, 100001, "MARKs nested deeper than");
        free(marks);
    }
    // deep nesting through tuples, a list appended to itself, lists changed after use
    {
        char deep[400];
        int i;
        for (i = 0; i < 150; i++) deep[i] = '(';
        deep[150] = ')';
        for (i = 0; i < 150; i++) deep[151 + i] = 't';
        deep[301] = '.';
        tm__pkl_fails(deep, 302, "nested deeper than");
        TM_PKL_FAILS("\x80\x02]q\x00h\x00" "a.", "a list appended to itself");
        TM_PKL_FAILS("\x80\x02]q\x00\x85h\x00Na.", "already inside another object");
    }
    // STOP must end the pickle; no STOP; stack underflow; unknown opcode
    TM_PKL_FAILS("\x80\x02N.N", "bytes follow STOP");
    TM_PKL_FAILS("\x80\x02N", "ends without STOP");
    TM_PKL_FAILS("\x80\x02.", "stack underflow");
    TM_PKL_FAILS("\x80\x02\xff.", "unknown opcode");
    TM_PKL_FAILS("\x80\x06N.", "protocol 6");
    // an array whose data does not match its shape
    TM_PKL_FAILS("\x80\x02" "cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85U\x01" "b\x87R(K\x01K\x03\x85" "cnumpy\ndtype\nU\x02" "f4K\x00K\x01\x87R(K\x03U\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb\x89U\x04" "abcdtb.", "needs 12 bytes, the data has 4");
    // IDX with dims 0xFFFFFFFF x 3, and other bad headers
    {
        static const unsigned char big[] = {0, 0, 8, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 1, 2, 3};
        static const unsigned char big2[] = {0, 0, 8, 2, 0, 1, 0, 0, 0, 1, 0, 0, 1};
        static const unsigned char nd0[] = {0, 0, 8, 0};
        static const unsigned char nd9[] = {0, 0, 8, 9};
        static const unsigned char badtype[] = {0, 0, 7, 1, 0, 0, 0, 1, 5};
        static const unsigned char extra[] = {0, 0, 8, 1, 0, 0, 0, 1, 5, 6};
        gu_tensor r = gu_idx_load_mem(big, sizeof big);
        CHECKF(!gu_ok(r) && strstr(gu_error(), "overflow"), "%s", gu_error());
        r = gu_idx_load_mem(big2, sizeof big2);
        CHECKF(!gu_ok(r) && strstr(gu_error(), "at most"), "%s", gu_error());
        r = gu_idx_load_mem(nd0, sizeof nd0);
        CHECKF(!gu_ok(r) && strstr(gu_error(), "0 dims"), "%s", gu_error());
        r = gu_idx_load_mem(nd9, sizeof nd9);
        CHECK(!gu_ok(r));
        r = gu_idx_load_mem(badtype, sizeof badtype);
        CHECKF(!gu_ok(r) && strstr(gu_error(), "type code 0x07"), "%s", gu_error());
        r = gu_idx_load_mem(extra, sizeof extra);
        CHECKF(!gu_ok(r) && strstr(gu_error(), "need 1 bytes of data but 2 follow"), "%s", gu_error());
    }
    // gzip: a bad CRC, trailing garbage, truncation, a plain file named .gz
    {
        size_t n, k;
        unsigned char *gz = (unsigned char *)t_read_file(TM_DIR "t_u8.idx.gz", &n), *more;
        gu_tensor r;
        if (!gz) { CHECK(0); return; }
        gz[n - 8] ^= 1;  // the CRC-32 in the trailer
        r = gu_idx_load_mem(gz, n);
        CHECKF(!gu_ok(r) && strstr(gu_error(), "incorrect data check"), "%s", gu_error());
        gz[n - 8] ^= 1;
        gz[n - 3] ^= 1;  // the length in the trailer
        r = gu_idx_load_mem(gz, n);
        CHECKF(!gu_ok(r) && strstr(gu_error(), "corrupt gzip"), "%s", gu_error());
        gz[n - 3] ^= 1;
        more = (unsigned char *)malloc(n + 3);
        memcpy(more, gz, n);
        memcpy(more + n, "xyz", 3);
        r = gu_idx_load_mem(more, n + 3);
        CHECKF(!gu_ok(r) && strstr(gu_error(), "trailing garbage"), "%s", gu_error());
        more[n] = 0x1f;  // looks like a second member but is not one
        r = gu_idx_load_mem(more, n + 3);
        CHECKF(!gu_ok(r) && strstr(gu_error(), "trailing garbage"), "%s", gu_error());
        memcpy(more + n, gz, 3);  // a member cut short
        r = gu_idx_load_mem(more, n + 3);
        CHECKF(!gu_ok(r), "truncated second member accepted");
        for (k = 0; k < n; k++) {  // every truncation of a gzip file is an error
            r = gu_idx_load_mem(gz, k);
            CHECKF(!gu_ok(r), "gzip prefix %d accepted", (int)k);
            gu_free(&r);
        }
        free(more);
        free(gz);
        r = gu_idx_load(TM_DIR "plain_named.idx.gz");
        CHECKF(!gu_ok(r) && strstr(gu_error(), "not a gzip file"), "%s", gu_error());
        CHECK(gu_pkl_load(TM_DIR "plain_named.pkl.gz", t, 4, &count) == -1 && strstr(gu_error(), "not a gzip file"));
        r = gu_idx_load(TM_DIR "no_such_file.idx");
        CHECKF(!gu_ok(r) && strstr(gu_error(), "cannot open"), "%s", gu_error());
    }
}

// ---- sweeps: every prefix, and one changed byte at every position --------------------------
static int tm__try_pkl(const unsigned char *p, size_t n) {
    gu_tensor t[24];
    int count = 0;
    if (gu_pkl_load_mem(p, n, t, 24, &count) != 0) return 0;
    tm__free_all(t, count);
    return 1;
}
static int tm__try_idx(const unsigned char *p, size_t n) {
    gu_tensor t = gu_idx_load_mem(p, n);
    int ok = gu_ok(t);
    gu_free(&t);
    return ok;
}

// A fixture's bytes (free them), or NULL after a failed check.
static unsigned char *tm__fixture(const char *name, size_t *n) {
    char path[256];
    unsigned char *d;
    snprintf(path, sizeof path, TM_DIR "%s", name);
    d = (unsigned char *)t_read_file(path, n);
    CHECKF(d != NULL, "cannot read %s", path);
    return d;
}

// Every proper prefix of a fixture is refused (try_load is 1 when it loads), the whole file loads.
static void tm__truncations(const char *name, int (*try_load)(const unsigned char *, size_t)) {
    size_t n, i;
    int accepted = 0;
    unsigned char *d = tm__fixture(name, &n);
    if (!d) return;
    for (i = 0; i < n; i++) accepted += try_load(d, i);
    CHECKF(accepted == 0, "%s: %d truncations accepted", name, accepted);
    CHECKF(try_load(d, n), "%s: the whole file fails: %s", name, gu_error());
    free(d);
}

static void test_mnist_truncation_sweep(void) {
    static const char *pk[] = {"split_py2_p0.pkl", "split_py2_p2.pkl", "split_py2_p2.pkl.gz", "split_py3_p2.pkl", "split_py3_p4.pkl",
                                "split_py3_p5.pkl", "dtypes_py3_p0.pkl", "dtypes_py3_p5.pkl", "dtypes_py2_p1.pkl", "split_np2_p4.pkl"};
    static const char *ix[] = {"t_u8.idx", "t_i16.idx", "t_f64.idx", "t_f32.idx.gz"};
    size_t k;
    for (k = 0; k < sizeof pk / sizeof pk[0]; k++) tm__truncations(pk[k], tm__try_pkl);
    for (k = 0; k < sizeof ix / sizeof ix[0]; k++) tm__truncations(ix[k], tm__try_idx);
}

// Every byte of the small pickles (all are opcode or operand bytes) and of the IDX headers,
// changed to several values: each a clean result or a clean error (ASan and the leak
// checker judge "clean").
static void test_mnist_mutation_sweep(void) {
    static const char *pk[] = {"split_py2_p0.pkl", "split_py2_p2.pkl", "split_py3_p2.pkl", "split_py3_p4.pkl", "split_py3_p5.pkl",
                                "dtypes_py2_p1.pkl", "split_py2_p2.pkl.gz"};
    static const unsigned char vals[] = {0x00, 0xff, '('};  // and orig ^ 1 below
    size_t k, i, v;
    long runs = 0, accepted = 0;
    for (k = 0; k < sizeof pk / sizeof pk[0]; k++) {
        size_t n;
        unsigned char *d = tm__fixture(pk[k], &n);
        if (!d) continue;
        for (i = 0; i < n; i++) {
            unsigned char orig = d[i];
            for (v = 0; v < sizeof vals; v++) {
                d[i] = (unsigned char)(vals[v] == orig ? orig ^ 1 : vals[v]);
                accepted += tm__try_pkl(d, n);
                runs++;
            }
            d[i] = (unsigned char)(orig ^ 0x01);
            accepted += tm__try_pkl(d, n);
            d[i] = orig;
        }
        free(d);
    }
    {  // IDX headers: every value at every header byte
        size_t n;
        unsigned char *d = (unsigned char *)t_read_file(TM_DIR "t_i32.idx", &n);
        if (d) {
            for (i = 0; i < 12; i++) {
                unsigned char orig = d[i];
                for (v = 0; v < 256; v++) {
                    d[i] = (unsigned char)v;
                    accepted += tm__try_idx(d, n);
                    runs++;
                }
                d[i] = orig;
            }
            free(d);
        }
    }
    CHECK(runs > 1000);
    (void)accepted;  // some mutations still make valid files (a changed value byte); that is fine
}

// ---- the fuzzers' corpus, replayed through both parsers --------------------------------------
static void tm__replay_dir(const char *dir, int *files) {
    DIR *dp = opendir(dir);
    struct dirent *e;
    if (!dp) return;
    while ((e = readdir(dp)) != NULL) {
        char path[1024];
        size_t n;
        unsigned char *d;
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        d = (unsigned char *)t_read_file(path, &n);
        if (!d) continue;
        tm__try_pkl(d, n);
        tm__try_idx(d, n);
        free(d);
        (*files)++;
    }
    closedir(dp);
}
static void test_mnist_fuzz_corpus(void) {
    int files = 0;
    tm__replay_dir("fuzz/corpus_pkl", &files);
    tm__replay_dir("fuzz/corpus_idx", &files);
    tm__replay_dir("fuzz/crashes", &files);  // regressions, when a fuzz run found any
    CHECKF(files >= 10, "only %d corpus files found in tests/fuzz/", files);
}

// ---- discovery --------------------------------------------------------------------------------
static void test_mnist_find(void) {
    char buf[512];
    char small[8];
    CHECK(gu_mnist_find(buf, sizeof buf, "no/such/mnist.pkl.gz") == -1 && strstr(gu_error(), "no/such/mnist.pkl.gz does not exist"));
    CHECK(gu_mnist_find(buf, sizeof buf, TM_DIR "mini") == 0 && strcmp(buf, TM_DIR "mini") == 0);  // the four IDX files
    CHECK(gu_mnist_find(buf, sizeof buf, TM_DIR "mini_mnist.pkl.gz") == 0 && strcmp(buf, TM_DIR "mini_mnist.pkl.gz") == 0);
    {   // a folder named with a trailing separator is found (Windows' stat fails on it by itself)
        gu_mnist m;
        CHECKF(gu_mnist_find(buf, sizeof buf, TM_DIR "mini/") == 0, "%s", gu_error());
        CHECKF(gu_mnist_load(TM_DIR "mini/", &m) == 0 && m.x_train.shape[0] > 0, "%s", gu_error());
        gu_mnist_free(&m);
#ifdef _WIN32
        CHECKF(gu_mnist_find(buf, sizeof buf, "fixtures\\mnist\\mini\\") == 0, "%s", gu_error());
        CHECKF(gu_mnist_load("fixtures\\mnist\\mini\\", &m) == 0, "%s", gu_error());
        gu_mnist_free(&m);
#endif
    }
    CHECKF(gu_mnist_find(buf, sizeof buf, "fuzz") == -1 && strstr(gu_error(), "fuzz holds neither mnist.pkl.gz nor the four MNIST IDX files") &&
           strstr(gu_error(), "t10k-labels-idx1-ubyte"), "%s", gu_error());
    CHECK(gu_mnist_find(buf, sizeof buf, NULL) == -1 && strstr(gu_error(), "path is NULL"));
    CHECK(gu_mnist_find(small, sizeof small, TM_DIR "mini") == -1 && strstr(gu_error(), "does not fit") && small[0] == 0);
}

// ---- the real files, when `make data` has fetched them -----------------------------------------
static void test_mnist_real_pkl(void) {
    gu_mnist m;
    static const float want[10] = {0, 0, 0, 0.19140625f, 0.9296875f, 0.98828125f, 0.98828125f, 0.98828125f, 0.98828125f, 0.98828125f};
    int i;
    FILE *f = fopen("../data/mnist.pkl.gz", "rb");
    if (!f) SKIP("../data/mnist.pkl.gz absent (run `make data`)");
    fclose(f);
    CHECKF(gu_mnist_load_pkl("../data/mnist.pkl.gz", &m) == 0, "%s", gu_error());
    if (!gu_ok(m.x_train)) return;
    CHECK(m.x_train.shape[0] == 50000 && m.x_train.shape[1] == 784 && m.x_valid.shape[0] == 10000 && m.x_test.shape[0] == 10000);
    CHECK(m.y_train.shape[0] == 50000 && m.y_valid.shape[0] == 10000 && m.y_test.shape[0] == 10000);
    for (i = 0; i < 10; i++) CHECKF(((float *)m.x_train.base)[200 + i] == want[i], "x_train[0][%d]", 200 + i);
    CHECK(gu_get_flat(m.y_train, 0) == 5 && gu_get_flat(m.y_train, 1) == 0 && gu_get_flat(m.y_train, 2) == 4);
    CHECK(gu_get_flat(m.y_valid, 0) == 3 && gu_get_flat(m.y_valid, 1) == 8 && gu_get_flat(m.y_valid, 2) == 6);
    // the lesson's tensor([5, 0, 4,  ..., 8, 4, 8]) and tensor([3, 8, 6,  ..., 5, 6, 8]): the split's ends
    CHECK(gu_get_flat(m.y_train, 49997) == 8 && gu_get_flat(m.y_train, 49998) == 4 && gu_get_flat(m.y_train, 49999) == 8);
    CHECK(gu_get_flat(m.y_valid, 9997) == 5 && gu_get_flat(m.y_valid, 9998) == 6 && gu_get_flat(m.y_valid, 9999) == 8);
    CHECK(((float *)m.x_train.base)[20 * 28 + 15] == 0.98828125f);
    {  // the IDX files give exactly the same tensors
        gu_mnist a;
        gu_tensor *ta = &a.x_train, *tb = &m.x_train;
        DIR *d = opendir("../data/mnist");
        if (d) {
            closedir(d);
            CHECKF(gu_mnist_load_idx("../data/mnist", &a) == 0, "%s", gu_error());
            for (i = 0; i < 6; i++)
                CHECKF(gu_same_shape(ta[i], tb[i]) && memcmp(ta[i].base, tb[i].base, (size_t)gu_numel(ta[i]) * gu_dtype_size(ta[i].dtype)) == 0,
                       "IDX and pickle differ in tensor %d", i);
            gu_mnist_free(&a);
        }
    }
    gu_mnist_free(&m);
}

static void test_mnist_real_idx(void) {
    static const char *dirs[2] = {"../data/mnist", "../data/fashion"};
    int k, found = 0;
    for (k = 0; k < 2; k++) {
        char path[256];
        gu_tensor t;
        gu_mnist m;
        DIR *d = opendir(dirs[k]);
        if (!d) continue;
        closedir(d);
        found++;
        snprintf(path, sizeof path, "%s/train-images-idx3-ubyte%s", dirs[k], k ? ".gz" : "");
        t = gu_idx_load(path);
        CHECKF(gu_ok(t) && t.dtype == GU_UINT8 && t.ndim == 3 && t.shape[0] == 60000 && t.shape[1] == 28 && t.shape[2] == 28, "%s: %s", path, gu_error());
        gu_free(&t);
        snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte%s", dirs[k], k ? ".gz" : "");
        t = gu_idx_load(path);
        CHECKF(gu_ok(t) && t.ndim == 1 && t.shape[0] == 10000, "%s: %s", path, gu_error());
        gu_free(&t);
        CHECKF(gu_mnist_load_idx(dirs[k], &m) == 0, "%s: %s", dirs[k], gu_error());
        CHECK(m.x_train.shape[0] == 50000 && m.x_valid.shape[0] == 10000 && m.x_test.shape[0] == 10000 && m.y_test.dtype == GU_INT64);
        if (k == 0) CHECK(gu_get_flat(m.y_train, 0) == 5 && gu_get_flat(m.y_valid, 0) == 3);
        gu_mnist_free(&m);
    }
    if (!found) SKIP("../data/mnist and ../data/fashion absent (run `make data`)");
}

static void suite_mnist(void) {
    RUN(test_mnist_pkl_all_protocols);
    RUN(test_mnist_pkl_dtypes);
    RUN(test_mnist_idx_types);
    RUN(test_mnist_idx_dir_equals_pkl);
    RUN(test_mnist_to_float);
    RUN(test_mnist_hostile_named);
    RUN(test_mnist_truncation_sweep);
    RUN(test_mnist_mutation_sweep);
    RUN(test_mnist_fuzz_corpus);
    RUN(test_mnist_find);
    RUN(test_mnist_real_pkl);
    RUN(test_mnist_real_idx);
}
