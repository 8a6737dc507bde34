#!/usr/bin/env bash
# make demo: two namespaces (hosts A and B) joined by one veth, a foud in
# each, an IPIP-over-FOU and a GRE-over-GUE tunnel between them; ping and
# iperf3 across both, then the counters. Everything is removed at the end.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
FOUD=$ROOT/$B/foud FOUCTL=$ROOT/$B/fouctl
NSA=foud-demo-a NSB=foud-demo-b
TMP=$(mktemp -d /tmp/foud-demo.XXXXXX)
PIDS=()
cleanup() {
	kill "${PIDS[@]}" 2>/dev/null; wait 2>/dev/null
	ip netns del $NSA 2>/dev/null; ip netns del $NSB 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
A() { ip netns exec $NSA "$@"; }
Bh() { ip netns exec $NSB "$@"; }
fa() { "$FOUCTL" -S "$TMP/a.sock" "$@"; }
fb() { "$FOUCTL" -S "$TMP/b.sock" "$@"; }
# run A|B CMD...: shows the command as typed on that host, runs it there
# (inside its namespace; fouctl talks to that host's foud).
run() {
	local h=$1; shift
	printf '%s$ %s\n' "$h" "$*"
	if [ "$1" = fouctl ]; then
		shift
		if [ "$h" = A ]; then fa "$@"; else fb "$@"; fi
	elif [ "$h" = A ]; then A "$@"
	else Bh "$@"
	fi
}

[ "$(id -u)" = 0 ] || { echo "demo: run as root (it creates namespaces and TUN devices)"; exit 1; }
ip netns del $NSA 2>/dev/null; ip netns del $NSB 2>/dev/null
say "Two hosts: A 192.0.2.1 and B 192.0.2.2 on one veth"
ip netns add $NSA && ip netns add $NSB
ip link add va netns $NSA type veth peer name vb netns $NSB
A ip addr add 192.0.2.1/24 dev va; Bh ip addr add 192.0.2.2/24 dev vb
A ip link set va up; Bh ip link set vb up; A ip link set lo up; Bh ip link set lo up
# Started directly (not through A/Bh, whose subshell would be what $! names),
# so that the cleanup stops foud itself.
ip netns exec $NSA "$FOUD" -f -S "$TMP/a.sock" 2>"$TMP/a.log" & PIDS+=($!)
ip netns exec $NSB "$FOUD" -f -S "$TMP/b.sock" 2>"$TMP/b.log" & PIDS+=($!)
for _ in $(seq 50); do [ -S "$TMP/a.sock" ] && [ -S "$TMP/b.sock" ] && break; sleep 0.1; done

say "IPIP over FOU (port 5555), exactly as 'ip fou' / 'ip link' would say it"
run A fouctl fou add port 5555 ipproto 4
run B fouctl fou add port 5555 ipproto 4
run A fouctl link add name tun1 type ipip remote 192.0.2.2 local 192.0.2.1 ttl 225 encap fou encap-sport auto encap-dport 5555
run B fouctl link add name tun1 type ipip remote 192.0.2.1 local 192.0.2.2 ttl 225 encap fou encap-sport auto encap-dport 5555

say "GRE (key 42) over GUE (port 6080)"
run A fouctl fou add port 6080 gue
run B fouctl fou add port 6080 gue
run A fouctl link add name gre1 type gre remote 192.0.2.2 local 192.0.2.1 key 42 encap gue encap-sport auto encap-dport 6080
run B fouctl link add name gre1 type gre remote 192.0.2.1 local 192.0.2.2 key 42 encap gue encap-sport auto encap-dport 6080
for d in tun1 gre1; do A sysctl -qw net.ipv6.conf.$d.disable_ipv6=1; Bh sysctl -qw net.ipv6.conf.$d.disable_ipv6=1; done
A ip addr add 10.1.0.1/30 dev tun1; Bh ip addr add 10.1.0.2/30 dev tun1
A ip addr add 10.2.0.1/30 dev gre1; Bh ip addr add 10.2.0.2/30 dev gre1
A ip link set tun1 up; Bh ip link set tun1 up; A ip link set gre1 up; Bh ip link set gre1 up
run A ip -br addr show
fail=0
say "ping across both tunnels"
run A ping -c 3 -i 0.2 10.1.0.2 || fail=1
run A ping -c 3 -i 0.2 10.2.0.2 || fail=1

say "iperf3 across both tunnels (5 s each)"
Bh iperf3 -s -D -1 -p 5201 >/dev/null; sleep 0.5
run A iperf3 -c 10.1.0.2 -p 5201 -t 5 || fail=1
Bh iperf3 -s -D -1 -p 5202 >/dev/null; sleep 0.5
run A iperf3 -c 10.2.0.2 -p 5202 -t 5 || fail=1

say "counters"
run A fouctl -s -d link show
run A fouctl -s fou show
say "$([ $fail = 0 ] && echo "demo OK" || echo "demo FAILED")"
exit $fail
