/* SPDX-License-Identifier: BSD-3-Clause */
/* Versions of the libraries io/ links, for --version and output metadata. */
#ifndef ALVH_IO_LIBINFO_H
#define ALVH_IO_LIBINFO_H
#include <stddef.h>

/* "1.10.8" as reported by the HDF5 library actually loaded at run time. */
void alvh_io_hdf5_version(char *buf, size_t n);

#endif
