# Probes and lifecycle hooks with the kubelet's semantics: a readiness
# exec probe flipping READY 0/1 -> 1/1 -> 0/1 as a file comes and goes
# (made with `timone exec`, which runs as the container's runAsUser); a
# failing httpGet liveness probe (named port) that kills and restarts the
# container with the Unhealthy and Killing events; a startup probe that
# holds readiness back; tcpSocket probes; a postStart hook that writes a
# file and a preStop hook that runs before SIGTERM; a failing postStart
# (FailedPostStartHook); exec probe output with a secret value redacted;
# HTTPS (openssl s_server) and gRPC health (python3-grpcio) probes against
# servers run in the pod's network namespace; a redirect followed.
source "$SRC/tests/integration/pods-lib.sh"

# Servers this test starts in pods' network namespaces go with the rest.
SERVERS=
eval "orig_$(declare -f pods_cleanup)"
pods_cleanup() {
        for p in $SERVERS; do kill "$p" 2>/dev/null || true; done
        orig_pods_cleanup
}

HOST=$WORK/host
mkdir -p "$HOST"
chmod 0777 "$HOST"
SERVE_ARGS=(--host-path-root "$HOST")

pod() { # pod NAME SCRIPT CONTAINER-YAML [POD-SPEC-YAML]
        cat <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $1
spec:
  terminationGracePeriodSeconds: 5
${4:-}
  containers:
  - name: c
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sh", "-c", "$2"]
    ports: [{name: http, containerPort: 8080}]
    volumeMounts: [{name: host, mountPath: /host}]
$3
  volumes:
  - name: host
    hostPath: {path: $HOST, type: Directory}
EOF
}
WEB='mkdir -p /tmp/www && echo ok >/tmp/www/healthz && exec httpd -f -p 8080 -h /tmp/www'

# Exec probes get timeoutSeconds 5: `crun exec` alone can take more than
# the default 1 s on a loaded machine.
# Readiness by an exec probe that also checks who it runs as.
pod ready "$WEB" '    readinessProbe:
      exec: {command: ["sh", "-c", "test $(id -u) = 1234 && cat /tmp/ready"]}
      timeoutSeconds: 5
      periodSeconds: 1
      failureThreshold: 1' '  securityContext: {runAsUser: 1234, runAsGroup: 2345}' >"$SITE/ready.yaml"
# Liveness over HTTP on a named port; readiness over HTTP too.
pod live "$WEB" '    livenessProbe:
      httpGet: {path: /healthz, port: http}
      periodSeconds: 1
      failureThreshold: 2
    readinessProbe:
      httpGet: {path: /healthz, port: 8080}
      periodSeconds: 1' >"$SITE/live.yaml"
# A startup probe that passes after ~6 s; readiness by tcpSocket.
pod slow 'sleep 6; touch /tmp/started; exec httpd -f -p 8080 -h /tmp' '    startupProbe:
      exec: {command: ["test", "-e", "/tmp/started"]}
      timeoutSeconds: 5
      periodSeconds: 1
      failureThreshold: 30
    readinessProbe:
      tcpSocket: {port: http}
      periodSeconds: 1' >"$SITE/slow.yaml"
# httpd answers /sub with a redirect to /sub/, followed as the kubelet
# does: 404 until /sub/index.html exists.
pod redir 'mkdir -p /tmp/www/sub && exec httpd -f -p 8080 -h /tmp/www' '    readinessProbe:
      httpGet: {path: /sub, port: 8080}
      periodSeconds: 1' >"$SITE/redir.yaml"
# A tcpSocket probe on a port nobody listens on.
pod closed "$WEB" '    readinessProbe:
      tcpSocket: {port: 9999}
      periodSeconds: 1' >"$SITE/closed.yaml"
# Hooks: postStart writes a file; preStop and the TERM trap append in order.
pod hooks 'trap \"echo term >>/host/order; exit 0\" TERM; while true; do sleep 0.1; done' '    lifecycle:
      postStart:
        exec: {command: ["sh", "-c", "echo post-$HOSTNAME >/host/poststart"]}
      preStop:
        exec: {command: ["sh", "-c", "echo prestop >>/host/order; sleep 1"]}' >"$SITE/hooks.yaml"
pod badhook 'while true; do sleep 0.1; done' '    lifecycle:
      postStart:
        exec: {command: ["sh", "-c", "echo oops; exit 3"]}' >"$SITE/badhook.yaml"
pod badstop 'while true; do sleep 0.1; done' '    lifecycle:
      preStop:
        exec: {command: ["sh", "-c", "echo nope; exit 4"]}' >"$SITE/badstop.yaml"
# An exec probe over its timeout: failed, and its process killed (one
# probe a minute: the next one does not start before the check).
pod timeout "$WEB" '    readinessProbe:
      exec: {command: ["sleep", "7"]}
      timeoutSeconds: 1
      periodSeconds: 60' >"$SITE/timeout.yaml"
# Exec probe output naming a secret value: the event must not.
cat >"$SITE/secret.yaml" <<EOF
apiVersion: v1
kind: Secret
metadata: {name: tok}
data: {token: czNjcjN0LVZhbHVlLTQy}
---
EOF
pod leaky "$WEB" '    env: [{name: TOKEN, valueFrom: {secretKeyRef: {name: tok, key: token}}}]
    readinessProbe:
      exec: {command: ["sh", "-c", "echo token is $TOKEN; exit 1"]}
      timeoutSeconds: 5
      periodSeconds: 1' >>"$SITE/secret.yaml"
# HTTPS and gRPC probes; the servers come later, from the node.
pod tls 'while true; do sleep 1; done' '    readinessProbe:
      httpGet: {path: /, port: 8443, scheme: HTTPS}
      periodSeconds: 1' >"$SITE/tls.yaml"
pod grpc 'while true; do sleep 1; done' '    readinessProbe:
      grpc: {port: 9000}
      periodSeconds: 1
      timeoutSeconds: 2' >"$SITE/grpc.yaml"
T0=$(date +%s)
serve

ready_is() { [ "$(pod_col "$1" 2)" = "$2" ]; }
cond() { T get pod "$1" -o json | jq -r ".status.conditions[] | select(.type == \"$2\") | .status"; }
cstat() { T get pod "$1" -o json | jq -r ".status.containerStatuses[0].$2"; }

# --- startup probe holds readiness back (checked first: it is timed).
wait_for 30 pod_is slow Running || fail "pod slow not Running: $(T get pods -o wide)"
[ $(($(date +%s) - T0)) -lt 6 ] || echo "note: slow reached Running late, startup check is weak"
OUT="$(pod_col slow 2) $(cstat slow started) $(cstat slow ready)"
[ "$OUT" = "0/1 false false" ] || fail "slow before its startup probe passed: '$OUT', want '0/1 false false'"
wait_for 30 ready_is slow 1/1 || fail "slow never ready: $(T describe pod slow | tail -20)"
[ "$(cstat slow started)" = true ] || fail "slow ready but not started"
SLOW_S=$(($(date +%s) - T0))
[ "$SLOW_S" -ge 6 ] || fail "slow ready after ${SLOW_S}s, before its startup probe could pass"

# --- readiness by exec, flipped with `timone exec` (as runAsUser 1234).
wait_running ready
OUT=$(in_pod ready id -u)
[ "$OUT" = 1234 ] || fail "timone exec runs as uid '$OUT', want the runAsUser 1234"
OUT=$(in_pod ready id -g)
[ "$OUT" = 2345 ] || fail "timone exec runs as gid '$OUT', want the runAsGroup 2345"
ready_is ready 0/1 || fail "ready is $(pod_col ready 2) before the file exists, want 0/1"
[ "$(cond ready Ready)" = False ] || fail "Ready condition not False before the file exists"
in_pod ready touch /tmp/ready
wait_for 15 ready_is ready 1/1 || fail "READY did not become 1/1: $(T describe pod ready | tail -15)"
[ "$(cond ready Ready)" = True ] || fail "Ready condition not True"
[ "$(cond ready ContainersReady)" = True ] || fail "ContainersReady condition not True"
[ "$(cstat ready ready)" = true ] || fail "containerStatuses[0].ready not true"
OUT=$(in_pod ready stat -c %u /tmp/ready)
[ "$OUT" = 1234 ] || fail "a file made by timone exec belongs to uid '$OUT', want 1234"
in_pod ready rm /tmp/ready
wait_for 15 ready_is ready 0/1 || fail "READY did not go back to 0/1"
[ "$(cond ready Ready)" = False ] || fail "Ready condition not False after the file went"
[ "$(pod_col ready 3)" = Running ] || fail "an unready pod is not Running: $(pod_col ready 3)"
[ "$(pod_col ready 4)" = 0 ] || fail "a readiness failure restarted the container"
OUT=$(T describe pod ready)
expect_in "Readiness probe failed: cat: can't open '/tmp/ready'"

# --- tcpSocket: an open port is ready (slow above), a closed one is not.
wait_running closed
sleep 3
ready_is closed 0/1 || fail "closed is $(pod_col closed 2), want 0/1"
OUT=$(T describe pod closed)
expect_in "Readiness probe failed: dial tcp"
expect_in ":9999: connect: connection refused"

# --- liveness over HTTP: healthy, then 404 -> killed and restarted.
wait_for 20 ready_is live 1/1 || fail "live never ready: $(T describe pod live | tail -15)"
sleep 2
[ "$(pod_col live 4)" = 0 ] || fail "a healthy liveness probe restarted the container"
in_pod live rm /tmp/www/healthz
restarted() { [ "$(pod_col live 4)" -ge 1 ]; }
wait_for 40 restarted || fail "no restart after the liveness probe failed: $(T describe pod live | tail -20)"
OUT=$(T describe pod live)
expect_in "Liveness probe failed: HTTP probe failed with statuscode: 404"
expect_in "Liveness:       http-get http://:http/healthz delay=0s timeout=1s period=1s #success=1 #failure=2"
expect_in "Readiness:      http-get http://:8080/healthz delay=0s timeout=1s period=1s #success=1 #failure=3"
expect_in "Container c failed liveness probe, will be restarted"
expect_in "Killing"
wait_for 20 ready_is live 1/1 || fail "live not ready again after its restart"

# --- a redirect on the same host is followed.
wait_running redir
redir_404() { T describe pod redir | grep -q "Readiness probe failed: HTTP probe failed with statuscode: 404"; }
wait_for 15 redir_404 || fail "the redirect to /sub/ was not followed to its 404: $(T describe pod redir | tail -5)"
ready_is redir 0/1 || fail "redir is ready before /sub/index.html exists"
in_pod redir sh -c 'echo ok >/tmp/www/sub/index.html'
wait_for 15 ready_is redir 1/1 || fail "redir not ready once /sub/ answers"

# --- hooks: postStart wrote its file; preStop runs before SIGTERM.
wait_running hooks
wait_for 10 test -s "$HOST/poststart" || fail "postStart did not write its file"
[ "$(cat "$HOST/poststart")" = post-hooks ] || fail "postStart wrote '$(cat "$HOST/poststart")'"
ready_is hooks 1/1 || fail "hooks is $(pod_col hooks 2) after postStart, want 1/1"
rm "$SITE/hooks.yaml"
wait_for 30 pod_gone hooks || fail "pod hooks not removed"
OUT=$(cat "$HOST/order" 2>/dev/null | tr '\n' ' ')
[ "$OUT" = "prestop term " ] || fail "preStop and SIGTERM order: '$OUT', want 'prestop term '"

# --- a failing preStop is an event; the container stops all the same.
wait_running badstop
rm "$SITE/badstop.yaml"
wait_for 30 pod_gone badstop || fail "pod badstop not removed"
grep -q 'msg="FailedPreStopHook" pod=default/badstop .*exited with 4: , message: .*nope' "$WORK/serve.log" ||
        fail "no FailedPreStopHook for badstop: $(grep badstop "$WORK/serve.log" | tail -5)"

# --- an exec probe over its timeout fails and leaves nothing running.
wait_running timeout
timed_out() { T describe pod timeout | grep -q "Readiness probe failed: command 'sleep 7' timed out"; }
wait_for 20 timed_out || fail "no timeout event: $(T describe pod timeout | tail -5)"
sleep 1
OUT=$(in_pod timeout ps -o args)
expect_not_in "sleep 7"
ready_is timeout 0/1 || fail "a probe over its timeout left the pod ready"

# --- a failing postStart kills the container.
failed_hook() { T describe pod badhook | grep -q FailedPostStartHook; }
wait_for 30 failed_hook || fail "no FailedPostStartHook event: $(T describe pod badhook | tail -20)"
OUT=$(T describe pod badhook)
expect_in "exited with 3"
expect_in "oops"
ready_is badhook 0/1 || fail "a container whose postStart failed is ready"

# --- secret values never reach probe messages.
wait_running leaky
leaked() { T describe pod leaky | grep -q "Readiness probe failed: token is"; }
wait_for 20 leaked || fail "no readiness failure event for leaky: $(T describe pod leaky | tail)"
OUT=$(T describe pod leaky)
expect_in "token is [redacted]"
expect_not_in "s3cr3t-Value-42"
OUT=$(cat "$WORK/serve.log")
expect_not_in "s3cr3t-Value-42"
# --- HTTPS: refused first, then a TLS server (no certificate check).
wait_running tls
refused() { T describe pod tls | grep -q 'Readiness probe failed: Get "https://.*:8443/": dial tcp .*connection refused'; }
wait_for 15 refused || fail "no refused HTTPS probe: $(T describe pod tls | tail)"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=tls -days 1 -keyout "$WORK/k.pem" \
        -out "$WORK/c.pem" >/dev/null 2>&1
nsenter --net="$S/pods/$(pod_uid tls)/ns/net" openssl s_server -accept 8443 -cert "$WORK/c.pem" -key "$WORK/k.pem" -www -quiet \
        </dev/null >/dev/null 2>&1 &
SERVERS="$SERVERS $!"
wait_for 20 ready_is tls 1/1 || fail "HTTPS probe never passed: $(T describe pod tls | tail)"

# --- gRPC health: SERVING, then NOT_SERVING.
if /usr/bin/python3 -c 'import grpc' 2>/dev/null; then
        cat >"$WORK/health.py" <<'PY'
import sys
from concurrent import futures
import grpc

def check(request, context):
    try:
        v = int(open(sys.argv[2]).read().strip())
    except Exception:
        v = 1
    return bytes([0x08, v])  # HealthCheckResponse{status: v}

h = grpc.method_handlers_generic_handler("grpc.health.v1.Health", {
    "Check": grpc.unary_unary_rpc_method_handler(check)})
server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
server.add_generic_rpc_handlers((h,))
server.add_insecure_port("0.0.0.0:" + sys.argv[1])
server.start()
server.wait_for_termination()
PY
        wait_running grpc
        nsenter --net="$S/pods/$(pod_uid grpc)/ns/net" /usr/bin/python3 "$WORK/health.py" 9000 "$WORK/grpc-status" \
                </dev/null >"$WORK/grpc.log" 2>&1 &
        SERVERS="$SERVERS $!"
        wait_for 30 ready_is grpc 1/1 || fail "gRPC probe never passed: $(T describe pod grpc | tail; cat "$WORK/grpc.log")"
        echo 2 >"$WORK/grpc-status"
        wait_for 15 ready_is grpc 0/1 || fail "gRPC NOT_SERVING left the pod ready"
        OUT=$(T describe pod grpc)
        expect_in 'Readiness probe failed: service unhealthy (responded with "NOT_SERVING")'
else
        echo "gRPC part skipped: needs python3-grpcio"
fi
echo "probes ok (startup probe passed after ${SLOW_S}s)"
