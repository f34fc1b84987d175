/* RNG fill kernels, avx2 build of rng_fill_impl.h. */
#include "kernels/simd/avx2.h"
#include "kernels/rng.h"
#include "kernels/rng_fill_impl.h"
