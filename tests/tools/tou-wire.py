#!/usr/bin/env python3
"""Checks TOU datagrams on the wire, as tshark printed their UDP payloads (hex,
one per line): a GUE variant-0 header with protocol 6 and no flags but TOU's
session ids (S 0x0100, D 0x0080, each a 64-bit field, Hlen counting them), then
a TCP header whose checksum is the TCP checksum with both IP addresses left out of the
pseudo-header (protocol 6 and the TCP length stay). Prints "N ok" or why not.

foud sends TOU with UDP_SEGMENT, and a capture on the sender's veth sees a
train before the kernel splits it: one UDP payload of several datagrams, all
of one size but the last. A payload that does not verify whole is tried as
such a train; every datagram of it must verify."""
import sys

S, D = 0x0100, 0x0080
ids = {0: 0, S: 0, S | D: 0, D: 0}


def why_not(p):
    """None if p is one good TOU datagram, else the reason."""
    flags = int.from_bytes(p[2:4], "big") if len(p) >= 4 else -1
    if len(p) < 24 or p[0] >> 5 or p[1] != 6 or flags not in ids:
        return f"not GUE v0 proto 6: {p[:8].hex()}"
    hlen = 4 + 8 * bin(flags).count("1")
    if p[0] != (hlen - 4) // 4 or len(p) < hlen + 20:
        return f"GUE Hlen does not match the session ids: {p[:8].hex()}"
    tcp = p[hlen:]
    doff = (tcp[12] >> 4) * 4
    if doff < 20 or doff > len(tcp):
        return f"no TCP header after GUE: {tcp[:20].hex()}"
    data = tcp + (b"\0" if len(tcp) % 2 else b"")
    s = 6 + len(tcp)
    for i in range(0, len(data), 2):
        s += data[i] << 8 | data[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    if s != 0xFFFF:
        return f"TCP checksum without addresses does not verify: {tcp[:20].hex()}"
    return None


def train(p):
    """The datagrams if p is a train of good ones, else []."""
    for size in range(24, len(p)):
        parts = [p[i:i + size] for i in range(0, len(p), size)]
        if all(why_not(x) is None for x in parts):
            return parts
    return []


def count(p):
    ids[int.from_bytes(p[2:4], "big")] += 1


n = trains = 0
for line in sys.stdin:
    h = line.strip().split(",")[0]
    if not h:
        continue
    p = bytes.fromhex(h.replace(":", ""))
    why = why_not(p)
    if why is None:
        n += 1
        count(p)
        continue
    parts = train(p)
    if not parts:
        sys.exit(why)
    for x in parts:
        count(x)
    n += len(parts)
    trains += 1
print(f"{n} ok" + (f" ({trains} UDP GSO trains split)" if trains else "") +
      f"; session ids: S {ids[S]}, S+D {ids[S | D]}, D {ids[D]}, none {ids[0]}")
sys.exit(0 if n else 1)
