/* libnftables, opened while a context exists (see dl.h): the pod network
 * sets up its rules once and adds host ports per pod; the rest of the
 * time `timone serve` does not map libnftables, libnftnl, libxtables and
 * libgmp. */
#include "common/dl-internal.h"

#include <errno.h>
#include <nftables/libnftables.h>
#include <stdio.h>

/* nft_ctx_new and nft_ctx_free open and close the library; the others
 * are forwarded. */
#define NFT_SYMS(X, XV)                                                                            \
        X(struct nft_ctx *, nft_ctx_new, (uint32_t a0), (a0))                                      \
        XV(void, nft_ctx_free, (struct nft_ctx * a0), (a0))                                        \
        NFT_FORWARDED(X, XV)
#define NFT_FORWARDED(X, XV)                                                                       \
        X(int, nft_ctx_buffer_output, (struct nft_ctx * a0), (a0))                                 \
        X(int, nft_ctx_buffer_error, (struct nft_ctx * a0), (a0))                                  \
        XV(void, nft_ctx_output_set_flags, (struct nft_ctx * a0, unsigned int a1), (a0, a1))       \
        X(int, nft_run_cmd_from_buffer, (struct nft_ctx * a0, const char *a1), (a0, a1))           \
        X(const char *, nft_ctx_get_output_buffer, (struct nft_ctx * a0), (a0))                    \
        X(const char *, nft_ctx_get_error_buffer, (struct nft_ctx * a0), (a0))

enum { NFT_SYMS(TM_DL_ENUM, TM_DL_ENUM) TM_DL_N_NFT };
static const char *const names[] = {NFT_SYMS(TM_DL_NAME, TM_DL_NAME)};
static void *syms[TM_DL_N_NFT];
static tm_dl_lib lib = {
    .soname = "libnftables.so.1",
    .package = "libnftables1",
    .names = names,
    .n_names = TM_DL_N_NFT,
    .syms = syms,
};
/* Contexts made and not yet freed, and holds: the library closes when
 * neither is left. */
static size_t live, holds;
static char load_error[TM_ERROR_MSG_MAX];

int
tm_dl_nft_load(tm_error *err)
{
        return tm_dl_open(&lib, err);
}

const char *
tm_dl_nft_error(void)
{
        return load_error;
}

struct nft_ctx *
nft_ctx_new(uint32_t flags)
{
        tm_error err = {0};
        if (tm_dl_open(&lib, &err) < 0) {
                snprintf(load_error, sizeof(load_error), "%s", err.msg);
                errno = -err.code;
                return NULL;
        }
        load_error[0] = '\0';
        struct nft_ctx *ctx = ((__typeof__(&nft_ctx_new))syms[TM_DL_SYM_nft_ctx_new])(flags);
        if (ctx)
                live++;
        else if (live == 0 && holds == 0)
                tm_dl_close(&lib);
        return ctx;
}

void
nft_ctx_free(struct nft_ctx *ctx)
{
        if (!ctx)
                return;
        ((__typeof__(&nft_ctx_free))tm_dl_sym(&lib, TM_DL_SYM_nft_ctx_free))(ctx);
        if (live > 0 && --live == 0 && holds == 0)
                tm_dl_close(&lib);
}

void
tm_dl_nft_hold(void)
{
        holds++;
}

void
tm_dl_nft_release(void)
{
        if (holds > 0 && --holds == 0 && live == 0)
                tm_dl_close(&lib);
}

#define FORWARD(ret, name, params, args) TM_DL_FORWARD(lib, ret, name, params, args)
#define FORWARD_VOID(ret, name, params, args) TM_DL_FORWARD_VOID(lib, ret, name, params, args)
NFT_FORWARDED(FORWARD, FORWARD_VOID)
