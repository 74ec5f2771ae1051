/* Schemas shared by several kinds: metadata, selectors, affinity,
 * references (k8s.io/api/core/v1, k8s.io/apimachinery/pkg/apis/meta/v1). */
#include <string.h>

#include "resources/schema-internal.h"

RES_SCHEMA(res_sch_owner_ref, FSTR("apiVersion"), FSTR("kind"), FSTR("name"), FSTR("uid"),
           FBOOL("controller"), FBOOL("blockOwnerDeletion"));

/* Server-set fields that exported manifests carry are accepted and dropped;
 * owner references and finalizers drive garbage collection in a real
 * cluster, which timone does not have, so they are dropped too. */
RES_SCHEMA(res_sch_object_meta, FSTR("name"), FFORBID("generateName"), FSTR("namespace"),
           MSTR("labels"), MSTR("annotations"), FDROP("creationTimestamp"), FDROP("uid"),
           FDROP("resourceVersion"), FDROP("generation"), FDROP("managedFields"), FDROP("selfLink"),
           FDROP("ownerReferences"), FDROP("finalizers"), FDROP("deletionTimestamp"),
           FDROP("deletionGracePeriodSeconds"), FDROP("clusterName"));

/* A pod template's metadata: Kubernetes accepts the whole ObjectMeta there. */
RES_SCHEMA(res_sch_template_meta, FSTR("name"), FSTR("generateName"), FSTR("namespace"),
           MSTR("labels"), MSTR("annotations"), FDROP("creationTimestamp"), FDROP("uid"),
           FDROP("resourceVersion"), FDROP("generation"), FDROP("managedFields"), FDROP("selfLink"),
           FDROP("ownerReferences"), FDROP("finalizers"), FDROP("deletionTimestamp"),
           FDROP("deletionGracePeriodSeconds"));

RES_SCHEMA(res_sch_label_requirement, FSTR("key"), FSTR("operator"), LSTR("values"));
RES_SCHEMA(res_sch_label_selector, MSTR("matchLabels"),
           LOBJ("matchExpressions", res_sch_label_requirement));

RES_SCHEMA(res_sch_node_requirement, FSTR("key"), FSTR("operator"), LSTR("values"));
RES_SCHEMA(res_sch_node_term, LOBJ("matchExpressions", res_sch_node_requirement),
           LOBJ("matchFields", res_sch_node_requirement));
RES_SCHEMA(res_sch_node_selector, LOBJ("nodeSelectorTerms", res_sch_node_term));
RES_SCHEMA(res_sch_pref_term, FI32("weight"), FOBJ("preference", res_sch_node_term));
RES_SCHEMA(res_sch_node_affinity,
           FOBJ("requiredDuringSchedulingIgnoredDuringExecution", res_sch_node_selector),
           LOBJ("preferredDuringSchedulingIgnoredDuringExecution", res_sch_pref_term));
RES_SCHEMA(res_sch_pod_affinity_term, FOBJ("labelSelector", res_sch_label_selector),
           LSTR("namespaces"), FSTR("topologyKey"),
           FOBJ("namespaceSelector", res_sch_label_selector), LSTR("matchLabelKeys"),
           LSTR("mismatchLabelKeys"));
RES_SCHEMA(res_sch_weighted_term, FI32("weight"),
           FOBJ("podAffinityTerm", res_sch_pod_affinity_term));
RES_SCHEMA(res_sch_pod_affinity,
           LOBJ("requiredDuringSchedulingIgnoredDuringExecution", res_sch_pod_affinity_term),
           LOBJ("preferredDuringSchedulingIgnoredDuringExecution", res_sch_weighted_term));
RES_SCHEMA(res_sch_affinity, FOBJ("nodeAffinity", res_sch_node_affinity),
           FOBJ("podAffinity", res_sch_pod_affinity),
           FOBJ("podAntiAffinity", res_sch_pod_affinity));

RES_SCHEMA(res_sch_toleration, FSTR("key"), FSTR("operator"), FSTR("value"), FSTR("effect"),
           FI64("tolerationSeconds"));

RES_SCHEMA(res_sch_topology_spread, FI32("maxSkew"), FSTR("topologyKey"), FSTR("whenUnsatisfiable"),
           FOBJ("labelSelector", res_sch_label_selector), FI32("minDomains"),
           FSTR("nodeAffinityPolicy"), FSTR("nodeTaintsPolicy"), LSTR("matchLabelKeys"));

RES_SCHEMA(res_sch_local_ref, FSTR("name"));
RES_SCHEMA(res_sch_object_ref, FSTR("kind"), FSTR("namespace"), FSTR("name"), FSTR("uid"),
           FSTR("apiVersion"), FSTR("resourceVersion"), FSTR("fieldPath"));
RES_SCHEMA(res_sch_typed_local_ref, FSTR("apiGroup"), FSTR("kind"), FSTR("name"));
RES_SCHEMA(res_sch_typed_ref, FSTR("apiGroup"), FSTR("kind"), FSTR("name"), FSTR("namespace"));
RES_SCHEMA(res_sch_key_to_path, FSTR("key"), FSTR("path"), FI32("mode"));

const res_field *
res_schema_field(const res_schema *s, const char *name, size_t len)
{
        /* name is NUL-terminated at len (the caller rejects keys holding a NUL) */
        for (const res_field *f = s->fields; f->name; f++)
                if (f->name[0] == name[0] && strcmp(f->name, name) == 0)
                        return f;
        (void)len;
        return NULL;
}
