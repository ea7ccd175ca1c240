#!/usr/bin/env bash
# Run a faasim sweep on Slurm as a job array of N shards (docs/sweeps.md, "Sharding and Slurm").
#
# Submit (on the login node):
#
#   scripts/slurm-sweep.sh submit --shards 8 [options] SWEEP.toml OUT_DIR [-- FAASIM_FLAGS...]
#
#   --shards N        number of shards = array tasks (required; at most the sweep's batch count)
#   --only K[,K...]   submit only these shards of the N (re-run one shard; same N as before)
#   --cpus C          CPUs per task = worker threads (default 4)
#   --mem SIZE        memory per task, as sbatch --mem (default 1G)
#   --time T          time limit per task, as sbatch --time (default 04:00:00)
#   --logs DIR        where Slurm writes the task logs (default OUT_DIR.logs, created)
#   --faasim PATH     the faasim binary (default $FAASIM, else `faasim` on PATH); checked here
#   --verify-after    also submit a final `--resume --verify` job that starts when the array ends
#   --sbatch-arg ARG  pass ARG to sbatch (repeatable: --sbatch-arg=--partition=short)
#   --dry-run         print the sbatch commands instead of running them
#   -- FLAGS...       passed to every `faasim sweep` (e.g. -- --no-telemetry)
#
# Each array task runs `scripts/slurm-sweep.sh task --shards N ...`: shard K is the array task
# id itself (not its offset in the array), so `--only 3` or `sbatch --array=3` re-runs exactly
# shard 3/N. Every task passes --resume: a requeued task skips the batches it committed.
#
# Run one shard by hand, anywhere (no Slurm needed):
#
#   faasim sweep SWEEP.toml --out OUT_DIR --shard 3/8 --resume
set -euo pipefail

script=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")

usage() {
  sed -n '2,21p' "$script" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

die() {
  echo "slurm-sweep.sh: $*" >&2
  exit 2
}

is_count() { [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ]; }

# The faasim binary as an absolute path, or a clear error.
resolve_faasim() {
  local given=$1 found
  if [[ $given == */* ]]; then
    [ -x "$given" ] && [ -f "$given" ] || die "--faasim $given: not an executable file"
    found=$(cd "$(dirname "$given")" && pwd)/$(basename "$given")
  else
    found=$(command -v "$given" 2>/dev/null) \
      || die "no \`$given\` on PATH: build it (cargo build --release) and pass --faasim target/release/faasim, or set FAASIM"
  fi
  echo "$found"
}

[ $# -ge 1 ] || usage
mode=$1
shift
case $mode in
  submit | task) ;;
  -h | --help) usage ;;
  *) die "unknown mode \`$mode\`: expected \`submit\` or \`task\` (see --help)" ;;
esac

shards= only= cpus=4 mem=1G time=04:00:00 logs= faasim=${FAASIM:-faasim} verify_after=0 dry_run=0
jobs=
sbatch_args=()
positional=()
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --shards) shards=${2:?--shards needs a value}; shift 2 ;;
    --only) only=${2:?--only needs a value}; shift 2 ;;
    --cpus) cpus=${2:?--cpus needs a value}; shift 2 ;;
    --mem) mem=${2:?--mem needs a value}; shift 2 ;;
    --time) time=${2:?--time needs a value}; shift 2 ;;
    --logs) logs=${2:?--logs needs a value}; shift 2 ;;
    --faasim) faasim=${2:?--faasim needs a value}; shift 2 ;;
    --jobs) jobs=${2:?--jobs needs a value}; shift 2 ;;
    --sbatch-arg=*) sbatch_args+=("${1#--sbatch-arg=}"); shift ;;
    --sbatch-arg) sbatch_args+=("${2:?--sbatch-arg needs a value}"); shift 2 ;;
    --verify-after) verify_after=1; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h | --help) usage ;;
    --) shift; extra=("$@"); break ;;
    -*) die "unknown option $1 (faasim flags go after --)" ;;
    *) positional+=("$1"); shift ;;
  esac
done
[ ${#positional[@]} -eq 2 ] || die "expected SWEEP.toml and OUT_DIR, got ${#positional[@]} arguments"
spec=${positional[0]}
out=${positional[1]}
[ -n "$shards" ] || die "--shards N is required (the number of array tasks; at most the sweep's batches)"
is_count "$shards" || die "--shards $shards: expected a whole number >= 1"

if [ "$mode" = task ]; then
  # Inside an array task: the shard is the task id, explicitly of N.
  : "${SLURM_ARRAY_TASK_ID:?not an array task: submit with scripts/slurm-sweep.sh submit}"
  shard=$SLURM_ARRAY_TASK_ID
  [ "$shard" -lt "$shards" ] || die "array task $shard is not a shard of $shards (ids 0..$((shards - 1)))"
  bin=$(resolve_faasim "$faasim")
  echo "faasim sweep $spec: shard $shard/$shards on $(hostname) with ${SLURM_CPUS_PER_TASK:-all} CPUs" >&2
  exec "$bin" sweep "$spec" --out "$out" --shard "$shard/$shards" \
    --jobs "${jobs:-${SLURM_CPUS_PER_TASK:-0}}" --resume "${extra[@]}"
fi

# submit
is_count "$cpus" || die "--cpus $cpus: expected a whole number >= 1"
[ -f "$spec" ] || die "$spec: no such sweep file"
bin=$(resolve_faasim "$faasim")
if [ -n "$only" ]; then
  [[ $only =~ ^[0-9]+(,[0-9]+)*$ ]] || die "--only $only: expected shard numbers such as 3 or 1,5"
  for k in ${only//,/ }; do
    [ "$k" -lt "$shards" ] || die "--only $k: not a shard of $shards (0..$((shards - 1)))"
  done
  array=$only
else
  array=0-$((shards - 1))
fi
logs=${logs:-${out%/}.logs}
abs_spec=$(cd "$(dirname "$spec")" && pwd)/$(basename "$spec")
mkdir -p "$(dirname "$out")"
abs_out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

run() {
  if [ "$dry_run" = 1 ]; then
    printf '%q ' "$@" >&2
    echo >&2
    echo 0
  else
    "$@"
  fi
}

[ "$dry_run" = 1 ] || mkdir -p "$logs"
job=$(run sbatch --parsable --job-name=faasim-sweep --array="$array" \
  --cpus-per-task="$cpus" --mem="$mem" --time="$time" --requeue \
  --output="$logs/faasim-sweep-%A_%a.log" "${sbatch_args[@]}" \
  "$script" task --shards "$shards" --faasim "$bin" "$abs_spec" "$abs_out" -- "${extra[@]}")
job=${job%%;*}
echo "submitted array job $job: shards $array of $shards, logs in $logs" >&2
if [ "$verify_after" = 1 ]; then
  check=$(run sbatch --parsable --job-name=faasim-verify --dependency="afterany:$job" \
    --cpus-per-task="$cpus" --mem="$mem" --time="$time" \
    --output="$logs/faasim-verify-%j.log" "${sbatch_args[@]}" \
    --wrap="$(printf '%q ' "$bin" sweep "$abs_spec" --out "$abs_out" --jobs "$cpus" --resume --verify "${extra[@]}")")
  echo "submitted verify job ${check%%;*} (after $job): runs what is missing or corrupt" >&2
fi
echo "$job"
