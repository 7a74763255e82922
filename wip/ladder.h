// @@decls
#ifndef GU_PART_LADDER_DECLS
#define GU_PART_LADDER_DECLS
#ifdef __cplusplus
extern "C" {
#endif
// >>ladder ------------------------------------------------------------------------------
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
GUDEF gu_tensor gu_matmul_einsum(gu_tensor a, gu_tensor b);

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

// >>einsum ------------------------------------------------------------------------------
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

// >>grid --------------------------------------------------------------------------------
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
// over gu_get_num_threads() worker threads (pthreads; gu_set_num_threads(1) or
// GU_NO_THREADS keeps everything on the calling thread); the threads of one block run one
// after another, x fastest.
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
#ifdef __cplusplus
}
#endif
#endif
// @@impl
#if defined(GROUNDUP_IMPLEMENTATION) && !defined(GU_PART_LADDER_IMPL)
#define GU_PART_LADDER_IMPL
#ifndef GU_NO_THREADS
#include <pthread.h>
#endif

// >>ladder ------------------------------------------------------------------------------
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

// Address of element [0,..,0] of a float32 tensor (strides may be negative or 0).
static const float *gu__f32p(gu_tensor t) { return (const float *)t.base + t.offset; }

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

// Rung 6: no loop of ours at all; einsum sees a matrix product and calls the GEMM.
GU__DEF gu_tensor gu_matmul_einsum(gu_tensor a, gu_tensor b) {
    if (!gu__mm_check("matmul_einsum", a, b)) return gu__invalid();
    return gu_einsum2("ik,kj->ij", a, b);
}

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
        {"matmul_einsum", gu_matmul_einsum, "einsum('ik,kj->ij'): no loop"},
        {"matmul", gu__matmul_rung, "the fast GEMM: packed, blocked, SIMD"},
        {NULL, NULL, NULL}};
    if (count) *count = (int)(sizeof rungs / sizeof rungs[0]) - 1;
    return rungs;
}

// >>einsum ------------------------------------------------------------------------------
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

static int gu__es_letter(int ch) {
    if (ch >= 'A' && ch <= 'Z') return ch - 'A';
    if (ch >= 'a' && ch <= 'z') return 26 + ch - 'a';
    return -1;
}
static char gu__es_char(int id) { return (char)(id < 26 ? 'A' + id : 'a' + id - 26); }

// Parses one term ("ik", "...ij", "ii") starting at *pp: letter ids into lab (ELL for the
// ellipsis), up to a ',', "->" or the end. Returns the number of items, -1 on error.
#define GU__ES_ELL (-2)
static int gu__es_term(const char *spec, const char **pp, int *lab, int cap) {
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

static int gu__es_parse(gu__es *e, const char *spec, int n, const gu_tensor *ops) {
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
        int buf[GU__ES_LETTERS + 2], m, has_ell = 0;
        p += 2;
        if ((m = gu__es_term(spec, &p, buf, GU__ES_LETTERS + 2)) < 0) return 0;
        if (*p) {
            gu__seterr("einsum: \"%s\": unexpected '%c' in the output subscripts", spec, *p);
            return 0;
        }
        for (i = 0; i < m; i++) {
            int l = buf[i], j;
            if (l == GU__ES_ELL) {
                has_ell = 1;
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
        if (e->n_ell > 0 && !has_ell) {
            gu__seterr("einsum: \"%s\": the inputs have %d broadcast dims ('...') but the output has no '...' for them",
                       spec, e->n_ell);
            return 0;
        }
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
        double acc = 0;
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

// A group of labels (sizes sz, strides st) as one dim: its element count and, if the
// labels are laid out as one (every stride the next one's stride times its size, size-1
// labels ignored), its stride. Returns 0 when they are not.
static int gu__es_merge(const int *lab, int n, const int64_t *size, const int64_t *st, int64_t *count, int64_t *stride) {
    int64_t c = 1, s = 0, want = 0;
    int d, have = 0;
    for (d = n - 1; d >= 0; d--) {
        int64_t sz = size[lab[d]];
        c *= sz;
        if (sz == 1) continue;
        if (!have) { s = st[lab[d]]; want = s * sz; have = 1; continue; }
        if (st[lab[d]] != want) return 0;
        want *= sz;
    }
    *count = c;
    *stride = have ? s : 0;
    return 1;
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
    int64_t m = 0, k = 0, n = 0, nbatch = 1, rs = 0, cs = 0;
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
    // a as (M, K) per batch element
    if (!gu__es_merge(Ml, nm, e->size, sta, &m, &rs) || !gu__es_merge(Kl, nk, e->size, sta, &k, &cs) ||
        !gu__es_gemm_layout(m, k, rs, cs, &ta, &lda)) {
        int lab[GU__ES_LABELS], nl = 0;
        int64_t sz[GU__ES_LABELS], dst[GU__ES_LABELS], src[GU__ES_LABELS], tot = 1, bytes = 0;
        int fits = 1;
        for (i = 0; i < nb; i++)  // a batch label a broadcasts over stays broadcast (stride 0)
            if (sta[B[i]] != 0) lab[nl++] = B[i];
        for (i = 0; i < nm; i++) lab[nl++] = Ml[i];
        for (i = 0; i < nk; i++) lab[nl++] = Kl[i];
        for (i = nl - 1; i >= 0; i--) {
            sz[i] = e->size[lab[i]]; src[i] = sta[lab[i]]; dst[i] = tot;
            fits &= gu__mul_ok(tot, sz[i], &tot);
        }
        if (!fits || !gu__mul_ok(tot, 4, &bytes) || !(bufa = (float *)gu__malloc((size_t)bytes))) {
            gu__seterr("einsum: \"%s\": out of memory copying operand 0", e->spec);
            return -1;
        }
        gu__es_copy(bufa, dst, pa, src, sz, nl);
        for (i = 0; i < nl; i++) sta[lab[i]] = dst[i];
        pa = bufa;
        gu__es_merge(Ml, nm, e->size, sta, &m, &rs);
        gu__es_merge(Kl, nk, e->size, sta, &k, &cs);
        gu__es_gemm_layout(m, k, rs, cs, &ta, &lda);
    }
    // b as (K, N) per batch element
    if (!gu__es_merge(Kl, nk, e->size, stb, &k, &rs) || !gu__es_merge(Nl, nn, e->size, stb, &n, &cs) ||
        !gu__es_gemm_layout(k, n, rs, cs, &tb, &ldb)) {
        int lab[GU__ES_LABELS], nl = 0;
        int64_t sz[GU__ES_LABELS], dst[GU__ES_LABELS], src[GU__ES_LABELS], tot = 1, bytes = 0;
        int fits = 1;
        for (i = 0; i < nb; i++)
            if (stb[B[i]] != 0) lab[nl++] = B[i];
        for (i = 0; i < nk; i++) lab[nl++] = Kl[i];
        for (i = 0; i < nn; i++) lab[nl++] = Nl[i];
        for (i = nl - 1; i >= 0; i--) {
            sz[i] = e->size[lab[i]]; src[i] = stb[lab[i]]; dst[i] = tot;
            fits &= gu__mul_ok(tot, sz[i], &tot);
        }
        if (!fits || !gu__mul_ok(tot, 4, &bytes) || !(bufb = (float *)gu__malloc((size_t)bytes))) {
            GU_FREE(bufa);
            gu__seterr("einsum: \"%s\": out of memory copying operand 1", e->spec);
            return -1;
        }
        gu__es_copy(bufb, dst, pb, src, sz, nl);
        for (i = 0; i < nl; i++) stb[lab[i]] = dst[i];
        pb = bufb;
        gu__es_merge(Kl, nk, e->size, stb, &k, &rs);
        gu__es_merge(Nl, nn, e->size, stb, &n, &cs);
        gu__es_gemm_layout(k, n, rs, cs, &tb, &ldb);
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

// >>grid --------------------------------------------------------------------------------
GU__DEF void gu_launch_kernel(gu_kernel2_fn kernel, int64_t grid_x, int64_t grid_y, void *args) {
    int64_t i, j;
    if (!kernel) return;
    for (i = 0; i < grid_x; i++)          // the 1st loop
        for (j = 0; j < grid_y; j++)      // the 2nd loop
            kernel(i, j, args);
}

GU__DEF void gu_grid(const gu_thread_ctx *ctx, int64_t *x, int64_t *y) {
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

#ifndef GU_NO_THREADS
static void *gu__launch_worker(void *p) {
    gu__launch_run((const gu__launch_job *)p);
    return NULL;
}
#endif

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
#ifndef GU_NO_THREADS
    {
        int nt = gu_get_num_threads(), w, started = 0;
        pthread_t tid[64];
        gu__launch_job jobs[64];
        if (nt > 64) nt = 64;
        if (nt > nblocks) nt = (int)nblocks;
        if (nt > 1) {
            // contiguous runs of blocks per worker; worker 0 is this thread
            int64_t per = nblocks / nt, rem = nblocks % nt;
            for (w = 0; w < nt; w++) {  // the first rem workers take one block more
                jobs[w] = job;
                jobs[w].first = per * w + (w < rem ? w : rem);
                jobs[w].last = jobs[w].first + per + (w < rem);
            }
            for (w = 1; w < nt; w++) {
                if (pthread_create(&tid[w], NULL, gu__launch_worker, &jobs[w]) != 0) break;
                started = w;
            }
            // a worker that could not start leaves its blocks to this thread
            for (w = started + 1; w < nt; w++) gu__launch_run(&jobs[w]);
            gu__launch_run(&jobs[0]);
            for (w = 1; w <= started; w++) pthread_join(tid[w], NULL);
            return 0;
        }
    }
#endif
    gu__launch_run(&job);
    return 0;
}
#endif
// @@end
