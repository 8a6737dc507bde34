#!/usr/bin/env bash
# STT between a foud with offloads (A: TSO super-frames sent whole, with P and
# the MSS) and one without (B, foud -O: it cuts received super-frames itself
# and sends only whole frames); bytes intact both ways; 802.1Q frames carry
# their tag in the STT header (draft 3.1); the same over an IPv6 underlay,
# next to the IPv4 device.
. "$(dirname "$0")/lib.sh"
opts_keep_offload	# A with offloads, B without, is the subject
command -v nft >/dev/null || skip "no nft (scripts/install-deps.sh installs nftables)"
setup_hosts
start_foud a
start_foud b -O
fa link add name st0 type stt key 5 remote $B4 local $A4 mtu 1500
fb link add name st0 type stt key 5 remote $A4 local $B4 mtu 1500
dev_up a st0 10.9.0.1/24; dev_up b st0 10.9.0.2/24
check "ping A -> B" na ping -c 2 -i 0.2 -W 2 10.9.0.2
rx0=$(counter b st0 .stats64.rx.packets) seg0=$(port_counter b 7471 .stats64.rx.packets)
check "4 MiB A (TSO) -> B (-O), sha256 intact" tcp_transfer a 10.9.0.2 4
rx=$(( $(counter b st0 .stats64.rx.packets) - rx0 )) seg=$(( $(port_counter b 7471 .stats64.rx.packets) - seg0 ))
# B writes every TCP segment of a super-frame on its own: about one per STT segment.
check "B cut the super-frames: $rx frames written to the TAP from $seg STT segments" \
	test "$rx" -ge $((seg * 3 / 4))
check "4 MiB B (-O) -> A, sha256 intact" tcp_transfer b 10.9.0.1 4
check "no drops on B's st0" test "$(fb -j -s link show st0 | jq '[.[0].foud.drops.rx[]] | add')" -eq 0
# An 802.1Q frame (VLAN 7) sent on A's st0: the tag travels in the STT header,
# the frame untagged, and B puts the tag back (this kernel may lack 8021q, so
# the frame is written with a packet socket).
# Each capture stops at its first packet (or after 10 s): no fixed sleeps.
ip netns exec "$NSA" timeout 10 tcpdump -c 1 -n -U -i va -w "$TMP/vlan.pcap" 'tcp dst port 7471' 2>"$TMP/capa.err" &
CAPA=$!
ip netns exec "$NSB" timeout 10 tcpdump -c 1 -n -U -e -i st0 -w "$TMP/vlanb.pcap" 'vlan 7' 2>"$TMP/capb.err" &
CAPB=$!
for _ in $(seq 100); do
	grep -q listening "$TMP/capa.err" 2>/dev/null && grep -q listening "$TMP/capb.err" 2>/dev/null && break
	sleep 0.1
done
na python3 -c "
import socket
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('st0', 0))
s.send(bytes.fromhex('ffffffffffff020000000077810000070800') + bytes(46))"
wait $CAPA $CAPB 2>/dev/null
check "VLAN 7: B's st0 received the frame tagged again" \
	test "$(tcpdump -n -r "$TMP/vlanb.pcap" 2>/dev/null | wc -l)" -eq 1
if command -v tshark >/dev/null; then
	n=$(tshark -r "$TMP/vlan.pcap" -o ip.try_heuristic_first:TRUE \
		-Y 'stt.vlan.v == 1 && stt.vlan.id == 7 && !vlan' 2>/dev/null | wc -l)
	check "VLAN 7: tshark sees the tag in the STT header and none in the frame" test "$n" -eq 1
fi
fa link add name st6 type stt key 6 remote $B6 local $A6 mtu 1500
fb link add name st6 type stt key 6 remote $A6 local $B6 mtu 1500
dev_up a st6 10.9.6.1/24; dev_up b st6 10.9.6.2/24
check "IPv6 underlay: ping A -> B" na ping -c 2 -i 0.2 -W 2 10.9.6.2
check "IPv6 underlay: 2 MiB A -> B, sha256 intact" tcp_transfer a 10.9.6.2 2
check "IPv6 underlay: 2 MiB B -> A, sha256 intact" tcp_transfer b 10.9.6.1 2
check "IPv6 underlay: the frames went to st6, not st0 ($(counter b st6 .stats64.rx.bytes) bytes)" \
	test "$(counter b st6 .stats64.rx.bytes)" -gt 2000000
finish
