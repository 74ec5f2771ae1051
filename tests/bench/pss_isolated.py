#!/usr/bin/env python3
"""PSS of a set of processes as if nothing else on the machine mapped
their pages: each resident page is divided among the given processes that
map it, never among others (libc's text, the page cache of a busy
machine). An upper bound of their PSS that does not depend on what else
runs; needs root (page frame numbers in /proc/PID/pagemap).

  pss_isolated.py [--by-mapping] PID...   prints KiB (and the mappings)
"""
import collections
import struct
import sys

PAGE_KIB = 4


def frames(pid):
    """(mapping name, page frame) of every resident page of pid."""
    out = []
    with open(f'/proc/{pid}/maps') as maps, open(f'/proc/{pid}/pagemap', 'rb') as pm:
        for line in maps:
            f = line.split(maxsplit=5)
            lo, hi = (int(x, 16) for x in f[0].split('-'))
            name = f[5].strip() if len(f) == 6 else '[anon]'
            if name == '[vsyscall]':
                continue
            pm.seek(lo // 4096 * 8)
            data = pm.read((hi - lo) // 4096 * 8)
            for (v,) in struct.iter_unpack('<Q', data):
                if v >> 63 & 1:
                    pfn = v & ((1 << 55) - 1)
                    if pfn:
                        out.append((name, pfn))
    return out


def main():
    args = sys.argv[1:]
    by_mapping = bool(args) and args[0] == '--by-mapping'
    pids = [int(p) for p in args[by_mapping:]]
    pages = {pid: frames(pid) for pid in pids}
    count = collections.Counter(pfn for lst in pages.values() for _, pfn in lst)
    if not count:
        sys.exit('pss_isolated: no page frames (not root?)')
    names = collections.defaultdict(float)
    for pid, lst in pages.items():
        for name, pfn in lst:
            names[name] += PAGE_KIB / count[pfn]
    print(round(sum(names.values())))
    if by_mapping:
        for name, kib in sorted(names.items(), key=lambda x: -x[1]):
            if kib >= 1:
                print(f'{kib:8.0f} KiB  {name}')


main()
