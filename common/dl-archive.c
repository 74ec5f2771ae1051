/* libarchive, opened on first use (see dl.h): bundle sources and image
 * import read archives; `timone serve` on a directory never does. */
#include "common/dl-internal.h"

#include <archive.h>
#include <archive_entry.h>

#define ARCHIVE_SYMS(X, XV)                                                                        \
        X(mode_t, archive_entry_filetype, (struct archive_entry * a0), (a0))                       \
        X(const char *, archive_entry_hardlink, (struct archive_entry * a0), (a0))                 \
        X(const char *, archive_entry_pathname, (struct archive_entry * a0), (a0))                 \
        X(const char *, archive_entry_pathname_utf8, (struct archive_entry * a0), (a0))            \
        X(const char *, archive_entry_symlink, (struct archive_entry * a0), (a0))                  \
        X(la_int64_t, archive_entry_gid, (struct archive_entry * a0), (a0))                        \
        X(la_int64_t, archive_entry_uid, (struct archive_entry * a0), (a0))                        \
        X(time_t, archive_entry_mtime, (struct archive_entry * a0), (a0))                          \
        X(long, archive_entry_mtime_nsec, (struct archive_entry * a0), (a0))                       \
        X(mode_t, archive_entry_perm, (struct archive_entry * a0), (a0))                           \
        X(la_int64_t, archive_entry_size, (struct archive_entry * a0), (a0))                       \
        X(int, archive_entry_size_is_set, (struct archive_entry * a0), (a0))                       \
        X(int, archive_entry_xattr_next,                                                           \
          (struct archive_entry * a0, const char **a1, const void **a2, size_t *a3),               \
          (a0, a1, a2, a3))                                                                        \
        X(int, archive_entry_xattr_reset, (struct archive_entry * a0), (a0))                       \
        X(const char *, archive_error_string, (struct archive * a0), (a0))                         \
        X(la_ssize_t, archive_read_data, (struct archive * a0, void *a1, size_t a2), (a0, a1, a2)) \
        X(int, archive_read_data_block,                                                            \
          (struct archive * a0, const void **a1, size_t *a2, la_int64_t *a3), (a0, a1, a2, a3))    \
        X(int, archive_read_data_skip, (struct archive * a0), (a0))                                \
        X(int, archive_read_free, (struct archive * a0), (a0))                                     \
        X(struct archive *, archive_read_new, (void), ())                                          \
        X(int, archive_read_next_header, (struct archive * a0, struct archive_entry * *a1),        \
          (a0, a1))                                                                                \
        X(int, archive_read_open_filename, (struct archive * a0, const char *a1, size_t a2),       \
          (a0, a1, a2))                                                                            \
        X(int, archive_read_open_memory, (struct archive * a0, const void *a1, size_t a2),         \
          (a0, a1, a2))                                                                            \
        X(int, archive_read_support_filter_bzip2, (struct archive * a0), (a0))                     \
        X(int, archive_read_support_filter_gzip, (struct archive * a0), (a0))                      \
        X(int, archive_read_support_filter_xz, (struct archive * a0), (a0))                        \
        X(int, archive_read_support_filter_zstd, (struct archive * a0), (a0))                      \
        X(int, archive_read_support_format_empty, (struct archive * a0), (a0))                     \
        X(int, archive_read_support_format_raw, (struct archive * a0), (a0))                       \
        X(int, archive_read_support_format_tar, (struct archive * a0), (a0))                       \
        X(int, archive_read_support_format_gnutar, (struct archive * a0), (a0))                    \
        X(int, archive_read_support_format_zip, (struct archive * a0), (a0))

enum { ARCHIVE_SYMS(TM_DL_ENUM, TM_DL_ENUM) TM_DL_N_ARCHIVE };
static const char *const names[] = {ARCHIVE_SYMS(TM_DL_NAME, TM_DL_NAME)};
static void *syms[TM_DL_N_ARCHIVE];
static tm_dl_lib lib = {
    .soname = "libarchive.so.13",
    .package = "libarchive13",
    .names = names,
    .n_names = TM_DL_N_ARCHIVE,
    .syms = syms,
};

int
tm_dl_archive_load(tm_error *err)
{
        return tm_dl_open(&lib, err);
}

#define FORWARD(ret, name, params, args) TM_DL_FORWARD(lib, ret, name, params, args)
#define FORWARD_VOID(ret, name, params, args) TM_DL_FORWARD_VOID(lib, ret, name, params, args)
ARCHIVE_SYMS(FORWARD, FORWARD_VOID)
