// tests/oom.c - memory, counted through the allocation hooks (GU_MALLOC/GU_REALLOC/GU_FREE).
// Build and run from tests/ (`make test-oom` does, under ASan with leak checks):
//   cc -O1 -g -fsanitize=address,undefined -o ../build/oom oom.c -lm -lz -lpthread && ../build/oom
//
// 1. Allocation failure: a scenario that loads the mini MNIST (pickle and IDX), computes,
//    prints and writes PNGs runs once to count its allocations, then once more for every i
//    with allocation #i failing. Each run must end in an error message (or succeed when the
//    library could do without that allocation), never abort, and leave nothing allocated.
// 2. Peaks, as a hostile file would push them: a DUP bomb (a 64 MB pickle of DUPs, gzip'd
//    to about 70 KB) stays under 100 MB; an array referenced 16 times is not copied 16
//    times; the IDX loader peaks at about the arrays it returns.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <stddef.h>

// ---- the counting allocator: a header before each block holds its size ----
static long oom_count;           // allocations so far
static long oom_fail_at = -1;    // the allocation number that fails (-1: none)
static int64_t oom_live, oom_peak;
typedef union { size_t n; long double ld; void *p; int64_t i; } oom_head;  // aligned as malloc's blocks

static void *oom_malloc(size_t n) {
    oom_head *h;
    if (++oom_count == oom_fail_at) return NULL;
    h = (oom_head *)malloc(sizeof(oom_head) + n);
    if (!h) return NULL;
    h->n = n;
    oom_live += (int64_t)n;
    if (oom_live > oom_peak) oom_peak = oom_live;
    return h + 1;
}
static void oom_free(void *p) {
    oom_head *h;
    if (!p) return;
    h = (oom_head *)p - 1;
    oom_live -= (int64_t)h->n;
    free(h);
}
static void *oom_realloc(void *p, size_t n) {
    oom_head *h, *q;
    size_t old;
    if (!p) return oom_malloc(n);
    if (++oom_count == oom_fail_at) return NULL;
    h = (oom_head *)p - 1;
    old = h->n;
    q = (oom_head *)realloc(h, sizeof(oom_head) + n);
    if (!q) return NULL;
    q->n = n;
    oom_live += (int64_t)n - (int64_t)old;
    if (oom_live > oom_peak) oom_peak = oom_live;
    return q + 1;
}
#define GU_MALLOC(n) oom_malloc(n)
#define GU_REALLOC(p, n) oom_realloc(p, n)
#define GU_FREE(p) oom_free(p)
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include <unistd.h>
#include <sys/stat.h>
#include "runner.h"  // t_gzip

static int failures;
#define EXPECT(c, ...) do { if (!(c)) { failures++; fprintf(stderr, "oom.c:%d: ", __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } } while (0)

// ---- 1. the scenario ----
#define MINI "fixtures/mnist/"

// The lesson in small: load, compute, print, draw. 0, or -1 with gu_error() set.
static int scenario(const char *png) {
    gu_mnist m, mi;
    gu_tensor w, xs, logits, z, s;
    int64_t wsh[2] = {784, 10}, img_sh[2] = {28, 28};
    char *text;
    float ys[4] = {1, 3, 2, 5};
    int rc = 0;
    if (gu_mnist_load(MINI "mini_mnist.pkl.gz", &m) != 0) return -1;
    if (gu_mnist_load_idx(MINI "mini", &mi) != 0) { gu_mnist_free(&m); return -1; }
    w = gu_randn(2, wsh);
    xs = gu_narrow(m.x_valid, 0, 0, 2);
    logits = gu_matmul(xs, w);                 // (2, 784) @ (784, 10)
    z = gu_add(logits, gu_select(logits, 0, 1));  // broadcast a row over the rows
    s = gu_sum_dim(z, 1, 0);
    text = gu_repr(s);
    if (!text) rc = -1;
    gu_free_mem(text);
    if (rc == 0 && gu_imshow(png, gu_view(gu_select(mi.x_train, 0, 0), 2, img_sh), NULL) != 0) rc = -1;
    if (rc == 0 && gu_plot(png, ys, 4, NULL) != 0) rc = -1;
    if (rc == 0 && gu_bar(png, (const char *const[]){"a", "b"}, ys, 2, 1) != 0) rc = -1;
    if (rc == 0 && !gu_ok(s)) rc = -1;
    gu_free(&s);
    gu_free(&z);
    gu_free(&logits);
    gu_free(&w);
    gu_mnist_free(&mi);
    gu_mnist_free(&m);
    return rc;
}

static void test_every_allocation_fails(void) {
    char png[64];
    long n, i, errors = 0, ok = 0;
    int64_t live0;
    snprintf(png, sizeof png, "oom_%d.png", (int)getpid());
    gu_set_num_threads(1);
    live0 = oom_live;  // the library's lasting state, if any, made by a first run
    EXPECT(scenario(png) == 0, "the scenario fails without any failed allocation: %s", gu_error());
    live0 = oom_live;
    oom_count = 0;
    EXPECT(scenario(png) == 0, "the scenario fails without any failed allocation: %s", gu_error());
    n = oom_count;
    for (i = 1; i <= n; i++) {
        int rc;
        gu_clear_error();
        oom_count = 0;
        oom_fail_at = i;
        rc = scenario(png);
        oom_fail_at = -1;
        if (rc == 0) ok++;
        else {
            errors++;
            EXPECT(gu_error()[0] != 0, "allocation %ld of %ld failed: -1 but no message", i, n);
        }
        EXPECT(oom_live == live0, "allocation %ld of %ld failed: %lld bytes left allocated (%s)", i, n,
               (long long)(oom_live - live0), gu_error());
        {
            struct stat st;
            char tmpname[128];
            snprintf(tmpname, sizeof tmpname, ".gu%d-0.tmp", (int)getpid());   // beside png, in this folder
            EXPECT(stat(tmpname, &st) != 0, "allocation %ld: a temporary file is left", i);
        }
    }
    remove(png);
    printf("oom: %ld allocations, each made to fail in turn: %ld runs returned -1 with a message, %ld did without it\n", n,
           errors, ok);
}

// ---- 2. peaks ----
static int write_file(const char *path, const void *p, size_t n) {
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(p, 1, n, f) == n;
    if (f && fclose(f) != 0) ok = 0;
    return ok ? 0 : -1;
}

// A list that DUP fills: ] then 64000 times ( N 2*1000 e, then STOP. 64 MB of pickle.
static void test_dup_bomb(void) {
    const int frames = 64000, dups = 1000;
    size_t n = 3 + (size_t)frames * (size_t)(dups + 3) + 1, gzn, at = 0;
    unsigned char *p = (unsigned char *)malloc(n), *z;
    gu_tensor out[4];
    int count = 0, k, rc;
    const char *path = "oom_dup_bomb.pkl.gz";
    p[at++] = 0x80; p[at++] = 2; p[at++] = ']';
    for (k = 0; k < frames; k++) {
        p[at++] = '(';
        p[at++] = 'N';
        memset(p + at, '2', (size_t)dups);
        at += (size_t)dups;
        p[at++] = 'e';
    }
    p[at++] = '.';
    z = t_gzip(p, at, &gzn);
    free(p);
    EXPECT(write_file(path, z, gzn) == 0, "cannot write %s", path);
    free(z);
    oom_peak = oom_live;
    rc = gu_pkl_load(path, out, 4, &count);
    EXPECT(rc == -1 && strstr(gu_error(), "references"), "the DUP bomb: rc %d, %s", rc, gu_error());
    EXPECT(oom_peak - oom_live < 100 * 1000 * 1000, "the DUP bomb (%zu bytes gzip'd) peaked at %.1f MB", gzn,
           (oom_peak - oom_live) / 1e6);
    printf("oom: a DUP bomb of %.1f MB (%zu bytes gzip'd) peaks at %.1f MB, refused: %s\n", at / 1e6, gzn,
           (oom_peak - oom_live) / 1e6, gu_error());
    remove(path);
}

// ( array BINPUT 0, BINGET 0 (refs - 1) times, t . : one float32 array of numel zeros
// referenced refs times in the result tuple.
static unsigned char *shared_pickle(int64_t numel, int refs, size_t *len) {
    static const char head[] = "\x80\x02(cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85" "C\x01" "b\x87R";
    size_t cap = 512 + (size_t)numel * 4 + (size_t)refs * 2, at = 0;
    unsigned char *p = (unsigned char *)calloc(1, cap);
    uint64_t bytes = (uint64_t)numel * 4;
    int k;
    memcpy(p, head, sizeof head - 1);
    at = sizeof head - 1;
    // BUILD state (1, (numel,), dtype('f4'), False, data)
    p[at++] = '(';
    p[at++] = 'K'; p[at++] = 1;
    p[at++] = 'J';
    for (k = 0; k < 4; k++) p[at++] = (unsigned char)((uint64_t)numel >> (8 * k));
    p[at++] = 0x85;
    {
        static const char dt[] = "cnumpy\ndtype\nC\x02" "f4\x85R";  // numpy.dtype('f4')
        memcpy(p + at, dt, sizeof dt - 1);
        at += sizeof dt - 1;
    }
    p[at++] = 0x89;
    p[at++] = 0x8e;  // BINBYTES8
    for (k = 0; k < 8; k++) p[at++] = (unsigned char)(bytes >> (8 * k));
    at += (size_t)bytes;  // zeros
    p[at++] = 't';
    p[at++] = 'b';
    p[at++] = 'q'; p[at++] = 0;
    for (k = 1; k < refs; k++) { p[at++] = 'h'; p[at++] = 0; }
    p[at++] = 't';
    p[at++] = '.';
    *len = at;
    return p;
}

static void test_shared_array_bomb(void) {
    const int64_t numel = 4 << 20;  // 16 MB of float32
    const double mb = numel * 4 / 1e6;
    gu_tensor out[16];
    int count = 0, rc, k;
    size_t n, gzn;
    unsigned char *p = shared_pickle(numel, 16, &n), *z = t_gzip(p, n, &gzn);
    const char *path = "oom_shared.pkl.gz";
    free(p);
    EXPECT(write_file(path, z, gzn) == 0, "cannot write %s", path);
    free(z);
    oom_peak = oom_live;
    rc = gu_pkl_load(path, out, 16, &count);
    EXPECT(rc == -1 && strstr(gu_error(), "repeats"), "16 references to one array: rc %d, %s", rc, gu_error());
    for (k = 0; rc == 0 && k < count; k++) gu_free(&out[k]);
    EXPECT(oom_peak - oom_live < 3 * numel * 4, "16 references to a %.0f MB array peaked at %.1f MB", mb,
           (oom_peak - oom_live) / 1e6);
    printf("oom: one %.0f MB array referenced 16 times (%zu bytes gzip'd) peaks at %.1f MB, refused: %s\n", mb, gzn,
           (oom_peak - oom_live) / 1e6, gu_error());
    // twice is fine: two owners, each a copy
    p = shared_pickle(1000, 2, &n);
    rc = gu_pkl_load_mem(p, n, out, 16, &count);
    EXPECT(rc == 0 && count == 2 && out[0].base != out[1].base && gu_numel(out[1]) == 1000, "(x, x): %s", gu_error());
    for (k = 0; k < count; k++) gu_free(&out[k]);
    free(p);
    remove(path);
}

// An MNIST-shaped IDX directory of n training and n/6 test images: the loader's peak is
// the arrays it returns (float32 images, int64 labels) plus small buffers.
static void write_idx(const char *path, int ndim, const int64_t *shape, int gzip_it) {
    int64_t numel = 1;
    size_t n, at = 4, gzn;
    unsigned char *p, *z;
    int k;
    for (k = 0; k < ndim; k++) numel *= shape[k];
    n = 4 + 4 * (size_t)ndim + (size_t)numel;
    p = (unsigned char *)malloc(n);
    p[0] = 0; p[1] = 0; p[2] = 0x08; p[3] = (unsigned char)ndim;
    for (k = 0; k < ndim; k++, at += 4) {
        p[at] = (unsigned char)(shape[k] >> 24); p[at + 1] = (unsigned char)(shape[k] >> 16);
        p[at + 2] = (unsigned char)(shape[k] >> 8); p[at + 3] = (unsigned char)shape[k];
    }
    for (k = 0; at < n; at++, k++) p[at] = (unsigned char)(ndim == 1 ? k % 10 : k * 7);
    if (gzip_it) {
        z = t_gzip(p, n, &gzn);
        write_file(path, z, gzn);
        free(z);
    } else {
        write_file(path, p, n);
    }
    free(p);
}

static void test_idx_peak(void) {
    const int64_t n = 12000, nt = 2000;
    char dir[64], path[128];
    int64_t sh_tr[3] = {n, 28, 28}, sh_te[3] = {nt, 28, 28}, l_tr[1] = {n}, l_te[1] = {nt};
    int gzip_it;
    for (gzip_it = 0; gzip_it < 2; gzip_it++) {
        gu_mnist m;
        double returned;
        snprintf(dir, sizeof dir, "oom_idx_%d", (int)getpid());
        mkdir(dir, 0700);
        snprintf(path, sizeof path, "%s/train-images-idx3-ubyte%s", dir, gzip_it ? ".gz" : "");
        write_idx(path, 3, sh_tr, gzip_it);
        snprintf(path, sizeof path, "%s/train-labels-idx1-ubyte%s", dir, gzip_it ? ".gz" : "");
        write_idx(path, 1, l_tr, gzip_it);
        snprintf(path, sizeof path, "%s/t10k-images-idx3-ubyte%s", dir, gzip_it ? ".gz" : "");
        write_idx(path, 3, sh_te, gzip_it);
        snprintf(path, sizeof path, "%s/t10k-labels-idx1-ubyte%s", dir, gzip_it ? ".gz" : "");
        write_idx(path, 1, l_te, gzip_it);
        {
            int64_t base = oom_live;
            double peak, held;
            oom_peak = base;
            EXPECT(gu_mnist_load_idx(dir, &m) == 0, "idx: %s", gu_error());
            peak = (double)(oom_peak - base);
            held = (double)(oom_live - base);  // what the loader returned
            returned = (double)(n + nt) * 784 * 4 + (double)(n + nt) * 8;
            EXPECT(held == returned, "idx: %.0f bytes held, %.0f returned", held, returned);
            EXPECT(peak <= 1.05 * returned, "idx%s: peak %.2f MB for %.2f MB returned (%.3fx)", gzip_it ? " (gzip)" : "",
                   peak / 1e6, returned / 1e6, peak / returned);
            printf("oom: MNIST-shaped IDX folder%s, %lld + %lld images: peak %.2f MB for %.2f MB returned (%.3fx)\n",
                   gzip_it ? " (gzip'd)" : "", (long long)n, (long long)nt, peak / 1e6, returned / 1e6, peak / returned);
        }
        gu_mnist_free(&m);
        snprintf(path, sizeof path, "rm -rf %s", dir);
        EXPECT(system(path) == 0, "rm");
    }
}

int main(void) {
    test_every_allocation_fails();
    test_dup_bomb();
    test_shared_array_bomb();
    test_idx_peak();
    if (oom_live != 0) printf("oom: %lld bytes held by the library at exit (its lasting state)\n", (long long)oom_live);
    printf("oom: %s\n", failures ? "some checks did not hold" : "all green");
    return failures ? 1 : 0;
}
