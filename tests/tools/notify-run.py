#!/usr/bin/env python3
"""notify-run.py LOG CMD [ARGS...]: runs CMD as a service manager would for
Type=notify: a datagram socket LOG.sock is its NOTIFY_SOCKET, and every line
it sends is appended to LOG. When READY=1 arrives, the devices that exist at
that moment ("ip -o link", in this namespace) are counted and logged as
"links-at-ready=N" (names matching LINK_RE, default ^s[0-9]+$). SIGTERM and
SIGHUP go to CMD; exits with CMD's status after reading what it sent. With
UNTIL_STOPPING=1 (CMD forks a daemon and exits), it reads on after CMD's
exit until STOPPING=1 arrives (at most a minute)."""
import os, re, select, signal, socket, subprocess, sys

log_path, cmd = sys.argv[1], sys.argv[2:]
link_re = re.compile(os.environ.get("LINK_RE", r"^s[0-9]+$"))
sock_path = log_path + ".sock"
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sock_path)
log = open(log_path, "a", buffering=1)


def links():
    out = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
    names = [l.split(": ")[1].split("@")[0] for l in out.splitlines() if ": " in l]
    return sum(1 for n in names if link_re.match(n))


def read_all():
    s.setblocking(False)
    while True:
        try:
            msg = s.recv(65536).decode()
        except BlockingIOError:
            return
        lines = [l for l in msg.split("\n") if l]
        for l in lines:
            log.write(l + "\n")
        if "READY=1" in lines:
            log.write("links-at-ready=%d\n" % links())


child = subprocess.Popen(cmd, env=dict(os.environ, NOTIFY_SOCKET=sock_path))
log.write("pid=%d\n" % child.pid)
for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
    signal.signal(sig, lambda n, f: child.send_signal(n))
while child.poll() is None:
    try:
        r, _, _ = select.select([s], [], [], 0.2)
    except InterruptedError:
        continue
    if r:
        read_all()
read_all()
if os.environ.get("UNTIL_STOPPING") == "1":
    s.setblocking(True)
    s.settimeout(60)
    while not open(log_path).read().count("STOPPING=1\n"):
        try:
            select.select([s], [], [])
        except InterruptedError:
            continue
        read_all()
log.write("exit=%d\n" % child.returncode)
sys.exit(child.returncode)
