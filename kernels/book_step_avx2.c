/* Hedge-book step kernel, avx2 build of book_step_impl.h. */
#include "kernels/simd/avx2.h"
#include "kernels/book_step_impl.h"
