#include "netsetup/podnet.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <jansson.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "netsetup/ipam.h"
#include "netsetup/netlink.h"

#define VETH_PREFIX "tmv"
#define ALIAS_PREFIX "timone-pod:"
#define POD_IFNAME "eth0"
#define DOMAIN_MAX 253
#define NFT_TABLE "timone_podnet"
#define HOST_PORTS_MAX 64

struct net_podnet {
        char *bridge;
        net_cidr pod, cluster;
        uint32_t gw;
        char *dns;
        char *domain;
        int bridge_ifindex;
        net_nl *nl;
        net_ipam *ipam;
        /* Addresses that have host ports in our map: known after one
         * listing, so that detaching a pod without any needs no nftables
         * call (a listing is the dearest part of a detach). */
        bool hp_known;
        uint32_t *hp_ips;
        size_t n_hp_ips, cap_hp_ips;
};

void
net_pod_veth_name(const char *key, char out[16])
{
        uint8_t d[32];
        tm_sha256 *h = tm_sha256_new();
        tm_sha256_update(h, key, strlen(key));
        tm_sha256_final(h, d);
        char hex[9];
        tm_hex_encode(d, 4, hex);
        snprintf(out, 16, VETH_PREFIX "%s", hex);
}

static bool
ifname_valid(const char *s)
{
        size_t len = strnlen(s, IFNAMSIZ);
        if (len == 0 || len >= IFNAMSIZ)
                return false;
        if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
                      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
                        return false;
        return true;
}

/* A DNS name: labels of [A-Za-z0-9-], dots between, at most 253 chars. */
static bool
dns_name_valid(const char *s)
{
        size_t len = strnlen(s, DOMAIN_MAX + 1), label = 0;
        if (len == 0 || len > DOMAIN_MAX)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                if (c == '.') {
                        if (label == 0)
                                return false;
                        label = 0;
                        continue;
                }
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-') ||
                    ++label > 63)
                        return false;
        }
        return label > 0;
}

static int
enable_forwarding(tm_error *err)
{
        static const char path[] = "/proc/sys/net/ipv4/ip_forward";
        _cleanup_free_ char *cur = NULL;
        if (tm_file_read(path, 16, &cur, NULL, NULL) == 0 && cur[0] == '1')
                return 0;
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "1\n", 2) != 2)
                return tm_error_errno(err, -errno, "enable IPv4 forwarding");
        return 0;
}

/* Our nftables objects, one set per bridge in our own table: masquerade
 * for pod traffic that leaves the cluster CIDR (and for pods reaching a
 * pod through a host port), and host ports as one map from protocol and
 * port to pod address and port, used for traffic to the node's own
 * addresses. Chains are replaced whole in one transaction; the map keeps
 * its elements so host ports survive a restart of the daemon. */
static int
setup_nft(const net_podnet *n, tm_error *err)
{
        char pod[16], cluster[16];
        net_ip4_format(n->pod.addr, pod);
        net_ip4_format(n->cluster.addr, cluster);
        const char *b = n->bridge;
        _cleanup_free_ char *cmd =
            xasprintf("add table ip " NFT_TABLE "\n"
                      "add chain ip " NFT_TABLE " postrouting-%s "
                      "{ type nat hook postrouting priority srcnat; policy accept; }\n"
                      "flush chain ip " NFT_TABLE " postrouting-%s\n"
                      "add rule ip " NFT_TABLE " postrouting-%s ip saddr %s/%u ip daddr != %s/%u "
                      "masquerade\n"
                      "add rule ip " NFT_TABLE " postrouting-%s ip saddr %s/%u ip daddr %s/%u "
                      "ct status dnat masquerade\n"
                      "add map ip " NFT_TABLE " hostports-%s "
                      "{ type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
                      "add chain ip " NFT_TABLE " prerouting-%s "
                      "{ type nat hook prerouting priority dstnat; policy accept; }\n"
                      "flush chain ip " NFT_TABLE " prerouting-%s\n"
                      "add rule ip " NFT_TABLE " prerouting-%s fib daddr type local "
                      "dnat ip to meta l4proto . th dport map @hostports-%s\n"
                      "add chain ip " NFT_TABLE " output-%s "
                      "{ type nat hook output priority -100; policy accept; }\n"
                      "flush chain ip " NFT_TABLE " output-%s\n"
                      "add rule ip " NFT_TABLE " output-%s fib daddr type local "
                      "dnat ip to meta l4proto . th dport map @hostports-%s\n",
                      b, b, b, pod, n->pod.prefix, cluster, n->cluster.prefix, b, pod,
                      n->pod.prefix, pod, n->pod.prefix, b, b, b, b, b, b, b, b, b);
        int r = net_nft_run(cmd, NULL, err);
        return r < 0 ? tm_error_wrap(err, "masquerade and host port rules") : 0;
}

static int
setup_bridge(net_podnet *n, tm_error *err)
{
        net_link_info link;
        int r = net_link_get(n->nl, n->bridge, &link, err);
        if (r == -ENODEV) {
                uint8_t d[32];
                tm_sha256 *h = tm_sha256_new();
                tm_sha256_update(h, n->bridge, strlen(n->bridge));
                tm_sha256_final(h, d);
                d[0] = (uint8_t)((d[0] & 0xfe) | 0x02); /* unicast, locally administered */
                r = net_bridge_add(n->nl, n->bridge, d, err);
                if (r < 0 && r != -EEXIST)
                        return r;
                r = net_link_get(n->nl, n->bridge, &link, err);
        }
        if (r < 0)
                return r;
        if (strcmp(link.kind, "bridge") != 0)
                return tm_error_set(err, -EEXIST, "link \"%s\" exists and is not a bridge",
                                    n->bridge);
        n->bridge_ifindex = link.ifindex;
        bool has;
        r = net_addr_has(n->nl, link.ifindex, n->gw, n->pod.prefix, &has, err);
        if (r == 0 && !has)
                r = net_addr_add(n->nl, link.ifindex, n->gw, n->pod.prefix, err);
        if (r == 0 && !(link.flags & IFF_UP))
                r = net_link_set_up(n->nl, link.ifindex, err);
        return r;
}

int
net_podnet_open(net_podnet **out, const net_podnet_options *opts, tm_error *err)
{
        if (!opts->state_dir)
                return tm_error_set(err, -EINVAL, "pod network: no state directory");
        const char *bridge = opts->bridge ? opts->bridge : "timone0";
        if (!ifname_valid(bridge))
                return tm_error_set(err, -EINVAL, "pod network: invalid bridge name \"%.32s\"",
                                    bridge);
        _cleanup_free_ char *dir = xasprintf("%s/net", opts->state_dir);
        net_podnet *n = xcalloc(1, sizeof(*n));
        n->bridge = xstrdup(bridge);
        int r = net_cidr_parse(opts->pod_cidr ? opts->pod_cidr : "10.42.0.0/24", &n->pod, err);
        if (r < 0) {
                tm_error_wrap(err, "pod CIDR");
                goto fail;
        }
        r = net_cidr_parse(opts->cluster_cidr ? opts->cluster_cidr : "10.42.0.0/16", &n->cluster,
                           err);
        if (r < 0) {
                tm_error_wrap(err, "cluster CIDR");
                goto fail;
        }
        if (n->pod.prefix < 16 || n->pod.prefix > 30) {
                r = tm_error_set(err, -EINVAL, "pod CIDR prefix /%u is not within /16../30",
                                 n->pod.prefix);
                goto fail;
        }
        if (n->cluster.prefix > n->pod.prefix || !net_cidr_contains(&n->cluster, n->pod.addr)) {
                r = tm_error_set(err, -EINVAL, "pod CIDR is not inside the cluster CIDR");
                goto fail;
        }
        n->gw = n->pod.addr + 1;
        if (opts->dns_server) {
                uint32_t ip;
                if (net_ip4_parse(opts->dns_server, &ip) < 0) {
                        r = tm_error_set(err, -EINVAL, "invalid DNS server \"%.32s\"",
                                         opts->dns_server);
                        goto fail;
                }
                n->dns = xstrdup(opts->dns_server);
        } else {
                char gw[16];
                net_ip4_format(n->gw, gw);
                n->dns = xstrdup(gw);
        }
        const char *domain = opts->cluster_domain ? opts->cluster_domain : "cluster.local";
        if (!dns_name_valid(domain)) {
                r = tm_error_set(err, -EINVAL, "invalid cluster domain \"%.64s\"", domain);
                goto fail;
        }
        n->domain = xstrdup(domain);

        r = net_nl_open(&n->nl, err);
        if (r == 0)
                r = setup_bridge(n, err);
        if (r == 0)
                r = enable_forwarding(err);
        if (r == 0)
                r = setup_nft(n, err);
        if (r < 0) {
                tm_error_wrap(err, "bridge \"%s\"", n->bridge);
                goto fail;
        }
        r = net_ipam_open(&n->ipam, dir, &n->pod, err);
        if (r < 0) {
                tm_error_wrap(err, "IPAM");
                goto fail;
        }
        *out = n;
        return 0;
fail:
        tm_error_wrap(err, "pod network");
        net_podnet_close(n);
        return r;
}

void
net_podnet_close(net_podnet *n)
{
        if (!n)
                return;
        net_ipam_close(n->ipam);
        net_nl_close(n->nl);
        free(n->hp_ips);
        free(n->bridge);
        free(n->dns);
        free(n->domain);
        free(n);
}

TM_DEFINE_CLEANUP(net_nl, net_nl_close)

/* Brings the pod side up to what it should be, changing only what
 * differs: lo and eth0 up, ip/prefix on eth0, default route via gw. */
static int
configure_pod_side(net_podnet *n, net_nl *pod, uint32_t ip, tm_error *err)
{
        net_link_info lo, eth;
        int r = net_link_get(pod, "lo", &lo, err);
        if (r == 0 && !(lo.flags & IFF_UP))
                r = net_link_set_up(pod, lo.ifindex, err);
        if (r == 0)
                r = net_link_get(pod, POD_IFNAME, &eth, err);
        if (r == -ENODEV)
                return tm_error_set(err, r, "no \"%s\" in the pod's namespace", POD_IFNAME);
        if (r == 0 && !(eth.flags & IFF_UP))
                r = net_link_set_up(pod, eth.ifindex, err);
        bool ok = false;
        if (r == 0)
                r = net_addr_has(pod, eth.ifindex, ip, n->pod.prefix, &ok, err);
        if (r == 0 && !ok)
                r = net_addr_add(pod, eth.ifindex, ip, n->pod.prefix, err);
        if (r == 0)
                r = net_route_default_is(pod, eth.ifindex, n->gw, &ok, err);
        if (r == 0 && !ok)
                r = net_route_default(pod, eth.ifindex, n->gw, err);
        return r;
}

/* Whether the existing host link name belongs to key and its peer is the
 * eth0 of the namespace behind pod. */
static int
adopt_host_side(net_podnet *n, net_nl *pod, const net_link_info *host, const char *key, bool *adopt,
                tm_error *err)
{
        *adopt = false;
        if (host->alias[0] && (!tm_str_has_prefix(host->alias, ALIAS_PREFIX) ||
                               strcmp(host->alias + strlen(ALIAS_PREFIX), key) != 0))
                return tm_error_set(err, -EEXIST, "link \"%s\" belongs to another pod (\"%.220s\")",
                                    host->name, host->alias);
        if (strcmp(host->kind, "veth") != 0)
                return tm_error_set(err, -EEXIST, "link \"%s\" exists and is not a veth",
                                    host->name);
        net_link_info eth;
        int r = net_link_get(pod, POD_IFNAME, &eth, err);
        if (r == -ENODEV)
                return 0;
        if (r < 0)
                return r;
        *adopt = strcmp(eth.kind, "veth") == 0 && eth.link == host->ifindex;
        return 0;
}

static int
attach(net_podnet *n, const char *key, const char *netns_path, uint32_t ip, tm_error *err)
{
        char name[16];
        net_pod_veth_name(key, name);
        _cleanup_(net_nl_closep) net_nl *pod = NULL;
        int r = net_nl_open_netns(&pod, netns_path, err);
        if (r < 0)
                return r;
        net_link_info host;
        r = net_link_get(n->nl, name, &host, err);
        if (r < 0 && r != -ENODEV)
                return r;
        if (r == 0) {
                bool adopt;
                r = adopt_host_side(n, pod, &host, key, &adopt, err);
                if (r < 0)
                        return r;
                if (!adopt) {
                        /* A veth left from an earlier namespace of this pod. */
                        r = net_link_del(n->nl, host.ifindex, err);
                        if (r < 0)
                                return r;
                } else {
                        if (host.master != n->bridge_ifindex)
                                r = net_link_set_master(n->nl, host.ifindex, n->bridge_ifindex,
                                                        err);
                        if (r == 0 && !host.alias[0]) {
                                _cleanup_free_ char *alias = xasprintf(ALIAS_PREFIX "%s", key);
                                r = net_link_set_alias(n->nl, host.ifindex, alias, err);
                        }
                        if (r == 0)
                                r = net_link_set_hairpin(n->nl, host.ifindex, true, err);
                        if (r == 0 && !(host.flags & IFF_UP))
                                r = net_link_set_up(n->nl, host.ifindex, err);
                        if (r == 0)
                                r = configure_pod_side(n, pod, ip, err);
                        return r;
                }
        }

        memset(&host, 0, sizeof(host));
        _cleanup_close_ int nsfd = open(netns_path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
                return tm_error_errno(err, -errno, "open \"%s\"", netns_path);
        r = net_veth_add(n->nl, name, POD_IFNAME, nsfd, n->bridge_ifindex, err);
        if (r < 0)
                return r;
        r = net_link_get(n->nl, name, &host, err);
        if (r == 0) {
                _cleanup_free_ char *alias = xasprintf(ALIAS_PREFIX "%s", key);
                r = net_link_set_alias(n->nl, host.ifindex, alias, err);
        }
        if (r == 0)
                r = net_link_set_hairpin(n->nl, host.ifindex, true, err);
        if (r == 0)
                r = net_link_set_up(n->nl, host.ifindex, err);
        if (r == 0)
                r = configure_pod_side(n, pod, ip, err);
        if (r < 0 && host.ifindex > 0)
                (void)net_link_del(n->nl, host.ifindex, NULL);
        return r;
}

int
net_pod_attach(net_podnet *n, const char *key, const char *netns_path, char ip[16], tm_error *err)
{
        if (!net_ipam_key_valid(key))
                return tm_error_set(err, -EINVAL, "attach pod: invalid key \"%.64s\"",
                                    key ? key : "");
        if (!netns_path || netns_path[0] != '/')
                return tm_error_set(err, -EINVAL, "attach pod \"%s\": netns path must be absolute",
                                    key);
        /* The bridge may have been removed or taken down under us. */
        int r = setup_bridge(n, err);
        uint32_t addr;
        bool fresh = net_ipam_lookup(n->ipam, key, &addr) < 0;
        if (r == 0)
                r = net_ipam_allocate(n->ipam, key, &addr, err);
        if (r == 0)
                r = attach(n, key, netns_path, addr, err);
        if (r < 0) {
                if (fresh)
                        (void)net_ipam_release(n->ipam, key, NULL);
                return tm_error_wrap(err, "attach pod \"%s\"", key);
        }
        net_ip4_format(addr, ip);
        tm_debug("pod attached", "key=\"%s\" ip=%s", key, ip);
        return 0;
}

struct hp_elem {
        bool udp;
        uint16_t host_port;
        uint32_t ip;
        uint16_t port;
};

static bool
json_port(json_t *j, uint16_t *out)
{
        if (!json_is_integer(j) || json_integer_value(j) < 1 || json_integer_value(j) > 65535)
                return false;
        *out = (uint16_t)json_integer_value(j);
        return true;
}

/* The elements of our host port map. */
static int
hp_list(const net_podnet *n, struct hp_elem **out, size_t *n_out, tm_error *err)
{
        _cleanup_free_ char *cmd = xasprintf("list map ip " NFT_TABLE " hostports-%s\n", n->bridge);
        _cleanup_free_ char *js = NULL;
        int r = net_nft_run(cmd, &js, err);
        if (r < 0)
                return tm_error_wrap(err, "host ports");
        json_error_t jerr;
        json_t *root = json_loads(js, 0, &jerr);
        if (!root)
                return tm_error_set(err, -EIO, "host ports: unreadable nftables listing");
        struct hp_elem *v = NULL;
        size_t nv = 0, cap = 0, i, j;
        json_t *item, *e;
        json_array_foreach(json_object_get(root, "nftables"), i, item)
        {
                json_t *map = json_object_get(item, "map");
                json_array_foreach(map ? json_object_get(map, "elem") : NULL, j, e)
                {
                        json_t *k = json_object_get(json_array_get(e, 0), "concat");
                        json_t *val = json_object_get(json_array_get(e, 1), "concat");
                        json_t *proto = json_array_get(k, 0), *ip = json_array_get(val, 0);
                        struct hp_elem h = {0};
                        if (json_is_string(proto))
                                h.udp = strcmp(json_string_value(proto), "udp") == 0;
                        else if (json_is_integer(proto))
                                h.udp = json_integer_value(proto) == IPPROTO_UDP;
                        else
                                continue;
                        if (!json_port(json_array_get(k, 1), &h.host_port) ||
                            !json_port(json_array_get(val, 1), &h.port) || !json_is_string(ip) ||
                            net_ip4_parse(json_string_value(ip), &h.ip) < 0)
                                continue;
                        TM_GROW(v, cap, nv + 1);
                        v[nv++] = h;
                }
        }
        json_decref(root);
        *out = v;
        *n_out = nv;
        return 0;
}

static bool
hp_has_ip(const net_podnet *n, uint32_t ip)
{
        for (size_t i = 0; i < n->n_hp_ips; i++)
                if (n->hp_ips[i] == ip)
                        return true;
        return false;
}

static void
hp_note(net_podnet *n, uint32_t ip, bool has)
{
        for (size_t i = 0; i < n->n_hp_ips; i++)
                if (n->hp_ips[i] == ip) {
                        if (!has)
                                n->hp_ips[i] = n->hp_ips[--n->n_hp_ips];
                        return;
                }
        if (has) {
                TM_GROW(n->hp_ips, n->cap_hp_ips, n->n_hp_ips + 1);
                n->hp_ips[n->n_hp_ips++] = ip;
        }
}

/* Fills the set of addresses with host ports from a listing. */
static void
hp_learn(net_podnet *n, const struct hp_elem *v, size_t nv)
{
        n->n_hp_ips = 0;
        for (size_t i = 0; i < nv; i++)
                hp_note(n, v[i].ip, true);
        n->hp_known = true;
}

static void
hp_put_delete(tm_buf *b, const net_podnet *n, const struct hp_elem *h)
{
        tm_buf_printf(b, "delete element ip " NFT_TABLE " hostports-%s { %s . %u }\n", n->bridge,
                      h->udp ? "udp" : "tcp", h->host_port);
}

static bool
ip_held(const net_podnet *n, uint32_t ip)
{
        for (size_t i = 0; i < net_ipam_count(n->ipam); i++) {
                uint32_t a;
                const char *k;
                net_ipam_entry(n->ipam, i, &a, &k);
                if (a == ip)
                        return true;
        }
        return false;
}

/* Removes the host ports that lead to ip, or (ip 0) to addresses no pod
 * holds. */
static int
hp_remove(net_podnet *n, uint32_t ip, tm_error *err)
{
        if (ip && n->hp_known && !hp_has_ip(n, ip))
                return 0;
        _cleanup_free_ struct hp_elem *v = NULL;
        size_t nv;
        int r = hp_list(n, &v, &nv, err);
        if (r < 0) {
                n->hp_known = false;
                return r;
        }
        hp_learn(n, v, nv);
        tm_buf b = TM_BUF_INIT;
        for (size_t i = 0; i < nv; i++)
                if (ip ? v[i].ip == ip : !ip_held(n, v[i].ip)) {
                        hp_put_delete(&b, n, &v[i]);
                        hp_note(n, v[i].ip, false);
                }
        if (b.len)
                r = net_nft_run(b.data, NULL, err);
        tm_buf_free(&b);
        if (r < 0)
                n->hp_known = false;
        return r < 0 ? tm_error_wrap(err, "remove host ports") : 0;
}

int
net_pod_set_host_ports(net_podnet *n, const char *key, const net_host_port *ports, size_t n_ports,
                       tm_error *err)
{
        if (!net_ipam_key_valid(key))
                return tm_error_set(err, -EINVAL, "host ports: invalid key \"%.64s\"",
                                    key ? key : "");
        if (n_ports > HOST_PORTS_MAX)
                return tm_error_set(err, -E2BIG, "pod \"%s\": over %d host ports", key,
                                    HOST_PORTS_MAX);
        for (size_t i = 0; i < n_ports; i++) {
                if (!ports[i].host_port || !ports[i].container_port)
                        return tm_error_set(err, -EINVAL, "pod \"%s\": port 0", key);
                for (size_t j = 0; j < i; j++)
                        if (ports[j].udp == ports[i].udp &&
                            ports[j].host_port == ports[i].host_port)
                                return tm_error_set(
                                    err, -EINVAL, "pod \"%s\": host port %s/%u given twice", key,
                                    ports[i].udp ? "udp" : "tcp", ports[i].host_port);
        }
        uint32_t ip;
        if (net_ipam_lookup(n->ipam, key, &ip) < 0)
                return tm_error_set(err, -ENOENT, "pod \"%s\" is not attached", key);
        _cleanup_free_ struct hp_elem *v = NULL;
        size_t nv;
        int r = hp_list(n, &v, &nv, err);
        if (r < 0)
                return tm_error_wrap(err, "pod \"%s\"", key);
        tm_buf b = TM_BUF_INIT;
        for (size_t i = 0; i < nv; i++) {
                for (size_t j = 0; j < n_ports; j++) {
                        if (v[i].ip != ip && v[i].udp == ports[j].udp &&
                            v[i].host_port == ports[j].host_port) {
                                char other[16];
                                net_ip4_format(v[i].ip, other);
                                tm_buf_free(&b);
                                return tm_error_set(err, -EADDRINUSE,
                                                    "pod \"%s\": host port %s/%u is taken by the "
                                                    "pod at %s",
                                                    key, ports[j].udp ? "udp" : "tcp",
                                                    ports[j].host_port, other);
                        }
                }
                if (v[i].ip == ip)
                        hp_put_delete(&b, n, &v[i]);
        }
        char ips[16];
        net_ip4_format(ip, ips);
        for (size_t j = 0; j < n_ports; j++)
                tm_buf_printf(&b,
                              "add element ip " NFT_TABLE " hostports-%s { %s . %u : %s . %u }\n",
                              n->bridge, ports[j].udp ? "udp" : "tcp", ports[j].host_port, ips,
                              ports[j].container_port);
        if (b.len)
                r = net_nft_run(b.data, NULL, err);
        tm_buf_free(&b);
        if (r < 0) {
                n->hp_known = false;
                return tm_error_wrap(err, "pod \"%s\": host ports", key);
        }
        hp_learn(n, v, nv);
        hp_note(n, ip, n_ports > 0);
        return 0;
}

int
net_pod_detach(net_podnet *n, const char *key, tm_error *err)
{
        if (!net_ipam_key_valid(key))
                return tm_error_set(err, -EINVAL, "detach pod: invalid key \"%.64s\"",
                                    key ? key : "");
        char name[16];
        net_pod_veth_name(key, name);
        net_link_info host;
        int r = net_link_get(n->nl, name, &host, err);
        if (r == 0) {
                bool ours = !host.alias[0] || (tm_str_has_prefix(host.alias, ALIAS_PREFIX) &&
                                               strcmp(host.alias + strlen(ALIAS_PREFIX), key) == 0);
                if (ours)
                        r = net_link_del(n->nl, host.ifindex, err);
        } else if (r == -ENODEV) {
                r = 0;
        }
        uint32_t ip;
        if (r == 0 && net_ipam_lookup(n->ipam, key, &ip) == 0)
                r = hp_remove(n, ip, err);
        if (r == 0)
                r = net_ipam_release(n->ipam, key, err);
        if (r < 0)
                return tm_error_wrap(err, "detach pod \"%s\"", key);
        return 0;
}

struct gc_ctx {
        net_podnet *n;
        const char *const *live;
        size_t n_live;
        int *doomed;
        size_t n_doomed, cap_doomed;
};

static bool
is_live(const struct gc_ctx *c, const char *key)
{
        for (size_t i = 0; i < c->n_live; i++)
                if (c->live[i] && strcmp(c->live[i], key) == 0)
                        return true;
        return false;
}

static int
gc_link_cb(const net_link_info *link, void *userdata)
{
        struct gc_ctx *c = userdata;
        if (link->master != c->n->bridge_ifindex || !tm_str_has_prefix(link->name, VETH_PREFIX) ||
            strcmp(link->kind, "veth") != 0)
                return 0;
        bool live = false;
        for (size_t i = 0; i < c->n_live && !live; i++) {
                char name[16];
                if (!c->live[i])
                        continue;
                net_pod_veth_name(c->live[i], name);
                live = strcmp(name, link->name) == 0;
        }
        if (live && link->alias[0] && tm_str_has_prefix(link->alias, ALIAS_PREFIX))
                live = is_live(c, link->alias + strlen(ALIAS_PREFIX));
        if (!live) {
                TM_GROW(c->doomed, c->cap_doomed, c->n_doomed + 1);
                c->doomed[c->n_doomed++] = link->ifindex;
        }
        return 0;
}

int
net_podnet_gc(net_podnet *n, const char *const *live, size_t n_live, tm_error *err)
{
        struct gc_ctx c = {.n = n, .live = live, .n_live = n_live};
        int r = net_link_foreach(n->nl, gc_link_cb, &c, err);
        for (size_t i = 0; r == 0 && i < c.n_doomed; i++) {
                r = net_link_del(n->nl, c.doomed[i], err);
                if (r == 0)
                        tm_debug("pod veth removed", "ifindex=%d", c.doomed[i]);
        }
        free(c.doomed);

        /* Copy the orphan keys first: release reorders the entries. */
        char **orphans = NULL;
        size_t n_orphans = 0, cap = 0;
        for (size_t i = 0; r == 0 && i < net_ipam_count(n->ipam); i++) {
                uint32_t ip;
                const char *key;
                net_ipam_entry(n->ipam, i, &ip, &key);
                if (!is_live(&c, key)) {
                        TM_GROW(orphans, cap, n_orphans + 1);
                        orphans[n_orphans++] = xstrdup(key);
                }
        }
        for (size_t i = 0; i < n_orphans; i++) {
                if (r == 0) {
                        r = net_ipam_release(n->ipam, orphans[i], err);
                        if (r == 0)
                                tm_debug("pod address released", "key=\"%s\"", orphans[i]);
                }
                free(orphans[i]);
        }
        free(orphans);
        if (r == 0)
                r = hp_remove(n, 0, err);
        if (r < 0)
                return tm_error_wrap(err, "pod network clean-up");
        return 0;
}

char *
net_pod_hosts_file(const char *pod_name, const char *ip, const char *const *aliases)
{
        tm_buf b = TM_BUF_INIT;
        tm_buf_puts(&b, "# Kubernetes-managed hosts file (timone).\n"
                        "127.0.0.1\tlocalhost\n"
                        "::1\tlocalhost ip6-localhost ip6-loopback\n"
                        "fe00::0\tip6-localnet\n"
                        "fe00::0\tip6-mcastprefix\n"
                        "fe00::1\tip6-allnodes\n"
                        "fe00::2\tip6-allrouters\n");
        uint32_t addr;
        if (ip && net_ip4_parse(ip, &addr) == 0 && pod_name && dns_name_valid(pod_name)) {
                tm_buf_printf(&b, "%s\t%s", ip, pod_name);
                /* Names that could break the file are left out, not escaped. */
                for (size_t i = 0; aliases && aliases[i] && i < 64; i++)
                        if (dns_name_valid(aliases[i]))
                                tm_buf_printf(&b, " %s", aliases[i]);
                tm_buf_putc(&b, '\n');
        }
        return tm_buf_steal(&b);
}

char *
net_pod_resolv_conf(net_podnet *n, const char *pod_namespace)
{
        tm_buf b = TM_BUF_INIT;
        tm_buf_puts(&b, "search");
        if (pod_namespace && dns_name_valid(pod_namespace) && !strchr(pod_namespace, '.'))
                tm_buf_printf(&b, " %s.svc.%s", pod_namespace, n->domain);
        tm_buf_printf(&b, " svc.%s %s\nnameserver %s\noptions ndots:5\n", n->domain, n->domain,
                      n->dns);
        return tm_buf_steal(&b);
}
