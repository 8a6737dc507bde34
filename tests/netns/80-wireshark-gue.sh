#!/usr/bin/env bash
# The Wireshark GUE dissector (share/wireshark/gue.lua) on foud's own traffic,
# captured on the wire: ipip and GRE-TAP over GUE (ping), GRE over GUE with remote
# checksum offload (the start/offset foud wrote, on the port of the gue.ports
# preference), transports over UDP (the inner TCP without an IP header, its
# ports decoded), TOU over DTLS (the records to Wireshark's DTLS); then crafted datagrams: control messages, variant 1 (IPv4, IPv6),
# every extension of draft-ietf-intarea-gue-extensions-06, and malformed
# headers that must give expert info and leave tshark standing.
. "$(dirname "$0")/lib.sh"
INJ="python3 $ROOT/tests/tools/inject.py"
TOU_RUN=$ROOT/$B/tou-run
command -v tshark >/dev/null || skip "tshark missing"
command -v setpriv >/dev/null || skip "setpriv missing (tests/tools/tshark-gue)"
opts_keep_offload	# remote checksum offload needs the device's partial checksums
setup_hosts
start_foud a
start_foud b

TSHARK="$ROOT/tests/tools/tshark-gue"	# tshark with gue.lua, as nobody
ts() { # ts FILE [tshark options]
	local f=$1; shift
	"$TSHARK" -r "$f" "$@" 2>>"$TMP/tshark.err"
}
# fields FILE FILTER FIELD... [-- tshark options]: one line per frame, fields joined by ';'.
fields() {
	local f=$1 y=$2 e=() o=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do e+=(-e "$1"); shift; done
	[ $# -gt 0 ] && { shift; o=("$@"); }
	ts "$f" "${o[@]}" -Y "$y" -T fields -E separator=';' "${e[@]}"
}
# same_lines WANT COUNT FILE: FILE has COUNT lines (0: at least one), every one WANT.
same_lines() {
	local n
	n=$(wc -l <"$3")
	cat "$3"
	[ "$n" -gt 0 ] && { [ "$2" -eq 0 ] || [ "$n" -eq "$2" ]; } &&
		[ "$(sort -u "$3")" = "$1" ]
}
cap_start() { # cap_start a|b NAME FILTER: capture into $TMP/NAME.pcap
	local ns=$NSA dev=va; [ "$1" = b ] && { ns=$NSB; dev=vb; }
	ip netns exec "$ns" tcpdump -i $dev --immediate-mode -U -n -s 256 -w "$TMP/$2.pcap" "$3" 2>"$TMP/cap-$2.err" &
	CAP=$!
	for _ in $(seq 50); do grep -q listening "$TMP/cap-$2.err" 2>/dev/null && break; sleep 0.1; done
}
cap_stop() { sleep 0.5; kill -INT $CAP; wait $CAP 2>/dev/null; }

check "tshark loads gue.lua: protocol gue with field gue.remcsum.start" bash -c \
	"$TSHARK -G fields | grep -qP '^F\tChecksum start\tgue.remcsum.start\tFT_UINT16\tgue\t'"

# ---- (1) ipip and GRE-TAP over GUE: pings ---------------------------------------
# ping_case KIND NET: a KIND tunnel over GUE port 6080, 3 pings a->b captured
# into $TMP/KIND.pcap; the tunnel is deleted again.
ping_case() {
	local kind=$1 net=$2
	fa link add name t1 type "$kind" remote $B4 local $A4 encap gue encap-sport auto encap-dport 6080
	fb link add name t1 type "$kind" remote $A4 local $B4 encap gue encap-sport auto encap-dport 6080
	dev_up a t1 "$net.1/24"; dev_up b t1 "$net.2/24"
	cap_start b "$kind" "udp port 6080"
	check "$kind over GUE: ping a->b" na ping -c 3 -i 0.2 -W 2 "$net.2"
	cap_stop
	fa link del t1; fb link del t1
}
for f in fa fb; do $f fou add port 6080 gue; done
ping_case ipip 10.81.0
fields "$TMP/ipip.pcap" "icmp.type == 8" gue.version gue.c gue.hlen gue.proto gue.flags ip.proto ip.dst icmp.type >"$TMP/req.txt"
check "ipip/GUE: 3 echo requests, each version 0, C 0, hlen 0, proto 4, flags 0; inner ICMP to 10.81.0.2 ($(head -1 "$TMP/req.txt"))" \
	same_lines "0;0;0;4;0x0000;17,1;192.0.2.2,10.81.0.2;8" 3 "$TMP/req.txt"
fields "$TMP/ipip.pcap" "icmp.type == 0" gue.version gue.hlen gue.proto ip.proto ip.dst >"$TMP/rep.txt"
check "ipip/GUE: 3 echo replies b->a decoded the same way" \
	same_lines "0;0;4;17,1;192.0.2.1,10.81.0.1" 3 "$TMP/rep.txt"
# Ethernet frames through Wireshark's GRE dissector.
ping_case gretap 10.84.0
fields "$TMP/gretap.pcap" "icmp.type == 8" gue.proto gue.hlen gre.proto eth.type ip.dst >"$TMP/gt.txt"
check "gretap/GUE: 3 echo requests, each GUE proto 47, GRE 0x6558, inner Ethernet and IPv4 to 10.84.0.2" \
	same_lines "47;0;0x6558;0x0800,0x0800;192.0.2.2,10.84.0.2" 3 "$TMP/gt.txt"

# ---- (2) GRE over GUE with remote checksum offload ----------------------------
# Linux's form: hlen 2, flags P (0x0001), private flags REMCSUM, then start
# and offset from the start of the GUE payload, which begins with the GRE
# header: start = GRE header + inner IPv4 header (20), offset = start + 16
# (the TCP checksum field). Only datagrams whose inner TCP checksum the
# device left partial carry it (with offloads, those foud sends singly).
for f in fa fb; do $f fou add port 5556 gue; done
rco_case() { # rco_case NAME "GRE options" GRE_HLEN
	local name=$1 opts=$2 start=$(($3 + 20)) n
	# shellcheck disable=SC2086
	fa link add name $name type gre remote $B4 local $A4 $opts encap gue encap-sport auto encap-dport 5556 encap-csum encap-remcsum
	# shellcheck disable=SC2086
	fb link add name $name type gre remote $A4 local $B4 $opts encap gue encap-sport auto encap-dport 5556 encap-csum encap-remcsum
	dev_up a $name 10.82.0.1/24; dev_up b $name 10.82.0.2/24
	cap_start b $name "udp dst port 5556 and src host $A4"
	check "gre${opts:+ $opts} over GUE remcsum: TCP 16 MiB a->b, sha256 matches" tcp_transfer a 10.82.0.2 16
	cap_stop
	fields "$TMP/$name.pcap" "gue.flags.p == 1" gue.hlen gue.flags gue.pflags gue.pflags.remcsum \
		gue.remcsum.start gue.remcsum.offset gre.proto ip.proto tcp.dstport -- -o gue.ports:5556 >"$TMP/$name.txt"
	n=$(wc -l <"$TMP/$name.txt")
	check "gre${opts:+ $opts}/GUE: $n datagrams with RCO, each hlen 2, flags 0x0001, REMCSUM, start $start, offset $((start + 16)), inner TCP to 7000" \
		same_lines "2;0x0001;0x80000000;1;$start;$((start + 16));0x0800;17,6;7000" 0 "$TMP/$name.txt"
	# UDP GSO trains too: each segment its own RCO (the header is fixed-size).
	all=$(fields "$TMP/$name.pcap" "tcp.len > 0" frame.number -- -o gue.ports:5556 | wc -l)
	n=$(fields "$TMP/$name.pcap" "tcp.len > 0 && gue.flags.p == 1" frame.number -- -o gue.ports:5556 | wc -l)
	check "gre${opts:+ $opts}/GUE: RCO on every data datagram of the transfer ($n of $all)" \
		test "$all" -gt 100 -a "$n" -eq "$all"
	fa link del $name; fb link del $name
}
rco_case r1 "" 4
rco_case r2 "key 7 csum" 12
check "gue.ports decides: without -o gue.ports:5556 the same capture has no GUE" \
	test "$(ts "$TMP/r1.pcap" -Y gue | wc -l)" -eq 0
check "... and Decode As (-d udp.port==5556,gue) finds the RCO datagrams too" \
	test "$(ts "$TMP/r1.pcap" -d udp.port==5556,gue -Y 'gue.remcsum.start == 24' | wc -l)" -gt 0

# ---- (3) transports over UDP: GUE proto 6, TCP without an IP header -----------
for f in fa fb; do $f fou del port 6080; done
fa tou add peer $B4; fb tou add peer $A4
cap_start a tou "udp port 6080"
head -c 1048576 /dev/urandom >"$TMP/tou-data"
check "tou-run socat: 1 MiB a:40123 -> b:7001 over TOU" tou_send 30 "$TMP/tou-data" 7001 $B4 sourceport=40123
cap_stop
check "... sha256 matches" cmp -s "$TMP/tou-data" "$TMP/recv"
fields "$TMP/tou.pcap" "ip.src == $A4" gue.version gue.hlen gue.proto ip.proto tcp.srcport tcp.dstport >"$TMP/tou-ab.txt"
check "TOU a->b: $(wc -l <"$TMP/tou-ab.txt") datagrams, each GUE proto 6 with a session id (Hlen 2), no inner IP, TCP 40123 -> 7001" \
	same_lines "0;2;6;17;40123;7001" 0 "$TMP/tou-ab.txt"
fields "$TMP/tou.pcap" "ip.src == $B4" gue.proto ip.proto tcp.srcport tcp.dstport >"$TMP/tou-ba.txt"
check "TOU b->a: $(wc -l <"$TMP/tou-ba.txt") datagrams, each GUE proto 6, TCP 7001 -> 40123" \
	same_lines "6;17;7001;40123" 0 "$TMP/tou-ba.txt"
fields "$TMP/tou.pcap" "tcp.flags.syn == 1" ip.src tcp.srcport tcp.dstport tcp.flags.ack >"$TMP/tou-syn.txt"
check "TOU: the handshake decoded, SYN from a then SYN-ACK from b" \
	test "$(tr '\n' ' ' <"$TMP/tou-syn.txt")" = "$A4;40123;7001;0 $B4;7001;40123;1 "
fa tou del peer $B4; fb tou del peer $A4

# TOU with remote checksum offload: each TCP segment's GUE header carries the
# REMCSUM private flag, start 0 (the TCP header right after GUE) and offset 16
# (its checksum), on every data datagram, UDP GSO trains included; b completes
# the checksums and the bytes arrive intact.
fa tou add peer $B4 remcsum; fb tou add peer $A4 remcsum
cap_start b tourco "udp dst port 6080 and src host $A4"
head -c 8388608 /dev/urandom >"$TMP/tou-rco-data"
check "tou-run socat: 8 MiB a -> b over TOU with remcsum" tou_send 30 "$TMP/tou-rco-data" 7003
cap_stop
check "... sha256 matches" cmp -s "$TMP/tou-rco-data" "$TMP/recv"
fields "$TMP/tourco.pcap" "tcp.len > 0" gue.proto gue.flags.p gue.pflags.remcsum gue.remcsum.start \
	gue.remcsum.offset ip.proto tcp.dstport >"$TMP/tourco.txt"
n=$(wc -l <"$TMP/tourco.txt")
check "TOU remcsum: the capture has the transfer's data datagrams ($n, more than 100)" test "$n" -gt 100
check "TOU remcsum: RCO on every one of them, each GUE proto 6, P, REMCSUM, start 0, offset 16, TCP to 7003" \
	same_lines '6;1;1;0;16;17;7003' "$n" "$TMP/tourco.txt"
fa tou del peer $B4; fb tou del peer $A4

# TOU over DTLS: the transform word names DTLS, and the records are handed to
# Wireshark's DTLS dissector (handshake and application data), no TCP decoded.
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/psk"; echo >>"$TMP/psk")
cap_start a dtls "udp port 6080"
fa tou add peer $B4 dtls psk "$TMP/psk"; fb tou add peer $A4 dtls psk "$TMP/psk"
for _ in $(seq 50); do fa tou show | grep -q "dtls psk established" && break; sleep 0.1; done
check "tou-run socat: 1 MiB a -> b over TOU with DTLS" tou_send 30 "$TMP/tou-data" 7002
cap_stop
fields "$TMP/dtls.pcap" "gue" gue.flags.t gue.proto gue.transform.type gue.transform.proto tcp.srcport \
	>"$TMP/dtls-gue.txt"
check "TOU/DTLS: $(wc -l <"$TMP/dtls-gue.txt") datagrams, each GUE T, proto 59, transform DTLS of protocol 6, no TCP" \
	same_lines "1;59;1;6;" 0 "$TMP/dtls-gue.txt"
fields "$TMP/dtls.pcap" "dtls" dtls.handshake.type dtls.record.content_type >"$TMP/dtls-rec.txt"
check "... the records decoded as DTLS: a ClientHello (1) and application data (23)" \
	bash -c "grep -q '^1[;,]' $TMP/dtls-rec.txt && grep -q ';23' $TMP/dtls-rec.txt"
fa tou del peer $B4; fb tou del peer $A4

# ---- (4, 5) crafted datagrams, one UDP source port each -----------------------
icmp=$($INJ ipv4 10.83.0.1 10.83.0.2 1 64 0800f7ff00000000)
ext=deadbeef4343434343434343$(printf '%04x' $((3 * 8 + 1)))04123456789a01060000
ext=${ext}00140024abcd0064111100000000003201234567
# IPv6 (payload 8, ICMPv6, hop limit 64) 2001:db8:83::1 -> ::2, an echo request.
v6=6000000000083a40$(printf '20010db80083%020x' 1 2)8000000000000000
hmac=0000000700080020$(printf '48%.0s' $(seq 32))
cases=(
	41001 "2007000068656c6c6f"			# control, ctype 7, "hello"
	41002 "20ff00000000abcd00"			# control 255, experiment ID
	41003 "$icmp"					# variant 1, IPv4
	41004 "0e3b9fc1${ext}800000000018002800000000$(printf '00%.0s' $(seq 60))"	# every extension, then P
	41005 "0a044000${hmac}${icmp}"			# SEC 4, HMAC
	41006 "05040000${icmp:0:16}"			# Hlen 5 past the end
	41007 "00040001${icmp}"				# P set, Hlen 0
	41008 "80040000${icmp}"				# variant 2
	41009 "0004"					# 2 bytes
	41010 "00040002${icmp}"				# an unassigned flag
	41011 "$v6"					# variant 1, IPv6
	41012 "00040000${icmp}"				# a plain one after them all
)
cap_start b crafted "udp dst port 6080 and src host $A4"
for ((i = 0; i < ${#cases[@]}; i += 2)); do
	na $INJ udp $A4 $B4 6080 "${cases[i + 1]}" "${cases[i]}"
done
cap_stop
ts "$TMP/crafted.pcap" -T fields -e frame.number >"$TMP/all.txt"; rc=$?
check "crafted: tshark read all $(wc -l <"$TMP/all.txt") datagrams and exited 0" \
	test $rc -eq 0 -a "$(wc -l <"$TMP/all.txt")" -eq 12
at() { fields "$TMP/crafted.pcap" "udp.srcport == $1" "${@:2}"; }
check "control message: C 1, ctype 7, no proto, payload as data 'hello'" \
	test "$(at 41001 gue.c gue.ctype gue.proto data.data)" = "1;7;;68656c6c6f"
check "control message 255: the experiment ID 0x0000abcd" test "$(at 41002 gue.ctype gue.exid)" = "255;0x0000abcd"
check "variant 1: version 1, the UDP payload is the IPv4 packet (ICMP echo to 10.83.0.2)" \
	test "$(at 41003 gue.version gue.hlen ip.proto ip.dst icmp.type)" = "1;;17,1;192.0.2.2,10.83.0.2;8"
check "extensions: group ID, 64-bit cookie, fragment (offset 3, M, proto 4, ID 40 bits), transform (DTLS, 6)" \
	test "$(at 41004 gue.hlen gue.flags gue.group gue.sec gue.frag.offset gue.frag.m gue.frag.orig_proto \
		gue.frag.id gue.transform.type gue.transform.proto)" = \
	"14;0x9fc1;0xdeadbeef;4343434343434343;3;1;4;0x000000123456789a;1;6"
check "extensions: draft RCO 20/36 then Linux RCO 24/40, checksum, NAT checksum, CRC-32C, surplus" \
	test "$(at 41004 gue.remcsum.start gue.remcsum.offset gue.csum gue.csum.coverage gue.nac \
		gue.altcsum.coverage gue.altcsum.crc32c gue.pflags gue.surplus)" = \
	"20,24;36,40;0xabcd;100;0x1111;50;0x01234567;0x80000000;00000000"
check "extensions: proto 59 and a fragment, so no payload dissector ran" \
	test "$(at 41004 gue.proto ip.proto data.len)" = "59;17;60"
check "security HMAC: key 7, payload offset 8, length 32, the HMAC; the payload IPv4 decoded after it" \
	test "$(at 41005 gue.flags.sec gue.sec.key_id gue.sec.payload_offset gue.sec.payload_length gue.sec.hmac ip.dst)" = \
	"4;0x00000007;8;32;$(printf '48%.0s' $(seq 32));192.0.2.2,10.83.0.2"
check "malformed: Hlen 5 past the end gives expert gue.hlen.past_end (its only one), nothing decoded inside" \
	test "$(at 41006 gue.hlen gue.hlen.past_end ip.proto _ws.expert.message)" = "5;1;17;Hlen runs past the end of the packet"
check "malformed: P set but Hlen 0 gives expert gue.hlen.short" \
	test "$(ts "$TMP/crafted.pcap" -Y 'udp.srcport == 41007 && gue.hlen.short && !icmp' | wc -l)" -eq 1
check "malformed: variant 2 gives expert gue.version.unknown" \
	test "$(ts "$TMP/crafted.pcap" -Y 'udp.srcport == 41008 && gue.version == 2 && gue.version.unknown' | wc -l)" -eq 1
check "malformed: 2 bytes give expert gue.short" \
	test "$(ts "$TMP/crafted.pcap" -Y 'udp.srcport == 41009 && gue.short' | wc -l)" -eq 1
check "an unassigned flag (0x0002) is shown as such, with a warning" \
	test "$(at 41010 gue.flags gue.flags.unknown _ws.expert.message)" = "0x0002;0x0001;Unassigned flags set (a receiver drops this)"
check "variant 1, IPv6: version 1, ICMPv6 echo to 2001:db8:83::2" \
	test "$(at 41011 gue.version ipv6.dst icmpv6.type)" = "1;2001:db8:83::2;128"
check "the datagram after them all decodes: proto 4, inner ICMP" test "$(at 41012 gue.proto ip.proto)" = "4;17,1"
check "no Lua error in any dissection" bash -c "! grep -i 'lua' $TMP/tshark.err &&
	test \$($TSHARK -r $TMP/crafted.pcap -Y '_ws.expert.message contains \"Lua\"' | wc -l) -eq 0"
finish
