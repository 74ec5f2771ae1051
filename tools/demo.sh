#!/usr/bin/env bash
# The main job on examples/, from a fresh Debian 12 machine, as root:
# installs the Debian packages, builds timone, shows the plan for examples/
# (`timone diff`), builds a tiny busybox image and imports it, then starts
# `timone serve --local` on examples/ in the background and fetches the page
# that the `web` pod serves from its ConfigMap.
#   TIMONE_STATE   state directory (default /var/lib/timone)
# Stop the daemon with: kill "$(cat $TIMONE_STATE/serve.pid)" (pods keep
# running; `timone serve` re-adopts them when it starts again).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
bash tools/deps.sh
if [ -f build/build.ninja ]; then meson setup --reconfigure build >/dev/null; else meson setup build >/dev/null; fi
ninja -C build
T=$root/build/timone
STATE=${TIMONE_STATE:-/var/lib/timone}
mkdir -p "$STATE"

say() { printf '\n$ %s\n' "$*"; }

say "timone diff examples/"
set +e; $T diff examples/ --state "$STATE" --color=never; rc=$?; set -e
echo "(exit $rc: 0 nothing to do, 1 changes, 2 invalid input)"
[ "$rc" -le 1 ] || exit "$rc"

say "tools/make-busybox-image.sh $STATE/busybox-oci.tar && timone image import ..."
bash tools/make-busybox-image.sh "$STATE/busybox-oci.tar"
$T image import "$STATE/busybox-oci.tar" --state "$STATE"

if [ -f "$STATE/serve.pid" ] && kill -0 "$(cat "$STATE/serve.pid")" 2>/dev/null; then
        kill "$(cat "$STATE/serve.pid")"
        while kill -0 "$(cat "$STATE/serve.pid")" 2>/dev/null; do sleep 0.1; done
fi
say "timone serve --local --source examples/ --state $STATE &   (log: $STATE/serve.log)"
nohup "$T" serve --local --source "$root/examples" --state "$STATE" >"$STATE/serve.log" 2>&1 &
echo $! >"$STATE/serve.pid"

ip=""
for _ in $(seq 1 300); do
        line=$($T get pods -n default --state "$STATE" -o wide --no-headers 2>/dev/null | awk '$1 == "web"') || true
        if [ -n "$line" ] && [ "$(awk '{print $3}' <<<"$line")" = Running ]; then
                ip=$(awk '{print $6}' <<<"$line")
                break
        fi
        sleep 0.1
done
say "timone get pods -A -o wide"
$T get pods -A -o wide --state "$STATE"
if [ -z "$ip" ]; then
        echo "the web pod did not start; the daemon's log:" >&2
        tail -n 30 "$STATE/serve.log" >&2
        exit 1
fi
say "wget -qO- http://$ip:8080/"
busybox wget -qO- "http://$ip:8080/"
cat <<MSG

timone serve runs in the background (pid $(cat "$STATE/serve.pid")), watching examples/:
edit a manifest there and it is applied; remove one and its pods go.
  $T get pods -A --state $STATE
  $T logs web --state $STATE
  $T describe pod web --state $STATE
  kill \$(cat $STATE/serve.pid)          # stops the daemon; pods keep running
MSG
