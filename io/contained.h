/*
 * Reading untrusted files in a child process. HDF5 1.10 itself crashes on
 * some corrupt files (invalid frees and reads in H5HG_read, H5MM_xfree,
 * H5F__accum_read, found by fuzzing); no check on our side can stop that, so
 * the whole read runs in a forked child. Its output goes to an anonymous
 * in-memory file and is copied to `out` only when the child finished normally;
 * a child that died (signal, sanitizer abort) or ran past a time limit
 * (default 600 s, ALVH_READ_TIMEOUT_SECONDS) becomes ALVH_E_IO "corrupt file"
 * naming the file, with nothing printed.
 */
#ifndef ALVH_IO_CONTAINED_H
#define ALVH_IO_CONTAINED_H

#include <stdio.h>

#include "common/status.h"

typedef alvh_status (*alvh_contained_fn)(void *ctx, FILE *out, alvh_error *err);

alvh_status alvh_run_contained(const char *path, alvh_contained_fn fn, void *ctx, FILE *out, alvh_error *err);

#endif
