/* Histogram binning, avx512 build of hist_bin_impl.h. */
#include "kernels/simd/avx512.h"
#include "kernels/hist_bin_impl.h"
