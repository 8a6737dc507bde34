#!/usr/bin/env bash
# Shared by the namespace tests: two hosts A and B joined by one veth, a foud
# in each, helpers to configure and to read counters. Everything is removed
# on exit, whatever the outcome. TAP-like lines: "ok N - what", "not ok N - what".
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
B=${B:-build}
FOUD=$ROOT/$B/foud
FOUCTL=$ROOT/$B/fouctl
ID=$$
NSA=foud-$ID-a
NSB=foud-$ID-b
NSC=foud-$ID-c NSU=foud-$ID-u	# setup_bridge3's third host and its bridge
TMP=$(mktemp -d /tmp/foud-netns.XXXXXX)
A4=192.0.2.1 B4=192.0.2.2 C4=192.0.2.3 A6=2001:db8::1 B6=2001:db8::2
PIDS=()
T_N=0 T_FAIL=0
# A foud started without -c must not apply the host's /etc/foud/foud.conf.
export FOUD_CONFIG=$TMP/no-foud.conf

cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	ip netns del "$NSC" 2>/dev/null
	ip netns del "$NSU" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

na() { ip netns exec "$NSA" "$@"; }
nb() { ip netns exec "$NSB" "$@"; }
nc_() { ip netns exec "$NSC" "$@"; }
fa() { "$FOUCTL" -S "$TMP/a.sock" "$@"; }
fb() { "$FOUCTL" -S "$TMP/b.sock" "$@"; }
fc() { "$FOUCTL" -S "$TMP/c.sock" "$@"; }

ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
nok() { T_N=$((T_N + 1)); T_FAIL=$((T_FAIL + 1)); echo "not ok $T_N - $*"; }
check() { # check "what" command...
	local what=$1; shift
	if "$@" >"$TMP/out" 2>&1; then ok "$what"; else nok "$what"; sed 's/^/#   /' "$TMP/out" | tail -15; fi
}
# Stops every foud with SIGTERM; each must exit 0 (a sanitizer report or a
# leak at exit makes it non-zero), then reports the checks.
finish() {
	local p rc
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
		wait "$p"; rc=$?
		if [ $rc -eq 0 ]; then ok "foud $p exited cleanly"
		else nok "foud $p exited with $rc"; cat "$TMP"/foud-*.log | tail -30 | sed 's/^/#   /'; fi
	done
	PIDS=()
	echo "# $T_N checks, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ]
	exit $?
}
skip() { echo "skip: $*"; exit 77; }

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
	[ -x "$FOUD" ] && [ -x "$FOUCTL" ] || { echo "build foud and fouctl first"; exit 1; }
}

# Two namespaces, one veth, IPv4 and IPv6 underlay addresses.
setup_hosts() {
	need_root
	ip netns add "$NSA" && ip netns add "$NSB" || exit 1
	ip link add va netns "$NSA" type veth peer name vb netns "$NSB" || exit 1
	na ip link set lo up; nb ip link set lo up
	na ip addr add $A4/24 dev va; nb ip addr add $B4/24 dev vb
	na ip addr add $A6/64 dev va nodad; nb ip addr add $B6/64 dev vb nodad
	na ip link set va up; nb ip link set vb up
}

# Three hosts A, B, C ($A4, $B4, $C4 on va, vb, vc) on one bridge in namespace
# U, multicast snooping off so that a group reaches every port.
setup_bridge3() {
	local h ns
	need_root
	ip netns add "$NSA" && ip netns add "$NSB" && ip netns add "$NSC" && ip netns add "$NSU" || exit 1
	ip -n "$NSU" link add br0 type bridge
	ip -n "$NSU" link set br0 type bridge mcast_snooping 0
	ip -n "$NSU" link set br0 up
	for h in a b c; do
		ns=$NSA; [ $h = b ] && ns=$NSB; [ $h = c ] && ns=$NSC
		ip link add v$h netns "$ns" type veth peer name u$h netns "$NSU" || exit 1
		ip -n "$NSU" link set u$h master br0 up
		ip -n "$ns" link set lo up
	done
	na ip addr add $A4/24 dev va; nb ip addr add $B4/24 dev vb; nc_ ip addr add $C4/24 dev vc
	na ip link set va up; nb ip link set vb up; nc_ ip link set vc up
}

# True when FOUD_TEST_OPTS turns offloads off (foud -O, the sweep of .ci/run).
opts_no_offload() {
	case " ${FOUD_TEST_OPTS:-} " in *" -O "*) return 0 ;; esac
	return 1
}

# For tests whose subject is the offloads themselves: under the offloads-off
# sweep, foud -O would leave them nothing to test, so they keep their own.
opts_keep_offload() {
	FOUD_TEST_OPTS=${FOUD_TEST_OPTS:-}
	FOUD_TEST_OPTS=${FOUD_TEST_OPTS//-O/}
}

# start_foud a|b|c [foud options]
start_foud() {
	local h=$1; shift
	local ns=$NSA; [ "$h" = b ] && ns=$NSB; [ "$h" = c ] && ns=$NSC
	# FOUD_TEST_OPTS (say -O, offloads off) applies to every foud of a test.
	# shellcheck disable=SC2086
	# Each host's state directory (replay floors) is its own, under $TMP.
	FOUD_STATE_DIR=${FOUD_STATE_DIR:-$TMP/state-$h} \
		ip netns exec "$ns" "$FOUD" -f -S "$TMP/$h.sock" ${FOUD_TEST_OPTS:-} "$@" 2>>"$TMP/foud-$h.log" &
	PIDS+=($!)
	local i
	for i in $(seq 50); do [ -S "$TMP/$h.sock" ] && return 0; sleep 0.1; done
	echo "foud $h did not start:"; cat "$TMP/foud-$h.log"; exit 1
}

# Brings a foud-made device up with addresses; IPv6 off unless one is given,
# so that no router solicitation muddies exact counters.
dev_up() { # dev_up a|b|c DEV ADDR4/len [ADDR6/len]
	local ns=$NSA; [ "$1" = b ] && ns=$NSB; [ "$1" = c ] && ns=$NSC
	[ -n "${4:-}" ] || ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
	[ -n "$3" ] && ip netns exec "$ns" ip addr add "$3" dev "$2"
	[ -n "${4:-}" ] && ip netns exec "$ns" ip addr add "$4" dev "$2" nodad
	ip netns exec "$ns" ip link set "$2" up
}

# scrape_unix a|b|c: the metrics of a foud whose file says `metrics listen unix:$TMP/<host>-metrics.sock`
scrape_unix() { curl -sf --max-time 5 --unix-socket "$TMP/$1-metrics.sock" http://foud/metrics; }
# metric_unix a|b|c 'NAME{LABELS}': that sample's value
metric_unix() { scrape_unix "$1" | K=$2 awk '$1 == ENVIRON["K"] { print $2 }'; }
# metric_vals a|b|c 'NAME{LABELS}'...: their values from one scrape, on one line ("-" for none)
metric_vals() {
	local h=$1; shift
	scrape_unix "$h" | awk 'BEGIN { for (n = 1; n < ARGC; n++) { at[ARGV[n]] = n; v[n] = "-" }; ARGC = 1 }
		$1 in at { v[at[$1]] = $2 }
		END { for (i = 1; i < n; i++) printf "%s%s", v[i], i < n - 1 ? " " : "\n" }' "$@"
}
# promtool_unix a|b|c: promtool accepts that foud's scrape (a check)
promtool_unix() {
	scrape_unix "$1" >"$TMP/$1.prom"
	check "promtool check metrics: $1's scrape" promtool check metrics <"$TMP/$1.prom"
}

# counter a|b DEV PATH (jq path under the link object, e.g. .stats64.rx.packets)
counter() {
	local f=fa; [ "$1" = b ] && f=fb
	$f -j -s link show "$2" | jq -r ".[0]$3"
}
port_counter() { # port_counter a|b PORT PATH (under the port's "foud" object, e.g. .drops.rx.no_tunnel)
	local f=fa; [ "$1" = b ] && f=fb
	$f -j -s fou show | jq -r "[.[] | select(.port == $2)][0].foud$3"
}

# TCP transfer of $3 MiB from host $1 to address $2 (in the other host); sha256 must match.
tcp_transfer() { # tcp_transfer a|b DST MiB
	local src=na dst=nb; [ "$1" = b ] && { src=nb; dst=na; }
	[ -f "$TMP/data-$3" ] || head -c "$(($3 * 1048576))" /dev/urandom >"$TMP/data-$3"
	rm -f "$TMP/recv"
	local v=4 a=$2; case $2 in *:*) v=6; a="[$2]" ;; esac
	$dst timeout 120 socat -u "TCP$v-LISTEN:7000,reuseaddr" "OPEN:$TMP/recv,creat,trunc" &
	local lp=$! i
	# Until the listener is there (bounded): a fixed pause lost the race under load.
	for i in $(seq 50); do
		$dst ss -Hltn "sport = :7000" 2>/dev/null | grep -q . && break
		sleep 0.1
	done
	$src timeout 120 socat -u "OPEN:$TMP/data-$3" "TCP$v:$a:7000,connect-timeout=5" || { kill $lp 2>/dev/null; return 1; }
	wait $lp || return 1
	[ "$(sha256sum <"$TMP/data-$3")" = "$(sha256sum <"$TMP/recv")" ]
}

# One UDP datagram of $3 random bytes from host $1 to address $2 (in the other
# host), port 7001; it must arrive whole.
udp_transfer() { # udp_transfer a|b DST BYTES
	local src=na dst=nb; [ "$1" = b ] && { src=nb; dst=na; }
	local fam=AF_INET; case $2 in *:*) fam=AF_INET6 ;; esac
	head -c "$3" /dev/urandom >"$TMP/udp-data"
	rm -f "$TMP/udp-recv"
	$dst python3 -c 'import socket, sys
s = socket.socket(getattr(socket, sys.argv[1]), socket.SOCK_DGRAM)
s.bind((sys.argv[2], 7001)); s.settimeout(5)
sys.stdout.buffer.write(s.recv(65535))' "$fam" "$2" >"$TMP/udp-recv" &
	local lp=$!
	sleep 0.3
	$src python3 -c 'import socket, sys
s = socket.socket(getattr(socket, sys.argv[1]), socket.SOCK_DGRAM)
s.sendto(sys.stdin.buffer.read(), (sys.argv[2], 7001))' "$fam" "$2" <"$TMP/udp-data" || return 1
	wait $lp || return 1
	cmp "$TMP/udp-data" "$TMP/udp-recv"
}

# The kernel's count of TCP and UDP segments dropped for a bad checksum in host $1.
csum_errors() { # csum_errors a|b
	local ns=$NSA; [ "$1" = b ] && ns=$NSB
	ip netns exec "$ns" nstat -az TcpInCsumErrors UdpInCsumErrors Udp6InCsumErrors |
		awk '/CsumErrors/ { n += $2 } END { print n + 0 }'
}

# tou_send SECS FILE PORT [ADDR [SOCAT-OPTS]]: FILE from a to b's ADDR:PORT
# ($B4 by default) over TCP, both ends under tou-run, into $TMP/recv, each end
# SECS at most. Fails if either end does (a failed sender stops the listener).
tou_send() {
	local lp rc
	rm -f "$TMP/recv"
	nb timeout "$1" "$ROOT/$B/tou-run" socat -u "TCP4-LISTEN:$3,reuseaddr" "OPEN:$TMP/recv,creat,trunc" &
	lp=$!
	sleep 0.3
	na timeout "$1" "$ROOT/$B/tou-run" socat -u "OPEN:$2" "TCP4:${4:-$B4}:$3,connect-timeout=5${5:+,$5}"
	rc=$?
	[ $rc -eq 0 ] || kill $lp 2>/dev/null
	wait $lp 2>/dev/null && return $rc
}
# tou_trickle SECS PORT N BYTES GAP: in the background (pids sp and lp), N
# writes of BYTES every GAP s from a to b's $B4:PORT under tou-run, each end
# SECS at most: $TMP/trickle is what is sent, $TMP/recv2 what arrives.
tou_trickle() {
	python3 "$ROOT/tests/tools/trickle.py" data "$3" "$4" >"$TMP/trickle"
	rm -f "$TMP/recv2"
	nb timeout "$1" "$ROOT/$B/tou-run" socat -u "TCP4-LISTEN:$2,reuseaddr" "OPEN:$TMP/recv2,creat,trunc" &
	lp=$!
	sleep 0.3
	na timeout "$1" "$ROOT/$B/tou-run" python3 "$ROOT/tests/tools/trickle.py" send $B4 "$2" "$3" "$4" "$5" &
	sp=$!
}
# same_bytes A B: the two files' sha256 are equal.
same_bytes() { [ "$(sha256sum <"$1")" = "$(sha256sum <"$2")" ]; }

# settle CMD N: polls CMD (a word list run unquoted) until it prints N, for at most 3 s.
settle() { local i; for i in $(seq 30); do [ "$($1)" = "$2" ] && return 0; sleep 0.1; done; return 1; }

# check_csum_once WHAT PORT DEV TRUSTED: the checksum-once checks of 47 and
# 48, on b's receive port PORT carrying device DEV. The caller defines
# inject TYPE HEX (one datagram to PORT), trusted (csum_trusted of TRUSTED),
# inner_drops DEV and rxp DEV, and sets seg (a TCP segment) and bad (it with
# a wrong TCP checksum). A stale outer checksum is the kernel's drop; none
# over a bad inner one is foud's inner_csum drop; a valid one over a bad inner
# one is trusted and goes up. Leaves e0, t0, i0 and r0 for further checks.
check_csum_once() {
	local what=$1 port=$2 dev=$3 tr=$4 p0
	r0=$(rxp "$dev") e0=$(csum_errors b) p0=$(port_counter b "$port" .stats64.rx.packets)
	check "inject: ${what}outer checksum stale" inject udpstale "$seg"
	settle "csum_errors b" $((e0 + 1))
	check "stale outer checksum: the kernel dropped it ($e0 -> $(csum_errors b))" \
		test "$(csum_errors b)" -eq $((e0 + 1))
	check "stale outer checksum: foud never saw it" \
		test "$(port_counter b "$port" .stats64.rx.packets)" -eq "$p0" -a "$(rxp "$dev")" -eq "$r0"
	t0=$(trusted "$tr") i0=$(inner_drops "$dev")
	check "inject: ${what}no outer checksum, inner TCP checksum wrong" inject udp0 "$bad"
	settle "inner_drops $dev" $((i0 + 1))
	check "zero outer checksum: not trusted ($t0 -> $(trusted "$tr"))" test "$(trusted "$tr")" -eq "$t0"
	check "zero outer checksum: dropped as inner_csum, exactly one ($i0 -> $(inner_drops "$dev"))" \
		test "$(inner_drops "$dev")" -eq $((i0 + 1))
	check "zero outer checksum: not written to $dev" test "$(rxp "$dev")" -eq "$r0"
	# What the outer checksum vouches for is not summed again.
	check "inject: ${what}valid outer checksum over a bad inner one" inject udp "$bad"
	settle "trusted $tr" $((t0 + 1))
	check "valid outer checksum: trusted, exactly one ($t0 -> $(trusted "$tr"))" \
		test "$(trusted "$tr")" -eq $((t0 + 1))
	check "valid outer checksum: inner not verified by foud (no inner_csum drop)" \
		test "$(inner_drops "$dev")" -eq $((i0 + 1))
}

# check_l2_path DEV DST N: foud a's L2 device DEV is on the data path the run
# asks for (BPF, unless FOUD_TEST_OPTS has -D userspace); on BPF, N pings to
# DST cross in the programs: their counters rise by exactly N each way.
check_l2_path() {
	local dev=$1 dst=$2 n=$3 dp=bpf tx0 rx0 tx1 rx1
	case " ${FOUD_TEST_OPTS:-} " in *" -D userspace "*) dp=userspace ;; esac
	check "$dev: datapath $dp" test "$(fa -j -d link show "$dev" | jq -r '.[0].foud.datapath')" = $dp
	[ $dp = bpf ] || return 0
	# A device's counters see every frame: once in a while a neighbour probe
	# or an IPv6 report of the peer's lands inside the window (6 replies for
	# 5). A second window then has to be exact; a miscount repeats.
	local try
	for try in 1 2; do
		tx0=$(l2_bpf_packets "$dev" tx) rx0=$(l2_bpf_packets "$dev" rx)
		na ping -c "$n" -i 0.1 -W 2 "$dst" >/dev/null
		tx1=$(l2_bpf_packets "$dev" tx) rx1=$(l2_bpf_packets "$dev" rx)
		[ $((tx1 - tx0))/$((rx1 - rx0)) = "$n/$n" ] && break
		[ $try = 2 ] || echo "# $dev: $((tx1 - tx0)) out, $((rx1 - rx0)) in for $n pings: another frame crossed; measured again"
	done
	check "$dev: $n requests out ($tx0 -> $tx1) and $n replies in ($rx0 -> $rx1) through BPF" \
		test $((tx1 - tx0))/$((rx1 - rx0)) = "$n/$n"
}
l2_bpf_packets() { fa -j -s -d link show "$1" | jq ".[0].foud.bpf_stats64.$2.packets // 0"; }
# Frames foud a's userspace path received on DEV: all received less the programs'.
l2_user_rx() { fa -j -s -d link show "$1" | jq '.[0] | .stats64.rx.packets - (.foud.bpf_stats64.rx.packets // 0)'; }
# check_l2_bulk DEV U0 B0 WHAT: on BPF, the programs received a TCP transfer
# into DEV (veth hands GSO super-frames over whole, and they take them):
# foud's userspace path read under 1% of its frames (a stray ARP or
# neighbour probe may go there) since l2_user_rx said U0 and the programs' rx B0.
check_l2_bulk() {
	local u b
	case " ${FOUD_TEST_OPTS:-} " in *" -D userspace "*) return 0 ;; esac
	u=$(($(l2_user_rx "$1") - $2)) b=$(($(l2_bpf_packets "$1" rx) - $3))
	check "$1: $4 received in the programs ($b frames), under 1% by foud's userspace path ($u)" \
		test $((u * 100)) -lt "$b"
}
