#!/usr/bin/env bash
# Runs one integration test script in a scratch directory.
#   run.sh TEST.sh
# The script gets: $TIMONE (binary), $SRC (source tree), $WORK (scratch dir,
# removed afterwards), and the helpers in lib.sh. Exit 77 means skipped.
set -euo pipefail
export TIMONE="${TIMONE_BIN:?}"
export SRC="${TIMONE_SRCDIR:?}"
WORK=$(mktemp -d /tmp/timone-it.XXXXXX)
export WORK
cleanup() {
        local rc=$?
        if [ -n "${KEEP_WORK:-}" ]; then echo "work dir kept: $WORK"; else rm -rf "$WORK"; fi
        exit $rc
}
trap cleanup EXIT
source "$SRC/tests/integration/lib.sh"
cd "$WORK"
if [ -n "${TRACE:-}" ]; then set -x; fi
source "$1"
