/* Field schemas of the supported kinds: static tables that drive decoding
 * (unknown fields, types) of a document tree. Private to resources/. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "resources/object.h"

typedef enum res_ftype {
        FT_STR = 0,
        FT_INT32,
        FT_INT64,
        FT_BOOL,
        FT_QTY,    /* quantity: number or string, stored canonical */
        FT_INTSTR, /* int-or-string */
        FT_OBJ,    /* map with a schema */
        FT_ANY,    /* free-form, kept as is */
} res_ftype;

typedef enum res_fshape {
        FS_ONE = 0,
        FS_LIST,
        FS_MAP, /* map of string to the type */
} res_fshape;

#define FF_DROP 0x01   /* server-set or status: accepted and dropped */
#define FF_FORBID 0x02 /* known, not supported in manifests */

typedef struct res_schema res_schema;

typedef struct res_field {
        const char *name;
        uint8_t type;  /* res_ftype */
        uint8_t shape; /* res_fshape */
        uint8_t flags; /* FF_* */
        const res_schema *obj;
} res_field;

struct res_schema {
        const char *name;
        const res_field *fields; /* ends with a NULL name */
};

#define F_(n, t, s, fl, o)                                                                         \
        {                                                                                          \
                n, t, s, fl, o                                                                     \
        }
#define FSTR(n) F_(n, FT_STR, FS_ONE, 0, NULL)
#define FI32(n) F_(n, FT_INT32, FS_ONE, 0, NULL)
#define FI64(n) F_(n, FT_INT64, FS_ONE, 0, NULL)
#define FBOOL(n) F_(n, FT_BOOL, FS_ONE, 0, NULL)
#define FQTY(n) F_(n, FT_QTY, FS_ONE, 0, NULL)
#define FINTSTR(n) F_(n, FT_INTSTR, FS_ONE, 0, NULL)
#define FOBJ(n, s) F_(n, FT_OBJ, FS_ONE, 0, &(s))
#define LOBJ(n, s) F_(n, FT_OBJ, FS_LIST, 0, &(s))
#define LSTR(n) F_(n, FT_STR, FS_LIST, 0, NULL)
#define LI64(n) F_(n, FT_INT64, FS_LIST, 0, NULL)
#define MSTR(n) F_(n, FT_STR, FS_MAP, 0, NULL)
#define MQTY(n) F_(n, FT_QTY, FS_MAP, 0, NULL)
#define FDROP(n) F_(n, FT_ANY, FS_ONE, FF_DROP, NULL)
#define FFORBID(n) F_(n, FT_ANY, FS_ONE, FF_FORBID, NULL)
#define FEND F_(NULL, 0, 0, 0, NULL)

#define RES_SCHEMA(id, ...)                                                                        \
        static const res_field id##_fields[] = {__VA_ARGS__, FEND};                                \
        const res_schema id = {#id, id##_fields}

/* schema-meta.c */
extern const res_schema res_sch_object_meta;
extern const res_schema res_sch_template_meta;
extern const res_schema res_sch_label_selector;
extern const res_schema res_sch_node_selector;
extern const res_schema res_sch_affinity;
extern const res_schema res_sch_toleration;
extern const res_schema res_sch_local_ref;
extern const res_schema res_sch_object_ref;
extern const res_schema res_sch_typed_local_ref;
extern const res_schema res_sch_typed_ref;
extern const res_schema res_sch_key_to_path;
extern const res_schema res_sch_topology_spread;
/* schema-pod.c */
extern const res_schema res_sch_container;
extern const res_schema res_sch_volume;
extern const res_schema res_sch_pod_spec;
extern const res_schema res_sch_pod_template;
extern const res_schema res_sch_hostpath;
extern const res_schema res_sch_nfs;
extern const res_schema res_sch_csi_pv;
/* schema-kinds.c: the top-level schema of a kind */
const res_schema *res_kind_schema(const res_kind_info *k);

const res_field *res_schema_field(const res_schema *s, const char *name, size_t len);
