// nvcc -O3 -arch=sm_90 -I.. -o 07_cuda 07_cuda.cu ../groundup_cuda.cu -lm -lz
//
// 07_cuda.cu - the lesson's last section, "CUDA": the innermost loop moves to the GPU.
// One thread per output element, i, j = cuda.grid(2), launched on 16x16 blocks over the
// (50000, 10) result of x_train @ weights. Then the same product through the companion's
// ladder of kernels, each timed.
//
// x_train here is random pixels in [0, 1) of MNIST's shape (this example needs no data
// file); weights is (784, 10) as in the lesson. Without a GPU it says so and stops.
#define GROUNDUP_IMPLEMENTATION
#define GU_CUDA
#include "../groundup.h"
#include <math.h>
#include <stdlib.h>

// The lesson's kernel, as a functor for gu_cuda_launch:
//    @cuda.jit
//    def matmul(a,b,c):
//        i, j = cuda.grid(2)
//        if i < c.shape[0] and j < c.shape[1]:
//            tmp = 0.
//            for k in range(a.shape[1]): tmp += a[i, k] * b[k, j]
//            c[i,j] = tmp
struct lesson_matmul {
    __device__ void operator()(int i, int j, gu_cuda_tensor a, gu_cuda_tensor b, gu_cuda_tensor c) const {
        if (i < c.shape[0] && j < c.shape[1]) {
            float tmp = 0.f;
            for (int k = 0; k < a.shape[1]; k++) tmp += gu_cuda_at2(a, i, k) * gu_cuda_at2(b, k, j);
            gu_cuda_at2(c, i, j) = tmp;
        }
    }
};

static float frand(uint32_t *s) {  // uniform in [0, 1)
    *s = *s * 1664525u + 1013904223u;
    return (float)(*s >> 8) / 16777216.f;
}

#define CK(x) do { if (!(x)) { fprintf(stderr, "07_cuda: %s\n", gu_error()); return 1; } } while (0)

int main(void) {
    int64_t xs[2] = {50000, 784}, ws[2] = {784, 10}, rs[2] = {50000, 10};
    gu_tensor x_train, weights, tr, r;
    gu_cuda_tensor m1g, m2g, rg;
    cudaEvent_t e0, e1;
    char name[256];
    uint32_t seed = 42;
    int64_t i, j, k;
    float ms;
    int TPB = 16, v;

    if (gu_cuda_device_count() == 0) {
        printf("07_cuda: no GPU here (%s); nothing to run.\n", gu_error());
        return 0;
    }
    CK(gu_cuda_device_name(name, sizeof name) == 0);
    printf("GPU: %s\n", name);

    x_train = gu_empty(GU_FLOAT32, 2, xs);
    weights = gu_empty(GU_FLOAT32, 2, ws);
    CK(gu_ok(x_train) && gu_ok(weights));
    for (i = 0; i < 50000 * 784; i++) ((float *)x_train.base)[i] = frand(&seed);
    for (i = 0; i < 784 * 10; i++) ((float *)weights.base)[i] = 2.f * frand(&seed) - 1.f;

    // tr: the CPU's answer, the lesson's three loops (in double, for a clean reference)
    tr = gu_zeros(GU_FLOAT32, 2, rs);
    CK(gu_ok(tr));
    for (i = 0; i < 50000; i++)
        for (j = 0; j < 10; j++) {
            double s = 0;
            for (k = 0; k < 784; k++) s += (double)((float *)x_train.base)[i * 784 + k] * ((float *)weights.base)[k * 10 + j];
            ((float *)tr.base)[i * 10 + j] = (float)s;
        }

    // m1g,m2g,rg = cuda.to_device(x_train),cuda.to_device(weights),cuda.to_device(r)
    m1g = gu_cuda_to_device(x_train);
    m2g = gu_cuda_to_device(weights);
    rg = gu_cuda_zeros(GU_FLOAT32, 2, rs);
    CK(gu_cuda_ok(m1g) && gu_cuda_ok(m2g) && gu_cuda_ok(rg));

    // blockspergrid = (math.ceil(rr / TPB), math.ceil(rc / TPB))  ->  (3125, 1)
    dim3 blockspergrid((unsigned)((rs[0] + TPB - 1) / TPB), (unsigned)((rs[1] + TPB - 1) / TPB));
    printf("blockspergrid = (%u, %u)\n", blockspergrid.x, blockspergrid.y);

    // matmul[blockspergrid, (TPB,TPB)](m1g,m2g,rg); r = rg.copy_to_host()
    CK(gu_cuda_launch(lesson_matmul(), blockspergrid, dim3(TPB, TPB), m1g, m2g, rg) == 0);
    r = gu_cuda_to_host(rg);
    CK(gu_ok(r));
    {
        double worst = 0;
        for (i = 0; i < 50000 * 10; i++) worst = fmax(worst, fabs(((float *)r.base)[i] - ((float *)tr.base)[i]));
        printf("test_close(tr, r, eps=1e-3): %s (max |diff| %.2g)\n", worst < 1e-3 ? "ok" : "FAILED", worst);
    }
    gu_free(&r);

    // %timeit: the kernel alone, and the kernel plus copy_to_host (the lesson's cell)
    cudaEventCreate(&e0);
    cudaEventCreate(&e1);
    cudaEventRecord(e0);
    for (i = 0; i < 10; i++) gu_cuda_launch(lesson_matmul(), blockspergrid, dim3(TPB, TPB), m1g, m2g, rg);
    cudaEventRecord(e1);
    cudaEventSynchronize(e1);
    cudaEventElapsedTime(&ms, e0, e1);
    printf("the lesson's kernel via gu_cuda_launch: %.3f ms\n", ms / 10);
    cudaEventRecord(e0);
    gu_cuda_launch(lesson_matmul(), blockspergrid, dim3(TPB, TPB), m1g, m2g, rg);
    r = gu_cuda_to_host(rg);
    cudaEventRecord(e1);
    cudaEventSynchronize(e1);
    cudaEventElapsedTime(&ms, e0, e1);
    printf("kernel + copy_to_host: %.3f ms (the lesson: \"around 0.5ms\")\n", ms);
    gu_free(&r);

    // the companion's kernels on the same product
    printf("\nx_train @ weights, %s:\n", "(50000, 784) @ (784, 10)");
    for (v = 1; v <= GU_CUDA_MATMUL_VERSIONS; v++) {
        double worst = 0;
        CK(gu_cuda_matmul(v, m1g, m2g, rg) == 0);  // warm up, and check
        r = gu_cuda_to_host(rg);
        CK(gu_ok(r));
        for (i = 0; i < 50000 * 10; i++) worst = fmax(worst, fabs(((float *)r.base)[i] - ((float *)tr.base)[i]));
        gu_free(&r);
        cudaEventRecord(e0);
        for (i = 0; i < 20; i++) gu_cuda_matmul(v, m1g, m2g, rg);
        cudaEventRecord(e1);
        cudaEventSynchronize(e1);
        cudaEventElapsedTime(&ms, e0, e1);
        CK(gu_cuda_sync() == 0);
        printf("  kernel %d %-16s %8.1f us   %6.1f GB/s reading x   %s\n", v, gu_cuda_matmul_name(v), ms / 20 * 1000,
               50000.0 * 784 * 4 / (ms / 20 * 1e-3) / 1e9, worst < 1e-3 ? "ok" : "WRONG");
    }
    printf("(reading x once at the H100's 3.35 TB/s takes about 47 us)\n");

    cudaEventDestroy(e0);
    cudaEventDestroy(e1);
    gu_cuda_free(&m1g); gu_cuda_free(&m2g); gu_cuda_free(&rg);
    gu_free(&x_train); gu_free(&weights); gu_free(&tr);
    return 0;
}
