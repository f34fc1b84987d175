/* SPDX-License-Identifier: BSD-3-Clause */
/* alvh_config_doc: prints the configuration key tables (Markdown) for docs/config.md. */
#include <stdio.h>
#include <stdlib.h>

#include "io/config_schema.h"

int main(void)
{
    char *md = alvh_config_schema_markdown();
    if (!md) {
        fprintf(stderr, "alvh_config_doc: out of memory\n");
        return 1;
    }
    fputs(md, stdout);
    free(md);
    return 0;
}
