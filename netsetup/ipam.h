/* Host-local IPAM for one node's pod CIDR.
 *
 * Each allocation is a symlink <dir>/ips/<dotted ip> whose target is the
 * owner's key. symlink() creates a name with its content in one step and
 * fails when the name exists, so an address is never claimed twice and a
 * crash leaves either no claim or a whole one; the directory is fsynced
 * before an address is handed out and after one is released. A claim whose
 * owner is gone (a crash between claim and use) is freed by
 * the caller's clean-up (net_podnet_gc). Allocation goes round-robin from
 * the last address given (<dir>/last_reserved) so that a just-freed address
 * is not reused at once. One process at a time: <dir>/lock is flocked. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* Longest key (pod identity) accepted; keys use [A-Za-z0-9._:/@+=-] and
 * do not start with '/' or '.'. */
#define NET_IPAM_KEY_MAX 200
/* Most allocation files read from a state directory. */
#define NET_IPAM_MAX_ENTRIES 65536

typedef struct net_cidr {
        uint32_t addr; /* host byte order, host bits zero */
        unsigned prefix;
} net_cidr;

/* Strict dotted quad: four decimal parts 0-255, no leading zeros, nothing
 * else. *out in host byte order. */
int net_ip4_parse(const char *s, uint32_t *out);
/* Strict "a.b.c.d/n" with host bits zero. */
int net_cidr_parse(const char *s, net_cidr *out, tm_error *err);
void net_ip4_format(uint32_t ip, char out[16]);
bool net_cidr_contains(const net_cidr *c, uint32_t ip);
bool net_ipam_key_valid(const char *key);
/* Parses the content of an allocation (the symlink's target): the key and
 * an optional trailing newline. Copies the key to key_out. */
int net_ipam_entry_parse(const char *data, size_t len, char key_out[NET_IPAM_KEY_MAX + 1]);

typedef struct net_ipam net_ipam;

/* Opens (creating) the store in dir for pod CIDR cidr (prefix 16..30): the
 * network address, the first address (gateway) and the broadcast address
 * are never given. A corrupt or foreign state file is an error. */
int net_ipam_open(net_ipam **out, const char *dir, const net_cidr *cidr, tm_error *err);
void net_ipam_close(net_ipam *ipam);

/* The address held by key; -ENOENT when none. */
int net_ipam_lookup(const net_ipam *ipam, const char *key, uint32_t *out);
/* The address held by key, or a new one claimed for it; -ENOSPC when the
 * CIDR is full. */
int net_ipam_allocate(net_ipam *ipam, const char *key, uint32_t *out, tm_error *err);
/* Frees key's address; 0 when key held none. */
int net_ipam_release(net_ipam *ipam, const char *key, tm_error *err);

size_t net_ipam_count(const net_ipam *ipam);
/* The i-th allocation (i < count); key is owned by ipam and stays valid
 * until the next allocate or release. */
void net_ipam_entry(const net_ipam *ipam, size_t i, uint32_t *ip, const char **key);
