#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make bench: foud's tunnels measured side by side with the kernel, in one run,
# over one veth between two network namespaces (hosts A 192.0.2.1, B 192.0.2.2):
#
#   plain veth | kernel VXLAN | TUN ceiling (bench/tunfwd.c) | no-work relay (bench/relay.c) |
#   foud BPF IPIP/FOU | foud BPF IPIP/GUE | foud BPF GRE/FOU | foud BPF VXLAN | foud BPF GRE-TAP
#   (the kernel data path)
#   foud IPIP/FOU | foud IPIP/GUE | foud GRE/FOU | foud TOU | foud VXLAN (the userspace path)
#   foud TOU with remcsum (RCO), TOU/DTLS (PSK), and the three over IPv6, beside plain TCP over
#   the same veth over IPv6 (the TOU rows' ratios are to plain veth of their family; each TOU peer's
#   MTU is on its route, so the DTLS peer narrows only its own rows)
#   foud IPIP, SIT and GRE over FOU with and without the outer UDP checksum (encap-csum),
#   foud STT (nogso, the default, and gso), and foud IPIP/FOU with BENCH_TUNNELS other tunnels
#   configured in both fouds
#
# For each path: iperf3 TCP 1 stream, 4 streams and reverse (median of
# BENCH_RUNS runs of BENCH_SECONDS s, retransmits), sockperf TCP ping-pong
# (RTT p50/p99; over IPv6 bench/rr.c, the same ping-pong, as sockperf 3.7
# takes no IPv6 address), iperf3 UDP 64-byte datagrams at a fixed offered rate
# (receiver rate, loss), CPU per Gbit/s of the whole machine (/proc/stat) and
# of the tunnel process (foud or tunfwd, /proc/PID/stat); foud's VmRSS idle,
# under load and with BENCH_TUNNELS tunnels. Prints a table, writes
# bench/results/latest.{json,txt,png}.
#
# It reports, it never judges: no threshold on any number. It fails (exit 1)
# only if a path does not carry traffic at all, or if it cannot set up.
#
# Environment: B (build dir, default build), BENCH_RUNS (3), BENCH_SECONDS (5),
# BENCH_UDP_RATE (iperf3 -b for the 64-byte test, default 50M), BENCH_TUNNELS
# (10000: in the memory figures, and configured beside the "+N" row), BENCH_OUT (results dir,
# default bench/results), BENCH_ONLY (a regex
# of path ids to measure, e.g. 'veth|bfou'; the kernel VXLAN, the reference of
# every ratio, is always measured, and plain veth with a TOU row), BENCH_RPS=1 (RPS steering on the veth's
# receive queue in both namespaces, all CPUs), BENCH_PIN=1 (iperf3 client on
# CPU 0, server on CPU 1; by default the scheduler places them),
# BENCH_FOUD_OPTS (options of both foud processes, e.g. '-O').
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
case $B in /*) BD=$B ;; *) BD=$ROOT/$B ;; esac
FOUD=$BD/foud FOUCTL=$BD/fouctl TUNFWD=$BD/tunfwd RELAY=$BD/relay RR=$BD/rr
RUNS=${BENCH_RUNS:-3}
PIN=${BENCH_PIN:-0}
[ "$(nproc)" -ge 2 ] || PIN=0
SECS=${BENCH_SECONDS:-5}
UDP_RATE=${BENCH_UDP_RATE:-50M}
NTUN=${BENCH_TUNNELS:-10000}
OUT=${BENCH_OUT:-$ROOT/bench/results}
NSA=foud-bench-$$-a NSB=foud-bench-$$-b
A4=192.0.2.1 B4=192.0.2.2
IPERF_PORT=5201 SOCKPERF_PORT=11111 RR_PORT=11112
TOU_MARK=0x746f75
HZ=$(getconf CLK_TCK)
TMP=$(mktemp -d /tmp/foud-bench.XXXXXX)
PIDS=()     # every background process this script started
CUR=''      # the client being waited for
FOUD_A='' FOUD_B='' FOUD_C='' FOUD_D='' TUNFWD_PID='' RELAY_PID=''

log() { printf '%s\n' "$*" >&2; }
die() { log "bench: $*"; exit 1; }
na() { ip netns exec "$NSA" "$@"; }
nb() { ip netns exec "$NSB" "$@"; }
fa() { "$FOUCTL" -S "$TMP/a.sock" "$@"; }
fb() { "$FOUCTL" -S "$TMP/b.sock" "$@"; }

# shellcheck disable=SC2317  # reached through the EXIT trap
cleanup() {
	local p ns
	trap - EXIT INT TERM
	[ -n "$CUR" ] && kill "$CUR" 2>/dev/null
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do
		for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	# Anything still inside our own namespaces was started by us.
	for ns in "$NSA" "$NSB"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'log "bench: interrupted"; exit 130' INT TERM

# spawn NAME CMD...: starts CMD in the background, output to $TMP/NAME.log; the pid is in $BG.
spawn() {
	local name=$1; shift
	"$@" >"$TMP/$name.log" 2>&1 &
	BG=$!
	PIDS+=("$BG")
}
# bounded SECONDS OUT ERR CMD...: runs CMD bounded in time, stdout to file OUT,
# stderr to file ERR (or to OUT if ERR is "-"), in the background so that a
# signal is handled at once (and the trap writes to our own stderr, not to
# ERR); returns its status.
bounded() {
	local t=$1 out=$2 err=$3 rc
	shift 3
	if [ "$err" = - ]; then timeout -k 5 "$t" "$@" >"$out" 2>&1 &
	else timeout -k 5 "$t" "$@" >"$out" 2>"$err" &
	fi
	CUR=$!
	wait "$CUR"; rc=$?
	CUR=''
	return $rc
}
stop() { # stop PID: TERM, then KILL after a second
	kill -TERM "$1" 2>/dev/null
	for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# ---------------------------------------------------------------- packages
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
ensure_packages() {
	local want=() p
	SOCKPERF_WHY=
	for p in iperf3 jq gnuplot-nox iproute2 iputils-ping; do installed "$p" || want+=("$p"); done
	if ! installed sockperf; then
		if apt-cache policy sockperf 2>/dev/null | grep -q 'Candidate: [0-9]'; then
			want+=(sockperf)
		else
			SOCKPERF_WHY="no sockperf package in this Debian's archive (apt-cache policy sockperf has no candidate)"
		fi
	fi
	[ ${#want[@]} -eq 0 ] && return 0
	[ "$(id -u)" = 0 ] || die "run as root to install: ${want[*]}"
	log "bench: installing ${want[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq --no-install-recommends "${want[@]}" >"$TMP/apt.log" 2>&1 ||
		{ apt-get update -qq >>"$TMP/apt.log" 2>&1 &&
		  apt-get install -y -qq --no-install-recommends "${want[@]}" >>"$TMP/apt.log" 2>&1; } ||
		log "bench: apt-get install failed (see below); going on with what is there" "$(tail -5 "$TMP/apt.log")"
	if ! command -v iperf3 >/dev/null || ! command -v jq >/dev/null; then die "iperf3 and jq are needed"; fi
	if [ -z "$SOCKPERF_WHY" ] && ! command -v sockperf >/dev/null; then
		SOCKPERF_WHY="sockperf could not be installed (apt-get install sockperf failed)"
	fi
}

# ---------------------------------------------------------------- CPU, memory
# Busy jiffies of the whole machine: user+nice+system+irq+softirq.
machine_busy() {
	local _c u n s _i _w irq sirq
	read -r _c u n s _i _w irq sirq _ </proc/stat
	echo $((u + n + s + irq + sirq))
}
proc_ticks() { # utime+stime of PID (all its threads)
	local st fields
	st=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	st=${st##*) }
	read -r -a fields <<<"$st"
	echo $((fields[11] + fields[12]))
}
rss_kb() { awk -v k="${2:-VmRSS}:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# ---------------------------------------------------------------- setup
setup_underlay() {
	if ! ip netns add "$NSA" || ! ip netns add "$NSB"; then die "cannot create namespaces"; fi
	ip link add va netns "$NSA" type veth peer name vb netns "$NSB" || die "cannot create the veth"
	na ip link set lo up; nb ip link set lo up
	# Secondary addresses: two IPIP tunnels between the same pair of
	# addresses would be the same tunnel (found by outer addresses).
	na ip addr add $A4/24 dev va; nb ip addr add $B4/24 dev vb
	na ip addr add 192.0.2.11/24 dev va; nb ip addr add 192.0.2.12/24 dev vb
	na ip addr add 192.0.2.21/24 dev va; nb ip addr add 192.0.2.22/24 dev vb
	# And for the BPF data path's three tunnels.
	for i in 3 4 5; do na ip addr add 192.0.2.${i}1/24 dev va; nb ip addr add 192.0.2.${i}2/24 dev vb; done
	na ip addr add 192.0.2.61/24 dev va; nb ip addr add 192.0.2.62/24 dev vb	# TOU
	na ip addr add 192.0.2.63/24 dev va; nb ip addr add 192.0.2.64/24 dev vb	# TOU+RCO
	# Plain IPv6 over the veth, TOU and TOU+RCO over IPv6 (no DAD: usable at once).
	# Plain has a prefix of its own: the kernel would pick a TOU peer's address
	# as its source, and the answer would go back through tou0.
	na ip addr add fd00:b1::1/64 dev va nodad; nb ip addr add fd00:b1::2/64 dev vb nodad
	for i in 61 63 141; do na ip addr add fd00:b0::$i/64 dev va nodad; nb ip addr add fd00:b0::$((i + 1))/64 dev vb nodad; done
	na ip addr add 192.0.2.71/24 dev va; nb ip addr add 192.0.2.72/24 dev vb	# relay
	na ip addr add 192.0.2.141/24 dev va; nb ip addr add 192.0.2.142/24 dev vb	# TOU/DTLS
	# The FOU comparisons, STT, and the tunnel among BENCH_TUNNELS others.
	for i in 8 9 10 11 12 13 15; do na ip addr add 192.0.2.${i}1/24 dev va; nb ip addr add 192.0.2.${i}2/24 dev vb; done
	na ip link set va up; nb ip link set vb up
	if [ "${BENCH_RPS:-0}" = 1 ]; then
		local mask
		mask=$(printf '%x' $(((1 << $(nproc)) - 1)))
		na sh -c "echo $mask >/sys/class/net/va/queues/rx-0/rps_cpus" &&
		nb sh -c "echo $mask >/sys/class/net/vb/queues/rx-0/rps_cpus" || die "cannot set rps_cpus"
	fi
}

# dev_up ns DEV ADDR/len: address, IPv6 off, up
dev_up() {
	ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" 2>/dev/null
	ip netns exec "$1" ip addr add "$3" dev "$2" && ip netns exec "$1" ip link set "$2" up
}

start_foud() { # start_foud a|b|c|d (c in A and d in B: the fouds with BENCH_TUNNELS tunnels)
	local ns=$NSA; case $1 in b | d) ns=$NSB ;; esac
	# shellcheck disable=SC2086  # BENCH_FOUD_OPTS is words
	spawn "foud-$1" ip netns exec "$ns" "$FOUD" -f -S "$TMP/$1.sock" ${BENCH_FOUD_OPTS:-}
	for _ in $(seq 50); do [ -S "$TMP/$1.sock" ] && break; sleep 0.1; done
	[ -S "$TMP/$1.sock" ] || { cat "$TMP/foud-$1.log" >&2; die "foud ($1) did not start"; }
	case $1 in a) FOUD_A=$BG ;; b) FOUD_B=$BG ;; c) FOUD_C=$BG ;; d) FOUD_D=$BG ;; esac
}

# Paths: id, label, destination in B, MTU; status ok|failed|n/a and a note.
declare -A LABEL DST STATUS NOTE MTU PROCS DEVS
declare -A PORT=([fou]=5555 [gue]=6080 [grefou]=5556 [bfou]=5565 [bgue]=6090 [bgrefou]=5566 [tou]=6091 [toudtls]=6092
	[fouc]=5555 [sitfou]=5557 [sitfouc]=5557 [grefouc]=5556 [fou10k]=5575)
ORDER=(veth veth6 vxlan tunfwd relay bfou bgue bgrefou fou gue grefou tou tourco tou6 tourco6 toudtls toudtls6
	bfoudvx bfoudgt foudvx
	fouc sitfou sitfouc grefouc sttplain stt fou10k)
if [ -n "${BENCH_ONLY:-}" ]; then
	_all=("${ORDER[@]}") ORDER=()
	# Plain veth too when a TOU row is wanted: the reference of the TOU ratios.
	_veth=no
	for _id in "${_all[@]}"; do [[ $_id = tou* && $_id =~ ^($BENCH_ONLY)$ ]] && _veth=yes; done
	for _id in "${_all[@]}"; do
		[[ $_id = vxlan || $_id =~ ^($BENCH_ONLY)$ || ($_veth = yes && $_id = veth*) ]] && ORDER+=("$_id")
	done
fi
path() { # path ID "LABEL" DST
	LABEL[$1]=$2 DST[$1]=$3 STATUS[$1]=ok NOTE[$1]='' PROCS[$1]='' DEVS[$1]=''
}
path_fail() { STATUS[$1]=$2 NOTE[$1]=$3; log "bench: ${LABEL[$1]}: $3"; }
wanted() { [[ " ${ORDER[*]} " = *" $1 "* ]]; }

setup_paths() {
	local out
	path veth "plain veth" $B4
	path veth6 "plain veth IPv6" fd00:b1::2
	path vxlan "kernel VXLAN" 10.42.0.2
	if na ip link add vx0 type vxlan id 42 dstport 4789 remote $B4 local $A4 dev va 2>"$TMP/err" &&
	   nb ip link add vx0 type vxlan id 42 dstport 4789 remote $A4 local $B4 dev vb 2>>"$TMP/err"; then
		na ip link set vx0 mtu 1450; nb ip link set vx0 mtu 1450
		dev_up "$NSA" vx0 10.42.0.1/24; dev_up "$NSB" vx0 10.42.0.2/24
	else
		path_fail vxlan failed "cannot create: $(head -1 "$TMP/err")"
	fi

	path tunfwd "TUN ceiling (tunfwd)" 10.9.0.2
	PROCS[tunfwd]=tunfwd
	spawn tunfwd "$TUNFWD" "/run/netns/$NSA" tfa "/run/netns/$NSB" tfb
	TUNFWD_PID=$BG
	for _ in $(seq 50); do grep -q ready "$TMP/tunfwd.log" && break; sleep 0.1; done
	if grep -q ready "$TMP/tunfwd.log"; then
		# Same MTU as IPIP over FOU, the path it is the ceiling of; foud's txqueuelen.
		na ip link set tfa mtu 1472 txqueuelen 1000; nb ip link set tfb mtu 1472 txqueuelen 1000
		dev_up "$NSA" tfa 10.9.0.1/30; dev_up "$NSB" tfb 10.9.0.2/30
	else
		path_fail tunfwd failed "tunfwd did not start: $(head -1 "$TMP/tunfwd.log")"
	fi

	# The fair ceiling of the userspace rows: a tunnel's system calls, no work.
	path relay "no-work relay" 10.70.0.2
	PROCS[relay]=relay
	spawn relay "$RELAY" "/run/netns/$NSA" rla 192.0.2.71 "/run/netns/$NSB" rlb 192.0.2.72 7777
	RELAY_PID=$BG
	for _ in $(seq 50); do grep -q ready "$TMP/relay.log" && break; sleep 0.1; done
	if grep -q ready "$TMP/relay.log"; then
		# IPIP/FOU's MTU less the 10-byte virtio header each datagram carries.
		na ip link set rla mtu 1462 txqueuelen 1000; nb ip link set rlb mtu 1462 txqueuelen 1000
		# As foud sizes its devices (foud_uso_gso_max_size()): one super-packet, one UDP GSO send.
		na ip link set rla gso_max_size 61481 2>/dev/null; nb ip link set rlb gso_max_size 61481 2>/dev/null
		dev_up "$NSA" rla 10.70.0.1/30; dev_up "$NSB" rlb 10.70.0.2/30
	else
		path_fail relay failed "relay did not start: $(head -1 "$TMP/relay.log")"
	fi

	start_foud a; start_foud b
	# foud IPIP over FOU
	path fou "foud IPIP/FOU" 10.1.0.2; PROCS[fou]=foud DEVS[fou]=fbt1
	if fa fou add port 5555 ipproto 4 && fb fou add port 5555 ipproto 4 &&
	   fa link add name fbt1 type ipip remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555 datapath userspace &&
	   fb link add name fbt1 type ipip remote $A4 local $B4 encap fou encap-sport auto encap-dport 5555 datapath userspace; then
		dev_up "$NSA" fbt1 10.1.0.1/30; dev_up "$NSB" fbt1 10.1.0.2/30
	else
		path_fail fou failed "fouctl refused the configuration"
	fi
	# foud IPIP over GUE
	path gue "foud IPIP/GUE" 10.2.0.2; PROCS[gue]=foud DEVS[gue]=fbg1
	if fa fou add port 6080 gue && fb fou add port 6080 gue &&
	   fa link add name fbg1 type ipip remote 192.0.2.12 local 192.0.2.11 encap gue encap-sport auto encap-dport 6080 datapath userspace &&
	   fb link add name fbg1 type ipip remote 192.0.2.11 local 192.0.2.12 encap gue encap-sport auto encap-dport 6080 datapath userspace; then
		dev_up "$NSA" fbg1 10.2.0.1/30; dev_up "$NSB" fbg1 10.2.0.2/30
	else
		path_fail gue failed "fouctl refused the configuration"
	fi
	# foud GRE over FOU
	path grefou "foud GRE/FOU" 10.3.0.2; PROCS[grefou]=foud DEVS[grefou]=fbr1
	if fa fou add port 5556 ipproto 47 && fb fou add port 5556 ipproto 47 &&
	   fa link add name fbr1 type gre remote 192.0.2.22 local 192.0.2.21 encap fou encap-sport auto encap-dport 5556 datapath userspace &&
	   fb link add name fbr1 type gre remote 192.0.2.21 local 192.0.2.22 encap fou encap-sport auto encap-dport 5556 datapath userspace; then
		dev_up "$NSA" fbr1 10.3.0.1/30; dev_up "$NSB" fbr1 10.3.0.2/30
	else
		path_fail grefou failed "fouctl refused the configuration"
	fi
	# The same three on foud's BPF data path (TC programs in the kernel), on
	# ports of their own: their ports receive without UDP GRO (daemon/bpf/bpf.c).
	local spec id kind enc port x pw
	for spec in "bfou ipip fou 5565 3 ipproto 4" "bgue ipip gue 6090 4 gue" "bgrefou gre fou 5566 5 ipproto 47"; do
		read -r id kind enc port x pw <<<"$spec"
		path "$id" "foud BPF ${kind^^}/${enc^^}" 10.$((x + 40)).0.2; PROCS[$id]=foud DEVS[$id]=fbb$x
		# shellcheck disable=SC2086
		if fa fou add port $port $pw && fb fou add port $port $pw &&
		   fa link add name fbb$x type $kind remote 192.0.2.${x}2 local 192.0.2.${x}1 encap $enc encap-sport auto encap-dport $port datapath bpf &&
		   fb link add name fbb$x type $kind remote 192.0.2.${x}1 local 192.0.2.${x}2 encap $enc encap-sport auto encap-dport $port datapath bpf; then
			dev_up "$NSA" fbb$x 10.$((x + 40)).0.1/30; dev_up "$NSB" fbb$x 10.$((x + 40)).0.2/30
		else
			path_fail "$id" failed "datapath bpf refused (see fouctl's message in the log)"
		fi
	done
	# foud TOU: TCP in GUE, no inner IP header. tou-run would mark one program's
	# sockets; here a rule sends every TCP socket to the peer's address through
	# the TOU table instead, so the bench's servers need no wrapper. foud's data
	# path is the same. UDP is not TOU's: the 64-byte UDP test does not apply.
	# Six peers, one address each: plain, remcsum and DTLS (PSK, its own port), IPv4 and IPv6.
	(umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$TMP/psk"; echo >>"$TMP/psk")
	tou_row tou "foud TOU (TCP/GUE)" 192.0.2.61 192.0.2.62
	tou_row tourco "foud TOU+RCO" 192.0.2.63 192.0.2.64 remcsum
	tou_row tou6 "foud TOU IPv6" fd00:b0::61 fd00:b0::62
	tou_row tourco6 "foud TOU+RCO IPv6" fd00:b0::63 fd00:b0::64 remcsum
	tou_row toudtls "foud TOU/DTLS (PSK)" 192.0.2.141 192.0.2.142 port 6092 dtls psk "$TMP/psk"
	tou_row toudtls6 "foud TOU/DTLS IPv6" fd00:b0::141 fd00:b0::142 port 6092 dtls psk "$TMP/psk"
	dtls_up toudtls toudtls6
	# foud VXLAN on the BPF path: noudpcsum (with udpcsum, foud's default, it is the userspace row).
	path bfoudvx "foud BPF VXLAN" 10.5.0.2; PROCS[bfoudvx]=foud DEVS[bfoudvx]=fbxb
	if fa link add name fbxb type vxlan id 44 dstport 4791 remote $B4 local $A4 noudpcsum \
		datapath bpf >/dev/null 2>&1 &&
	   fb link add name fbxb type vxlan id 44 dstport 4791 remote $A4 local $B4 noudpcsum \
		datapath bpf >/dev/null 2>&1; then
		dev_up "$NSA" fbxb 10.5.0.1/24; dev_up "$NSB" fbxb 10.5.0.2/24
	else
		path_fail bfoudvx failed "fouctl refused datapath bpf (see foud's log)"
	fi
	# foud GRE-TAP on the BPF path (key 46): GRE over the veth, no UDP.
	path bfoudgt "foud BPF GRE-TAP" 10.6.0.2; PROCS[bfoudgt]=foud DEVS[bfoudgt]=fbgt
	if fa link add name fbgt type gretap key 46 remote $B4 local $A4 datapath bpf >/dev/null 2>&1 &&
	   fb link add name fbgt type gretap key 46 remote $A4 local $B4 datapath bpf >/dev/null 2>&1; then
		dev_up "$NSA" fbgt 10.6.0.1/24; dev_up "$NSB" fbgt 10.6.0.2/24
	else
		path_fail bfoudgt failed "fouctl refused datapath bpf (see foud's log)"
	fi
	# foud VXLAN: measured as soon as fouctl accepts the kernel's words for it.
	path foudvx "foud VXLAN" 10.4.0.2; PROCS[foudvx]=foud DEVS[foudvx]=fbx1
	if out=$(fa link add name fbx1 type vxlan id 43 dstport 4790 remote $B4 local $A4 2>&1) &&
	   fb link add name fbx1 type vxlan id 43 dstport 4790 remote $A4 local $B4 >/dev/null 2>&1; then
		dev_up "$NSA" fbx1 10.4.0.1/24; dev_up "$NSB" fbx1 10.4.0.2/24
	else
		STATUS[foudvx]=n/a NOTE[foudvx]="not implemented"
		case $out in *invalid*vxlan*) ;; *) NOTE[foudvx]="not implemented (fouctl: ${out:-refused})" ;; esac
	fi

	setup_fou_pairs
	setup_stt
	wanted fou10k && setup_fou10k

	local id
	for id in "${ORDER[@]}"; do
		[ "${STATUS[$id]}" = ok ] || continue
		MTU[$id]=$(mtu_of "$id")
	done
}
# tou_row ID LABEL ADDR_A ADDR_B [WORDS...]: a TOU peer each way (port 6091 unless WORDS say),
# TCP to ADDR_B through tou0. Each peer's MTU is on its route (the MTU column).
tou_row() {
	local id=$1 lbl=$2 a=$3 b=$4 v=-4
	shift 4
	path "$id" "$lbl" "$b"; PROCS[$id]=foud DEVS[$id]=tou0
	case $a in *:*) v=-6 ;; esac
	wanted "$id" || { STATUS[$id]=n/a NOTE[$id]="not in BENCH_ONLY"; return; }
	[ "${1:-}" = port ] || set -- port 6091 "$@"
	if fa tou add peer "$b" local "$a" "$@" &&
	   fb tou add peer "$a" local "$b" "$@" &&
	   na ip $v rule add to "$b" ipproto tcp lookup 7630709 priority 999 &&
	   nb ip $v rule add to "$a" ipproto tcp lookup 7630709 priority 999; then :
	else
		path_fail "$id" failed "fouctl or ip rule refused the configuration"
	fi
}

# dtls_up ID...: each DTLS row's session established (at most 5 s), else the row fails.
dtls_up() {
	local id
	for id in "$@"; do
		[ "${STATUS[$id]}" = ok ] || continue
		for _ in $(seq 50); do
			fa -j tou show | jq -e ".peers[] | select(.peer == \"${DST[$id]}\") | .dtls.state == \"established\"" \
				>/dev/null && continue 2
			sleep 0.1
		done
		path_fail "$id" failed "no DTLS session: $(fa tou show | grep dtls-error | head -1)"
	done
}


# The first FOU measurements' comparison: IPIP, SIT (IPv6 inside) and GRE over FOU, with and
# without the outer UDP checksum (encap-csum), on the userspace path as the other foud rows.
setup_fou_pairs() {
	local spec id kind csum x port lbl dst in_a in_b
	fa fou add port 5557 ipproto 41 && fb fou add port 5557 ipproto 41 || true
	for spec in "fouc ipip encap-csum 8 5555" "sitfou sit noencap-csum 9 5557" \
		    "sitfouc sit encap-csum 10 5557" "grefouc gre encap-csum 11 5556"; do
		read -r id kind csum x port <<<"$spec"
		lbl=''; [ "$csum" = encap-csum ] && lbl=' csum'
		if [ "$kind" = sit ]; then
			in_a=fd00:$x::1/64 in_b=fd00:$x::2/64 dst=fd00:$x::2
		else
			in_a=10.$((x + 50)).0.1/30 in_b=10.$((x + 50)).0.2/30 dst=10.$((x + 50)).0.2
		fi
		path "$id" "foud ${kind^^}/FOU$lbl" "$dst"; PROCS[$id]=foud DEVS[$id]=fbc$x
		if fa link add name fbc$x type $kind remote 192.0.2.${x}2 local 192.0.2.${x}1 encap fou \
			encap-sport auto encap-dport $port $csum datapath userspace &&
		   fb link add name fbc$x type $kind remote 192.0.2.${x}1 local 192.0.2.${x}2 encap fou \
			encap-sport auto encap-dport $port $csum datapath userspace; then
			dev_up6 "$NSA" fbc$x "$in_a"; dev_up6 "$NSB" fbc$x "$in_b"
		else
			path_fail "$id" failed "fouctl refused the configuration"
		fi
	done
}
# dev_up for an inner IPv6 address too (SIT): IPv6 stays on, no DAD.
dev_up6() {
	case $3 in
	*:*) ip netns exec "$1" ip addr add "$3" dev "$2" nodad && ip netns exec "$1" ip link set "$2" up ;;
	*) dev_up "$@" ;;
	esac
}

# stt_row ID LABEL DEV NET HOST WORD: an STT pair on 192.0.2.HOST1/HOST2, NET.1 and NET.2 inside.
stt_row() {
	path "$1" "$2" "$4.2"; PROCS[$1]=foud DEVS[$1]=$3
	if fa link add name "$3" type stt key 0x5354 remote "192.0.2.${5}2" local "192.0.2.${5}1" "$6" &&
	   fb link add name "$3" type stt key 0x5354 remote "192.0.2.${5}1" local "192.0.2.${5}2" "$6"; then
		dev_up "$NSA" "$3" "$4.1/24"; dev_up "$NSB" "$3" "$4.2/24"
	else
		path_fail "$1" failed "fouctl refused the configuration"
	fi
}

# STT's default (nogso: foud cuts the segments, sent on a raw socket) beside gso (AF_PACKET, the kernel's TSO).
setup_stt() {
	stt_row sttplain "foud STT" fbs2 10.64.0 15 nogso
	stt_row stt "foud STT (gso)" fbs1 10.62.0 12 gso
}

# IPIP/FOU between two fouds of their own (c in A, d in B), each with BENCH_TUNNELS other
# tunnels (distinct remotes, none reachable) added first: what their number costs a packet.
setup_fou10k() {
	local i h
	path fou10k "foud IPIP/FOU +$NTUN" 10.63.0.2; PROCS[fou10k]=foud10k DEVS[fou10k]=fbm1
	for ((i = 0; i < NTUN; i++)); do
		echo "link add name bn$i type ipip remote 198.19.$((i / 250)).$((i % 250 + 1)) local 192.0.2.131 encap fou encap-sport auto encap-dport 5575 datapath userspace"
		echo "link del bn$i" >>"$TMP/tenk-del"
	done >"$TMP/tenk"
	for h in c d; do
		start_foud $h
		"$FOUCTL" -S "$TMP/$h.sock" fou add port 5575 ipproto 4 &&
		bounded 300 "$TMP/tenk-$h.log" - "$FOUCTL" -S "$TMP/$h.sock" -b "$TMP/tenk" ||
			{ path_fail fou10k failed "adding $NTUN tunnels to foud $h failed: $(tail -1 "$TMP/tenk-$h.log")"; return; }
	done
	if "$FOUCTL" -S "$TMP/c.sock" link add name fbm1 type ipip remote 192.0.2.132 local 192.0.2.131 encap fou \
		encap-sport auto encap-dport 5575 datapath userspace &&
	   "$FOUCTL" -S "$TMP/d.sock" link add name fbm1 type ipip remote 192.0.2.131 local 192.0.2.132 encap fou \
		encap-sport auto encap-dport 5575 datapath userspace; then
		dev_up "$NSA" fbm1 10.63.0.1/30; dev_up "$NSB" fbm1 10.63.0.2/30
	else
		path_fail fou10k failed "fouctl refused the configuration"
	fi
}
mtu_of() { # the MTU of the device that routes to DST[id] in A
	local dev
	# A TOU peer's MTU is on its route (locked for IPv6: "mtu lock N").
	case $1 in tou*) na ip route get "${DST[$1]}" mark $TOU_MARK | sed -n 's/.* mtu \(lock \)\{0,1\}\([0-9]*\).*/\2/p'
		return ;; esac
	dev=$(na ip -o route get "${DST[$1]}" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p')
	na cat "/sys/class/net/$dev/mtu" 2>/dev/null || echo "?"
}

# Every working path must answer ping; one that does not is marked failed.
check_paths() {
	local id ok
	for id in "${ORDER[@]}"; do
		[ "${STATUS[$id]}" = ok ] || continue
		ok=0
		for _ in 1 2 3 4 5; do na ping -c 1 -W 1 -q "${DST[$id]}" >/dev/null 2>&1 && { ok=1; break; }; done
		[ $ok = 1 ] || path_fail "$id" failed "no ping reply from ${DST[$id]}"
	done
}

start_servers() {
	spawn iperf3-srv ip netns exec "$NSB" iperf3 -s -p $IPERF_PORT
	IPERF_SRV=$BG
	if [ -z "$SOCKPERF_WHY" ]; then
		spawn sockperf-srv ip netns exec "$NSB" sockperf sr --tcp -i 0.0.0.0 -p $SOCKPERF_PORT
	fi
	spawn rr-srv ip netns exec "$NSB" "$RR" server $RR_PORT
	for _ in $(seq 30); do nb ss -ltn | grep -q ":$IPERF_PORT " && break; sleep 0.1; done
}
restart_iperf_server() {
	stop "$IPERF_SRV"
	spawn iperf3-srv ip netns exec "$NSB" iperf3 -s -p $IPERF_PORT
	IPERF_SRV=$BG
	for _ in $(seq 30); do nb ss -ltn | grep -q ":$IPERF_PORT " && break; sleep 0.1; done
}

proc_pids() { # the processes doing the tunnel's work for path ID
	case ${PROCS[$1]} in
	foud) echo "$FOUD_A $FOUD_B" ;;
	foud10k) echo "$FOUD_C $FOUD_D" ;;
	tunfwd) echo "$TUNFWD_PID" ;;
	relay) echo "$RELAY_PID" ;;
	esac
}
procs_ticks() {
	local t=0 p
	for p in "$@"; do t=$((t + $(proc_ticks "$p"))); done
	echo $t
}

# ---------------------------------------------------------------- measurements
REC=$TMP/records.jsonl
: >"$REC"

# tcp_run ID TEST RUN: one iperf3 TCP run; appends a record.
tcp_run() {
	local id=$1 test=$2 run=$3 opts=() pids m0 m1 p0 p1 u0 u1 rc sampler=''
	case $test in p1) ;; p4) opts=(-P 4) ;; r) opts=(-R) ;; esac
	# iperf3 3.12 runs all streams in one thread: left to the scheduler, client
	# and server share a CPU in some runs and not in others, and 4 streams
	# swing between two modes (15 and 34 Gbit/s, every path alike).
	[ "$PIN" = 1 ] && opts+=(-A 0,1)
	read -r -a pids <<<"$(proc_pids "$id")"
	# foud's resident memory under load: sampled mid-run, first 4-stream run over IPIP/FOU.
	if [ "$id" = fou ] && [ "$test" = p4 ] && [ "$run" = 1 ] && [ -n "$FOUD_A" ]; then
		( sleep "$(awk -v s="$SECS" 'BEGIN { print s / 2 }')"; rss_kb "$FOUD_A" >"$TMP/rss-load" ) &
		sampler=$!
		PIDS+=("$sampler")
	fi
	u0=$(udp_errors); m0=$(machine_busy); p0=$(procs_ticks "${pids[@]}")
	bounded $((SECS + 30)) "$TMP/iperf.json" "$TMP/iperf.err" \
		ip netns exec "$NSA" iperf3 -c "${DST[$id]}" -p $IPERF_PORT -t "$SECS" -Z -J \
		--connect-timeout 3000 "${opts[@]}"
	rc=$?
	m1=$(machine_busy); p1=$(procs_ticks "${pids[@]}"); u1=$(udp_errors)
	[ -n "$sampler" ] && wait "$sampler"
	if [ $rc != 0 ] || ! jq -e '.end.sum_received.bits_per_second' "$TMP/iperf.json" >/dev/null 2>&1; then
		log "bench: ${LABEL[$id]} $test run $run: iperf3 failed: $(jq -r '.error // empty' "$TMP/iperf.json" 2>/dev/null) $(head -c 200 "$TMP/iperf.err")"
		jq -nc --arg p "$id" --arg t "$test" --argjson r "$run" '{path:$p, test:$t, run:$r, ok:false}' >>"$REC"
		restart_iperf_server
		return 1
	fi
	jq -c --arg p "$id" --arg t "$test" --argjson r "$run" --argjson hz "$HZ" \
		--argjson m "$((m1 - m0))" --argjson pt "$((p1 - p0))" --arg np "${#pids[@]}" --argjson ue "$((u1 - u0))" '
		.end as $e | ($e.sum_received.bytes * 8 / 1e9) as $gbit |
		{path:$p, test:$t, run:$r, ok:true, udp_rcv_errors:$ue,
		 gbps: ($e.sum_received.bits_per_second / 1e9),
		 retr: ($e.sum_sent.retransmits // null),
		 cpu_machine_per_gbps: (if $gbit > 0 then ($m / $hz) / $gbit else null end),
		 cpu_proc_per_gbps: (if $np == "0" then null elif $gbit > 0 then ($pt / $hz) / $gbit else null end)}' \
		"$TMP/iperf.json" >>"$REC"
	printf '  %-22s %-3s run %s: %6.2f Gbit/s, %s retransmits\n' "${LABEL[$id]}" "$test" "$run" \
		"$(tail -1 "$REC" | jq -r .gbps)" "$(tail -1 "$REC" | jq -r '.retr // "?"')" >&2
}

lat_run() { # TCP ping-pong: sockperf over IPv4, bench/rr.c over IPv6 (sockperf 3.7 takes no IPv6 address)
	local id=$1 f=$TMP/lat.out p50 p99 avg tps
	case ${DST[$id]} in
	*:*) rr_run "$id" "$f" || return 1
		read -r p50 p99 avg tps < <(sed -n 's/^rr: .* tps \([0-9.]*\) p50_us \([0-9.]*\) p99_us \([0-9.]*\) avg_us \([0-9.]*\)$/\2 \3 \4 \1/p' "$f") ;;
	*) [ -n "$SOCKPERF_WHY" ] && return 0
		sockperf_run "$id" "$f" || return 1
		p50=$(sed -n 's/.*percentile 50.000 = *\([0-9.]*\).*/\1/p' "$f")
		p99=$(sed -n 's/.*percentile 99.000 = *\([0-9.]*\).*/\1/p' "$f")
		avg=$(sed -n 's/.*avg-rtt=\([0-9.]*\).*/\1/p' "$f")
		tps=$(sed -n 's/.*Valid Duration\] RunTime=\([0-9.]*\) sec; SentMessages=[0-9]*; ReceivedMessages=\([0-9]*\).*/\2 \1/p' "$f" |
			awk '{ if ($2 > 0) printf "%.0f", $1 / $2; else print "null" }') ;;
	esac
	jq -nc --arg p "$id" --argjson a "${p50:-null}" --argjson b "${p99:-null}" --argjson c "${avg:-null}" \
		--argjson d "${tps:-null}" --arg t "$( [[ ${DST[$id]} = *:* ]] && echo rr || echo sockperf)" \
		'{path:$p, test:"lat", ok:true, tool:$t, p50_us:$a, p99_us:$b, avg_us:$c, tps:$d}' >>"$REC"
	printf '  %-22s latency: RTT p50 %s us, p99 %s us\n' "${LABEL[$id]}" "$p50" "$p99" >&2
}
# lat_failed ID FILE WHAT: the run's failure logged and recorded; returns 1.
lat_failed() {
	log "bench: ${LABEL[$1]}: $3 failed: $(grep -v '^$' "$2" | tail -2)"
	jq -nc --arg p "$1" '{path:$p, test:"lat", ok:false}' >>"$REC"
	return 1
}
sockperf_run() { # sockperf_run ID OUT
	bounded $((SECS + 30)) "$2" - ip netns exec "$NSA" sockperf ping-pong --tcp -i "${DST[$1]}" \
		-p $SOCKPERF_PORT -t "$SECS" --full-rtt && grep -q 'percentile 99.000' "$2" || lat_failed "$1" "$2" sockperf
}
rr_run() { # rr_run ID OUT
	bounded $((SECS + 30)) "$2" - ip netns exec "$NSA" "$RR" client "${DST[$1]}" $RR_PORT "$SECS" &&
		grep -q '^rr: .* p99_us ' "$2" || lat_failed "$1" "$2" rr
}

udp_run() { # iperf3 UDP, 64-byte datagrams at UDP_RATE
	case $1 in tou*) return 0 ;; esac	# TOU carries TCP only
	local id=$1 u0 u1 rc
	# -w 2M: the receiving socket's buffer should not be what is measured.
	u0=$(udp_errors)
	bounded $((SECS + 30)) "$TMP/udp.json" "$TMP/iperf.err" ip netns exec "$NSA" iperf3 -c "${DST[$id]}" \
		-p $IPERF_PORT -u -l 64 -b "$UDP_RATE" -w 2M -t "$SECS" -J --connect-timeout 3000
	rc=$?
	u1=$(udp_errors)
	if [ $rc != 0 ] ||
	   ! jq -e '.end.sum_received.packets' "$TMP/udp.json" >/dev/null 2>&1; then
		log "bench: ${LABEL[$id]}: iperf3 UDP failed: $(jq -r '.error // empty' "$TMP/udp.json" 2>/dev/null)"
		jq -nc --arg p "$id" '{path:$p, test:"udp", ok:false}' >>"$REC"
		restart_iperf_server
		return 1
	fi
	jq -c --arg p "$id" --argjson ue "$((u1 - u0))" '.end as $e |
		($e.sum_received.packets - $e.sum_received.lost_packets) as $rx |
		{path:$p, test:"udp", ok:true, udp_rcv_errors:$ue,
		 sent_pps: ($e.sum_sent.packets / $e.sum_sent.seconds),
		 rx_pps: ($rx / $e.sum_received.seconds),
		 loss_pct: (if $e.sum_sent.packets > 0 then 100 * (1 - $rx / $e.sum_sent.packets) else null end)}' \
		"$TMP/udp.json" >>"$REC"
	printf '  %-22s UDP 64 B: sent %.0f pps, received %.0f pps, loss %.2f %%\n' "${LABEL[$id]}" \
		"$(tail -1 "$REC" | jq .sent_pps)" "$(tail -1 "$REC" | jq .rx_pps)" "$(tail -1 "$REC" | jq .loss_pct)" >&2
}

udp_errors() { # RcvbufErrors and InErrors of both namespaces, summed
	local t=0 ns v
	for ns in "$NSA" "$NSB"; do
		v=$(ip netns exec "$ns" cat /proc/net/snmp | awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) c[$i] = i; h = 1 }
			else print $c["RcvbufErrors"] + $c["InErrors"] }')
		t=$((t + ${v:-0}))
	done
	echo $t
}

# Drops counted by the kernel on foud's own UDP sockets bound to PORT (receive
# queue full: foud did not read fast enough), both namespaces; /proc/net/udp's last column.
sock_drops() {
	local hex t=0 ns v
	hex=$(printf '%04X' "$1")
	for ns in "$NSA" "$NSB"; do
		v=$(ip netns exec "$ns" cat /proc/net/udp | awk -v p=":$hex" '$2 ~ p "$" { s += $NF } END { print s + 0 }')
		t=$((t + ${v:-0}))
	done
	echo $t
}

# BENCH_TUNNELS (10 000) IPIP-over-FOU tunnels with distinct remotes in foud A; VmRSS; delete.
many_tunnels() {
	local i t0 t1 n
	MEM_BEFORE=$(rss_kb "$FOUD_A")
	: >"$TMP/add" ; : >"$TMP/del"
	for ((i = 0; i < NTUN; i++)); do
		echo "link add name bm$i type ipip remote 198.18.$((i / 250)).$((i % 250 + 1)) local $A4 encap fou encap-sport auto encap-dport 5555" >>"$TMP/add"
		echo "link del bm$i" >>"$TMP/del"
	done
	t0=$(date +%s.%N)
	bounded 300 "$TMP/many-add.log" - "$FOUCTL" -S "$TMP/a.sock" -b "$TMP/add" ||
		MANY_ERR="adding $NTUN tunnels failed: $(tail -1 "$TMP/many-add.log")"
	t1=$(date +%s.%N)
	MANY_ADD_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	n=$(fa -j link show | jq '[.[] | select(.ifname | test("^bm[0-9]+$"))] | length')
	MANY_N=${n:-0}
	MEM_MANY=$(rss_kb "$FOUD_A")
	t0=$(date +%s.%N)
	bounded 300 "$TMP/many-del.log" - "$FOUCTL" -S "$TMP/a.sock" -b "$TMP/del" ||
		[ -n "${MANY_ERR:-}" ] || MANY_ERR="deleting the tunnels failed: $(tail -1 "$TMP/many-del.log")"
	t1=$(date +%s.%N)
	MANY_DEL_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	MEM_AFTER=$(rss_kb "$FOUD_A")
	n=$(fa -j link show | jq '[.[] | select(.ifname | test("^bm[0-9]+$"))] | length')
	[ "${n:-0}" = 0 ] || [ -n "${MANY_ERR:-}" ] || MANY_ERR="$n of the $NTUN tunnels are still there after deleting them"
}

# ---------------------------------------------------------------- main
[ "$(id -u)" = 0 ] || die "run as root (it creates namespaces and TUN devices)"
[ -c /dev/net/tun ] || die "no /dev/net/tun"
{ [ -x "$FOUD" ] && [ -x "$FOUCTL" ]; } || die "build foud and fouctl first (make B=$B all)"
ensure_packages
cc -std=gnu11 -O2 -Wall -Wextra -Werror -pthread -o "$TUNFWD" "$ROOT/bench/tunfwd.c" || die "cannot build tunfwd"
cc -std=gnu11 -O2 -Wall -Wextra -Werror -pthread -o "$RELAY" "$ROOT/bench/relay.c" || die "cannot build relay"
cc -std=gnu11 -O2 -Wall -Wextra -Werror -o "$RR" "$ROOT/bench/rr.c" || die "cannot build rr"
mkdir -p "$OUT" || die "cannot create $OUT"

log "bench: $RUNS run(s) of $SECS s per test; UDP 64 B at $UDP_RATE; $NTUN tunnels for memory"
setup_underlay
setup_paths
check_paths
start_servers
MEM_IDLE=$(rss_kb "$FOUD_A")
UDPERR0=$(udp_errors)
T_START=$(date +%s)

# Runs are interleaved across paths (run 1 of every path, then run 2 ...), so
# that a change in the machine's background load spreads over all of them.
for ((run = 1; run <= RUNS; run++)); do
	log "bench: TCP, run $run of $RUNS"
	for id in "${ORDER[@]}"; do
		[ "${STATUS[$id]}" = ok ] || continue
		for test in p1 p4 r; do tcp_run "$id" "$test" "$run"; done
	done
done
log "bench: latency and small packets"
for id in "${ORDER[@]}"; do
	[ "${STATUS[$id]}" = ok ] || continue
	lat_run "$id"
	udp_run "$id"
done
UDPERR1=$(udp_errors)
# A foud that died took its paths with it.
for h in a b; do
	pid=$FOUD_A; [ $h = b ] && pid=$FOUD_B
	[ -n "$pid" ] || continue
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid"; rc=$?
		for id in "${ORDER[@]}"; do
			[ "${PROCS[$id]}" = foud ] && [ "${STATUS[$id]}" = ok ] &&
				path_fail "$id" failed "foud ($h) exited during the run (status $rc): $(tail -1 "$TMP/foud-$h.log")"
		done
		[ $h = a ] && FOUD_A=''
	fi
done
MEM_LOAD=$(cat "$TMP/rss-load" 2>/dev/null || echo 0)
MEM_HWM=$(rss_kb "$FOUD_A" VmHWM)
T_END=$(date +%s)

# foud's counters: every non-zero drop, per device and per port, both hosts.
drops_json() { # drops_json a|b
	local f=fa; [ "$1" = b ] && f=fb
	{ $f -j -s link show; $f -j -s fou show; } 2>/dev/null | jq -s --arg h "$1" '
		[ .[][] | { name: (.ifname // ("port " + (.port | tostring))),
			stats: (.stats64 // .foud.stats64),
			drops: ([.foud.drops.rx, .foud.drops.tx] | map(to_entries | map(select(.value > 0)) | from_entries)) } ] |
		map({key: ($h + ":" + .name), value: {rx: .drops[0], tx: .drops[1],
			rx_packets: .stats.rx.packets, tx_packets: .stats.tx.packets}}) | from_entries'
}
DROPS=$( { drops_json a; drops_json b; } | jq -s 'add // {}')
SOCKDROPS=$(for id in fou gue grefou tou toudtls sitfou fou10k; do
	[ "${STATUS[$id]:-}" = ok ] && printf '{"%s":%s}\n' "$id" "$(sock_drops "${PORT[$id]}")"
done | jq -s 'add // {}')

MANY_ERR=
MANY_N=0 MANY_ADD_S=0 MANY_DEL_S=0 MEM_BEFORE=0 MEM_MANY=0 MEM_AFTER=0
[ -n "$FOUD_A" ] && many_tunnels
# fou10k's tunnels go in one batch each: a foud stopping keeps its devices, closing each one's
# descriptor alone (the kernel waits for RCU per close), and the namespaces go after.
for h in c d; do
	[ -S "$TMP/$h.sock" ] && [ -s "$TMP/tenk-del" ] && bounded 300 "$TMP/tenk-del-$h.log" - "$FOUCTL" -S "$TMP/$h.sock" -b "$TMP/tenk-del"
done

# ---------------------------------------------------------------- summary
status_json() {
	local id
	for id in "${ORDER[@]}"; do
		jq -nc --arg id "$id" --arg l "${LABEL[$id]}" --arg s "${STATUS[$id]}" --arg n "${NOTE[$id]}" \
			--arg m "${MTU[$id]:-}" --arg d "${DST[$id]}" --arg proc "${PROCS[$id]}" --arg dev "${DEVS[$id]}" \
			'{id:$id, label:$l, status:$s, note:$n, mtu:($m | tonumber? // null), dst:$d,
			  process:(if $proc == "" then null else $proc end), dev:(if $dev == "" then null else $dev end)}'
	done
}
status_json >"$TMP/paths.jsonl"
jq -n --slurpfile paths "$TMP/paths.jsonl" --slurpfile recs "$REC" --argjson drops "$DROPS" --argjson sd "$SOCKDROPS" \
	--arg kernel "$(uname -r)" --arg date "$(date -u +%FT%TZ)" --argjson cpus "$(nproc)" \
	--arg iperf "$(iperf3 --version | head -1)" --arg rev "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)" \
	--argjson runs "$RUNS" --argjson secs "$SECS" --arg rate "$UDP_RATE" --arg spwhy "$SOCKPERF_WHY" \
	--argjson mi "${MEM_IDLE:-0}" --argjson ml "${MEM_LOAD:-0}" --argjson mh "${MEM_HWM:-0}" \
	--argjson mb "$MEM_BEFORE" --argjson mm "$MEM_MANY" --argjson ma "$MEM_AFTER" --argjson nt "$NTUN" \
	--argjson nn "$MANY_N" --argjson tadd "$MANY_ADD_S" --argjson tdel "$MANY_DEL_S" --arg merr "$MANY_ERR" \
	--argjson ue "$((UDPERR1 - UDPERR0))" --argjson dur "$((T_END - T_START))" '
	def median: map(select(. != null)) | sort |
		if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
		else (.[length / 2 - 1] + .[length / 2]) / 2 end;
	def ratio($a; $b): if $a == null or $b == null or $b == 0 then null else $a / $b end;
	($recs | map(select(.ok))) as $ok |
	def tcp($p; $t): ($ok | map(select(.path == $p and .test == $t))) as $r |
		if ($r | length) == 0 then null else
		{gbps: ($r | map(.gbps) | median), retr: ($r | map(.retr) | median),
		 retr_total: ($r | map(.retr // 0) | add),
		 cpu_machine_per_gbps: ($r | map(.cpu_machine_per_gbps) | median),
		 cpu_proc_per_gbps: ($r | map(.cpu_proc_per_gbps) | median),
		 udp_rcv_errors: ($r | map(.udp_rcv_errors // 0) | add),
		 runs: ($r | map(.gbps)), retr_runs: ($r | map(.retr))} end;
	def one($p; $t): ($ok | map(select(.path == $p and .test == $t)) | .[0]) // null | if . then del(.path, .test, .ok) else null end;
	($paths | map(. + (if .status == "ok" then
		{tcp: {p1: tcp(.id; "p1"), p4: tcp(.id; "p4"), r: tcp(.id; "r")},
		 latency: one(.id; "lat"), udp64: one(.id; "udp")} else {} end))) as $P |
	($P | map(select(.id == "vxlan"))[0]) as $vx | ($P | map(select(.id == "tunfwd"))[0]) as $ceil |
	(($P | map(select(.id == "relay"))[0]) // {status: "n/a"}) as $relay |
	(($P | map(select(.id == "veth"))[0]) // {status: "n/a"}) as $veth |
	(($P | map(select(.id == "veth6"))[0]) // {status: "n/a"}) as $veth6 |
	def ratios($x; $ref): if ($x.status != "ok") or ($ref.status != "ok") then null else
		{p1: ratio($x.tcp.p1.gbps; $ref.tcp.p1.gbps), p4: ratio($x.tcp.p4.gbps; $ref.tcp.p4.gbps),
		 r: ratio($x.tcp.r.gbps; $ref.tcp.r.gbps),
		 p50: ratio($x.latency.p50_us; $ref.latency.p50_us), p99: ratio($x.latency.p99_us; $ref.latency.p99_us),
		 tps: ratio($x.latency.tps; $ref.latency.tps),
		 udp_rx_pps: ratio($x.udp64.rx_pps; $ref.udp64.rx_pps),
		 cpu_machine_per_gbps: ratio($x.tcp.p1.cpu_machine_per_gbps; $ref.tcp.p1.cpu_machine_per_gbps),
		 cpu_proc_per_gbps: ratio($x.tcp.p1.cpu_proc_per_gbps; $ref.tcp.p1.cpu_proc_per_gbps)} end;
	{meta: {date: $date, kernel: $kernel, cpus: $cpus, iperf3: $iperf, git: $rev, runs: $runs, seconds: $secs,
		udp_rate: $rate, udp_len: 64, duration_s: $dur,
		latency: ((if $spwhy == "" then "IPv4: sockperf ping-pong --tcp --full-rtt" else ("IPv4: n/a: " + $spwhy) end)
			+ "; IPv6: bench/rr.c (the same ping-pong; sockperf 3.7 takes no IPv6 address)"),
		ratios: "path / kernel VXLAN (throughput: higher is better; latency and CPU: lower is better)",
		cpu: "CPU-seconds per Gbit received = cores per Gbit/s; machine: /proc/stat user+nice+system+irq+softirq (the whole machine, other load included); process: utime+stime of foud A+B or tunfwd; single-stream runs"},
	 paths: ($P | map(. + {vs_vxlan: (if .id == "vxlan" then null else ratios(.; $vx) end)}
		+ (if .id == "fou" or .id == "bfou" then {vs_ceiling: ratios(.; $ceil)} else {} end)
		+ (if .id | startswith("tou") then {vs_veth: ratios(.; if .dst | contains(":") then $veth6 else $veth end)} else {} end)
		+ (if .id == "fou" or .id == "gue" or .id == "grefou" or .id == "tou" or .id == "foudvx"
		   then {vs_relay: ratios(.; $relay)} else {} end))),
	 memory_kb: {process: "foud (host A)", idle: $mi, load: $ml, peak_hwm: $mh, before_many: $mb,
		many_tunnels: $nt, many_configured: $nn, with_many: $mm, after_delete: $ma,
		add_seconds: $tadd, delete_seconds: $tdel, error: (if $merr == "" then null else $merr end)},
	 udp_rcvbuf_in_errors: $ue, foud_drops: $drops, foud_socket_drops: $sd}' >"$OUT/latest.json" || die "cannot write $OUT/latest.json"
J=$OUT/latest.json

# ---------------------------------------------------------------- table
q() { jq -r "$1" "$J"; }
fmt() { # fmt VALUE [DECIMALS]: "n/a" for null
	if [ -z "$1" ] || [ "$1" = null ]; then printf 'n/a'; else printf "%.${2:-2}f" "$1"; fi
}
rat() { [ -z "$1" ] || [ "$1" = null ] && return; printf ' (x%.2f)' "$1"; }
table() {
	local id st g r c lbl
	printf 'foud benchmark, %s, kernel %s, %s CPUs, %s; %s run(s) x %s s, median\n' \
		"$(q .meta.date)" "$(q .meta.kernel)" "$(q .meta.cpus)" "$(q .meta.iperf3)" "$RUNS" "$SECS"
	printf '(xN.NN) = ratio to the kernel VXLAN; retr = median TCP retransmits per run'
	[ "${BENCH_RPS:-0}" = 1 ] && printf '; RPS steering on the veth (all CPUs)'
	[ "$PIN" = 1 ] && printf '; iperf3 client on CPU 0, server on CPU 1'
	printf '\n\n'
	printf '%-22s %5s  %-17s %5s  %-17s %5s  %-17s %5s\n' "TCP throughput Gbit/s" MTU "1 stream" retr \
		"4 streams" retr "reverse (-R)" retr
	for id in "${ORDER[@]}"; do
		st=$(q ".paths[] | select(.id == \"$id\") | .status")
		lbl=${LABEL[$id]}
		if [ "$st" != ok ]; then printf '%-22s %s\n' "$lbl" "$st ($(q ".paths[] | select(.id == \"$id\") | .note"))"; continue; fi
		printf '%-22s %5s' "$lbl" "$(q ".paths[] | select(.id == \"$id\") | .mtu")"
		for t in p1 p4 r; do
			g=$(q ".paths[] | select(.id == \"$id\") | .tcp.$t.gbps")
			r=$(q ".paths[] | select(.id == \"$id\") | .tcp.$t.retr")
			c=$(q ".paths[] | select(.id == \"$id\") | .vs_vxlan.$t // empty")
			printf '  %-17s %5s' "$(fmt "$g")$(rat "$c")" "$(fmt "$r" 0)"
		done
		printf '\n'
	done
	printf '\n%-22s %-19s %-19s %-23s %-8s %-17s %-9s %s\n' "latency, packets, CPU" "RTT p50 us" "RTT p99 us" \
		"UDP 64B rx kpps (sent)" "loss %" "machine CPU/Gbps" "proc CPU" "UDP rcv errs TCP/64B"
	for id in "${ORDER[@]}"; do
		st=$(q ".paths[] | select(.id == \"$id\") | .status")
		[ "$st" = ok ] || continue
		local P="(.paths[] | select(.id == \"$id\"))"
		printf '%-22s %-19s %-19s %-23s %-8s %-17s %-9s %s\n' "${LABEL[$id]}" \
			"$(fmt "$(q "$P.latency.p50_us")" 1)$(rat "$(q "$P.vs_vxlan.p50 // empty")")" \
			"$(fmt "$(q "$P.latency.p99_us")" 1)$(rat "$(q "$P.vs_vxlan.p99 // empty")")" \
			"$(fmt "$(q "($P.udp64.rx_pps / 1000)?")" 1)$(rat "$(q "$P.vs_vxlan.udp_rx_pps // empty")") ($(fmt "$(q "($P.udp64.sent_pps / 1000)?")" 0))" \
			"$(fmt "$(q "$P.udp64.loss_pct")" 2)" \
			"$(fmt "$(q "$P.tcp.p1.cpu_machine_per_gbps")" 3)$(rat "$(q "$P.vs_vxlan.cpu_machine_per_gbps // empty")")" \
			"$(fmt "$(q "$P.tcp.p1.cpu_proc_per_gbps")" 3)" \
			"$(q "[$P.tcp[] | select(. != null) | .udp_rcv_errors] | add // 0")/$(q "$P.udp64.udp_rcv_errors // \"n/a\"")"
	done
	[ -n "$SOCKPERF_WHY" ] && printf 'latency: n/a (%s)\n' "$SOCKPERF_WHY"
	printf '(CPU: cores per Gbit/s in the single-stream runs; machine = the whole machine, other load included;\n'
	printf ' proc = foud A+B, or tunfwd/relay for the ceilings. UDP rcv errs: RcvbufErrors+InErrors of both\n'
	printf ' namespaces during all TCP runs / during the 64-byte run. RTT and CPU ratios: lower is better)\n'

	local pid
	for pid in bfou fou; do
	[ -n "$(q ".paths[] | select(.id == \"$pid\") | .label")" ] || continue
	printf '\n%s as a ratio:' "$(q ".paths[] | select(.id == \"$pid\") | .label")"
	for ref in vs_vxlan vs_ceiling; do
		if [ "$(q ".paths[] | select(.id == \"$pid\") | .$ref")" = null ]; then continue; fi
		local R=".paths[] | select(.id == \"$pid\") | .$ref"
		printf '\n  to %-14s 1 stream %s, 4 streams %s, reverse %s' \
			"$([ $ref = vs_vxlan ] && echo "kernel VXLAN:" || echo "TUN ceiling:")" \
			"$(fmt "$(q "$R.p1")")" "$(fmt "$(q "$R.p4")")" "$(fmt "$(q "$R.r")")"
		[ $ref = vs_vxlan ] && printf ', RTT p50 %s, p99 %s, UDP rx %s, machine CPU/Gbps %s' \
			"$(fmt "$(q "$R.p50")")" "$(fmt "$(q "$R.p99")")" "$(fmt "$(q "$R.udp_rx_pps")")" \
			"$(fmt "$(q "$R.cpu_machine_per_gbps")")"
	done
	done
	# The userspace rows against the relay that makes a tunnel's system calls and nothing else.
	ratio_rows 'foud userspace / no-work relay (bench/relay.c):' vs_relay cpu_proc_per_gbps \
		'process CPU/Gbps x' fou gue grefou tou foudvx || :
	tou_table
	# Under load means over the userspace IPIP/FOU path (the BPF path runs no foud code per packet).
	local load; load=$(q .memory_kb.load)
	case " ${ORDER[*]} " in *" fou "*) load="$load KiB" ;; *) load="n/a (IPIP/FOU not measured)" ;; esac
	printf '\n\nfoud memory (VmRSS, host A): idle %s KiB, under load %s (peak %s KiB),' \
		"$(q .memory_kb.idle)" "$load" "$(q .memory_kb.peak_hwm)"
	printf '\n  with %s tunnels %s KiB (added in %s s), after deleting them %s KiB (deleted in %s s)\n' \
		"$(q .memory_kb.many_configured)" "$(q .memory_kb.with_many)" "$(q .memory_kb.add_seconds)" \
		"$(q .memory_kb.after_delete)" "$(q .memory_kb.delete_seconds)"
	[ -n "$MANY_ERR" ] && printf '  %s\n' "$MANY_ERR"
	# foud's log, but for the lines every run has (start, each link added).
	for h in a b; do
		grep -v -E '^foud: (ready on |link [^ ]+ added \(mtu [0-9]+\)$)' "$TMP/foud-$h.log" >"$TMP/foud-$h.rest"
		[ -s "$TMP/foud-$h.rest" ] || continue
		printf 'foud (%s) logged %s other line(s), the last ones:\n' "$h" "$(wc -l <"$TMP/foud-$h.rest")"
		tail -5 "$TMP/foud-$h.rest" | sed 's/^/  /'
	done
	printf 'UDP receive errors (RcvbufErrors+InErrors, both namespaces, whole run): %s\n' "$(q .udp_rcvbuf_in_errors)"
	# shellcheck disable=SC2016  # $d is jq's
	printf "foud's UDP sockets, kernel drops (receive queue full), whole run, both hosts: %s\n" \
		"$(q '.foud_socket_drops as $d | [.paths[] | select($d[.id] != null) | "\(.label) \($d[.id])"] |
			if length == 0 then "n/a" else join(", ") end')"
	printf 'foud drops (non-zero counters): %s\n' \
		"$(q '[.foud_drops | to_entries[] | select((.value.rx | length) + (.value.tx | length) > 0) |
			"\(.key) rx \(.value.rx | to_entries | map("\(.key)=\(.value)") | join(",")) tx \(.value.tx | to_entries | map("\(.key)=\(.value)") | join(","))"] |
			if length == 0 then "none" else join("; ") end')"
}
# ratio_rows HEADER REF KEY TEXT ID...: each ID's ratios to REF (throughput, then KEY after TEXT);
# fails when no ID has them.
ratio_rows() {
	local hdr=$1 ref=$2 key=$3 text=$4 pid R any=1
	shift 4
	for pid in "$@"; do
		R=".paths[] | select(.id == \"$pid\") | .$ref"
		case $(q "$R // null") in '' | null) continue ;; esac
		[ $any = 1 ] && printf '\n\n%s' "$hdr" && any=0
		printf '\n  %-20s 1 stream %s, 4 streams %s, reverse %s, %s%s' \
			"$(q ".paths[] | select(.id == \"$pid\") | .label"):" "$(fmt "$(q "$R.p1")")" \
			"$(fmt "$(q "$R.p4")")" "$(fmt "$(q "$R.r")")" "$text" "$(fmt "$(q "$R.$key")")"
	done
	return $any
}

# tou_row_ratios ID: one TOU row's stream and ping-pong figures as ratios to plain TCP of its family.
tou_row_ratios() {
	local R=".paths[] | select(.id == \"$1\") | .vs_veth"
	case $(q "$R // null") in '' | null) return 1 ;; esac
	printf '\n  %-22s 1 stream %s, reverse %s, 4 streams %s; RTT p50 %s, p99 %s, round trips/s %s' \
		"$(q ".paths[] | select(.id == \"$1\") | .label"):" "$(fmt "$(q "$R.p1")")" "$(fmt "$(q "$R.r")")" \
		"$(fmt "$(q "$R.p4")")" "$(fmt "$(q "$R.p50")")" "$(fmt "$(q "$R.p99")")" "$(fmt "$(q "$R.tps")")"
}
# TOU against plain TCP over the same veth (its family), and what RCO saves.
tou_table() {
	local pid a b any=0
	for pid in tou tourco toudtls tou6 tourco6 toudtls6; do
		[ $any = 0 ] && [ "$(q ".paths[] | select(.id == \"$pid\") | .vs_veth // null")" != null ] &&
			printf '\n\n%s' 'foud TOU / plain TCP over the same veth (IPv4 or IPv6 as the row; RTT: lower is better):' &&
			any=1
		tou_row_ratios "$pid" || :
	done
	[ $any = 1 ] || return 0
	printf '\n  (ping-pong, one connection, 14-byte messages: sockperf over IPv4; bench/rr.c over IPv6, as'
	printf '\n  sockperf 3.7 takes no IPv6 address)'
	printf '\n  the original TOU implementation: TOU+RCO 0.89 of native TCP in one stream (IPv4 7624 vs 8525,'
	printf '\n  IPv6 7410 vs 8394 Mbit/s), TCP_RR 0.88'
	for pid in "tou tourco" "tou6 tourco6"; do
		read -r a b <<<"$pid"
		[ "$(q "(.paths[] | select(.id == \"$b\") | .tcp.p1.cpu_proc_per_gbps) // null")" = null ] && continue
		printf '\n  RCO, process CPU per Gbit/s (foud A+B, 1 stream): %s %s, %s %s' \
			"$(q ".paths[] | select(.id == \"$a\") | .label")" \
			"$(fmt "$(q "(.paths[] | select(.id == \"$a\") | .tcp.p1.cpu_proc_per_gbps) // null")" 3)" \
			"$(q ".paths[] | select(.id == \"$b\") | .label")" \
			"$(fmt "$(q "(.paths[] | select(.id == \"$b\") | .tcp.p1.cpu_proc_per_gbps) // null")" 3)"
	done
}
echo
table | tee "$OUT/latest.txt"

# ---------------------------------------------------------------- chart
plot() {
	local dat=$TMP/plot.dat vx
	q '.paths[] | select(.status == "ok") | [.label, (.tcp.p1.gbps // 0), (.tcp.p4.gbps // 0), (.tcp.r.gbps // 0),
		(.vs_vxlan.p1 // (if .id == "vxlan" then 1 else 0 end))] | "\"\(.[0])\" \(.[1]) \(.[2]) \(.[3]) \(.[4])"' >"$dat"
	q '.paths[] | select(.status != "ok") | "\(.label): \(.status) (\(.note))"' >"$TMP/missing"
	vx=$(q '.paths[] | select(.id == "vxlan") | .tcp.p1.gbps // 0')
	gnuplot >"$TMP/gnuplot.log" 2>&1 <<EOF
set terminal pngcairo size 1100,620 font "sans,10"
set output "$OUT/latest.png"
set title "foud vs kernel: TCP throughput over one veth (iperf3, median of $RUNS x $SECS s)\n$(q .meta.date), kernel $(q .meta.kernel), $(q .meta.cpus) CPUs; labels: ratio of 1 stream to kernel VXLAN"
set ylabel "Gbit/s"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set key top right
set yrange [0:*]
set offsets 0, 0, graph 0.08, 0
set xtics noenhance rotate by -25 left
$( [ -s "$TMP/missing" ] && printf 'set label 1 "%s" at graph 0.01, graph 0.97 left noenhance\n' "$(paste -sd, "$TMP/missing" | sed 's/,/, /g')")
plot "$dat" using 2:xtic(1) title "1 stream" lc rgb "#4472c4", \
     "" using 3 title "4 streams" lc rgb "#ed7d31", \
     "" using 4 title "reverse (-R)" lc rgb "#a5a5a5", \
     $vx with lines dt 2 lw 2 lc rgb "#c00000" title "kernel VXLAN, 1 stream", \
     "" using (\$0 - 0.3):(\$2):(sprintf("x%.2f", \$5)) with labels offset 0,0.8 notitle
EOF
}
if command -v gnuplot >/dev/null; then
	if plot; then echo "chart: $OUT/latest.png"; else log "bench: gnuplot failed: $(tail -3 "$TMP/gnuplot.log")"; fi
else
	log "bench: no gnuplot, no chart"
fi
echo "results: $OUT/latest.json, $OUT/latest.txt"

# Fails only if a path does not carry traffic at all.
fail=0
for id in "${ORDER[@]}"; do
	[ "${STATUS[$id]}" = failed ] && { log "bench: FAILED: ${LABEL[$id]}: ${NOTE[$id]}"; fail=1; }
	[ "${STATUS[$id]}" = ok ] || continue
	if [ "$(q ".paths[] | select(.id == \"$id\") | [.tcp[] | select(. != null)] | length")" = 0 ]; then
		log "bench: FAILED: ${LABEL[$id]}: no iperf3 run succeeded"; fail=1
	fi
done
exit $fail
