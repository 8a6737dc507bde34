#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
The daemon's call structure, checked (issue #13). A file depends on another
when it names a foud_* function or variable the other defines (non-static,
at file scope). Comments, strings and character constants are ignored.

Fails (exit 1) on a call loop among daemon files and on any edge from a
lower layer to a higher one (LAYERS below, lowest first), printing the
edge and the names that make it. Calls upward go through ops structs or
registered callbacks, which this check does not see, by design.

  python3 tests/tools/callgraph.py [-v] [--root DIR]
  -v: every edge, with its names.
"""
import os
import re
import sys

# Lowest first. A file's layer is the longest prefix that matches its path
# under daemon/; every daemon .c must match one.
LAYERS = [
    ("base", ["core/loop.c", "core/log.c", "observe/out.c", "observe/print.c"]),
    # persist and reap (engineer "scale"): devices that outlive foud, deleted in batches
    ("netlink", ["net/rtnl.c", "core/persist.c", "core/reap.c"]),
    ("io", ["io/"]),
    ("bpf", ["bpf/"]),
    ("event", ["observe/event.c"]),
    ("registry", ["core/dev.c"]),
    ("device hooks", ["observe/capture.c", "observe/showdev.c"]),
    ("kinds", ["kinds/"]),
    ("route", ["net/follow.c"]),
    ("fleet", ["fleet/"]),
    ("views", ["observe/show.c", "observe/iflink.c", "observe/metrics"]),
    ("running config", ["core/conf.c"]),
    ("commands", ["core/exec.c"]),
    ("config file", ["core/reload.c"]),
    ("control", ["core/ctl.c"]),
    ("main", ["core/main.c"]),
]

TOKEN = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
# At file scope: a definition starts at column 0 and is not static.
FUNC_DEF = re.compile(r'^(?!static\b|extern\b|typedef\b|#)[A-Za-z_][^;{}()=]*?\b(foud_\w+)\s*\([^;{]*?\)\s*\{',
                      re.M | re.S)
VAR_DEF = re.compile(r'^(?!static\b|extern\b|typedef\b|#)[A-Za-z_][^;{}()=]*?[\s*](foud_\w+)\s*(?:\[[^\]]*\]\s*)?(?:=|;)',
                     re.M)
USE = re.compile(r'\b(foud_\w+)\b')


def strip(text):
    """Comments, strings and characters blanked; newlines kept (line numbers)."""
    def blank(m):
        s = m.group(0)
        if s.startswith('"') or s.startswith("'"):
            return s[0] + s[-1]
        return re.sub(r'[^\n]', ' ', s)
    return TOKEN.sub(blank, text)


def layer_of(rel):
    best = None
    for rank, (name, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if rel.startswith(p) and (best is None or len(p) > best[2]):
                best = (rank, name, len(p))
    return best[:2] if best else None


def scan(root):
    files = []
    for dirpath, _, names in os.walk(os.path.join(root, "daemon")):
        files += [os.path.join(dirpath, n) for n in names if n.endswith(".c")]
    files.sort()
    src, defs = {}, {}
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            s = strip(fh.read())
        src[f] = s
        for m in FUNC_DEF.finditer(s):
            defs.setdefault(m.group(1), f)
        for m in VAR_DEF.finditer(s):
            defs.setdefault(m.group(1), f)
    edges = {f: {} for f in files}
    for f in files:
        for m in USE.finditer(src[f]):
            d = defs.get(m.group(1))
            if d and d != f:
                edges[f].setdefault(d, set()).add(m.group(1))
    return files, edges


def loops(files, edges):
    """Strongly connected components of more than one file (Tarjan, iterative)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for root in files:
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def main(argv):
    root = "."
    if "--root" in argv:
        root = argv[argv.index("--root") + 1]
    verbose = "-v" in argv
    files, edges = scan(root)
    rel = {f: os.path.relpath(f, os.path.join(root, "daemon")) for f in files}
    bad = 0
    for f in files:
        if layer_of(rel[f]) is None:
            print("daemon/%s: in no layer (add it to LAYERS in %s)" % (rel[f], argv[0]))
            bad += 1
    for f in files:
        for g in sorted(edges[f]):
            names = ",".join(sorted(edges[f][g]))
            lf, lg = layer_of(rel[f]), layer_of(rel[g])
            if lf and lg and lg[0] > lf[0]:
                print("upward: daemon/%s (%s) -> daemon/%s (%s): %s" %
                      (rel[f], lf[1], rel[g], lg[1], names))
                bad += 1
            elif verbose:
                print("   daemon/%s -> daemon/%s: %s" % (rel[f], rel[g], names))
    comps = loops(files, edges)
    for c in comps:
        print("loop of %d files: %s" % (len(c), " ".join("daemon/" + rel[f] for f in c)))
        for a in c:
            for b in sorted(edges[a]):
                if b in c:
                    print("   daemon/%s -> daemon/%s: %s" % (rel[a], rel[b], ",".join(sorted(edges[a][b]))))
    nedges = sum(len(e) for e in edges.values())
    print("callgraph: %d files, %d edges, %d in a call loop, %d problems" %
          (len(files), nedges, sum(len(c) for c in comps), bad + len(comps)))
    return 1 if bad or comps else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
