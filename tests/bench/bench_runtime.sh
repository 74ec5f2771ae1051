#!/usr/bin/env bash
# Container start time through timone's runtime driver next to the bare
# runtime on the same bundle, and the shim's memory (PSS) while a
# container runs. Not a timed test; prints figures.
#   tests/bench/bench_runtime.sh [BUILD_DIR] [RUNS]
# BUILD_DIR defaults to ./build, RUNS to 10. Needs root, busybox-static,
# crun and/or runc (TIMONE_BENCH_RUNTIME=crun|runc to pick one).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
runs=${2:-10}
[ "$(id -u)" = 0 ] || { echo "bench_runtime: needs root" >&2; exit 77; }
ninja -C "$build" executors/timone-shim tests/executors/test_runtime_bench >/dev/null
echo "# $(date -u +%FT%TZ) $(uname -m), load: $(cut -d' ' -f1-3 /proc/loadavg)"
TIMONE_BUILDDIR="$build" TIMONE_BENCH_N="$runs" "$build/tests/executors/test_runtime_bench"
