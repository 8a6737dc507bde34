#!/usr/bin/env bash
# STT foud to foud (no kernel has STT): ping both ways, learning, TCP
# transfers with frames larger than the path MTU (a big device MTU, then TSO
# super-frames on a 1500 device), handed whole to the kernel's TSO unless -O,
# Wireshark's STT dissector on the segments the kernel cut,
# lost and duplicated segments, a flood of partial frames against the
# bounded reassembly and one from another peer against A's frames (fair
# shares), hostile segments each counted once under a reason, a
# MAC flood against maxaddress; no TCP reset ever on the wire, and foud's
# nftables table gone with the last device and at exit.
. "$(dirname "$0")/lib.sh"
STT="python3 $ROOT/tests/tools/stt.py"
command -v nft >/dev/null || skip "no nft (scripts/install-deps.sh installs nftables)"
command -v tshark >/dev/null || skip "no tshark (scripts/install-deps.sh installs it)"
CTX=0x1234567890
setup_hosts
na ip addr add 192.0.2.3/24 dev va
start_foud a
start_foud b
fa link add name st0 type stt key $CTX remote $B4 local $A4 gso
fb link add name st0 type stt key $CTX remote $A4 local $B4 maxaddress 32
dev_up a st0 10.9.0.1/24; dev_up b st0 10.9.0.2/24
# Every reset leaving A or B, over the whole test.
ip netns exec "$NSA" tcpdump -n -U -i va -w "$TMP/rst.pcap" 'tcp[tcpflags] & tcp-rst != 0' 2>/dev/null &
RSTCAP=$!
sleep 0.5

check "nftables table inet foud_stt installed on A and B" \
	sh -c "ip netns exec $NSA nft list table inet foud_stt && ip netns exec $NSB nft list table inet foud_stt"
check "default MTU 65463, as OVS's STT device" test "$(na ip -j link show st0 | jq .[0].mtu)" -eq 65463
check "ping A -> B over STT" na ping -c 3 -i 0.2 -W 2 10.9.0.2
check "ping B -> A over STT" nb ping -c 3 -i 0.2 -W 2 10.9.0.1
macb=$(nb cat /sys/class/net/st0/address)
check "A learned B's MAC $macb behind $B4" grep -q "^$macb dev st0 dst $B4 self learned" <(fa fdb show dev st0)

# ECN (RFC 6040) on reassembled frames: 3000-byte IPv4/UDP packets to B in
# 4 segments; no segment CE leaves the inner ECT(0) alone, one CE segment
# marks it CE, CE over a not-ECT packet drops it (ecn).
ce_frame() { # ce_frame TOS: B's MAC, an IPv4/UDP packet of 3000 bytes with TOS, as hex
	python3 - "$1" "$macb" <<'PY'
import struct, sys
tos, mac = int(sys.argv[1], 0), bytes.fromhex(sys.argv[2].replace(":", ""))
pl = b"x" * 2972
udp = struct.pack("!HHHH", 40000, 9, 8 + len(pl), 0) + pl
h = struct.pack("!BBHHHBBH4s4s", 0x45, tos, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                bytes([10, 9, 0, 1]), bytes([10, 9, 0, 2]))
s = sum(struct.unpack("!10H", h))
while s >> 16:
    s = (s & 0xFFFF) + (s >> 16)
h = h[:10] + struct.pack("!H", ~s & 0xFFFF) + h[12:]
print((mac + bytes.fromhex("020000000061") + b"\x08\x00" + h + udp).hex())
PY
}
nb tcpdump -i st0 -U -n -c 2 -w "$TMP/ce.pcap" 'udp dst port 9' 2>"$TMP/cap-ce.err" &
CAP=$!
for _ in $(seq 50); do grep -q listening "$TMP/cap-ce.err" 2>/dev/null && break; sleep 0.1; done
na $STT frame $A4 $B4 0x71 $CTX "$(ce_frame 0x02)" mss=1000
na $STT frame $A4 $B4 0x72 $CTX "$(ce_frame 0x02)" mss=1000 ce=2
timeout 3 tail --pid=$CAP -f /dev/null
kill $CAP 2>/dev/null; wait $CAP 2>/dev/null
got=$(tcpdump -n -v -r "$TMP/ce.pcap" 2>/dev/null | grep -o 'tos 0x[0-9a-f]*,[A-Z0-9()]*' | tr '\n' ' ')
check "STT ECN: ECT(0) packets through no CE segment, then one CE segment of 4: $got" \
	test "$got" = "tos 0x2,ECT(0) tos 0x3,CE "
e0=$(counter b st0 .foud.drops.rx.ecn)
na $STT frame $A4 $B4 0x73 $CTX "$(ce_frame 0x00)" mss=1000 ce=3
sleep 0.3
check "STT ECN: a not-ECT packet under one CE segment is dropped as ecn ($e0 -> $(counter b st0 .foud.drops.rx.ecn))" \
	test "$(counter b st0 .foud.drops.rx.ecn)" -eq $((e0 + 1))

rxf=$(counter b st0 .stats64.rx.packets) rxb=$(counter b st0 .stats64.rx.bytes)
rxs=$(port_counter b 7471 .stats64.rx.packets)
# Outer packets longer than the path on A's veth: super-packets for the kernel to cut (TSO).
ip netns exec "$NSA" tcpdump -n -U -i va -w "$TMP/gso.pcap" 'tcp dst port 7471 and greater 1515' 2>/dev/null &
CAP=$!
sleep 0.5
check "8 MiB A -> B, sha256 intact (mtu 65463)" tcp_transfer a 10.9.0.2 8
sleep 0.3; kill $CAP; wait $CAP 2>/dev/null
frames=$(( $(counter b st0 .stats64.rx.packets) - rxf ))
bytes=$(( $(counter b st0 .stats64.rx.bytes) - rxb ))
segs=$(( $(port_counter b 7471 .stats64.rx.packets) - rxs ))
gso=$(tcpdump -n -r "$TMP/gso.pcap" 2>/dev/null | wc -l)
check "frames larger than the path: $frames frames of $((bytes / (frames ? frames : 1))) bytes on average in $segs reads" \
	test $((bytes / frames)) -gt 1500
if [[ " ${FOUD_TEST_OPTS:-} " = *" -O "* ]]; then
	check "offloads off: foud cut every frame, none longer than the path on the wire ($gso), $segs segments" \
		test "$gso" -eq 0 -a "$segs" -gt "$frames"
else
	check "frames handed whole to the kernel's TSO: $gso super-packets on A's veth" test "$gso" -gt 0
fi
# B's st0 has no `gso` (the default): its segments pass the IP stack (netfilter's
# output hook, IPsec, mark routing), none longer than the path on B's veth.
ip netns exec "$NSB" tcpdump -n -U -i vb -w "$TMP/nogso.pcap" 'tcp dst port 7471 and greater 1515' 2>/dev/null &
CAP=$!
sleep 0.5
check "8 MiB B -> A, sha256 intact" tcp_transfer b 10.9.0.1 8
sleep 0.3; kill $CAP; wait $CAP 2>/dev/null
check "nogso (B's default): no super-packet on B's veth ($(tcpdump -n -r "$TMP/nogso.pcap" 2>/dev/null | wc -l))" \
	test "$(tcpdump -n -r "$TMP/nogso.pcap" 2>/dev/null | wc -l)" -eq 0

# TSO on a 1500 device: super-frames sent whole with P and the MSS; Wireshark's view.
# From here to the duplicates, A's veth segments and checksums in software as a
# NIC would: the capture and B see the segments that leave, one by one.
na ip link set st0 mtu 1500; nb ip link set st0 mtu 1500
na ethtool -K va tx off >/dev/null
ip netns exec "$NSA" tcpdump -n -U -i va -w "$TMP/stt.pcap" 'tcp port 7471' 2>/dev/null &
CAP=$!
sleep 0.5
check "ping A -> B (mtu 1500)" na ping -c 2 -i 0.2 -W 2 10.9.0.2
check "2 MiB A -> B, sha256 intact (mtu 1500, TSO)" tcp_transfer a 10.9.0.2 2
sleep 0.3; kill $CAP; wait $CAP 2>/dev/null
# Debian 12's tshark has the STT heuristic on IP; it must run before TCP's port table.
TS=(tshark -r "$TMP/stt.pcap" -o ip.try_heuristic_first:TRUE)
ts_count() { "${TS[@]}" -Y "$1" 2>/dev/null | wc -l; }
ntcp=$(tcpdump -n -r "$TMP/stt.pcap" 'tcp dst port 7471' 2>/dev/null | wc -l)
check "tshark decodes all $ntcp segments as STT" test "$(ts_count stt)" -eq "$ntcp" -a "$ntcp" -gt 100
# Checksums by the TCP dissector: Debian 12's STT dissector (Wireshark 4.0) passes its
# in_cksum result as the expected value, so it calls a right checksum "incorrect,
# should be 0x0000" and a wrong one "should be 0x<right value>".
cs=$(tshark -r "$TMP/stt.pcap" -o tcp.check_checksum:TRUE -T fields -e tcp.checksum.status \
	'tcp.dstport == 7471' 2>/dev/null | sort | uniq -c | tr -s ' \n' ' ')
check "tshark: every segment's TCP checksum is correct (count status:$cs; 1 = good)" \
	test "$cs" = " $ntcp 1 "
ctx=$("${TS[@]}" -Y stt.context_id -T fields -e stt.context_id 2>/dev/null | sort -u | tr '\n' ' ')
check "tshark: context ID of every frame is 0x0000001234567890 ($ctx)" test "$ctx" = "0x0000001234567890 "
tso=$(ts_count 'stt.flags.csum_partial == 1 && stt.mss > 0 && stt.pkt_len > 1500')
if opts_no_offload; then
	check "tshark: no super-frame with offloads off ($tso)" test "$tso" -eq 0
else
	check "tshark: TSO super-frames, partial checksum, MSS, longer than the path ($tso)" test "$tso" -gt 0
fi
check "tshark: reassembled frames carry the inner Ethernet, IPv4 and TCP to port 7000" \
	test "$(ts_count 'stt.reassembled.length > 1500 && eth && tcp.dstport == 7000')" -gt 0
check "tshark: the inner ICMP echo request" test "$(ts_count 'stt && icmp.type == 8')" -ge 2

# Lost segments: B drops every 300th; the frames they belonged to time out.
reasm() { fb -j -s fou show | jq ".[] | select(has(\"stt\")) | .foud.reasm.$1"; }
nb nft -f - <<'EOF'
table inet losstest {
	chain pre {
		type filter hook prerouting priority -350; policy accept;
		tcp dport 7471 numgen inc mod 300 == 0 counter drop
	}
}
EOF
to0=$(reasm timedout) bad0=$(reasm bad)
check "4 MiB A -> B through segment loss, sha256 intact" tcp_transfer a 10.9.0.2 4
lost=$(nb nft list table inet losstest | grep -o 'packets [0-9]*' | cut -d' ' -f2)
nb nft delete table inet losstest
sleep 3.2	# the 2 s reassembly timeout, on the 1 s tick
to=$(( $(reasm timedout) - to0 ))
check "$lost segments lost; the frames left incomplete time out: $to" \
	test "$lost" -gt 0 -a "$to" -ge 1 -a "$to" -le "$lost"
check "reassembly table empty again" test "$(reasm busy)" -eq 0

na ethtool -K va tx on >/dev/null
# Duplicated segments: A sends every 10th twice; the copies are ignored. Only when
# foud cuts the frames itself (-O): its super-packets leave by AF_PACKET, past
# netfilter's output hook, and the kernel's segments after it. The 3-segment frame
# with a duplicate below checks the same in both modes.
if [[ " ${FOUD_TEST_OPTS:-} " = *" -O "* ]]; then
na nft -f - <<'EOF'
table ip duptest {
	chain out {
		type filter hook output priority 0; policy accept;
		tcp dport 7471 numgen inc mod 10 == 0 counter dup to 192.0.2.2
	}
}
EOF
dups0=$(reasm dups)
check "4 MiB A -> B through duplication, sha256 intact" tcp_transfer a 10.9.0.2 4
dupd=$(na nft list table ip duptest | grep -o 'packets [0-9]*' | cut -d' ' -f2)
na nft delete table ip duptest
dups=$(( $(reasm dups) - dups0 ))
# A copy of a frame's last segment arrives after the frame is complete: it opens
# a frame of its own, which times out. Every other copy is a counted duplicate.
check "$dupd segments duplicated, $dups ignored as duplicates" test "$dups" -gt 0 -a "$dups" -le "$dupd"
check "no segment refused as inconsistent" test "$(reasm bad)" -eq "$bad0"
sleep 3.2
check "the late copies' frames time out" test "$(reasm busy)" -eq 0
fi

# One frame in three segments, the middle one twice: delivered once, one duplicate.
big=$(printf 'ffffffffffff020000000051' ; printf '88b5'; head -c 3486 /dev/zero | od -An -tx1 -v | tr -d ' \n')
rx0=$(counter b st0 .stats64.rx.packets) dups0=$(reasm dups)
na $STT frame $A4 $B4 0x51 $CTX "$big" order=0,1,1,2
sleep 0.3
check "3-segment frame with a duplicate: delivered once ($rx0 -> $(counter b st0 .stats64.rx.packets))" \
	test "$(counter b st0 .stats64.rx.packets)" -eq $((rx0 + 1))
check "3-segment frame with a duplicate: one duplicate counted" test "$(reasm dups)" -eq $((dups0 + 1))
to0=$(reasm timedout)
na $STT frame $A4 $B4 0x51 $CTX "$big" order=0
sleep 0.3
check "a stale segment of a delivered frame is not delivered" \
	test "$(counter b st0 .stats64.rx.packets)" -eq $((rx0 + 1)) -a "$(reasm busy)" -eq 1
sleep 3.2
check "the stale segment's frame times out" test "$(reasm timedout)" -eq $((to0 + 1))

# A flood of partial frames from the known peer: the table holds 64 frames, no more.
rss() { awk '/VmRSS/ {print $2}' "/proc/${PIDS[1]}/status"; }
rss0=$(rss) ev0=$(reasm evicted)
na $STT flood $A4 $B4 3000 $CTX
sleep 0.5
check "partial-frame flood: $(reasm busy) of $(reasm slots) slots busy, $(( $(reasm evicted) - ev0 )) evicted" \
	test "$(reasm busy)" -le "$(reasm slots)" -a "$(reasm slots)" -eq 64 -a "$(reasm evicted)" -ge $((ev0 + 3000 - 64))
# The bound: the table's size, and a quarter more for a sanitizer's shadow memory.
grow=$(( $(rss) - rss0 )) bound=$(( $(reasm bytes) * 5 / 4 / 1024 ))
check "partial-frame flood: foud B's memory grew $grow KiB for 8.6 MiB of partial frames (bound $bound KiB)" \
	test "$grow" -le "$bound"
check "traffic flows during the flood's aftermath" na ping -c 2 -i 0.2 -W 2 10.9.0.2
sleep 3.2
check "the flood's frames time out" test "$(reasm busy)" -eq 0

# Fair shares: A begins 3 frames, then a spoofer of B's other peer (192.0.2.4)
# starts 100 it never ends; that peer may hold max(4, 64 / 2) = 32 slots and
# pushes out its own oldest beyond them, never A's: A's frames end whole.
na ip addr add 192.0.2.4/24 dev va
fb link add name st1 type stt key 0x4242 remote 192.0.2.4 local $B4
rx0=$(counter b st0 .stats64.rx.packets) ev0=$(reasm evicted) r0=$(port_counter b 7471 .drops.rx.stt_reasm)
for id in 0x81 0x82 0x83; do na $STT frame $A4 $B4 $id $CTX "$big" order=0; done
na $STT flood 192.0.2.4 $B4 100 $CTX
for id in 0x81 0x82 0x83; do na $STT frame $A4 $B4 $id $CTX "$big" order=1,2; done
# Under load foud may take a while to read them all: wait (bounded) for the three.
for _ in $(seq 50); do
	[ "$(counter b st0 .stats64.rx.packets)" -ge $((rx0 + 3)) ] && break
	sleep 0.1
done
check "A's 3 frames, begun before a flood of 100 partial frames from another peer, delivered ($rx0 -> $(counter b st0 .stats64.rx.packets))" \
	test "$(counter b st0 .stats64.rx.packets)" -eq $((rx0 + 3))
check "the flooding peer holds its share, 32 slots ($(reasm busy) busy), its own 68 oldest evicted ($(( $(reasm evicted) - ev0 )))" \
	test "$(reasm busy)" -eq 32 -a "$(reasm evicted)" -eq $((ev0 + 68))
check "each eviction counted as stt_reasm ($r0 -> $(port_counter b 7471 .drops.rx.stt_reasm))" \
	test "$(port_counter b 7471 .drops.rx.stt_reasm)" -eq $((r0 + 68))
fb link del st1

# Hostile segments from A, each counted once on B under its reason.
small=ffffffffffff02000000005288b5$(head -c 46 /dev/zero | od -An -tx1 -v | tr -d ' \n')
expect() { # expect REASON WHAT stt.py-args...
	local reason=$1 what=$2 before after; shift 2
	before=$(port_counter b 7471 ".drops.rx.$reason")
	na $STT "$@"
	sleep 0.2
	after=$(port_counter b 7471 ".drops.rx.$reason")
	check "$what: dropped as $reason ($before -> $after)" test "$after" -eq $((before + 1))
}
expect too_short "TCP header cut to 10 bytes" frame $A4 $B4 0x61 $CTX "$small" tcplen=10
expect bad_csum "wrong TCP checksum" frame $A4 $B4 0x62 $CTX "$small" badcsum=1
expect stt_version "STT version 1" frame $A4 $B4 0x63 $CTX "$small" version=1
expect stt_flags "checksum verified and partial together" frame $A4 $B4 0x64 $CTX "$small" flags=3
expect no_tunnel "unknown context 0x99" frame $A4 $B4 0x65 0x99 "$small"
expect unknown_peer "from 192.0.2.3, no peer" frame 192.0.2.3 $B4 0x66 $CTX "$small"
# The peer check before reassembly is one hash lookup of (source, local address),
# not a walk over the devices: 200 more STT devices of other peers, then
# 192.0.2.3 a peer by `fdb add` and no longer by `fdb del`; two devices of one
# remote, the first deleted: still a peer until the second goes.
for i in $(seq 200); do
	echo "link add name sp$i type stt key $((0x50000 + i)) remote 198.18.$((i / 200)).$((i % 200 + 1)) local $B4"
done >"$TMP/sp.batch"
fb -b "$TMP/sp.batch"
check "200 more STT devices on B" test "$(fb -j link show | jq '[.[] | select(.ifname | startswith("sp"))] | length')" -eq 200
expect unknown_peer "with 200 STT devices: from 192.0.2.3, no peer" frame 192.0.2.3 $B4 0x70 $CTX "$small"
nb ip link set sp100 up
reaches() { # reaches DEV ID CTX: a small frame from 192.0.2.3 raises DEV's rx by exactly one
	local rx0; rx0=$(counter b "$1" .stats64.rx.packets)
	na $STT frame 192.0.2.3 $B4 "$2" "$3" "$small"
	for _ in $(seq 30); do [ "$(counter b "$1" .stats64.rx.packets)" -gt "$rx0" ] && break; sleep 0.1; done
	test "$(counter b "$1" .stats64.rx.packets)" -eq $((rx0 + 1))
}
fb fdb add 02:00:00:00:00:77 dev sp100 dst 192.0.2.3
check "fdb add ... dev sp100 dst 192.0.2.3: its frame reaches sp100" reaches sp100 0x71 $((0x50000 + 100))
fb fdb del 02:00:00:00:00:77 dev sp100
expect unknown_peer "fdb del: 192.0.2.3 no peer again" frame 192.0.2.3 $B4 0x72 $((0x50000 + 100)) "$small"
fb link add name spx type stt key 0x51000 remote 192.0.2.3 local $B4
fb link add name spy type stt key 0x51001 remote 192.0.2.3 local $B4
fb link del spx
nb ip link set spy up
check "spx and spy of remote 192.0.2.3, spx deleted: a frame still reaches spy" reaches spy 0x73 0x51001
fb link del spy
expect unknown_peer "spy deleted too: 192.0.2.3 no peer" frame 192.0.2.3 $B4 0x74 0x51001 "$small"
sed 's/^link add name \(sp[0-9]*\) .*/link del \1/' "$TMP/sp.batch" >"$TMP/spdel.batch"
fb -b "$TMP/spdel.batch"
na $STT frame $A4 $B4 0x67 $CTX "$big" order=0
expect stt_reasm "a segment whose frame length differs from its frame's" \
	frame $A4 $B4 0x67 $CTX "$big" order=1 framelen=4000
# Reads merged by GRO: one segment carrying several segments' payload (here one the
# kernel fragments and reassembles), its offset as any other's: any length, bounded.
rx0=$(counter b st0 .stats64.rx.packets)
na $STT frame $A4 $B4 0x6b $CTX "$big" pieces=0:1400,1400:2118
sleep 0.2
check "a frame in a 1400-byte segment and a merged one of 2118: delivered once ($rx0 -> $(counter b st0 .stats64.rx.packets))" \
	test "$(counter b st0 .stats64.rx.packets)" -eq $((rx0 + 1))
na $STT frame $A4 $B4 0x6c $CTX "$big" pieces=0:1400
expect stt_reasm "a merged segment (bytes 0-2800) overlapping what its frame holds (0-1400)" \
	frame $A4 $B4 0x6c $CTX "$big" pieces=0:2800
expect too_short "a merged segment (bytes 1400-3518) overrunning its frame's length 3000" \
	frame $A4 $B4 0x6d $CTX "$big" pieces=1400:2118 framelen=3000

# Found by a hash of the context ID's low 32 bits: st2's context shares st0's
# low 32 bits, and each frame still reaches only the device of its whole ID.
C2=0xab34567890
fb link add name st2 type stt key $C2 remote $A4 local $B4
nb ip link set st2 up
both() { echo "$(counter b st0 .stats64.rx.packets) $(counter b st2 .stats64.rx.packets)"; }
read -r s0 s2 <<<"$(both)"
na $STT frame $A4 $B4 0x68 $C2 "$small"
for _ in $(seq 50); do [ "$(both)" = "$s0 $((s2 + 1))" ] && break; sleep 0.1; done
check "context $C2 (st0's low 32 bits): to st2 only ($s0 $s2 -> $(both))" test "$(both)" = "$s0 $((s2 + 1))"
na $STT frame $A4 $B4 0x69 $CTX "$small"
for _ in $(seq 50); do [ "$(both)" = "$((s0 + 1)) $((s2 + 1))" ] && break; sleep 0.1; done
check "context $CTX: to st0 only ($(both))" test "$(both)" = "$((s0 + 1)) $((s2 + 1))"
fb link del st2

# Verify once: the outer TCP checksums foud verified cover the frame, so a
# bad inner TCP checksum is not summed again (the receiver's TCP judges it).
seg=$(python3 "$ROOT/tests/tools/inject.py" tcpseg 10.9.0.1 10.9.0.2 1000 100)
mac=$(nb ip -j link show st0 | jq -r '.[0].address' | tr -d :)
t0=$(counter b st0 .foud.csum_trusted) i0=$(counter b st0 '.foud.drops.rx.inner_csum // 0')
na $STT frame $A4 $B4 0x6a $CTX "${mac}0200000000020800${seg%??}$(printf %02x $((0x${seg: -2} ^ 0xff)))"
for _ in $(seq 30); do [ "$(counter b st0 .foud.csum_trusted)" -gt "$t0" ] && break; sleep 0.1; done
check "a frame with a bad inner TCP checksum: trusted, exactly one ($t0 -> $(counter b st0 .foud.csum_trusted))" \
	test "$(counter b st0 .foud.csum_trusted)" -eq $((t0 + 1))
check "... not dropped by foud as inner_csum" test "$(counter b st0 '.foud.drops.rx.inner_csum // 0')" -eq "$i0"

# A MAC flood: 100 source MACs against maxaddress 32.
n0=$(fb -j fdb show dev st0 | jq '[.[] | select(.mac != "00:00:00:00:00:00")] | length')
rx0=$(counter b st0 .stats64.rx.packets)
na $STT macs $A4 $B4 100 $CTX
sleep 0.5
n=$(fb -j fdb show dev st0 | jq '[.[] | select(.mac != "00:00:00:00:00:00")] | length')
check "MAC flood: the table holds $n entries (had $n0), maxaddress 32" test "$n" -eq 32
check "MAC flood: $((100 - (32 - n0))) refusals counted" \
	test "$(fb -j -d link show st0 | jq '.[0].foud.fdb_refused')" -eq $((100 - (32 - n0)))
check "MAC flood: every frame still delivered" test "$(counter b st0 .stats64.rx.packets)" -eq $((rx0 + 100))
check "STT still carries traffic" na ping -c 2 -i 0.2 -W 2 10.9.0.2

# No resets: none on the wire, and foud's backstop rule never had to drop one.
sleep 0.3; kill $RSTCAP; wait $RSTCAP 2>/dev/null
check "no TCP reset on the wire" test "$(tcpdump -n -r "$TMP/rst.pcap" 2>/dev/null | wc -l)" -eq 0
for h in a b; do
	ns=$NSA; [ $h = b ] && ns=$NSB
	check "host $h: the reset backstop rule counted 0" \
		grep -q 'counter packets 0 ' <(ip netns exec "$ns" nft list table inet foud_stt)
done

# The table goes with the last STT device, and at exit.
fa link del st0
check "A: table inet foud_stt gone with the last STT device" \
	sh -c "! ip netns exec $NSA nft list table inet foud_stt 2>/dev/null"
for p in "${PIDS[@]}"; do
	kill -TERM "$p"; wait "$p"; rc=$?
	check "foud $p exited with $rc" test $rc -eq 0
done
PIDS=()
check "B: table inet foud_stt gone after foud exited" \
	sh -c "! ip netns exec $NSB nft list table inet foud_stt 2>/dev/null"
finish
