/*
 * The batch directory "<output>.parts/" of `alvh run` (docs/batch.md):
 *
 *   lock           flock()ed for the life of a run; holds the PID of its owner
 *   run.state      the run's identity and the finished scenarios with the
 *                  checksum of each part file (text, replaced atomically)
 *   run.config     the identity text (resolved configuration) of the run
 *   scenario-NNNN.h5, current.ckpt, previous.ckpt
 *
 * Opening the batch refuses, before any simulation, an output name that is
 * not a regular file, a directory in use by another run (naming its PID) and
 * a resume whose identity differs (naming the item, old and new value); it
 * removes the temporary files a killed run left behind.
 */
#ifndef ALVH_IO_BATCH_H
#define ALVH_IO_BATCH_H

#include "io/config.h"
#include "io/h5_writer.h"
#include <stddef.h>
#include <stdint.h>

#include "common/status.h"

#define ALVH_BATCH_MAX_DONE 4096 /* finished scenarios recorded in run.state */

typedef struct alvh_run_identity {
    uint64_t config_hash; /* resolved config, command-line overrides, scenario selection */
    uint64_t binary_hash; /* the alvh program file */
    uint64_t seed;
    uint64_t n_scenarios; /* scenarios selected */
} alvh_run_identity;

typedef struct alvh_batch {
    char out[4096], parts[4200], state[4300], lock[4300], ckpt[4300], prev_ckpt[4300], config[4300];
    int lock_fd;
    int resumed;               /* 1: continuing an interrupted run; 0: a fresh start */
    const char *identity_text; /* io/run_identity.h; kept in run.config to name what differs */
    alvh_run_identity id;
    size_t n_done;
    uint32_t done_scenario[ALVH_BATCH_MAX_DONE];
    uint64_t done_hash[ALVH_BATCH_MAX_DONE];
} alvh_batch;

/* Refusals are ALVH_E_USAGE (exit 2), failures ALVH_E_IO. b->lock_fd is -1
 * unless ALVH_OK. A resume with nothing to resume starts afresh and says so
 * (b->resumed tells which); identity_text (the run's, io/run_identity.h) is
 * stored so that a refused resume names the setting that differs. */
alvh_status alvh_batch_open(alvh_batch *b, const char *out, const alvh_run_identity *id,
                            const char *identity_text, int resume, alvh_error *err);

/* Path of scenario k's part file. */
void alvh_batch_part_path(const alvh_batch *b, size_t k, char *buf, size_t n);

/* 1: scenario k's part is recorded and its checksum matches; 0: to compute
 * (a part that is missing, unrecorded or changed is removed, with a warning
 * on stderr for a changed one). */
int alvh_batch_scenario_done(alvh_batch *b, size_t k);

/* Records scenario k's part (already renamed into place) in run.state. */
alvh_status alvh_batch_mark_done(alvh_batch *b, size_t k, alvh_error *err);

/* Before the final copy: every recorded part still has its checksum. */
alvh_status alvh_batch_verify_part(const alvh_batch *b, size_t k, alvh_error *err);

/* Removes the checkpoints (the scenario in progress finished). */
void alvh_batch_drop_checkpoints(const alvh_batch *b);

/* Step 4 of the batch's life (docs/batch.md): the final file `out` from the
 * parts of the scenarios sel[0..n_sel) of cfg, in that order: the run
 * attributes, then each part, verified against its recorded checksum, copied
 * (H5Ocopy) and labelled. `out` appears only complete (temporary name,
 * rename); on success the batch directory is removed. */
alvh_status alvh_batch_assemble(alvh_batch *b, const char *out, const alvh_h5_run_info *info, const alvh_config *cfg,
                                const size_t *sel, size_t n_sel, alvh_error *err);

/* Releases the lock; with remove_all the directory goes too (the run is complete). */
void alvh_batch_close(alvh_batch *b, int remove_all);


#endif
