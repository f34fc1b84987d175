/* SPDX-License-Identifier: BSD-3-Clause */
#include "engine/dispatch.h"

#include <stdlib.h>
#include <string.h>

alvh_status alvh_dispatch_select(const char *request, const alvh_kernel_ops **ops, alvh_error *err)
{
    const char *source = "--isa";
    if (!request || strcmp(request, "auto") == 0) {
        request = getenv("ALVH_ISA");
        source = "ALVH_ISA";
    }
    if (!request || request[0] == '\0' || strcmp(request, "auto") == 0) {
        *ops = alvh_kernel_ops_for(alvh_isa_best());
        return ALVH_OK;
    }
    int isa = alvh_isa_from_name(request);
    if (isa < 0)
        return alvh_error_set(err, ALVH_E_USAGE, "%s=%s: unknown ISA (expected auto, scalar, avx2 or avx512)",
                              source, request);
    if (!alvh_isa_supported((alvh_isa)isa))
        return alvh_error_set(err, ALVH_E_UNSUPPORTED, "%s=%s: this CPU cannot run %s kernels (best here: %s)",
                              source, request, request, alvh_isa_name(alvh_isa_best()));
    *ops = alvh_kernel_ops_for((alvh_isa)isa);
    return ALVH_OK;
}
