#!/usr/bin/env bash
# Soak: two foud in two namespaces (tests/netns/lib.sh), three tunnels
# (ipip/fou, gre/gue with a key, sit/none) carrying iperf3 at full speed,
# while a loop adds and removes tunnels and ports on both sides and a
# sprayer sends malformed datagrams (random bytes, mutated valid packets) at
# every fou port, from the peer and from a stranger. Afterwards:
#   - each foud's VmRSS is within SOAK_RSS_KIB (4 MiB) of its value after
#     warm-up, and its open descriptors are back to the warm-up count;
#   - a UDP flow of a known count sent after the churn balances: packets
#     the sender's tunnel transmitted = packets the receiver's tunnel
#     delivered + packets the receiver counted under a drop reason (+ what
#     the receiver's kernel dropped before foud could read it, printed);
#   - both foud exit cleanly on SIGTERM.
# SOAK_SECONDS (default 180) bounds the loaded phase; the whole run takes
# about SOAK_SECONDS + 40 s. Not part of `make check`.
. "$(dirname "$0")/../netns/lib.sh"
SECS=${SOAK_SECONDS:-180}
RSS_SLACK=${SOAK_RSS_KIB:-4096}
FLOW_PKTS=${SOAK_FLOW_PKTS:-20000}
SPRAY_PPS=${SOAK_SPRAY_PPS:-4000}
SPRAY="python3 $ROOT/tests/soak/spray.py"
WARM=10
LOAD=$((SECS - WARM - 20)); [ $LOAD -lt 20 ] && LOAD=20
BG=()
for c in iperf3 jq python3; do command -v $c >/dev/null || skip "$c not installed"; done

soak_cleanup() {
	local p
	for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${BG[@]}"; do wait "$p" 2>/dev/null; done
	cleanup
}
trap soak_cleanup EXIT

setup_hosts
nb ip addr add 192.0.2.3/24 dev vb
na ip addr add 192.0.2.4/24 dev va
start_foud a
start_foud b
PA=${PIDS[0]} PB=${PIDS[1]}
for f in fa fb; do $f fou add port 5555 ipproto 4; $f fou add port 6080 gue; done
fa link add name t1 type ipip remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555
fb link add name t1 type ipip remote $A4 local $B4 encap fou encap-sport auto encap-dport 5555
fa link add name t2 type gre remote $B4 local $A4 key 7 encap gue encap-sport auto encap-dport 6080
fb link add name t2 type gre remote $A4 local $B4 key 7 encap gue encap-sport auto encap-dport 6080
fa link add name t3 type sit remote $B4 local $A4 encap none
fb link add name t3 type sit remote $A4 local $B4 encap none
dev_up a t1 10.1.0.1/30; dev_up b t1 10.1.0.2/30
dev_up a t2 10.2.0.1/30; dev_up b t2 10.2.0.2/30
dev_up a t3 "" 2001:db8:3::1/64; dev_up b t3 "" 2001:db8:3::2/64
check "ipip/fou carries traffic" na ping -c 2 -i 0.2 -W 2 10.1.0.2
check "gre/gue carries traffic" na ping -c 2 -i 0.2 -W 2 10.2.0.2
check "sit/none carries traffic" na ping -6 -c 2 -i 0.2 -W 2 2001:db8:3::2

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
fds() { ls "/proc/$1/fd" | wc -l; }
fd_list() { # what each descriptor is, for the report when the counts differ
	local f l u ino what
	for f in /proc/$1/fd/*; do
		l=$(readlink "$f") what=""
		case $l in socket:*)
			ino=${l#socket:[}; ino=${ino%]}
			what=$(cd /proc/$1/net && grep -lw "$ino" udp udp6 raw raw6 unix tcp tcp6 2>/dev/null | head -1)
			case $what in udp*)
				u=$(awk -v i="$ino" '$10 == i { print $2 }' /proc/$1/net/$what)
				what="$what port $((16#${u##*:}))" ;;
			esac
		esac
		printf '%s -> %s %s\n' "${f##*/}" "$l" "$what"
	done | sort -n
}

# iperf3 on every tunnel for $1 seconds, A -> B; servers on 5201..5203.
iperf_all() {
	local t=$1 i dst
	i=0
	for dst in 10.1.0.2 10.2.0.2 2001:db8:3::2; do
		i=$((i + 1))
		nb timeout $((t + 30)) iperf3 -s -1 -p 520$i >/dev/null 2>&1 &
		BG+=($!)
	done
	sleep 0.5
	i=0
	for dst in 10.1.0.2 10.2.0.2 2001:db8:3::2; do
		i=$((i + 1))
		na timeout $((t + 30)) iperf3 -c $dst -p 520$i -t "$t" -J >"$TMP/iperf-$i.json" 2>&1 &
		BG+=($!)
	done
}

# Adds and removes tunnels and ports on both sides until $1 (epoch seconds).
churn() {
	local until=$1 i=0 k p f l4 l6 r4
	while [ "$(date +%s)" -lt "$until" ]; do
		k=$((i % 3)) p=$((7000 + i % 50)) r4=192.0.2.$((100 + i % 50))
		for f in fa fb; do
			l4=$A4 l6=$A6; [ $f = fb ] && { l4=$B4 l6=$B6; }
			case $k in
			0) $f fou add port $p ipproto 4 &&
			   $f link add name c$k type ipip remote $r4 local $l4 \
				encap fou encap-sport auto encap-dport $p ;;
			1) $f fou add port $p gue -6 &&
			   $f link add name c$k type ip6gre remote 2001:db8::$((100 + i % 50)) local $l6 \
				key $i encap gue encap-sport auto encap-dport $p ;;
			2) $f fou add port $p ipproto 47 local $l4 peer $r4 peer_port 9 &&
			   $f link add name c$k type gre remote $r4 local $l4 \
				csum seq encap fou encap-sport 7777 encap-dport $p ;;
			esac
		done
		sleep 0.05
		for f in fa fb; do
			l4=$A4; [ $f = fb ] && l4=$B4
			$f link del c$k
			case $k in
			0) $f fou del port $p ipproto 4 ;;
			1) $f fou del port $p gue -6 ;;
			2) $f fou del port $p ipproto 47 local $l4 peer $r4 peer_port 9 ;;
			esac
		done
		i=$((i + 1))
	done >>"$TMP/churn.log" 2>&1
	echo "$i" >"$TMP/churn.count"
}

# The sprayers: B's peer address and a stranger at A's ports, and A at B's.
spray_all() {
	local t=$1
	nb $SPRAY $A4 5555,6080 100000000 --kind mix --seconds "$t" --rate $SPRAY_PPS --seed 1 --gre-key 7 \
		--src $B4 >"$TMP/spray-1" 2>&1 &
	BG+=($!)
	nb $SPRAY $A4 5555,6080 100000000 --kind mix --seconds "$t" --rate $((SPRAY_PPS / 4)) --seed 2 \
		--src 192.0.2.3 >"$TMP/spray-2" 2>&1 &
	BG+=($!)
	na $SPRAY $B4 5555,6080 100000000 --kind mix --seconds "$t" --rate $SPRAY_PPS --seed 3 --gre-key 7 \
		--src $A4 >"$TMP/spray-3" 2>&1 &
	BG+=($!)
}

wait_bg() {
	local p
	for p in "${BG[@]}"; do wait "$p" 2>/dev/null; done
	BG=()
}

# ---- warm-up: every path once, so that buffers and tables reach their size
echo "# warm-up ${WARM}s"
iperf_all $((WARM - 2))
spray_all $((WARM - 2))
churn $(( $(date +%s) + WARM - 2 ))
wait_bg
sleep 2
rss_a0=$(rss $PA) rss_b0=$(rss $PB) fd_a0=$(fds $PA) fd_b0=$(fds $PB)
fd_list $PA >"$TMP/fd-a0"; fd_list $PB >"$TMP/fd-b0"
echo "# after warm-up: foud a VmRSS ${rss_a0} KiB, ${fd_a0} fds; foud b VmRSS ${rss_b0} KiB, ${fd_b0} fds"

# ---- the load -------------------------------------------------------------
echo "# load ${LOAD}s: iperf3 x3, churn, sprayers at ${SPRAY_PPS}+$((SPRAY_PPS / 4))+${SPRAY_PPS} pps"
t0=$(date +%s)
iperf_all $LOAD
spray_all $LOAD
churn $((t0 + LOAD))
peak_a=$(rss $PA) peak_b=$(rss $PB)
wait_bg
for i in 1 2 3; do
	bps=$(jq '.end.sum_received.bits_per_second // 0 | floor' "$TMP/iperf-$i.json" 2>/dev/null)
	echo "# iperf3 t$i: $(( ${bps:-0} / 1000000 )) Mbit/s"
	check "iperf3 over t$i ran to the end" jq -e '.end.sum_received.bytes > 0' "$TMP/iperf-$i.json"
done
sprayed=0
for f in "$TMP"/spray-*; do sprayed=$((sprayed + $(grep -oE '[0-9]+' "$f" | tail -1))); done
echo "# churn: $(cat "$TMP/churn.count") add/remove rounds on each side; sprayed $sprayed datagrams"
check "foud a alive after the load" kill -0 $PA
check "foud b alive after the load" kill -0 $PB
check "foud a answers fouctl" fa -j -s link show
check "no churn tunnel or port left behind" \
	test "$(fa -j link show | jq length)" -eq 3 -a "$(fb -j link show | jq length)" -eq 3 -a \
	"$(fa -j fou show | jq length)" -eq 2 -a "$(fb -j fou show | jq length)" -eq 2

# ---- resources back where they were ---------------------------------------
sleep 2
rss_a1=$(rss $PA) rss_b1=$(rss $PB) fd_a1=$(fds $PA) fd_b1=$(fds $PB)
echo "# after load: foud a VmRSS ${rss_a1} KiB (peak seen ${peak_a}), ${fd_a1} fds; foud b VmRSS ${rss_b1} KiB (peak seen ${peak_b}), ${fd_b1} fds"
check "foud a VmRSS ${rss_a0} -> ${rss_a1} KiB (within +${RSS_SLACK})" test "$rss_a1" -le $((rss_a0 + RSS_SLACK))
check "foud b VmRSS ${rss_b0} -> ${rss_b1} KiB (within +${RSS_SLACK})" test "$rss_b1" -le $((rss_b0 + RSS_SLACK))
fd_list $PA >"$TMP/fd-a1"; fd_list $PB >"$TMP/fd-b1"
# foud keeps up to FOUD_TXSOCKS (8) UDP sockets per tunnel for UDP GSO
# sends, one per flow's source port, least recently used out (daemon/io/uso.c):
# a bounded cache that fills as flows come, so it is counted apart.
txc() { grep -cE ' udp6? port ' "$1" | { read -r n; echo $(( n - $(grep -cE ' udp6? port (5555|6080)$' "$1") )); }; }
other() { echo $(( $(wc -l <"$1") - $(txc "$1") )); }
for h in a b; do
	o0=$(other "$TMP/fd-${h}0") o1=$(other "$TMP/fd-${h}1") c0=$(txc "$TMP/fd-${h}0") c1=$(txc "$TMP/fd-${h}1")
	check "foud $h descriptors other than its UDP GSO socket cache: $o0 -> $o1" test "$o1" -eq "$o0"
	check "foud $h UDP GSO socket cache $c0 -> $c1 (at most 8 per tunnel, 24)" test "$c1" -le 24
	diff "$TMP/fd-${h}0" "$TMP/fd-${h}1" | grep '^[<>]' | sed "s/^/# foud $h fd: /"
done

# ---- counters balance for a flow we control ---------------------------------
# FLOW_PKTS UDP datagrams A -> B through t1: nine in ten to a port nobody
# listens on (the kernel's port-unreachable replies go B -> A, the other
# direction), one in ten to B's own fou port 5555, which B must drop as
# nested: the balance then has both terms.
udp_errs() { nb awk '/^Udp:/ { if (h) { print $4; exit } h = 1 }' /proc/net/snmp; }  # InErrors (counts RcvbufErrors)
drops_b() { echo $(( $(counter b t1 .stats64.rx.dropped) + $(port_counter b 5555 .stats64.rx.dropped) )); }
tx0=$(counter a t1 .stats64.tx.packets) txd0=$(counter a t1 .stats64.tx.dropped)
rx0=$(counter b t1 .stats64.rx.packets) dr0=$(drops_b) ke0=$(udp_errs)
ne0=$(counter b t1 .foud.drops.rx.nested)
na python3 - "$FLOW_PKTS" <<'PY'
import socket, sys, time
n = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
start = time.monotonic()
for i in range(n):
    while True:
        try:
            s.sendto(i.to_bytes(4, "big") + bytes(200), ("10.1.0.2", 5555 if i % 10 == 9 else 9))
            break
        except OSError:
            time.sleep(0.001)
    if i % 500 == 499:                       # ~20k pps, well under what t1 carries
        d = (i + 1) / 20000 - (time.monotonic() - start)
        if d > 0:
            time.sleep(d)
PY
sleep 2
tx1=$(counter a t1 .stats64.tx.packets) txd1=$(counter a t1 .stats64.tx.dropped)
rx1=$(counter b t1 .stats64.rx.packets) dr1=$(drops_b) ke1=$(udp_errs)
ne1=$(counter b t1 .foud.drops.rx.nested)
tx=$((tx1 - tx0)) rx=$((rx1 - rx0)) dr=$((dr1 - dr0)) ke=$((ke1 - ke0)) txd=$((txd1 - txd0))
echo "# flow: $FLOW_PKTS sent; a t1 transmitted $tx (tx dropped $txd); b delivered $rx, dropped $dr under a reason ($((ne1 - ne0)) nested); b's kernel dropped $ke UDP before foud read them"
b_reasons=$(fb -j -s link show t1 | jq -c '.[0].foud.drops.rx | with_entries(select(.value > 0))')
echo "# b t1 drop reasons (whole run): $b_reasons"
check "a's tunnel transmitted the flow ($tx + $txd dropped = $FLOW_PKTS)" test $((tx + txd)) -eq "$FLOW_PKTS"
check "transmitted $tx = delivered $rx + dropped $dr + kernel-dropped $ke" test "$tx" -eq $((rx + dr + ke))
check "b dropped the flow's $((FLOW_PKTS / 10)) datagrams to its own port as nested ($((ne1 - ne0)))" \
	test $((ne1 - ne0)) -eq $((FLOW_PKTS / 10))
check "t1 carries traffic at the end" na ping -c 2 -i 0.2 -W 2 10.1.0.2
echo "# soak: ${SECONDS}s in all"
finish
