/* Shared between the decoder and the emitters. */
#pragma once

#include <stddef.h>

/* The res_type a plain scalar resolves to without allocating; -1 for the
 * merge key "<<". */
int res_yaml_plain_type(const char *s, size_t n);
