#!/usr/bin/env bash
# Runs every benchmark (tests/bench/) on the default build and prints their
# tables; the README's figures come from here. As root on Debian 12.
#   tools/bench.sh [OUT.md]
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
if [ -f build/build.ninja ]; then meson setup --reconfigure build >/dev/null; else meson setup build >/dev/null; fi
ninja -C build >/dev/null
out=${1:-/tmp/timone-bench.md}
: >"$out"
run() {
        local title=$1; shift
        printf '\n## %s\n\n' "$title" | tee -a "$out"
        "$@" 2>&1 | tee -a "$out"
}
run "diff and apply, 10,000 objects (issue 2)" bash tests/bench/bench_diff.sh build 10000 5
run "pods through serve --local (issue 3)" bash tests/bench/bench_pods.sh build
run "container start, timone's driver vs the bare runtime" bash tests/bench/bench_runtime.sh build 10
run "git source: 1,000 manifests, 1,000 commits (issue 4)" bash tests/bench/bench_git.sh build
run "git commit to revision applied by serve (issue 4)" bash tests/bench/bench_git_serve.sh build 15
echo "tables saved to $out"
