#!/usr/bin/env bash
# Benchmark (not a test) of `timone serve --local` running real pods, next
# to the floor measured in the same run (a bare `crun run -d` / `runc run -d`
# of the same busybox rootfs). Prints a markdown table and saves it.
#
#   tests/bench/bench_pods.sh [BUILD_DIR] [--out FILE] [--runs1 N] [--runs20 N]
#                             [--floor-runs N] [--idle SECONDS] [--runtime crun|runc]
#                             [--fast-debounce DURATION] [--log FILE] [--smaps DIR]
#
# Defaults: BUILD_DIR ./build, --runs1 5, --runs20 3, --floor-runs 5,
# --idle 60, runtime crun (else runc), --fast-debounce 10ms; the table goes
# to FILE (default ${WORK:-BUILD_DIR}/bench_pods.md) and stdout; --log keeps
# the daemon's log (TIMONE_LOG_LEVEL=debug for timestamps of every step);
# --smaps keeps /proc/PID/smaps of the daemon and of one shim with 20 pods
# running (serve.smaps, shim.smaps) and a per-mapping PSS summary of each.
#
# What is measured ("running" = the container's process has created its
# marker file: each container runs `sh -c 'echo up >/shared/NAME; exec sleep
# 3600'` with /shared a hostPath volume, and bench_pods_wait watches that
# directory with inotify; the clock starts just before the manifest is
# rename(2)d into the watched directory, or just before the bare runtime is
# started):
#  - the floor: bare `crun run -d` (and `runc run -d`) of a bundle made with
#    `crun spec` (no terminal, the same command, /shared bound in), median;
#  - 1 pod: manifest landing -> process running, median of --runs1 runs,
#    with serve's default debounce and with --fast-debounce; goal: within
#    2x the floor + 50 ms;
#  - the breakdown from serve's log: landed -> "revision applied" (debounce,
#    read, plan, store) and -> the agent's "Started" (sandbox, network,
#    volumes, shim and runtime);
#  - 20 pods in one file -> all 20 running, median of --runs20; goal 1 s;
#    next to 20 bare `run -d` started at once (the runtime's own floor);
#  - removal: manifest removed -> pods, containers and shims gone, next to
#    20 bare `delete -f` run at once (the runtime's floor for stopping them);
#  - PSS of `timone serve` plus every timone-shim with 20 pods running
#    (goal < 15 MiB), the daemon alone, the average shim, the daemon's peak RSS;
#    PSS depends on what else maps the same pages (other timone processes of
#    a busy machine lower it), so next to it the same processes' PSS counted
#    among themselves only (pss_isolated.py; an upper bound, libc included);
#  - bytes written over --idle seconds with 20 pods running and nothing
#    changing: the daemon's and the shims' /proc/PID/io, the containers'
#    logs, the daemon's own log, and every file modified under the state dir.
# Between runs the manifest is removed and the bench waits until the pods,
# their containers and their shims are gone (terminationGracePeriodSeconds 0).
# The daemon runs in a network namespace of its own (tmb-node-PID) with its
# own bridge (tmbbrPID) and pod CIDR (10.44.X.0/24); everything is removed at
# the end, also on failure. Exits non-zero only when it could not measure.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$src/build
out=""
runs1=5 runs20=3 floor_runs=5 idle=60 runtime="" fast_debounce=10ms keep_log="" smaps_dir=""
while [ $# -gt 0 ]; do
        case "$1" in
        --out) out=${2:?}; shift 2 ;;
        --runs1) runs1=${2:?}; shift 2 ;;
        --runs20) runs20=${2:?}; shift 2 ;;
        --floor-runs) floor_runs=${2:?}; shift 2 ;;
        --idle) idle=${2:?}; shift 2 ;;
        --runtime) runtime=${2:?}; shift 2 ;;
        --fast-debounce) fast_debounce=${2:?}; shift 2 ;;
        --log) keep_log=${2:?}; shift 2 ;;
        --smaps) smaps_dir=${2:?}; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        -*) echo "bench_pods: unknown flag \"$1\"" >&2; exit 2 ;;
        *) build=$1; shift ;;
        esac
done
build=$(cd "$build" && pwd)
out=${out:-${WORK:-$build}/bench_pods.md}
TIMONE=$build/timone
WAITER=$build/tests/bench/bench_pods_wait
die() { echo "bench_pods: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "bench_pods: needs root" >&2; exit 77; }
for c in nsenter ip jq; do command -v $c >/dev/null || die "needs $c"; done
[ -x /bin/busybox ] || die "needs busybox-static"
ninja -C "$build" timone executors/timone-shim tests/bench/bench_pods_wait >/dev/null
[ -x "$TIMONE" ] && [ -x "$WAITER" ] || die "timone or bench_pods_wait is not built in $build"
if [ -z "$runtime" ]; then
        runtime=crun
        command -v crun >/dev/null || runtime=runc
fi
command -v "$runtime" >/dev/null || die "needs $runtime"
if command -v crun >/dev/null; then # crun 1.8 on a hybrid tree wants hugetlb mounted
        mkdir -p /sys/fs/cgroup/hugetlb
        mountpoint -q /sys/fs/cgroup/hugetlb || mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb || true
fi

T0=$(date +%s)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
WORK=$(mktemp -d /tmp/tmb-bench.XXXXXX) # on disk: write_bytes must see real writes
S=$WORK/state SITE=$WORK/site STAGE=$WORK/stage SH=$WORK/shared
BR=tmbbr$$ NODE=tmb-node-$$ NET=10.44.$(($$ % 200 + 20))
FROOT=$WORK/floor-root FCG=tmb-bench-$$
mkdir -p "$S" "$SITE" "$STAGE" "$SH" "$FROOT"
log() { printf '[%3ds] %s\n' $(($(date +%s) - T0)) "$*" >&2; }

# rmcg PATH: removes cgroup PATH and its children in every hierarchy; a
# cgroup whose killed processes are still exiting is retried for up to 2 s.
rmcg() {
        local base try left
        for ((try = 0; try < 20; try++)); do
                left=0
                for base in /sys/fs/cgroup /sys/fs/cgroup/*; do
                        [ -d "$base/$1" ] || continue
                        rmdir "$base/$1"/*/ "$base/$1" 2>/dev/null || left=1
                done
                [ $left = 1 ] || return 0
                sleep 0.1
        done
}
SP='' IDLE_PID=''
cleanup() {
        local rc=$? pids p m
        trap - EXIT INT TERM
        [ $rc = 0 ] || { echo "--- daemon log (tail)"; tail -n 40 "$WORK/serve.log" 2>/dev/null; } >&2
        [ -z "$IDLE_PID" ] || kill "$IDLE_PID" 2>/dev/null || true
        [ -n "$SP" ] && { kill -9 "$SP" 2>/dev/null; wait "$SP" 2>/dev/null; } || true
        for rt in crun runc; do
                command -v $rt >/dev/null || continue
                for root in "$S/runtime" "$FROOT/$rt"; do
                        [ -d "$root" ] || continue
                        for id in $($rt --root "$root" list -q 2>/dev/null); do
                                $rt --root "$root" delete -f "$id" >/dev/null 2>&1 || true
                        done
                done
        done
        pids=$(pgrep -f "timone-shim .*$WORK/" || true)
        for p in $pids; do kill -9 "$p" 2>/dev/null || true; done
        for d in "$S"/pods/*/; do
                [ -d "$d" ] || continue
                rmcg "timone/$(basename "$d")"
        done
        rmcg "$FCG"
        m=$(awk -v w="$WORK/" 'index($2, w) == 1 {print $2}' /proc/self/mounts | sort -r)
        if [ -n "$m" ]; then # one umount for all (one process each is slow on a loaded machine)
                umount $m 2>/dev/null || true
                m=$(awk -v w="$WORK/" 'index($2, w) == 1 {print $2}' /proc/self/mounts | sort -r)
                [ -z "$m" ] || umount -l $m 2>/dev/null || true
        fi
        ip netns del "$NODE" 2>/dev/null || true
        [ -z "$keep_log" ] || cp "$WORK/serve.log" "$keep_log" 2>/dev/null || true
        rm -rf --one-file-system "$WORK" 2>/dev/null ||
                { sleep 1; rm -rf --one-file-system "$WORK" || echo "bench_pods: could not remove $WORK" >&2; }
        log "cleaned up"
        exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- helpers -------------------------------------------------------------
median() { sort -n | awk '{a[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
minmax() { sort -n | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%s..%s", lo, hi}'; }
pss_kb() { awk '/^Pss:/ {print $2; exit}' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
io_field() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/io" 2>/dev/null || echo 0; }
shim_pids() { pgrep -f "timone-shim .*$S/" || true; }
T() { "$TIMONE" "$@" --state "$S"; }
count_pods() { T get pods -A --no-headers 2>/dev/null | awk 'NF' | wc -l; }
count_running() { T get pods -A --no-headers 2>/dev/null | awk '$4 == "Running"' | wc -l; }
# wait_until SECONDS CMD...: retries CMD every 50 ms.
wait_until() {
        local end=$(($(date +%s%N) + $1 * 1000000000)); shift
        until "$@" >/dev/null 2>&1; do
                [ "$(date +%s%N)" -lt "$end" ] || return 1
                sleep 0.05
        done
}
all_gone() {
        [ "$(count_pods)" = 0 ] || return 1
        [ -z "$($runtime --root "$S/runtime" list -q 2>/dev/null)" ] || return 1
        [ -z "$(shim_pids)" ] || return 1
        [ -z "$(ls -A "$S/pods" 2>/dev/null)" ]
}
# pods_yaml N PREFIX: N Pods in one stream.
pods_yaml() {
        local i
        for ((i = 1; i <= $1; i++)); do
                cat <<EOF
---
apiVersion: v1
kind: Pod
metadata:
  name: $2$i
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: c
    image: busybox:latest
    imagePullPolicy: Never
    command: ["sh", "-c", "echo up >/shared/$2$i; exec sleep 3600"]
    volumeMounts:
    - {name: shared, mountPath: /shared}
  volumes:
  - name: shared
    hostPath: {path: "$SH", type: Directory}
EOF
        done
}

# --- image and the floor's bundle ---------------------------------------
log "image: build and import"
"$src/tools/make-busybox-image.sh" "$WORK/img.tar" >/dev/null
T image import "$WORK/img.tar" >/dev/null
mkdir -p "$WORK/bundle/rootfs"
# The floor's rootfs: the image's layer (one: busybox), unpacked by timone's image store.
for l in "$S"/images/layers/*/; do [ -d "$l" ] && cp -a "$l." "$WORK/bundle/rootfs/"; done
[ -x "$WORK/bundle/rootfs/bin/busybox" ] || die "no busybox in the unpacked image ($S/images/layers)"
(cd "$WORK/bundle" && rm -f config.json && crun spec >/dev/null 2>&1 || runc spec)
jq --arg sh "$SH" '.process.terminal = false
        | .process.args = ["sh", "-c", "echo up >/shared/$ID; exec sleep 3600"]
        | .mounts += [{destination: "/shared", type: "bind", source: $sh, options: ["rbind", "rw"]}]' \
        "$WORK/bundle/config.json" >"$WORK/bundle/config.tmpl"

# floor RT: bare `RT run -d` of the bundle -> marker, $floor_runs times.
floor() {
        local rt=$1 i id r ts=()
        mkdir -p "$FROOT/$rt"
        for ((i = 0; i <= floor_runs; i++)); do # run 0 warms the caches, not counted
                id=tmb-f$$-$rt-$i
                jq --arg id "$id" --arg cg "/$FCG/$id" '.process.env += ["ID=" + $id] | .linux.cgroupsPath = $cg' \
                        "$WORK/bundle/config.tmpl" >"$WORK/bundle/config.json"
                r=$("$WAITER" "$SH" 1 20000 -- $rt --root "$FROOT/$rt" run -d --bundle "$WORK/bundle" "$id" \
                        2>>"$WORK/floor.err") || { cat "$WORK/floor.err" >&2; die "bare $rt run failed"; }
                [ $i = 0 ] || ts+=("$(awk '{print $1}' <<<"$r")")
                $rt --root "$FROOT/$rt" delete -f "$id" >/dev/null 2>&1 || true
                rm -f "$SH"/*
        done
        printf '%s\n' "${ts[@]}"
}
declare -A FLOOR FLOOR_RANGE
for rt in crun runc; do
        command -v $rt >/dev/null || continue
        log "floor: bare $rt run -d x$floor_runs"
        f=$(floor $rt)
        FLOOR[$rt]=$(median <<<"$f")
        FLOOR_RANGE[$rt]=$(minmax <<<"$f")
done
FL=${FLOOR[$runtime]}

# floor20 RT: 20 bare `RT run -d` started at once -> all 20 running.
floor20() {
        local rt=$1 i k id r ts=() ids=()
        for ((k = 1; k <= 20; k++)); do
                mkdir -p "$WORK/b20/$k"
                jq --arg id "f$k" --arg cg "/$FCG/f20-$k" --arg root "$WORK/bundle/rootfs" \
                        '.process.env += ["ID=" + $id] | .linux.cgroupsPath = $cg | .root.path = $root | .root.readonly = true' \
                        "$WORK/bundle/config.tmpl" >"$WORK/b20/$k/config.json"
        done
        for ((i = 0; i <= runs20; i++)); do # run 0 warms up
                ids=()
                for ((k = 1; k <= 20; k++)); do ids+=("tmb-f$$-$i-$k"); done
                r=$("$WAITER" "$SH" 20 60000 -- sh -c '
                        rt=$1 root=$2 b=$3; shift 3; k=1
                        for id; do $rt --root "$root" run -d --bundle "$b/$k" "$id" & k=$((k + 1)); done
                        wait' sh "$rt" "$FROOT/$rt" "$WORK/b20" "${ids[@]}" 2>>"$WORK/floor.err") ||
                        { cat "$WORK/floor.err" >&2; die "20 bare $rt run failed"; }
                # ... and the removal's floor: 20 `delete -f` at once (kill and delete).
                local g0 g1
                g0=$(date +%s%N)
                for id in "${ids[@]}"; do $rt --root "$FROOT/$rt" delete -f "$id" >/dev/null 2>&1 & done
                wait
                g1=$(date +%s%N)
                [ $i = 0 ] || ts+=("$(awk '{print $2}' <<<"$r") $(((g1 - g0) / 1000000))")
                rm -f "$SH"/*
        done
        printf '%s\n' "${ts[@]}"
}
log "floor: 20 bare $runtime run -d at once x$runs20"
f=$(floor20 "$runtime")
FL20=$(cut -d' ' -f1 <<<"$f" | median) FL20_RANGE=$(cut -d' ' -f1 <<<"$f" | minmax)
FL20_GONE=$(cut -d' ' -f2 <<<"$f" | median)

# --- the daemon ------------------------------------------------------------
ip netns add "$NODE"
serve() {
        nsenter --net="/run/netns/$NODE" "$TIMONE" serve --local --source "$SITE" --state "$S" \
                --runtime "$runtime" --bridge "$BR" --pod-cidr "$NET.0/24" --cluster-cidr "$NET.0/24" \
                --host-path-root "$SH" "$@" >>"$WORK/serve.log" 2>&1 &
        SP=$!
        sleep 0.5
        kill -0 "$SP" 2>/dev/null || die "timone serve exited at start"
}
serve_stop() {
        kill "$SP"
        wait "$SP" 2>/dev/null || true
        SP=
}
# land N PREFIX: writes N pods to a temp file, renames it into the site and
# prints "<first ms> <all ms>" (manifest landed -> processes running); the
# landing's wall clock (ms) is appended to $WORK/lands-PREFIX.
land() {
        local r
        pods_yaml "$1" "$2" >"$STAGE/pods.yaml"
        r=$("$WAITER" "$SH" "$1" 60000 --mv "$STAGE/pods.yaml" "$SITE/pods.yaml") || return 1
        echo "${r##* }" >>"$WORK/lands-$2"
        awk '{print $1, $2}' <<<"$r"
}
# breakdown PREFIX N: from the daemon's log, the medians over PREFIX's timed
# landings of "landed -> revision applied" (debounce, read, plan, store) and
# "revision applied -> the agent logged Started for the Nth container"
# (sandbox, network, volumes, shim and runtime, one pod after the other).
breakdown() {
        local lands=$WORK/lands-$1 ev=$WORK/events
        grep -E 'msg="revision applied".* created=[1-9]|msg="Started"' "$WORK/serve.log" |
                sed -E 's/^time=([^ ]+) .*msg="([A-Za-z ]+)".*/\1 \2/' >"$ev.raw" || true
        paste -d' ' <(cut -d' ' -f1 "$ev.raw" | date -f - +%s%3N) <(cut -d' ' -f2- "$ev.raw" | tr ' ' _) >"$ev"
        # lands: skip the untimed warm-up (the first line) when there is one more than runs.
        awk -v n="$2" 'NR == FNR {t[++nt] = $1; next} {e[++ne] = $1; k[ne] = $2}
                END {
                        for (i = 1; i <= nt; i++) {
                                a = 0; c = 0; b = 0
                                for (j = 1; j <= ne; j++) {
                                        if (!a && k[j] == "revision_applied" && e[j] >= t[i]) a = e[j]
                                        else if (a && k[j] == "Started" && ++c == n) { b = e[j]; break }
                                }
                                if (a && b) print a - t[i], b - a
                        }
                }' "$lands" "$ev" >"$ev.out"
        echo "$(cut -d' ' -f1 "$ev.out" | median) $(cut -d' ' -f2 "$ev.out" | median)"
}
# unland: removes the manifest, waits until every pod is gone; prints ms.
unland() {
        local t0
        t0=$(date +%s%N)
        rm -f "$SITE/pods.yaml"
        wait_until 120 all_gone || die "pods still there 120 s after their manifest was removed: $(T get pods -A 2>&1 | head -5)"
        echo $((($(date +%s%N) - t0) / 1000000))
        rm -f "$SH"/*
}
# series N RUNS PREFIX [WARM [KEEP]]: RUNS landings of N pods (after one
# untimed warm-up when WARM is 1); KEEP=1 leaves the last run's pods running.
# Sets FIRST, ALL (medians), ALL_RANGE, GONE (median removal time).
series() {
        local n=$1 runs=$2 p=$3 warm=${4:-1} keep=${5:-0} i r firsts=() alls=() gones=()
        if [ "$warm" = 1 ]; then
                r=$(land "$n" "$p") || die "$n pods did not start (see $WORK/serve.log)"
                unland >/dev/null
                rm -f "$WORK/lands-$p"
        fi
        for ((i = 0; i < runs; i++)); do
                r=$(land "$n" "$p") || die "$n pods did not start (run $i)"
                firsts+=("${r% *}")
                alls+=("${r#* }")
                [ "$keep" = 1 ] && [ $i = $((runs - 1)) ] || gones+=("$(unland)")
        done
        FIRST=$(printf '%s\n' "${firsts[@]}" | median)
        ALL=$(printf '%s\n' "${alls[@]}" | median)
        ALL_RANGE=$(printf '%s\n' "${alls[@]}" | minmax)
        GONE=$(printf '%s\n' "${gones[@]}" | median)
}

log "serve --debounce $fast_debounce: 1 pod x$runs1"
serve --debounce "$fast_debounce"
series 1 "$runs1" bpf
FAST1=$ALL FAST1_RANGE=$ALL_RANGE
serve_stop

log "serve (default debounce): 1 pod x$runs1"
serve
series 1 "$runs1" bp
ONE=$ALL ONE_RANGE=$ALL_RANGE ONE_GONE=$GONE
read -r BD1_APPLY BD1_START <<<"$(breakdown bp 1)"
log "serve (default debounce): 20 pods x$runs20 (the 1-pod runs warmed it up)"
series 20 "$runs20" bq 0 1
TW_FIRST=$FIRST TW=$ALL TW_RANGE=$ALL_RANGE TW_GONE=$GONE
read -r BD20_APPLY BD20_START <<<"$(breakdown bq 20)"

# --- 20 pods running (the last run's): memory, then idle writes ------------
log "20 pods running: memory and $idle s idle"
wait_until 60 eval '[ "$(count_running)" = 20 ]' || die "not all 20 pods reported Running: $(T get pods -A 2>&1 | tail -3)"
sleep 3 # let status writes settle
mapfile -t shims < <(shim_pids)
[ "${#shims[@]}" -ge 20 ] || die "found ${#shims[@]} timone-shim processes, want 20"
D_PSS=$(pss_kb "$SP")
S_PSS=0
for p in "${shims[@]}"; do S_PSS=$((S_PSS + $(pss_kb "$p"))); done
D_HWM=$(awk '/^VmHWM:/ {print $2}' "/proc/$SP/status")
D_RSS=$(awk '/^VmRSS:/ {print $2}' "/proc/$SP/status")
TOT_PSS=$((D_PSS + S_PSS))
ISO_PSS=$(python3 "$src/tests/bench/pss_isolated.py" "$SP" "${shims[@]}" 2>/dev/null || echo "")
ISO_D_PSS=$(python3 "$src/tests/bench/pss_isolated.py" "$SP" 2>/dev/null || echo "")
# pss_by_mapping SMAPS: PSS (KiB) per mapped object, largest first, with its
# private dirty and private clean parts.
pss_by_mapping() {
        awk '/^[0-9a-f]+-[0-9a-f]+ / {name = NF >= 6 ? $6 : "[anon]"; next}
                $1 == "Pss:" {pss[name] += $2}
                $1 == "Private_Dirty:" {pd[name] += $2}
                $1 == "Private_Clean:" {pc[name] += $2}
                END {for (n in pss) printf "%6d KiB pss  %6d dirty %6d clean  %s\n", pss[n], pd[n], pc[n], n}' "$1" | sort -rn
}
if [ -n "$smaps_dir" ]; then
        mkdir -p "$smaps_dir"
        cp "/proc/$SP/smaps" "$smaps_dir/serve.smaps"
        cp "/proc/${shims[0]}/smaps" "$smaps_dir/shim.smaps"
        pss_by_mapping "$smaps_dir/serve.smaps" >"$smaps_dir/serve.pss"
        pss_by_mapping "$smaps_dir/shim.smaps" >"$smaps_dir/shim.pss"
        python3 "$src/tests/bench/pss_isolated.py" --by-mapping "$SP" >"$smaps_dir/serve.isolated" 2>&1 || true
fi

logs_bytes() { find "$S/pods" -path '*/logs/*' -type f -printf '%s\n' 2>/dev/null | awk '{s += $1} END {print s + 0}'; }
shim_io() { local p s=0; for p in "${shims[@]}"; do s=$((s + $(io_field "$p" "$1"))); done; echo $s; }
touch "$WORK/idle.ref"
sleep 1 # mtime granularity
w0=$(io_field "$SP" write_bytes) c0=$(io_field "$SP" wchar) r0=$(io_field "$SP" rchar) y0=$(io_field "$SP" syscw)
sw0=$(shim_io write_bytes) swc0=$(shim_io wchar)
l0=$(logs_bytes) sl0=$(stat -c %s "$WORK/serve.log")
cpu0=$(awk '{print $14 + $15}' "/proc/$SP/stat")
sleep "$idle" & # waited for with `wait`, so that a signal stops the bench at once
IDLE_PID=$!
wait "$IDLE_PID"
IDLE_PID=
w1=$(io_field "$SP" write_bytes) c1=$(io_field "$SP" wchar) r1=$(io_field "$SP" rchar) y1=$(io_field "$SP" syscw)
sw1=$(shim_io write_bytes) swc1=$(shim_io wchar)
l1=$(logs_bytes) sl1=$(stat -c %s "$WORK/serve.log")
cpu1=$(awk '{print $14 + $15}' "/proc/$SP/stat")
CHANGED=$(find "$S" -newer "$WORK/idle.ref" -type f ! -path '*/logs/*' -printf '%P\n' 2>/dev/null | sort)
NCHANGED=$(awk 'NF' <<<"$CHANGED" | wc -l)
[ "$(count_running)" = 20 ] || die "pods stopped running during the idle minute"
CLK=$(getconf CLK_TCK)

log "removing the 20 pods"
T20_GONE=$(unland)
[ -n "$TW_GONE" ] && [ "$TW_GONE" != nan ] || TW_GONE=$T20_GONE
serve_stop
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the table ---------------------------------------------------------------
verdict() { awk -v v="$1" -v g="$2" 'BEGIN {print (v + 0 <= g + 0) ? "ok" : "MISS"}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}'; }
goal1=$(awk -v f="$FL" 'BEGIN {printf "%.1f", 2 * f + 50}')
mib() { awk -v k="$1" 'BEGIN {printf "%.2f MiB", k / 1024}'; }
{
        echo "## bench_pods: \`timone serve --local\` ($runtime), $(date -u +%FT%TZ)"
        echo
        echo "$(uname -srm), $(nproc) CPUs; load average at start $LOAD0, at end $LOAD1;" \
                "runs: floor $floor_runs, 1 pod $runs1, 20 pods $runs20 (medians; min..max)"
        echo
        echo "| figure | value | floor / goal | ratio | |"
        echo "|---|---|---|---|---|"
        for rt in crun runc; do
                [ -n "${FLOOR[$rt]:-}" ] || continue
                echo "| floor: bare \`$rt run -d\` -> process running | ${FLOOR[$rt]} ms (${FLOOR_RANGE[$rt]}) | | | |"
        done
        echo "| 1 pod: manifest lands -> process running (default debounce 200ms) | $ONE ms ($ONE_RANGE) | goal <= 2 x $FL + 50 = $goal1 ms | $(ratio "$ONE" "$FL") of floor | $(verdict "$ONE" "$goal1") |"
        echo "| 1 pod, \`--debounce $fast_debounce\` | $FAST1 ms ($FAST1_RANGE) | goal <= $goal1 ms | $(ratio "$FAST1" "$FL") of floor | $(verdict "$FAST1" "$goal1") |"
        echo "| 1 pod, from serve's log: landed -> revision applied / -> Started | $BD1_APPLY / $BD1_START ms | | | |"
        echo "| 20 pods (one file) -> all 20 processes running | $TW ms ($TW_RANGE) | goal <= 1000 ms | $(ratio "$TW" 1000) of goal | $(verdict "$TW" 1000) |"
        echo "| 20 pods: first process running | $TW_FIRST ms | | | |"
        echo "| 20 pods, from serve's log: landed -> revision applied / -> 20th Started | $BD20_APPLY / $BD20_START ms | | | |"
        echo "| floor: 20 bare \`$runtime run -d\` at once -> all 20 running | $FL20 ms ($FL20_RANGE) | | $(ratio "$TW" "$FL20") timone/floor | |"
        echo "| manifest removed -> pods, containers, shims gone (1 / 20 pods) | $ONE_GONE / $TW_GONE ms | | | |"
        echo "| floor: 20 bare \`$runtime delete -f\` at once (kill and delete) | $FL20_GONE ms | | $(ratio "$TW_GONE" "$FL20_GONE") timone/floor | |"
        echo "| PSS with 20 pods: serve + 20 timone-shim | $(mib "$TOT_PSS") | goal < 15 MiB | $(ratio "$TOT_PSS" 15360) of goal | $(verdict "$TOT_PSS" 15359) |"
        echo "| PSS: serve alone / average shim | $(mib "$D_PSS") / $(awk -v s="$S_PSS" -v n="${#shims[@]}" 'BEGIN {printf "%.0f KiB", s / n}') | | | |"
        if [ -n "$ISO_PSS" ]; then
                echo "| PSS among timone's own processes only (upper bound; libc counted as theirs), all / serve | $(mib "$ISO_PSS") / $(mib "$ISO_D_PSS") | goal < 15 MiB | $(ratio "$ISO_PSS" 15360) of goal | $(verdict "$ISO_PSS" 15359) |"
        fi
        echo "| serve RSS now / peak (VmHWM) | $(mib "$D_RSS") / $(mib "$D_HWM") | | | |"
        echo "| idle ${idle} s, 20 pods: serve write_bytes (disk) | $((w1 - w0)) B | goal 0 | | $(verdict $((w1 - w0)) 0) |"
        echo "| idle: serve wchar / rchar / write syscalls | $((c1 - c0)) B / $((r1 - r0)) B / $((y1 - y0)) | | | |"
        echo "| idle: serve's own log growth | $((sl1 - sl0)) B | | | |"
        echo "| idle: shims write_bytes / wchar | $((sw1 - sw0)) B / $((swc1 - swc0)) B | | | |"
        echo "| idle: containers' logs growth | $((l1 - l0)) B | | | |"
        echo "| idle: files modified under the state dir (logs aside) | $NCHANGED$( [ "$NCHANGED" = 0 ] || printf ': %s' "$(head -5 <<<"$CHANGED" | tr '\n' ' ')") | goal 0 | | $(verdict "$NCHANGED" 0) |"
        echo "| idle: serve CPU time | $(awk -v t=$((cpu1 - cpu0)) -v h="$CLK" 'BEGIN {printf "%.0f ms", t * 1000 / h}') | | | |"
}>"$WORK/table.md"
cat "$WORK/table.md"
mkdir -p "$(dirname "$out")"
cp "$WORK/table.md" "$out"
log "done; table saved to $out"
