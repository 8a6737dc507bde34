#!/usr/bin/env bash
# TOU session ids through a NAT: a (10.0.1.2) and c (10.0.3.2) reach b
# (10.0.2.2) through n, which masquerades both behind 10.0.2.1 (UDP ports
# moved into 20000-29999). All three share a key (authenticated GUE). Each
# sends b 2 MiB at once; halfway, n's outer address becomes 10.0.2.3 (an
# snat rule, conntrack flushed) and both transfers complete intact: b finds
# each datagram's connection by its session id, learns the new address from
# authenticated datagrams, and gives its TCP the addresses the connections
# began with. A datagram with a live session's id but no valid HMAC moves
# nothing; closed connections' sessions time out and are counted.
. "$(dirname "$0")/lib.sh"
TOU_RUN=$ROOT/$B/tou-run
SPOOF=$ROOT/tests/tools/tou-spoof.py
NSN=foud-$ID-n
eval "orig_$(declare -f cleanup)"
cleanup() { orig_cleanup; ip netns del "$NSN" 2>/dev/null; }
nn() { ip netns exec "$NSN" "$@"; }

need_root
command -v conntrack >/dev/null || skip "no conntrack (scripts/install-deps.sh)"
for n in "$NSA" "$NSB" "$NSC" "$NSN"; do ip netns add "$n" || exit 1; done
ip link add va netns "$NSA" type veth peer name na0 netns "$NSN" || exit 1
ip link add vc netns "$NSC" type veth peer name nc0 netns "$NSN" || exit 1
ip link add vb netns "$NSB" type veth peer name nb0 netns "$NSN" || exit 1
for n in "$NSA" "$NSB" "$NSC" "$NSN"; do ip netns exec "$n" ip link set lo up; done
na ip addr add 10.0.1.2/24 dev va; nn ip addr add 10.0.1.1/24 dev na0
nc_ ip addr add 10.0.3.2/24 dev vc; nn ip addr add 10.0.3.1/24 dev nc0
nn ip addr add 10.0.2.1/24 dev nb0; nn ip addr add 10.0.2.3/24 dev nb0; nn ip addr add 10.0.2.4/24 dev nb0
nb ip addr add 10.0.2.2/24 dev vb
for x in "na va" "nc_ vc" "nb vb" "nn na0" "nn nc0" "nn nb0"; do set -- $x; $1 ip link set "$2" up; done
na ip route add default via 10.0.1.1; nc_ ip route add default via 10.0.3.1
nn sysctl -qw net.ipv4.ip_forward=1
nat() { # nat masquerade|snat: how n's traffic to b leaves
	local how="masquerade to :20000-29999 random"
	[ "$1" = snat ] && how="snat ip to 10.0.2.3:20000-29999 random"
	nn nft -f - <<NFT
table inet nat
delete table inet nat
table inet nat {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "nb0" meta l4proto udp $how
	}
}
NFT
}
nat masquerade || exit 1

(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/tou.key"; echo >>"$TMP/tou.key")
echo "metrics listen unix:$TMP/b-metrics.sock" >"$TMP/b.conf"
start_foud a
start_foud b -c "$TMP/b.conf"
start_foud c
fa tou add peer 10.0.2.2 key "$TMP/tou.key"
fc tou add peer 10.0.2.2 key "$TMP/tou.key"
fb tou add peer 10.0.2.1 key "$TMP/tou.key"
fb monitor tou >"$TMP/mon.out" 2>&1 &	# $!: fouctl's pid
mon=$!
for i in $(seq 50); do grep -q 'monitor (pid' "$TMP/foud-b.log" && break; sleep 0.1; done

# b's session of the connection to its port $1, field $2
sess() { fb -j tou show | jq -r ".sessions[] | select(.local_port == $1) | $2"; }
peer() { fb -j -s tou show | jq -r ".peers[] | select(.peer == \"10.0.2.1\") | $1"; }
dev_drop() { fb -j -s tou show | jq -r ".device.drops.rx.$1 // 0"; }
recv_size() { stat -c %s "$TMP/recv$1" 2>/dev/null || echo 0; }
wait_for() { local i; for i in $(seq 100); do [ "$($1 "$2")" = "$3" ] && return 0; sleep 0.1; done; return 1; }
both_half() { [ "$(recv_size 1)" -ge 1048576 ] && [ "$(recv_size 2)" -ge 1048576 ] && echo yes; }

# a -> b port 7001, c -> b port 7002: 1 MiB, a pause (held by a fifo), 1 MiB.
for i in 1 2; do
	head -c 1048576 /dev/urandom >"$TMP/h$i-1"; head -c 1048576 /dev/urandom >"$TMP/h$i-2"
	mkfifo "$TMP/fifo$i"
	nb timeout 30 "$TOU_RUN" socat -u TCP4-LISTEN:700$i,reuseaddr "OPEN:$TMP/recv$i,creat,trunc" &
	eval "lp$i=\$!"
done
for i in 1 2; do
	for t in $(seq 50); do nb ss -Htln "( sport = :700$i )" | grep -q . && break; sleep 0.1; done
done
na timeout 30 "$TOU_RUN" socat -u STDIN TCP4:10.0.2.2:7001,connect-timeout=5 <"$TMP/fifo1" &
sp1=$!
nc_ timeout 30 "$TOU_RUN" socat -u STDIN TCP4:10.0.2.2:7002,connect-timeout=5 <"$TMP/fifo2" &
sp2=$!
exec 3>"$TMP/fifo1" 4>"$TMP/fifo2"
cat "$TMP/h1-1" >&3 & cat "$TMP/h2-1" >&4 &
check "a and c each sent b its first MiB at once, by TOU through the NAT" wait_for both_half "" yes

p1=$(sess 7001 .at_port) p2=$(sess 7002 .at_port)
check "b: two established sessions from the one NAT address, each at its own port ($p1, $p2)" \
	test "$(fb -j tou show | jq '[.sessions[] | select(.peer == "10.0.2.1" and .state == "established" and .at == "10.0.2.1")] | length')" = 2 -a "$p1" != "$p2"
check "b: the sessions' ids differ, and the connections keep the NAT's address as their TCP sees it" \
	test "$(sess 7001 .id)" != "$(sess 7002 .id)" -a "$(sess 7001 .remote)" = 10.0.2.1 -a "$(sess 7002 .remote)" = 10.0.2.1
check "fouctl tou show lists both sessions (ids, peer, state)" \
	test "$(fb tou show | grep -cE '^session [0-9a-f]{16} peer-id [0-9a-f]{16} peer 10.0.2.1 established$')" = 2

# An attacker on b's link (10.0.2.4) who saw a's session id sends an ACK of
# its connection with that id, valid TCP checksum, no HMAC: dropped as auth.
auth0=$(peer '.drops.rx.auth // 0') mv0=$(sess 7001 .moves) rport=$(sess 7001 .remote_port)
nn python3 "$SPOOF" 10.0.2.4 10.0.2.2 6080 "sid:$(sess 7001 .id):$rport:7001" 1 >/dev/null
check "a spoofed datagram with a's live session id but no HMAC: auth on the peer rose by exactly 1" \
	wait_for peer '.drops.rx.auth // 0' $((auth0 + 1))
check "... and it moved nothing: the session is still at 10.0.2.1:$p1 (moves $mv0)" \
	test "$(sess 7001 .at)" = 10.0.2.1 -a "$(sess 7001 .at_port)" = "$p1" -a "$(sess 7001 .moves)" = "$mv0"
ts0=$(dev_drop tou_session)
nn python3 "$SPOOF" 10.0.2.4 10.0.2.2 6080 "sid:0123456789abcdef:$rport:7001" 1 >/dev/null
check "an unknown session id: tou_session on tou0 rose by exactly 1" wait_for dev_drop tou_session $((ts0 + 1))

# The NAT's outer address changes: new mappings from 10.0.2.3, the old ones flushed.
nat snat
nn conntrack -F >/dev/null 2>&1
cat "$TMP/h1-2" >&3; cat "$TMP/h2-2" >&4
exec 3>&- 4>&-
check "a's transfer completes after the NAT's address changed" wait $sp1
check "c's transfer completes too" wait $sp2
check "... and b's ends exit" wait $lp1
check "... both" wait $lp2
check "a -> b 2 MiB, sha256 matches" bash -c "[ \"\$(cat $TMP/h1-1 $TMP/h1-2 | sha256sum)\" = \"\$(sha256sum <$TMP/recv1)\" ]"
check "c -> b 2 MiB, sha256 matches" bash -c "[ \"\$(cat $TMP/h2-1 $TMP/h2-2 | sha256sum)\" = \"\$(sha256sum <$TMP/recv2)\" ]"
check "b's sessions moved to the NAT's new address ($(sess 7001 .at):$(sess 7001 .at_port), $(sess 7002 .at):$(sess 7002 .at_port))" \
	test "$(sess 7001 .at)" = 10.0.2.3 -a "$(sess 7002 .at)" = 10.0.2.3 -a "$(sess 7001 .moves)" -ge 1
moved() { grep -cE "^tou session $(sess $1 .id) peer 10.0.2.1 moved to 10.0.2.3 port $(sess $1 .at_port) \(1\)$" "$TMP/mon.out"; }
check "fouctl monitor tou told each session's move once: $(tr '\n' '|' <"$TMP/mon.out")" \
	test "$(moved 7001)" = 1 -a "$(moved 7002)" = 1 -a "$(grep -c 'tou session' "$TMP/mon.out")" = 2
mm=$(metric_unix b 'foud_tou_peer_session_moves_total{peer="10.0.2.1"}')
check "metrics: b's foud_tou_peer_session_moves_total is the 2 moves told ($mm)" test "$mm" = 2
check "no datagram from a or c refused but the spoofed one ($(peer .stats64.rx.dropped))" \
	test "$(peer .stats64.rx.dropped)" = 1

# Both connections closed (FIN both ways): their sessions time out, counted.
totals() { fb -j tou show | jq -r '.session_totals | "\(.active) \(.created) \(.expired)"'; }
check "b's two sessions time out after the close and are counted ($(wait_for totals "" "0 2 2"; totals))" \
	test "$(totals)" = "0 2 2"
kill $mon; wait $mon 2>/dev/null
finish
