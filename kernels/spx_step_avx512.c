/* SPX step kernel, avx512 build of spx_step_impl.h. */
#include "kernels/simd/avx512.h"
#include "kernels/spx_step_impl.h"
