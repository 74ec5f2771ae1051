/* Shared between the source kinds: the dispatch table and the snapshot
 * builder that enforces the common rules (which files count, limits,
 * ordering, content revision). */
#pragma once

#include "sources/source.h"

struct src_ops {
        int (*take)(src_source *s, src_snapshot **out, tm_error *err);
        int (*watch_start)(src_source *s, tm_error *err);
        int (*watch_fd)(const src_source *s);
        /* 0, or SRC_WATCH_* flags (sources/watch.h); 1 alone means changed
         * and whole. */
        int (*watch_process)(src_source *s, tm_error *err);
        void (*close)(src_source *s); /* frees impl only */
};

struct src_source {
        src_kind kind;
        char *spec;    /* as given (may hold credentials: never print) */
        char *display; /* credentials stripped */
        src_options opts;
        const struct src_ops *ops;
        void *impl;
        bool unsure; /* since the last snapshot: a removal, rename away or lost event */
};

/* True when a relative path names a manifest: ends in .yaml, .yml or
 * .json, and no component starts with '.'. */
bool src_path_is_manifest(const char *relpath);

typedef struct src_builder src_builder;

src_builder *src_builder_new(const src_limits *lim);
/* Copies data; enforces max_file_bytes, max_total_bytes and max_files with
 * errors that name the path and the limit. */
int src_builder_add(src_builder *b, const char *relpath, const void *data, size_t len,
                    tm_error *err);
/* Sorts the files, sets revision to "sha256:<hex>" over (path, length,
 * bytes) of every file, and hands the snapshot over. */
int src_builder_finish(src_builder *b, const char *display, src_snapshot **out, tm_error *err);
void src_builder_free(src_builder *b);

/* git.c: true when spec names a git repository (URL forms, scp-like,
 * or a local directory that is a repository). */
bool src_git_spec_matches(const char *spec);
/* git.c: fills s->ops and s->impl for a git spec. */
int src_git_open(src_source *s, tm_error *err);

/* dir.c / bundle.c: fill s->ops and s->impl for a directory or a bundle. */
int src_dir_open(src_source *s, tm_error *err);
int src_bundle_open(src_source *s, tm_error *err);
/* bundle.c: true when path is a file libarchive reads as tar or zip. */
bool src_bundle_recognise(const char *path);
/* bundle.c: reads an archive held in memory with the bundle rules (the
 * fuzz target's entry point). display names it in errors. */
int src_bundle_read_memory(const void *data, size_t len, const src_limits *lim, const char *display,
                           src_snapshot **out, tm_error *err);

/* builder.c: the manifest file already added under path, or NULL. The
 * pointer stays valid until the next add, finish or free. */
const src_file *src_builder_find(src_builder *b, const char *relpath);
