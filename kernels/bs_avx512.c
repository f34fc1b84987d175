/* Option pricing batch kernels, avx512 build of bs_impl.h. */
#include "kernels/simd/avx512.h"
#include "kernels/bs_impl.h"
