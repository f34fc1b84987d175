/* libFuzzer target: the checkpoint loader (io/checkpoint.h) on arbitrary
 * files, against a job of two buffers, the second stored by block (the rows
 * of the blocks the first, a done mask, marks). A valid checkpoint of that shape is the
 * seed (written by ALVH_FUZZ_WRITE_SEED=FILE). Any input: loaded, or refused
 * with a message; never a crash or an overrun of the buffers. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/checkpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static unsigned char g_mask[16], g_rows[256];
static char g_path[64];

static size_t buffers(alvh_job_buffer *b)
{
    b[0] = (alvh_job_buffer){.name = "done_mask", .data = g_mask, .bytes = sizeof g_mask};
    /* 16 blocks of 16 bytes in one part */
    b[1] = (alvh_job_buffer){.name = "rows", .data = g_rows, .bytes = sizeof g_rows, .by_block = g_mask,
                             .n_blocks = sizeof g_mask, .block_bytes = 16, .part_bytes = sizeof g_rows, .n_parts = 1};
    return 2;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(g_path, sizeof g_path, "/tmp/alvh-fuzz-ckpt-%ld", (long)getpid());
    const char *seed = getenv("ALVH_FUZZ_WRITE_SEED");
    if (seed) {
        alvh_job_buffer b[2];
        size_t n = buffers(b);
        for (size_t i = 0; i < sizeof g_rows; i++)
            g_rows[i] = (unsigned char)i;
        for (size_t i = 0; i < sizeof g_mask; i++)
            g_mask[i] = i % 3 != 1; /* some blocks done, some not */
        alvh_ckpt_header h = {.config_hash = 1, .binary_hash = 2, .seed = 3, .scenario = 0, .block_count = 8,
                              .block_size = 8, .n_paths = 64};
        alvh_error err;
        exit(alvh_ckpt_save(seed, NULL, &h, b, n, &err) == ALVH_OK ? 0 : 1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fopen(g_path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    alvh_ckpt_header h, want = {.config_hash = 1, .binary_hash = 2, .seed = 3, .block_count = 8, .block_size = 8,
                                .n_paths = 64};
    alvh_error err = {0};
    alvh_job_buffer b[2];
    size_t n = buffers(b);
    if (alvh_ckpt_peek(g_path, &h, &err) == ALVH_OK) {
        (void)alvh_ckpt_check_identity(g_path, &h, &want, &err);
        (void)alvh_ckpt_load(g_path, &h, b, n, &err);
    }
    unlink(g_path);
    return 0;
}
