/* SPDX-License-Identifier: BSD-3-Clause */
#include "io/h5_trial.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* HDF5's shuffle of n elements of 8 bytes: byte b of element i to b n + i */
static void shuffle8(const unsigned char *in, size_t n, unsigned char *out)
{
    for (size_t i = 0; i < n; i++)
        for (size_t b = 0; b < 8; b++)
            out[b * n + i] = in[i * 8 + b];
}

int alvh_h5_deflate_pays(const double *data, size_t rows, size_t cols, size_t ld, size_t chunk_rows, int level)
{
    size_t r = rows < chunk_rows ? rows : chunk_rows, n = r * cols;
    if (n == 0)
        return 1;
    double *chunk = malloc(n * sizeof *chunk);
    unsigned char *shuf = malloc(n * sizeof *chunk);
    uLongf cap = compressBound((uLong)(n * sizeof *chunk));
    unsigned char *z = malloc(cap);
    int pays = 1;
    if (chunk && shuf && z) {
        for (size_t i = 0; i < r; i++)
            memcpy(chunk + i * cols, data + i * ld, cols * sizeof *chunk);
        shuffle8((const unsigned char *)chunk, n, shuf);
        uLongf got = cap;
        if (compress2(z, &got, shuf, (uLong)(n * sizeof *chunk), level) == Z_OK)
            pays = (double)got <= ALVH_H5_DEFLATE_MAX_RATIO * (double)(n * sizeof *chunk);
    }
    free(chunk);
    free(shuf);
    free(z);
    return pays;
}
