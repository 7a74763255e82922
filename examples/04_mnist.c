// cc -O2 -I.. -o 04_mnist 04_mnist.c -lm -lz -lpthread
//
// 04_mnist: the lesson's data cells. Loads MNIST from whatever PATH is - the lesson's
// mnist.pkl.gz (or any pickle of ((x, y), (x, y), (x, y))), a directory of the four IDX
// files (MNIST or Fashion-MNIST), or one IDX file - or, without PATH, finds it
// ($GROUNDUP_DATA, ./data, ../data; `make data` puts it there). Prints each split, then
// x_train[0][200:210], the chunks-into-28x28 idiom, m[20,15], and shows the first digit:
// digit.png (the lesson's plt.imshow with cmap gray) and a preview in the terminal.
// Usage: ./04_mnist [PATH]        A bad file: exit status 1 and one line "error: ...".
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include "common.h"
#include <stdlib.h>
#include <string.h>

static int fail(void) {
    printf("error: %s\n", gu_error());
    return 1;
}

// A float as Python's repr prints it: the shortest digits that read back the same, and
// "0.0" rather than "0" (x_train holds float32 values; Python shows them widened to double).
static void py_float(char *buf, size_t n, double v) {
    int prec;
    for (prec = 1; prec <= 17; prec++) {
        snprintf(buf, n, "%.*g", prec, v);
        if (strtod(buf, NULL) == v) break;
    }
    if (!strpbrk(buf, ".en")) strncat(buf, ".0", n - strlen(buf) - 1);
}

// Python's print of a list of floats: [0.0, 0.19140625, ...]
static void print_list(gu_tensor t) {
    int64_t i, n = gu_numel(t);
    char b[40];
    printf("[");
    for (i = 0; i < n; i++) {
        py_float(b, sizeof b, gu_get_flat(t, i));
        printf("%s%s", i ? ", " : "", b);
    }
    printf("]");
}

// shape, dtype, first 5 labels, label min and max / pixel sum, for one split
static void describe(const char *name, gu_tensor x, gu_tensor y) {
    char sx[64], sy[64];
    int64_t i, n = gu_numel(y);
    double sum = 0, lo = 0, hi = 0;
    for (i = 0; i < gu_numel(x); i++) sum += gu_get_flat(x, i);
    for (i = 0; i < n; i++) {
        double v = gu_get_flat(y, i);
        if (i == 0 || v < lo) lo = v;
        if (i == 0 || v > hi) hi = v;
    }
    printf("x_%-5s %-12s %-7s pixel sum %.6f\n", name, gu_shape_str(x, sx, sizeof sx), gu_dtype_name(x.dtype), sum);
    printf("y_%-5s %-12s %-7s first 5 labels [", name, gu_shape_str(y, sy, sizeof sy), gu_dtype_name(y.dtype));
    for (i = 0; i < 5 && i < n; i++) printf("%s%g", i ? ", " : "", gu_get_flat(y, i));
    printf("], min %g, max %g\n", lo, hi);
}

// The lesson's cells on the first image (row 0 of x_train, 784 pixels).
static int lesson_cells(gu_tensor x0) {
    int64_t sq[2] = {28, 28}, chunk[2] = {2, 5}, at[2] = {20, 15};
    gu_tensor vals, img, m;
    char b[40];
    // lst1 = list(x_train[0]); vals = lst1[200:210]; vals
    vals = gu_slice(x0, 0, 200, 210, 1);
    printf("\nx_train[0][200:210]\n");
    print_list(vals);
    printf("\n");
    // list(chunks(vals, 5)): the generator hands out rows; a view does the same with no copy
    printf("\nlist(chunks(vals, 5))\n[");
    {
        gu_tensor rows = gu_view(vals, 2, chunk);
        if (!gu_ok(rows)) return -1;
        print_list(gu_select(rows, 0, 0));
        printf(", ");
        print_list(gu_select(rows, 0, 1));
    }
    printf("]\n");
    // img = list(chunks(lst1, 28)); len(img) -> 28; img[20][15]
    img = gu_view(x0, 2, sq);
    if (!gu_ok(img)) return -1;
    py_float(b, sizeof b, gu_get(img, 2, at));
    printf("\nimg = list(chunks(lst1, 28)): len(img) = %lld, img[20][15] = %s\n", (long long)img.shape[0], b);
    // m = Matrix(img); m[20,15]
    m = gu_index(img, 2, at);
    if (!gu_ok(m)) return -1;
    py_float(b, sizeof b, gu_item(m));
    printf("m[20,15] = %s\n", b);
    // mpl.rcParams['image.cmap'] = 'gray'; plt.imshow(list(chunks(lst1, 28)))
    if (gu_imshow("digit.png", img, NULL) != 0) return -1;
    printf("\nplt.imshow(img) -> digit.png\n");
    return gu_term_show(stdout, img, 56);
}

int main(int argc, char **argv) {
    char path[1024];
    gu_mnist m;
    gu_data_format f;
    if (argc > 2 || (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))) {
        fprintf(argc > 2 ? stderr : stdout, "usage: %s [PATH]\n"
               "  PATH: mnist.pkl.gz (or any pickle of three (x, y) pairs), a folder of the four IDX\n"
               "  files (MNIST or Fashion-MNIST), or one IDX file. Without PATH: $GROUNDUP_DATA,\n"
               "  then ./data, then ../data (`make data` fills data/). Writes digit.png here.\n", argv[0]);
        return argc > 2 ? 2 : 0;
    }
    if (find_mnist(path, sizeof path, argc > 1 ? argv[1] : NULL) != 0) return fail();
    f = gu_data_format_of(path);
    if (f == GU_FORMAT_IDX) {  // one IDX file: describe it; images get the lesson's cells
        gu_tensor t = gu_idx_load(path), x;
        char s[64];
        int64_t i, n;
        double sum = 0, lo = 0, hi = 0;
        if (!gu_ok(t)) return fail();
        printf("data: %s\n", path);
        n = gu_numel(t);
        for (i = 0; i < n; i++) {
            double v = gu_get_flat(t, i);
            sum += v;
            if (i == 0 || v < lo) lo = v;
            if (i == 0 || v > hi) hi = v;
        }
        printf("%s %s, first 5 [", gu_shape_str(t, s, sizeof s), gu_dtype_name(t.dtype));
        for (i = 0; i < 5 && i < n; i++) printf("%s%g", i ? ", " : "", gu_get_flat(t, i));
        printf("], min %g, max %g, sum %.6f\n", lo, hi, sum);
        if (t.dtype == GU_UINT8 && t.ndim == 3 && t.shape[0] > 0 && t.shape[1] == 28 && t.shape[2] == 28) {
            int rc;
            x = gu_mnist_to_float(t, 256);  // as mnist.pkl.gz has them
            rc = gu_ok(x) ? lesson_cells(gu_select(x, 0, 0)) : -1;
            gu_free(&x);
            gu_free(&t);
            return rc ? fail() : 0;
        }
        gu_free(&t);
        return 0;
    }
    if (gu_mnist_load(path, &m) != 0) return fail();
    printf("data: %s\n", path);
    // ((x_train, y_train), (x_valid, y_valid), _) = pickle.load(f, encoding='latin-1')
    describe("train", m.x_train, m.y_train);
    describe("valid", m.x_valid, m.y_valid);
    describe("test", m.x_test, m.y_test);
    if (m.x_train.shape[0] == 0 || lesson_cells(gu_select(m.x_train, 0, 0)) != 0) {
        gu_mnist_free(&m);
        return fail();
    }
    gu_mnist_free(&m);
    return 0;
}
