#!/usr/bin/env python3
"""Inner packets for the "never nest" test, printed as hex, one per line
(two lines: two fragments). Addresses pick the family.

nest.py udp SRC DST DPORT [frag]   UDP (checksummed), 32 bytes of data; frag:
                                   IPv4, as two fragments (the UDP header and
                                   16 bytes, then the rest)
nest.py udp6opt SRC DST DPORT      IPv6, a destination-options header, then UDP
nest.py udp6cut SRC DST DPORT      IPv6 as two fragments whose first holds the
                                   fragment and destination-options headers only
nest.py eth DST SRC HEX            an Ethernet frame (MACs as aa:bb:..) of IPv4 HEX
nest.py ipip SRC DST HEX           IPv4 protocol 4 around the IPv4 packet HEX
nest.py stt SRC DST CTX HEX        IPv4 TCP to 7471: one STT segment of the frame HEX
"""
import socket
import struct
import sys

from inject import csum, ipv4
from stt import segment, stt_header

DATA = b"N" * 32


def v6(a):
    return ":" in a


def udp(src, dst, dport, data=DATA):
    h = struct.pack("!HHHH", 40000, dport, 8 + len(data), 0)
    if v6(src):
        ph = socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst) + \
            struct.pack("!IxxxB", 8 + len(data), 17)
    else:
        ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, 8 + len(data))
    c = csum(ph + h + data) or 0xFFFF
    return h[:6] + struct.pack("!H", c) + data


def ip4(src, dst, proto, payload, frag=0, ident=0x4e53):
    h = bytearray(ipv4(src, dst, proto, 64, payload)[:20])
    h[4:8] = struct.pack("!HH", ident, frag)
    h[10:12] = b"\0\0"
    h[10:12] = struct.pack("!H", csum(bytes(h)))
    return bytes(h) + payload


def ip6(src, dst, nh, payload):
    return struct.pack("!IHBB", 6 << 28, len(payload), nh, 64) + \
        socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst) + payload


DSTOPT = bytes([17, 0, 1, 4, 0, 0, 0, 0])	# next UDP, 8 bytes, PadN


def main(a):
    out = []
    if a[0] == "udp":
        src, dst, port = a[1], a[2], int(a[3])
        u = udp(src, dst, port)
        if len(a) > 4:
            out = [ip4(src, dst, 17, u[:24], 0x2000), ip4(src, dst, 17, u[24:], 3)]
        elif v6(src):
            out = [ip6(src, dst, 17, u)]
        else:
            out = [ip4(src, dst, 17, u)]
    elif a[0] == "udp6opt":
        out = [ip6(a[1], a[2], 60, DSTOPT + udp(a[1], a[2], int(a[3])))]
    elif a[0] == "udp6cut":
        u = udp(a[1], a[2], int(a[3]))
        fid = 0x4e53
        out = [ip6(a[1], a[2], 44, struct.pack("!BxHI", 60, 1, fid) + DSTOPT),
               ip6(a[1], a[2], 44, struct.pack("!BxHI", 60, 8, fid) + u)]
    elif a[0] == "eth":
        mac = [bytes.fromhex(m.replace(":", "")) for m in a[1:3]]
        out = [mac[0] + mac[1] + b"\x08\x00" + bytes.fromhex(a[3])]
    elif a[0] == "ipip":
        out = [ip4(a[1], a[2], 4, bytes.fromhex(a[3]))]
    elif a[0] == "stt":
        data = stt_header(int(a[3], 0)) + bytes.fromhex(a[4])
        out = [ip4(a[1], a[2], 6, segment(a[1], a[2], 0x4e53, len(data), 0, data, True))]
    else:
        sys.exit(__doc__)
    for p in out:
        print(p.hex())


if __name__ == "__main__":
    main(sys.argv[1:])
