/* Image references, normalised the way the docker reference grammar
 * (distribution/reference) and Kubernetes read them. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "common/mem.h"
#include "executors/image-internal.h"
#include "executors/image.h"

#define REF_MAX 512
#define TAG_MAX 128
/* distribution/reference's NameTotalLengthMax: domain/path, normalised.
 * With it a normalised reference (name, tag, digest) stays under REF_MAX
 * and normalises again to itself. */
#define NAME_MAX_LEN 255

bool
img_digest_valid(const char *d)
{
        if (!d || strncmp(d, "sha256:", 7) != 0)
                return false;
        d += 7;
        size_t n = 0;
        for (; d[n]; n++)
                if (!isdigit((unsigned char)d[n]) && !(d[n] >= 'a' && d[n] <= 'f'))
                        return false;
        return n == 64;
}

int
exe_image_ref_is_id(const char *ref)
{
        return img_digest_valid(ref);
}

static bool
alnum_lower(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* path-component: [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)* */
static bool
path_component_valid(const char *s, size_t n)
{
        if (n == 0 || !alnum_lower(s[0]) || !alnum_lower(s[n - 1]))
                return false;
        for (size_t i = 0; i < n; i++) {
                if (alnum_lower(s[i]))
                        continue;
                if (s[i] == '.' || s[i] == '_') {
                        size_t j = i + 1;
                        if (s[i] == '_' && j < n && s[j] == '_')
                                j++;
                        if (j >= n || !alnum_lower(s[j]))
                                return false;
                        i = j - 1;
                        continue;
                }
                if (s[i] == '-') {
                        while (i < n && s[i] == '-')
                                i++;
                        if (i >= n || !alnum_lower(s[i]))
                                return false;
                        continue;
                }
                return false;
        }
        return true;
}

/* domain: host components [A-Za-z0-9-.] and an optional :port, or [v6]. */
static bool
domain_valid(const char *s, size_t n)
{
        if (n == 0)
                return false;
        size_t i = 0;
        if (s[0] == '[') {
                while (i < n && s[i] != ']')
                        i++;
                if (i >= n)
                        return false;
                i++;
        } else {
                for (; i < n && s[i] != ':'; i++)
                        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
                                return false;
                if (i == 0 || s[0] == '-' || s[0] == '.' || s[i - 1] == '-' || s[i - 1] == '.')
                        return false;
        }
        if (i < n) {
                if (s[i] != ':' || i + 1 >= n)
                        return false;
                for (i++; i < n; i++)
                        if (!isdigit((unsigned char)s[i]))
                                return false;
        }
        return true;
}

static bool
has_upper(const char *s, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (isupper((unsigned char)s[i]))
                        return true;
        return false;
}

static bool
tag_valid(const char *s)
{
        size_t n = strlen(s);
        if (n == 0 || n > TAG_MAX || !(isalnum((unsigned char)s[0]) || s[0] == '_'))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
                        return false;
        return true;
}

int
exe_image_ref_normalize(const char *ref, char **out, tm_error *err)
{
        if (!ref || !*ref)
                return tm_error_set(err, -EINVAL, "empty image reference");
        if (strlen(ref) > REF_MAX)
                return tm_error_set(err, -EINVAL, "image reference is longer than %d bytes",
                                    REF_MAX);
        _cleanup_free_ char *s = xstrdup(ref);
        const char *digest = NULL;
        char *at = strchr(s, '@');
        if (at) {
                *at = '\0';
                digest = at + 1;
                if (!img_digest_valid(digest))
                        return tm_error_set(
                            err, -EINVAL,
                            "image reference \"%s\": bad digest (want sha256:<64 hex>)", ref);
        }
        const char *tag = NULL;
        char *slash = strrchr(s, '/');
        char *colon = strrchr(slash ? slash : s, ':');
        if (colon) {
                *colon = '\0';
                tag = colon + 1;
                if (!tag_valid(tag))
                        return tm_error_set(err, -EINVAL, "image reference \"%s\": bad tag \"%s\"",
                                            ref, tag);
        }
        /* The first component is a registry when it looks like a host. */
        const char *domain = "docker.io";
        const char *path = s;
        char *first = strchr(s, '/');
        if (first) {
                size_t dl = (size_t)(first - s);
                if (memchr(s, '.', dl) || memchr(s, ':', dl) ||
                    (dl == 9 && !strncmp(s, "localhost", 9)) || memchr(s, '[', dl) ||
                    has_upper(s, dl)) {
                        *first = '\0';
                        domain = s;
                        path = first + 1;
                        if (!domain_valid(domain, dl))
                                return tm_error_set(err, -EINVAL,
                                                    "image reference \"%s\": bad registry \"%s\"",
                                                    ref, domain);
                }
        }
        if (!strcmp(domain, "index.docker.io"))
                domain = "docker.io";
        if (!*path)
                return tm_error_set(err, -EINVAL, "image reference \"%s\": no repository name",
                                    ref);
        for (const char *p = path;;) {
                const char *e = strchr(p, '/');
                size_t n = e ? (size_t)(e - p) : strlen(p);
                if (!path_component_valid(p, n))
                        return tm_error_set(err, -EINVAL,
                                            "image reference \"%s\": bad repository name \"%s\" "
                                            "(lowercase letters, digits and . _ - only)",
                                            ref, path);
                if (!e)
                        break;
                p = e + 1;
        }
        bool library = !strcmp(domain, "docker.io") && !strchr(path, '/');
        if (strlen(domain) + 1 + (library ? 8 : 0) + strlen(path) > NAME_MAX_LEN)
                return tm_error_set(err, -EINVAL,
                                    "image reference \"%s\": repository name longer than %d bytes",
                                    ref, NAME_MAX_LEN);
        if (!tag && !digest)
                tag = "latest";
        *out = xasprintf("%s/%s%s%s%s%s%s", domain, library ? "library/" : "", path, tag ? ":" : "",
                         tag ? tag : "", digest ? "@" : "", digest ? digest : "");
        return 0;
}
