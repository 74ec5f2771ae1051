/* Credentials and host keys for fetching. Secrets are read when libgit2
 * asks, handed to it, wiped, and never put in a message. */
#include "sources/git-internal.h"

#include <errno.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "common/util.h"

#define CREDS_FILE_MAX 4096
#define KNOWN_HOSTS_MAX (4 << 20)
#define KEY_BLOB_MAX 16384

static void
wipe_free(char *s)
{
        if (s) {
                OPENSSL_cleanse(s, strlen(s));
                free(s);
        }
}

int
src_git_creds_userpass(const src_git_spec *spec, const src_options *opts, char **user, char **pass,
                       tm_error *err)
{
        if (spec->password) {
                *user = xstrdup(spec->user ? spec->user : "git");
                *pass = xstrdup(spec->password);
                return 0;
        }
        if (opts->credentials_file) {
                char *data = NULL;
                size_t len = 0;
                int r = tm_file_read(opts->credentials_file, CREDS_FILE_MAX, &data, &len, err);
                if (r < 0)
                        return tm_error_wrap(err, "credentials file \"%s\"",
                                             opts->credentials_file);
                data[strcspn(data, "\r\n")] = '\0';
                char *colon = strchr(data, ':');
                if (!*data) {
                        wipe_free(data);
                        return tm_error_set(err, -EINVAL, "credentials file \"%s\" is empty",
                                            opts->credentials_file);
                }
                if (colon) {
                        *colon = '\0';
                        *user = xstrdup(data);
                        *pass = xstrdup(colon + 1);
                } else {
                        const char *u = getenv("TIMONE_GIT_USERNAME");
                        *user = xstrdup(u && *u ? u : spec->user ? spec->user : "git");
                        *pass = xstrdup(data);
                }
                OPENSSL_cleanse(data, len);
                free(data);
                return 0;
        }
        const char *tok = getenv("TIMONE_GIT_TOKEN");
        const char *u = getenv("TIMONE_GIT_USERNAME");
        const char *p = getenv("TIMONE_GIT_PASSWORD");
        if (tok && *tok) {
                *user = xstrdup(u && *u ? u : spec->user ? spec->user : "git");
                *pass = xstrdup(tok);
                return 0;
        }
        if (u && *u && p) {
                *user = xstrdup(u);
                *pass = xstrdup(p);
                return 0;
        }
        return tm_error_set(err, -ENOENT,
                            "no credentials (give a credentials file, or set TIMONE_GIT_TOKEN "
                            "or TIMONE_GIT_USERNAME and TIMONE_GIT_PASSWORD)");
}

static int
fail_cb(src_git_creds *c, int code, const char *why)
{
        size_t n = strnlen(why, sizeof(c->why) - 1);
        memcpy(c->why, why, n);
        c->why[n] = '\0';
        git_error_set_str(GIT_ERROR_NET, why);
        return code;
}

static int
credentials_cb(git_credential **out, const char *url, const char *username_from_url,
               unsigned int allowed, void *payload)
{
        src_git_creds *c = payload;
        const char *user = username_from_url && *username_from_url ? username_from_url
                           : c->spec->user                         ? c->spec->user
                                                                   : "git";
        if (allowed & GIT_CREDENTIAL_SSH_KEY) {
                if (!c->opts->ssh_key)
                        return fail_cb(c, GIT_EAUTH, "ssh authentication needs a key file");
                if (++c->attempts_ssh > 1)
                        return fail_cb(c, GIT_EAUTH, "ssh authentication failed (key refused)");
                return git_credential_ssh_key_new(out, user, NULL, c->opts->ssh_key, NULL);
        }
        if (allowed & GIT_CREDENTIAL_USERNAME) {
                if (++c->attempts_user > 2)
                        return fail_cb(c, GIT_EAUTH, "authentication failed");
                return git_credential_username_new(out, user);
        }
        if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
                if (++c->attempts_userpass > 1)
                        return fail_cb(c, GIT_EAUTH, "authentication failed (credentials refused)");
                char *u = NULL, *p = NULL;
                tm_error e = {0};
                if (src_git_creds_userpass(c->spec, c->opts, &u, &p, &e) < 0)
                        return fail_cb(c, GIT_EAUTH, e.msg);
                int r = git_credential_userpass_plaintext_new(out, u, p);
                wipe_free(u);
                wipe_free(p);
                return r;
        }
        return fail_cb(c, GIT_EAUTH, "no supported authentication method offered");
}

/* ---- known_hosts -------------------------------------------------------- */

static int
b64_decode(const char *in, size_t n, unsigned char **out, size_t *out_len)
{
        if (n == 0 || n % 4 || n > KEY_BLOB_MAX * 2)
                return -EINVAL;
        unsigned char *buf = xmalloc(n / 4 * 3 + 1);
        int len = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)n);
        if (len < 0) {
                free(buf);
                return -EINVAL;
        }
        if (in[n - 1] == '=')
                len--;
        if (in[n - 2] == '=')
                len--;
        *out = buf;
        *out_len = (size_t)len;
        return 0;
}

/* "|1|salt|hash": HMAC-SHA1(salt, host) == hash. */
static bool
hashed_match(const char *pat, const char *host)
{
        const char *salt = pat + 3;
        const char *bar = strchr(salt, '|');
        if (!bar)
                return false;
        unsigned char *s = NULL, *h = NULL;
        size_t sn = 0, hn = 0;
        bool ok = false;
        if (b64_decode(salt, (size_t)(bar - salt), &s, &sn) == 0 &&
            b64_decode(bar + 1, strlen(bar + 1), &h, &hn) == 0 && hn == 20) {
                unsigned char mac[EVP_MAX_MD_SIZE];
                unsigned int ml = 0;
                if (HMAC(EVP_sha1(), s, (int)sn, (const unsigned char *)host, strlen(host), mac,
                         &ml) &&
                    ml == 20)
                        ok = CRYPTO_memcmp(mac, h, 20) == 0;
        }
        free(s);
        free(h);
        return ok;
}

/* OpenSSH's host patterns: '*' and '?' are the only wildcards ('[' is a
 * literal, as in "[host]:port"); case does not matter. Matched with one
 * backtrack point (the last '*'), so a pattern like "*a*a*a...b" costs
 * len(p) * len(s) at most, not an exponent. */
static bool
wild_match(const char *p, const char *s)
{
        const char *star = NULL, *resume = NULL;
        while (*s) {
                if (*p == '*') {
                        star = ++p;
                        resume = s;
                } else if (*p && (*p == '?' ||
                                  tolower((unsigned char)*p) == tolower((unsigned char)*s))) {
                        p++;
                        s++;
                } else if (star) {
                        p = star;
                        s = ++resume;
                } else {
                        return false;
                }
        }
        while (*p == '*')
                p++;
        return !*p;
}

/* Host list "a,b,!c,[d]:2222,*.e" against name; negation wins. */
static bool
hosts_match(char *list, const char *name)
{
        if (tm_str_has_prefix(list, "|1|"))
                return hashed_match(list, name);
        bool hit = false;
        char *save = NULL;
        for (char *p = strtok_r(list, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
                bool neg = p[0] == '!';
                if (wild_match(neg ? p + 1 : p, name)) {
                        if (neg)
                                return false;
                        hit = true;
                }
        }
        return hit;
}

int
src_git_known_hosts_check(const char *path, const char *host, int port, const unsigned char *key,
                          size_t key_len, tm_error *err)
{
        if (!path)
                return tm_error_set(err, -EPERM,
                                    "host key of \"%s\" cannot be checked: no known_hosts file "
                                    "given",
                                    host);
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = tm_file_read(path, KNOWN_HOSTS_MAX, &data, &len, err);
        if (r < 0)
                return tm_error_wrap(err, "known_hosts \"%s\"", path);
        _cleanup_free_ char *name =
            port && port != 22 ? xasprintf("[%s]:%d", host, port) : xstrdup(host);
        bool known = false, match = false, revoked = false;
        char *save = NULL;
        for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *f[4] = {0};
                int nf = 0;
                char *s2 = NULL;
                for (char *t = strtok_r(line, " \t\r", &s2); t && nf < 4;
                     t = strtok_r(NULL, " \t\r", &s2))
                        f[nf++] = t;
                if (nf < 3 || f[0][0] == '#')
                        continue;
                bool is_revoked = false;
                if (f[0][0] == '@') {
                        if (strcmp(f[0], "@revoked") != 0 || nf < 4)
                                continue; /* @cert-authority: not supported */
                        is_revoked = true;
                        memmove(f, f + 1, 3 * sizeof(f[0]));
                }
                if (!hosts_match(f[0], name))
                        continue;
                unsigned char *blob = NULL;
                size_t bn = 0;
                if (b64_decode(f[2], strlen(f[2]), &blob, &bn) < 0)
                        continue;
                bool same = bn == key_len && CRYPTO_memcmp(blob, key, bn) == 0;
                free(blob);
                if (is_revoked) {
                        revoked |= same;
                        continue;
                }
                known = true;
                match |= same;
        }
        if (revoked)
                return tm_error_set(err, -EPERM, "host key of \"%s\" is revoked in \"%s\"", name,
                                    path);
        if (match)
                return 0;
        if (known)
                return tm_error_set(err, -EPERM,
                                    "host key of \"%s\" does not match \"%s\" (possible "
                                    "man-in-the-middle)",
                                    name, path);
        return tm_error_set(err, -EPERM, "host \"%s\" is not in known_hosts \"%s\"", name, path);
}

static int
certificate_cb(git_cert *cert, int valid, const char *host, void *payload)
{
        src_git_creds *c = payload;
        if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2)
                return valid ? 0 : GIT_PASSTHROUGH; /* TLS: libgit2's own verdict */
        if (c->opts->insecure_ignore_host_key)
                return 0;
        const git_cert_hostkey *hk = (const git_cert_hostkey *)cert;
        if (!(hk->type & GIT_CERT_SSH_RAW) || !hk->hostkey || hk->hostkey_len == 0)
                return fail_cb(c, GIT_ECERTIFICATE, "ssh host key not available for checking");
        tm_error e = {0};
        if (src_git_known_hosts_check(c->opts->known_hosts, host, c->port,
                                      (const unsigned char *)hk->hostkey, hk->hostkey_len, &e) < 0)
                return fail_cb(c, GIT_ECERTIFICATE, e.msg);
        return 0;
}

static int
progress_cb(const git_indexer_progress *stats, void *payload)
{
        src_git_creds *c = payload;
        c->received_bytes = stats->received_bytes;
        if (stats->received_bytes > SRC_GIT_MAX_FETCH_BYTES)
                return fail_cb(c, GIT_EUSER, "fetch larger than the limit of 2 GiB");
        return 0;
}

void
src_git_callbacks_init(git_remote_callbacks *cbs, src_git_creds *c)
{
        git_remote_init_callbacks(cbs, GIT_REMOTE_CALLBACKS_VERSION);
        cbs->credentials = credentials_cb;
        cbs->certificate_check = certificate_cb;
        cbs->transfer_progress = progress_cb;
        cbs->payload = c;
}
