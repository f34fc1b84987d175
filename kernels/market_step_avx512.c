/* Market step kernel, avx512 build of market_step_impl.h. */
#include "kernels/simd/avx512.h"
#include "kernels/market_step_impl.h"
