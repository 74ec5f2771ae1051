/* Probe logic without processes or sockets: the kubelet's threshold
 * state machine, the HTTP probe request and status line, redaction. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/mem.h"
#include "common/util.h"
#include "executors/probe.h"
#include "executors/runtime.h"

static void
test_readiness_thresholds(void **state)
{
        (void)state;
        exe_probe_state s;
        exe_probe_state_init(&s, EXE_PROBE_FAILURE);
        /* successThreshold 2: one success changes nothing, two do. */
        assert_false(exe_probe_record(&s, EXE_PROBE_SUCCESS, 2, 3));
        assert_int_equal(s.result, EXE_PROBE_FAILURE);
        assert_true(exe_probe_record(&s, EXE_PROBE_SUCCESS, 2, 3));
        assert_int_equal(s.result, EXE_PROBE_SUCCESS);
        assert_false(exe_probe_record(&s, EXE_PROBE_SUCCESS, 2, 3));
        /* failureThreshold 3: a failure between resets the run. */
        assert_false(exe_probe_record(&s, EXE_PROBE_FAILURE, 2, 3));
        assert_false(exe_probe_record(&s, EXE_PROBE_FAILURE, 2, 3));
        assert_false(exe_probe_record(&s, EXE_PROBE_SUCCESS, 2, 3));
        assert_false(exe_probe_record(&s, EXE_PROBE_FAILURE, 2, 3));
        assert_false(exe_probe_record(&s, EXE_PROBE_FAILURE, 2, 3));
        assert_int_equal(s.result, EXE_PROBE_SUCCESS);
        assert_true(exe_probe_record(&s, EXE_PROBE_FAILURE, 2, 3));
        assert_int_equal(s.result, EXE_PROBE_FAILURE);
        assert_int_equal(s.run, 3);
}

static void
test_liveness_and_startup_initial(void **state)
{
        (void)state;
        exe_probe_state s;
        exe_probe_state_init(&s, EXE_PROBE_SUCCESS); /* liveness */
        assert_false(exe_probe_record(&s, EXE_PROBE_SUCCESS, 1, 1));
        assert_true(exe_probe_record(&s, EXE_PROBE_FAILURE, 1, 1));
        exe_probe_state_init(&s, EXE_PROBE_UNKNOWN); /* startup */
        assert_false(exe_probe_record(&s, EXE_PROBE_FAILURE, 1, 30));
        assert_int_equal(s.result, EXE_PROBE_UNKNOWN);
        assert_true(exe_probe_record(&s, EXE_PROBE_SUCCESS, 1, 30));
        /* Thresholds below 1 act as 1. */
        exe_probe_state_init(&s, EXE_PROBE_FAILURE);
        assert_true(exe_probe_record(&s, EXE_PROBE_SUCCESS, 0, 0));
        assert_true(exe_probe_record(&s, EXE_PROBE_FAILURE, 0, -5));
}

static void
status(const char *resp, int want_rc, int want_code)
{
        int code = -1;
        int rc = exe_probe_http_status(resp, strlen(resp), &code);
        if (rc != want_rc)
                fail_msg("\"%s\": rc %d, want %d", resp, rc, want_rc);
        if (rc == 0 && code != want_code)
                fail_msg("\"%s\": code %d, want %d", resp, code, want_code);
}

static void
test_http_status(void **state)
{
        (void)state;
        status("HTTP/1.1 200 OK\r\n", 0, 200);
        status("HTTP/1.0 500 Internal Server Error\r\nServer: x\r\n\r\n", 0, 500);
        status("HTTP/1.1 404\r\n", 0, 404);
        status("HTTP/1.1 302 Found\n", 0, 302);
        status("HTTP/1.1 200 OK", -EAGAIN, 0);
        status("HTTP/1.", -EAGAIN, 0);
        status("", -EAGAIN, 0);
        status("HTTX/1.1 200 OK\r\n", -EPROTO, 0);
        status("SSH-2.0-OpenSSH\r\n", -EPROTO, 0);
        status("HTTP/1.1 2x0 OK\r\n", -EPROTO, 0);
        status("HTTP/1.1 2000 OK\r\n", -EPROTO, 0);
        status("HTTP/1.1 099 Low\r\n", -EPROTO, 0);
        status("HTTP/2.0 200 OK\r\n", -EPROTO, 0);
        status("HTTP/1.1 20\r\n", -EPROTO, 0);
        /* A status line that never ends is not waited for forever. */
        char big[700];
        memset(big, 'a', sizeof(big));
        memcpy(big, "HTTP/1.1 200 ", 13);
        int code;
        assert_int_equal(exe_probe_http_status(big, sizeof(big), &code), -EPROTO);
        assert_true(exe_probe_http_ok(200));
        assert_true(exe_probe_http_ok(399));
        assert_false(exe_probe_http_ok(400));
        assert_false(exe_probe_http_ok(500));
        assert_false(exe_probe_http_ok(199));
        assert_true(exe_probe_http_headers_done("HTTP/1.1 200 OK\r\nA: b\r\n\r\n", 25));
        assert_false(exe_probe_http_headers_done("HTTP/1.1 200 OK\r\nA: b\r\n", 23));
}

static res_value *
header(const char *name, const char *value)
{
        res_value *m = res_map_new();
        res_map_set(m, "name", res_str_new(name));
        res_map_set(m, "value", res_str_new(value));
        return m;
}

static void
test_http_request(void **state)
{
        (void)state;
        tm_buf b = TM_BUF_INIT;
        assert_int_equal(exe_probe_http_request(&b, "10.42.0.2:8080", "healthz", NULL), 0);
        assert_string_equal(b.data, "GET /healthz HTTP/1.1\r\nHost: 10.42.0.2:8080\r\n"
                                    "User-Agent: kube-probe/1.29\r\nAccept: */*\r\n"
                                    "Connection: close\r\n\r\n");
        tm_buf_reset(&b);
        res_value *h = res_seq_new();
        res_seq_push(h, header("host", "example.org"));
        res_seq_push(h, header("X-Custom", "yes"));
        res_seq_push(h, header("Accept", "text/plain"));
        assert_int_equal(exe_probe_http_request(&b, "10.42.0.2:80", "/a?b=c", h), 0);
        assert_string_equal(b.data, "GET /a?b=c HTTP/1.1\r\nHost: example.org\r\n"
                                    "User-Agent: kube-probe/1.29\r\n"
                                    "X-Custom: yes\r\nAccept: text/plain\r\n"
                                    "Connection: close\r\n\r\n");
        tm_buf_reset(&b);
        /* No request smuggling through a path or a header. */
        assert_int_equal(exe_probe_http_request(&b, "h:1", "/x HTTP/1.1\r\nEvil: 1", NULL),
                         -EINVAL);
        res_value *bad = res_seq_new();
        res_seq_push(bad, header("X", "a\r\nEvil: 1"));
        assert_int_equal(exe_probe_http_request(&b, "h:1", "/", bad), -EINVAL);
        res_value *bad2 = res_seq_new();
        res_seq_push(bad2, header("X: y", "a"));
        assert_int_equal(exe_probe_http_request(&b, "h:1", "/", bad2), -EINVAL);
        assert_int_equal(b.len, 0);
        res_value_free(h);
        res_value_free(bad);
        res_value_free(bad2);
        tm_buf_free(&b);
}

static void
test_redact(void **state)
{
        (void)state;
        const char *secrets[] = {"hunter22", "abc", "hunter2"};
        size_t lens[] = {8, 3, 7};
        const char in[] = "pw=hunter22 and hunter2, abc\x01\n";
        char *out = exe_probe_redact(in, sizeof(in) - 1, secrets, lens, 3);
        assert_string_equal(out, "pw=[redacted] and [redacted], abc?\n");
        free(out);
        /* A NUL in the middle of the output is kept out of the string. */
        out = exe_probe_redact("a\0b", 3, secrets, lens, 0);
        assert_int_equal(strlen(out), 3);
        assert_string_equal(out, "a?b");
        free(out);
        out = exe_probe_redact("", 0, NULL, NULL, 0);
        assert_string_equal(out, "");
        free(out);
}

static void
frame(tm_buf *b, uint8_t type, uint8_t flags, uint32_t stream, const void *p, size_t n)
{
        uint8_t h[9] = {(uint8_t)(n >> 16),
                        (uint8_t)(n >> 8),
                        (uint8_t)n,
                        type,
                        flags,
                        (uint8_t)(stream >> 24),
                        (uint8_t)(stream >> 16),
                        (uint8_t)(stream >> 8),
                        (uint8_t)stream};
        tm_buf_append(b, h, 9);
        if (n)
                tm_buf_append(b, p, n);
}

static void
test_grpc_request(void **state)
{
        (void)state;
        tm_buf b = TM_BUF_INIT;
        exe_probe_grpc_request(&b, "10.42.0.9:9000", "web");
        const char *pre = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
        assert_true(b.len > 24 + 9 * 3);
        assert_memory_equal(b.data, pre, 24);
        const uint8_t *u = (const uint8_t *)b.data + 24;
        /* SETTINGS (ENABLE_PUSH 0) on stream 0. */
        assert_int_equal(u[2], 6);
        assert_int_equal(u[3], 0x4);
        assert_int_equal(u[8], 0);
        u += 9 + 6;
        /* HEADERS, END_HEADERS, stream 1: POST and http from the static
         * table, the path as a literal. */
        size_t hl = (size_t)u[0] << 16 | (size_t)u[1] << 8 | u[2];
        assert_int_equal(u[3], 0x1);
        assert_int_equal(u[4], 0x4);
        assert_int_equal(u[8], 1);
        assert_int_equal(u[9], 0x83);
        assert_int_equal(u[10], 0x86);
        assert_int_equal(u[11], 0x04);
        assert_int_equal(u[12], 28);
        assert_memory_equal(u + 13, "/grpc.health.v1.Health/Check", 28);
        assert_non_null(memmem(u + 9, hl, "application/grpc", 16));
        assert_non_null(memmem(u + 9, hl, "10.42.0.9:9000", 14));
        assert_non_null(memmem(u + 9, hl, "trailers", 8));
        u += 9 + hl;
        /* DATA, END_STREAM: [0][len 5][0x0a 3 "web"]. */
        assert_int_equal(u[2], 10);
        assert_int_equal(u[3], 0x0);
        assert_int_equal(u[4], 0x1);
        static const uint8_t msg[10] = {0, 0, 0, 0, 5, 0x0a, 3, 'w', 'e', 'b'};
        assert_memory_equal(u + 9, msg, 10);
        assert_int_equal((size_t)(u + 19 - (const uint8_t *)b.data), b.len);
        /* No service: an empty message. */
        tm_buf_reset(&b);
        exe_probe_grpc_request(&b, "a:1", "");
        static const uint8_t empty[5] = {0, 0, 0, 0, 0};
        assert_memory_equal(b.data + b.len - 5, empty, 5);
        tm_buf_free(&b);
}

static int
parse_all(tm_buf *b, exe_probe_h2 *h, size_t step)
{
        /* Fed in pieces, as a socket gives it. */
        memset(h, 0, sizeof(*h));
        int r = -EAGAIN;
        for (size_t n = step; r == -EAGAIN; n += step) {
                r = exe_probe_h2_parse(h, b->data, n < b->len ? n : b->len);
                if (n >= b->len)
                        break;
        }
        return r;
}

static void
test_grpc_response(void **state)
{
        (void)state;
        tm_buf b = TM_BUF_INIT;
        static const uint8_t settings[6] = {0, 3, 0, 0, 0, 100};
        static const uint8_t hdrs[2] = {0x88, 0x5f}; /* not decoded */
        static const uint8_t serving[7] = {0, 0, 0, 0, 2, 0x08, 0x01};
        static const uint8_t not_serving[7] = {0, 0, 0, 0, 2, 0x08, 0x02};
        static const uint8_t unknown_msg[5] = {0, 0, 0, 0, 0};
        frame(&b, 0x4, 0, 0, settings, 6);
        frame(&b, 0x8, 0, 0, "\0\0\0\1", 4); /* WINDOW_UPDATE */
        frame(&b, 0x1, 0x4, 1, hdrs, 2);
        frame(&b, 0x0, 0, 1, serving, 7);
        frame(&b, 0x1, 0x5, 1, hdrs, 2); /* trailers, END_STREAM */
        exe_probe_h2 h;
        for (size_t step = 1; step < 20; step += 6) {
                assert_int_equal(parse_all(&b, &h, step), 0);
                assert_true(h.settings_ack_due);
                assert_int_equal(exe_probe_grpc_status(&h), 1);
                assert_false(h.reset);
        }
        assert_string_equal(exe_probe_grpc_status_name(1), "SERVING");
        /* NOT_SERVING, padded. */
        tm_buf_reset(&b);
        uint8_t padded[1 + 7 + 3] = {3};
        memcpy(padded + 1, not_serving, 7);
        frame(&b, 0x0, 0x8 | 0x1, 1, padded, sizeof(padded));
        assert_int_equal(parse_all(&b, &h, 4), 0);
        assert_int_equal(exe_probe_grpc_status(&h), 2);
        assert_string_equal(exe_probe_grpc_status_name(2), "NOT_SERVING");
        /* An empty message is UNKNOWN (proto3 default). */
        tm_buf_reset(&b);
        frame(&b, 0x0, 0x1, 1, unknown_msg, 5);
        assert_int_equal(parse_all(&b, &h, 100), 0);
        assert_int_equal(exe_probe_grpc_status(&h), 0);
        /* Trailers only (Unimplemented): no message. */
        tm_buf_reset(&b);
        frame(&b, 0x1, 0x5, 1, hdrs, 2);
        assert_int_equal(parse_all(&b, &h, 100), 0);
        assert_int_equal(exe_probe_grpc_status(&h), -1);
        /* RST_STREAM and GOAWAY end the stream with a code. */
        tm_buf_reset(&b);
        frame(&b, 0x3, 0, 1, "\0\0\0\x07", 4);
        assert_int_equal(parse_all(&b, &h, 100), 0);
        assert_true(h.reset);
        assert_int_equal(h.rst_code, 7);
        tm_buf_reset(&b);
        frame(&b, 0x7, 0, 0, "\0\0\0\0\0\0\0\x01", 8);
        assert_int_equal(parse_all(&b, &h, 100), 0);
        assert_int_equal(h.rst_code, 1);
        /* Frames of other streams do not count; an unfinished stream waits. */
        tm_buf_reset(&b);
        frame(&b, 0x0, 0x1, 3, serving, 7);
        frame(&b, 0x0, 0, 1, serving, 7);
        assert_int_equal(parse_all(&b, &h, 100), -EAGAIN);
        assert_int_equal(exe_probe_grpc_status(&h), 1);
        /* A frame over the limit, or padding longer than the frame. */
        tm_buf_reset(&b);
        static const uint8_t big[9] = {0x01, 0, 0, 0, 0, 0, 0, 0, 1};
        tm_buf_append(&b, big, 9);
        memset(&h, 0, sizeof(h));
        assert_int_equal(exe_probe_h2_parse(&h, b.data, b.len), -EPROTO);
        tm_buf_reset(&b);
        frame(&b, 0x0, 0x8, 1, "\x09\0", 2);
        memset(&h, 0, sizeof(h));
        assert_int_equal(exe_probe_h2_parse(&h, b.data, b.len), -EPROTO);
        /* Garbage for a message. */
        memset(&h, 0, sizeof(h));
        h.have_msg = true;
        h.msg_len = 3;
        assert_int_equal(exe_probe_grpc_status(&h), -1);
        tm_buf_free(&b);
}

/* The user of `exec` (probes, hooks, `timone exec`) comes from the
 * container's bundle: runAsUser, runAsGroup, groups, cwd. */
static void
test_container_user(void **state)
{
        (void)state;
        char tmpl[] = "/tmp/test_probe.XXXXXX";
        char *dir = mkdtemp(tmpl);
        assert_non_null(dir);
        _cleanup_free_ char *cdir = xasprintf("%s/pods/u-1234/containers/web", dir);
        tm_error err = {0};
        assert_int_equal(tm_mkdir_p(cdir, 0700, &err), 0);
        _cleanup_free_ char *cfg = xasprintf("%s/config.json", cdir);
        const char *json = "{\"process\": {\"user\": {\"uid\": 1234, \"gid\": 2345, "
                           "\"additionalGids\": [7, 8]}, \"cwd\": \"/srv\", "
                           "\"noNewPrivileges\": true}}";
        assert_int_equal(tm_file_write_atomic(cfg, json, strlen(json), 0600, &err), 0);
        exe_container_user u;
        assert_int_equal(exe_container_user_get(dir, "u-1234", "web", &u, &err), 0);
        assert_int_equal(u.uid, 1234);
        assert_int_equal(u.gid, 2345);
        assert_int_equal(u.n_gids, 2);
        assert_int_equal(u.gids[1], 8);
        assert_string_equal(u.cwd, "/srv");
        assert_true(u.no_new_privileges);
        const char *av[8];
        char *owned[4];
        size_t k = 0, n_owned = 0;
        exe_container_user_args(&u, true, av, &k, owned, &n_owned);
        assert_int_equal(k, 4);
        assert_string_equal(av[0], "--user=1234:2345");
        assert_string_equal(av[1], "--additional-gids=7,8");
        assert_string_equal(av[2], "--cwd=/srv");
        assert_string_equal(av[3], "--no-new-privs");
        for (size_t i = 0; i < n_owned; i++)
                free(owned[i]);
        k = n_owned = 0;
        exe_container_user_args(&u, false, av, &k, owned, &n_owned); /* crun: no groups flag */
        assert_int_equal(k, 3);
        assert_string_equal(av[1], "--cwd=/srv");
        for (size_t i = 0; i < n_owned; i++)
                free(owned[i]);
        /* Names are path components: no way out of the state directory. */
        assert_true(exe_container_user_get(dir, "u-1234", "../web", &u, &err) < 0);
        assert_true(exe_container_user_get(dir, "..", "web", &u, &err) < 0);
        /* No bundle, or one without a user: an error, never root. */
        assert_true(exe_container_user_get(dir, "u-1234", "db", &u, &err) < 0);
        assert_int_equal(tm_file_write_atomic(cfg, "{}", 2, 0600, &err), 0);
        assert_true(exe_container_user_get(dir, "u-1234", "web", &u, &err) < 0);
        assert_int_equal(tm_rm_rf(dir, &err), 0);
}

static int
redirect(const char *loc_header, const char *host, exe_probe_url *next)
{
        exe_probe_url cur = {false, 8080, "/app/health"};
        char resp[1400];
        snprintf(resp, sizeof(resp), "HTTP/1.1 302 Found\r\nServer: x\r\n%s\r\n\r\nbody",
                 loc_header);
        memset(next, 0, sizeof(*next));
        return exe_probe_http_redirect(resp, strlen(resp), host, &cur, next);
}

static void
test_http_redirect(void **state)
{
        (void)state;
        exe_probe_url n;
        assert_int_equal(redirect("Location: /healthz", "10.42.0.2", &n), 0);
        assert_false(n.https);
        assert_int_equal(n.port, 8080);
        assert_string_equal(n.path, "/healthz");
        assert_int_equal(redirect("location:   other?x=1  ", "10.42.0.2", &n), 0);
        assert_string_equal(n.path, "/app/other?x=1");
        /* Same host, another scheme or port: followed. */
        assert_int_equal(redirect("Location: https://10.42.0.2/secure#frag", "10.42.0.2", &n), 0);
        assert_true(n.https);
        assert_int_equal(n.port, 443);
        assert_string_equal(n.path, "/secure");
        assert_int_equal(redirect("Location: http://10.42.0.2:9090", "10.42.0.2", &n), 0);
        assert_int_equal(n.port, 9090);
        assert_string_equal(n.path, "/");
        assert_int_equal(redirect("Location: http://[fd00::1]:81/x", "fd00::1", &n), 0);
        assert_int_equal(n.port, 81);
        assert_string_equal(n.path, "/x");
        /* Another host: not followed (a success with a warning). */
        assert_int_equal(redirect("Location: http://example.org/", "10.42.0.2", &n), -EXDEV);
        assert_int_equal(redirect("Location: http://10.42.0.22/", "10.42.0.2", &n), -EXDEV);
        assert_int_equal(redirect("Location: http://10.42.0.2@evil.example/", "10.42.0.2", &n),
                         -EXDEV);
        /* None, empty, or a bad port. */
        assert_int_equal(redirect("X-Location: /a", "10.42.0.2", &n), -ENOENT);
        assert_int_equal(redirect("Location: ", "10.42.0.2", &n), -ENOENT);
        assert_int_equal(redirect("Location: http://10.42.0.2:99999/", "10.42.0.2", &n), -ENOENT);
        assert_int_equal(redirect("Location: http://10.42.0.2:8a/", "10.42.0.2", &n), -ENOENT);
        /* A Location in the body is not a header. */
        const char *body = "HTTP/1.1 302 Found\r\n\r\n\nLocation: /x";
        exe_probe_url cur = {false, 80, "/"};
        assert_int_equal(exe_probe_http_redirect(body, strlen(body), "h", &cur, &n), -ENOENT);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_readiness_thresholds),
            cmocka_unit_test(test_liveness_and_startup_initial),
            cmocka_unit_test(test_http_status),
            cmocka_unit_test(test_http_request),
            cmocka_unit_test(test_redact),
            cmocka_unit_test(test_grpc_request),
            cmocka_unit_test(test_grpc_response),
            cmocka_unit_test(test_container_user),
            cmocka_unit_test(test_http_redirect),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
