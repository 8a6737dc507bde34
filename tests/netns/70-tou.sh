#!/usr/bin/env bash
# Transports over UDP: programs under tou-run reach the other host with their
# TCP carried as UDP/GUE(6)/TCP, no inner IP header, while an unmarked program
# to the same host goes the normal way; IPv4 and IPv6; socat, curl, iperf3;
# the wire format checked from a capture; foreign GUE protocols refused and
# counted; RCO received partial, unsummed, under a verified outer checksum and
# refused under none; the policy routing foud sets up, and takes down again.
. "$(dirname "$0")/lib.sh"
TOU_RUN=$ROOT/$B/tou-run
MARK=0x746f75
setup_hosts
start_foud a
start_foud b
for p in $B4 $B6; do fa tou add peer $p; done
for p in $A4 $A6; do fb tou add peer $p; done

# tou_counter a|b PEER PATH (jq path under the peer object, e.g. .stats64.tx.bytes)
tou_counter() {
	local f=fa; [ "$1" = b ] && f=fb
	$f -j -s tou show | jq -r ".peers[] | select(.peer == \"$2\") | $3"
}
tou_dev() { # tou_dev a|b PATH
	local f=fa; [ "$1" = b ] && f=fb
	$f -j -s tou show | jq -r ".device$2"
}
# TCP transfer of $3 MiB from a to $1 port $2 under $4 (tou-run, or nothing); sha256 must match.
xfer() { # xfer DST PORT MiB [tou-run]
	local v=4 a=$1; case $1 in *:*) v=6; a="[$1]" ;; esac
	[ -f "$TMP/data-$3" ] || head -c "$(($3 * 1048576))" /dev/urandom >"$TMP/data-$3"
	rm -f "$TMP/recv"
	nb timeout 60 ${4:-} socat -u "TCP$v-LISTEN:$2,reuseaddr" "OPEN:$TMP/recv,creat,trunc" &
	local lp=$!
	sleep 0.3
	na timeout 60 ${4:-} socat -u "OPEN:$TMP/data-$3" "TCP$v:$a:$2,connect-timeout=5" ||
		{ kill $lp 2>/dev/null; return 1; }
	wait $lp || return 1
	[ "$(sha256sum <"$TMP/data-$3")" = "$(sha256sum <"$TMP/recv")" ]
}
nft_count() { # nft_count OIF PORT: packets a sent out of OIF to TCP port PORT
	na nft -j list counter inet toutest "$1_$2" | jq -r '.nftables[] | select(.counter) | .counter.packets'
}

# What foud set up: a rule per family, a route per peer through tou0, the device up.
check "a: fwmark $MARK rule to table $MARK, IPv4" bash -c "ip netns exec $NSA ip -4 rule | grep -q 'fwmark $MARK lookup 7630709'"
check "a: fwmark rule, IPv6" bash -c "ip netns exec $NSA ip -6 rule | grep -q 'fwmark $MARK lookup 7630709'"
check "a: route to $B4 via tou0 in the TOU table" bash -c "ip netns exec $NSA ip -4 route show table $MARK | grep -q '^$B4 dev tou0 .*src $A4'"
check "a: route to $B6 via tou0 in the TOU table" bash -c "ip netns exec $NSA ip -6 route show table $MARK | grep -q '^$B6 dev tou0'"
check "a: the main table still sends $B4 by va" bash -c "ip netns exec $NSA ip route get $B4 | grep -q 'dev va'"
check "a: a marked socket's route goes to tou0" bash -c "ip netns exec $NSA ip route get $B4 mark $MARK | grep -q 'dev tou0'"
check "tou show: two peers, port 6080" test "$(fa -j tou show | jq -r '[.peers[] | select(.port == 6080)] | length')" = 2

# Counters of what a sends, by output device and port.
na nft -f - <<NFT
table inet toutest {
	counter tou0_7001 { }
	counter va_7001 { }
	counter tou0_7002 { }
	counter va_7002 { }
	chain out {
		type filter hook output priority 0;
		oifname "tou0" tcp dport 7001 counter name tou0_7001
		oifname "va" tcp dport 7001 counter name va_7001
		oifname "tou0" tcp dport 7002 counter name tou0_7002
		oifname "va" tcp dport 7002 counter name va_7002
	}
}
NFT

# The opted-in transfer, captured on a's wire.
na timeout 30 tcpdump -i va -n -U -s 2000 -w "$TMP/tou.pcap" "udp port 6080 or tcp port 7001 or tcp port 7002" 2>/dev/null &
tp=$!
sleep 1
tx0=$(tou_counter a $B4 .stats64.tx.bytes); rx0=$(tou_counter b $A4 .stats64.rx.bytes)
check "tou-run socat: 8 MiB a->b over IPv4 TOU, sha256 matches" xfer $B4 7001 8 "$TOU_RUN"
tx1=$(tou_counter a $B4 .stats64.tx.bytes); rx1=$(tou_counter b $A4 .stats64.rx.bytes)
# foud counts inner IP bytes: the data plus IP and TCP headers (under 5% more).
check "a's TOU tx bytes to $B4 rose by the 8 MiB sent ($((tx1 - tx0)))" \
	test $((tx1 - tx0)) -ge 8388608 -a $((tx1 - tx0)) -le $((8388608 * 105 / 100))
check "b's TOU rx bytes from $A4 rose by as much ($((rx1 - rx0)))" test $((rx1 - rx0)) -eq $((tx1 - tx0))
check "the opted-in TCP left a by tou0 ($(nft_count tou0 7001) packets), none by va" \
	test "$(nft_count tou0 7001)" -gt 100 -a "$(nft_count va 7001)" -eq 0

# The same host, a program that did not opt in: plain TCP on va, TOU counters still.
txp0=$(tou_counter a $B4 .stats64.tx.packets)
check "plain socat: 2 MiB a->b the normal way, sha256 matches" xfer $B4 7002 2
check "the unmarked TCP left a by va ($(nft_count va 7002) packets), none by tou0" \
	test "$(nft_count va 7002)" -gt 10 -a "$(nft_count tou0 7002)" -eq 0
check "a's TOU tx packets did not move for it" test "$(tou_counter a $B4 .stats64.tx.packets)" -eq "$txp0"
kill $tp 2>/dev/null; wait $tp 2>/dev/null

# On the wire: GUE proto 6 then TCP with the address-free checksum; plain TCP only for 7002.
# Whole frames only (veth carries UDP GSO super-packets unsegmented), both ways.
tshark -r "$TMP/tou.pcap" -Y "udp.port == 6080 && frame.cap_len == frame.len" \
	-T fields -e udp.payload 2>/dev/null >"$TMP/tou.hex"
check "wire: TOU datagrams both ways are GUE v0 proto 6 + TCP, checksum without addresses ($(python3 $ROOT/tests/tools/tou-wire.py <"$TMP/tou.hex" 2>&1))" \
	python3 "$ROOT/tests/tools/tou-wire.py" <"$TMP/tou.hex"
syn=$(head -1 "$TMP/tou.hex")
check "wire: the first TOU datagram is the SYN to port 7001, with a source session id only (S) (${syn:0:64})" \
	test "${syn:0:8}" = 02060100 -a "${syn:28:4}" = 1b59 -a $((0x${syn:50:2} & 0x12)) -eq 2
# Session ids (draft §3.6, §4.1): the SYN-ACK carries b's id (S) and a's (D); then D only.
synack=$(sed -n 2p "$TMP/tou.hex")
check "wire: the SYN-ACK carries S and D, its D the SYN's S (${synack:0:40})" \
	test "${synack:0:8}" = 04060180 -a "${synack:24:16}" = "${syn:8:16}"
check "wire: the rest carry D only ($(python3 $ROOT/tests/tools/tou-wire.py <"$TMP/tou.hex" 2>&1))" \
	bash -c "python3 $ROOT/tests/tools/tou-wire.py <$TMP/tou.hex | grep -Eq 'S 1, S\+D 1, D [0-9]{2,}, none 0$'"
check "wire: no plain TCP to port 7001 at all" test "$(tshark -r "$TMP/tou.pcap" -Y 'tcp.port == 7001' 2>/dev/null | wc -l)" -eq 0
check "wire: plain TCP to port 7002" test "$(tshark -r "$TMP/tou.pcap" -Y 'tcp.dstport == 7002' 2>/dev/null | wc -l)" -gt 10

# IPv6.
tx0=$(tou_counter a $B6 .stats64.tx.bytes)
check "tou-run socat: 4 MiB a->b over IPv6 TOU, sha256 matches" xfer $B6 7003 4 "$TOU_RUN"
check "a's TOU tx bytes to $B6 rose by the 4 MiB" test $(($(tou_counter a $B6 .stats64.tx.bytes) - tx0)) -ge 4194304

# curl from a tiny HTTP server, both under tou-run.
mkdir -p "$TMP/www" && cp "$TMP/data-2" "$TMP/www/data"
nb timeout 60 "$TOU_RUN" python3 -m http.server 8080 --bind $B4 --directory "$TMP/www" >/dev/null 2>&1 &
hp=$!
tx0=$(tou_counter b $A4 .stats64.tx.bytes)
check "tou-run curl: 2 MiB over HTTP b->a, sha256 matches" bash -c \
	"ip netns exec $NSA timeout 30 $TOU_RUN curl -sf --retry 10 --retry-connrefused --retry-delay 1 -o $TMP/curl.out http://$B4:8080/data &&
	 cmp -s $TMP/curl.out $TMP/data-2"
check "b's TOU tx bytes to $A4 rose by the 2 MiB served" test $(($(tou_counter b $A4 .stats64.tx.bytes) - tx0)) -ge 2097152
kill $hp 2>/dev/null; wait $hp 2>/dev/null

# iperf3, both ends under tou-run.
nb timeout 30 "$TOU_RUN" iperf3 -s -1 -B $B4 -p 5211 >/dev/null 2>&1 &
ip3=$!
sleep 0.5
tx0=$(tou_counter a $B4 .stats64.tx.bytes)
na timeout 30 "$TOU_RUN" iperf3 -c $B4 -p 5211 -t 2 -J >"$TMP/iperf.json" 2>&1
sent=$(jq -r '.end.sum_sent.bytes // 0' "$TMP/iperf.json")
check "tou-run iperf3: $(jq -r '(.end.sum_received.bits_per_second // 0) / 1e9 * 100 | floor / 100' "$TMP/iperf.json") Gbit/s, $sent bytes" test "$sent" -gt 0
check "a's TOU tx bytes rose by at least what iperf3 sent" test $(($(tou_counter a $B4 .stats64.tx.bytes) - tx0)) -ge "$sent"
wait $ip3 2>/dev/null

# libtou must not disturb its host: without CAP_NET_ADMIN and CAP_NET_RAW, SO_MARK
# fails and libtou warns; with stderr closed, the new socket is fd 2 and the
# warning must not go into it (bash's /dev/tcp: once killed by SIGPIPE).
NOCAP="setpriv --inh-caps=-net_admin,-net_raw --bounding-set=-net_admin,-net_raw"
rm -f "$TMP/recv"
nb timeout 30 socat -u TCP4-LISTEN:7004,reuseaddr "OPEN:$TMP/recv,creat,trunc" &
lp=$!
sleep 0.3
check "tou-run bash, stderr closed, SO_MARK refused: not killed, it sends 2 MiB the normal way" bash -c \
	"ip netns exec $NSA $NOCAP timeout 30 $TOU_RUN bash -c 'exec 3<>/dev/tcp/$B4/7004 && cat >&3' <$TMP/data-2 2>&-"
wait $lp 2>/dev/null
check "... and they arrive byte-exact" cmp -s "$TMP/data-2" "$TMP/recv"
nb timeout 30 socat -u TCP4-LISTEN:7005,reuseaddr OPEN:/dev/null &
lp=$!
sleep 0.3
na $NOCAP "$TOU_RUN" bash -c "exec 3<>/dev/tcp/$B4/7005" 2>"$TMP/warn"
check "with stderr a file, libtou says why the socket goes unmarked ($(cat "$TMP/warn"))" \
	grep -q "^libtou: SO_MARK: Operation not permitted" "$TMP/warn"
wait $lp 2>/dev/null

# Remote checksum offload received without summing: a sends to $B4 with RCO
# on every datagram (remcsum); b, under the outer checksums its kernel
# verified, writes each TCP checksum to tou0 partial (rco_partial).
fa tou del peer $B4; fa tou add peer $B4 remcsum
fa tou del peer $B6; fa tou add peer $B6 remcsum
rp() { tou_counter b "${1:-$A4}" '.rco_partial // -1'; }
settle() { local i; for i in $(seq 30); do [ "$($1)" = "$2" ] && return 0; sleep 0.1; done; return 1; }
# rco_rose WHAT PEER BEFORE MIN: b's count for PEER rose by MIN or more; under -O (tou0
# without offloads every checksum is whole, nothing to carry as RCO) it must not move.
rco_rose() {
	if [[ " ${FOUD_TEST_OPTS:-} " == *" -O "* ]]; then
		check "$1: a without offloads (-O) sent no RCO, b left nothing partial ($3 -> $(rp "$2"))" \
			test "$(rp "$2")" -eq "$3"
	else
		check "$1: b left the RCO of the transfer's datagrams partial, unsummed ($3 -> $(rp "$2"))" \
			test "$(rp "$2")" -gt $(($3 + $4))
	fi
}
rp0=$(rp)
check "remcsum: tou-run socat 4 MiB a->b over IPv4 TOU, sha256 matches" xfer $B4 7006 4 "$TOU_RUN"
rco_rose IPv4 $A4 "$rp0" 500
rp0=$(rp $A6)
check "remcsum: tou-run socat 2 MiB a->b over IPv6 TOU, sha256 matches" xfer $B6 7007 2 "$TOU_RUN"
rco_rose IPv6 $A6 "$rp0" 250
check "... and refused none of them" \
	test "$(tou_counter b $A4 '.drops.rx | add // 0')" -eq 0 -a "$(tou_counter b $A6 '.drops.rx | add // 0')" -eq 0
fa tou del peer $B6; fa tou add peer $B6
# Injected from a's TOU port: GUE Hlen 2, P, private REMCSUM, start 0, offset
# 16, then a TCP segment whose checksum field holds the address-free
# pseudo-header sum (6 + 120 = 0x7e), as a sender with RCO writes it.
rseg=$(python3 "$ROOT/tests/tools/inject.py" tcpseg $A4 $B4 1000 100)
rseg=${rseg:40:32}007e${rseg:76}
rco=020600018000000000000010$rseg
rinj() { na python3 "$ROOT/tests/tools/inject.py" udpraw $A4 6080 $B4 6080 "$rco" "$1"; }
rd() { tou_counter b $A4 ".drops.rx.$1 // 0"; }
rx() { tou_counter b $A4 .stats64.rx.packets; }
rp0=$(rp); r0=$(rx)
check "inject: TOU RCO datagram, valid outer checksum" rinj ok
settle rp $((rp0 + 1))
check "valid outer checksum: delivered partial, rco_partial rose by exactly 1 ($rp0 -> $(rp)), rx by 1" \
	test "$(rp)" -eq $((rp0 + 1)) -a "$(rx)" -eq $((r0 + 1))
n0=$(rd remcsum_nocsum); r0=$(rx)
check "inject: TOU RCO datagram, zero outer checksum" rinj zero
settle "rd remcsum_nocsum" $((n0 + 1))
check "zero outer checksum (nothing vouches for the payload): remcsum_nocsum rose by exactly 1 ($n0 -> $(rd remcsum_nocsum)), nothing delivered" \
	test "$(rd remcsum_nocsum)" -eq $((n0 + 1)) -a "$(rx)" -eq "$r0" -a "$(rp)" -eq $((rp0 + 1))
e0=$(csum_errors b)
check "inject: TOU RCO datagram whose payload changed after its outer checksum" \
	na python3 "$ROOT/tests/tools/inject.py" udpstale $A4 $B4 6080 "$rco"
settle "csum_errors b" $((e0 + 1))
check "stale outer checksum: the kernel dropped it (CsumErrors $e0 -> $(csum_errors b)), nothing delivered" \
	test "$(csum_errors b)" -eq $((e0 + 1)) -a "$(rx)" -eq "$r0" -a "$(rp)" -eq $((rp0 + 1))
fa tou del peer $B4; fa tou add peer $B4

# Refused and counted: UDP in GUE from the peer, TOU from a stranger, and
# TCP in GUE on an ordinary GUE port (no TOU there).
na ip addr add 192.0.2.9/24 dev va
fb fou add port 5555 gue
send() { # send SRC PORT HEX
	na python3 -c "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(('$1', 0)); s.sendto(bytes.fromhex('$3'), ('$B4', $2))"
}
udp_in_gue=00110000$(printf '%04x%04x%04x0000' 40000 53 16)6869
p0=$(tou_dev b .drops.rx.tou_proto); q0=$(tou_counter b $A4 .drops.rx.tou_proto)
send $A4 6080 "$udp_in_gue"; sleep 0.3
check "UDP in GUE (proto 17) from the peer: tou_proto on b's tou0 rose by 1" test "$(tou_dev b .drops.rx.tou_proto)" -eq $((p0 + 1))
check "... and on the peer $A4" test "$(tou_counter b $A4 .drops.rx.tou_proto)" -eq $((q0 + 1))
u0=$(tou_dev b .drops.rx.unknown_peer)
send 192.0.2.9 6080 "00060000$(printf '%04x%04x' 40000 7001)0000000100000000500200007fff0000"; sleep 0.3
check "TOU from a stranger: unknown_peer on b's tou0 rose by 1" test "$(tou_dev b .drops.rx.unknown_peer)" -eq $((u0 + 1))
g0=$(port_counter b 5555 .drops.rx.inner_proto)
send $A4 5555 "00060000$(printf '%04x%04x' 40000 7001)0000000100000000500200007fff0000"; sleep 0.3
check "TCP in GUE on an ordinary GUE port: inner_proto rose by 1" test "$(port_counter b 5555 .drops.rx.inner_proto)" -eq $((g0 + 1))
check "the port the peer speaks from is still 6080 (refused packets teach nothing)" \
	test "$(fb -j tou show | jq -r ".peers[] | select(.peer == \"$A4\") | .peer_port_seen")" = 6080

# The command line.
check "tou add of an existing peer fails" bash -c "! $FOUCTL -S $TMP/a.sock tou add peer $B4"
check "tou add with a bad address names it" bash -c "$FOUCTL -S $TMP/a.sock tou add peer 300.1.1.1 2>&1 | grep -q '\"300.1.1.1\"'"
check "tou add with local of the other family says so" bash -c "$FOUCTL -S $TMP/a.sock tou add peer 192.0.2.7 local $A6 2>&1 | grep -q 'local'"
# remcsum: shown in text and JSON, saved, refused beside dtls and key (each named).
fa tou add peer 192.0.2.7 remcsum
check "tou show: the remcsum peer's line says remcsum" bash -c "$FOUCTL -S $TMP/a.sock tou show | grep -q '^peer 192.0.2.7 port 6080 remcsum dev tou0'"
check "tou show -j: remcsum true for it, false for $B4" test \
	"$(fa -j tou show | jq -r '[.peers[] | select(.peer == "192.0.2.7" or .peer == "'$B4'") | "\(.peer)=\(.remcsum)"] | sort | join(",")')" = "$B4=false,192.0.2.7=true"
check "save prints remcsum" bash -c "$FOUCTL -S $TMP/a.sock save | grep -qx 'tou add peer 192.0.2.7 port 6080 remcsum'"
fa tou del peer 192.0.2.7
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/rco.psk"; echo >>"$TMP/rco.psk")
check "tou add remcsum with dtls is refused, naming both and why" bash -c \
	"! $FOUCTL -S $TMP/a.sock tou add peer 192.0.2.8 remcsum dtls psk $TMP/rco.psk 2>$TMP/rco.err && grep -q '\"remcsum\" and \"dtls\" exclude each other: DTLS encrypts' $TMP/rco.err"
check "tou add remcsum with key is refused, naming both" bash -c \
	"! $FOUCTL -S $TMP/a.sock tou add peer 192.0.2.8 key $TMP/rco.psk remcsum 2>$TMP/rco.err && grep -q '\"remcsum\" does not combine with \"key\"' $TMP/rco.err"
check "... and no peer 192.0.2.8 was added" test "$(fa -j tou show | jq '[.peers[] | select(.peer == "192.0.2.8")] | length')" = 0
check "tou del of an unknown peer fails" bash -c "! $FOUCTL -S $TMP/a.sock tou del peer 192.0.2.77"

# Taking it down: the last peer takes tou0, its routes and the rules with it.
fa tou del peer $B4
check "after one del, the IPv4 rule is gone, the IPv6 one stays" bash -c \
	"! ip netns exec $NSA ip -4 rule | grep -q $MARK && ip netns exec $NSA ip -6 rule | grep -q $MARK"
fa tou del peer $B6
check "after the last del, tou0 is gone" bash -c "! ip netns exec $NSA ip link show tou0 2>/dev/null"
check "... and so are the rules" bash -c "! ip netns exec $NSA ip rule | grep -q $MARK && ! ip netns exec $NSA ip -6 rule | grep -q $MARK"
check "tou show is empty" test "$(fa -j tou show | jq -r '.peers | length')" = 0
finish
