#!/usr/bin/env bash
# Run a faasim sweep as a Slurm job array: array task K of N runs shard K/N of the sweep, i.e. the
# batches b with b mod N == K, and writes its part files into the shared output directory. The
# files are the same whatever N is, so the directory ends up identical to a one-machine run.
#
#   sbatch --array=0-7 scripts/slurm-sweep.sh experiments/sweep-schedulers.toml /scratch/$USER/schedulers
#
# The array must be contiguous (0-7, or 1-8: the shard is the task id minus the smallest id);
# its size is N. Every task passes --resume, so a requeued or re-submitted task skips the batches
# it already committed and recomputes only the rest; re-submitting the whole array after a crash
# finishes the sweep. To check that nothing is missing afterwards, run once more on any machine:
#
#   faasim sweep SPEC --out DIR --resume --verify      # runs only what is missing or corrupt
#
# Environment: FAASIM = the faasim binary (default: `faasim` on PATH). Each task uses all the
# CPUs Slurm gives it (--cpus-per-task) as worker threads; a run is single-threaded, so more CPUs
# per task means more runs at once. Memory per task stays flat with the sweep size (about two
# batches of runs are held at a time).
#
#SBATCH --job-name=faasim-sweep
#SBATCH --array=0-7
#SBATCH --cpus-per-task=8
#SBATCH --mem-per-cpu=1G
#SBATCH --time=04:00:00
#SBATCH --requeue
#SBATCH --output=faasim-sweep-%A_%a.log

set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: sbatch --array=0-(N-1) $0 SWEEP.toml OUT_DIR" >&2
  exit 2
fi
spec=$1
out=$2

: "${SLURM_ARRAY_TASK_ID:?not an array task: submit with sbatch --array=0-(N-1)}"
min=${SLURM_ARRAY_TASK_MIN:-0}
count=${SLURM_ARRAY_TASK_COUNT:-$(( ${SLURM_ARRAY_TASK_MAX:?} - min + 1 ))}
shard=$(( SLURM_ARRAY_TASK_ID - min ))

echo "faasim sweep ${spec}: shard ${shard}/${count} on $(hostname) with ${SLURM_CPUS_PER_TASK:-all} CPUs" >&2
exec "${FAASIM:-faasim}" sweep "$spec" \
  --out "$out" \
  --shard "${shard}/${count}" \
  --jobs "${SLURM_CPUS_PER_TASK:-0}" \
  --resume
