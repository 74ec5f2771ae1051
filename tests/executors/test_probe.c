/* Probe logic without processes or sockets: the kubelet's threshold
 * state machine, the HTTP probe request and status line, redaction. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/buf.h"
#include "common/mem.h"
#include "executors/probe.h"

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

int
main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_readiness_thresholds),
            cmocka_unit_test(test_liveness_and_startup_initial),
            cmocka_unit_test(test_http_status),
            cmocka_unit_test(test_http_request),
            cmocka_unit_test(test_redact),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
