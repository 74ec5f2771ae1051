/* The git source: a repository (local, or remote and cached) read straight
 * from its object database; no work tree is ever checked out.
 *
 * Which SOURCE strings are git (src_git_spec_matches):
 *   - a URL: file://, http://, https://, ssh://, git://
 *   - scp-like "user@host:path" (no '/' before the ':')
 *   - a local path that says so: it ends in ".git" (a bare repository or a
 *     directory named so), or carries a "#ref", "@commit" or "//subdir"
 *     part; a plain directory is a directory source (its files as they are
 *     on disk, uncommitted edits included).
 * To read a plain directory as a repository anyway (timone diff ./repo
 * --from HEAD~1 --to HEAD), open it with src_git_open_repo().
 *
 * Spec grammar: BASE [#REF] [@COMMIT] [//SUBDIR]
 *   REF     branch or tag name (branches first), or a full "refs/..." name;
 *           default: the repository's HEAD (a remote's default branch)
 *   COMMIT  4 to 40 hex digits; pins the source to that commit
 *   SUBDIR  the folder of the tree that is the source root
 * e.g. https://git.example/fleet.git#main//clusters/home
 *      ./fleet.git@4f2a9c1e//apps        git@host:fleet.git#v1.2
 *
 * Local repositories (a path, bare or not) are read in place and never
 * written. Remote ones (every URL, file:// included) are fetched into a
 * bare cache <state_dir>/git/<sha256 of the display URL>; libgit2 1.5 has
 * no shallow fetch, so the fetch is complete (history is kept, nothing is
 * ever pruned). A fetch downloads into the object database without moving
 * any ref and moves the cache's refs only once the pack is complete and
 * the new tip is present, so a failed fetch leaves the cache's refs as
 * they were and the previous revision readable.
 *
 * Credentials (never printed, logged or stored in a snapshot): the URL's
 * user:password (stripped from every display), src_options.credentials_file
 * (one line: "TOKEN" or "USER:PASSWORD"), or the environment
 * (TIMONE_GIT_TOKEN, or TIMONE_GIT_USERNAME + TIMONE_GIT_PASSWORD). SSH
 * uses src_options.ssh_key and checks the host key against
 * src_options.known_hosts (plain, [host]:port and hashed entries); an
 * unknown host is refused unless insecure_ignore_host_key.
 *
 * Trust: with src_options.verify_commits_keys (allowed_signers lines
 * "PRINCIPALS [OPTIONS] KEYTYPE BASE64" or plain "KEYTYPE BASE64 [COMMENT]"
 * lines), every snapshot's commit must carry an SSH signature (gpg.format
 * ssh, namespace "git") made by one of those keys: ssh-ed25519,
 * rsa-sha2-256/512 over ssh-rsa keys, ecdsa-sha2-nistp256/384/521. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "sources/source.h"

/* A parsed spec. Every string owned; url and spec may hold credentials
 * (never print them), display never does. */
typedef struct src_git_spec {
        char *url;      /* what libgit2 opens: a URL, scp-like address or local path */
        char *display;  /* the whole spec without credentials, safe to print */
        char *ref;      /* NULL: the default branch */
        char *commit;   /* NULL or 4..40 lowercase hex */
        char *subdir;   /* NULL or a clean relative path ("a/b") */
        char *user;     /* user from the URL, or NULL */
        char *password; /* password from the URL (secret), or NULL */
        char *host;     /* NULL for local */
        int port;       /* 0: the scheme's default */
        bool local;     /* a path read in place (no fetch) */
} src_git_spec;

bool src_git_spec_matches(const char *spec);
/* Parses spec. force_local: treat a plain path as a repository (the
 * src_git_open_repo case). Never fails for a URL with credentials without
 * stripping them from the error message. */
int src_git_spec_parse(const char *spec, bool force_local, src_git_spec **out, tm_error *err);
void src_git_spec_free(src_git_spec *spec);

/* Opens spec as a git source even when it is a plain directory (a work
 * tree with .git or a bare repository). Free with src_close(). */
int src_git_open_repo(src_source **out, const char *spec, const src_options *opts, tm_error *err);

/* The snapshot at any revspec (HEAD~1, a tag, a branch, a commit id),
 * with the same file rules, subdir and commit verification as
 * src_snapshot_take(). A remote source is fetched first if it has not
 * been yet. ref of the snapshot is rev as given. */
int src_git_snapshot_at(src_source *s, const char *rev, src_snapshot **out, tm_error *err);

/* Fetches (remote) or re-reads the refs (local) and sets *changed when the
 * followed tip moved. On failure the previous tip stays in force and the
 * failure counts for src_git_next_fetch_ms()'s back-off. */
int src_git_fetch(src_source *s, bool *changed, tm_error *err);

/* Longest a fetch may take before it is abandoned (default 5 min). The
 * fetch runs in a child process, killed at the deadline; the cache keeps
 * its refs. */
void src_git_set_fetch_timeout(src_source *s, uint64_t timeout_ms);

/* The serve loop's polling interval (default 60 s). */
void src_git_set_interval(src_source *s, uint64_t interval_ms);
/* Milliseconds until the next fetch should run: the interval with +-10%
 * jitter; after n consecutive failures 5 s * 2^(n-1), jittered, capped at
 * max(interval, 5 min). */
uint64_t src_git_next_fetch_ms(src_source *s);

/* True when the last src_git_fetch() (or first read) that moved the tip
 * moved it to a commit that does not descend from the previous tip
 * (history rewritten). Cleared by the next move. */
bool src_git_last_was_force_push(const src_source *s);

/* Tells the source which commit was in force before this process (the
 * engine's last applied revision), so that a history rewrite that
 * happened while it was down is reported by the first read too. -ENOENT
 * when that commit is not in the repository or cache (then nothing is
 * compared). */
int src_git_set_last_seen(src_source *s, const char *commit_hex, tm_error *err);

/* The commit id (40 hex) the source follows now, or NULL before the first
 * read. Owned by s. */
const char *src_git_tip(const src_source *s);
