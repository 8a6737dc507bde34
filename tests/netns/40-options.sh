#!/usr/bin/env bash
# Tunnel options end to end: GRE key/csum/seq and a key mismatch, GUE remote
# checksum offload as it appears on the wire, asymmetric FOU one way and GUE
# the other, offloads turned off, fixed and automatic UDP source ports.
. "$(dirname "$0")/lib.sh"
PCAP="python3 $ROOT/tests/tools/pcap-udp.py"
setup_hosts
start_foud a
start_foud b -O
for f in fa fb; do $f fou add port 5555 ipproto 4; $f fou add port 5556 ipproto 47; $f fou add port 6080 gue; done

# GRE with key, checksum and sequence numbers, both ways.
fa link add name k1 type gre remote $B4 local $A4 key 7 csum seq encap fou encap-sport auto encap-dport 5556
fb link add name k1 type gre remote $A4 local $B4 key 7 csum seq encap fou encap-sport auto encap-dport 5556
dev_up a k1 10.4.0.1/24; dev_up b k1 10.4.0.2/24
check "gre key 7 csum seq: ping a->b" na ping -c 3 -i 0.2 -W 2 10.4.0.2
check "gre key 7 csum seq: TCP 16 MiB, sha256 matches" tcp_transfer a 10.4.0.2 16
check "gre key 7 csum seq: no receive drops on b" test "$(counter b k1 .stats64.rx.dropped)" -eq 0
fa link del k1; fb link del k1

# A key mismatch: b's tunnel wants key 8, a sends 7; nothing matches at b.
fa link add name k2 type gre remote $B4 local $A4 key 7 encap fou encap-sport auto encap-dport 5556
fb link add name k2 type gre remote $A4 local $B4 key 8 encap fou encap-sport auto encap-dport 5556
dev_up a k2 10.5.0.1/24; dev_up b k2 10.5.0.2/24
before=$(port_counter b 5556 .drops.rx.no_tunnel)
check "gre key 7 to a tunnel keyed 8 does not pass" bash -c "! ip netns exec $NSA ping -c 2 -i 0.2 -W 1 10.5.0.2"
check "... and b counts both under no_tunnel" test "$(port_counter b 5556 .drops.rx.no_tunnel)" -eq $((before + 2))
fa link del k2; fb link del k2

# GUE with remote checksum offload: the header Linux emits, and intact bytes.
fa link add name r1 type ipip remote $B4 local $A4 encap gue encap-sport auto encap-dport 6080 encap-csum encap-remcsum
fb link add name r1 type ipip remote $A4 local $B4 encap gue encap-sport auto encap-dport 6080 encap-csum encap-remcsum
dev_up a r1 10.6.0.1/24; dev_up b r1 10.6.0.2/24
nb timeout 20 tcpdump -i vb -n -U -w "$TMP/rco.pcap" -c 200 "udp dst port 6080 and src host $A4" 2>/dev/null &
tp=$!
sleep 1
check "gue remcsum: TCP 16 MiB a->b, sha256 matches" tcp_transfer a 10.6.0.2 16
wait $tp 2>/dev/null
$PCAP "$TMP/rco.pcap" >"$TMP/rco.txt"
nrco=$(grep -c ' 0204000180000000' "$TMP/rco.txt") nall=$(wc -l <"$TMP/rco.txt")
if opts_no_offload; then
	# As the kernel: no partial checksum from the device, nothing to offload.
	check "gue remcsum, offloads off: a checksums whole, no REMCSUM option ($nrco of $nall)" \
		test "$nrco" -eq 0 -a "$nall" -gt 0
else
	check "gue remcsum: a sent GUE hlen=2, flags P, private REMCSUM ($nrco of $nall)" \
		test "$nrco" -gt 0
fi
check "gue remcsum: every such packet has a UDP checksum" \
	test -z "$(awk '$3 == 0 && $4 ~ /^0204000180000000/' "$TMP/rco.txt")"
check "gue remcsum: no receive drops on b" test "$(counter b r1 .stats64.rx.dropped)" -eq 0
fa link del r1; fb link del r1

# Asymmetric: a sends FOU to 5555, b answers with GUE to 6080.
fa link add name as1 type ipip remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555
fb link add name as1 type ipip remote $A4 local $B4 encap gue encap-sport auto encap-dport 6080
dev_up a as1 10.7.0.1/24; dev_up b as1 10.7.0.2/24
check "asymmetric fou one way, gue back: ping" na ping -c 3 -i 0.2 -W 2 10.7.0.2
check "asymmetric: TCP 16 MiB b->a (b runs with offloads off), sha256 matches" tcp_transfer b 10.7.0.1 16
check "b's device reports offload off" test "$(fb -j -d link show as1 | jq -r '.[0].foud.offload')" = false
a_offload=true; opts_no_offload && a_offload=false
check "a's device reports offload $a_offload" test "$(fa -j -d link show as1 | jq -r '.[0].foud.offload')" = $a_offload
fa link del as1; fb link del as1

# Source ports: a fixed one, and auto spreading flows over the local range.
# flows N: one UDP datagram per flow 1..N (then flows 1 and 2 again) from a.
flows() {
	local p
	for p in "$@"; do
		echo x | na socat -u - UDP4:10.8.0.2:$((7000 + p)),sourceport=$((8000 + p))
		sleep 0.05
	done
}
capture_sports() { # capture_sports FILE COUNT, then run flows; prints the outer source ports
	nb timeout 15 tcpdump -i vb -n -U -w "$1" -c "$2" "udp dst port 5555 and src host $A4" 2>/dev/null &
	local tp=$!
	sleep 1
	flows 1 2 3 4 5 6 7 8 1 2
	wait $tp 2>/dev/null
	$PCAP "$1" | awk '{print $1}'
}
read -r lo hi < <(nb cat /proc/sys/net/ipv4/ip_local_port_range)
fa link add name s1 type ipip remote $B4 local $A4 encap fou encap-sport 4500 encap-dport 5555
fb link add name s1 type ipip remote $A4 local $B4 encap fou encap-sport auto encap-dport 5555
dev_up a s1 10.8.0.1/24; dev_up b s1 10.8.0.2/24
mapfile -t sp < <(capture_sports "$TMP/sp1.pcap" 10)
check "fixed encap-sport 4500: all ${#sp[@]} datagrams leave from 4500 ($(printf '%s\n' "${sp[@]}" | sort -u | tr '\n' ' '))" \
	test "$(printf '%s\n' "${sp[@]}" | sort -u | tr -d '\n')" = 4500 -a "${#sp[@]}" -eq 10
fa link del s1
fa link add name s1 type ipip remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555
dev_up a s1 10.8.0.1/24
mapfile -t sp < <(capture_sports "$TMP/sp2.pcap" 10)
distinct=$(printf '%s\n' "${sp[@]:0:8}" | sort -u | wc -l)
inrange=$(printf '%s\n' "${sp[@]}" | awk -v lo="$lo" -v hi="$hi" '$1 >= lo && $1 < hi' | wc -l)
check "auto: 8 flows leave on $distinct distinct source ports (${sp[*]})" test "$distinct" -ge 6
check "auto: all ${#sp[@]} ports inside ip_local_port_range [$lo, $hi)" test "$inrange" -eq "${#sp[@]}" -a "${#sp[@]}" -eq 10
check "auto: a flow keeps its port (flow 1: ${sp[0]:-} = ${sp[8]:-}, flow 2: ${sp[1]:-} = ${sp[9]:-})" \
	test "${sp[0]:-x}" = "${sp[8]:-y}" -a "${sp[1]:-x}" = "${sp[9]:-y}"
finish
