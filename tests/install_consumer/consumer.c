/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Uses only include/alvh.h: runs the built-in default on a few paths, writes
 * the result file, reads the ES99 of every variant back from the file and
 * checks it equals the value in memory; a bad config must fail with code 2
 * and a message naming the file. Prints "ok <es99 of the first variant>".
 * usage: consumer OUT.h5 BAD.yaml VARIANT...
 */
#include <alvh.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *what, const char *msg)
{
    fprintf(stderr, "consumer: %s: %s\n", what, msg);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return fail("usage", "consumer OUT.h5 BAD.yaml VARIANT...");
    alvh_run_config *bad = alvh_run_config_create();
    if (alvh_run_config_load(bad, argv[2]) != ALVH_CODE_BAD_INPUT || !strstr(alvh_run_config_message(bad), argv[2]))
        return fail("bad config accepted or message without its file", alvh_run_config_message(bad));
    alvh_run_config_free(bad);
    alvh_run_config_free(NULL);

    alvh_run_config *c = alvh_run_config_create();
    alvh_run_results *r = alvh_run_results_create();
    alvh_result_file *f = alvh_result_file_create();
    if (alvh_run_config_load(c, NULL) || alvh_run_config_set_paths(c, 2000) || alvh_run_config_set_threads(c, 1))
        return fail("config", alvh_run_config_message(c));
    if (alvh_run_execute(c, r) != ALVH_CODE_OK)
        return fail("run", alvh_run_results_message(r));
    if (alvh_run_results_write(r, argv[1]) != ALVH_CODE_OK)
        return fail("write", alvh_run_results_message(r));
    if (alvh_result_file_open(f, argv[1]) != ALVH_CODE_OK || alvh_result_file_scenario_count(f) != 1)
        return fail("open", alvh_result_file_message(f));
    const char *s = alvh_result_file_scenario_name(f, 0);
    double first = 0;
    for (int i = 3; i < argc; i++) {
        double mem, file;
        if (alvh_run_results_value(r, s, argv[i], "summary", "es_99", "total", &mem))
            return fail("value in memory", alvh_run_results_message(r));
        if (alvh_result_file_value(f, s, argv[i], "summary", "es_99", "total", &file))
            return fail("value in file", alvh_result_file_message(f));
        if (mem != file || !(mem > 0))
            return fail("es_99 differs between memory and file", argv[i]);
        if (i == 3)
            first = mem;
    }
    double x;
    if (alvh_result_file_value(f, s, argv[3], "summary", "no_such_row", "total", &x) != ALVH_CODE_BAD_INPUT)
        return fail("unknown row accepted", "");
    printf("ok %s %.6f\n", alvh_version(), first);
    alvh_result_file_free(f);
    alvh_run_results_free(r);
    alvh_run_config_free(c);
    alvh_result_file_free(NULL);
    alvh_run_results_free(NULL);
    return 0;
}
