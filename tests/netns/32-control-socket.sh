#!/usr/bin/env bash
# The control socket: a slow client stalls neither the data path nor other
# clients (it is cut at its deadline); foud -S never removes what is not a
# stale socket, and never takes a live foud's socket.
. "$(dirname "$0")/lib.sh"
CLIENT=$ROOT/tests/tools/ctl-client.py
setup_hosts
# The userspace path: its packets cross foud's event loop, which a stalled
# control socket would hold.
start_foud a -D userspace
start_foud b -D userspace
fa fou add port 5555 ipproto 4
fb fou add port 5555 ipproto 4
fa link add name tun1 type ipip remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555
fb link add name tun1 type ipip remote $A4 local $B4 encap fou encap-sport auto encap-dport 5555
dev_up a tun1 10.1.0.1/30; dev_up b tun1 10.1.0.2/30
check "the tunnel carries a ping" na ping -c 1 -W 2 10.1.0.2

# One client trickles a valid request ("link show") a byte a second; it
# would need 26 s. At the same time 100 fouctl and 20 pings through foud.
python3 "$CLIENT" trickle "$TMP/a.sock" >"$TMP/trickle.out" 2>&1 &
trickler=$!
sleep 0.5
clients=()
for i in $(seq 100); do
	{ fa link show >"$TMP/c$i.out" 2>&1; echo $? >"$TMP/c$i.rc"; } &
	clients+=($!)
done
na ping -c 20 -i 0.1 -W 1 10.1.0.2 >"$TMP/ping.out" 2>&1
wait "${clients[@]}"
wait $trickler
check "20 of 20 pings answered during it: $(grep -o '[0-9]* received' "$TMP/ping.out")" \
	grep -q ' 20 received' "$TMP/ping.out"
good=0
for i in $(seq 100); do
	[ "$(cat "$TMP/c$i.rc")" = 0 ] && grep -q '^tun1: ipip remote' "$TMP/c$i.out" && good=$((good + 1))
done
check "100 of 100 concurrent fouctl link show exited 0 with the link ($good)" test $good -eq 100
check "the trickler was cut before its whole request: $(cat "$TMP/trickle.out")" \
	grep -qE '^sent [0-9] of 26 bytes, then EOF' "$TMP/trickle.out"
check "foud's log says so" grep -q 'sent no whole request within 2 s: disconnected' "$TMP/foud-a.log"
check "foud answers after it" fa link show tun1

# Past the cap (64), clients wait in the backlog and are served as slots free.
python3 "$CLIENT" idle "$TMP/a.sock" 70 "$TMP/idle.ready" >"$TMP/idle.out" 2>&1 &
idler=$!
for i in $(seq 50); do [ -e "$TMP/idle.ready" ] && break; sleep 0.1; done
check "with 70 idle clients connected, fouctl link show still gets its answer" fa link show tun1
wait $idler
check "... and the 70 were closed at their deadlines: $(cat "$TMP/idle.out")" \
	grep -q '^70 closed by foud' "$TMP/idle.out"

# A reply larger than the socket's buffer (400 more tunnels, -j -s -d: about
# 700 KB): written as the reader takes it; one that stops reading is cut
# after 5 s, and meanwhile the tunnel and other clients are served.
for i in $(seq 400); do
	# each its own remote: twins of tun1 (same type and addresses) are refused
	echo "link add name t$i type ipip remote 198.18.$((i / 250)).$((i % 250 + 1)) local $A4 encap fou encap-sport auto encap-dport 5555"
done >"$TMP/batch"
fa -b "$TMP/batch"
check "a reader that reads gets the whole reply (401 links)" \
	test "$(fa -j -s -d link show | jq length)" -eq 401
python3 "$CLIENT" stuck "$TMP/a.sock" 8 >"$TMP/stuck.out" 2>&1 &
stuck=$!
sleep 0.5
na ping -c 20 -i 0.1 -W 1 10.1.0.2 >"$TMP/ping.out" 2>&1
check "while a client does not read its reply: 20 of 20 pings answered ($(grep -o '[0-9]* received' "$TMP/ping.out"))" \
	grep -q ' 20 received' "$TMP/ping.out"
check "... and fouctl link show tun1 is answered" fa link show tun1
wait $stuck
check "the client that did not read was cut: $(cat "$TMP/stuck.out")" grep -q '^cut: ' "$TMP/stuck.out"
check "foud's log says so" grep -q 'did not read its reply within 5 s: disconnected' "$TMP/foud-a.log"

# A reply is frames as the socket takes them: a client that has read one
# 64 KiB of its listing and waits holds nothing up; it gets the rest whole
# once it reads on (a pause under 5 s is not a client that stopped).
python3 "$CLIENT" slow "$TMP/a.sock" "$TMP/slow.json" "$TMP/slow.ready" "$TMP/slow.go" \
	>"$TMP/slow.out" 2>&1 &
slow=$!
for _ in $(seq 100); do [ -e "$TMP/slow.ready" ] && break; sleep 0.05; done
na ping -c 20 -i 0.1 -W 1 10.1.0.2 >"$TMP/ping.out" 2>&1
check "while a client holds its reply half-read: 20 of 20 pings answered ($(grep -o '[0-9]* received' "$TMP/ping.out"))" \
	grep -q ' 20 received' "$TMP/ping.out"
check "... and fouctl -j -s -d link show is answered whole meanwhile (401 links)" \
	test "$(fa -j -s -d link show | jq length)" -eq 401
touch "$TMP/slow.go"
wait $slow
check "the slow reader then got its reply to the end, status 0: $(cat "$TMP/slow.out")" \
	grep -qE '^[0-9]+ frames, [0-9]+ bytes, status 0$' "$TMP/slow.out"
check "... one JSON document with the 401 links" test "$(jq length "$TMP/slow.json")" -eq 401
# A client that hangs up mid-reply: foud drops the rest (nothing leaks under
# the sanitizers: its exit below says so) and serves the next command.
python3 "$CLIENT" cut "$TMP/a.sock" 100000 >"$TMP/cut.out" 2>&1
check "a client read 100000 bytes of its reply (of more) and closed: $(cat "$TMP/cut.out")" \
	grep -q '^read 100000 bytes, closed$' "$TMP/cut.out"
check "... the next fouctl -j -s -d link show is answered whole" \
	test "$(fa -j -s -d link show | jq length)" -eq 401

# Out of descriptors: foud cannot accept, and must neither spin on the
# pending connection nor stop serving once descriptors are free again.
PA=${PIDS[0]}
nfd=$(ls /proc/$PA/fd | wc -l)
soft=$(prlimit --pid $PA --nofile --raw --noheadings --output SOFT)
prlimit --pid $PA --nofile=$((nfd + 2)):
python3 "$CLIENT" idle "$TMP/a.sock" 8 "$TMP/emfile.ready" >/dev/null 2>&1 &
idler=$!
for _ in $(seq 50); do [ -e "$TMP/emfile.ready" ] && break; sleep 0.1; done
t0=$(awk '{ print $14 + $15 }' /proc/$PA/stat)
sleep 1
t1=$(awk '{ print $14 + $15 }' /proc/$PA/stat)
check "at EMFILE foud does not spin: $((t1 - t0)) CPU ticks in 1 s (a spin takes ~$(getconf CLK_TCK))" \
	test $((t1 - t0)) -lt $(($(getconf CLK_TCK) / 4))
prlimit --pid $PA --nofile=$soft:
wait $idler
check "... it says so once in its log" test "$(grep -c 'control: accept: Too many open files' "$TMP/foud-a.log")" -eq 1
check "... and serves again once descriptors are free" fa link show tun1

# A regular file at the socket's path: kept, and foud refuses to start.
echo "precious" >"$TMP/file"
na timeout 10 "$FOUD" -f -S "$TMP/file" 2>"$TMP/err"; rc=$?
check "foud -S FILE exits non-zero (rc $rc)" test $rc -ne 0 -a $rc -ne 124
check "... naming the path: $(cat "$TMP/err")" grep -qF "$TMP/file exists and is not a socket" "$TMP/err"
check "... and the file keeps its content" test "$(cat "$TMP/file")" = precious
echo "precious" >"$TMP/env-file"
FOUD_SOCKET=$TMP/env-file na timeout 10 "$FOUD" -f 2>"$TMP/err"; rc=$?
check "FOUD_SOCKET=FILE: the same (rc $rc, $(cat "$TMP/err"))" \
	test $rc -ne 0 -a $rc -ne 124 -a "$(cat "$TMP/env-file")" = precious

# A live foud's socket: the second foud refuses, the first keeps answering.
na timeout 10 "$FOUD" -f -S "$TMP/a.sock" 2>"$TMP/err"; rc=$?
check "a second foud on a live socket exits non-zero (rc $rc)" test $rc -ne 0 -a $rc -ne 124
check "... saying so: $(cat "$TMP/err")" grep -qF "another foud is running on $TMP/a.sock" "$TMP/err"
check "the first foud still answers on its socket" fa link show
finish
