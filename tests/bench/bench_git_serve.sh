#!/usr/bin/env bash
# Benchmark (not a test): time from `git commit` in a local repository to
# the new revision applied by `timone serve` (inotify on the refs), median
# of N commits, next to the floor: the `git commit` itself.
#   bench_git_serve.sh [BUILDDIR] [N]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build}
N=${2:-15}
export TIMONE="$BUILD/timone"
WORK=$(mktemp -d /tmp/timone-bench-gs.XXXXXX)
export WORK
cleanup() { rm -rf "$WORK"; }
source "$SRC/tests/integration/lib.sh"
source "$SRC/tests/integration/pods-lib.sh"

REPO=$WORK/fleet
git init -q -b main "$REPO"
git -C "$REPO" config user.email bench@example.org
git -C "$REPO" config user.name Bench
cm() { printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: "%s"\n' "$1" >"$REPO/cm.yaml"; }
cm 0
git -C "$REPO" add -A && git -C "$REPO" commit -qm "level 0"
SITE="$REPO#main"
serve
applied() { [ "$(grep -c 'revision applied' "$WORK/serve.log")" -ge "$1" ]; }
wait_for 30 applied 1 || { echo "serve did not apply the first revision" >&2; exit 1; }

lat=() commit_ms=()
for i in $(seq 1 "$N"); do
        cm "$i"
        git -C "$REPO" add -A
        before=$(grep -c 'revision applied' "$WORK/serve.log")
        t0=$(date +%s%N)
        git -C "$REPO" commit -qm "level $i"
        t1=$(date +%s%N)
        until applied $((before + 1)); do sleep 0.005; done
        t2=$(date +%s%N)
        commit_ms+=($(((t1 - t0) / 1000000)))
        lat+=($(((t2 - t0) / 1000000)))
        sleep 0.3
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
serve_stop
printf '| measure (median of %d, load %s) | ms |\n|---|---|\n' "$N" "$(cut -d' ' -f1 /proc/loadavg)"
printf '| git commit → revision applied by serve | %s |\n' "$(median "${lat[@]}")"
printf '| floor: the git commit itself | %s |\n' "$(median "${commit_ms[@]}")"
printf '| serve debounce included | 100 |\n'
