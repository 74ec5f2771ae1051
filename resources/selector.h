/* Label selectors (k8s.io/apimachinery/pkg/labels): equality-based
 * (a=b, a==b, a!=b) and set-based (a in (x,y), a notin (x), a, !a), in
 * string form (kubectl -l) and as LabelSelector objects (matchLabels,
 * matchExpressions with In, NotIn, Exists, DoesNotExist). */
#pragma once

#include <stdbool.h>

#include "common/buf.h"
#include "common/error.h"
#include "resources/value.h"

typedef struct res_selector res_selector;

/* String form. "" selects everything. Errors name the offending part. */
int res_selector_parse(const char *s, res_selector **out, tm_error *err);
/* A LabelSelector map {matchLabels, matchExpressions}. An empty map
 * selects everything; NULL (absent) selects nothing. err->msg starts with
 * the field path below the selector (e.g. "matchExpressions[0].values"). */
int res_selector_from_value(const res_value *sel, res_selector **out, tm_error *err);
/* labels is a map of string to string, or NULL (no labels). */
bool res_selector_matches(const res_selector *s, const res_value *labels);
bool res_selector_is_everything(const res_selector *s);
bool res_selector_is_nothing(const res_selector *s);
/* Canonical string form, requirements sorted by key as Kubernetes does. */
void res_selector_format(const res_selector *s, tm_buf *out);
void res_selector_free(res_selector *s);
