#include "netsetup/netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/mem.h"

/* Large enough for one dump datagram of links with their stats. */
#define NL_BUF_SIZE 32768

struct net_nl {
        struct mnl_socket *sock;
        unsigned portid;
        unsigned seq;
        bool dump; /* the request in buf is a dump (NLM_F_DUMP's bits overlap others') */
        char buf[NL_BUF_SIZE] __attribute__((aligned(8)));
};

static int
nl_setup(net_nl *nl, tm_error *err)
{
        if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
                return tm_error_errno(err, -errno, "bind netlink socket");
        nl->portid = mnl_socket_get_portid(nl->sock);
        nl->seq = (unsigned)time(NULL);
        return 0;
}

int
net_nl_open(net_nl **out, tm_error *err)
{
        net_nl *nl = xcalloc(1, sizeof(*nl));
        nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
        if (!nl->sock) {
                int r = tm_error_errno(err, -errno, "open netlink socket");
                free(nl);
                return r;
        }
        int r = nl_setup(nl, err);
        if (r < 0) {
                net_nl_close(nl);
                return r;
        }
        *out = nl;
        return 0;
}

struct netns_job {
        int nsfd;
        int fd;  /* the socket, opened by the child in the shared fd table */
        int err; /* errno of the child's failure */
};

/* Runs in a child that shares our memory and file table (CLONE_VM |
 * CLONE_FILES | CLONE_VFORK, like posix_spawn) while we wait: it enters
 * the namespace and opens the socket there, and only it changes namespace. */
static int
netns_child(void *arg)
{
        struct netns_job *job = arg;
        if (setns(job->nsfd, CLONE_NEWNET) < 0) {
                job->err = errno;
                return 1;
        }
        job->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        if (job->fd < 0)
                job->err = errno;
        return 0;
}

int
net_nl_open_netns(net_nl **out, const char *netns_path, tm_error *err)
{
        _cleanup_close_ int nsfd = open(netns_path, O_RDONLY | O_CLOEXEC);
        if (nsfd < 0)
                return tm_error_errno(err, -errno, "open network namespace \"%s\"", netns_path);
        enum { STACK_SIZE = 64 * 1024 };
        _cleanup_free_ char *stack = xmalloc(STACK_SIZE);
        struct netns_job job = {.nsfd = nsfd, .fd = -1, .err = EIO};
        pid_t pid = clone(netns_child, stack + STACK_SIZE,
                          CLONE_VM | CLONE_FILES | CLONE_VFORK | SIGCHLD, &job);
        if (pid < 0)
                return tm_error_errno(err, -errno, "clone");
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (job.fd < 0)
                return tm_error_errno(err, -(job.err > 0 ? job.err : EIO),
                                      "enter network namespace \"%s\"", netns_path);
        net_nl *nl = xcalloc(1, sizeof(*nl));
        nl->sock = mnl_socket_fdopen(job.fd);
        if (!nl->sock) {
                int r = tm_error_errno(err, -errno, "netlink socket");
                close(job.fd);
                free(nl);
                return r;
        }
        int r = nl_setup(nl, err);
        if (r < 0) {
                net_nl_close(nl);
                return r;
        }
        *out = nl;
        return 0;
}

void
net_nl_close(net_nl *nl)
{
        if (!nl)
                return;
        if (nl->sock)
                mnl_socket_close(nl->sock);
        free(nl);
}

static struct nlmsghdr *
msg_new(net_nl *nl, uint16_t type, uint16_t flags)
{
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = NLM_F_REQUEST | flags;
        nlh->nlmsg_seq = ++nl->seq;
        nl->dump = flags == NLM_F_DUMP;
        return nlh;
}

/* Sends nlh and reads answers until the ack or the end of the dump. cb
 * sees each data message; its errors are returned through *cb_err. */
static int
nl_talk(net_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, int *cb_err)
{
        if (!nl->dump)
                nlh->nlmsg_flags |= NLM_F_ACK;
        unsigned seq = nlh->nlmsg_seq;
        if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
                return -errno;
        for (;;) {
                ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                errno = 0;
                int r = mnl_cb_run(nl->buf, (size_t)n, seq, nl->portid, cb, data);
                if (r < 0) {
                        if (cb_err && *cb_err < 0)
                                return *cb_err;
                        return errno ? -errno : -EIO;
                }
                if (r == MNL_CB_STOP)
                        return 0;
        }
}

static void
copy_str_attr(const struct nlattr *a, char *out, size_t outlen)
{
        size_t len = mnl_attr_get_payload_len(a);
        const char *p = mnl_attr_get_payload(a);
        size_t n = strnlen(p, len);
        if (n >= outlen)
                n = outlen - 1;
        memcpy(out, p, n);
        out[n] = '\0';
}

static int
link_parse(const struct nlmsghdr *nlh, net_link_info *out)
{
        const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
        memset(out, 0, sizeof(*out));
        out->ifindex = ifi->ifi_index;
        out->flags = ifi->ifi_flags;
        const struct nlattr *a;
        mnl_attr_for_each(a, nlh, sizeof(*ifi))
        {
                switch (mnl_attr_get_type(a)) {
                case IFLA_IFNAME:
                        copy_str_attr(a, out->name, sizeof(out->name));
                        break;
                case IFLA_IFALIAS:
                        copy_str_attr(a, out->alias, sizeof(out->alias));
                        break;
                case IFLA_LINK:
                        if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
                                out->link = (int)mnl_attr_get_u32(a);
                        break;
                case IFLA_MASTER:
                        if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
                                out->master = (int)mnl_attr_get_u32(a);
                        break;
                case IFLA_LINKINFO: {
                        const struct nlattr *b;
                        mnl_attr_for_each_nested(b, a)
                        {
                                if (mnl_attr_get_type(b) == IFLA_INFO_KIND)
                                        copy_str_attr(b, out->kind, sizeof(out->kind));
                        }
                        break;
                }
                default:
                        break;
                }
        }
        return 0;
}

struct link_get_ctx {
        net_link_info *out;
        bool found;
};

static int
link_get_cb(const struct nlmsghdr *nlh, void *data)
{
        struct link_get_ctx *c = data;
        if (nlh->nlmsg_type != RTM_NEWLINK)
                return MNL_CB_OK;
        link_parse(nlh, c->out);
        c->found = true;
        return MNL_CB_OK;
}

int
net_link_get(net_nl *nl, const char *name, net_link_info *out, tm_error *err)
{
        if (strlen(name) >= IFNAMSIZ)
                return tm_error_set(err, -EINVAL, "link name \"%s\" is too long", name);
        struct nlmsghdr *nlh = msg_new(nl, RTM_GETLINK, 0);
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        net_link_info info;
        struct link_get_ctx c = {&info, false};
        int r = nl_talk(nl, nlh, link_get_cb, &c, NULL);
        if (r == -ENODEV || (r == 0 && !c.found))
                return -ENODEV;
        if (r < 0)
                return tm_error_errno(err, r, "get link \"%s\"", name);
        *out = info;
        return 0;
}

struct link_foreach_ctx {
        int (*cb)(const net_link_info *, void *);
        void *userdata;
        int err;
};

static int
link_foreach_cb(const struct nlmsghdr *nlh, void *data)
{
        struct link_foreach_ctx *c = data;
        if (nlh->nlmsg_type != RTM_NEWLINK)
                return MNL_CB_OK;
        net_link_info info;
        link_parse(nlh, &info);
        int r = c->cb(&info, c->userdata);
        if (r < 0) {
                c->err = r;
                return MNL_CB_ERROR;
        }
        return MNL_CB_OK;
}

int
net_link_foreach(net_nl *nl, int (*cb)(const net_link_info *link, void *userdata), void *userdata,
                 tm_error *err)
{
        struct nlmsghdr *nlh = msg_new(nl, RTM_GETLINK, NLM_F_DUMP);
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
        struct link_foreach_ctx c = {cb, userdata, 0};
        int r = nl_talk(nl, nlh, link_foreach_cb, &c, &c.err);
        if (r < 0 && c.err < 0)
                return r; /* the callback's own error, err already filled */
        if (r < 0)
                return tm_error_errno(err, r, "list links");
        return 0;
}

int
net_bridge_add(net_nl *nl, const char *name, const uint8_t *mac, tm_error *err)
{
        struct nlmsghdr *nlh = msg_new(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        if (mac)
                mnl_attr_put(nlh, IFLA_ADDRESS, 6, mac);
        struct nlattr *li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
        mnl_attr_nest_end(nlh, li);
        int r = nl_talk(nl, nlh, NULL, NULL, NULL);
        if (r == -EEXIST)
                return r;
        if (r < 0)
                return tm_error_errno(err, r, "create bridge \"%s\"", name);
        return 0;
}

int
net_veth_add(net_nl *nl, const char *name, const char *peer, int peer_netns_fd, int master,
             tm_error *err)
{
        struct nlmsghdr *nlh = msg_new(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        if (master > 0)
                mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
        struct nlattr *li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
        struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
        struct nlattr *pa = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
        struct ifinfomsg *pifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifi));
        pifi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
        if (peer_netns_fd >= 0)
                mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
        mnl_attr_nest_end(nlh, pa);
        mnl_attr_nest_end(nlh, data);
        mnl_attr_nest_end(nlh, li);
        int r = nl_talk(nl, nlh, NULL, NULL, NULL);
        if (r == -EEXIST)
                return tm_error_set(err, r, "create veth \"%s\": a link \"%s\" or \"%s\" exists",
                                    name, name, peer);
        if (r < 0)
                return tm_error_errno(err, r, "create veth \"%s\"", name);
        return 0;
}

static int
link_change(net_nl *nl, uint16_t type, int ifindex, unsigned flags, unsigned change, int attr_type,
            const void *attr, size_t attr_len)
{
        struct nlmsghdr *nlh = msg_new(nl, type, 0);
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
        ifi->ifi_flags = flags;
        ifi->ifi_change = change;
        if (attr)
                mnl_attr_put(nlh, (uint16_t)attr_type, attr_len, attr);
        return nl_talk(nl, nlh, NULL, NULL, NULL);
}

int
net_link_set_up(net_nl *nl, int ifindex, tm_error *err)
{
        int r = link_change(nl, RTM_NEWLINK, ifindex, IFF_UP, IFF_UP, 0, NULL, 0);
        return r < 0 ? tm_error_errno(err, r, "set link %d up", ifindex) : 0;
}

int
net_link_set_master(net_nl *nl, int ifindex, int master, tm_error *err)
{
        uint32_t m = (uint32_t)master;
        int r = link_change(nl, RTM_NEWLINK, ifindex, 0, 0, IFLA_MASTER, &m, sizeof(m));
        return r < 0 ? tm_error_errno(err, r, "attach link %d to bridge", ifindex) : 0;
}

int
net_link_set_hairpin(net_nl *nl, int ifindex, bool on, tm_error *err)
{
        struct nlmsghdr *nlh = msg_new(nl, RTM_SETLINK, 0);
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_BRIDGE;
        ifi->ifi_index = ifindex;
        struct nlattr *pi = mnl_attr_nest_start(nlh, IFLA_PROTINFO);
        mnl_attr_put_u8(nlh, IFLA_BRPORT_MODE, on ? 1 : 0);
        mnl_attr_nest_end(nlh, pi);
        int r = nl_talk(nl, nlh, NULL, NULL, NULL);
        return r < 0 ? tm_error_errno(err, r, "set hairpin mode of link %d", ifindex) : 0;
}

int
net_link_set_alias(net_nl *nl, int ifindex, const char *alias, tm_error *err)
{
        int r = link_change(nl, RTM_NEWLINK, ifindex, 0, 0, IFLA_IFALIAS, alias, strlen(alias) + 1);
        return r < 0 ? tm_error_errno(err, r, "set alias of link %d", ifindex) : 0;
}

int
net_link_del(net_nl *nl, int ifindex, tm_error *err)
{
        int r = link_change(nl, RTM_DELLINK, ifindex, 0, 0, 0, NULL, 0);
        if (r == -ENODEV)
                return 0;
        return r < 0 ? tm_error_errno(err, r, "delete link %d", ifindex) : 0;
}

int
net_addr_add(net_nl *nl, int ifindex, uint32_t addr, unsigned prefix, tm_error *err)
{
        struct nlmsghdr *nlh = msg_new(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
        struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
        ifa->ifa_family = AF_INET;
        ifa->ifa_prefixlen = (unsigned char)prefix;
        ifa->ifa_scope = RT_SCOPE_UNIVERSE;
        ifa->ifa_index = (unsigned)ifindex;
        uint32_t mask = prefix ? ~(uint32_t)0 << (32 - prefix) : 0;
        mnl_attr_put_u32(nlh, IFA_LOCAL, htonl(addr));
        mnl_attr_put_u32(nlh, IFA_ADDRESS, htonl(addr));
        if (prefix < 31)
                mnl_attr_put_u32(nlh, IFA_BROADCAST, htonl(addr | ~mask));
        int r = nl_talk(nl, nlh, NULL, NULL, NULL);
        if (r == -EEXIST)
                return 0;
        return r < 0 ? tm_error_errno(err, r, "add address to link %d", ifindex) : 0;
}

struct addr_has_ctx {
        int ifindex;
        uint32_t addr;
        unsigned prefix;
        bool found;
};

static int
addr_has_cb(const struct nlmsghdr *nlh, void *data)
{
        struct addr_has_ctx *c = data;
        if (nlh->nlmsg_type != RTM_NEWADDR)
                return MNL_CB_OK;
        const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
        if (ifa->ifa_family != AF_INET || (int)ifa->ifa_index != c->ifindex ||
            ifa->ifa_prefixlen != c->prefix)
                return MNL_CB_OK;
        const struct nlattr *a;
        mnl_attr_for_each(a, nlh, sizeof(*ifa))
        {
                if (mnl_attr_get_type(a) == IFA_LOCAL && mnl_attr_validate(a, MNL_TYPE_U32) == 0 &&
                    ntohl(mnl_attr_get_u32(a)) == c->addr)
                        c->found = true;
        }
        return MNL_CB_OK;
}

int
net_addr_has(net_nl *nl, int ifindex, uint32_t addr, unsigned prefix, bool *out, tm_error *err)
{
        struct nlmsghdr *nlh = msg_new(nl, RTM_GETADDR, NLM_F_DUMP);
        struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
        ifa->ifa_family = AF_INET;
        struct addr_has_ctx c = {ifindex, addr, prefix, false};
        int r = nl_talk(nl, nlh, addr_has_cb, &c, NULL);
        if (r < 0)
                return tm_error_errno(err, r, "list addresses");
        *out = c.found;
        return 0;
}

int
net_route_default(net_nl *nl, int ifindex, uint32_t gw, tm_error *err)
{
        struct nlmsghdr *nlh = msg_new(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE);
        struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
        rtm->rtm_family = AF_INET;
        rtm->rtm_dst_len = 0;
        rtm->rtm_table = RT_TABLE_MAIN;
        rtm->rtm_protocol = RTPROT_BOOT;
        rtm->rtm_scope = RT_SCOPE_UNIVERSE;
        rtm->rtm_type = RTN_UNICAST;
        mnl_attr_put_u32(nlh, RTA_GATEWAY, htonl(gw));
        mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
        int r = nl_talk(nl, nlh, NULL, NULL, NULL);
        return r < 0 ? tm_error_errno(err, r, "add default route") : 0;
}

struct route_ctx {
        int ifindex;
        uint32_t gw;
        bool found;
};

static int
route_cb(const struct nlmsghdr *nlh, void *data)
{
        struct route_ctx *c = data;
        if (nlh->nlmsg_type != RTM_NEWROUTE)
                return MNL_CB_OK;
        const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
        if (rtm->rtm_family != AF_INET || rtm->rtm_dst_len != 0)
                return MNL_CB_OK;
        uint32_t table = rtm->rtm_table, gw = 0, oif = 0;
        const struct nlattr *a;
        mnl_attr_for_each(a, nlh, sizeof(*rtm))
        {
                if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
                        continue;
                switch (mnl_attr_get_type(a)) {
                case RTA_TABLE:
                        table = mnl_attr_get_u32(a);
                        break;
                case RTA_GATEWAY:
                        gw = ntohl(mnl_attr_get_u32(a));
                        break;
                case RTA_OIF:
                        oif = mnl_attr_get_u32(a);
                        break;
                default:
                        break;
                }
        }
        if (table == RT_TABLE_MAIN && gw == c->gw && (int)oif == c->ifindex)
                c->found = true;
        return MNL_CB_OK;
}

int
net_route_default_is(net_nl *nl, int ifindex, uint32_t gw, bool *out, tm_error *err)
{
        struct nlmsghdr *nlh = msg_new(nl, RTM_GETROUTE, NLM_F_DUMP);
        struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
        rtm->rtm_family = AF_INET;
        struct route_ctx c = {ifindex, gw, false};
        int r = nl_talk(nl, nlh, route_cb, &c, NULL);
        if (r < 0)
                return tm_error_errno(err, r, "list routes");
        *out = c.found;
        return 0;
}

int
net_nft_run(const char *cmds, char **json_out, tm_error *err)
{
        struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
        if (!ctx)
                return tm_error_set(err, -ENOMEM, "nftables context");
        nft_ctx_buffer_output(ctx);
        nft_ctx_buffer_error(ctx);
        if (json_out)
                nft_ctx_output_set_flags(ctx, NFT_CTX_OUTPUT_JSON);
        int r = 0;
        if (nft_run_cmd_from_buffer(ctx, cmds) != 0) {
                const char *e = nft_ctx_get_error_buffer(ctx);
                char first[256];
                snprintf(first, sizeof(first), "%s", e ? e : "");
                first[strcspn(first, "\n")] = '\0';
                r = tm_error_set(err, -EIO, "nftables: %s", first);
        } else if (json_out) {
                const char *o = nft_ctx_get_output_buffer(ctx);
                *json_out = xstrdup(o ? o : "");
        }
        nft_ctx_free(ctx);
        return r;
}
