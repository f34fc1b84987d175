#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Second command of the README (and CI's): install what is missing, build with
# warnings as errors, run every test suite through ctest; then the same suite
# built with clang under AddressSanitizer + UBSan (no recovery: the first
# finding fails), and each libFuzzer target for ALVH_FUZZ_SECONDS (default 60).
# ALVH_SANITIZE_SUITE=0 skips the second half (a quick local check).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
alvh_install_deps
jobs="$(nproc)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DALVH_WERROR=ON -DALVH_BUILD_TESTS=ON >/dev/null
cmake --build build -j "$jobs"
(cd build && ctest --output-on-failure -j "$jobs" "$@")

[ "${ALVH_SANITIZE_SUITE:-1}" = 0 ] && exit 0
# MPI off: Open MPI's own allocations would be reported as leaks
CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DALVH_WERROR=ON -DALVH_BUILD_TESTS=ON \
  -DALVH_SANITIZE=ON -DALVH_FUZZ=OFF -DALVH_MPI=OFF >/dev/null
cmake --build build-asan -j "$jobs"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp"
export ALVH_UNDER_SANITIZER=1   # tests that compare memory figures skip that comparison
# a test that fails is run once more: LeakSanitizer's own tracer sometimes dies (signal 11)
# at the exit of a multithreaded run on this VM; a real leak or sanitizer finding fails twice
(cd build-asan && ctest --output-on-failure -j "$jobs" --repeat until-pass:2 "$@")
# the fuzzers in a tree of their own: there every library carries libFuzzer's coverage
# instrumentation, which the sanitizer suite above does without
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DALVH_WERROR=ON -DALVH_BUILD_TESTS=ON \
  -DALVH_SANITIZE=ON -DALVH_FUZZ=ON -DALVH_MPI=OFF >/dev/null
cmake --build build-fuzz -j "$jobs" --target fuzz_config fuzz_checkpoint fuzz_h5_reader fuzz_h5_content h5_sample_writer
bash tests/fuzz/run_fuzzers.sh build-fuzz "${ALVH_FUZZ_SECONDS:-60}"
