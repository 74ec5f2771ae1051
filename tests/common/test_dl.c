/* Libraries opened on first use: they are not mapped before, they are
 * after, forwarded calls reach them (libssl too), libnftables goes away with its last
 * context, and a missing library or symbol is a clear error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <git2.h>
#include <nftables/libnftables.h>
#include <openssl/ssl.h>

#include "common/dl-internal.h"
#include "common/dl.h"

/* Whether a file whose name contains needle is mapped in this process. */
static bool
mapped(const char *needle)
{
        FILE *f = fopen("/proc/self/maps", "r");
        assert_non_null(f);
        char line[4096];
        bool found = false;
        while (!found && fgets(line, sizeof(line), f))
                found = strstr(line, needle) != NULL;
        fclose(f);
        return found;
}

static void
test_missing_library(void **state)
{
        static const char *const names[] = {"cos"};
        void *syms[1];
        tm_dl_lib lib = {.soname = "libtimone-absent.so.0",
                         .package = "timone-absent0",
                         .names = names,
                         .n_names = 1,
                         .syms = syms};
        tm_error err = {0};
        assert_int_equal(tm_dl_open(&lib, &err), -ELIBACC);
        assert_non_null(strstr(err.msg, "cannot load libtimone-absent.so.0"));
        assert_non_null(strstr(err.msg, "Debian package timone-absent0"));
        assert_null(lib.handle);
        assert_false(tm_dl_is_open("libtimone-absent.so.0"));
}

static void
test_missing_symbol(void **state)
{
        static const char *const names[] = {"cos", "timone_no_such_function"};
        void *syms[2];
        tm_dl_lib lib = {
            .soname = "libm.so.6", .package = "libc6", .names = names, .n_names = 2, .syms = syms};
        tm_error err = {0};
        assert_int_equal(tm_dl_open(&lib, &err), -ELIBBAD);
        assert_non_null(strstr(err.msg, "lacks \"timone_no_such_function\""));
        assert_null(lib.handle);
        assert_null(syms[0]);
        assert_false(tm_dl_is_open("libm.so.6"));
}

static void
test_archive_on_demand(void **state)
{
        assert_false(mapped("libarchive.so"));
        assert_false(tm_dl_is_open("libarchive.so.13"));
        tm_error err = {0};
        assert_int_equal(tm_dl_archive_load(&err), 0);
        assert_true(mapped("libarchive.so"));
        assert_true(tm_dl_is_open("libarchive.so.13"));
        /* Forwarded calls: read a tiny tar held in memory (one empty
         * file "a", then the end-of-archive blocks). */
        static char tar[3 * 512];
        memset(tar, 0, sizeof(tar));
        strcpy(tar, "a");
        memcpy(tar + 100, "0000644", 7);
        memcpy(tar + 124, "00000000000", 11);
        memcpy(tar + 136, "00000000000", 11);
        tar[156] = '0';
        memcpy(tar + 257, "ustar", 6);
        memcpy(tar + 263, "00", 2);
        memset(tar + 148, ' ', 8);
        unsigned sum = 0;
        for (size_t i = 0; i < 512; i++)
                sum += (unsigned char)tar[i];
        snprintf(tar + 148, 8, "%06o", sum);
        struct archive *a = archive_read_new();
        assert_non_null(a);
        assert_int_equal(archive_read_support_format_tar(a), ARCHIVE_OK);
        assert_int_equal(archive_read_open_memory(a, tar, sizeof(tar)), ARCHIVE_OK);
        struct archive_entry *e;
        assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_OK);
        assert_string_equal(archive_entry_pathname(e), "a");
        assert_int_equal(archive_entry_size(e), 0);
        assert_int_equal(archive_read_next_header(a, &e), ARCHIVE_EOF);
        assert_int_equal(archive_read_free(a), ARCHIVE_OK);
}

static void
test_git2_on_demand(void **state)
{
        assert_false(mapped("libgit2.so"));
        tm_error err = {0};
        assert_int_equal(tm_dl_git2_load(&err), 0);
        assert_true(mapped("libgit2.so"));
        assert_true(git_libgit2_init() >= 1);
        git_oid oid;
        assert_int_equal(git_oid_fromstr(&oid, "0123456789abcdef0123456789abcdef01234567"), 0);
        char hex[GIT_OID_HEXSZ + 1];
        assert_string_equal(git_oid_tostr(hex, sizeof(hex), &oid),
                            "0123456789abcdef0123456789abcdef01234567");
        assert_int_equal(tm_dl_git2_set_ssl_cert_locations("/nonexistent/ca.pem", NULL), -1);
        assert_non_null(git_error_last());
        assert_true(git_libgit2_shutdown() >= 0);
}

/* libnftables is mapped while a context lives and unmapped after the
 * last one is freed, as often as it is needed. */
static void
test_nft_transient(void **state)
{
        for (int round = 0; round < 2; round++) {
                assert_false(mapped("libnftables.so"));
                struct nft_ctx *a = nft_ctx_new(NFT_CTX_DEFAULT);
                struct nft_ctx *b = nft_ctx_new(NFT_CTX_DEFAULT);
                assert_non_null(a);
                assert_non_null(b);
                assert_string_equal(tm_dl_nft_error(), "");
                assert_true(mapped("libnftables.so"));
                assert_int_equal(nft_ctx_buffer_output(a), 0);
                assert_int_equal(nft_ctx_buffer_error(a), 0);
                /* Parsed but not run (dry run is not needed: a syntax
                 * error never reaches the kernel). */
                assert_int_not_equal(nft_run_cmd_from_buffer(a, "this is not nft\n"), 0);
                const char *e = nft_ctx_get_error_buffer(a);
                assert_non_null(e);
                assert_non_null(strstr(e, "Error"));
                nft_ctx_free(a);
                assert_true(mapped("libnftables.so"));
                nft_ctx_free(b);
                assert_false(mapped("libnftables.so"));
                assert_false(tm_dl_is_open("libnftables.so.1"));
        }
}

static void
test_nft_hold(void **state)
{
        tm_dl_nft_hold();
        assert_false(mapped("libnftables.so"));
        for (int i = 0; i < 3; i++) {
                struct nft_ctx *c = nft_ctx_new(NFT_CTX_DEFAULT);
                assert_non_null(c);
                nft_ctx_free(c);
                assert_true(mapped("libnftables.so"));
        }
        tm_dl_nft_hold();
        tm_dl_nft_release();
        assert_true(mapped("libnftables.so"));
        tm_dl_nft_release();
        assert_false(mapped("libnftables.so"));
}

static void
test_ssl_on_demand(void **state)
{
        assert_false(mapped("libssl.so"));
        const SSL_METHOD *m = TLS_client_method();
        assert_non_null(m);
        assert_string_equal(tm_dl_ssl_error(), "");
        assert_true(mapped("libssl.so"));
        SSL_CTX *ctx = SSL_CTX_new(m);
        assert_non_null(ctx);
        SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
        SSL *ssl = SSL_new(ctx);
        assert_non_null(ssl);
        assert_int_equal(SSL_set_fd(ssl, -1), 1);
        SSL_free(ssl);
        SSL_CTX_free(ctx);
        assert_null(SSL_CTX_new(NULL));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_missing_library),   cmocka_unit_test(test_missing_symbol),
            cmocka_unit_test(test_archive_on_demand), cmocka_unit_test(test_git2_on_demand),
            cmocka_unit_test(test_nft_transient),     cmocka_unit_test(test_nft_hold),
            cmocka_unit_test(test_ssl_on_demand),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
