/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checkpoint files of a batch run: the state of the scenario in progress
 * (engine/scenario_run.h buffers) with the identity of the run that wrote it
 * (configuration, binary, seed, scenario, block range), so a resume can refuse
 * a checkpoint of another run, naming what differs. Binary, little-endian,
 * native doubles; written to "<path>.tmp", fsynced, the old checkpoint renamed
 * to `previous` (when given), the new one renamed into place: a crash at any
 * instant leaves a complete checkpoint under one of the two names.
 *
 *   "ALVHCKP4" | u64 config_hash | u64 binary_hash | u64 seed | u32 scenario | u32 n_buffers
 *   u64 block_first | u64 block_count | u64 block_size | u64 n_paths
 *   n_buffers x ( char name[32] | u64 bytes | bytes of data ) | u64 checksum of all before (io/checksum.h)
 *
 * A buffer by block (alvh_job_buffer.by_block) stores only the rows of the
 * blocks its mask, an earlier buffer, marks done: part by part, block by block
 * in order; `bytes` is what is stored. So a checkpoint grows with the work
 * done, not with the scenario's size.
 */
#ifndef ALVH_IO_CHECKPOINT_H
#define ALVH_IO_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "engine/scenario_run.h"
#include "common/status.h"

typedef struct alvh_ckpt_header {
    uint64_t config_hash, binary_hash, seed;
    uint32_t scenario;          /* index in the config of the scenario in progress */
    uint64_t block_first;       /* the blocks this process computes: [first, first + count) */
    uint64_t block_count;
    uint64_t block_size, n_paths;
} alvh_ckpt_header;

/* ALVH_OK when saved belongs to the run described by want; otherwise
 * ALVH_E_USAGE naming the first item that differs, with both values. */
alvh_status alvh_ckpt_check_identity(const char *path, const alvh_ckpt_header *saved, const alvh_ckpt_header *want,
                                     alvh_error *err);

/* FNV-1a 64 of bytes, continuing from h (start with ALVH_HASH_INIT). */
#define ALVH_HASH_INIT UINT64_C(0xcbf29ce484222325)
uint64_t alvh_hash_bytes(uint64_t h, const void *data, size_t n);

/* The io/checksum.h checksum of a whole file. */
alvh_status alvh_hash_file(const char *path, uint64_t *hash, alvh_error *err);

/* Hash of the running program's file (/proc/self/exe). */
alvh_status alvh_hash_self(uint64_t *hash, alvh_error *err);

/* The size a checkpoint of bufs has with every block of its masks done:
 * *fixed_bytes (header, names, buffers not by block) plus *block_bytes per done
 * block (the rows of every part). Lets a caller predict a checkpoint's cost
 * before the first one is written. */
void alvh_ckpt_size(const alvh_job_buffer *bufs, size_t n, uint64_t *fixed_bytes, uint64_t *block_bytes);

/* previous: where the checkpoint now at path is moved first (NULL: replaced) */
alvh_status alvh_ckpt_save(const char *path, const char *previous, const alvh_ckpt_header *h,
                           const alvh_job_buffer *bufs, size_t n, alvh_error *err);

/* Reads the header only (to decide whether a resume is allowed). */
alvh_status alvh_ckpt_peek(const char *path, alvh_ckpt_header *h, alvh_error *err);

/* Fills bufs (names and sizes must match the file) and h; a file that
 * fails its checksum is ALVH_E_IO and leaves bufs unspecified. The file size
 * is checked against the header before anything is read into bufs. */
alvh_status alvh_ckpt_load(const char *path, alvh_ckpt_header *h, const alvh_job_buffer *bufs, size_t n,
                           alvh_error *err);

#endif
