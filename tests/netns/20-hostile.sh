#!/usr/bin/env bash
# Hostile input: each malformed datagram is dropped and counted under its own
# reason, exactly once, and the tunnels still carry traffic afterwards.
. "$(dirname "$0")/lib.sh"
INJ="python3 $ROOT/tests/tools/inject.py"
setup_hosts
nb ip addr add 192.0.2.3/24 dev vb
start_foud a
start_foud b
for f in fa fb; do
	$f fou add port 5555 gue
	$f fou add port 5556 ipproto 47
done
fa fou add port 5557 gue peer $B4 peer_port 6000
fa link add name g1 type ipip remote $B4 local $A4 encap gue encap-sport auto encap-dport 5555
fb link add name g1 type ipip remote $A4 local $B4 encap gue encap-sport auto encap-dport 5555
fa link add name r1 type gre remote $B4 local $A4 encap fou encap-sport auto encap-dport 5556
fb link add name r1 type gre remote $A4 local $B4 encap fou encap-sport auto encap-dport 5556
dev_up a g1 10.2.0.1/24; dev_up b g1 10.2.0.2/24
dev_up a r1 10.3.0.1/24; dev_up b r1 10.3.0.2/24
check "ipip/gue carries traffic before" na ping -c 2 -i 0.2 -W 2 10.2.0.2
check "gre/fou carries traffic before" na ping -c 2 -i 0.2 -W 2 10.3.0.2

icmp=$($INJ ipv4 10.2.0.2 10.2.0.1 1 64 0800f7ff00000000)
icmp6in4=$($INJ ipv4 10.2.0.2 10.2.0.1 1 64 0800f7ff00000000 | sed 's/^45/65/')
badsum=$(echo "$icmp" | sed 's/^\(.\{20\}\)..../\1dead/')
nested=$($INJ ipv4 10.2.0.2 10.2.0.1 17 64 "$(printf '1f9015b3000c0000%s' 41414141)")

# expect_drop "what" port|link NAME-OR-PORT REASON HEX [SRC [DPORT [SPORT [TOS]]]]
expect_drop() {
	local what=$1 obj=$2 key=$3 reason=$4 hex=$5 src=${6:-$B4} port=${7:-5555} sport=${8:-0} tos=${9:-0}
	local before after tb ta
	if [ "$obj" = port ]; then
		before=$(port_counter a "$key" ".drops.rx.$reason"); tb=$(port_counter a "$key" .stats64.rx.dropped)
	else
		before=$(counter a "$key" ".foud.drops.rx.$reason"); tb=$(counter a "$key" .stats64.rx.dropped)
	fi
	nb $INJ udp "$src" $A4 "$port" "$hex" "$sport" "$tos"
	sleep 0.2
	if [ "$obj" = port ]; then
		after=$(port_counter a "$key" ".drops.rx.$reason"); ta=$(port_counter a "$key" .stats64.rx.dropped)
	else
		after=$(counter a "$key" ".foud.drops.rx.$reason"); ta=$(counter a "$key" .stats64.rx.dropped)
	fi
	check "$what: dropped as $reason ($before -> $after, total $tb -> $ta)" \
		test "$after" -eq $((before + 1)) -a "$ta" -eq $((tb + 1))
}

expect_drop "1-byte GUE datagram" port 5555 too_short 00
expect_drop "empty GUE datagram" port 5555 too_short ""
expect_drop "GUE variant 2" port 5555 gue_version "80040000$icmp"
expect_drop "GUE unknown flag" port 5555 gue_flags "00040002$icmp"
expect_drop "GUE P flag without Hlen room" port 5555 gue_hlen "00040001$icmp"
expect_drop "GUE Hlen past the packet" port 5555 too_short "1f040000$icmp"
expect_drop "GUE control message" port 5555 gue_control "20000000$icmp"
expect_drop "GUE proto 0" port 5555 gue_proto "00000000$icmp"
expect_drop "GUE unknown private flag" port 5555 gue_flags "0104000140000000$icmp"
expect_drop "GUE remcsum offset past the packet" port 5555 remcsum "0204000180000000fff0fff0$icmp"
expect_drop "GUE remcsum offset before start" port 5555 remcsum "020400018000000000160002$icmp"
expect_drop "GUE v1 with IP version 5" port 5555 gue_version "$(echo "$icmp" | sed 's/^45/55/')"
expect_drop "GRE version 1" port 5556 gre_version "00010800$icmp" "$B4" 5556
expect_drop "GRE routing bit" port 5556 gre_flags "40000800$icmp" "$B4" 5556
expect_drop "GRE bad checksum" port 5556 bad_csum "800008001234000000$icmp" "$B4" 5556
expect_drop "GUE from an unknown peer" port 5555 unknown_peer "00040000$icmp" 192.0.2.3
expect_drop "port bound to peer, wrong source port" port 5557 unknown_peer "00040000$icmp" "$B4" 5557
expect_drop "GUE proto 41 to an ipip-only peer" port 5555 no_tunnel "00290000$icmp"
expect_drop "inner IPv4 with a bad header checksum" link g1 bad_csum "00040000$badsum"
expect_drop "inner IPv6 in an ipip tunnel (GUE v0 proto 4)" link g1 inner_proto "00040000$icmp6in4"
expect_drop "nested: inner UDP to our own port 5555" link g1 nested "00040000$nested"
expect_drop "outer CE over a not-ECT inner packet" link g1 ecn "00040000$icmp" "$B4" 5555 0 3
rx0=$(counter a g1 .stats64.rx.packets)
nb $INJ udp $B4 $A4 5557 "00040000$icmp" 6000
sleep 0.2
check "port bound to peer $B4:6000 takes its datagram (g1 rx $rx0 -> $(counter a g1 .stats64.rx.packets))" \
	test "$(counter a g1 .stats64.rx.packets)" -eq $((rx0 + 1))

check "ipip/gue still carries traffic" na ping -c 2 -i 0.2 -W 2 10.2.0.2
check "gre/fou still carries traffic" na ping -c 2 -i 0.2 -W 2 10.3.0.2
check "foud a still answers" fa link show g1
finish
