/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A scenario's results (engine/scenario_run.h) into an alvh result file
 * (docs/hdf5_layout.md), and the batch assembly: each finished scenario is
 * first written to its own part file, then the parts' /scenarios/<name>
 * groups are copied into the final file (H5Ocopy: datasets byte for byte), so
 * a crash never loses a finished scenario and the final file only appears
 * complete.
 */
#ifndef ALVH_IO_RESULT_FILE_H
#define ALVH_IO_RESULT_FILE_H

#include "engine/book_run.h"
#include "engine/scenario_run.h"
#include "io/config.h"
#include "io/h5_writer.h"

/* Writes everything of one scenario under /scenarios/<scenario>.
 * store_paths: also the per-path pnl and metrics tables of every variant. */
alvh_status alvh_result_write_scenario(alvh_h5_writer *w, const char *scenario, const alvh_variant *variants,
                                       const alvh_scenario_result *res, int store_paths, alvh_error *err);

/* Copies /scenarios/<scenario> of the closed file part_path into w. */
alvh_status alvh_result_copy_scenario(alvh_h5_writer *w, const char *part_path, const char *scenario,
                                      alvh_error *err);

/* Scenario attributes and dimension names (io/h5_dims.h) of scenario sc of
 * cfg, once its group is in the final file w. */
alvh_status alvh_result_label_scenario(alvh_h5_writer *w, const alvh_config *cfg, const alvh_config_scenario *sc,
                                       alvh_error *err);

/* What alvh run simulates for scenario k of cfg (rank of ranks MPI ranks). */
alvh_scenario_request alvh_config_scenario_request(const alvh_config *cfg, size_t k, int rank, int ranks);

#endif
