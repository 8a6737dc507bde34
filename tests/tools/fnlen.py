#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""
Function lengths in lib/ common/ daemon/ cli/ tou/ (not bpf/, whose
programs the verifier shapes): a function is a body whose `{` and `}` stand
at column 0, as this tree writes them; its length is the lines between them.

Fails (exit 1) when one is over MAX lines, naming it; prints the count, the
median and the longest (issue #13: none over 60, median at most 12).

  python3 tests/tools/fnlen.py [--root DIR] [--top N]
"""
import os
import re
import statistics
import sys

DIRS = ["lib", "common", "daemon", "cli", "tou"]
MAX = 60
MEDIAN_MAX = 12
NAME = re.compile(r'\b(\w+)\s*\(')


def functions(path):
    """(name, first line, length) of each function of one file."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        lines = fh.read().split("\n")
    out, start, name = [], None, None
    for i, line in enumerate(lines):
        if line.startswith("{") and start is None:
            start = i
            # the declarator: the line at column 0 above, before its continuations
            j = i - 1
            while j > 0 and lines[j][:1] in ("\t", " "):
                j -= 1
            m = NAME.search(lines[j]) if j >= 0 else None
            name = m.group(1) if m else "?"
        elif line.startswith("}") and start is not None:
            # `} name;` or `};` closes a struct or an initializer, not a function
            if line.rstrip() == "}":
                out.append((name, start + 1, i - start - 1))
            start = None
    return out


def main(argv):
    root = argv[argv.index("--root") + 1] if "--root" in argv else "."
    top = int(argv[argv.index("--top") + 1]) if "--top" in argv else 5
    fns = []
    for d in DIRS:
        for dirpath, _, names in os.walk(os.path.join(root, d)):
            for n in sorted(names):
                if n.endswith(".c"):
                    p = os.path.join(dirpath, n)
                    fns += [(os.path.relpath(p, root), *f) for f in functions(p)]
    if not fns:
        print("fnlen: no functions found under %s" % root)
        return 1
    fns.sort(key=lambda f: -f[3])
    lens = [f[3] for f in fns]
    med = statistics.median(lens)
    over = [f for f in fns if f[3] > MAX]
    for f in over:
        print("over %d lines: %s:%d %s(): %d lines" % (MAX, f[0], f[2], f[1], f[3]))
    print("fnlen: %d functions, median %g lines, longest %s" %
          (len(fns), med, ", ".join("%s() %s:%d %d" % (f[1], f[0], f[2], f[3]) for f in fns[:top])))
    if med > MEDIAN_MAX:
        print("median %g is over %d" % (med, MEDIAN_MAX))
    return 1 if over or med > MEDIAN_MAX else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
