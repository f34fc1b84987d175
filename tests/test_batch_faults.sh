#!/usr/bin/env bash
# Batch directories an operator (or another run) damaged, each resumed to the
# uninterrupted run's datasets or refused with a message naming the cause:
# a checkpoint of another run, a second run on the same -o, swapped or
# corrupted part files, corrupt checkpoints, stale temporary files.
# Usage: test_batch_faults.sh path/to/alvh python3 config.yaml
set -u
alvh="$1"
py="$2"
cfg="$3"
here="$(cd "$(dirname "$0")" && pwd)"
dir=$(mktemp -d)
trap 'rm -rf "$dir"; [ -n "${bg:-}" ] && kill -9 "$bg" 2>/dev/null' EXIT
cd "$dir"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
opts=(--quiet --checkpoint-blocks 2 --checkpoint-seconds 0)
same() { "$py" "$here/h5_compare.py" ref.h5 "$1" >/dev/null && ok || bad "$2: datasets differ from the uninterrupted run"; }
# the number of the first fault point named $1 (io/fault.h)
point() { ALVH_FAULT_VERBOSE=1 ALVH_FAULT_KILL_AT=100000 "$alvh" run "$cfg" -o probe.h5 "${opts[@]}" 2>&1 |
  grep -m1 "($1)" | sed 's/^alvh: fault point \([0-9]*\).*/\1/'; rm -f probe.h5; }
kill_at() { ALVH_FAULT_KILL_AT=$1 "$alvh" run "$cfg" -o "$2" "${opts[@]}" "${@:3}" 2>/dev/null; }

"$alvh" run "$cfg" -o ref.h5 "${opts[@]}" || bad "reference run"
p_ckpt=$(point "checkpoint: renamed")
p_copy=$(point "final file: scenario copied")
[ -n "$p_ckpt" ] && [ -n "$p_copy" ] && ok || bad "fault points not found"
p_ckpt2=$((p_ckpt + 7)) # a later checkpoint of the first scenario, so previous.ckpt exists too

# a checkpoint written by another run (another seed) is refused, naming the seed
kill_at "$p_ckpt2" a.h5 --seed 1
kill_at "$p_ckpt2" b.h5 --seed 2
cp a.h5.parts/current.ckpt b.h5.parts/current.ckpt
"$alvh" run "$cfg" -o b.h5 "${opts[@]}" --seed 2 --resume 2>err.txt
[ $? -eq 2 ] && grep -q "not this run's: seed 1 .* 2 " err.txt && ok || bad "foreign checkpoint: $(cat err.txt)"
# ... and a resume with another seed than the interrupted run's names both
"$alvh" run "$cfg" -o a.h5 "${opts[@]}" --seed 3 --resume 2>err.txt
[ $? -eq 2 ] && grep -q "seed differs .*interrupted: 1, now: 3" err.txt && ok || bad "other seed: $(cat err.txt)"

# the config path spelled another way (and another thread count) is the same run
kill_at "$p_ckpt2" p.h5
"$alvh" run "$(dirname "$cfg")/./$(basename "$cfg")" -o p.h5 "${opts[@]}" --threads 1 --resume 2>err.txt ||
  bad "config path spelled otherwise: $(cat err.txt)"
same p.h5 "config path spelled otherwise"

# a corrupt current checkpoint: the previous one is used; both corrupt: the scenario starts again
for both in 0 1; do
  rm -rf c.h5*
  kill_at "$p_ckpt2" c.h5
  [ -f c.h5.parts/previous.ckpt ] && ok || bad "no previous checkpoint"
  printf 'garbage' | dd of=c.h5.parts/current.ckpt bs=1 seek=200 conv=notrunc 2>/dev/null
  [ $both -eq 1 ] && printf 'garbage' | dd of=c.h5.parts/previous.ckpt bs=1 seek=200 conv=notrunc 2>/dev/null
  "$alvh" run "$cfg" -o c.h5 "${opts[@]}" --resume 2>err.txt || bad "corrupt checkpoint ($both): exit $?"
  want="continuing from the previous checkpoint"
  [ $both -eq 1 ] && want="starts again from its first block"
  grep -q "checksum mismatch" err.txt && grep -q "$want" err.txt && ok || bad "corrupt checkpoint ($both): $(cat err.txt)"
  same c.h5 "corrupt checkpoint ($both)"
done

# part files swapped or corrupted after they were recorded: computed again
kill_at "$p_copy" s.h5
[ -f s.h5.parts/scenario-0000.h5 ] && [ -f s.h5.parts/scenario-0001.h5 ] && ok || bad "parts missing before the swap"
mv s.h5.parts/scenario-0000.h5 x && mv s.h5.parts/scenario-0001.h5 s.h5.parts/scenario-0000.h5 &&
  mv x s.h5.parts/scenario-0001.h5
"$alvh" run "$cfg" -o s.h5 "${opts[@]}" --resume 2>err.txt || bad "swapped parts: exit $?"
[ "$(grep -c "does not match its checksum" err.txt)" -eq 2 ] && ok || bad "swapped parts not detected: $(cat err.txt)"
same s.h5 "swapped parts"
rm -f s.h5
kill_at "$p_copy" s.h5
printf '\377' | dd of=s.h5.parts/scenario-0001.h5 bs=1 seek=5000 conv=notrunc 2>/dev/null
"$alvh" run "$cfg" -o s.h5 "${opts[@]}" --resume 2>err.txt || bad "corrupt part: exit $?"
grep -q "scenario-0001.h5 is missing or does not match" err.txt && ok || bad "corrupt part not detected: $(cat err.txt)"
same s.h5 "corrupt part"

# a second run on the same -o is refused with the first one's PID
"$alvh" run -o l.h5 --quiet --paths 10000000 --summaries histogram --threads 1 2>/dev/null &
bg=$!
for _ in $(seq 1 200); do [ -s l.h5.parts/lock ] && break; sleep 0.05; done
"$alvh" run "$cfg" -o l.h5 "${opts[@]}" 2>err.txt
[ $? -eq 2 ] && grep -q "in use by another alvh run (PID $bg)" err.txt && ok || bad "second run: $(cat err.txt)"
kill -9 "$bg" 2>/dev/null
wait "$bg" 2>/dev/null
bg=
# the lock died with its process: the next run may go
"$alvh" run "$cfg" -o l.h5 "${opts[@]}" && same l.h5 "run after a killed lock holder"

# temporary files of a killed run are removed by the next one (only those of dead processes)
touch t.h5.tmp-999999999 "t.h5.tmp-$$"
mkdir t.h5.parts && touch t.h5.parts/current.ckpt.tmp t.h5.parts/scenario-0000.h5.tmp-123
"$alvh" run "$cfg" -o t.h5 "${opts[@]}" 2>err.txt
[ ! -e t.h5.tmp-999999999 ] && [ -e "t.h5.tmp-$$" ] && [ ! -e t.h5.parts ] && ok || bad "stale temporary files"
grep -q "removed t.h5.tmp-999999999" err.txt && ok || bad "removal not reported"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
