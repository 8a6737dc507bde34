#!/usr/bin/env bash
# Underlay faults and floods: an nftables rule that drops every datagram to
# the fou port for 2 s never wedges a tunnel (ping and a running TCP flow
# resume once it is gone); foud survives 100k malformed datagrams and still
# answers fouctl and carries traffic; and its log of dropped traffic is
# rate-limited (10k bad datagrams, a handful of lines). Restart with -c is
# in 30-control.sh.
. "$(dirname "$0")/lib.sh"
SPRAY="python3 $ROOT/tests/soak/spray.py"
command -v nft >/dev/null || skip "nft not installed"
command -v iperf3 >/dev/null || skip "iperf3 not installed"
setup_hosts
start_foud a
start_foud b
for f in fa fb; do $f fou add port 5555 ipproto 4; $f fou add port 6080 gue; done
# The faults come from nftables' input hook, which the BPF data path receives
# before (as a TC program): these tunnels are foud's userspace path.
fa link add name t1 type ipip remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555 datapath userspace
fb link add name t1 type ipip remote $A4 local $B4 encap fou encap-sport auto encap-dport 5555 datapath userspace
dev_up a t1 10.1.0.1/30; dev_up b t1 10.1.0.2/30
check "ipip/fou carries traffic" na ping -c 2 -i 0.2 -W 2 10.1.0.2

# ---- 2 s of underlay loss in the middle of a TCP flow ---------------------
fault_on() { # drops every UDP datagram to port 5555 arriving at host B
	nb nft add table inet foudfault &&
	nb nft add chain inet foudfault in '{ type filter hook input priority -10; }' &&
	nb nft add rule inet foudfault in udp dport 5555 counter drop
}
fault_off() { nb nft delete table inet foudfault; }
fault_drops() { nb nft list table inet foudfault | grep -oE 'packets [0-9]+' | grep -oE '[0-9]+'; }

nb timeout 60 iperf3 -s -1 -p 5201 -B 10.1.0.2 >"$TMP/iperf-s.log" 2>&1 &
srv_pid=$!
sleep 0.5
# 8 s at a bounded rate, reported per second; the fault covers seconds 2-4.
na timeout 40 iperf3 -c 10.1.0.2 -p 5201 -t 8 -i 1 -b 50M -J >"$TMP/iperf.json" 2>&1 &
ip_pid=$!
sleep 2
check "nft drop rule for udp/5555 installed in B" fault_on
sleep 0.3
if na ping -c 1 -W 1 10.1.0.2 >/dev/null 2>&1; then
	nok "ping gets through while the underlay drops udp/5555"
else
	ok "ping is lost while the underlay drops udp/5555"
fi
sleep 0.7
drops=$(fault_drops)
check "the rule dropped tunnel datagrams (${drops:-0})" test "${drops:-0}" -gt 0
check "nft rule removed after 2 s" fault_off
check "ping resumes once the rule is gone" na ping -c 3 -i 0.2 -W 2 10.1.0.2
wait $ip_pid; rc=$?
kill $srv_pid 2>/dev/null; wait $srv_pid 2>/dev/null
check "iperf3 TCP flow through the outage exits 0" test $rc -eq 0
last=$(jq '.intervals[-1].sum.bytes' "$TMP/iperf.json" 2>/dev/null)
zero=$(jq '[.intervals[].sum.bytes | select(. == 0)] | length' "$TMP/iperf.json" 2>/dev/null)
recv=$(jq '.end.sum_received.bytes' "$TMP/iperf.json" 2>/dev/null)
check "TCP flow moves data again after the outage (last second ${last:-?} bytes, $zero empty seconds, $recv received)" \
	test "${last:-0}" -gt 0
check "TCP transfer of 4 MiB after the outage, sha256 matches" tcp_transfer a 10.1.0.2 4
check "foud a and b still hold the tunnel" sh -c "'$FOUCTL' -S '$TMP/a.sock' link show t1 && '$FOUCTL' -S '$TMP/b.sock' link show t1"

# Reordering, where the kernel has netem (often absent in containers).
if nb tc qdisc add dev vb root netem delay 2ms reorder 30% 50% 2>/dev/null; then
	check "TCP transfer of 4 MiB over a reordering underlay, sha256 matches" tcp_transfer b 10.1.0.1 4
	nb tc qdisc del dev vb root
else
	echo "# netem unavailable: reordering not tested"
fi

# ---- rate-limited logging of dropped traffic ------------------------------
# 10k copies of one bad datagram (a 1-byte FOU payload, which the peer's
# tunnel drops as no IPv4 packet): at most DROP_BURST (5) lines per reason per second plus one "N more"
# line per second, so a few windows' worth at most, never thousands.
l0=$(wc -l <"$TMP/foud-a.log")
drops_a() { echo $(( $(port_counter a 5555 .stats64.rx.dropped) + $(counter a t1 .stats64.rx.dropped) )); }
d0=$(drops_a)
n=$(nb $SPRAY $A4 5555 10000 --kind short --seconds 20 | grep -oE "[0-9]+")
sleep 1.5
# A drop in a later second flushes the "N more ... not logged" line.
nb $SPRAY $A4 5555 1 --kind short >/dev/null
sleep 0.3
l1=$(wc -l <"$TMP/foud-a.log")
d1=$(drops_a)
lines=$((l1 - l0))
check "10k malformed datagrams ($n sent, $((d1 - d0)) counted as drops) gave $lines log lines (1..20)" \
	test "$lines" -ge 1 -a "$lines" -le 20 -a $((d1 - d0)) -ge 9000
check "the log says how many drops it did not show" grep -qE '[0-9]+ more [a-z_]+ drops not logged' "$TMP/foud-a.log"

# ---- a flood of 100k malformed datagrams ----------------------------------
rx0=$(port_counter a 5555 .stats64.rx.packets); rg0=$(port_counter a 6080 .stats64.rx.packets)
l0=$(wc -l <"$TMP/foud-a.log")
n=$(nb $SPRAY $A4 5555,6080 100000 --kind mix --seconds 30 --seed 50 | grep -oE "[0-9]+")
sleep 1
rx1=$(port_counter a 5555 .stats64.rx.packets); rg1=$(port_counter a 6080 .stats64.rx.packets)
got=$(( (rx1 - rx0) + (rg1 - rg0) ))
lines=$(( $(wc -l <"$TMP/foud-a.log") - l0 ))
echo "# flood: $n sent, $got received by foud a's ports, $lines log lines"
check "foud a is alive after the flood" kill -0 "${PIDS[0]}"
check "foud a read most of the flood ($got of $n)" test "$got" -ge 50000
check "the flood gave few log lines ($lines)" test "$lines" -le 200
check "foud a answers fouctl after the flood" fa -j -s fou show
check "ping through the tunnel after the flood" na ping -c 3 -i 0.2 -W 2 10.1.0.2
check "TCP transfer of 4 MiB after the flood, sha256 matches" tcp_transfer a 10.1.0.2 4
check "foud a still adds and removes a tunnel" sh -c "'$FOUCTL' -S '$TMP/a.sock' link add name x1 type ipip remote 192.0.2.9 local $A4 encap fou encap-sport auto encap-dport 5555 && '$FOUCTL' -S '$TMP/a.sock' link del x1"
finish
