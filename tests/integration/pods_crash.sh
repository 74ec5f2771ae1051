# Pods that end: a crashing container restarted with Kubernetes' back-off
# (the first restart at once, then 10 s and 20 s, CrashLoopBackOff shown,
# restart count, `logs --previous`), restartPolicy Never (Failed/Error)
# and OnFailure with exit 0 (Completed), an OOM kill at a memory limit,
# and the graceful stop: SIGTERM first, SIGKILL after the grace period.
source "$SRC/tests/integration/pods-lib.sh"

HOST=$WORK/host
mkdir -p "$HOST"
SERVE_ARGS=(--host-path-root "$HOST")

pod() { # pod NAME RESTART_POLICY GRACE SCRIPT [EXTRA CONTAINER YAML]
        cat <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $1
spec:
  restartPolicy: $2
  terminationGracePeriodSeconds: $3
  containers:
  - name: c
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sh", "-c", "$4"]
    volumeMounts:
    - {name: data, mountPath: /data}
    - {name: host, mountPath: /host}
${5:-}
  volumes:
  - name: data
    emptyDir: {}
  - name: host
    hostPath: {path: $HOST, type: Directory}
EOF
}
pod crash Always 1 'n=$(cat /data/n 2>/dev/null || echo 0); n=$((n+1)); echo $n >/data/n; echo attempt-$n; exit 1' >"$SITE/crash.yaml"
pod never Never 1 'echo bye; exit 3' >"$SITE/never.yaml"
pod onfail OnFailure 1 'echo done; exit 0' >"$SITE/onfail.yaml"
pod oom Never 1 'x=$(head -c 64000000 /dev/zero | tr \"\\0\" a); echo survived; sleep 1' '    resources: {limits: {memory: 16Mi}}' >"$SITE/oom.yaml"
pod polite Always 10 'trap \"echo term >/host/polite; exit 0\" TERM; while true; do sleep 0.1; done' >"$SITE/polite.yaml"
pod stubborn Always 2 'trap \"echo term >/host/stubborn\" TERM; while true; do sleep 0.1; done' >"$SITE/stubborn.yaml"
serve

restarts() { pod_col crash 4; }
restarts_is() { [ "$(restarts)" = "$1" ]; }
# As the kubelet: the first restart at once, then 10 s, then 20 s.
wait_for 30 restarts_is 1 || fail "no first restart: $(T get pods -o wide)"
T1=$(date +%s%N)
wait_for 10 pod_is crash CrashLoopBackOff || fail "no CrashLoopBackOff: $(T get pods -o wide)"
wait_for 30 restarts_is 2 || fail "no second restart: $(T get pods -o wide)"
T2=$(date +%s%N)
wait_for 40 restarts_is 3 || fail "no third restart: $(T get pods -o wide)"
T3=$(date +%s%N)
GAP1=$(((T2 - T1) / 1000000)) GAP2=$(((T3 - T2) / 1000000))
echo "gaps between restarts 1, 2 and 3: ${GAP1} ms, ${GAP2} ms"
[ "$GAP1" -ge 9000 ] || fail "second restart after ${GAP1} ms, want >= 10 s of back-off"
[ "$GAP2" -ge 19000 ] || fail "third restart after ${GAP2} ms, want >= 20 s of back-off"
wait_for 10 pod_is crash CrashLoopBackOff || fail "no CrashLoopBackOff between restarts"
OUT=$(T logs crash --previous)
expect_in "attempt-3"
expect_not_in "attempt-4"
OUT=$(T logs crash)
expect_in "attempt-4"
OUT=$(T get pod crash -o json | jq -r '.status.containerStatuses[0].lastState.terminated.exitCode')
[ "$OUT" = 1 ] || fail "lastState.terminated.exitCode is '$OUT', want 1"
OUT=$(T describe pod crash)
expect_in "BackOff"

# restartPolicy Never with a failure: Failed, STATUS Error, no restart.
wait_for 30 pod_is never Error || fail "pod never is not Error: $(T get pods -o wide)"
[ "$(pod_col never 4)" = 0 ] || fail "a Never pod was restarted"
OUT=$(T get pod never -o json | jq -r '.status.phase + " " + (.status.containerStatuses[0].state.terminated.exitCode|tostring)')
[ "$OUT" = "Failed 3" ] || fail "pod never: phase/exit '$OUT', want 'Failed 3'"
# OnFailure with exit 0: Completed, Succeeded.
wait_for 30 pod_is onfail Completed || fail "pod onfail is not Completed: $(T get pods -o wide)"
OUT=$(T get pod onfail -o json | jq -r .status.phase)
[ "$OUT" = Succeeded ] || fail "pod onfail phase '$OUT', want Succeeded"
[ "$(pod_col onfail 4)" = 0 ] || fail "an OnFailure pod that succeeded was restarted"

# OOM kill at the memory limit.
wait_for 30 pod_is oom OOMKilled || fail "pod oom is not OOMKilled: $(T get pods -o wide)
$(T get pod oom -o json | jq .status)"
OUT=$(T get pod oom -o json | jq -r '.status.containerStatuses[0].state.terminated | .reason + " " + (.exitCode|tostring)')
[ "$OUT" = "OOMKilled 137" ] || fail "pod oom: terminated '$OUT', want 'OOMKilled 137'"
OUT=$(T logs oom)
expect_not_in survived

# Graceful stop: polite exits on SIGTERM at once; stubborn ignores it and
# is killed after its 2 s grace period.
wait_running polite
wait_running stubborn
PP=$(cpid polite c)
SPID=$(cpid stubborn c)
T0=$(date +%s%N)
rm "$SITE/polite.yaml" "$SITE/stubborn.yaml"
gone() { ! kill -0 "$1" 2>/dev/null; }
wait_for 8 gone "$PP" || fail "polite did not stop on SIGTERM (grace 10 s)"
TP=$(date +%s%N)
wait_for 20 gone "$SPID" || fail "stubborn was not killed"
TS=$(date +%s%N)
echo "polite stopped after $(((TP - T0) / 1000000)) ms, stubborn after $(((TS - T0) / 1000000)) ms"
[ "$(cat "$HOST/polite" 2>/dev/null)" = term ] || fail "polite did not get SIGTERM"
[ "$(cat "$HOST/stubborn" 2>/dev/null)" = term ] || fail "stubborn did not get SIGTERM"
[ $(((TS - T0) / 1000000)) -ge 1900 ] || fail "stubborn killed before its grace period"
wait_for 20 pod_gone polite || fail "polite still listed"
wait_for 20 pod_gone stubborn || fail "stubborn still listed"

rm "$SITE"/*.yaml
wait_for 60 pod_gone crash || fail "crash still listed"
kill -0 "$SP" || fail "the daemon died"
serve_stop
