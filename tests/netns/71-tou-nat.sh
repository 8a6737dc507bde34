#!/usr/bin/env bash
# Transports over UDP through a NAT: a (10.0.1.2) reaches b (10.0.2.2) only
# through n, which masquerades a's traffic behind 10.0.2.1 and moves the UDP
# source port into 20000-29999. b's peer is the NAT's address, as b sees it.
# The inner TCP checksum leaves the addresses out, so the rewrite does not
# break it; b learns the NAT's port and answers there, and when the mapping
# expires mid-connection and comes back on another port, b follows it, and
# a new connection after a long silence moves it too.
. "$(dirname "$0")/lib.sh"
TOU_RUN=$ROOT/$B/tou-run
NSN=foud-$ID-n
eval "orig_$(declare -f cleanup)"
cleanup() { orig_cleanup; ip netns del "$NSN" 2>/dev/null; }
nn() { ip netns exec "$NSN" "$@"; }

need_root
for n in "$NSA" "$NSB" "$NSN"; do ip netns add "$n" || exit 1; done
ip link add va netns "$NSA" type veth peer name na0 netns "$NSN" || exit 1
ip link add vb netns "$NSB" type veth peer name nb0 netns "$NSN" || exit 1
for n in "$NSA" "$NSB" "$NSN"; do ip netns exec "$n" ip link set lo up; done
na ip addr add 10.0.1.2/24 dev va; na ip addr add fd00:1::2/64 dev va nodad
nn ip addr add 10.0.1.1/24 dev na0; nn ip addr add fd00:1::1/64 dev na0 nodad
nn ip addr add 10.0.2.1/24 dev nb0; nn ip addr add fd00:2::1/64 dev nb0 nodad
nb ip addr add 10.0.2.2/24 dev vb; nb ip addr add fd00:2::2/64 dev vb nodad
na ip link set va up; nb ip link set vb up; nn ip link set na0 up; nn ip link set nb0 up
na ip route add default via 10.0.1.1; na ip -6 route add default via fd00:1::1
nn sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
nn nft -f - <<'NFT' || exit 1
table inet nat {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "nb0" meta l4proto udp masquerade to :20000-29999 random
		oifname "nb0" masquerade
	}
}
NFT
# Idle UDP mappings die after 2 s, so that one can be made to expire.
nn sysctl -qw net.netfilter.nf_conntrack_udp_timeout=2 net.netfilter.nf_conntrack_udp_timeout_stream=2

start_foud a
start_foud b
fa tou add peer 10.0.2.2; fa tou add peer fd00:2::2
fb tou add peer 10.0.2.1; fb tou add peer fd00:2::1

peer() { # peer a|b PEER PATH
	local f=fa; [ "$1" = b ] && f=fb
	$f -j -s tou show | jq -r ".peers[] | select(.peer == \"$2\") | $3"
}
# a sends $3 MiB to $1 port $2 under tou-run, with a pause of $4 seconds halfway.
xfer() { # xfer DST PORT MiB [PAUSE]
	local v=4 a=$1; case $1 in *:*) v=6; a="[$1]" ;; esac
	head -c "$(($3 * 524288))" /dev/urandom >"$TMP/d1"; head -c "$(($3 * 524288))" /dev/urandom >"$TMP/d2"
	rm -f "$TMP/recv"
	nb timeout 60 "$TOU_RUN" socat -u "TCP$v-LISTEN:$2,reuseaddr" "OPEN:$TMP/recv,creat,trunc" &
	local lp=$!
	sleep 0.3
	(cat "$TMP/d1"; sleep "${4:-0}"; cat "$TMP/d2") |
		na timeout 60 "$TOU_RUN" socat -u STDIN "TCP$v:$a:$2,connect-timeout=5" ||
		{ kill $lp 2>/dev/null; return 1; }
	wait $lp || return 1
	[ "$(cat "$TMP/d1" "$TMP/d2" | sha256sum)" = "$(sha256sum <"$TMP/recv")" ]
}

check "without TOU, b cannot reach a's network (no route back)" bash -c "! ip netns exec $NSB ping -c 1 -W 1 10.0.1.2"
check "tou-run socat: 8 MiB a->b through the NAT, IPv4, sha256 matches" xfer 10.0.2.2 7001 8
port=$(peer b 10.0.2.1 .peer_port_seen)
check "b answers the NAT's port, learned from what arrives ($port)" test "$port" -ge 20000 -a "$port" -le 29999
check "b received TOU from the NAT's address: $(peer b 10.0.2.1 .stats64.rx.bytes) bytes" \
	test "$(peer b 10.0.2.1 .stats64.rx.bytes)" -ge 8388608
check "no drops at b" test "$(fb -j -s tou show | jq -r '.device.stats64.rx.dropped')" -eq 0

mkdir -p "$TMP/www"; head -c 2097152 /dev/urandom >"$TMP/www/data"
nb timeout 60 "$TOU_RUN" python3 -m http.server 8080 --bind 10.0.2.2 --directory "$TMP/www" >/dev/null 2>&1 &
hp=$!
check "tou-run curl: 2 MiB b->a through the NAT, sha256 matches" bash -c \
	"ip netns exec $NSA timeout 30 $TOU_RUN curl -sf --retry 10 --retry-connrefused --retry-delay 1 -o $TMP/curl.out http://10.0.2.2:8080/data &&
	 cmp -s $TMP/curl.out $TMP/www/data"
kill $hp 2>/dev/null; wait $hp 2>/dev/null

# The mapping expires during a pause; the connection carries on on a new port.
r0=$(peer b 10.0.2.1 .rebinds); p0=$(peer b 10.0.2.1 .peer_port_seen)
check "tou-run socat: 4 MiB with a 4 s pause, the NAT mapping renewed, sha256 matches" xfer 10.0.2.2 7002 4 4
p1=$(peer b 10.0.2.1 .peer_port_seen)
check "b followed the NAT to its new port ($p0 -> $p1, rebinds $r0 -> $(peer b 10.0.2.1 .rebinds))" \
	test "$(peer b 10.0.2.1 .rebinds)" -gt "$r0" -a "$p1" != "$p0"

# A new connection once the mapping expired and b sent a nothing for 15 s:
# its SYN, from a new port, moves the port (sooner, only a known connection's segment would).
r0=$(peer b 10.0.2.1 .rebinds); p0=$(peer b 10.0.2.1 .peer_port_seen)
sleep 16
check "tou-run socat: 2 MiB on a new connection after 16 s of silence, sha256 matches" xfer 10.0.2.2 7004 2
p1=$(peer b 10.0.2.1 .peer_port_seen)
check "b took the new connection's port ($p0 -> $p1, rebinds $r0 -> $(peer b 10.0.2.1 .rebinds))" \
	test "$(peer b 10.0.2.1 .rebinds)" -eq $((r0 + 1)) -a "$p1" != "$p0"

check "tou-run socat: 4 MiB a->b through the NAT, IPv6, sha256 matches" xfer fd00:2::2 7003 4
check "b's IPv6 peer is the NAT's address: $(peer b fd00:2::1 .stats64.rx.bytes) bytes" \
	test "$(peer b fd00:2::1 .stats64.rx.bytes)" -ge 4194304

# TOU over DTLS through the NAT: b's own ClientHellos go to the NAT's address at
# 6080 and are lost; a's come from the NAT's port, and b answers there.
(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/psk"; echo >>"$TMP/psk")
fa tou del peer 10.0.2.2; fa tou add peer 10.0.2.2 dtls psk "$TMP/psk"
fb tou del peer 10.0.2.1; fb tou add peer 10.0.2.1 dtls psk "$TMP/psk"
up() { for _ in $(seq 80); do [ "$(peer "$1" "$2" .dtls.state)" = established ] && return 0; sleep 0.1; done; return 1; }
check "DTLS through the NAT: a session within 8 s ($(up a 10.0.2.2; peer a 10.0.2.2 .dtls.state), b $(peer b 10.0.2.1 .dtls.state))" \
	up b 10.0.2.1
check "tou-run socat: 2 MiB over DTLS TOU through the NAT, sha256 matches" xfer 10.0.2.2 7005 2
finish
