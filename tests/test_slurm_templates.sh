#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The sbatch templates of scripts/slurm/ run as Slurm would run their body,
# with `srun` and `scontrol` replaced by local stand-ins (no Slurm daemon
# here): one process on one node; 2 MPI ranks (mpirun) for the multi-node
# template when MPI is built; job-array tasks merged with `alvh merge`; a
# USR1 before the time limit makes the job checkpoint, exit 5 and requeue
# itself, and the requeued job resumes to the datasets of an uninterrupted run.
# Usage: test_slurm_templates.sh path/to/alvh python3
set -u
alvh="$1"
py="$2"
here="$(cd "$(dirname "$0")" && pwd)"
tpl="$here/../scripts/slurm"
. "$here/test_lib.sh"

mkdir shim
# srun: drop its own options, start SLURM_NTASKS tasks (mpirun for more than one)
cat >shim/srun <<'SH'
#!/usr/bin/env bash
while [ $# -gt 0 ] && [ "${1#-}" != "$1" ]; do shift; done
if [ "${SLURM_NTASKS:-1}" -gt 1 ]; then
  exec mpirun --allow-run-as-root --oversubscribe -np "$SLURM_NTASKS" "$@"
fi
exec "$@"
SH
printf '#!/usr/bin/env bash\necho "$@" >>scontrol.log\n' >shim/scontrol
chmod +x shim/srun shim/scontrol
export PATH="$dir/shim:$PATH" ALVH="$alvh" SLURM_CPUS_PER_TASK=2 SLURM_JOB_ID=4242
small="--paths 2000 --set run.horizon_steps=10 --quiet"

"$alvh" run $small -o ref.h5 || bad "reference run"
OUT=one.h5 CONFIG="$here/../configs/default.yaml" ALVH_ARGS="$small" bash "$tpl/single_node.sbatch" &&
  "$py" "$here/h5_compare.py" ref.h5 one.h5 >/dev/null && ok || bad "single_node.sbatch"

if command -v mpirun >/dev/null && "$alvh" --version | grep -q "mpi yes"; then
  SLURM_NTASKS=2 OUT=two.h5 CONFIG="$here/../configs/default.yaml" ALVH_ARGS="$small --threads 1" \
    bash "$tpl/multi_node.sbatch" && "$py" "$here/h5_compare.py" ref.h5 two.h5 >/dev/null && ok ||
    bad "multi_node.sbatch with 2 ranks"
else
  echo "# MPI not built or mpirun missing: multi_node.sbatch skipped"
fi

# a job array of the first two scenarios of the overnight config, then the merge
over="$here/../configs/overnight.yaml"
osmall="--paths 1000 --set run.horizon_steps=215 --quiet" # its injections reach step 214
"$alvh" run "$over" $osmall --scenario calm --scenario black_monday_1987 -o both.h5 || bad "two-scenario run"
for t in 1 0; do
  SLURM_ARRAY_TASK_ID=$t CONFIG="$over" ALVH_ARGS="$osmall" bash "$tpl/job_array.sbatch" || bad "array task $t"
done
"$alvh" merge merged.h5 task-*.h5 >/dev/null && "$py" "$here/h5_compare.py" both.h5 merged.h5 >/dev/null && ok ||
  bad "job_array.sbatch tasks merged differ from one run"
SLURM_ARRAY_TASK_ID=99 CONFIG="$over" bash "$tpl/job_array.sbatch" 2>/dev/null
[ $? -eq 2 ] && ok || bad "array task beyond the scenarios"

# the time limit's warning: USR1 to the task, checkpoint, exit 5, requeue; the requeued job resumes
big="--paths 40000 --checkpoint-blocks 2 --checkpoint-seconds 0 --quiet"
"$alvh" run --paths 40000 --quiet -o ref40.h5 || bad "reference run (40000 paths)"
OUT=req.h5 CONFIG="$here/../configs/default.yaml" ALVH_ARGS="$big" bash "$tpl/single_node.sbatch" 2>req.txt &
job=$!
for _ in $(seq 1 400); do [ -f req.h5.parts/current.ckpt ] && break; sleep 0.02; done
pkill -USR1 -f "run .*-o req.h5"
wait "$job"
rc=$?
[ $rc -eq 5 ] && grep -q "^requeue 4242$" scontrol.log && [ ! -e req.h5 ] && ok ||
  bad "USR1: exit $rc, scontrol: $(cat scontrol.log 2>/dev/null), $(tail -c 200 req.txt)"
OUT=req.h5 CONFIG="$here/../configs/default.yaml" ALVH_ARGS="$big" bash "$tpl/single_node.sbatch" &&
  "$py" "$here/h5_compare.py" ref40.h5 req.h5 >/dev/null && ok || bad "the requeued job's resume differs"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
