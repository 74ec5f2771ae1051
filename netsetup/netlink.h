/* Small rtnetlink helpers over libmnl: links (bridge, veth), addresses and
 * routes. Every request waits for the kernel's answer; errors come back as
 * negative errno values with a message in err. */
#pragma once

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"

typedef struct net_nl net_nl;

typedef struct net_link_info {
        int ifindex;
        int master;     /* 0 when none */
        int link;       /* IFLA_LINK: a veth's peer ifindex (in the peer's namespace) */
        unsigned flags; /* IFF_* */
        char name[IFNAMSIZ];
        char kind[16]; /* "bridge", "veth", ... or "" */
        char alias[257];
} net_link_info;

/* A socket in the caller's network namespace. */
int net_nl_open(net_nl **out, tm_error *err);
/* A socket in the network namespace at netns_path. A short-lived child
 * (sharing memory and file table, as posix_spawn does) enters the namespace
 * and opens the socket, so this process never changes namespace. */
int net_nl_open_netns(net_nl **out, const char *netns_path, tm_error *err);
void net_nl_close(net_nl *nl);

/* -ENODEV when there is no such link. */
int net_link_get(net_nl *nl, const char *name, net_link_info *out, tm_error *err);
/* Calls cb for every link; a negative return from cb stops and is returned. */
int net_link_foreach(net_nl *nl, int (*cb)(const net_link_info *link, void *userdata),
                     void *userdata, tm_error *err);
/* -EEXIST when a link of that name exists. mac (6 bytes, may be NULL) is
 * fixed so the bridge keeps its address as ports come and go. */
int net_bridge_add(net_nl *nl, const char *name, const uint8_t *mac, tm_error *err);
/* Creates name <-> peer; peer is created directly inside the namespace
 * peer_netns_fd refers to, and name is enslaved to master (if > 0). */
int net_veth_add(net_nl *nl, const char *name, const char *peer, int peer_netns_fd, int master,
                 tm_error *err);
int net_link_set_up(net_nl *nl, int ifindex, tm_error *err);
int net_link_set_master(net_nl *nl, int ifindex, int master, tm_error *err);
/* Lets a bridge port send frames back out where they came in, so that a
 * pod reaches itself through a host port. */
int net_link_set_hairpin(net_nl *nl, int ifindex, bool on, tm_error *err);
int net_link_set_alias(net_nl *nl, int ifindex, const char *alias, tm_error *err);
int net_link_del(net_nl *nl, int ifindex, tm_error *err);

/* Adds addr/prefix (host byte order) to the link; already there is fine. */
int net_addr_add(net_nl *nl, int ifindex, uint32_t addr, unsigned prefix, tm_error *err);
/* Whether the link has exactly addr/prefix among its IPv4 addresses. */
int net_addr_has(net_nl *nl, int ifindex, uint32_t addr, unsigned prefix, bool *out, tm_error *err);
/* Sets (replacing) the IPv4 default route via gw out of ifindex. */
int net_route_default(net_nl *nl, int ifindex, uint32_t gw, tm_error *err);
/* Whether the IPv4 default route goes via gw out of ifindex. */
int net_route_default_is(net_nl *nl, int ifindex, uint32_t gw, bool *out, tm_error *err);

/* Runs nft commands (one buffer is one transaction) through libnftables.
 * With json_out, the command's listing comes back as JSON (caller frees). */
int net_nft_run(const char *cmds, char **json_out, tm_error *err);
