# timone diff on manifest trees: the plan, its exit codes, JSON, colour,
# bundles, invalid input with every error at once; never creates the state.
FIX="$SRC/tests/integration/fixtures/core"
cp -r "$FIX/valid" valid
cp -r "$FIX/invalid" inv
cp -r "$FIX/awkward" awk
ST="$WORK/state"

# An empty cluster: everything is created; the state dir is not made.
expect_rc 1 "$TIMONE" diff --state "$ST" valid
expect_in "+ Namespace shop                         created"
expect_in "+ StorageClass local-path                created"
expect_in "+ PersistentVolume pv-data               created"
expect_in "+ ConfigMap shop/web-config              created"
expect_in "+ Deployment shop/web                    created"
expect_in "10 to create, 0 to update, 0 to prune, 0 unchanged"
expect_in "--- /dev/null"
expect_in "+++ b/apps.v1.Deployment.shop.web"
expect_in "+  replicas: 3"
[ ! -e "$ST" ] || fail "diff created the state directory"
# Namespaces first, workloads last.
ns_line=$(grep -n '^+ Namespace shop' <<<"$OUT" | cut -d: -f1)
cm_line=$(grep -n '^+ ConfigMap shop/web-config' <<<"$OUT" | cut -d: -f1)
svc_line=$(grep -n '^+ Service shop/web' <<<"$OUT" | cut -d: -f1)
dep_line=$(grep -n '^+ Deployment shop/web' <<<"$OUT" | cut -d: -f1)
[ "$ns_line" -lt "$cm_line" ] && [ "$cm_line" -lt "$svc_line" ] && [ "$svc_line" -lt "$dep_line" ] ||
        fail "plan not in dependency order: $ns_line $cm_line $svc_line $dep_line"

# Secret values never shown, base64 or plain.
expect_not_in "dG0tc2VjcmV0"
expect_not_in "tm-secret-base64-value-7c1e"
expect_not_in "tm-secret-plain-token-93ab"
expect_in '+  password: "***"'

# --quiet: the summary only. No colour when stdout is not a terminal.
expect_rc 1 "$TIMONE" diff --state "$ST" -q valid
expect_not_in "+++"
[ "$(wc -l <<<"$OUT")" = 11 ] || fail "quiet output is not 11 lines: $OUT"
expect_not_in $'\033['
expect_rc 1 "$TIMONE" diff --state "$ST" --color=always valid
expect_in $'\033[32m+ Namespace shop'
expect_in $'\033[36m@@ -0,0'
expect_rc 2 "$TIMONE" diff --state "$ST" --color=sometimes valid

# -o json
expect_rc 1 "$TIMONE" diff --state "$ST" -o json valid
expect_in '"create": 10,'
expect_in '"action": "create"'
expect_in '"apiVersion": "apps/v1"'
expect_in '"revision": "sha256:'
expect_in '"errors": []'
expect_not_in "dG0tc2VjcmV0"
rev_dir=$(grep '"revision"' <<<"$OUT")

# A bundle is read like the directory: same plan, same revision.
tar -czf site.tar.gz -C valid .
expect_rc 1 "$TIMONE" diff --state "$ST" -q valid
q_dir=$OUT
expect_rc 1 "$TIMONE" diff --state "$ST" -q site.tar.gz
[ "$OUT" = "$q_dir" ] || fail "bundle plan differs from the directory's:
$OUT"
expect_rc 1 "$TIMONE" diff --state "$ST" -o json site.tar.gz
[ "$(grep '"revision"' <<<"$OUT")" = "$rev_dir" ] || fail "bundle revision differs"

# Awkward but legal: BOM, CRLF, empty documents, comment-only and empty
# files, a JSON List; dot-files and non-manifest files ignored.
expect_rc 1 "$TIMONE" diff --state "$ST" -q awk
expect_in "+ ConfigMap default/bom"
expect_in "+ ConfigMap default/crlf"
expect_in "+ ConfigMap default/after-empty"
expect_in "+ ConfigMap default/from-json "
expect_in "+ ConfigMap default/from-json-2"
expect_in "5 to create, 0 to update, 0 to prune, 0 unchanged"

# Invalid: every error, with its file:line:col and path; no plan; exit 2.
expect_rc 2 "$TIMONE" diff --state "$ST" inv
expect_not_in "to create"
expect_in 'inv/unknown-field.yaml:6:3: ConfigMap default/cfg: metadata.labelz: unknown field "labelz"'
expect_in 'inv/bad-apiversion.yaml:1:13: apiVersion: no matches for kind "Deployment" in version "v1"'
expect_in 'inv/dup-key.yaml:7:3: duplicate key "a"'
expect_in 'inv/dup-object-2.yaml:2:1: ConfigMap default/twice: defined twice: also at inv/dup-object-1.yaml:1:1'
expect_in 'inv/selector.yaml:12:9: Deployment default/mismatch: spec.template.metadata.labels: Invalid value'
expect_in 'inv/resources.yaml:11:17: Pod default/greedy: spec.containers[0].resources.requests.memory: Invalid value: "256Mi"'
expect_in 'inv/ports.yaml:11:11: Service default/ports: spec.ports[0].port: Invalid value: 70000'
expect_in 'inv/ports.yaml:14:15: Service default/ports: spec.ports[1].nodePort: Invalid value: 20000'
expect_in 'inv/secret.yaml:6:8: Secret default/notbase64: data.key: illegal base64 data'
expect_in 'inv/no-namespace.yaml:1:1: ConfigMap nowhere/lost: metadata.namespace: namespaces "nowhere" not found'
expect_not_in "tm-not-base64-secret-value"
# stdout stays empty for an invalid snapshot
set +e; stdout=$("$TIMONE" diff --state "$ST" inv 2>/dev/null); set -e
[ -z "$stdout" ] || fail "invalid snapshot printed a plan: $stdout"
expect_rc 2 "$TIMONE" diff --state "$ST" -o json inv
expect_in '"actions": []'
expect_in '"file": "inv/ports.yaml"'
expect_in '"line": 14'
expect_in '"column": 15'
expect_in '"path": "spec.ports[1].nodePort"'
expect_not_in "tm-not-base64-secret-value"

# One invalid file spoils the whole snapshot.
cp inv/ports.yaml valid/
expect_rc 2 "$TIMONE" diff --state "$ST" valid
rm valid/ports.yaml

# Errors of use.
expect_rc 2 "$TIMONE" diff --state "$ST" "$WORK/does-not-exist"
expect_rc 2 "$TIMONE" diff --state "$ST"
expect_rc 0 "$TIMONE" diff --help
expect_in "usage: timone diff"
[ ! -e "$ST" ] || fail "diff created the state directory"
echo "core_diff: ok"
