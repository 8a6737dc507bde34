#!/usr/bin/env python3
"""Crafted STT segments for the STT namespace test (draft-davie-stt-08).

Every command sends from SRC to DST over a raw IPPROTO_TCP socket bound to
SRC (the kernel adds the IP header); the TCP-like header carries
seq = frame length << 16 | offset, ack = frame ID and a real TCP checksum.

stt.py frame SRC DST ID CTX HEXFRAME [key=value ...]
    an STT frame: 18-byte header (version, flags, ctx) + the inner Ethernet
    frame HEXFRAME, cut into segments of mss bytes, sent in the given order.
    keys: mss=N (default 1400), order=0,1,1,2 (segment indexes, default all),
          version=N, flags=N, framelen=N (lie in the header), tcplen=N (cut
          the TCP header short), badcsum=1, ce=1,2 (segment indexes sent with
          the outer ECN field CE, the others not-ECT),
          pieces=OFF:LEN,... (instead of mss: these byte ranges, each one segment
          of any length, as a read merged by GRO; the kernel fragments one
          longer than the path and B's reassembles it)
stt.py flood SRC DST N CTX   N frames of 3000 bytes of which only the first
                               1400-byte segment is sent, IDs 0x70000000 + i
stt.py macs SRC DST N CTX    N single-segment broadcast frames from N
                               source MACs 02:00:00:00:xx:xx
"""
import socket
import struct
import sys

from inject import csum  # the Internet checksum, one copy for the test tools


def sock(src):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
    s.bind((src, 0))
    return s


def segment(src, dst, fid, flen, off, payload, last, tcplen=20, badcsum=False):
    h = struct.pack("!HHIIBBHHH", 40000, 7471, (flen << 16) | off, fid, 5 << 4,
                    0x10 | (0x08 if last else 0), 0, 0, 0)
    seg = h + payload
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(seg))
    c = csum(ph + seg) ^ (0x5555 if badcsum else 0)
    seg = seg[:16] + struct.pack("!H", c) + seg[18:]
    return seg if tcplen >= 20 else seg[:tcplen]


def stt_header(ctx, version=0, flags=0):
    return struct.pack("!BBBBHHQH", version, flags, 0, 0, 0, 0, ctx, 0)


def send_frame(s, src, dst, fid, data, mss=1400, order=None, framelen=None, ce=(), pieces=None,
               **kw):
    flen = framelen if framelen is not None else len(data)
    segs = [(o, data[o:o + mss]) for o in range(0, len(data), mss)]
    if pieces:
        segs = [(o, data[o:o + n]) for o, n in pieces]
    for i in order if order is not None else range(len(segs)):
        o, p = segs[i]
        if ce:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 3 if i in ce else 0)
        s.sendto(segment(src, dst, fid, flen, o, p, o + len(p) >= len(data), **kw), (dst, 0))


def main(a):
    src, dst = a[1], a[2]
    s = sock(src)
    if a[0] == "frame":
        fid, ctx, inner = int(a[3], 0), int(a[4], 0), bytes.fromhex(a[5])
        kv = dict(x.split("=", 1) for x in a[6:])
        data = stt_header(ctx, int(kv.get("version", "0"), 0), int(kv.get("flags", "0"), 0)) + inner
        order = [int(x) for x in kv["order"].split(",")] if "order" in kv else None
        ce = [int(x) for x in kv["ce"].split(",")] if "ce" in kv else ()
        send_frame(s, src, dst, fid, data, mss=int(kv.get("mss", "1400")), order=order, ce=ce,
                   framelen=int(kv["framelen"]) if "framelen" in kv else None,
                   pieces=[tuple(int(v) for v in x.split(":")) for x in kv["pieces"].split(",")]
                   if "pieces" in kv else None,
                   tcplen=int(kv.get("tcplen", "20")), badcsum=kv.get("badcsum") == "1")
    elif a[0] == "flood":
        n, ctx = int(a[3]), int(a[4], 0)
        data = stt_header(ctx) + b"\xff" * 6 + b"\x02" + b"\0" * 5 + b"\x88\xb5" + b"\0" * 2968
        for i in range(n):
            send_frame(s, src, dst, 0x70000000 + i, data, order=[0])
    elif a[0] == "macs":
        n, ctx = int(a[3]), int(a[4], 0)
        for i in range(n):
            eth = b"\xff" * 6 + struct.pack("!HI", 0x0200, 0x10000 + i) + b"\x88\xb5" + b"\0" * 46
            send_frame(s, src, dst, 0x60000000 + i, stt_header(ctx) + eth)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
