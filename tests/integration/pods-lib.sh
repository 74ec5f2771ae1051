# Shared set-up for the pod tests (pods_*.sh): `timone serve --local` in a
# network namespace of its own (tmp-node-PID) that plays the node, a state
# directory in $WORK, the busybox image imported, and a clean-up that
# removes every container, mount and cgroup a failure may leave.
need_root
need_cmd nsenter
need_cmd ip
need_cmd jq
[ -x /bin/busybox ] || skip "needs busybox-static"
command -v crun >/dev/null 2>&1 || command -v runc >/dev/null 2>&1 || skip "needs crun or runc"
if command -v crun >/dev/null 2>&1; then
        mkdir -p /sys/fs/cgroup/hugetlb
        mountpoint -q /sys/fs/cgroup/hugetlb || mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb || true
fi

S=$WORK/state
SITE=$WORK/site
BR=tmpbr$$
NODE=tmp-node-$$
NET=10.43.$(($$ % 200 + 20))
mkdir -p "$SITE"
"$SRC/tools/make-busybox-image.sh" "$WORK/img.tar" >/dev/null
"$TIMONE" image --state "$S" import "$WORK/img.tar" >/dev/null

SP=
SERVE_ARGS=()
pods_cleanup() {
        [ -n "$SP" ] && kill -9 "$SP" 2>/dev/null && wait "$SP" 2>/dev/null || true
        if [ -d "$S/runtime" ]; then
                for rt in crun runc; do
                        command -v $rt >/dev/null 2>&1 || continue
                        for id in $($rt --root "$S/runtime" list -q 2>/dev/null); do
                                $rt --root "$S/runtime" delete -f "$id" >/dev/null 2>&1 || true
                        done
                done
        fi
        pkill -9 -f "timone-shim .*$S/" 2>/dev/null || true
        for d in "$S"/pods/*/; do
                [ -d "$d" ] || continue
                u=$(basename "$d")
                find /sys/fs/cgroup -depth -type d -path "*/timone/$u*" -exec rmdir {} \; 2>/dev/null || true
        done
        for m in $(awk -v w="$WORK/" 'index($2, w) == 1 {print $2}' /proc/self/mounts | sort -r); do
                umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
        done
        ip netns del "$NODE" 2>/dev/null || true
}
trap 'rc=$?; [ $rc = 0 ] || { echo "--- daemon log"; tail -n 60 "$WORK/serve.log"; } >&2; pods_cleanup; (exit $rc); cleanup' EXIT

ip netns add "$NODE"
node() { nsenter --net="/run/netns/$NODE" "$@"; }

serve() {
        nsenter --net="/run/netns/$NODE" "$TIMONE" serve --local --source "$SITE" --state "$S" \
                --bridge "$BR" --pod-cidr "$NET.0/24" --cluster-cidr "$NET.0/24" \
                --debounce 100ms "${SERVE_ARGS[@]}" >>"$WORK/serve.log" 2>&1 &
        SP=$!
}
serve_kill9() {
        kill -9 "$SP"
        wait "$SP" 2>/dev/null || true
        SP=
}
serve_stop() {
        kill "$SP"
        wait "$SP" 2>/dev/null || true
        SP=
}

T() { "$TIMONE" "$@" --state "$S"; }
# pod_col NAME COLUMN [NS]: a column of `get pods -o wide` (2 READY, 3 STATUS,
# 4 RESTARTS, 6 IP), empty when the pod is not listed.
pod_col() {
        T get pods -n "${3:-default}" -o wide --no-headers 2>/dev/null | awk -v n="$1" -v c="$2" '$1 == n {print $c}'
}
pod_is() { [ "$(pod_col "$1" 3 "${3:-default}")" = "$2" ]; }
pod_gone() { [ -z "$(pod_col "$1" 1 "${2:-default}")" ]; }
pod_uid() { T get pod "$1" -n "${2:-default}" -o json | jq -r .metadata.uid; }
# The pid of a container's process, as the runtime sees it.
cpid() {
        local uid; uid=$(pod_uid "$1")
        for rt in crun runc; do
                command -v $rt >/dev/null 2>&1 || continue
                $rt --root "$S/runtime" state "tm-$uid-$2" 2>/dev/null | jq -r .pid && return 0
        done
        return 1
}
# in_pod POD CMD...: runs a command in the pod's first container.
in_pod() { local p=$1; shift; "$TIMONE" exec --state "$S" "$p" -- "$@"; }
wait_running() {
        wait_for "${2:-60}" pod_is "$1" Running "${3:-default}" || fail "pod $1 is not Running: $(T get pods -A -o wide 2>&1)
$(T describe pod "$1" -n "${3:-default}" 2>&1 | tail -20)"
}
