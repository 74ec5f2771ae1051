# The pod network through `timone serve --local`: pod to pod (httpd in one
# pod, wget from another), two containers of one pod over localhost, the
# hostname is the pod name, and a hostPort reached on the node's address
# from the node and from a pod; a host port taken by another pod is a
# clear pod status.
source "$SRC/tests/integration/pods-lib.sh"

cat >"$SITE/page.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: page
data:
  index.html: "served by srv"
EOF
srv() { # srv NAME
        cat <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $1
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: httpd
    image: busybox:latest
    imagePullPolicy: Never
    command: ["httpd", "-f", "-p", "8080", "-h", "/www"]
    ports:
    - {containerPort: 8080, hostPort: 18080}
    volumeMounts:
    - {name: page, mountPath: /www}
  volumes:
  - name: page
    configMap: {name: page}
EOF
}
srv srv >"$SITE/srv.yaml"
cat >"$SITE/cli.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: cli
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sleep", "3600"]
EOF
cat >"$SITE/duo.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: duo
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: server
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sh", "-c", "mkdir -p /w && echo duo-local >/w/index.html && exec httpd -f -p 127.0.0.1:9090 -h /w"]
  - name: client
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sleep", "3600"]
EOF
serve
wait_running srv
wait_running cli
wait_running duo
SRV_IP=$(pod_col srv 6)
CLI_IP=$(pod_col cli 6)
[ -n "$SRV_IP" ] && [ "$SRV_IP" != "$CLI_IP" ] || fail "pod addresses '$SRV_IP' '$CLI_IP'"

# Pod to pod.
get_from_cli() { OUT=$(in_pod cli timeout 5 wget -qO- "http://$SRV_IP:8080/"); }
wait_for 10 get_from_cli || fail "cli cannot reach srv at $SRV_IP:8080"
expect_in "served by srv"
# Containers of one pod over localhost (the server listens on 127.0.0.1 only).
local_get() { OUT=$("$TIMONE" exec --state "$S" duo -c client -- timeout 5 wget -qO- http://127.0.0.1:9090/); }
wait_for 10 local_get || fail "duo's client cannot reach its server on localhost"
expect_in "duo-local"
OUT=$(node timeout 5 busybox wget -qO- "http://$(pod_col duo 6):9090/" 2>&1 || true)
expect_not_in "duo-local"
# Hostnames.
[ "$(in_pod srv hostname)" = srv ] || fail "hostname of srv: $(in_pod srv hostname)"
[ "$(in_pod duo hostname)" = duo ] || fail "hostname of duo"
OUT=$(in_pod cli cat /etc/hosts)
expect_in "$CLI_IP"
expect_in "cli"

# hostPort: the node's address (the bridge's) forwards to the pod, from the
# node itself and from another pod.
NODE_IP=$NET.1
node_get() { OUT=$(node timeout 5 busybox wget -qO- "http://$NODE_IP:18080/"); }
wait_for 10 node_get || fail "hostPort 18080 on $NODE_IP not forwarded: $(node nft list ruleset 2>&1 | head -40)"
expect_in "served by srv"
pod_get() { OUT=$(in_pod cli timeout 5 wget -qO- "http://$NODE_IP:18080/"); }
wait_for 10 pod_get || fail "hostPort 18080 not reachable from a pod"
expect_in "served by srv"
# Idle: with nothing changing, the daemon writes nothing to the state (the
# containers' logs aside): no status re-sent, no periodic write.
sleep 2
snap() { find "$S" -path "$S/pods" -prune -o -type f -printf '%p %s %T@\n' | sort; }
BEFORE=$(snap)
sleep 6
AFTER=$(snap)
[ "$BEFORE" = "$AFTER" ] || fail "the idle daemon wrote: $(diff <(echo "$BEFORE") <(echo "$AFTER"))"

# The same host port for a second pod: refused with a clear status.
srv srv2 >"$SITE/srv2.yaml"
conflict() { T describe pod srv2 | grep -qi "host port"; }
wait_for 30 conflict || fail "no host-port conflict reported: $(T describe pod srv2)"
pod_is srv2 Running && fail "srv2 runs with a host port held by srv"
echo "srv2: $(pod_col srv2 3)"
# srv goes: its port is freed and srv2 takes it.
rm "$SITE/srv.yaml"
wait_for 30 pod_gone srv || fail "srv still listed"
wait_running srv2
SRV2_IP=$(pod_col srv2 6)
node_get2() { node_get && [ "$(pod_col srv2 6)" = "$SRV2_IP" ]; }
wait_for 20 node_get2 || fail "hostPort not moved to srv2"
expect_in "served by srv"

rm "$SITE"/*.yaml
wait_for 30 pod_gone srv2 || fail "srv2 still listed"
wait_for 30 pod_gone cli || fail "cli still listed"
wait_for 30 pod_gone duo || fail "duo still listed"
ports_gone() { ! node nft list ruleset 2>/dev/null | grep -q 18080; }
wait_for 30 ports_gone || fail "host port left behind: $(node nft list ruleset 2>&1)"
kill -0 "$SP" || fail "the daemon died"
serve_stop
