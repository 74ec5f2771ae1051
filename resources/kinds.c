/* The supported kinds, and kind look-up the way `kubectl get` accepts
 * names. */
#include <string.h>
#include <strings.h>

#include "resources/object-internal.h"

static const res_kind_info kinds[] = {
    {"Namespace", "", "v1", "namespaces", "namespace", "ns", false, 0},
    {"StorageClass", "storage.k8s.io", "v1", "storageclasses", "storageclass", "sc", false, 10},
    {"PersistentVolume", "", "v1", "persistentvolumes", "persistentvolume", "pv", false, 11},
    {"PersistentVolumeClaim", "", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "pvc",
     true, 12},
    {"ConfigMap", "", "v1", "configmaps", "configmap", "cm", true, 13},
    {"Secret", "", "v1", "secrets", "secret", "", true, 14},
    {"Service", "", "v1", "services", "service", "svc", true, 20},
    {"Pod", "", "v1", "pods", "pod", "po", true, 30},
    {"ReplicaSet", "apps", "v1", "replicasets", "replicaset", "rs", true, 31},
    {"Deployment", "apps", "v1", "deployments", "deployment", "deploy", true, 32},
    {"DaemonSet", "apps", "v1", "daemonsets", "daemonset", "ds", true, 33},
};

static const char *const api_versions[] = {
    "v1", "storage.k8s.io/v1", "v1", "v1", "v1", "v1", "v1", "v1", "apps/v1", "apps/v1", "apps/v1",
};

_Static_assert(sizeof(kinds) / sizeof(kinds[0]) == sizeof(api_versions) / sizeof(api_versions[0]),
               "one apiVersion per kind");

size_t
res_kind_count(void)
{
        return sizeof(kinds) / sizeof(kinds[0]);
}

const res_kind_info *
res_kind_at(size_t i)
{
        return i < res_kind_count() ? &kinds[i] : NULL;
}

const char *
res_kind_api_version(const res_kind_info *k)
{
        return api_versions[k - kinds];
}

static bool
short_name_match(const char *list, const char *name)
{
        size_t n = strlen(name);
        const char *p = list;
        while (*p) {
                const char *e = strchr(p, ',');
                size_t len = e ? (size_t)(e - p) : strlen(p);
                if (len == n && strncasecmp(p, name, n) == 0)
                        return true;
                if (!e)
                        break;
                p = e + 1;
        }
        return false;
}

static const res_kind_info *
lookup_plain(const char *name, size_t n, const char *group)
{
        for (size_t i = 0; i < res_kind_count(); i++) {
                const res_kind_info *k = &kinds[i];
                if (group && strcasecmp(group, k->group) != 0)
                        continue;
                if ((strlen(k->kind) == n && strncasecmp(k->kind, name, n) == 0) ||
                    (strlen(k->plural) == n && strncasecmp(k->plural, name, n) == 0) ||
                    (strlen(k->singular) == n && strncasecmp(k->singular, name, n) == 0))
                        return k;
        }
        char buf[64];
        if (n >= sizeof(buf))
                return NULL;
        memcpy(buf, name, n);
        buf[n] = '\0';
        for (size_t i = 0; i < res_kind_count(); i++)
                if ((!group || strcasecmp(group, kinds[i].group) == 0) &&
                    short_name_match(kinds[i].short_names, buf))
                        return &kinds[i];
        return NULL;
}

const res_kind_info *
res_kind_lookup(const char *name)
{
        if (!name || !*name)
                return NULL;
        const res_kind_info *k = lookup_plain(name, strlen(name), NULL);
        if (k)
                return k;
        /* "deployments.apps", "deployment.v1.apps", "storageclasses.storage.k8s.io" */
        const char *dot = strchr(name, '.');
        if (!dot)
                return NULL;
        const char *group = dot + 1;
        if (strncasecmp(group, "v1.", 3) == 0)
                group += 3;
        else if (strcasecmp(group, "v1") == 0)
                group = "";
        return lookup_plain(name, (size_t)(dot - name), group);
}

const res_kind_info *
res_kind_find(const char *group, const char *kind)
{
        if (!kind)
                return NULL;
        for (size_t i = 0; i < res_kind_count(); i++)
                if (strcmp(kinds[i].kind, kind) == 0 &&
                    strcmp(kinds[i].group, group ? group : "") == 0)
                        return &kinds[i];
        return NULL;
}
