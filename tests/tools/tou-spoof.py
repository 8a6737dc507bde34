#!/usr/bin/env python3
"""Sends TOU datagrams (GUE proto 6 + TCP) as a spoofer of a peer would, from
SRC (the peer's address) and an ephemeral port to DST:PORT, and prints each
payload in hex, one a line (for tou-wire.py).

  tou-spoof.py SRC DST PORT garbage N   TCP headers whose checksum is wrong
  tou-spoof.py SRC DST PORT valid N     checksums right (addresses left out,
                                        as TOU's are), SYNs and ACKs of
                                        4-tuples no one uses (ports < 1024)

Every tenth datagram leaves from a new socket (a new source port); a short
pause every 20 keeps the receiver's queue from overflowing."""
import random
import socket
import struct
import sys
import time

from inject import csum  # the Internet checksum, one copy for the test tools


def segment(i, good):
    flags = 0x02 if i % 2 else 0x10
    hdr = struct.pack("!HHIIBBHHH", 100 + i % 900, random.randrange(1, 1024),
                      random.getrandbits(32), random.getrandbits(32),
                      5 << 4, flags, 65535, 0, 0)
    tcp = hdr + random.randbytes(random.randrange(0, 64))
    c = csum(struct.pack("!HH", 6, len(tcp)) + tcp)  # addresses left out, as TOU's
    if not good:
        c ^= 0x5a5a
    return b"\x00\x06\x00\x00" + tcp[:16] + struct.pack("!H", c) + tcp[18:]


src, dst, port, kind, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = None
for i in range(n):
    if i % 10 == 0:
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.bind((src, 0))
    p = segment(i, kind == "valid")
    s.sendto(p, (dst, port))
    print(p.hex())
    if i % 20 == 19:
        time.sleep(0.005)
