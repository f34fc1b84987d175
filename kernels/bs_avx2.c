/* Option pricing batch kernels, avx2 build of bs_impl.h. */
#include "kernels/simd/avx2.h"
#include "kernels/bs_impl.h"
