#!/usr/bin/env bash
# Reload, change in place, save, flush (issue 14). A's foud runs from a file
# under a notify socket; a reload applies the file's difference while a
# 100 pps ping crosses an unchanged tunnel (nothing lost, same ifindex and
# address); a bad file changes nothing and fouctl reload says where; link set
# shows on the wire (outer TTL, the new destination port); fouctl save > f and
# foud -c f give the same link show; fouctl flush leaves nothing of foud's.
. "$(dirname "$0")/lib.sh"
setup_hosts
NOTIFY=$ROOT/tests/tools/notify-run.py
MAC1=02:00:00:00:00:01 MAC2=02:00:00:00:00:02

conf_head() {
	echo "fou add port 5555 ipproto 4"
	echo "fou add port 5556 ipproto 47"
	echo "link add name t1 type ipip remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555"
}
{
	conf_head
	echo "link add name t2 type gre remote $B4 local $A4 ttl 64 encap fou encap-dport 5556"
	echo "link add name v1 type vxlan id 10 remote $B4 local $A4"
	echo "fdb add $MAC1 dev v1 dst $B4"
} >"$TMP/a.conf"
{
	conf_head
	echo "link add name t2 type gre remote $B4 local $A4 ttl 7 encap fou encap-dport 5556"
	echo "link add name v2 type vxlan id 20 remote $B4 local $A4"
	echo "fdb add $MAC2 dev v2 dst $B4"
	echo "tou add peer $B4 port 6080"
} >"$TMP/a2.conf"

notified() { grep -cx "$2" "$1"; }
wait_ready() { # wait_ready N: until foud has said READY=1 N times (or exited)
	local i
	for i in $(seq 100); do
		[ -f "$TMP/n-a" ] && [ "$(notified "$TMP/n-a" READY=1)" -ge "$1" ] && return 0
		grep -q '^exit=' "$TMP/n-a" 2>/dev/null && return 1
		sleep 0.1
	done
}
ifindex() { na cat "/sys/class/net/$1/ifindex" 2>/dev/null; }
# The outer TTL of the first datagram to B's PORT while t2 carries a ping.
wire_ttl() {
	nb timeout 5 tcpdump -i vb -n -v -c 1 "udp dst port $1" >"$TMP/cap" 2>"$TMP/cap.err" &
	local p=$! i
	for i in $(seq 50); do grep -q listening "$TMP/cap.err" && break; sleep 0.1; done
	na ping -c 2 -i 0.2 -W 1 10.2.0.2 >/dev/null
	wait $p
	sed -n 's/.*, ttl \([0-9]*\),.*/\1/p' "$TMP/cap" | head -1
}

{ cat "$TMP/a.conf"; echo "flush"; } >"$TMP/flush.conf"
"$FOUD" -n -c "$TMP/flush.conf" 2>"$TMP/err"; rc=$?
check "a file may not say flush: foud -n exits $rc, naming line and word: $(cat "$TMP/err")" \
	sh -c "test $rc -ne 0 && grep -q 'flush.conf:7: \"flush\" has no place' '$TMP/err'"

{ cat "$TMP/a.conf"; echo "link add name t1 type ipip remote $B4 local $A4"; } >"$TMP/twice.conf"
"$FOUD" -n -c "$TMP/twice.conf" 2>"$TMP/err"; rc=$?
check "a link declared twice: foud -n exits $rc: $(cat "$TMP/err")" \
	sh -c "test $rc -ne 0 && grep -q 'twice.conf:7: already declared on line 3' '$TMP/err'"

cp "$TMP/a.conf" "$TMP/run.conf"
ip netns exec "$NSA" python3 "$NOTIFY" "$TMP/n-a" "$FOUD" -f -S "$TMP/a.sock" -c "$TMP/run.conf" \
	${FOUD_TEST_OPTS:-} 2>>"$TMP/foud-a.log" &
PIDS+=($!)
wait_ready 1
start_foud b
fb fou add port 5555 ipproto 4
fb fou add port 5556 ipproto 47
fb fou add port 5557 ipproto 47
fb link add name t1 type ipip remote $A4 local $B4 encap fou encap-sport auto encap-dport 5555
fb link add name t2 type gre remote $A4 local $B4 encap fou encap-dport 5556
dev_up a t1 10.1.0.1/24; dev_up b t1 10.1.0.2/24
dev_up a t2 10.2.0.1/24; dev_up b t2 10.2.0.2/24
# Made at run time, not in the file: reload leaves it alone.
fa link add name r1 type ipip remote 198.51.100.1 local $A4
check "before the reload t1 pings" na ping -c 1 -W 2 10.1.0.2
check "before the reload t2's outer TTL is 64" test "$(wire_ttl 5556)" = 64

# ---- reload: the difference, under a 100 pps ping through t1 ---------------
na ip route add 10.9.1.0/24 dev t1; na ip route add 10.9.2.0/24 dev t2
t1_if=$(ifindex t1) t2_if=$(ifindex t2)
na ping -i 0.01 -c 300 -W 1 -q 10.1.0.2 >"$TMP/ping" 2>&1 &
ping_pid=$!
sleep 0.5
cp "$TMP/a2.conf" "$TMP/run.conf"
check "fouctl reload of a changed file exits 0" fa reload
wait $ping_pid
check "100 pps through unchanged t1 across the reload: $(grep -o '[0-9]* received' "$TMP/ping") of 300" \
	grep -q " 300 received" "$TMP/ping"
check "t1 kept its ifindex ($t1_if), address and route" \
	sh -c "test '$(ifindex t1)' = '$t1_if' && ip netns exec $NSA ip -o addr show t1 | grep -q 10.1.0.1/24 &&
	       ip netns exec $NSA ip route show dev t1 | grep -q 10.9.1.0/24"
check "t2 changed in place: same ifindex ($t2_if), address and route kept" \
	sh -c "test '$(ifindex t2)' = '$t2_if' && ip netns exec $NSA ip -o addr show t2 | grep -q 10.2.0.1/24 &&
	       ip netns exec $NSA ip route show dev t2 | grep -q 10.9.2.0/24"
check "t2's new ttl 7 is on the wire" test "$(wire_ttl 5556)" = 7
check "v1, no longer in the file, is gone" test -z "$(ifindex v1)"
check "v2, new in the file, exists with its fdb entry" grep -q "$MAC2" <(fa fdb show dev v2)
check "r1, made by fouctl and never in the file, is left alone" test -n "$(ifindex r1)"
check "the TOU peer, new in the file, exists" grep -q "$B4" <(fa tou show)
check "RELOADING=1 with MONOTONIC_USEC=, then READY=1" \
	test "$(grep -x -e READY=1 -e RELOADING=1 -e 'MONOTONIC_USEC=[0-9]*' "$TMP/n-a" | tail -3 | sed 's/^MONOTONIC_USEC=[0-9]*$/M/' | tr '\n' ' ')" = "RELOADING=1 M READY=1 "

# ---- a bad file changes nothing ---------------------------------------------
fa save >"$TMP/before"
{ grep -v "name v2\|dev v2" "$TMP/a2.conf"; echo "link add name bad type ipip remote nowhere"; } >"$TMP/run.conf"
bad=run.conf:$(wc -l <"$TMP/run.conf"):
fa reload 2>"$TMP/err"; rc=$?
check "fouctl reload of a bad file exits non-zero ($rc), naming file:line: $(cat "$TMP/err")" \
	sh -c "test $rc -ne 0 && grep -q '$bad.*nowhere' '$TMP/err'"
wait_ready 3
check "the bad file changed nothing (v2, which it drops, is still there)" \
	sh -c "fa() { '$FOUCTL' -S '$TMP/a.sock' \"\$@\"; }; fa save | cmp -s - '$TMP/before' && test -n '$(ifindex v2)'"
check "STATUS= says the reload failed" grep -q "^STATUS=.*reload failed: .*$bad" "$TMP/n-a"
check "the log names the line" grep -q "$bad" "$TMP/foud-a.log"
# A twin of t1 (same type and addresses, another encap port), as Linux refuses it, is a bad file too.
{ grep -v "name v2\|dev v2" "$TMP/a2.conf"; echo "link add name tw type ipip remote $B4 local $A4 encap fou encap-dport 5557"; } >"$TMP/run.conf"
twin=run.conf:$(wc -l <"$TMP/run.conf"):
fa reload 2>"$TMP/err"; rc=$?
check "fouctl reload of a file with a twin of t1 exits non-zero ($rc), naming file:line and t1's line: $(cat "$TMP/err")" \
	sh -c "test $rc -ne 0 && grep -q '$twin link \"t1\" (line 3)' '$TMP/err'"
wait_ready 4
check "the twin's file changed nothing (v2 still there, no tw)" \
	sh -c "fa() { '$FOUCTL' -S '$TMP/a.sock' \"\$@\"; }; fa save | cmp -s - '$TMP/before' && test -n '$(ifindex v2)' && test -z '$(ifindex tw)'"
cp "$TMP/a2.conf" "$TMP/run.conf"

# ---- link set / link change: on the wire ------------------------------------
check "link set t2 ttl 9" fa link set t2 ttl 9
check "after link set t2 ttl 9 the outer TTL is 9" test "$(wire_ttl 5556)" = 9
rx=$(port_counter b 5557 .stats64.rx.packets)
check "link change t2 encap-dport 5557" fa link change t2 encap-dport 5557
check "t2 pings through B's port 5557" na ping -c 3 -i 0.2 -W 2 10.2.0.2
check "B's port 5557 received exactly the 3 echo requests ($rx -> $(port_counter b 5557 .stats64.rx.packets))" \
	test "$(port_counter b 5557 .stats64.rx.packets)" -eq $((rx + 3))
check "t2 still has its ifindex ($t2_if) after two changes" test "$(ifindex t2)" = "$t2_if"
fa link set t2 oseq datapath bpf 2>"$TMP/err"; rc=$?
check "a change foud cannot make (oseq on the BPF path) fails ($rc), saying why: $(cat "$TMP/err")" \
	sh -c "test $rc -ne 0 && grep -q 'datapath bpf' '$TMP/err'"
check "... and t2 is as it was: same ifindex, address, configuration" \
	sh -c "test '$(ifindex t2)' = '$t2_if' && ip netns exec $NSA ip -o addr show t2 | grep -q 10.2.0.1/24 &&
	       $FOUCTL -S $TMP/a.sock save | grep 'name t2 ' | grep -q 'encap-dport 5557' &&
	       ! $FOUCTL -S $TMP/a.sock save | grep 'name t2 ' | grep -q oseq"
check "... and still pings" na ping -c 2 -i 0.2 -W 2 10.2.0.2
v2_if=$(ifindex v2)
check "link set v2 ageing 30 maxaddress 100 nolearning" fa link set v2 ageing 30 maxaddress 100 nolearning
check "v2 changed in place: same ifindex, its static fdb entry kept" \
	sh -c "test '$(ifindex v2)' = '$v2_if' && $FOUCTL -S $TMP/a.sock fdb show dev v2 | grep -q $MAC2"
check "v2's link show says the new fdb parameters" \
	test "$(fa -j -d link show v2 | jq -c '.[0].linkinfo.info_data | [.ageing, .limit, .learning]')" = '[30,100,false]'
fa link set t2 type ipip 2>"$TMP/err"; rc=$?
check "link set refuses type, naming it: $(cat "$TMP/err")" \
	sh -c "test $rc -ne 0 && grep -q '\"type\" cannot be changed in place' '$TMP/err'"
fa link set t2 learning 2>"$TMP/err"; rc=$?
check "link set refuses a word gre has not: $(cat "$TMP/err")" \
	sh -c "test $rc -ne 0 && grep -q '\"learning\"' '$TMP/err'"

# ---- save: foud -c of it gives the same link show ----------------------------
fa fdb append 00:00:00:00:00:00 dev v2 dst 192.0.2.9
# What save must keep: everything but ifindex, counters and the state the device is in
# (up or down: flags, operstate, qdisc as ip -j has them, foud's own state); an L2
# device's MAC address too (random when made, saved as `address`).
NOSTATE='map(del(.ifindex, .stats64, .flags, .operstate, .qdisc, .foud.drops, .foud.state))'
links() { fa -j -d link show | jq -S "$NOSTATE"; }
fa save >"$TMP/saved.conf"
links >"$TMP/links1"; fa -j fdb show >"$TMP/fdb1"; fa -j fou show >"$TMP/fou1"; fa -j tou show | jq -c 'del(.ifindex)' >"$TMP/tou1"
kill -TERM "${PIDS[0]}"; wait "${PIDS[0]}"; rc=$?; PIDS=("${PIDS[@]:1}")
check "the foud that reloaded and changed links exited 0 ($rc)" test $rc -eq 0
# The L2 devices made anew (as after a reboot), not taken over: their MAC comes from the file.
l2devs=$(jq -r '.[] | select(.link_type == "ether") | .ifname' "$TMP/links1")
for dev in $l2devs; do ip -n "$NSA" link del "$dev"; done
start_foud a -c "$TMP/saved.conf"
check "save keeps the MAC ($(jq -c "[.[] | select(.link_type == \"ether\") | .address]" "$TMP/links1")) of $(echo $l2devs) made anew from the file" \
	test "$(jq -c '[.[] | select(.link_type == "ether") | .address]' "$TMP/links1")" = \
	"$(fa -j link show | jq -c '[.[] | select(.link_type == "ether") | .address]')" -a -n "$l2devs"
check "save > f; foud -c f: the same link show -j -d ($(jq length "$TMP/links1") links)" \
	sh -c "fa() { '$FOUCTL' -S '$TMP/a.sock' \"\$@\"; }; fa -j -d link show | jq -S '$NOSTATE' | diff - '$TMP/links1'"
check "... the same fdb show (static and flood entries)" cmp -s "$TMP/fdb1" <(fa -j fdb show)
check "... the same fou show" cmp -s "$TMP/fou1" <(fa -j fou show)
check "... the same tou show (ifindex aside)" cmp -s "$TMP/tou1" <(fa -j tou show | jq -c 'del(.ifindex)')
check "... and saves the same file again" cmp -s "$TMP/saved.conf" <(fa save)
fa link add name v9 type vxlan id 90 remote $B4 local $A4 address 01:00:5e:00:00:01 2>"$TMP/err"; rc=$?
check "address: a multicast MAC refused, naming it: $(cat "$TMP/err")" \
	sh -c "test $rc -ne 0 && grep -q '01:00:5e:00:00:01' '$TMP/err'"
fa link add name v9 type vxlan id 90 remote $B4 local $A4 address 02:00:5e:00:53:09
check "address 02:00:5e:00:53:09: the device has it" test "$(na cat /sys/class/net/v9/address)" = 02:00:5e:00:53:09
fa link del v9

# ---- flush ------------------------------------------------------------------
dev_up a t1 10.1.0.1/24
check "before flush t1 pings again" na ping -c 1 -W 2 10.1.0.2
# The BPF links (TCX attachments) foud holds, and its clsact filters (older kernels).
pa=${PIDS[-1]}
bpf_held() {
	echo $(($(grep -h '^link_id:' /proc/"$pa"/fdinfo/* 2>/dev/null | sort -u | wc -l) +
		$(na tc filter show dev va ingress | grep -c foud_ingress)))
}
bpf=$(bpf_held)
check "fouctl flush" fa flush
check "flush: no link left" test -z "$(fa link show)"
check "flush: no port left" test -z "$(fa fou show)"
check "flush: no TOU peer left" test -z "$(fa tou show)"
check "flush: no device of foud's left" \
	test -z "$(na ip -o link show | grep -E ': (t1|t2|v2|r1|tou0)[:@]')"
check "flush: no BPF attachment left (before: $bpf)" test "$(bpf_held)" = 0
check "flush: foud still answers" fa link show

# ---- foud --cleanup: the clsact filters of a killed foud (kernels before 6.6) ----
kill -TERM "$pa"; wait "$pa"; rc=$?; PIDS=("${PIDS[@]:0:${#PIDS[@]}-1}")
check "the foud that flushed exited 0 ($rc)" test $rc -eq 0
rm -f "$TMP/a.sock"
FOUD_BPF_TC=1 start_foud a
fa fou add port 5555 ipproto 4
fa link add name t1 type ipip remote $B4 local $A4 encap fou encap-dport 5555 datapath bpf
kill -9 "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null; PIDS=("${PIDS[@]:0:${#PIDS[@]}-1}")
check "kill -9 left foud's clsact filter on va" grep -q foud_ingress <(na tc filter show dev va ingress)
check "foud --cleanup exits 0" na "$FOUD" --cleanup
check "foud --cleanup removed it" test -z "$(na tc filter show dev va ingress)"
check "no sanitizer report in foud's logs" \
	sh -c "! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' '$TMP'/foud-*.log"

finish
