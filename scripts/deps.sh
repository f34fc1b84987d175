#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Installs the Debian packages alvh needs, only those that are missing.
# Sourced by the other scripts; safe to run on its own.
set -euo pipefail

ALVH_PACKAGES=(
  build-essential cmake pkg-config git   # toolchain (gcc brings OpenMP's libgomp)
  libhdf5-dev hdf5-tools                 # HDF5 C library and h5dump
  libcmocka-dev                          # unit tests
  libfyaml-dev                           # YAML configuration reader (io/config.c)
  zlib1g-dev                             # trial compression of per-path tables (io/h5_trial.c)
  libopenmpi-dev openmpi-bin             # MPI scale-out of alvh run (mpirun); tests compare 1-3 ranks
  python3 python3-numpy python3-h5py     # fixtures, peers, interop tests (/usr/bin/python3)
  quantlib-python                        # reference prices (QuantLib-Python)
  python3-pandas python3-xarray python3-h5netcdf   # the Python package's DataFrames and Datasets (python/)
  python3-matplotlib                     # alvh report: the figures
  python3-pip                            # tests install the Python package with pip --no-deps
  chromium                               # tests render the report page headless (screenshot not blank)
  clang libclang-rt-14-dev libomp-14-dev # the sanitizer suite and libFuzzer targets (scripts/test.sh)
)

alvh_missing_packages() {
  local p missing=()
  for p in "${ALVH_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  echo "${missing[@]:-}"
}

alvh_install_deps() {
  local missing
  missing=$(alvh_missing_packages)
  [ -z "$missing" ] && return 0
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "alvh: need root or sudo to install: $missing" >&2; return 1; }
    sudo="sudo"
  fi
  echo "alvh: installing $missing" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # shellcheck disable=SC2086
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  alvh_install_deps
fi
