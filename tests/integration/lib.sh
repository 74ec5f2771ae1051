# Helpers for integration tests (sourced by run.sh).
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
need_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || skip "needs $1"; }
# expect_rc WANT CMD...: runs CMD, fails unless it exits WANT. Output in $OUT.
expect_rc() {
        local want=$1; shift
        set +e; OUT=$("$@" 2>&1); local rc=$?; set -e
        [ "$rc" = "$want" ] || fail "'$*' exited $rc, want $want; output:
$OUT"
}
# expect_in NEEDLE: $OUT contains NEEDLE (fixed string).
expect_in() { grep -qF -- "$1" <<<"$OUT" || fail "output lacks '$1'; output:
$OUT"; }
expect_not_in() { ! grep -qF -- "$1" <<<"$OUT" || fail "output has '$1'; output:
$OUT"; }
# wait_for SECONDS CMD...: retries CMD every 0.1 s until it succeeds.
wait_for() {
        local t=$1; shift
        local end=$(( $(date +%s%N) + t * 1000000000 ))
        until "$@" >/dev/null 2>&1; do
                [ "$(date +%s%N)" -lt "$end" ] || return 1
                sleep 0.1
        done
}
