/* Schemas of the pod spec, containers and volumes (k8s.io/api/core/v1). */
#include "resources/schema-internal.h"

RES_SCHEMA(res_sch_exec, LSTR("command"));
RES_SCHEMA(res_sch_http_header, FSTR("name"), FSTR("value"));
RES_SCHEMA(res_sch_http_get, FSTR("path"), FINTSTR("port"), FSTR("host"), FSTR("scheme"),
           LOBJ("httpHeaders", res_sch_http_header));
RES_SCHEMA(res_sch_tcp_socket, FINTSTR("port"), FSTR("host"));
RES_SCHEMA(res_sch_grpc, FI32("port"), FSTR("service"));
RES_SCHEMA(res_sch_sleep, FI64("seconds"));
RES_SCHEMA(res_sch_probe, FOBJ("exec", res_sch_exec), FOBJ("httpGet", res_sch_http_get),
           FOBJ("tcpSocket", res_sch_tcp_socket), FOBJ("grpc", res_sch_grpc),
           FI32("initialDelaySeconds"), FI32("timeoutSeconds"), FI32("periodSeconds"),
           FI32("successThreshold"), FI32("failureThreshold"),
           FI64("terminationGracePeriodSeconds"));
RES_SCHEMA(res_sch_handler, FOBJ("exec", res_sch_exec), FOBJ("httpGet", res_sch_http_get),
           FOBJ("tcpSocket", res_sch_tcp_socket), FOBJ("sleep", res_sch_sleep));
RES_SCHEMA(res_sch_lifecycle, FOBJ("postStart", res_sch_handler), FOBJ("preStop", res_sch_handler),
           FSTR("stopSignal"));

RES_SCHEMA(res_sch_capabilities, LSTR("add"), LSTR("drop"));
RES_SCHEMA(res_sch_selinux, FSTR("user"), FSTR("role"), FSTR("type"), FSTR("level"));
RES_SCHEMA(res_sch_windows, FSTR("gmsaCredentialSpecName"), FSTR("gmsaCredentialSpec"),
           FSTR("runAsUserName"), FBOOL("hostProcess"));
RES_SCHEMA(res_sch_profile, FSTR("type"), FSTR("localhostProfile"));
RES_SCHEMA(res_sch_security_context, FOBJ("capabilities", res_sch_capabilities),
           FBOOL("privileged"), FOBJ("seLinuxOptions", res_sch_selinux),
           FOBJ("windowsOptions", res_sch_windows), FI64("runAsUser"), FI64("runAsGroup"),
           FBOOL("runAsNonRoot"), FBOOL("readOnlyRootFilesystem"),
           FBOOL("allowPrivilegeEscalation"), FSTR("procMount"),
           FOBJ("seccompProfile", res_sch_profile), FOBJ("appArmorProfile", res_sch_profile));
RES_SCHEMA(res_sch_sysctl, FSTR("name"), FSTR("value"));
RES_SCHEMA(res_sch_pod_security_context, FOBJ("seLinuxOptions", res_sch_selinux),
           FOBJ("windowsOptions", res_sch_windows), FI64("runAsUser"), FI64("runAsGroup"),
           FBOOL("runAsNonRoot"), LI64("supplementalGroups"), FSTR("supplementalGroupsPolicy"),
           FI64("fsGroup"), LOBJ("sysctls", res_sch_sysctl), FSTR("fsGroupChangePolicy"),
           FOBJ("seccompProfile", res_sch_profile), FOBJ("appArmorProfile", res_sch_profile),
           FSTR("seLinuxChangePolicy"));

RES_SCHEMA(res_sch_field_ref, FSTR("apiVersion"), FSTR("fieldPath"));
RES_SCHEMA(res_sch_resource_field_ref, FSTR("containerName"), FSTR("resource"), FQTY("divisor"));
RES_SCHEMA(res_sch_key_selector, FSTR("name"), FSTR("key"), FBOOL("optional"));
RES_SCHEMA(res_sch_env_source, FOBJ("fieldRef", res_sch_field_ref),
           FOBJ("resourceFieldRef", res_sch_resource_field_ref),
           FOBJ("configMapKeyRef", res_sch_key_selector),
           FOBJ("secretKeyRef", res_sch_key_selector));
RES_SCHEMA(res_sch_env, FSTR("name"), FSTR("value"), FOBJ("valueFrom", res_sch_env_source));
RES_SCHEMA(res_sch_ref_optional, FSTR("name"), FBOOL("optional"));
RES_SCHEMA(res_sch_env_from, FSTR("prefix"), FOBJ("configMapRef", res_sch_ref_optional),
           FOBJ("secretRef", res_sch_ref_optional));
RES_SCHEMA(res_sch_container_port, FSTR("name"), FI32("hostPort"), FI32("containerPort"),
           FSTR("protocol"), FSTR("hostIP"));
RES_SCHEMA(res_sch_resource_claim, FSTR("name"), FSTR("request"));
RES_SCHEMA(res_sch_resources, MQTY("limits"), MQTY("requests"),
           LOBJ("claims", res_sch_resource_claim));
RES_SCHEMA(res_sch_resize_policy, FSTR("resourceName"), FSTR("restartPolicy"));
RES_SCHEMA(res_sch_volume_mount, FSTR("name"), FBOOL("readOnly"), FSTR("recursiveReadOnly"),
           FSTR("mountPath"), FSTR("subPath"), FSTR("mountPropagation"), FSTR("subPathExpr"));
RES_SCHEMA(res_sch_volume_device, FSTR("name"), FSTR("devicePath"));

RES_SCHEMA(res_sch_container, FSTR("name"), FSTR("image"), LSTR("command"), LSTR("args"),
           FSTR("workingDir"), LOBJ("ports", res_sch_container_port),
           LOBJ("envFrom", res_sch_env_from), LOBJ("env", res_sch_env),
           FOBJ("resources", res_sch_resources), LOBJ("resizePolicy", res_sch_resize_policy),
           FSTR("restartPolicy"), LOBJ("volumeMounts", res_sch_volume_mount),
           LOBJ("volumeDevices", res_sch_volume_device), FOBJ("livenessProbe", res_sch_probe),
           FOBJ("readinessProbe", res_sch_probe), FOBJ("startupProbe", res_sch_probe),
           FOBJ("lifecycle", res_sch_lifecycle), FSTR("terminationMessagePath"),
           FSTR("terminationMessagePolicy"), FSTR("imagePullPolicy"),
           FOBJ("securityContext", res_sch_security_context), FBOOL("stdin"), FBOOL("stdinOnce"),
           FBOOL("tty"));

RES_SCHEMA(res_sch_hostpath, FSTR("path"), FSTR("type"));
RES_SCHEMA(res_sch_empty_dir, FSTR("medium"), FQTY("sizeLimit"));
RES_SCHEMA(res_sch_secret_vol, FSTR("secretName"), LOBJ("items", res_sch_key_to_path),
           FI32("defaultMode"), FBOOL("optional"));
RES_SCHEMA(res_sch_configmap_vol, FSTR("name"), LOBJ("items", res_sch_key_to_path),
           FI32("defaultMode"), FBOOL("optional"));
RES_SCHEMA(res_sch_pvc_vol, FSTR("claimName"), FBOOL("readOnly"));
RES_SCHEMA(res_sch_downward_file, FSTR("path"), FOBJ("fieldRef", res_sch_field_ref),
           FOBJ("resourceFieldRef", res_sch_resource_field_ref), FI32("mode"));
RES_SCHEMA(res_sch_downward_vol, LOBJ("items", res_sch_downward_file), FI32("defaultMode"));
RES_SCHEMA(res_sch_projected_secret, FSTR("name"), LOBJ("items", res_sch_key_to_path),
           FBOOL("optional"));
RES_SCHEMA(res_sch_projected_downward, LOBJ("items", res_sch_downward_file));
RES_SCHEMA(res_sch_sa_token, FSTR("audience"), FI64("expirationSeconds"), FSTR("path"));
RES_SCHEMA(res_sch_projection, FOBJ("secret", res_sch_projected_secret),
           FOBJ("configMap", res_sch_projected_secret),
           FOBJ("downwardAPI", res_sch_projected_downward),
           FOBJ("serviceAccountToken", res_sch_sa_token));
RES_SCHEMA(res_sch_projected_vol, LOBJ("sources", res_sch_projection), FI32("defaultMode"));
RES_SCHEMA(res_sch_nfs, FSTR("server"), FSTR("path"), FBOOL("readOnly"));
RES_SCHEMA(res_sch_csi_vol, FSTR("driver"), FBOOL("readOnly"), FSTR("fsType"),
           MSTR("volumeAttributes"), FOBJ("nodePublishSecretRef", res_sch_local_ref));
RES_SCHEMA(res_sch_csi_pv, FSTR("driver"), FSTR("volumeHandle"), FBOOL("readOnly"), FSTR("fsType"),
           MSTR("volumeAttributes"), FOBJ("controllerPublishSecretRef", res_sch_object_ref),
           FOBJ("nodeStageSecretRef", res_sch_object_ref),
           FOBJ("nodePublishSecretRef", res_sch_object_ref),
           FOBJ("controllerExpandSecretRef", res_sch_object_ref),
           FOBJ("nodeExpandSecretRef", res_sch_object_ref));
RES_SCHEMA(res_sch_image_vol, FSTR("reference"), FSTR("pullPolicy"));

RES_SCHEMA(res_sch_volume, FSTR("name"), FOBJ("hostPath", res_sch_hostpath),
           FOBJ("emptyDir", res_sch_empty_dir), FOBJ("secret", res_sch_secret_vol),
           FOBJ("configMap", res_sch_configmap_vol), FOBJ("persistentVolumeClaim", res_sch_pvc_vol),
           FOBJ("downwardAPI", res_sch_downward_vol), FOBJ("projected", res_sch_projected_vol),
           FOBJ("nfs", res_sch_nfs), FOBJ("csi", res_sch_csi_vol),
           FOBJ("image", res_sch_image_vol));

RES_SCHEMA(res_sch_host_alias, FSTR("ip"), LSTR("hostnames"));
RES_SCHEMA(res_sch_dns_option, FSTR("name"), FSTR("value"));
RES_SCHEMA(res_sch_dns_config, LSTR("nameservers"), LSTR("searches"),
           LOBJ("options", res_sch_dns_option));
RES_SCHEMA(res_sch_readiness_gate, FSTR("conditionType"));
RES_SCHEMA(res_sch_pod_os, FSTR("name"));
RES_SCHEMA(res_sch_scheduling_gate, FSTR("name"));

RES_SCHEMA(res_sch_pod_spec, LOBJ("volumes", res_sch_volume),
           LOBJ("initContainers", res_sch_container), LOBJ("containers", res_sch_container),
           FSTR("restartPolicy"), FI64("terminationGracePeriodSeconds"),
           FI64("activeDeadlineSeconds"), FSTR("dnsPolicy"), MSTR("nodeSelector"),
           FSTR("serviceAccountName"), FSTR("serviceAccount"),
           FBOOL("automountServiceAccountToken"), FSTR("nodeName"), FBOOL("hostNetwork"),
           FBOOL("hostPID"), FBOOL("hostIPC"), FBOOL("shareProcessNamespace"),
           FOBJ("securityContext", res_sch_pod_security_context),
           LOBJ("imagePullSecrets", res_sch_local_ref), FSTR("hostname"), FSTR("subdomain"),
           FOBJ("affinity", res_sch_affinity), FSTR("schedulerName"),
           LOBJ("tolerations", res_sch_toleration), LOBJ("hostAliases", res_sch_host_alias),
           FSTR("priorityClassName"), FI32("priority"), FOBJ("dnsConfig", res_sch_dns_config),
           LOBJ("readinessGates", res_sch_readiness_gate), FSTR("runtimeClassName"),
           FBOOL("enableServiceLinks"), FSTR("preemptionPolicy"), MQTY("overhead"),
           LOBJ("topologySpreadConstraints", res_sch_topology_spread), FBOOL("setHostnameAsFQDN"),
           FOBJ("os", res_sch_pod_os), FBOOL("hostUsers"),
           LOBJ("schedulingGates", res_sch_scheduling_gate));

RES_SCHEMA(res_sch_pod_template, FOBJ("metadata", res_sch_template_meta),
           FOBJ("spec", res_sch_pod_spec));
