/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * alvh: Monte Carlo stress tests of layered volatility hedges, as a library.
 *
 * A small, stable C API over the engine behind the `alvh` command:
 *
 *   alvh_run_config    a validated run configuration (YAML file, or the built-in default)
 *   alvh_run_results   the results of running every scenario of a configuration, in memory
 *   alvh_result_file   an alvh result file (HDF5) opened for reading its summary tables
 *
 * Handles are opaque. Each has a create/free pair; free accepts NULL. Every
 * function that can fail returns an alvh_code and keeps a one-line message
 * on the handle (the *_message functions), naming file:line:column and key for bad
 * configurations, exactly as `alvh run` prints them. Results do not depend on
 * the thread count. Link with -lalvh (pkg-config alvh, or CMake
 * find_package(alvh) and the target alvh::alvh).
 *
 *     alvh_run_config *c = alvh_run_config_create();
 *     if (alvh_run_config_load(c, "my.yaml") != ALVH_CODE_OK)
 *         fprintf(stderr, "%s\n", alvh_run_config_message(c));
 */
#ifndef ALVH_H
#define ALVH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ALVH_API_VERSION 1 /* raised when a declaration below changes */

#if defined(__GNUC__)
#define ALVH_API __attribute__((visibility("default")))
#else
#define ALVH_API
#endif

/* Return codes; the same numbers as the exit codes of the alvh command. */
typedef enum alvh_code {
    ALVH_CODE_OK = 0,
    ALVH_CODE_FAILED = 1,      /* the run or an I/O operation failed, or out of memory */
    ALVH_CODE_BAD_INPUT = 2,   /* bad configuration, argument or file */
    ALVH_CODE_UNAVAILABLE = 3  /* the requested ISA is not available on this CPU */
} alvh_code;

typedef struct alvh_run_config alvh_run_config;
typedef struct alvh_run_results alvh_run_results;
typedef struct alvh_result_file alvh_result_file;

/* "0.1.0" */
ALVH_API const char *alvh_version(void);

/* ---- configurations ---- */

ALVH_API alvh_run_config *alvh_run_config_create(void); /* NULL when out of memory */
ALVH_API void alvh_run_config_free(alvh_run_config *c);

/* Reads and validates a YAML configuration (docs/config.md); path NULL: the
 * built-in default. Replaces what c held. */
ALVH_API alvh_code alvh_run_config_load(alvh_run_config *c, const char *path);

/* Overrides of run settings, as `alvh run --paths/--seed/--threads` (threads 0: all). */
ALVH_API alvh_code alvh_run_config_set_paths(alvh_run_config *c, uint64_t paths);
ALVH_API alvh_code alvh_run_config_set_seed(alvh_run_config *c, uint64_t seed);
ALVH_API alvh_code alvh_run_config_set_threads(alvh_run_config *c, unsigned threads);

ALVH_API size_t alvh_run_config_scenario_count(const alvh_run_config *c);
ALVH_API const char *alvh_run_config_message(const alvh_run_config *c); /* "" after success */

/* ---- running ---- */

ALVH_API alvh_run_results *alvh_run_results_create(void);
ALVH_API void alvh_run_results_free(alvh_run_results *r);

/* Runs every scenario of c (in this process, with its OpenMP threads) and
 * keeps the results in r, replacing what r held. c must outlive r's use. */
ALVH_API alvh_code alvh_run_execute(const alvh_run_config *c, alvh_run_results *r);

/* Writes the results as one alvh result file (docs/hdf5_layout.md), under a
 * temporary name renamed when complete. */
ALVH_API alvh_code alvh_run_results_write(alvh_run_results *r, const char *path);

/* A statistic of the results in memory: table "summary", "risk" or
 * "effectiveness", row such as "es_99", column such as "total"; the same
 * numbers the file stores. */
ALVH_API alvh_code alvh_run_results_value(alvh_run_results *r, const char *scenario, const char *variant, const char *table,
                                      const char *row, const char *column, double *value);
ALVH_API const char *alvh_run_results_message(const alvh_run_results *r);

/* ---- reading result files ---- */

ALVH_API alvh_result_file *alvh_result_file_create(void);
ALVH_API void alvh_result_file_free(alvh_result_file *f); /* closes the file */

/* Opens an alvh result file; refuses files of unknown format or layout version. */
ALVH_API alvh_code alvh_result_file_open(alvh_result_file *f, const char *path);

ALVH_API size_t alvh_result_file_scenario_count(const alvh_result_file *f);
ALVH_API const char *alvh_result_file_scenario_name(const alvh_result_file *f, size_t i); /* NULL when out of range */

/* A stored statistic, as alvh_run_results_value. */
ALVH_API alvh_code alvh_result_file_value(alvh_result_file *f, const char *scenario, const char *variant, const char *table,
                                   const char *row, const char *column, double *value);
ALVH_API const char *alvh_result_file_message(const alvh_result_file *f);

#ifdef __cplusplus
}
#endif

#endif
