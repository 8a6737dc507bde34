#!/usr/bin/env bash
# Transports over UDP: a spoofer of the peer's address cannot move the port
# foud answers the peer at. During a live transfer a->b, datagrams from a's
# address but other ports reach b's TOU port: garbage TCP, valid segments
# of connections no one carried, and a flood of them (SYNs among them). b
# drops each as tou_rebind, its peer-port-seen and rebinds stay, and the
# transfer completes intact. Copies of the live connection's segments (what
# an on-path sender could make) move the port once a second at most, and
# the peer's own segments move it back; the copies never move the connection's
# session (its datagrams carry session ids). (A NAT's rebinding: 71-tou-nat.sh.)
. "$(dirname "$0")/lib.sh"
TOU_RUN=$ROOT/$B/tou-run
SPOOF=$ROOT/tests/tools/tou-spoof.py
setup_hosts
start_foud a
start_foud b
fa tou add peer $B4
fb tou add peer $A4
# fouctl monitor tou in b (its namespace's socket, no -S): the two real
# rebindings are told, none of the spoofed attempts.
ip netns exec "$NSB" "$FOUCTL" monitor tou >"$TMP/mon-tou.out" 2>&1 &	# $!: fouctl's pid
mon=$!
for i in $(seq 50); do grep -q 'monitor (pid' "$TMP/foud-b.log" && break; sleep 0.1; done

peer() { fb -j -s tou show | jq -r ".peers[] | select(.peer == \"$A4\") | $1"; }
rebind_drops() { peer '.drops.rx.tou_rebind // "none"'; }
# wait_for EXPR VALUE: until $(EXPR) prints VALUE, 10 s at most (the check that follows says whether it did)
wait_for() { local i; for i in $(seq 100); do [ "$($1)" = "$2" ] && return 0; sleep 0.1; done; return 1; }
spoof() { # spoof garbage|valid N: from a's address, to b's TOU port; the payloads to $TMP/spoof.hex
	na python3 "$SPOOF" $A4 $B4 6080 "$1" "$2" >"$TMP/spoof.hex"
}

# a sends the first half, holds the connection open while the spoofer speaks, then the rest.
head -c 4194304 /dev/urandom >"$TMP/d1"; head -c 4194304 /dev/urandom >"$TMP/d2"
mkfifo "$TMP/fifo"
nb timeout 60 "$TOU_RUN" socat -u TCP4-LISTEN:7001,reuseaddr "OPEN:$TMP/recv,creat,trunc" &
lp=$!
sleep 0.3
na timeout 60 "$TOU_RUN" socat -u STDIN TCP4:$B4:7001,connect-timeout=5 <"$TMP/fifo" &
sp=$!
exec 3>"$TMP/fifo"
cat "$TMP/d1" >&3
recv_size() { stat -c %s "$TMP/recv" 2>/dev/null; }
check "the first 4 MiB crossed by TOU" wait_for recv_size 4194304
port0=$(peer .peer_port_seen); reb0=$(peer .rebinds); d0=$(rebind_drops)
check "b answers a at port 6080, no rebinds so far ($port0, $reb0)" test "$port0" = 6080 -a "$reb0" = 0

spoof garbage 5
check "(a) 5 garbage TCP segments from a's address, other ports: tou_rebind rose by 5" \
	wait_for rebind_drops $((d0 + 5))
check "... they do not verify as TOU" bash -c "! python3 $ROOT/tests/tools/tou-wire.py <$TMP/spoof.hex"
spoof valid 5
check "(b) 5 valid TCP segments of unknown 4-tuples: tou_rebind rose by 5 more" \
	wait_for rebind_drops $((d0 + 10))
check "... their checksums verify as TOU's ($(python3 $ROOT/tests/tools/tou-wire.py <"$TMP/spoof.hex"))" \
	python3 "$ROOT/tests/tools/tou-wire.py" <"$TMP/spoof.hex"
spoof valid 300
check "(c) a flood of 300 valid ones, SYNs among them: tou_rebind rose by 300 more" \
	wait_for rebind_drops $((d0 + 310))
check "b's peer-port-seen is still $port0 ($(peer .peer_port_seen))" test "$(peer .peer_port_seen)" = "$port0"
check "b's rebinds are still $reb0 ($(peer .rebinds))" test "$(peer .rebinds)" = "$reb0"
check "b dropped nothing else from a" test "$(peer '.stats64.rx.dropped')" -eq 310

# What is left to a sender on the path, that saw the connection: copies of its
# segments from other ports. The first moves the port, the next (sent within
# the second) does not; the peer's own next segment moves it back.
lport=$(na ss -Htn state established '( dport = :7001 )' | awk '{ sub(/.*:/, "", $3); print $3 }')
d1=$(rebind_drops)
na python3 "$SPOOF" $A4 $B4 6080 "conn:$lport:7001" 2 >"$TMP/onpath"
p1=$(sed -n '1s/.*,//p' "$TMP/onpath") p2=$(sed -n '2s/.*,//p' "$TMP/onpath")
check "... their checksums verify as TOU's ($(python3 $ROOT/tests/tools/tou-wire.py <"$TMP/onpath"))" \
	python3 "$ROOT/tests/tools/tou-wire.py" <"$TMP/onpath"
check "a copy of the live connection's segment ($A4:$lport -> 7001) from port $p1: b moves there" \
	wait_for "peer .peer_port_seen" "$p1"
check "... rebinds 1 ($(peer .rebinds))" test "$(peer .rebinds)" = 1
check "a second copy from port $p2, within the second: dropped as tou_rebind" wait_for rebind_drops $((d1 + 1))
check "... b stays at $p1 ($(peer .peer_port_seen))" test "$(peer .peer_port_seen)" = "$p1"
# The connection has a session (its datagrams carry ids): a copy with its id
# but a TCP checksum that does not verify moves nothing (without a key, the
# id and a verified checksum are what a session's move needs).
sess() { fb -j tou show | jq -r ".sessions[] | select(.remote_port == $lport) | $1"; }
d2=$(rebind_drops)
na python3 "$SPOOF" $A4 $B4 6080 "sid!:$(sess .id):$lport:7001" 1 >/dev/null
check "a datagram with the live session's id, bad TCP checksum, another port: tou_rebind rose by 1" \
	wait_for rebind_drops $((d2 + 1))

cat "$TMP/d2" >&3
exec 3>&-
check "the transfer completes" wait $sp
check "... and b's end exits" wait $lp
check "8 MiB a->b, sha256 matches" bash -c "[ \"\$(cat $TMP/d1 $TMP/d2 | sha256sum)\" = \"\$(sha256sum <$TMP/recv)\" ]"
# The plain copies moved only the peer's port for plain datagrams, not where the
# session's replies go.
check "the connection's session stayed at a's port 6080, never moved ($(sess .at_port), moves $(sess .moves))" \
	test "$(sess .at_port)" = 6080 -a "$(sess .moves)" = 0
# a's next session datagrams, a second after the move, take the peer's port back.
nb timeout 30 "$TOU_RUN" socat -u TCP4-LISTEN:7005,reuseaddr,fork /dev/null &
lp2=$!
back() { local i; for i in $(seq 20); do
	echo x | na timeout 5 "$TOU_RUN" socat -u STDIN TCP4:$B4:7005,connect-timeout=2,retry=5 2>/dev/null
	[ "$(peer .peer_port_seen)" = 6080 ] && return 0; sleep 0.2; done; return 1; }
check "b followed a's own segments back to 6080 ($(back; peer .peer_port_seen), rebinds $(peer .rebinds))" \
	test "$(peer .peer_port_seen)" = 6080 -a "$(peer .rebinds)" = 2
kill $lp2 2>/dev/null; wait $lp2 2>/dev/null
kill $mon; wait $mon 2>/dev/null
check "fouctl monitor tou told the two rebindings, in order, and nothing else: $(tr '\n' '|' <"$TMP/mon-tou.out")" \
	bash -c '[ "$(cat "$1")" = "$(printf "tou peer %s port %s rebound (1)\ntou peer %s port 6080 rebound (2)" "$2" "$3" "$2")" ]' \
	_ "$TMP/mon-tou.out" "$A4" "$p1"
finish
