/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Option pricing throughput: BSM price and delta per second on one core, for the
 * condor's marking workload (one batch of positions across paths per step).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime in bench/timer.h */
#include "bench/bench_bs.h"

#include <stdlib.h>

#include "bench/timer.h"

enum { BATCH = 1024 };

double alvh_bench_bs(const alvh_kernel_ops *ops, double seconds)
{
    double *buf = aligned_alloc(64, sizeof(double) * BATCH * 6);
    if (!buf)
        return 0.0;
    double *s = buf, *k = buf + BATCH, *t = buf + 2 * BATCH, *sig = buf + 3 * BATCH;
    double *price = buf + 4 * BATCH, *delta = buf + 5 * BATCH;
    /* a deterministic spread of inputs, so no lane pattern repeats within a vector */
    for (size_t i = 0; i < BATCH; i++) {
        s[i] = 5000.0;
        k[i] = 5000.0 * (0.8 + 0.4 * (double)((i * 37) % BATCH) / BATCH);
        t[i] = (1.0 + (double)((i * 11) % 90)) / 365.0;
        sig[i] = 0.1 + 0.3 * (double)((i * 7) % 101) / 100.0;
    }
    ops->bs_batch(BATCH, s, k, t, sig, 0.04, 0.013, 1, price, delta); /* warm up */
    double best = 0.0, sink = 0.0;
    for (int trial = 0; trial < 3; trial++) {
        double t0 = alvh_bench_now(), el;
        size_t calls = 0;
        do {
            ops->bs_batch(BATCH, s, k, t, sig, 0.04, 0.013, (int)(calls & 1), price, delta);
            sink += price[calls % BATCH];
            calls++;
            el = alvh_bench_now() - t0;
        } while (el < seconds / 3);
        double rate = (double)calls * BATCH / el;
        best = rate > best ? rate : best;
    }
    free(buf);
    /* the sink keeps the calls observable; prices are never negative */
    return sink >= 0.0 ? best : 0.0;
}
