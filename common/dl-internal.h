/* Shared by the dl-*.c wrappers: one library opened by SONAME and the
 * addresses of the symbols its wrapper forwards to. */
#pragma once

#include <stddef.h>

#include "common/dl.h"

typedef struct tm_dl_lib {
        const char *soname;       /* exact SONAME, e.g. "libarchive.so.13" */
        const char *package;      /* Debian package that ships it */
        const char *const *names; /* the symbols the wrapper forwards to */
        size_t n_names;
        void **syms;            /* n_names entries, filled by tm_dl_open */
        void *handle;           /* NULL while closed */
        struct tm_dl_lib *next; /* list of opened libraries (tm_dl_is_open) */
} tm_dl_lib;

/* Opens lib and resolves every symbol (idempotent). On failure nothing
 * stays open and err says which library, why, and which package has it. */
int tm_dl_open(tm_dl_lib *lib, tm_error *err);
/* Address of symbol i, opening lib first if needed; prints the reason and
 * aborts when it cannot (see tm_dl_*_load in dl.h to report instead). */
void *tm_dl_sym(tm_dl_lib *lib, size_t i);
/* dlclose; the symbols must not be used afterwards. */
void tm_dl_close(tm_dl_lib *lib);

/* X-macro helpers: X(ret, name, (params), (args)) for functions that
 * return a value, XV(void, name, (params), (args)) for void ones. The
 * definition name##params must match the library header's declaration. */
#define TM_DL_ENUM(ret, name, params, args) TM_DL_SYM_##name,
#define TM_DL_NAME(ret, name, params, args) #name,
#define TM_DL_FORWARD(lib, ret, name, params, args)                                                \
        ret name params                                                                            \
        {                                                                                          \
                return ((__typeof__(&name))tm_dl_sym(&(lib), TM_DL_SYM_##name))args;               \
        }
#define TM_DL_FORWARD_VOID(lib, ret, name, params, args)                                           \
        void name params                                                                           \
        {                                                                                          \
                ((__typeof__(&name))tm_dl_sym(&(lib), TM_DL_SYM_##name)) args;                     \
        }
