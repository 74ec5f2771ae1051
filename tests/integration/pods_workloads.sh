# Workloads through `timone serve --local`: a Deployment of 3 (ReplicaSet
# "<name>-<pod-template-hash>", pods "<rs>-<suffix>"), scale down, a
# rolling update that keeps replicas - maxUnavailable pods Running all the
# way, the Recreate strategy (no old and new pods together), a DaemonSet
# with one pod on node "local", and delete.
source "$SRC/tests/integration/pods-lib.sh"

# web REPLICAS VALUE [STRATEGY-YAML]
web() {
        cat <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: $1
  selector:
    matchLabels: {app: web}
${3:-}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: ${GRACE:-1}
      containers:
      - name: c
        image: busybox:latest
        imagePullPolicy: Never
        command: ["sleep", "3600"]
        env:
        - {name: FLAVOUR, value: "$2"}
EOF
}
# The web pods not being deleted (what maxSurge/maxUnavailable count, as
# in Kubernetes): "NAME STATUS HASH" lines.
web_pods() {
        T get pods -l app=web -o json 2>/dev/null |
                jq -r '(.items // [.])[] | select(.metadata.name != null) |
                       select(.metadata.deletionTimestamp == null) |
                       "\(.metadata.name) \(.status.phase // "-") \(.metadata.labels["pod-template-hash"] // "-")"'
}
# The FLAVOUR of every web container process running now, sorted, unique.
flavours() {
        local pids
        pids=$(pgrep -x sleep | sed 's|.*|/proc/&/environ|')
        [ -n "$pids" ] || return 0
        # shellcheck disable=SC2086
        grep -a -h -o 'FLAVOUR=[a-z]*' $pids 2>/dev/null | sort -u | tr '\n' ' ' || true
}
n_running() { web_pods | awk '$2 == "Running"' | wc -l; }
n_listed() { web_pods | wc -l; }
running_is() { [ "$(n_running)" = "$1" ] && [ "$(n_listed)" = "$1" ]; }
hashes() { web_pods | awk '{print $3}' | sort -u | tr '\n' ' '; }

web 3 vanilla >"$SITE/web.yaml"
serve
wait_for 90 running_is 3 || fail "3 web pods are not Running: $(T get pods -o wide 2>&1)"
H1=$(hashes)
H1=${H1% }
[ -n "$H1" ] && [ "${H1// /}" = "$H1" ] || fail "not one template hash: '$H1'"
# Names: web-<hash>-<5 chars>; owner: the ReplicaSet.
OUT=$(web_pods)
for n in $(web_pods | awk '{print $1}'); do
        [[ $n =~ ^web-$H1-[bcdfghjklmnpqrstvwxz2456789]{5}$ ]] || fail "pod name '$n' is not web-$H1-xxxxx"
done
OWN=$(T get pods -l app=web -o json | jq -r '(.items // [.])[0].metadata.ownerReferences[0] | "\(.kind)/\(.name)"')
[ "$OWN" = "ReplicaSet/web-$H1" ] || fail "owner is '$OWN'"
deploy_ready() { T get deploy web --no-headers 2>/dev/null | awk '{print $2}'; }
ready_33() { [ "$(deploy_ready)" = 3/3 ]; }
wait_for 20 ready_33 || fail "get deploy: READY is not 3/3: $(T get deploy 2>&1)"
# get rs: the derived ReplicaSet with its desired, current and ready pods.
OUT=$(T get rs --no-headers)
grep -Eq "^web-$H1 +3 +3 +3 " <<<"$OUT" || fail "get rs does not show web-$H1 3 3 3: $OUT"
UIDS1=$(T get pods -l app=web -o json | jq -r '(.items // [.])[].metadata.uid' | sort)

# Scale down to 1: two pods go, the one left is one of the first three.
web 1 vanilla >"$SITE/web.yaml"
wait_for 60 running_is 1 || fail "scale to 1: $(web_pods)"
LEFT=$(T get pods -l app=web -o json | jq -r '(.items // [.])[].metadata.uid')
grep -qx "$LEFT" <<<"$UIDS1" || fail "the pod left after scale-down is a new one"
ready_11() { [ "$(deploy_ready)" = 1/1 ]; }
wait_for 20 ready_11 || fail "get deploy: READY is not 1/1: $(T get deploy 2>&1)"

# Back to 3, then a template change rolls (default 25%/25% of 3: surge 1,
# unavailable 0): 3 pods stay Running all along.
web 3 vanilla >"$SITE/web.yaml"
wait_for 60 running_is 3 || fail "scale to 3: $(web_pods)"
web 3 chocolate >"$SITE/web.yaml"
min=3 max=0 t0=$SECONDS done=
while [ $((SECONDS - t0)) -lt 120 ]; do
        r=$(n_running) l=$(n_listed)
        [ "$r" -lt "$min" ] && min=$r
        [ "$l" -gt "$max" ] && max=$l
        h=$(hashes)
        if [ "$r" = 3 ] && [ "$l" = 3 ] && [ "${h% }" != "$H1" ] && [ "$(wc -w <<<"$h")" = 1 ]; then
                done=1
                break
        fi
        sleep 0.1
done
[ -n "$done" ] || fail "the rollout did not finish: $(web_pods)"
[ "$min" -ge 3 ] || fail "only $min pods were Running during the rollout (replicas 3, maxUnavailable 0)"
[ "$max" -le 4 ] || fail "$max pods at once during the rollout (replicas 3, maxSurge 1)"
H2=$(hashes)
H2=${H2% }
[ "$H2" != "$H1" ] || fail "same template hash after a template change"
P=$(web_pods | awk 'NR == 1 {print $1}')
OUT=$(in_pod "$P" env)
expect_in "FLAVOUR=chocolate"
wait_for 20 ready_33 || fail "get deploy after the rollout: $(T get deploy 2>&1)"

# Recreate: every old pod goes before a new one appears.
REC='  strategy: {type: Recreate}'
web 3 chocolate "$REC" >"$SITE/web.yaml"
sleep 1
[ "$(hashes)" = "$H2 " ] || fail "a strategy change alone changed the pods: $(web_pods)"
# Pods that take their time to stop (sleep ignores SIGTERM as PID 1, so
# they use their whole grace period), rolled out with Recreate first...
GRACE=6 web 3 chocolate "$REC" >"$SITE/web.yaml"
rolled() {
        local h
        h=$(hashes)
        [ "$(n_running)" = 3 ] && [ "$(wc -w <<<"$h")" = 1 ] && [ "${h% }" != "$H2" ]
}
wait_for 90 rolled || fail "the Recreate rollout to a longer grace period did not finish: $(web_pods)"
H2=$(hashes)
H2=${H2% }
# ... then replaced: the new pods wait for the old ones to be gone.
GRACE=6 web 3 mint "$REC" >"$SITE/web.yaml"
mixed=0 t0=$SECONDS done= seen_terminating=
while [ $((SECONDS - t0)) -lt 120 ]; do
        g=$(T get pods -l app=web --no-headers 2>/dev/null || true)
        grep -q ' Terminating ' <<<"$g" && seen_terminating=1
        h=$(hashes)
        [ "$(wc -w <<<"$h")" -gt 1 ] && mixed=1
        # The containers themselves: an old one still stopping and a new
        # one started would be both flavours at once.
        f=$(flavours)
        [ "$(wc -w <<<"$f")" -gt 1 ] && mixed=2
        if [ "$(n_running)" = 3 ] && [ "$(n_listed)" = 3 ] && [ "$(wc -w <<<"$h")" = 1 ] &&
                [ "${h% }" != "$H2" ]; then
                done=1
                break
        fi
        sleep 0.1
done
[ -n "$done" ] || fail "the Recreate rollout did not finish: $(web_pods)"
[ "$mixed" = 0 ] || fail "old and new pods existed together under Recreate ($mixed)"
[ -n "$seen_terminating" ] || fail "get pods never showed the old pods Terminating"
# The daemon's own order: every old pod removed before the first new one.
H3=$(hashes)
H3=${H3% }
first_new=$(grep -n "msg=\"pod created\" pod=default/web-$H3-" "$WORK/serve.log" | head -1 | cut -d: -f1)
last_old=$(grep -n "msg=\"pod removed\" pod=default/web-$H2-" "$WORK/serve.log" | tail -1 | cut -d: -f1)
[ -n "$first_new" ] && [ -n "$last_old" ] && [ "$last_old" -lt "$first_new" ] ||
        fail "under Recreate a new pod was created (log line $first_new) before the last old one was removed (line $last_old)"
P=$(web_pods | awk 'NR == 1 {print $1}')
OUT=$(in_pod "$P" env)
expect_in "FLAVOUR=mint"

# A DaemonSet: one pod, on node "local".
cat >"$SITE/ds.yaml" <<'EOF'
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: agent
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: c
        image: busybox:latest
        imagePullPolicy: Never
        command: ["sleep", "3600"]
EOF
ds_pods() { T get pods -o wide --no-headers 2>/dev/null | awk '$1 ~ /^agent-/'; }
ds_running() { [ "$(ds_pods | awk '$3 == "Running"' | wc -l)" = 1 ] && [ "$(ds_pods | wc -l)" = 1 ]; }
wait_for 60 ds_running || fail "the DaemonSet pod is not Running: $(T get pods -o wide 2>&1)"
OUT=$(ds_pods)
expect_in " local"
OUT=$(T get ds --no-headers 2>&1)
expect_in "agent"

# Delete: the Deployment's pods and the DaemonSet's go.
rm "$SITE/web.yaml" "$SITE/ds.yaml"
none_left() { [ "$(n_listed)" = 0 ] && [ -z "$(ds_pods)" ]; }
wait_for 60 none_left || fail "pods left after delete: $(T get pods 2>&1)"
gone_dirs() { [ -z "$(ls "$S/pods" 2>/dev/null)" ]; }
wait_for 30 gone_dirs || fail "pod directories left: $(ls "$S/pods")"
kill -0 "$SP" || fail "the daemon died"
serve_stop
