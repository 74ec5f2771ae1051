/* Number spelling shared by the decoder (map keys) and the emitters. */
#pragma once

#include <stddef.h>

#define RES_FLOAT_STR_MAX 40

/* Go's strconv.FormatFloat(f, fmt, -1, bits): shortest digits that read
 * back as the same float of `bits` (32 or 64) bits. fmt is 'g', 'e', 'f',
 * or 'j' for encoding/json's choice ('f', or 'e' below 1e-6 and from 1e21,
 * with "e-07" trimmed to "e-7"). Infinities and NaN come out as "+Inf",
 * "-Inf" and "NaN". Returns the length written to out. */
size_t res_format_float(double f, int bits, char fmt, char out[RES_FLOAT_STR_MAX]);
