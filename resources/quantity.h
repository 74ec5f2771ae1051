/* Kubernetes resource quantities (k8s.io/apimachinery/pkg/api/resource):
 * every suffix (n u m "" k M G T P E, Ki Mi Gi Ti Pi Ei) and exponent form
 * (1e3, 1E-3), exact arithmetic, and Kubernetes' canonical spelling. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum res_qformat {
        RES_Q_DECIMAL_SI = 0, /* 100m, 5k, 1 */
        RES_Q_BINARY_SI,      /* 5Mi, 1Gi */
        RES_Q_DECIMAL_EXP,    /* 1e3 */
} res_qformat;

/* value = mant * 10^scale exactly (scale may be negative). Kept in lowest
 * terms so that equal quantities compare equal field by field except for
 * format. Parsing rounds up to nano precision (10^-9), as Kubernetes does. */
typedef struct res_quantity {
        __int128 mant;
        int32_t scale;
        res_qformat format;
} res_quantity;

#define RES_QUANTITY_STR_MAX 64

/* Returns 0, or -EINVAL ("quantities must match the regular expression
 * '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"), or -ERANGE. */
int res_quantity_parse(const char *s, res_quantity *out);
/* The message for an error code of res_quantity_parse (a static string). */
const char *res_quantity_strerror(int code);
/* Kubernetes' canonical string (Quantity.String()): "1536Mi", "100m", "1e3". */
void res_quantity_format(const res_quantity *q, char out[RES_QUANTITY_STR_MAX]);
int res_quantity_cmp(const res_quantity *a, const res_quantity *b);
bool res_quantity_is_zero(const res_quantity *q);
bool res_quantity_is_negative(const res_quantity *q);
/* Sum (format of a); -ERANGE on overflow. */
int res_quantity_add(const res_quantity *a, const res_quantity *b, res_quantity *out);
/* Value() and MilliValue(): rounded up to the next integer. Saturate. */
int64_t res_quantity_value(const res_quantity *q);
int64_t res_quantity_milli_value(const res_quantity *q);
