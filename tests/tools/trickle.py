#!/usr/bin/env python3
"""A paced TCP sender, to keep a connection busy while something changes under it.

trickle.py data N SIZE                    writes what `send` sends: N chunks of SIZE bytes,
                                          chunk i all bytes i % 256
trickle.py send HOST PORT N SIZE PAUSE    connects, sends them with PAUSE seconds between chunks
"""
import socket
import sys
import time


def chunks(n, size):
    return (bytes([i % 256]) * size for i in range(n))


def main(a):
    if a[0] == "data":
        for c in chunks(int(a[1]), int(a[2])):
            sys.stdout.buffer.write(c)
    elif a[0] == "send":
        s = socket.create_connection((a[1], int(a[2])), timeout=5)
        for c in chunks(int(a[3]), int(a[4])):
            s.sendall(c)
            time.sleep(float(a[5]))
        s.close()
    else:
        sys.exit(__doc__)


main(sys.argv[1:])
