#define _GNU_SOURCE /* memfd_create */
#include "io/contained.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* the child's verdict: written to the pipe as its very last act */
static void child(int res_fd, int out_fd, alvh_contained_fn fn, void *ctx)
{
    alvh_error e = {0};
    FILE *out = fdopen(out_fd, "w");
    alvh_status st = out ? fn(ctx, out, &e) : alvh_error_set(&e, ALVH_E_NOMEM, "cannot open the output buffer");
    if (out && fflush(out) != 0 && st == ALVH_OK)
        st = alvh_error_set(&e, ALVH_E_IO, "cannot buffer the output: %s", strerror(errno));
    e.code = st;
    ssize_t w = write(res_fd, &e, sizeof e);
    _exit(w == (ssize_t)sizeof e ? 0 : 3);
}

static int timeout_seconds(void)
{
    const char *e = getenv("ALVH_READ_TIMEOUT_SECONDS");
    int s = e ? atoi(e) : 0;
    return s > 0 ? s : 600;
}

/* Reads the child's verdict; 1 (after killing it) if none came in time, -1 if it died without one. */
static int wait_result(int fd, void *buf, size_t n, pid_t pid)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int r;
    while ((r = poll(&p, 1, timeout_seconds() * 1000)) < 0 && errno == EINTR)
        ;
    if (r == 0) {
        kill(pid, SIGKILL);
        return 1;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, (char *)buf + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        got += (size_t)k;
    }
    return 0;
}

static alvh_status copy_out(int fd, FILE *out, const char *path, alvh_error *err)
{
    char buf[1 << 14];
    ssize_t n;
    if (lseek(fd, 0, SEEK_SET) != 0)
        return alvh_error_set(err, ALVH_E_IO, "%s: cannot read back the output: %s", path, strerror(errno));
    while ((n = read(fd, buf, sizeof buf)) > 0)
        if (fwrite(buf, 1, (size_t)n, out) != (size_t)n)
            return alvh_error_set(err, ALVH_E_IO, "cannot write the output for %s", path);
    return n < 0 ? alvh_error_set(err, ALVH_E_IO, "%s: cannot read back the output", path) : ALVH_OK;
}

alvh_status alvh_run_contained(const char *path, alvh_contained_fn fn, void *ctx, FILE *out, alvh_error *err)
{
    int res[2];
    int out_fd = memfd_create("alvh-contained-output", MFD_CLOEXEC);
    if (out_fd < 0 || pipe(res) != 0) {
        if (out_fd >= 0)
            close(out_fd);
        return alvh_error_set(err, ALVH_E_IO, "%s: cannot set up the reader process: %s", path, strerror(errno));
    }
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid < 0) {
        close(out_fd);
        close(res[0]);
        close(res[1]);
        return alvh_error_set(err, ALVH_E_IO, "%s: cannot start the reader process: %s", path, strerror(errno));
    }
    if (pid == 0) {
        close(res[0]);
        child(res[1], dup(out_fd), fn, ctx);
    }
    close(res[1]);
    alvh_error e;
    int verdict = wait_result(res[0], &e, sizeof e, pid), timed_out = verdict == 1;
    ssize_t got = verdict == 0 ? (ssize_t)sizeof e : 0;
    close(res[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (timed_out)
        return alvh_error_set(err, ALVH_E_IO, "%s: corrupt file: reading it did not finish within %d s (HDF5 "
                              "loops on some damaged files; ALVH_READ_TIMEOUT_SECONDS changes the limit); nothing "
                              "was printed", path, timeout_seconds());
    alvh_status st;
    if (got != (ssize_t)sizeof e || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (WIFSIGNALED(status))
            st = alvh_error_set(err, ALVH_E_IO, "%s: corrupt file: reading it crashed the HDF5 library (signal %d, "
                                "%s); nothing was printed", path, WTERMSIG(status), strsignal(WTERMSIG(status)));
        else
            st = alvh_error_set(err, ALVH_E_IO, "%s: corrupt file: the reader process failed (exit status %d); "
                                "nothing was printed", path, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    } else if (e.code != ALVH_OK) {
        e.msg[sizeof e.msg - 1] = '\0';
        if (err)
            *err = e;
        st = e.code;
    } else {
        st = copy_out(out_fd, out, path, err);
    }
    close(out_fd);
    return st;
}
