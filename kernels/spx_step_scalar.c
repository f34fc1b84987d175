/* SPX step kernel, scalar build of spx_step_impl.h. */
#include "kernels/simd/scalar.h"
#include "kernels/spx_step_impl.h"
