// @@decls
#ifndef GU_PART_CUDA_DECLS
#define GU_PART_CUDA_DECLS
#ifdef __cplusplus
extern "C" {
#endif

// >>errors-hook -------------------------------------------------------------------------
// Sets this thread's error message, printf-style, exactly as the library's own calls do.
// For code compiled outside the implementation file that reports through gu_error():
// the CUDA companion (groundup_cuda.cu), a user's own extensions.
GUDEF void gu_set_error(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#ifdef GROUNDUP_CUDA
// >>cuda --------------------------------------------------------------------------------
// The lesson's last step, on a GPU. The companion groundup_cuda.cu is compiled once with
// nvcc and linked with the program whose one file defines GROUNDUP_IMPLEMENTATION (not
// GROUNDUP_STATIC: the companion calls the library's public functions). Define
// GROUNDUP_CUDA before including groundup.h wherever these declarations are wanted.
//
//    make cuda                 # build/libgroundup_cuda.a, or by hand:
//    nvcc -O3 -arch=sm_90 -c groundup_cuda.cu -o groundup_cuda.o
//    cc -O2 -DGROUNDUP_CUDA prog.c groundup_cuda.o -L/usr/local/cuda/lib64 -lcudart
//       -lstdc++ -lm -lz -lpthread       (or link with nvcc, which adds the CUDA libraries)
//
// Device tensors hold float32/int64/uint8/bool elements in GPU memory, contiguous and
// row-major, and always own them: to_device copies (any strides), to_host copies back into
// a new host owner. Every CUDA call is checked; a failure returns an invalid result or -1
// with CUDA's own words in gu_error(), e.g.
//    "cuda_to_device: cudaMalloc of 156800000 bytes for (50000, 784): out of memory".
// Kernels run asynchronously, as CUDA's do: gu_cuda_matmul returns once the kernel is
// queued, and a fault inside it is reported by the next call that waits for the GPU
// (gu_cuda_to_host, gu_cuda_copy_to_host, gu_cuda_sync).
//
//    gu_cuda_tensor xg = gu_cuda_to_device(x_train);        // (50000, 784)  cuda.to_device
//    gu_cuda_tensor wg = gu_cuda_to_device(weights);        // (784, 10)
//    int64_t rs[2] = {50000, 10};
//    gu_cuda_tensor rg = gu_cuda_zeros(GU_FLOAT32, 2, rs);
//    gu_cuda_matmul(1, xg, wg, rg);                          // the lesson's kernel
//    gu_tensor r = gu_cuda_to_host(rg);                      // rg.copy_to_host()
typedef struct gu_cuda_tensor {
    gu_dtype dtype;                 // GU_INVALID for an invalid (error or freed) tensor
    int ndim;
    int64_t shape[GU_MAX_DIMS];
    int64_t numel;
    void *data;                     // device memory, contiguous, owned
} gu_cuda_tensor;

// Always extern, even under GROUNDUP_STATIC: they live in the companion's object file.
#define GU_CUDADEF extern
GU_CUDADEF int gu_cuda_device_count(void);    // GPUs visible; 0 with a message when none
GU_CUDADEF int gu_cuda_device_name(char *buf, size_t n);  // "NVIDIA H100 ... (sm_90, 132 SMs, 79.1 GiB)"
GU_CUDADEF int gu_cuda_ok(gu_cuda_tensor t);
GU_CUDADEF gu_cuda_tensor gu_cuda_empty(gu_dtype dtype, int ndim, const int64_t *shape);
GU_CUDADEF gu_cuda_tensor gu_cuda_zeros(gu_dtype dtype, int ndim, const int64_t *shape);
GU_CUDADEF gu_cuda_tensor gu_cuda_to_device(gu_tensor t);   // the lesson's cuda.to_device
GU_CUDADEF gu_tensor gu_cuda_to_host(gu_cuda_tensor t);     // copy_to_host(): a host owner
// Copies between existing tensors of the same dtype and shape (any host strides); 0 or -1.
GU_CUDADEF int gu_cuda_copy_to_device(gu_cuda_tensor dst, gu_tensor src);
GU_CUDADEF int gu_cuda_copy_to_host(gu_tensor dst, gu_cuda_tensor src);
GU_CUDADEF void gu_cuda_free(gu_cuda_tensor *t);  // harmless on an invalid tensor; resets *t
GU_CUDADEF int gu_cuda_sync(void);                // waits for the GPU; -1 for an earlier fault

// c (M,N) = a (M,K) @ b (K,N), float32 device tensors, with kernel `version`:
//   1 the lesson's kernel as written        5 2-D register blocking
//   2 coalesced global memory               6 vectorised float4 loads
//   3 shared-memory tiles                   7 warp tiling
//   4 1-D register blocking                 8 skinny: n <= 16, bound by memory (the MNIST product)
//   9 warp tiling, double-buffered          0 picks: 8 when n <= 16, else 7.
// Indices are 32-bit inside the kernels: each of M*K, K*N, M*N must be below 2^31.
// 0, or -1 with a message (shapes, unknown version, invalid tensors, launch failure).
#define GU_CUDA_MATMUL_VERSIONS 9
GU_CUDADEF int gu_cuda_matmul(int version, gu_cuda_tensor a, gu_cuda_tensor b, gu_cuda_tensor c);
GU_CUDADEF const char *gu_cuda_matmul_name(int version);  // "warptiling"; NULL if unknown

#if defined(__CUDACC__)
}  // extern "C" pauses here: the launcher below is a C++ template
// gu_cuda_launch: the GPU twin of the lesson's launch_kernel, for programs built with
// nvcc. The lesson writes `matmul[blockspergrid, (TPB,TPB)](m1g, m2g, rg)` and its kernel
// begins `i, j = cuda.grid(2)`; here the kernel is any object with a __device__
// operator()(int i, int j, args...) (a functor, or a __device__ lambda under
// --extended-lambda), called once per thread with i, j = cuda.grid(2):
//
//    struct lesson_matmul {
//        __device__ void operator()(int i, int j, gu_cuda_tensor a, gu_cuda_tensor b, gu_cuda_tensor c) const {
//            if (i < c.shape[0] && j < c.shape[1]) { ...c[i,j] = sum over k of a[i,k]*b[k,j]... }
//        }
//    };
//    gu_cuda_launch(lesson_matmul(), dim3(3125, 1), dim3(16, 16), xg, wg, rg);
//
// Returns 0, or -1 with CUDA's message when the launch is refused (sizes the GPU cannot
// take, no GPU). Like every kernel launch it does not wait for the kernel to finish.
template <typename F, typename... Args>
__global__ void gu__cuda_grid_kernel(F kernel, Args... args) {
    int i = (int)(blockIdx.x * blockDim.x + threadIdx.x);  // cuda.grid(2)[0]
    int j = (int)(blockIdx.y * blockDim.y + threadIdx.y);  // cuda.grid(2)[1]
    kernel(i, j, args...);
}
template <typename F, typename... Args>
static inline int gu_cuda_launch(F kernel, dim3 grid, dim3 block, Args... args) {
    cudaError_t e;
    if (grid.x == 0 || grid.y == 0 || grid.z == 0 || block.x == 0 || block.y == 0 || block.z == 0) {
        gu_set_error("cuda_launch: grid (%u, %u, %u) and block (%u, %u, %u) must not be empty",
                     grid.x, grid.y, grid.z, block.x, block.y, block.z);
        return -1;
    }
    (void)cudaGetLastError();  // an old error is not this launch's
    gu__cuda_grid_kernel<<<grid, block>>>(kernel, args...);
    if ((e = cudaGetLastError()) != cudaSuccess) {
        gu_set_error("cuda_launch: grid (%u, %u, %u) of blocks (%u, %u, %u): %s",
                     grid.x, grid.y, grid.z, block.x, block.y, block.z, cudaGetErrorString(e));
        return -1;
    }
    return 0;
}
// Element [i, j] of a contiguous 2-D float32 device tensor, inside a kernel.
static __device__ __forceinline__ float &gu_cuda_at2(gu_cuda_tensor t, int64_t i, int64_t j) {
    return ((float *)t.data)[i * t.shape[1] + j];
}
extern "C" {
#endif // __CUDACC__
#endif // GROUNDUP_CUDA

#ifdef __cplusplus
}
#endif
#endif
// @@impl
#if defined(GROUNDUP_IMPLEMENTATION) && !defined(GU_PART_CUDA_IMPL)
#define GU_PART_CUDA_IMPL
// >>errors-hook -------------------------------------------------------------------------
GU__DEF void gu_set_error(const char *fmt, ...) {
    va_list ap;
    if (!fmt) { gu__errbuf[0] = 0; return; }
    va_start(ap, fmt);
    vsnprintf(gu__errbuf, sizeof gu__errbuf, fmt, ap);
    va_end(ap);
}
// >>cuda: the implementation is groundup_cuda.cu, compiled by nvcc.
#endif
// @@end
