# timone get: kubectl's tables and messages, selectors, -o yaml|json|name.
FIX="$SRC/tests/integration/fixtures/core"
cp -r "$FIX/valid" m
ST="$WORK/state"

# Nothing applied yet: an empty cluster, and get does not create the state.
expect_rc 0 "$TIMONE" get --state "$ST" deployments -n shop
[ "$OUT" = "No resources found in shop namespace." ] || fail "got: $OUT"
[ ! -e "$ST" ] || fail "get created the state directory"

expect_rc 0 "$TIMONE" apply --state "$ST" m

expect_rc 0 "$TIMONE" get --state "$ST" deploy -n shop
[ "$(head -n 1 <<<"$OUT")" = "NAME   READY   UP-TO-DATE   AVAILABLE   AGE" ] || fail "header: $OUT"
grep -Eq '^api    0/1     0            0           [0-9]+s$' <<<"$OUT" || fail "api row: $OUT"
grep -Eq '^web    0/3     0            0           [0-9]+s$' <<<"$OUT" || fail "web row: $OUT"

expect_rc 0 "$TIMONE" get --state "$ST" svc -n shop -o wide
[ "$(head -n 1 <<<"$OUT")" = "NAME   TYPE        CLUSTER-IP   EXTERNAL-IP   PORT(S)        AGE   SELECTOR" ] ||
        fail "service header: $OUT"
expect_in "80:30080/TCP"
expect_in "8080/TCP"
expect_in "app=web"

expect_rc 0 "$TIMONE" get --state "$ST" cm,secrets -n shop
expect_in "configmap/web-config"
expect_in "secret/db"
expect_in "Opaque"
expect_rc 0 "$TIMONE" get --state "$ST" secret db -n shop
grep -Eq '^db     Opaque   2      [0-9]+s$' <<<"$OUT" || fail "secret row: $OUT"

expect_rc 0 "$TIMONE" get --state "$ST" ns
grep -Eq '^shop   Active   [0-9]+s$' <<<"$OUT" || fail "ns row: $OUT"
expect_rc 0 "$TIMONE" get --state "$ST" sc
expect_in "local-path (default)   rancher.io/local-path   Delete"
expect_in "WaitForFirstConsumer"
expect_rc 0 "$TIMONE" get --state "$ST" pv
expect_in "pv-data   1Gi        RWO            Retain           Available"
expect_rc 0 "$TIMONE" get --state "$ST" pvc -n shop
expect_in "data   Pending"

# -A puts NAMESPACE first; set-based selectors.
expect_rc 0 "$TIMONE" get --state "$ST" deployments.apps -A -l 'tier in (web,api),env!=dev'
[ "$(head -n 1 <<<"$OUT")" = "NAMESPACE   NAME   READY   UP-TO-DATE   AVAILABLE   AGE" ] || fail "header: $OUT"
expect_in "shop        web"
expect_not_in "api"
expect_rc 0 "$TIMONE" get --state "$ST" svc -A -l 'tier in (web,api),env!=dev' --no-headers
expect_not_in "NAMESPACE"
expect_in "shop   old   ClusterIP"
expect_in "shop   web   NodePort"
expect_rc 0 "$TIMONE" get --state "$ST" deploy -n shop -l 'tier notin (web),!missing'
expect_in "api"
expect_not_in "web "
expect_rc 0 "$TIMONE" get --state "$ST" deploy -n shop -l 'tier=nothing'
[ "$OUT" = "No resources found in shop namespace." ] || fail "got: $OUT"
expect_rc 2 "$TIMONE" get --state "$ST" deploy -n shop -l 'tier in (web'
expect_rc 0 "$TIMONE" get --state "$ST" deploy web -n shop --show-labels
expect_in "env=prod,tier=web"

# -o name, -o yaml (one object), -o json (a List).
expect_rc 0 "$TIMONE" get --state "$ST" all -n shop -o name
expect_in "deployment.apps/web"
expect_in "deployment.apps/api"
expect_in "service/web"
expect_rc 0 "$TIMONE" get --state "$ST" deploy web -n shop -o yaml
expect_in "apiVersion: apps/v1"
expect_in "kind: Deployment"
expect_in "  generation: 1"
expect_in "  creationTimestamp: "
grep -Eq '^  uid: [0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' <<<"$OUT" ||
        fail "no uid: $OUT"
uid=$(grep '^  uid:' <<<"$OUT")
expect_rc 0 "$TIMONE" get --state "$ST" deploy -n shop -o json
expect_in '"kind": "List"'
expect_in '"items": ['
expect_in '"name": "api"'
expect_rc 0 "$TIMONE" get --state "$ST" secret db -n shop -o yaml
expect_in 'password: "***"'
expect_not_in "dG0tc2VjcmV0"
expect_rc 0 "$TIMONE" get --state "$ST" deploy/web svc/web -n shop -o name
[ "$OUT" = $'deployment.apps/web\nservice/web' ] || fail "got: $OUT"

# An update bumps generation and keeps the uid.
sed -i 's/replicas: 3/replicas: 4/' m/apps/web.yaml
expect_rc 0 "$TIMONE" apply --state "$ST" m
expect_rc 0 "$TIMONE" get --state "$ST" deploy web -n shop -o yaml
expect_in "  generation: 2"
expect_in "$uid"
expect_in "replicas: 4"

# Not found and usage errors, as kubectl words them.
expect_rc 1 "$TIMONE" get --state "$ST" deploy nope -n shop
[ "$OUT" = 'Error from server (NotFound): deployments.apps "nope" not found' ] || fail "got: $OUT"
expect_rc 1 "$TIMONE" get --state "$ST" cm nope -n shop
expect_in 'Error from server (NotFound): configmaps "nope" not found'
expect_rc 1 "$TIMONE" get --state "$ST" deploy web nope -n shop
expect_in "web"
expect_in 'deployments.apps "nope" not found'
expect_rc 0 "$TIMONE" get --state "$ST" pods
[ "$OUT" = "No resources found in default namespace." ] || fail "got: $OUT"
expect_rc 2 "$TIMONE" get --state "$ST" widgets
expect_in 'the server doesn'"'"'t have a resource type "widgets"'
expect_rc 2 "$TIMONE" get --state "$ST" deploy -o table
expect_rc 2 "$TIMONE" get --state "$ST"
expect_rc 0 "$TIMONE" get --help
echo "core_get: ok"
