/* Watching a source for changes: a blocking, debounced helper over
 * src_watch_fd()/src_watch_process(), and the inotify watches that the
 * directory and bundle sources use underneath. */
#pragma once

#include <limits.h>

#include "sources/source.h"

#define SRC_WATCH_FOREVER UINT_MAX

/* src_inotify_process() results, or-ed. */
#define SRC_WATCH_CHANGED 1
#define SRC_WATCH_UNSURE 2
#define SRC_WATCH_WRITING 4

/* Starts watching s if it is not watched yet, then blocks until its
 * content may have changed and no further change has been seen for
 * settle_ms (so a burst of writes, an editor's rename dance or a `cp`
 * yields one wake-up). Returns 1 then, 0 when nothing changed within
 * timeout_ms (SRC_WATCH_FOREVER: no limit), or a negative errno.
 * -EOPNOTSUPP when the source can only be polled (a remote git URL).
 * Pending events are drained: the caller takes a snapshot next. */
int src_watch_wait(src_source *s, unsigned settle_ms, unsigned timeout_ms, tm_error *err);

/* The inotify watches below are private to the sources layer. */
typedef struct src_inotify src_inotify;

/* Watches the directory root and every directory below it, except
 * dot-directories, including ones created later (up to lim->max_depth
 * and lim->max_entries directories). */
int src_inotify_tree(src_inotify **out, const char *root, const src_limits *lim, tm_error *err);
/* Watches one file by its name in its parent directory, so that a file
 * replaced by rename or rewritten in place is seen alike. */
int src_inotify_file(src_inotify **out, const char *path, tm_error *err);
int src_inotify_fd(const src_inotify *w);
/* Drains pending events without blocking: 0 when nothing relevant
 * changed, else SRC_WATCH_CHANGED with SRC_WATCH_UNSURE when something was
 * removed or moved away (or events were lost) in this batch, and
 * SRC_WATCH_WRITING when a file written to is still open for writing. */
int src_inotify_process(src_inotify *w, tm_error *err);
void src_inotify_free(src_inotify *w);
