#!/usr/bin/env python3
# One IPIP-over-FOU datagram from SRC to DST:PORT whose inner packet is a TCP
# data segment (ACK, 100 bytes) from 10.1.0.1 to 10.1.0.2 port 7009, sent on
# a raw socket so that its outer UDP checksum is ours:
#   stale:     outer checksum of the intact datagram, then a payload byte flipped
#   zero:      no outer checksum, inner TCP checksum wrong
#   valid-bad: a correct outer checksum over an inner TCP checksum that is wrong
# usage: csum-inject.py SRC DST PORT stale|zero|valid-bad
import socket
import struct
import sys


def fold(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def csum(b, seed=0):
    s = fold(b) + seed
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def pseudo(src, dst, proto, n):
    return fold(socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, proto, n))


def inner(good):
    src, dst, payload = "10.1.0.1", "10.1.0.2", bytes(range(100))
    tcp = struct.pack("!HHIIBBHHH", 40001, 7009, 1000, 1, 5 << 4, 0x10, 65535, 0, 0) + payload
    c = csum(tcp, pseudo(src, dst, 6, len(tcp)))
    if not good:
        c ^= 0x5555
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    return ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + tcp


def main():
    src, dst, port, how = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    data = inner(how == "stale")
    udp = struct.pack("!HHHH", 40000, port, 8 + len(data), 0) + data
    c = 0
    if how != "zero":
        c = csum(udp, pseudo(src, dst, 17, len(udp))) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    if how == "stale":
        udp = udp[:-1] + bytes([udp[-1] ^ 0xFF])
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
    s.bind((src, 0))
    s.sendto(udp, (dst, 0))


main()
