#include "netsetup/ipam.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/mem.h"
#include "common/util.h"

struct ipam_entry {
        uint32_t ip;
        char *key;
};

struct net_ipam {
        char *dir;
        int dir_fd;  /* <dir> */
        int ips_fd;  /* <dir>/ips */
        int lock_fd; /* <dir>/lock, flocked */
        net_cidr cidr;
        uint32_t first, last; /* allocatable range, inclusive */
        uint32_t last_reserved;
        uint8_t *held; /* bitmap over the CIDR, bit (ip - cidr.addr) */
        struct ipam_entry *entries;
        size_t n_entries, cap_entries;
};

static int
parse_octets(const char *s, size_t len, unsigned max, unsigned *out)
{
        /* Decimal, no sign, no leading zeros, at most 3 digits. */
        if (len == 0 || len > 3 || (len > 1 && s[0] == '0'))
                return -EINVAL;
        unsigned v = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned)(s[i] - '0');
        }
        if (v > max)
                return -EINVAL;
        *out = v;
        return 0;
}

static int
ip4_parse_n(const char *s, size_t len, uint32_t *out)
{
        uint32_t ip = 0;
        size_t start = 0;
        for (int part = 0; part < 4; part++) {
                size_t end = start;
                while (end < len && s[end] != '.')
                        end++;
                if ((part < 3) != (end < len))
                        return -EINVAL;
                unsigned v;
                if (parse_octets(s + start, end - start, 255, &v) < 0)
                        return -EINVAL;
                ip = (ip << 8) | v;
                start = end + 1;
        }
        *out = ip;
        return 0;
}

int
net_ip4_parse(const char *s, uint32_t *out)
{
        if (!s)
                return -EINVAL;
        size_t len = strnlen(s, 16);
        if (len > 15)
                return -EINVAL;
        return ip4_parse_n(s, len, out);
}

int
net_cidr_parse(const char *s, net_cidr *out, tm_error *err)
{
        if (!s)
                return tm_error_set(err, -EINVAL, "missing CIDR");
        size_t len = strnlen(s, 19);
        const char *slash = memchr(s, '/', len);
        unsigned prefix;
        uint32_t ip;
        if (len > 18 || !slash || ip4_parse_n(s, (size_t)(slash - s), &ip) < 0 ||
            parse_octets(slash + 1, len - (size_t)(slash + 1 - s), 32, &prefix) < 0)
                return tm_error_set(err, -EINVAL, "CIDR \"%.32s\" is not of the form a.b.c.d/n", s);
        uint32_t mask = prefix ? ~(uint32_t)0 << (32 - prefix) : 0;
        if (ip & ~mask)
                return tm_error_set(err, -EINVAL, "CIDR \"%s\" has host bits set", s);
        out->addr = ip;
        out->prefix = prefix;
        return 0;
}

void
net_ip4_format(uint32_t ip, char out[16])
{
        snprintf(out, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

bool
net_cidr_contains(const net_cidr *c, uint32_t ip)
{
        uint32_t mask = c->prefix ? ~(uint32_t)0 << (32 - c->prefix) : 0;
        return (ip & mask) == c->addr;
}

bool
net_ipam_key_valid(const char *key)
{
        if (!key)
                return false;
        size_t len = strnlen(key, NET_IPAM_KEY_MAX + 1);
        if (len == 0 || len > NET_IPAM_KEY_MAX || key[0] == '/' || key[0] == '.')
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = key[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      strchr("._:/@+=-", c)))
                        return false;
        }
        return true;
}

int
net_ipam_entry_parse(const char *data, size_t len, char key_out[NET_IPAM_KEY_MAX + 1])
{
        if (len > 0 && data[len - 1] == '\n')
                len--;
        if (len == 0 || len > NET_IPAM_KEY_MAX || memchr(data, '\0', len))
                return -EINVAL;
        char key[NET_IPAM_KEY_MAX + 1];
        memcpy(key, data, len);
        key[len] = '\0';
        if (!net_ipam_key_valid(key))
                return -EINVAL;
        memcpy(key_out, key, len + 1);
        return 0;
}

static bool
held_get(const net_ipam *ipam, uint32_t ip)
{
        uint32_t off = ip - ipam->cidr.addr;
        return ipam->held[off / 8] & (1u << (off % 8));
}

static void
held_set(net_ipam *ipam, uint32_t ip, bool on)
{
        uint32_t off = ip - ipam->cidr.addr;
        if (on)
                ipam->held[off / 8] |= (uint8_t)(1u << (off % 8));
        else
                ipam->held[off / 8] &= (uint8_t) ~(1u << (off % 8));
}

static ssize_t
find_key(const net_ipam *ipam, const char *key)
{
        for (size_t i = 0; i < ipam->n_entries; i++)
                if (strcmp(ipam->entries[i].key, key) == 0)
                        return (ssize_t)i;
        return -1;
}

static void
entry_add(net_ipam *ipam, uint32_t ip, const char *key)
{
        TM_GROW(ipam->entries, ipam->cap_entries, ipam->n_entries + 1);
        ipam->entries[ipam->n_entries++] = (struct ipam_entry){ip, xstrdup(key)};
        held_set(ipam, ip, true);
}

/* Reads one allocation below ips_fd: a symlink whose target is the key.
 * Anything else is corrupt state. */
static int
load_entry(net_ipam *ipam, const char *name, tm_error *err)
{
        uint32_t ip;
        if (net_ip4_parse(name, &ip) < 0)
                return tm_error_set(err, -EINVAL, "unexpected file \"%s/ips/%s\"", ipam->dir, name);
        if (ip < ipam->first || ip > ipam->last)
                return tm_error_set(err, -EINVAL,
                                    "allocation \"%s/ips/%s\" is outside the pod CIDR "
                                    "(did the CIDR change?)",
                                    ipam->dir, name);
        char buf[NET_IPAM_KEY_MAX + 2];
        ssize_t n = readlinkat(ipam->ips_fd, name, buf, sizeof(buf));
        if (n < 0 && errno != EINVAL)
                return tm_error_errno(err, -errno, "read \"%s/ips/%s\"", ipam->dir, name);
        char key[NET_IPAM_KEY_MAX + 1];
        if (n < 0 || (size_t)n == sizeof(buf) || net_ipam_entry_parse(buf, (size_t)n, key) < 0)
                return tm_error_set(err, -EINVAL, "corrupt allocation \"%s/ips/%s\"", ipam->dir,
                                    name);
        if (find_key(ipam, key) >= 0)
                return tm_error_set(err, -EINVAL,
                                    "corrupt state: key \"%s\" holds two addresses (\"%s/ips/%s\")",
                                    key, ipam->dir, name);
        entry_add(ipam, ip, key);
        return 0;
}

static int
load(net_ipam *ipam, tm_error *err)
{
        int dfd = dup(ipam->ips_fd);
        if (dfd < 0)
                return tm_error_errno(err, -errno, "dup");
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return tm_error_errno(err, -errno, "opendir \"%s/ips\"", ipam->dir);
        }
        rewinddir(d);
        struct dirent *de;
        int r = 0;
        size_t seen = 0;
        while (r == 0 && (de = readdir(d))) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                if (++seen > NET_IPAM_MAX_ENTRIES) {
                        r = tm_error_set(err, -E2BIG, "\"%s/ips\" has over %d files", ipam->dir,
                                         NET_IPAM_MAX_ENTRIES);
                        break;
                }
                r = load_entry(ipam, de->d_name, err);
        }
        closedir(d);
        if (r < 0)
                return r;

        char data[32];
        ssize_t n = readlinkat(ipam->dir_fd, "last_reserved", data, sizeof(data) - 1);
        if (n < 0 && errno == ENOENT)
                return 0;
        if (n < 0 && errno != EINVAL)
                return tm_error_errno(err, -errno, "read \"%s/last_reserved\"", ipam->dir);
        uint32_t ip;
        if (n > 0)
                data[n] = '\0';
        if (n <= 0 || strlen(data) != (size_t)n || net_ip4_parse(data, &ip) < 0)
                return tm_error_set(err, -EINVAL, "corrupt \"%s/last_reserved\"", ipam->dir);
        if (ip >= ipam->first && ip <= ipam->last)
                ipam->last_reserved = ip;
        return 0;
}

int
net_ipam_open(net_ipam **out, const char *dir, const net_cidr *cidr, tm_error *err)
{
        if (cidr->prefix < 16 || cidr->prefix > 30)
                return tm_error_set(err, -EINVAL, "pod CIDR prefix /%u is not within /16../30",
                                    cidr->prefix);
        _cleanup_free_ char *ips = xasprintf("%s/ips", dir);
        int r = tm_mkdir_p(ips, 0700, err);
        if (r < 0)
                return r;
        net_ipam *ipam = xcalloc(1, sizeof(*ipam));
        ipam->dir = xstrdup(dir);
        ipam->ips_fd = ipam->lock_fd = -1;
        ipam->cidr = *cidr;
        uint32_t size = (uint32_t)1 << (32 - cidr->prefix);
        ipam->first = cidr->addr + 2;
        ipam->last = cidr->addr + size - 2;
        ipam->last_reserved = 0;
        ipam->held = xcalloc(size / 8 + 1, 1);
        ipam->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ipam->dir_fd < 0) {
                r = tm_error_errno(err, -errno, "open \"%s\"", dir);
                goto fail;
        }
        ipam->ips_fd = open(ips, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ipam->ips_fd < 0) {
                r = tm_error_errno(err, -errno, "open \"%s\"", ips);
                goto fail;
        }
        ipam->lock_fd = openat(ipam->dir_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (ipam->lock_fd < 0) {
                r = tm_error_errno(err, -errno, "open \"%s/lock\"", dir);
                goto fail;
        }
        if (flock(ipam->lock_fd, LOCK_EX | LOCK_NB) < 0) {
                r = errno == EWOULDBLOCK
                        ? tm_error_set(err, -EBUSY, "\"%s\" is in use by another process", dir)
                        : tm_error_errno(err, -errno, "lock \"%s/lock\"", dir);
                goto fail;
        }
        r = load(ipam, err);
        if (r < 0)
                goto fail;
        *out = ipam;
        return 0;
fail:
        net_ipam_close(ipam);
        return r;
}

void
net_ipam_close(net_ipam *ipam)
{
        if (!ipam)
                return;
        for (size_t i = 0; i < ipam->n_entries; i++)
                free(ipam->entries[i].key);
        free(ipam->entries);
        free(ipam->held);
        if (ipam->lock_fd >= 0)
                close(ipam->lock_fd); /* drops the flock */
        if (ipam->ips_fd >= 0)
                close(ipam->ips_fd);
        if (ipam->dir_fd >= 0)
                close(ipam->dir_fd);
        free(ipam->dir);
        free(ipam);
}

int
net_ipam_lookup(const net_ipam *ipam, const char *key, uint32_t *out)
{
        ssize_t i = find_key(ipam, key);
        if (i < 0)
                return -ENOENT;
        *out = ipam->entries[i].ip;
        return 0;
}

/* Claims ip for key on disk: 0, -EEXIST when the name is taken, or an
 * error. symlink() creates the name and its content in one step and fails
 * if the name exists, so a crash leaves either no claim or a whole one; the
 * directory is fsynced before 0 is returned, so the claim outlives a crash
 * before the address is used. */
static int
claim(net_ipam *ipam, uint32_t ip, const char *key, tm_error *err)
{
        char name[16];
        net_ip4_format(ip, name);
        if (symlinkat(key, ipam->ips_fd, name) < 0)
                return errno == EEXIST
                           ? -EEXIST
                           : tm_error_errno(err, -errno, "create \"%s/ips/%s\"", ipam->dir, name);
        if (fsync(ipam->ips_fd) < 0) {
                int r = tm_error_errno(err, -errno, "fsync \"%s/ips\"", ipam->dir);
                unlinkat(ipam->ips_fd, name, 0);
                return r;
        }
        return 0;
}

/* Only the order of allocation depends on last_reserved, so it is replaced
 * atomically (symlink, rename) but not fsynced: a crash can only make it
 * older. */
static void
save_last_reserved(net_ipam *ipam, uint32_t ip)
{
        char s[16];
        net_ip4_format(ip, s);
        unlinkat(ipam->dir_fd, "last_reserved.tmp", 0);
        if (symlinkat(s, ipam->dir_fd, "last_reserved.tmp") == 0 &&
            renameat(ipam->dir_fd, "last_reserved.tmp", ipam->dir_fd, "last_reserved") < 0)
                unlinkat(ipam->dir_fd, "last_reserved.tmp", 0);
}

int
net_ipam_allocate(net_ipam *ipam, const char *key, uint32_t *out, tm_error *err)
{
        if (!net_ipam_key_valid(key))
                return tm_error_set(err, -EINVAL, "invalid pod key \"%.64s\"", key ? key : "");
        if (net_ipam_lookup(ipam, key, out) == 0)
                return 0;
        uint32_t n = ipam->last - ipam->first + 1;
        uint32_t ip = ipam->last_reserved ? ipam->last_reserved + 1 : ipam->first;
        for (uint32_t tries = 0; tries < n; tries++, ip++) {
                if (ip > ipam->last || ip < ipam->first)
                        ip = ipam->first;
                if (held_get(ipam, ip))
                        continue;
                int r = claim(ipam, ip, key, err);
                if (r == -EEXIST)
                        continue; /* someone's file we did not load: never take it */
                if (r < 0)
                        return r;
                entry_add(ipam, ip, key);
                ipam->last_reserved = ip;
                save_last_reserved(ipam, ip);
                *out = ip;
                return 0;
        }
        char c[16];
        net_ip4_format(ipam->cidr.addr, c);
        return tm_error_set(err, -ENOSPC, "no free address in pod CIDR %s/%u (%u in use)", c,
                            ipam->cidr.prefix, (unsigned)ipam->n_entries);
}

int
net_ipam_release(net_ipam *ipam, const char *key, tm_error *err)
{
        ssize_t i = find_key(ipam, key);
        if (i < 0)
                return 0;
        char name[16];
        net_ip4_format(ipam->entries[i].ip, name);
        /* Durable before the key can get another address: otherwise a crash
         * could bring the old claim back next to the new one. */
        if (unlinkat(ipam->ips_fd, name, 0) < 0 && errno != ENOENT)
                return tm_error_errno(err, -errno, "remove \"%s/ips/%s\"", ipam->dir, name);
        if (fsync(ipam->ips_fd) < 0)
                return tm_error_errno(err, -errno, "fsync \"%s/ips\"", ipam->dir);
        held_set(ipam, ipam->entries[i].ip, false);
        free(ipam->entries[i].key);
        ipam->entries[i] = ipam->entries[--ipam->n_entries];
        return 0;
}

size_t
net_ipam_count(const net_ipam *ipam)
{
        return ipam->n_entries;
}

void
net_ipam_entry(const net_ipam *ipam, size_t i, uint32_t *ip, const char **key)
{
        *ip = ipam->entries[i].ip;
        *key = ipam->entries[i].key;
}
