// cc -O2 -march=native -I.. -o 00_walkthrough 00_walkthrough.c -lm -lz -lpthread
//
// 00_walkthrough: the whole lesson, in order, in C. `make demo` runs it.
//   1. the data (MNIST, or random tensors when none is found), a digit as PNG and in the terminal
//   2. random numbers: the lesson's Wichmann-Hill, the fork lesson, torch-identical randn
//   3. the matmul the lesson prints (torch.manual_seed(1); weights = torch.randn(784,10))
//   4. elementwise ops and broadcasting
//   5. the ladder: every rung on x_valid[:5] @ weights, then the fast ones on the whole
//      x_train @ weights, each timed and checked, OpenBLAS beside them when it is installed
// Pictures go to OUT (default out/). Usage: 00_walkthrough [--data PATH] [--out DIR] [--quick]
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include "common.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void section(const char *title) { printf("\n== %s\n", title); }

// What the ladder is timing, as it goes: on a terminal one line that rewrites itself and
// is cleared before the table; piped (a log, `make demo | tee`), a plain line per rung.
static int progress_tty = -1;
static void progress(const char *product, int k, int n, const char *rung) {
    if (progress_tty < 0) progress_tty = isatty(1);
    printf("%stiming %s [%d/%d] %s ...%s", progress_tty ? "\r\033[K" : "", product, k, n, rung, progress_tty ? "" : "\n");
    fflush(stdout);
}
static void progress_done(void) {
    if (progress_tty > 0) printf("\r\033[K");
    fflush(stdout);
}

// OpenBLAS, when the system has it, through dlopen: the demo never needs it to build.
typedef void (*cblas_sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int,
                               float, float *, int);
static cblas_sgemm_fn find_openblas(void) {
    const char *names[] = {"libopenblas.so.0", "libopenblas.so"};
    size_t i;
    // OPENBLAS_CORETYPE can force OpenBLAS's weaker AVX2 kernels; the peer should be at its
    // best, and OpenBLAS reads the variable when it is loaded, so drop it first.
    if (getenv("OPENBLAS_CORETYPE")) {
        printf("(OPENBLAS_CORETYPE=%s unset so that OpenBLAS picks its best kernel)\n", getenv("OPENBLAS_CORETYPE"));
        unsetenv("OPENBLAS_CORETYPE");
    }
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        void *h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (h) {
            cblas_sgemm_fn f;
            *(void **)&f = dlsym(h, "cblas_sgemm");
            if (f) return f;
        }
    }
    return NULL;
}

// The lesson's own times for each rung, beside the C table: lesson_time_of (common.h).
static void fmt_time(char *buf, size_t n, double s) {
    if (s <= 0) snprintf(buf, n, "-");
    else if (s < 1e-3) snprintf(buf, n, "%.1f us", s * 1e6);
    else if (s < 1) snprintf(buf, n, "%.2f ms", s * 1e3);
    else snprintf(buf, n, "%.2f s", s);
}
static void fmt_speedup(char *buf, size_t n, double x) {
    if (x < 10) snprintf(buf, n, "%.1fx", x);
    else snprintf(buf, n, "%.0fx", x);
}

// One row of the ladder table.
typedef struct row {
    char name[40];
    double small_s;  // median seconds on x_valid[:5] @ weights; < 0: not run
    double full_s;   // median seconds on x_train @ weights; < 0: not run
    int small_ok, full_ok;
} row;

typedef struct timing {
    double median;
    gu_tensor last;  // the last result, for checking
} timing;

static timing time_rung(gu_matmul_fn fn, gu_tensor a, gu_tensor b, int reps, double budget_s) {
    double t[64];
    int n = 0;
    timing r;
    double start = now();
    memset(&r, 0, sizeof r);  // r.last starts as an invalid tensor, which gu_free skips
    if (reps > 64) reps = 64;
    while (n < reps) {
        double t0 = now();
        gu_tensor c = fn(a, b);
        t[n++] = now() - t0;
        gu_free(&r.last);
        r.last = c;
        if (!gu_ok(c) || now() - start > budget_s) break;
    }
    qsort(t, (size_t)n, sizeof t[0], cmp_double);
    r.median = t[n / 2];
    return r;
}

static cblas_sgemm_fn openblas;
static gu_tensor openblas_matmul(gu_tensor a, gu_tensor b) {
    // a is (M,K), b is (K,N), both contiguous here
    int64_t shape[2] = {a.shape[0], b.shape[1]};
    gu_tensor c = gu_empty(GU_FLOAT32, 2, shape);
    if (!gu_ok(c)) return c;
    openblas(101, 111, 111, (int)a.shape[0], (int)b.shape[1], (int)a.shape[1], 1.0f, (const float *)gu_data(a),
             (int)a.stride[0], (const float *)gu_data(b), (int)b.stride[0], 0.0f, (float *)gu_data(c), (int)shape[1]);
    return c;
}

static int png_failures;   // pictures asked for and not written: the exit status says so
static void write_png(int rc, const char *path) {
    if (rc == 0) printf("wrote %s\n", path);
    else {
        printf("could not write %s: %s\n", path, gu_error());
        png_failures++;
    }
}

int main(int argc, char **argv) {
    const char *data_arg = NULL, *out = "out";
    int quick = 0, i, have_mnist = 0;
    char path[1024], png[1200], sh[64];
    gu_mnist d;
    gu_tensor x_train, y_train, x_valid, weights, m1;
    memset(&d, 0, sizeof d);

    for (i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--data") && i + 1 < argc) data_arg = argv[++i];
        else if (!strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
        else if (!strcmp(argv[i], "--quick")) quick = 1;
        else {
            fprintf(stderr, "usage: %s [--data PATH] [--out DIR] [--quick]\n", argv[0]);
            return 2;
        }
    }
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "error: cannot create %s: %s\n", out, strerror(errno));
        return 1;
    }
    {
        struct stat st;
        if (stat(out, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "error: --out %s is not a folder\n", out);
            return 1;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("groundup %s: matrix multiplication from foundations, in C\n", GROUNDUP_VERSION);

    // ---- 1. the data -------------------------------------------------------------------
    section("1. the data");
    if (find_mnist(path, sizeof path, data_arg) == 0 && gu_mnist_load(path, &d) == 0) {
        have_mnist = 1;
        printf("loaded %s\n", path);
    } else {
        int64_t xs[2] = {1000, 784}, ys = 1000;
        printf("no MNIST: %s\n", gu_error());
        printf("running on random tensors instead (run `make data` for the real digits)\n");
        gu_manual_seed(0);
        d.x_train = ok(gu_rand_t(2, xs));
        d.y_train = ok(gu_randint(0, 10, 1, &ys));
        d.x_valid = ok(gu_rand_t(2, xs));
        d.y_valid = ok(gu_randint(0, 10, 1, &ys));
    }
    x_train = d.x_train;
    y_train = d.y_train;
    x_valid = d.x_valid;
    printf("x_train.shape = %s\n", gu_shape_str(x_train, sh, sizeof sh));
    printf("x_valid.shape = %s\n", gu_shape_str(x_valid, sh, sizeof sh));
    printf("y_train = ");
    gu_print(y_train);
    printf("x_train[0][200:210] = ");
    gu_print(ok(gu_slice(ok(gu_select(x_train, 0, 0)), 0, 200, 210, 1)));
    {
        int64_t s3[3] = {-1, 28, 28}, at[3] = {0, 20, 15};
        gu_tensor imgs = ok(gu_reshape(x_train, 3, s3));
        printf("imgs = x_train.reshape((-1,28,28)): %s; imgs[0,20,15] = ", gu_shape_str(imgs, sh, sizeof sh));
        gu_print(ok(gu_index(imgs, 3, at)));
        snprintf(png, sizeof png, "%s/digit.png", out);
        write_png(gu_imshow(png, ok(gu_select(imgs, 0, 0)), NULL), png);
        printf("the first digit (label %lld):\n", (long long)gu_get_flat(y_train, 0));
        gu_term_show(stdout, ok(gu_select(imgs, 0, 0)), 56);
        gu_free(&imgs);
    }

    // ---- 2. random numbers -------------------------------------------------------------
    section("2. random numbers");
    {
        float ys[10000];
        gu_wh_state st;
        double a, b, c, t0, t_wh, t_randn;
        int64_t ws[2] = {784, 10};
        gu_seed(457428938475);
        st = gu_rnd_state();
        printf("seed(457428938475); rnd_state = (%d, %d, %d)\n", st.x, st.y, st.z);
        a = gu_rand(); b = gu_rand(); c = gu_rand();
        printf("rand(), rand(), rand() = (%.17g, %.17g, %.17g)\n", a, b, c);
        fflush(stdout);
        {
            pid_t pid = fork();
            if (pid == 0) {
                printf("In child: %.16g\n", gu_rand());
                fflush(stdout);
                _exit(0);
            }
            if (pid > 0) {
                waitpid(pid, NULL, 0);
                printf("In parent: %.16g   (the same: the child copied the state; reseed in the child)\n", gu_rand());
            }
        }
        for (i = 0; i < 50; i++) ys[i] = (float)gu_rand();
        snprintf(png, sizeof png, "%s/rand_plot.png", out);
        write_png(gu_plot(png, ys, 50, NULL), png);
        for (i = 0; i < 10000; i++) ys[i] = (float)gu_rand();
        snprintf(png, sizeof png, "%s/rand_hist.png", out);
        write_png(gu_hist(png, ys, 10000, 10, NULL), png);
        // the lesson's point: a generator written for speed beats the loop by far
        t0 = now();
        for (i = 0; i < 7840; i++) ys[i % 10000] = (float)gu_rand();
        t_wh = now() - t0;
        t0 = now();
        {
            gu_tensor r = ok(gu_randn(2, ws));
            t_randn = now() - t0;
            gu_free(&r);
        }
        printf("7840 numbers: Wichmann-Hill loop %.1f us, randn(784,10) %.1f us\n", t_wh * 1e6, t_randn * 1e6);
    }

    // ---- 3. the lesson's matmul ---------------------------------------------------------
    section("3. matmul: torch.manual_seed(1); weights = torch.randn(784,10)");
    {
        int64_t ws[2] = {784, 10};
        gu_tensor t1;
        gu_manual_seed(1);
        weights = ok(gu_randn(2, ws));
        printf("weights[0,:] = ");
        gu_print(ok(gu_select(weights, 0, 0)));
        m1 = ok(gu_slice(x_valid, 0, 0, 5, 1));
        t1 = ok(gu_matmul_3loops(m1, weights));
        printf("t1 = matmul_3loops(x_valid[:5], weights)%s =\n", have_mnist ? "" : " (random data)");
        gu_print(t1);
        {
            gu_printopts o = {2, 0, 0, 140, GU_SCI_OFF};
            gu_set_printoptions(o);
            printf("with set_printoptions(precision=2, linewidth=140, sci_mode=False):\n");
            gu_print(t1);
        }
        gu_free(&t1);
    }

    // ---- 4. elementwise and broadcasting ------------------------------------------------
    section("4. elementwise ops and broadcasting");
    {
        float av[3] = {10, 6, -4}, bv[3] = {2, 8, 7}, mv[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, cv[3] = {10, 20, 30};
        int64_t three = 3, s33[2] = {3, 3};
        gu_tensor a, b, m, c;
        gu_tidy_begin();  // every owner made from here to gu_tidy_end is freed there: chains as in Python
        a = gu_from_data(GU_FLOAT32, 1, &three, av);
        b = gu_from_data(GU_FLOAT32, 1, &three, bv);
        m = gu_from_data(GU_FLOAT32, 2, s33, mv);
        c = gu_from_data(GU_FLOAT32, 1, &three, cv);
        printf("a + b = ");
        gu_print(ok(gu_add(a, b)));
        printf("(a < b).float().mean() = ");
        gu_print(ok(gu_mean(gu_to(gu_lt(a, b), GU_FLOAT32))));  // an error anywhere reaches ok()
        printf("(m*m).sum().sqrt() = ");
        gu_print(ok(gu_sqrt(gu_sum(gu_mul(m, m)))));
        printf("m + c = ");
        gu_print(ok(gu_add(m, c)));
        printf("c.expand_as(m).stride() = %s\n", gu_stride_str(ok(gu_expand_as(c, m)), sh, sizeof sh));
        printf("c[None,:] * c[:,None] = ");
        gu_print(ok(gu_mul(gu_unsqueeze(c, 0), gu_unsqueeze(c, 1))));
        printf("c[None] > c[:,None] = ");
        gu_print(ok(gu_gt(gu_unsqueeze(c, 0), gu_unsqueeze(c, 1))));
        gu_tidy_end();
    }

    // ---- 5. the ladder --------------------------------------------------------------------
    section("5. the matmul ladder");
    {
        int nr = 0, k, nrows = 0;
        const gu_matmul_rung *rungs = gu_matmul_ladder(&nr);
        row rows[16];
        gu_tensor ref_small, ref_full = {0};  // zeroed: an invalid tensor, which gu_free skips
        double base_small, base_full = -1, full_budget = quick ? 3.0 : 20.0;
        gu_printopts dflt;
        char s1[64], s2[64], s3[64];  // shapes, "(5, 784)"
        memset(&dflt, 0, sizeof dflt);
        gu_set_printoptions(dflt);
        openblas = find_openblas();
        ref_small = ok(gu_matmul_3loops(m1, weights));
        printf("x_valid[:5] @ weights is %s @ %s; x_train @ weights is %s @ %s\n", gu_shape_str(m1, s1, sizeof s1),
               gu_shape_str(weights, s2, sizeof s2), gu_shape_str(x_train, s3, sizeof s3), s2);
        printf("every result checked with test_close(eps=1e-3) against matmul_3loops\n\n");
        for (k = 0; k <= nr && nrows < 16; k++) {
            gu_matmul_fn fn = k < nr ? rungs[k].fn : openblas_matmul;
            const char *name = k < nr ? rungs[k].name : "OpenBLAS cblas_sgemm";
            row *r = &rows[nrows];
            timing t;
            if (k == nr && !openblas) break;
            snprintf(r->name, sizeof r->name, "%s", name);
            progress("x_valid[:5] @ weights", k + 1, nr + (openblas != NULL), name);
            t = time_rung(fn, m1, weights, quick ? 5 : 21, 2.0);
            r->small_s = t.median;
            r->small_ok = gu_test_close(t.last, ref_small, 1e-3);
            gu_free(&t.last);
            r->full_s = -1;
            r->full_ok = 0;
            nrows++;
        }
        base_small = rows[0].small_s;
        // The whole of x_train for the rungs fast enough: each rung's small time scaled by
        // the row count predicts the full time.
        {
            double scale = (double)x_train.shape[0] / 5.0;
            for (k = 0; k < nrows; k++) {
                gu_matmul_fn fn = k < nr ? rungs[k].fn : openblas_matmul;
                double predicted = rows[k].small_s * scale;
                timing t;
                if (predicted > full_budget) continue;
                progress("x_train @ weights", k + 1, nrows, rows[k].name);
                t = time_rung(fn, x_train, weights, predicted < 0.5 ? (quick ? 3 : 7) : 1, full_budget);
                rows[k].full_s = t.median;
                // the first rung that runs on x_train is the reference for the others
                if (!gu_ok(ref_full)) ref_full = gu_clone(t.last);
                rows[k].full_ok = gu_test_close(t.last, ref_full, 1e-3);
                gu_free(&t.last);
            }
        }
        progress_done();
        // speedups on x_train are over matmul_3loops' time there, measured or predicted
        base_full = rows[0].full_s >= 0 ? rows[0].full_s : rows[0].small_s * (double)x_train.shape[0] / 5.0;
        printf("%-27s %13s %8s %5s %11s | %11s %8s %5s %11s\n", "rung", "x_valid[:5]@w", "speedup", "close",
               "lesson(py)", "x_train@w", "speedup", "close", "lesson(py)");
        for (k = 0; k < nrows; k++) {
            char ts[32], sp[32], ls[32], tf[32], fp[32], lf[32];
            const lesson_time *lt = lesson_time_of(rows[k].name);
            fmt_time(ts, sizeof ts, rows[k].small_s);
            fmt_speedup(sp, sizeof sp, base_small / rows[k].small_s);
            fmt_time(ls, sizeof ls, lt ? lt->small_s : 0);
            fmt_time(tf, sizeof tf, rows[k].full_s >= 0 ? rows[k].full_s : 0);
            if (rows[k].full_s >= 0) fmt_speedup(fp, sizeof fp, base_full / rows[k].full_s);
            else snprintf(fp, sizeof fp, "-");
            fmt_time(lf, sizeof lf, lt ? lt->full_s : 0);
            printf("%-27s %13s %8s %5s %11s | %11s %8s %5s %11s\n", rows[k].name, ts, sp, rows[k].small_ok ? "yes" : "NO",
                   ls, tf, fp, rows[k].full_s >= 0 ? (rows[k].full_ok ? "yes" : "NO") : "-", lf);
        }
        if (rows[0].full_s < 0)
            printf("(x_train speedups are over matmul_3loops' time predicted from its 5-row time: %.2f s)\n", base_full);
        printf("\nIn C the three loops are already compiled code, so the rungs that only removed\n"
               "Python's interpreter overhead (dot, elementwise, dotproduct, broadcast) cannot win\n"
               "here: the lesson's speedups came from leaving Python. What still pays is how the\n"
               "work meets the machine: einsum and matmul run the packed, vectorised, threaded gemm.\n");
        {
            // a bar chart of the speedups on a log scale
            const char *labels[16];
            float vals[16];
            for (k = 0; k < nrows; k++) {
                labels[k] = rows[k].name;
                vals[k] = (float)(base_small / rows[k].small_s);
            }
            snprintf(png, sizeof png, "%s/ladder_speedups.png", out);
            write_png(gu_bar_titled(png, "speedup over matmul_3loops, 5x784 @ 784x10 (log scale)", labels, vals, nrows, 1), png);
        }
        gu_free(&ref_small);
        gu_free(&ref_full);
    }

    gu_free(&weights);
    gu_mnist_free(&d);
    if (png_failures) {
        printf("\nwalkthrough: done, but %d picture(s) could not be written\n", png_failures);
        return 1;
    }
    printf("\nwalkthrough: done\n");
    return 0;
}
