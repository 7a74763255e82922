// The second translation unit of compile_check: declarations only.
#include "../groundup.h"

#ifdef GU_STB_NO_IMPL
// The program's own stb_image_write (GU_STB_NO_IMPL): groundup's PNGs go through this copy.
#ifndef GU_STB_INCLUDE
#define GU_STB_INCLUDE <stb/stb_image_write.h>
#endif
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include GU_STB_INCLUDE   // the system's copy underneath: its warnings stay quiet
#endif

#ifdef __cplusplus
extern "C"
#endif
int other_tu(void);
int other_tu(void) {
    int64_t n = 4;
    gu_tensor t = gu_zeros(GU_FLOAT32, 1, &n);
    int ok = gu_ok(t);
#ifdef GU_CUDA
    {   // the companion's declarations parse (nothing is called: no companion is linked)
        const gu_cuda_tensor *d = NULL;   // sizeof evaluates nothing
        ok = ok && sizeof(gu_cuda_matmul(GU_CUDA_MATMUL_VERSIONS, *d, *d, *d)) == sizeof(int) &&
             sizeof(gu_cuda_to_device(t)) == sizeof(gu_cuda_tensor) && d == NULL;
    }
#endif
    gu_free(&t);
    return ok;
}
