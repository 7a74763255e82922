// cc -O2 -march=native -I.. -o 05_matmul 05_matmul.c -lm -lz -lpthread
//
// 05_matmul: the lesson's ladder of matrix multiplications, each rung removing a loop:
// three loops, a compiled dot, elementwise ops, a dot primitive, broadcasting, einsum,
// and the fast matmul. Each rung multiplies x_valid[:5] (5, 784) by weights (784, 10), is
// checked against matmul_3loops with test_close (eps 1e-3, as the lesson), and timed (the
// median of repeats). Then the rungs that finish in seconds run on all of x_train
// (50000, 784) @ (784, 10), as the lesson does. The last column is the lesson's own
// Python timing of the same rung (its notebook, its machine; "-" where it gave none).
//
// What the table shows in C: the three loops are already compiled, so the Python ladder's
// big steps (removing interpreter work) are gone. What remains is how the work meets the
// hardware: one accumulator chain (3loops, 2loops_dot) runs at the add latency; several
// accumulators (2loops_dotproduct) at more of the FMA throughput; the generic elementwise
// and reduction ops (elementwise, broadcast) pay for their generality in every call, and
// the broadcast rung writes and rereads a (784, 10) temporary per row; einsum and matmul
// pack the operands and run a SIMD GEMM kernel.
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

// Seconds per call of fn(a, b): the median of `samples` timings, each of enough calls to
// last about `min_s` (so that microsecond rungs are not measured by the clock's grain).
static double time_rung(gu_matmul_fn fn, gu_tensor a, gu_tensor b, int samples, double min_s) {
    double t[31], t0;
    int reps = 1, s, r;
    gu_tensor c;
    if (samples > 31) samples = 31;
    for (;;) {  // how many calls make one sample
        t0 = now();
        for (r = 0; r < reps; r++) { c = fn(a, b); gu_free(&c); }
        if (now() - t0 >= min_s || reps >= 1 << 20) break;
        reps *= 2;
    }
    for (s = 0; s < samples; s++) {
        t0 = now();
        for (r = 0; r < reps; r++) { c = fn(a, b); gu_free(&c); }
        t[s] = (now() - t0) / reps;
    }
    qsort(t, (size_t)samples, sizeof t[0], cmp_double);
    return t[samples / 2];
}

static void print_time(double s) {
    if (s < 1e-3) printf("%9.1f us", s * 1e6);
    else if (s < 1) printf("%9.2f ms", s * 1e3);
    else printf("%9.2f s ", s);
}

int main(int argc, char **argv) {
    gu_tensor x_train, x_valid, weights, m1, t1;
    int64_t ws[2] = {784, 10};
    int n, i, real;
    const gu_matmul_rung *rungs = gu_matmul_ladder(&n);
    double t_ref = 0, t_ref_full = 0, secs[16];

    real = load_data(argc > 1 ? argv[1] : NULL, &x_train, &x_valid);
    gu_manual_seed(1);
    weights = ok(gu_randn(2, ws));          // torch.randn(784, 10)
    m1 = ok(gu_slice(x_valid, 0, 0, 5, 1));  // x_valid[:5], a view: (5, 784) (fewer on tiny data)

    t1 = ok(gu_matmul_3loops(m1, weights));  // the reference
    printf("m1 = x_valid[:5]%s, m2 = weights (784, 10); matmul_3loops(m1, m2):\n", real ? "" : " (stand-in)");
    gu_print(t1);

    printf("\n%-26s %-6s %12s %10s %12s\n", "rung (5x784 @ 784x10)", "close", "median", "speedup", "lesson");
    for (i = 0; i < n; i++) {
        gu_tensor c = ok(rungs[i].fn(m1, weights));
        const lesson_time *lesson = lesson_time_of(rungs[i].name);
        int close = gu_test_close(t1, c, 1e-3);
        double s = time_rung(rungs[i].fn, m1, weights, i == 0 ? 11 : 21, i == 0 ? 0.02 : 0.005);
        if (i == 0) t_ref = s;
        printf("%-26s %-6s ", rungs[i].name, close ? "ok" : "FAIL");
        print_time(s);
        printf(" %9.1fx ", t_ref / s);
        if (lesson && lesson->small_s > 0) print_time(lesson->small_s);
        else printf("%12s", "-");
        printf("\n");
        if (!close) printf("   %s\n", gu_error());
        gu_free(&c);
    }

    // The whole training set: 10000 times the work. Each rung's small time says whether
    // it finishes in seconds; the broadcasting result is the reference, as in the lesson.
    {
        char title[64];
        snprintf(title, sizeof title, "rung (%lldx784 @ 784x10)", (long long)x_train.shape[0]);
        printf("\n%-26s %-6s %12s %10s %12s\n", title, "close", "time", "speedup", "lesson");
    }
    {
        gu_tensor tr = ok(gu_matmul_1loop_broadcast(x_train, weights));
        for (i = 0; i < n; i++) {
            gu_tensor c;
            const lesson_time *lesson = lesson_time_of(rungs[i].name);
            double t0, small = time_rung(rungs[i].fn, m1, weights, 3, 0.002);
            int close;
            if (small * 10000 > 20) {
                printf("%-26s %-6s (about %.0f s: skipped)\n", rungs[i].name, "-", small * 10000);
                secs[i] = 0;
                continue;
            }
            t0 = now();
            c = ok(rungs[i].fn(x_train, weights));
            secs[i] = now() - t0;
            if (secs[i] < 0.5) {  // fast enough to take a median
                gu_free(&c);
                secs[i] = time_rung(rungs[i].fn, x_train, weights, 3, 0);
                c = ok(rungs[i].fn(x_train, weights));
            }
            if (i == 0) t_ref_full = secs[0];
            close = gu_test_close(tr, c, 1e-3);
            printf("%-26s %-6s ", rungs[i].name, close ? "ok" : "FAIL");
            print_time(secs[i]);
            if (t_ref_full > 0) printf(" %9.1fx ", t_ref_full / secs[i]);
            else printf(" %10s ", "-");
            if (lesson && lesson->full_s > 0) print_time(lesson->full_s);
            else printf("%12s", "-");
            printf("\n");
            if (!close) printf("   %s\n", gu_error());
            gu_free(&c);
        }
        gu_free(&tr);
    }

    gu_free(&t1);
    gu_free(&weights);
    gu_free(&x_train);
    gu_free(&x_valid);
    return 0;
}
