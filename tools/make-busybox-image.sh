#!/usr/bin/env bash
# Builds a tiny container image from Debian's busybox-static.
#
#   make-busybox-image.sh OUT [--format oci|docker] [--compress gzip|zstd|none]
#                             [--tag NAME:TAG] [--add-layer TAR]...
#
# OUT is an OCI image layout archive (oci-layout, index.json, blobs/sha256/)
# or a `docker save` archive (manifest.json, repositories, <id>.json,
# <layer>/layer.tar). The rootfs holds /bin/busybox with its applets as
# symlinks, /etc/passwd and /etc/group (root, nobody 65534) and /tmp.
# Each --add-layer TAR (an uncompressed layer tar) is stacked on top, in
# order; tests use it for whiteouts and hostile entries. The output is
# reproducible: same inputs, same bytes, same digests.
set -euo pipefail
umask 022 # modes in the image must not depend on the caller

usage() {
        echo "usage: $0 OUT [--format oci|docker] [--compress gzip|zstd|none] [--tag NAME:TAG] [--add-layer TAR]..." >&2
        exit 2
}

[ $# -ge 1 ] || usage
OUT=$1
shift
FORMAT=oci
COMPRESS=gzip
TAG=busybox:latest
EXTRA=()
while [ $# -gt 0 ]; do
        case "$1" in
        --format) FORMAT=${2:?}; shift 2 ;;
        --compress) COMPRESS=${2:?}; shift 2 ;;
        --tag) TAG=${2:?}; shift 2 ;;
        --add-layer) EXTRA+=("$(realpath "${2:?}")"); shift 2 ;;
        -h|--help) usage ;;
        *) usage ;;
        esac
done
case "$FORMAT" in oci|docker) ;; *) usage ;; esac
case "$COMPRESS" in gzip|zstd|none) ;; *) usage ;; esac

BUSYBOX=${BUSYBOX:-/bin/busybox}
[ -x "$BUSYBOX" ] || { echo "$0: $BUSYBOX not found (apt-get install busybox-static)" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/mkbusybox.XXXXXX")
trap 'rm -rf "$T"' EXIT
OUT=$(realpath -m "$OUT")

case "$(dpkg --print-architecture 2>/dev/null || uname -m)" in
amd64|x86_64) ARCH=amd64 VARIANT= ;;
arm64|aarch64) ARCH=arm64 VARIANT=v8 ;;
armhf|armv7l) ARCH=arm VARIANT=v7 ;;
armel|armv6l) ARCH=arm VARIANT=v6 ;;
i386|i686) ARCH=386 VARIANT= ;;
*) ARCH=$(uname -m) VARIANT= ;;
esac

# The root filesystem.
R=$T/rootfs
mkdir -p "$R/bin" "$R/etc" "$R/tmp" "$R/root" "$R/var/www" "$R/home"
cp "$BUSYBOX" "$R/bin/busybox"
chmod 0755 "$R/bin/busybox"
APPLETS="sh ash httpd wget sleep cat ls echo env id hostname ip ping nc mkdir touch rm cp mv
        ps kill grep sed awk head tail wc true false test date printf uname whoami mount df du
        vi tr sort uniq cut find xargs ln chmod chown stat pwd seq ifconfig route nslookup
        watch top free dd tee basename dirname readlink realpath sync yes nohup timeout usleep
        expr md5sum sha256sum tar gzip gunzip less more which"
# One process for all the links (perl-base is essential in Debian).
# shellcheck disable=SC2086
perl -e 'my $d = shift; for (@ARGV) { symlink("busybox", "$d/$_") or die "$_: $!\n" }' "$R/bin" $APPLETS
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"
chmod 1777 "$R/tmp"
chmod 0700 "$R/root"

ttar() { # ttar OUT DIR: a reproducible tar of DIR's contents
        (cd "$2" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort) >"$T/list"
        tar --format=ustar --numeric-owner --owner=0 --group=0 --mtime=@0 \
                --no-recursion -C "$2" -cf "$1" -T "$T/list"
}

sha() { sha256sum "$1" | cut -d' ' -f1; }
size() { stat -c %s "$1"; }

mkdir -p "$T/out"
LAYERS=()
ttar "$T/layer0.tar" "$R"
LAYERS+=("$T/layer0.tar")
for e in "${EXTRA[@]}"; do LAYERS+=("$e"); done

case "$COMPRESS" in
gzip) LMT=application/vnd.oci.image.layer.v1.tar+gzip ;;
zstd) LMT=application/vnd.oci.image.layer.v1.tar+zstd ;;
none) LMT=application/vnd.oci.image.layer.v1.tar ;;
esac

DIFF_IDS=""
LDESC=""
LDIGS=()
i=0
for l in "${LAYERS[@]}"; do
        d=$(sha "$l")
        DIFF_IDS+="${DIFF_IDS:+,}\"sha256:$d\""
        c=$T/l$i.blob
        case "$COMPRESS" in
        gzip) gzip -n -6 -c "$l" >"$c" ;;
        zstd) zstd -q -3 -c "$l" >"$c" ;;
        none) cp "$l" "$c" ;;
        esac
        cd_=$(sha "$c")
        LDIGS+=("$cd_")
        LDESC+="${LDESC:+,}{\"mediaType\":\"$LMT\",\"digest\":\"sha256:$cd_\",\"size\":$(size "$c")}"
        mv "$c" "$T/blob.$cd_"
        i=$((i + 1))
done

PLAT="\"architecture\":\"$ARCH\",\"os\":\"linux\"${VARIANT:+,\"variant\":\"$VARIANT\"}"
printf '{%s,"created":"1970-01-01T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"],"WorkingDir":"/"},"rootfs":{"type":"layers","diff_ids":[%s]},"history":[{"created":"1970-01-01T00:00:00Z","created_by":"timone tools/make-busybox-image.sh"}]}' \
        "$PLAT" "$DIFF_IDS" >"$T/config.json"
CFG=$(sha "$T/config.json")

if [ "$FORMAT" = oci ]; then
        mkdir -p "$T/out/blobs/sha256"
        for d in "${LDIGS[@]}"; do cp "$T/blob.$d" "$T/out/blobs/sha256/$d"; done
        cp "$T/config.json" "$T/out/blobs/sha256/$CFG"
        printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
                "$CFG" "$(size "$T/config.json")" "$LDESC" >"$T/manifest.json"
        MAN=$(sha "$T/manifest.json")
        mv "$T/manifest.json" "$T/out/blobs/sha256/$MAN"
        printf '{"imageLayoutVersion":"1.0.0"}' >"$T/out/oci-layout"
        printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"%s"},"platform":{%s}}]}' \
                "$MAN" "$(size "$T/out/blobs/sha256/$MAN")" "$TAG" "$PLAT" >"$T/out/index.json"
        MEMBERS=(oci-layout index.json blobs)
else
        LPATHS=""
        for d in "${LDIGS[@]}"; do
                mkdir -p "$T/out/$d"
                cp "$T/blob.$d" "$T/out/$d/layer.tar"
                LPATHS+="${LPATHS:+,}\"$d/layer.tar\""
        done
        cp "$T/config.json" "$T/out/$CFG.json"
        printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":[%s]}]' "$CFG" "$TAG" "$LPATHS" >"$T/out/manifest.json"
        NAME=${TAG%:*}
        printf '{"%s":{"%s":"%s"}}' "$NAME" "${TAG##*:}" "${LDIGS[-1]}" >"$T/out/repositories"
        MEMBERS=(manifest.json repositories "$CFG.json")
        for d in $(printf '%s\n' "${LDIGS[@]}" | sort -u); do MEMBERS+=("$d"); done
fi

tar --format=ustar --numeric-owner --owner=0 --group=0 --mtime=@0 --sort=name \
        -C "$T/out" -cf "$OUT.tmp" "${MEMBERS[@]}"
mv "$OUT.tmp" "$OUT"
