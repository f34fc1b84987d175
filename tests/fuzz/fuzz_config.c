/* libFuzzer target: the YAML configuration loader on arbitrary text. Any
 * input must give ALVH_OK or an error message, never a crash, leak or hang. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    alvh_config *cfg = NULL;
    alvh_error err = {0};
    alvh_status st = alvh_config_load_text("fuzz.yaml", text, size, &cfg, &err);
    if (st == ALVH_OK) {
        char *resolved = alvh_config_resolved_text(cfg);
        free(resolved);
        alvh_config_free(cfg);
    } else if (!err.msg[0]) {
        abort(); /* every refusal carries a message */
    }
    free(text);
    return 0;
}
