#!/usr/bin/env bash
# What the L2 overlays put in the outer headers, foud to foud. Geneve
# options from geneve_opts on every packet (tshark decodes class, type and
# data; the device MTU shrinks by their length; a critical option sets C and
# the receiver, knowing none, drops it as geneve_critical). The outer TTL and
# TOS of GRE-TAP, ip6gretap, NVGRE, Geneve and VXLAN with ttl N, ttl inherit
# (the inner ping's TTL; GRE-TAP's default, as Linux) and tos inherit, read
# by tcpdump -v; ECN of the inner packet encapsulated (RFC 6040); an outer CE
# mark reaches the inner IP header, or drops a not-ECT packet as ecn.
. "$(dirname "$0")/lib.sh"
command -v tshark >/dev/null || skip "tshark missing"
command -v nft >/dev/null || skip "no nft (scripts/install-deps.sh installs nftables)"
setup_hosts
start_foud a
start_foud b

# ---- Geneve options ------------------------------------------------------------
OPTS=0102:01:00112233,ffff:7f:0a0b0c0d0e0f1011	# 8 + 12 bytes, neither critical
fa link add name gn0 type geneve id 7 remote $B4 geneve_opts $OPTS
fb link add name gn0 type geneve id 7 remote $A4 local $B4
fa link add name gc0 type geneve id 8 remote $B4 geneve_opts 0102:81:cafef00d
fb link add name gc0 type geneve id 8 remote $A4 local $B4
# static_arp DEV N: both neighbours of 10.66.N.0/24 known, so no ARP ever crosses DEV.
static_arp() {
	na ip neigh replace 10.66.$2.2 lladdr "$(nb cat /sys/class/net/$1/address)" dev $1 nud permanent
	nb ip neigh replace 10.66.$2.1 lladdr "$(na cat /sys/class/net/$1/address)" dev $1 nud permanent
}
dev_up a gn0 10.66.1.1/24; dev_up b gn0 10.66.1.2/24
dev_up a gc0 10.66.2.1/24; dev_up b gc0 10.66.2.2/24
static_arp gc0 2
check "geneve_opts in fouctl link show: $(fa link show gn0 | head -1)" \
	grep -q " geneve_opts 0102:01:00112233,ffff:7f:0a0b0c0d0e0f1011 " <(fa link show gn0)
got=$(fa -j link show gn0 | jq -c .[0].linkinfo.info_data.geneve_opts)
check "geneve_opts in fouctl -j link show: $got" test "$got" = \
	'[{"class":258,"type":1,"data":"00112233"},{"class":65535,"type":127,"data":"0a0b0c0d0e0f1011"}]'
# 1500 - IPv4 20 - UDP 8 - Geneve 8 - options 20 - Ethernet 14
check "MTU 1430 with 20 bytes of options, 1450 without ($(na cat /sys/class/net/gn0/mtu), $(nb cat /sys/class/net/gn0/mtu))" \
	test "$(na cat /sys/class/net/gn0/mtu):$(nb cat /sys/class/net/gn0/mtu)" = 1430:1450
na tcpdump -i va -U -n -s 300 -w "$TMP/gn.pcap" "udp port 6081" 2>"$TMP/cap-gn.err" &
CAP=$!
for _ in $(seq 50); do grep -q listening "$TMP/cap-gn.err" 2>/dev/null && break; sleep 0.1; done
check "geneve with options: foud A -> foud B ping" na ping -c 3 -i 0.2 -W 2 10.66.1.2
check "geneve with options: TCP 2 MiB A -> B, sha256 matches" tcp_transfer a 10.66.1.2 2
crit0=$(port_counter b 6081 .drops.rx.geneve_critical)
check "geneve with a critical option: B knows none, no answer" \
	sh -c "! ip netns exec $NSA ping -c 2 -i 0.2 -W 1 10.66.2.2"
sleep 0.3
kill $CAP; wait $CAP 2>/dev/null
crit=$(( $(port_counter b 6081 .drops.rx.geneve_critical) - crit0 ))
check "B dropped both critical-option datagrams as geneve_critical ($crit)" test "$crit" -eq 2
# Every Geneve datagram from A carries both options; B's carry none.
TF=(-T fields -E 'separator=|' -e geneve.option.class -e geneve.option.type -e geneve.option.unknown.data)
tshark -r "$TMP/gn.pcap" -Y "ip.src == $A4 && geneve.vni == 7" "${TF[@]}" 2>/dev/null >"$TMP/a.opts"
sort "$TMP/a.opts" | uniq -c | sed 's/^ */# /'
nA=$(wc -l <"$TMP/a.opts")
check "tshark: all $nA Geneve datagrams A -> B carry class 0x0102 type 0x01 data 00112233, class 0xffff type 0x7f data 0a0b0c0d0e0f1011" \
	test "$nA" -gt 10 -a "$(sort -u "$TMP/a.opts")" = "0x0102,0xffff|0x01,0x7f|00112233,0a0b0c0d0e0f1011"
# geneve.option.length: all the options, then each option, header included.
got=$(tshark -r "$TMP/gn.pcap" -Y 'geneve.vni == 7' -T fields -e ip.src -e geneve.flags.critical \
	-e geneve.option.length 2>/dev/null | awk '{ sub(/,.*/, "", $1); $1 = $1; print }' | sort -u | tr '\n' ';')
check "tshark: C flag and option lengths, A's then B's: $got" \
	test "$got" = "$A4 0 20,8,12;$B4 0 0;"
got=$(tshark -r "$TMP/gn.pcap" -Y "geneve.vni == 8" -T fields -e geneve.flags.critical -e geneve.option.class \
	-e geneve.option.type -e geneve.option.unknown.data 2>/dev/null | sort -u | tr '\t\n' ' ;')
check "tshark: the critical option 0x0102 type 0x81 sets C: $got" test "$got" = "1 0x0102 0x81 cafef00d;"

# ---- outer TTL and TOS -----------------------------------------------------------
# One device per case; each pair has its own key, VSID or VNI for the capture filter.
fa link add name gt0 type gretap remote $B4 local $A4 key 1 datapath userspace
fb link add name gt0 type gretap remote $A4 local $B4 key 1
fa link add name gt1 type gretap remote $B4 local $A4 key 2 ttl 50 tos 10
fb link add name gt1 type gretap remote $A4 local $B4 key 2
fa link add name g60 type gretap remote $B6 local $A6 key 3 hoplimit inherit tos inherit
fb link add name g60 type gretap remote $A6 local $B6 key 3
fa link add name nv0 type nvgre vsid 100 remote $B4 local $A4 ttl inherit tos inherit
fb link add name nv0 type nvgre vsid 100 remote $A4 local $B4
fa link add name nv1 type nvgre vsid 101 remote $B4 local $A4 ttl 33
fb link add name nv1 type nvgre vsid 101 remote $A4 local $B4
fa link add name gi0 type geneve id 9 remote $B4 ttl inherit
fb link add name gi0 type geneve id 9 remote $A4 local $B4
fa link add name vx0 type vxlan id 42 remote $B4 local $A4 ttl inherit tos inherit
fb link add name vx0 type vxlan id 42 remote $A4 local $B4
# vx1 on the BPF path (noudpcsum): its default TTL comes from the program, as
# the GRE-TAP and NVGRE devices' but gt0. The ECN checks below keep A's gt0, vx0
# and gi0 on userspace: the CE marks come from A's nftables output hook, which
# BPF's transmit does not pass (B's programs hand CE-marked packets to foud).
fa link add name vx1 type vxlan id 43 remote $B4 local $A4 noudpcsum
fb link add name vx1 type vxlan id 43 remote $A4 local $B4 noudpcsum
n=10
for d in gt0 gt1 g60 nv0 nv1 gi0 vx0 vx1; do
	n=$((n + 1))
	dev_up a $d 10.66.$n.1/24; dev_up b $d 10.66.$n.2/24
	# No ARP: every frame A sends is the ping's, so every outer header is one of them.
	static_arp $d $n
done
check "gretap shows its default ttl inherit: $(fa link show gt0 | head -1)" grep -q " ttl inherit" <(fa link show gt0)
check "gretap shows ttl 50 tos 0x10" grep -q " ttl 50 tos 0x10 " <(fa link show gt1)
check "vxlan shows ttl inherit tos inherit" grep -q " ttl inherit tos inherit " <(fa link show vx0)
check "vxlan without ttl shows ttl auto" grep -q " ttl auto " <(fa link show vx1)
na tcpdump -i va -U -n -s 200 -w "$TMP/ttl.pcap" "src host $A4 or src host $A6" 2>"$TMP/cap-ttl.err" &
CAP=$!
for _ in $(seq 50); do grep -q listening "$TMP/cap-ttl.err" 2>/dev/null && break; sleep 0.1; done
n=10
for d in gt0 gt1 g60 nv0 nv1 gi0 vx0 vx1; do
	n=$((n + 1))
	# TTL 37, DSCP 0x28 and ECT(0): what inherit takes, and the ECN that always crosses.
	check "$d: ping with TTL 37 and TOS 0x2a" na ping -c 2 -i 0.2 -W 2 -t 37 -Q 0x2a 10.66.$n.2
done
sleep 0.3
kill $CAP; wait $CAP 2>/dev/null
# outer FILTER: the outer "tos/class ttl/hlim" of A's packets, unique, from tcpdump -v.
outer() {
	tcpdump -n -v -r "$TMP/ttl.pcap" "$1" 2>/dev/null | grep -E '^[0-9]' | sed -E \
		-e 's/^.* IP \(tos ([^,]+)(,(ECT\([01]\)|CE))?, ttl ([0-9]+),.*/\1 \4/' \
		-e 's/^.* IP6 \((class ([^,]+), )?(flowlabel [^,]+, )?hlim ([0-9]+),.*/\2 \4/' |
		sort | uniq -c | awk '{ print $2, $3 " x" $1 }' | tr '\n' ';'
}
# outer_is WHAT FILTER "TOS TTL": every outer header A sent is that, 2 of them.
outer_is() {
	local got
	got=$(outer "$2")
	check "$1: outer $got want $3 x2" test "$got" = "$3 x2;"
}
tcpdump -n -v -r "$TMP/ttl.pcap" "ip proto 47 and ip[24:4] = 1" 2>/dev/null | head -4 | sed 's/^/# /'
outer_is "gretap, default ttl inherit: TTL 37 as the inner ping, ECT(0)" "ip proto 47 and ip[24:4] = 1" "0x2 37"
outer_is "gretap ttl 50 tos 10: TTL 50, DSCP 0x10 with the inner ECT(0)" "ip proto 47 and ip[24:4] = 2" "0x12 50"
outer_is "ip6gretap hoplimit inherit tos inherit: hop limit 37, class 0x2a" "ip6 and ip6[6] = 47 and ip6[44:4] = 3" "0x2a 37"
outer_is "nvgre ttl inherit tos inherit: TTL 37, TOS 0x2a" "ip proto 47 and ip[24:4] & 0xffffff00 = 0x6400" "0x2a 37"
outer_is "nvgre ttl 33: TTL 33, DSCP 0, the inner ECT(0)" "ip proto 47 and ip[24:4] & 0xffffff00 = 0x6500" "0x2 33"
outer_is "geneve ttl inherit: TTL 37" "udp dst port 6081 and udp[12:4] = 0x900" "0x2 37"
outer_is "vxlan ttl inherit tos inherit: TTL 37, TOS 0x2a" "udp dst port 4789 and udp[12:4] = 0x2a00" "0x2a 37"
outer_is "vxlan without ttl: TTL 64" "udp dst port 4789 and udp[12:4] = 0x2b00" "0x2 64"

# After the outer headers are read: the capture may still be running.
check_l2_path vx1 10.66.18.2 2
check_l2_path gt1 10.66.12.2 2
check_l2_path g60 10.66.13.2 2
check_l2_path nv1 10.66.15.2 2

# ---- ECN decapsulation (RFC 6040) --------------------------------------------------
# A's outer headers leave CE-marked; B's foud marks the inner packet CE, or
# drops it (ecn) when the inner packet is not ECT.
na nft -f - <<'EOF'
table ip cetest {
	chain out {
		type filter hook output priority 0; policy accept;
		ip protocol 47 ip ecn set ce
		udp dport { 4789, 6081 } ip ecn set ce
	}
}
EOF
for dn in gt0:11 gi0:16 vx0:17; do
	d=${dn%:*} n=${dn#*:}
	nb tcpdump -i $d -U -n -v -c 1 -w "$TMP/ce-$d.pcap" icmp 2>"$TMP/cap-$d.err" &
	CAP=$!
	for _ in $(seq 50); do grep -q listening "$TMP/cap-$d.err" 2>/dev/null && break; sleep 0.1; done
	check "$d: ping under outer CE, inner ECT(0)" na ping -c 1 -W 2 -Q 0x02 10.66.$n.2
	timeout 3 tail --pid=$CAP -f /dev/null
	kill $CAP 2>/dev/null; wait $CAP 2>/dev/null
	got=$(tcpdump -n -v -r "$TMP/ce-$d.pcap" 2>/dev/null | grep -o 'tos 0x[0-9a-f]*,[A-Z]*' | head -1)
	check "$d: the packet B's foud wrote to $d is CE-marked ($got)" test "$got" = "tos 0x3,CE"
	e0=$(counter b $d .foud.drops.rx.ecn)
	check "$d: ping under outer CE, inner not-ECT: dropped" sh -c "! ip netns exec $NSA ping -c 1 -W 1 10.66.$n.2"
	check "$d: counted once as ecn on B ($e0 -> $(counter b $d .foud.drops.rx.ecn))" \
		test "$(counter b $d .foud.drops.rx.ecn)" -eq $((e0 + 1))
done
na nft delete table ip cetest
check "traffic flows again without CE" na ping -c 1 -W 2 10.66.11.2
finish
