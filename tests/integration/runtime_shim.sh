# timone-shim as an executable, under crun and under runc: readiness
# report, CRI-format logs with rotation, the starting process killed with
# SIGKILL while the container keeps running and logging, exit status
# written on SIGKILL, and the runtime's error text for a bad command.
need_root
need_cmd runc
need_cmd crun
[ -x /bin/busybox ] || skip "needs busybox-static"
SHIM="${TIMONE_BUILDDIR:?}/executors/timone-shim"
[ -x "$SHIM" ] || fail "no $SHIM"

# crun 1.8 on a hybrid cgroup tree needs hugetlb as a v1 hierarchy.
if [ -d /sys/fs/cgroup/unified ] &&
   ! grep -Eq ' - cgroup [^ ]+ [^ ]*hugetlb' /proc/self/mountinfo; then
        mkdir -p /sys/fs/cgroup/hugetlb
        mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb
fi

# Containers left by a failing run are removed before run.sh's cleanup.
STARTED=()
rt_cleanup() {
        local e
        for e in "${STARTED[@]}"; do
                set -- $e
                "$1" --root "$2" delete --force "$3" >/dev/null 2>&1 || true
        done
        for d in /sys/fs/cgroup/*/tmp-p-it /sys/fs/cgroup/tmp-p-it; do
                [ -d "$d" ] && { rmdir "$d"/* "$d" 2>/dev/null || true; }
        done
        true
}
trap 'rc=$?; rt_cleanup; (exit $rc); cleanup' EXIT

R="$WORK/rootfs"
mkdir -p "$R/bin" "$R/etc" "$R/proc" "$R/sys" "$R/dev" "$R/tmp"
cp /bin/busybox "$R/bin/"
for a in sh sleep; do ln -s busybox "$R/bin/$a"; done

# bundle DIR ID ARGS_JSON: a runc-spec config with our root, args, cgroup.
bundle() {
        mkdir -p "$1"
        runc spec --bundle "$1"
        sed -i -e 's|"terminal": true|"terminal": false|' \
               -e "s|\"path\": \"rootfs\"|\"path\": \"$R\"|" \
               -e "s|^\t\t\t\"sh\"\$|$3|" \
               -e "s|\"linux\": {|\"linux\": { \"cgroupsPath\": \"/tmp-p-it/$2\",|" "$1/config.json"
}

memcg() { if [ -d /sys/fs/cgroup/memory ]; then echo "/sys/fs/cgroup/memory/tmp-p-it/$1"; else echo "/sys/fs/cgroup/tmp-p-it/$1"; fi; }

for rt in crun runc; do
        RT=$(command -v $rt)
        ROOT="$WORK/$rt-root"
        ID="tmp-p-it-$rt-$$"
        B="$WORK/$rt-b"
        L="$WORK/$rt-logs"
        mkdir -p "$ROOT" "$L"
        bundle "$B" "$ID" '"sh", "-c", "i=0; while :; do i=$((i+1)); echo tick $i; echo warn $i >\&2; sleep 0.01; done"'

        STARTED+=("$RT $ROOT $ID")
        # A stand-in daemon starts the shim as its child, then dies by SIGKILL.
        bash -c '"$@" 3>"$0/ready" & echo $! >"$0/shim.pid"; exec sleep 1000' "$WORK" \
                "$SHIM" -r "$RT" -R "$ROOT" -b "$B" -i "$ID" -l "$L" -a 0 -m 4096 -n 2 \
                -c "$(memcg "$ID")" -f 3 &
        DAEMON=$!
        wait_for 20 grep -q '^ok [0-9]' "$WORK/ready" || fail "$rt: no readiness: $(cat "$WORK/ready")"
        CPID=$(awk '{print $2}' "$WORK/ready")
        kill -0 "$CPID" || fail "$rt: container pid $CPID not running"
        kill -9 $DAEMON
        wait $DAEMON 2>/dev/null || true
        SHIM_PID=$(cat "$WORK/shim.pid")
        grep -q '^state=running' "$B/status" || fail "$rt: status: $(cat "$B/status")"

        # Output keeps flowing and rotating with the starter gone.
        wait_for 20 test -e "$L/0.log.2" || fail "$rt: no rotation: $(ls -l "$L")"
        n1=$(grep -c 'stdout F tick' "$L/0.log" || true)
        sleep 0.5
        kill -0 "$SHIM_PID" || fail "$rt: shim died with its parent"
        grep -E -q '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z stdout F tick [0-9]+$' "$L/0.log" ||
                fail "$rt: not CRI format: $(head -3 "$L/0.log")"
        grep -E -q 'Z stderr F warn [0-9]+$' "$L/0.log.1" || fail "$rt: no stderr lines"
        [ ! -e "$L/0.log.3" ] || fail "$rt: more rotated files than asked"
        for f in "$L"/0.log*; do
                [ "$(stat -c %s "$f")" -le 4096 ] || fail "$rt: $f over 4096 bytes"
        done
        n2=$(grep -c 'stdout F tick' "$L/0.log" || true)
        [ -e "$L/0.log.3" ] && fail "$rt: 0.log.3"
        # (the current file may have rotated in between: compare against the last tick)
        last=$(grep -o 'tick [0-9]*' "$L/0.log" | tail -1 | cut -d' ' -f2)
        [ "$last" -gt 50 ] || fail "$rt: only $last ticks (n1=$n1 n2=$n2)"

        # SIGKILL: the shim records 137 / signal 9 and exits.
        "$RT" --root "$ROOT" kill "$ID" KILL
        wait_for 10 grep -q '^state=exited' "$B/status" || fail "$rt: no exit status"
        OUT=$(cat "$B/status")
        expect_in "exit_code=137"
        expect_in "signal=9"
        expect_in "oom=0"
        wait_for 5 bash -c "! kill -0 $SHIM_PID 2>/dev/null" || fail "$rt: shim still running"
        "$RT" --root "$ROOT" delete "$ID"

        # A command that does not exist: the runtime's own words come back.
        rm -rf "$B" "$WORK/ready"
        bundle "$B" "$ID-bad" '"/no/such/cmd"'
        expect_rc 1 "$SHIM" -r "$RT" -R "$ROOT" -b "$B" -i "$ID-bad" -l "$L" -a 1 \
                -c "$(memcg "$ID-bad")" -f 1
        expect_in "err run:"
        expect_in "/no/such/cmd"
        [ ! -e "$ROOT/$ID-bad" ] || fail "$rt: failed container left behind"
done
