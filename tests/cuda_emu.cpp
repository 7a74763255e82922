// g++ -std=c++17 -O1 -pthread -I.. -o ../build/cuda_emu cuda_emu.cpp && ../build/cuda_emu
//
// tests/cuda_emu.cpp - checks the index arithmetic of every kernel in groundup_cuda.cu
// WITHOUT a GPU: it compiles the kernels as plain C++ and runs each block's threads as
// CPU threads (std::thread), with a barrier for __syncthreads, static storage for
// __shared__, and shuffles through memory. Blocks run one after another. That catches
// wrong tiles, missing bounds tests, a missed barrier (a deadlock here) and a
// __syncthreads inside a branch (a deadlock too); it says nothing about speed, and
// nothing about what only the hardware does (memory ordering beyond the barriers, bank
// conflicts, alignment faults: alignment is asserted instead). Each kernel is compared
// with a double-precision reference on small odd shapes that cross every tile edge.
#include <pthread.h>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

// ---- the CUDA vocabulary, on CPU threads ----
struct dim3 {
    unsigned x, y, z;
    dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};
struct alignas(16) float4 { float x, y, z, w; };
static inline float4 make_float4(float x, float y, float z, float w) { float4 v = {x, y, z, w}; return v; }
static thread_local dim3 threadIdx, blockIdx;
static dim3 blockDim, gridDim;
static pthread_barrier_t emu_bar;
static float emu_slots[1024];
static inline void __syncthreads() { pthread_barrier_wait(&emu_bar); }
static inline unsigned emu_tid() { return threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z); }
// Every thread of the block must call it (the kernels do): a value goes through memory.
static inline float __shfl_xor_sync(unsigned, float v, int lanemask) {
    unsigned t = emu_tid();
    emu_slots[t] = v;
    __syncthreads();
    float r = emu_slots[t ^ (unsigned)lanemask];
    __syncthreads();
    return r;
}
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
#define __shared__ static  // one block at a time, so one copy serves all its threads

template <class F>
static void emu_launch(dim3 grid, dim3 block, F body) {
    unsigned nt = block.x * block.y * block.z;
    assert(nt >= 1 && nt <= 1024);
    blockDim = block;
    gridDim = grid;
    pthread_barrier_init(&emu_bar, NULL, nt);
    std::vector<std::thread> ts;
    for (unsigned t = 0; t < nt; t++)
        ts.emplace_back([=] {
            threadIdx = dim3(t % block.x, (t / block.x) % block.y, t / (block.x * block.y));
            for (unsigned z = 0; z < grid.z; z++)
                for (unsigned y = 0; y < grid.y; y++)
                    for (unsigned x = 0; x < grid.x; x++) {
                        blockIdx = dim3(x, y, z);
                        body();
                        pthread_barrier_wait(&emu_bar);  // the block ends before the next reuses __shared__
                    }
        });
    for (auto &t : ts) t.join();
    pthread_barrier_destroy(&emu_bar);
}
#define GU__CUDA_LAUNCH(kern, grid, block, ...) emu_launch((grid), (block), [&] { kern(__VA_ARGS__); })
#define GU__CUDA_EMU
static int gu__cuda_sm_count(void) { return 2; }  // few blocks, so that each walks several row groups
#define GU_CUDA_MATMUL_VERSIONS 9  // as in groundup.h (not included: it needs the core)
#include "../groundup_cuda.cu"

// ---- the checks ----
static int failures;

static void check(int version, int M, int N, int K, int misalign) {
    // misalign shifts b by one float: the vectorised kernels must then take their scalar path
    std::vector<float> a((size_t)M * K + 4), b((size_t)K * N + 4), c((size_t)M * N + 4, -7.f);
    uint32_t s = (uint32_t)(M * 7919 + N * 104729 + K * 13 + version);
    for (auto &v : a) { s = s * 1664525u + 1013904223u; v = (float)((s >> 9) & 1023) / 512.f - 1.f; }
    for (auto &v : b) { s = s * 1664525u + 1013904223u; v = (float)((s >> 9) & 1023) / 512.f - 1.f; }
    const float *pb = b.data() + misalign;
    const char *why = gu__cuda_mm_launch(version, M, N, K, a.data(), pb, c.data());
    if (why) { printf("FAIL kernel %d %dx%dx%d: %s\n", version, M, N, K, why); failures++; return; }
    double worst = 0;
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double r = 0;
            for (int k = 0; k < K; k++) r += (double)a[(size_t)i * K + k] * pb[(size_t)k * N + j];
            double d = fabs(r - c[(size_t)i * N + j]);
            if (!(d <= worst)) worst = d;  // NaN counts as worst
        }
    int tail_ok = c[(size_t)M * N] == -7.f;  // nothing written past c
    int ok = worst < 1e-4 * (K + 1) && tail_ok;
    printf("%s kernel %d %-16s %5dx%-4dx%-4d%s max |err| %.2g%s\n", ok ? "ok  " : "FAIL", version,
           gu__cuda_mm_names[version], M, N, K, misalign ? " (misaligned b)" : "", worst, tail_ok ? "" : ", wrote past c");
    if (!ok) failures++;
}

int main(int argc, char **argv) {
    // shapes: a single element; odd sizes below one tile; sizes that cross tile edges by
    // one; K and N multiples of 4 (the vectorised path) with partial tiles; the MNIST
    // shape with fewer rows; K longer than the skinny kernel's chunk of b.
    static const int shapes[][3] = {
        {1, 1, 1}, {5, 3, 7}, {67, 45, 39}, {130, 129, 17}, {129, 132, 36}, {256, 256, 32}, {70, 10, 784}, {33, 16, 300}, {9, 1, 513},
        {300, 10, 200}, {45, 13, 1500}, {40, 16, 800},
    };
    int only = argc > 1 ? atoi(argv[1]) : -1;
    for (int v = 0; v <= GU_CUDA_MATMUL_VERSIONS; v++) {
        if (only >= 0 && v != only) continue;
        for (const auto &sh : shapes) {
            if (v == 8 && sh[1] > 16) continue;  // the skinny kernel takes n <= 16
            if (v == 0 && sh[0] > 70) continue;  // auto: one kernel it picks is enough
            check(v, sh[0], sh[1], sh[2], 0);
        }
        if (v == 6 || v == 7 || v == 9) check(v, 129, 132, 36, 1);
    }
    // configurations no kernel takes must come back as messages
    float x = 0;
    if (!gu__cuda_mm_launch(GU_CUDA_MATMUL_VERSIONS + 1, 1, 1, 1, &x, &x, &x)) { printf("FAIL: an unknown kernel was accepted\n"); failures++; }
    if (!gu__cuda_mm_launch(8, 1, 17, 1, &x, &x, &x)) { printf("FAIL: skinny kernel accepted n = 17\n"); failures++; }
    if (!gu__cuda_mm_launch(1, 1, 65535 * 16 + 1, 1, &x, &x, &x)) { printf("FAIL: lesson grid accepted 2^20 columns\n"); failures++; }
    printf("%s\n", failures ? "cuda_emu: FAILED" : "cuda_emu: all kernels agree with the reference");
    return failures ? 1 : 0;
}
