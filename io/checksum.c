/* SPDX-License-Identifier: BSD-3-Clause */
#include "io/checksum.h"

#include <string.h>

/* odd multipliers: the golden-ratio constant and splitmix64's (assumption:
 * any odd constants with well-mixed bits serve) */
#define MUL_LANE UINT64_C(0x9e3779b97f4a7c15)
#define MUL_FINAL UINT64_C(0xbf58476d1ce4e5b9)

static inline uint64_t lane_step(uint64_t s, uint64_t w)
{
    s = (s ^ w) * MUL_LANE;
    return s ^ (s >> 29);
}

static inline void group(uint64_t lane[4], const unsigned char *p)
{
    uint64_t w[4];
    memcpy(w, p, sizeof w);
    for (int i = 0; i < 4; i++)
        lane[i] = lane_step(lane[i], w[i]);
}

void alvh_checksum_init(alvh_checksum *c)
{
    static const uint64_t seeds[4] = {UINT64_C(0x243f6a8885a308d3), UINT64_C(0x13198a2e03707344),
                                      UINT64_C(0xa4093822299f31d0), UINT64_C(0x082efa98ec4e6c89)};
    memcpy(c->lane, seeds, sizeof seeds);
    c->n_pend = 0;
    c->total_bytes = 0;
}

void alvh_checksum_add(alvh_checksum *c, const void *data, size_t n)
{
    const unsigned char *p = data;
    c->total_bytes += n;
    if (c->n_pend) {
        size_t take = sizeof c->pend - c->n_pend < n ? sizeof c->pend - c->n_pend : n;
        memcpy(c->pend + c->n_pend, p, take);
        c->n_pend += take, p += take, n -= take;
        if (c->n_pend < sizeof c->pend)
            return;
        group(c->lane, c->pend);
        c->n_pend = 0;
    }
    for (; n >= sizeof c->pend; p += sizeof c->pend, n -= sizeof c->pend)
        group(c->lane, p);
    memcpy(c->pend, p, n);
    c->n_pend = n;
}

uint64_t alvh_checksum_value(const alvh_checksum *c)
{
    uint64_t lane[4];
    memcpy(lane, c->lane, sizeof lane);
    if (c->n_pend) {
        /* the last partial group, zero-padded; the length below tells the padding apart */
        unsigned char last[32] = {0};
        memcpy(last, c->pend, c->n_pend);
        group(lane, last);
    }
    uint64_t h = c->total_bytes;
    for (int i = 0; i < 4; i++) {
        h = (h ^ lane[i]) * MUL_FINAL;
        h ^= h >> 31;
    }
    return h;
}
