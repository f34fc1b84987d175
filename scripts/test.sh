#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Second command of the README (and CI's): install what is missing, build with
# warnings as errors, run every test suite through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
alvh_install_deps
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DALVH_WERROR=ON -DALVH_BUILD_TESTS=ON >/dev/null
cmake --build build -j "$(nproc)"
cd build
ctest --output-on-failure -j "$(nproc)" "$@"
