/* Market step kernel, avx2 build of market_step_impl.h. */
#include "kernels/simd/avx2.h"
#include "kernels/market_step_impl.h"
