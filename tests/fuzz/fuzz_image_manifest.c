/* Fuzzes the image store's JSON parsers: OCI index, image manifest,
 * docker-save manifest.json and image config (executors/image-json.c), and image references.
 * The first byte picks the parser, the rest is the document. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "executors/image-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1)
                return 0;
        const char *json = (const char *)data + 1;
        size_t len = size - 1;
        tm_error err = {0};
        switch (data[0] % 6) {
        case 0: {
                img_desc *d = NULL;
                size_t n = 0;
                if (img_parse_index(json, len, &d, &n, &err) == 0)
                        img_descs_free(d, n);
                break;
        }
        case 1: {
                img_manifest m = {0};
                if (img_parse_manifest(json, len, &m, &err) == 0)
                        img_manifest_clear(&m);
                break;
        }
        case 2: {
                img_docker_entry *e = NULL;
                size_t n = 0;
                if (img_parse_docker_manifest(json, len, &e, &n, &err) == 0)
                        img_docker_entries_free(e, n);
                break;
        }
        case 3: {
                exe_image_config *c = NULL;
                int64_t created = 0;
                if (img_parse_config(json, len, &c, &created, &err) == 0)
                        exe_image_config_free(c);
                break;
        }
        case 4: {
                char **ids = NULL;
                size_t n = 0;
                if (img_parse_diff_ids(json, len, &ids, &n, &err) == 0) {
                        for (size_t i = 0; i < n; i++)
                                free(ids[i]);
                        free(ids);
                }
                break;
        }
        case 5: { /* an image reference */
                char *s = malloc(len + 1);
                memcpy(s, json, len);
                s[len] = '\0';
                char *out = NULL;
                if (exe_image_ref_normalize(s, &out, &err) == 0)
                        free(out);
                free(s);
                break;
        }
        }
        return 0;
}
