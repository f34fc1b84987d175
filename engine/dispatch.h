/* SPDX-License-Identifier: BSD-3-Clause */
/* Which kernel ISA a run uses: the widest the CPU supports, unless overridden by
 * a request (the CLI's --isa) or the ALVH_ISA environment variable. */
#ifndef ALVH_ENGINE_DISPATCH_H
#define ALVH_ENGINE_DISPATCH_H

#include "common/status.h"
#include "kernels/isa.h"

/* request: NULL or "auto" falls back to $ALVH_ISA, then to the best ISA.
 * Asking for an ISA this CPU cannot run is an error, not a silent fallback. */
alvh_status alvh_dispatch_select(const char *request, const alvh_kernel_ops **ops, alvh_error *err);

#endif
