#!/usr/bin/env python3
"""Captures IPv4/UDP datagrams to one port as they arrive on an interface.

udp-sniff.py IFACE DPORT COUNT TIMEOUT   prints "SRC SPORT PAYLOAD-HEX" for each of
                                         the first COUNT datagrams (fewer at TIMEOUT s)
For tests that replay what a peer really sent."""
import socket
import struct
import sys
import time

ETH_P_IP = 0x0800
ifname, dport, count, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(ETH_P_IP))
s.bind((ifname, ETH_P_IP))
end = time.monotonic() + timeout
got = 0
while got < count:
    left = end - time.monotonic()
    if left <= 0:
        break
    s.settimeout(left)
    try:
        pkt = s.recv(65535)
    except socket.timeout:
        break
    if len(pkt) < 28 or pkt[0] >> 4 != 4 or pkt[9] != 17:
        continue
    ihl = (pkt[0] & 15) * 4
    sport, dp, ulen = struct.unpack("!HHH", pkt[ihl:ihl + 6])
    if dp != dport:
        continue
    print(socket.inet_ntoa(pkt[12:16]), sport, pkt[ihl + 8:ihl + ulen].hex(), flush=True)
    got += 1
sys.exit(0 if got == count else 1)
