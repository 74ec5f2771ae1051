/* Semantic checks of a pod spec's placement (pkg/apis/core/validation):
 * node and pod affinity, topology spread, host port conflicts. */
#include <string.h>

#include "resources/object-internal.h"

#define L(...) ((const char *const[]){__VA_ARGS__, NULL})

static const res_value *
get(const res_value *m, const char *k)
{
        return res_map_get(m, k);
}

static const char *
str(const res_value *m, const char *k)
{
        const res_value *v = get(m, k);
        return v && v->type == RES_STR ? v->u.s : NULL;
}

static size_t
seq_n(const res_value *v)
{
        return v && v->type == RES_SEQ ? v->n : 0;
}

static void
check_node_terms(res_vctx *c, const res_value *terms)
{
        for (uint32_t i = 0; i < seq_n(terms); i++) {
                size_t old = res_vc_push_index(c, i);
                static const char *const lists[] = {"matchExpressions", "matchFields"};
                for (size_t k = 0; k < 2; k++) {
                        const res_value *reqs = get(terms->u.items[i], lists[k]);
                        size_t o2 = res_vc_push(c, lists[k]);
                        for (uint32_t j = 0; j < seq_n(reqs); j++) {
                                const res_value *r = reqs->u.items[j];
                                size_t o3 = res_vc_push_index(c, j);
                                if (!str(r, "key") || !*str(r, "key"))
                                        res_vc_required(c, "key", r, NULL);
                                if (!get(r, "operator"))
                                        res_vc_required(c, "operator", r, NULL);
                                res_vc_enum(c, r, "operator",
                                            L("DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"));
                                res_vc_pop(c, o3);
                        }
                        res_vc_pop(c, o2);
                }
                res_vc_pop(c, old);
        }
}

static void
check_affinity(res_vctx *c, const res_value *aff)
{
        const res_value *na = get(aff, "nodeAffinity");
        if (na) {
                size_t old = res_vc_push(c, "nodeAffinity");
                const res_value *req = get(na, "requiredDuringSchedulingIgnoredDuringExecution");
                if (req) {
                        size_t o2 =
                            res_vc_push(c, "requiredDuringSchedulingIgnoredDuringExecution");
                        if (seq_n(get(req, "nodeSelectorTerms")) == 0)
                                res_vc_required(c, "nodeSelectorTerms", req,
                                                "must have at least one node selector term");
                        size_t o3 = res_vc_push(c, "nodeSelectorTerms");
                        check_node_terms(c, get(req, "nodeSelectorTerms"));
                        res_vc_pop(c, o3);
                        res_vc_pop(c, o2);
                }
                const res_value *pref = get(na, "preferredDuringSchedulingIgnoredDuringExecution");
                for (uint32_t i = 0; i < seq_n(pref); i++) {
                        size_t o2 =
                            res_vc_push(c, "preferredDuringSchedulingIgnoredDuringExecution");
                        size_t o3 = res_vc_push_index(c, i);
                        res_vc_range(c, pref->u.items[i], "weight", 1, 100);
                        res_vc_pop(c, o3);
                        res_vc_pop(c, o2);
                }
                res_vc_pop(c, old);
        }
        static const char *const pas[] = {"podAffinity", "podAntiAffinity"};
        for (size_t k = 0; k < 2; k++) {
                const res_value *pa = get(aff, pas[k]);
                if (!pa)
                        continue;
                size_t old = res_vc_push(c, pas[k]);
                const res_value *req = get(pa, "requiredDuringSchedulingIgnoredDuringExecution");
                for (uint32_t i = 0; i < seq_n(req); i++) {
                        size_t o2 =
                            res_vc_push(c, "requiredDuringSchedulingIgnoredDuringExecution");
                        size_t o3 = res_vc_push_index(c, i);
                        const res_value *t = req->u.items[i];
                        if (!str(t, "topologyKey") || !*str(t, "topologyKey"))
                                res_vc_required(c, "topologyKey", t, "can not be empty");
                        res_vc_pop(c, o3);
                        res_vc_pop(c, o2);
                }
                const res_value *pref = get(pa, "preferredDuringSchedulingIgnoredDuringExecution");
                for (uint32_t i = 0; i < seq_n(pref); i++) {
                        size_t o2 =
                            res_vc_push(c, "preferredDuringSchedulingIgnoredDuringExecution");
                        size_t o3 = res_vc_push_index(c, i);
                        const res_value *w = pref->u.items[i];
                        res_vc_range(c, w, "weight", 1, 100);
                        const res_value *t = get(w, "podAffinityTerm");
                        if (!t)
                                res_vc_required(c, "podAffinityTerm", w, NULL);
                        else if (!str(t, "topologyKey") || !*str(t, "topologyKey"))
                                res_vc_required(c, "podAffinityTerm.topologyKey", t,
                                                "can not be empty");
                        res_vc_pop(c, o3);
                        res_vc_pop(c, o2);
                }
                res_vc_pop(c, old);
        }
}

/* Two containers of a pod cannot bind the same host port and protocol. */
static void
check_host_ports(res_vctx *c, const res_value *ctrs)
{
        for (uint32_t i = 0; i < seq_n(ctrs); i++) {
                const res_value *ports = get(ctrs->u.items[i], "ports");
                for (uint32_t j = 0; j < seq_n(ports); j++) {
                        const res_value *hp = get(ports->u.items[j], "hostPort");
                        if (!hp || hp->type != RES_INT || hp->u.i == 0)
                                continue;
                        const char *proto = str(ports->u.items[j], "protocol");
                        proto = proto ? proto : "TCP";
                        bool dup = false;
                        for (uint32_t a = 0; a <= i && !dup; a++) {
                                const res_value *ps = get(ctrs->u.items[a], "ports");
                                for (uint32_t b = 0; b < seq_n(ps) && !dup; b++) {
                                        if (a == i && b >= j)
                                                break;
                                        const res_value *o = get(ps->u.items[b], "hostPort");
                                        const char *op = str(ps->u.items[b], "protocol");
                                        dup = o && o->type == RES_INT && o->u.i == hp->u.i &&
                                              strcmp(op ? op : "TCP", proto) == 0;
                                }
                        }
                        if (dup) {
                                size_t old = res_vc_push(c, "containers");
                                size_t o2 = res_vc_push_index(c, i);
                                size_t o3 = res_vc_push(c, "ports");
                                size_t o4 = res_vc_push_index(c, j);
                                res_vc_err_key(c, "hostPort", hp->line, hp->col,
                                               "Duplicate value: \"%lld/%s\"", (long long)hp->u.i,
                                               proto);
                                res_vc_pop(c, o4);
                                res_vc_pop(c, o3);
                                res_vc_pop(c, o2);
                                res_vc_pop(c, old);
                        }
                }
        }
}

void
res_validate_pod_scheduling(res_vctx *c, const res_value *spec)
{
        check_host_ports(c, get(spec, "containers"));
        const res_value *aff = get(spec, "affinity");
        if (aff) {
                size_t o = res_vc_push(c, "affinity");
                check_affinity(c, aff);
                res_vc_pop(c, o);
        }
        const res_value *tsc = get(spec, "topologySpreadConstraints");
        for (uint32_t i = 0; i < seq_n(tsc); i++) {
                const res_value *t = tsc->u.items[i];
                size_t o = res_vc_push(c, "topologySpreadConstraints");
                size_t o2 = res_vc_push_index(c, i);
                if (!get(t, "maxSkew"))
                        res_vc_required(c, "maxSkew", t, NULL);
                const res_value *ms = get(t, "maxSkew");
                if (ms && ms->type == RES_INT && ms->u.i < 1)
                        res_vc_invalid(c, "maxSkew", ms, "must be greater than zero");
                if (!str(t, "topologyKey") || !*str(t, "topologyKey"))
                        res_vc_required(c, "topologyKey", t, "can not be empty");
                if (!get(t, "whenUnsatisfiable"))
                        res_vc_required(c, "whenUnsatisfiable", t, NULL);
                res_vc_enum(c, t, "whenUnsatisfiable", L("DoNotSchedule", "ScheduleAnyway"));
                res_vc_pop(c, o2);
                res_vc_pop(c, o);
        }
}
