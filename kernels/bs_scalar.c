/* Option pricing batch kernels, scalar build of bs_impl.h. */
#include "kernels/simd/scalar.h"
#include "kernels/bs_impl.h"
