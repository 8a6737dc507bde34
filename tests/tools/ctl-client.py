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
  ctl-client.py slow SOCK OUT READY GO
                                    asks for "-j -s -d link show", reads 64 KiB of the
                                    reply, creates READY, reads nothing more until the
                                    file GO exists, then the rest 16 KiB at a time;
                                    writes its stdout part to OUT, prints the frames
                                    and the status
  ctl-client.py cut SOCK BYTES      asks for "-j -s -d link show", reads BYTES of the
                                    reply and closes the connection
  ctl-client.py v1 SOCK             sends "link show" as a fouctl of control protocol
                                    1 (FOU1) does; prints foud's status and message
  ctl-client.py old-foud SOCK READY answers one connection as a foud of protocol 1
                                    (refusing a FOU2 request as malformed)
                                    (SOCK "@name": the abstract socket name)"""
import select
import socket
import struct
import sys
import time

MAGIC = 0x464F5532
MAGIC_V1 = 0x464F5531
FR_OUT, FR_END = 1, 2
F_JSON_STATS_DETAILS = 0x7


def request(flags, words, magic=MAGIC):
    payload = b"".join(w.encode() + b"\0" for w in words)
    return struct.pack("=IIII", magic, flags, len(words), len(payload)) + payload


def frames(got):
    """The frames in got: [(type, payload)], up to the end frame or a cut one."""
    out, off = [], 0
    while off + 12 <= len(got):
        magic, typ, n = struct.unpack("=III", got[off:off + 12])
        if magic != MAGIC or off + 12 + n > len(got):
            break
        out.append((typ, got[off + 12:off + 12 + n]))
        off += 12 + n
        if typ == FR_END:
            break
    return out


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
    fr = frames(got)
    whole = fr and fr[-1][0] == FR_END
    print("%s: %d reply bytes in %d frames" % ("whole" if whole else "cut", len(got), len(fr)))


def slow(path, out, ready, go):
    s = connect(path)
    s.sendall(request(F_JSON_STATS_DETAILS, ["link", "show"]))
    s.settimeout(10)
    got = bytearray()
    while len(got) < 65536:
        d = s.recv(65536 - len(got))
        if not d:
            break
        got += d
    open(ready, "w").close()
    wait_file(go)
    while not frames(bytes(got)) or frames(bytes(got))[-1][0] != FR_END:
        d = s.recv(16384)
        if not d:
            break
        got += d
    fr = frames(bytes(got))
    with open(out, "wb") as f:
        for typ, p in fr:
            if typ == FR_OUT:
                f.write(p)
    status = struct.unpack("=i", fr[-1][1][:4])[0] if fr and fr[-1][0] == FR_END else None
    print("%d frames, %d bytes, status %s" % (len(fr), len(got), status))


def cut(path, nbytes):
    s = connect(path)
    s.sendall(request(F_JSON_STATS_DETAILS, ["link", "show"]))
    s.settimeout(10)
    got = 0
    while got < nbytes:
        d = s.recv(min(65536, nbytes - got))
        if not d:
            break
        got += len(d)
    s.close()
    print("read %d bytes, closed" % got)


def v1(path):
    s = connect(path)
    s.sendall(request(0, ["link", "show"], MAGIC_V1))
    got = read_to_eof(s)
    magic, status, outlen, errlen = struct.unpack("=IiII", got[:16])
    print("magic %08x status %d: %s" % (magic, status, got[16:16 + errlen].decode().strip()))


def old_foud(path, ready):
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(path)
    ls.listen(1)
    open(ready, "w").close()
    ls.settimeout(20)
    c, _ = ls.accept()
    c.recv(65536)
    msg = b"malformed request\n"
    c.sendall(struct.pack("=IiII", MAGIC_V1, -22, 0, len(msg)) + msg)
    c.close()


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
    while len(yes) < 16:        # the end frame with status 0
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
    elif mode == "slow":
        slow(path, sys.argv[3], sys.argv[4], sys.argv[5])
    elif mode == "cut":
        cut(path, int(sys.argv[3]))
    elif mode == "v1":
        v1(path)
    elif mode == "old-foud":
        old_foud(path, sys.argv[3])
    elif mode == "monitor-stuck":
        monitor_stuck(path, sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        idle(path, int(sys.argv[3]), sys.argv[4])
