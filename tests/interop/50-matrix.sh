#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The interoperability matrix against the Linux kernel, on ONE guest boot:
# every tunnel kind (ipip, sit, gre with and without key/csum/seq, ip6tnl,
# ip6gre) over every encapsulation (none, fou, gue, gue with encap-csum and
# encap-remcsum), IPv4 and IPv6 underlays. Each cell reconfigures both sides
# (fouctl on foud's side, kp_exec in the guest), then: the guest pings foud's
# side and foud's side pings the guest (every inner family of the row), a TCP
# stream of random bytes comes back intact from the guest's echo service, both
# tunnel devices counted the traffic, foud dropped nothing (every drop reason,
# link and ports), the guest's tunnel counted no receive error or drop and
# neither kernel counted a UDP InErrors or TCP InCsumErrors. In the gue-rco
# column the guest's packets are captured and must carry Linux's GUE private
# flags with the remote checksum offload option (so foud really had to
# complete the inner checksums).
#
# Then: asymmetric encapsulations (foud sends FOU while the kernel answers with
# GUE, and the reverse); encap-sport auto (N parallel inner flows leave on N
# distinct source ports inside the sender's own ip_local_port_range, one port
# per flow, for the kernel and for foud; captured on qtap0); a fou port bound
# with peer/peer_port accepts only that peer and counts the kernel's datagrams
# from another source port under unknown_peer.
#
# Output: one "ok N - ..." / "not ok N - ..." line per case, then the matrix
# table and the failure details as "# " lines (tests/run.sh shows those).
#
# Environment: MX_BYTES (stream size per cell, default 1048576), MX_FLOWS
# (parallel flows of the encap-sport test, default 8), MX_BUDGET (seconds;
# cases not started by then fail as "not run", default 420), MX_ONLY (a
# regular expression: run only the matrix cells and extra cases whose
# name matches, for debugging).
#
# The guest's GRO is switched off: Debian's 6.1 kernel drops GRO-merged
# GRE-without-sequence-numbers-in-UDP packets in udp_queue_rcv_skb (Udp
# InErrors, drop reason NOT_SPECIFIED) for a kernel sender as much as for foud
# (see 23-gre-gue-remcsum.sh).
set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MX_BYTES=${MX_BYTES:-1048576}
MX_FLOWS=${MX_FLOWS:-8}
MX_BUDGET=${MX_BUDGET:-420}
MX_ONLY=${MX_ONLY:-}
# Each side's own local port range, so that encap-sport auto is seen to use
# the sender's range (the defaults would hide a hard-coded 32768-60999).
MX_HOST_RANGE="20000 39999"
MX_GUEST_RANGE="40000 59999"

fi_require socat tcpdump python3
fi_require_foud
fi_setup || exit 1
kp_prepare || exit 1

H4=192.0.2.1 G4=192.0.2.2 H6=2001:db8:1::1 G6=2001:db8:1::2
I4H=10.50.0.1 I4G=10.50.0.2 I6H=2001:db8:150::1 I6G=2001:db8:150::2

# The guest: every fou port at once (a tunnel is found by its outer
# addresses, not by the port, so they never conflict), GRO off (see above),
# echo services (one connection at a time each): 7777, and 7801.. for the
# parallel flows (busybox nc -ll resets some of 8 parallel connections).
cat >"$FI_TMP/guest.sh" <<GUEST
sysctl -qw net.ipv4.ip_local_port_range="$MX_GUEST_RANGE"
# A TCP retransmission timeout re-randomises the socket's flow hash, and with
# it the guest's encap-sport (sk_rethink_txhash): one flow on one port holds
# only without that, so the rehash is off for the encap-sport checks.
sysctl -qw net.core.txrehash=0
ip fou add port 5555 ipproto 4
ip fou add port 5556 gue
ip fou add port 5557 ipproto 47
ip fou add port 5558 ipproto 41
ip fou add port 5559 ipproto 4 -6
ip fou add port 5560 gue -6
ip fou add port 5561 ipproto 41 -6
ip fou add port 5562 ipproto 47 -6
/sbin/ethtool -K eth0 gro off
kp_echo_server 7777
i=1
while [ \$i -le $MX_FLOWS ]; do kp_echo_server \$((7800 + i)); i=\$((i + 1)); done
true
GUEST
kp_boot "$FI_NS" "$FI_TMP/guest.sh" "$FI_TMP/guest.log" || exit 1

fi_nsexec sysctl -qw net.ipv4.ip_local_port_range="$MX_HOST_RANGE" || exit 1
fi_start_foud || exit 1
MX_PORTS="5555 ipproto 4|5556 gue|5557 ipproto 47|5558 ipproto 41|5559 ipproto 4 -6|5560 gue -6|5561 ipproto 41 -6|5562 ipproto 47 -6"
IFS='|' read -r -a _ports <<<"$MX_PORTS"
for p in "${_ports[@]}"; do
	# shellcheck disable=SC2086
	fi_ctl fou add port $p || exit 1
done
kp_wait_ready "$FI_TMP/guest.log" 90 || exit 1
fi_log "guest ready after ${SECONDS}s: $(kp_exec uname -r)"

# ---- helpers ---------------------------------------------------------------

# mx.py: snapshots of foud's counters and the pcap checks.
cat >"$FI_TMP/mx.py" <<'PY'
import json, struct, sys

def flat(path):
    """Counters of one snapshot file: line 1 `fouctl -j -s link show m1`,
    line 2 `fouctl -j -s fou show`."""
    out = {}
    with open(path) as f:
        lines = f.read().split("\n")
    try:
        links = json.loads(lines[0]) if lines[0].strip() else []
    except ValueError:
        links = []
    try:
        ports = json.loads(lines[1]) if len(lines) > 1 and lines[1].strip() else []
    except ValueError:
        ports = []
    if isinstance(links, dict):
        links = [links]
    for l in links:
        out["link.rx.packets"] = l["stats64"]["rx"]["packets"]
        out["link.tx.packets"] = l["stats64"]["tx"]["packets"]
        out["val:link.mtu"] = l.get("mtu", 0)
        for d in ("rx", "tx"):
            for k, v in l.get("foud", {}).get("drops", {}).get(d, {}).items():
                out["drop:link.%s.%s" % (d, k)] = v
    for p in ports:
        name = "port%d%s" % (p["port"], "/6" if p.get("family") == "inet6" else "")
        out[name + ".rx.packets"] = p["foud"]["stats64"]["rx"]["packets"]
        for d in ("rx", "tx"):
            for k, v in p.get("foud", {}).get("drops", {}).get(d, {}).items():
                out["drop:%s.%s.%s" % (name, d, k)] = v
    return out

def snapdiff(a, b):
    x, y = flat(a), flat(b)
    for k in sorted(y):
        d = y[k] - x.get(k, 0)
        if k.startswith("val:"):
            print("val %s %d" % (k[4:], y[k]))
        elif k.startswith("drop:"):
            if d:
                print("drop %s=%d" % (k[5:], d))
        else:
            print("cnt %s %d" % (k, d))

def packets(path):
    """(outer src, outer sport, outer dport, udp payload) of every UDP packet."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = struct.unpack("<I", data[:4])[0]
    en = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(en + "I", data[off + 8:off + 12])[0]
        pkt = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(pkt) < 14:
            continue
        et = struct.unpack("!H", pkt[12:14])[0]
        ip = pkt[14:]
        if et == 0x0800 and len(ip) >= 20 and ip[9] == 17:
            src = ".".join(str(b) for b in ip[12:16])
            udp = ip[(ip[0] & 15) * 4:]
        elif et == 0x86DD and len(ip) >= 40 and ip[6] == 17:
            src = ":".join("%x" % v for v in struct.unpack("!8H", ip[8:24]))
            udp = ip[40:]
        else:
            continue
        if len(udp) < 8:
            continue
        sp, dp = struct.unpack("!HH", udp[:4])
        yield src, sp, dp, udp[8:]

def inner_flow(payload):
    """5-tuple of an inner IPv4/IPv6 TCP or UDP packet (FOU ipproto 4/41)."""
    if not payload:
        return None
    v = payload[0] >> 4
    if v == 4 and len(payload) >= 20:
        proto, hl = payload[9], (payload[0] & 15) * 4
        s, d = payload[12:16], payload[16:20]
    elif v == 6 and len(payload) >= 40:
        proto, hl = payload[6], 40
        s, d = payload[8:24], payload[24:40]
    else:
        return None
    if proto not in (6, 17) or len(payload) < hl + 4:
        return None
    sp, dp = struct.unpack("!HH", payload[hl:hl + 4])
    return (proto, bytes(s), sp, bytes(d), dp)

def sport(path, src, lo, hi, nflows):
    """encap-sport auto: every inner flow sent by src on one outer port, the
    flows on distinct ports, all inside [lo, hi]."""
    flows = {}
    tflags = {}
    rsts = 0
    for s, sp, dp, pl in packets(path):
        if s != src:
            continue
        f = inner_flow(pl)
        if f is None:
            continue
        hl = (pl[0] & 15) * 4 if pl[0] >> 4 == 4 else 40
        if f[0] == 6 and len(pl) > hl + 13 and pl[hl + 13] == 0x04:
            # A bare RST answers a segment that found no socket: the kernel
            # sends it from its control socket, hashed from the packet and
            # not from the closed socket's txhash, so it may take another port.
            rsts += 1
            continue
        flows.setdefault(f, []).append(sp)
        if f[0] == 6 and len(pl) > hl + 13:
            tflags.setdefault((f, sp), set()).add(pl[hl + 13])
    ok = True
    msgs = []
    ports = {}
    for f, sps in flows.items():
        u = sorted(set(sps))
        if len(u) != 1:
            ok = False
            msgs.append("flow %d->%d left on %d ports %s (TCP flags per port: %s)" % (
                f[2], f[4], len(u), u[:6],
                ", ".join("%d: %s" % (p, sorted("%#x" % x for x in tflags.get((f, p), ())))
                          for p in u[:6])))
        for p in u:
            ports.setdefault(p, []).append(f)
            if not lo <= p <= hi:
                ok = False
                msgs.append("port %d outside %d-%d" % (p, lo, hi))
    if len(flows) != nflows:
        ok = False
        msgs.append("%d inner flows seen, expected %d" % (len(flows), nflows))
    if len(ports) != len(flows):
        ok = False
        msgs.append("%d flows on only %d distinct ports" % (len(flows), len(ports)))
    npk = [len(v) for v in flows.values()] or [0]
    print("%s %d flows, %d distinct ports %s, %d-%d packets per flow, %d bare RSTs not counted; %s" % (
        "OK" if ok else "BAD", len(flows), len(ports), sorted(ports)[:12],
        min(npk), max(npk), rsts, "; ".join(msgs) or "each flow on one port"))

def gueopt(path, src, dport):
    """Counts src's GUE packets to dport: all, with private flags, with the
    remote checksum offload private flag (Linux include/net/gue.h)."""
    n = priv = rco = 0
    for s, sp, dp, pl in packets(path):
        if s != src or dp != dport or len(pl) < 4:
            continue
        n += 1
        if pl[0] >> 6 != 0:
            continue
        flags = struct.unpack("!H", pl[2:4])[0]
        if flags & 0x0001 and len(pl) >= 8:
            priv += 1
            if struct.unpack("!I", pl[4:8])[0] & 0x80000000:
                rco += 1
    print("%d %d %d" % (n, priv, rco))

cmd = sys.argv[1]
if cmd == "snapdiff":
    snapdiff(sys.argv[2], sys.argv[3])
elif cmd == "sport":
    sport(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
elif cmd == "gueopt":
    gueopt(sys.argv[2], sys.argv[3], int(sys.argv[4]))
PY
mx_py() { python3 "$FI_TMP/mx.py" "$@"; }

MX_N=0
MX_DP_BPF=0 MX_DP_US=0
MX_T0=$SECONDS
declare -A MX_CELL=()
MX_EXTRA=()   # "name|ok" lines of the extra cases, for the summary
MX_DETAILS=() # "name: reasons" of failed cases
MX_WHY=()
MX_NOTES=()   # observations that are not failures (MTU differences)

# mx_report NAME: one ok/not ok line from MX_WHY (empty: ok).
mx_report() {
	local name=$1 why
	MX_N=$((MX_N + 1))
	if [[ ${#MX_WHY[@]} -eq 0 ]]; then
		echo "ok $MX_N - $name"
		MX_RES=ok
	else
		why=$(printf '%s; ' "${MX_WHY[@]}")
		why=${why%; }
		echo "not ok $MX_N - $name: $why"
		MX_DETAILS+=("$name: $why")
		MX_RES=FAIL
	fi
}

# Counters of both kernels: "UdpInErrors(4+6) TcpInCsumErrors".
# shellcheck disable=SC2016 # awk's fields
MX_SNMP_AWK='/^Udp:/ { if (u++) s += $4 } /^Udp6InErrors/ { s += $2 } /^Tcp:/ { if (t++) c = $16 } END { print s + 0, c + 0 }'
mx_host_snmp() { fi_nsexec awk "$MX_SNMP_AWK" /proc/net/snmp /proc/net/snmp6; }
MX_GSNAP="echo GSNAP \$(awk '$MX_SNMP_AWK' /proc/net/snmp /proc/net/snmp6)"

# mx_foud_snap FILE: foud's counters of m1 and of every port.
mx_foud_snap() {
	{
		fi_fouctl -j -s link show m1 2>/dev/null | tr -d '\n'
		echo
		fi_fouctl -j -s fou show 2>/dev/null | tr -d '\n'
		echo
	} >"$1"
}

# mx_stream DEST PORT BYTES: random bytes through an echo service, sha256 compared.
mx_stream() {
	local dst=$1 port=$2 bytes=$3 tag=${4:-s} addr want got
	head -c "$bytes" /dev/urandom >"$FI_TMP/$tag.in"
	want=$(sha256sum <"$FI_TMP/$tag.in" | cut -d' ' -f1)
	if [[ $dst == *:* ]]; then addr="TCP6:[$dst]:$port"; else addr="TCP4:$dst:$port"; fi
	fi_nsexec timeout 25 socat -t 5 -T 10 - "$addr" \
		<"$FI_TMP/$tag.in" >"$FI_TMP/$tag.out" 2>"$FI_TMP/$tag.err"
	got=$(sha256sum <"$FI_TMP/$tag.out" | cut -d' ' -f1)
	if [[ $got != "$want" ]]; then
		echo "stream to $dst:$port: $bytes bytes sent, $(stat -c %s "$FI_TMP/$tag.out") back, sha256 differs $(head -c 200 "$FI_TMP/$tag.err" | tr '\n' ' ')"
		return 1
	fi
}

mx_budget_left() { ((SECONDS - MX_T0 < MX_BUDGET)); }

# mx_tunnel NAME U FAMS SFAM "FOUD ARGS" "GUEST ARGS" [GUE_CAPTURE_PORT] [EXPECT_PORT]
#   U: outer family (4|6); FAMS: inner families (4, 6 or 46); SFAM: the
#   stream's inner family; GUE_CAPTURE_PORT: capture the guest's GUE packets
#   to this port and require the remote checksum offload option;
#   EXPECT_PORT: foud's port (e.g. port5556) that must have received the
#   guest's packets. Sets MX_RES (ok|FAIL).
mx_tunnel() {
	local name=$1 u=$2 fams=$3 sfam=$4 fargs=$5 gargs=$6 cap=${7:-} expport=${8:-}
	local out f gsetup gping gfin hs0 hs1 gs0 gs1 line pid nf=${#fams}
	MX_WHY=()
	if ! mx_budget_left; then
		MX_WHY+=("not run: time budget of ${MX_BUDGET}s used up")
		mx_report "$name"
		return
	fi
	local t0=$SECONDS
	fi_log "case $name"
	# foud's side.
	# shellcheck disable=SC2086
	if ! out=$(fi_fouctl link add name m1 $fargs 2>&1); then
		MX_WHY+=("fouctl link add name m1 $fargs: $out")
		mx_report "$name"
		return
	fi
	for ((f = 0; f < 30; f++)); do
		ip -n "$FI_NS" link show m1 >/dev/null 2>&1 && break
		sleep 0.1
	done
	# Which data path foud chose (BPF unless the options need userspace).
	case $(fi_fouctl -j -d link show m1 2>/dev/null | jq -r '.[0].foud.datapath') in
	bpf) MX_DP_BPF=$((MX_DP_BPF + 1)) ;;
	*) MX_DP_US=$((MX_DP_US + 1)) ;;
	esac
	[[ $fams == *4* ]] && ip -n "$FI_NS" addr add $I4H/30 dev m1
	[[ $fams == *6* ]] && ip -n "$FI_NS" -6 addr add $I6H/64 dev m1 nodad
	ip -n "$FI_NS" link set m1 up
	# The guest's side, and its counters before.
	gsetup="ip link add name m1 $gargs"
	[[ $fams == *4* ]] && gsetup+=" && ip addr add $I4G/30 dev m1"
	[[ $fams == *6* ]] && gsetup+=" && ip -6 addr add $I6G/64 dev m1 nodad"
	gsetup+=" && ip link set m1 up && $MX_GSNAP"
	out=$(kp_exec -t 20 "$gsetup" 2>&1)
	gs0=$(sed -n 's/^GSNAP //p' <<<"$out")
	if [[ -z $gs0 ]]; then
		MX_WHY+=("guest setup failed: ip link add name m1 $gargs: $(tr '\n' ' ' <<<"$out")")
		kp_exec "ip link del m1" >/dev/null 2>&1
		fi_fouctl link del m1 >/dev/null 2>&1
		mx_report "$name"
		return
	fi
	hs0=$(mx_host_snmp)
	mx_foud_snap "$FI_TMP/snap0"
	if [[ -n $cap ]]; then
		ip netns exec "$FI_NS" timeout 60 tcpdump -i qtap0 --immediate-mode -U -n -s 96 -c 50000 -w "$FI_TMP/cap.pcap" \
			"udp dst port $cap" 2>"$FI_TMP/cap.err" &
		pid=$!
		for ((f = 0; f < 50; f++)); do
			grep -q listening "$FI_TMP/cap.err" 2>/dev/null && break
			sleep 0.1
		done
	fi

	# Pings, both ways, every inner family.
	local gcmd="r="
	[[ $fams == *4* ]] && gcmd+="; ping -c 3 -i 0.1 -W 2 -w 5 $I4H >/dev/null 2>&1 || r=\"\$r $I4H\""
	[[ $fams == *6* ]] && gcmd+="; ping -c 3 -i 0.1 -W 2 -w 5 $I6H >/dev/null 2>&1 || r=\"\$r $I6H\""
	gcmd+="; echo \"GPING:\$r\""
	gping=$(kp_exec -t 30 "$gcmd" 2>&1 | sed -n 's/^GPING://p')
	[[ -z ${gping// /} ]] || MX_WHY+=("guest cannot ping${gping}")
	local hd
	for hd in $([[ $fams == *4* ]] && echo $I4G) $([[ $fams == *6* ]] && echo $I6G); do
		fi_nsexec ping -c 3 -i 0.1 -W 2 -w 5 "$hd" >/dev/null 2>&1 ||
			MX_WHY+=("host cannot ping $hd")
	done
	# The stream (skipped when no ping made it in either direction).
	local sdst=$I4G
	[[ $sfam == 6 ]] && sdst=$I6G
	if [[ ${#MX_WHY[@]} -ge $((2 * nf)) ]]; then
		MX_WHY+=("stream not tried")
	elif ! out=$(mx_stream "$sdst" 7777 "$MX_BYTES"); then
		MX_WHY+=("$out")
	fi
	if [[ -n $cap ]]; then
		sleep 0.3
		kill -INT "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	fi

	# Counters after.
	mx_foud_snap "$FI_TMP/snap1"
	hs1=$(mx_host_snmp)
	gfin="$MX_GSNAP; echo GLINK \$(cat /sys/class/net/m1/statistics/rx_packets /sys/class/net/m1/statistics/tx_packets /sys/class/net/m1/statistics/rx_errors /sys/class/net/m1/statistics/rx_dropped /sys/class/net/m1/mtu); ip -s -s link show m1 >/tmp/m1.stats 2>&1; ip link del m1"
	out=$(kp_exec -t 20 "$gfin" 2>&1)
	gs1=$(sed -n 's/^GSNAP //p' <<<"$out")
	local gl
	gl=$(sed -n 's/^GLINK //p' <<<"$out")
	fi_fouctl -s -d link show m1 >"$FI_TMP/foud-m1.txt" 2>&1
	fi_fouctl link del m1 >/dev/null 2>&1 || MX_WHY+=("fouctl link del m1 failed")

	local lrx=0 ltx=0 prx=-1 fmtu='?' drops="" k v
	while read -r k v rest; do
		case $k in
		val) [[ $v == link.mtu ]] && fmtu=$rest ;;
		cnt)
			case $v in
			link.rx.packets) lrx=$rest ;;
			link.tx.packets) ltx=$rest ;;
			"$expport.rx.packets") prx=$rest ;;
			esac
			;;
		drop) drops+=" $v" ;;
		esac
	done < <(mx_py snapdiff "$FI_TMP/snap0" "$FI_TMP/snap1")
	((lrx >= 6 * nf && ltx >= 6 * nf)) ||
		MX_WHY+=("foud's m1 counted rx +$lrx tx +$ltx, expected >= $((6 * nf)) each")
	[[ -z $drops ]] || MX_WHY+=("foud dropped:$drops")
	if [[ -n $expport ]] && ((prx < 6 * nf / 2)); then
		MX_WHY+=("foud's $expport received $prx packets, expected >= $((3 * nf))")
	fi
	local grx gtx gerr gdrop gmtu
	read -r grx gtx gerr gdrop gmtu <<<"$gl"
	fi_log "$name: foud's m1 mtu $fmtu rx +$lrx tx +$ltx; the guest's m1 mtu ${gmtu:-?} rx ${grx:-?} tx ${gtx:-?}"
	[[ $fmtu == "${gmtu:-}" || $name == asym* ]] || MX_NOTES+=("$name: MTU foud $fmtu, kernel ${gmtu:-?}")
	if [[ -z $gl ]]; then
		MX_WHY+=("no counters of the guest's m1")
	elif ((gerr != 0 || gdrop != 0)); then
		MX_WHY+=("guest's m1: rx_errors $gerr rx_dropped $gdrop ($(kp_exec "cat /tmp/m1.stats" | tr -s ' \n' ' '))")
	fi
	local a0 b0 a1 b1
	read -r a0 b0 <<<"$gs0"
	read -r a1 b1 <<<"$gs1"
	if [[ -z ${a1:-} ]]; then
		MX_WHY+=("no SNMP counters from the guest")
	else
		((a1 == a0)) || MX_WHY+=("guest counted $((a1 - a0)) UDP InErrors")
		((b1 == b0)) || MX_WHY+=("guest counted $((b1 - b0)) TCP InCsumErrors")
	fi
	read -r a0 b0 <<<"$hs0"
	read -r a1 b1 <<<"$hs1"
	((a1 == a0)) || MX_WHY+=("foud's namespace counted $((a1 - a0)) UDP InErrors")
	((b1 == b0)) || MX_WHY+=("foud's namespace counted $((b1 - b0)) TCP InCsumErrors (inner checksums)")
	if [[ -n $cap ]]; then
		local src=$G4 n priv rco
		[[ $u == 6 ]] && src=2001:db8:1:0:0:0:0:2
		[[ -n ${MX_DEBUG:-} ]] && cp "$FI_TMP/cap.pcap" "$FI_TMP/cap.err" "$MX_DEBUG/" 2>/dev/null
		read -r n priv rco <<<"$(mx_py gueopt "$FI_TMP/cap.pcap" "$src" "$cap")"
		if ((${rco:-0} == 0)); then
			MX_WHY+=("the guest sent ${n:-0} GUE packets, ${priv:-0} with private flags, none with remote checksum offload")
		else
			fi_log "$name: the guest sent $n GUE packets, $priv with private flags, $rco with remote checksum offload; foud took them"
		fi
		src=$H4
		[[ $u == 6 ]] && src=2001:db8:1:0:0:0:0:1
		read -r n priv rco <<<"$(mx_py gueopt "$FI_TMP/cap.pcap" "$src" "$cap")"
		fi_log "$name: foud sent $n GUE packets, $priv with private flags, $rco with remote checksum offload"

	fi
	if [[ ${#MX_WHY[@]} -gt 0 ]]; then
		fi_log "$name failed; foud: fouctl -s -d link show m1 (before del):"
		cat "$FI_TMP/foud-m1.txt" >&2
		fi_log "foud: fouctl -s fou show:"
		fi_fouctl -s fou show >&2
		fi_log "guest: ip -s -s link show m1 (before del):"
		kp_exec "cat /tmp/m1.stats" >&2
	fi
	fi_log "case $name: $((SECONDS - t0))s"
	mx_report "$name"
}

# ---- the matrix ------------------------------------------------------------

MX_COLS=(none fou gue gue-rco)
# Rows: name|underlay|inner families|stream family|foud kind words|guest kind words|FOU port
MX_ROWS=(
	"ipip|4|4|4|type ipip|type ipip|5555"
	"sit|4|6|6|type sit|type sit|5558"
	"gre|4|46|4|type gre|type gre|5557"
	"gre key|4|4|4|type gre key 42|type gre key 42|5557"
	"gre csum|4|4|4|type gre csum|type gre csum|5557"
	"gre seq|4|4|4|type gre seq|type gre seq|5557"
	"gre key csum seq|4|4|4|type gre key 0.0.1.7 csum seq|type gre key 0.0.1.7 csum seq|5557"
	"ip6tnl 4in6|6|4|4|type ip6tnl|type ip6tnl mode ipip6 encaplimit none|5559"
	"ip6tnl 6in6|6|6|6|type ip6tnl|type ip6tnl mode ip6ip6 encaplimit none|5561"
	"ip6tnl any (4+6)|6|46|6|type ip6tnl|type ip6tnl mode any encaplimit none|"
	"ip6gre|6|46|4|type ip6gre|type ip6gre encaplimit none|5562"
	"ip6gre key csum seq|6|4|4|type ip6gre key 42 csum seq|type ip6gre key 42 csum seq encaplimit none|5562"
)

for rowspec in "${MX_ROWS[@]}"; do
	IFS='|' read -r row u fams sfam fkind gkind fport <<<"$rowspec"
	if [[ $u == 4 ]]; then
		fout="remote $G4 local $H4" gout="remote $H4 local $G4" gport=5556
		rco="encap-csum encap-remcsum"
	else
		fout="remote $G6 local $H6" gout="remote $H6 local $G6" gport=5560
		rco="encap-csum encap-udp6-csum encap-remcsum"
	fi
	for col in "${MX_COLS[@]}"; do
		cap=""
		case $col in
		none) fenc="encap none" genc="" ;;
		fou)
			if [[ -z $fport ]]; then
				MX_CELL["$row|$col"]=n/a
				continue
			fi
			fenc="encap fou encap-sport auto encap-dport $fport" genc=$fenc
			;;
		gue) fenc="encap gue encap-sport auto encap-dport $gport" genc=$fenc ;;
		gue-rco)
			fenc="encap gue encap-sport auto encap-dport $gport $rco" genc=$fenc
			cap=$gport
			;;
		esac
		name="$row/$col"
		if [[ -n $MX_ONLY && ! $name =~ $MX_ONLY ]]; then
			MX_CELL["$row|$col"]=-
			continue
		fi
		mx_tunnel "matrix $name" "$u" "$fams" "$sfam" "$fkind $fout $fenc" "$gkind $gout $genc" "$cap"
		MX_CELL["$row|$col"]=$MX_RES
	done
done

# ---- extra cases -----------------------------------------------------------

mx_want() { [[ -z $MX_ONLY || $1 =~ $MX_ONLY ]]; }

# Asymmetric: each side sends what the other one's port expects.
if mx_want "asym fou/gue"; then
	mx_tunnel "asym ipip: foud sends FOU, the kernel answers with GUE" 4 4 4 \
		"type ipip remote $G4 local $H4 encap fou encap-sport auto encap-dport 5555" \
		"type ipip remote $H4 local $G4 encap gue encap-sport auto encap-dport 5556" "" port5556
	MX_EXTRA+=("asym: foud FOU -> kernel, kernel GUE -> foud|$MX_RES")
	mx_tunnel "asym ipip: foud sends GUE, the kernel answers with FOU" 4 4 4 \
		"type ipip remote $G4 local $H4 encap gue encap-sport auto encap-dport 5556" \
		"type ipip remote $H4 local $G4 encap fou encap-sport auto encap-dport 5555" "" port5555
	MX_EXTRA+=("asym: foud GUE -> kernel, kernel FOU -> foud|$MX_RES")
	mx_tunnel "asym gre key over IPv6: foud sends FOU, the kernel answers with GUE" 6 4 4 \
		"type ip6gre key 9 remote $G6 local $H6 encap fou encap-sport auto encap-dport 5562" \
		"type ip6gre key 9 encaplimit none remote $H6 local $G6 encap gue encap-sport auto encap-dport 5560" "" port5560/6
	MX_EXTRA+=("asym: ip6gre foud FOU -> kernel, kernel GUE -> foud|$MX_RES")
fi

# encap-sport auto: MX_FLOWS parallel TCP flows through ipip over FOU, captured
# on qtap0; each sender must put every flow on one port of its own range,
# distinct flows on distinct ports.
mx_sport() {
	local name="encap-sport auto" i pid out rc=0 lo hi
	MX_WHY=()
	if ! mx_budget_left; then
		MX_WHY+=("not run: time budget of ${MX_BUDGET}s used up")
		mx_report "$name (kernel)"; MX_EXTRA+=("encap-sport auto, kernel flows|$MX_RES")
		mx_report "$name (foud)"; MX_EXTRA+=("encap-sport auto, foud flows|$MX_RES")
		return
	fi
	fi_log "case $name"
	fi_ctl link add name m1 type ipip remote $G4 local $H4 encap fou encap-sport auto encap-dport 5555
	sleep 0.2
	ip -n "$FI_NS" addr add $I4H/30 dev m1
	ip -n "$FI_NS" link set m1 up
	kp_exec "ip link add name m1 type ipip remote $H4 local $G4 encap fou encap-sport auto encap-dport 5555 && ip addr add $I4G/30 dev m1 && ip link set m1 up" >&2
	ip netns exec "$FI_NS" timeout 90 tcpdump -i qtap0 --immediate-mode -U -n -s 128 -c 200000 -w "$FI_TMP/sport.pcap" \
		"udp dst port 5555" 2>"$FI_TMP/sport.err" &
	pid=$!
	for ((i = 0; i < 50; i++)); do
		grep -q listening "$FI_TMP/sport.err" 2>/dev/null && break
		sleep 0.1
	done
	local pids=()
	for ((i = 0; i < MX_FLOWS; i++)); do
		mx_stream $I4G $((7801 + i)) $((64 << 10)) "flow$i" >"$FI_TMP/flow$i.res" &
		pids+=($!)
	done
	local bad=0
	for ((i = 0; i < MX_FLOWS; i++)); do
		wait "${pids[$i]}" || { bad=$((bad + 1)); cat "$FI_TMP/flow$i.res" >&2; }
	done
	sleep 0.3
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	kp_exec "ip link del m1" >/dev/null
	fi_fouctl link del m1 >/dev/null

	read -r lo hi <<<"$MX_GUEST_RANGE"
	out=$(mx_py sport "$FI_TMP/sport.pcap" $G4 "$lo" "$hi" "$MX_FLOWS")
	fi_log "kernel's flows: $out"
	((bad == 0)) || MX_WHY+=("$bad of $MX_FLOWS parallel streams came back damaged")
	[[ $out == OK* ]] || MX_WHY+=("kernel: ${out#BAD }")
	mx_report "$name: $MX_FLOWS parallel flows from the kernel on distinct ports in $lo-$hi, one port per flow"
	MX_EXTRA+=("encap-sport auto, kernel flows|$MX_RES")

	MX_WHY=()
	read -r lo hi <<<"$MX_HOST_RANGE"
	out=$(mx_py sport "$FI_TMP/sport.pcap" $H4 "$lo" "$hi" "$MX_FLOWS")
	fi_log "foud's flows: $out"
	((bad == 0)) || MX_WHY+=("$bad of $MX_FLOWS parallel streams came back damaged")
	[[ $out == OK* ]] || MX_WHY+=("foud: ${out#BAD }")
	mx_report "$name: $MX_FLOWS parallel flows from foud on distinct ports in $lo-$hi, one port per flow"
	MX_EXTRA+=("encap-sport auto, foud flows|$MX_RES")
}
mx_want "encap-sport" && mx_sport

# A fou port bound to peer 192.0.2.2 peer_port 6000: the kernel's tunnel with
# encap-sport 6000 gets through, the same tunnel from source port 6001 is
# counted under unknown_peer and reaches no tunnel.
mx_peer() {
	local name="fou port with peer/peer_port" out sent
	MX_WHY=()
	if ! mx_budget_left; then
		MX_WHY+=("not run: time budget of ${MX_BUDGET}s used up")
		mx_report "$name"; MX_EXTRA+=("fou peer/peer_port: the peer gets through|$MX_RES")
		mx_report "$name"; MX_EXTRA+=("fou peer/peer_port: other source port -> unknown_peer|$MX_RES")
		return
	fi
	fi_ctl fou add port 5570 ipproto 4 peer $G4 peer_port 6000 || MX_WHY+=("fouctl fou add port 5570 ... peer failed")
	mx_tunnel "$name: the kernel from $G4:6000 gets through" 4 4 4 \
		"type ipip remote $G4 local $H4 encap fou encap-sport auto encap-dport 5555" \
		"type ipip remote $H4 local $G4 encap fou encap-sport 6000 encap-dport 5570" "" port5570
	MX_EXTRA+=("fou peer/peer_port: the peer gets through|$MX_RES")

	MX_WHY=()
	fi_log "case $name: another source port"
	fi_ctl link add name m1 type ipip remote $G4 local $H4 encap fou encap-sport auto encap-dport 5555
	sleep 0.2
	ip -n "$FI_NS" addr add $I4H/30 dev m1
	ip -n "$FI_NS" link set m1 up
	mx_foud_snap "$FI_TMP/snap0"
	out=$(kp_exec -t 30 "ip link add name m1 type ipip remote $H4 local $G4 encap fou encap-sport 6001 encap-dport 5570 && ip addr add $I4G/30 dev m1 && ip link set m1 up && ping -c 10 -i 0.1 -W 1 -w 3 $I4H >/dev/null; echo SENT \$(cat /sys/class/net/m1/statistics/tx_packets); ip link del m1")
	sent=$(sed -n 's/^SENT //p' <<<"$out")
	mx_foud_snap "$FI_TMP/snap1"
	local lrx="" unk=0 k v rest
	while read -r k v rest; do
		case "$k $v" in
		"cnt link.rx.packets") lrx=$rest ;;
		"drop port5570.rx.unknown_peer="*) unk=${v#*=} ;;
		"drop "*) MX_WHY+=("unexpected drop $v") ;;
		esac
	done < <(mx_py snapdiff "$FI_TMP/snap0" "$FI_TMP/snap1")
	fi_log "the guest sent ${sent:-?} packets from port 6001; foud: m1 rx +${lrx:-?}, port 5570 unknown_peer +$unk"
	if [[ -z $sent || $sent -lt 10 ]]; then
		MX_WHY+=("the guest sent ${sent:-no} packets, expected 10")
	else
		((unk >= sent)) || MX_WHY+=("port 5570 counted $unk unknown_peer of $sent datagrams from $G4:6001")
	fi
	[[ $lrx == 0 ]] || MX_WHY+=("m1 received ${lrx:-?} packets through a port bound to another peer")
	if [[ ${#MX_WHY[@]} -gt 0 ]]; then
		fi_fouctl -s link show m1 >&2
		fi_fouctl -s fou show >&2
	fi
	fi_fouctl link del m1 >/dev/null
	fi_ctl fou del port 5570 ipproto 4 peer $G4 peer_port 6000 >/dev/null
	mx_report "$name: datagrams from $G4:6001 counted under unknown_peer, none decapsulated"
	MX_EXTRA+=("fou peer/peer_port: other source port -> unknown_peer|$MX_RES")
}
mx_want "peer_port" && mx_peer

# ---- summary ---------------------------------------------------------------

# Every cell ran on the data path this run asked for (when cells ran: MX_ONLY).
if ((MX_DP_BPF + MX_DP_US > 0)); then
	case " ${FOUD_TEST_OPTS:-} " in
	*" -D userspace "*) [[ $MX_DP_BPF -eq 0 ]]; dpok=$? ;;
	*) [[ $MX_DP_BPF -gt 0 ]]; dpok=$? ;;
	esac
	MX_N=$((MX_N + 1))
	dpmsg="data paths: $MX_DP_BPF cells on BPF, $MX_DP_US on userspace (FOUD_TEST_OPTS='${FOUD_TEST_OPTS:-}')"
	if [[ $dpok -eq 0 ]]; then
		echo "ok $MX_N - $dpmsg"
	else
		echo "not ok $MX_N - $dpmsg"
		MX_DETAILS+=("$dpmsg")
	fi
fi

echo "# interop matrix against Linux $(kp_exec uname -r 2>/dev/null) (guest GRO off), $MX_N cases in $((SECONDS - MX_T0))s after boot:"
printf '# %-22s' "kind / encap"
for col in "${MX_COLS[@]::${#MX_COLS[@]}-1}"; do printf ' %-7s' "$col"; done
echo " ${MX_COLS[-1]}"
for rowspec in "${MX_ROWS[@]}"; do
	row=${rowspec%%|*}
	printf '# %-22s' "$row"
	line=""
	for col in "${MX_COLS[@]}"; do line+=$(printf ' %-7s' "${MX_CELL["$row|$col"]:-?}"); done
	echo "${line%"${line##*[! ]}"}"
done
echo "#   (ip6tnl any: IPv4 and IPv6 inner on one link; n/a over FOU, whose port carries one inner protocol)"
for e in "${MX_EXTRA[@]}"; do
	printf '# %-55s %s\n' "${e%|*}" "${e##*|}"
done
for d in "${MX_NOTES[@]}"; do
	printf '# note: %s\n' "$d"
done
for d in "${MX_DETAILS[@]}"; do
	printf '# FAIL %s\n' "$d"
	FI_FAILED=1
done
fi_done
