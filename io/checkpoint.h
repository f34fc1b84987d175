/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checkpoint files of a batch run: the state of the scenario in progress
 * (engine/scenario_run.h buffers) with the hashes of the configuration and of
 * the binary that wrote it, so a resume refuses a changed config or program.
 * Binary, little-endian, native doubles; written to "<path>.tmp" then renamed,
 * so a crash while writing leaves the previous checkpoint intact.
 *
 *   "ALVHCKP1" | u64 config_hash | u64 binary_hash | u32 scenario | u32 n_buffers
 *   n_buffers x ( char name[32] | u64 bytes | bytes of data ) | u64 checksum of all before
 */
#ifndef ALVH_IO_CHECKPOINT_H
#define ALVH_IO_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/scenario_run.h"
#include "common/status.h"

typedef struct alvh_ckpt_header {
    uint64_t config_hash, binary_hash;
    uint32_t scenario; /* index in the config of the scenario in progress */
} alvh_ckpt_header;

/* FNV-1a 64 of bytes, continuing from h (start with ALVH_HASH_INIT). */
#define ALVH_HASH_INIT UINT64_C(0xcbf29ce484222325)
uint64_t alvh_hash_bytes(uint64_t h, const void *data, size_t n);

/* Hash of the running program's file (/proc/self/exe). */
alvh_status alvh_hash_self(uint64_t *hash, alvh_error *err);

alvh_status alvh_ckpt_save(const char *path, const alvh_ckpt_header *h, const alvh_job_buffer *bufs, size_t n,
                           alvh_error *err);

/* Reads the header only (to decide whether a resume is allowed). */
alvh_status alvh_ckpt_peek(const char *path, alvh_ckpt_header *h, alvh_error *err);

/* Fills bufs (names and sizes must match the file) and h. */
alvh_status alvh_ckpt_load(const char *path, alvh_ckpt_header *h, const alvh_job_buffer *bufs, size_t n,
                           alvh_error *err);

#endif
