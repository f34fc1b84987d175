/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Result-file life cycle (temporary name, commit by rename), groups and
 * attributes. Every HDF5 call is checked; on failure the error stack is read
 * before anything else runs (the next API call would clear it), then handles
 * are closed.
 */
#define _GNU_SOURCE /* memfd_create */
#include "io/h5_writer.h"
#include "io/fault.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "io/h5_diag.h"
#include "io/h5_internal.h"
#include "io/h5_layout.h"

const char alvh_h5_default_units_note[] =
    "Money in USD; P&L is equity minus starting equity. Rates and variances are annualized (1/yr). "
    "SPX and VIX in index points. Time in model steps of dt years (252 steps per year by default); "
    "step 0 is after the opening trades. Every dataset's 'units' attribute gives the unit of each "
    "column (tables, sample paths) or of each row (labelled tables: rows are statistics).";

/* ---- shared helpers ------------------------------------------------------ */

alvh_status alvh_h5w_fail(alvh_h5_writer *w, alvh_error *err, const char *action, const char *object)
{
    w->failed = 1;
    return alvh_h5_fail(err, w->path, action, object);
}

alvh_status alvh_h5w_bad_arg(alvh_h5_writer *w, alvh_error *err, const char *object, const char *why)
{
    w->failed = 1;
    return alvh_error_set(err, ALVH_E_INTERNAL, "%s: cannot write '%s': %s", w->path, object ? object : "?",
                          why);
}

int alvh_h5_name_ok(const char *name)
{
    return name && *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

int alvh_h5_path_ok(const char *path)
{
    if (!path || path[0] != '/')
        return 0;
    if (path[1] == '\0')
        return 1;
    const char *p = path + 1;
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        if (!slash)
            return 1;
        p = slash + 1;
    }
}

char *alvh_h5_join(const char *group_path, const char *name)
{
    size_t g = strlen(group_path), n = strlen(name);
    int root = g == 1 && group_path[0] == '/';
    char *s = malloc(g + n + 2);
    if (s)
        snprintf(s, g + n + 2, "%s%s%s", root ? "" : group_path, "/", name);
    return s;
}

hid_t alvh_h5_vlen_string_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return H5I_INVALID_HID;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

/* ---- groups ---------------------------------------------------------------- */

hid_t alvh_h5w_group(alvh_h5_writer *w, const char *group_path, alvh_error *err)
{
    if (!alvh_h5_path_ok(group_path)) {
        alvh_h5w_bad_arg(w, err, group_path, "not an absolute HDF5 path");
        return H5I_INVALID_HID;
    }
    size_t len = strlen(group_path);
    char *prefix = malloc(len + 1);
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    hid_t g = H5I_INVALID_HID;
    if (!prefix || gcpl < 0) {
        if (gcpl < 0)
            alvh_h5w_fail(w, err, "create group", group_path);
        else
            alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory for '%s'", w->path, group_path);
        goto done;
    }
    /* readers list scenarios and variants in the order they were written;
     * attributes stay compact up to 64 (a scenario group has 17): H5Ocopy of
     * HDF5 1.10.8 crashes on variable-length string attributes in dense
     * storage (the default beyond 8), and alvh merge copies scenario groups */
    if (H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0 ||
        H5Pset_attr_phase_change(gcpl, 64, 48) < 0) {
        alvh_h5w_fail(w, err, "create group", group_path);
        goto done;
    }
    /* each prefix in turn: H5Lexists needs every parent to exist */
    for (size_t i = 1; i <= len; i++) {
        if (i < len && group_path[i] != '/')
            continue;
        memcpy(prefix, group_path, i);
        prefix[i] = '\0';
        htri_t ex = H5Lexists(w->file, prefix, H5P_DEFAULT);
        if (ex < 0) {
            alvh_h5w_fail(w, err, "look up group", prefix);
            goto done;
        }
        if (!ex) {
            hid_t c = H5Gcreate2(w->file, prefix, H5P_DEFAULT, gcpl, H5P_DEFAULT);
            if (c < 0) {
                alvh_h5w_fail(w, err, "create group", prefix);
                goto done;
            }
            H5Gclose(c);
        }
    }
    g = H5Gopen2(w->file, group_path, H5P_DEFAULT);
    if (g < 0)
        alvh_h5w_fail(w, err, "open group", group_path);
done:
    if (gcpl >= 0)
        H5Pclose(gcpl);
    free(prefix);
    return g;
}

alvh_status alvh_h5_ensure_group(alvh_h5_writer *w, const char *group_path, alvh_error *err)
{
    hid_t g = alvh_h5w_group(w, group_path, err);
    if (g < 0)
        return err ? err->code : ALVH_E_IO;
    H5Gclose(g);
    return ALVH_OK;
}

/* An existing object (group or dataset) at obj_path, or a new group. */
static hid_t open_object(alvh_h5_writer *w, const char *obj_path, alvh_error *err)
{
    if (!alvh_h5_path_ok(obj_path)) {
        alvh_h5w_bad_arg(w, err, obj_path, "not an absolute HDF5 path");
        return H5I_INVALID_HID;
    }
    if (strcmp(obj_path, "/") != 0) {
        /* only the last link may be missing: alvh_h5w_group checks the parents */
        const char *last = strrchr(obj_path, '/');
        size_t plen = last == obj_path ? 1 : (size_t)(last - obj_path);
        char *parent = malloc(plen + 1);
        if (!parent) {
            alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory for '%s'", w->path, obj_path);
            return H5I_INVALID_HID;
        }
        memcpy(parent, obj_path, plen);
        parent[plen] = '\0';
        hid_t pg = alvh_h5w_group(w, parent, err);
        free(parent);
        if (pg < 0)
            return H5I_INVALID_HID;
        htri_t ex = H5Lexists(pg, last + 1, H5P_DEFAULT);
        H5Gclose(pg);
        if (ex < 0) {
            alvh_h5w_fail(w, err, "look up", obj_path);
            return H5I_INVALID_HID;
        }
        if (!ex)
            return alvh_h5w_group(w, obj_path, err);
    }
    hid_t o = H5Oopen(w->file, obj_path, H5P_DEFAULT);
    if (o < 0)
        alvh_h5w_fail(w, err, "open object", obj_path);
    return o;
}

/* ---- attributes ------------------------------------------------------------ */

/* Create attribute name on obj (replacing an old one) with the given file
 * type and a scalar or 1-D dataspace of n elements, and write mem. */
static alvh_status put_attr(alvh_h5_writer *w, hid_t obj, const char *obj_path, const char *name,
                            hid_t file_type, hid_t mem_type, const void *mem, size_t n, int scalar,
                            alvh_error *err)
{
    char what[320];
    snprintf(what, sizeof what, "%s@%s", obj_path, name);
    if (!name || !*name)
        return alvh_h5w_bad_arg(w, err, what, "empty attribute name");
    htri_t ex = H5Aexists(obj, name);
    if (ex < 0)
        return alvh_h5w_fail(w, err, "look up attribute", what);
    if (ex > 0 && H5Adelete(obj, name) < 0)
        return alvh_h5w_fail(w, err, "replace attribute", what);
    hsize_t dim = n;
    hid_t space = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dim, NULL);
    if (space < 0)
        return alvh_h5w_fail(w, err, "write attribute", what);
    alvh_status st = ALVH_OK;
    hid_t a = H5Acreate2(obj, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (a < 0)
        st = alvh_h5w_fail(w, err, "create attribute", what);
    else if ((scalar || n > 0) && H5Awrite(a, mem_type, mem) < 0)
        st = alvh_h5w_fail(w, err, "write attribute", what);
    if (a >= 0 && H5Aclose(a) < 0 && st == ALVH_OK)
        st = alvh_h5w_fail(w, err, "close attribute", what);
    H5Sclose(space);
    return st;
}

#define FIXED_STRINGS_MAX_BYTES 16384 /* larger arrays stay variable-length (object headers hold 64 KiB) */

alvh_status alvh_h5w_attr_strings(alvh_h5_writer *w, hid_t obj, const char *obj_path, const char *name,
                                  const char *const *values, size_t n, int scalar, alvh_error *err)
{
    if (scalar)
        n = 1;
    /* NULL entries are written as "" (HDF5 would store a NULL pointer as a missing string) */
    const char **v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory for attribute %s", w->path, name);
    for (size_t i = 0; i < n; i++)
        v[i] = (values && values[i]) ? values[i] : "";
    /* Arrays of labels as fixed-length strings: they live in the object header,
     * which carries a checksum, while variable-length strings go to the global
     * heap, which has none (a flipped bit there would rename a row). */
    size_t width = 1;
    for (size_t i = 0; i < n; i++)
        width = strlen(v[i]) + 1 > width ? strlen(v[i]) + 1 : width;
    char *packed = !scalar && n && width * n <= FIXED_STRINGS_MAX_BYTES ? calloc(n, width) : NULL;
    for (size_t i = 0; packed && i < n; i++)
        memcpy(packed + i * width, v[i], strlen(v[i]));
    hid_t t = packed ? H5Tcopy(H5T_C_S1) : alvh_h5_vlen_string_type();
    alvh_status st;
    if (t < 0 || (packed && (H5Tset_size(t, width) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0 ||
                             H5Tset_cset(t, H5T_CSET_UTF8) < 0)))
        st = alvh_h5w_fail(w, err, "make the string type for", obj_path);
    else
        st = put_attr(w, obj, obj_path, name, t, t, packed ? (const void *)packed : (const void *)v, n, scalar, err);
    if (t >= 0)
        H5Tclose(t);
    free(packed);
    free(v);
    return st;
}

alvh_status alvh_h5w_attr_num(alvh_h5_writer *w, hid_t obj, const char *obj_path, const char *name,
                              hid_t file_type, hid_t mem_type, const void *values, size_t n, int scalar,
                              alvh_error *err)
{
    if (!values && (scalar || n))
        return alvh_h5w_bad_arg(w, err, obj_path, "NULL attribute values");
    return put_attr(w, obj, obj_path, name, file_type, mem_type, values, n, scalar, err);
}

/* open obj_path, run the attribute writer, close */
#define WITH_OBJECT(w, obj_path, err, call)                                                                  \
    do {                                                                                                     \
        if (!(w))                                                                                            \
            return alvh_error_set((err), ALVH_E_INTERNAL, "HDF5 attribute: NULL writer");                    \
        hid_t obj_ = open_object((w), (obj_path), (err));                                                    \
        if (obj_ < 0)                                                                                        \
            return (err) ? (err)->code : ALVH_E_IO;                                                          \
        alvh_status st_ = call;                                                                              \
        if (H5Oclose(obj_) < 0 && st_ == ALVH_OK)                                                            \
            st_ = alvh_h5w_fail((w), (err), "close object", (obj_path));                                     \
        return st_;                                                                                          \
    } while (0)

alvh_status alvh_h5_attr_string(alvh_h5_writer *w, const char *obj_path, const char *name,
                                const char *value, alvh_error *err)
{
    WITH_OBJECT(w, obj_path, err, alvh_h5w_attr_strings(w, obj_, obj_path, name, &value, 1, 1, err));
}

alvh_status alvh_h5_attr_strings(alvh_h5_writer *w, const char *obj_path, const char *name,
                                 const char *const *values, size_t n, alvh_error *err)
{
    WITH_OBJECT(w, obj_path, err, alvh_h5w_attr_strings(w, obj_, obj_path, name, values, n, 0, err));
}

alvh_status alvh_h5_attr_int(alvh_h5_writer *w, const char *obj_path, const char *name, int64_t value,
                             alvh_error *err)
{
    WITH_OBJECT(w, obj_path, err,
                alvh_h5w_attr_num(w, obj_, obj_path, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value, 1, 1, err));
}

alvh_status alvh_h5_attr_u64(alvh_h5_writer *w, const char *obj_path, const char *name, uint64_t value,
                             alvh_error *err)
{
    WITH_OBJECT(w, obj_path, err,
                alvh_h5w_attr_num(w, obj_, obj_path, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value, 1, 1, err));
}

alvh_status alvh_h5_attr_double(alvh_h5_writer *w, const char *obj_path, const char *name, double value,
                                alvh_error *err)
{
    WITH_OBJECT(w, obj_path, err,
                alvh_h5w_attr_num(w, obj_, obj_path, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, 1, 1, err));
}

alvh_status alvh_h5_attr_doubles(alvh_h5_writer *w, const char *obj_path, const char *name,
                                 const double *values, size_t n, alvh_error *err)
{
    WITH_OBJECT(w, obj_path, err,
                alvh_h5w_attr_num(w, obj_, obj_path, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values, n, 0, err));
}

/* ---- run information --------------------------------------------------------- */

void alvh_h5_iso8601_utc(time_t t, char *buf, size_t n)
{
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, n, "unknown");
}

alvh_status alvh_h5_write_run_info(alvh_h5_writer *w, const alvh_h5_run_info *info, alvh_error *err)
{
    if (!w || !info)
        return alvh_error_set(err, ALVH_E_INTERNAL, "HDF5 run info: NULL argument");
    char start[32], end[32];
    alvh_h5_iso8601_utc(info->start_utc, start, sizeof start);
    alvh_h5_iso8601_utc(info->end_utc, end, sizeof end);
    const struct {
        const char *name, *value;
    } strs[] = {
        {"config", info->config_text},
        {"engine_version", info->engine_version},
        {"git_describe", info->git_describe},
        {"isa", info->isa},
        {"start_time_utc", start},
        {"end_time_utc", end},
        {"units", info->units_note ? info->units_note : alvh_h5_default_units_note},
    };
    alvh_status st;
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if ((st = alvh_h5_attr_string(w, "/", strs[i].name, strs[i].value, err)) != ALVH_OK)
            return st;
    if ((st = alvh_h5_attr_u64(w, "/", "seed", info->seed, err)) != ALVH_OK ||
        (st = alvh_h5_attr_int(w, "/", "threads", info->threads, err)) != ALVH_OK ||
        (st = alvh_h5_attr_int(w, "/", "ranks", info->ranks, err)) != ALVH_OK)
        return st;
    return ALVH_OK;
}

/* ---- open / close -------------------------------------------------------------- */

const char *alvh_h5_writer_path(const alvh_h5_writer *w) { return w ? w->path : NULL; }
const char *alvh_h5_writer_tmp_path(const alvh_h5_writer *w) { return w ? w->tmp_path : NULL; }

static void writer_free(alvh_h5_writer *w)
{
    free(w->path);
    free(w->tmp_path);
    free(w);
}

alvh_status alvh_h5_open(const char *path, alvh_h5_writer **out, alvh_error *err)
{
    if (!out)
        return alvh_error_set(err, ALVH_E_INTERNAL, "alvh_h5_open: NULL handle pointer");
    *out = NULL;
    if (!path || !*path)
        return alvh_error_set(err, ALVH_E_USAGE, "HDF5 output: empty file name");
    alvh_h5_library_init();

    alvh_h5_writer *w = calloc(1, sizeof *w);
    size_t n = strlen(path) + 32;
    if (w) {
        w->file = H5I_INVALID_HID;
        w->path = strdup(path);
        w->tmp_path = malloc(n);
    }
    if (!w || !w->path || !w->tmp_path) {
        if (w)
            writer_free(w);
        return alvh_error_set(err, ALVH_E_NOMEM, "%s: out of memory", path);
    }
    snprintf(w->tmp_path, n, "%s.tmp-%ld", path, (long)getpid());

    alvh_status st = ALVH_OK;
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fcpl < 0 || fapl < 0 ||
        H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0 ||
        /* strong: H5Fclose really closes (and flushes) the file before the rename */
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0 ||
        /* the 1.8+ file format: superblock v2 and object headers v2 carry checksums of the metadata */
        H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST) < 0) {
        st = alvh_h5w_fail(w, err, "set up file properties for", w->tmp_path);
    } else {
        w->file = H5Fcreate(w->tmp_path, H5F_ACC_TRUNC, fcpl, fapl);
        if (w->file < 0)
            st = alvh_h5w_fail(w, err, "create the temporary file", w->tmp_path);
    }
    if (fcpl >= 0)
        H5Pclose(fcpl);
    if (fapl >= 0)
        H5Pclose(fapl);
    if (st == ALVH_OK) {
        unsigned maj = 0, min = 0, rel = 0;
        char h5ver[32];
        H5get_libversion(&maj, &min, &rel);
        snprintf(h5ver, sizeof h5ver, "%u.%u.%u", maj, min, rel);
        if ((st = alvh_h5_attr_string(w, "/", "alvh_format", ALVH_H5_FORMAT_NAME, err)) == ALVH_OK &&
            (st = alvh_h5_attr_int(w, "/", "alvh_layout_version", ALVH_H5_LAYOUT_VERSION, err)) == ALVH_OK)
            st = alvh_h5_attr_string(w, "/", "hdf5_version", h5ver, err);
    }
    if (st != ALVH_OK) {
        alvh_error keep = err ? *err : (alvh_error){0};
        alvh_h5_close(w, 0, NULL);
        if (err)
            *err = keep;
        return st;
    }
    *out = w;
    return ALVH_OK;
}

/* Push the data to stable storage before the rename makes it visible, so a
 * crash never leaves a complete-looking name over an empty file. */
static int sync_file(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    int e = errno;
    close(fd);
    errno = e;
    return rc;
}

static void sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd); /* best effort: the rename itself already succeeded */
        close(fd);
    }
    free(dir);
}

/* HDF5 1.10 cannot survive a failed H5Fclose (see alvh_h5_library_init), and
 * closing a file whose writes failed would fail again in the final flush (a
 * full disk is still full). A file that will be deleted anyway is therefore
 * closed with its descriptor pointed at an anonymous in-memory file, where
 * the final flush succeeds; this also releases the disk space of the
 * temporary file at the unlink. Only for HDF5's default POSIX (sec2) driver,
 * whose handle is the descriptor. */
static void divert_to_memory(hid_t file)
{
    hid_t fapl = H5Fget_access_plist(file);
    if (fapl < 0)
        return;
    void *handle = NULL;
    if (H5Pget_driver(fapl) == H5FD_SEC2 && H5Fget_vfd_handle(file, fapl, &handle) >= 0 && handle) {
        int mem = memfd_create("alvh-discarded-h5", MFD_CLOEXEC);
        if (mem >= 0) {
            (void)dup2(mem, *(int *)handle);
            close(mem);
        }
    }
    H5Pclose(fapl);
}

alvh_status alvh_h5_close(alvh_h5_writer *w, int commit, alvh_error *err)
{
    if (!w)
        return ALVH_OK;
    alvh_status st = ALVH_OK;
    if (commit && w->failed)
        st = alvh_error_set(err, ALVH_E_IO, "%s: not written: an earlier write to this file failed", w->path);
    int keep = commit && st == ALVH_OK;
    if (w->file >= 0) {
        if (!keep)
            divert_to_memory(w->file);
        /* No separate H5Fflush: after a failed flush HDF5 1.10's cache state
         * makes the close fail too. H5Fclose flushes (a full disk shows up
         * here); if it fails, the id must not be touched again. */
        if (H5Fclose(w->file) < 0 && keep)
            st = alvh_h5w_fail(w, err, "finish writing", w->tmp_path);
        w->file = H5I_INVALID_HID;
    }
    if (st == ALVH_OK && keep) {
        alvh_fault_point("h5 file: closed, not synced");
        if (sync_file(w->tmp_path) != 0)
            st = alvh_error_set(err, ALVH_E_IO, "%s: cannot sync '%s' to disk: %s", w->path, w->tmp_path,
                                strerror(errno));
        else
            alvh_fault_point("h5 file: synced, not renamed");
        if (st == ALVH_OK && rename(w->tmp_path, w->path) != 0)
            st = alvh_error_set(err, ALVH_E_IO, "%s: cannot rename '%s' to the final name: %s", w->path,
                                w->tmp_path, strerror(errno));
        else if (st == ALVH_OK)
            sync_parent_dir(w->path);
    }
    if (!keep || st != ALVH_OK)
        (void)unlink(w->tmp_path); /* may not exist if the create failed */
    writer_free(w);
    return st;
}
