/* libFuzzer target with coverage feedback for alvh's own reading of result
 * files (io/h5_reader.c, io/h5_summary.c). fuzz_h5_reader mutates the bytes of
 * a file, which mostly exercises HDF5 itself and must read in a child process
 * (no coverage reaches libFuzzer). Here the input bytes are a recipe: HDF5
 * writes a well-formed file from it (so HDF5 has nothing corrupt to trip on),
 * with whatever structure the recipe says (format tag, layout version, run
 * attributes, scenario and variant names, tables of any type, rank and
 * declared size, label lists of any length and type), and `alvh summary`
 * reads it in this process. Every refusal must come with a message; no
 * input may crash, leak or allocate beyond the reader's budget. */
#define _GNU_SOURCE
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/h5_layout.h"
#include "io/h5_summary.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

typedef struct {
    const uint8_t *p;
    size_t n;
} recipe;

static unsigned take(recipe *r) /* next byte, 0 once the recipe is used up */
{
    if (!r->n)
        return 0;
    r->n--;
    return *r->p++;
}

static uint64_t take_u64(recipe *r, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v = v << 8 | take(r);
    return v;
}

/* a name: one of the layout's (most of the time) or up to 12 recipe bytes */
static void take_name(recipe *r, char *buf, size_t n, const char *const *known, int n_known)
{
    unsigned k = take(r);
    if ((int)(k % 8) < 6 && n_known > 0) {
        snprintf(buf, n, "%s", known[(k / 8) % (unsigned)n_known]);
        return;
    }
    size_t len = 1 + take(r) % 12, w = 0;
    for (size_t i = 0; i < len && w + 1 < n; i++) {
        char c = (char)take(r);
        buf[w++] = c == '/' || c == '\0' || c == '.' ? 'x' : c; /* HDF5 path syntax, not content */
    }
    buf[w] = '\0';
}

static hid_t string_type(recipe *r)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (take(r) % 2)
        H5Tset_size(t, H5T_VARIABLE);
    else
        H5Tset_size(t, 1 + take(r) % 24);
    return t;
}

/* attribute `name` on obj: a string, a string list, an integer or doubles, as the recipe says */
static void put_attr(recipe *r, hid_t obj, const char *name)
{
    static const char *const words[] = {"mean", "es99", "condor", "total", "USD", "", "calm"};
    unsigned kind = take(r) % 5;
    hsize_t count = kind == 1 ? take(r) % 16 : 1;
    hid_t space = kind == 1 ? H5Screate_simple(1, &count, NULL) : H5Screate(H5S_SCALAR);
    hid_t type = kind <= 1 ? string_type(r) : kind == 2 ? H5Tcopy(H5T_NATIVE_INT64) : H5Tcopy(H5T_NATIVE_DOUBLE);
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) {
        if (kind <= 1) {
            const char *v[16];
            char fixed[16 * 24];
            size_t width = H5Tis_variable_str(type) > 0 ? 0 : H5Tget_size(type);
            for (hsize_t i = 0; i < count; i++) {
                v[i] = words[take(r) % 7];
                if (width)
                    strncpy(fixed + i * width, v[i], width);
            }
            H5Awrite(a, type, width ? (const void *)fixed : (const void *)v);
        } else if (kind == 2) {
            int64_t v = (int64_t)take_u64(r, take(r) % 2 ? 1 : 8);
            H5Awrite(a, type, &v);
        } else {
            double v = (double)(int8_t)take(r);
            H5Awrite(a, type, &v);
        }
        H5Aclose(a);
    }
    H5Tclose(type);
    H5Sclose(space);
}

/* a table: rank 0..3, small written dims or a huge declared (chunked, unwritten) shape */
static void put_table(recipe *r, hid_t g, const char *name)
{
    int rank = (int)(take(r) % 4);
    hsize_t dims[3] = {1, 1, 1}, chunk[3] = {1, 1, 1};
    int huge = take(r) % 8 == 0;
    hsize_t total = 1;
    for (int i = 0; i < rank; i++) {
        dims[i] = huge ? (hsize_t)1 << (take(r) % 62) : take(r) % 7;
        total *= dims[i] ? dims[i] : 1;
    }
    hid_t space = rank ? H5Screate_simple(rank, dims, NULL) : H5Screate(H5S_SCALAR);
    hid_t type = take(r) % 4 == 0 ? H5Tcopy(H5T_NATIVE_INT32) : H5Tcopy(H5T_NATIVE_DOUBLE);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (huge && rank)
        H5Pset_chunk(dcpl, rank, chunk);
    hid_t d = H5Dcreate2(g, name, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (d >= 0) {
        if (!huge && total <= 343) {
            double v[343];
            for (hsize_t i = 0; i < total; i++)
                v[i] = (double)(int8_t)take(r) * (take(r) % 2 ? 1e300 : 0.5);
            H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
        }
        static const char *const attrs[] = {"rows", "columns", "units", "baseline"};
        for (unsigned k = take(r) % 6; k > 0; k--)
            put_attr(r, d, attrs[take(r) % 4]);
        H5Dclose(d);
    }
    H5Pclose(dcpl);
    H5Tclose(type);
    H5Sclose(space);
}

static void put_variants(recipe *r, hid_t scen)
{
    static const char *const vnames[] = {"full", "core_unhedged", "condor_only"};
    static const char *const tables[] = {ALVH_H5_SUMMARY, ALVH_H5_EFFECTIVENESS, "attribution", ALVH_H5_PNL};
    hid_t vg = H5Gcreate2(scen, ALVH_H5_VARIANTS, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (vg < 0)
        return;
    for (unsigned v = take(r) % 4; v > 0; v--) {
        char name[32];
        take_name(r, name, sizeof name, vnames, 3);
        hid_t g = H5Gcreate2(vg, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (g < 0)
            continue;
        for (unsigned t = take(r) % 5; t > 0; t--) {
            char tname[32];
            take_name(r, tname, sizeof tname, tables, 4);
            if (take(r) % 8 == 0) /* a group where a table is expected */
                H5Gclose(H5Gcreate2(g, tname, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
            else
                put_table(r, g, tname);
        }
        H5Gclose(g);
    }
    H5Gclose(vg);
}

static void put_file(recipe *r, hid_t f)
{
    static const char *const root_attrs[] = {"alvh_format", "alvh_layout_version", "seed", "threads",
                                             "engine_version", "isa", "start_time_utc"};
    hid_t root = H5Gopen2(f, "/", H5P_DEFAULT);
    if (take(r) % 8) { /* most files carry the right tag and a readable version */
        hid_t t = H5Tcopy(H5T_C_S1), s = H5Screate(H5S_SCALAR);
        H5Tset_size(t, sizeof ALVH_H5_FORMAT_NAME);
        hid_t a = H5Acreate2(root, "alvh_format", t, s, H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(a, t, ALVH_H5_FORMAT_NAME);
        H5Aclose(a);
        H5Tclose(t);
        int64_t version = take(r) % 8 ? ALVH_H5_LAYOUT_VERSION : (int64_t)take_u64(r, 2) - 2;
        a = H5Acreate2(root, "alvh_layout_version", H5T_NATIVE_INT64, s, H5P_DEFAULT, H5P_DEFAULT);
        H5Awrite(a, H5T_NATIVE_INT64, &version);
        H5Aclose(a);
        H5Sclose(s);
    }
    for (unsigned k = take(r) % 4; k > 0; k--) {
        const char *name = root_attrs[take(r) % 7];
        if (H5Aexists(root, name) <= 0)
            put_attr(r, root, name);
    }
    if (take(r) % 8) {
        static const char *const snames[] = {"calm", "black_monday_1987", "protocol_exploit"};
        hid_t sg = H5Gcreate2(f, ALVH_H5_SCENARIOS, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        for (unsigned k = take(r) % 4; sg >= 0 && k > 0; k--) {
            char name[32];
            take_name(r, name, sizeof name, snames, 3);
            hid_t g = H5Gcreate2(sg, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
            if (g >= 0) {
                put_variants(r, g);
                H5Gclose(g);
            }
        }
        if (sg >= 0)
            H5Gclose(sg);
    }
    H5Gclose(root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* the recipe makes HDF5 refuse some calls: not findings */
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/alvh-fuzz-h5c-%ld.h5", (long)getpid());
    hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (f < 0)
        return 0;
    recipe r = {data, size};
    alvh_summary_format fmt = (alvh_summary_format)(take(&r) % 3);
    put_file(&r, f);
    H5Fclose(f);
    /* ALVH_FUZZ_ECHO set: what the reader prints and says, to check what a seed reaches */
    int echo = getenv("ALVH_FUZZ_ECHO") != NULL;
    FILE *sink = echo ? stdout : fopen("/dev/null", "w");
    alvh_error err = {0};
    alvh_status st = alvh_h5_summary_print(sink ? sink : stdout, path, take(&r) % 4 ? NULL : "calm", fmt, &err);
    if (st != ALVH_OK && !err.msg[0])
        abort(); /* a refusal without a message */
    if (echo && st != ALVH_OK)
        printf("refused: %s\n", err.msg);
    if (sink && sink != stdout)
        fclose(sink);
    unlink(path);
    return 0;
}
