#!/usr/bin/env bash
# The faasim / dslab-faas side-by-side of docs/performance.md: the azure-like workload at several
# loads, faasim and the dslab-faas driver run alternately (never at the same time), each process
# timed by /usr/bin/time. Prints one line per run and the CPU-time and peak-RSS ratios per load.
#
#   scripts/dslab-compare.sh [--reps N] [--rps "10 100 1000"] [--horizon-s 3600] [--mode one|watchdog]
#
# Needs a release build of faasim (cargo build --release) and of the driver
# (bench/dslab-driver/setup.sh, then cargo build --release in bench/dslab-driver).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
reps=3
loads="10 100 1000"
horizon=3600
mode=one
while [ $# -gt 0 ]; do
    case $1 in
        --reps) reps=$2; shift 2 ;;
        --rps) loads=$2; shift 2 ;;
        --horizon-s) horizon=$2; shift 2 ;;
        --mode) mode=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
faasim=${FAASIM:-${CARGO_TARGET_DIR:-$root/target}/release/faasim}
driver=${DSLAB_DRIVER:-$root/bench/dslab-driver/target/release/dslab-driver}
case $mode in
    one) scenario=$root/experiments/bench/azure-like-one.toml; workers=1 ;;
    watchdog) scenario=$root/experiments/bench/azure-like-watchdog.toml; workers=4 ;;
    *) echo "--mode one|watchdog" >&2; exit 2 ;;
esac
for exe in "$faasim" "$driver"; do
    [ -x "$exe" ] || { echo "missing $exe (see the header of this script)" >&2; exit 2; }
done
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
uptime
# Appends "cpu_s rss_kb" of one timed command to $scratch/$1.
timed() {
    local key=$1; shift
    /usr/bin/time -f "%U %S %M" -o "$scratch/time" "$@" > /dev/null
    read -r user sys rss < "$scratch/time"
    cpu=$(echo "$user + $sys" | bc -l)
    echo "$cpu $rss" >> "$scratch/$key"
    printf '%-8s rps=%-5s cpu %7.2f s  peak RSS %7.1f MiB\n' "${key%%-*}" "$rps" "$cpu" "$(echo "$rss / 1024" | bc -l)"
}
for rps in $loads; do
    per_function=$(printf "%.6f" "$(echo "$rps / 30" | bc -l)")
    for _ in $(seq "$reps"); do
        timed "faasim-$rps" "$faasim" run "$scenario" --quiet --out "$scratch/out" \
            --set "run.horizon_s=$horizon" --set "workloads.*.rate.constant.rps=$per_function"
        timed "dslab-$rps" "$driver" --rps "$rps" --horizon-s "$horizon" --workers "$workers"
    done
done
echo
printf '%-6s %-10s %12s %12s %14s %14s\n' rps mode "faasim cpu" "dslab cpu" "speed-up" "RSS faasim/dslab"
for rps in $loads; do
    # Medians over the repetitions.
    med() { sort -n -k"$2" "$scratch/$1" | awk -v k="$2" '{v[NR]=$k} END {print v[int((NR+1)/2)]}'; }
    fc=$(med "faasim-$rps" 1); dc=$(med "dslab-$rps" 1)
    fr=$(med "faasim-$rps" 2); dr=$(med "dslab-$rps" 2)
    printf '%-6s %-10s %10.2f s %10.2f s %13.2fx %6.0f/%-6.0f MiB\n' "$rps" "$mode" "$fc" "$dc" \
        "$(echo "$dc / $fc" | bc -l)" "$(echo "$fr / 1024" | bc -l)" "$(echo "$dr / 1024" | bc -l)"
done
