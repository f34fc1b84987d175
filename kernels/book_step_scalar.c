/* Hedge-book step kernel, scalar build of book_step_impl.h. */
#include "kernels/simd/scalar.h"
#include "kernels/book_step_impl.h"
