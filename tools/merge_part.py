#!/usr/bin/env python3
"""Merges a development part (wip/<area>.h) into groundup.h: its declarations go before the
`>>DECLS-END` marker, its implementation before `>>IMPL-END`. Wrapper lines (part guards,
extern "C") are dropped. Used while areas are developed in parallel."""
import re, sys
WRAP = re.compile(r'^\s*(#ifndef GU_PART_\w+|#define GU_PART_\w+|#if defined\(GROUNDUP_IMPLEMENTATION\) && !defined\(GU_PART_\w+\))\s*$')
def split(text):
    d = text.index('// @@decls'); i = text.index('// @@impl'); e = text.index('// @@end')
    return text[d + len('// @@decls'):i], text[i + len('// @@impl'):e]
def strip_decls(s):
    lines = s.strip('\n').split('\n')
    # drop the guard (first 2 lines), the extern "C" open/close blocks and the final #endif
    out, skip = [], 0
    joined = '\n'.join(lines)
    joined = joined.replace('#ifdef __cplusplus\nextern "C" {\n#endif\n', '').replace('#ifdef __cplusplus\n}\n#endif\n', '')
    lines = joined.split('\n')
    assert WRAP.match(lines[0]) and WRAP.match(lines[1]) and lines[-1].strip() == '#endif', 'bad decls wrapper'
    return KEEP(lines[1]) + '\n'.join(lines[2:-1]).strip('\n') + '\n'
def strip_impl(s):
    lines = s.strip('\n').split('\n')
    assert WRAP.match(lines[0]) and WRAP.match(lines[1]) and lines[-1].strip() == '#endif', 'bad impl wrapper'
    return KEEP(lines[1]) + '\n'.join(lines[2:-1]).strip('\n') + '\n'
# While other parts are still developed against wip/ files, the merged section keeps its
# guard define (marked), so a leftover `#include "wip/<area>.h"` becomes a no-op.
KEEP = lambda l: l.strip() + '  // @@merged-guard\n'
for part in sys.argv[1:]:
    d, i = split(open(part).read())
    h = open('groundup.h').read()
    dm = h.index('//  >>DECLS-END'); h = h[:dm] + strip_decls(d) + '\n' + h[dm:]
    im = h.index('//  >>IMPL-END'); h = h[:im] + strip_impl(i) + '\n' + h[im:]
    open('groundup.h', 'w').write(h)
    print('merged', part)
