/*
 * Files named by the user before anything reads or replaces them: an input
 * must be a regular file (a FIFO would block the reader forever, a device
 * would be read without end), and an output name may only replace a regular
 * file (renaming over /dev/null as root would replace the system's device).
 */
#ifndef ALVH_IO_FILE_CHECK_H
#define ALVH_IO_FILE_CHECK_H

#include "common/status.h"

/* Opens path for reading without blocking on FIFOs and returns a blocking
 * descriptor to a regular file, or -1 with err set. `what` names the file's
 * role in the message ("configuration", "checkpoint", ...). Missing files,
 * loops and other bad names are ALVH_E_CONFIG (bad input); refused kinds too. */
int alvh_open_regular(const char *path, const char *what, alvh_error *err);

/* ALVH_OK when path does not exist or names a regular file (or a symlink to
 * one); otherwise ALVH_E_USAGE naming the kind of file found. */
alvh_status alvh_check_output_path(const char *path, const char *what, alvh_error *err);

/* "directory", "FIFO", "character device", ... for a st_mode */
const char *alvh_file_kind(unsigned mode);

#endif
