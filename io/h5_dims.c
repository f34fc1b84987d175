/* SPDX-License-Identifier: BSD-3-Clause */
#include "io/h5_dims.h"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/h5_internal.h"
#include "io/h5_layout.h"

/* Trading days per year of the time_days coordinate (the book's calendar). */
#define DAYS_PER_YEAR 252.0

typedef struct {
    char **paths; /* datasets below the scenario group, relative to it */
    size_t n, cap;
} dset_list;

static void list_free(dset_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
}

static herr_t collect(hid_t g, const char *name, const H5L_info_t *info, void *op)
{
    (void)info;
    dset_list *l = op;
    hid_t o = H5Oopen(g, name, H5P_DEFAULT);
    if (o < 0)
        return -1;
    int is_dset = H5Iget_type(o) == H5I_DATASET && H5DSis_scale(o) <= 0;
    H5Oclose(o);
    if (!is_dset)
        return 0;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 32;
        char **p = realloc(l->paths, cap * sizeof *p);
        if (!p)
            return -1;
        l->paths = p, l->cap = cap;
    }
    char *copy = malloc(strlen(name) + 1);
    if (!copy)
        return -1;
    l->paths[l->n++] = strcpy(copy, name);
    return 0;
}

/* A 1-D coordinate variable <gpath>/<name> made a dimension scale, unless it exists.
 * Exactly one of u64, f64, strs is used. */
typedef struct {
    const char *name, *units, *long_name;
    size_t n;
    const uint64_t *u64;
    const double *f64;
    const char *const *strs;
    int compress;
    int not_scale; /* an auxiliary coordinate (time_years, time_days): attached, not a scale */
} scale_spec;

static alvh_status make_scale(alvh_h5_writer *w, hid_t g, const char *gpath, const scale_spec *s,
                              alvh_error *err)
{
    htri_t ex = H5Lexists(g, s->name, H5P_DEFAULT);
    if (ex > 0)
        return ALVH_OK;
    char what[ALVH_H5_PATH_MAX + 64];
    snprintf(what, sizeof what, "%s/%s", gpath, s->name);
    hsize_t dim = s->n, chunk = s->n < 65536 ? (s->n ? s->n : 1) : 65536;
    hid_t ftype = s->strs ? alvh_h5_vlen_string_type() : s->u64 ? H5Tcopy(H5T_STD_U64LE) : H5Tcopy(H5T_IEEE_F64LE);
    hid_t mtype = s->strs ? ftype : s->u64 ? H5T_NATIVE_UINT64 : H5T_NATIVE_DOUBLE;
    hid_t space = H5Screate_simple(1, &dim, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE), d = H5I_INVALID_HID;
    alvh_status st = ALVH_OK;
    if (ex < 0 || ftype < 0 || space < 0 || dcpl < 0 ||
        (s->compress && s->n > 0 && (H5Pset_chunk(dcpl, 1, &chunk) < 0 || H5Pset_shuffle(dcpl) < 0 ||
                                     H5Pset_deflate(dcpl, 4) < 0)))
        st = alvh_h5w_fail(w, err, "set up dimension scale", what);
    if (st == ALVH_OK && (d = H5Dcreate2(g, s->name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT)) < 0)
        st = alvh_h5w_fail(w, err, "create dimension scale", what);
    const void *data = s->strs ? (const void *)s->strs : s->u64 ? (const void *)s->u64 : (const void *)s->f64;
    if (st == ALVH_OK && s->n > 0 && H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        st = alvh_h5w_fail(w, err, "write dimension scale", what);
    if (st == ALVH_OK && !s->not_scale && H5DSset_scale(d, s->name) < 0)
        st = alvh_h5w_fail(w, err, "make a dimension scale of", what);
    if (st == ALVH_OK && s->units)
        st = alvh_h5w_attr_strings(w, d, what, "units", &s->units, 1, 1, err);
    if (st == ALVH_OK)
        st = alvh_h5w_attr_strings(w, d, what, "long_name", &s->long_name, 1, 1, err);
    if (d >= 0 && H5Dclose(d) < 0 && st == ALVH_OK)
        st = alvh_h5w_fail(w, err, "finish dimension scale", what);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    if (ftype >= 0)
        H5Tclose(ftype);
    return st;
}

/* 0, 1, ..., n - 1 as a scale (path, sample, step, bin, edge indices). */
static alvh_status index_scale(alvh_h5_writer *w, hid_t g, const char *gpath, const char *name, size_t n,
                               const char *long_name, alvh_error *err)
{
    if (H5Lexists(g, name, H5P_DEFAULT) > 0)
        return ALVH_OK;
    uint64_t *idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx)
        return alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory for the '%s' scale", alvh_h5_writer_path(w), name);
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    scale_spec s = {.name = name, .units = "1", .long_name = long_name, .n = n, .u64 = idx, .compress = n > 4096};
    alvh_status st = make_scale(w, g, gpath, &s, err);
    free(idx);
    return st;
}

/* The n strings of attribute a (fixed-length: label arrays, io/h5_writer.c; or
 * variable-length) as one allocation: n pointers followed by the text. */
static char **read_names(hid_t a, hid_t sp, size_t *n_out)
{
    hid_t ft = H5Aget_type(a);
    hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    htri_t vl = ft >= 0 ? H5Tis_variable_str(ft) : -1;
    size_t width = ft >= 0 ? H5Tget_size(ft) : 0;
    char **v = NULL;
    if (n > 0 && vl == 0 && width > 0) {
        hid_t mt = H5Tcopy(H5T_C_S1);
        char *buf = calloc((size_t)n, width + 1);
        v = buf ? malloc((size_t)n * sizeof *v + (size_t)n * (width + 1)) : NULL;
        if (mt < 0 || !v || H5Tset_size(mt, width) < 0 || H5Tset_cset(mt, H5Tget_cset(ft)) < 0 ||
            H5Aread(a, mt, buf) < 0) {
            free(v);
            v = NULL;
        } else {
            char *text = (char *)(v + n);
            for (hssize_t i = 0; i < n; i++) {
                memcpy(text + (size_t)i * (width + 1), buf + (size_t)i * width, width);
                text[(size_t)i * (width + 1) + width] = '\0';
                v[i] = text + (size_t)i * (width + 1);
            }
        }
        free(buf);
        if (mt >= 0)
            H5Tclose(mt);
    } else if (n > 0 && vl > 0) {
        hid_t t = alvh_h5_vlen_string_type();
        char **tmp = calloc((size_t)n, sizeof *tmp);
        if (tmp && H5Aread(a, t, tmp) >= 0) {
            size_t bytes = 0;
            for (hssize_t i = 0; i < n; i++)
                bytes += strlen(tmp[i] ? tmp[i] : "") + 1;
            v = malloc((size_t)n * sizeof *v + bytes);
            char *text = v ? (char *)(v + n) : NULL;
            for (hssize_t i = 0; v && i < n; i++) {
                size_t k = strlen(tmp[i] ? tmp[i] : "") + 1;
                memcpy(text, tmp[i] ? tmp[i] : "", k);
                v[i] = text;
                text += k;
            }
            H5Dvlen_reclaim(t, sp, H5P_DEFAULT, tmp);
        }
        free(tmp);
        H5Tclose(t);
    }
    if (ft >= 0)
        H5Tclose(ft);
    *n_out = n > 0 ? (size_t)n : 0;
    return v;
}

/* A string attribute array of an open dataset made into a scale of its group. */
static alvh_status names_scale(alvh_h5_writer *w, hid_t dset, hid_t g, const char *gpath, const char *attr,
                               const char *scale_name, const char *long_name, alvh_error *err)
{
    if (H5Lexists(g, scale_name, H5P_DEFAULT) > 0)
        return ALVH_OK;
    char what[ALVH_H5_PATH_MAX + 64];
    snprintf(what, sizeof what, "%s (attribute %s)", gpath, attr);
    hid_t a = H5Aopen(dset, attr, H5P_DEFAULT), sp = a >= 0 ? H5Aget_space(a) : H5I_INVALID_HID;
    size_t n = 0;
    char **v = a >= 0 ? read_names(a, sp, &n) : NULL;
    alvh_status st = ALVH_OK;
    if (!v)
        st = alvh_h5w_fail(w, err, "read the names of", what);
    if (st == ALVH_OK) {
        scale_spec s = {.name = scale_name, .units = NULL, .long_name = long_name, .n = n,
                        .strs = (const char *const *)v};
        st = make_scale(w, g, gpath, &s, err);
    }
    free(v);
    if (sp >= 0)
        H5Sclose(sp);
    if (a >= 0)
        H5Aclose(a);
    return st;
}

/* Attach the scale <spath>/<scale> to dimension idx of d, and label it. */
static alvh_status attach(alvh_h5_writer *w, hid_t d, const char *dpath, hid_t scale_group, const char *scale,
                          unsigned idx, alvh_error *err)
{
    hid_t s = H5Dopen2(scale_group, scale, H5P_DEFAULT);
    alvh_status st = ALVH_OK;
    if (s < 0 || H5DSattach_scale(d, s, idx) < 0 || H5DSset_label(d, idx, scale) < 0) {
        char what[2 * ALVH_H5_PATH_MAX + 512];
        snprintf(what, sizeof what, "%.1200s (dimension %u, scale %.200s)", dpath, idx, scale);
        st = alvh_h5w_fail(w, err, "attach a dimension scale to", what);
    }
    if (s >= 0)
        H5Dclose(s);
    return st;
}

static const char *long_name_of(const char *name, const char *parent)
{
    static const struct { const char *name, *long_name; } known[] = {
        {"terminal", "market state at the horizon, per path"},
        {"sample_paths", "sample market paths at every step"},
        {"pnl", "final P&L per layer and in total, per path"},
        {"metrics", "path metrics (drawdown, health factor, event counts and first steps)"},
        {"summary", "statistics of the P&L columns"},
        {"risk", "statistics of the path metrics"},
        {"effectiveness", "hedge effectiveness against the baseline variant"},
        {"summary_bound", "error bounds of the summary (histogram summaries)"},
        {"risk_bound", "error bounds of the risk table (histogram summaries)"},
        {"effectiveness_bound", "error bounds of the effectiveness table (histogram summaries)"},
        {"counts", "paths per histogram bin"},
        {"edges", "histogram bin edges"},
        {"weights", "sum of the likelihood ratios of the paths per histogram bin"},
        {"weights_sq", "sum of the squared likelihood ratios of the paths per histogram bin"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(name, known[i].name) == 0)
            return known[i].long_name;
    if (strcmp(parent, ALVH_H5_FAN_CHARTS) == 0)
        return strstr(name, "_bound") ? "error bound of the fan-chart quantiles" : "quantiles over time (fan chart)";
    return name;
}

/* One dataset being labelled: its handles and where its group is. */
typedef struct {
    alvh_h5_writer *w;
    hid_t sg, g, d;     /* scenario group, the dataset's group, the dataset */
    const char *spath;  /* the scenario group's path */
    char dpath[ALVH_H5_PATH_MAX + 256], gpath[ALVH_H5_PATH_MAX + 256];
    const char *name;   /* the dataset's link name */
    int rank;
    hsize_t dims[3];
} target;

/* A labelled table: <name>_statistic x <name>_column, from its rows and columns. */
static alvh_status label_table(target *t, alvh_error *err)
{
    char a0[200], a1[200];
    snprintf(a0, sizeof a0, "%s_statistic", t->name);
    snprintf(a1, sizeof a1, "%s_column", t->name);
    alvh_status st = names_scale(t->w, t->d, t->g, t->gpath, "rows", a0, "statistic (row of the table)", err);
    if (st == ALVH_OK)
        st = names_scale(t->w, t->d, t->g, t->gpath, "columns", a1, "column of the table", err);
    if (st == ALVH_OK)
        st = attach(t->w, t->d, t->dpath, t->g, a0, 0, err);
    return st == ALVH_OK ? attach(t->w, t->d, t->dpath, t->g, a1, 1, err) : st;
}

/* A fan chart: step (the scenario's) x quantile (its levels, in its group). */
static alvh_status label_fan(target *t, alvh_error *err)
{
    alvh_status st = ALVH_OK;
    double *q = malloc((t->dims[1] ? t->dims[1] : 1) * sizeof *q);
    hid_t a = H5Aopen(t->d, "quantiles", H5P_DEFAULT);
    if (!q || a < 0 || H5Aread(a, H5T_NATIVE_DOUBLE, q) < 0)
        st = alvh_h5w_fail(t->w, err, "read the quantile levels of", t->dpath);
    if (a >= 0)
        H5Aclose(a);
    scale_spec s = {.name = "quantile", .units = "1", .long_name = "quantile level (probability)",
                    .n = t->dims[1], .f64 = q};
    if (st == ALVH_OK)
        st = make_scale(t->w, t->g, t->gpath, &s, err);
    free(q);
    if (st == ALVH_OK)
        st = attach(t->w, t->d, t->dpath, t->sg, "step", 0, err);
    return st == ALVH_OK ? attach(t->w, t->d, t->dpath, t->g, "quantile", 1, err) : st;
}

/* Histogram counts and weights (bin) and edges (edge): index scales in the histogram's group. */
static alvh_status label_histogram(target *t, alvh_error *err)
{
    const int counts = strcmp(t->name, "edges") != 0;
    const char *sc = counts ? "bin" : "edge";
    alvh_status st = index_scale(t->w, t->g, t->gpath, sc, t->dims[0], counts ? "histogram bin" : "histogram bin edge",
                                 err);
    return st == ALVH_OK ? attach(t->w, t->d, t->dpath, t->g, sc, 0, err) : st;
}

/* A per-path table (path x <name>_column) or sample paths (sample x step x <name>_column). */
static alvh_status label_columns(target *t, alvh_error *err)
{
    char a1[200];
    snprintf(a1, sizeof a1, "%s_column", t->name);
    const int samples = t->rank == 3;
    alvh_status st = names_scale(t->w, t->d, t->g, t->gpath, "columns", a1, "column of the table", err);
    if (st == ALVH_OK && samples)
        st = index_scale(t->w, t->g, t->gpath, "sample", t->dims[0], "sample path (see the path_index attribute)", err);
    if (st == ALVH_OK)
        st = attach(t->w, t->d, t->dpath, samples ? t->g : t->sg, samples ? "sample" : "path", 0, err);
    if (st == ALVH_OK && samples)
        st = attach(t->w, t->d, t->dpath, t->sg, "step", 1, err);
    return st == ALVH_OK ? attach(t->w, t->d, t->dpath, t->g, a1, (unsigned)t->rank - 1, err) : st;
}

/* Names every dimension of one dataset (rel: its path below the scenario), by its kind. */
static alvh_status label_dataset(alvh_h5_writer *w, hid_t sg, const char *spath, const char *rel, alvh_error *err)
{
    target t = {.w = w, .sg = sg, .spath = spath};
    char gname[160] = "";
    snprintf(t.dpath, sizeof t.dpath, "%s/%s", spath, rel);
    const char *slash = strrchr(rel, '/');
    t.name = slash ? slash + 1 : rel;
    snprintf(t.gpath, sizeof t.gpath, "%s/%.*s", spath, slash ? (int)(slash - rel) : 0, rel);
    if (slash) {
        const char *p = slash - 1;
        while (p > rel && p[-1] != '/')
            p--;
        snprintf(gname, sizeof gname, "%.*s", (int)(slash - p), p);
    }
    t.d = H5Dopen2(sg, rel, H5P_DEFAULT);
    t.g = H5Gopen2(w->file, t.gpath, H5P_DEFAULT);
    hid_t sp = t.d >= 0 ? H5Dget_space(t.d) : H5I_INVALID_HID;
    t.rank = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    alvh_status st = ALVH_OK;
    if (t.d < 0 || t.g < 0 || t.rank < 0 || t.rank > 3 || H5Sget_simple_extent_dims(sp, t.dims, NULL) < 0)
        st = alvh_h5w_fail(w, err, "open for dimension scales", t.dpath);
    const char *long_name = long_name_of(t.name, gname);
    if (st == ALVH_OK)
        st = alvh_h5w_attr_strings(w, t.d, t.dpath, "long_name", &long_name, 1, 1, err);
    if (st != ALVH_OK) {
    } else if (H5Aexists(t.d, "rows") > 0 && t.rank == 2) {
        st = label_table(&t, err);
    } else if (H5Aexists(t.d, "quantiles") > 0 && t.rank == 2) {
        st = label_fan(&t, err);
    } else if (t.rank == 1 && (strcmp(t.name, "counts") == 0 || strcmp(t.name, "edges") == 0 ||
                               strcmp(t.name, "weights") == 0 || strcmp(t.name, "weights_sq") == 0)) {
        st = label_histogram(&t, err);
    } else if (H5Aexists(t.d, "columns") > 0 && (t.rank == 2 || t.rank == 3)) {
        st = label_columns(&t, err);
    } else {
        st = alvh_error_set(err, ALVH_E_INTERNAL, "%s: no dimension names known for dataset %s",
                            alvh_h5_writer_path(w), t.dpath);
    }
    if (sp >= 0)
        H5Sclose(sp);
    if (t.g >= 0)
        H5Gclose(t.g);
    if (t.d >= 0)
        H5Dclose(t.d);
    return st;
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

/* Scenario attributes and the scales every subgroup shares: step with its
 * times, and path when per-path tables exist. */
static alvh_status label_group(alvh_h5_writer *w, hid_t sg, const char *spath, const alvh_h5_scenario_meta *m,
                               int per_path, alvh_error *err)
{
    const double spy = (double)m->steps_per_year;
    const char *desc = m->description ? m->description : "", *measure = m->measure ? m->measure : "";
    alvh_status st = alvh_h5_attr_double(w, spath, "capital_usd", m->capital_usd, err);
    if (st == ALVH_OK)
        st = alvh_h5_attr_u64(w, spath, "steps_per_year", m->steps_per_year, err);
    if (st == ALVH_OK)
        st = alvh_h5_attr_u64(w, spath, "paths", m->n_paths, err);
    if (st == ALVH_OK)
        st = alvh_h5_attr_u64(w, spath, "horizon_steps", m->n_steps, err);
    if (st == ALVH_OK)
        st = alvh_h5_attr_double(w, spath, "horizon_years", (double)m->n_steps / spy, err);
    if (st == ALVH_OK)
        st = alvh_h5_attr_double(w, spath, "dt_years", 1.0 / spy, err);
    if (st == ALVH_OK)
        st = alvh_h5_attr_string(w, spath, "measure", measure, err);
    if (st == ALVH_OK)
        st = alvh_h5_attr_string(w, spath, "description", desc, err);
    if (st == ALVH_OK) {
        /* an empty array when the scenario forces no move */
        hid_t g = H5Gopen2(w->file, spath, H5P_DEFAULT);
        static const uint64_t none[1] = {0};
        st = g < 0 ? alvh_h5w_fail(w, err, "open", spath)
                   : alvh_h5w_attr_num(w, g, spath, "injection_steps", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                                       m->n_injections ? m->injection_steps : none, m->n_injections, 0, err);
        if (g >= 0)
            H5Gclose(g);
    }
    const size_t nt = (size_t)m->n_steps + 1;
    double *t = malloc(2 * nt * sizeof *t);
    if (!t)
        return alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory for the time coordinates", alvh_h5_writer_path(w));
    for (size_t i = 0; i < nt; i++) {
        t[i] = (double)i / spy;
        t[nt + i] = (double)i * DAYS_PER_YEAR / spy;
    }
    scale_spec ty = {.name = "time_years", .units = "years", .long_name = "time since the start (step / steps_per_year)",
                     .n = nt, .f64 = t, .not_scale = 1};
    scale_spec td = {.name = "time_days", .units = "days",
                     .long_name = "trading days since the start (252 per year)", .n = nt, .f64 = t + nt,
                     .not_scale = 1};
    if (st == ALVH_OK)
        st = index_scale(w, sg, spath, "step", nt, "model step (0: just after the opening trades)", err);
    if (st == ALVH_OK)
        st = make_scale(w, sg, spath, &ty, err);
    if (st == ALVH_OK)
        st = make_scale(w, sg, spath, &td, err);
    free(t);
    char p[ALVH_H5_PATH_MAX + 32];
    for (int k = 0; st == ALVH_OK && k < 2; k++) {
        const char *nm = k ? "time_days" : "time_years";
        snprintf(p, sizeof p, "%s/%s", spath, nm);
        hid_t d = H5Dopen2(sg, nm, H5P_DEFAULT);
        st = d < 0 ? alvh_h5w_fail(w, err, "open", p) : attach(w, d, p, sg, "step", 0, err);
        if (d >= 0)
            H5Dclose(d);
    }
    if (st == ALVH_OK && per_path)
        st = index_scale(w, sg, spath, "path", (size_t)m->n_paths,
                         "path index (the same path in every table of the scenario)", err);
    return st;
}

alvh_status alvh_h5_label_scenario(alvh_h5_writer *w, const char *scenario, const alvh_h5_scenario_meta *meta,
                                   alvh_error *err)
{
    char spath[ALVH_H5_PATH_MAX];
    alvh_status st = alvh_h5_scenario_path(spath, sizeof spath, scenario, err);
    if (st != ALVH_OK)
        return st;
    if (!w || !meta || meta->steps_per_year == 0)
        return alvh_error_set(err, ALVH_E_INTERNAL, "alvh_h5_label_scenario: bad arguments");
    hid_t sg = H5Gopen2(w->file, spath, H5P_DEFAULT);
    if (sg < 0)
        return alvh_h5w_fail(w, err, "open the scenario group", spath);
    dset_list l = {0};
    if (H5Lvisit(sg, H5_INDEX_NAME, H5_ITER_INC, collect, &l) < 0)
        st = alvh_h5w_fail(w, err, "list the datasets of", spath);
    int per_path = 0;
    for (size_t i = 0; i < l.n; i++)
        per_path |= ends_with(l.paths[i], "/" ALVH_H5_TERMINAL) || ends_with(l.paths[i], "/" ALVH_H5_PNL) ||
                    ends_with(l.paths[i], "/" ALVH_H5_METRICS);
    if (st == ALVH_OK)
        st = label_group(w, sg, spath, meta, per_path, err);
    for (size_t i = 0; st == ALVH_OK && i < l.n; i++)
        st = label_dataset(w, sg, spath, l.paths[i], err);
    list_free(&l);
    H5Gclose(sg);
    if (st != ALVH_OK)
        w->failed = 1;
    return st;
}
