/* Probe logic that needs no process or socket, after the kubelet
 * (pkg/kubelet/prober, pkg/probe/http): the threshold state machine, the
 * HTTP probe's request and status line, and the redaction of secret
 * values in what a probe or hook prints. The I/O is in agent-probe.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "resources/value.h"

/* Response bytes read (HTTP) or output kept (exec), as the kubelet's cap. */
#define EXE_PROBE_READ_MAX (10 * 1024)
#define EXE_PROBE_USER_AGENT "kube-probe/1.29"

typedef enum exe_probe_result {
        EXE_PROBE_UNKNOWN = 0,
        EXE_PROBE_SUCCESS,
        EXE_PROBE_FAILURE,
} exe_probe_result;

typedef struct exe_probe_state {
        exe_probe_result result; /* the result in force */
        exe_probe_result last;   /* the last outcome */
        uint32_t run;            /* consecutive outcomes equal to last */
} exe_probe_state;

/* A new container: readiness starts as failure, liveness as success,
 * startup as unknown. */
void exe_probe_state_init(exe_probe_state *s, exe_probe_result initial);
/* Counts one outcome; the result in force changes only after threshold
 * equal outcomes in a row (thresholds below 1 count as 1). Returns true
 * when it changed. */
bool exe_probe_record(exe_probe_state *s, exe_probe_result r, int64_t success_threshold,
                      int64_t failure_threshold);

/* The GET request of an httpGet probe or hook: path ("/" prepended when
 * missing), Host host_port unless headers (a seq of {name, value}) name
 * one, User-Agent and Accept likewise, "Connection: close". -EINVAL when
 * the path or a header holds a control character (no request smuggling). */
int exe_probe_http_request(tm_buf *out, const char *host_port, const char *path,
                           const res_value *headers);
/* Parses "HTTP/1.x NNN ..." at the start of buf: 0 with *code when the
 * status line is complete, -EAGAIN when more bytes are needed, -EPROTO
 * when it is not an HTTP response. */
int exe_probe_http_status(const char *buf, size_t len, int *code);
/* The kubelet's verdict: 200 <= code < 400 is a success. */
bool exe_probe_http_ok(int code);
/* True once the response's header block is complete. */
bool exe_probe_http_headers_done(const char *buf, size_t len);

/* A copy of s (len bytes) with every occurrence of each secret value
 * replaced by "[redacted]" and control characters other than newline and
 * tab as '?'; values shorter than 4 bytes are left (they would hide
 * everything). Caller frees; NUL-terminated. */
char *exe_probe_redact(const char *s, size_t len, const char *const *secrets, const size_t *lens,
                       size_t n);

/* gRPC health checks (grpc.health.v1.Health/Check, as the kubelet's grpc
 * probe) over cleartext HTTP/2 (h2c with prior knowledge). */
#define EXE_PROBE_H2_FRAME_MAX 16384 /* SETTINGS_MAX_FRAME_SIZE's default */

/* The bytes a client sends: preface, SETTINGS, HEADERS and DATA of one
 * request on stream 1 (service "" asks for the server as a whole). */
void exe_probe_grpc_request(tm_buf *out, const char *authority, const char *service);

typedef struct exe_probe_h2 {
        size_t off;            /* response bytes consumed */
        bool settings_ack_due; /* the peer sent SETTINGS: send one ACK frame */
        bool ended;            /* stream 1 is over (END_STREAM, RST_STREAM or GOAWAY) */
        bool have_msg;
        uint8_t msg[64]; /* the first bytes of the response's DATA */
        size_t msg_len;
        uint32_t rst_code; /* RST_STREAM or GOAWAY error code */
        bool reset;
} exe_probe_h2;

/* An HTTP/2 SETTINGS frame with the ACK flag. */
extern const char exe_probe_h2_settings_ack[9];
/* Consumes the complete frames of buf[h->off, len); -EAGAIN when stream
 * 1 is not over yet, 0 when it is, -EPROTO for a frame over the limit. */
int exe_probe_h2_parse(exe_probe_h2 *h, const char *buf, size_t len);
/* The serving status in the response message: 0 UNKNOWN, 1 SERVING,
 * 2 NOT_SERVING, 3 SERVICE_UNKNOWN; -1 when there is no message. */
int exe_probe_grpc_status(const exe_probe_h2 *h);
/* "SERVING", "NOT_SERVING", ... for a status. */
const char *exe_probe_grpc_status_name(int status);

/* Where an HTTP probe goes next after a 3xx, as the kubelet's client: to
 * the response's Location (an absolute URL or a path) while it stays on
 * the same host name. */
typedef struct exe_probe_url {
        bool https;
        int port;
        char path[1024];
} exe_probe_url;
/* 0 with *next filled; -EXDEV when Location names another host (the
 * kubelet stops there: a success with a warning); -ENOENT when there is
 * no usable Location. host is the IP literal probed (no brackets). */
int exe_probe_http_redirect(const char *resp, size_t len, const char *host,
                            const exe_probe_url *cur, exe_probe_url *next);
