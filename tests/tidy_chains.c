// tests/tidy_chains.c - the lesson's chains, 100,000 times inside tidy scopes, keeping some
// results: the values are right, the memory stays flat (the library's live allocations,
// counted through its allocation hooks, and the resident size on Linux), and under the ASan
// build LeakSanitizer finds nothing at exit. `make test` runs it both ways.
//    cc -O2 tests/tidy_chains.c -lm -lz -lpthread && ./a.out [iterations]
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// Every allocation of the library goes through these: count the live blocks.
static long live_blocks;
static void *count_malloc(size_t n) { void *p = malloc(n); if (p) live_blocks++; return p; }
static void *count_realloc(void *p, size_t n) { void *q = realloc(p, n); if (q && !p) live_blocks++; return q; }
static void count_free(void *p) { if (p) live_blocks--; free(p); }
#define GU_MALLOC(n) count_malloc(n)
#define GU_REALLOC(p, n) count_realloc(p, n)
#define GU_FREE(p) count_free(p)
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"

static long rss_kib(void) {  // resident set size in KiB; -1 where /proc is not there
    long pages = -1, rss = -1;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = -1;
    fclose(f);
    return rss < 0 ? -1 : rss * 4;  // 4 KiB pages on every Linux we test on
}

static int fails;
#define EXPECT(c) do { if (!(c)) { fails++; if (fails < 10) fprintf(stderr, "tidy_chains:%d: %s failed (%s)\n", __LINE__, #c, gu_error()); } } while (0)

int main(int argc, char **argv) {
    long iters = argc > 1 ? atol(argv[1]) : 100000, i, rss_warm = -1, rss_end, live_before, live_warm = -1, live_max = 0;
    int64_t s33[2] = {3, 3}, s3[1] = {3}, sx[2] = {10, 8}, sw[2] = {8, 4};
    float av[3] = {1, 5, 3}, bv[3] = {2, 4, 6}, xv[80], wv[32];
    int64_t want_argmax[5];
    gu_tensor a, b, m1, m, x_valid, w, kept[100];
    int nkept = 0, r, k;
    for (k = 0; k < 80; k++) xv[k] = (float)((k * 37) % 11) / 10.0f - 0.5f;
    for (k = 0; k < 32; k++) wv[k] = (float)((k * 13) % 7) / 7.0f - 0.4f;
    for (r = 0; r < 5; r++) {  // the reference: (x_valid[:5] @ w).argmax(1) by loops
        float best = -INFINITY;
        for (k = 0; k < 4; k++) {
            float acc = 0;
            int j;
            for (j = 0; j < 8; j++) acc += xv[r * 8 + j] * wv[j * 4 + k];
            if (acc > best) { best = acc; want_argmax[r] = k; }
        }
    }
    // made outside every scope: untracked, freed by hand at the end
    a = gu_from_data(GU_FLOAT32, 1, s3, av);
    b = gu_from_data(GU_FLOAT32, 1, s3, bv);
    m1 = gu_arange(1, 10, 1, GU_FLOAT32);
    m = gu_view(m1, 2, s33);  // (3, 3), a view of m1
    x_valid = gu_from_data(GU_FLOAT32, 2, sx, xv);
    w = gu_from_data(GU_FLOAT32, 2, sw, wv);

    live_before = live_blocks;
    gu_tidy_begin();  // an outer scope around the whole loop, as a program's main might have
    for (i = 0; i < iters; i++) {
        gu_tensor f, n, am, c, mean;
        gu_tidy_begin();
        f = gu_to(gu_lt(a, b), GU_FLOAT32);                               // (a < b).float()
        n = gu_sqrt(gu_sum(gu_mul(m, m)));                                // (m*m).sum().sqrt()
        am = gu_argmax_dim(gu_matmul(gu_slice(x_valid, 0, 0, 5, 1), w), 1, 0);  // (x_valid[:5] @ w).argmax(1)
        c = gu_add(gu_unsqueeze(gu_from_data(GU_FLOAT32, 1, s3, bv), 1), m);     // c[:, None] + m
        mean = gu_mean(gu_mul_scalar(gu_sub(c, gu_ones(GU_FLOAT32, 2, s33)), 0.5));
        if (i % 4096 == 0) {  // check every value now and then (it is the same chain each time)
            EXPECT(gu_get_flat(f, 0) == 1 && gu_get_flat(f, 1) == 0 && gu_get_flat(f, 2) == 1 && f.dtype == GU_FLOAT32);
            EXPECT(fabs(gu_item(n) - sqrt(285.0)) < 1e-4);
            for (r = 0; r < 5; r++) EXPECT(gu_get_flat(am, r) == (double)want_argmax[r]);
            EXPECT(gu_get_flat(c, 0) == 3 && gu_get_flat(c, 8) == 15);
            EXPECT(fabs(gu_item(mean) - 0.5 * (45.0 + 3 * 12.0 - 9.0) / 9.0) < 1e-5);
        }
        if (i % 1000 == 999 && nkept < 100) {  // keep a few: they outlive both scopes
            gu_tidy_begin();
            kept[nkept] = gu_keep(gu_add_scalar(n, (double)nkept));  // made in an inner scope
            nkept++;
            gu_tidy_end();
        }
        if (i % 3 == 0) gu_free(&f);  // an early free inside the scope is fine too
        if (live_blocks - nkept > live_max) live_max = live_blocks - nkept;
        gu_tidy_end();
        if (i == 2000) { rss_warm = rss_kib(); live_warm = live_blocks - nkept; }
    }
    EXPECT(live_blocks - nkept == live_warm);  // between iterations: the same blocks live
    gu_tidy_end();
    rss_end = rss_kib();
    EXPECT(live_blocks == live_before + nkept);  // the scopes gave everything back but the kept
    EXPECT(live_max < live_before + 64);         // one iteration's chains at most, never more

    for (k = 0; k < nkept; k++) {
        EXPECT(fabs(gu_item(kept[k]) - (sqrt(285.0) + k)) < 1e-3);
        gu_free(&kept[k]);
    }
    gu_free(&a); gu_free(&b); gu_free(&m1); gu_free(&x_valid); gu_free(&w);
    EXPECT(live_blocks == 0);
    printf("tidy_chains: %ld iterations, %d kept, at most %ld live blocks; RSS %ld KiB after 2000, %ld KiB at the end\n",
           iters, nkept, live_max, rss_warm, rss_end);
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TIDY_ASAN 1
#endif
#endif
#if !defined(__SANITIZE_ADDRESS__) && !defined(TIDY_ASAN)  // ASan's quarantine holds freed memory
    // flat: at most 1 MiB more after 98% of the loop than after its first 2%, kept tensors included
    // (not under valgrind, whose own memory grows: it preloads vgpreload_*.so)
    if (rss_warm > 0 && rss_end > 0 && iters >= 10000 && !(getenv("LD_PRELOAD") && strstr(getenv("LD_PRELOAD"), "vgpreload")))
        EXPECT(rss_end - rss_warm < 1024);
#endif
    if (fails) { printf("tidy_chains: %d checks failed\n", fails); return 1; }
    printf("tidy_chains: ok\n");
    return 0;
}
