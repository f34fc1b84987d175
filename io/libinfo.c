/* SPDX-License-Identifier: BSD-3-Clause */
#include "io/libinfo.h"

#include <hdf5.h>
#include <stdio.h>

void alvh_io_hdf5_version(char *buf, size_t n)
{
    unsigned maj = 0, min = 0, rel = 0;
    if (H5get_libversion(&maj, &min, &rel) < 0)
        snprintf(buf, n, "unknown");
    else
        snprintf(buf, n, "%u.%u.%u", maj, min, rel);
}
