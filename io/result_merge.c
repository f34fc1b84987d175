/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE
#include "io/result_merge.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "io/config.h"
#include "io/file_check.h"
#include "io/h5_layout.h"
#include "io/h5_reader.h"
#include "io/h5_writer.h"
#include "io/result_file.h"

#include <hdf5.h>

/* what a merge reads of one input */
typedef struct {
    const char *path;
    char *config, *engine_version, *git_describe, *isa, *start, *end;
    uint64_t seed;
    int64_t threads, ranks;
    char **scenarios;
    size_t n_scenarios;
} input_t;

static void input_free(input_t *in)
{
    free(in->config), free(in->engine_version), free(in->git_describe), free(in->isa);
    free(in->start), free(in->end);
    alvh_h5_strings_free(in->scenarios, in->n_scenarios);
    memset(in, 0, sizeof *in);
}

static alvh_status read_input(const char *path, input_t *in, alvh_error *err)
{
    memset(in, 0, sizeof *in);
    in->path = path;
    alvh_h5_reader *r = NULL;
    alvh_status st = alvh_h5_reader_open(path, &r, err);
    if (st == ALVH_OK)
        st = alvh_h5_reader_check_format(r, err);
    struct {
        const char *name;
        char **to;
    } strs[] = {{"config", &in->config},       {"engine_version", &in->engine_version},
                {"git_describe", &in->git_describe}, {"isa", &in->isa},
                {"start_time_utc", &in->start}, {"end_time_utc", &in->end}};
    for (size_t i = 0; st == ALVH_OK && i < sizeof strs / sizeof strs[0]; i++)
        st = alvh_h5_read_attr_string(r, "/", strs[i].name, strs[i].to, err);
    if (st == ALVH_OK)
        st = alvh_h5_read_attr_u64(r, "/", "seed", &in->seed, err);
    if (st == ALVH_OK)
        st = alvh_h5_read_attr_i64(r, "/", "threads", &in->threads, err);
    if (st == ALVH_OK)
        st = alvh_h5_read_attr_i64(r, "/", "ranks", &in->ranks, err);
    if (st == ALVH_OK)
        st = alvh_h5_read_children(r, ALVH_H5_SCENARIOS, &in->scenarios, &in->n_scenarios, err);
    alvh_h5_reader_close(r);
    if (st != ALVH_OK && st != ALVH_E_NOMEM)
        st = ALVH_E_CONFIG; /* an unreadable or foreign input is bad input */
    return st;
}

/* 0 when the scenario group's attributes are compact; files of alvh before
 * 2026-12-02 keep its 17 attributes densely, which H5Ocopy of HDF5 1.10.8
 * cannot copy (it crashes in H5T__conv_vlen) */
static alvh_status copyable(const char *path, const char *scenario, alvh_error *err)
{
    char g[ALVH_H5_PATH_MAX];
    snprintf(g, sizeof g, "%s/%s", ALVH_H5_SCENARIOS, scenario);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t o = f >= 0 ? H5Oopen(f, g, H5P_DEFAULT) : H5I_INVALID_HID;
    hid_t pl = o >= 0 ? H5Gget_create_plist(o) : H5I_INVALID_HID;
    H5O_info_t info;
    unsigned max_compact = 8, min_dense = 6;
    int ok = pl >= 0 && H5Oget_info2(o, &info, H5O_INFO_NUM_ATTRS) >= 0 &&
             H5Pget_attr_phase_change(pl, &max_compact, &min_dense) >= 0;
    int dense = ok && info.num_attrs > max_compact;
    if (pl >= 0)
        H5Pclose(pl);
    if (o >= 0)
        H5Oclose(o);
    if (f >= 0)
        H5Fclose(f);
    if (!ok)
        return alvh_error_set(err, ALVH_E_CONFIG, "%s: cannot read the attributes of %s", path, g);
    if (dense)
        return alvh_error_set(err, ALVH_E_USAGE,
                              "%s: scenario '%s' keeps its %llu attributes in dense storage (a file of an older alvh), "
                              "which HDF5 %d.%d cannot copy; rerun that task with this alvh",
                              path, scenario, (unsigned long long)info.num_attrs, H5_VERS_MAJOR, H5_VERS_MINOR);
    return ALVH_OK;
}

/* the first of config, seed, engine version, git describe that differs from the first input's */
static alvh_status same_run(const input_t *a, const input_t *b, alvh_error *err)
{
    const char *what = a->seed != b->seed                             ? "the seed"
                       : strcmp(a->config, b->config)                 ? "the configuration (root attribute config)"
                       : strcmp(a->engine_version, b->engine_version) ? "the engine version"
                       : strcmp(a->git_describe, b->git_describe)     ? "the git describe of the binary"
                                                                      : NULL;
    if (!what)
        return ALVH_OK;
    return alvh_error_set(err, ALVH_E_USAGE,
                          "%s: %s differs from that of %s: merge combines the files of one run configuration (the "
                          "same config, overrides, seed and binary, each with its own --scenario)",
                          b->path, what, a->path);
}

static time_t parse_utc(const char *s)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return end && !*end ? timegm(&tm) : (time_t)0;
}

/* which input holds each of the configuration's scenarios (n_in: none); every input scenario placed once */
static alvh_status place_scenarios(const alvh_config *cfg, const input_t *in, size_t n_in, size_t *holder,
                                   alvh_error *err)
{
    for (size_t k = 0; k < cfg->n_scenarios; k++)
        holder[k] = n_in;
    for (size_t i = 0; i < n_in; i++)
        for (size_t s = 0; s < in[i].n_scenarios; s++) {
            const alvh_config_scenario *sc = alvh_config_find_scenario(cfg, in[i].scenarios[s]);
            if (!sc)
                return alvh_error_set(err, ALVH_E_USAGE, "%s: scenario '%s' is not in the run's configuration",
                                      in[i].path, in[i].scenarios[s]);
            size_t k = (size_t)(sc - cfg->scenarios);
            if (holder[k] != n_in)
                return alvh_error_set(err, ALVH_E_USAGE, "scenario '%s' is in both %s and %s", sc->name,
                                      in[holder[k]].path, in[i].path);
            alvh_status st = copyable(in[i].path, sc->name, err);
            if (st != ALVH_OK)
                return st;
            holder[k] = i;
        }
    return ALVH_OK;
}

/* the run attributes of the merged file */
static alvh_h5_run_info merged_info(const input_t *in, size_t n_in, char *isa, size_t isa_size)
{
    alvh_h5_run_info info = {.seed = in[0].seed, .config_text = in[0].config, .engine_version = in[0].engine_version,
                             .git_describe = in[0].git_describe, .isa = isa, .threads = in[0].threads,
                             .ranks = in[0].ranks, .start_utc = parse_utc(in[0].start), .end_utc = parse_utc(in[0].end)};
    snprintf(isa, isa_size, "%s", in[0].isa);
    for (size_t i = 1; i < n_in; i++) {
        time_t s = parse_utc(in[i].start), e = parse_utc(in[i].end);
        info.start_utc = s < info.start_utc ? s : info.start_utc;
        info.end_utc = e > info.end_utc ? e : info.end_utc;
        info.ranks = in[i].ranks > info.ranks ? in[i].ranks : info.ranks;
        size_t n = strlen(in[i].isa);
        const char *hit = strstr(isa, in[i].isa);
        int listed = hit && (hit == isa || hit[-1] == ',') && (hit[n] == '\0' || hit[n] == ',');
        if (!listed && strlen(isa) + n + 2 < isa_size)
            strcat(strcat(isa, ","), in[i].isa);
    }
    return info;
}

static alvh_status write_merged(const char *out, const alvh_config *cfg, const input_t *in, size_t n_in,
                                const size_t *holder, alvh_error *err)
{
    char isa[128];
    alvh_h5_run_info info = merged_info(in, n_in, isa, sizeof isa);
    alvh_h5_writer *w = NULL;
    alvh_status st = alvh_h5_open(out, &w, err);
    if (st == ALVH_OK)
        st = alvh_h5_write_run_info(w, &info, err);
    for (size_t k = 0; st == ALVH_OK && k < cfg->n_scenarios; k++)
        if (holder[k] < n_in)
            st = alvh_result_copy_scenario(w, in[holder[k]].path, cfg->scenarios[k].name, err);
    alvh_error cerr = {0};
    alvh_status cst = w ? alvh_h5_close(w, st == ALVH_OK, &cerr) : ALVH_OK;
    if (st == ALVH_OK && cst != ALVH_OK && err)
        *err = cerr;
    return st != ALVH_OK ? st : cst;
}

alvh_status alvh_result_merge(const char *out, const char *const *paths, size_t n_in, alvh_error *err)
{
    if (n_in == 0)
        return alvh_error_set(err, ALVH_E_USAGE, "nothing to merge: give at least one input file");
    alvh_status st = alvh_check_output_path(out, "output", err);
    input_t *in = calloc(n_in, sizeof *in);
    if (st == ALVH_OK && !in)
        st = alvh_error_set(err, ALVH_E_NOMEM, "out of memory");
    for (size_t i = 0; st == ALVH_OK && i < n_in; i++)
        if ((st = read_input(paths[i], &in[i], err)) == ALVH_OK && i > 0)
            st = same_run(&in[0], &in[i], err);
    alvh_config *cfg = NULL;
    if (st == ALVH_OK && (st = alvh_config_load_text(paths[0], in[0].config, strlen(in[0].config), &cfg, err)) !=
                             ALVH_OK)
        st = ALVH_E_CONFIG;
    size_t *holder = st == ALVH_OK ? malloc((cfg->n_scenarios ? cfg->n_scenarios : 1) * sizeof *holder) : NULL;
    if (st == ALVH_OK && !holder)
        st = alvh_error_set(err, ALVH_E_NOMEM, "out of memory");
    if (st == ALVH_OK)
        st = place_scenarios(cfg, in, n_in, holder, err);
    if (st == ALVH_OK)
        st = write_merged(out, cfg, in, n_in, holder, err);
    for (size_t i = 0; in && i < n_in; i++)
        input_free(&in[i]);
    free(in);
    free(holder);
    alvh_config_free(cfg);
    return st;
}
