#!/usr/bin/env python3
"""Sprays malformed datagrams at foud's UDP ports (the soak test and
tests/netns/50-faults.sh). Bounded by a count and by a time limit.

spray.py DST PORTS COUNT [--kind random|mutate|short|mix] [--seconds S]
         [--seed N] [--src ADDR] [--gre-key K] [--rate PPS]
  DST    the foud host's underlay address (IPv4 or IPv6)
  PORTS  comma-separated UDP ports (fou/gue receive ports)
  COUNT  datagrams to send, in all

Kinds: random (random bytes, 0..1500 long), mutate (valid FOU/GUE/GRE
payloads with flipped bytes, cut or extended), short (a 1-byte datagram,
always the same drop reason), mix (half random, half mutate).
Prints "sent N" (N < COUNT only if the time limit ran out); send errors
from full socket buffers are counted as sent attempts and ignored.
"""
import argparse
import errno
import random
import socket
import struct
import time


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ttl=64):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000, ttl,
                    proto, 0, socket.inet_aton(src), socket.inet_aton(dst))
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def valid_payloads(key):
    """UDP payloads foud would accept on a fou/gue port: the mutation sources."""
    icmp = b"\x08\x00\xf7\xff\x00\x00\x00\x00" + bytes(56)
    inner = ipv4("10.250.0.2", "10.250.0.1", 1, icmp)
    udp_in = ipv4("10.250.0.2", "10.250.0.1", 17,
                  struct.pack("!HHHH", 1234, 9, 8 + 32, 0) + bytes(32))
    gre_k = struct.pack("!HHI", 0x2000, 0x0800, key) + inner
    gre_c = struct.pack("!HHHH", 0x8000, 0x0800, 0, 0) + inner
    gre_c = gre_c[:4] + struct.pack("!H", csum(gre_c)) + gre_c[6:]
    rco = struct.pack("!BBHIHH", 2, 4, 1, 0x80000000, 20, 26) + udp_in
    return [
        inner,                                  # fou ipproto 4
        b"\x00\x04\x00\x00" + inner,            # gue v0 proto 4
        rco,                                    # gue v0 with remcsum
        b"\x00\x2f\x00\x00" + gre_k,            # gue v0 proto 47, keyed GRE
        gre_k, gre_c,                           # fou ipproto 47
        inner,                                  # gue v1 (direct IPv4)
    ]


def mutate(rng, p):
    b = bytearray(p)
    r = rng.random()
    if r < 0.5:
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(min(len(b), 64))
            b[i] = rng.randrange(256)
    elif r < 0.7:
        b = b[:rng.randrange(len(b))]
    elif r < 0.85:
        b += bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    else:
        i = rng.randrange(len(b))
        b[i] ^= 1 << rng.randrange(8)
        b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dst")
    ap.add_argument("ports")
    ap.add_argument("count", type=int)
    ap.add_argument("--kind", default="mix", choices=["random", "mutate", "short", "mix"])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--src", default=None)
    ap.add_argument("--gre-key", type=int, default=0)
    ap.add_argument("--rate", type=float, default=0, help="datagrams per second, 0: as fast as possible")
    a = ap.parse_args()

    rng = random.Random(a.seed)
    fam = socket.AF_INET6 if ":" in a.dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if a.src:
        s.bind((a.src, 0))
    s.setblocking(False)
    ports = [int(p) for p in a.ports.split(",")]
    base = valid_payloads(a.gre_key)
    # A pool of ready datagrams, so that the loop measures foud, not Python.
    pool = []
    for i in range(4096):
        k = a.kind if a.kind != "mix" else ("random" if i % 2 else "mutate")
        if k == "short":
            pool.append(b"\x00")
        elif k == "random":
            pool.append(bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 1500))))
        else:
            pool.append(mutate(rng, rng.choice(base)))
    start = time.monotonic()
    deadline = start + a.seconds
    sent = 0
    while sent < a.count:
        if sent % 128 == 0:
            now = time.monotonic()
            if now > deadline:
                break
            if a.rate > 0 and sent / a.rate > now - start:
                time.sleep(min(sent / a.rate - (now - start), deadline - now))
        try:
            s.sendto(pool[sent % len(pool)], (a.dst, ports[sent % len(ports)]))
        except OSError as e:
            if e.errno in (errno.EAGAIN, errno.ENOBUFS):
                time.sleep(0.0005)
                continue
            if e.errno != errno.ECONNREFUSED:
                raise
        sent += 1
    print("sent %d" % sent)


main()
