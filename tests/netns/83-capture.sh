#!/usr/bin/env bash
# fouctl capture on the userspace path: pcap of both directions that tshark
# reads (IP on a TUN device, Ethernet on a TAP device), to a file or to
# standard output; -c ends it; a reader that stops reading loses records but
# never stalls the tunnel; on the BPF path the programs copy both directions;
# outer shows the packets as the wire carries them (foud's own sends and
# receives on the userspace path, the programs' copies on the BPF path).
. "$(dirname "$0")/lib.sh"
command -v tshark >/dev/null || skip "tshark missing (scripts/install-deps.sh installs it)"
setup_hosts
start_foud a
start_foud b
# tshark (its warning as root left out).
tsh() { tshark "$@" 2>/dev/null; }

for f in fa fb; do $f fou add port 5555 ipproto 4; done
fa link add name t1 type ipip remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555 datapath userspace
fb link add name t1 type ipip remote $A4 local $B4 encap fou encap-sport auto encap-dport 5555 datapath userspace
dev_up a t1 10.1.0.1/24; dev_up b t1 10.1.0.2/24
# The log lines of captures' starts and ends: wait_start N waits for the Nth start.
ended() { grep -c "capture of $1 ended" "$TMP/foud-b.log"; }
wait_start() {
	local i
	for i in $(seq 50); do
		[ "$(grep -c "capture of .* started" "$TMP/foud-b.log")" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# ---- both directions to a file, -c 4 ends it -------------------------------
fb capture t1 -c 4 -w "$TMP/t1.pcap" &
cp=$!
wait_start 1
check "ping 2 over t1 while it is captured" na ping -c 2 -i 0.1 -W 2 10.1.0.2
wait $cp
check "fouctl capture -c 4 ended by itself, exit 0" test $? -eq 0
tsh -r "$TMP/t1.pcap" -T fields -e ip.src -e ip.dst -e icmp.type >"$TMP/t1.txt"
check "tshark reads 4 packets: request in, reply out, twice ($(tr '\t\n' ' ;' <"$TMP/t1.txt"))" \
	test "$(tr '\t\n' ' ;' <"$TMP/t1.txt")" = \
	"10.1.0.1 10.1.0.2 8;10.1.0.2 10.1.0.1 0;10.1.0.1 10.1.0.2 8;10.1.0.2 10.1.0.1 0;"

# ---- to standard output, piped into tshark ----------------------------------------
"$FOUCTL" -S "$TMP/b.sock" capture t1 inner -c 2 -w - | tsh -r - -T fields -e icmp.type >"$TMP/out.txt" &
cp=$!
wait_start 2
na ping -c 1 -W 2 10.1.0.2 >/dev/null
wait $cp
check "-w - | tshark -r -: 2 ICMP packets, request and reply ($(tr '\n' ' ' <"$TMP/out.txt"))" \
	test "$(tr '\n' ' ' <"$TMP/out.txt")" = "8 0 "

# ---- a TAP device: Ethernet ------------------------------------------------------
fa link add name x1 type vxlan id 7 remote $B4 local $A4 dstport 4789
fb link add name x1 type vxlan id 7 remote $A4 local $B4 dstport 4789
dev_up a x1 10.7.0.1/24; dev_up b x1 10.7.0.2/24
fb capture x1 -c 4 -w "$TMP/x1.pcap" &
cp=$!
wait_start 3
na ping -c 1 -W 2 10.7.0.2 >/dev/null
wait $cp
check "vxlan x1: Ethernet frames, ARP and ICMP ($(tsh -r "$TMP/x1.pcap" -T fields -e frame.protocols | tr '\n' ' '))" \
	test "$(tsh -r "$TMP/x1.pcap" -T fields -e frame.protocols | grep -c '^eth:ethertype:\(arp\|ip:icmp\)')" = 4

# ---- outer on the userspace path: VXLAN, the inner ICMP inside -------------------------
fb capture x1 outer -c 2 -w "$TMP/x1o.pcap" &
cp=$!
wait_start 4
check "ping 1 over x1 while its outer packets are captured" na ping -c 1 -W 2 10.7.0.2
wait $cp
tsh -r "$TMP/x1o.pcap" -T fields -e ip.src -e udp.dstport -e vxlan.vni -e icmp.type >"$TMP/x1o.txt"
check "outer vxlan: UDP to 4789, VNI 7 around the request in and the reply out ($(tr '\t\n' ' ;' <"$TMP/x1o.txt"))" \
	test "$(tr '\t\n' ' ;' <"$TMP/x1o.txt")" = \
	"$A4,10.7.0.1 4789 7 8;$B4,10.7.0.2 4789 7 0;"

# TCP over x1: foud sends the TAP's super-frames as UDP GSO trains; the capture has one
# record per datagram as the wire carries it, none longer than the path's 1500 bytes.
na socat -u TCP4-LISTEN:7777,reuseaddr - >/dev/null &
sp=$!
for i in $(seq 50); do na ss -Hltn 'sport = 7777' | grep -q . && break; sleep 0.1; done
fb capture x1 outer -c 30 -w "$TMP/x1t.pcap" &
cp=$!
wait_start 5
head -c 300000 /dev/zero | nb socat -u - TCP4:10.7.0.1:7777
wait $cp
kill $sp 2>/dev/null; wait $sp 2>/dev/null
tsh -r "$TMP/x1t.pcap" -Y "ip.src == $B4 && tcp.len > 0" -T fields -E occurrence=f -e ip.len -e udp.length \
	-e vxlan.vni -e tcp.len | sort | uniq -c >"$TMP/x1t.txt"
check "outer vxlan TCP: data datagrams out, each one record of at most 1500 bytes ($(tr -s ' \t\n' ' ' <"$TMP/x1t.txt"))" \
	test -s "$TMP/x1t.txt" -a "$(awk '$2 > 1500 || $3 != $2 - 20 || $4 != 7 { n++ } END { print n + 0 }' "$TMP/x1t.txt")" = 0

# ---- a reader that stops reading: records lost, the tunnel unharmed ----------------
e0=$(ended t1)
# fouctl writes into a FIFO nobody reads: it blocks, and foud's pipe fills.
mkfifo "$TMP/stall"
exec 7<>"$TMP/stall"
"$FOUCTL" -S "$TMP/b.sock" capture t1 >"$TMP/stall" 2>/dev/null &
sp=$!
wait_start 6
check "300 pings of 1400 bytes (2 x 840 KB captured, unread): all cross" \
	na ping -c 300 -i 0.002 -s 1400 -W 2 -q 10.1.0.2
kill $sp; wait $sp 2>/dev/null
exec 7>&-
for i in $(seq 50); do [ "$(ended t1)" -gt "$e0" ] && break; sleep 0.1; done
check "the reader gone, foud ended the capture: $(grep "capture of t1 ended" "$TMP/foud-b.log" | tail -1 | sed 's/.*ended: //')" \
	grep -q "capture of t1 ended: [0-9]* packets, [1-9][0-9]* lost" <(tail -1 <(grep "capture of t1 ended" "$TMP/foud-b.log"))
check "ping still crosses after it" na ping -c 1 -W 2 10.1.0.2

# ---- outer on the userspace path: IPIP over FOU --------------------------------------
fb capture t1 outer -c 4 -w "$TMP/t1o.pcap" &
cp=$!
wait_start 7
check "ping 2 over t1 while its outer packets are captured" na ping -c 2 -i 0.1 -W 2 10.1.0.2
wait $cp
tsh -r "$TMP/t1o.pcap" -d udp.port==5555,ip -T fields -e ip.src -e ip.dst -e udp.dstport \
	-e icmp.type >"$TMP/t1o.txt"
check "outer fou: UDP to 5555 around request in and reply out, twice ($(tr '\t\n' ' ;' <"$TMP/t1o.txt"))" \
	test "$(tr '\t\n' ' ;' <"$TMP/t1o.txt")" = \
	"$(for i in 1 2; do printf '%s ' "$A4,10.1.0.1" "$B4,10.1.0.2" 5555 "8;$B4,10.1.0.2" "$A4,10.1.0.1" 5555; printf '0;'; done)"

# ---- outer on the userspace path: GRE without encap, raw IP protocol 47 ----------------
fa link add name g4 type gre remote $B4 local $A4 key 4 datapath userspace
fb link add name g4 type gre remote $A4 local $B4 key 4 datapath userspace
dev_up a g4 10.4.0.1/24; dev_up b g4 10.4.0.2/24
fb capture g4 outer -c 2 -w "$TMP/g4o.pcap" &
cp=$!
wait_start 8
check "ping 1 over g4 while its outer packets are captured" na ping -c 1 -W 2 10.4.0.2
wait $cp
tsh -r "$TMP/g4o.pcap" -T fields -e ip.src -e gre.key -e icmp.type >"$TMP/g4o.txt"
check "outer gre: key 4 around the request in and the reply out ($(tr '\t\n' ' ;' <"$TMP/g4o.txt"))" \
	test "$(tr '\t\n' ' ;' <"$TMP/g4o.txt")" = "$A4,10.4.0.1 0x00000004 8;$B4,10.4.0.2 0x00000004 0;"

# The id of B's map foud_capon: the devices the BPF programs copy packets of.
capon_id() {
	local id
	for id in $(grep -h '^map_id:' /proc/"${PIDS[1]}"/fdinfo/* 2>/dev/null | awk '{print $2}' | sort -u); do
		bpftool -j map show id "$id" 2>/dev/null | jq -r 'select(.name == "foud_capon") | .id'
	done
}

# ---- the BPF path: the programs copy both directions --------------------------------
for f in fa fb; do $f fou add port 5556 ipproto 47; done
fa link add name g2 type gre remote $B4 local $A4 key 2 encap fou encap-sport auto encap-dport 5556
fb link add name g2 type gre remote $A4 local $B4 key 2 encap fou encap-sport auto encap-dport 5556
dev_up a g2 10.2.0.1/24; dev_up b g2 10.2.0.2/24
if [ "$(fb -j -d link show g2 | jq -r '.[0].foud.datapath')" = bpf ]; then
	fb capture g2 -c 4 -w "$TMP/g2.pcap" &
	cp=$!
	wait_start 9
	check "ping 2 over g2 (BPF path) while it is captured" na ping -c 2 -i 0.1 -W 2 10.2.0.2
	wait $cp
	tsh -r "$TMP/g2.pcap" -T fields -e ip.src -e ip.dst -e icmp.type >"$TMP/g2.txt"
	check "BPF path: tshark reads both directions ($(tr '\t\n' ' ;' <"$TMP/g2.txt"))" \
		test "$(tr '\t\n' ' ;' <"$TMP/g2.txt")" = \
		"10.2.0.1 10.2.0.2 8;10.2.0.2 10.2.0.1 0;10.2.0.1 10.2.0.2 8;10.2.0.2 10.2.0.1 0;"
	check "g2 still BPF, and its counters saw the pings ($(counter b g2 .stats64.rx.packets))" \
		test "$(counter b g2 .stats64.rx.packets)" -ge 2
	fb capture g2 outer -c 2 -w "$TMP/g2o.pcap" &
	cp=$!
	wait_start 10
	check "ping 1 over g2 while its outer packets are captured" na ping -c 1 -W 2 10.2.0.2
	wait $cp
	# The UDP payload: GRE with key (0x2000), IPv4 (0x0800), key 2, then the inner IPv4 header.
	tsh -r "$TMP/g2o.pcap" -T fields -e ip.src -e udp.dstport -e data.data |
		sed 's/\(\t2000080000000002\)45.*/\1 +inner/' >"$TMP/g2o.txt"
	check "outer: UDP to 5556, GRE key 2 around the request in and the reply out ($(tr '\t\n' ' ;' <"$TMP/g2o.txt"))" \
		test "$(tr '\t\n' ' ;' <"$TMP/g2o.txt")" = \
		"$A4 5556 2000080000000002 +inner;$B4 5556 2000080000000002 +inner;"
	# A capture whose device goes: fouctl ends, and the programs' map forgets the device
	# (g3 keeps the programs loaded).
	fb link add name g3 type gre remote $A4 local $B4 key 3 encap fou encap-sport auto encap-dport 5556
	"$FOUCTL" -S "$TMP/b.sock" capture g2 -w "$TMP/gone.pcap" &
	cp=$!
	wait_start 11
	fb link del g2
	gone=
	for i in $(seq 50); do kill -0 $cp 2>/dev/null || { gone=1; break; }; sleep 0.1; done
	check "link del g2 during its capture: fouctl ends by itself" test -n "$gone"
	wait $cp 2>/dev/null
	capon=$(capon_id)
	check "... and foud_capon (map $capon) is empty again" \
		test -n "$capon" -a "$(bpftool -j map dump id "$capon" 2>/dev/null | jq length)" = 0
else
	echo "# g2 is not on the BPF path here: its capture is not tested"
fi

# Captures from here wait for the start after those so far (the BPF ones above are optional).
started() { grep -c "capture of .* started" "$TMP/foud-b.log"; }
# cap_bg ARGS...: fouctl capture ARGS in the background (pid in $cp), once it has started.
cap_bg() {
	local n
	n=$(started)
	# fouctl itself, not a subshell running it: killing $cp is the reader going away.
	"$FOUCTL" -S "$TMP/b.sock" capture "$@" &
	cp=$!
	wait_start $((n + 1))
}
# tf FILE FIELD...: tshark's fields of each record of FILE, "a b;c d;".
tf() {
	local f=$1
	shift
	tsh -r "$f" -T fields "${@/#/-e}" | tr '\t\n' ' ;'
}
# cap_wait: the capture in $cp ends by itself within 5 s (its exit status), or is ended (1).
cap_wait() {
	local i
	for i in $(seq 50); do
		kill -0 $cp 2>/dev/null || { wait $cp; return; }
		sleep 0.1
	done
	kill $cp; wait $cp 2>/dev/null
	return 1
}

# ---- L2 on the BPF path (VXLAN noudpcsum): the programs copy Ethernet frames and outer packets
fa link add name x2 type vxlan id 8 remote $B4 local $A4 dstport 4789 noudpcsum
fb link add name x2 type vxlan id 8 remote $A4 local $B4 dstport 4789 noudpcsum
dev_up a x2 10.8.0.1/24; dev_up b x2 10.8.0.2/24
if [ "$(fb -j -d link show x2 | jq -r '.[0].foud.datapath')" = bpf ]; then
	# ARP and learning go through foud first; then the programs carry the pings.
	na ping -c 1 -W 2 10.8.0.2 >/dev/null
	x2bpf() { fb -j -s -d link show x2 | jq -r '.[0].foud.bpf_stats64 | "\(.rx.packets // 0) \(.tx.packets // 0)"'; }
	read -r rx0 tx0 < <(x2bpf)
	cap_bg x2 -c 4 -w "$TMP/x2.pcap"
	check "ping 3 over x2 (L2, BPF path) while it is captured" na ping -c 3 -i 0.1 -W 2 10.8.0.2
	cap_wait
	check "fouctl capture x2 -c 4 ended by itself, exit 0" test $? -eq 0
	got=$(tf "$TMP/x2.pcap" frame.protocols ip.src icmp.type)
	check "L2 BPF inner: -c 4 exact of 6, Ethernet frames, request in and reply out twice ($got)" \
		test "$got" = "$(for i in 1 2; do printf 'eth:ethertype:ip:icmp:data 10.8.0.1 8;eth:ethertype:ip:icmp:data 10.8.0.2 0;'; done)"
	read -r rx1 tx1 < <(x2bpf)
	check "... the programs carried them: B's BPF rx $rx0 -> $rx1, tx $tx0 -> $tx1, each up by 3" \
		test $((rx1 - rx0))/$((tx1 - tx0)) = 3/3
	# Two captures of x2 at once: the programs copy each packet twice, outer and inner.
	n=$(started)
	"$FOUCTL" -S "$TMP/b.sock" capture x2 inner -c 2 -w "$TMP/x2i.pcap" &
	ci=$!
	cap_bg x2 outer -c 2 -w "$TMP/x2o.pcap"
	wait_start $((n + 2))
	check "ping 1 over x2 while it is captured twice at once, outer and inner" na ping -c 1 -W 2 10.8.0.2
	cap_wait
	cp=$ci
	cap_wait
	got=$(tf "$TMP/x2i.pcap" ip.src icmp.type)
	check "... the inner capture beside it: request in, reply out ($got)" test "$got" = "10.8.0.1 8;10.8.0.2 0;"
	got=$(tf "$TMP/x2o.pcap" ip.src udp.dstport vxlan.vni icmp.type)
	check "L2 BPF outer: UDP to 4789, VNI 8 around the request in and the reply out ($got)" \
		test "$got" = "$A4,10.8.0.1 4789 8 8;$B4,10.8.0.2 4789 8 0;"
	# The reader goes away (fouctl killed): foud ends the capture, the programs stop copying.
	e0=$(ended x2)
	cap_bg x2 outer -w "$TMP/gone.pcap"
	kill $cp; wait $cp 2>/dev/null
	for i in $(seq 50); do [ "$(ended x2)" -gt "$e0" ] && break; sleep 0.1; done
	capon=$(capon_id)
	check "fouctl capture x2 killed: foud ended it ($(ended x2) ended), foud_capon empty" \
		test "$(ended x2)" -gt "$e0" -a -n "$capon" -a "$(bpftool -j map dump id "$capon" 2>/dev/null | jq length)" = 0
else
	echo "# x2 is not on the BPF path here: its BPF capture is not tested"
fi

# ---- STT outer: the segments as the wire carries them, both directions ----------------
if command -v nft >/dev/null; then
	fa link add name st0 type stt key 0x77 remote $B4 local $A4
	fb link add name st0 type stt key 0x77 remote $A4 local $B4
	dev_up a st0 10.6.0.1/24; dev_up b st0 10.6.0.2/24
	# The veth segments A's super-packets in software, as a NIC would (else it passes them whole).
	na ethtool -K va tx off >/dev/null
	na ping -c 1 -W 2 10.6.0.2 >/dev/null
	cap_bg st0 outer -c 6 -w "$TMP/st0o.pcap"
	check "ping 1 of 3000 bytes over STT st0 while its outer segments are captured" \
		na ping -c 1 -s 3000 -W 2 10.6.0.2
	cap_wait
	check "fouctl capture st0 outer -c 6 ended by itself, exit 0" test $? -eq 0
	got=$(tf "$TMP/st0o.pcap" ip.src tcp.dstport tcp.len)
	# The request's frame (3000 + 28 + 14 + 18 bytes) in 3 segments in from A, the reply's out from B.
	check "STT outer: 3 segments to port 7471 in, 3 out ($got)" \
		test "$got" = "$(for h in $A4 $B4; do printf '%s 7471 1460;%s 7471 1460;%s 7471 140;' $h $h $h; done)"
else
	echo "# no nft: STT's capture is not tested"
fi

fb capture nope >"$TMP/err" 2>&1
rc=$?
check "capture nope: no link \"nope\" (exit $rc)" test $rc -ne 0 -a "$(grep -c 'no link "nope"' "$TMP/err")" = 1
fb capture t1 -c 0 >"$TMP/err" 2>&1
rc=$?
check "capture -c 0: refused naming it (exit $rc)" test $rc -ne 0 -a "$(grep -c '"0"' "$TMP/err")" = 1
finish
