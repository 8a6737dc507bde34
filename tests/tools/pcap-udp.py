#!/usr/bin/env python3
"""Prints one line per IPv4/UDP packet in a pcap (Ethernet or Linux cooked):
"SPORT DPORT UDPCSUM PAYLOAD-HEX-PREFIX". For checking what went on the wire."""
import struct
import sys

data = open(sys.argv[1], "rb").read()
magic = struct.unpack("<I", data[:4])[0]
end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
linktype = struct.unpack(end + "I", data[20:24])[0]
off = 24
while off + 16 <= len(data):
    _, _, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    l2 = 14 if linktype == 1 else 16
    if len(pkt) < l2 + 28 or pkt[l2] >> 4 != 4 or pkt[l2 + 9] != 17:
        continue
    ihl = (pkt[l2] & 15) * 4
    u = pkt[l2 + ihl:]
    sport, dport, _, csum = struct.unpack("!HHHH", u[:8])
    print(sport, dport, csum, u[8:24].hex())
