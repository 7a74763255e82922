/* groundup.h - v0.2.0 - matrix multiplication from foundations, in C.
   MIT or public domain (your choice); the licence text is at the end of this file.

ABOUT
   groundup re-tells the fast.ai lesson "matrix multiplication from foundations" as one
   STB-style header: strided tensors with NumPy/PyTorch semantics, PyTorch-style printing,
   broadcasting, the lesson's random numbers, an MNIST loader, every matmul of the
   lesson's ladder, and a fast matmul.

QUICK START
   In ONE C or C++ file of your program:

      #define GROUNDUP_IMPLEMENTATION
      #include "groundup.h"

   and include "groundup.h" without the define everywhere else. Then:

      int64_t shape[2] = {3, 3};
      gu_tensor m = gu_arange(1, 10, 1, GU_FLOAT32);      // tensor([1., ..., 9.])
      gu_tensor v = gu_view(m, 2, shape);                  // (3, 3), shares m's storage
      gu_print(v);                                         // prints as PyTorch does
      gu_tensor c = gu_transpose(v, 0, 1);                 // strides (1, 3), no copy
      if (!gu_ok(c)) fprintf(stderr, "%s\n", gu_error());
      gu_tidy_begin();                                     // chains, as the lesson writes them:
      gu_tensor n = gu_sqrt(gu_sum(gu_mul(v, v)));         // (v*v).sum().sqrt()
      gu_tensor f = gu_to(gu_lt(v, c), GU_FLOAT32);        // (v < c).float()
      gu_tensor k = gu_keep(gu_add(n, f));                 // kept: outlives the scope
      gu_tidy_end();                                       // frees n, f and every intermediate
      gu_print(k);
      gu_free(&k);
      gu_free(&m);                                         // the only owner

   Build: cc -O2 prog.c -lm -lz -lpthread   (see OPTIONS for the opt-outs)

OPTIONS
   Define an option before including groundup.h. WHERE says which files must define it:
     all    every file that includes groundup.h, the same way in each (it changes what
            the declarations say)
     impl   the file that defines GROUNDUP_IMPLEMENTATION; elsewhere it changes nothing
     users  the files that call what it declares

   option                    where  effect
   GROUNDUP_IMPLEMENTATION   one    this file compiles the implementation: exactly one file
                                    of the program (every file that includes it, under
                                    GU_STATIC)
   GU_STATIC                 all    every function static: each file that includes
                                    groundup.h also defines GROUNDUP_IMPLEMENTATION and
                                    compiles a private copy
   GUDEF                     all    what every public declaration begins with (default
                                    extern; static under GU_STATIC), as stb's STBIDEF: e.g.
                                    extern __attribute__((visibility("default"))) to export
                                    the API from a shared library built -fvisibility=hidden.
                                    For a private copy use GU_STATIC, not GUDEF static.
   GU_NO_PLOT                all    no >>plot at all (no stb_image_write either)
   GU_NO_MNIST               all    no >>mnist: no loaders
   GU_NO_LADDER              all    no >>ladder (the lesson's slow matmuls, gu_dot)
   GU_NO_EINSUM              all    no >>einsum (and no einsum rung in the ladder)
   GU_NO_GRID                all    no >>grid (gu_launch_kernel, gu_launch)
                                    A part compiled out takes its declarations with it. It
                                    must be defined in the implementation's file; a file
                                    without it still sees the declarations, and a call
                                    fails to link. Each part out shortens the build of the
                                    implementation (see README, "Compile time").
   GU_CUDA                   users  declares the CUDA companion's API (>>cuda). Link
                                    build/libgroundup_cuda.a; it calls the implementation,
                                    which must then not be GU_STATIC.
   GU_MALLOC(n), GU_REALLOC(p, n), GU_FREE(p)
                             impl   allocation hooks: all three or none (an #error
                                    otherwise). Every allocation of the library goes
                                    through them (the PNG encoder's and zlib's too).
   GU_ASSERT(x)              impl   internal invariants only (default: assert); user errors
                                    are never asserted.
   GU_NO_THREADS             impl   no pthreads (no -lpthread); everything runs on the
                                    calling thread
   GU_NO_SIMD                impl   portable C kernels only (no AVX2/AVX-512/NEON dispatch)
   GU_NO_ZLIB                impl   no zlib (no -lz): no gzip input (plain IDX/pickle files
                                    still load); PNGs are written uncompressed (stored
                                    deflate blocks, valid PNG)
   GU_NO_PNG                 impl   no PNG output (no stb_image_write needed); the PNG
                                    writers return -1, gu_term_show still works
   GU_STB_INCLUDE            impl   how to include stb_image_write.h, e.g.
                                    "stb_image_write.h" (default <stb/stb_image_write.h>,
                                    Debian's libstb-dev)
   GU_STB_NO_IMPL            impl   your program compiles stb_image_write's implementation
                                    itself (groundup then links to it, not its own copy)
   GU_CBLAS                  impl   gu_sgemm (and so gu_matmul) calls your system's
                                    cblas_sgemm (link -lopenblas or -lcblas) where the
                                    strides allow; the rest of the library is unchanged
   GU_CBLAS_INCLUDE          impl   how to include the CBLAS header under GU_CBLAS, e.g.
                                    <openblas/cblas.h> or "mkl_cblas.h" (default <cblas.h>)
   GU_ALLOW_FAST_MATH        impl   build the implementation under -ffast-math anyway.
                                    Without it, __FAST_MATH__ is an #error: fast-math
                                    assumes NaN and infinity never occur, so NaN prints as a
                                    number, max() over NaN gives inf,
                                    gu_test_close(nan, nan) holds and the lesson's random
                                    numbers change. Compile only groundup's implementation
                                    file without it.
   Version 0.2.0 gave every option the GU_ prefix; an old GROUNDUP_ name is an #error that
   names the new one (REVISION HISTORY lists them). The environment variables keep theirs.

ENVIRONMENT
   GROUNDUP_NUM_THREADS     threads for big matmuls and gu_launch (default: online CPUs)
   GROUNDUP_GEMM_KERNEL     force the matmul microkernel: avx512, avx2, neon, portable or auto
                            (the first choice of gu_gemm_kernel; gu_set_kernel("avx2") chooses
                            the instruction set of every part, matmul, random fills and ops)
   A value the library cannot use, in either variable, is said once on stderr ("groundup:
   ...") and ignored: the only output the library makes.
   The thread pool (matmul and gu_launch) starts on first use (no global constructors) and
   is joined at exit through atexit(); a child of fork() starts a pool of its own
   (pthread_atfork).

SECTIONS (grep the banners: // >>name). The declarations come first, then the
   implementation, in the same order; each implementation section uses only what stands
   above it.
   >>platform  (implementation only) every system header, the compiler's attributes,
               atomics, the allocation hooks, what the CPU has (cpuid, asked once) and
               the instruction set in use (gu_set_kernel)
   >>errors    (implementation only) gu_error's thread-local message
   >>shape-strings (implementation only) "(50000, 784)" for the messages
   >>tensor    dtypes, the tensor struct, shape checks; declarations of the core: errors,
               constructors, element access, the tidy scopes
   >>tidy      the owners made inside gu_tidy_begin/gu_tidy_end, per thread
   >>create    owners: empty, full, arange, from_data, wrap; free, the strided iterator,
               the casts, to and clone; gu_keep
   >>views     views that never copy: view, slice, transpose, expand, squeeze, reshape
   >>access    one element: get, set, item (declared under >>views)
   >>print     PyTorch's repr, print options, shape and stride strings
   >>ops       elementwise arithmetic, broadcasting, comparisons, reductions, test_close
   >>random    the lesson's Wichmann-Hill, PyTorch-identical rand/randn/randint
   >>plot      imshow, plot, hist, bar to PNG; a terminal preview       (GU_NO_PLOT)
   >>mnist     mnist.pkl.gz (a restricted unpickler), IDX files         (GU_NO_MNIST)
   >>threads   (implementation only) the one pool of worker threads, used by >>gemm
               and >>grid
   >>gemm      gu_sgemm and gu_matmul, the fast matmul; its kernels and blocks
   >>einsum    gu_einsum, as torch.einsum                               (GU_NO_EINSUM)
   >>ladder    every matmul of the lesson, from three loops to einsum   (GU_NO_LADDER)
   >>grid      the CPU grid launcher, as numba.cuda's                   (GU_NO_GRID)
   >>cuda      the GPU companion's API (under GU_CUDA; implemented in groundup_cuda.cu)

CONVENTIONS
   Tensors. A gu_tensor is a small struct passed by value: dtype, ndim (0..8), shape and
   strides in ELEMENTS (NumPy order: the last dim is the contiguous one; a stride may be
   0 for broadcast dims or negative after a reversing slice), an offset in elements into
   storage, and the storage pointer.

   Ownership, one rule: a function that makes new elements (gu_zeros, gu_clone, gu_add,
   ...) returns an OWNER; a view (gu_view, gu_slice, gu_transpose, ...) BORROWS its
   input's storage and allocates nothing. gu_free(&t) releases an owner and is harmless on
   a view or an invalid tensor; it resets t either way. Free the owner after its views are
   done. gu_reshape and gu_contiguous return a view when they can and an owner when they
   must copy: always gu_free their result; that is correct in both cases. Chains of ops
   make owners too: a tidy scope (gu_tidy_begin ... gu_tidy_end) frees every owner made on
   its thread inside it, except those passed to gu_keep; loaders' data sets are never
   taken by a scope (see >>tensor).

   Errors. User errors (bad shapes, indices out of range, too many dims, sizes that
   overflow, bad files) never abort. The call returns an invalid tensor (gu_ok(t) == 0)
   or -1, and gu_error() returns a thread-local message naming the operation and the
   shapes, e.g. "view: shape (5, 785) is invalid for input of size 3920". An invalid
   tensor passed on to another call makes that call fail too and keeps the first message,
   so a chain can be checked once at its end.

   Files. The loaders read regular files only: a FIFO, device or socket is refused at once
   (it is opened without blocking, then checked). Memory while loading stays within a small
   multiple of the arrays returned, whatever the file declares. The PNG writers write to a
   temporary file beside the target, check every write and the close, then rename it into
   place, so a full disk returns -1 and leaves no truncated file (a target that is not a
   regular file, such as /dev/null, is written in place, checked the same way). As
   fopen(path, "wb") would, a symbolic link's target is written (the link stays), a file
   the caller may not write is refused, the file keeps its permissions, and a file in a
   folder the caller may not write is written in place. Every
   allocation, zlib's and the PNG encoder's included, may fail: the call returns an error.
   An _out (or in-place) op whose out partly overlaps an input reads that input through a
   copy, as NumPy does; the very same elements in place need no copy.

   Shapes print as (50000, 784); tensors print as PyTorch's repr does.

REVISION HISTORY
   0.2.0  One vocabulary for the options: every compile-time option takes the GU_ prefix,
          and an old name is an #error that names the new one:
             renamed GROUNDUP_STATIC         -> GU_STATIC
             renamed GROUNDUP_NO_PNG         -> GU_NO_PNG
             renamed GROUNDUP_STB_INCLUDE    -> GU_STB_INCLUDE
             renamed GROUNDUP_STB_NO_IMPL    -> GU_STB_NO_IMPL
             renamed GROUNDUP_CBLAS          -> GU_CBLAS
             renamed GROUNDUP_CBLAS_INCLUDE  -> GU_CBLAS_INCLUDE
             renamed GROUNDUP_CUDA           -> GU_CUDA
          (GROUNDUP_IMPLEMENTATION and the environment variables keep their names.)
          GUDEF can be defined by the user, as stb's STBIDEF. OPTIONS lists every option
          with the files that must define it.
          New: gu_set_kernel/gu_kernel choose the instruction set of every part (matmul,
          random fills, elementwise ops; "portable" runs every reference path), and
          gu_gemm_set_blocks the matmul's cache blocks; gu_gemm_set_kernel stays, for the
          matmul alone. Changed: gu_mnist_find resolves the file or folder it is given and
          searches nowhere else (no $GROUNDUP_DATA, no ./data: where the data lives is
          the program's business). One thread pool
          serves the matmul and gu_launch: a call made while the pool is busy (from another
          thread, or from inside a gu_launch kernel) runs on the calling thread, with the
          same result.
   0.1.0  First release: strided tensors, views and PyTorch printing; elementwise ops with
          broadcasting, reductions; the lesson's random numbers; plots to PNG; the MNIST
          loaders (pickle, IDX); the fast matmul; the lesson's matmul ladder, einsum and the
          grid launcher; the CUDA companion.
*/
/* C99 or later (or GNU C89, which has what it needs), or C++: strict C89 has no // comments,
   long long or inline, and would fail on every line below, so it stops here. */
#if !defined(__cplusplus) && defined(__STRICT_ANSI__) && (!defined(__STDC_VERSION__) || __STDC_VERSION__ < 199901L)
#error "groundup needs C99 or later (-std=c99, c11 ...), GNU C89 (-std=gnu89) or C++; this is strict C89/C90"
#endif
// The options renamed in 0.2.0: an old name stops the build and names the new one, so that
// no option is silently ignored. Checked at every include.
#if defined(GROUNDUP_STATIC)          // renamed
#error "groundup 0.2.0 renamed GROUNDUP_STATIC to GU_STATIC"
#elif defined(GROUNDUP_NO_PNG)        // renamed
#error "groundup 0.2.0 renamed GROUNDUP_NO_PNG to GU_NO_PNG"
#elif defined(GROUNDUP_STB_INCLUDE)   // renamed
#error "groundup 0.2.0 renamed GROUNDUP_STB_INCLUDE to GU_STB_INCLUDE"
#elif defined(GROUNDUP_STB_NO_IMPL)   // renamed
#error "groundup 0.2.0 renamed GROUNDUP_STB_NO_IMPL to GU_STB_NO_IMPL"
#elif defined(GROUNDUP_CBLAS)         // renamed
#error "groundup 0.2.0 renamed GROUNDUP_CBLAS to GU_CBLAS"
#elif defined(GROUNDUP_CBLAS_INCLUDE) // renamed
#error "groundup 0.2.0 renamed GROUNDUP_CBLAS_INCLUDE to GU_CBLAS_INCLUDE"
#elif defined(GROUNDUP_CUDA)          // renamed
#error "groundup 0.2.0 renamed GROUNDUP_CUDA to GU_CUDA"
#endif

#ifndef GROUNDUP_H
#define GROUNDUP_H

// 32-bit targets: 64-bit file offsets and inode numbers in the implementation, so stat()
// and file sizes work on a 64-bit file system (without it, stat() of a file with a large
// inode number fails with EOVERFLOW). It takes effect when the implementation's file
// includes groundup.h before any system header (or is built with -D_FILE_OFFSET_BITS=64).
#if defined(GROUNDUP_IMPLEMENTATION) && !defined(_FILE_OFFSET_BITS)
#define _FILE_OFFSET_BITS 64
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define GROUNDUP_VERSION_MAJOR 0
#define GROUNDUP_VERSION_MINOR 2
#define GROUNDUP_VERSION_PATCH 0
#define GROUNDUP_VERSION "0.2.0"

// The declaration macro; define it yourself (the same in every file) to add attributes.
#ifndef GUDEF
#ifdef GU_STATIC
#define GUDEF static
#else
#define GUDEF extern
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

// >>tensor ------------------------------------------------------------------------------

typedef enum gu_dtype {
    GU_INVALID = 0, // the dtype of an invalid tensor (a zero-initialised gu_tensor)
    GU_FLOAT32,     // all the math
    GU_INT64,       // labels, indices
    GU_UINT8,       // raw pixels
    GU_BOOL         // comparison results, one byte each (0 or 1)
} gu_dtype;

#define GU_MAX_DIMS 8

typedef struct gu_tensor {
    gu_dtype dtype;
    int ndim;                       // 0..GU_MAX_DIMS; a 0-d tensor holds one element
    int64_t shape[GU_MAX_DIMS];
    int64_t stride[GU_MAX_DIMS];    // in elements
    int64_t offset;                 // element [0,..,0] is base + offset elements
    void *base;                     // start of the storage (shared by views)
    int64_t storage_numel;          // elements in the storage
    int owner;                      // nonzero: gu_free releases base
} gu_tensor;

GUDEF const char *gu_error(void);          // the last error message of this thread, "" if none
GUDEF void gu_clear_error(void);
// Sets this thread's error message, printf-style, exactly as the library's own calls do:
// for code outside the implementation file that reports through gu_error() (the CUDA
// companion, a user's own extensions).
GUDEF void gu_set_error(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
GUDEF int gu_ok(gu_tensor t);              // 1 for a valid tensor, 0 for an error result

GUDEF size_t gu_dtype_size(gu_dtype dtype);       // bytes per element
GUDEF const char *gu_dtype_name(gu_dtype dtype);  // "float32", "int64", "uint8", "bool"

// Creation. Every one returns an owner (gu_wrap excepted) or an invalid tensor.
GUDEF gu_tensor gu_empty(gu_dtype dtype, int ndim, const int64_t *shape);
GUDEF gu_tensor gu_zeros(gu_dtype dtype, int ndim, const int64_t *shape);
GUDEF gu_tensor gu_ones(gu_dtype dtype, int ndim, const int64_t *shape);
GUDEF gu_tensor gu_full(gu_dtype dtype, int ndim, const int64_t *shape, double value);
GUDEF gu_tensor gu_scalar(gu_dtype dtype, double value);                 // 0-d
GUDEF gu_tensor gu_arange(double start, double stop, double step, gu_dtype dtype);
// A value that does not fit the dtype is an error, as PyTorch's "value cannot be converted
// to type uint8_t without overflow": into uint8 a double outside [0, 255] (an integer
// outside [-255, 255]; -255..-1 wrap, as PyTorch); into int64 NaN, inf and doubles outside
// [-2^63, 2^63); into float32 finite doubles beyond FLT_MAX. gu_set checks the same way.
// int64 values beyond 2^53 do not survive a double: the _i64 forms carry them exactly
// (into float32 they are rounded once, as PyTorch's cast; into uint8 they wrap).
GUDEF gu_tensor gu_full_i64(gu_dtype dtype, int ndim, const int64_t *shape, int64_t value);
GUDEF gu_tensor gu_scalar_i64(gu_dtype dtype, int64_t value);            // 0-d
// arange as torch.arange: float32 computes start + i * step in double; the integer dtypes
// truncate start, stop and step to integers first and count in integers, as PyTorch does.
// Refused as PyTorch: bool, a zero step, a step whose sign disagrees with stop - start,
// infinite bounds. gu_arange_i64 is exact for any int64 bounds.
GUDEF gu_tensor gu_arange_i64(int64_t start, int64_t stop, int64_t step, gu_dtype dtype);
GUDEF gu_tensor gu_from_data(gu_dtype dtype, int ndim, const int64_t *shape, const void *data);
GUDEF gu_tensor gu_wrap(gu_dtype dtype, int ndim, const int64_t *shape, void *data); // borrows
GUDEF gu_tensor gu_clone(gu_tensor t);            // contiguous copy, same dtype
GUDEF gu_tensor gu_to(gu_tensor t, gu_dtype dtype); // cast copy (the lesson's .float())
GUDEF int gu_copy_(gu_tensor dst, gu_tensor src);  // dst[...] = src, src broadcast to dst; 0 or -1
// gu_to and gu_copy_ convert as PyTorch's casts, exactly: int64 -> float32 rounds once,
// int64 -> uint8 wraps, float32 -> int64 truncates toward zero (NaN and values beyond
// int64 are undefined in PyTorch; here NaN -> INT64_MIN and out-of-range values saturate).
// copy_ refuses, as PyTorch does, a destination with a stride-0 dim of size > 1 (an
// expanded view: several elements would write one memory location). A source that partly
// overlaps the destination is read first, as memmove (NumPy's rule; PyTorch refuses).
GUDEF void gu_free(gu_tensor *t);
GUDEF void gu_free_mem(void *p);                  // frees strings returned by the library

// Tidy scopes: the lesson's chains without leaks (TensorFlow.js's tf.tidy/tf.keep).
//    gu_tidy_begin();
//    gu_tensor f = gu_to(gu_lt(a, b), GU_FLOAT32);       // gu_lt's result is an owner too
//    gu_tensor r = gu_keep(gu_sqrt(gu_sum(gu_mul(m, m))));
//    gu_tidy_end();                                       // frees f and gu_lt's result
//    ... use r ...; gu_free(&r);
// Every owner made on the calling thread after gu_tidy_begin and still alive at the
// matching gu_tidy_end is freed there; gu_free of one before then frees it at once. Scopes
// nest; gu_tidy_end without a begin is an error (gu_error), nothing else happens. Views
// are never tracked (their owner is). gu_keep(t) takes an owner out of every scope: it
// survives them all and its caller frees it with gu_free. A view whose storage a scope
// would free is kept by a copy (an owner), as gu_reshape does: gu_free the result of
// gu_keep in every case. The loaders (gu_mnist_load*, gu_idx_load*, gu_pkl_load*) return
// untracked owners: a data set outlives the loops that use it (gu_mnist_free/gu_free it).
// Outside a scope nothing is tracked and nothing costs. Per thread: free a tracked owner on
// the thread that made it (or gu_keep it first).
GUDEF void gu_tidy_begin(void);
GUDEF void gu_tidy_end(void);
GUDEF gu_tensor gu_keep(gu_tensor t);

GUDEF int64_t gu_numel(gu_tensor t);
GUDEF int64_t gu_storage_numel(gu_tensor t);      // the lesson's len(t.storage())
GUDEF void *gu_data(gu_tensor t);                 // address of element [0,..,0]
GUDEF int gu_is_contiguous(gu_tensor t);
GUDEF int gu_same_shape(gu_tensor a, gu_tensor b);

// >>views: never copy, never allocate element memory -----------------------------------
#define GU_END INT64_MAX    // slice stop "to the end"
#define GU_REND INT64_MIN   // slice stop "past the beginning", for negative steps

GUDEF gu_tensor gu_view(gu_tensor t, int ndim, const int64_t *shape);    // one -1 allowed
GUDEF gu_tensor gu_reshape(gu_tensor t, int ndim, const int64_t *shape); // view or copy
GUDEF gu_tensor gu_flatten(gu_tensor t);                                 // reshape to (-1,)
GUDEF gu_tensor gu_slice(gu_tensor t, int dim, int64_t start, int64_t stop, int64_t step);
GUDEF gu_tensor gu_narrow(gu_tensor t, int dim, int64_t start, int64_t length);
GUDEF gu_tensor gu_select(gu_tensor t, int dim, int64_t index);          // drops dim
GUDEF gu_tensor gu_index(gu_tensor t, int n, const int64_t *idx);        // m[20,15] -> 0-d
GUDEF gu_tensor gu_unsqueeze(gu_tensor t, int dim);                      // c[None,:]
GUDEF gu_tensor gu_squeeze(gu_tensor t, int dim);                        // one size-1 dim
GUDEF gu_tensor gu_squeeze_all(gu_tensor t);
GUDEF gu_tensor gu_expand(gu_tensor t, int ndim, const int64_t *shape);  // -1 keeps a dim
GUDEF gu_tensor gu_expand_as(gu_tensor t, gu_tensor other);
GUDEF gu_tensor gu_transpose(gu_tensor t, int dim0, int dim1);
GUDEF gu_tensor gu_t(gu_tensor t);                                       // 2-D transpose
GUDEF gu_tensor gu_permute(gu_tensor t, const int *dims);
GUDEF gu_tensor gu_contiguous(gu_tensor t);                              // view or copy

// Elements by multi-index (n indices, negative ones count from the end).
GUDEF double gu_get(gu_tensor t, int n, const int64_t *idx);   // NaN and error if bad
GUDEF int gu_set(gu_tensor t, int n, const int64_t *idx, double value);
GUDEF double gu_item(gu_tensor t);                             // the one element
GUDEF double gu_get_flat(gu_tensor t, int64_t i);              // i-th in row-major order
// The exact int64 forms (an int64 beyond 2^53 does not survive a double). get: the
// element as gu_to(t, GU_INT64) would give it (a float32 truncated toward zero); 0 and an
// error if bad. set: value converted as gu_full_i64 does (uint8 wraps, float32 rounds once).
GUDEF int64_t gu_get_i64(gu_tensor t, int n, const int64_t *idx);
GUDEF int gu_set_i64(gu_tensor t, int n, const int64_t *idx, int64_t value);
GUDEF int64_t gu_item_i64(gu_tensor t);

// >>print ---------------------------------------------------------------------------------
typedef enum gu_sci_mode { GU_SCI_AUTO = 0, GU_SCI_ON, GU_SCI_OFF } gu_sci_mode;
typedef struct gu_printopts {  // zero means default, as torch.set_printoptions
    int precision;   // digits after the point (default 4; GU_PRECISION_0 for none)
    int threshold;   // summarise above this many elements (default 1000)
    int edgeitems;   // items each side when summarising (default 3)
    int linewidth;   // characters per line (default 80)
    gu_sci_mode sci_mode;
} gu_printopts;
#define GU_PRECISION_0 (-1)
#define GU_PRECISION_MAX 1000

// Process-wide, like torch's; 0, or -1 and gu_error() (the options unchanged) for a
// precision outside GU_PRECISION_0..GU_PRECISION_MAX. Every digit asked is printed (a
// float32's exact decimal expansion ends within 150 digits after the point; the rest are
// zeros, as Python prints them); nothing is cut.
GUDEF int gu_set_printoptions(gu_printopts opts);
GUDEF gu_printopts gu_get_printoptions(void);        // with the defaults filled in
GUDEF char *gu_repr(gu_tensor t);                    // "tensor([...])"; gu_free_mem it
GUDEF int gu_fprint(FILE *f, gu_tensor t);           // repr and a newline; 0 or -1
GUDEF int gu_print(gu_tensor t);                     // to stdout
GUDEF char *gu_shape_str(gu_tensor t, char *buf, size_t n);   // "(50000, 784)"
GUDEF char *gu_stride_str(gu_tensor t, char *buf, size_t n);  // "(0, 1)"

// >>ops: elementwise arithmetic, broadcasting, comparisons, reductions ---------------------
//
// The lesson's middle part: `a + b`, `(a < b).float().mean()`, `(m*m).sum().sqrt()`,
// `m + c`, `c[None,:] * c[:,None]`, `test_close(a, b)`.
//
// Broadcasting (NumPy's rule). Shapes are compared from the trailing dim backwards; two
// dims are compatible when they are equal or one of them is 1; a missing leading dim
// counts as 1. The smaller operand is never copied: it becomes a stride-0 view
// (gu_expand) and the loops read it in place. Otherwise:
//    "add: shapes (3, 3) and (2,) do not broadcast (dim -1: 3 vs 2)".
//
// Forms of every binary op X (add sub mul div pow maximum minimum gt lt ge le eq ne
// logical_and logical_or):
//    gu_X(a, b)            a new contiguous owner of the broadcast shape
//    gu_X_out(out, a, b)   writes into out (0 or -1): out must have exactly the broadcast
//                          shape, no stride-0 dims, and a dtype the result can be cast to
//                          (PyTorch's rule: not float into an integer, not a number into
//                          bool). out may be a or b itself, but must not partly overlap them.
//    gu_X_(a, b)           in place, a = a X b, b broadcast to a (add sub mul div pow)
//    gu_X_scalar(a, s)     a X s with s a FLOAT scalar (a Python float)
//    gu_X_iscalar(a, s)    a X s with s an INTEGER scalar (a Python int)
//    gu_rX_scalar(s, a), gu_rX_iscalar(s, a)   s X a, where the order matters
//                          (sub div pow gt lt ge le)
//    gu_X_scalar_(a, s), gu_X_iscalar_(a, s)   in place (add sub mul div)
//
// Type promotion is PyTorch's for our four dtypes, ordered bool < uint8 < int64 < float32:
//   - two tensors: the higher of the two (uint8 + int64 -> int64, int64 + float32 ->
//     float32; int64 compared with float32 compares as float32);
//   - a 0-d tensor counts only when it is of a higher category (bool < integer < float)
//     than the tensors with dims: int64 0-d + uint8 (3,) -> uint8, float32 0-d + int64 ->
//     float32;
//   - a scalar likewise: a float scalar makes an integer tensor float32 (`int_t * 0.5`), an
//     integer scalar keeps the tensor's dtype (uint8 + 300 wraps, as PyTorch) and turns a
//     bool tensor into int64;
//   - div is true division: integers are divided as float32 (int64 / int64 -> float32);
//     sqrt, exp and log of integers or bools give float32;
//   - comparisons and logical ops give bool; sum and prod of bool/uint8/int64 give int64.
// Integer arithmetic wraps around (two's complement), as PyTorch's does.
// Unsupported, as in PyTorch (an error, never a silent cast): sub with a bool operand,
// neg/abs of bool, pow of bool by bool, an integer to a negative integer scalar power,
// mean/norm of non-float tensors (convert with gu_to first, as the lesson's `.float()`),
// argmin/argmax of bool, min/max/argmin/argmax over zero elements.
// Float NaN: maximum/minimum/min/max propagate it; argmin/argmax point at the first NaN.
// maximum/minimum of +0 and -0 give the first operand (PyTorch's scalar loop).
// pow(t, s) with a float result computes s = 2, 3, -1, -2, 0.5, -0.5 as PyTorch does: x*x,
// x*x*x, 1/x, 1/(x*x), sqrt(x), 1/sqrt(x) (so (-0) ** 0.5 is -0 and (-inf) ** 0.5 NaN);
// an integer exponent must fit the tensor's dtype (uint8 ** 256 is refused, as PyTorch).
// Where the results differ from PyTorch's at all, README's "Differences from PyTorch"
// lists it (a differential test checks the rest against PyTorch).
GUDEF gu_tensor gu_add(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_sub(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_mul(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_div(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_pow(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_maximum(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_minimum(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_gt(gu_tensor a, gu_tensor b);            // a > b, bool
GUDEF gu_tensor gu_lt(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_ge(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_le(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_eq(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_ne(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_logical_and(gu_tensor a, gu_tensor b);   // nonzero-ness, bool
GUDEF gu_tensor gu_logical_or(gu_tensor a, gu_tensor b);

GUDEF int gu_add_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_sub_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_mul_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_div_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_pow_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_maximum_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_minimum_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_gt_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_lt_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_ge_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_le_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_eq_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_ne_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_logical_and_out(gu_tensor out, gu_tensor a, gu_tensor b);
GUDEF int gu_logical_or_out(gu_tensor out, gu_tensor a, gu_tensor b);

GUDEF int gu_add_(gu_tensor a, gu_tensor b);   // a += b
GUDEF int gu_sub_(gu_tensor a, gu_tensor b);
GUDEF int gu_mul_(gu_tensor a, gu_tensor b);
GUDEF int gu_div_(gu_tensor a, gu_tensor b);
GUDEF int gu_pow_(gu_tensor a, gu_tensor b);

// With a float scalar (s as a Python float) and with an integer scalar (a Python int).
GUDEF gu_tensor gu_add_scalar(gu_tensor a, double s);      GUDEF gu_tensor gu_add_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_sub_scalar(gu_tensor a, double s);      GUDEF gu_tensor gu_sub_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_mul_scalar(gu_tensor a, double s);      GUDEF gu_tensor gu_mul_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_div_scalar(gu_tensor a, double s);      GUDEF gu_tensor gu_div_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_pow_scalar(gu_tensor a, double s);      GUDEF gu_tensor gu_pow_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_maximum_scalar(gu_tensor a, double s);  GUDEF gu_tensor gu_maximum_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_minimum_scalar(gu_tensor a, double s);  GUDEF gu_tensor gu_minimum_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_gt_scalar(gu_tensor a, double s);       GUDEF gu_tensor gu_gt_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_lt_scalar(gu_tensor a, double s);       GUDEF gu_tensor gu_lt_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_ge_scalar(gu_tensor a, double s);       GUDEF gu_tensor gu_ge_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_le_scalar(gu_tensor a, double s);       GUDEF gu_tensor gu_le_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_eq_scalar(gu_tensor a, double s);       GUDEF gu_tensor gu_eq_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_ne_scalar(gu_tensor a, double s);       GUDEF gu_tensor gu_ne_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_logical_and_scalar(gu_tensor a, double s);  GUDEF gu_tensor gu_logical_and_iscalar(gu_tensor a, int64_t s);
GUDEF gu_tensor gu_logical_or_scalar(gu_tensor a, double s);   GUDEF gu_tensor gu_logical_or_iscalar(gu_tensor a, int64_t s);
// s X a, where the order matters
GUDEF gu_tensor gu_rsub_scalar(double s, gu_tensor a);     GUDEF gu_tensor gu_rsub_iscalar(int64_t s, gu_tensor a);
GUDEF gu_tensor gu_rdiv_scalar(double s, gu_tensor a);     GUDEF gu_tensor gu_rdiv_iscalar(int64_t s, gu_tensor a);
GUDEF gu_tensor gu_rpow_scalar(double s, gu_tensor a);     GUDEF gu_tensor gu_rpow_iscalar(int64_t s, gu_tensor a);
GUDEF gu_tensor gu_rgt_scalar(double s, gu_tensor a);      GUDEF gu_tensor gu_rgt_iscalar(int64_t s, gu_tensor a);
GUDEF gu_tensor gu_rlt_scalar(double s, gu_tensor a);      GUDEF gu_tensor gu_rlt_iscalar(int64_t s, gu_tensor a);
GUDEF gu_tensor gu_rge_scalar(double s, gu_tensor a);      GUDEF gu_tensor gu_rge_iscalar(int64_t s, gu_tensor a);
GUDEF gu_tensor gu_rle_scalar(double s, gu_tensor a);      GUDEF gu_tensor gu_rle_iscalar(int64_t s, gu_tensor a);
// in place with a scalar: a += s, ...
GUDEF int gu_add_scalar_(gu_tensor a, double s);           GUDEF int gu_add_iscalar_(gu_tensor a, int64_t s);
GUDEF int gu_sub_scalar_(gu_tensor a, double s);           GUDEF int gu_sub_iscalar_(gu_tensor a, int64_t s);
GUDEF int gu_mul_scalar_(gu_tensor a, double s);           GUDEF int gu_mul_iscalar_(gu_tensor a, int64_t s);
GUDEF int gu_div_scalar_(gu_tensor a, double s);           GUDEF int gu_div_iscalar_(gu_tensor a, int64_t s);

// Unary ops (+ _out forms). sqrt/exp/log of integers and bools give float32. The out of
// neg and abs must have the input's dtype, as PyTorch wants ("Found dtype Float but
// expected Long"); the others take any dtype the result can be cast to.
GUDEF gu_tensor gu_neg(gu_tensor a);
GUDEF gu_tensor gu_abs(gu_tensor a);
GUDEF gu_tensor gu_sqrt(gu_tensor a);
GUDEF gu_tensor gu_exp(gu_tensor a);
GUDEF gu_tensor gu_log(gu_tensor a);
GUDEF gu_tensor gu_logical_not(gu_tensor a);
GUDEF int gu_neg_out(gu_tensor out, gu_tensor a);
GUDEF int gu_abs_out(gu_tensor out, gu_tensor a);
GUDEF int gu_sqrt_out(gu_tensor out, gu_tensor a);
GUDEF int gu_exp_out(gu_tensor out, gu_tensor a);
GUDEF int gu_log_out(gu_tensor out, gu_tensor a);
GUDEF int gu_logical_not_out(gu_tensor out, gu_tensor a);

// where(cond, a, b): a where cond is true, else b; cond must be bool; all three broadcast.
GUDEF gu_tensor gu_where(gu_tensor cond, gu_tensor a, gu_tensor b);
GUDEF int gu_where_out(gu_tensor out, gu_tensor cond, gu_tensor a, gu_tensor b);

// Reductions: over all elements (a 0-d result) or over one dim (keepdim keeps it as size 1).
// sum/prod: float32 -> float32, bool/uint8/int64 -> int64. mean: float32 only.
// min/max: the input's dtype. argmin/argmax: int64 (flat index for the all-elements form,
// the first one on ties). Float32 sums, means and norms accumulate in float64 (32
// accumulators, so they stay at memory speed): the sum of MNIST's 39.2M pixels agrees with
// a float64 sum to float32 rounding (6e-8 relative, where 1e-6 is asked). prod also
// multiplies in float64. The _out forms need a contiguous out of exactly the result shape
// and dtype.
GUDEF gu_tensor gu_sum(gu_tensor t);
GUDEF gu_tensor gu_sum_dim(gu_tensor t, int dim, int keepdim);
GUDEF int gu_sum_dim_out(gu_tensor out, gu_tensor t, int dim, int keepdim);
GUDEF gu_tensor gu_mean(gu_tensor t);
GUDEF gu_tensor gu_mean_dim(gu_tensor t, int dim, int keepdim);
GUDEF int gu_mean_dim_out(gu_tensor out, gu_tensor t, int dim, int keepdim);
GUDEF gu_tensor gu_prod(gu_tensor t);
GUDEF gu_tensor gu_prod_dim(gu_tensor t, int dim, int keepdim);
GUDEF int gu_prod_dim_out(gu_tensor out, gu_tensor t, int dim, int keepdim);
GUDEF gu_tensor gu_min(gu_tensor t);
GUDEF gu_tensor gu_min_dim(gu_tensor t, int dim, int keepdim);
GUDEF int gu_min_dim_out(gu_tensor out, gu_tensor t, int dim, int keepdim);
GUDEF gu_tensor gu_max(gu_tensor t);
GUDEF gu_tensor gu_max_dim(gu_tensor t, int dim, int keepdim);
GUDEF int gu_max_dim_out(gu_tensor out, gu_tensor t, int dim, int keepdim);
GUDEF gu_tensor gu_argmin(gu_tensor t);
GUDEF gu_tensor gu_argmin_dim(gu_tensor t, int dim, int keepdim);
GUDEF int gu_argmin_dim_out(gu_tensor out, gu_tensor t, int dim, int keepdim);
GUDEF gu_tensor gu_argmax(gu_tensor t);
GUDEF gu_tensor gu_argmax_dim(gu_tensor t, int dim, int keepdim);
GUDEF int gu_argmax_dim_out(gu_tensor out, gu_tensor t, int dim, int keepdim);
GUDEF gu_tensor gu_norm(gu_tensor t);   // Frobenius: sqrt of the sum of squares, float32 0-d

// fastcore's test_close: 1 when every |a - b| < eps (a and b broadcast; fastcore's default
// eps is 1e-5), else 0 and gu_error() names the worst element, its index and both values:
//   "test_close: 2 of 6 elements differ by eps=1e-05 or more (shapes (2, 3) and (2, 3));
//    worst at [1, 1]: 5 vs 5.0999999 (|diff| 0.1)". NaN is never close.
GUDEF int gu_test_close(gu_tensor a, gu_tensor b, double eps);
// NumPy/PyTorch allclose: every |a - b| <= atol + rtol * |b| (equal infinities are close, a
// finite value is never close to an infinity, NaN never close, nor two float32 whose
// difference overflows float32, as in PyTorch); two integer tensors are compared exactly
// (int64 past 2^53 too). 0 with a message for rtol or atol < 0 and for two dtypes (PyTorch
// refuses them; gu_test_close compares any two).
GUDEF int gu_allclose(gu_tensor a, gu_tensor b, double rtol, double atol);

// >>random --------------------------------------------------------------------------------
// Two generators, as the lesson has two.
//
// 1. Wichmann-Hill, the lesson's rand() (Python's generator before 2.3): three small
//    multiplicative generators whose sum, taken mod 1, is the number. The global form keeps
//    one state, as the lesson's rnd_state does:
//
//       gu_seed(457428938475);          // state (4976, 20238, 499)
//       double r = gu_rand();           // 0.7645251082582081, 0.7920889799553945, ...
//
//    Fork: a child made by fork() gets a copy of the parent's memory, state included, so
//    parent and child draw the SAME numbers afterwards (the lesson shows it; so does
//    examples/03_random.c). The cure is to reseed in the child: gu_seed_from_entropy()
//    seeds both global generators from /dev/urandom (or, failing that, the pid and clocks)
//    and returns the seed it used. The global states are not thread-safe: a thread keeps
//    its own gu_wh_state or gu_generator.
typedef struct gu_wh_state { int x, y, z; } gu_wh_state;

GUDEF void gu_seed(uint64_t a);                       // the lesson's seed(a)
GUDEF double gu_rand(void);                           // the lesson's rand(), in [0, 1)
GUDEF gu_wh_state gu_rnd_state(void);                 // the lesson's rnd_state
GUDEF void gu_wh_seed(gu_wh_state *s, uint64_t a);    // re-entrant forms
GUDEF double gu_wh_rand(gu_wh_state *s);
GUDEF uint64_t gu_seed_from_entropy(void);            // reseeds gu_seed AND gu_manual_seed

// 2. PyTorch's CPU generator, so that C and Python give the same tensors:
//
//       gu_manual_seed(1);                           // torch.manual_seed(1)
//       int64_t shape[2] = {784, 10};
//       gu_tensor w = gu_randn(2, shape);            // torch.randn(784, 10), same numbers
//
//    It is mt19937 seeded with the low 32 bits of the seed; before any gu_manual_seed the
//    default generator holds torch's default seed 67280421310721, as a fresh torch does.
//    - gu_rand_t: float32 in [0, 1): the low 24 bits of one 32-bit draw times 2^-24.
//      Bit-exact with torch.rand. (Named _t because gu_rand is the lesson's scalar.)
//    - gu_randint(low, high): int64 in [low, high): a draw mod (high - low), plus low; one
//      32-bit draw per element, two when high - low >= 2^32. Bit-exact with torch.randint.
//    - gu_randn: float32 N(0, 1) by Box-Muller, as torch does it on the CPU:
//      fewer than 16 elements: in double from two 53-bit uniforms, cos for this element and
//      the sin kept in the generator for the next call (torch keeps it too);
//      16 or more: all the uniforms first, then blocks of 16 (u1 = first 8, u2 = next 8)
//      in float with the Cephes polynomials of PyTorch's AVX2 kernel (avx_mathfun.h), with
//      the same fused multiply-adds as its GCC build; a size not a multiple of 16 draws 16
//      more uniforms and redoes the last 16 elements.
//      Bit-exact with torch.randn of Debian's python3-torch 1.13 on x86-64 (whose CPU
//      capability is AVX2) on every seed and size tested, on all three of our paths:
//      portable C, AVX2+FMA and AVX-512 (chosen at run time; GU_NO_SIMD keeps the C one).
//      The bar we promise is 4e-6 absolute: a torch that dispatches normal_ to its
//      non-AVX2 kernel (std::log, std::cos in float) differs in the last bits. Do not build
//      with -ffast-math.
//    The gu_..._gen forms take an explicit generator (NULL means the default one).
typedef struct gu_generator {
    uint32_t state[624];  // mt19937
    int next;             // index of the next word; 624 means twist first
    uint64_t seed;
    int has_normal;       // the cached second Box-Muller value (for fewer than 16 elements)
    double normal;
} gu_generator;

GUDEF void gu_manual_seed(uint64_t seed);             // torch.manual_seed
GUDEF uint64_t gu_initial_seed(void);                 // torch.initial_seed
GUDEF gu_generator *gu_default_generator(void);
GUDEF void gu_generator_seed(gu_generator *g, uint64_t seed);
GUDEF uint32_t gu_generator_random(gu_generator *g);   // the next 32-bit mt19937 word
GUDEF uint64_t gu_generator_random64(gu_generator *g); // two words, the first high

GUDEF gu_tensor gu_rand_t(int ndim, const int64_t *shape);
GUDEF gu_tensor gu_randn(int ndim, const int64_t *shape);
GUDEF gu_tensor gu_randint(int64_t low, int64_t high, int ndim, const int64_t *shape);
GUDEF gu_tensor gu_rand_gen(gu_generator *g, int ndim, const int64_t *shape);
GUDEF gu_tensor gu_randn_gen(gu_generator *g, int ndim, const int64_t *shape);
GUDEF gu_tensor gu_randint_gen(gu_generator *g, int64_t low, int64_t high, int ndim, const int64_t *shape);
// The same into a caller's float buffer of n elements (what the tensors use); 0 or -1.
GUDEF int gu_rand_fill(gu_generator *g, float *out, int64_t n);
GUDEF int gu_randn_fill(gu_generator *g, float *out, int64_t n);

// >>plot ----------------------------------------------------------------------------------
#ifndef GU_NO_PLOT
// Pictures, as the lesson draws them: imshow of a 2-D tensor, a line plot, a histogram,
// each written to a PNG file by stb_image_write (Debian's libstb-dev; see OPTIONS for
// GU_STB_INCLUDE, GU_STB_NO_IMPL, GU_NO_PNG); and a terminal preview for
// people working over ssh. Each returns 0, or -1 with gu_error() saying why.
//
//    gu_imshow("digit.png", gu_select(x_train, 0, 0) reshaped to (28, 28), NULL);
//    gu_plot("rand_plot.png", y, 50, NULL);          // plt.plot(y)
//    gu_hist("rand_hist.png", x, 10000, 10, NULL);   // plt.hist(x)
//    gu_bar("speedups.png", names, speedups, 8, 1);  // plt.barh(names, speedups, log=True)
//
// The plots follow matplotlib's defaults: a 640x480 figure, the axes box at the same
// place, the blue line (#1f77b4), 5% data margins, "nice" ticks (steps 1, 2, 2.5, 5 times a
// power of ten) with labels drawn from a built-in 5x7 bitmap font of printable ASCII.
typedef enum gu_cmap {
    GU_CMAP_GRAY = 0,   // the lesson's image.cmap='gray': black (vmin) to white (vmax)
    GU_CMAP_VIRIDIS     // matplotlib's default map
} gu_cmap;

typedef struct gu_imshow_opts {  // zero means default; an unknown cmap, scale < 0, vmin > vmax: -1
    gu_cmap cmap;
    float vmin, vmax;   // both 0: the data's min and max, as matplotlib scales
    int scale;          // pixels per element; 0: enough that the long side is >= 280 px
} gu_imshow_opts;

typedef struct gu_plot_opts {    // zero means default; width or height < 0: -1
    int width, height;  // 0: 640 x 480 (matplotlib's 6.4 x 4.8 inches at 100 dpi)
    uint32_t color;     // 0xRRGGBB; 0: #1f77b4 (pass 0x010101 for black)
    const float *x;     // gu_plot only: n increasing x values; NULL: 0, 1, ..., n-1
} gu_plot_opts;

// img: a 2-D float32, uint8, bool or int64 tensor (any strides). NaN is drawn white.
GUDEF int gu_imshow(const char *path, gu_tensor img, const gu_imshow_opts *opts);
GUDEF int gu_plot(const char *path, const float *y, int64_t n, const gu_plot_opts *opts);
GUDEF int gu_plot_t(const char *path, gu_tensor y, const gu_plot_opts *opts);   // 1-D y
GUDEF int gu_hist(const char *path, const float *x, int64_t n, int bins, const gu_plot_opts *opts);
// A horizontal bar chart, one bar a label, the first at the top, each bar followed by its
// value and an "x" ("1234x": the charts groundup draws are speed-ups, times faster than a
// reference). Labels sit left of the axes and the figure widens to fit them (up to 40
// characters; longer ones are cut to end in ".."); n is 1 to 1000. log_scale nonzero: a
// log10 value axis with ticks at the decades, labelled 0.01 ... 1000, then 1e4, 1e5, ...;
// every value must then be positive. Values must be finite.
//
//    const char *names[3] = {"matmul_3loops", "matmul_einsum", "OpenBLAS cblas_sgemm"};
//    float speedup[3] = {1, 20000, 25000};
//    gu_bar_titled("speedups.png", "speed-up over matmul_3loops", names, speedup, 3, 1);
GUDEF int gu_bar(const char *path, const char *const *labels, const float *values, int n, int log_scale);
GUDEF int gu_bar_titled(const char *path, const char *title, const char *const *labels, const float *values, int n,
                        int log_scale);   // title NULL or "": none
// Prints img with the shades " ░▒▓█" (UTF-8), one character per element across and two
// rows per line (terminal cells are about twice as tall as wide), scaled down to at most
// max_cols columns (0: 80). Scaled like imshow (min to max).
GUDEF int gu_term_show(FILE *f, gu_tensor img, int max_cols);

#endif // GU_NO_PLOT

// >>mnist -------------------------------------------------------------------------------
#ifndef GU_NO_MNIST
/* The lesson's data: mnist.pkl.gz (a gzip'd Python pickle) and IDX, the format MNIST and
   Fashion-MNIST are published in.

      char path[1024];
      gu_mnist m;
      if (gu_mnist_find(path, sizeof path, "data") != 0 || gu_mnist_load(path, &m) != 0) {
          fprintf(stderr, "error: %s\n", gu_error());     // names the path and what it lacks
          return 1;
      }
      // m.x_train is float32 (50000, 784), pixels / 256; m.y_train is int64 (50000,)
      gu_mnist_free(&m);

   gu_mnist_find turns a file or a folder into what gu_mnist_load takes: the file itself,
   or the folder's mnist.pkl.gz, or the folder when it holds the four IDX files. Where the
   data lives is the program's business (the library reads no environment variable and
   knows no folder of its own).

   Both parsers take hostile files: every declared length is checked against the input
   that can still arrive before anything is allocated (for gzip, whose size is unknown
   until the end, against what the compressed bytes left could inflate to, 1032:1 at most;
   and a large buffer then grows only as its bytes actually arrive), gzip is read with
   zlib's inflate (truncation, a bad CRC or length, trailing bytes and a plain file named
   .gz are errors; concatenated gzip members are read as one stream, as gzip -d does), and
   the unpickler never calls anything.

   The unpickler interprets a pickle symbolically and knows only what NumPy arrays need:
   protocols 0 to 5 as Python 2's cPickle and Python 3 write them, NumPy 1 and 2 module
   names. Allowed globals: numpy.core.multiarray._reconstruct (and numpy._core...),
   numpy.ndarray, numpy.dtype, _codecs.encode, numpy.core.numeric._frombuffer (and
   numpy._core...), builtins.bytes (for b''). Any other global, and the opcodes INST, OBJ,
   NEWOBJ, NEWOBJ_EX, PERSID, BINPERSID, EXT1-4, dicts, sets and out-of-band buffers, are
   refused with a message naming the global or opcode and its byte offset (in the
   decompressed stream). Limits: memo 262144 entries (keys 0 to 2^63-1; the binary
   opcodes' 0 to 2^32-1), stack 262144 objects, MARK depth 10000, container nesting 100,
   262144 live objects.

   dtypes map onto groundup's: f4 -> float32; f8 -> float32 (rounded to nearest; groundup
   has no float64); i1 i2 i4 i8 u2 u4 -> int64; u1 -> uint8; b1 -> bool. Either byte order.
   A Fortran-order array comes back with Fortran strides, as NumPy loads it (the same
   shape and values; gu_contiguous makes a C-order copy). Arrays of other dtypes (objects,
   structured, u8, f2, complex) are refused.

   IDX: magic 00 00 TYPE NDIMS, NDIMS big-endian uint32 dims, then the data big-endian.
   u8 (0x08) -> uint8; i8 (0x09), i16 (0x0B), i32 (0x0C) -> int64; f32 (0x0D) -> float32;
   f64 (0x0E) -> float32 (rounded). The file must be exactly header + data.

   Memory: array bytes are inflated straight into the tensors' storage, which the
   tensors then own (no second copy), so a load peaks at about the arrays' size (1.00x
   for mnist.pkl.gz; Python's gzip + pickle.load peaks at 2.0x). Conversions (byte swaps,
   f8 -> f4, widening to int64) happen in place. The exceptions: Python 3's protocol-2
   pickles carry bytes as latin-1 text (up to 2x the bytes while decoding), and protocol 0
   as escaped text.
   The file is read as gzip when its name ends in .gz (it must then be gzip) or when it
   starts with the gzip magic 1f 8b. */

typedef struct gu_mnist {
    // x_* are float32 (N, 784) with pixel/256; y_* are int64 (N,).
    // N = 50000, 10000, 10000 for mnist.pkl.gz and the lesson's split of the IDX files.
    gu_tensor x_train, y_train, x_valid, y_valid, x_test, y_test;
} gu_mnist;

typedef enum gu_data_format {
    GU_FORMAT_UNKNOWN = 0,
    GU_FORMAT_PICKLE,   // a (possibly gzip'd) pickle
    GU_FORMAT_IDX,      // one (possibly gzip'd) IDX file
    GU_FORMAT_IDX_DIR   // a directory: the four MNIST IDX files
} gu_data_format;

// The arrays of a pickle in order (the pickle holds one array or any nesting of tuples
// and lists of arrays). Fills out[0..*count-1] with owners; 0, or -1 and gu_error()
// (nothing is left allocated then). More than max arrays is an error.
GUDEF int gu_pkl_load(const char *path, gu_tensor *out, int max, int *count);
GUDEF int gu_pkl_load_mem(const void *data, size_t n, gu_tensor *out, int max, int *count);

// One IDX file, raw or gzip'd (see above for the dtypes); an owner or an invalid tensor.
GUDEF gu_tensor gu_idx_load(const char *path);
GUDEF gu_tensor gu_idx_load_mem(const void *data, size_t n);

// uint8 images (N, 28, 28) (or (N, H*W), or any (N, ...): each image flattened) -> float32
// (N, H*W), each pixel / divisor (finite, > 0): 256 gives mnist.pkl.gz's values, 255 the
// [0, 1] range most code uses.
GUDEF gu_tensor gu_mnist_to_float(gu_tensor images, double divisor);

// mnist.pkl.gz (or any pickle of ((x,y),(x,y),(x,y))) into the six tensors.
GUDEF int gu_mnist_load_pkl(const char *path, gu_mnist *out);
// A directory holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte
// and t10k-labels-idx1-ubyte (each raw or .gz): the lesson's split, which is exactly
// mnist.pkl.gz's content: x_train = the first 50000 training images / 256, x_valid = the
// last 10000 (the last sixth, for other sizes), x_test = the t10k set; labels int64.
// Works for Fashion-MNIST too.
GUDEF int gu_mnist_load_idx(const char *dir, gu_mnist *out);
// Either of the above, chosen by what path is (a directory or a pickle).
GUDEF int gu_mnist_load(const char *path, gu_mnist *out);
GUDEF void gu_mnist_free(gu_mnist *m);

// What path holds, by its content (gunzipped) or by being a directory.
GUDEF gu_data_format gu_data_format_of(const char *path);

// The MNIST data in path: path itself when it is a file (gu_mnist_load says what it
// holds), else path/mnist.pkl.gz, else path when it is a directory holding the four IDX
// files above (each raw or .gz). Writes what it found to buf; 0, or -1 with a message
// naming path and what it looked for.
GUDEF int gu_mnist_find(char *buf, size_t n, const char *path);

#endif // GU_NO_MNIST

// >>gemm: the fast matmul ---------------------------------------------------------------
// C = alpha * op(A) @ op(B) + beta * C, row-major, as BLAS's sgemm. op(X) is X for 'N' and
// X transposed for 'T' or 'C' (conjugate transpose: the same for real X); lower case is
// accepted. op(A) is (m, k), op(B) is (k, n), C is (m, n); lda, ldb, ldc are the distances
// between rows as stored (A stored (m, k) for 'N' and (k, m) for 'T'). beta == 0 means C is
// not read (NaNs in C do not survive). alpha == 0 or k == 0 only scales C. Returns 0, or -1
// with gu_error() set for bad arguments: negative sizes, a leading dimension smaller than the
// stored row, a letter other than N/T/C, a NULL pointer for a nonempty matrix.
GUDEF int gu_sgemm(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
                   const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                   float *c, int64_t ldc);
// The same contract in three plain loops (float sums, k in order): the oracle.
GUDEF int gu_sgemm_ref(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
                       const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                       float *c, int64_t ldc);

// torch.matmul on float32 tensors of any strides: 1-D @ 1-D is a dot product (0-d result);
// a 1-D left operand is promoted to (1, k) and a 1-D right one to (k, 1), and the added
// dim is removed from the result; dims before the last two are batch dims and broadcast.
// gu_matmul returns an owner; gu_matmul_out writes into out (exactly the result's shape,
// float32, any strides, not overlapping a or b) and returns 0 or -1.
GUDEF gu_tensor gu_matmul(gu_tensor a, gu_tensor b);
GUDEF int gu_matmul_out(gu_tensor out, gu_tensor a, gu_tensor b);

// The instruction set every part uses: the matmul's microkernel, the random fills
// (gu_randn, gu_rand_tensor, ...) and the elementwise ops. It is chosen once
// from cpuid: "avx512", else "avx2" (AVX2+FMA), else "portable" (plain C, always compiled; the
// only one under GU_NO_SIMD); "neon" on aarch64. gu_set_kernel forces one for every part
// ("auto" restores the choice; NULL or "" mean "auto"): "portable" puts every part on its
// reference C path (the portable microkernel, the scalar fills, the elementwise ops element
// by element) - slow, for comparing against and for debugging. The results are the same
// bits under every choice except the matmul's, which may differ in the last bits between
// kernels. Returns 0, or -1 with gu_error() naming the requested kernel and the ones this
// CPU and build have, when the name is unknown or this CPU cannot run it (nothing changes).
// gu_kernel() names the instruction set in use: "avx512", "avx2", "neon" or "portable".
GUDEF int gu_set_kernel(const char *name);
GUDEF const char *gu_kernel(void);
// The matmul's microkernel alone, the rest unchanged (gu_set_kernel sets it too). Its cache
// blocks come from the cache sizes the CPU reports (cpuid, else sysfs). The environment
// variable GROUNDUP_GEMM_KERNEL is its first choice; this call forces one ("auto" restores
// the CPU's choice); -1, as gu_set_kernel, for a name unknown or not runnable here.
GUDEF int gu_gemm_set_kernel(const char *name);
GUDEF const char *gu_gemm_kernel(void);   // the kernel in use: "avx512", "avx2", "neon", "portable"
// The matmul's cache blocks, for tests and tuning: mc rows of A, kc of the shared dimension
// and nc columns of B per block (the BLIS loops in >>gemm), whatever the kernel; mc is
// rounded up to whole micro-panels of the kernel's MR rows, nc to its NR columns. 0 keeps the
// kernel's own (from the CPU's caches); gu_gemm_set_blocks(0, 0, 0) restores them all. On
// one kernel, mc and nc never change the bits; kc cuts each sum over k into pieces of kc
// added in turn, so another kc may change the last bits (as another block size does in
// any BLAS). -1 for a negative size or one over 65536.
GUDEF int gu_gemm_set_blocks(int64_t mc, int64_t kc, int64_t nc);

// Threads for large products (split over the rows or columns of C, never over k, so the
// bits do not depend on the count; they may differ in the last bits between kernels).
// Default: GROUNDUP_NUM_THREADS (a whole number; anything else is said once on stderr and
// ignored), else the online
// CPUs; n <= 0 restores the default; at most 64 (the pool's size: gu_get_num_threads says
// what is used); always 1 under GU_NO_THREADS. The threads are one pool (shared with
// gu_launch) started by the first call that needs them and joined at exit; a call made
// while the pool is busy (from another thread, or from inside a gu_launch kernel) runs on
// the calling thread alone, with the same bits. A child of fork() gets a pool of its own on its first product (and may
// exit() as usual); several threads making their first calls at once are safe.
// Define GU_CBLAS (and link a CBLAS, e.g. -lopenblas) to hand every product whose
// strides BLAS can express to cblas_sgemm instead.
GUDEF void gu_set_num_threads(int n);
GUDEF int gu_get_num_threads(void);

// >>einsum ------------------------------------------------------------------------------
#ifndef GU_NO_EINSUM
// NumPy's einsum over float32 operands (1 to GU_EINSUM_MAX_OPERANDS of them):
//   "ik,kj->ij" matmul   "ik,kj->ikj" products   "bik,bkj->bij" batch   "ij->ji" transpose
//   "ii->" trace   "ii->i" diagonal   "i,j->ij" outer   "ij->" sum   "ik,kj" implicit output
//   "...ik,...kj->...ij" broadcasting batch dims
// Rules: a letter repeated across operands multiplies along that axis; a letter missing
// from the output is summed. Implicit output (no "->"): the broadcast dims, then the letters
// that appear once, in alphabetical (ASCII) order. Size-1 dims broadcast, as in NumPy.
// A two-operand contraction that is a (batched) matrix product runs through gu_sgemm; every
// other spec through a strided loop with a float64 accumulator.
// The result is always a new contiguous owner (NumPy returns views for "ij->ji" and "ii->i";
// groundup copies). Errors name the problem: an invalid character, a letter whose sizes
// disagree, a letter repeated in the output, an output letter missing from the inputs, a
// wrong number of operands or of subscripts for an operand's dims.
#define GU_EINSUM_MAX_OPERANDS 8
GUDEF gu_tensor gu_einsum(const char *spec, int n, const gu_tensor *operands);
GUDEF gu_tensor gu_einsum1(const char *spec, gu_tensor a);
GUDEF gu_tensor gu_einsum2(const char *spec, gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_einsum3(const char *spec, gu_tensor a, gu_tensor b, gu_tensor c);

#endif // GU_NO_EINSUM

// >>ladder ------------------------------------------------------------------------------
#ifndef GU_NO_LADDER
// Every matrix multiplication of the lesson, slowest first. Each rung takes two 2-D
// float32 tensors of any strides (transposed, sliced, expanded views all work) and
// returns a new contiguous (M, N) owner, or an invalid tensor and a message naming both
// shapes: "matmul_3loops: (5, 784) @ (785, 10): inner dims 784 and 785 differ".
// In the lesson each rung removes Python work; here each keeps the same shape of code:
//
//   gu_matmul_3loops             c[i,j] += a[i,k] * b[k,j]         the reference
//   gu_matmul_2loops_dot         c[i,j] = dot(a[i,:], b[:,j])     inner loop in a kernel (njit)
//   gu_matmul_2loops_elementwise c[i,j] = (a[i,:] * b[:,j]).sum() the library's own ops
//   gu_matmul_2loops_dotproduct  c[i,j] = gu_dot(a[i,:], b[:,j])  a vectorised dot (torch.dot)
//   gu_matmul_1loop_broadcast    c[i] = (a[i,:,None] * b).sum(0)  broadcasting, one loop left
//   gu_matmul_einsum             einsum("ik,kj->ij", a, b)         no loop
//   gu_matmul                    the fast GEMM (its own section)
//
// gu_matmul_ladder(&n) returns the table of all rungs, in that order, so tests, examples
// and benchmarks can loop over them.
GUDEF gu_tensor gu_matmul_3loops(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_matmul_2loops_dot(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_matmul_2loops_elementwise(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_matmul_2loops_dotproduct(gu_tensor a, gu_tensor b);
GUDEF gu_tensor gu_matmul_1loop_broadcast(gu_tensor a, gu_tensor b);
#ifndef GU_NO_EINSUM
GUDEF gu_tensor gu_matmul_einsum(gu_tensor a, gu_tensor b);
#endif

typedef gu_tensor (*gu_matmul_fn)(gu_tensor a, gu_tensor b);
typedef struct gu_matmul_rung {
    const char *name;   // the lesson's name, "matmul_3loops", ...
    gu_matmul_fn fn;
    const char *what;   // one line: what this rung adds over the one before
} gu_matmul_rung;
// The rungs in ladder order; *count (if not NULL) gets their number. The table ends with
// an entry whose name is NULL.
GUDEF const gu_matmul_rung *gu_matmul_ladder(int *count);

// The lesson's torch.dot: sum of a[i]*b[i] over two 1-D float32 tensors of the same length
// (any strides). Returns NaN and sets gu_error() on bad input. Several independent
// accumulators, so the loop runs at the FMA units' throughput, not their latency (and the
// result may differ from a left-to-right sum in the last bits).
GUDEF float gu_dot(gu_tensor a, gu_tensor b);

#endif // GU_NO_LADDER

// >>grid --------------------------------------------------------------------------------
#ifndef GU_NO_GRID
// The lesson's launch_kernel: calls kernel(i, j, args) for i in [0, grid_x), j in [0, grid_y),
// i the outer loop, on the calling thread. Negative sizes run nothing.
typedef void (*gu_kernel2_fn)(int64_t i, int64_t j, void *args);
GUDEF void gu_launch_kernel(gu_kernel2_fn kernel, int64_t grid_x, int64_t grid_y, void *args);

// The CUDA shape of the same idea: a grid of blocks, each of blockDim threads. The kernel
// is written once as for CUDA, reading its coordinates from the context:
//
//     static void matmul_k(const gu_thread_ctx *ctx, void *args) {
//         int64_t i, j;
//         gu_grid(ctx, &i, &j);                  // cuda.grid(2)
//         if (i < M && j < N) { ... c[i*N+j] = tmp; }
//     }
//     gu_dim3 tpb = {16, 16, 1}, blocks = {(M + 15) / 16, (N + 15) / 16, 1};
//     gu_launch(matmul_k, blocks, tpb, &args);
//
// A zero member of a gu_dim3 counts as 1, as CUDA's dim3 defaults do. Blocks are spread
// over gu_get_num_threads() threads of the library's pool (the matmul's; gu_set_num_threads(1)
// or GU_NO_THREADS keeps everything on the calling thread, and so does a busy pool: a
// gu_launch or a matmul from inside a kernel, or while another thread's runs); the threads
// of one block run one after another, x fastest.
// So there is no __syncthreads and no shared memory: a kernel that needs them does not
// fit here. Different blocks may run at the same time: kernels must write disjoint outputs.
// Returns 0, or -1 with a message for negative sizes or a grid that overflows int64.
typedef struct gu_dim3 { int64_t x, y, z; } gu_dim3;
typedef struct gu_thread_ctx {
    gu_dim3 blockIdx, threadIdx, blockDim, gridDim;
} gu_thread_ctx;
typedef void (*gu_kernel_fn)(const gu_thread_ctx *ctx, void *args);
GUDEF int gu_launch(gu_kernel_fn kernel, gu_dim3 grid, gu_dim3 block, void *args);
// cuda.grid(2): this thread's absolute position, blockIdx * blockDim + threadIdx, in x and y.
GUDEF void gu_grid(const gu_thread_ctx *ctx, int64_t *x, int64_t *y);

#endif // GU_NO_GRID

#ifdef GU_CUDA
// >>cuda --------------------------------------------------------------------------------
// The lesson's last step, on a GPU. The companion groundup_cuda.cu is compiled once with
// nvcc and linked with the program whose one file defines GROUNDUP_IMPLEMENTATION (not
// GU_STATIC: the companion calls the library's public functions). Define
// GU_CUDA before including groundup.h wherever these declarations are wanted.
//
//    nvcc -O3 -arch=sm_90 -c groundup_cuda.cu -o groundup_cuda.o
//    cc -O2 -DGU_CUDA prog.c groundup_cuda.o -L/usr/local/cuda/lib64 -lcudart
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

// Always extern, even under GU_STATIC: they live in the companion's object file.
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
#endif // GU_CUDA

//  >>DECLS-END (new sections go above this line)

#ifdef __cplusplus
}
#endif
#endif // GROUNDUP_H

// ======================================================================================
//                                   IMPLEMENTATION
// ======================================================================================
#ifdef GROUNDUP_IMPLEMENTATION
#ifndef GROUNDUP_IMPLEMENTATION_DONE
#define GROUNDUP_IMPLEMENTATION_DONE

// GCC 12's avx512fintrin.h initialises _mm512_undefined_ps() from itself, which g++ -O2
// reports as -Wmaybe-uninitialized inside our SIMD kernels. Silenced for the implementation
// only (popped at its end), so the user's own code keeps the warning.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

// -ffast-math lets the compiler assume no NaN or infinity exists and reorder sums: NaN then
// prints as a number, max() of a tensor holding NaN is inf, isnan() is always false and the
// lesson's random numbers change. The library promises PyTorch's answers, so it refuses.
#if defined(__FAST_MATH__) && !defined(GU_ALLOW_FAST_MATH)
#error "groundup: -ffast-math breaks NaN/inf handling, printing and the lesson's exact random numbers; build the implementation's file without it, or define GU_ALLOW_FAST_MATH to accept wrong results"
#endif

// >>platform: every system header the implementation uses, here and only here -------------
// (The optional third-party headers stay with the part that uses them: zlib.h, stb_image_write
// and GU_CBLAS_INCLUDE.)
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>
#include <limits.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>     // getpid (>>random, >>plot), sysconf (>>threads), close (>>plot)
#if !defined(GU_NO_PLOT) || !defined(GU_NO_MNIST)
#include <fcntl.h>      // the loaders' and the PNG writers' open()
#include <sys/stat.h>
#endif
#if !defined(GU_NO_THREADS)
#include <pthread.h>
#include <sched.h>      // sched_yield while spinning
#endif
#if !defined(GU_MALLOC) && defined(__linux__)
#include <sys/mman.h>   // madvise: huge pages for big tensors
#endif
// GU__X86_SIMD: the AVX2 and AVX-512 kernels are compiled (gemm, random fills; each asks
// gu__cpu() whether this CPU runs them). GU__NEON_SIMD: the NEON kernels (every aarch64 CPU).
#if !defined(GU_NO_SIMD) && (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define GU__X86_SIMD 1
#include <immintrin.h>
#include <cpuid.h>
#endif
#if !defined(GU_NO_SIMD) && defined(__aarch64__) && defined(__ARM_NEON)
#define GU__NEON_SIMD 1
#include <arm_neon.h>
#endif

#if defined(GU_MALLOC) && defined(GU_FREE) && defined(GU_REALLOC)
// all three given
#elif !defined(GU_MALLOC) && !defined(GU_FREE) && !defined(GU_REALLOC)
#define GU__DEFAULT_ALLOC 1
#define GU_MALLOC(sz) malloc(sz)
#define GU_REALLOC(p, newsz) realloc(p, newsz)
#define GU_FREE(p) free(p)
#else
#error "Must define all or none of GU_MALLOC, GU_FREE, and GU_REALLOC."
#endif

#ifndef GU_ASSERT
#include <assert.h>     // (only for the default GU_ASSERT)
#define GU_ASSERT(x) assert(x)
#endif

#if defined(__cplusplus) && __cplusplus >= 201103L
#define GU__TLS thread_local
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && !defined(__STDC_NO_THREADS__)
#define GU__TLS _Thread_local
#elif defined(__GNUC__) || defined(__clang__)
#define GU__TLS __thread
#elif defined(_MSC_VER)
#define GU__TLS __declspec(thread)
#elif defined(GU_NO_THREADS)
#define GU__TLS   // one thread: plain statics
#else
#define GU__TLS_EMULATED 1   // no keyword (tcc 0.9.27): a pthread key per variable, below
#endif
// GU__TLS_VAR(T, NAME): a T for each thread, zeroed at first, reached as NAME##_get(). With a
// keyword it is a thread-local static; without one (tcc), a block per thread from GU_MALLOC
// under a pthread key, freed when the thread exits; if neither a key nor a block can be had,
// all threads share one T, as they all would without this.
#ifndef GU__TLS_EMULATED
#define GU__TLS_VAR(T, NAME) \
    static GU__TLS T NAME##_tls; \
    static T *NAME##_get(void) { return &NAME##_tls; }
#else
static void gu__tls_release(void *p) { GU_FREE(p); }
#define GU__TLS_VAR(T, NAME) \
    static T NAME##_shared; \
    static pthread_key_t NAME##_key; \
    static int NAME##_keyok; \
    static pthread_once_t NAME##_once = PTHREAD_ONCE_INIT; \
    static void NAME##_mkkey(void) { NAME##_keyok = pthread_key_create(&NAME##_key, gu__tls_release) == 0; } \
    static T *NAME##_get(void) { \
        T *p; \
        pthread_once(&NAME##_once, NAME##_mkkey); \
        if (!NAME##_keyok) return &NAME##_shared; \
        p = (T *)pthread_getspecific(NAME##_key); \
        if (!p && (p = (T *)GU_MALLOC(sizeof(T))) != NULL) { \
            memset(p, 0, sizeof(T)); \
            if (pthread_setspecific(NAME##_key, p) != 0) { GU_FREE(p); p = NULL; } \
        } \
        return p ? p : &NAME##_shared; \
    }
#endif

// Atomics for the thread pool, the matmul team's barrier and the lazy set-up (kernel choice,
// thread count): one unsigned type, GU__AUINT, read with acquire, written with release,
// incremented with acquire-release. GCC and clang (C and C++) have __atomic builtins; another
// C11 compiler uses <stdatomic.h>; anything else (tcc 0.9.27) takes one mutex per access,
// which is correct, only slower while spinning. Without threads they are plain accesses.
#if defined(GU_NO_THREADS)
#define GU__AUINT unsigned
#define gu__aload(p) (*(p))
#define gu__astore(p, v) ((void)(*(p) = (v)))
#define gu__aadd(p, v) (*(p) += (v))
#elif (defined(__GNUC__) || defined(__clang__)) && !defined(__TINYC__)
#define GU__AUINT unsigned
#define gu__aload(p) __atomic_load_n(p, __ATOMIC_ACQUIRE)
#define gu__astore(p, v) __atomic_store_n(p, v, __ATOMIC_RELEASE)
#define gu__aadd(p, v) __atomic_add_fetch(p, v, __ATOMIC_ACQ_REL)
#elif !defined(__cplusplus) && defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && \
    !defined(__STDC_NO_ATOMICS__) && !defined(__TINYC__)
#include <stdatomic.h>
#define GU__AUINT _Atomic unsigned
#define gu__aload(p) atomic_load_explicit(p, memory_order_acquire)
#define gu__astore(p, v) atomic_store_explicit(p, v, memory_order_release)
#define gu__aadd(p, v) (atomic_fetch_add_explicit(p, v, memory_order_acq_rel) + (v))
#else   // (pthread.h: see the includes above)
#define GU__AUINT unsigned
#define GU__ATOMIC_MUTEX 1
static pthread_mutex_t gu__amutex = PTHREAD_MUTEX_INITIALIZER;
static unsigned gu__aload(const unsigned *p) {
    unsigned v;
    pthread_mutex_lock(&gu__amutex);
    v = *p;
    pthread_mutex_unlock(&gu__amutex);
    return v;
}
static void gu__astore(unsigned *p, unsigned v) {
    pthread_mutex_lock(&gu__amutex);
    *p = v;
    pthread_mutex_unlock(&gu__amutex);
}
static unsigned gu__aadd(unsigned *p, unsigned v) {
    pthread_mutex_lock(&gu__amutex);
    v = *p += v;
    pthread_mutex_unlock(&gu__amutex);
    return v;
}
#endif

#if defined(__GNUC__) || defined(__clang__)
#define GU__UNUSED __attribute__((unused))
#define GU__PRINTF(a, b) __attribute__((format(printf, a, b)))
// GU__COLD: error messages, printing, plotting, parsing and the loaders run once per call,
// not per element: gcc optimises them for size, which keeps the compile of the
// implementation shorter, and moves them out of the hot paths' way.
#define GU__COLD __attribute__((cold))
#else
#define GU__UNUSED
#define GU__PRINTF(a, b)
#define GU__COLD
#endif

#ifdef GU_STATIC
#define GU__DEF static GU__UNUSED  // a program may use only a few of the functions
#else
#define GU__DEF
#endif

// ---- what this CPU has: asked once, remembered ---------------------------------------------
// avx2_fma: AVX2 and FMA (the AVX2 kernels need both); avx512f: AVX-512F too. cache[1..3]: the
// data cache sizes of one core in bytes, L1d, L2, L3 (0: not found), from cpuid on x86 (leaf 4
// on Intel, 0x8000001D on AMD: the same layout, one subleaf per cache), else from Linux's sysfs.
typedef struct gu__cpu_info {
    int avx2_fma, avx512f;
    int64_t cache[4];
} gu__cpu_info;
static gu__cpu_info gu__cpu_info_v;

static void gu__cpu_probe(void) {
    gu__cpu_info *ci = &gu__cpu_info_v;
    int64_t *size = ci->cache;
    int i;
    for (i = 0; i < 4; i++) size[i] = 0;
    ci->avx2_fma = ci->avx512f = 0;
#ifdef GU__X86_SIMD
    __builtin_cpu_init();
    ci->avx2_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    ci->avx512f = ci->avx2_fma && __builtin_cpu_supports("avx512f");
    {
        unsigned eax, ebx, ecx, edx, leaf = 0;
        if (__get_cpuid(0, &eax, &ebx, &ecx, &edx)) {
            unsigned maxleaf = eax, vendor = ebx;
            __cpuid(0x80000000u, eax, ebx, ecx, edx);   // eax: the highest extended leaf
            if (vendor == 0x68747541u && eax >= 0x8000001Du) leaf = 0x8000001Du;   // "Auth"enticAMD
            else if (vendor == 0x756e6547u && maxleaf >= 4) leaf = 4;              // "Genu"ineIntel
        }
        for (i = 0; leaf && i < 16; i++) {
            int type, level;
            __cpuid_count(leaf, i, eax, ebx, ecx, edx);
            type = (int)(eax & 31);      // 1 data, 2 instruction, 3 unified, 0 no more
            level = (int)(eax >> 5 & 7);
            if (type == 0) break;
            if (type != 2 && level >= 1 && level <= 3)   // ways x partitions x line size x sets
                size[level] = (int64_t)((ebx >> 22) + 1) * ((ebx >> 12 & 0x3ff) + 1) * ((ebx & 0xfff) + 1) * ((int64_t)ecx + 1);
        }
    }
#endif
    for (i = 0; i < 8; i++) {   // Linux: /sys/devices/system/cpu/cpu0/cache/indexN/{level,type,size}
        char path[96], type[16] = "", unit = 0;
        long level = 0, kb = 0;
        FILE *f;
        if (size[1] && size[2]) break;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
        if (!(f = fopen(path, "r"))) break;
        if (fscanf(f, "%ld", &level) != 1) level = 0;
        fclose(f);
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
        if ((f = fopen(path, "r"))) { if (fscanf(f, "%15s", type) != 1) type[0] = 0; fclose(f); }
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        if ((f = fopen(path, "r"))) { if (fscanf(f, "%ld%c", &kb, &unit) < 1) kb = 0; fclose(f); }
        if (unit == 'M') kb *= 1024;
        if (level >= 1 && level <= 3 && strcmp(type, "Instruction") != 0 && kb > 0) size[level] = (int64_t)kb * 1024;
    }
}
// Several threads may ask first at once: pthread_once lets one probe and the others wait.
#ifndef GU_NO_THREADS
static pthread_once_t gu__cpu_once = PTHREAD_ONCE_INIT;
static const gu__cpu_info *gu__cpu(void) {
    pthread_once(&gu__cpu_once, gu__cpu_probe);
    return &gu__cpu_info_v;
}
#else
static const gu__cpu_info *gu__cpu(void) {
    static int done = 0;
    if (!done) gu__cpu_probe();
    done = 1;
    return &gu__cpu_info_v;
}
#endif

// ---- the instruction set every part uses (gu_set_kernel, in >>gemm) --------------------------
// One choice for the gemm microkernel, the random fills and the elementwise ops: the best
// this CPU and build have ("auto"), or one forced by gu_set_kernel. "portable" forced puts
// every part on its reference C path, the elementwise ops' element-by-element one included;
// "auto" on a CPU or build without SIMD keeps the ops' fast C loops (they have no SIMD
// kernels of their own) and the portable microkernel.
enum { GU__ISA_PORTABLE, GU__ISA_NEON, GU__ISA_AVX2, GU__ISA_AVX512, GU__ISA_COUNT };
static const char *const gu__isa_names[GU__ISA_COUNT] = {"portable", "neon", "avx2", "avx512"};
#define GU__ISA_FORCED 8u
// 0: not chosen yet (chosen lazily: no constructors); else 1 + the set, plus GU__ISA_FORCED
// when gu_set_kernel named it. Atomic: threads may make their first calls at once.
static GU__AUINT gu__isa_sel;

static int gu__isa_runs_here(int isa) {
#ifdef GU__X86_SIMD
    if (isa == GU__ISA_AVX512) return gu__cpu()->avx512f;
    if (isa == GU__ISA_AVX2) return gu__cpu()->avx2_fma;
#endif
#ifdef GU__NEON_SIMD
    if (isa == GU__ISA_NEON) return 1;   // every aarch64 CPU has NEON
#endif
    return isa == GU__ISA_PORTABLE;
}
static int gu__isa_best(void) {
    int isa;
    for (isa = GU__ISA_COUNT - 1; isa > GU__ISA_PORTABLE; isa--)
        if (gu__isa_runs_here(isa)) return isa;
    return GU__ISA_PORTABLE;
}
static unsigned gu__isa_state(void) {
    unsigned sel = gu__aload(&gu__isa_sel);
    if (sel == 0) {
        sel = 1u + (unsigned)gu__isa_best();
        gu__astore(&gu__isa_sel, sel);
    }
    return sel;
}
static int gu__isa(void) { return (int)((gu__isa_state() & ~GU__ISA_FORCED) - 1u); }
// The elementwise ops on their reference path: "portable" named by gu_set_kernel.
static int gu__isa_reference(void) { return gu__isa_state() == (GU__ISA_FORCED | (1u + GU__ISA_PORTABLE)); }

// >>errors ------------------------------------------------------------------------------
typedef struct gu__errbuf_t { char b[512]; } gu__errbuf_t;
GU__TLS_VAR(gu__errbuf_t, gu__errbuf)
#define gu__errbuf (gu__errbuf_get()->b)   // this thread's message

static void gu__seterr(const char *fmt, ...) GU__PRINTF(1, 2);
GU__COLD static void gu__seterr(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(gu__errbuf, sizeof gu__errbuf, fmt, ap);
    va_end(ap);
}

// The current message, copied (cut to fit) so a new one can wrap it.
static void gu__errcpy(char *buf, size_t n) {
    size_t l = strlen(gu__errbuf);
    if (l >= n) l = n - 1;
    memcpy(buf, gu__errbuf, l);
    buf[l] = 0;
}

GU__DEF const char *gu_error(void) { return gu__errbuf; }
GU__DEF void gu_clear_error(void) { gu__errbuf[0] = 0; }
GU__COLD GU__DEF void gu_set_error(const char *fmt, ...) {
    va_list ap;
    if (!fmt) { gu__errbuf[0] = 0; return; }
    va_start(ap, fmt);
    vsnprintf(gu__errbuf, sizeof gu__errbuf, fmt, ap);
    va_end(ap);
}

static gu_tensor gu__invalid(void) {
    gu_tensor t;
    memset(&t, 0, sizeof t);
    return t;
}

GU__DEF int gu_ok(gu_tensor t) {
    return t.dtype > GU_INVALID && t.dtype <= GU_BOOL && t.ndim >= 0 && t.ndim <= GU_MAX_DIMS;
}

// An invalid input to `op`: keep the message of the call that failed first.
static int gu__check_in(const char *op, gu_tensor t) {
    if (gu_ok(t)) return 1;
    if (!gu__errbuf[0]) gu__seterr("%s: invalid input tensor", op);
    return 0;
}

// Overflow-checked size arithmetic; every allocation size goes through these.
// a + i * b in int64, wrapping (through uint64: signed overflow is undefined in C)
#define GU__WRAP_MUL_ADD(a, i, b) ((int64_t)((uint64_t)(a) + (uint64_t)(i) * (uint64_t)(b)))
static int gu__mul_ok(int64_t a, int64_t b, int64_t *out) {
#if defined(__GNUC__) || defined(__clang__)
    return !__builtin_mul_overflow(a, b, out);
#else
    // a > 0: b within [MIN / a, MAX / a]; a < 0 flips the bounds; -1 * INT64_MIN overflows
    if (a > 0 ? (b > INT64_MAX / a || b < INT64_MIN / a)
              : a == -1 ? b == INT64_MIN : (a < 0 && (b > INT64_MIN / a || b < INT64_MAX / a)))
        return 0;
    *out = a * b;
    return 1;
#endif
}

static void *gu__malloc(size_t n) { return GU_MALLOC(n ? n : 1); }

#if defined(GU__DEFAULT_ALLOC) && defined(__linux__)
// Big tensors ask for transparent huge pages (where the kernel's THP mode is "madvise"):
// first-touch page faults otherwise cost a 64 MiB result several times its compute.
static void gu__advise_huge(void *p, size_t n) {
#ifdef MADV_HUGEPAGE
    uintptr_t start = ((uintptr_t)p + 4095) & ~(uintptr_t)4095, end = ((uintptr_t)p + n) & ~(uintptr_t)4095;
    if (n >= ((size_t)4 << 20) && end > start) (void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
    (void)p; (void)n;
#endif
}
#else
static void gu__advise_huge(void *p, size_t n) { (void)p; (void)n; }
#endif

// >>shape-strings ---------------------------------------------------------------------
GU__COLD static char *gu__dims_str(int n, const int64_t *d, char *buf, size_t cap) {
    size_t len = 0;
    int i;
    if (cap == 0) return buf;
    buf[0] = 0;
    len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, "(");
    for (i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, "%s%" PRId64, i ? ", " : "", d[i]);
    if (n == 1) len += (size_t)snprintf(buf + len, len < cap ? cap - len : 0, ",");
    snprintf(buf + len, len < cap ? cap - len : 0, ")");
    return buf;
}
GU__DEF char *gu_shape_str(gu_tensor t, char *buf, size_t n) {
    if (!buf) { gu__seterr("shape_str: buf is NULL"); return NULL; }
    if (!gu_ok(t)) { if (n) snprintf(buf, n, "(invalid)"); return buf; }
    return gu__dims_str(t.ndim, t.shape, buf, n);
}
GU__DEF char *gu_stride_str(gu_tensor t, char *buf, size_t n) {
    if (!buf) { gu__seterr("stride_str: buf is NULL"); return NULL; }
    if (!gu_ok(t)) { if (n) snprintf(buf, n, "(invalid)"); return buf; }
    return gu__dims_str(t.ndim, t.stride, buf, n);
}
// A shape for messages, "(5, 785)"; a few rotating buffers so one message can hold several.
typedef struct gu__shbufs_t { char bufs[4][160]; int k; } gu__shbufs_t;
GU__TLS_VAR(gu__shbufs_t, gu__shbufs)
GU__COLD static const char *gu__sh(int n, const int64_t *d) {
    gu__shbufs_t *s = gu__shbufs_get();
    char *b = s->bufs[s->k++ & 3];
    return gu__dims_str(n, d, b, sizeof s->bufs[0]);
}
#define GU__SHT(t) gu__sh((t).ndim, (t).shape)

// >>tensor ------------------------------------------------------------------------------
GU__DEF size_t gu_dtype_size(gu_dtype dtype) {
    switch (dtype) {
    case GU_FLOAT32: return 4;
    case GU_INT64: return 8;
    case GU_UINT8: return 1;
    case GU_BOOL: return 1;
    default: return 0;
    }
}
GU__DEF const char *gu_dtype_name(gu_dtype dtype) {
    switch (dtype) {
    case GU_FLOAT32: return "float32";
    case GU_INT64: return "int64";
    case GU_UINT8: return "uint8";
    case GU_BOOL: return "bool";
    default: return "invalid";
    }
}

// The element count of a shape of non-negative dims; 0 if it or the contiguous strides
// overflow int64. The strides multiply the dims with 0 counted as 1, so they must fit too:
// (3489710669, 0, 3489710669) holds no elements yet its strides would overflow.
static int gu__shape_numel(int ndim, const int64_t *shape, int64_t *numel) {
    int64_t n = 1, s = 1;
    int i;
    for (i = 0; i < ndim; i++)
        if (!gu__mul_ok(n, shape[i], &n) || !gu__mul_ok(s, shape[i] ? shape[i] : 1, &s)) return 0;
    *numel = n;
    return 1;
}

// Checks a shape and computes its element count; 0 and a message on failure.
static int gu__check_shape(const char *op, int ndim, const int64_t *shape, int64_t *numel) {
    int64_t n = 1;
    int i;
    if (ndim < 0 || ndim > GU_MAX_DIMS) {
        gu__seterr("%s: %d dims requested, at most %d are supported", op, ndim, GU_MAX_DIMS);
        return 0;
    }
    if (ndim > 0 && !shape) { gu__seterr("%s: shape is NULL", op); return 0; }
    for (i = 0; i < ndim; i++)
        if (shape[i] < 0) {
            gu__seterr("%s: negative dimension %" PRId64 " in shape %s", op, shape[i], gu__sh(ndim, shape));
            return 0;
        }
    if (!gu__shape_numel(ndim, shape, &n)) {
        gu__seterr("%s: shape %s has more elements than int64 can count", op, gu__sh(ndim, shape));
        return 0;
    }
    *numel = n;
    return 1;
}

static void gu__contig_strides(int ndim, const int64_t *shape, int64_t *stride) {
    int64_t s = 1;
    int i;
    for (i = ndim - 1; i >= 0; i--) {
        stride[i] = s;
        s *= shape[i] > 1 ? shape[i] : 1;
    }
}

// >>tidy: the owners made inside gu_tidy_begin/gu_tidy_end, per thread -------------------
/* items[0..n) are the storages of the tracked owners, scope by scope: scope d (1-based) holds
   items[marks[d-1] .. marks[d]) (marks[depth] meaning n). A hash table (open addressing,
   linear probing, keys are storage pointers) maps each item to its index, so gu_free and
   gu_keep forget one in O(1) whatever the scope's size: the hole is filled with the last
   item of its scope, that scope's end moves down by one, and so on up the nesting (O(depth)).
   Everything is released when the outermost scope ends, so a thread that leaves no scope
   open holds no memory. The first GU__TIDY_NEST marks live in the state itself, so a scope
   always begins; deeper ones whose mark could not be stored (out of memory) are counted in
   `lost` and end without freeing; their owners then go with the enclosing scope. */
#define GU__TIDY_NEST 32
typedef struct gu__tidy_state {
    int depth, lost, mcap;   // open scopes (lost ones excluded); capacity of marks
    int64_t *marks;          // marks[d]: n when scope d+1 began; marks_in or allocated
    int64_t marks_in[GU__TIDY_NEST];
    void **items;            // the tracked storages
    int64_t n, cap;
    void **keys;             // hash table of capacity hcap (a power of two), NULL = empty
    int64_t *vals;           // index in items of keys[i]
    int64_t hcap;
} gu__tidy_state;
GU__TLS_VAR(gu__tidy_state, gu__tidy)
#define gu__tidy (*gu__tidy_get())   // this thread's scopes

static int64_t gu__tidy_slot_home(const void *p) {
    uint64_t h = (uint64_t)(uintptr_t)p;
    h ^= h >> 29;
    h *= UINT64_C(0x9E3779B97F4A7C15);
    return (int64_t)(h >> 20) & (gu__tidy.hcap - 1);
}
static int64_t gu__tidy_slot(const void *p) {  // where p is, or the empty slot it would go in
    int64_t i = gu__tidy_slot_home(p);
    while (gu__tidy.keys[i] && gu__tidy.keys[i] != p) i = (i + 1) & (gu__tidy.hcap - 1);
    return i;
}
// Backward-shift deletion: the entries after slot i that probed past it move back.
static void gu__tidy_unhash(int64_t i) {
    int64_t m = gu__tidy.hcap - 1, j = i;
    for (;;) {
        int64_t home;
        j = (j + 1) & m;
        if (!gu__tidy.keys[j]) break;
        home = gu__tidy_slot_home(gu__tidy.keys[j]);
        if (((j - home) & m) >= ((j - i) & m)) {  // j's probe passed i: move it there
            gu__tidy.keys[i] = gu__tidy.keys[j];
            gu__tidy.vals[i] = gu__tidy.vals[j];
            i = j;
        }
    }
    gu__tidy.keys[i] = NULL;
}
static int gu__tidy_rehash(int64_t hcap) {
    void **ok = gu__tidy.keys;
    int64_t *ov = gu__tidy.vals, oc = gu__tidy.hcap, i;
    void **nk = (void **)gu__malloc((size_t)hcap * sizeof *nk);
    int64_t *nv = (int64_t *)gu__malloc((size_t)hcap * sizeof *nv);
    if (!nk || !nv) { if (nk) GU_FREE(nk); if (nv) GU_FREE(nv); return -1; }
    memset(nk, 0, (size_t)hcap * sizeof *nk);
    gu__tidy.keys = nk;
    gu__tidy.vals = nv;
    gu__tidy.hcap = hcap;
    for (i = 0; i < oc; i++)
        if (ok[i]) {
            int64_t j = gu__tidy_slot(ok[i]);
            nk[j] = ok[i];
            nv[j] = ov[i];
        }
    if (ok) { GU_FREE(ok); GU_FREE(ov); }
    return 0;
}
// Records storage p in the innermost scope; -1 when out of memory (p is then not recorded).
static int gu__tidy_track(void *p) {
    int64_t i;
    if (gu__tidy.n == gu__tidy.cap) {
        int64_t nc = gu__tidy.cap ? 2 * gu__tidy.cap : 64;
        void **ni = (void **)GU_REALLOC(gu__tidy.items, (size_t)nc * sizeof *ni);
        if (!ni) return -1;
        gu__tidy.items = ni;
        gu__tidy.cap = nc;
    }
    if (2 * (gu__tidy.n + 1) > gu__tidy.hcap && gu__tidy_rehash(gu__tidy.hcap ? 2 * gu__tidy.hcap : 128) != 0) return -1;
    i = gu__tidy_slot(p);
    gu__tidy.keys[i] = p;
    gu__tidy.vals[i] = gu__tidy.n;
    gu__tidy.items[gu__tidy.n++] = p;
    return 0;
}
// Forgets storage p if a scope of this thread tracks it; 1 if it did.
static int gu__tidy_forget(const void *p) {
    int64_t h, k;
    int d;
    if (!gu__tidy.n || !p) return 0;
    h = gu__tidy_slot(p);
    if (!gu__tidy.keys[h]) return 0;
    k = gu__tidy.vals[h];
    gu__tidy_unhash(h);
    // scope d + 1 holds items[marks[d] .. end); fill the hole with the last of each scope above
    for (d = gu__tidy.depth - 1; d >= 0 && gu__tidy.marks[d] > k; d--) {}
    for (; d < gu__tidy.depth; d++) {
        int64_t end = d + 1 < gu__tidy.depth ? gu__tidy.marks[d + 1] : gu__tidy.n;
        int64_t last = end - 1;
        if (last != k) {
            gu__tidy.items[k] = gu__tidy.items[last];
            gu__tidy.vals[gu__tidy_slot(gu__tidy.items[k])] = k;
        }
        k = last;  // the hole is now the last place of scope d + 1 ...
        if (d + 1 < gu__tidy.depth) gu__tidy.marks[d + 1]--;  // ... which becomes the first of the next
    }
    gu__tidy.n--;
    return 1;
}
static void gu__tidy_release(void) {  // no scope is open: give everything back
    if (gu__tidy.items) GU_FREE(gu__tidy.items);
    if (gu__tidy.keys) { GU_FREE(gu__tidy.keys); GU_FREE(gu__tidy.vals); }
    if (gu__tidy.marks != gu__tidy.marks_in) GU_FREE(gu__tidy.marks);
    gu__tidy.items = NULL; gu__tidy.keys = NULL; gu__tidy.vals = NULL; gu__tidy.marks = NULL;
    gu__tidy.n = gu__tidy.cap = gu__tidy.hcap = 0;
    gu__tidy.depth = gu__tidy.lost = gu__tidy.mcap = 0;
}
GU__DEF void gu_tidy_begin(void) {
    if (!gu__tidy.marks) { gu__tidy.marks = gu__tidy.marks_in; gu__tidy.mcap = GU__TIDY_NEST; }
    if (gu__tidy.lost == 0 && gu__tidy.depth == gu__tidy.mcap) {
        int nc = 2 * gu__tidy.mcap;
        int64_t *nm = (int64_t *)gu__malloc((size_t)nc * sizeof *nm);
        if (nm) {
            memcpy(nm, gu__tidy.marks, (size_t)gu__tidy.depth * sizeof *nm);
            if (gu__tidy.marks != gu__tidy.marks_in) GU_FREE(gu__tidy.marks);
            gu__tidy.marks = nm;
            gu__tidy.mcap = nc;
        }
    }
    if (gu__tidy.lost || gu__tidy.depth == gu__tidy.mcap) {  // out of memory: the enclosing scope takes its owners
        gu__tidy.lost++;
        return;
    }
    gu__tidy.marks[gu__tidy.depth++] = gu__tidy.n;
}
GU__DEF void gu_tidy_end(void) {
    int64_t mark, i;
    if (gu__tidy.lost) { gu__tidy.lost--; return; }
    if (gu__tidy.depth == 0) {
        gu__seterr("tidy_end: no gu_tidy_begin is open on this thread");
        return;
    }
    mark = gu__tidy.marks[--gu__tidy.depth];
    for (i = gu__tidy.n - 1; i >= mark; i--) {
        if (gu__tidy.depth) gu__tidy_unhash(gu__tidy_slot(gu__tidy.items[i]));
        GU_FREE(gu__tidy.items[i]);
    }
    gu__tidy.n = mark;
    if (gu__tidy.depth == 0) gu__tidy_release();
}

// >>create: owners (empty, full, arange, from_data, wrap), free, the iterator, to and clone ---
static gu_tensor gu__empty(const char *op, gu_dtype dtype, int ndim, const int64_t *shape) {
    gu_tensor t = gu__invalid();
    int64_t numel, bytes;
    int i;
    if (gu_dtype_size(dtype) == 0) { gu__seterr("%s: invalid dtype %d", op, (int)dtype); return t; }
    if (!gu__check_shape(op, ndim, shape, &numel)) return t;
    if (!gu__mul_ok(numel, (int64_t)gu_dtype_size(dtype), &bytes) || (uint64_t)bytes > (uint64_t)SIZE_MAX / 2) {
        gu__seterr("%s: shape %s of %s is too large to allocate", op, gu__sh(ndim, shape), gu_dtype_name(dtype));
        return t;
    }
    t.base = gu__malloc((size_t)bytes);
    if (t.base) gu__advise_huge(t.base, (size_t)bytes);
    if (!t.base) {
        gu__seterr("%s: out of memory allocating %" PRId64 " bytes for shape %s", op, bytes, gu__sh(ndim, shape));
        return gu__invalid();
    }
    t.dtype = dtype;
    t.ndim = ndim;
    for (i = 0; i < ndim; i++) t.shape[i] = shape[i];
    gu__contig_strides(ndim, t.shape, t.stride);
    t.storage_numel = numel;
    t.owner = 1;
    if (gu__tidy.depth && gu__tidy_track(t.base) != 0) {
        GU_FREE(t.base);
        gu__seterr("%s: out of memory recording a tensor of shape %s in its tidy scope", op, gu__sh(ndim, shape));
        return gu__invalid();
    }
    return t;
}

GU__DEF gu_tensor gu_empty(gu_dtype dtype, int ndim, const int64_t *shape) {
    return gu__empty("empty", dtype, ndim, shape);
}

// int64 -> float32 rounded once (to nearest, ties to even), in integer arithmetic: the
// hardware's one-step conversion is not available everywhere (some emulators and soft-float
// targets go through a double, which rounds twice).
static float gu__i64_to_f32(int64_t v) {
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v, keep, rem, half;
    int shift = 0;
    float f;
    if (u <= (1u << 24)) return (float)v;   // exact
    while ((u >> shift) >= (1u << 24)) shift++;
    keep = u >> shift;                       // the 24 bits that stay
    rem = u & (((uint64_t)1 << shift) - 1);
    half = (uint64_t)1 << (shift - 1);
    if (rem > half || (rem == half && (keep & 1))) keep++;   // may reach 2^24: still exact
    f = ldexpf((float)keep, shift);
    return v < 0 ? -f : f;
}

// Writes v into element i of contiguous storage p, converting as PyTorch's casts do.
// Callers check the range first (gu__value_fits); the guards keep every input defined.
static void gu__store(gu_dtype dt, void *p, int64_t i, double v) {
    switch (dt) {
    case GU_FLOAT32: ((float *)p)[i] = (float)v; break;
    case GU_INT64: ((int64_t *)p)[i] = (v != v) ? INT64_MIN : (v >= 9223372036854775807.0 ? INT64_MAX : (v <= -9223372036854775808.0 ? INT64_MIN : (int64_t)v)); break;
    case GU_UINT8: ((uint8_t *)p)[i] = (uint8_t)(int64_t)((v != v || v >= 9.2e18 || v <= -9.2e18) ? 0 : v); break;
    case GU_BOOL: ((uint8_t *)p)[i] = (uint8_t)(v != 0); break;
    default: break;
    }
}
// The int64 form: exact for int64, rounded once for float32 (as PyTorch's cast), wrapping
// for uint8, nonzero-ness for bool. A double never carries the value.
static void gu__store_i64(gu_dtype dt, void *p, int64_t i, int64_t v) {
    switch (dt) {
    case GU_FLOAT32: ((float *)p)[i] = gu__i64_to_f32(v); break;
    case GU_INT64: ((int64_t *)p)[i] = v; break;
    case GU_UINT8: ((uint8_t *)p)[i] = (uint8_t)(uint64_t)v; break;
    case GU_BOOL: ((uint8_t *)p)[i] = (uint8_t)(v != 0); break;
    default: break;
    }
}
static double gu__load(gu_dtype dt, const void *p, int64_t i) {
    switch (dt) {
    case GU_FLOAT32: return ((const float *)p)[i];
    case GU_INT64: return (double)((const int64_t *)p)[i];
    case GU_UINT8: return ((const uint8_t *)p)[i];
    case GU_BOOL: return ((const uint8_t *)p)[i] != 0;
    default: return 0;
    }
}
// Element i as int64: exact for the integer dtypes; a float32 is truncated toward zero
// (NaN and out-of-range values as gu_to(t, GU_INT64) gives them).
static int64_t gu__load_i64(gu_dtype dt, const void *p, int64_t i) {
    float v;
    switch (dt) {
    case GU_FLOAT32:
        v = ((const float *)p)[i];
        return v != v ? INT64_MIN : v >= 9223372036854775807.0f ? INT64_MAX : v <= -9223372036854775808.0f ? INT64_MIN : (int64_t)v;
    case GU_INT64: return ((const int64_t *)p)[i];
    case GU_UINT8: return ((const uint8_t *)p)[i];
    case GU_BOOL: return ((const uint8_t *)p)[i] != 0;
    default: return 0;
    }
}

// PyTorch's check when a Python number is written into a tensor (torch.full, t[i] = v):
// the value must be representable, else "value cannot be converted to type uint8_t without
// overflow". A float into float32: finite values beyond FLT_MAX are refused (inf and NaN
// pass); into int64: NaN, infinities and values outside [-2^63, 2^63) are refused; into
// uint8: outside [0, 255] (NaN too). An integer into uint8: outside [-255, 255] (PyTorch
// lets -255..-1 wrap). bool takes anything (nonzero is True).
static int gu__value_fits(const char *op, gu_dtype dt, double v) {
    int ok = 1;
    if (dt == GU_FLOAT32) ok = !(v == v && !isinf(v) && fabs(v) > 3.4028234663852886e38);
    else if (dt == GU_INT64) ok = v >= -9223372036854775808.0 && v < 9223372036854775808.0;
    else if (dt == GU_UINT8) ok = v >= 0 && v <= 255;
    if (!ok) gu__seterr("%s: value %.17g cannot be converted to %s without overflow", op, v, gu_dtype_name(dt));
    return ok;
}
static int gu__ivalue_fits(const char *op, gu_dtype dt, int64_t v) {
    if (dt == GU_UINT8 && (v < -255 || v > 255)) {
        gu__seterr("%s: value %" PRId64 " cannot be converted to uint8 without overflow", op, v);
        return 0;
    }
    return 1;
}

// Fills every element of t's (contiguous) storage with the element at `one`.
static void gu__fill_with(gu_tensor t, const void *one) {
    size_t es = gu_dtype_size(t.dtype);
    int64_t i;
    for (i = 0; i < t.storage_numel; i++) memcpy((char *)t.base + (size_t)i * es, one, es);
}
static gu_tensor gu__full(const char *op, gu_dtype dtype, int ndim, const int64_t *shape, double value) {
    gu_tensor t;
    unsigned char one[8];
    if (gu_dtype_size(dtype) && !gu__value_fits(op, dtype, value)) return gu__invalid();
    t = gu__empty(op, dtype, ndim, shape);
    if (!gu_ok(t)) return t;
    if (value == 0 && !signbit(value)) memset(t.base, 0, (size_t)t.storage_numel * gu_dtype_size(dtype));
    else {
        gu__store(dtype, one, 0, value);  // never into t: it may hold no element at all
        gu__fill_with(t, one);
    }
    return t;
}
GU__DEF gu_tensor gu_full(gu_dtype dtype, int ndim, const int64_t *shape, double value) {
    return gu__full("full", dtype, ndim, shape, value);
}
GU__DEF gu_tensor gu_full_i64(gu_dtype dtype, int ndim, const int64_t *shape, int64_t value) {
    gu_tensor t;
    unsigned char one[8];
    if (!gu__ivalue_fits("full_i64", dtype, value)) return gu__invalid();
    t = gu__empty("full_i64", dtype, ndim, shape);
    if (!gu_ok(t)) return t;
    gu__store_i64(dtype, one, 0, value);
    gu__fill_with(t, one);
    return t;
}
GU__DEF gu_tensor gu_zeros(gu_dtype dtype, int ndim, const int64_t *shape) {
    return gu__full("zeros", dtype, ndim, shape, 0.0);
}
GU__DEF gu_tensor gu_ones(gu_dtype dtype, int ndim, const int64_t *shape) {
    return gu__full("ones", dtype, ndim, shape, 1.0);
}
GU__DEF gu_tensor gu_scalar(gu_dtype dtype, double value) { return gu__full("scalar", dtype, 0, NULL, value); }
GU__DEF gu_tensor gu_scalar_i64(gu_dtype dtype, int64_t value) { return gu_full_i64(dtype, 0, NULL, value); }

// The exact integer arange: element i is start + i * step in int64 (wrapping for uint8,
// rounded once for float32), never through a double; the count is exact too.
GU__DEF gu_tensor gu_arange_i64(int64_t start, int64_t stop, int64_t step, gu_dtype dtype) {
    int64_t n, i;
    uint64_t span, st, c;
    gu_tensor t;
    if (dtype == GU_BOOL) { gu__seterr("arange: not implemented for dtype bool"); return gu__invalid(); }
    if (step == 0) { gu__seterr("arange: step must be nonzero"); return gu__invalid(); }
    if ((step > 0 && stop < start) || (step < 0 && stop > start)) {
        gu__seterr("arange: upper bound and lower bound inconsistent with step sign (start %" PRId64 ", stop %" PRId64 ", step %" PRId64 ")", start, stop, step);
        return gu__invalid();
    }
    // |stop - start| and |step| fit in uint64; then a ceiling division
    span = step > 0 ? (uint64_t)stop - (uint64_t)start : (uint64_t)start - (uint64_t)stop;
    st = step > 0 ? (uint64_t)step : (uint64_t)0 - (uint64_t)step;
    c = span / st + (span % st != 0);
    if (c > (uint64_t)INT64_MAX) { gu__seterr("arange: too many elements"); return gu__invalid(); }
    n = (int64_t)c;
    t = gu__empty("arange", dtype, 1, &n);
    if (!gu_ok(t)) return t;
    for (i = 0; i < n; i++) gu__store_i64(dtype, t.base, i, GU__WRAP_MUL_ADD(start, i, step));
    return t;
}
// torch.arange. float32: n = ceil((stop - start) / step) elements and element i =
// start + i * step, both computed in double, then rounded to float32. The integer dtypes,
// as PyTorch: start, stop and step are first truncated to integers (arange(0.5, 5, 1.5,
// int64) is arange(0, 5, 1)) and element i is start + i * step in int64 (wrapping for
// uint8); the count is computed from the integers for int64 and from the doubles for
// uint8. Errors as PyTorch's: a step that is zero (after truncation), NaN or infinite
// bounds, a step whose sign disagrees with stop - start, bool.
GU__DEF gu_tensor gu_arange(double start, double stop, double step, gu_dtype dtype) {
    double count;
    int64_t is, ie, ip, n, i;
    gu_tensor t;
    if (dtype == GU_BOOL) { gu__seterr("arange: not implemented for dtype bool"); return gu__invalid(); }
    if (gu_dtype_size(dtype) == 0) { gu__seterr("arange: invalid dtype %d", (int)dtype); return gu__invalid(); }
    if (step == 0 || step != step) { gu__seterr("arange: step must be nonzero (got %g)", step); return gu__invalid(); }
    if (!(fabs(start) <= 1.0e300 && fabs(stop) <= 1.0e300) ||
        (dtype != GU_FLOAT32 && !(fabs(start) < 9.2e18 && fabs(stop) < 9.2e18 && fabs(step) < 9.2e18))) {
        gu__seterr("arange: unsupported range: %g -> %g (step %g) for %s", start, stop, step, gu_dtype_name(dtype));
        return gu__invalid();
    }
    if (dtype == GU_INT64) return gu_arange_i64((int64_t)start, (int64_t)stop, (int64_t)step, dtype);
    is = dtype == GU_FLOAT32 ? 0 : (int64_t)start;
    ie = dtype == GU_FLOAT32 ? 0 : (int64_t)stop;
    ip = dtype == GU_FLOAT32 ? 0 : (int64_t)step;
    if (dtype != GU_FLOAT32 && ip == 0) {
        gu__seterr("arange: step must be nonzero (%g truncates to 0 for %s)", step, gu_dtype_name(dtype));
        return gu__invalid();
    }
    if (dtype == GU_FLOAT32 ? ((step > 0 && stop < start) || (step < 0 && stop > start)) : ((ip > 0 && ie < is) || (ip < 0 && ie > is))) {
        gu__seterr("arange: upper bound and lower bound inconsistent with step sign (start %g, stop %g, step %g)", start, stop, step);
        return gu__invalid();
    }
    count = ceil((stop - start) / step);
    if (count < 0) count = 0;  // uint8: arange(0.9, 0.1, 1) truncates to an empty range
    if (!(count <= 9.0e18)) { gu__seterr("arange: (%g, %g, %g) has too many elements", start, stop, step); return gu__invalid(); }
    n = (int64_t)count;
    t = gu__empty("arange", dtype, 1, &n);
    if (!gu_ok(t)) return t;
    if (dtype == GU_FLOAT32)
        for (i = 0; i < n; i++) ((float *)t.base)[i] = (float)(start + (double)i * step);
    else
        for (i = 0; i < n; i++) gu__store_i64(dtype, t.base, i, GU__WRAP_MUL_ADD(is, i, ip));
    return t;
}

GU__DEF gu_tensor gu_from_data(gu_dtype dtype, int ndim, const int64_t *shape, const void *data) {
    gu_tensor t = gu__empty("from_data", dtype, ndim, shape);
    if (!gu_ok(t)) return t;
    if (t.storage_numel && !data) { gu_free(&t); gu__seterr("from_data: data is NULL"); return t; }
    if (t.storage_numel) memcpy(t.base, data, (size_t)t.storage_numel * gu_dtype_size(dtype));
    return t;
}

GU__DEF gu_tensor gu_wrap(gu_dtype dtype, int ndim, const int64_t *shape, void *data) {
    gu_tensor t = gu__invalid();
    int64_t numel;
    int i;
    if (gu_dtype_size(dtype) == 0) { gu__seterr("wrap: invalid dtype %d", (int)dtype); return t; }
    if (!gu__check_shape("wrap", ndim, shape, &numel)) return t;
    if (numel && !data) { gu__seterr("wrap: data is NULL for shape %s", gu__sh(ndim, shape)); return t; }
    t.dtype = dtype;
    t.ndim = ndim;
    for (i = 0; i < ndim; i++) t.shape[i] = shape[i];
    gu__contig_strides(ndim, t.shape, t.stride);
    t.base = data;
    t.storage_numel = numel;
    t.owner = 0;
    return t;
}

GU__DEF void gu_free(gu_tensor *t) {
    if (!t) return;
    if (gu_ok(*t) && t->owner && t->base) {
        if (gu__tidy.n) (void)gu__tidy_forget(t->base);
        GU_FREE(t->base);
    }
    *t = gu__invalid();
}
GU__DEF void gu_free_mem(void *p) { if (p) GU_FREE(p); }

GU__DEF int64_t gu_numel(gu_tensor t) {
    int64_t n = 1;
    int i;
    if (!gu_ok(t)) return 0;
    for (i = 0; i < t.ndim; i++) n *= t.shape[i];
    return n;
}
GU__DEF int64_t gu_storage_numel(gu_tensor t) { return gu_ok(t) ? t.storage_numel : 0; }
GU__DEF void *gu_data(gu_tensor t) {
    if (!gu_ok(t) || !t.base) return NULL;
    return (char *)t.base + t.offset * (int64_t)gu_dtype_size(t.dtype);
}
// The same for a float32 tensor already checked (strides may be negative or 0).
static GU__UNUSED const float *gu__f32p(gu_tensor t) { return (const float *)t.base + t.offset; }

GU__DEF int gu_is_contiguous(gu_tensor t) {
    int64_t s = 1;
    int i;
    if (!gu_ok(t)) return 0;
    for (i = t.ndim - 1; i >= 0; i--) {
        if (t.shape[i] == 0) return 1;
        if (t.shape[i] != 1 && t.stride[i] != s) return 0;
        s *= t.shape[i];
    }
    return 1;
}
GU__DEF int gu_same_shape(gu_tensor a, gu_tensor b) {
    int i;
    if (a.ndim != b.ndim) return 0;
    for (i = 0; i < a.ndim; i++)
        if (a.shape[i] != b.shape[i]) return 0;
    return 1;
}

// Walks the elements of t in row-major order: calls back with the element offset
// (in elements, relative to base). An odometer over the dims, no division per element.
typedef struct gu__iter {
    int ndim;
    int64_t shape[GU_MAX_DIMS], stride[GU_MAX_DIMS], idx[GU_MAX_DIMS];
    int64_t pos;
} gu__iter;
static void gu__iter_init(gu__iter *it, gu_tensor t) {
    int i;
    it->ndim = t.ndim;
    for (i = 0; i < t.ndim; i++) {
        it->shape[i] = t.shape[i];
        it->stride[i] = t.stride[i];
        it->idx[i] = 0;
    }
    it->pos = t.offset;
}
static void gu__iter_next(gu__iter *it) {
    int d;
    for (d = it->ndim - 1; d >= 0; d--) {
        if (++it->idx[d] < it->shape[d]) { it->pos += it->stride[d]; return; }
        it->pos -= it->stride[d] * (it->shape[d] - 1);
        it->idx[d] = 0;
    }
}

// Conversions as PyTorch casts. Only "upward" conversions (bool -> uint8 -> int64 ->
// float32) and int64 -> uint8 (wrapping) occur in the ops and in gu_to; float -> integer
// saturates (NaN -> INT64_MIN), so that nothing is undefined.
static int64_t gu__f2i64(float v) {
    if (v != v) return INT64_MIN;
    if (v >= 9223372036854775807.0f) return INT64_MAX;
    if (v <= -9223372036854775808.0f) return INT64_MIN;
    return (int64_t)v;
}
// Converts n elements from src (stride ss, dtype from) to dst (stride ds, dtype to).
static void gu__cvt(gu_dtype to, void *dst, int64_t ds, gu_dtype from, const void *src, int64_t ss, int64_t n) {
    int64_t i;
#define GU__CVT(TO, FROM, EXPR) { const FROM *s_ = (const FROM *)src; TO *d_ = (TO *)dst; \
        for (i = 0; i < n; i++) { FROM v = s_[i * ss]; d_[i * ds] = (TO)(EXPR); } return; }
    switch (to) {
    case GU_FLOAT32:
        switch (from) {
        case GU_FLOAT32: GU__CVT(float, float, v)
        case GU_INT64: GU__CVT(float, int64_t, gu__i64_to_f32(v))
        case GU_UINT8: case GU_BOOL: GU__CVT(float, uint8_t, v)
        default: return;
        }
    case GU_INT64:
        switch (from) {
        case GU_FLOAT32: GU__CVT(int64_t, float, gu__f2i64(v))
        case GU_INT64: GU__CVT(int64_t, int64_t, v)
        case GU_UINT8: case GU_BOOL: GU__CVT(int64_t, uint8_t, v)
        default: return;
        }
    case GU_UINT8:
        switch (from) {
        case GU_FLOAT32: GU__CVT(uint8_t, float, (v != v || v >= 9.2e18f || v <= -9.2e18f) ? 0 : (uint8_t)gu__f2i64(v))
        case GU_INT64: GU__CVT(uint8_t, int64_t, (uint8_t)v)
        case GU_UINT8: case GU_BOOL: GU__CVT(uint8_t, uint8_t, v)
        default: return;
        }
    case GU_BOOL:
        switch (from) {
        case GU_FLOAT32: GU__CVT(uint8_t, float, v != 0)
        case GU_INT64: GU__CVT(uint8_t, int64_t, v != 0)
        case GU_UINT8: case GU_BOOL: GU__CVT(uint8_t, uint8_t, v != 0)
        default: return;
        }
    default: return;
    }
#undef GU__CVT
}

// Copies src (any strides) into contiguous dst storage p, converting to dtype dt: one
// gu__cvt call per row of the last dim.
static void gu__gather(gu_tensor src, gu_dtype dt, void *p) {
    int64_t n = gu_numel(src), rows, i, len;
    size_t es = gu_dtype_size(src.dtype), ed = gu_dtype_size(dt);
    gu__iter it;
    gu_tensor outer = src;
    if (n == 0) return;
    if (src.ndim == 0) { gu__cvt(dt, p, 1, src.dtype, (char *)src.base + src.offset * (int64_t)es, 1, 1); return; }
    len = src.shape[src.ndim - 1];
    outer.ndim--;  // the rows: every index but the last
    rows = n / len;
    gu__iter_init(&it, outer);
    for (i = 0; i < rows; i++, gu__iter_next(&it))
        gu__cvt(dt, (char *)p + i * len * (int64_t)ed, 1, src.dtype, (char *)src.base + it.pos * (int64_t)es, src.stride[src.ndim - 1], len);
}

GU__DEF gu_tensor gu_to(gu_tensor t, gu_dtype dtype) {
    gu_tensor r;
    if (!gu__check_in("to", t)) return gu__invalid();
    r = gu__empty("to", dtype, t.ndim, t.shape);
    if (!gu_ok(r)) return r;
    if (r.storage_numel) gu__gather(t, dtype, r.base);
    return r;
}
GU__DEF gu_tensor gu_clone(gu_tensor t) {
    if (!gu__check_in("clone", t)) return gu__invalid();
    return gu_to(t, t.dtype);
}

GU__DEF gu_tensor gu_keep(gu_tensor t) {
    if (!gu_ok(t) || !t.base || !gu__tidy.n) return t;
    if (t.owner) { (void)gu__tidy_forget(t.base); return t; }
    if (gu__tidy.keys[gu__tidy_slot(t.base)]) {  // a view of storage a scope will free: keep a copy
        gu_tensor c = gu_clone(t);
        if (gu_ok(c)) (void)gu__tidy_forget(c.base);
        return c;
    }
    return t;
}

// >>views -------------------------------------------------------------------------------
static int gu__wrapdim(const char *op, gu_tensor t, int dim, int ndim_plus) {
    int n = t.ndim + ndim_plus;
    int lo = n > 0 ? -n : -1, hi = n > 0 ? n - 1 : 0;
    if (dim < lo || dim > hi) {
        gu__seterr("%s: dim %d out of range for a tensor of shape %s (expected %d to %d)", op, dim, GU__SHT(t), lo, hi);
        return -1;
    }
    return dim < 0 ? dim + (n > 0 ? n : 1) : dim;
}

static gu_tensor gu__as_view(gu_tensor t) {
    t.owner = 0;
    return t;
}

// Infers a -1 in shape from numel; 0 and a message if the shape cannot hold numel.
static int gu__infer_shape(const char *op, gu_tensor t, int ndim, const int64_t *shape, int64_t *out) {
    int64_t numel = gu_numel(t), known = 1;
    int i, infer = -1;
    if (ndim < 0 || ndim > GU_MAX_DIMS) {
        gu__seterr("%s: %d dims requested, at most %d are supported", op, ndim, GU_MAX_DIMS);
        return 0;
    }
    if (ndim > 0 && !shape) { gu__seterr("%s: shape is NULL", op); return 0; }
    for (i = 0; i < ndim; i++) {
        out[i] = shape[i];
        if (shape[i] == -1) {
            if (infer >= 0) { gu__seterr("%s: only one dimension can be inferred (-1) in shape %s", op, gu__sh(ndim, shape)); return 0; }
            infer = i;
        } else if (shape[i] < 0) {
            gu__seterr("%s: invalid dimension %" PRId64 " in shape %s", op, shape[i], gu__sh(ndim, shape));
            return 0;
        } else if (!gu__mul_ok(known, shape[i], &known)) {
            gu__seterr("%s: shape %s has more elements than int64 can count", op, gu__sh(ndim, shape));
            return 0;
        }
    }
    if (infer >= 0) {
        if (known == 0 || numel % known != 0) {
            gu__seterr("%s: shape %s is invalid for input of size %" PRId64, op, gu__sh(ndim, shape), numel);
            return 0;
        }
        out[infer] = numel / known;
    } else if (known != numel) {
        gu__seterr("%s: shape %s is invalid for input of size %" PRId64, op, gu__sh(ndim, shape), numel);
        return 0;
    }
    {
        int64_t n;
        if (!gu__check_shape(op, ndim, out, &n)) return 0;  // strides of 0-size shapes must fit too
    }
    return 1;
}

// PyTorch's rule for when a view of strided memory exists: walk the old dims from the
// right in chunks that are contiguous with one another; each chunk must map onto a run of
// new dims with the same element count. Returns 0 when no view exists.
static int gu__view_strides(gu_tensor t, int ndim, const int64_t *shape, int64_t *stride) {
    int64_t numel = gu_numel(t), chunk_base, tensor_numel = 1, view_numel = 1;
    int td, vd = ndim - 1;
    if (numel == 0 || t.ndim == 0) {
        gu__contig_strides(ndim, shape, stride);
        return 1;
    }
    chunk_base = t.stride[t.ndim - 1];
    for (td = t.ndim - 1; td >= 0; td--) {
        tensor_numel *= t.shape[td];
        if (td == 0 || (t.shape[td - 1] != 1 && t.stride[td - 1] != tensor_numel * chunk_base)) {
            while (vd >= 0 && (view_numel < tensor_numel || shape[vd] == 1)) {
                stride[vd] = view_numel * chunk_base;
                view_numel *= shape[vd];
                vd--;
            }
            if (view_numel != tensor_numel) return 0;
            if (td > 0) {
                chunk_base = t.stride[td - 1];
                tensor_numel = 1;
                view_numel = 1;
            }
        }
    }
    return vd == -1;
}

// Can n dims be walked as one? dims[0..n) index size and stride (dims NULL: dims 0..n-1).
// They can when, from the innermost out, each stride is the next inner one's stride times
// that one's size (size-1 dims are never stepped, so their strides do not matter). Gives
// the element count and the one stride (0 when every size is 1); 0 when they cannot.
// The matmul folds batch dims into rows with it, einsum groups of labels into one dim.
static int gu__merge_dims(int n, const int *dims, const int64_t *size, const int64_t *stride, int64_t *count,
                          int64_t *st) {
    int64_t c = 1, s = 0, want = 0;
    int i, have = 0;
    for (i = n - 1; i >= 0; i--) {
        int d = dims ? dims[i] : i;
        c *= size[d];
        if (size[d] == 1) continue;
        if (!have) { s = stride[d]; have = 1; }
        else if (stride[d] != want) return 0;
        want = stride[d] * size[d];
    }
    *count = c;
    *st = s;
    return 1;
}

GU__DEF gu_tensor gu_view(gu_tensor t, int ndim, const int64_t *shape) {
    int64_t ns[GU_MAX_DIMS], st[GU_MAX_DIMS];
    int i;
    if (!gu__check_in("view", t)) return gu__invalid();
    if (!gu__infer_shape("view", t, ndim, shape, ns)) return gu__invalid();
    if (!gu__view_strides(t, ndim, ns, st)) {
        gu__seterr("view: size %s is not compatible with strides %s of the input of shape %s; use reshape",
                   gu__sh(ndim, ns), gu__sh(t.ndim, t.stride), GU__SHT(t));
        return gu__invalid();
    }
    t = gu__as_view(t);
    t.ndim = ndim;
    for (i = 0; i < ndim; i++) { t.shape[i] = ns[i]; t.stride[i] = st[i]; }
    return t;
}

GU__DEF gu_tensor gu_reshape(gu_tensor t, int ndim, const int64_t *shape) {
    int64_t ns[GU_MAX_DIMS], st[GU_MAX_DIMS];
    gu_tensor c, v;
    if (!gu__check_in("reshape", t)) return gu__invalid();
    if (!gu__infer_shape("reshape", t, ndim, shape, ns)) return gu__invalid();
    if (gu__view_strides(t, ndim, ns, st)) return gu_view(t, ndim, ns);
    c = gu_clone(t);  // no view exists: copy, as PyTorch does
    if (!gu_ok(c)) return c;
    v = gu_view(c, ndim, ns);
    v.owner = 1;  // the copy is handed over
    return v;
}
GU__DEF gu_tensor gu_flatten(gu_tensor t) {
    int64_t m1 = -1;
    return gu_reshape(t, 1, &m1);
}

// Python's slice.indices: clamp start and stop, then count.
GU__DEF gu_tensor gu_slice(gu_tensor t, int dim, int64_t start, int64_t stop, int64_t step) {
    int64_t len, n, st;
    int d;
    if (!gu__check_in("slice", t)) return gu__invalid();
    if (t.ndim == 0) { gu__seterr("slice: cannot slice a 0-d tensor"); return gu__invalid(); }
    if ((d = gu__wrapdim("slice", t, dim, 0)) < 0) return gu__invalid();
    if (step == 0) { gu__seterr("slice: step 0 is invalid"); return gu__invalid(); }
    len = t.shape[d];
    if (start < 0) { start = start < -len ? (step < 0 ? -1 : 0) : start + len; }
    else if (start >= len) start = step < 0 ? len - 1 : len;
    if (stop < 0) { stop = stop < -len ? (step < 0 ? -1 : 0) : stop + len; }
    else if (stop >= len) stop = step < 0 ? len - 1 : len;
    if (step > 0) n = stop > start ? (stop - start - 1) / step + 1 : 0;
    else if (step == INT64_MIN) n = start > stop ? 1 : 0;   // -step overflows; 2^63 is past any end
    else n = start > stop ? (start - stop - 1) / (-step) + 1 : 0;
    t = gu__as_view(t);
    if (n > 0) t.offset += start * t.stride[d];
    t.shape[d] = n;
    // stride * step, as PyTorch; with one element or none a step past the end may overflow
    // it (and no index ever uses it): the stride then stays
    if (gu__mul_ok(t.stride[d], step, &st)) t.stride[d] = st;
    return t;
}
GU__DEF gu_tensor gu_narrow(gu_tensor t, int dim, int64_t start, int64_t length) {
    int d;
    if (!gu__check_in("narrow", t)) return gu__invalid();
    if (t.ndim == 0) { gu__seterr("narrow: cannot narrow a 0-d tensor"); return gu__invalid(); }
    if ((d = gu__wrapdim("narrow", t, dim, 0)) < 0) return gu__invalid();
    // PyTorch wraps a negative start as a dim index; an empty dim takes -1 and 0 (as 0)
    if (start < 0) start += t.shape[d] > 0 ? t.shape[d] : (start == -1 ? 1 : 0);
    if (start < 0 || length < 0 || start > t.shape[d] || length > t.shape[d] - start) {
        gu__seterr("narrow: start %" PRId64 " and length %" PRId64 " out of range for dim %d of shape %s", start, length, dim, GU__SHT(t));
        return gu__invalid();
    }
    return gu_slice(t, d, start, start + length, 1);
}

GU__DEF gu_tensor gu_select(gu_tensor t, int dim, int64_t index) {
    int d, i;
    int64_t ix = index;
    if (!gu__check_in("select", t)) return gu__invalid();
    if (t.ndim == 0) { gu__seterr("select: cannot index a 0-d tensor"); return gu__invalid(); }
    if ((d = gu__wrapdim("select", t, dim, 0)) < 0) return gu__invalid();
    if (ix < 0) ix += t.shape[d];
    if (ix < 0 || ix >= t.shape[d]) {
        gu__seterr("select: index %" PRId64 " is out of bounds for dim %d with size %" PRId64 " (shape %s)", index, d, t.shape[d], GU__SHT(t));
        return gu__invalid();
    }
    t = gu__as_view(t);
    t.offset += ix * t.stride[d];
    for (i = d; i < t.ndim - 1; i++) { t.shape[i] = t.shape[i + 1]; t.stride[i] = t.stride[i + 1]; }
    t.ndim--;
    return t;
}

GU__DEF gu_tensor gu_index(gu_tensor t, int n, const int64_t *idx) {
    int i;
    if (!gu__check_in("index", t)) return gu__invalid();
    if (n > 0 && !idx) { gu__seterr("index: idx is NULL for %d indices", n); return gu__invalid(); }
    if (n < 0 || n > t.ndim) {
        gu__seterr("index: too many indices (%d) for a tensor of shape %s", n, GU__SHT(t));
        return gu__invalid();
    }
    for (i = 0; i < n; i++) {
        gu_tensor s = gu_select(t, 0, idx[i]);
        if (!gu_ok(s)) {
            gu__seterr("index: index %" PRId64 " is out of bounds for dim %d with size %" PRId64 " (shape %s)", idx[i], i, t.shape[0], GU__SHT(t));
            return s;
        }
        t = s;
    }
    return gu__as_view(t);
}

GU__DEF gu_tensor gu_unsqueeze(gu_tensor t, int dim) {
    int d, i;
    if (!gu__check_in("unsqueeze", t)) return gu__invalid();
    if (t.ndim >= GU_MAX_DIMS) {
        gu__seterr("unsqueeze: shape %s already has %d dims, the most supported", GU__SHT(t), GU_MAX_DIMS);
        return gu__invalid();
    }
    if ((d = gu__wrapdim("unsqueeze", t, dim, 1)) < 0) return gu__invalid();
    t = gu__as_view(t);
    for (i = t.ndim; i > d; i--) { t.shape[i] = t.shape[i - 1]; t.stride[i] = t.stride[i - 1]; }
    t.shape[d] = 1;
    t.stride[d] = d + 1 < t.ndim + 1 ? t.shape[d + 1] * t.stride[d + 1] : 1;
    if (d == t.ndim) t.stride[d] = 1;
    t.ndim++;
    return t;
}

GU__DEF gu_tensor gu_squeeze(gu_tensor t, int dim) {
    int d, i;
    if (!gu__check_in("squeeze", t)) return gu__invalid();
    if ((d = gu__wrapdim("squeeze", t, dim, 0)) < 0) return gu__invalid();  // 0-d: -1 or 0
    if (t.ndim == 0) return gu__as_view(t);
    t = gu__as_view(t);
    if (t.shape[d] != 1) return t;  // as PyTorch: squeezing a non-1 dim is a no-op
    for (i = d; i < t.ndim - 1; i++) { t.shape[i] = t.shape[i + 1]; t.stride[i] = t.stride[i + 1]; }
    t.ndim--;
    return t;
}
GU__DEF gu_tensor gu_squeeze_all(gu_tensor t) {
    int i, n = 0;
    if (!gu__check_in("squeeze", t)) return gu__invalid();
    t = gu__as_view(t);
    for (i = 0; i < t.ndim; i++)
        if (t.shape[i] != 1) { t.shape[n] = t.shape[i]; t.stride[n] = t.stride[i]; n++; }
    t.ndim = n;
    return t;
}

GU__DEF gu_tensor gu_expand(gu_tensor t, int ndim, const int64_t *shape) {
    gu_tensor r;
    int i, lead;
    if (!gu__check_in("expand", t)) return gu__invalid();
    if (ndim < t.ndim || ndim > GU_MAX_DIMS || (ndim > 0 && !shape)) {
        gu__seterr("expand: cannot expand shape %s to %d dims", GU__SHT(t), ndim);
        return gu__invalid();
    }
    r = gu__as_view(t);
    r.ndim = ndim;
    lead = ndim - t.ndim;
    for (i = ndim - 1; i >= 0; i--) {
        int j = i - lead;
        int64_t want = shape[i];
        if (j >= 0) {
            if (want == -1) want = t.shape[j];
            if (t.shape[j] == want) { r.shape[i] = want; r.stride[i] = t.stride[j]; }
            else if (t.shape[j] == 1 && want >= 0) { r.shape[i] = want; r.stride[i] = 0; }
            else {
                gu__seterr("expand: the expanded size %" PRId64 " must match the existing size %" PRId64 " at non-singleton dim %d (shape %s to %s)",
                           want, t.shape[j], i, GU__SHT(t), gu__sh(ndim, shape));
                return gu__invalid();
            }
        } else {
            if (want < 0) {
                gu__seterr("expand: size %" PRId64 " is invalid for the new leading dim %d (shape %s to %s)", want, i, GU__SHT(t), gu__sh(ndim, shape));
                return gu__invalid();
            }
            r.shape[i] = want;
            r.stride[i] = 0;
        }
    }
    {
        int64_t n;
        if (!gu__check_shape("expand", ndim, r.shape, &n)) return gu__invalid();
    }
    return r;
}
GU__DEF gu_tensor gu_expand_as(gu_tensor t, gu_tensor other) {
    if (!gu__check_in("expand_as", t) || !gu__check_in("expand_as", other)) return gu__invalid();
    return gu_expand(t, other.ndim, other.shape);
}

GU__DEF gu_tensor gu_transpose(gu_tensor t, int dim0, int dim1) {
    int a, b;
    int64_t s;
    if (!gu__check_in("transpose", t)) return gu__invalid();
    if (t.ndim == 0 && (dim0 == 0 || dim0 == -1) && (dim1 == 0 || dim1 == -1)) return gu__as_view(t);
    if ((a = gu__wrapdim("transpose", t, dim0, 0)) < 0 || (b = gu__wrapdim("transpose", t, dim1, 0)) < 0) return gu__invalid();
    t = gu__as_view(t);
    s = t.shape[a]; t.shape[a] = t.shape[b]; t.shape[b] = s;
    s = t.stride[a]; t.stride[a] = t.stride[b]; t.stride[b] = s;
    return t;
}
GU__DEF gu_tensor gu_t(gu_tensor t) {
    if (!gu__check_in("t", t)) return gu__invalid();
    if (t.ndim > 2) { gu__seterr("t: expects a tensor with <= 2 dims, got shape %s", GU__SHT(t)); return gu__invalid(); }
    return t.ndim < 2 ? gu__as_view(t) : gu_transpose(t, 0, 1);
}

GU__DEF gu_tensor gu_permute(gu_tensor t, const int *dims) {
    gu_tensor r;
    int seen[GU_MAX_DIMS] = {0}, i;
    if (!gu__check_in("permute", t)) return gu__invalid();
    if (t.ndim > 0 && !dims) { gu__seterr("permute: dims is NULL"); return gu__invalid(); }
    r = gu__as_view(t);
    for (i = 0; i < t.ndim; i++) {
        int d = dims[i];
        if (d < -t.ndim || d >= t.ndim) {
            gu__seterr("permute: dim %d out of range for shape %s", d, GU__SHT(t));
            return gu__invalid();
        }
        if (d < 0) d += t.ndim;
        if (seen[d]++) {
            gu__seterr("permute: dim %d is repeated in the permutation of shape %s", d, GU__SHT(t));
            return gu__invalid();
        }
        r.shape[i] = t.shape[d];
        r.stride[i] = t.stride[d];
    }
    return r;
}

GU__DEF gu_tensor gu_contiguous(gu_tensor t) {
    if (!gu__check_in("contiguous", t)) return gu__invalid();
    if (gu_is_contiguous(t)) return gu__as_view(t);
    return gu_clone(t);
}

// >>access ------------------------------------------------------------------------------
static int gu__offset_of(const char *op, gu_tensor t, int n, const int64_t *idx, int64_t *off) {
    int i;
    int64_t o = t.offset;
    if (!gu__check_in(op, t)) return 0;
    if (n != t.ndim || (n > 0 && !idx)) {
        gu__seterr("%s: %d indices given for a tensor of shape %s (expected %d)", op, n, GU__SHT(t), t.ndim);
        return 0;
    }
    for (i = 0; i < n; i++) {
        int64_t k = idx[i] < 0 ? idx[i] + t.shape[i] : idx[i];
        if (k < 0 || k >= t.shape[i]) {
            gu__seterr("%s: index %" PRId64 " is out of bounds for dim %d with size %" PRId64 " (shape %s)", op, idx[i], i, t.shape[i], GU__SHT(t));
            return 0;
        }
        o += k * t.stride[i];
    }
    *off = o;
    return 1;
}
// One element through a float64 (gu_get/gu_set) or exactly through an int64 (the _i64 forms).
static int gu__get_at(const char *op, gu_tensor t, int n, const int64_t *idx, double *v, int64_t *iv) {
    int64_t o;
    if (!gu__offset_of(op, t, n, idx, &o)) return -1;
    if (v) *v = gu__load(t.dtype, t.base, o);
    else *iv = gu__load_i64(t.dtype, t.base, o);
    return 0;
}
static int gu__set_at(const char *op, gu_tensor t, int n, const int64_t *idx, const double *v, int64_t iv) {
    int64_t o;
    if (!gu__offset_of(op, t, n, idx, &o)) return -1;
    if (v ? !gu__value_fits(op, t.dtype, *v) : !gu__ivalue_fits(op, t.dtype, iv)) return -1;
    if (v) gu__store(t.dtype, t.base, o, *v);
    else gu__store_i64(t.dtype, t.base, o, iv);
    return 0;
}
GU__DEF double gu_get(gu_tensor t, int n, const int64_t *idx) {
    double v;
    return gu__get_at("get", t, n, idx, &v, NULL) == 0 ? v : NAN;
}
GU__DEF int gu_set(gu_tensor t, int n, const int64_t *idx, double value) {
    return gu__set_at("set", t, n, idx, &value, 0);
}
GU__DEF int64_t gu_get_i64(gu_tensor t, int n, const int64_t *idx) {
    int64_t v;
    return gu__get_at("get_i64", t, n, idx, NULL, &v) == 0 ? v : 0;
}
GU__DEF int gu_set_i64(gu_tensor t, int n, const int64_t *idx, int64_t value) {
    return gu__set_at("set_i64", t, n, idx, NULL, value);
}
GU__DEF double gu_item(gu_tensor t) {
    gu__iter it;
    if (!gu__check_in("item", t)) return NAN;
    if (gu_numel(t) != 1) {
        gu__seterr("item: a tensor with %" PRId64 " elements (shape %s) cannot be converted to a scalar", gu_numel(t), GU__SHT(t));
        return NAN;
    }
    gu__iter_init(&it, t);
    return gu__load(t.dtype, t.base, it.pos);
}
GU__DEF int64_t gu_item_i64(gu_tensor t) {
    if (!gu__check_in("item_i64", t)) return 0;
    if (gu_numel(t) != 1) {
        gu__seterr("item_i64: a tensor with %" PRId64 " elements (shape %s) cannot be converted to a scalar", gu_numel(t), GU__SHT(t));
        return 0;
    }
    return gu__load_i64(t.dtype, t.base, t.offset);
}
GU__DEF double gu_get_flat(gu_tensor t, int64_t i) {
    int64_t o, rem = i;
    int d;
    if (!gu__check_in("get_flat", t)) return NAN;
    if (i < 0 || i >= gu_numel(t)) {
        gu__seterr("get_flat: index %" PRId64 " out of range for %" PRId64 " elements (shape %s)", i, gu_numel(t), GU__SHT(t));
        return NAN;
    }
    o = t.offset;
    for (d = t.ndim - 1; d >= 0; d--) {
        o += (rem % t.shape[d]) * t.stride[d];
        rem /= t.shape[d];
    }
    return gu__load(t.dtype, t.base, o);
}

// ---- overlap: an output written while an input that shares its memory is still being read ----
// The bytes [*lo, *hi) that t's elements cover (empty: lo == hi).
static void gu__byte_span(gu_tensor t, uintptr_t *lo, uintptr_t *hi) {
    int64_t l = t.offset, h = t.offset, es = (int64_t)gu_dtype_size(t.dtype);
    int i;
    *lo = *hi = 0;
    for (i = 0; i < t.ndim; i++) {
        int64_t e = (t.shape[i] - 1) * t.stride[i];
        if (t.shape[i] == 0) return;
        if (e < 0) l += e; else h += e;
    }
    *lo = (uintptr_t)t.base + (uintptr_t)(l * es);
    *hi = (uintptr_t)t.base + (uintptr_t)((h + 1) * es);
}
// How out's memory relates to in's, both of the same shape: 0 no byte in common; 1 the very
// same elements in the same order (safe in place: each element is read, then written); 2 a
// partial overlap (some element would be read after it was written, as PyTorch refuses:
// "some elements of the input tensor and the written-to tensor refer to a single memory
// location"). Interleaved views that share a range but no element count as 2: safe side.
static int gu__overlap(gu_tensor out, gu_tensor in) {
    uintptr_t ol, oh, il, ih;
    int i;
    gu__byte_span(out, &ol, &oh);
    gu__byte_span(in, &il, &ih);
    if (ol == oh || il == ih || oh <= il || ih <= ol) return 0;
    if (ol != il || gu_dtype_size(out.dtype) != gu_dtype_size(in.dtype) || out.ndim != in.ndim) return 2;
    for (i = 0; i < out.ndim; i++)
        if (out.shape[i] != in.shape[i] || (out.shape[i] > 1 && out.stride[i] != in.stride[i])) return 2;
    return 1;
}
// The input of an op writing into out, as a view of the result's shape (nd, shape): in
// itself, or, when it partly overlaps out, a copy (*tmp, to be freed) read before out is
// written, as NumPy does. 0, or -1 (out of memory).
static int gu__detach(const char *op, gu_tensor out, gu_tensor in, int nd, const int64_t *shape, gu_tensor *view, gu_tensor *tmp) {
    *tmp = gu__invalid();
    *view = gu_expand(in, nd, shape);
    if (gu__overlap(out, *view) != 2) return 0;
    *tmp = gu_clone(in);
    if (!gu_ok(*tmp)) {
        char msg[400];
        gu__errcpy(msg, sizeof msg);
        gu__seterr("%s: out %s partly overlaps an input %s, and copying the input failed: %s", op, GU__SHT(out), GU__SHT(in), msg);
        return -1;
    }
    *view = gu_expand(*tmp, nd, shape);
    return 0;
}

GU__DEF int gu_copy_(gu_tensor dst, gu_tensor src) {
    gu_tensor s, tmp, outer;
    gu__iter id, is;
    int64_t n, i, rows, len;
    size_t esd, ess;
    int d;
    if (!gu__check_in("copy_", dst) || !gu__check_in("copy_", src)) return -1;
    // the very same elements and type (x.copy_(x), even expanded): nothing to do, as torch
    if (dst.dtype == src.dtype && gu__overlap(dst, src) == 1) return 0;
    s = gu_expand(src, dst.ndim, dst.shape);
    if (!gu_ok(s)) {
        gu__seterr("copy_: source shape %s cannot be broadcast to destination shape %s", GU__SHT(src), GU__SHT(dst));
        return -1;
    }
    if (gu__detach("copy_", dst, src, dst.ndim, dst.shape, &s, &tmp) != 0) return -1;  // memmove, not memcpy
    n = gu_numel(dst);
    // PyTorch refuses to write one memory location from several elements (an expanded dst).
    for (d = 0; d < dst.ndim && n > 0; d++)
        if (dst.shape[d] > 1 && dst.stride[d] == 0) {
            gu__seterr("copy_: more than one element of the destination %s refers to a single memory location (stride 0 in dim %d); clone it first", GU__SHT(dst), d);
            gu_free(&tmp);
            return -1;
        }
    if (n == 0) { gu_free(&tmp); return 0; }
    esd = gu_dtype_size(dst.dtype);
    ess = gu_dtype_size(s.dtype);
    if (dst.ndim == 0) {
        gu__cvt(dst.dtype, (char *)dst.base + dst.offset * (int64_t)esd, 1, s.dtype, (char *)s.base + s.offset * (int64_t)ess, 1, 1);
        gu_free(&tmp);
        return 0;
    }
    // Row by row over the last dim, exact conversions (never through a double).
    len = dst.shape[dst.ndim - 1];
    rows = n / len;
    outer = dst; outer.ndim--;
    gu__iter_init(&id, outer);
    outer = s; outer.ndim--;
    gu__iter_init(&is, outer);
    for (i = 0; i < rows; i++, gu__iter_next(&id), gu__iter_next(&is))
        gu__cvt(dst.dtype, (char *)dst.base + id.pos * (int64_t)esd, dst.stride[dst.ndim - 1],
                s.dtype, (char *)s.base + is.pos * (int64_t)ess, s.stride[s.ndim - 1], len);
    gu_free(&tmp);
    return 0;
}

// >>print -------------------------------------------------------------------------------
// PyTorch's repr (torch/_tensor_str.py), re-derived: one formatter decides a common width
// and a mode (integer-valued, fixed or scientific) from the elements that will be shown;
// rows wrap at linewidth; big tensors show edgeitems at each end with "...".
static gu_printopts gu__popts;  // zero: defaults

GU__COLD static gu_printopts gu__popts_filled(void) {
    gu_printopts o = gu__popts;
    if (o.precision == 0) o.precision = 4;
    if (o.precision == GU_PRECISION_0) o.precision = 0;
    if (o.threshold <= 0) o.threshold = 1000;
    if (o.edgeitems <= 0) o.edgeitems = 3;
    if (o.linewidth <= 0) o.linewidth = 80;
    return o;
}
GU__COLD GU__DEF int gu_set_printoptions(gu_printopts opts) {
    if (opts.precision < GU_PRECISION_0 || opts.precision > GU_PRECISION_MAX) {
        gu__seterr("set_printoptions: precision %d is out of range (0 to %d; GU_PRECISION_0 for none)", opts.precision, GU_PRECISION_MAX);
        return -1;
    }
    if (opts.sci_mode != GU_SCI_AUTO && opts.sci_mode != GU_SCI_ON && opts.sci_mode != GU_SCI_OFF) {
        gu__seterr("set_printoptions: sci_mode %d is not one of GU_SCI_AUTO, GU_SCI_ON, GU_SCI_OFF", (int)opts.sci_mode);
        return -1;
    }
    gu__popts = opts;
    return 0;
}
GU__COLD GU__DEF gu_printopts gu_get_printoptions(void) { return gu__popts_filled(); }

typedef struct gu__sb { char *p; size_t len, cap; int failed; } gu__sb;
GU__COLD static void gu__sb_put(gu__sb *b, const char *s, size_t n) {
    if (b->failed) return;
    if (b->len + n + 1 > b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 256;
        char *np;
        while (nc < b->len + n + 1) nc *= 2;
        np = (char *)GU_REALLOC(b->p, nc);
        if (!np) { b->failed = 1; return; }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}
GU__COLD static void gu__sb_puts(gu__sb *b, const char *s) { gu__sb_put(b, s, strlen(s)); }
GU__COLD static void gu__sb_spaces(gu__sb *b, int n) { while (n-- > 0) gu__sb_put(b, " ", 1); }

typedef struct gu__fmt {
    gu_printopts o;
    gu_dtype dtype;
    int int_mode, sci_mode, max_width;
    int have;              // any nonzero finite value seen
    double amin, amax;     // of |nonzero finite| values
} gu__fmt;

// One element as the printer sees it: the float32 value as a double (as Python's float()
// of it), the integer dtypes exactly as int64 (a double would round beyond 2^53).
typedef struct gu__pval { double d; int64_t i; } gu__pval;
GU__COLD static gu__pval gu__pload(gu_dtype dt, const void *p, int64_t pos) {
    gu__pval v;
    v.d = dt == GU_FLOAT32 ? (double)((const float *)p)[pos] : 0.0;
    v.i = dt == GU_FLOAT32 ? 0 : gu__load_i64(dt, p, pos);
    return v;
}

// Formats v into out (cap bytes, cap >= 64 holds every integer and a float at precision
// <= 40 in fixed mode below 1e8 or in sci mode); returns the length it needs, which may be
// more than cap (then the caller grows its buffer, as gu__put_elem does).
GU__COLD static int gu__fmt_value(const gu__fmt *f, gu__pval v, char *out, size_t cap) {
    if (f->dtype == GU_BOOL) return snprintf(out, cap, "%s", v.i ? "True" : "False");
    if (f->dtype != GU_FLOAT32) return snprintf(out, cap, "%" PRId64, v.i);
    if (v.d != v.d) return snprintf(out, cap, "nan");
    if (isinf(v.d)) return snprintf(out, cap, v.d > 0 ? "inf" : "-inf");
    if (f->sci_mode) return snprintf(out, cap, "%.*e", f->o.precision, v.d);
    if (f->int_mode) return snprintf(out, cap, "%.0f.", v.d);
    return snprintf(out, cap, "%.*f", f->o.precision, v.d);
}
// The width of v's text, without keeping it (float32 at a large precision can need
// hundreds of characters: FLT_MAX is 39 digits before the point).
GU__COLD static int gu__fmt_len(const gu__fmt *f, gu__pval v) {
    char buf[8];
    return gu__fmt_value(f, v, buf, sizeof buf);
}

// Visits the elements that the printout will show (all, or the summarised edges).
typedef void (*gu__visit_fn)(void *ctx, gu__pval v);
GU__COLD static void gu__visit_shown(gu_tensor t, int summarize, const gu_printopts *o, gu__visit_fn fn, void *ctx) {
    int64_t i, n;
    if (t.ndim == 0) { fn(ctx, gu__pload(t.dtype, t.base, t.offset)); return; }
    n = t.shape[0];
    for (i = 0; i < n; i++) {
        if (summarize && n > 2 * (int64_t)o->edgeitems && i == o->edgeitems) i = n - o->edgeitems;
        if (t.ndim == 1) fn(ctx, gu__pload(t.dtype, t.base, t.offset + i * t.stride[0]));
        else gu__visit_shown(gu_select(t, 0, i), summarize, o, fn, ctx);
    }
}
GU__COLD static void gu__fmt_scan(void *ctx, gu__pval p) {
    gu__fmt *f = (gu__fmt *)ctx;
    double v = p.d;
    if (f->dtype != GU_FLOAT32) {
        int w = gu__fmt_len(f, p);
        if (w > f->max_width) f->max_width = w;
        return;
    }
    if (v != v || isinf(v) || v == 0) return;
    if (!f->have) { f->amin = f->amax = fabs(v); f->have = 1; }
    if (fabs(v) < f->amin) f->amin = fabs(v);
    if (fabs(v) > f->amax) f->amax = fabs(v);
    if (v != ceil(v)) f->int_mode = 0;
}
GU__COLD static void gu__fmt_width(void *ctx, gu__pval v) {
    gu__fmt *f = (gu__fmt *)ctx;
    int w;
    if (v.d != v.d || isinf(v.d) || v.d == 0) return;
    w = gu__fmt_len(f, v);
    if (w > f->max_width) f->max_width = w;
}

// PyTorch's _Formatter: the mode and the width come from the nonzero finite values in the
// automatic mode; a forced sci_mode then replaces only the mode (the width stays), and only
// when there is such a value (all zeros, NaN or inf print as "0." even with sci_mode on).
// int_mode survives a forced sci_mode off: [1., 1e9] then prints "1000000000." padded to
// the width of "1.0000e+09".
GU__COLD static void gu__fmt_init(gu__fmt *f, gu_tensor t, int summarize) {
    memset(f, 0, sizeof *f);
    f->o = gu__popts_filled();
    f->dtype = t.dtype;
    f->int_mode = 1;
    f->max_width = 1;
    gu__visit_shown(t, summarize, &f->o, gu__fmt_scan, f);
    if (t.dtype == GU_FLOAT32 && f->have) {
        if (f->int_mode) {
            f->sci_mode = f->amax / f->amin > 1000.0 || f->amax > 1.0e8;
        } else {
            f->sci_mode = f->amax / f->amin > 1000.0 || f->amax > 1.0e8 || f->amin < 1.0e-4;
        }
        gu__visit_shown(t, summarize, &f->o, gu__fmt_width, f);  // sci_mode wins over int_mode
        if (f->o.sci_mode != GU_SCI_AUTO) f->sci_mode = f->o.sci_mode == GU_SCI_ON;
    }
}

GU__COLD static void gu__put_elem(gu__sb *b, const gu__fmt *f, gu__pval v) {
    char buf[128];
    int w = gu__fmt_value(f, v, buf, sizeof buf);
    gu__sb_spaces(b, f->max_width - w);
    if (w >= 0 && (size_t)w < sizeof buf) { gu__sb_puts(b, buf); return; }
    {   // a long one (a large precision): format it again into a buffer of its size
        char *big = w > 0 ? (char *)GU_MALLOC((size_t)w + 1) : NULL;
        if (!big) { b->failed = 1; return; }
        gu__fmt_value(f, v, big, (size_t)w + 1);
        gu__sb_put(b, big, (size_t)w);
        GU_FREE(big);
    }
}

GU__COLD static void gu__tensor_str(gu__sb *b, gu_tensor t, int indent, int summarize, const gu__fmt *f) {
    const gu_printopts *o = &f->o;
    int64_t i, n;
    if (t.ndim == 0) { gu__put_elem(b, f, gu__pload(t.dtype, t.base, t.offset)); return; }
    n = t.shape[0];
    gu__sb_puts(b, "[");
    if (t.ndim == 1) {
        int elem_len = f->max_width + 2;
        int64_t per_line = (o->linewidth - indent) / elem_len, col = 0;
        if (per_line < 1) per_line = 1;
        for (i = 0; i < n; i++) {
            int dots = summarize && n > 2 * (int64_t)o->edgeitems && i == o->edgeitems;
            if (col > 0) {
                if (col % per_line == 0) { gu__sb_puts(b, ",\n"); gu__sb_spaces(b, indent + 1); }
                else gu__sb_puts(b, ", ");
            }
            if (dots) { gu__sb_puts(b, " ..."); i = n - o->edgeitems - 1; }
            else gu__put_elem(b, f, gu__pload(t.dtype, t.base, t.offset + i * t.stride[0]));
            col++;
        }
    } else {
        for (i = 0; i < n; i++) {
            int dots = summarize && n > 2 * (int64_t)o->edgeitems && i == o->edgeitems;
            if (i > 0) {
                int k;
                gu__sb_puts(b, ",");
                for (k = 0; k < t.ndim - 1; k++) gu__sb_puts(b, "\n");
                gu__sb_spaces(b, indent + 1);
            }
            if (dots) { gu__sb_puts(b, "..."); i = n - o->edgeitems - 1; continue; }
            gu__tensor_str(b, gu_select(t, 0, i), indent + 1, summarize, f);
        }
    }
    gu__sb_puts(b, "]");
}

GU__COLD GU__DEF char *gu_repr(gu_tensor t) {
    gu__sb b = {0, 0, 0, 0};
    const char *suffixes[2];
    char sbuf[2][200];
    int nsuf = 0, i, indent = 7;
    gu_printopts o = gu__popts_filled();
    if (!gu_ok(t)) {
        gu__sb_puts(&b, "tensor(invalid)");
        return b.p;
    }
    gu__sb_puts(&b, "tensor(");
    if (gu_numel(t) == 0) {
        if (t.ndim != 1) {
            char sh[160];
            snprintf(sbuf[nsuf], sizeof sbuf[0], "size=%s", gu__dims_str(t.ndim, t.shape, sh, sizeof sh));
            suffixes[nsuf] = sbuf[nsuf];
            nsuf++;
        }
        if (t.dtype != GU_FLOAT32) {
            snprintf(sbuf[nsuf], sizeof sbuf[0], "dtype=torch.%s", t.dtype == GU_INT64 ? "int64" : gu_dtype_name(t.dtype));
            suffixes[nsuf] = sbuf[nsuf];
            nsuf++;
        }
        gu__sb_puts(&b, "[]");
    } else {
        gu__fmt f;
        int summarize = gu_numel(t) > o.threshold;
        if (t.dtype == GU_UINT8) {
            snprintf(sbuf[nsuf], sizeof sbuf[0], "dtype=torch.uint8");
            suffixes[nsuf] = sbuf[nsuf];
            nsuf++;
        }
        gu__fmt_init(&f, t, summarize);
        gu__tensor_str(&b, t, indent, summarize, &f);
    }
    {
        // The suffixes go on the last line, or on a new one when they would pass linewidth.
        // PyTorch's last_line_len = len(s) - s.rfind("\n") + 1: len + 2 without a newline.
        const char *nl = b.p ? strrchr(b.p, '\n') : NULL;
        size_t last = b.p ? (nl ? b.len - (size_t)(nl - b.p) + 1 : b.len + 2) : 0;
        for (i = 0; i < nsuf; i++) {
            size_t sl = strlen(suffixes[i]);
            if (last + sl + 2 > (size_t)o.linewidth) {
                gu__sb_puts(&b, ",\n");
                gu__sb_spaces(&b, indent);
                last = (size_t)indent + sl;
            } else {
                gu__sb_puts(&b, ", ");
                last += sl + 2;
            }
            gu__sb_puts(&b, suffixes[i]);
        }
    }
    gu__sb_puts(&b, ")");
    if (b.failed) { GU_FREE(b.p); gu__seterr("repr: out of memory"); return NULL; }
    return b.p;
}

GU__COLD GU__DEF int gu_fprint(FILE *f, gu_tensor t) {
    char *s;
    int rc;
    if (!f) { gu__seterr("fprint: FILE is NULL"); return -1; }
    s = gu_repr(t);
    if (!s) return -1;
    rc = fprintf(f, "%s\n", s) < 0 ? -1 : 0;
    if (rc) gu__seterr("fprint: write failed: %s (a tensor of shape %s)", strerror(errno), GU__SHT(t));
    GU_FREE(s);
    return rc;
}
GU__COLD GU__DEF int gu_print(gu_tensor t) { return gu_fprint(stdout, t); }

// >>ops ------------------------------------------------------------------------------------
// How an elementwise op runs:
//  1. promotion picks the compute dtype `ct` (gu__result_type) and the result dtype `rt`
//     (bool for comparisons, else ct);
//  2. the operands are expanded to the broadcast shape (stride-0 views, no copy);
//  3. gu__nloop drops size-1 dims and merges dims that are contiguous in every operand,
//     so a contiguous (50000, 784) + (50000, 784) add is a single row of 39.2M elements;
//  4. each row goes to a kernel: a plain loop over the row that the compiler vectorises.
//     Operands already of dtype ct with stride 1 or 0 are read in place; others
//     (other dtypes, transposed or reversed views) are converted into small stack
//     buffers first, GU__OPS_BLK elements at a time. Results of another dtype or stride go
//     through a buffer the same way.
// The reference (gu__elementwise_ref) takes every element on its own: a multi-index by
// division, offsets from the strides, the same kernel called with n = 1. The tests check
// that both agree bit for bit.

#define GU__OPS_BLK 512

// ---- promotion ----
static int gu__dtype_rank(gu_dtype d) { return d == GU_BOOL ? 0 : d == GU_UINT8 ? 1 : d == GU_INT64 ? 2 : d == GU_FLOAT32 ? 3 : -1; }
static gu_dtype gu__promote2(gu_dtype a, gu_dtype b) {
    if (a == GU_INVALID) return b;
    if (b == GU_INVALID) return a;
    return gu__dtype_rank(a) >= gu__dtype_rank(b) ? a : b;
}
// PyTorch's combine_categories: the lower-priority result counts only when it is of a
// higher category than the higher-priority one.
static gu_dtype gu__combine(gu_dtype higher, gu_dtype lower) {
    if (higher == GU_INVALID) return lower;
    if (lower == GU_INVALID) return higher;
    if (higher == GU_FLOAT32) return higher;
    if (higher == GU_BOOL || lower == GU_FLOAT32) return gu__promote2(higher, lower);
    return higher;
}
// Operand priority: tensors with dims, then 0-d tensors, then scalars (wrapped numbers).
#define GU__P_SCALAR 0
#define GU__P_ZERODIM 1
#define GU__P_DIM 2
static int gu__prio(gu_tensor t) { return t.ndim > 0 ? GU__P_DIM : GU__P_ZERODIM; }
static gu_dtype gu__result_type(int n, const gu_tensor *t, const int *prio) {
    gu_dtype r[3] = {GU_INVALID, GU_INVALID, GU_INVALID};
    int i;
    for (i = 0; i < n; i++) r[prio[i]] = gu__promote2(r[prio[i]], t[i].dtype);
    return gu__combine(r[GU__P_DIM], gu__combine(r[GU__P_ZERODIM], r[GU__P_SCALAR]));
}
// PyTorch's canCast: no float into an integer, no non-bool into bool.
static int gu__can_cast(gu_dtype from, gu_dtype to) {
    if (from == GU_FLOAT32 && to != GU_FLOAT32) return 0;
    if (to == GU_BOOL && from != GU_BOOL) return 0;
    return 1;
}

// ---- broadcasting ----
// The broadcast shape of a and b; 0 and "op: shapes (3, 3) and (2,) do not broadcast
// (dim -1: 3 vs 2)" when there is none. Dims are named from the end, as the rule reads.
static int gu__bcast(const char *op, int na, const int64_t *sa, int nb, const int64_t *sb, int *nd, int64_t *shape) {
    int n = na > nb ? na : nb, i;
    for (i = 1; i <= n; i++) {
        int64_t da = i <= na ? sa[na - i] : 1, db = i <= nb ? sb[nb - i] : 1;
        if (da == db || db == 1) shape[n - i] = da;
        else if (da == 1) shape[n - i] = db;
        else {
            gu__seterr("%s: shapes %s and %s do not broadcast (dim %d: %" PRId64 " vs %" PRId64 ")", op,
                       gu__sh(na, sa), gu__sh(nb, sb), -i, da, db);
            return 0;
        }
    }
    *nd = n;
    return 1;
}

// ---- the loop over rows ----
// Up to 4 operands of one shape (after expansion): op 0 is the output. gu__nloop_init drops
// size-1 dims and merges neighbours that are contiguous with each other in every operand.
#define GU__NOPS 4
typedef struct gu__nloop {
    int ndim, nop;
    int64_t shape[GU_MAX_DIMS];
    int64_t stride[GU__NOPS][GU_MAX_DIMS];  // elements
    char *ptr[GU__NOPS];                    // element [0, .., 0]
    size_t es[GU__NOPS];
} gu__nloop;
static void gu__nloop_init(gu__nloop *L, int nop, const gu_tensor *t) {
    int i, k, n = 0;
    L->nop = nop;
    for (k = 0; k < nop; k++) {
        L->es[k] = gu_dtype_size(t[k].dtype);
        L->ptr[k] = t[k].base ? (char *)t[k].base + t[k].offset * (int64_t)L->es[k] : NULL;  // NULL: gu_wrap'd, empty
    }
    for (i = 0; i < t[0].ndim; i++) {
        int merge = n > 0;
        if (t[0].shape[i] == 1) continue;
        for (k = 0; k < nop && merge; k++)
            if (L->stride[k][n - 1] != t[k].stride[i] * t[k].shape[i]) merge = 0;
        if (merge) {
            L->shape[n - 1] *= t[0].shape[i];
            for (k = 0; k < nop; k++) L->stride[k][n - 1] = t[k].stride[i];
        } else {
            L->shape[n] = t[0].shape[i];
            for (k = 0; k < nop; k++) L->stride[k][n] = t[k].stride[i];
            n++;
        }
    }
    if (n == 0) {  // a single element
        L->shape[0] = 1;
        for (k = 0; k < nop; k++) L->stride[k][0] = 0;
        n = 1;
    }
    L->ndim = n;
}
// Calls row(ctx, n, p, s) for every row (the last dim) in row-major order: p are the
// row's first elements, s the row strides in elements. An odometer, no division.
typedef void (*gu__row_fn)(void *ctx, int64_t n, char **p, const int64_t *s);
static void gu__nloop_run(gu__nloop *L, gu__row_fn row, void *ctx) {
    int64_t idx[GU_MAX_DIMS] = {0}, s[GU__NOPS];
    char *p[GU__NOPS];
    int k, d, last = L->ndim - 1;
    for (d = 0; d < L->ndim; d++)
        if (L->shape[d] == 0) return;
    for (k = 0; k < L->nop; k++) { p[k] = L->ptr[k]; s[k] = L->stride[k][last]; }
    for (;;) {
        row(ctx, L->shape[last], p, s);
        for (d = last - 1; d >= 0; d--) {
            if (++idx[d] < L->shape[d]) {
                for (k = 0; k < L->nop; k++) p[k] += L->stride[k][d] * (int64_t)L->es[k];
                break;
            }
            for (k = 0; k < L->nop; k++) p[k] -= L->stride[k][d] * (L->shape[d] - 1) * (int64_t)L->es[k];
            idx[d] = 0;
        }
        if (d < 0) return;
    }
}

// ---- kernels ----
// A binary kernel: o[i] = a[i*sa] OP b[i*sb] with sa, sb each 0 (broadcast) or 1. The
// expression is the one definition of the op. The loop goes in blocks of GU__VB: each block
// is loaded into locals, computed, then stored, a shape that gcc vectorises even at -O2
// (no alias versioning needed: o may be a itself, for the in-place forms) and clang too.
// A broadcast operand reads its element from a block-sized local copy, so one vector loop
// serves all three cases (60 kernels: one loop each instead of three keeps the compile short).
#define GU__VB 16
typedef void (*gu__bin_kernel)(int64_t n, const void *pa, int sa, const void *pb, int sb, void *po);
#define GU__BK(NAME, T, R, EXPR) \
static void NAME(int64_t n, const void *pa, int sa, const void *pb, int sb, void *po) { \
    const T *a = (const T *)pa; const T *b = (const T *)pb; R *o = (R *)po; int64_t i = 0; int j; \
    T xa[GU__VB], xb[GU__VB], ca[GU__VB], cb[GU__VB], x, y; R r[GU__VB]; \
    const T *qa = sa ? a : ca, *qb = sb ? b : cb; int64_t da = sa ? GU__VB : 0, db = sb ? GU__VB : 0; \
    if (n <= 0) return; \
    if (!sa) for (j = 0; j < GU__VB; j++) ca[j] = a[0]; \
    if (!sb) for (j = 0; j < GU__VB; j++) cb[j] = b[0]; \
    for (; i + GU__VB <= n; i += GU__VB, qa += da, qb += db) { \
        for (j = 0; j < GU__VB; j++) { xa[j] = qa[j]; xb[j] = qb[j]; } \
        for (j = 0; j < GU__VB; j++) { x = xa[j]; y = xb[j]; r[j] = (R)(EXPR); } \
        for (j = 0; j < GU__VB; j++) o[i + j] = r[j]; } \
    for (; i < n; i++) { x = sa ? a[i] : ca[0]; y = sb ? b[i] : cb[0]; o[i] = (R)(EXPR); } \
}
// Integer power by squaring, wrapping as PyTorch's; negative exponents as PyTorch's powi.
static int64_t gu__ipow(int64_t base, int64_t e) {
    uint64_t r = 1, x = (uint64_t)base;
    if (e < 0) return base == 1 ? 1 : base == -1 ? ((e & 1) ? -1 : 1) : 0;
    while (e) {
        if (e & 1) r *= x;
        x *= x;
        e >>= 1;
    }
    return (int64_t)r;
}
// NaN-propagating maximum/minimum (torch.maximum), and the integer ones.
// Equal values (+0 and -0) give x, as PyTorch's scalar loop (std::max(a, b)) does.
#define GU__FMAX(x, y) ((x) != (x) ? (x) : (y) != (y) ? (y) : (x) < (y) ? (y) : (x))
#define GU__FMIN(x, y) ((x) != (x) ? (x) : (y) != (y) ? (y) : (y) < (x) ? (y) : (x))
// Wrapping int64 arithmetic through uint64 (signed overflow is undefined in C).
#define GU__WRAP(x, OP, y) ((int64_t)((uint64_t)(x) OP (uint64_t)(y)))

// The integer, uint8 and bool kernels are one plain loop each: the blocked loop is for the
// float32 ones that the lesson runs on big tensors, and 39 blocked copies of the rest cost
// about a fifth of a second of every compile of the implementation for little use.
#define GU__BKS(NAME, T, R, EXPR) \
static void NAME(int64_t n, const void *pa, int sa, const void *pb, int sb, void *po) { \
    const T *a = (const T *)pa; const T *b = (const T *)pb; R *o = (R *)po; int64_t i; T x, y; \
    for (i = 0; i < n; i++) { x = a[i * sa]; y = b[i * sb]; o[i] = (R)(EXPR); } \
}
GU__BK(gu__k_add_f32, float, float, x + y)
GU__BKS(gu__k_add_i64, int64_t, int64_t, GU__WRAP(x, +, y))
GU__BKS(gu__k_add_u8, uint8_t, uint8_t, x + y)
GU__BKS(gu__k_add_b, uint8_t, uint8_t, x | y)
GU__BK(gu__k_sub_f32, float, float, x - y)
GU__BKS(gu__k_sub_i64, int64_t, int64_t, GU__WRAP(x, -, y))
GU__BKS(gu__k_sub_u8, uint8_t, uint8_t, x - y)
GU__BK(gu__k_mul_f32, float, float, x * y)
GU__BKS(gu__k_mul_i64, int64_t, int64_t, GU__WRAP(x, *, y))
GU__BKS(gu__k_mul_u8, uint8_t, uint8_t, x * y)
GU__BKS(gu__k_mul_b, uint8_t, uint8_t, x & y)
GU__BK(gu__k_div_f32, float, float, x / y)
GU__BK(gu__k_pow_f32, float, float, powf(x, y))
GU__BKS(gu__k_pow_i64, int64_t, int64_t, gu__ipow(x, y))
GU__BKS(gu__k_pow_u8, uint8_t, uint8_t, gu__ipow(x, y))
GU__BK(gu__k_max_f32, float, float, GU__FMAX(x, y))
GU__BKS(gu__k_max_i64, int64_t, int64_t, x > y ? x : y)
GU__BKS(gu__k_max_u8, uint8_t, uint8_t, x > y ? x : y)
GU__BK(gu__k_min_f32, float, float, GU__FMIN(x, y))
GU__BKS(gu__k_min_i64, int64_t, int64_t, x < y ? x : y)
GU__BKS(gu__k_min_u8, uint8_t, uint8_t, x < y ? x : y)
#define GU__CMP_KERNELS(OPN, OP) \
    GU__BK(gu__k_##OPN##_f32, float, uint8_t, x OP y) \
    GU__BKS(gu__k_##OPN##_i64, int64_t, uint8_t, x OP y) \
    GU__BKS(gu__k_##OPN##_u8, uint8_t, uint8_t, x OP y)
GU__CMP_KERNELS(gt, >)
GU__CMP_KERNELS(lt, <)
GU__CMP_KERNELS(ge, >=)
GU__CMP_KERNELS(le, <=)
GU__CMP_KERNELS(eq, ==)
GU__CMP_KERNELS(ne, !=)
#undef GU__CMP_KERNELS
#define GU__LOGIC_KERNELS(OPN, OP) \
    GU__BK(gu__k_##OPN##_f32, float, uint8_t, (x != 0) OP (y != 0)) \
    GU__BKS(gu__k_##OPN##_i64, int64_t, uint8_t, (x != 0) OP (y != 0)) \
    GU__BKS(gu__k_##OPN##_u8, uint8_t, uint8_t, (x != 0) OP (y != 0))
GU__LOGIC_KERNELS(land, &)
GU__LOGIC_KERNELS(lor, |)
#undef GU__LOGIC_KERNELS

typedef enum gu__binop {
    GU__ADD, GU__SUB, GU__MUL, GU__DIV, GU__POW, GU__MAXIMUM, GU__MINIMUM,
    GU__GT, GU__LT, GU__GE, GU__LE, GU__EQ, GU__NE, GU__LAND, GU__LOR, GU__NBINOPS
} gu__binop;
static const char *const gu__binop_names[GU__NBINOPS] = {
    "add", "sub", "mul", "div", "pow", "maximum", "minimum",
    "gt", "lt", "ge", "le", "eq", "ne", "logical_and", "logical_or"};
static int gu__binop_is_bool(gu__binop op) { return op >= GU__GT; }

// The kernel for op computed in dtype ct; NULL where PyTorch has none. Comparisons of
// bools use the uint8 kernels (bools are bytes 0 and 1).
static gu__bin_kernel gu__bin_kernel_for(gu__binop op, gu_dtype ct) {
    int f = ct == GU_FLOAT32, l = ct == GU_INT64, u = ct == GU_UINT8, b = ct == GU_BOOL;
#define GU__PICK(KF, KL, KU, KB) return f ? KF : l ? KL : u ? KU : b ? KB : (gu__bin_kernel)0
    switch (op) {
    case GU__ADD: GU__PICK(gu__k_add_f32, gu__k_add_i64, gu__k_add_u8, gu__k_add_b);
    case GU__SUB: GU__PICK(gu__k_sub_f32, gu__k_sub_i64, gu__k_sub_u8, (gu__bin_kernel)0);
    case GU__MUL: GU__PICK(gu__k_mul_f32, gu__k_mul_i64, gu__k_mul_u8, gu__k_mul_b);
    case GU__DIV: GU__PICK(gu__k_div_f32, (gu__bin_kernel)0, (gu__bin_kernel)0, (gu__bin_kernel)0);
    case GU__POW: GU__PICK(gu__k_pow_f32, gu__k_pow_i64, gu__k_pow_u8, (gu__bin_kernel)0);
    case GU__MAXIMUM: GU__PICK(gu__k_max_f32, gu__k_max_i64, gu__k_max_u8, gu__k_max_u8);
    case GU__MINIMUM: GU__PICK(gu__k_min_f32, gu__k_min_i64, gu__k_min_u8, gu__k_min_u8);
    case GU__GT: GU__PICK(gu__k_gt_f32, gu__k_gt_i64, gu__k_gt_u8, gu__k_gt_u8);
    case GU__LT: GU__PICK(gu__k_lt_f32, gu__k_lt_i64, gu__k_lt_u8, gu__k_lt_u8);
    case GU__GE: GU__PICK(gu__k_ge_f32, gu__k_ge_i64, gu__k_ge_u8, gu__k_ge_u8);
    case GU__LE: GU__PICK(gu__k_le_f32, gu__k_le_i64, gu__k_le_u8, gu__k_le_u8);
    case GU__EQ: GU__PICK(gu__k_eq_f32, gu__k_eq_i64, gu__k_eq_u8, gu__k_eq_u8);
    case GU__NE: GU__PICK(gu__k_ne_f32, gu__k_ne_i64, gu__k_ne_u8, gu__k_ne_u8);
    case GU__LAND: GU__PICK(gu__k_land_f32, gu__k_land_i64, gu__k_land_u8, gu__k_land_u8);
    case GU__LOR: GU__PICK(gu__k_lor_f32, gu__k_lor_i64, gu__k_lor_u8, gu__k_lor_u8);
    default: return (gu__bin_kernel)0;
    }
}

// Unary kernels: o[i] = f(a[i*sa]), sa 0 or 1, in blocks as the binary ones.
typedef void (*gu__un_kernel)(int64_t n, const void *pa, int sa, void *po);
#define GU__UK(NAME, T, R, EXPR) \
static void NAME(int64_t n, const void *pa, int sa, void *po) { \
    const T *a = (const T *)pa; R *o = (R *)po; int64_t i = 0; int j; \
    T xa[GU__VB], x; R r[GU__VB]; \
    if (n <= 0) return; \
    if (sa) { \
        for (; i + GU__VB <= n; i += GU__VB) { \
            for (j = 0; j < GU__VB; j++) xa[j] = a[i + j]; \
            for (j = 0; j < GU__VB; j++) { x = xa[j]; r[j] = (R)(EXPR); } \
            for (j = 0; j < GU__VB; j++) o[i + j] = r[j]; } \
        for (; i < n; i++) { x = a[i]; o[i] = (R)(EXPR); } \
    } else { \
        R v; \
        x = a[0]; \
        v = (R)(EXPR); \
        for (; i < n; i++) o[i] = v; \
    } \
}
// The integer and uint8 ones: one plain loop each, as the binary ones.
#define GU__UKS(NAME, T, R, EXPR) \
static void NAME(int64_t n, const void *pa, int sa, void *po) { \
    const T *a = (const T *)pa; R *o = (R *)po; int64_t i; T x; \
    for (i = 0; i < n; i++) { x = a[i * sa]; o[i] = (R)(EXPR); } \
}
GU__UK(gu__k_neg_f32, float, float, -x)
GU__UKS(gu__k_neg_i64, int64_t, int64_t, GU__WRAP(0, -, x))
GU__UKS(gu__k_neg_u8, uint8_t, uint8_t, 0 - x)
GU__UK(gu__k_abs_f32, float, float, fabsf(x))
GU__UKS(gu__k_abs_i64, int64_t, int64_t, x < 0 ? GU__WRAP(0, -, x) : x)
GU__UKS(gu__k_abs_u8, uint8_t, uint8_t, x)
GU__UK(gu__k_sqrt_f32, float, float, sqrtf(x))
GU__UK(gu__k_exp_f32, float, float, expf(x))
GU__UK(gu__k_log_f32, float, float, logf(x))
GU__UK(gu__k_not_f32, float, uint8_t, x == 0)
GU__UKS(gu__k_not_i64, int64_t, uint8_t, x == 0)
GU__UKS(gu__k_not_u8, uint8_t, uint8_t, x == 0)

typedef enum gu__unop { GU__NEG, GU__ABS, GU__SQRT, GU__EXP, GU__LOG, GU__LNOT, GU__NUNOPS } gu__unop;
static const char *const gu__unop_names[GU__NUNOPS] = {"neg", "abs", "sqrt", "exp", "log", "logical_not"};
static gu__un_kernel gu__un_kernel_for(gu__unop op, gu_dtype ct) {
    int f = ct == GU_FLOAT32, l = ct == GU_INT64, u = ct == GU_UINT8, b = ct == GU_BOOL;
#define GU__UPICK(KF, KL, KU, KB) return f ? KF : l ? KL : u ? KU : b ? KB : (gu__un_kernel)0
    switch (op) {
    case GU__NEG: GU__UPICK(gu__k_neg_f32, gu__k_neg_i64, gu__k_neg_u8, (gu__un_kernel)0);
    case GU__ABS: GU__UPICK(gu__k_abs_f32, gu__k_abs_i64, gu__k_abs_u8, (gu__un_kernel)0);
    case GU__SQRT: GU__UPICK(gu__k_sqrt_f32, (gu__un_kernel)0, (gu__un_kernel)0, (gu__un_kernel)0);
    case GU__EXP: GU__UPICK(gu__k_exp_f32, (gu__un_kernel)0, (gu__un_kernel)0, (gu__un_kernel)0);
    case GU__LOG: GU__UPICK(gu__k_log_f32, (gu__un_kernel)0, (gu__un_kernel)0, (gu__un_kernel)0);
    case GU__LNOT: GU__UPICK(gu__k_not_f32, gu__k_not_i64, gu__k_not_u8, gu__k_not_u8);
    default: return (gu__un_kernel)0;
    }
#undef GU__UPICK
}

// where: o[i] = c[i*sc] ? a[i*sa] : b[i*sb], by element size (the values are only moved).
typedef void (*gu__where_kernel)(int64_t n, const uint8_t *c, int sc, const void *pa, int sa, const void *pb, int sb, void *po);
#define GU__WK(NAME, T) \
static void NAME(int64_t n, const uint8_t *c, int sc, const void *pa, int sa, const void *pb, int sb, void *po) { \
    const T *a = (const T *)pa; const T *b = (const T *)pb; T *o = (T *)po; int64_t i; \
    if (sc && sa && sb) { for (i = 0; i < n; i++) o[i] = c[i] ? a[i] : b[i]; } \
    else { for (i = 0; i < n; i++) o[i] = c[i * sc] ? a[i * sa] : b[i * sb]; } \
}
GU__WK(gu__k_where1, uint8_t)
GU__WK(gu__k_where4, uint32_t)
GU__WK(gu__k_where8, uint64_t)

// ---- one kernel call per row ----
// What a row needs: the kernel, the dtype each input must have for it (cin), the dtype it
// writes (rt), and each operand's real dtype (dt[0] the output's).
typedef struct gu__ectx {
    int nin;  // 1 (unary), 2 (binary) or 3 (where)
    gu__bin_kernel bk;
    gu__un_kernel uk;
    gu__where_kernel wk;
    gu_dtype cin[3], rt, dt[GU__NOPS];
} gu__ectx;

static void gu__ectx_call(const gu__ectx *c, int64_t n, const void *const *in, const int *s, void *o) {
    if (c->nin == 1) c->uk(n, in[0], s[0], o);
    else if (c->nin == 2) c->bk(n, in[0], s[0], in[1], s[1], o);
    else c->wk(n, (const uint8_t *)in[0], s[0], in[1], s[1], in[2], s[2], o);
}

static void gu__elementwise_row(void *vctx, int64_t n, char **p, const int64_t *s) {
    const gu__ectx *c = (const gu__ectx *)vctx;
    double buf[GU__NOPS][GU__OPS_BLK];  // 8-byte elements at most; 16 KiB on the stack
    const void *in[3];
    int sin[3], direct[3], k, direct_out;
    int64_t i0;
    for (k = 0; k < c->nin; k++)
        direct[k] = c->dt[k + 1] == c->cin[k] && (s[k + 1] == 0 || s[k + 1] == 1);
    direct_out = c->dt[0] == c->rt && s[0] == 1;
    if (direct_out && (c->nin < 1 || direct[0]) && (c->nin < 2 || direct[1]) && (c->nin < 3 || direct[2])) {
        for (k = 0; k < c->nin; k++) { in[k] = p[k + 1]; sin[k] = (int)s[k + 1]; }
        gu__ectx_call(c, n, in, sin, p[0]);
        return;
    }
    for (i0 = 0; i0 < n; i0 += GU__OPS_BLK) {
        int64_t m = n - i0 < GU__OPS_BLK ? n - i0 : GU__OPS_BLK;
        void *o;
        for (k = 0; k < c->nin; k++) {
            const char *src = p[k + 1] + i0 * s[k + 1] * (int64_t)gu_dtype_size(c->dt[k + 1]);
            if (direct[k]) { in[k] = src; sin[k] = (int)s[k + 1]; }
            else if (s[k + 1] == 0) {  // a broadcast value: convert it once
                gu__cvt(c->cin[k], buf[k + 1], 1, c->dt[k + 1], src, 0, 1);
                in[k] = buf[k + 1];
                sin[k] = 0;
            } else {
                gu__cvt(c->cin[k], buf[k + 1], 1, c->dt[k + 1], src, s[k + 1], m);
                in[k] = buf[k + 1];
                sin[k] = 1;
            }
        }
        o = direct_out ? (void *)(p[0] + i0 * (int64_t)gu_dtype_size(c->dt[0])) : (void *)buf[0];
        gu__ectx_call(c, m, in, sin, o);
        if (!direct_out)
            gu__cvt(c->dt[0], p[0] + i0 * s[0] * (int64_t)gu_dtype_size(c->dt[0]), s[0], c->rt, buf[0], 1, m);
    }
}

// The naive reference: every element on its own, its multi-index by division.
static void gu__elementwise_ref(const gu__ectx *c, int nop, const gu_tensor *t) {
    int64_t n = gu_numel(t[0]), i, idx[GU_MAX_DIMS];
    int k, d;
    for (i = 0; i < n; i++) {
        double vin[3], vout;
        const void *in[3];
        int s[3] = {1, 1, 1};
        int64_t rem = i;
        for (d = t[0].ndim - 1; d >= 0; d--) { idx[d] = rem % t[0].shape[d]; rem /= t[0].shape[d]; }
        for (k = 1; k < nop; k++) {
            int64_t off = t[k].offset;
            for (d = 0; d < t[k].ndim; d++) off += idx[d] * t[k].stride[d];
            gu__cvt(c->cin[k - 1], &vin[k - 1], 1, t[k].dtype, (const char *)t[k].base + off * (int64_t)gu_dtype_size(t[k].dtype), 0, 1);
            in[k - 1] = &vin[k - 1];
        }
        gu__ectx_call(c, 1, in, s, &vout);
        {
            int64_t off = t[0].offset;
            for (d = 0; d < t[0].ndim; d++) off += idx[d] * t[0].stride[d];
            gu__cvt(t[0].dtype, (char *)t[0].base + off * (int64_t)gu_dtype_size(t[0].dtype), 0, c->rt, &vout, 0, 1);
        }
    }
}


// Runs an elementwise op whose operands t[1..nop-1] are already broadcast views of
// out's shape t[0]. No allocation; out was checked by the caller.
static void gu__elementwise_run(const gu__ectx *c, int nop, const gu_tensor *t) {
    gu__nloop L;
    gu__ectx cc = *c;
    int k;
    for (k = 0; k < nop; k++) cc.dt[k] = t[k].dtype;
    if (gu__isa_reference()) { gu__elementwise_ref(&cc, nop, t); return; }   // gu_set_kernel("portable")
    gu__nloop_init(&L, nop, t);
    gu__nloop_run(&L, gu__elementwise_row, &cc);
}

// An output must not be a broadcast view: stride 0 in a dim of more than one element would
// have several elements written to one place (PyTorch refuses it too). 1 if it is not.
static int gu__check_out_unbroadcast(const char *op, gu_tensor out) {
    int i;
    for (i = 0; i < out.ndim && gu_numel(out) > 0; i++)   // an empty view has nothing to overlap
        if (out.shape[i] > 1 && out.stride[i] == 0) {
            gu__seterr("%s: out of shape %s has stride 0 in dim %d (a broadcast view cannot be written)", op, GU__SHT(out), i);
            return 0;
        }
    return 1;
}

// Checks an output: exactly the result shape, no stride-0 dims, a dtype rt casts to.
static int gu__check_out(const char *op, gu_tensor out, int nd, const int64_t *shape, gu_dtype rt) {
    if (!gu__check_in(op, out)) return 0;
    if (out.ndim != nd || memcmp(out.shape, shape, (size_t)nd * sizeof shape[0]) != 0) {
        gu__seterr("%s: out has shape %s, the result has shape %s", op, GU__SHT(out), gu__sh(nd, shape));
        return 0;
    }
    if (!gu__can_cast(rt, out.dtype)) {
        gu__seterr("%s: result type %s can't be cast to the out dtype %s", op, gu_dtype_name(rt), gu_dtype_name(out.dtype));
        return 0;
    }
    return gu__check_out_unbroadcast(op, out);
}

// ---- binary ops ----
// Sets up op(a, b) with priorities pa, pb: the kernel, the dtypes, the broadcast shape.
static int gu__binary_prep(gu__binop op, gu_tensor a, int pa, gu_tensor b, int pb, gu__ectx *c, int *nd, int64_t *shape) {
    const char *name = gu__binop_names[op];
    gu_tensor t[2];
    int prio[2];
    gu_dtype ct;
    if (!gu__check_in(name, a) || !gu__check_in(name, b)) return 0;
    t[0] = a; t[1] = b; prio[0] = pa; prio[1] = pb;
    ct = gu__result_type(2, t, prio);
    if (op == GU__SUB && (a.dtype == GU_BOOL || b.dtype == GU_BOOL)) {
        gu__seterr("sub: subtraction with a bool tensor is not supported (shapes %s and %s); use logical_xor or logical_not", GU__SHT(a), GU__SHT(b));
        return 0;
    }
    if (op == GU__DIV) ct = GU_FLOAT32;  // true division, as Python's `/`
    memset(c, 0, sizeof *c);
    c->nin = 2;
    c->bk = gu__bin_kernel_for(op, ct);
    if (!c->bk) {
        gu__seterr("%s: not supported for dtype %s (%s %s and %s %s)", name, gu_dtype_name(ct),
                   gu_dtype_name(a.dtype), GU__SHT(a), gu_dtype_name(b.dtype), GU__SHT(b));
        return 0;
    }
    c->cin[0] = c->cin[1] = ct;
    c->rt = gu__binop_is_bool(op) ? GU_BOOL : ct;
    return gu__bcast(name, a.ndim, a.shape, b.ndim, b.shape, nd, shape);
}

static int gu__binary_into(gu__binop op, const gu_tensor *outp, const gu_tensor *ap, int pa, const gu_tensor *bp, int pb,
                           const char *name) {
    gu_tensor out = *outp, a = *ap, b = *bp;
    gu__ectx c;
    int nd, inplace = name[strlen(name) - 1] == '_';
    int64_t shape[GU_MAX_DIMS];
    gu_tensor t[3], tmp[2];
    if (!gu__binary_prep(op, a, pa, b, pb, &c, &nd, shape)) return -1;
    if (inplace && (out.ndim != nd || memcmp(out.shape, shape, (size_t)nd * sizeof shape[0]) != 0)) {
        gu__seterr("%s: the result of shape %s does not fit in a of shape %s (in-place ops cannot grow a)", name, gu__sh(nd, shape), GU__SHT(a));
        return -1;
    }
    if (inplace && !gu__can_cast(c.rt, out.dtype)) {
        gu__seterr("%s: result type %s can't be cast to a's dtype %s", name, gu_dtype_name(c.rt), gu_dtype_name(out.dtype));
        return -1;
    }
    if (!gu__check_out(name, out, nd, shape, c.rt)) return -1;
    t[0] = out;
    if (gu__detach(name, out, a, nd, shape, &t[1], &tmp[0]) != 0) return -1;
    if (gu__detach(name, out, b, nd, shape, &t[2], &tmp[1]) != 0) { gu_free(&tmp[0]); return -1; }
    gu__elementwise_run(&c, 3, t);
    gu_free(&tmp[0]);
    gu_free(&tmp[1]);
    return 0;
}

static gu_tensor gu__binary(gu__binop op, const gu_tensor *ap, int pa, const gu_tensor *bp, int pb) {
    gu_tensor a = *ap, b = *bp;
    gu__ectx c;
    int nd;
    int64_t shape[GU_MAX_DIMS];
    gu_tensor t[3];
    if (!gu__binary_prep(op, a, pa, b, pb, &c, &nd, shape)) return gu__invalid();
    t[0] = gu__empty(gu__binop_names[op], c.rt, nd, shape);
    if (!gu_ok(t[0])) return t[0];
    t[1] = gu_expand(a, nd, shape);
    t[2] = gu_expand(b, nd, shape);
    gu__elementwise_run(&c, 3, t);
    return t[0];
}

// A scalar as a 0-d tensor over a local variable (no allocation).
static gu_tensor gu__wrap_scalar(gu_dtype dt, void *p) {
    gu_tensor t = gu__invalid();
    t.dtype = dt;
    t.base = p;
    t.storage_numel = 1;
    return t;
}
// PyTorch's pow(tensor, scalar) with a float result takes six exponents apart, and they
// differ from powf at the edges (sqrt(-0) is -0 where powf(-0, 0.5) is +0; sqrt(-inf) is
// NaN where powf gives inf) and in the last bit (x*x*x is not powf(x, 3)). The same here.
static int gu__pow_special(double s) { return s == 2 || s == 3 || s == -1 || s == -2 || s == 0.5 || s == -0.5; }
static gu_tensor gu__pow_special_f32(gu_tensor a, double s) {
    gu_tensor r = gu_to(a, GU_FLOAT32);  // a contiguous float32 copy, computed in place
    float *x;
    int64_t i, n;
    if (!gu_ok(r)) return r;
    x = (float *)r.base;
    n = r.storage_numel;
    for (i = 0; i < n; i++) {
        float v = x[i];
        x[i] = s == 2 ? v * v : s == 3 ? v * v * v : s == -1 ? 1.0f / v : s == -2 ? 1.0f / (v * v)
             : s == 0.5 ? sqrtf(v) : 1.0f / sqrtf(v);
    }
    return r;
}
static gu_tensor gu__binary_scalar(gu__binop op, const gu_tensor *ap, double s, int reverse) {
    float f = (float)s;  // a Python float meets float32 tensors as float32 (default dtype)
    gu_tensor a = *ap, st = gu__wrap_scalar(GU_FLOAT32, &f);
    if (!gu__check_in(gu__binop_names[op], a)) return gu__invalid();
    if (op == GU__POW && !reverse && gu__pow_special(s)) return gu__pow_special_f32(a, s);
    return reverse ? gu__binary(op, &st, GU__P_SCALAR, &a, gu__prio(a)) : gu__binary(op, &a, gu__prio(a), &st, GU__P_SCALAR);
}
static gu_tensor gu__binary_iscalar(gu__binop op, const gu_tensor *ap, int64_t s, int reverse) {
    gu_tensor a = *ap, st = gu__wrap_scalar(GU_INT64, &s);
    if (!gu__check_in(gu__binop_names[op], a)) return gu__invalid();
    if (op == GU__POW && !reverse && s < 0 && a.dtype != GU_FLOAT32) {
        gu__seterr("pow: integers to negative integer powers are not allowed (%s %s ** %" PRId64 ")", gu_dtype_name(a.dtype), GU__SHT(a), s);
        return gu__invalid();
    }
    if (op == GU__POW && !reverse && a.dtype == GU_UINT8 && s > 255) {
        // PyTorch converts the exponent to the tensor's dtype first, with its overflow check
        gu__seterr("pow: exponent %" PRId64 " cannot be converted to uint8 without overflow (uint8 %s)", s, GU__SHT(a));
        return gu__invalid();
    }
    if (op == GU__POW && !reverse && a.dtype == GU_FLOAT32 && gu__pow_special((double)s)) return gu__pow_special_f32(a, (double)s);
    return reverse ? gu__binary(op, &st, GU__P_SCALAR, &a, gu__prio(a)) : gu__binary(op, &a, gu__prio(a), &st, GU__P_SCALAR);
}
static int gu__binary_scalar_(gu__binop op, const gu_tensor *ap, double s, const char *name) {
    float f = (float)s;
    gu_tensor st = gu__wrap_scalar(GU_FLOAT32, &f);
    return gu__binary_into(op, ap, ap, gu__prio(*ap), &st, GU__P_SCALAR, name);
}
static int gu__binary_iscalar_(gu__binop op, const gu_tensor *ap, int64_t s, const char *name) {
    gu_tensor st = gu__wrap_scalar(GU_INT64, &s);
    return gu__binary_into(op, ap, ap, gu__prio(*ap), &st, GU__P_SCALAR, name);
}

#define GU__BINARY_DEFS(X, OP) \
    GU__DEF gu_tensor gu_##X(gu_tensor a, gu_tensor b) { return gu__binary(OP, &a, gu__prio(a), &b, gu__prio(b)); } \
    GU__DEF int gu_##X##_out(gu_tensor out, gu_tensor a, gu_tensor b) { return gu__binary_into(OP, &out, &a, gu__prio(a), &b, gu__prio(b), #X "_out"); } \
    GU__DEF gu_tensor gu_##X##_scalar(gu_tensor a, double s) { return gu__binary_scalar(OP, &a, s, 0); } \
    GU__DEF gu_tensor gu_##X##_iscalar(gu_tensor a, int64_t s) { return gu__binary_iscalar(OP, &a, s, 0); }
#define GU__INPLACE_DEFS(X, OP) \
    GU__DEF int gu_##X##_(gu_tensor a, gu_tensor b) { \
        if (!gu__check_in(#X "_", a)) return -1; \
        return gu__binary_into(OP, &a, &a, gu__prio(a), &b, gu__prio(b), #X "_"); }
#define GU__INPLACE_SCALAR_DEFS(X, OP) \
    GU__DEF int gu_##X##_scalar_(gu_tensor a, double s) { return gu__binary_scalar_(OP, &a, s, #X "_scalar_"); } \
    GU__DEF int gu_##X##_iscalar_(gu_tensor a, int64_t s) { return gu__binary_iscalar_(OP, &a, s, #X "_iscalar_"); }
#define GU__REVERSE_DEFS(X, OP) \
    GU__DEF gu_tensor gu_r##X##_scalar(double s, gu_tensor a) { return gu__binary_scalar(OP, &a, s, 1); } \
    GU__DEF gu_tensor gu_r##X##_iscalar(int64_t s, gu_tensor a) { return gu__binary_iscalar(OP, &a, s, 1); }

GU__BINARY_DEFS(add, GU__ADD)
GU__BINARY_DEFS(sub, GU__SUB)
GU__BINARY_DEFS(mul, GU__MUL)
GU__BINARY_DEFS(div, GU__DIV)
GU__BINARY_DEFS(pow, GU__POW)
GU__BINARY_DEFS(maximum, GU__MAXIMUM)
GU__BINARY_DEFS(minimum, GU__MINIMUM)
GU__BINARY_DEFS(gt, GU__GT)
GU__BINARY_DEFS(lt, GU__LT)
GU__BINARY_DEFS(ge, GU__GE)
GU__BINARY_DEFS(le, GU__LE)
GU__BINARY_DEFS(eq, GU__EQ)
GU__BINARY_DEFS(ne, GU__NE)
GU__BINARY_DEFS(logical_and, GU__LAND)
GU__BINARY_DEFS(logical_or, GU__LOR)
GU__INPLACE_DEFS(add, GU__ADD)
GU__INPLACE_DEFS(sub, GU__SUB)
GU__INPLACE_DEFS(mul, GU__MUL)
GU__INPLACE_DEFS(div, GU__DIV)
GU__INPLACE_DEFS(pow, GU__POW)
GU__INPLACE_SCALAR_DEFS(add, GU__ADD)
GU__INPLACE_SCALAR_DEFS(sub, GU__SUB)
GU__INPLACE_SCALAR_DEFS(mul, GU__MUL)
GU__INPLACE_SCALAR_DEFS(div, GU__DIV)
GU__REVERSE_DEFS(sub, GU__SUB)
GU__REVERSE_DEFS(div, GU__DIV)
GU__REVERSE_DEFS(pow, GU__POW)
GU__REVERSE_DEFS(gt, GU__GT)
GU__REVERSE_DEFS(lt, GU__LT)
GU__REVERSE_DEFS(ge, GU__GE)
GU__REVERSE_DEFS(le, GU__LE)

// ---- unary ops ----
static int gu__unary_prep(gu__unop op, gu_tensor a, gu__ectx *c) {
    const char *name = gu__unop_names[op];
    gu_dtype ct;
    if (!gu__check_in(name, a)) return 0;
    ct = a.dtype;
    if (op == GU__SQRT || op == GU__EXP || op == GU__LOG) ct = GU_FLOAT32;  // integers -> float32
    memset(c, 0, sizeof *c);
    c->nin = 1;
    c->uk = gu__un_kernel_for(op, ct);
    if (!c->uk) {
        gu__seterr("%s: not supported for dtype %s (shape %s)%s", name, gu_dtype_name(a.dtype), GU__SHT(a),
                   op == GU__NEG ? "; to invert a mask use logical_not" : "");
        return 0;
    }
    c->cin[0] = ct;
    c->rt = op == GU__LNOT ? GU_BOOL : ct;
    return 1;
}
static gu_tensor gu__unary(gu__unop op, const gu_tensor *ap) {
    gu_tensor a = *ap;
    gu__ectx c;
    gu_tensor t[2];
    if (!gu__unary_prep(op, a, &c)) return gu__invalid();
    t[0] = gu__empty(gu__unop_names[op], c.rt, a.ndim, a.shape);
    if (!gu_ok(t[0])) return t[0];
    t[1] = a;
    gu__elementwise_run(&c, 2, t);
    return t[0];
}
static int gu__unary_into(gu__unop op, const gu_tensor *outp, const gu_tensor *ap, const char *name) {
    gu_tensor out = *outp, a = *ap;
    gu__ectx c;
    gu_tensor t[2], tmp;
    if (!gu__unary_prep(op, a, &c)) return -1;
    if ((op == GU__NEG || op == GU__ABS) && gu_ok(out) && out.dtype != a.dtype) {
        // PyTorch's neg and abs want out of the input's dtype ("Found dtype Float but expected Long")
        gu__seterr("%s: out has dtype %s, expected %s (the input's)", name, gu_dtype_name(out.dtype), gu_dtype_name(a.dtype));
        return -1;
    }
    if (!gu__check_out(name, out, a.ndim, a.shape, c.rt)) return -1;
    t[0] = out;
    if (gu__detach(name, out, a, a.ndim, a.shape, &t[1], &tmp) != 0) return -1;
    gu__elementwise_run(&c, 2, t);
    gu_free(&tmp);
    return 0;
}
#define GU__UNARY_DEFS(X, OP) \
    GU__DEF gu_tensor gu_##X(gu_tensor a) { return gu__unary(OP, &a); } \
    GU__DEF int gu_##X##_out(gu_tensor out, gu_tensor a) { return gu__unary_into(OP, &out, &a, #X "_out"); }
GU__UNARY_DEFS(neg, GU__NEG)
GU__UNARY_DEFS(abs, GU__ABS)
GU__UNARY_DEFS(sqrt, GU__SQRT)
GU__UNARY_DEFS(exp, GU__EXP)
GU__UNARY_DEFS(log, GU__LOG)
GU__UNARY_DEFS(logical_not, GU__LNOT)

// ---- where ----
static int gu__where_prep(const char *name, gu_tensor cond, gu_tensor a, gu_tensor b, gu__ectx *c, int *nd, int64_t *shape) {
    gu_tensor t[2];
    int prio[2], n1;
    int64_t s1[GU_MAX_DIMS];
    gu_dtype ct;
    size_t es;
    if (!gu__check_in(name, cond) || !gu__check_in(name, a) || !gu__check_in(name, b)) return 0;
    if (cond.dtype != GU_BOOL) {
        gu__seterr("%s: the condition must be a bool tensor, got %s %s", name, gu_dtype_name(cond.dtype), GU__SHT(cond));
        return 0;
    }
    t[0] = a; t[1] = b; prio[0] = gu__prio(a); prio[1] = gu__prio(b);
    ct = gu__result_type(2, t, prio);
    es = gu_dtype_size(ct);
    memset(c, 0, sizeof *c);
    c->nin = 3;
    c->wk = es == 1 ? gu__k_where1 : es == 4 ? gu__k_where4 : gu__k_where8;
    c->cin[0] = GU_BOOL;
    c->cin[1] = c->cin[2] = ct;
    c->rt = ct;
    if (!gu__bcast(name, cond.ndim, cond.shape, a.ndim, a.shape, &n1, s1)) return 0;
    return gu__bcast(name, n1, s1, b.ndim, b.shape, nd, shape);
}
GU__DEF gu_tensor gu_where(gu_tensor cond, gu_tensor a, gu_tensor b) {
    gu__ectx c;
    int nd;
    int64_t shape[GU_MAX_DIMS];
    gu_tensor t[4];
    if (!gu__where_prep("where", cond, a, b, &c, &nd, shape)) return gu__invalid();
    t[0] = gu__empty("where", c.rt, nd, shape);
    if (!gu_ok(t[0])) return t[0];
    t[1] = gu_expand(cond, nd, shape);
    t[2] = gu_expand(a, nd, shape);
    t[3] = gu_expand(b, nd, shape);
    gu__elementwise_run(&c, 4, t);
    return t[0];
}
GU__DEF int gu_where_out(gu_tensor out, gu_tensor cond, gu_tensor a, gu_tensor b) {
    gu__ectx c;
    int nd;
    int64_t shape[GU_MAX_DIMS];
    gu_tensor t[4], tmp[3];
    int k, rc = 0;
    if (!gu__where_prep("where_out", cond, a, b, &c, &nd, shape)) return -1;
    if (!gu__check_out("where_out", out, nd, shape, c.rt)) return -1;
    t[0] = out;
    tmp[0] = tmp[1] = tmp[2] = gu__invalid();
    for (k = 0; k < 3 && rc == 0; k++) rc = gu__detach("where_out", out, k == 0 ? cond : k == 1 ? a : b, nd, shape, &t[k + 1], &tmp[k]);
    if (rc == 0) gu__elementwise_run(&c, 4, t);
    for (k = 0; k < 3; k++) gu_free(&tmp[k]);
    return rc;
}

// ---- reductions ----
// A reduction of one strided run of n elements gives a gu__racc: f for float32 inputs
// (float64 accumulators), i for integer/bool inputs (int64, wrapping), arg the index of
// the chosen element for min/max/argmin/argmax.
typedef enum gu__redop { GU__RSUM, GU__RMEAN, GU__RPROD, GU__RMIN, GU__RMAX, GU__RARGMIN, GU__RARGMAX, GU__RSUMSQ } gu__redop;
static const char *const gu__redop_names[] = {"sum", "mean", "prod", "min", "max", "argmin", "argmax", "norm"};
typedef struct gu__racc { double f; int64_t i, arg; } gu__racc;

// Sum of n contiguous floats in float64: 32 independent accumulators (four AVX-512
// vectors' worth) so the loop runs at memory speed, then added pairwise.
static double gu__sum_f32_contig(const float *x, int64_t n, int squares) {
    double acc[32] = {0};
    int64_t i = 0;
    int j, w;
    if (squares) {
        for (; i + 32 <= n; i += 32)
            for (j = 0; j < 32; j++) acc[j] += (double)x[i + j] * (double)x[i + j];
        for (; i < n; i++) acc[i & 31] += (double)x[i] * (double)x[i];
    } else {
        for (; i + 32 <= n; i += 32)
            for (j = 0; j < 32; j++) acc[j] += (double)x[i + j];
        for (; i < n; i++) acc[i & 31] += (double)x[i];
    }
    for (w = 16; w >= 1; w /= 2)
        for (j = 0; j < w; j++) acc[j] += acc[j + w];
    return acc[0];
}

// Integer and bool runs: int64 accumulators, wrapping.
#define GU__IRED(NAME, T) \
static void NAME(gu__redop op, const T *x, int64_t n, int64_t s, gu__racc *r) { \
    int64_t k; \
    switch (op) { \
    case GU__RSUM: case GU__RMEAN: case GU__RSUMSQ: \
        for (k = 0; k < n; k++) { r->i = GU__WRAP(r->i, +, x[k * s]); } \
        break; \
    case GU__RPROD: \
        r->i = 1; \
        for (k = 0; k < n; k++) { r->i = GU__WRAP(r->i, *, x[k * s]); } \
        break; \
    case GU__RMIN: case GU__RARGMIN: \
        r->i = x[0]; \
        for (k = 1; k < n; k++) { if (x[k * s] < r->i) { r->i = x[k * s]; r->arg = k; } } \
        break; \
    case GU__RMAX: case GU__RARGMAX: \
        r->i = x[0]; \
        for (k = 1; k < n; k++) { if (x[k * s] > r->i) { r->i = x[k * s]; r->arg = k; } } \
        break; \
    } \
}
GU__IRED(gu__ired_i64, int64_t)
GU__IRED(gu__ired_u8, uint8_t)
#undef GU__IRED

static gu__racc gu__reduce_run(gu__redop op, gu_dtype dt, const char *p, int64_t n, int64_t s) {
    gu__racc r;
    int64_t k;
    r.f = 0;
    r.i = 0;
    r.arg = 0;
    if (dt == GU_FLOAT32) {
        const float *x = (const float *)p;
        switch (op) {
        case GU__RSUM: case GU__RMEAN: case GU__RSUMSQ:
            if (s == 1) r.f = gu__sum_f32_contig(x, n, op == GU__RSUMSQ);
            else if (op == GU__RSUMSQ) for (k = 0; k < n; k++) r.f += (double)x[k * s] * (double)x[k * s];
            else for (k = 0; k < n; k++) r.f += (double)x[k * s];
            break;
        case GU__RPROD:
            r.f = 1;
            for (k = 0; k < n; k++) r.f *= (double)x[k * s];
            break;
        case GU__RMIN: case GU__RARGMIN:
            r.f = x[0];
            for (k = 1; k < n && r.f == r.f; k++) {
                float v = x[k * s];
                if (v < r.f || v != v) { r.f = v; r.arg = k; }
            }
            break;
        case GU__RMAX: case GU__RARGMAX:
            r.f = x[0];
            for (k = 1; k < n && r.f == r.f; k++) {
                float v = x[k * s];
                if (v > r.f || v != v) { r.f = v; r.arg = k; }
            }
            break;
        }
        return r;
    }
    if (dt == GU_INT64) gu__ired_i64(op, (const int64_t *)p, n, s, &r);
    else gu__ired_u8(op, (const uint8_t *)p, n, s, &r);
    return r;
}

// Folds the partial result b (of a run starting at flat index off) into a.
static void gu__reduce_fold(gu__redop op, gu_dtype dt, gu__racc *a, gu__racc b, int64_t off) {
    int f = dt == GU_FLOAT32;
    switch (op) {
    case GU__RSUM: case GU__RMEAN: case GU__RSUMSQ:
        if (f) a->f += b.f; else a->i = GU__WRAP(a->i, +, b.i);
        break;
    case GU__RPROD:
        if (f) a->f *= b.f; else a->i = GU__WRAP(a->i, *, b.i);
        break;
    case GU__RMIN: case GU__RARGMIN:
        if (f ? (a->f == a->f && (b.f < a->f || b.f != b.f)) : b.i < a->i) { *a = b; a->arg += off; }
        break;
    case GU__RMAX: case GU__RARGMAX:
        if (f ? (a->f == a->f && (b.f > a->f || b.f != b.f)) : b.i > a->i) { *a = b; a->arg += off; }
        break;
    }
}

// The result dtype of op on dt, or GU_INVALID (with a message) where PyTorch has none.
static gu_dtype gu__reduce_dtype(gu__redop op, gu_tensor t) {
    const char *name = gu__redop_names[op];
    switch (op) {
    case GU__RSUM: case GU__RPROD: return t.dtype == GU_FLOAT32 ? GU_FLOAT32 : GU_INT64;
    case GU__RMEAN: case GU__RSUMSQ:
        if (t.dtype == GU_FLOAT32) return GU_FLOAT32;
        gu__seterr("%s: needs a float32 tensor, got %s %s (convert with gu_to(t, GU_FLOAT32))", name, gu_dtype_name(t.dtype), GU__SHT(t));
        return GU_INVALID;
    case GU__RMIN: case GU__RMAX: return t.dtype;
    case GU__RARGMIN: case GU__RARGMAX:
        if (t.dtype != GU_BOOL) return GU_INT64;
        gu__seterr("%s: not supported for bool (shape %s)", name, GU__SHT(t));
        return GU_INVALID;
    }
    return GU_INVALID;
}

// Writes the final value of r (over n elements) as element `pos` of out storage.
static void gu__reduce_store(gu__redop op, gu_dtype in, gu_tensor out, int64_t pos, gu__racc r, int64_t n) {
    switch (op) {
    case GU__RARGMIN: case GU__RARGMAX: ((int64_t *)out.base)[pos] = r.arg; return;
    case GU__RMEAN: ((float *)out.base)[pos] = (float)(r.f / (double)n); return;
    case GU__RSUMSQ: ((float *)out.base)[pos] = (float)sqrt(r.f); return;
    default: break;
    }
    if (in == GU_FLOAT32) ((float *)out.base)[pos] = (float)r.f;
    else if (out.dtype == GU_INT64) ((int64_t *)out.base)[pos] = r.i;
    else ((uint8_t *)out.base)[pos] = (uint8_t)r.i;  // min/max of uint8 or bool
}

// Over all elements: one run when contiguous, else the merged rows of gu__nloop.
typedef struct gu__redall_ctx { gu__redop op; gu_dtype dt; gu__racc acc; int64_t done; } gu__redall_ctx;
static void gu__redall_row(void *vctx, int64_t n, char **p, const int64_t *s) {
    gu__redall_ctx *c = (gu__redall_ctx *)vctx;
    gu__racc r = gu__reduce_run(c->op, c->dt, p[0], n, s[0]);
    if (c->done == 0) c->acc = r;
    else gu__reduce_fold(c->op, c->dt, &c->acc, r, c->done);
    c->done += n;
}
static gu_tensor gu__reduce_all(gu__redop op, const gu_tensor *tp) {
    gu_tensor t = *tp;
    const char *name = gu__redop_names[op];
    gu_dtype rdt;
    gu_tensor out;
    int64_t n;
    gu__redall_ctx c;
    if (!gu__check_in(name, t)) return gu__invalid();
    if ((rdt = gu__reduce_dtype(op, t)) == GU_INVALID) return gu__invalid();
    n = gu_numel(t);
    if (n == 0 && op >= GU__RMIN && op <= GU__RARGMAX) {
        gu__seterr("%s: the input of shape %s has no elements; give a dim to reduce", name, GU__SHT(t));
        return gu__invalid();
    }
    out = gu__empty(name, rdt, 0, NULL);
    if (!gu_ok(out)) return out;
    memset(&c, 0, sizeof c);
    c.op = op;
    c.dt = t.dtype;
    if (n == 0) {
        c.acc = gu__reduce_run(op, t.dtype, NULL, 0, 1);  // 0 for sum, 1 for prod
    } else if (gu_is_contiguous(t)) {
        c.acc = gu__reduce_run(op, t.dtype, (const char *)gu_data(t), n, 1);
    } else {
        gu__nloop L;
        gu__nloop_init(&L, 1, &t);
        gu__nloop_run(&L, gu__redall_row, &c);
    }
    gu__reduce_store(op, t.dtype, out, 0, c.acc, n);
    return out;
}

// Over one dim d. For contiguous inputs reduced over a dim that is not the last one
// (sum(0) of a (784, 10) matrix), each output row adds whole input rows, so the inner
// loop stays contiguous; otherwise each output element reduces its strided run.
static int gu__reduce_dim_into(gu__redop op, const gu_tensor *outp, const gu_tensor *tp, int dim, int keepdim, int alloc,
                               gu_tensor *res) {
    gu_tensor out = *outp, t = *tp;
    const char *name = gu__redop_names[op];
    gu_dtype rdt;
    int d, i, nd = 0;
    int64_t shape[GU_MAX_DIMS], L, nout;
    gu_tensor o, tv, tcopy = gu__invalid();
    if (!gu__check_in(name, t)) return -1;
    if ((d = gu__wrapdim(name, t, dim, 0)) < 0) return -1;
    if ((rdt = gu__reduce_dtype(op, t)) == GU_INVALID) return -1;
    L = t.ndim ? t.shape[d] : 1;
    for (i = 0; i < t.ndim; i++) {
        if (i != d) shape[nd++] = t.shape[i];
        else if (keepdim) shape[nd++] = 1;
    }
    if (L == 0 && op >= GU__RMIN && op <= GU__RARGMAX) {
        gu__seterr("%s: dim %d of shape %s has size 0; there is nothing to reduce", name, d, GU__SHT(t));
        return -1;
    }
    if (alloc) {
        o = gu__empty(name, rdt, nd, shape);
        if (!gu_ok(o)) return -1;
    } else {
        if (!gu__check_in(name, out)) return -1;
        if (out.ndim != nd || memcmp(out.shape, shape, (size_t)nd * sizeof shape[0]) != 0 || out.dtype != rdt) {
            gu__seterr("%s: out is %s %s, the result is %s %s", name, gu_dtype_name(out.dtype), GU__SHT(out), gu_dtype_name(rdt), gu__sh(nd, shape));
            return -1;
        }
        if (!gu_is_contiguous(out)) {
            gu__seterr("%s: out of shape %s must be contiguous", name, GU__SHT(out));
            return -1;
        }
        o = out;
        if (gu__overlap(out, t) != 0) {  // out is written while t is read: reduce a copy of t
            tcopy = gu_clone(t);
            if (!gu_ok(tcopy)) return -1;
            t = tcopy;
        }
    }
    nout = gu_numel(o);
    if (nout > 0) {
        int64_t opos = o.offset, inner = 1, outer = 1;
        for (i = d + 1; i < t.ndim; i++) inner *= t.shape[i];
        for (i = 0; i < d; i++) outer *= t.shape[i];
        if (t.ndim && gu_is_contiguous(t) && inner > 1 && L > 0 && (op == GU__RSUM || op == GU__RMEAN) && t.dtype == GU_FLOAT32) {
            // out[o, j] = sum_k t[o, k, j]: add rows of `inner` into float64 accumulators
            double acc[256];
            const float *x = (const float *)t.base + t.offset;
            int64_t oo, j0, k, j;
            for (oo = 0; oo < outer; oo++)
                for (j0 = 0; j0 < inner; j0 += 256) {
                    int64_t w = inner - j0 < 256 ? inner - j0 : 256;
                    for (j = 0; j < w; j++) acc[j] = 0;
                    for (k = 0; k < L; k++) {
                        const float *row = x + (oo * L + k) * inner + j0;
                        int64_t jb = 0;
                        for (; jb + 16 <= w; jb += 16)  // fixed-width blocks vectorise at -O2
                            for (j = 0; j < 16; j++) acc[jb + j] += (double)row[jb + j];
                        for (j = jb; j < w; j++) acc[j] += (double)row[j];
                    }
                    for (j = 0; j < w; j++)
                        ((float *)o.base)[opos + oo * inner + j0 + j] = (float)(op == GU__RMEAN ? acc[j] / (double)L : acc[j]);
                }
        } else {
            // each output element: its run of L elements with stride t.stride[d]
            gu__iter it;
            int64_t s = t.ndim ? t.stride[d] : 0, k;
            tv = t;
            if (t.ndim) {  // t without dim d: the start of every run, in output order
                for (i = d; i < t.ndim - 1; i++) { tv.shape[i] = t.shape[i + 1]; tv.stride[i] = t.stride[i + 1]; }
                tv.ndim--;
            }
            gu__iter_init(&it, tv);
            for (k = 0; k < nout; k++, gu__iter_next(&it)) {
                const char *p = L ? (const char *)t.base + it.pos * (int64_t)gu_dtype_size(t.dtype) : NULL;
                gu__reduce_store(op, t.dtype, o, opos + k, gu__reduce_run(op, t.dtype, p, L, s), L);
            }
        }
    }
    gu_free(&tcopy);
    if (res) *res = o;
    return 0;
}
static gu_tensor gu__reduce_dim(gu__redop op, const gu_tensor *tp, int dim, int keepdim) {
    gu_tensor r = gu__invalid(), none = r;
    if (gu__reduce_dim_into(op, &none, tp, dim, keepdim, 1, &r) < 0) return gu__invalid();
    return r;
}

#define GU__REDUCE_DEFS(X, OP) \
    GU__DEF gu_tensor gu_##X(gu_tensor t) { return gu__reduce_all(OP, &t); } \
    GU__DEF gu_tensor gu_##X##_dim(gu_tensor t, int dim, int keepdim) { return gu__reduce_dim(OP, &t, dim, keepdim); } \
    GU__DEF int gu_##X##_dim_out(gu_tensor out, gu_tensor t, int dim, int keepdim) { return gu__reduce_dim_into(OP, &out, &t, dim, keepdim, 0, NULL); }
GU__REDUCE_DEFS(sum, GU__RSUM)
GU__REDUCE_DEFS(mean, GU__RMEAN)
GU__REDUCE_DEFS(prod, GU__RPROD)
GU__REDUCE_DEFS(min, GU__RMIN)
GU__REDUCE_DEFS(max, GU__RMAX)
GU__REDUCE_DEFS(argmin, GU__RARGMIN)
GU__REDUCE_DEFS(argmax, GU__RARGMAX)
GU__DEF gu_tensor gu_norm(gu_tensor t) { return gu__reduce_all(GU__RSUMSQ, &t); }

// ---- test_close, allclose ----
// Walks a and b (broadcast) and finds the worst |a - b| (NaN counts as worst).
typedef struct gu__close_ctx {
    double eps, rtol, atol;
    int mode;        // 0: test_close (|a-b| < eps), 1: allclose
    int64_t done, bad, worst_i;
    double worst, wa, wb;
    gu_dtype da, db;
    int ints;        // both integer dtypes (int64, uint8, bool): compared exactly
    int f32;         // both float32: |a - b| as float32 must be finite (PyTorch's rule)
} gu__close_ctx;
static void gu__close_row(void *vctx, int64_t n, char **p, const int64_t *s) {
    gu__close_ctx *c = (gu__close_ctx *)vctx;
    int64_t k;
    for (k = 0; k < n; k++) {
        double x = gu__load(c->da, p[1], k * s[1]), y = gu__load(c->db, p[2], k * s[2]), diff = fabs(x - y);
        int ok;
        if (c->ints) {   // two integer tensors: equal and the difference exactly, past 2^53 too
            int64_t xi = gu__load_i64(c->da, p[1], k * s[1]), yi = gu__load_i64(c->db, p[2], k * s[2]);
            uint64_t d = xi >= yi ? (uint64_t)xi - (uint64_t)yi : (uint64_t)yi - (uint64_t)xi;
            diff = (double)d;
            ok = xi == yi || (c->mode == 0 ? diff < c->eps : diff <= c->atol + c->rtol * fabs(y));
        } else if (c->mode == 0) ok = diff < c->eps;
        else   // 1 vs inf: not close; nor, as PyTorch's float32 error, a difference past FLT_MAX
            ok = x == y || (diff <= c->atol + c->rtol * fabs(y) && (c->f32 ? fabsf((float)(x - y)) : diff) < INFINITY);
        if (!ok) {
            double score = diff != diff ? INFINITY : diff;
            if (c->bad == 0 || score > c->worst) { c->worst = score; c->worst_i = c->done + k; c->wa = x; c->wb = y; }
            c->bad++;
        }
    }
    c->done += n;
}
static int gu__close(const char *name, gu_tensor a, gu_tensor b, gu__close_ctx *c) {
    int nd, d;
    int64_t shape[GU_MAX_DIMS], idx[GU_MAX_DIMS], rem;
    gu_tensor t[3];
    gu__nloop L;
    char where[256];
    size_t len = 0;
    if (!gu__check_in(name, a) || !gu__check_in(name, b)) return 0;
    if (!gu__bcast(name, a.ndim, a.shape, b.ndim, b.shape, &nd, shape)) return 0;
    t[1] = gu_expand(a, nd, shape);
    t[2] = gu_expand(b, nd, shape);
    t[0] = t[1];  // the loop needs an "output": a's view, only read
    c->da = a.dtype;
    c->db = b.dtype;
    c->ints = a.dtype != GU_FLOAT32 && b.dtype != GU_FLOAT32;
    c->f32 = a.dtype == GU_FLOAT32 && b.dtype == GU_FLOAT32;
    gu__nloop_init(&L, 3, t);
    gu__nloop_run(&L, gu__close_row, c);
    if (c->bad == 0) return 1;
    rem = c->worst_i;
    for (d = nd - 1; d >= 0; d--) { idx[d] = rem % shape[d]; rem /= shape[d]; }
    where[0] = 0;
    for (d = 0; d < nd && len < sizeof where; d++)
        len += (size_t)snprintf(where + len, sizeof where - len, "%s%" PRId64, d ? ", " : "", idx[d]);
    if (c->mode == 0)
        gu__seterr("%s: %" PRId64 " of %" PRId64 " elements differ by eps=%g or more (shapes %s and %s); worst at [%s]: %.9g vs %.9g (|diff| %.3g)",
                   name, c->bad, c->done, c->eps, GU__SHT(a), GU__SHT(b), where, c->wa, c->wb, fabs(c->wa - c->wb));
    else
        gu__seterr("%s: %" PRId64 " of %" PRId64 " elements are not close (rtol=%g, atol=%g; shapes %s and %s); worst at [%s]: %.9g vs %.9g (|diff| %.3g)",
                   name, c->bad, c->done, c->rtol, c->atol, GU__SHT(a), GU__SHT(b), where, c->wa, c->wb, fabs(c->wa - c->wb));
    return 0;
}
GU__DEF int gu_test_close(gu_tensor a, gu_tensor b, double eps) {
    gu__close_ctx c;
    memset(&c, 0, sizeof c);
    c.eps = eps;
    return gu__close("test_close", a, b, &c);
}
GU__DEF int gu_allclose(gu_tensor a, gu_tensor b, double rtol, double atol) {
    gu__close_ctx c;
    memset(&c, 0, sizeof c);
    c.mode = 1;
    c.rtol = rtol;
    c.atol = atol;
    if (!(rtol >= 0) || !(atol >= 0)) {   // PyTorch refuses them too; NaN is no tolerance
        gu__seterr("allclose: rtol (%g) and atol (%g) must be >= 0", rtol, atol);
        return 0;
    }
    if (gu_ok(a) && gu_ok(b) && a.dtype != b.dtype) {   // as PyTorch ("Long did not match Float")
        gu__seterr("allclose: the dtypes differ (%s and %s); convert one with gu_to", gu_dtype_name(a.dtype), gu_dtype_name(b.dtype));
        return 0;
    }
    return gu__close("allclose", a, b, &c);
}

// >>random --------------------------------------------------------------------------------

// ---- Wichmann-Hill, line for line the lesson's seed() and rand() ----
static gu_wh_state gu__rnd_state = {1, 1, 1};

GU__DEF void gu_wh_seed(gu_wh_state *s, uint64_t a) {
    // a, x = divmod(a, 30268); a, y = divmod(a, 30306); a, z = divmod(a, 30322)
    uint64_t x = a % 30268; a /= 30268;
    uint64_t y = a % 30306; a /= 30306;
    uint64_t z = a % 30322;
    if (!s) { gu__seterr("wh_seed: state is NULL"); return; }
    s->x = (int)x + 1;
    s->y = (int)y + 1;
    s->z = (int)z + 1;
}
// Python rounds every quotient and every partial sum to a double. A 32-bit x86 build without
// SSE2 (FLT_EVAL_METHOD 2) computes in the x87's 80-bit registers: a double rounded twice,
// first to 64 bits then to 53, can differ from one rounded once, and the sum may stay in 80
// bits. So there the x87 is switched to 53-bit precision for the few operations (every one
// then rounds exactly as an IEEE double), and each term is stored in a volatile double.
#if (defined(__i386__) || defined(_M_IX86)) && !defined(__SSE2_MATH__) && !defined(_M_IX86_FP) && \
    (defined(__GNUC__) || defined(__clang__) || defined(__TINYC__))
#define GU__X87_DOUBLE_BEGIN                                                                \
    unsigned short gu__cw_old, gu__cw_new;                                                  \
    __asm__ __volatile__("fnstcw %0" : "=m"(gu__cw_old));                                   \
    gu__cw_new = (unsigned short)((gu__cw_old & ~0x300u) | 0x200u); /* precision: double */ \
    __asm__ __volatile__("fldcw %0" : : "m"(gu__cw_new))
#define GU__X87_DOUBLE_END __asm__ __volatile__("fldcw %0" : : "m"(gu__cw_old))
#else
#define GU__X87_DOUBLE_BEGIN (void)0
#define GU__X87_DOUBLE_END (void)0
#endif
GU__DEF double gu_wh_rand(gu_wh_state *s) {
    volatile double tx, ty, tz, sum;
    if (!s) { gu__seterr("wh_rand: state is NULL"); return NAN; }
    s->x = (171 * s->x) % 30269;
    s->y = (172 * s->y) % 30307;
    s->z = (170 * s->z) % 30323;
    {
        GU__X87_DOUBLE_BEGIN;
        tx = s->x / 30269.0;   // x/30269.0 + y/30307.0 + z/30323.0, one rounding per step
        ty = s->y / 30307.0;
        tz = s->z / 30323.0;
        sum = tx + ty;
        sum = sum + tz;
        GU__X87_DOUBLE_END;
    }
    // Python's float % 1.0 of a positive sum is fmod: the fractional part, exactly.
    return fmod(sum, 1.0);
}
GU__DEF void gu_seed(uint64_t a) { gu_wh_seed(&gu__rnd_state, a); }
GU__DEF double gu_rand(void) { return gu_wh_rand(&gu__rnd_state); }
GU__DEF gu_wh_state gu_rnd_state(void) { return gu__rnd_state; }

// ---- mt19937, as PyTorch's at::mt19937 (the standard one) ----
#define GU__MT_N 624
#define GU__MT_M 397

GU__DEF void gu_generator_seed(gu_generator *g, uint64_t seed) {
    int i;
    if (!g) { gu__seterr("generator_seed: generator is NULL"); return; }
    g->state[0] = (uint32_t)(seed & 0xffffffffu);
    for (i = 1; i < GU__MT_N; i++)
        g->state[i] = 1812433253u * (g->state[i - 1] ^ (g->state[i - 1] >> 30)) + (uint32_t)i;
    g->next = GU__MT_N;
    g->seed = seed;
    g->has_normal = 0;  // torch's manual_seed drops the cached normal too
    g->normal = 0;
}

// One step of the recurrence: word i from words i, i+1 and i+397 (mod 624).
static uint32_t gu__mt_step(uint32_t cur, uint32_t nxt, uint32_t ahead) {
    uint32_t y = (cur & 0x80000000u) | (nxt & 0x7fffffffu);
    return ahead ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
}
// The reference twist: all 624 words at once.
static void gu__mt_twist_ref(uint32_t *mt) {
    int i;
    for (i = 0; i < GU__MT_N; i++)
        mt[i] = gu__mt_step(mt[i], mt[(i + 1) % GU__MT_N], mt[(i + GU__MT_M) % GU__MT_N]);
}
static uint32_t gu__mt_temper(uint32_t y) {
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

#ifdef GU__X86_SIMD
// The fills' level from the instruction set in use (gu_set_kernel): 0 scalar (the reference),
// 1 AVX2+FMA, 2 AVX-512 too.
static int gu__rnd_level(void) {
    int isa = gu__isa();
    return isa == GU__ISA_AVX512 ? 2 : isa == GU__ISA_AVX2 ? 1 : 0;
}
static int gu__rnd_have_avx2(void) { return gu__rnd_level() >= 1; }
#define GU__AVX2 __attribute__((target("avx2,fma")))
#define GU__AVX512 __attribute__((target("avx512f,avx2,fma")))
// The vector vocabulary. Each SIMD body of >>random and >>gemm is written once, as a macro
// taking the prefix V (GU__V256: AVX2 + FMA, 8 lanes; GU__V512: AVX-512, 16 lanes) that it
// pastes onto these words: V##_FMA(x, y, z) is _mm256_fmadd_ps or _mm512_fmadd_ps. Each word
// is defined for both sets, side by side; where the sets differ (AVX-512's masks are mask
// registers, AVX2's vectors of all-ones lanes), the difference is here, not in the bodies.
//   TARGET, INL          the functions' attribute; the same for helpers always inlined
//   VF, VI, LANES        a vector of LANES floats; of LANES int32s (the I* words)
//   VM, FIRST(w)         a mask for loads and stores: lanes [0, w) (all for w >= LANES, none
//                        for w <= 0); LOADM, STOREM load and store a mask's lanes only,
//                        LOADALL, STOREALL all of them (m not read: a body takes either pair)
//   LOAD, STOREU         an aligned load, an unaligned store (ILOADU, ISTOREU for ints)
//   BCAST(p, i, j)       p[i + j] in every lane: AVX2 from the address p + i + j, AVX-512 from
//                        the element, each as its kernel was tuned (the same value; the
//                        compilers allocate registers differently for the two forms)
//   BITS, FLOAT          floats as int bits and back; CVT, CVTT int to float, float to int
//   AND, OR, XOR         on the bits of floats
//   VB, CMP, ICMPEQ      a comparison and its result
//   SELZ(m, x)           x where m, 0 elsewhere; SELNZ(m, x) the other way round; ONES(x, m)
//                        all bits set (a NaN) where m
//   ODD(i, one)          the lanes where i is odd (one: ISET1(1)); IXOR_WHERE(i, m, k) i ^ k
//                        where m, i elsewhere
#define GU__V256_TARGET GU__AVX2
#define GU__V512_TARGET GU__AVX512
#define GU__V256_INL static inline __attribute__((always_inline, target("avx2,fma")))
#define GU__V512_INL static inline __attribute__((always_inline, target("avx512f,avx2,fma")))
#define GU__V256_LANES 8
#define GU__V512_LANES 16
#define GU__V256_VF __m256
#define GU__V512_VF __m512
#define GU__V256_VM __m256i
#define GU__V512_VM __mmask16
#define GU__V256_ZERO() _mm256_setzero_ps()
#define GU__V512_ZERO() _mm512_setzero_ps()
#define GU__V256_SET1(x) _mm256_set1_ps(x)
#define GU__V512_SET1(x) _mm512_set1_ps(x)
#define GU__V256_BCAST(p, i, j) _mm256_broadcast_ss((p) + (i) + (j))
#define GU__V512_BCAST(p, i, j) _mm512_set1_ps((p)[(i) + (j)])
#define GU__V256_LOAD(p) _mm256_load_ps(p)
#define GU__V512_LOAD(p) _mm512_load_ps(p)
#define GU__V256_LOADALL(p, m) _mm256_loadu_ps(p)
#define GU__V512_LOADALL(p, m) _mm512_loadu_ps(p)
#define GU__V256_STOREALL(p, m, x) _mm256_storeu_ps(p, x)
#define GU__V512_STOREALL(p, m, x) _mm512_storeu_ps(p, x)
#define GU__V256_STOREU(p, x) _mm256_storeu_ps(p, x)
#define GU__V512_STOREU(p, x) _mm512_storeu_ps(p, x)
#define GU__V256_ILOADU(p) _mm256_loadu_si256((const __m256i *)(p))
#define GU__V512_ILOADU(p) _mm512_loadu_si512((const void *)(p))
#define GU__V256_ISTOREU(p, i) _mm256_storeu_si256((__m256i *)(p), i)
#define GU__V512_ISTOREU(p, i) _mm512_storeu_si512((void *)(p), i)
#define GU__V256_LOADM(p, m) _mm256_maskload_ps(p, m)
#define GU__V512_LOADM(p, m) _mm512_maskz_loadu_ps(m, p)
#define GU__V256_STOREM(p, m, x) _mm256_maskstore_ps(p, m, x)
#define GU__V512_STOREM(p, m, x) _mm512_mask_storeu_ps(p, m, x)
#define GU__V256_FIRST(w) _mm256_loadu_si256((const __m256i *)(gu__mask8 + 8 - ((w) >= 8 ? 8 : (w) <= 0 ? 0 : (w))))
#define GU__V512_FIRST(w) ((__mmask16)((w) >= 16 ? 0xFFFF : (w) <= 0 ? 0 : (1u << (w)) - 1))
#define GU__V256_ADD(x, y) _mm256_add_ps(x, y)
#define GU__V512_ADD(x, y) _mm512_add_ps(x, y)
#define GU__V256_MUL(x, y) _mm256_mul_ps(x, y)
#define GU__V512_MUL(x, y) _mm512_mul_ps(x, y)
#define GU__V256_FMA(x, y, z) _mm256_fmadd_ps(x, y, z)
#define GU__V512_FMA(x, y, z) _mm512_fmadd_ps(x, y, z)
#define GU__V256_VI __m256i
#define GU__V512_VI __m512i
#define GU__V256_VB __m256
#define GU__V512_VB __mmask16
#define GU__V256_SUB(x, y) _mm256_sub_ps(x, y)
#define GU__V512_SUB(x, y) _mm512_sub_ps(x, y)
#define GU__V256_MAX(x, y) _mm256_max_ps(x, y)
#define GU__V512_MAX(x, y) _mm512_max_ps(x, y)
#define GU__V256_FNMADD(x, y, z) _mm256_fnmadd_ps(x, y, z)
#define GU__V512_FNMADD(x, y, z) _mm512_fnmadd_ps(x, y, z)
#define GU__V256_FMSUB(x, y, z) _mm256_fmsub_ps(x, y, z)
#define GU__V512_FMSUB(x, y, z) _mm512_fmsub_ps(x, y, z)
#define GU__V256_CVT(i) _mm256_cvtepi32_ps(i)
#define GU__V512_CVT(i) _mm512_cvtepi32_ps(i)
#define GU__V256_CVTT(x) _mm256_cvttps_epi32(x)
#define GU__V512_CVTT(x) _mm512_cvttps_epi32(x)
#define GU__V256_BITS(x) _mm256_castps_si256(x)
#define GU__V512_BITS(x) _mm512_castps_si512(x)
#define GU__V256_FLOAT(i) _mm256_castsi256_ps(i)
#define GU__V512_FLOAT(i) _mm512_castsi512_ps(i)
#define GU__V256_AND(x, y) _mm256_and_ps(x, y)
#define GU__V512_AND(x, y) _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(x), _mm512_castps_si512(y)))
#define GU__V256_OR(x, y) _mm256_or_ps(x, y)
#define GU__V512_OR(x, y) _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(x), _mm512_castps_si512(y)))
#define GU__V256_XOR(x, y) _mm256_xor_ps(x, y)
#define GU__V512_XOR(x, y) _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), _mm512_castps_si512(y)))
#define GU__V256_ISET1(v) _mm256_set1_epi32((int)(v))
#define GU__V512_ISET1(v) _mm512_set1_epi32((int)(v))
#define GU__V256_IZERO() _mm256_setzero_si256()
#define GU__V512_IZERO() _mm512_setzero_si512()
#define GU__V256_IADD(i, j) _mm256_add_epi32(i, j)
#define GU__V512_IADD(i, j) _mm512_add_epi32(i, j)
#define GU__V256_ISUB(i, j) _mm256_sub_epi32(i, j)
#define GU__V512_ISUB(i, j) _mm512_sub_epi32(i, j)
#define GU__V256_IAND(i, j) _mm256_and_si256(i, j)
#define GU__V512_IAND(i, j) _mm512_and_si512(i, j)
#define GU__V256_IOR(i, j) _mm256_or_si256(i, j)
#define GU__V512_IOR(i, j) _mm512_or_si512(i, j)
#define GU__V256_IXOR(i, j) _mm256_xor_si256(i, j)
#define GU__V512_IXOR(i, j) _mm512_xor_si512(i, j)
#define GU__V256_IANDNOT(i, j) _mm256_andnot_si256(i, j)
#define GU__V512_IANDNOT(i, j) _mm512_andnot_si512(i, j)
#define GU__V256_SLLI(i, n) _mm256_slli_epi32(i, n)
#define GU__V512_SLLI(i, n) _mm512_slli_epi32(i, n)
#define GU__V256_SRLI(i, n) _mm256_srli_epi32(i, n)
#define GU__V512_SRLI(i, n) _mm512_srli_epi32(i, n)
#define GU__V256_CMP(x, y, op) _mm256_cmp_ps(x, y, op)
#define GU__V512_CMP(x, y, op) _mm512_cmp_ps_mask(x, y, op)
#define GU__V256_ICMPEQ(i, j) _mm256_castsi256_ps(_mm256_cmpeq_epi32(i, j))
#define GU__V512_ICMPEQ(i, j) _mm512_cmpeq_epi32_mask(i, j)
#define GU__V256_SELZ(m, x) _mm256_and_ps(x, m)
#define GU__V512_SELZ(m, x) _mm512_maskz_mov_ps(m, x)
#define GU__V256_SELNZ(m, x) _mm256_andnot_ps(m, x)
#define GU__V512_SELNZ(m, x) _mm512_maskz_mov_ps((__mmask16)~(m), x)
#define GU__V256_ONES(x, m) _mm256_or_ps(x, m)
#define GU__V512_ONES(x, m) _mm512_mask_mov_ps(x, m, _mm512_castsi512_ps(_mm512_set1_epi32(-1)))
#define GU__V256_ODD(i, one) _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(i, one), one))
#define GU__V512_ODD(i, one) _mm512_test_epi32_mask(i, one)
#define GU__V256_IXOR_WHERE(i, m, k) _mm256_xor_si256(i, _mm256_and_si256(_mm256_castps_si256(m), k))
#define GU__V512_IXOR_WHERE(i, m, k) _mm512_mask_xor_epi32(i, m, i, k)
// LANES steps of the recurrence at once (the twist) and the tempering of LANES words,
// written once for both instruction sets. Word i + LANES is read before word i is written,
// and the partner words are 397 ahead (old) or 227 behind (already new): no lane depends on
// another.
#define GU__MT_TWIST(V, NAME) \
V##_TARGET static void NAME(uint32_t *mt) { \
    const V##_VI upper = V##_ISET1(0x80000000u), lower = V##_ISET1(0x7fffffff); \
    const V##_VI one = V##_ISET1(1), matrix = V##_ISET1(0x9908b0dfu); \
    int i = 0; \
    for (;;) { \
        int lim = i < GU__MT_N - GU__MT_M ? GU__MT_N - GU__MT_M : GU__MT_N - 1; \
        for (; i + V##_LANES <= lim; i += V##_LANES) { \
            int ahead = i < GU__MT_N - GU__MT_M ? i + GU__MT_M : i + GU__MT_M - GU__MT_N; \
            V##_VI cur = V##_ILOADU(mt + i); \
            V##_VI nxt = V##_ILOADU(mt + i + 1); \
            V##_VI fa = V##_ILOADU(mt + ahead); \
            V##_VI y = V##_IOR(V##_IAND(cur, upper), V##_IAND(nxt, lower)); \
            V##_VB odd = V##_ODD(y, one); \
            V##_VI r = V##_IXOR(fa, V##_SRLI(y, 1)); \
            V##_ISTOREU(mt + i, V##_IXOR_WHERE(r, odd, matrix)); \
        } \
        for (; i < lim; i++) mt[i] = gu__mt_step(mt[i], mt[i + 1], mt[(i + GU__MT_M) % GU__MT_N]); \
        if (lim == GU__MT_N - 1) break; \
    } \
    mt[GU__MT_N - 1] = gu__mt_step(mt[GU__MT_N - 1], mt[0], mt[GU__MT_M - 1]); \
}
#define GU__MT_TEMPER(V, NAME) \
V##_TARGET static V##_VI NAME(V##_VI y) { \
    y = V##_IXOR(y, V##_SRLI(y, 11)); \
    y = V##_IXOR(y, V##_IAND(V##_SLLI(y, 7), V##_ISET1(0x9d2c5680u))); \
    y = V##_IXOR(y, V##_IAND(V##_SLLI(y, 15), V##_ISET1(0xefc60000u))); \
    return V##_IXOR(y, V##_SRLI(y, 18)); \
}
GU__MT_TWIST(GU__V256, gu__mt_twist_avx2)
GU__MT_TEMPER(GU__V256, gu__mt_temper8)
#endif

static void gu__mt_twist(uint32_t *mt) {
#ifdef GU__X86_SIMD
    if (gu__rnd_have_avx2()) { gu__mt_twist_avx2(mt); return; }  // (one twist per 624 words)
#endif
    gu__mt_twist_ref(mt);
}

GU__DEF uint32_t gu_generator_random(gu_generator *g) {
    if (!g) { gu__seterr("generator_random: generator is NULL"); return 0; }
    if (g->next >= GU__MT_N) { gu__mt_twist(g->state); g->next = 0; }
    return gu__mt_temper(g->state[g->next++]);
}
GU__DEF uint64_t gu_generator_random64(gu_generator *g) {
    uint64_t hi;
    if (!g) { gu__seterr("generator_random64: generator is NULL"); return 0; }
    hi = gu_generator_random(g);
    uint64_t lo = gu_generator_random(g);
    return (hi << 32) | lo;
}

// torch's default seed, what a fresh process has before any manual_seed.
#define GU__TORCH_DEFAULT_SEED UINT64_C(67280421310721)
static gu_generator gu__default_gen;
static int gu__default_gen_ready;
GU__DEF gu_generator *gu_default_generator(void) {
    if (!gu__default_gen_ready) {
        gu_generator_seed(&gu__default_gen, GU__TORCH_DEFAULT_SEED);
        gu__default_gen_ready = 1;
    }
    return &gu__default_gen;
}
GU__DEF void gu_manual_seed(uint64_t seed) {
    gu_generator_seed(&gu__default_gen, seed);
    gu__default_gen_ready = 1;
}
GU__DEF uint64_t gu_initial_seed(void) { return gu_default_generator()->seed; }

// ---- uniform floats: the low 24 bits of a word, times 2^-24 (exact in float) ----
static float gu__u24(uint32_t w) { return (float)(w & 0xffffffu) * (1.0f / 16777216.0f); }

static void gu__uniform_ref(gu_generator *g, float *out, int64_t n) {
    int64_t i;
    for (i = 0; i < n; i++) out[i] = gu__u24(gu_generator_random(g));
}
#ifdef GU__X86_SIMD
// uniform floats, LANES at a time: the tempered words' low 24 bits, times 2^-24.
#define GU__UNIFORM(V, NAME, TWIST, TEMPER) \
V##_TARGET static void NAME(gu_generator *g, float *out, int64_t n) { \
    const V##_VI mask = V##_ISET1(0xffffff); \
    const V##_VF scale = V##_SET1(1.0f / 16777216.0f); \
    int64_t i = 0; \
    while (i < n) { \
        if (g->next >= GU__MT_N) { TWIST(g->state); g->next = 0; } \
        /* the words left in this state, LANES at a time */ \
        while (i + V##_LANES <= n && g->next + V##_LANES <= GU__MT_N) { \
            V##_VI w = TEMPER(V##_ILOADU(g->state + g->next)); \
            V##_STOREU(out + i, V##_MUL(V##_CVT(V##_IAND(w, mask)), scale)); \
            g->next += V##_LANES; \
            i += V##_LANES; \
        } \
        while (i < n && g->next < GU__MT_N) out[i++] = gu__u24(gu__mt_temper(g->state[g->next++])); \
    } \
}
GU__UNIFORM(GU__V256, gu__uniform_avx2, gu__mt_twist_avx2, gu__mt_temper8)
#endif
#ifdef GU__X86_SIMD
// The same with 16 lanes: the twist (16 steps at once; the far words stay 227 behind or 397
// ahead), the tempering and the conversion.
GU__MT_TWIST(GU__V512, gu__mt_twist_avx512)
GU__MT_TEMPER(GU__V512, gu__mt_temper16)
GU__UNIFORM(GU__V512, gu__uniform_avx512, gu__mt_twist_avx512, gu__mt_temper16)
#endif
static void gu__uniform(gu_generator *g, float *out, int64_t n) {
#ifdef GU__X86_SIMD
    if (gu__rnd_level() >= 2) { gu__uniform_avx512(g, out, n); return; }
    if (gu__rnd_have_avx2()) { gu__uniform_avx2(g, out, n); return; }
#endif
    gu__uniform_ref(g, out, n);
}

// ---- normal: Box-Muller, as torch's CPU kernels do it ----
// Fewer than 16 elements: at::normal_distribution<double>, one element per call, the sin
// half cached in the generator.
static double gu__normal_scalar(gu_generator *g) {
    double u1, u2, r, theta;
    if (g->has_normal) { g->has_normal = 0; return g->normal; }
    u1 = (double)(gu_generator_random64(g) & ((UINT64_C(1) << 53) - 1)) * (1.0 / 9007199254740992.0);
    u2 = (double)(gu_generator_random64(g) & ((UINT64_C(1) << 53) - 1)) * (1.0 / 9007199254740992.0);
    r = sqrt(-2.0 * log(1.0 - u2));
    theta = 2.0 * 3.14159265358979323846 * u1;
    g->normal = r * sin(theta);
    g->has_normal = 1;
    return r * cos(theta);
}

// 16 or more: blocks of 16 in float. The log and sincos are the Cephes polynomials of
// PyTorch's avx_mathfun.h. PyTorch's GCC build fuses some of their multiply-adds; those are
// written here as explicit fmaf, and no other product feeds a sum, so a compiler's own
// contraction (-ffp-contract=fast) has nothing left to change: the bits do not depend on
// the compiler or its flags (-ffast-math excepted: it may reorder).
static const float gu__log_p[9] = {7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f,
                                   -1.2420140846E-1f, 1.4249322787E-1f, -1.6668057665E-1f,
                                   2.0000714765E-1f, -2.4999993993E-1f, 3.3333331174E-1f};
#define GU__LOG_Q1 (-2.12194440e-4f)
#define GU__LOG_Q2 0.693359375f
#define GU__SQRTHF 0.707106781186547524f
#define GU__FOPI 1.27323954473516f  // 4/pi
#define GU__DP1 0.78515625f         // pi/4 in three parts
#define GU__DP2 2.4187564849853515625e-4f
#define GU__DP3 3.77489497744594108e-8f
#define GU__SIN_P0 (-1.9515295891E-4f)
#define GU__SIN_P1 8.3321608736E-3f
#define GU__SIN_P2 (-1.6666654611E-1f)
#define GU__COS_P0 2.443315711809948E-005f
#define GU__COS_P1 (-1.388731625493765E-003f)
#define GU__COS_P2 4.166664568298827E-002f
#define GU__TWO_PI_F ((float)(2.0 * 3.14159265358979323846))

static uint32_t gu__fbits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static float gu__bitsf(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }

// The reference lanes below use fmaf() where the vector kernels use the FMA instruction, so
// it must round once. mingw-w64's fmaf() rounds the product first (a quarter of random
// inputs differ). There, the product is formed exactly in double (24 + 24 bits fit in 53),
// the sum rounded to double, and a sum that landed exactly halfway between two floats is
// moved one step toward the exact value (its rounding error, by Knuth's two-sum), so the
// rounding to float goes the way a single rounding would.
#if defined(__MINGW32__) && !defined(__FMA__)
static float gu__fmaf(float x, float y, float z) {
    double xy = (double)x * y, s = xy + z, zz = s - xy, err = (xy - (s - zz)) + (z - zz);
    uint64_t u;
    memcpy(&u, &s, sizeof u);
    if ((u & 0x1fffffffu) == 0x10000000u && err != 0) {   // halfway between two floats
        u = (err > 0) == (s > 0) ? u + 1 : u - 1;
        memcpy(&s, &u, sizeof s);
    }
    return (float)s;
}
#else
#define gu__fmaf fmaf
#endif

// log(x) for x in (0, 1], one lane of log256_ps: x = m * 2^e with m in [sqrt(1/2), sqrt(2)).
static float gu__cephes_logf(float x) {
    float e, y, z, tmp = 0.0f;
    uint32_t bits;
    int i;
    if (!(x > 0.0f)) return gu__bitsf(0xffffffffu);  // the kernel's NaN
    if (x < 1.17549435e-38f) x = 1.17549435e-38f;
    bits = gu__fbits(x);
    e = (float)((int32_t)(bits >> 23) - 127);
    x = gu__bitsf((bits & ~0x7f800000u) | 0x3f000000u);  // mantissa, in [0.5, 1)
    e = e + 1.0f;
    if (x < GU__SQRTHF) { tmp = x; e = e - 1.0f; }
    x = x - 1.0f;
    x = x + tmp;
    z = x * x;
    y = gu__log_p[0];
    for (i = 1; i < 9; i++) y = gu__fmaf(y, x, gu__log_p[i]);
    y = y * x;
    y = gu__fmaf(y, z, e * GU__LOG_Q1);
    y = gu__fmaf(-z, 0.5f, y);
    x = x + y;
    return gu__fmaf(e, GU__LOG_Q2, x);
}
// sin and cos of x, one lane of sincos256_ps: reduce by pi/4 in three parts, then one of
// two polynomials by octant.
static void gu__cephes_sincosf(float x, float *s, float *c) {
    uint32_t sign_sin = gu__fbits(x) & 0x80000000u, sign_cos;
    int32_t j;
    float y, z, yc, ys, ys1, ys2;
    int poly;
    x = fabsf(x);
    y = x * GU__FOPI;
    j = (int32_t)y;
    j = (j + 1) & ~1;
    y = (float)j;
    sign_sin ^= (uint32_t)(j & 4) << 29;
    poly = (j & 2) == 0;
    sign_cos = (uint32_t)(~(j - 2) & 4) << 29;
    x = gu__fmaf(y, -GU__DP1, x);
    x = gu__fmaf(y, -GU__DP2, x);
    x = gu__fmaf(y, -GU__DP3, x);
    z = x * x;
    yc = gu__fmaf(GU__COS_P0, z, GU__COS_P1);
    yc = gu__fmaf(yc, z, GU__COS_P2);
    yc = yc * z;
    yc = gu__fmaf(yc, z, -(z * 0.5f));
    yc = yc + 1.0f;
    ys = gu__fmaf(GU__SIN_P0, z, GU__SIN_P1);
    ys = gu__fmaf(ys, z, GU__SIN_P2);
    ys = ys * z;
    ys = gu__fmaf(ys, x, x);
    // select the polynomials by masks, as the kernel does (the adds of +0 included)
    ys2 = poly ? ys : 0.0f;
    ys1 = poly ? 0.0f : yc;
    ys = ys - ys2;
    yc = yc - ys1;
    *s = gu__bitsf(gu__fbits(ys1 + ys2) ^ sign_sin);
    *c = gu__bitsf(gu__fbits(yc + ys) ^ sign_cos);
}
// d[0..16) holds uniforms; becomes 16 normals: d[j] = r cos, d[j+8] = r sin.
static void gu__normal16_ref(float *d, float mean, float std) {
    int j;
    for (j = 0; j < 8; j++) {
        float u1 = 1.0f - d[j], u2 = d[j + 8], r, theta, s, c;
        r = sqrtf(-2.0f * gu__cephes_logf(u1));
        theta = GU__TWO_PI_F * u2;
        gu__cephes_sincosf(theta, &s, &c);
        d[j] = gu__fmaf(r * c, std, mean);
        d[j + 8] = gu__fmaf(r * s, std, mean);
    }
}

#ifdef GU__X86_SIMD
#define GU__S8(v) _mm256_set1_ps(v)
// Cephes' logf and sincosf (the reference's gu__cephes_logf, gu__cephes_sincosf) on LANES
// values at once, written once for both instruction sets; the same operations lane for lane
// as the reference, so the same bits. log: NaN for x <= 0 (no -inf: u1 > 0 here).
#define GU__CEPHES_LOG(V, NAME) \
V##_TARGET static V##_VF NAME(V##_VF x) { \
    V##_VB invalid = V##_CMP(x, V##_ZERO(), _CMP_LE_OS), m; \
    V##_VF e, tmp, y, z; \
    V##_VI ei; \
    int i; \
    x = V##_MAX(x, V##_FLOAT(V##_ISET1(0x00800000))); \
    ei = V##_ISUB(V##_SRLI(V##_BITS(x), 23), V##_ISET1(127)); \
    x = V##_AND(x, V##_FLOAT(V##_ISET1(~0x7f800000))); \
    x = V##_OR(x, V##_SET1(0.5f)); \
    e = V##_ADD(V##_CVT(ei), V##_SET1(1.0f)); \
    m = V##_CMP(x, V##_SET1(GU__SQRTHF), _CMP_LT_OS); \
    tmp = V##_SELZ(m, x); \
    e = V##_SUB(e, V##_SELZ(m, V##_SET1(1.0f))); \
    x = V##_ADD(V##_SUB(x, V##_SET1(1.0f)), tmp); \
    z = V##_MUL(x, x); \
    y = V##_SET1(gu__log_p[0]); \
    for (i = 1; i < 9; i++) y = V##_FMA(y, x, V##_SET1(gu__log_p[i])); \
    y = V##_MUL(y, x); \
    y = V##_FMA(y, z, V##_MUL(e, V##_SET1(GU__LOG_Q1))); \
    y = V##_FNMADD(z, V##_SET1(0.5f), y); \
    x = V##_ADD(x, y); \
    x = V##_FMA(e, V##_SET1(GU__LOG_Q2), x); \
    return V##_ONES(x, invalid); \
}
#define GU__CEPHES_SINCOS(V, NAME) \
V##_TARGET static void NAME(V##_VF x, V##_VF *s, V##_VF *c) { \
    V##_VF sign_sin = V##_AND(x, V##_FLOAT(V##_ISET1(0x80000000u))); \
    V##_VF y, z, yc, ys, ys1, ys2, sign_cos; \
    V##_VB poly; \
    V##_VI j, four = V##_ISET1(4); \
    x = V##_AND(x, V##_FLOAT(V##_ISET1(0x7fffffff))); \
    y = V##_MUL(x, V##_SET1(GU__FOPI)); \
    j = V##_CVTT(y); \
    j = V##_IAND(V##_IADD(j, V##_ISET1(1)), V##_ISET1(~1)); \
    y = V##_CVT(j); \
    sign_sin = V##_XOR(sign_sin, V##_FLOAT(V##_SLLI(V##_IAND(j, four), 29))); \
    poly = V##_ICMPEQ(V##_IAND(j, V##_ISET1(2)), V##_IZERO()); \
    sign_cos = V##_FLOAT(V##_SLLI(V##_IANDNOT(V##_ISUB(j, V##_ISET1(2)), four), 29)); \
    x = V##_FMA(y, V##_SET1(-GU__DP1), x); \
    x = V##_FMA(y, V##_SET1(-GU__DP2), x); \
    x = V##_FMA(y, V##_SET1(-GU__DP3), x); \
    z = V##_MUL(x, x); \
    yc = V##_FMA(V##_SET1(GU__COS_P0), z, V##_SET1(GU__COS_P1)); \
    yc = V##_FMA(yc, z, V##_SET1(GU__COS_P2)); \
    yc = V##_MUL(yc, z); \
    yc = V##_FMSUB(yc, z, V##_MUL(z, V##_SET1(0.5f))); \
    yc = V##_ADD(yc, V##_SET1(1.0f)); \
    ys = V##_FMA(V##_SET1(GU__SIN_P0), z, V##_SET1(GU__SIN_P1)); \
    ys = V##_FMA(ys, z, V##_SET1(GU__SIN_P2)); \
    ys = V##_MUL(ys, z); \
    ys = V##_FMA(ys, x, x); \
    ys2 = V##_SELZ(poly, ys); \
    ys1 = V##_SELNZ(poly, yc); \
    ys = V##_SUB(ys, ys2); \
    yc = V##_SUB(yc, ys1); \
    *s = V##_XOR(V##_ADD(ys1, ys2), sign_sin); \
    *c = V##_XOR(V##_ADD(yc, ys), sign_cos); \
}
GU__CEPHES_LOG(GU__V256, gu__cephes_log8)
GU__CEPHES_SINCOS(GU__V256, gu__cephes_sincos8)
GU__AVX2 static void gu__normal16_avx2(float *d, float mean, float std) {
    __m256 u1 = _mm256_sub_ps(GU__S8(1.0f), _mm256_loadu_ps(d)), u2 = _mm256_loadu_ps(d + 8);
    __m256 r = _mm256_sqrt_ps(_mm256_mul_ps(GU__S8(-2.0f), gu__cephes_log8(u1)));
    __m256 s, c;
    gu__cephes_sincos8(_mm256_mul_ps(GU__S8(GU__TWO_PI_F), u2), &s, &c);
    _mm256_storeu_ps(d, _mm256_fmadd_ps(_mm256_mul_ps(r, c), GU__S8(std), GU__S8(mean)));
    _mm256_storeu_ps(d + 8, _mm256_fmadd_ps(_mm256_mul_ps(r, s), GU__S8(std), GU__S8(mean)));
}
GU__AVX2 static void gu__normal_blocks_avx2(float *d, int64_t n, float mean, float std) {
    int64_t i;
    for (i = 0; i + 16 <= n; i += 16) gu__normal16_avx2(d + i, mean, std);
}

// AVX-512: two blocks of 16 at once (lanes 0-7 from block i, 8-15 from block i+16); the
// same operations lane for lane as the AVX2 code, so the same bits. Masks replace the
// AVX2 and/andnot selections (in the vocabulary: SELZ, SELNZ, ONES).
#define GU__S16(v) _mm512_set1_ps(v)
GU__CEPHES_LOG(GU__V512, gu__cephes_log16)
GU__CEPHES_SINCOS(GU__V512, gu__cephes_sincos16)
GU__AVX512 static __m512 gu__join8(const float *lo, const float *hi) {
    __m512d v = _mm512_castpd256_pd512(_mm256_castps_pd(_mm256_loadu_ps(lo)));
    return _mm512_castpd_ps(_mm512_insertf64x4(v, _mm256_castps_pd(_mm256_loadu_ps(hi)), 1));
}
GU__AVX512 static void gu__split8(__m512 v, float *lo, float *hi) {
    _mm256_storeu_ps(lo, _mm512_castps512_ps256(v));
    _mm256_storeu_ps(hi, _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)));
}
// blocks d[0..16) and d[16..32)
GU__AVX512 static void gu__normal32_avx512(float *d, float mean, float std) {
    __m512 u1 = _mm512_sub_ps(GU__S16(1.0f), gu__join8(d, d + 16)), u2 = gu__join8(d + 8, d + 24);
    __m512 r = _mm512_sqrt_ps(_mm512_mul_ps(GU__S16(-2.0f), gu__cephes_log16(u1)));
    __m512 s, c;
    gu__cephes_sincos16(_mm512_mul_ps(GU__S16(GU__TWO_PI_F), u2), &s, &c);
    gu__split8(_mm512_fmadd_ps(_mm512_mul_ps(r, c), GU__S16(std), GU__S16(mean)), d, d + 16);
    gu__split8(_mm512_fmadd_ps(_mm512_mul_ps(r, s), GU__S16(std), GU__S16(mean)), d + 8, d + 24);
}
GU__AVX512 static void gu__normal_blocks_avx512(float *d, int64_t n, float mean, float std) {
    int64_t i;
    for (i = 0; i + 32 <= n; i += 32) gu__normal32_avx512(d + i, mean, std);
    if (i + 16 <= n) gu__normal16_avx2(d + i, mean, std);
}
#endif

static void gu__normal_blocks(float *d, int64_t n, float mean, float std) {
    int64_t i;
#ifdef GU__X86_SIMD
    if (gu__rnd_level() >= 2) { gu__normal_blocks_avx512(d, n, mean, std); return; }
    if (gu__rnd_level() >= 1) { gu__normal_blocks_avx2(d, n, mean, std); return; }
#endif
    for (i = 0; i + 16 <= n; i += 16) gu__normal16_ref(d + i, mean, std);
}

// The reference: torch's normal_fill, step by step (the oracle of the tests).
static void gu__normal_fill_ref(gu_generator *g, float *d, int64_t n, float mean, float std) {
    int64_t i;
    if (n < 16) {
        for (i = 0; i < n; i++) d[i] = (float)(gu__normal_scalar(g) * std + mean);
        return;
    }
    gu__uniform_ref(g, d, n);
    for (i = 0; i + 16 <= n; i += 16) gu__normal16_ref(d + i, mean, std);
    if (n % 16) {
        gu__uniform_ref(g, d + n - 16, 16);  // recompute the last 16 from fresh draws
        gu__normal16_ref(d + n - 16, mean, std);
    }
}
// The fast one: uniforms and their transform in cache-sized chunks; the draws of the
// elements past the last whole block are skipped (torch overwrites them anyway).
#ifdef GU__X86_SIMD
// Copies n floats past the caches (streaming stores): a big output is written once and not
// read back first, which saves half of the memory traffic.
GU__AVX512 static void gu__stream_copy(float *dst, const float *src, int64_t n) {
    int64_t i = 0;
    for (; i < n && ((uintptr_t)(dst + i) & 63) != 0; i++) dst[i] = src[i];
    for (; i + 16 <= n; i += 16) _mm512_stream_ps(dst + i, _mm512_loadu_ps(src + i));
    for (; i < n; i++) dst[i] = src[i];
    _mm_sfence();
}
#endif
static void gu__normal_fill(gu_generator *g, float *d, int64_t n, float mean, float std) {
    enum { chunk = 4096 };  // 16 KB: stays in L1 between the two passes
    int64_t whole = n - n % 16, i, k;
    if (n < 16) { gu__normal_fill_ref(g, d, n, mean, std); return; }
#ifdef GU__X86_SIMD
    if (n >= (1 << 19) && gu__rnd_level() >= 2) {  // bigger than the caches: via a scratch block
        float scratch[chunk];
        for (i = 0; i < whole; i += chunk) {
            int64_t m = whole - i < (int64_t)chunk ? whole - i : (int64_t)chunk;
            gu__uniform(g, scratch, m);
            gu__normal_blocks(scratch, m, mean, std);
            gu__stream_copy(d + i, scratch, m);
        }
        whole = 0;  // done; the tail below as usual
    }
#endif
    for (i = 0; i < whole; i += chunk) {
        int64_t m = whole - i < (int64_t)chunk ? whole - i : (int64_t)chunk;
        gu__uniform(g, d + i, m);
        gu__normal_blocks(d + i, m, mean, std);
    }
    whole = n - n % 16;
    if (n % 16) {
        for (k = whole; k < n; k++) (void)gu_generator_random(g);
        gu__uniform(g, d + n - 16, 16);
        gu__normal_blocks(d + n - 16, 16, mean, std);
    }
}

GU__DEF int gu_rand_fill(gu_generator *g, float *out, int64_t n) {
    if (n < 0 || (n > 0 && !out)) { gu__seterr("rand_fill: bad buffer (n = %" PRId64 ")", n); return -1; }
    gu__uniform(g ? g : gu_default_generator(), out, n);
    return 0;
}
GU__DEF int gu_randn_fill(gu_generator *g, float *out, int64_t n) {
    if (n < 0 || (n > 0 && !out)) { gu__seterr("randn_fill: bad buffer (n = %" PRId64 ")", n); return -1; }
    gu__normal_fill(g ? g : gu_default_generator(), out, n, 0.0f, 1.0f);
    return 0;
}

GU__DEF gu_tensor gu_rand_gen(gu_generator *g, int ndim, const int64_t *shape) {
    gu_tensor t = gu__empty("rand", GU_FLOAT32, ndim, shape);
    if (gu_ok(t)) gu__uniform(g ? g : gu_default_generator(), (float *)t.base, t.storage_numel);
    return t;
}
GU__DEF gu_tensor gu_randn_gen(gu_generator *g, int ndim, const int64_t *shape) {
    gu_tensor t = gu__empty("randn", GU_FLOAT32, ndim, shape);
    if (gu_ok(t)) gu__normal_fill(g ? g : gu_default_generator(), (float *)t.base, t.storage_numel, 0.0f, 1.0f);
    return t;
}
GU__DEF gu_tensor gu_randint_gen(gu_generator *g, int64_t low, int64_t high, int ndim, const int64_t *shape) {
    gu_tensor t;
    uint64_t range;
    int64_t i, *p;
    if (low >= high) {
        gu__seterr("randint: low (%" PRId64 ") must be less than high (%" PRId64 ")", low, high);
        return gu__invalid();
    }
    t = gu__empty("randint", GU_INT64, ndim, shape);
    if (!gu_ok(t)) return t;
    if (!g) g = gu_default_generator();
    range = (uint64_t)high - (uint64_t)low;
    p = (int64_t *)t.base;
    for (i = 0; i < t.storage_numel; i++) {
        uint64_t v = range >= (UINT64_C(1) << 32) ? gu_generator_random64(g) : gu_generator_random(g);
        p[i] = (int64_t)(v % range + (uint64_t)low);
    }
    return t;
}
GU__DEF gu_tensor gu_rand_t(int ndim, const int64_t *shape) { return gu_rand_gen(NULL, ndim, shape); }
GU__DEF gu_tensor gu_randn(int ndim, const int64_t *shape) { return gu_randn_gen(NULL, ndim, shape); }
GU__DEF gu_tensor gu_randint(int64_t low, int64_t high, int ndim, const int64_t *shape) {
    return gu_randint_gen(NULL, low, high, ndim, shape);
}

// ---- the fork cure ----
static uint64_t gu__splitmix(uint64_t *x) {
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}
GU__DEF uint64_t gu_seed_from_entropy(void) {
    uint64_t seed = 0, mix;
    int have = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (f) {
        have = fread(&seed, sizeof seed, 1, f) == 1;
        fclose(f);
    }
    if (!have) {
        // No entropy device: the pid tells a child from its parent, the clocks tell runs apart.
        mix = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 20) ^ (uint64_t)(uintptr_t)&seed;
#if defined(__unix__) || defined(__APPLE__)
        mix ^= (uint64_t)getpid() << 40;
#endif
        seed = gu__splitmix(&mix);
    }
    gu_seed(seed);
    gu_manual_seed(seed);
    return seed;
}

// >>plot ----------------------------------------------------------------------------------
#if defined(S_ISDIR)
#define GU__ISDIR(m) S_ISDIR(m)
#define GU__ISREG(m) S_ISREG(m)
#else
#define GU__ISDIR(m) (((m) & _S_IFMT) == _S_IFDIR)
#define GU__ISREG(m) (((m) & _S_IFMT) == _S_IFREG)
#endif
#ifndef GU_NO_ZLIB
#include <zlib.h>
// zlib's state allocates through the hooks too (the PNG writer's deflate, the loaders' inflate)
GU__COLD static GU__UNUSED voidpf gu__zalloc(voidpf opaque, uInt items, uInt size) {
    int64_t n;
    (void)opaque;
    if (!gu__mul_ok((int64_t)items, (int64_t)size, &n)) return Z_NULL;
    return GU_MALLOC((size_t)n);
}
GU__COLD static GU__UNUSED void gu__zfree(voidpf opaque, voidpf p) {
    (void)opaque;
    GU_FREE(p);
}
#endif
#ifndef GU_NO_PLOT
#ifndef GU_NO_PNG
#ifndef GU_STB_INCLUDE
#define GU_STB_INCLUDE <stb/stb_image_write.h>
#endif
#ifndef GU_STB_NO_IMPL
// Our own private copy of the writer: static, allocating through the hooks. A program that
// already compiles stb_image_write itself defines GU_STB_NO_IMPL and links to that
// (then an allocation failure inside it is as that copy handles it).
// stb's own deflate asserts when an allocation fails, so the compression is ours
// (gu__png_deflate: zlib, or stored blocks under GU_NO_ZLIB). stb frees the compressed
// buffer only on success; gu__png_zbuf remembers it so that a failure after it leaks nothing.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STBIW_MALLOC(sz) GU_MALLOC(sz)
#define STBIW_REALLOC(p, newsz) GU_REALLOC(p, newsz)
#define STBIW_FREE(p) gu__png_free(p)
#define STBIW_ZLIB_COMPRESS gu__png_deflate
typedef unsigned char *gu__png_zbuf_t;
GU__TLS_VAR(gu__png_zbuf_t, gu__png_zbuf)   // the compressor's output, until stb frees it
#define gu__png_zbuf (*gu__png_zbuf_get())
GU__COLD static void gu__png_free(void *p) {
    if (p && p == (void *)gu__png_zbuf) gu__png_zbuf = NULL;
    GU_FREE(p);
}
// A zlib stream (RFC 1950) of data, or NULL when out of memory. quality: zlib's level.
GU__COLD static unsigned char *gu__png_deflate(unsigned char *data, int n, int *out_len, int quality) {
    unsigned char *out;
#ifndef GU_NO_ZLIB
    z_stream z;
    uLong cap;
    memset(&z, 0, sizeof z);
    z.zalloc = gu__zalloc;
    z.zfree = gu__zfree;
    if (deflateInit(&z, quality < 0 ? Z_DEFAULT_COMPRESSION : quality > 9 ? 9 : quality) != Z_OK) return NULL;
    cap = deflateBound(&z, (uLong)n);
    out = cap <= (uLong)INT_MAX ? (unsigned char *)GU_MALLOC((size_t)cap) : NULL;
    if (!out) { deflateEnd(&z); return NULL; }
    z.next_in = data;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END) { deflateEnd(&z); GU_FREE(out); return NULL; }
    *out_len = (int)z.total_out;
    deflateEnd(&z);
#else
    // Without zlib: "stored" deflate blocks (no compression; a 784-pixel digit image is a
    // few hundred KiB instead of a few KiB), which any PNG reader accepts, and the Adler-32.
    int64_t nblocks = n / 65535 + 1, size = 2 + (int64_t)n + 5 * nblocks + 4, i, left = n;
    uint32_t a = 1, b = 0;
    unsigned char *o;
    (void)quality;
    out = size <= INT_MAX ? (unsigned char *)GU_MALLOC((size_t)size) : NULL;
    if (!out) return NULL;
    o = out;
    *o++ = 0x78;  // CMF: deflate, 32 KiB window; FLG: no dictionary, (0x7801 % 31 == 0)
    *o++ = 0x01;
    for (i = 0; i < nblocks; i++) {
        int len = left > 65535 ? 65535 : (int)left;
        *o++ = (unsigned char)(i == nblocks - 1);  // BFINAL on the last, BTYPE 00: stored
        *o++ = (unsigned char)(len & 255);
        *o++ = (unsigned char)(len >> 8);
        *o++ = (unsigned char)(~len & 255);
        *o++ = (unsigned char)((~len >> 8) & 255);
        memcpy(o, data + (n - left), (size_t)len);
        o += len;
        left -= len;
    }
    for (i = 0; i < n; i++) {
        a = (a + data[i]) % 65521u;
        b = (b + a) % 65521u;
    }
    *o++ = (unsigned char)(b >> 8);
    *o++ = (unsigned char)b;
    *o++ = (unsigned char)(a >> 8);
    *o++ = (unsigned char)a;
    *out_len = (int)(o - out);
#endif
    gu__png_zbuf = out;
    return out;
}
#endif
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#endif
#if !(defined(GU_STB_NO_IMPL) && defined(INCLUDE_STB_IMAGE_WRITE_H))  // not yet included
#include GU_STB_INCLUDE
#endif
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

// An RGB canvas, 3 bytes a pixel, row-major from the top.
typedef struct gu__canvas { int w, h; unsigned char *px; } gu__canvas;

GU__COLD static int gu__canvas_new(const char *op, gu__canvas *c, int64_t w, int64_t h) {
    int64_t bytes;
    // stb_image_write multiplies (w*comp+1)*h in int without a check: do it here.
    if (w <= 0 || h <= 0 || w > INT_MAX / 4 || (w * 3 + 1) > INT_MAX / h || !gu__mul_ok(w * 3, h, &bytes)) {
        gu__seterr("%s: image of %" PRId64 " x %" PRId64 " pixels is too large or empty", op, w, h);
        return -1;
    }
    c->px = (unsigned char *)gu__malloc((size_t)bytes);
    if (!c->px) { gu__seterr("%s: out of memory for a %" PRId64 " x %" PRId64 " image", op, w, h); return -1; }
    memset(c->px, 255, (size_t)bytes);
    c->w = (int)w;
    c->h = (int)h;
    return 0;
}

#ifndef GU_NO_PNG
// Writes n bytes to f and closes it: 0, or -1 with a message naming what failed.
GU__COLD static int gu__write_close(const char *op, const char *path, FILE *f, const void *data, size_t n) {
    int err = 0;
    if (fwrite(data, 1, n, f) != n) err = errno ? errno : EIO;
    if (fflush(f) != 0 && !err) err = errno ? errno : EIO;
    if (fclose(f) != 0 && !err) err = errno ? errno : EIO;
    if (!err) return 0;
    gu__seterr("%s: cannot write '%s': %s (writing %" PRId64 " bytes)", op, path, strerror(err), (int64_t)n);
    return -1;
}
// The same for a file descriptor.
GU__COLD static int gu__write_close_fd(const char *op, const char *path, int fd, const void *data, size_t n) {
    const char *p = (const char *)data;
    int err = 0;
    while (n > 0 && !err) {
        ssize_t w = write(fd, p, n > ((size_t)1 << 30) ? ((size_t)1 << 30) : n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) err = w < 0 ? errno : ENOSPC;
        else { p += w; n -= (size_t)w; }
    }
    if (close(fd) != 0 && !err) err = errno;
    if (!err) return 0;
    gu__seterr("%s: cannot write '%s': %s", op, path, strerror(err));
    return -1;
}

// Writes the whole of data to path so that nothing is lost: a new or regular file is
// written to a temporary file beside it, every write and the close checked, then renamed
// over it, so a full disk leaves the old file (or none), never a truncated one. Anything
// else that exists (a device such as /dev/null, a FIFO) is written in place, also checked.
// As fopen(path, "wb") would: a symbolic link's target is written (the link stays), a file
// the caller may not write is refused, and a file keeps its permissions. Where no temporary
// file can be made (a directory the caller may not write, though the file may be written) the
// file is written in place. A second hard link to the file keeps the old contents. (A link is
// followed where the system headers declare lstat and realpath: not in a strict -std=c99
// build that defines none of _XOPEN_SOURCE, _GNU_SOURCE, _DEFAULT_SOURCE, where the link is
// replaced by the file.)
// In place, as fopen(target, "wb"): a device, a FIFO, or a file whose folder refuses a new one.
GU__COLD static int gu__write_in_place(const char *op, const char *path, const char *target, const void *data, size_t n) {
    FILE *f;
    errno = 0;
    f = fopen(target, "wb");
    if (f) return gu__write_close(op, path, f, data, n);
    gu__seterr("%s: cannot write '%s': %s", op, path, strerror(errno));
    return -1;
}
GU__COLD static int gu__write_file(const char *op, const char *path, const void *data, size_t n) {
    struct stat st;
    char *tmp = NULL, *real = NULL;
    const char *target = path, *slash;
    size_t dlen;
    int fd = -1, k, exists, err = 0, rc = -1;
    if (!path) { gu__seterr("%s: path is NULL", op); return -1; }
    errno = 0;
    exists = stat(path, &st) == 0;
    if (!exists && errno != ENOENT) { gu__seterr("%s: cannot write '%s': %s", op, path, strerror(errno)); return -1; }
#if !defined(_WIN32) && (!defined(__STRICT_ANSI__) || defined(_XOPEN_SOURCE) || defined(_GNU_SOURCE) || defined(_DEFAULT_SOURCE) || defined(_BSD_SOURCE))
    {
        struct stat lst;
        if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
            if (!exists) { gu__seterr("%s: cannot write '%s': it is a symbolic link to a file that does not exist", op, path); return -1; }
            real = realpath(path, NULL);   // the link's target, where the file is replaced
            if (!real) { gu__seterr("%s: cannot write '%s': %s", op, path, strerror(errno)); return -1; }
            target = real;
        }
    }
#endif
    if (exists && GU__ISDIR(st.st_mode)) { gu__seterr("%s: cannot write '%s': it is a directory", op, path); goto done; }
    if (exists && !GU__ISREG(st.st_mode)) { rc = gu__write_in_place(op, path, target, data, n); goto done; }
    if (exists && access(target, W_OK) != 0) { gu__seterr("%s: cannot write '%s': %s", op, path, strerror(errno)); goto done; }
    // "<folder>/.gu<pid>-<k>.tmp", created only if new: short, so any name that fits fits it
    for (slash = target + strlen(target); slash > target && slash[-1] != '/' && slash[-1] != '\\'; slash--) {}
    dlen = (size_t)(slash - target);
    tmp = (char *)gu__malloc(dlen + 48);
    if (!tmp) { gu__seterr("%s: out of memory", op); goto done; }
    for (k = 0; k < 100 && fd < 0; k++) {
        snprintf(tmp, dlen + 48, "%.*s.gu%ld-%d.tmp", (int)dlen, target, (long)getpid(), k);
        errno = 0;
#ifdef _WIN32
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_BINARY, 0666);
#else
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0666);
#endif
        err = errno ? errno : EEXIST;
        if (fd < 0 && err != EEXIST) break;
    }
    if (fd < 0) {
        // a file that may be written in a folder that may not: in place (never for a full
        // disk or another error, where writing in place could lose the old file)
        if (exists && (err == EACCES || err == EPERM)) rc = gu__write_in_place(op, path, target, data, n);
        else gu__seterr("%s: cannot write '%s': no temporary file can be made beside it (%s)", op, path, strerror(err));
        goto done;
    }
#ifndef _WIN32
    if (exists) (void)chmod(tmp, st.st_mode & 07777);   // the file keeps its permissions
#endif
    if (gu__write_close_fd(op, path, fd, data, n) != 0) { remove(tmp); goto done; }
#ifdef _WIN32
    if (exists) {   // Windows' rename does not replace: the old file aside first, back if the rename fails
        char *old = (char *)gu__malloc(dlen + 48);
        int moved = 0;
        if (old) {
            snprintf(old, dlen + 48, "%.*s.gu%ld-%d.old", (int)dlen, target, (long)getpid(), k);
            moved = rename(target, old) == 0;
        }
        if (moved && rename(tmp, target) == 0) rc = 0;
        else {
            gu__seterr("%s: cannot write '%s': %s (%s)", op, path, old ? "replacing the file failed" : "out of memory", strerror(errno));
            if (moved) rename(old, target);
            remove(tmp);
        }
        if (old) {
            if (rc == 0) remove(old);
            GU_FREE(old);
        }
        goto done;
    }
#endif
    if (rename(tmp, target) == 0) rc = 0;
    else {
        gu__seterr("%s: cannot write '%s': renaming the finished temporary file failed (%s)", op, path, strerror(errno));
        remove(tmp);
    }
done:
    if (tmp) GU_FREE(tmp);
    free(real);   // realpath's, from the C library's malloc
    return rc;
}
#endif

#ifndef GU_NO_PNG
// The encoded PNG, copied out of stb's buffer (which stb frees itself, with its allocator).
typedef struct gu__png_out { unsigned char *p; int n, oom; } gu__png_out;
GU__COLD static void gu__png_take(void *ctx, void *data, int n) {
    gu__png_out *o = (gu__png_out *)ctx;
    o->p = (unsigned char *)gu__malloc((size_t)n);
    if (!o->p) { o->oom = 1; return; }
    memcpy(o->p, data, (size_t)n);
    o->n = n;
}
#endif

GU__COLD static int gu__canvas_save(const char *op, gu__canvas *c, const char *path) {
    int rc = -1;
#ifndef GU_NO_PNG
    if (!path) gu__seterr("%s: path is NULL", op);
    else {
        gu__png_out png = {NULL, 0, 0};
        int ok;
#ifndef GU_STB_NO_IMPL
        gu__png_zbuf = NULL;
#endif
        ok = stbi_write_png_to_func(gu__png_take, &png, c->w, c->h, 3, c->px, c->w * 3);
#ifndef GU_STB_NO_IMPL
        if (gu__png_zbuf) GU_FREE(gu__png_zbuf);  // stb failed after compressing: free what it kept
        gu__png_zbuf = NULL;
#endif
        if (!ok || png.oom) gu__seterr("%s: out of memory encoding a %d x %d PNG for '%s'", op, c->w, c->h, path);
        else rc = gu__write_file(op, path, png.p, (size_t)png.n);
        if (png.p) GU_FREE(png.p);
    }
#else
    (void)path;
    gu__seterr("%s: built with GU_NO_PNG, no PNG output", op);
#endif
    GU_FREE(c->px);
    c->px = NULL;
    return rc;
}
// Blends colour rgb over pixel (x, y) with coverage a in [0, 1].
GU__COLD static void gu__blend(gu__canvas *c, int x, int y, uint32_t rgb, float a) {
    unsigned char *p;
    int k, q;
    if (x < 0 || y < 0 || x >= c->w || y >= c->h || a <= 0) return;
    if (a > 1) a = 1;
    p = c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 3;
    // in integers, coverage in 256ths (a * 256 is exact), so that no fused multiply-add or
    // excess precision (x87, s390x) moves a value from x.5 and the PNG is the same byte for byte
    q = (int)(a * 256.0f + 0.5f);
    for (k = 0; k < 3; k++) {
        int src = (int)((rgb >> (16 - 8 * k)) & 255);
        p[k] = (unsigned char)((p[k] * (256 - q) + src * q + 128) >> 8);
    }
}
GU__COLD static void gu__fill(gu__canvas *c, int x0, int y0, int x1, int y1, uint32_t rgb) {  // [x0,x1) x [y0,y1)
    int x, y;
    for (y = y0; y < y1; y++)
        for (x = x0; x < x1; x++) gu__blend(c, x, y, rgb, 1.0f);
}

// ---- a 5x7 bitmap font: printable ASCII, 32 (space) to 126 (~) ----
// Each glyph is 5 pixels wide on 7 rows (capitals and digits fill them, the lower case
// stands 5 rows high), plus an 8th row below the baseline for the tails of g j p q y , _.
// Drawn in a 6-pixel advance so that letters keep one column apart.
static const unsigned char gu__font[95][8] = {  // rows top to bottom, bit 4 = leftmost
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},  // space
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04, 0x00},  // !
    {0x0a, 0x0a, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00},  // "
    {0x0a, 0x0a, 0x1f, 0x0a, 0x1f, 0x0a, 0x0a, 0x00},  // #
    {0x04, 0x0f, 0x14, 0x0e, 0x05, 0x1e, 0x04, 0x00},  // $
    {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03, 0x00},  // %
    {0x0c, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0d, 0x00},  // &
    {0x04, 0x04, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00},  // '
    {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02, 0x00},  // (
    {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08, 0x00},  // )
    {0x00, 0x04, 0x15, 0x0e, 0x15, 0x04, 0x00, 0x00},  // *
    {0x00, 0x04, 0x04, 0x1f, 0x04, 0x04, 0x00, 0x00},  // +
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x04, 0x08},  // ,
    {0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00, 0x00},  // -
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c, 0x00},  // .
    {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00, 0x00},  // /
    {0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e, 0x00},  // 0
    {0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00},  // 1
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f, 0x00},  // 2
    {0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e, 0x00},  // 3
    {0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02, 0x00},  // 4
    {0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e, 0x00},  // 5
    {0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e, 0x00},  // 6
    {0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08, 0x00},  // 7
    {0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e, 0x00},  // 8
    {0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c, 0x00},  // 9
    {0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00, 0x00},  // :
    {0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x04, 0x08, 0x00},  // ;
    {0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02, 0x00},  // <
    {0x00, 0x00, 0x1f, 0x00, 0x1f, 0x00, 0x00, 0x00},  // =
    {0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08, 0x00},  // >
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04, 0x00},  // ?
    {0x0e, 0x11, 0x01, 0x0d, 0x15, 0x15, 0x0e, 0x00},  // @
    {0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11, 0x00},  // A
    {0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e, 0x00},  // B
    {0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e, 0x00},  // C
    {0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c, 0x00},  // D
    {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f, 0x00},  // E
    {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10, 0x00},  // F
    {0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f, 0x00},  // G
    {0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11, 0x00},  // H
    {0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00},  // I
    {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c, 0x00},  // J
    {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11, 0x00},  // K
    {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f, 0x00},  // L
    {0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11, 0x00},  // M
    {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x00},  // N
    {0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e, 0x00},  // O
    {0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10, 0x00},  // P
    {0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d, 0x00},  // Q
    {0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11, 0x00},  // R
    {0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e, 0x00},  // S
    {0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x00},  // T
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e, 0x00},  // U
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04, 0x00},  // V
    {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a, 0x00},  // W
    {0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11, 0x00},  // X
    {0x11, 0x11, 0x0a, 0x04, 0x04, 0x04, 0x04, 0x00},  // Y
    {0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f, 0x00},  // Z
    {0x0e, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0e, 0x00},  // [
    {0x00, 0x10, 0x08, 0x04, 0x02, 0x01, 0x00, 0x00},  // backslash
    {0x0e, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0e, 0x00},  // ]
    {0x04, 0x0a, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00},  // ^
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f},  // _
    {0x08, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00},  // `
    {0x00, 0x00, 0x0e, 0x01, 0x0f, 0x11, 0x0f, 0x00},  // a
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1e, 0x00},  // b
    {0x00, 0x00, 0x0e, 0x10, 0x10, 0x11, 0x0e, 0x00},  // c
    {0x01, 0x01, 0x0d, 0x13, 0x11, 0x11, 0x0f, 0x00},  // d
    {0x00, 0x00, 0x0e, 0x11, 0x1f, 0x10, 0x0e, 0x00},  // e
    {0x06, 0x09, 0x08, 0x1c, 0x08, 0x08, 0x08, 0x00},  // f
    {0x00, 0x00, 0x0f, 0x11, 0x11, 0x0f, 0x01, 0x0e},  // g
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11, 0x00},  // h
    {0x04, 0x00, 0x0c, 0x04, 0x04, 0x04, 0x0e, 0x00},  // i
    {0x02, 0x00, 0x06, 0x02, 0x02, 0x02, 0x12, 0x0c},  // j
    {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12, 0x00},  // k
    {0x0c, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00},  // l
    {0x00, 0x00, 0x1a, 0x15, 0x15, 0x15, 0x15, 0x00},  // m
    {0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11, 0x00},  // n
    {0x00, 0x00, 0x0e, 0x11, 0x11, 0x11, 0x0e, 0x00},  // o
    {0x00, 0x00, 0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10},  // p
    {0x00, 0x00, 0x0f, 0x11, 0x11, 0x0f, 0x01, 0x01},  // q
    {0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10, 0x00},  // r
    {0x00, 0x00, 0x0f, 0x10, 0x0e, 0x01, 0x1e, 0x00},  // s
    {0x08, 0x08, 0x1c, 0x08, 0x08, 0x09, 0x06, 0x00},  // t
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0d, 0x00},  // u
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x0a, 0x04, 0x00},  // v
    {0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0a, 0x00},  // w
    {0x00, 0x00, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x00},  // x
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x0e},  // y
    {0x00, 0x00, 0x1f, 0x02, 0x04, 0x08, 0x1f, 0x00},  // z
    {0x03, 0x04, 0x04, 0x08, 0x04, 0x04, 0x03, 0x00},  // {
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x00},  // |
    {0x18, 0x04, 0x04, 0x02, 0x04, 0x04, 0x18, 0x00},  // }
    {0x00, 0x00, 0x08, 0x15, 0x02, 0x00, 0x00, 0x00},  // ~
};
#define GU__FONT_SCALE 2                        // 10 x 14 pixels, about matplotlib's 10 pt
#define GU__GLYPH_ADV (6 * GU__FONT_SCALE)
#define GU__GLYPH_H (7 * GU__FONT_SCALE)        // the cap height: what labels centre on
GU__COLD static int gu__text_width(const char *s) { return (int)strlen(s) * GU__GLYPH_ADV - GU__FONT_SCALE; }
GU__COLD static void gu__text(gu__canvas *c, int x, int y, const char *s, uint32_t rgb) {  // (x, y): top left
    for (; *s; s++, x += GU__GLYPH_ADV) {
        unsigned char ch = (unsigned char)*s;
        int r, b;
        if (ch < 32 || ch > 126) continue;  // control characters and UTF-8 bytes are blanks
        for (r = 0; r < 8; r++)
            for (b = 0; b < 5; b++)
                if (gu__font[ch - 32][r] & (0x10 >> b))
                    gu__fill(c, x + b * GU__FONT_SCALE, y + r * GU__FONT_SCALE, x + (b + 1) * GU__FONT_SCALE, y + (r + 1) * GU__FONT_SCALE, rgb);
    }
}

// ---- colour maps ----
GU__COLD static uint32_t gu__cmap_rgb(gu_cmap cmap, double t) {  // t in [0, 1]
    // viridis at 9 even stops (matplotlib's map); linear in between
    static const uint32_t viridis[9] = {0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21908c,
                                        0x27ad81, 0x5dc863, 0xaadc32, 0xfde725};
    // matplotlib quantises to 256 levels: index = floor(t * 256), 256 -> 255
    int idx = (int)(t * 256.0);
    if (idx > 255) idx = 255;
    if (idx < 0) idx = 0;
    if (cmap == GU_CMAP_VIRIDIS) {
        double f = idx / 255.0 * 8.0;
        int i = (int)f, k;
        uint32_t out = 0;
        if (i >= 8) return viridis[8];
        for (k = 16; k >= 0; k -= 8) {
            double a = (viridis[i] >> k) & 255, b = (viridis[i + 1] >> k) & 255;
            out |= (uint32_t)(a + (b - a) * (f - i) + 0.5) << k;
        }
        return out;
    }
    return (uint32_t)idx * 0x010101u;
}

// min and max of the finite values of a float buffer; 0 if there is none.
GU__COLD static int gu__finite_range(const float *v, int64_t n, double *lo, double *hi) {
    int64_t i;
    int have = 0;
    for (i = 0; i < n; i++) {
        double x = v[i];
        if (x != x || isinf(x)) continue;
        if (!have) { *lo = *hi = x; have = 1; }
        if (x < *lo) *lo = x;
        if (x > *hi) *hi = x;
    }
    return have;
}

// A 2-D tensor as a contiguous float copy (rows, cols); NULL and a message if it is not one.
static float *gu__img_floats(const char *op, gu_tensor img, int64_t *rows, int64_t *cols) {
    gu_tensor f;
    float *p;
    if (!gu__check_in(op, img)) return NULL;
    if (img.ndim != 2) {
        gu__seterr("%s: expected a 2-D tensor (rows, cols), got shape %s", op, GU__SHT(img));
        return NULL;
    }
    if (img.shape[0] == 0 || img.shape[1] == 0) {
        gu__seterr("%s: the tensor of shape %s is empty", op, GU__SHT(img));
        return NULL;
    }
    f = gu_to(img, GU_FLOAT32);
    if (!gu_ok(f)) return NULL;
    *rows = img.shape[0];
    *cols = img.shape[1];
    p = (float *)f.base;  // gu_to returns an owner: its storage is ours to free
    (void)gu__tidy_forget(p);  // and no tidy scope's: the callers GU_FREE it
    return p;
}

GU__COLD GU__DEF int gu_imshow(const char *path, gu_tensor img, const gu_imshow_opts *opts) {
    gu_imshow_opts o;
    gu__canvas c;
    int64_t rows, cols, scale, x, y;
    double lo = 0, hi = 0;
    float *v;
    if (opts) o = *opts; else memset(&o, 0, sizeof o);
    if (o.cmap != GU_CMAP_GRAY && o.cmap != GU_CMAP_VIRIDIS) { gu__seterr("imshow: unknown cmap %d (GU_CMAP_GRAY or GU_CMAP_VIRIDIS)", (int)o.cmap); return -1; }
    if (o.scale < 0) { gu__seterr("imshow: scale %d must be >= 0 (0: fit 280 pixels)", o.scale); return -1; }
    if (!(o.vmin <= o.vmax)) { gu__seterr("imshow: vmin %g must be <= vmax %g (matplotlib's rule), neither NaN", (double)o.vmin, (double)o.vmax); return -1; }
    v = gu__img_floats("imshow", img, &rows, &cols);
    if (!v) return -1;
    if (o.vmin != 0 || o.vmax != 0) { lo = o.vmin; hi = o.vmax; }
    else gu__finite_range(v, rows * cols, &lo, &hi);
    scale = o.scale > 0 ? o.scale : (280 + (rows > cols ? rows : cols) - 1) / (rows > cols ? rows : cols);
    if (o.scale <= 0 && scale * (rows > cols ? rows : cols) > 4096) scale = 1;
    if (gu__canvas_new("imshow", &c, cols * scale, rows * scale) != 0) { GU_FREE(v); return -1; }
    for (y = 0; y < rows; y++)
        for (x = 0; x < cols; x++) {
            double t = v[y * cols + x];
            uint32_t rgb;
            // matplotlib's Normalize: (v - vmin) / (vmax - vmin); a flat image is all vmin
            if (t != t) rgb = 0xffffff;
            else {
                t = hi > lo ? (t - lo) / (hi - lo) : 0.0;
                rgb = gu__cmap_rgb(o.cmap, t < 0 ? 0 : t > 1 ? 1 : t);
            }
            gu__fill(&c, (int)(x * scale), (int)(y * scale), (int)((x + 1) * scale), (int)((y + 1) * scale), rgb);
        }
    GU_FREE(v);
    return gu__canvas_save("imshow", &c, path);
}

// ---- axes: matplotlib's layout and its AutoLocator's "nice" ticks ----
typedef struct gu__axes {
    int x0, y0, x1, y1;          // the axes box in pixels (y0 top)
    double xlo, xhi, ylo, yhi;   // data limits
} gu__axes;
GU__COLD static double gu__px_x(const gu__axes *a, double v) { return a->x0 + (v - a->xlo) / (a->xhi - a->xlo) * (a->x1 - a->x0); }
GU__COLD static double gu__px_y(const gu__axes *a, double v) { return a->y1 - (v - a->ylo) / (a->yhi - a->ylo) * (a->y1 - a->y0); }

GU__COLD static double gu__nice_step(double lo, double hi, int maxbins) {
    static const double steps[5] = {1, 2, 2.5, 5, 10};
    double raw = (hi - lo) / maxbins, mag = pow(10.0, floor(log10(raw)));
    int i;
    for (i = 0; i < 5; i++)
        if (steps[i] * mag >= raw * (1 - 1e-9)) return steps[i] * mag;
    return 10 * mag;
}
// digits after the point that show every multiple of step exactly
GU__COLD static int gu__step_decimals(double step) {
    int d;
    for (d = 0; d < 8; d++) {
        double s = step * pow(10.0, d);
        if (fabs(s - floor(s + 0.5)) < 1e-6 * s) return d;
    }
    return 8;
}
GU__COLD static void gu__draw_axes(gu__canvas *c, const gu__axes *a) {
    const uint32_t black = 0x000000;
    int axis;
    // spines: 0.8 pt, one pixel at 100 dpi
    gu__fill(c, a->x0, a->y0, a->x1 + 1, a->y0 + 1, black);
    gu__fill(c, a->x0, a->y1, a->x1 + 1, a->y1 + 1, black);
    gu__fill(c, a->x0, a->y0, a->x0 + 1, a->y1 + 1, black);
    gu__fill(c, a->x1, a->y0, a->x1 + 1, a->y1 + 1, black);
    for (axis = 0; axis < 2; axis++) {
        double lo = axis ? a->ylo : a->xlo, hi = axis ? a->yhi : a->xhi;
        double step = gu__nice_step(lo, hi, axis ? 8 : 9), t;
        int dec = gu__step_decimals(step);
        for (t = ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) {
            char lab[64];
            double v = fabs(t) < step * 1e-9 ? 0.0 : t;  // no "-0.0"
            snprintf(lab, sizeof lab, "%.*f", dec, v);
            if (axis == 0) {
                int px = (int)floor(gu__px_x(a, v) + 0.5);
                gu__fill(c, px, a->y1 + 1, px + 1, a->y1 + 6, black);  // ticks 3.5 pt, outside
                gu__text(c, px - gu__text_width(lab) / 2, a->y1 + 10, lab, black);
            } else {
                int py = (int)floor(gu__px_y(a, v) + 0.5);
                gu__fill(c, a->x0 - 5, py, a->x0, py + 1, black);
                gu__text(c, a->x0 - 10 - gu__text_width(lab), py - GU__GLYPH_H / 2, lab, black);
            }
        }
    }
}
GU__COLD static int gu__figure(const char *op, gu__canvas *c, gu__axes *a, const gu_plot_opts *o) {
    int w = o && o->width > 0 ? o->width : 640, h = o && o->height > 0 ? o->height : 480;
    if (o && (o->width < 0 || o->height < 0)) {
        gu__seterr("%s: width %d and height %d must be >= 0 (0: 640 x 480)", op, o->width, o->height);
        return -1;
    }
    if (w < 64 || h < 64) { gu__seterr("%s: a figure of %d x %d pixels is too small", op, w, h); return -1; }
    if (gu__canvas_new(op, c, w, h) != 0) return -1;
    // matplotlib's subplot box: left .125, right .9, bottom .11, top .88 of the figure
    a->x0 = (int)(0.125 * w + 0.5);
    a->x1 = (int)(0.9 * w + 0.5);
    a->y0 = (int)((1 - 0.88) * h + 0.5);
    a->y1 = (int)((1 - 0.11) * h + 0.5);
    return 0;
}

// An anti-aliased polyline of width lw: coverage is kept per pixel (the max over the
// segments, so joints are not drawn twice) and blended once at the end.
GU__COLD static int gu__polyline(const char *op, gu__canvas *c, const gu__axes *a, const float *x, const float *y, int64_t n, uint32_t rgb) {
    const double half = 1.04;  // 1.5 pt line at 100 dpi: 2.08 px wide
    int64_t i, np = (int64_t)c->w * c->h;
    float *cov = (float *)gu__malloc((size_t)np * sizeof(float));
    if (!cov) { gu__seterr("%s: out of memory", op); return -1; }
    memset(cov, 0, (size_t)np * sizeof(float));
    for (i = 0; i + 1 < n || (n == 1 && i == 0); i++) {
        int64_t j = n == 1 ? 0 : i + 1;
        double xa = gu__px_x(a, x ? x[i] : (double)i), ya = gu__px_y(a, y[i]);
        double xb = gu__px_x(a, x ? x[j] : (double)j), yb = gu__px_y(a, y[j]);
        double dx = xb - xa, dy = yb - ya, len2 = dx * dx + dy * dy;
        int px, py, bx0, bx1, by0, by1;
        if (xa != xa || ya != ya || xb != xb || yb != yb) continue;  // NaN breaks the line
        bx0 = (int)floor((xa < xb ? xa : xb) - 2); bx1 = (int)ceil((xa > xb ? xa : xb) + 2);
        by0 = (int)floor((ya < yb ? ya : yb) - 2); by1 = (int)ceil((ya > yb ? ya : yb) + 2);
        if (bx0 < a->x0) bx0 = a->x0;
        if (by0 < a->y0) by0 = a->y0;
        if (bx1 > a->x1) bx1 = a->x1;
        if (by1 > a->y1) by1 = a->y1;
        for (py = by0; py <= by1; py++)
            for (px = bx0; px <= bx1; px++) {
                double cx = px + 0.5, cy = py + 0.5;
                double t = len2 > 0 ? ((cx - xa) * dx + (cy - ya) * dy) / len2 : 0;
                double ex, ey, d, k;
                t = t < 0 ? 0 : t > 1 ? 1 : t;
                ex = xa + t * dx - cx;
                ey = ya + t * dy - cy;
                d = sqrt(ex * ex + ey * ey);
                k = half + 0.5 - d;
                if (k > 0) {
                    float *q = &cov[(int64_t)py * c->w + px];
                    if (k > 1) k = 1;
                    if (k > *q) *q = (float)k;
                }
            }
    }
    for (i = 0; i < np; i++)
        if (cov[i] > 0) gu__blend(c, (int)(i % c->w), (int)(i / c->w), rgb, cov[i]);
    GU_FREE(cov);
    return 0;
}

GU__COLD GU__DEF int gu_plot(const char *path, const float *y, int64_t n, const gu_plot_opts *opts) {
    gu__canvas c;
    gu__axes a;
    double xlo = 0, xhi = 0, ylo = 0, yhi = 0, m;
    uint32_t rgb = opts && opts->color ? opts->color : 0x1f77b4;
    const float *x = opts ? opts->x : NULL;
    if (n <= 0 || !y) { gu__seterr("plot: no points to plot (n = %" PRId64 ")", n); return -1; }
    if (!gu__finite_range(y, n, &ylo, &yhi) || (x && !gu__finite_range(x, n, &xlo, &xhi))) {
        gu__seterr("plot: no finite values among the %" PRId64 " points", n);
        return -1;
    }
    if (!x) { xlo = 0; xhi = (double)(n - 1); }
    if (gu__figure("plot", &c, &a, opts) != 0) return -1;
    // 5% margins, as matplotlib's axes.xmargin / ymargin; a flat range gets +-5% or +-0.05
    if (xhi == xlo) { m = xlo != 0 ? fabs(xlo) * 0.05 : 0.05; xlo -= m; xhi += m; }
    else { m = (xhi - xlo) * 0.05; xlo -= m; xhi += m; }
    if (yhi == ylo) { m = ylo != 0 ? fabs(ylo) * 0.05 : 0.05; ylo -= m; yhi += m; }
    else { m = (yhi - ylo) * 0.05; ylo -= m; yhi += m; }
    a.xlo = xlo; a.xhi = xhi; a.ylo = ylo; a.yhi = yhi;
    if (gu__polyline("plot", &c, &a, x, y, n, rgb) != 0) { GU_FREE(c.px); return -1; }
    gu__draw_axes(&c, &a);
    return gu__canvas_save("plot", &c, path);
}

GU__COLD GU__DEF int gu_plot_t(const char *path, gu_tensor y, const gu_plot_opts *opts) {
    gu_tensor f;
    int rc;
    if (!gu__check_in("plot", y)) return -1;
    if (y.ndim != 1) { gu__seterr("plot: expected a 1-D tensor, got shape %s", GU__SHT(y)); return -1; }
    f = gu_to(y, GU_FLOAT32);
    if (!gu_ok(f)) return -1;
    rc = gu_plot(path, (const float *)f.base, gu_numel(f), opts);
    gu_free(&f);
    return rc;
}

GU__COLD GU__DEF int gu_hist(const char *path, const float *x, int64_t n, int bins, const gu_plot_opts *opts) {
    gu__canvas c;
    gu__axes a;
    double lo = 0, hi = 0, width, m, top = 0;
    int64_t i, *count;
    uint32_t rgb = opts && opts->color ? opts->color : 0x1f77b4;
    int b;
    if (bins <= 0) { gu__seterr("hist: bins must be positive, got %d", bins); return -1; }
    if (bins > 100000) { gu__seterr("hist: %d bins is too many (at most 100000)", bins); return -1; }
    if (n <= 0 || !x) { gu__seterr("hist: no values (n = %" PRId64 ")", n); return -1; }
    if (!gu__finite_range(x, n, &lo, &hi)) { gu__seterr("hist: no finite values among %" PRId64, n); return -1; }
    if (hi == lo) { lo -= 0.5; hi += 0.5; }  // numpy's histogram of a constant
    count = (int64_t *)gu__malloc((size_t)bins * sizeof(int64_t));
    if (!count) { gu__seterr("hist: out of memory"); return -1; }
    memset(count, 0, (size_t)bins * sizeof(int64_t));
    width = (hi - lo) / bins;
    for (i = 0; i < n; i++) {
        double v = x[i];
        int k;
        if (v != v || isinf(v)) continue;
        k = (int)((v - lo) / width);
        if (k >= bins) k = bins - 1;  // the last bin includes the max, as numpy's
        if (k < 0) k = 0;
        count[k]++;
    }
    for (b = 0; b < bins; b++)
        if (count[b] > top) top = (double)count[b];
    if (gu__figure("hist", &c, &a, opts) != 0) { GU_FREE(count); return -1; }
    m = (hi - lo) * 0.05;
    a.xlo = lo - m; a.xhi = hi + m;
    a.ylo = 0; a.yhi = top > 0 ? top * 1.05 : 1;  // bars stick to 0: the margin is on top only
    for (b = 0; b < bins; b++) {
        int px0 = (int)floor(gu__px_x(&a, lo + b * width) + 0.5), px1 = (int)floor(gu__px_x(&a, lo + (b + 1) * width) + 0.5);
        int py = (int)floor(gu__px_y(&a, (double)count[b]) + 0.5);
        gu__fill(&c, px0, py, px1, a.y1, rgb);
    }
    GU_FREE(count);
    gu__draw_axes(&c, &a);
    return gu__canvas_save("hist", &c, path);
}

// ---- bar charts: a horizontal bar a label, so that long names fit on the left ----
#define GU__BAR_MAX 1000
#define GU__BAR_LABEL_MAX 40

// s cut to at most max characters, the cut ones ending in ".."; buf holds max + 1.
static const char *gu__cut(char *buf, const char *s, int max) {
    size_t len = strlen(s);
    if (len <= (size_t)max) return s;
    memcpy(buf, s, (size_t)max - 2);
    memcpy(buf + max - 2, "..", 3);
    return buf;
}
// A bar's annotation: whole numbers from 100 up ("1234x"), three digits below ("2.5x").
// Very large or small ones in the ticks' short exponent form: "2.5e7x", "1e-5x".
GU__COLD static void gu__bar_value(char *buf, size_t size, double v) {
    double a = fabs(v);
    char *e;
    if (a >= 100 && a < 1e7) snprintf(buf, size, "%.0fx", v);
    else snprintf(buf, size, "%.3gx", v);
    e = strchr(buf, 'e');
    if (e) {  // "1e+07x" -> "1e7x", "1e-05x" -> "1e-5x"
        char *src = e + 1, *dst = e + 1;
        if (*src == '+') src++;
        else if (*src == '-') *dst++ = *src++;
        while (*src == '0' && src[1] >= '0' && src[1] <= '9') src++;
        memmove(dst, src, strlen(src) + 1);
    }
}
// The label of the tick at 10^k: plain from 0.01 to 1000, then "1e4", "1e-3".
GU__COLD static void gu__decade_label(char *buf, size_t size, int k) {
    if (k >= -2 && k <= 3) snprintf(buf, size, "%g", pow(10.0, k));
    else snprintf(buf, size, "1e%d", k);
}

GU__COLD GU__DEF int gu_bar_titled(const char *path, const char *title, const char *const *labels, const float *values, int n,
                          int log_scale) {
    const uint32_t blue = 0x1f77b4, black = 0x000000, grid = 0xdddddd;
    char buf[GU__BAR_LABEL_MAX + 1], tbuf[81], num[64];
    gu__canvas c;
    gu__axes a;
    int i, label_w = 0, pos_w = 0, neg_w = 0, has_neg = 0, axes_w = 480, pad_l, pad_r, row_h, bar_h, pad_y;
    int title_w = 0, w, h, major, ticks_w = 0;
    double vmin = 0, vmax = 0, tmin, tmax, scale, t, step;
    if (n <= 0 || n > GU__BAR_MAX) { gu__seterr("bar: n = %d bars, expected 1 to %d", n, GU__BAR_MAX); return -1; }
    if (!labels || !values) { gu__seterr("bar: %s is NULL", labels ? "values" : "labels"); return -1; }
    // pass 1: check the values, and measure the labels and annotations
    for (i = 0; i < n; i++) {
        double v = values[i];
        int tw;
        if (!labels[i]) { gu__seterr("bar: labels[%d] is NULL", i); return -1; }
        if (v != v || isinf(v)) { gu__seterr("bar: values[%d] = %g is not finite", i, v); return -1; }
        if (log_scale && v <= 0) {
            gu__seterr("bar: values[%d] = %g, but a log scale needs every value > 0", i, v);
            return -1;
        }
        if (i == 0 || v < vmin) vmin = v;
        if (i == 0 || v > vmax) vmax = v;
        tw = gu__text_width(gu__cut(buf, labels[i], GU__BAR_LABEL_MAX));
        if (tw > label_w) label_w = tw;
        gu__bar_value(num, sizeof num, v);
        tw = gu__text_width(num);
        if (v < 0) { has_neg = 1; if (tw > neg_w) neg_w = tw; }
        else if (tw > pos_w) pos_w = tw;
    }
    // the value axis in t = v (linear) or t = log10 v. Bars grow from t = tmin: 0 on a linear
    // scale, on a log scale the decade at least 0.3 below the smallest value, so that every
    // bar shows. Room is kept at the ends for the annotations (6 px off a bar's end).
    if (log_scale) {
        tmin = floor(log10(vmin) - 0.3);
        tmax = log10(vmax);
        if (tmax < tmin + 1) tmax = tmin + 1;  // show a whole decade: two labelled ticks
    } else {
        tmin = vmin < 0 ? vmin : 0;
        tmax = vmax > 0 ? vmax : 0;
        if (tmax == tmin) tmax = tmin + 1;  // all zero
    }
    pad_l = has_neg ? neg_w + 16 : 0;
    pad_r = pos_w + 16;
    if (axes_w - pad_l - pad_r < 240) axes_w = 240 + pad_l + pad_r;
    scale = (tmax - tmin) / (axes_w - pad_l - pad_r);  // t per pixel
    a.xlo = tmin - pad_l * scale;
    a.xhi = tmax + pad_r * scale;
    a.ylo = 0;
    a.yhi = 1;  // unused: the bars are placed in pixels
    // major ticks: every decade (every few when crowded) or matplotlib's "nice" steps; the
    // labels may not come closer than 12 px
    if (log_scale) {
        int k_hi = (int)floor(a.xhi + 1e-9), k;
        for (k = (int)ceil(a.xlo - 1e-9); k <= k_hi; k++) {
            gu__decade_label(num, sizeof num, k);
            if (gu__text_width(num) > ticks_w) ticks_w = gu__text_width(num);
        }
        for (major = 1; major < 1000 && major / scale < ticks_w + 12; major++) {}
        step = major;
    } else {
        int bins;
        for (bins = 6; bins >= 1; bins--) {  // fewer ticks until the widest label fits
            int dec, tw1, tw2;
            step = gu__nice_step(a.xlo, a.xhi, bins);
            dec = gu__step_decimals(step);
            snprintf(num, sizeof num, "%.*f", dec, a.xlo);
            tw1 = gu__text_width(num);
            snprintf(num, sizeof num, "%.*f", dec, a.xhi);
            tw2 = gu__text_width(num);
            ticks_w = tw1 > tw2 ? tw1 : tw2;
            if (step / scale >= ticks_w + 12) break;
        }
    }
    // rows of 36 px (a bar is 70% of its row, as matplotlib's 0.8 nearly), taller when few
    row_h = n * 36 < 144 ? 144 / n : 36;
    bar_h = (int)(row_h * 0.7 + 0.5);
    if (bar_h > 48) bar_h = 48;
    pad_y = row_h / 4;
    if (title && *title) title_w = gu__text_width(gu__cut(tbuf, title, 80)) + 1;  // +1: drawn bold
    a.x0 = 16 + label_w + 10;
    a.x1 = a.x0 + axes_w;
    a.y0 = title_w ? 46 : 16;
    a.y1 = a.y0 + 2 * pad_y + n * row_h;
    w = a.x1 + (ticks_w / 2 + 16 > 40 ? ticks_w / 2 + 16 : 40);  // room for the last tick label
    if (title_w + 32 > w) w = title_w + 32;
    h = a.y1 + 40;
    if (gu__canvas_new("bar", &c, w, h) != 0) return -1;

    // light grid lines behind the bars, at the major ticks
    for (t = ceil(a.xlo / step - 1e-9) * step; t <= a.xhi + step * 1e-9; t += step) {
        int px = (int)floor(gu__px_x(&a, t) + 0.5);
        gu__fill(&c, px, a.y0, px + 1, a.y1, grid);
    }
    if (!log_scale && tmin < 0) {  // the zero line the bars grow from
        int px = (int)floor(gu__px_x(&a, 0) + 0.5);
        gu__fill(&c, px, a.y0, px + 1, a.y1, black);
    }
    // the bars, their labels and values
    for (i = 0; i < n; i++) {
        double v = values[i];
        int yc = a.y0 + pad_y + i * row_h + row_h / 2, ty = yc - GU__GLYPH_H / 2;
        int p0 = (int)floor(gu__px_x(&a, log_scale ? tmin : 0) + 0.5);
        int p1 = (int)floor(gu__px_x(&a, log_scale ? log10(v) : v) + 0.5);
        const char *lab = gu__cut(buf, labels[i], GU__BAR_LABEL_MAX);
        gu__fill(&c, p0 < p1 ? p0 : p1, yc - bar_h / 2, p0 < p1 ? p1 : p0, yc - bar_h / 2 + bar_h, blue);
        gu__bar_value(num, sizeof num, v);
        gu__text(&c, v < 0 ? p1 - 6 - gu__text_width(num) : p1 + 6, ty, num, black);
        gu__fill(&c, a.x0 - 5, yc, a.x0, yc + 1, black);
        gu__text(&c, a.x0 - 10 - gu__text_width(lab), ty, lab, black);
    }
    // the box, and the value axis' ticks and labels
    gu__fill(&c, a.x0, a.y0, a.x1 + 1, a.y0 + 1, black);
    gu__fill(&c, a.x0, a.y1, a.x1 + 1, a.y1 + 1, black);
    gu__fill(&c, a.x0, a.y0, a.x0 + 1, a.y1 + 1, black);
    gu__fill(&c, a.x1, a.y0, a.x1 + 1, a.y1 + 1, black);
    for (t = ceil(a.xlo / step - 1e-9) * step; t <= a.xhi + step * 1e-9; t += step) {
        int px = (int)floor(gu__px_x(&a, t) + 0.5);
        if (log_scale) gu__decade_label(num, sizeof num, (int)floor(t + 0.5));
        else snprintf(num, sizeof num, "%.*f", gu__step_decimals(step), fabs(t) < step * 1e-9 ? 0.0 : t);
        gu__fill(&c, px, a.y1 + 1, px + 1, a.y1 + 6, black);
        gu__text(&c, px - gu__text_width(num) / 2, a.y1 + 10, num, black);
    }
    if (log_scale && step == 1 && 1 / scale >= 40) {  // minor ticks at 2..9 times each decade
        int k;
        for (k = (int)floor(a.xlo); k <= (int)ceil(a.xhi); k++) {
            int j;
            for (j = 2; j <= 9; j++) {
                double tm = k + log10((double)j);
                if (tm > a.xlo && tm < a.xhi) {
                    int px = (int)floor(gu__px_x(&a, tm) + 0.5);
                    gu__fill(&c, px, a.y1 + 1, px + 1, a.y1 + 4, black);
                }
            }
        }
    }
    if (title_w) {  // centred over the axes, or the figure if too wide; bold: drawn twice
        const char *tt = gu__cut(tbuf, title, 80);
        int tx = (a.x0 + a.x1 - title_w) / 2;
        if (tx < 16 || tx + title_w + 16 > w) tx = (w - title_w) / 2;
        gu__text(&c, tx, 16, tt, black);
        gu__text(&c, tx + 1, 16, tt, black);
    }
    return gu__canvas_save("bar", &c, path);
}
GU__COLD GU__DEF int gu_bar(const char *path, const char *const *labels, const float *values, int n, int log_scale) {
    return gu_bar_titled(path, NULL, labels, values, n, log_scale);
}

GU__COLD GU__DEF int gu_term_show(FILE *f, gu_tensor img, int max_cols) {
    static const char *shade[5] = {" ", "\xe2\x96\x91", "\xe2\x96\x92", "\xe2\x96\x93", "\xe2\x96\x88"};
    int64_t rows, cols, step, r, cc, out_cols;
    double lo = 0, hi = 0;
    float *v;
    if (!f) { gu__seterr("term_show: FILE is NULL"); return -1; }
    v = gu__img_floats("term_show", img, &rows, &cols);
    if (!v) return -1;
    if (max_cols <= 0) max_cols = 80;
    gu__finite_range(v, rows * cols, &lo, &hi);
    step = (cols + max_cols - 1) / max_cols;  // elements per character across
    out_cols = (cols + step - 1) / step;
    for (r = 0; r < rows; r += 2 * step) {
        for (cc = 0; cc < out_cols; cc++) {
            // the mean of the block of elements under this character
            double s = 0;
            int64_t k = 0, i, j;
            for (i = r; i < r + 2 * step && i < rows; i++)
                for (j = cc * step; j < (cc + 1) * step && j < cols; j++)
                    if (v[i * cols + j] == v[i * cols + j]) { s += v[i * cols + j]; k++; }
            s = k ? s / (double)k : lo;
            s = hi > lo ? (s - lo) / (hi - lo) : 0;
            s = s >= 0 ? (s <= 1 ? s : 1) : 0;   // an infinity in the block: the darkest or lightest
            fputs(shade[(int)(s * 4.999)], f);
        }
        fputc('\n', f);
    }
    GU_FREE(v);
    if (ferror(f)) { gu__seterr("term_show: write failed: %s (an image of %" PRId64 " x %" PRId64 ")", strerror(errno), rows, cols); return -1; }
    return 0;
}

#endif // GU_NO_PLOT

// >>mnist -------------------------------------------------------------------------------
#ifndef GU_NO_MNIST
// ---- the input: a file or memory, raw or gzip, read through a small window --------------
// Bulk reads (array bytes) bypass the window: they go straight from fread/inflate into the
// destination. gu__src_maxleft() bounds what can still arrive, so a declared length can be
// refused before it is allocated.
#define GU__SRC_WIN (64 * 1024)
#define GU__SRC_INBUF (256 * 1024)
#define GU__DEFLATE_MAX_RATIO 1032  // deflate cannot expand more than 1032:1 (zlib FAQ)

typedef struct gu__src {
    const char *name;                // for messages
    int f;                           // 1: reading the file fd
    int fd;
    const unsigned char *mem;        // memory input (or NULL)
    int64_t in_size, in_used;        // compressed (or raw) bytes in all, and read so far
    int gz;
#ifndef GU_NO_ZLIB
    z_stream z;
    int z_live, z_done, z_member, z_member_out;
#endif
    unsigned char *inbuf;            // compressed input chunk (gzip files only)
    unsigned char *win;              // decoded bytes [win_pos, win_len) not consumed yet
    size_t win_pos, win_len, win_cap;
    int64_t pos;                     // decoded bytes consumed: the offset in messages
} gu__src;

static void gu__src_close(gu__src *s) {
    if (s->f) close(s->fd);
#ifndef GU_NO_ZLIB
    if (s->z_live) inflateEnd(&s->z);
#endif
    if (s->inbuf) GU_FREE(s->inbuf);
    if (s->win) GU_FREE(s->win);
    memset(s, 0, sizeof *s);
}

static int gu__ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

// Starts gzip decoding if the input is gzip; must_gz: the name says .gz.
static int gu__src_start(gu__src *s, const char *op, const unsigned char *head, size_t nhead, int must_gz) {
    int magic = nhead >= 2 && head[0] == 0x1f && head[1] == 0x8b;
    // a small input gets a small window (the tests and fuzzers parse many tiny inputs)
    s->win_cap = GU__SRC_WIN;
    if (!s->f && s->in_size < GU__SRC_WIN / 64) s->win_cap = magic ? GU__SRC_WIN / 4 : 1024;
    s->win = (unsigned char *)GU_MALLOC(s->win_cap);
    if (!s->win) { gu__seterr("%s: %s: out of memory", op, s->name); return -1; }
    if (must_gz && !magic) {
        gu__seterr("%s: %s: not a gzip file (the name ends in .gz but it starts with %s%02x %02x, not 1f 8b)",
                   op, s->name, nhead < 2 ? "only " : "", nhead > 0 ? head[0] : 0, nhead > 1 ? head[1] : 0);
        return -1;
    }
    if (!magic) return 0;
#ifdef GU_NO_ZLIB
    gu__seterr("%s: %s: gzip input, but groundup was built with GU_NO_ZLIB", op, s->name);
    return -1;
#else
    s->gz = 1;
    memset(&s->z, 0, sizeof s->z);
    s->z.zalloc = gu__zalloc;  // zlib's state allocates through the hooks too
    s->z.zfree = gu__zfree;
    if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK) { gu__seterr("%s: %s: inflateInit2 failed", op, s->name); return -1; }
    s->z_live = 1;
    s->z_member = 1;
    if (s->f) {
        s->inbuf = (unsigned char *)GU_MALLOC(GU__SRC_INBUF);
        if (!s->inbuf) { gu__seterr("%s: %s: out of memory", op, s->name); return -1; }
    } else {
        s->z.next_in = (Bytef *)(uintptr_t)s->mem;  // zlib's next_in is not const
        s->z.avail_in = (uInt)s->in_size;
        s->in_used = s->in_size;
    }
    return 0;
#endif
}

// Up to n bytes from the file, fewer only at its end: the count, or -1 with errno set.
static int64_t gu__src_read_fd(gu__src *s, unsigned char *dst, int64_t n) {
    int64_t got = 0;
    while (got < n) {
        size_t want = (size_t)(n - got > (1 << 30) ? (1 << 30) : n - got);
        ssize_t r = read(s->fd, dst + got, want);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return -1;
        if (r == 0) break;
        got += r;
    }
    return got;
}

// Only regular files are read: a FIFO, a device or a directory could block or never end.
// The file is opened without blocking (a FIFO's open would wait for a writer), then checked.
static int gu__src_open_file(gu__src *s, const char *op, const char *path) {
    unsigned char head[2];
    int64_t nh;
    struct stat st;
    int flags = O_RDONLY;
    memset(s, 0, sizeof *s);
    s->name = path;
#ifdef O_NONBLOCK
    flags |= O_NONBLOCK;
#endif
#ifdef O_BINARY
    flags |= O_BINARY;
#endif
#ifdef O_CLOEXEC
    flags |= O_CLOEXEC;
#endif
    errno = 0;
    s->fd = open(path, flags);
    if (s->fd < 0) {
        if (errno == EISDIR) gu__seterr("%s: %s is a directory", op, path);
        else gu__seterr("%s: cannot open %s: %s", op, path, strerror(errno));
        return -1;
    }
    s->f = 1;
    if (fstat(s->fd, &st) != 0) { gu__seterr("%s: %s: cannot stat: %s", op, path, strerror(errno)); return -1; }
    if (GU__ISDIR(st.st_mode)) { gu__seterr("%s: %s is a directory", op, path); return -1; }
    if (!GU__ISREG(st.st_mode)) {
        gu__seterr("%s: %s is not a regular file (a FIFO, socket or device); only regular files are read", op, path);
        return -1;
    }
    s->in_size = (int64_t)st.st_size;
    nh = gu__src_read_fd(s, head, 2);
    if (nh < 0 || lseek(s->fd, 0, SEEK_SET) != 0) { gu__seterr("%s: %s: read error: %s", op, path, strerror(errno)); return -1; }
    return gu__src_start(s, op, head, (size_t)nh, gu__ends_with(path, ".gz"));
}

static int gu__src_open_mem(gu__src *s, const char *op, const void *data, size_t n) {
    memset(s, 0, sizeof *s);
    s->name = "(memory)";
    if (!data && n) { gu__seterr("%s: data is NULL", op); return -1; }
    s->mem = (const unsigned char *)data;
    s->in_size = (int64_t)n;
    return gu__src_start(s, op, s->mem, n, 0);
}
#ifndef GU_NO_ZLIB
// The gzip input is empty: the next compressed chunk from the file (none left: stays empty).
static int gu__src_refill(const char *op, gu__src *s) {
    int64_t r;
    if (s->z.avail_in != 0 || !s->f) return 0;
    r = gu__src_read_fd(s, s->inbuf, GU__SRC_INBUF);
    if (r < 0) { gu__seterr("%s: %s: read error: %s", op, s->name, strerror(errno)); return -1; }
    s->in_used += r;
    s->z.next_in = s->inbuf;
    s->z.avail_in = (uInt)r;
    return 0;
}
#endif


// Produces up to n decoded bytes into dst: the count (0 only at the real end), or -1 with
// the error set. For gzip, checks every member's CRC and length and refuses trailing bytes.
static int64_t gu__src_fill(gu__src *s, const char *op, unsigned char *dst, int64_t n) {
    int64_t got = 0;
    if (!s->gz) {
        if (s->f) {
            int64_t r = gu__src_read_fd(s, dst, n);
            if (r < 0) { gu__seterr("%s: %s: read error: %s", op, s->name, strerror(errno)); return -1; }
            s->in_used += r;
            return r;
        } else {
            int64_t left = s->in_size - s->in_used;
            if (n > left) n = left;
            if (n > 0) memcpy(dst, s->mem + s->in_used, (size_t)n);
            s->in_used += n;
            return n;
        }
    }
#ifndef GU_NO_ZLIB
    while (got < n && !s->z_done) {
        int64_t want = n - got;
        uInt before;
        int ret;
        if (gu__src_refill(op, s) != 0) return -1;
        if (s->z.avail_in == 0) {
            gu__seterr("%s: %s: truncated gzip data (the compressed stream ends after %" PRId64 " bytes, mid-stream)",
                       op, s->name, s->in_used);
            return -1;
        }
        if (want > (1 << 30)) want = 1 << 30;
        s->z.next_out = dst + got;
        s->z.avail_out = (uInt)want;
        before = s->z.avail_out;
        ret = inflate(&s->z, Z_NO_FLUSH);
        got += before - s->z.avail_out;
        s->z_member_out += (int)(before != s->z.avail_out);
        if (ret == Z_STREAM_END) {
            // another member may follow (gzip -d accepts concatenated members); anything else is garbage
            if (gu__src_refill(op, s) != 0) return -1;
            if (s->z.avail_in == 0) { s->z_done = 1; break; }
            if (s->z.next_in[0] != 0x1f) {
                gu__seterr("%s: %s: trailing garbage after the gzip data (byte 0x%02x at compressed offset %" PRId64 ")",
                           op, s->name, s->z.next_in[0], s->in_used - (int64_t)s->z.avail_in);
                return -1;
            }
            inflateReset(&s->z);
            s->z_member++;
            s->z_member_out = 0;
        } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
            if (s->z_member > 1 && !s->z_member_out)
                gu__seterr("%s: %s: trailing garbage after the gzip data (%s)", op, s->name, s->z.msg ? s->z.msg : "bad header");
            else
                gu__seterr("%s: %s: corrupt gzip data (%s) near compressed offset %" PRId64, op, s->name,
                           s->z.msg ? s->z.msg : "inflate error", s->in_used - (int64_t)s->z.avail_in);
            return -1;
        }
    }
#endif
    return got;
}

// An upper bound on the decoded bytes still to come (exact for raw input).
static int64_t gu__src_maxleft(const gu__src *s) {
    int64_t buffered = (int64_t)(s->win_len - s->win_pos);
    int64_t raw_left = s->in_size - s->in_used;
    if (raw_left < 0) raw_left = 0;
#ifndef GU_NO_ZLIB
    if (s->gz) {
        int64_t comp = raw_left + (int64_t)s->z.avail_in;
        if (s->z_done) return buffered;
        if (comp > INT64_MAX / 2 / GU__DEFLATE_MAX_RATIO) return INT64_MAX / 2;
        return buffered + comp * GU__DEFLATE_MAX_RATIO + 65536;
    }
#endif
    return buffered + raw_left;
}

// Makes at least k (<= win_cap) bytes available in the window: 1, 0 at the end of input, -1 error.
static int gu__src_need(gu__src *s, const char *op, size_t k) {
    size_t avail = s->win_len - s->win_pos;
    if (avail >= k) return 1;
    memmove(s->win, s->win + s->win_pos, avail);
    s->win_pos = 0;
    s->win_len = avail;
    while (s->win_len < k) {
        int64_t r = gu__src_fill(s, op, s->win + s->win_len, (int64_t)(s->win_cap - s->win_len));
        if (r < 0) return -1;
        if (r == 0) return 0;
        s->win_len += (size_t)r;
    }
    return 1;
}

static void gu__src_truncated(gu__src *s, const char *op, int64_t need) {
    gu__seterr("%s: %s: truncated: %" PRId64 " more bytes needed at byte %" PRId64 " but the input ends",
               op, s->name, need, s->pos);
}

// Reads exactly n bytes into dst: 0, or -1 with the error set.
static int gu__src_read(gu__src *s, const char *op, void *dst_, int64_t n) {
    unsigned char *dst = (unsigned char *)dst_;
    size_t avail = s->win_len - s->win_pos;
    size_t take = (int64_t)avail < n ? avail : (size_t)n;
    if (take) memcpy(dst, s->win + s->win_pos, take);
    s->win_pos += take;
    s->pos += (int64_t)take;
    dst += take;
    n -= (int64_t)take;
    if (n == 0) return 0;
    if (n >= (int64_t)s->win_cap / 2) {  // large: straight into dst, no window copy
        while (n > 0) {
            int64_t r = gu__src_fill(s, op, dst, n);
            if (r < 0) return -1;
            if (r == 0) { gu__src_truncated(s, op, n); return -1; }
            dst += r;
            n -= r;
            s->pos += r;
        }
        return 0;
    } else {
        int r = gu__src_need(s, op, (size_t)n);
        if (r < 0) return -1;
        if (r == 0) { gu__src_truncated(s, op, n - (int64_t)(s->win_len - s->win_pos)); return -1; }
        memcpy(dst, s->win + s->win_pos, (size_t)n);
        s->win_pos += (size_t)n;
        s->pos += n;
        return 0;
    }
}

// Allocates n bytes and reads them. n is checked against what can still arrive first;
// for gzip (where that bound is loose) the buffer grows as bytes actually arrive, so a
// declared length never makes an allocation much larger than the data that came.
static unsigned char *gu__src_read_alloc(gu__src *s, const char *op, int64_t n, const char *what) {
    unsigned char *p;
    int64_t cap, got;
    if (n < 0 || (uint64_t)n > (uint64_t)SIZE_MAX / 2 || n > gu__src_maxleft(s)) {
        gu__seterr("%s: %s: %s at byte %" PRId64 " declares %" PRId64 " bytes but at most %" PRId64 " can follow",
                   op, s->name, what, s->pos, n, gu__src_maxleft(s));
        return NULL;
    }
    cap = (s->gz && n > (4 << 20)) ? (4 << 20) : n;
    p = (unsigned char *)gu__malloc((size_t)cap);
    if (!p) { gu__seterr("%s: %s: out of memory for %" PRId64 " bytes (%s)", op, s->name, cap, what); return NULL; }
    got = 0;
    for (;;) {
        int64_t chunk = cap - got;
        if (gu__src_read(s, op, p + got, chunk) != 0) { GU_FREE(p); return NULL; }
        got = cap;
        if (got == n) return p;
        cap = cap > n / 2 ? n : cap * 2;
        {
            unsigned char *q = (unsigned char *)GU_REALLOC(p, (size_t)cap);
            if (!q) { GU_FREE(p); gu__seterr("%s: %s: out of memory for %" PRId64 " bytes (%s)", op, s->name, cap, what); return NULL; }
            p = q;
        }
    }
}

// 1 when the decoded input has ended (for gzip: the trailer checked), 0 when bytes remain.
static int gu__src_at_end(gu__src *s, const char *op) {
    int r = gu__src_need(s, op, 1);
    if (r < 0) return -1;
    return r == 0;
}

// ---- byte order ----------------------------------------------------------------------------
static int gu__host_le(void) {
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}
static void gu__bswap(unsigned char *p, int64_t n, int size) {
    int64_t i;
    int k;
    if (size == 1) return;
    for (i = 0; i < n; i++, p += size)
        for (k = 0; k < size / 2; k++) {
            unsigned char t = p[k];
            p[k] = p[size - 1 - k];
            p[size - 1 - k] = t;
        }
}

// Converts n elements in p (already in host byte order) of kind 'f','i','u','b' and size
// esize into groundup's dtype, in place; the buffer is resized to fit (p may move).
// Returns the buffer or NULL (then p was freed).
static unsigned char *gu__convert_inplace(unsigned char *p, int64_t n, char kind, int esize, gu_dtype *out_dt) {
    int64_t i;
    if (kind == 'f' && esize == 4) { *out_dt = GU_FLOAT32; return p; }
    if (kind == 'f' && esize == 8) {  // narrow forward: element i's write (4i..4i+3) never passes its read (8i..)
        for (i = 0; i < n; i++) {
            double d;
            float f;
            memcpy(&d, p + 8 * i, 8);
            f = (float)d;
            memcpy(p + 4 * i, &f, 4);
        }
        *out_dt = GU_FLOAT32;
        if (n > 0) {
            unsigned char *q = (unsigned char *)GU_REALLOC(p, (size_t)n * 4);
            if (q) p = q;  // a failed shrink keeps the larger block
        }
        return p;
    }
    if (kind == 'u' && esize == 1) { *out_dt = GU_UINT8; return p; }
    if (kind == 'b' && esize == 1) {
        for (i = 0; i < n; i++) p[i] = p[i] != 0;
        *out_dt = GU_BOOL;
        return p;
    }
    if (kind == 'i' || kind == 'u') {  // widen to int64, backwards so nothing is overwritten unread
        unsigned char *q;
        *out_dt = GU_INT64;
        if (esize == 8 && kind == 'i') return p;
        if (n == 0) return p;
        q = (unsigned char *)GU_REALLOC(p, (size_t)n * 8);
        if (!q) { GU_FREE(p); return NULL; }
        p = q;
        for (i = n - 1; i >= 0; i--) {
            int64_t v = 0;
            if (kind == 'i' && esize == 1) { int8_t x; memcpy(&x, p + i, 1); v = x; }
            else if (kind == 'i' && esize == 2) { int16_t x; memcpy(&x, p + 2 * i, 2); v = x; }
            else if (kind == 'i' && esize == 4) { int32_t x; memcpy(&x, p + 4 * i, 4); v = x; }
            else if (kind == 'u' && esize == 2) { uint16_t x; memcpy(&x, p + 2 * i, 2); v = x; }
            else if (kind == 'u' && esize == 4) { uint32_t x; memcpy(&x, p + 4 * i, 4); v = x; }
            memcpy(p + 8 * i, &v, 8);
        }
        return p;
    }
    GU_FREE(p);
    return NULL;
}

// A tensor that owns p (numel elements of dt) with C or Fortran strides.
GU__COLD static gu_tensor gu__tensor_own(gu_dtype dt, int ndim, const int64_t *shape, int fortran, void *p, int64_t numel) {
    gu_tensor t;
    int i;
    memset(&t, 0, sizeof t);
    t.dtype = dt;
    t.ndim = ndim;
    for (i = 0; i < ndim; i++) t.shape[i] = shape[i];
    if (fortran) {
        int64_t st = 1;
        for (i = 0; i < ndim; i++) { t.stride[i] = st; st *= shape[i] > 1 ? shape[i] : 1; }
    } else {
        gu__contig_strides(ndim, t.shape, t.stride);
    }
    t.base = p;
    t.storage_numel = numel;
    t.owner = 1;
    return t;
}

// ---- the restricted unpickler ---------------------------------------------------------------
// Memory is bounded by what the file can make: besides the bytes objects it holds (each
// byte of the input at most once), the pickle's objects, references and memo together stay
// under about 50 MB however the file is written (a DUP bomb: each 1-byte DUP would be an
// 8-byte reference in a list).
#define GU__PK_MAX_STACK (1 << 18)
#define GU__PK_MAX_MARKS 10000
#define GU__PK_MAX_MEMO (1 << 18)
#define GU__PK_MAX_OBJECTS (1 << 18)
#define GU__PK_MAX_CELLS (1 << 21)  // references held by all lists and tuples together
#define GU__PK_MAX_DEPTH 100
#define GU__PK_MAX_VISITS (1 << 22)

enum { GU__PK_NONE = 1, GU__PK_BOOL, GU__PK_INT, GU__PK_FLOAT, GU__PK_BYTES, GU__PK_STR, GU__PK_TUPLE,
       GU__PK_LIST, GU__PK_GLOBAL, GU__PK_DTYPE, GU__PK_ARRAY };
enum { GU__G_RECONSTRUCT = 1, GU__G_NDARRAY, GU__G_DTYPE, GU__G_ENCODE, GU__G_FROMBUFFER, GU__G_BYTES };

typedef struct gu__pobj gu__pobj;
typedef struct gu__parr {  // an ndarray: shape, dtype and the bytes object holding its data
    int built, fortran, ndim, emitted;
    int64_t shape[GU_MAX_DIMS];
    gu__pobj *dtype, *data;
} gu__parr;
struct gu__pobj {
    int kind, refs, depth, frozen;
    union {
        int64_t i;                                              // BOOL, INT, GLOBAL id
        double f;                                               // FLOAT
        struct { unsigned char *p; int64_t len; } b;            // BYTES, STR (UTF-8)
        struct { gu__pobj **v; int64_t n, cap; } c;             // TUPLE, LIST
        struct { char kind, order; int size; } dt;              // DTYPE
        gu__parr *arr;                                          // ARRAY
    } u;
};

typedef struct gu__memo_slot { uint64_t key; gu__pobj *obj; } gu__memo_slot;

typedef struct gu__pk {
    gu__src *s;
    gu__pobj **stack;
    int64_t sp, scap;
    int64_t *marks;
    int64_t nmarks, mcap;
    gu__memo_slot *memo;     // open addressing; obj == NULL means empty
    int64_t memo_n, memo_cap;
    int64_t nobj, ncells;    // live objects; slots of all lists and tuples
    int64_t bytes_out, bytes_copied;  // arrays emitted, and the part of that copied for repeats
    char *line;
    size_t line_cap;
    int op, op_read;         // the opcode being interpreted (once read) and its offset, for messages
    int64_t op_at;
    gu_tensor *out;          // emitted tensors
    int max, count;
    gu__pobj *result;        // what STOP popped
} gu__pk;

// Every opcode of the pickle protocols 0 to 5, one row each: its byte, the name pickletools
// gives it, the argument read before its handler runs (NONE; LINE: text up to a newline;
// U1 U2 U4 U8: that many little-endian bytes) and its handler, gu__pk_op_<handler>. Refused
// opcodes read nothing and go to gu__pk_op_refuse. This one list makes both the names in
// messages (gu__pk_opname) and the interpreter's dispatch (gu__pk_run).
#define GU__PK_OPCODES(X) \
    X(0x80, PROTO, U1, proto)             X(0x95, FRAME, U8, frame) \
    X('.', STOP, NONE, stop)              X('(', MARK, NONE, mark) \
    X('0', POP, NONE, pop)                X('1', POP_MARK, NONE, pop_mark) \
    X('2', DUP, NONE, dup)                X('N', NONE, NONE, none) \
    X(0x88, NEWTRUE, NONE, bool)          X(0x89, NEWFALSE, NONE, bool) \
    X('I', INT, LINE, int_text)           X('L', LONG, LINE, long_text) \
    X('J', BININT, U4, binint)            X('K', BININT1, U1, binuint) \
    X('M', BININT2, U2, binuint)          X(0x8a, LONG1, U1, long_bin) \
    X(0x8b, LONG4, U4, long_bin)          X('F', FLOAT, LINE, float_text) \
    X('G', BINFLOAT, U8, binfloat)        X('S', STRING, LINE, string_text) \
    X('V', UNICODE, LINE, unicode_text)   X('T', BINSTRING, U4, bytes_i4) \
    X('U', SHORT_BINSTRING, U1, bytes)    X('C', SHORT_BINBYTES, U1, bytes) \
    X('B', BINBYTES, U4, bytes)           X(0x8e, BINBYTES8, U8, bytes8) \
    X(0x96, BYTEARRAY8, U8, bytes8)       X(0x8d, BINUNICODE8, U8, bytes8) \
    X('X', BINUNICODE, U4, str)           X(0x8c, SHORT_BINUNICODE, U1, str) \
    X(')', EMPTY_TUPLE, NONE, empty)      X(']', EMPTY_LIST, NONE, empty) \
    X('t', TUPLE, NONE, collect)          X('l', LIST, NONE, collect) \
    X(0x85, TUPLE1, NONE, tuple_n)        X(0x86, TUPLE2, NONE, tuple_n) \
    X(0x87, TUPLE3, NONE, tuple_n)        X('a', APPEND, NONE, append) \
    X('e', APPENDS, NONE, appends)        X('c', GLOBAL, LINE, global) \
    X(0x93, STACK_GLOBAL, NONE, stack_global) X('R', REDUCE, NONE, reduce) \
    X('b', BUILD, NONE, build)            X('p', PUT, LINE, put) \
    X('q', BINPUT, U1, put)               X('r', LONG_BINPUT, U4, put) \
    X(0x94, MEMOIZE, NONE, put)           X('g', GET, LINE, get) \
    X('h', BINGET, U1, get)               X('j', LONG_BINGET, U4, get) \
    X('i', INST, NONE, refuse)            X('o', OBJ, NONE, refuse) \
    X(0x81, NEWOBJ, NONE, refuse)         X(0x92, NEWOBJ_EX, NONE, refuse) \
    X('P', PERSID, NONE, refuse)          X('Q', BINPERSID, NONE, refuse) \
    X(0x82, EXT1, NONE, refuse)           X(0x83, EXT2, NONE, refuse) \
    X(0x84, EXT4, NONE, refuse)           X('d', DICT, NONE, refuse) \
    X('}', EMPTY_DICT, NONE, refuse)      X('s', SETITEM, NONE, refuse) \
    X('u', SETITEMS, NONE, refuse)        X(0x8f, EMPTY_SET, NONE, refuse) \
    X(0x90, ADDITEMS, NONE, refuse)       X(0x91, FROZENSET, NONE, refuse) \
    X(0x97, NEXT_BUFFER, NONE, refuse)    X(0x98, READONLY_BUFFER, NONE, refuse)

static const char *gu__pk_opname(int op) {
    switch (op) {
#define GU__PK_NAME_CASE(byte, name, arg, handler) case byte: return #name;
    GU__PK_OPCODES(GU__PK_NAME_CASE)
#undef GU__PK_NAME_CASE
    default: return "unknown opcode";
    }
}
static const char *gu__pk_kindname(int kind) {
    switch (kind) {
    case GU__PK_NONE: return "None"; case GU__PK_BOOL: return "bool"; case GU__PK_INT: return "int";
    case GU__PK_FLOAT: return "float"; case GU__PK_BYTES: return "bytes"; case GU__PK_STR: return "str";
    case GU__PK_TUPLE: return "tuple"; case GU__PK_LIST: return "list"; case GU__PK_GLOBAL: return "global";
    case GU__PK_DTYPE: return "dtype"; case GU__PK_ARRAY: return "ndarray"; default: return "?";
    }
}

// Every error names the file, the opcode and its byte offset; returns -1.
static int gu__pk_err(gu__pk *P, const char *fmt, ...) GU__PRINTF(2, 3);
GU__COLD static int gu__pk_err(gu__pk *P, const char *fmt, ...) {
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (P->op_read)
        gu__seterr("pkl: %s: %s (opcode %s 0x%02x at byte %" PRId64 ")", P->s->name, msg, gu__pk_opname(P->op), P->op, P->op_at);
    else
        gu__seterr("pkl: %s: %s (at byte %" PRId64 ")", P->s->name, msg, P->op_at);
    return -1;
}
// A read failed: keep the reader's message and add the opcode it was reading, if any.
GU__COLD static int gu__pk_readerr(gu__pk *P) {
    char msg[400];
    if (!P->op_read) return -1;   // reading the next opcode: the reader's message says where
    gu__errcpy(msg, sizeof msg);
    gu__seterr("%s (in opcode %s at byte %" PRId64 ")", msg, gu__pk_opname(P->op), P->op_at);
    return -1;
}

GU__COLD static void gu__pk_decref(gu__pk *P, gu__pobj *o) {
    int64_t i;
    if (!o || --o->refs > 0) return;
    switch (o->kind) {
    case GU__PK_BYTES: case GU__PK_STR: if (o->u.b.p) GU_FREE(o->u.b.p); break;
    case GU__PK_TUPLE: case GU__PK_LIST:
        for (i = 0; i < o->u.c.n; i++) gu__pk_decref(P, o->u.c.v[i]);  // depth is bounded: no deep recursion
        if (o->u.c.v) GU_FREE(o->u.c.v);
        P->ncells -= o->u.c.cap;
        break;
    case GU__PK_ARRAY:
        if (o->u.arr) { gu__pk_decref(P, o->u.arr->dtype); gu__pk_decref(P, o->u.arr->data); GU_FREE(o->u.arr); }
        break;
    default: break;
    }
    P->nobj--;
    GU_FREE(o);
}

GU__COLD static gu__pobj *gu__pk_new(gu__pk *P, int kind) {
    gu__pobj *o;
    if (P->nobj >= GU__PK_MAX_OBJECTS) { gu__pk_err(P, "more than %d live objects", GU__PK_MAX_OBJECTS); return NULL; }
    o = (gu__pobj *)GU_MALLOC(sizeof *o);
    if (!o) { gu__pk_err(P, "out of memory"); return NULL; }
    memset(o, 0, sizeof *o);
    o->kind = kind;
    o->refs = 1;
    P->nobj++;
    return o;
}

GU__COLD static int gu__pk_push(gu__pk *P, gu__pobj *o) {
    if (!o) return -1;
    if (P->sp == P->scap) {
        int64_t nc = P->scap ? P->scap * 2 : 64;
        gu__pobj **ns;
        if (P->sp >= GU__PK_MAX_STACK) { gu__pk_decref(P, o); return gu__pk_err(P, "stack deeper than %d", GU__PK_MAX_STACK); }
        ns = (gu__pobj **)GU_REALLOC(P->stack, (size_t)nc * sizeof *ns);
        if (!ns) { gu__pk_decref(P, o); return gu__pk_err(P, "out of memory"); }
        P->stack = ns;
        P->scap = nc;
    }
    P->stack[P->sp++] = o;
    return 0;
}
// The bottom of the current MARK frame: objects above it are the frame's.
GU__COLD static int64_t gu__pk_floor(gu__pk *P) { return P->nmarks ? P->marks[P->nmarks - 1] : 0; }
GU__COLD static gu__pobj *gu__pk_pop(gu__pk *P) {
    if (P->sp <= gu__pk_floor(P)) { gu__pk_err(P, "stack underflow"); return NULL; }
    return P->stack[--P->sp];
}
GU__COLD static gu__pobj *gu__pk_top(gu__pk *P) {
    if (P->sp <= gu__pk_floor(P)) { gu__pk_err(P, "stack underflow"); return NULL; }
    return P->stack[P->sp - 1];
}
GU__COLD static int gu__pk_popmark(gu__pk *P, int64_t *at) {
    if (!P->nmarks) return gu__pk_err(P, "no MARK to pop");
    *at = P->marks[--P->nmarks];
    return 0;
}

GU__COLD static gu__pobj *gu__pk_int(gu__pk *P, int kind, int64_t v) {
    gu__pobj *o = gu__pk_new(P, kind);
    if (o) o->u.i = v;
    return o;
}

// A container's children: frozen (a list inside something can no longer be appended to,
// so no cycle can form) and the nesting depth bounded (so recursion is bounded).
GU__COLD static int gu__pk_adopt(gu__pk *P, gu__pobj *c, gu__pobj *child) {
    int d = child->depth + 1;
    child->frozen = 1;
    if (d > GU__PK_MAX_DEPTH) return gu__pk_err(P, "containers nested deeper than %d", GU__PK_MAX_DEPTH);
    if (d > c->depth) c->depth = d;
    return 0;
}

// Makes a tuple or list of stack[from..sp) (the stack's references move into it).
GU__COLD static int gu__pk_collect(gu__pk *P, int kind, int64_t from) {
    int64_t n = P->sp - from, i;
    gu__pobj *c = gu__pk_new(P, kind);
    if (!c) return -1;
    if (n) {
        if (P->ncells + n > GU__PK_MAX_CELLS) {
            gu__pk_decref(P, c);
            return gu__pk_err(P, "lists and tuples hold more than %d references", GU__PK_MAX_CELLS);
        }
        c->u.c.v = (gu__pobj **)GU_MALLOC((size_t)n * sizeof(gu__pobj *));
        if (!c->u.c.v) { gu__pk_decref(P, c); return gu__pk_err(P, "out of memory"); }
        c->u.c.cap = n;
        P->ncells += n;
    }
    for (i = 0; i < n; i++) {
        c->u.c.v[i] = P->stack[from + i];
        c->u.c.n++;
        if (gu__pk_adopt(P, c, c->u.c.v[i]) != 0) {
            P->sp = from;  // items 0..i are c's now (freed with it), the rest are freed here
            for (i = i + 1; i < n; i++) gu__pk_decref(P, P->stack[from + i]);
            gu__pk_decref(P, c);
            return -1;
        }
    }
    P->sp = from;
    return gu__pk_push(P, c);
}

GU__COLD static int gu__pk_append(gu__pk *P, gu__pobj *list, gu__pobj *item) {
    if (list->kind != GU__PK_LIST) { gu__pk_decref(P, item); return gu__pk_err(P, "APPEND to a %s, not a list", gu__pk_kindname(list->kind)); }
    if (list->frozen) { gu__pk_decref(P, item); return gu__pk_err(P, "APPEND to a list that is already inside another object"); }
    if (item == list) { gu__pk_decref(P, item); return gu__pk_err(P, "a list appended to itself"); }
    if (list->u.c.n == list->u.c.cap) {
        int64_t nc = list->u.c.cap ? list->u.c.cap * 2 : 8;
        gu__pobj **nv;
        if (P->ncells - list->u.c.cap + nc > GU__PK_MAX_CELLS) {
            if (P->ncells + 1 > GU__PK_MAX_CELLS) {
                gu__pk_decref(P, item);
                return gu__pk_err(P, "lists and tuples hold more than %d references", GU__PK_MAX_CELLS);
            }
            nc = list->u.c.cap + (GU__PK_MAX_CELLS - P->ncells);  // the room left, not double
        }
        nv = (gu__pobj **)GU_REALLOC(list->u.c.v, (size_t)nc * sizeof *nv);
        if (!nv) { gu__pk_decref(P, item); return gu__pk_err(P, "out of memory"); }
        list->u.c.v = nv;
        P->ncells += nc - list->u.c.cap;
        list->u.c.cap = nc;
    }
    list->u.c.v[list->u.c.n++] = item;
    return gu__pk_adopt(P, list, item);
}

// ---- the memo: any key, a hash map, bounded entries ----
GU__COLD static uint64_t gu__pk_hash(uint64_t k) { k ^= k >> 33; k *= UINT64_C(0xff51afd7ed558ccd); k ^= k >> 33; return k; }
GU__COLD static gu__memo_slot *gu__pk_memo_find(gu__pk *P, uint64_t key) {
    uint64_t m, i;
    if (!P->memo_cap) return NULL;
    m = (uint64_t)P->memo_cap - 1;
    for (i = gu__pk_hash(key) & m;; i = (i + 1) & m) {
        if (!P->memo[i].obj) return &P->memo[i];
        if (P->memo[i].key == key) return &P->memo[i];
    }
}
GU__COLD static int gu__pk_memo_put(gu__pk *P, uint64_t key, gu__pobj *o) {
    gu__memo_slot *sl;
    if (P->memo_n * 2 >= P->memo_cap) {  // grow at half full
        int64_t nc = P->memo_cap ? P->memo_cap * 2 : 64, i;
        gu__memo_slot *old = P->memo;
        int64_t oc = P->memo_cap;
        if (P->memo_n >= GU__PK_MAX_MEMO) return gu__pk_err(P, "memo holds more than %d entries", GU__PK_MAX_MEMO);
        P->memo = (gu__memo_slot *)GU_MALLOC((size_t)nc * sizeof *P->memo);
        if (!P->memo) { P->memo = old; return gu__pk_err(P, "out of memory"); }
        memset(P->memo, 0, (size_t)nc * sizeof *P->memo);
        P->memo_cap = nc;
        for (i = 0; i < oc; i++)
            if (old[i].obj) *gu__pk_memo_find(P, old[i].key) = old[i];
        if (old) GU_FREE(old);
    }
    sl = gu__pk_memo_find(P, key);
    if (sl->obj) gu__pk_decref(P, sl->obj);
    else P->memo_n++;
    sl->key = key;
    sl->obj = o;
    o->refs++;
    return 0;
}
GU__COLD static int gu__pk_memo_get(gu__pk *P, uint64_t key) {
    gu__memo_slot *sl = gu__pk_memo_find(P, key);
    if (!sl || !sl->obj) return gu__pk_err(P, "memo key %" PRIu64 " was never stored", key);
    sl->obj->refs++;
    return gu__pk_push(P, sl->obj);
}

// ---- reading operands ----
GU__COLD static int gu__pk_bytes(gu__pk *P, void *dst, int n) {
    return gu__src_read(P->s, "pkl", dst, n) ? gu__pk_readerr(P) : 0;
}
static uint64_t gu__le(const unsigned char *b, int n) {
    uint64_t v = 0;
    int i;
    for (i = n - 1; i >= 0; i--) v = (v << 8) | b[i];
    return v;
}
// A protocol-0 text line (without its '\n'), NUL-terminated in P->line; grows as bytes arrive.
GU__COLD static int gu__pk_line(gu__pk *P, size_t *len) {
    size_t n = 0;
    for (;;) {
        unsigned char *nl;
        size_t avail, take;
        int r = gu__src_need(P->s, "pkl", 1);
        if (r < 0) return gu__pk_readerr(P);
        if (r == 0) return gu__pk_err(P, "truncated: the input ends inside a text line");
        avail = P->s->win_len - P->s->win_pos;
        nl = (unsigned char *)memchr(P->s->win + P->s->win_pos, '\n', avail);
        take = nl ? (size_t)(nl - (P->s->win + P->s->win_pos)) : avail;
        if (n + take + 1 > P->line_cap) {
            size_t nc = P->line_cap ? P->line_cap : 256;
            char *nl2;
            while (nc < n + take + 1) nc *= 2;
            nl2 = (char *)GU_REALLOC(P->line, nc);
            if (!nl2) return gu__pk_err(P, "out of memory");
            P->line = nl2;
            P->line_cap = nc;
        }
        memcpy(P->line + n, P->s->win + P->s->win_pos, take);
        n += take;
        P->s->win_pos += take + (nl ? 1 : 0);
        P->s->pos += (int64_t)(take + (nl ? 1 : 0));
        if (nl) break;
    }
    P->line[n] = 0;
    *len = n;
    return 0;
}
// A decimal integer from a text line ("123", "-5", "123L"); 0 or -1.
GU__COLD static int gu__pk_parse_int(gu__pk *P, const char *s, int64_t *v) {
    int neg = 0;
    uint64_t x = 0;
    const char *p = s;
    if (*p == '-' || *p == '+') neg = *p++ == '-';
    if (!(*p >= '0' && *p <= '9')) return gu__pk_err(P, "bad integer text \"%.40s\"", s);
    for (; *p >= '0' && *p <= '9'; p++) {
        if (x > (UINT64_MAX - (uint64_t)(*p - '0')) / 10) return gu__pk_err(P, "integer \"%.40s\" does not fit in 64 bits", s);
        x = x * 10 + (uint64_t)(*p - '0');
    }
    if (*p == 'L') p++;
    if (*p) return gu__pk_err(P, "bad integer text \"%.40s\"", s);
    if (x > (uint64_t)INT64_MAX + (uint64_t)neg) return gu__pk_err(P, "integer \"%.40s\" does not fit in int64", s);
    *v = neg ? (int64_t)(0 - x) : (int64_t)x;
    return 0;
}

GU__COLD static gu__pobj *gu__pk_blob(gu__pk *P, int kind, unsigned char *p, int64_t len) {
    gu__pobj *o = gu__pk_new(P, kind);
    if (!o) { if (p) GU_FREE(p); return NULL; }
    o->u.b.p = p;
    o->u.b.len = len;
    return o;
}
// Pushes a bytes/str object of n bytes read from the input (n checked before allocating).
GU__COLD static int gu__pk_read_blob(gu__pk *P, int kind, int64_t n) {
    unsigned char *p;
    if (n < 0) return gu__pk_err(P, "negative length %" PRId64, n);
    if (n > gu__src_maxleft(P->s))
        return gu__pk_err(P, "declares %" PRId64 " bytes but at most %" PRId64 " can follow", n, gu__src_maxleft(P->s));
    p = gu__src_read_alloc(P->s, "pkl", n, gu__pk_opname(P->op));
    if (!p) return gu__pk_readerr(P);
    return gu__pk_push(P, gu__pk_blob(P, kind, p, n));
}

// Python 2's repr of a str ('...' or "..."), as protocol 0's STRING holds it -> bytes.
GU__COLD static int gu__pk_unrepr(gu__pk *P, const char *s, size_t n) {
    unsigned char *out, *o;
    size_t i;
    if (n < 2 || (s[0] != '\'' && s[0] != '"') || s[n - 1] != s[0]) return gu__pk_err(P, "STRING argument is not quoted");
    out = (unsigned char *)gu__malloc(n);
    if (!out) return gu__pk_err(P, "out of memory");
    o = out;
    for (i = 1; i < n - 1; i++) {
        char c = s[i];
        if (c != '\\') { *o++ = (unsigned char)c; continue; }
        if (++i >= n - 1) { GU_FREE(out); return gu__pk_err(P, "STRING ends in a backslash"); }
        c = s[i];
        switch (c) {
        case 'n': *o++ = '\n'; break; case 't': *o++ = '\t'; break; case 'r': *o++ = '\r'; break;
        case 'a': *o++ = 7; break; case 'b': *o++ = 8; break; case 'f': *o++ = 12; break; case 'v': *o++ = 11; break;
        case '\\': case '\'': case '"': *o++ = (unsigned char)c; break;
        case '\n': break;
        case 'x': {
            int k, v = 0;
            for (k = 0; k < 2; k++) {
                char h = ++i < n - 1 ? s[i] : 0;
                int d = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
                if (d < 0) { GU_FREE(out); return gu__pk_err(P, "bad \\x escape in STRING"); }
                v = v * 16 + d;
            }
            *o++ = (unsigned char)v;
            break;
        }
        default:
            if (c >= '0' && c <= '7') {
                int k, v = c - '0';
                for (k = 0; k < 2 && i + 1 < n - 1 && s[i + 1] >= '0' && s[i + 1] <= '7'; k++) v = v * 8 + (s[++i] - '0');
                *o++ = (unsigned char)(v & 0xff);
            } else {  // unknown escapes stay as written, as Python does
                *o++ = '\\';
                *o++ = (unsigned char)c;
            }
        }
    }
    return gu__pk_push(P, gu__pk_blob(P, GU__PK_BYTES, out, (int64_t)(o - out)));
}

GU__COLD static unsigned char *gu__utf8_put(unsigned char *o, uint32_t cp) {
    if (cp < 0x80) *o++ = (unsigned char)cp;
    else if (cp < 0x800) { *o++ = (unsigned char)(0xc0 | (cp >> 6)); *o++ = (unsigned char)(0x80 | (cp & 63)); }
    else if (cp < 0x10000) { *o++ = (unsigned char)(0xe0 | (cp >> 12)); *o++ = (unsigned char)(0x80 | ((cp >> 6) & 63)); *o++ = (unsigned char)(0x80 | (cp & 63)); }
    else { *o++ = (unsigned char)(0xf0 | (cp >> 18)); *o++ = (unsigned char)(0x80 | ((cp >> 12) & 63)); *o++ = (unsigned char)(0x80 | ((cp >> 6) & 63)); *o++ = (unsigned char)(0x80 | (cp & 63)); }
    return o;
}
// Protocol 0's UNICODE: raw-unicode-escape (bytes are code points, \uXXXX and \UXXXXXXXX) -> UTF-8.
GU__COLD static int gu__pk_unicode_line(gu__pk *P, const char *s, size_t n) {
    unsigned char *out, *o;
    size_t i;
    out = (unsigned char *)gu__malloc(n * 2 + 1);
    if (!out) return gu__pk_err(P, "out of memory");
    o = out;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' && i + 1 < n && (s[i + 1] == 'u' || s[i + 1] == 'U')) {
            int k, digits = s[i + 1] == 'u' ? 4 : 8;
            uint32_t v = 0;
            if (i + 1 + (size_t)digits >= n) { GU_FREE(out); return gu__pk_err(P, "truncated \\u escape in UNICODE"); }
            for (k = 0; k < digits; k++) {
                char h = s[i + 2 + k];
                int d = (h >= '0' && h <= '9') ? h - '0' : (h >= 'a' && h <= 'f') ? h - 'a' + 10 : (h >= 'A' && h <= 'F') ? h - 'A' + 10 : -1;
                if (d < 0) { GU_FREE(out); return gu__pk_err(P, "bad \\u escape in UNICODE"); }
                v = v * 16 + (uint32_t)d;
            }
            if (v > 0x10ffff || digits == 8) {  // \U is 4 UTF-8 bytes for 10 input bytes: fits the 2n bound
                if (v > 0x10ffff) { GU_FREE(out); return gu__pk_err(P, "code point out of range in UNICODE"); }
            }
            o = gu__utf8_put(o, v);
            i += 1 + (size_t)digits;
        } else {
            o = gu__utf8_put(o, c);
        }
    }
    return gu__pk_push(P, gu__pk_blob(P, GU__PK_STR, out, (int64_t)(o - out)));
}

// Text of a str or bytes object (pickles from Python 2 use str, 3 uses unicode).
GU__COLD static int gu__pk_text(gu__pobj *o, const char **p, int64_t *n) {
    if (!o || (o->kind != GU__PK_STR && o->kind != GU__PK_BYTES)) return 0;
    *p = o->u.b.p ? (const char *)o->u.b.p : "";
    *n = o->u.b.len;
    return 1;
}
GU__COLD static int gu__pk_text_is(gu__pobj *o, const char *s) {
    const char *p;
    int64_t n;
    return gu__pk_text(o, &p, &n) && (size_t)n == strlen(s) && memcmp(p, s, (size_t)n) == 0;
}

// The first 80 bytes of a name from the file, for a message: other than printable ASCII as \xNN
// (a NUL would end the message early, and could make a refused name read as an allowed one).
GU__COLD static void gu__pk_printable(char *dst, const char *s, int64_t n) {
    int64_t i;
    for (i = 0; i < n && i < 80; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') *dst++ = (char)c;
        else dst += snprintf(dst, 5, "\\x%02x", c);
    }
    *dst = 0;
}
// The allow-list. Anything else is refused where it is named, before it could be called.
GU__COLD static int gu__pk_global(gu__pk *P, const char *mod, int64_t nm, const char *name, int64_t nn) {
    static const struct { const char *mod, *name; int id; } allow[] = {
        {"numpy.core.multiarray", "_reconstruct", GU__G_RECONSTRUCT},
        {"numpy._core.multiarray", "_reconstruct", GU__G_RECONSTRUCT},
        {"numpy", "ndarray", GU__G_NDARRAY},
        {"numpy", "dtype", GU__G_DTYPE},
        {"_codecs", "encode", GU__G_ENCODE},
        {"numpy.core.numeric", "_frombuffer", GU__G_FROMBUFFER},
        {"numpy._core.numeric", "_frombuffer", GU__G_FROMBUFFER},
        {"__builtin__", "bytes", GU__G_BYTES},
        {"builtins", "bytes", GU__G_BYTES},
    };
    size_t i;
    char pm[4 * 80 + 1], pn[4 * 80 + 1];
    for (i = 0; i < sizeof allow / sizeof allow[0]; i++)
        if ((size_t)nm == strlen(allow[i].mod) && memcmp(mod, allow[i].mod, (size_t)nm) == 0 &&
            (size_t)nn == strlen(allow[i].name) && memcmp(name, allow[i].name, (size_t)nn) == 0)
            return gu__pk_push(P, gu__pk_int(P, GU__PK_GLOBAL, allow[i].id));
    gu__pk_printable(pm, mod, nm);
    gu__pk_printable(pn, name, nn);
    return gu__pk_err(P, "refusing global %s.%s: only the globals of NumPy arrays are allowed", pm, pn);
}

// numpy.dtype('f4', align, copy) -> a dtype object (byte order from BUILD, native until then).
GU__COLD static gu__pobj *gu__pk_make_dtype(gu__pk *P, gu__pobj *args) {
    const char *t;
    int64_t n, i = 0;
    char order = '=', kind;
    int size = 0;
    gu__pobj *d;
    if (args->u.c.n < 1 || !gu__pk_text(args->u.c.v[0], &t, &n)) { gu__pk_err(P, "numpy.dtype needs a type string"); return NULL; }
    if (n > 0 && (t[0] == '<' || t[0] == '>' || t[0] == '|' || t[0] == '=')) order = t[i++];
    if (i >= n) { gu__pk_err(P, "bad dtype string"); return NULL; }
    kind = t[i++];
    for (; i < n && t[i] >= '0' && t[i] <= '9' && size < 100; i++) size = size * 10 + (t[i] - '0');
    if (i != n || !((kind == 'f' && (size == 4 || size == 8)) || (kind == 'i' && (size == 1 || size == 2 || size == 4 || size == 8)) ||
                    (kind == 'u' && (size == 1 || size == 2 || size == 4)) || (kind == 'b' && size == 1))) {
        gu__pk_err(P, "dtype '%.*s' is not supported (f4 f8 i1 i2 i4 i8 u1 u2 u4 b1 are)", (int)(n > 20 ? 20 : n), t);
        return NULL;
    }
    d = gu__pk_new(P, GU__PK_DTYPE);
    if (!d) return NULL;
    d->u.dt.kind = kind;
    d->u.dt.size = size;
    d->u.dt.order = size == 1 ? '|' : order == '=' ? (gu__host_le() ? '<' : '>') : order;
    return d;
}

// dtype.__setstate__((version, endian, subarray, names, fields, elsize, alignment, flags[, metadata]))
GU__COLD static int gu__pk_dtype_state(gu__pk *P, gu__pobj *d, gu__pobj *st) {
    const char *e;
    int64_t n, i;
    if (st->kind != GU__PK_TUPLE || st->u.c.n < 2 || st->u.c.v[0]->kind != GU__PK_INT || !gu__pk_text(st->u.c.v[1], &e, &n) || n != 1)
        return gu__pk_err(P, "dtype state is not (version, byteorder, ...)");
    for (i = 2; i < st->u.c.n && i < 5; i++)
        if (st->u.c.v[i]->kind != GU__PK_NONE) return gu__pk_err(P, "structured or sub-array dtypes are not supported");
    if (e[0] == '|') {
        if (d->u.dt.size != 1) return gu__pk_err(P, "byte order '|' for a %d-byte dtype", d->u.dt.size);
    } else if (e[0] == '<' || e[0] == '>') {
        if (d->u.dt.size > 1) d->u.dt.order = e[0];
    } else if (e[0] == '=') {
        if (d->u.dt.size > 1) d->u.dt.order = gu__host_le() ? '<' : '>';
    } else {
        return gu__pk_err(P, "bad byte order '%c' in dtype state", e[0]);
    }
    return 0;
}

// A shape tuple of non-negative ints.
GU__COLD static int gu__pk_shape(gu__pk *P, gu__pobj *t, int *ndim, int64_t *shape) {
    int64_t i;
    if (t->kind == GU__PK_INT) { *ndim = 1; shape[0] = t->u.i; if (t->u.i < 0) return gu__pk_err(P, "negative dimension"); return 0; }
    if (t->kind != GU__PK_TUPLE) return gu__pk_err(P, "array shape is a %s, not a tuple", gu__pk_kindname(t->kind));
    if (t->u.c.n > GU_MAX_DIMS) return gu__pk_err(P, "array has %" PRId64 " dims, at most %d are supported", t->u.c.n, GU_MAX_DIMS);
    for (i = 0; i < t->u.c.n; i++) {
        if (t->u.c.v[i]->kind != GU__PK_INT || t->u.c.v[i]->u.i < 0) return gu__pk_err(P, "array shape holds a bad dimension");
        shape[i] = t->u.c.v[i]->u.i;
    }
    *ndim = (int)t->u.c.n;
    return 0;
}

// Sets an array's shape, dtype and data, checking that the data has exactly the bytes the
// shape and dtype need.
static int gu__pk_fill_array(gu__pk *P, gu__parr *a, gu__pobj *shape, gu__pobj *dtype, int fortran, gu__pobj *data) {
    int64_t numel, bytes;
    if (a->built) return gu__pk_err(P, "array state set twice");
    if (gu__pk_shape(P, shape, &a->ndim, a->shape) != 0) return -1;
    if (dtype->kind != GU__PK_DTYPE) return gu__pk_err(P, "array dtype is a %s", gu__pk_kindname(dtype->kind));
    if (data->kind != GU__PK_BYTES) return gu__pk_err(P, "array data is a %s, not bytes (object arrays are not supported)", gu__pk_kindname(data->kind));
    if (!gu__shape_numel(a->ndim, a->shape, &numel)) return gu__pk_err(P, "array shape %s overflows", gu__sh(a->ndim, a->shape));
    if (!gu__mul_ok(numel, dtype->u.dt.size, &bytes) || bytes != data->u.b.len)
        return gu__pk_err(P, "array of shape %s and dtype %c%d needs %" PRId64 " bytes, the data has %" PRId64,
                          gu__sh(a->ndim, a->shape), dtype->u.dt.kind, dtype->u.dt.size, bytes, data->u.b.len);
    a->fortran = fortran;
    a->dtype = dtype;
    a->data = data;
    dtype->refs++;
    data->refs++;
    a->built = 1;
    return 0;
}

GU__COLD static int gu__pk_truth(gu__pobj *o) { return (o->kind == GU__PK_BOOL || o->kind == GU__PK_INT) && o->u.i != 0; }

// An empty array object, for _reconstruct (BUILD fills it) and _frombuffer.
GU__COLD static gu__pobj *gu__pk_new_array(gu__pk *P) {
    gu__pobj *r = gu__pk_new(P, GU__PK_ARRAY);
    if (!r) return NULL;
    r->u.arr = (gu__parr *)GU_MALLOC(sizeof(gu__parr));
    if (!r->u.arr) { gu__pk_decref(P, r); gu__pk_err(P, "out of memory"); return NULL; }
    memset(r->u.arr, 0, sizeof(gu__parr));
    return r;
}

// REDUCE: callable(*args), for the allowed callables only.
GU__COLD static int gu__pk_reduce(gu__pk *P) {
    gu__pobj *args = gu__pk_pop(P), *fn, *r = NULL;
    int64_t n;
    if (!args) return -1;
    fn = gu__pk_pop(P);
    if (!fn) { gu__pk_decref(P, args); return -1; }
    if (fn->kind != GU__PK_GLOBAL) { gu__pk_err(P, "calling a %s", gu__pk_kindname(fn->kind)); goto fail; }
    if (args->kind != GU__PK_TUPLE) { gu__pk_err(P, "arguments are a %s, not a tuple", gu__pk_kindname(args->kind)); goto fail; }
    n = args->u.c.n;
    switch ((int)fn->u.i) {
    case GU__G_RECONSTRUCT:  // _reconstruct(ndarray, (0,), b'b'): an empty array that BUILD fills
        if (n != 3 || args->u.c.v[0]->kind != GU__PK_GLOBAL || args->u.c.v[0]->u.i != GU__G_NDARRAY) {
            gu__pk_err(P, "_reconstruct takes (numpy.ndarray, shape, typecode)");
            goto fail;
        }
        r = gu__pk_new_array(P);
        if (!r) goto fail;
        break;
    case GU__G_DTYPE:
        r = gu__pk_make_dtype(P, args);
        if (!r) goto fail;
        break;
    case GU__G_ENCODE: {  // _codecs.encode(text, 'latin1'): UTF-8 code points < 256 -> bytes, in place
        gu__pobj *s;
        unsigned char *p, *o;
        int64_t i, len;
        if (n != 2 || args->u.c.v[0]->kind != GU__PK_STR || !(gu__pk_text_is(args->u.c.v[1], "latin1") || gu__pk_text_is(args->u.c.v[1], "latin-1"))) {
            gu__pk_err(P, "_codecs.encode is allowed only as encode(str, 'latin1')");
            goto fail;
        }
        s = args->u.c.v[0];
        len = s->u.b.len;
        p = (unsigned char *)gu__malloc((size_t)len);
        if (!p) { gu__pk_err(P, "out of memory"); goto fail; }
        o = p;
        for (i = 0; i < len; i++) {
            unsigned char c = s->u.b.p[i];
            if (c < 0x80) *o++ = c;
            else if ((c == 0xc2 || c == 0xc3) && i + 1 < len && (s->u.b.p[i + 1] & 0xc0) == 0x80) {
                *o++ = (unsigned char)(((c & 0x1f) << 6) | (s->u.b.p[i + 1] & 0x3f));
                i++;
            } else {
                GU_FREE(p);
                gu__pk_err(P, "_codecs.encode: text at index %" PRId64 " is not latin-1", i);
                goto fail;
            }
        }
        r = gu__pk_blob(P, GU__PK_BYTES, p, (int64_t)(o - p));
        if (!r) goto fail;
        break;
    }
    case GU__G_FROMBUFFER: {  // _frombuffer(buffer, dtype, shape, order)
        const char *ord;
        int64_t on;
        if (n != 4 || !gu__pk_text(args->u.c.v[3], &ord, &on) || on != 1 || (ord[0] != 'C' && ord[0] != 'F')) {
            gu__pk_err(P, "_frombuffer takes (buffer, dtype, shape, 'C' or 'F')");
            goto fail;
        }
        r = gu__pk_new_array(P);
        if (!r) goto fail;
        if (gu__pk_fill_array(P, r->u.arr, args->u.c.v[2], args->u.c.v[1], ord[0] == 'F', args->u.c.v[0]) != 0) { gu__pk_decref(P, r); goto fail; }
        break;
    }
    case GU__G_BYTES:  // bytes() is how Python 3 writes b'' below protocol 3
        if (n != 0) { gu__pk_err(P, "bytes() is allowed only without arguments"); goto fail; }
        r = gu__pk_blob(P, GU__PK_BYTES, NULL, 0);
        if (!r) goto fail;
        break;
    default:
        gu__pk_err(P, "numpy.ndarray cannot be called directly");
        goto fail;
    }
    gu__pk_decref(P, args);
    gu__pk_decref(P, fn);
    return gu__pk_push(P, r);
fail:
    gu__pk_decref(P, args);
    gu__pk_decref(P, fn);
    return -1;
}

// BUILD: obj.__setstate__(state) for arrays and dtypes.
GU__COLD static int gu__pk_build(gu__pk *P) {
    gu__pobj *st = gu__pk_pop(P), *o;
    int rc = -1;
    if (!st) return -1;
    o = gu__pk_top(P);
    if (!o) { gu__pk_decref(P, st); return -1; }
    if (o->kind == GU__PK_DTYPE) {
        rc = gu__pk_dtype_state(P, o, st);
    } else if (o->kind == GU__PK_ARRAY) {
        // (version, shape, dtype, is_fortran, data), or the same without version
        int64_t k = st->kind == GU__PK_TUPLE ? st->u.c.n : 0;
        if (k == 5 || k == 4) {
            gu__pobj **v = st->u.c.v + (k - 4);
            rc = gu__pk_fill_array(P, o->u.arr, v[0], v[1], gu__pk_truth(v[2]), v[3]);
        } else {
            gu__pk_err(P, "array state is not (version, shape, dtype, fortran, data)");
        }
    } else {
        gu__pk_err(P, "BUILD on a %s is not supported", gu__pk_kindname(o->kind));
    }
    gu__pk_decref(P, st);
    return rc;
}

// ---- the opcodes' handlers: 0, -1 with the error set, or 1 for STOP (the result in P->result)
enum { GU__PKA_NONE, GU__PKA_LINE, GU__PKA_U1, GU__PKA_U2, GU__PKA_U4, GU__PKA_U8 };
typedef struct gu__pk_arg {
    unsigned char b[8];  // U1..U8: the bytes as read
    uint64_t u;          // U1..U8: their little-endian value
    size_t len;          // LINE: the text is P->line, len bytes without the newline
} gu__pk_arg;

// Reads an opcode's argument (GU__PKA_*).
GU__COLD static int gu__pk_read_arg(gu__pk *P, int kind, gu__pk_arg *a) {
    static const int size[6] = {0, 0, 1, 2, 4, 8};
    if (kind == GU__PKA_NONE) return 0;
    if (kind == GU__PKA_LINE) return gu__pk_line(P, &a->len);
    if (gu__pk_bytes(P, a->b, size[kind])) return -1;
    a->u = gu__le(a->b, size[kind]);
    return 0;
}

GU__COLD static int gu__pk_op_proto(gu__pk *P, const gu__pk_arg *a) {
    return a->u > 5 ? gu__pk_err(P, "protocol %d is not supported (0 to 5 are)", (int)a->u) : 0;
}
// FRAME: a length prefix for buffering; frames are not needed to parse
GU__COLD static int gu__pk_op_frame(gu__pk *P, const gu__pk_arg *a) {
    if (a->u > (uint64_t)gu__src_maxleft(P->s)) return gu__pk_err(P, "frame of %" PRIu64 " bytes is longer than the input left", a->u);
    return 0;
}
// STOP: must be the last byte
GU__COLD static int gu__pk_op_stop(gu__pk *P, const gu__pk_arg *a) {
    gu__pobj *o = gu__pk_pop(P);
    int r;
    (void)a;
    if (!o) return -1;
    r = gu__src_at_end(P->s, "pkl");
    if (r <= 0) {
        gu__pk_decref(P, o);
        if (r < 0) return gu__pk_readerr(P);
        return gu__pk_err(P, "bytes follow STOP");
    }
    P->result = o;
    return 1;
}
GU__COLD static int gu__pk_op_mark(gu__pk *P, const gu__pk_arg *a) {
    (void)a;
    if (P->nmarks >= GU__PK_MAX_MARKS) return gu__pk_err(P, "MARKs nested deeper than %d", GU__PK_MAX_MARKS);
    if (P->nmarks == P->mcap) {
        int64_t nc = P->mcap ? P->mcap * 2 : 32;
        int64_t *nm = (int64_t *)GU_REALLOC(P->marks, (size_t)nc * sizeof *nm);
        if (!nm) return gu__pk_err(P, "out of memory");
        P->marks = nm;
        P->mcap = nc;
    }
    P->marks[P->nmarks++] = P->sp;
    return 0;
}
// POP (an empty frame pops its mark, as Python does)
GU__COLD static int gu__pk_op_pop(gu__pk *P, const gu__pk_arg *a) {
    int64_t at;
    (void)a;
    if (P->sp > gu__pk_floor(P)) gu__pk_decref(P, P->stack[--P->sp]);
    else if (gu__pk_popmark(P, &at)) return -1;
    return 0;
}
GU__COLD static int gu__pk_op_pop_mark(gu__pk *P, const gu__pk_arg *a) {
    int64_t at;
    (void)a;
    if (gu__pk_popmark(P, &at)) return -1;
    while (P->sp > at) gu__pk_decref(P, P->stack[--P->sp]);
    return 0;
}
GU__COLD static int gu__pk_op_dup(gu__pk *P, const gu__pk_arg *a) {
    gu__pobj *o = gu__pk_top(P);
    (void)a;
    if (!o) return -1;
    o->refs++;
    return gu__pk_push(P, o);
}
GU__COLD static int gu__pk_op_none(gu__pk *P, const gu__pk_arg *a) {
    (void)a;
    return gu__pk_push(P, gu__pk_new(P, GU__PK_NONE));
}
GU__COLD static int gu__pk_op_bool(gu__pk *P, const gu__pk_arg *a) {  // NEWTRUE, NEWFALSE
    (void)a;
    return gu__pk_push(P, gu__pk_int(P, GU__PK_BOOL, P->op == 0x88));
}
// INT: decimal text; I01/I00 are Python 2's True/False
GU__COLD static int gu__pk_op_int_text(gu__pk *P, const gu__pk_arg *a) {
    int64_t v;
    (void)a;
    if (!strcmp(P->line, "01") || !strcmp(P->line, "00")) return gu__pk_push(P, gu__pk_int(P, GU__PK_BOOL, P->line[1] == '1'));
    if (gu__pk_parse_int(P, P->line, &v)) return -1;
    return gu__pk_push(P, gu__pk_int(P, GU__PK_INT, v));
}
GU__COLD static int gu__pk_op_long_text(gu__pk *P, const gu__pk_arg *a) {
    int64_t v;
    (void)a;
    if (gu__pk_parse_int(P, P->line, &v)) return -1;
    return gu__pk_push(P, gu__pk_int(P, GU__PK_INT, v));
}
GU__COLD static int gu__pk_op_binint(gu__pk *P, const gu__pk_arg *a) {  // signed 32-bit
    return gu__pk_push(P, gu__pk_int(P, GU__PK_INT, (int32_t)(uint32_t)a->u));
}
GU__COLD static int gu__pk_op_binuint(gu__pk *P, const gu__pk_arg *a) {  // BININT1, BININT2: unsigned
    return gu__pk_push(P, gu__pk_int(P, GU__PK_INT, (int64_t)a->u));
}
// LONG1, LONG4: a byte count, then little-endian two's complement, at most 8 bytes here
GU__COLD static int gu__pk_op_long_bin(gu__pk *P, const gu__pk_arg *a) {
    unsigned char b[8];
    int64_t n = P->op == 0x8a ? (int64_t)a->u : (int32_t)(uint32_t)a->u;
    uint64_t u;
    if (n < 0 || n > 8) return gu__pk_err(P, "integer of %" PRId64 " bytes (at most 8 are supported)", n);
    if (gu__pk_bytes(P, b, (int)n)) return -1;
    u = gu__le(b, (int)n);
    if (n > 0 && n < 8 && (b[n - 1] & 0x80)) u |= ~(uint64_t)0 << (8 * n);  // sign-extend
    return gu__pk_push(P, gu__pk_int(P, GU__PK_INT, (int64_t)u));
}
GU__COLD static int gu__pk_push_float(gu__pk *P, double d) {
    gu__pobj *o = gu__pk_new(P, GU__PK_FLOAT);
    if (o) o->u.f = d;
    return gu__pk_push(P, o);
}
GU__COLD static int gu__pk_op_float_text(gu__pk *P, const gu__pk_arg *a) {
    char *end;
    double d = strtod(P->line, &end);
    (void)a;
    if (end == P->line || *end) return gu__pk_err(P, "bad float text");
    return gu__pk_push_float(P, d);
}
GU__COLD static int gu__pk_op_binfloat(gu__pk *P, const gu__pk_arg *a) {
    uint64_t u;
    double d;
    int k;
    for (u = 0, k = 0; k < 8; k++) u = (u << 8) | a->b[k];  // big-endian
    memcpy(&d, &u, 8);
    return gu__pk_push_float(P, d);
}
GU__COLD static int gu__pk_op_string_text(gu__pk *P, const gu__pk_arg *a) { return gu__pk_unrepr(P, P->line, a->len); }
GU__COLD static int gu__pk_op_unicode_text(gu__pk *P, const gu__pk_arg *a) { return gu__pk_unicode_line(P, P->line, a->len); }
// BINSTRING: a signed 32-bit length
GU__COLD static int gu__pk_op_bytes_i4(gu__pk *P, const gu__pk_arg *a) { return gu__pk_read_blob(P, GU__PK_BYTES, (int32_t)(uint32_t)a->u); }
GU__COLD static int gu__pk_op_bytes(gu__pk *P, const gu__pk_arg *a) { return gu__pk_read_blob(P, GU__PK_BYTES, (int64_t)a->u); }
GU__COLD static int gu__pk_op_str(gu__pk *P, const gu__pk_arg *a) { return gu__pk_read_blob(P, GU__PK_STR, (int64_t)a->u); }
// BINBYTES8, BYTEARRAY8, BINUNICODE8
GU__COLD static int gu__pk_op_bytes8(gu__pk *P, const gu__pk_arg *a) {
    if (a->u > (uint64_t)INT64_MAX) return gu__pk_err(P, "length %" PRIu64 " is too large", a->u);
    return gu__pk_read_blob(P, P->op == 0x8d ? GU__PK_STR : GU__PK_BYTES, (int64_t)a->u);
}
GU__COLD static int gu__pk_op_empty(gu__pk *P, const gu__pk_arg *a) {  // EMPTY_TUPLE, EMPTY_LIST
    (void)a;
    return gu__pk_push(P, gu__pk_new(P, P->op == ')' ? GU__PK_TUPLE : GU__PK_LIST));
}
GU__COLD static int gu__pk_op_collect(gu__pk *P, const gu__pk_arg *a) {  // TUPLE, LIST: what is above the mark
    int64_t at;
    (void)a;
    if (gu__pk_popmark(P, &at)) return -1;
    return gu__pk_collect(P, P->op == 't' ? GU__PK_TUPLE : GU__PK_LIST, at);
}
GU__COLD static int gu__pk_op_tuple_n(gu__pk *P, const gu__pk_arg *a) {  // TUPLE1..3
    int64_t n = P->op - 0x84;
    (void)a;
    if (P->sp - gu__pk_floor(P) < n) return gu__pk_err(P, "stack underflow");
    return gu__pk_collect(P, GU__PK_TUPLE, P->sp - n);
}
GU__COLD static int gu__pk_op_append(gu__pk *P, const gu__pk_arg *a) {
    gu__pobj *item = gu__pk_pop(P), *list;
    (void)a;
    if (!item) return -1;
    list = gu__pk_top(P);
    if (!list) { gu__pk_decref(P, item); return -1; }
    return gu__pk_append(P, list, item);
}
// APPENDS: the items above the mark go into the list below it
GU__COLD static int gu__pk_op_appends(gu__pk *P, const gu__pk_arg *a) {
    int64_t i, at;
    gu__pobj *list;
    (void)a;
    if (gu__pk_popmark(P, &at)) return -1;
    if (at <= gu__pk_floor(P)) { P->marks[P->nmarks++] = at; return gu__pk_err(P, "no list below the MARK"); }
    list = P->stack[at - 1];
    for (i = at; i < P->sp; i++) {
        gu__pobj *item = P->stack[i];
        P->stack[i] = NULL;
        if (gu__pk_append(P, list, item)) {
            for (i = i + 1; i < P->sp; i++) gu__pk_decref(P, P->stack[i]);
            P->sp = at;
            return -1;
        }
    }
    P->sp = at;
    return 0;
}
// GLOBAL "module\nname\n": the module is the argument's line, the name the next one
GU__COLD static int gu__pk_op_global(gu__pk *P, const gu__pk_arg *a) {
    size_t len, mlen = a->len;
    int rc;
    char *mod = (char *)gu__malloc(mlen + 1);
    if (!mod) return gu__pk_err(P, "out of memory");
    memcpy(mod, P->line, mlen + 1);
    if (gu__pk_line(P, &len)) { GU_FREE(mod); return -1; }
    rc = gu__pk_global(P, mod, (int64_t)mlen, P->line, (int64_t)len);
    GU_FREE(mod);
    return rc;
}
// STACK_GLOBAL: module and name from the stack
GU__COLD static int gu__pk_op_stack_global(gu__pk *P, const gu__pk_arg *a) {
    gu__pobj *name = gu__pk_pop(P), *mod;
    const char *ms, *ns;
    int64_t ml, nl;
    int rc;
    (void)a;
    if (!name) return -1;
    mod = gu__pk_pop(P);
    if (!mod) { gu__pk_decref(P, name); return -1; }
    if (mod->kind != GU__PK_STR || name->kind != GU__PK_STR) {
        rc = gu__pk_err(P, "module and name must be str");
    } else {
        gu__pk_text(mod, &ms, &ml);
        gu__pk_text(name, &ns, &nl);
        rc = gu__pk_global(P, ms, ml, ns, nl);
    }
    gu__pk_decref(P, name);
    gu__pk_decref(P, mod);
    return rc;
}
GU__COLD static int gu__pk_op_reduce(gu__pk *P, const gu__pk_arg *a) { (void)a; return gu__pk_reduce(P); }
GU__COLD static int gu__pk_op_build(gu__pk *P, const gu__pk_arg *a) { (void)a; return gu__pk_build(P); }
// PUT (a decimal line), BINPUT, LONG_BINPUT (the key as argument), MEMOIZE (the next key)
GU__COLD static int gu__pk_op_put(gu__pk *P, const gu__pk_arg *a) {
    uint64_t key = a->u;
    gu__pobj *o;
    if (P->op == 'p') {
        int64_t v;
        if (gu__pk_parse_int(P, P->line, &v)) return -1;
        if (v < 0) return gu__pk_err(P, "negative memo key");
        key = (uint64_t)v;
    } else if (P->op == 0x94) {
        key = (uint64_t)P->memo_n;
    }
    o = gu__pk_top(P);
    if (!o || gu__pk_memo_put(P, key, o)) return -1;
    return 0;
}
// GET (a decimal line), BINGET, LONG_BINGET (the key as argument)
GU__COLD static int gu__pk_op_get(gu__pk *P, const gu__pk_arg *a) {
    uint64_t key = a->u;
    if (P->op == 'g') {
        int64_t v;
        if (gu__pk_parse_int(P, P->line, &v)) return -1;
        if (v < 0) return gu__pk_err(P, "negative memo key");
        key = (uint64_t)v;
    }
    return gu__pk_memo_get(P, key);
}
GU__COLD static int gu__pk_op_refuse(gu__pk *P, const gu__pk_arg *a) {
    (void)a;
    return gu__pk_err(P, "refusing opcode %s: it is not needed for NumPy arrays", gu__pk_opname(P->op));
}

// The interpreter loop: an opcode, its argument, its handler (GU__PK_OPCODES), until STOP.
GU__COLD static int gu__pk_run(gu__pk *P, gu__pobj **result) {
    gu__src *s = P->s;
    for (;;) {
        gu__pk_arg a;
        int r;
        P->op_at = s->pos;
        P->op = 0;
        P->op_read = 0;
        r = gu__src_need(s, "pkl", 1);
        if (r < 0) return gu__pk_readerr(P);
        if (r == 0) return gu__pk_err(P, P->op_at == 0 ? "the input is empty" : "the input ends without STOP");
        P->op = s->win[s->win_pos++];
        P->op_read = 1;
        s->pos++;
        memset(&a, 0, sizeof a);
        switch (P->op) {
#define GU__PK_RUN_CASE(byte, name, arg, handler) \
        case byte: r = gu__pk_read_arg(P, GU__PKA_##arg, &a) ? -1 : gu__pk_op_##handler(P, &a); break;
        GU__PK_OPCODES(GU__PK_RUN_CASE)
#undef GU__PK_RUN_CASE
        default:
            P->op_read = 0;   // a byte, not an opcode: the message names it
            return gu__pk_err(P, "unknown opcode 0x%02x", P->op);
        }
        if (r < 0) return -1;
        if (r > 0) {
            *result = P->result;
            return 0;
        }
    }
}

// Turns one array into an owned tensor; steals the data buffer when nothing else holds it.
GU__COLD static int gu__pk_emit(gu__pk *P, gu__pobj *o) {
    gu__parr *a = o->u.arr;
    gu__pobj *data = a->data;
    int64_t numel = 1, i;
    char kind = a->dtype->u.dt.kind, order = a->dtype->u.dt.order;
    int esize = a->dtype->u.dt.size;
    unsigned char *p;
    gu_dtype dt = GU_INVALID;
    if (P->count >= P->max) return gu__pk_err(P, "the pickle holds more than %d arrays", P->max);
    if (a->emitted) {  // the same array twice in the result: a copy, each output owns its own
        // ... but the copies may not outgrow the arrays the file really holds: an array
        // referenced 16 times would otherwise take 16 times its memory from a few bytes of memo
        int64_t b = data->u.b.len;
        if (P->bytes_copied + b > P->bytes_out - P->bytes_copied)
            return gu__pk_err(P, "the result repeats an array of %" PRId64 " bytes (result %d is result %d again); "
                                 "repeats are copies, and they may not take more memory than the distinct arrays (%" PRId64 " bytes)",
                              b, P->count, a->emitted - 1, P->bytes_out - P->bytes_copied);
        P->bytes_copied += b;
        P->bytes_out += b;
        P->out[P->count] = gu_clone(P->out[a->emitted - 1]);
        if (!gu_ok(P->out[P->count])) return -1;
        (void)gu__tidy_forget(P->out[P->count].base);  // loaders' outputs outlive tidy scopes
        P->count++;
        return 0;
    }
    for (i = 0; i < a->ndim; i++) numel *= a->shape[i];  // checked in fill_array
    if (data->refs == 1) {  // only this array holds the bytes: take them
        p = data->u.b.p;
        data->u.b.p = NULL;
        if (!p) p = (unsigned char *)gu__malloc(1);
    } else {
        p = (unsigned char *)gu__malloc((size_t)data->u.b.len);
        if (p && data->u.b.len) memcpy(p, data->u.b.p, (size_t)data->u.b.len);
    }
    if (!p) return gu__pk_err(P, "out of memory");
    if (esize > 1 && (order == '<') != gu__host_le()) gu__bswap(p, numel, esize);
    p = gu__convert_inplace(p, numel, kind, esize, &dt);
    if (!p) return gu__pk_err(P, "out of memory converting an array");
    P->out[P->count++] = gu__tensor_own(dt, a->ndim, a->shape, a->fortran && a->ndim > 1, p, numel);
    P->bytes_out += data->u.b.len;
    a->emitted = P->count;
    return 0;
}

// Emits the arrays of the result in order: an array, or tuples and lists of them.
GU__COLD static int gu__pk_walk(gu__pk *P, gu__pobj *o, int64_t *visits) {
    int64_t i;
    if (++*visits > GU__PK_MAX_VISITS) return gu__pk_err(P, "the result is too large to walk");
    if (o->kind == GU__PK_ARRAY) {
        if (!o->u.arr->built) return gu__pk_err(P, "the result holds an array whose data was never set");
        return gu__pk_emit(P, o);
    }
    if (o->kind == GU__PK_TUPLE || o->kind == GU__PK_LIST) {
        for (i = 0; i < o->u.c.n; i++)
            if (gu__pk_walk(P, o->u.c.v[i], visits)) return -1;
        return 0;
    }
    return gu__pk_err(P, "the result holds a %s; only arrays in tuples and lists are returned", gu__pk_kindname(o->kind));
}

GU__COLD static int gu__pk_load(gu__src *s, gu_tensor *out, int max, int *count) {
    gu__pk P;
    gu__pobj *root = NULL;
    int64_t i, visits = 0;
    int rc;
    memset(&P, 0, sizeof P);
    P.s = s;
    P.out = out;
    P.max = max;
    if (count) *count = 0;
    if (max < 0) { gu__seterr("pkl: max is %d; it is how many tensors out has room for", max); return -1; }
    if (!out && max > 0) { gu__seterr("pkl: out is NULL"); return -1; }
    rc = gu__pk_run(&P, &root);
    // the memo and stack go first, so the result's arrays are the only holders of their bytes
    for (i = 0; i < P.memo_cap; i++)
        if (P.memo[i].obj) gu__pk_decref(&P, P.memo[i].obj);
    while (P.sp > 0) gu__pk_decref(&P, P.stack[--P.sp]);
    if (rc == 0) {
        P.op = '.';
        P.op_read = 1;
        rc = gu__pk_walk(&P, root, &visits);
        if (rc) {
            int k;
            for (k = 0; k < P.count; k++) gu_free(&out[k]);
            P.count = 0;
        }
    }
    if (root) gu__pk_decref(&P, root);
    if (P.memo) GU_FREE(P.memo);
    if (P.stack) GU_FREE(P.stack);
    if (P.marks) GU_FREE(P.marks);
    if (P.line) GU_FREE(P.line);
    GU_ASSERT(P.nobj == 0);
    if (count) *count = rc == 0 ? P.count : 0;
    return rc;
}

GU__COLD GU__DEF int gu_pkl_load(const char *path, gu_tensor *out, int max, int *count) {
    gu__src s;
    int rc;
    if (count) *count = 0;
    if (!path) { gu__seterr("pkl: path is NULL"); return -1; }
    if (gu__src_open_file(&s, "pkl", path) != 0) { gu__src_close(&s); return -1; }
    rc = gu__pk_load(&s, out, max, count);
    gu__src_close(&s);
    return rc;
}
GU__COLD GU__DEF int gu_pkl_load_mem(const void *data, size_t n, gu_tensor *out, int max, int *count) {
    gu__src s;
    int rc;
    if (count) *count = 0;
    if (gu__src_open_mem(&s, "pkl", data, n) != 0) { gu__src_close(&s); return -1; }
    rc = gu__pk_load(&s, out, max, count);
    gu__src_close(&s);
    return rc;
}

// ---- IDX --------------------------------------------------------------------------------------
typedef struct gu__idx_head {
    int ndim, esize;
    char kind;                     // 'u', 'i' or 'f'
    int64_t shape[GU_MAX_DIMS], numel, bytes;
} gu__idx_head;

// Reads and checks the header; the data's size must fit what can follow. 0 or -1.
static int gu__idx_header(gu__src *s, gu__idx_head *H) {
    unsigned char h[4], d[4];
    int i;
    if (gu__src_read(s, "idx", h, 4)) return -1;
    if (h[0] != 0 || h[1] != 0) {
        gu__seterr("idx: %s: bad magic %02x %02x %02x %02x (an IDX file starts 00 00 TYPE NDIMS)", s->name, h[0], h[1], h[2], h[3]);
        return -1;
    }
    switch (h[2]) {
    case 0x08: H->kind = 'u'; H->esize = 1; break;
    case 0x09: H->kind = 'i'; H->esize = 1; break;
    case 0x0B: H->kind = 'i'; H->esize = 2; break;
    case 0x0C: H->kind = 'i'; H->esize = 4; break;
    case 0x0D: H->kind = 'f'; H->esize = 4; break;
    case 0x0E: H->kind = 'f'; H->esize = 8; break;
    default: gu__seterr("idx: %s: unknown type code 0x%02x", s->name, h[2]); return -1;
    }
    H->ndim = h[3];
    if (H->ndim < 1 || H->ndim > GU_MAX_DIMS) {
        gu__seterr("idx: %s: %d dims (1 to %d are supported)", s->name, H->ndim, GU_MAX_DIMS);
        return -1;
    }
    for (i = 0; i < H->ndim; i++) {
        if (gu__src_read(s, "idx", d, 4)) return -1;
        H->shape[i] = ((int64_t)d[0] << 24) | ((int64_t)d[1] << 16) | ((int64_t)d[2] << 8) | d[3];
    }
    if (!gu__shape_numel(H->ndim, H->shape, &H->numel)) {
        gu__seterr("idx: %s: dims %s overflow", s->name, gu__sh(H->ndim, H->shape));
        return -1;
    }
    if (!gu__mul_ok(H->numel, H->esize, &H->bytes) || H->bytes > gu__src_maxleft(s)) {
        gu__seterr("idx: %s: dims %s need %s%" PRId64 " bytes of data but at most %" PRId64 " follow", s->name,
                   gu__sh(H->ndim, H->shape), H->bytes < 0 ? "more than " : "", H->bytes < 0 ? INT64_MAX : H->bytes,
                   gu__src_maxleft(s));
        return -1;
    }
    if (!s->gz && H->bytes != gu__src_maxleft(s)) {  // raw: the size is known, it must match exactly
        gu__seterr("idx: %s: dims %s need %" PRId64 " bytes of data but %" PRId64 " follow", s->name, gu__sh(H->ndim, H->shape),
                   H->bytes, gu__src_maxleft(s));
        return -1;
    }
    return 0;
}
// After the data: the input must end there (for gzip, with its trailer checked). 0 or -1.
static int gu__idx_end(gu__src *s, const gu__idx_head *H) {
    int r = gu__src_at_end(s, "idx");
    if (r == 0) gu__seterr("idx: %s: bytes follow the %" PRId64 " bytes of data that dims %s declare", s->name, H->bytes, gu__sh(H->ndim, H->shape));
    return r == 1 ? 0 : -1;
}

static gu_tensor gu__idx_load(gu__src *s) {
    gu__idx_head H;
    unsigned char *p;
    gu_dtype dt = GU_INVALID;
    if (gu__idx_header(s, &H) != 0) return gu__invalid();
    p = gu__src_read_alloc(s, "idx", H.bytes, "data");
    if (!p) return gu__invalid();
    if (gu__idx_end(s, &H) != 0) { GU_FREE(p); return gu__invalid(); }
    if (gu__host_le()) gu__bswap(p, H.numel, H.esize);  // IDX is big-endian
    p = gu__convert_inplace(p, H.numel, H.kind, H.esize, &dt);
    if (!p) { gu__seterr("idx: %s: out of memory", s->name); return gu__invalid(); }
    return gu__tensor_own(dt, H.ndim, H.shape, 0, p, H.numel);
}

GU__DEF gu_tensor gu_idx_load(const char *path) {
    gu__src s;
    gu_tensor t = gu__invalid();
    if (!path) { gu__seterr("idx: path is NULL"); return t; }
    if (gu__src_open_file(&s, "idx", path) == 0) t = gu__idx_load(&s);
    gu__src_close(&s);
    return t;
}
GU__DEF gu_tensor gu_idx_load_mem(const void *data, size_t n) {
    gu__src s;
    gu_tensor t = gu__invalid();
    if (gu__src_open_mem(&s, "idx", data, n) == 0) t = gu__idx_load(&s);
    gu__src_close(&s);
    return t;
}

// ---- MNIST --------------------------------------------------------------------------------------
GU__DEF gu_tensor gu_mnist_to_float(gu_tensor images, double divisor) {
    float lut[256];
    int64_t n, pix, shape[2], i;
    gu_tensor src, r;
    int k;
    if (!gu__check_in("mnist_to_float", images)) return gu__invalid();
    if (images.dtype != GU_UINT8 || images.ndim < 2 || !(divisor > 0 && divisor < INFINITY)) {
        gu__seterr("mnist_to_float: wants uint8 images (N, H, W) or (N, H*W) and a finite divisor > 0, got %s %s and %g",
                   gu_dtype_name(images.dtype), GU__SHT(images), divisor);
        return gu__invalid();
    }
    n = images.shape[0];
    pix = n ? gu_numel(images) / n : 1;
    for (k = 1; k < images.ndim; k++) if (!n) pix *= images.shape[k];
    shape[0] = n;
    shape[1] = pix;
    r = gu__empty("mnist_to_float", GU_FLOAT32, 2, shape);
    if (!gu_ok(r)) return r;
    for (k = 0; k < 256; k++) lut[k] = (float)k / (float)divisor;  // float32 division, as numpy's x/255 on float32
    src = gu_contiguous(images);
    if (!gu_ok(src)) { gu_free(&r); return src; }
    {
        const uint8_t *sp = (const uint8_t *)gu_data(src);
        float *dp = (float *)r.base;
        for (i = 0; i < n * pix; i++) dp[i] = lut[sp[i]];
    }
    gu_free(&src);
    return r;
}

GU__COLD GU__DEF void gu_mnist_free(gu_mnist *m) {
    if (!m) return;
    gu_free(&m->x_train); gu_free(&m->y_train);
    gu_free(&m->x_valid); gu_free(&m->y_valid);
    gu_free(&m->x_test); gu_free(&m->y_test);
}

// A loaded data set outlives the tidy scope it was loaded in (gu_mnist_free frees it).
GU__COLD static void gu__mnist_untrack(gu_mnist *m) {
    gu_tensor *t[6];
    int k;
    t[0] = &m->x_train; t[1] = &m->y_train; t[2] = &m->x_valid;
    t[3] = &m->y_valid; t[4] = &m->x_test; t[5] = &m->y_test;
    for (k = 0; k < 6; k++)
        if (t[k]->owner) (void)gu__tidy_forget(t[k]->base);
}

// The arrays of a pickle of ((x, y), (x, y), (x, y)) (count of them in t) into out, which
// then owns them; 0, or -1 with every array freed.
GU__COLD static int gu__mnist_from_arrays(const char *path, gu_tensor *t, int count, gu_mnist *out) {
    int k;
    for (k = 0; k < 3; k++) {
        gu_tensor x = t[2 * k], y = t[2 * k + 1];
        if (count != 6 || x.dtype != GU_FLOAT32 || x.ndim != 2 || y.ndim != 1 || y.dtype != GU_INT64 || x.shape[0] != y.shape[0]) {
            gu__seterr("mnist: %s: expected ((x, y), (x, y), (x, y)) with x float32 (N, 784) and y int64 (N,), got %d arrays%s%s %s %s %s",
                       path, count, count >= 2 * k + 2 ? ", pair " : "", count >= 2 * k + 2 ? (k == 0 ? "0:" : k == 1 ? "1:" : "2:") : "",
                       count >= 2 * k + 2 ? gu_dtype_name(x.dtype) : "", count >= 2 * k + 2 ? GU__SHT(x) : "", count >= 2 * k + 2 ? GU__SHT(y) : "");
            for (k = 0; k < count; k++) gu_free(&t[k]);
            return -1;
        }
    }
    for (k = 0; k < 6; k++)
        if (!gu_is_contiguous(t[k])) {  // a Fortran-order pickle: the lesson's code wants rows
            gu_tensor c = gu_contiguous(t[k]);
            gu_free(&t[k]);
            t[k] = c;
            if (!gu_ok(c)) { for (k = 0; k < 6; k++) gu_free(&t[k]); return -1; }
        }
    out->x_train = t[0]; out->y_train = t[1];
    out->x_valid = t[2]; out->y_valid = t[3];
    out->x_test = t[4]; out->y_test = t[5];
    gu__mnist_untrack(out);
    return 0;
}

// The unpickler on an opened input, its message prefixed "mnist: "; then the split.
GU__COLD static int gu__mnist_load_pkl_src(gu__src *s, const char *path, gu_mnist *out) {
    gu_tensor t[6];
    int count = 0;
    memset(t, 0, sizeof t);
    if (gu__pk_load(s, t, 6, &count) != 0) {
        char msg[480];
        gu__errcpy(msg, sizeof msg);
        gu__seterr("mnist: %s", msg);
        return -1;
    }
    return gu__mnist_from_arrays(path, t, count, out);
}

GU__COLD GU__DEF int gu_mnist_load_pkl(const char *path, gu_mnist *out) {
    gu__src s;
    int rc = -1;
    if (!out) { gu__seterr("mnist: out is NULL"); return -1; }
    memset(out, 0, sizeof *out);
    if (!path) { gu__seterr("mnist: pkl: path is NULL"); return -1; }
    if (gu__src_open_file(&s, "pkl", path) != 0) {
        char msg[480];
        gu__errcpy(msg, sizeof msg);
        gu__seterr("mnist: %s", msg);
    } else
        rc = gu__mnist_load_pkl_src(&s, path, out);
    gu__src_close(&s);
    return rc;
}

// stat(), but on Windows a folder named with a trailing separator ("data\\mnist\\") is found
// too, as on POSIX: the C runtime's stat fails on it.
static int gu__stat(const char *path, struct stat *st) {
#ifdef _WIN32
    char buf[1024];
    size_t n = strlen(path);
    if (n > 1 && n < sizeof buf && (path[n - 1] == '/' || path[n - 1] == '\\')) {
        memcpy(buf, path, n + 1);
        while (n > 1 && (buf[n - 1] == '/' || buf[n - 1] == '\\') && buf[n - 2] != ':') buf[--n] = 0;   // "C:\\" stays
        return stat(buf, st);
    }
#endif
    return stat(path, st);
}
static int gu__is_dir(const char *path) {
    struct stat st;
    return path && gu__stat(path, &st) == 0 && GU__ISDIR(st.st_mode);
}
static int gu__exists(const char *path) {
    struct stat st;
    errno = 0;
    return path && gu__stat(path, &st) == 0;
}
// After gu__exists said no: "OP: PATH does not exist", or the system's reason when it exists
// but cannot be reached (a folder the caller may not enter, a loop of symbolic links).
GU__COLD static void gu__missing_err(const char *op, const char *path) {
    if (errno == ENOENT || errno == ENOTDIR || errno == 0) gu__seterr("%s: %s does not exist", op, path);
    else gu__seterr("%s: cannot reach %s: %s", op, path, strerror(errno));
}

// dir/base, dir/base.gz, or the name with its last '-' as '.' (train-images.idx3-ubyte).
static int gu__idx_path(const char *dir, const char *base, char *buf, size_t n) {
    const char *suffix[2] = {"", ".gz"};
    int k, dot;
    for (dot = 0; dot < 2; dot++)
        for (k = 0; k < 2; k++) {
            char name[64];
            snprintf(name, sizeof name, "%s", base);
            if (dot) { char *dash = strrchr(name, '-'); char *d2; if (!dash) continue; *dash = 0; d2 = strrchr(name, '-'); *dash = '-'; if (!d2) continue; *d2 = '.'; }
            snprintf(buf, n, "%s/%s%s", dir, name, suffix[k]);
            if (gu__exists(buf)) return 1;
        }
    snprintf(buf, n, "%s/%s[.gz]", dir, base);
    return 0;
}

// Labels (N,) as int64, from any integer dtype.
static gu_tensor gu__labels(gu_tensor y) {
    gu_tensor r;
    if (!gu_ok(y)) return y;
    r = y.dtype == GU_INT64 ? y : gu_to(y, GU_INT64);
    if (r.base != y.base) gu_free(&y);
    return r;
}

// An IDX file of uint8 images (N, H, W) straight into float32 pixels / 256 as (N, H*W),
// the first N - n_second rows in *first and the rest in *second (second NULL: no split; else
// N must be at least 6): read
// in small chunks, so that the bytes never exist whole beside the floats (peak: the floats).
// n_labels: the labels' count, which N must equal. 0, or -1 with the message.
static int gu__idx_images_float(const char *path, int64_t n_labels, int64_t n_second, gu_tensor *first, gu_tensor *second) {
    const int64_t chunk = 64 * 1024;
    gu__src s;
    gu__idx_head H;
    unsigned char *buf = NULL;
    float lut[256], *dst[2];
    int64_t shape[2], pix, left[2], done = 0;
    int k, rc = -1;
    *first = gu__invalid();
    if (second) *second = gu__invalid();
    else n_second = 0;
    if (gu__src_open_file(&s, "idx", path) != 0 || gu__idx_header(&s, &H) != 0) goto out;
    if (H.kind != 'u' || H.esize != 1 || H.ndim != 3 || H.shape[0] != n_labels || n_second > H.shape[0] ||
        (second && H.shape[0] < 6)) {
        gu__seterr("idx: %s: images %s %s and labels (%" PRId64 ",) do not make an MNIST set", path,
                   H.kind == 'u' && H.esize == 1 ? "uint8" : H.kind == 'f' ? "float" : "int", gu__sh(H.ndim, H.shape), n_labels);
        goto out;
    }
    pix = H.shape[1] * H.shape[2];
    shape[0] = H.shape[0] - n_second;
    shape[1] = pix;
    *first = gu__empty("mnist", GU_FLOAT32, 2, shape);
    shape[0] = n_second;
    if (second) *second = gu__empty("mnist", GU_FLOAT32, 2, shape);
    buf = (unsigned char *)GU_MALLOC((size_t)chunk);
    if (!gu_ok(*first) || (second && !gu_ok(*second)) || !buf) {
        if (!buf) gu__seterr("idx: %s: out of memory", path);
        goto out;
    }
    for (k = 0; k < 256; k++) lut[k] = (float)k / 256.0f;  // float32 division, as numpy's x/256 on float32
    dst[0] = (float *)first->base;
    dst[1] = second ? (float *)second->base : NULL;
    left[0] = (H.shape[0] - n_second) * pix;
    left[1] = n_second * pix;
    while (done < H.bytes) {
        int64_t n = H.bytes - done < chunk ? H.bytes - done : chunk, i;
        if (gu__src_read(&s, "idx", buf, n) != 0) goto out;
        for (i = 0; i < n;) {  // the part of the chunk that goes to first, then the rest
            int64_t j, m;
            k = left[0] > 0 ? 0 : 1;
            m = n - i < left[k] ? n - i : left[k];
            GU_ASSERT(m > 0);  // the two parts hold exactly the file's N * H * W bytes
            for (j = 0; j < m; j++) dst[k][j] = lut[buf[i + j]];
            dst[k] += m;
            left[k] -= m;
            i += m;
        }
        done += n;
    }
    if (gu__idx_end(&s, &H) != 0) goto out;
    rc = 0;
out:
    if (buf) GU_FREE(buf);
    gu__src_close(&s);
    if (rc != 0) {
        gu_free(first);
        if (second) gu_free(second);
    }
    return rc;
}

#define GU__MNIST_IDX_NAMES "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte"
// The four MNIST IDX files of dir into path[4]: -1 when all are there, else the first missing.
static int gu__mnist_idx_paths(const char *dir, char path[4][4096]) {
    static const char *names[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    int k;
    for (k = 0; k < 4; k++)
        if (!gu__idx_path(dir, names[k], path[k], sizeof path[k])) return k;
    return -1;
}

GU__DEF int gu_mnist_load_idx(const char *dir, gu_mnist *out) {
    char path[4][4096];
    gu_tensor y[2];
    int k;
    if (!out) { gu__seterr("mnist: out is NULL"); return -1; }
    memset(out, 0, sizeof *out);
    if (!dir) { gu__seterr("mnist: dir is NULL"); return -1; }
    if ((k = gu__mnist_idx_paths(dir, path)) >= 0) {
        gu__seterr("mnist: %s not found (a directory of MNIST IDX files holds " GU__MNIST_IDX_NAMES ", each raw or .gz)", path[k]);
        return -1;
    }
    // the labels first (small), so that the images can go straight into their final floats
    for (k = 0; k < 2; k++) {
        y[k] = gu_idx_load(path[2 * k + 1]);
        if (gu_ok(y[k]) && y[k].ndim != 1) {
            gu__seterr("idx: %s: labels of shape %s, expected (N,)", path[2 * k + 1], GU__SHT(y[k]));
            gu_free(&y[k]);
        }
        if (!gu_ok(y[k])) {
            char msg[480];
            gu__errcpy(msg, sizeof msg);
            gu__seterr("mnist: %s", msg);
            if (k) gu_free(&y[0]);
            return -1;
        }
    }
    {
        // mnist.pkl.gz's split: the last sixth of the training images (10000 of 60000) validate
        int64_t n = y[0].shape[0], n_valid = n / 6, n_train = n - n_valid;
        if (gu__idx_images_float(path[0], n, n_valid, &out->x_train, &out->x_valid) != 0 ||
            gu__idx_images_float(path[2], y[1].shape[0], 0, &out->x_test, NULL) != 0) {
            char msg[480];
            gu__errcpy(msg, sizeof msg);
            gu__seterr("mnist: %s", msg);
            goto fail;
        }
        if (out->x_train.shape[1] != out->x_test.shape[1]) {   // one model cannot take both
            gu__seterr("mnist: %s holds images of %" PRId64 " pixels, %s of %" PRId64, path[0], out->x_train.shape[1], path[2],
                       out->x_test.shape[1]);
            goto fail;
        }
        out->y_train = gu_to(gu_narrow(y[0], 0, 0, n_train), GU_INT64);
        out->y_valid = gu_to(gu_narrow(y[0], 0, n_train, n_valid), GU_INT64);
        out->y_test = gu__labels(y[1]);
        y[1] = gu__invalid();  // moved (or freed) by gu__labels
        if (!gu_ok(out->y_train) || !gu_ok(out->y_valid) || !gu_ok(out->y_test)) goto fail;
    }
    gu_free(&y[0]);
    gu__mnist_untrack(out);
    return 0;
fail:
    gu_mnist_free(out);
    gu_free(&y[0]);
    gu_free(&y[1]);
    return -1;
}

// What an opened input holds, by its first 4 (decoded) bytes, which stay unread; -1 on a
// read error (the message set).
GU__COLD static int gu__src_format(gu__src *s, const char *op, gu_data_format *f) {
    const unsigned char *b;
    int r = gu__src_need(s, op, 4);
    *f = GU_FORMAT_UNKNOWN;
    if (r != 1) return r;
    b = s->win + s->win_pos;
    if (b[0] == 0 && b[1] == 0) *f = GU_FORMAT_IDX;
    else if (b[0] == 0x80 || b[0] == '(' || b[0] == 'c' || b[0] == ']' || b[0] == ')') *f = GU_FORMAT_PICKLE;
    return 0;
}

GU__COLD GU__DEF gu_data_format gu_data_format_of(const char *path) {
    gu__src s;
    gu_data_format f = GU_FORMAT_UNKNOWN;
    if (!path) { gu__seterr("format: path is NULL"); return f; }
    if (gu__is_dir(path)) return GU_FORMAT_IDX_DIR;
    if (gu__src_open_file(&s, "format", path) == 0) (void)gu__src_format(&s, "format", &f);
    gu__src_close(&s);
    return f;
}

// A directory goes to gu_mnist_load_idx; a file is opened once, its format read from its
// first bytes, and the same input handed to the unpickler.
GU__COLD GU__DEF int gu_mnist_load(const char *path, gu_mnist *out) {
    gu__src s;
    gu_data_format f;
    int rc = -1;
    if (out) memset(out, 0, sizeof *out);
    if (!path) { gu__seterr("mnist: path is NULL"); return -1; }
    if (!out) { gu__seterr("mnist: out is NULL"); return -1; }
    if (gu__is_dir(path)) return gu_mnist_load_idx(path, out);
    if (!gu__exists(path)) {
        gu__missing_err("mnist", path);
        return -1;
    }
    if (gu__src_open_file(&s, "pkl", path) != 0 || gu__src_format(&s, "pkl", &f) != 0) {
        char msg[480];
        gu__errcpy(msg, sizeof msg);
        gu__seterr("mnist: %s", msg);
    } else if (f == GU_FORMAT_IDX)
        gu__seterr("mnist: %s is one IDX file; pass the directory holding all four, or load it with gu_idx_load", path);
    else
        rc = gu__mnist_load_pkl_src(&s, path, out);  // not recognisable: the unpickler says precisely why
    gu__src_close(&s);
    return rc;
}

GU__COLD GU__DEF int gu_mnist_find(char *buf, size_t n, const char *path) {
    char p[4096], idx[4][4096];
    if (!buf || n == 0) { gu__seterr("mnist_find: no buffer"); return -1; }
    buf[0] = 0;
    if (!path) { gu__seterr("mnist_find: path is NULL"); return -1; }
    if (!gu__exists(path)) { gu__missing_err("mnist_find", path); return -1; }
    if (!gu__is_dir(path)) snprintf(p, sizeof p, "%s", path);  // a file: gu_mnist_load says what it holds
    else {
        snprintf(p, sizeof p, "%s/mnist.pkl.gz", path);
        if (!gu__exists(p)) {
            if (gu__mnist_idx_paths(path, idx) >= 0) {
                gu__seterr("mnist_find: %s holds neither mnist.pkl.gz nor the four MNIST IDX files (" GU__MNIST_IDX_NAMES
                           ", each raw or .gz)", path);
                return -1;
            }
            snprintf(p, sizeof p, "%s", path);
        }
    }
    if (strlen(p) >= n) { gu__seterr("mnist_find: %s does not fit a buffer of %" PRIu64 " bytes", p, (uint64_t)n); return -1; }
    snprintf(buf, n, "%s", p);
    return 0;
}

#endif // GU_NO_MNIST

// >>threads: one pool of worker threads, for every part that runs in parallel ---------------
// gu__parallel(fn, ctx, n) runs fn(ctx, part) for part in [0, n), on n threads of the pool
// (this one included) when the pool is free, else one after another on this thread; either
// way every part runs exactly once and all have ended when it returns. Its users: the matmul
// (>>gemm: parts of C, or a team sharing packed blocks through gu__pool_try) and gu_launch
// (>>grid: runs of blocks). Under GU_NO_THREADS everything runs on the calling thread.
#define GU__POOL_MAX_THREADS 64
typedef void (*gu__part_fn)(void *ctx, int part);

static GU__AUINT gu__nthreads;   // 0: not decided yet; atomic (several threads may ask first)

#ifndef GU_NO_THREADS
// The CPUs online. Windows has no sysconf: mingw-w64's winpthreads counts them, and
// NUMBER_OF_PROCESSORS is set by Windows for every process (no <windows.h> needed here).
static long gu__online_cpus(void) {
#if defined(__MINGW32__)
    return pthread_num_processors_np();
#elif defined(_WIN32)
    const char *env = getenv("NUMBER_OF_PROCESSORS");
    return env ? strtol(env, NULL, 10) : 1;
#elif defined(_SC_NPROCESSORS_ONLN)
    return sysconf(_SC_NPROCESSORS_ONLN);
#else
    return 1;
#endif
}
#endif

// An environment variable the library cannot use: said once per process on stderr (as
// OpenBLAS and PyTorch do), then ignored. The library prints nothing else.
static GU__AUINT gu__env_warned[2];   // GROUNDUP_NUM_THREADS, GROUNDUP_GEMM_KERNEL
GU__COLD static GU__UNUSED void gu__env_warn(int which, const char *fmt, ...) GU__PRINTF(2, 3);
GU__COLD static GU__UNUSED void gu__env_warn(int which, const char *fmt, ...) {
    va_list ap;
    char line[400];
    size_t n;
    if (gu__aadd(&gu__env_warned[which], 1u) != 1u) return;
    memcpy(line, "groundup: ", 10);
    va_start(ap, fmt);
    vsnprintf(line + 10, sizeof line - 11, fmt, ap);
    va_end(ap);
    n = strlen(line);
    line[n] = '\n';
    line[n + 1] = 0;
    fputs(line, stderr);   // one call: whole lines when two threads warn at once
}

static int gu__default_threads(void) {
#ifdef GU_NO_THREADS
    return 1;
#else
    const char *env = getenv("GROUNDUP_NUM_THREADS");
    char *end = NULL;
    long n = env ? strtol(env, &end, 10) : 0;
    while (end && (*end == ' ' || *end == '\t' || *end == '\n')) end++;
    if (env && (end == env || *end || n <= 0)) {   // not a whole number ("3abc", "1e3", ""), or <= 0: the default
        gu__env_warn(0, "GROUNDUP_NUM_THREADS=\"%.40s\" is not a whole number above 0; using the default", env);
        n = 0;
    }
    if (n <= 0) n = gu__online_cpus();
    if (n <= 0) n = 1;
    return n > GU__POOL_MAX_THREADS ? GU__POOL_MAX_THREADS : (int)n;
#endif
}
GU__DEF void gu_set_num_threads(int n) {
#ifdef GU_NO_THREADS
    (void)n;
    gu__astore(&gu__nthreads, 1u);
#else
    gu__astore(&gu__nthreads, (unsigned)(n > 0 ? (n > GU__POOL_MAX_THREADS ? GU__POOL_MAX_THREADS : n) : gu__default_threads()));
#endif
}
GU__DEF int gu_get_num_threads(void) {
    unsigned n = gu__aload(&gu__nthreads);
    if (n == 0) {
        n = (unsigned)gu__default_threads();
        gu__astore(&gu__nthreads, n);
    }
    return (int)n;
}

#ifndef GU_NO_THREADS
// One turn of a wait loop: a pause for the first GU__SPIN_PURE turns (about 50 us on Zen 5),
// a yield after that. Two threads of one product can find themselves on one CPU (a busy
// machine, a virtual machine's scheduler): a spinner that never yields then holds up the very
// thread it waits for, for its whole spin (measured: 128^3 on 2 threads pinned to one CPU,
// 600 us instead of 23). Yielding from the first turn would keep them there: the scheduler
// separates threads that sleep and wake, not two that stay runnable.
#define GU__SPIN_PURE 2000
#define GU__SPIN_MAX (GU__SPIN_PURE + 200)   // a pool worker's wait for a job: then it sleeps
#define GU__SPIN_CALLER 200                  // the caller's wait for the workers: then it sleeps
static void gu__spin_wait(int turn) {
    if (turn >= GU__SPIN_PURE) { sched_yield(); return; }
    // The spin-wait hint (x86 PAUSE, encoded as REP NOP so any assembler takes it; ARM's
    // YIELD): lets the core's other hyper-thread run and saves power. Elsewhere nothing.
#if (defined(__GNUC__) || defined(__clang__) || defined(__TINYC__)) && (defined(__x86_64__) || defined(__i386__))
    __asm__ __volatile__("rep; nop" ::: "memory");
#elif (defined(__GNUC__) || defined(__clang__)) && (defined(__aarch64__) || (defined(__arm__) && __ARM_ARCH >= 7))
    __asm__ __volatile__("yield" ::: "memory");
#endif
}

// The pool: started by the first call that wants threads (no constructors), stopped and
// joined at exit. A job is fn(ctx, part) for part in [0, nparts): worker w runs part w, the
// caller part 0. After a job, workers spin briefly (back-to-back products start at once),
// then sleep on a condition variable. One job at a time: a caller that finds the pool busy
// (another user thread's job, or a call from inside a job: a gu_launch kernel that
// multiplies) is told so, and runs its parts itself (gu__parallel).
//
// fork(): the child has only the forking thread, but inherits the pool's memory: a worker
// count for threads that do not exist there, condition variables that record the parent's
// sleeping workers as waiters (a broadcast on them never returns in the child) and mutexes
// perhaps held by a thread that is gone. A pthread_atfork handler, registered with the
// first worker, gives the child a pool that never started: fresh mutexes and condition
// variables, no workers. Its next product starts workers of its own; its exit joins them.
static pthread_mutex_t gu__pool_busy = PTHREAD_MUTEX_INITIALIZER;   // held by the caller whose job runs
static pthread_mutex_t gu__pool_lock = PTHREAD_MUTEX_INITIALIZER;   // guards the fields below
static pthread_cond_t gu__pool_wake = PTHREAD_COND_INITIALIZER, gu__pool_done = PTHREAD_COND_INITIALIZER;
static pthread_t gu__pool_th[GU__POOL_MAX_THREADS];
static int gu__pool_n, gu__pool_jobs, gu__pool_quit, gu__pool_hooked;
static GU__AUINT gu__pool_pending;   // workers still on the current job
static GU__AUINT gu__pool_gen;       // bumped per job; read without the lock while spinning
static unsigned gu__pool_gen0[GU__POOL_MAX_THREADS];   // the generation a worker started at
static gu__part_fn gu__pool_fn;
static void *gu__pool_ctx;

static void *gu__pool_worker(void *arg) {
    int id = (int)(intptr_t)arg, spin;
    unsigned seen;
    pthread_mutex_lock(&gu__pool_lock);
    seen = gu__pool_gen0[id];   // not gu__pool_gen: the job it was started for may be out already
    for (;;) {
        if (gu__aload(&gu__pool_gen) == seen && !gu__pool_quit) {
            pthread_mutex_unlock(&gu__pool_lock);
            for (spin = 0; spin < GU__SPIN_MAX && gu__aload(&gu__pool_gen) == seen; spin++) gu__spin_wait(spin);
            pthread_mutex_lock(&gu__pool_lock);
            while (gu__aload(&gu__pool_gen) == seen && !gu__pool_quit) pthread_cond_wait(&gu__pool_wake, &gu__pool_lock);
        }
        if (gu__pool_quit) break;
        seen = gu__aload(&gu__pool_gen);
        if (id < gu__pool_jobs) {
            gu__part_fn fn = gu__pool_fn;
            void *ctx = gu__pool_ctx;
            pthread_mutex_unlock(&gu__pool_lock);
            fn(ctx, id);
            pthread_mutex_lock(&gu__pool_lock);
            if (gu__aadd(&gu__pool_pending, ~0u) == 0) pthread_cond_signal(&gu__pool_done);   // ~0u: minus one
        }
    }
    pthread_mutex_unlock(&gu__pool_lock);
    return NULL;
}

static void gu__pool_stop(void) {
    int i, n;
    pthread_mutex_lock(&gu__pool_lock);
    n = gu__pool_n;
    gu__pool_quit = 1;
    pthread_cond_broadcast(&gu__pool_wake);
    pthread_mutex_unlock(&gu__pool_lock);
    for (i = 1; i <= n; i++) pthread_join(gu__pool_th[i], NULL);
    pthread_mutex_lock(&gu__pool_lock);
    gu__pool_n = 0;
    gu__pool_quit = 0;
    pthread_mutex_unlock(&gu__pool_lock);
}

#if !defined(_WIN32)
// In the child of fork(): the pool as before its first use (see above). The objects are
// overwritten with fresh initialisers, not destroyed: destroying what another thread held
// or waited on is undefined, and that thread does not exist here.
static void gu__pool_after_fork_child(void) {
    static const pthread_mutex_t m0 = PTHREAD_MUTEX_INITIALIZER;
    static const pthread_cond_t c0 = PTHREAD_COND_INITIALIZER;
    memcpy(&gu__pool_busy, &m0, sizeof m0);
    memcpy(&gu__pool_lock, &m0, sizeof m0);
    memcpy(&gu__pool_wake, &c0, sizeof c0);
    memcpy(&gu__pool_done, &c0, sizeof c0);
#ifdef GU__ATOMIC_MUTEX
    memcpy(&gu__amutex, &m0, sizeof m0);
#endif
    gu__pool_n = gu__pool_jobs = gu__pool_quit = 0;
    gu__pool_pending = 0;
    gu__pool_fn = NULL;
    gu__pool_ctx = NULL;
}
#endif

// Runs fn(ctx, part) for part in [0, nt) on the pool, nt threads at once, and returns 1; or
// returns 0 having run nothing, when the pool is busy or its threads cannot be started.
static int gu__pool_try(gu__part_fn fn, void *ctx, int nt) {
    int spin;
    if (nt < 2 || nt > GU__POOL_MAX_THREADS || pthread_mutex_trylock(&gu__pool_busy) != 0) return 0;
    pthread_mutex_lock(&gu__pool_lock);
    if (!gu__pool_hooked) {   // before the first worker: the exit and fork handlers
#if !defined(_WIN32)
        if (pthread_atfork(NULL, NULL, gu__pool_after_fork_child) != 0) {
            pthread_mutex_unlock(&gu__pool_lock);   // no pool without it: the caller runs the parts
            pthread_mutex_unlock(&gu__pool_busy);
            return 0;
        }
#endif
        gu__pool_hooked = 1;
        (void)atexit(gu__pool_stop);
    }
    while (gu__pool_n < nt - 1) {
        gu__pool_gen0[gu__pool_n + 1] = gu__aload(&gu__pool_gen);
        if (pthread_create(&gu__pool_th[gu__pool_n + 1], NULL, gu__pool_worker, (void *)(intptr_t)(gu__pool_n + 1)) != 0) break;
        gu__pool_n++;
    }
    if (gu__pool_n < nt - 1) {
        pthread_mutex_unlock(&gu__pool_lock);
        pthread_mutex_unlock(&gu__pool_busy);
        return 0;
    }
    gu__pool_fn = fn;
    gu__pool_ctx = ctx;
    gu__pool_jobs = nt;
    gu__astore(&gu__pool_pending, (unsigned)(nt - 1));
    gu__astore(&gu__pool_gen, gu__aload(&gu__pool_gen) + 1);
    pthread_cond_broadcast(&gu__pool_wake);
    pthread_mutex_unlock(&gu__pool_lock);
    fn(ctx, 0);
    // The other parts end about when ours does: spin a few microseconds for them first
    // (sleeping costs a wake-up). Not longer: if a worker shares our CPU, it runs only once
    // we sleep, and waking on the other CPU is what separates the two.
    for (spin = 0; spin < GU__SPIN_CALLER && gu__aload(&gu__pool_pending) > 0; spin++) gu__spin_wait(spin);
    pthread_mutex_lock(&gu__pool_lock);
    while (gu__aload(&gu__pool_pending) > 0) pthread_cond_wait(&gu__pool_done, &gu__pool_lock);
    gu__pool_jobs = 0;
    pthread_mutex_unlock(&gu__pool_lock);
    pthread_mutex_unlock(&gu__pool_busy);
    return 1;
}
#endif

static void gu__parallel(gu__part_fn fn, void *ctx, int nparts) {
    int i;
#ifndef GU_NO_THREADS
    if (nparts > 1 && gu__pool_try(fn, ctx, nparts)) return;
#endif
    for (i = 0; i < nparts; i++) fn(ctx, i);
}

// >>gemm ------------------------------------------------------------------------------------
// The five loops of BLIS/GotoBLAS (docs/KernelsHowTo.md in BLIS), for C (m, n) += A (m, k) B (k, n):
//
//   for jc in steps of NC           columns of C and B         B block (KC, NC) lives in L3
//     for pc in steps of KC         the k dimension            pack B(pc.., jc..) -> bp
//       for ic in steps of MC       rows of C and A            pack A(ic.., pc..) -> ap, in L2
//         for jr in steps of NR     one B micro-panel (KC, NR), reused from L1 ...
//           for ir in steps of MR   ... by every A micro-panel (MR, KC): the microkernel
//
// Packing copies a block into the order the microkernel reads it (A in columns of MR rows,
// B in rows of NR columns, edges zero-padded), so any strides or transposes cost the same.
// The microkernel keeps an MR x NR tile of C in registers for the whole KC loop; it alone is
// architecture-specific. Threads split C's rows or columns, never k: every element of C is
// the same chain of operations whatever the thread count, hence the same bits. Splitting
// rows (the ic loop), the threads pack each B block together and share it; splitting
// columns (few rows), each packs its own.
#ifdef GU_CBLAS
#ifndef GU_CBLAS_INCLUDE
#define GU_CBLAS_INCLUDE <cblas.h>
#endif
#include GU_CBLAS_INCLUDE
#endif

#if defined(__GNUC__) || defined(__clang__)
#define GU__RESTRICT __restrict__
#define GU__PREFETCH(p) __builtin_prefetch(p)
#else
#define GU__RESTRICT
#define GU__PREFETCH(p) ((void)0)
#endif

// 64-byte aligned scratch through the hooks: over-allocate, keep the raw pointer before it.
static float *gu__alloc_aligned(int64_t nfloats, void **raw) {
    int64_t bytes;
    uintptr_t p;
    if (!gu__mul_ok(nfloats, (int64_t)sizeof(float), &bytes) || bytes > INT64_MAX - 64) { *raw = NULL; return NULL; }
    *raw = gu__malloc((size_t)bytes + 64);
    if (!*raw) return NULL;
    p = ((uintptr_t)*raw + 63) & ~(uintptr_t)63;
    return (float *)p;
}

// ---- the reference: three loops ----------------------------------------------------------
static int gu__sgemm_check(const char *op, char transa, char transb, int64_t m, int64_t n, int64_t k,
                           const float *a, int64_t lda, const float *b, int64_t ldb, const float *c, int64_t ldc) {
    // 'C' (conjugate transpose) is 'T' for real matrices, as in every BLAS
    int ta = transa == 'T' || transa == 't' || transa == 'C' || transa == 'c';
    int tb = transb == 'T' || transb == 't' || transb == 'C' || transb == 'c';
    int64_t wa, wb, wc;
    if (!(ta || transa == 'N' || transa == 'n')) { gu__seterr("%s: transa is '%c' (0x%02x), expected 'N', 'T' or 'C'", op, transa, (unsigned char)transa); return 0; }
    if (!(tb || transb == 'N' || transb == 'n')) { gu__seterr("%s: transb is '%c' (0x%02x), expected 'N', 'T' or 'C'", op, transb, (unsigned char)transb); return 0; }
    if (m < 0 || n < 0 || k < 0) {
        gu__seterr("%s: negative size (m %" PRId64 ", n %" PRId64 ", k %" PRId64 ")", op, m, n, k);
        return 0;
    }
    wa = ta ? m : k;  // the stored row of A: (m, k) for 'N', (k, m) for 'T'
    wb = tb ? k : n;
    wc = n;
    if (lda < (wa > 1 ? wa : 1)) { gu__seterr("%s: lda %" PRId64 " is below max(1, %" PRId64 "), the stored row of A (transa '%c')", op, lda, wa, transa); return 0; }
    if (ldb < (wb > 1 ? wb : 1)) { gu__seterr("%s: ldb %" PRId64 " is below max(1, %" PRId64 "), the stored row of B (transb '%c')", op, ldb, wb, transb); return 0; }
    if (ldc < (wc > 1 ? wc : 1)) { gu__seterr("%s: ldc %" PRId64 " is smaller than the row of C (%" PRId64 ")", op, ldc, wc); return 0; }
    if (m > 0 && k > 0 && !a) { gu__seterr("%s: A is NULL for a (%" PRId64 ", %" PRId64 ") product", op, m, k); return 0; }
    if (k > 0 && n > 0 && !b) { gu__seterr("%s: B is NULL for a (%" PRId64 ", %" PRId64 ") product", op, k, n); return 0; }
    if (m > 0 && n > 0 && !c) { gu__seterr("%s: C is NULL for a (%" PRId64 ", %" PRId64 ") result", op, m, n); return 0; }
    {   // the largest offset touched must be addressable
        int64_t t1, t2;
        if (!gu__mul_ok(ta ? k : m, lda, &t1) || !gu__mul_ok(tb ? n : k, ldb, &t2) || !gu__mul_ok(m, ldc, &t1)) {
            gu__seterr("%s: sizes overflow (m %" PRId64 ", n %" PRId64 ", k %" PRId64 ")", op, m, n, k);
            return 0;
        }
    }
    return 1;
}

GU__DEF int gu_sgemm_ref(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
                         const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                         float *c, int64_t ldc) {
    int64_t i, j, p, rsa, csa, rsb, csb;
    if (!gu__sgemm_check("sgemm_ref", transa, transb, m, n, k, a, lda, b, ldb, c, ldc)) return -1;
    rsa = (transa == 'N' || transa == 'n') ? lda : 1;  // A(i, p) = a[i*rsa + p*csa]
    csa = (transa == 'N' || transa == 'n') ? 1 : lda;
    rsb = (transb == 'N' || transb == 'n') ? ldb : 1;  // B(p, j) = b[p*rsb + j*csb]
    csb = (transb == 'N' || transb == 'n') ? 1 : ldb;
    for (i = 0; i < m; i++)
        for (j = 0; j < n; j++) {
            float sum = 0, *cij = &c[i * ldc + j];
            if (alpha != 0)
                for (p = 0; p < k; p++) sum += a[i * rsa + p * csa] * b[p * rsb + j * csb];
            *cij = alpha * sum + (beta == 0 ? 0.0f : beta * *cij);
        }
    return 0;
}

// ---- microkernels ---------------------------------------------------------------------------
// The contract (BLIS's): given kc, a packed A micro-panel ap (kc columns of MR values) and a
// packed B micro-panel bp (kc rows of NR values), compute the MR x NR tile AB and write
//     C[i][j] = alpha * AB[i][j] + beta * C[i][j]      for i < mr, j < nr
// with C's rows ldc apart. beta == 0: C is not read. mr < MR or nr < NR at the edges.
typedef void (*gu__ukr_fn)(int64_t kc, const float *ap, const float *bp, float *c, int64_t ldc,
                           int mr, int nr, float alpha, float beta);
// Two kernels without packed A, for B small enough to stay in cache (see gu__gemm_choose_path):
// "rows": C rows [0, m) and n <= rows_max_n columns from B (k, n) read in place (rows ldb
//   apart), A in place (rows lda apart, columns csa apart: a transposed A too): each A
//   element is broadcast against a row of B. `split` (1, 2 or 4) interleaves k over that many
//   partial sums, to break the FMA latency chain when there are few rows (fewer than the
//   kernel's split_rows: below that its row blocks have too few chains); the caller picks it
//   from the whole product, so every row is the same operations whatever the row grouping.
//   AVX-512, 1 thread, Emerald Rapids-class, against OpenBLAS SkylakeX: split_rows 8 -> 4
//   took 4x64x500 from 0.37x to 0.62x, 7x100x300 0.46x -> 1.08x, 5x64x784 0.54x -> 1.58x;
//   AVX2's row blocks of 6 take 6 and 7 rows (6x32x1000 1.11x -> 2.65x OpenBLAS Haswell),
//   while 4 and 5 rows were faster split (4x100x100 1.13x vs 0.75x). AVX-512 splits 2 and 3
//   rows only while the first column block has fewer than split_chains = 4 chains (rows x
//   vectors): on Zen 5, 1 thread, 2x32x784 0.52 -> 0.91x OpenBLAS, 3x100x300 0.80 -> 1.15x,
//   2x512x512 0.58 -> 1.01x, while 2x16x500 stays split (1.07x, 0.50x unsplit). split2
//   names the row counts that split k in 2 when the first column block is 2 vectors: AVX-512
//   2 rows (2x32x1000 0.97 -> 1.31x; 4 rows were slower split, 4x32x1000 1.54 -> 1.29x),
//   AVX2 2 to 5 rows of n 9-16 or wider (blocks of 2 rows read B half as often as lone rows:
//   4x16x500 1.36 -> 1.76x OpenBLAS Haswell, 2x512x1000 0.58 -> 1.41x).
// "dot": C rows [0, m) for n <= 12 from bt, B packed in chunks of V (vector width) rows,
//   n padded to J columns (see the packing), A's rows contiguous (lda apart): each C element
//   is a dot product of an A row and a column of B, vectorized along k, reduced by a fixed
//   tree. No broadcasts.
typedef void (*gu__rows_fn)(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda, int64_t csa,
                            const float *b, int64_t ldb, float beta, float *c, int64_t ldc, int split);
typedef void (*gu__dot_fn)(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                           const float *bt, int64_t J, float beta, float *c, int64_t ldc);

typedef struct gu__gemm_kernel {
    const char *name;
    int mr, nr;            // register tile
    int64_t mc, kc, nc;    // cache blocks (mc a multiple of mr, nc of nr)
    gu__ukr_fn ukr;
    gu__rows_fn rows;
    int64_t rows_max_n;    // the rows kernel handles n up to this
    int64_t rows_blocks;   // and wider n up to this, in column blocks (faster than packing while B is in L2)
    int64_t split_rows;    // the rows kernel: products of fewer rows split k in 4 phases (more FMA chains),
    int64_t split_chains;  //   when rows x vectors of the first column block is below this too
    unsigned split2;       // bit m: products of m < 8 rows whose first column block is 2 vectors split k in 2
    int64_t rows_few;      // products of at most this many rows take the rows kernel whatever n (see the path),
    unsigned rows_few_skip;  //   except those whose row count's bit is set here
    gu__dot_fn dot;        // NULL: no dot kernel
    int64_t dot_vec;       // its vector width V
    int64_t dot_jpad;      // it wants n padded to a multiple of this
    int cache_blocks;      // 1: mc, kc, nc are set from this CPU's cache sizes when first used
} gu__gemm_kernel;

// Portable C: a 4 x 16 tile in a local array; compilers keep it in vector registers when
// they can. Written without fma() so it stays exact C; -ffp-contract decides.
#define GU__PMR 4
#define GU__PNR 16
static void gu__ukr_portable(int64_t kc, const float *GU__RESTRICT ap, const float *GU__RESTRICT bp, float *c,
                             int64_t ldc, int mr, int nr, float alpha, float beta) {
    float ab[GU__PMR][GU__PNR];
    int64_t p;
    int i, j;
    for (i = 0; i < GU__PMR; i++)
        for (j = 0; j < GU__PNR; j++) ab[i][j] = 0;
    for (p = 0; p < kc; p++, ap += GU__PMR, bp += GU__PNR)
        for (i = 0; i < GU__PMR; i++)
            for (j = 0; j < GU__PNR; j++) ab[i][j] += ap[i] * bp[j];
    for (i = 0; i < mr; i++)
        for (j = 0; j < nr; j++) {
            float *cij = &c[i * ldc + j];
            *cij = alpha * ab[i][j] + (beta == 0 ? 0.0f : beta * *cij);
        }
}

static void gu__rows_portable(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda, int64_t csa,
                              const float *b, int64_t ldb, float beta, float *c, int64_t ldc, int split) {
    float acc[GU__PNR];
    (void)split;  // one chain per element, k in order
    int64_t i, j, p;
    for (i = 0; i < m; i++) {
        const float *ai = a + i * lda;
        float *ci = c + i * ldc;
        for (j = 0; j < n; j++) acc[j] = 0;
        for (p = 0; p < k; p++) {
            const float *bpp = b + p * ldb;
            float aip = ai[p * csa];
            for (j = 0; j < n; j++) acc[j] += aip * bpp[j];
        }
        for (j = 0; j < n; j++) ci[j] = alpha * acc[j] + (beta == 0 ? 0.0f : beta * ci[j]);
    }
}

#ifdef GU__X86_SIMD
// AVX-512: a 14 x 32 tile of C in 28 zmm accumulators (two per row), plus two for the B
// row: 30 of 32 registers. Per k step: 2 loads of B, 14 broadcasts of A, 28 FMAs; Zen 5's
// two 512-bit FMA pipes and 4-cycle latency need at least 8 independent chains.
#define GU__A5MR 14
#define GU__A5NR 32
#define GU__A5_ROWS(X, V) X(V, 0) X(V, 1) X(V, 2) X(V, 3) X(V, 4) X(V, 5) X(V, 6) X(V, 7) X(V, 8) X(V, 9) X(V, 10) X(V, 11) X(V, 12) X(V, 13)
#define GU__A5_ROWS7(X, V) X(V, 0) X(V, 1) X(V, 2) X(V, 3) X(V, 4) X(V, 5) X(V, 6)
#define GU__A5_ROWS4(X, V) X(V, 0) X(V, 1) X(V, 2) X(V, 3)
// The rows of a microkernel's tile, for both instruction sets (V the vocabulary's prefix),
// each as an X(V, i) for the ROWS lists: row i of the tile is NV_ (1 or 2) vectors, ci0 and ci1.
#define GU__UKR_DECL(V, i) V##_VF c##i##0 = V##_ZERO(), c##i##1 = V##_ZERO();
#define GU__UKR_FMA(V, i) { V##_VF a_ = V##_BCAST(ap, i, 0); c##i##0 = V##_FMA(a_, b0, c##i##0); \
                            if (NV_ == 2) c##i##1 = V##_FMA(a_, b1, c##i##1); }
// Prefetches a row of C's tile: its first and last element and the middle, so that the
// three lines a row spans when C is not aligned to the row's length (malloc's 16) all arrive.
#define GU__UKR_PF_ROW(V, i, HINT) if (i < mr) { uintptr_t r_ = (uintptr_t)(c + (int64_t)i * ldc); \
        _mm_prefetch((const char *)r_, HINT); _mm_prefetch((const char *)(r_ + 4 * V##_LANES * NV_ - 4), HINT); \
        if (NV_ == 2) _mm_prefetch((const char *)(r_ + 4 * V##_LANES), HINT); }
#define GU__UKR_PFC(V, i) GU__UKR_PF_ROW(V, i, _MM_HINT_T0)
#define GU__UKR_PFC2(V, i) GU__UKR_PF_ROW(V, i, _MM_HINT_T1)
// Row i of C = alpha * AB + beta * C: with M (LOADM, STOREM) its first columns by the masks m0
// and m1 (rows past mr untouched), with ALL (LOADALL, STOREALL) whole.
#define GU__UKR_STORE_ROW(V, i, M) { \
        float *ci_ = c + (int64_t)i * ldc; \
        V##_VF r0_ = V##_MUL(c##i##0, va), r1_ = V##_MUL(c##i##1, va); \
        if (beta != 0) { \
            r0_ = V##_FMA(V##_LOAD##M(ci_, m0), vb, r0_); \
            if (NV_ == 2) r1_ = V##_FMA(V##_LOAD##M(ci_ + V##_LANES, m1), vb, r1_); \
        } \
        V##_STORE##M(ci_, m0, r0_); \
        if (NV_ == 2) V##_STORE##M(ci_ + V##_LANES, m1, r1_); }
#define GU__UKR_STORE(V, i) if (i < mr) GU__UKR_STORE_ROW(V, i, M)
#define GU__UKR_STORE_FULL(V, i) GU__UKR_STORE_ROW(V, i, ALL)
// One k step: a row of the B micro-panel (NV_ vectors), then per row of C one broadcast of A
// and NV_ FMAs.
#define GU__UKR_LOAD_B(V) V##_VF b0 = V##_LOAD(bp), b1 = NV_ == 2 ? V##_LOAD(bp + V##_LANES) : b0;
#define GU__UKR_STEP(V, ROWS, MR, NR) { GU__UKR_LOAD_B(V) ROWS(GU__UKR_FMA, V) ap += MR; bp += NR; }
// A microkernel NAME of ROWS rows by NV vectors, for both instruction sets: the tile's
// accumulators, alpha and beta in vectors, then the set's own k loop and stores, V##_UKR_LOOP.
#define GU__UKR(V, NAME, ROWS, NV) \
V##_TARGET static void NAME(int64_t kc, const float *GU__RESTRICT ap, const float *GU__RESTRICT bp, float *c, \
                            int64_t ldc, int mr, int nr, float alpha, float beta) { \
    enum { NV_ = NV }; \
    ROWS(GU__UKR_DECL, V) \
    V##_VF va = V##_SET1(alpha), vb = V##_SET1(beta); \
    V##_UKR_LOOP(ROWS) \
}
// AVX-512: the edge masks, then two k steps a turn with nothing to test inside, C's tile
// prefetched before and after the loop (tested at every step, the prefetches cost 5-10% on an
// Emerald Rapids Xeon: 2048^3 1 thread 0.96 -> 1.05x OpenBLAS's SkylakeX kernel, 2 threads
// 0.94 -> 1.03x; four steps a turn no better). Instantiated for tiles of ROWS rows by NV
// vectors of 16 columns: the full 14 x 32 tile, and smaller ones for the edges of C, so that a
// last row or column of C does not cost a full tile (127 rows would otherwise cost 140). They
// read the same packed panels, and each element is the same chain of FMAs, so which one
// computes an element never changes its bits.
// One k step, A's micro-panel prefetched 8 steps ahead (it streams from L2).
#define GU__A5_STEP(ROWS) _mm_prefetch((const char *)(ap + 8 * GU__A5MR), _MM_HINT_T0); \
    GU__UKR_STEP(GU__V512, ROWS, GU__A5MR, GU__A5NR)
#define GU__V512_UKR_LOOP(ROWS) \
    __mmask16 m0 = (__mmask16)(nr >= 16 ? 0xFFFF : (1u << nr) - 1); \
    __mmask16 m1 = (__mmask16)(nr >= 32 ? 0xFFFF : nr <= 16 ? 0 : (1u << (nr - 16)) - 1); \
    int64_t p = kc; \
    if (kc >= 256) { ROWS(GU__UKR_PFC2, GU__V512) }   /* C's tile into L2: from memory, it is a long wait */ \
    for (; p > 48; p -= 2) { GU__A5_STEP(ROWS) GU__A5_STEP(ROWS) }   /* two steps a turn, no test inside */ \
    ROWS(GU__UKR_PFC, GU__V512)   /* C's tile, in time for the end */ \
    for (; p > 0; p--) { GU__A5_STEP(ROWS) } \
    ROWS(GU__UKR_STORE, GU__V512)
GU__UKR(GU__V512, gu__ukr_avx512_14x32, GU__A5_ROWS, 2)
GU__UKR(GU__V512, gu__ukr_avx512_7x32, GU__A5_ROWS7, 2)
GU__UKR(GU__V512, gu__ukr_avx512_4x32, GU__A5_ROWS4, 2)
GU__UKR(GU__V512, gu__ukr_avx512_14x16, GU__A5_ROWS, 1)
GU__UKR(GU__V512, gu__ukr_avx512_7x16, GU__A5_ROWS7, 1)
GU__UKR(GU__V512, gu__ukr_avx512_4x16, GU__A5_ROWS4, 1)

// Packs a full 14-row A micro-panel from rows lda apart (unit columns): 16 columns at a
// time, a 16 x 16 in-register transpose (rows 14 and 15 zero), 14 lanes stored per column.
__attribute__((target("avx512f,avx2,fma")))
static void gu__pack_a14_avx512(int64_t kc, const float *a, int64_t lda, float *ap) {
    int64_t p = 0;
    int i, j, q;
    for (; p + 16 <= kc; p += 16) {
        __m512 r[16], t[16], u[16];
        for (i = 0; i < 14; i++) r[i] = _mm512_loadu_ps(a + i * lda + p);
        r[14] = r[15] = _mm512_setzero_ps();
        for (j = 0; j < 8; j++) {   // pairs of rows interleaved within 128-bit lanes
            t[2 * j] = _mm512_unpacklo_ps(r[2 * j], r[2 * j + 1]);
            t[2 * j + 1] = _mm512_unpackhi_ps(r[2 * j], r[2 * j + 1]);
        }
        for (j = 0; j < 4; j++) {   // u[4j+q], lane L: column 4L+q of rows 4j..4j+3
            u[4 * j + 0] = _mm512_shuffle_ps(t[4 * j], t[4 * j + 2], 0x44);
            u[4 * j + 1] = _mm512_shuffle_ps(t[4 * j], t[4 * j + 2], 0xEE);
            u[4 * j + 2] = _mm512_shuffle_ps(t[4 * j + 1], t[4 * j + 3], 0x44);
            u[4 * j + 3] = _mm512_shuffle_ps(t[4 * j + 1], t[4 * j + 3], 0xEE);
        }
        for (q = 0; q < 4; q++) {   // gather lane L of u[q], u[4+q], u[8+q], u[12+q]: column 4L+q
            __m512 x0 = _mm512_shuffle_f32x4(u[q], u[4 + q], 0x44), x1 = _mm512_shuffle_f32x4(u[q], u[4 + q], 0xEE);
            __m512 x2 = _mm512_shuffle_f32x4(u[8 + q], u[12 + q], 0x44), x3 = _mm512_shuffle_f32x4(u[8 + q], u[12 + q], 0xEE);
            _mm512_mask_storeu_ps(ap + (p + q) * 14, 0x3FFF, _mm512_shuffle_f32x4(x0, x2, 0x88));
            _mm512_mask_storeu_ps(ap + (p + 4 + q) * 14, 0x3FFF, _mm512_shuffle_f32x4(x0, x2, 0xDD));
            _mm512_mask_storeu_ps(ap + (p + 8 + q) * 14, 0x3FFF, _mm512_shuffle_f32x4(x1, x3, 0x88));
            _mm512_mask_storeu_ps(ap + (p + 12 + q) * 14, 0x3FFF, _mm512_shuffle_f32x4(x1, x3, 0xDD));
        }
    }
    for (; p < kc; p++)
        for (i = 0; i < 14; i++) ap[p * 14 + i] = a[i * lda + p];
}

// The registered microkernel: the full tile, or the smallest that covers an edge tile.
static void gu__ukr_avx512(int64_t kc, const float *ap, const float *bp, float *c, int64_t ldc,
                           int mr, int nr, float alpha, float beta) {
    if (nr > 16) {
        if (mr > 7) gu__ukr_avx512_14x32(kc, ap, bp, c, ldc, mr, nr, alpha, beta);
        else if (mr > 4) gu__ukr_avx512_7x32(kc, ap, bp, c, ldc, mr, nr, alpha, beta);
        else gu__ukr_avx512_4x32(kc, ap, bp, c, ldc, mr, nr, alpha, beta);
    } else {
        if (mr > 7) gu__ukr_avx512_14x16(kc, ap, bp, c, ldc, mr, nr, alpha, beta);
        else if (mr > 4) gu__ukr_avx512_7x16(kc, ap, bp, c, ldc, mr, nr, alpha, beta);
        else gu__ukr_avx512_4x16(kc, ap, bp, c, ldc, mr, nr, alpha, beta);
    }
}

#define GU__A5_INL static inline __attribute__((always_inline, target("avx512f,avx2,fma")))
#if defined(__CUDACC__)
#define GU__UNROLL  // nvcc's front end does not know the GCC pragma; its host compiler unrolls anyway
#elif defined(__clang__)
// "unroll(full)", not "unroll": clang 14 optimises an always_inline kernel body before it is
// inlined, and "unroll" then unrolled its loops by 8 with run-time counts, leaving the
// accumulator arrays in memory; full unrolling waits for the constants (AVX-512, MNIST, 1
// thread: 30.6 -> 7.7 ms; 100x100x100 38 -> 12.5 us).
#define GU__UNROLL _Pragma("clang loop unroll(full)")
#else
#define GU__UNROLL _Pragma("GCC unroll 16")
#endif

// Rows kernel, written once for both instruction sets (the vocabulary in >>random).
// NAME##_block: R rows (<= MAXR), NV vectors of LANES columns (<= MAXNV, the last masked by
// mk), S interleaved k phases (1, 2 or 4; a k tail goes to phase 0). The loops have constant
// bounds once inlined, so the accumulators acc[r][v][q] live in registers. NAME: C rows
// [0, m) in blocks of R rows, as the instruction set's plan V##_ROWS_PLAN picks them.
// The rows kernel's loads and stores: a block's vectors before its last are whole, and the
// last one too when `full`. AVX2 uses plain loads and stores for them, masked ones only for
// a last, partial vector: its masked loads are slow on AMD (Zen 5, AVX2 forced: 100x96x100
// 82 -> 94 GFLOP/s, 4097x33x513 79 -> 91). AVX-512's masked loads cost nothing more (and
// the test in the loop measured slower there): masked always.
#define GU__V256_ROWS_PLAIN 1
#define GU__V512_ROWS_PLAIN 0
#define GU__ROWS_WHOLE(V) (V##_ROWS_PLAIN && (v < NV - 1 || full))
#define GU__ROWS_LOAD(V, p) (GU__ROWS_WHOLE(V) ? V##_LOADALL(p, mk[v]) : V##_LOADM(p, mk[v]))
// AVX-512 prefetches B's rows 4 ahead into L1 (an address, not a pointer: the last rows' are
// past B's end). Zen 5, 1 thread, where B comes from L2, 1 to 6 rows by 64 columns:
// 1x64x1000 0.72 -> 0.92x OpenBLAS, 2x64x1000 0.74 -> 0.97x, 6x64x1000 0.84 -> 0.99x; 1-2
// rows by 128 columns lose some (2x128x300 1.28 -> 1.05x). AVX2's blocks (n <= 16, and 1-2
// rows) lost a quarter with it (2x32x300 3.3 -> 2.4x OpenBLAS Haswell): not there.
#define GU__V256_ROWS_PF 0
#define GU__V512_ROWS_PF 1
#define GU__ROWS_PREFETCH(p, ldb) __builtin_prefetch((const void *)((uintptr_t)(p) + (uintptr_t)(4 * (ldb)) * sizeof(float)))
#define GU__ROWS_KERNEL(NAME, V, MAXR, MAXNV) \
V##_INL void NAME##_block(int R, int NV, int S, int64_t k, const float *a, int64_t lda, int64_t csa, \
                          const float *b, int64_t ldb, float *c, int64_t ldc, \
                          V##_VF va, V##_VF vb, int use_beta, const V##_VM *mk, int full) { \
    V##_VF acc[MAXR][MAXNV][4]; \
    int r, v, q; \
    int64_t p; \
    GU__UNROLL for (r = 0; r < R; r++) GU__UNROLL for (v = 0; v < NV; v++) GU__UNROLL for (q = 0; q < S; q++) \
        acc[r][v][q] = V##_ZERO(); \
    for (p = 0; p + S <= k; p += S) { \
        GU__UNROLL for (q = 0; q < S; q++) { \
            const float *bq = b + (p + q) * ldb; \
            V##_VF bv[MAXNV]; \
            GU__UNROLL for (v = 0; v < NV; v++) bv[v] = GU__ROWS_LOAD(V, bq + V##_LANES * v); \
            if (V##_ROWS_PF) GU__UNROLL for (v = 0; v < NV; v++) GU__ROWS_PREFETCH(bq + V##_LANES * v, ldb); \
            GU__UNROLL for (r = 0; r < R; r++) { \
                V##_VF ar = V##_BCAST(a, r * lda, (p + q) * csa); \
                GU__UNROLL for (v = 0; v < NV; v++) acc[r][v][q] = V##_FMA(ar, bv[v], acc[r][v][q]); \
            } \
        } \
    } \
    for (; p < k; p++) { \
        const float *bq = b + p * ldb; \
        V##_VF bv[MAXNV]; \
        GU__UNROLL for (v = 0; v < NV; v++) bv[v] = GU__ROWS_LOAD(V, bq + V##_LANES * v); \
        GU__UNROLL for (r = 0; r < R; r++) { \
            V##_VF ar = V##_BCAST(a, r * lda, p * csa); \
            GU__UNROLL for (v = 0; v < NV; v++) acc[r][v][0] = V##_FMA(ar, bv[v], acc[r][v][0]); \
        } \
    } \
    GU__UNROLL for (r = 0; r < R; r++) GU__UNROLL for (v = 0; v < NV; v++) { \
        V##_VF x = acc[r][v][0]; \
        float *cv = c + r * ldc + V##_LANES * v; \
        if (S == 4) x = V##_ADD(V##_ADD(acc[r][v][0], acc[r][v][1]), V##_ADD(acc[r][v][2], acc[r][v][3])); \
        if (S == 2) x = V##_ADD(acc[r][v][0], acc[r][v][1]); \
        x = V##_MUL(x, va); \
        if (use_beta) x = V##_FMA(GU__ROWS_LOAD(V, cv), vb, x); \
        if (GU__ROWS_WHOLE(V)) V##_STOREALL(cv, mk[v], x); else V##_STOREM(cv, mk[v], x); \
    } \
} \
V##_ROWS_BLOCKS(GU__ROWS_BLOCK_FN, NAME, V) \
V##_TARGET static void NAME(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda, int64_t csa, \
                   const float *b, int64_t ldb, float beta, float *c, int64_t ldc, int split) { \
    V##_VM mk[MAXNV]; \
    int64_t i = 0; \
    int v, nv = (int)((n + V##_LANES - 1) / V##_LANES), ub = beta != 0, full = n % V##_LANES == 0; \
    for (v = 0; v < MAXNV; v++) { \
        int64_t w = n - V##_LANES * v; \
        mk[v] = V##_FIRST(w); \
    } \
    V##_ROWS_PLAN(NAME) \
}
// Each block shape of a plan is a function of its own, so that its loop has all the
// registers: inlined into one function with the others, it kept A's row offsets on the stack
// (AVX-512 4x64x1000: 4 reloads a k step).
#define GU__ROWS_BLOCK_FN(NAME, V, R, NV, S) \
V##_TARGET __attribute__((noinline)) static void NAME##_##R##_##NV##_##S( \
        int64_t k, const float *a, int64_t lda, int64_t csa, const float *b, int64_t ldb, float *c, int64_t ldc, \
        float alpha, float beta, int use_beta, const V##_VM *mk, int full) { \
    NAME##_block(R, NV, S, k, a, lda, csa, b, ldb, c, ldc, V##_SET1(alpha), V##_SET1(beta), use_beta, mk, full); \
}
// One step of a plan: rows of C in blocks of R, while R rows are left (and COND holds).
#define GU__ROWS_RUN(BLOCK, R, NV, S) GU__ROWS_RUN_IF(BLOCK, R, NV, S, 1)
#define GU__ROWS_RUN_IF(NAME, R, NV, S, COND) \
    for (; i + R <= m && (COND); i += R) \
        NAME##_##R##_##NV##_##S(k, a + i * lda, lda, csa, b, ldb, c + i * ldc, ldc, alpha, beta, ub, mk, full);
// AVX-512: the rows left over from the big blocks go in blocks of 4 or 2 where they can: a
// lone row has only NV FMA chains, too few to hide the FMA latency. (The 2 x 2 and 4 x 4
// blocks: 4x64x500 0.62 -> 0.82x OpenBLAS, 6x32x1000 0.46 -> 0.64x, 9x64x300 0.91 -> 1.22x.)
// Four vectors: blocks of 5 rows unless 6 or 8 rows are left, which go as 4 + 2 and 4 + 4
// (16 chains a block), not 5 + 1 and 5 + 2 + 1 (a lone row's 4 chains): 8x64x1000 0.65 ->
// 0.99x, 8x80x784 0.82 -> 1.14x, 6x64x1000 0.80 -> 0.98x (10 rows stay 5 + 5: B read twice,
// not three times). Two vectors: 6 and 7 rows start with a block of 6 (12 chains, B read
// once): 6x32x1000 0.64 -> 0.98x, 7x32x1000 0.72 -> 0.99x.
// A block of one vector of columns (n <= 16, or the last 1-16 columns of a wider product)
// splits k in 2 whatever `split`: every row of it the same operations still, and 2 chains a
// row, so that 6 rows (a block of 4 and one of 2) do not wait on lone rows' single chains.
// Zen 5, 1 thread, against OpenBLAS Cooperlake: 6x10x784 0.37 -> 0.82x, 6x16x500 0.37 ->
// 0.79x, 7x16x784 0.53 -> 1.02x, 5x10x784 1.43 -> 2.20x, 2x10x784 0.99 -> 1.68x; 16x16x500,
// 1000x16x100, 4097x10x64 and 300x8x300 the same either way. 6 rows left go in one block of 6
// (12 chains, not 4 + 2): 6x16x300 0.77 -> 0.96x, 6x10x784 0.82 -> 1.00x, 14x16x500 1.12 -> 1.25x.
#define GU__V512_ROWS_BLOCKS(X, NAME, V) \
    X(NAME, V, 8, 1, 2) X(NAME, V, 6, 1, 2) X(NAME, V, 4, 1, 2) X(NAME, V, 2, 1, 2) X(NAME, V, 1, 1, 2) \
    X(NAME, V, 1, 2, 4) X(NAME, V, 1, 3, 4) X(NAME, V, 1, 4, 4) \
    X(NAME, V, 2, 2, 2) X(NAME, V, 1, 2, 2) \
    X(NAME, V, 8, 2, 1) X(NAME, V, 6, 2, 1) X(NAME, V, 4, 2, 1) X(NAME, V, 2, 2, 1) X(NAME, V, 1, 2, 1) \
    X(NAME, V, 6, 3, 1) X(NAME, V, 2, 3, 1) X(NAME, V, 1, 3, 1) \
    X(NAME, V, 5, 4, 1) X(NAME, V, 4, 4, 1) X(NAME, V, 2, 4, 1) X(NAME, V, 1, 4, 1)
#define GU__V512_ROWS_PLAN(B) \
    if (nv == 1) { \
        GU__ROWS_RUN(B, 8, 1, 2) GU__ROWS_RUN_IF(B, 6, 1, 2, m - i == 6) GU__ROWS_RUN(B, 4, 1, 2) GU__ROWS_RUN(B, 2, 1, 2) GU__ROWS_RUN(B, 1, 1, 2) \
    } else if (split == 4) { \
        if (nv == 2) { GU__ROWS_RUN(B, 1, 2, 4) } else if (nv == 3) { GU__ROWS_RUN(B, 1, 3, 4) } else { GU__ROWS_RUN(B, 1, 4, 4) } \
    } else if (split == 2 && nv == 2) { \
        GU__ROWS_RUN(B, 2, 2, 2) GU__ROWS_RUN(B, 1, 2, 2) \
    } else { \
        if (nv == 2) { GU__ROWS_RUN(B, 8, 2, 1) GU__ROWS_RUN(B, 6, 2, 1) GU__ROWS_RUN(B, 4, 2, 1) GU__ROWS_RUN(B, 2, 2, 1) GU__ROWS_RUN(B, 1, 2, 1) } \
        else if (nv == 3) { GU__ROWS_RUN(B, 6, 3, 1) GU__ROWS_RUN(B, 2, 3, 1) GU__ROWS_RUN(B, 1, 3, 1) } \
        else { GU__ROWS_RUN_IF(B, 5, 4, 1, m - i != 6 && m - i != 8) GU__ROWS_RUN(B, 4, 4, 1) \
               GU__ROWS_RUN(B, 2, 4, 1) GU__ROWS_RUN(B, 1, 4, 1) } \
    }
GU__ROWS_KERNEL(gu__rows_avx512, GU__V512, 8, 4)

// Dot kernel: R rows by all J (n, even) columns of C at once, 16 lanes of k per FMA: each
// A row is read once, front to back, and bt too. R * J accumulators (<= 24; R <= 4). A comes
// from memory, so each row is prefetched twice per 16 floats read: into L2 GU__DOT_AHEAD_L2 bytes
// ahead (far enough to cover memory's latency at full bandwidth), and from there into L1
// GU__DOT_AHEAD_L1 bytes ahead, so the loads hit L1 and the FMAs never queue behind a miss.
// On MNIST, 1 thread: L1 prefetches alone 2 KiB ahead 10 ms, 8 KiB ahead 6.1 ms, both
// levels 4.6 ms, against 4.4 ms to read x at all.
#define GU__DOT_AHEAD_L2 65536
#define GU__DOT_AHEAD_L1 4096
#define GU__DOT_PREFETCH(p) do { \
        _mm_prefetch((const char *)((uintptr_t)(p) + GU__DOT_AHEAD_L2), _MM_HINT_T1); \
        _mm_prefetch((const char *)((uintptr_t)(p) + GU__DOT_AHEAD_L1), _MM_HINT_T0); } while (0)
// Whether a dot kernel prefetches A (m rows, lda apart): only when A is far larger than L2,
// so comes from L3 or memory. In cache the prefetches only take load slots: on Zen 5,
// AVX-512, the kernel alone on 200x4x300 ran at 137 GFLOP/s with them and 183 without,
// while 50000x10x784 (from memory) needs them (118-156 against 62-69). Between the two
// (A of 2-12 MB) it hardly matters. n = 1 never prefetches: its 8-row blocks issue 16
// prefetches for 8 FMAs, and ran slower with them even from memory (17.7 against 20).
static int gu__dot_prefetch(int64_t m, int64_t n, int64_t lda) {
    int64_t l2 = gu__cpu()->cache[2];
    if (l2 < 131072) l2 = 524288;   // not found: Zen 3's
    return n > 1 && m > l2 / (lda > 0 ? lda : 1);   // m * lda * 4 bytes > 4 L2, not overflowing
}
// The end of both dot kernels: C's elements JS .. of row r, up to four and before min(JE, n),
// from the four sums in the halves of h: alpha * sum (+ beta * C).
#define GU__DOT_STORE4(h, JS, JE) { \
        __m128 q = _mm_mul_ps(_mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)), _mm_set1_ps(alpha)); \
        int64_t js_ = (JS), je_ = (JE) < n ? (JE) : n; \
        float *cr = c + r * ldc + js_, s4[4]; \
        int w = je_ - js_ < 4 ? (int)(je_ - js_) : 4, jj; \
        _mm_storeu_ps(s4, q); \
        for (jj = 0; jj < w; jj++) cr[jj] = beta == 0 ? s4[jj] : s4[jj] + beta * cr[jj]; }
// W <= J: the columns computed (n = 1 and 2 take 1 and 2 of their 4 padded ones).
GU__A5_INL void gu__a5_dot_block(int R, int J, int W, int pf, int64_t n, int64_t k, const float *a, int64_t lda, const float *bt,
                                 float *c, int64_t ldc, float alpha, float beta) {
    __m512 acc[8][12];   // [r][j], j < J (4, 8 or 12): the sums past W stay zero
    int64_t p;
    int r, j, j0;
    GU__UNROLL for (r = 0; r < R; r++) GU__UNROLL for (j = 0; j < J; j++) acc[r][j] = _mm512_setzero_ps();
    for (p = 0; p + 16 <= k; p += 16, bt += 16 * J) {
        __m512 ar[8];
        GU__UNROLL for (r = 0; r < R; r++) {
            if (pf) GU__DOT_PREFETCH(a + r * lda + p);
            ar[r] = _mm512_loadu_ps(a + r * lda + p);
            __asm__("" : "+v"(ar[r]));   // loaded once, not folded into each of its J FMAs
        }
        GU__UNROLL for (j = 0; j < W; j++) {
            __m512 bj = _mm512_load_ps(bt + 16 * j);
            __asm__("" : "+v"(bj));   // one load, kept in a register, not one per row
            GU__UNROLL for (r = 0; r < R; r++) acc[r][j] = _mm512_fmadd_ps(ar[r], bj, acc[r][j]);
        }
    }
    if (p < k) {   // the last partial chunk: A masked, bt is zero-padded
        __mmask16 tail = (__mmask16)((1u << (k - p)) - 1);
        __m512 ar[8];
        GU__UNROLL for (r = 0; r < R; r++) ar[r] = _mm512_maskz_loadu_ps(tail, a + r * lda + p);
        GU__UNROLL for (j = 0; j < W; j++) {
            __m512 bj = _mm512_load_ps(bt + 16 * j);
            GU__UNROLL for (r = 0; r < R; r++) acc[r][j] = _mm512_fmadd_ps(ar[r], bj, acc[r][j]);
        }
    }
    GU__UNROLL for (r = 0; r < R; r++) GU__UNROLL for (j0 = 0; j0 < J; j0 += 4) {
        // four 16-lane sums at once: pairs within 128-bit lanes, then across the lanes
        __m512 t0 = _mm512_add_ps(_mm512_unpacklo_ps(acc[r][j0], acc[r][j0 + 1]), _mm512_unpackhi_ps(acc[r][j0], acc[r][j0 + 1]));
        __m512 t1 = _mm512_add_ps(_mm512_unpacklo_ps(acc[r][j0 + 2], acc[r][j0 + 3]), _mm512_unpackhi_ps(acc[r][j0 + 2], acc[r][j0 + 3]));
        __m512 u = _mm512_add_ps(_mm512_shuffle_ps(t0, t1, _MM_SHUFFLE(1, 0, 1, 0)), _mm512_shuffle_ps(t0, t1, _MM_SHUFFLE(3, 2, 3, 2)));
        __m256 h = _mm256_add_ps(_mm512_castps512_ps256(u), _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(u), 1)));
        GU__DOT_STORE4(h, j0, n)
    }
}

__attribute__((target("avx512f,avx2,fma")))
static void gu__dot_avx512(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                           const float *bt, int64_t J, float beta, float *c, int64_t ldc) {
    int64_t i = 0;
    int pf = gu__dot_prefetch(m, n, lda);
#define GU__A5_DOT(R, J, W) \
    for (; i + R <= m; i += R) gu__a5_dot_block(R, J, W, pf, n, k, a + i * lda, lda, bt, c + i * ldc, ldc, alpha, beta);
    // J is a multiple of 4 (dot_jpad): 9 bodies, not the 15 that every even J took, half a
    // second less in each compile of the implementation; the padded columns are zeros, and
    // their sums are never stored, so every stored element is the same operations. n = 1 and
    // 2 compute only their own columns in blocks of 8 and 4 rows (8 chains; the rows after
    // them as n = 4): Zen 5, 1 thread, against OpenBLAS Cooperlake, 100x1x100 0.54 -> 0.83x,
    // 1000x1x1000 0.75 -> 0.87x, 3000x1x784 2.85 -> 3.38x, 50000x1x784 (from memory, 35
    // GB/s) 2.98 -> 3.77x, 3000x2x784 3.07 -> 3.40x.
    switch (J) {
    case 4:   // 4 rows: 16 chains hide the FMA latency
        if (n == 1) { GU__A5_DOT(8, 4, 1) }
        else if (n == 2) { GU__A5_DOT(4, 4, 2) }
        GU__A5_DOT(4, 4, 4) GU__A5_DOT(1, 4, 4)
        break;
    case 8: GU__A5_DOT(2, 8, 8) GU__A5_DOT(1, 8, 8) break;
    default:   // 12 (n <= 12 on the dot path, at most 8 in a rows path's tail)
        if (n <= 10) { GU__A5_DOT(2, 12, 10) }   // n = 9, 10 (MNIST): 10 columns, not 12
        GU__A5_DOT(2, 12, 12) GU__A5_DOT(1, 12, 12)
        break;
    }
#undef GU__A5_DOT
}

// AVX2 + FMA: a 6 x 16 tile in 12 ymm accumulators, 2 for B, 1 broadcast (15 of 16), as
// BLIS's Haswell kernel. Per k step: 2 loads of B, 6 broadcasts of A, 12 FMAs: two FMA pipes
// of latency 4-5 need 8-10 independent chains. In L1 it runs at the FMA peak; what it loses
// in a product is waiting for memory, so it prefetches: A's micro-panel (streamed from L2)
// a few steps ahead, and C's tile (two 64-byte lines per row, three when C is not 32-byte
// aligned) into L2 at the start and into L1 32 steps before the end, so the last FMAs do not
// wait on C (4096^3, 1 thread, AVX2 forced on Sapphire Rapids: 94 -> 110 GFLOP/s).
#define GU__A2MR 6
#define GU__A2NR 16
#define GU__A2_ROWS(X, V) X(V, 0) X(V, 1) X(V, 2) X(V, 3) X(V, 4) X(V, 5)
static const int32_t gu__mask8[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
// One body for the 6 x 16 tile and the 6 x 8 one (NV vectors of 8 columns), as for AVX-512:
// a last panel of 8 columns or fewer costs half a tile (n = 33: 40 columns' work, not 48).
// The same chains of FMAs either way, so the same bits.
#define GU__A2_STEP GU__UKR_STEP(GU__V256, GU__A2_ROWS, GU__A2MR, GU__A2NR)
#define GU__V256_UKR_LOOP(ROWS) \
    int64_t p = kc; \
    ROWS(GU__UKR_PFC2, GU__V256)   /* C's tile into L2 now: from memory it is a long wait */ \
    for (; p > 32; p -= 4) {   /* four steps a turn, A prefetched once a turn (96 bytes) */ \
        _mm_prefetch((const char *)(ap + 24 * GU__A2MR), _MM_HINT_T0); \
        GU__A2_STEP GU__A2_STEP GU__A2_STEP GU__A2_STEP \
    } \
    ROWS(GU__UKR_PFC, GU__V256)    /* and into L1 for the last 32 steps */ \
    for (; p > 0; p--) GU__A2_STEP \
    if (mr == GU__A2MR && nr == 8 * NV_) { \
        ROWS(GU__UKR_STORE_FULL, GU__V256)   /* plain loads and stores: masked ones are slow on some CPUs, AMD's above all */ \
    } else { \
        int w0 = nr >= 8 ? 8 : nr, w1 = nr >= 16 ? 8 : nr <= 8 ? 0 : nr - 8; \
        __m256i m0 = _mm256_loadu_si256((const __m256i *)(gu__mask8 + 8 - w0)); \
        __m256i m1 = _mm256_loadu_si256((const __m256i *)(gu__mask8 + 8 - w1)); \
        ROWS(GU__UKR_STORE, GU__V256) \
    }
GU__UKR(GU__V256, gu__ukr_avx2_6x16, GU__A2_ROWS, 2)
GU__UKR(GU__V256, gu__ukr_avx2_6x8, GU__A2_ROWS, 1)
static void gu__ukr_avx2(int64_t kc, const float *ap, const float *bp, float *c, int64_t ldc,
                         int mr, int nr, float alpha, float beta) {
    if (nr > 8) gu__ukr_avx2_6x16(kc, ap, bp, c, ldc, mr, nr, alpha, beta);
    else gu__ukr_avx2_6x8(kc, ap, bp, c, ldc, mr, nr, alpha, beta);
}
#undef GU__A2_STEP

#define GU__A2_INL static inline __attribute__((always_inline, target("avx2,fma")))
// AVX2: 16 registers, so fewer rows per block than AVX-512 (R * NV accumulators <= 12), and
// column blocks of 16 (rows_max_n): 6 rows by 2 vectors, 12 accumulators, 2 B loads and 6
// broadcasts per 12 FMAs, and a column block of B (k x 16) stays in L1 while every row
// passes it (k <= 384 on 48 KiB), where 24 columns in 3 rows streamed it from L2 3 rows at a
// time. An Emerald Rapids Xeon, AVX2 forced on both sides, 1 thread: 4097x33x513 0.89 ->
// 1.12x OpenBLAS, 1000x48x200 0.93 -> 1.12x, 1000x64x128 0.92 -> 1.06x, 1000x24x500 0.97 -> 1.04x.
#define GU__V256_ROWS_BLOCKS(X, NAME, V) \
    X(NAME, V, 1, 1, 4) X(NAME, V, 1, 2, 4) X(NAME, V, 2, 2, 2) X(NAME, V, 1, 2, 2) X(NAME, V, 6, 1, 1) X(NAME, V, 1, 1, 1) X(NAME, V, 6, 2, 1) X(NAME, V, 2, 2, 1) X(NAME, V, 1, 2, 1)
#define GU__V256_ROWS_PLAN(B) \
    if (split == 4) { \
        if (nv == 1) { GU__ROWS_RUN(B, 1, 1, 4) } else { GU__ROWS_RUN(B, 1, 2, 4) } \
    } else if (split == 2 && nv == 2) { \
        GU__ROWS_RUN(B, 2, 2, 2) GU__ROWS_RUN(B, 1, 2, 2) \
    } else { \
        if (nv == 1) { GU__ROWS_RUN(B, 6, 1, 1) GU__ROWS_RUN(B, 1, 1, 1) } \
        else { GU__ROWS_RUN(B, 6, 2, 1) GU__ROWS_RUN(B, 2, 2, 1) GU__ROWS_RUN(B, 1, 2, 1) } \
    }
GU__ROWS_KERNEL(gu__rows_avx2, GU__V256, 6, 2)

// AVX2 dot kernel: R rows by W columns of C a pass, 8 lanes of k per FMA: R * W accumulators,
// R A vectors and one of bt, at most 15 of the 16 registers (6 x 1, 4 x 2, 3 x 3, 2 x 4..6).
// Each A vector and each bt vector is loaded once into a register and used by all its FMAs:
// 2 rows by 5 columns take 7 loads for 10 FMAs, where one row of all 10 took 11, more than
// the two 256-bit loads a cycle that feed two FMAs (Zen 3). So from 7 columns on, two rows in
// two passes of 4 to 6 (A's second pass comes from L1; it is prefetched in the first only).
// On Zen 5, AVX2, cc -O2 -march=znver3, the kernel alone (k 784), against one row of all n:
// n = 10 108 against 94 GFLOP/s with A in cache (of a 114 peak), 8.0-8.5 against 8.7-9.3 ms
// from memory (MNIST's 50000 rows); n = 8 101 against 94, n = 12 112 against 91. (With
// the compiler's own FMAs, below, two rows had been the slower.) The loop takes two steps of
// 8 (one line of each row, prefetched without a test) so -O2 and -O3 make the same code of it.
// acc += a * b as one vfmadd231ps into acc's own register, in any register of the 16: with
// the intrinsic, gcc -O2 chose vfmadd132ps (the result in b's register), moved the sums
// around and spilled one in the 2 x 5 loop (MNIST 8.8 ms against 8.0 with this).
#define GU__A2_FMA(acc, a, b) __asm__("vfmadd231ps {%2, %1, %0|%0, %1, %2}" : "+x"(acc) : "x"(a), "x"(b))
// One pass: C's columns j0 .. j0 + W - 1 of R rows.
GU__A2_INL void gu__a2_dot_pass(int R, int W, int rv, int pf, int64_t j0, int64_t J, int64_t n, int64_t k, const float *a,
                                int64_t lda, const float *bt, float *c, int64_t ldc, float alpha, float beta) {
    __m256 acc[6][12];   // [r][j], j < 4 * ceil(W / 4): the sums past W stay zero
    const float *b0 = bt + 8 * j0;
    int64_t p;
    int r, j;
    GU__UNROLL for (r = 0; r < R; r++) GU__UNROLL for (j = 0; j < (W + 3) / 4 * 4; j++) acc[r][j] = _mm256_setzero_ps();
#define GU__A2_DOT_STEP(P, B) { \
        __m256 ar[6]; \
        GU__UNROLL for (r = 0; r < R; r++) { \
            ar[r] = _mm256_loadu_ps(a + r * lda + (P)); \
            __asm__("" : "+x"(ar[r]));   /* one load a row, in a register */ \
        } \
        GU__UNROLL for (j = 0; j < W; j++) { \
            __m256 bj = _mm256_load_ps((B) + 8 * j); \
            if (R > 1) __asm__("" : "+x"(bj));   /* one load for all R rows, not one per FMA */ \
            GU__UNROLL for (r = 0; r < R; r++) GU__A2_FMA(acc[r][j], ar[r], bj); \
        } }
    for (p = 0; p + 16 <= k; p += 16, b0 += 16 * J) {
        if (pf && j0 == 0) GU__UNROLL for (r = 0; r < R; r++) GU__DOT_PREFETCH(a + r * lda + p);
        GU__A2_DOT_STEP(p, b0)
        GU__A2_DOT_STEP(p + 8, b0 + 8 * J)
    }
    if (p + 8 <= k) {
        GU__A2_DOT_STEP(p, b0)
        p += 8;
        b0 += 8 * J;
    }
#undef GU__A2_DOT_STEP
    if (p < k) {   // the mask loaded here, not held in a register through the loop
        __m256i tail = _mm256_loadu_si256((const __m256i *)(gu__mask8 + 8 - (k & 7)));
        __m256 ar[6];
        GU__UNROLL for (r = 0; r < R; r++) ar[r] = _mm256_maskload_ps(a + r * lda + p, tail);
        GU__UNROLL for (j = 0; j < W; j++) {
            __m256 bj = _mm256_load_ps(b0 + 8 * j);
            GU__UNROLL for (r = 0; r < R; r++) acc[r][j] = _mm256_fmadd_ps(ar[r], bj, acc[r][j]);
        }
    }
    GU__UNROLL for (r = 0; r < R; r++) {
        int64_t jp;
        GU__UNROLL for (jp = 0; jp < W; jp += 4) {   // four sums at a time, C's j0 + jp ..
            __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(acc[r][jp], acc[r][jp + 1]), _mm256_hadd_ps(acc[r][jp + 2], acc[r][jp + 3]));
            if (r < rv) GU__DOT_STORE4(h, j0 + jp, j0 + W)
        }
    }
}
#undef GU__A2_FMA
// R rows, all n (<= 12) columns, in passes of W: the last pass may reach past n into bt's
// zero padding (n = 9: two passes of 5 columns, J = 12), its sums never stored. rv: the rows stored,
// R, or 1 for a row left after the blocks, which the same body runs as R copies of itself
// (lda 0): one body per block shape, not two (the implementation compiles about 0.4 s faster).
GU__A2_INL void gu__a2_dot_block(int R, int W, int rv, int pf, int64_t J, int64_t n, int64_t k, const float *a, int64_t lda,
                                 const float *bt, float *c, int64_t ldc, float alpha, float beta) {
    int64_t j0;
    for (j0 = 0; j0 < n; j0 += W) gu__a2_dot_pass(R, W, rv, pf, j0, J, n, k, a, lda, bt, c, ldc, alpha, beta);
}

__attribute__((target("avx2,fma")))
static void gu__dot_avx2(int64_t m, int64_t n, int64_t k, float alpha, const float *a, int64_t lda,
                         const float *bt, int64_t J, float beta, float *c, int64_t ldc) {
    int64_t i;
    int rv, pf = gu__dot_prefetch(m, n, lda);
    // Blocks of R rows by passes of W columns (J, n padded to 4, covers every pass): R * W
    // accumulators (6 to 12 chains), R A vectors and one of bt live; the rows left after the
    // blocks one at a time (rv 1, lda 0).
#define GU__A2_DOT(R, W) \
    for (i = 0; i < m; i += rv) { \
        rv = i + R <= m ? R : 1; \
        gu__a2_dot_block(R, W, rv, pf, J, n, k, a + i * lda, rv == R ? lda : 0, bt, c + i * ldc, ldc, alpha, beta); \
    }
    switch (n) {
    case 1: GU__A2_DOT(6, 1) break;
    case 2: GU__A2_DOT(4, 2) break;
    case 3: GU__A2_DOT(3, 3) break;
    case 4: case 7: case 8: GU__A2_DOT(2, 4) break;
    case 9: case 10: GU__A2_DOT(2, 5) break;
    default: GU__A2_DOT(2, 6) break;   // 5, 6, 11, 12
    }
#undef GU__A2_DOT
}
#endif // GU__X86_SIMD

#ifdef GU__NEON_SIMD
// NEON (aarch64): an 8 x 12 tile in 24 of the 32 q registers (three of 4 columns per row),
// A's 8 values in 2 and B's 12 in 3: 29 of 32, as BLIS's armv8a kernel. Per k step: 5 loads,
// 24 FMAs, each multiplying a B vector by one lane of an A register (fmla by element), so
// A needs no broadcasts. A core with two 128-bit FMA pipes of latency 4 (Cortex-A76, Neoverse
// N1) needs 8 chains and has 24; the loads are 1 per 5 FMAs, within one load pipe. It
// should run at 85-90% of the NEON peak in L1, as BLIS's kernel does on such cores.
#define GU__N8MR 8
#define GU__N8NR 12
#define GU__N8_ROWS(X) X(0, a0, 0) X(1, a0, 1) X(2, a0, 2) X(3, a0, 3) X(4, a1, 0) X(5, a1, 1) X(6, a1, 2) X(7, a1, 3)
#define GU__N8_DECL(i, A, L) float32x4_t c##i##0 = vdupq_n_f32(0), c##i##1 = c##i##0, c##i##2 = c##i##0;
#define GU__N8_FMA(i, A, L) c##i##0 = vfmaq_laneq_f32(c##i##0, b0, A, L); \
        c##i##1 = vfmaq_laneq_f32(c##i##1, b1, A, L); c##i##2 = vfmaq_laneq_f32(c##i##2, b2, A, L);
// A row of C: alpha * AB + beta * C in vectors, through a small array at the right edge, so
// that every element is the same operations wherever its tile ends.
#define GU__N8_STORE(i, A, L) if (i < mr) { \
        float *ci_ = c + (int64_t)i * ldc, t_[12], *d_ = nr == GU__N8NR ? ci_ : t_; \
        float32x4_t r0_ = vmulq_n_f32(c##i##0, alpha), r1_ = vmulq_n_f32(c##i##1, alpha), r2_ = vmulq_n_f32(c##i##2, alpha); \
        int j_; \
        if (beta != 0) { \
            if (d_ == t_) for (j_ = 0; j_ < nr; j_++) t_[j_] = ci_[j_]; \
            r0_ = vfmaq_n_f32(r0_, vld1q_f32(d_), beta); r1_ = vfmaq_n_f32(r1_, vld1q_f32(d_ + 4), beta); \
            r2_ = vfmaq_n_f32(r2_, vld1q_f32(d_ + 8), beta); \
        } \
        vst1q_f32(d_, r0_); vst1q_f32(d_ + 4, r1_); vst1q_f32(d_ + 8, r2_); \
        if (d_ == t_) for (j_ = 0; j_ < nr; j_++) ci_[j_] = t_[j_]; }
static void gu__ukr_neon(int64_t kc, const float *GU__RESTRICT ap, const float *GU__RESTRICT bp, float *c,
                         int64_t ldc, int mr, int nr, float alpha, float beta) {
    GU__N8_ROWS(GU__N8_DECL)
    int64_t p;
    for (p = 0; p < kc; p++, ap += GU__N8MR, bp += GU__N8NR) {
        float32x4_t a0 = vld1q_f32(ap), a1 = vld1q_f32(ap + 4);
        float32x4_t b0 = vld1q_f32(bp), b1 = vld1q_f32(bp + 4), b2 = vld1q_f32(bp + 8);
        GU__N8_ROWS(GU__N8_FMA)
    }
    GU__N8_ROWS(GU__N8_STORE)
}
#undef GU__N8_DECL
#undef GU__N8_FMA
#undef GU__N8_STORE
#endif // GU__NEON_SIMD

// The kernels this build knows, one function each that sets every field by name. MR x NR is
// the register tile; MC, KC, NC the cache blocks: those of kernels marked cache_blocks are
// replaced at first use by ones from this CPU's cache sizes (gu__cache_block). AVX-512's are
// as measured on Zen 5 (48 KiB L1, 1 MiB L2 per core, 32 MiB L3): a long KC (1024) means fewer
// visits to each C tile, whose rows often collide in L1 sets when ldc is a power of two; the
// A block (MC x KC, 504 KiB) and a B micro-panel (KC x NR, 128 KiB) share L2; the B block (KC x
// NC, 4 MiB) sits in L3.
#ifdef GU__X86_SIMD
static void gu__kernel_avx512(gu__gemm_kernel *k) {
    k->name = "avx512";
    k->mr = GU__A5MR;             // MR 14
    k->nr = GU__A5NR;             // NR 32
    k->mc = 14 * 9;               // MC 126
    k->kc = 1024;                 // KC
    k->nc = 1024;                 // NC
    k->cache_blocks = 0;          // these blocks, whatever the caches
    k->ukr = gu__ukr_avx512;
    k->rows = gu__rows_avx512;
    k->rows_max_n = 64;
    k->rows_blocks = 100;
    k->split_rows = 4;            // 4 to 7 rows: blocks of 8, 6, 5, 4 or 2 rows, as the plan has them
    k->split_chains = 4;          // 1 row to n 64, 2 and 3 rows to n 16 (2x64x500 0.38 -> 0.72x)
    k->split2 = 1u << 2;          // n 17-32: 2 rows (2x32x1000 0.93 -> 1.12x)
    k->rows_few = 16;             // 1 to 16 rows: 1x512x512 0.39 -> 1.08x OpenBLAS, 8x512x512 1.62 -> 2.22x
    k->dot = gu__dot_avx512;
    k->dot_vec = 16;
    k->dot_jpad = 4;
}
static void gu__kernel_avx2(gu__gemm_kernel *k) {
    k->name = "avx2";
    k->mr = GU__A2MR;             // MR 6
    k->nr = GU__A2NR;             // NR 16
    k->mc = 6 * 32;               // MC 192 (until the caches say)
    k->kc = 256;                  // KC
    k->nc = 4080;                 // NC
    k->cache_blocks = 1;
    k->ukr = gu__ukr_avx2;
    k->rows = gu__rows_avx2;
    k->rows_max_n = 16;
    k->rows_blocks = 100;
    k->split_rows = 6;            // 6 and 7 rows: a block of 6
    k->split_chains = INT64_MAX;  // whatever n
    k->split2 = 0x3cu;            // but 2-5 rows wider than 8 in blocks of 2 (B read half as often)
    k->rows_few = 8;              // 1x1000x1000 0.98 -> 2.40x OpenBLAS Haswell, 8x1000x1000 0.76 -> 1.23x,
    k->rows_few_skip = 0x38u;     //   but 3-5 rows wide are faster packed (4x512x512 1.16x, 0.98x in rows)
    k->dot = gu__dot_avx2;
    k->dot_vec = 8;
    k->dot_jpad = 4;
}
#endif
#ifdef GU__NEON_SIMD
static void gu__kernel_neon(gu__gemm_kernel *k) {
    k->name = "neon";
    k->mr = GU__N8MR;             // MR 8
    k->nr = GU__N8NR;             // NR 12
    k->mc = 8 * 24;               // MC 192 (until the caches say)
    k->kc = 256;                  // KC
    k->nc = 4080;                 // NC
    k->cache_blocks = 1;
    k->ukr = gu__ukr_neon;
    k->rows = gu__rows_portable;
    k->rows_max_n = 16;
    k->rows_blocks = 0;
    k->split_rows = 8;
    k->rows_few = 0;
    k->split_chains = INT64_MAX;
    k->dot = NULL;                // no dot kernel
    k->dot_vec = 0;
    k->dot_jpad = 1;
}
#endif
static void gu__kernel_portable(gu__gemm_kernel *k) {
    k->name = "portable";
    k->mr = GU__PMR;              // MR 4
    k->nr = GU__PNR;              // NR 16
    k->mc = GU__PMR * 32;         // MC 128
    k->kc = 256;                  // KC
    k->nc = 2048;                 // NC
    k->cache_blocks = 0;
    k->ukr = gu__ukr_portable;
    k->rows = gu__rows_portable;
    k->rows_max_n = 16;
    k->rows_blocks = INT64_MAX;
    k->split_rows = 8;
    k->rows_few = 0;
    k->split_chains = INT64_MAX;
    k->dot = NULL;                // no dot kernel
    k->dot_vec = 0;
    k->dot_jpad = 1;
}

// Best first. The table is filled once, at first use (gu__kernels_init).
typedef void (*gu__kernel_init_fn)(gu__gemm_kernel *k);
static const gu__kernel_init_fn gu__kernel_inits[] = {
#ifdef GU__X86_SIMD
    gu__kernel_avx512,
    gu__kernel_avx2,
#endif
#ifdef GU__NEON_SIMD
    gu__kernel_neon,
#endif
    gu__kernel_portable,
};
#define GU__NKERNELS ((int)(sizeof gu__kernel_inits / sizeof gu__kernel_inits[0]))
static gu__gemm_kernel gu__kernels[sizeof gu__kernel_inits / sizeof gu__kernel_inits[0]];
static void gu__kernels_init(void);

// A kernel runs here when this CPU has its instruction set (named alike).
static int gu__isa_of(const char *name) {
    int isa;
    for (isa = 0; isa < GU__ISA_COUNT; isa++)
        if (strcmp(name, gu__isa_names[isa]) == 0) return isa;
    return -1;
}
static int gu__kernel_runs_here(const gu__gemm_kernel *kr) {
    int isa = gu__isa_of(kr->name);
    return isa >= 0 && gu__isa_runs_here(isa);
}
// " avx512 avx2 portable": the kernels this build has and this CPU runs, best first.
static const char *gu__kernels_here(char *buf, size_t cap) {
    int i;
    gu__kernels_init();
    buf[0] = 0;
    for (i = 0; i < GU__NKERNELS; i++)
        if (gu__kernel_runs_here(&gu__kernels[i]) && strlen(buf) + strlen(gu__kernels[i].name) + 2 <= cap) {
            strcat(buf, " ");
            strcat(buf, gu__kernels[i].name);
        }
    return buf;
}

// ---- blocking from the caches --------------------------------------------------------------
// MC, KC, NC for a kernel from the caches (BLIS's analytical model, roughly): a B micro-panel
// (KC x NR) takes half of L1, leaving the rest to the A micro-panel and C's tile streaming
// through; the A block (MC x KC) a quarter of L2, leaving room for the B micro-panel, C's
// tiles and the next A block's first lines (half of L2 was 1-3% slower: 2048^3, AVX2 on an
// Emerald Rapids Xeon, 2 MiB L2, MC 678 -> 342); the B block (KC x NC) half of L3 (of L2
// without one), at most 4080 columns (a multiple of 12 and 16). Not found: 32 KiB, 512 KiB,
// 8 MiB (Zen 3's L1 and L2), KC 256, MC 126 for the AVX2 tile.
static void gu__cache_block(gu__gemm_kernel *kr) {
    const int64_t *sz = gu__cpu()->cache;
    int64_t l1, l2, l3, kc, mc, nc;
    l1 = sz[1] >= 16384 ? sz[1] : 32768;
    l2 = sz[2] >= 131072 ? sz[2] : 524288;
    l3 = sz[3] > l2 ? sz[3] : sz[2] ? 2 * l2 : 8 << 20;
    kc = l1 / 2 / ((int64_t)kr->nr * 4) / 16 * 16;
    kc = kc < 128 ? 128 : kc > 512 ? 512 : kc;
    mc = l2 / 4 / (kc * 4) / kr->mr * kr->mr;
    mc = mc < 4 * kr->mr ? 4 * kr->mr : mc > 1020 ? 1020 / kr->mr * kr->mr : mc;
    nc = l3 / 2 / (kc * 4) / kr->nr * kr->nr;
    nc = nc < 16 * kr->nr ? 16 * kr->nr : nc > 4080 ? 4080 / kr->nr * kr->nr : nc;
    kr->kc = kc;
    kr->mc = mc;
    kr->nc = nc;
}

// Once, before any kernel is used: the table from the kernels' functions, and the blocks
// from the caches. Several threads may make their first product at once: pthread_once lets
// one of them fill the table and the others wait for it.
static void gu__kernels_fill(void) {
    int i;
    for (i = 0; i < GU__NKERNELS; i++) {
        memset(&gu__kernels[i], 0, sizeof gu__kernels[i]);
        gu__kernel_inits[i](&gu__kernels[i]);
        if (gu__kernels[i].cache_blocks) gu__cache_block(&gu__kernels[i]);
    }
}
#ifndef GU_NO_THREADS
static pthread_once_t gu__kernels_once = PTHREAD_ONCE_INIT;
static void gu__kernels_init(void) { pthread_once(&gu__kernels_once, gu__kernels_fill); }
#else
static void gu__kernels_init(void) {
    static int done = 0;
    if (!done) gu__kernels_fill();
    done = 1;
}
#endif

// The kernel chosen, as its index + 1; 0: not chosen yet (chosen lazily: no constructors).
// Atomic: several threads may make their first product at once; each then computes the
// same choice and stores it, which is harmless as long as no access tears.
static GU__AUINT gu__kernel_sel;

static int gu__kernel_auto(void) {
    int i;
    for (i = 0; i < GU__NKERNELS; i++)
        if (gu__kernel_runs_here(&gu__kernels[i])) return i;
    return GU__NKERNELS - 1;
}

GU__DEF int gu_gemm_set_kernel(const char *name) {
    int i;
    char list[64];
    gu__kernels_init();
    if (!name || strcmp(name, "auto") == 0 || name[0] == 0) { gu__astore(&gu__kernel_sel, gu__kernel_auto() + 1u); return 0; }
    for (i = 0; i < GU__NKERNELS; i++)
        if (strcmp(name, gu__kernels[i].name) == 0) {
            if (!gu__kernel_runs_here(&gu__kernels[i])) {
                gu__seterr("gemm_set_kernel: this CPU cannot run the \"%s\" kernel (this build and CPU have:%s)", name,
                           gu__kernels_here(list, sizeof list));
                return -1;
            }
            gu__astore(&gu__kernel_sel, i + 1u);
            return 0;
        }
    gu__seterr("gemm_set_kernel: %s kernel \"%s\" (this build and CPU have:%s)", gu__isa_of(name) >= 0 ? "this build has no" : "unknown",
               name, gu__kernels_here(list, sizeof list));
    return -1;
}

// The instruction set for every part: the gemm kernel of that name, the random fills at
// that level, the elementwise ops on their reference path for "portable".
GU__DEF int gu_set_kernel(const char *name) {
    int isa, i;
    char list[64];
    if (!name || strcmp(name, "auto") == 0 || name[0] == 0) {
        gu__astore(&gu__isa_sel, 1u + (unsigned)gu__isa_best());
        return gu_gemm_set_kernel("auto");
    }
    gu__kernels_init();
    isa = gu__isa_of(name);
    for (i = 0; i < GU__NKERNELS && isa >= 0; i++)
        if (strcmp(name, gu__kernels[i].name) == 0) break;
    if (isa < 0 || i == GU__NKERNELS) {
        gu__seterr("set_kernel: %s kernel \"%s\" (this build and CPU have:%s)", isa >= 0 ? "this build has no" : "unknown",
                   name, gu__kernels_here(list, sizeof list));
        return -1;
    }
    if (!gu__isa_runs_here(isa)) {
        gu__seterr("set_kernel: this CPU cannot run the \"%s\" kernel (this build and CPU have:%s)", name,
                   gu__kernels_here(list, sizeof list));
        return -1;
    }
    if (gu_gemm_set_kernel(name) != 0) return -1;
    gu__astore(&gu__isa_sel, GU__ISA_FORCED | (1u + (unsigned)isa));
    return 0;
}
GU__DEF const char *gu_kernel(void) { return gu__isa_names[gu__isa()]; }

// Blocks forced by gu_gemm_set_blocks; 0: the kernel's own. Atomic, as the choices above.
static GU__AUINT gu__force_mc, gu__force_kc, gu__force_nc;
GU__DEF int gu_gemm_set_blocks(int64_t mc, int64_t kc, int64_t nc) {
    if (mc < 0 || kc < 0 || nc < 0 || mc > 65536 || kc > 65536 || nc > 65536) {
        gu__seterr("gemm_set_blocks: mc %" PRId64 ", kc %" PRId64 ", nc %" PRId64 ": each must be 0 (the kernel's own) or 1 to 65536",
                   mc, kc, nc);
        return -1;
    }
    gu__astore(&gu__force_mc, (unsigned)mc);
    gu__astore(&gu__force_kc, (unsigned)kc);
    gu__astore(&gu__force_nc, (unsigned)nc);
    return 0;
}

static const gu__gemm_kernel *gu__kernel(void) {
    unsigned sel = gu__aload(&gu__kernel_sel);
    if (sel == 0) {
        const char *env = getenv("GROUNDUP_GEMM_KERNEL");
        gu__kernels_init();
        int i = gu__kernel_auto(), j;
        if (env && env[0] && strcmp(env, "auto") != 0) {
            for (j = 0; j < GU__NKERNELS; j++)
                if (strcmp(env, gu__kernels[j].name) == 0 && gu__kernel_runs_here(&gu__kernels[j])) break;
            if (j < GU__NKERNELS) i = j;
            else {
                char list[64];
                gu__env_warn(1, "GROUNDUP_GEMM_KERNEL=\"%.40s\" is not a kernel this build and CPU run (they are:%s); using %s",
                             env, gu__kernels_here(list, sizeof list), gu__kernels[i].name);
            }
        }
        sel = i + 1u;
        gu__astore(&gu__kernel_sel, sel);
    }
    return &gu__kernels[sel - 1];
}
GU__DEF const char *gu_gemm_kernel(void) { return gu__kernel()->name; }
// The kernel in use, as a copy with the forced blocks in it.
static void gu__kernel_get(gu__gemm_kernel *kr) {
    int64_t mc = (int64_t)gu__aload(&gu__force_mc), kc = (int64_t)gu__aload(&gu__force_kc), nc = (int64_t)gu__aload(&gu__force_nc);
    *kr = *gu__kernel();
    if (mc) kr->mc = (mc + kr->mr - 1) / kr->mr * kr->mr;
    if (kc) kr->kc = kc;
    if (nc) kr->nc = (nc + kr->nr - 1) / kr->nr * kr->nr;
}

// ---- packing -------------------------------------------------------------------------------
// A(i, p) = a[i*rsa + p*csa] for i < mc, p < kc, into micro-panels of MR rows:
// ap[(i/MR)*MR*kc + p*MR + i%MR], rows past mc zero.
static void gu__pack_a(int64_t mc, int64_t kc, const float *a, int64_t rsa, int64_t csa, int mr, float *GU__RESTRICT ap) {
    int64_t ir, p;
    int i;
    for (ir = 0; ir < mc; ir += mr, ap += (int64_t)mr * kc) {
        int h = mc - ir < mr ? (int)(mc - ir) : mr;
        const float *ai = a + ir * rsa;
        if (csa == 1 && h == 14 && mr == 14) {   // the AVX-512 tile
#ifdef GU__X86_SIMD
            gu__pack_a14_avx512(kc, ai, rsa, ap);
#else
            for (p = 0; p < kc; p++)
                for (i = 0; i < 14; i++) ap[p * 14 + i] = ai[i * rsa + p];
#endif
        } else if (csa == 1 && h == 6 && mr == 6) {   // the AVX2 tile
            for (p = 0; p < kc; p++)
                for (i = 0; i < 6; i++) ap[p * 6 + i] = ai[i * rsa + p];
        } else if (csa == 1) {  // rows contiguous: read each row along p
            for (i = 0; i < h; i++) {
                const float *row = ai + i * rsa;
                for (p = 0; p < kc; p++) ap[p * mr + i] = row[p];
            }
        } else if (rsa == 1 && h == mr) {   // columns contiguous: copy MR at a time
            for (p = 0; p < kc; p++)
                for (i = 0; i < mr; i++) ap[p * mr + i] = ai[p * csa + i];
        } else {
            for (p = 0; p < kc; p++)
                for (i = 0; i < h; i++) ap[p * mr + i] = ai[i * rsa + p * csa];
        }
        for (i = h; i < mr; i++)
            for (p = 0; p < kc; p++) ap[p * mr + i] = 0;
    }
}
// B(p, j) = b[p*rsb + j*csb] for p < kc, j < nc, into micro-panels of NR columns:
// bp[(j/NR)*NR*kc + p*NR + j%NR], columns past nc zero.
static void gu__pack_b(int64_t kc, int64_t nc, const float *b, int64_t rsb, int64_t csb, int nr, float *GU__RESTRICT bp) {
    int64_t jr = 0, p;
    int j;
    if (csb == 1 && (nr == 32 || nr == 16)) {   // rows of B contiguous: the whole micro-panels row by
        int64_t full = nc / nr;    // row, four rows at a time, so B is read in long runs, not 64- or
        for (p = 0; p < kc; p += 4) {   // 128-byte pieces; copies of constant size, inlined
            int q, h = kc - p < 4 ? (int)(kc - p) : 4;
            for (jr = 0; jr < full; jr++)
                for (q = 0; q < h; q++) {
                    float *d = bp + jr * nr * kc + (p + q) * nr;
                    const float *s = b + (p + q) * rsb + jr * nr;
                    if (nr == 32) memcpy(d, s, 32 * sizeof(float));
                    else memcpy(d, s, 16 * sizeof(float));
                }
        }
        jr = full * nr;   // a narrower last panel, if any, below
        bp += full * nr * kc;
    }
    for (; jr < nc; jr += nr, bp += (int64_t)nr * kc) {
        int w = nc - jr < nr ? (int)(nc - jr) : nr;
        const float *bj = b + jr * csb;
        if (csb == 1 && w == 16 && nr == 16) {   // constant width: plain vector copies
            for (p = 0; p < kc; p++)
                for (j = 0; j < 16; j++) bp[p * 16 + j] = bj[p * rsb + j];
        } else if (csb == 1 && w == nr) {
            for (p = 0; p < kc; p++) memcpy(bp + p * nr, bj + p * rsb, (size_t)nr * sizeof(float));
        } else if (rsb == 1) {  // B transposed: each column is contiguous along p
            for (j = 0; j < w; j++) {
                const float *col = bj + j * csb;
                for (p = 0; p < kc; p++) bp[p * nr + j] = col[p];
            }
            for (p = 0; p < kc; p++)
                for (j = w; j < nr; j++) bp[p * nr + j] = 0;
        } else {
            for (p = 0; p < kc; p++) {
                for (j = 0; j < w; j++) bp[p * nr + j] = bj[p * rsb + j * csb];
                for (j = w; j < nr; j++) bp[p * nr + j] = 0;
            }
        }
    }
}

// ---- the five loops --------------------------------------------------------------------------
// One product as the loops see it: op(A) (m, k) with strides (rsa, csa), op(B) (k, n) with
// (rsb, csb), C (m, n) with rows ldc apart and unit columns.
typedef struct gu__gemm_prob {
    int64_t m, n, k;
    float alpha, beta;
    const float *a; int64_t rsa, csa;
    const float *b; int64_t rsb, csb;
    float *c; int64_t ldc;
} gu__gemm_prob;

// C(m, n) = beta * C when there is nothing to multiply.
static void gu__scale_c(int64_t m, int64_t n, float beta, float *c, int64_t ldc) {
    int64_t i, j;
    for (i = 0; i < m; i++) {
        float *ci = c + i * ldc;
        if (beta == 0) memset(ci, 0, (size_t)n * sizeof(float));
        else if (beta != 1)
            for (j = 0; j < n; j++) ci[j] *= beta;
    }
}

// The ic step for rows [0, m): blocks of at most MC rows, all about the same height in whole
// micro-panels, so that no block is a sliver (1024 rows in blocks of 126 would leave 16).
static int64_t gu__even_step(int64_t len, int64_t max, int64_t unit) {
    int64_t nb = (len + max - 1) / max, units = (len + unit - 1) / unit;
    if (nb < 1) nb = 1;
    units = (units + nb - 1) / nb * unit;
    return units < max ? units : max;   // (max a multiple of unit: never more than max anyway)
}
static int64_t gu__mc_step(const gu__gemm_kernel *kr, int64_t m) { return gu__even_step(m, kr->mc, kr->mr); }
// The same for the columns (jc: 4096 in blocks of 4080 would leave 16) and for k (pc: a last
// thin block of k would cost a whole pass over C for little work). The k blocks depend on k
// alone, so every element of C is the same chain however the product is split.
static int64_t gu__nc_step(const gu__gemm_kernel *kr, int64_t n) { return gu__even_step(n, kr->nc, kr->nr); }
static int64_t gu__kc_step(const gu__gemm_kernel *kr, int64_t k) { return gu__even_step(k, kr->kc, 8); }

// The macro-kernel: C rows [ic, ic + mc) and the nc columns of the packed B block, with the
// A block packed here. Rows ic.. of A start at `a` (pc already added).
static void gu__gemm_macro(const gu__gemm_kernel *kr, const gu__gemm_prob *pr, int64_t mc, int64_t nc, int64_t kc,
                           const float *a, float *c, float beta, float *apbuf, const float *bpbuf) {
    int64_t jr, ir;
    gu__pack_a(mc, kc, a, pr->rsa, pr->csa, kr->mr, apbuf);
    for (jr = 0; jr < nc; jr += kr->nr) {
        int nr = nc - jr < kr->nr ? (int)(nc - jr) : kr->nr;
        const float *bp = bpbuf + jr * kc;
        for (ir = 0; ir < mc; ir += kr->mr) {
            int mr = mc - ir < kr->mr ? (int)(mc - ir) : kr->mr;
            kr->ukr(kc, apbuf + ir * kc, bp, c + ir * pr->ldc + jr, pr->ldc, mr, nr, pr->alpha, beta);
        }
    }
}

// One thread, its own buffers: loops jc (NC columns of C), pc (KC of k), ic (MC rows).
#define GU__JIT_COLS 128 // few rows: B packed this many columns at a time (in micro-panels; see below)
#define GU__FEW_ROWS 56  // few rows: up to this many (4 AVX-512 tiles, 9 AVX2 ones: 33 x 4097 x 513 AVX2 63 -> 72 GFLOP/s)
static void gu__gemm_packed(const gu__gemm_kernel *kr, const gu__gemm_prob *pr, float *apbuf, float *bpbuf) {
    int64_t jc, pc, ic, m = pr->m, n = pr->n, k = pr->k, mstep = gu__mc_step(kr, m);
    int64_t nstep = gu__nc_step(kr, n), kstep = gu__kc_step(kr, k);
    if (m <= GU__FEW_ROWS && m <= kr->mc) {
        // Few rows: a B block would be packed to be read by a handful of microkernel calls,
        // a write and a read back through L3 for little work. Pack A once per pc instead, and
        // each B micro-panel just before its calls, where it stays in L1/L2. Each element of
        // C is the same chain of microkernel calls as below, so the same bits.
        int64_t jr, ir, jw = (GU__JIT_COLS + kr->nr - 1) / kr->nr * kr->nr;
        if (jw > kr->nc) jw = kr->nc;
        for (pc = 0; pc < k; pc += kstep) {
            int64_t kc = k - pc < kstep ? k - pc : kstep;
            float beta = pc == 0 ? pr->beta : 1.0f;
            gu__pack_a(m, kc, pr->a + pc * pr->csa, pr->rsa, pr->csa, kr->mr, apbuf);
            for (jc = 0; jc < n; jc += jw) {   // a few micro-panels at a time: longer runs of B
                int64_t nc = n - jc < jw ? n - jc : jw;
                int64_t nnext = n - jc - nc < jw ? n - jc - nc : jw, npan = (nc + kr->nr - 1) / kr->nr, q;
                gu__pack_b(kc, nc, pr->b + pc * pr->rsb + jc * pr->csb, pr->rsb, pr->csb, kr->nr, bpbuf);
                for (jr = 0, q = 0; jr < nc; jr += kr->nr, q++) {
                    int nr = nc - jr < kr->nr ? (int)(nc - jr) : kr->nr;
                    // B's rows are far apart (a row of B per page): the hardware does not
                    // prefetch them. So the next columns' rows are asked for here, a share
                    // per micro-panel, and arrive while it computes (33 x 4097 x 513, AVX2 on
                    // Sapphire Rapids: 0.88 -> 0.95x OpenBLAS). Not for one row of tiles: the
                    // packing is all the work there, and it streams. Not for AVX-512's 32-column
                    // panels either: there they cost more than they save (1.04 -> 0.97x).
                    if (pr->csb == 1 && nnext > 0 && m > kr->mr && kr->nr < 32) {
                        int64_t p0 = kc * q / npan, p1 = kc * (q + 1) / npan, pp, x;
                        for (pp = p0; pp < p1; pp++)
                            for (x = 0; x < nnext; x += 16) GU__PREFETCH(pr->b + (pc + pp) * pr->rsb + jc + nc + x);
                    }
                    for (ir = 0; ir < m; ir += kr->mr) {
                        int mr = m - ir < kr->mr ? (int)(m - ir) : kr->mr;
                        kr->ukr(kc, apbuf + ir * kc, bpbuf + jr * kc, pr->c + ir * pr->ldc + jc + jr, pr->ldc, mr, nr, pr->alpha, beta);
                    }
                }
            }
        }
        return;
    }
    for (jc = 0; jc < n; jc += nstep) {
        int64_t nc = n - jc < nstep ? n - jc : nstep;
        for (pc = 0; pc < k; pc += kstep) {
            int64_t kc = k - pc < kstep ? k - pc : kstep;
            float beta = pc == 0 ? pr->beta : 1.0f;   // later k blocks accumulate
            gu__pack_b(kc, nc, pr->b + pc * pr->rsb + jc * pr->csb, pr->rsb, pr->csb, kr->nr, bpbuf);
            for (ic = 0; ic < m; ic += mstep) {
                int64_t mc = m - ic < mstep ? m - ic : mstep;
                gu__gemm_macro(kr, pr, mc, nc, kc, pr->a + ic * pr->rsa + pc * pr->csa, pr->c + ic * pr->ldc + jc,
                               beta, apbuf, bpbuf);
            }
        }
    }
}

#ifndef GU_NO_THREADS
// A barrier for the threads of one product: the last to arrive bumps the generation, the
// others spin on it (the waits are short: threads arrive together), then yield the CPU, so a
// machine with more threads than cores still moves on.
typedef struct gu__barrier {
    unsigned n;
    GU__AUINT count, gen;
} gu__barrier;

static void gu__barrier_wait(gu__barrier *b) {
    unsigned gen = gu__aload(&b->gen);
    int spin = 0;
    if (gu__aadd(&b->count, 1u) == b->n) {
        gu__astore(&b->count, 0u);
        gu__astore(&b->gen, gen + 1);
        return;
    }
    while (gu__aload(&b->gen) == gen) gu__spin_wait(spin < GU__SPIN_PURE ? spin++ : spin);
}

// Threads as a team on one product (BLIS's ic split): for each (jc, pc) block of B, every
// thread packs its share of B's micro-panels into the one shared buffer, they wait for each
// other, then each multiplies its own rows [m_lo, m_hi) of C against the whole block with its
// own A blocks. So B is packed once, not once per thread, and stays in cache once. Two B
// buffers take turns: a thread may pack the next block while another still reads the
// current one, and one barrier per block is enough (a thread reaches the packing of block
// i + 2 only after every thread has finished computing block i).
typedef struct gu__gemm_team {
    gu__gemm_prob pr;   // the whole product
    gu__barrier bar;
    float *bp[2];
    int nt;
} gu__gemm_team;

static void gu__gemm_packed_team(const gu__gemm_kernel *kr, gu__gemm_team *tm, int tid, int64_t m_lo, int64_t m_hi,
                                 float *apbuf) {
    const gu__gemm_prob *pr = &tm->pr;
    int64_t jc, pc, ic, n = pr->n, k = pr->k, mstep = gu__mc_step(kr, m_hi - m_lo);
    int64_t nstep = gu__nc_step(kr, n), kstep = gu__kc_step(kr, k);
    int turn = 0;
    for (jc = 0; jc < n; jc += nstep) {
        int64_t nc = n - jc < nstep ? n - jc : nstep, npanels = (nc + kr->nr - 1) / kr->nr;
        for (pc = 0; pc < k; pc += kstep, turn ^= 1) {
            int64_t kc = k - pc < kstep ? k - pc : kstep;
            int64_t p0 = npanels * tid / tm->nt, p1 = npanels * (tid + 1) / tm->nt;   // my share of B
            int64_t j0 = p0 * kr->nr, j1 = p1 * kr->nr < nc ? p1 * kr->nr : nc;
            float beta = pc == 0 ? pr->beta : 1.0f;
            float *bpbuf = tm->bp[turn];
            if (j1 > j0)
                gu__pack_b(kc, j1 - j0, pr->b + pc * pr->rsb + (jc + j0) * pr->csb, pr->rsb, pr->csb, kr->nr,
                           bpbuf + j0 * kc);
            gu__barrier_wait(&tm->bar);
            for (ic = m_lo; ic < m_hi; ic += mstep) {
                int64_t mc = m_hi - ic < mstep ? m_hi - ic : mstep;
                gu__gemm_macro(kr, pr, mc, nc, kc, pr->a + ic * pr->rsa + pc * pr->csa, pr->c + ic * pr->ldc + jc,
                               beta, apbuf, bpbuf);
            }
        }
    }
}
#endif

// Sizes of the pack buffers one thread needs for a sub-product of (m, n, k).
static void gu__pack_sizes(const gu__gemm_kernel *kr, int64_t m, int64_t n, int64_t k, int64_t *asz, int64_t *bsz) {
    int64_t mc = m < kr->mc ? m : kr->mc, nc = n < kr->nc ? n : kr->nc, kc = k < kr->kc ? k : kr->kc;
    *asz = (mc + kr->mr - 1) / kr->mr * kr->mr * kc;
    *bsz = (nc + kr->nr - 1) / kr->nr * kr->nr * kc;
}

enum { GU__PATH_PACKED, GU__PATH_ROWS, GU__PATH_DOT };
#define GU__DOT_MAX_N 12        // the dot path: n up to this
#define GU__ROWS_MAX_KN 131072  // the rows path: B up to this many floats (512 KiB, in L2)
#define GU__TAIL_ROWS 120       // the rows path, when it reads A more than once: rows per chunk (a multiple of 8, 6, 5)

typedef struct gu__gemm_task {
    const gu__gemm_kernel *kr;
    gu__gemm_prob pr;          // this thread's part of C
    int path, split;           // GU__PATH_*; the rows kernel's k split
    float *ap, *bp;            // packed path: this thread's buffers. dot: the shared bt
    int64_t kp;                // dot: the J bt was packed with
    int64_t tail;              // rows and dot paths: the last `tail` columns go to the dot kernel (bp, kp)
    int64_t lo, hi;            // the part of C's split side this thread has
#ifndef GU_NO_THREADS
    gu__gemm_team *team;       // packed path as a team: rows [lo, hi) of the team's product are ours
    int tid;
#endif
} gu__gemm_task;

static void gu__gemm_task_run(gu__gemm_task *t) {
    const gu__gemm_prob *p = &t->pr;
#ifndef GU_NO_THREADS
    if (t->team) { gu__gemm_packed_team(t->kr, t->team, t->tid, t->lo, t->hi, t->ap); return; }
#endif
    if (p->m == 0 || p->n == 0) return;
    if (t->path != GU__PATH_PACKED) {
        // The rows kernel on column blocks of at most rows_max_n, then the last `tail` columns
        // (the dot path: all of them) by the dot kernel. With more than one pass over A, a
        // chunk of rows at a time, so the passes after the first read it from L2.
        int64_t n0 = p->n - t->tail, i, ch, j0, nb, w = t->kr->rows_max_n;
        int64_t step = (t->tail && n0) || n0 > w ? GU__TAIL_ROWS : p->m;
        for (i = 0; i < p->m; i += step) {
            ch = p->m - i < step ? p->m - i : step;
            for (j0 = 0; j0 < n0; j0 += nb) {
                nb = n0 - j0 < w ? n0 - j0 : w;
                t->kr->rows(ch, nb, p->k, p->alpha, p->a + i * p->rsa, p->rsa, p->csa, p->b + j0, p->rsb, p->beta,
                            p->c + i * p->ldc + j0, p->ldc, t->split);
            }
            if (t->tail)
                t->kr->dot(ch, t->tail, p->k, p->alpha, p->a + i * p->rsa, p->rsa, t->bp, t->kp, p->beta,
                           p->c + i * p->ldc + n0, p->ldc);
        }
    } else
        gu__gemm_packed(t->kr, p, t->ap, t->bp);
}
// A part of a product for the pool: ctx is the tasks array.
static void gu__gemm_part(void *ctx, int part) { gu__gemm_task_run((gu__gemm_task *)ctx + part); }
#ifndef GU_NO_THREADS
// Runs the packed product as a team (gu__gemm_packed_team) on the pool, tasks[t] having rows
// [lo, hi). Returns 1 when done, -1 out of memory, 0 when the pool is busy (nothing ran:
// a team cannot run on threads that may fail to start, so the caller goes without one).
static int gu__gemm_team_run(const char *op, const gu__gemm_kernel *kr, const gu__gemm_prob *pr,
                             gu__gemm_task *tasks, int nt) {
    gu__gemm_team tm;
    int64_t asz, bsz, a1, b1, total;
    void *raw = NULL;
    float *buf = NULL;
    int t, ran;
    gu__pack_sizes(kr, tasks[0].pr.m, pr->n, pr->k, &asz, &bsz);
    a1 = (asz + 15) / 16 * 16;   // keep every buffer 64-byte aligned
    b1 = (bsz + 15) / 16 * 16;
    if (!gu__mul_ok(a1, nt, &total) || total > INT64_MAX - 2 * b1 || !(buf = gu__alloc_aligned(total + 2 * b1, &raw))) {
        gu__seterr("%s: out of memory for the packing buffers (m %" PRId64 ", n %" PRId64 ", k %" PRId64 ")", op, pr->m, pr->n, pr->k);
        return -1;
    }
    tm.bar.n = nt;
    tm.bar.count = 0;
    tm.bar.gen = 0;
    tm.nt = nt;
    tm.pr = *pr;
    tm.bp[0] = buf + total;
    tm.bp[1] = tm.bp[0] + b1;
    for (t = 0; t < nt; t++) {
        tasks[t].team = &tm;
        tasks[t].ap = buf + t * a1;
    }
    ran = gu__pool_try(gu__gemm_part, tasks, nt);
    for (t = 0; t < nt; t++) tasks[t].team = NULL;
    GU_FREE(raw);
    return ran;
}
#endif

// ---- the product, step by step (gu__sgemm_core calls them in order) ----------------------

#ifdef GU_CBLAS
// A system BLAS takes the product when the strides are ones it can express: 1 if it did.
static int gu__gemm_try_cblas(const gu__gemm_prob *pr) {
    int ta = pr->csa != 1, tb = pr->csb != 1;
    int64_t lda = ta ? pr->csa : pr->rsa, ldb = tb ? pr->csb : pr->rsb, lim = INT32_MAX;
    int oka = ta ? pr->rsa == 1 && lda >= pr->m : lda >= pr->k;
    int okb = tb ? pr->rsb == 1 && ldb >= pr->k : ldb >= pr->n;
    if (!(oka && okb && lda >= 1 && ldb >= 1 && pr->ldc >= pr->n && pr->m <= lim && pr->n <= lim && pr->k <= lim &&
          lda <= lim && ldb <= lim && pr->ldc <= lim))
        return 0;
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                (int)pr->m, (int)pr->n, (int)pr->k, pr->alpha, pr->a, (int)lda, pr->b, (int)ldb, pr->beta, pr->c, (int)pr->ldc);
    return 1;
}
#endif

// Step 1, the path. B small: no packing. Very small n, A's rows contiguous and long: dot
// products along k, A streamed once (the lesson's 50000x784 @ 784x10); B is transposed first,
// and each row ends in a reduction, so it pays from k >= 16 n. Otherwise, while B (k, n) fits
// in L2: the rows kernel, on A and B in place (B copied to (k, n) rows when its columns are not
// contiguous; A's elements are broadcast one by one, so any strides), in column blocks of
// rows_max_n up to n = rows_blocks, where that beats packing. AVX-512 to n = 100: on an
// Emerald Rapids Xeon, 1 thread, against OpenBLAS's SkylakeX kernel, the rows kernel is
// ahead at n 72-100 (100^3 0.93x vs 0.71x packed, 1000x100x100 1.16x vs 0.98x), the packed
// path from n 110 (256^3 1.09x vs 0.84x, 2000x200x300 1.02x vs 0.83x, 1000x112x200 1.01x vs
// 0.92x). AVX2 (column blocks of 16, see GU__V256_ROWS_PLAN) likewise to n = 100: the same
// Xeon, AVX2 forced on both sides, 4097x33x513 1.18x vs 0.84x packed, 2000x40x300 1.00x vs
// 0.86x, 100^3 1.03x vs 0.94x, but 1000x128x128 0.86x vs 0.97x.
// Few rows (the kernel's rows_few) take the rows kernel whatever n, when B's columns are
// contiguous (B read in place, once per row block) and a column block of B (k x rows_max_n)
// fits in L2; their threads split the columns. Packing B for a product of 1 to 16 rows costs
// more than the product: Zen 5, 1 thread, against OpenBLAS's Cooperlake kernel, 1x512x512
// 0.39 -> 1.08x, 1x1000x1000 0.36 -> 0.93x, 4x512x512 1.61 -> 4.00x, 8x200x784 0.95 -> 2.01x,
// 16x512x512 1.26 -> 1.72x (2 threads 0.58 -> 0.86x); AVX2 (both sides forced) 1 and 2 rows
// 1, 2 and 6-8 rows: 1x1000x1000 0.98 -> 2.40x, 2x1000x1000 1.04 -> 1.38x, 8x1000x1000 0.76 ->
// 1.23x, 6x512x512 1.79 -> 2.72x, but 4x512x512 1.16 -> 0.62x (0.98x in blocks of 2 rows).
// *tail: the last columns the dot kernel takes (all of them on the dot path, else 0 or the
// rows kernel's last, mostly empty vector: see below).
static int gu__gemm_choose_path(const gu__gemm_kernel *kr, const gu__gemm_prob *pr, int64_t *tail) {
    int path = GU__PATH_PACKED, arows = pr->csa == 1 || pr->k == 1;
    if (kr->dot && arows && pr->n <= GU__DOT_MAX_N && pr->m >= 32 && pr->k >= 16 * pr->n && pr->k <= 16384)
        path = GU__PATH_DOT;
    else if (pr->n <= GU__ROWS_MAX_KN / pr->k && (pr->n <= kr->rows_max_n || pr->n <= kr->rows_blocks))   // k * n, not overflowing
        path = GU__PATH_ROWS;
    else if (pr->m <= kr->rows_few && !(kr->rows_few_skip >> pr->m & 1u) && pr->csb == 1 &&
             pr->k <= GU__ROWS_MAX_KN / kr->rows_max_n)
        path = GU__PATH_ROWS;
    // The rows kernel spends a whole vector on a last, partly used one (n = 33: 16 lanes for
    // one column). When that vector holds at most half its lanes, its columns go to the dot
    // kernel instead (see gu__gemm_task_run), if the rows are long enough to pay for it.
    *tail = 0;
    if (path == GU__PATH_DOT)
        *tail = pr->n;
    else if (path == GU__PATH_ROWS && kr->dot && arows && pr->n > 16 && pr->m >= 32 && pr->n % kr->dot_vec != 0 &&
        pr->n % kr->dot_vec <= kr->dot_vec / 2 && pr->k >= 16 * (pr->n % kr->dot_vec < 4 ? 4 : pr->n % kr->dot_vec))
        *tail = pr->n % kr->dot_vec;
    return path;
}

// Step 2, B for the dot kernel: bt, chunk-major: for each chunk of V rows of B, the J (tail
// padded) columns one after another, V values each: bt[(c*J + j)*V + l] = B(c*V + l, j0 + j),
// zero past k and n. The kernel then reads bt front to back, one stream. j0: its first column.
// Returns bt (*raw to free, *J its padded width), or NULL out of memory (the message set).
static float *gu__gemm_pack_dot_b(const char *op, const gu__gemm_kernel *kr, const gu__gemm_prob *pr, int64_t tail,
                                  int64_t *J, void **raw) {
    int64_t j0 = pr->n - tail, V = kr->dot_vec, nch = (pr->k + V - 1) / V, i, j;
    float *bt;
    *J = (tail + kr->dot_jpad - 1) / kr->dot_jpad * kr->dot_jpad;
    bt = gu__alloc_aligned(nch * *J * V, raw);
    if (!bt) { gu__seterr("%s: out of memory packing B (%" PRId64 ", %" PRId64 ")", op, pr->k, pr->n); return NULL; }
    memset(bt, 0, (size_t)(nch * *J * V) * sizeof(float));
    for (i = 0; i < pr->k; i += V) {   // chunk i / V
        int64_t l, w = pr->k - i < V ? pr->k - i : V;
        float *bc = bt + i * *J;
        for (j = 0; j < tail; j++)
            for (l = 0; l < w; l++) bc[j * V + l] = pr->b[(i + l) * pr->rsb + (j0 + j) * pr->csb];
    }
    return bt;
}

// Step 3, B for the rows kernel when its columns are not contiguous: copied to (k, n) rows,
// and pr pointed at the copy. 0, or -1 out of memory (the message set).
static int gu__gemm_rows_b(const char *op, gu__gemm_prob *pr, void **raw) {
    int64_t i, j;
    float *bp = gu__alloc_aligned(pr->k * pr->n, raw);
    if (!bp) { gu__seterr("%s: out of memory packing B (%" PRId64 ", %" PRId64 ")", op, pr->k, pr->n); return -1; }
    for (i = 0; i < pr->k; i++)
        for (j = 0; j < pr->n; j++) bp[i * pr->n + j] = pr->b[i * pr->rsb + j * pr->csb];
    pr->b = bp;
    pr->rsb = pr->n;
    pr->csb = 1;
    return 0;
}

// The rows kernel's k split (1, 2 or 4), from the whole product: few rows whose first block
// of columns has few FMA chains (see gu__rows_fn).
static int gu__rows_split(const gu__gemm_kernel *kr, const gu__gemm_prob *pr) {
    int64_t w = pr->n < kr->rows_max_n ? pr->n : kr->rows_max_n, V = kr->dot_vec > 0 ? kr->dot_vec : 1;
    int64_t nv = (w + V - 1) / V;
    if (nv == 2 && pr->m < 8 && (kr->split2 >> pr->m & 1u)) return 2;
    return pr->m < kr->split_rows && pr->m * nv < kr->split_chains ? 4 : 1;
}

// Step 4, the split: threads only when each has enough work to pay for starting it (~20 us
// each), each a run of whole tiles of the longer side of C (rows kernel: rows, or for few
// rows and wide n its column blocks). Fills tasks[0, nt) with their parts of the product (the
// buffers come later) and returns nt;
// *split_m: the rows were split.
static int gu__gemm_partition(const gu__gemm_kernel *kr, const gu__gemm_prob *pr, int path, float *dot_bt,
                              int64_t dot_kp, int64_t tail, gu__gemm_task *tasks, int *split_m) {
    int64_t work, per, nparts_m, nparts_n, coltile;
    int nt = gu_get_num_threads(), t, split;
    if (!gu__mul_ok(pr->m, pr->n, &work) || !gu__mul_ok(work, pr->k, &work)) work = INT64_MAX;
    if (nt > GU__POOL_MAX_THREADS) nt = GU__POOL_MAX_THREADS;
    if (work < (int64_t)1 << 21) nt = 1;
    coltile = path == GU__PATH_PACKED ? kr->nr : kr->rows_max_n;
    nparts_m = (pr->m + kr->mr - 1) / kr->mr;
    nparts_n = (pr->n + coltile - 1) / coltile;
    *split_m = path == GU__PATH_PACKED ? nparts_m * kr->mr >= nparts_n * kr->nr
                                       : tail != 0 || pr->m > kr->rows_few || pr->n <= kr->rows_max_n;
    if (*split_m ? nparts_m < nt : nparts_n < nt) nt = (int)(*split_m ? nparts_m : nparts_n);
    if (nt < 1) nt = 1;
    split = gu__rows_split(kr, pr);
    per = ((*split_m ? nparts_m : nparts_n) + nt - 1) / nt;
    for (t = 0; t < nt; t++) {
        gu__gemm_task *tk = &tasks[t];
        int64_t lo = t * per, hi = (t + 1) * per;
        tk->kr = kr;
        tk->pr = *pr;
        tk->path = path;
        tk->split = split;   // from the whole product: the same for every part
        tk->ap = NULL;
        tk->bp = dot_bt;
        tk->kp = dot_kp;
        tk->tail = tail;
#ifndef GU_NO_THREADS
        tk->team = NULL;
        tk->tid = t;
#endif
        {   // this part's rows (or columns) of C, in whole tiles, clipped to the product
            int64_t tile = *split_m ? kr->mr : coltile, len = *split_m ? pr->m : pr->n;
            lo *= tile; hi *= tile;
            if (hi > len) hi = len;
            if (lo > hi) lo = hi;
            tk->lo = lo; tk->hi = hi;
        }
        if (*split_m) {
            tk->pr.m = hi - lo;
            tk->pr.a = pr->a + lo * pr->rsa;
            tk->pr.c = pr->c + lo * pr->ldc;
        } else {
            tk->pr.n = hi - lo;
            tk->pr.b = pr->b + lo * pr->csb;
            tk->pr.c = pr->c + lo;
        }
    }
    return nt;
}

// Step 5, the packed path's buffers: an A and a B block for each task, each its own. Returns
// the allocation (*raw to free), or NULL out of memory (the message set).
static float *gu__gemm_task_buffers(const char *op, const gu__gemm_kernel *kr, const gu__gemm_prob *pr,
                                    gu__gemm_task *tasks, int nt, void **raw) {
    int64_t asz, bsz, a1, b1, total = 0;
    float *buf = NULL;
    int t;
    gu__pack_sizes(kr, tasks[0].pr.m, tasks[0].pr.n, pr->k, &asz, &bsz);
    a1 = (asz + 15) / 16 * 16;   // keep every buffer 64-byte aligned
    b1 = (bsz + 15) / 16 * 16;
    if (!gu__mul_ok(a1 + b1, nt, &total) || !(buf = gu__alloc_aligned(total, raw))) {
        gu__seterr("%s: out of memory for the packing buffers (m %" PRId64 ", n %" PRId64 ", k %" PRId64 ")", op, pr->m, pr->n, pr->k);
        return NULL;
    }
    for (t = 0; t < nt; t++) {
        tasks[t].ap = buf + t * (a1 + b1);
        tasks[t].bp = tasks[t].ap + a1;
    }
    return buf;
}

// The fast product on checked arguments: the steps above, then the tasks on the pool.
// Returns 0, or -1 (out of memory).
static int gu__sgemm_core(const char *op, gu__gemm_prob pr) {
    gu__gemm_kernel kernel;
    const gu__gemm_kernel *kr = &kernel;
    gu__gemm_task tasks[GU__POOL_MAX_THREADS];
    void *raw = NULL, *rawb = NULL, *rawt = NULL;
    float *dot_bt = NULL;
    int64_t dot_kp = 0, tail = 0, work;
    int nt, path, split_m, rc = 0;
    if (pr.m == 0 || pr.n == 0) return 0;
    if (pr.k == 0 || pr.alpha == 0) { gu__scale_c(pr.m, pr.n, pr.beta, pr.c, pr.ldc); return 0; }
#ifdef GU_CBLAS
    if (gu__gemm_try_cblas(&pr)) return 0;
#endif
    gu__kernel_get(&kernel);
    path = gu__gemm_choose_path(kr, &pr, &tail);
    if (path == GU__PATH_ROWS && !tail && pr.csb == 1 && pr.n <= kr->rows_max_n &&
        gu__mul_ok(pr.m, pr.n * pr.k, &work) && work < (int64_t)1 << 21) {   // n * k <= GU__ROWS_MAX_KN here
        // a small product in one call of the rows kernel: what gu__gemm_task_run does with it,
        // without the tasks (a third of a 4x4x4 product's time)
        kr->rows(pr.m, pr.n, pr.k, pr.alpha, pr.a, pr.rsa, pr.csa, pr.b, pr.rsb, pr.beta, pr.c, pr.ldc, gu__rows_split(kr, &pr));
        return 0;
    }
    if (tail && !(dot_bt = gu__gemm_pack_dot_b(op, kr, &pr, tail, &dot_kp, &rawt))) return -1;
    if (path == GU__PATH_ROWS && pr.csb != 1 && gu__gemm_rows_b(op, &pr, &rawb) != 0) { rc = -1; goto done; }
    nt = gu__gemm_partition(kr, &pr, path, dot_bt, dot_kp, tail, tasks, &split_m);
    if (path == GU__PATH_PACKED) {
#ifndef GU_NO_THREADS
        if (nt > 1 && split_m) {   // threads split the rows: they share each packed B block
            int r = gu__gemm_team_run(op, kr, &pr, tasks, nt);
            if (r != 0) {   // done, or out of memory; 0: the pool is busy, the parts below on this thread
                rc = r > 0 ? 0 : -1;
                goto done;
            }
        }
#endif
        if (!gu__gemm_task_buffers(op, kr, &pr, tasks, nt, &raw)) { rc = -1; goto done; }
    }
    gu__parallel(gu__gemm_part, tasks, nt);   // the pool busy: every part on this thread
done:
    if (raw) GU_FREE(raw);
    if (rawb) GU_FREE(rawb);
    if (rawt) GU_FREE(rawt);
    return rc;
}

GU__DEF int gu_sgemm(char transa, char transb, int64_t m, int64_t n, int64_t k, float alpha,
                     const float *a, int64_t lda, const float *b, int64_t ldb, float beta,
                     float *c, int64_t ldc) {
    gu__gemm_prob pr;
    int na = transa == 'N' || transa == 'n', nb = transb == 'N' || transb == 'n';
    if (!gu__sgemm_check("sgemm", transa, transb, m, n, k, a, lda, b, ldb, c, ldc)) return -1;
    pr.m = m; pr.n = n; pr.k = k;
    pr.alpha = alpha; pr.beta = beta;
    pr.a = a; pr.rsa = na ? lda : 1; pr.csa = na ? 1 : lda;
    pr.b = b; pr.rsb = nb ? ldb : 1; pr.csb = nb ? 1 : ldb;
    pr.c = c; pr.ldc = ldc;
    return gu__sgemm_core("sgemm", pr);
}

// ---- matmul on tensors -------------------------------------------------------------------------
// torch.matmul's shape rules. Fills: the operands as (batch..., m, k) and (batch..., k, n)
// views expanded to the common batch shape, the result's shape, and the (batch..., m, n)
// shape the result is viewed as while computing.
typedef struct gu__mm_plan {
    gu_tensor a, b;            // nd-D, batch dims expanded (stride 0 where broadcast)
    int nd;                    // batch dims + 2
    int64_t full[GU_MAX_DIMS]; // (batch..., m, n)
    int out_ndim;
    int64_t out_shape[GU_MAX_DIMS];
    int a_vec, b_vec;          // 1-D operand promoted
} gu__mm_plan;

static int gu__mm_plan_make(const char *op, gu_tensor a, gu_tensor b, gu__mm_plan *pl) {
    gu_tensor a2 = a, b2 = b;
    int na, nb, nd, i;
    int64_t m, n, k, k2, shape[GU_MAX_DIMS];
    if (!gu__check_in(op, a) || !gu__check_in(op, b)) return 0;
    if (a.dtype != GU_FLOAT32 || b.dtype != GU_FLOAT32) {
        gu__seterr("%s: %s @ %s: expected float32 operands, got %s and %s", op, GU__SHT(a), GU__SHT(b), gu_dtype_name(a.dtype), gu_dtype_name(b.dtype));
        return 0;
    }
    if (a.ndim == 0 || b.ndim == 0) {
        gu__seterr("%s: %s @ %s: both arguments need at least 1 dim", op, GU__SHT(a), GU__SHT(b));
        return 0;
    }
    pl->a_vec = a.ndim == 1;
    pl->b_vec = b.ndim == 1;
    if (pl->a_vec) a2 = gu_unsqueeze(a, 0);     // (k,) -> (1, k)
    if (pl->b_vec) b2 = gu_unsqueeze(b, 1);     // (k,) -> (k, 1)
    m = a2.shape[a2.ndim - 2]; k = a2.shape[a2.ndim - 1];
    k2 = b2.shape[b2.ndim - 2]; n = b2.shape[b2.ndim - 1];
    if (k != k2) {
        gu__seterr("%s: %s @ %s: inner dims %" PRId64 " and %" PRId64 " differ", op, GU__SHT(a), GU__SHT(b), k, k2);
        return 0;
    }
    na = a2.ndim - 2; nb = b2.ndim - 2;
    nd = (na > nb ? na : nb) + 2;
    for (i = 0; i < nd - 2; i++) {   // broadcast the batch dims, aligned on the right
        int ia = i - (nd - 2 - na), ib = i - (nd - 2 - nb);
        int64_t sa = ia >= 0 ? a2.shape[ia] : 1, sb = ib >= 0 ? b2.shape[ib] : 1;
        if (sa != sb && sa != 1 && sb != 1) {
            gu__seterr("%s: %s @ %s: batch dims %s and %s cannot be broadcast", op, GU__SHT(a), GU__SHT(b), gu__sh(na, a2.shape), gu__sh(nb, b2.shape));
            return 0;
        }
        shape[i] = sa == 1 ? sb : sa;
    }
    shape[nd - 2] = m; shape[nd - 1] = k;
    pl->a = gu_expand(a2, nd, shape);
    shape[nd - 2] = k; shape[nd - 1] = n;
    pl->b = gu_expand(b2, nd, shape);
    if (!gu_ok(pl->a) || !gu_ok(pl->b)) return 0;
    pl->nd = nd;
    for (i = 0; i < nd - 2; i++) pl->full[i] = shape[i];
    pl->full[nd - 2] = m; pl->full[nd - 1] = n;
    pl->out_ndim = 0;
    for (i = 0; i < nd - 2; i++) pl->out_shape[pl->out_ndim++] = shape[i];
    if (!pl->a_vec) pl->out_shape[pl->out_ndim++] = m;
    if (!pl->b_vec) pl->out_shape[pl->out_ndim++] = n;
    {
        int64_t cnt;
        if (!gu__check_shape(op, pl->out_ndim, pl->out_shape, &cnt)) return 0;
    }
    return 1;
}

// out (nd-D view, (batch..., m, n), unit column stride unless n == 1) = a @ b.
static int gu__mm_run(const char *op, const gu__mm_plan *pl, gu_tensor out) {
    int nd = pl->nd, nbd = nd - 2, d;
    int64_t m = pl->full[nd - 2], n = pl->full[nd - 1], k = pl->a.shape[nd - 1], nbatch = 1, bi;
    int64_t idx[GU_MAX_DIMS] = {0};
    gu__gemm_prob pr;
    const float *abase = (const float *)pl->a.base + pl->a.offset, *bbase = (const float *)pl->b.base + pl->b.offset;
    float *cbase = (float *)out.base + out.offset;
    int b_batched = 0;
    for (d = 0; d < nbd; d++) {
        nbatch *= pl->full[d];
        if (pl->b.stride[d] != 0 && pl->full[d] != 1) b_batched = 1;
    }
    pr.k = k; pr.alpha = 1; pr.beta = 0;
    pr.rsa = pl->a.stride[nd - 2]; pr.csa = pl->a.stride[nd - 1];
    pr.rsb = pl->b.stride[nd - 2]; pr.csb = pl->b.stride[nd - 1];
    pr.ldc = out.stride[nd - 2];
    if (m == 1) pr.ldc = n;   // one row: the row distance is never used
    if (nbatch == 0 || m == 0 || n == 0) return 0;
    // One B for every batch, and A's and C's (batch..., m) dims walkable as one: a single
    // product of (batch*m, k) @ (k, n), as torch folds it.
    if (nbatch > 1 && !b_batched) {
        int64_t sa, sc, rows;
        if (gu__merge_dims(nd - 1, NULL, pl->a.shape, pl->a.stride, &rows, &sa) &&
            gu__merge_dims(nd - 1, NULL, out.shape, out.stride, &rows, &sc)) {
            pr.m = nbatch * m; pr.n = n;
            pr.a = abase; pr.rsa = sa;
            pr.b = bbase;
            pr.c = cbase; pr.ldc = sc;
            return gu__sgemm_core(op, pr);
        }
    }
    pr.m = m; pr.n = n;
    for (bi = 0; bi < nbatch; bi++) {
        int64_t oa = 0, ob = 0, oc = 0;
        for (d = 0; d < nbd; d++) {
            oa += idx[d] * pl->a.stride[d];
            ob += idx[d] * pl->b.stride[d];
            oc += idx[d] * out.stride[d];
        }
        pr.a = abase + oa; pr.b = bbase + ob; pr.c = cbase + oc;
        if (gu__sgemm_core(op, pr) != 0) return -1;
        for (d = nbd - 1; d >= 0; d--) {   // odometer over the batch dims
            if (++idx[d] < pl->full[d]) break;
            idx[d] = 0;
        }
    }
    return 0;
}

GU__DEF gu_tensor gu_matmul(gu_tensor a, gu_tensor b) {
    gu__mm_plan pl;
    gu_tensor out, full;
    if (!gu__mm_plan_make("matmul", a, b, &pl)) return gu__invalid();
    out = gu__empty("matmul", GU_FLOAT32, pl.out_ndim, pl.out_shape);
    if (!gu_ok(out)) return out;
    full = gu_view(out, pl.nd, pl.full);   // contiguous: always a view
    if (gu__mm_run("matmul", &pl, full) != 0) { gu_free(&out); return gu__invalid(); }
    return out;
}

GU__DEF int gu_matmul_out(gu_tensor out, gu_tensor a, gu_tensor b) {
    gu__mm_plan pl;
    gu_tensor full;
    int i, nd;
    if (!gu__mm_plan_make("matmul_out", a, b, &pl)) return -1;
    if (!gu__check_in("matmul_out", out)) return -1;
    if (out.dtype != GU_FLOAT32 || out.ndim != pl.out_ndim) {
        gu__seterr("matmul_out: %s @ %s gives %s float32, but out is %s %s", GU__SHT(a), GU__SHT(b),
                   gu__sh(pl.out_ndim, pl.out_shape), GU__SHT(out), gu_dtype_name(out.dtype));
        return -1;
    }
    for (i = 0; i < out.ndim; i++)
        if (out.shape[i] != pl.out_shape[i]) {
            gu__seterr("matmul_out: %s @ %s gives %s, but out is %s", GU__SHT(a), GU__SHT(b), gu__sh(pl.out_ndim, pl.out_shape), GU__SHT(out));
            return -1;
        }
    if (gu_numel(out) == 0) return 0;
    if (!gu__check_out_unbroadcast("matmul_out", out)) return -1;
    // the product reads whole rows and columns of a and b for each element of out: any
    // memory in common, even the very same elements, would be read after it was written
    if (gu__overlap(out, pl.a) != 0) { gu__seterr("matmul_out: out overlaps the left operand %s", GU__SHT(a)); return -1; }
    if (gu__overlap(out, pl.b) != 0) { gu__seterr("matmul_out: out overlaps the right operand %s", GU__SHT(b)); return -1; }
    // out as (batch..., m, n): put back the dims a 1-D operand removed.
    full = out;
    nd = pl.nd;
    if (pl.a_vec) full = gu_unsqueeze(full, nd - 2);
    if (pl.b_vec) full = gu_unsqueeze(full, full.ndim);
    if (!gu_ok(full)) return -1;
    if (full.stride[nd - 1] != 1 && pl.full[nd - 1] > 1) {
        // C's columns are not contiguous: compute into a fresh tensor, then copy.
        gu_tensor tmp = gu_matmul(a, b);
        int rc;
        if (!gu_ok(tmp)) return -1;
        rc = gu_copy_(out, tmp);
        gu_free(&tmp);
        return rc;
    }
    return gu__mm_run("matmul_out", &pl, full);
}

// >>einsum ------------------------------------------------------------------------------
#ifndef GU_NO_EINSUM
// A spec is parsed into labels: the letters (ids 0..51 in ASCII order: 'A'..'Z', 'a'..'z')
// and the broadcast dims of "..." (ids 52.., aligned right as NumPy broadcasting aligns
// them). Each operand then gets one stride per label (the sum of its dims' strides for a
// repeated letter, which walks the diagonal; 0 where it lacks the label or broadcasts).
#define GU__ES_LETTERS 52
#define GU__ES_LABELS (GU__ES_LETTERS + GU_MAX_DIMS)

typedef struct gu__es {
    const char *spec;
    int n;                                   // operands
    int ndl[GU_EINSUM_MAX_OPERANDS];         // dims of each operand
    int dl[GU_EINSUM_MAX_OPERANDS][GU_MAX_DIMS]; // label of each dim
    int n_ell;                               // broadcast dims
    int64_t size[GU__ES_LABELS];             // -1: label unused
    int count[GU__ES_LABELS];                // operands using the label
    int nout, out[GU__ES_LABELS];            // output labels in order
    int nsum, sum[GU__ES_LABELS];            // summed labels
    int64_t st[GU_EINSUM_MAX_OPERANDS][GU__ES_LABELS];
} gu__es;

GU__COLD static int gu__es_letter(int ch) {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return 26 + ch - 'a';
    return -1;
}
static char gu__es_char(int id) { return (char)(id < 26 ? 'A' + id : 'a' + id - 26); }

// Parses one term ("ik", "...ij", "ii") starting at *pp: letter ids into lab (ELL for the
// ellipsis), up to a ',', "->" or the end. Returns the number of items, -1 on error.
#define GU__ES_ELL (-2)
GU__COLD static int gu__es_term(const char *spec, const char **pp, int *lab, int cap) {
    const char *p = *pp;
    int n = 0, ell = 0;
    for (; *p && *p != ',' && !(p[0] == '-' && p[1] == '>'); p++) {
        int id;
        if (*p == ' ') continue;
        if (*p == '.') {
            if (p[1] != '.' || p[2] != '.') {
                gu__seterr("einsum: \"%s\": a '.' at position %d is not part of an ellipsis '...'", spec, (int)(p - spec));
                return -1;
            }
            if (ell++) {
                gu__seterr("einsum: \"%s\": a term has more than one ellipsis '...'", spec);
                return -1;
            }
            id = GU__ES_ELL;
            p += 2;
        } else if ((id = gu__es_letter((unsigned char)*p)) < 0) {
            gu__seterr("einsum: \"%s\": invalid character '%c' at position %d (subscripts are letters a-z, A-Z)", spec,
                       *p, (int)(p - spec));
            return -1;
        }
        if (n == cap) {
            gu__seterr("einsum: \"%s\": a term has more than %d subscripts", spec, cap - 1);
            return -1;
        }
        lab[n++] = id;
    }
    *pp = p;
    return n;
}

GU__COLD static int gu__es_parse(gu__es *e, const char *spec, int n, const gu_tensor *ops) {
    const char *p = spec;
    int term[GU_EINSUM_MAX_OPERANDS][GU_MAX_DIMS + 2], nterm[GU_EINSUM_MAX_OPERANDS];
    int t, i, d, any_ell = 0;
    memset(e, 0, sizeof *e);
    e->spec = spec;
    e->n = n;
    for (i = 0; i < GU__ES_LABELS; i++) e->size[i] = -1;
    // the input terms
    for (t = 0;; t++) {
        int buf[GU_MAX_DIMS + 2], m;
        if ((m = gu__es_term(spec, &p, buf, GU_MAX_DIMS + 2)) < 0) return 0;
        if (t < n) { memcpy(term[t], buf, sizeof buf); nterm[t] = m; }
        if (*p != ',') break;
        p++;
    }
    if (t + 1 != n) {
        gu__seterr("einsum: \"%s\" names %d operand%s but %d %s given", spec, t + 1, t ? "s" : "", n,
                   n == 1 ? "was" : "were");
        return 0;
    }
    // operands' dims against their terms; the number of broadcast dims
    for (t = 0; t < n; t++) {
        int letters = 0, has_ell = 0;
        for (i = 0; i < nterm[t]; i++) {
            if (term[t][i] == GU__ES_ELL) has_ell = 1;
            else letters++;
        }
        any_ell |= has_ell;
        if (letters > ops[t].ndim || (!has_ell && letters != ops[t].ndim)) {
            gu__seterr("einsum: \"%s\": operand %d has shape %s (%d dims) but its subscripts name %d", spec, t,
                       GU__SHT(ops[t]), ops[t].ndim, letters);
            return 0;
        }
        if (ops[t].ndim - letters > e->n_ell) e->n_ell = ops[t].ndim - letters;
    }
    // each operand dim gets its label; sizes must agree, size 1 broadcasts
    for (t = 0; t < n; t++) {
        int letters = 0, k = 0;
        for (i = 0; i < nterm[t]; i++) letters += term[t][i] != GU__ES_ELL;
        for (i = 0; i < nterm[t]; i++) {
            if (term[t][i] == GU__ES_ELL) {
                int ne = ops[t].ndim - letters, j;
                for (j = 0; j < ne; j++) e->dl[t][k++] = GU__ES_LETTERS + e->n_ell - ne + j;
            } else {
                e->dl[t][k++] = term[t][i];
            }
        }
        e->ndl[t] = k;
        // a letter repeated within one operand walks a diagonal: its sizes must be equal,
        // size 1 does not broadcast there (NumPy and PyTorch refuse "ii->i" on (1, 3))
        for (d = 0; d < k; d++) {
            int j;
            for (j = 0; j < d; j++)
                if (e->dl[t][j] == e->dl[t][d] && ops[t].shape[j] != ops[t].shape[d]) {
                    gu__seterr("einsum: \"%s\": letter '%c' is repeated in operand %d (shape %s) with sizes %" PRId64 " and %" PRId64
                               " (a diagonal needs equal sizes)", spec, gu__es_char(e->dl[t][d]), t, GU__SHT(ops[t]), ops[t].shape[j], ops[t].shape[d]);
                    return 0;
                }
        }
        for (d = 0; d < k; d++) {
            int l = e->dl[t][d];
            int64_t s = ops[t].shape[d];
            if (e->size[l] < 0 || e->size[l] == 1) e->size[l] = s;
            else if (s != 1 && s != e->size[l]) {
                if (l < GU__ES_LETTERS)
                    gu__seterr("einsum: \"%s\": letter '%c' has size %" PRId64 " in operand %d (shape %s) but %" PRId64
                               " elsewhere", spec, gu__es_char(l), s, t, GU__SHT(ops[t]), e->size[l]);
                else
                    gu__seterr("einsum: \"%s\": operand %d (shape %s) does not broadcast: size %" PRId64 " against %" PRId64
                               " in the '...' dims", spec, t, GU__SHT(ops[t]), s, e->size[l]);
                return 0;
            }
        }
        for (d = 0; d < k; d++) {
            int l = e->dl[t][d], seen = 0, j;
            for (j = 0; j < d; j++) seen |= e->dl[t][j] == l;
            if (!seen) e->count[l]++;
        }
    }
    // the output
    if (p[0] == '-' && p[1] == '>') {
        int buf[GU__ES_LETTERS + 2], m;
        p += 2;
        if ((m = gu__es_term(spec, &p, buf, GU__ES_LETTERS + 2)) < 0) return 0;
        if (*p) {
            gu__seterr("einsum: \"%s\": unexpected '%c' in the output subscripts", spec, *p);
            return 0;
        }
        for (i = 0; i < m; i++) {
            int l = buf[i], j;
            if (l == GU__ES_ELL) {
                for (j = 0; j < e->n_ell; j++) e->out[e->nout++] = GU__ES_LETTERS + j;
                continue;
            }
            if (e->count[l] == 0) {
                gu__seterr("einsum: \"%s\": output letter '%c' does not appear in the inputs", spec, gu__es_char(l));
                return 0;
            }
            for (j = 0; j < e->nout; j++)
                if (e->out[j] == l) {
                    gu__seterr("einsum: \"%s\": letter '%c' appears more than once in the output", spec, gu__es_char(l));
                    return 0;
                }
            e->out[e->nout++] = l;
        }
        // no '...' in the output: its dims are summed, as PyTorch does ("...i->" sums all;
        // NumPy refuses it)
    } else {
        // implicit: broadcast dims, then the letters used once, in ASCII order
        int j, times[GU__ES_LETTERS] = {0};
        (void)any_ell;
        for (t = 0; t < n; t++)
            for (d = 0; d < e->ndl[t]; d++)
                if (e->dl[t][d] < GU__ES_LETTERS) times[e->dl[t][d]]++;
        for (j = 0; j < e->n_ell; j++) e->out[e->nout++] = GU__ES_LETTERS + j;
        for (j = 0; j < GU__ES_LETTERS; j++)
            if (times[j] == 1) e->out[e->nout++] = j;
    }
    if (e->nout > GU_MAX_DIMS) {
        gu__seterr("einsum: \"%s\": the output would have %d dims, at most %d are supported", spec, e->nout, GU_MAX_DIMS);
        return 0;
    }
    // summed labels: used by an input, absent from the output
    for (i = 0; i < GU__ES_LABELS; i++) {
        int j, in_out = 0;
        if (e->count[i] == 0) continue;
        for (j = 0; j < e->nout; j++) in_out |= e->out[j] == i;
        if (!in_out) e->sum[e->nsum++] = i;
    }
    // per-operand label strides (diagonals add up; broadcast size-1 dims contribute 0)
    for (t = 0; t < n; t++)
        for (d = 0; d < e->ndl[t]; d++)
            if (ops[t].shape[d] != 1) e->st[t][e->dl[t][d]] += ops[t].stride[d];
    return 1;
}

// The general path: for each output element, the sum over the summed labels of the
// product of the operands. An odometer over the output labels, one over the summed ones.
static void gu__es_loop(const gu__es *e, const gu_tensor *ops, float *out) {
    int64_t oi[GU__ES_LABELS] = {0}, si[GU__ES_LABELS] = {0};
    int64_t po[GU_EINSUM_MAX_OPERANDS], ps[GU_EINSUM_MAX_OPERANDS];
    int64_t nout = 1, nsum = 1, inner, r, s;
    int t, d, n = e->n, ns = e->nsum;
    const float *base[GU_EINSUM_MAX_OPERANDS];
    int64_t ist[GU_EINSUM_MAX_OPERANDS];
    for (d = 0; d < e->nout; d++) nout *= e->size[e->out[d]];
    for (d = 0; d < ns; d++) nsum *= e->size[e->sum[d]];
    // the innermost summed label gets a plain counted loop
    inner = ns ? e->size[e->sum[ns - 1]] : 1;
    for (t = 0; t < n; t++) {
        base[t] = gu__f32p(ops[t]);
        po[t] = 0;
        ist[t] = ns ? e->st[t][e->sum[ns - 1]] : 0;
    }
    if (nsum == 0) { for (r = 0; r < nout; r++) out[r] = 0.f; return; }
    if (ns == 0 && e->nout > 0) {
        // nothing summed (transposes, diagonals, outer products): each output element is one
        // product; the last output label runs as a counted loop
        int lo = e->out[e->nout - 1];
        int64_t len = e->size[lo], k;
        if (len == 0) return;
        for (t = 0; t < n; t++) ist[t] = e->st[t][lo];
        for (r = 0; r < nout; r += len) {
            for (k = 0; k < len; k++) {
                double prod = 1;
                for (t = 0; t < n; t++) prod *= base[t][po[t] + k * ist[t]];
                out[r + k] = (float)prod;
            }
            for (d = e->nout - 2; d >= 0; d--) {
                int l = e->out[d];
                if (++oi[d] < e->size[l]) { for (t = 0; t < n; t++) po[t] += e->st[t][l]; break; }
                for (t = 0; t < n; t++) po[t] -= e->st[t][l] * (e->size[l] - 1);
                oi[d] = 0;
            }
        }
        return;
    }
    for (r = 0; r < nout; r++) {
        double acc = nsum > 0 ? -0.0 : 0.0;   // -0 + x is x: a sum of -0 products is -0 (as NumPy, torch)
        int64_t outer = nsum / inner;
        for (t = 0; t < n; t++) ps[t] = po[t];
        for (s = 0; s < outer; s++) {
            int64_t k;
            for (k = 0; k < inner; k++) {
                double prod = 1;
                for (t = 0; t < n; t++) prod *= base[t][ps[t] + k * ist[t]];
                acc += prod;
            }
            // next position of the outer summed labels
            for (d = ns - 2; d >= 0; d--) {
                int l = e->sum[d];
                if (++si[d] < e->size[l]) { for (t = 0; t < n; t++) ps[t] += e->st[t][l]; break; }
                for (t = 0; t < n; t++) ps[t] -= e->st[t][l] * (e->size[l] - 1);
                si[d] = 0;
            }
        }
        out[r] = (float)acc;
        for (d = e->nout - 1; d >= 0; d--) {
            int l = e->out[d];
            if (++oi[d] < e->size[l]) { for (t = 0; t < n; t++) po[t] += e->st[t][l]; break; }
            for (t = 0; t < n; t++) po[t] -= e->st[t][l] * (e->size[l] - 1);
            oi[d] = 0;
        }
    }
}

// Copies the elements of a labelled strided array into another, over the labels lab[0..n)
// (row-major over them): dst[...] = src[...]. Used to gather GEMM operands.
static void gu__es_copy(float *dst, const int64_t *dst_st, const float *src, const int64_t *src_st,
                        const int64_t *size, int n) {
    int64_t idx[GU__ES_LABELS] = {0}, pd = 0, ps = 0, total = 1, r;
    int d;
    for (d = 0; d < n; d++) total *= size[d];
    for (r = 0; r < total; r++) {
        dst[pd] = src[ps];
        for (d = n - 1; d >= 0; d--) {
            if (++idx[d] < size[d]) { pd += dst_st[d]; ps += src_st[d]; break; }
            pd -= dst_st[d] * (size[d] - 1);
            ps -= src_st[d] * (size[d] - 1);
            idx[d] = 0;
        }
    }
}

// One operand of a GEMM: (rows, cols) with strides (rs, cs); picks 'N' or 'T' and the
// leading dimension when the layout allows. 0 when the operand must be copied first.
static int gu__es_gemm_layout(int64_t rows, int64_t cols, int64_t rs, int64_t cs, char *trans, int64_t *ld) {
    *trans = 'N';
    *ld = cols > 1 ? cols : 1;
    if (rows == 0 || cols == 0) return 1;  // nothing to read
    if ((cs == 1 || cols <= 1) && (rows <= 1 || rs >= (cols > 1 ? cols : 1))) {
        *trans = 'N';
        *ld = rows <= 1 ? (cols > 1 ? cols : 1) : rs;
        return 1;
    }
    if ((rs == 1 || rows <= 1) && (cols <= 1 || cs >= (rows > 1 ? rows : 1))) {
        *trans = 'T';
        *ld = cols <= 1 ? (rows > 1 ? rows : 1) : cs;
        return 1;
    }
    return 0;
}

// One operand of the batched product as the matrix gu_sgemm takes (rows R, columns C per
// batch element): in place when its strides allow, else copied into a contiguous buffer
// *buf in (batch, R, C) label order (batch labels it broadcasts over keep stride 0, not
// copied); st and *p then describe the copy. 0, or -1 out of memory.
static int gu__es_as_matrix(const gu__es *e, int which, const int *B, int nb, const int *R, int nr, const int *C,
                            int nc, int64_t *st, const float **p, float **buf, int64_t *rows, int64_t *cols,
                            char *trans, int64_t *ld) {
    int lab[GU__ES_LABELS], nl = 0, i, fits = 1;
    int64_t sz[GU__ES_LABELS], dst[GU__ES_LABELS], src[GU__ES_LABELS], tot = 1, bytes = 0, rs = 0, cs = 0;
    if (gu__merge_dims(nr, R, e->size, st, rows, &rs) && gu__merge_dims(nc, C, e->size, st, cols, &cs) &&
        gu__es_gemm_layout(*rows, *cols, rs, cs, trans, ld))
        return 0;
    for (i = 0; i < nb; i++)
        if (st[B[i]] != 0) lab[nl++] = B[i];
    for (i = 0; i < nr; i++) lab[nl++] = R[i];
    for (i = 0; i < nc; i++) lab[nl++] = C[i];
    for (i = nl - 1; i >= 0; i--) {
        sz[i] = e->size[lab[i]]; src[i] = st[lab[i]]; dst[i] = tot;
        fits &= gu__mul_ok(tot, sz[i], &tot);
    }
    if (!fits || !gu__mul_ok(tot, 4, &bytes) || !(*buf = (float *)gu__malloc((size_t)bytes))) {
        gu__seterr("einsum: \"%s\": out of memory copying operand %d", e->spec, which);
        return -1;
    }
    gu__es_copy(*buf, dst, *p, src, sz, nl);
    for (i = 0; i < nl; i++) st[lab[i]] = dst[i];
    *p = *buf;
    gu__merge_dims(nr, R, e->size, st, rows, &rs);
    gu__merge_dims(nc, C, e->size, st, cols, &cs);
    gu__es_gemm_layout(*rows, *cols, rs, cs, trans, ld);
    return 0;
}

// The matrix-product path. Labels split into batch (both inputs and the output), M (only
// a and the output), N (only b and the output) and K (both inputs, summed). Each batch
// element is one GEMM (M,K) @ (K,N); an operand whose M/K (or K/N) labels do not merge
// into one stride each is copied into a contiguous (batch, M, K) buffer first (batch dims
// it broadcasts over are not copied: they keep stride 0).
// Returns 1 done, 0 not a matrix product (use the loop), -1 error.
static int gu__es_gemm(const gu__es *e, const gu_tensor *ops, gu_tensor *res) {
    int B[GU__ES_LABELS], Ml[GU__ES_LABELS], Nl[GU__ES_LABELS], Kl[GU__ES_LABELS];
    int nb = 0, nm = 0, nn = 0, nk = 0, i, t, d;
    int in_a[GU__ES_LABELS] = {0}, in_b[GU__ES_LABELS] = {0};
    int64_t m = 0, k = 0, n = 0, nbatch = 1;
    int64_t cst[GU__ES_LABELS] = {0};   // strides of the (B, M, N) result, per label
    float *bufa = NULL, *bufb = NULL;
    const float *pa, *pb;
    int64_t sta[GU__ES_LABELS], stb[GU__ES_LABELS];
    char ta, tb;
    int64_t lda, ldb;
    gu_tensor c;
    int64_t cshape[GU__ES_LABELS];
    if (e->n != 2) return 0;
    for (t = 0; t < 2; t++)
        for (d = 0; d < e->ndl[t]; d++) {
            int j;
            for (j = 0; j < d; j++)
                if (e->dl[t][j] == e->dl[t][d]) return 0;  // a diagonal: the loop takes it
            (t ? in_b : in_a)[e->dl[t][d]] = 1;
        }
    // broadcast labels missing from one input: give them to that input with stride 0
    for (i = GU__ES_LETTERS; i < GU__ES_LETTERS + e->n_ell; i++)
        if (e->count[i]) { in_a[i] = in_b[i] = 1; }
    for (i = 0; i < e->nout; i++) {
        int l = e->out[i];
        if (in_a[l] && in_b[l]) B[nb++] = l;
        else if (in_a[l]) Ml[nm++] = l;
        else Nl[nn++] = l;
    }
    for (i = 0; i < e->nsum; i++) {
        int l = e->sum[i];
        if (!(in_a[l] && in_b[l])) return 0;   // summed in one operand only: the loop
        Kl[nk++] = l;
    }
    if (nk == 0) return 0;  // no contraction: products only, the loop is as good
    for (i = 0; i < nb; i++) nbatch *= e->size[B[i]];
    for (i = 0; i < GU__ES_LABELS; i++) { sta[i] = e->st[0][i]; stb[i] = e->st[1][i]; }
    pa = gu__f32p(ops[0]);
    pb = gu__f32p(ops[1]);
    // a as (M, K) per batch element, b as (K, N)
    if (gu__es_as_matrix(e, 0, B, nb, Ml, nm, Kl, nk, sta, &pa, &bufa, &m, &k, &ta, &lda) != 0) return -1;
    if (gu__es_as_matrix(e, 1, B, nb, Kl, nk, Nl, nn, stb, &pb, &bufb, &k, &n, &tb, &ldb) != 0) {
        GU_FREE(bufa);
        return -1;
    }
    // the result, contiguous in (B, M, N) label order
    {
        int nl = 0, lab[GU__ES_LABELS];
        int64_t s = 1;
        for (i = 0; i < nb; i++) lab[nl++] = B[i];
        for (i = 0; i < nm; i++) lab[nl++] = Ml[i];
        for (i = 0; i < nn; i++) lab[nl++] = Nl[i];
        for (i = nl - 1; i >= 0; i--) { cshape[i] = e->size[lab[i]]; cst[lab[i]] = s; s *= cshape[i]; }
        c = gu_empty(GU_FLOAT32, nl, cshape);
        if (!gu_ok(c)) { GU_FREE(bufa); GU_FREE(bufb); return -1; }
    }
    // one GEMM per batch element; an odometer over the batch labels moves the pointers
    {
        int64_t bi[GU__ES_LABELS] = {0}, oa = 0, ob = 0, r;
        float *pc = (float *)c.base;
        int rc = 0;
        for (r = 0; r < nbatch && rc == 0; r++) {
            rc = gu_sgemm(ta, tb, m, n, k, 1.0f, pa + oa, lda, pb + ob, ldb, 0.0f, pc + r * m * n, n > 1 ? n : 1);
            for (d = nb - 1; d >= 0; d--) {
                int l = B[d];
                if (++bi[d] < e->size[l]) { oa += sta[l]; ob += stb[l]; break; }
                oa -= sta[l] * (e->size[l] - 1);
                ob -= stb[l] * (e->size[l] - 1);
                bi[d] = 0;
            }
        }
        GU_FREE(bufa);
        GU_FREE(bufb);
        if (rc != 0) { gu_free(&c); return -1; }
    }
    // already in the output's label order? Otherwise one permuting copy.
    {
        int same = 1;
        int64_t oshape[GU_MAX_DIMS], ost[GU_MAX_DIMS], dst[GU_MAX_DIMS];
        gu_tensor o;
        for (i = 0; i < nb; i++) same &= e->out[i] == B[i];
        for (i = 0; i < nm; i++) same &= e->out[nb + i] == Ml[i];
        if (same) { *res = c; return 1; }
        for (i = 0; i < e->nout; i++) { oshape[i] = e->size[e->out[i]]; ost[i] = cst[e->out[i]]; }
        o = gu_empty(GU_FLOAT32, e->nout, oshape);
        if (!gu_ok(o)) { gu_free(&c); return -1; }
        for (i = 0; i < e->nout; i++) dst[i] = o.stride[i];
        gu__es_copy((float *)o.base, dst, (const float *)c.base, ost, oshape, e->nout);
        gu_free(&c);
        *res = o;
        return 1;
    }
}

GU__DEF gu_tensor gu_einsum(const char *spec, int n, const gu_tensor *ops) {
    gu__es e;
    gu_tensor r;
    int64_t shape[GU_MAX_DIMS];
    int t, d, rc;
    if (!spec) { gu__seterr("einsum: spec is NULL"); return gu__invalid(); }
    if (n < 1 || n > GU_EINSUM_MAX_OPERANDS || !ops) {
        gu__seterr("einsum: \"%s\": %d operands given, 1 to %d are supported", spec, n, GU_EINSUM_MAX_OPERANDS);
        return gu__invalid();
    }
    for (t = 0; t < n; t++) {
        if (!gu__check_in("einsum", ops[t])) return gu__invalid();
        if (ops[t].dtype != GU_FLOAT32) {
            gu__seterr("einsum: \"%s\": operand %d is %s %s; einsum works on float32", spec, t,
                       gu_dtype_name(ops[t].dtype), GU__SHT(ops[t]));
            return gu__invalid();
        }
    }
    if (!gu__es_parse(&e, spec, n, ops)) return gu__invalid();
    {   // the loop visits every output and summed index once: that count must fit
        int64_t work = 1;
        for (d = 0; d < e.nout; d++)
            if (!gu__mul_ok(work, e.size[e.out[d]], &work)) work = -1;
        for (d = 0; d < e.nsum && work >= 0; d++)
            if (!gu__mul_ok(work, e.size[e.sum[d]], &work)) work = -1;
        if (work < 0) {
            gu__seterr("einsum: \"%s\": the product of all letter sizes overflows int64", spec);
            return gu__invalid();
        }
    }
    for (d = 0; d < e.nout; d++) shape[d] = e.size[e.out[d]];
    rc = gu__es_gemm(&e, ops, &r);
    if (rc == 1) return r;
    if (rc < 0) return gu__invalid();
    r = gu_empty(GU_FLOAT32, e.nout, shape);
    if (!gu_ok(r)) return r;
    gu__es_loop(&e, ops, (float *)r.base);
    return r;
}
GU__DEF gu_tensor gu_einsum1(const char *spec, gu_tensor a) { return gu_einsum(spec, 1, &a); }
GU__DEF gu_tensor gu_einsum2(const char *spec, gu_tensor a, gu_tensor b) {
    gu_tensor ops[2];
    ops[0] = a; ops[1] = b;
    return gu_einsum(spec, 2, ops);
}
GU__DEF gu_tensor gu_einsum3(const char *spec, gu_tensor a, gu_tensor b, gu_tensor c) {
    gu_tensor ops[3];
    ops[0] = a; ops[1] = b; ops[2] = c;
    return gu_einsum(spec, 3, ops);
}

#endif // GU_NO_EINSUM

// >>ladder ------------------------------------------------------------------------------
#ifndef GU_NO_LADDER
// The checks every rung shares: two valid 2-D float32 tensors with matching inner dims.
static int gu__mm_check(const char *op, gu_tensor a, gu_tensor b) {
    if (!gu__check_in(op, a) || !gu__check_in(op, b)) return 0;
    if (a.ndim != 2 || b.ndim != 2) {
        gu__seterr("%s: %s @ %s: expected two 2-D tensors", op, GU__SHT(a), GU__SHT(b));
        return 0;
    }
    if (a.dtype != GU_FLOAT32 || b.dtype != GU_FLOAT32) {
        gu__seterr("%s: %s %s @ %s %s: expected float32 tensors", op, gu_dtype_name(a.dtype), GU__SHT(a),
                   gu_dtype_name(b.dtype), GU__SHT(b));
        return 0;
    }
    if (a.shape[1] != b.shape[0]) {
        gu__seterr("%s: %s @ %s: inner dims %" PRId64 " and %" PRId64 " differ", op, GU__SHT(a), GU__SHT(b),
                   a.shape[1], b.shape[0]);
        return 0;
    }
    return 1;
}
// The checks, then *c = a zeroed (M, N) owner, as the lesson's torch.zeros(ar, bc).
static int gu__mm_begin(const char *op, gu_tensor a, gu_tensor b, gu_tensor *c) {
    int64_t shape[2];
    *c = gu__invalid();
    if (!gu__mm_check(op, a, b)) return 0;
    shape[0] = a.shape[0];
    shape[1] = b.shape[1];
    *c = gu_zeros(GU_FLOAT32, 2, shape);
    return gu_ok(*c);
}

// Rung 1, the reference: three loops, one multiply-add per innermost step.
// a is (M,K), b is (K,N), c is (M,N).
GU__DEF gu_tensor gu_matmul_3loops(gu_tensor a, gu_tensor b) {
    gu_tensor c;
    const float *pa, *pb;
    float *pc;
    int64_t M, K, N, i, j, k;
    if (!gu__mm_begin("matmul_3loops", a, b, &c)) return c;
    M = a.shape[0]; K = a.shape[1]; N = b.shape[1];
    pa = gu__f32p(a); pb = gu__f32p(b); pc = (float *)c.base;
    for (i = 0; i < M; i++)
        for (j = 0; j < N; j++)
            for (k = 0; k < K; k++)
                pc[i * N + j] += pa[i * a.stride[0] + k * a.stride[1]] * pb[k * b.stride[0] + j * b.stride[1]];
    return c;
}

// What Numba's @njit made of the lesson's dot: one strided loop, one accumulator. Each
// add waits for the one before (a chain of dependent adds), which bounds its speed.
static float gu__njit_dot(const float *a, int64_t sa, const float *b, int64_t sb, int64_t n) {
    float res = 0.f;
    int64_t i;
    for (i = 0; i < n; i++) res += a[i * sa] * b[i * sb];
    return res;
}

// Rung 2: the innermost loop moved into a compiled dot kernel.
GU__DEF gu_tensor gu_matmul_2loops_dot(gu_tensor a, gu_tensor b) {
    gu_tensor c;
    int64_t M, K, N, i, j;
    float *pc;
    if (!gu__mm_begin("matmul_2loops_dot", a, b, &c)) return c;
    M = a.shape[0]; K = a.shape[1]; N = b.shape[1];
    pc = (float *)c.base;
    for (i = 0; i < M; i++)
        for (j = 0; j < N; j++)   // a[i,:] . b[:,j]
            pc[i * N + j] = gu__njit_dot(gu__f32p(a) + i * a.stride[0], a.stride[1],
                                         gu__f32p(b) + j * b.stride[1], b.stride[0], K);
    return c;
}

// Rung 3: c[i,j] = (a[i,:] * b[:,j]).sum() with the library's elementwise multiply and
// reduction. The product goes into one (K,) scratch tensor and the sum straight into the
// 0-d view c[i,j], so the loop allocates nothing per (i, j).
GU__DEF gu_tensor gu_matmul_2loops_elementwise(gu_tensor a, gu_tensor b) {
    const char *op = "matmul_2loops_elementwise";
    gu_tensor c, prod;
    int64_t M, K, N, i, j;
    if (!gu__mm_begin(op, a, b, &c)) return c;
    M = a.shape[0]; K = a.shape[1]; N = b.shape[1];
    prod = gu_empty(GU_FLOAT32, 1, &K);
    if (!gu_ok(prod)) { gu_free(&c); return prod; }
    for (i = 0; i < M; i++) {
        gu_tensor arow = gu_select(a, 0, i);                   // (K,)
        for (j = 0; j < N; j++) {
            int64_t ij[2];
            gu_tensor cij;
            ij[0] = i; ij[1] = j;
            cij = gu_index(c, 2, ij);                         // 0-d view of c[i,j]
            if (gu_mul_out(prod, arow, gu_select(b, 1, j)) != 0 ||
                gu_sum_dim_out(cij, prod, 0, 0) != 0) {
                gu_free(&prod);
                gu_free(&c);
                return c;  // the op's own message stands
            }
        }
    }
    gu_free(&prod);
    return c;
}

// The vectorised dot kernel: 16 independent partial sums, so the compiler can keep them
// in SIMD registers and issue one FMA per cycle per pipe instead of one per FMA latency.
#define GU__VDOT_ACC 16
static float gu__vdot_unit(const float *a, const float *b, int64_t n) {
    float acc[GU__VDOT_ACC] = {0}, s = 0.f;
    int64_t i = 0;
    int l;
    for (; i + GU__VDOT_ACC <= n; i += GU__VDOT_ACC)
        for (l = 0; l < GU__VDOT_ACC; l++) acc[l] += a[i + l] * b[i + l];
    for (; i < n; i++) acc[i % GU__VDOT_ACC] += a[i] * b[i];
    for (l = 0; l < GU__VDOT_ACC; l++) s += acc[l];
    return s;
}
// Strided inputs (a column of a row-major matrix): gathers cannot be vectorised cheaply,
// but four accumulators still break the chain of dependent adds.
static float gu__vdot_strided(const float *a, int64_t sa, const float *b, int64_t sb, int64_t n) {
    float s0 = 0.f, s1 = 0.f, s2 = 0.f, s3 = 0.f;
    int64_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i * sa] * b[i * sb];
        s1 += a[(i + 1) * sa] * b[(i + 1) * sb];
        s2 += a[(i + 2) * sa] * b[(i + 2) * sb];
        s3 += a[(i + 3) * sa] * b[(i + 3) * sb];
    }
    for (; i < n; i++) s0 += a[i * sa] * b[i * sb];
    return (s0 + s1) + (s2 + s3);
}
static float gu__vdot(const float *a, int64_t sa, const float *b, int64_t sb, int64_t n) {
    if (sa == 1 && sb == 1) return gu__vdot_unit(a, b, n);
    return gu__vdot_strided(a, sa, b, sb, n);
}

GU__DEF float gu_dot(gu_tensor a, gu_tensor b) {
    if (!gu__check_in("dot", a) || !gu__check_in("dot", b)) return NAN;
    if (a.ndim != 1 || b.ndim != 1 || a.shape[0] != b.shape[0]) {
        gu__seterr("dot: %s . %s: expected two 1-D tensors of the same length", GU__SHT(a), GU__SHT(b));
        return NAN;
    }
    if (a.dtype != GU_FLOAT32 || b.dtype != GU_FLOAT32) {
        gu__seterr("dot: %s %s . %s %s: expected float32 tensors", gu_dtype_name(a.dtype), GU__SHT(a),
                   gu_dtype_name(b.dtype), GU__SHT(b));
        return NAN;
    }
    return gu__vdot(gu__f32p(a), a.stride[0], gu__f32p(b), b.stride[0], a.shape[0]);
}

// Rung 4: the dot product as a library primitive, as the lesson's torch.dot(a[i,:], b[:,j]).
GU__DEF gu_tensor gu_matmul_2loops_dotproduct(gu_tensor a, gu_tensor b) {
    gu_tensor c;
    int64_t M, N, i, j;
    float *pc;
    if (!gu__mm_begin("matmul_2loops_dotproduct", a, b, &c)) return c;
    M = a.shape[0]; N = b.shape[1];
    pc = (float *)c.base;
    for (i = 0; i < M; i++) {
        gu_tensor arow = gu_select(a, 0, i);
        for (j = 0; j < N; j++) pc[i * N + j] = gu_dot(arow, gu_select(b, 1, j));
    }
    return c;
}

// Rung 5: one loop left. a[i,:,None] is (K,1); broadcast against b (K,N) it makes the
// (K,N) products of row i with every column at once, and summing dim 0 gives row i of c.
// The products go into one (K,N) scratch tensor, the sums straight into the view c[i].
GU__DEF gu_tensor gu_matmul_1loop_broadcast(gu_tensor a, gu_tensor b) {
    gu_tensor c, prod;
    int64_t M, i;
    if (!gu__mm_begin("matmul_1loop_broadcast", a, b, &c)) return c;
    M = a.shape[0];
    prod = gu_empty(GU_FLOAT32, 2, b.shape);
    if (!gu_ok(prod)) { gu_free(&c); return prod; }
    for (i = 0; i < M; i++) {
        gu_tensor ai = gu_unsqueeze(gu_select(a, 0, i), 1);   // a[i,:,None], (K,1)
        if (gu_mul_out(prod, ai, b) != 0 || gu_sum_dim_out(gu_select(c, 0, i), prod, 0, 0) != 0) {
            gu_free(&prod);
            gu_free(&c);
            return c;
        }
    }
    gu_free(&prod);
    return c;
}

#ifndef GU_NO_EINSUM
// Rung 6: no loop of ours at all; einsum sees a matrix product and calls the GEMM.
GU__DEF gu_tensor gu_matmul_einsum(gu_tensor a, gu_tensor b) {
    if (!gu__mm_check("matmul_einsum", a, b)) return gu__invalid();
    return gu_einsum2("ik,kj->ij", a, b);
}
#endif

// The last rung, the fast gu_matmul, checked as a 2-D rung so the ladder behaves alike.
static gu_tensor gu__matmul_rung(gu_tensor a, gu_tensor b) {
    if (!gu__mm_check("matmul", a, b)) return gu__invalid();
    return gu_matmul(a, b);
}

GU__DEF const gu_matmul_rung *gu_matmul_ladder(int *count) {
    static const gu_matmul_rung rungs[] = {
        {"matmul_3loops", gu_matmul_3loops, "three loops: c[i,j] += a[i,k] * b[k,j]"},
        {"matmul_2loops_dot", gu_matmul_2loops_dot, "inner loop in a compiled dot kernel (njit)"},
        {"matmul_2loops_elementwise", gu_matmul_2loops_elementwise, "(a[i,:] * b[:,j]).sum() with library ops"},
        {"matmul_2loops_dotproduct", gu_matmul_2loops_dotproduct, "a vectorised dot primitive (torch.dot)"},
        {"matmul_1loop_broadcast", gu_matmul_1loop_broadcast, "(a[i,:,None] * b).sum(0): broadcasting"},
#ifndef GU_NO_EINSUM
        {"matmul_einsum", gu_matmul_einsum, "einsum('ik,kj->ij'): no loop"},
#endif
        {"matmul", gu__matmul_rung, "the fast GEMM: packed, blocked, SIMD"},
        {NULL, NULL, NULL}};
    if (count) *count = (int)(sizeof rungs / sizeof rungs[0]) - 1;
    return rungs;
}

#endif // GU_NO_LADDER

// >>grid --------------------------------------------------------------------------------
#ifndef GU_NO_GRID
GU__DEF void gu_launch_kernel(gu_kernel2_fn kernel, int64_t grid_x, int64_t grid_y, void *args) {
    int64_t i, j;
    if (!kernel) { gu__seterr("launch_kernel: kernel is NULL"); return; }
    for (i = 0; i < grid_x; i++)          // the 1st loop
        for (j = 0; j < grid_y; j++)      // the 2nd loop
            kernel(i, j, args);
}

GU__DEF void gu_grid(const gu_thread_ctx *ctx, int64_t *x, int64_t *y) {
    if (!ctx) {
        gu__seterr("grid: ctx is NULL");
        if (x) *x = 0;
        if (y) *y = 0;
        return;
    }
    if (x) *x = ctx->blockIdx.x * ctx->blockDim.x + ctx->threadIdx.x;
    if (y) *y = ctx->blockIdx.y * ctx->blockDim.y + ctx->threadIdx.y;
}

typedef struct gu__launch_job {
    gu_kernel_fn kernel;
    void *args;
    gu_dim3 grid, block;
    int64_t first, last;  // blocks [first, last) in x-fastest order
} gu__launch_job;

// Runs blocks [first, last): every thread of a block, x fastest, then the next block.
static void gu__launch_run(const gu__launch_job *j) {
    gu_thread_ctx ctx;
    int64_t bi;
    ctx.gridDim = j->grid;
    ctx.blockDim = j->block;
    for (bi = j->first; bi < j->last; bi++) {
        ctx.blockIdx.x = bi % j->grid.x;
        ctx.blockIdx.y = (bi / j->grid.x) % j->grid.y;
        ctx.blockIdx.z = bi / j->grid.x / j->grid.y;
        for (ctx.threadIdx.z = 0; ctx.threadIdx.z < j->block.z; ctx.threadIdx.z++)
            for (ctx.threadIdx.y = 0; ctx.threadIdx.y < j->block.y; ctx.threadIdx.y++)
                for (ctx.threadIdx.x = 0; ctx.threadIdx.x < j->block.x; ctx.threadIdx.x++)
                    j->kernel(&ctx, j->args);
    }
}

// A part for the pool: ctx is the array of jobs, one per part.
static void gu__launch_part(void *ctx, int part) { gu__launch_run((const gu__launch_job *)ctx + part); }

GU__DEF int gu_launch(gu_kernel_fn kernel, gu_dim3 grid, gu_dim3 block, void *args) {
    gu__launch_job job;
    int64_t nblocks, nthr_blk;
    if (!kernel) { gu__seterr("launch: kernel is NULL"); return -1; }
    if (grid.x == 0) grid.x = 1;
    if (grid.y == 0) grid.y = 1;
    if (grid.z == 0) grid.z = 1;
    if (block.x == 0) block.x = 1;
    if (block.y == 0) block.y = 1;
    if (block.z == 0) block.z = 1;
    if (grid.x < 0 || grid.y < 0 || grid.z < 0 || block.x < 0 || block.y < 0 || block.z < 0) {
        gu__seterr("launch: negative size in grid (%" PRId64 ", %" PRId64 ", %" PRId64 ") or block (%" PRId64 ", %" PRId64
                   ", %" PRId64 ")", grid.x, grid.y, grid.z, block.x, block.y, block.z);
        return -1;
    }
    if (!gu__mul_ok(grid.x, grid.y, &nblocks) || !gu__mul_ok(nblocks, grid.z, &nblocks) ||
        !gu__mul_ok(block.x, block.y, &nthr_blk) || !gu__mul_ok(nthr_blk, block.z, &nthr_blk) ||
        !gu__mul_ok(nblocks, nthr_blk, &nthr_blk)) {
        gu__seterr("launch: grid (%" PRId64 ", %" PRId64 ", %" PRId64 ") of blocks (%" PRId64 ", %" PRId64 ", %" PRId64
                   ") has more threads than int64 can count", grid.x, grid.y, grid.z, block.x, block.y, block.z);
        return -1;
    }
    job.kernel = kernel;
    job.args = args;
    job.grid = grid;
    job.block = block;
    job.first = 0;
    job.last = nblocks;
    {
        int nt = gu_get_num_threads(), w;
        gu__launch_job jobs[GU__POOL_MAX_THREADS];
        if (nt > GU__POOL_MAX_THREADS) nt = GU__POOL_MAX_THREADS;
        if (nt > nblocks) nt = (int)nblocks;
        if (nt > 1) {
            // contiguous runs of blocks per part; the pool runs the parts (on this thread
            // alone when it is busy: a gu_launch from inside a kernel, another thread's matmul)
            int64_t per = nblocks / nt, rem = nblocks % nt;
            for (w = 0; w < nt; w++) {  // the first rem parts take one block more
                jobs[w] = job;
                jobs[w].first = per * w + (w < rem ? w : rem);
                jobs[w].last = jobs[w].first + per + (w < rem);
            }
            gu__parallel(gu__launch_part, jobs, nt);
            return 0;
        }
    }
    gu__launch_run(&job);
    return 0;
}

#endif // GU_NO_GRID

// >>cuda: the implementation is groundup_cuda.cu, compiled by nvcc.

//  >>IMPL-END (new sections go above this line)

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif // GROUNDUP_IMPLEMENTATION_DONE
#endif // GROUNDUP_IMPLEMENTATION

/*
------------------------------------------------------------------------------
This software is available under 2 licenses -- choose whichever you prefer.
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Copyright (c) 2026 the groundup authors
Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:
The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
In jurisdictions that recognize copyright laws, the author or authors of this
software dedicate any and all copyright interest in the software to the public
domain. We make this dedication in perpetuity for the benefit of our heirs and
successors. We intend this dedication to be used in contribution to the
authorization of this software under copyright law.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN
ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION
WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
------------------------------------------------------------------------------
*/
