#!/usr/bin/env bash
# Verify once (daemon/io/csum.c): a non-zero outer UDP checksum that the kernel
# verified vouches for the inner packet, so foud's GRO does not sum each TCP
# segment again; with no outer checksum it still does, and drops a bad one.
# On foud's userspace path, b's port 5555 carries IPIP/FOU with outer
# checksums (encap-csum), port 5556 GRE/FOU without (noencap-csum). a sends
# without offloads (-O): with UDP GSO the kernel fills in every checksum.
. "$(dirname "$0")/lib.sh"
export FOUD_TEST_OPTS="-D userspace ${FOUD_TEST_OPTS:-}"
opts_keep_offload	# the verify being skipped is GRO's
INJECT=$ROOT/tests/tools/inject.py
setup_hosts
start_foud a -O; start_foud b
for h in a b; do
	f=fa l=$A4 r=$B4 n=1; [ $h = b ] && { f=fb; l=$B4; r=$A4; n=2; }
	$f fou add port 5555 ipproto 4
	$f fou add port 5556 ipproto 47
	$f link add name t1 type ipip remote $r local $l encap fou encap-sport auto encap-dport 5555 \
		encap-csum
	$f link add name g1 type gre remote $r local $l encap fou encap-sport auto encap-dport 5556 \
		noencap-csum
	dev_up $h t1 10.1.0.$n/24
	dev_up $h g1 10.2.0.$n/24
done
# IPIP over GUE with remote checksum offload (port 5558): b sends, its TCP
# checksums left partial; a completes none of them by summing (the outer
# checksum vouched), it tells the device where each one is. Its own
# addresses: with t1's it would be t1's twin (same type and addresses), refused.
na ip addr add 192.0.2.11/24 dev va; nb ip addr add 192.0.2.12/24 dev vb
for h in a b; do
	f=fa l=192.0.2.11 r=192.0.2.12 n=1; [ $h = b ] && { f=fb; l=192.0.2.12; r=192.0.2.11; n=2; }
	$f fou add port 5558 gue
	$f link add name r1 type ipip remote $r local $l encap gue encap-sport auto encap-dport 5558 \
		encap-csum encap-remcsum
	dev_up $h r1 10.3.0.$n/24
done
# Over an IPv6 underlay, where the program reads the checksum at another offset.
fa fou add port 5557 ipproto 41 -6; fb fou add port 5557 ipproto 41 -6
fa link add name s6 type ip6tnl remote $B6 local $A6 encap fou encap-sport auto encap-dport 5557
fb link add name s6 type ip6tnl remote $A6 local $B6 encap fou encap-sport auto encap-dport 5557
dev_up a s6 "" fd00:6::1/64; dev_up b s6 "" fd00:6::2/64
trusted() { port_counter b "$1" '.csum_trusted // -1'; }
inner_drops() { counter b "$1" '.foud.drops.rx.inner_csum // 0'; }
inner_drops_a() { counter a "$1" '.foud.drops.rx.inner_csum // 0'; }
rxp() { counter b "$1" .stats64.rx.packets; }
# settle CMD VALUE: until $(CMD) prints VALUE, 3 s at most (the check that follows says whether it did)
refused() { ! fb fou add port 5555 ipproto 4 local $B4; }

check "ping over t1 (outer checksum on)" na ping -c 1 -W 2 10.1.0.2
check "ping over g1 (outer checksum off)" na ping -c 1 -W 2 10.2.0.2
t0=$(trusted 5555); g0=$(trusted 5556)
check "TCP 8 MiB over t1, sha256 matches" tcp_transfer a 10.1.0.2 8
check "TCP 8 MiB over g1, sha256 matches" tcp_transfer a 10.2.0.2 8
t1=$(trusted 5555); g1=$(trusted 5556)
check "port 5555 (outer checksums) trusted the transfer's datagrams ($t0 -> $t1)" \
	test "$t1" -gt $((t0 + 1000))
check "port 5556 (no outer checksums) trusted none ($g0 -> $g1)" test "$g1" -eq 0
check "no inner checksum drops on t1 or g1" test "$(inner_drops t1)" -eq 0 -a "$(inner_drops g1)" -eq 0

# Corrupted datagrams to port 5555, one of each; inside, a TCP data segment
# for t1 whose last byte is flipped in $bad (its TCP checksum then wrong).
seg=$(python3 "$INJECT" tcpseg 10.1.0.1 10.1.0.2 1000 100)
bad=${seg%??}$(printf %02x $((0x${seg: -2} ^ 0xff)))
inject() { na python3 "$INJECT" "$1" $A4 $B4 5555 "$2"; }
check_csum_once "" 5555 t1 5555
# Trusted, it went up, and the kernel's TCP refused it.
settle "csum_errors b" $((e0 + 2))
check "valid outer checksum: the kernel's TCP dropped it (CsumErrors $e0 -> $(csum_errors b))" \
	test "$(csum_errors b)" -eq $((e0 + 2))

# Remote checksum offload received without summing the payload.
rp0=$(port_counter a 5558 '.rco_partial // -1')
check "TCP 8 MiB b->a over r1 (GUE, encap-remcsum), sha256 matches" tcp_transfer b 10.3.0.1 8
rp1=$(port_counter a 5558 '.rco_partial // -1')
check "a left the RCO of the transfer's datagrams partial, unsummed ($rp0 -> $rp1)" \
	test "$rp1" -gt $((rp0 + 1000))
check "no inner checksum drops on a's r1" test "$(inner_drops_a r1)" -eq 0
# Corrupted RCO datagrams to b's port 5558 (GUE Hlen 2, P, REMCSUM, start 20,
# offset 36: the TCP checksum of the IPv4 segment that follows).
rco() { printf '02040001800000000014%04x%s' "$1" "$2"; }
rseg=$(python3 "$INJECT" tcpseg 10.3.0.1 10.3.0.2 1000 100)
inject_r() { na python3 "$INJECT" "$1" 192.0.2.11 192.0.2.12 5558 "$2"; }	# r1's addresses
rd() { port_counter b 5558 ".drops.rx.$1 // 0"; }
d0=$(rd remcsum); rr0=$(counter b r1 .stats64.rx.packets)
check "inject: RCO offset past the end of the packet, valid outer checksum" inject_r udp "$(rco 65520 "$rseg")"
settle "rd remcsum" $((d0 + 1))
check "RCO outside the packet: dropped as remcsum, exactly one ($d0 -> $(rd remcsum))" test "$(rd remcsum)" -eq $((d0 + 1))
n0=$(rd remcsum_nocsum)
check "inject: RCO under no outer checksum" inject_r udp0 "$(rco 36 "$rseg")"
settle "rd remcsum_nocsum" $((n0 + 1))
check "RCO without an outer checksum (nothing vouches for the payload): dropped as remcsum_nocsum, exactly one" \
	test "$(rd remcsum_nocsum)" -eq $((n0 + 1))
e0=$(csum_errors b); p0=$(port_counter b 5558 .stats64.rx.packets)
check "inject: RCO datagram whose payload changed after its outer checksum" inject_r udpstale "$(rco 36 "$rseg")"
settle "csum_errors b" $((e0 + 1))
check "bad payload under a good-looking option: the kernel dropped it (CsumErrors $e0 -> $(csum_errors b)), foud never saw it" \
	test "$(csum_errors b)" -eq $((e0 + 1)) -a "$(port_counter b 5558 .stats64.rx.packets)" -eq "$p0"
check "none of the three reached r1" test "$(counter b r1 .stats64.rx.packets)" -eq "$rr0"

s0=$(trusted 5557)
check "IPv6 underlay: TCP 2 MiB over s6, sha256 matches" tcp_transfer a fd00:6::2 2
check "IPv6 underlay: port 5557 trusted the transfer's datagrams ($s0 -> $(trusted 5557))" \
	test "$(trusted 5557)" -gt $((s0 + 100))
check "a second port on 5555 (local $B4) is refused, as the kernel would" refused
check "ping over t1 after all" na ping -c 1 -W 2 10.1.0.2
finish
