/* Decoder fuzz target: any input either fails cleanly or decodes to trees
 * that survive emitting as YAML and decoding again unchanged. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/buf.h"
#include "resources/yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        res_limits lim = {
            .max_doc_bytes = 64 * 1024,
            .max_depth = 32,
            .max_nodes = 20000,
            .max_alias_nodes = 2000,
            .max_docs = 64,
            .max_objects = 1000,
            .max_scalar_bytes = 4096,
        };
        res_doc *docs = NULL;
        size_t n = 0;
        res_diags dg = RES_DIAGS_INIT;
        if (res_yaml_decode("fuzz", data, size, &lim, &docs, &n, &dg) < 0) {
                if (dg.n == 0)
                        abort(); /* a failure must say why */
                res_diags_free(&dg);
                return 0;
        }
        tm_buf json = TM_BUF_INIT, yaml = TM_BUF_INIT, pretty = TM_BUF_INIT;
        for (size_t i = 0; i < n; i++) {
                if (!docs[i].root)
                        continue;
                tm_buf_reset(&json);
                tm_buf_reset(&yaml);
                tm_buf_reset(&pretty);
                res_emit_canonical_json(docs[i].root, &json);
                res_emit_json(docs[i].root, &pretty, true);
                res_emit_yaml(docs[i].root, &yaml, 0);
                res_doc *again = NULL;
                size_t n2 = 0;
                res_diags dg2 = RES_DIAGS_INIT;
                /* the emitted form may be larger than the input */
                res_limits lim2 = lim;
                lim2.max_doc_bytes = yaml.len + 1;
                lim2.max_scalar_bytes = 1u << 20;
                if (res_yaml_decode("again", yaml.data, yaml.len, &lim2, &again, &n2, &dg2) < 0 ||
                    n2 != 1 || !res_value_equal(docs[i].root, again[0].root)) {
                        fprintf(stderr, "round trip failed:\n%s\n", yaml.data);
                        for (size_t k = 0; k < dg2.n; k++)
                                fprintf(stderr, "%u:%u: %s\n", dg2.items[k].line, dg2.items[k].col,
                                        dg2.items[k].msg);
                        abort();
                }
                res_docs_free(again, n2);
                res_diags_free(&dg2);
        }
        tm_buf_free(&json);
        tm_buf_free(&yaml);
        tm_buf_free(&pretty);
        res_docs_free(docs, n);
        res_diags_free(&dg);
        return 0;
}
