#!/usr/bin/env bash
# Installs every Debian package timone needs to build, test and run.
# Idempotent: packages already present are skipped quickly.
set -euo pipefail
PKGS=(
  # build
  meson ninja-build pkg-config gcc clang libclang-rt-14-dev clang-format
  # libraries (DESIGN.md "Dependencies")
  libyaml-dev libgit2-dev libinotifytools0-dev libarchive-dev libcmocka-dev
  libssl-dev libevent-dev libsqlite3-dev libjansson-dev libmnl-dev
  libnftables-dev libzstd-dev zlib1g-dev
  # runtime and test tools
  crun runc busybox-static git iproute2 nftables zstd tar zip sqlite3
  openssh-server openssh-client procps psmisc jq
  # tests: TLS certificates for the HTTPS git server, its http.server
  openssl ca-certificates python3
  # tests: the gRPC health server of pods_probes
  python3-grpcio
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  if [ ! -f /var/lib/apt/periodic/timone-updated ] || ! apt-get install -y --no-install-recommends "${missing[@]}"; then
    apt-get update
    mkdir -p /var/lib/apt/periodic && touch /var/lib/apt/periodic/timone-updated
    apt-get install -y --no-install-recommends "${missing[@]}"
  fi
fi
