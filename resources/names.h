/* Kubernetes name and key validation
 * (k8s.io/apimachinery/pkg/util/validation). Each returns NULL when s is
 * valid, or a static message in Kubernetes' words. */
#pragma once

const char *res_check_dns1123_subdomain(const char *s); /* most object names, <= 253 */
const char *res_check_dns1123_label(const char *s);  /* Namespace, container, port names, <= 63 */
const char *res_check_dns1035_label(const char *s);  /* Service names, <= 63 */
const char *res_check_iana_svc_name(const char *s);  /* named ports, <= 15 */
const char *res_check_qualified_name(const char *s); /* label and annotation keys */
const char *res_check_label_value(const char *s);    /* <= 63, may be empty */
const char *res_check_config_key(const char *s);     /* ConfigMap/Secret data keys */
const char *res_check_env_var_name(const char *s);
const char *res_check_path_segment(const char *s); /* volume item paths: no "..", not absolute */
