/* Helpers shared by the object, validate and set tests. */
#pragma once

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "resources/object.h"

/* Decodes yaml as file "m.yaml" into a finished set; diags filled. */
static inline res_set *
load(const char *yaml, res_diags *d)
{
        res_set *s = res_set_new(NULL);
        res_set_add_file(s, "m.yaml", yaml, strlen(yaml), d);
        res_set_finish(s, d);
        return s;
}

static inline void
dump_diags(const res_diags *d)
{
        tm_buf b = TM_BUF_INIT;
        res_diags_format(d, &b);
        if (b.data)
                fprintf(stderr, "%s", b.data);
        tm_buf_free(&b);
}

/* Exactly one diagnostic in yaml, at line:col, with path and a message
 * containing msg. */
static inline void
expect_one_error(const char *yaml, uint32_t line, uint32_t col, const char *path, const char *msg)
{
        res_diags d = RES_DIAGS_INIT;
        res_set *s = load(yaml, &d);
        if (d.n != 1 || d.items[0].line != line || d.items[0].col != col ||
            !d.items[0].path != !path || (path && strcmp(d.items[0].path, path) != 0) ||
            !strstr(d.items[0].msg, msg)) {
                fprintf(stderr, "want %u:%u %s: %s, got:\n", line, col, path ? path : "-", msg);
                dump_diags(&d);
                fail();
        }
        res_set_free(s);
        res_diags_free(&d);
}

/* The one object of a valid manifest (the set owns it; freed with it). */
static inline const res_object *
load_one(const char *yaml, res_set **set)
{
        res_diags d = RES_DIAGS_INIT;
        *set = load(yaml, &d);
        if (d.n) {
                dump_diags(&d);
                fail();
        }
        assert_int_equal(res_set_count(*set), 1);
        res_diags_free(&d);
        return res_set_at(*set, 0);
}
