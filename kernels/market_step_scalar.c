/* Market step kernel, scalar build of market_step_impl.h. */
#include "kernels/simd/scalar.h"
#include "kernels/market_step_impl.h"
