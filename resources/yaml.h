/* YAML/JSON stream decoding (libyaml) into res_value trees, read the way
 * kubectl reads them: YAML 1.1 scalars (0644 is 420, on/yes/off/no are
 * booleans, ~ and null are null, quoted scalars are strings), merge keys,
 * anchors and aliases within bounds, duplicate keys rejected. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "resources/diag.h"
#include "resources/value.h"

typedef struct res_limits {
        size_t max_doc_bytes;   /* one file's bytes handed to the decoder */
        size_t max_depth;       /* nesting of maps and sequences */
        size_t max_nodes;       /* nodes per file, aliases expanded */
        size_t max_alias_nodes; /* nodes created by alias expansion per file */
        size_t max_docs;        /* documents per file */
        size_t max_objects;     /* objects in a whole set */
        size_t max_scalar_bytes;
} res_limits;

void res_limits_default(res_limits *out);

typedef struct res_doc {
        res_value *root; /* NULL for an empty document */
        uint32_t line;   /* where the document starts */
        uint32_t col;
} res_doc;

/* Decodes every document of data (a YAML or JSON stream; a UTF-8 BOM and
 * CRLF line ends are fine). file names the source in diagnostics. On
 * success *docs holds *n_docs documents (empty ones included, root NULL).
 * Any syntax error, limit or duplicate key goes to diags with its line
 * and column and the function returns -EINVAL with nothing in *docs. */
int res_yaml_decode(const char *file, const void *data, size_t len, const res_limits *lim,
                    res_doc **docs, size_t *n_docs, res_diags *diags);
void res_docs_free(res_doc *docs, size_t n);

/* How a plain (unquoted) YAML 1.1 scalar resolves; used by the decoder
 * and by the YAML emitter to decide when a string needs quotes. */
res_value *res_yaml_resolve_plain(const char *s, size_t n);
