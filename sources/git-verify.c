/* Commit signatures: SSH signatures (SSHSIG, as made by `git commit -S`
 * with gpg.format=ssh) verified with OpenSSL against a list of allowed
 * public keys. Format: openssh PROTOCOL.sshsig. */
#include "sources/git-internal.h"

#include <errno.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/util.h"

#define KEYS_FILE_MAX (1 << 20)
#define KEYS_MAX 1024
#define SIG_MAX 65536

struct src_git_keys {
        unsigned char **blobs;
        size_t *lens;
        size_t n, cap;
};

void
src_git_keys_free(src_git_keys *k)
{
        if (!k)
                return;
        for (size_t i = 0; i < k->n; i++)
                free(k->blobs[i]);
        free(k->blobs);
        free(k->lens);
        free(k);
}

static bool
is_key_type(const char *t)
{
        return strcmp(t, "ssh-ed25519") == 0 || strcmp(t, "ssh-rsa") == 0 ||
               tm_str_has_prefix(t, "ecdsa-sha2-nistp");
}

static int
b64(const char *in, size_t n, unsigned char **out, size_t *out_len)
{
        if (n == 0 || n % 4 || n > SIG_MAX * 2)
                return -EINVAL;
        unsigned char *buf = xmalloc(n / 4 * 3 + 1);
        int len = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)n);
        if (len < 0) {
                free(buf);
                return -EINVAL;
        }
        len -= (in[n - 1] == '=') + (in[n - 2] == '=');
        /* Canonical only (unused bits zero), as OpenSSH's decoder demands:
         * one signature has one spelling. */
        unsigned char *again = xmalloc(n + 1);
        bool same = EVP_EncodeBlock(again, buf, len) == (int)n && memcmp(again, in, n) == 0;
        free(again);
        if (!same) {
                free(buf);
                return -EINVAL;
        }
        *out = buf;
        *out_len = (size_t)len;
        return 0;
}

int
src_git_keys_load(const char *path, src_git_keys **out, tm_error *err)
{
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int r = tm_file_read(path, KEYS_FILE_MAX, &data, &len, err);
        if (r < 0)
                return tm_error_wrap(err, "commit keys \"%s\"", path);
        src_git_keys *k = xcalloc(1, sizeof(*k));
        char *save = NULL;
        size_t lineno = 0;
        for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                lineno++;
                char *f[8];
                int nf = 0;
                char *s2 = NULL;
                for (char *t = strtok_r(line, " \t\r", &s2); t && nf < 8;
                     t = strtok_r(NULL, " \t\r", &s2))
                        f[nf++] = t;
                if (nf == 0 || f[0][0] == '#')
                        continue;
                /* "TYPE B64 [comment]" or allowed_signers
                 * "PRINCIPALS [OPTIONS] TYPE B64 [comment]". */
                int at = -1;
                for (int i = 0; i + 1 < nf && at < 0; i++)
                        if (is_key_type(f[i]))
                                at = i;
                unsigned char *blob = NULL;
                size_t bn = 0;
                if (at < 0 || b64(f[at + 1], strlen(f[at + 1]), &blob, &bn) < 0) {
                        src_git_keys_free(k);
                        return tm_error_set(err, -EINVAL,
                                            "commit keys \"%s\": line %zu: no SSH public key", path,
                                            lineno);
                }
                if (k->n >= KEYS_MAX) {
                        free(blob);
                        src_git_keys_free(k);
                        return tm_error_set(err, -E2BIG, "commit keys \"%s\": more than %d keys",
                                            path, KEYS_MAX);
                }
                size_t cap = k->cap;
                TM_GROW(k->blobs, cap, k->n + 1);
                TM_GROW(k->lens, k->cap, k->n + 1);
                k->blobs[k->n] = blob;
                k->lens[k->n] = bn;
                k->n++;
        }
        if (k->n == 0) {
                src_git_keys_free(k);
                return tm_error_set(err, -EINVAL, "commit keys \"%s\": no keys", path);
        }
        *out = k;
        return 0;
}

/* ---- SSH wire format ---------------------------------------------------- */

typedef struct rd {
        const unsigned char *p;
        size_t n;
} rd;

static bool
rd_u32(rd *r, uint32_t *v)
{
        if (r->n < 4)
                return false;
        *v = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 | (uint32_t)r->p[2] << 8 | r->p[3];
        r->p += 4;
        r->n -= 4;
        return true;
}

static bool
rd_str(rd *r, rd *out)
{
        uint32_t len;
        if (!rd_u32(r, &len) || len > r->n)
                return false;
        out->p = r->p;
        out->n = len;
        r->p += len;
        r->n -= len;
        return true;
}

static bool
rd_eq(const rd *s, const char *lit)
{
        return s->n == strlen(lit) && memcmp(s->p, lit, s->n) == 0;
}

static void
put_str(tm_buf *b, const void *p, size_t n)
{
        unsigned char l[4] = {(unsigned char)(n >> 24), (unsigned char)(n >> 16),
                              (unsigned char)(n >> 8), (unsigned char)n};
        tm_buf_append(b, l, 4);
        tm_buf_append(b, p, n);
}

static EVP_PKEY *
key_from_params(const char *type, OSSL_PARAM_BLD *bld)
{
        OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
        EVP_PKEY *pkey = NULL;
        if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1)
                EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params);
        EVP_PKEY_CTX_free(ctx);
        OSSL_PARAM_free(params);
        return pkey;
}

/* Public key blob -> EVP_PKEY; *curve_md set for ECDSA. */
static EVP_PKEY *
parse_pubkey(rd blob, const EVP_MD **ecdsa_md)
{
        rd type, a, b;
        if (!rd_str(&blob, &type))
                return NULL;
        if (rd_eq(&type, "ssh-ed25519")) {
                if (!rd_str(&blob, &a) || a.n != 32)
                        return NULL;
                return EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, a.p, a.n);
        }
        if (rd_eq(&type, "ssh-rsa")) {
                if (!rd_str(&blob, &a) || !rd_str(&blob, &b) || b.n > 2048)
                        return NULL;
                BIGNUM *e = BN_bin2bn(a.p, (int)a.n, NULL);
                BIGNUM *n = BN_bin2bn(b.p, (int)b.n, NULL);
                OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
                EVP_PKEY *k = NULL;
                if (e && n && bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
                    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
                        k = key_from_params("RSA", bld);
                OSSL_PARAM_BLD_free(bld);
                BN_free(e);
                BN_free(n);
                return k;
        }
        static const struct {
                const char *ssh, *curve, *ossl;
                const EVP_MD *(*md)(void);
        } curves[] = {
            {"ecdsa-sha2-nistp256", "nistp256", "prime256v1", EVP_sha256},
            {"ecdsa-sha2-nistp384", "nistp384", "secp384r1", EVP_sha384},
            {"ecdsa-sha2-nistp521", "nistp521", "secp521r1", EVP_sha512},
        };
        for (size_t i = 0; i < TM_ARRAY_SIZE(curves); i++) {
                if (!rd_eq(&type, curves[i].ssh))
                        continue;
                if (!rd_str(&blob, &a) || !rd_eq(&a, curves[i].curve) || !rd_str(&blob, &b))
                        return NULL;
                OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
                EVP_PKEY *k = NULL;
                if (bld &&
                    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curves[i].ossl,
                                                    0) &&
                    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, b.p, b.n))
                        k = key_from_params("EC", bld);
                OSSL_PARAM_BLD_free(bld);
                *ecdsa_md = curves[i].md();
                return k;
        }
        return NULL;
}

/* Verifies the SSH signature blob sig over msg with pkey. */
static bool
verify_raw(EVP_PKEY *pkey, rd keyblob, rd sig, const EVP_MD *ecdsa_md, const tm_buf *msg)
{
        rd ktype, stype, sbytes;
        if (!rd_str(&keyblob, &ktype) || !rd_str(&sig, &stype) || !rd_str(&sig, &sbytes))
                return false;
        const EVP_MD *md = NULL;
        unsigned char *der = NULL;
        const unsigned char *sp = sbytes.p;
        size_t sn = sbytes.n;
        if (rd_eq(&ktype, "ssh-ed25519")) {
                if (!rd_eq(&stype, "ssh-ed25519"))
                        return false;
        } else if (rd_eq(&ktype, "ssh-rsa")) {
                if (rd_eq(&stype, "rsa-sha2-512"))
                        md = EVP_sha512();
                else if (rd_eq(&stype, "rsa-sha2-256"))
                        md = EVP_sha256();
                else
                        return false; /* ssh-rsa (SHA-1) is not accepted */
        } else {
                if (!(stype.n == ktype.n && memcmp(stype.p, ktype.p, ktype.n) == 0))
                        return false;
                rd r_, s_;
                if (!rd_str(&sbytes, &r_) || !rd_str(&sbytes, &s_))
                        return false;
                ECDSA_SIG *es = ECDSA_SIG_new();
                BIGNUM *r = BN_bin2bn(r_.p, (int)r_.n, NULL);
                BIGNUM *s = BN_bin2bn(s_.p, (int)s_.n, NULL);
                if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s)) {
                        BN_free(r);
                        BN_free(s);
                        ECDSA_SIG_free(es);
                        return false;
                }
                int dl = i2d_ECDSA_SIG(es, &der);
                ECDSA_SIG_free(es);
                if (dl <= 0)
                        return false;
                sp = der;
                sn = (size_t)dl;
                md = ecdsa_md;
        }
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) == 1 &&
                  EVP_DigestVerify(ctx, sp, sn, (const unsigned char *)msg->data, msg->len) == 1;
        EVP_MD_CTX_free(ctx);
        OPENSSL_free(der);
        return ok;
}

static void
fingerprint(rd key, char *out, size_t cap)
{
        uint8_t d[32];
        tm_sha256 *h = tm_sha256_new();
        tm_sha256_update(h, key.p, key.n);
        tm_sha256_final(h, d);
        unsigned char b[48];
        int n = EVP_EncodeBlock(b, d, 32);
        while (n > 0 && b[n - 1] == '=')
                n--;
        snprintf(out, cap, "SHA256:%.*s", n, b);
}

int
src_git_sshsig_verify(const char *armored, size_t alen, const void *data, size_t len,
                      const src_git_keys *keys, tm_error *err)
{
        static const char begin[] = "-----BEGIN SSH SIGNATURE-----";
        static const char end[] = "-----END SSH SIGNATURE-----";
        if (alen > SIG_MAX || alen < sizeof(begin) || memcmp(armored, begin, sizeof(begin) - 1))
                return tm_error_set(err, -EPERM, "not an SSH signature");
        /* Base64 body: every line between the armor lines. */
        tm_buf body = TM_BUF_INIT;
        const char *p = armored + sizeof(begin) - 1, *lim = armored + alen;
        bool ended = false;
        while (p < lim) {
                const char *nl = memchr(p, '\n', (size_t)(lim - p));
                const char *e = nl ? nl : lim;
                size_t ln = (size_t)(e - p);
                while (ln && (p[ln - 1] == '\r' || p[ln - 1] == ' '))
                        ln--;
                if (ln == sizeof(end) - 1 && memcmp(p, end, ln) == 0) {
                        ended = true;
                        break;
                }
                tm_buf_append(&body, p, ln);
                p = nl ? nl + 1 : lim;
        }
        unsigned char *raw = NULL;
        size_t rn = 0;
        if (!ended || b64(body.data ? body.data : "", body.len, &raw, &rn) < 0) {
                tm_buf_free(&body);
                return tm_error_set(err, -EPERM, "malformed SSH signature");
        }
        tm_buf_free(&body);
        rd r = {raw, rn}, pub, ns, reserved, halg, sig;
        uint32_t version = 0;
        int ret = 0;
        if (r.n < 6 || memcmp(r.p, "SSHSIG", 6) != 0) {
                ret = tm_error_set(err, -EPERM, "malformed SSH signature (magic)");
                goto out;
        }
        r.p += 6;
        r.n -= 6;
        if (!rd_u32(&r, &version) || version != 1 || !rd_str(&r, &pub) || !rd_str(&r, &ns) ||
            !rd_str(&r, &reserved) || !rd_str(&r, &halg) || !rd_str(&r, &sig)) {
                ret = tm_error_set(err, -EPERM, "malformed SSH signature");
                goto out;
        }
        if (!rd_eq(&ns, "git")) {
                ret = tm_error_set(err, -EPERM, "SSH signature is not for git (namespace)");
                goto out;
        }
        const EVP_MD *hmd = rd_eq(&halg, "sha512")   ? EVP_sha512()
                            : rd_eq(&halg, "sha256") ? EVP_sha256()
                                                     : NULL;
        if (!hmd) {
                ret = tm_error_set(err, -EPERM, "SSH signature: unsupported hash algorithm");
                goto out;
        }
        bool allowed = false;
        for (size_t i = 0; i < keys->n && !allowed; i++)
                allowed = keys->lens[i] == pub.n && memcmp(keys->blobs[i], pub.p, pub.n) == 0;
        char fp[64];
        fingerprint(pub, fp, sizeof(fp));
        if (!allowed) {
                ret = tm_error_set(err, -EPERM, "signed by a key that is not allowed (%s)", fp);
                goto out;
        }
        unsigned char h[EVP_MAX_MD_SIZE];
        unsigned int hl = 0;
        if (EVP_Digest(data, len, h, &hl, hmd, NULL) != 1) {
                ret = tm_error_set(err, -EIO, "digest failed");
                goto out;
        }
        tm_buf msg = TM_BUF_INIT;
        tm_buf_append(&msg, "SSHSIG", 6);
        put_str(&msg, ns.p, ns.n);
        put_str(&msg, reserved.p, reserved.n);
        put_str(&msg, halg.p, halg.n);
        put_str(&msg, h, hl);
        const EVP_MD *emd = NULL;
        EVP_PKEY *pkey = parse_pubkey(pub, &emd);
        bool ok = pkey && verify_raw(pkey, pub, sig, emd, &msg);
        EVP_PKEY_free(pkey);
        tm_buf_free(&msg);
        if (!ok)
                ret = tm_error_set(err, -EPERM, "bad SSH signature (key %s)", fp);
out:
        free(raw);
        return ret;
}

int
src_git_verify_commit(git_repository *repo, const git_oid *oid, const src_git_keys *keys,
                      tm_error *err)
{
        git_buf sig = GIT_BUF_INIT, signed_data = GIT_BUF_INIT;
        int r = git_commit_extract_signature(&sig, &signed_data, repo, (git_oid *)oid, NULL);
        if (r == GIT_ENOTFOUND)
                return tm_error_set(err, -EPERM, "commit is not signed");
        if (r < 0)
                return src_git_error(err, NULL, r, "read signature");
        r = src_git_sshsig_verify(sig.ptr, sig.size, signed_data.ptr, signed_data.size, keys, err);
        git_buf_dispose(&sig);
        git_buf_dispose(&signed_data);
        return r;
}
