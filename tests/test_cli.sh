#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# CLI contract: exit codes, --help on every command, ISA override, and the
# drivers digest unchanged across thread counts (runs of the whole model:
# test_run.sh). Usage: test_cli.sh path/to/alvh
set -u
alvh="$1"
pass=0
fail=0
check() { # name, expected exit code, command...
  local name="$1" want="$2"
  shift 2
  "$@" >/tmp/alvh_cli_out.$$ 2>&1
  local got=$?
  if [ "$got" -eq "$want" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL $name: exit $got, expected $want"
    sed 's/^/  | /' /tmp/alvh_cli_out.$$ | head -5
  fi
}
expect_line() { # name, pattern, command...: output must contain the pattern
  local name="$1" pat="$2"
  shift 2
  if "$@" 2>&1 | grep -qE "$pat"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name: no /$pat/"; fi
}

check "no args" 2 "$alvh"
check "--help" 0 "$alvh" --help
check "unknown command" 2 "$alvh" frobnicate
for cmd in run drivers validate summary bench; do
  check "$cmd --help" 0 "$alvh" "$cmd" --help
  check "$cmd bad flag" 2 "$alvh" "$cmd" --no-such-flag
done
# usage errors: one line that says where the options are explained, not the whole usage
err=$("$alvh" run --no-such-flag 2>&1 >/dev/null)
[ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && [[ "$err" == *"see alvh run --help"* ]] && pass=$((pass + 1)) ||
  { fail=$((fail + 1)); echo "FAIL bad flag: not one line with 'see alvh run --help': $err"; }
check "run 1e3 paths is a number" 0 "$alvh" run --paths 1e3 --set run.horizon_steps=3 --quiet -o /tmp/alvh_cli_1e3.$$.h5
rm -f /tmp/alvh_cli_1e3.$$.h5
check "run 2.5 paths" 2 "$alvh" run --paths 2.5
check "run set without =" 2 "$alvh" run --set run.paths
expect_line "bad --scenario lists the scenarios" "no scenario 'nope' .*\(scenarios: calm\)" "$alvh" run --scenario nope
expect_line "bad --variant lists the variants" "no variant 'nope' .*\(variants: core_unhedged, farm_only, farm_hedged" \
  "$alvh" run --variant nope
# --set is validated by the YAML reader: the same message as the file would get, at the --set
here="$(cd "$(dirname "$0")" && pwd)"
printf 'run:\n  paths: -3\nscenarios:\n  - name: calm\n    extends: %s/../configs/default.yaml#calm\n' "$here" \
  >/tmp/alvh_cli_bad.$$.yaml
msg_file=$("$alvh" run /tmp/alvh_cli_bad.$$.yaml 2>&1 | sed 's/^alvh run: [^ ]*:[0-9]*:[0-9]*: //')
msg_set=$("$alvh" run --set run.paths=-3 2>&1)
rm -f /tmp/alvh_cli_bad.$$.yaml
[[ "$msg_file" == "run.paths: expected"* && "$msg_set" == "alvh run: --set run.paths=-3:1:1: $msg_file" ]] &&
  pass=$((pass + 1)) ||
  { fail=$((fail + 1)); echo "FAIL --set message '$msg_set' is not the file's '$msg_file'"; }
expect_line "--set unknown key" "^alvh run: --set run.pathz=3:1:1: run.pathz: unknown key; did you mean 'paths'" \
  "$alvh" run --set run.pathz=3
expect_line "--set into a scenario by name" "scenarios\[0\]\.spx\.kappa: expected a number in \[0.001, 100\], got abc" \
  "$alvh" run --set scenarios.calm.spx.kappa=abc
check "--set into a missing scenario" 2 "$alvh" run --set scenarios.nope.spx.kappa=2
check "run bad number" 2 "$alvh" run --paths 12x
check "run zero paths" 2 "$alvh" run --paths 0
check "run negative seed" 2 "$alvh" run --seed -1
check "run missing value" 2 "$alvh" run --paths
check "run bad isa" 2 "$alvh" run --isa sse9 --paths 100
check "drivers bad number" 2 "$alvh" drivers --steps 12x
check "drivers 1e4 paths" 0 "$alvh" drivers --paths 1e4 --steps 10
check "bench bad seconds" 2 "$alvh" bench --seconds abc
check "summary bad format" 2 "$alvh" summary x.h5 --format xml
# summary: bad input exits 2 with one line naming the file; a sample result
# file (tests/h5_sample_writer, given by CMake as ALVH_H5_SAMPLE_WRITER)
# prints in every format
one_line() { # name, expected exit, command...: exactly one line on stderr, nothing on stdout
  local name="$1" want="$2" out err got
  shift 2
  out=$("$@" 2>/tmp/alvh_cli_err.$$)
  got=$?
  err=$(wc -l </tmp/alvh_cli_err.$$)
  if [ "$got" -eq "$want" ] && [ "$err" -eq 1 ] && [ -z "$out" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL $name: exit $got (expected $want), $err stderr lines, stdout '${out:0:60}'"
    sed 's/^/  | /' /tmp/alvh_cli_err.$$ | head -5
  fi
  rm -f /tmp/alvh_cli_err.$$
}
check "summary missing file arg" 2 "$alvh" summary
one_line "summary missing file" 2 "$alvh" summary /nonexistent/alvh.h5
expect_line "summary missing file names it" '^alvh summary: /nonexistent/alvh\.h5: No such file or directory$' \
  "$alvh" summary /nonexistent/alvh.h5
not_h5=/tmp/alvh_cli_not_h5.$$.h5
echo "plain text" >"$not_h5"
one_line "summary not HDF5" 2 "$alvh" summary "$not_h5"
expect_line "summary not HDF5 says so" 'not an HDF5 file' "$alvh" summary "$not_h5"
rm -f "$not_h5"
if [ -n "${ALVH_H5_SAMPLE_WRITER:-}" ] && [ -x "$ALVH_H5_SAMPLE_WRITER" ]; then
  h5=/tmp/alvh_cli_sample.$$.h5
  "$ALVH_H5_SAMPLE_WRITER" "$h5" 500
  check "summary table" 0 "$alvh" summary "$h5"
  expect_line "summary table names the tables" \
    '^== scenario base, variant full_alvh: effectiveness \(vs baseline unhedged\)$' "$alvh" summary "$h5"
  expect_line "summary table columns" '^statistic +unit +condor +vix .* total$' "$alvh" summary "$h5"
  check "summary csv" 0 "$alvh" summary "$h5" --format csv
  expect_line "summary csv header" '^scenario,variant,table,statistic,unit,column,value$' \
    "$alvh" summary "$h5" --format csv
  if "$alvh" summary "$h5" --format json | "${ALVH_PYTHON:-/usr/bin/python3}" -m json.tool >/dev/null; then
    pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL summary json is not valid JSON"; fi
  check "summary --scenario" 0 "$alvh" summary "$h5" --scenario crash --format json
  if "$alvh" summary "$h5" --scenario crash | grep -q 'scenario base'; then
    fail=$((fail + 1)); echo "FAIL summary --scenario crash shows base"; else pass=$((pass + 1)); fi
  one_line "summary no such scenario" 2 "$alvh" summary "$h5" --scenario nope
  expect_line "summary no such scenario lists them" "no scenario 'nope' \(scenarios: base, crash\)" \
    "$alvh" summary "$h5" --scenario nope
  rm -f "$h5"
else
  echo "note: ALVH_H5_SAMPLE_WRITER not set: summary output checks skipped"
fi
check "validate missing file arg" 2 "$alvh" validate
# validate: the shipped default is valid; a bad file exits 2 with file:line:col and the key
src_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
check "validate default.yaml" 0 "$alvh" validate "$src_dir/configs/default.yaml"
expect_line "validate summary" '1 scenario x 100000 paths, 252 steps' "$alvh" validate "$src_dir/configs/default.yaml"
bad_cfg=/tmp/alvh_cli_bad.$$.yaml
printf 'scenarios:\n  - name: a\n  - name: b\n    token:\n      p_up: 1.5\n' >"$bad_cfg"
check "validate bad value" 2 "$alvh" validate "$bad_cfg"
expect_line "validate names file:line:col and key" \
  "alvh_cli_bad\.$$\.yaml:5:13: scenarios\[1\]\.token\.p_up: expected a number in \[0, 1\], got 1\.5" \
  "$alvh" validate "$bad_cfg"
check "validate missing file" 2 "$alvh" validate /nonexistent/alvh.yaml
"$alvh" validate --resolved "$src_dir/configs/default.yaml" >"$bad_cfg" 2>/dev/null
check "validate --resolved reads back" 0 "$alvh" validate "$bad_cfg"
rm -f "$bad_cfg"
expect_line "version names the ISA" '^isa: (scalar|avx2|avx512)' "$alvh" --version
expect_line "ALVH_ISA forces scalar" '^isa: scalar' env ALVH_ISA=scalar "$alvh" --version
check "ALVH_ISA bogus" 2 env ALVH_ISA=bogus "$alvh" drivers --paths 100 --steps 1
for isa in scalar avx2 avx512; do
  if "$alvh" --version | grep -q "supports:.* $isa"; then
    expect_line "drivers --isa $isa" "isa $isa" "$alvh" drivers --isa "$isa" --paths 2000 --steps 4
  fi
done
d1=$("$alvh" drivers --paths 5000 --steps 8 --threads 1 | grep digest)
d2=$("$alvh" drivers --paths 5000 --steps 8 --threads 2 | grep digest)
d3=$("$alvh" drivers --paths 5000 --steps 8 --threads 3 | grep digest)
if [ -n "$d1" ] && [ "$d1" = "$d2" ] && [ "$d1" = "$d3" ]; then pass=$((pass + 1)); else
  fail=$((fail + 1)); echo "FAIL digest differs across threads: $d1 / $d2 / $d3"; fi
rm -f /tmp/alvh_cli_out.$$
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
