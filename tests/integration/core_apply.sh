# timone apply: one transaction, kubectl-style report, idempotent, prunes
# what left the source, rejects invalid snapshots whole; secrets never leak.
FIX="$SRC/tests/integration/fixtures/core"
cp -r "$FIX/valid" m
ST="$WORK/state"
LOG="$WORK/all-output.log"
run() { expect_rc "$@"; printf '%s\n' "$OUT" >>"$LOG"; }

run 0 "$TIMONE" apply --state "$ST" m
expect_in "namespace/shop created"
expect_in "storageclass.storage.k8s.io/local-path created"
expect_in "persistentvolume/pv-data created"
expect_in "configmap/web-config created"
expect_in "secret/db created"
expect_in "service/web created"
expect_in "deployment.apps/web created"
[ "$(stat -c %a "$ST")" = 700 ] || fail "state dir mode is $(stat -c %a "$ST")"
[ -f "$ST/timone.db" ] || fail "no database"

run 0 "$TIMONE" diff --state "$ST" m
expect_in "0 to create, 0 to update, 0 to prune, 10 unchanged"

# Idempotent.
run 0 "$TIMONE" apply --state "$ST" m
expect_in "namespace/shop unchanged"
expect_in "deployment.apps/web unchanged"
expect_not_in "created"
expect_not_in "configured"

# Change one value, remove a file: an update and two prunes, in order.
sed -i 's|<h1>hello</h1>|<h1>hello, world</h1>|' m/config/web-config.yaml
rm m/apps/api.yaml
run 1 "$TIMONE" diff --state "$ST" m
expect_in "~ ConfigMap shop/web-config              updated   (data.index.html)"
expect_in "- Deployment shop/api                    pruned"
expect_in "- Service shop/old                       pruned"
expect_in "0 to create, 1 to update, 2 to prune, 7 unchanged"
expect_in "--- a/v1.ConfigMap.shop.web-config"
expect_in "+++ b/v1.ConfigMap.shop.web-config"
expect_in "-    <h1>hello</h1>"
expect_in "+    <h1>hello, world</h1>"
expect_in "+++ /dev/null"
dep=$(grep -n '^- Deployment shop/api' <<<"$OUT" | cut -d: -f1)
svc=$(grep -n '^- Service shop/old' <<<"$OUT" | cut -d: -f1)
[ "$dep" -lt "$svc" ] || fail "prunes not in reverse order"

run 0 "$TIMONE" apply --state "$ST" m
expect_in "configmap/web-config configured"
expect_in "deployment.apps/api pruned"
expect_in "service/old pruned"
expect_in "deployment.apps/web unchanged"
run 0 "$TIMONE" diff --state "$ST" m
expect_in "0 to create, 0 to update, 0 to prune, 8 unchanged"

# A changed secret shows a marker, never a value.
sed -i 's|tm-secret-plain-token-93ab|tm-secret-plain-token-NEW-55|' m/config/db-secret.yaml
run 1 "$TIMONE" diff --state "$ST" m
expect_in "~ Secret shop/db                         updated   (data.token)"
expect_in '-  token: "*** (before)"'
expect_in '+  token: "*** (after)"'
expect_in '   password: "***"'
run 1 "$TIMONE" --log-level debug diff --state "$ST" -o json m
expect_in '"changedPaths": ['
expect_in '"data.token"'
run 0 "$TIMONE" --log-level debug apply --state "$ST" m
expect_in "secret/db configured"

# Invalid input: exit 2, every error, nothing changes.
snapshot() { "$TIMONE" get --state "$ST" all,cm,secret,ns,sc,pv,pvc -A -o yaml; }
before=$(snapshot)
cp "$FIX/invalid/ports.yaml" "$FIX/invalid/unknown-field.yaml" m/
sed -i 's/replicas: 3/replicas: 5/' m/apps/web.yaml
run 2 "$TIMONE" apply --state "$ST" m
expect_in "m/ports.yaml:11:11: Service default/ports: spec.ports[0].port"
expect_in "m/unknown-field.yaml:6:3: ConfigMap default/cfg: metadata.labelz: unknown field"
expect_not_in "configured"
after=$(snapshot)
[ "$before" = "$after" ] || fail "an invalid apply changed the state"
rm m/ports.yaml m/unknown-field.yaml
run 1 "$TIMONE" diff --state "$ST" -q m
expect_in "~ Deployment shop/web                    updated   (spec.replicas)"
run 0 "$TIMONE" apply --state "$ST" m
expect_in "deployment.apps/web configured"

# A namespace that is not there is an error, not a silent create.
mkdir -p m/extra
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: nowhere\n' >m/extra/cm.yaml
run 2 "$TIMONE" apply --state "$ST" m
expect_in 'm/extra/cm.yaml:1:1: ConfigMap nowhere/x: metadata.namespace: namespaces "nowhere" not found'
rm -r m/extra

# Removing everything prunes everything (the namespace last).
mkdir empty
run 1 "$TIMONE" diff --state "$ST" -q empty
expect_in "0 to create, 0 to update, 8 to prune, 0 unchanged"
last=$(grep '^- ' <<<"$OUT" | tail -n 1)
case "$last" in "- Namespace shop"*) ;; *) fail "the namespace is not pruned last: $last" ;; esac
run 0 "$TIMONE" apply --state "$ST" empty
expect_in "namespace/shop pruned"
run 0 "$TIMONE" diff --state "$ST" empty
expect_in "0 to create, 0 to update, 0 to prune, 0 unchanged"

# No secret value in any output, nor in the database files.
for v in tm-secret-plain-token-93ab tm-secret-plain-token-NEW-55 tm-secret-base64-value-7c1e \
         dG0tc2VjcmV0LWJhc2U2NC12YWx1ZS03YzFl dG0tc2VjcmV0LXBsYWlu; do
        ! grep -qF -- "$v" "$LOG" || fail "secret value $v in the output"
        ! grep -qaF -- "$v" "$ST"/timone.db* || fail "secret value $v in the database"
done
[ "$(stat -c %a "$ST/secret.key")" = 600 ] || fail "secret.key mode"
echo "core_apply: ok"
