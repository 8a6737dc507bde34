#!/usr/bin/env bash
# Drops in the kernel, before foud reads: foud B is stopped (SIGSTOP) while a
# flood of UDP datagrams fills its FOU and VXLAN port sockets; after SIGCONT,
# `fouctl -s fou show` counts the kernel's drops at each socket (SO_RXQ_OVFL,
# SO_MEMINFO) and the tunnels still carry traffic. Then the sending side: foud A
# stopped while a burst overflows t2's TUN queue (its TX dropped); foud doubles
# the queue once a drain finds it over half full, and the same burst then all
# crosses.
. "$(dirname "$0")/lib.sh"
setup_hosts
start_foud a; start_foud b
APID=${PIDS[0]} BPID=${PIDS[1]}
# A stopped foud would ignore the SIGTERM of the cleanup.
trap 'kill -CONT $APID $BPID 2>/dev/null; cleanup' EXIT
for h in a b; do
	f=fa l=$A4 r=$B4 n=1; [ $h = b ] && { f=fb; l=$B4; r=$A4; n=2; }
	$f fou add port 5555 ipproto 4
	$f link add name t1 type ipip remote $r local $l encap fou encap-sport auto encap-dport 5555
	$f link add name vx0 type vxlan id 42 remote $r local $l dstport 4789
	# t2 on the userspace path: its packets go through its TUN queue.
	$f fou add port 5556 ipproto 47
	$f link add name t2 type gre remote $r local $l encap fou encap-sport auto encap-dport 5556 \
		datapath userspace
	dev_up $h t1 10.1.0.$n/24
	dev_up $h t2 10.2.0.$n/24
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

# 1500 datagrams of 64 bytes into t2 while foud a does not read it.
burst() {
	kill -STOP "$APID"
	na timeout 20 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(1500):
    s.sendto(bytes(36), (sys.argv[1], 9))
' 10.2.0.2; local rc=$?
	kill -CONT "$APID"
	return $rc
}
sysv() { "n$1" cat "/sys/class/net/t2/$2"; }
at_least() { [ "$(sysv "$1" "$2")" -ge "$3" ]; }
upto() { # upto SECONDS command...: polls until the command succeeds
	local i
	for ((i = 0; i < $1 * 10; i++)); do "${@:2}" && return 0; sleep 0.1; done
	return 1
}
check "t2's TUN queue starts at foud's 1000" test "$(sysv a tx_queue_len)" -eq 1000
d0=$(sysv a statistics/tx_dropped)
check "a burst of 1500 sent while foud a was stopped" burst
check "t2 in a dropped what its queue of 1000 could not hold ($(($(sysv a statistics/tx_dropped) - d0)))" \
	test "$(sysv a statistics/tx_dropped)" -gt "$d0"
check "foud a doubled t2's queue to 2000 after draining it" \
	upto 5 at_least a tx_queue_len 2000
d1=$(sysv a statistics/tx_dropped) r1=$(sysv b statistics/rx_packets)
check "the same burst again while foud a was stopped" burst
check "all 1500 reach b's t2" \
	upto 5 at_least b statistics/rx_packets $((r1 + 1500))
check "t2 in a dropped none of them ($(($(sysv a statistics/tx_dropped) - d1)))" \
	test "$(sysv a statistics/tx_dropped)" -eq "$d1"
check "after: ping over t2" na ping -c 1 -W 2 10.2.0.2
# A length the operator chose is theirs: the same overflow leaves it as set.
na ip link set t2 txqueuelen 600
d2=$(sysv a statistics/tx_dropped)
check "with the operator's txqueuelen 600, a burst while foud a was stopped" burst
check "t2 in a dropped what 600 could not hold ($(($(sysv a statistics/tx_dropped) - d2)))" \
	test "$(sysv a statistics/tx_dropped)" -gt "$d2"
check "after: ping over t2, so foud a drained it" na ping -c 1 -W 2 10.2.0.2
check "foud a left the operator's 600 ($(sysv a tx_queue_len))" test "$(sysv a tx_queue_len)" -eq 600
finish
