/* SPDX-License-Identifier: BSD-3-Clause */
#define _POSIX_C_SOURCE 200809L
#include "io/checkpoint.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/atomic_file.h"
#include "io/checksum.h"
#include "io/fault.h"
#include "io/file_check.h"

static const char magic[8] = {'A', 'L', 'V', 'H', 'C', 'K', 'P', '4'};
enum { HEADER_BYTES = 8 + 3 * 8 + 2 * 4 + 4 * 8, BUFFER_HEAD_BYTES = 32 + 8 };

uint64_t alvh_hash_bytes(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * UINT64_C(0x100000001b3);
    return h;
}

alvh_status alvh_hash_file(const char *path, uint64_t *hash, alvh_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return alvh_error_set(err, ALVH_E_IO, "cannot read %s: %s", path, strerror(errno));
    alvh_checksum c;
    alvh_checksum_init(&c);
    unsigned char buf[1 << 16];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        alvh_checksum_add(&c, buf, got);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return alvh_error_set(err, ALVH_E_IO, "error reading %s", path);
    *hash = alvh_checksum_value(&c);
    return ALVH_OK;
}

alvh_status alvh_hash_self(uint64_t *hash, alvh_error *err) { return alvh_hash_file("/proc/self/exe", hash, err); }

typedef struct {
    FILE *f;
    alvh_checksum sum;
    int bad;
} wstream;

static void put(wstream *w, const void *p, size_t n)
{
    if (w->bad || fwrite(p, 1, n, w->f) != n)
        w->bad = 1;
    alvh_checksum_add(&w->sum, p, n);
}

static void put_header(wstream *w, const alvh_ckpt_header *h, uint32_t nb)
{
    uint32_t sc = h->scenario;
    put(w, magic, sizeof magic);
    put(w, &h->config_hash, 8);
    put(w, &h->binary_hash, 8);
    put(w, &h->seed, 8);
    put(w, &sc, 4);
    put(w, &nb, 4);
    put(w, &h->block_first, 8);
    put(w, &h->block_count, 8);
    put(w, &h->block_size, 8);
    put(w, &h->n_paths, 8);
}

/* Block blk's rows in one part of a buffer by block: offset and length (0 past the end). */
static size_t block_span(const alvh_job_buffer *b, size_t blk, size_t *off)
{
    *off = blk * b->block_bytes;
    if (*off >= b->part_bytes)
        return 0;
    return b->part_bytes - *off < b->block_bytes ? b->part_bytes - *off : b->block_bytes;
}

/* Bytes a buffer takes in a checkpoint: all of it, or its done blocks' rows. */
static uint64_t stored_bytes(const alvh_job_buffer *b)
{
    if (!b->by_block)
        return b->bytes;
    uint64_t n = 0;
    for (size_t blk = 0; blk < b->n_blocks; blk++) {
        size_t off;
        n += b->by_block[blk] ? block_span(b, blk, &off) : 0;
    }
    return n * b->n_parts;
}

/* A buffer by block must name an earlier buffer of n_blocks bytes as its mask. */
static int mask_ok(const alvh_job_buffer *bufs, size_t k)
{
    const alvh_job_buffer *b = &bufs[k];
    if (!b->by_block)
        return 1;
    for (size_t m = 0; m < k; m++)
        if (bufs[m].data == b->by_block && bufs[m].bytes == b->n_blocks && !bufs[m].by_block)
            return b->n_parts > 0 && b->block_bytes > 0 && b->part_bytes * b->n_parts == b->bytes;
    return 0;
}

void alvh_ckpt_size(const alvh_job_buffer *bufs, size_t n, uint64_t *fixed_bytes, uint64_t *block_bytes)
{
    *fixed_bytes = HEADER_BYTES + 8; /* the checksum */
    *block_bytes = 0;
    for (size_t k = 0; k < n; k++) {
        *fixed_bytes += BUFFER_HEAD_BYTES;
        if (bufs[k].by_block)
            *block_bytes += (uint64_t)bufs[k].block_bytes * bufs[k].n_parts;
        else
            *fixed_bytes += bufs[k].bytes;
    }
}

static void put_buffer(wstream *w, const alvh_job_buffer *b)
{
    if (!b->by_block) {
        put(w, b->data, b->bytes);
        return;
    }
    for (size_t p = 0; p < b->n_parts; p++)
        for (size_t blk = 0; blk < b->n_blocks; blk++) {
            size_t off, len = b->by_block[blk] ? block_span(b, blk, &off) : 0;
            if (len)
                put(w, (const char *)b->data + p * b->part_bytes + off, len);
        }
}

alvh_status alvh_ckpt_save(const char *path, const char *previous, const alvh_ckpt_header *h,
                           const alvh_job_buffer *bufs, size_t n, alvh_error *err)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return alvh_error_set(err, ALVH_E_IO, "cannot write checkpoint %s: %s", tmp, strerror(errno));
    alvh_fault_point("checkpoint: temporary file created");
    wstream w = {.f = f};
    alvh_checksum_init(&w.sum);
    put_header(&w, h, (uint32_t)n);
    for (size_t k = 0; k < n; k++) {
        if (!mask_ok(bufs, k)) {
            fclose(f);
            unlink(tmp);
            return alvh_error_set(err, ALVH_E_INTERNAL, "checkpoint buffer '%s': bad block layout", bufs[k].name);
        }
        char name[32] = {0};
        snprintf(name, sizeof name, "%s", bufs[k].name);
        uint64_t bytes = stored_bytes(&bufs[k]);
        put(&w, name, sizeof name);
        put(&w, &bytes, 8);
        put_buffer(&w, &bufs[k]);
        if (k == n / 2)
            alvh_fault_point("checkpoint: partly written");
    }
    uint64_t sum = alvh_checksum_value(&w.sum);
    put(&w, &sum, 8);
    int bad = w.bad || fflush(f) != 0 || fsync(fileno(f)) != 0;
    int saved = errno;
    bad |= fclose(f) != 0;
    if (bad) {
        unlink(tmp);
        return alvh_error_set(err, ALVH_E_IO, "cannot write checkpoint %s: %s", path, strerror(saved));
    }
    alvh_fault_point("checkpoint: synced, not renamed");
    /* the old checkpoint stays complete under `previous` until the new one is in place */
    if (previous && rename(path, previous) != 0 && errno != ENOENT) {
        saved = errno;
        unlink(tmp);
        return alvh_error_set(err, ALVH_E_IO, "cannot rename %s to %s: %s", path, previous, strerror(saved));
    }
    alvh_fault_point("checkpoint: old one moved to previous");
    if (rename(tmp, path) != 0) {
        saved = errno;
        unlink(tmp);
        return alvh_error_set(err, ALVH_E_IO, "cannot write checkpoint %s: %s", path, strerror(saved));
    }
    alvh_sync_parent_dir(path);
    alvh_fault_point("checkpoint: renamed");
    return ALVH_OK;
}

alvh_status alvh_ckpt_check_identity(const char *path, const alvh_ckpt_header *saved, const alvh_ckpt_header *want,
                                     alvh_error *err)
{
    static const struct {
        const char *name;
        size_t off;
    } items[] = {
        {"seed", offsetof(alvh_ckpt_header, seed)},
        {"binary hash", offsetof(alvh_ckpt_header, binary_hash)},
        {"configuration hash", offsetof(alvh_ckpt_header, config_hash)},
        {"first block", offsetof(alvh_ckpt_header, block_first)},
        {"block count", offsetof(alvh_ckpt_header, block_count)},
        {"block size", offsetof(alvh_ckpt_header, block_size)},
        {"paths", offsetof(alvh_ckpt_header, n_paths)},
    };
    if (saved->scenario != want->scenario)
        return alvh_error_set(err, ALVH_E_USAGE, "checkpoint %s is not this run's: scenario %" PRIu32 " in the "
                              "file, %" PRIu32 " in progress", path, saved->scenario, want->scenario);
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        uint64_t a, b;
        memcpy(&a, (const char *)saved + items[i].off, 8);
        memcpy(&b, (const char *)want + items[i].off, 8);
        if (a != b)
            return alvh_error_set(err, ALVH_E_USAGE, "checkpoint %s is not this run's: %s %" PRIu64 " (%#" PRIx64
                                  ") in the file, %" PRIu64 " (%#" PRIx64 ") in this run", path, items[i].name, a,
                                  a, b, b);
    }
    return ALVH_OK;
}

typedef struct {
    FILE *f;
    alvh_checksum sum;
    uint64_t size;
} rstream;

static int get(rstream *r, void *p, size_t n)
{
    if (fread(p, 1, n, r->f) != n)
        return -1;
    alvh_checksum_add(&r->sum, p, n);
    return 0;
}

static alvh_status read_header(rstream *r, const char *path, alvh_ckpt_header *h, uint32_t *nb, alvh_error *err)
{
    char m[8];
    uint32_t sc;
    if (get(r, m, 8) != 0 || memcmp(m, magic, 8) != 0 || get(r, &h->config_hash, 8) != 0 ||
        get(r, &h->binary_hash, 8) != 0 || get(r, &h->seed, 8) != 0 || get(r, &sc, 4) != 0 || get(r, nb, 4) != 0 ||
        get(r, &h->block_first, 8) != 0 || get(r, &h->block_count, 8) != 0 || get(r, &h->block_size, 8) != 0 ||
        get(r, &h->n_paths, 8) != 0)
        return alvh_error_set(err, ALVH_E_IO, "%s is not an alvh checkpoint of this version (bad or truncated "
                              "header)", path);
    h->scenario = sc;
    return ALVH_OK;
}

/* Opens path and reads its header; on success *f is open, positioned after it. */
static alvh_status open_checkpoint(const char *path, rstream *r, alvh_ckpt_header *h, uint32_t *nb, alvh_error *err)
{
    alvh_checksum_init(&r->sum);
    r->size = 0;
    int fd = alvh_open_regular(path, "checkpoint", err);
    if (fd < 0)
        return ALVH_E_IO;
    struct stat sb;
    r->f = fstat(fd, &sb) == 0 ? fdopen(fd, "rb") : NULL;
    if (!r->f) {
        close(fd);
        return alvh_error_set(err, ALVH_E_IO, "cannot read checkpoint %s: %s", path, strerror(errno));
    }
    r->size = (uint64_t)sb.st_size;
    alvh_status st = read_header(r, path, h, nb, err);
    if (st != ALVH_OK) {
        fclose(r->f);
        r->f = NULL;
    }
    return st;
}

alvh_status alvh_ckpt_peek(const char *path, alvh_ckpt_header *h, alvh_error *err)
{
    rstream r;
    uint32_t nb;
    alvh_status st = open_checkpoint(path, &r, h, &nb, err);
    if (st == ALVH_OK)
        fclose(r.f);
    return st;
}

static int get_buffer(rstream *r, const alvh_job_buffer *b)
{
    if (!b->by_block)
        return get(r, b->data, b->bytes);
    for (size_t p = 0; p < b->n_parts; p++)
        for (size_t blk = 0; blk < b->n_blocks; blk++) {
            size_t off, len = b->by_block[blk] ? block_span(b, blk, &off) : 0;
            if (len && get(r, (char *)b->data + p * b->part_bytes + off, len) != 0)
                return -1;
        }
    return 0;
}

alvh_status alvh_ckpt_load(const char *path, alvh_ckpt_header *h, const alvh_job_buffer *bufs, size_t n,
                           alvh_error *err)
{
    rstream r;
    uint32_t nb;
    alvh_status st = open_checkpoint(path, &r, h, &nb, err);
    if (st != ALVH_OK)
        return st;
    FILE *f = r.f;
    if (nb != n)
        st = alvh_error_set(err, ALVH_E_IO, "checkpoint %s holds %u buffers, this run expects %zu", path, nb, n);
    uint64_t at = HEADER_BYTES;
    for (size_t k = 0; st == ALVH_OK && k < n; k++) {
        char name[32];
        uint64_t bytes;
        if (!mask_ok(bufs, k))
            st = alvh_error_set(err, ALVH_E_INTERNAL, "checkpoint buffer '%s': bad block layout", bufs[k].name);
        else if (get(&r, name, sizeof name) != 0 || get(&r, &bytes, 8) != 0)
            st = alvh_error_set(err, ALVH_E_IO, "checkpoint %s is truncated", path);
        /* a buffer by block holds the rows of the blocks its mask (read before it) says are done */
        else if (strncmp(name, bufs[k].name, sizeof name) != 0 || bytes != stored_bytes(&bufs[k]))
            st = alvh_error_set(err, ALVH_E_IO, "checkpoint %s: buffer %zu is '%.32s' of %llu bytes, expected '%s' of %llu",
                                path, k, name, (unsigned long long)bytes, bufs[k].name,
                                (unsigned long long)stored_bytes(&bufs[k]));
        else if ((at += BUFFER_HEAD_BYTES + bytes) + 8 > r.size)
            st = alvh_error_set(err, ALVH_E_IO, "checkpoint %s is %" PRIu64 " bytes, shorter than its buffers "
                                "(truncated or not this run's)", path, r.size);
        else if (get_buffer(&r, &bufs[k]) != 0)
            st = alvh_error_set(err, ALVH_E_IO, "checkpoint %s is truncated", path);
    }
    if (st == ALVH_OK && at + 8 != r.size)
        st = alvh_error_set(err, ALVH_E_IO, "checkpoint %s is %" PRIu64 " bytes, its buffers %" PRIu64
                            " (not this run's)", path, r.size, at + 8);
    uint64_t want = alvh_checksum_value(&r.sum), sum;
    if (st == ALVH_OK && (fread(&sum, 8, 1, f) != 1 || sum != want))
        st = alvh_error_set(err, ALVH_E_IO, "checkpoint %s is corrupt (checksum mismatch)", path);
    fclose(f);
    return st;
}
