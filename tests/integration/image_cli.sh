# `timone image import|ls|rm` on archives built by tools/make-busybox-image.sh.
need_root
need_cmd zstd
[ -x /bin/busybox ] || skip "needs busybox-static"

S=$WORK/state
img() { "$TIMONE" image --state "$S" "$@"; }

"$SRC/tools/make-busybox-image.sh" "$WORK/oci.tar"
"$SRC/tools/make-busybox-image.sh" "$WORK/app.tar" --format docker --compress zstd --tag myreg:5000/app:v1

expect_rc 0 "$TIMONE" image --help
expect_in "import FILE"
expect_rc 2 img bogus
expect_in 'unknown command "bogus"'
expect_rc 2 img import

# Import both formats; each prints its normalised reference and short id.
expect_rc 0 img import "$WORK/oci.tar" "$WORK/app.tar"
expect_in "imported docker.io/library/busybox:latest (image id "
expect_in "imported myreg:5000/app:v1 (image id "

expect_rc 0 img ls
expect_in "IMAGE"
expect_in "IMAGE ID"
expect_in "docker.io/library/busybox"
expect_in "myreg:5000/app"
[ "$(grep -c . <<<"$OUT")" = 3 ] || fail "want a header and 2 images:
$OUT"
expect_rc 0 img ls -o json
expect_in '"ref": "myreg:5000/app:v1"'
expect_in '"tag": "latest"'

# A corrupted blob is refused by name and changes nothing.
mkdir "$WORK/bad"
tar -xf "$WORK/oci.tar" -C "$WORK/bad"
big=$(cd "$WORK/bad" && find blobs -type f -size +100k)
printf 'X' | dd of="$WORK/bad/$big" bs=1 seek=4096 conv=notrunc status=none
tar -cf "$WORK/bad.tar" -C "$WORK/bad" .
before=$(ls "$S/images/blobs/sha256" | sort)
expect_rc 1 img import "$WORK/bad.tar"
expect_in "\"$big\" does not match its digest"
expect_in "\"$WORK/bad.tar\""
[ "$(ls "$S/images/blobs/sha256" | sort)" = "$before" ] || fail "blobs changed by a failed import"

expect_rc 1 img import "$WORK/missing.tar"
expect_in "\"$WORK/missing.tar\""

# Removal by short name, by unknown name, by short id.
expect_rc 0 img rm busybox
expect_rc 0 img ls
expect_not_in "docker.io/library/busybox"
expect_rc 1 img rm busybox
expect_in '"busybox" not found'
expect_rc 1 img rm 'Bad Name'
expect_in '"Bad Name"'
id=$(img ls -o json | grep -o '"id": "sha256:[0-9a-f]*"' | head -1 | cut -d: -f3 | tr -d '"')
[ -n "$id" ] || fail "no image id in ls -o json"
expect_rc 0 img rm "${id:0:12}"
expect_rc 0 img ls
[ "$(grep -c . <<<"$OUT")" = 1 ] || fail "want an empty table:
$OUT"
[ -z "$(ls "$S/images/blobs/sha256")" ] || fail "blobs left after removing every image"
[ -z "$(ls "$S/images/layers")" ] || fail "layers left after removing every image"
