#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# First command of the README: install what is missing, build (Release), run the
# built-in default, print its summary and write its report (PNGs + one HTML
# page). Extra arguments go to `alvh run`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
alvh_install_deps
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
./build/cli/alvh --version
./build/cli/alvh run "$@"
# the result file: -o FILE if given, else the run name's default (default.h5)
out=default.h5
while [ $# -gt 0 ]; do
  case "$1" in
    -o | --output) out="$2"; shift ;;
    --output=*) out="${1#--output=}" ;;
  esac
  shift
done
./build/cli/alvh report "$out" -o "${out%.h5}_report"
echo "open ${out%.h5}_report/report.html for the figures"
