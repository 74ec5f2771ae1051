/* The image store on real archives made by tools/make-busybox-image.sh,
 * with hostile layers written by libarchive, and real overlayfs mounts. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/mem.h"
#include "common/util.h"
#include "executors/image.h"

typedef struct fixture {
        char dir[64];
        char *state;
        exe_image_store *st;
} fixture;

static int
setup(void **state)
{
        fixture *f = xcalloc(1, sizeof(*f));
        strcpy(f->dir, "/tmp/timone-i-test.XXXXXX");
        if (!mkdtemp(f->dir))
                return -1;
        f->state = xasprintf("%s/state", f->dir);
        tm_error err = {0};
        if (exe_image_store_open(&f->st, f->state, &err) < 0) {
                fprintf(stderr, "%s\n", err.msg);
                return -1;
        }
        *state = f;
        return 0;
}

static int
teardown(void **state)
{
        fixture *f = *state;
        exe_image_store_close(f->st);
        /* A failed test may leave overlay roots mounted under f->dir. */
        FILE *m = fopen("/proc/self/mounts", "re");
        char line[4096];
        while (m && fgets(line, sizeof(line), m)) {
                char *mp = strchr(line, ' ');
                char *end = mp ? strchr(mp + 1, ' ') : NULL;
                if (!end)
                        continue;
                *end = '\0';
                if (tm_str_has_prefix(mp + 1, f->dir))
                        (void)umount2(mp + 1, MNT_DETACH);
        }
        if (m)
                fclose(m);
        (void)tm_rm_rf(f->dir, NULL);
        free(f->state);
        free(f);
        return 0;
}

static void
run(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        char *cmd = xvasprintf(fmt, ap);
        va_end(ap);
        int rc = system(cmd);
        if (rc != 0)
                fail_msg("command failed (%d): %s", rc, cmd);
        free(cmd);
}

/* make-busybox-image.sh OUT ARGS...; small images carry /bin/true as
 * their "busybox", for tests where the base layer's content is moot. */
static char *
make_image_with(fixture *f, const char *busybox, const char *name, const char *args)
{
        const char *src = getenv("TIMONE_SRCDIR");
        char *out = xasprintf("%s/%s", f->dir, name);
        run("BUSYBOX=%s %s/tools/make-busybox-image.sh %s %s", busybox, src ? src : ".", out, args);
        return out;
}

static char *
make_image(fixture *f, const char *name, const char *args)
{
        return make_image_with(f, "/bin/busybox", name, args);
}

static char *
make_small_image(fixture *f, const char *name, const char *args)
{
        return make_image_with(f, "/bin/true", name, args);
}

typedef struct tentry {
        const char *name;
        char type;        /* f file, d dir, l symlink, h hardlink, c char device */
        const char *data; /* file content or link target */
        int mode;
        int uid; /* and gid */
} tentry;

static char *
make_tar(fixture *f, const char *name, const tentry *es, size_t n)
{
        char *path = xasprintf("%s/%s", f->dir, name);
        struct archive *a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
        for (size_t i = 0; i < n; i++) {
                struct archive_entry *e = archive_entry_new();
                archive_entry_set_pathname(e, es[i].name);
                archive_entry_set_perm(e, es[i].mode ? (mode_t)es[i].mode : 0644);
                archive_entry_set_mtime(e, 1000, 0);
                archive_entry_set_uid(e, es[i].uid);
                archive_entry_set_gid(e, es[i].uid);
                size_t len = 0;
                switch (es[i].type) {
                case 'f':
                        archive_entry_set_filetype(e, AE_IFREG);
                        len = strlen(es[i].data);
                        archive_entry_set_size(e, (la_int64_t)len);
                        break;
                case 'd':
                        archive_entry_set_filetype(e, AE_IFDIR);
                        break;
                case 'l':
                        archive_entry_set_filetype(e, AE_IFLNK);
                        archive_entry_set_symlink(e, es[i].data);
                        break;
                case 'h':
                        archive_entry_set_filetype(e, AE_IFREG);
                        archive_entry_set_hardlink(e, es[i].data);
                        break;
                case 'c':
                        archive_entry_set_filetype(e, AE_IFCHR);
                        archive_entry_set_rdev(e, makedev(1, 3));
                        break;
                }
                assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
                if (len)
                        assert_int_equal(archive_write_data(a, es[i].data, len), (la_ssize_t)len);
                archive_entry_free(e);
        }
        archive_write_close(a);
        archive_write_free(a);
        return path;
}

static size_t
count_dir(const char *path)
{
        DIR *d = opendir(path);
        if (!d)
                return 0;
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

static size_t
count_images(fixture *f)
{
        exe_image_info *infos = NULL;
        size_t n = 0;
        tm_error err = {0};
        assert_int_equal(exe_image_list(f->st, &infos, &n, &err), 0);
        exe_image_info_free(infos, n);
        return n;
}

static char *
import_ok(fixture *f, const char *archive)
{
        tm_error err = {0};
        char **refs = NULL;
        size_t n = 0;
        if (exe_image_import(f->st, archive, &refs, &n, &err) < 0)
                fail_msg("import: %s", err.msg);
        assert_int_equal(n, 1);
        char *ref = refs[0];
        free(refs);
        return ref;
}

static void
import_fails(fixture *f, const char *archive, const char *needle)
{
        tm_error err = {0};
        char **refs = NULL;
        size_t n = 0;
        int r = exe_image_import(f->st, archive, &refs, &n, &err);
        if (r == 0)
                fail_msg("import of %s succeeded, want an error with \"%s\"", archive, needle);
        if (!strstr(err.msg, needle))
                fail_msg("error \"%s\" lacks \"%s\"", err.msg, needle);
        /* Nothing imported, nothing left behind. */
        assert_int_equal(count_images(f), 0);
        char *blobs = xasprintf("%s/images/blobs/sha256", f->state);
        char *layers = xasprintf("%s/images/layers", f->state);
        assert_int_equal(count_dir(blobs), 0);
        assert_int_equal(count_dir(layers), 0);
        free(blobs);
        free(layers);
}

static void
check_busybox(fixture *f, const char *archive)
{
        char *ref = import_ok(f, archive);
        assert_string_equal(ref, "docker.io/library/busybox:latest");
        free(ref);
        tm_error err = {0};
        char *id = NULL;
        assert_int_equal(exe_image_resolve(f->st, "busybox", &id, &err), 0);
        assert_true(exe_image_ref_is_id(id));
        char *id2 = NULL;
        assert_int_equal(exe_image_resolve(f->st, id, &id2, &err), 0);
        assert_string_equal(id, id2);
        free(id2);
        exe_image_config *c = NULL;
        assert_int_equal(exe_image_config_get(f->st, id, &c, &err), 0);
        assert_non_null(c->cmd);
        assert_string_equal(c->cmd[0], "sh");
        assert_null(c->cmd[1]);
        assert_non_null(c->env);
        assert_true(tm_str_has_prefix(c->env[0], "PATH="));
        exe_image_config_free(c);
        assert_int_equal(count_images(f), 1);
        /* The same archive again changes nothing. */
        free(import_ok(f, archive));
        assert_int_equal(count_images(f), 1);
        /* The layer is unpacked: busybox executable, applets as symlinks. */
        char *root = xasprintf("%s/c1", f->dir);
        char *rootfs = NULL;
        assert_int_equal(exe_image_mount_rootfs(f->st, id, root, &rootfs, &err), 0);
        char *bb = xasprintf("%s/bin/busybox", rootfs);
        char *sh = xasprintf("%s/bin/sh", rootfs);
        char *pw = xasprintf("%s/etc/passwd", rootfs);
        struct stat s;
        assert_int_equal(stat(bb, &s), 0);
        assert_true(S_ISREG(s.st_mode) && (s.st_mode & 0111));
        assert_int_equal(lstat(sh, &s), 0);
        assert_true(S_ISLNK(s.st_mode));
        char *passwd = NULL;
        size_t len;
        assert_int_equal(tm_file_read(pw, 4096, &passwd, &len, &err), 0);
        assert_non_null(strstr(passwd, "nobody:x:65534:65534"));
        /* Mounting again is fine; removing while mounted is refused. */
        assert_int_equal(exe_image_mount_rootfs(f->st, id, root, NULL, &err), 0);
        assert_int_equal(exe_image_users(f->st, id, &err), 1);
        assert_int_equal(exe_image_remove(f->st, "busybox:latest", &err), -EBUSY);
        assert_non_null(strstr(err.msg, "in use"));
        assert_int_equal(count_images(f), 1);
        assert_int_equal(exe_image_unmount_rootfs(root, &err), 0);
        assert_int_equal(exe_image_users(f->st, id, &err), 0);
        assert_int_equal(exe_image_remove(f->st, "busybox", &err), 0);
        assert_int_equal(count_images(f), 0);
        char *blobs = xasprintf("%s/images/blobs/sha256", f->state);
        char *layers = xasprintf("%s/images/layers", f->state);
        assert_int_equal(count_dir(blobs), 0);
        assert_int_equal(count_dir(layers), 0);
        assert_int_equal(exe_image_resolve(f->st, "busybox", &id2, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "\"busybox\""));
        free(blobs);
        free(layers);
        free(passwd);
        free(bb);
        free(sh);
        free(pw);
        free(rootfs);
        free(root);
        free(id);
}

static void
test_oci_gzip(void **state)
{
        fixture *f = *state;
        char *a = make_image(f, "oci-gz.tar", "--format oci --compress gzip");
        check_busybox(f, a);
        free(a);
}

static void
test_oci_zstd(void **state)
{
        fixture *f = *state;
        char *a = make_image(f, "oci-zst.tar", "--format oci --compress zstd");
        check_busybox(f, a);
        free(a);
}

static void
test_docker_gzip(void **state)
{
        fixture *f = *state;
        char *a = make_image(f, "d-gz.tar", "--format docker --compress gzip");
        check_busybox(f, a);
        free(a);
}

static void
test_docker_zstd(void **state)
{
        fixture *f = *state;
        char *a = make_image(f, "d-zst.tar", "--format docker --compress zstd");
        check_busybox(f, a);
        free(a);
}

static void
test_docker_plain(void **state)
{
        fixture *f = *state;
        char *a = make_image(f, "d.tar", "--format docker --compress none");
        check_busybox(f, a);
        free(a);
}

/* Flips one byte of the largest blob of an archive and packs it again. */
static char *
corrupt(fixture *f, const char *archive, const char *name)
{
        char *out = xasprintf("%s/%s", f->dir, name);
        run("set -e; d=$(mktemp -d); tar -xf %s -C $d; b=$(cd $d && find . -type f -size +100k | "
            "head -1);"
            " printf 'X' | dd of=$d/$b bs=1 seek=5000 conv=notrunc status=none;"
            " tar -cf %s -C $d .; rm -rf $d",
            archive, out);
        return out;
}

static void
test_digest_mismatch(void **state)
{
        fixture *f = *state;
        char *a = make_image(f, "oci.tar", "--format oci");
        char *bad = corrupt(f, a, "oci-bad.tar");
        import_fails(f, bad, "does not match its digest");
        import_fails(f, bad, "blobs/sha256/");
        /* A descriptor whose size lies, and a blob left out. */
        char *lie = xasprintf("%s/lie.tar", f->dir);
        run("set -e; d=$(mktemp -d); tar -xf %s -C $d;"
            " sed -i 's/\"size\":\\([0-9]*\\),\"annotations\"/\"size\":1\\1,\"annotations\"/' "
            "$d/index.json;"
            " tar -cf %s -C $d .; rm -rf $d",
            a, lie);
        import_fails(f, lie, "its descriptor says 1");
        char *gone = xasprintf("%s/gone.tar", f->dir);
        run("set -e; d=$(mktemp -d); tar -xf %s -C $d; rm $(find $d/blobs -type f -size +100k);"
            " tar -cf %s -C $d .; rm -rf $d",
            a, gone);
        import_fails(f, gone, "missing from the archive");
        free(lie);
        free(gone);
        char *d = make_image(f, "docker.tar", "--format docker --compress none");
        char *dbad = corrupt(f, d, "docker-bad.tar");
        import_fails(f, dbad, "diff_id");
        free(a);
        free(bad);
        free(d);
        free(dbad);
}

static void
test_layer_escapes(void **state)
{
        fixture *f = *state;
        static const struct {
                tentry e[3];
                size_t n;
                const char *needle;
        } cases[] = {
            {{{"../evil", 'f', "x", 0, 0}}, 1, "\"..\""},
            {{{"a/../../evil", 'f', "x", 0, 0}}, 1, "\"..\""},
            {{{"/abs-evil", 'f', "x", 0, 0}}, 1, "absolute"},
            {{{"link", 'l', "/tmp", 0, 0}, {"link/timone-i-evil", 'f', "x", 0, 0}}, 2, "symlink"},
            {{{"hl", 'h', "../../etc/passwd", 0, 0}}, 1, "\"..\""},
            {{{"dev/null", 'c', NULL, 0, 0}}, 1, "device node \"dev/null\" refused"},
        };
        for (size_t i = 0; i < TM_ARRAY_SIZE(cases); i++) {
                char name[64];
                snprintf(name, sizeof(name), "evil%zu.tar", i);
                char *layer = make_tar(f, name, cases[i].e, cases[i].n);
                char args[256];
                snprintf(args, sizeof(args), "--add-layer %s", layer);
                snprintf(name, sizeof(name), "evil%zu-img.tar", i);
                char *img = make_small_image(f, name, args);
                import_fails(f, img, cases[i].needle);
                free(layer);
                free(img);
        }
        assert_int_equal(access("/tmp/timone-i-evil", F_OK), -1);
}

static void
test_whiteouts(void **state)
{
        fixture *f = *state;
        static const tentry l1[] = {
            {"gone.txt", 'f', "bye", 0, 0},     {"opq", 'd', NULL, 0755, 0},
            {"opq/old1", 'f', "old", 0, 0},     {"opq/sub", 'd', NULL, 0755, 0},
            {"opq/sub/old2", 'f', "old", 0, 0}, {"suid", 'f', "#!/bin/sh\n", 04755, 0},
            {"keep.txt", 'f', "keep", 0, 0},    {"keep-link", 'h', "keep.txt", 0, 0},
            {"owned", 'f', "x", 0640, 65534},   {"owned-dir", 'd', NULL, 0700, 1000},
            {"sgid-dir", 'd', NULL, 02775, 0},
        };
        static const tentry l2[] = {
            {".wh.gone.txt", 'f', "", 0, 0},
            {"etc/.wh.group", 'f', "", 0, 0},
            {"opq/.wh..wh..opq", 'f', "", 0, 0},
            {"opq/new", 'f', "new", 0, 0},
        };
        char *t1 = make_tar(f, "l1.tar", l1, TM_ARRAY_SIZE(l1));
        char *t2 = make_tar(f, "l2.tar", l2, TM_ARRAY_SIZE(l2));
        char args[512];
        /* l1 twice: a repeated layer must still mount. */
        snprintf(args, sizeof(args),
                 "--tag example.com/wh:1 --add-layer %s --add-layer %s --add-layer %s", t1, t1, t2);
        char *img = make_image(f, "wh.tar", args);
        char *ref = import_ok(f, img);
        assert_string_equal(ref, "example.com/wh:1");
        tm_error err = {0};
        char *id = NULL;
        assert_int_equal(exe_image_resolve(f->st, "example.com/wh:1", &id, &err), 0);
        char *root = xasprintf("%s/c", f->dir);
        char *rootfs = NULL;
        if (exe_image_mount_rootfs(f->st, id, root, &rootfs, &err) < 0)
                fail_msg("mount: %s", err.msg);
        char p[512];
        struct stat s;
        snprintf(p, sizeof(p), "%s/gone.txt", rootfs);
        assert_int_equal(lstat(p, &s), -1);
        snprintf(p, sizeof(p), "%s/etc/group", rootfs);
        assert_int_equal(lstat(p, &s), -1);
        snprintf(p, sizeof(p), "%s/etc/passwd", rootfs);
        assert_int_equal(lstat(p, &s), 0);
        snprintf(p, sizeof(p), "%s/opq", rootfs);
        assert_int_equal(count_dir(p), 1);
        snprintf(p, sizeof(p), "%s/opq/new", rootfs);
        assert_int_equal(lstat(p, &s), 0);
        snprintf(p, sizeof(p), "%s/suid", rootfs);
        assert_int_equal(lstat(p, &s), 0);
        assert_int_equal(s.st_mode & 07777, 04755);
        assert_int_equal(lstat(rootfs, &s), 0);
        assert_int_equal(s.st_mode & 07777, 0755);
        snprintf(p, sizeof(p), "%s/etc", rootfs);
        assert_int_equal(lstat(p, &s), 0);
        assert_int_equal(s.st_mode & 07777, 0755);
        snprintf(p, sizeof(p), "%s/owned", rootfs);
        assert_int_equal(lstat(p, &s), 0);
        assert_int_equal(s.st_uid, 65534);
        assert_int_equal(s.st_gid, 65534);
        assert_int_equal(s.st_mode & 07777, 0640);
        snprintf(p, sizeof(p), "%s/owned-dir", rootfs);
        assert_int_equal(lstat(p, &s), 0);
        assert_true(S_ISDIR(s.st_mode));
        assert_int_equal(s.st_uid, 1000);
        assert_int_equal(s.st_mode & 07777, 0700);
        snprintf(p, sizeof(p), "%s/sgid-dir", rootfs);
        assert_int_equal(lstat(p, &s), 0);
        assert_int_equal(s.st_mode & 07777, 02775);
        snprintf(p, sizeof(p), "%s/keep-link", rootfs);
        assert_int_equal(lstat(p, &s), 0);
        assert_int_equal(s.st_nlink, 2);
        snprintf(p, sizeof(p), "%s/bin/busybox", rootfs);
        assert_int_equal(lstat(p, &s), 0);
        /* Writes land in the container's upper dir, not in the layers. */
        snprintf(p, sizeof(p), "%s/opq/written", rootfs);
        assert_int_equal(tm_file_write_atomic(p, "w", 1, 0644, &err), 0);
        snprintf(p, sizeof(p), "%s/upper/opq/written", root);
        assert_int_equal(lstat(p, &s), 0);
        /* Removing while the root exists is refused, by name and by id. */
        assert_int_equal(exe_image_remove(f->st, "example.com/wh:1", &err), -EBUSY);
        assert_int_equal(exe_image_remove(f->st, id, &err), -EBUSY);
        assert_int_equal(exe_image_unmount_rootfs(root, &err), 0);
        snprintf(p, sizeof(p), "%s/opq/new", rootfs);
        assert_int_equal(lstat(p, &s), -1);
        assert_int_equal(exe_image_remove(f->st, id, &err), 0);
        assert_int_equal(count_images(f), 0);
        free(t1);
        free(t2);
        free(img);
        free(ref);
        free(id);
        free(root);
        free(rootfs);
}

/* A container dir that vanished without an unmount does not pin the image. */
static void
test_stale_root(void **state)
{
        fixture *f = *state;
        char *img = make_small_image(f, "s.tar", "--tag s:1");
        free(import_ok(f, img));
        tm_error err = {0};
        char *id = NULL;
        assert_int_equal(exe_image_resolve(f->st, "s:1", &id, &err), 0);
        char *root = xasprintf("%s/gone", f->dir);
        assert_int_equal(exe_image_mount_rootfs(f->st, id, root, NULL, &err), 0);
        char *rootfs = xasprintf("%s/rootfs", root);
        assert_int_equal(umount2(rootfs, MNT_DETACH), 0);
        assert_int_equal(tm_rm_rf(root, &err), 0);
        assert_int_equal(exe_image_remove(f->st, "docker.io/library/s:1", &err), 0);
        free(img);
        free(id);
        free(root);
        free(rootfs);
}

/* Two images in one OCI layout, the second behind a nested index with a
 * foreign platform listed first; then every reference form resolves. */
static void
test_multi_nested(void **state)
{
        fixture *f = *state;
        static const tentry l1[] = {{"hello.txt", 'f', "hi", 0, 0}};
        char *t1 = make_tar(f, "m1.tar", l1, 1);
        char args[512];
        snprintf(args, sizeof(args), "--tag other/app:2 --add-layer %s", t1);
        char *a = make_image(f, "a.tar", "--tag one:1");
        char *b = make_image(f, "b.tar", args);
        char *out = xasprintf("%s/multi.tar", f->dir);
        /* b's manifest goes behind a nested index: arm64 (absent) first. */
        run("set -e; cd %s; rm -rf m; mkdir -p m mb; tar -xf %s -C m; tar -xf %s -C mb;"
            " cp mb/blobs/sha256/* m/blobs/sha256/;"
            " desc=$(sed 's/.*\"manifests\":\\[\\(.*\\)\\]}$/\\1/' mb/index.json);"
            " plat=$(printf '%%s' \"$desc\" | sed 's/,\"annotations\":{[^}]*}//');"
            " fake='{\"mediaType\":\"application/"
            "vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:"
            "0000000000000000000000000000000000000000000000000000000000000000\",\"size\":1,"
            "\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\"}}';"
            " printf '{\"schemaVersion\":2,\"manifests\":[%%s,%%s]}' \"$fake\" \"$plat\" > nested;"
            " h=$(sha256sum nested | cut -d' ' -f1); s=$(stat -c %%s nested); mv nested "
            "m/blobs/sha256/$h;"
            " top=$(sed 's/\\]}$//' m/index.json);"
            " printf "
            "'%%s,{\"mediaType\":\"application/"
            "vnd.oci.image.index.v1+json\",\"digest\":\"sha256:%%s\","
            "\"size\":%%s,\"annotations\":{\"org.opencontainers.image.ref.name\":\"other/"
            "app:2\"}}]}' "
            "\"$top\" $h $s > m/index.json;"
            " tar -cf %s -C m .",
            f->dir, a, b, out);
        tm_error err = {0};
        char **refs = NULL;
        size_t n = 0;
        if (exe_image_import(f->st, out, &refs, &n, &err) < 0)
                fail_msg("import: %s", err.msg);
        assert_int_equal(n, 2);
        assert_string_equal(refs[0], "docker.io/library/one:1");
        assert_string_equal(refs[1], "docker.io/other/app:2");
        for (size_t i = 0; i < n; i++)
                free(refs[i]);
        free(refs);
        exe_image_info *infos = NULL;
        assert_int_equal(exe_image_list(f->st, &infos, &n, &err), 0);
        assert_int_equal(n, 2);
        char *id = NULL;
        assert_int_equal(exe_image_resolve(f->st, "other/app:2", &id, &err), 0);
        assert_string_equal(id, infos[1].id);
        char *alt = NULL;
        char *by_digest = xasprintf("docker.io/other/app@%s", infos[1].digest);
        assert_int_equal(exe_image_resolve(f->st, by_digest, &alt, &err), 0);
        assert_string_equal(alt, id);
        free(alt);
        char *short_id = xasprintf("%.12s", id + 7);
        assert_int_equal(exe_image_resolve(f->st, short_id, &alt, &err), 0);
        assert_string_equal(alt, id);
        free(alt);
        char *wrong = xasprintf("one@%s", infos[1].digest);
        assert_int_equal(exe_image_resolve(f->st, wrong, &alt, &err), -ENOENT);
        assert_int_equal(exe_image_resolve(f->st, "other/app:3", &alt, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "\"other/app:3\""));
        /* Removing one leaves the other and the shared busybox layer. */
        assert_int_equal(exe_image_remove(f->st, "one:1", &err), 0);
        assert_int_equal(exe_image_resolve(f->st, "other/app:2", &alt, &err), 0);
        free(alt);
        char *root = xasprintf("%s/r", f->dir);
        char *rootfs = NULL;
        if (exe_image_mount_rootfs(f->st, id, root, &rootfs, &err) < 0)
                fail_msg("mount: %s", err.msg);
        char *hello = xasprintf("%s/hello.txt", rootfs);
        char *bb = xasprintf("%s/bin/busybox", rootfs);
        assert_int_equal(access(hello, F_OK), 0);
        assert_int_equal(access(bb, X_OK), 0);
        assert_int_equal(exe_image_unmount_rootfs(root, &err), 0);
        exe_image_info_free(infos, 2);
        free(t1);
        free(a);
        free(b);
        free(out);
        free(id);
        free(by_digest);
        free(short_id);
        free(wrong);
        free(root);
        free(rootfs);
        free(hello);
        free(bb);
}

/* A tag moved to a new image while a root uses the old one keeps the
 * old image (unnamed) until the root goes. */
static void
test_retag_in_use(void **state)
{
        fixture *f = *state;
        static const tentry l1[] = {{"v2", 'f', "2", 0, 0}};
        char *t1 = make_tar(f, "v2.tar", l1, 1);
        char args[512];
        snprintf(args, sizeof(args), "--tag app:1 --add-layer %s", t1);
        char *v1 = make_small_image(f, "v1.tar", "--tag app:1");
        char *v2 = make_small_image(f, "v2img.tar", args);
        free(import_ok(f, v1));
        tm_error err = {0};
        char *id1 = NULL, *id2 = NULL;
        assert_int_equal(exe_image_resolve(f->st, "app:1", &id1, &err), 0);
        char *root = xasprintf("%s/r", f->dir);
        assert_int_equal(exe_image_mount_rootfs(f->st, id1, root, NULL, &err), 0);
        free(import_ok(f, v2));
        assert_int_equal(exe_image_resolve(f->st, "app:1", &id2, &err), 0);
        assert_string_not_equal(id1, id2);
        assert_int_equal(count_images(f), 2);
        assert_int_equal(exe_image_remove(f->st, id1, &err), -EBUSY);
        assert_int_equal(exe_image_unmount_rootfs(root, &err), 0);
        assert_int_equal(exe_image_remove(f->st, id1, &err), 0);
        assert_int_equal(count_images(f), 1);
        free(t1);
        free(v1);
        free(v2);
        free(id1);
        free(id2);
        free(root);
}

int
main(void)
{
        if (geteuid() != 0) {
                fprintf(stderr, "SKIP: overlayfs and ownership need root\n");
                return 77;
        }
        /* A daemon's tight umask must not narrow what images show. */
        umask(077);
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(test_oci_gzip, setup, teardown),
            cmocka_unit_test_setup_teardown(test_oci_zstd, setup, teardown),
            cmocka_unit_test_setup_teardown(test_docker_gzip, setup, teardown),
            cmocka_unit_test_setup_teardown(test_docker_zstd, setup, teardown),
            cmocka_unit_test_setup_teardown(test_docker_plain, setup, teardown),
            cmocka_unit_test_setup_teardown(test_digest_mismatch, setup, teardown),
            cmocka_unit_test_setup_teardown(test_layer_escapes, setup, teardown),
            cmocka_unit_test_setup_teardown(test_whiteouts, setup, teardown),
            cmocka_unit_test_setup_teardown(test_stale_root, setup, teardown),
            cmocka_unit_test_setup_teardown(test_multi_nested, setup, teardown),
            cmocka_unit_test_setup_teardown(test_retag_in_use, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
