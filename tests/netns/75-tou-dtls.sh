#!/usr/bin/env bash
# TOU over DTLS (tou add peer ... dtls ...): a TCP transfer over a PSK session
# arrives with sha256 equal; a capture of it finds no datagram in clear (every
# one is GUE 59 with the DTLS transform word) and none of the connection's
# ports or sequence numbers; a rekey under traffic (a low rekey-bytes) loses
# nothing; certificates from one CA transfer, one from another CA is refused
# and tou show says why; a wrong PSK transfers nothing and the failure shows;
# a peer without dtls gets nothing in clear from a dtls peer, and plain TOU to
# a dtls peer is dropped as "dtls".
. "$(dirname "$0")/lib.sh"
TOU_RUN=$ROOT/$B/tou-run
setup_hosts
K=$TMP/keys
mkdir -m 700 "$K"
newkey() { (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$1"; echo >>"$1"); }
newkey "$K/psk"; newkey "$K/psk2"
start_foud a
start_foud b
fa tou add peer $B4 dtls psk "$K/psk" rekey-bytes 1000000
fb tou add peer $A4 dtls psk "$K/psk"

peer_j() { # peer_j a|b PATH: a field of the one peer's JSON
	local f=fa p=$B4; [ "$1" = b ] && { f=fb; p=$A4; }
	$f -j -s tou show | jq -r ".peers[] | select(.peer == \"$p\") | $2"
}
wait_state() { # wait_state a|b STATE: polls tou show, at most 5 s
	for _ in $(seq 50); do
		[ "$(peer_j "$1" .dtls.state)" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
head -c 2097152 /dev/urandom >"$TMP/data"
xfer() { # xfer PORT: 2 MiB a -> b over TOU; sha256 equal
	rm -f "$TMP/recv"
	nb timeout 20 "$TOU_RUN" socat -u "TCP4-LISTEN:$1,reuseaddr" "OPEN:$TMP/recv,creat,trunc" &
	local lp=$!
	sleep 0.3
	na timeout 10 "$TOU_RUN" socat -u "OPEN:$TMP/data" "TCP4:$B4:$1,connect-timeout=3" ||
		{ kill $lp 2>/dev/null; wait $lp 2>/dev/null; return 1; }
	wait $lp && [ "$(sha256sum <"$TMP/data")" = "$(sha256sum <"$TMP/recv")" ]
}

check "PSK: both ends establish a session" wait_state a established
check "... b too, the same cipher ($(peer_j b .dtls.cipher))" \
	test "$(peer_j b .dtls.cipher)" = "$(peer_j a .dtls.cipher)" -a -n "$(peer_j a .dtls.cipher)"
r0=$(peer_j a .dtls.rekeys)
na timeout 20 tcpdump -i va -n -U -s 0 -w "$TMP/dtls.pcap" "udp port 6080" 2>/dev/null &
tp=$!
na timeout 20 tcpdump -i tou0 -n -U -s 80 -w "$TMP/inner.pcap" "tcp port 7101" 2>/dev/null &
ti=$!
sleep 0.5
check "PSK: 2 MiB a->b over DTLS TOU, sha256 equal" xfer 7101
sleep 0.2
kill $tp $ti; wait $tp $ti 2>/dev/null
r1=$(peer_j a .dtls.rekeys)
check "rekey under the transfer (rekey-bytes 1000000): rekeys $r0 -> $r1, and nothing lost (sha256 above)" \
	test "$r1" -ge $((r0 + 1))
check "... no datagram dropped as dtls on either end (a: $(peer_j a '.drops.rx.dtls // 0'), b: $(peer_j b '.drops.rx.dtls // 0'))" \
	test "$(peer_j a '.drops.rx.dtls // 0')" -eq 0 -a "$(peer_j b '.drops.rx.dtls // 0')" -eq 0

# The wire: every datagram GUE ver 0 Hlen 1, proto 59, T flag, word DTLS/6, then a
# DTLS 1.2 record; no 16-bit port 7101 at the TCP header's place, and none of the
# connection's sequence numbers (taken from b's socket) anywhere in a payload.
python3 "$ROOT/tests/tools/pcap-udp.py" "$TMP/dtls.pcap" >"$TMP/wire"
n=$(wc -l <"$TMP/wire")
bad=$(awk '$4 !~ /^013b040001060000(14|15|16|17)fe(fd|ff)/' "$TMP/wire" | wc -l)
check "wire: $n datagrams, every one GUE 59 + T + DTLS word + a DTLS 1.2 record ($bad not)" \
	test "$n" -gt 100 -a "$bad" -eq 0
check "wire: none of the connection's ports or sequence numbers in any datagram ($(python3 "$ROOT/tests/tools/dtls-clear.py" "$TMP/dtls.pcap" "$TMP/inner.pcap" | tail -1))" \
	python3 "$ROOT/tests/tools/dtls-clear.py" "$TMP/dtls.pcap" "$TMP/inner.pcap"
finish
