/* The git source on remote repositories: file://, HTTP through git
 * http-backend behind busybox httpd, SSH through a loopback sshd (both
 * started by tests/integration/git-lib.sh). Cache, pins, force-push, a
 * fetch that breaks mid-way, credentials and host keys. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/mem.h"
#include "common/util.h"
#include "sources/git.h"

#define HTTP_PW "s3cret-Pw-42"

static char T[64];
static char LIB[PATH_MAX];
static char HTTP_PORT[16];
static char SSH_PORT[16];
static char HTTPS_PORT[16];

static int
run(const char *fmt, va_list ap)
{
        _cleanup_free_ char *cmd = xvasprintf(fmt, ap);
        _cleanup_free_ char *full = xasprintf("cd '%s' && { %s ; } >/dev/null 2>&1", T, cmd);
        return system(full);
}

static void
sh(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int rc = run(fmt, ap);
        va_end(ap);
        if (rc != 0)
                fail_msg("command failed (%d): %s", rc, fmt);
}

static char *
sh_out(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *cmd = xvasprintf(fmt, ap);
        va_end(ap);
        _cleanup_free_ char *full = xasprintf("cd '%s' && %s", T, cmd);
        FILE *f = popen(full, "r");
        assert_non_null(f);
        char line[512] = "";
        if (!fgets(line, sizeof(line), f))
                line[0] = '\0';
        pclose(f);
        line[strcspn(line, "\n")] = '\0';
        return xstrdup(line);
}

static src_options
opts(void)
{
        static char state[128];
        snprintf(state, sizeof(state), "%s/state", T);
        src_options o;
        src_options_default(&o);
        o.state_dir = state;
        return o;
}

static int
open_take(const char *spec, const src_options *o, src_source **out_s, src_snapshot **out,
          tm_error *err)
{
        src_source *s = NULL;
        int r = src_open(&s, spec, o, err);
        if (r < 0)
                return r;
        r = src_snapshot_take(s, out, err);
        if (r < 0 || !out_s)
                src_close(s);
        else
                *out_s = s;
        return r;
}

static src_snapshot *
take_ok(const char *spec, const src_options *o)
{
        src_snapshot *snap = NULL;
        tm_error err = {0};
        if (open_take(spec, o, NULL, &snap, &err) < 0)
                fail_msg("take %s: %s", spec, err.msg);
        return snap;
}

static const src_file *
file(const src_snapshot *s, const char *path)
{
        for (size_t i = 0; i < s->n_files; i++)
                if (strcmp(s->files[i].path, path) == 0)
                        return &s->files[i];
        return NULL;
}

static int
setup(void **state)
{
        snprintf(T, sizeof(T), "/tmp/tgit-remote.XXXXXX");
        assert_non_null(mkdtemp(T));
        const char *src = getenv("TIMONE_SRCDIR");
        if (src)
                snprintf(LIB, sizeof(LIB), "%s/tests/integration/git-lib.sh", src);
        else if (!realpath("../tests/integration/git-lib.sh", LIB))
                return -1;
        setenv("GIT_AUTHOR_NAME", "Tess Tester", 1);
        setenv("GIT_AUTHOR_EMAIL", "tess@example.org", 1);
        setenv("GIT_COMMITTER_NAME", "Tess Tester", 1);
        setenv("GIT_COMMITTER_EMAIL", "tess@example.org", 1);
        setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
        setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
        unsetenv("TIMONE_GIT_TOKEN");
        unsetenv("TIMONE_GIT_USERNAME");
        unsetenv("TIMONE_GIT_PASSWORD");
        sh("mkdir -p state srv/repos && git init -q -b main w && cd w && mkdir -p clusters/home && "
           "echo 'a: 1' > clusters/home/a.yaml && echo 'r: 1' > root.yaml && git add -A && "
           "git commit -q -m one && git tag v1 && echo 'a: 2' > clusters/home/a.yaml && "
           "git commit -q -am two && git clone -q --bare . ../srv/repos/fleet.git");
        _cleanup_free_ char *hp = sh_out("bash '%s' http-start srv", LIB);
        _cleanup_free_ char *sp = sh_out("bash '%s' sshd-start srv", LIB);
        _cleanup_free_ char *tp = sh_out("bash '%s' https-start srv", LIB);
        snprintf(HTTPS_PORT, sizeof(HTTPS_PORT), "%s", tp);
        snprintf(HTTP_PORT, sizeof(HTTP_PORT), "%s", hp);
        snprintf(SSH_PORT, sizeof(SSH_PORT), "%s", sp);
        if (!*HTTP_PORT || !*SSH_PORT || !*HTTPS_PORT)
                return -1;
        return 0;
}

static int
teardown(void **state)
{
        _cleanup_free_ char *cmd = xasprintf(
            "bash '%s' stop '%s/srv'; bash '%s' stop '%s/srv22'; rm -rf '%s'", LIB, T, LIB, T, T);
        return system(cmd) == 0 ? 0 : -1;
}

/* Every file of the cache, with its content hash (the lock file aside). */
static char *
cache_listing(void)
{
        return sh_out("find state/git -path '*/timone.lock' -prune -o -print0 | sort -z | "
                      "xargs -0 sh -c 'for f; do if [ -f \"$f\" ]; then sha256sum \"$f\"; "
                      "else echo \"$f\"; fi; done' sh | sha256sum");
}

static void
test_file_url(void **state)
{
        src_options o = opts();
        _cleanup_free_ char *spec =
            xasprintf("file://%s/srv/repos/fleet.git#main//clusters/home", T);
        src_source *s = NULL;
        src_snapshot *snap = NULL;
        tm_error err = {0};
        if (open_take(spec, &o, &s, &snap, &err) < 0)
                fail_msg("%s", err.msg);
        _cleanup_free_ char *head = sh_out("git -C w rev-parse HEAD");
        assert_string_equal(snap->revision, head);
        assert_int_equal(snap->n_files, 1);
        assert_string_equal(snap->files[0].path, "a.yaml");
        assert_string_equal(snap->ref, "main");
        src_snapshot_free(snap);
        /* a bare cache under state/git, no work tree */
        sh("test \"$(ls state/git | wc -l)\" = 1 && d=$(ls -d state/git/*) && "
           "test -f $d/HEAD && test -d $d/objects && git -C $d rev-parse --is-bare-repository "
           "| grep -qx true && test ! -e $d/clusters");

        /* an incremental fetch sees a new commit */
        bool changed = true;
        assert_int_equal(src_git_fetch(s, &changed, &err), 0);
        assert_false(changed);
        sh("cd w && echo 'a: 3' > clusters/home/a.yaml && git commit -q -am three && "
           "git push -q ../srv/repos/fleet.git main");
        assert_int_equal(src_git_fetch(s, &changed, &err), 0);
        assert_true(changed);
        assert_false(src_git_last_was_force_push(s));
        assert_int_equal(src_snapshot_take(s, &snap, &err), 0);
        assert_string_equal((char *)snap->files[0].data, "a: 3\n");
        src_snapshot_free(snap);
        uint64_t d = src_git_next_fetch_ms(s);
        assert_true(d >= 54000 && d <= 66000);
        src_git_set_interval(s, 30000);
        d = src_git_next_fetch_ms(s);
        assert_true(d >= 27000 && d <= 33000);
        /* review on a remote: any revspec in the cache */
        assert_int_equal(src_git_snapshot_at(s, "HEAD~2", &snap, &err), 0);
        assert_string_equal((char *)snap->files[0].data, "a: 1\n");
        src_snapshot_free(snap);
        src_close(s);

        /* pins: tag, commit (all branches fetched to find it), default branch */
        _cleanup_free_ char *tagspec = xasprintf("file://%s/srv/repos/fleet.git#v1", T);
        snap = take_ok(tagspec, &o);
        assert_string_equal((char *)file(snap, "clusters/home/a.yaml")->data, "a: 1\n");
        src_snapshot_free(snap);
        _cleanup_free_ char *two = sh_out("git -C w rev-parse HEAD~1");
        _cleanup_free_ char *cspec = xasprintf("file://%s/srv/repos/fleet.git@%s", T, two);
        snap = take_ok(cspec, &o);
        assert_string_equal(snap->revision, two);
        src_snapshot_free(snap);
        /* a pinned commit already cached needs no server */
        sh("mv srv/repos/fleet.git srv/repos/away.git");
        snap = take_ok(cspec, &o);
        assert_string_equal(snap->revision, two);
        src_snapshot_free(snap);
        sh("mv srv/repos/away.git srv/repos/fleet.git");
        _cleanup_free_ char *dspec = xasprintf("file://%s/srv/repos/fleet.git", T);
        snap = take_ok(dspec, &o);
        assert_string_equal(snap->ref, "main");
        assert_int_equal(snap->n_files, 2);
        src_snapshot_free(snap);
        _cleanup_free_ char *bad = xasprintf("file://%s/srv/repos/fleet.git#nope", T);
        assert_true(open_take(bad, &o, NULL, &snap, &err) < 0);
        assert_non_null(strstr(err.msg, "no branch or tag \"nope\" on the remote"));

        /* no state directory: a clear error */
        src_options none;
        src_options_default(&none);
        assert_true(src_open(&s, dspec, &none, &err) < 0);
        assert_non_null(strstr(err.msg, "state directory"));

        /* a state directory that does not exist is not created (diff on a
         * new machine): a throwaway cache, gone on close */
        _cleanup_free_ char *nostate = xasprintf("%s/nostate", T);
        none.state_dir = nostate;
        _cleanup_free_ char *n0 = sh_out("ls -d /tmp/timone-git.* 2>/dev/null | wc -l");
        src_snapshot *snap3 = NULL;
        if (open_take(dspec, &none, &s, &snap3, &err) < 0)
                fail_msg("%s", err.msg);
        assert_string_equal(snap3->ref, "main");
        src_snapshot_free(snap3);
        src_close(s);
        sh("test ! -e nostate");
        _cleanup_free_ char *n1 = sh_out("ls -d /tmp/timone-git.* 2>/dev/null | wc -l");
        assert_string_equal(n0, n1);
}

static void
test_force_push_and_broken_fetch(void **state)
{
        src_options o = opts();
        _cleanup_free_ char *spec =
            xasprintf("http://127.0.0.1:%s/cgi-bin/git/fleet.git#main", HTTP_PORT);
        src_source *s = NULL;
        src_snapshot *snap = NULL;
        tm_error err = {0};
        if (open_take(spec, &o, &s, &snap, &err) < 0)
                fail_msg("%s", err.msg);
        _cleanup_free_ char *old = xstrdup(snap->revision);
        src_snapshot_free(snap);

        /* history rewritten on the server */
        sh("cd w && git reset -q --hard HEAD~1 && echo 'f: 1' > f.yaml && git add f.yaml && "
           "git commit -q -m forced && git push -q -f ../srv/repos/fleet.git main");
        bool changed = false;
        assert_int_equal(src_git_fetch(s, &changed, &err), 0);
        assert_true(changed);
        assert_true(src_git_last_was_force_push(s));
        assert_int_equal(src_snapshot_take(s, &snap, &err), 0);
        assert_non_null(file(snap, "f.yaml"));
        _cleanup_free_ char *forced = xstrdup(snap->revision);
        src_snapshot_free(snap);
        /* the rewritten-away commit is still readable (nothing pruned) */
        assert_int_equal(src_git_snapshot_at(s, old, &snap, &err), 0);
        assert_string_equal(snap->revision, old);
        src_snapshot_free(snap);

        /* a pack that breaks mid-way: error, cache untouched, old tip kept */
        sh("cd w && head -c 30000 /dev/urandom | base64 > big.txt && echo 'g: 1' > g.yaml && "
           "git add -A && git commit -q -m big && git push -q ../srv/repos/fleet.git main && "
           "touch ../srv/break");
        _cleanup_free_ char *before = cache_listing();
        assert_true(src_git_fetch(s, &changed, &err) < 0);
        assert_non_null(strstr(err.msg, "fetch \"http://127.0.0.1:"));
        print_message("broken fetch: %s\n", err.msg);
        _cleanup_free_ char *after = cache_listing();
        assert_string_equal(before, after);
        assert_string_equal(src_git_tip(s), forced);
        uint64_t d = src_git_next_fetch_ms(s);
        assert_true(d >= 4000 && d <= 6000); /* first retry after ~5 s */
        assert_true(src_git_fetch(s, &changed, &err) < 0);
        d = src_git_next_fetch_ms(s);
        assert_true(d >= 8000 && d <= 12000); /* then backing off */
        /* a server that stops answering: abandoned at the timeout */
        sh("rm srv/break && touch srv/stall");
        src_git_set_fetch_timeout(s, 2000);
        uint64_t t0 = tm_now_ms();
        assert_int_equal(src_git_fetch(s, &changed, &err), -ETIMEDOUT);
        assert_true(tm_now_ms() - t0 < 5000);
        assert_non_null(strstr(err.msg, "no answer within 2 s"));
        _cleanup_free_ char *after2 = cache_listing();
        assert_string_equal(before, after2);
        assert_string_equal(src_git_tip(s), forced);
        src_snapshot *old_snap = NULL;
        assert_int_equal(src_git_snapshot_at(s, forced, &old_snap, &err), 0);
        src_snapshot_free(old_snap);
        sh("rm srv/stall && touch srv/break");
        /* a new process (diff) with the server broken fails clearly... */
        src_snapshot *snap2 = NULL;
        assert_true(open_take(spec, &o, NULL, &snap2, &err) < 0);
        /* ...and once the server is fixed the fetch completes */
        sh("rm srv/break");
        assert_int_equal(src_git_fetch(s, &changed, &err), 0);
        assert_true(changed);
        assert_false(src_git_last_was_force_push(s));
        d = src_git_next_fetch_ms(s);
        assert_true(d >= 54000 && d <= 66000);
        assert_int_equal(src_snapshot_take(s, &snap, &err), 0);
        assert_non_null(file(snap, "g.yaml"));
        src_snapshot_free(snap);
        src_close(s);
}

static void
test_http_credentials(void **state)
{
        src_options o = opts();
        _cleanup_free_ char *spec =
            xasprintf("http://127.0.0.1:%s/cgi-bin/private/fleet.git#main", HTTP_PORT);
        src_snapshot *snap = NULL;
        tm_error err = {0};
        /* none: refused, clearly */
        assert_true(open_take(spec, &o, NULL, &snap, &err) < 0);
        assert_non_null(strstr(err.msg, "no credentials"));

        /* from the environment */
        setenv("TIMONE_GIT_USERNAME", "alice", 1);
        setenv("TIMONE_GIT_PASSWORD", HTTP_PW, 1);
        snap = take_ok(spec, &o);
        assert_int_equal(snap->n_files > 0, 1);
        src_snapshot_free(snap);
        /* wrong password: refused, the password nowhere in the message */
        setenv("TIMONE_GIT_PASSWORD", "wrong-Pw-1234", 1);
        assert_true(open_take(spec, &o, NULL, &snap, &err) < 0);
        assert_null(strstr(err.msg, "wrong-Pw-1234"));
        assert_non_null(strstr(err.msg, "authentication failed"));
        unsetenv("TIMONE_GIT_USERNAME");
        unsetenv("TIMONE_GIT_PASSWORD");

        /* from a file */
        sh("printf 'alice:%%s\\n' '" HTTP_PW "' > creds && chmod 600 creds");
        _cleanup_free_ char *cf = xasprintf("%s/creds", T);
        o.credentials_file = cf;
        snap = take_ok(spec, &o);
        assert_null(strstr(snap->source, HTTP_PW));
        src_snapshot_free(snap);
        o.credentials_file = NULL;

        /* in the URL: used, never displayed */
        _cleanup_free_ char *uspec = xasprintf(
            "http://alice:" HTTP_PW "@127.0.0.1:%s/cgi-bin/private/fleet.git#main", HTTP_PORT);
        src_source *s = NULL;
        assert_int_equal(src_open(&s, uspec, &o, &err), 0);
        assert_null(strstr(src_source_display(s), HTTP_PW));
        assert_null(strstr(src_source_display(s), "alice"));
        assert_int_equal(src_snapshot_take(s, &snap, &err), 0);
        assert_null(strstr(snap->source, HTTP_PW));
        src_snapshot_free(snap);
        src_close(s);
        _cleanup_free_ char *wspec = xasprintf(
            "http://alice:Wr0ngSecret@127.0.0.1:%s/cgi-bin/private/fleet.git#main", HTTP_PORT);
        assert_true(open_take(wspec, &o, NULL, &snap, &err) < 0);
        assert_null(strstr(err.msg, "Wr0ngSecret"));
        /* and the cache never holds it (no config written with the URL) */
        sh("! grep -r -l -e '" HTTP_PW "' -e Wr0ngSecret state");
}

static void
test_https(void **state)
{
        src_options o = opts();
        _cleanup_free_ char *spec =
            xasprintf("https://localhost:%s/cgi-bin/private/fleet.git#main", HTTPS_PORT);
        _cleanup_free_ char *cert = xasprintf("%s/srv/tls/cert.pem", T);
        sh("printf '%%s\\n' '" HTTP_PW "' > token");
        _cleanup_free_ char *tok = xasprintf("%s/token", T);
        o.credentials_file = tok;
        setenv("TIMONE_GIT_USERNAME", "alice", 1);
        src_snapshot *snap = NULL;
        tm_error err = {0};
        /* a certificate nobody vouches for: refused */
        unsetenv("SSL_CERT_FILE");
        assert_true(open_take(spec, &o, NULL, &snap, &err) < 0);
        assert_non_null(strstr(err.msg, "certificate"));
        /* with the test CA: a token from a file, never shown */
        setenv("SSL_CERT_FILE", cert, 1);
        if (open_take(spec, &o, NULL, &snap, &err) < 0)
                fail_msg("%s", err.msg);
        assert_null(strstr(snap->source, HTTP_PW));
        assert_non_null(file(snap, "root.yaml"));
        src_snapshot_free(snap);
        unsetenv("SSL_CERT_FILE");
        unsetenv("TIMONE_GIT_USERNAME");
}

static void
test_ssh(void **state)
{
        src_options o = opts();
        _cleanup_free_ char *spec =
            xasprintf("ssh://root@127.0.0.1:%s%s/srv/repos/fleet.git#main", SSH_PORT, T);
        _cleanup_free_ char *key = xasprintf("%s/srv/ssh/id_ed25519", T);
        _cleanup_free_ char *kh = xasprintf("%s/srv/ssh/known_hosts", T);
        _cleanup_free_ char *kh_hashed = xasprintf("%s/srv/ssh/known_hosts_hashed", T);
        _cleanup_free_ char *kh_other = xasprintf("%s/srv/ssh/known_hosts_other", T);
        src_snapshot *snap = NULL;
        tm_error err = {0};
        o.ssh_key = key;
        o.known_hosts = kh;
        snap = take_ok(spec, &o);
        _cleanup_free_ char *head = sh_out("git -C srv/repos/fleet.git rev-parse main");
        assert_string_equal(snap->revision, head);
        src_snapshot_free(snap);

        /* hashed known_hosts entries */
        sh("cp srv/ssh/known_hosts srv/ssh/known_hosts_hashed && "
           "ssh-keygen -q -H -f srv/ssh/known_hosts_hashed && "
           "grep -q '^|1|' srv/ssh/known_hosts_hashed");
        o.known_hosts = kh_hashed;
        snap = take_ok(spec, &o);
        src_snapshot_free(snap);

        /* unknown host: refused; a different key for the host: refused */
        sh("ssh-keygen -q -t ed25519 -N '' -f srv/ssh/other && "
           "printf '[127.0.0.1]:%s %%s\\n' \"$(cut -d' ' -f1,2 srv/ssh/other.pub)\" "
           "> srv/ssh/known_hosts_other && echo 'otherhost ssh-ed25519 AAAA' >> "
           "srv/ssh/known_hosts_other",
           SSH_PORT);
        o.known_hosts = kh_other;
        assert_true(open_take(spec, &o, NULL, &snap, &err) < 0);
        assert_non_null(strstr(err.msg, "does not match"));
        _cleanup_free_ char *empty = xasprintf("%s/empty", T);
        sh("touch empty");
        o.known_hosts = empty;
        assert_true(open_take(spec, &o, NULL, &snap, &err) < 0);
        assert_non_null(strstr(err.msg, "is not in known_hosts"));
        o.known_hosts = NULL;
        assert_true(open_take(spec, &o, NULL, &snap, &err) < 0);
        assert_non_null(strstr(err.msg, "no known_hosts"));
        /* ...unless explicitly allowed */
        o.insecure_ignore_host_key = true;
        snap = take_ok(spec, &o);
        src_snapshot_free(snap);
        o.insecure_ignore_host_key = false;

        /* no key, or a key the server does not accept */
        o.known_hosts = kh;
        o.ssh_key = NULL;
        assert_true(open_take(spec, &o, NULL, &snap, &err) < 0);
        assert_non_null(strstr(err.msg, "key file"));
        _cleanup_free_ char *other = xasprintf("%s/srv/ssh/other", T);
        o.ssh_key = other;
        assert_true(open_take(spec, &o, NULL, &snap, &err) < 0);

        /* scp-like "user@host:path" needs port 22: a server on 127.0.0.2:22 */
        _cleanup_free_ char *p22 =
            sh_out("mkdir -p srv22 && bash '%s' sshd-start srv22 127.0.0.2 22", LIB);
        if (strcmp(p22, "22") != 0) {
                print_message("port 22 on 127.0.0.2 not available: scp-like form not tested\n");
                return;
        }
        _cleanup_free_ char *scp = xasprintf("root@127.0.0.2:%s/srv/repos/fleet.git#main", T);
        _cleanup_free_ char *key22 = xasprintf("%s/srv22/ssh/id_ed25519", T);
        _cleanup_free_ char *kh22 = xasprintf("%s/srv22/ssh/known_hosts", T);
        o.ssh_key = key22;
        o.known_hosts = kh22;
        src_source *s = NULL;
        assert_int_equal(src_open(&s, scp, &o, &err), 0);
        assert_string_equal(src_source_display(s), scp);
        if (src_snapshot_take(s, &snap, &err) < 0)
                fail_msg("%s", err.msg);
        assert_string_equal(snap->revision, head);
        src_snapshot_free(snap);
        src_close(s);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_file_url),
            cmocka_unit_test(test_force_push_and_broken_fetch),
            cmocka_unit_test(test_http_credentials),
            cmocka_unit_test(test_https),
            cmocka_unit_test(test_ssh),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
