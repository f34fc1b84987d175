/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The checkpoint and part-file checksum (io/checksum.h): the same value however
 * the input is split, a different value for every single-byte change, for
 * trailing zero bytes and for swapped words, and the file form equal to the
 * streamed one. Also the checkpoint size alvh_ckpt_size predicts (the first
 * checkpoint's expected cost, cli/run.c) against the file alvh_ckpt_save writes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "io/checkpoint.h"
#include "io/checksum.h"

enum { N = 1000 };

static uint64_t sum_of(const unsigned char *p, size_t n)
{
    alvh_checksum c;
    alvh_checksum_init(&c);
    alvh_checksum_add(&c, p, n);
    return alvh_checksum_value(&c);
}

static void fill(unsigned char *p, size_t n)
{
    uint64_t x = 88172645463325252u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        p[i] = (unsigned char)x;
    }
}

static void test_split_does_not_matter(void **state)
{
    (void)state;
    unsigned char b[N];
    fill(b, N);
    const uint64_t whole = sum_of(b, N);
    for (size_t step = 1; step < 70; step += 3) {
        alvh_checksum c;
        alvh_checksum_init(&c);
        for (size_t at = 0; at < N; at += step)
            alvh_checksum_add(&c, b + at, N - at < step ? N - at : step);
        assert_int_equal(alvh_checksum_value(&c), whole);
    }
    /* value() does not consume: adding more after it continues the stream */
    alvh_checksum c;
    alvh_checksum_init(&c);
    alvh_checksum_add(&c, b, 333);
    (void)alvh_checksum_value(&c);
    alvh_checksum_add(&c, b + 333, N - 333);
    assert_int_equal(alvh_checksum_value(&c), whole);
}

static void test_every_change_is_seen(void **state)
{
    (void)state;
    unsigned char b[N];
    fill(b, N);
    const uint64_t whole = sum_of(b, N);
    for (size_t i = 0; i < N; i++)
        for (int bit = 0; bit < 8; bit++) {
            b[i] ^= (unsigned char)(1u << bit);
            assert_true(sum_of(b, N) != whole);
            b[i] ^= (unsigned char)(1u << bit);
        }
    /* trailing zeros (the padding of the last group) and truncation */
    unsigned char z[N + 8];
    memcpy(z, b, N);
    memset(z + N, 0, 8);
    for (size_t extra = 1; extra <= 8; extra++)
        assert_true(sum_of(z, N + extra) != whole);
    assert_true(sum_of(b, N - 1) != whole);
    /* two words swapped within a lane's sequence and across lanes */
    unsigned char s[N];
    memcpy(s, b, N);
    for (int k = 0; k < 8; k++) {
        unsigned char t = s[k];
        s[k] = s[32 + k], s[32 + k] = t;
    }
    assert_true(sum_of(s, N) != whole);
    memcpy(s, b, N);
    for (int k = 0; k < 8; k++) {
        unsigned char t = s[k];
        s[k] = s[8 + k], s[8 + k] = t;
    }
    assert_true(sum_of(s, N) != whole);
}

static void test_file_equals_stream(void **state)
{
    (void)state;
    enum { BIG = 200000 }; /* more than the file reader's 64 KiB buffer */
    unsigned char *b = malloc(BIG);
    assert_non_null(b);
    fill(b, BIG);
    char path[] = "test_checksum.bin";
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(b, 1, BIG, f), BIG);
    assert_int_equal(fclose(f), 0);
    uint64_t h = 0;
    assert_int_equal(alvh_hash_file(path, &h, NULL), ALVH_OK);
    assert_int_equal(h, sum_of(b, BIG));
    remove(path);
    free(b);
}

/* A checkpoint's file has the size alvh_ckpt_size gives for its done blocks (all of one size here) */
static void test_ckpt_size_predicts_file(void **state)
{
    (void)state;
    enum { BLOCKS = 5, ROW = 24, ROWS_PER_BLOCK = 7, PARTS = 3 };
    unsigned char done[BLOCKS] = {1, 0, 1, 1, 0}, fixed[100];
    static double rows[PARTS * BLOCKS * ROWS_PER_BLOCK * ROW / 8];
    memset(fixed, 7, sizeof fixed);
    alvh_job_buffer b[3] = {
        {.name = "done", .data = done, .bytes = BLOCKS},
        {.name = "rows", .data = rows, .bytes = sizeof rows, .by_block = done, .n_blocks = BLOCKS,
         .block_bytes = ROWS_PER_BLOCK * ROW, .part_bytes = sizeof rows / PARTS, .n_parts = PARTS},
        {.name = "fixed", .data = fixed, .bytes = sizeof fixed},
    };
    uint64_t fixed_bytes = 0, block_bytes = 0;
    alvh_ckpt_size(b, 3, &fixed_bytes, &block_bytes);
    assert_int_equal(block_bytes, PARTS * ROWS_PER_BLOCK * ROW);
    const alvh_ckpt_header h = {.config_hash = 1, .binary_hash = 2, .seed = 3, .block_count = BLOCKS,
                                .block_size = ROWS_PER_BLOCK, .n_paths = BLOCKS * ROWS_PER_BLOCK};
    const char *path = "test_ckpt_size.ckpt";
    assert_int_equal(alvh_ckpt_save(path, NULL, &h, b, 3, NULL), ALVH_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal((uint64_t)st.st_size, fixed_bytes + 3 * block_bytes); /* 3 blocks done */
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_does_not_matter),
        cmocka_unit_test(test_every_change_is_seen),
        cmocka_unit_test(test_file_equals_stream),
        cmocka_unit_test(test_ckpt_size_predicts_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
