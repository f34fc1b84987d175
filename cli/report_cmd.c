/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `alvh report FILE.h5 -o DIR`: PNG figures and one self-contained HTML page
 * of a result file. The figures are drawn by the Python package (python/alvh,
 * matplotlib); this command checks its arguments, finds the package (next to
 * an installed binary, else the source tree it was built from, or
 * $ALVH_PYTHONPATH) and runs `python3 -m alvh report`.
 */
#define _GNU_SOURCE
#include "cli/report_cmd.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "io/h5_reader.h"

#ifndef ALVH_PYTHON
#define ALVH_PYTHON "python3"
#endif
#ifndef ALVH_PYTHON_SRC_DIR
#define ALVH_PYTHON_SRC_DIR ""
#endif

enum { EXIT_FAILED = 1, EXIT_USAGE = 2 };

void alvh_report_usage(FILE *f)
{
    fprintf(f, "usage: alvh report FILE.h5 -o DIR [--max-paths N]\n"
               "  PNG figures and DIR/report.html (images embedded): a scenario x variant table of ES99,\n"
               "  VaR99, mean P&L and P(liquidation); P&L distributions (log-scale counts), layer\n"
               "  attribution, equity fan charts, drawdowns and sample market paths with injection days\n"
               "  --max-paths N   sample market paths drawn per scenario (default 20)\n"
               "  needs python3 with h5py, numpy and matplotlib ($ALVH_PYTHON: the interpreter)\n");
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "alvh report: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "; see alvh report --help\n");
    return EXIT_USAGE;
}

static int has_package(const char *dir)
{
    char p[PATH_MAX + 32];
    struct stat st;
    snprintf(p, sizeof p, "%s/alvh/report.py", dir);
    return *dir && stat(p, &st) == 0;
}

/* Where python/alvh is: $ALVH_PYTHONPATH, <bin>/../share/alvh/python, the source tree. */
static const char *package_dir(char *buf, size_t n)
{
    const char *env = getenv("ALVH_PYTHONPATH");
    if (env && *env)
        return env;
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            snprintf(buf, n, "%.*s/../share/alvh/python", (int)(n - 32), exe);
            if (has_package(buf))
                return buf;
        }
    }
    return has_package(ALVH_PYTHON_SRC_DIR) ? ALVH_PYTHON_SRC_DIR : NULL;
}

/* The file must be an alvh result this build reads: one message otherwise. */
static int check_file(const char *path)
{
    alvh_error err = {0};
    alvh_h5_reader *r = NULL;
    alvh_status st = alvh_h5_reader_open(path, &r, &err);
    if (st == ALVH_OK)
        st = alvh_h5_reader_check_format(r, &err);
    alvh_h5_reader_close(r);
    if (st != ALVH_OK)
        fprintf(stderr, "alvh report: %s\n", err.msg);
    return st == ALVH_OK ? 0 : st == ALVH_E_NOMEM ? EXIT_FAILED : EXIT_USAGE;
}

static int run_python(const char *pkg, const char *file, const char *out, const char *max_paths)
{
    const char *py = getenv("ALVH_PYTHON");
    py = py && *py ? py : ALVH_PYTHON;
    const char *old = getenv("PYTHONPATH");
    char *pp = NULL;
    if (asprintf(&pp, "%s%s%s", pkg, old && *old ? ":" : "", old && *old ? old : "") < 0)
        return EXIT_FAILED;
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("PYTHONPATH", pp, 1);
        execlp(py, py, "-m", "alvh", "report", file, "-o", out, "--max-paths", max_paths, (char *)NULL);
        fprintf(stderr, "alvh report: cannot run %s: %s\n", py, strerror(errno));
        _exit(EXIT_FAILED);
    }
    free(pp);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) < 0) {
        fprintf(stderr, "alvh report: cannot start %s: %s\n", py, strerror(errno));
        return EXIT_FAILED;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_FAILED;
}

int alvh_cmd_report(int argc, char **argv)
{
    static const struct option longs[] = {{"output", required_argument, 0, 'o'},
                                          {"max-paths", required_argument, 0, 'm'},
                                          {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *out = NULL, *max_paths = "20";
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":o:h", longs, NULL)) != -1) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'm': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end || v < 0 || v > 10000)
                return usage_error("--max-paths expects a whole number in [0, 10000], got '%s'", optarg);
            max_paths = optarg;
            break;
        }
        case 'h': alvh_report_usage(stdout); return 0;
        case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return usage_error("%s", optind == argc ? "missing FILE.h5" : "one FILE.h5 at most");
    if (!out)
        return usage_error("%s", "missing -o DIR");
    int rc = check_file(argv[optind]);
    if (rc)
        return rc;
    char buf[PATH_MAX];
    const char *pkg = package_dir(buf, sizeof buf);
    if (!pkg) {
        fprintf(stderr, "alvh report: the Python package alvh is not installed next to this binary; set "
                        "ALVH_PYTHONPATH to the directory holding alvh/\n");
        return EXIT_FAILED;
    }
    return run_python(pkg, argv[optind], out, max_paths);
}
