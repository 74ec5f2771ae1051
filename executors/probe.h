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
