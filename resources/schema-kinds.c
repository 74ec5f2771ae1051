/* Top-level schemas of the supported kinds (k8s.io/api core/v1, apps/v1,
 * storage.k8s.io/v1). */
#include <string.h>

#include "resources/schema-internal.h"

#define TOP_FIELDS                                                                                 \
        FSTR("apiVersion"), FSTR("kind"), FOBJ("metadata", res_sch_object_meta), FDROP("status")

/* Namespace */
RES_SCHEMA(res_sch_namespace_spec, LSTR("finalizers"));
RES_SCHEMA(res_sch_namespace, TOP_FIELDS, FOBJ("spec", res_sch_namespace_spec));

/* Pod */
RES_SCHEMA(res_sch_pod, TOP_FIELDS, FOBJ("spec", res_sch_pod_spec));

/* apps/v1 */
RES_SCHEMA(res_sch_rolling_update, FINTSTR("maxUnavailable"), FINTSTR("maxSurge"));
RES_SCHEMA(res_sch_deploy_strategy, FSTR("type"), FOBJ("rollingUpdate", res_sch_rolling_update));
RES_SCHEMA(res_sch_deployment_spec, FI32("replicas"), FOBJ("selector", res_sch_label_selector),
           FOBJ("template", res_sch_pod_template), FOBJ("strategy", res_sch_deploy_strategy),
           FI32("minReadySeconds"), FI32("revisionHistoryLimit"), FBOOL("paused"),
           FI32("progressDeadlineSeconds"));
RES_SCHEMA(res_sch_deployment, TOP_FIELDS, FOBJ("spec", res_sch_deployment_spec));

RES_SCHEMA(res_sch_replicaset_spec, FI32("replicas"), FI32("minReadySeconds"),
           FOBJ("selector", res_sch_label_selector), FOBJ("template", res_sch_pod_template));
RES_SCHEMA(res_sch_replicaset, TOP_FIELDS, FOBJ("spec", res_sch_replicaset_spec));

RES_SCHEMA(res_sch_ds_strategy, FSTR("type"), FOBJ("rollingUpdate", res_sch_rolling_update));
RES_SCHEMA(res_sch_daemonset_spec, FOBJ("selector", res_sch_label_selector),
           FOBJ("template", res_sch_pod_template), FOBJ("updateStrategy", res_sch_ds_strategy),
           FI32("minReadySeconds"), FI32("revisionHistoryLimit"));
RES_SCHEMA(res_sch_daemonset, TOP_FIELDS, FOBJ("spec", res_sch_daemonset_spec));

/* Service */
RES_SCHEMA(res_sch_service_port, FSTR("name"), FSTR("protocol"), FSTR("appProtocol"), FI32("port"),
           FINTSTR("targetPort"), FI32("nodePort"));
RES_SCHEMA(res_sch_client_ip, FI32("timeoutSeconds"));
RES_SCHEMA(res_sch_affinity_config, FOBJ("clientIP", res_sch_client_ip));
RES_SCHEMA(res_sch_service_spec, LOBJ("ports", res_sch_service_port), MSTR("selector"),
           FSTR("clusterIP"), LSTR("clusterIPs"), FSTR("type"), LSTR("externalIPs"),
           FSTR("sessionAffinity"), FSTR("loadBalancerIP"), LSTR("loadBalancerSourceRanges"),
           FSTR("externalName"), FSTR("externalTrafficPolicy"), FI32("healthCheckNodePort"),
           FBOOL("publishNotReadyAddresses"),
           FOBJ("sessionAffinityConfig", res_sch_affinity_config), LSTR("ipFamilies"),
           FSTR("ipFamilyPolicy"), FBOOL("allocateLoadBalancerNodePorts"),
           FSTR("loadBalancerClass"), FSTR("internalTrafficPolicy"), FSTR("trafficDistribution"));
RES_SCHEMA(res_sch_service, TOP_FIELDS, FOBJ("spec", res_sch_service_spec));

/* ConfigMap, Secret */
RES_SCHEMA(res_sch_configmap, TOP_FIELDS, MSTR("data"), MSTR("binaryData"), FBOOL("immutable"));
RES_SCHEMA(res_sch_secret, TOP_FIELDS, MSTR("data"), MSTR("stringData"), FSTR("type"),
           FBOOL("immutable"));

/* Storage */
RES_SCHEMA(res_sch_local_vol, FSTR("path"), FSTR("fsType"));
RES_SCHEMA(res_sch_volume_node_affinity, FOBJ("required", res_sch_node_selector));
RES_SCHEMA(res_sch_pv_spec, MQTY("capacity"), FOBJ("hostPath", res_sch_hostpath),
           FOBJ("local", res_sch_local_vol), FOBJ("nfs", res_sch_nfs), FOBJ("csi", res_sch_csi_pv),
           LSTR("accessModes"), FOBJ("claimRef", res_sch_object_ref),
           FSTR("persistentVolumeReclaimPolicy"), FSTR("storageClassName"), LSTR("mountOptions"),
           FSTR("volumeMode"), FOBJ("nodeAffinity", res_sch_volume_node_affinity),
           FSTR("volumeAttributesClassName"));
RES_SCHEMA(res_sch_pv, TOP_FIELDS, FOBJ("spec", res_sch_pv_spec));

RES_SCHEMA(res_sch_pvc_resources, MQTY("limits"), MQTY("requests"));
RES_SCHEMA(res_sch_pvc_spec, LSTR("accessModes"), FOBJ("selector", res_sch_label_selector),
           FOBJ("resources", res_sch_pvc_resources), FSTR("volumeName"), FSTR("storageClassName"),
           FSTR("volumeMode"), FOBJ("dataSource", res_sch_typed_local_ref),
           FOBJ("dataSourceRef", res_sch_typed_ref), FSTR("volumeAttributesClassName"));
RES_SCHEMA(res_sch_pvc, TOP_FIELDS, FOBJ("spec", res_sch_pvc_spec));

RES_SCHEMA(res_sch_topology_req, FSTR("key"), LSTR("values"));
RES_SCHEMA(res_sch_topology_term, LOBJ("matchLabelExpressions", res_sch_topology_req));
RES_SCHEMA(res_sch_storage_class, TOP_FIELDS, FSTR("provisioner"), MSTR("parameters"),
           FSTR("reclaimPolicy"), LSTR("mountOptions"), FBOOL("allowVolumeExpansion"),
           FSTR("volumeBindingMode"), LOBJ("allowedTopologies", res_sch_topology_term));

static const struct {
        const char *kind;
        const res_schema *schema;
} kind_schemas[] = {
    {"Namespace", &res_sch_namespace},        {"Pod", &res_sch_pod},
    {"ReplicaSet", &res_sch_replicaset},      {"Deployment", &res_sch_deployment},
    {"DaemonSet", &res_sch_daemonset},        {"Service", &res_sch_service},
    {"ConfigMap", &res_sch_configmap},        {"Secret", &res_sch_secret},
    {"PersistentVolume", &res_sch_pv},        {"PersistentVolumeClaim", &res_sch_pvc},
    {"StorageClass", &res_sch_storage_class},
};

const res_schema *
res_kind_schema(const res_kind_info *k)
{
        for (size_t i = 0; i < sizeof(kind_schemas) / sizeof(kind_schemas[0]); i++)
                if (strcmp(kind_schemas[i].kind, k->kind) == 0)
                        return kind_schemas[i].schema;
        return NULL;
}
