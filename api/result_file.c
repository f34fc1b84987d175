/* SPDX-License-Identifier: BSD-3-Clause */
/* alvh_result_file: the stored summary tables of a result file (include/alvh.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_internal.h"
#include "io/h5_layout.h"
#include "io/h5_reader.h"

struct alvh_result_file {
    alvh_h5_reader *reader; /* NULL until opened */
    char **scenarios;
    size_t n_scenarios;
    alvh_error err;
};

alvh_result_file *alvh_result_file_create(void)
{
    return calloc(1, sizeof(alvh_result_file));
}

static void file_close(alvh_result_file *f)
{
    alvh_h5_strings_free(f->scenarios, f->n_scenarios);
    alvh_h5_reader_close(f->reader);
    f->scenarios = NULL;
    f->n_scenarios = 0;
    f->reader = NULL;
}

void alvh_result_file_free(alvh_result_file *f)
{
    if (!f)
        return;
    file_close(f);
    free(f);
}

alvh_code alvh_result_file_open(alvh_result_file *f, const char *path)
{
    if (!f)
        return ALVH_CODE_BAD_INPUT;
    file_close(f);
    memset(&f->err, 0, sizeof f->err);
    alvh_status st = alvh_h5_reader_open(path, &f->reader, &f->err);
    if (st == ALVH_OK)
        st = alvh_h5_reader_check_format(f->reader, &f->err);
    if (st == ALVH_OK)
        st = alvh_h5_read_children(f->reader, ALVH_H5_SCENARIOS, &f->scenarios, &f->n_scenarios, &f->err);
    if (st != ALVH_OK) {
        alvh_error keep = f->err;
        file_close(f);
        f->err = keep;
        /* a file that cannot be read as an alvh result is bad input, as for alvh summary */
        return st == ALVH_E_NOMEM ? ALVH_CODE_FAILED : ALVH_CODE_BAD_INPUT;
    }
    return ALVH_CODE_OK;
}

size_t alvh_result_file_scenario_count(const alvh_result_file *f)
{
    return f ? f->n_scenarios : 0;
}

const char *alvh_result_file_scenario_name(const alvh_result_file *f, size_t i)
{
    return f && i < f->n_scenarios ? f->scenarios[i] : NULL;
}

alvh_code alvh_result_file_value(alvh_result_file *f, const char *scenario, const char *variant, const char *table,
                                 const char *row, const char *column, double *value)
{
    if (!f)
        return ALVH_CODE_BAD_INPUT;
    memset(&f->err, 0, sizeof f->err);
    if (!f->reader)
        return alvh_api_bad_arg(&f->err, "alvh_result_file_value", "no file open");
    if (!scenario || !variant || !table || !row || !column || !value)
        return alvh_api_bad_arg(&f->err, "alvh_result_file_value", "NULL argument");
    char path[3 * ALVH_H5_PATH_MAX];
    int len = snprintf(path, sizeof path, ALVH_H5_SCENARIOS "/%s/" ALVH_H5_VARIANTS "/%s/%s", scenario, variant, table);
    if (len < 0 || (size_t)len >= sizeof path || strchr(table, '/'))
        return alvh_api_bad_arg(&f->err, "alvh_result_file_value", "name too long or with '/'");
    alvh_h5_labelled t = {0};
    alvh_status st = alvh_h5_read_labelled(f->reader, path, &t, &f->err);
    if (st != ALVH_OK)
        return st == ALVH_E_NOMEM ? ALVH_CODE_FAILED : ALVH_CODE_BAD_INPUT;
    alvh_code rc = ALVH_CODE_BAD_INPUT;
    for (size_t i = 0; i < t.rows && rc != ALVH_CODE_OK; i++)
        for (size_t j = 0; strcmp(t.row_names[i], row) == 0 && j < t.cols; j++)
            if (strcmp(t.column_names[j], column) == 0) {
                *value = t.data[i * t.cols + j];
                rc = ALVH_CODE_OK;
                break;
            }
    if (rc != ALVH_CODE_OK)
        alvh_error_set(&f->err, ALVH_E_USAGE, "%s: %s has no row '%s' with column '%s'", alvh_h5_reader_path(f->reader),
                       path, row, column);
    alvh_h5_labelled_free(&t);
    return rc;
}

const char *alvh_result_file_message(const alvh_result_file *f)
{
    return f ? f->err.msg : "NULL result file handle";
}
