/* Fuzzes layer unpacking (executors/image-layer.c): the input is a layer
 * blob (tar, maybe compressed), unpacked into a fresh directory that is
 * removed afterwards. Whatever the input, nothing may land outside it. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/mem.h"
#include "common/util.h"
#include "executors/image-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char dir[] = "/tmp/timone-fuzz-layer.XXXXXX";
        if (!mkdtemp(dir))
                return 0;
        char *blob = xasprintf("%s/blob", dir);
        char *root = xasprintf("%s/root", dir);
        tm_error err = {0};
        if (tm_file_write_atomic(blob, data, size, 0600, &err) == 0 && mkdir(root, 0755) == 0)
                (void)img_layer_unpack(blob, root, &err);
        (void)tm_rm_rf(dir, NULL);
        free(blob);
        free(root);
        return 0;
}
