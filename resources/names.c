/* Name and key validation, k8s.io/apimachinery/pkg/util/validation: the
 * same rules and the same words. Where Kubernetes lists several problems,
 * the first one is returned. */
#include "resources/names.h"

#include <stdbool.h>
#include <string.h>

#define MAXLEN_MSG(n) "must be no more than " #n " characters"

#define DNS1123_LABEL_MSG                                                                          \
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "   \
        "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "   \
        "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define DNS1123_SUBDOMAIN_MSG                                                                      \
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "  \
        "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "      \
        "regex used for validation is "                                                            \
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define DNS1035_MSG                                                                                \
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "  \
        "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "    \
        "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
#define QNAME_RE_MSG                                                                               \
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "   \
        "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "  \
        "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define LABEL_VALUE_MSG                                                                            \
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "   \
        "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "      \
        "'my_value',  or '12345', regex used for validation is "                                   \
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
#define CONFIG_KEY_MSG                                                                             \
        "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. "       \
        "'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "                \
        "'[-._a-zA-Z0-9]+')"

static bool
is_lower_alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool
is_alnum(char c)
{
        return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])? over s[0..n) */
static bool
match_dns1123_label(const char *s, size_t n)
{
        if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_lower_alnum(s[i]) && s[i] != '-')
                        return false;
        return true;
}

const char *
res_check_dns1123_label(const char *s)
{
        size_t n = strlen(s);
        if (n > 63)
                return MAXLEN_MSG(63);
        return match_dns1123_label(s, n) ? NULL : DNS1123_LABEL_MSG;
}

static bool
match_dns1123_subdomain(const char *s, size_t n)
{
        size_t start = 0;
        for (size_t i = 0; i <= n; i++) {
                if (i == n || s[i] == '.') {
                        if (!match_dns1123_label(s + start, i - start))
                                return false;
                        start = i + 1;
                }
        }
        return true;
}

const char *
res_check_dns1123_subdomain(const char *s)
{
        size_t n = strlen(s);
        if (n > 253)
                return MAXLEN_MSG(253);
        return match_dns1123_subdomain(s, n) ? NULL : DNS1123_SUBDOMAIN_MSG;
}

const char *
res_check_dns1035_label(const char *s)
{
        size_t n = strlen(s);
        if (n > 63)
                return MAXLEN_MSG(63);
        if (!match_dns1123_label(s, n) || s[0] < 'a' || s[0] > 'z')
                return DNS1035_MSG;
        return NULL;
}

const char *
res_check_iana_svc_name(const char *s)
{
        size_t n = strlen(s);
        if (n > 15)
                return MAXLEN_MSG(15);
        bool letter = false;
        for (size_t i = 0; i < n; i++) {
                if (!is_lower_alnum(s[i]) && s[i] != '-')
                        return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens "
                               "(-)";
                if (s[i] >= 'a' && s[i] <= 'z')
                        letter = true;
        }
        if (n == 0)
                return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
        if (!letter)
                return "must contain at least one letter (a-z)";
        if (strstr(s, "--"))
                return "must not contain consecutive hyphens";
        if (s[0] == '-' || s[n - 1] == '-')
                return "must not begin or end with a hyphen";
        return NULL;
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] */
static bool
match_qname(const char *s, size_t n)
{
        if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
                        return false;
        return true;
}

const char *
res_check_qualified_name(const char *s)
{
        const char *slash = strchr(s, '/');
        const char *name = s;
        if (slash) {
                if (strchr(slash + 1, '/'))
                        return "a qualified name " QNAME_RE_MSG
                               " with an optional DNS subdomain prefix and '/' (e.g. "
                               "'example.com/MyName')";
                size_t pn = (size_t)(slash - s);
                if (pn == 0)
                        return "prefix part must be non-empty";
                if (pn > 253)
                        return "prefix part " MAXLEN_MSG(253);
                if (!match_dns1123_subdomain(s, pn))
                        return "prefix part " DNS1123_SUBDOMAIN_MSG;
                name = slash + 1;
        }
        size_t n = strlen(name);
        if (n == 0)
                return "name part must be non-empty";
        if (n > 63)
                return "name part " MAXLEN_MSG(63);
        if (!match_qname(name, n))
                return "name part " QNAME_RE_MSG;
        return NULL;
}

const char *
res_check_label_value(const char *s)
{
        size_t n = strlen(s);
        if (n > 63)
                return MAXLEN_MSG(63);
        if (n && !match_qname(s, n))
                return LABEL_VALUE_MSG;
        return NULL;
}

static const char *
chdir_prefix(const char *s)
{
        if (strcmp(s, ".") == 0)
                return "must not be '.'";
        if (strcmp(s, "..") == 0)
                return "must not be '..'";
        if (strncmp(s, "..", 2) == 0)
                return "must not start with '..'";
        return NULL;
}

const char *
res_check_config_key(const char *s)
{
        size_t n = strlen(s);
        if (n > 253)
                return MAXLEN_MSG(253);
        if (n == 0)
                return CONFIG_KEY_MSG;
        for (size_t i = 0; i < n; i++)
                if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
                        return CONFIG_KEY_MSG;
        return chdir_prefix(s);
}

/* Kubernetes' relaxed rule (RelaxedEnvironmentVariableValidation, on by
 * default since 1.32): any printable ASCII but '='. */
const char *
res_check_env_var_name(const char *s)
{
        if (!*s)
                return "environment variable name must be non-empty";
        for (const char *p = s; *p; p++)
                if (*p < 0x20 || *p > 0x7E || *p == '=')
                        return "a valid environment variable name must consist only of printable "
                               "ASCII characters other than '='";
        return NULL;
}

const char *
res_check_path_segment(const char *s)
{
        if (!*s)
                return "must be non-empty";
        if (s[0] == '/')
                return "must be a relative path";
        size_t start = 0, n = strlen(s);
        for (size_t i = 0; i <= n; i++) {
                if (i == n || s[i] == '/') {
                        if (i - start == 2 && s[start] == '.' && s[start + 1] == '.')
                                return "must not contain '..'";
                        start = i + 1;
                }
        }
        if (strncmp(s, "..", 2) == 0)
                return "must not start with '..'";
        return NULL;
}
