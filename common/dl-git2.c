/* libgit2, opened on first use (see dl.h): only git sources need it, and
 * with it mbedTLS, libssh2, OpenSSL's libcrypto, Kerberos, PCRE2 and
 * http-parser. git_libgit2_opts() is variadic and cannot be forwarded:
 * tm_dl_git2_set_ssl_cert_locations() is its one use here. */
#include "common/dl-internal.h"

#include <git2.h>

#define GIT2_SYMS(X, XV, XN)                                                                       \
        X(int, git_credential_ssh_key_new,                                                         \
          (git_credential * *a0, const char *a1, const char *a2, const char *a3, const char *a4),  \
          (a0, a1, a2, a3, a4))                                                                    \
        X(int, git_credential_username_new, (git_credential * *a0, const char *a1), (a0, a1))      \
        X(int, git_credential_userpass_plaintext_new,                                              \
          (git_credential * *a0, const char *a1, const char *a2), (a0, a1, a2))                    \
        X(int, git_error_set_str, (int a0, const char *a1), (a0, a1))                              \
        X(int, git_remote_init_callbacks, (git_remote_callbacks * a0, unsigned int a1), (a0, a1))  \
        X(int, git_fetch_options_init, (git_fetch_options * a0, unsigned int a1), (a0, a1))        \
        X(int, git_odb_exists, (git_odb * a0, const git_oid *a1), (a0, a1))                        \
        XV(void, git_odb_free, (git_odb * a0), (a0))                                               \
        X(int, git_oid_cpy, (git_oid * a0, const git_oid *a1), (a0, a1))                           \
        X(int, git_oid_equal, (const git_oid *a0, const git_oid *a1), (a0, a1))                    \
        X(int, git_reference_create,                                                               \
          (git_reference * *a0, git_repository * a1, const char *a2, const git_oid *a3, int a4,    \
           const char *a5),                                                                        \
          (a0, a1, a2, a3, a4, a5))                                                                \
        XV(void, git_reference_free, (git_reference * a0), (a0))                                   \
        X(int, git_remote_connect,                                                                 \
          (git_remote * a0, git_direction a1, const git_remote_callbacks *a2,                      \
           const git_proxy_options *a3, const git_strarray *a4),                                   \
          (a0, a1, a2, a3, a4))                                                                    \
        X(int, git_remote_create_anonymous,                                                        \
          (git_remote * *a0, git_repository * a1, const char *a2), (a0, a1, a2))                   \
        X(int, git_remote_disconnect, (git_remote * a0), (a0))                                     \
        X(int, git_remote_download,                                                                \
          (git_remote * a0, const git_strarray *a1, const git_fetch_options *a2), (a0, a1, a2))    \
        XV(void, git_remote_free, (git_remote * a0), (a0))                                         \
        X(int, git_remote_ls, (const git_remote_head ***a0, size_t *a1, git_remote *a2),           \
          (a0, a1, a2))                                                                            \
        XV(void, git_repository_free, (git_repository * a0), (a0))                                 \
        X(int, git_repository_init, (git_repository * *a0, const char *a1, unsigned int a2),       \
          (a0, a1, a2))                                                                            \
        X(int, git_repository_odb, (git_odb * *a0, git_repository * a1), (a0, a1))                 \
        X(int, git_repository_open_bare, (git_repository * *a0, const char *a1), (a0, a1))         \
        X(int, git_repository_set_head, (git_repository * a0, const char *a1), (a0, a1))           \
        XV(void, git_buf_dispose, (git_buf * a0), (a0))                                            \
        X(int, git_commit_extract_signature,                                                       \
          (git_buf * a0, git_buf * a1, git_repository * a2, git_oid * a3, const char *a4),         \
          (a0, a1, a2, a3, a4))                                                                    \
        X(const char *, git_repository_commondir, (const git_repository *a0), (a0))                \
        X(const char *, git_repository_path, (const git_repository *a0), (a0))                     \
        XV(void, git_blob_free, (git_blob * a0), (a0))                                             \
        X(int, git_blob_lookup, (git_blob * *a0, git_repository * a1, const git_oid *a2),          \
          (a0, a1, a2))                                                                            \
        X(const void *, git_blob_rawcontent, (const git_blob *a0), (a0))                           \
        X(git_object_size_t, git_blob_rawsize, (const git_blob *a0), (a0))                         \
        X(const git_signature *, git_commit_author, (const git_commit *a0), (a0))                  \
        XV(void, git_commit_free, (git_commit * a0), (a0))                                         \
        X(int, git_commit_lookup, (git_commit * *a0, git_repository * a1, const git_oid *a2),      \
          (a0, a1, a2))                                                                            \
        X(const char *, git_commit_message, (const git_commit *a0), (a0))                          \
        X(git_time_t, git_commit_time, (const git_commit *a0), (a0))                               \
        X(int, git_commit_tree, (git_tree * *a0, const git_commit *a1), (a0, a1))                  \
        X(const git_error *, git_error_last, (void), ())                                           \
        X(int, git_graph_descendant_of,                                                            \
          (git_repository * a0, const git_oid *a1, const git_oid *a2), (a0, a1, a2))               \
        X(int, git_libgit2_init, (void), ())                                                       \
        X(int, git_libgit2_shutdown, (void), ())                                                   \
        XV(void, git_object_free, (git_object * a0), (a0))                                         \
        X(const git_oid *, git_object_id, (const git_object *a0), (a0))                            \
        X(int, git_object_lookup_prefix,                                                           \
          (git_object * *a0, git_repository * a1, const git_oid *a2, size_t a3, git_object_t a4),  \
          (a0, a1, a2, a3, a4))                                                                    \
        X(int, git_object_peel, (git_object * *a0, const git_object *a1, git_object_t a2),         \
          (a0, a1, a2))                                                                            \
        X(int, git_odb_read_header,                                                                \
          (size_t * a0, git_object_t * a1, git_odb * a2, const git_oid *a3), (a0, a1, a2, a3))     \
        X(int, git_oid_fromstr, (git_oid * a0, const char *a1), (a0, a1))                          \
        X(int, git_oid_fromstrn, (git_oid * a0, const char *a1, size_t a2), (a0, a1, a2))          \
        X(char *, git_oid_tostr, (char *a0, size_t a1, const git_oid *a2), (a0, a1, a2))           \
        X(int, git_reference_lookup, (git_reference * *a0, git_repository * a1, const char *a2),   \
          (a0, a1, a2))                                                                            \
        X(int, git_reference_peel, (git_object * *a0, const git_reference *a1, git_object_t a2),   \
          (a0, a1, a2))                                                                            \
        X(const char *, git_reference_symbolic_target, (const git_reference *a0), (a0))            \
        X(int, git_repository_head, (git_reference * *a0, git_repository * a1), (a0, a1))          \
        X(int, git_repository_open_ext,                                                            \
          (git_repository * *a0, const char *a1, unsigned int a2, const char *a3),                 \
          (a0, a1, a2, a3))                                                                        \
        X(int, git_revparse_single, (git_object * *a0, git_repository * a1, const char *a2),       \
          (a0, a1, a2))                                                                            \
        X(const git_tree_entry *, git_tree_entry_byindex, (const git_tree *a0, size_t a1),         \
          (a0, a1))                                                                                \
        X(const git_tree_entry *, git_tree_entry_byname, (const git_tree *a0, const char *a1),     \
          (a0, a1))                                                                                \
        X(int, git_tree_entry_bypath, (git_tree_entry * *a0, const git_tree *a1, const char *a2),  \
          (a0, a1, a2))                                                                            \
        X(int, git_tree_entry_dup, (git_tree_entry * *a0, const git_tree_entry *a1), (a0, a1))     \
        X(git_filemode_t, git_tree_entry_filemode, (const git_tree_entry *a0), (a0))               \
        XV(void, git_tree_entry_free, (git_tree_entry * a0), (a0))                                 \
        X(const git_oid *, git_tree_entry_id, (const git_tree_entry *a0), (a0))                    \
        X(const char *, git_tree_entry_name, (const git_tree_entry *a0), (a0))                     \
        X(size_t, git_tree_entrycount, (const git_tree *a0), (a0))                                 \
        XV(void, git_tree_free, (git_tree * a0), (a0))                                             \
        X(int, git_tree_lookup, (git_tree * *a0, git_repository * a1, const git_oid *a2),          \
          (a0, a1, a2))                                                                            \
        XN(git_libgit2_opts)

#define ENUM_N(name) TM_DL_SYM_##name,
#define NAME_N(name) #name,
enum { GIT2_SYMS(TM_DL_ENUM, TM_DL_ENUM, ENUM_N) TM_DL_N_GIT2 };
static const char *const names[] = {GIT2_SYMS(TM_DL_NAME, TM_DL_NAME, NAME_N)};
static void *syms[TM_DL_N_GIT2];
static tm_dl_lib lib = {
    .soname = "libgit2.so.1.5",
    .package = "libgit2-1.5",
    .names = names,
    .n_names = TM_DL_N_GIT2,
    .syms = syms,
};

int
tm_dl_git2_load(tm_error *err)
{
        return tm_dl_open(&lib, err);
}

int
tm_dl_git2_set_ssl_cert_locations(const char *file, const char *path)
{
        int (*opts)(int, ...) = tm_dl_sym(&lib, TM_DL_SYM_git_libgit2_opts);
        return opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, path);
}

#define FORWARD(ret, name, params, args) TM_DL_FORWARD(lib, ret, name, params, args)
#define FORWARD_VOID(ret, name, params, args) TM_DL_FORWARD_VOID(lib, ret, name, params, args)
#define SKIP_N(name)
GIT2_SYMS(FORWARD, FORWARD_VOID, SKIP_N)
