#!/usr/bin/env bash
# kill -9 at every instant a batch writes something: run.state, checkpoints
# (including between moving the old one to previous.ckpt and renaming the new
# one), part files, the final file and the removal of the parts. The N-th
# fault point of io/fault.h raises SIGKILL (ALVH_FAULT_KILL_AT=N); each killed
# run is resumed and must give datasets bit-identical to an uninterrupted run.
# N goes up until a run reaches no N-th point (it completes).
# Usage: test_crash_points.sh path/to/alvh python3 config.yaml
set -u
alvh="$1"
py="$2"
cfg="$3"
here="$(cd "$(dirname "$0")" && pwd)"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
fail=0
opts=(--quiet --checkpoint-blocks 2 --checkpoint-seconds 0)
"$alvh" run "$cfg" -o ref.h5 "${opts[@]}" || { echo "FAIL reference run"; exit 1; }
killed=0
files=()
for n in $(seq 1 400); do
  out="k$n.h5"
  ALVH_FAULT_KILL_AT=$n "$alvh" run "$cfg" -o "$out" "${opts[@]}" 2>/dev/null
  rc=$?
  if [ $rc -eq 0 ]; then
    rm -f "$out"
    break # no N-th fault point: every instant has been tried
  fi
  [ $rc -eq 137 ] || { echo "FAIL point $n: exit $rc, expected SIGKILL (137)"; fail=1; continue; }
  killed=$((killed + 1))
  had_state=0
  [ -e "$out.parts/run.state" ] && had_state=1
  "$alvh" run "$cfg" -o "$out" "${opts[@]}" --resume 2>err.txt
  rc=$?
  if [ $rc -eq 0 ] && grep -q "nothing to resume" err.txt; then
    # a fresh start is allowed only when no work was lost: nothing recorded yet
    if [ $had_state -eq 1 ]; then echo "FAIL point $n: started afresh, but run.state existed"; fail=1; fi
  elif [ $rc -ne 0 ]; then
    echo "FAIL point $n: resume exit $rc: $(head -c 300 err.txt)"
    fail=1
    continue
  fi
  [ -e "$out.parts" ] && { echo "FAIL point $n: $out.parts left behind"; fail=1; }
  ls "$out".tmp-* >/dev/null 2>&1 && { echo "FAIL point $n: temporary files left behind"; fail=1; }
  files+=("$out")
done
[ $killed -ge 20 ] || { echo "FAIL only $killed fault points reached"; fail=1; }
"$py" "$here/h5_compare.py" ref.h5 "${files[@]}" >cmp.txt || { grep -v " 0 differ" cmp.txt | head; fail=1; }
echo "$killed kill points, ${#files[@]} resumed files compared with the uninterrupted run"
[ $fail -eq 0 ]
