/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Dimension names for a finished scenario group (HDF5 dimension scales,
 * H5DS of hdf5_hl), so that netCDF readers such as xarray + h5netcdf name
 * every axis instead of showing phony_dim_*; plus the scenario's own
 * attributes (capital, steps per year, paths, horizon, measure, description)
 * and a long_name on every dataset. docs/hdf5_layout.md lists the names.
 *
 * Scales (coordinate variables) are created where every dataset that uses
 * them can see them (netCDF looks up dimensions in the group and its
 * parents):
 *   /scenarios/<s>/path, step, time_years, time_days   (path only with per-path tables)
 *   <group of a table>/<table>_statistic, <table>_column
 *   <fan_charts group>/quantile, <histogram group>/bin and edge
 * A scenario is labelled once, in the final file, after its group has been
 * written or copied there (H5Ocopy would not carry the scale references).
 */
#ifndef ALVH_IO_H5_DIMS_H
#define ALVH_IO_H5_DIMS_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"
#include "io/h5_writer.h"

typedef struct alvh_h5_scenario_meta {
    double capital_usd;      /* starting capital of the book */
    uint64_t steps_per_year; /* dt = 1 / steps_per_year */
    uint64_t n_steps;        /* steps simulated */
    uint64_t n_paths;
    const char *measure;     /* "risk-neutral" or "real-world" */
    const char *description; /* the scenario's one line (may be "") */
    const uint64_t *injection_steps; /* 0-based steps whose moves are forced (stress injections) */
    size_t n_injections;
} alvh_h5_scenario_meta;

/* Writes the scenario attributes, creates the scales and attaches them to
 * every dataset under /scenarios/<scenario>. */
alvh_status alvh_h5_label_scenario(alvh_h5_writer *w, const char *scenario, const alvh_h5_scenario_meta *meta,
                                   alvh_error *err);

#endif
