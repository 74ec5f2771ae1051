/* Emitters: kubectl-looking JSON and YAML, canonical JSON, Go's number
 * spelling, and the round-trip property YAML -> tree -> YAML -> tree. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/mem.h"
#include "resources/emit-internal.h"
#include "resources/yaml.h"

static res_value *
decode(const char *y, size_t len)
{
        res_doc *docs = NULL;
        size_t n = 0;
        res_diags dg = RES_DIAGS_INIT;
        res_limits lim;
        res_limits_default(&lim);
        if (len == SIZE_MAX)
                len = strlen(y);
        int r = res_yaml_decode("t", y, len, &lim, &docs, &n, &dg);
        if (r) {
                tm_buf b = TM_BUF_INIT;
                res_diags_format(&dg, &b);
                print_error("decode failed:\n%s\n%s", y, b.data);
                tm_buf_free(&b);
        }
        assert_int_equal(r, 0);
        assert_int_equal(n, 1);
        res_value *v = docs[0].root;
        docs[0].root = NULL;
        res_docs_free(docs, n);
        return v;
}

static const char manifest[] = "apiVersion: apps/v1\n"
                               "kind: Deployment\n"
                               "metadata:\n"
                               "  name: web\n"
                               "  annotations:\n"
                               "    revision: \"1\"\n"
                               "    flag: \"on\"\n"
                               "    date: \"2001-12-14\"\n"
                               "    empty: \"\"\n"
                               "    colon: \"a: b\"\n"
                               "    hash: \"a #b\"\n"
                               "    lead: \" x\"\n"
                               "    star: \"*x\"\n"
                               "    script: |\n"
                               "      #!/bin/sh\n"
                               "      echo hi\n"
                               "    nonl: |-\n"
                               "      one\n"
                               "      two\n"
                               "    tab: \"a\\tb\"\n"
                               "spec:\n"
                               "  replicas: 3\n"
                               "  ratio: 0.5\n"
                               "  whole: 2.0\n"
                               "  paused: false\n"
                               "  nothing: null\n"
                               "  selector: {}\n"
                               "  list: []\n"
                               "  template:\n"
                               "    spec:\n"
                               "      containers:\n"
                               "      - name: nginx\n"
                               "        image: nginx:1.25\n"
                               "        args:\n"
                               "        - --port=80\n"
                               "        - \"-\"\n"
                               "        ports:\n"
                               "        - containerPort: 80\n"
                               "      matrix:\n"
                               "      - - 1\n"
                               "        - 2\n"
                               "      - []\n";

static void
test_yaml_kubectl_look(void **state)
{
        res_value *v = decode(manifest, sizeof(manifest) - 1);
        tm_buf b = TM_BUF_INIT;
        res_emit_yaml(v, &b, 0);
        /* the input is already in kubectl's style, so it comes back byte for byte */
        assert_string_equal(b.data, manifest);
        tm_buf_reset(&b);
        res_emit_yaml(res_get(v, "spec", "template", NULL), &b, 4);
        assert_string_equal(b.data,
                            "    spec:\n      containers:\n      - name: nginx\n"
                            "        image: nginx:1.25\n        args:\n        - --port=80\n"
                            "        - \"-\"\n        ports:\n        - containerPort: 80\n"
                            "      matrix:\n      - - 1\n        - 2\n      - []\n");
        tm_buf_free(&b);
        res_value_free(v);
}

static void
test_yaml_quoting(void **state)
{
        static const struct {
                const char *s, *want;
        } cases[] = {
            {"plain", "plain"},
            {"yes", "\"yes\""},
            {"Off", "\"Off\""},
            {"y", "\"y\""},
            {"~", "\"~\""},
            {"null", "\"null\""},
            {"0644", "\"0644\""},
            {"1e3", "\"1e3\""},
            {".inf", "\".inf\""},
            {"12", "\"12\""},
            {"0x1F", "\"0x1F\""},
            {"1_000", "\"1_000\""},
            {"1:20", "\"1:20\""},
            {"2024-01-02", "\"2024-01-02\""},
            {"<<", "\"<<\""},
            {"- a", "\"- a\""},
            {"-a", "-a"},
            {"a:b", "a:b"},
            {"a: b", "\"a: b\""},
            {"a:", "\"a:\""},
            {"#x", "\"#x\""},
            {"x#y", "x#y"},
            {"x #y", "\"x #y\""},
            {"&x", "\"&x\""},
            {"!x", "\"!x\""},
            {"%x", "\"%x\""},
            {"@x", "\"@x\""},
            {"`x", "\"`x\""},
            {"{x", "\"{x\""},
            {"[x]", "\"[x]\""},
            {"'x'", "\"'x'\""},
            {"\"x\"", "\"\\\"x\\\"\""},
            {"|x", "\"|x\""},
            {">x", "\">x\""},
            {"?", "\"?\""},
            {"?x", "?x"},
            {"x ", "\"x \""},
            {"---", "\"---\""},
            {"...x", "\"...x\""},
            {"caf\xc3\xa9", "caf\xc3\xa9"},
            {"a\x01z", "\"a\\x01z\""},
            {"a\\b", "a\\b"},
            {"\xe2\x80\xa8", "\"\\L\""},
            {"nul\0", "\"nul\\0\""},
            {"http://x.y/z?a=b&c", "http://x.y/z?a=b&c"},
        };
        for (size_t i = 0; i < TM_ARRAY_SIZE(cases); i++) {
                size_t n = strlen(cases[i].s);
                if (strcmp(cases[i].s, "nul") == 0)
                        n = 4;
                res_value *v = res_map_new();
                res_map_append(v, "k", 1, res_str_newn(cases[i].s, n));
                tm_buf b = TM_BUF_INIT;
                res_emit_yaml(v, &b, 0);
                char *want = xasprintf("k: %s\n", cases[i].want);
                if (strcmp(b.data, want))
                        print_error("\"%s\": got %s", cases[i].s, b.data);
                assert_string_equal(b.data, want);
                res_value *back = decode(b.data, b.len);
                assert_true(res_value_equal(v, back));
                free(want);
                res_value_free(back);
                tm_buf_free(&b);
                res_value_free(v);
        }
}

static void
test_json(void **state)
{
        res_value *v = decode("{b: 1, a: [x, 2.5, true, null, {}], c: {z: \"q\\\"\", w: []}, "
                              "d: 1e21, e: 1e-7, f: -0.0}",
                              SIZE_MAX);
        tm_buf b = TM_BUF_INIT;
        res_emit_json(v, &b, true);
        assert_string_equal(b.data, "{\n  \"b\": 1,\n  \"a\": [\n    \"x\",\n    2.5,\n    true,\n"
                                    "    null,\n    {}\n  ],\n  \"c\": {\n    \"z\": \"q\\\"\",\n"
                                    "    \"w\": []\n  },\n  \"d\": 1e+21,\n  \"e\": 1e-7,\n"
                                    "  \"f\": -0\n}");
        tm_buf_reset(&b);
        res_emit_json(v, &b, false);
        assert_string_equal(b.data,
                            "{\"b\":1,\"a\":[\"x\",2.5,true,null,{}],\"c\":{\"z\":\"q\\\"\","
                            "\"w\":[]},\"d\":1e+21,\"e\":1e-7,\"f\":-0}");
        tm_buf_reset(&b);
        res_emit_canonical_json(v, &b);
        assert_string_equal(b.data, "{\"a\":[\"x\",2.5,true,null,{}],\"b\":1,\"c\":{\"w\":[],\"z\":"
                                    "\"q\\\"\"},\"d\":1e+21,\"e\":1e-07,\"f\":-0}");
        /* the tree is not reordered */
        assert_string_equal(v->u.members[0].key, "b");
        assert_string_equal(res_get(v, "c", NULL)->u.members[0].key, "z");
        tm_buf_free(&b);
        res_value_free(v);

        /* byte-wise order, UTF-8 passed through, control characters escaped */
        v = decode("{\"\xc3\xa9\": 1, \"Z\": 2, \"a\": \"\\u0001\xc3\xa9\", \"aa\": 3, \"\": 4}",
                   SIZE_MAX);
        b = (tm_buf)TM_BUF_INIT;
        res_emit_canonical_json(v, &b);
        assert_string_equal(b.data,
                            "{\"\":4,\"Z\":2,\"a\":\"\\u0001\xc3\xa9\",\"aa\":3,\"\xc3\xa9\":1}");
        tm_buf_free(&b);
        res_value_free(v);
}

static void
test_go_floats(void **state)
{
        static const struct {
                double f;
                char fmt;
                int bits;
                const char *want;
        } cases[] = {
            {1e6, 'g', 64, "1e+06"},
            {100000, 'g', 64, "100000"},
            {0.0001, 'g', 64, "0.0001"},
            {0.00001, 'g', 64, "1e-05"},
            {1.5, 'g', 64, "1.5"},
            {123456789.0, 'g', 64, "1.23456789e+08"},
            {3.14, 'g', 64, "3.14"},
            {-0.0, 'g', 64, "-0"},
            {0.1, 'g', 64, "0.1"},
            {1.0 / 3, 'g', 64, "0.3333333333333333"},
            {5e-324, 'g', 64, "5e-324"},
            {1.7976931348623157e308, 'g', 64, "1.7976931348623157e+308"},
            {1e21, 'j', 64, "1e+21"},
            {1e20, 'j', 64, "100000000000000000000"},
            {1e-7, 'j', 64, "1e-7"},
            {0.000001, 'j', 64, "0.000001"},
            {123456789.0, 'j', 64, "123456789"},
            {2.5, 'j', 64, "2.5"},
            {0.1, 'g', 32, "0.1"},
            {1.5, 'g', 32, "1.5"},
            {16777217.0, 'g', 32, "1.6777216e+07"},
            {1e39, 'g', 32, "+Inf"},
            {NAN, 'g', 64, "NaN"},
            {-INFINITY, 'g', 64, "-Inf"},
            {1e300, 'e', 64, "1e+300"},
            {12.5, 'f', 64, "12.5"},
        };
        for (size_t i = 0; i < TM_ARRAY_SIZE(cases); i++) {
                char buf[RES_FLOAT_STR_MAX];
                size_t n = res_format_float(cases[i].f, cases[i].bits, cases[i].fmt, buf);
                if (strcmp(buf, cases[i].want))
                        print_error("%.17g %c: got %s want %s\n", cases[i].f, cases[i].fmt, buf,
                                    cases[i].want);
                assert_string_equal(buf, cases[i].want);
                assert_int_equal(n, strlen(buf));
        }
        /* YAML keeps floats floats */
        res_value *v = res_seq_new();
        res_seq_push(v, res_float_new(2.0));
        res_seq_push(v, res_float_new(1e6));
        res_seq_push(v, res_float_new(NAN));
        res_seq_push(v, res_float_new(-INFINITY));
        res_seq_push(v, res_int_new(INT64_MIN));
        tm_buf b = TM_BUF_INIT;
        res_emit_yaml(v, &b, 0);
        assert_string_equal(b.data, "- 2.0\n- 1e+06\n- .nan\n- -.inf\n- -9223372036854775808\n");
        res_value *back = decode(b.data, b.len);
        assert_true(res_value_equal(v, back));
        res_value_free(back);
        tm_buf_free(&b);
        res_value_free(v);
}

/* ---- property: any tree survives YAML out and in ---- */

static uint64_t rng = 88172645463325252ull;

static uint32_t
rnd(uint32_t n)
{
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        return (uint32_t)(rng % n);
}

static res_value *
random_str(void)
{
        static const char *const atoms[] = {
            "a",
            "b",
            "z",
            " ",
            ":",
            ": ",
            "#",
            " #",
            "-",
            "- ",
            "?",
            "\n",
            "\n\n",
            "\t",
            "\"",
            "'",
            "\\",
            "0",
            "1",
            "x1",
            "0x",
            "e3",
            ".",
            "yes",
            "no",
            "~",
            "null",
            "true",
            "---",
            "...",
            "&",
            "*",
            "!",
            "|",
            ">",
            "%",
            "@",
            "`",
            "{",
            "}",
            "[",
            "]",
            ",",
            "\xc3\xa9",
            "\xe2\x80\xa8",
            "\xc2\x85",
            "\x01",
            "\r",
            "<<",
            "2001-01-01",
            "1:2",
            ".inf",
            "-",
            "+",
            "\xef\xbb\xbf",
            "\x7f",
            "\xf0\x9f\x98\x80",
        };
        tm_buf b = TM_BUF_INIT;
        uint32_t n = rnd(6);
        for (uint32_t i = 0; i < n; i++)
                tm_buf_puts(&b, atoms[rnd(TM_ARRAY_SIZE(atoms))]);
        res_value *v = res_str_newn(b.data ? b.data : "", b.len);
        tm_buf_free(&b);
        return v;
}

static res_value *
random_tree(int depth)
{
        switch (rnd(depth > 3 ? 6 : 9)) {
        case 0:
                return res_null_new();
        case 1:
                return res_bool_new(rnd(2));
        case 2:
                return res_int_new((int64_t)rng * (rnd(2) ? 1 : -1) >> rnd(64));
        case 3:
                return res_float_new(rnd(2) ? (double)rnd(1000) / 8
                                            : ldexp((double)rng, -rnd(200)));
        case 4:
        case 5:
                return random_str();
        case 6: {
                res_value *s = res_seq_new();
                for (uint32_t i = rnd(4); i > 0; i--)
                        res_seq_push(s, random_tree(depth + 1));
                return s;
        }
        default: {
                res_value *m = res_map_new();
                for (uint32_t i = rnd(5); i > 0; i--) {
                        res_value *k = random_str();
                        if (!res_map_member(m, k->u.s) && !memchr(k->u.s, 0, k->n))
                                res_map_append(m, k->u.s, k->n, random_tree(depth + 1));
                        res_value_free(k);
                }
                return m;
        }
        }
}

static void
test_round_trip_property(void **state)
{
        for (int i = 0; i < 5000; i++) {
                res_value *v = random_tree(0);
                tm_buf b = TM_BUF_INIT;
                res_emit_yaml(v, &b, 0);
                res_value *back = decode(b.data, b.len);
                if (!back)
                        back = res_null_new(); /* a null document reads as empty */
                if (!res_value_equal(v, back)) {
                        tm_buf j = TM_BUF_INIT;
                        res_emit_json(v, &j, true);
                        print_error("round trip %d failed:\n%s\nfrom %s\n", i, b.data, j.data);
                        tm_buf_free(&j);
                }
                assert_true(res_value_equal(v, back));
                /* canonical JSON is a fixed point through the decoder too */
                tm_buf c1 = TM_BUF_INIT, c2 = TM_BUF_INIT;
                res_emit_canonical_json(v, &c1);
                res_emit_canonical_json(back, &c2);
                assert_string_equal(c1.data, c2.data);
                tm_buf_free(&c1);
                tm_buf_free(&c2);
                res_value_free(back);
                res_value_free(v);
                tm_buf_free(&b);
        }
}

static void
test_long_key(void **state)
{
        res_value *v = res_map_new();
        char key[3000];
        memset(key, 'k', sizeof(key) - 1);
        key[sizeof(key) - 1] = '\0';
        res_value *inner = res_seq_new();
        res_seq_push(inner, res_str_new("x"));
        res_map_append(v, key, strlen(key), inner);
        res_map_append(v, "b", 1, res_int_new(1));
        tm_buf b = TM_BUF_INIT;
        res_emit_yaml(v, &b, 0);
        res_value *back = decode(b.data, b.len);
        assert_true(res_value_equal(v, back));
        res_value_free(back);
        tm_buf_free(&b);
        res_value_free(v);
}

/* Numbers compare by value across int and float, as their canonical JSON
 * does; -0.0 is not 0 (it is written "-0"). */
static void
test_number_equal(void **state)
{
        (void)state;
        struct {
                int64_t i;
                double f;
                bool eq;
        } cases[] = {{10000, 1e4, true},         {-5, -5.0, true},     {0, 0.0, true},
                     {0, -0.0, false},           {1, 1.5, false},      {INT64_MAX, 0x1p63, false},
                     {INT64_MIN, -0x1p63, true}, {3, 3.0000001, false}};
        for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
                res_value *a = res_int_new(cases[k].i), *b = res_float_new(cases[k].f);
                assert_int_equal(res_value_equal(a, b), cases[k].eq);
                assert_int_equal(res_value_equal(b, a), cases[k].eq);
                res_value_free(a);
                res_value_free(b);
        }
        res_value *s = res_str_new("1"), *one = res_int_new(1);
        assert_false(res_value_equal(s, one));
        res_value_free(s);
        res_value_free(one);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_number_equal), cmocka_unit_test(test_yaml_kubectl_look),
            cmocka_unit_test(test_yaml_quoting), cmocka_unit_test(test_json),
            cmocka_unit_test(test_go_floats),    cmocka_unit_test(test_round_trip_property),
            cmocka_unit_test(test_long_key),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
