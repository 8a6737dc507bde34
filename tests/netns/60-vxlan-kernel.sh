#!/usr/bin/env bash
# foud's VXLAN against the host kernel's VXLAN. Two nodes: ARP and ping both
# ways, TCP both ways with checked bytes, learning seen on both sides; the
# same over an IPv6 underlay, with tshark decoding both sides' VXLAN. Three
# nodes on one bridge (two foud, one kernel): head-end replication through
# all-zero entries, then the same with a multicast group (on BPF, A floods
# to the group from the program: its MAC, TTL 1, taken by kernel B and foud C).
# Last, a port per family shared by the VXLAN devices, refused to Geneve
# ("UDP port 4789 carries vxlan") until its last VXLAN device is gone.
# The kernel's VXLAN devices get "tx off" (the checksum computed before
# encapsulation) unless VX_KERNEL_TX=on: 68-vxlan-kernel-offload.sh runs it
# all with the default offloads, the inner checksums left partial.
. "$(dirname "$0")/lib.sh"
modprobe vxlan 2>/dev/null
NSK=foud-$ID-k
need_root
command -v ethtool >/dev/null || skip "ethtool missing"
command -v tshark >/dev/null || skip "tshark missing"

# Underlay: a bridge in namespace U, one veth to each host.
setup_bridge3
start_foud a
start_foud c

kernel_vx() { # kernel_vx NAME ID WORDS...
	local n=$1 id=$2; shift 2
	nb ip link add "$n" type vxlan id "$id" dstport 4789 local $B4 dev vb "$@"
	kernel_vx_tx "$n"
}
kernel_vx_tx() { [ "${VX_KERNEL_TX:-off}" = on ] || nb ethtool -K "$1" tx off >/dev/null; }

# ---- two nodes: foud A, kernel B --------------------------------------------
# noudpcsum on both: what foud's BPF path sends, and what it takes on a veth
# (whose checksums are never verified, so a checksummed datagram goes to foud).
fa link add name vx0 type vxlan id 42 remote $B4 local $A4 dstport 4789 noudpcsum
kernel_vx vx0 42 remote $A4 noudpcsum
dev_up a vx0 10.9.0.1/24; nb ip addr add 10.9.0.2/24 dev vx0; nb ip link set vx0 up
check "vxlan: the device MTU is 1450, as the kernel's" test "$(na ip -j link show vx0 | jq '.[0].mtu')" = 1450
check "vxlan: foud -> kernel ping (ARP crosses first)" na ping -c 3 -i 0.2 -W 2 10.9.0.2
check "vxlan: kernel -> foud ping" nb ping -c 3 -i 0.2 -W 2 10.9.0.1
check "vxlan: TCP 16 MiB foud -> kernel, sha256 matches" tcp_transfer a 10.9.0.2 16
u0=$(l2_user_rx vx0) b0=$(l2_bpf_packets vx0 rx)
check "vxlan: TCP 16 MiB kernel -> foud, sha256 matches" tcp_transfer b 10.9.0.1 16
check_l2_bulk vx0 "$u0" "$b0" "TCP 16 MiB kernel -> foud"
check "vxlan: UDP 1200 bytes kernel -> foud, whole" udp_transfer b 10.9.0.1 1200
check "vxlan: UDP 1200 bytes foud -> kernel, whole" udp_transfer a 10.9.0.2 1200
kmac=$(nb cat /sys/class/net/vx0/address) fmac=$(na cat /sys/class/net/vx0/address)
check "vxlan: foud learned the kernel's MAC $kmac behind $B4" \
	grep -q "^$kmac dev vx0 dst $B4 self learned" <(fa fdb show dev vx0)
check "vxlan: the kernel learned foud's MAC $fmac behind $A4" \
	grep -q "^$fmac dst $A4 " <(nb bridge fdb show dev vx0)
check "vxlan: fdb show -j lists the learned entry" \
	test "$(fa -j fdb show dev vx0 | jq -r ".[] | select(.mac == \"$kmac\") | .dst")" = "$B4"
fdb_as_bridge() { # foud's learned entry has the keys, types and state of the kernel's (bridge -s -j)
	jq -e -n --argjson f "$(fa -j -s fdb show dev vx0)" --argjson k "$(nb bridge -j -s fdb show dev vx0)" \
		--arg fm "$fmac" --arg km "$kmac" '($f[] | select(.mac == $km)) as $a |
		($k[] | select(.mac == $fm)) as $b | ($a | map_values(type)) == ($b | map_values(type) | del(.used))
		and $a.state == $b.state and $a.flags == $b.flags'
}
check "vxlan: fdb show -j -s: a learned entry as bridge -j -s shows the kernel's (but used)" fdb_as_bridge
check "vxlan: no receive drops on foud" test "$(counter a vx0 .stats64.rx.dropped)" -eq 0
# BPF unless foud -D userspace (69-l2-userspace.sh): a ping crosses in the programs.
check_l2_path vx0 10.9.0.2 5

# ---- two nodes over an IPv6 underlay, captured for tshark ---------------------
na ip addr add $A6/64 dev va nodad; nb ip addr add $B6/64 dev vb nodad
# Zero UDP checksums both ways: what BPF sends (and so takes) over IPv6.
fa link add name vx6 type vxlan id 66 remote $B6 local $A6 dstport 4789 udp6zerocsumtx udp6zerocsumrx
nb ip link add vx6 type vxlan id 66 dstport 4789 local $B6 remote $A6 dev vb udp6zerocsumtx udp6zerocsumrx
kernel_vx_tx vx6
dev_up a vx6 10.12.0.1/24; nb ip addr add 10.12.0.2/24 dev vx6; nb ip link set vx6 up
na tcpdump -i va -U -n -s 200 -w "$TMP/vx6.pcap" "ip6 and udp port 4789" 2>"$TMP/cap.err" &
CAP=$!
for _ in $(seq 50); do grep -q listening "$TMP/cap.err" 2>/dev/null && break; sleep 0.1; done
check "vxlan6: the device MTU is 1430, as the kernel's" \
	test "$(na ip -j link show vx6 | jq '.[0].mtu')" = "$(nb ip -j link show vx6 | jq '.[0].mtu')"
check "vxlan6: foud -> kernel ping" na ping -c 3 -i 0.2 -W 2 10.12.0.2
check "vxlan6: kernel -> foud ping" nb ping -c 3 -i 0.2 -W 2 10.12.0.1
check "vxlan6: TCP 8 MiB foud -> kernel, sha256 matches" tcp_transfer a 10.12.0.2 8
check "vxlan6: TCP 8 MiB kernel -> foud, sha256 matches" tcp_transfer b 10.12.0.1 8
check "vxlan6: UDP 1200 bytes kernel -> foud, whole" udp_transfer b 10.12.0.1 1200
sleep 0.3; kill $CAP; wait $CAP 2>/dev/null
kmac=$(nb cat /sys/class/net/vx6/address) fmac=$(na cat /sys/class/net/vx6/address)
check "vxlan6: foud learned the kernel's MAC behind $B6" \
	grep -q "^$kmac dev vx6 dst $B6 self learned" <(fa fdb show dev vx6)
check "vxlan6: the kernel learned foud's MAC behind $A6" \
	grep -q "^$fmac dst $A6 " <(nb bridge fdb show dev vx6)
check "vxlan6: no receive drops on foud" test "$(counter a vx6 .stats64.rx.dropped)" -eq 0
check_l2_path vx6 10.12.0.2 5
got=$(tshark -r "$TMP/vx6.pcap" -Y "vxlan && eth.type == 0x0800" -T fields -e ipv6.src -e vxlan.vni \
	-e vxlan.flags 2>/dev/null | sort -u | tr '\t\n' ' ;')
check "vxlan6: tshark decodes both sides' packets as VXLAN, VNI 66, flags 0x0800 (I): $got" \
	test "$got" = "$A6 66 0x0800;$B6 66 0x0800;"

# ---- udpcsum: auto keeps userspace, datapath bpf sums in the program ----------
why="udpcsum: BPF cannot sum the outer UDP of GSO frames; sent apart, TCP would reorder (noudpcsum or datapath bpf: BPF)"
case " ${FOUD_TEST_OPTS:-} " in *" -D userspace "*) why=requested ;; esac
fa link add name vs0 type vxlan id 45 remote $B4 local $A4 dstport 4789
check "udpcsum: datapath auto keeps foud's default VXLAN on userspace, and says why" \
	test "$(fa -j -d link show vs0 | jq -r '.[0].foud | .datapath + " " + .datapath_reason')" = "userspace $why"
fa link del vs0
case " ${FOUD_TEST_OPTS:-} " in *" -D userspace "*) ;; *)
# A's veth sums the inner checksums before sending (tx off), so B's kernel checks every outer sum.
na ethtool -K va tx off >/dev/null
fa link add name vs0 type vxlan id 45 remote $B4 local $A4 dstport 4789 datapath bpf
kernel_vx vs0 45 remote $A4
check "udpcsum on BPF: fouctl -d says GSO frames are foud's" \
	grep -qE "^    bpf leaves to foud: (.*; )?udpcsum: GSO frames, whose outer UDP BPF cannot sum$" <(fa -d link show vs0)
dev_up a vs0 10.13.0.1/24; nb ip addr add 10.13.0.2/24 dev vs0; nb ip link set vs0 up
check "udpcsum: foud -> kernel ping (ARP crosses first)" na ping -c 2 -i 0.2 -W 2 10.13.0.2
nb tcpdump -i vb -U -n -c 5 -w "$TMP/vs.pcap" "src $A4 and udp port 4789" 2>"$TMP/vs.err" &
CAP=$!
for _ in $(seq 50); do grep -q listening "$TMP/vs.err" 2>/dev/null && break; sleep 0.1; done
e0=$(csum_errors b) t0=$(l2_bpf_packets vs0 tx)
# B's kernel replies with partial sums over the veth, unverified: the userspace path's to take.
check "udpcsum: 3 pings foud -> kernel" na ping -c 3 -i 0.1 -W 2 10.13.0.2
check "udpcsum: UDP 1200 bytes foud -> kernel, whole" udp_transfer a 10.13.0.2 1200
check "udpcsum: UDP 1200 bytes foud -> kernel, whole (again)" udp_transfer a 10.13.0.2 1200
for _ in $(seq 50); do kill -0 $CAP 2>/dev/null || break; sleep 0.1; done
kill $CAP 2>/dev/null; wait $CAP 2>/dev/null
# udp.checksum.status of the outer UDP (the first): 1 is good, 2 unverified (a zero sum).
good=$(tshark -r "$TMP/vs.pcap" -o udp.check_checksum:TRUE -T fields -e udp.checksum.status 2>/dev/null |
	cut -d, -f1 | grep -c '^1$')
check "udpcsum: tshark finds the outer sum right on the 3 pings and 2 datagrams BPF sent ($good good, $(($(l2_bpf_packets vs0 tx) - t0)) sent)" \
	test "$good/$(($(l2_bpf_packets vs0 tx) - t0))" = 5/5
check "udpcsum: TCP 4 MiB kernel -> foud (A's ACKs summed by BPF), sha256 matches" tcp_transfer b 10.13.0.1 4
check "udpcsum: B's kernel counted no checksum error ($(csum_errors b) - $e0)" test "$(csum_errors b)" -eq "$e0"
na ethtool -K va tx on >/dev/null
esac

# ---- three nodes, head-end replication ---------------------------------------
fa link add name vh type vxlan id 50 local $A4 dstport 4789
fc link add name vh type vxlan id 50 local $C4 dstport 4789
kernel_vx vh 50
fa fdb append 00:00:00:00:00:00 dev vh dst $B4; fa fdb append 00:00:00:00:00:00 dev vh dst $C4
fc fdb append 00:00:00:00:00:00 dev vh dst $A4; fc fdb append 00:00:00:00:00:00 dev vh dst $B4
nb bridge fdb append 00:00:00:00:00:00 dev vh dst $A4; nb bridge fdb append 00:00:00:00:00:00 dev vh dst $C4
dev_up a vh 10.10.0.1/24; nb ip addr add 10.10.0.2/24 dev vh; nb ip link set vh up
ip netns exec "$NSC" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
nc_ ip addr add 10.10.0.3/24 dev vh; nc_ ip link set vh up
check "HER: foud A -> kernel B" na ping -c 2 -i 0.2 -W 2 10.10.0.2
check "HER: foud A -> foud C" na ping -c 2 -i 0.2 -W 2 10.10.0.3
check "HER: kernel B -> foud C" nb ping -c 2 -i 0.2 -W 2 10.10.0.3
check "HER: foud C -> kernel B" nc_ ping -c 2 -i 0.2 -W 2 10.10.0.2
check "HER: A's flood list holds B and C" \
	test "$(fa -j fdb show dev vh | jq '[.[] | select(.mac == "00:00:00:00:00:00")] | length')" -eq 2
check "HER: the fdb lists C's MAC behind $C4 after the pings" \
	grep -q "dev vh dst $C4 self learned" <(fa fdb show dev vh)

# ---- three nodes, multicast group --------------------------------------------
# A with noudpcsum: on the BPF path (unless foud -D userspace), which floods to the group.
fa link add name vm type vxlan id 60 group 239.1.1.1 dev va local $A4 dstport 4789 noudpcsum
fc link add name vm type vxlan id 60 group 239.1.1.1 dev vc local $C4 dstport 4789
kernel_vx vm 60 group 239.1.1.1
dev_up a vm 10.11.0.1/24; nb ip addr add 10.11.0.2/24 dev vm; nb ip link set vm up
nc_ ip addr add 10.11.0.3/24 dev vm; nc_ ip link set vm up
check "group: foud A -> kernel B" na ping -c 2 -i 0.2 -W 2 10.11.0.2
check "group: kernel B -> foud C" nb ping -c 2 -i 0.2 -W 2 10.11.0.3
check "group: foud C -> foud A" nc_ ping -c 2 -i 0.2 -W 2 10.11.0.1
# Flooded to the group: broadcast pings (no answers needed) from A and C.
# On BPF the program sends A's: each once, to 01:00:5e:01:01:01 with TTL 1
# (as the kernel's VXLAN), and kernel B and foud C each take the three.
cap() { # cap NS-RUNNER IF NAME FILTER: at most 3 packets, 5 s
	"$1" timeout 5 tcpdump -c 3 -i "$2" -U -n -w "$TMP/$3.pcap" "$4" 2>"$TMP/$3.err" &
	CAPS+=($!)
	for _ in $(seq 50); do grep -q listening "$TMP/$3.err" 2>/dev/null && break; sleep 0.1; done
}
npk() { tcpdump -r "$TMP/$1.pcap" -n 2>/dev/null | grep -c "$2"; }
t0=$(l2_bpf_packets vm tx) CAPS=()
cap nb vb grp "ether dst 01:00:5e:01:01:01 and src $A4 and dst 239.1.1.1 and ip[8] = 1 and udp dst port 4789"
cap nb vm inb "icmp and src 10.11.0.1 and dst 10.11.0.255"
cap nc_ vm inc "icmp and src 10.11.0.1 and dst 10.11.0.255"
na ping -b -c 3 -i 0.2 -W 1 10.11.0.255 >/dev/null 2>&1
wait "${CAPS[@]}"
check "group: A's 3 broadcasts left to 01:00:5e:01:01:01, TTL 1 ($(npk grp '> 239.1.1.1.4789: VXLAN') seen)" \
	test "$(npk grp '> 239.1.1.1.4789: VXLAN')" -eq 3
check "group: kernel B took the 3 ($(npk inb 'ICMP echo request')), foud C too ($(npk inc 'ICMP echo request'))" \
	test "$(npk inb 'ICMP echo request')/$(npk inc 'ICMP echo request')" = 3/3
case " ${FOUD_TEST_OPTS:-} " in
*" -D userspace "*) ;;
*) check "group: the program flooded the 3 ($t0 -> $(l2_bpf_packets vm tx))" \
	test $(($(l2_bpf_packets vm tx) - t0)) -eq 3
check "group: fouctl -d -j names nothing that BPF leaves to foud" \
	test "$(fa -j -d link show vm | jq -c '.[0].foud.bpf_to_foud')" = "[]"
# A group joined on another device than the one holding local: foud floods, and says so.
na ip link add dm0 type veth peer name dm1; na ip link set dm0 up
fa link add name vm2 type vxlan id 61 group 239.1.1.2 dev dm0 local $A4 dstport 4789 noudpcsum
check "group on dm0, local on va: fouctl -d -j says foud floods, and why" \
	test "$(fa -j -d link show vm2 | jq -r '.[0].foud | .datapath + ": " + .bpf_to_foud[0]')" = \
	"bpf: flooding: the group's dev is not the device holding local"
fa link del vm2 ;;
esac
nc_ ping -b -c 3 -i 0.2 -W 1 10.11.0.255 >/dev/null 2>&1
check "group: foud A flooded ($(counter a vm .stats64.tx.packets) sent)" test "$(counter a vm .stats64.tx.packets)" -ge 5
check "group: no own frame looped back to A or C (loop drops $(counter a vm .foud.drops.rx.loop), $(fc -j -s link show vm | jq '.[0].foud.drops.rx.loop'))" \
	test "$(counter a vm .foud.drops.rx.loop)" -eq 0 -a "$(fc -j -s link show vm | jq '.[0].foud.drops.rx.loop')" -eq 0
# The BPF path's underlay is the device holding the local address (an address dump, IPv4 and IPv6).
fa link add name vn0 type vxlan id 77 remote $B4 local 192.0.2.77 noudpcsum
fa link add name vn6 type vxlan id 78 remote $B6 local $A6 noudpcsum udp6zerocsumtx
case " ${FOUD_TEST_OPTS:-} " in
*" -D userspace "*)	# 69: the BPF path is not asked for; both say so
	check "foud -D userspace: vn0 and vn6 on userspace" \
		test "$( (fa -d link show vn0; fa -d link show vn6) | grep -c 'datapath userspace')" -eq 2 ;;
*)
	check "local address no device holds: userspace, saying so" grep -q "datapath userspace (no device holds the local address)" <(fa -d link show vn0)
	check "local IPv6 address of va: BPF" grep -q "datapath bpf" <(fa -d link show vn6) ;;
esac
fa link del vn0; fa link del vn6

# ---- one kind per UDP port and family, as the kernel ---------------------------
# The IPv4 VXLAN devices share one port 4789, vx6 the IPv6 one; Geneve there
# is refused, naming the kind, and takes the IPv4 port once its last user left.
ports() { fa -j fou show | jq -c '[.[] | select(.port == 4789) | (keys - ["port", "family"])[0] + " " + .family] | sort'; }
check "shared port: the IPv4 VXLAN devices on one port 4789, vx6 on the IPv6 one: $(ports)" \
	test "$(ports)" = '["vxlan inet","vxlan inet6"]'
out=$(fa link add name gx0 type geneve id 9 remote $B4 dstport 4789 2>&1); rc=$?
check "shared port: geneve on VXLAN's port 4789 refused, naming it (exit $rc: $out)" \
	test $rc -ne 0 -a "${out%%UDP port 4789 carries vxlan*}" != "$out"
check "shared port: no gx0 after the refusal, the ports unchanged: $(ports)" \
	test "$(fa -j link show | jq '[.[] | select(.ifname == "gx0")] | length')/$(ports)" = '0/["vxlan inet","vxlan inet6"]'
for n in $(fa -j -d link show | jq -r '.[] | select(.linkinfo.info_kind == "vxlan" and .ifname != "vx6") | .ifname'); do
	fa link del "$n"
done
check "shared port: geneve takes 4789 once the IPv4 VXLAN devices are gone" \
	fa link add name gx0 type geneve id 9 remote $B4 dstport 4789
check "shared port: 4789 now geneve's over IPv4, still vxlan's over IPv6: $(ports)" \
	test "$(ports)" = '["geneve inet","vxlan inet6"]'
finish
