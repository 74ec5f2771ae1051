# timone diff on sources that try to leave their root, or are too big, and
# on every bundle format: the same plan and revision as the directory.
need_cmd tar
need_cmd zstd
need_cmd zip
ST="$WORK/state"
mkdir -p site/ns outside
cat > site/ns.yaml <<'Y'
apiVersion: v1
kind: Namespace
metadata:
  name: shop
Y
cat > site/ns/cm.yaml <<'Y'
apiVersion: v1
kind: ConfigMap
metadata:
  name: web
  namespace: shop
data:
  k: v
Y
echo "not: [a manifest" > site/README.txt
echo "broken: [" > site/.ignored.yaml
printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: shop\nstringData:\n  password: tm-outside-secret-5d1f\n' > outside/secret.yaml

# The directory and each bundle format agree on plan and revision.
expect_rc 1 "$TIMONE" diff --state "$ST" -o json site
expect_in '"create": 2,'
rev=$(grep '"revision"' <<<"$OUT")
[ -n "$rev" ] || fail "no revision in: $OUT"
tar -czf site.tar.gz -C site .
tar --zstd -cf site.tar.zst -C site .
(cd site && zip -qr ../site.zip .)
cp site.tar.gz site.tgz
for b in site.tar.gz site.tgz site.tar.zst site.zip; do
        expect_rc 1 "$TIMONE" diff --state "$ST" -o json "$b"
        [ "$(grep '"revision"' <<<"$OUT")" = "$rev" ] || fail "$b: revision differs from the directory's: $OUT"
done

# A symlink out of the root is an error naming it; nothing outside is read.
ln -s "$WORK/outside/secret.yaml" site/ns/escape.yaml
expect_rc 2 "$TIMONE" diff --state "$ST" site
expect_in '"ns/escape.yaml" is a symlink that leaves the source root'
expect_not_in "tm-outside-secret-5d1f"
rm site/ns/escape.yaml
ln -s ../../outside site/ns/out
expect_rc 2 "$TIMONE" diff --state "$ST" site
expect_in '"ns/out" is a symlink that leaves the source root'
rm site/ns/out
# One that stays inside is followed.
ln -s ns/cm.yaml site/again.yaml
expect_rc 2 "$TIMONE" diff --state "$ST" site   # the same ConfigMap twice
expect_in "again.yaml"
rm site/again.yaml

# A bundle that climbs out, or carries a link out, is refused.
python3 - <<'P'
import io, tarfile
def mk(path, name, kind, val):
    with tarfile.open(path, 'w:gz') as tf:
        ti = tarfile.TarInfo(name)
        if kind == 'f':
            ti.size = len(val); tf.addfile(ti, io.BytesIO(val))
        else:
            ti.type = tarfile.SYMTYPE; ti.linkname = val; tf.addfile(ti)
mk('up.tar.gz', '../x.yaml', 'f', b'a: 1\n')
mk('abs.tar.gz', '/etc/x.yaml', 'f', b'a: 1\n')
mk('link.tar.gz', 'x.yaml', 'l', '/etc/passwd')
P
expect_rc 2 "$TIMONE" diff --state "$ST" up.tar.gz
expect_in '"../x.yaml" has a ".." component (path traversal)'
expect_rc 2 "$TIMONE" diff --state "$ST" abs.tar.gz
expect_in '"/etc/x.yaml" is an absolute path (path traversal)'
expect_rc 2 "$TIMONE" diff --state "$ST" link.tar.gz
expect_in '"x.yaml" is a symlink that leaves the bundle root'
expect_not_in "root:x:0:0"

# A gzip bomb fails fast.
head -c $((50 * 1024 * 1024)) /dev/zero > site/big.yaml
tar -czf bomb.tar.gz -C site .
rm site/big.yaml
start=$(date +%s%N)
expect_rc 2 "$TIMONE" diff --state "$ST" bomb.tar.gz
expect_in '"big.yaml" is 52428800 bytes, over the limit'
ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$ms" -lt 2000 ] || fail "bomb took $ms ms"

# Missing sources and things that are not sources.
expect_rc 2 "$TIMONE" diff --state "$ST" "$WORK/nope"
expect_in "nope"
expect_rc 2 "$TIMONE" diff --state "$ST" site/README.txt
expect_in "is not a directory, a bundle"
[ ! -e "$ST" ] || fail "diff created the state directory"
