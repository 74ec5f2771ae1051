#!/usr/bin/env bash
# Fixtures for the git source's tests: repositories made with git, a
# loopback HTTP server (python3 in front of git http-backend) and a loopback
# sshd with throwaway keys. Source it (functions) or run it:
#   git-lib.sh http-start DIR    -> prints the port; serves DIR/repos
#   git-lib.sh https-start DIR   -> the same over TLS (https://localhost:PORT)
#   git-lib.sh sshd-start DIR [ADDR PORT] -> prints the port; keys in DIR/ssh
#   git-lib.sh stop DIR          -> stops what was started for DIR
# HTTP: http://127.0.0.1:PORT/cgi-bin/git/NAME.git serves DIR/repos/NAME.git;
# /cgi-bin/private/NAME.git the same behind basic auth (alice:$GIT_LIB_HTTP_PW).
# A file DIR/break makes every pack response stop after 2000 bytes; a file
# DIR/stall makes the server wait a minute before answering.

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

# A small HTTP/1.1 front for git http-backend (CGI). busybox httpd would
# do for anonymous access, but its 401 page has no Content-Length and
# libgit2 1.5 then fails with "unexpected EOF" instead of retrying with
# credentials, so basic auth needs a server that frames its answers.
git_lib_http_server() {
        exec python3 - "$@" <<'PY'
import base64, http.server, os, ssl, subprocess, sys, time
root, port, pw = sys.argv[1], int(sys.argv[2]), sys.argv[3]
cert = sys.argv[4] if len(sys.argv) > 4 else None
want = "Basic " + base64.b64encode(("alice:" + pw).encode()).decode()
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def handle_git(self):
        path, _, query = self.path.partition("?")
        for prefix, auth in (("/cgi-bin/git", False), ("/cgi-bin/private", True)):
            if path.startswith(prefix + "/"):
                break
        else:
            self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers(); return
        if auth and self.headers.get("Authorization") != want:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0"); self.end_headers(); return
        if os.path.exists(root + "/stall"):
            time.sleep(60)
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        env = dict(os.environ, GIT_PROJECT_ROOT=root + "/repos", GIT_HTTP_EXPORT_ALL="1",
                   PATH_INFO=path[len(prefix):], QUERY_STRING=query,
                   REQUEST_METHOD=self.command, CONTENT_TYPE=self.headers.get("Content-Type", ""),
                   CONTENT_LENGTH=str(len(body)), REMOTE_ADDR="127.0.0.1",
                   GIT_PROTOCOL=self.headers.get("Git-Protocol", ""),
                   HTTP_CONTENT_ENCODING=self.headers.get("Content-Encoding", ""))
        if auth:
            env["REMOTE_USER"] = "alice"
        out = subprocess.run(["git", "http-backend"], input=body, env=env,
                             stdout=subprocess.PIPE).stdout
        head, _, data = out.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.split(b"\r\n"):
            k, _, v = line.decode().partition(":")
            if k.lower() == "status":
                status = int(v.split()[0])
            elif k:
                headers.append((k, v.strip()))
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        broken = self.command == "POST" and os.path.exists(root + "/break")
        if broken:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data[:2000] if broken else data)
        if broken:
            self.close_connection = True
    do_GET = handle_git
    do_POST = handle_git
srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
if cert:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, cert.replace("cert.pem", "key.pem"))
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY
}

git_lib_http_start() {
        local dir=$1 port
        dir=$(cd "$dir" && pwd)
        mkdir -p "$dir/repos"
        port=$(git_lib_port) || return 1
        git_lib_http_server "$dir" "$port" "${GIT_LIB_HTTP_PW:-s3cret-Pw-42}" \
                </dev/null >>"$dir/httpd.log" 2>&1 &
        echo $! >"$dir/httpd.pid"
        git_lib_wait_port "$port" || return 1
        echo "$port"
}

# HTTPS on localhost with a throwaway self-signed certificate,
# DIR/tls/cert.pem (give it to the client as SSL_CERT_FILE).
git_lib_https_start() {
        local dir=$1 port
        dir=$(cd "$dir" && pwd)
        mkdir -p "$dir/repos" "$dir/tls"
        openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
                -addext subjectAltName=DNS:localhost -keyout "$dir/tls/key.pem" \
                -out "$dir/tls/cert.pem" >/dev/null 2>&1
        port=$(git_lib_port) || return 1
        git_lib_http_server "$dir" "$port" "${GIT_LIB_HTTP_PW:-s3cret-Pw-42}" "$dir/tls/cert.pem" \
                </dev/null >>"$dir/httpsd.log" 2>&1 &
        echo $! >"$dir/httpsd.pid"
        git_lib_wait_port "$port" || return 1
        echo "$port"
}

# git_lib_sshd_start DIR [ADDR PORT]: sshd on ADDR (default 127.0.0.1) and
# PORT (default a free one); port 22 gives scp-like "root@ADDR:/path" a server.
git_lib_sshd_start() {
        local dir=$1 addr=${2:-127.0.0.1} port=${3:-}
        dir=$(cd "$dir" && pwd)
        mkdir -p "$dir/ssh" /run/sshd
        rm -f "$dir/ssh/host_ed25519" "$dir/ssh/id_ed25519"
        ssh-keygen -q -t ed25519 -N '' -C host -f "$dir/ssh/host_ed25519"
        ssh-keygen -q -t ed25519 -N '' -C client -f "$dir/ssh/id_ed25519"
        cp "$dir/ssh/id_ed25519.pub" "$dir/ssh/authorized_keys"
        [ -n "$port" ] || port=$(git_lib_port) || return 1
        cat >"$dir/ssh/sshd_config" <<EOF
ListenAddress $addr
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
        local name="[$addr]:$port"
        [ "$port" != 22 ] || name=$addr
        printf '%s %s\n' "$name" "$(cut -d' ' -f1,2 "$dir/ssh/host_ed25519.pub")" \
                >"$dir/ssh/known_hosts"
        /usr/sbin/sshd -f "$dir/ssh/sshd_config" -D -e -p "$port" </dev/null \
                >>"$dir/sshd.log" 2>&1 &
        echo $! >"$dir/sshd.pid"
        for _ in $(seq 100); do
                (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null && { echo "$port"; return 0; }
                kill -0 "$(cat "$dir/sshd.pid")" 2>/dev/null || return 1
                sleep 0.05
        done
        return 1
}

git_lib_stop() {
        local dir=$1 f
        for f in "$dir/httpd.pid" "$dir/httpsd.pid" "$dir/sshd.pid"; do
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
        https-start) git_lib_https_start "$2" ;;
        sshd-start) git_lib_sshd_start "$2" "${3:-}" "${4:-}" ;;
        stop) git_lib_stop "$2" ;;
        *) echo "usage: git-lib.sh http-start|sshd-start|stop DIR" >&2; exit 2 ;;
        esac
fi
