// tests/test_cuda.c - the CUDA companion's tests: a separate binary, since it needs
// groundup_cuda.cu compiled by nvcc. `make cuda` builds it as build/test_cuda; run it from
// tests/ like the main runner: `cd tests && ../build/test_cuda [substring]`.
// Without a visible GPU the tests that need one SKIP with the reason (they never pass
// without running); the argument checks that come before any GPU work still run.
// The kernels' index arithmetic is also checked without a GPU by tests/cuda_emu.cpp.
#define GROUNDUP_IMPLEMENTATION
#define GU_CUDA
#include "../groundup.h"
#include "runner.h"

#include <math.h>
#include <string.h>

static int t__have_gpu = -1;  // asked once
static char t__no_gpu_why[512];
static int have_gpu(void) {
    if (t__have_gpu < 0) {
        t__have_gpu = gu_cuda_device_count() > 0;
        snprintf(t__no_gpu_why, sizeof t__no_gpu_why, "%s", gu_error());
    }
    return t__have_gpu;
}
#define NEED_GPU() do { if (!have_gpu()) SKIP("no CUDA device visible (%s)", t__no_gpu_why); } while (0)

// A (rows, cols) float32 tensor of small pseudo-random values, exactly representable so
// that sums of a few hundred products are exact in float32.
static gu_tensor rand_f32(int64_t rows, int64_t cols, uint32_t seed) {
    int64_t shape[2];
    gu_tensor t;
    float *p;
    int64_t i;
    shape[0] = rows; shape[1] = cols;
    t = gu_empty(GU_FLOAT32, 2, shape);
    p = (float *)gu_data(t);
    for (i = 0; p && i < rows * cols; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (float)((seed >> 9) & 255) / 64.f - 2.f;
    }
    return t;
}

// c = a @ b on the CPU in double: the oracle (a and b contiguous).
static gu_tensor ref_matmul(gu_tensor a, gu_tensor b) {
    int64_t M = a.shape[0], K = a.shape[1], N = b.shape[1], i, j, k, shape[2];
    const float *pa = (const float *)gu_data(a), *pb = (const float *)gu_data(b);
    gu_tensor c;
    shape[0] = M; shape[1] = N;
    c = gu_empty(GU_FLOAT32, 2, shape);
    for (i = 0; i < M; i++)
        for (j = 0; j < N; j++) {
            double s = 0;
            for (k = 0; k < K; k++) s += (double)pa[i * K + k] * pb[k * N + j];
            ((float *)c.base)[i * N + j] = (float)s;
        }
    return c;
}

static double max_abs_diff(gu_tensor x, gu_tensor y) {
    int64_t i, n = gu_numel(x);
    double worst = 0;
    if (!gu_ok(x) || !gu_ok(y) || !gu_same_shape(x, y)) return INFINITY;
    for (i = 0; i < n; i++) {
        double d = fabs(gu_get_flat(x, i) - gu_get_flat(y, i));
        if (!(d <= worst)) worst = d;  // NaN is the worst
    }
    return worst;
}

// ---- argument checks: these run with or without a GPU ----

static void test_cuda_bad_version(void) {
    gu_cuda_tensor z;
    memset(&z, 0, sizeof z);
    gu_clear_error();
    CHECK(gu_cuda_matmul(GU_CUDA_MATMUL_VERSIONS + 1, z, z, z) == -1);
    CHECKF(strstr(gu_error(), "unknown kernel version") != NULL, "got [%s]", gu_error());
    gu_clear_error();
    CHECK(gu_cuda_matmul(-1, z, z, z) == -1);
    CHECK(strstr(gu_error(), "unknown kernel version") != NULL);
    CHECK(gu_cuda_matmul_name(GU_CUDA_MATMUL_VERSIONS + 1) == NULL && gu_cuda_matmul_name(-1) == NULL);
    CHECK(gu_cuda_matmul_name(1) != NULL && gu_cuda_matmul_name(GU_CUDA_MATMUL_VERSIONS) != NULL);
}

static void test_cuda_invalid_tensors(void) {
    gu_cuda_tensor z, nul;
    gu_tensor h;
    memset(&z, 0, sizeof z);
    gu_clear_error();
    CHECK(gu_cuda_matmul(1, z, z, z) == -1);  // invalid (zeroed) tensors
    CHECKF(strstr(gu_error(), "invalid device tensor") != NULL, "got [%s]", gu_error());
    // a hand-made tensor with a NULL device pointer
    memset(&nul, 0, sizeof nul);
    nul.dtype = GU_FLOAT32;
    nul.ndim = 2;
    nul.shape[0] = nul.shape[1] = 4;
    nul.numel = 16;
    gu_clear_error();
    CHECK(gu_cuda_matmul(2, nul, nul, nul) == -1);
    CHECKF(strstr(gu_error(), "NULL device pointer") != NULL, "got [%s]", gu_error());
    gu_clear_error();
    h = gu_cuda_to_host(nul);
    CHECK(!gu_ok(h) && gu_error()[0]);
    gu_cuda_free(&nul);  // a hand-made tensor with no memory: harmless
    CHECK(!gu_cuda_ok(nul));
    gu_cuda_free(NULL);
}

// An allocation either succeeds or says why (no GPU, bad shape); it never crashes.
static void test_cuda_empty_errors(void) {
    int64_t bad[2] = {3, -1}, huge[2] = {INT64_MAX / 2, 4}, ok[2] = {3, 4};
    gu_cuda_tensor t;
    int gpu = have_gpu();  // asked first: asking sets the message when there is none
    gu_clear_error();
    t = gu_cuda_empty(GU_FLOAT32, 2, bad);
    CHECK(!gu_cuda_ok(t));
    CHECKF(strstr(gu_error(), "(3, -1)") != NULL, "got [%s]", gu_error());
    gu_clear_error();
    t = gu_cuda_empty(GU_FLOAT32, 2, huge);
    CHECK(!gu_cuda_ok(t) && gu_error()[0]);
    gu_clear_error();
    t = gu_cuda_empty(GU_INVALID, 2, ok);
    CHECK(!gu_cuda_ok(t) && strstr(gu_error(), "dtype") != NULL);
    gu_clear_error();
    t = gu_cuda_empty(GU_FLOAT32, 2, ok);
    if (gpu) CHECKF(gu_cuda_ok(t) && t.numel == 12, "%s", gu_error());
    else CHECKF(!gu_cuda_ok(t) && strstr(gu_error(), "cudaMalloc") != NULL, "got [%s]", gu_error());
    gu_cuda_free(&t);
}

// ---- with a GPU ----

static void test_cuda_device(void) {
    char name[256];
    NEED_GPU();
    CHECK(gu_cuda_device_name(name, sizeof name) == 0);
    CHECK(strlen(name) > 0);
    printf("  device: %s\n", name);
}

static void test_cuda_roundtrip(void) {
    gu_tensor a, at, back, li, li_back, dst, zeros;
    gu_cuda_tensor d, dl;
    int64_t sh[2] = {5, 7}, sh75[2] = {7, 5};
    NEED_GPU();
    a = rand_f32(7, 5, 1);
    at = gu_t(a);  // (5, 7) with strides (1, 5): to_device must gather it
    d = gu_cuda_to_device(at);
    CHECKF(gu_cuda_ok(d), "%s", gu_error());
    back = gu_cuda_to_host(d);
    CHECKF(max_abs_diff(back, at) == 0, "round trip of a transposed view changed it");
    // into a strided host destination
    zeros = gu_zeros(GU_FLOAT32, 2, sh75);
    dst = gu_t(zeros);
    CHECKF(gu_cuda_copy_to_host(dst, d) == 0, "%s", gu_error());
    CHECK(max_abs_diff(dst, at) == 0);
    gu_free(&zeros);
    // int64 survives too
    li = gu_arange(-3, 32, 1, GU_INT64);
    dl = gu_cuda_to_device(li);
    li_back = gu_cuda_to_host(dl);
    CHECK(max_abs_diff(li, li_back) == 0);
    // shapes and dtypes must match
    gu_clear_error();
    CHECK(gu_cuda_copy_to_device(dl, a) == -1);
    CHECKF(strstr(gu_error(), "differ") != NULL, "got [%s]", gu_error());
    gu_clear_error();
    zeros = gu_zeros(GU_FLOAT32, 2, sh);
    CHECK(gu_cuda_copy_to_host(zeros, dl) == -1);
    gu_free(&zeros);
    gu_free(&a); gu_free(&back); gu_free(&li); gu_free(&li_back);
    gu_cuda_free(&d); gu_cuda_free(&dl);
    CHECK(!gu_cuda_ok(d));
}

static void test_cuda_matmul_all(void) {
    // odd sizes that cross tile edges; K and N multiples of 4 (the float4 path); the
    // MNIST shape with fewer rows
    // (45, 1500) @ (1500, 13): b too long to stay in the skinny kernel's shared memory
    static const int64_t shapes[][3] = {{1, 1, 1}, {67, 45, 39}, {129, 132, 36}, {300, 10, 784}, {33, 16, 300}, {45, 13, 1500}};
    size_t s;
    int v;
    NEED_GPU();
    for (s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        int64_t M = shapes[s][0], N = shapes[s][1], K = shapes[s][2], cs[2];  // (M,K) @ (K,N)
        gu_tensor a = rand_f32(M, K, (uint32_t)(s + 1)), b = rand_f32(K, N, (uint32_t)(s + 100)), ref = ref_matmul(a, b);
        gu_cuda_tensor da = gu_cuda_to_device(a), db = gu_cuda_to_device(b), dc;
        cs[0] = M; cs[1] = N;
        dc = gu_cuda_empty(GU_FLOAT32, 2, cs);
        for (v = 0; v <= GU_CUDA_MATMUL_VERSIONS; v++) {
            gu_tensor c;
            double err;
            if (v == 8 && N > 16) continue;
            gu_clear_error();
            CHECKF(gu_cuda_matmul(v, da, db, dc) == 0, "kernel %d: %s", v, gu_error());
            c = gu_cuda_to_host(dc);
            err = max_abs_diff(c, ref);
            CHECKF(err < 1e-3, "kernel %d (%s) on (%lld,%lld)@(%lld,%lld): max |err| %g %s", v, gu_cuda_matmul_name(v),
                   (long long)M, (long long)K, (long long)K, (long long)N, err, gu_error());
            gu_free(&c);
        }
        gu_free(&a); gu_free(&b); gu_free(&ref);
        gu_cuda_free(&da); gu_cuda_free(&db); gu_cuda_free(&dc);
    }
}

static void test_cuda_matmul_errors(void) {
    int64_t s23[2] = {2, 3}, s45[2] = {4, 5}, s35[2] = {3, 5}, s25[2] = {2, 5}, s3[1] = {3};
    gu_cuda_tensor a, b, c, wrong, v3, hostptr;
    gu_tensor h;
    float host[16];
    NEED_GPU();
    a = gu_cuda_zeros(GU_FLOAT32, 2, s23);
    b = gu_cuda_zeros(GU_FLOAT32, 2, s35);
    c = gu_cuda_zeros(GU_FLOAT32, 2, s25);
    wrong = gu_cuda_zeros(GU_FLOAT32, 2, s45);
    v3 = gu_cuda_zeros(GU_FLOAT32, 1, s3);
    CHECKF(gu_cuda_matmul(1, a, b, c) == 0, "%s", gu_error());
    gu_clear_error();
    CHECK(gu_cuda_matmul(1, a, wrong, c) == -1);  // (2,3) @ (4,5)
    CHECKF(strstr(gu_error(), "(2, 3) @ (4, 5): inner dims 3 and 4 differ") != NULL, "got [%s]", gu_error());
    gu_clear_error();
    CHECK(gu_cuda_matmul(3, a, b, wrong) == -1);  // c has the wrong shape
    CHECKF(strstr(gu_error(), "but c is (4, 5)") != NULL, "got [%s]", gu_error());
    gu_clear_error();
    CHECK(gu_cuda_matmul(7, a, v3, c) == -1);
    CHECK(strstr(gu_error(), "2-D") != NULL);
    gu_clear_error();
    CHECK(gu_cuda_matmul(8, a, b, a) == -1);  // c is (2,3), and must not be a anyway
    CHECK(gu_error()[0] != 0);
    // a host pointer dressed as a device tensor is refused, not run
    hostptr = a;
    hostptr.data = host;
    gu_clear_error();
    CHECK(gu_cuda_matmul(2, hostptr, b, c) == -1);
    CHECKF(strstr(gu_error(), "not device memory") != NULL, "got [%s]", gu_error());
    // the GPU is still usable after all of that
    CHECKF(gu_cuda_sync() == 0, "%s", gu_error());
    h = gu_cuda_to_host(c);
    CHECK(gu_ok(h));
    gu_free(&h);
    gu_cuda_free(&a); gu_cuda_free(&b); gu_cuda_free(&c); gu_cuda_free(&wrong); gu_cuda_free(&v3);
}

static void suite_cuda(void) {
    RUN(test_cuda_bad_version);
    RUN(test_cuda_invalid_tensors);
    RUN(test_cuda_empty_errors);
    RUN(test_cuda_device);
    RUN(test_cuda_roundtrip);
    RUN(test_cuda_matmul_all);
    RUN(test_cuda_matmul_errors);
}

int main(int argc, char **argv) {
    if (argc > 1) t__filter = argv[1];
    t__planning = 1;
    suite_cuda();
    t__planning = 0;
    t__planned = 1;
    suite_cuda();
    return t__finish(have_gpu() ? "" : " (no GPU: the GPU tests skipped, as expected)");
}
