#!/usr/bin/env bash
# Git source benchmark (not a test): a repository of 1,000 manifests and
# 1,000 commits (made with git fast-import), then
#   clone:  file:// fetch into an empty cache + snapshot   vs  git clone --bare
#   fetch:  one more commit, fetch into the warm cache + snapshot  vs  git fetch
#   local:  snapshot of the repository read in place (no fetch)
#   commit: `git commit` in a local repository -> its new snapshot taken by
#           a process that follows the branch (inotify on the refs)
# Medians of RUNS runs (default 5), wall time of a whole process each.
#   tests/bench/bench_git.sh [BUILD_DIR]   (default: build)
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$SRC/build}" && pwd)
RUNS=${RUNS:-5}
W=$(mktemp -d /tmp/timone-bench-git.XXXXXX)
trap 'rm -rf "$W"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.org
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.org

# The probe, linked against the build's static libraries.
cc -O2 -std=gnu11 -D_GNU_SOURCE -I"$SRC" -o "$W/snap" "$SRC/tests/bench/git/bench_git_snap.c" \
        "$BUILD/sources/libsources.a" "$BUILD/common/libcommon.a" \
        $(pkg-config --libs libgit2 libarchive openssl) -linotifytools

manifest() { # N VERSION
        printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%04d\n  namespace: bench\ndata:\n  version: "%d"\n  payload: "%s"\n' \
                "$1" "$2" "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor"
}
blob() { local d; d=$(manifest "$1" "$2"); printf 'data %d\n%s\n' "$(( ${#d} + 1 ))" "$d"; }

gen() { # fast-import stream: commit 1 adds 1000 files, commits 2..1000 change one each
        local t=1700000000 i
        printf 'commit refs/heads/main\ncommitter Bench <bench@example.org> %d +0000\ndata 4\ninit\n' $t
        for i in $(seq 0 999); do
                printf 'M 100644 inline apps/group-%02d/cm-%04d.yaml\n' $((i % 50)) "$i"
                blob "$i" 0
        done
        for c in $(seq 2 1000); do
                i=$(( (c * 7919) % 1000 ))
                printf 'commit refs/heads/main\ncommitter Bench <bench@example.org> %d +0000\ndata 7\nchange\n' $((t + c))
                printf 'M 100644 inline apps/group-%02d/cm-%04d.yaml\n' $((i % 50)) "$i"
                blob "$i" "$c"
        done
}
git init -q --bare -b main "$W/origin.git"
gen | git -C "$W/origin.git" fast-import --quiet
git -C "$W/origin.git" gc -q
git clone -q "$W/origin.git" "$W/wt"

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1e6}'; }
one_more_commit() {
        local n=$(( RANDOM % 1000 ))
        manifest "$n" $(( 100000 + RANDOM )) >"$W/wt/apps/group-$(printf %02d $((n % 50)))/cm-$(printf %04d "$n").yaml"
        git -C "$W/wt" commit -q -am more && git -C "$W/wt" push -q origin main
}

URL="file://$W/origin.git#main"
: >"$W/clone.ours"; : >"$W/clone.git"; : >"$W/fetch.ours"; : >"$W/fetch.git"; : >"$W/local.ours"
: >"$W/commit.ours"
for r in $(seq "$RUNS"); do
        rm -rf "$W/state" "$W/floor.git"; mkdir "$W/state"
        t0=$(now); "$W/snap" "$URL" "$W/state" >"$W/out"; t1=$(now)
        echo $((t1 - t0)) >>"$W/clone.ours"
        t0=$(now); git clone -q --bare "file://$W/origin.git" "$W/floor.git"; t1=$(now)
        echo $((t1 - t0)) >>"$W/clone.git"
        one_more_commit
        t0=$(now); "$W/snap" "$URL" "$W/state" >"$W/out2"; t1=$(now)
        echo $((t1 - t0)) >>"$W/fetch.ours"
        t0=$(now); git -C "$W/floor.git" fetch -q origin '+refs/heads/*:refs/heads/*'; t1=$(now)
        echo $((t1 - t0)) >>"$W/fetch.git"
        t0=$(now); "$W/snap" "$W/origin.git#main" "$W/state" >/dev/null; t1=$(now)
        echo $((t1 - t0)) >>"$W/local.ours"
        # commit -> snapshot, following the work tree's branch
        coproc PROBE { "$W/snap" --watch "$W/wt#main" "$W/state"; }
        exec {probe_out}<&"${PROBE[0]}"
        probe_pid=$PROBE_PID
        read -r ready <&"$probe_out"
        [ "$ready" = ready ] || { echo "probe failed" >&2; exit 1; }
        n=$(( RANDOM % 1000 ))
        manifest "$n" $(( 200000 + RANDOM )) >"$W/wt/apps/group-$(printf %02d $((n % 50)))/cm-$(printf %04d "$n").yaml"
        git -C "$W/wt" add -A
        t0=$(now); git -C "$W/wt" commit -q -m watched
        read -r t1 _ <&"$probe_out"
        wait "$probe_pid" || true
        exec {probe_out}<&-
        echo $((t1 - t0)) >>"$W/commit.ours"
        git -C "$W/wt" push -q origin main
done
read -r files bytes _ <"$W/out"
commits=$(git -C "$W/origin.git" rev-list --count main)
echo "repository: $files manifests ($bytes bytes), $commits commits, pack $(du -sh "$W/origin.git/objects" | cut -f1); medians of $RUNS runs (ms)"
printf '%-34s %10s %10s\n' "operation" "timone" "git floor"
printf '%-34s %10s %10s\n' "clone into empty cache + snapshot" "$(median <"$W/clone.ours")" "$(median <"$W/clone.git")"
printf '%-34s %10s %10s\n' "fetch 1 new commit + snapshot" "$(median <"$W/fetch.ours")" "$(median <"$W/fetch.git")"
printf '%-34s %10s %10s\n' "snapshot of a local repository" "$(median <"$W/local.ours")" "-"
printf '%-34s %10s %10s\n' "git commit -> new snapshot (watch)" "$(median <"$W/commit.ours")" "-"
