#define _GNU_SOURCE
#include "io/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/fault.h"

void alvh_sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

alvh_status alvh_atomic_write(const char *path, const void *data, size_t n, alvh_error *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return alvh_error_set(err, ALVH_E_IO, "cannot write %s: %s", tmp, strerror(errno));
    alvh_fault_point("state: temporary file created");
    int bad = write_all(fd, data, n / 2) != 0;
    alvh_fault_point("state: half written");
    bad = bad || write_all(fd, (const char *)data + n / 2, n - n / 2) != 0;
    alvh_fault_point("state: written, not synced");
    bad = bad || fsync(fd) != 0;
    int e = errno;
    bad |= close(fd) != 0;
    if (bad) {
        unlink(tmp);
        return alvh_error_set(err, ALVH_E_IO, "cannot write %s: %s", tmp, strerror(e ? e : errno));
    }
    alvh_fault_point("state: synced, not renamed");
    if (rename(tmp, path) != 0) {
        e = errno;
        unlink(tmp);
        return alvh_error_set(err, ALVH_E_IO, "cannot rename %s to %s: %s", tmp, path, strerror(e));
    }
    alvh_sync_parent_dir(path);
    alvh_fault_point("state: renamed");
    return ALVH_OK;
}
