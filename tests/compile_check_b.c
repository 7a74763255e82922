// The second translation unit of compile_check: declarations only.
#include "../groundup.h"
#ifdef __cplusplus
extern "C"
#endif
int other_tu(void);
int other_tu(void) {
    int64_t n = 4;
    gu_tensor t = gu_zeros(GU_FLOAT32, 1, &n);
    int ok = gu_ok(t);
    gu_free(&t);
    return ok;
}
