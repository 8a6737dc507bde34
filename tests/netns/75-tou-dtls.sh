#!/usr/bin/env bash
# TOU over DTLS (tou add peer ... dtls ...): a session comes up through a flood
# of spoofed ClientHellos; a TCP transfer over a PSK session arrives with
# sha256 equal, and a capture of it finds no datagram in clear (every one is
# GUE 59 with the DTLS transform word) and none of the connection's ports or
# sequence numbers; plain TOU, forged and truncated records are dropped as
# "dtls"; rekeys by bytes and a PSK rollover by reload under a trickle lose
# nothing; a peer without dtls gets nothing in clear from a dtls peer; another
# PSK, and a certificate of another CA, are refused and tou show says why;
# certificates of one CA transfer; one of that CA issued to another host (not
# the peer's address, or not "name"), or expired, is refused; IPv6 too. Beside
# a plain peer, a DTLS peer's MTU is on its own route, not on tou0 for all.
. "$(dirname "$0")/lib.sh"
TOU_RUN=$ROOT/$B/tou-run
INJ="python3 $ROOT/tests/tools/inject.py"
TOU_MARK=0x746f75
setup_hosts
K=$TMP/keys
mkdir -m 700 "$K"
newkey() { (umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$1"; echo >>"$1"); }
newkey "$K/psk"; newkey "$K/psk2"
# The peers' lines in the files too: reload reads their PSK files again.
for h in a b; do cp "$K/psk" "$K/$h.psk"; done
printf '%s\n' "metrics listen unix:$TMP/a-metrics.sock" \
	"tou add peer $B4 dtls psk $K/a.psk rekey-bytes 100000" >"$TMP/a.conf"
: >"$TMP/b.conf"
start_foud a -c "$TMP/a.conf"
start_foud b -c "$TMP/b.conf"
# A spoofer (B's address, another port) sends ClientHellos with the highest random
# every 0.3 s while the ends establish: a cookie (HelloVerifyRequest) keeps them
# from taking a's handshake slot, so the session comes up regardless.
hello=$(python3 -c 'import struct
body = bytes.fromhex("fefd") + b"\xff" * 32 + bytes.fromhex("0000" "0002ccac" "0100" "000e" "000a00040002001d" "000b00020100")
hs = bytes([1]) + struct.pack("!I", len(body))[1:] + bytes(2) + bytes(3) + struct.pack("!I", len(body))[1:] + body
print(("013b040001060000" + "16fefd" + "0000" + "000000000000" + struct.pack("!H", len(hs)).hex() + hs.hex()))')
( for _ in $(seq 25); do nb $INJ udp $B4 $A4 6080 "$hello" 40999 2>/dev/null; sleep 0.2; done ) &
spoof=$!
sleep 0.3
echo "tou add peer $A4 dtls psk $K/b.psk" >"$TMP/b.conf"
fb tou add peer $A4 dtls psk "$K/b.psk"

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
# xfer PORT [ADDR]: 2 MiB a -> b (ADDR, $B4 by default) over TOU; sha256 equal
xfer() { tou_send 20 "$TMP/data" "$1" "${2:-$B4}" && same_bytes "$TMP/data" "$TMP/recv"; }
# no_xfer PORT: b listens, yet a's TOU connection fails and nothing arrives
no_xfer() { ! tou_send 3 "$TMP/data" "$1" && [ ! -s "$TMP/recv" ]; }
capturing() { # capturing FILE: tcpdump has written its header (it captures), at most 3 s
	for _ in $(seq 60); do [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -ge 24 ] && return 0; sleep 0.05; done
	return 1
}
settled() { # settled FILE: its size stays the same for 0.2 s (tcpdump gone), at most 3 s
	local a b=-1
	for _ in $(seq 15); do
		a=$(stat -c %s "$1"); [ "$a" = "$b" ] && return 0; b=$a; sleep 0.2
	done
	return 1
}
fails() { # fails a|b N: polls until its failures reach N, at most 5 s
	for _ in $(seq 50); do
		[ "$(peer_j "$1" .dtls.failures)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# expect_dtls "what" HEX: one datagram from B's address (another port) to A's; a's dtls drops +1.
expect_dtls() {
	local b a pb pa
	b=$(peer_j a '.drops.rx.dtls // 0'); pb=$(peer_j a .stats64.rx.packets)
	nb $INJ udp $B4 $A4 6080 "$2" 40999
	for _ in $(seq 20); do [ "$(peer_j a '.drops.rx.dtls // 0')" -gt "$b" ] && break; sleep 0.05; done
	a=$(peer_j a '.drops.rx.dtls // 0'); pa=$(peer_j a .stats64.rx.packets)
	check "$1: dtls rose by exactly 1 ($b -> $a), nothing delivered ($pb -> $pa)" \
		test "$a" -eq $((b + 1)) -a "$pa" -eq "$pb"
}

check "PSK: both ends establish a session, spoofed ClientHellos notwithstanding" wait_state a established
kill $spoof 2>/dev/null; wait $spoof 2>/dev/null
check "... b too, the same cipher ($(peer_j b .dtls.cipher))" \
	test "$(peer_j b .dtls.cipher)" = "$(peer_j a .dtls.cipher)" -a "$(peer_j a .dtls.cipher)" != null
r0=$(peer_j a .dtls.rekeys)
na timeout 20 tcpdump -i va -n -U -s 0 -w "$TMP/dtls.pcap" "udp port 6080" 2>/dev/null &
tp=$!
na timeout 20 tcpdump -i tou0 -n -U -s 80 -w "$TMP/inner.pcap" "tcp port 7101" 2>/dev/null &
ti=$!
capturing "$TMP/dtls.pcap"; capturing "$TMP/inner.pcap"
check "PSK: 2 MiB a->b over DTLS TOU, sha256 equal" xfer 7101
sleep 0.2
kill $tp $ti; wait $tp $ti 2>/dev/null
settled "$TMP/dtls.pcap"; settled "$TMP/inner.pcap"
r1=$(peer_j a .dtls.rekeys)
check "rekeys during it (rekey-bytes 100000): $r0 -> $r1" test "$r1" -ge $((r0 + 1))
dd() { peer_j "$1" "(.drops.rx.dtls // 0) + (.drops.tx.dtls // 0)"; }
check "... no segment refused by DTLS either way on either end (a: $(dd a), b: $(dd b))" \
	test "$(dd a)" -eq 0 -a "$(dd b)" -eq 0

# The wire: every datagram GUE ver 0 Hlen 1, proto 59, T flag, word DTLS/6, then a
# DTLS 1.2 record; none of the connection's port pairs anywhere in a payload, nor its
# sequence numbers (from the capture on a's tou0) where a clear TCP header would be.
python3 "$ROOT/tests/tools/pcap-udp.py" "$TMP/dtls.pcap" >"$TMP/wire"
n=$(wc -l <"$TMP/wire")
bad=$(awk '$4 !~ /^013b040001060000(14|15|16|17)fe(fd|ff)/' "$TMP/wire" | wc -l)
check "wire: $n datagrams, every one GUE 59 + T + DTLS word + a DTLS 1.2 record ($bad not)" \
	test "$n" -gt 100 -a "$bad" -eq 0
check "wire: none of the connection's ports or sequence numbers in any datagram ($(python3 "$ROOT/tests/tools/dtls-clear.py" "$TMP/dtls.pcap" "$TMP/inner.pcap" | tail -1))" \
	python3 "$ROOT/tests/tools/dtls-clear.py" "$TMP/dtls.pcap" "$TMP/inner.pcap"

# From the network: plain TOU from the peer's address, a forged record, a garbage one.
seg=$($INJ tcpseg $B4 $A4 1000 10)
expect_dtls "plain TOU (GUE proto 6) to a dtls peer" "00060000${seg:40}"
expect_dtls "a forged application-data record" "013b04000106000017fefd00010000000000990030$(head -c 48 /dev/urandom | od -An -tx1 | tr -d ' \n')"
expect_dtls "a record whose length runs past the datagram" "013b04000106000017fefd0001000000000099ffff00"
# 500 random records (every content type, epochs, lengths, ClientHello-shaped
# ones, two records in one datagram): each dropped and counted, the session kept.
# Against a settled session: the transfer above leaves a's session due for a
# rekey by bytes, which can take a retry (1 s) and seconds; a record that lands
# while a handshake is under way goes to that handshake, whose OpenSSL discards
# it unseen, so it is not counted (a gap in the counters, not what this checks).
# Settled: both ends established, their session counts unchanged for 1.5 s (at
# most 15 s).
dtls_settled() {
	local was='' now t0 since
	t0=$(date +%s%N) since=$t0
	while [ $(($(date +%s%N) - t0)) -lt 15000000000 ]; do
		now="$(peer_j a .dtls.state) $(peer_j b .dtls.state) $(peer_j a .dtls.sessions) $(peer_j b .dtls.sessions)"
		[ "$now" != "$was" ] && { was=$now since=$(date +%s%N); }
		case $now in "established established "*)
			[ $(($(date +%s%N) - since)) -ge 1500000000 ] && return 0 ;;
		esac
		sleep 0.1
	done
	return 1
}
check "the session settles after the transfer's rekey (both established, counts still for 1.5 s)" dtls_settled
b0=$(peer_j a '.drops.rx.dtls // 0'); s0=$(peer_j a .dtls.sessions); f0=$(peer_j a .dtls.failures)
nb python3 -c '
import os, random, socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 40999))
for i in range(500):
    t = random.choice([20, 21, 22, 23, random.randrange(256)])
    body = os.urandom(random.randrange(0, 300))
    if t == 22 and random.random() < 0.5:
        body = bytes([random.choice([1, 2, 3, 11, 12, 14, 16, 20])]) + body
    ln = random.choice([len(body), random.randrange(65536)])
    rec = (bytes([t]) + random.choice([b"\xfe\xfd", b"\xfe\xff", os.urandom(2)]) +
           struct.pack("!H", random.choice([0, 1, 2, random.randrange(65536)])) + os.urandom(6) +
           struct.pack("!H", ln) + body)
    if random.random() < 0.3:
        rec += rec
    s.sendto(bytes.fromhex("013b040001060000") + rec, (sys.argv[2], 6080))' $B4 $A4
for _ in $(seq 40); do [ "$(peer_j a '.drops.rx.dtls // 0')" -ge $((b0 + 500)) ] && break; sleep 0.05; done
check "500 random records: dtls rose by exactly 500 ($b0 -> $(peer_j a '.drops.rx.dtls // 0'))" \
	test "$(peer_j a '.drops.rx.dtls // 0')" -eq $((b0 + 500))
check "... the session kept (sessions $s0 -> $(peer_j a .dtls.sessions), failures $f0 -> $(peer_j a .dtls.failures), $(peer_j a .dtls.state))" \
	test "$(peer_j a .dtls.sessions)" -eq "$s0" -a "$(peer_j a .dtls.failures)" -eq "$f0"

# Under a trickle (2000 bytes every 7 ms for 1.4 s): rekeys by bytes (rekey-bytes
# 100000 on a), and a PSK rollover: both files changed, a then b reload; each
# new session is made while the old one carries; nothing lost or refused.
newkey "$K/psk2b"
wait_state a established
r0=$(peer_j a .dtls.rekeys); da=$(dd a); db=$(dd b); id0=$(peer_j a .dtls.psk_id)
tou_trickle 20 7102 200 2000 0.007
# Two rekeys by bytes first (bounded by the trickle), then the rollover.
while kill -0 $sp 2>/dev/null && [ "$(peer_j a .dtls.rekeys)" -lt $((r0 + 2)) ]; do sleep 0.1; done
r1=$(peer_j a .dtls.rekeys)
for h in a b; do cp "$K/psk2b" "$K/$h.psk"; done
fa reload; fb reload
s1=$(peer_j a .dtls.sessions)
wait $sp; wait $lp
check "rekeys and a PSK rollover under a trickle of 400000 bytes: arrives intact" cmp "$TMP/trickle" "$TMP/recv2"
check "... with 2 rekeys by bytes under it before the rollover ($r0 -> $r1)" test "$r1" -ge $((r0 + 2))
check "... and no segment refused by DTLS (a: $da -> $(dd a), b: $db -> $(dd b))" \
	test "$(dd a)" -eq "$da" -a "$(dd b)" -eq "$db"
ida=$(peer_j a .dtls.psk_id); idb=$(peer_j b .dtls.psk_id)
check "... both ends now hold the new PSK (psk-id $id0 -> $ida, $idb)" test "$ida" = "$idb" -a "$ida" != "$id0"
newer() { # a has a session made after both reloads (with the new PSK), at most 5 s
	for _ in $(seq 50); do
		[ "$(peer_j a .dtls.sessions)" -gt "$s1" ] && return 0
		sleep 0.1
	done
	return 1
}
check "... and a session is made after both reloads ($(newer; peer_j a .dtls.sessions) > $s1)" newer

# A peer without dtls: a sends nothing in clear, b gets nothing through.
na timeout 10 tcpdump -i va -n -U -s 0 -w "$TMP/plain.pcap" "udp port 6080 and src host $A4" 2>/dev/null &
tp=$!
capturing "$TMP/plain.pcap"
fb tou del peer $A4; fb tou add peer $A4
fa tou del peer $B4; fa tou add peer $B4 dtls psk "$K/psk"
d0=$(peer_j a '.drops.tx.dtls // 0')
check "a peer without dtls: a TOU connection from the dtls peer fails" bash -c "! ip netns exec $NSA timeout 2 $TOU_RUN socat -u OPEN:$TMP/data TCP4:$B4:7103,connect-timeout=1"
kill $tp; wait $tp 2>/dev/null
settled "$TMP/plain.pcap"
python3 "$ROOT/tests/tools/pcap-udp.py" "$TMP/plain.pcap" >"$TMP/wire2"
check "... a sent $(wc -l <"$TMP/wire2") datagrams, all DTLS handshakes, none in clear" \
	test "$(wc -l <"$TMP/wire2")" -ge 1 -a "$(awk '$4 !~ /^013b04000106000016/' "$TMP/wire2" | wc -l)" -eq 0
check "... its TCP segments dropped as dtls ($d0 -> $(peer_j a '.drops.tx.dtls // 0'))" \
	test "$(peer_j a '.drops.tx.dtls // 0')" -gt "$d0"

# Another PSK on b: no session, the failure shown on both ends.
fa tou del peer $B4; fa tou add peer $B4 dtls psk "$K/psk"
fb tou del peer $A4; fb tou add peer $A4 dtls psk "$K/psk2"
# Meanwhile (the handshake takes 3 s to give up), certificates of two CAs.
cd "$K" || exit 1
ossl() { openssl "$@" >/dev/null 2>&1; }
for ca in ca ca2; do
	ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout $ca.key -out $ca.pem -days 2 -subj "/CN=$ca"
done
mkcert() { # mkcert NAME CA SUBJECTALTNAME [DAYS]: DAYS -1 is an expired one
	ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$1"
	ossl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -out "$1.pem" \
		-days "${4:-2}" -extfile <(echo "subjectAltName=$3")
	chmod 600 "$1.key"
}
# other: the CA's, issued to another host; bdns: b's by DNS name; old: b's, expired.
mkcert a ca "IP:$A4"; mkcert b ca "IP:$B4"; mkcert evil ca2 "IP:$B4"
mkcert other ca "IP:192.0.2.77,DNS:other.example"; mkcert bdns ca "DNS:b.example"
mkcert old ca "IP:$B4" -1
cd - >/dev/null || exit 1
check "another PSK: no session, a failure counted on a ($(fails a 1; peer_j a .dtls.failures))" fails a 1
check "... and on b ($(fails b 1; peer_j b .dtls.failures))" fails b 1
check "... tou show says why: $(fa tou show | grep dtls-error)" \
	bash -c "$FOUCTL -S $TMP/a.sock tou show | grep -q 'dtls-error.*PSK differs'"
check "... and a is not established ($(peer_j a .dtls.state))" test "$(peer_j a .dtls.state)" != established

# Certificates: a and b signed by one CA transfer; b signed by another CA is refused.
certs() { # certs CERT [WORDS...]: a with a's certificate (and WORDS), b with CERT's; cacert ca
	fa tou del peer $B4; fa tou add peer $B4 dtls cert "$K/a.pem" key "$K/a.key" cacert "$K/ca.pem" "${@:2}"
	fb tou del peer $A4; fb tou add peer $A4 dtls cert "$K/$1.pem" key "$K/$1.key" cacert "$K/ca.pem"
}
refused_as() { # refused_as CERT "what" ERROR [WORDS...]: b presents CERT; a refuses it, saying ERROR
	certs "$1" "${@:4}"
	check "$2: refused by a ($(fails a 1; fa tou show | grep dtls-error))" \
		bash -c "$FOUCTL -S $TMP/a.sock tou show | grep -q 'dtls-error peer certificate refused: $3'"
	check "... no session on either end ($(peer_j a .dtls.state), $(peer_j b .dtls.state))" \
		test "$(peer_j a .dtls.state)" != established -a "$(peer_j b .dtls.state)" != established
}
certs b
check "certificates of one CA: a session ($(wait_state a established; peer_j a .dtls.cipher))" wait_state a established
check "... 2 MiB a->b, sha256 equal" xfer 7104
refused_as evil "a certificate of another CA" "unable to get local issuer certificate"
check "... and no transfer, b listening" no_xfer 7105

# Names: a checks b's certificate for b's address (the default) or for "name".
refused_as other "the CA's certificate issued to another host (192.0.2.77)" "IP address mismatch"
check "... and no transfer, b listening" no_xfer 7106
refused_as old "b's certificate, expired" "certificate has expired"
refused_as bdns "name other.example: b's certificate (DNS b.example)" "hostname mismatch" name other.example
M=foud_tou_peer_dtls
# (a tries again every second: the scrape's figure lies between two of tou show's)
f1=$(peer_j a .dtls.failures)
read -r mf mo ms < <(metric_vals a "${M}_handshakes_total{peer=\"$B4\",result=\"failed\"}" \
	"${M}_handshakes_total{peer=\"$B4\",result=\"ok\"}" "${M}_state{peer=\"$B4\",state=\"established\"}")
f2=$(peer_j a .dtls.failures)
check "metrics: handshakes failed as tou show counts them ($f1 <= $mf <= $f2), none ok ($mo), not established ($ms)" \
	test "$f1" -ge 1 -a "$mf" -ge "$f1" -a "$mf" -le "$f2" -a "$mo" = 0 -a "$ms" = 0
certs bdns name b.example
check "name b.example: that certificate makes a session ($(wait_state a established; peer_j a .dtls.state))" \
	wait_state a established
read -r mf mo ms < <(metric_vals a "${M}_handshakes_total{peer=\"$B4\",result=\"failed\"}" \
	"${M}_handshakes_total{peer=\"$B4\",result=\"ok\"}" "${M}_state{peer=\"$B4\",state=\"established\"}")
check "metrics: the new peer's one handshake ok ($mo), none failed ($mf), established ($ms)" \
	test "$mo" = 1 -a "$mf" = 0 -a "$ms" = 1
promtool_unix a
fa tou add peer 192.0.2.9 dtls psk "$K/psk" name b.example >"$TMP/err" 2>&1
check "\"name\" with a PSK is refused, named" grep -q '"name"' "$TMP/err"
fa tou add peer 192.0.2.9 dtls cert "$K/a.pem" key "$K/a.key" cacert "$K/ca.pem" name 'b_x' >"$TMP/err" 2>&1
check "a name that is no DNS name nor address is refused, named" grep -q 'b_x' "$TMP/err"

# IPv6: a PSK session and a transfer.
fa tou add peer $B6 dtls psk "$K/psk"; fb tou add peer $A6 dtls psk "$K/psk"
up6() { for _ in $(seq 50); do fa -j tou show | jq -e ".peers[] | select(.peer == \"$B6\") | .dtls.state == \"established\"" >/dev/null && return 0; sleep 0.1; done; return 1; }
check "IPv6: a session" up6
rm -f "$TMP/recv"
nb timeout 20 "$TOU_RUN" socat -u "TCP6-LISTEN:7107,reuseaddr" "OPEN:$TMP/recv,creat,trunc" &
lp=$!
sleep 0.3
na timeout 10 "$TOU_RUN" socat -u "OPEN:$TMP/data" "TCP6:[$B6]:7107,connect-timeout=3"
wait $lp
check "IPv6: 2 MiB a->b over DTLS TOU, sha256 equal" test "$(sha256sum <"$TMP/data")" = "$(sha256sum <"$TMP/recv")"

# A DTLS peer beside a plain one: tou0 takes the widest peer's MTU, each peer's
# route its own, so TCP's MSS is right per peer: the plain peer's SYNs carry an
# MSS the DTLS record's overhead does not cut.
P4A=192.0.2.11 P4B=192.0.2.12
na ip addr add $P4A/24 dev va; nb ip addr add $P4B/24 dev vb
fa tou add peer $P4B local $P4A; fb tou add peer $P4A local $P4B
pmtu() { fa -j tou show | jq -r ".peers[] | select(.peer == \"$1\") | .mtu"; }
rmtu() { na ip route get "$1" mark $TOU_MARK | sed -n 's/.* mtu \(lock \)\{0,1\}\([0-9]*\).*/\2/p'; }
mp=$(pmtu $P4B) md=$(pmtu $B4) md6=$(pmtu $B6) dev=$(na cat /sys/class/net/tou0/mtu)
for v in mp md md6; do [[ ${!v} =~ ^[0-9]+$ ]] || printf -v "$v" 0; done	# no figure: the checks fail
check "tou0's MTU is the plain peer's ($dev = $mp), wider than the DTLS peer's ($md)" \
	test "$dev" = "$mp" -a "$md" -lt "$mp"
check "ip route get: the plain peer's route has its MTU ($(rmtu $P4B)), the DTLS peer's its own ($(rmtu $B4)), IPv6 too ($(rmtu $B6) = $md6)" \
	test "$(rmtu $P4B)" = "$mp" -a "$(rmtu $B4)" = "$md" -a "$(rmtu $B6)" = "$md6"
na timeout 20 tcpdump -i tou0 -n -U -s 80 -w "$TMP/syn.pcap" "tcp[tcpflags] & tcp-syn != 0" 2>/dev/null &
tp=$!
capturing "$TMP/syn.pcap"
check "2 MiB a->b to the plain peer beside the DTLS one, sha256 equal" xfer 7108 $P4B
check "... and to the DTLS peer, sha256 equal" xfer 7109
sleep 0.2
kill $tp; wait $tp 2>/dev/null
settled "$TMP/syn.pcap"
mss() { # mss SRC DST: the MSS option of the SYN (or SYN-ACK) from SRC to DST on a's tou0
	tcpdump -r "$TMP/syn.pcap" -n -v "src host $1 and dst host $2" 2>/dev/null |
		sed -n 's/.*mss \([0-9]*\).*/\1/p' | head -1
}
check "SYN to the plain peer: MSS $(mss $P4A $P4B) = its route's MTU - 40 ($((mp - 40)))" \
	test "$(mss $P4A $P4B)" = $((mp - 40))
check "... its SYN-ACK the same ($(mss $P4B $P4A)); the DTLS peer's SYN $(mss $A4 $B4) = $((md - 40))" \
	test "$(mss $P4B $P4A)" = $((mp - 40)) -a "$(mss $A4 $B4)" = $((md - 40))
fa tou del peer $P4B
check "the plain peer gone: tou0 back to the widest left ($(na cat /sys/class/net/tou0/mtu) = $md)" \
	test "$(na cat /sys/class/net/tou0/mtu)" = "$md"

# Configuration: key files others could read are refused; save prints the words.
cp "$K/psk" "$K/open"; chmod 644 "$K/open"
fa tou add peer 192.0.2.9 dtls psk "$K/open" >"$TMP/err" 2>&1
check "a PSK file of mode 0644 is refused, the mode named" grep -q "0644.*0600" "$TMP/err"
fa tou add peer 192.0.2.9 dtls psk "$K/psk" key "$K/psk" >"$TMP/err" 2>&1
check "\"key\" inside the dtls words is not a PSK word: refused, named" grep -q '"key"' "$TMP/err"
check "save prints the dtls words" bash -c "$FOUCTL -S $TMP/a.sock save | grep -q 'tou add peer $B4 port 6080 dtls cert $K/a.pem key $K/a.key cacert $K/ca.pem name b.example'"
finish
