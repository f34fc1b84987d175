/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HDF5 diagnostics for io/: HDF5 normally prints its whole error stack to
 * stderr on every failure. alvh checks every HDF5 call instead and turns the
 * stack into one alvh_error line that names the file, the object and the
 * innermost cause (usually the operating system's errno text).
 */
#ifndef ALVH_IO_H5_DIAG_H
#define ALVH_IO_H5_DIAG_H

#include "common/status.h"

/* Prepare the HDF5 library for alvh (process-wide, idempotent); every io/
 * entry point that calls HDF5 calls this first.
 * - No automatic error printing: nothing reaches stderr but alvh's messages.
 * - No atexit teardown (H5dont_atexit), when this runs before any other HDF5
 *   call: after a failed H5Fclose, HDF5 1.10 keeps the id of a file object it
 *   has already freed and its exit handler then crashes (HDF5 issue #2257,
 *   fixed in later releases). alvh closes every file itself, so the handler
 *   has nothing left to do. */
void alvh_h5_library_init(void);

/* Call right after a failed HDF5 call, before any other HDF5 call (the next
 * API call clears the stack). Sets err to ALVH_E_IO with
 *   "<file>: cannot <action> '<object>': <cause> (<function>: <description>)"
 * where the cause comes from the innermost entry of the error stack. object
 * may be NULL. Returns ALVH_E_IO. */
alvh_status alvh_h5_fail(alvh_error *err, const char *file, const char *action, const char *object);

#endif
