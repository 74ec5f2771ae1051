/* The image store: its index of references, listing, resolving, removal
 * and garbage collection.
 *
 * <state>/images/
 *   index.json             {"version":1,"images":[record...]}, written atomically
 *   blobs/sha256/<hex>     manifests, configs and layer blobs, verified
 *   layers/<hex>/          each layer blob unpacked once
 *   roots/<id-hex>/<mark>  one file per container root using an image
 *   lock                   flock while the store changes */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/util.h"
#include "executors/image-internal.h"
#include "executors/image.h"

#define INDEX_MAX (64u << 20)

int
exe_image_store_open(exe_image_store **out, const char *state_dir, tm_error *err)
{
        exe_image_store *st = xcalloc(1, sizeof(*st));
        st->lock_fd = -1;
        st->dir = xasprintf("%s/images", state_dir);
        st->blobs = xasprintf("%s/blobs/sha256", st->dir);
        st->layers = xasprintf("%s/layers", st->dir);
        st->roots = xasprintf("%s/roots", st->dir);
        st->index = xasprintf("%s/index.json", st->dir);
        int r;
        if ((r = tm_mkdir_p(st->blobs, 0700, err)) < 0 ||
            (r = tm_mkdir_p(st->layers, 0700, err)) < 0 ||
            (r = tm_mkdir_p(st->roots, 0700, err)) < 0) {
                exe_image_store_close(st);
                return tm_error_wrap(err, "open image store in \"%s\"", state_dir);
        }
        /* Layers must be searchable by the container's users through overlayfs. */
        (void)chmod(st->dir, 0711);
        (void)chmod(st->layers, 0711);
        _cleanup_free_ char *lock = xasprintf("%s/lock", st->dir);
        st->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (st->lock_fd < 0) {
                r = tm_error_errno(err, -errno, "open image store lock \"%s\"", lock);
                exe_image_store_close(st);
                return r;
        }
        *out = st;
        return 0;
}

void
exe_image_store_close(exe_image_store *st)
{
        if (!st)
                return;
        if (st->lock_fd >= 0)
                close(st->lock_fd);
        free(st->dir);
        free(st->blobs);
        free(st->layers);
        free(st->roots);
        free(st->index);
        free(st);
}

int
img_lock(exe_image_store *st, tm_error *err)
{
        while (flock(st->lock_fd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return tm_error_errno(err, -errno, "lock image store");
        return 0;
}

void
img_unlock(exe_image_store *st)
{
        (void)flock(st->lock_fd, LOCK_UN);
}

void
img_record_clear(img_record *r)
{
        free(r->ref);
        free(r->id);
        free(r->digest);
        for (size_t i = 0; i < r->n_layers; i++)
                free(r->layers[i]);
        free(r->layers);
        memset(r, 0, sizeof(*r));
}

void
img_index_clear(img_index *ix)
{
        for (size_t i = 0; i < ix->n; i++)
                img_record_clear(&ix->recs[i]);
        free(ix->recs);
        memset(ix, 0, sizeof(*ix));
}

static const char *
jstr(json_t *o, const char *k)
{
        json_t *v = json_object_get(o, k);
        return json_is_string(v) ? json_string_value(v) : NULL;
}

int
img_index_load(exe_image_store *st, img_index *ix, tm_error *err)
{
        memset(ix, 0, sizeof(*ix));
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r = tm_file_read(st->index, INDEX_MAX, &data, &len, err);
        if (r == -ENOENT) {
                tm_error_clear(err);
                return 0;
        }
        if (r < 0)
                return tm_error_wrap(err, "read image index");
        json_error_t je;
        json_t *j = json_loadb(data, len, 0, &je);
        json_t *imgs = j ? json_object_get(j, "images") : NULL;
        if (!json_is_array(imgs) || json_array_size(imgs) > IMG_MAX_STORE_IMAGES) {
                json_decref(j);
                return tm_error_set(err, -EINVAL, "image index \"%s\" is damaged", st->index);
        }
        for (size_t i = 0; i < json_array_size(imgs); i++) {
                json_t *o = json_array_get(imgs, i);
                json_t *ls = json_object_get(o, "layers");
                if (!img_digest_valid(jstr(o, "id")) || !img_digest_valid(jstr(o, "digest")) ||
                    !json_is_array(ls) || json_array_size(ls) > IMG_MAX_LAYERS)
                        continue;
                TM_GROW(ix->recs, ix->cap, ix->n + 1);
                img_record *rec = &ix->recs[ix->n++];
                memset(rec, 0, sizeof(*rec));
                rec->ref = jstr(o, "ref") ? xstrdup(jstr(o, "ref")) : NULL;
                rec->id = xstrdup(jstr(o, "id"));
                rec->digest = xstrdup(jstr(o, "digest"));
                rec->size = json_integer_value(json_object_get(o, "size"));
                rec->created = json_integer_value(json_object_get(o, "created"));
                rec->layers = xcalloc(json_array_size(ls) + 1, sizeof(char *));
                for (size_t k = 0; k < json_array_size(ls); k++) {
                        const char *d = json_string_value(json_array_get(ls, k));
                        if (img_digest_valid(d))
                                rec->layers[rec->n_layers++] = xstrdup(d);
                }
        }
        json_decref(j);
        return 0;
}

int
img_index_save(exe_image_store *st, const img_index *ix, tm_error *err)
{
        json_t *imgs = json_array();
        for (size_t i = 0; i < ix->n; i++) {
                const img_record *rec = &ix->recs[i];
                json_t *ls = json_array();
                for (size_t k = 0; k < rec->n_layers; k++)
                        json_array_append_new(ls, json_string(rec->layers[k]));
                json_t *o = json_pack("{s:o,s:s,s:s,s:o,s:I,s:I}", "ref",
                                      rec->ref ? json_string(rec->ref) : json_null(), "id", rec->id,
                                      "digest", rec->digest, "layers", ls, "size",
                                      (json_int_t)rec->size, "created", (json_int_t)rec->created);
                json_array_append_new(imgs, o);
        }
        json_t *j = json_pack("{s:i,s:o}", "version", 1, "images", imgs);
        char *s = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
        json_decref(j);
        int r = tm_file_write_atomic(st->index, s, strlen(s), 0600, err);
        free(s);
        return r < 0 ? tm_error_wrap(err, "save image index") : 0;
}

static bool
index_needs(const img_index *ix, const char *hex)
{
        for (size_t i = 0; i < ix->n; i++) {
                const img_record *rec = &ix->recs[i];
                if (!strcmp(rec->id + 7, hex) || !strcmp(rec->digest + 7, hex))
                        return true;
                for (size_t k = 0; k < rec->n_layers; k++)
                        if (!strcmp(rec->layers[k] + 7, hex))
                                return true;
        }
        return false;
}

static int
gc_dir(const char *dir, const img_index *ix, tm_error *err)
{
        DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : tm_error_errno(err, -errno, "open \"%s\"", dir);
        struct dirent *de;
        int r = 0;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                if (strlen(de->d_name) == 64 && index_needs(ix, de->d_name))
                        continue;
                _cleanup_free_ char *p = xasprintf("%s/%s", dir, de->d_name);
                if ((r = tm_rm_rf(p, err)) < 0)
                        break;
        }
        closedir(d);
        return r;
}

/* Staging dirs of imports that died (older than an hour; a live import
 * touches its own as it goes). */
static void
gc_staging(exe_image_store *st)
{
        DIR *d = opendir(st->dir);
        if (!d)
                return;
        struct dirent *de;
        int64_t now = tm_wall_s();
        while ((de = readdir(d))) {
                if (!tm_str_has_prefix(de->d_name, "tmp-import-"))
                        continue;
                _cleanup_free_ char *p = xasprintf("%s/%s", st->dir, de->d_name);
                _cleanup_free_ char *pb = xasprintf("%s/blobs", p);
                _cleanup_free_ char *pl = xasprintf("%s/layers", p);
                struct stat s;
                if (lstat(p, &s) < 0 || (int64_t)s.st_mtime > now - 3600 ||
                    (stat(pb, &s) == 0 && (int64_t)s.st_mtime > now - 3600) ||
                    (stat(pl, &s) == 0 && (int64_t)s.st_mtime > now - 3600))
                        continue;
                (void)tm_rm_rf(p, NULL);
        }
        closedir(d);
}

int
img_gc(exe_image_store *st, const img_index *ix, tm_error *err)
{
        gc_staging(st);
        int r = gc_dir(st->blobs, ix, err);
        if (r >= 0)
                r = gc_dir(st->layers, ix, err);
        return r < 0 ? tm_error_wrap(err, "clean image store") : 0;
}

int
img_roots_count(exe_image_store *st, const char *id, tm_error *err)
{
        _cleanup_free_ char *dir = xasprintf("%s/%s", st->roots, id + 7);
        DIR *d = opendir(dir);
        if (!d)
                return errno == ENOENT ? 0 : tm_error_errno(err, -errno, "open \"%s\"", dir);
        int n = 0;
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                /* A marker names its container directory; one whose
                 * directory is gone was left by a crash. */
                _cleanup_free_ char *p = xasprintf("%s/%s", dir, de->d_name);
                _cleanup_free_ char *cdir = NULL;
                size_t len;
                if (tm_file_read(p, 8192, &cdir, &len, NULL) == 0 && access(cdir, F_OK) < 0 &&
                    errno == ENOENT) {
                        (void)unlink(p);
                        continue;
                }
                n++;
        }
        closedir(d);
        return n;
}

int
exe_image_users(exe_image_store *st, const char *id, tm_error *err)
{
        if (!img_digest_valid(id))
                return tm_error_set(err, -EINVAL, "\"%s\" is not an image id", id);
        return img_roots_count(st, id, err);
}

/* Finds records matching ref: a normalised name, name@digest, a full id,
 * or a unique id prefix. Returns the index of the first match or -ENOENT. */
static int
find(const img_index *ix, const char *ref, char **norm_out, tm_error *err)
{
        const char *hex = tm_str_has_prefix(ref, "sha256:") ? ref + 7 : ref;
        size_t hl = strlen(hex);
        bool hexish = hl >= 4 && hl <= 64 && strspn(hex, "0123456789abcdef") == hl;
        if (hexish && (hex != ref || hl == 64 || hl >= 12)) {
                int found = -1;
                for (size_t i = 0; i < ix->n; i++) {
                        if (strncmp(ix->recs[i].id + 7, hex, hl) != 0)
                                continue;
                        if (found >= 0 && strcmp(ix->recs[found].id, ix->recs[i].id) != 0)
                                return tm_error_set(err, -EINVAL, "image id \"%s\" is ambiguous",
                                                    ref);
                        if (found < 0)
                                found = (int)i;
                }
                if (found >= 0 || hex != ref) {
                        if (found < 0)
                                return tm_error_set(
                                    err, -ENOENT, "image \"%s\" not found in the image store", ref);
                        if (norm_out)
                                *norm_out = xstrdup(ix->recs[found].id);
                        return found;
                }
        }
        _cleanup_free_ char *norm = NULL;
        int r = exe_image_ref_normalize(ref, &norm, err);
        if (r < 0)
                return r;
        char *at = strchr(norm, '@');
        for (size_t i = 0; i < ix->n; i++) {
                const img_record *rec = &ix->recs[i];
                if (!rec->ref)
                        continue;
                if (tm_streq(rec->ref, norm))
                        goto found_i;
                if (at && !strcmp(rec->digest, at + 1)) {
                        /* name@digest: the name part must match the record's repository. */
                        size_t nl = (size_t)(at - norm);
                        char *tagless = strrchr(norm, ':');
                        if (tagless && tagless < at && tagless > strrchr(norm, '/'))
                                nl = (size_t)(tagless - norm);
                        if (!strncmp(rec->ref, norm, nl) &&
                            (rec->ref[nl] == ':' || rec->ref[nl] == '@'))
                                goto found_i;
                }
                continue;
        found_i:
                if (norm_out)
                        *norm_out = TAKE_PTR(norm);
                return (int)i;
        }
        return tm_error_set(err, -ENOENT,
                            "image \"%s\" not found in the image store (import it with "
                            "`timone image import FILE`)",
                            ref);
}

int
exe_image_resolve(exe_image_store *st, const char *ref, char **id, tm_error *err)
{
        img_index ix;
        int r = img_index_load(st, &ix, err);
        if (r < 0)
                return r;
        r = find(&ix, ref, NULL, err);
        if (r >= 0) {
                *id = xstrdup(ix.recs[r].id);
                r = 0;
        }
        img_index_clear(&ix);
        return r;
}

int
exe_image_list(exe_image_store *st, exe_image_info **out, size_t *n, tm_error *err)
{
        img_index ix;
        int r = img_index_load(st, &ix, err);
        if (r < 0)
                return r;
        exe_image_info *v = xcalloc(ix.n ? ix.n : 1, sizeof(*v));
        for (size_t i = 0; i < ix.n; i++) {
                v[i].ref = ix.recs[i].ref ? xstrdup(ix.recs[i].ref) : NULL;
                v[i].id = xstrdup(ix.recs[i].id);
                v[i].digest = xstrdup(ix.recs[i].digest);
                v[i].size = ix.recs[i].size;
                v[i].created = ix.recs[i].created;
        }
        *out = v;
        *n = ix.n;
        img_index_clear(&ix);
        return 0;
}

void
exe_image_info_free(exe_image_info *infos, size_t n)
{
        for (size_t i = 0; infos && i < n; i++) {
                free(infos[i].ref);
                free(infos[i].id);
                free(infos[i].digest);
        }
        free(infos);
}

static int
remove_locked(exe_image_store *st, const char *ref, tm_error *err)
{
        img_index ix;
        int r = img_index_load(st, &ix, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *norm = NULL;
        int i = find(&ix, ref, &norm, err);
        if (i < 0) {
                img_index_clear(&ix);
                return i;
        }
        _cleanup_free_ char *id = xstrdup(ix.recs[i].id);
        bool by_id = tm_streq(norm, id);
        /* Which records go: all of the id when named by id, else the one ref. */
        size_t others = 0;
        for (size_t k = 0; k < ix.n; k++)
                if ((size_t)i != k && !strcmp(ix.recs[k].id, id))
                        others++;
        bool last = by_id || others == 0;
        if (last) {
                int users = img_roots_count(st, id, err);
                if (users < 0) {
                        img_index_clear(&ix);
                        return users;
                }
                if (users > 0) {
                        img_index_clear(&ix);
                        return tm_error_set(err, -EBUSY, "image \"%s\" is in use by %d container%s",
                                            ref, users, users == 1 ? "" : "s");
                }
        }
        size_t w = 0;
        for (size_t k = 0; k < ix.n; k++) {
                bool drop = by_id ? !strcmp(ix.recs[k].id, id) : k == (size_t)i;
                if (drop)
                        img_record_clear(&ix.recs[k]);
                else
                        ix.recs[w++] = ix.recs[k];
        }
        ix.n = w;
        r = img_index_save(st, &ix, err);
        if (r >= 0)
                r = img_gc(st, &ix, err);
        img_index_clear(&ix);
        return r;
}

int
exe_image_remove(exe_image_store *st, const char *ref, tm_error *err)
{
        int r = img_lock(st, err);
        if (r < 0)
                return r;
        r = remove_locked(st, ref, err);
        img_unlock(st);
        return r;
}

int
exe_image_config_get(exe_image_store *st, const char *id, exe_image_config **out, tm_error *err)
{
        if (!img_digest_valid(id))
                return tm_error_set(err, -EINVAL, "\"%s\" is not an image id", id);
        _cleanup_free_ char *p = xasprintf("%s/%s", st->blobs, id + 7);
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r = tm_file_read(p, IMG_MAX_JSON_BYTES, &data, &len, err);
        if (r == -ENOENT)
                return tm_error_set(err, -ENOENT, "image \"%s\" not found in the image store", id);
        if (r < 0 || (r = img_parse_config(data, len, out, NULL, err)) < 0)
                return tm_error_wrap(err, "image \"%s\"", id);
        return 0;
}

int
img_layers_of(exe_image_store *st, const char *id, char ***layers, size_t *n, tm_error *err)
{
        img_index ix;
        int r = img_index_load(st, &ix, err);
        if (r < 0)
                return r;
        r = tm_error_set(err, -ENOENT, "image \"%s\" not found in the image store", id);
        for (size_t i = 0; i < ix.n; i++) {
                if (strcmp(ix.recs[i].id, id) != 0)
                        continue;
                tm_error_clear(err);
                *layers = TAKE_PTR(ix.recs[i].layers);
                *n = ix.recs[i].n_layers;
                ix.recs[i].n_layers = 0;
                r = 0;
                break;
        }
        img_index_clear(&ix);
        return r;
}
