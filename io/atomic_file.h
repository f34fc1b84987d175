/*
 * Small state files replaced so that a crash at any instant leaves either the
 * old or the new content under the name: written to "<path>.tmp", fsynced,
 * renamed over path, and the directory fsynced so the rename itself is on disk.
 */
#ifndef ALVH_IO_ATOMIC_FILE_H
#define ALVH_IO_ATOMIC_FILE_H

#include <stddef.h>

#include "common/status.h"

alvh_status alvh_atomic_write(const char *path, const void *data, size_t n, alvh_error *err);

/* fsync of the directory holding path (best effort: the caller already renamed). */
void alvh_sync_parent_dir(const char *path);

#endif
