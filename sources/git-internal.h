/* Private parts of the git source, shared by sources/git*.c. */
#pragma once

#include <git2.h>

#include "common/mem.h"
#include "sources/git.h"
#include "sources/source-internal.h"

TM_DEFINE_CLEANUP(src_git_spec, src_git_spec_free)

/* Longest a fetch may take (see src_git_set_fetch_timeout()). */
#define SRC_GIT_FETCH_TIMEOUT_MS ((uint64_t)300000)

/* Biggest pack a fetch may receive. */
#define SRC_GIT_MAX_FETCH_BYTES ((size_t)2 << 30)

typedef struct src_git_keys src_git_keys;

/* Credential state for libgit2's callbacks (payload). */
typedef struct src_git_creds {
        const src_git_spec *spec;
        const src_options *opts;
        int attempts_userpass;
        int attempts_ssh;
        int attempts_user;
        int port;      /* for known_hosts "[host]:port" */
        char why[512]; /* our own reason for failing a callback, if any */
        size_t received_bytes;
} src_git_creds;

typedef struct src_git {
        src_git_spec *spec;
        const src_options *opts; /* the source's, lives as long */
        git_repository *repo;    /* local: in place; remote: the cache */
        char *cache_dir;         /* remote only */
        char *cache_tmp;         /* a throwaway cache (no state directory yet), removed on close */
        bool fetched;            /* remote: fetched once by this process */
        bool fetched_all;        /* remote: all branches and tags fetched */
        git_oid tip;
        bool have_tip;
        char tip_hex[GIT_OID_HEXSZ + 1];
        bool force_push;
        unsigned failures;
        uint64_t interval_ms;
        uint64_t fetch_timeout_ms;
        int inotify_fd;
        int *wds; /* inotify watch descriptors */
        char **wd_paths;
        size_t n_wds, cap_wds;
        src_git_keys *keys; /* NULL unless verify_commits_keys */
} src_git;

/* Maps a libgit2 failure to an error with libgit2's message, secrets of
 * spec masked. */
int src_git_error(tm_error *err, const src_git_spec *spec, int gitrc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Masks each secret (at least 3 bytes long) in err's message. */
void src_git_scrub(tm_error *err, const char *const *secrets, size_t n);

/* git.c */
int src_git_resolve(src_git *g, git_oid *out, tm_error *err);
void src_git_note_tip(src_git *g, const git_oid *oid);

/* git-watch.c */
int src_git_watch_start(src_source *s, tm_error *err);
int src_git_watch_fd(const src_source *s);
int src_git_watch_process(src_source *s, tm_error *err);
void src_git_watch_stop(src_git *g);

/* git-fetch.c */
int src_git_cache_open(src_git *g, const src_options *opts, tm_error *err);
/* Fetches the followed ref (all branches and tags when all). */
int src_git_fetch_remote(src_git *g, const src_options *opts, bool all, tm_error *err);

/* git-creds.c */
void src_git_callbacks_init(git_remote_callbacks *cbs, src_git_creds *c);
/* Reads the credentials file or the environment. *user and *pass are
 * owned by the caller (wipe *pass). -ENOENT when there are none. */
int src_git_creds_userpass(const src_git_spec *spec, const src_options *opts, char **user,
                           char **pass, tm_error *err);
/* 0 when (host, port) has key (raw SSH key blob) in known_hosts_path,
 * -EPERM when the host is unknown or its key differs. */
int src_git_known_hosts_check(const char *known_hosts_path, const char *host, int port,
                              const unsigned char *key, size_t key_len, tm_error *err);

/* git-verify.c */
int src_git_keys_load(const char *path, src_git_keys **out, tm_error *err);
void src_git_keys_free(src_git_keys *k);
/* 0 when commit oid carries an SSH signature (namespace "git") by one of
 * keys, else an error saying why. */
int src_git_verify_commit(git_repository *repo, const git_oid *oid, const src_git_keys *keys,
                          tm_error *err);
/* Lower level, for tests: verifies armored SSHSIG sig over data. */
int src_git_sshsig_verify(const char *armored, size_t armored_len, const void *data, size_t len,
                          const src_git_keys *keys, tm_error *err);
