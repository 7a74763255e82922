// @@decls
#ifndef GU_PART_RANDOM_DECLS
#define GU_PART_RANDOM_DECLS
#ifdef __cplusplus
extern "C" {
#endif
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
#ifdef __cplusplus
}
#endif
#endif
// @@impl
#if defined(GROUNDUP_IMPLEMENTATION) && !defined(GU_PART_RANDOM_IMPL)
#define GU_PART_RANDOM_IMPL
// >>random --------------------------------------------------------------------------------
#include <time.h>
#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif
#if !defined(GU_NO_SIMD) && (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
#define GU__RND_X86 1
#include <immintrin.h>
#endif

// ---- Wichmann-Hill, line for line the lesson's seed() and rand() ----
static gu_wh_state gu__rnd_state = {1, 1, 1};

GU__DEF void gu_wh_seed(gu_wh_state *s, uint64_t a) {
    // a, x = divmod(a, 30268); a, y = divmod(a, 30306); a, z = divmod(a, 30322)
    uint64_t x = a % 30268; a /= 30268;
    uint64_t y = a % 30306; a /= 30306;
    uint64_t z = a % 30322;
    s->x = (int)x + 1;
    s->y = (int)y + 1;
    s->z = (int)z + 1;
}
GU__DEF double gu_wh_rand(gu_wh_state *s) {
    s->x = (171 * s->x) % 30269;
    s->y = (172 * s->y) % 30307;
    s->z = (170 * s->z) % 30323;
    // Python's float % 1.0 of a positive sum is fmod: the fractional part, exactly.
    return fmod(s->x / 30269.0 + s->y / 30307.0 + s->z / 30323.0, 1.0);
}
GU__DEF void gu_seed(uint64_t a) { gu_wh_seed(&gu__rnd_state, a); }
GU__DEF double gu_rand(void) { return gu_wh_rand(&gu__rnd_state); }
GU__DEF gu_wh_state gu_rnd_state(void) { return gu__rnd_state; }

// ---- mt19937, as PyTorch's at::mt19937 (the standard one) ----
#define GU__MT_N 624
#define GU__MT_M 397

GU__DEF void gu_generator_seed(gu_generator *g, uint64_t seed) {
    int i;
    g->state[0] = (uint32_t)(seed & 0xffffffffu);
    for (i = 1; i < GU__MT_N; i++)
        g->state[i] = 1812433253u * (g->state[i - 1] ^ (g->state[i - 1] >> 30)) + (uint32_t)i;
    g->next = GU__MT_N;
    g->seed = seed;
    g->has_normal = 0;  // torch's manual_seed drops the cached normal too
    g->normal = 0;
}

// One step of the recurrence: word i from words i, i+1 and i+397 (mod 624).
static uint32_t gu__mt_step(uint32_t cur, uint32_t nxt, uint32_t far) {
    uint32_t y = (cur & 0x80000000u) | (nxt & 0x7fffffffu);
    return far ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
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

#ifdef GU__RND_X86
static int gu__rnd_simd = -1;  // -1 unknown, 0 scalar, 1 AVX2+FMA, 2 AVX-512 too
static int gu__rnd_level(void) {
    if (gu__rnd_simd < 0) {
        __builtin_cpu_init();
        gu__rnd_simd = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        if (gu__rnd_simd && __builtin_cpu_supports("avx512f")) gu__rnd_simd = 2;
    }
    return gu__rnd_simd;
}
static int gu__rnd_have_avx2(void) { return gu__rnd_level() >= 1; }
#define GU__AVX2 __attribute__((target("avx2,fma")))
#define GU__AVX512 __attribute__((target("avx512f,avx2,fma")))
// Eight steps of the recurrence at once. Word i+8 is read before word i is written, and the
// far words are 397 ahead (old) or 227 behind (already new): no lane depends on another.
GU__AVX2 static void gu__mt_twist_avx2(uint32_t *mt) {
    const __m256i upper = _mm256_set1_epi32((int)0x80000000u), lower = _mm256_set1_epi32(0x7fffffff);
    const __m256i one = _mm256_set1_epi32(1), matrix = _mm256_set1_epi32((int)0x9908b0dfu);
    int i = 0;
    for (;;) {
        int lim = i < GU__MT_N - GU__MT_M ? GU__MT_N - GU__MT_M : GU__MT_N - 1;
        for (; i + 8 <= lim; i += 8) {
            int far = i < GU__MT_N - GU__MT_M ? i + GU__MT_M : i + GU__MT_M - GU__MT_N;
            __m256i cur = _mm256_loadu_si256((const __m256i *)(mt + i));
            __m256i nxt = _mm256_loadu_si256((const __m256i *)(mt + i + 1));
            __m256i fa = _mm256_loadu_si256((const __m256i *)(mt + far));
            __m256i y = _mm256_or_si256(_mm256_and_si256(cur, upper), _mm256_and_si256(nxt, lower));
            __m256i odd = _mm256_cmpeq_epi32(_mm256_and_si256(y, one), one);
            __m256i r = _mm256_xor_si256(_mm256_xor_si256(fa, _mm256_srli_epi32(y, 1)), _mm256_and_si256(odd, matrix));
            _mm256_storeu_si256((__m256i *)(mt + i), r);
        }
        for (; i < lim; i++) mt[i] = gu__mt_step(mt[i], mt[i + 1], mt[(i + GU__MT_M) % GU__MT_N]);
        if (lim == GU__MT_N - 1) break;
    }
    mt[GU__MT_N - 1] = gu__mt_step(mt[GU__MT_N - 1], mt[0], mt[GU__MT_M - 1]);
}
GU__AVX2 static __m256i gu__mt_temper8(__m256i y) {
    y = _mm256_xor_si256(y, _mm256_srli_epi32(y, 11));
    y = _mm256_xor_si256(y, _mm256_and_si256(_mm256_slli_epi32(y, 7), _mm256_set1_epi32((int)0x9d2c5680u)));
    y = _mm256_xor_si256(y, _mm256_and_si256(_mm256_slli_epi32(y, 15), _mm256_set1_epi32((int)0xefc60000u)));
    return _mm256_xor_si256(y, _mm256_srli_epi32(y, 18));
}
#endif

static void gu__mt_twist(uint32_t *mt) {
#ifdef GU__RND_X86
    if (gu__rnd_have_avx2()) { gu__mt_twist_avx2(mt); return; }  // (one twist per 624 words)
#endif
    gu__mt_twist_ref(mt);
}

GU__DEF uint32_t gu_generator_random(gu_generator *g) {
    if (g->next >= GU__MT_N) { gu__mt_twist(g->state); g->next = 0; }
    return gu__mt_temper(g->state[g->next++]);
}
GU__DEF uint64_t gu_generator_random64(gu_generator *g) {
    uint64_t hi = gu_generator_random(g);
    uint64_t lo = gu_generator_random(g);
    return (hi << 32) | lo;
}

// torch's default seed, what a fresh process has before any manual_seed.
#define GU__TORCH_DEFAULT_SEED 67280421310721ull
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
#ifdef GU__RND_X86
GU__AVX2 static void gu__uniform_avx2(gu_generator *g, float *out, int64_t n) {
    const __m256i mask = _mm256_set1_epi32(0xffffff);
    const __m256 scale = _mm256_set1_ps(1.0f / 16777216.0f);
    int64_t i = 0;
    while (i < n) {
        if (g->next >= GU__MT_N) { gu__mt_twist_avx2(g->state); g->next = 0; }
        // the words left in this state, 8 at a time
        while (i + 8 <= n && g->next + 8 <= GU__MT_N) {
            __m256i w = gu__mt_temper8(_mm256_loadu_si256((const __m256i *)(g->state + g->next)));
            _mm256_storeu_ps(out + i, _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_and_si256(w, mask)), scale));
            g->next += 8;
            i += 8;
        }
        while (i < n && g->next < GU__MT_N) out[i++] = gu__u24(gu__mt_temper(g->state[g->next++]));
    }
}
#endif
#ifdef GU__RND_X86
// The same with 16 lanes: the twist (16 steps at once; the far words stay 227 behind or 397
// ahead), the tempering and the conversion.
GU__AVX512 static void gu__mt_twist_avx512(uint32_t *mt) {
    const __m512i upper = _mm512_set1_epi32((int)0x80000000u), lower = _mm512_set1_epi32(0x7fffffff);
    const __m512i one = _mm512_set1_epi32(1), matrix = _mm512_set1_epi32((int)0x9908b0dfu);
    int i = 0;
    for (;;) {
        int lim = i < GU__MT_N - GU__MT_M ? GU__MT_N - GU__MT_M : GU__MT_N - 1;
        for (; i + 16 <= lim; i += 16) {
            int far = i < GU__MT_N - GU__MT_M ? i + GU__MT_M : i + GU__MT_M - GU__MT_N;
            __m512i cur = _mm512_loadu_si512((const void *)(mt + i));
            __m512i nxt = _mm512_loadu_si512((const void *)(mt + i + 1));
            __m512i fa = _mm512_loadu_si512((const void *)(mt + far));
            __m512i y = _mm512_or_si512(_mm512_and_si512(cur, upper), _mm512_and_si512(nxt, lower));
            __mmask16 odd = _mm512_test_epi32_mask(y, one);
            __m512i r = _mm512_xor_si512(fa, _mm512_srli_epi32(y, 1));
            _mm512_storeu_si512((void *)(mt + i), _mm512_mask_xor_epi32(r, odd, r, matrix));
        }
        for (; i < lim; i++) mt[i] = gu__mt_step(mt[i], mt[i + 1], mt[(i + GU__MT_M) % GU__MT_N]);
        if (lim == GU__MT_N - 1) break;
    }
    mt[GU__MT_N - 1] = gu__mt_step(mt[GU__MT_N - 1], mt[0], mt[GU__MT_M - 1]);
}
GU__AVX512 static void gu__uniform_avx512(gu_generator *g, float *out, int64_t n) {
    const __m512i mask = _mm512_set1_epi32(0xffffff);
    const __m512 scale = _mm512_set1_ps(1.0f / 16777216.0f);
    int64_t i = 0;
    while (i < n) {
        if (g->next >= GU__MT_N) { gu__mt_twist_avx512(g->state); g->next = 0; }
        while (i + 16 <= n && g->next + 16 <= GU__MT_N) {
            __m512i y = _mm512_loadu_si512((const void *)(g->state + g->next));
            y = _mm512_xor_si512(y, _mm512_srli_epi32(y, 11));
            y = _mm512_xor_si512(y, _mm512_and_si512(_mm512_slli_epi32(y, 7), _mm512_set1_epi32((int)0x9d2c5680u)));
            y = _mm512_xor_si512(y, _mm512_and_si512(_mm512_slli_epi32(y, 15), _mm512_set1_epi32((int)0xefc60000u)));
            y = _mm512_xor_si512(y, _mm512_srli_epi32(y, 18));
            _mm512_storeu_ps(out + i, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_and_si512(y, mask)), scale));
            g->next += 16;
            i += 16;
        }
        while (i < n && g->next < GU__MT_N) out[i++] = gu__u24(gu__mt_temper(g->state[g->next++]));
    }
}
#endif
static void gu__uniform(gu_generator *g, float *out, int64_t n) {
#ifdef GU__RND_X86
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
    u1 = (double)(gu_generator_random64(g) & ((1ull << 53) - 1)) * (1.0 / 9007199254740992.0);
    u2 = (double)(gu_generator_random64(g) & ((1ull << 53) - 1)) * (1.0 / 9007199254740992.0);
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
    for (i = 1; i < 9; i++) y = fmaf(y, x, gu__log_p[i]);
    y = y * x;
    y = fmaf(y, z, e * GU__LOG_Q1);
    y = fmaf(-z, 0.5f, y);
    x = x + y;
    return fmaf(e, GU__LOG_Q2, x);
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
    x = fmaf(y, -GU__DP1, x);
    x = fmaf(y, -GU__DP2, x);
    x = fmaf(y, -GU__DP3, x);
    z = x * x;
    yc = fmaf(GU__COS_P0, z, GU__COS_P1);
    yc = fmaf(yc, z, GU__COS_P2);
    yc = yc * z;
    yc = fmaf(yc, z, -(z * 0.5f));
    yc = yc + 1.0f;
    ys = fmaf(GU__SIN_P0, z, GU__SIN_P1);
    ys = fmaf(ys, z, GU__SIN_P2);
    ys = ys * z;
    ys = fmaf(ys, x, x);
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
        d[j] = fmaf(r * c, std, mean);
        d[j + 8] = fmaf(r * s, std, mean);
    }
}

#ifdef GU__RND_X86
#define GU__S8(v) _mm256_set1_ps(v)
GU__AVX2 static __m256 gu__cephes_log8(__m256 x) {
    __m256 invalid = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LE_OS), e, m, tmp, y, z;
    __m256i ei;
    int i;
    x = _mm256_max_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(0x00800000)));
    ei = _mm256_sub_epi32(_mm256_srli_epi32(_mm256_castps_si256(x), 23), _mm256_set1_epi32(127));
    x = _mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(~0x7f800000)));
    x = _mm256_or_ps(x, GU__S8(0.5f));
    e = _mm256_add_ps(_mm256_cvtepi32_ps(ei), GU__S8(1.0f));
    m = _mm256_cmp_ps(x, GU__S8(GU__SQRTHF), _CMP_LT_OS);
    tmp = _mm256_and_ps(x, m);
    x = _mm256_sub_ps(x, GU__S8(1.0f));
    e = _mm256_sub_ps(e, _mm256_and_ps(GU__S8(1.0f), m));
    x = _mm256_add_ps(x, tmp);
    z = _mm256_mul_ps(x, x);
    y = GU__S8(gu__log_p[0]);
    for (i = 1; i < 9; i++) y = _mm256_fmadd_ps(y, x, GU__S8(gu__log_p[i]));
    y = _mm256_mul_ps(y, x);
    y = _mm256_fmadd_ps(y, z, _mm256_mul_ps(e, GU__S8(GU__LOG_Q1)));
    y = _mm256_fnmadd_ps(z, GU__S8(0.5f), y);
    x = _mm256_add_ps(x, y);
    x = _mm256_fmadd_ps(e, GU__S8(GU__LOG_Q2), x);
    return _mm256_or_ps(x, invalid);
}
GU__AVX2 static void gu__cephes_sincos8(__m256 x, __m256 *s, __m256 *c) {
    __m256 sign_sin = _mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000u)));
    __m256 y, z, yc, ys, ys1, ys2, poly, sign_cos;
    __m256i j, four = _mm256_set1_epi32(4);
    x = _mm256_and_ps(x, _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff)));
    y = _mm256_mul_ps(x, GU__S8(GU__FOPI));
    j = _mm256_cvttps_epi32(y);
    j = _mm256_and_si256(_mm256_add_epi32(j, _mm256_set1_epi32(1)), _mm256_set1_epi32(~1));
    y = _mm256_cvtepi32_ps(j);
    sign_sin = _mm256_xor_ps(sign_sin, _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_and_si256(j, four), 29)));
    poly = _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(j, _mm256_set1_epi32(2)), _mm256_setzero_si256()));
    sign_cos = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_andnot_si256(_mm256_sub_epi32(j, _mm256_set1_epi32(2)), four), 29));
    x = _mm256_fmadd_ps(y, GU__S8(-GU__DP1), x);
    x = _mm256_fmadd_ps(y, GU__S8(-GU__DP2), x);
    x = _mm256_fmadd_ps(y, GU__S8(-GU__DP3), x);
    z = _mm256_mul_ps(x, x);
    yc = _mm256_fmadd_ps(GU__S8(GU__COS_P0), z, GU__S8(GU__COS_P1));
    yc = _mm256_fmadd_ps(yc, z, GU__S8(GU__COS_P2));
    yc = _mm256_mul_ps(yc, z);
    yc = _mm256_fmsub_ps(yc, z, _mm256_mul_ps(z, GU__S8(0.5f)));
    yc = _mm256_add_ps(yc, GU__S8(1.0f));
    ys = _mm256_fmadd_ps(GU__S8(GU__SIN_P0), z, GU__S8(GU__SIN_P1));
    ys = _mm256_fmadd_ps(ys, z, GU__S8(GU__SIN_P2));
    ys = _mm256_mul_ps(ys, z);
    ys = _mm256_fmadd_ps(ys, x, x);
    ys2 = _mm256_and_ps(poly, ys);
    ys1 = _mm256_andnot_ps(poly, yc);
    ys = _mm256_sub_ps(ys, ys2);
    yc = _mm256_sub_ps(yc, ys1);
    *s = _mm256_xor_ps(_mm256_add_ps(ys1, ys2), sign_sin);
    *c = _mm256_xor_ps(_mm256_add_ps(yc, ys), sign_cos);
}
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
// AVX2 and/andnot selections.
#define GU__S16(v) _mm512_set1_ps(v)
#define GU__I16(v) _mm512_set1_epi32((int)(v))
GU__AVX512 static __m512 gu__cephes_log16(__m512 x) {
    __mmask16 invalid = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LE_OS), m;
    __m512 e, y, z;
    __m512i ei;
    int i;
    x = _mm512_max_ps(x, _mm512_castsi512_ps(GU__I16(0x00800000)));
    ei = _mm512_sub_epi32(_mm512_srli_epi32(_mm512_castps_si512(x), 23), GU__I16(127));
    x = _mm512_castsi512_ps(_mm512_or_si512(_mm512_and_si512(_mm512_castps_si512(x), GU__I16(~0x7f800000)),
                                            _mm512_castps_si512(GU__S16(0.5f))));
    e = _mm512_add_ps(_mm512_cvtepi32_ps(ei), GU__S16(1.0f));
    m = _mm512_cmp_ps_mask(x, GU__S16(GU__SQRTHF), _CMP_LT_OS);
    e = _mm512_sub_ps(e, _mm512_maskz_mov_ps(m, GU__S16(1.0f)));
    x = _mm512_add_ps(_mm512_sub_ps(x, GU__S16(1.0f)), _mm512_maskz_mov_ps(m, x));
    z = _mm512_mul_ps(x, x);
    y = GU__S16(gu__log_p[0]);
    for (i = 1; i < 9; i++) y = _mm512_fmadd_ps(y, x, GU__S16(gu__log_p[i]));
    y = _mm512_mul_ps(y, x);
    y = _mm512_fmadd_ps(y, z, _mm512_mul_ps(e, GU__S16(GU__LOG_Q1)));
    y = _mm512_fnmadd_ps(z, GU__S16(0.5f), y);
    x = _mm512_add_ps(x, y);
    x = _mm512_fmadd_ps(e, GU__S16(GU__LOG_Q2), x);
    return _mm512_mask_mov_ps(x, invalid, _mm512_castsi512_ps(GU__I16(0xffffffffu)));
}
GU__AVX512 static void gu__cephes_sincos16(__m512 x, __m512 *s, __m512 *c) {
    __m512i sign_sin = _mm512_and_si512(_mm512_castps_si512(x), GU__I16(0x80000000u)), sign_cos, j;
    __m512 y, z, yc, ys, ys1, ys2;
    __mmask16 poly;
    x = _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(x), GU__I16(0x7fffffff)));
    y = _mm512_mul_ps(x, GU__S16(GU__FOPI));
    j = _mm512_cvttps_epi32(y);
    j = _mm512_and_si512(_mm512_add_epi32(j, GU__I16(1)), GU__I16(~1));
    y = _mm512_cvtepi32_ps(j);
    sign_sin = _mm512_xor_si512(sign_sin, _mm512_slli_epi32(_mm512_and_si512(j, GU__I16(4)), 29));
    poly = _mm512_cmpeq_epi32_mask(_mm512_and_si512(j, GU__I16(2)), _mm512_setzero_si512());
    sign_cos = _mm512_slli_epi32(_mm512_andnot_si512(_mm512_sub_epi32(j, GU__I16(2)), GU__I16(4)), 29);
    x = _mm512_fmadd_ps(y, GU__S16(-GU__DP1), x);
    x = _mm512_fmadd_ps(y, GU__S16(-GU__DP2), x);
    x = _mm512_fmadd_ps(y, GU__S16(-GU__DP3), x);
    z = _mm512_mul_ps(x, x);
    yc = _mm512_fmadd_ps(GU__S16(GU__COS_P0), z, GU__S16(GU__COS_P1));
    yc = _mm512_fmadd_ps(yc, z, GU__S16(GU__COS_P2));
    yc = _mm512_mul_ps(yc, z);
    yc = _mm512_fmsub_ps(yc, z, _mm512_mul_ps(z, GU__S16(0.5f)));
    yc = _mm512_add_ps(yc, GU__S16(1.0f));
    ys = _mm512_fmadd_ps(GU__S16(GU__SIN_P0), z, GU__S16(GU__SIN_P1));
    ys = _mm512_fmadd_ps(ys, z, GU__S16(GU__SIN_P2));
    ys = _mm512_mul_ps(ys, z);
    ys = _mm512_fmadd_ps(ys, x, x);
    ys2 = _mm512_maskz_mov_ps(poly, ys);
    ys1 = _mm512_maskz_mov_ps((__mmask16)~poly, yc);
    ys = _mm512_sub_ps(ys, ys2);
    yc = _mm512_sub_ps(yc, ys1);
    *s = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(_mm512_add_ps(ys1, ys2)), sign_sin));
    *c = _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(_mm512_add_ps(yc, ys)), sign_cos));
}
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
#ifdef GU__RND_X86
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
#ifdef GU__RND_X86
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
#ifdef GU__RND_X86
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
        uint64_t v = range >= (1ull << 32) ? gu_generator_random64(g) : gu_generator_random(g);
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
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
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
#endif
// @@end
