/* SPDX-License-Identifier: BSD-3-Clause */
/* alvh_run_config: a validated configuration behind the public API (include/alvh.h). */
#include <stdlib.h>
#include <string.h>

#include "alvh_default_config.h"
#include "api/api_internal.h"
#include "io/config.h"

#ifndef ALVH_VERSION
#define ALVH_VERSION "0.0.0"
#endif

struct alvh_run_config {
    alvh_config *cfg; /* NULL until loaded */
    alvh_error err;
};

alvh_code alvh_api_bad_arg(alvh_error *err, const char *fn, const char *what)
{
    alvh_error_set(err, ALVH_E_USAGE, "%s: %s", fn, what);
    return ALVH_CODE_BAD_INPUT;
}

const char *alvh_version(void)
{
    return ALVH_VERSION;
}

alvh_run_config *alvh_run_config_create(void)
{
    return calloc(1, sizeof(alvh_run_config));
}

void alvh_run_config_free(alvh_run_config *c)
{
    if (!c)
        return;
    alvh_config_free(c->cfg);
    free(c);
}

alvh_code alvh_run_config_load(alvh_run_config *c, const char *path)
{
    if (!c)
        return ALVH_CODE_BAD_INPUT;
    memset(&c->err, 0, sizeof c->err);
    alvh_config *cfg = NULL;
    alvh_status st = path ? alvh_config_load_file(path, &cfg, &c->err)
                          : alvh_config_load_text("default.yaml (built in)", alvh_default_config,
                                                  sizeof alvh_default_config - 1, &cfg, &c->err);
    if (st != ALVH_OK)
        return alvh_api_code(st);
    alvh_config_free(c->cfg);
    c->cfg = cfg;
    return ALVH_CODE_OK;
}

/* The loaded configuration, or NULL with a message on c. */
static alvh_config *loaded(alvh_run_config *c, const char *fn)
{
    if (!c)
        return NULL;
    if (!c->cfg)
        alvh_api_bad_arg(&c->err, fn, "no configuration loaded (call alvh_run_config_load first)");
    return c->cfg;
}

alvh_code alvh_run_config_set_paths(alvh_run_config *c, uint64_t paths)
{
    alvh_config *cfg = loaded(c, "alvh_run_config_set_paths");
    if (!cfg)
        return ALVH_CODE_BAD_INPUT;
    if (paths < 1 || paths > 10000000000ull)
        return alvh_api_bad_arg(&c->err, "alvh_run_config_set_paths", "paths must be in [1, 1e10]");
    cfg->run.paths = paths;
    return ALVH_CODE_OK;
}

alvh_code alvh_run_config_set_seed(alvh_run_config *c, uint64_t seed)
{
    alvh_config *cfg = loaded(c, "alvh_run_config_set_seed");
    if (!cfg)
        return ALVH_CODE_BAD_INPUT;
    cfg->run.seed = seed;
    return ALVH_CODE_OK;
}

alvh_code alvh_run_config_set_threads(alvh_run_config *c, unsigned threads)
{
    alvh_config *cfg = loaded(c, "alvh_run_config_set_threads");
    if (!cfg)
        return ALVH_CODE_BAD_INPUT;
    if (threads > 1024)
        return alvh_api_bad_arg(&c->err, "alvh_run_config_set_threads", "threads must be in [0, 1024]");
    cfg->run.threads = threads;
    return ALVH_CODE_OK;
}

size_t alvh_run_config_scenario_count(const alvh_run_config *c)
{
    return c && c->cfg ? c->cfg->n_scenarios : 0;
}

const char *alvh_run_config_message(const alvh_run_config *c)
{
    return c ? c->err.msg : "NULL configuration handle";
}

const alvh_config *alvh_api_config_of(const alvh_run_config *c)
{
    return c ? c->cfg : NULL;
}
