/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The run identity of --resume (io/run_identity.c): comment lines (the config
 * path as spelled) do not count, and a refusal names the first setting that
 * differs by its full key path, with both values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "io/run_identity.h"

static const char *const base = "# alvh resolved configuration\n"
                                "# source: configs/default.yaml (252 steps)\n"
                                "run:\n"
                                "  name: \"default\"\n"
                                "  paths: 100000\n"
                                "scenarios:\n"
                                "  - name: \"calm\"\n"
                                "    spx:\n"
                                "      vix0: 17.61  # v0 = 0.0149\n"
                                "      # v2_0 = 0\n"
                                "      kappa: 1.2\n"
                                "  - name: \"covid\"\n"
                                "    spx:\n"
                                "      kappa: 3\n"
                                "book:\n"
                                "  perp:\n"
                                "    leverage: 3\n";

static char *with(const char *from, const char *to)
{
    const char *at = strstr(base, from);
    assert_non_null(at);
    size_t n = strlen(base) - strlen(from) + strlen(to);
    char *s = malloc(n + 1);
    memcpy(s, base, (size_t)(at - base));
    strcpy(s + (at - base), to);
    strcat(s, at + strlen(from));
    return s;
}

static void expect(const char *from, const char *to, const char *want)
{
    char *a = alvh_identity_text(base), *t = with(from, to), *b = alvh_identity_text(t);
    char what[512];
    assert_int_equal(alvh_identity_difference(a, b, what, sizeof what), 1);
    assert_string_equal(what, want);
    free(a), free(b), free(t);
}

static void test_comments_do_not_count(void **state)
{
    (void)state;
    char *t = with("# source: configs/default.yaml", "# source: /abs/path/./configs/default.yaml");
    char *a = alvh_identity_text(base), *b = alvh_identity_text(t), what[64];
    assert_null(strstr(a, "source"));
    assert_non_null(strstr(a, "vix0: 17.61"));
    assert_int_equal(alvh_identity_difference(a, b, what, sizeof what), 0);
    free(b), free(t);
    /* the emitter's trailing notes follow from the values: they do not count either */
    t = with("# v0 = 0.0149", "# v0 = 0.5"), b = alvh_identity_text(t);
    assert_int_equal(alvh_identity_difference(a, b, what, sizeof what), 0);
    assert_null(strstr(a, "v0 = "));
    free(a), free(b), free(t);
}

static void test_names_the_setting(void **state)
{
    (void)state;
    expect("paths: 100000", "paths: 2000", "run.paths (interrupted: 100000, now: 2000)");
    expect("kappa: 1.2", "kappa: 2.5", "scenarios[calm].spx.kappa (interrupted: 1.2, now: 2.5)");
    expect("kappa: 3", "kappa: 4", "scenarios[covid].spx.kappa (interrupted: 3, now: 4)");
    expect("vix0: 17.61  # v0 = 0.0149", "vix0: 20  # v0 = 0.02",
           "scenarios[calm].spx.vix0 (interrupted: 17.61, now: 20)");
    expect("leverage: 3", "leverage: 5", "book.perp.leverage (interrupted: 3, now: 5)");
    expect("    leverage: 3\n", "    leverage: 3\n    fee_frac: 0.001\n", "book.perp.fee_frac (interrupted: (absent), now: 0.001)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comments_do_not_count),
        cmocka_unit_test(test_names_the_setting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
