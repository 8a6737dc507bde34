#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/scale.sh: one foud with SCALE_TUNNELS (10 000) L3 tunnels, then
# SCALE_L2 (1 000) VXLAN devices with SCALE_FDB (100) static forwarding
# entries each (100 000), in a namespace of its own, host B on a veth beside.
#
#   L3: keyed GRE tunnels to one remote (keys 1..N, userspace path), added by
#       one `fouctl -b` batch and, apart, by `foud -c FILE`; B then sends
#       SCALE_PKTS GRE packets spread over every key, and the rate at which
#       foud's receive lookup hands them to their tunnels is measured (all
#       counted in the tunnels' rx counters, exactly); one batch of link del.
#   L2: VXLAN devices (VNI 1..M on port 4789) and their FDB entries by one
#       `fouctl -b` batch, `fdb show` counted, one batch of link del.
#
# For each: wall time, foud's CPU time (utime + stime), VmRSS, and that every
# device is gone after the delete (renamed ones pending included). It reports,
# never judges; exit 1 only if a step fails. Wall time depends on the load of
# the machine: the CPU time says what foud itself spent.
#
# IPv6 is off on the new devices (net.ipv6.conf.default.disable_ipv6 in A) unless SCALE_IPV6=1:
# with it, the kernel walks the whole IPv6 routing table, which holds routes of every
# device, each time a device goes down (fib6_ifdown), so deleting N devices costs it N^2
# (10 000 GRE tunnels, up: 55 s, foud's own share of the CPU profile about 1%).
#
# Environment: B (build dir), SCALE_TUNNELS, SCALE_L2, SCALE_FDB, SCALE_PKTS (100000), SCALE_IPV6.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
case $B in /*) BD=$B ;; *) BD=$ROOT/$B ;; esac
FOUD=$BD/foud FOUCTL=$BD/fouctl
N=${SCALE_TUNNELS:-10000} M=${SCALE_L2:-1000} F=${SCALE_FDB:-100} P=${SCALE_PKTS:-100000}
NSA=foud-scale-$$-a NSB=foud-scale-$$-b
A4=192.0.2.1 B4=192.0.2.2
TMP=$(mktemp -d /tmp/foud-scale.XXXXXX)
FOUD_PID=''

log() { printf '%s\n' "$*" >&2; }
die() { log "scale: $*"; exit 1; }
na() { ip netns exec "$NSA" "$@"; }
nb() { ip netns exec "$NSB" "$@"; }
fa() { "$FOUCTL" -S "$TMP/a.sock" "$@"; }

cleanup() {
	trap - EXIT INT TERM
	stop_foud
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'log "scale: interrupted"; exit 130' INT TERM

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }
ticks() { awk '{ print $14 + $15 }' "/proc/$FOUD_PID/stat" 2>/dev/null || echo 0; }
cpu_since() { awk -v a="$1" -v b="$(ticks)" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", (b - a) / hz }'; }
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$FOUD_PID/status"; }
# Devices of ours in A: named PREFIXn, or renamed on their way out (reap.c).
devs() { na ip -o link show | grep -c -E ": ($1[0-9]+|fouddel[0-9a-f]+)[:@]"; }
wait_gone() { # wait_gone PREFIX: seconds until none is left (bounded 120 s), or "never"
	local t0 i
	t0=$(now)
	for ((i = 0; i < 1200; i++)); do
		[ "$(devs "$1")" = 0 ] && { since "$t0"; return; }
		sleep 0.1
	done
	echo never
}

start_foud() { # start_foud [foud options]
	ip netns exec "$NSA" "$FOUD" -f -S "$TMP/a.sock" "$@" 2>>"$TMP/foud.log" &
	FOUD_PID=$!
	for _ in $(seq 100); do [ -S "$TMP/a.sock" ] && return 0; sleep 0.1; done
	die "foud did not start: $(tail -3 "$TMP/foud.log")"
}
stop_foud() {
	[ -n "$FOUD_PID" ] || return 0
	kill -TERM "$FOUD_PID" 2>/dev/null
	wait "$FOUD_PID" 2>/dev/null
	FOUD_PID=''
}

setup() {
	[ "$(id -u)" = 0 ] || die "run as root"
	{ [ -x "$FOUD" ] && [ -x "$FOUCTL" ]; } || die "build foud and fouctl first (make B=$B all)"
	ip netns add "$NSA" && ip netns add "$NSB" || die "cannot create namespaces"
	ip link add va netns "$NSA" type veth peer name vb netns "$NSB" || die "cannot create the veth"
	na ip link set lo up; nb ip link set lo up
	na ip addr add $A4/24 dev va; nb ip addr add $B4/24 dev vb
	na ip link set va up; nb ip link set vb up
	[ "${SCALE_IPV6:-0}" = 1 ] || na sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	for ((i = 1; i <= N; i++)); do
		echo "link add name s$i type gre remote $B4 local $A4 key $i datapath userspace"
	done >"$TMP/l3-add"
	for ((i = 1; i <= N; i++)); do echo "link set s$i up"; done >"$TMP/l3-up"
	for ((i = 1; i <= N; i++)); do echo "link del s$i"; done >"$TMP/l3-del"
	for ((i = 1; i <= M; i++)); do
		echo "link add name x$i type vxlan id $i remote $B4 local $A4 dstport 4789"
		for ((j = 1; j <= F; j++)); do
			printf 'fdb add 02:%02x:%02x:00:%02x:%02x dev x%d dst %s\n' \
				$((i >> 8)) $((i & 255)) $((j >> 8)) $((j & 255)) "$i" "$B4"
		done
	done >"$TMP/l2-add"
	for ((i = 1; i <= M; i++)); do echo "link del x$i"; done >"$TMP/l2-del"
}

# B sends P keyed GRE packets, key k = 1 + (i mod N), each an IPv4/UDP inner packet.
send_gre() { nb python3 "$ROOT/tests/tools/inject.py" grekeys "$B4" "$A4" "$N" "$P"; }
# What foud wrote into the tunnels, as their kernel counters say (link show -s of 10 000
# devices is more than one control reply holds).
rx_total() { na sh -c 'cat /sys/class/net/s*/statistics/rx_packets' | awk '{ n += $1 } END { print n + 0 }'; }
# Polls until P packets are counted, or none more for 3 s; the rate is up to the last one counted.
wait_rx() { # wait_rx T0
	local n=0 last=-1 t_last=$1 quiet=0
	while [ "$n" -lt "$P" ] && [ "$quiet" -lt 6 ]; do
		sleep 0.5
		n=$(rx_total)
		if [ "$n" != "$last" ]; then last=$n t_last=$(now) quiet=0; else quiet=$((quiet + 1)); fi
	done
	L3_RX=$n
	L3_RXWALL=$(awk -v a="$1" -v b="$t_last" 'BEGIN { printf "%.2f", b - a }')
}

# batch FILE WHAT: one fouctl -b of FILE; BATCH_S, BATCH_CPU: its wall and foud's CPU seconds.
batch() {
	local t0 c0
	t0=$(now); c0=$(ticks)
	fa -b "$1" >"$TMP/out" 2>&1 || die "$2 failed: $(tail -1 "$TMP/out")"
	BATCH_S=$(since "$t0") BATCH_CPU=$(cpu_since "$c0")
}

# del_all FILE PREFIX WHAT: batch, then GONE: the seconds until no device of PREFIX is left.
del_all() {
	batch "$1" "$3"
	GONE=$(wait_gone "$2")
	log "scale: $3: $BATCH_S s (foud CPU $BATCH_CPU s), all gone $GONE s later"
	stop_foud
}

# Starts foud with -c FILE; CONF_S: the seconds until it answers, which it does once the file is applied.
conf_time() {
	local t0
	t0=$(now)
	start_foud -c "$1"
	fa -j link show >/dev/null 2>&1
	CONF_S=$(since "$t0")
}

l3() {
	local t0 n
	start_foud
	batch "$TMP/l3-add" "adding the tunnels"; L3_ADD=$BATCH_S L3_ADD_CPU=$BATCH_CPU
	n=$(devs s); [ "$n" = "$N" ] || die "$n of $N tunnel devices exist after the batch"
	L3_RSS=$(rss)
	log "scale: $N tunnels added in $L3_ADD s (foud CPU $L3_ADD_CPU s), VmRSS $L3_RSS KiB"
	na ip -b "$TMP/l3-up" || die "cannot bring the tunnels up"
	local rx0; rx0=$(rx_total)
	[ "$rx0" = 0 ] || die "the tunnels counted $rx0 packets before any was sent"
	t0=$(now)
	L3_SEND=$(send_gre) || die "sending from B failed"
	wait_rx "$t0"
	L3_RATE=$(awk -v p="$L3_RX" -v s="$L3_RXWALL" 'BEGIN { printf "%.0f", p / s }')
	log "scale: $L3_RX of $P packets reached their tunnels in $L3_RXWALL s ($L3_RATE/s; B's sender took $L3_SEND s)"
	del_all "$TMP/l3-del" s "deleting $N tunnels"
	L3_DEL=$BATCH_S L3_DEL_CPU=$BATCH_CPU L3_GONE=$GONE
	# The same tunnels from the configuration file at start.
	conf_time "$TMP/l3-add"; L3_CONF=$CONF_S
	n=$(devs s); [ "$n" = "$N" ] || die "$n of $N tunnel devices exist after foud -c"
	log "scale: foud -c with $N tunnels answered after $L3_CONF s"
	fa -b "$TMP/l3-del" >/dev/null 2>&1
	wait_gone s >/dev/null
	stop_foud
}

l2() {
	local n
	start_foud
	batch "$TMP/l2-add" "adding the L2 devices"; L2_ADD=$BATCH_S L2_ADD_CPU=$BATCH_CPU
	n=$(devs x); [ "$n" = "$M" ] || die "$n of $M VXLAN devices exist after the batch"
	L2_FDB=$(fa -j fdb show | jq '[.[] | select(.mac | test("^02:"))] | length')
	L2_RSS=$(rss)
	log "scale: $M VXLAN devices, $L2_FDB FDB entries added in $L2_ADD s (foud CPU $L2_ADD_CPU s), VmRSS $L2_RSS KiB"
	del_all "$TMP/l2-del" x "deleting $M VXLAN devices"
	L2_DEL=$BATCH_S L2_DEL_CPU=$BATCH_CPU L2_GONE=$GONE
	# The same from the configuration file at start: no control round trip per line.
	conf_time "$TMP/l2-add"; L2_CONF=$CONF_S
	n=$(fa -j fdb show | jq '[.[] | select(.mac | test("^02:"))] | length')
	[ "$n" = "$L2_FDB" ] || die "$n of $L2_FDB FDB entries after foud -c"
	log "scale: foud -c with $M VXLAN devices and $n FDB entries answered after $L2_CONF s"
	fa -b "$TMP/l2-del" >/dev/null 2>&1
	wait_gone x >/dev/null
	stop_foud
}

setup
log "scale: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), kernel $(uname -r), IPv6 on the devices: ${SCALE_IPV6:-0}"
l3
l2
printf '%s\n' \
	"| what | wall s | foud CPU s | VmRSS KiB |" \
	"|---|---|---|---|" \
	"| add $N GRE tunnels (fouctl -b) | $L3_ADD | $L3_ADD_CPU | $L3_RSS |" \
	"| add them by foud -c at start | $L3_CONF | | |" \
	"| receive $P packets over them ($L3_RX counted) | $L3_RXWALL ($L3_RATE/s) | | |" \
	"| delete them (fouctl -b; all gone $L3_GONE s later) | $L3_DEL | $L3_DEL_CPU | |" \
	"| add $M VXLAN devices + $L2_FDB FDB entries (fouctl -b) | $L2_ADD | $L2_ADD_CPU | $L2_RSS |" \
	"| add them by foud -c at start | $L2_CONF | | |" \
	"| delete them (fouctl -b; all gone $L2_GONE s later) | $L2_DEL | $L2_DEL_CPU | |"
