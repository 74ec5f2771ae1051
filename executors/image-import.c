/* Import of OCI image layout archives and docker-save archives.
 *
 * The archive is read once, in order: every regular member is streamed
 * into a staging directory under its computed sha256 (a member named
 * blobs/sha256/<hex> must hash to <hex>). Then the JSON (index.json or
 * manifest.json, manifests, configs) is read from the staged blobs, every
 * descriptor is checked against what was staged (digest and size), each
 * new layer is unpacked in staging, and only then, under the store lock,
 * blobs and layers are renamed into place and the index is rewritten.
 * Any error before that leaves the store as it was. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/dl.h"
#include "common/hash.h"
#include "common/log.h"
#include "common/mem.h"
#include "common/util.h"
#include "executors/image-internal.h"

typedef struct member {
        char *path;
        char *hex;  /* computed sha256 of a regular member */
        char *link; /* symlink or hard link target, as a member path */
} member;

typedef struct import {
        exe_image_store *st;
        char *stage;
        char *sblobs;
        char *slayers;
        member *m;
        size_t n_m, cap_m;
        char *index_json, *docker_json;
        size_t index_len, docker_len;
        img_index out; /* records to add */
        const char *archive;
} import;

static void
import_clear(import *im)
{
        for (size_t i = 0; i < im->n_m; i++) {
                free(im->m[i].path);
                free(im->m[i].hex);
                free(im->m[i].link);
        }
        free(im->m);
        if (im->stage)
                (void)tm_rm_rf(im->stage, NULL);
        free(im->stage);
        free(im->sblobs);
        free(im->slayers);
        free(im->index_json);
        free(im->docker_json);
        img_index_clear(&im->out);
}

static void
archive_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
}

/* "./a//b/" -> "a/b"; NULL when it has ".." or is absolute. */
static char *
member_path(const char *name)
{
        if (!name || name[0] == '/' || strlen(name) >= PATH_MAX)
                return NULL;
        tm_buf b = TM_BUF_INIT;
        tm_buf_puts(&b, "");
        for (const char *p = name; *p;) {
                size_t n = strcspn(p, "/");
                if (n == 2 && !strncmp(p, "..", 2)) {
                        tm_buf_free(&b);
                        return NULL;
                }
                if (n && !(n == 1 && *p == '.')) {
                        if (b.len)
                                tm_buf_putc(&b, '/');
                        tm_buf_append(&b, p, n);
                }
                p += n;
                p += strspn(p, "/");
        }
        return tm_buf_steal(&b);
}

static int
read_small(struct archive *a, const char *path, char **out, size_t *len, tm_error *err)
{
        tm_buf b = TM_BUF_INIT;
        char chunk[16384];
        for (;;) {
                la_ssize_t n = archive_read_data(a, chunk, sizeof(chunk));
                if (n < 0) {
                        tm_buf_free(&b);
                        return tm_error_set(err, -EIO, "read \"%s\": %s", path,
                                            archive_error_string(a));
                }
                if (n == 0)
                        break;
                if (b.len + (size_t)n > IMG_MAX_JSON_BYTES) {
                        tm_buf_free(&b);
                        return tm_error_set(err, -EFBIG, "\"%s\" is larger than %u bytes", path,
                                            IMG_MAX_JSON_BYTES);
                }
                tm_buf_append(&b, chunk, (size_t)n);
        }
        tm_buf_puts(&b, "");
        *len = b.len;
        *out = tm_buf_steal(&b);
        return 0;
}

/* Streams the current member into staging; returns its sha256 hex. */
static int
stage_member(import *im, struct archive *a, const char *path, int64_t *total, char **hex_out,
             tm_error *err)
{
        _cleanup_free_ char *tmp = xasprintf("%s/partial", im->sblobs);
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0)
                return tm_error_errno(err, -errno, "create \"%s\"", tmp);
        tm_sha256 *h = tm_sha256_new();
        char chunk[65536];
        int r = 0;
        for (;;) {
                la_ssize_t n = archive_read_data(a, chunk, sizeof(chunk));
                if (n < 0) {
                        r = tm_error_set(err, -EIO, "read \"%s\": %s", path,
                                         archive_error_string(a));
                        break;
                }
                if (n == 0)
                        break;
                *total += n;
                if (*total > IMG_MAX_ARCHIVE_BYTES) {
                        r = tm_error_set(err, -EFBIG, "archive holds more than %lld bytes",
                                         (long long)IMG_MAX_ARCHIVE_BYTES);
                        break;
                }
                tm_sha256_update(h, chunk, (size_t)n);
                for (char *p = chunk; n > 0;) {
                        ssize_t w = write(fd, p, (size_t)n);
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0) {
                                r = tm_error_errno(err, -errno, "write \"%s\"", tmp);
                                break;
                        }
                        p += w;
                        n -= w;
                }
                if (r < 0)
                        break;
        }
        char hex[TM_SHA256_HEX_LEN + 1];
        tm_sha256_final_hex(h, hex);
        if (r < 0)
                return r;
        _cleanup_free_ char *dst = xasprintf("%s/%s", im->sblobs, hex);
        if (rename(tmp, dst) < 0)
                return tm_error_errno(err, -errno, "rename \"%s\"", tmp);
        *hex_out = xstrdup(hex);
        return 0;
}

static int
read_archive(import *im, tm_error *err)
{
        _cleanup_(archive_freep) struct archive *a = archive_read_new();
        /* Named filters only: "all" would also run external programs. */
        archive_read_support_filter_gzip(a);
        archive_read_support_filter_zstd(a);
        archive_read_support_filter_xz(a);
        archive_read_support_filter_bzip2(a);
        archive_read_support_format_tar(a);
        if (archive_read_open_filename(a, im->archive, 1 << 16) != ARCHIVE_OK)
                return tm_error_set(err, -EINVAL, "open: %s", archive_error_string(a));
        struct archive_entry *e;
        int64_t total = 0;
        for (;;) {
                int ar = archive_read_next_header(a, &e);
                if (ar == ARCHIVE_EOF)
                        break;
                if (ar < ARCHIVE_WARN)
                        return tm_error_set(err, -EINVAL, "read: %s", archive_error_string(a));
                if (im->n_m >= IMG_MAX_MEMBERS)
                        return tm_error_set(err, -E2BIG, "archive has more than %d members",
                                            IMG_MAX_MEMBERS);
                _cleanup_free_ char *path = member_path(archive_entry_pathname(e));
                if (!path)
                        return tm_error_set(err, -EINVAL, "archive member \"%s\" has a bad path",
                                            archive_entry_pathname(e) ? archive_entry_pathname(e)
                                                                      : "");
                member mb = {0};
                int r = 0;
                const char *hl = archive_entry_hardlink(e);
                mode_t type = archive_entry_filetype(e);
                if (hl) {
                        mb.link = member_path(hl);
                } else if (type == AE_IFLNK) {
                        const char *t = archive_entry_symlink(e);
                        const char *slash = strrchr(path, '/');
                        _cleanup_free_ char *joined =
                            t && t[0] != '/' && slash
                                ? xasprintf("%.*s/%s", (int)(slash - path), path, t)
                                : xstrdup(t ? t : "");
                        mb.link = member_path(joined);
                } else if (type == AE_IFREG && !strcmp(path, "index.json")) {
                        free(im->index_json);
                        if ((r = read_small(a, path, &im->index_json, &im->index_len, err)) < 0)
                                return r;
                        continue;
                } else if (type == AE_IFREG && !strcmp(path, "manifest.json")) {
                        free(im->docker_json);
                        if ((r = read_small(a, path, &im->docker_json, &im->docker_len, err)) < 0)
                                return r;
                        continue;
                } else if (type == AE_IFREG) {
                        if ((r = stage_member(im, a, path, &total, &mb.hex, err)) < 0)
                                return r;
                        if (tm_str_has_prefix(path, "blobs/sha256/") &&
                            strcmp(path + 13, mb.hex) != 0) {
                                r = tm_error_set(
                                    err, -EBADMSG,
                                    "blob \"%s\" does not match its digest (content is "
                                    "sha256:%s)",
                                    path, mb.hex);
                                free(mb.hex);
                                return r;
                        }
                } else {
                        continue;
                }
                if (!mb.hex && !mb.link)
                        continue;
                mb.path = TAKE_PTR(path);
                TM_GROW(im->m, im->cap_m, im->n_m + 1);
                im->m[im->n_m++] = mb;
        }
        return 0;
}

/* The staged blob hex of a member path, following links a few times. */
static const char *
member_hex(import *im, const char *path)
{
        for (int hops = 0; path && hops < 8; hops++) {
                const member *found = NULL;
                for (size_t i = 0; i < im->n_m; i++)
                        if (!strcmp(im->m[i].path, path))
                                found = &im->m[i];
                if (!found)
                        return NULL;
                if (found->hex)
                        return found->hex;
                path = found->link;
        }
        return NULL;
}

/* Path of a verified blob: staged from this archive or already stored. */
static int
blob_path(import *im, const char *digest, int64_t size, char **out, tm_error *err)
{
        if (!img_digest_valid(digest))
                return tm_error_set(err, -EINVAL, "bad digest \"%s\"", digest ? digest : "");
        const char *dirs[] = {im->sblobs, im->st->blobs};
        for (size_t i = 0; i < TM_ARRAY_SIZE(dirs); i++) {
                _cleanup_free_ char *p = xasprintf("%s/%s", dirs[i], digest + 7);
                struct stat s;
                if (stat(p, &s) < 0)
                        continue;
                if (size >= 0 && s.st_size != size)
                        return tm_error_set(err, -EBADMSG,
                                            "blob \"%s\" has %lld bytes, its descriptor says %lld",
                                            digest, (long long)s.st_size, (long long)size);
                *out = TAKE_PTR(p);
                return 0;
        }
        return tm_error_set(err, -ENOENT, "blob \"%s\" is missing from the archive", digest);
}

static int
read_blob(import *im, const char *digest, int64_t size, char **data, size_t *len, tm_error *err)
{
        _cleanup_free_ char *p = NULL;
        int r = blob_path(im, digest, size, &p, err);
        if (r < 0)
                return r;
        return tm_file_read(p, IMG_MAX_JSON_BYTES, data, len, err);
}

/* Checks a manifest's config and layers and adds one record per name. */
static int
add_image(import *im, const char *mdigest, const img_manifest *m, char **names, size_t n_names,
          tm_error *err)
{
        _cleanup_free_ char *cfg = NULL;
        size_t cfg_len;
        int r = read_blob(im, m->config.digest, m->config.size, &cfg, &cfg_len, err);
        int64_t created = 0;
        if (r < 0 || (r = img_parse_config(cfg, cfg_len, NULL, &created, err)) < 0)
                return tm_error_wrap(err, "config \"%s\"", m->config.digest);
        char **diff_ids = NULL;
        size_t n_diff = 0;
        if ((r = img_parse_diff_ids(cfg, cfg_len, &diff_ids, &n_diff, err)) < 0)
                return tm_error_wrap(err, "config \"%s\"", m->config.digest);
        if (n_diff != m->n_layers)
                r = tm_error_set(err, -EBADMSG, "config \"%s\" lists %zu diff_ids for %zu layers",
                                 m->config.digest, n_diff, m->n_layers);
        int64_t size = 0;
        for (size_t i = 0; i < m->n_layers && r >= 0; i++) {
                _cleanup_free_ char *p = NULL;
                char diff[72];
                if ((r = blob_path(im, m->layers[i].digest, m->layers[i].size, &p, err)) < 0)
                        break;
                size += m->layers[i].size;
                /* The uncompressed digest ties each layer to the config,
                 * the only check a docker-save layer has. */
                if ((r = img_layer_diff_id(p, diff, err)) < 0) {
                        tm_error_wrap(err, "layer \"%s\"", m->layers[i].digest);
                        break;
                }
                if (strcmp(diff, diff_ids[i]) != 0)
                        r = tm_error_set(err, -EBADMSG,
                                         "layer \"%s\" does not match diff_id \"%s\" of its config "
                                         "(content is %s)",
                                         m->layers[i].digest, diff_ids[i], diff);
        }
        for (size_t i = 0; i < n_diff; i++)
                free(diff_ids[i]);
        free(diff_ids);
        if (r < 0)
                return r;
        for (size_t k = 0; k < (n_names ? n_names : 1); k++) {
                _cleanup_free_ char *ref = NULL;
                if (n_names && (r = exe_image_ref_normalize(names[k], &ref, err)) < 0)
                        return r;
                if (im->out.n >= IMG_MAX_IMAGES)
                        return tm_error_set(err, -E2BIG, "more than %d images", IMG_MAX_IMAGES);
                TM_GROW(im->out.recs, im->out.cap, im->out.n + 1);
                img_record *rec = &im->out.recs[im->out.n++];
                memset(rec, 0, sizeof(*rec));
                rec->ref = TAKE_PTR(ref);
                rec->id = xstrdup(m->config.digest);
                rec->digest = xstrdup(mdigest);
                rec->size = size;
                rec->created = created;
                rec->layers = xcalloc(m->n_layers + 1, sizeof(char *));
                for (size_t i = 0; i < m->n_layers; i++)
                        rec->layers[rec->n_layers++] = xstrdup(m->layers[i].digest);
        }
        return 0;
}

static bool
platform_ok(const img_desc *d)
{
        const char *arch, *variant;
        img_host_platform(&arch, &variant);
        if (!d->os && !d->arch)
                return true;
        if (!tm_streq(d->os, "linux") || !tm_streq(d->arch, arch))
                return false;
        return !variant || !d->variant || tm_streq(d->variant, variant) ||
               (!strcmp(arch, "arm") && strcmp(d->variant, variant) < 0);
}

static int import_desc(import *im, const img_desc *d, const char *name, int depth, tm_error *err);

static int
import_index(import *im, const char *json, size_t len, const char *name, int depth, tm_error *err)
{
        img_desc *ds = NULL;
        size_t n = 0;
        int r = img_parse_index(json, len, &ds, &n, err);
        if (r < 0)
                return r;
        size_t before = im->out.n;
        for (size_t i = 0; i < n && r >= 0; i++) {
                if (depth > 0 && im->out.n > before)
                        break; /* a nested index yields one manifest: the first that fits */
                if ((ds[i].os || ds[i].arch) && !platform_ok(&ds[i]))
                        continue;
                r = import_desc(im, &ds[i], ds[i].ref_name ? ds[i].ref_name : name, depth, err);
        }
        img_descs_free(ds, n);
        if (r >= 0 && depth > 0 && im->out.n == before) {
                const char *arch, *variant;
                img_host_platform(&arch, &variant);
                return tm_error_set(err, -ENOENT, "no manifest for linux/%s%s%s", arch,
                                    variant ? "/" : "", variant ? variant : "");
        }
        return r;
}

static int
import_desc(import *im, const img_desc *d, const char *name, int depth, tm_error *err)
{
        bool idx = img_media_is_index(d->media_type), man = img_media_is_manifest(d->media_type);
        if (!idx && !man)
                return 0; /* attestations, signatures, artifacts: not images */
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r = read_blob(im, d->digest, d->size, &data, &len, err);
        if (r < 0)
                return r;
        if (idx) {
                if (depth >= IMG_MAX_INDEX_DEPTH)
                        return tm_error_set(err, -ELOOP, "index \"%s\" nests too deep", d->digest);
                r = import_index(im, data, len, name, depth + 1, err);
                return r < 0 ? tm_error_wrap(err, "index \"%s\"", d->digest) : 0;
        }
        img_manifest m = {0};
        if ((r = img_parse_manifest(data, len, &m, err)) >= 0) {
                char *names[1] = {(char *)name};
                r = add_image(im, d->digest, &m, names, name ? 1 : 0, err);
        }
        img_manifest_clear(&m);
        return r < 0 ? tm_error_wrap(err, "manifest \"%s\"", d->digest) : 0;
}

/* docker-save: manifest.json names members; we store an OCI manifest. */
static int
import_docker(import *im, tm_error *err)
{
        img_docker_entry *es = NULL;
        size_t n = 0;
        int r = img_parse_docker_manifest(im->docker_json, im->docker_len, &es, &n, err);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n && r >= 0; i++) {
                img_manifest m = {0};
                tm_buf b = TM_BUF_INIT;
                _cleanup_free_ char *mpath = NULL, *mdigest = NULL;
                const char *chex = member_hex(im, es[i].config);
                if (!chex) {
                        r = tm_error_set(err, -ENOENT, "config \"%s\" is missing from the archive",
                                         es[i].config);
                        goto next;
                }
                const char *base = strrchr(es[i].config, '/');
                base = base ? base + 1 : es[i].config;
                if (strlen(base) == 69 && tm_str_has_suffix(base, ".json") &&
                    strncmp(base, chex, 64)) {
                        r = tm_error_set(err, -EBADMSG,
                                         "config \"%s\" does not match its digest (content is "
                                         "sha256:%s)",
                                         es[i].config, chex);
                        goto next;
                }
                m.config.digest = xasprintf("sha256:%s", chex);
                m.config.size = -1;
                m.layers = xcalloc(es[i].n_layers + 1, sizeof(*m.layers));
                tm_buf_puts(&b,
                            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image."
                            "manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci."
                            "image.config.v1+json\",");
                for (size_t k = 0; k < es[i].n_layers; k++) {
                        const char *lhex = member_hex(im, es[i].layers[k]);
                        if (!lhex) {
                                r = tm_error_set(err, -ENOENT,
                                                 "layer \"%s\" is missing from the archive",
                                                 es[i].layers[k]);
                                goto next;
                        }
                        m.layers[m.n_layers].digest = xasprintf("sha256:%s", lhex);
                        m.layers[m.n_layers++].size = -1;
                }
                /* Sizes for the manifest we write come from the staged files. */
                for (size_t k = 0; k <= m.n_layers; k++) {
                        img_desc *dd = k == 0 ? &m.config : &m.layers[k - 1];
                        _cleanup_free_ char *p = xasprintf("%s/%s", im->sblobs, dd->digest + 7);
                        struct stat s;
                        if (stat(p, &s) < 0) {
                                r = tm_error_errno(err, -errno, "stat \"%s\"", p);
                                goto next;
                        }
                        dd->size = s.st_size;
                        if (k == 0)
                                tm_buf_printf(&b, "\"digest\":\"%s\",\"size\":%lld},\"layers\":[",
                                              dd->digest, (long long)dd->size);
                        else
                                tm_buf_printf(
                                    &b,
                                    "%s{\"mediaType\":\"application/vnd.oci.image.layer.v1."
                                    "tar\",\"digest\":\"%s\",\"size\":%lld}",
                                    k > 1 ? "," : "", dd->digest, (long long)dd->size);
                }
                tm_buf_puts(&b, "]}");
                char mhex[TM_SHA256_HEX_LEN + 1];
                tm_sha256_hex(b.data, b.len, mhex);
                mpath = xasprintf("%s/%s", im->sblobs, mhex);
                if ((r = tm_file_write_atomic(mpath, b.data, b.len, 0600, err)) < 0)
                        goto next;
                mdigest = xasprintf("sha256:%s", mhex);
                r = add_image(im, mdigest, &m, es[i].tags, es[i].n_tags, err);
        next:
                if (r < 0)
                        tm_error_wrap(err, "image %zu of manifest.json", i + 1);
                tm_buf_free(&b);
                img_manifest_clear(&m);
        }
        img_docker_entries_free(es, n);
        return r;
}

static int
unpack_layers(import *im, tm_error *err)
{
        for (size_t i = 0; i < im->out.n; i++) {
                const img_record *rec = &im->out.recs[i];
                for (size_t k = 0; k < rec->n_layers; k++) {
                        const char *hex = rec->layers[k] + 7;
                        _cleanup_free_ char *have = xasprintf("%s/%s", im->st->layers, hex);
                        _cleanup_free_ char *dir = xasprintf("%s/%s", im->slayers, hex);
                        if (access(have, F_OK) == 0 || access(dir, F_OK) == 0)
                                continue;
                        _cleanup_free_ char *blob = NULL;
                        int r = blob_path(im, rec->layers[k], -1, &blob, err);
                        if (r < 0)
                                return r;
                        if (mkdir(dir, 0755) < 0 || chmod(dir, 0755) < 0)
                                return tm_error_errno(err, -errno, "mkdir \"%s\"", dir);
                        if ((r = img_layer_unpack(blob, dir, err)) < 0)
                                return tm_error_wrap(err, "layer \"%s\"", rec->layers[k]);
                }
        }
        return 0;
}

static int
move_in(const char *from_dir, const char *to_dir, const char *hex, tm_error *err)
{
        _cleanup_free_ char *from = xasprintf("%s/%s", from_dir, hex);
        _cleanup_free_ char *to = xasprintf("%s/%s", to_dir, hex);
        if (access(to, F_OK) == 0 || access(from, F_OK) < 0)
                return 0;
        if (rename(from, to) < 0)
                return tm_error_errno(err, -errno, "move \"%s\" into the store", hex);
        return 0;
}

static int
commit_locked(import *im, tm_error *err)
{
        int r = 0;
        for (size_t i = 0; i < im->out.n && r >= 0; i++) {
                img_record *rec = &im->out.recs[i];
                r = move_in(im->sblobs, im->st->blobs, rec->digest + 7, err);
                if (r >= 0)
                        r = move_in(im->sblobs, im->st->blobs, rec->id + 7, err);
                for (size_t k = 0; k < rec->n_layers && r >= 0; k++) {
                        r = move_in(im->sblobs, im->st->blobs, rec->layers[k] + 7, err);
                        if (r >= 0)
                                r = move_in(im->slayers, im->st->layers, rec->layers[k] + 7, err);
                }
        }
        if (r < 0)
                return r;
        img_index ix;
        /* Blobs and layers reach the disk before the index names them
         * (one syncfs instead of an fsync per unpacked file). */
        _cleanup_close_ int dfd = open(im->st->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || syncfs(dfd) < 0)
                return tm_error_errno(err, -errno, "sync \"%s\"", im->st->dir);
        if ((r = img_index_load(im->st, &ix, err)) < 0)
                return r;
        for (size_t i = 0; i < im->out.n; i++) {
                img_record *nr = &im->out.recs[i];
                bool have = false;
                for (size_t k = 0; k < ix.n; k++) {
                        img_record *old = &ix.recs[k];
                        if (nr->ref ? !tm_streq(old->ref, nr->ref) : strcmp(old->id, nr->id) != 0)
                                continue;
                        if (!nr->ref) {
                                have = true;
                                break;
                        }
                        have = true;
                        if (!strcmp(old->id, nr->id))
                                break;
                        /* The name moves to the new image. The old one stays,
                         * unnamed, only while a container root still uses it. */
                        bool other = false;
                        for (size_t q = 0; q < ix.n; q++)
                                if (q != k && !strcmp(ix.recs[q].id, old->id))
                                        other = true;
                        if (!other && img_roots_count(im->st, old->id, NULL) > 0) {
                                TM_GROW(ix.recs, ix.cap, ix.n + 1);
                                old = &ix.recs[k];
                                img_record dangling = {0};
                                dangling = *old;
                                free(dangling.ref);
                                dangling.ref = NULL;
                                *old = *nr;
                                memset(nr, 0, sizeof(*nr));
                                ix.recs[ix.n++] = dangling;
                        } else {
                                img_record_clear(old);
                                *old = *nr;
                                memset(nr, 0, sizeof(*nr));
                        }
                        break;
                }
                if (!have && nr->id) {
                        if (ix.n >= IMG_MAX_STORE_IMAGES) {
                                img_index_clear(&ix);
                                return tm_error_set(err, -E2BIG,
                                                    "the store holds %d images already",
                                                    IMG_MAX_STORE_IMAGES);
                        }
                        TM_GROW(ix.recs, ix.cap, ix.n + 1);
                        ix.recs[ix.n++] = *nr;
                        memset(nr, 0, sizeof(*nr));
                }
        }
        r = img_index_save(im->st, &ix, err);
        if (r >= 0)
                r = img_gc(im->st, &ix, err);
        img_index_clear(&ix);
        return r;
}

int
exe_image_import(exe_image_store *st, const char *archive, char ***refs, size_t *n_refs,
                 tm_error *err)
{
import im = {.st = st, .archive = archive };
        int r = tm_dl_archive_load(err);
        if (r < 0)
                return tm_error_wrap(err, "import \"%s\"", archive);
        im.stage = xasprintf("%s/tmp-import-XXXXXX", st->dir);
        if (!mkdtemp(im.stage)) {
                r = tm_error_errno(err, -errno, "create staging dir in \"%s\"", st->dir);
                free(im.stage);
                im.stage = NULL;
                goto out;
        }
        (void)chmod(im.stage, 0711);
        im.sblobs = xasprintf("%s/blobs", im.stage);
        im.slayers = xasprintf("%s/layers", im.stage);
        if (mkdir(im.sblobs, 0700) < 0 || mkdir(im.slayers, 0711) < 0) {
                r = tm_error_errno(err, -errno, "create staging dirs in \"%s\"", im.stage);
                goto out;
        }
        if ((r = read_archive(&im, err)) < 0)
                goto out;
        if (im.index_json)
                r = import_index(&im, im.index_json, im.index_len, NULL, 0, err);
        else if (im.docker_json)
                r = import_docker(&im, err);
        else
                r = tm_error_set(
                    err, -EINVAL,
                    "neither an OCI image layout (index.json) nor a docker-save archive "
                    "(manifest.json)");
        if (r < 0)
                goto out;
        if (im.out.n == 0) {
                r = tm_error_set(err, -ENOENT, "no image for this platform in the archive");
                goto out;
        }
        if ((r = unpack_layers(&im, err)) < 0)
                goto out;
        char **names = xcalloc(im.out.n + 1, sizeof(char *));
        for (size_t i = 0; i < im.out.n; i++)
                names[i] = xstrdup(im.out.recs[i].ref ? im.out.recs[i].ref : im.out.recs[i].id);
        size_t n = im.out.n;
        if ((r = img_lock(st, err)) >= 0) {
                r = commit_locked(&im, err);
                img_unlock(st);
        }
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        free(names[i]);
                free(names);
                goto out;
        }
        if (refs)
                *refs = names;
        else {
                for (size_t i = 0; i < n; i++)
                        free(names[i]);
                free(names);
        }
        if (n_refs)
                *n_refs = n;
out:
        import_clear(&im);
        if (r < 0)
                return tm_error_wrap(err, "import \"%s\"", archive);
        return 0;
}
