/* libFuzzer target: `alvh summary`'s reading of an untrusted result file, the
 * way the command does it: HDF5 1.10.8 crashes on some corrupt files by itself,
 * so the read runs in a child process (io/contained.h) and a dead child must
 * come back as an error message. Coverage from the child does not reach
 * libFuzzer: this target mutates the seeds (small result files) without
 * feedback; the parent side (containment, reporting) is what it checks. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "io/contained.h"
#include "io/h5_summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static alvh_status read_it(void *ctx, FILE *out, alvh_error *err)
{
    return alvh_h5_summary_print(out, ctx, NULL, ALVH_SUMMARY_CSV, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/alvh-fuzz-h5-%ld.h5", (long)getpid());
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    FILE *sink = fopen("/dev/null", "w");
    alvh_error err = {0};
    alvh_status st = alvh_run_contained(path, read_it, path, sink ? sink : stdout, &err);
    if (st != ALVH_OK && !err.msg[0])
        abort(); /* a failure without a message */
    if (sink)
        fclose(sink);
    unlink(path);
    return 0;
}
