#!/usr/bin/env python3
"""Compares fouctl's JSON with iproute2's, key by key, types included.

  jsoncmp.py [--table README.md] [--show link|fou|fdb] [--by KEY] [--only NAME,...]
             KERNEL.json FOUD.json

Both files hold what `ip -j` (or `bridge -j`) and `fouctl -j` print: a list of
objects. Objects are paired by the value of KEY (ifname, port, mac); with
--only, only the kernel's objects of those names count. Every difference is
one line "SHOW KIND PATH: DIFF (kernel X, foud Y)", DIFF being
  value   both have PATH, with other values of the same JSON type
  type    both have PATH, with other JSON types (true is not 1, "0" is not 0)
  absent  only the kernel has PATH
  extra   only foud has PATH
  entry   foud has an object the kernel has not (PATH is *)
A difference is allowed when a row of the table under the heading "JSON
differences from iproute2" in --table matches it:
  | SHOW | KINDS | PATH | DIFF | reason |
with KINDS a comma list or *, PATH a dotted path (shell wildcards allowed)
and DIFF one of the words above or "any". Allowed differences are printed
with "allowed:"; the exit status is 1 when any other is left.
"""
import argparse
import fnmatch
import json
import sys

HEADING = "JSON differences from iproute2"


def table_rows(path):
    rows, inside = [], False
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                inside = HEADING in line
                continue
            if not inside or not line.startswith("|"):
                continue
            cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
            if len(cells) < 5 or cells[0] not in ("link", "fou", "fdb"):
                continue
            kinds = [k.strip() for k in cells[1].split(",")]
            rows.append((cells[0], kinds, cells[2], cells[3]))
    return rows


def kind_of(obj):
    """The kind that table rows name: info_kind, else fou's gue/ipproto/... key."""
    li = obj.get("linkinfo")
    if isinstance(li, dict) and "info_kind" in li:
        return li["info_kind"]
    for k, v in obj.items():
        if v is None or k == "ipproto":
            return k
    return "-"


def walk(k, f, path, out):
    for key in list(k) + [x for x in f if x not in k]:
        p = path + [key]
        if key not in f:
            out.append((".".join(p), "absent", k[key], None))
        elif key not in k:
            out.append((".".join(p), "extra", None, f[key]))
        elif isinstance(k[key], dict) and isinstance(f[key], dict):
            walk(k[key], f[key], p, out)
        elif type(k[key]) is not type(f[key]):
            out.append((".".join(p), "type", k[key], f[key]))
        elif k[key] != f[key]:
            out.append((".".join(p), "value", k[key], f[key]))


def allowed(rows, show, kind, path, diff):
    for s, kinds, pat, d in rows:
        if s == show and ("*" in kinds or kind in kinds) and fnmatch.fnmatchcase(path, pat) \
                and d in (diff, "any"):
            return True
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--table")
    ap.add_argument("--show", default="link")
    ap.add_argument("--by", default="ifname")
    ap.add_argument("--only", help="NAME,NAME,...")
    ap.add_argument("kernel")
    ap.add_argument("foud")
    a = ap.parse_args()
    rows = table_rows(a.table) if a.table else []
    with open(a.kernel, encoding="utf-8") as f:
        kern = {str(o.get(a.by)): o for o in json.load(f)}
    with open(a.foud, encoding="utf-8") as f:
        foud = {str(o.get(a.by)): o for o in json.load(f)}
    names = a.only.split(",") if a.only else list(kern)
    bad = 0
    diffs = []
    for n in names:
        if n not in kern or n not in foud:
            print("%s %s: missing on the %s side" % (a.show, n,
                  "kernel" if n not in kern else "foud"))
            bad += 1
            continue
        out = []
        walk(kern[n], foud[n], [], out)
        diffs += [(n, kind_of(kern[n])) + d for d in out]
    for n in foud:
        if n not in kern:
            diffs.append((n, kind_of(foud[n]), "*", "entry", None, foud[n]))
    for n, kind, path, diff, kv, fv in diffs:
        ok = allowed(rows, a.show, kind, path, diff)
        bad += not ok
        what = {"absent": "kernel %s" % json.dumps(kv),
                "value": "kernel %s, foud %s" % (json.dumps(kv), json.dumps(fv)),
                "type": "kernel %s, foud %s" % (json.dumps(kv), json.dumps(fv))}
        print("%s%s %s %s %s: %s (%s)" % (
            "allowed: " if ok else "", a.show, kind, n, path, diff,
            what.get(diff, "foud %s" % json.dumps(fv))))
    print("%d difference(s) not in the table" % bad)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
