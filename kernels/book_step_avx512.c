/* Hedge-book step kernel, avx512 build of book_step_impl.h. */
#include "kernels/simd/avx512.h"
#include "kernels/book_step_impl.h"
