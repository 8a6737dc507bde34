#!/usr/bin/env bash
# Hostile input to foud's VXLAN: each bad datagram dropped under its reason,
# exactly once; learning never moves a static entry; a MAC flood fills the
# table to maxaddress and no further, and traffic still flows; the BPF
# program floods a broadcast to every destination where the underlay
# forwards, foud where it does not; a frame the BPF path strips, bridged out
# and segmented by software, arrives intact; a big maxaddress costs no memory
# up front.
. "$(dirname "$0")/lib.sh"
INJ="python3 $ROOT/tests/tools/inject.py"
setup_hosts
nb ip addr add 192.0.2.3/24 dev vb
start_foud a
start_foud b
# noudpcsum: on BPF unless foud -D userspace (FOUD_TEST_OPTS), where
# every bad datagram must still reach foud's reasons, not vanish in the programs.
fa link add name vx0 type vxlan id 42 remote $B4 local $A4 dstport 4789 maxaddress 16 noudpcsum
fb link add name vx0 type vxlan id 42 remote $A4 local $B4 dstport 4789 noudpcsum
dev_up a vx0 10.9.0.1/24; dev_up b vx0 10.9.0.2/24
check "vxlan carries traffic before" na ping -c 2 -i 0.2 -W 2 10.9.0.2
check_l2_path vx0 10.9.0.2 3

ip4=$($INJ ipv4 10.9.0.2 10.9.0.1 1 64 0000ffff00000000)  # an echo reply: nothing answers it
frame() { printf 'ffffffffffff%s0800%s' "$1" "$ip4"; }  # broadcast from MAC $1
hdr=0800000000002a00                                      # I flag, VNI 42

# expect port|link KEY REASON HEX [SRC]
expect() {
	local obj=$1 key=$2 reason=$3 hex=$4 src=${5:-$B4} before after what
	what=$6
	if [ "$obj" = port ]; then before=$(port_counter a "$key" ".drops.rx.$reason")
	else before=$(counter a "$key" ".foud.drops.rx.$reason"); fi
	# Zero UDP checksum, as VXLAN senders do: on a veth a checksummed one goes
	# to foud's socket, this one meets the BPF program's checks first.
	nb $INJ udp0 "$src" $A4 4789 "$hex"
	sleep 0.2
	if [ "$obj" = port ]; then after=$(port_counter a "$key" ".drops.rx.$reason")
	else after=$(counter a "$key" ".foud.drops.rx.$reason"); fi
	check "$what: dropped as $reason ($before -> $after)" test "$after" -eq $((before + 1))
}
expect port 4789 too_short 0800 "$B4" "4-byte VXLAN datagram"
expect port 4789 too_short "${hdr}ffff" "$B4" "inner frame shorter than an Ethernet header"
expect port 4789 vxlan_flags "0000000000002a00$(frame 020000000001)" "$B4" "I flag clear"
expect port 4789 wrong_vni "0800000000002b00$(frame 020000000001)" "$B4" "unknown VNI 43"
expect link vx0 unknown_peer "$hdr$(frame 020000000001)" 192.0.2.3 "from 192.0.2.3, no peer of vx0"

# Never nest: from a known sender and MAC (B's, learned by the pings), a
# frame whose IPv4 packet is UDP to foud's own VXLAN port.
bmac=$(nb cat /sys/class/net/vx0/address | tr -d :)
nest=$(printf 'ffffffffffff%s0800%s' "$bmac" "$($INJ ipv4 10.9.0.2 10.9.0.1 17 64 04d212b5000c000001020304)")
expect link vx0 nested "$hdr$nest" "$B4" "UDP to port 4789 inside"

# A static entry is never moved by learning.
fa fdb add 02:00:00:00:09:09 dev vx0 dst 192.0.2.3
expect link vx0 fdb_static "$hdr$(frame 020000000909)" "$B4" "static MAC seen behind another remote"
check "the static entry still points at 192.0.2.3" \
	grep -q "^02:00:00:00:09:09 dev vx0 dst 192.0.2.3 self permanent" <(fa fdb show dev vx0)

# A MAC flood: 100 source MACs, maxaddress 16.
# The kernel's side may send a frame of its own meanwhile (ARP, ND): the flood's
# frames are counted by their source MACs 02:00:00:00:01:xx on vx0.
rx0=$(counter a vx0 .stats64.rx.packets)
for i in $(seq 100); do printf -v m '0200000001%02x' "$i"; echo "$hdr$(frame "$m")"; done >"$TMP/flood"
na timeout 20 tcpdump -i vx0 -U -n -w "$TMP/flood.pcap" 'ether[6:4] = 0x02000000 and ether[10] = 0x01' \
	2>"$TMP/flood-cap.err" &
cap=$!
for _ in $(seq 50); do grep -q listening "$TMP/flood-cap.err" 2>/dev/null && break; sleep 0.1; done
nb python3 -c "
import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('$B4',0))
for l in open('$TMP/flood'): s.sendto(bytes.fromhex(l.strip()),('$A4',4789))"
sleep 0.5
kill -INT "$cap" 2>/dev/null; wait "$cap" 2>/dev/null
nflood=$(tcpdump -n -r "$TMP/flood.pcap" 2>/dev/null | wc -l)
n=$(fa -j fdb show dev vx0 | jq '[.[] | select(.mac != "00:00:00:00:00:00")] | length')
check "MAC flood: the table holds $n entries, maxaddress 16" test "$n" -eq 16
# 16 slots: the kernel's MAC (from the pings), the static one, 14 of the flood.
check "MAC flood: 86 refusals counted ($(fa -j -d link show vx0 | jq '.[0].foud.fdb_refused'))" \
	test "$(fa -j -d link show vx0 | jq '.[0].foud.fdb_refused')" -eq 86
check "MAC flood: every frame was still delivered ($nflood of 100 on vx0, rx +$(( $(counter a vx0 .stats64.rx.packets) - rx0 )))" \
	test "$nflood" -eq 100 -a "$(counter a vx0 .stats64.rx.packets)" -ge $((rx0 + 100))
check "vxlan still carries traffic" na ping -c 2 -i 0.2 -W 2 10.9.0.2

# Ageing 2 s, by foud from the programs' receive times: 16 replies over 4 s
# all cross in BPF (an entry aged out in between would send one to foud).
fa link add name va2 type vxlan id 77 remote $B4 local $A4 dstport 4789 ageing 2 noudpcsum
fb link add name va2 type vxlan id 77 remote $A4 local $B4 dstport 4789 noudpcsum
dev_up a va2 10.9.7.1/24; dev_up b va2 10.9.7.2/24
na ping -c 1 -W 2 10.9.7.2 >/dev/null
bm=$(nb cat /sys/class/net/va2/address)
r0=$(l2_bpf_packets va2 rx)
na ping -c 16 -i 0.25 -W 2 10.9.7.2 >/dev/null
r1=$(l2_bpf_packets va2 rx)
if [ "$(fa -j -d link show va2 | jq -r '.[0].foud.datapath')" = bpf ]; then
	check "ageing 2: 16 replies in 4 s all through BPF ($r0 -> $r1)" test $((r1 - r0)) -eq 16
fi
check "ageing 2: B's MAC is learned while it talks" grep -q "^$bm dev va2 dst $B4 self learned" <(fa fdb show dev va2)
for _ in $(seq 50); do grep -q "^$bm " <(fa fdb show dev va2) || break; sleep 0.1; done
check "ageing 2: silent, B's MAC is gone within 5 s" bash -c "! grep -q '^$bm ' <(\"$FOUCTL\" -S $TMP/a.sock fdb show dev va2)"

# ---- flooding in the program ---------------------------------------------------
# Broadcast to both flood destinations (the remote and an all-zero entry for
# B's second address), each frame cloned per destination by the program. Its
# next hops come from the kernel's FIB lookup, which answers only where the
# underlay device forwards: A's va does here. The first flood resolves the
# neighbours through foud's userspace path.
case " ${FOUD_TEST_OPTS:-} " in *" -D userspace "*) ;; *)
na sysctl -qw net.ipv4.conf.va.forwarding=1
nb sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
fa fdb append 00:00:00:00:00:00 dev vx0 dst 192.0.2.3
na ping -b -c 1 -W 1 10.9.0.255 >/dev/null 2>&1
for _ in $(seq 30); do na ip neigh show 192.0.2.3 | grep -q lladdr && break; sleep 0.1; done
t0=$(l2_bpf_packets vx0 tx) a0=$(counter a vx0 .stats64.tx.packets) r0=$(counter b vx0 .stats64.rx.packets)
check "flood: 3 broadcast pings answered" na ping -b -c 3 -i 0.2 -W 1 10.9.0.255
t1=$(l2_bpf_packets vx0 tx) a1=$(counter a vx0 .stats64.tx.packets) r1=$(counter b vx0 .stats64.rx.packets)
# Both of B's addresses reach its vx0 (a VXLAN socket takes its port on every address).
check "flood: the program sent each to both destinations ($t0 -> $t1 of $a0 -> $a1), B's vx0 got 6 ($r0 -> $r1)" \
	test "$((t1 - t0))/$((a1 - a0))/$((r1 - r0))" = 6/6/6
check "flood: fouctl -d -j names nothing that BPF leaves to foud" \
	test "$(fa -j -d link show vx0 | jq -c '.[0].foud.bpf_to_foud')" = "[]"
# Nine flood destinations, one more than the program's list holds: foud floods, and says so.
for i in $(seq 10 16); do fa fdb append 00:00:00:00:00:00 dev vx0 dst 192.0.2.$i; done
t0=$(l2_bpf_packets vx0 tx)
na ping -b -c 1 -W 1 10.9.0.255 >/dev/null 2>&1
check "flood: 9 destinations, the program sent none ($t0 -> $(l2_bpf_packets vx0 tx))" test "$(l2_bpf_packets vx0 tx)" -eq "$t0"
check "flood: ... and fouctl -d says why" \
	grep -q "^    bpf leaves to foud: flooding: more than 8 flood destinations$" <(fa -d link show vx0)
for i in $(seq 10 16); do fa fdb del 00:00:00:00:00:00 dev vx0 dst 192.0.2.$i; done
fa fdb del 00:00:00:00:00:00 dev vx0 dst 192.0.2.3
na sysctl -qw net.ipv4.conf.va.forwarding=0
t0=$(l2_bpf_packets vx0 tx)
check "flood: without forwarding on va, foud floods (3 broadcast pings answered)" \
	na ping -b -c 3 -i 0.2 -W 1 10.9.0.255
check "flood: ... and the program sent none ($t0 -> $(l2_bpf_packets vx0 tx))" test "$(l2_bpf_packets vx0 tx)" -eq "$t0"
check "flood: ... and fouctl -d -j says why" test "$(fa -j -d link show vx0 | jq -r '.[0].foud.bpf_to_foud[0]')" = \
	"flooding: the underlay does not forward, so the program's FIB lookup finds no next hop"
;;
esac

# ---- bridged: super-frames the programs strip, segmented by software ---------
# B's TAP in a bridge with a veth to host C that does no segmentation (TSO and
# GSO off): the super-frames the receive program takes keep the kernel's
# UDP-tunnel GSO marks, and must still be cut into intact TCP segments.
fa link add name vx2 type vxlan id 44 remote $B4 local $A4 dstport 4789 noudpcsum
fb link add name vx2 type vxlan id 44 remote $A4 local $B4 dstport 4789 noudpcsum
dev_up a vx2 10.9.2.1/24
ip netns add "$NSC"
ip link add vbc netns "$NSB" type veth peer name vc netns "$NSC"
nb ip link add br2 type bridge; nb ip link set br2 up
nb ip link set vx2 master br2; nb ip link set vx2 up; nb ip link set vbc master br2; nb ip link set vbc up
nb ethtool -K vbc tso off gso off >/dev/null 2>&1
nc_ ip link set lo up; nc_ ip addr add 10.9.2.3/24 dev vc; nc_ ip link set vc up
check "bridged: A -> C across B's bridge" na ping -c 2 -i 0.2 -W 2 10.9.2.3
bx0=$(fb -j -s -d link show vx2 | jq '.[0].foud.bpf_stats64.rx.packets // 0')
head -c $((8 * 1048576)) /dev/urandom >"$TMP/br-data"
nc_ timeout 60 socat -u TCP4-LISTEN:7000,reuseaddr "OPEN:$TMP/br-recv,creat,trunc" &
lp=$!
sleep 0.3
na timeout 60 socat -u "OPEN:$TMP/br-data" TCP4:10.9.2.3:7000
wait $lp
check "bridged: TCP 8 MiB A -> C, software-segmented out of B's bridge, sha256 matches" \
	test "$(sha256sum <"$TMP/br-data")" = "$(sha256sum <"$TMP/br-recv")"
bx1=$(fb -j -s -d link show vx2 | jq '.[0].foud.bpf_stats64.rx.packets // 0')
case " ${FOUD_TEST_OPTS:-} " in *" -D userspace "*) ;; *)
	check "bridged: B's programs received it ($((bx1 - bx0)) segments, 8 MiB is over 5000)" \
		test $((bx1 - bx0)) -gt 5000 ;;
esac

# maxaddress is a bound, not an allocation: foud's memory follows the entries.
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/${PIDS[0]}/status"; }
rss0=$(rss)
fa link add name vx1 type vxlan id 43 remote $B4 local $A4 dstport 4789 maxaddress 3000000
rss1=$(rss)
check "maxaddress 3000000: foud's RSS rose by $((rss1 - rss0)) KiB, under 8 MiB" \
	test $((rss1 - rss0)) -lt 8192
finish
