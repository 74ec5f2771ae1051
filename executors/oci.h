/* OCI runtime config (config.json) for one container of a pod. */
#pragma once

#include "common/error.h"
#include "executors/runtime.h"

/* The default capability set (containerd's), "CAP_" names. */
extern const char *const exe_oci_default_caps[];

/* What the node offers that changes the config. */
typedef struct exe_oci_host {
        const char *cgroup_mode; /* "v1", "v2" or "hybrid" (v2 gets a cgroup namespace) */
        bool swap;               /* swap accounting: memory.swap set to the limit */
} exe_oci_host;

/* Builds config.json text for spec (caller frees *out). Seccomp: none yet. */
int exe_oci_config_host(const exe_container_spec *spec, const exe_oci_host *host, char **out,
                        tm_error *err);
/* The same with swap accounting assumed. */
int exe_oci_config(const exe_container_spec *spec, const char *cgroup_mode, char **out,
                   tm_error *err);
/* Normalises a capability name ("net_admin", "NET_ADMIN", "CAP_NET_ADMIN")
 * to "CAP_NET_ADMIN" in buf; -EINVAL when unknown. */
int exe_oci_cap_name(const char *in, char *buf, size_t len, tm_error *err);
