/* Kubernetes names and keys (resources/names.c) against the regular
 * expressions and lengths of k8s.io/apimachinery/pkg/util/validation,
 * run through POSIX regexec: a checker and its regular expression must
 * agree on every input. */
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "resources/names.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LABEL "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
#define NAME "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"

static regex_t re_label, re_subdomain, re_1035, re_value, re_name, re_key;

static void
init(void)
{
        if (regcomp(&re_label, "^" LABEL "$", REG_EXTENDED | REG_NOSUB) ||
            regcomp(&re_subdomain, "^" LABEL "(\\." LABEL ")*$", REG_EXTENDED | REG_NOSUB) ||
            regcomp(&re_1035, "^[a-z]([-a-z0-9]*[a-z0-9])?$", REG_EXTENDED | REG_NOSUB) ||
            regcomp(&re_value, "^(" NAME ")?$", REG_EXTENDED | REG_NOSUB) ||
            regcomp(&re_name, "^" NAME "$", REG_EXTENDED | REG_NOSUB) ||
            regcomp(&re_key, "^[-._a-zA-Z0-9]+$", REG_EXTENDED | REG_NOSUB))
                abort();
}

static bool
match(const regex_t *re, const char *s)
{
        return regexec(re, s, 0, NULL, 0) == 0;
}

static void
check(const char *what, const char *s, const char *msg, bool want)
{
        if ((msg == NULL) != want) {
                fprintf(stderr, "%s \"%s\": checker says %s, Kubernetes says %s\n", what, s,
                        msg ? msg : "valid", want ? "valid" : "invalid");
                abort();
        }
}

static bool
qualified(const char *s)
{
        const char *slash = strchr(s, '/');
        const char *name = slash ? slash + 1 : s;
        if (slash && (slash == s || strchr(name, '/')))
                return false;
        if (slash) {
                char prefix[512];
                size_t n = (size_t)(slash - s);
                if (n >= sizeof(prefix))
                        return false;
                memcpy(prefix, s, n);
                prefix[n] = '\0';
                if (n > 253 || !match(&re_subdomain, prefix))
                        return false;
        }
        return strlen(name) <= 63 && match(&re_name, name);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static bool ready;
        if (!ready) {
                init();
                ready = true;
        }
        if (size > 400)
                return 0;
        char s[401];
        memcpy(s, data, size);
        s[size] = '\0';
        if (strlen(s) != size)
                return 0; /* names are C strings here */
        size_t n = size;
        check("dns1123 label", s, res_check_dns1123_label(s), n <= 63 && match(&re_label, s));
        check("dns1123 subdomain", s, res_check_dns1123_subdomain(s),
              n <= 253 && match(&re_subdomain, s));
        check("dns1035 label", s, res_check_dns1035_label(s), n <= 63 && match(&re_1035, s));
        check("label value", s, res_check_label_value(s), n <= 63 && match(&re_value, s));
        check("qualified name", s, res_check_qualified_name(s), qualified(s));
        check("config key", s, res_check_config_key(s),
              n <= 253 && match(&re_key, s) && strcmp(s, ".") && strncmp(s, "..", 2));
        (void)res_check_iana_svc_name(s);
        (void)res_check_env_var_name(s);
        (void)res_check_path_segment(s);
        return 0;
}
