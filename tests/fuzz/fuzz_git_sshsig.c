/* Commit trust (sources/git-verify.c, git-creds.c): allowed-signers and
 * public key lists, armored SSH signatures (SSHSIG) and known_hosts.
 * Input: MODE, then PART_A '\0' PART_B.
 *   mode 0: PART_A is the keys file, PART_B the armored signature;
 *   mode 1: PART_B is the signature and the keys file allows the public
 *           key it carries, so that key and signature parsing is reached;
 *   mode 2: PART_A is a known_hosts file, PART_B "HOST PORT\n" then the
 *           raw host key.
 * The signed data is "fuzz\n" (seeds signed with ssh-keygen -Y sign over
 * it verify). Files go through a memfd. */
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sources/git-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char signed_data[] = "fuzz\n";

static int file_fd = -1;
static char file_path[64];

static const char *
put_file(const void *p, size_t n)
{
        if (file_fd < 0) {
                file_fd = memfd_create("fuzz-keys", 0);
                if (file_fd < 0)
                        abort();
                snprintf(file_path, sizeof(file_path), "/proc/self/fd/%d", file_fd);
        }
        if (ftruncate(file_fd, 0) < 0 || (n && pwrite(file_fd, p, n, 0) != (ssize_t)n))
                abort();
        return file_path;
}

/* The public key blob of an armored SSHSIG, as "ssh-ed25519 BASE64\n"
 * (the type word only marks the line; the blob is compared whole). */
static char *
keys_line_for(const char *armored, size_t n)
{
        unsigned char *raw = malloc(n + 4);
        char *body = malloc(n + 1);
        size_t bn = 0;
        for (size_t i = 0; i < n; i++) {
                if (armored[i] == '-') { /* skip armor lines */
                        while (i < n && armored[i] != '\n')
                                i++;
                        continue;
                }
                if (armored[i] != '\n' && armored[i] != '\r' && armored[i] != ' ')
                        body[bn++] = armored[i];
        }
        char *line = NULL;
        int rn = bn % 4 == 0 ? EVP_DecodeBlock(raw, (unsigned char *)body, (int)bn) : -1;
        if (rn >= 14 && memcmp(raw, "SSHSIG", 6) == 0) {
                size_t len =
                    (size_t)raw[10] << 24 | (size_t)raw[11] << 16 | (size_t)raw[12] << 8 | raw[13];
                if (len <= (size_t)rn - 14 && len > 0) {
                        line = malloc(len * 2 + 32);
                        strcpy(line, "ssh-ed25519 ");
                        int k = EVP_EncodeBlock((unsigned char *)line + 12, raw + 14, (int)len);
                        strcpy(line + 12 + k, "\n");
                }
        }
        free(raw);
        free(body);
        return line;
}

static void
verify(const char *keys_text, size_t keys_len, const char *sig, size_t sig_len)
{
        src_git_keys *keys = NULL;
        tm_error err = {0};
        if (src_git_keys_load(put_file(keys_text, keys_len), &keys, &err) < 0) {
                if (!err.msg[0])
                        abort();
                return;
        }
        int r = src_git_sshsig_verify(sig, sig_len, signed_data, strlen(signed_data), keys, &err);
        if (getenv("FUZZ_VERBOSE")) /* to see what a seed reaches */
                fprintf(stderr, "verify: %d %s\n", r, err.msg);
        if (r < 0 && !err.msg[0])
                abort();
        /* The same signature over other data never verifies. */
        if (r == 0 && src_git_sshsig_verify(sig, sig_len, "fuzz\n\n", 6, keys, &err) == 0)
                abort();
        src_git_keys_free(keys);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1 || size > 70000)
                return 0;
        const char *in = (const char *)data + 1;
        size_t n = size - 1;
        const char *nul = memchr(in, '\0', n);
        const char *a = in, *b = nul ? nul + 1 : in + n;
        size_t an = nul ? (size_t)(nul - in) : n, bn = (size_t)(in + n - b);
        tm_error err = {0};
        switch (data[0] % 3) {
        case 0:
                verify(a, an, b, bn);
                break;
        case 1: {
                char *line = keys_line_for(b, bn);
                if (line) {
                        verify(line, strlen(line), b, bn);
                        free(line);
                }
                break;
        }
        case 2: {
                char host[256];
                int port = 0;
                const char *nl = memchr(b, '\n', bn);
                size_t hn = nl ? (size_t)(nl - b) : bn;
                if (hn >= sizeof(host))
                        break;
                memcpy(host, b, hn);
                host[hn] = '\0';
                char *sp = strchr(host, ' ');
                if (sp) {
                        *sp = '\0';
                        port = atoi(sp + 1);
                }
                const unsigned char *key = nl ? (const unsigned char *)nl + 1 : NULL;
                size_t kn = nl ? bn - hn - 1 : 0;
                int r = src_git_known_hosts_check(put_file(a, an), host, port, key, kn, &err);
                if (getenv("FUZZ_VERBOSE"))
                        fprintf(stderr, "known_hosts: %d %s\n", r, err.msg);
                if (r < 0 && !err.msg[0])
                        abort();
                break;
        }
        }
        return 0;
}
