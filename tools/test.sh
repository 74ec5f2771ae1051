#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine, as root:
#   1. installs the Debian packages (tools/deps.sh),
#   2. builds and runs every test (unit, fuzz replays, integration with real
#      containers, namespaces and git servers on loopback),
#   3. builds again with AddressSanitizer + UndefinedBehaviorSanitizer and
#      runs the unit suites and fuzz replays there,
#   4. checks the C layout against .clang-format.
# Ends with one line "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bash tools/deps.sh

# A fresh machine has no ~/.gitconfig (no user.name, no credential helpers)
# and no ~/.ssh: run with an empty HOME so this machine behaves the same.
export HOME
HOME=$(mktemp -d /tmp/timone-ci-home.XXXXXX)
export GIT_CONFIG_NOSYSTEM=1
trap 'rm -rf "$HOME"' EXIT

phase_start=$SECONDS
phase() { # name; also says how long the step before took
        echo "== $1 (step before: $((SECONDS - phase_start))s)"
        phase_start=$SECONDS
}

summary() { # build dir -> "ok fail skip"; seconds per suite on stderr
        python3 - "$1/meson-logs/testlog.json" <<'PY' || echo "0 1 0"
import json, sys
ok = fail = skip = 0
suites = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    res = r["result"]
    if res in ("OK", "EXPECTEDFAIL"): ok += 1
    elif res == "SKIP": skip += 1
    else: fail += 1
    s = r["name"].split(" / ")[0].split(":")[-1]
    suites[s] = suites.get(s, 0) + r["duration"]
print("seconds per suite (sum of tests):",
      ", ".join("%s %.0f" % kv for kv in suites.items()), file=sys.stderr)
print(ok, fail, skip)
PY
}

setup() { # dir, options...
        local dir=$1; shift
        if [ -f "$dir/build.ninja" ]; then
                meson setup --reconfigure "$dir" "$@" >/dev/null
        else
                meson setup "$dir" "$@" >/dev/null
        fi
}

status=0
total_ok=0 total_fail=0 total_skip=0

phase "build and test (plain)"
setup build-test
ninja -C build-test
meson test -C build-test --print-errorlogs --num-processes 2 || status=1
read -r ok fail skip < <(summary build-test)
total_ok=$((total_ok + ok)) total_fail=$((total_fail + fail)) total_skip=$((total_skip + skip))

phase "unit tests and fuzz replays under ASan+UBSan"
setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
ninja -C build-asan
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
meson test -C build-asan --print-errorlogs --num-processes 2 \
        --suite common --suite resources --suite sources --suite engine --suite netsetup \
        --suite executors --suite fuzz || status=1
read -r ok fail skip < <(summary build-asan)
total_ok=$((total_ok + ok)) total_fail=$((total_fail + fail)) total_skip=$((total_skip + skip))
unset ASAN_OPTIONS UBSAN_OPTIONS

phase "layout (.clang-format)"
if bash tools/check-format.sh; then
        total_ok=$((total_ok + 1))
else
        total_fail=$((total_fail + 1))
        status=1
fi

phase "done (total ${SECONDS}s)"
echo "$total_ok passed, $total_fail failed, $total_skip skipped"
exit $status
