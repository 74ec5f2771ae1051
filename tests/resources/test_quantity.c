/* Quantities against k8s.io/apimachinery/pkg/api/resource's own vectors
 * (quantity_test.go: TestQuantityParse, TestQuantityString,
 * TestQuantityParseEmit, TestQuantityCmp...). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/mem.h"
#include "resources/quantity.h"

static res_quantity
q(const char *s)
{
        res_quantity r;
        int rc = res_quantity_parse(s, &r);
        if (rc)
                print_error("parse \"%s\" failed\n", s);
        assert_int_equal(rc, 0);
        return r;
}

static void
expect_str(const char *in, const char *want)
{
        char buf[RES_QUANTITY_STR_MAX];
        res_quantity x = q(in);
        res_quantity_format(&x, buf);
        if (strcmp(buf, want))
                print_error("%s: got %s, want %s\n", in, buf, want);
        assert_string_equal(buf, want);
}

/* in parses to mant * 10^scale with format */
static void
expect_val(const char *in, int64_t mant, int scale, res_qformat fmt)
{
        res_quantity x = q(in);
        res_quantity want = {mant, scale, fmt};
        /* bring want to lowest terms */
        while (want.mant && want.mant % 10 == 0) {
                want.mant /= 10;
                want.scale++;
        }
        if (!want.mant)
                want.scale = 0;
        if (res_quantity_cmp(&x, &want) != 0 || x.format != fmt)
                print_error("%s: got %lld e%d fmt %d\n", in, (long long)x.mant, x.scale, x.format);
        assert_int_equal(res_quantity_cmp(&x, &want), 0);
        assert_int_equal(x.format, fmt);
        assert_true(x.mant == want.mant && x.scale == want.scale);
        /* the negative and the explicit + */
        char buf[128];
        snprintf(buf, sizeof(buf), "-%s", in);
        res_quantity n = q(buf);
        res_quantity negwant = {-want.mant, want.scale, fmt};
        assert_int_equal(res_quantity_cmp(&n, &negwant), 0);
        snprintf(buf, sizeof(buf), "+%s", in);
        n = q(buf);
        assert_int_equal(res_quantity_cmp(&n, &want), 0);
}

#define DSI RES_Q_DECIMAL_SI
#define BSI RES_Q_BINARY_SI
#define DEX RES_Q_DECIMAL_EXP

static void
test_parse(void **state)
{
        expect_val("0", 0, 0, DSI);
        expect_val("0n", 0, 0, DSI);
        expect_val("0Ki", 0, 0, BSI);
        expect_val("0Ti", 0, 0, BSI);
        expect_val("1", 1, 0, DSI);
        expect_val("1Ki", 1024, 0, BSI);
        expect_val("8Ki", 8 * 1024, 0, BSI);
        expect_val("7Mi", 7 * 1024 * 1024, 0, BSI);
        expect_val("6Gi", 6LL * 1024 * 1024 * 1024, 0, BSI);
        expect_val("5Ti", 5LL << 40, 0, BSI);
        expect_val("4Pi", 4LL << 50, 0, BSI);
        expect_val("3Ei", 3LL << 60, 0, BSI);
        expect_val("100Ti", 100LL << 40, 0, BSI);
        expect_val("5n", 5, -9, DSI);
        expect_val("4u", 4, -6, DSI);
        expect_val("3m", 3, -3, DSI);
        expect_val("8k", 8, 3, DSI);
        expect_val("50k", 5, 4, DSI);
        expect_val("300T", 3, 14, DSI);
        expect_val("1E", 1, 18, DSI);
        expect_val("1E-3", 1, -3, DEX);
        expect_val("1e3", 1, 3, DEX);
        expect_val("1E18", 1, 18, DEX);
        expect_val("100.035k", 100035, 0, DSI);
        expect_val("0.001", 1, -3, DSI);
        expect_val("0.0005k", 5, -1, DSI);
        expect_val("0.00050k", 5, -1, DSI);
        expect_val("0.50000", 5, -1, DSI);
        expect_val("0.5e-2", 5, -3, DEX);
        expect_val("10.035M", 10035, 3, DSI);
        expect_val("1.3E+6", 13, 5, DEX);
        expect_val("1.53E12", 153, 10, DEX);
        expect_val("7.123456M", 7123456, 0, DSI);
        expect_val("6.987654321G", 6987654321LL, 0, DSI);
        expect_val("1.01E", 101, 16, DSI);
        expect_val("3.001n", 4, -9, DSI);
        expect_val("1.1E-9", 2, -9, DEX);
        expect_val("0.0000000001", 1, -9, DSI);
        expect_val("0.00000000050", 1, -9, DSI);
        expect_val("0.5e-9", 1, -9, DEX);
        expect_val("0.9n", 1, -9, DSI);
        expect_val("0.00000012345", 124, -9, DSI);
        expect_val("0.00000012354", 124, -9, DSI);
        expect_val("9Ei", INT64_MAX, 0, BSI);
        expect_val("9223372036854775807Ki", INT64_MAX, 0, BSI);
        expect_val("12E", 12, 18, DSI); /* the fast path is not capped */
        expect_val("100.035Ki", 10243584, -2, BSI);
        expect_val("0.5Mi", 512 * 1024, 0, BSI);
        expect_val("0.05Gi", 536870912, -1, BSI);
        expect_val("0.025Ti", 274877906944LL, -1, BSI);
        expect_val("0.000000000001Ki", 2, -9, DSI);
        expect_val(".001", 1, -3, DSI);
        expect_val(".0001k", 100, -3, DSI);
        expect_val("1.", 1, 0, DSI);
        expect_val("1.G", 1, 9, DSI);
        expect_val(".", 0, 0, DSI);
        /* many digits go the exact slow path */
        expect_val("123456789012345678901234567890n", INT64_MAX, 0, DSI);
        expect_val("1234567890.123456789123", 1234567890123456790LL, -9, DSI);

        const char *invalid[] = {"",    "1.1.M", "1+1.0M", "0.1mi",   "0.1am",        "aoeu",
                                 ".5i", "1i",    "-3.01i", "-3.01e-", "1e4294967297", " 1",
                                 "1 ",  "1Ki3",  "1e",     "1.5.5"};
        for (size_t i = 0; i < TM_ARRAY_SIZE(invalid); i++) {
                res_quantity x;
                if (res_quantity_parse(invalid[i], &x) == 0)
                        print_error("parsed \"%s\"\n", invalid[i]);
                assert_int_equal(res_quantity_parse(invalid[i], &x), -EINVAL);
        }
        assert_string_equal(res_quantity_strerror(-EINVAL),
                            "quantities must match the regular expression "
                            "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
}

static void
test_string(void **state)
{
        /* the brief's and TestQuantityParseEmit's */
        expect_str("1.5Gi", "1536Mi");
        expect_str("0.5", "500m");
        expect_str("1000", "1k");
        expect_str("1e3", "1e3");
        expect_str("100m", "100m");
        expect_str("1024Mi", "1Gi");
        expect_str("0", "0");
        expect_str("-1.5", "-1500m");
        expect_str("1.1Mi", "1153433600m");
        expect_str("1Ki", "1Ki");
        expect_str("1000M", "1G");
        expect_str(".001Ki", "1024m");
        expect_str(".000001Ki", "1024u");
        expect_str(".000000001Ki", "1024n");
        expect_str(".000000000001Ki", "2n");
        expect_str("-.001Ki", "-1024m");
        /* TestQuantityString's alternates */
        expect_str("307200Ki", "300Mi");
        expect_str("1025024Mi", "1001Gi");
        expect_str("1024Gi", "1Ti");
        expect_str("5000m", "5");
        expect_str("0.5", "500m");
        expect_str("0.001T", "1G");
        expect_str("1000u", "1m");
        expect_str("1.08", "1080m");
        expect_str("1080000000n", "1080m");
        expect_str(".001e12", "1e9");
        expect_str("0.001e0", "1e-3");
        expect_str("1000e-12", "1e-9");
        expect_str("80e-3", "80e-3");
        expect_str("300e6", "300e6");
        expect_str("00", "0");
        expect_str("1000E", "1e21");
        expect_str("5000E", "5e21");
        expect_str("1234567M", "1234567M");
        expect_str("1025Ki", "1025Ki");
        expect_str("6Ki", "6Ki");
        expect_str("1023", "1023");
        expect_str("2000", "2k");
        expect_str("9Ei", "9223372036854775807");
        expect_str("12E", "12E");
        expect_str("100Gi", "100Gi");
        expect_str("128974848", "128974848");
        expect_str("129e6", "129e6");
        expect_str("123Mi", "123Mi");
        expect_str("1.5", "1500m");
        expect_str("250m", "250m");
        expect_str("0.1", "100m");
        expect_str("2.5Gi", "2560Mi");
}

static void
test_cmp_and_values(void **state)
{
        res_quantity a = q("100m"), b = q("50m"), c = q("10000T"), d = q("100Gi");
        assert_int_equal(res_quantity_cmp(&a, &b), 1);
        assert_int_equal(res_quantity_cmp(&b, &a), -1);
        assert_int_equal(res_quantity_cmp(&c, &d), 1);
        res_quantity e = q("1Gi"), f = q("1073741824");
        assert_int_equal(res_quantity_cmp(&e, &f), 0);
        res_quantity g = q("-1"), h = q("1e-3");
        assert_int_equal(res_quantity_cmp(&g, &h), -1);
        res_quantity big = q("1e100"), tiny = q("1n");
        assert_int_equal(res_quantity_cmp(&big, &tiny), 1);
        assert_true(res_quantity_is_zero(&(res_quantity){0, 0, DSI}));
        assert_true(res_quantity_is_negative(&g));

        res_quantity x = q("9.01");
        assert_int_equal(res_quantity_value(&x), 10);
        assert_int_equal(res_quantity_milli_value(&x), 9010);
        x = q("-9.01");
        assert_int_equal(res_quantity_value(&x), -10);
        x = q("100m");
        assert_int_equal(res_quantity_value(&x), 1);
        assert_int_equal(res_quantity_milli_value(&x), 100);
        x = q("1.5n");
        assert_int_equal(res_quantity_milli_value(&x), 1);
        x = q("12E");
        assert_int_equal(res_quantity_value(&x), INT64_MAX);
        x = q("1Gi");
        assert_int_equal(res_quantity_value(&x), 1073741824);
        assert_int_equal(res_quantity_milli_value(&x), 1073741824000LL);

        res_quantity s;
        a = q("100m");
        b = q("1");
        assert_int_equal(res_quantity_add(&a, &b, &s), 0);
        char buf[RES_QUANTITY_STR_MAX];
        res_quantity_format(&s, buf);
        assert_string_equal(buf, "1100m");
        res_quantity z = q("0");
        a = q("1Gi");
        assert_int_equal(res_quantity_add(&z, &a, &s), 0);
        res_quantity_format(&s, buf);
        assert_string_equal(buf, "1Gi");
        a = q("1Ei");
        res_quantity acc = a;
        for (int i = 0; i < 1023; i++)
                assert_int_equal(res_quantity_add(&acc, &a, &acc), 0);
        res_quantity_format(&acc, buf);
        assert_string_equal(buf, "1180591620717411303424"); /* 2^70: past Ei */
        a = q("1e100");
        b = q("1n");
        assert_int_equal(res_quantity_add(&a, &b, &s), -ERANGE);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_parse),
            cmocka_unit_test(test_string),
            cmocka_unit_test(test_cmp_and_values),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
