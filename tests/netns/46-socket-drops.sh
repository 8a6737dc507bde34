#!/usr/bin/env bash
# Drops in the kernel, before foud reads: foud B is stopped (SIGSTOP) while a
# flood of UDP datagrams fills its FOU and VXLAN port sockets; after SIGCONT,
# `fouctl -s fou show` counts the kernel's drops at each socket (SO_RXQ_OVFL,
# SO_MEMINFO) and the tunnels still carry traffic.
. "$(dirname "$0")/lib.sh"
setup_hosts
start_foud a; start_foud b
BPID=${PIDS[1]}
# A stopped foud would ignore the SIGTERM of the cleanup.
trap 'kill -CONT $BPID 2>/dev/null; cleanup' EXIT
for h in a b; do
	f=fa l=$A4 r=$B4 n=1; [ $h = b ] && { f=fb; l=$B4; r=$A4; n=2; }
	$f fou add port 5555 ipproto 4
	$f link add name t1 type ipip remote $r local $l encap fou encap-sport auto encap-dport 5555
	$f link add name vx0 type vxlan id 42 remote $r local $l dstport 4789
	dev_up $h t1 10.1.0.$n/24
	dev_up $h vx0 10.9.0.$n/24
done
check "before: ping over t1" na ping -c 1 -W 2 10.1.0.2
check "before: ping over vx0" na ping -c 1 -W 2 10.9.0.2
sd() { port_counter b "$1" .sock_drops; }
check "before: no socket drops on b's ports 5555 ($(sd 5555)) and 4789 ($(sd 4789))" \
	test "$(sd 5555)" -eq 0 -a "$(sd 4789)" -eq 0

# 30000 and 40000 datagrams of 1400 bytes: more than a 16 MiB receive queue holds (~14500).
flood() {
	na timeout 20 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
data = bytes(1400)
for port in (5555, 4789):
    sent = 0
    while sent < (30000 if port == 5555 else 40000):
        try:
            s.sendto(data, (sys.argv[1], port)); sent += 1
        except BlockingIOError:
            pass
' "$B4"
}
kill -STOP "$BPID"
flood; rc=$?
kill -CONT "$BPID"
check "the flood was sent while foud b was stopped" test $rc -eq 0
sleep 0.5
check "after: b counts kernel drops at port 5555 ($(sd 5555))" test "$(sd 5555)" -gt 0
check "after: b counts kernel drops at port 4789 ($(sd 4789))" test "$(sd 4789)" -gt 0
check "after: each socket its own count (4789 got 10000 more datagrams)" test "$(sd 4789)" -gt "$(sd 5555)"
check "after: text output names them" grep -q "socket drops (receive queue full) [1-9]" <(fb -s fou show)
check "after: ping over t1" na ping -c 2 -i 0.2 -W 2 10.1.0.2
check "after: ping over vx0" na ping -c 2 -i 0.2 -W 2 10.9.0.2
check "after: TCP 4 MiB over vx0, sha256 matches" tcp_transfer a 10.9.0.2 4
finish
