#!/bin/bash
# SPDX-License-Identifier: MIT
#
# foud's L2 overlays against the Linux kernel under qemu, on ONE guest boot:
# GRE-TAP plain, with a key, over FOU, over GUE and over IPv6; NVGRE against a kernel
# gretap with key VSID << 8 (foud with noflowid: the kernel matches the whole
# key); Geneve over IPv4 and IPv6. Each case reconfigures both sides, then:
# the guest pings foud's side and foud's side pings the guest across the L2
# tunnel, a TCP stream of random bytes comes back intact (sha256) from the
# guest's echo service, foud dropped nothing (every reason, link, ports and
# raw sockets), foud's forwarding table learned the guest's MAC behind the
# guest's address, and tshark decodes the packets of both sides, captured on
# qtap0, as the right protocol with the right identifiers (GRE 0x6558 with
# the key, Geneve with the VNI, an Ethernet frame inside). Geneve once more
# with an option from foud (geneve_opts), which the kernel skips.
#
# Output: one "ok N - ..." / "not ok N - ..." line per case.
# Environment: L2_BYTES (stream size per case, default 1048576), L2_ONLY (a
# regular expression: only the cases whose name matches).
set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

L2_BYTES=${L2_BYTES:-1048576}
L2_ONLY=${L2_ONLY:-}

fi_require socat tcpdump tshark python3
fi_require_foud
fi_setup || exit 1
kp_prepare || exit 1

H4=192.0.2.1 G4=192.0.2.2 H6=2001:db8:1::1 G6=2001:db8:1::2
IH=10.60.0.1 IG=10.60.0.2

# The guest: a FOU port for GRE (GRE-TAP over FOU), GRO off (Debian's 6.1
# drops GRO-merged GRE-in-UDP, see 50-matrix.sh), the echo service.
cat >"$FI_TMP/guest.sh" <<GUEST
ip fou add port 5555 ipproto 47
ip fou add port 5556 gue
/sbin/ethtool -K eth0 gro off
kp_echo_server 7777
true
GUEST
kp_boot "$FI_NS" "$FI_TMP/guest.sh" "$FI_TMP/guest.log" || exit 1
fi_start_foud || exit 1
fi_ctl fou add port 5555 ipproto 47 || exit 1
fi_ctl fou add port 5556 gue || exit 1
kp_wait_ready "$FI_TMP/guest.log" 90 || exit 1
fi_log "guest ready after ${SECONDS}s: $(kp_exec uname -r)"

# Every non-zero drop counter of foud: link l1, every port, the raw sockets.
l2_drops() {
	{
		fi_fouctl -j -s link show l1 2>/dev/null | tr -d '\n'
		echo
		fi_fouctl -j -s fou show 2>/dev/null | tr -d '\n'
		echo
		fi_fouctl -s fou show 2>/dev/null | sed -n 's/^ *raw sockets: RX drops://p'
	} | python3 -c '
import json, sys
lines = sys.stdin.read().split("\n")
out = {}
for i, name in ((0, "l1"), (1, None)):
    try:
        objs = json.loads(lines[i]) if lines[i].strip() else []
    except ValueError:
        objs = []
    if isinstance(objs, dict):
        objs = [objs]
    for o in objs:
        n = name or "port%s" % o.get("port")
        for d in ("rx", "tx"):
            for k, v in o.get("foud", {}).get("drops", {}).get(d, {}).items():
                if v:
                    out["%s.%s.%s" % (n, d, k)] = v
w = lines[2].split() if len(lines) > 2 else []
for k, v in zip(w[::2], w[1::2]):
    out["raw.rx." + k] = int(v)
print(" ".join("%s=%d" % kv for kv in sorted(out.items())))'
}

# l2_tshark PCAP FILTER FIELD WANT CHAIN [DECODE]: every packet matching
# FILTER from either side carries FIELD == WANT (a number; "-" for no
# value; hex:BYTES for bytes that start so) and the protocol chain CHAIN;
# both sides sent some.
l2_tshark() {
	local pcap=$1 filter=$2 field=$3 want=$4 chain=$5 decode=${6:-}
	tshark -r "$pcap" ${decode:+-d "$decode"} -Y "$filter" -T fields -E "separator=|" \
		-e ip.src -e ipv6.src -e frame.protocols -e "$field" 2>/dev/null |
		python3 -c '
import sys
want, chain, h, g = sys.argv[1], sys.argv[2], sys.argv[3:5], sys.argv[5:7]
n = {"h": 0, "g": 0}
bad = []
for line in sys.stdin:
    ip4, ip6, protos, val = (line.rstrip("\n").split("|") + ["", "", "", ""])[:4]
    # The outer header is the first IP layer (the inner one may be either).
    src = (ip6 if protos.startswith("eth:ethertype:ipv6:") else ip4).split(",")[0]
    side = "h" if src in h else "g" if src in g else None
    if side is None:
        continue
    n[side] += 1
    v = val.split(",")[0]
    if want.startswith("hex:"):
        good = v.replace(":", "").startswith(want[4:])
    else:
        got = int(v, 0) if v else "-"
        good = got == "-" if want == "-" else got == int(want, 0)
    if not good or chain not in protos:
        bad.append("%s: %s=%s %s" % (src, sys.argv[8], v or "none", protos))
ok = n["h"] and n["g"] and not bad
print("%s foud %d, kernel %d packets%s" % ("OK" if ok else "BAD", n["h"], n["g"],
      "; " + "; ".join(bad[:3]) if bad else ""))' "$want" "$chain" $H4 $H6 $G4 $G6 "$field" "$field"
}

L2_N=0
L2_FAILS=()

# l2_case NAME FAM "FOUD WORDS" "GUEST WORDS" FILTER FIELD WANT CHAIN [DECODE]
l2_case() {
	local name=$1 fam=$2 fw=$3 gw=$4 filter=$5 field=$6 want=$7 chain=$8 decode=${9:-}
	local why=() out pid gmac d0 d1 dp=none t0=$SECONDS i remote=$G4
	[[ -z $L2_ONLY || $name =~ $L2_ONLY ]] || return 0
	[[ $fam == 6 ]] && remote=$G6
	fi_log "case $name"
	# shellcheck disable=SC2086
	if ! out=$(fi_fouctl link add name l1 $fw 2>&1); then
		why+=("fouctl link add name l1 $fw: $out")
	else
		for ((i = 0; i < 30; i++)); do
			ip -n "$FI_NS" link show l1 >/dev/null 2>&1 && break
			sleep 0.1
		done
		fi_nsexec sysctl -qw net.ipv6.conf.l1.disable_ipv6=1
		ip -n "$FI_NS" addr add $IH/24 dev l1
		ip -n "$FI_NS" link set l1 up
		out=$(kp_exec -t 20 "ip link add name l1 $gw && ip addr add $IG/24 dev l1 && ip link set l1 up && cat /sys/class/net/l1/address" 2>&1)
		gmac=$(tail -n1 <<<"$out" | tr -d '\r')
		[[ $gmac =~ ^([0-9a-f]{2}:){5}[0-9a-f]{2}$ ]] ||
			why+=("guest: ip link add name l1 $gw: $(tr '\n' ' ' <<<"$out")")
	fi
	if [[ ${#why[@]} -eq 0 ]]; then
		d0=$(l2_drops)
		ip netns exec "$FI_NS" timeout 60 tcpdump -i qtap0 --immediate-mode -U -n -s 200 \
			-c 20000 -w "$FI_TMP/l2.pcap" "ip proto 47 or ip6 proto 47 or udp" \
			2>"$FI_TMP/cap.err" &
		pid=$!
		for ((i = 0; i < 50; i++)); do
			grep -q listening "$FI_TMP/cap.err" 2>/dev/null && break
			sleep 0.1
		done
		fi_ping_guest $IH 3 >"$FI_TMP/gping.out" 2>&1 ||
			why+=("guest cannot ping $IH: $(tail -n2 "$FI_TMP/gping.out" | tr '\n' ' ')")
		fi_ping_host $IG 3 2>/dev/null || why+=("host cannot ping $IG")
		if [[ ${#why[@]} -lt 2 ]]; then
			fi_stream_check $IG 7777 "$L2_BYTES" || why+=("TCP stream of $L2_BYTES bytes damaged")
		fi
		sleep 0.3
		kill -INT "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		[[ -z ${L2_KEEP:-} ]] || cp "$FI_TMP/l2.pcap" "$L2_KEEP/${name// /_}.pcap"
		d1=$(l2_drops)
		[[ $d1 == "$d0" ]] || why+=("foud dropped: before [$d0] after [$d1]")
		# On the BPF path, the programs carried frames both ways.
		dp=$(fi_fouctl -j -s -d link show l1 | jq -r '.[0].foud | "\(.datapath) \(.bpf_stats64.tx.packets // 0) \(.bpf_stats64.rx.packets // 0)"')
		[[ $dp != bpf* || $dp =~ ^bpf\ [1-9][0-9]*\ [1-9] ]] ||
			why+=("datapath bpf, but the programs carried tx/rx ${dp#bpf }")
		fi_fouctl fdb show dev l1 >"$FI_TMP/fdb.txt" 2>&1
		if grep -q "^$gmac dev l1 dst $remote self learned" "$FI_TMP/fdb.txt"; then
			fi_log "$name: foud learned the guest's $gmac behind $remote"
		else
			why+=("the guest's MAC $gmac is not learned behind $remote: $(tr '\n' ' ' <<<"$(cat "$FI_TMP/fdb.txt")")")
		fi
		out=$(l2_tshark "$FI_TMP/l2.pcap" "$filter" "$field" "$want" "$chain" "$decode")
		fi_log "$name: tshark: $filter, $field = $want, $chain: $out"
		[[ $out == OK* ]] || why+=("tshark: ${out#BAD }")
		if [[ ${#why[@]} -gt 0 ]]; then
			fi_fouctl -s link show l1 >&2
			kp_exec "ip -s -d link show l1" >&2
		fi
	fi
	kp_exec "ip link del l1" >/dev/null 2>&1
	fi_fouctl link del l1 >/dev/null 2>&1
	L2_N=$((L2_N + 1))
	if [[ ${#why[@]} -eq 0 ]]; then
		echo "ok $L2_N - $name ($((SECONDS - t0))s, datapath ${dp%% *})"
	else
		echo "not ok $L2_N - $name: $(printf '%s; ' "${why[@]}")"
		L2_FAILS+=("$name")
	fi
}

GK=42 VSID=5000 VNI=77
l2_case "gretap" 4 "type gretap remote $G4 local $H4" \
	"type gretap remote $H4 local $G4" \
	"gre" gre.key - "ip:gre:eth:ethertype"
l2_case "gretap key $GK" 4 "type gretap remote $G4 local $H4 key $GK" \
	"type gretap remote $H4 local $G4 key $GK" \
	"gre" gre.key $GK "ip:gre:eth:ethertype"
l2_case "gretap over fou (port 5555)" 4 \
	"type gretap remote $G4 local $H4 key $GK encap fou encap-sport auto encap-dport 5555" \
	"type gretap remote $H4 local $G4 key $GK encap fou encap-sport auto encap-dport 5555" \
	"udp.dstport == 5555" gre.key $GK "udp:gre:eth:ethertype" "udp.port==5555,gre"
# tshark has no GUE: the UDP payload must be GUE (version 0, protocol 47) then GRE.
l2_case "gretap over gue (port 5556)" 4 \
	"type gretap remote $G4 local $H4 key $GK encap gue encap-sport auto encap-dport 5556" \
	"type gretap remote $H4 local $G4 key $GK encap gue encap-sport auto encap-dport 5556" \
	"udp.dstport == 5556" data.data "hex:002f00002000655800000$(printf %03x $GK)" "udp:data"
l2_case "gretap over IPv6 (kernel ip6gretap)" 6 "type gretap remote $G6 local $H6 key $GK" \
	"type ip6gretap remote $H6 local $G6 key $GK encaplimit none" \
	"gre" gre.key $GK "ipv6:gre:eth:ethertype"
l2_case "nvgre vsid $VSID (kernel gretap key $((VSID << 8)))" 4 \
	"type nvgre vsid $VSID remote $G4 local $H4 noflowid" \
	"type gretap remote $H4 local $G4 key $((VSID << 8))" \
	"gre" gre.key $((VSID << 8)) "ip:gre:eth:ethertype"
l2_case "geneve id $VNI" 4 "type geneve id $VNI remote $G4" \
	"type geneve id $VNI remote $H4" \
	"geneve" geneve.vni $VNI "udp:geneve:eth:ethertype"
l2_case "geneve id $VNI over IPv6" 6 "type geneve id $VNI remote $G6" \
	"type geneve id $VNI remote $H6" \
	"geneve" geneve.vni $VNI "ipv6:udp:geneve:eth:ethertype"
# foud sends a non-critical option; the kernel's geneve (no collect_md) skips it,
# so the pings and the stream pass only if the kernel took foud's frames. Then
# the capture must show the option on every datagram from foud, none from the kernel.
GO_NAME="geneve id $VNI, foud sends option 0102:01:00112233"
l2_case "$GO_NAME" 4 "type geneve id $VNI remote $G4 geneve_opts 0102:01:00112233" \
	"type geneve id $VNI remote $H4" \
	"geneve" geneve.vni $VNI "udp:geneve:eth:ethertype"
if [[ -z $L2_ONLY || $GO_NAME =~ $L2_ONLY ]]; then
	got=$(tshark -r "$FI_TMP/l2.pcap" -Y geneve -T fields -E 'separator=|' -e ip.src \
		-e geneve.option.class -e geneve.option.type -e geneve.option.unknown.data 2>/dev/null |
		awk -F'|' '{ sub(/,.*/, "", $1); print $1 "/" $2 "/" $3 "/" $4 }' | sort | uniq -c |
		awk '{ print $2 " x" $1 }' | tr '\n' ' ')
	fi_log "geneve options on the wire: $got"
	L2_N=$((L2_N + 1))
	if [[ $got =~ ^$H4/0x0102/0x01/00112233\ x[0-9]+\ $G4///\ x[0-9]+\ $ ]]; then
		echo "ok $L2_N - geneve options: every datagram from foud carries 0102:01:00112233, none from the kernel ($got)"
	else
		echo "not ok $L2_N - geneve options: want every datagram from foud with 0102:01:00112233, none from the kernel: $got"
		L2_FAILS+=("geneve options on the wire")
	fi
fi

echo "# L2 interop against Linux $(kp_exec uname -r 2>/dev/null): $L2_N cases in $((SECONDS))s"
for f in "${L2_FAILS[@]}"; do
	echo "# FAIL $f"
	FI_FAILED=1
done
fi_done
