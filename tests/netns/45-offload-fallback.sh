#!/usr/bin/env bash
# UDP offloads refused: TCP over IPIP/FOU and over VXLAN (IPv4 and IPv6
# underlays) must arrive intact
# (sha256), with nothing dropped, when
#  1. host A's underlay veth has no transmit checksum offload (this kernel,
#     6.11 and later, then checksums UDP GSO in software; older ones say EIO);
#  2. every UDP GSO send fails with EIO (injected at sendmsg by an LD_PRELOAD
#     shim, tests/netns/shim/refuse.c, since this kernel never refuses): foud
#     sends the same train datagram by datagram, counts gso_fallback, says
#     "refused" and logs it once per device;
#  3. the kernel has no UDP_SEGMENT and no UDP_GRO (ENOPROTOOPT, also
#     injected by the shim, on both hosts): foud sends segment by segment and
#     receives without GRO;
#  4. and with offloads on, one train sent to two flood destinations.
# In 2, a burst of small packets over t1 goes first: its first train of
# small packets (daemon/io/train.c) meets the EIO, and all arrive, counted once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/burst.sh"
opts_keep_offload	# the fallbacks of offloads: nothing to fall back from under -O
SHIM=$ROOT/$B/tests/refuse.so
setup_hosts
command -v ethtool >/dev/null || skip "ethtool missing"
[ -f "$SHIM" ] || { echo "build $SHIM first (make unit)"; exit 1; }

# Stops both fouds (each must exit 0), so that the next case starts afresh.
stop_fouds() {
	local p rc
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
		wait "$p"; rc=$?
		if [ $rc -eq 0 ]; then ok "foud $p exited cleanly"; else nok "foud $p exited with $rc"; fi
	done
	PIDS=()
	rm -f "$TMP/a.sock" "$TMP/b.sock" "$TMP"/foud-*.log
}

tunnels() {
	local f h l r n
	for h in a b; do
		f=fa l=$A4 r=$B4 l6=$A6 r6=$B6 n=1
		[ $h = b ] && { f=fb; l=$B4; r=$A4; l6=$B6; r6=$A6; n=2; }
		$f fou add port 5555 ipproto 4
		# The userspace path's GSO is under test: the BPF path never sends with UDP_SEGMENT.
		$f link add name t1 type ipip remote $r local $l encap fou encap-sport auto encap-dport 5555 \
			datapath userspace
		$f link add name vx0 type vxlan id 42 remote $r local $l dstport 4789
		$f link add name vx6 type vxlan id 43 remote $r6 local $l6 dstport 4789
		dev_up $h t1 10.1.0.$n/24
		dev_up $h vx0 10.9.0.$n/24
		dev_up $h vx6 10.6.0.$n/24
	done
}

gso() { # gso a|b DEV FIELD: udp_gso or gso_fallback from fouctl -j -s -d
	local f=fa; [ "$1" = b ] && f=fb
	$f -j -s -d link show "$2" | jq -r ".[0].foud.$3"
}

# Bytes both ways over both tunnels, and no drop anywhere.
transfers() { # transfers WHAT
	local dev addr
	for dev in t1 vx0 vx6; do
		addr=10.1.0; [ $dev = vx0 ] && addr=10.9.0; [ $dev = vx6 ] && addr=10.6.0
		check "$1: $dev TCP 16 MiB a -> b, sha256 matches" tcp_transfer a $addr.2 16
		check "$1: $dev TCP 8 MiB b -> a, sha256 matches" tcp_transfer b $addr.1 8
		check "$1: $dev no drops on a or b" test "$(counter a $dev .stats64.tx.dropped)" -eq 0 -a \
			"$(counter a $dev .stats64.rx.dropped)" -eq 0 -a "$(counter b $dev .stats64.rx.dropped)" -eq 0
	done
}

# ---- 1. the underlay without transmit checksum offload -----------------------
na ethtool -K va tx off >/dev/null
start_foud a; start_foud b
tunnels
transfers "va tx off"
for dev in t1 vx0 vx6; do
	st=$(gso a $dev udp_gso) n=$(gso a $dev gso_fallback)
	echo "# va tx off, $dev: udp-gso $st, gso_fallback $n (a kernel before 6.11 refuses: refused, > 0)"
	check "va tx off: $dev udp-gso state agrees with the fallback count ($st, $n)" \
		test \( "$st" = on -a "$n" -eq 0 \) -o \( "$st" = refused -a "$n" -gt 0 \)
done
stop_fouds
na ethtool -K va tx on >/dev/null

# ---- 2. EIO on every UDP GSO send --------------------------------------------
LD_PRELOAD=$SHIM FOUD_REFUSE=eio start_foud a
start_foud b
tunnels
check "EIO: ping over t1" na ping -c 1 -W 2 10.1.0.2
tx=$(counter a t1 .stats64.tx.packets)
burst_recv 10.1.0.2 9000 200 36; lp=$BURST_RECV
check "EIO: 200 datagrams of 64 bytes over t1 queued while foud a was stopped" \
	burst_send "${PIDS[0]}" 10.1.0.2 200 9000:36
check "EIO: all 200 arrive intact and in order, their train sent datagram by datagram" wait $lp
check "EIO: t1's tx packets rose by exactly 200" test "$(counter a t1 .stats64.tx.packets)" -eq $((tx + 200))
check "EIO: the small packets' train was refused: t1 says udp-gso refused, gso_fallback > 0" \
	test "$(gso a t1 udp_gso)" = refused -a "$(gso a t1 gso_fallback)" -gt 0
transfers "EIO"
for dev in t1 vx0 vx6; do
	check "EIO: $dev says udp-gso refused" test "$(gso a $dev udp_gso)" = refused
	check "EIO: $dev counted super-packets sent segment by segment ($(gso a $dev gso_fallback))" \
		test "$(gso a $dev gso_fallback)" -gt 0
	check "EIO: $dev logged the refusal once" \
		test "$(grep -c "^foud: $dev: UDP GSO refused by the kernel" "$TMP/foud-a.log")" -eq 1
done
check "EIO: b, not refused, still sends with GSO" test "$(gso b vx0 udp_gso)" = on -a "$(gso b vx0 gso_fallback)" -eq 0
check "EIO: fouctl -s -d link show names it in text" grep -q "udp-gso refused gso_fallback [1-9]" <(fa -s -d link show vx0)
stop_fouds

# ---- 3. no UDP_SEGMENT, no UDP_GRO --------------------------------------------
LD_PRELOAD=$SHIM FOUD_REFUSE=noproto start_foud a
LD_PRELOAD=$SHIM FOUD_REFUSE=noproto start_foud b
tunnels
transfers "ENOPROTOOPT"
for dev in t1 vx0 vx6; do
	check "ENOPROTOOPT: $dev says udp-gso off" test "$(gso a $dev udp_gso)" = off
	check "ENOPROTOOPT: $dev counted super-packets sent segment by segment ($(gso a $dev gso_fallback))" \
		test "$(gso a $dev gso_fallback)" -gt 0
done
check "ENOPROTOOPT: logged once at start" test "$(grep -c "no UDP GSO in this kernel" "$TMP/foud-a.log")" -eq 1
stop_fouds

# ---- 4. one train, two destinations (head-end replication, no learning) -------
# B answers on a second address too, so each train reaches it twice.
nb ip addr add 192.0.2.3/24 dev vb
start_foud a; start_foud b
fa link add name vh type vxlan id 50 local $A4 dstport 4789 nolearning
fa fdb append 00:00:00:00:00:00 dev vh dst $B4
fa fdb append 00:00:00:00:00:00 dev vh dst 192.0.2.3
fb link add name vh type vxlan id 50 remote $A4 local $B4 dstport 4789
dev_up a vh 10.10.0.1/24; dev_up b vh 10.10.0.2/24
check "HER: TCP 16 MiB a -> b, sha256 matches" tcp_transfer a 10.10.0.2 16
# 16 MiB is some 12000 segments: more than 20000 sent means two copies.
tx=$(counter a vh .stats64.tx.packets) rx=$(counter b vh .stats64.rx.packets)
check "HER: b received every frame a sent to both destinations ($tx sent, $rx received)" \
	test "$rx" -eq "$tx" -a "$tx" -gt 20000
check "HER: no drops" test "$(counter a vh .stats64.tx.dropped)" -eq 0 -a "$(counter b vh .stats64.rx.dropped)" -eq 0
finish
