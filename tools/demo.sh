#!/usr/bin/env bash
# The main job on examples/, from a fresh Debian 12 machine, as root:
# installs the Debian packages, builds timone, shows the plan for examples/
# (`timone diff`), applies it and lists what is there.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
if [ -f build/build.ninja ]; then meson setup --reconfigure build >/dev/null; else meson setup build >/dev/null; fi
ninja -C build
T=./build/timone
STATE=${TIMONE_STATE:-/var/lib/timone}
echo
echo "\$ timone diff examples/ --state $STATE"
set +e; $T diff examples/ --state "$STATE"; rc=$?; set -e
echo "(exit $rc: 0 nothing to do, 1 changes, 2 invalid input)"
[ "$rc" -le 1 ] || exit "$rc"
echo
echo "\$ timone apply examples/ --state $STATE"
$T apply examples/ --state "$STATE"
echo
echo "\$ timone get all -A --state $STATE"
$T get all -A --state "$STATE"
