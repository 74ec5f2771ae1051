/* YAML/JSON decoding, checked against what kubectl (sigs.k8s.io/yaml over
 * go-yaml v2) makes of the same input. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <dirent.h>
#include <stdlib.h>
#include <time.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/util.h"
#include "resources/yaml.h"

static res_value *
decode_one(const char *y)
{
        res_doc *docs = NULL;
        size_t n = 0;
        res_diags dg = RES_DIAGS_INIT;
        int r = res_yaml_decode("t.yaml", y, strlen(y), NULL, &docs, &n, &dg);
        if (r != 0) {
                tm_buf b = TM_BUF_INIT;
                res_diags_format(&dg, &b);
                print_error("decode failed for %s: %s", y, b.data);
                tm_buf_free(&b);
        }
        assert_int_equal(r, 0);
        assert_int_equal(n, 1);
        res_value *root = docs[0].root;
        docs[0].root = NULL;
        res_docs_free(docs, n);
        res_diags_free(&dg);
        return root;
}

/* Decodes y, expects failure with a diagnostic at line:col containing msg. */
static void
expect_error_lim(const char *y, size_t len, const res_limits *lim, uint32_t line, uint32_t col,
                 const char *msg)
{
        res_doc *docs = (res_doc *)0x1;
        size_t n = 777;
        res_diags dg = RES_DIAGS_INIT;
        int r = res_yaml_decode("t.yaml", y, len, lim, &docs, &n, &dg);
        assert_int_equal(r, -EINVAL);
        assert_ptr_equal(docs, (res_doc *)0x1);
        assert_int_equal(n, 777);
        bool found = false;
        for (size_t i = 0; i < dg.n; i++)
                if (dg.items[i].line == line && dg.items[i].col == col &&
                    strstr(dg.items[i].msg, msg))
                        found = true;
        if (!found) {
                tm_buf b = TM_BUF_INIT;
                res_diags_format(&dg, &b);
                print_error("wanted %u:%u %s, got:\n%s", line, col, msg, b.data ? b.data : "");
                tm_buf_free(&b);
        }
        assert_true(found);
        res_diags_free(&dg);
}

static void
expect_error(const char *y, uint32_t line, uint32_t col, const char *msg)
{
        expect_error_lim(y, strlen(y), NULL, line, col, msg);
}

static res_value *
scalar_of(const char *text)
{
        char buf[256];
        snprintf(buf, sizeof(buf), "v: %s\n", text);
        res_value *root = decode_one(buf);
        res_member *m = res_map_member(root, "v");
        assert_non_null(m);
        res_value *v = TAKE_PTR(m->value);
        m->value = res_null_new();
        res_value_free(root);
        return v;
}

static void
test_yaml11_scalars(void **state)
{
        static const struct {
                const char *in;
                res_type t;
                int64_t i;
                double f;
        } cases[] = {
            {"~", RES_NULL, 0, 0},
            {"null", RES_NULL, 0, 0},
            {"Null", RES_NULL, 0, 0},
            {"NULL", RES_NULL, 0, 0},
            {"", RES_NULL, 0, 0},
            {"nULL", RES_STR, 0, 0},
            {"y", RES_BOOL, 1, 0},
            {"Y", RES_BOOL, 1, 0},
            {"yes", RES_BOOL, 1, 0},
            {"Yes", RES_BOOL, 1, 0},
            {"YES", RES_BOOL, 1, 0},
            {"n", RES_BOOL, 0, 0},
            {"N", RES_BOOL, 0, 0},
            {"no", RES_BOOL, 0, 0},
            {"No", RES_BOOL, 0, 0},
            {"NO", RES_BOOL, 0, 0},
            {"true", RES_BOOL, 1, 0},
            {"True", RES_BOOL, 1, 0},
            {"TRUE", RES_BOOL, 1, 0},
            {"false", RES_BOOL, 0, 0},
            {"False", RES_BOOL, 0, 0},
            {"FALSE", RES_BOOL, 0, 0},
            {"on", RES_BOOL, 1, 0},
            {"On", RES_BOOL, 1, 0},
            {"ON", RES_BOOL, 1, 0},
            {"off", RES_BOOL, 0, 0},
            {"Off", RES_BOOL, 0, 0},
            {"OFF", RES_BOOL, 0, 0},
            {"yEs", RES_STR, 0, 0},
            {"tRUE", RES_STR, 0, 0},
            {"0", RES_INT, 0, 0},
            {"42", RES_INT, 42, 0},
            {"-17", RES_INT, -17, 0},
            {"+5", RES_INT, 5, 0},
            {"0644", RES_INT, 420, 0},
            {"0o17", RES_INT, 15, 0},
            {"0x1F", RES_INT, 31, 0},
            {"0X1f", RES_INT, 31, 0},
            {"-0x10", RES_INT, -16, 0},
            {"0b1010", RES_INT, 10, 0},
            {"-0b11", RES_INT, -3, 0},
            {"1_000", RES_INT, 1000, 0},
            {"0x_ff", RES_INT, 255, 0},
            {"08", RES_FLOAT, 0, 8.0},
            {"09.5", RES_FLOAT, 0, 9.5},
            {"1.5", RES_FLOAT, 0, 1.5},
            {"-.5", RES_FLOAT, 0, -0.5},
            {".5", RES_FLOAT, 0, 0.5},
            {"1e3", RES_FLOAT, 0, 1000.0},
            {"1E-3", RES_FLOAT, 0, 0.001},
            {"1.", RES_FLOAT, 0, 1.0},
            {"6.02e+23", RES_FLOAT, 0, 6.02e23},
            {"1_000.5", RES_FLOAT, 0, 1000.5},
            {"9223372036854775807", RES_INT, INT64_MAX, 0},
            {"-9223372036854775808", RES_INT, INT64_MIN, 0},
            {"9223372036854775808", RES_FLOAT, 0, 9223372036854775808.0},
            {"18446744073709551615", RES_FLOAT, 0, 18446744073709551615.0},
            {"99999999999999999999", RES_FLOAT, 0, 1e20},
            {"-9223372036854775809", RES_FLOAT, 0, -9223372036854775809.0},
            {"0xFFFFFFFFFFFFFFFF", RES_FLOAT, 0, 18446744073709551615.0},
            {"1e400", RES_STR, 0, 0},
            {".inf", RES_FLOAT, 0, INFINITY},
            {".Inf", RES_FLOAT, 0, INFINITY},
            {"+.INF", RES_FLOAT, 0, INFINITY},
            {"-.inf", RES_FLOAT, 0, -INFINITY},
            {"inf", RES_STR, 0, 0},
            {"Infinity", RES_STR, 0, 0},
            {"NaN", RES_STR, 0, 0},
            {"1e", RES_STR, 0, 0},
            {"0x", RES_STR, 0, 0},
            {"+", RES_STR, 0, 0},
            {"-x", RES_STR, 0, 0},
            {"1.2.3", RES_STR, 0, 0},
            {"0x1p3", RES_STR, 0, 0},
            {"2001-12-14", RES_STR, 0, 0},
            {"2001-12-14t21:59:43.10-05:00", RES_STR, 0, 0},
            {"12:30", RES_STR, 0, 0},
            {"1:20:30", RES_STR, 0, 0},
            {"._5", RES_STR, 0, 0},
            {".5_5", RES_FLOAT, 0, 0.55},
            {"e3", RES_STR, 0, 0},
            {"<<", RES_STR, 0, 0},
            {"\"42\"", RES_STR, 0, 0},
            {"'true'", RES_STR, 0, 0},
            {"!!str 42", RES_STR, 0, 0},
            {"!!int \"42\"", RES_INT, 42, 0},
            {"!!float 1", RES_FLOAT, 0, 1.0},
            {"!!bool yes", RES_BOOL, 1, 0},
            {"!!null ''", RES_NULL, 0, 0},
            {"!custom 1", RES_STR, 0, 0},
            {"!!timestamp 2001-12-14", RES_STR, 0, 0},
        };
        for (size_t i = 0; i < TM_ARRAY_SIZE(cases); i++) {
                res_value *v = scalar_of(cases[i].in);
                if (v->type != cases[i].t)
                        print_error("%s: got %s\n", cases[i].in, res_type_name(v->type));
                assert_int_equal(v->type, cases[i].t);
                if (v->type == RES_BOOL)
                        assert_int_equal(v->u.b, cases[i].i);
                if (v->type == RES_INT)
                        assert_true(v->u.i == cases[i].i);
                if (v->type == RES_FLOAT)
                        assert_true(v->u.f == cases[i].f);
                res_value_free(v);
        }
        res_value *v = scalar_of(".nan");
        assert_true(v->type == RES_FLOAT && isnan(v->u.f));
        res_value_free(v);
        /* the text of a string is kept as written */
        v = scalar_of("'0644'");
        assert_string_equal(v->u.s, "0644");
        assert_true(v->flags & RES_F_QUOTED);
        res_value_free(v);
        v = scalar_of("plain text");
        assert_string_equal(v->u.s, "plain text");
        assert_false(v->flags & RES_F_QUOTED);
        res_value_free(v);
        v = scalar_of("|\n  a\n  b\n");
        assert_string_equal(v->u.s, "a\nb\n");
        assert_true(v->flags & RES_F_QUOTED);
        res_value_free(v);
        v = scalar_of(">-\n  a\n  b\n");
        assert_string_equal(v->u.s, "a b");
        res_value_free(v);
}

static void
test_resolve_plain_api(void **state)
{
        res_value *v = res_yaml_resolve_plain("0644", 4);
        assert_int_equal(v->type, RES_INT);
        assert_int_equal(v->u.i, 420);
        res_value_free(v);
        v = res_yaml_resolve_plain("abc", 3);
        assert_int_equal(v->type, RES_STR);
        assert_string_equal(v->u.s, "abc");
        res_value_free(v);
}

static void
test_bad_tags(void **state)
{
        expect_error("a: !!int abc\n", 1, 4, "yaml: cannot decode a !!str value as a !!int");
        expect_error("a: !!bool 1\n", 1, 4, "as a !!bool");
        expect_error("a: !!null x\n", 1, 4, "as a !!null");
        expect_error("a: !!int 1.5\n", 1, 4, "cannot decode a !!float value");
}

static void
test_keys_converted(void **state)
{
        res_value *v = decode_one("1: a\ntrue: b\n~: c\n0x10: e\n1.5: f\n\"2\": g\nno: h\n");
        assert_int_equal(v->n, 7);
        const char *keys[] = {"1", "true", "null", "16", "1.5", "2", "false"};
        for (size_t i = 0; i < 7; i++)
                assert_string_equal(v->u.members[i].key, keys[i]);
        res_value_free(v);
        expect_error("true: a\non: b\n", 2, 1, "duplicate key \"true\" (first defined at line 1)");
        expect_error("? [a]\n: b\n", 1, 3, "cannot be a mapping key");
        expect_error("? {a: 1}\n: b\n", 1, 3, "cannot be a mapping key");
        expect_error("x: &m {a: 1}\n*m : b\n", 2, 1, "cannot be a mapping key");
        expect_error("\"a\\0b\": 1\n", 1, 1, "cannot contain a NUL character");
}

static void
test_positions(void **state)
{
        const char *y = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels:\n"
                        "    app: x\nspec:\n  containers:\n  - name: c\n    image: \"nginx\"\n";
        res_value *v = decode_one(y);
        assert_int_equal(v->line, 1);
        assert_int_equal(v->col, 1);
        res_member *m = res_map_member(v, "kind");
        assert_int_equal(m->line, 2);
        assert_int_equal(m->col, 1);
        assert_int_equal(m->value->line, 2);
        assert_int_equal(m->value->col, 7);
        res_value *md = res_get(v, "metadata", NULL);
        assert_int_equal(md->line, 4);
        assert_int_equal(md->col, 3);
        m = res_map_member(res_get(md, "labels", NULL), "app");
        assert_int_equal(m->line, 6);
        assert_int_equal(m->col, 5);
        res_value *c = res_get(v, "spec", "containers", NULL);
        assert_int_equal(c->type, RES_SEQ);
        assert_int_equal(c->line, 9);
        assert_int_equal(c->col, 3);
        m = res_map_member(c->u.items[0], "image");
        assert_int_equal(m->line, 10);
        assert_int_equal(m->col, 5);
        assert_int_equal(m->value->col, 12);
        res_value_free(v);
}

static void
test_crlf_bom(void **state)
{
        const char *y = "\xEF\xBB\xBF"
                        "a: 1\r\nb:\r\n  c: \"x\"\r\n";
        res_value *v = decode_one(y);
        res_member *m = res_map_member(v, "a");
        assert_int_equal(m->line, 1);
        assert_int_equal(m->col, 1);
        m = res_map_member(res_get(v, "b", NULL), "c");
        assert_int_equal(m->line, 3);
        assert_int_equal(m->col, 3);
        assert_string_equal(m->value->u.s, "x");
        res_value_free(v);
        v = decode_one("s: |\r\n  one\r\n  two\r\n");
        assert_string_equal(res_get_str(v, "s", NULL), "one\ntwo\n");
        res_value_free(v);
}

static void
test_duplicates(void **state)
{
        expect_error("a: 1\nb: 2\na: 3\n", 3, 1, "duplicate key \"a\" (first defined at line 1)");
        expect_error("m:\n  x: 1\n  'x': 2\n", 3, 3,
                     "duplicate key \"x\" (first defined at line 2)");
        /* a large map goes through the hash index */
        tm_buf b = TM_BUF_INIT;
        for (int i = 0; i < 5000; i++)
                tm_buf_printf(&b, "k%d: %d\n", i, i);
        res_value *v = decode_one(b.data);
        assert_int_equal(v->n, 5000);
        res_value_free(v);
        tm_buf_printf(&b, "k1234: dup\n");
        expect_error(b.data, 5001, 1, "duplicate key \"k1234\" (first defined at line 1235)");
        tm_buf_free(&b);
        /* every duplicate is reported, across documents */
        const char *y = "a: 1\na: 2\n---\nb: 1\nb: 2\n";
        res_doc *docs = NULL;
        size_t n = 0;
        res_diags dg = RES_DIAGS_INIT;
        assert_int_equal(res_yaml_decode("f", y, strlen(y), NULL, &docs, &n, &dg), -EINVAL);
        assert_int_equal(dg.n, 2);
        assert_int_equal(dg.items[0].line, 2);
        assert_int_equal(dg.items[1].line, 5);
        res_diags_free(&dg);
}

static void
test_merge_and_alias(void **state)
{
        res_value *v = decode_one("base: &b {a: 1, b: 2}\n"
                                  "x:\n  <<: *b\n  b: 3\n"
                                  "q:\n  b: 4\n  <<: *b\n"
                                  "z:\n  <<: [{c: 1, a: 9}, *b]\n"
                                  "w: *b\n"
                                  "s: &s str\nt: *s\n");
        assert_int_equal(res_get_int(res_get(v, "x", NULL), "a", 0), 1);
        assert_int_equal(res_get_int(res_get(v, "x", NULL), "b", 0), 3);
        assert_int_equal(res_get(v, "x", NULL)->n, 2);
        assert_int_equal(res_get_int(res_get(v, "q", NULL), "b", 0), 4);
        assert_int_equal(res_get_int(res_get(v, "q", NULL), "a", 0), 1);
        assert_int_equal(res_get_int(res_get(v, "z", NULL), "a", 0), 9);
        assert_int_equal(res_get_int(res_get(v, "z", NULL), "c", 0), 1);
        assert_int_equal(res_get_int(res_get(v, "z", NULL), "b", 0), 2);
        assert_true(res_value_equal(res_get(v, "w", NULL), res_get(v, "base", NULL)));
        assert_string_equal(res_get_str(v, "t", NULL), "str");
        /* a quoted "<<" is an ordinary key */
        res_value_free(v);
        v = decode_one("'<<': {a: 1}\n");
        assert_non_null(res_get(v, "<<", NULL));
        res_value_free(v);
        expect_error("a: &a [1, *a]\n", 1, 11, "contains itself");
        expect_error("a: *nope\n", 1, 4, "unknown anchor \"nope\" referenced");
        expect_error("a:\n  <<: 1\n", 2, 7, "map merge requires map or sequence of maps");
        expect_error("a:\n  <<: [1]\n", 2, 8, "map merge requires map");
}

static double
now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_billion_laughs(void **state)
{
        tm_buf b = TM_BUF_INIT;
        tm_buf_puts(
            &b,
            "a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (int i = 1; i < 10; i++)
                tm_buf_printf(&b, "a%d: &a%d [*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d,*a%d]\n", i,
                              i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1);
        double t0 = now_s();
        expect_error(b.data, 5, 10, "alias \"a3\" expands past the limit of 10000 alias nodes");
        assert_true(now_s() - t0 < 1.0);
        tm_buf_free(&b);

        /* the node limit also counts expansions */
        res_limits lim;
        res_limits_default(&lim);
        lim.max_alias_nodes = 1000000;
        lim.max_nodes = 500;
        const char *y = "a: &a [1,2,3,4,5,6,7,8,9,10]\nb: [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,"
                        "*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,"
                        "*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n";
        expect_error_lim(y, strlen(y), &lim, 2, 137, "more than 500 nodes");
}

static void
test_deep_nesting(void **state)
{
        tm_buf b = TM_BUF_INIT;
        for (int i = 0; i < 100000; i++)
                tm_buf_putc(&b, '[');
        double t0 = now_s();
        expect_error(b.data, 1, 65, "nesting deeper than 64 levels");
        assert_true(now_s() - t0 < 1.0);
        tm_buf_reset(&b);
        for (int i = 0; i < 64; i++)
                tm_buf_putc(&b, '[');
        for (int i = 0; i < 64; i++)
                tm_buf_putc(&b, ']');
        res_value *v = decode_one(b.data);
        assert_int_equal(v->type, RES_SEQ);
        res_value_free(v);
        tm_buf_free(&b);
}

static void
test_streams(void **state)
{
        const char *y = "# only a comment\n---\na: 1\n---\n---\n# c\n...\n---\n- x\n...\n";
        res_doc *docs = NULL;
        size_t n = 0;
        res_diags dg = RES_DIAGS_INIT;
        assert_int_equal(res_yaml_decode("f", y, strlen(y), NULL, &docs, &n, &dg), 0);
        assert_int_equal(n, 4);
        assert_non_null(docs[0].root);
        assert_int_equal(docs[0].line, 2);
        assert_null(docs[1].root);
        assert_null(docs[2].root);
        assert_int_equal(docs[3].root->type, RES_SEQ);
        assert_int_equal(docs[3].line, 8);
        res_docs_free(docs, n);
        const char *empties[] = {"", "# nothing\n# at all\n", "\xEF\xBB\xBF", "\r\n\r\n"};
        for (size_t i = 0; i < TM_ARRAY_SIZE(empties); i++) {
                docs = NULL;
                assert_int_equal(
                    res_yaml_decode("f", empties[i], strlen(empties[i]), NULL, &docs, &n, &dg), 0);
                assert_int_equal(n, 0);
                res_docs_free(docs, n);
        }
        docs = NULL;
        assert_int_equal(res_yaml_decode("f", NULL, 0, NULL, &docs, &n, &dg), 0);
        assert_int_equal(n, 0);
        res_docs_free(docs, n);
        assert_int_equal(dg.n, 0);
}

static void
test_json(void **state)
{
        const char *j = "{\n\t\"apiVersion\": \"v1\",\n\t\"kind\": \"ConfigMap\",\n"
                        "\t\"data\": {\"a\": \"1\", \"on\": \"x\"},\n\t\"n\": [1, 2.5, true, null, "
                        "\"\\u00e9\\/\"]\n}\n{\"second\": 1}";
        res_doc *docs = NULL;
        size_t n = 0;
        res_diags dg = RES_DIAGS_INIT;
        int r = res_yaml_decode("f.json", j, strlen(j), NULL, &docs, &n, &dg);
        assert_int_equal(r, -EINVAL);
        assert_string_equal(
            dg.items[0].msg,
            "yaml: did not find expected <document start>"); /* two JSON objects need a --- between
                                                                them */
        res_diags_free(&dg);
        res_value *v =
            decode_one("{\n\t\"kind\": \"ConfigMap\",\n\t\"data\": {\"a\": \"1\", "
                       "\"on\": \"x\"},\n\t\"n\": [1, 2.5, true, null, \"\\u00e9\\/\"]\n}");
        assert_string_equal(res_get_str(v, "kind", NULL), "ConfigMap");
        assert_string_equal(res_get_str(res_get(v, "data", NULL), "on", NULL), "x");
        res_value *arr = res_get(v, "n", NULL);
        assert_int_equal(arr->u.items[0]->type, RES_INT);
        assert_int_equal(arr->u.items[1]->type, RES_FLOAT);
        assert_int_equal(arr->u.items[2]->type, RES_BOOL);
        assert_int_equal(arr->u.items[3]->type, RES_NULL);
        assert_string_equal(arr->u.items[4]->u.s, "\xC3\xA9/");
        assert_int_equal(res_map_member(v, "data")->line, 3);
        assert_int_equal(res_map_member(v, "data")->col, 2);
        res_value_free(v);
}

static void
test_syntax_errors(void **state)
{
        expect_error("a: 1\n b: 2\nc: 3\n", 2, 3, "yaml: mapping values are not allowed");
        expect_error("a:\n  - b\n  c: d\n", 3, 3, "yaml: did not find expected '-' indicator");
        expect_error("a: [1, 2\nb: 3\n", 2, 2, "yaml: did not find expected ',' or ']'");
        expect_error("a: \"unterminated\n", 2, 1, "yaml: found unexpected end of stream");
        expect_error("a: b\n\tc: d\n", 2, 1,
                     "yaml: found a tab character that violates indentation");
        expect_error("a: \xff\n", 1, 4, "yaml: invalid leading UTF-8 octet");
        /* a duplicate in the first document and a syntax error in the second */
        const char *y = "a: 1\na: 2\n---\nb: [\n";
        res_doc *docs = NULL;
        size_t n = 0;
        res_diags dg = RES_DIAGS_INIT;
        assert_int_equal(res_yaml_decode("f", y, strlen(y), NULL, &docs, &n, &dg), -EINVAL);
        assert_int_equal(dg.n, 2);
        assert_string_equal(dg.items[0].file, "f");
        assert_int_equal(dg.items[0].line, 2);
        assert_int_equal(dg.items[1].line, 5);
        res_diags_free(&dg);
}

static void
test_limits(void **state)
{
        res_limits lim;
        res_limits_default(&lim);
        assert_true(lim.max_doc_bytes >= 1u << 20);
        lim.max_doc_bytes = 10;
        expect_error_lim("a: 12345678\n", 12, &lim, 0, 0, "over the limit of 10 bytes");
        res_limits_default(&lim);
        lim.max_scalar_bytes = 4;
        expect_error_lim("a: 12345\n", 9, &lim, 1, 4, "scalar of 5 bytes");
        res_limits_default(&lim);
        lim.max_docs = 2;
        expect_error_lim("a\n---\nb\n---\nc\n", 14, &lim, 4, 1, "more than 2 documents");
        res_limits_default(&lim);
        lim.max_depth = 3;
        expect_error_lim("a: {b: {c: {}}}\n", 16, &lim, 1, 12, "nesting deeper than 3");
        res_limits_default(&lim);
        lim.max_nodes = 3;
        expect_error_lim("[1, 2, 3]\n", 10, &lim, 1, 8, "more than 3 nodes");
}

/* Every fixture decodes (and survives YAML out and in), or, when its first
 * line reads "# error: L:C: text", fails with that diagnostic. */
static void
test_fixtures(void **state)
{
        const char *src = getenv("TIMONE_SRCDIR");
        _cleanup_free_ char *dir = xasprintf("%s/tests/resources/fixtures/yaml", src ? src : "..");
        DIR *d = opendir(dir);
        assert_non_null(d);
        struct dirent *de;
        int seen = 0;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *path = xasprintf("%s/%s", dir, de->d_name);
                _cleanup_free_ char *data = NULL;
                size_t len = 0;
                tm_error err = {0};
                assert_int_equal(tm_file_read(path, 1 << 20, &data, &len, &err), 0);
                seen++;
                unsigned line, col;
                int off = 0;
                if (sscanf(data, "# error: %u:%u: %n", &line, &col, &off) == 2 && off > 0) {
                        char *eol = strchr(data + off, '\n');
                        _cleanup_free_ char *msg = xstrndup(data + off, (size_t)(eol - data - off));
                        expect_error_lim(data, len, NULL, line, col, msg);
                        continue;
                }
                res_doc *docs = NULL;
                size_t n = 0;
                res_diags dg = RES_DIAGS_INIT;
                int r = res_yaml_decode(de->d_name, data, len, NULL, &docs, &n, &dg);
                if (r)
                        print_error("%s: %s\n", de->d_name, dg.items[0].msg);
                assert_int_equal(r, 0);
                for (size_t i = 0; i < n; i++) {
                        if (!docs[i].root)
                                continue;
                        tm_buf b = TM_BUF_INIT;
                        res_emit_yaml(docs[i].root, &b, 0);
                        res_value *back = decode_one(b.data);
                        assert_true(res_value_equal(docs[i].root, back));
                        res_value_free(back);
                        tm_buf_free(&b);
                }
                res_docs_free(docs, n);
        }
        closedir(d);
        assert_true(seen >= 10);
}

static void
test_fixture_details(void **state)
{
        const char *src = getenv("TIMONE_SRCDIR");
        _cleanup_free_ char *path =
            xasprintf("%s/tests/resources/fixtures/yaml/deployment.yaml", src ? src : "..");
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        tm_error err = {0};
        assert_int_equal(tm_file_read(path, 1 << 20, &data, &len, &err), 0);
        res_value *v = decode_one(data);
        res_value *vol = res_get(v, "spec", "template", "spec", "volumes", NULL)->u.items[0];
        res_member *mode = res_map_member(res_get(vol, "configMap", NULL), "defaultMode");
        assert_int_equal(mode->value->type, RES_INT);
        assert_int_equal(mode->value->u.i, 420); /* 0644 */
        assert_int_equal(mode->line, 45);
        assert_int_equal(mode->col, 11);
        res_value *lim = res_get(v, "spec", "template", "spec", "containers", NULL)->u.items[0];
        lim = res_get(lim, "resources", "limits", NULL);
        assert_string_equal(res_get_str(lim, "cpu", NULL), "1");
        assert_string_equal(
            res_get_str(res_get(v, "spec", "strategy", "rollingUpdate", NULL), "maxSurge", NULL),
            "25%");
        res_value_free(v);
        free(TAKE_PTR(path));
        free(TAKE_PTR(data));
        path = xasprintf("%s/tests/resources/fixtures/yaml/anchors.yaml", src ? src : "..");
        assert_int_equal(tm_file_read(path, 1 << 20, &data, &len, &err), 0);
        v = decode_one(data);
        res_value *c = res_get(v, "containers", NULL);
        assert_string_equal(res_get_str(c->u.items[0], "imagePullPolicy", NULL), "IfNotPresent");
        assert_string_equal(res_get_str(c->u.items[1], "imagePullPolicy", NULL), "Always");
        assert_non_null(res_get(c->u.items[1], "resources", "limits", "memory", NULL));
        res_value_free(v);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_yaml11_scalars), cmocka_unit_test(test_resolve_plain_api),
            cmocka_unit_test(test_bad_tags),       cmocka_unit_test(test_keys_converted),
            cmocka_unit_test(test_positions),      cmocka_unit_test(test_crlf_bom),
            cmocka_unit_test(test_duplicates),     cmocka_unit_test(test_merge_and_alias),
            cmocka_unit_test(test_billion_laughs), cmocka_unit_test(test_deep_nesting),
            cmocka_unit_test(test_streams),        cmocka_unit_test(test_json),
            cmocka_unit_test(test_syntax_errors),  cmocka_unit_test(test_limits),
            cmocka_unit_test(test_fixtures),       cmocka_unit_test(test_fixture_details),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
