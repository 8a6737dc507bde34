#!/usr/bin/env python3
"""Sends one crafted datagram, for the hostile-input tests.

inject.py udp SRC DST PORT HEX [SPORT [TOS]]  UDP from SRC:SPORT (0: any) to DST:PORT,
                                      payload HEX, outer TOS
inject.py udp0 SRC DST PORT HEX      as udp, IPv4, with a zero UDP checksum (SO_NO_CHECK),
                                      as foud's tunnels send: what its BPF program takes
inject.py ipv4 SRC DST PROTO TTL HEX an IPv4 header (checksummed) + HEX, printed as hex
inject.py raw SRC DST PROTO HEX       an IP packet of protocol PROTO from SRC to DST, payload HEX
                                      (the kernel builds the IP header)
inject.py grecsum HEX                 HEX, a GRE packet with C set, with its checksum filled in
inject.py tcpseg SRC DST SEQ LEN      an IPv4/TCP segment (ACK, LEN bytes from SEQ, checksums
                                      valid), printed as hex
inject.py udpstale SRC DST PORT HEX  IPv4 UDP on a raw socket with the checksum of payload HEX,
                                      whose last byte is then flipped: the kernel must drop it
inject.py udpraw SRC SPORT DST PORT HEX SUM  IPv4 UDP on a raw socket from any source port
                                      (one a foud already holds), checksum SUM: ok or zero
inject.py udpgso SRC DST PORT SIZE HEX  HEX cut into SIZE-byte datagrams by UDP GSO: one send,
                                      one train, which a UDP_GRO receiver reads in one go
inject.py grekeys SRC DST KEYS COUNT  COUNT keyed GRE packets (keys 1..KEYS in turn), each an
                                      IPv4/UDP packet 10.99.0.2 -> 10.99.0.1; prints the seconds
inject.py tebkeys SRC DST KEYS SHIFT  one GRE packet carrying Ethernet (0x6558) per key k in
                                      1..KEYS, its GRE key k << SHIFT (8: an NVGRE VSID), the
                                      frame from 02:00:00:5e:k (two bytes) to ff:ff:ff:ff:ff:ff
"""
import socket
import struct
import sys
import time


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, ttl, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, ttl,
                    proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def tcpseg(src, dst, seq, n):
    data = bytes((seq + i) * 7 & 0xFF for i in range(n))
    t = struct.pack("!HHIIBBHHH", 40000, 5201, seq, 1, 5 << 4, 0x10, 512, 0, 0) + data
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(t))
    t = t[:16] + struct.pack("!H", csum(ph + t)) + t[18:]
    return ipv4(src, dst, 6, 64, t)


def grekeys(src, dst, keys, count):
    """One raw GRE socket, waiting when its buffer is full: every packet leaves."""
    udp = struct.pack("!HHHH", 40000, 9, 12, 0) + b"scal"
    inner = ipv4("10.99.0.2", "10.99.0.1", 17, 64, udp)
    pkts = [struct.pack("!HHI", 0x2000, 0x0800, k) + inner for k in range(1, keys + 1)]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
    s.bind((src, 0))
    t0 = time.monotonic()
    for i in range(count):
        s.sendto(pkts[i % keys], (dst, 0))
    print("%.3f" % (time.monotonic() - t0))


def tebkeys(src, dst, keys, shift):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47)
    s.bind((src, 0))
    for k in range(1, keys + 1):
        eth = b"\xff" * 6 + struct.pack("!IH", 0x0200005E, k) + struct.pack("!H", 0x88B5) + b"scal" * 12
        s.sendto(struct.pack("!HHI", 0x2000, 0x6558, k << shift) + eth, (dst, 0))


def main(a):
    if a[0] in ("udp", "udp0"):
        fam = socket.AF_INET6 if ":" in a[2] else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_DGRAM)
        if a[0] == "udp0":
            s.setsockopt(socket.SOL_SOCKET, 11, 1)  # SO_NO_CHECK
        s.bind((a[1], int(a[5]) if len(a) > 5 else 0))
        if len(a) > 6:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, int(a[6], 0))
        s.sendto(bytes.fromhex(a[4]), (a[2], int(a[3])))
    elif a[0] == "tebkeys":
        tebkeys(a[1], a[2], int(a[3]), int(a[4]))
    elif a[0] == "raw":
        fam = socket.AF_INET6 if ":" in a[2] else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_RAW, int(a[3]))
        s.bind((a[1], 0))
        s.sendto(bytes.fromhex(a[4]), (a[2], 0))
    elif a[0] == "grecsum":
        p = bytearray(bytes.fromhex(a[1]))
        p[4:6] = b"\0\0"
        p[4:6] = struct.pack("!H", csum(bytes(p)))
        print(p.hex())
    elif a[0] == "tcpseg":
        print(tcpseg(a[1], a[2], int(a[3]), int(a[4])).hex())
    elif a[0] == "udpgso":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((a[1], 0))
        s.setsockopt(socket.IPPROTO_UDP, 103, int(a[4]))  # UDP_SEGMENT
        s.sendto(bytes.fromhex(a[5]), (a[2], int(a[3])))
    elif a[0] == "udpstale":
        p = bytes.fromhex(a[4])
        u = struct.pack("!HHHH", 40000, int(a[3]), 8 + len(p), 0) + p
        ph = socket.inet_aton(a[1]) + socket.inet_aton(a[2]) + struct.pack("!BBH", 0, 17, len(u))
        u = u[:6] + struct.pack("!H", csum(ph + u) or 0xFFFF) + u[8:-1] + bytes([u[-1] ^ 0xFF])
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
        s.bind((a[1], 0))
        s.sendto(u, (a[2], 0))
    elif a[0] == "udpraw":
        p = bytes.fromhex(a[5])
        u = struct.pack("!HHHH", int(a[2]), int(a[4]), 8 + len(p), 0) + p
        ph = socket.inet_aton(a[1]) + socket.inet_aton(a[3]) + struct.pack("!BBH", 0, 17, len(u))
        if a[6] == "ok":
            u = u[:6] + struct.pack("!H", csum(ph + u) or 0xFFFF) + u[8:]
        s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
        s.bind((a[1], 0))
        s.sendto(u, (a[3], 0))
    elif a[0] == "ipv4":
        print(ipv4(a[1], a[2], int(a[3]), int(a[4]), bytes.fromhex(a[5])).hex())
    elif a[0] == "grekeys":
        grekeys(a[1], a[2], int(a[3]), int(a[4]))
    else:
        sys.exit("usage: inject.py udp|udp0|udpstale|udpraw|ipv4|raw|grecsum|tcpseg|udpgso|grekeys|tebkeys ...")


if __name__ == "__main__":
    main(sys.argv[1:])
