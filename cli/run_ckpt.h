/* Restoring the scenario in progress of a resumed `alvh run` from its checkpoints. */
#ifndef ALVH_CLI_RUN_CKPT_H
#define ALVH_CLI_RUN_CKPT_H

#include "engine/scenario_run.h"
#include "io/batch.h"
#include "io/checkpoint.h"

/* Continues *job (just created, no block done) from current.ckpt, else from
 * previous.ckpt. A checkpoint of another run (identity differs) refuses the
 * resume: ALVH_E_USAGE naming the item. A corrupt one is reported on stderr
 * and the next one is tried; with none usable the scenario starts from its
 * first block (ALVH_OK: *job is then a fresh job). A checkpoint left by a
 * finished scenario is removed. */
alvh_status alvh_run_restore(const alvh_batch *b, const alvh_ckpt_header *want, const alvh_scenario_request *rq,
                             const alvh_kernel_ops *ops, alvh_scenario_job **job, alvh_error *err);

#endif
