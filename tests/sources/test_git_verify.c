/* Commit signatures: commits signed by git with gpg.format=ssh (keys made
 * by ssh-keygen: ed25519, RSA, ECDSA) accepted only for allowed keys;
 * unsigned, unknown-key, tampered and non-SSH signatures refused. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/mem.h"
#include "common/util.h"
#include "sources/git-internal.h"

static char T[64];

static void
sh(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *cmd = xvasprintf(fmt, ap);
        va_end(ap);
        _cleanup_free_ char *full = xasprintf("cd '%s' && { %s ; } >/dev/null 2>&1", T, cmd);
        int rc = system(full);
        if (rc != 0)
                fail_msg("command failed (%d): %s", rc, cmd);
}

static int
setup(void **state)
{
        snprintf(T, sizeof(T), "/tmp/tgit-verify.XXXXXX");
        assert_non_null(mkdtemp(T));
        setenv("GIT_AUTHOR_NAME", "Tess Tester", 1);
        setenv("GIT_AUTHOR_EMAIL", "tess@example.org", 1);
        setenv("GIT_COMMITTER_NAME", "Tess Tester", 1);
        setenv("GIT_COMMITTER_EMAIL", "tess@example.org", 1);
        setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
        setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
        sh("ssh-keygen -q -t ed25519 -N '' -C ed -f k_ed && "
           "ssh-keygen -q -t rsa -b 2048 -N '' -C rsa -f k_rsa && "
           "ssh-keygen -q -t ecdsa -b 256 -N '' -C ec -f k_ec && "
           "ssh-keygen -q -t ed25519 -N '' -C other -f k_other && "
           "{ echo '# who may sign'; printf 'tess@example.org %%s\\n' \"$(cat k_ed.pub)\"; "
           "printf 'ops@example.org,*@example.org namespaces=\"git\" %%s\\n' \"$(cat k_rsa.pub)\"; "
           "cat k_ec.pub; } > allowed && "
           "git init -q -b main repo && git -C repo config gpg.format ssh");
        return 0;
}

static int
teardown(void **state)
{
        _cleanup_free_ char *cmd = xasprintf("rm -rf '%s'", T);
        return system(cmd) == 0 ? 0 : -1;
}

/* Commits a change signed with key (NULL: unsigned). */
static void
commit(const char *key, const char *content)
{
        if (key)
                sh("cd repo && echo '%s' > a.yaml && git add a.yaml && "
                   "git -c user.signingkey=\"$PWD/../%s\" commit -q -S -m '%s'",
                   content, key, content);
        else
                sh("cd repo && echo '%s' > a.yaml && git add a.yaml && git commit -q -m '%s'",
                   content, content);
}

static int
take(src_snapshot **out, tm_error *err)
{
        _cleanup_free_ char *spec = xasprintf("%s/repo#main", T);
        _cleanup_free_ char *keys = xasprintf("%s/allowed", T);
        src_options o;
        src_options_default(&o);
        o.verify_commits_keys = keys;
        src_source *s = NULL;
        int r = src_open(&s, spec, &o, err);
        if (r < 0)
                return r;
        r = src_snapshot_take(s, out, err);
        src_close(s);
        return r;
}

static void
accepted(const char *what)
{
        src_snapshot *snap = NULL;
        tm_error err = {0};
        if (take(&snap, &err) < 0)
                fail_msg("%s: refused: %s", what, err.msg);
        assert_non_null(snap);
        src_snapshot_free(snap);
}

static void
refused(const char *want)
{
        src_snapshot *snap = NULL;
        tm_error err = {0};
        assert_true(take(&snap, &err) < 0);
        assert_null(snap);
        assert_non_null(strstr(err.msg, "refused"));
        if (!strstr(err.msg, want))
                fail_msg("error \"%s\" lacks \"%s\"", err.msg, want);
}

static void
test_signed_by_allowed_keys(void **state)
{
        commit("k_ed", "ed: 1");
        accepted("ed25519");
        commit("k_rsa", "rsa: 1");
        accepted("rsa-sha2-512");
        commit("k_ec", "ec: 1");
        accepted("ecdsa-sha2-nistp256");
}

static void
test_refused(void **state)
{
        commit(NULL, "unsigned: 1");
        refused("commit is not signed");
        commit("k_other", "other: 1");
        refused("signed by a key that is not allowed (SHA256:");
        /* a signed commit whose content was changed afterwards */
        commit("k_ed", "good: 1");
        accepted("before tampering");
        sh("cd repo && git cat-file commit HEAD | sed 's/^good: 1$/evil: 1/' > c && "
           "grep -q '^evil: 1' c && git update-ref refs/heads/main $(git hash-object -t commit -w "
           "c)");
        refused("bad SSH signature");
        /* not an SSH signature at all */
        sh("cd repo && git cat-file commit HEAD | sed 's/SSH SIGNATURE/PGP SIGNATURE/' > c2 && "
           "git update-ref refs/heads/main $(git hash-object -t commit -w c2)");
        refused("not an SSH signature");
}

static void
test_sshsig_direct(void **state)
{
        src_git_keys *keys = NULL;
        tm_error err = {0};
        _cleanup_free_ char *kp = xasprintf("%s/allowed", T);
        assert_int_equal(src_git_keys_load(kp, &keys, &err), 0);
        sh("printf 'hello' > msg && ssh-keygen -q -Y sign -n git -f k_ed msg && "
           "mv msg.sig msg.git.sig && ssh-keygen -q -Y sign -n file -f k_ed msg");
        _cleanup_free_ char *sigp = xasprintf("%s/msg.git.sig", T);
        _cleanup_free_ char *filep = xasprintf("%s/msg.sig", T);
        char *sig = NULL, *fsig = NULL;
        size_t n = 0, fn = 0;
        assert_int_equal(tm_file_read(sigp, 65536, &sig, &n, &err), 0);
        assert_int_equal(src_git_sshsig_verify(sig, n, "hello", 5, keys, &err), 0);
        assert_true(src_git_sshsig_verify(sig, n, "hellO", 5, keys, &err) < 0);
        assert_non_null(strstr(err.msg, "bad SSH signature"));
        assert_true(src_git_sshsig_verify(sig, n / 2, "hello", 5, keys, &err) < 0);
        assert_non_null(strstr(err.msg, "malformed"));
        assert_int_equal(tm_file_read(filep, 65536, &fsig, &fn, &err), 0);
        assert_true(src_git_sshsig_verify(fsig, fn, "hello", 5, keys, &err) < 0);
        assert_non_null(strstr(err.msg, "namespace"));
        /* every single-byte corruption is refused, never a crash */
        for (size_t i = 0; i < n; i++) {
                char keep = sig[i];
                for (int v = 0; v < 3; v++) {
                        static const char repl[] = {'A', '/', '\n'};
                        if (repl[v] == keep)
                                continue;
                        sig[i] = repl[v];
                        tm_error e2 = {0};
                        int r = src_git_sshsig_verify(sig, n, "hello", 5, keys, &e2);
                        /* a changed newline or padding can leave the bytes intact */
                        if (r == 0 && keep != '\n' && repl[v] != '\n' && keep != '=')
                                fail_msg("corruption at %zu ('%c' -> '%c') accepted", i, keep,
                                         repl[v]);
                }
                sig[i] = keep;
        }
        for (size_t cut = 0; cut < n; cut += 7)
                assert_true(src_git_sshsig_verify(sig, cut, "hello", 5, keys, &err) < 0);
        free(sig);
        free(fsig);
        src_git_keys_free(keys);
}

static void
test_keys_file(void **state)
{
        src_git_keys *keys = NULL;
        tm_error err = {0};
        sh("echo '# nothing' > nokeys && echo 'someone not-a-key' > badkeys");
        _cleanup_free_ char *a = xasprintf("%s/nokeys", T);
        _cleanup_free_ char *b = xasprintf("%s/badkeys", T);
        _cleanup_free_ char *c = xasprintf("%s/missing", T);
        assert_true(src_git_keys_load(a, &keys, &err) < 0);
        assert_non_null(strstr(err.msg, "no keys"));
        assert_true(src_git_keys_load(b, &keys, &err) < 0);
        assert_non_null(strstr(err.msg, "line 1"));
        assert_true(src_git_keys_load(c, &keys, &err) < 0);
        /* a source with a bad keys file does not open */
        _cleanup_free_ char *spec = xasprintf("%s/repo#main", T);
        src_options o;
        src_options_default(&o);
        o.verify_commits_keys = b;
        src_source *s = NULL;
        assert_true(src_open(&s, spec, &o, &err) < 0);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_signed_by_allowed_keys),
            cmocka_unit_test(test_refused),
            cmocka_unit_test(test_sshsig_direct),
            cmocka_unit_test(test_keys_file),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
