# Pods through `timone serve --local`: create, serve a ConfigMap page,
# ConfigMap change reaching the mounted file without a restart, a spec
# change replacing the pod, an invalid manifest leaving running pods
# untouched, kill -9 and restart of the daemon re-adopting the containers
# (same process, same restart count), a missing image, and delete.
source "$SRC/tests/integration/pods-lib.sh"

page() {
        cat <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: page
data:
  index.html: "$1"
EOF
}
web() {
        cat <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: httpd
    image: busybox:latest
    imagePullPolicy: Never
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    env:
    - name: FLAVOUR
      value: "$1"
    volumeMounts:
    - {name: page, mountPath: /www}
  volumes:
  - name: page
    configMap: {name: page}
EOF
}
page "hello one" >"$SITE/page.yaml"
web vanilla >"$SITE/web.yaml"
serve
wait_running web
# The daemon runs above its workloads (nice -5); the container does not
# inherit it (the shim drops back to 0).
nice_of() { awk '{print $19}' "/proc/$1/stat"; }
[ "$(nice_of "$SP")" = -5 ] || fail "serve's nice is $(nice_of "$SP"), not -5"
[ "$(nice_of "$(cpid web httpd)")" = 0 ] || fail "the container's nice is $(nice_of "$(cpid web httpd)")"
IP=$(pod_col web 6)
[ -n "$IP" ] && [ "$IP" != "<none>" ] || fail "no pod IP"
OUT=$(node timeout 5 busybox wget -qO- "http://$IP:8080/")
expect_in "hello one"
UID1=$(pod_uid web)
PID1=$(cpid web httpd)
[ -n "$PID1" ] && kill -0 "$PID1" || fail "no container process"

# The ConfigMap changes: the file changes in place, the pod stays.
page "hello two" >"$SITE/page.yaml"
served_two() { node timeout 5 busybox wget -qO- "http://$IP:8080/" | grep -q "hello two"; }
wait_for 30 served_two || fail "the ConfigMap change did not reach the pod"
[ "$(cpid web httpd)" = "$PID1" ] || fail "the container was restarted by a ConfigMap change"
[ "$(pod_col web 4)" = 0 ] || fail "restart count moved"

# An invalid manifest: nothing changes, the errors are logged.
cat >"$SITE/broken.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: broken
spec:
  containers:
  - name: c
    image: busybox:latest
    imagePolcy: Never
EOF
logged_rejection() { grep -q 'revision rejected' "$WORK/serve.log"; }
wait_for 20 logged_rejection || fail "the invalid revision was not reported"
OUT=$(cat "$WORK/serve.log")
expect_in 'broken.yaml:9:5: Pod default/broken: spec.containers[0].imagePolcy'
sleep 1
[ "$(cpid web httpd)" = "$PID1" ] || fail "a running pod was touched by an invalid revision"
pod_gone broken || fail "an invalid pod was created"
rm "$SITE/broken.yaml"

# kill -9 of the daemon: the container keeps running; a restart re-adopts it.
serve_kill9
kill -0 "$PID1" || fail "the container died with the daemon"
served_two || fail "the pod stopped serving without the daemon"
serve
readopted() { grep -q 'pod re-adopted' "$WORK/serve.log"; }
wait_for 30 readopted || fail "no re-adoption after the restart"
sleep 2
[ "$(cpid web httpd)" = "$PID1" ] || fail "the container was replaced after the restart"
[ "$(pod_col web 4)" = 0 ] || fail "restart count changed across the daemon's restart"
[ "$(pod_uid web)" = "$UID1" ] || fail "the pod got a new uid across the restart"

# A spec change replaces the pod (new uid, new process).
web chocolate >"$SITE/web.yaml"
replaced() { [ "$(pod_uid web)" != "$UID1" ] && pod_is web Running; }
wait_for 60 replaced || fail "the pod was not replaced after a spec change"
OUT=$(in_pod web env)
expect_in "FLAVOUR=chocolate"
gone_pid() { ! kill -0 "$PID1" 2>/dev/null; }
wait_for 20 gone_pid || fail "the old container still runs"

# A missing image: a clear status, no crash.
cat >"$SITE/ghost.yaml" <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: ghost
spec:
  containers:
  - name: c
    image: no-such-image:1.0
    imagePullPolicy: Never
EOF
wait_for 30 pod_is ghost ErrImageNeverPull || fail "no ErrImageNeverPull: $(T get pods)"
sed -i 's/imagePullPolicy: Never/imagePullPolicy: IfNotPresent/' "$SITE/ghost.yaml"
wait_for 30 pod_is ghost ImagePullBackOff || fail "no ImagePullBackOff: $(T get pods)"
OUT=$(T describe pod ghost)
expect_in 'no-such-image:1.0'
kill -0 "$SP" || fail "the daemon died"

# Delete: the pods stop and everything of theirs goes.
rm "$SITE/web.yaml" "$SITE/ghost.yaml"
wait_for 60 pod_gone web || fail "pod web still listed"
wait_for 30 pod_gone ghost || fail "pod ghost still listed"
gone_dirs() { [ -z "$(ls "$S/pods" 2>/dev/null)" ]; }
wait_for 30 gone_dirs || fail "pod directories left: $(ls "$S/pods")"
OUT=$(node ip -o link)
expect_not_in "tmv"
serve_stop
