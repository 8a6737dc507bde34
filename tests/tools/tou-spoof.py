#!/usr/bin/env python3
"""Sends TOU datagrams (GUE proto 6 + TCP) as a spoofer of a peer would, from
SRC (the peer's address) and an ephemeral port to DST:PORT, and prints each
payload in hex and the source port it left from, "HEX,PORT" a line (for
tou-wire.py, which reads the hex).

  tou-spoof.py SRC DST PORT garbage N   TCP headers whose checksum is wrong
  tou-spoof.py SRC DST PORT valid N     checksums right (addresses left out,
                                        as TOU's are), SYNs and ACKs of
                                        4-tuples no one uses (ports < 1024)
  tou-spoof.py SRC DST PORT conn:S:D N  valid ACKs of the connection from
                                        port S to port D, as an on-path
                                        sender that saw it could make
  tou-spoof.py SRC DST PORT sid:ID:S:D N  the same with a TOU session id
                                        (D flag, ID in hex), unauthenticated
  tou-spoof.py SRC DST PORT sid!:ID:S:D N  ... with a wrong TCP checksum

Every tenth datagram (with conn, every one) leaves from a new socket, so a
new source port; a short pause every 20 keeps the receiver's queue from
overflowing."""
import random
import socket
import struct
import sys
import time

from inject import csum  # the Internet checksum, one copy for the test tools


def segment(i, good, ports=None):
    flags = 0x02 if i % 2 and not ports else 0x10
    sport, dport = ports or (100 + i % 900, random.randrange(1, 1024))
    hdr = struct.pack("!HHIIBBHHH", sport, dport, random.getrandbits(32),
                      random.getrandbits(32), 5 << 4, flags, 65535, 0, 0)
    tcp = hdr + random.randbytes(0 if ports else random.randrange(0, 64))
    c = csum(struct.pack("!HH", 6, len(tcp)) + tcp)  # addresses left out, as TOU's
    if not good:
        c ^= 0x5a5a
    return gue + tcp[:16] + struct.pack("!H", c) + tcp[18:]


src, dst, port, kind, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], int(sys.argv[5])
gue = b"\x00\x06\x00\x00"
bad = kind.startswith("sid!:")
if kind.startswith("sid:") or bad:  # GUE Hlen 2, flags D (0x0080), the 64-bit id
    _, sid, *rest = kind.split(":")
    gue = b"\x02\x06\x00\x80" + bytes.fromhex(sid)
    kind = "conn:" + ":".join(rest)
ports = tuple(int(x) for x in kind.split(":")[1:]) if kind.startswith("conn:") else None
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
socks = []  # all kept open: no source port is used twice
for i in range(n):
    if i % 10 == 0 or ports:
        socks.append(socket.socket(fam, socket.SOCK_DGRAM))
        socks[-1].bind((src, 0))
    s = socks[-1]
    p = segment(i, kind != "garbage" and not bad, ports)
    s.sendto(p, (dst, port))
    print(f"{p.hex()},{s.getsockname()[1]}")
    if i % 20 == 19:
        time.sleep(0.005)
