/* SPDX-License-Identifier: BSD-3-Clause */
#include "io/run_identity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int comment_only(const char *line, size_t len)
{
    size_t i = 0;
    while (i < len && line[i] == ' ')
        i++;
    return i < len && line[i] == '#';
}

/* length of the line without a trailing "  # ..." comment outside quotes
 * (the emitter's notes, such as the v0 a vix0 gives, follow from the values) */
static size_t without_comment(const char *line, size_t len)
{
    int quoted = 0;
    for (size_t i = 0; i < len; i++) {
        if (quoted && line[i] == '\\')
            i++;
        else if (line[i] == '"')
            quoted = !quoted;
        else if (!quoted && line[i] == '#' && i >= 2 && line[i - 1] == ' ' && line[i - 2] == ' ')
            return i - 2;
    }
    return len;
}

char *alvh_identity_text(const char *resolved)
{
    size_t n = strlen(resolved);
    char *out = malloc(n + 1), *w = out;
    if (!out)
        return NULL;
    for (const char *p = resolved; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) + 1 : strlen(p);
        if (!comment_only(p, len)) {
            size_t keep = without_comment(p, e ? len - 1 : len);
            memcpy(w, p, keep);
            w += keep;
            if (e)
                *w++ = '\n';
        }
        p += len;
    }
    *w = '\0';
    return out;
}

/* the key path of the lines read so far: one entry per open mapping or item */
typedef struct {
    int indent[32];
    char name[32][80];
    int depth;
} key_path;

static void copy_trimmed(char *dst, size_t n, const char *s, size_t len)
{
    while (len && (s[len - 1] == '\n' || s[len - 1] == ' '))
        len--;
    while (len && (*s == ' ' || *s == '"'))
        s++, len--;
    while (len && s[len - 1] == '"')
        len--;
    snprintf(dst, n, "%.*s", (int)len, s);
}

/* Advances the path over one line; leaf gets the line's key, val its value
 * and parent the depth of the path that leads to the key. */
static void path_step(key_path *kp, const char *line, size_t len, char *leaf, size_t nleaf, char *val, size_t nval,
                      int *parent)
{
    int ind = 0;
    while ((size_t)ind < len && line[ind] == ' ')
        ind++;
    const char *s = line + ind;
    size_t rest = len - (size_t)ind;
    while (kp->depth > 0 && kp->indent[kp->depth - 1] >= ind)
        kp->depth--;
    if (rest >= 2 && s[0] == '-' && s[1] == ' ') { /* a sequence item: named by its name key if it has one */
        if (kp->depth < 32) {
            kp->indent[kp->depth] = ind;
            const char *nm = rest > 8 && strncmp(s + 2, "name: ", 6) == 0 ? s + 8 : NULL;
            char item[72] = "";
            if (nm)
                copy_trimmed(item, sizeof item, nm, rest - 8);
            snprintf(kp->name[kp->depth++], sizeof kp->name[0], "[%s]", item);
        }
        s += 2, rest -= 2, ind += 2;
    }
    const char *colon = memchr(s, ':', rest);
    size_t klen = colon ? (size_t)(colon - s) : rest;
    snprintf(leaf, nleaf, "%.*s", (int)klen, s);
    copy_trimmed(val, nval, colon ? colon + 1 : "", colon ? rest - klen - 1 : 0);
    *parent = kp->depth;
    if (colon && val[0] == '\0' && kp->depth < 32) { /* a mapping opens */
        kp->indent[kp->depth] = ind;
        snprintf(kp->name[kp->depth++], sizeof kp->name[0], "%s", leaf);
    }
}

static void path_format(const key_path *kp, int upto, const char *leaf, char *buf, size_t n)
{
    size_t w = 0;
    buf[0] = '\0';
    for (int i = 0; i < upto && w < n; i++)
        w += (size_t)snprintf(buf + w, n - w, "%s%s", i && kp->name[i][0] != '[' ? "." : "", kp->name[i]);
    if (w < n)
        snprintf(buf + w, n - w, "%s%s", w && leaf[0] ? "." : "", leaf);
}

int alvh_identity_difference(const char *was, const char *now, char *what, size_t n)
{
    key_path kp = {.depth = 0};
    const char *a = was, *b = now;
    while (*a || *b) {
        const char *ea = strchr(a, '\n'), *eb = strchr(b, '\n');
        size_t la = ea ? (size_t)(ea - a) + 1 : strlen(a), lb = eb ? (size_t)(eb - b) + 1 : strlen(b);
        char leaf[96], va[160], vb[160], leafb[96];
        int parent, parent_b;
        key_path before = kp;
        path_step(&kp, a, la, leaf, sizeof leaf, va, sizeof va, &parent);
        if (la != lb || memcmp(a, b, la) != 0) {
            path_step(&before, b, lb, leafb, sizeof leafb, vb, sizeof vb, &parent_b);
            char key[512];
            path_format(la ? &kp : &before, la ? parent : parent_b, la ? leaf : leafb, key, sizeof key);
            snprintf(what, n, "%s (interrupted: %s, now: %s)", key, la ? va : "(absent)", lb ? vb : "(absent)");
            return 1;
        }
        a += la, b += lb;
    }
    return 0;
}
