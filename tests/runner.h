// tests/runner.h - the smallest test runner: CHECK records a failure and goes on;
// RUN times nothing, counts tests, and main() prints "N passed, N failed" last.
#ifndef GU_TEST_RUNNER_H
#define GU_TEST_RUNNER_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t__passed, t__failed, t__cur_failed;
static const char *t__cur = "";
static const char *t__filter;  // run only tests whose name contains this (argv[1]); "a,b": either

#define CHECK(c) do { if (!(c)) { t__cur_failed = 1; \
    fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, t__cur, #c); } } while (0)
// CHECKF(cond, fmt, ...) prints a formatted explanation when cond is false.
#define CHECKF(c, ...) do { if (!(c)) { t__cur_failed = 1; \
    fprintf(stderr, "%s:%d: %s: CHECK(%s) failed: ", __FILE__, __LINE__, t__cur, #c); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)
#define CHECK_STREQ(a, b) do { const char *t__a = (a), *t__b = (b); \
    if (!t__a || !t__b || strcmp(t__a, t__b) != 0) { t__cur_failed = 1; \
    fprintf(stderr, "%s:%d: %s: strings differ\n  got:  [%s]\n  want: [%s]\n", __FILE__, __LINE__, \
            t__cur, t__a ? t__a : "(null)", t__b ? t__b : "(null)"); } } while (0)
// A skip is printed and counted as neither pass nor fail.
#define SKIP(...) do { printf("  skip %s: ", t__cur); printf(__VA_ARGS__); printf("\n"); t__cur_failed = -1; return; } while (0)

static void t__run(const char *name, void (*fn)(void)) {
    if (t__filter) {
        const char *f = t__filter, *comma;
        int hit = 0;
        char part[64];
        for (; !hit && *f; f = *comma ? comma + 1 : comma) {
            size_t len;
            comma = strchr(f, ',');
            if (!comma) comma = f + strlen(f);
            len = (size_t)(comma - f) < sizeof part - 1 ? (size_t)(comma - f) : sizeof part - 1;
            memcpy(part, f, len);
            part[len] = 0;
            hit = strstr(name, part) != NULL;
        }
        if (!hit) return;
    }
    t__cur = name;
    t__cur_failed = 0;
    fn();
    if (t__cur_failed > 0) { t__failed++; fprintf(stderr, "FAIL %s\n", name); }
    else if (t__cur_failed == 0) t__passed++;
}
#define RUN(fn) t__run(#fn, fn)
// Float equality that holds under any FLT_EVAL_METHOD. Where it is 1 or 2 (s390x with
// -std=c11, the x87), a float constant such as 255.9f may be evaluated as the double
// 255.9, so `(float)x == 255.9f` is false for the right x; passing both through float
// parameters rounds both to float first. t__deq is the same for doubles (on the x87 a
// double constant may be evaluated in 80 bits).
static inline int t__feq(float a, float b) { return a == b; }
static inline int t__deq(double a, double b) { return a == b; }
#endif
