/* The pod network on real namespaces. The test process first moves into a
 * network namespace of its own, which plays the node: the bridge, the host
 * veths, IPv4 forwarding and the nftables table live there and vanish with
 * the process. Pods are named namespaces "tmn-<pid>-*" made with `ip netns
 * add` and removed at exit. Needs root; checked with ip, nft and ping. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/mem.h"
#include "common/util.h"
#include "netsetup/podnet.h"

#define MAX_NS 64

static int g_pid;
static char g_state[64];
static char g_bridge[16];
static char *g_netns[MAX_NS];
static size_t g_n_netns;
static const char *g_ping = "ping";

static void
cleanup_all(void)
{
        for (size_t i = 0; i < g_n_netns; i++) {
                char cmd[128];
                snprintf(cmd, sizeof(cmd), "ip netns del %s >/dev/null 2>&1", g_netns[i]);
                if (system(cmd) != 0)
                        fprintf(stderr, "could not remove netns %s\n", g_netns[i]);
                free(g_netns[i]);
        }
        g_n_netns = 0;
        if (g_state[0])
                tm_rm_rf(g_state, NULL);
}

/* Namespaces "tmn-<pid>-*" of a run that was killed before its clean-up. */
static void
remove_stale_netns(void)
{
        FILE *p = popen("ip netns list 2>/dev/null", "r");
        if (!p)
                return;
        char line[256];
        while (fgets(line, sizeof(line), p)) {
                int pid, end = 0;
                if (sscanf(line, "tmn-%d-%*[a-z0-9]%n", &pid, &end) != 1 || end == 0 || pid <= 0)
                        continue;
                char proc[32];
                snprintf(proc, sizeof(proc), "/proc/%d", pid);
                if (access(proc, F_OK) == 0)
                        continue;
                line[end] = '\0';
                char cmd[320];
                snprintf(cmd, sizeof(cmd), "ip netns del '%s' >/dev/null 2>&1", line);
                if (system(cmd) != 0)
                        fprintf(stderr, "could not remove stale netns %s\n", line);
        }
        pclose(p);
}

static int __attribute__((format(printf, 1, 2))) sh(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *cmd = xvasprintf(fmt, ap);
        va_end(ap);
        _cleanup_free_ char *full = xasprintf("(%s) >/dev/null 2>&1", cmd);
        int st = system(full);
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *__attribute__((format(printf, 1, 2))) sh_out(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        _cleanup_free_ char *cmd = xvasprintf(fmt, ap);
        va_end(ap);
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        char *buf = xcalloc(1, 65536);
        size_t n = fread(buf, 1, 65535, p);
        buf[n] = '\0';
        pclose(p);
        return buf;
}

#define assert_contains(hay, needle)                                                               \
        do {                                                                                       \
                if (!strstr((hay), (needle)))                                                      \
                        fail_msg("\"%s\" not found in:\n%s", (needle), (hay));                     \
        } while (0)

/* Makes pod namespace tmn-<pid>-<tag>; returns its name (owned by the list). */
static const char *
netns_new(const char *tag)
{
        assert_true(g_n_netns < MAX_NS);
        char *name = xasprintf("tmn-%d-%s", g_pid, tag);
        assert_int_equal(sh("ip netns add %s", name), 0);
        g_netns[g_n_netns++] = name;
        return name;
}

static char *
ns_path(const char *name)
{
        return xasprintf("/run/netns/%s", name);
}

static int
ping(const char *ns, const char *ip)
{
        return sh("ip netns exec %s %s -c1 -W1 %s", ns, g_ping, ip);
}

/* The one pod network a test has open, closed by teardown if it fails. */
static net_podnet *g_open;

static int
open_n(net_podnet **n, const net_podnet_options *o, tm_error *err)
{
        int r = net_podnet_open(n, o, err);
        if (r == 0)
                g_open = *n;
        return r;
}

static void
close_n(net_podnet *n)
{
        net_podnet_close(n);
        if (g_open == n)
                g_open = NULL;
}

static int
teardown(void **state)
{
        close_n(g_open);
        return 0;
}

static net_podnet_options
opts_main(void)
{
        return (net_podnet_options){
            .state_dir = g_state,
            .bridge = g_bridge,
            .pod_cidr = "10.77.0.0/24",
            .cluster_cidr = "10.77.0.0/16",
        };
}

static void
attach_ok(net_podnet *n, const char *key, const char *ns, const char *want_ip)
{
        _cleanup_free_ char *path = ns_path(ns);
        char ip[16];
        tm_error err = {0};
        int r = net_pod_attach(n, key, path, ip, &err);
        if (r < 0)
                fail_msg("attach %s: %s", key, err.msg);
        if (want_ip)
                assert_string_equal(ip, want_ip);
}

static int
host_ifindex(const char *key)
{
        char name[16];
        net_pod_veth_name(key, name);
        _cleanup_free_ char *out = sh_out("ip -o link show %s 2>/dev/null", name);
        return atoi(out);
}

static int
count_ips(void)
{
        _cleanup_free_ char *out = sh_out("ls %s/net/ips | wc -l", g_state);
        return atoi(out);
}

static void
test_bridge_attach_ping(void **state)
{
        net_podnet_options o = opts_main();
        net_podnet *n;
        tm_error err = {0};
        if (open_n(&n, &o, &err) < 0)
                fail_msg("open: %s", err.msg);

        _cleanup_free_ char *br = sh_out("ip -d addr show dev %s", g_bridge);
        assert_contains(br, "10.77.0.1/24");
        assert_contains(br, "bridge");
        assert_contains(br, "UP");
        _cleanup_free_ char *fwd = sh_out("cat /proc/sys/net/ipv4/ip_forward");
        assert_string_equal(fwd, "1\n");
        _cleanup_free_ char *nft =
            sh_out("nft list chain ip timone_podnet postrouting-%s", g_bridge);
        assert_contains(nft, "ip saddr 10.77.0.0/24 ip daddr != 10.77.0.0/16 masquerade");

        const char *a = netns_new("a"), *b = netns_new("b");
        attach_ok(n, "default/a", a, "10.77.0.2");
        attach_ok(n, "default/b", b, "10.77.0.3");

        _cleanup_free_ char *addr = sh_out("ip -n %s -4 -o addr show dev eth0", a);
        assert_contains(addr, "10.77.0.2/24");
        _cleanup_free_ char *route = sh_out("ip -n %s route show default", a);
        assert_contains(route, "default via 10.77.0.1 dev eth0");
        _cleanup_free_ char *lo = sh_out("ip -n %s link show lo", a);
        assert_contains(lo, "UP");
        char veth[16];
        net_pod_veth_name("default/a", veth);
        assert_int_equal(strlen(veth), 11);
        _cleanup_free_ char *host = sh_out("ip -d link show %s", veth);
        _cleanup_free_ char *master = xasprintf("master %s", g_bridge);
        assert_contains(host, master);
        assert_contains(host, "alias timone-pod:default/a");
        assert_contains(host, "state UP");
        assert_contains(host, "hairpin on");

        assert_int_equal(ping(a, "10.77.0.3"), 0);
        assert_int_equal(ping(b, "10.77.0.2"), 0);
        assert_int_equal(ping(a, "10.77.0.1"), 0);
        assert_int_equal(ping(a, "127.0.0.1"), 0);

        /* Re-attaching changes nothing. */
        int idx = host_ifindex("default/a");
        assert_true(idx > 0);
        attach_ok(n, "default/a", a, "10.77.0.2");
        assert_int_equal(host_ifindex("default/a"), idx);
        assert_int_equal(count_ips(), 2);

        /* A second key into a namespace that has its eth0: an error, no leak. */
        _cleanup_free_ char *bpath = ns_path(b);
        char ip[16];
        assert_true(net_pod_attach(n, "default/intruder", bpath, ip, &err) < 0);
        assert_contains(err.msg, "default/intruder");
        assert_int_equal(count_ips(), 2);
        char iveth[16];
        net_pod_veth_name("default/intruder", iveth);
        assert_int_equal(sh("ip link show %s", iveth), 1);
        assert_int_equal(ping(a, "10.77.0.3"), 0);

        /* A bad namespace path or key is refused. */
        assert_true(net_pod_attach(n, "default/x", "/run/netns/tmn-none", ip, &err) < 0);
        assert_true(net_pod_attach(n, "bad key", bpath, ip, &err) == -EINVAL);
        assert_int_equal(count_ips(), 2);

        /* The pod's sandbox is recreated: same key, new namespace, same IP. */
        const char *a2 = netns_new("a2");
        attach_ok(n, "default/a", a2, "10.77.0.2");
        assert_int_equal(sh("ip -n %s link show eth0", a), 1);
        assert_int_equal(ping(a2, "10.77.0.3"), 0);

        /* Detach frees the link and the address; the next pod gets a new one. */
        assert_int_equal(net_pod_detach(n, "default/b", &err), 0);
        char bveth[16];
        net_pod_veth_name("default/b", bveth);
        assert_int_equal(sh("ip link show %s", bveth), 1);
        assert_int_equal(sh("ip -n %s link show eth0", b), 1);
        assert_int_equal(count_ips(), 1);
        assert_int_equal(net_pod_detach(n, "default/b", &err), 0); /* twice is fine */
        /* .4 and .5 went to the failed attempts above (and came back). */
        attach_ok(n, "default/c", b, "10.77.0.6");
        assert_int_equal(ping(b, "10.77.0.2"), 0);

        /* Persistence across close/open. */
        close_n(n);
        assert_int_equal(open_n(&n, &o, &err), 0);
        idx = host_ifindex("default/a");
        attach_ok(n, "default/a", a2, "10.77.0.2");
        assert_int_equal(host_ifindex("default/a"), idx);
        const char *d = netns_new("d");
        attach_ok(n, "default/d", d, "10.77.0.7");
        attach_ok(n, "default/c", b, "10.77.0.6");

        /* Crash leftovers: a pod that is gone, a veth on the bridge that no
         * pod owns, an address whose owner is gone. A veth off the bridge
         * is not ours and stays. */
        const char *o_ns = netns_new("orphan");
        attach_ok(n, "default/orphan", o_ns, "10.77.0.8");
        assert_int_equal(sh("ip link add tmvdeadbeef type veth peer name tmnp%d && "
                            "ip link set tmvdeadbeef master %s",
                            g_pid, g_bridge),
                         0);
        assert_int_equal(sh("ip link add tmv12345678 type veth peer name tmnq%d", g_pid), 0);
        close_n(n);
        _cleanup_free_ char *ghost = xasprintf("%s/net/ips/10.77.0.250", g_state);
        assert_int_equal(symlink("default/ghost", ghost), 0);
        assert_int_equal(open_n(&n, &o, &err), 0);
        assert_int_equal(count_ips(), 5);
        const char *live[] = {"default/a", "default/c", "default/d"};
        if (net_podnet_gc(n, live, 3, &err) < 0)
                fail_msg("gc: %s", err.msg);
        assert_int_equal(sh("ip link show tmvdeadbeef"), 1);
        assert_int_equal(sh("ip link show tmv12345678"), 0);
        char oveth[16];
        net_pod_veth_name("default/orphan", oveth);
        assert_int_equal(sh("ip link show %s", oveth), 1);
        assert_int_equal(sh("ip -n %s link show eth0", o_ns), 1);
        assert_int_equal(access(ghost, F_OK), -1);
        assert_int_equal(count_ips(), 3);
        assert_int_equal(ping(a2, "10.77.0.6"), 0);
        assert_int_equal(ping(d, "10.77.0.2"), 0);
        assert_int_equal(sh("ip link del tmv12345678"), 0);
        /* After gc the freed addresses are not handed out at once. */
        const char *e = netns_new("e");
        attach_ok(n, "default/e", e, "10.77.0.9");

        /* A veth a crash left before its alias was set is adopted as is. */
        const char *m = netns_new("manual");
        char mveth[16];
        net_pod_veth_name("default/manual", mveth);
        assert_int_equal(sh("ip link add %s type veth peer name eth0 netns %s && "
                            "ip link set %s master %s",
                            mveth, m, mveth, g_bridge),
                         0);
        int midx = host_ifindex("default/manual");
        attach_ok(n, "default/manual", m, "10.77.0.10");
        assert_int_equal(host_ifindex("default/manual"), midx);
        _cleanup_free_ char *mhost = sh_out("ip -d link show %s", mveth);
        assert_contains(mhost, "alias timone-pod:default/manual");
        assert_int_equal(ping(m, "10.77.0.9"), 0);

        /* The bridge removed under us: attach makes it again and re-joins. */
        assert_int_equal(sh("ip link del %s", g_bridge), 0);
        assert_int_not_equal(ping(m, "10.77.0.9"), 0);
        attach_ok(n, "default/manual", m, "10.77.0.10");
        attach_ok(n, "default/e", e, "10.77.0.9");
        assert_int_equal(ping(m, "10.77.0.9"), 0);
        assert_int_equal(ping(m, "10.77.0.1"), 0);
        close_n(n);
}

static void
test_masquerade(void **state)
{
        /* An outside host with no route back to the pods: replies come back
         * only if pod traffic leaving the cluster CIDR is masqueraded. */
        net_podnet_options o = opts_main();
        net_podnet *n;
        tm_error err = {0};
        if (open_n(&n, &o, &err) < 0)
                fail_msg("open: %s", err.msg);
        const char *out = netns_new("out"), *p = netns_new("m");
        assert_int_equal(sh("ip link add tmno%d type veth peer name eth0 netns %s && "
                            "ip addr add 172.31.77.1/30 dev tmno%d && ip link set tmno%d up && "
                            "ip -n %s addr add 172.31.77.2/30 dev eth0 && "
                            "ip -n %s link set eth0 up",
                            g_pid, out, g_pid, g_pid, out, out),
                         0);
        attach_ok(n, "default/m", p, NULL);
        assert_int_equal(ping(p, "172.31.77.2"), 0);
        close_n(n);

        assert_int_equal(sh("nft flush chain ip timone_podnet postrouting-%s", g_bridge), 0);
        assert_int_not_equal(ping(p, "172.31.77.2"), 0);

        /* Opening again restores the rule (idempotent set-up). */
        assert_int_equal(open_n(&n, &o, &err), 0);
        /* Once each: leaving the cluster, and pod to pod through a host port. */
        _cleanup_free_ char *nft =
            sh_out("nft list chain ip timone_podnet postrouting-%s", g_bridge);
        char *first = strstr(nft, "ip daddr != 10.77.0.0/16 masquerade");
        assert_non_null(first);
        assert_null(strstr(first + 1, "ip daddr != 10.77.0.0/16 masquerade"));
        char *hairpin = strstr(nft, "ct status dnat masquerade");
        assert_non_null(hairpin);
        assert_null(strstr(hairpin + 1, "ct status dnat masquerade"));
        assert_int_equal(ping(p, "172.31.77.2"), 0);
        assert_int_equal(net_pod_detach(n, "default/m", &err), 0);
        close_n(n);
}

static int g_httpd_pid;

static void
kill_httpd(void)
{
        if (g_httpd_pid > 0)
                kill(g_httpd_pid, SIGTERM);
        g_httpd_pid = 0;
}

static void
test_host_ports(void **state)
{
        net_podnet_options o = opts_main();
        net_podnet *n;
        tm_error err = {0};
        if (open_n(&n, &o, &err) < 0)
                fail_msg("open: %s", err.msg);
        const char *out = netns_new("hpout"), *p = netns_new("hp"), *q = netns_new("hq");
        assert_int_equal(sh("ip link add tmnr%d type veth peer name eth0 netns %s && "
                            "ip addr add 172.31.78.1/30 dev tmnr%d && ip link set tmnr%d up && "
                            "ip -n %s addr add 172.31.78.2/30 dev eth0 && "
                            "ip -n %s link set eth0 up",
                            g_pid, out, g_pid, g_pid, out, out),
                         0);
        attach_ok(n, "default/hp", p, NULL);
        attach_ok(n, "default/hq", q, NULL);
        _cleanup_free_ char *www = xasprintf("%s/www", g_state);
        assert_int_equal(sh("mkdir -p %s && echo hello-from-pod > %s/index.html", www, www), 0);
        _cleanup_free_ char *pid = sh_out(
            "ip netns exec %s busybox httpd -f -p 80 -h %s >/dev/null 2>&1 & echo $!", p, www);
        g_httpd_pid = atoi(pid);
        assert_true(g_httpd_pid > 0);
        atexit(kill_httpd);

        net_host_port ports[] = {{8080, 80, false}, {5353, 53, true}};
        if (net_pod_set_host_ports(n, "default/hp", ports, 2, &err) < 0)
                fail_msg("host ports: %s", err.msg);
        _cleanup_free_ char *map = sh_out("nft list map ip timone_podnet hostports-%s", g_bridge);
        assert_contains(map, "tcp . 8080 : 10.77.0.");
        assert_contains(map, "udp . 5353 : 10.77.0.");
        /* From outside, from the node itself, and from another pod. */
        /* bash's /dev/tcp: Debian's static busybox wget crashes on lookups. */
        const char *get = "timeout 2 bash -c 'exec 3<>/dev/tcp/172.31.78.1/8080; "
                          "printf \"GET / HTTP/1.0\\r\\n\\r\\n\" >&3; cat <&3'";
        _cleanup_free_ char *page = NULL;
        for (int i = 0; i < 30; i++) {
                free(page);
                page = sh_out("ip netns exec %s %s 2>/dev/null", out, get);
                if (strstr(page, "hello-from-pod"))
                        break;
                usleep(100000);
        }
        assert_contains(page, "hello-from-pod");
        _cleanup_free_ char *local = sh_out("%s 2>/dev/null", get);
        assert_contains(local, "hello-from-pod");
        _cleanup_free_ char *hair = sh_out("ip netns exec %s %s 2>/dev/null", q, get);
        assert_contains(hair, "hello-from-pod");
        _cleanup_free_ char *self = sh_out("ip netns exec %s %s 2>/dev/null", p, get);
        assert_contains(self, "hello-from-pod");

        /* Taken by another pod; bad requests. */
        assert_int_equal(net_pod_set_host_ports(n, "default/hq", ports, 1, &err), -EADDRINUSE);
        assert_contains(err.msg, "tcp/8080 is taken");
        net_host_port twice[] = {{9090, 80, false}, {9090, 81, false}};
        assert_int_equal(net_pod_set_host_ports(n, "default/hq", twice, 2, &err), -EINVAL);
        assert_int_equal(net_pod_set_host_ports(n, "default/none", twice, 1, &err), -ENOENT);
        /* Replacing the set drops what is no longer there. */
        assert_int_equal(net_pod_set_host_ports(n, "default/hp", ports, 1, &err), 0);
        free(map);
        map = sh_out("nft list map ip timone_podnet hostports-%s", g_bridge);
        assert_contains(map, "tcp . 8080");
        assert_null(strstr(map, "5353"));

        /* Detach removes them. */
        assert_int_equal(net_pod_detach(n, "default/hp", &err), 0);
        free(map);
        map = sh_out("nft list map ip timone_podnet hostports-%s", g_bridge);
        assert_null(strstr(map, "8080"));
        _cleanup_free_ char *gone = sh_out("ip netns exec %s %s 2>/dev/null", out, get);
        assert_null(strstr(gone, "hello-from-pod"));
        /* Now free for hq; gc removes host ports of pods that are gone. */
        assert_int_equal(net_pod_set_host_ports(n, "default/hq", ports, 2, &err), 0);
        const char *live[] = {"default/other"};
        assert_int_equal(net_podnet_gc(n, live, 1, &err), 0);
        free(map);
        map = sh_out("nft list map ip timone_podnet hostports-%s", g_bridge);
        assert_null(strstr(map, "8080"));
        assert_null(strstr(map, "5353"));
        kill_httpd();
        close_n(n);
}

static void
test_exhaustion(void **state)
{
        _cleanup_free_ char *st = xasprintf("%s/small", g_state);
        char br[16];
        snprintf(br, sizeof(br), "tmnbs%d", g_pid);
        net_podnet_options o = {.state_dir = st,
                                .bridge = br,
                                .pod_cidr = "10.78.0.0/29",
                                .cluster_cidr = "10.78.0.0/16"};
        net_podnet *n;
        tm_error err = {0};
        if (open_n(&n, &o, &err) < 0)
                fail_msg("open: %s", err.msg);
        const char *first = NULL;
        for (int i = 0; i < 5; i++) {
                char tag[16], key[32], want[16];
                snprintf(tag, sizeof(tag), "x%d", i);
                snprintf(key, sizeof(key), "default/x%d", i);
                snprintf(want, sizeof(want), "10.78.0.%d", i + 2);
                const char *ns = netns_new(tag);
                if (!first)
                        first = ns;
                attach_ok(n, key, ns, want);
        }
        const char *extra = netns_new("x5");
        _cleanup_free_ char *path = ns_path(extra);
        char ip[16];
        assert_int_equal(net_pod_attach(n, "default/x5", path, ip, &err), -ENOSPC);
        assert_contains(err.msg, "no free address in pod CIDR 10.78.0.0/29");
        assert_int_equal(sh("ip -n %s link show eth0", extra), 1);
        assert_int_equal(ping(first, "10.78.0.6"), 0);
        close_n(n);
}

static void
test_bad_options(void **state)
{
        static const char *bad_cidrs[] = {
            "10.77.0.0/33", "10.77.0.1/24", "garbage",       "",
            "10.77.0.0/31", "10.77.0.0/8",  "10.77.0.0 /24", "10.77.0.0/24\n"};
        _cleanup_free_ char *st = xasprintf("%s/bad", g_state);
        char br[16];
        snprintf(br, sizeof(br), "tmnbb%d", g_pid);
        tm_error err = {0};
        net_podnet *n = NULL;
        for (size_t i = 0; i < TM_ARRAY_SIZE(bad_cidrs); i++) {
                net_podnet_options o = {.state_dir = st,
                                        .bridge = br,
                                        .pod_cidr = bad_cidrs[i],
                                        .cluster_cidr = "10.0.0.0/8"};
                assert_int_equal(open_n(&n, &o, &err), -EINVAL);
                assert_contains(err.msg, "CIDR");
        }
        net_podnet_options o = {.state_dir = st,
                                .bridge = br,
                                .pod_cidr = "10.77.0.0/24",
                                .cluster_cidr = "10.78.0.0/16"};
        assert_int_equal(open_n(&n, &o, &err), -EINVAL);
        assert_contains(err.msg, "not inside the cluster CIDR");
        o.cluster_cidr = "10.77.0.0/16";
        o.bridge = "bad name!";
        assert_int_equal(open_n(&n, &o, &err), -EINVAL);
        o.bridge = "waytoolongbridgename";
        assert_int_equal(open_n(&n, &o, &err), -EINVAL);
        o.bridge = br;
        o.dns_server = "1.2.3";
        assert_int_equal(open_n(&n, &o, &err), -EINVAL);
        o.dns_server = NULL;
        o.cluster_domain = "bad..domain";
        assert_int_equal(open_n(&n, &o, &err), -EINVAL);
        o.cluster_domain = NULL;
        o.state_dir = NULL;
        assert_int_equal(open_n(&n, &o, &err), -EINVAL);
        /* A link of that name that is not a bridge is not taken over. */
        o.state_dir = st;
        assert_int_equal(sh("ip link add %s type veth peer name tmnbc%d", br, g_pid), 0);
        assert_true(open_n(&n, &o, &err) < 0);
        assert_contains(err.msg, "is not a bridge");
        assert_int_equal(sh("ip link del %s", br), 0);
        /* Nothing was created by the failed attempts but the dummy's removal. */
        assert_int_equal(sh("ip link show %s", br), 1);
}

static void
test_files(void **state)
{
        const char *aliases[] = {"web.sub.default.svc.cluster.local", "bad alias\n", "web2", NULL};
        _cleanup_free_ char *hosts = net_pod_hosts_file("web", "10.77.0.2", aliases);
        assert_string_equal(hosts, "# Kubernetes-managed hosts file (timone).\n"
                                   "127.0.0.1\tlocalhost\n"
                                   "::1\tlocalhost ip6-localhost ip6-loopback\n"
                                   "fe00::0\tip6-localnet\n"
                                   "fe00::0\tip6-mcastprefix\n"
                                   "fe00::1\tip6-allnodes\n"
                                   "fe00::2\tip6-allrouters\n"
                                   "10.77.0.2\tweb web.sub.default.svc.cluster.local web2\n");
        _cleanup_free_ char *nohost = net_pod_hosts_file("web", NULL, NULL);
        assert_null(strstr(nohost, "web"));

        net_podnet_options o = opts_main();
        net_podnet *n;
        tm_error err = {0};
        assert_int_equal(open_n(&n, &o, &err), 0);
        _cleanup_free_ char *rc = net_pod_resolv_conf(n, "shop");
        assert_string_equal(rc, "search shop.svc.cluster.local svc.cluster.local cluster.local\n"
                                "nameserver 10.77.0.1\n"
                                "options ndots:5\n");
        close_n(n);
        o.dns_server = "10.43.0.10";
        o.cluster_domain = "corp.example";
        assert_int_equal(open_n(&n, &o, &err), 0);
        _cleanup_free_ char *rc2 = net_pod_resolv_conf(n, "default");
        assert_string_equal(rc2, "search default.svc.corp.example svc.corp.example corp.example\n"
                                 "nameserver 10.43.0.10\n"
                                 "options ndots:5\n");
        close_n(n);
}

static int
cmp_u64(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

static uint64_t
now_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void
test_attach_time(void **state)
{
        net_podnet_options o = opts_main();
        net_podnet *n;
        tm_error err = {0};
        assert_int_equal(open_n(&n, &o, &err), 0);
        enum { N = 20 };
        uint64_t t[N];
        char *paths[N];
        for (int i = 0; i < N; i++) {
                char tag[16];
                snprintf(tag, sizeof(tag), "t%d", i);
                paths[i] = ns_path(netns_new(tag));
        }
        for (int i = 0; i < N; i++) {
                char key[32], ip[16];
                snprintf(key, sizeof(key), "bench/t%d", i);
                uint64_t t0 = now_us();
                if (net_pod_attach(n, key, paths[i], ip, &err) < 0)
                        fail_msg("attach: %s", err.msg);
                t[i] = now_us() - t0;
        }
        uint64_t re0 = now_us();
        char ip[16];
        assert_int_equal(net_pod_attach(n, "bench/t0", paths[0], ip, &err), 0);
        uint64_t re = now_us() - re0;
        uint64_t d0 = now_us();
        for (int i = 0; i < N; i++) {
                char key[32];
                snprintf(key, sizeof(key), "bench/t%d", i);
                assert_int_equal(net_pod_detach(n, key, &err), 0);
                free(paths[i]);
        }
        uint64_t det = (now_us() - d0) / N;
        qsort(t, N, sizeof(t[0]), cmp_u64);
        printf("attach: median %.2f ms, min %.2f ms, max %.2f ms over %d; re-attach %.2f ms; "
               "detach mean %.2f ms\n",
               (double)(t[N / 2 - 1] + t[N / 2]) / 2000.0, (double)t[0] / 1000.0,
               (double)t[N - 1] / 1000.0, N, (double)re / 1000.0, (double)det / 1000.0);
        close_n(n);
}

int
main(void)
{
        if (geteuid() != 0) {
                fprintf(stderr, "SKIP: needs root\n");
                return 77;
        }
        if (system("ip -V >/dev/null 2>&1") != 0 || system("nft -v >/dev/null 2>&1") != 0) {
                fprintf(stderr, "SKIP: needs ip and nft\n");
                return 77;
        }
        if (system("command -v ping >/dev/null 2>&1") != 0) {
                if (system("busybox ping 2>&1 | grep -q Usage") != 0) {
                        fprintf(stderr, "SKIP: needs ping or busybox\n");
                        return 77;
                }
                g_ping = "busybox ping";
        }
        if (unshare(CLONE_NEWNET) < 0) {
                fprintf(stderr, "SKIP: no network namespaces: %s\n", strerror(errno));
                return 77;
        }
        remove_stale_netns();
        g_pid = (int)getpid();
        snprintf(g_bridge, sizeof(g_bridge), "tmnbr%d", g_pid);
        snprintf(g_state, sizeof(g_state), "/tmp/tmn-state-XXXXXX");
        if (!mkdtemp(g_state)) {
                perror("mkdtemp");
                return 1;
        }
        atexit(cleanup_all);
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_teardown(test_bridge_attach_ping, teardown),
            cmocka_unit_test_teardown(test_masquerade, teardown),
            cmocka_unit_test_teardown(test_host_ports, teardown),
            cmocka_unit_test_teardown(test_exhaustion, teardown),
            cmocka_unit_test_teardown(test_bad_options, teardown),
            cmocka_unit_test_teardown(test_files, teardown),
            cmocka_unit_test_teardown(test_attach_time, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
