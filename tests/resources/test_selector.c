/* Label selectors against k8s.io/apimachinery/pkg/labels' own vectors
 * (selector_test.go) and metav1.LabelSelectorAsSelector's rules. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/mem.h"
#include "resources/selector.h"
#include "resources/yaml.h"

static res_value *
yaml(const char *y)
{
        res_doc *docs = NULL;
        size_t n = 0;
        res_diags dg = RES_DIAGS_INIT;
        assert_int_equal(res_yaml_decode("t", y, strlen(y), NULL, &docs, &n, &dg), 0);
        assert_int_equal(n, 1);
        res_value *v = docs[0].root;
        docs[0].root = NULL;
        res_docs_free(docs, n);
        return v;
}

static void
expect_format(const char *in, const char *want)
{
        res_selector *s = NULL;
        tm_error err = {0};
        int r = res_selector_parse(in, &s, &err);
        if (r)
                print_error("\"%s\": %s\n", in, err.msg);
        assert_int_equal(r, 0);
        tm_buf b = TM_BUF_INIT;
        res_selector_format(s, &b);
        assert_string_equal(b.data ? b.data : "", want);
        tm_buf_free(&b);
        res_selector_free(s);
}

static void
expect_bad(const char *in, const char *msg)
{
        res_selector *s = (res_selector *)0x1;
        tm_error err = {0};
        assert_int_equal(res_selector_parse(in, &s, &err), -EINVAL);
        assert_ptr_equal(s, (res_selector *)0x1);
        if (!strstr(err.msg, msg))
                print_error("\"%s\": got \"%s\", want \"%s\"\n", in, err.msg, msg);
        assert_non_null(strstr(err.msg, msg));
}

static void
test_parse_format(void **state)
{
        expect_format("x=a,y=b,z=c", "x=a,y=b,z=c");
        expect_format("", "");
        expect_format("x!=a,y=b", "x!=a,y=b");
        expect_format("x=", "x=");
        expect_format("x= ", "x=");
        expect_format("x=,z= ", "x=,z=");
        expect_format("x= ,z= ", "x=,z=");
        expect_format("!x", "!x");
        expect_format("x>1", "x>1");
        expect_format("x>1,z<5", "x>1,z<5");
        expect_format("x==a", "x==a");
        expect_format("z=c,x=a", "x=a,z=c");
        expect_format("tier in (web, api),env!=dev", "env!=dev,tier in (api,web)");
        expect_format("x in (b,a,b)", "x in (a,b)");
        expect_format("x notin (a)", "x notin (a)");
        expect_format("x in ()", "x in ()");
        expect_format("x in (,a)", "x in (,a)");
        expect_format("x in (a,)", "x in (,a)");
        expect_format("x in (a,,b)", "x in (,a,b)");
        expect_format("x, y", "x,y");
        expect_format("  app.kubernetes.io/name = web ", "app.kubernetes.io/name=web");
        expect_format("notin=in", "notin=in");
        expect_format("in in (notin)", "in in (notin)");
}

static void
test_parse_errors(void **state)
{
        expect_bad("x=a||y=b", "");
        expect_bad("x==a==b", "found '==', expected: ',' or 'end of string'");
        expect_bad("!x=a", "found '=', expected: ',' or 'end of string'");
        expect_bad("x<a", "for 'Gt', 'Lt' operators, the value must be an integer");
        expect_bad("x=a,", "found '', expected: identifier after ','");
        expect_bad(",x", "found ',', expected: !, identifier, or 'end of string'");
        expect_bad("x in a", "found 'a' expected: '('");
        expect_bad("x in (a", "found '', expected: ',' or ')'");
        expect_bad("x in (a b)", "found 'b', expected: ',' or ')'");
        expect_bad("x in (=)", "found '=', expected: ',', ')' or identifier");
        expect_bad("x (a)", "found '(', expected: in, notin, =, ==, !=, gt, lt");
        expect_bad("-x=a", "unable to parse requirement: invalid label key \"-x\"");
        expect_bad("x=-a", "invalid label value: \"-a\": at key: \"x\"");
        expect_bad("x=a/b", "invalid label value");
        expect_bad("x=(a)", "found '(', expected: identifier");
}

static bool
matches(const char *sel, const char *labels_yaml)
{
        res_selector *s = NULL;
        tm_error err = {0};
        assert_int_equal(res_selector_parse(sel, &s, &err), 0);
        res_value *l = labels_yaml ? yaml(labels_yaml) : NULL;
        bool m = res_selector_matches(s, l);
        res_value_free(l);
        res_selector_free(s);
        return m;
}

static void
test_matches(void **state)
{
        assert_true(matches("", "{x: \"y\"}"));
        assert_true(matches("", NULL));
        assert_true(matches("x=y", "{x: \"y\"}"));
        assert_true(matches("x=y,z=w", "{x: \"y\", z: w}"));
        assert_true(matches("x!=y,z!=w", "{x: z, z: a}"));
        assert_true(matches("notin=in", "{notin: in}"));
        assert_true(matches("x", "{x: z}"));
        assert_true(matches("!x", "{y: z}"));
        assert_true(matches("x>1", "{x: \"2\"}"));
        assert_true(matches("x<1", "{x: \"0\"}"));
        assert_false(matches("x=z", "{}"));
        assert_false(matches("x=y", "{x: z}"));
        assert_false(matches("x=y,z=w", "{x: w, z: w}"));
        assert_false(matches("x!=y,z!=w", "{x: z, z: w}"));
        assert_false(matches("x", "{y: z}"));
        assert_false(matches("!x", "{x: z}"));
        assert_false(matches("x>1", "{x: \"0\"}"));
        assert_false(matches("x<1", "{x: \"2\"}"));
        assert_false(matches("x>1", "{x: a}"));
        const char *ls = "{foo: bar, baz: blah}";
        assert_true(matches("foo=bar", ls));
        assert_true(matches("baz=blah", ls));
        assert_true(matches("foo=bar,baz=blah", ls));
        assert_false(matches("foo=blah", ls));
        assert_false(matches("baz=bar", ls));
        assert_false(matches("foo=bar,foobar=bar,baz=blah", ls));
        /* != and notin match when the key is absent */
        assert_true(matches("env!=dev", "{app: web}"));
        assert_true(matches("env notin (dev)", NULL));
        assert_false(matches("env in (dev)", NULL));
        assert_true(matches("tier in (web,api),env!=dev", "{tier: api, env: prod}"));
        assert_false(matches("tier in (web,api),env!=dev", "{tier: db}"));
        assert_true(matches("x in (,a)", "{x: \"\"}"));
}

static int
from_yaml(const char *y, res_selector **s, tm_error *err)
{
        res_value *v = y ? yaml(y) : NULL;
        int r = res_selector_from_value(v, s, err);
        res_value_free(v);
        return r;
}

static void
test_label_selector(void **state)
{
        res_selector *s = NULL;
        tm_error err = {0};
        /* absent: nothing; empty: everything */
        assert_int_equal(from_yaml(NULL, &s, &err), 0);
        assert_true(res_selector_is_nothing(s));
        assert_false(res_selector_matches(s, NULL));
        res_selector_free(s);
        assert_int_equal(from_yaml("{}", &s, &err), 0);
        assert_true(res_selector_is_everything(s));
        assert_true(res_selector_matches(s, NULL));
        res_selector_free(s);
        assert_int_equal(from_yaml("{matchLabels: {}, matchExpressions: []}", &s, &err), 0);
        assert_true(res_selector_is_everything(s));
        res_selector_free(s);

        assert_int_equal(from_yaml("matchLabels: {tier: web, app: shop}\n"
                                   "matchExpressions:\n"
                                   "- {key: env, operator: NotIn, values: [dev, test]}\n"
                                   "- {key: track, operator: Exists}\n"
                                   "- {key: legacy, operator: DoesNotExist}\n"
                                   "- {key: zone, operator: In, values: [b, a]}\n",
                                   &s, &err),
                         0);
        tm_buf b = TM_BUF_INIT;
        res_selector_format(s, &b);
        assert_string_equal(b.data,
                            "app=shop,env notin (dev,test),!legacy,tier=web,track,zone in (a,b)");
        tm_buf_free(&b);
        res_value *l = yaml("{app: shop, tier: web, track: x, zone: a, env: prod}");
        assert_true(res_selector_matches(s, l));
        res_value_free(l);
        l = yaml("{app: shop, tier: web, track: x, zone: a, env: dev}");
        assert_false(res_selector_matches(s, l));
        res_value_free(l);
        l = yaml("{app: shop, tier: web, track: x, zone: a, legacy: x}");
        assert_false(res_selector_matches(s, l));
        res_value_free(l);
        res_selector_free(s);

        static const struct {
                const char *y, *msg;
        } bad[] = {
            {"matchExpressions: [{key: a, operator: In}]",
             "matchExpressions[0].values: for 'in', 'notin' operators, values set can't be empty"},
            {"matchExpressions: [{key: a, operator: NotIn, values: []}]",
             "matchExpressions[0].values: for 'in', 'notin'"},
            {"matchExpressions: [{key: a, operator: Exists, values: [x]}]",
             "matchExpressions[0].values: values set must be empty for exists and does not exist"},
            {"matchExpressions: [{key: a, operator: DoesNotExist, values: [x]}]",
             "matchExpressions[0].values: values set must be empty"},
            {"matchExpressions: [{key: a, operator: in, values: [x]}]",
             "matchExpressions[0].operator: \"in\" is not a valid label selector operator"},
            {"matchExpressions: [{key: -a, operator: Exists}]",
             "matchExpressions[0].key: invalid label key \"-a\""},
            {"matchExpressions: [{key: a, operator: In, values: [1]}]",
             "matchExpressions[0].values[0]: must be a string"},
            {"matchLabels: {app: -web}", "matchLabels.app: invalid label value: \"-web\""},
            {"matchLabels: {app: 1}", "matchLabels.app: must be a string"},
            {"matchLabels: [a]", "matchLabels: must be a map"},
            {"matchExpressions: [{operator: Exists}]", "matchExpressions[0].key: Required value"},
        };
        for (size_t i = 0; i < TM_ARRAY_SIZE(bad); i++) {
                s = NULL;
                assert_int_equal(from_yaml(bad[i].y, &s, &err), -EINVAL);
                assert_null(s);
                if (strncmp(err.msg, bad[i].msg, strlen(bad[i].msg)))
                        print_error("%s: got \"%s\"\n", bad[i].y, err.msg);
                assert_true(strncmp(err.msg, bad[i].msg, strlen(bad[i].msg)) == 0);
        }
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_parse_format),
            cmocka_unit_test(test_parse_errors),
            cmocka_unit_test(test_matches),
            cmocka_unit_test(test_label_selector),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
