// groundup_cuda.cu - the CUDA companion of groundup.h: device tensors, the lesson's GPU
// kernel, and a ladder of matmul kernels from it toward cuBLAS.
//
// Build, then link with the file that defines GROUNDUP_IMPLEMENTATION:
//    nvcc -O3 -gencode arch=compute_90,code=sm_90 -gencode arch=compute_75,code=compute_75
//         -Xcompiler -Wall,-Wextra -I. -c groundup_cuda.cu
// (machine code for the H100, and PTX that the driver compiles for any other GPU.)
//
// The lesson ends with one GPU kernel: one thread per output element, i, j = cuda.grid(2),
// the k loop inside. Kernels 2 to 7 and 9 keep that contract (c = a @ b, every element
// computed once) and each changes one thing about how the threads reach memory; kernel 8
// is the shape the lesson actually runs, 50000x784 @ 784x10, where there is almost no
// arithmetic to share and the only question is reading x at full bandwidth. Every version
// is checked against the CPU gu_matmul before it is timed (bench/gpu_check.sh), and its
// index arithmetic is checked without a GPU by tests/cuda_emu.cpp, which runs these
// kernels on CPU threads.
//
// What to expect on an H100 (from public reports of this classic ladder;
// NOT measured here: no GPU was at hand when this was written): kernels 1-7 at about 1%,
// 12%, 18%, 34%, 51%, 62% and 71% of cuBLAS SGEMM at 4096^3 (cuBLAS about 51 TFLOP/s).
// Kernel 8's floor is reading x once, about 47 us at 3.35 TB/s. bench/gpu_check.sh measures.
//
// Layout: row-major throughout. a is (M,K), b is (K,N), c is (M,N); element [i,k] of a is
// a[i*K + k]. The launcher checks that every index fits in an int.
#ifndef GU__CUDA_EMU
#define GU_CUDA
#include "groundup.h"
#include <cuda_runtime.h>
#endif
#include <stdint.h>
#include <string.h>

#ifndef GU__CUDA_LAUNCH  // the emulator replaces the launch with CPU threads
#define GU__CUDA_LAUNCH(kern, grid, block, ...) kern<<<(grid), (block)>>>(__VA_ARGS__)
#endif

static __device__ __forceinline__ int gu__imin(int a, int b) { return a < b ? a : b; }

// >>cuda-kernels --------------------------------------------------------------------------

// 1: the lesson's kernel as written. i, j = cuda.grid(2): i, the row, comes from the x
// thread index, which is the one that varies fastest inside a warp; blocks are 16x16 and
// blockspergrid = (ceil(M/16), ceil(N/16)). So the 16 threads of each half-warp hold 16
// different rows and one column: their reads of a are K floats apart (16 memory
// transactions where 1 would do), their reads of b all hit one address, and their
// writes of c are N floats apart.
__global__ void gu__mm1_lesson(int M, int N, int K, const float *a, const float *b, float *c) {
    int i = (int)(blockIdx.x * blockDim.x + threadIdx.x);  // cuda.grid(2)[0]
    int j = (int)(blockIdx.y * blockDim.y + threadIdx.y);  // cuda.grid(2)[1]
    if (i < M && j < N) {
        float tmp = 0.f;
        for (int k = 0; k < K; k++) tmp += a[i * K + k] * b[k * N + j];  // the 3rd loop
        c[i * N + j] = tmp;
    }
    __syncthreads();  // as in the lesson; nothing comes after it, so it changes nothing
}

// 2: coalesced. Same work per thread; j, the column, now comes from x and a block is
// 32 wide, so the 32 threads of a warp share a row i and take 32 neighbouring columns:
// b[k*N + j..j+31] and c[i*N + j..j+31] are one 128-byte transaction each, and a[i*K+k] is
// one address for the whole warp.
__global__ void gu__mm2_coalesced(int M, int N, int K, const float *a, const float *b, float *c) {
    int j = (int)(blockIdx.x * blockDim.x + threadIdx.x);
    int i = (int)(blockIdx.y * blockDim.y + threadIdx.y);
    if (i < M && j < N) {
        float tmp = 0.f;
        for (int k = 0; k < K; k++) tmp += a[i * K + k] * b[k * N + j];
        c[i * N + j] = tmp;
    }
}

// 3: shared-memory tiles. A 32x32 block of threads computes a 32x32 tile of c. For each
// step of 32 along k it first copies a 32x32 tile of a and one of b into shared memory
// (one element per thread, coalesced), waits, and then every thread reads its row of the
// a tile and its column of the b tile from there. Each float fetched from global memory
// is used 32 times instead of once.
#define GU__T3 32
__global__ void gu__mm3_shared(int M, int N, int K, const float *a, const float *b, float *c) {
    __shared__ float as[GU__T3][GU__T3];  // as[r][k]: rows of a's tile
    __shared__ float bs[GU__T3][GU__T3];  // bs[k][n]: rows of b's tile
    const int tx = (int)threadIdx.x, ty = (int)threadIdx.y;
    const int row = (int)blockIdx.y * GU__T3 + ty, col = (int)blockIdx.x * GU__T3 + tx;
    float acc = 0.f;
    for (int k0 = 0; k0 < K; k0 += GU__T3) {
        // Outside the matrices the tiles hold zeros, so the loop below needs no tests.
        as[ty][tx] = (row < M && k0 + tx < K) ? a[row * K + k0 + tx] : 0.f;
        bs[ty][tx] = (k0 + ty < K && col < N) ? b[(k0 + ty) * N + col] : 0.f;
        __syncthreads();  // the tiles are complete
#pragma unroll
        for (int kk = 0; kk < GU__T3; kk++) acc += as[ty][kk] * bs[kk][tx];
        __syncthreads();  // everyone is done with them before the next copy
    }
    if (row < M && col < N) c[row * N + col] = acc;
}

// The block's tiles of a (BM x BK at row0, k0) and b (BK x BN at k0, col0) into shared
// memory, NT threads striding over them, zeros past the edges (kernels 4 and 5).
template <int BM, int BN, int BK, int NT>
__device__ __forceinline__ void gu__load_tiles(int M, int N, int K, const float *a, const float *b, float *as,
                                               float *bs, int row0, int col0, int k0, int tid) {
    for (int t = tid; t < BM * BK; t += NT) {
        int r = t / BK, k = t % BK;
        as[t] = (row0 + r < M && k0 + k < K) ? a[(row0 + r) * K + k0 + k] : 0.f;
    }
    for (int t = tid; t < BK * BN; t += NT) {
        int k = t / BN, n = t % BN;
        bs[t] = (k0 + k < K && col0 + n < N) ? b[(k0 + k) * N + col0 + n] : 0.f;
    }
}

// 4: 1-D register blocking. Kernel 3 does two shared-memory reads per multiply-add.
// Here each thread computes TM outputs of one column: per step of k it reads one b value
// into a register and reuses it for TM multiply-adds, against TM values of a. Tiles are
// BM x BK of a and BK x BN of b, and BM*BN/TM threads share them.
template <int BM, int BN, int BK, int TM>
__global__ void __launch_bounds__((BM * BN) / TM)
gu__mm4_blocktile1d(int M, int N, int K, const float *a, const float *b, float *c) {
    enum { NT = (BM * BN) / TM };
    __shared__ float as[BM * BK];  // as[r*BK + k]
    __shared__ float bs[BK * BN];  // bs[k*BN + n]
    const int tid = (int)threadIdx.x;
    const int trow = tid / BN, tcol = tid % BN;  // this thread: rows trow*TM.. of column tcol
    const int row0 = (int)blockIdx.y * BM, col0 = (int)blockIdx.x * BN;
    float acc[TM];
#pragma unroll
    for (int m = 0; m < TM; m++) acc[m] = 0.f;
    for (int k0 = 0; k0 < K; k0 += BK) {
        gu__load_tiles<BM, BN, BK, NT>(M, N, K, a, b, as, bs, row0, col0, k0, tid);
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < BK; kk++) {
            float bv = bs[kk * BN + tcol];  // one register, TM uses
#pragma unroll
            for (int m = 0; m < TM; m++) acc[m] += as[(trow * TM + m) * BK + kk] * bv;
        }
        __syncthreads();
    }
#pragma unroll
    for (int m = 0; m < TM; m++) {
        int r = row0 + trow * TM + m, n = col0 + tcol;
        if (r < M && n < N) c[r * N + n] = acc[m];
    }
}

// A thread's accumulators (kernels 5, 6, 7, 9), zeroed.
template <int R, int C>
static __device__ __forceinline__ void gu__zero(float (&acc)[R][C]) {
#pragma unroll
    for (int m = 0; m < R; m++)
#pragma unroll
        for (int n = 0; n < C; n++) acc[m][n] = 0.f;
}

// 5: 2-D register blocking. Each thread computes a TM x TN square of outputs: per step
// of k it loads TM values of a and TN of b into registers and does TM*TN multiply-adds
// with them, an outer product. Loads per multiply-add fall from 1 + 1/TM (kernel 4) to
// 1/TN + 1/TM. The block's tile grows to 128x128, so each global load serves 128 outputs.
template <int BM, int BN, int BK, int TM, int TN>
__global__ void __launch_bounds__((BM * BN) / (TM * TN))
gu__mm5_blocktile2d(int M, int N, int K, const float *a, const float *b, float *c) {
    enum { NT = (BM * BN) / (TM * TN) };
    __shared__ float as[BM * BK];  // as[r*BK + k]
    __shared__ float bs[BK * BN];  // bs[k*BN + n]
    const int tid = (int)threadIdx.x;
    const int trow = tid / (BN / TN), tcol = tid % (BN / TN);
    const int row0 = (int)blockIdx.y * BM, col0 = (int)blockIdx.x * BN;
    float acc[TM][TN], rm[TM], rn[TN];
    gu__zero(acc);
    for (int k0 = 0; k0 < K; k0 += BK) {
        gu__load_tiles<BM, BN, BK, NT>(M, N, K, a, b, as, bs, row0, col0, k0, tid);
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < BK; kk++) {
#pragma unroll
            for (int m = 0; m < TM; m++) rm[m] = as[(trow * TM + m) * BK + kk];
#pragma unroll
            for (int n = 0; n < TN; n++) rn[n] = bs[kk * BN + tcol * TN + n];
#pragma unroll
            for (int m = 0; m < TM; m++)
#pragma unroll
                for (int n = 0; n < TN; n++) acc[m][n] += rm[m] * rn[n];
        }
        __syncthreads();
    }
#pragma unroll
    for (int m = 0; m < TM; m++)
#pragma unroll
        for (int n = 0; n < TN; n++) {
            int r = row0 + trow * TM + m, col = col0 + tcol * TN + n;
            if (r < M && col < N) c[r * N + col] = acc[m][n];
        }
}

// Four floats of row `row` from column `col` of a (rows x cols) matrix with row length
// ld; zeros outside. VEC: one 16-byte load, allowed when cols and col are multiples of 4
// (so the four are all inside or all outside) and the matrix starts 16-byte aligned.
template <bool VEC>
static __device__ __forceinline__ float4 gu__load4(const float *p, int row, int rows, int col, int cols, int ld) {
    float4 v = make_float4(0.f, 0.f, 0.f, 0.f);
    if (row < rows) {
        const float *q = p + row * ld + col;
        if (VEC) {
            if (col < cols) v = *reinterpret_cast<const float4 *>(q);
        } else {
            if (col < cols) v.x = q[0];
            if (col + 1 < cols) v.y = q[1];
            if (col + 2 < cols) v.z = q[2];
            if (col + 3 < cols) v.w = q[3];
        }
    }
    return v;
}
template <bool VEC>
static __device__ __forceinline__ void gu__store4(float *p, int row, int rows, int col, int cols, int ld, float4 v) {
    if (row >= rows) return;
    float *q = p + row * ld + col;
    if (VEC) {
        if (col < cols) *reinterpret_cast<float4 *>(q) = v;
    } else {
        if (col < cols) q[0] = v.x;
        if (col + 1 < cols) q[1] = v.y;
        if (col + 2 < cols) q[2] = v.z;
        if (col + 3 < cols) q[3] = v.w;
    }
}

// The pieces kernels 6, 7 and 9 share.
// Float4 number t of a's (BM x BK) tile starting at (row0, k0): read along k, and stored
// transposed (ast[k*BM + r]), so that a thread's values of a lie side by side in k's row.
template <int BK, bool VEC>
static __device__ __forceinline__ float4 gu__fetch_a4(const float *a, int t, int M, int K, int row0, int k0) {
    return gu__load4<VEC>(a, row0 + t / (BK / 4), M, k0 + (t % (BK / 4)) * 4, K, K);
}
template <int BM, int BK>
static __device__ __forceinline__ void gu__stash_a4(float *ast, int t, float4 v) {
    int r = t / (BK / 4), k = (t % (BK / 4)) * 4;
    ast[(k + 0) * BM + r] = v.x;
    ast[(k + 1) * BM + r] = v.y;
    ast[(k + 2) * BM + r] = v.z;
    ast[(k + 3) * BM + r] = v.w;
}
// Float4 number t of b's (BK x BN) tile starting at (k0, col0), stored as it is (bs[k*BN + n]).
template <int BN, bool VEC>
static __device__ __forceinline__ float4 gu__fetch_b4(const float *b, int t, int N, int K, int k0, int col0) {
    return gu__load4<VEC>(b, k0 + t / (BN / 4), K, col0 + (t % (BN / 4)) * 4, N, N);
}
template <int BN>
static __device__ __forceinline__ void gu__stash_b4(float *bs, int t, float4 v) {
    *reinterpret_cast<float4 *>(&bs[(t / (BN / 4)) * BN + (t % (BN / 4)) * 4]) = v;
}
// Both tiles of step k0, the block's NT threads taking every NT-th float4.
template <int BM, int BN, int BK, int NT, bool VEC>
static __device__ __forceinline__ void gu__load_tiles4(int M, int N, int K, const float *a, const float *b, float *ast,
                                                       float *bs, int row0, int col0, int k0, int tid) {
    for (int t = tid; t < BM * BK / 4; t += NT) gu__stash_a4<BM, BK>(ast, t, gu__fetch_a4<BK, VEC>(a, t, M, K, row0, k0));
    for (int t = tid; t < BK * BN / 4; t += NT) gu__stash_b4<BN>(bs, t, gu__fetch_b4<BN, VEC>(b, t, N, K, k0, col0));
}

// ITER groups of T values, SUB apart, from p (a row of a shared tile) into r, 16 bytes at a time.
template <int ITER, int T, int SUB>
static __device__ __forceinline__ void gu__regs4(const float *p, float *r) {
#pragma unroll
    for (int i = 0; i < ITER; i++)
#pragma unroll
        for (int j = 0; j < T; j += 4) {
            float4 v = *reinterpret_cast<const float4 *>(p + i * SUB + j);
            r[i * T + j] = v.x; r[i * T + j + 1] = v.y; r[i * T + j + 2] = v.z; r[i * T + j + 3] = v.w;
        }
}
// One step of k for a thread holding WMITER x WNITER blocks of TM x TN outputs, WSUBM rows
// and WSUBN columns apart: its values of a (from ar, a row of the transposed a tile) and of
// b (from br, a row of the b tile), then their outer product into acc.
template <int WMITER, int WNITER, int WSUBM, int WSUBN, int TM, int TN>
static __device__ __forceinline__ void gu__outer(const float *ar, const float *br, float (&acc)[WMITER * TM][WNITER * TN]) {
    float rm[WMITER * TM], rn[WNITER * TN];
    gu__regs4<WMITER, TM, WSUBM>(ar, rm);
    gu__regs4<WNITER, TN, WSUBN>(br, rn);
#pragma unroll
    for (int m = 0; m < WMITER * TM; m++)
#pragma unroll
        for (int n = 0; n < WNITER * TN; n++) acc[m][n] += rm[m] * rn[n];
}
// acc into c (M,N), its first element at (r0, c0), laid out as gu__outer's.
template <int WMITER, int WNITER, int WSUBM, int WSUBN, int TM, int TN, bool VEC>
static __device__ __forceinline__ void gu__store_acc(float *c, int M, int N, int r0, int c0, const float (&acc)[WMITER * TM][WNITER * TN]) {
#pragma unroll
    for (int wm = 0; wm < WMITER; wm++)
#pragma unroll
        for (int m = 0; m < TM; m++)
#pragma unroll
            for (int wn = 0; wn < WNITER; wn++)
#pragma unroll
                for (int n = 0; n < TN; n += 4) {
                    const float *v = &acc[wm * TM + m][wn * TN + n];
                    gu__store4<VEC>(c, r0 + wm * WSUBM + m, M, c0 + wn * WSUBN + n, N, N, make_float4(v[0], v[1], v[2], v[3]));
                }
}

// 6: vectorised. Kernel 5 with 16-byte accesses: global loads and stores move float4s
// (4x fewer memory instructions), and the a tile is stored transposed, k-major, so that
// a thread's TM values of a are contiguous in shared memory and come in two 16-byte
// reads like its TN values of b. When K or N is not a multiple of 4 (VEC false) the same
// kernel loads element by element.
template <int BM, int BN, int BK, int TM, int TN, bool VEC>
__global__ void __launch_bounds__((BM * BN) / (TM * TN))
gu__mm6_vectorised(int M, int N, int K, const float *a, const float *b, float *c) {
    enum { NT = (BM * BN) / (TM * TN) };
    __shared__ __align__(16) float ast[BK * BM];  // ast[k*BM + r]: a's tile, transposed
    __shared__ __align__(16) float bs[BK * BN];   // bs[k*BN + n]
    const int tid = (int)threadIdx.x;
    const int trow = tid / (BN / TN), tcol = tid % (BN / TN);
    const int row0 = (int)blockIdx.y * BM, col0 = (int)blockIdx.x * BN;
    float acc[TM][TN];
    gu__zero(acc);
    for (int k0 = 0; k0 < K; k0 += BK) {
        gu__load_tiles4<BM, BN, BK, NT, VEC>(M, N, K, a, b, ast, bs, row0, col0, k0, tid);
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < BK; kk++) gu__outer<1, 1, 0, 0, TM, TN>(&ast[kk * BM + trow * TM], &bs[kk * BN + tcol * TN], acc);
        __syncthreads();
    }
    gu__store_acc<1, 1, 0, 0, TM, TN, VEC>(c, M, N, row0 + trow * TM, col0 + tcol * TN, acc);
}

// 7: warp tiling. Between the block's tile and the thread's registers, a warp's tile:
// each of the block's warps owns a WM x WN part of the block tile, and walks it in
// WMITER x WNITER sub-tiles of (WM/WMITER) x (WN/WNITER), in which its 32 threads each
// hold TM x TN outputs. A warp's 32 threads then read a compact patch of shared memory
// (few banks, many broadcasts) and the warp's results are contiguous, and the
// compiler can schedule each warp's outer products as one unit. Tile sizes are the
// launcher's; they were not tuned on an H100 (none was at hand).
template <int BM, int BN, int BK, int WM, int WN, int WNITER, int TM, int TN, int NT, bool VEC>
__global__ void __launch_bounds__(NT)
gu__mm7_warptile(int M, int N, int K, const float *a, const float *b, float *c) {
    enum {
        WMITER = (WM * WN) / (32 * TM * TN * WNITER),
        WSUBM = WM / WMITER, WSUBN = WN / WNITER,  // one sub-tile of the warp
        TCOLS = WSUBN / TN                         // threads across a sub-tile
    };
    static_assert((BM / WM) * (BN / WN) * 32 == NT, "one warp per warp tile");
    static_assert(WMITER * WSUBM == WM && WNITER * WSUBN == WN, "sub-tiles cover the warp tile");
    static_assert((WSUBM / TM) * TCOLS == 32, "32 threads cover a sub-tile");
    static_assert(TM % 4 == 0 && TN % 4 == 0 && BK % 4 == 0 && BN % 4 == 0, "float4 access");
    __shared__ __align__(16) float ast[BK * BM];  // ast[k*BM + r]: a's tile, transposed
    __shared__ __align__(16) float bs[BK * BN];   // bs[k*BN + n]
    const int tid = (int)threadIdx.x, warp = tid / 32, lane = tid % 32;
    const int wrow = warp / (BN / WN), wcol = warp % (BN / WN);  // this warp's tile
    const int trow = lane / TCOLS, tcol = lane % TCOLS;          // this thread in a sub-tile
    const int row0 = (int)blockIdx.y * BM, col0 = (int)blockIdx.x * BN;
    float acc[WMITER * TM][WNITER * TN];
    gu__zero(acc);
    for (int k0 = 0; k0 < K; k0 += BK) {
        gu__load_tiles4<BM, BN, BK, NT, VEC>(M, N, K, a, b, ast, bs, row0, col0, k0, tid);
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < BK; kk++)
            gu__outer<WMITER, WNITER, WSUBM, WSUBN, TM, TN>(&ast[kk * BM + wrow * WM + trow * TM], &bs[kk * BN + wcol * WN + tcol * TN], acc);
        __syncthreads();
    }
    gu__store_acc<WMITER, WNITER, WSUBM, WSUBN, TM, TN, VEC>(c, M, N, row0 + wrow * WM + trow * TM, col0 + wcol * WN + tcol * TN, acc);
}

// 8: skinny, for the lesson's own product: x (50000,784) @ weights (784,10). With N = 10
// there are only 10 multiply-adds per element of x, so the time is the time to read x
// once (157 MB) and nothing else matters. One warp takes R rows of x (4, or 2 for n > 12):
// its 32 lanes read 32 consecutive floats of each row (one 128-byte transaction per
// row), multiply each by the matching row of b, read once from shared memory and used for
// the R rows, and keep NN partial sums per row. At the end the 32 partial sums of each
// output are added across the warp with shuffles. b lives in shared memory, its rows
// padded to an odd length so that 32 lanes reading 32 consecutive rows hit 32 different
// banks. When all of b fits (K <= KC: 1088 rows for n = 10, the MNIST case) a block
// stages it once and then walks many groups of rows (the grid is about 3 blocks per SM);
// a longer b is staged KC rows at a time for each group.
#define GU__SKINNY_ROWS(n) ((n) <= 12 ? 4 : 2)  // the sums fit in registers at 3 blocks per SM
#define GU__SKINNY_KC(n) ((12288 / ((n) | 1)) / 32 * 32)  // rows of b in 48 KB of shared memory
template <int NN>
__global__ void __launch_bounds__(256, 3) gu__mm8_skinny(int M, int K, const float *a, const float *b, float *c) {
    enum { R = GU__SKINNY_ROWS(NN), WARPS = 8, KC = GU__SKINNY_KC(NN), P = NN | 1 };
    __shared__ float bs[KC * P];  // bs[k*P + j] = b[k0 + k, j]
    const int lane = (int)threadIdx.x % 32, warp = (int)threadIdx.x / 32;
    const int groups = (M + WARPS * R - 1) / (WARPS * R);  // a group: the block's 8*R rows
    const bool resident = K <= KC;                         // b staged once, for every group
    if (resident) {
        for (int t = (int)threadIdx.x; t < K * NN; t += WARPS * 32) bs[(t / NN) * P + t % NN] = b[t];
        __syncthreads();
    }
    for (int g = (int)blockIdx.x; g < groups; g += (int)gridDim.x) {
        const int row0 = (g * WARPS + warp) * R;  // this warp's rows: row0 .. row0+R-1
        float acc[R][NN];
#pragma unroll
        for (int r = 0; r < R; r++)
#pragma unroll
            for (int j = 0; j < NN; j++) acc[r][j] = 0.f;
        for (int k0 = 0; k0 < K; k0 += KC) {
            const int kc = gu__imin(KC, K - k0);
            if (!resident) {
                __syncthreads();  // everyone is done with the previous chunk
                for (int t = (int)threadIdx.x; t < kc * NN; t += WARPS * 32) bs[(t / NN) * P + t % NN] = b[k0 * NN + t];
                __syncthreads();
            }
#pragma unroll 2
            for (int kk = lane; kk < kc; kk += 32) {
                float bv[NN], x[R];
#pragma unroll
                for (int r = 0; r < R; r++) x[r] = row0 + r < M ? a[(row0 + r) * K + k0 + kk] : 0.f;
#pragma unroll
                for (int j = 0; j < NN; j++) bv[j] = bs[kk * P + j];
#pragma unroll
                for (int r = 0; r < R; r++)
#pragma unroll
                    for (int j = 0; j < NN; j++) acc[r][j] += x[r] * bv[j];
            }
        }
#pragma unroll
        for (int r = 0; r < R; r++)
#pragma unroll
            for (int j = 0; j < NN; j++) {
                float v = acc[r][j];
#pragma unroll
                for (int o = 16; o > 0; o /= 2) v += __shfl_xor_sync(0xffffffffu, v, o);
                acc[r][j] = v;  // every lane now holds the whole sum
            }
        if (lane == 0) {
#pragma unroll
            for (int r = 0; r < R; r++)
                if (row0 + r < M)
#pragma unroll
                    for (int j = 0; j < NN; j++) c[(row0 + r) * NN + j] = acc[r][j];
        }
    }
}

// 9: warp tiling, double-buffered. Kernel 7 waits twice per step of k: for its loads from
// global memory to land, and at the barrier. Here the loads of the NEXT tiles are issued
// into registers before the current tiles' multiply-adds, so their latency hides behind
// the arithmetic; the registers then go to the second of two shared-memory buffers, and
// one barrier per step is enough (a buffer is refilled only after every warp has passed
// the barrier that ended its use). The same tile sizes as kernel 7.
template <int BM, int BN, int BK, int WM, int WN, int WNITER, int TM, int TN, int NT, bool VEC>
__global__ void __launch_bounds__(NT)
gu__mm9_warptile_db(int M, int N, int K, const float *a, const float *b, float *c) {
    enum {
        WMITER = (WM * WN) / (32 * TM * TN * WNITER),
        WSUBM = WM / WMITER, WSUBN = WN / WNITER, TCOLS = WSUBN / TN,
        NA = BM * BK / 4 / NT, NB = BK * BN / 4 / NT  // float4s of each tile per thread
    };
    static_assert((BM / WM) * (BN / WN) * 32 == NT && (WSUBM / TM) * TCOLS == 32, "warp layout");
    static_assert(NA * 4 * NT == BM * BK && NB * 4 * NT == BK * BN, "tiles split evenly over the threads");
    __shared__ __align__(16) float ast[2][BK * BM];  // two buffers: ast[buf][k*BM + r]
    __shared__ __align__(16) float bs[2][BK * BN];   // bs[buf][k*BN + n]
    const int tid = (int)threadIdx.x, warp = tid / 32, lane = tid % 32;
    const int wrow = warp / (BN / WN), wcol = warp % (BN / WN);
    const int trow = lane / TCOLS, tcol = lane % TCOLS;
    const int row0 = (int)blockIdx.y * BM, col0 = (int)blockIdx.x * BN;
    float acc[WMITER * TM][WNITER * TN];
    float4 pa[NA], pb[NB];  // the next tiles, on their way from global memory
    gu__zero(acc);
#define GU__FETCH(k0)                                                                                      \
    do {                                                                                                   \
        _Pragma("unroll") for (int i = 0; i < NA; i++) pa[i] = gu__fetch_a4<BK, VEC>(a, tid + i * NT, M, K, row0, (k0)); \
        _Pragma("unroll") for (int i = 0; i < NB; i++) pb[i] = gu__fetch_b4<BN, VEC>(b, tid + i * NT, N, K, (k0), col0);     \
    } while (0)
#define GU__STASH(buf)                                                                                     \
    do {                                                                                                   \
        _Pragma("unroll") for (int i = 0; i < NA; i++) gu__stash_a4<BM, BK>(ast[buf], tid + i * NT, pa[i]); \
        _Pragma("unroll") for (int i = 0; i < NB; i++) gu__stash_b4<BN>(bs[buf], tid + i * NT, pb[i]);     \
    } while (0)
    GU__FETCH(0);
    GU__STASH(0);
    __syncthreads();
    int buf = 0;
    for (int k0 = 0; k0 < K; k0 += BK, buf ^= 1) {
        const bool more = k0 + BK < K;  // the same for every thread: the barrier below is uniform
        if (more) GU__FETCH(k0 + BK);
#pragma unroll
        for (int kk = 0; kk < BK; kk++)
            gu__outer<WMITER, WNITER, WSUBM, WSUBN, TM, TN>(&ast[buf][kk * BM + wrow * WM + trow * TM],
                                                            &bs[buf][kk * BN + wcol * WN + tcol * TN], acc);
        if (more) GU__STASH(buf ^ 1);  // the other buffer: its last readers passed the previous barrier
        __syncthreads();
    }
#undef GU__FETCH
#undef GU__STASH
    gu__store_acc<WMITER, WNITER, WSUBM, WSUBN, TM, TN, VEC>(c, M, N, row0 + wrow * WM + trow * TM, col0 + wcol * WN + tcol * TN, acc);
}

// >>cuda-launch -----------------------------------------------------------------------------
static const char *const gu__cuda_mm_names[GU_CUDA_MATMUL_VERSIONS + 1] = {
    "auto", "lesson (naive)", "coalesced", "shared-memory", "1d-blocktiling",
    "2d-blocktiling", "vectorised", "warptiling", "skinny (n<=16)", "warptiling-2buf"};

#define GU__SKINNY_MAX_N 16
static int gu__cuda_mm_pick(int version, int N) {
    if (version != 0) return version;
    return N <= GU__SKINNY_MAX_N ? 8 : 7;
}

static unsigned gu__cdiv(int n, int d) { return (unsigned)((n + d - 1) / d); }

#ifndef GU__CUDA_EMU
static int gu__cuda_sm_count(void) {  // of the current GPU; 132 on an H100 SXM
    int dev = 0, n = 0;
    if (cudaGetDevice(&dev) != cudaSuccess || cudaDeviceGetAttribute(&n, cudaDevAttrMultiProcessorCount, dev) != cudaSuccess || n < 1)
        n = 1;  // the launch that follows reports what went wrong
    return n;
}
#endif

typedef void (*gu__cuda_mm_fn)(int, int, int, const float *, const float *, float *);

// Launches k unless the grid is taller than CUDA allows (tall: the message then).
static const char *gu__cuda_mm_run(gu__cuda_mm_fn k, dim3 grid, dim3 block, const char *tall, int M, int N, int K,
                                   const float *a, const float *b, float *c) {
    if (grid.y > 65535) return tall;
    GU__CUDA_LAUNCH(k, grid, block, M, N, K, a, b, c);
    return NULL;
}
// A tiled kernel (4 to 7, 9): nt threads a block, a block for each bm x bn tile of c.
static const char *gu__cuda_mm_tiled(gu__cuda_mm_fn k, int nt, int bm, int bn, int M, int N, int K, const float *a,
                                     const float *b, float *c) {
    return gu__cuda_mm_run(k, dim3(gu__cdiv(N, bn), gu__cdiv(M, bm)), dim3(nt), "grid y (rows / the tile's rows) over 65535",
                           M, N, K, a, b, c);
}

// The warp-tiled kernels' sizes (7 and 9): BM, BN, BK, WM, WN, WNITER, TM, TN, NT. Not
// tuned on an H100 (none was at hand).
#define GU__WARPTILE 128, 128, 16, 64, 64, 4, 8, 4, GU__WARPTILE_NT
#define GU__WARPTILE_BM 128
#define GU__WARPTILE_BN 128
#define GU__WARPTILE_NT 128

// Launches kernel `version` (0: picked by shape) for c (M,N) = a (M,K) @ b (K,N) on device
// pointers. Returns NULL when launched, or a message for a grid the GPU cannot take;
// the caller checks the shapes and the launch itself.
static const char *gu__cuda_mm_launch(int version, int M, int N, int K, const float *a, const float *b, float *c) {
    const int vec = K % 4 == 0 && N % 4 == 0 && ((uintptr_t)a | (uintptr_t)b | (uintptr_t)c) % 16 == 0;
    switch (gu__cuda_mm_pick(version, N)) {
    case 1:  // the lesson's blockspergrid
        return gu__cuda_mm_run(gu__mm1_lesson, dim3(gu__cdiv(M, 16), gu__cdiv(N, 16)), dim3(16, 16),
                               "the lesson's grid puts columns on y, which allows at most 65535*16 columns", M, N, K, a, b, c);
    case 2:
        return gu__cuda_mm_run(gu__mm2_coalesced, dim3(gu__cdiv(N, 32), gu__cdiv(M, 8)), dim3(32, 8),
                               "grid y (rows/8) over 65535", M, N, K, a, b, c);
    case 3:
        return gu__cuda_mm_run(gu__mm3_shared, dim3(gu__cdiv(N, GU__T3), gu__cdiv(M, GU__T3)), dim3(GU__T3, GU__T3),
                               "grid y (rows/32) over 65535", M, N, K, a, b, c);
    case 4: {
        enum { BM = 64, BN = 64, BK = 8, TM = 8 };
        return gu__cuda_mm_tiled(gu__mm4_blocktile1d<BM, BN, BK, TM>, (BM * BN) / TM, BM, BN, M, N, K, a, b, c);
    }
    case 5: {
        enum { BM = 128, BN = 128, BK = 8, TM = 8, TN = 8 };
        return gu__cuda_mm_tiled(gu__mm5_blocktile2d<BM, BN, BK, TM, TN>, (BM * BN) / (TM * TN), BM, BN, M, N, K, a, b, c);
    }
    case 6: {
        enum { BM = 128, BN = 128, BK = 8, TM = 8, TN = 8 };
        return gu__cuda_mm_tiled(vec ? gu__mm6_vectorised<BM, BN, BK, TM, TN, true> : gu__mm6_vectorised<BM, BN, BK, TM, TN, false>,
                                 (BM * BN) / (TM * TN), BM, BN, M, N, K, a, b, c);
    }
    case 7:
        return gu__cuda_mm_tiled(vec ? gu__mm7_warptile<GU__WARPTILE, true> : gu__mm7_warptile<GU__WARPTILE, false>,
                                 GU__WARPTILE_NT, GU__WARPTILE_BM, GU__WARPTILE_BN, M, N, K, a, b, c);
    case 8: {
        // 8 warps of 4 (or 2) rows a group; about 3 blocks per SM, each walking many groups
        unsigned groups = gu__cdiv(M, 8 * GU__SKINNY_ROWS(N)), most = 3u * (unsigned)gu__cuda_sm_count();
        dim3 block(256), grid(groups < most ? groups : most);
        void (*k)(int, int, const float *, const float *, float *) = NULL;
        switch (N) {  // one kernel per width, so that the sums live in registers
#define GU__SKINNY_CASE(n) case n: k = gu__mm8_skinny<n>; break;
        GU__SKINNY_CASE(1) GU__SKINNY_CASE(2) GU__SKINNY_CASE(3) GU__SKINNY_CASE(4)
        GU__SKINNY_CASE(5) GU__SKINNY_CASE(6) GU__SKINNY_CASE(7) GU__SKINNY_CASE(8)
        GU__SKINNY_CASE(9) GU__SKINNY_CASE(10) GU__SKINNY_CASE(11) GU__SKINNY_CASE(12)
        GU__SKINNY_CASE(13) GU__SKINNY_CASE(14) GU__SKINNY_CASE(15) GU__SKINNY_CASE(16)
#undef GU__SKINNY_CASE
        default: return "the skinny kernel takes 1 to 16 columns";
        }
        GU__CUDA_LAUNCH(k, grid, block, M, K, a, b, c);
        return NULL;
    }
    case 9:
        return gu__cuda_mm_tiled(vec ? gu__mm9_warptile_db<GU__WARPTILE, true> : gu__mm9_warptile_db<GU__WARPTILE, false>,
                                 GU__WARPTILE_NT, GU__WARPTILE_BM, GU__WARPTILE_BN, M, N, K, a, b, c);
    default: return "unknown kernel version";
    }
}

#ifndef GU__CUDA_EMU
// >>cuda-api ----------------------------------------------------------------------------
// Everything below runs on the host. Each CUDA call goes through GU__CK, which turns a
// failure into a groundup error with CUDA's message and makes the function return.
#define GU__CK(call, what, ret)                                                         \
    do {                                                                                \
        cudaError_t gu__e = (call);                                                     \
        if (gu__e != cudaSuccess) {                                                     \
            gu_set_error("%s: %s: %s", op, what, cudaGetErrorString(gu__e));            \
            return ret;                                                                 \
        }                                                                               \
    } while (0)

static gu_cuda_tensor gu__cuda_invalid(void) {
    gu_cuda_tensor t;
    memset(&t, 0, sizeof t);
    return t;
}

static const char *gu__cuda_sh(int n, const int64_t *d, char *buf, size_t cap) {
    size_t len = 0;
    int i;
    buf[0] = 0;
    len += (size_t)snprintf(buf, cap, "(");
    for (i = 0; i < n && len < cap; i++) len += (size_t)snprintf(buf + len, cap - len, "%s%lld", i ? ", " : "", (long long)d[i]);
    if (n == 1 && len < cap) len += (size_t)snprintf(buf + len, cap - len, ",");
    if (len < cap) snprintf(buf + len, cap - len, ")");
    return buf;
}

// An invalid input keeps the message of the call that failed first, as in the core.
// A pointer that is not device memory (a host pointer in a hand-made tensor) is refused
// here: used by a kernel it would fault, and a fault ends the CUDA context for good.
static int gu__cuda_check_in(const char *op, gu_cuda_tensor t) {
    struct cudaPointerAttributes pa;
    cudaError_t e;
    if (!gu_cuda_ok(t) || (!t.data && t.numel > 0)) {
        if (!gu_error()[0]) gu_set_error("%s: invalid device tensor (an error result, freed, or a NULL device pointer)", op);
        return 0;
    }
    if (t.numel == 0) return 1;
    if ((e = cudaPointerGetAttributes(&pa, t.data)) != cudaSuccess) {
        (void)cudaGetLastError();
        gu_set_error("%s: cudaPointerGetAttributes(%p): %s", op, t.data, cudaGetErrorString(e));
        return 0;
    }
    if (pa.type != cudaMemoryTypeDevice && pa.type != cudaMemoryTypeManaged) {
        gu_set_error("%s: the data pointer %p of a device tensor is not device memory", op, t.data);
        return 0;
    }
    return 1;
}

int gu_cuda_ok(gu_cuda_tensor t) {
    return t.dtype > GU_INVALID && t.dtype <= GU_BOOL && t.ndim >= 0 && t.ndim <= GU_MAX_DIMS && t.numel >= 0;
}

int gu_cuda_device_count(void) {
    const char *op = "cuda_device_count";
    int n = 0;
    GU__CK(cudaGetDeviceCount(&n), "no usable CUDA device: cudaGetDeviceCount", 0);
    if (n == 0) gu_set_error("%s: no CUDA device is visible", op);
    return n;
}

int gu_cuda_device_name(char *buf, size_t n) {
    const char *op = "cuda_device_name";
    struct cudaDeviceProp p;
    int dev = 0;
    if (!buf || n == 0) { gu_set_error("%s: no buffer", op); return -1; }
    buf[0] = 0;
    GU__CK(cudaGetDevice(&dev), "cudaGetDevice", -1);
    GU__CK(cudaGetDeviceProperties(&p, dev), "cudaGetDeviceProperties", -1);
    snprintf(buf, n, "%s (sm_%d%d, %d SMs, %.1f GiB)", p.name, p.major, p.minor, p.multiProcessorCount,
             (double)p.totalGlobalMem / (1024.0 * 1024.0 * 1024.0));
    return 0;
}

static gu_cuda_tensor gu__cuda_empty(const char *op, gu_dtype dtype, int ndim, const int64_t *shape) {
    gu_cuda_tensor t = gu__cuda_invalid();
    int64_t numel = 1, bytes;
    size_t es = gu_dtype_size(dtype);
    char sh[160];
    int i;
    if (es == 0) { gu_set_error("%s: invalid dtype %d", op, (int)dtype); return t; }
    if (ndim < 0 || ndim > GU_MAX_DIMS) { gu_set_error("%s: %d dims requested, at most %d are supported", op, ndim, GU_MAX_DIMS); return t; }
    if (ndim > 0 && !shape) { gu_set_error("%s: shape is NULL", op); return t; }
    for (i = 0; i < ndim; i++) {
        if (shape[i] < 0 || (shape[i] > 0 && numel > INT64_MAX / shape[i])) {
            gu_set_error("%s: shape %s is negative or too large", op, gu__cuda_sh(ndim, shape, sh, sizeof sh));
            return t;
        }
        numel *= shape[i];
    }
    if (numel > INT64_MAX / (int64_t)es) { gu_set_error("%s: shape %s is too large", op, gu__cuda_sh(ndim, shape, sh, sizeof sh)); return t; }
    bytes = numel * (int64_t)es;
    if (bytes > 0) {
        void *p = NULL;
        cudaError_t e = cudaMalloc(&p, (size_t)bytes);
        if (e != cudaSuccess) {
            (void)cudaGetLastError();  // an allocation failure is not sticky; clear it
            gu_set_error("%s: cudaMalloc of %lld bytes for %s: %s", op, (long long)bytes,
                         gu__cuda_sh(ndim, shape, sh, sizeof sh), cudaGetErrorString(e));
            return t;
        }
        t.data = p;
    }
    t.dtype = dtype;
    t.ndim = ndim;
    for (i = 0; i < ndim; i++) t.shape[i] = shape[i];
    t.numel = numel;
    return t;
}

gu_cuda_tensor gu_cuda_empty(gu_dtype dtype, int ndim, const int64_t *shape) {
    return gu__cuda_empty("cuda_empty", dtype, ndim, shape);
}

gu_cuda_tensor gu_cuda_zeros(gu_dtype dtype, int ndim, const int64_t *shape) {
    const char *op = "cuda_zeros";
    gu_cuda_tensor t = gu__cuda_empty(op, dtype, ndim, shape);
    cudaError_t e;
    if (!gu_cuda_ok(t) || t.numel == 0) return t;
    if ((e = cudaMemset(t.data, 0, (size_t)t.numel * gu_dtype_size(dtype))) != cudaSuccess) {
        gu_cuda_free(&t);
        gu_set_error("%s: cudaMemset: %s", op, cudaGetErrorString(e));
    }
    return t;
}

void gu_cuda_free(gu_cuda_tensor *t) {
    if (!t) return;
    if (gu_cuda_ok(*t) && t->data) (void)cudaFree(t->data);  // cudaFree fails only after an earlier fault, which was reported
    *t = gu__cuda_invalid();
}

static int gu__cuda_same(const char *op, gu_tensor h, gu_cuda_tensor d) {
    char s1[160], s2[160];
    int i, same = h.ndim == d.ndim && h.dtype == d.dtype;
    for (i = 0; same && i < h.ndim; i++) same = h.shape[i] == d.shape[i];
    if (!same) {
        gu_set_error("%s: host tensor %s %s and device tensor %s %s differ", op, gu_dtype_name(h.dtype),
                     gu__cuda_sh(h.ndim, h.shape, s1, sizeof s1), gu_dtype_name(d.dtype), gu__cuda_sh(d.ndim, d.shape, s2, sizeof s2));
    }
    return same;
}

int gu_cuda_copy_to_device(gu_cuda_tensor dst, gu_tensor src) {
    const char *op = "cuda_copy_to_device";
    gu_tensor s;
    cudaError_t e = cudaSuccess;
    if (!gu_ok(src)) { if (!gu_error()[0]) gu_set_error("%s: invalid input tensor", op); return -1; }
    if (!gu__cuda_check_in(op, dst) || !gu__cuda_same(op, src, dst)) return -1;
    if (dst.numel == 0) return 0;
    s = gu_contiguous(src);  // a view when src is already contiguous
    if (!gu_ok(s)) return -1;
    e = cudaMemcpy(dst.data, gu_data(s), (size_t)dst.numel * gu_dtype_size(dst.dtype), cudaMemcpyHostToDevice);
    gu_free(&s);
    if (e != cudaSuccess) { gu_set_error("%s: cudaMemcpy: %s", op, cudaGetErrorString(e)); return -1; }
    return 0;
}

gu_cuda_tensor gu_cuda_to_device(gu_tensor t) {
    const char *op = "cuda_to_device";
    gu_cuda_tensor d;
    if (!gu_ok(t)) { if (!gu_error()[0]) gu_set_error("%s: invalid input tensor", op); return gu__cuda_invalid(); }
    d = gu__cuda_empty(op, t.dtype, t.ndim, t.shape);
    if (!gu_cuda_ok(d)) return d;
    if (gu_cuda_copy_to_device(d, t) != 0) gu_cuda_free(&d);  // keeps the copy's message
    return d;
}

int gu_cuda_copy_to_host(gu_tensor dst, gu_cuda_tensor src) {
    const char *op = "cuda_copy_to_host";
    cudaError_t e;
    size_t bytes;
    if (!gu_ok(dst)) { if (!gu_error()[0]) gu_set_error("%s: invalid output tensor", op); return -1; }
    if (!gu__cuda_check_in(op, src) || !gu__cuda_same(op, dst, src)) return -1;
    if (src.numel == 0) return 0;
    bytes = (size_t)src.numel * gu_dtype_size(src.dtype);
    if (gu_is_contiguous(dst)) {
        e = cudaMemcpy(gu_data(dst), src.data, bytes, cudaMemcpyDeviceToHost);
    } else {  // strided destination: through a contiguous copy
        gu_tensor tmp = gu_empty(src.dtype, src.ndim, src.shape);
        if (!gu_ok(tmp)) return -1;
        e = cudaMemcpy(tmp.base, src.data, bytes, cudaMemcpyDeviceToHost);
        if (e == cudaSuccess && gu_copy_(dst, tmp) != 0) { gu_free(&tmp); return -1; }
        gu_free(&tmp);
    }
    if (e != cudaSuccess) { gu_set_error("%s: cudaMemcpy: %s", op, cudaGetErrorString(e)); return -1; }
    return 0;
}

gu_tensor gu_cuda_to_host(gu_cuda_tensor t) {
    gu_tensor h;
    gu_tensor bad;
    memset(&bad, 0, sizeof bad);
    if (!gu__cuda_check_in("cuda_to_host", t)) return bad;
    h = gu_empty(t.dtype, t.ndim, t.shape);
    if (!gu_ok(h)) return h;
    if (gu_cuda_copy_to_host(h, t) != 0) {
        gu_free(&h);
        return bad;
    }
    return h;
}

int gu_cuda_sync(void) {
    const char *op = "cuda_sync";
    GU__CK(cudaDeviceSynchronize(), "a kernel failed", -1);
    return 0;
}

const char *gu_cuda_matmul_name(int version) {
    if (version < 0 || version > GU_CUDA_MATMUL_VERSIONS) return NULL;
    return gu__cuda_mm_names[version];
}

int gu_cuda_matmul(int version, gu_cuda_tensor a, gu_cuda_tensor b, gu_cuda_tensor c) {
    const char *op = "cuda_matmul", *why;
    char sa[160], sb[160], sc[160];
    int64_t M, K, N;
    cudaError_t e;
    if (version < 0 || version > GU_CUDA_MATMUL_VERSIONS) {
        gu_set_error("%s: unknown kernel version %d (0 to %d)", op, version, GU_CUDA_MATMUL_VERSIONS);
        return -1;
    }
    if (!gu__cuda_check_in(op, a) || !gu__cuda_check_in(op, b) || !gu__cuda_check_in(op, c)) return -1;
    gu__cuda_sh(a.ndim, a.shape, sa, sizeof sa);
    gu__cuda_sh(b.ndim, b.shape, sb, sizeof sb);
    gu__cuda_sh(c.ndim, c.shape, sc, sizeof sc);
    if (a.dtype != GU_FLOAT32 || b.dtype != GU_FLOAT32 || c.dtype != GU_FLOAT32) {
        gu_set_error("%s: float32 only, got %s @ %s -> %s", op, gu_dtype_name(a.dtype), gu_dtype_name(b.dtype), gu_dtype_name(c.dtype));
        return -1;
    }
    if (a.ndim != 2 || b.ndim != 2 || c.ndim != 2) {
        gu_set_error("%s: %s @ %s -> %s: 2-D tensors only", op, sa, sb, sc);
        return -1;
    }
    M = a.shape[0]; K = a.shape[1]; N = b.shape[1];
    if (b.shape[0] != K) {
        gu_set_error("%s: %s @ %s: inner dims %lld and %lld differ", op, sa, sb, (long long)K, (long long)b.shape[0]);
        return -1;
    }
    if (c.shape[0] != M || c.shape[1] != N) {
        gu_set_error("%s: %s @ %s gives (%lld, %lld), but c is %s", op, sa, sb, (long long)M, (long long)N, sc);
        return -1;
    }
    if (M * K > INT32_MAX || K * N > INT32_MAX || M * N > INT32_MAX) {
        gu_set_error("%s: %s @ %s: a matrix over 2^31 elements needs 64-bit indices, which these kernels do not use", op, sa, sb);
        return -1;
    }
    if (c.numel > 0 && (c.data == a.data || c.data == b.data)) {
        gu_set_error("%s: %s @ %s: c must not be a or b", op, sa, sb);
        return -1;
    }
    if (M == 0 || N == 0) return 0;
    if (K == 0) {  // an empty sum: zeros, as torch gives
        GU__CK(cudaMemset(c.data, 0, (size_t)(M * N) * sizeof(float)), "cudaMemset", -1);
        return 0;
    }
    (void)cudaGetLastError();  // an old launch error is not this launch's
    why = gu__cuda_mm_launch(version, (int)M, (int)N, (int)K, (const float *)a.data, (const float *)b.data, (float *)c.data);
    if (why) {
        gu_set_error("%s: %s @ %s with kernel %d (%s): %s", op, sa, sb, version, gu__cuda_mm_names[version], why);
        return -1;
    }
    if ((e = cudaGetLastError()) != cudaSuccess) {
        gu_set_error("%s: %s @ %s with kernel %d (%s): launch failed: %s", op, sa, sb, version, gu__cuda_mm_names[version], cudaGetErrorString(e));
        return -1;
    }
    return 0;
}
#endif // GU__CUDA_EMU
