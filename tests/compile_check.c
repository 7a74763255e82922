// tests/compile_check.c - compiled by tests/compile_check.sh under many compilers and
// modes (C99, C11, C++, static, opt-outs, allocation hooks). It must build warning-free
// and run; the second translation unit (compile_check_b.c) checks that the header's
// declarations link against the one implementation.
#ifdef CHECK_HOOKS
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
// The hooks count, and can fail the allocation numbered fail_at (counting from 0): the
// products below check that every allocation a matmul makes can fail cleanly.
static int hook_calls;
static long fail_at = -1, nallocs, live;
static void *my_malloc(size_t n) {
    void *p;
    hook_calls++;
    if (nallocs++ == fail_at) return NULL;
    p = malloc(n);
    if (p) live++;
    return p;
}
static void my_free(void *p) { if (p) { live--; free(p); } }
// realloc of NULL is an allocation like malloc's (the tidy scopes' tables start that way)
static void *my_realloc(void *p, size_t n) { return p ? realloc(p, n) : my_malloc(n); }
#define GU_MALLOC(n) my_malloc(n)
#define GU_REALLOC(p, n) my_realloc(p, n)
#define GU_FREE(p) my_free(p)
#endif
#ifdef CHECK_ASSERT
// A user's GU_ASSERT replaces assert: it counts, and the unpickler's end-of-run check below
// must go through it.
#include <stdlib.h>
static int assert_calls;
#define GU_ASSERT(x) (assert_calls++, (x) ? (void)0 : abort())
#endif
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include "../groundup.h"  // a second include is harmless

// GU_STB_INCLUDE and GU_CBLAS_INCLUDE name compile_check_wrap.h: it must have been read.
#if defined(CHECK_WRAP_STB) && !defined(CHECK_WRAP_STB_READ)
#error "GU_STB_INCLUDE was not used"
#endif
#if defined(CHECK_WRAP_CBLAS) && !defined(CHECK_WRAP_CBLAS_READ)
#error "GU_CBLAS_INCLUDE was not used"
#endif
#if defined(GU_STB_NO_IMPL) && defined(STB_IMAGE_WRITE_STATIC)
#error "GU_STB_NO_IMPL: groundup compiled its own stb_image_write anyway"
#endif

#ifdef __cplusplus
extern "C"
#endif
int other_tu(void);

#if defined(GU_NO_ZLIB) && !defined(GU_NO_PNG) && !defined(GU_NO_PLOT)
// Without zlib the PNG's data is stored deflate blocks written by groundup itself: zlib
// (linked here, not used by the header) must inflate them, Adler-32 checked, to the
// filtered rows, 1 + 3 * width bytes each.
#include <zlib.h>
static unsigned be32(const unsigned char *p) { return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3]; }
static int nozlib_png_ok(void) {
    static unsigned char file[1 << 20], idat[1 << 20], raw[1 << 20];
    int64_t shape[2] = {30, 20};
    gu_tensor img = gu_zeros(GU_FLOAT32, 2, shape);
    gu_imshow_opts o;
    size_t n, at = 8, ni = 0;
    uLongf nraw = sizeof raw;
    unsigned w = 0, h = 0;
    FILE *f;
    memset(&o, 0, sizeof o);
    o.scale = 3;
    if (gu_imshow("compile_check_nozlib.png", img, &o) != 0) { printf("imshow: %s\n", gu_error()); return 0; }
    gu_free(&img);
    f = fopen("compile_check_nozlib.png", "rb");
    if (!f) return 0;
    n = fread(file, 1, sizeof file, f);
    fclose(f);
    remove("compile_check_nozlib.png");
    while (at + 12 <= n) {
        unsigned len = be32(file + at);
        if (at + 12 + len > n) return 0;
        if (!memcmp(file + at + 4, "IHDR", 4)) { w = be32(file + at + 8); h = be32(file + at + 12); }
        if (!memcmp(file + at + 4, "IDAT", 4)) { memcpy(idat + ni, file + at + 8, len); ni += len; }
        at += 12 + len;
    }
    if (uncompress(raw, &nraw, idat, (uLong)ni) != Z_OK) { printf("no-zlib PNG: the stored deflate data does not inflate\n"); return 0; }
    return w == 60 && h == 90 && nraw == h * (1 + 3 * w);
}
#endif

int main(void) {
    int64_t shape[2] = {3, 3};
    gu_tensor m = gu_arange(1, 10, 1, GU_FLOAT32);
    gu_tensor v = gu_view(m, 2, shape);
    char *s = gu_repr(gu_transpose(v, 0, 1));
    int ok = s != NULL && gu_ok(v);
    gu_free_mem(s);
    gu_free(&m);
    {   // a product through gu_sgemm (the system's cblas_sgemm under GU_CBLAS)
        static const float a[6] = {1, 2, 3, 4, 5, 6}, b[6] = {1, 0, 0, 1, 1, 1};
        float c[4] = {0};   // (2, 3) @ (3, 2) = [[4, 5], [10, 11]]
        ok = ok && gu_sgemm('N', 'N', 2, 2, 3, 1.0f, a, 3, b, 2, 0.0f, c, 2) == 0 &&
             c[0] == 4 && c[1] == 5 && c[2] == 10 && c[3] == 11;
    }
#if defined(CHECK_ASSERT) && !defined(GU_NO_MNIST)
    {   // a pickle of None: refused, after the unpickler's closing GU_ASSERT
        gu_tensor arr[1];
        int count = 0;
        ok = ok && gu_pkl_load_mem("\x80\x02N.", 4, arr, 1, &count) == -1 && assert_calls > 0;
    }
#endif
#if defined(GU_STB_NO_IMPL) && !defined(GU_NO_PNG) && !defined(GU_NO_PLOT)
    {   // the PNG goes through the program's own stb_image_write (compile_check_b.c)
        int64_t shape[2] = {4, 4};
        gu_tensor img = gu_zeros(GU_FLOAT32, 2, shape);
        ok = ok && gu_imshow("compile_check_stb.png", img, NULL) == 0 && remove("compile_check_stb.png") == 0;
        gu_free(&img);
    }
#endif
#ifdef CHECK_HOOKS
    ok = ok && hook_calls > 0;
    {   // Each allocation of gu_sgemm fails in turn, on each path (packed; rows kernel with B
        // copied and a dot tail; dot), on 1 and 2 threads: -1, "out of memory", nothing
        // leaked; then, with no failure, 0.
        static float a[600 * 300], b[300 * 450], c[600 * 450];
        static const int shapes[3][4] = {{600, 450, 300, 'N'}, {300, 33, 100, 'T'}, {100, 10, 200, 'N'}};
        int s, nt;
        for (s = 0; s < 3; s++)
            for (nt = 1; nt <= 2; nt++) {
                int m = shapes[s][0], n = shapes[s][1], k = shapes[s][2], rc = -1;
                char tb = (char)shapes[s][3];
                gu_set_num_threads(nt);
                for (fail_at = 0; rc != 0 && fail_at < 20; fail_at++) {
                    nallocs = 0;
                    live = 0;
                    rc = gu_sgemm('N', tb, m, n, k, 1.0f, a, k, b, tb == 'N' ? n : k, 0.0f, c, n);
                    if ((rc != 0 && !strstr(gu_error(), "out of memory")) || live != 0) {
                        printf("sgemm (%d, %d, %d) %c, %d threads, allocation %ld failing: rc %d, \"%s\", %ld blocks left\n",
                               m, n, k, tb, nt, fail_at, rc, gu_error(), live);
                        ok = 0;
                    }
                }
                if (rc != 0 || fail_at < 2) {   // at least one allocation, and success once none fails
                    printf("sgemm (%d, %d, %d) %c: rc %d after %ld failure points\n", m, n, k, tb, rc, fail_at);
                    ok = 0;
                }
            }
        fail_at = -1;
    }
    {   // A chain in a tidy scope with each allocation failing in turn (the tensors' and the
        // scope's own tracking tables): an invalid result and a message, never a leak.
        long k;
        int64_t n3 = 3;
        for (k = 0; k < 40; k++) {
            gu_tensor r, kept;
            double v = 0;
            nallocs = 0;
            live = 0;
            fail_at = k;
            gu_clear_error();
            gu_tidy_begin();
            gu_tidy_begin();
            r = gu_sqrt(gu_sum(gu_mul(gu_arange(1, 4, 1, GU_FLOAT32), gu_ones(GU_FLOAT32, 1, &n3))));
            kept = gu_keep(gu_add_scalar(r, 1));
            gu_tidy_end();
            if (gu_ok(kept)) v = gu_item(kept);
            gu_tidy_end();
            fail_at = -1;
            if (gu_ok(kept) ? (v < 3.449 || v > 3.450) : !strstr(gu_error(), "out of memory")) {
                printf("tidy chain, allocation %ld failing: %s, value %g, \"%s\"\n", k, gu_ok(kept) ? "ok" : "invalid", v, gu_error());
                ok = 0;
            }
            gu_free(&kept);
            if (live != 0) {
                printf("tidy chain, allocation %ld failing: %ld blocks left\n", k, live);
                ok = 0;
            }
        }
    }
#endif
#if defined(GU_NO_ZLIB) && !defined(GU_NO_PNG) && !defined(GU_NO_PLOT)
    ok = ok && nozlib_png_ok();
#endif
#ifndef GU_STATIC
    ok = ok && other_tu() == 1;
#endif
    return ok ? 0 : 1;
}
