/* Image references (executors/image-ref.c): a normalised reference is a
 * fixed point (normalising it again gives it back), it is bounded, and it
 * is always DOMAIN/PATH with a tag or a digest. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "executors/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > 1024)
                return 0;
        char *s = malloc(size + 1);
        memcpy(s, data, size);
        s[size] = '\0';
        char *out = NULL;
        tm_error err = {0};
        if (exe_image_ref_normalize(s, &out, &err) < 0) {
                if (!err.msg[0])
                        abort();
                free(s);
                return 0;
        }
        /* "docker.io/library/" and ":latest" at most are added. */
        if (strlen(out) > strlen(s) + 25 || !strchr(out, '/') ||
            !(strchr(out, '@') || strrchr(out, ':') > strrchr(out, '/'))) {
                fprintf(stderr, "\"%s\" -> \"%s\"\n", s, out);
                abort();
        }
        char *again = NULL;
        if (exe_image_ref_normalize(out, &again, &err) < 0 || strcmp(again, out) != 0) {
                fprintf(stderr, "\"%s\" -> \"%s\" -> %s (%s)\n", s, out, again ? again : "error",
                        err.msg);
                abort();
        }
        /* An image id is a digest alone; a name never is. */
        if (exe_image_ref_is_id(out))
                abort();
        free(again);
        free(out);
        free(s);
        return 0;
}
