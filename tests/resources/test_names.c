/* Name validation against k8s.io/apimachinery/pkg/util/validation's own
 * accept and reject tables (validation_test.go). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/mem.h"
#include "resources/names.h"

typedef const char *(*check_fn)(const char *);

static void
accept_all(check_fn f, const char *const *good, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                const char *m = f(good[i]);
                if (m)
                        print_error("rejected \"%s\": %s\n", good[i], m);
                assert_null(m);
        }
}

static void
reject_all(check_fn f, const char *const *bad, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                if (!f(bad[i]))
                        print_error("accepted \"%s\"\n", bad[i]);
                assert_non_null(f(bad[i]));
        }
}

static char *
rep(char c, size_t n)
{
        char *s = xmalloc(n + 1);
        memset(s, c, n);
        s[n] = '\0';
        return s;
}

static void
test_dns1123_label(void **state)
{
        const char *good[] = {"a", "ab", "abc", "a1", "a-1", "a--1--2--b",
                              "0", "01", "012", "1a", "1-a", "1--a--b--2"};
        const char *bad[] = {"",    "A",  "ABC", "aBc", "A1",  "A-1", "1-A", "-",   "a-",
                             "-a",  "1-", "-1",  "_",   "a_",  "_a",  "a_b", "1_",  "_1",
                             "1_2", ".",  "a.",  ".a",  "a.b", "1.",  ".1",  "1.2", " ",
                             "a ",  " a", "a b", "1 ",  " 1",  "1 2"};
        accept_all(res_check_dns1123_label, good, TM_ARRAY_SIZE(good));
        reject_all(res_check_dns1123_label, bad, TM_ARRAY_SIZE(bad));
        _cleanup_free_ char *l63 = rep('a', 63), *l64 = rep('a', 64);
        assert_null(res_check_dns1123_label(l63));
        assert_string_equal(res_check_dns1123_label(l64), "must be no more than 63 characters");
        assert_string_equal(res_check_dns1123_label("A"),
                            "a lowercase RFC 1123 label must consist of lower case alphanumeric "
                            "characters or '-', and must start and end with an alphanumeric "
                            "character (e.g. 'my-name',  or '123-abc', regex used for validation "
                            "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
}

static void
test_dns1123_subdomain(void **state)
{
        const char *good[] = {"a",         "ab",
                              "abc",       "a1",
                              "a-1",       "a--1--2--b",
                              "0",         "01",
                              "012",       "1a",
                              "1-a",       "1--a--b--2",
                              "a.a",       "ab.a",
                              "abc.a",     "a1.a",
                              "a-1.a",     "a--1--2--b.a",
                              "a.1",       "ab.1",
                              "abc.1",     "a1.1",
                              "a-1.1",     "a--1--2--b.1",
                              "0.a",       "01.a",
                              "012.a",     "1a.a",
                              "1-a.a",     "1--a--b--2",
                              "0.1",       "01.1",
                              "012.1",     "1a.1",
                              "1-a.1",     "1--a--b--2.1",
                              "a.b.c.d.e", "aa.bb.cc.dd.ee",
                              "1.2.3.4.5", "11.22.33.44.55"};
        const char *bad[] = {"",
                             "A",
                             "ABC",
                             "aBc",
                             "A1",
                             "A-1",
                             "1-A",
                             "-",
                             "a-",
                             "-a",
                             "1-",
                             "-1",
                             "_",
                             "a_",
                             "_a",
                             "a_b",
                             "1_",
                             "_1",
                             "1_2",
                             ".",
                             "a.",
                             ".a",
                             "a..b",
                             "1.",
                             ".1",
                             "1..2",
                             " ",
                             "a ",
                             " a",
                             "a b",
                             "1 ",
                             " 1",
                             "1 2",
                             "A.a",
                             "aB.a",
                             "ab.A",
                             "A1.a",
                             "a1.A",
                             "A.1",
                             "aB.1",
                             "A1.1",
                             "1A.1",
                             "0.A",
                             "01.A",
                             "012.A",
                             "1A.a",
                             "1a.A",
                             "A.B.C.D.E",
                             "AA.BB.CC.DD.EE",
                             "a.B.c.d.e",
                             "aa.bB.cc.dd.ee",
                             "a@b",
                             "a,b",
                             "a_b",
                             "a;b",
                             "a:b",
                             "a%b",
                             "a?b",
                             "a$b"};
        accept_all(res_check_dns1123_subdomain, good, TM_ARRAY_SIZE(good));
        reject_all(res_check_dns1123_subdomain, bad, TM_ARRAY_SIZE(bad));
        _cleanup_free_ char *l253 = rep('a', 253), *l254 = rep('a', 254);
        assert_null(res_check_dns1123_subdomain(l253));
        assert_string_equal(res_check_dns1123_subdomain(l254),
                            "must be no more than 253 characters");
}

static void
test_dns1035_label(void **state)
{
        const char *good[] = {"a", "ab", "abc", "a1", "a-1", "a--1--2--b"};
        const char *bad[] = {"0",   "01",  "012", "1a",  "1-a", "1--a--b--2", "",   "A",
                             "ABC", "aBc", "A1",  "A-1", "1-A", "-",          "a-", "-a",
                             "1-",  "-1",  "_",   "a_",  "_a",  "a_b",        "1_", "_1",
                             "1_2", ".",   "a.",  ".a",  "a.b", "1.",         ".1", "1.2",
                             " ",   "a ",  " a",  "a b", "1 ",  " 1",         "1 2"};
        accept_all(res_check_dns1035_label, good, TM_ARRAY_SIZE(good));
        reject_all(res_check_dns1035_label, bad, TM_ARRAY_SIZE(bad));
        assert_string_equal(res_check_dns1035_label("1a"),
                            "a DNS-1035 label must consist of lower case alphanumeric characters "
                            "or '-', start with an alphabetic character, and end with an "
                            "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used "
                            "for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
}

static void
test_port_names(void **state)
{
        const char *good[] = {"telnet", "re-mail-ck", "pop3",      "a",
                              "a-1",    "1-a",        "a-1-b-2-c", "1-a-2-b-3"};
        const char *bad[] = {
            "longerthan15characters", "",       "12345", "1-2-3-4", "-begin", "end-",
            "two--hyphens",           "whois++"};
        accept_all(res_check_iana_svc_name, good, TM_ARRAY_SIZE(good));
        reject_all(res_check_iana_svc_name, bad, TM_ARRAY_SIZE(bad));
        assert_string_equal(res_check_iana_svc_name("12345"),
                            "must contain at least one letter (a-z)");
        assert_string_equal(res_check_iana_svc_name("two--hyphens"),
                            "must not contain consecutive hyphens");
        assert_string_equal(res_check_iana_svc_name("-begin"),
                            "must not begin or end with a hyphen");
        assert_string_equal(res_check_iana_svc_name("longerthan15characters"),
                            "must be no more than 15 characters");
}

static void
test_qualified_names(void **state)
{
        const char *good[] = {"simple",
                              "now-with-dashes",
                              "1-starts-with-num",
                              "1234",
                              "simple/simple",
                              "now-with-dashes/simple",
                              "now-with-dashes/now-with-dashes",
                              "now.with.dots/simple",
                              "now-with.dashes-and.dots/simple",
                              "1-num.2-num/3-num",
                              "1234/5678",
                              "1.2.3.4/5678",
                              "Uppercase_Is_OK_123",
                              "example.com/Uppercase_Is_OK_123",
                              "requests.storage-foo",
                              "app.kubernetes.io/name"};
        const char *bad[] = {"nospecialchars%^=@",
                             "cantendwithadash-",
                             "-cantstartwithadash-",
                             "only/one/slash",
                             "Example.com/abc",
                             "example_com/abc",
                             "example.com/",
                             "/simple",
                             "",
                             "a/",
                             "/"};
        accept_all(res_check_qualified_name, good, TM_ARRAY_SIZE(good));
        reject_all(res_check_qualified_name, bad, TM_ARRAY_SIZE(bad));
        _cleanup_free_ char *l63 = rep('a', 63), *l64 = rep('a', 64);
        assert_null(res_check_qualified_name(l63));
        assert_string_equal(res_check_qualified_name(l64),
                            "name part must be no more than 63 characters");
        assert_string_equal(res_check_qualified_name("/simple"), "prefix part must be non-empty");
        assert_string_equal(res_check_qualified_name("a/"), "name part must be non-empty");
        assert_true(strncmp(res_check_qualified_name("Example.com/abc"),
                            "prefix part a lowercase RFC 1123 subdomain", 42) == 0);
        assert_string_equal(res_check_qualified_name("-x"),
                            "name part must consist of alphanumeric characters, '-', '_' or '.', "
                            "and must start and end with an alphanumeric character (e.g. "
                            "'MyName',  or 'my.name',  or '123-abc', regex used for validation "
                            "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
}

static void
test_label_values(void **state)
{
        const char *good[] = {
            "simple", "now-with-dashes", "1-starts-with-num", "end-with-num-1", "1234",
            "",       "A.B.C",           "underscore_ok"};
        const char *bad[] = {"nospecialchars%^=@",
                             "Tama-nui-te-rā.Atua-o-te-ao.Nui-o-te-pō",
                             "cantendwithadash-",
                             "-cantstartwithadash",
                             "a/b",
                             " a",
                             "a "};
        accept_all(res_check_label_value, good, TM_ARRAY_SIZE(good));
        reject_all(res_check_label_value, bad, TM_ARRAY_SIZE(bad));
        _cleanup_free_ char *l64 = rep('a', 64);
        assert_string_equal(res_check_label_value(l64), "must be no more than 63 characters");
}

static void
test_config_keys(void **state)
{
        const char *good[] = {
            "a",           "good",         "good-good",    "still.good", "this.is.also.good",
            ".so.is.this", "THIS_IS_GOOD", "so_is_this_17"};
        const char *bad[] = {"", ".", "..", "..bad", "b*d", "bad!&bad", "a/b", "a b"};
        accept_all(res_check_config_key, good, TM_ARRAY_SIZE(good));
        reject_all(res_check_config_key, bad, TM_ARRAY_SIZE(bad));
        assert_string_equal(res_check_config_key(".."), "must not be '..'");
        assert_string_equal(res_check_config_key("..bad"), "must not start with '..'");
        _cleanup_free_ char *l254 = rep('a', 254);
        assert_string_equal(res_check_config_key(l254), "must be no more than 253 characters");
}

static void
test_env_and_paths(void **state)
{
        const char *good_env[] = {"A", "ABC", "AbC_123", "_",  "__", "-",
                                  "1", "a.b", "my var",  "$X", "9a"};
        const char *bad_env[] = {"", "A=B", "caf\xc3\xa9", "a\tb", "a\nb"};
        accept_all(res_check_env_var_name, good_env, TM_ARRAY_SIZE(good_env));
        reject_all(res_check_env_var_name, bad_env, TM_ARRAY_SIZE(bad_env));
        const char *good_path[] = {"a", "a/b", "a/b.txt", ".hidden", "a..b", "a/..b/c", "x/./y"};
        const char *bad_path[] = {"", "/abs", "..", "../x", "a/../b", "a/..", "..x"};
        accept_all(res_check_path_segment, good_path, TM_ARRAY_SIZE(good_path));
        reject_all(res_check_path_segment, bad_path, TM_ARRAY_SIZE(bad_path));
        assert_string_equal(res_check_path_segment("/abs"), "must be a relative path");
        assert_string_equal(res_check_path_segment("a/../b"), "must not contain '..'");
        assert_string_equal(res_check_path_segment("..x"), "must not start with '..'");
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_dns1123_label),   cmocka_unit_test(test_dns1123_subdomain),
            cmocka_unit_test(test_dns1035_label),   cmocka_unit_test(test_port_names),
            cmocka_unit_test(test_qualified_names), cmocka_unit_test(test_label_values),
            cmocka_unit_test(test_config_keys),     cmocka_unit_test(test_env_and_paths),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
