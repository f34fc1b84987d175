/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `alvh merge OUT IN...`: result files written by runs of one configuration
 * (the tasks of a job array, each with its own --scenario) combined into the
 * file one run of all their scenarios would have written: the scenario groups
 * are copied byte for byte (H5Ocopy, as the batch assembly does) in the
 * configuration's order, under the run attributes of the inputs.
 */
#ifndef ALVH_IO_RESULT_MERGE_H
#define ALVH_IO_RESULT_MERGE_H

#include <stddef.h>

#include "common/status.h"

/* Refuses (ALVH_E_USAGE, naming the file and the item) inputs whose
 * configuration, seed, engine version or git describe differ from the first
 * one's, a scenario found in two inputs or not in the configuration, and an
 * OUT that is not a regular file; an unreadable or foreign input is
 * ALVH_E_CONFIG. OUT appears only complete (temporary name, rename). The run
 * attributes: the inputs' (start time the earliest, end time the latest,
 * ranks the most; isa and threads the first input's, or every distinct isa
 * joined by ',' when they differ). */
alvh_status alvh_result_merge(const char *out, const char *const *in, size_t n_in, alvh_error *err);

#endif
