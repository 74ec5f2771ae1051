/* What a container answers a probe (executors/probe.c): HTTP status lines
 * and header blocks, HTTP/2 frames of a gRPC health check, and the
 * redaction of secret values in probe and hook output. Every parser sees
 * the input fed whole and byte by byte (as reads arrive), and must agree
 * with itself. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "executors/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > EXE_PROBE_READ_MAX * 2)
                return 0;
        const char *buf = (const char *)data;

        /* HTTP/1: a status found in a prefix is the status of the whole. */
        int code = -1;
        int r = exe_probe_http_status(buf, size, &code);
        if (r == 0 && (code < 0 || code > 999))
                abort();
        if (r != 0 && r != -EAGAIN && r != -EPROTO)
                abort();
        for (size_t n = 0; n <= size && n < 256; n++) {
                int c2 = -1;
                int r2 = exe_probe_http_status(buf, n, &c2);
                if (r2 == 0 && (r != 0 || c2 != code)) {
                        fprintf(stderr, "status %d at %zu bytes, %d (r %d) at %zu\n", c2, n, code,
                                r, size);
                        abort();
                }
                if (r2 == -EPROTO && r != -EPROTO)
                        abort();
        }
        bool done = exe_probe_http_headers_done(buf, size);
        for (size_t n = 0; n < size && n < 256; n++)
                if (exe_probe_http_headers_done(buf, n) && !done)
                        abort();

        /* HTTP/2: the same frames fed at once or in pieces end the same way. */
        exe_probe_h2 whole = {0}, parts = {0};
        int rw = exe_probe_h2_parse(&whole, buf, size);
        int rp = -EAGAIN;
        for (size_t n = 0; n <= size && rp == -EAGAIN; n += 7)
                rp = exe_probe_h2_parse(&parts, buf, n < size ? n : size);
        if (rp == -EAGAIN)
                rp = exe_probe_h2_parse(&parts, buf, size);
        if (whole.off > size || parts.off > size || whole.msg_len > sizeof(whole.msg))
                abort();
        if (rw != rp || whole.ended != parts.ended || whole.have_msg != parts.have_msg ||
            whole.msg_len != parts.msg_len || memcmp(whole.msg, parts.msg, whole.msg_len) ||
            exe_probe_grpc_status(&whole) != exe_probe_grpc_status(&parts)) {
                fprintf(stderr, "h2: whole %d ended %d, in pieces %d ended %d\n", rw, whole.ended,
                        rp, parts.ended);
                abort();
        }
        int st = exe_probe_grpc_status(&whole);
        if (st < -1 || !exe_probe_grpc_status_name(st))
                abort();

        /* Redaction: the first line's words (4+ bytes) are secrets; none
         * of them may remain in the rest, and nothing but "\n" and "\t"
         * below 0x20 comes out. */
        const char *nl = memchr(buf, '\n', size);
        if (!nl)
                return 0;
        char *words = strndup(buf, (size_t)(nl - buf));
        const char *secrets[8];
        size_t lens[8], ns = 0;
        char *save = NULL;
        for (char *w = strtok_r(words, " ", &save); w && ns < 8; w = strtok_r(NULL, " ", &save)) {
                secrets[ns] = w;
                lens[ns++] = strlen(w);
        }
        const char *rest = nl + 1;
        size_t rn = size - (size_t)(rest - buf);
        char *out = exe_probe_redact(rest, rn, secrets, lens, ns);
        for (const char *p = out; *p; p++)
                if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
                        abort();
        for (size_t i = 0; i < ns; i++) {
                /* '?', '[' and ']' can be made by the redaction itself */
                bool plain = true;
                for (const char *c = secrets[i]; *c; c++)
                        plain &= isalnum((unsigned char)*c) != 0;
                if (lens[i] < 4 || !plain || strstr("[redacted]", secrets[i]))
                        continue;
                if (strstr(out, secrets[i])) {
                        fprintf(stderr, "secret \"%s\" left in \"%s\"\n", secrets[i], out);
                        abort();
                }
        }
        free(out);
        free(words);
        return 0;
}
