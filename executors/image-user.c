/* An image's USER ("name", "uid", "name:group", "uid:gid") resolved the
 * way containerd does it: names through the image's own /etc/passwd and
 * /etc/group, read beneath its root (the image is untrusted: its links
 * cannot lead out, and the files read are bounded). */
#include "executors/image.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/mem.h"
#include "common/util.h"

#define DB_MAX_BYTES (1u << 20)

/* Reads rootfs/rel, never outside rootfs; NULL with *err when absent. */
static char *
read_in_root(const char *rootfs, const char *rel, tm_error *err)
{
        int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0) {
                tm_error_errno(err, -errno, "open image root");
                return NULL;
        }
        struct open_how how = {.flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW,
                               .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
        int fd = (int)syscall(SYS_openat2, root, rel, &how, sizeof(how));
        int e = errno;
        close(root);
        if (fd < 0) {
                tm_error_errno(err, -e, "open %s in the image", rel);
                return NULL;
        }
        char *buf = xmalloc(DB_MAX_BYTES + 1);
        size_t len = 0;
        for (;;) {
                ssize_t n = read(fd, buf + len, DB_MAX_BYTES - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        tm_error_errno(err, -errno, "read %s in the image", rel);
                        free(buf);
                        close(fd);
                        return NULL;
                }
                if (n == 0 || (len += (size_t)n) == DB_MAX_BYTES)
                        break;
        }
        close(fd);
        buf[len] = '\0';
        return buf;
}

static bool
parse_id(const char *s, uint32_t *out)
{
        if (!*s || *s < '0' || *s > '9')
                return false;
        char *end = NULL;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || *end || v > UINT32_MAX - 1)
                return false;
        *out = (uint32_t)v;
        return true;
}

/* Looks key up in a passwd/group-format text: by name (field 1) when
 * by_name, else by id (field 3). Fills id (field 3) and, for passwd,
 * gid (field 4). */
static bool
db_find(char *text, const char *key, bool by_name, uint32_t *id, uint32_t *gid)
{
        for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = '\0';
                char *f[4] = {0};
                char *p = line;
                for (size_t i = 0; i < 4 && p; i++) {
                        f[i] = p;
                        p = strchr(p, ':');
                        if (p)
                                *p++ = '\0';
                }
                uint32_t v = 0;
                if (!f[2] || !parse_id(f[2], &v))
                        continue;
                if (by_name ? strcmp(f[0], key) != 0 : strcmp(f[2], key) != 0)
                        continue;
                *id = v;
                if (gid && (!f[3] || !parse_id(f[3], gid)))
                        *gid = 0;
                return true;
        }
        return false;
}

int
exe_image_user_lookup(const char *rootfs, const char *spec, uint32_t *uid, uint32_t *gid,
                      bool *named, tm_error *err)
{
        if (!spec || !*spec)
                spec = "0";
        if (strlen(spec) > 256)
                return tm_error_set(err, -EINVAL, "image user is too long");
        _cleanup_free_ char *user = xstrdup(spec);
        char *group = strchr(user, ':');
        if (group)
                *group++ = '\0';
        *named = false;
        uint32_t u = 0, g = 0;
        bool user_numeric = parse_id(user, &u);
        if (!user_numeric) {
                *named = true;
                _cleanup_free_ char *pw = read_in_root(rootfs, "etc/passwd", NULL);
                if (!pw || !db_find(pw, user, true, &u, &g))
                        return tm_error_set(err, -ENOENT,
                                            "unable to find user %s: no matching entries in "
                                            "passwd file",
                                            user);
        } else if (!group) {
                /* A numeric user's primary group, when the image names it. */
                _cleanup_free_ char *pw = read_in_root(rootfs, "etc/passwd", NULL);
                uint32_t same = 0;
                if (!pw || !db_find(pw, user, false, &same, &g))
                        g = 0;
        }
        if (group && *group && !parse_id(group, &g)) {
                *named = true;
                _cleanup_free_ char *gr = read_in_root(rootfs, "etc/group", NULL);
                if (!gr || !db_find(gr, group, true, &g, NULL))
                        return tm_error_set(err, -ENOENT,
                                            "unable to find group %s: no matching entries in "
                                            "group file",
                                            group);
        }
        *uid = u;
        *gid = g;
        return 0;
}
