/* Line diffs: a unified diff (diff -u) of two texts, Myers' algorithm
 * with a bounded cost (past the bound the changed middle is shown as
 * removed and added whole, still a correct diff). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

typedef struct eng_textdiff_opts {
        int context;      /* lines of context around changes (3 like diff -u) */
        bool color;       /* ANSI colours: red -, green +, cyan @@ */
        size_t max_edits; /* Myers' D bound; 0: default */
} eng_textdiff_opts;

#define ENG_TEXTDIFF_OPTS_INIT                                                                     \
        {                                                                                          \
                3, false, 0                                                                        \
        }

/* Appends "--- a_name", "+++ b_name" and the hunks turning a into b to
 * out. Texts are split at '\n'; a last line without one counts as a line.
 * Returns the number of hunks; 0 when the texts are equal (nothing is
 * appended then). */
size_t eng_textdiff(const char *a, size_t alen, const char *b, size_t blen, const char *a_name,
                    const char *b_name, const eng_textdiff_opts *opts, tm_buf *out);
