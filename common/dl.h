/* Libraries that timone needs for some of its work only, opened with
 * dlopen(3) by their exact SONAME when first needed, so that a process
 * that never uses them (`timone serve` on a directory source, most CLI
 * verbs) does not map them and the dozen libraries they pull in.
 *
 * Each wrapper (dl-archive.c, dl-git2.c, dl-nft.c, dl-ssl.c) defines the library
 * functions that timone calls, under their own names and with the
 * prototypes of the library's header (the compiler checks each one), and
 * forwards to the loaded library: callers include <archive.h>, <git2.h>
 * or <nftables/libnftables.h> and call the library as usual. Where an
 * error can be reported, call the matching tm_dl_*_load() first: a
 * forwarded call made while the library cannot be loaded prints the same
 * message and aborts. A library function that timone starts to call must
 * be added to its wrapper's list (the link fails until it is). */
#pragma once

#include <stdbool.h>

#include "common/error.h"

/* libarchive.so.13 (Debian: libarchive13): bundles, image import. */
int tm_dl_archive_load(tm_error *err);
/* libgit2.so.1.5 (Debian: libgit2-1.5): git sources. */
int tm_dl_git2_load(tm_error *err);
/* git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, path), which
 * cannot be forwarded (variadic). */
int tm_dl_git2_set_ssl_cert_locations(const char *file, const char *path);
/* libnftables.so.1 (Debian: libnftables1): pod network rules. It stays
 * mapped only while an nft_ctx exists: nft_ctx_new() opens it (NULL and
 * errno set when it cannot, with the reason kept for tm_dl_nft_error())
 * and freeing the last context closes it again. tm_dl_nft_load() opens it
 * to report why it cannot; it then closes with the next last context. */
int tm_dl_nft_load(tm_error *err);
/* Why the last nft_ctx_new() returned NULL ("" if it did not). */
const char *tm_dl_nft_error(void);
/* Between hold and its release, libnftables stays open once opened even
 * with no context alive: a burst of pods opens it once, not once each
 * (~2-4 ms a time). Holds nest. */
void tm_dl_nft_hold(void);
void tm_dl_nft_release(void);

/* libssl.so.3 (Debian: libssl3): HTTPS probes. libcrypto stays linked. */
int tm_dl_ssl_load(tm_error *err);
/* Why the last TLS_client_method() or SSL_CTX_new() returned NULL because
 * libssl could not be loaded ("" if it could). */
const char *tm_dl_ssl_error(void);

/* Whether the library with this SONAME is open through this module
 * (tests, diagnostics). */
bool tm_dl_is_open(const char *soname);
