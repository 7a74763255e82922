// bench/tidy.c - what does a tidy scope cost in a loop of small ops, and would an arena
// for the intermediates help? (an arena could only save the malloc/free calls)
// Build: make build/bench_tidy
// The lesson's chains on tiny tensors ((a < b).float(), (m*m).sum().sqrt(),
// (x[:5] @ w).argmax(1)), per iteration: (1) in a tidy scope, (2) the same ops with every
// intermediate freed by hand, (3) malloc + free of blocks of the same sizes alone: the most
// an arena could take off. Medians of 9 runs of 100,000 iterations, ns per iteration.
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include "bench.h"

#define ITERS 100000
#define RUNS 9

static gu_tensor a, b, m, x, w;

static void chains_tidy(void) {
    gu_tidy_begin();
    (void)gu_to(gu_lt(a, b), GU_FLOAT32);
    (void)gu_sqrt(gu_sum(gu_mul(m, m)));
    (void)gu_argmax_dim(gu_matmul(gu_slice(x, 0, 0, 5, 1), w), 1, 0);
    gu_tidy_end();
}
static void chains_by_hand(void) {
    gu_tensor t1 = gu_lt(a, b), t2 = gu_to(t1, GU_FLOAT32);
    gu_tensor t3 = gu_mul(m, m), t4 = gu_sum(t3), t5 = gu_sqrt(t4);
    gu_tensor t6 = gu_matmul(gu_slice(x, 0, 0, 5, 1), w), t7 = gu_argmax_dim(t6, 1, 0);
    gu_free(&t1); gu_free(&t2); gu_free(&t3); gu_free(&t4); gu_free(&t5); gu_free(&t6); gu_free(&t7);
}
// The same seven allocations (bytes as the ops ask for them), no ops.
static void mallocs_alone(void) {
    static const size_t sizes[7] = {3, 12, 36, 4, 4, 20 * 4, 5 * 8};
    void *p[7];
    int i;
    for (i = 0; i < 7; i++) p[i] = malloc(sizes[i]);
    for (i = 0; i < 7; i++) ((volatile char *)p[i])[0] = 0;
    for (i = 6; i >= 0; i--) free(p[i]);
}

static double median_ns(void (*fn)(void)) {
    double t[RUNS];
    int r, i;
    for (r = 0; r < RUNS; r++) {
        double t0 = now();
        for (i = 0; i < ITERS; i++) fn();
        t[r] = (now() - t0) / ITERS * 1e9;
    }
    qsort(t, RUNS, sizeof t[0], cmp_double);
    return t[RUNS / 2];
}

int main(void) {
    int64_t s3 = 3, s33[2] = {3, 3}, sx[2] = {10, 8}, sw[2] = {8, 4};
    double tidy, hand, mal;
    gu_manual_seed(1);
    a = gu_rand_t(1, &s3); b = gu_rand_t(1, &s3); m = gu_rand_t(2, s33);
    x = gu_rand_t(2, sx); w = gu_rand_t(2, sw);
    tidy = median_ns(chains_tidy);
    hand = median_ns(chains_by_hand);
    mal = median_ns(mallocs_alone);
    printf("three lesson chains on tiny tensors (7 owners), ns per iteration, median of %d x %d:\n", RUNS, ITERS);
    printf("  %-40s %8.0f\n", "in a tidy scope", tidy);
    printf("  %-40s %8.0f\n", "intermediates freed by hand", hand);
    printf("  %-40s %8.0f  (%.0f%% of the scope's loop)\n", "malloc + free of the 7 blocks alone", mal, 100 * mal / tidy);
    printf("tidy scope overhead: %+.0f ns per iteration (%+.1f%%)\n", tidy - hand, 100 * (tidy - hand) / hand);
    gu_free(&a); gu_free(&b); gu_free(&m); gu_free(&x); gu_free(&w);
    return 0;
}
