#!/usr/bin/env python3
"""Checks TOU datagrams on the wire, as tshark printed their UDP payloads (hex,
one per line): a GUE variant-0 header with protocol 6 and no flags, then a TCP
header whose checksum is the TCP checksum with both IP addresses left out of the
pseudo-header (protocol 6 and the TCP length stay). Prints "N ok" or why not."""
import sys

n = 0
for line in sys.stdin:
    h = line.strip().split(",")[0]
    if not h:
        continue
    p = bytes.fromhex(h.replace(":", ""))
    if len(p) < 24 or p[0] != 0 or p[1] != 6 or p[2:4] != b"\0\0":
        sys.exit(f"not GUE v0 proto 6: {p[:8].hex()}")
    tcp = p[4:]
    doff = (tcp[12] >> 4) * 4
    if doff < 20 or doff > len(tcp):
        sys.exit(f"no TCP header after GUE: {tcp[:20].hex()}")
    data = tcp + (b"\0" if len(tcp) % 2 else b"")
    s = 6 + len(tcp)
    for i in range(0, len(data), 2):
        s += data[i] << 8 | data[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    if s != 0xFFFF:
        sys.exit(f"TCP checksum without addresses does not verify: {tcp[:20].hex()}")
    n += 1
print(f"{n} ok")
sys.exit(0 if n else 1)
