/* Histogram binning, avx2 build of hist_bin_impl.h. */
#include "kernels/simd/avx2.h"
#include "kernels/hist_bin_impl.h"
