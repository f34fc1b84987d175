/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The checkpoint and part-file checksum (io/checksum.h): the same value however
 * the input is split, a different value for every single-byte change, for
 * trailing zero bytes and for swapped words, and the file form equal to the
 * streamed one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_does_not_matter),
        cmocka_unit_test(test_every_change_is_seen),
        cmocka_unit_test(test_file_equals_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
