#define _GNU_SOURCE /* O_CLOEXEC, O_NOCTTY */
#include "io/file_check.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *alvh_file_kind(unsigned mode)
{
    if (S_ISREG(mode))
        return "regular file";
    if (S_ISDIR(mode))
        return "directory";
    if (S_ISFIFO(mode))
        return "FIFO";
    if (S_ISCHR(mode))
        return "character device";
    if (S_ISBLK(mode))
        return "block device";
    if (S_ISSOCK(mode))
        return "socket";
    return "special file";
}

int alvh_open_regular(const char *path, const char *what, alvh_error *err)
{
    /* O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        int e = errno;
        alvh_error_set(err, e == ENOMEM ? ALVH_E_NOMEM : ALVH_E_CONFIG, "%s: cannot open: %s", path, strerror(e));
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        alvh_error_set(err, ALVH_E_IO, "%s: cannot inspect %s: %s", path, what, strerror(errno));
        close(fd);
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        alvh_error_set(err, ALVH_E_CONFIG, "%s: not a regular file (a %s): expected a %s", path,
                       alvh_file_kind(sb.st_mode), what);
        close(fd);
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
        alvh_error_set(err, ALVH_E_IO, "%s: cannot read %s: %s", path, what, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

alvh_status alvh_check_output_path(const char *path, const char *what, alvh_error *err)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return ALVH_OK; /* absent (or unreachable: the writer reports why) */
    if (S_ISREG(sb.st_mode))
        return ALVH_OK;
    return alvh_error_set(err, ALVH_E_USAGE, "%s: is a %s; the %s must be a regular file name (it is replaced "
                          "by a new file)", path, alvh_file_kind(sb.st_mode), what);
}
