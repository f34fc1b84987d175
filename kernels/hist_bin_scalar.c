/* Histogram binning, scalar build of hist_bin_impl.h. */
#include "kernels/simd/scalar.h"
#include "kernels/hist_bin_impl.h"
