#!/usr/bin/env bash
# The BPF data path: which tunnels it takes and why not the others (options,
# missing privileges), traffic that bypasses foud (the programs' counters
# carry it all, summed into fouctl -s), several tunnels at once told apart by GRE key, IPv6 underlays,
# and cleanup: link del, SIGTERM, kill -9 (TCX links; the devices stay for the
# next foud, which removes those it has not), and clsact filters
# (FOUD_BPF_TC=1, the older kernels' way) removed on exit, and after a
# kill -9 by the next foud's start.
. "$(dirname "$0")/lib.sh"
setup_hosts
start_foud a
start_foud b
bpftool version >/dev/null 2>&1 || skip "bpftool missing (scripts/install-deps.sh installs it)"

jqa() { fa -j -s -d link show "$1" | jq -r ".[0]$2"; }
jqb() { fb -j -s -d link show "$1" | jq -r ".[0]$2"; }
INJECT=$ROOT/tests/tools/inject.py
# BPF object ids (prog_id, link_id) a process holds, from its fdinfo.
bpf_ids() { grep -h -E '^(prog_id|link_id):' /proc/"$1"/fdinfo/* 2>/dev/null | sort -u; }
# Which of those ids still exist.
bpf_alive() {
	local k v n=0
	while read -r k v; do
		case $k in
		prog_id:) bpftool prog show id "$v" >/dev/null 2>&1 && n=$((n + 1)) ;;
		link_id:) bpftool link show id "$v" >/dev/null 2>&1 && n=$((n + 1)) ;;
		esac
	done <"$1"
	echo $n
}

for f in fa fb; do $f fou add port 5555 ipproto 4; $f fou add port 5556 ipproto 47; done

# ---- ipip over fou, no extra words: BPF, all traffic in the kernel ---------
fa link add name t1 type ipip remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555
fb link add name t1 type ipip remote $A4 local $B4 encap fou encap-sport auto encap-dport 5555
dev_up a t1 10.1.0.1/24; dev_up b t1 10.1.0.2/24
check "ipip/fou: fouctl -d says datapath bpf" grep -q "datapath bpf" <(fa -d link show t1)
check "ipip/fou: ping over BPF" na ping -c 3 -i 0.2 -W 2 10.1.0.2
check "ipip/fou: TCP 32 MiB a->b over BPF, sha256 matches" tcp_transfer a 10.1.0.2 32
atx=$(jqa t1 .stats64.tx.packets) abtx=$(jqa t1 .foud.bpf_stats64.tx.packets)
brx=$(jqb t1 .stats64.rx.packets) bbrx=$(jqb t1 .foud.bpf_stats64.rx.packets)
check "ipip/fou: every packet a sent went through BPF ($abtx of $atx)" test "$atx" -gt 1000 -a "$abtx" -eq "$atx"
check "ipip/fou: every packet b received came through BPF ($bbrx of $brx)" test "$brx" -gt 1000 -a "$bbrx" -eq "$brx"
check "ipip/fou: a tx $atx = b rx $brx, no drops" test "$atx" -eq "$brx" -a "$(jqb t1 .stats64.rx.dropped)" -eq 0
check "ipip/fou: b's port 5555 counted them too" test "$(port_counter b 5555 .stats64.rx.packets)" -eq "$brx"
# A twin (same type and addresses, as Linux judges it) is refused at link add: it must not take t1's receive key.
check "ipip/fou twin: datapath bpf refused" bash -c "! $FOUCTL -S $TMP/b.sock link add name t1x type ipip remote $A4 local $B4 encap fou encap-sport auto encap-dport 5555 datapath bpf"
r0=$(jqb t1 .foud.bpf_stats64.rx.packets)
na ping -c 3 -i 0.2 -W 2 10.1.0.2 >/dev/null
r1=$(jqb t1 .foud.bpf_stats64.rx.packets)
check "ipip/fou: t1 still receives its 3 pings over BPF after the twin's refusal ($((r1 - r0)))" test $((r1 - r0)) -eq 3

# ---- several tunnels between the same hosts, told apart by GRE key ---------
for k in 1 2; do
	fa link add name g$k type gre remote $B4 local $A4 key $k encap fou encap-sport auto encap-dport 5556
	fb link add name g$k type gre remote $A4 local $B4 key $k encap fou encap-sport auto encap-dport 5556
	dev_up a g$k 10.2.$k.1/24; dev_up b g$k 10.2.$k.2/24
done
check "gre key 1 and key 2: both BPF" test "$(jqa g1 .foud.datapath)$(jqa g2 .foud.datapath)" = bpfbpf
check "gre key 1: TCP 8 MiB, sha256 matches" tcp_transfer a 10.2.1.2 8
g2rx=$(jqb g2 .stats64.rx.packets)
check "gre key 2: ping" na ping -c 3 -i 0.2 -W 2 10.2.2.2
check "gre key 2 saw only its 3 pings ($(( $(jqb g2 .stats64.rx.packets) - g2rx )))" \
	test $(( $(jqb g2 .stats64.rx.packets) - g2rx )) -eq 3
check "gre key 1 counted its transfer, no drops" test "$(jqb g1 .foud.bpf_stats64.rx.packets)" -gt 1000 -a "$(jqb g1 .stats64.rx.dropped)" -eq 0

# ---- IPv6 underlay: BPF needs noencap-udp6-csum -----------------------------
for f in fa fb; do $f fou add port 5557 ipproto 41 -6; $f fou add port 6080 gue -6; done
fa link add name s6 type ip6tnl remote $B6 local $A6 encap fou encap-sport auto encap-dport 5557
check "ip6tnl/fou with the default udp6 checksum: userspace, says why" \
	grep -q "datapath userspace (encap-udp6-csum" <(fa -d link show s6)
fa link del s6
fa link add name s6 type ip6tnl remote $B6 local $A6 encap fou encap-sport auto encap-dport 5557 noencap-udp6-csum
fb link add name s6 type ip6tnl remote $A6 local $B6 encap fou encap-sport auto encap-dport 5557 noencap-udp6-csum
dev_up a s6 "" fd00:6::1/64; dev_up b s6 "" fd00:6::2/64
check "ip6tnl/fou noencap-udp6-csum: BPF" test "$(jqa s6 .foud.datapath)$(jqb s6 .foud.datapath)" = bpfbpf
check "ip6tnl/fou: ping6 over BPF" na ping -6 -c 3 -i 0.2 -W 2 fd00:6::2
check "ip6tnl/fou: TCP 8 MiB over BPF, sha256 matches" tcp_transfer a fd00:6::2 8
check "ip6tnl/fou: b received it through BPF" test "$(jqb s6 .foud.bpf_stats64.rx.packets)" -eq "$(jqb s6 .stats64.rx.packets)"
# a sums its datagrams now (encap-udp6-csum, in software: va without tx
# checksumming) and nothing at b verifies them: b's program sums them itself.
fa link set s6 encap-udp6-csum; na ethtool -K va tx off >/dev/null
r0=$(jqb s6 .stats64.rx.packets) bb0=$(jqb s6 .foud.bpf_stats64.rx.packets)
check "ip6tnl/fou, a with encap-udp6-csum: ping6" na ping -6 -c 3 -i 0.2 -W 2 fd00:6::2
r1=$(($(jqb s6 .stats64.rx.packets) - r0)) bb1=$(($(jqb s6 .foud.bpf_stats64.rx.packets) - bb0))
check "... summed by b's program (IPv6 pseudo-header): all $r1 through BPF ($bb1)" test "$r1" -ge 3 -a "$bb1" -eq "$r1"
na ethtool -K va tx on >/dev/null
fa link add name e6 type ip6gre remote $B6 local $A6 key 9 encap gue encap-sport auto encap-dport 6080 noencap-udp6-csum
fb link add name e6 type ip6gre remote $A6 local $B6 key 9 encap gue encap-sport auto encap-dport 6080 noencap-udp6-csum
dev_up a e6 10.6.0.1/24; dev_up b e6 10.6.0.2/24
check "ip6gre/gue key: BPF" test "$(jqa e6 .foud.datapath)$(jqb e6 .foud.datapath)" = bpfbpf
check "ip6gre/gue key: TCP 8 MiB (inner IPv4) over BPF, sha256 matches" tcp_transfer a 10.6.0.2 8
fa link del s6; fb link del s6; fa link del e6; fb link del e6

# ---- checksummed datagrams, GRO on the receiver's underlay -----------------
# A sender with encap-csum (userspace, summed in software: a's veth without
# tx checksumming) into b's BPF tunnel, b's veth in NAPI mode (gro on), whose
# GRO verifies the sums as a NIC would: the port's sockets (both of its
# verify-once pair) must not ask UDP GRO, or GRO merges the datagrams before
# the program sees them, and foud takes them all.
fa link add name c1 type gre remote $B4 local $A4 key 7 encap fou encap-sport auto encap-dport 5556 encap-csum datapath userspace
fb link add name c1 type gre remote $A4 local $B4 key 7 encap fou encap-sport auto encap-dport 5556
dev_up a c1 10.7.0.1/24; dev_up b c1 10.7.0.2/24
na ethtool -K va tx off >/dev/null; nb ethtool -K vb gro on >/dev/null
check "csum into BPF, gro on: TCP 8 MiB a->b, sha256 matches" tcp_transfer a 10.7.0.2 8
brx=$(jqb c1 .stats64.rx.packets) bbrx=$(jqb c1 .foud.bpf_stats64.rx.packets)
check "csum into BPF, gro on: every packet b received came through BPF ($bbrx of $brx)" \
	test "$brx" -gt 1000 -a "$bbrx" -eq "$brx"
# GRO off: nothing verified the sums (a's veth sums in software: CHECKSUM_NONE at
# b), so the program sums each datagram itself, as udp_rcv() would.
nb ethtool -K vb gro off >/dev/null
brx0=$(jqb c1 .stats64.rx.packets) bbrx0=$(jqb c1 .foud.bpf_stats64.rx.packets)
check "csum into BPF, gro off: TCP 8 MiB a->b, sha256 matches" tcp_transfer a 10.7.0.2 8
brx=$(($(jqb c1 .stats64.rx.packets) - brx0)) bbrx=$(($(jqb c1 .foud.bpf_stats64.rx.packets) - bbrx0))
check "csum into BPF, gro off: summed by the program, every packet b received came through BPF ($bbrx of $brx)" \
	test "$brx" -gt 1000 -a "$bbrx" -eq "$brx"
# One datagram for c1 (GRE key 7, a TCP segment) with a right sum, one whose
# payload changed after its sum: the first through BPF, the second the kernel's drop.
gre7="2000080000000007$(python3 "$INJECT" tcpseg 10.7.0.1 10.7.0.2 1 100)"
r0=$(jqb c1 .foud.bpf_stats64.rx.packets) e0=$(csum_errors b)
check "inject: a right sum nothing verified (raw socket)" na python3 "$INJECT" udpraw $A4 40000 $B4 5556 "$gre7" ok
settle "jqb c1 .foud.bpf_stats64.rx.packets" $((r0 + 1))
check "... summed by the program: through BPF, exactly one ($r0 -> $(jqb c1 .foud.bpf_stats64.rx.packets))" \
	test "$(jqb c1 .foud.bpf_stats64.rx.packets)" -eq $((r0 + 1))
r0=$(jqb c1 .foud.bpf_stats64.rx.packets)
check "inject: a wrong sum" na python3 "$INJECT" udpstale $A4 $B4 5556 "$gre7"
settle "csum_errors b" $((e0 + 1))
check "... not through BPF: the kernel dropped it, CsumErrors +1 ($e0 -> $(csum_errors b))" \
	test "$(csum_errors b)" -eq $((e0 + 1)) -a "$(jqb c1 .foud.bpf_stats64.rx.packets)" -eq "$r0"
nb ethtool -K vb gro on >/dev/null
fa link add name x1 type vxlan id 77 remote $B4 local $A4 dstport 4789 udpcsum datapath userspace
fb link add name x1 type vxlan id 77 remote $A4 local $B4 dstport 4789 noudpcsum
dev_up a x1 10.8.0.1/24; dev_up b x1 10.8.0.2/24
check "vxlan udpcsum into BPF, gro on: TCP 8 MiB a->b, sha256 matches" tcp_transfer a 10.8.0.2 8
brx=$(jqb x1 .stats64.rx.packets) bbrx=$(jqb x1 .foud.bpf_stats64.rx.packets)
# (A source's first frame and a stray neighbour probe go to foud by design.)
check "vxlan udpcsum into BPF, gro on: all but under 1% of b's frames came through BPF ($bbrx of $brx)" \
	test "$brx" -gt 1000 -a $(((brx - bbrx) * 100)) -lt "$brx"
nb ethtool -K vb gro off >/dev/null
brx0=$(jqb x1 .stats64.rx.packets) bbrx0=$(jqb x1 .foud.bpf_stats64.rx.packets)
check "vxlan udpcsum into BPF, gro off: TCP 8 MiB a->b, sha256 matches" tcp_transfer a 10.8.0.2 8
brx=$(($(jqb x1 .stats64.rx.packets) - brx0)) bbrx=$(($(jqb x1 .foud.bpf_stats64.rx.packets) - bbrx0))
check "vxlan udpcsum into BPF, gro off: summed by the program, all but under 1% through BPF ($bbrx of $brx)" \
	test "$brx" -gt 1000 -a $(((brx - bbrx) * 100)) -lt "$brx"
na ethtool -K va tx on >/dev/null; nb ethtool -K vb gro off >/dev/null
fa link del c1; fb link del c1; fa link del x1; fb link del x1

# ---- what stays on the userspace path, and the datapath word ----------------
fa link add name r1 type ipip remote 192.0.2.9 local $A4 encap gue encap-sport auto encap-dport 6080 encap-csum encap-remcsum
check "gue remcsum under auto: userspace, reason names remcsum" \
	grep -q "datapath userspace (encap-remcsum" <(fa -d link show r1)
check "gue remcsum: JSON datapath_reason" test "$(jqa r1 .foud.datapath_reason | grep -c remcsum)" = 1
fa link del r1
fa link add name r1 type ipip remote 192.0.2.9 local $A4 encap gue encap-sport auto encap-dport 6080 encap-csum encap-remcsum datapath bpf >"$TMP/refused" 2>&1
rc=$?
check "datapath bpf with remcsum is refused, naming why (exit $rc: $(head -c 120 "$TMP/refused"))" \
	test $rc -ne 0 -a "$(grep -c 'datapath bpf.*remcsum' "$TMP/refused")" = 1
check "... and no link r1 is left" test -z "$(fa link show 2>/dev/null | grep '^r1:')"
fa link add name u1 type ipip remote 192.0.2.9 local $A4 ttl 9 datapath userspace
check "datapath userspace: userspace (requested)" grep -q "datapath userspace (requested)" <(fa -d link show u1)
fa link del u1
fa link add name w1 type ipip remote $B4 local $A4 datapath fast >"$TMP/bad" 2>&1
rc=$?
check "datapath fast: refused, naming the word" test $rc -ne 0 -a "$(grep -c '"fast"' "$TMP/bad")" -ge 1
fa link add name k1 type gre remote $B4 local $A4 key 5 seq encap fou encap-sport auto encap-dport 5556
check "gre seq under auto: userspace, says why" grep -q "datapath userspace (GRE checksum or sequence" <(fa -d link show k1)
fa link del k1

# ---- no privilege for BPF: auto falls back, bpf is refused ------------------
fc() { "$FOUCTL" -S "$TMP/c.sock" "$@"; }
ip netns exec "$NSA" setpriv --bounding-set=-bpf,-sys_admin,-perfmon "$FOUD" -f -S "$TMP/c.sock" 2>>"$TMP/foud-c.log" &
PIDS+=($!)
for i in $(seq 50); do [ -S "$TMP/c.sock" ] && break; sleep 0.1; done
fc link add name c1 type ipip remote 192.0.2.9 local $A4 encap fou encap-sport auto encap-dport 5555
check "without CAP_BPF: auto says userspace, and why" \
	grep -q "datapath userspace (cannot load the BPF programs: Operation not permitted)" <(fc -d link show c1)
fc link add name c2 type ipip remote 192.0.2.10 local $A4 encap fou encap-dport 5555 datapath bpf >"$TMP/noperm" 2>&1
rc=$?
check "without CAP_BPF: datapath bpf is refused, naming why (exit $rc)" \
	test $rc -ne 0 -a "$(grep -c 'datapath bpf.*not permitted' "$TMP/noperm")" = 1
pc=${PIDS[-1]}
kill -TERM "$pc"; wait "$pc"; rc=$?
unset 'PIDS[-1]'
check "the foud without CAP_BPF exits 0" test $rc -eq 0

# ---- link del detaches; kill -9 leaves nothing ------------------------------
pa=${PIDS[0]}
bpf_ids "$pa" >"$TMP/ids-a"
check "foud a holds BPF programs and links ($(wc -l <"$TMP/ids-a") ids)" test "$(grep -c link_id "$TMP/ids-a")" -ge 2
fa link del g1; fa link del g2
bpf_ids "$pa" >"$TMP/ids-a2"
check "link del g1 g2: foud a still holds t1's, fewer links" test "$(grep -c link_id "$TMP/ids-a2")" -lt "$(grep -c link_id "$TMP/ids-a")"
kill -9 "$pa"; wait "$pa" 2>/dev/null
PIDS=("${PIDS[@]:1}")
for i in $(seq 30); do [ "$(bpf_alive "$TMP/ids-a")" = 0 ] && break; sleep 0.1; done
check "kill -9: none of foud a's BPF programs or links survive" test "$(bpf_alive "$TMP/ids-a")" = 0
check "kill -9: no tc filter on va's ingress" test -z "$(na tc filter show dev va ingress)"
check "kill -9: t1 stays (persistent), for the next foud" test -n "$(na ip -o link show t1 2>/dev/null)"

# ---- clsact filters instead of TCX (older kernels): removed on SIGTERM -------
rm -f "$TMP/a.sock"	# left by the killed foud
FOUD_BPF_TC=1 start_foud a
fa fou add port 5555 ipproto 4
check "the next foud, without t1 in its file, removed it" test -z "$(na ip -o link show t1 2>/dev/null)"
fa link add name t1 type ipip remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555
dev_up a t1 10.1.0.1/24
check "clsact: foud's filter on va ingress" grep -q "foud_ingress" <(na tc filter show dev va ingress)
check "clsact: foud's filter on t1 egress" grep -q "foud_egress" <(na tc filter show dev t1 egress)
check "clsact: TCP 8 MiB a->b, sha256 matches" tcp_transfer a 10.1.0.2 8
check "clsact: a sent it through BPF" test "$(jqa t1 .foud.bpf_stats64.tx.packets)" -gt 100
fa link del t1
check "clsact: link del removed the ingress filter" test -z "$(na tc filter show dev va ingress)"
fa link add name t1 type ipip remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555
pa=${PIDS[-1]}
kill -TERM "$pa"; wait "$pa"; rc=$?
unset 'PIDS[-1]'
check "clsact: foud exits 0 on SIGTERM" test $rc -eq 0
check "clsact: SIGTERM removed the ingress filter" test -z "$(na tc filter show dev va ingress)"
# A killed foud leaves its clsact filter; the next foud removes it at start.
rm -f "$TMP/a.sock"
FOUD_BPF_TC=1 start_foud a
fa fou add port 5555 ipproto 4
fa link add name t1 type ipip remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555
pa=${PIDS[-1]}
kill -9 "$pa"; wait "$pa" 2>/dev/null
unset 'PIDS[-1]'
check "clsact: kill -9 leaves the ingress filter (what the next start cleans)" \
	grep -q "foud_ingress" <(na tc filter show dev va ingress)
rm -f "$TMP/a.sock"
start_foud a
check "clsact: the next foud removed the stale filter at start" test -z "$(na tc filter show dev va ingress)"
check "... and says so in its log" grep -q "removed a stale foud filter from va ingress" "$TMP/foud-a.log"
finish
