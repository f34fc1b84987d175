/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `alvh summary`: load the labelled tables of every (selected) scenario and
 * variant, then print them in one of three formats. Loading completes before
 * printing so that an error never leaves half a JSON document on stdout.
 *
 * A labelled table is any dataset of a variant group with a `rows`
 * attribute (summary, effectiveness, and whatever the engine adds, such as
 * risk); they are shown in the order they were written.
 */
#define _POSIX_C_SOURCE 200809L
#include "io/h5_summary.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5_layout.h"
#include "io/h5_reader.h"

typedef struct {
    char *name;     /* dataset name: summary, effectiveness, ... */
    char *baseline; /* its baseline attribute (effectiveness), may be NULL */
    alvh_h5_labelled t;
} table_t;

typedef struct {
    char *name;
    table_t *t;
    size_t n_t;
} variant_t;

typedef struct {
    char *name;
    variant_t *v;
    size_t n_v;
} scenario_t;

/* Run attributes shown in the header, in this order; missing ones are skipped. */
typedef enum { K_STRING, K_U64, K_I64 } kind_t;
static const struct {
    const char *name;
    kind_t kind;
} run_keys[] = {
    {"engine_version", K_STRING}, {"git_describe", K_STRING},   {"isa", K_STRING},
    {"seed", K_U64},              {"threads", K_I64},           {"ranks", K_I64},
    {"start_time_utc", K_STRING}, {"end_time_utc", K_STRING},   {"alvh_layout_version", K_I64},
};
enum { N_RUN_KEYS = sizeof run_keys / sizeof run_keys[0] };

typedef struct {
    const char *path;
    char *run[N_RUN_KEYS]; /* text of each run attribute, NULL if absent */
    scenario_t *s;
    size_t n_s;
} result_t;

int alvh_summary_format_parse(const char *s, alvh_summary_format *out)
{
    static const char *const names[] = {"table", "csv", "json"};
    for (int i = 0; i < 3; i++)
        if (s && strcmp(s, names[i]) == 0) {
            *out = (alvh_summary_format)i;
            return 0;
        }
    return -1;
}

static void result_free(result_t *res)
{
    for (size_t i = 0; i < N_RUN_KEYS; i++)
        free(res->run[i]);
    for (size_t i = 0; i < res->n_s; i++) {
        scenario_t *s = &res->s[i];
        for (size_t j = 0; j < s->n_v; j++) {
            for (size_t k = 0; k < s->v[j].n_t; k++) {
                alvh_h5_labelled_free(&s->v[j].t[k].t);
                free(s->v[j].t[k].name);
                free(s->v[j].t[k].baseline);
            }
            free(s->v[j].t);
            free(s->v[j].name);
        }
        free(s->v);
        free(s->name);
    }
    free(res->s);
}

/* ---- loading ----------------------------------------------------------------- */

/* printf into buf; -1 if it does not fit */
static int mkpath(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int mkpath(char *buf, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    return len < 0 || (size_t)len >= n ? -1 : 0;
}

static alvh_status load_run(alvh_h5_reader *r, result_t *res, alvh_error *err)
{
    for (size_t i = 0; i < N_RUN_KEYS; i++) {
        if (!alvh_h5_attr_exists(r, "/", run_keys[i].name))
            continue;
        alvh_status st;
        char buf[32];
        if (run_keys[i].kind == K_STRING) {
            st = alvh_h5_read_attr_string(r, "/", run_keys[i].name, &res->run[i], err);
        } else if (run_keys[i].kind == K_U64) {
            uint64_t v = 0;
            if ((st = alvh_h5_read_attr_u64(r, "/", run_keys[i].name, &v, err)) == ALVH_OK)
                snprintf(buf, sizeof buf, "%" PRIu64, v);
        } else {
            int64_t v = 0;
            if ((st = alvh_h5_read_attr_i64(r, "/", run_keys[i].name, &v, err)) == ALVH_OK)
                snprintf(buf, sizeof buf, "%" PRId64, v);
        }
        if (st)
            return st;
        if (run_keys[i].kind != K_STRING && !(res->run[i] = strdup(buf)))
            return alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory", res->path);
    }
    return ALVH_OK;
}

static alvh_status load_variant(alvh_h5_reader *r, const char *scenario, variant_t *v, alvh_error *err)
{
    char g[4096], d[4200];
    /* names listed from the file may not pass the writer's checks: build the path directly */
    if (mkpath(g, sizeof g, ALVH_H5_SCENARIOS "/%s/" ALVH_H5_VARIANTS "/%s", scenario, v->name))
        return alvh_error_set(err, ALVH_E_IO, "%s: variant name too long in scenario '%s'", alvh_h5_reader_path(r),
                              scenario);
    char **names;
    size_t n;
    alvh_status st = alvh_h5_read_children(r, g, &names, &n, err);
    if (st)
        return st;
    v->t = calloc(n ? n : 1, sizeof *v->t);
    if (!v->t)
        st = alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory", alvh_h5_reader_path(r));
    for (size_t i = 0; i < n && st == ALVH_OK; i++) {
        /* "name" would collide with the variant's own key in the JSON output */
        if (strcmp(names[i], "name") == 0 || mkpath(d, sizeof d, "%s/%s", g, names[i]) ||
            !alvh_h5_attr_exists(r, d, "rows"))
            continue;
        table_t *t = &v->t[v->n_t];
        if ((st = alvh_h5_read_labelled(r, d, &t->t, err)) != ALVH_OK)
            break;
        t->name = names[i];
        names[i] = NULL;
        v->n_t++;
        if (alvh_h5_attr_exists(r, d, "baseline"))
            st = alvh_h5_read_attr_string(r, d, "baseline", &t->baseline, err);
    }
    alvh_h5_strings_free(names, n);
    return st;
}

static alvh_status load_scenario(alvh_h5_reader *r, scenario_t *s, alvh_error *err)
{
    char g[4096];
    if (mkpath(g, sizeof g, ALVH_H5_SCENARIOS "/%s/" ALVH_H5_VARIANTS, s->name))
        return alvh_error_set(err, ALVH_E_IO, "%s: scenario name too long", alvh_h5_reader_path(r));
    int ex = alvh_h5_reader_exists(r, g);
    if (ex <= 0)
        return ex < 0 ? alvh_error_set(err, ALVH_E_IO, "%s: cannot look up '%s'", alvh_h5_reader_path(r), g)
                      : ALVH_OK; /* a scenario without variants (market only) */
    char **names;
    size_t n;
    alvh_status st = alvh_h5_read_children(r, g, &names, &n, err);
    if (st)
        return st;
    s->v = calloc(n ? n : 1, sizeof *s->v);
    if (!s->v) {
        alvh_h5_strings_free(names, n);
        return alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory", alvh_h5_reader_path(r));
    }
    /* the variant structs take over the names */
    for (size_t i = 0; i < n; i++)
        s->v[i].name = names[i];
    free(names);
    s->n_v = n;
    for (size_t i = 0; i < n && st == ALVH_OK; i++)
        st = load_variant(r, s->name, &s->v[i], err);
    return st;
}

static alvh_status load(alvh_h5_reader *r, const char *only, result_t *res, alvh_error *err)
{
    const char *path = res->path;
    int ex = alvh_h5_reader_exists(r, ALVH_H5_SCENARIOS);
    if (ex <= 0)
        return alvh_error_set(err, ALVH_E_IO, "%s: not an alvh result file (no %s group)", path, ALVH_H5_SCENARIOS);
    alvh_status st = alvh_h5_reader_check_format(r, err);
    if (st == ALVH_OK)
        st = load_run(r, res, err);
    if (st)
        return st;
    char **names;
    size_t n;
    if ((st = alvh_h5_read_children(r, ALVH_H5_SCENARIOS, &names, &n, err)) != ALVH_OK)
        return st;
    size_t keep = n;
    if (only) {
        keep = 0;
        for (size_t i = 0; i < n; i++)
            if (strcmp(names[i], only) == 0)
                keep = 1;
        if (!keep) {
            /* list what is there: the user mistyped or picked the wrong file */
            char list[256] = "";
            size_t len = 0;
            for (size_t i = 0; i < n && len < sizeof list; i++)
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", names[i]);
            alvh_h5_strings_free(names, n);
            return alvh_error_set(err, ALVH_E_USAGE, "%s: no scenario '%s' (scenarios: %s)", path, only,
                                  n ? list : "none");
        }
    }
    res->s = calloc(keep ? keep : 1, sizeof *res->s);
    if (!res->s) {
        alvh_h5_strings_free(names, n);
        return alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory", path);
    }
    for (size_t i = 0; i < n; i++) {
        if (only && strcmp(names[i], only) != 0) {
            free(names[i]);
            continue;
        }
        res->s[res->n_s++].name = names[i];
    }
    free(names);
    for (size_t i = 0; i < res->n_s && st == ALVH_OK; i++)
        st = load_scenario(r, &res->s[i], err);
    return st;
}

/* ---- table format --------------------------------------------------------------- */

/* Six significant digits without an exponent for the usual magnitudes (USD
 * amounts up to 10^12, probabilities down to 10^-4). */
static void fmt_human(double x, char *buf, size_t n)
{
    double ax = fabs(x);
    if (isnan(x))
        snprintf(buf, n, "nan");
    else if (isinf(x))
        snprintf(buf, n, x > 0 ? "inf" : "-inf");
    else if (x == trunc(x) && ax < 1e12)
        snprintf(buf, n, "%.0f", x);
    else if (ax >= 1e12 || ax < 1e-4)
        snprintf(buf, n, "%.4e", x);
    else {
        int dec = 5 - (int)floor(log10(ax));
        snprintf(buf, n, "%.*f", dec < 0 ? 0 : dec > 9 ? 9 : dec, x);
        /* trailing zeros carry no information: 0.486000 -> 0.486 */
        char *end = buf + strlen(buf);
        if (strchr(buf, '.')) {
            while (end > buf && end[-1] == '0')
                *--end = '\0';
            if (end > buf && end[-1] == '.')
                *--end = '\0';
        }
    }
}

static size_t max_len(size_t start, char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(v[i]) > start)
            start = strlen(v[i]);
    return start;
}

static void print_table_human(FILE *out, const char *scenario, const char *variant, const char *table,
                              const char *baseline, const alvh_h5_labelled *t)
{
    fprintf(out, "\n== scenario %s, variant %s: %s", scenario, variant, table);
    if (baseline)
        fprintf(out, " (vs baseline %s)", baseline);
    fputc('\n', out);
    /* one unit for every row: say it once above the table instead of in a column */
    int uniform = 1;
    for (size_t r = 1; r < t->rows; r++)
        uniform &= strcmp(t->units[r], t->units[0]) == 0;
    if (uniform && t->rows > 0)
        fprintf(out, "units: %s\n", t->units[0]);
    size_t w0 = max_len(strlen("statistic"), t->row_names, t->rows);
    size_t w1 = uniform ? 0 : max_len(strlen("unit"), t->units, t->rows);
    size_t *wc = calloc(t->cols ? t->cols : 1, sizeof *wc);
    char num[64];
    if (!wc)
        return;
    for (size_t c = 0; c < t->cols; c++) {
        wc[c] = strlen(t->column_names[c]);
        for (size_t r = 0; r < t->rows; r++) {
            fmt_human(t->data[r * t->cols + c], num, sizeof num);
            if (strlen(num) > wc[c])
                wc[c] = strlen(num);
        }
    }
    fprintf(out, "%-*s", (int)w0, "statistic");
    if (!uniform)
        fprintf(out, "  %-*s", (int)w1, "unit");
    for (size_t c = 0; c < t->cols; c++)
        fprintf(out, "  %*s", (int)wc[c], t->column_names[c]);
    fputc('\n', out);
    for (size_t r = 0; r < t->rows; r++) {
        fprintf(out, "%-*s", (int)w0, t->row_names[r]);
        if (!uniform)
            fprintf(out, "  %-*s", (int)w1, t->units[r]);
        for (size_t c = 0; c < t->cols; c++) {
            fmt_human(t->data[r * t->cols + c], num, sizeof num);
            fprintf(out, "  %*s", (int)wc[c], num);
        }
        fputc('\n', out);
    }
    free(wc);
}

static void print_human(FILE *out, const result_t *res)
{
    fprintf(out, "file: %s\n", res->path);
    int any = 0;
    for (size_t i = 0; i < N_RUN_KEYS; i++)
        if (res->run[i]) {
            fprintf(out, "%s%s %s", any ? ", " : "run: ", run_keys[i].name, res->run[i]);
            any = 1;
        }
    if (any)
        fputc('\n', out);
    for (size_t i = 0; i < res->n_s; i++) {
        const scenario_t *s = &res->s[i];
        if (s->n_v == 0)
            fprintf(out, "\n== scenario %s: no variants\n", s->name);
        for (size_t j = 0; j < s->n_v; j++) {
            const variant_t *v = &s->v[j];
            if (v->n_t == 0)
                fprintf(out, "\n== scenario %s, variant %s: no stored tables\n", s->name, v->name);
            for (size_t k = 0; k < v->n_t; k++)
                print_table_human(out, s->name, v->name, v->t[k].name, v->t[k].baseline, &v->t[k].t);
        }
    }
}

/* ---- CSV (RFC 4180 quoting, \n line ends, long form) ------------------------------------------------------ */

static void csv_field(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* Shortest text that reads back to the same double; nan/inf as pandas reads them. */
static void fmt_exact(double x, char *buf, size_t n)
{
    if (isnan(x))
        snprintf(buf, n, "nan");
    else if (isinf(x))
        snprintf(buf, n, x > 0 ? "inf" : "-inf");
    else {
        for (int p = 15; p <= 17; p++) {
            snprintf(buf, n, "%.*g", p, x);
            if (strtod(buf, NULL) == x)
                break;
        }
    }
}

static void print_csv(FILE *out, const result_t *res)
{
    fputs("scenario,variant,table,statistic,unit,column,value\n", out);
    char num[64];
    for (size_t i = 0; i < res->n_s; i++)
        for (size_t j = 0; j < res->s[i].n_v; j++) {
            const variant_t *v = &res->s[i].v[j];
            for (size_t k = 0; k < v->n_t; k++) {
                const alvh_h5_labelled *t = &v->t[k].t;
                for (size_t r = 0; r < t->rows; r++)
                    for (size_t c = 0; c < t->cols; c++) {
                        csv_field(out, res->s[i].name);
                        fputc(',', out);
                        csv_field(out, v->name);
                        fputc(',', out);
                        csv_field(out, v->t[k].name);
                        fputc(',', out);
                        csv_field(out, t->row_names[r]);
                        fputc(',', out);
                        csv_field(out, t->units[r]);
                        fputc(',', out);
                        csv_field(out, t->column_names[c]);
                        fmt_exact(t->data[r * t->cols + c], num, sizeof num);
                        fprintf(out, ",%s\n", num);
                    }
            }
        }
}

/* ---- JSON ------------------------------------------------------------------------------ */

static void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out); /* UTF-8 passes through */
        }
    }
    fputc('"', out);
}

static void json_strings(FILE *out, char *const *v, size_t n)
{
    fputc('[', out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", out);
        json_string(out, v[i]);
    }
    fputc(']', out);
}

/* JSON has no NaN or Infinity: they become null. */
static void json_number(FILE *out, double x)
{
    char num[64];
    if (!isfinite(x)) {
        fputs("null", out);
        return;
    }
    fmt_exact(x, num, sizeof num);
    fputs(num, out);
}

static void json_table(FILE *out, const alvh_h5_labelled *t, const char *baseline, const char *indent)
{
    fprintf(out, "{\n%s  ", indent);
    if (baseline) {
        fputs("\"baseline\": ", out);
        json_string(out, baseline);
        fprintf(out, ",\n%s  ", indent);
    }
    fputs("\"rows\": ", out);
    json_strings(out, t->row_names, t->rows);
    fprintf(out, ",\n%s  \"columns\": ", indent);
    json_strings(out, t->column_names, t->cols);
    fprintf(out, ",\n%s  \"units\": ", indent);
    json_strings(out, t->units, t->rows);
    fprintf(out, ",\n%s  \"data\": [", indent);
    for (size_t r = 0; r < t->rows; r++) {
        fprintf(out, "%s\n%s    [", r ? "," : "", indent);
        for (size_t c = 0; c < t->cols; c++) {
            if (c)
                fputs(", ", out);
            json_number(out, t->data[r * t->cols + c]);
        }
        fputc(']', out);
    }
    fprintf(out, "\n%s  ]\n%s}", indent, indent);
}

static void print_json(FILE *out, const result_t *res)
{
    fputs("{\n  \"file\": ", out);
    json_string(out, res->path);
    fputs(",\n  \"run\": {", out);
    int first = 1;
    for (size_t i = 0; i < N_RUN_KEYS; i++) {
        if (!res->run[i])
            continue;
        fprintf(out, "%s\n    ", first ? "" : ",");
        json_string(out, run_keys[i].name);
        fputs(": ", out);
        if (run_keys[i].kind == K_STRING)
            json_string(out, res->run[i]);
        else
            fputs(res->run[i], out);
        first = 0;
    }
    fputs(first ? "},\n  \"scenarios\": [" : "\n  },\n  \"scenarios\": [", out);
    for (size_t i = 0; i < res->n_s; i++) {
        const scenario_t *s = &res->s[i];
        fprintf(out, "%s\n    {\n      \"name\": ", i ? "," : "");
        json_string(out, s->name);
        fputs(",\n      \"variants\": [", out);
        for (size_t j = 0; j < s->n_v; j++) {
            const variant_t *v = &s->v[j];
            fprintf(out, "%s\n        {\n          \"name\": ", j ? "," : "");
            json_string(out, v->name);
            for (size_t k = 0; k < v->n_t; k++) {
                fputs(",\n          ", out);
                json_string(out, v->t[k].name);
                fputs(": ", out);
                json_table(out, &v->t[k].t, v->t[k].baseline, "          ");
            }
            fputs("\n        }", out);
        }
        fputs(s->n_v ? "\n      ]\n    }" : "]\n    }", out);
    }
    fputs(res->n_s ? "\n  ]\n}\n" : "]\n}\n", out);
}

/* ---- entry point ---------------------------------------------------------------------- */

alvh_status alvh_h5_summary_print(FILE *out, const char *path, const char *scenario, alvh_summary_format fmt,
                                  alvh_error *err)
{
    alvh_h5_reader *r = NULL;
    alvh_status st = alvh_h5_reader_open(path, &r, err);
    if (st)
        return st;
    result_t res = {.path = path};
    st = load(r, scenario, &res, err);
    alvh_h5_reader_close(r);
    if (st == ALVH_OK) {
        if (fmt == ALVH_SUMMARY_CSV)
            print_csv(out, &res);
        else if (fmt == ALVH_SUMMARY_JSON)
            print_json(out, &res);
        else
            print_human(out, &res);
        if (fflush(out) != 0 || ferror(out))
            st = alvh_error_set(err, ALVH_E_IO, "cannot write the summary of %s to the output", path);
    }
    result_free(&res);
    return st;
}
