// cc -O2 -I.. -o 01_tensors 01_tensors.c -lm -lz -lpthread
//
// 01_tensors: the lesson's "Matrix and tensor" cells in C. A tensor is a shape and strides
// over storage; indexing, reshape, None-indexing and expand_as are views that copy nothing.
// The MNIST digits come in 04_mnist.c; here a stand-in array of the same shape plays x_train.
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include "common.h"

#include <stdio.h>

int main(void) {
    char sh[64], st[64];

    // x_train stands in as (4, 784): a gradient with a bright bar, values like pixels/256.
    int64_t xs[2] = {4, 784};
    gu_tensor x_train = ok(gu_zeros(GU_FLOAT32, 2, xs));
    for (int64_t n = 0; n < 4; n++)
        for (int64_t p = 0; p < 784; p++) {
            int64_t r = p / 28, c = p % 28, ix[2] = {n, p};
            double v = (c >= 12 + n && c < 16 + n && r > 3 && r < 24) ? 253.0 / 256 : 0.0;
            gu_set(x_train, 2, ix, v);
        }
    printf("x_train: a stand-in (4 made-up digits, a bright bar on black) for MNIST's x_train;\n"
           "         04_mnist loads the real one\n");
    printf("x_train.shape = %s\n", gu_shape_str(x_train, sh, sizeof sh));

    // lst1[200:210]: a slice is a view
    gu_tensor row0 = ok(gu_select(x_train, 0, 0));
    printf("x_train[0][200:210] = ");
    gu_print(ok(gu_slice(row0, 0, 200, 210, 1)));

    // The lesson's Matrix: m[20,15] indexes a 28x28 image
    int64_t s28[2] = {28, 28}, at[2] = {20, 15};
    gu_tensor img = ok(gu_view(row0, 2, s28));
    printf("m[20,15] = %g\n", gu_get(img, 2, at));

    // imgs = x_train.reshape((-1,28,28)): a view, same storage
    int64_t s3[3] = {-1, 28, 28};
    gu_tensor imgs = ok(gu_reshape(x_train, 3, s3));
    printf("imgs.shape = %s, shares storage: %s\n", gu_shape_str(imgs, sh, sizeof sh),
           imgs.base == x_train.base ? "yes" : "no");
    int64_t at3[3] = {0, 20, 15};
    printf("imgs[0,20,15] = ");
    gu_print(ok(gu_index(imgs, 3, at3)));

    // A view with the wrong element count is an error, not a crash
    int64_t bad[2] = {5, 785};
    gu_tensor oops = gu_view(x_train, 2, bad);
    printf("view (5, 785): %s -> %s\n", gu_ok(oops) ? "ok" : "error", gu_error());

    // c.expand_as(m): stride 0, storage of 3 floats
    gu_tensor m9 = ok(gu_arange(1, 10, 1, GU_FLOAT32));
    gu_tensor m = ok(gu_view(m9, 2, (int64_t[]){3, 3}));
    gu_tensor c = ok(gu_arange(10, 40, 10, GU_FLOAT32));
    gu_tensor t = ok(gu_expand_as(c, m));
    printf("m = ");
    gu_print(m);
    printf("t = c.expand_as(m) = ");
    gu_print(t);
    printf("t.stride() = %s, len(t.storage()) = %lld\n", gu_stride_str(t, st, sizeof st),
           (long long)gu_storage_numel(t));

    // unsqueeze and None-indexing
    printf("c[None,:] = ");
    gu_print(ok(gu_unsqueeze(c, 0)));
    printf("c[None,:].shape = %s\n", gu_shape_str(gu_unsqueeze(c, 0), sh, sizeof sh));
    printf("c[:,None] = ");
    gu_print(ok(gu_unsqueeze(c, 1)));
    printf("c[...,None].shape = %s\n", gu_shape_str(gu_unsqueeze(c, -1), sh, sizeof sh));
    printf("m.T = ");
    gu_print(ok(gu_t(m)));
    printf("m.T.stride() = %s, contiguous: %d\n", gu_stride_str(gu_t(m), st, sizeof st),
           gu_is_contiguous(gu_t(m)));

    // Printing with print options, as torch.set_printoptions(precision=2, linewidth=140, sci_mode=False)
    gu_tensor w = ok(gu_arange(-1, 1, 0.37, GU_FLOAT32));
    printf("default:     ");
    gu_print(w);
    gu_printopts o = {2, 0, 0, 140, GU_SCI_OFF};
    gu_set_printoptions(o);
    printf("precision=2: ");
    gu_print(w);

    gu_free(&w);
    gu_free(&c);
    gu_free(&m9);
    gu_free(&x_train);
    return 0;
}
