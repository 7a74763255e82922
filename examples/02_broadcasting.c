// cc -O2 -I.. -o 02_broadcasting 02_broadcasting.c -lm -lz -lpthread
// 02_broadcasting.c - the lesson's "Elementwise ops" and "Broadcasting" cells, in C.
// Each cell's Python is in a comment; what follows it prints what the notebook prints
// (under the lesson's torch.set_printoptions(precision=2, linewidth=140, sci_mode=False)).
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"

#include <stdlib.h>
#include <string.h>

// IPython shows a tuple on one line when it fits, else one item per line, indented by 1.
static void print_tuple2(char *x, char *y) {
    if (!strchr(x, '\n') && !strchr(y, '\n') && strlen(x) + strlen(y) + 4 <= 79) {
        printf("(%s, %s)\n", x, y);
    } else {
        const char *items[2];
        int i;
        const char *p;
        items[0] = x;
        items[1] = y;
        for (i = 0; i < 2; i++) {
            fputs(i ? ",\n " : "(", stdout);
            for (p = items[i]; *p; p++) {
                putchar(*p);
                if (*p == '\n') putchar(' ');
            }
        }
        puts(")");
    }
    gu_free_mem(x);
    gu_free_mem(y);
}
// torch.Size([3, 3])
static char *size_str(gu_tensor t) {
    char *s = (char *)malloc(200);
    int i, len = snprintf(s, 200, "torch.Size([");
    for (i = 0; i < t.ndim; i++) len += snprintf(s + len, (size_t)(200 - len), "%s%lld", i ? ", " : "", (long long)t.shape[i]);
    snprintf(s + len, (size_t)(200 - len), "])");
    return s;
}
static char *stride_str(gu_tensor t) {
    char *s = (char *)malloc(200);
    gu_stride_str(t, s, 200);
    return s;
}
static void cell(const char *code) { printf("\n>>> %s\n", code); }

int main(void) {
    float av[] = {10, 6, -4}, bv[] = {2, 8, 7}, mv[] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, cv[] = {10, 20, 30};
    int64_t n3 = 3, s33[2] = {3, 3};
    gu_printopts po = {0};
    gu_tensor a, b, m, c, t;
    int64_t i;

    po.precision = 2;           // torch.set_printoptions(precision=2, linewidth=140, sci_mode=False)
    po.linewidth = 140;
    po.sci_mode = GU_SCI_OFF;
    gu_set_printoptions(po);
    // One tidy scope around the lesson's cells: every owner made inside it (results and the
    // intermediates of chains such as (a < b).float().mean()) is freed by gu_tidy_end.
    gu_tidy_begin();

    // ---- Elementwise ops ----
    cell("a = tensor([10., 6, -4]); b = tensor([2., 8, 7]); a,b");
    a = gu_from_data(GU_FLOAT32, 1, &n3, av);
    b = gu_from_data(GU_FLOAT32, 1, &n3, bv);
    print_tuple2(gu_repr(a), gu_repr(b));

    cell("a + b");
    gu_print(gu_add(a, b));

    cell("(a < b).float().mean()");
    gu_print(gu_mean(gu_to(gu_lt(a, b), GU_FLOAT32)));

    cell("m = tensor([[1., 2, 3], [4,5,6], [7,8,9]]); m");
    m = gu_from_data(GU_FLOAT32, 2, s33, mv);
    gu_print(m);

    cell("(m*m).sum().sqrt()    # the Frobenius norm");
    gu_print(gu_sqrt(gu_sum(gu_mul(m, m))));
    cell("gu_norm(m)            # the same, in one call");
    gu_print(gu_norm(m));

    // ---- Broadcasting with a scalar ----
    cell("a");
    gu_print(a);
    cell("a > 0");
    gu_print(gu_gt_iscalar(a, 0));
    cell("a + 1");
    gu_print(gu_add_iscalar(a, 1));
    cell("m");
    gu_print(m);
    cell("2*m");
    gu_print(gu_mul_iscalar(m, 2));  // 2*m: mul is symmetric, so no "r" form is needed

    // ---- Broadcasting a vector to a matrix ----
    cell("c = tensor([10.,20,30]); c");
    c = gu_from_data(GU_FLOAT32, 1, &n3, cv);
    gu_print(c);
    cell("m");
    gu_print(m);
    cell("m.shape,c.shape");
    print_tuple2(size_str(m), size_str(c));
    cell("m + c");
    gu_print(gu_add(m, c));
    cell("c + m");
    gu_print(gu_add(c, m));

    // ---- c.expand_as(m): the rows are not copied, they get a stride of 0 ----
    cell("t = c.expand_as(m); t");
    t = gu_expand_as(c, m);     // a view: nothing to free
    gu_print(t);
    cell("m + t");
    gu_print(gu_add(m, t));
    cell("t.storage()");
    for (i = 0; i < gu_storage_numel(t); i++) printf(" %.1f\n", ((const float *)t.base)[i]);
    printf("[torch.storage._TypedStorage(dtype=torch.float32, device=cpu) of size %lld]\n", (long long)gu_storage_numel(t));
    cell("t.stride(), t.shape");
    print_tuple2(stride_str(t), size_str(t));

    // ---- c.unsqueeze(0), c[None,:], c.unsqueeze(1), c[:,None] ----
    cell("c.shape");
    { char *z = size_str(c); puts(z); free(z); }
    cell("c.unsqueeze(0), c[None, :]");
    print_tuple2(gu_repr(gu_unsqueeze(c, 0)), gu_repr(gu_unsqueeze(c, 0)));
    cell("c.unsqueeze(0).shape");
    { char *z = size_str(gu_unsqueeze(c, 0)); puts(z); free(z); }
    cell("c.unsqueeze(1), c[:, None]");
    print_tuple2(gu_repr(gu_unsqueeze(c, 1)), gu_repr(gu_unsqueeze(c, -1)));
    cell("c.unsqueeze(1).shape");
    { char *z = size_str(gu_unsqueeze(c, 1)); puts(z); free(z); }
    cell("c[None].shape,c[...,None].shape");
    print_tuple2(size_str(gu_unsqueeze(c, 0)), size_str(gu_unsqueeze(c, -1)));

    // ---- Broadcast a one-row/col matrix ----
    cell("c[None].expand_as(m)");
    gu_print(gu_expand_as(gu_unsqueeze(c, 0), m));
    cell("c[:,None].expand_as(m)");
    gu_print(gu_expand_as(gu_unsqueeze(c, 1), m));
    cell("m + c[:,None]");
    gu_print(gu_add(m, gu_unsqueeze(c, 1)));
    cell("m + c[None,:]");
    gu_print(gu_add(m, gu_unsqueeze(c, 0)));

    // ---- Broadcasting rules: (1, 3) with (3, 1) gives (3, 3) ----
    cell("c[None,:]");
    gu_print(gu_unsqueeze(c, 0));
    cell("c[None,:].shape");
    { char *z = size_str(gu_unsqueeze(c, 0)); puts(z); free(z); }
    cell("c[:,None]");
    gu_print(gu_unsqueeze(c, 1));
    cell("c[:,None].shape");
    { char *z = size_str(gu_unsqueeze(c, 1)); puts(z); free(z); }
    cell("c[None,:] * c[:,None]");
    gu_print(gu_mul(gu_unsqueeze(c, 0), gu_unsqueeze(c, 1)));
    cell("c[None] > c[:,None]");
    gu_print(gu_gt(gu_unsqueeze(c, 0), gu_unsqueeze(c, 1)));

    // ---- and what does not broadcast ----
    cell("m + tensor([1., 2])   # RuntimeError in PyTorch");
    {
        float twov[] = {1, 2};
        int64_t n2 = 2;
        gu_tensor r = gu_add(m, gu_from_data(GU_FLOAT32, 1, &n2, twov));
        if (!gu_ok(r)) printf("error: %s\n", gu_error());
    }

    gu_tidy_end();  // frees a, b, m, c and every result above
    return 0;
}
