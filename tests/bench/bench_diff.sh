#!/usr/bin/env bash
# Benchmark (not a test) of `timone diff` and `timone apply` on N generated
# objects, next to the floor: a bare libyaml parse of the same files.
#   bench_diff.sh [BUILDDIR] [N] [RUNS]     (defaults: build, 10000, 5)
#   BENCH_IR=1 also prints callgrind instruction counts (steady on a busy machine)
# Prints a table: median wall and CPU (user + system) time of RUNS runs,
# objects per second (by wall time), peak RSS, and the ratio of CPU time to
# the floor's (steadier than wall time when the machine is shared). Goal: diff of 10,000 objects < 1 s,
# < 3x the floor, < 64 MiB.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../../build}" && pwd)
n=${2:-10000}
runs=${3:-5}
timone=${TIMONE_BIN:-$build/timone}
floor=$build/tests/bench/bench_yaml_floor
run=$build/tests/bench/bench_run
for b in "$timone" "$floor" "$run"; do
        [ -x "$b" ] || { echo "bench_diff: $b is not built" >&2; exit 2; }
done
work=$(mktemp -d /tmp/timone-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$here/gen_manifests.sh" "$n" "$work/m"
"$here/gen_manifests.sh" "$n" "$work/m2" 1 # a third of the objects changed
files=("$work"/m/*.yaml)
bytes=$(cat "${files[@]}" | wc -c)

# measure NAME WANT_RC SETUP CMD...: runs CMD $runs times (SETUP before each,
# untimed) and prints one table row from the medians.
floor_ms=""
measure() {
        local name=$1 want=$2 setup=$3; shift 3
        local times=() cpus=() rss=() i out ms cpu kb rc
        for ((i = 0; i < runs; i++)); do
                eval "$setup"
                out=$("$run" "$@" 2>&1 >/dev/null | tail -n 1)
                read -r ms cpu kb rc <<<"$out"
                [ "$rc" = "$want" ] || { echo "bench_diff: $name exited $rc, want $want" >&2; exit 1; }
                times+=("$ms")
                cpus+=("$cpu")
                rss+=("$kb")
        done
        local med_ms med_cpu med_kb
        med_ms=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
        med_cpu=$(printf '%s\n' "${cpus[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
        med_kb=$(printf '%s\n' "${rss[@]}" | sort -n | tail -n 1)
        [ -n "$floor_ms" ] || floor_ms=$med_cpu
        awk -v name="$name" -v ms="$med_ms" -v cpu="$med_cpu" -v kb="$med_kb" -v n="$n" -v f="$floor_ms" 'BEGIN {
                printf "%-28s %9.1f %9.1f %11.0f %9.1f %9.2fx\n", name, ms, cpu, n / (ms / 1000), kb / 1024, cpu / f }'
}

echo "timone diff benchmark: $n objects in ${#files[@]} files ($((bytes / 1024)) KiB), median of $runs runs"
echo "machine: $(nproc) CPUs, $(uname -m), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-28s %9s %9s %11s %9s %10s\n' "phase" "wall ms" "cpu ms" "objects/s" "peak MiB" "cpu/floor"
measure "floor (bare libyaml parse)" 0 ":" "$floor" "${files[@]}"
measure "diff, empty state" 1 "rm -rf '$work/st'" "$timone" diff --state "$work/st" "$work/m"
measure "diff -q, empty state" 1 "rm -rf '$work/st'" "$timone" diff -q --state "$work/st" "$work/m"
measure "apply, empty state" 0 "rm -rf '$work/st'" "$timone" apply --state "$work/st" "$work/m"
measure "diff, all unchanged" 0 ":" "$timone" diff --state "$work/st" "$work/m"
measure "diff, 1/3 changed" 1 ":" "$timone" diff --state "$work/st" "$work/m2"
measure "apply, all unchanged" 0 ":" "$timone" apply --state "$work/st" "$work/m"

# BENCH_IR=1: instruction counts under callgrind as well (one run each),
# repeatable to the instruction when the machine is too loaded for the
# times above to mean much.
if [ "${BENCH_IR:-0}" = 1 ]; then
        command -v valgrind >/dev/null || { echo "bench_diff: BENCH_IR=1 needs valgrind" >&2; exit 2; }
        ir() { # ir CMD...: instructions executed by CMD
                valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
                        sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
        }
        rm -rf "$work/st"
        "$timone" apply --state "$work/st" "$work/m" >/dev/null
        floor_ir=$(ir "$floor" "${files[@]}")
        printf '\n%-28s %15s %10s\n' "phase (callgrind)" "instructions" "x floor"
        row() { awk -v n="$1" -v i="$2" -v f="$floor_ir" 'BEGIN { printf "%-28s %15.0f %9.2fx\n", n, i, i / f }'; }
        row "floor (bare libyaml parse)" "$floor_ir"
        row "diff -q, empty state" "$(ir "$timone" diff -q --state "$work/none" "$work/m")"
        row "diff, all unchanged" "$(ir "$timone" diff --state "$work/st" "$work/m")"
        row "diff, 1/3 changed" "$(ir "$timone" diff --state "$work/st" "$work/m2")"
fi
