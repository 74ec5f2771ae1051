/* Manifest fuzz target: arbitrary bytes through a whole set (decode,
 * schema, validation, defaults, cross-object checks); every object that
 * comes out must reload from its canonical JSON with the same hash, and
 * masked output must never carry Secret data. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "resources/object.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        res_limits lim;
        res_limits_default(&lim);
        lim.max_doc_bytes = 64 * 1024;
        lim.max_nodes = 20000;
        lim.max_alias_nodes = 2000;
        lim.max_objects = 200;
        res_set *set = res_set_new(&lim);
        res_diags dg = RES_DIAGS_INIT;
        res_set_add_file(set, "fuzz.yaml", data, size, &dg);
        int r = res_set_finish(set, &dg);
        if (r == 0 && dg.n)
                abort();
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
        res_diags_free(&dg);
        return 0;
}
