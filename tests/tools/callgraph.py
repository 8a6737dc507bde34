#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
The call structure of lib/ common/ daemon/ cli/, checked (issue #13).
A file depends on another when it names a function or variable the other
defines at file scope without `static`, whatever its prefix. A name is not a
use of another file's definition when the file defines it static itself, or
reads it as a member (`.name`, `->name`); comments, strings and character
constants are ignored; a name defined in two files (each program's `main`)
ties neither. A name in a file-scope initializer (an ops table, a row of
the kind descriptor) is a registration, not a call: what is called through
the table is called by whoever reads the table, which the table's owner
does not know.

Fails (exit 1) on a call loop (files that reach each other, directly or
through a longer cycle) and on any edge from a lower layer to a higher one
(LAYERS below, lowest first), printing the files and the names that make
each edge. Calls upward go through ops structs or registered callbacks,
which this check does not see, by design.

  python3 tests/tools/callgraph.py [-v] [--root DIR]
  -v: every edge, with its names.
"""
import os
import re
import sys
import tempfile

# Lowest first: a folder is a layer, and a file may call only into its own
# folder (where the loop check keeps order) or a lower one. A file's layer
# is the longest prefix that matches its path from the root; every .c of
# DIRS must match one. lib/ and common/ are below every program; the
# daemon's folders follow; cli/ is a program of its own, which no daemon
# file may call. (tou/ is left out: an LD_PRELOAD library defines libc's
# names, socket() and the like, which it calls through dlsym, so a name
# there is no call.)
DIRS = ["lib", "common", "daemon", "cli"]
LAYERS = [
    ("libfou", ["lib/"]),
    ("grammar", ["common/"]),
    # loop, log, output writer, event stream, rtnetlink, links kept and reaped
    ("core", ["daemon/core/"]),
    ("io", ["daemon/io/"]),
    ("bpf", ["daemon/bpf/"]),
    # the device registry and what every kind uses: capture, show pieces
    ("dev", ["daemon/dev/"]),
    ("kinds", ["daemon/kinds/"]),
    ("net", ["daemon/net/"]),
    ("observe", ["daemon/observe/"]),
    ("fleet", ["daemon/fleet/"]),
    # main, the control server, commands, the config file, the running config
    ("control", ["daemon/control/"]),
    ("fouctl", ["cli/"]),
]

TOKEN = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
# At file scope: a definition starts at column 0; `static` says it is the file's own.
FUNC_DEF = re.compile(r'^(static\s+)?(?!static\b|extern\b|typedef\b|#|struct\s+\w+\s*\{|enum\b|union\b)'
                      r'[A-Za-z_][^;{}()=]*?\b(\w+)\s*\([^;{]*?\)\s*\{', re.M | re.S)
VAR_DEF = re.compile(r'^(static\s+)?(?!static\b|extern\b|typedef\b|#|return\b)[A-Za-z_][^;{}()=]*?[\s*](\w+)\s*'
                     r'(?:\[[^\]]*\]\s*)?(?:=|;)', re.M)
# Not a use: a member (.name, ->name) or a tag (struct name, enum name).
WORD = re.compile(r'(?<!\.)(?<!->)(?<!struct )(?<!enum )(?<!union )\b([A-Za-z_]\w*)\b')


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


def sources(root):
    files = []
    for d in DIRS:
        for dirpath, _, names in os.walk(os.path.join(root, d)):
            files += [os.path.join(dirpath, n) for n in names if n.endswith(".c")]
    return sorted(files)


# A macro whose body is an initializer: a row of a table (kinds.c's FK_L3).
ROW_MACRO = re.compile(r'^#[ \t]*define[ \t]+\w+(?:\([^)]*\))?(?:[ \t]|\\\n)*\{(?:[^\n]*\\\n)*[^\n]*', re.M)


def tables_blanked(s):
    """The file-scope initializers ({...} after '=' at depth 0) and row
    macros blanked: a name in an ops table or a descriptor row is registered
    there, and is called through the table by whoever reads it."""
    s = ROW_MACRO.sub(lambda m: re.sub(r'[^\n]', ' ', m.group(0)), s)
    out, depth, table, prev = [], 0, False, ''
    for c in s:
        if c == '{':
            if depth == 0:
                table = prev == '='
            depth += 1
        elif c == '}':
            depth -= 1
        if depth and table and c not in '{}\n':
            out.append(' ')
        else:
            out.append(c)
        if not c.isspace():
            prev = c
    return ''.join(out)


def definitions(s):
    """(public, own) names one file defines at file scope."""
    public, own = set(), set()
    for rx in (FUNC_DEF, VAR_DEF):
        for m in rx.finditer(s):
            (own if m.group(1) else public).add(m.group(2))
    return public, own


def scan(root):
    files = sources(root)
    src, owner, own = {}, {}, {}
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            src[f] = strip(fh.read())
        public, own[f] = definitions(src[f])
        for n in public:
            owner.setdefault(n, []).append(f)
    edges = {f: {} for f in files}
    for f in files:
        for n in set(WORD.findall(tables_blanked(src[f]))) - own[f]:
            d = owner.get(n, [])
            if len(d) == 1 and d[0] != f:
                edges[f].setdefault(d[0], set()).add(n)
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


def report(root, verbose=False):
    """Lines to print, and the number of problems (files in no layer, upward edges, loops)."""
    files, edges = scan(root)
    rel = {f: os.path.relpath(f, root) for f in files}
    out, bad = [], 0
    for f in files:
        if layer_of(rel[f]) is None:
            out.append("%s: in no layer (add it to LAYERS in tests/tools/callgraph.py)" % rel[f])
            bad += 1
    for f in files:
        for g in sorted(edges[f]):
            names = ",".join(sorted(edges[f][g]))
            lf, lg = layer_of(rel[f]), layer_of(rel[g])
            if lf and lg and lg[0] > lf[0]:
                out.append("upward: %s (%s) -> %s (%s): %s" % (rel[f], lf[1], rel[g], lg[1], names))
                bad += 1
            elif verbose:
                out.append("   %s -> %s: %s" % (rel[f], rel[g], names))
    comps = loops(files, edges)
    for c in comps:
        out.append("loop of %d files: %s" % (len(c), " ".join(rel[f] for f in c)))
        out += ["   %s -> %s: %s" % (rel[a], rel[b], ",".join(sorted(edges[a][b])))
                for a in c for b in sorted(edges[a]) if b in c]
    nedges = sum(len(e) for e in edges.values())
    out.append("callgraph: %d files, %d edges, %d in a call loop, %d problems" %
               (len(files), nedges, sum(len(c) for c in comps), bad + len(comps)))
    return out, bad + len(comps)


# A made-up tree, checked before the real one, so that a change to the
# patterns cannot quietly make this check pass everything.
SELF_TEST = {
    "lib/a.c": "int lib_a(void)\n{\n\treturn 0;\n}\n",
    "lib/b.c": "int lib_b(void)\n{\n\treturn cmd_x();\n}\n",            # upward: lib -> common
    "common/x.c": "int cmd_x(void)\n{\n\treturn cmd_y() + lib_a();\n}\n",
    "common/y.c": "int cmd_y(void)\n{\n\treturn cmd_z();\n}\n",
    "common/z.c": "int cmd_z(void)\n{\n\treturn cmd_x();\n}\n",          # x -> y -> z -> x
    # a table, a member, a tag and a static namesake tie nothing
    "common/t.c": "const struct op ops[] = { { \"x\", cmd_u } };\n"
                  "static int cmd_x(void)\n{\n\treturn 1;\n}\n"
                  "int cmd_t(struct cmd_u *p)\n{\n\treturn p->cmd_u + p.cmd_u + cmd_x();\n}\n",
    "common/u.c": "int cmd_u(void)\n{\n\treturn cmd_t(0);\n}\n",
    # a daemon folder calling a higher one: the base into the control layer
    "daemon/core/c.c": "int foud_c(void)\n{\n\treturn foud_m();\n}\n",
    "daemon/control/m.c": "int foud_m(void)\n{\n\treturn 0;\n}\n",
}
SELF_EXPECT = ["upward: lib/b.c (libfou) -> common/x.c (grammar): cmd_x",
               "loop of 3 files: common/x.c common/y.c common/z.c",
               "upward: daemon/core/c.c (core) -> daemon/control/m.c (control): foud_m",
               "callgraph: 9 files, 7 edges, 3 in a call loop, 3 problems"]


def self_test():
    with tempfile.TemporaryDirectory() as root:
        for path, text in SELF_TEST.items():
            os.makedirs(os.path.join(root, os.path.dirname(path)), exist_ok=True)
            with open(os.path.join(root, path), "w") as fh:
                fh.write(text)
        out, _ = report(root)
    missing = [e for e in SELF_EXPECT if e not in out]
    for e in missing:
        print("callgraph.py self-test: expected \"%s\"; got:\n  %s" % (e, "\n  ".join(out)))
    return not missing


def main(argv):
    root = "."
    if "--root" in argv:
        root = argv[argv.index("--root") + 1]
    if not self_test():
        return 1
    out, problems = report(root, "-v" in argv)
    print("\n".join(out))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
