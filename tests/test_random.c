// tests/test_random.c - the lesson's Wichmann-Hill, PyTorch's generator (issue 4).
// Golden values: tests/fixtures/random/golden.txt, made by tools/gen_random_golden.py.
#if defined(__unix__) || defined(__APPLE__)
#include <sys/wait.h>
#include <unistd.h>
#endif

static void test_random_wh_lesson(void) {
    // seed(457428938475); rnd_state; rand(), rand(), rand(); the fork cell; one more
    static const double want[5] = {0.7645251082582081, 0.7920889799553945, 0.06912886811267205,
                                   0.9559050644103264, 0.840065633394744};
    gu_wh_state s, r;
    int i;
    gu_seed(457428938475ull);
    s = gu_rnd_state();
    CHECKF(s.x == 4976 && s.y == 20238 && s.z == 499, "state (%d, %d, %d)", s.x, s.y, s.z);
    for (i = 0; i < 5; i++) {
        double v = gu_rand();
        CHECKF(v == want[i], "rand() #%d = %.17g, want %.17g", i, v, want[i]);
    }
    // the re-entrant form follows the same sequence, and leaves the global state alone
    gu_wh_seed(&r, 457428938475ull);
    for (i = 0; i < 5; i++) CHECK(gu_wh_rand(&r) == want[i]);
    s = gu_rnd_state();
    CHECK(s.x == r.x && s.y == r.y && s.z == r.z);
}

// 200,000 draws from three seeds, every bit of every value against Python's (the checksums
// come from the lesson's seed()/rand() in CPython: sum over i of (i + 1) * bits(rand() #i)
// mod 2^64). A 32-bit x87 build that keeps the three quotients in 80-bit registers gives
// rand() #0 = 0.76452510825820785 instead of ...807, and many more of these differ.
static void test_random_wh_exact_bits(void) {
    static const struct { uint64_t seed, sum; } want[3] = {
        {457428938475ull, 0x02feaefa7cf65b8dull}, {1, 0x324852ea27725e00ull}, {123456789, 0x5a68ad9dec869261ull}};
    int k, i;
    for (k = 0; k < 3; k++) {
        gu_wh_state s;
        uint64_t sum = 0;
        gu_wh_seed(&s, want[k].seed);
        for (i = 0; i < 200000; i++) {
            double v = gu_wh_rand(&s);
            uint64_t b;
            memcpy(&b, &v, 8);
            sum += (uint64_t)(i + 1) * b;
        }
        CHECKF(sum == want[k].sum, "seed %" PRIu64 ": checksum %#" PRIx64 ", want %#" PRIx64, want[k].seed, sum,
               want[k].sum);
    }
}

static uint64_t t__bits_checksum_f(const float *p, int64_t n) {
    uint64_t s = 0;
    int64_t i;
    for (i = 0; i < n; i++) {
        uint32_t b;
        memcpy(&b, &p[i], 4);
        s += (uint64_t)(i + 1) * b;
    }
    return s;
}
static uint64_t t__bits_checksum_i(const int64_t *p, int64_t n) {
    uint64_t s = 0;
    int64_t i;
    for (i = 0; i < n; i++) s += (uint64_t)(i + 1) * (uint64_t)p[i];
    return s;
}
static float t__f_of_bits(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }

static void test_random_matches_torch(void) {
    FILE *f = fopen("fixtures/random/golden.txt", "r");
    static char line[16384];
    int ncases = 0, nbad = 0;
    double worst = 0;
    CHECKF(f != NULL, "fixtures/random/golden.txt missing (run tools/gen_random_golden.py)");
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        char op[16], *p;
        unsigned long long seed, sum;
        long long n, low, high;
        int k, used, j, bad = 0;
        gu_tensor t;
        uint64_t got_sum;
        if (sscanf(line, "%15s %llu %lld %lld %lld %llu %d%n", op, &seed, &n, &low, &high, &sum, &k, &used) != 7) continue;
        gu_manual_seed(seed);
        if (!strcmp(op, "rand")) t = gu_rand_t(1, (const int64_t *)&n);
        else if (!strcmp(op, "randn")) t = gu_randn(1, (const int64_t *)&n);
        else t = gu_randint(low, high, 1, (const int64_t *)&n);
        CHECKF(gu_ok(t) && gu_numel(t) == n, "%s seed %llu n %lld: %s", op, seed, n, gu_error());
        if (!gu_ok(t)) continue;
        ncases++;
        got_sum = t.dtype == GU_FLOAT32 ? t__bits_checksum_f((const float *)t.base, n) : t__bits_checksum_i((const int64_t *)t.base, n);
        p = line + used;
        for (j = 0; j < k; j++) {
            long long i;
            unsigned long long b;
            int u2;
            if (sscanf(p, " %lld:%llx%n", &i, &b, &u2) != 2) { bad++; break; }
            p += u2;
            if (t.dtype == GU_FLOAT32) {
                float want = t__f_of_bits((uint32_t)b), got = ((const float *)t.base)[i];
                double d = fabs((double)got - want);
                if (d > worst) worst = d;
                if (d > 4e-6 || (strcmp(op, "randn") != 0 && got != want)) {
                    if (bad++ < 3) fprintf(stderr, "  %s seed %llu n %lld [%lld]: got %.9g want %.9g\n", op, seed, n, i, got, want);
                }
            } else if (((const int64_t *)t.base)[i] != (int64_t)b) {
                if (bad++ < 3) fprintf(stderr, "  %s seed %llu n %lld [%lld]: got %lld want %lld\n", op, seed, n, i, (long long)((const int64_t *)t.base)[i], (long long)b);
            }
        }
        // every element, through the checksum: bit-exact for all three (randn too, see the doc)
        CHECKF(bad == 0 && got_sum == sum, "%s seed %llu n %lld: %d sampled values differ, checksum %s",
               op, seed, n, bad, got_sum == sum ? "equal" : "differs");
        if (bad || got_sum != sum) nbad++;
        gu_free(&t);
    }
    fclose(f);
    CHECKF(ncases >= 90, "only %d cases read", ncases);
    CHECKF(nbad == 0 && worst == 0, "%d of %d cases differ; worst sampled difference %g", nbad, ncases, worst);
}

// Calls in sequence on one generator: randn(3) leaves its sin half for the next call.
static void test_random_sequence(void) {
    FILE *f = fopen("fixtures/random/golden.txt", "r");
    static char line[16384];
    char *tok, *end;
    int nchecked = 0;
    if (!f) { CHECK(f != NULL); return; }
    while (fgets(line, sizeof line, f) && strncmp(line, "seq ", 4) != 0) {}
    fclose(f);
    CHECK(strncmp(line, "seq 5 ", 6) == 0);
    gu_manual_seed(5);
    for (tok = line + 6; *tok && *tok != '\n'; tok = end + (*end == ' ')) {
        char op[16], *vals;
        int64_t n;
        int i;
        gu_tensor t;
        if (sscanf(tok, "%15[^:]:%" SCNd64 ":", op, &n) != 2) { CHECK(0); break; }
        vals = strchr(strchr(tok, ':') + 1, ':') + 1;
        for (end = tok; *end && *end != ' ' && *end != '\n'; end++) {}
        t = !strcmp(op, "randn") ? gu_randn(1, &n) : !strcmp(op, "rand") ? gu_rand_t(1, &n) : gu_randint(0, 100, 1, &n);
        for (i = 0; i < n; i++) {
            unsigned long long b = strtoull(vals, &vals, 16);
            if (*vals == ',') vals++;
            if (t.dtype == GU_FLOAT32) CHECKF(((const float *)t.base)[i] == t__f_of_bits((uint32_t)b), "%s(%d)[%d]", op, (int)n, i);
            else CHECKF(((const int64_t *)t.base)[i] == (int64_t)b, "%s(%d)[%d]", op, (int)n, i);
            nchecked++;
        }
        gu_free(&t);
    }
    CHECK(nchecked == 34);
}

// The lesson's weights: torch.manual_seed(1); weights = torch.randn(784,10); weights[0,:]
static void test_random_lesson_weights(void) {
    FILE *f = fopen("fixtures/random/golden.txt", "r");
    static char line[1024];
    char want[1024], *got, *o = want, *p;
    int64_t shape[2] = {784, 10};
    gu_tensor w;
    if (!f) { CHECK(f != NULL); return; }
    while (fgets(line, sizeof line, f) && strncmp(line, "lesson_w0 ", 10) != 0) {}
    fclose(f);
    for (p = line + 10; *p && *p != '\n'; p++) {  // un-escape the \n of the repr
        if (p[0] == '\\' && p[1] == 'n') { *o++ = '\n'; p++; } else *o++ = *p;
    }
    *o = 0;
    gu_manual_seed(1);
    w = gu_randn(2, shape);
    got = gu_repr(gu_select(w, 0, 0));
    CHECK_STREQ(got, want);
    gu_free_mem(got);
    gu_free(&w);
}

// The fast paths (AVX2 twist, tempering, Box-Muller) against the reference, bit for bit,
// under every instruction set this CPU and build have (gu_set_kernel; "portable" is the
// scalar path: the reference against itself, still through the public fills' dispatch).
static void test_random_fast_equals_reference(void) {
    static const int64_t sizes[] = {16, 17, 31, 48, 100, 624, 625, 4096, 4111, 20000};
    static const char *const isas[] = {"avx512", "avx2", "neon", "portable"};
    gu_generator a, b;
    int k, lv, ran = 0;
    for (lv = 0; lv < 4; lv++) {
        if (gu_set_kernel(isas[lv]) != 0) {   // not in this build or CPU: the message says so
            CHECKF(strstr(gu_error(), isas[lv]) != NULL && strstr(gu_error(), "portable") != NULL, "%s", gu_error());
            continue;
        }
        CHECK_STREQ(gu_kernel(), isas[lv]);
        ran++;
        for (k = 0; k < (int)(sizeof sizes / sizeof sizes[0]); k++) {
            int64_t n = sizes[k], i, diff = 0;
            float *x = (float *)malloc((size_t)n * 4), *y = (float *)malloc((size_t)n * 4);
            gu_generator_seed(&a, 99 + (uint64_t)k);
            gu_generator_seed(&b, 99 + (uint64_t)k);
            gu__normal_fill(&a, x, n, 0.0f, 1.0f);
            gu__normal_fill_ref(&b, y, n, 0.0f, 1.0f);
            for (i = 0; i < n; i++) diff += memcmp(&x[i], &y[i], 4) != 0;
            gu__uniform(&a, x, n);
            gu__uniform_ref(&b, y, n);
            for (i = 0; i < n; i++) diff += x[i] != y[i];
            CHECKF(diff == 0 && gu_generator_random(&a) == gu_generator_random(&b), "%s, n %d: %d differ", isas[lv], (int)n, (int)diff);
            free(x);
            free(y);
        }
    }
    CHECK(ran >= 1);
    CHECK(gu_set_kernel("auto") == 0);
    // the scalar Cephes log and sincos stay close to libm's (they are approximations)
    for (k = 1; k <= 1000; k++) {
        float u = (float)k / 1000.0f, s, c;
        gu__cephes_sincosf(6.2831855f * u, &s, &c);
        CHECK(fabs(gu__cephes_logf(u) - log((double)u)) < 1e-6);
        CHECK(fabs(s - sin(6.2831855 * u)) < 1e-6 && fabs(c - cos(6.2831855 * u)) < 1e-6);
    }
}

// The twists, vector against reference, over several rounds: each vector twist this CPU runs.
static void test_random_twist(void) {
#ifdef GU__X86_SIMD
    gu_generator a, b;
    int round, lv, ran = 0;
    for (lv = 1; lv <= 2; lv++) {
        if (gu_set_kernel(lv == 1 ? "avx2" : "avx512") != 0) continue;   // this CPU lacks it
        ran++;
        gu_generator_seed(&a, 12345);
        gu_generator_seed(&b, 12345);
        for (round = 0; round < 5; round++) {
            if (lv == 1) gu__mt_twist_avx2(a.state);
            else gu__mt_twist_avx512(a.state);
            gu__mt_twist_ref(b.state);
            CHECKF(memcmp(a.state, b.state, sizeof a.state) == 0, "level %d round %d", lv, round);
        }
    }
    CHECK(gu_set_kernel("auto") == 0);
    if (!ran) SKIP("this CPU has no AVX2+FMA");
#else
    SKIP("no vector twist in this build");
#endif
}

static void test_random_default_generator(void) {
    gu_generator g;
    int i;
    // the default generator is libtorch's default seed until gu_manual_seed is called
    gu_generator_seed(&g, 67280421310721ull);
    CHECK(gu_default_generator()->seed == gu_initial_seed());
    gu_manual_seed(67280421310721ull);
    for (i = 0; i < 5; i++) CHECK(gu_generator_random(gu_default_generator()) == gu_generator_random(&g));
    // the _gen forms leave the default generator alone
    gu_manual_seed(3);
    gu_generator_seed(&g, 3);
    {
        int64_t n = 100;
        gu_tensor a = gu_randn_gen(&g, 1, &n), b = gu_randn(1, &n);
        CHECK(gu_ok(a) && gu_ok(b) && memcmp(a.base, b.base, 400) == 0);
        gu_free(&a);
        gu_free(&b);
    }
}

static void test_random_errors(void) {
    int64_t shape[2] = {2, -1}, n = 5;
    gu_tensor t;
    gu_clear_error();
    t = gu_randint(5, 5, 1, &n);
    CHECK(!gu_ok(t) && strstr(gu_error(), "randint") && strstr(gu_error(), "low (5)"));
    gu_clear_error();
    t = gu_randn(2, shape);
    CHECK(!gu_ok(t) && strstr(gu_error(), "randn"));
    gu_clear_error();
    t = gu_rand_t(GU_MAX_DIMS + 1, shape);
    CHECK(!gu_ok(t) && strstr(gu_error(), "rand"));
    CHECK(gu_randn_fill(NULL, NULL, 3) == -1);
    // empty shapes are fine, and a 0-d tensor holds one element
    n = 0;
    t = gu_randn(1, &n);
    CHECK(gu_ok(t) && gu_numel(t) == 0);
    gu_free(&t);
    t = gu_randn(0, NULL);
    CHECK(gu_ok(t) && gu_numel(t) == 1);
    gu_free(&t);
    // full int64 range minus one: high - low overflows int64 but not uint64
    t = gu_randint(INT64_MIN, INT64_MAX, 1, &n);
    CHECK(gu_ok(t));
    gu_free(&t);
}

// 10^6 draws, bounds at the 0.1% level (two-sided): z = 3.29, chi-square(99) in
// [59.1, 152.0], Kolmogorov-Smirnov D < sqrt(ln(2000) / 2n) = 0.00195.
static int t__cmp_float(const void *a, const void *b) {
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}
static void t__uniform_stats(const char *what, const double *x, int64_t n) {
    double mean = 0, var = 0, chi = 0;
    int64_t counts[100] = {0}, i;
    for (i = 0; i < n; i++) { mean += x[i]; counts[(int)(x[i] * 100)]++; }
    mean /= (double)n;
    for (i = 0; i < n; i++) var += (x[i] - mean) * (x[i] - mean);
    var /= (double)(n - 1);
    for (i = 0; i < 100; i++) chi += ((double)counts[i] - n / 100.0) * ((double)counts[i] - n / 100.0) / (n / 100.0);
    CHECKF(fabs(mean - 0.5) < 3.29 * sqrt(1.0 / 12 / n), "%s: mean %.6f", what, mean);
    CHECKF(fabs(var - 1.0 / 12) < 3.29 * sqrt((1.0 / 80 - 1.0 / 144) / n), "%s: var %.6f", what, var);
    CHECKF(chi > 59.1 && chi < 152.0, "%s: chi-square %.2f over 100 bins", what, chi);
}
static void test_random_statistics(void) {
    const int64_t n = 1000000;
    double *x = (double *)malloc((size_t)n * sizeof(double)), mean = 0, var = 0, d = 0;
    gu_tensor u, g;
    float *p;
    int64_t i;
    gu_seed(2024);
    for (i = 0; i < n; i++) x[i] = gu_rand();
    t__uniform_stats("Wichmann-Hill", x, n);
    gu_manual_seed(2024);
    u = gu_rand_t(1, &n);
    for (i = 0; i < n; i++) x[i] = ((const float *)u.base)[i];
    t__uniform_stats("rand", x, n);
    g = gu_randn(1, &n);
    p = (float *)g.base;
    for (i = 0; i < n; i++) mean += p[i];
    mean /= (double)n;
    for (i = 0; i < n; i++) var += (p[i] - mean) * (p[i] - mean);
    var /= (double)(n - 1);
    CHECKF(fabs(mean) < 3.29 / sqrt((double)n), "randn mean %.6f", mean);
    CHECKF(fabs(var - 1) < 3.29 * sqrt(2.0 / n), "randn var %.6f", var);
    qsort(p, (size_t)n, sizeof(float), t__cmp_float);
    for (i = 0; i < n; i++) {
        double cdf = 0.5 * erfc(-p[i] / sqrt(2.0));
        double lo = fabs(cdf - (double)i / n), hi = fabs((double)(i + 1) / n - cdf);
        if (lo > d) d = lo;
        if (hi > d) d = hi;
    }
    CHECKF(d < sqrt(log(2000.0) / (2.0 * n)), "randn KS statistic %.6f", d);
    gu_free(&u);
    gu_free(&g);
    free(x);
}

// The lesson's fork cell: the child inherits the state, so both draw the same number;
// reseeding from entropy in the child (the cure) makes them differ.
static void test_random_fork(void) {
#if defined(__unix__) || defined(__APPLE__)
    int cure;
    for (cure = 0; cure < 2; cure++) {
        int fd[2];
        double parent, child = -1;
        pid_t pid;
        CHECK(pipe(fd) == 0);
        gu_seed(457428938475ull);
        fflush(NULL);
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) {
            double r;
            if (cure) gu_seed_from_entropy();
            r = gu_rand();
            if (write(fd[1], &r, sizeof r) != sizeof r) _exit(1);
            _exit(0);
        }
        parent = gu_rand();
        CHECK(read(fd[0], &child, sizeof child) == sizeof child);
        waitpid(pid, NULL, 0);
        close(fd[0]);
        close(fd[1]);
        if (!cure) CHECKF(parent == child && t__deq(parent, 0.7645251082582081), "parent %.17g child %.17g", parent, child);
        else CHECKF(parent != child, "after the cure both drew %.17g", parent);
    }
#else
    SKIP("no fork() on this system");
#endif
}

static void suite_random(void) {
    RUN(test_random_wh_lesson);
    RUN(test_random_wh_exact_bits);
    RUN(test_random_matches_torch);
    RUN(test_random_sequence);
    RUN(test_random_lesson_weights);
    RUN(test_random_fast_equals_reference);
    RUN(test_random_twist);
    RUN(test_random_default_generator);
    RUN(test_random_errors);
    RUN(test_random_statistics);
    RUN(test_random_fork);
}
