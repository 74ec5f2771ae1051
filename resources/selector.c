/* Label selectors with k8s.io/apimachinery/pkg/labels semantics: its lexer,
 * parser, requirement rules, sort order, String() form and matching; and
 * metav1.LabelSelectorAsSelector for {matchLabels, matchExpressions}. */
#include "resources/selector.h"
#include "common/mem.h"
#include "resources/names.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef enum op {
        OP_IN,
        OP_NOTIN,
        OP_EQ,
        OP_DEQ,
        OP_NEQ,
        OP_EXISTS,
        OP_NOTEXISTS,
        OP_GT,
        OP_LT,
} op;

typedef struct req {
        char *key;
        op op;
        char **vals;
        size_t n, cap;
} req;

struct res_selector {
        bool nothing;
        req *reqs;
        size_t n, cap;
};

static void
req_clear(req *r)
{
        free(r->key);
        for (size_t i = 0; i < r->n; i++)
                free(r->vals[i]);
        free(r->vals);
}

void
res_selector_free(res_selector *s)
{
        if (!s)
                return;
        for (size_t i = 0; i < s->n; i++)
                req_clear(&s->reqs[i]);
        free(s->reqs);
        free(s);
}

TM_DEFINE_CLEANUP(res_selector, res_selector_free)

static void
req_add_value(req *r, const char *v, size_t n, bool as_set)
{
        if (as_set)
                for (size_t i = 0; i < r->n; i++)
                        if (strlen(r->vals[i]) == n && memcmp(r->vals[i], v, n) == 0)
                                return;
        TM_GROW(r->vals, r->cap, r->n + 1);
        r->vals[r->n++] = xstrndup(v, n);
}

static int
str_ptr_cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* NewRequirement's checks; prefix is the field path ("" for the string form). */
static int
req_check(const req *r, const char *path, tm_error *err)
{
        const char *m = res_check_qualified_name(r->key);
        if (m)
                return tm_error_set(err, -EINVAL, "%sinvalid label key \"%s\": %s", path, r->key,
                                    m);
        switch (r->op) {
        case OP_IN:
        case OP_NOTIN:
                if (r->n == 0)
                        return tm_error_set(
                            err, -EINVAL,
                            "%sfor 'in', 'notin' operators, values set can't be empty", path);
                break;
        case OP_EQ:
        case OP_DEQ:
        case OP_NEQ:
                if (r->n != 1)
                        return tm_error_set(err, -EINVAL,
                                            "%sexact-match compatibility requires one single value",
                                            path);
                break;
        case OP_EXISTS:
        case OP_NOTEXISTS:
                if (r->n != 0)
                        return tm_error_set(
                            err, -EINVAL,
                            "%svalues set must be empty for exists and does not exist", path);
                break;
        case OP_GT:
        case OP_LT:
                if (r->n != 1)
                        return tm_error_set(
                            err, -EINVAL,
                            "%sfor 'Gt', 'Lt' operators, exactly one value is required", path);
                char *end;
                errno = 0;
                (void)strtoll(r->vals[0], &end, 10);
                if (errno || end == r->vals[0] || *end)
                        return tm_error_set(
                            err, -EINVAL,
                            "%sfor 'Gt', 'Lt' operators, the value must be an integer", path);
                break;
        }
        for (size_t i = 0; i < r->n; i++) {
                m = res_check_label_value(r->vals[i]);
                if (m)
                        return tm_error_set(err, -EINVAL,
                                            "%sinvalid label value: \"%s\": at key: \"%s\": %s",
                                            path, r->vals[i], r->key, m);
        }
        return 0;
}

static void
sel_sort(res_selector *s)
{
        /* stable, by key, as the ByKey sort does for short lists */
        for (size_t i = 1; i < s->n; i++) {
                req tmp = s->reqs[i];
                size_t j = i;
                while (j > 0 && strcmp(s->reqs[j - 1].key, tmp.key) > 0) {
                        s->reqs[j] = s->reqs[j - 1];
                        j--;
                }
                s->reqs[j] = tmp;
        }
}

static req *
sel_push(res_selector *s)
{
        TM_GROW(s->reqs, s->cap, s->n + 1);
        req *r = &s->reqs[s->n++];
        memset(r, 0, sizeof(*r));
        return r;
}

/* ---- the string form: lexer ---- */

typedef enum tok {
        T_ERROR,
        T_END,
        T_CLOSEPAR,
        T_COMMA,
        T_NOT,
        T_DEQ,
        T_EQ,
        T_GT,
        T_ID,
        T_IN,
        T_LT,
        T_NEQ,
        T_NOTIN,
        T_OPENPAR,
} tok;

typedef struct lexer {
        const char *s;
        size_t pos;
        tok t; /* the current (looked-ahead) token */
        const char *lit;
        size_t litlen;
} lexer;

static bool
is_special(char c)
{
        return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

static bool
is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
lex(lexer *l)
{
        while (is_space(l->s[l->pos]))
                l->pos++;
        const char *p = l->s + l->pos;
        l->lit = p;
        if (!*p) {
                l->t = T_END;
                l->litlen = 0;
                return;
        }
        if (is_special(*p)) {
                static const struct {
                        const char *s;
                        tok t;
                } sym[] = {{"!=", T_NEQ},    {"==", T_DEQ},     {"!", T_NOT},
                           {"(", T_OPENPAR}, {")", T_CLOSEPAR}, {",", T_COMMA},
                           {"=", T_EQ},      {">", T_GT},       {"<", T_LT}};
                for (size_t i = 0; i < TM_ARRAY_SIZE(sym); i++) {
                        size_t n = strlen(sym[i].s);
                        if (strncmp(p, sym[i].s, n) == 0) {
                                l->t = sym[i].t;
                                l->litlen = n;
                                l->pos += n;
                                return;
                        }
                }
        }
        size_t n = 0;
        while (p[n] && !is_space(p[n]) && !is_special(p[n]))
                n++;
        l->litlen = n;
        l->pos += n;
        l->t = T_ID;
        if (n == 2 && memcmp(p, "in", 2) == 0)
                l->t = T_IN;
        else if (n == 5 && memcmp(p, "notin", 5) == 0)
                l->t = T_NOTIN;
}

/* In the Values context the keywords are plain identifiers. */
static tok
value_tok(const lexer *l)
{
        return l->t == T_IN || l->t == T_NOTIN ? T_ID : l->t;
}

static int
lex_error(lexer *l, tm_error *err, const char *expected)
{
        return tm_error_set(err, -EINVAL, "found '%.*s', expected: %s", (int)l->litlen, l->lit,
                            expected);
}

static int
parse_values(lexer *l, req *r, tm_error *err)
{
        if (l->t != T_OPENPAR)
                return tm_error_set(err, -EINVAL, "found '%.*s' expected: '('", (int)l->litlen,
                                    l->lit);
        lex(l);
        if (l->t == T_CLOSEPAR) {
                req_add_value(r, "", 0, true);
                lex(l);
                return 0;
        }
        if (value_tok(l) != T_ID && l->t != T_COMMA)
                return lex_error(l, err, "',', ')' or identifier");
        for (;;) {
                if (value_tok(l) == T_ID) {
                        req_add_value(r, l->lit, l->litlen, true);
                        lex(l);
                        if (l->t == T_COMMA)
                                continue;
                        if (l->t == T_CLOSEPAR)
                                break;
                        return lex_error(l, err, "',' or ')'");
                } else if (l->t == T_COMMA) {
                        /* "(,", ",," and ",)" stand for empty values */
                        lex(l);
                        if (r->n == 0)
                                req_add_value(r, "", 0, true);
                        if (l->t == T_CLOSEPAR) {
                                req_add_value(r, "", 0, true);
                                break;
                        }
                        if (l->t == T_COMMA) {
                                lex(l);
                                req_add_value(r, "", 0, true);
                        }
                } else {
                        return lex_error(l, err, "',', or identifier");
                }
        }
        lex(l); /* ')' */
        return 0;
}

static int
parse_requirement(lexer *l, req *r, tm_error *err)
{
        bool not = false;
        if (l->t == T_NOT) {
                not = true;
                lex(l);
        }
        if (value_tok(l) != T_ID)
                return lex_error(l, err, "identifier");
        r->key = xstrndup(l->lit, l->litlen);
        const char *m = res_check_qualified_name(r->key);
        if (m)
                return tm_error_set(err, -EINVAL, "invalid label key \"%s\": %s", r->key, m);
        lex(l);
        if (not || l->t == T_END || l->t == T_COMMA) {
                r->op = not ? OP_NOTEXISTS : OP_EXISTS;
                return req_check(r, "", err);
        }
        switch (l->t) {
        case T_IN:
                r->op = OP_IN;
                break;
        case T_NOTIN:
                r->op = OP_NOTIN;
                break;
        case T_EQ:
                r->op = OP_EQ;
                break;
        case T_DEQ:
                r->op = OP_DEQ;
                break;
        case T_NEQ:
                r->op = OP_NEQ;
                break;
        case T_GT:
                r->op = OP_GT;
                break;
        case T_LT:
                r->op = OP_LT;
                break;
        default:
                return lex_error(l, err, "in, notin, =, ==, !=, gt, lt");
        }
        lex(l);
        if (r->op == OP_IN || r->op == OP_NOTIN) {
                int rc = parse_values(l, r, err);
                if (rc < 0)
                        return rc;
        } else if (l->t == T_END || l->t == T_COMMA) {
                req_add_value(r, "", 0, true);
        } else if (value_tok(l) == T_ID) {
                req_add_value(r, l->lit, l->litlen, true);
                lex(l);
        } else {
                return lex_error(l, err, "identifier");
        }
        if (r->n > 1)
                qsort(r->vals, r->n, sizeof(char *), str_ptr_cmp);
        return req_check(r, "", err);
}

int
res_selector_parse(const char *str, res_selector **out, tm_error *err)
{
        _cleanup_(res_selector_freep) res_selector *s = xcalloc(1, sizeof(*s));
        lexer l = {.s = str};
        lex(&l);
        for (;;) {
                tok t = value_tok(&l);
                if (t == T_END)
                        break;
                if (t != T_ID && t != T_NOT)
                        return lex_error(&l, err, "!, identifier, or 'end of string'");
                int r = parse_requirement(&l, sel_push(s), err);
                if (r < 0)
                        return tm_error_wrap(err, "unable to parse requirement");
                if (l.t == T_END)
                        break;
                if (l.t != T_COMMA)
                        return lex_error(&l, err, "',' or 'end of string'");
                lex(&l);
                if (value_tok(&l) != T_ID && l.t != T_NOT)
                        return tm_error_set(err, -EINVAL,
                                            "found '%.*s', expected: identifier after ','",
                                            (int)l.litlen, l.lit);
        }
        sel_sort(s);
        *out = TAKE_PTR(s);
        return 0;
}

/* ---- LabelSelector objects ---- */

int
res_selector_from_value(const res_value *v, res_selector **out, tm_error *err)
{
        _cleanup_(res_selector_freep) res_selector *s = xcalloc(1, sizeof(*s));
        if (!v || v->type == RES_NULL) {
                s->nothing = true;
                *out = TAKE_PTR(s);
                return 0;
        }
        if (v->type != RES_MAP)
                return tm_error_set(err, -EINVAL, "must be a map, not a %s",
                                    res_type_name(v->type));
        const res_value *ml = res_map_get(v, "matchLabels");
        if (ml && ml->type != RES_NULL) {
                if (ml->type != RES_MAP)
                        return tm_error_set(err, -EINVAL, "matchLabels: must be a map, not a %s",
                                            res_type_name(ml->type));
                for (uint32_t i = 0; i < ml->n; i++) {
                        const res_member *m = &ml->u.members[i];
                        if (m->value->type != RES_STR)
                                return tm_error_set(err, -EINVAL,
                                                    "matchLabels.%s: must be a string, not a %s",
                                                    m->key, res_type_name(m->value->type));
                        req *r = sel_push(s);
                        r->key = xstrdup(m->key);
                        r->op = OP_EQ;
                        req_add_value(r, m->value->u.s, m->value->n, false);
                        _cleanup_free_ char *path = xasprintf("matchLabels.%s: ", m->key);
                        int rc = req_check(r, path, err);
                        if (rc < 0)
                                return rc;
                }
        }
        const res_value *me = res_map_get(v, "matchExpressions");
        if (me && me->type != RES_NULL) {
                if (me->type != RES_SEQ)
                        return tm_error_set(err, -EINVAL,
                                            "matchExpressions: must be a list, not a %s",
                                            res_type_name(me->type));
                for (uint32_t i = 0; i < me->n; i++) {
                        const res_value *e = me->u.items[i];
                        if (e->type != RES_MAP)
                                return tm_error_set(err, -EINVAL,
                                                    "matchExpressions[%u]: must be a map, not a %s",
                                                    i, res_type_name(e->type));
                        const char *key = res_get_str(e, "key", NULL);
                        const char *opname = res_get_str(e, "operator", NULL);
                        if (!key)
                                return tm_error_set(err, -EINVAL,
                                                    "matchExpressions[%u].key: Required value", i);
                        if (!opname)
                                return tm_error_set(err, -EINVAL,
                                                    "matchExpressions[%u].operator: Required value",
                                                    i);
                        req *r = sel_push(s);
                        r->key = xstrdup(key);
                        if (strcmp(opname, "In") == 0)
                                r->op = OP_IN;
                        else if (strcmp(opname, "NotIn") == 0)
                                r->op = OP_NOTIN;
                        else if (strcmp(opname, "Exists") == 0)
                                r->op = OP_EXISTS;
                        else if (strcmp(opname, "DoesNotExist") == 0)
                                r->op = OP_NOTEXISTS;
                        else
                                return tm_error_set(
                                    err, -EINVAL,
                                    "matchExpressions[%u].operator: \"%s\" is not a valid label "
                                    "selector operator",
                                    i, opname);
                        const res_value *vals = res_map_get(e, "values");
                        if (vals && vals->type != RES_NULL && vals->type != RES_SEQ)
                                return tm_error_set(err, -EINVAL,
                                                    "matchExpressions[%u].values: must be a list, "
                                                    "not a %s",
                                                    i, res_type_name(vals->type));
                        for (uint32_t k = 0; vals && vals->type == RES_SEQ && k < vals->n; k++) {
                                const res_value *x = vals->u.items[k];
                                if (x->type != RES_STR)
                                        return tm_error_set(err, -EINVAL,
                                                            "matchExpressions[%u].values[%u]: must "
                                                            "be a string, not a %s",
                                                            i, k, res_type_name(x->type));
                                req_add_value(r, x->u.s, x->n, false);
                        }
                        _cleanup_free_ char *path =
                            xasprintf("matchExpressions[%u].%s: ", i,
                                      res_check_qualified_name(key) ? "key" : "values");
                        int rc = req_check(r, path, err);
                        if (rc < 0)
                                return rc;
                }
        }
        sel_sort(s);
        *out = TAKE_PTR(s);
        return 0;
}

/* ---- use ---- */

static bool
req_has(const req *r, const char *v)
{
        for (size_t i = 0; i < r->n; i++)
                if (strcmp(r->vals[i], v) == 0)
                        return true;
        return false;
}

static bool
req_matches(const req *r, const res_value *labels)
{
        const res_value *lv = labels ? res_map_get(labels, r->key) : NULL;
        const char *v = lv && lv->type == RES_STR ? lv->u.s : NULL;
        switch (r->op) {
        case OP_IN:
        case OP_EQ:
        case OP_DEQ:
                return v && req_has(r, v);
        case OP_NOTIN:
        case OP_NEQ:
                return !v || !req_has(r, v);
        case OP_EXISTS:
                return v != NULL;
        case OP_NOTEXISTS:
                return v == NULL;
        case OP_GT:
        case OP_LT: {
                if (!v || r->n != 1)
                        return false;
                char *end;
                errno = 0;
                long long a = strtoll(v, &end, 10);
                if (errno || end == v || *end)
                        return false;
                long long b = strtoll(r->vals[0], NULL, 10);
                return r->op == OP_GT ? a > b : a < b;
        }
        }
        return false;
}

bool
res_selector_matches(const res_selector *s, const res_value *labels)
{
        if (!s || s->nothing)
                return false;
        for (size_t i = 0; i < s->n; i++)
                if (!req_matches(&s->reqs[i], labels))
                        return false;
        return true;
}

bool
res_selector_is_everything(const res_selector *s)
{
        return s && !s->nothing && s->n == 0;
}

bool
res_selector_is_nothing(const res_selector *s)
{
        return !s || s->nothing;
}

void
res_selector_format(const res_selector *s, tm_buf *out)
{
        static const char *const opstr[] = {
            [OP_IN] = " in ",    [OP_NOTIN] = " notin ", [OP_EQ] = "=",
            [OP_DEQ] = "==",     [OP_NEQ] = "!=",        [OP_EXISTS] = "",
            [OP_NOTEXISTS] = "", [OP_GT] = ">",          [OP_LT] = "<",
        };
        if (!s || s->nothing)
                return;
        for (size_t i = 0; i < s->n; i++) {
                const req *r = &s->reqs[i];
                if (i)
                        tm_buf_putc(out, ',');
                if (r->op == OP_NOTEXISTS)
                        tm_buf_putc(out, '!');
                tm_buf_puts(out, r->key);
                tm_buf_puts(out, opstr[r->op]);
                if (r->op == OP_EXISTS || r->op == OP_NOTEXISTS)
                        continue;
                bool set = r->op == OP_IN || r->op == OP_NOTIN;
                if (set)
                        tm_buf_putc(out, '(');
                char **sorted = xmemdup(r->vals, r->n * sizeof(char *));
                qsort(sorted, r->n, sizeof(char *), str_ptr_cmp);
                for (size_t k = 0; k < r->n; k++) {
                        if (k)
                                tm_buf_putc(out, ',');
                        tm_buf_puts(out, sorted[k]);
                }
                free(sorted);
                if (set)
                        tm_buf_putc(out, ')');
        }
}
