#!/usr/bin/env bash
# Never nest (CVE-2020-10136): B, the legitimate remote of A's tunnels, sends
# inside them packets for A's own receive points: IPv4 fragments, IPv6 with
# extension headers, a first fragment cut before UDP, frames inside VXLAN and
# GRE-TAP, an STT segment, a raw IPIP packet, a datagram to TOU's port, and a
# TOU datagram carrying an STT segment. Each is dropped on the tunnel as
# nested, the receive point it aims at sees nothing (its counters, the
# forwarding table), and the tunnels still carry traffic. Run under the
# default (BPF where it can) and, by 23-nested-userspace.sh, with -D userspace.
. "$(dirname "$0")/lib.sh"
INJ="python3 $ROOT/tests/tools/inject.py"
NEST="python3 $ROOT/tests/tools/nest.py"
C4=192.0.2.3
setup_hosts
start_foud a
start_foud b
for f in fa fb; do $f fou add port 5555 gue; done
# Receive points on A that no test traffic uses: a FOU port, an IPv6 GUE port.
fa fou add port 5556 ipproto 4
fa fou add port 5557 gue -6
for h in a b; do
	f=f$h l=$A4 r=$B4; [ $h = b ] && l=$B4 r=$A4
	$f link add name g1 type ipip remote $r local $l encap gue encap-sport auto encap-dport 5555
	$f link add name s1 type sit remote $r local $l encap gue encap-sport auto encap-dport 5555
	$f link add name vx0 type vxlan id 42 remote $r local $l dstport 4789
	$f link add name gt0 type gretap remote $r local $l
done
# On A only: an STT device and a plain ipip tunnel towards C, a TOU peer B.
fa link add name st0 type stt key 7 remote $C4 local $A4
fa link add name p1 type ipip remote $C4 local $A4
fa tou add peer $B4
dev_up a g1 10.2.0.1/24; dev_up b g1 10.2.0.2/24
dev_up a s1 10.4.0.1/24 fd00:4::1/64; dev_up b s1 10.4.0.2/24 fd00:4::2/64
dev_up a vx0 10.61.0.1/24; dev_up b vx0 10.61.0.2/24
dev_up a gt0 10.62.0.1/24; dev_up b gt0 10.62.0.2/24
dev_up a st0 10.65.0.1/24
dev_up a p1 10.5.0.1/24
bpf_rx() { fa -j -s -d link show "$1" | jq -r '.[0].foud.bpf_stats64.rx.packets'; }
case " ${FOUD_TEST_OPTS:-} " in
*" userspace "*) check "g1 and s1 on the userspace path" \
	test "$(fa -d link show g1 | grep -c 'datapath userspace')$(fa -d link show s1 | grep -c 'datapath userspace')" = 11 ;;
*) check "g1 and s1 on the BPF path" \
	test "$(fa -d link show g1 | grep -c 'datapath bpf')$(fa -d link show s1 | grep -c 'datapath bpf')" = 11 ;;
esac
check "g1 carries ping before" na ping -c 2 -i 0.2 -W 2 10.2.0.2
case " ${FOUD_TEST_OPTS:-} " in
*" userspace "*) ;;
*) i0=$(bpf_rx g1)
	nb $INJ udp0 $B4 $A4 5555 "00040000$($INJ ipv4 10.2.0.2 10.2.0.1 1 64 0800f7ff00000000)"
	sleep 0.2
	check "an injected packet into g1 is taken by BPF ($i0 -> $(bpf_rx g1))" \
		test "$(bpf_rx g1)" -eq $((i0 + 1)) ;;
esac
check "s1 carries IPv6 ping before" na ping -c 2 -i 0.2 -W 2 fd00:4::2
check "vx0 carries ping before" na ping -c 2 -i 0.2 -W 2 10.61.0.2
check "gt0 carries ping before" na ping -c 2 -i 0.2 -W 2 10.62.0.2

nested() { counter a "$1" .foud.drops.rx.nested; }
# What a receive point took: datagrams of a port, packets and drops of a device.
port_seen() { port_counter a "$1" ' | (.stats64.rx.packets + .stats64.rx.dropped)'; }
dev_seen() { counter a "$1" ' | (.stats64.rx.packets + .stats64.rx.dropped)'; }
tou_seen() { fa -j -s tou show | jq -r '(.device.stats64.rx.packets + .device.stats64.rx.dropped)'; }
no_fdb() { ! fa fdb show dev "$1" | grep -qi "^$2 "; }
# send KIND HEX...: each inner packet from B in one outer packet; into g1 and
# s1 without a UDP checksum, as foud sends, so that A's BPF program judges it.
send() {
	local kind=$1 h; shift
	for h in "$@"; do
		case $kind in
		g1) nb $INJ udp0 $B4 $A4 5555 "00040000$h" ;;
		s1) nb $INJ udp0 $B4 $A4 5555 "00290000$h" ;;
		vx0) nb $INJ udp $B4 $A4 4789 "0800000000002a00$h" ;;
		gt0) nb $INJ raw $B4 $A4 47 "00006558$h" ;;
		tou) nb $INJ udp $B4 $A4 6080 "00060000$h" ;;
		esac
	done
	sleep 0.3
}
# expect DEV N "what": DEV's nested counter rose by exactly N since mark.
mark() { n0=$(nested "$1"); }
expect() {
	local n1; n1=$(nested "$1")
	check "$3: $1 nested $n0 -> $n1 (+$2)" test "$n1" -eq $((n0 + $2))
}

# (a) IPv4 UDP to A's FOU port in two fragments. The first is judged (ports
# in it): +1; the second holds no ports and passes, alone it cannot be
# reassembled.
p0=$(port_seen 5556); mark g1
# shellcheck disable=SC2046
send g1 $($NEST udp 10.2.0.2 10.2.0.1 5556 frag)
expect g1 1 "IPv4 UDP to FOU port 5556, 2 fragments"
check "port 5556 took nothing ($p0 -> $(port_seen 5556))" test "$(port_seen 5556)" -eq "$p0"

# (b) IPv6, destination options, then UDP to the GUE port 5557.
p0=$(port_seen 5557); mark s1
send s1 "$($NEST udp6opt fd00:4::2 fd00:4::1 5557)"
expect s1 1 "IPv6 dst-options + UDP to GUE port 5557"
# (c) An IPv6 first fragment whose chain stops before UDP (RFC 7112): +1,
# the second fragment passes and cannot be reassembled.
mark s1
# shellcheck disable=SC2046
send s1 $($NEST udp6cut fd00:4::2 fd00:4::1 5557)
expect s1 1 "IPv6 first fragment without the UDP header, 2 fragments"
check "port 5557 took nothing ($p0 -> $(port_seen 5557))" test "$(port_seen 5557)" -eq "$p0"

# (d) Inside VXLAN and GRE-TAP frames, from forged MACs, to A's own MACs.
mac_vx=$(na cat /sys/class/net/vx0/address) mac_gt=$(na cat /sys/class/net/gt0/address)
p0=$(port_seen 5556); mark vx0
send vx0 "$($NEST eth "$mac_vx" 02:00:00:00:66:01 "$($NEST udp 10.61.0.2 10.61.0.1 5556)")"
expect vx0 1 "VXLAN frame of IPv4 UDP to FOU port 5556"
check "vx0 learned nothing from it" no_fdb vx0 02:00:00:00:66:01
mark vx0
send vx0 "$($NEST eth "$mac_vx" 02:00:00:00:66:02 "$($NEST udp 10.61.0.2 10.61.0.1 4789)")"
expect vx0 1 "VXLAN frame of IPv4 UDP to VXLAN port 4789"
check "vx0 learned nothing from it" no_fdb vx0 02:00:00:00:66:02
mark gt0
send gt0 "$($NEST eth "$mac_gt" 02:00:00:00:66:03 "$($NEST udp 10.62.0.2 10.62.0.1 5556)")"
expect gt0 1 "GRE-TAP frame of IPv4 UDP to FOU port 5556"
check "gt0 learned nothing from it" no_fdb gt0 02:00:00:00:66:03
check "port 5556 took nothing ($p0 -> $(port_seen 5556))" test "$(port_seen 5556)" -eq "$p0"

# (e) An STT segment (TCP to 7471) from C's address, inside g1.
frame=$($NEST eth ff:ff:ff:ff:ff:ff 02:00:00:00:66:04 "$($NEST udp 10.65.0.3 10.65.0.1 9)")
s0=$(dev_seen st0); mark g1
send g1 "$($NEST stt $C4 $A4 7 "$frame")"
expect g1 1 "STT segment to TCP 7471 inside g1"
check "st0 took nothing ($s0 -> $(dev_seen st0))" test "$(dev_seen st0)" -eq "$s0"
check "st0 learned nothing from it" no_fdb st0 02:00:00:00:66:04

# (f) A raw IPIP packet from C's address, for the plain tunnel p1, inside g1.
icmp=$($INJ ipv4 10.5.0.3 10.5.0.1 1 64 0800f7ff00000000)
r0=$(dev_seen p1); mark g1
send g1 "$($NEST ipip $C4 $A4 "$icmp")"
expect g1 1 "IPIP packet for encap-none p1 inside g1"
check "p1 took nothing ($r0 -> $(dev_seen p1))" test "$(dev_seen p1)" -eq "$r0"

# (g) UDP to TOU's port 6080 inside g1; (h) a TOU datagram (TCP) to STT's port.
t0=$(tou_seen); mark g1
send g1 "$($NEST udp 10.2.0.2 10.2.0.1 6080)"
expect g1 1 "UDP to TOU port 6080 inside g1"
check "tou0 took nothing ($t0 -> $(tou_seen))" test "$(tou_seen)" -eq "$t0"
# (h) TOU carries TCP alone: the segment to STT's port, from B, is nested on tou0.
seg=$($NEST stt $B4 $A4 7 "$frame")
s0=$(dev_seen st0); n0=$(fa -j -s tou show | jq -r .device.drops.rx.nested)
send tou "${seg:40}"
n1=$(fa -j -s tou show | jq -r .device.drops.rx.nested)
check "TOU datagram of TCP to STT's 7471: tou0 nested $n0 -> $n1 (+1)" test "$n1" -eq $((n0 + 1))
check "st0 took nothing ($s0 -> $(dev_seen st0))" test "$(dev_seen st0)" -eq "$s0"

check "g1 still carries ping" na ping -c 2 -i 0.2 -W 2 10.2.0.2
check "s1 still carries IPv6 ping" na ping -c 2 -i 0.2 -W 2 fd00:4::2
check "vx0 still carries ping" na ping -c 2 -i 0.2 -W 2 10.61.0.2
check "gt0 still carries ping" na ping -c 2 -i 0.2 -W 2 10.62.0.2
finish
