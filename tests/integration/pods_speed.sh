# Many pods at once and starts that fail: 20 pods in one file all run and
# each has its own address; removing the file stops and removes them all,
# leaving no container, shim, veth, address, mount or cgroup behind; a
# container whose first start fails (RunContainerError) is retried with the
# back-off of a crash (10 s, then 20 s...) instead of every 2 s, its waiting
# reason stays RunContainerError, and `describe pod` shows the BackOff.
source "$SRC/tests/integration/pods-lib.sh"

N=20
many() {
        local i
        for ((i = 1; i <= N; i++)); do
                cat <<EOF
---
apiVersion: v1
kind: Pod
metadata:
  name: m$i
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: c
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sleep", "3600"]
EOF
        done
}
serve
sleep 0.5
many >"$WORK/many.yaml"
mv "$WORK/many.yaml" "$SITE/many.yaml"
all_running() { [ "$(T get pods --no-headers 2>/dev/null | awk '$3 == "Running"' | wc -l)" = $N ]; }
wait_for 90 all_running || fail "not all $N pods run: $(T get pods 2>&1 | awk 'NR > 1 {print $3}' | sort | uniq -c)"
IPS=$(T get pods -o wide --no-headers | awk '{print $6}' | sort -u | wc -l)
[ "$IPS" = $N ] || fail "$N pods have $IPS distinct addresses"
[ "$(ls "$S/net/ips" | wc -l)" = $N ] || fail "IPAM holds $(ls "$S/net/ips" | wc -l) addresses, want $N"
[ "$(node ip -o link show type veth | wc -l)" = $N ] || fail "want $N veths on the node"
SHIMS=$(pgrep -f "timone-shim .*$S/" | wc -l)
[ "$SHIMS" = $N ] || fail "$SHIMS shims for $N containers"
# Every start was reported (the loop is woken by the shims' reports).
STARTED=$(grep -c 'msg="Started"' "$WORK/serve.log")
[ "$STARTED" = $N ] || fail "$STARTED Started events for $N pods"

rm "$SITE/many.yaml"
gone() {
        [ -z "$(T get pods --no-headers 2>/dev/null)" ] &&
                [ -z "$(ls -A "$S/pods" 2>/dev/null)" ] &&
                [ -z "$(pgrep -f "timone-shim .*$S/")" ]
}
wait_for 60 gone || fail "pods left 60 s after their manifest went: $(T get pods 2>&1 | head -3); $(ls "$S/pods")"
for rt in crun runc; do
        command -v $rt >/dev/null 2>&1 || continue
        [ -z "$($rt --root "$S/runtime" list -q 2>/dev/null)" ] || fail "$rt still lists containers"
done
[ -z "$(ls -A "$S/net/ips" 2>/dev/null)" ] || fail "addresses left: $(ls "$S/net/ips")"
[ "$(node ip -o link show type veth | wc -l)" = 0 ] || fail "veths left: $(node ip -o link show type veth)"
! grep -q "$S/pods" /proc/self/mountinfo || fail "mounts left: $(grep "$S/pods" /proc/self/mountinfo | head -3)"
for u in $(grep -o 'msg="pod created" pod=default/m[0-9]* uid=[0-9a-f-]*' "$WORK/serve.log" | sed 's/.*uid=//'); do
        [ -z "$(find /sys/fs/cgroup -maxdepth 4 -type d -name "$u" 2>/dev/null)" ] || fail "cgroup of pod $u left"
done
[ "$(grep -c 'msg="pod removed"' "$WORK/serve.log")" = $N ] || fail "not every pod logged its removal"
! grep -q 'level=warn msg="remove container"' "$WORK/serve.log" || fail "a container removal failed: $(grep 'remove container' "$WORK/serve.log" | head -2)"

# A first start that fails: back-off, not a retry every 2 s.
cat >"$SITE/bad.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: bad
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: c
    image: busybox:latest
    imagePullPolicy: Never
    command: ["/no/such/program"]
EOF
failed_once() { [ "$(pod_col bad 3)" = RunContainerError ]; }
wait_for 30 failed_once || fail "bad is not RunContainerError: $(T get pods 2>&1)"
sleep 13
OUT=$(T describe pod bad 2>&1)
expect_in "BackOff"
expect_in "Back-off restarting failed container c"
expect_in "RunContainerError"
expect_in "back-off 20s"
FAILS=$(grep -c 'msg="Failed" pod=default/bad' "$WORK/serve.log")
# 2 s retries would have failed 7 times by now; the back-off allows 2.
[ "$FAILS" -ge 2 ] && [ "$FAILS" -le 3 ] || fail "$FAILS failed starts in ~14 s, want 2 (at 0 s and 10 s)"
[ "$(pod_col bad 3)" = RunContainerError ] || fail "the waiting reason is $(pod_col bad 3), want RunContainerError"
rm "$SITE/bad.yaml"
wait_for 30 pod_gone bad || fail "bad was not removed"
echo "pods_speed: ok"
