#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make instr: instructions per MB of foud's userspace data path, counted by
# callgrind, which load on the machine does not change (wall-clock figures on
# a shared machine are too noisy to show 5%).
#
# Two namespaces and a veth (tests/netns/lib.sh's setup_hosts), both fouds
# under valgrind --tool=callgrind, every row configured as bench/run.sh
# configures it. Each row sends INSTR_MB MiB with iperf3 (one TCP stream)
# across the tunnel; around it, both fouds' counters are zeroed and dumped
# (callgrind_control -z, -d), so startup, configuration and the other rows are
# left out. The figure is each foud's instructions (Ir) over the MiB sent:
# "send" is the foud of the data's sender, "recv" the receiver's.
#
# Rows: fou (IPIP/FOU), gue (IPIP/GUE), grefou (GRE/FOU), tou (TOU, A to B),
# tou-r (TOU reverse: iperf3 -R, B sends), vxlan (userspace VXLAN, udpcsum).
#
# Environment: B (build dir, absolute or relative to this tree; default
# build: the same script measures an old tree's build), INSTR_MB (100),
# INSTR_RUNS (3: runs of each row; the median is printed, with the range),
# INSTR_ONLY (a regex of row ids), INSTR_KEEP (a directory: each run's dumps
# are copied there as ROW-send.N and ROW-recv.N, for callgrind_annotate). Needs root, valgrind and iperf3. Exits 1 if a row carries nothing.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
B=${B:-build}
case $B in /*) BD=$B ;; *) BD=$HERE/../$B ;; esac
BD=$(cd "$BD" 2>/dev/null && pwd) || { echo "instr: no build directory $B" >&2; exit 1; }
# lib.sh finds the binaries under its own tree; ours may be another's.
B=.
# shellcheck source=tests/netns/lib.sh
source "$HERE/../tests/netns/lib.sh"
FOUD=$BD/foud
# shellcheck disable=SC2034  # lib.sh's fa and fb use it
FOUCTL=$BD/fouctl
MB=${INSTR_MB:-100}
RUNS=${INSTR_RUNS:-3}
ONLY=${INSTR_ONLY:-.*}
TOU_TABLE=7630709	# tou0's routing table (bench/run.sh, tou-run)
VG_A='' VG_B=''

log() { printf 'instr: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

command -v callgrind_control >/dev/null || die "needs valgrind"
command -v iperf3 >/dev/null || die "needs iperf3"
[ -x "$FOUD" ] || die "no $FOUD"

# vg_start a|b: foud under callgrind (valgrind's pid is foud's: ip netns exec execs).
vg_start() {
	local ns=$NSA; [ "$1" = b ] && ns=$NSB
	# As lib.sh's start_foud: the host's state (replay floors) under $TMP, not /var/lib.
	FOUD_STATE_DIR=$TMP/state-$1 ip netns exec "$ns" valgrind --tool=callgrind \
		--callgrind-out-file="$TMP/cg-$1.%p" \
		"$FOUD" -f -S "$TMP/$1.sock" 2>>"$TMP/foud-$1.log" &
	PIDS+=($!)
	[ "$1" = a ] && VG_A=$! || VG_B=$!
	for _ in $(seq 300); do [ -S "$TMP/$1.sock" ] && return 0; sleep 0.1; done
	die "foud $1 did not start: $(tail -3 "$TMP/foud-$1.log")"
}

# Each row as bench/run.sh sets it up (same addresses, ports and words).
setup_rows() {
	local h f me peer n m ns
	# Each IP tunnel its own underlay addresses, as bench/run.sh's: two of one
	# type between the same addresses would be twins, which foud (as Linux) refuses.
	na ip addr add 192.0.2.11/24 dev va; nb ip addr add 192.0.2.12/24 dev vb
	na ip addr add 192.0.2.21/24 dev va; nb ip addr add 192.0.2.22/24 dev vb
	for h in a b; do
		f=fa me=$A4 peer=$B4 n=1 m=2 ns=$NSA
		[ $h = b ] && f=fb me=$B4 peer=$A4 n=2 m=1 ns=$NSB
		$f fou add port 5555 ipproto 4 && $f fou add port 6080 gue && $f fou add port 5556 ipproto 47 &&
		$f link add name fbt1 type ipip remote "$peer" local "$me" encap fou \
			encap-sport auto encap-dport 5555 datapath userspace &&
		$f link add name fbg1 type ipip remote 192.0.2.1$m local 192.0.2.1$n encap gue \
			encap-sport auto encap-dport 6080 datapath userspace &&
		$f link add name fbr1 type gre remote 192.0.2.2$m local 192.0.2.2$n encap fou \
			encap-sport auto encap-dport 5556 datapath userspace &&
		$f link add name fbx1 type vxlan id 43 dstport 4790 remote "$peer" local "$me" &&
		$f tou add peer "$peer" local "$me" port 6091 || die "foud $h refused the configuration"
		# TCP to the peer's address goes through tou0 (tou-run would mark sockets instead).
		ip netns exec "$ns" ip rule add to "$peer" ipproto tcp lookup $TOU_TABLE priority 999 || die "ip rule"
		dev_up $h fbt1 10.1.0.$n/30; dev_up $h fbg1 10.2.0.$n/30
		dev_up $h fbr1 10.3.0.$n/30; dev_up $h fbx1 10.4.0.$n/24
	done
}

vg_pid() { if [ "$1" = a ]; then echo "$VG_A"; else echo "$VG_B"; fi; }
# cg_total a|b N: the Ir total of foud a's or b's Nth dump.
cg_total() { awk '/^(summary|totals):/ { print $2; exit }' "$TMP/cg-$1.$(vg_pid "$1").$2"; }
# cg_cmd OPT: callgrind_control OPT on both fouds.
cg_cmd() { callgrind_control "$1" "$VG_A" >/dev/null 2>&1 && callgrind_control "$1" "$VG_B" >/dev/null 2>&1; }

DUMPS=0
# run ID DST [-R]: one run; appends "send recv" (instructions per MiB) to $TMP/ID.
run() {
	local id=$1 dst=$2 rev=${3:-} a b
	cg_cmd -z || die "callgrind_control -z failed"
	# shellcheck disable=SC2086
	if ! na timeout 600 iperf3 -c "$dst" -n "${MB}M" $rev >"$TMP/iperf-$id.log" 2>&1; then
		log "$id: iperf3 failed: $(tail -2 "$TMP/iperf-$id.log")"; return 1
	fi
	cg_cmd -d || die "callgrind_control -d failed"
	DUMPS=$((DUMPS + 1))
	a=$(cg_total a $DUMPS) b=$(cg_total b $DUMPS)
	[ -n "$a" ] && [ -n "$b" ] || die "no callgrind dump $DUMPS"
	# The data's sender is A, or B with -R.
	local snd=a rcv=b
	[ -n "$rev" ] && { local t=$a; a=$b; b=$t; snd=b rcv=a; }
	if [ -n "${INSTR_KEEP:-}" ]; then	# for callgrind_annotate
		cp "$TMP/cg-$snd.$(vg_pid $snd).$DUMPS" "$INSTR_KEEP/$id-send.$DUMPS" &&
		cp "$TMP/cg-$rcv.$(vg_pid $rcv).$DUMPS" "$INSTR_KEEP/$id-recv.$DUMPS"
	fi
	echo $((a / MB)) $((b / MB)) >>"$TMP/$id"
}

# summary ID: "ID send spread recv spread": each side's median of the runs and
# the runs' range as a percentage of it.
summary() {
	local s r
	s=$(cut -d' ' -f1 "$TMP/$1" | sort -n | awk '{ v[NR] = $1 } END {
		m = v[int((NR + 1) / 2)]; printf "%d %.1f%%", m, 100 * (v[NR] - v[1]) / m }')
	r=$(cut -d' ' -f2 "$TMP/$1" | sort -n | awk '{ v[NR] = $1 } END {
		m = v[int((NR + 1) / 2)]; printf "%d %.1f%%", m, 100 * (v[NR] - v[1]) / m }')
	# shellcheck disable=SC2086  # two words each
	printf '%-8s %12s %7s %12s %7s\n' "$1" $s $r
}

setup_hosts
vg_start a; vg_start b
setup_rows
nb iperf3 -s -D -I "$TMP/iperf3.pid" >/dev/null 2>&1 || die "iperf3 server"
for _ in $(seq 50); do [ -s "$TMP/iperf3.pid" ] && break; sleep 0.1; done
PIDS+=("$(cat "$TMP/iperf3.pid")")

echo "# foud instructions per MiB of TCP payload (callgrind Ir, startup excluded): $BD"
echo "# median of $RUNS runs of ${MB} MiB, and the runs' range (max - min) over the median"
printf '%-8s %12s %7s %12s %7s\n' row send range recv range
fail=0
ROWS=("fou 10.1.0.2" "gue 10.2.0.2" "grefou 10.3.0.2" "tou 192.0.2.2" "tou-r 192.0.2.2 -R" "vxlan 10.4.0.2")
for r in "${ROWS[@]}"; do
	read -r id dst rev <<<"$r"
	[[ $id =~ ^($ONLY)$ ]] || continue
	for _ in $(seq "$RUNS"); do run "$id" "$dst" "$rev" || fail=1; done
	[ -s "$TMP/$id" ] && summary "$id"
done
exit $fail
