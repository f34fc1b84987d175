/* SPDX-License-Identifier: BSD-3-Clause */
#include "io/h5_diag.h"

#include <hdf5.h>
#include <stdio.h>
#include <string.h>

void alvh_h5_library_init(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    H5dont_atexit(); /* fails harmlessly if the library is already up */
    /* NULL function: no printing. The stack itself is still kept for alvh_h5_fail. */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

typedef struct {
    unsigned n;          /* entries seen */
    char func[64];       /* innermost function */
    char desc[256];      /* innermost description */
} stack_walk;

static herr_t walk_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    stack_walk *w = data;
    (void)n;
    /* walking downward, the last entry is the innermost: where it really failed */
    w->n++;
    snprintf(w->func, sizeof w->func, "%s", e->func_name ? e->func_name : "?");
    snprintf(w->desc, sizeof w->desc, "%s", e->desc ? e->desc : "");
    return 0;
}

/* The operating system's text inside "... error message = 'No space left on device', ..." */
static int errno_text(const char *desc, char *out, size_t n)
{
    static const char key[] = "error message = '";
    const char *p = strstr(desc, key);
    if (!p)
        return 0;
    p += sizeof key - 1;
    const char *q = strchr(p, '\'');
    size_t len = q ? (size_t)(q - p) : strlen(p);
    if (len == 0)
        return 0;
    snprintf(out, n, "%.*s", (int)len, p);
    return 1;
}

/* The description up to its first parameter list ("unable to open file: name = ..."). */
static void short_desc(const char *desc, char *out, size_t n)
{
    const char *p = strstr(desc, ": ");
    const char *eq = strstr(desc, " = ");
    size_t len = (p && eq && p < eq) ? (size_t)(p - desc) : strlen(desc);
    snprintf(out, n, "%.*s", (int)len, desc);
}

alvh_status alvh_h5_fail(alvh_error *err, const char *file, const char *action, const char *object)
{
    stack_walk w = {0};
    if (H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_cb, &w) < 0)
        w.n = 0;
    char cause[512], what[256];
    if (w.n == 0) {
        snprintf(cause, sizeof cause, "unknown HDF5 error");
    } else {
        short_desc(w.desc, what, sizeof what);
        char os[128];
        if (errno_text(w.desc, os, sizeof os))
            snprintf(cause, sizeof cause, "%s (%s: %s)", os, w.func, what);
        else
            snprintf(cause, sizeof cause, "%s (in %s)", what, w.func);
    }
    if (object)
        return alvh_error_set(err, ALVH_E_IO, "%s: cannot %s '%s': %s", file, action, object, cause);
    return alvh_error_set(err, ALVH_E_IO, "%s: cannot %s: %s", file, action, cause);
}
