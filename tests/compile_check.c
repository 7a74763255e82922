// tests/compile_check.c - compiled by tests/compile_check.sh under many compilers and
// modes (C99, C11, C++, static, opt-outs, allocation hooks). It must build warning-free
// and run; the second translation unit (compile_check_b.c) checks that the header's
// declarations link against the one implementation.
#ifdef CHECK_HOOKS
#include <stdlib.h>
static int hook_calls;
static void *my_malloc(size_t n) { hook_calls++; return malloc(n); }
#define GU_MALLOC(n) my_malloc(n)
#define GU_REALLOC(p, n) realloc(p, n)
#define GU_FREE(p) free(p)
#endif
#define GROUNDUP_IMPLEMENTATION
#include "../groundup.h"
#include "../groundup.h"  // a second include is harmless

#ifdef __cplusplus
extern "C"
#endif
int other_tu(void);

int main(void) {
    int64_t shape[2] = {3, 3};
    gu_tensor m = gu_arange(1, 10, 1, GU_FLOAT32);
    gu_tensor v = gu_view(m, 2, shape);
    char *s = gu_repr(gu_transpose(v, 0, 1));
    int ok = s != NULL && gu_ok(v);
    gu_free_mem(s);
    gu_free(&m);
#ifdef CHECK_HOOKS
    ok = ok && hook_calls > 0;
#endif
#ifndef GROUNDUP_STATIC
    ok = ok && other_tu() == 1;
#endif
    return ok ? 0 : 1;
}
