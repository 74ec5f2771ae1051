# A container's env and security through `timone serve --local`: $(VAR)
# expansion, valueFrom configMapKeyRef/secretKeyRef, envFrom with a
# prefix, fieldRef and resourceFieldRef; a missing ConfigMap waits with
# CreateContainerConfigError and the pod starts once it appears; init
# containers in order before the app; runAsUser, readOnlyRootFilesystem,
# capabilities drop ALL; privileged refused without --allow-privileged.
source "$SRC/tests/integration/pods-lib.sh"

SECRET_VALUE=tm-a-env-$$-secret
B64=$(printf %s "$SECRET_VALUE" | base64)
cat >"$SITE/objs.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  colour: blue
  size: large
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
data:
  token: $B64
EOF
cat >"$SITE/envpod.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: envpod
  namespace: default
spec:
  terminationGracePeriodSeconds: 1
  initContainers:
  - name: first
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sh", "-c", "echo first >>/work/order"]
    volumeMounts: [{name: work, mountPath: /work}]
  - name: second
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sh", "-c", "sleep 1; echo second >>/work/order"]
    volumeMounts: [{name: work, mountPath: /work}]
  containers:
  - name: app
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sh", "-c", "echo app-\$(BASE) >>/work/order; sleep 3600"]
    volumeMounts: [{name: work, mountPath: /work}]
    resources: {limits: {memory: 64Mi, cpu: 500m}}
    env:
    - {name: BASE, value: "base"}
    - {name: DERIVED, value: "\$(BASE)-plus"}
    - {name: ESCAPED, value: "\$\$(BASE)"}
    - {name: UNKNOWN, value: "\$(NOPE)"}
    - name: COLOUR
      valueFrom: {configMapKeyRef: {name: settings, key: colour}}
    - name: TOKEN
      valueFrom: {secretKeyRef: {name: creds, key: token}}
    - name: POD_NAME
      valueFrom: {fieldRef: {fieldPath: metadata.name}}
    - name: POD_NS
      valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
    - name: POD_IP
      valueFrom: {fieldRef: {fieldPath: status.podIP}}
    - name: MEM_MI
      valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}
    - name: CPU_M
      valueFrom: {resourceFieldRef: {resource: limits.cpu, divisor: 1m}}
    envFrom:
    - {configMapRef: {name: settings}, prefix: CM_}
    - {secretRef: {name: creds}, prefix: S_}
  volumes:
  - name: work
    emptyDir: {}
EOF
cat >"$SITE/waits.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: waits
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sleep", "3600"]
    env:
    - name: LATE
      valueFrom: {configMapKeyRef: {name: late, key: k}}
EOF
cat >"$SITE/secure.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: secure
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sleep", "3600"]
    securityContext:
      runAsUser: 65534
      readOnlyRootFilesystem: true
      capabilities: {drop: [ALL]}
EOF
cat >"$SITE/priv.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: priv
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sleep", "3600"]
    securityContext: {privileged: true}
EOF
# runAsNonRoot, checked as the kubelet does: the image runs as root (no
# USER), so the first pod must not start; with runAsUser it does, and an
# explicit runAsUser 0 breaks the policy.
nonroot() { # NAME SECURITY-CONTEXT-YAML
        cat >"$SITE/$1.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $1
spec:
  terminationGracePeriodSeconds: 1
  securityContext: {runAsNonRoot: true}
  containers:
  - name: c
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sleep", "3600"]
    securityContext: $2
EOF
}
nonroot nonroot-image '{}'
nonroot nonroot-ok '{runAsUser: 65534}'
nonroot nonroot-zero '{runAsUser: 0}'
serve
wait_running envpod
IP=$(pod_col envpod 6)
OUT=$(in_pod envpod env)
expect_in "DERIVED=base-plus"
expect_in 'ESCAPED=$(BASE)'
expect_in 'UNKNOWN=$(NOPE)'
expect_in "COLOUR=blue"
expect_in "TOKEN=$SECRET_VALUE"
expect_in "POD_NAME=envpod"
expect_in "POD_NS=default"
expect_in "POD_IP=$IP"
expect_in "MEM_MI=64"
expect_in "CPU_M=500"
expect_in "CM_colour=blue"
expect_in "CM_size=large"
expect_in "S_token=$SECRET_VALUE"
expect_in "HOSTNAME=envpod"
# Init containers ran in order, before the app; $(BASE) in its command
# expanded from its env.
app_wrote() { in_pod envpod cat /work/order | grep -q app; }
wait_for 10 app_wrote || fail "the app container did not write"
OUT=$(in_pod envpod cat /work/order)
[ "$OUT" = "$(printf 'first\nsecond\napp-base')" ] || fail "order of init containers: '$OUT'"
OUT=$(T get pod envpod -o json | jq -r '[.status.initContainerStatuses[].state.terminated.reason] | join(",")')
[ "$OUT" = "Completed,Completed" ] || fail "init container states: '$OUT'"

# A missing ConfigMap: CreateContainerConfigError until it appears.
wait_for 30 pod_is waits CreateContainerConfigError || fail "waits: $(T get pods -o wide)"
OUT=$(T describe pod waits)
expect_in 'configmap "late" not found'
cat >>"$SITE/objs.yaml" <<EOF
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: late
data:
  k: arrived
EOF
wait_running waits
OUT=$(in_pod waits env)
expect_in "LATE=arrived"

# securityContext.
wait_running secure
# The container's own process, seen from the node (exec runs as root).
SEC_PID=$(cpid secure c)
OUT=$(grep -E '^(Uid|CapBnd|CapEff):' "/proc/$SEC_PID/status")
grep -q "^Uid:[[:space:]]65534[[:space:]]" <<<"$OUT" || fail "runAsUser 65534 not applied: $OUT"
expect_in "0000000000000000"
grep -q "^CapBnd:[[:space:]]0000000000000000" <<<"$OUT" || fail "capabilities drop ALL: $OUT"
OUT=$(in_pod secure sh -c 'echo x >/tmp/f; echo rc=$?' 2>&1 || true)
expect_in "rc=1"
expect_in "Read-only file system"
# privileged: refused on this node.
refused() { T describe pod priv | grep -q "privileged containers are not allowed"; }
wait_for 30 refused || fail "privileged not refused: $(T describe pod priv)"
pod_is priv Running && fail "a privileged pod runs"
echo "priv: $(pod_col priv 3)"

wait_running nonroot-ok
OUT=$(in_pod nonroot-ok id)
expect_in "uid=65534(nobody) gid=65534(nogroup)"
for n in nonroot-image nonroot-zero; do
        wait_for 30 pod_is "$n" CreateContainerConfigError || fail "$n: $(T get pods -o wide)"
done
OUT=$(T describe pod nonroot-image)
expect_in "container has runAsNonRoot and image will run as root"
OUT=$(T describe pod nonroot-zero)
expect_in "container's runAsUser breaks non-root policy"

OUT=$(T describe pod envpod; T get pods -o yaml; cat "$WORK/serve.log")
expect_not_in "$SECRET_VALUE"
rm "$SITE"/*.yaml
wait_for 30 pod_gone envpod || fail "envpod still listed"
kill -0 "$SP" || fail "the daemon died"
serve_stop
