#include "resources/diag.h"
#include "common/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DIAGS_DEFAULT_MAX 1000

static char *
dup_or_null(const char *s)
{
        return s ? xstrdup(s) : NULL;
}

void
res_diags_add(res_diags *d, const char *file, uint32_t line, uint32_t col, const char *kind,
              const char *ns, const char *name, const char *path, const char *fmt, ...)
{
        size_t max = d->max ? d->max : DIAGS_DEFAULT_MAX;
        if (d->n >= max) {
                d->dropped++;
                return;
        }
        TM_GROW(d->items, d->cap, d->n + 1);
        res_diag *g = &d->items[d->n++];
        g->file = dup_or_null(file);
        g->line = line;
        g->col = col;
        g->kind = dup_or_null(kind);
        g->ns = dup_or_null(ns);
        g->name = dup_or_null(name);
        g->path = dup_or_null(path);
        va_list ap;
        va_start(ap, fmt);
        g->msg = xvasprintf(fmt, ap);
        va_end(ap);
}

size_t
res_diags_count(const res_diags *d)
{
        return d->n + d->dropped;
}

void
res_diags_sort(res_diags *d)
{
        /* Insertion sort: stable, and the lists are short. */
        for (size_t i = 1; i < d->n; i++) {
                res_diag tmp = d->items[i];
                size_t j = i;
                while (j > 0) {
                        res_diag *p = &d->items[j - 1];
                        int c = strcmp(p->file ? p->file : "", tmp.file ? tmp.file : "");
                        if (c < 0 || (c == 0 && (p->line < tmp.line ||
                                                 (p->line == tmp.line && p->col <= tmp.col))))
                                break;
                        d->items[j] = *p;
                        j--;
                }
                d->items[j] = tmp;
        }
}

void
res_diag_format(const res_diag *g, tm_buf *out)
{
        if (g->file) {
                tm_buf_puts(out, g->file);
                if (g->line)
                        tm_buf_printf(out, ":%u:%u", g->line, g->col);
                tm_buf_puts(out, ": ");
        }
        if (g->kind) {
                tm_buf_puts(out, g->kind);
                if (g->name) {
                        tm_buf_putc(out, ' ');
                        if (g->ns && *g->ns)
                                tm_buf_printf(out, "%s/", g->ns);
                        tm_buf_puts(out, g->name);
                }
                tm_buf_puts(out, ": ");
        }
        if (g->path && *g->path)
                tm_buf_printf(out, "%s: ", g->path);
        tm_buf_puts(out, g->msg);
}

void
res_diags_format(const res_diags *d, tm_buf *out)
{
        for (size_t i = 0; i < d->n; i++) {
                res_diag_format(&d->items[i], out);
                tm_buf_putc(out, '\n');
        }
        if (d->dropped)
                tm_buf_printf(out, "%zu more errors not shown\n", d->dropped);
}

void
res_diags_free(res_diags *d)
{
        for (size_t i = 0; i < d->n; i++) {
                res_diag *g = &d->items[i];
                free(g->file);
                free(g->kind);
                free(g->ns);
                free(g->name);
                free(g->path);
                free(g->msg);
        }
        free(d->items);
        d->items = NULL;
        d->n = d->cap = d->dropped = 0;
}
