// tests/compile_check_wrap.h - what compile_check names as GU_STB_INCLUDE or
// GU_CBLAS_INCLUDE, standing in for a program's own copy of a header (a vendored
// stb_image_write.h, MKL's mkl_cblas.h): it includes the system's and marks that it was read.
#if defined(CHECK_WRAP_STB) && !defined(CHECK_WRAP_STB_READ)
#define CHECK_WRAP_STB_READ 1
#include <stb/stb_image_write.h>
#endif
#if defined(CHECK_WRAP_CBLAS) && !defined(CHECK_WRAP_CBLAS_READ)
#define CHECK_WRAP_CBLAS_READ 1
#include <cblas.h>
#endif
