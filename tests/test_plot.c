// tests/test_plot.c - PNG pictures and the terminal preview. PNGs are read back
// with stb_image (Debian's libstb-dev).
#ifndef GU_NO_PNG
#define STB_IMAGE_IMPLEMENTATION
// not STB_IMAGE_STATIC: v2.27 declares a static function it never defines (a warning).
// Its other warnings stay quiet: <stb/...> is found in a system folder (/usr/include, or
// -isystem in tests/cross.sh).
#include <stb/stb_image.h>
#endif
#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

static const char *t__tmp_png(const char *name) {
    static char buf[512];
    const char *dir = getenv("TMPDIR");
#if defined(__unix__) || defined(__APPLE__)
    snprintf(buf, sizeof buf, "%s/gu_test_%d_%s", dir ? dir : "/tmp", (int)getpid(), name);
#else
    snprintf(buf, sizeof buf, "%s/gu_test_%s", dir ? dir : ".", name);
#endif
    return buf;
}

#ifndef GU_NO_PNG
static unsigned char *t__load_rgb(const char *path, int *w, int *h) {
    int comp;
    return stbi_load(path, w, h, &comp, 3);
}
#endif

static void test_plot_imshow_pixels(void) {
#ifdef GU_NO_PNG
    SKIP("built with GU_NO_PNG");
#else
    // a 2 x 3 image, values 0..5: gray levels floor(v/5 * 256) capped at 255, as matplotlib
    float v[6] = {0, 1, 2, 3, 4, 5};
    int64_t shape[2] = {2, 3};
    static const int want[6] = {0, 51, 102, 153, 204, 255};
    gu_tensor img = gu_from_data(GU_FLOAT32, 2, shape, v);
    gu_imshow_opts o;
    const char *path = t__tmp_png("imshow.png");
    unsigned char *px;
    int w = 0, h = 0, i, ok = 1;
    memset(&o, 0, sizeof o);
    o.scale = 4;
    CHECKF(gu_imshow(path, img, &o) == 0, "%s", gu_error());
    px = t__load_rgb(path, &w, &h);
    CHECKF(px && w == 12 && h == 8, "read back %d x %d", w, h);
    if (px) {
        for (i = 0; i < 6; i++) {
            int x = (i % 3) * 4 + 3, y = (i / 3) * 4 + 2;  // inside each 4x4 block
            const unsigned char *p = px + (y * w + x) * 3;
            if (p[0] != want[i] || p[1] != want[i] || p[2] != want[i]) ok = 0;
        }
        CHECK(ok);
        stbi_image_free(px);
    }
    // viridis: the low end is dark purple, the high end yellow; a transposed view works too
    o.cmap = GU_CMAP_VIRIDIS;
    o.scale = 1;
    CHECKF(gu_imshow(path, gu_t(img), &o) == 0, "%s", gu_error());
    px = t__load_rgb(path, &w, &h);
    CHECKF(px && w == 2 && h == 3, "read back %d x %d", w, h);
    if (px) {
        CHECK(px[0] == 0x44 && px[1] == 0x01 && px[2] == 0x54);          // [0,0] = 0
        CHECK(px[15] == 0xfd && px[16] == 0xe7 && px[17] == 0x25);       // [2,1] = 5
        stbi_image_free(px);
    }
    // default scale: a 28x28 digit becomes 280x280; uint8 input, fixed vmin/vmax
    {
        int64_t s28[2] = {28, 28};
        gu_tensor d = gu_full(GU_UINT8, 2, s28, 255);
        memset(&o, 0, sizeof o);
        o.vmin = 0;
        o.vmax = 510;
        CHECKF(gu_imshow(path, d, &o) == 0, "%s", gu_error());
        px = t__load_rgb(path, &w, &h);
        CHECKF(px && w == 280 && h == 280, "read back %d x %d", w, h);
        if (px) { CHECK(px[0] == 128); stbi_image_free(px); }
        gu_free(&d);
    }
    remove(path);
    gu_free(&img);
#endif
}

static void test_plot_plot_and_hist(void) {
#ifdef GU_NO_PNG
    SKIP("built with GU_NO_PNG");
#else
    float y[50], x[3] = {1, 2, 3}, *r;
    const char *path = t__tmp_png("plot.png");
    unsigned char *px;
    int w = 0, h = 0, i, blue = 0, black = 0;
    gu_plot_opts o;
    gu_seed(1);
    for (i = 0; i < 50; i++) y[i] = (float)gu_rand();
    CHECKF(gu_plot(path, y, 50, NULL) == 0, "%s", gu_error());
    px = t__load_rgb(path, &w, &h);
    CHECKF(px && w == 640 && h == 480, "read back %d x %d", w, h);
    if (px) {
        for (i = 0; i < w * h; i++) {
            const unsigned char *p = px + i * 3;
            blue += p[0] == 0x1f && p[1] == 0x77 && p[2] == 0xb4;
            black += p[0] == 0 && p[1] == 0 && p[2] == 0;
        }
        CHECKF(blue > 500 && black > 1500, "%d blue, %d black pixels", blue, black);
        // the left spine is at x = 80, from y = 58 to 427
        CHECK(px[(200 * w + 80) * 3] == 0);
        stbi_image_free(px);
    }
    // x values and a colour; one point; a constant series
    memset(&o, 0, sizeof o);
    o.x = x;
    o.color = 0xff0000;
    o.width = 320;
    o.height = 240;
    CHECKF(gu_plot(path, x, 3, &o) == 0, "%s", gu_error());
    px = t__load_rgb(path, &w, &h);
    CHECK(px && w == 320 && h == 240);
    if (px) stbi_image_free(px);
    CHECK(gu_plot(path, x, 1, NULL) == 0);
    {
        float c[4] = {2, 2, 2, 2};
        int64_t n = 4;
        gu_tensor t = gu_from_data(GU_FLOAT32, 1, &n, c);
        CHECK(gu_plot_t(path, t, NULL) == 0);
        gu_free(&t);
    }
    // hist of 10000 uniforms: ten bars of about 1000, each bar solid blue in its middle
    r = (float *)malloc(10000 * sizeof(float));
    for (i = 0; i < 10000; i++) r[i] = (float)gu_rand();
    CHECKF(gu_hist(path, r, 10000, 10, NULL) == 0, "%s", gu_error());
    px = t__load_rgb(path, &w, &h);
    CHECK(px && w == 640 && h == 480);
    if (px) {
        // bar k spans x from 102 + 45.1 k; at y = 300 (well below 1000 counts) it is blue
        for (i = 0; i < 10; i++) {
            const unsigned char *p = px + (300 * w + 102 + 45 * i + 22) * 3;
            CHECKF(p[0] == 0x1f && p[1] == 0x77 && p[2] == 0xb4, "bar %d at y 300 is %02x%02x%02x", i, p[0], p[1], p[2]);
        }
        stbi_image_free(px);
    }
    CHECK(gu_hist(path, r, 10000, 1, NULL) == 0);
    CHECK(gu_hist(path, r, 1, 3, NULL) == 0);  // one value: numpy's +-0.5 range
    free(r);
    remove(path);
#endif
}

// The same pictures, byte for byte, on every target and compiler (FMA contraction, x87 and
// s390x excess precision once moved a blended pixel by one): FNV-1a hashes of four PNGs
// against tests/fixtures/plot/png_hashes.txt, written by this test on x86-64 Linux with
// GU_WRITE_GOLDEN=1 (cd tests && GU_WRITE_GOLDEN=1 ../build/test_main plot_same_bytes).
// PNGs written without zlib (GU_NO_ZLIB: stored blocks) are other bytes, so not compared.
static uint64_t t__fnv_file(const char *path) {
    FILE *f = fopen(path, "rb");
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    int c;
    if (!f) return 0;
    while ((c = fgetc(f)) != EOF) h = (h ^ (uint64_t)c) * UINT64_C(0x100000001b3);
    fclose(f);
    return h;
}
static void test_plot_same_bytes(void) {
#if defined(GU_NO_PNG) || defined(GU_NO_ZLIB)
    SKIP("built with GU_NO_PNG or GU_NO_ZLIB");
#else
    static const char *names[4] = {"plot", "hist", "imshow", "bar"};
    const char *golden = "fixtures/plot/png_hashes.txt";
    const char *path = t__tmp_png("same.png");
    const char *labels[3] = {"zero", "one", "two"};
    float y[50], *r = (float *)malloc(10000 * sizeof(float)), bars[3] = {3, 1.5f, 2.25f};
    int64_t sh[2] = {28, 28};
    gu_tensor img = gu_empty(GU_FLOAT32, 2, sh);
    uint64_t got[4] = {0, 0, 0, 0};
    int i, k, rc = 0;
    char want_name[32];
    unsigned long long want;
    FILE *g;
    gu_seed(1);
    for (i = 0; i < 50; i++) y[i] = (float)gu_rand();
    for (i = 0; r && i < 10000; i++) r[i] = (float)gu_rand();
    for (i = 0; i < 28 * 28; i++) ((float *)gu_data(img))[i] = (float)((i * 37) % 101) / 7.0f - 3.0f;
    for (k = 0; k < 4 && r; k++) {
        if (k == 0) rc = gu_plot(path, y, 50, NULL);
        else if (k == 1) rc = gu_hist(path, r, 10000, 10, NULL);
        else if (k == 2) rc = gu_imshow(path, img, NULL);
        else rc = gu_bar(path, labels, bars, 3, 0);
        CHECKF(rc == 0, "%s: %s", names[k], gu_error());
        got[k] = t__fnv_file(path);
    }
    remove(path);
    free(r);
    gu_free(&img);
    if (getenv("GU_WRITE_GOLDEN")) {
        g = fopen(golden, "w");
        CHECK(g != NULL);
        if (!g) return;
        for (k = 0; k < 4; k++) fprintf(g, "%s %016llx\n", names[k], (unsigned long long)got[k]);
        fclose(g);
        NOTE("wrote %s", golden);
        return;
    }
    g = fopen(golden, "r");
    if (!g) SKIP("no %s", golden);
    for (k = 0; k < 4; k++) {
        CHECK(fscanf(g, "%31s %llx", want_name, &want) == 2 && strcmp(want_name, names[k]) == 0);
        CHECKF(got[k] == (uint64_t)want, "%s: the PNG's hash %016llx, x86-64 Linux wrote %016llx", names[k],
               (unsigned long long)got[k], want);
    }
    fclose(g);
#endif
}

static void test_plot_errors(void) {
    int64_t s3[3] = {2, 3, 4}, s2[2] = {2, 2}, s0[2] = {0, 5};
    float v[4] = {0, 1, 2, 3};
    gu_tensor t3 = gu_zeros(GU_FLOAT32, 3, s3), t2 = gu_from_data(GU_FLOAT32, 2, s2, v), t0 = gu_zeros(GU_FLOAT32, 2, s0);
    gu_imshow_opts o;
    const char *path = t__tmp_png("err.png");
    CHECK(gu_imshow(path, t3, NULL) == -1 && strstr(gu_error(), "imshow") && strstr(gu_error(), "(2, 3, 4)"));
    CHECK(gu_imshow(path, t0, NULL) == -1 && strstr(gu_error(), "empty"));
    CHECK(gu_imshow(path, gu__invalid(), NULL) == -1);
    CHECK(gu_hist(path, v, 4, 0, NULL) == -1 && strstr(gu_error(), "bins"));
    CHECK(gu_hist(path, v, 0, 10, NULL) == -1);
    CHECK(gu_plot(path, v, 0, NULL) == -1 && strstr(gu_error(), "plot"));
    CHECK(gu_plot_t(path, t2, NULL) == -1 && strstr(gu_error(), "1-D"));
    // an image too large for stb_image_write's int arithmetic is refused before allocating
    memset(&o, 0, sizeof o);
    o.scale = 1 << 20;
    CHECK(gu_imshow(path, t2, &o) == -1 && strstr(gu_error(), "too large"));
    {   // options out of range: refused by name, never a default in disguise
        gu_plot_opts po;
        memset(&o, 0, sizeof o);
        o.cmap = (gu_cmap)7;
        CHECKF(gu_imshow(path, t2, &o) == -1 && strstr(gu_error(), "cmap"), "%s", gu_error());
        memset(&o, 0, sizeof o);
        o.scale = -2;
        CHECKF(gu_imshow(path, t2, &o) == -1 && strstr(gu_error(), "scale"), "%s", gu_error());
        memset(&o, 0, sizeof o);
        o.vmin = 2;
        o.vmax = 1;
        CHECKF(gu_imshow(path, t2, &o) == -1 && strstr(gu_error(), "vmin"), "%s", gu_error());
        o.vmax = NAN;
        CHECKF(gu_imshow(path, t2, &o) == -1 && strstr(gu_error(), "vmax"), "%s", gu_error());
        memset(&po, 0, sizeof po);
        po.width = -5;
        CHECKF(gu_plot(path, v, 4, &po) == -1 && strstr(gu_error(), "width"), "%s", gu_error());
        CHECKF(gu_hist(path, v, 4, 2, &po) == -1 && strstr(gu_error(), "hist"), "%s", gu_error());
    }
    {
        float nan4[4] = {NAN, NAN, NAN, NAN};
        CHECK(gu_plot(path, nan4, 4, NULL) == -1 && strstr(gu_error(), "finite"));
    }
#ifndef GU_NO_PNG
    // a path that cannot be written
    CHECK(gu_imshow("/nonexistent-dir/x.png", t2, NULL) == -1 && strstr(gu_error(), "cannot write"));
    CHECK(gu_plot("/nonexistent-dir/x.png", v, 4, NULL) == -1 && strstr(gu_error(), "cannot write"));
    CHECK(gu_hist("/nonexistent-dir/x.png", v, 4, 2, NULL) == -1 && strstr(gu_error(), "cannot write"));
#endif
    CHECK(gu_term_show(stdout, t3, 80) == -1);
    gu_free(&t3);
    gu_free(&t2);
    gu_free(&t0);
}

static void test_plot_term_show(void) {
    int64_t shape[2] = {4, 4};
    float v[16] = {0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3};
    gu_tensor t = gu_from_data(GU_FLOAT32, 2, shape, v);
    FILE *f = tmpfile();
    char buf[256] = {0};
    size_t n;
    CHECK(f != NULL);
    if (!f) { gu_free(&t); return; }
    CHECK(gu_term_show(f, t, 0) == 0);
    rewind(f);
    n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    // two lines (two rows per character): 0, 1/3 -> blank, light; 2/3, 1 -> dark, full
    CHECK_STREQ(buf, "  \xe2\x96\x91\xe2\x96\x91\n\xe2\x96\x93\xe2\x96\x93\xe2\x96\x88\xe2\x96\x88\n");
    fclose(f);
    // a wide image is scaled down to max_cols
    {
        int64_t s[2] = {2, 100};
        gu_tensor w = gu_zeros(GU_FLOAT32, 2, s);
        f = tmpfile();
        CHECK(gu_term_show(f, w, 30) == 0);
        rewind(f);
        n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = 0;
        CHECKF(strlen(buf) == 26, "%d chars", (int)strlen(buf));  // 25 columns and a newline
        fclose(f);
        gu_free(&w);
    }
    {   // infinities and NaN: the extreme shades, as the finite range ends (no index out of range)
        int64_t s[2] = {2, 4};
        float iv[8] = {0, INFINITY, -INFINITY, NAN, 1, 0.5f, 0.25f, NAN};
        gu_tensor w = gu_from_data(GU_FLOAT32, 2, s, iv);
        f = tmpfile();
        CHECK(gu_term_show(f, w, 0) == 0);
        rewind(f);
        n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = 0;
        // columns: mean(0, 1) = 0.5 of [0, 1] -> medium; inf -> full; -inf -> blank; NaN, NaN -> lo (blank)
        CHECKF(strcmp(buf, "\xe2\x96\x92\xe2\x96\x88  \n") == 0, "%s", buf);
        fclose(f);
        gu_free(&w);
    }
    gu_free(&t);
}

#ifndef GU_NO_PNG
// The bars of a bar chart read back: each run of rows that holds #1f77b4 pixels is a bar;
// len[k] is the number of blue pixels on the middle row of the k-th bar from the top.
static int t__bar_lengths(const unsigned char *px, int w, int h, int *len, int max) {
    int y, nbars = 0, start = -1;
    for (y = 0; y <= h; y++) {
        int x, blue = 0;
        for (x = 0; y < h && x < w; x++) {
            const unsigned char *p = px + ((size_t)y * w + x) * 3;
            blue += p[0] == 0x1f && p[1] == 0x77 && p[2] == 0xb4;
        }
        if (blue && start < 0) start = y;
        if (!blue && start >= 0) {
            int mid = (start + y - 1) / 2;
            if (nbars < max) {
                len[nbars] = 0;
                for (x = 0; x < w; x++) {
                    const unsigned char *p = px + ((size_t)mid * w + x) * 3;
                    len[nbars] += p[0] == 0x1f && p[1] == 0x77 && p[2] == 0xb4;
                }
            }
            nbars++;
            start = -1;
        }
    }
    return nbars;
}
#endif

static void test_plot_bar(void) {
#ifdef GU_NO_PNG
    SKIP("built with GU_NO_PNG");
#else
    // the lesson's ladder: eight ways to multiply, their speed-ups on a log scale
    static const char *const labels[8] = {"matmul_3loops", "matmul_2loops_dot", "matmul_2loops_elementwise",
                                          "matmul_2loops_dotproduct", "matmul_1loop_broadcast", "matmul_einsum",
                                          "matmul", "OpenBLAS cblas_sgemm"};
    static const float v[8] = {1, 800, 300, 900, 2500, 20000, 30000, 25000};
    const char *path = t__tmp_png("bar.png");
    unsigned char *px;
    int w = 0, h = 0, len[16], nbars, i, j, ok = 1, black = 0;
    CHECKF(gu_bar(path, labels, v, 8, 1) == 0, "%s", gu_error());
    px = t__load_rgb(path, &w, &h);
    // the labels widen the figure: 25 characters of 12 px stand left of a 480 px axes
    CHECKF(px && w >= 480 + 25 * 12 && w < 1200 && h >= 8 * 30 && h < 600, "read back %d x %d", w, h);
    if (px) {
        nbars = t__bar_lengths(px, w, h, len, 16);
        CHECKF(nbars == 8, "%d bars", nbars);
        for (i = 0; i < 8 && nbars == 8; i++)
            for (j = 0; j < 8; j++)
                if (v[i] < v[j] && !(len[i] < len[j])) ok = 0;
        CHECK(ok);
        // log10: 300 -> 900 -> 2500 and 800 -> 2500 -> 25000 step in proportion to their logs
        if (nbars == 8) {
            double per_decade = (len[6] - len[0]) / log10(30000.0);
            double want = len[0] + per_decade * log10(2500.0);
            CHECKF(fabs(len[4] - want) <= 2, "bar of 2500 is %d px, want %.1f", len[4], want);
            CHECKF(len[0] >= 10, "the bar of 1 shows (%d px)", len[0]);
        }
        for (i = 0; i < w * h; i++) black += px[3 * i] == 0 && px[3 * i + 1] == 0 && px[3 * i + 2] == 0;
        CHECKF(black > 2000, "%d black pixels (labels, ticks, box)", black);  // the text is drawn
        CHECK(px[0] == 255 && px[1] == 255 && px[2] == 255);                  // white background
        stbi_image_free(px);
    }
    // a title; a linear scale with a negative and a zero value; one bar
    {
        static const char *const l3[3] = {"up", "down", "flat"};
        static const float v3[3] = {3.5f, -2, 0};
        int wt = 0, ht = 0;
        CHECKF(gu_bar_titled(path, "Speed-up (log scale)", labels, v, 8, 1) == 0, "%s", gu_error());
        px = t__load_rgb(path, &wt, &ht);
        CHECKF(px && wt == w && ht > h, "titled %d x %d, untitled %d x %d", wt, ht, w, h);
        if (px) stbi_image_free(px);
        CHECKF(gu_bar(path, l3, v3, 3, 0) == 0, "%s", gu_error());
        px = t__load_rgb(path, &w, &h);
        CHECK(px != NULL);
        if (px) {
            nbars = t__bar_lengths(px, w, h, len, 16);
            // the zero bar has no pixels: two bars, 3.5 and 2 long
            CHECKF(nbars == 2 && abs(len[0] * 2 - len[1] * 7 / 2) <= 4, "%d bars, %d and %d px", nbars, len[0], len[1]);
            stbi_image_free(px);
        }
        CHECKF(gu_bar(path, labels, v, 1, 0) == 0, "%s", gu_error());
    }
    // errors name the op
    {
        static const float bad[3] = {1, 0, 5};
        float inf3[3] = {1, 2, 3};
        const char *nl[2] = {"a", NULL};
        inf3[1] = INFINITY;
        CHECK(gu_bar(path, labels, v, 0, 1) == -1 && strstr(gu_error(), "bar") && strstr(gu_error(), "n = 0"));
        CHECK(gu_bar(path, labels, v, -3, 0) == -1 && strstr(gu_error(), "bar"));
        CHECK(gu_bar(path, NULL, v, 8, 1) == -1 && strstr(gu_error(), "bar: labels"));
        CHECK(gu_bar(path, labels, NULL, 8, 1) == -1 && strstr(gu_error(), "bar: values"));
        CHECK(gu_bar(path, nl, v, 2, 1) == -1 && strstr(gu_error(), "labels[1]"));
        CHECK(gu_bar(path, labels, bad, 3, 1) == -1 && strstr(gu_error(), "bar") && strstr(gu_error(), "values[1]") &&
              strstr(gu_error(), "log"));
        CHECK(gu_bar(path, labels, bad, 3, 0) == 0);  // zero is fine on a linear scale
        {
            float neg[2] = {4, -1};
            CHECK(gu_bar(path, labels, neg, 2, 1) == -1 && strstr(gu_error(), "values[1]"));
        }
        CHECK(gu_bar(path, labels, inf3, 3, 0) == -1 && strstr(gu_error(), "finite"));
        CHECK(gu_bar("/nonexistent-dir/x.png", labels, v, 8, 1) == -1 && strstr(gu_error(), "bar") &&
              strstr(gu_error(), "cannot write"));
        CHECK(gu_bar(NULL, labels, v, 8, 1) == -1 && strstr(gu_error(), "bar"));
    }
    remove(path);
#endif
}

static void suite_plot(void) {
    RUN(test_plot_imshow_pixels);
    RUN(test_plot_plot_and_hist);
    RUN(test_plot_same_bytes);
    RUN(test_plot_errors);
    RUN(test_plot_term_show);
    RUN(test_plot_bar);
}
