#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# `alvh run` end to end: a small run of the built-in default writes a result
# file that h5dump reads and `alvh summary` prints; 1 and 3 threads give
# bit-identical datasets; a run killed with SIGKILL mid-scenario and resumed
# gives the same datasets as an uninterrupted one; SIGTERM checkpoints and
# exits 5; resume refuses a changed configuration; checkpoints follow
# --checkpoint-blocks and --checkpoint-seconds; bad input writes nothing.
# Usage: test_run.sh path/to/alvh python3
set -u
alvh="$1"
py="$2"
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/test_lib.sh"

# a small run: 3000 paths, blocks of 1024 in the default config
if "$alvh" run --paths 3000 --threads 1 -o t1.h5 --quiet; then ok; else bad "run exit $?"; fi
[ -f t1.h5 ] && [ ! -e t1.h5.parts ] && ok || bad "t1.h5 missing or parts left behind"
if h5dump -H t1.h5 >/dev/null 2>&1; then ok; else bad "h5dump -H"; fi
"$alvh" summary t1.h5 --format json >s.json && "$py" -m json.tool s.json >/dev/null && ok || bad "summary json"
"$alvh" run --paths 3000 --threads 3 -o t3.h5 --quiet && "$py" "$here/h5_compare.py" t1.h5 t3.h5 >/dev/null &&
  ok || bad "1 vs 3 threads differ"

# the block size changes neither the paths nor the results (docs/config.md)
for bs in 256 1000 3000; do
  "$alvh" run --paths 3000 --threads 2 --set run.block_size=$bs -o b$bs.h5 --quiet &&
    "$py" "$here/h5_compare.py" t1.h5 b$bs.h5 >/dev/null && ok || bad "block_size $bs differs from 1024"
done

# kill -9 in the middle of the scenario, then resume
"$alvh" run --paths 40000 --threads 2 -o ref.h5 --quiet || bad "reference run"
"$alvh" run --paths 40000 --threads 2 -o k.h5 --quiet --checkpoint-blocks 2 --checkpoint-seconds 0 &
pid=$!
for _ in $(seq 1 400); do [ -f k.h5.parts/current.ckpt ] && break; sleep 0.02; done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [ -f k.h5.parts/current.ckpt ] && [ ! -e k.h5 ]; then ok; else bad "no checkpoint before the kill (or a final file)"; fi
# a resume with other settings is refused, naming the reason
"$alvh" run --paths 40001 --threads 2 -o k.h5 --quiet --resume 2>err.txt
[ $? -eq 2 ] && grep -q "run.paths (interrupted: 40000, now: 40001)" err.txt && ok ||
  bad "changed config not refused, naming the setting: $(cat err.txt)"
"$alvh" run --paths 40000 --set scenarios.0.spx.kappa=2.5 -o k.h5 --quiet --resume 2>err.txt
[ $? -eq 2 ] && grep -q "scenarios\[calm\].spx.kappa (interrupted: [0-9.]*, now: 2.5)" err.txt && ok ||
  bad "changed scenario key not named: $(cat err.txt)"
# another thread count is the same run (results do not depend on it)
"$alvh" run --paths 40000 --threads 1 -o k.h5 --quiet --resume || bad "resume exit $?"
"$py" "$here/h5_compare.py" ref.h5 k.h5 && ok || bad "resumed file differs from the uninterrupted run"

# SIGTERM: checkpoint and exit 5, then the printed command resumes, as printed
"$alvh" run --paths 40000 --threads 2 -o s.h5 --quiet --checkpoint-blocks 2 --checkpoint-seconds 0 \
  --set 'run.fan_quantiles=[0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]' 2>term.txt &
pid=$!
for _ in $(seq 1 400); do [ -f s.h5.parts/current.ckpt ] && break; sleep 0.02; done
kill -TERM "$pid"
wait "$pid"
rc=$?
[ $rc -eq 5 ] && ok || bad "SIGTERM exit $rc, expected 5"
again=$(sed -n 's/.*continue with: alvh run //p' term.txt)
[ -n "$again" ] && echo "$again" | grep -q -- "--paths 40000" && ok || bad "resume command incomplete: $(cat term.txt)"
eval "\"\$alvh\" run $again" && "$py" "$here/h5_compare.py" ref.h5 s.h5 >/dev/null && ok ||
  bad "the printed resume command failed or differs: $again"
# --resume with nothing to resume starts a fresh run and says so
"$alvh" run --paths 3000 --threads 1 -o fresh.h5 --quiet --resume 2>err.txt && grep -q "starting a fresh run" err.txt &&
  "$py" "$here/h5_compare.py" t1.h5 fresh.h5 >/dev/null && ok || bad "resume with nothing to resume: $(cat err.txt)"

# checkpoint pacing: one checkpoint per round of --checkpoint-blocks blocks when
# --checkpoint-seconds is 0 (none after the last round), none in a run shorter
# than --checkpoint-seconds; counted at the checkpoint's rename (io/fault.h)
ckpts() { ALVH_FAULT_VERBOSE=1 ALVH_FAULT_KILL_AT=1000000 "$alvh" run --paths 20000 --threads 2 -o pace.h5 --quiet \
  "$@" 2>&1 | grep -c "checkpoint: renamed"; rm -f pace.h5; }
n2=$(ckpts --checkpoint-blocks 2 --checkpoint-seconds 0)
n4=$(ckpts --checkpoint-blocks 4 --checkpoint-seconds 0)
nl=$(ckpts --checkpoint-blocks 2 --checkpoint-seconds 100000)
# 20000 paths are 20 blocks of 1024: 10 rounds of 2 (9 checkpoints), 5 of 4 (4)
[ "$n2" -eq 9 ] && [ "$n4" -eq 4 ] && [ "$nl" -eq 0 ] && ok || bad "checkpoint pacing: $n2, $n4, $nl (want 9, 4, 0)"

# MPI: 2 and 3 ranks give the same datasets as one process (when built with MPI)
if command -v mpirun >/dev/null && "$alvh" --version | grep -q "mpi yes"; then
  for np in 2 3; do
    mpirun --allow-run-as-root --oversubscribe -np "$np" "$alvh" run --paths 3000 --threads 1 -o mpi$np.h5 --quiet \
      >/dev/null 2>&1 && "$py" "$here/h5_compare.py" t1.h5 mpi$np.h5 >/dev/null && ok || bad "MPI $np ranks differ"
  done
  "$py" -c "import h5py,sys; sys.exit(0 if h5py.File('mpi3.h5').attrs['ranks'] == 3 else 1)" && ok ||
    bad "ranks attribute"
  # checkpoints under MPI: SIGUSR1 to mpirun (forwarded to every rank) checkpoints and exits 5;
  # the checkpoint is the whole scenario's, so 3 ranks, or one process, resume it bit for bit
  mpi() { mpirun --allow-run-as-root --oversubscribe -np "$@"; }
  # (and in histogram mode, whose checkpoint holds summed histograms and block moment rows instead)
  "$alvh" run --paths 40000 --threads 2 --summaries histogram -o href.h5 --quiet || bad "histogram reference run"
  for resume in 3 1 3h; do
    rm -rf m.h5 m.h5.parts
    mode=() ref=ref.h5
    [ "$resume" = 3h ] && mode=(--summaries histogram) ref=href.h5 resume=3
    # (mpirun itself in the background, not a function's subshell: $! must be its PID)
    mpirun --allow-run-as-root --oversubscribe -np 2 "$alvh" run --paths 40000 --threads 1 -o m.h5 --quiet \
      "${mode[@]}" --checkpoint-blocks 1 --checkpoint-seconds 0 2>musr.txt &
    mp=$!
    for _ in $(seq 1 400); do [ -f m.h5.parts/current.ckpt ] && break; sleep 0.02; done
    kill -USR1 "$mp"
    wait "$mp"
    rc=$?
    [ $rc -eq 5 ] && [ ! -e m.h5 ] && grep -q "checkpointed at [0-9]*/40000 paths; continue with: alvh run" musr.txt &&
      ok || bad "MPI SIGUSR1: exit $rc (expected 5): $(tail -c 300 musr.txt)"
    if [ "$resume" -eq 1 ]; then "$alvh" run --paths 40000 --threads 2 -o m.h5 --quiet "${mode[@]}" --resume
    else mpi "$resume" "$alvh" run --paths 40000 --threads 1 -o m.h5 --quiet "${mode[@]}" --resume; fi
    "$py" "$here/h5_compare.py" "$ref" m.h5 >/dev/null && ok ||
      bad "2-rank checkpoint resumed by $resume ${mode[*]} differs"
  done
  # a single-process checkpoint resumed by 2 ranks
  rm -rf m.h5 m.h5.parts
  "$alvh" run --paths 40000 --threads 2 -o m.h5 --quiet --checkpoint-blocks 2 --checkpoint-seconds 0 2>/dev/null &
  pid=$!
  for _ in $(seq 1 400); do [ -f m.h5.parts/current.ckpt ] && break; sleep 0.02; done
  kill -TERM "$pid"
  wait "$pid"
  mpi 2 "$alvh" run --paths 40000 --threads 1 -o m.h5 --quiet --resume &&
    "$py" "$here/h5_compare.py" ref.h5 m.h5 >/dev/null && ok || bad "single-process checkpoint resumed by 2 ranks"
else
  echo "# MPI not built or mpirun missing: MPI checks skipped"
fi
# without a process manager (`srun --mpi=none`: Slurm's variables, no PMI) one process runs, no MPI_Init abort
if env SLURM_JOB_ID=7 SLURM_JOBID=7 SLURM_STEP_ID=0 SLURM_STEPID=0 SLURM_PROCID=0 SLURM_NTASKS=1 SLURM_NNODES=1 \
  SLURM_NODELIST=localhost SLURM_STEP_NODELIST=localhost SLURM_LOCALID=0 SLURM_NODEID=0 \
  "$alvh" run --paths 3000 --threads 1 -o slurm.h5 --quiet 2>slurm.txt &&
  "$py" "$here/h5_compare.py" t1.h5 slurm.h5 >/dev/null; then ok; else bad "srun --mpi=none: $(head -c 300 slurm.txt)"; fi

# bad input: exit 2 and no output
printf 'run:\n  pathz: 10\n' >bad.yaml
"$alvh" run bad.yaml -o bad.h5 2>err.txt
[ $? -eq 2 ] && [ ! -e bad.h5 ] && [ ! -e bad.h5.parts ] && grep -q "bad.yaml:[0-9]*:[0-9]*:" err.txt && ok || bad "bad config"
"$alvh" run --scenario nosuch -o n.h5 2>/dev/null
[ $? -eq 2 ] && [ ! -e n.h5 ] && ok || bad "unknown scenario"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
