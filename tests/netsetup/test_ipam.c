/* IPAM on real files in a temporary directory: parsing, round-robin
 * allocation, persistence, exhaustion, crash leftovers, corrupt state. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/mem.h"
#include "common/util.h"
#include "netsetup/ipam.h"

struct fx {
        char dir[64];
        net_cidr cidr;
};

static int
setup(void **state)
{
        struct fx *f = xcalloc(1, sizeof(*f));
        snprintf(f->dir, sizeof(f->dir), "/tmp/tmn-ipam-XXXXXX");
        if (!mkdtemp(f->dir))
                return -1;
        assert_int_equal(net_cidr_parse("10.77.0.0/24", &f->cidr, NULL), 0);
        *state = f;
        return 0;
}

static int
teardown(void **state)
{
        struct fx *f = *state;
        tm_rm_rf(f->dir, NULL);
        free(f);
        return 0;
}

static uint32_t
ip(const char *s)
{
        uint32_t v;
        assert_int_equal(net_ip4_parse(s, &v), 0);
        return v;
}

static void
test_parse(void **state)
{
        net_cidr c;
        assert_int_equal(net_cidr_parse("10.42.0.0/24", &c, NULL), 0);
        assert_int_equal(c.addr, 0x0a2a0000);
        assert_int_equal(c.prefix, 24);
        assert_int_equal(net_cidr_parse("0.0.0.0/0", &c, NULL), 0);
        assert_int_equal(net_cidr_parse("255.255.255.255/32", &c, NULL), 0);
        static const char *bad[] = {
            "",
            "10.42.0.0",
            "10.42.0.0/",
            "10.42.0.0/33",
            "10.42.0.0/024",
            "10.042.0.0/24",
            "10.42.0.1/24",
            " 10.42.0.0/24",
            "10.42.0.0/24 ",
            "256.0.0.0/8",
            "1.2.3/8",
            "1.2.3.4.5/8",
            "a.b.c.d/8",
            "10.42.0.0/-1",
            "10.42.0.0/+8",
            "10..0.0/8",
            "10.42.0.0/24/1",
            "1.2.3.4/8x",
            "10.42.0.0\n/24",
            "0x0a.0.0.0/8",
            "10.42.0.0/240000000000000000",
        };
        for (size_t i = 0; i < TM_ARRAY_SIZE(bad); i++) {
                tm_error err = {0};
                assert_int_equal(net_cidr_parse(bad[i], &c, &err), -EINVAL);
                assert_true(strlen(err.msg) > 0);
        }
        uint32_t v;
        assert_int_equal(net_ip4_parse("10.42.0.7", &v), 0);
        assert_int_equal(v, 0x0a2a0007);
        assert_true(net_ip4_parse("10.42.0.07", &v) < 0);
        assert_true(net_ip4_parse("10.42.0", &v) < 0);
        assert_true(net_ip4_parse("10.42.0.7.", &v) < 0);
        assert_true(net_ip4_parse("1000.42.0.7", &v) < 0);
        char s[16];
        net_ip4_format(0xfffffffe, s);
        assert_string_equal(s, "255.255.255.254");

        assert_true(net_ipam_key_valid("default/web-6d4f"));
        assert_true(net_ipam_key_valid("0f8c3e2a-1b2c-4d5e-8f90-a1b2c3d4e5f6"));
        assert_false(net_ipam_key_valid(""));
        assert_false(net_ipam_key_valid("a b"));
        assert_false(net_ipam_key_valid("a\nb"));
        assert_false(net_ipam_key_valid("/abs"));
        assert_false(net_ipam_key_valid(".."));
        char long_key[NET_IPAM_KEY_MAX + 2];
        memset(long_key, 'k', sizeof(long_key) - 1);
        long_key[sizeof(long_key) - 1] = '\0';
        assert_false(net_ipam_key_valid(long_key));
        long_key[NET_IPAM_KEY_MAX] = '\0';
        assert_true(net_ipam_key_valid(long_key));

        char key[NET_IPAM_KEY_MAX + 1];
        assert_int_equal(net_ipam_entry_parse("pod-1\n", 6, key), 0);
        assert_string_equal(key, "pod-1");
        assert_true(net_ipam_entry_parse("", 0, key) < 0);
        assert_true(net_ipam_entry_parse("\n", 1, key) < 0);
        assert_true(net_ipam_entry_parse("a\0b", 3, key) < 0);
        assert_true(net_ipam_entry_parse("a\n\n", 3, key) < 0);
}

static void
test_round_robin(void **state)
{
        struct fx *f = *state;
        net_ipam *ipam;
        tm_error err = {0};
        assert_int_equal(net_ipam_open(&ipam, f->dir, &f->cidr, &err), 0);
        uint32_t a, b, again, c;
        assert_int_equal(net_ipam_allocate(ipam, "pod-a", &a, &err), 0);
        assert_int_equal(a, ip("10.77.0.2")); /* .0 network, .1 gateway */
        assert_int_equal(net_ipam_allocate(ipam, "pod-b", &b, &err), 0);
        assert_int_equal(b, ip("10.77.0.3"));
        assert_int_equal(net_ipam_allocate(ipam, "pod-a", &again, &err), 0);
        assert_int_equal(again, a);
        assert_int_equal(net_ipam_count(ipam), 2);

        /* The claim is a symlink to the key. */
        _cleanup_free_ char *path = xasprintf("%s/ips/10.77.0.2", f->dir);
        char data[64];
        ssize_t dn = readlink(path, data, sizeof(data) - 1);
        assert_int_equal(dn, 5);
        data[dn] = '\0';
        assert_string_equal(data, "pod-a");

        /* A just-freed address is not handed out next. */
        assert_int_equal(net_ipam_release(ipam, "pod-a", &err), 0);
        assert_int_equal(access(path, F_OK), -1);
        assert_int_equal(net_ipam_lookup(ipam, "pod-a", &again), -ENOENT);
        assert_int_equal(net_ipam_allocate(ipam, "pod-c", &c, &err), 0);
        assert_int_equal(c, ip("10.77.0.4"));
        assert_int_equal(net_ipam_release(ipam, "never-held", &err), 0);

        assert_true(net_ipam_allocate(ipam, "bad key", &c, &err) == -EINVAL);

        /* Persistence: held addresses and the round-robin position. */
        net_ipam_close(ipam);
        assert_int_equal(net_ipam_open(&ipam, f->dir, &f->cidr, &err), 0);
        assert_int_equal(net_ipam_count(ipam), 2);
        assert_int_equal(net_ipam_lookup(ipam, "pod-b", &again), 0);
        assert_int_equal(again, b);
        assert_int_equal(net_ipam_lookup(ipam, "pod-c", &again), 0);
        assert_int_equal(again, c);
        assert_int_equal(net_ipam_allocate(ipam, "pod-d", &again, &err), 0);
        assert_int_equal(again, ip("10.77.0.5"));

        /* One process at a time. */
        net_ipam *other;
        assert_int_equal(net_ipam_open(&other, f->dir, &f->cidr, &err), -EBUSY);
        net_ipam_close(ipam);
}

static void
test_exhaustion_and_wrap(void **state)
{
        struct fx *f = *state;
        net_cidr small;
        assert_int_equal(net_cidr_parse("10.77.0.0/29", &small, NULL), 0);
        net_ipam *ipam;
        tm_error err = {0};
        assert_int_equal(net_ipam_open(&ipam, f->dir, &small, &err), 0);
        uint32_t got[5], x;
        for (int i = 0; i < 5; i++) {
                char key[16];
                snprintf(key, sizeof(key), "p%d", i);
                assert_int_equal(net_ipam_allocate(ipam, key, &got[i], &err), 0);
                assert_int_equal(got[i], ip("10.77.0.2") + (uint32_t)i); /* .2 .. .6 */
        }
        assert_int_equal(net_ipam_allocate(ipam, "p5", &x, &err), -ENOSPC);
        assert_non_null(strstr(err.msg, "no free address"));
        assert_non_null(strstr(err.msg, "10.77.0.0/29"));
        /* Holding keys still get theirs. */
        assert_int_equal(net_ipam_allocate(ipam, "p3", &x, &err), 0);
        assert_int_equal(x, got[3]);
        /* Free .3; the next one wraps past .7 (broadcast) to it. */
        assert_int_equal(net_ipam_release(ipam, "p1", &err), 0);
        assert_int_equal(net_ipam_allocate(ipam, "p6", &x, &err), 0);
        assert_int_equal(x, ip("10.77.0.3"));
        net_ipam_close(ipam);

        net_cidr wide;
        assert_int_equal(net_cidr_parse("10.76.0.0/15", &wide, NULL), 0);
        assert_int_equal(net_ipam_open(&ipam, f->dir, &wide, &err), -EINVAL);
        assert_int_equal(net_cidr_parse("10.77.0.0/31", &wide, NULL), 0);
        assert_int_equal(net_ipam_open(&ipam, f->dir, &wide, &err), -EINVAL);
}

static void
write_file(const char *dir, const char *name, const char *data, size_t len)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", dir, name);
        FILE *fp = fopen(p, "w");
        assert_non_null(fp);
        assert_int_equal(fwrite(data, 1, len, fp), len);
        fclose(fp);
}

static void
expect_corrupt(struct fx *f, const char *needle)
{
        net_ipam *ipam = NULL;
        tm_error err = {0};
        int r = net_ipam_open(&ipam, f->dir, &f->cidr, &err);
        if (r == 0)
                net_ipam_close(ipam);
        assert_true(r < 0);
        if (!strstr(err.msg, needle))
                fail_msg("error \"%s\" lacks \"%s\"", err.msg, needle);
}

static void
put_link(const char *dir, const char *name, const char *target)
{
        _cleanup_free_ char *p = xasprintf("%s/%s", dir, name);
        unlink(p);
        assert_int_equal(symlink(target, p), 0);
}

static void
test_corrupt_state(void **state)
{
        struct fx *f = *state;
        net_ipam *ipam;
        tm_error err = {0};
        assert_int_equal(net_ipam_open(&ipam, f->dir, &f->cidr, &err), 0);
        net_ipam_close(ipam);
        _cleanup_free_ char *ips = xasprintf("%s/ips", f->dir);
        _cleanup_free_ char *p9 = xasprintf("%s/10.77.0.9", ips);

        put_link(ips, "10.77.0.9", "bad key with spaces");
        expect_corrupt(f, "corrupt allocation");
        put_link(ips, "10.77.0.9", "/etc/passwd");
        expect_corrupt(f, "corrupt allocation");
        char big[400];
        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        put_link(ips, "10.77.0.9", big);
        expect_corrupt(f, "corrupt allocation");
        /* A regular file is not something we wrote. */
        unlink(p9);
        write_file(ips, "10.77.0.9", "pod-x\n", 6);
        expect_corrupt(f, "corrupt allocation");
        unlink(p9);
        _cleanup_free_ char *sub = xasprintf("%s/10.77.0.12", ips);
        assert_int_equal(mkdir(sub, 0700), 0);
        expect_corrupt(f, "corrupt allocation");
        rmdir(sub);

        put_link(ips, "10.77.0.9", "pod-x");
        put_link(ips, "10.77.0.10", "pod-x");
        expect_corrupt(f, "holds two addresses");
        _cleanup_free_ char *p10 = xasprintf("%s/10.77.0.10", ips);
        unlink(p10);

        put_link(ips, "10.77.0.255", "pod-y");
        expect_corrupt(f, "outside the pod CIDR");
        _cleanup_free_ char *p255 = xasprintf("%s/10.77.0.255", ips);
        unlink(p255);
        put_link(ips, "10.77.1.9", "pod-y");
        expect_corrupt(f, "outside the pod CIDR");
        _cleanup_free_ char *p19 = xasprintf("%s/10.77.1.9", ips);
        unlink(p19);
        put_link(ips, "junk", "pod-y");
        expect_corrupt(f, "unexpected file");
        _cleanup_free_ char *pj = xasprintf("%s/junk", ips);
        unlink(pj);

        put_link(f->dir, "last_reserved", "10.77.0.300");
        expect_corrupt(f, "last_reserved");
        _cleanup_free_ char *lr = xasprintf("%s/last_reserved", f->dir);
        unlink(lr);
        write_file(f->dir, "last_reserved", "10.77.0.20", 10);
        expect_corrupt(f, "last_reserved");
        put_link(f->dir, "last_reserved", "10.77.0.20");

        /* Healthy again: pod-x keeps .9 and the next goes after .20. */
        assert_int_equal(net_ipam_open(&ipam, f->dir, &f->cidr, &err), 0);
        uint32_t x;
        assert_int_equal(net_ipam_lookup(ipam, "pod-x", &x), 0);
        assert_int_equal(x, ip("10.77.0.9"));
        assert_int_equal(net_ipam_allocate(ipam, "pod-z", &x, &err), 0);
        assert_int_equal(x, ip("10.77.0.21"));
        net_ipam_close(ipam);
        /* What a restart sees is what was written. */
        assert_int_equal(net_ipam_open(&ipam, f->dir, &f->cidr, &err), 0);
        assert_int_equal(net_ipam_count(ipam), 2);
        assert_int_equal(net_ipam_allocate(ipam, "pod-w", &x, &err), 0);
        assert_int_equal(x, ip("10.77.0.22"));
        net_ipam_close(ipam);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_parse),
            cmocka_unit_test_setup_teardown(test_round_robin, setup, teardown),
            cmocka_unit_test_setup_teardown(test_exhaustion_and_wrap, setup, teardown),
            cmocka_unit_test_setup_teardown(test_corrupt_state, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
