/* Label selectors as `-l` gives them (resources/selector.c). What parses
 * prints a canonical form that parses again, prints the same, and selects
 * exactly the same label sets. Input: SELECTOR [\n LABELS], where LABELS
 * ("k=v,k2=v2,...") is a label set both forms are matched against. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "resources/selector.h"
#include "resources/value.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "k=v,k2,..." -> map; a key without '=' gets "". */
static res_value *
labels_from(const char *s)
{
        res_value *m = res_map_new();
        while (*s) {
                size_t n = strcspn(s, ",");
                const char *eq = memchr(s, '=', n);
                size_t kn = eq ? (size_t)(eq - s) : n;
                char key[128];
                if (kn < sizeof(key)) {
                        memcpy(key, s, kn);
                        key[kn] = '\0';
                        if (!res_map_get(m, key))
                                res_map_set(m, key,
                                            eq ? res_str_newn(eq + 1, n - kn - 1)
                                               : res_str_new(""));
                }
                s += n;
                if (*s == ',')
                        s++;
        }
        return m;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > 4096)
                return 0;
        char *s = malloc(size + 1);
        memcpy(s, data, size);
        s[size] = '\0';
        char *nl = memchr(s, '\n', size);
        const char *labels_text = "";
        if (nl) {
                *nl = '\0';
                labels_text = nl + 1;
        }

        res_selector *sel = NULL;
        tm_error err = {0};
        if (res_selector_parse(s, &sel, &err) < 0) {
                if (!err.msg[0])
                        abort(); /* a refusal says why */
                free(s);
                return 0;
        }
        tm_buf c = TM_BUF_INIT, c2 = TM_BUF_INIT;
        res_selector_format(sel, &c);
        /* The canonical form is never longer than the input plus the
         * spaces around in/notin ("a in(x)" -> "a in (x)"), "=" spelled
         * once per value at most. */
        if (c.len > 3 * strlen(s) + 8) {
                fprintf(stderr, "selector \"%s\" -> %zu bytes\n", s, c.len);
                abort();
        }
        res_selector *sel2 = NULL;
        if (res_selector_parse(c.data ? c.data : "", &sel2, &err) < 0) {
                fprintf(stderr, "selector \"%s\" -> \"%s\" does not parse: %s\n", s, c.data,
                        err.msg);
                abort();
        }
        res_selector_format(sel2, &c2);
        if (c.len != c2.len || (c.len && memcmp(c.data, c2.data, c.len) != 0)) {
                fprintf(stderr, "selector \"%s\" -> \"%s\" -> \"%s\"\n", s, c.data, c2.data);
                abort();
        }
        if (res_selector_is_everything(sel) != res_selector_is_everything(sel2) ||
            res_selector_is_nothing(sel) != res_selector_is_nothing(sel2))
                abort();
        res_value *labels = labels_from(labels_text);
        if (res_selector_matches(sel, labels) != res_selector_matches(sel2, labels) ||
            res_selector_matches(sel, NULL) != res_selector_matches(sel2, NULL)) {
                fprintf(stderr, "selector \"%s\" and \"%s\" disagree on \"%s\"\n", s, c.data,
                        labels_text);
                abort();
        }
        if (res_selector_is_everything(sel) && !res_selector_matches(sel, labels))
                abort();
        res_value_free(labels);
        tm_buf_free(&c);
        tm_buf_free(&c2);
        res_selector_free(sel);
        res_selector_free(sel2);
        free(s);
        return 0;
}
