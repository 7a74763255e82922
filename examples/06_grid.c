// cc -O2 -march=native -I.. -o 06_grid 06_grid.c -lm -lz -lpthread
//
// 06_grid: the lesson's last CPU step before the GPU. A kernel computes ONE element of the
// result, c[i,j], with the third loop inside it; a launcher calls it for every point of a
// grid. First the lesson's launch_kernel (two plain loops over the grid), then the CUDA
// shape of the same thing: blocks of 16x16 threads, the kernel finding its (i, j) with
// gu_grid (cuda.grid(2)) and checking it is inside c, because the blocks overhang the
// edges. The same kernel body runs both ways; the result is checked against matmul_3loops.
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

// The kernel's arguments: a is (M,K), b is (K,N), c is (M,N), all contiguous float32.
typedef struct matmul_args {
    const float *a, *b;
    float *c;
    int64_t M, K, N;
} matmul_args;

// The lesson's matmul(grid, a, b, c): one element of c; "this is the 3rd loop".
static void matmul(int64_t i, int64_t j, void *p) {
    const matmul_args *g = (const matmul_args *)p;
    if (i < g->M && j < g->N) {
        float tmp = 0.f;
        int64_t k;
        for (k = 0; k < g->K; k++) tmp += g->a[i * g->K + k] * g->b[k * g->N + j];
        g->c[i * g->N + j] = tmp;
    }
}

// The same kernel as the lesson's @cuda.jit one: i, j = cuda.grid(2).
static void matmul_cuda(const gu_thread_ctx *ctx, void *p) {
    int64_t i, j;
    gu_grid(ctx, &i, &j);
    matmul(i, j, p);
}

static matmul_args args_of(gu_tensor a, gu_tensor b, gu_tensor c) {
    matmul_args g;
    g.a = (const float *)gu_data(a);
    g.b = (const float *)gu_data(b);
    g.c = (float *)gu_data(c);
    g.M = a.shape[0];
    g.K = a.shape[1];
    g.N = b.shape[1];
    return g;
}

static void check(const char *what, gu_tensor ref, const char *ref_name, gu_tensor c) {
    int close = gu_test_close(ref, c, 1e-3);
    printf("%-44s %s%s\n", what, close ? "close to " : "", close ? ref_name : gu_error());
    if (!close) exit(1);
}

int main(int argc, char **argv) {
    int64_t s2[2] = {784, 10};
    gu_tensor m1, m2, res, t1, x, x_valid, tr, r;
    matmul_args g;
    gu_printopts po;
    double t0;
    int nt;  // worker threads

    load_data(argc > 1 ? argv[1] : NULL, &x, &x_valid);
    gu_manual_seed(1);
    m2 = ok(gu_randn(2, s2));                // weights, torch.randn(784, 10)
    m1 = ok(gu_slice(x_valid, 0, 0, 5, 1));   // x_valid[:5], a contiguous view
    t1 = ok(gu_matmul_3loops(m1, m2));
    memset(&po, 0, sizeof po);
    po.precision = 2;
    po.linewidth = 140;
    po.sci_mode = GU_SCI_OFF;
    gu_set_printoptions(po);  // torch.set_printoptions(precision=2, linewidth=140, sci_mode=False)

    // One call of the kernel fills one element: matmul((0,0), m1, m2, res).
    res = ok(gu_zeros(GU_FLOAT32, 2, t1.shape));
    g = args_of(m1, m2, res);
    matmul(0, 0, &g);
    printf("matmul((0,0), m1, m2, res):\n");
    gu_print(res);

    // launch_kernel(matmul, ar, bc, m1, m2, res): the 1st and 2nd loops around the kernel.
    gu_launch_kernel(matmul, 5, 10, &g);
    printf("launch_kernel(matmul, 5, 10, ...):\n");
    gu_print(res);
    check("launch_kernel, (5, 784) @ (784, 10):", t1, "matmul_3loops", res);

    // The CUDA shape on all of x_train: TPB = 16, blockspergrid = (ceil(50000/16), ceil(10/16))
    // = (3125, 1); each block runs 16x16 threads, the ones with j >= 10 doing nothing.
    tr = ok(gu_matmul(x, m2));
    r = ok(gu_zeros(GU_FLOAT32, 2, tr.shape));
    g = args_of(x, m2, r);
    {
        gu_dim3 tpb = {16, 16, 1}, blockspergrid;
        blockspergrid.x = (tr.shape[0] + 15) / 16;
        blockspergrid.y = (tr.shape[1] + 15) / 16;
        blockspergrid.z = 1;
        printf("\nblockspergrid = (%lld, %lld), threads per block = (16, 16)\n", (long long)blockspergrid.x,
               (long long)blockspergrid.y);
        int max_threads = gu_get_num_threads();
        for (nt = 1; nt <= max_threads; nt++) {
            char what[96];
            gu_set_num_threads(nt);
            memset(r.base, 0, (size_t)gu_numel(r) * sizeof(float));
            t0 = now();
            if (gu_launch(matmul_cuda, blockspergrid, tpb, &g) != 0) { fprintf(stderr, "%s\n", gu_error()); return 1; }
            snprintf(what, sizeof what, "gu_launch, %d thread%s, %.0f ms:", nt, nt > 1 ? "s" : "", (now() - t0) * 1e3);
            check(what, tr, "gu_matmul", r);
        }
        gu_set_num_threads(0);
    }
    t0 = now();
    gu_launch_kernel(matmul, tr.shape[0], tr.shape[1], &g);
    {
        char what[96];
        snprintf(what, sizeof what, "launch_kernel on (50000, 10), %.0f ms:", (now() - t0) * 1e3);
        check(what, tr, "gu_matmul", r);
    }

    gu_free(&m2); gu_free(&res); gu_free(&t1);
    gu_free(&x); gu_free(&x_valid); gu_free(&tr); gu_free(&r);
    return 0;
}
