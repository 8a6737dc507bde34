#!/usr/bin/env bash
# Verify once (daemon/io/csum.c) on the L2 overlays and TOU, as 47 on the L3
# tunnels: a non-zero outer UDP checksum the kernel verified vouches for the
# inner frame, which goes up the TAP (TUN for TOU) as verified, counted in
# the device's csum_trusted; with a zero one foud still verifies and drops a
# bad inner TCP checksum as inner_csum. VXLAN vx1 with udpcsum, Geneve gn1
# with noudpcsum, TOU between the hosts. a sends without offloads (-O).
. "$(dirname "$0")/lib.sh"
export FOUD_TEST_OPTS="-D userspace ${FOUD_TEST_OPTS:-}"
opts_keep_offload	# the verify being skipped is GRO's, b's
INJECT=$ROOT/tests/tools/inject.py
TOU_RUN=$ROOT/$B/tou-run
setup_hosts
start_foud a -O; start_foud b
for h in a b; do
	f=fa l=$A4 r=$B4 n=1; [ $h = b ] && { f=fb; l=$B4; r=$A4; n=2; }
	$f link add name vx1 type vxlan id 42 remote $r local $l dstport 4789 udpcsum
	$f link add name gn1 type geneve id 43 remote $r noudpcsum
	$f tou add peer $r
	dev_up $h vx1 10.3.0.$n/24
	dev_up $h gn1 10.4.0.$n/24
done
not() { ! "$@"; }
trusted() { counter b "$1" '.foud.csum_trusted // -1'; }
inner_drops() { counter b "$1" '.foud.drops.rx.inner_csum // 0'; }
rxp() { counter b "$1" .stats64.rx.packets; }
tou_trusted() { fb -j -s tou show | jq -r '.device.csum_trusted // -1'; }
tou_drops() { fb -j -s tou show | jq -r '.device.drops.rx.inner_csum // 0'; }
# TCP transfer of $1 MiB from a to b's $B4 under tou-run; sha256 must match.
tou_xfer() {
	head -c "$(($1 * 1048576))" /dev/urandom >"$TMP/tou-data"
	tou_send 60 "$TMP/tou-data" 7002 && same_bytes "$TMP/tou-data" "$TMP/recv"
}

check "ping over vx1 (outer checksum on)" na ping -c 1 -W 2 10.3.0.2
check "ping over gn1 (outer checksum off)" na ping -c 1 -W 2 10.4.0.2
v0=$(trusted vx1); g0=$(trusted gn1)
check "TCP 8 MiB over vx1, sha256 matches" tcp_transfer a 10.3.0.2 8
check "TCP 8 MiB over gn1, sha256 matches" tcp_transfer a 10.4.0.2 8
v1=$(trusted vx1); g1=$(trusted gn1)
check "vx1 (outer checksums) trusted the transfer's frames ($v0 -> $v1)" test "$v1" -gt $((v0 + 1000))
check "gn1 (no outer checksums) trusted none ($g0 -> $g1)" test "$g1" -eq 0
check "no inner checksum drops on vx1 or gn1" test "$(inner_drops vx1)" -eq 0 -a "$(inner_drops gn1)" -eq 0
u0=$(tou_trusted)
check "TOU: TCP 4 MiB a -> b under tou-run, sha256 matches" tou_xfer 4
check "TOU: tou0 trusted the transfer's segments ($u0 -> $(tou_trusted))" \
	test "$(tou_trusted)" -gt $((u0 + 500))
check "TOU: no inner checksum drops" test "$(tou_drops)" -eq 0

# Corrupted datagrams to VXLAN's port: inside, a TCP data segment for vx1
# whose last byte is flipped in $bad (its TCP checksum then wrong).
mac=$(nb ip -j link show vx1 | jq -r '.[0].address' | tr -d :)
eth=${mac}0200000000010800
seg=$(python3 "$INJECT" tcpseg 10.3.0.1 10.3.0.2 1000 100)
bad=${seg%??}$(printf %02x $((0x${seg: -2} ^ 0xff)))
inject() { na python3 "$INJECT" "$1" $A4 $B4 4789 "0800000000002a00$eth$2"; }
check_csum_once "VXLAN, " 4789 vx1 vx1

# The same for TOU, from a's own TOU port (6080, the peer's), over a raw
# socket: GUE (protocol 6) and the TCP segment without its IP header.
tseg=$(python3 "$INJECT" tcpseg $A4 $B4 1000 100)
tbad=00060000${tseg:40:-2}$(printf %02x $((0x${tseg: -2} ^ 0xff)))
t0=$(tou_trusted); i0=$(tou_drops)
check "inject: TOU, no outer checksum, inner TCP checksum wrong" \
	na python3 "$INJECT" udpraw $A4 6080 $B4 6080 "$tbad" zero
settle tou_drops $((i0 + 1))
check "TOU zero outer checksum: dropped as inner_csum, exactly one ($i0 -> $(tou_drops))" \
	test "$(tou_drops)" -eq $((i0 + 1))
check "TOU zero outer checksum: not trusted ($t0 -> $(tou_trusted))" test "$(tou_trusted)" -eq "$t0"
check "inject: TOU, valid outer checksum over a bad inner one" \
	na python3 "$INJECT" udpraw $A4 6080 $B4 6080 "$tbad" ok
settle tou_trusted $((t0 + 1))
check "TOU valid outer checksum: trusted, exactly one ($t0 -> $(tou_trusted))" \
	test "$(tou_trusted)" -eq $((t0 + 1))
check "TOU valid outer checksum: inner not verified by foud" test "$(tou_drops)" -eq $((i0 + 1))

# Both VXLAN and a fou port on 4789 would be a pair in one SO_REUSEPORT group.
check "fou port 4789 beside VXLAN's is refused, as the kernel would" \
	not fb fou add port 4789 ipproto 4
check "ping over vx1 after all" na ping -c 1 -W 2 10.3.0.2
check "ping over gn1 after all" na ping -c 1 -W 2 10.4.0.2
finish
