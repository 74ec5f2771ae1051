#!/usr/bin/env bash
# Fixtures for the git source's tests: repositories made with git, a
# loopback HTTP server (busybox httpd + git http-backend) and a loopback
# sshd with throwaway keys. Source it (functions) or run it:
#   git-lib.sh http-start DIR    -> prints the port; serves DIR/repos
#   git-lib.sh sshd-start DIR    -> prints the port; keys in DIR/ssh
#   git-lib.sh stop DIR          -> stops what was started for DIR
# HTTP: http://127.0.0.1:PORT/cgi-bin/git/NAME.git serves DIR/repos/NAME.git;
# /cgi-bin/private/NAME.git the same behind basic auth (alice:$GIT_LIB_HTTP_PW).
# A file DIR/break makes every pack response stop after 2000 bytes.

git_lib_env() {
        export GIT_AUTHOR_NAME="Tess Tester" GIT_AUTHOR_EMAIL="tess@example.org"
        export GIT_COMMITTER_NAME="Tess Tester" GIT_COMMITTER_EMAIL="tess@example.org"
        export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
        export GIT_TERMINAL_PROMPT=0
}

# git_lib_port: a free loopback TCP port (best effort).
git_lib_port() {
        local p
        for _ in $(seq 50); do
                p=$(( 20000 + RANDOM % 20000 ))
                if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
                        echo "$p"
                        return 0
                fi
        done
        return 1
}

git_lib_wait_port() {
        local port=$1
        for _ in $(seq 100); do
                (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
                sleep 0.05
        done
        return 1
}

git_lib_http_start() {
        local dir=$1 port
        dir=$(cd "$dir" && pwd)
        mkdir -p "$dir/www/cgi-bin" "$dir/repos"
        local script
        script="#!/bin/sh
export GIT_PROJECT_ROOT='$dir/repos' GIT_HTTP_EXPORT_ALL=1
if [ -e '$dir/break' ] && [ \"\$REQUEST_METHOD\" = POST ]; then
        /usr/lib/git-core/git-http-backend | head -c 2000
        exit 0
fi
exec /usr/lib/git-core/git-http-backend
"
        printf '%s' "$script" >"$dir/www/cgi-bin/git"
        printf '%s' "$script" >"$dir/www/cgi-bin/private"
        chmod 755 "$dir/www/cgi-bin/git" "$dir/www/cgi-bin/private"
        printf '/cgi-bin/private:alice:%s\n' "${GIT_LIB_HTTP_PW:-s3cret-Pw-42}" >"$dir/httpd.conf"
        port=$(git_lib_port) || return 1
        busybox httpd -f -p "127.0.0.1:$port" -h "$dir/www" -c "$dir/httpd.conf" \
                </dev/null >>"$dir/httpd.log" 2>&1 &
        echo $! >"$dir/httpd.pid"
        git_lib_wait_port "$port" || return 1
        echo "$port"
}

git_lib_sshd_start() {
        local dir=$1 port
        dir=$(cd "$dir" && pwd)
        mkdir -p "$dir/ssh" /run/sshd
        rm -f "$dir/ssh/host_ed25519" "$dir/ssh/id_ed25519"
        ssh-keygen -q -t ed25519 -N '' -C host -f "$dir/ssh/host_ed25519"
        ssh-keygen -q -t ed25519 -N '' -C client -f "$dir/ssh/id_ed25519"
        cp "$dir/ssh/id_ed25519.pub" "$dir/ssh/authorized_keys"
        port=$(git_lib_port) || return 1
        cat >"$dir/ssh/sshd_config" <<EOF
ListenAddress 127.0.0.1
HostKey $dir/ssh/host_ed25519
PidFile $dir/ssh/sshd.pidfile
AuthorizedKeysFile $dir/ssh/authorized_keys
StrictModes no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
EOF
        printf '[127.0.0.1]:%s %s\n' "$port" "$(cut -d' ' -f1,2 "$dir/ssh/host_ed25519.pub")" \
                >"$dir/ssh/known_hosts"
        /usr/sbin/sshd -f "$dir/ssh/sshd_config" -D -e -p "$port" </dev/null \
                >>"$dir/sshd.log" 2>&1 &
        echo $! >"$dir/sshd.pid"
        git_lib_wait_port "$port" || return 1
        echo "$port"
}

git_lib_stop() {
        local dir=$1 f
        for f in "$dir/httpd.pid" "$dir/sshd.pid"; do
                [ -f "$f" ] || continue
                kill "$(cat "$f")" 2>/dev/null || true
                rm -f "$f"
        done
}

# git_lib_commit REPO FILE CONTENT MESSAGE: writes FILE and commits it.
git_lib_commit() {
        local repo=$1 file=$2 content=$3 msg=$4
        mkdir -p "$(dirname "$repo/$file")"
        printf '%s\n' "$content" >"$repo/$file"
        git -C "$repo" add -A
        git -C "$repo" commit -q -m "$msg"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
        set -euo pipefail
        git_lib_env
        case "${1:-}" in
        http-start) git_lib_http_start "$2" ;;
        sshd-start) git_lib_sshd_start "$2" ;;
        stop) git_lib_stop "$2" ;;
        *) echo "usage: git-lib.sh http-start|sshd-start|stop DIR" >&2; exit 2 ;;
        esac
fi
