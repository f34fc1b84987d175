/* RNG fill kernels, scalar build of rng_fill_impl.h. */
#include "kernels/simd/scalar.h"
#include "kernels/rng.h"
#include "kernels/rng_fill_impl.h"
