#!/usr/bin/env python3
"""dtls-clear.py WIRE.pcap INNER.pcap: looks for the TCP connections of INNER
(a capture on tou0: the segments in clear) in the UDP payloads of WIRE (the
capture on the underlay). Prints what it finds and exits 1 if any payload
holds a connection's port pair (either order) or, in its first 64 bytes, a
sequence number one of its segments carried. Whole payloads: capture with -s 0."""
import struct
import sys


def packets(path):
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    link = struct.unpack(end + "I", data[20:24])[0]
    l2 = {1: 14, 113: 16}.get(link, 0)  # Ethernet, Linux cooked, else raw IP
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + "I", data[off + 8:off + 12])[0]
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        ip = pkt[l2:]
        if len(ip) < 20 or ip[0] >> 4 != 4:
            continue
        ihl = (ip[0] & 15) * 4
        yield ip[9], ip[ihl:]


conns, seqs = set(), set()
for proto, l4 in packets(sys.argv[2]):
    if proto == 6 and len(l4) >= 20:
        conns.add(l4[0:4])
        conns.add(l4[2:4] + l4[0:2])
        seqs.add(l4[4:8])
n = found = 0
for proto, l4 in packets(sys.argv[1]):
    if proto != 17 or len(l4) < 8:
        continue
    n += 1
    pl = l4[8:]
    hit = [c.hex() for c in conns if c in pl] + [s.hex() for s in seqs if s in pl[:64]]
    if hit:
        found += 1
        print("datagram %d: %s" % (n, " ".join(hit[:4])))
print("%d datagrams, %d connection port pairs, %d sequence numbers: %d datagrams with one"
      % (n, len(conns) // 2, len(seqs), found))
sys.exit(1 if found or not conns or not n else 0)
