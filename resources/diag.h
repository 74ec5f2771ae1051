/* Diagnostics about manifests: every problem in every file, at once.
 * Printed as FILE:LINE:COL: KIND NS/NAME: field.path: message. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

typedef struct res_diag {
        char *file;         /* may be NULL */
        uint32_t line, col; /* 0 when unknown */
        char *kind;         /* NULL before the kind is known */
        char *ns;           /* NULL or "" for cluster-scoped or unknown */
        char *name;         /* NULL when unknown */
        char *path; /* field path like spec.template.spec.containers[0].image; NULL if none */
        char *msg;  /* never contains a secret value */
} res_diag;

typedef struct res_diags {
        res_diag *items;
        size_t n, cap;
        size_t max;     /* keep at most this many (0: default 1000); more are counted */
        size_t dropped; /* diagnostics past max */
} res_diags;

#define RES_DIAGS_INIT                                                                             \
        {                                                                                          \
                NULL, 0, 0, 0, 0                                                                   \
        }

void res_diags_add(res_diags *d, const char *file, uint32_t line, uint32_t col, const char *kind,
                   const char *ns, const char *name, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 9, 10)));
size_t res_diags_count(const res_diags *d); /* n + dropped */
/* Sorts by file, line, column (stable). */
void res_diags_sort(res_diags *d);
/* One line per diagnostic, in the documented format, plus a last line
 * "N more errors not shown" if any were dropped. */
void res_diags_format(const res_diags *d, tm_buf *out);
void res_diag_format(const res_diag *d, tm_buf *out); /* one line, no newline */
void res_diags_free(res_diags *d);
