# `timone serve` following a local git repository: a commit is applied at
# once (inotify on the refs), `get sources` shows the revision and its
# subject, an invalid commit is refused while the last good revision stays
# in force, a force-push is followed and logged, and a restart does not
# re-apply what is already applied.
source "$SRC/tests/integration/pods-lib.sh"
need_cmd git

REPO=$WORK/fleet
git init -q -b main "$REPO"
git -C "$REPO" config user.email ci@example.org
git -C "$REPO" config user.name "CI Bot"
mkdir -p "$REPO/clusters/home"
cm() {
        cat >"$REPO/clusters/home/cm.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  level: "$1"
EOF
}
commit() { git -C "$REPO" add -A && git -C "$REPO" commit -qm "$1"; }
cm 1
commit "first settings"
SITE="$REPO#main//clusters/home"
serve

level_is() { [ "$(T get cm settings -o json 2>/dev/null | jq -r .data.level)" = "$1" ]; }
wait_for 30 level_is 1 || fail "the first revision was not applied: $(T get sources 2>&1)"
OUT=$(T get sources -o wide)
expect_in "main@$(git -C "$REPO" rev-parse --short=7 HEAD)"
expect_in "first settings"
expect_in "yes"

# A commit is applied within a second or two (inotify on the refs).
cm 2
commit "raise the level"
START=$(date +%s%N)
wait_for 10 level_is 2 || fail "the commit was not applied"
MS=$(( ($(date +%s%N) - START) / 1000000 ))
echo "commit applied in ${MS} ms"
OUT=$(T get sources)
expect_in "raise the level"

# An invalid commit is refused: the last good revision stays in force.
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\ndata:\n  on: yes\n' >"$REPO/clusters/home/broken.yaml"
commit "a broken manifest"
refused() { T get sources | grep -q " no "; }
wait_for 10 refused || fail "the invalid commit was not reported: $(T get sources)"
OUT=$(T get sources -o wide)
expect_in "broken.yaml"
level_is 2 || fail "the last good revision is no longer in force"
rm "$REPO/clusters/home/broken.yaml"
commit "drop the broken manifest"
wait_for 10 level_is 2 || fail "lost the settings"
applied_again() { T get sources | grep -q "drop the broken"; }
wait_for 10 applied_again || fail "the fixed revision was not applied: $(T get sources)"

# History rewritten: the new tip is followed and the force-push logged.
git -C "$REPO" reset -q --hard HEAD~3
cm 7
commit "rewritten history"
wait_for 10 level_is 7 || fail "the force-pushed revision was not applied"
grep -q 'force-push' "$WORK/serve.log" || fail "the force-push was not logged"

# A restart re-applies nothing.
serve_stop
N=$(grep -c 'revision applied' "$WORK/serve.log")
serve
started() { [ "$(grep -c 'msg="serving"' "$WORK/serve.log")" -ge 2 ]; }
wait_for 20 started || fail "the daemon did not start again"
sleep 2
grep 'revision applied' "$WORK/serve.log" | tail -1 | grep -q 'created=0 updated=0 pruned=0' ||
        fail "the restart changed something: $(grep 'revision applied' "$WORK/serve.log" | tail -1)"
level_is 7 || fail "lost the settings across the restart"
serve_stop
