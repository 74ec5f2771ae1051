/* Private to agent-probe.c (probe state, hooks) and agent-probe-io.c
 * (the actions): one probe or hook action under way. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "common/buf.h"
#include "executors/agent-internal.h"
#include "executors/probe.h"

struct ssl_st;

typedef enum probe_act_kind {
        ACT_NONE = 0,
        ACT_EXEC,
        ACT_HTTP,
        ACT_TCP,
        ACT_GRPC,
        ACT_SLEEP
} probe_act_kind;
typedef enum probe_net_state { NET_CONNECT = 0, NET_TLS, NET_SEND, NET_RECV } probe_net_state;

/* One probe or hook under way. */
typedef struct probe_act {
        probe_act_kind kind;
        bool busy, done;
        exe_probe_result result;
        char *msg; /* why it failed (not yet redacted) */
        uint64_t deadline;
        uint64_t timeout_ms;
        uint64_t poll_ms; /* the last call-back interval (agent-probe.c) */
        exe_exec *ex;
        char *cmd; /* the exec command as written, for messages */
        int code;  /* exec: exit status */
        int fd;
        probe_net_state ns;
        struct ssl_st *ssl;
        tm_buf req;
        size_t sent;
        tm_buf resp;
        struct sockaddr_storage sa; /* the address probed, port included */
        char host[48];              /* its IP literal */
        int port;
        bool https;
        char path[1024];
        const res_value *headers; /* httpHeaders, into the pod object */
        int redirects;
        char *warning;   /* a success with a warning (the kubelet's ProbeWarning) */
        char addr[64];   /* "10.42.0.2:8080" */
        char *url;       /* "http://10.42.0.2:8080/healthz" */
        exe_probe_h2 h2; /* grpc */
} probe_act;

/* Starts handler h (a probe, or a lifecycle handler when !probe) against
 * container c of pod p; an action that cannot start ends at once with a
 * failure. Never blocks. */
void probe_act_start(exe_agent *a, agent_pod *p, const agent_container *c, const res_value *h,
                     bool probe, uint64_t now, uint64_t timeout_ms, probe_act *x);
/* Moves the action on without blocking; x->done once it has a result. */
void probe_act_poll(probe_act *x, uint64_t now);
/* Stops what is under way (kills an exec, closes a socket) and resets x. */
void probe_act_clear(probe_act *x);
/* An fd readable when x has news (exec output or exit, a response), or -1
 * when only a timer will do. */
int probe_act_fd(const probe_act *x);
