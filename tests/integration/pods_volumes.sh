# Every volume kind through `timone serve --local`: emptyDir shared by two
# containers, emptyDir on memory (tmpfs), configMap with items, defaultMode
# and a subPath file, a secret on a tmpfs whose value never shows in the
# daemon's log nor in describe/get output, hostPath inside the allowed
# roots (one outside refused with a clear status), and claims bound to
# PersistentVolumes with the reclaim policies Retain, Delete and Recycle,
# and to a local-path StorageClass (a directory per claim).
source "$SRC/tests/integration/pods-lib.sh"

HOST=$WORK/host
mkdir -p "$HOST/hp" "$HOST/retain" "$HOST/delete" "$HOST/recycle"
echo "from the host" >"$HOST/hp/hello"
SERVE_ARGS=(--host-path-root "$HOST")
SECRET_VALUE=tm-a-s3cr3t-$$-value
B64=$(printf %s "$SECRET_VALUE" | base64)

cat >"$SITE/cfg.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  app.conf: "port=80"
  other: "not projected"
  extra: "x"
---
apiVersion: v1
kind: Secret
metadata:
  name: sec
data:
  password: $B64
EOF
cat >"$SITE/vols.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: vols
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: reader
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sh", "-c", "while [ ! -f /shared/msg ]; do sleep 0.1; done; sleep 3600"]
    volumeMounts:
    - {name: shared, mountPath: /shared}
    - {name: mem, mountPath: /mem}
    - {name: cfg, mountPath: /cfg}
    - {name: cfg, mountPath: /etc/app.conf, subPath: app.conf}
    - {name: sec, mountPath: /sec}
    - {name: hp, mountPath: /hp}
  - name: writer
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sh", "-c", "echo from-writer >/shared/msg; sleep 3600"]
    volumeMounts:
    - {name: shared, mountPath: /shared}
  volumes:
  - name: shared
    emptyDir: {}
  - name: mem
    emptyDir: {medium: Memory, sizeLimit: 8Mi}
  - name: cfg
    configMap:
      name: cfg
      defaultMode: 0400
      items:
      - {key: app.conf, path: app.conf}
      - {key: extra, path: sub/extra.txt, mode: 0640}
  - name: sec
    secret: {secretName: sec}
  - name: hp
    hostPath: {path: $HOST/hp, type: Directory}
EOF
cat >"$SITE/outside.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: outside
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sleep", "3600"]
    volumeMounts:
    - {name: etc, mountPath: /hostetc}
  volumes:
  - name: etc
    hostPath: {path: /etc}
EOF
pv() { # pv NAME POLICY
        cat <<EOF
---
apiVersion: v1
kind: PersistentVolume
metadata:
  name: tma-$1
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: $2
  hostPath: {path: $HOST/$1}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: $1
spec:
  accessModes: [ReadWriteOnce]
  volumeName: tma-$1
  storageClassName: ""
  resources: {requests: {storage: 1Gi}}
EOF
}
{
        pv retain Retain
        pv delete Delete
        pv recycle Recycle
        cat <<EOF
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: tma-local
provisioner: rancher.io/local-path
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: local
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: tma-local
  resources: {requests: {storage: 1Gi}}
EOF
} >"$SITE/claims.yaml"
cat >"$SITE/claimer.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: claimer
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sh", "-c", "for d in retain delete recycle local; do echo data-\$d >/v/\$d/file; done; sleep 3600"]
    volumeMounts:
    - {name: retain, mountPath: /v/retain}
    - {name: delete, mountPath: /v/delete}
    - {name: recycle, mountPath: /v/recycle}
    - {name: local, mountPath: /v/local}
  volumes:
  - {name: retain, persistentVolumeClaim: {claimName: retain}}
  - {name: delete, persistentVolumeClaim: {claimName: delete}}
  - {name: recycle, persistentVolumeClaim: {claimName: recycle}}
  - {name: local, persistentVolumeClaim: {claimName: local}}
EOF
serve
wait_running vols
ex() { "$TIMONE" exec --state "$S" vols -c reader -- "$@"; }

# emptyDir shared by the two containers.
has_msg() { [ "$(ex cat /shared/msg)" = from-writer ]; }
wait_for 10 has_msg || fail "the reader does not see the writer's file"
# emptyDir medium Memory: a tmpfs in the container.
OUT=$(ex grep " /mem " /proc/mounts)
expect_in "tmpfs"
OUT=$(ex grep " /shared " /proc/mounts)
expect_not_in "tmpfs"
# configMap: items only, their paths and modes; subPath as a single file.
[ "$(ex cat /cfg/app.conf)" = "port=80" ] || fail "configMap item app.conf"
[ "$(ex cat /cfg/sub/extra.txt)" = "x" ] || fail "configMap item with a nested path"
ex test ! -e /cfg/other || fail "a key not in items was projected"
[ "$(ex stat -L -c %a /cfg/app.conf)" = 400 ] || fail "defaultMode 0400: $(ex stat -L -c %a /cfg/app.conf)"
[ "$(ex stat -L -c %a /cfg/sub/extra.txt)" = 640 ] || fail "item mode 0640: $(ex stat -L -c %a /cfg/sub/extra.txt)"
[ "$(ex cat /etc/app.conf)" = "port=80" ] || fail "subPath file: $(ex cat /etc/app.conf 2>&1)"
ex test -f /etc/app.conf || fail "subPath is not a file"
# secret: the value in the file, the backing directory a tmpfs on the node.
[ "$(ex cat /sec/password)" = "$SECRET_VALUE" ] || fail "secret volume content"
UID_V=$(pod_uid vols)
grep -q " $S/pods/$UID_V/volumes/sec tmpfs " /proc/mounts || fail "the secret volume is not on a tmpfs: $(grep "$UID_V" /proc/mounts)"
# hostPath inside the allowed root.
[ "$(ex cat /hp/hello)" = "from the host" ] || fail "hostPath content"
# hostPath outside: refused, a clear status.
refused() { T describe pod outside | grep -q "outside the allowed roots"; }
wait_for 30 refused || fail "hostPath /etc not refused: $(T describe pod outside)"
OUT=$(T get pods -o wide)
expect_not_in "outside    1/1"
pod_is outside Running && fail "pod outside runs"
echo "outside: $(pod_col outside 3)"

# Claims: all four bound and written.
wait_running claimer
for d in retain delete recycle; do
        wait_for 10 test -f "$HOST/$d/file" || fail "claim $d: no file in $HOST/$d"
done
LOCAL=$(ls -d "$S"/storage/pvc-*_default_local 2>/dev/null)
[ -n "$LOCAL" ] || fail "no local-path directory under $S/storage: $(ls "$S/storage" 2>&1)"
wait_for 10 test -f "$LOCAL/file" || fail "local-path claim not written"
# The pod and the claims go: each policy honoured.
rm "$SITE/claimer.yaml"
wait_for 30 pod_gone claimer || fail "claimer still listed"
rm "$SITE/claims.yaml"
wait_for 30 test ! -e "$HOST/delete" || fail "Delete: $HOST/delete still there"
wait_for 30 test ! -e "$HOST/recycle/file" || fail "Recycle: $HOST/recycle not emptied"
[ -d "$HOST/recycle" ] || fail "Recycle removed the directory"
wait_for 30 test ! -e "$LOCAL" || fail "local-path (Delete): $LOCAL still there"
[ "$(cat "$HOST/retain/file")" = data-retain ] || fail "Retain lost the data"

# The secret value never shows.
OUT=$(T describe pod vols; T get pod vols -o yaml; T get pods -A -o yaml; cat "$WORK/serve.log")
expect_not_in "$SECRET_VALUE"
expect_not_in "$B64"
# Nor on the node's disk: only tmpfs mounts (the volume's, the agent's
# copy of the secrets) may hold it.
grep -q " $S/agent/secrets tmpfs " /proc/mounts || fail "the agent's secrets are not on a tmpfs"
ON_DISK=$(grep -rlsF --exclude-dir=pods --exclude-dir=secrets -e "$SECRET_VALUE" -e "$B64" "$S" || true)
[ -z "$ON_DISK" ] || fail "the secret is on disk in: $ON_DISK"

rm "$SITE"/*.yaml
wait_for 30 pod_gone vols || fail "vols still listed"
wait_for 30 pod_gone outside || fail "outside still listed"
no_pod_mounts() { ! grep -q " $S/pods/" /proc/mounts; }
wait_for 30 no_pod_mounts || fail "mounts left behind: $(grep " $S/pods/" /proc/mounts)"
kill -0 "$SP" || fail "the daemon died"
serve_stop
