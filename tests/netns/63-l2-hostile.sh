#!/usr/bin/env bash
# Geneve, GRE-TAP and NVGRE between two fouds, then hostile input to each
# decoder: truncation, bad versions and flags, wrong VNI, key and VSID,
# unknown peers, an unknown critical Geneve option, a tagged NVGRE frame,
# each dropped and counted exactly once under its reason (on the port, the
# raw sockets or the device); a MAC flood fills a table to maxaddress and no
# further while every frame is still delivered. tshark decodes foud's Geneve,
# GRE-TAP and NVGRE (VSID in the key, FlowID from the inner flow: several
# flows, several FlowIDs).
. "$(dirname "$0")/lib.sh"
INJ="python3 $ROOT/tests/tools/inject.py"
C4=192.0.2.3 D4=192.0.2.4
setup_hosts
command -v tshark >/dev/null || skip "tshark missing"
nb ip addr add $C4/24 dev vb
nb ip addr add $D4/24 dev vb
start_foud a
start_foud b
# Geneve and GRE-TAP towards B's first address, NVGRE towards its second,
# so that each wrong key or VSID can only be one device's.
# Geneve with noudpcsum, GRE-TAP, NVGRE and GRE-TAP over FOU and GUE: on the
# BPF path unless foud -D userspace (FOUD_TEST_OPTS); the hostile input below
# reaches the programs first, which hand it to foud to judge and count.
fa link add name gn0 type geneve id 7 remote $B4 maxaddress 16 noudpcsum
fb link add name gn0 type geneve id 7 remote $A4 local $B4 noudpcsum
fa link add name gt0 type gretap remote $B4 local $A4 key 5 maxaddress 8
fb link add name gt0 type gretap remote $A4 local $B4 key 5
fa link add name nv0 type nvgre vsid 5000 remote $C4 local $A4 maxaddress 8
fb link add name nv0 type nvgre vsid 5000 remote $A4 local $C4
fa fou add port 5555 ipproto 47; fb fou add port 5555 ipproto 47
fa link add name gf0 type gretap remote $B4 local $A4 key 9 encap fou encap-sport auto encap-dport 5555
fb link add name gf0 type gretap remote $A4 local $B4 key 9 encap fou encap-sport auto encap-dport 5555
# Over GUE with a fixed source port, and over FOU on the IPv6 underlay (BPF
# needs noencap-udp6-csum there, as for ip6tnl; the default stays userspace).
fa fou add port 5556 gue; fb fou add port 5556 gue
fa link add name gg0 type gretap remote $B4 local $A4 key 10 encap gue encap-sport 7000 encap-dport 5556
fb link add name gg0 type gretap remote $A4 local $B4 key 10 encap gue encap-sport 7000 encap-dport 5556
fa fou add port 5555 ipproto 47 -6; fb fou add port 5555 ipproto 47 -6
fa link add name g6 type gretap remote $B6 local $A6 key 11 encap fou encap-sport auto encap-dport 5555 noencap-udp6-csum
fb link add name g6 type gretap remote $A6 local $B6 key 11 encap fou encap-sport auto encap-dport 5555 noencap-udp6-csum
fa link add name gc0 type gretap remote $B4 local $A4 key 12 encap fou encap-sport auto encap-dport 5555 encap-csum
dev_up a gn0 10.61.0.1/24; dev_up b gn0 10.61.0.2/24
dev_up a gt0 10.62.0.1/24; dev_up b gt0 10.62.0.2/24
dev_up a nv0 10.63.0.1/24; dev_up b nv0 10.63.0.2/24
dev_up a gf0 10.64.0.1/24; dev_up b gf0 10.64.0.2/24
dev_up a gg0 10.65.0.1/24; dev_up b gg0 10.65.0.2/24
dev_up a g6 10.66.0.1/24; dev_up b g6 10.66.0.2/24

# ---- traffic, and what tshark sees -------------------------------------------
na tcpdump -i va -U -n -s 200 -w "$TMP/l2.pcap" "ip proto 47 or udp" 2>"$TMP/cap.err" &
CAP=$!
for _ in $(seq 50); do grep -q listening "$TMP/cap.err" 2>/dev/null && break; sleep 0.1; done
for n in 1 2 3 4 5 6; do
	check "10.6$n.0.0/24: foud A -> foud B ping" na ping -c 2 -i 0.2 -W 2 10.6$n.0.2
done
check "nvgre: TCP 4 MiB, sha256 matches" tcp_transfer a 10.63.0.2 4
# Eight UDP flows through NVGRE: the FlowID follows the inner flow.
for p in $(seq 9001 9008); do echo x | na socat -u - UDP4:10.63.0.2:$p; done
sleep 0.3
kill $CAP; wait $CAP 2>/dev/null
# tf FILTER FIELD... [-d DECODE]: "outer-source value..." of the matching packets, unique.
tf() {
	local filter=$1 e=() d=()
	shift
	while [ $# -gt 0 ]; do
		if [ "$1" = -d ]; then d=(-d "$2"); shift 2; else e+=(-e "$1"); shift; fi
	done
	tshark -r "$TMP/l2.pcap" "${d[@]}" -Y "$filter" -T fields -e ip.src "${e[@]}" 2>/dev/null |
		awk '{ sub(/,.*/, "", $1); $1 = $1; print }' | sort -u | tr '\t\n' ' ;'
}
got=$(tf "geneve && eth.type == 0x0800" geneve.vni geneve.proto_type)
check "tshark: foud's Geneve is VNI 7 carrying Ethernet, both ways: $got" \
	test "$got" = "$A4 0x000007 0x6558;$B4 0x000007 0x6558;"
got=$(tf "gre && !udp && ip.addr == $B4 && eth.type == 0x0800" gre.key gre.proto)
check "tshark: foud's GRE-TAP is key 5 carrying 0x6558, both ways: $got" \
	test "$got" = "$A4 0x00000005 0x6558;$B4 0x00000005 0x6558;"
got=$(tf "ip.addr == $B4 && udp.port == 5555 && gre && eth.type == 0x0800" gre.key gre.proto -d udp.port==5555,gre)
check "tshark: foud's GRE-TAP over FOU (port 5555) is key 9 carrying 0x6558: $got" \
	test "$got" = "$A4 0x00000009 0x6558;$B4 0x00000009 0x6558;"
# tshark has no GUE: the payload is GUE (version 0, protocol 47), then GRE with
# key 10 (port 7000 decoded as data: tshark may take it for AFS).
got=$(tf "udp.dstport == 5556 && ip.src == $A4" udp.srcport data.data -d udp.port==7000,data)
check "tshark: foud's GRE-TAP over GUE leaves from port 7000 as GUE 47, GRE key 10: ${got:0:60}" \
	bash -c "[[ '$got' =~ ^$A4\ 7000\ 002f0000200065580000000a ]]"
tf "gre && ip.src == $A4 && ip.dst == $C4 && udp.dstport >= 9001 && udp.dstport <= 9008" gre.key |
	tr ';' '\n' | awk 'NF { print $2 }' >"$TMP/nvkeys"
check "tshark: foud's NVGRE keys all carry VSID 5000 (0x1388): $(tr '\n' ' ' <"$TMP/nvkeys")" \
	bash -c "[ -s $TMP/nvkeys ] && ! grep -v '^0x001388' $TMP/nvkeys"
check "tshark: 8 inner UDP flows took $(wc -l <"$TMP/nvkeys") distinct FlowIDs (>= 2)" \
	test "$(wc -l <"$TMP/nvkeys")" -ge 2
check "nvgre: foud A learned B's MAC behind $C4" \
	grep -q "^$(nb cat /sys/class/net/nv0/address) dev nv0 dst $C4 self learned" <(fa fdb show dev nv0)
for d in gn0 gt0 nv0 gf0 gg0 g6; do
	check "$d: no drops on A after the traffic" test "$(counter a $d .stats64.rx.dropped)" -eq 0
done

# ---- flooding and static entries on the new kinds ------------------------------
# Head-end replication: gn0 floods to its remote B4 and to C4 (B's foud takes
# both, its Geneve port is the wildcard); every broadcast leaves twice.
fa fdb append 00:00:00:00:00:00 dev gn0 dst $C4
check "geneve: the flood list holds $B4 and $C4" \
	test "$(fa -j fdb show dev gn0 | jq -c '[.[] | select(.mac == "00:00:00:00:00:00") | .dst] | sort')" = "[\"$B4\",\"$C4\"]"
na tcpdump -i va -U -n -s 200 -w "$TMP/her.pcap" "udp port 6081" 2>"$TMP/cap-her.err" &
CAP=$!
for _ in $(seq 50); do grep -q listening "$TMP/cap-her.err" 2>/dev/null && break; sleep 0.1; done
na ping -b -c 3 -i 0.2 -W 1 10.61.0.255 >/dev/null 2>&1
sleep 0.3
kill $CAP; wait $CAP 2>/dev/null
bc() { tshark -r "$TMP/her.pcap" -Y "geneve.vni == 7 && ip.src == $A4 && ip.dst == $1 && eth.dst == ff:ff:ff:ff:ff:ff && icmp" 2>/dev/null | wc -l; }
check "geneve: 3 broadcast pings left once to each of $B4 ($(bc $B4)) and $C4 ($(bc $C4))" \
	test "$(bc $B4):$(bc $C4)" = "3:3"
fa fdb del 00:00:00:00:00:00 dev gn0 dst $C4
# A static entry on GRE-TAP steers B's MAC, and learning never moves it.
bmac=$(nb cat /sys/class/net/gt0/address)
fa fdb del "$bmac" dev gt0
fa fdb add "$bmac" dev gt0 dst $B4
check "gretap: B's MAC is a static entry" grep -q "^$bmac dev gt0 dst $B4 self permanent" <(fa fdb show dev gt0)
check "gretap: traffic follows the static entry" na ping -c 2 -i 0.2 -W 2 10.62.0.2

# ---- hostile input -------------------------------------------------------------
ip4=$($INJ ipv4 10.61.0.2 10.61.0.1 1 64 0000ffff00000000)  # an echo reply: nothing answers it
frame() { printf 'ffffffffffff%s0800%s' "$1" "$ip4"; }   # broadcast from MAC $1
M=020000000001
raw_counter() { # the raw sockets' drop counter of a reason
	fa -s fou show | sed -n 's/^ *raw sockets: RX drops://p' |
		awk -v r="$1" '{ for (i = 1; i < NF; i += 2) if ($i == r) n = $(i + 1) } END { print n + 0 }'
}
get() { # get port|link|raw KEY REASON
	case $1 in
	port) port_counter a "$2" ".drops.rx.$3" ;;
	link) counter a "$2" ".foud.drops.rx.$3" ;;
	raw) raw_counter "$3" ;;
	esac
}
# expect OBJ KEY REASON WHAT -- inject.py ARGS...
expect() {
	local obj=$1 key=$2 reason=$3 what=$4 before after
	shift 5
	before=$(get "$obj" "$key" "$reason")
	nb $INJ "$@"
	sleep 0.2
	after=$(get "$obj" "$key" "$reason")
	check "$what: dropped as $reason on $obj $key ($before -> $after)" test "$after" -eq $((before + 1))
}
delivered() { # delivered DEV WHAT -- inject.py ARGS...
	local dev=$1 what=$2 before after
	shift 3
	before=$(counter a "$dev" .stats64.rx.packets)
	nb $INJ "$@"
	sleep 0.2
	after=$(counter a "$dev" .stats64.rx.packets)
	check "$what: delivered on $dev ($before -> $after)" test "$after" -eq $((before + 1))
}

# Geneve, UDP port 6081: ver|optlen, flags, 0x6558, VNI 7. Zero UDP
# checksums and B's own MAC (learned behind B by the pings), so that on BPF
# each datagram meets the program's checks, not only the learning rule.
GM=$(nb cat /sys/class/net/gn0/address | tr -d :)
check_l2_path gn0 10.61.0.2 3
check_l2_path gt0 10.62.0.2 3
check_l2_path nv0 10.63.0.2 3
check_l2_path gf0 10.64.0.2 3
check_l2_path gg0 10.65.0.2 3
check_l2_path g6 10.66.0.2 3
check "gretap over FOU with encap-csum stays on userspace and says why" \
	grep -q "datapath userspace (encap-csum: BPF cannot checksum the outer UDP" <(fa -d link show gc0)
G=0000655800000700
expect port 6081 too_short "geneve: 4-byte datagram" -- udp0 $B4 $A4 6081 00006558
expect port 6081 too_short "geneve: inner frame shorter than Ethernet" -- udp0 $B4 $A4 6081 ${G}ffff
expect port 6081 too_short "geneve: an option running past Opt Len" -- udp0 $B4 $A4 6081 \
	0100655800000700'0102011f'"$(frame $GM)"
expect port 6081 geneve_version "geneve: version 1" -- udp0 $B4 $A4 6081 4000655800000700"$(frame $GM)"
expect port 6081 geneve_proto "geneve: protocol 0x0800" -- udp0 $B4 $A4 6081 0000080000000700"$(frame $GM)"
expect port 6081 geneve_oam "geneve: O (control) bit" -- udp0 $B4 $A4 6081 0080655800000700"$(frame $GM)"
expect port 6081 geneve_critical "geneve: unknown critical option" -- udp0 $B4 $A4 6081 \
	0140655800000700'01028000'"$(frame $GM)"
expect port 6081 wrong_vni "geneve: VNI 8" -- udp0 $B4 $A4 6081 0000655800000800"$(frame $GM)"
expect link gn0 unknown_peer "geneve: from $C4, no peer of gn0" -- udp0 $C4 $A4 6081 "$G$(frame $GM)"
delivered gn0 "geneve: an unknown non-critical option is skipped" -- udp0 $B4 $A4 6081 \
	0100655800000700'01020100'"$(frame 020000000002)"
# A TAP's receive coalescing takes IPv4/IPv6 frames only: two 0x88B5 frames
# whose payloads read as contiguous TCP segments come in one UDP GSO train
# (one receive batch) and must reach gn0 as the two frames sent, untouched.
amac=$(na cat /sys/class/net/gn0/address | tr -d :)
f1=${amac}02000000000388b5$($INJ tcpseg 10.61.0.2 10.61.0.1 1000 1000)
f2=${amac}02000000000388b5$($INJ tcpseg 10.61.0.2 10.61.0.1 2000 1000)
# tcpdump stops at the second frame, or after 10 s when only one (merged) came.
na timeout 10 tcpdump -c 2 -i gn0 -U -n -w "$TMP/et.pcap" ether proto 0x88b5 2>"$TMP/cap-et.err" &
CAP=$!
for _ in $(seq 50); do grep -q listening "$TMP/cap-et.err" 2>/dev/null && break; sleep 0.1; done
nb $INJ udpgso $B4 $A4 6081 $(( (${#G} + ${#f1}) / 2 )) "$G$f1$G$f2"
wait $CAP 2>/dev/null
got=$(python3 -c 'import sys
d = open(sys.argv[1], "rb").read()[24:]
while d:
    n = int.from_bytes(d[8:12], "little"); print(d[16:16 + n].hex()); d = d[16 + n:]' "$TMP/et.pcap")
check "geneve: two 0x88B5 frames that look like TCP reach gn0 as sent, not merged (frame bytes: $(echo "$got" | awk '{ print length($0) / 2 }' | tr '\n' ' '))" \
	test "$got" = "$f1"$'\n'"$f2"

# GRE-TAP, raw protocol 47: K, 0x6558, key 5.
T=2000655800000005
expect raw - too_short "gre: 2-byte packet" -- raw $B4 $A4 47 2000
expect raw - gre_version "gre: version 1" -- raw $B4 $A4 47 2001655800000005"$(frame $M)"
expect raw - gre_flags "gre: the routing bit" -- raw $B4 $A4 47 6000655800000005"$(frame $M)"
expect raw - gre_key "gretap: key 6 from gt0's peer" -- raw $B4 $A4 47 2000655800000006"$(frame $M)"
expect link gt0 unknown_peer "gretap: key 5 from $D4" -- raw $D4 $A4 47 "$T$(frame $M)"
expect link gt0 gre_csum "gretap: a checksum gt0 was not configured for" -- raw $B4 $A4 47 \
	"$($INJ grecsum a00065580000000000000005"$(frame $M)")"
expect link gt0 too_short "gretap: inner frame shorter than Ethernet" -- raw $B4 $A4 47 ${T}ffff
expect port 5555 gre_key "gretap over FOU: key 8 on port 5555" -- udp $B4 $A4 5555 \
	2000655800000008"$(frame $M)"
# Over FOU from an unknown sender, truncated, or into the GUE port without a
# GUE header: none may reach gf0. gf0's key raw, not over FOU, reaches it, as
# the kernel's gretap with encap fou takes it (its lookup ignores the encap).
delivered gf0 "gretap: gf0's key 9 raw, not over FOU" -- raw $B4 $A4 47 2000655800000009"$(frame 020000000004)"
expect link gf0 unknown_peer "gretap over FOU: key 9 from $D4" -- udp $D4 $A4 5555 \
	2000655800000009"$(frame $M)"
expect port 5555 too_short "gretap over FOU: 6-byte GRE header cut" -- udp $B4 $A4 5555 200065580000
expect link gf0 too_short "gretap over FOU: inner frame shorter than Ethernet" -- udp $B4 $A4 5555 \
	2000655800000009ffff
expect port 5556 auth "gretap over GUE: GRE without its GUE header on port 5556 (read as GUE flags: an HMAC)" -- udp $B4 $A4 5556 \
	200065580000000a"$(frame $M)"

# NVGRE from C: K, 0x6558, VSID 5000 (0x1388) << 8 | FlowID.
expect raw - wrong_vsid "nvgre: VSID 5001" -- raw $C4 $A4 47 20006558001389ab"$(frame $M)"
expect link nv0 gre_seq "nvgre: S flag" -- raw $C4 $A4 47 30006558001388ab00000001"$(frame $M)"
expect link nv0 gre_csum "nvgre: C flag (a valid checksum)" -- raw $C4 $A4 47 \
	"$($INJ grecsum a000655800000000001388ab"$(frame $M)")"
expect link nv0 inner_proto "nvgre: an 802.1Q-tagged inner frame" -- raw $C4 $A4 47 \
	20006558001388ab"ffffffffffff${M}8100000a0800$ip4"
delivered nv0 "nvgre: any FlowID (0xab) with VSID 5000" -- raw $C4 $A4 47 \
	20006558001388ab"$(frame 020000000003)"

# MAC floods: 100 source MACs each, Geneve (maxaddress 16), NVGRE and GRE-TAP (8).
entries() { fa -j fdb show dev "$1" | jq '[.[] | select(.mac != "00:00:00:00:00:00")] | length'; }
refused() { fa -j -d link show "$1" | jq '.[0].foud.fdb_refused'; }
flood() { # flood DEV MAX -- python sender of 100 frames from 100 source MACs
	local dev=$1 max=$2 rx0 k0 r0 n
	shift 3
	rx0=$(counter a "$dev" .stats64.rx.packets) k0=$(entries "$dev") r0=$(refused "$dev")
	nb python3 -c "$*"
	sleep 0.5
	n=$(entries "$dev")
	check "$dev MAC flood: the table holds $n entries, maxaddress $max" test "$n" -eq "$max"
	check "$dev MAC flood: $(( $(refused "$dev") - r0 )) refusals counted, $((100 - (max - k0))) expected" \
		test $(( $(refused "$dev") - r0 )) -eq $((100 - (max - k0)))
	check "$dev MAC flood: every frame was still delivered (+$(( $(counter a "$dev" .stats64.rx.packets) - rx0 )))" \
		test "$(counter a "$dev" .stats64.rx.packets)" -eq $((rx0 + 100))
}
PYF="import socket; ip4 = bytes.fromhex('$ip4')
def fr(i): return bytes.fromhex('ffffffffffff020000000f%02x0800' % i) + ip4"
flood gn0 16 -- "$PYF
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('$B4', 0))
for i in range(100): s.sendto(bytes.fromhex('$G') + fr(i), ('$A4', 6081))"
flood nv0 8 -- "$PYF
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47); s.bind(('$C4', 0))
for i in range(100): s.sendto(bytes.fromhex('20006558001388%02x' % i) + fr(i), ('$A4', 0))"
flood gt0 8 -- "$PYF
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, 47); s.bind(('$B4', 0))
for i in range(100): s.sendto(bytes.fromhex('$T') + fr(i), ('$A4', 0))"
check "geneve still carries traffic" na ping -c 2 -i 0.2 -W 2 10.61.0.2
check "nvgre still carries traffic" na ping -c 2 -i 0.2 -W 2 10.63.0.2
check "gretap still carries traffic" na ping -c 2 -i 0.2 -W 2 10.62.0.2
finish
