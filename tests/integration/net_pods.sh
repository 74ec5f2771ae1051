# The pod network through `timone serve --local`: pods get addresses from
# the node's pod CIDR on the node's bridge, reach each other and the node,
# get /etc/hosts and /etc/resolv.conf; removing the manifests frees the
# addresses and the links. The daemon runs in a network namespace of its
# own (tmn-node-PID), which plays the node, so nothing touches the
# machine's own network; pods get their namespaces from the daemon as in
# production. A kill -9 of the daemon keeps every address and link.
need_root
need_cmd unshare
need_cmd nsenter
need_cmd ip
need_cmd nft
[ -x /bin/busybox ] || skip "needs busybox-static"
command -v crun >/dev/null 2>&1 || command -v runc >/dev/null 2>&1 || skip "needs crun or runc"
if command -v crun >/dev/null 2>&1; then
        mkdir -p /sys/fs/cgroup/hugetlb
        mountpoint -q /sys/fs/cgroup/hugetlb || mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb || true
fi

S=$WORK/state
BR=tmnbr$$
NODE=tmn-node-$$
NET=10.42.213
mkdir -p "$WORK/site"
"$SRC/tools/make-busybox-image.sh" "$WORK/img.tar" >/dev/null
"$TIMONE" image --state "$S" import "$WORK/img.tar" >/dev/null

SP=
net_cleanup() {
        # What a failure may leave: the daemon, containers, mounts.
        [ -n "$SP" ] && kill "$SP" 2>/dev/null && wait "$SP" 2>/dev/null || true
        ip netns del "$NODE" 2>/dev/null || true
        if [ -d "$S/runtime" ]; then
                for rt in crun runc; do
                        command -v $rt >/dev/null 2>&1 || continue
                        for id in $($rt --root "$S/runtime" list -q 2>/dev/null); do
                                $rt --root "$S/runtime" delete -f "$id" >/dev/null 2>&1 || true
                        done
                done
        fi
        for d in "$S"/pods/*/; do
                [ -d "$d" ] || continue
                u=$(basename "$d")
                find /sys/fs/cgroup -depth -type d -path "*/timone/$u*" -exec rmdir {} \; 2>/dev/null || true
        done
        for m in $(awk -v w="$WORK/" 'index($2, w) == 1 {print $2}' /proc/self/mounts | sort -r); do
                umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
        done
}
# run.sh's cleanup (removes $WORK) after ours, with the script's status.
trap 'rc=$?; net_cleanup; (exit $rc); cleanup' EXIT

pod() {
        cat <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: $1
  namespace: default
spec:
  containers:
  - name: c
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sleep", "3600"]
EOF
}
# Names of our own, so that no other test's pods share their uids.
PA=tmn-a-$$
PB=tmn-b-$$
{ pod "$PA"; echo ---; pod "$PB"; } >"$WORK/site/pods.yaml"

ip netns add "$NODE"
# nsenter, not `ip netns exec`: the daemon must share our mount namespace.
serve() {
        nsenter --net="/run/netns/$NODE" "$TIMONE" serve --local --source "$WORK/site" \
                --state "$S" --bridge "$BR" --pod-cidr "$NET.0/24" >>"$WORK/serve.log" 2>&1 &
        SP=$!
}
serve
node() { nsenter --net="/run/netns/$NODE" "$@"; }
n_ips() { ls "$S/net/ips" 2>/dev/null | wc -l; }
have_ips() { [ "$(n_ips)" = "$1" ]; }
no_veths() { ! node ip -o link | grep -q tmv; }

wait_for 60 have_ips 2 || fail "no addresses for 2 pods; log:
$(cat "$WORK/serve.log")"
IPS=$(ls "$S/net/ips" | sort -t. -k4 -n)
A=$(echo "$IPS" | sed -n 1p)
B=$(echo "$IPS" | sed -n 2p)
[ "$A" = "$NET.2" ] && [ "$B" = "$NET.3" ] || fail "addresses $A $B, want $NET.2 $NET.3"
UA=$(readlink "$S/net/ips/$A")
UB=$(readlink "$S/net/ips/$B")

OUT=$(node ip -br addr show dev "$BR")
expect_in "$NET.1/24"
expect_in "UP"
OUT=$(node nft list table ip timone_podnet)
expect_in "postrouting-$BR"
expect_in "masquerade"
OUT=$(node cat /proc/sys/net/ipv4/ip_forward)
expect_in 1

# Each pod: eth0 with its address, the default route via the bridge.
for pair in "$UA $A" "$UB $B"; do
        set -- $pair
        NS=$S/pods/$1/ns/net
        [ -e "$NS" ] || fail "no network namespace for pod $1 at $NS"
        wait_for 20 nsenter --net="$NS" ip -4 addr show dev eth0 || fail "no eth0 in pod $1"
        OUT=$(nsenter --net="$NS" ip -4 -o addr show dev eth0)
        expect_in "$2/24"
        OUT=$(nsenter --net="$NS" ip route show default)
        expect_in "default via $NET.1 dev eth0"
        # Its host side: on the bridge, named after and labelled with the pod.
        OUT=$(node ip -d -o link show master "$BR")
        expect_in "alias timone-pod:$1"
done

# Pod to pod across the bridge, pod to node, node to pod.
nsenter --net="$S/pods/$UA/ns/net" busybox ping -c1 -W2 "$B" >/dev/null || fail "pa cannot reach pb at $B"
nsenter --net="$S/pods/$UB/ns/net" busybox ping -c1 -W2 "$A" >/dev/null || fail "pb cannot reach pa at $A"
nsenter --net="$S/pods/$UA/ns/net" busybox ping -c1 -W2 "$NET.1" >/dev/null || fail "pa cannot reach the node"
node busybox ping -c1 -W2 "$B" >/dev/null || fail "the node cannot reach pb"

# The pod's files.
wait_for 20 test -s "$S/pods/$UA/etc-hosts" || fail "no hosts file for pa"
OUT=$(cat "$S/pods/$UA/etc-hosts")
expect_in "127.0.0.1	localhost"
expect_in "$A	$PA"
OUT=$(cat "$S/pods/$UA/resolv.conf")
expect_in "search default.svc.cluster.local svc.cluster.local cluster.local"
# No cluster DNS yet: the node's own resolver (serve --dns), else the bridge.
HOSTNS=$(awk '/^nameserver/ && $2 !~ /^127\./ && $2 ~ /\./ {print $2; exit}' /etc/resolv.conf)
expect_in "nameserver ${HOSTNS:-$NET.1}"
expect_in "options ndots:5"

# kill -9 and a restart: the same addresses, the same links, still reachable.
links() { node ip -o link show master "$BR" | cut -d: -f1-2 | sort; }
BEFORE=$(links)
[ "$(grep -c tmv <<<"$BEFORE")" = 2 ] || fail "want 2 veths on the bridge: $BEFORE"
kill -9 "$SP"
wait "$SP" 2>/dev/null || true
serve
restarted() { [ "$(grep -c 'msg="serving"' "$WORK/serve.log")" -ge 2 ]; }
wait_for 30 restarted || fail "daemon did not come back; log:
$(tail -20 "$WORK/serve.log")"
sleep 3 # a few reconcile passes: re-adoption and clean-up
kill -0 "$SP" || fail "daemon died after restart; log:
$(tail -20 "$WORK/serve.log")"
[ "$(links)" = "$BEFORE" ] || fail "links changed across restart:
$BEFORE
now:
$(links)"
[ "$(ls "$S/net/ips" | sort -t. -k4 -n | tr '\n' ' ')" = "$A $B " ] || fail "addresses changed: $(ls "$S/net/ips")"
nsenter --net="$S/pods/$UA/ns/net" busybox ping -c1 -W2 "$B" >/dev/null || fail "pa cannot reach pb after restart"

# Removing the pods frees their addresses and links.
rm "$WORK/site/pods.yaml"
wait_for 60 have_ips 0 || fail "addresses still held: $(ls "$S/net/ips"); log:
$(tail -20 "$WORK/serve.log")"
wait_for 20 no_veths ||
        fail "veths left: $(node ip -o link | grep tmv)"

kill "$SP"
wait "$SP" || true
SP=
