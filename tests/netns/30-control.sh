#!/usr/bin/env bash
# The control plane and the device: exact counters, default MTUs, ICMP for
# oversized packets, the -c file (-n check, errors by line, restart), errors
# that name the wrong word, and a control socket only root can use.
. "$(dirname "$0")/lib.sh"
setup_hosts
start_foud b
cat >"$TMP/a.conf" <<CONF
# host A
fou add port 5555 ipproto 4
fouctl link add name tun1 type ipip remote $B4 local $A4 ttl 225 encap fou encap-sport auto encap-dport 5555
CONF
check "foud -n accepts a good file" "$FOUD" -n -c "$TMP/a.conf"
printf 'fou add port 5555 ipproto 4\nlink add name x type ipip remote %s local %s bogus 1\n' $B4 $A4 >"$TMP/bad.conf"
"$FOUD" -n -c "$TMP/bad.conf" 2>"$TMP/err"; rc=$?
check "foud -n rejects a bad line, naming file:line and the word: $(cat "$TMP/err")" \
	test $rc -ne 0 -a -n "$(grep -F "bad.conf:2:" "$TMP/err" | grep -F '"bogus"')"
printf 'fou add port 5555 ipproto 4\n\nfou add port 5556 ipproto 6\n' >"$TMP/proto.conf"
"$FOUD" -n -c "$TMP/proto.conf" 2>"$TMP/err"; rc=$?
check "foud -n rejects ipproto 6, naming file:line and the supported ones: $(cat "$TMP/err")" \
	test $rc -ne 0 -a -n "$(grep -F "proto.conf:3:" "$TMP/err" | grep -F '"6"' | grep -F '47 (gre)')"
start_foud a -c "$TMP/a.conf"
fb fou add port 5555 ipproto 4
fb link add name tun1 type ipip remote $A4 local $B4 encap fou encap-sport auto encap-dport 5555
dev_up a tun1 10.1.0.1/30; dev_up b tun1 10.1.0.2/30
check "tunnel from the -c file carries traffic" na ping -c 1 -W 2 10.1.0.2

# Exact counters: five echo requests, five replies, nothing else.
ta=$(counter a tun1 .stats64.tx.packets) rb=$(counter b tun1 .stats64.rx.packets)
tb=$(counter b tun1 .stats64.tx.packets) ra=$(counter a tun1 .stats64.rx.packets)
na ping -c 5 -i 0.2 -W 2 10.1.0.2 >/dev/null
check "a tx rose by exactly 5" test "$(counter a tun1 .stats64.tx.packets)" -eq $((ta + 5))
check "b rx rose by exactly 5" test "$(counter b tun1 .stats64.rx.packets)" -eq $((rb + 5))
check "b tx rose by exactly 5" test "$(counter b tun1 .stats64.tx.packets)" -eq $((tb + 5))
check "a rx rose by exactly 5" test "$(counter a tun1 .stats64.rx.packets)" -eq $((ra + 5))
check "tx bytes are the inner bytes (5 x 84 more)" test "$(counter b tun1 .stats64.rx.bytes)" -ge 420

# -p indents the JSON over many lines, and it stays the same JSON.
check "fouctl -j -p: indented, and equal to the compact output" \
	test "$(fa -j -p -s link show tun1 | wc -l)" -gt 10 -a \
	"$(fa -j -p link show tun1 | jq -c 'del(.[0].stats64)')" = "$(fa -j link show tun1 | jq -c 'del(.[0].stats64)')"

# Default MTU: the underlay's minus the overhead, as the kernel computes it.
mtu_case() { # kind encap expected [extra words]
	local kind=$1 enc=$2 want=$3; shift 3
	# remote .9 (on va's subnet): tun1 has local A, remote B, and a twin is refused
	local r=192.0.2.9 l=$A4; case $kind in ip6*) r=$B6 l=$A6 ;; esac
	local w=(); [ "$enc" != none ] && w=(encap "$enc" encap-sport auto encap-dport 6000)
	fa link add name m0 type "$kind" remote $r local $l "${w[@]}" "$@"
	check "mtu of $kind/$enc $* is $want" test "$(na ip -j link show m0 | jq '.[0].mtu')" = "$want" -a \
		"$(fa -j link show m0 | jq '.[0].mtu')" = "$want"
	fa link del m0
}
mtu_case ipip none 1480
mtu_case ipip fou 1472
mtu_case ipip gue 1468
mtu_case ipip gue 1460 encap-csum encap-remcsum
mtu_case gre fou 1468
mtu_case gre gue 1456 key 7 csum
mtu_case sit fou 1472
mtu_case ip6tnl fou 1452
mtu_case ip6gre gue 1440 seq

# Oversized with DF: ICMP "fragmentation needed" back to the sender.
fa link del tun1; fb link del tun1	# first: big is tun1's twin (same type and addresses)
fa link add name big type ipip remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555 mtu 1600
fb link add name big type ipip remote $A4 local $B4 encap fou encap-sport auto encap-dport 5555 mtu 1600
dev_up a big 10.1.0.1/30; dev_up b big 10.1.0.2/30
out=$(na ping -M do -s 1500 -c 1 -W 2 10.1.0.2 2>&1)
check "ping -M do -s 1500 gets 'Frag needed ... mtu = 1472'" grep -q "mtu = 1472" <<<"$out"
check "counted as one tx drop under mtu" test "$(counter a big .foud.drops.tx.mtu)" -eq 1
check "a smaller packet still crosses" na ping -M do -s 1400 -c 1 -W 2 10.1.0.2
fa link add name big6 type sit remote $B4 local $A4 mtu 1600
fb link add name big6 type sit remote $A4 local $B4 mtu 1600
dev_up a big6 "" fd01::1/64; dev_up b big6 "" fd01::2/64
out=$(na ping -6 -s 1500 -c 1 -W 2 fd01::2 2>&1)
check "IPv6: ping -s 1500 gets 'Packet too big: mtu=1480'" grep -q "mtu=1480" <<<"$out"

# Errors name the wrong word and exit non-zero.
fa link add name x type ipip remote $B4 local $A4 bogus 2>"$TMP/err"; rc=$?
check "fouctl: unknown word is named ($(cat "$TMP/err"))" test $rc -ne 0 -a -n "$(grep -F '"bogus"' "$TMP/err")"
fa link add name x type ipip remote $B4 local $A4 encap fou encap-dport 70000 2>"$TMP/err"; rc=$?
check "fouctl: bad value is named ($(cat "$TMP/err"))" test $rc -ne 0 -a -n "$(grep -F '"70000"' "$TMP/err")"
fa link del nosuch 2>"$TMP/err"; rc=$?
check "foud: deleting a missing link fails ($(cat "$TMP/err"))" test $rc -ne 0 -a -n "$(grep -F nosuch "$TMP/err")"
fa link add name big type ipip remote $B4 local $A4 2>"$TMP/err"; rc=$?
check "foud: a duplicate name fails ($(cat "$TMP/err"))" test $rc -ne 0 -a -n "$(grep -F exists "$TMP/err")"
fa fou add port 5555 ipproto 4 2>"$TMP/err"; rc=$?
check "foud: a duplicate port fails ($(cat "$TMP/err"))" test $rc -ne 0
# Only 4, 41 and 47 are demultiplexed: another protocol would open a port that drops everything.
fa fou add port 5556 ipproto 6 2>"$TMP/err"; rc=$?
check "fouctl: ipproto 6 is refused, the supported ones named ($(cat "$TMP/err"))" \
	test $rc -ne 0 -a -n "$(grep -F '"6"' "$TMP/err" | grep -F '4 (ipip), 41 (ipv6) or 47 (gre)')"
check "fouctl: ipproto 6 opened no port" test "$(fa -j fou show | jq '[.[] | select(.port == 5556)] | length')" -eq 0

# The control socket: 0600, and foud itself refuses non-root peers.
check "control socket is mode 600" test "$(stat -c %a "$TMP/a.sock")" = 600
chmod 755 "$TMP"; chmod 666 "$TMP/a.sock"
setpriv --reuid=65534 --regid=65534 --clear-groups "$FOUCTL" -S "$TMP/a.sock" link show >/dev/null 2>"$TMP/err"; rc=$?
check "a non-root client is refused by foud ($(cat "$TMP/err"))" test $rc -ne 0 -a -n "$(grep -i "permission denied" "$TMP/err")"
chmod 600 "$TMP/a.sock"; chmod 700 "$TMP"

# Killed and restarted with its -c file: tun1 is taken over, big (added by
# fouctl, not in the file) removed.
kill -9 "${PIDS[1]}"; wait "${PIDS[1]}" 2>/dev/null; PIDS=("${PIDS[0]}")
check "killed: its devices stay (persistent)" test -n "$(na ip -br link show tun1 2>/dev/null)$(na ip -br link show big 2>/dev/null)"
rm -f "$TMP/a.sock"	# left by the killed foud: start_foud waits for a new one
start_foud a -c "$TMP/a.conf"
fa link show tun1 >/dev/null	# answered once the file is applied
check "restarted: big, not in the file, removed" test -z "$(na ip -br link show big 2>/dev/null)"
fb link add name tun1 type ipip remote $A4 local $B4 encap fou encap-sport auto encap-dport 5555
dev_up b tun1 10.1.0.2/30
na ip link set tun1 up
na ip addr replace 10.1.0.1/30 dev tun1
check "after restart, traffic flows again" na ping -c 2 -i 0.2 -W 2 10.1.0.2

# Twin IP tunnels: Linux finds a tunnel by type, addresses and key (GRE), not
# by the encap port, and refuses a second one alike with EEXIST; so does foud.
fa link add name tw1 type ipip remote $B4 local $A4 encap gue encap-sport auto encap-dport 6080 2>"$TMP/err"; rc=$?
check "a twin of tun1 (another encap port) is refused, naming tun1: $(cat "$TMP/err")" \
	test $rc -ne 0 -a -n "$(grep -F '"tun1"' "$TMP/err" | grep -F 'File exists')"
check "... and no device tw1 was made" bash -c "! ip -n $NSA link show tw1 >/dev/null 2>&1"
check "tun1 still carries ping after its twin's refusal" na ping -c 2 -i 0.2 -W 2 10.1.0.2
check "another remote is no twin: accepted" \
	fa link add name tw2 type ipip remote 192.0.2.9 local $A4 encap gue encap-sport auto encap-dport 6080
fa link set tw2 remote $B4 2>"$TMP/err"; rc=$?
check "link set that would make tw2 tun1's twin is refused, naming tun1: $(cat "$TMP/err")" \
	test $rc -ne 0 -a -n "$(grep -F '"tun1"' "$TMP/err")"
check "... and tw2 keeps its remote" test "$(fa -j -d link show tw2 | jq -r '.[0].linkinfo.info_data.remote')" = 192.0.2.9
fa link add name tg1 type gre remote $B4 local $A4 key 5 encap fou encap-sport auto encap-dport 5556
fa link add name tg2 type gre remote $B4 local $A4 key 5 encap gue encap-sport auto encap-dport 6080 2>"$TMP/err"; rc=$?
check "gre: the same key is a twin, refused naming tg1: $(cat "$TMP/err")" \
	test $rc -ne 0 -a -n "$(grep -F '"tg1"' "$TMP/err")"
check "gre: another key is no twin" fa link add name tg3 type gre remote $B4 local $A4 key 6
check "gre: no key is no twin of key 5" fa link add name tg4 type gre remote $B4 local $A4
check "gre over IPv4: key 0 is no twin of no key (the key flag counts)" \
	fa link add name tg5 type gre remote $B4 local $A4 key 0
fa link add name te1 type ip6gre remote $B6 local $A6
fa link add name te2 type ip6gre remote $B6 local $A6 key 0 2>"$TMP/err"; rc=$?
check "ip6gre: key 0 is a twin of no key (the value only), refused naming te1: $(cat "$TMP/err")" \
	test $rc -ne 0 -a -n "$(grep -F '"te1"' "$TMP/err")"
for l in tw2 tg1 tg3 tg4 tg5 te1; do fa link del $l; done
printf 'fou add port 5555 ipproto 4\nfou add port 6080 gue\nlink add name x1 type ipip remote %s local %s encap fou encap-dport 5555\nlink add name x2 type ipip remote %s local %s encap gue encap-dport 6080\n' \
	$B4 $A4 $B4 $A4 >"$TMP/twin.conf"
"$FOUD" -n -c "$TMP/twin.conf" 2>"$TMP/err"; rc=$?
check "foud -n refuses a twin in a file, naming its line and the first link: $(cat "$TMP/err")" \
	test $rc -ne 0 -a -n "$(grep -F 'twin.conf:4:' "$TMP/err" | grep -F '"x1" (line 3)')"
# The kernel's own answer, where this host has its modules (else skipped).
if ip -n "$NSA" link add name ktw1 type ipip remote 192.0.2.77 local $A4 encap fou encap-sport auto encap-dport 5555 2>/dev/null; then
	ip -n "$NSA" link add name ktw2 type ipip remote 192.0.2.77 local $A4 encap gue encap-sport auto encap-dport 6080 2>"$TMP/kerr"; rc=$?
	check "the kernel refuses the same twin alike: $(cat "$TMP/kerr")" test $rc -ne 0 -a -n "$(grep -F 'File exists' "$TMP/kerr")"
	ip -n "$NSA" link del ktw1
fi

# As `ip link add NAME` and `ip link add dev NAME`: the name without "name".
check "link add t7 type ipip ... (no \"name\")" fa link add t7 type ipip remote 192.0.2.7 local $A4 ttl 9
check "link add dev t8 type vxlan ... (\"dev\" first)" fa link add dev t8 type vxlan id 8 remote $B4 local $A4
check "both exist under those names" test "$(fa -j link show | jq -r '[.[].ifname | select(. == "t7" or . == "t8")] | sort | join(",")')" = t7,t8
# One connection, several requests (fouctl -b sends its lines so): foud answers
# each in turn on it, here "link show" twice, each reply whole (its frames,
# then the end frame with status 0).
twice() {
	python3 - "$TMP/a.sock" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
w = b"link\0show\0"
def need(n):
    got = b""
    while len(got) < n:
        c = s.recv(n - len(got))
        if not c:
            sys.exit("closed after %d bytes" % len(got))
        got += c
    return got
def reply(): # frames of stdout, then the end frame with the status
    while True:
        magic, typ, n = struct.unpack("=III", need(12))
        body = need(n)
        if magic != 0x464F5532 or typ not in (1, 2):
            return False
        if typ == 2:
            return struct.unpack("=i", body[:4])[0] == 0
for _ in range(2):
    s.sendall(struct.pack("=IIII", 0x464F5532, 0, 2, len(w)) + w)
    if not reply():
        sys.exit("bad reply")
PY
}
check "two requests on one connection: both answered" twice
# The magic is the protocol's version: a fouctl of protocol 1 (one reply
# header, at most 16 MiB) is told so in the reply it reads, and this fouctl
# names an old foud's FOU1 reply instead of misreading it.
CLIENT=$ROOT/tests/tools/ctl-client.py
python3 "$CLIENT" v1 "$TMP/a.sock" >"$TMP/v1.out" 2>&1
check "a FOU1 request gets a FOU1 reply, -EPROTO, saying why: $(cat "$TMP/v1.out")" \
	grep -q '^magic 464f5531 status -71: fouctl speaks control protocol 1 (FOU1)' "$TMP/v1.out"
python3 "$CLIENT" old-foud "$TMP/old.sock" "$TMP/old.ready" >/dev/null 2>&1 &
old=$!
for _ in $(seq 100); do [ -e "$TMP/old.ready" ] && break; sleep 0.05; done
"$FOUCTL" -S "$TMP/old.sock" link show >"$TMP/old.out" 2>&1; rc=$?
wait $old
check "fouctl against a foud of protocol 1 exits 1 (rc $rc), naming it: $(cat "$TMP/old.out")" \
	sh -c "[ $rc = 1 ] && grep -q 'speaks control protocol 1 (FOU1), this fouctl protocol 2' '$TMP/old.out'"
# A batch that pauses past foud's read deadline (2 s; not a wait for anything:
# the pause is what is tested): foud has closed the idle connection, and
# fouctl sends the next line on a new one.
check "fouctl -b - with a 2.5 s pause between lines: both carried out" \
	sh -c "{ echo 'link add name tp1 type ipip remote 192.0.2.21 local $A4'; sleep 2.5;
		echo 'link add name tp2 type ipip remote 192.0.2.22 local $A4'; } | $FOUCTL -S $TMP/a.sock -b -"
check "tp1 and tp2 exist" test "$(fa -j link show | jq -r '[.[].ifname | select(. == "tp1" or . == "tp2")] | sort | join(",")')" = tp1,tp2
# A log line is one write(2), its newline in it: in three writes, another
# writer of the same file (the next foud of a restart) came in between.
if command -v strace >/dev/null; then
	ip netns exec "$NSA" strace -f -e trace=write -e signal=none -s 256 -o "$TMP/strace" "$FOUD" -f -S "$TMP/s.sock" 2>/dev/null &
	spid=$!
	for i in $(seq 50); do [ -S "$TMP/s.sock" ] && break; sleep 0.1; done
	fpid=$(pgrep -P $spid)
	[ -n "$fpid" ] && kill -TERM "$fpid"; wait $spid
	check "foud's \"ready on\" line is one write, newline included" \
		grep -q 'write(2, "foud: ready on [^"]*\\n", ' "$TMP/strace"
fi
finish
