/* Parsing of OCI index, image manifest, docker-save manifest.json and
 * image config JSON: bounded, no I/O, every field type-checked. */
#include <errno.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "common/mem.h"
#include "common/util.h"
#include "executors/image-internal.h"

#define MAX_STRINGS 4096 /* entries in Env/Cmd/Entrypoint, tags per image */
#define MAX_STR 65536    /* bytes in one string we keep */

static int
load(const char *json, size_t len, json_t **out, const char *what, tm_error *err)
{
        if (len > IMG_MAX_JSON_BYTES)
                return tm_error_set(err, -EFBIG, "%s is larger than %u bytes", what,
                                    IMG_MAX_JSON_BYTES);
        json_error_t je;
        json_t *j = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
        if (!j)
                return tm_error_set(err, -EINVAL, "%s: bad JSON at line %d: %s", what, je.line,
                                    je.text);
        if (!json_is_object(j) && !json_is_array(j)) {
                json_decref(j);
                return tm_error_set(err, -EINVAL, "%s: not a JSON object", what);
        }
        *out = j;
        return 0;
}

/* Optional string member: NULL when absent; error when not a string. */
static int
opt_str(json_t *o, const char *key, char **out, const char *what, tm_error *err)
{
        json_t *v = json_object_get(o, key);
        *out = NULL;
        if (!v || json_is_null(v))
                return 0;
        if (!json_is_string(v) || json_string_length(v) > MAX_STR ||
            strlen(json_string_value(v)) != json_string_length(v))
                return tm_error_set(err, -EINVAL, "%s: \"%s\" is not a string", what, key);
        *out = xstrdup(json_string_value(v));
        return 0;
}

void
img_desc_clear(img_desc *d)
{
        if (!d)
                return;
        free(d->media_type);
        free(d->digest);
        free(d->ref_name);
        free(d->os);
        free(d->arch);
        free(d->variant);
        memset(d, 0, sizeof(*d));
}

void
img_descs_free(img_desc *d, size_t n)
{
        for (size_t i = 0; d && i < n; i++)
                img_desc_clear(&d[i]);
        free(d);
}

void
img_manifest_clear(img_manifest *m)
{
        img_desc_clear(&m->config);
        img_descs_free(m->layers, m->n_layers);
        m->layers = NULL;
        m->n_layers = 0;
}

static void
strv_free(char **v, size_t n)
{
        for (size_t i = 0; v && (n == SIZE_MAX ? v[i] != NULL : i < n); i++)
                free(v[i]);
        free(v);
}

void
img_docker_entries_free(img_docker_entry *e, size_t n)
{
        for (size_t i = 0; e && i < n; i++) {
                free(e[i].config);
                strv_free(e[i].tags, e[i].n_tags);
                strv_free(e[i].layers, e[i].n_layers);
        }
        free(e);
}

bool
img_media_is_index(const char *mt)
{
        return tm_streq(mt, "application/vnd.oci.image.index.v1+json") ||
               tm_streq(mt, "application/vnd.docker.distribution.manifest.list.v2+json");
}

bool
img_media_is_manifest(const char *mt)
{
        return tm_streq(mt, "application/vnd.oci.image.manifest.v1+json") ||
               tm_streq(mt, "application/vnd.docker.distribution.manifest.v2+json");
}

void
img_host_platform(const char **arch, const char **variant)
{
        struct utsname u;
        *variant = NULL;
        *arch = "amd64";
        if (uname(&u) < 0)
                return;
        if (!strcmp(u.machine, "aarch64") || !strcmp(u.machine, "arm64")) {
                *arch = "arm64";
        } else if (!strncmp(u.machine, "armv7", 5)) {
                *arch = "arm";
                *variant = "v7";
        } else if (!strncmp(u.machine, "armv6", 5)) {
                *arch = "arm";
                *variant = "v6";
        } else if (!strcmp(u.machine, "i686") || !strcmp(u.machine, "i386")) {
                *arch = "386";
        } else if (!strcmp(u.machine, "riscv64")) {
                *arch = "riscv64";
        }
}

static int
parse_desc(json_t *o, img_desc *d, const char *what, tm_error *err)
{
        int r;
        if (!json_is_object(o))
                return tm_error_set(err, -EINVAL, "%s: descriptor is not an object", what);
        if ((r = opt_str(o, "mediaType", &d->media_type, what, err)) < 0 ||
            (r = opt_str(o, "digest", &d->digest, what, err)) < 0)
                return r;
        if (!img_digest_valid(d->digest))
                return tm_error_set(err, -EINVAL,
                                    "%s: descriptor digest \"%s\" is not sha256:<hex>", what,
                                    d->digest ? d->digest : "");
        json_t *sz = json_object_get(o, "size");
        if (!json_is_integer(sz) || json_integer_value(sz) < 0)
                return tm_error_set(err, -EINVAL, "%s: descriptor \"%s\" lacks a valid size", what,
                                    d->digest);
        d->size = json_integer_value(sz);
        json_t *ann = json_object_get(o, "annotations");
        if (json_is_object(ann)) {
                if ((r = opt_str(ann, "io.containerd.image.name", &d->ref_name, what, err)) < 0)
                        return r;
                if (!d->ref_name && (r = opt_str(ann, "org.opencontainers.image.ref.name",
                                                 &d->ref_name, what, err)) < 0)
                        return r;
        }
        json_t *pl = json_object_get(o, "platform");
        if (json_is_object(pl)) {
                if ((r = opt_str(pl, "os", &d->os, what, err)) < 0 ||
                    (r = opt_str(pl, "architecture", &d->arch, what, err)) < 0 ||
                    (r = opt_str(pl, "variant", &d->variant, what, err)) < 0)
                        return r;
        }
        return 0;
}

int
img_parse_index(const char *json, size_t len, img_desc **out, size_t *n, tm_error *err)
{
        json_auto_t *j = NULL;
        int r = load(json, len, &j, "image index", err);
        if (r < 0)
                return r;
        json_t *m = json_object_get(j, "manifests");
        if (!json_is_array(m))
                return tm_error_set(err, -EINVAL, "image index: \"manifests\" is not a list");
        size_t cnt = json_array_size(m);
        if (cnt > IMG_MAX_IMAGES)
                return tm_error_set(err, -E2BIG, "image index: more than %d manifests",
                                    IMG_MAX_IMAGES);
        img_desc *d = xcalloc(cnt ? cnt : 1, sizeof(*d));
        for (size_t i = 0; i < cnt; i++) {
                if ((r = parse_desc(json_array_get(m, i), &d[i], "image index", err)) < 0) {
                        img_descs_free(d, cnt);
                        return r;
                }
        }
        *out = d;
        *n = cnt;
        return 0;
}

int
img_parse_manifest(const char *json, size_t len, img_manifest *out, tm_error *err)
{
        json_auto_t *j = NULL;
        int r = load(json, len, &j, "image manifest", err);
        if (r < 0)
                return r;
        json_t *sv = json_object_get(j, "schemaVersion");
        if (!json_is_integer(sv) || json_integer_value(sv) != 2)
                return tm_error_set(err, -EINVAL, "image manifest: schemaVersion is not 2");
        img_manifest m = {0};
        json_t *layers = json_object_get(j, "layers");
        if (!json_is_array(layers)) {
                r = tm_error_set(err, -EINVAL, "image manifest: \"layers\" is not a list");
                goto fail;
        }
        if ((r = parse_desc(json_object_get(j, "config"), &m.config, "image manifest config",
                            err)) < 0)
                goto fail;
        size_t cnt = json_array_size(layers);
        if (cnt > IMG_MAX_LAYERS) {
                r = tm_error_set(err, -E2BIG, "image manifest: %zu layers, at most %d", cnt,
                                 IMG_MAX_LAYERS);
                goto fail;
        }
        m.layers = xcalloc(cnt ? cnt : 1, sizeof(*m.layers));
        m.n_layers = cnt;
        for (size_t i = 0; i < cnt; i++) {
                if ((r = parse_desc(json_array_get(layers, i), &m.layers[i], "image manifest layer",
                                    err)) < 0)
                        goto fail;
                const char *mt = m.layers[i].media_type;
                if (mt && !strstr(mt, "layer") && !strstr(mt, "rootfs.diff")) {
                        r = tm_error_set(err, -EINVAL,
                                         "image manifest: layer \"%s\" has media type \"%s\"",
                                         m.layers[i].digest, mt);
                        goto fail;
                }
        }
        *out = m;
        return 0;
fail:
        img_manifest_clear(&m);
        return r;
}

static int
str_array(json_t *a, char ***out, size_t *n, const char *what, const char *key, tm_error *err)
{
        *out = NULL;
        if (n)
                *n = 0;
        if (!a || json_is_null(a))
                return 0;
        if (!json_is_array(a) || json_array_size(a) > MAX_STRINGS)
                return tm_error_set(err, -EINVAL, "%s: \"%s\" is not a list of strings", what, key);
        size_t cnt = json_array_size(a);
        char **v = xcalloc(cnt + 1, sizeof(*v));
        for (size_t i = 0; i < cnt; i++) {
                json_t *s = json_array_get(a, i);
                if (!json_is_string(s) || json_string_length(s) > MAX_STR ||
                    strlen(json_string_value(s)) != json_string_length(s)) {
                        strv_free(v, i);
                        return tm_error_set(err, -EINVAL, "%s: \"%s\" is not a list of strings",
                                            what, key);
                }
                v[i] = xstrdup(json_string_value(s));
        }
        *out = v;
        if (n)
                *n = cnt;
        return 0;
}

int
img_parse_docker_manifest(const char *json, size_t len, img_docker_entry **out, size_t *n,
                          tm_error *err)
{
        json_auto_t *j = NULL;
        int r = load(json, len, &j, "manifest.json", err);
        if (r < 0)
                return r;
        if (!json_is_array(j))
                return tm_error_set(err, -EINVAL, "manifest.json: not a list");
        size_t cnt = json_array_size(j);
        if (cnt > IMG_MAX_IMAGES)
                return tm_error_set(err, -E2BIG, "manifest.json: more than %d images",
                                    IMG_MAX_IMAGES);
        img_docker_entry *e = xcalloc(cnt ? cnt : 1, sizeof(*e));
        for (size_t i = 0; i < cnt; i++) {
                json_t *o = json_array_get(j, i);
                if (!json_is_object(o)) {
                        r = tm_error_set(err, -EINVAL, "manifest.json: entry %zu is not an object",
                                         i);
                        goto fail;
                }
                if ((r = opt_str(o, "Config", &e[i].config, "manifest.json", err)) < 0 ||
                    (r = str_array(json_object_get(o, "RepoTags"), &e[i].tags, &e[i].n_tags,
                                   "manifest.json", "RepoTags", err)) < 0 ||
                    (r = str_array(json_object_get(o, "Layers"), &e[i].layers, &e[i].n_layers,
                                   "manifest.json", "Layers", err)) < 0)
                        goto fail;
                if (!e[i].config) {
                        r = tm_error_set(err, -EINVAL, "manifest.json: entry %zu lacks \"Config\"",
                                         i);
                        goto fail;
                }
                if (e[i].n_layers > IMG_MAX_LAYERS) {
                        r = tm_error_set(err, -E2BIG, "manifest.json: %zu layers, at most %d",
                                         e[i].n_layers, IMG_MAX_LAYERS);
                        goto fail;
                }
        }
        *out = e;
        *n = cnt;
        return 0;
fail:
        img_docker_entries_free(e, cnt);
        return r;
}

static int64_t
parse_rfc3339(const char *s)
{
        struct tm tm = {0};
        if (!s)
                return 0;
        const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
        if (!p)
                return 0;
        int64_t t = (int64_t)timegm(&tm);
        return t < 0 ? 0 : t;
}

void
exe_image_config_free(exe_image_config *c)
{
        if (!c)
                return;
        strv_free(c->entrypoint, SIZE_MAX);
        strv_free(c->cmd, SIZE_MAX);
        strv_free(c->env, SIZE_MAX);
        free(c->workdir);
        free(c->user);
        free(c);
}

int
img_parse_config(const char *json, size_t len, exe_image_config **out, int64_t *created,
                 tm_error *err)
{
        json_auto_t *j = NULL;
        int r = load(json, len, &j, "image config", err);
        if (r < 0)
                return r;
        if (!json_is_object(j))
                return tm_error_set(err, -EINVAL, "image config: not an object");
        exe_image_config *c = xcalloc(1, sizeof(*c));
        json_t *cfg = json_object_get(j, "config");
        if (cfg && !json_is_null(cfg) && !json_is_object(cfg)) {
                r = tm_error_set(err, -EINVAL, "image config: \"config\" is not an object");
                goto fail;
        }
        if (cfg && json_is_object(cfg)) {
                if ((r = str_array(json_object_get(cfg, "Entrypoint"), &c->entrypoint, NULL,
                                   "image config", "Entrypoint", err)) < 0 ||
                    (r = str_array(json_object_get(cfg, "Cmd"), &c->cmd, NULL, "image config",
                                   "Cmd", err)) < 0 ||
                    (r = str_array(json_object_get(cfg, "Env"), &c->env, NULL, "image config",
                                   "Env", err)) < 0 ||
                    (r = opt_str(cfg, "WorkingDir", &c->workdir, "image config", err)) < 0 ||
                    (r = opt_str(cfg, "User", &c->user, "image config", err)) < 0)
                        goto fail;
        }
        if (created) {
                _cleanup_free_ char *cr = NULL;
                if ((r = opt_str(j, "created", &cr, "image config", err)) < 0)
                        goto fail;
                *created = parse_rfc3339(cr);
        }
        if (out)
                *out = c;
        else
                exe_image_config_free(c);
        return 0;
fail:
        exe_image_config_free(c);
        return r;
}

int
img_parse_diff_ids(const char *json, size_t len, char ***out, size_t *n, tm_error *err)
{
        json_auto_t *j = NULL;
        int r = load(json, len, &j, "image config", err);
        if (r < 0)
                return r;
        json_t *rootfs = json_object_get(j, "rootfs");
        json_t *ids = json_is_object(rootfs) ? json_object_get(rootfs, "diff_ids") : NULL;
        if (!json_is_array(ids))
                return tm_error_set(err, -EINVAL, "image config: no rootfs.diff_ids list");
        if (json_array_size(ids) > IMG_MAX_LAYERS)
                return tm_error_set(err, -E2BIG, "image config: more than %d diff_ids",
                                    IMG_MAX_LAYERS);
        if ((r = str_array(ids, out, n, "image config", "rootfs.diff_ids", err)) < 0)
                return r;
        for (size_t i = 0; i < *n; i++) {
                if (!img_digest_valid((*out)[i])) {
                        r = tm_error_set(err, -EINVAL,
                                         "image config: diff_id \"%s\" is not sha256:<hex>",
                                         (*out)[i]);
                        strv_free(*out, *n);
                        *out = NULL;
                        return r;
                }
        }
        return 0;
}
