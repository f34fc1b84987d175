#define _POSIX_C_SOURCE 200809L
#include "cli/run_ckpt.h"

#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static int recorded_done(const alvh_batch *b, uint32_t k)
{
    for (size_t i = 0; i < b->n_done; i++)
        if (b->done_scenario[i] == k)
            return 1;
    return 0;
}

/* A job's buffers may hold part of a corrupt file: start from a fresh one. */
static alvh_status recreate(const alvh_scenario_request *rq, const alvh_kernel_ops *ops, alvh_scenario_job **job,
                            alvh_error *err)
{
    alvh_scenario_job_free(*job);
    *job = NULL;
    return alvh_scenario_job_create(rq, ops, job, err);
}

alvh_status alvh_run_restore(const alvh_batch *b, const alvh_ckpt_header *want, const alvh_scenario_request *rq,
                             const alvh_kernel_ops *ops, alvh_scenario_job **job, alvh_error *err)
{
    const char *files[2] = {b->ckpt, b->prev_ckpt};
    struct stat sb;
    for (int i = 0; i < 2; i++) {
        if (stat(files[i], &sb) != 0)
            continue;
        alvh_ckpt_header saved;
        alvh_error why = {0};
        alvh_status st = alvh_ckpt_peek(files[i], &saved, &why);
        if (st == ALVH_OK && saved.scenario != want->scenario && recorded_done(b, saved.scenario)) {
            unlink(files[i]); /* its scenario finished; the kill came before the removal */
            continue;
        }
        if (st == ALVH_OK && alvh_ckpt_check_identity(files[i], &saved, want, err) != ALVH_OK)
            return ALVH_E_USAGE;
        alvh_job_buffer bufs[ALVH_JOB_MAX_BUFFERS];
        size_t nb = alvh_scenario_job_buffers(*job, bufs);
        if (st == ALVH_OK && (st = alvh_ckpt_load(files[i], &saved, bufs, nb, &why)) == ALVH_OK) {
            alvh_scenario_job_restored(*job);
            if (i == 1)
                fprintf(stderr, "alvh run: continuing from the previous checkpoint %s\n", files[i]);
            return ALVH_OK;
        }
        fprintf(stderr, "alvh run: %s; %s\n", why.msg,
                i == 0 ? "trying the previous checkpoint" : "the scenario starts again from its first block");
        unlink(files[i]);
        if ((st = recreate(rq, ops, job, err)) != ALVH_OK)
            return st;
    }
    return ALVH_OK;
}
