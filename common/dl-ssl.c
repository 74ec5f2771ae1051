/* libssl, opened on first use (see dl.h): only HTTPS probes speak TLS;
 * libcrypto itself stays linked (hashing, secrets). TLS_client_method()
 * and SSL_CTX_new() return NULL when libssl cannot be loaded, as they do
 * when OpenSSL fails, and tm_dl_ssl_error() says why. */
#include "common/dl-internal.h"

#include <openssl/ssl.h>
#include <stdio.h>

/* TLS_client_method and SSL_CTX_new open the library; the others are
 * forwarded (only ever reached with an SSL_CTX or SSL made by them). */
#define SSL_SYMS(X, XV)                                                                            \
        X(const SSL_METHOD *, TLS_client_method, (void), ())                                       \
        X(SSL_CTX *, SSL_CTX_new, (const SSL_METHOD *a0), (a0))                                    \
        SSL_FORWARDED(X, XV)
#define SSL_FORWARDED(X, XV)                                                                       \
        XV(void, SSL_CTX_set_verify, (SSL_CTX * a0, int a1, SSL_verify_cb a2), (a0, a1, a2))       \
        X(SSL *, SSL_new, (SSL_CTX * a0), (a0))                                                    \
        XV(void, SSL_CTX_free, (SSL_CTX * a0), (a0))                                               \
        X(int, SSL_set_fd, (SSL * a0, int a1), (a0, a1))                                           \
        XV(void, SSL_free, (SSL * a0), (a0))                                                       \
        X(int, SSL_get_error, (const SSL *a0, int a1), (a0, a1))                                   \
        X(int, SSL_connect, (SSL * a0), (a0))                                                      \
        X(int, SSL_write, (SSL * a0, const void *a1, int a2), (a0, a1, a2))                        \
        X(int, SSL_read, (SSL * a0, void *a1, int a2), (a0, a1, a2))

enum { SSL_SYMS(TM_DL_ENUM, TM_DL_ENUM) TM_DL_N_SSL };
static const char *const names[] = {SSL_SYMS(TM_DL_NAME, TM_DL_NAME)};
static void *syms[TM_DL_N_SSL];
static tm_dl_lib lib = {
    .soname = "libssl.so.3",
    .package = "libssl3",
    .names = names,
    .n_names = TM_DL_N_SSL,
    .syms = syms,
};
static char load_error[TM_ERROR_MSG_MAX];

int
tm_dl_ssl_load(tm_error *err)
{
        return tm_dl_open(&lib, err);
}

const char *
tm_dl_ssl_error(void)
{
        return load_error;
}

static bool
ssl_open(void)
{
        tm_error err = {0};
        if (tm_dl_open(&lib, &err) < 0) {
                snprintf(load_error, sizeof(load_error), "%s", err.msg);
                return false;
        }
        return true;
}

const SSL_METHOD *
TLS_client_method(void)
{
        if (!ssl_open())
                return NULL;
        return ((__typeof__(&TLS_client_method))syms[TM_DL_SYM_TLS_client_method])();
}

SSL_CTX *
SSL_CTX_new(const SSL_METHOD *method)
{
        if (!method || !ssl_open())
                return NULL;
        return ((__typeof__(&SSL_CTX_new))syms[TM_DL_SYM_SSL_CTX_new])(method);
}

#define FORWARD(ret, name, params, args) TM_DL_FORWARD(lib, ret, name, params, args)
#define FORWARD_VOID(ret, name, params, args) TM_DL_FORWARD_VOID(lib, ret, name, params, args)
SSL_FORWARDED(FORWARD, FORWARD_VOID)
