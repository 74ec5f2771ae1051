# libarchive, libgit2, libnftables and libssl are opened when needed
# (common/dl-*.c): timone links none of them, works on a directory without
# them, and a verb that needs one that is missing says which Debian package
# to install. A library is "missing" by binding an empty file over it in a
# private mount namespace of the command alone.
need_root
need_cmd unshare
need_cmd readelf
need_cmd git

needed=$(readelf -d "$TIMONE" | awk '/NEEDED/ {print $NF}')
for lib in libarchive libgit2 libnftables libssl. libxml2 libicu libstdc++ libmbed libssh2 libkrb5; do
        ! grep -qF "[$lib" <<<"$needed" || fail "timone links $lib:
$needed"
done

LIBDIR=$(dirname "$(readlink -f /lib/x86_64-linux-gnu/libc.so.6 2>/dev/null || echo /lib/libc.so.6)")
[ -e "$LIBDIR/libarchive.so.13" ] && [ -e "$LIBDIR/libgit2.so.1.5" ] || skip "libarchive13 / libgit2-1.5 not in $LIBDIR"
: >"$WORK/empty.so"
# without LIB CMD...: runs CMD with LIB (a SONAME) replaced by an empty file.
without() {
        local lib=$1; shift
        unshare -m sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh \
                "$WORK/empty.so" "$LIBDIR/$lib" "$@"
}

mkdir -p "$WORK/site" "$WORK/repo.git"
cat >"$WORK/site/cm.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
data: {k: v}
YAML
tar czf "$WORK/site.tar.gz" -C "$WORK/site" .
cp "$WORK/site/cm.yaml" "$WORK/repo.git/"
git -C "$WORK/repo.git" init -q
git -C "$WORK/repo.git" add .
git -C "$WORK/repo.git" -c user.email=t@example.com -c user.name=t commit -qm init
S=$WORK/state

# With everything there, each kind of source plans the ConfigMap.
for src in "$WORK/site" "$WORK/site.tar.gz" "$WORK/repo.git"; do
        expect_rc 1 "$TIMONE" diff -q --state "$S" "$src"
        expect_in "1 to create"
done

# Without libarchive: a bundle and an image import name the library and
# its package; a directory and a git repository still work.
expect_rc 2 without libarchive.so.13 "$TIMONE" diff -q --state "$S" "$WORK/site.tar.gz"
expect_in 'bundle "'
expect_in "cannot load libarchive.so.13 (Debian package libarchive13)"
expect_rc 1 without libarchive.so.13 "$TIMONE" image import --state "$S" "$WORK/site.tar.gz"
expect_in "cannot load libarchive.so.13 (Debian package libarchive13)"
expect_rc 1 without libarchive.so.13 "$TIMONE" diff -q --state "$S" "$WORK/site"
expect_in "1 to create"
expect_rc 1 without libarchive.so.13 "$TIMONE" diff -q --state "$S" "$WORK/repo.git"
expect_in "1 to create"

# Without libgit2: a git source says so; the others work.
expect_rc 2 without libgit2.so.1.5 "$TIMONE" diff -q --state "$S" "$WORK/repo.git"
expect_in "cannot load libgit2.so.1.5 (Debian package libgit2-1.5)"
expect_rc 1 without libgit2.so.1.5 "$TIMONE" diff -q --state "$S" "$WORK/site"
expect_in "1 to create"
expect_rc 1 without libgit2.so.1.5 "$TIMONE" diff -q --state "$S" "$WORK/site.tar.gz"
expect_in "1 to create"
