#define _GNU_SOURCE
#include "io/batch.h"
#include "io/run_identity.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/atomic_file.h"
#include "io/checkpoint.h"
#include "io/fault.h"
#include "io/file_check.h"
#include "io/result_file.h"

#define STATE_MAGIC "alvh-run-state 2"

static void paths_init(alvh_batch *b, const char *out)
{
    snprintf(b->out, sizeof b->out, "%s", out);
    snprintf(b->parts, sizeof b->parts, "%s.parts", out);
    snprintf(b->state, sizeof b->state, "%s/run.state", b->parts);
    snprintf(b->lock, sizeof b->lock, "%s/lock", b->parts);
    snprintf(b->ckpt, sizeof b->ckpt, "%s/current.ckpt", b->parts);
    snprintf(b->prev_ckpt, sizeof b->prev_ckpt, "%s/previous.ckpt", b->parts);
    snprintf(b->config, sizeof b->config, "%s/run.config", b->parts);
}

void alvh_batch_part_path(const alvh_batch *b, size_t k, char *buf, size_t n)
{
    snprintf(buf, n, "%s/scenario-%04zu.h5", b->parts, k);
}

/* ---- run.state ---- */

static alvh_status write_state(const alvh_batch *b, alvh_error *err)
{
    size_t cap = 256 + 48 * b->n_done, len;
    char *text = malloc(cap);
    if (!text)
        return alvh_error_set(err, ALVH_E_NOMEM, "out of memory writing %s", b->state);
    len = (size_t)snprintf(text, cap,
                           STATE_MAGIC "\nconfig_hash %016" PRIx64 "\nbinary_hash %016" PRIx64 "\nseed %" PRIu64
                                       "\nscenarios %" PRIu64 "\n",
                           b->id.config_hash, b->id.binary_hash, b->id.seed, b->id.n_scenarios);
    for (size_t i = 0; i < b->n_done; i++)
        len += (size_t)snprintf(text + len, cap - len, "done %" PRIu32 " %016" PRIx64 "\n", b->done_scenario[i],
                                b->done_hash[i]);
    alvh_status st = alvh_atomic_write(b->state, text, len, err);
    free(text);
    return st;
}

/* 0 on success; -1 when absent, -2 when unreadable as a state file */
static int read_state(alvh_batch *b, alvh_run_identity *id)
{
    FILE *f = fopen(b->state, "r");
    if (!f)
        return -1;
    char line[128];
    int ok = fgets(line, sizeof line, f) && strcmp(line, STATE_MAGIC "\n") == 0 &&
             fscanf(f, "config_hash %" SCNx64 " binary_hash %" SCNx64 " seed %" SCNu64 " scenarios %" SCNu64 " ",
                    &id->config_hash, &id->binary_hash, &id->seed, &id->n_scenarios) == 4;
    b->n_done = 0;
    uint32_t k;
    uint64_t h;
    while (ok && b->n_done < ALVH_BATCH_MAX_DONE && fscanf(f, "done %" SCNu32 " %" SCNx64 " ", &k, &h) == 2) {
        b->done_scenario[b->n_done] = k;
        b->done_hash[b->n_done++] = h;
    }
    ok = ok && feof(f);
    fclose(f);
    return ok ? 0 : -2;
}

/* The first setting in which run.config differs from this run's identity
 * text: 1 and what filled in; 0 when run.config is unreadable (older batch
 * directories) or equal (the scenario selection differs). */
static int setting_differs(const alvh_batch *b, char *what, size_t n)
{
    if (!b->identity_text)
        return 0;
    FILE *f = fopen(b->config, "rb");
    if (!f)
        return 0;
    size_t cap = strlen(b->identity_text) + (1u << 16), len = 0;
    char *was = malloc(cap + 1);
    if (was)
        len = fread(was, 1, cap, f);
    fclose(f);
    if (!was)
        return 0;
    was[len] = '\0';
    int differs = alvh_identity_difference(was, b->identity_text, what, n);
    free(was);
    return differs;
}

/* The first item of the identity that differs, named with both values. */
static alvh_status compare_identity(const alvh_batch *b, const alvh_run_identity *was, alvh_error *err)
{
    const alvh_run_identity *now = &b->id;
    const char *tail = "; rerun without --resume to start over";
    if (was->seed != now->seed)
        return alvh_error_set(err, ALVH_E_USAGE, "--resume refused: the seed differs from the interrupted run's "
                              "(interrupted: %" PRIu64 ", now: %" PRIu64 ")%s", was->seed, now->seed, tail);
    if (was->n_scenarios != now->n_scenarios)
        return alvh_error_set(err, ALVH_E_USAGE, "--resume refused: the number of scenarios differs (interrupted: %"
                              PRIu64 ", now: %" PRIu64 ")%s", was->n_scenarios, now->n_scenarios, tail);
    if (was->binary_hash != now->binary_hash)
        return alvh_error_set(err, ALVH_E_USAGE, "--resume refused: the alvh binary changed since the interrupted "
                              "run (interrupted: %016" PRIx64 ", now: %016" PRIx64 ")%s", was->binary_hash,
                              now->binary_hash, tail);
    if (was->config_hash != now->config_hash) {
        char what[1024];
        if (setting_differs(b, what, sizeof what))
            return alvh_error_set(err, ALVH_E_USAGE, "--resume refused: the configuration differs from the interrupted "
                                  "run's: %s%s", what, tail);
        return alvh_error_set(err, ALVH_E_USAGE, "--resume refused: the configuration (or --paths/--seed/"
                              "--summaries/--scenario) differs from the interrupted run's (config hash interrupted: "
                              "%016" PRIx64 ", now: %016" PRIx64 ")%s", was->config_hash, now->config_hash, tail);
    }
    return ALVH_OK;
}

/* ---- the directory ---- */

static int has_part_files(const alvh_batch *b)
{
    DIR *d = opendir(b->parts);
    if (!d)
        return 0;
    struct dirent *e;
    int any = 0;
    while ((e = readdir(d)))
        any |= strncmp(e->d_name, "scenario-", 9) == 0 || strstr(e->d_name, ".ckpt") != NULL;
    closedir(d);
    return any;
}

/* keep, keep2: names not to remove (or NULL); tmp_only: only temporary files */
static void clear_dir(const alvh_batch *b, const char *keep, const char *keep2, int tmp_only)
{
    DIR *d = opendir(b->parts);
    if (!d)
        return;
    struct dirent *e;
    char p[8600];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || (keep && !strcmp(e->d_name, keep)) ||
            (keep2 && !strcmp(e->d_name, keep2)))
            continue;
        if (tmp_only && !strstr(e->d_name, ".tmp"))
            continue;
        snprintf(p, sizeof p, "%s/%s", b->parts, e->d_name);
        unlink(p);
    }
    closedir(d);
}

/* "<out>.tmp-PID" files of writers that no longer run (a kill during the final copy). */
static void clean_stale_outputs(const alvh_batch *b)
{
    const char *slash = strrchr(b->out, '/');
    const char *base = slash ? slash + 1 : b->out;
    char dir[4096] = ".";
    if (slash)
        snprintf(dir, sizeof dir, "%.*s", slash == b->out ? 1 : (int)(slash - b->out), b->out);
    DIR *d = opendir(dir);
    if (!d)
        return;
    size_t bl = strlen(base);
    struct dirent *e;
    char p[8600];
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, base, bl) != 0 || strncmp(e->d_name + bl, ".tmp-", 5) != 0)
            continue;
        char *end;
        long pid = strtol(e->d_name + bl + 5, &end, 10);
        if (*end || pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno == ESRCH)) {
            snprintf(p, sizeof p, "%s%s%s", slash ? dir : "", slash ? "/" : "", e->d_name);
            if (unlink(p) == 0)
                fprintf(stderr, "alvh run: removed %s, left by a run that was killed\n", p);
        }
    }
    closedir(d);
}

static alvh_status take_lock(alvh_batch *b, alvh_error *err)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        int fd = open(b->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0)
            return alvh_error_set(err, ALVH_E_IO, "cannot create %s: %s", b->lock, strerror(errno));
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            char pid[32] = "unknown";
            ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
            if (n > 0) {
                pid[n] = '\0';
                pid[strcspn(pid, "\n")] = '\0';
            }
            close(fd);
            return alvh_error_set(err, ALVH_E_USAGE, "%s is in use by another alvh run (PID %s); wait for it to "
                                  "finish or stop it, or write to another -o", b->parts, pid);
        }
        /* the holder before us may have removed the directory: lock the file that is there now */
        struct stat a, c;
        if (fstat(fd, &a) == 0 && stat(b->lock, &c) == 0 && a.st_ino == c.st_ino && a.st_dev == c.st_dev) {
            char pid[32];
            int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
            if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n) {
                close(fd);
                return alvh_error_set(err, ALVH_E_IO, "cannot write %s: %s", b->lock, strerror(errno));
            }
            b->lock_fd = fd;
            return ALVH_OK;
        }
        close(fd);
        if (mkdir(b->parts, 0777) != 0 && errno != EEXIST)
            return alvh_error_set(err, ALVH_E_IO, "cannot create %s: %s", b->parts, strerror(errno));
    }
    return alvh_error_set(err, ALVH_E_IO, "cannot lock %s: it keeps being removed", b->lock);
}

/* A fresh start: run.config before run.state, so a state always has its config. */
static alvh_status open_fresh(alvh_batch *b, alvh_error *err)
{
    b->resumed = 0;
    alvh_status st = ALVH_OK;
    if (b->identity_text)
        st = alvh_atomic_write(b->config, b->identity_text, strlen(b->identity_text), err);
    return st ? st : write_state(b, err);
}

static void say_fresh(const alvh_batch *b)
{
    fprintf(stderr, "alvh run: --resume: nothing to resume at %s (no interrupted run): starting a fresh run\n",
            b->parts);
}

static alvh_status open_resume(alvh_batch *b, alvh_error *err)
{
    alvh_run_identity was;
    int rs = read_state(b, &was);
    if (rs == -1 && !has_part_files(b)) {
        say_fresh(b);
        return open_fresh(b, err);
    }
    b->resumed = 1;
    if (rs != 0)
        return alvh_error_set(err, ALVH_E_USAGE, "--resume: %s is %s, so the parts in %s cannot be verified as this "
                              "run's; rerun without --resume to start over", b->state, rs == -1 ? "missing" :
                              "damaged", b->parts);
    return compare_identity(b, &was, err);
}

alvh_status alvh_batch_open(alvh_batch *b, const char *out, const alvh_run_identity *id,
                            const char *identity_text, int resume, alvh_error *err)
{
    memset(b, 0, sizeof *b);
    b->lock_fd = -1;
    b->id = *id;
    b->identity_text = identity_text;
    paths_init(b, out);
    alvh_status st = alvh_check_output_path(b->out, "output (-o)", err);
    if (st)
        return st;
    struct stat sb;
    int exists = stat(b->parts, &sb) == 0;
    if (exists && !S_ISDIR(sb.st_mode))
        return alvh_error_set(err, ALVH_E_USAGE, "%s: is a %s, not the batch directory of %s; remove it or choose "
                              "another -o", b->parts, alvh_file_kind(sb.st_mode), b->out);
    if (resume && !exists) {
        say_fresh(b);
        resume = 0;
    }
    if (!exists && mkdir(b->parts, 0777) != 0 && errno != EEXIST)
        return alvh_error_set(err, ALVH_E_IO, "cannot create %s: %s", b->parts, strerror(errno));
    if ((st = take_lock(b, err)) != ALVH_OK)
        return st;
    clear_dir(b, "lock", NULL, resume); /* resume: stale temporaries only; else everything */
    clean_stale_outputs(b);
    st = resume ? open_resume(b, err) : open_fresh(b, err);
    if (st) {
        close(b->lock_fd);
        b->lock_fd = -1;
    }
    return st;
}

static ptrdiff_t find_done(const alvh_batch *b, size_t k)
{
    for (size_t i = 0; i < b->n_done; i++)
        if (b->done_scenario[i] == k)
            return (ptrdiff_t)i;
    return -1;
}

int alvh_batch_scenario_done(alvh_batch *b, size_t k)
{
    char part[8600];
    alvh_batch_part_path(b, k, part, sizeof part);
    ptrdiff_t i = find_done(b, k);
    uint64_t h = 0;
    if (i >= 0 && alvh_hash_file(part, &h, NULL) == ALVH_OK && h == b->done_hash[i])
        return 1;
    if (i >= 0) {
        fprintf(stderr, "alvh run: %s is missing or does not match its checksum in run.state (changed or "
                        "corrupt): scenario %zu is computed again\n", part, k);
        b->done_scenario[i] = b->done_scenario[b->n_done - 1];
        b->done_hash[i] = b->done_hash[--b->n_done];
    }
    unlink(part); /* unrecorded (killed before run.state was updated) or bad */
    return 0;
}

alvh_status alvh_batch_mark_done(alvh_batch *b, size_t k, alvh_error *err)
{
    char part[8600];
    alvh_batch_part_path(b, k, part, sizeof part);
    if (b->n_done == ALVH_BATCH_MAX_DONE)
        return alvh_error_set(err, ALVH_E_INTERNAL, "more than %d scenarios in one batch", ALVH_BATCH_MAX_DONE);
    uint64_t h;
    alvh_status st = alvh_hash_file(part, &h, err);
    if (st)
        return st;
    b->done_scenario[b->n_done] = (uint32_t)k;
    b->done_hash[b->n_done++] = h;
    return write_state(b, err);
}

alvh_status alvh_batch_verify_part(const alvh_batch *b, size_t k, alvh_error *err)
{
    char part[8600];
    alvh_batch_part_path(b, k, part, sizeof part);
    ptrdiff_t i = find_done(b, k);
    uint64_t h;
    alvh_status st = alvh_hash_file(part, &h, err);
    if (st == ALVH_OK && (i < 0 || h != b->done_hash[i]))
        st = alvh_error_set(err, ALVH_E_IO, "%s changed since it was written (checksum %016" PRIx64 ", recorded %016"
                            PRIx64 "): run again with --resume to compute that scenario again", part, h,
                            i < 0 ? 0 : b->done_hash[i]);
    return st;
}

void alvh_batch_drop_checkpoints(const alvh_batch *b)
{
    unlink(b->ckpt);
    unlink(b->prev_ckpt);
}

void alvh_batch_close(alvh_batch *b, int remove_all)
{
    if (b->lock_fd < 0)
        return;
    if (remove_all) {
        /* the state last among the files, so an interrupted removal still resumes */
        clear_dir(b, "lock", "run.state", 0);
        unlink(b->state);
        unlink(b->lock);
        rmdir(b->parts);
    }
    close(b->lock_fd);
    b->lock_fd = -1;
}

alvh_status alvh_batch_assemble(alvh_batch *b, const char *out, const alvh_h5_run_info *info, const alvh_config *cfg,
                                const size_t *sel, size_t n_sel, alvh_error *err)
{
    alvh_h5_writer *w = NULL;
    alvh_status st = alvh_h5_open(out, &w, err);
    if (st == ALVH_OK)
        st = alvh_h5_write_run_info(w, info, err);
    for (size_t j = 0; st == ALVH_OK && j < n_sel; j++) {
        char part[8600];
        alvh_batch_part_path(b, sel[j], part, sizeof part);
        st = alvh_batch_verify_part(b, sel[j], err);
        if (st == ALVH_OK)
            st = alvh_result_copy_scenario(w, part, cfg->scenarios[sel[j]].name, err);
        if (st == ALVH_OK)
            st = alvh_result_label_scenario(w, cfg, &cfg->scenarios[sel[j]], err);
        alvh_fault_point("final file: scenario copied");
    }
    alvh_error cerr = {0};
    alvh_status cst = w ? alvh_h5_close(w, st == ALVH_OK, &cerr) : ALVH_OK;
    if (st == ALVH_OK && cst != ALVH_OK) {
        if (err)
            *err = cerr;
        st = cst;
    }
    alvh_fault_point("final file renamed, parts not removed");
    if (st == ALVH_OK)
        alvh_batch_close(b, 1);
    return st;
}
