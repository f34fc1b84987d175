#!/usr/bin/env bash
# First command of the README: install what is missing, build (Release), run the
# built-in default and print its summary. Extra arguments go to `alvh run`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
alvh_install_deps
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" >/dev/null
./build/cli/alvh --version
./build/cli/alvh run "$@"
