#!/usr/bin/env bash
# Small packets as UDP GSO trains (daemon/io/train.c). foud a is stopped
# (SIGSTOP) while a burst of N small datagrams of one flow queues in its TUN;
# resumed, it reads them in batches and sends each batch as one UDP_SEGMENT
# train. Over IPIP/FOU (noencap-csum), GRE/GUE and GRE/FOU (encap-csum), on
# the userspace path: all N arrive intact and in order, b's rx and a's tx
# packets rise by exactly N, and a sends fewer than N datagrams on its veth
# (trains; exactly N under foud -O, which sends no trains). Hosts are on a
# bridge: first as it is (a train reaches b's socket whole and b splits it),
# then with the bridge port to b without checksum offload or segmentation,
# so that b's veth sees the N datagrams as a wire would: each with a correct
# UDP checksum, or none for noencap-csum without offloads. A mixed burst (two
# flows interleaved, 64 and 540 bytes) arrives intact too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/burst.sh"
export FOUD_TEST_OPTS="-D userspace ${FOUD_TEST_OPTS:-}"
command -v tshark >/dev/null || skip "tshark missing"
command -v ethtool >/dev/null || skip "ethtool missing"
N=200
setup_bridge3
start_foud a; start_foud b
APID=${PIDS[0]}
trap 'kill -CONT $APID 2>/dev/null; cleanup' EXIT
for h in a b; do
	f=fa l=$A4 r=$B4 n=1; [ $h = b ] && { f=fb; l=$B4; r=$A4; n=2; }
	$f fou add port 5555 ipproto 4
	$f fou add port 5556 gue
	$f fou add port 5557 ipproto 47
	$f link add name t1 type ipip remote $r local $l encap fou encap-sport auto encap-dport 5555 \
		noencap-csum
	# A key: an ipip beside t1 with the same addresses would take t1's packets, as in Linux.
	$f link add name t2 type gre key 2 remote $r local $l encap gue encap-sport auto \
		encap-dport 5556 encap-csum
	$f link add name t3 type gre remote $r local $l encap fou encap-sport auto encap-dport 5557 \
		encap-csum
	dev_up $h t1 10.1.0.$n/24
	dev_up $h t2 10.2.0.$n/24
	dev_up $h t3 10.3.0.$n/24
done
for i in 1 2 3; do check "ping over t$i" na ping -c 1 -W 2 10.$i.0.2; done

cap_start() { # cap_start NS DEV NAME
	ip netns exec "$1" tcpdump -i "$2" --immediate-mode -U -n -s 128 -w "$TMP/$3.pcap" udp 2>"$TMP/$3.err" &
	CAPS+=($!)
	poll_upto 5 grep -qs listening "$TMP/$3.err"
}
cap_stop() { kill "${CAPS[@]}"; wait "${CAPS[@]}" 2>/dev/null; CAPS=(); }
CAPS=()
# case_run TUN PORT: one flow's burst; its counters, its receiver.
case_run() {
	local t=$1 i=${1#t} rx tx
	rx=$(counter b "$t" .stats64.rx.packets) tx=$(counter a "$t" .stats64.tx.packets)
	burst_recv 10.$i.0.2 9000 $N 36; local lp=$BURST_RECV
	check "$t: burst of $N datagrams of 64 bytes (one flow) queued while foud a was stopped" \
		burst_send $APID 10.$i.0.2 $N "9000:36"
	check "$t: all $N arrive intact and in order" wait $lp
	local rx2; rx2=$(counter b "$t" .stats64.rx.packets)
	check "$t: b's rx packets rose by exactly $N ($rx -> $rx2)" test "$rx2" -eq $((rx + N))
	check "$t: a's tx packets rose by exactly $N" test "$(counter a "$t" .stats64.tx.packets)" -eq $((tx + N))
}
sends() { # sends PCAP PORT: A's datagrams to PORT
	tshark -r "$TMP/$1.pcap" -Y "ip.src == $A4 && udp.dstport == $2" 2>/dev/null | wc -l
}

# ---- round 1: trains reach b whole -------------------------------------------
cap_start "$NSA" va sent1
for t in t1 t2 t3; do case_run $t; done
cap_stop
for p in 5555 5556 5557; do
	n=$(sends sent1 $p)
	if opts_no_offload; then
		check "port $p: a sent $N datagrams on va (foud -O: no trains) ($n)" test "$n" -eq $N
	else
		check "port $p: a sent the $N datagrams in fewer sends on va: trains ($n)" test "$n" -lt $N
	fi
done
# Two flows interleaved, different sizes: the trains break where the flow changes.
burst_recv 10.3.0.2 9000 $N 36; lp1=$BURST_RECV
burst_recv 10.3.0.2 9001 $N 512; lp2=$BURST_RECV
check "t3: mixed burst, $N of 64 bytes and $N of 540 bytes interleaved" \
	burst_send $APID 10.3.0.2 $N "9000:36 9001:512"
check "t3: mixed: flow 1 intact and in order" wait $lp1
check "t3: mixed: flow 2 intact and in order" wait $lp2

# ---- round 2: the bridge cuts and checksums them: b sees the wire ------------
ip netns exec "$NSU" ethtool -K ub tx off tx-udp-segmentation off >/dev/null 2>&1
check "bridge port ub: tx checksumming off" bash -c \
	"ip netns exec $NSU ethtool -k ub | grep -q '^tx-checksumming: off'"
cap_start "$NSB" vb wire
for t in t1 t2 t3; do case_run $t; done
cap_stop
# udp.checksum.status: 1 good, 2 unverified, 3 not present (a zero checksum).
csums() { # csums PORT: "count status" lines
	tshark -r "$TMP/wire.pcap" -o udp.check_checksum:TRUE -Y "ip.src == $A4 && udp.dstport == $1" \
		-T fields -e udp.checksum.status 2>/dev/null | sort | uniq -c | awk '{ print $1, $2 }'
}
for p in 5555 5556 5557; do
	want="$N 1" what="a good checksum"
	[ $p = 5555 ] && opts_no_offload && want="$N 3" what="no checksum (noencap-csum, foud -O)"
	got=$(csums $p | tr '\n' ';')
	check "port $p: b's veth saw $N datagrams, each with $what (count status: $got)" \
		test "$got" = "$want;"
done
for t in t1 t2 t3; do
	check "$t: foud a sent no train datagram by datagram: gso_fallback 0" \
		test "$(fa -j -s -d link show $t | jq -r '.[0].foud.gso_fallback')" = 0
done
finish
