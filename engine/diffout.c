/* Text and JSON output of a plan: what `timone diff` prints. */
#include <jansson.h>
#include <string.h>

#include "common/mem.h"
#include "engine/plan.h"
#include "engine/textdiff.h"

#define C_RED "\033[31m"
#define C_GREEN "\033[32m"
#define C_YELLOW "\033[33m"
#define C_RESET "\033[0m"
#define NAME_WIDTH 38

static const char *const verbs[] = {"created", "updated", "pruned", "unchanged"};
static const char marks[] = {'+', '~', '-', '='};
static const char *const colors[] = {C_GREEN, C_YELLOW, C_RED, ""};

static void
display_name(const eng_action *a, tm_buf *out)
{
        tm_buf_printf(out, "%s ", a->kind);
        if (a->ns && *a->ns)
                tm_buf_printf(out, "%s/", a->ns);
        tm_buf_puts(out, a->name);
}

/* "apps.v1.Deployment.shop.web", as kubectl diff names its files. */
static char *
file_name(const eng_action *a)
{
        tm_buf b = TM_BUF_INIT;
        for (const char *p = a->api_version; *p; p++)
                tm_buf_putc(&b, *p == '/' ? '.' : *p);
        tm_buf_printf(&b, ".%s.", a->kind);
        if (a->ns && *a->ns)
                tm_buf_printf(&b, "%s.", a->ns);
        tm_buf_puts(&b, a->name);
        return tm_buf_steal(&b);
}

static void
print_object_diff(const eng_action *a, const eng_diffout_opts *o, tm_buf *out)
{
        if (a->type == ENG_ACT_PRUNE && !a->old)
                return;
        res_value *newv = a->obj && a->type != ENG_ACT_PRUNE ? eng_object_tree(a->obj) : NULL;
        res_value *oldv = a->old && a->type != ENG_ACT_CREATE ? res_value_clone(a->old) : NULL;
        tm_buf ya = TM_BUF_INIT, yb = TM_BUF_INIT;
        /* Secret markers compare the unmasked values: mask the old side against
         * an untouched new side, then the new side against the untouched old. */
        if (newv && oldv && eng_value_is_secret(newv)) {
                res_value *new_plain = res_value_clone(newv);
                eng_value_mask(newv, oldv, false);
                eng_value_mask(oldv, new_plain, true);
                res_value_free(new_plain);
        } else {
                if (newv)
                        eng_value_mask(newv, NULL, false);
                if (oldv)
                        eng_value_mask(oldv, NULL, true);
        }
        if (oldv)
                res_emit_yaml(oldv, &ya, 0);
        if (newv)
                res_emit_yaml(newv, &yb, 0);
        res_value_free(newv);
        res_value_free(oldv);
        _cleanup_free_ char *fname = file_name(a);
        _cleanup_free_ char *an =
            a->type == ENG_ACT_CREATE ? xstrdup("/dev/null") : xasprintf("a/%s", fname);
        _cleanup_free_ char *bn =
            a->type == ENG_ACT_PRUNE ? xstrdup("/dev/null") : xasprintf("b/%s", fname);
        eng_textdiff_opts to = ENG_TEXTDIFF_OPTS_INIT;
        to.color = o && o->color;
        size_t hunks = eng_textdiff(ya.data, ya.len, yb.data, yb.len, an, bn, &to, out);
        if (hunks == 0 && a->type == ENG_ACT_UPDATE) {
                /* Only masked values moved, or formatting the YAML cannot show. */
                tm_buf_printf(out, "--- %s\n+++ %s\n", an, bn);
                tm_buf_puts(out, "# the change is in values not shown\n");
        }
        tm_buf_free(&ya);
        tm_buf_free(&yb);
}

void
eng_plan_print_text(const eng_plan *p, const eng_diffout_opts *o, tm_buf *out)
{
        bool color = o && o->color;
        size_t n = eng_plan_count(p), width = NAME_WIDTH;
        tm_buf name = TM_BUF_INIT;
        for (size_t i = 0; i < n; i++) {
                const eng_action *a = eng_plan_get(p, i);
                if (a->type == ENG_ACT_UNCHANGED)
                        continue;
                tm_buf_reset(&name);
                display_name(a, &name);
                if (name.len > width)
                        width = name.len;
        }
        for (size_t i = 0; i < n; i++) {
                const eng_action *a = eng_plan_get(p, i);
                if (a->type == ENG_ACT_UNCHANGED)
                        continue;
                tm_buf_reset(&name);
                display_name(a, &name);
                if (color)
                        tm_buf_puts(out, colors[a->type]);
                tm_buf_printf(out, "%c %-*s %s", marks[a->type], (int)width, name.data,
                              verbs[a->type]);
                if (color)
                        tm_buf_puts(out, C_RESET);
                if (a->type == ENG_ACT_UPDATE && a->n_paths) {
                        tm_buf_puts(out, "   (");
                        for (size_t k = 0; k < a->n_paths; k++)
                                tm_buf_printf(out, "%s%s", k ? ", " : "", a->paths[k]);
                        if (a->more_paths)
                                tm_buf_puts(out, ", ...");
                        tm_buf_putc(out, ')');
                }
                tm_buf_putc(out, '\n');
        }
        tm_buf_free(&name);
        size_t c[4];
        eng_plan_summary(p, c);
        tm_buf_printf(out, "%zu to create, %zu to update, %zu to prune, %zu unchanged\n",
                      c[ENG_ACT_CREATE], c[ENG_ACT_UPDATE], c[ENG_ACT_PRUNE], c[ENG_ACT_UNCHANGED]);
        if (o && o->quiet)
                return;
        bool first = true;
        for (size_t i = 0; i < n; i++) {
                const eng_action *a = eng_plan_get(p, i);
                if (a->type == ENG_ACT_UNCHANGED)
                        continue;
                if (first)
                        tm_buf_putc(out, '\n');
                first = false;
                print_object_diff(a, o, out);
                if (o && o->stream && out->len > 65536) {
                        fwrite(out->data, 1, out->len, o->stream);
                        tm_buf_reset(out);
                }
        }
}

static json_t *
str_or_null(const char *s)
{
        return s ? json_string(s) : json_null();
}

static json_t *
object_json(const res_value *v)
{
        res_value *m = eng_value_masked(v, NULL, false);
        tm_buf b = TM_BUF_INIT;
        res_emit_canonical_json(m, &b);
        res_value_free(m);
        json_t *j = b.data ? json_loadb(b.data, b.len, JSON_DECODE_ANY, NULL) : NULL;
        tm_buf_free(&b);
        return j ? j : json_null();
}

void
eng_plan_print_json(const eng_plan *p, const char *revision, const char *source,
                    const res_diags *diags, tm_buf *out)
{
        json_t *root = json_object();
        json_object_set_new(root, "revision", str_or_null(revision));
        json_object_set_new(root, "source", str_or_null(source));
        size_t c[4];
        eng_plan_summary(p, c);
        json_object_set_new(root, "summary",
                            json_pack("{s:I,s:I,s:I,s:I}", "create", (json_int_t)c[ENG_ACT_CREATE],
                                      "update", (json_int_t)c[ENG_ACT_UPDATE], "prune",
                                      (json_int_t)c[ENG_ACT_PRUNE], "unchanged",
                                      (json_int_t)c[ENG_ACT_UNCHANGED]));
        static const char *const names[] = {"create", "update", "prune", "unchanged"};
        json_t *actions = json_array();
        for (size_t i = 0; i < eng_plan_count(p); i++) {
                const eng_action *a = eng_plan_get(p, i);
                if (a->type == ENG_ACT_UNCHANGED)
                        continue;
                json_t *ja = json_object();
                json_object_set_new(ja, "action", json_string(names[a->type]));
                json_object_set_new(ja, "kind", json_string(a->kind));
                json_object_set_new(ja, "apiVersion", json_string(a->api_version));
                json_object_set_new(ja, "namespace", json_string(a->ns ? a->ns : ""));
                json_object_set_new(ja, "name", json_string(a->name));
                json_t *paths = json_array();
                for (size_t k = 0; k < a->n_paths; k++)
                        json_array_append_new(paths, json_string(a->paths[k]));
                json_object_set_new(ja, "changedPaths", paths);
                if (a->obj) {
                        res_value *v = eng_object_tree(a->obj);
                        json_object_set_new(ja, "object", object_json(v));
                        res_value_free(v);
                } else {
                        json_object_set_new(ja, "object",
                                            a->old ? object_json(a->old) : json_null());
                }
                json_array_append_new(actions, ja);
        }
        json_object_set_new(root, "actions", actions);
        json_t *errors = json_array();
        for (size_t i = 0; diags && i < diags->n; i++) {
                const res_diag *d = &diags->items[i];
                json_t *je = json_object();
                json_object_set_new(je, "file", str_or_null(d->file));
                json_object_set_new(je, "line", d->line ? json_integer(d->line) : json_null());
                json_object_set_new(je, "column", d->col ? json_integer(d->col) : json_null());
                json_object_set_new(je, "kind", str_or_null(d->kind));
                json_object_set_new(je, "namespace", str_or_null(d->ns));
                json_object_set_new(je, "name", str_or_null(d->name));
                json_object_set_new(je, "path", str_or_null(d->path));
                json_object_set_new(je, "message", str_or_null(d->msg));
                json_array_append_new(errors, je);
        }
        json_object_set_new(root, "errors", errors);
        char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (s) {
                tm_buf_puts(out, s);
                tm_buf_putc(out, '\n');
                free(s);
        }
        json_decref(root);
}
