// tests/runner.h - the smallest test runner: CHECK records a failure and goes on;
// RUN times nothing, counts tests, and the last line says how many passed and names the
// tests that did not.
//
// Progress: a suite is the file its RUN lines are in (test_mnist.c is "mnist"). t__main
// walks the suites once without running anything to count them (so a suite function holds
// RUN lines and nothing else), then runs them with one line per suite, "[3/8] mnist ...
// 12 passed". On a terminal that line rewrites itself test by test (with the test's name);
// piped (make in CI, a log file) it is printed plainly: its start before the suite runs, a
// dot as each test ends, the count when the suite ends: "[3/8] mnist ............ 12 passed".
// Output from inside a test (SKIP, NOTE, a failed CHECK) gets a line of its own.
#ifndef GU_TEST_RUNNER_H
#define GU_TEST_RUNNER_H
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(_WIN32)
#include <io.h>
#define t__isatty(fd) _isatty(fd)
#else
#include <unistd.h>
#define t__isatty(fd) isatty(fd)
#endif

static int t__passed, t__failed, t__skipped, t__cur_failed;
static const char *t__cur = "";
static const char *t__filter;  // run only tests whose name contains this (argv[1]); "a,b": either

// The suites, as counted by the planning walk (or met on the way, without one).
#define T__MAX_SUITES 64
static struct t__suite { const char *file; int tests; } t__suites[T__MAX_SUITES];
static int t__nsuites, t__planning, t__planned, t__suite = -1;
static int t__s_passed, t__s_failed, t__s_skipped, t__s_done;
static int t__tty = -1;     // stdout is a terminal: the progress line rewrites itself
static int t__line_open;    // piped: "[3/8] mnist ..." is out, its count not yet
static char t__failed_names[1024];  // for the last line

static void t__break_line(void);
#define CHECK(c) do { if (!(c)) { t__cur_failed = 1; t__break_line(); \
    fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n", __FILE__, __LINE__, t__cur, #c); } } while (0)
// CHECKF(cond, fmt, ...) prints a formatted explanation when cond is false.
#define CHECKF(c, ...) do { if (!(c)) { t__cur_failed = 1; t__break_line(); \
    fprintf(stderr, "%s:%d: %s: CHECK(%s) failed: ", __FILE__, __LINE__, t__cur, #c); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)
#define CHECK_STREQ(a, b) do { const char *t__a = (a), *t__b = (b); \
    if (!t__a || !t__b || strcmp(t__a, t__b) != 0) { t__cur_failed = 1; t__break_line(); \
    fprintf(stderr, "%s:%d: %s: strings differ\n  got:  [%s]\n  want: [%s]\n", __FILE__, __LINE__, \
            t__cur, t__a ? t__a : "(null)", t__b ? t__b : "(null)"); } } while (0)
// A skip is printed and counted as neither pass nor fail. Its reason should read as the
// expected thing it is ("no fork() on this system"), never like an error.
#define SKIP(...) do { t__break_line(); printf("  skip %s: ", t__cur); printf(__VA_ARGS__); printf("\n"); \
    fflush(stdout); t__cur_failed = -1; return; } while (0)
// NOTE(...) prints an indented line of information in a passing test ("  note: ...").
#define NOTE(...) t__note(__VA_ARGS__)

// "tests/test_mnist.c" -> "mnist"
static const char *t__suite_name(const char *file, char *buf, size_t n) {
    const char *b = strrchr(file, '/'), *dot;
    size_t len;
    b = b ? b + 1 : file;
    if (!strncmp(b, "test_", 5)) b += 5;
    dot = strrchr(b, '.');
    len = dot ? (size_t)(dot - b) : strlen(b);
    if (len >= n) len = n - 1;
    memcpy(buf, b, len);
    buf[len] = 0;
    return buf;
}

static int t__suite_of(const char *file) {  // finds or adds
    int i;
    for (i = 0; i < t__nsuites; i++)
        if (!strcmp(t__suites[i].file, file)) return i;
    if (t__nsuites == T__MAX_SUITES) return T__MAX_SUITES - 1;
    t__suites[t__nsuites].file = file;
    t__suites[t__nsuites].tests = 0;
    return t__nsuites++;
}

// "[3/8] mnist" (or "[3] mnist" when nothing was planned)
static void t__suite_label(char *buf, size_t n) {
    char name[64];
    t__suite_name(t__suites[t__suite].file, name, sizeof name);
    if (t__planned) snprintf(buf, n, "[%d/%d] %s", t__suite + 1, t__nsuites, name);
    else snprintf(buf, n, "[%d] %s", t__suite + 1, name);
}

// Before any other output inside a suite: the progress line makes room for it.
static void t__break_line(void) {
    if (t__tty > 0) fputs("\r\033[K", stdout);
    else if (t__line_open) fputc('\n', stdout);
    t__line_open = 0;
    fflush(stdout);
}

static inline void t__note(const char *fmt, ...) {
    va_list ap;
    t__break_line();
    fputs("  note: ", stdout);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    fflush(stdout);
}

static void t__suite_end(void) {
    char label[96];
    if (t__suite < 0) return;
    t__suite_label(label, sizeof label);
    if (t__tty > 0) printf("\r\033[K%s ... ", label);
    else if (!t__line_open) printf("%s ... ", label);
    else printf(" ");
    printf("%d passed", t__s_passed);
    if (t__s_skipped) printf(", %d skipped", t__s_skipped);
    if (t__s_failed) printf(", %d FAILED", t__s_failed);
    printf("\n");
    fflush(stdout);
    t__line_open = 0;
    t__suite = -1;
}

// Piped: the suite's line, opened when it is not (at the start, after a test's own output).
static void t__open_line(void) {
    char label[96];
    if (t__tty || t__line_open) return;
    t__suite_label(label, sizeof label);
    printf("%s ", label);
    fflush(stdout);
    t__line_open = 1;
}

static void t__suite_begin(const char *file) {
    t__suite = t__suite_of(file);
    t__s_passed = t__s_failed = t__s_skipped = t__s_done = 0;
    if (t__tty < 0) {
        const char *term = getenv("TERM");
        t__tty = t__isatty(1) && !(term && !strcmp(term, "dumb"));
    }
    t__open_line();
}

// Whether name holds one of the comma-separated substrings of filter.
static int t__matches(const char *name, const char *filter) {
    const char *f = filter, *comma;
    char part[64];
    for (; *f; f = *comma ? comma + 1 : comma) {
        size_t len;
        comma = strchr(f, ',');
        if (!comma) comma = f + strlen(f);
        len = (size_t)(comma - f) < sizeof part - 1 ? (size_t)(comma - f) : sizeof part - 1;
        memcpy(part, f, len);
        part[len] = 0;
        if (strstr(name, part)) return 1;
    }
    return 0;
}

static void t__run(const char *name, void (*fn)(void), const char *file) {
    if (t__filter && !t__matches(name, t__filter)) return;
    if (t__planning) { t__suites[t__suite_of(file)].tests++; return; }
    if (t__suite < 0 || strcmp(t__suites[t__suite].file, file) != 0) {
        t__suite_end();
        t__suite_begin(file);
    }
    if (t__tty > 0) {
        char label[96];
        t__suite_label(label, sizeof label);
        if (t__planned) printf("\r\033[K%s ... %d/%d %.40s", label, t__s_done + 1, t__suites[t__suite].tests, name);
        else printf("\r\033[K%s ... %.40s", label, name);
        fflush(stdout);
    }
    t__cur = name;
    t__cur_failed = 0;
    fn();
    t__s_done++;
    if (t__cur_failed > 0) {
        size_t len = strlen(t__failed_names);
        t__failed++;
        t__s_failed++;
        t__break_line();
        fprintf(stderr, "FAIL %s\n", name);
        if (len + strlen(name) + 8 < sizeof t__failed_names)
            snprintf(t__failed_names + len, sizeof t__failed_names - len, "%s%s", len ? ", " : "", name);
        else if (len + 5 < sizeof t__failed_names && strcmp(t__failed_names + len - 3, "...") != 0)
            strcat(t__failed_names, ", ...");  // the rest are in the FAIL lines above
    } else if (t__cur_failed == 0) {
        t__passed++;
        t__s_passed++;
    } else {
        t__skipped++;
        t__s_skipped++;
    }
    if (!t__tty) {
        t__open_line();
        putchar('.');
        fflush(stdout);
    }
}
#define RUN(fn) t__run(#fn, fn, __FILE__)
// Float equality that holds under any FLT_EVAL_METHOD. Where it is 1 or 2 (s390x with
// -std=c11, the x87), a float constant such as 255.9f may be evaluated as the double
// 255.9, so `(float)x == 255.9f` is false for the right x; passing both through float
// parameters rounds both to float first. t__deq is the same for doubles (on the x87 a
// double constant may be evaluated in 80 bits).
static inline int t__feq(float a, float b) { return a == b; }
static inline int t__deq(double a, double b) { return a == b; }

// The last line; returns the exit status. A green run's line holds no alarming word.
static inline int t__finish(const char *extra) {
    char skipped[32] = "";
    t__suite_end();
    if (t__skipped) snprintf(skipped, sizeof skipped, ", %d skipped", t__skipped);
    if (t__failed)
        printf("%d passed%s, %d FAILED: %s%s\n", t__passed, skipped, t__failed, t__failed_names, extra ? extra : "");
    else if (t__passed + t__skipped == 0)
        printf("no test matched \"%s\"%s\n", t__filter ? t__filter : "", extra ? extra : "");
    else
        printf("all %d passed%s%s\n", t__passed, skipped, extra ? extra : "");
    fflush(stdout);
    return t__failed ? 1 : 0;
}

// main() for a runner: `./runner [substring]`; `all` calls the suite functions.
static inline int t__main(int argc, char **argv, void (*all)(void)) {
    if (argc > 1) t__filter = argv[1];
    t__planning = 1;
    all();
    t__planning = 0;
    t__planned = 1;
    all();
    return t__finish(NULL);
}
// The fixtures' helpers. The whole of a file, with a NUL after its *len bytes (for text);
// NULL (and *len 0) when it cannot be read.
static inline char *t_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *p = NULL;
    long n;
    if (len) *len = 0;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        p = (char *)malloc((size_t)n + 1);
        if (p && fread(p, 1, (size_t)n, f) != (size_t)n) { free(p); p = NULL; }
        if (p) {
            p[n] = 0;
            if (len) *len = (size_t)n;
        }
    }
    fclose(f);
    return p;
}
#ifndef GU_NO_ZLIB
#include <zlib.h>
// data gzip-compressed (one member, as `gzip -9` writes it); free() the result.
static inline unsigned char *t_gzip(const unsigned char *data, size_t n, size_t *outlen) {
    uLong cap = compressBound((uLong)n) + 64;
    unsigned char *out = (unsigned char *)malloc(cap);
    z_stream z;
    *outlen = 0;
    if (!out) return NULL;
    memset(&z, 0, sizeof z);
    deflateInit2(&z, 9, Z_DEFLATED, 16 + 15, 9, Z_DEFAULT_STRATEGY);
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)n;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    deflate(&z, Z_FINISH);
    *outlen = z.total_out;
    deflateEnd(&z);
    return out;
}
#endif
#endif
