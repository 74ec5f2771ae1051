/* Sources: a SOURCE string (directory, bundle archive, git repository)
 * yields snapshots {revision, files}. sources/ knows files, not objects. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Hard limits on what a source may hand upwards. Defaults in
 * src_limits_default(); every one is enforced with a clear error. */
typedef struct src_limits {
        size_t max_file_bytes;  /* one manifest file */
        size_t max_total_bytes; /* all manifest files of a snapshot */
        size_t max_files;       /* manifest files in a snapshot */
        size_t max_depth;       /* directory nesting below the root */
        size_t max_entries; /* entries of any kind walked (dirs, other files, archive members) */
} src_limits;

void src_limits_default(src_limits *out);

typedef struct src_file {
        char *path;          /* relative to the source root, '/'-separated, no "./" */
        unsigned char *data; /* owned; NUL-terminated for convenience (len excludes it) */
        size_t len;
} src_file;

typedef struct src_snapshot {
        char *source;   /* the SOURCE as given, credentials stripped (safe to print) */
        char *revision; /* "sha256:<hex>" of the content for dir/bundle; commit id for git */
        /* git only (NULL otherwise): */
        char *ref;     /* branch or tag followed, e.g. "main" */
        char *subject; /* first line of the commit message */
        char *author;  /* "Name <email>" */
        int64_t commit_time;
        src_file *files; /* sorted by path (byte order) */
        size_t n_files;
        size_t total_bytes;
} src_snapshot;

typedef enum src_kind {
        SRC_DIR,
        SRC_BUNDLE,
        SRC_GIT,
} src_kind;

typedef struct src_options {
        src_limits limits;
        const char *state_dir; /* where a git source keeps its cache; may be NULL for dir/bundle */
        /* git (see sources/git.h); NULL when unused */
        const char *credentials_file; /* HTTPS token or user:password, read at fetch time */
        const char *ssh_key;          /* private key file */
        const char *known_hosts;      /* known_hosts file */
        bool insecure_ignore_host_key;
        const char *verify_commits_keys; /* allowed-signers style file of SSH public keys */
} src_options;

void src_options_default(src_options *out);

typedef struct src_source src_source;

/* Parses spec (a directory, a bundle path ending .tar.gz/.tgz/.tar.zst/.zip,
 * or a git URL/repository) and opens it. Nothing is read yet. */
int src_open(src_source **out, const char *spec, const src_options *opts, tm_error *err);
src_kind src_source_kind(const src_source *s);
/* The spec with credentials stripped, safe to print. Owned by s. */
const char *src_source_display(const src_source *s);

/* Reads the source as it is now. On any error nothing is returned. */
int src_snapshot_take(src_source *s, src_snapshot **out, tm_error *err);
void src_snapshot_free(src_snapshot *snap);

/* Watching. src_watch_start() begins watching (inotify for a directory
 * or a local repository's refs); src_watch_fd() is then readable when
 * something may have changed, or -1 when the source can only be polled.
 * src_watch_process() drains pending events; it returns 0 when nothing
 * changed, SRC_CHANGED when the content may have changed, and
 * SRC_CHANGED_WHOLE when, besides, the source looks whole: since the last
 * snapshot was taken, files were only added or rewritten, every file
 * written has been closed, and nothing was removed, renamed away or lost
 * (a git ref moves atomically, so a git source is always whole). The
 * caller debounces: it takes a new snapshot once src_watch_process() has
 * reported no change for a settle period, and may use a short one when
 * the source looks whole (sources/watch.h has a blocking helper). */
#define SRC_CHANGED 1
#define SRC_CHANGED_WHOLE 2
int src_watch_start(src_source *s, tm_error *err);
int src_watch_fd(const src_source *s);
int src_watch_process(src_source *s, tm_error *err);

void src_close(src_source *s);
