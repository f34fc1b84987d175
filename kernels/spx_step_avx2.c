/* SPX step kernel, avx2 build of spx_step_impl.h. */
#include "kernels/simd/avx2.h"
#include "kernels/spx_step_impl.h"
