#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Every shipped configuration (configs/*.yaml, configs/scenarios/*.yaml) validates and runs a
# few hundred paths through `alvh run`; overnight.yaml only for its first scenarios (it holds
# them all). Then scenario_injections.py reads the sample paths of every result back with h5py
# and checks that each injected day's SPX and token returns, VIX and funding are the injected
# (historical) values, in order.
# Usage: test_configs.sh path/to/alvh python3
set -u
alvh="$1"
py="$2"
here="$(cd "$(dirname "$0")" && pwd)"
configs="$here/../configs"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

outs=()
n=0
for cfg in "$configs"/*.yaml "$configs"/scenarios/*.yaml; do
  name=$(basename "$cfg" .yaml)
  [ "$(dirname "$cfg")" = "$configs" ] || name="scenarios_$name"
  if "$alvh" validate "$cfg" >"$dir/$name.validate" 2>&1; then ok; else bad "validate $cfg: $(cat "$dir/$name.validate")"; continue; fi
  # the resolved text (recorded in every result) reads back to itself
  if "$alvh" validate "$cfg" --resolved >"$dir/$name.r1.yaml" 2>&1 &&
     "$alvh" validate "$dir/$name.r1.yaml" --resolved >"$dir/$name.r2.yaml" 2>&1 &&
     cmp -s <(grep -v '^# source' "$dir/$name.r1.yaml") <(grep -v '^# source' "$dir/$name.r2.yaml"); then
    ok
  else
    bad "resolved text of $cfg is no fixed point: $(tail -1 "$dir/$name.r2.yaml")"
  fi
  extra=()
  if [ "$(basename "$cfg")" = overnight.yaml ]; then
    extra=(--scenario calm --scenario black_monday_1987 --scenario covid_mar_2020)
  fi
  if "$alvh" run "$cfg" --paths 300 --threads 2 --quiet -o "$dir/$name.h5" "${extra[@]}" 2>"$dir/$name.err"; then
    ok
    outs+=("$dir/$name.h5")
  else
    bad "run $cfg: $(cat "$dir/$name.err")"
  fi
  n=$((n + 1))
done
[ "$n" -ge 16 ] && ok || bad "expected at least 16 shipped configurations, found $n"

if "$py" "$here/scenario_injections.py" "${outs[@]}" >"$dir/inj.txt" 2>&1; then ok; else bad "injections: $(cat "$dir/inj.txt")"; fi
k=$(grep -c "historical days in order" "$dir/inj.txt")
[ "$k" -ge 16 ] && ok || bad "only $k scenarios checked"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
