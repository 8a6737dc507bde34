#!/usr/bin/env python3
"""Misbehaving clients of foud's control socket, for 32-control-socket.sh.

  ctl-client.py trickle SOCK        sends "link show" a byte a second, stops when
                                    foud answers or closes; prints what it sent
  ctl-client.py stuck SOCK SECONDS  sends "-j -s -d link show" whole, reads nothing
                                    for SECONDS, then reads; says whether the reply
                                    came whole or cut
  ctl-client.py idle SOCK N READY   opens N connections, sends nothing, creates
                                    the file READY, waits until foud closes them
  ctl-client.py monitor-stuck SOCK READY GO LAST
                                    (for 34-cli.sh) asks for "monitor fdb", creates
                                    READY once foud said yes, reads nothing until
                                    the file GO exists, then reads up to the line
                                    LAST; prints the count of lines and the last
                                    (SOCK "@name": the abstract socket name)"""
import select
import socket
import struct
import sys
import time

MAGIC = 0x464F5531
F_JSON_STATS_DETAILS = 0x7


def request(flags, words):
    payload = b"".join(w.encode() + b"\0" for w in words)
    return struct.pack("=IIII", MAGIC, flags, len(words), len(payload)) + payload


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect("\0" + path[1:] if path.startswith("@") else path)
    return s


def read_to_eof(s):
    got = b""
    s.settimeout(60)
    while True:
        d = s.recv(65536)
        if not d:
            return got
        got += d


def trickle(path):
    req = request(0, ["link", "show"])
    s = connect(path)
    sent = 0
    for b in req:
        if select.select([s], [], [], 1.0)[0]:
            break               # foud answered or closed before the whole request
        try:
            s.send(bytes([b]))
        except OSError:
            break
        sent += 1
    got = read_to_eof(s)
    print("sent %d of %d bytes, then EOF after %d reply bytes" % (sent, len(req), len(got)))


def stuck(path, seconds):
    s = connect(path)
    s.sendall(request(F_JSON_STATS_DETAILS, ["link", "show"]))
    time.sleep(seconds)
    got = read_to_eof(s)
    _, _, outlen, errlen = struct.unpack("=IiII", got[:16])
    whole = 16 + outlen + errlen
    print("%s: %d of %d reply bytes" % ("cut" if len(got) < whole else "whole", len(got), whole))


def idle(path, n, ready):
    ss = [connect(path) for _ in range(n)]
    open(ready, "w").close()
    closed = 0
    while ss:
        r = select.select(ss, [], [], 30)[0]
        if not r:
            break
        for s in r:
            if not s.recv(4096):
                ss.remove(s)
                closed += 1
    print("%d closed by foud" % closed)


def wait_file(path):
    for _ in range(600):
        try:
            open(path).close()
            return
        except OSError:
            time.sleep(0.1)


def monitor_stuck(path, ready, go, last):
    s = connect(path)
    s.sendall(request(0, ["monitor", "fdb"]))
    s.settimeout(10)
    yes = b""
    while len(yes) < 16:
        yes += s.recv(16 - len(yes))
    open(ready, "w").close()
    wait_file(go)
    got = b""
    while not got.endswith(last.encode() + b"\n"):
        d = s.recv(65536)
        if not d:
            break
        got += d
    lines = got.decode().splitlines()
    print("%d lines, last: %s" % (len(lines), lines[-1] if lines else ""))


if __name__ == "__main__":
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "trickle":
        trickle(path)
    elif mode == "stuck":
        stuck(path, float(sys.argv[3]))
    elif mode == "monitor-stuck":
        monitor_stuck(path, sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        idle(path, int(sys.argv[3]), sys.argv[4])
