/* groundup.h - v0.1.0 - matrix multiplication from foundations, in C.
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
      gu_free(&m);                                         // the only owner

   Build: cc -O2 prog.c -lm -lz -lpthread   (see OPTIONS for the opt-outs)

OPTIONS (define before including the implementation)
   GROUNDUP_STATIC          every function static (private copy per translation unit)
   GU_MALLOC/GU_REALLOC/GU_FREE
                            allocation hooks; define all three or none. Every allocation
                            of the library goes through them.
   GU_ASSERT(x)             internal invariants only (default: assert); user errors are
                            never asserted.
   GU_NO_THREADS            no pthreads; everything runs on the calling thread
   GU_NO_SIMD               portable C kernels only (no AVX2/AVX-512 dispatch)
   GU_NO_ZLIB               no gzip input (plain IDX/pickle files still load)
   GROUNDUP_NO_PNG          no PNG output (no stb_image_write needed)
   GROUNDUP_STB_INCLUDE     how to include stb_image_write.h
                            (default <stb/stb_image_write.h>, Debian's libstb-dev)

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
   must copy: always gu_free their result; that is correct in both cases.

   Errors. User errors (bad shapes, indices out of range, too many dims, sizes that
   overflow, bad files) never abort. The call returns an invalid tensor (gu_ok(t) == 0)
   or -1, and gu_error() returns a thread-local message naming the operation and the
   shapes, e.g. "view: shape (5, 785) is invalid for input of size 3920". An invalid
   tensor passed on to another call makes that call fail too and keeps the first message,
   so a chain can be checked once at its end.

   Shapes print as (50000, 784); tensors print as PyTorch's repr does.
*/
#ifndef GROUNDUP_H
#define GROUNDUP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define GROUNDUP_VERSION_MAJOR 0
#define GROUNDUP_VERSION_MINOR 1
#define GROUNDUP_VERSION_PATCH 0
#define GROUNDUP_VERSION "0.1.0"

#ifdef GROUNDUP_STATIC
#define GUDEF static
#else
#define GUDEF extern
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
GUDEF gu_tensor gu_from_data(gu_dtype dtype, int ndim, const int64_t *shape, const void *data);
GUDEF gu_tensor gu_wrap(gu_dtype dtype, int ndim, const int64_t *shape, void *data); // borrows
GUDEF gu_tensor gu_clone(gu_tensor t);            // contiguous copy, same dtype
GUDEF gu_tensor gu_to(gu_tensor t, gu_dtype dtype); // cast copy (the lesson's .float())
GUDEF int gu_copy_(gu_tensor dst, gu_tensor src);  // dst[...] = src, src broadcast to dst; 0 or -1
GUDEF void gu_free(gu_tensor *t);
GUDEF void gu_free_mem(void *p);                  // frees strings returned by the library

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

GUDEF void gu_set_printoptions(gu_printopts opts);   // process-wide, like torch's
GUDEF gu_printopts gu_get_printoptions(void);        // with the defaults filled in
GUDEF char *gu_repr(gu_tensor t);                    // "tensor([...])"; gu_free_mem it
GUDEF int gu_fprint(FILE *f, gu_tensor t);           // repr and a newline; 0 or -1
GUDEF int gu_print(gu_tensor t);                     // to stdout
GUDEF char *gu_shape_str(gu_tensor t, char *buf, size_t n);   // "(50000, 784)"
GUDEF char *gu_stride_str(gu_tensor t, char *buf, size_t n);  // "(0, 1)"

//  >>DECLS-END (issues add their sections above this line)

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

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <inttypes.h>

#if defined(GU_MALLOC) && defined(GU_FREE) && defined(GU_REALLOC)
// all three given
#elif !defined(GU_MALLOC) && !defined(GU_FREE) && !defined(GU_REALLOC)
#define GU_MALLOC(sz) malloc(sz)
#define GU_REALLOC(p, newsz) realloc(p, newsz)
#define GU_FREE(p) free(p)
#else
#error "Must define all or none of GU_MALLOC, GU_FREE, and GU_REALLOC."
#endif

#ifndef GU_ASSERT
#include <assert.h>
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
#else
#define GU__TLS
#endif

#if defined(__GNUC__) || defined(__clang__)
#define GU__UNUSED __attribute__((unused))
#define GU__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define GU__UNUSED
#define GU__PRINTF(a, b)
#endif

#ifdef GROUNDUP_STATIC
#define GU__DEF static GU__UNUSED  // a program may use only a few of the functions
#else
#define GU__DEF
#endif

// >>errors ------------------------------------------------------------------------------
static GU__TLS char gu__errbuf[512];

static void gu__seterr(const char *fmt, ...) GU__PRINTF(1, 2);
static void gu__seterr(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(gu__errbuf, sizeof gu__errbuf, fmt, ap);
    va_end(ap);
}

GU__DEF const char *gu_error(void) { return gu__errbuf; }
GU__DEF void gu_clear_error(void) { gu__errbuf[0] = 0; }

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
static int gu__mul_ok(int64_t a, int64_t b, int64_t *out) {
#if defined(__GNUC__) || defined(__clang__)
    return !__builtin_mul_overflow(a, b, out);
#else
    if (a != 0 && (b > INT64_MAX / a || b < INT64_MIN / a)) return 0;
    *out = a * b;
    return 1;
#endif
}

static void *gu__malloc(size_t n) { return GU_MALLOC(n ? n : 1); }

// >>shape-strings ---------------------------------------------------------------------
static char *gu__dims_str(int n, const int64_t *d, char *buf, size_t cap) {
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
    if (!gu_ok(t)) { if (n) snprintf(buf, n, "(invalid)"); return buf; }
    return gu__dims_str(t.ndim, t.shape, buf, n);
}
GU__DEF char *gu_stride_str(gu_tensor t, char *buf, size_t n) {
    if (!gu_ok(t)) { if (n) snprintf(buf, n, "(invalid)"); return buf; }
    return gu__dims_str(t.ndim, t.stride, buf, n);
}
// A shape for messages, "(5, 785)"; a few rotating buffers so one message can hold several.
static const char *gu__sh(int n, const int64_t *d) {
    static GU__TLS char bufs[4][160];
    static GU__TLS int k;
    char *b = bufs[k++ & 3];
    return gu__dims_str(n, d, b, sizeof bufs[0]);
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
    for (i = 0; i < ndim; i++)
        if (!gu__mul_ok(n, shape[i], &n)) {
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
    return t;
}

GU__DEF gu_tensor gu_empty(gu_dtype dtype, int ndim, const int64_t *shape) {
    return gu__empty("empty", dtype, ndim, shape);
}

// Writes v into element i of contiguous storage p, converting as PyTorch's casts do.
static void gu__store(gu_dtype dt, void *p, int64_t i, double v) {
    switch (dt) {
    case GU_FLOAT32: ((float *)p)[i] = (float)v; break;
    case GU_INT64: ((int64_t *)p)[i] = (v != v) ? INT64_MIN : (v >= 9223372036854775807.0 ? INT64_MAX : (v <= -9223372036854775808.0 ? INT64_MIN : (int64_t)v)); break;
    case GU_UINT8: ((uint8_t *)p)[i] = (uint8_t)(int64_t)((v != v || v >= 9.2e18 || v <= -9.2e18) ? 0 : v); break;
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

static gu_tensor gu__full(const char *op, gu_dtype dtype, int ndim, const int64_t *shape, double value) {
    gu_tensor t = gu__empty(op, dtype, ndim, shape);
    int64_t i, n;
    size_t es;
    if (!gu_ok(t)) return t;
    n = t.storage_numel;
    es = gu_dtype_size(dtype);
    if (value == 0) memset(t.base, 0, (size_t)n * es);
    else {
        gu__store(dtype, t.base, 0, value);
        for (i = 1; i < n; i++) memcpy((char *)t.base + (size_t)i * es, t.base, es);
    }
    return t;
}
GU__DEF gu_tensor gu_full(gu_dtype dtype, int ndim, const int64_t *shape, double value) {
    return gu__full("full", dtype, ndim, shape, value);
}
GU__DEF gu_tensor gu_zeros(gu_dtype dtype, int ndim, const int64_t *shape) {
    return gu__full("zeros", dtype, ndim, shape, 0.0);
}
GU__DEF gu_tensor gu_ones(gu_dtype dtype, int ndim, const int64_t *shape) {
    return gu__full("ones", dtype, ndim, shape, 1.0);
}
GU__DEF gu_tensor gu_scalar(gu_dtype dtype, double value) { return gu_full(dtype, 0, NULL, value); }

GU__DEF gu_tensor gu_arange(double start, double stop, double step, gu_dtype dtype) {
    double count;
    int64_t n, i;
    gu_tensor t;
    if (step == 0 || step != step || start != start || stop != stop) {
        gu__seterr("arange: step must be nonzero and bounds finite (start %g, stop %g, step %g)", start, stop, step);
        return gu__invalid();
    }
    count = ceil((stop - start) / step);
    if (count < 0) count = 0;
    if (count > 9.0e18) { gu__seterr("arange: (%g, %g, %g) has too many elements", start, stop, step); return gu__invalid(); }
    n = (int64_t)count;
    t = gu__empty("arange", dtype, 1, &n);
    if (!gu_ok(t)) return t;
    for (i = 0; i < n; i++) gu__store(dtype, t.base, i, start + (double)i * step);
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
    if (gu_ok(*t) && t->owner && t->base) GU_FREE(t->base);
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

// Copies src (any strides) into contiguous dst storage p, converting to dtype dt.
static void gu__gather(gu_tensor src, gu_dtype dt, void *p) {
    int64_t n = gu_numel(src), i;
    gu__iter it;
    size_t es = gu_dtype_size(src.dtype);
    gu__iter_init(&it, src);
    if (dt == src.dtype) {
        for (i = 0; i < n; i++, gu__iter_next(&it)) memcpy((char *)p + i * (int64_t)es, (char *)src.base + it.pos * (int64_t)es, es);
    } else if (dt == GU_FLOAT32 && src.dtype == GU_UINT8) {
        for (i = 0; i < n; i++, gu__iter_next(&it)) ((float *)p)[i] = ((const uint8_t *)src.base)[it.pos];
    } else {
        for (i = 0; i < n; i++, gu__iter_next(&it)) gu__store(dt, p, i, gu__load(src.dtype, src.base, it.pos));
    }
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
    int64_t len, n;
    int d;
    if (!gu__check_in("slice", t)) return gu__invalid();
    if (t.ndim == 0) { gu__seterr("slice: cannot slice a 0-d tensor"); return gu__invalid(); }
    if ((d = gu__wrapdim("slice", t, dim, 0)) < 0) return gu__invalid();
    if (step == 0 || step == INT64_MIN) { gu__seterr("slice: step %" PRId64 " is invalid", step); return gu__invalid(); }
    len = t.shape[d];
    if (start < 0) { start = start < -len ? (step < 0 ? -1 : 0) : start + len; }
    else if (start >= len) start = step < 0 ? len - 1 : len;
    if (stop < 0) { stop = stop < -len ? (step < 0 ? -1 : 0) : stop + len; }
    else if (stop >= len) stop = step < 0 ? len - 1 : len;
    if (step > 0) n = stop > start ? (stop - start - 1) / step + 1 : 0;
    else n = start > stop ? (start - stop - 1) / (-step) + 1 : 0;
    t = gu__as_view(t);
    if (n > 0) t.offset += start * t.stride[d];
    t.shape[d] = n;
    t.stride[d] *= step;
    return t;
}
GU__DEF gu_tensor gu_narrow(gu_tensor t, int dim, int64_t start, int64_t length) {
    int d;
    if (!gu__check_in("narrow", t)) return gu__invalid();
    if (t.ndim == 0) { gu__seterr("narrow: cannot narrow a 0-d tensor"); return gu__invalid(); }
    if ((d = gu__wrapdim("narrow", t, dim, 0)) < 0) return gu__invalid();
    if (start < 0) start += t.shape[d];
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
    if (t.ndim == 0) return gu__as_view(t);
    if ((d = gu__wrapdim("squeeze", t, dim, 0)) < 0) return gu__invalid();
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
GU__DEF double gu_get(gu_tensor t, int n, const int64_t *idx) {
    int64_t o;
    if (!gu__offset_of("get", t, n, idx, &o)) return NAN;
    return gu__load(t.dtype, t.base, o);
}
GU__DEF int gu_set(gu_tensor t, int n, const int64_t *idx, double value) {
    int64_t o;
    if (!gu__offset_of("set", t, n, idx, &o)) return -1;
    gu__store(t.dtype, t.base, o, value);
    return 0;
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

GU__DEF int gu_copy_(gu_tensor dst, gu_tensor src) {
    gu_tensor s;
    gu__iter id, is;
    int64_t n, i;
    if (!gu__check_in("copy_", dst) || !gu__check_in("copy_", src)) return -1;
    s = gu_expand(src, dst.ndim, dst.shape);
    if (!gu_ok(s)) {
        gu__seterr("copy_: source shape %s cannot be broadcast to destination shape %s", GU__SHT(src), GU__SHT(dst));
        return -1;
    }
    n = gu_numel(dst);
    gu__iter_init(&id, dst);
    gu__iter_init(&is, s);
    for (i = 0; i < n; i++, gu__iter_next(&id), gu__iter_next(&is))
        gu__store(dst.dtype, dst.base, id.pos, gu__load(s.dtype, s.base, is.pos));
    return 0;
}

// >>print -------------------------------------------------------------------------------
// PyTorch's repr (torch/_tensor_str.py), re-derived: one formatter decides a common width
// and a mode (integer-valued, fixed or scientific) from the elements that will be shown;
// rows wrap at linewidth; big tensors show edgeitems at each end with "...".
static gu_printopts gu__popts;  // zero: defaults

static gu_printopts gu__popts_filled(void) {
    gu_printopts o = gu__popts;
    if (o.precision == 0) o.precision = 4;
    if (o.precision == GU_PRECISION_0) o.precision = 0;
    if (o.threshold <= 0) o.threshold = 1000;
    if (o.edgeitems <= 0) o.edgeitems = 3;
    if (o.linewidth <= 0) o.linewidth = 80;
    return o;
}
GU__DEF void gu_set_printoptions(gu_printopts opts) { gu__popts = opts; }
GU__DEF gu_printopts gu_get_printoptions(void) { return gu__popts_filled(); }

typedef struct gu__sb { char *p; size_t len, cap; int failed; } gu__sb;
static void gu__sb_put(gu__sb *b, const char *s, size_t n) {
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
static void gu__sb_puts(gu__sb *b, const char *s) { gu__sb_put(b, s, strlen(s)); }
static void gu__sb_spaces(gu__sb *b, int n) { while (n-- > 0) gu__sb_put(b, " ", 1); }

typedef struct gu__fmt {
    gu_printopts o;
    gu_dtype dtype;
    int int_mode, sci_mode, max_width;
    int have;              // any nonzero finite value seen
    double amin, amax;     // of |nonzero finite| values
} gu__fmt;

static int gu__fmt_value(const gu__fmt *f, double v, char *out, size_t cap) {
    if (f->dtype == GU_BOOL) return snprintf(out, cap, "%s", v != 0 ? "True" : "False");
    if (f->dtype != GU_FLOAT32) return snprintf(out, cap, "%" PRId64, (int64_t)v);
    if (v != v) return snprintf(out, cap, "nan");
    if (isinf(v)) return snprintf(out, cap, v > 0 ? "inf" : "-inf");
    if (f->sci_mode) return snprintf(out, cap, "%.*e", f->o.precision, v);
    if (f->int_mode) return snprintf(out, cap, "%.0f.", v);
    return snprintf(out, cap, "%.*f", f->o.precision, v);
}

// Visits the elements that the printout will show (all, or the summarised edges).
typedef void (*gu__visit_fn)(void *ctx, double v);
static void gu__visit_shown(gu_tensor t, int summarize, const gu_printopts *o, gu__visit_fn fn, void *ctx) {
    int64_t i, n;
    if (t.ndim == 0) { fn(ctx, gu__load(t.dtype, t.base, t.offset)); return; }
    n = t.shape[0];
    for (i = 0; i < n; i++) {
        if (summarize && n > 2 * (int64_t)o->edgeitems && i == o->edgeitems) i = n - o->edgeitems;
        if (t.ndim == 1) fn(ctx, gu__load(t.dtype, t.base, t.offset + i * t.stride[0]));
        else gu__visit_shown(gu_select(t, 0, i), summarize, o, fn, ctx);
    }
}
static void gu__fmt_scan(void *ctx, double v) {
    gu__fmt *f = (gu__fmt *)ctx;
    if (f->dtype != GU_FLOAT32) {
        char buf[64];
        int w = gu__fmt_value(f, v, buf, sizeof buf);
        if (w > f->max_width) f->max_width = w;
        return;
    }
    if (v != v || isinf(v) || v == 0) return;
    if (!f->have) { f->amin = f->amax = fabs(v); f->have = 1; }
    if (fabs(v) < f->amin) f->amin = fabs(v);
    if (fabs(v) > f->amax) f->amax = fabs(v);
    if (v != ceil(v)) f->int_mode = 0;
}
typedef struct gu__fmt_pass2 { gu__fmt *f; int mode; } gu__fmt_pass2;
static void gu__fmt_width(void *ctx, double v) {
    gu__fmt *f = (gu__fmt *)ctx;
    char buf[512];
    int w;
    if (v != v || isinf(v) || v == 0) return;
    w = gu__fmt_value(f, v, buf, sizeof buf);
    if (w > f->max_width) f->max_width = w;
}

static void gu__fmt_init(gu__fmt *f, gu_tensor t, int summarize) {
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
        if (f->sci_mode) f->int_mode = 0;  // width measured in the mode used
        gu__visit_shown(t, summarize, &f->o, gu__fmt_width, f);
    }
    if (t.dtype == GU_FLOAT32 && f->o.sci_mode != GU_SCI_AUTO) {
        f->sci_mode = f->o.sci_mode == GU_SCI_ON;
        if (f->sci_mode) f->int_mode = 0;
        else if (!f->int_mode) {
            // PyTorch keeps the width measured in the automatic mode; so do we.
        }
    }
}

static void gu__put_elem(gu__sb *b, const gu__fmt *f, double v) {
    char buf[512];
    int w = gu__fmt_value(f, v, buf, sizeof buf);
    gu__sb_spaces(b, f->max_width - w);
    gu__sb_puts(b, buf);
}

static void gu__tensor_str(gu__sb *b, gu_tensor t, int indent, int summarize, const gu__fmt *f) {
    const gu_printopts *o = &f->o;
    int64_t i, n;
    if (t.ndim == 0) { gu__put_elem(b, f, gu__load(t.dtype, t.base, t.offset)); return; }
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
            else gu__put_elem(b, f, gu__load(t.dtype, t.base, t.offset + i * t.stride[0]));
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

GU__DEF char *gu_repr(gu_tensor t) {
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
        const char *nl = b.p ? strrchr(b.p, '\n') : NULL;
        size_t last = b.p ? (nl ? b.len - (size_t)(nl - b.p) + 1 : b.len + 1) : 0;
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

GU__DEF int gu_fprint(FILE *f, gu_tensor t) {
    char *s = gu_repr(t);
    int rc;
    if (!s) return -1;
    rc = fprintf(f, "%s\n", s) < 0 ? -1 : 0;
    GU_FREE(s);
    return rc;
}
GU__DEF int gu_print(gu_tensor t) { return gu_fprint(stdout, t); }

//  >>IMPL-END (issues add their sections above this line)

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
