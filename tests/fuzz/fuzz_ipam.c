/* Fuzzes the pod network's parsers of persisted and configured text:
 * CIDRs, dotted addresses and IPAM allocation entries (netsetup/ipam.c).
 * Every parser sees the whole input; what parses must round-trip. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netsetup/ipam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char s[64];
        size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
        memcpy(s, data, n);
        s[n] = '\0';

        net_cidr c;
        tm_error err = {0};
        if (net_cidr_parse(s, &c, &err) == 0) {
                char ip[16], back[32];
                net_ip4_format(c.addr, ip);
                snprintf(back, sizeof(back), "%s/%u", ip, c.prefix);
                if (strcmp(back, s) != 0 || c.prefix > 32 || !net_cidr_contains(&c, c.addr))
                        abort();
        }
        uint32_t a;
        if (net_ip4_parse(s, &a) == 0) {
                char ip[16];
                net_ip4_format(a, ip);
                if (strcmp(ip, s) != 0)
                        abort();
        }
        char key[NET_IPAM_KEY_MAX + 1];
        if (net_ipam_entry_parse((const char *)data, size, key) == 0) {
                size_t k = strlen(key);
                if (!net_ipam_key_valid(key) || k > size || memcmp(key, data, k) != 0)
                        abort();
        }
        return 0;
}
