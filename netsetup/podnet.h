/* Pod network on one node: a bridge, a veth pair per pod into the pod's
 * network namespace (netlink through libmnl), an address from the node's
 * pod CIDR persisted under <state>/net and never reused while held, a
 * default route, and the pod's /etc/hosts and /etc/resolv.conf contents. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

typedef struct net_podnet net_podnet;

typedef struct net_podnet_options {
        const char *state_dir;      /* IPAM state in <state_dir>/net */
        const char *bridge;         /* default "timone0" */
        const char *pod_cidr;       /* default "10.42.0.0/24"; the bridge takes .1 */
        const char *cluster_cidr;   /* default "10.42.0.0/16" */
        const char *dns_server;     /* nameserver for resolv.conf; NULL: the bridge address */
        const char *cluster_domain; /* default "cluster.local" */
} net_podnet_options;

int net_podnet_open(net_podnet **out, const net_podnet_options *opts, tm_error *err);
void net_podnet_close(net_podnet *n);

/* Gives the pod identified by key (a stable id, e.g. its uid) an address
 * and joins the network namespace at netns_path (a bind-mounted namespace
 * file) to the bridge. Idempotent: a pod already attached keeps its address
 * and link. ip gets the dotted address. */
int net_pod_attach(net_podnet *n, const char *key, const char *netns_path, char ip[16],
                   tm_error *err);
int net_pod_detach(net_podnet *n, const char *key, tm_error *err);
/* Frees addresses and links of every key not in live (crash clean-up). */
int net_podnet_gc(net_podnet *n, const char *const *live, size_t n_live, tm_error *err);
/* Renders /etc/hosts and /etc/resolv.conf for a pod (caller frees). */
char *net_pod_hosts_file(const char *pod_name, const char *ip, const char *const *aliases);
char *net_pod_resolv_conf(net_podnet *n, const char *pod_namespace);

/* The host-side veth name of key's pod: "tmv" + 8 hex digits of
 * sha256(key). The host side also carries the alias "timone-pod:<key>". */
void net_pod_veth_name(const char *key, char out[16]);

typedef struct net_host_port {
        uint16_t host_port; /* on every address of the node */
        uint16_t container_port;
        bool udp; /* TCP when false */
} net_host_port;

/* Forwards each host port (at most 64) on the node's addresses to the
 * attached pod's address, replacing the pod's earlier set (an empty set
 * removes them). -EADDRINUSE when another pod holds one of the ports,
 * -ENOENT when key is not attached. Detach and gc remove them too. */
int net_pod_set_host_ports(net_podnet *n, const char *key, const net_host_port *ports,
                           size_t n_ports, tm_error *err);
