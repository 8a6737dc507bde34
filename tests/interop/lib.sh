#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Shared helpers of the interop tests (foud against a Debian kernel under
# qemu). Source it after `set -u`; it sources scripts/kernel-peer.sh.
#
# Topology: namespace fi-$$-h owns the tap qtap0 (192.0.2.1/24,
# 2001:db8:1::1/64) facing the guest (192.0.2.2/24, 2001:db8:1::2/64).
# foud runs in that namespace. Every test exits 0 pass, 1 fail, 77 skip.

FI_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/kernel-peer.sh
. "$FI_TOP/scripts/kernel-peer.sh"

FI_NS="fi-$$-h"
FI_SOCK="/run/foud/fi-$$.sock"
FI_FOUD="${FOUD_BIN:-$FI_TOP/build/foud}"
FI_FOUCTL="${FOUCTL_BIN:-$FI_TOP/build/fouctl}"
FI_TMP=""
FI_FOUD_PID=""
FI_PIDS=()
FI_NAME=$(basename "$0" .sh)
FI_FAILED=0

fi_log() { printf '[%s] %s\n' "$FI_NAME" "$*" >&2; }
fi_fail() {
	fi_log "FAIL: $*"
	FI_FAILED=1
}
fi_skip() {
	fi_log "SKIP: $*"
	exit 77
}

# Checks what the test needs that cannot be installed by kp_prepare: root,
# network namespaces, /dev/net/tun. Skips (77) when they cannot exist.
fi_require() {
	[[ $(id -u) -eq 0 ]] || fi_skip "needs root (network namespaces, tap devices)"
	[[ -c /dev/net/tun ]] || fi_skip "no /dev/net/tun"
	local t
	t="fi-probe-$$"
	ip netns add "$t" 2>/dev/null || fi_skip "cannot create network namespaces"
	ip netns del "$t"
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 ||
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$c" >/dev/null 2>&1 ||
			fi_skip "missing $c"
	done
}

# Requires the foud and fouctl binaries.
fi_require_foud() {
	[[ -x $FI_FOUD && -x $FI_FOUCTL ]] || {
		fi_log "FAIL: $FI_FOUD or $FI_FOUCTL not built (run make)"
		exit 1
	}
}

fi_cleanup() {
	local rc=$?
	set +e
	kp_cleanup
	local p
	for p in "${FI_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	if [[ -n $FI_FOUD_PID ]]; then
		kill "$FI_FOUD_PID" 2>/dev/null
		local i
		for ((i = 0; i < 20; i++)); do
			kill -0 "$FI_FOUD_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$FI_FOUD_PID" 2>/dev/null
	fi
	for p in "${FI_PIDS[@]}" $FI_FOUD_PID; do
		wait "$p" 2>/dev/null
	done
	ip netns pids "$FI_NS" 2>/dev/null | while read -r p; do kill -KILL "$p" 2>/dev/null; done
	ip netns del "$FI_NS" 2>/dev/null
	rm -f "$FI_SOCK"
	if [[ -n $FI_TMP ]]; then
		if [[ $rc -ne 0 && $rc -ne 77 && -f $FI_TMP/guest.log ]]; then
			fi_log "guest console (last 30 lines):"
			tail -n 30 "$FI_TMP/guest.log" >&2
		fi
		if [[ $rc -ne 0 && $rc -ne 77 && -f $FI_TMP/foud.log ]]; then
			fi_log "foud log (last 30 lines):"
			tail -n 30 "$FI_TMP/foud.log" >&2
		fi
		rm -rf "$FI_TMP"
	fi
	exit "$rc"
}

# Creates the namespace and its tap qtap0 with the host addresses.
fi_setup() {
	trap fi_cleanup EXIT
	trap 'exit 1' INT TERM
	FI_TMP=$(mktemp -d "${TMPDIR:-/tmp}/fi-$$.XXXXXX")
	ip netns add "$FI_NS" || return 1
	ip -n "$FI_NS" link set lo up
	ip -n "$FI_NS" tuntap add dev qtap0 mode tap || return 1
	ip -n "$FI_NS" addr add 192.0.2.1/24 dev qtap0
	ip -n "$FI_NS" -6 addr add 2001:db8:1::1/64 dev qtap0 nodad
	ip -n "$FI_NS" link set qtap0 up
	# FI_PCAP=FILE: capture the underlay (at most 20000 packets) for debugging.
	if [[ -n ${FI_PCAP:-} ]]; then
		ip netns exec "$FI_NS" timeout 300 tcpdump -i qtap0 -U -n -s 0 -c 20000 \
			-w "$FI_PCAP" 2>/dev/null &
		FI_PIDS+=($!)
		sleep 0.5
	fi
}

fi_nsexec() { ip netns exec "$FI_NS" "$@"; }

# Starts foud in the namespace and waits for its control socket.
fi_start_foud() {
	mkdir -p "$(dirname "$FI_SOCK")"
	rm -f "$FI_SOCK"
	# FOUD_TEST_OPTS (say -D userspace) applies to the foud of every test.
	# shellcheck disable=SC2086
	ip netns exec "$FI_NS" "$FI_FOUD" -f -S "$FI_SOCK" ${FOUD_TEST_OPTS:-} >"$FI_TMP/foud.log" 2>&1 &
	FI_FOUD_PID=$!
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -S $FI_SOCK ]] && return 0
		kill -0 "$FI_FOUD_PID" 2>/dev/null || { fi_log "foud exited"; return 1; }
		sleep 0.1
	done
	fi_log "foud control socket $FI_SOCK did not appear"
	return 1
}

# fouctl against our foud, inside the namespace, bounded.
fi_fouctl() {
	ip netns exec "$FI_NS" timeout 10 "$FI_FOUCTL" -S "$FI_SOCK" "$@"
}

# Runs fouctl and fails the test (with the command) when it fails.
fi_ctl() {
	local out
	if ! out=$(fi_fouctl "$@" 2>&1); then
		fi_log "fouctl $* failed: $out"
		return 1
	fi
	[[ -z $out ]] || printf '%s\n' "$out"
}

# fi_link_up NAME ADDR/PLEN [ADDR6/PLEN]: addresses and up on a foud device.
fi_link_up() {
	local dev=$1 a4=$2 a6=${3:-} i
	for ((i = 0; i < 30; i++)); do
		ip -n "$FI_NS" link show "$dev" >/dev/null 2>&1 && break
		sleep 0.1
	done
	ip -n "$FI_NS" addr add "$a4" dev "$dev" || return 1
	[[ -z $a6 ]] || ip -n "$FI_NS" -6 addr add "$a6" dev "$dev" nodad || return 1
	ip -n "$FI_NS" link set "$dev" up
}

# fi_boot GUEST_SCRIPT: boots the kernel peer with the script, waits until ready.
fi_boot() {
	kp_prepare || return 1
	kp_boot "$FI_NS" "$1" "$FI_TMP/guest.log" || return 1
	kp_wait_ready "$FI_TMP/guest.log" "${FI_BOOT_TIMEOUT:-90}"
}

# fi_ping_host DEST [COUNT]: ping from the test namespace, bounded.
fi_ping_host() {
	local dst=$1 n=${2:-3}
	fi_nsexec ping -c "$n" -i 0.2 -W 2 -w $((n + 5)) "$dst" >"$FI_TMP/ping.out" 2>&1
	local rc=$?
	[[ $rc -eq 0 ]] || cat "$FI_TMP/ping.out" >&2
	return $rc
}

# fi_ping_guest DEST [COUNT]: ping from the guest.
fi_ping_guest() {
	local dst=$1 n=${2:-3}
	kp_exec -t $((n + 10)) "ping -c $n -i 0.2 -W 2 -w $((n + 5)) $dst"
}

# fi_link_stat DEV rx|tx: packet counter of a foud device from fouctl -j -s.
fi_link_stat() {
	local dev=$1 dir=$2
	fi_fouctl -j -s link show "$dev" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)
if isinstance(d, list):
    d = d[0]
print(d["stats64"][sys.argv[1]]["packets"])' "$dir" 2>/dev/null
}

# fi_stream_check DEST PORT BYTES: sends random data through the guest's echo
# service on DEST:PORT (socat on the host side) and compares sha256 sums.
fi_stream_check() {
	local dst=$1 port=$2 bytes=$3 want got addr
	head -c "$bytes" /dev/urandom >"$FI_TMP/stream.in"
	want=$(sha256sum <"$FI_TMP/stream.in" | cut -d' ' -f1)
	if [[ $dst == *:* ]]; then
		addr="TCP6:[$dst]:$port"
	else
		addr="TCP4:$dst:$port"
	fi
	fi_nsexec timeout 90 socat -t 30 -T 30 - "$addr" \
		<"$FI_TMP/stream.in" >"$FI_TMP/stream.out" 2>"$FI_TMP/socat.err" || true
	got=$(sha256sum <"$FI_TMP/stream.out" | cut -d' ' -f1)
	if [[ $got != "$want" ]]; then
		fi_log "stream to $dst:$port: sent $bytes bytes, got $(stat -c %s "$FI_TMP/stream.out") back, sha256 differs"
		cat "$FI_TMP/socat.err" >&2
		return 1
	fi
	fi_log "stream to $dst:$port: $bytes bytes echoed intact"
}

# fi_capture_start NAME FILTER: captures qtap0 into $FI_TMP/NAME.pcap (256
# bytes a packet) until fi_capture_stop.
fi_capture_start() {
	local i
	ip netns exec "$FI_NS" tcpdump -i qtap0 --immediate-mode -U -n -s 256 \
		-w "$FI_TMP/$1.pcap" "$2" 2>"$FI_TMP/cap-$1.err" &
	FI_CAP=$!
	FI_PIDS+=("$FI_CAP")
	for ((i = 0; i < 50; i++)); do
		grep -q listening "$FI_TMP/cap-$1.err" 2>/dev/null && return 0
		sleep 0.1
	done
}
fi_capture_stop() {
	sleep 0.5
	kill -INT "$FI_CAP" 2>/dev/null
	wait "$FI_CAP" 2>/dev/null
}

# fi_gue_check NAME WHAT FILTER WANT FIELD...: tshark with foud's GUE
# dissector (GUE on port 5556) decodes every frame of NAME.pcap that matches
# FILTER to the FIELDs WANT (joined by ';'); there must be at least one.
fi_gue_check() {
	local name=$1 what=$2 filter=$3 want=$4 f got n e=()
	shift 4
	for f in "$@"; do e+=(-e "$f"); done
	got=$("$FI_TOP/tests/tools/tshark-gue" -r "$FI_TMP/$name.pcap" -o gue.ports:5556 \
		-Y "$filter" -T fields -E separator=';' "${e[@]}" 2>/dev/null)
	n=$(grep -c . <<<"$got")
	if [[ $n -gt 0 && $(sort -u <<<"$got") == "$want" ]]; then
		fi_log "tshark: $what: $n datagrams, each $want"
	else
		fi_fail "tshark: $what: want every one '$want', got $n: $(sort <<<"$got" | uniq -c | head -5)"
	fi
}

# True when tshark can run gue.lua (tests/tools/tshark-gue needs setpriv under root).
fi_have_tshark() {
	command -v tshark >/dev/null 2>&1 && command -v setpriv >/dev/null 2>&1
}

# Ends the test: 0 unless something failed.
fi_done() {
	if [[ $FI_FAILED -ne 0 ]]; then
		fi_log "FAILED"
		exit 1
	fi
	fi_log "PASS"
	exit 0
}

# fi_check_tunnel DEV HOST_IN GUEST_IN [STREAM_BYTES]: the standard checks of
# one tunnel between foud (DEV, inner address HOST_IN) and the guest (inner
# address GUEST_IN): the guest pings the host, the host pings the guest, the
# device counted both ways, and (if STREAM_BYTES > 0) a TCP stream of random
# data comes back intact from the guest's echo service on port 7777.
fi_check_tunnel() {
	local dev=$1 hin=$2 gin=$3 bytes=${4:-0} rx0 tx0 rx1 tx1
	rx0=$(fi_link_stat "$dev" rx)
	tx0=$(fi_link_stat "$dev" tx)
	if fi_ping_guest "$hin" 3 >"$FI_TMP/gping.out" 2>&1; then
		fi_log "guest -> host $hin: ok"
	else
		cat "$FI_TMP/gping.out" >&2
		fi_fail "guest cannot ping $hin through the tunnel"
	fi
	if fi_ping_host "$gin" 3; then
		fi_log "host -> guest $gin: ok"
	else
		fi_fail "host cannot ping $gin through the tunnel"
	fi
	rx1=$(fi_link_stat "$dev" rx)
	tx1=$(fi_link_stat "$dev" tx)
	if [[ -z $rx1 || -z $tx1 || -z $rx0 || -z $tx0 ]]; then
		fi_fail "fouctl -j -s link show $dev gave no stats64 counters"
	elif ((rx1 - rx0 < 6 || tx1 - tx0 < 6)); then
		fi_fail "$dev counters moved by rx $((rx1 - rx0)) tx $((tx1 - tx0)), expected >= 6 each"
	else
		fi_log "$dev counters: rx +$((rx1 - rx0)) tx +$((tx1 - tx0))"
	fi
	if ((bytes > 0)); then
		fi_stream_check "$gin" 7777 "$bytes" || fi_fail "TCP stream through $dev"
	fi
	# The kernel must not have thrown away any of foud's datagrams, even
	# when TCP recovered by retransmitting.
	local uerr
	uerr=$(fi_guest_udp_errors)
	if [[ $uerr != 0 ]]; then
		fi_fail "the guest kernel counted $uerr UDP InErrors (Udp + Udp6) on foud's packets"
	fi
}

# Sum of the guest's Udp InErrors and Udp6InErrors.
fi_guest_udp_errors() {
	kp_exec "awk '/^Udp:/ { if (n++) s += \$4 } /^Udp6InErrors/ { s += \$2 } END { print s + 0 }' /proc/net/snmp /proc/net/snmp6"
}

# fi_guest_stats DEV: both sides' counters of the tunnel, for failure logs.
fi_guest_stats() {
	fi_log "foud: fouctl -s -d link show $1"
	fi_fouctl -s -d link show "$1" >&2 || true
	fi_log "guest: ip -s -s link show $1; Ip/Tcp/Udp counters"
	kp_exec "ip -s -s link show $1; grep -E '^(Ip|Tcp|Udp):' /proc/net/snmp" >&2 || true
}
