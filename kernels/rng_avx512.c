/* RNG fill kernels, avx512 build of rng_fill_impl.h. */
#include "kernels/simd/avx512.h"
#include "kernels/rng.h"
#include "kernels/rng_fill_impl.h"
