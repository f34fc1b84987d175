#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# h5dump (Debian hdf5-tools) reads a file written by alvh without complaint:
# `h5dump -H` (header: every group, dataset, type, shape and attribute) and a
# full dump of the attributes exit 0 with nothing on stderr, and the header
# names the fixed datasets of docs/hdf5_layout.md.
# Usage: h5dump_check.sh path/to/h5_sample_writer path/to/h5dump
set -u
writer="$1"
h5dump="$2"
d=$(mktemp -d /tmp/alvh_h5dump.XXXXXX)
trap 'rm -rf "$d"' EXIT
fail=0
"$writer" "$d/sample.h5" 2000 || { echo "FAIL: sample writer exit $?"; exit 1; }

if ! "$h5dump" -H "$d/sample.h5" >"$d/header.txt" 2>"$d/err.txt"; then
  echo "FAIL: h5dump -H exit code"; fail=1
fi
if [ -s "$d/err.txt" ]; then
  echo "FAIL: h5dump -H wrote to stderr:"; head -5 "$d/err.txt"; fail=1
fi
if grep -qi 'error\|unable' "$d/header.txt"; then
  echo "FAIL: h5dump -H output mentions an error"; fail=1
fi
for obj in 'GROUP "scenarios"' 'DATASET "terminal"' 'DATASET "sample_paths"' 'DATASET "pnl"' \
           'DATASET "metrics"' 'DATASET "summary"' 'DATASET "effectiveness"' 'DATASET "counts"' \
           'DATASET "edges"' 'DATASET "equity"' 'ATTRIBUTE "columns"' 'ATTRIBUTE "units"' \
           'ATTRIBUTE "rows"' 'ATTRIBUTE "quantiles"' 'ATTRIBUTE "seed"' 'ATTRIBUTE "config"' \
           'H5T_IEEE_F64LE' 'H5T_STD_U64LE' 'DATASPACE  SIMPLE { ( 2000, 12 ) / ( 2000, 12 ) }'; do
  grep -qF "$obj" "$d/header.txt" || { echo "FAIL: h5dump -H shows no $obj"; fail=1; }
done
# attribute values (strings, numbers) decode cleanly too
if ! "$h5dump" -A -d /scenarios/base/variants/full_alvh/summary "$d/sample.h5" >"$d/attrs.txt" 2>"$d/err.txt" ||
   [ -s "$d/err.txt" ]; then
  echo "FAIL: h5dump -A of the summary table"; head -5 "$d/err.txt"; fail=1
fi
grep -qF '"p_loss"' "$d/attrs.txt" || { echo "FAIL: summary rows attribute not shown"; fail=1; }
[ "$fail" -eq 0 ] && echo "h5dump_check: ok"
exit "$fail"
