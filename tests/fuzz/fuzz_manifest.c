/* Manifest fuzz target: arbitrary bytes through a whole set (decode,
 * schema, validation, defaults, cross-object checks). Every object that
 * comes out must reload from its canonical JSON with the same hash; a file
 * decoded in small batches must give what the whole-file decode gives; a
 * failure must say why. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "resources/object-internal.h"
#include "resources/object.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static res_set *
run(const uint8_t *data, size_t size, size_t batch, res_diags *dg, int *r)
{
        res_limits lim;
        res_limits_default(&lim);
        lim.max_doc_bytes = 64 * 1024;
        lim.max_nodes = 20000;
        lim.max_alias_nodes = 2000;
        lim.max_objects = 200;
        res_set *set = res_set_new(&lim);
        res_set_set_batch_bytes(set, batch);
        res_set_add_file(set, "fuzz.yaml", data, size, dg);
        *r = res_set_finish(set, dg);
        if (*r == 0 && dg->n)
                abort();
        if (*r != 0 && dg->n == 0)
                abort();
        return set;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        res_diags dg = RES_DIAGS_INIT, dg2 = RES_DIAGS_INIT;
        int r, r2;
        res_set *set = run(data, size, SIZE_MAX, &dg, &r);
        res_set *set2 = run(data, size, 200, &dg2, &r2);
        if (r == 0) {
                if (r2 != 0 || res_set_count(set) != res_set_count(set2)) {
                        tm_buf b = TM_BUF_INIT;
                        res_diags_format(&dg2, &b);
                        fprintf(stderr, "batched decode differs: %s\n", b.data ? b.data : "");
                        abort();
                }
                for (size_t i = 0; i < res_set_count(set); i++) {
                        const res_object *a = res_set_at(set, i), *b = res_set_at(set2, i);
                        if (strcmp(res_object_hash(a), res_object_hash(b)) != 0 ||
                            res_object_line(a) != res_object_line(b)) {
                                fprintf(stderr, "batched object differs: %s line %u vs %u\n",
                                        res_object_id(a), res_object_line(a), res_object_line(b));
                                abort();
                        }
                }
        } else if (r2 == 0) {
                fprintf(stderr, "batched decode accepts what the whole decode rejects\n");
                abort();
        }
        tm_buf b = TM_BUF_INIT;
        res_diags_format(&dg, &b);
        tm_buf_free(&b);
        for (size_t i = 0; i < res_set_count(set); i++) {
                const res_object *o = res_set_at(set, i);
                const char *json = res_object_canonical_json(o);
                res_object *again = NULL;
                tm_error err = {0};
                if (res_object_from_json(json, strlen(json), &again, &err) < 0) {
                        fprintf(stderr, "reload failed: %s\n%s\n", err.msg, json);
                        abort();
                }
                if (strcmp(res_object_hash(again), res_object_hash(o)) != 0) {
                        fprintf(stderr, "hash changed:\n%s\n%s\n", json,
                                res_object_canonical_json(again));
                        abort();
                }
                res_object_unref(again);
                tm_buf y = TM_BUF_INIT;
                res_object_emit_yaml(o, &y, true);
                res_object_emit_json(o, &y, true);
                (void)res_object_labels(o);
                tm_buf_free(&y);
        }
        res_set_free(set);
        res_set_free(set2);
        res_diags_free(&dg);
        res_diags_free(&dg2);
        return 0;
}
