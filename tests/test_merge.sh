#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `alvh merge`: three scenarios of configs/overnight.yaml run as job-array
# tasks (one --scenario each, given out of order) and merged give the
# datasets of one run of the three, in the configuration's order; files of
# another seed or configuration, a scenario twice, a bad output name and a
# non-alvh input are refused with exit 2 and no output.
# Usage: test_merge.sh path/to/alvh python3
set -u
alvh="$1"
py="$2"
here="$(cd "$(dirname "$0")" && pwd)"
cfg="$here/../configs/overnight.yaml"
. "$here/test_lib.sh"
small=(--paths 1000 --threads 2 --set run.horizon_steps=215 --quiet) # the injections of overnight.yaml reach step 214

"$alvh" run "$cfg" "${small[@]}" --scenario calm --scenario aug_2015 --scenario governance_attack -o all.h5 ||
  bad "the one run"
for s in governance_attack calm aug_2015; do
  "$alvh" run "$cfg" "${small[@]}" --scenario $s -o task_$s.h5 || bad "task $s"
done
"$alvh" merge merged.h5 task_governance_attack.h5 task_calm.h5 task_aug_2015.h5 >out.txt 2>err.txt &&
  grep -q "wrote merged.h5 from 3 files" out.txt && ok || bad "merge: $(cat err.txt)"
"$py" "$here/h5_compare.py" all.h5 merged.h5 >/dev/null && ok || bad "merged datasets differ from one run's"
"$py" - <<'PY' && ok || bad "scenario order or run attributes of the merged file"
import h5py, sys
a, m = h5py.File("all.h5"), h5py.File("merged.h5")
order = lambda f: list(f["scenarios"].keys())
same = all(a.attrs[k] == m.attrs[k] for k in ("config", "seed", "engine_version", "alvh_layout_version"))
sys.exit(0 if same and order(a) == order(m) and sorted(order(m)) == sorted(["calm", "aug_2015", "governance_attack"]) else 1)
PY
"$alvh" summary merged.h5 --scenario aug_2015 >/dev/null && ok || bad "summary of the merged file"

# refusals: exit 2, nothing written
expect_refused() {
  local name="$1" pat="$2"
  shift 2
  rm -f x.h5
  "$alvh" merge x.h5 "$@" >/dev/null 2>err.txt
  local rc=$?
  [ $rc -eq 2 ] && grep -qE -- "$pat" err.txt && [ ! -e x.h5 ] && ok || bad "$name: exit $rc, $(head -c 300 err.txt)"
}
"$alvh" run "$cfg" "${small[@]}" --scenario aug_2015 --seed 5 -o seed5.h5 || bad "seed-5 task"
expect_refused "another seed" "seed5.h5: the seed differs from that of task_calm.h5" task_calm.h5 seed5.h5
"$alvh" run "$cfg" "${small[@]}" --scenario aug_2015 --set book.capital_usd=2e7 -o cap.h5 || bad "capital task"
expect_refused "another configuration" "cap.h5: the configuration .* differs" task_calm.h5 cap.h5
expect_refused "a scenario twice" "scenario 'calm' is in both task_calm.h5 and all.h5" task_calm.h5 all.h5
printf 'not hdf5\n' >junk.h5
expect_refused "not a result file" "junk.h5" task_calm.h5 junk.h5
mkdir outdir.h5
"$alvh" merge outdir.h5 task_calm.h5 2>err.txt
[ $? -eq 2 ] && grep -q "directory" err.txt && ok || bad "directory as output: $(cat err.txt)"
"$alvh" merge x.h5 2>/dev/null
[ $? -eq 2 ] && ok || bad "merge without inputs"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
