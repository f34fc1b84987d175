/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HDF5 output layer (io/h5_*.h): every dataset kind and attribute written and
 * read back bit for bit; chunking and filters of per-path tables; the
 * tmp-then-rename contract; failures (missing directory, read-only directory,
 * file size limit, a full disk during a write and during the final flush,
 * bad names) each giving one ALVH_E_IO message that names the file, with
 * nothing printed by HDF5 and no crash at exit; the reader's messages;
 * `alvh summary` output in its three formats.
 *
 * The full disk is simulated by defining pwrite() here: the executable's
 * definition takes precedence over libc's for the HDF5 shared library, which
 * writes with pwrite. While disk_full is set, writes to files in the test
 * directory fail with ENOSPC; anything else goes to the kernel.
 */
#define _GNU_SOURCE /* syscall, open_memstream */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engine/book_run.h"
#include "io/h5_datasets.h"
#include "io/h5_layout.h"
#include "io/h5_reader.h"
#include "io/h5_summary.h"
#include "io/h5_trial.h"
#include "io/h5_writer.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/alvh_test_h5.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "chmod -R u+w '%s'; rm -rf '%s'", dir, dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int disk_full;

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
    if (disk_full) {
        char link[64], target[256];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t len = readlink(link, target, sizeof target - 1);
        if (len > 0) {
            target[len] = '\0';
            if (strncmp(target, dir, strlen(dir)) == 0) {
                errno = ENOSPC;
                return -1;
            }
        }
    }
    return syscall(SYS_pwrite64, fd, buf, count, offset);
}

static void in_dir(char *buf, size_t n, const char *name) { snprintf(buf, n, "%s/%s", dir, name); }

static int exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

/* ---- stderr capture: HDF5 must print nothing ----------------------------------------- */

typedef struct {
    int saved;
    char path[96];
} capture_t;

static void capture_begin(capture_t *c)
{
    fflush(stderr);
    snprintf(c->path, sizeof c->path, "%s/stderr.txt", dir);
    int fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    c->saved = dup(2);
    assert_true(c->saved >= 0);
    assert_true(dup2(fd, 2) >= 0);
    close(fd);
}

/* Restore stderr; returns the number of bytes written to it meanwhile. */
static long capture_end(capture_t *c)
{
    fflush(stderr);
    dup2(c->saved, 2);
    close(c->saved);
    struct stat sb;
    assert_int_equal(stat(c->path, &sb), 0);
    if (sb.st_size) {
        char buf[512] = {0};
        FILE *f = fopen(c->path, "r");
        if (f) {
            size_t got = fread(buf, 1, sizeof buf - 1, f);
            buf[got] = '\0';
            fclose(f);
        }
        print_error("unexpected stderr output:\n%s\n", buf);
    }
    unlink(c->path);
    return (long)sb.st_size;
}

/* ---- test data --------------------------------------------------------------------- */

static double value(size_t i, size_t c) { return sin(0.001 * (double)i + (double)c) * 1e5 + (double)c; }

static const char *const cols3[3] = {"alpha", "beta", "gamma"};
static const char *const units3[3] = {"USD", "1/yr", "index points"};

/* assert two arrays are bit-identical (NaN and -0.0 included) */
static void assert_same(const double *a, const double *b, size_t n)
{
    assert_memory_equal(a, b, n * sizeof *a);
}

static void assert_attr_strings(alvh_h5_reader *r, const char *obj, const char *name, const char *const *want,
                                size_t n)
{
    char **got;
    size_t m;
    alvh_error err = {0};
    assert_int_equal(alvh_h5_read_attr_strings(r, obj, name, &got, &m, &err), ALVH_OK);
    assert_int_equal(m, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(got[i], want[i]);
    alvh_h5_strings_free(got, m);
}

static void assert_attr_string(alvh_h5_reader *r, const char *obj, const char *name, const char *want)
{
    char *got;
    alvh_error err = {0};
    assert_int_equal(alvh_h5_read_attr_string(r, obj, name, &got, &err), ALVH_OK);
    assert_string_equal(got, want);
    free(got);
}

/* Layout and filters of a dataset, straight from HDF5. */
static H5Z_filter_t g_last_filter; /* of the last dataset_layout call */

static void dataset_layout(const char *file, const char *path, H5D_layout_t *layout, int *n_filters,
                           hsize_t chunk[2], unsigned *deflate_level)
{
    hid_t f = H5Fopen(file, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    assert_true(d >= 0);
    hid_t p = H5Dget_create_plist(d);
    *layout = H5Pget_layout(p);
    *n_filters = H5Pget_nfilters(p);
    *deflate_level = 0;
    g_last_filter = H5Z_FILTER_NONE;
    if (*layout == H5D_CHUNKED) {
        assert_int_equal(H5Pget_chunk(p, 2, chunk), 2);
        for (int i = 0; i < *n_filters; i++) {
            unsigned flags, cd[4];
            size_t ncd = 4;
            H5Z_filter_t id = H5Pget_filter2(p, (unsigned)i, &flags, &ncd, cd, 0, NULL, NULL);
            if (id == H5Z_FILTER_DEFLATE && ncd >= 1)
                *deflate_level = cd[0];
            g_last_filter = id;
        }
    }
    H5Pclose(p);
    H5Dclose(d);
    H5Fclose(f);
}

/* a per-path table's storage: chunked, n_filters filters with Fletcher-32 last, deflate at level
 * (0: none), chunk_rows rows per chunk */
static void assert_chunked(const char *file, const char *path, int n_filters, unsigned level, hsize_t chunk_rows)
{
    H5D_layout_t layout;
    int nf;
    hsize_t chunk[2];
    unsigned lv;
    dataset_layout(file, path, &layout, &nf, chunk, &lv);
    assert_int_equal(layout, H5D_CHUNKED);
    assert_int_equal(nf, n_filters);
    assert_true(g_last_filter == H5Z_FILTER_FLETCHER32);
    assert_int_equal(lv, level);
    assert_int_equal(chunk[0], chunk_rows);
}

/* ---- round trip ---------------------------------------------------------------------- */

enum { BIG_ROWS = 70000, N_TIMES = 6, N_Q = 3, N_BINS = 4, N_SAMPLE = 3 };

static void test_round_trip(void **state)
{
    (void)state;
    char path[128];
    in_dir(path, sizeof path, "round_trip.h5");
    alvh_error err = {0};
    alvh_h5_writer *w = NULL;

    double *big = malloc(BIG_ROWS * 3 * sizeof *big);
    double *outcomes = malloc(BIG_ROWS * ALVH_OUT_COUNT * sizeof *outcomes);
    double *terminal = malloc(BIG_ROWS * ALVH_TERM_COUNT * sizeof *terminal);
    assert_non_null(big);
    assert_non_null(outcomes);
    assert_non_null(terminal);
    for (size_t i = 0; i < BIG_ROWS; i++) {
        for (size_t c = 0; c < 3; c++)
            big[i * 3 + c] = value(i, c);
        for (size_t c = 0; c < ALVH_OUT_COUNT; c++)
            outcomes[i * ALVH_OUT_COUNT + c] = value(i, c + 10);
        for (size_t c = 0; c < ALVH_TERM_COUNT; c++)
            terminal[i * ALVH_TERM_COUNT + c] = value(i, c + 40);
    }
    /* special values survive */
    big[5] = NAN;
    big[6] = INFINITY;
    big[7] = -0.0;
    outcomes[ALVH_OUT_MIN_HF] = INFINITY;

    const double small[2 * 3] = {1, 2, 3, 4, 5, 6};
    const double lab[2 * 3] = {0.5, -1.5, 2.5, NAN, 1e300, -1e-300};
    const char *const rows2[2] = {"mean", "p_loss"};
    const char *const runits2[2] = {"USD", "1"};
    const uint64_t counts[N_BINS] = {1, 0, 7, UINT64_MAX};
    const double edges[N_BINS + 1] = {-2, -1, 0, 1, 2};
    double fan[N_TIMES * N_Q], bound[N_TIMES * N_Q], samples[N_SAMPLE * N_TIMES * 3];
    const double qs[N_Q] = {0.05, 0.5, 0.95};
    for (size_t k = 0; k < N_TIMES * N_Q; k++) {
        fan[k] = (double)k * 1.25;
        bound[k] = 0.125 * (double)k;
    }
    for (size_t k = 0; k < N_SAMPLE * N_TIMES * 3; k++)
        samples[k] = value(k, 99);
    const uint64_t sample_index[N_SAMPLE] = {0, 17, 1u << 31};
    const double attr_vals[3] = {0.95, 0.99, 0.995};

    assert_int_equal(alvh_h5_open(path, &w, &err), ALVH_OK);
    alvh_h5_run_info info = {
        .seed = UINT64_MAX - 1,
        .config_text = "a: 1\nb: [x, y]\nunicode: \xc3\xa9\xe2\x82\xac\n",
        .engine_version = "9.9.9",
        .git_describe = "v9-1-gdeadbee-dirty",
        .isa = "avx2",
        .threads = 48,
        .ranks = 4,
        .start_utc = 0,
        .end_utc = 1700000061,
    };
    assert_int_equal(alvh_h5_write_run_info(w, &info, &err), ALVH_OK);
    /* scenarios written out of name order: readers list them in creation order */
    assert_int_equal(alvh_h5_ensure_group(w, "/scenarios/zeta", &err), ALVH_OK);
    assert_int_equal(alvh_h5_write_terminal(w, "alpha", BIG_ROWS, terminal, &err), ALVH_OK);
    assert_int_equal(alvh_h5_write_outcomes(w, "alpha", "full", BIG_ROWS, outcomes, &err), ALVH_OK);
    assert_int_equal(alvh_h5_write_table(w, "/t", "big", BIG_ROWS, 3, big, cols3, units3, 1, &err), ALVH_OK);
    assert_int_equal(alvh_h5_write_table(w, "/t", "small", 2, 3, small, cols3, units3, 0, &err), ALVH_OK);
    assert_int_equal(alvh_h5_write_table(w, "/t", "empty", 0, 3, NULL, cols3, units3, 1, &err), ALVH_OK);
    assert_int_equal(alvh_h5_write_table_strided(w, "/t", "first2", 2, 2, small, 3, cols3, units3, 0, &err), ALVH_OK);
    assert_int_equal(alvh_h5_write_labelled(w, "/t", "lab", 2, 3, lab, rows2, cols3, runits2, &err), ALVH_OK);
    alvh_h5_histogram h = {.n_bins = N_BINS, .counts = counts, .edges = edges, .underflow = 3, .overflow = 4,
                           .n_nonfinite = 5, .units = "USD"};
    assert_int_equal(alvh_h5_write_histogram(w, "/t/histograms", "total", &h, &err), ALVH_OK);
    assert_int_equal(alvh_h5_write_fan_chart(w, "/t/fan", "equity", N_TIMES, N_Q, fan, qs, bound, "USD", &err),
                     ALVH_OK);
    assert_int_equal(alvh_h5_write_sample_paths(w, "/t", "paths", N_SAMPLE, N_TIMES, 3, samples, cols3, units3,
                                                sample_index, &err),
                     ALVH_OK);
    assert_int_equal(alvh_h5_attr_string(w, "/t/a", "s", "hello", &err), ALVH_OK);
    assert_int_equal(alvh_h5_attr_string(w, "/t/a", "s", "replaced", &err), ALVH_OK);
    assert_int_equal(alvh_h5_attr_strings(w, "/t/a", "list", cols3, 3, &err), ALVH_OK);
    assert_int_equal(alvh_h5_attr_int(w, "/t/a", "i", -42, &err), ALVH_OK);
    assert_int_equal(alvh_h5_attr_u64(w, "/t/a", "u", UINT64_MAX, &err), ALVH_OK);
    assert_int_equal(alvh_h5_attr_double(w, "/t/a", "d", -0.25, &err), ALVH_OK);
    assert_int_equal(alvh_h5_attr_doubles(w, "/t/big", "levels", attr_vals, 3, &err), ALVH_OK);
    assert_int_equal(alvh_h5_close(w, 1, &err), ALVH_OK);

    alvh_h5_reader *r = NULL;
    assert_int_equal(alvh_h5_reader_open(path, &r, &err), ALVH_OK);

    /* run attributes */
    uint64_t u;
    int64_t i64;
    assert_int_equal(alvh_h5_read_attr_u64(r, "/", "seed", &u, &err), ALVH_OK);
    assert_true(u == UINT64_MAX - 1);
    assert_int_equal(alvh_h5_read_attr_i64(r, "/", "threads", &i64, &err), ALVH_OK);
    assert_int_equal(i64, 48);
    assert_int_equal(alvh_h5_read_attr_i64(r, "/", "ranks", &i64, &err), ALVH_OK);
    assert_int_equal(i64, 4);
    assert_int_equal(alvh_h5_read_attr_i64(r, "/", "alvh_layout_version", &i64, &err), ALVH_OK);
    assert_int_equal(i64, ALVH_H5_LAYOUT_VERSION);
    assert_attr_string(r, "/", "alvh_format", ALVH_H5_FORMAT_NAME);
    assert_attr_string(r, "/", "config", info.config_text);
    assert_attr_string(r, "/", "engine_version", "9.9.9");
    assert_attr_string(r, "/", "git_describe", info.git_describe);
    assert_attr_string(r, "/", "isa", "avx2");
    assert_attr_string(r, "/", "start_time_utc", "1970-01-01T00:00:00Z");
    assert_attr_string(r, "/", "end_time_utc", "2023-11-14T22:14:21Z");
    assert_attr_string(r, "/", "units", alvh_h5_default_units_note);
    assert_true(alvh_h5_attr_exists(r, "/", "hdf5_version"));

    /* creation order */
    char **names;
    size_t n;
    assert_int_equal(alvh_h5_read_children(r, "/scenarios", &names, &n, &err), ALVH_OK);
    assert_int_equal(n, 2);
    assert_string_equal(names[0], "zeta");
    assert_string_equal(names[1], "alpha");
    alvh_h5_strings_free(names, n);

    /* tables */
    alvh_h5_array a;
    assert_int_equal(alvh_h5_read_f64(r, "/t/big", &a, &err), ALVH_OK);
    assert_int_equal(a.rank, 2);
    assert_int_equal(a.dims[0], BIG_ROWS);
    assert_int_equal(a.dims[1], 3);
    assert_same(a.data, big, BIG_ROWS * 3);
    free(a.data);
    assert_attr_strings(r, "/t/big", "columns", cols3, 3);
    assert_attr_strings(r, "/t/big", "units", units3, 3);
    double *dv;
    assert_int_equal(alvh_h5_read_attr_f64s(r, "/t/big", "levels", &dv, &n, &err), ALVH_OK);
    assert_int_equal(n, 3);
    assert_same(dv, attr_vals, 3);
    free(dv);

    assert_int_equal(alvh_h5_read_f64(r, "/t/small", &a, &err), ALVH_OK);
    assert_same(a.data, small, 6);
    free(a.data);
    assert_int_equal(alvh_h5_read_f64(r, "/t/empty", &a, &err), ALVH_OK);
    assert_int_equal(a.dims[0], 0);
    assert_int_equal(a.dims[1], 3);
    free(a.data);
    assert_int_equal(alvh_h5_read_f64(r, "/t/first2", &a, &err), ALVH_OK);
    assert_int_equal(a.dims[1], 2);
    const double first2[4] = {1, 2, 4, 5};
    assert_same(a.data, first2, 4);
    free(a.data);

    /* pnl and metrics split the outcome columns */
    assert_int_equal(alvh_h5_read_f64(r, "/scenarios/alpha/variants/full/pnl", &a, &err), ALVH_OK);
    assert_int_equal(a.dims[0], BIG_ROWS);
    assert_int_equal(a.dims[1], ALVH_OUT_TOTAL + 1);
    for (size_t i = 0; i < BIG_ROWS; i += 997)
        assert_same(a.data + i * (ALVH_OUT_TOTAL + 1), outcomes + i * ALVH_OUT_COUNT, ALVH_OUT_TOTAL + 1);
    free(a.data);
    assert_attr_strings(r, "/scenarios/alpha/variants/full/pnl", "columns", alvh_book_out_names,
                        ALVH_OUT_TOTAL + 1);
    assert_attr_strings(r, "/scenarios/alpha/variants/full/pnl", "units", alvh_h5_outcome_units,
                        ALVH_OUT_TOTAL + 1);
    assert_int_equal(alvh_h5_read_f64(r, "/scenarios/alpha/variants/full/metrics", &a, &err), ALVH_OK);
    assert_int_equal(a.dims[1], ALVH_OUT_COUNT - ALVH_OUT_TOTAL - 1);
    for (size_t i = 0; i < BIG_ROWS; i += 997)
        assert_same(a.data + i * a.dims[1], outcomes + i * ALVH_OUT_COUNT + ALVH_OUT_TOTAL + 1, a.dims[1]);
    free(a.data);
    assert_attr_strings(r, "/scenarios/alpha/variants/full/metrics", "columns",
                        alvh_book_out_names + ALVH_OUT_TOTAL + 1, ALVH_OUT_COUNT - ALVH_OUT_TOTAL - 1);
    assert_int_equal(alvh_h5_read_f64(r, "/scenarios/alpha/market/terminal", &a, &err), ALVH_OK);
    assert_int_equal(a.dims[0], BIG_ROWS);
    assert_int_equal(a.dims[1], ALVH_TERM_COUNT);
    assert_same(a.data, terminal, BIG_ROWS * ALVH_TERM_COUNT);
    free(a.data);
    assert_attr_strings(r, "/scenarios/alpha/market/terminal", "columns", alvh_terminal_names, ALVH_TERM_COUNT);
    assert_attr_strings(r, "/scenarios/alpha/market/terminal", "units", alvh_h5_terminal_units, ALVH_TERM_COUNT);

    /* labelled table */
    alvh_h5_labelled t;
    assert_int_equal(alvh_h5_read_labelled(r, "/t/lab", &t, &err), ALVH_OK);
    assert_int_equal(t.rows, 2);
    assert_int_equal(t.cols, 3);
    assert_same(t.data, lab, 6);
    for (size_t k = 0; k < 2; k++) {
        assert_string_equal(t.row_names[k], rows2[k]);
        assert_string_equal(t.units[k], runits2[k]);
    }
    for (size_t k = 0; k < 3; k++)
        assert_string_equal(t.column_names[k], cols3[k]);
    alvh_h5_labelled_free(&t);
    /* a plain table is not a labelled one: no rows attribute */
    assert_int_equal(alvh_h5_read_labelled(r, "/t/small", &t, &err), ALVH_E_IO);
    assert_non_null(strstr(err.msg, "no attribute 'rows'"));

    /* histogram */
    uint64_t *cnt;
    assert_int_equal(alvh_h5_read_u64(r, "/t/histograms/total/counts", &cnt, &n, &err), ALVH_OK);
    assert_int_equal(n, N_BINS);
    assert_memory_equal(cnt, counts, sizeof counts);
    free(cnt);
    assert_int_equal(alvh_h5_read_f64(r, "/t/histograms/total/edges", &a, &err), ALVH_OK);
    assert_int_equal(a.rank, 1);
    assert_int_equal(a.dims[0], N_BINS + 1);
    assert_same(a.data, edges, N_BINS + 1);
    free(a.data);
    assert_int_equal(alvh_h5_read_attr_u64(r, "/t/histograms/total", "underflow", &u, &err), ALVH_OK);
    assert_int_equal(u, 3);
    assert_int_equal(alvh_h5_read_attr_u64(r, "/t/histograms/total", "overflow", &u, &err), ALVH_OK);
    assert_int_equal(u, 4);
    assert_int_equal(alvh_h5_read_attr_u64(r, "/t/histograms/total", "n_nonfinite", &u, &err), ALVH_OK);
    assert_int_equal(u, 5);
    assert_attr_string(r, "/t/histograms/total", "units", "USD");
    assert_attr_string(r, "/t/histograms/total/edges", "units", "USD");

    /* fan chart and its bound */
    assert_int_equal(alvh_h5_read_f64(r, "/t/fan/equity", &a, &err), ALVH_OK);
    assert_int_equal(a.dims[0], N_TIMES);
    assert_int_equal(a.dims[1], N_Q);
    assert_same(a.data, fan, N_TIMES * N_Q);
    free(a.data);
    assert_int_equal(alvh_h5_read_attr_f64s(r, "/t/fan/equity", "quantiles", &dv, &n, &err), ALVH_OK);
    assert_int_equal(n, N_Q);
    assert_same(dv, qs, N_Q);
    free(dv);
    assert_attr_string(r, "/t/fan/equity", "units", "USD");
    assert_int_equal(alvh_h5_read_f64(r, "/t/fan/equity_bound", &a, &err), ALVH_OK);
    assert_same(a.data, bound, N_TIMES * N_Q);
    free(a.data);

    /* sample paths */
    assert_int_equal(alvh_h5_read_f64(r, "/t/paths", &a, &err), ALVH_OK);
    assert_int_equal(a.rank, 3);
    assert_int_equal(a.dims[0], N_SAMPLE);
    assert_int_equal(a.dims[1], N_TIMES);
    assert_int_equal(a.dims[2], 3);
    assert_same(a.data, samples, N_SAMPLE * N_TIMES * 3);
    free(a.data);
    assert_attr_strings(r, "/t/paths", "columns", cols3, 3);
    assert_attr_strings(r, "/t/paths", "units", units3, 3);

    /* attributes on a group created for them */
    assert_attr_string(r, "/t/a", "s", "replaced");
    assert_attr_strings(r, "/t/a", "list", cols3, 3);
    assert_int_equal(alvh_h5_read_attr_i64(r, "/t/a", "i", &i64, &err), ALVH_OK);
    assert_int_equal(i64, -42);
    assert_int_equal(alvh_h5_read_attr_u64(r, "/t/a", "u", &u, &err), ALVH_OK);
    assert_true(u == UINT64_MAX);
    assert_int_equal(alvh_h5_read_attr_f64s(r, "/t/a", "d", &dv, &n, &err), ALVH_OK);
    assert_int_equal(n, 1);
    assert_true(dv[0] == -0.25);
    free(dv);
    alvh_h5_reader_close(r);

    /* storage: per-path tables chunked (about 1 MiB), small ones one chunk; every one with a
     * Fletcher-32 checksum (the last filter). These tables' doubles do not halve under deflate:
     * checksum alone (test_deflate_only_where_it_pays has the compressed case) */
    H5D_layout_t layout;
    int nf;
    hsize_t chunk[2];
    unsigned level;
    assert_chunked(path, "/t/big", 1, 0, alvh_h5_chunk_rows(3));
    dataset_layout(path, "/t/big", &layout, &nf, chunk, &level);
    assert_int_equal(chunk[1], 3);
    dataset_layout(path, "/scenarios/alpha/variants/full/pnl", &layout, &nf, chunk, &level);
    assert_int_equal(layout, H5D_CHUNKED);
    assert_int_equal(chunk[0], alvh_h5_chunk_rows(12));
    assert_true(g_last_filter == H5Z_FILTER_FLETCHER32);
    dataset_layout(path, "/t/small", &layout, &nf, chunk, &level);
    assert_int_equal(layout, H5D_CHUNKED);
    assert_int_equal(nf, 1);
    assert_true(g_last_filter == H5Z_FILTER_FLETCHER32);
    dataset_layout(path, "/t/lab", &layout, &nf, chunk, &level);
    assert_int_equal(layout, H5D_CHUNKED);
    assert_true(g_last_filter == H5Z_FILTER_FLETCHER32);

    free(big);
    free(outcomes);
    free(terminal);
}

static void test_chunk_rows(void **state)
{
    (void)state;
    assert_int_equal(alvh_h5_chunk_rows(1), 65536);
    assert_int_equal(alvh_h5_chunk_rows(8), 16384);   /* 1 MiB */
    assert_int_equal(alvh_h5_chunk_rows(5), 16384);   /* terminal */
    assert_int_equal(alvh_h5_chunk_rows(9), 8192);    /* metrics */
    assert_int_equal(alvh_h5_chunk_rows(17), 4096);   /* <= 1 MiB, power of two */
    assert_int_equal(alvh_h5_chunk_rows(100000), 1024);
}

/* ---- compression where it pays -------------------------------------------------------------- */

/* finite doubles of random mantissa, sign and a spread of exponents (xorshift64): what deflate
 * cannot shrink, like a market's terminal values */
static void noise_fill(double *x, size_t n)
{
    uint64_t s = 0x9e3779b97f4a7c15u;
    for (size_t i = 0; i < n; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        x[i] = ldexp((double)(s >> 11) / 9007199254740992.0, (int)(s % 40) - 20) * ((s >> 5 & 1) ? -1.0 : 1.0);
    }
}

static void test_deflate_only_where_it_pays(void **state)
{
    (void)state;
    enum { ROWS = 40000, COLS = 3 };
    double *noise = malloc(ROWS * COLS * sizeof *noise), *flat = malloc(ROWS * COLS * sizeof *flat);
    assert_non_null(noise);
    assert_non_null(flat);
    noise_fill(noise, ROWS * COLS);
    for (size_t i = 0; i < ROWS * COLS; i++)
        flat[i] = (double)(i % 7 == 0); /* counts and flags */
    /* the trial itself: its verdict, the empty table, a strided first chunk */
    assert_int_equal(alvh_h5_deflate_pays(noise, ROWS, COLS, COLS, 16384, 4), 0);
    assert_int_equal(alvh_h5_deflate_pays(flat, ROWS, COLS, COLS, 16384, 4), 1);
    assert_int_equal(alvh_h5_deflate_pays(NULL, 0, COLS, COLS, 16384, 4), 1);
    assert_int_equal(alvh_h5_deflate_pays(flat, ROWS / 3, 1, 3, 16384, 4), 1);
    assert_int_equal(alvh_h5_deflate_pays(noise, ROWS / 3, 1, 3, 16384, 4), 0);

    char path[128];
    in_dir(path, sizeof path, "pays.h5");
    alvh_error err = {0};
    alvh_h5_writer *w = NULL;
    assert_int_equal(alvh_h5_open(path, &w, &err), ALVH_OK);
    assert_int_equal(alvh_h5_write_table(w, "/t", "noise", ROWS, COLS, noise, cols3, units3, 1, &err), ALVH_OK);
    assert_int_equal(alvh_h5_write_table(w, "/t", "flat", ROWS, COLS, flat, cols3, units3, 1, &err), ALVH_OK);
    assert_int_equal(alvh_h5_close(w, 1, &err), ALVH_OK);

    /* noise: chunked with the checksum alone; flags: shuffle + deflate 4 + checksum */
    assert_chunked(path, "/t/noise", 1, 0, alvh_h5_chunk_rows(COLS));
    assert_chunked(path, "/t/flat", 3, 4, alvh_h5_chunk_rows(COLS));

    alvh_h5_reader *r = NULL;
    assert_int_equal(alvh_h5_reader_open(path, &r, &err), ALVH_OK);
    alvh_h5_array a;
    assert_int_equal(alvh_h5_read_f64(r, "/t/noise", &a, &err), ALVH_OK);
    assert_int_equal(a.dims[0], ROWS);
    assert_int_equal(a.dims[1], COLS);
    assert_same(a.data, noise, ROWS * COLS);
    free(a.data);
    alvh_h5_reader_close(r);
    free(noise);
    free(flat);
}

/* ---- tmp-then-rename --------------------------------------------------------------------- */

static void test_tmp_then_rename(void **state)
{
    (void)state;
    char path[128];
    in_dir(path, sizeof path, "commit.h5");
    /* an older result under the final name stays intact until the commit */
    FILE *old = fopen(path, "w");
    assert_non_null(old);
    fputs("old result\n", old);
    fclose(old);

    alvh_error err = {0};
    alvh_h5_writer *w = NULL;
    assert_int_equal(alvh_h5_open(path, &w, &err), ALVH_OK);
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    assert_string_equal(alvh_h5_writer_tmp_path(w), tmp);
    assert_string_equal(alvh_h5_writer_path(w), path);
    assert_true(exists(tmp));
    assert_int_equal(H5Fis_hdf5(path), 0); /* still the old file */
    const double x[3] = {1, 2, 3};
    assert_int_equal(alvh_h5_write_table(w, "/g", "x", 1, 3, x, cols3, units3, 0, &err), ALVH_OK);
    assert_int_equal(H5Fis_hdf5(path), 0);
    assert_int_equal(alvh_h5_close(w, 1, &err), ALVH_OK);
    assert_false(exists(tmp));
    assert_true(H5Fis_hdf5(path) > 0);

    /* first-time write: nothing under the final name before the commit */
    in_dir(path, sizeof path, "fresh.h5");
    assert_int_equal(alvh_h5_open(path, &w, &err), ALVH_OK);
    assert_false(exists(path));
    assert_int_equal(alvh_h5_close(w, 1, &err), ALVH_OK);
    assert_true(exists(path));

    /* no commit: nothing left at all */
    in_dir(path, sizeof path, "abandoned.h5");
    assert_int_equal(alvh_h5_open(path, &w, &err), ALVH_OK);
    assert_int_equal(alvh_h5_write_table(w, "/g", "x", 1, 3, x, cols3, units3, 0, &err), ALVH_OK);
    snprintf(tmp, sizeof tmp, "%s", alvh_h5_writer_tmp_path(w));
    assert_int_equal(alvh_h5_close(w, 0, &err), ALVH_OK);
    assert_false(exists(path));
    assert_false(exists(tmp));
    assert_int_equal(alvh_h5_close(NULL, 1, &err), ALVH_OK);
}

/* ---- failures ---------------------------------------------------------------------------- */

static void assert_one_line(const char *msg)
{
    assert_true(strlen(msg) > 0);
    assert_null(strchr(msg, '\n'));
}

static void test_missing_directory(void **state)
{
    (void)state;
    char path[128];
    in_dir(path, sizeof path, "no/such/dir/out.h5");
    alvh_error err = {0};
    alvh_h5_writer *w = NULL;
    capture_t c;
    capture_begin(&c);
    alvh_status st = alvh_h5_open(path, &w, &err);
    long printed = capture_end(&c);
    assert_int_equal(st, ALVH_E_IO);
    assert_null(w);
    assert_int_equal(printed, 0);
    assert_one_line(err.msg);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "No such file or directory"));
    assert_false(exists(path));
}

/* A directory this process cannot create files in: a 0555 directory, or for
 * root (who ignores permission bits) /sys, where nobody can create files. */
static int unwritable_dir(char *out, size_t n)
{
    char ro[128], probe[160];
    in_dir(ro, sizeof ro, "readonly");
    if (mkdir(ro, 0555) != 0 && !exists(ro))
        return -1;
    chmod(ro, 0555);
    const char *cands[2] = {ro, "/sys"};
    for (int i = 0; i < 2; i++) {
        snprintf(probe, sizeof probe, "%s/alvh_probe_%ld", cands[i], (long)getpid());
        int fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0) {
            snprintf(out, n, "%s", cands[i]);
            return 0;
        }
        close(fd);
        unlink(probe);
    }
    return -1;
}

static void test_unwritable_directory(void **state)
{
    (void)state;
    char d[128], path[192];
    if (unwritable_dir(d, sizeof d) != 0)
        skip();
    snprintf(path, sizeof path, "%s/out.h5", d);
    alvh_error err = {0};
    alvh_h5_writer *w = NULL;
    capture_t c;
    capture_begin(&c);
    alvh_status st = alvh_h5_open(path, &w, &err);
    long printed = capture_end(&c);
    assert_int_equal(st, ALVH_E_IO);
    assert_int_equal(printed, 0);
    assert_one_line(err.msg);
    assert_non_null(strstr(err.msg, path));
    assert_true(strstr(err.msg, "Permission denied") || strstr(err.msg, "Read-only"));
    assert_false(exists(path));
}

/* A file size limit makes write() fail with EFBIG, as a full disk fails with
 * ENOSPC: the error must surface (at the write or at the flush in close),
 * name the file, and leave no file behind. */
static void test_write_failure(void **state)
{
    (void)state;
    char path[128];
    in_dir(path, sizeof path, "too_big.h5");
    enum { ROWS = 200000 };
    double *x = malloc(ROWS * 3 * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < ROWS * 3; i++)
        x[i] = value(i * 7919, i % 3) * 1.000001; /* poorly compressible */

    struct rlimit saved, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    lim = saved;
    lim.rlim_cur = 256 * 1024;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);

    alvh_error err = {0};
    alvh_h5_writer *w = NULL;
    capture_t c;
    capture_begin(&c);
    alvh_status st = alvh_h5_open(path, &w, &err);
    char tmp[160] = "";
    alvh_status cst = ALVH_E_IO;
    alvh_error close_err = {0};
    if (st == ALVH_OK) {
        snprintf(tmp, sizeof tmp, "%s", alvh_h5_writer_tmp_path(w));
        st = alvh_h5_write_table(w, "/scenarios/s/variants/v", "pnl", ROWS, 3, x, cols3, units3, 1, &err);
        /* the limit also binds the in-memory file a discarded file is closed into */
        setrlimit(RLIMIT_FSIZE, &saved);
        cst = alvh_h5_close(w, 1, &close_err);
    }
    long printed = capture_end(&c);
    setrlimit(RLIMIT_FSIZE, &saved);
    signal(SIGXFSZ, old_handler);
    free(x);
    /* the failed write also blocks the commit */
    assert_int_equal(cst, ALVH_E_IO);
    assert_non_null(strstr(close_err.msg, "earlier write"));

    assert_int_equal(st, ALVH_E_IO);
    assert_int_equal(printed, 0);
    assert_one_line(err.msg);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "File too large"));
    assert_false(exists(path));
    if (*tmp)
        assert_false(exists(tmp));
}

/* ENOSPC in the middle of a dataset write, with the disk still full at close. */
static void test_disk_full_during_write(void **state)
{
    (void)state;
    char path[128], tmp[160];
    in_dir(path, sizeof path, "full_write.h5");
    enum { ROWS = 50000 };
    double *x = calloc(ROWS * 3, sizeof *x);
    assert_non_null(x);
    alvh_error err = {0}, close_err = {0};
    alvh_h5_writer *w = NULL;
    capture_t c;
    capture_begin(&c);
    assert_int_equal(alvh_h5_open(path, &w, &err), ALVH_OK);
    snprintf(tmp, sizeof tmp, "%s", alvh_h5_writer_tmp_path(w));
    disk_full = 1;
    alvh_status st = alvh_h5_write_table(w, "/scenarios/s/market", "terminal", ROWS, 3, x, cols3, units3, 0, &err);
    alvh_status cst = alvh_h5_close(w, 1, &close_err);
    disk_full = 0;
    assert_int_equal(capture_end(&c), 0);
    free(x);
    assert_int_equal(st, ALVH_E_IO);
    assert_one_line(err.msg);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "'/scenarios/s/market/terminal'"));
    assert_non_null(strstr(err.msg, "No space left on device"));
    assert_int_equal(cst, ALVH_E_IO);
    assert_false(exists(path));
    assert_false(exists(tmp));
}

/* Every dataset written, then the disk fills before the final flush: the
 * close reports it and nothing appears under either name. (HDF5 keeps a
 * broken id after this; alvh_h5_library_init keeps its exit handler from
 * crashing on it, which this test's clean exit checks.) */
static void test_disk_full_at_close(void **state)
{
    (void)state;
    char path[128], tmp[160];
    in_dir(path, sizeof path, "full_close.h5");
    const double x[3] = {1, 2, 3};
    alvh_error err = {0};
    alvh_h5_writer *w = NULL;
    capture_t c;
    capture_begin(&c);
    assert_int_equal(alvh_h5_open(path, &w, &err), ALVH_OK);
    snprintf(tmp, sizeof tmp, "%s", alvh_h5_writer_tmp_path(w));
    assert_int_equal(alvh_h5_write_table(w, "/g", "x", 1, 3, x, cols3, units3, 0, &err), ALVH_OK);
    disk_full = 1;
    alvh_status st = alvh_h5_close(w, 1, &err);
    disk_full = 0;
    assert_int_equal(capture_end(&c), 0);
    assert_int_equal(st, ALVH_E_IO);
    assert_one_line(err.msg);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "No space left on device"));
    assert_false(exists(path));
    assert_false(exists(tmp));
    /* HDF5 still works for the next file */
    in_dir(path, sizeof path, "after_full.h5");
    assert_int_equal(alvh_h5_open(path, &w, &err), ALVH_OK);
    assert_int_equal(alvh_h5_write_table(w, "/g", "x", 1, 3, x, cols3, units3, 0, &err), ALVH_OK);
    assert_int_equal(alvh_h5_close(w, 1, &err), ALVH_OK);
    assert_true(H5Fis_hdf5(path) > 0);
}

static void test_bad_names(void **state)
{
    (void)state;
    char path[128], g[ALVH_H5_PATH_MAX];
    in_dir(path, sizeof path, "bad_names.h5");
    alvh_error err = {0};
    assert_int_equal(alvh_h5_variant_path(g, sizeof g, "base", "a/b", &err), ALVH_E_CONFIG);
    assert_non_null(strstr(err.msg, "variant name 'a/b'"));
    assert_int_equal(alvh_h5_scenario_path(g, sizeof g, "..", &err), ALVH_E_CONFIG);
    assert_int_equal(alvh_h5_scenario_path(g, sizeof g, "", &err), ALVH_E_CONFIG);
    assert_int_equal(alvh_h5_variant_path(g, sizeof g, "base", "full ALVH", &err), ALVH_OK);
    assert_string_equal(g, "/scenarios/base/variants/full ALVH");

    alvh_h5_writer *w = NULL;
    const double x[3] = {1, 2, 3};
    capture_t c;
    capture_begin(&c);
    assert_int_equal(alvh_h5_open(path, &w, &err), ALVH_OK);
    assert_int_equal(alvh_h5_write_table(w, "/g", "x/y", 1, 3, x, cols3, units3, 0, &err), ALVH_E_INTERNAL);
    assert_int_equal(alvh_h5_write_table(w, "relative", "x", 1, 3, x, cols3, units3, 0, &err), ALVH_E_INTERNAL);
    assert_int_equal(alvh_h5_write_table(w, "/g", "x", 1, 3, x, cols3, units3, 0, &err), ALVH_OK);
    /* the same dataset twice: HDF5 refuses, the message names the object */
    assert_int_equal(alvh_h5_write_table(w, "/g", "x", 1, 3, x, cols3, units3, 0, &err), ALVH_E_IO);
    assert_non_null(strstr(err.msg, "'/g/x'"));
    assert_non_null(strstr(err.msg, path));
    assert_one_line(err.msg);
    /* a writer that saw a failure never commits */
    assert_int_equal(alvh_h5_close(w, 1, &err), ALVH_E_IO);
    assert_int_equal(capture_end(&c), 0);
    assert_non_null(strstr(err.msg, "earlier write"));
    assert_false(exists(path));
}

/* ---- reader -------------------------------------------------------------------------------- */

static void test_reader_errors(void **state)
{
    (void)state;
    char path[128];
    alvh_error err = {0};
    alvh_h5_reader *r = NULL;
    capture_t c;
    capture_begin(&c);
    in_dir(path, sizeof path, "missing.h5");
    assert_int_equal(alvh_h5_reader_open(path, &r, &err), ALVH_E_IO);
    assert_non_null(strstr(err.msg, "No such file or directory"));
    assert_non_null(strstr(err.msg, path));

    in_dir(path, sizeof path, "text.h5");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("not hdf5 at all\n", f);
    fclose(f);
    assert_int_equal(alvh_h5_reader_open(path, &r, &err), ALVH_E_IO);
    assert_non_null(strstr(err.msg, "not an HDF5 file"));

    in_dir(path, sizeof path, "reader.h5");
    alvh_h5_writer *w = NULL;
    const double x[3] = {1, 2, 3};
    assert_int_equal(alvh_h5_open(path, &w, &err), ALVH_OK);
    assert_int_equal(alvh_h5_write_table(w, "/g", "x", 1, 3, x, cols3, units3, 0, &err), ALVH_OK);
    assert_int_equal(alvh_h5_close(w, 1, &err), ALVH_OK);
    assert_int_equal(alvh_h5_reader_open(path, &r, &err), ALVH_OK);
    alvh_h5_array a;
    assert_int_equal(alvh_h5_read_f64(r, "/g/nope", &a, &err), ALVH_E_IO);
    assert_non_null(strstr(err.msg, "no object '/g/nope'"));
    assert_int_equal(alvh_h5_read_f64(r, "/nope/deeper", &a, &err), ALVH_E_IO);
    char *s;
    assert_int_equal(alvh_h5_read_attr_string(r, "/g/x", "nope", &s, &err), ALVH_E_IO);
    assert_non_null(strstr(err.msg, "no attribute 'nope'"));
    assert_int_equal(alvh_h5_read_attr_string(r, "/g/x", "columns", &s, &err), ALVH_E_IO); /* 3 strings */
    int64_t i64;
    assert_int_equal(alvh_h5_read_attr_i64(r, "/g/x", "units", &i64, &err), ALVH_E_IO);
    assert_non_null(strstr(err.msg, "not numeric"));
    assert_int_equal(alvh_h5_reader_exists(r, "/g/x"), 1);
    assert_int_equal(alvh_h5_reader_exists(r, "/a/b/c"), 0);
    alvh_h5_reader_close(r);
    alvh_h5_reader_close(NULL);
    assert_int_equal(capture_end(&c), 0);
}

/* ---- summary printer ------------------------------------------------------------------------ */

static char *print_to_string(const char *path, const char *scenario, alvh_summary_format fmt, alvh_status *st,
                             alvh_error *err)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    *st = alvh_h5_summary_print(f, path, scenario, fmt, err);
    fclose(f);
    return buf;
}

static void test_summary_print(void **state)
{
    (void)state;
    char path[128];
    in_dir(path, sizeof path, "summary.h5");
    alvh_error err = {0};
    alvh_h5_writer *w = NULL;
    const char *const rows[3] = {"mean", "stdev", "p_loss"};
    const char *const units[3] = {"USD", "USD", "1"};
    const char *const cols[2] = {"condor", "total"};
    const double s1[6] = {1234.5, -0.1, 1e6, NAN, 0.25, INFINITY};
    const double e1[2] = {0.5, 0.75};
    const char *const erows[1] = {"var_reduction"};
    const char *const eunits[1] = {"1"};
    assert_int_equal(alvh_h5_open(path, &w, &err), ALVH_OK);
    assert_int_equal(alvh_h5_write_summary(w, "base", "unhedged", 3, 2, s1, rows, cols, units, &err), ALVH_OK);
    assert_int_equal(alvh_h5_write_summary(w, "base", "with, \"comma\"", 3, 2, s1, rows, cols, units, &err),
                     ALVH_OK);
    assert_int_equal(alvh_h5_write_effectiveness(w, "base", "with, \"comma\"", "unhedged", 1, 2, e1, erows, cols,
                                                 eunits, &err),
                     ALVH_OK);
    assert_int_equal(alvh_h5_write_summary(w, "crash", "unhedged", 3, 2, s1, rows, cols, units, &err), ALVH_OK);
    /* any labelled table of a variant is shown (the engine adds e.g. risk); plain tables are not */
    const char *const rrows[2] = {"p_liquidation_perp", "max_drawdown_q99"};
    const char *const rcols[1] = {"value"};
    const char *const runits[2] = {"1", "USD"};
    const double r1[2] = {0.125, 5e5};
    assert_int_equal(alvh_h5_write_labelled(w, "/scenarios/crash/variants/unhedged", "risk", 2, 1, r1, rrows, rcols,
                                            runits, &err),
                     ALVH_OK);
    assert_int_equal(alvh_h5_write_table(w, "/scenarios/crash/variants/unhedged", "pnl", 2, 3, s1, cols3, units3, 1,
                                         &err),
                     ALVH_OK);
    assert_int_equal(alvh_h5_close(w, 1, &err), ALVH_OK);

    alvh_status st;
    char *out = print_to_string(path, NULL, ALVH_SUMMARY_TABLE, &st, &err);
    assert_int_equal(st, ALVH_OK);
    assert_non_null(strstr(out, "== scenario base, variant unhedged: summary"));
    /* one unit for all rows: printed once above the table, no unit column */
    assert_non_null(strstr(out, "effectiveness (vs baseline unhedged)\nunits: 1\nstatistic      condor  total\n"));
    assert_non_null(strstr(out, "\nstatistic  unit  ")); /* mixed units: a column */
    assert_non_null(strstr(out, " 1234.5 ")); /* 6 digits, trailing zeros dropped */
    assert_non_null(strstr(out, " -0.1\n"));
    assert_non_null(strstr(out, "1000000"));
    assert_non_null(strstr(out, "nan"));
    assert_non_null(strstr(out, "inf"));
    assert_non_null(strstr(out, "== scenario crash, variant unhedged: risk\n"));
    assert_null(strstr(out, ": pnl"));
    free(out);

    out = print_to_string(path, "crash", ALVH_SUMMARY_CSV, &st, &err);
    assert_int_equal(st, ALVH_OK);
    assert_true(strncmp(out, "scenario,variant,table,statistic,unit,column,value\n", 51) == 0);
    assert_non_null(strstr(out, "crash,unhedged,summary,mean,USD,condor,1234.5\n"));
    assert_non_null(strstr(out, "crash,unhedged,summary,p_loss,1,total,inf\n"));
    assert_non_null(strstr(out, "crash,unhedged,risk,max_drawdown_q99,USD,value,500000\n"));
    assert_null(strstr(out, ",pnl,"));
    assert_null(strstr(out, "base,"));
    free(out);

    out = print_to_string(path, "base", ALVH_SUMMARY_CSV, &st, &err);
    assert_non_null(strstr(out, "base,\"with, \"\"comma\"\"\",effectiveness,var_reduction,1,total,0.75\n"));
    free(out);

    out = print_to_string(path, NULL, ALVH_SUMMARY_JSON, &st, &err);
    assert_int_equal(st, ALVH_OK);
    assert_non_null(strstr(out, "\"name\": \"with, \\\"comma\\\"\""));
    assert_non_null(strstr(out, "[1234.5, -0.1]")); /* shortest round-trip text */
    assert_non_null(strstr(out, "[1000000, null]"));
    assert_null(strstr(out, "nan"));
    free(out);

    out = print_to_string(path, "nope", ALVH_SUMMARY_TABLE, &st, &err);
    assert_int_equal(st, ALVH_E_USAGE);
    assert_string_equal(out, ""); /* nothing printed on failure */
    assert_non_null(strstr(err.msg, "no scenario 'nope' (scenarios: base, crash)"));
    free(out);

    /* an HDF5 file that is not an alvh result */
    in_dir(path, sizeof path, "other.h5");
    assert_int_equal(alvh_h5_open(path, &w, &err), ALVH_OK);
    assert_int_equal(alvh_h5_close(w, 1, &err), ALVH_OK);
    out = print_to_string(path, NULL, ALVH_SUMMARY_JSON, &st, &err);
    assert_int_equal(st, ALVH_E_IO);
    assert_non_null(strstr(err.msg, "not an alvh result file"));
    free(out);

    alvh_summary_format fmt;
    assert_int_equal(alvh_summary_format_parse("csv", &fmt), 0);
    assert_int_equal(fmt, ALVH_SUMMARY_CSV);
    assert_int_equal(alvh_summary_format_parse("xml", &fmt), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),       cmocka_unit_test(test_chunk_rows),
        cmocka_unit_test(test_deflate_only_where_it_pays),
        cmocka_unit_test(test_tmp_then_rename),  cmocka_unit_test(test_missing_directory),
        cmocka_unit_test(test_unwritable_directory), cmocka_unit_test(test_write_failure),
        cmocka_unit_test(test_disk_full_during_write), cmocka_unit_test(test_disk_full_at_close),
        cmocka_unit_test(test_bad_names),        cmocka_unit_test(test_reader_errors),
        cmocka_unit_test(test_summary_print),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
