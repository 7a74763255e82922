// @@decls
#ifndef GU_PART_PLOT_DECLS
#define GU_PART_PLOT_DECLS
#ifdef __cplusplus
extern "C" {
#endif
// >>plot ----------------------------------------------------------------------------------
// Pictures, as the lesson draws them: imshow of a 2-D tensor, a line plot, a histogram,
// each written to a PNG file by stb_image_write (Debian's libstb-dev; see OPTIONS for
// GROUNDUP_STB_INCLUDE, GROUNDUP_STB_NO_IMPL, GROUNDUP_NO_PNG); and a terminal preview for
// people working over ssh. Each returns 0, or -1 with gu_error() saying why.
//
//    gu_imshow("digit.png", gu_select(x_train, 0, 0) reshaped to (28, 28), NULL);
//    gu_plot("rand_plot.png", y, 50, NULL);          // plt.plot(y)
//    gu_hist("rand_hist.png", x, 10000, 10, NULL);   // plt.hist(x)
//    gu_bar("speedups.png", names, speedups, 8, 1);  // plt.barh(names, speedups, log=True)
//
// The plots follow matplotlib's defaults: a 640x480 figure, the axes box at the same
// place, the blue line (#1f77b4), 5% data margins, "nice" ticks (steps 1, 2, 2.5, 5 times a
// power of ten) with labels drawn from a built-in 5x7 bitmap font of printable ASCII.
typedef enum gu_cmap {
    GU_CMAP_GRAY = 0,   // the lesson's image.cmap='gray': black (vmin) to white (vmax)
    GU_CMAP_VIRIDIS     // matplotlib's default map
} gu_cmap;

typedef struct gu_imshow_opts {  // zero means default
    gu_cmap cmap;
    float vmin, vmax;   // both 0: the data's min and max, as matplotlib scales
    int scale;          // pixels per element; 0: enough that the long side is >= 280 px
} gu_imshow_opts;

typedef struct gu_plot_opts {    // zero means default
    int width, height;  // 0: 640 x 480 (matplotlib's 6.4 x 4.8 inches at 100 dpi)
    uint32_t color;     // 0xRRGGBB; 0: #1f77b4 (pass 0x010101 for black)
    const float *x;     // gu_plot only: n increasing x values; NULL: 0, 1, ..., n-1
} gu_plot_opts;

// img: a 2-D float32, uint8, bool or int64 tensor (any strides). NaN is drawn white.
GUDEF int gu_imshow(const char *path, gu_tensor img, const gu_imshow_opts *opts);
GUDEF int gu_plot(const char *path, const float *y, int64_t n, const gu_plot_opts *opts);
GUDEF int gu_plot_t(const char *path, gu_tensor y, const gu_plot_opts *opts);   // 1-D y
GUDEF int gu_hist(const char *path, const float *x, int64_t n, int bins, const gu_plot_opts *opts);
// A horizontal bar chart, one bar a label, the first at the top, each bar followed by its
// value and an "x" ("1234x": the charts groundup draws are speed-ups, times faster than a
// reference). Labels sit left of the axes and the figure widens to fit them (up to 40
// characters; longer ones are cut to end in ".."); n is 1 to 1000. log_scale nonzero: a
// log10 value axis with ticks at the decades, labelled 0.01 ... 1000, then 1e4, 1e5, ...;
// every value must then be positive. Values must be finite.
//
//    const char *names[3] = {"matmul_3loops", "matmul_einsum", "OpenBLAS cblas_sgemm"};
//    float speedup[3] = {1, 20000, 25000};
//    gu_bar_titled("speedups.png", "speed-up over matmul_3loops", names, speedup, 3, 1);
GUDEF int gu_bar(const char *path, const char *const *labels, const float *values, int n, int log_scale);
GUDEF int gu_bar_titled(const char *path, const char *title, const char *const *labels, const float *values, int n,
                        int log_scale);   // title NULL or "": none
// Prints img with the shades " ░▒▓█" (UTF-8), one character per element across and two
// rows per line (terminal cells are about twice as tall as wide), scaled down to at most
// max_cols columns (0: 80). Scaled like imshow (min to max).
GUDEF int gu_term_show(FILE *f, gu_tensor img, int max_cols);
#ifdef __cplusplus
}
#endif
#endif
// @@impl
#if defined(GROUNDUP_IMPLEMENTATION) && !defined(GU_PART_PLOT_IMPL)
#define GU_PART_PLOT_IMPL
// >>plot ----------------------------------------------------------------------------------
#include <limits.h>
#ifndef GROUNDUP_NO_PNG
#ifndef GROUNDUP_STB_INCLUDE
#define GROUNDUP_STB_INCLUDE <stb/stb_image_write.h>
#endif
#ifndef GROUNDUP_STB_NO_IMPL
// Our own private copy of the writer: static, allocating through the hooks. A program that
// already compiles stb_image_write itself defines GROUNDUP_STB_NO_IMPL and links to that.
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_WRITE_STATIC
#define STBIW_MALLOC(sz) GU_MALLOC(sz)
#define STBIW_REALLOC(p, newsz) GU_REALLOC(p, newsz)
#define STBIW_FREE(p) GU_FREE(p)
#endif
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#endif
#if !(defined(GROUNDUP_STB_NO_IMPL) && defined(INCLUDE_STB_IMAGE_WRITE_H))  // not yet included
#include GROUNDUP_STB_INCLUDE
#endif
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

// An RGB canvas, 3 bytes a pixel, row-major from the top.
typedef struct gu__canvas { int w, h; unsigned char *px; } gu__canvas;

static int gu__canvas_new(const char *op, gu__canvas *c, int64_t w, int64_t h) {
    int64_t bytes;
    // stb_image_write multiplies (w*comp+1)*h in int without a check: do it here.
    if (w <= 0 || h <= 0 || w > INT_MAX / 4 || (w * 3 + 1) > INT_MAX / h || !gu__mul_ok(w * 3, h, &bytes)) {
        gu__seterr("%s: image of %" PRId64 " x %" PRId64 " pixels is too large or empty", op, w, h);
        return -1;
    }
    c->px = (unsigned char *)gu__malloc((size_t)bytes);
    if (!c->px) { gu__seterr("%s: out of memory for a %" PRId64 " x %" PRId64 " image", op, w, h); return -1; }
    memset(c->px, 255, (size_t)bytes);
    c->w = (int)w;
    c->h = (int)h;
    return 0;
}
static int gu__canvas_save(const char *op, gu__canvas *c, const char *path) {
    int rc = -1;
#ifndef GROUNDUP_NO_PNG
    if (!path) gu__seterr("%s: path is NULL", op);
    else if (!stbi_write_png(path, c->w, c->h, 3, c->px, c->w * 3))
        gu__seterr("%s: cannot write the PNG file '%s'", op, path);
    else rc = 0;
#else
    (void)path;
    gu__seterr("%s: built with GROUNDUP_NO_PNG, no PNG output", op);
#endif
    GU_FREE(c->px);
    c->px = NULL;
    return rc;
}
// Blends colour rgb over pixel (x, y) with coverage a in [0, 1].
static void gu__blend(gu__canvas *c, int x, int y, uint32_t rgb, float a) {
    unsigned char *p;
    int k;
    if (x < 0 || y < 0 || x >= c->w || y >= c->h || a <= 0) return;
    if (a > 1) a = 1;
    p = c->px + ((size_t)y * (size_t)c->w + (size_t)x) * 3;
    for (k = 0; k < 3; k++) {
        float src = (float)((rgb >> (16 - 8 * k)) & 255);
        p[k] = (unsigned char)(p[k] + (src - p[k]) * a + 0.5f);
    }
}
static void gu__fill(gu__canvas *c, int x0, int y0, int x1, int y1, uint32_t rgb) {  // [x0,x1) x [y0,y1)
    int x, y;
    for (y = y0; y < y1; y++)
        for (x = x0; x < x1; x++) gu__blend(c, x, y, rgb, 1.0f);
}

// ---- a 5x7 bitmap font: printable ASCII, 32 (space) to 126 (~) ----
// Each glyph is 5 pixels wide on 7 rows (capitals and digits fill them, the lower case
// stands 5 rows high), plus an 8th row below the baseline for the tails of g j p q y , _.
// Drawn in a 6-pixel advance so that letters keep one column apart.
static const unsigned char gu__font[95][8] = {  // rows top to bottom, bit 4 = leftmost
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},  // space
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04, 0x00},  // !
    {0x0a, 0x0a, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00},  // "
    {0x0a, 0x0a, 0x1f, 0x0a, 0x1f, 0x0a, 0x0a, 0x00},  // #
    {0x04, 0x0f, 0x14, 0x0e, 0x05, 0x1e, 0x04, 0x00},  // $
    {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03, 0x00},  // %
    {0x0c, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0d, 0x00},  // &
    {0x04, 0x04, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00},  // '
    {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02, 0x00},  // (
    {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08, 0x00},  // )
    {0x00, 0x04, 0x15, 0x0e, 0x15, 0x04, 0x00, 0x00},  // *
    {0x00, 0x04, 0x04, 0x1f, 0x04, 0x04, 0x00, 0x00},  // +
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x04, 0x08},  // ,
    {0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00, 0x00},  // -
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c, 0x00},  // .
    {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00, 0x00},  // /
    {0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e, 0x00},  // 0
    {0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00},  // 1
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f, 0x00},  // 2
    {0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e, 0x00},  // 3
    {0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02, 0x00},  // 4
    {0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e, 0x00},  // 5
    {0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e, 0x00},  // 6
    {0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08, 0x00},  // 7
    {0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e, 0x00},  // 8
    {0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c, 0x00},  // 9
    {0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00, 0x00},  // :
    {0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x04, 0x08, 0x00},  // ;
    {0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02, 0x00},  // <
    {0x00, 0x00, 0x1f, 0x00, 0x1f, 0x00, 0x00, 0x00},  // =
    {0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08, 0x00},  // >
    {0x0e, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04, 0x00},  // ?
    {0x0e, 0x11, 0x01, 0x0d, 0x15, 0x15, 0x0e, 0x00},  // @
    {0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11, 0x00},  // A
    {0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e, 0x00},  // B
    {0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e, 0x00},  // C
    {0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c, 0x00},  // D
    {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f, 0x00},  // E
    {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10, 0x00},  // F
    {0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f, 0x00},  // G
    {0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11, 0x00},  // H
    {0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00},  // I
    {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c, 0x00},  // J
    {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11, 0x00},  // K
    {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f, 0x00},  // L
    {0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11, 0x00},  // M
    {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11, 0x00},  // N
    {0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e, 0x00},  // O
    {0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10, 0x00},  // P
    {0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d, 0x00},  // Q
    {0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11, 0x00},  // R
    {0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e, 0x00},  // S
    {0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x00},  // T
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e, 0x00},  // U
    {0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04, 0x00},  // V
    {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a, 0x00},  // W
    {0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11, 0x00},  // X
    {0x11, 0x11, 0x0a, 0x04, 0x04, 0x04, 0x04, 0x00},  // Y
    {0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f, 0x00},  // Z
    {0x0e, 0x08, 0x08, 0x08, 0x08, 0x08, 0x0e, 0x00},  // [
    {0x00, 0x10, 0x08, 0x04, 0x02, 0x01, 0x00, 0x00},  // backslash
    {0x0e, 0x02, 0x02, 0x02, 0x02, 0x02, 0x0e, 0x00},  // ]
    {0x04, 0x0a, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00},  // ^
    {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1f},  // _
    {0x08, 0x04, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00},  // `
    {0x00, 0x00, 0x0e, 0x01, 0x0f, 0x11, 0x0f, 0x00},  // a
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1e, 0x00},  // b
    {0x00, 0x00, 0x0e, 0x10, 0x10, 0x11, 0x0e, 0x00},  // c
    {0x01, 0x01, 0x0d, 0x13, 0x11, 0x11, 0x0f, 0x00},  // d
    {0x00, 0x00, 0x0e, 0x11, 0x1f, 0x10, 0x0e, 0x00},  // e
    {0x06, 0x09, 0x08, 0x1c, 0x08, 0x08, 0x08, 0x00},  // f
    {0x00, 0x00, 0x0f, 0x11, 0x11, 0x0f, 0x01, 0x0e},  // g
    {0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11, 0x00},  // h
    {0x04, 0x00, 0x0c, 0x04, 0x04, 0x04, 0x0e, 0x00},  // i
    {0x02, 0x00, 0x06, 0x02, 0x02, 0x02, 0x12, 0x0c},  // j
    {0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12, 0x00},  // k
    {0x0c, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e, 0x00},  // l
    {0x00, 0x00, 0x1a, 0x15, 0x15, 0x15, 0x15, 0x00},  // m
    {0x00, 0x00, 0x16, 0x19, 0x11, 0x11, 0x11, 0x00},  // n
    {0x00, 0x00, 0x0e, 0x11, 0x11, 0x11, 0x0e, 0x00},  // o
    {0x00, 0x00, 0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10},  // p
    {0x00, 0x00, 0x0f, 0x11, 0x11, 0x0f, 0x01, 0x01},  // q
    {0x00, 0x00, 0x16, 0x19, 0x10, 0x10, 0x10, 0x00},  // r
    {0x00, 0x00, 0x0f, 0x10, 0x0e, 0x01, 0x1e, 0x00},  // s
    {0x08, 0x08, 0x1c, 0x08, 0x08, 0x09, 0x06, 0x00},  // t
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x13, 0x0d, 0x00},  // u
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x0a, 0x04, 0x00},  // v
    {0x00, 0x00, 0x11, 0x11, 0x15, 0x15, 0x0a, 0x00},  // w
    {0x00, 0x00, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x00},  // x
    {0x00, 0x00, 0x11, 0x11, 0x11, 0x0f, 0x01, 0x0e},  // y
    {0x00, 0x00, 0x1f, 0x02, 0x04, 0x08, 0x1f, 0x00},  // z
    {0x03, 0x04, 0x04, 0x08, 0x04, 0x04, 0x03, 0x00},  // {
    {0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x00},  // |
    {0x18, 0x04, 0x04, 0x02, 0x04, 0x04, 0x18, 0x00},  // }
    {0x00, 0x00, 0x08, 0x15, 0x02, 0x00, 0x00, 0x00},  // ~
};
#define GU__FONT_SCALE 2                        // 10 x 14 pixels, about matplotlib's 10 pt
#define GU__GLYPH_ADV (6 * GU__FONT_SCALE)
#define GU__GLYPH_H (7 * GU__FONT_SCALE)        // the cap height: what labels centre on
static int gu__text_width(const char *s) { return (int)strlen(s) * GU__GLYPH_ADV - GU__FONT_SCALE; }
static void gu__text(gu__canvas *c, int x, int y, const char *s, uint32_t rgb) {  // (x, y): top left
    for (; *s; s++, x += GU__GLYPH_ADV) {
        unsigned char ch = (unsigned char)*s;
        int r, b;
        if (ch < 32 || ch > 126) continue;  // control characters and UTF-8 bytes are blanks
        for (r = 0; r < 8; r++)
            for (b = 0; b < 5; b++)
                if (gu__font[ch - 32][r] & (0x10 >> b))
                    gu__fill(c, x + b * GU__FONT_SCALE, y + r * GU__FONT_SCALE, x + (b + 1) * GU__FONT_SCALE, y + (r + 1) * GU__FONT_SCALE, rgb);
    }
}

// ---- colour maps ----
static uint32_t gu__cmap_rgb(gu_cmap cmap, double t) {  // t in [0, 1]
    // viridis at 9 even stops (matplotlib's map); linear in between
    static const uint32_t viridis[9] = {0x440154, 0x472d7b, 0x3b528b, 0x2c728e, 0x21908c,
                                        0x27ad81, 0x5dc863, 0xaadc32, 0xfde725};
    // matplotlib quantises to 256 levels: index = floor(t * 256), 256 -> 255
    int idx = (int)(t * 256.0);
    if (idx > 255) idx = 255;
    if (idx < 0) idx = 0;
    if (cmap == GU_CMAP_VIRIDIS) {
        double f = idx / 255.0 * 8.0;
        int i = (int)f, k;
        uint32_t out = 0;
        if (i >= 8) return viridis[8];
        for (k = 16; k >= 0; k -= 8) {
            double a = (viridis[i] >> k) & 255, b = (viridis[i + 1] >> k) & 255;
            out |= (uint32_t)(a + (b - a) * (f - i) + 0.5) << k;
        }
        return out;
    }
    return (uint32_t)idx * 0x010101u;
}

// min and max of the finite values of a float buffer; 0 if there is none.
static int gu__finite_range(const float *v, int64_t n, double *lo, double *hi) {
    int64_t i;
    int have = 0;
    for (i = 0; i < n; i++) {
        double x = v[i];
        if (x != x || isinf(x)) continue;
        if (!have) { *lo = *hi = x; have = 1; }
        if (x < *lo) *lo = x;
        if (x > *hi) *hi = x;
    }
    return have;
}

// A 2-D tensor as a contiguous float copy (rows, cols); NULL and a message if it is not one.
static float *gu__img_floats(const char *op, gu_tensor img, int64_t *rows, int64_t *cols) {
    gu_tensor f;
    float *p;
    if (!gu__check_in(op, img)) return NULL;
    if (img.ndim != 2) {
        gu__seterr("%s: expected a 2-D tensor (rows, cols), got shape %s", op, GU__SHT(img));
        return NULL;
    }
    if (img.shape[0] == 0 || img.shape[1] == 0) {
        gu__seterr("%s: the tensor of shape %s is empty", op, GU__SHT(img));
        return NULL;
    }
    f = gu_to(img, GU_FLOAT32);
    if (!gu_ok(f)) return NULL;
    *rows = img.shape[0];
    *cols = img.shape[1];
    p = (float *)f.base;  // gu_to returns an owner: its storage is ours to free
    return p;
}

GU__DEF int gu_imshow(const char *path, gu_tensor img, const gu_imshow_opts *opts) {
    gu_imshow_opts o;
    gu__canvas c;
    int64_t rows, cols, scale, x, y;
    double lo = 0, hi = 0;
    float *v = gu__img_floats("imshow", img, &rows, &cols);
    if (!v) return -1;
    if (opts) o = *opts; else memset(&o, 0, sizeof o);
    if (o.vmin != 0 || o.vmax != 0) { lo = o.vmin; hi = o.vmax; }
    else gu__finite_range(v, rows * cols, &lo, &hi);
    scale = o.scale > 0 ? o.scale : (280 + (rows > cols ? rows : cols) - 1) / (rows > cols ? rows : cols);
    if (o.scale <= 0 && scale * (rows > cols ? rows : cols) > 4096) scale = 1;
    if (gu__canvas_new("imshow", &c, cols * scale, rows * scale) != 0) { GU_FREE(v); return -1; }
    for (y = 0; y < rows; y++)
        for (x = 0; x < cols; x++) {
            double t = v[y * cols + x];
            uint32_t rgb;
            // matplotlib's Normalize: (v - vmin) / (vmax - vmin); a flat image is all vmin
            if (t != t) rgb = 0xffffff;
            else {
                t = hi > lo ? (t - lo) / (hi - lo) : 0.0;
                rgb = gu__cmap_rgb(o.cmap, t < 0 ? 0 : t > 1 ? 1 : t);
            }
            gu__fill(&c, (int)(x * scale), (int)(y * scale), (int)((x + 1) * scale), (int)((y + 1) * scale), rgb);
        }
    GU_FREE(v);
    return gu__canvas_save("imshow", &c, path);
}

// ---- axes: matplotlib's layout and its AutoLocator's "nice" ticks ----
typedef struct gu__axes {
    int x0, y0, x1, y1;          // the axes box in pixels (y0 top)
    double xlo, xhi, ylo, yhi;   // data limits
} gu__axes;
static double gu__px_x(const gu__axes *a, double v) { return a->x0 + (v - a->xlo) / (a->xhi - a->xlo) * (a->x1 - a->x0); }
static double gu__px_y(const gu__axes *a, double v) { return a->y1 - (v - a->ylo) / (a->yhi - a->ylo) * (a->y1 - a->y0); }

static double gu__nice_step(double lo, double hi, int maxbins) {
    static const double steps[5] = {1, 2, 2.5, 5, 10};
    double raw = (hi - lo) / maxbins, mag = pow(10.0, floor(log10(raw)));
    int i;
    for (i = 0; i < 5; i++)
        if (steps[i] * mag >= raw * (1 - 1e-9)) return steps[i] * mag;
    return 10 * mag;
}
// digits after the point that show every multiple of step exactly
static int gu__step_decimals(double step) {
    int d;
    for (d = 0; d < 8; d++) {
        double s = step * pow(10.0, d);
        if (fabs(s - floor(s + 0.5)) < 1e-6 * s) return d;
    }
    return 8;
}
static void gu__draw_axes(gu__canvas *c, const gu__axes *a) {
    const uint32_t black = 0x000000;
    int axis;
    // spines: 0.8 pt, one pixel at 100 dpi
    gu__fill(c, a->x0, a->y0, a->x1 + 1, a->y0 + 1, black);
    gu__fill(c, a->x0, a->y1, a->x1 + 1, a->y1 + 1, black);
    gu__fill(c, a->x0, a->y0, a->x0 + 1, a->y1 + 1, black);
    gu__fill(c, a->x1, a->y0, a->x1 + 1, a->y1 + 1, black);
    for (axis = 0; axis < 2; axis++) {
        double lo = axis ? a->ylo : a->xlo, hi = axis ? a->yhi : a->xhi;
        double step = gu__nice_step(lo, hi, axis ? 8 : 9), t;
        int dec = gu__step_decimals(step);
        for (t = ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) {
            char lab[64];
            double v = fabs(t) < step * 1e-9 ? 0.0 : t;  // no "-0.0"
            snprintf(lab, sizeof lab, "%.*f", dec, v);
            if (axis == 0) {
                int px = (int)floor(gu__px_x(a, v) + 0.5);
                gu__fill(c, px, a->y1 + 1, px + 1, a->y1 + 6, black);  // ticks 3.5 pt, outside
                gu__text(c, px - gu__text_width(lab) / 2, a->y1 + 10, lab, black);
            } else {
                int py = (int)floor(gu__px_y(a, v) + 0.5);
                gu__fill(c, a->x0 - 5, py, a->x0, py + 1, black);
                gu__text(c, a->x0 - 10 - gu__text_width(lab), py - GU__GLYPH_H / 2, lab, black);
            }
        }
    }
}
static int gu__figure(const char *op, gu__canvas *c, gu__axes *a, const gu_plot_opts *o) {
    int w = o && o->width > 0 ? o->width : 640, h = o && o->height > 0 ? o->height : 480;
    if (w < 64 || h < 64) { gu__seterr("%s: a figure of %d x %d pixels is too small", op, w, h); return -1; }
    if (gu__canvas_new(op, c, w, h) != 0) return -1;
    // matplotlib's subplot box: left .125, right .9, bottom .11, top .88 of the figure
    a->x0 = (int)(0.125 * w + 0.5);
    a->x1 = (int)(0.9 * w + 0.5);
    a->y0 = (int)((1 - 0.88) * h + 0.5);
    a->y1 = (int)((1 - 0.11) * h + 0.5);
    return 0;
}

// An anti-aliased polyline of width lw: coverage is kept per pixel (the max over the
// segments, so joints are not drawn twice) and blended once at the end.
static int gu__polyline(const char *op, gu__canvas *c, const gu__axes *a, const float *x, const float *y, int64_t n, uint32_t rgb) {
    const double half = 1.04;  // 1.5 pt line at 100 dpi: 2.08 px wide
    int64_t i, np = (int64_t)c->w * c->h;
    float *cov = (float *)gu__malloc((size_t)np * sizeof(float));
    if (!cov) { gu__seterr("%s: out of memory", op); return -1; }
    memset(cov, 0, (size_t)np * sizeof(float));
    for (i = 0; i + 1 < n || (n == 1 && i == 0); i++) {
        int64_t j = n == 1 ? 0 : i + 1;
        double xa = gu__px_x(a, x ? x[i] : (double)i), ya = gu__px_y(a, y[i]);
        double xb = gu__px_x(a, x ? x[j] : (double)j), yb = gu__px_y(a, y[j]);
        double dx = xb - xa, dy = yb - ya, len2 = dx * dx + dy * dy;
        int px, py, bx0, bx1, by0, by1;
        if (xa != xa || ya != ya || xb != xb || yb != yb) continue;  // NaN breaks the line
        bx0 = (int)floor((xa < xb ? xa : xb) - 2); bx1 = (int)ceil((xa > xb ? xa : xb) + 2);
        by0 = (int)floor((ya < yb ? ya : yb) - 2); by1 = (int)ceil((ya > yb ? ya : yb) + 2);
        if (bx0 < a->x0) bx0 = a->x0;
        if (by0 < a->y0) by0 = a->y0;
        if (bx1 > a->x1) bx1 = a->x1;
        if (by1 > a->y1) by1 = a->y1;
        for (py = by0; py <= by1; py++)
            for (px = bx0; px <= bx1; px++) {
                double cx = px + 0.5, cy = py + 0.5;
                double t = len2 > 0 ? ((cx - xa) * dx + (cy - ya) * dy) / len2 : 0;
                double ex, ey, d, k;
                t = t < 0 ? 0 : t > 1 ? 1 : t;
                ex = xa + t * dx - cx;
                ey = ya + t * dy - cy;
                d = sqrt(ex * ex + ey * ey);
                k = half + 0.5 - d;
                if (k > 0) {
                    float *q = &cov[(int64_t)py * c->w + px];
                    if (k > 1) k = 1;
                    if (k > *q) *q = (float)k;
                }
            }
    }
    for (i = 0; i < np; i++)
        if (cov[i] > 0) gu__blend(c, (int)(i % c->w), (int)(i / c->w), rgb, cov[i]);
    GU_FREE(cov);
    return 0;
}

GU__DEF int gu_plot(const char *path, const float *y, int64_t n, const gu_plot_opts *opts) {
    gu__canvas c;
    gu__axes a;
    double xlo = 0, xhi = 0, ylo = 0, yhi = 0, m;
    uint32_t rgb = opts && opts->color ? opts->color : 0x1f77b4;
    const float *x = opts ? opts->x : NULL;
    if (n <= 0 || !y) { gu__seterr("plot: no points to plot (n = %" PRId64 ")", n); return -1; }
    if (!gu__finite_range(y, n, &ylo, &yhi) || (x && !gu__finite_range(x, n, &xlo, &xhi))) {
        gu__seterr("plot: no finite values among the %" PRId64 " points", n);
        return -1;
    }
    if (!x) { xlo = 0; xhi = (double)(n - 1); }
    if (gu__figure("plot", &c, &a, opts) != 0) return -1;
    // 5% margins, as matplotlib's axes.xmargin / ymargin; a flat range gets +-5% or +-0.05
    if (xhi == xlo) { m = xlo != 0 ? fabs(xlo) * 0.05 : 0.05; xlo -= m; xhi += m; }
    else { m = (xhi - xlo) * 0.05; xlo -= m; xhi += m; }
    if (yhi == ylo) { m = ylo != 0 ? fabs(ylo) * 0.05 : 0.05; ylo -= m; yhi += m; }
    else { m = (yhi - ylo) * 0.05; ylo -= m; yhi += m; }
    a.xlo = xlo; a.xhi = xhi; a.ylo = ylo; a.yhi = yhi;
    if (gu__polyline("plot", &c, &a, x, y, n, rgb) != 0) { GU_FREE(c.px); return -1; }
    gu__draw_axes(&c, &a);
    return gu__canvas_save("plot", &c, path);
}

GU__DEF int gu_plot_t(const char *path, gu_tensor y, const gu_plot_opts *opts) {
    gu_tensor f;
    int rc;
    if (!gu__check_in("plot", y)) return -1;
    if (y.ndim != 1) { gu__seterr("plot: expected a 1-D tensor, got shape %s", GU__SHT(y)); return -1; }
    f = gu_to(y, GU_FLOAT32);
    if (!gu_ok(f)) return -1;
    rc = gu_plot(path, (const float *)f.base, gu_numel(f), opts);
    gu_free(&f);
    return rc;
}

GU__DEF int gu_hist(const char *path, const float *x, int64_t n, int bins, const gu_plot_opts *opts) {
    gu__canvas c;
    gu__axes a;
    double lo = 0, hi = 0, width, m, top = 0;
    int64_t i, *count;
    uint32_t rgb = opts && opts->color ? opts->color : 0x1f77b4;
    int b;
    if (bins <= 0) { gu__seterr("hist: bins must be positive, got %d", bins); return -1; }
    if (bins > 100000) { gu__seterr("hist: %d bins is too many (at most 100000)", bins); return -1; }
    if (n <= 0 || !x) { gu__seterr("hist: no values (n = %" PRId64 ")", n); return -1; }
    if (!gu__finite_range(x, n, &lo, &hi)) { gu__seterr("hist: no finite values among %" PRId64, n); return -1; }
    if (hi == lo) { lo -= 0.5; hi += 0.5; }  // numpy's histogram of a constant
    count = (int64_t *)gu__malloc((size_t)bins * sizeof(int64_t));
    if (!count) { gu__seterr("hist: out of memory"); return -1; }
    memset(count, 0, (size_t)bins * sizeof(int64_t));
    width = (hi - lo) / bins;
    for (i = 0; i < n; i++) {
        double v = x[i];
        int k;
        if (v != v || isinf(v)) continue;
        k = (int)((v - lo) / width);
        if (k >= bins) k = bins - 1;  // the last bin includes the max, as numpy's
        if (k < 0) k = 0;
        count[k]++;
    }
    for (b = 0; b < bins; b++)
        if (count[b] > top) top = (double)count[b];
    if (gu__figure("hist", &c, &a, opts) != 0) { GU_FREE(count); return -1; }
    m = (hi - lo) * 0.05;
    a.xlo = lo - m; a.xhi = hi + m;
    a.ylo = 0; a.yhi = top > 0 ? top * 1.05 : 1;  // bars stick to 0: the margin is on top only
    for (b = 0; b < bins; b++) {
        int px0 = (int)floor(gu__px_x(&a, lo + b * width) + 0.5), px1 = (int)floor(gu__px_x(&a, lo + (b + 1) * width) + 0.5);
        int py = (int)floor(gu__px_y(&a, (double)count[b]) + 0.5);
        gu__fill(&c, px0, py, px1, a.y1, rgb);
    }
    GU_FREE(count);
    gu__draw_axes(&c, &a);
    return gu__canvas_save("hist", &c, path);
}

// ---- bar charts: a horizontal bar a label, so that long names fit on the left ----
#define GU__BAR_MAX 1000
#define GU__BAR_LABEL_MAX 40

// s cut to at most max characters, the cut ones ending in ".."; buf holds max + 1.
static const char *gu__cut(char *buf, const char *s, int max) {
    size_t len = strlen(s);
    if (len <= (size_t)max) return s;
    memcpy(buf, s, (size_t)max - 2);
    memcpy(buf + max - 2, "..", 3);
    return buf;
}
// A bar's annotation: whole numbers from 100 up ("1234x"), three digits below ("2.5x").
// Very large or small ones in the ticks' short exponent form: "2.5e7x", "1e-5x".
static void gu__bar_value(char *buf, size_t size, double v) {
    double a = fabs(v);
    char *e;
    if (a >= 100 && a < 1e7) snprintf(buf, size, "%.0fx", v);
    else snprintf(buf, size, "%.3gx", v);
    e = strchr(buf, 'e');
    if (e) {  // "1e+07x" -> "1e7x", "1e-05x" -> "1e-5x"
        char *src = e + 1, *dst = e + 1;
        if (*src == '+') src++;
        else if (*src == '-') *dst++ = *src++;
        while (*src == '0' && src[1] >= '0' && src[1] <= '9') src++;
        memmove(dst, src, strlen(src) + 1);
    }
}
// The label of the tick at 10^k: plain from 0.01 to 1000, then "1e4", "1e-3".
static void gu__decade_label(char *buf, size_t size, int k) {
    if (k >= -2 && k <= 3) snprintf(buf, size, "%g", pow(10.0, k));
    else snprintf(buf, size, "1e%d", k);
}

GU__DEF int gu_bar_titled(const char *path, const char *title, const char *const *labels, const float *values, int n,
                          int log_scale) {
    const uint32_t blue = 0x1f77b4, black = 0x000000, grid = 0xdddddd;
    char buf[GU__BAR_LABEL_MAX + 1], tbuf[81], num[64];
    gu__canvas c;
    gu__axes a;
    int i, label_w = 0, pos_w = 0, neg_w = 0, has_neg = 0, axes_w = 480, pad_l, pad_r, row_h, bar_h, pad_y;
    int title_w = 0, w, h, major, ticks_w = 0;
    double vmin = 0, vmax = 0, tmin, tmax, scale, t, step;
    if (n <= 0 || n > GU__BAR_MAX) { gu__seterr("bar: n = %d bars, expected 1 to %d", n, GU__BAR_MAX); return -1; }
    if (!labels || !values) { gu__seterr("bar: %s is NULL", labels ? "values" : "labels"); return -1; }
    // pass 1: check the values, and measure the labels and annotations
    for (i = 0; i < n; i++) {
        double v = values[i];
        int tw;
        if (!labels[i]) { gu__seterr("bar: labels[%d] is NULL", i); return -1; }
        if (v != v || isinf(v)) { gu__seterr("bar: values[%d] = %g is not finite", i, v); return -1; }
        if (log_scale && v <= 0) {
            gu__seterr("bar: values[%d] = %g, but a log scale needs every value > 0", i, v);
            return -1;
        }
        if (i == 0 || v < vmin) vmin = v;
        if (i == 0 || v > vmax) vmax = v;
        tw = gu__text_width(gu__cut(buf, labels[i], GU__BAR_LABEL_MAX));
        if (tw > label_w) label_w = tw;
        gu__bar_value(num, sizeof num, v);
        tw = gu__text_width(num);
        if (v < 0) { has_neg = 1; if (tw > neg_w) neg_w = tw; }
        else if (tw > pos_w) pos_w = tw;
    }
    // the value axis in t = v (linear) or t = log10 v. Bars grow from t = tmin: 0 on a linear
    // scale, on a log scale the decade at least 0.3 below the smallest value, so that every
    // bar shows. Room is kept at the ends for the annotations (6 px off a bar's end).
    if (log_scale) {
        tmin = floor(log10(vmin) - 0.3);
        tmax = log10(vmax);
        if (tmax < tmin + 1) tmax = tmin + 1;  // show a whole decade: two labelled ticks
    } else {
        tmin = vmin < 0 ? vmin : 0;
        tmax = vmax > 0 ? vmax : 0;
        if (tmax == tmin) tmax = tmin + 1;  // all zero
    }
    pad_l = has_neg ? neg_w + 16 : 0;
    pad_r = pos_w + 16;
    if (axes_w - pad_l - pad_r < 240) axes_w = 240 + pad_l + pad_r;
    scale = (tmax - tmin) / (axes_w - pad_l - pad_r);  // t per pixel
    a.xlo = tmin - pad_l * scale;
    a.xhi = tmax + pad_r * scale;
    a.ylo = 0;
    a.yhi = 1;  // unused: the bars are placed in pixels
    // major ticks: every decade (every few when crowded) or matplotlib's "nice" steps; the
    // labels may not come closer than 12 px
    if (log_scale) {
        int k_hi = (int)floor(a.xhi + 1e-9), k;
        for (k = (int)ceil(a.xlo - 1e-9); k <= k_hi; k++) {
            gu__decade_label(num, sizeof num, k);
            if (gu__text_width(num) > ticks_w) ticks_w = gu__text_width(num);
        }
        for (major = 1; major < 1000 && major / scale < ticks_w + 12; major++) {}
        step = major;
    } else {
        int bins;
        for (bins = 6; bins >= 1; bins--) {  // fewer ticks until the widest label fits
            int dec, tw1, tw2;
            step = gu__nice_step(a.xlo, a.xhi, bins);
            dec = gu__step_decimals(step);
            snprintf(num, sizeof num, "%.*f", dec, a.xlo);
            tw1 = gu__text_width(num);
            snprintf(num, sizeof num, "%.*f", dec, a.xhi);
            tw2 = gu__text_width(num);
            ticks_w = tw1 > tw2 ? tw1 : tw2;
            if (step / scale >= ticks_w + 12) break;
        }
    }
    // rows of 36 px (a bar is 70% of its row, as matplotlib's 0.8 nearly), taller when few
    row_h = n * 36 < 144 ? 144 / n : 36;
    bar_h = (int)(row_h * 0.7 + 0.5);
    if (bar_h > 48) bar_h = 48;
    pad_y = row_h / 4;
    if (title && *title) title_w = gu__text_width(gu__cut(tbuf, title, 80)) + 1;  // +1: drawn bold
    a.x0 = 16 + label_w + 10;
    a.x1 = a.x0 + axes_w;
    a.y0 = title_w ? 46 : 16;
    a.y1 = a.y0 + 2 * pad_y + n * row_h;
    w = a.x1 + (ticks_w / 2 + 16 > 40 ? ticks_w / 2 + 16 : 40);  // room for the last tick label
    if (title_w + 32 > w) w = title_w + 32;
    h = a.y1 + 40;
    if (gu__canvas_new("bar", &c, w, h) != 0) return -1;

    // light grid lines behind the bars, at the major ticks
    for (t = ceil(a.xlo / step - 1e-9) * step; t <= a.xhi + step * 1e-9; t += step) {
        int px = (int)floor(gu__px_x(&a, t) + 0.5);
        gu__fill(&c, px, a.y0, px + 1, a.y1, grid);
    }
    if (!log_scale && tmin < 0) {  // the zero line the bars grow from
        int px = (int)floor(gu__px_x(&a, 0) + 0.5);
        gu__fill(&c, px, a.y0, px + 1, a.y1, black);
    }
    // the bars, their labels and values
    for (i = 0; i < n; i++) {
        double v = values[i];
        int yc = a.y0 + pad_y + i * row_h + row_h / 2, ty = yc - GU__GLYPH_H / 2;
        int p0 = (int)floor(gu__px_x(&a, log_scale ? tmin : 0) + 0.5);
        int p1 = (int)floor(gu__px_x(&a, log_scale ? log10(v) : v) + 0.5);
        const char *lab = gu__cut(buf, labels[i], GU__BAR_LABEL_MAX);
        gu__fill(&c, p0 < p1 ? p0 : p1, yc - bar_h / 2, p0 < p1 ? p1 : p0, yc - bar_h / 2 + bar_h, blue);
        gu__bar_value(num, sizeof num, v);
        gu__text(&c, v < 0 ? p1 - 6 - gu__text_width(num) : p1 + 6, ty, num, black);
        gu__fill(&c, a.x0 - 5, yc, a.x0, yc + 1, black);
        gu__text(&c, a.x0 - 10 - gu__text_width(lab), ty, lab, black);
    }
    // the box, and the value axis' ticks and labels
    gu__fill(&c, a.x0, a.y0, a.x1 + 1, a.y0 + 1, black);
    gu__fill(&c, a.x0, a.y1, a.x1 + 1, a.y1 + 1, black);
    gu__fill(&c, a.x0, a.y0, a.x0 + 1, a.y1 + 1, black);
    gu__fill(&c, a.x1, a.y0, a.x1 + 1, a.y1 + 1, black);
    for (t = ceil(a.xlo / step - 1e-9) * step; t <= a.xhi + step * 1e-9; t += step) {
        int px = (int)floor(gu__px_x(&a, t) + 0.5);
        if (log_scale) gu__decade_label(num, sizeof num, (int)floor(t + 0.5));
        else snprintf(num, sizeof num, "%.*f", gu__step_decimals(step), fabs(t) < step * 1e-9 ? 0.0 : t);
        gu__fill(&c, px, a.y1 + 1, px + 1, a.y1 + 6, black);
        gu__text(&c, px - gu__text_width(num) / 2, a.y1 + 10, num, black);
    }
    if (log_scale && step == 1 && 1 / scale >= 40) {  // minor ticks at 2..9 times each decade
        int k;
        for (k = (int)floor(a.xlo); k <= (int)ceil(a.xhi); k++) {
            int j;
            for (j = 2; j <= 9; j++) {
                double tm = k + log10((double)j);
                if (tm > a.xlo && tm < a.xhi) {
                    int px = (int)floor(gu__px_x(&a, tm) + 0.5);
                    gu__fill(&c, px, a.y1 + 1, px + 1, a.y1 + 4, black);
                }
            }
        }
    }
    if (title_w) {  // centred over the axes, or the figure if too wide; bold: drawn twice
        const char *tt = gu__cut(tbuf, title, 80);
        int tx = (a.x0 + a.x1 - title_w) / 2;
        if (tx < 16 || tx + title_w + 16 > w) tx = (w - title_w) / 2;
        gu__text(&c, tx, 16, tt, black);
        gu__text(&c, tx + 1, 16, tt, black);
    }
    return gu__canvas_save("bar", &c, path);
}
GU__DEF int gu_bar(const char *path, const char *const *labels, const float *values, int n, int log_scale) {
    return gu_bar_titled(path, NULL, labels, values, n, log_scale);
}

GU__DEF int gu_term_show(FILE *f, gu_tensor img, int max_cols) {
    static const char *shade[5] = {" ", "\xe2\x96\x91", "\xe2\x96\x92", "\xe2\x96\x93", "\xe2\x96\x88"};
    int64_t rows, cols, step, r, cc, out_cols;
    double lo = 0, hi = 0;
    float *v;
    if (!f) { gu__seterr("term_show: FILE is NULL"); return -1; }
    v = gu__img_floats("term_show", img, &rows, &cols);
    if (!v) return -1;
    if (max_cols <= 0) max_cols = 80;
    gu__finite_range(v, rows * cols, &lo, &hi);
    step = (cols + max_cols - 1) / max_cols;  // elements per character across
    out_cols = (cols + step - 1) / step;
    for (r = 0; r < rows; r += 2 * step) {
        for (cc = 0; cc < out_cols; cc++) {
            // the mean of the block of elements under this character
            double s = 0;
            int64_t k = 0, i, j;
            for (i = r; i < r + 2 * step && i < rows; i++)
                for (j = cc * step; j < (cc + 1) * step && j < cols; j++)
                    if (v[i * cols + j] == v[i * cols + j]) { s += v[i * cols + j]; k++; }
            s = k ? s / (double)k : lo;
            s = hi > lo ? (s - lo) / (hi - lo) : 0;
            fputs(shade[(int)(s * 4.999)], f);
        }
        fputc('\n', f);
    }
    GU_FREE(v);
    return ferror(f) ? -1 : 0;
}
#endif
// @@end
