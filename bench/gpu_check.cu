// Built and run by bench/gpu_check.sh, which also writes and compiles (with cc, as C) the
// one file that defines GROUNDUP_IMPLEMENTATION, and passes the -D flags below.
//
// bench/gpu_check.cu - every kernel of groundup_cuda.cu checked against the CPU, then timed
// beside cuBLAS, on the shapes that matter: 4096^3 and 1024^3 (square, compute bound),
// 1000^3 and 4097x33x513 (odd: every tile edge), and the lesson's MNIST product
// 50000x784 @ 784x10 (bound by reading x). Shapes are written M x K x N: (M,K) @ (K,N).
//
// The oracle is the CPU gu_matmul (the fast-matmul part; all cores) and the check is
// gu_test_close(c, ref, eps) with eps = 1e-5*K + 1e-4 on inputs in [-1, 1): about 1e-3 of the
// size of an output at K = 4096, and far below the error of any indexing mistake.
//
// Before each checked run c is filled with NaN (bytes 0xFF), so an element no thread
// wrote fails the check. Times are medians of CUDA-event timings after a warm-up run.
#define GU_CUDA
#include "../groundup.h"  // declarations only: the implementation is compiled as C
#ifdef GU_HAVE_CUBLAS
#include <cublas_v2.h>
#endif
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <algorithm>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void fill(gu_tensor t, uint32_t seed, float lo, float hi) {
    float *p = (float *)gu_data(t);
    int64_t i, n = gu_numel(t);
    for (i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = lo + (hi - lo) * (float)(seed >> 8) / 16777216.f;
    }
}

// ---- the oracle ----

// gu_test_close returns nonzero when every element is within eps (fastcore's test_close,
// as a predicate). The largest difference is printed beside it as well.
#define CLOSE_OK(r) ((r) != 0)

static double max_diff(gu_tensor a, gu_tensor b) {
    const float *pa = (const float *)gu_data(a), *pb = (const float *)gu_data(b);
    int64_t i, n = gu_numel(a);
    double w = 0;
    for (i = 0; i < n; i++) {
        double d = fabs((double)pa[i] - pb[i]);
        if (!(d <= w)) w = d;  // NaN wins
    }
    return w;
}

#define CK(x) do { if (!(x)) { fprintf(stderr, "gpu_check: %s:%d: %s\n", __FILE__, __LINE__, gu_error()); exit(2); } } while (0)
#define CUCK(x) do { cudaError_t e_ = (x); if (e_ != cudaSuccess) { fprintf(stderr, "gpu_check: %s: %s\n", #x, cudaGetErrorString(e_)); exit(2); } } while (0)

static int failures;
static double best_pct_4096 = -1, skinny_us = -1, cublas_4096 = -1;
static int best_v_4096 = -1;

// Times fn() with CUDA events: median of reps after a warm-up, reps chosen to fill ~0.3 s.
template <class F>
static double time_ms(F fn) {
    cudaEvent_t e0, e1;
    float ms;
    double first, v[25];
    int reps, i;
    CUCK(cudaEventCreate(&e0));
    CUCK(cudaEventCreate(&e1));
    CUCK(cudaEventRecord(e0));
    fn();
    CUCK(cudaEventRecord(e1));
    CUCK(cudaEventSynchronize(e1));
    CUCK(cudaEventElapsedTime(&ms, e0, e1));
    first = ms;
    reps = first > 0 ? (int)(300.0 / first) : 25;
    reps = reps < 3 ? 3 : reps > 25 ? 25 : reps;
    for (i = 0; i < reps; i++) {
        CUCK(cudaEventRecord(e0));
        fn();
        CUCK(cudaEventRecord(e1));
        CUCK(cudaEventSynchronize(e1));
        CUCK(cudaEventElapsedTime(&ms, e0, e1));
        v[i] = ms;
    }
    std::sort(v, v + reps);
    CUCK(cudaEventDestroy(e0));
    CUCK(cudaEventDestroy(e1));
    return v[reps / 2];
}

static void check_shape(int M, int K, int N) {
    int64_t as[2] = {M, K}, bs[2] = {K, N}, cs[2] = {M, N};
    gu_tensor a = gu_empty(GU_FLOAT32, 2, as), b = gu_empty(GU_FLOAT32, 2, bs), ref, c;
    gu_cuda_tensor da, db, dc;
    double t0, tcpu, flop = 2.0 * M * N * K, eps = 1e-5 * K + 1e-4, cublas_ms = -1;
    int v, mnist = N <= 16;
    CK(gu_ok(a) && gu_ok(b));
    fill(a, (uint32_t)(M + 3 * K), mnist ? 0.f : -1.f, 1.f);  // MNIST: pixels in [0, 1)
    fill(b, (uint32_t)(N + 7 * K), -1.f, 1.f);
    t0 = now_s();
    ref = gu_matmul(a, b);
    tcpu = now_s() - t0;
    CK(gu_ok(ref));
    c = gu_empty(GU_FLOAT32, 2, cs);
    da = gu_cuda_to_device(a);
    db = gu_cuda_to_device(b);
    dc = gu_cuda_empty(GU_FLOAT32, 2, cs);
    CK(gu_ok(c) && gu_cuda_ok(da) && gu_cuda_ok(db) && gu_cuda_ok(dc));
    printf("\n%d x %d x %d   ((%d,%d) @ (%d,%d)), %.1f GFLOP; CPU oracle %.3f s (%.0f GFLOP/s); eps %.2g\n", M, K, N, M, K,
           K, N, flop / 1e9, tcpu, flop / tcpu / 1e9, eps);
    printf("  %-22s %10s %10s %9s  %s\n", "kernel", "ms", "GFLOP/s", "% cuBLAS", "check (max |diff|)");
#ifdef GU_HAVE_CUBLAS
    {
        cublasHandle_t h;
        const float one = 1.f, zero = 0.f;
        const float *pa = (const float *)da.data, *pb = (const float *)db.data;
        float *pc = (float *)dc.data;
        int r;
        double md;
        if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) { fprintf(stderr, "gpu_check: cublasCreate failed\n"); exit(2); }
        cublasSetMathMode(h, CUBLAS_DEFAULT_MATH);  // plain FP32, no TF32
        // row-major c = a @ b is column-major c^T = b^T @ a^T: swap the operands
        auto run = [&] { cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_N, N, M, K, &one, pb, N, pa, K, &zero, pc, N); };
        CUCK(cudaMemset(dc.data, 0xFF, (size_t)M * N * 4));
        run();
        CK(gu_cuda_copy_to_host(c, dc) == 0);
        r = gu_test_close(c, ref, eps);
        md = max_diff(c, ref);
        cublas_ms = time_ms(run);
        printf("  %-22s %10.3f %10.0f %9s  %s (%.2g)\n", "cuBLAS sgemm", cublas_ms, flop / cublas_ms / 1e6, "100", CLOSE_OK(r) ? "ok" : "FAIL", md);
        if (!CLOSE_OK(r)) printf("    %s\n", gu_error());  // cuBLAS is the peer, not ours: reported, not counted
        cublasDestroy(h);
    }
#endif
    for (v = 1; v <= GU_CUDA_MATMUL_VERSIONS; v++) {
        double ms, md;
        int r;
        if (v == 8 && N > 16) continue;  // the skinny kernel is for n <= 16
        CUCK(cudaMemset(dc.data, 0xFF, (size_t)M * N * 4));
        CK(gu_cuda_matmul(v, da, db, dc) == 0);
        CK(gu_cuda_copy_to_host(c, dc) == 0);
        r = gu_test_close(c, ref, eps);
        md = max_diff(c, ref);
        if (!CLOSE_OK(r)) { failures++; printf("    kernel %d: %s\n", v, gu_error()); }
        ms = time_ms([&] { gu_cuda_matmul(v, da, db, dc); });
        CK(gu_cuda_sync() == 0);
        char pct[32] = "-";
        if (cublas_ms > 0) snprintf(pct, sizeof pct, "%.1f", 100.0 * cublas_ms / ms);
        printf("  %d %-20s %10.3f %10.0f %9s  %s (%.2g)\n", v, gu_cuda_matmul_name(v), ms, flop / ms / 1e6, pct,
               CLOSE_OK(r) ? "ok" : "FAIL", md);
        if (M == 4096 && K == 4096 && N == 4096 && cublas_ms > 0 && 100.0 * cublas_ms / ms > best_pct_4096) {
            best_pct_4096 = 100.0 * cublas_ms / ms;
            best_v_4096 = v;
            cublas_4096 = flop / cublas_ms / 1e6;
        }
        if (mnist && v == 8) skinny_us = ms * 1000;
    }
    fflush(stdout);
    gu_free(&a); gu_free(&b); gu_free(&ref); gu_free(&c);
    gu_cuda_free(&da); gu_cuda_free(&db); gu_cuda_free(&dc);
}

// gu_cuda_launch: a launch the GPU refuses (64x64 = 4096 threads in a block, over the
// limit of 1024) comes back as -1 with CUDA's message, and the GPU stays usable.
struct gu_noop_kernel {
    __device__ void operator()(int, int) const {}
};
static void launch_errors(void) {
    gu_clear_error();
    int r = gu_cuda_launch(gu_noop_kernel(), dim3(1, 1), dim3(64, 64));
    int ok = r == -1 && strstr(gu_error(), "cuda_launch") != NULL;
    printf("gu_cuda_launch with a 64x64 block: %s (%s)\n", ok ? "refused, ok" : "NOT refused: FAIL", gu_error());
    if (!ok) failures++;
    if (gu_cuda_launch(gu_noop_kernel(), dim3(2, 2), dim3(16, 16)) != 0 || gu_cuda_sync() != 0) {
        printf("gu_cuda_launch after the refusal: FAIL (%s)\n", gu_error());
        failures++;
    }
}

// Host <-> device copies of the MNIST x (157 MB): through gu_cuda_copy_to_device/host
// (pageable memory, what a program gets by default) and from pinned memory.
static void transfers(void) {
    int64_t xs[2] = {50000, 784};
    size_t bytes = (size_t)50000 * 784 * 4;
    gu_tensor x = gu_zeros(GU_FLOAT32, 2, xs);
    gu_cuda_tensor dx = gu_cuda_empty(GU_FLOAT32, 2, xs);
    void *pinned;
    double h2d, d2h, ph2d, pd2h;
    CK(gu_ok(x) && gu_cuda_ok(dx));
    CUCK(cudaMallocHost(&pinned, bytes));
    memset(pinned, 0, bytes);
    h2d = time_ms([&] { gu_cuda_copy_to_device(dx, x); });
    d2h = time_ms([&] { gu_cuda_copy_to_host(x, dx); });
    ph2d = time_ms([&] { cudaMemcpy(dx.data, pinned, bytes, cudaMemcpyHostToDevice); });
    pd2h = time_ms([&] { cudaMemcpy(pinned, dx.data, bytes, cudaMemcpyDeviceToHost); });
    printf("\ntransfers of x_train (50000, 784) float32, %.0f MB:\n", bytes / 1e6);
    printf("  to_device (pageable) %8.2f ms  %6.1f GB/s     to_host (pageable) %8.2f ms  %6.1f GB/s\n", h2d, bytes / h2d / 1e6, d2h,
           bytes / d2h / 1e6);
    printf("  to_device (pinned)   %8.2f ms  %6.1f GB/s     to_host (pinned)   %8.2f ms  %6.1f GB/s\n", ph2d, bytes / ph2d / 1e6,
           pd2h, bytes / pd2h / 1e6);
    CUCK(cudaFreeHost(pinned));
    gu_free(&x);
    gu_cuda_free(&dx);
}

int main(int argc, char **argv) {
    static const int shapes[][3] = {{4096, 4096, 4096}, {1024, 1024, 1024}, {1000, 1000, 1000}, {4097, 33, 513}, {50000, 784, 10}};
    char name[256];
    double t0 = now_s();
    int s, quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    if (gu_cuda_device_count() == 0) {
        printf("gpu_check: no GPU visible (%s): nothing checked\n", gu_error());
        return 3;
    }
    CK(gu_cuda_device_name(name, sizeof name) == 0);
    printf("GPU: %s; CPU oracle: %s%s on %ld online CPUs; check: %s\n", name,
           "gu_matmul with kernel ", gu_gemm_kernel(),
           sysconf(_SC_NPROCESSORS_ONLN),
           "gu_test_close"
    );
#ifndef GU_HAVE_CUBLAS
    printf("(built without cuBLAS: no reference column)\n");
#endif
    launch_errors();
    transfers();
    for (s = quick ? 1 : 0; s < (int)(sizeof shapes / sizeof shapes[0]); s++) check_shape(shapes[s][0], shapes[s][1], shapes[s][2]);

    printf("\nsummary (%s):\n", name);
    if (best_v_4096 > 0)
        printf("  4096^3: best kernel %d (%s) at %.1f%% of cuBLAS (%.0f GFLOP/s); bar 70%%, aim 90%%: %s\n", best_v_4096,
               gu_cuda_matmul_name(best_v_4096), best_pct_4096, cublas_4096, best_pct_4096 >= 70 ? "met" : "NOT met");
    if (skinny_us > 0)
        printf("  MNIST product: skinny kernel %.1f us; reading x once at 3.35 TB/s is 47 us, bar 2x = 94 us: %s\n", skinny_us,
               skinny_us <= 94 ? "met" : "NOT met");
    printf("  checks: %s; %.0f s in all\n", failures ? "FAILURES (see FAIL above)" : "every kernel agrees with the CPU", now_s() - t0);
    return failures ? 1 : 0;
}
