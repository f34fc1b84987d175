/*
 * The studies of a scenario after its variants: book.sweeps and
 * book.reverse_stress of the configuration (engine/sweep.h,
 * engine/reverse_stress.h), written under the variant they are about as
 * labelled tables sweep_<param> and reverse_stress_<k>, and printed.
 */
#ifndef ALVH_CLI_STUDIES_H
#define ALVH_CLI_STUDIES_H

#include "engine/scenario_run.h"
#include "io/config.h"
#include "io/h5_writer.h"

alvh_status alvh_run_studies(alvh_h5_writer *w, const char *scenario, const alvh_config *cfg,
                             const alvh_scenario_request *rq, const alvh_kernel_ops *ops, int quiet, alvh_error *err);

#endif
