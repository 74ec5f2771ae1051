# timone diff / apply on git sources: a local repository, a file:// URL with
# a subdir, a repository over HTTP with credentials, and the errors a
# repository can cause (escaping symlink, submodule, unknown ref).
need_cmd git
need_cmd python3
source "$SRC/tests/integration/git-lib.sh"
git_lib_env
trap 'git_lib_stop "$WORK/srv"; cleanup' EXIT

git init -q -b main repo
mkdir -p repo/clusters/home
cp "$SRC"/examples/*.yaml repo/clusters/home/
cat >repo/clusters/home/extra.yaml <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: extra
  namespace: default
data:
  colour: blue
YAML
echo "not a manifest" >repo/README.md
git -C repo add -A
git -C repo commit -q -m "first fleet"

# local repository, read in place; diff never creates the state directory
expect_rc 1 "$TIMONE" diff --state "$WORK/state" "repo#main//clusters/home"
expect_in "+ ConfigMap default/extra"
expect_in "+ Deployment shop/web"
[ ! -e "$WORK/state" ] || fail "diff created the state directory"
expect_rc 0 "$TIMONE" apply --state "$WORK/state" "repo#main//clusters/home"
expect_rc 0 "$TIMONE" diff --state "$WORK/state" "repo//clusters/home"
expect_in "0 to create, 0 to update, 0 to prune"

# a commit changes the plan; uncommitted edits do not
sed -i 's/colour: blue/colour: green/' repo/clusters/home/extra.yaml
expect_rc 0 "$TIMONE" diff --state "$WORK/state" "repo#main//clusters/home"
git -C repo commit -q -am "green"
expect_rc 1 "$TIMONE" diff --state "$WORK/state" "repo#main//clusters/home"
expect_in "~ ConfigMap default/extra"
expect_in "+  colour: green"

# the same through a file:// URL (fetched into the state's cache)
expect_rc 1 "$TIMONE" diff --state "$WORK/state" "file://$WORK/repo#main//clusters/home"
expect_in "~ ConfigMap default/extra"
ls "$WORK"/state/git/* >/dev/null || fail "no git cache under the state directory"
first=$(git -C repo rev-parse HEAD~1)
expect_rc 0 "$TIMONE" diff --state "$WORK/state" "file://$WORK/repo@$first//clusters/home"

# over HTTP with basic auth: credentials from the environment, never printed
mkdir -p srv/repos
git clone -q --bare repo srv/repos/fleet.git
port=$(git_lib_http_start "$WORK/srv")
url="http://127.0.0.1:$port/cgi-bin/private/fleet.git#main//clusters/home"
expect_rc 2 "$TIMONE" diff --state "$WORK/state" "$url"
expect_in "no credentials"
TIMONE_GIT_USERNAME=alice TIMONE_GIT_PASSWORD=s3cret-Pw-42 \
        expect_rc 1 "$TIMONE" diff --state "$WORK/state" "$url"
expect_in "~ ConfigMap default/extra"
expect_not_in "s3cret-Pw-42"
expect_rc 1 "$TIMONE" diff --state "$WORK/state" \
        "http://alice:s3cret-Pw-42@127.0.0.1:$port/cgi-bin/private/fleet.git#main//clusters/home"
expect_not_in "s3cret-Pw-42"
expect_rc 2 "$TIMONE" diff --state "$WORK/state" \
        "http://alice:Wrong-Pw-99@127.0.0.1:$port/cgi-bin/private/fleet.git#main"
expect_not_in "Wrong-Pw-99"
expect_in "authentication failed"
! grep -rqF -e s3cret-Pw-42 -e Wrong-Pw-99 "$WORK/state" || fail "a password reached the state directory"

# what a repository can do wrong
expect_rc 2 "$TIMONE" diff --state "$WORK/state" "repo#nosuch"
expect_in "no branch or tag \"nosuch\""
expect_rc 2 "$TIMONE" diff --state "$WORK/state" "repo//nosuch"
expect_in "subdir \"nosuch\""
ln -s ../../../etc/passwd repo/clusters/home/passwd.yaml
git -C repo add -A && git -C repo commit -q -m "escape"
expect_rc 2 "$TIMONE" diff --state "$WORK/state" "repo#main//clusters/home"
expect_in "\"passwd.yaml\" is a symlink that leaves the source root"
git -C repo rm -q clusters/home/passwd.yaml
git -C repo update-index --add --cacheinfo 160000,0123456789abcdef0123456789abcdef01234567,clusters/home/vendor
git -C repo commit -q -m "submodule"
expect_rc 2 "$TIMONE" diff --state "$WORK/state" "repo#main"
expect_in "\"clusters/home/vendor\" is a submodule"
