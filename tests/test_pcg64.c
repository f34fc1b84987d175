/* SPDX-License-Identifier: BSD-3-Clause */
/* PCG64: known answers from numpy, advance, and per-path stream derivation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "kernels/pcg64.h"

#define MAX_RECORDS 16

typedef struct {
    uint64_t init[4], state[4], raw[16];
    double dbl[8];
    uint64_t adv_delta[4][2], adv_out[4][4];
    int n_adv;
} kat_record;

static kat_record recs[MAX_RECORDS];
static int n_recs;

static int load_fixture(void **state)
{
    (void)state;
    FILE *f = fopen(ALVH_FIXTURE_DIR "/pcg64_kat.txt", "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", ALVH_FIXTURE_DIR "/pcg64_kat.txt");
        return -1;
    }
    char key[32];
    n_recs = 0;
    kat_record *r = NULL;
    while (fscanf(f, "%31s", key) == 1) {
        int ok = 1;
        if (key[0] == '#') {
            int c;
            while ((c = fgetc(f)) != '\n' && c != EOF) {
            }
        } else if (strcmp(key, "seed") == 0) {
            if (n_recs == MAX_RECORDS)
                break;
            r = &recs[n_recs++];
            memset(r, 0, sizeof *r);
            uint64_t seed;
            ok = fscanf(f, "%lx", &seed) == 1;
        } else if (r && strcmp(key, "init") == 0) {
            ok = fscanf(f, "%lx %lx %lx %lx", &r->init[0], &r->init[1], &r->init[2], &r->init[3]) == 4;
        } else if (r && strcmp(key, "state") == 0) {
            ok = fscanf(f, "%lx %lx %lx %lx", &r->state[0], &r->state[1], &r->state[2], &r->state[3]) == 4;
        } else if (r && strcmp(key, "raw") == 0) {
            for (int i = 0; i < 16 && ok; i++)
                ok = fscanf(f, "%lx", &r->raw[i]) == 1;
        } else if (r && strcmp(key, "double") == 0) {
            for (int i = 0; i < 8 && ok; i++)
                ok = fscanf(f, "%la", &r->dbl[i]) == 1;
        } else if (r && strcmp(key, "advance") == 0 && r->n_adv < 4) {
            int k = r->n_adv++;
            ok = fscanf(f, "%lx %lx", &r->adv_delta[k][0], &r->adv_delta[k][1]) == 2;
            for (int i = 0; i < 4 && ok; i++)
                ok = fscanf(f, "%lx", &r->adv_out[k][i]) == 1;
        } else {
            ok = 0;
        }
        if (!ok) {
            fprintf(stderr, "malformed fixture near '%s'\n", key);
            fclose(f);
            return -1;
        }
    }
    fclose(f);
    return n_recs >= 3 ? 0 : -1;
}

static void seeded(alvh_pcg64 *g, const kat_record *r)
{
    alvh_pcg64_seed(g, r->init[0], r->init[1], r->init[2], r->init[3]);
}

static void test_seed_matches_numpy_state(void **state)
{
    (void)state;
    for (int k = 0; k < n_recs; k++) {
        alvh_pcg64 g;
        seeded(&g, &recs[k]);
        assert_int_equal(g.state_hi, recs[k].state[0]);
        assert_int_equal(g.state_lo, recs[k].state[1]);
        assert_int_equal(g.inc_hi, recs[k].state[2]);
        assert_int_equal(g.inc_lo, recs[k].state[3]);
    }
}

static void test_raw_outputs_match_numpy(void **state)
{
    (void)state;
    for (int k = 0; k < n_recs; k++) {
        alvh_pcg64 g;
        seeded(&g, &recs[k]);
        for (int i = 0; i < 16; i++)
            assert_int_equal(alvh_pcg64_next_u64(&g), recs[k].raw[i]);
    }
}

static void test_doubles_match_numpy_bitwise(void **state)
{
    (void)state;
    for (int k = 0; k < n_recs; k++) {
        alvh_pcg64 g;
        seeded(&g, &recs[k]);
        for (int i = 0; i < 8; i++) {
            double u = alvh_pcg64_next_double(&g);
            assert_memory_equal(&u, &recs[k].dbl[i], sizeof u);
        }
    }
}

static void test_advance_matches_numpy(void **state)
{
    (void)state;
    for (int k = 0; k < n_recs; k++) {
        for (int a = 0; a < recs[k].n_adv; a++) {
            alvh_pcg64 g;
            seeded(&g, &recs[k]);
            alvh_pcg64_advance(&g, recs[k].adv_delta[a][0], recs[k].adv_delta[a][1]);
            for (int i = 0; i < 4; i++)
                assert_int_equal(alvh_pcg64_next_u64(&g), recs[k].adv_out[a][i]);
        }
    }
}

/* advance(n) equals n steps; advance(-n) = advance(2^128 - n) replays them */
static void test_advance_forward_and_back(void **state)
{
    (void)state;
    alvh_pcg64 g, h;
    alvh_pcg64_seed(&g, 1, 2, 3, 4);
    h = g;
    for (int i = 0; i < 1000; i++)
        alvh_pcg64_next_u64(&g);
    alvh_pcg64_advance(&h, 0, 1000);
    assert_memory_equal(&g, &h, sizeof g);
    uint64_t first[5];
    for (int i = 0; i < 5; i++)
        first[i] = alvh_pcg64_next_u64(&g);
    /* -5 mod 2^128 */
    alvh_pcg64_advance(&g, UINT64_MAX, (uint64_t)-5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(alvh_pcg64_next_u64(&g), first[i]);
}

static void test_for_path_is_pure_and_distinct(void **state)
{
    (void)state;
    enum { N = 4096 };
    alvh_pcg64 a, b;
    alvh_pcg64_for_path(&a, 7, 3, 123456789);
    alvh_pcg64_for_path(&b, 7, 3, 123456789);
    assert_memory_equal(&a, &b, sizeof a);
    /* neighbouring paths, scenarios and seeds: all increments distinct and odd,
     * and first outputs distinct */
    static uint64_t inc[3 * N], first[3 * N];
    for (int i = 0; i < 3 * N; i++) {
        uint64_t seed = 7 + (uint64_t)(i / N == 2), path = (uint64_t)(i % N);
        uint32_t scen = (uint32_t)(i / N == 1);
        alvh_pcg64_for_path(&a, seed, scen, path);
        assert_true(a.inc_lo & 1);
        inc[i] = a.inc_hi;
        first[i] = alvh_pcg64_next_u64(&a);
    }
    for (int i = 0; i < 3 * N; i++)
        for (int j = i + 1; j < 3 * N; j++) {
            assert_true(inc[i] != inc[j]);
            assert_true(first[i] != first[j]);
        }
}

/* Bits of the first outputs of neighbouring paths look independent: each bit
 * position is set about half the time (binomial, 6 sigma bound). */
static void test_for_path_bit_balance(void **state)
{
    (void)state;
    enum { N = 20000 };
    int ones[64] = {0};
    for (uint64_t p = 0; p < N; p++) {
        alvh_pcg64 g;
        alvh_pcg64_for_path(&g, 1, 0, p);
        uint64_t x = alvh_pcg64_next_u64(&g) ^ alvh_pcg64_next_u64(&g);
        for (int bit = 0; bit < 64; bit++)
            ones[bit] += (int)((x >> bit) & 1);
    }
    double sd = 0.5 * sqrt((double)N);
    for (int bit = 0; bit < 64; bit++)
        assert_true(fabs(ones[bit] - N / 2.0) < 6 * sd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_matches_numpy_state),
        cmocka_unit_test(test_raw_outputs_match_numpy),
        cmocka_unit_test(test_doubles_match_numpy_bitwise),
        cmocka_unit_test(test_advance_matches_numpy),
        cmocka_unit_test(test_advance_forward_and_back),
        cmocka_unit_test(test_for_path_is_pure_and_distinct),
        cmocka_unit_test(test_for_path_bit_balance),
    };
    return cmocka_run_group_tests_name("pcg64", tests, load_fixture, NULL);
}
