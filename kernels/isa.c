/* SPDX-License-Identifier: BSD-3-Clause */
/* CPU feature detection and the per-ISA kernel tables. */
#include "kernels/isa.h"

#include <string.h>

#include "kernels/rng.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static unsigned long long xgetbv0(void)
{
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

/* CPUID says what the core has; XGETBV says which register states the OS saves.
 * An ISA is usable only if both agree (a VM or kernel may disable AVX-512). */
static int detect(alvh_isa isa)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    int osxsave = (c >> 27) & 1, fma = (c >> 12) & 1, avx = (c >> 28) & 1;
    if (!osxsave || !avx)
        return 0;
    unsigned long long xcr0 = xgetbv0();
    int ymm_ok = (xcr0 & 0x6) == 0x6;
    int zmm_ok = (xcr0 & 0xE6) == 0xE6;
    if (__get_cpuid_max(0, NULL) < 7)
        return 0;
    __cpuid_count(7, 0, a, b, c, d);
    int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1, avx512dq = (b >> 17) & 1;
    if (isa == ALVH_ISA_AVX2)
        return ymm_ok && avx2 && fma;
    if (isa == ALVH_ISA_AVX512)
        return zmm_ok && avx2 && fma && avx512f && avx512dq;
    return 0;
}
#else
static int detect(alvh_isa isa) { (void)isa; return 0; }
#endif

int alvh_isa_supported(alvh_isa isa)
{
    static int cached[ALVH_ISA_COUNT] = {0};
    static int known[ALVH_ISA_COUNT] = {0};
    if (isa == ALVH_ISA_SCALAR)
        return 1;
    if ((int)isa < 0 || isa >= ALVH_ISA_COUNT)
        return 0;
    /* benign race: every thread computes the same answer */
    if (!known[isa]) {
        cached[isa] = detect(isa);
        known[isa] = 1;
    }
    return cached[isa];
}

alvh_isa alvh_isa_best(void)
{
    if (alvh_isa_supported(ALVH_ISA_AVX512))
        return ALVH_ISA_AVX512;
    if (alvh_isa_supported(ALVH_ISA_AVX2))
        return ALVH_ISA_AVX2;
    return ALVH_ISA_SCALAR;
}

static const alvh_kernel_ops tables[ALVH_ISA_COUNT] = {
    {.isa = ALVH_ISA_SCALAR, .name = "scalar", .lanes = 1,
     .uniform_fill = alvh_rng_uniform_fill_scalar, .normal_fill = alvh_rng_normal_fill_scalar,
     .spx_step = alvh_spx_step_scalar, .market_step = alvh_market_step_scalar, .book_step = alvh_book_step_scalar, .book_metrics = alvh_book_metrics_scalar, .book_levels = alvh_book_levels_scalar,
     .bs_batch = alvh_bs_batch_scalar, .black76_batch = alvh_black76_batch_scalar, .iv_batch = alvh_iv_batch_scalar,
     .hist_bin = alvh_hist_bin_scalar, .hist_bin16 = alvh_hist_bin16_scalar},
    {.isa = ALVH_ISA_AVX2, .name = "avx2", .lanes = 4,
     .uniform_fill = alvh_rng_uniform_fill_avx2, .normal_fill = alvh_rng_normal_fill_avx2,
     .spx_step = alvh_spx_step_avx2, .market_step = alvh_market_step_avx2, .book_step = alvh_book_step_avx2, .book_metrics = alvh_book_metrics_avx2, .book_levels = alvh_book_levels_avx2,
     .bs_batch = alvh_bs_batch_avx2, .black76_batch = alvh_black76_batch_avx2, .iv_batch = alvh_iv_batch_avx2,
     .hist_bin = alvh_hist_bin_avx2, .hist_bin16 = alvh_hist_bin16_avx2},
    {.isa = ALVH_ISA_AVX512, .name = "avx512", .lanes = 8,
     .uniform_fill = alvh_rng_uniform_fill_avx512, .normal_fill = alvh_rng_normal_fill_avx512,
     .spx_step = alvh_spx_step_avx512, .market_step = alvh_market_step_avx512, .book_step = alvh_book_step_avx512, .book_metrics = alvh_book_metrics_avx512, .book_levels = alvh_book_levels_avx512,
     .bs_batch = alvh_bs_batch_avx512, .black76_batch = alvh_black76_batch_avx512, .iv_batch = alvh_iv_batch_avx512,
     .hist_bin = alvh_hist_bin_avx512, .hist_bin16 = alvh_hist_bin16_avx512},
};

const alvh_kernel_ops *alvh_kernel_ops_for(alvh_isa isa)
{
    if ((int)isa < 0 || isa >= ALVH_ISA_COUNT)
        return NULL;
    return &tables[isa];
}

const char *alvh_isa_name(alvh_isa isa)
{
    const alvh_kernel_ops *ops = alvh_kernel_ops_for(isa);
    return ops ? ops->name : "unknown";
}

int alvh_isa_from_name(const char *name)
{
    for (int i = 0; i < ALVH_ISA_COUNT; i++)
        if (name && strcmp(name, tables[i].name) == 0)
            return i;
    return -1;
}
