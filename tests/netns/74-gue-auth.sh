#!/usr/bin/env bash
# Authenticated GUE (encap-key): two foud with one key ping and transfer; a
# spoofed datagram from the peer's address, a replay of one the peer really
# sent and a peer with another key get nothing through, each counted once
# (auth, replay), also after the receiver restarted (stopped or killed); key rollover under a ping loses nothing; a keyless tunnel on
# the same port keeps working; a key file others can read is refused; a TOU
# peer with a key transfers, a spoofed TOU datagram is dropped (auth, in its
# metric by key id), a TOU key rollover by reload under TCP refuses nothing,
# and a keyed TOU SYN captured before a restart is refused after it (replay).
. "$(dirname "$0")/lib.sh"
INJ="python3 $ROOT/tests/tools/inject.py"
SNIFF="python3 $ROOT/tests/tools/udp-sniff.py"
setup_hosts
nb ip addr add 192.0.2.3/24 dev vb
K=$TMP/keys
mkdir -m 700 "$K"
newkey() { (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$1"; echo >>"$1"); }
for k in k1 k2 k3; do newkey "$K/$k"; done
for h in a b; do cp "$K/k1" "$K/$h.key"; cp "$K/k1" "$K/$h.next"; done
# B's keyed tunnel comes from its configuration file, which `reload` reads again.
printf '%s\n' "fou add port 5555 gue" \
	"link add name g1 type ipip remote $A4 local $B4 encap gue encap-sport auto encap-dport 5555 encap-key $K/b.key encap-key-next $K/b.next" \
	>"$TMP/b.conf"
printf '%s\n' "fou add port 5555 gue" "metrics listen unix:$TMP/a-metrics.sock" >"$TMP/a.conf"
start_foud a -c "$TMP/a.conf"
start_foud b -c "$TMP/b.conf"
# One keyed tunnel, and a keyless one on the same port from B's second address.
fa link add name g1 type ipip remote $B4 local $A4 encap gue encap-sport auto encap-dport 5555 \
	encap-key "$K/a.key" encap-key-next "$K/a.next"
fa link add name g2 type ipip remote 192.0.2.3 local $A4 encap gue encap-sport auto encap-dport 5555
fb link add name g2 type ipip remote $A4 local 192.0.2.3 encap gue encap-sport auto encap-dport 5555
dev_up a g1 10.4.0.1/24; dev_up b g1 10.4.0.2/24
dev_up a g2 10.5.0.1/24; dev_up b g2 10.5.0.2/24

check "keyed tunnel: ping crosses" na ping -c 3 -i 0.1 -W 2 10.4.0.2
check "keyed tunnel: 2 MiB TCP arrive with sha256 equal" tcp_transfer a 10.4.0.2 2
check "keyless tunnel on the same port: ping crosses" na ping -c 2 -i 0.1 -W 2 10.5.0.2
why=$(fa -j -d link show g1 | jq -r '.[0].foud.datapath_reason // empty')
check "fouctl -d says why the userspace path ($why)" grep -q "encap-key" <<<"$why"

# expect_drop "what" REASON HEX [SPORT]: one datagram from B's address to A's port.
expect_drop() {
	local b a pb pa
	b=$(counter a g1 ".foud.drops.rx.$2"); pb=$(counter a g1 .stats64.rx.packets)
	nb $INJ udp $B4 $A4 5555 "$3" "${4:-0}"
	sleep 0.2
	a=$(counter a g1 ".foud.drops.rx.$2"); pa=$(counter a g1 .stats64.rx.packets)
	check "$1: $2 rose by exactly 1 ($b -> $a), nothing delivered ($pb -> $pa)" \
		test "$a" -eq $((b + 1)) -a "$pa" -eq "$pb"
}
icmp=$($INJ ipv4 10.4.0.2 10.4.0.1 1 64 0800f7ff00000000)
expect_drop "spoofed plain GUE from the peer's address" auth "00040000$icmp"
expect_drop "spoofed GUE direct IP (variant 1)" auth "$icmp"

# A datagram B really sent, captured on A's wire, then sent again.
na $SNIFF va 5555 1 10 >"$TMP/cap" &
sp=$!
# Pings until the sniffer (however slow to start) has one; bounded by its timeout.
while kill -0 $sp 2>/dev/null; do nb ping -c 1 -W 1 10.4.0.1 >/dev/null; sleep 0.1; done
wait $sp
read -r _ csport chex <"$TMP/cap"
check "captured datagram carries SEC=100 and Hlen 12" test "${chex:0:8}" = "0c044000"
expect_drop "a captured datagram replayed" replay "$chex" "$csport"
bad=${chex:0:200}$(printf '%02x' $(( (0x${chex:200:2} ^ 1) )))${chex:202}
expect_drop "the captured datagram with one payload bit flipped" auth "$bad" "$csport"
# The metrics: auth drops by the key id claimed (2 without one, 1 with k1's), replays.
kid=$(printf '%08x' "$(fa -j -d link show g1 | jq -r '.[0] | .. | objects | select(has("key_id")) | .key_id' | head -1)")
read -r mk mu mr < <(metric_vals a "foud_device_auth_drops_total{device=\"g1\",key_id=\"$kid\"}" \
	'foud_device_auth_drops_total{device="g1",key_id="unknown"}' \
	'foud_device_drops_total{device="g1",kind="ipip",direction="rx",reason="replay"}')
check "metrics: auth drops with key id $kid: 1 ($mk), with none of g1's: 2 ($mu), replay: 1 ($mr)" \
	test "$mk" = 1 -a "$mu" = 2 -a "$mr" = 1
promtool_unix a

# Restarts of A: its window is gone, its floor (in its state directory) is not.
# restart a|b SIGNAL CONF: foud stopped with SIGNAL, another started with CONF.
restart() {
	local i=0; [ "$1" = b ] && i=1
	kill "-$2" "${PIDS[$i]}"; wait "${PIDS[$i]}" 2>/dev/null
	rm -f "$TMP/$1.sock"
	start_foud "$1" -c "$3"
	PIDS[$i]=${PIDS[-1]}; unset 'PIDS[-1]'
	"$FOUCTL" -S "$TMP/$1.sock" link show g1 >/dev/null	# answered once CONF is applied
}
g2a="link add name g2 type ipip remote 192.0.2.3 local $A4 encap gue encap-sport auto encap-dport 5555"
printf '%s\n' "fou add port 5555 gue" "metrics listen unix:$TMP/a-metrics.sock" "$g2a" \
	"link add name g1 type ipip remote $B4 local $A4 encap gue encap-sport auto encap-dport 5555 encap-key $K/a.key encap-key-next $K/a.next" \
	>"$TMP/a2.conf"
restart a TERM "$TMP/a2.conf"
check "A restarted (SIGTERM): its floor is where its window stopped ($(cat "$TMP/state-a/gue-g1.floor"))" \
	test -s "$TMP/state-a/gue-g1.floor"
expect_drop "after the restart, the captured datagram replayed" replay "$chex" "$csport"
check "... while fresh traffic crosses: ping" na ping -c 3 -i 0.1 -W 2 10.4.0.2
restart a KILL "$TMP/a2.conf"
expect_drop "A killed (SIGKILL) and started again: the captured datagram replayed" replay "$chex" "$csport"
# A's floor lies a reserve (100 ms of B's clock) ahead of what it took; B, not restarted,
# jumps its sequences to the clock's nanoseconds at its next batch, above it.
check "... while fresh traffic from B, not restarted, crosses: ping" na ping -c 3 -i 0.1 -W 2 10.4.0.2
printf '%s\n' "$(cat "$TMP/b.conf")" "link add name g2 type ipip remote $A4 local 192.0.2.3 encap gue encap-sport auto encap-dport 5555" >"$TMP/b2.conf"
restart b TERM "$TMP/b2.conf"
check "... and after B restarted too, fresh traffic crosses: ping" na ping -c 3 -i 0.1 -W 2 10.4.0.2

# Rollover under a ping: both accept k2, then A (link rekey), then B (reload) send with it.
keyid() { $1 -j -d link show g1 | jq -r '.[0] | .. | objects | select(has("key_id")) | .key_id' | head -1; }
id1=$(keyid fa)
na ping -c 60 -i 0.05 -W 2 10.4.0.2 >"$TMP/ping" 2>&1 &
pp=$!
sleep 0.3
for h in a b; do cp "$K/k2" "$K/$h.next"; done
fa link rekey g1; fb link rekey g1
sleep 0.3
cp "$K/k2" "$K/a.key"; cp "$K/k1" "$K/a.next"; fa link rekey g1
sleep 0.3
cp "$K/k2" "$K/b.key"; cp "$K/k1" "$K/b.next"; fb reload
wait $pp
check "rollover under a ping of 60: none lost" grep -q " 60 received, 0% packet loss" "$TMP/ping"
id2a=$(keyid fa); id2b=$(keyid fb)
check "both now send with the new key ($id1 -> $id2a, $id2b)" test "$id2a" = "$id2b" -a "$id2a" != "$id1"

# A peer with another key: nothing of it gets through.
b=$(counter a g1 .foud.drops.rx.auth); pb=$(counter a g1 .stats64.rx.packets)
cp "$K/k3" "$K/b.key"; cp "$K/k3" "$K/b.next"; fb link rekey g1
check "a peer with another key: ping fails" bash -c "! ip netns exec $NSB ping -c 3 -i 0.1 -W 1 10.4.0.1"
a=$(counter a g1 .foud.drops.rx.auth); pa=$(counter a g1 .stats64.rx.packets)
check "... its 3 datagrams counted as auth ($b -> $a), none delivered ($pb -> $pa)" \
	test "$a" -eq $((b + 3)) -a "$pa" -eq "$pb"

# Key files others could read, or not one line of 64 hex digits, are refused.
newkey "$K/open"; chmod 644 "$K/open"
fa link add name g3 type ipip remote 192.0.2.9 local $A4 encap gue encap-dport 5555 \
	encap-key "$K/open" >"$TMP/err" 2>&1
check "a key file of mode 0644 is refused, the mode named" grep -q "0644.*0600" "$TMP/err"
echo "not a key" >"$K/bad"; chmod 600 "$K/bad"
fa link add name g3 type ipip remote 192.0.2.9 local $A4 encap gue encap-dport 5555 \
	encap-key "$K/bad" >"$TMP/err" 2>&1
check "a key file without 64 hex digits is refused" grep -q "64 hex digits" "$TMP/err"
check "... and no device was made" bash -c "! ip netns exec $NSA ip link show g3 >/dev/null 2>&1"
check "keyless tunnel still carries traffic" na ping -c 2 -i 0.1 -W 2 10.5.0.2
cp "$K/k3" "$K/a.key"; fa link set g1 ttl 9
check "link set on a keyed tunnel: made again with its files read (now k3 both ends), ping crosses" \
	na ping -c 2 -i 0.1 -W 2 10.4.0.2
chmod 644 "$K/a.key"
fa link rekey g1 >"$TMP/err" 2>&1; rc=$?
check "link rekey with a key file others can read fails (exit $rc), naming the mode" \
	test "$rc" -ne 0 -a -n "$(grep 0644 "$TMP/err")"
check "... and the keys stay as they were: ping crosses" na ping -c 2 -i 0.1 -W 2 10.4.0.2
chmod 600 "$K/a.key"

# TOU with a key (tou add peer ... key FILE): the same for transports over UDP;
# the peers come from the files (a2.conf, b2.conf since the restarts), added by reload.
newkey "$K/tou"; newkey "$K/tou2"
for f in a.tou a.tou.next b.tou b.tou.next; do cp "$K/tou" "$K/$f"; done
echo "tou add peer $B4 key $K/a.tou key-next $K/a.tou.next" >>"$TMP/a2.conf"
echo "tou add peer $A4 key $K/b.tou key-next $K/b.tou.next" >>"$TMP/b2.conf"
fa reload; fb reload
tou_auth() { fa -j -s tou show | jq -r ".peers[] | select(.peer == \"$B4\") | .drops.rx.auth"; }
head -c 1048576 /dev/urandom >"$TMP/tou-data"
tou_xfer() { # tou_xfer PORT: 1 MiB a -> b over TOU (tou-run socat), arriving intact
	tou_send 30 "$TMP/tou-data" "$1" && cmp "$TMP/tou-data" "$TMP/recv"
}
check "TOU with a key: 1 MiB arrives intact" tou_xfer 7002
b=$(tou_auth); rb=$(fa -j tou show | jq -r ".peers[] | select(.peer == \"$B4\") | .rebinds")
tm() { metric_unix a "foud_tou_peer_auth_drops_total{peer=\"$B4\",key_id=\"$1\"}"; }
tkid=$(printf '%08x' "$(fa -j tou show | jq -r ".peers[] | select(.peer == \"$B4\") | .key_id")")
mu0=$(tm unknown); mk0=$(tm "$tkid")
seg=$($INJ tcpseg $B4 $A4 1000 10)
nb $INJ udp $B4 $A4 6080 "00060000${seg:40}" 40999
sleep 0.2
a=$(tou_auth); ra=$(fa -j tou show | jq -r ".peers[] | select(.peer == \"$B4\") | .rebinds")
check "TOU: a spoofed plain GUE/TCP segment from the peer's address (another port: no rebinding learned from it), auth rose by 1 ($b -> $a), rebinds $rb -> $ra" \
	test "$a" -eq $((b + 1)) -a "$ra" = "$rb" -a -n "$rb"
check "metrics: the TOU peer's auth drops with no key id of its own rose by 1 ($mu0 -> $(tm unknown)), with $tkid's not ($mk0 -> $(tm "$tkid"))" \
	test "$(tm unknown)" -eq $((mu0 + 1)) -a "$(tm "$tkid")" -eq "$mk0"
# A forger who knows the key id, not the key: SEC with the peer's id, an HMAC of zeros.
forged=0c064000${tkid}0000$(printf %04x $(( (${#seg} - 40) / 2 )))$(printf '0%.0s' $(seq 80))${seg:40}
nb $INJ udp $B4 $A4 6080 "$forged" 40999
sleep 0.2
check "TOU: a datagram claiming key id $tkid with a wrong HMAC: auth rose by 1 ($a -> $(tou_auth)), its metric series by 1 ($mk0 -> $(tm "$tkid")), unknown's not" \
	test "$(tou_auth)" -eq $((a + 1)) -a "$(tm "$tkid")" -eq $((mk0 + 1)) -a "$(tm unknown)" -eq $((mu0 + 1))
promtool_unix a

# TOU key rollover by reload under a trickle of TCP (2000 bytes every 15 ms):
# both accept tou2, then A, then B send with it; no datagram refused either way.
tou_drops() { # tou_drops a|b: auth + replay drops of its peer
	local f=fa p=$B4; [ "$1" = b ] && { f=fb; p=$A4; }
	$f -j -s tou show | jq -r ".peers[] | select(.peer == \"$p\") | (.drops.rx.auth // 0) + (.drops.rx.replay // 0)"
}
tou_id() { # tou_id a|b: the key id its peer sends with
	local f=fa p=$B4; [ "$1" = b ] && { f=fb; p=$A4; }
	$f -j tou show | jq -r ".peers[] | select(.peer == \"$p\") | .key_id"
}
da=$(tou_drops a); db=$(tou_drops b); id1=$(tou_id a)
tou_trickle 30 7003 120 2000 0.015
sleep 0.3
for h in a b; do cp "$K/tou2" "$K/$h.tou.next"; done
fa reload; fb reload
sleep 0.3
cp "$K/tou2" "$K/a.tou"; cp "$K/tou" "$K/a.tou.next"; fa reload
sleep 0.3
cp "$K/tou2" "$K/b.tou"; cp "$K/tou" "$K/b.tou.next"; fb reload
wait $sp; wait $lp
check "TOU rollover by reload under TCP: the 240000 bytes arrive intact" cmp "$TMP/trickle" "$TMP/recv2"
check "... and no datagram refused (auth+replay: a $da -> $(tou_drops a), b $db -> $(tou_drops b))" \
	test "$(tou_drops a)" -eq "$da" -a "$(tou_drops b)" -eq "$db"
ida=$(tou_id a); idb=$(tou_id b)
check "... both now send with the new key ($id1 -> $ida, $idb)" test "$ida" = "$idb" -a "$ida" != "$id1"
# Only tou2 left on both ends: TOU still crosses, so both send with it.
for h in a b; do cp "$K/tou2" "$K/$h.tou.next"; done
fa reload; fb reload
check "after it, with only the new key on both ends, 1 MiB over TOU arrives intact" tou_xfer 7004
# A keyed TOU SYN replayed after A restarted: the peer's floor (tou-ADDR.floor
# in A's state directory) refuses it before any session is made for it.
# syn_out: B opens a TCP connection to A under tou-run (nobody listens; A's RST goes plain).
syn_out() { nb timeout 3 "$ROOT/$B/tou-run" socat -u OPEN:/dev/null "TCP4:$A4:7010,connect-timeout=1" 2>/dev/null; }
na $SNIFF va 6080 1 10 >"$TMP/tcap" &
sp=$!
while kill -0 $sp 2>/dev/null; do syn_out; sleep 0.1; done
wait $sp
read -r tsrc _ tsyn <"$TMP/tcap"
toff=$(( (4 + (0x${tsyn:0:2} & 0x1f) * 4) * 2 ))
check "captured from $tsrc: a keyed TOU SYN (SEC, S: ${tsyn:0:8}, TCP flags ${tsyn:$((toff + 26)):2})" \
	test "$tsrc" = "$B4" -a $((0x${tsyn:4:4} & 0x4000)) -ne 0 -a $((0x${tsyn:$((toff + 26)):2} & 0x12)) -eq 2
trp() { fa -j -s tou show | jq -r ".peers[] | select(.peer == \"$B4\") | .drops.rx.replay // 0"; }
trx() { fa -j -s tou show | jq -r ".peers[] | select(.peer == \"$B4\") | .stats64.rx.packets"; }
tsess() { fa -j tou show | jq -r '.session_totals.created'; }
# replay_syn WHAT: the captured SYN again from B's TOU port; replay +1, nothing delivered, no session.
replay_syn() {
	local r0 p0 s0
	r0=$(trp); p0=$(trx); s0=$(tsess)
	nb python3 "$ROOT/tests/tools/inject.py" udpraw $B4 6080 $A4 6080 "$tsyn" ok
	sleep 0.2
	check "$1: replay rose by exactly 1 ($r0 -> $(trp)), nothing delivered ($p0 -> $(trx)), no session made ($s0 -> $(tsess))" \
		test "$(trp)" -eq $((r0 + 1)) -a "$(trx)" -eq "$p0" -a "$(tsess)" -eq "$s0"
}
replay_syn "TOU: the captured SYN replayed"
restart a TERM "$TMP/a2.conf"
check "A restarted (SIGTERM): the TOU peer's floor is written ($(cat "$TMP/state-a/tou-$B4.floor"))" \
	grep -q " $B4\$" "$TMP/state-a/tou-$B4.floor"
replay_syn "after the restart, the captured TOU SYN replayed"
check "... while fresh TOU traffic crosses: 1 MiB intact" tou_xfer 7011
restart a KILL "$TMP/a2.conf"
replay_syn "A killed (SIGKILL) and started again: the captured TOU SYN replayed"
check "... while fresh TOU traffic crosses: 1 MiB intact" tou_xfer 7012
finish
