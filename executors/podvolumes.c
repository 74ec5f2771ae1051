/* A pod's setup on the node: its sandbox, network, host ports and the
 * files its containers bind (agent_pod_prepare), and its volumes:
 * emptyDir (disk or memory),
 * configMap and secret (projected like the kubelet does: a timestamped
 * directory behind a "..data" link, swapped atomically so updates reach
 * running pods; secrets on tmpfs only), hostPath (within the allowed
 * roots), persistentVolumeClaim (the bound path from the controller). */
#include "executors/agent-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "resources/names.h"
#include "resources/quantity.h"

#define VOLUME_FILE_MAX (8u << 20)

int
agent_ensure_tmpfs(const char *dir, const char *size, tm_error *err)
{
        int r = tm_mkdir_p(dir, 0700, err);
        if (r < 0)
                return r;
        struct statfs sf;
        if (statfs(dir, &sf) == 0 && sf.f_type == TMPFS_MAGIC)
                return 0;
        _cleanup_free_ char *opts = xasprintf("size=%s,mode=0700", size);
        if (mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0)
                return tm_error_errno(err, -errno, "mount tmpfs on \"%s\"", dir);
        return 0;
}

static char *
vol_dir(const agent_pod *p, const char *name)
{
        return xasprintf("%s/volumes/%s", p->sb.dir, name);
}

static bool
path_within(const char *path, const char *root)
{
        size_t n = strlen(root);
        while (n > 1 && root[n - 1] == '/')
                n--;
        return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Absolute, no "..": hostPath and claim paths must be plain. */
static bool
path_clean(const char *p)
{
        if (p[0] != '/' || strstr(p, "/../") || tm_str_has_suffix(p, "/..") || strstr(p, "//"))
                return false;
        return strcmp(p, "/") != 0;
}

static bool
host_path_allowed(exe_agent *a, const char *path)
{
        if (!path_clean(path))
                return false;
        _cleanup_free_ char *storage = xasprintf("%s/storage", a->o.state_dir);
        if (path_within(path, storage))
                return true;
        for (const char *const *r = a->o.host_path_roots; r && *r; r++)
                if (path_within(path, *r))
                        return true;
        return false;
}

static int
b64_decode(const char *in, size_t n, unsigned char **out, size_t *out_len)
{
        unsigned char *buf = xmalloc(n / 4 * 3 + 4);
        EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
        int len = 0, fin = 0;
        EVP_DecodeInit(ctx);
        if (EVP_DecodeUpdate(ctx, buf, &len, (const unsigned char *)in, (int)n) < 0 ||
            EVP_DecodeFinal(ctx, buf + len, &fin) < 0) {
                EVP_ENCODE_CTX_free(ctx);
                free(buf);
                return -EINVAL;
        }
        EVP_ENCODE_CTX_free(ctx);
        *out = buf;
        *out_len = (size_t)(len + fin);
        return 0;
}

/* The key -> bytes of a ConfigMap (data, binaryData) or Secret (data). */
typedef struct kv {
        char *key;
        unsigned char *val;
        size_t len;
} kv;

static void
kvs_free(kv *k, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(k[i].key);
                if (k[i].val)
                        explicit_bzero(k[i].val, k[i].len);
                free(k[i].val);
        }
        free(k);
}

static int
object_kvs(const res_value *obj, bool secret, kv **out, size_t *n)
{
        kv *k = NULL;
        size_t cap = 0, cnt = 0;
        const char *fields[] = {"data", "binaryData"};
        for (int f = 0; f < (secret ? 1 : 2); f++) {
                const res_value *m = res_map_get(obj, fields[f]);
                for (uint32_t i = 0; m && m->type == RES_MAP && i < m->n; i++) {
                        const res_value *v = m->u.members[i].value;
                        if (v->type != RES_STR)
                                continue;
                        TM_GROW(k, cap, cnt + 1);
                        kv *e = &k[cnt];
                        e->key = xstrdup(m->u.members[i].key);
                        if (secret || f == 1) {
                                if (b64_decode(v->u.s, v->n, &e->val, &e->len) < 0) {
                                        free(e->key);
                                        continue;
                                }
                        } else {
                                e->val = xmemdup(v->u.s, v->n);
                                e->len = v->n;
                        }
                        cnt++;
                }
        }
        *out = k;
        *n = cnt;
        return 0;
}

static int
write_file_at(const char *dir, const char *rel, const unsigned char *data, size_t len, mode_t mode,
              tm_error *err)
{
        _cleanup_free_ char *path = xasprintf("%s/%s", dir, rel);
        char *slash = strrchr(path, '/');
        *slash = '\0';
        int r = tm_mkdir_p(path, 0755, err);
        *slash = '/';
        if (r < 0)
                return r;
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0)
                return tm_error_errno(err, -errno, "write \"%s\"", path);
        fchmod(fd, mode);
        size_t off = 0;
        while (off < len) {
                ssize_t w = write(fd, data + off, len - off);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w <= 0) {
                        close(fd);
                        return tm_error_errno(err, w < 0 ? -errno : -EIO, "write \"%s\"", path);
                }
                off += (size_t)w;
        }
        close(fd);
        return 0;
}

/* Writes the projection of kvs (all keys, or items) into a new
 * timestamped directory and swaps "..data" to it. */
static int
project(const char *dir, const kv *kvs, size_t n, const res_value *items, int64_t default_mode,
        tm_error *err)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        _cleanup_free_ char *stamp = xasprintf("..%lld.%09ld", (long long)ts.tv_sec, ts.tv_nsec);
        _cleanup_free_ char *sdir = xasprintf("%s/%s", dir, stamp);
        int r = tm_mkdir_p(sdir, 0755, err);
        if (r < 0)
                return r;
        char **tops = NULL;
        size_t n_tops = 0, cap_tops = 0;
        for (size_t i = 0; i < n && r == 0; i++) {
                const char *rel = kvs[i].key;
                int64_t mode = default_mode;
                if (items && items->type == RES_SEQ) {
                        rel = NULL;
                        for (uint32_t k = 0; k < items->n; k++) {
                                const res_value *it = items->u.items[k];
                                if (!strcmp(res_get_str(it, "key", ""), kvs[i].key)) {
                                        rel = res_get_str(it, "path", kvs[i].key);
                                        mode = res_get_int(it, "mode", default_mode);
                                }
                        }
                        if (!rel)
                                continue;
                }
                if (res_check_path_segment(rel) != NULL) {
                        r = tm_error_set(err, -EINVAL, "volume item path \"%s\" is not allowed",
                                         rel);
                        break;
                }
                r = write_file_at(sdir, rel, kvs[i].val, kvs[i].len, (mode_t)(mode & 07777), err);
                size_t tl = strcspn(rel, "/");
                bool seen = false;
                for (size_t t = 0; t < n_tops; t++)
                        seen |= strlen(tops[t]) == tl && !strncmp(tops[t], rel, tl);
                if (!seen) {
                        TM_GROW(tops, cap_tops, n_tops + 1);
                        tops[n_tops++] = xstrndup(rel, tl);
                }
        }
        /* Swap ..data, then the top-level links. */
        _cleanup_free_ char *data_link = xasprintf("%s/..data", dir);
        _cleanup_free_ char *tmp_link = xasprintf("%s/..data_tmp", dir);
        char old[256] = "";
        ssize_t ol = readlink(data_link, old, sizeof(old) - 1);
        if (ol > 0)
                old[ol] = '\0';
        if (r == 0) {
                unlink(tmp_link);
                if (symlink(stamp, tmp_link) < 0 || rename(tmp_link, data_link) < 0)
                        r = tm_error_errno(err, -errno, "update \"%s\"", data_link);
        }
        for (size_t t = 0; t < n_tops && r == 0; t++) {
                _cleanup_free_ char *link = xasprintf("%s/%s", dir, tops[t]);
                _cleanup_free_ char *target = xasprintf("..data/%s", tops[t]);
                struct stat st;
                if (lstat(link, &st) == 0)
                        continue;
                if (symlink(target, link) < 0)
                        r = tm_error_errno(err, -errno, "link \"%s\"", link);
        }
        /* Links to keys no longer there. */
        DIR *d = opendir(dir);
        struct dirent *de;
        while (r == 0 && d && (de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                bool keep = false;
                for (size_t t = 0; t < n_tops; t++)
                        keep |= !strcmp(tops[t], de->d_name);
                if (!keep)
                        unlinkat(dirfd(d), de->d_name, 0);
        }
        if (d)
                closedir(d);
        if (r == 0 && old[0] && strcmp(old, stamp) != 0 && old[0] == '.' && !strchr(old, '/')) {
                _cleanup_free_ char *od = xasprintf("%s/%s", dir, old);
                tm_rm_rf(od, NULL);
        }
        for (size_t t = 0; t < n_tops; t++)
                free(tops[t]);
        free(tops);
        return r;
}

/* Fills a configMap or secret volume (also used for refreshes). */
static int
fill_source_volume(exe_agent *a, agent_pod *p, const res_value *vol, bool *missing, tm_error *err)
{
        const res_value *cm = res_map_get(vol, "configMap");
        const res_value *sec = res_map_get(vol, "secret");
        const res_value *src = cm ? cm : sec;
        const char *name = cm ? res_get_str(cm, "name", "") : res_get_str(sec, "secretName", "");
        bool optional = res_get_bool(src, "optional", false);
        const res_value *obj = agent_find_object(cm ? a->configmaps : a->secrets, p->ns, name);
        *missing = false;
        if (!obj && !optional) {
                *missing = true;
                return tm_error_set(err, -EAGAIN,
                                    "MountVolume.SetUp failed for volume \"%s\" : %s \"%s\" not "
                                    "found",
                                    res_get_str(vol, "name", ""), cm ? "configmap" : "secret",
                                    name);
        }
        _cleanup_free_ char *dir = vol_dir(p, res_get_str(vol, "name", ""));
        kv *kvs = NULL;
        size_t n = 0;
        if (obj)
                object_kvs(obj, sec != NULL, &kvs, &n);
        const res_value *items = res_map_get(src, "items");
        if (items && obj) {
                for (uint32_t k = 0; k < items->n; k++) {
                        const char *key = res_get_str(items->u.items[k], "key", "");
                        bool found = false;
                        for (size_t i = 0; i < n; i++)
                                found |= !strcmp(kvs[i].key, key);
                        if (!found && !optional) {
                                kvs_free(kvs, n);
                                *missing = true;
                                return tm_error_set(err, -EAGAIN,
                                                    "MountVolume.SetUp failed for volume \"%s\" : "
                                                    "key \"%s\" not found in \"%s\"",
                                                    res_get_str(vol, "name", ""), key, name);
                        }
                }
        }
        int r = project(dir, kvs, n, items, res_get_int(src, "defaultMode", 0644), err);
        kvs_free(kvs, n);
        return r;
}

int
agent_volumes_prepare(exe_agent *a, agent_pod *p, char *reason, size_t rlen, tm_error *err)
{
        const res_value *vols = res_get(p->obj, "spec", "volumes", NULL);
        for (uint32_t i = 0; vols && vols->type == RES_SEQ && i < vols->n; i++) {
                const res_value *v = vols->u.items[i];
                const char *name = res_get_str(v, "name", "");
                _cleanup_free_ char *dir = vol_dir(p, name);
                int r = 0;
                if (res_map_get(v, "emptyDir")) {
                        r = tm_mkdir_p(dir, 0777, err);
                        chmod(dir, 0777);
                        const res_value *ed = res_map_get(v, "emptyDir");
                        if (r == 0 && !strcmp(res_get_str(ed, "medium", ""), "Memory")) {
                                const char *lim = res_get_str(ed, "sizeLimit", NULL);
                                res_quantity q;
                                _cleanup_free_ char *size =
                                    lim && res_quantity_parse(lim, &q) == 0
                                        ? xasprintf("%lld", (long long)res_quantity_value(&q))
                                        : xstrdup("64m");
                                r = agent_ensure_tmpfs(dir, size, err);
                                chmod(dir, 0777);
                        }
                } else if (res_map_get(v, "configMap") || res_map_get(v, "secret")) {
                        if (res_map_get(v, "secret") &&
                            (r = agent_ensure_tmpfs(dir, "4m", err)) < 0)
                                return r;
                        if ((r = tm_mkdir_p(dir, 0755, err)) < 0)
                                return r;
                        bool missing = false;
                        r = fill_source_volume(a, p, v, &missing, err);
                        if (missing)
                                snprintf(reason, rlen, "FailedMount");
                } else if (res_map_get(v, "hostPath")) {
                        const res_value *hp = res_map_get(v, "hostPath");
                        const char *path = res_get_str(hp, "path", "");
                        const char *type = res_get_str(hp, "type", "");
                        if (!host_path_allowed(a, path))
                                return tm_error_set(err, -EPERM,
                                                    "hostPath \"%s\" of volume \"%s\" is outside "
                                                    "the allowed roots (timone serve "
                                                    "--host-path-root)",
                                                    path, name);
                        struct stat st;
                        bool exists = stat(path, &st) == 0;
                        if (!strcmp(type, "DirectoryOrCreate") && !exists)
                                r = tm_mkdir_p(path, 0755, err);
                        else if (!strcmp(type, "FileOrCreate") && !exists) {
                                int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                                r = fd < 0 ? tm_error_errno(err, -errno, "create \"%s\"", path) : 0;
                                if (fd >= 0)
                                        close(fd);
                        } else if ((!strcmp(type, "Directory") &&
                                    !(exists && S_ISDIR(st.st_mode))) ||
                                   (!strcmp(type, "File") && !(exists && S_ISREG(st.st_mode))) ||
                                   (!strcmp(type, "Socket") && !(exists && S_ISSOCK(st.st_mode))))
                                r = tm_error_set(err, -ENOENT,
                                                 "hostPath type check failed: \"%s\" is not a %s",
                                                 path, type);
                        else if (!*type && !exists)
                                r = tm_mkdir_p(path, 0755, err);
                } else if (res_map_get(v, "persistentVolumeClaim")) {
                        const char *claim =
                            res_get_str(res_map_get(v, "persistentVolumeClaim"), "claimName", "");
                        const char *path = NULL;
                        for (uint32_t k = 0; a->volumes && k < a->volumes->n; k++) {
                                const res_value *b = a->volumes->u.items[k];
                                if (!strcmp(res_get_str(b, "podUID", ""), p->uid) &&
                                    !strcmp(res_get_str(b, "volume", ""), name))
                                        path = res_get_str(b, "hostPath", NULL);
                        }
                        if (!path) {
                                snprintf(reason, rlen, "FailedMount");
                                return tm_error_set(err, -EAGAIN,
                                                    "persistentvolumeclaim \"%s\" is not bound",
                                                    claim);
                        }
                        if (!host_path_allowed(a, path))
                                return tm_error_set(err, -EPERM,
                                                    "volume path \"%s\" of claim \"%s\" is outside "
                                                    "the allowed roots (timone serve "
                                                    "--host-path-root)",
                                                    path, claim);
                        r = tm_mkdir_p(path, 0777, err);
                        bool have = false;
                        for (size_t k = 0; k < p->n_claim_paths; k++)
                                have |= !strcmp(p->claim_paths[k], path);
                        if (!have) {
                                p->claim_paths = xrealloc(p->claim_paths,
                                                          (p->n_claim_paths + 1) * sizeof(char *));
                                p->claim_paths[p->n_claim_paths++] = xstrdup(path);
                        }
                } else {
                        return tm_error_set(err, -ENOTSUP,
                                            "volume \"%s\": this volume type is not supported on "
                                            "this node",
                                            name);
                }
                if (r < 0)
                        return r;
        }
        return 0;
}

void
agent_volumes_refresh(exe_agent *a, agent_pod *p)
{
        const res_value *vols = res_get(p->obj, "spec", "volumes", NULL);
        for (uint32_t i = 0; vols && vols->type == RES_SEQ && i < vols->n; i++) {
                const res_value *v = vols->u.items[i];
                if (!res_map_get(v, "configMap") && !res_map_get(v, "secret"))
                        continue;
                bool missing = false;
                tm_error err = {0};
                if (fill_source_volume(a, p, v, &missing, &err) < 0 && !missing)
                        tm_warn("refresh volume", "pod=%s/%s volume=%s error=\"%s\"", p->ns,
                                p->name, res_get_str(v, "name", ""), err.msg);
        }
}

void
agent_volumes_teardown(exe_agent *a, agent_pod *p)
{
        if (!p->sb.dir)
                return;
        _cleanup_free_ char *root = xasprintf("%s/volumes", p->sb.dir);
        DIR *d = opendir(root);
        struct dirent *de;
        while (d && (de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                _cleanup_free_ char *dir = xasprintf("%s/%s", root, de->d_name);
                umount2(dir, MNT_DETACH); /* tmpfs of secrets and memory emptyDirs */
        }
        if (d)
                closedir(d);
        (void)a;
}

int
agent_reclaim(exe_agent *a, const char *path, const char *policy, tm_error *err)
{
        if (!host_path_allowed(a, path))
                return tm_error_set(err, -EPERM,
                                    "will not reclaim \"%s\": outside the allowed roots", path);
        if (!strcmp(policy, "Delete")) {
                tm_info("deleting released volume", "path=\"%s\"", path);
                return tm_rm_rf(path, err);
        }
        if (!strcmp(policy, "Recycle")) {
                DIR *d = opendir(path);
                if (!d)
                        return errno == ENOENT ? 0
                                               : tm_error_errno(err, -errno, "open \"%s\"", path);
                struct dirent *de;
                int r = 0;
                while (r == 0 && (de = readdir(d))) {
                        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                                continue;
                        _cleanup_free_ char *sub = xasprintf("%s/%s", path, de->d_name);
                        r = tm_rm_rf(sub, err);
                }
                closedir(d);
                tm_info("recycled released volume", "path=\"%s\"", path);
                return r;
        }
        return 0;
}

/* A file the pod's containers bind: written once, without fsync (it is
 * made again from the pod's spec whenever it is missing or differs).
 * Rewritten through a rename so that running containers, which hold the
 * old file, never read half of one. */
static void
write_pod_file(const char *path, const char *text)
{
        size_t len = strlen(text);
        char *have = NULL;
        size_t hlen = 0;
        if (tm_file_read(path, 65536, &have, &hlen, NULL) == 0) {
                bool same = hlen == len && !memcmp(have, text, len);
                free(have);
                if (same)
                        return;
        }
        _cleanup_free_ char *tmp = xasprintf("%s.tmp", path);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return;
        bool ok = write(fd, text, len) == (ssize_t)len;
        if (close(fd) < 0 || !ok || rename(tmp, path) < 0)
                unlink(tmp);
}

static void
write_pod_files(exe_agent *a, agent_pod *p)
{
        const char *aliases[] = {NULL};
        _cleanup_free_ char *hosts = net_pod_hosts_file(
            res_get_str(res_map_get(p->obj, "spec"), "hostname", p->name), p->ip, aliases);
        _cleanup_free_ char *resolv = net_pod_resolv_conf(a->o.net, p->ns);
        _cleanup_free_ char *hp = xasprintf("%s/etc-hosts", p->sb.dir);
        _cleanup_free_ char *rp = xasprintf("%s/resolv.conf", p->sb.dir);
        write_pod_file(hp, hosts);
        write_pod_file(rp, resolv);
}

/* containerPort/hostPort pairs of the app containers, forwarded from the
 * node's addresses to the pod. */
static int
set_host_ports(exe_agent *a, agent_pod *p)
{
        net_host_port ports[64];
        size_t n = 0;
        const res_value *cs = res_get(p->obj, "spec", "containers", NULL);
        for (uint32_t i = 0; cs && cs->type == RES_SEQ && i < cs->n; i++) {
                const res_value *ps = res_map_get(cs->u.items[i], "ports");
                for (uint32_t k = 0; ps && ps->type == RES_SEQ && k < ps->n; k++) {
                        const res_value *pt = ps->u.items[k];
                        int64_t hp = res_get_int(pt, "hostPort", 0);
                        int64_t cp = res_get_int(pt, "containerPort", 0);
                        if (hp <= 0 || hp > 65535 || cp <= 0 || cp > 65535)
                                continue;
                        if (n == TM_ARRAY_SIZE(ports)) {
                                snprintf(p->pod_reason, sizeof(p->pod_reason), "HostPortError");
                                snprintf(p->pod_message, sizeof(p->pod_message),
                                         "more than %zu host ports", TM_ARRAY_SIZE(ports));
                                return -E2BIG;
                        }
                        ports[n++] =
                            (net_host_port){(uint16_t)hp, (uint16_t)cp,
                                            !strcmp(res_get_str(pt, "protocol", "TCP"), "UDP")};
                }
        }
        if (n == 0) {
                p->ports_set = true;
                return 0;
        }
        tm_error err = {0};
        if (net_pod_set_host_ports(a->o.net, p->uid, ports, n, &err) < 0) {
                if (strcmp(p->pod_message, err.msg) != 0)
                        agent_event(a, p, "Warning", "FailedCreatePodSandBox",
                                    "Failed to set up host ports: %s", err.msg);
                snprintf(p->pod_reason, sizeof(p->pod_reason), "HostPortError");
                agent_copy_trunc(p->pod_message, sizeof(p->pod_message), err.msg);
                return -EADDRINUSE;
        }
        p->ports_set = true;
        return 0;
}

static void
sandbox_failed(exe_agent *a, agent_pod *p, const char *what, const char *msg)
{
        char m[sizeof(p->pod_message)];
        snprintf(m, sizeof(m), "%s%s", what, msg);
        if (strcmp(p->pod_message, m) != 0)
                agent_event(a, p, "Warning", "FailedCreatePodSandBox", "%s", m);
        snprintf(p->pod_reason, sizeof(p->pod_reason), "FailedCreatePodSandBox");
        agent_copy_trunc(p->pod_message, sizeof(p->pod_message), m);
}

int
agent_pod_prepare(exe_agent *a, agent_pod *p)
{
        tm_error err = {0};
        const char *hostname = res_get_str(res_map_get(p->obj, "spec"), "hostname", p->name);
        char host[64];
        agent_copy_trunc(host, sizeof(host), hostname);
        if (!p->have_sandbox) {
                if (exe_sandbox_create(a->o.runtime, p->uid, host, &p->sb, &err) < 0) {
                        sandbox_failed(a, p, "", err.msg);
                        return -EIO;
                }
                p->have_sandbox = true;
        }
        if (!p->ip[0] && net_pod_attach(a->o.net, p->uid, p->sb.netns, p->ip, &err) < 0) {
                sandbox_failed(a, p, "Failed to set up the pod network: ", err.msg);
                return -EIO;
        }
        if (!p->ports_set && set_host_ports(a, p) < 0)
                return -EADDRINUSE;
        write_pod_files(a, p);
        char reason[48] = "";
        tm_error_clear(&err);
        int r = agent_volumes_prepare(a, p, reason, sizeof(reason), &err);
        if (r < 0) {
                if (strcmp(p->pod_message, err.msg) != 0)
                        agent_event(a, p, "Warning", "FailedMount", "%s", err.msg);
                snprintf(p->pod_reason, sizeof(p->pod_reason), "%s",
                         reason[0] ? reason : "FailedMount");
                agent_copy_trunc(p->pod_message, sizeof(p->pod_message), err.msg);
                return r;
        }
        p->pod_reason[0] = p->pod_message[0] = '\0';
        if (!p->start_time)
                p->start_time = tm_wall_s();
        return 0;
}
