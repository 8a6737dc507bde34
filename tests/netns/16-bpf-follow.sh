#!/usr/bin/env bash
# The BPF data path follows the network after link add: two namespaces joined
# by two veth pairs (two underlay paths), an IPIP-over-FOU tunnel on BPF.
# The route to the remote moves from the first pair to the second: traffic
# follows on BPF, the old link sees none of it and loses foud's program. The
# underlay MTU drops: the tunnel device MTU and the programs' limit follow
# (and a userspace tunnel's MTU too). The tunnel device goes down: what
# arrives is counted as link_down by the program, exactly. The route goes
# away: packets are counted as no_route, foud says so once, and the tunnel
# recovers when the route returns. A burst of route changes is one look. A
# tunnel added with no route gets its transmit program when one appears.
. "$(dirname "$0")/lib.sh"
setup_hosts

# The second underlay path; no IPv6 on the underlays, so that nothing but the
# tunnel's packets moves their counters.
ip link add va2 netns "$NSA" type veth peer name vb2 netns "$NSB" || exit 1
na ip addr add 10.99.2.1/24 dev va2; nb ip addr add 10.99.2.2/24 dev vb2
for d in va va2; do na sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1"; done
for d in vb vb2; do nb sysctl -qw "net.ipv6.conf.$d.disable_ipv6=1"; done
na ip link set va2 up; nb ip link set vb2 up
start_foud a -v
start_foud b

jqa() { fa -j -s -d link show "${2:-t1}" | jq -r ".[0]$1"; }
jqb() { fb -j -s -d link show "${2:-t1}" | jq -r ".[0]$1"; }
# Waits up to 3 s for a shell condition (a string, evaluated each time) to hold.
wait_for() { local i; for i in $(seq 30); do eval "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; eval "$1"; }
# A device's packet or byte counter: devcount NS DEV rx|tx [packets|bytes].
devcount() { ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3_${4:-packets}"; }
# Whether foud's receive program is on a device: a TCX link the foud holds
# (its fdinfo names the device and direction) or a clsact filter.
# attached_egress: the same for the transmit program on a tunnel device.
attached() { # attached a|b DEV [ingress|egress]
	local ns=$NSA pid=${PIDS[0]} dir=${3:-ingress} idx f
	[ "$1" = b ] && { ns=$NSB; pid=${PIDS[1]}; }
	ip netns exec "$ns" tc filter show dev "$2" "$dir" 2>/dev/null | grep -q "foud_$dir" && return 0
	idx=$(ip netns exec "$ns" cat "/sys/class/net/$2/ifindex") || return 1
	for f in /proc/"$pid"/fdinfo/*; do
		grep -q '^link_type:.*tcx' "$f" 2>/dev/null && grep -qE "^ifindex:\s+$idx\$" "$f" &&
			grep -q "^attach_type:.*$dir" "$f" && return 0
	done
	return 1
}
attached_egress() { attached "$1" "$2" egress; }

for f in fa fb; do $f fou add port 5555 ipproto 4; done
fa link add name t1 type ipip remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555
fb link add name t1 type ipip remote $A4 local $B4 encap fou encap-sport auto encap-dport 5555
dev_up a t1 10.1.0.1/30; dev_up b t1 10.1.0.2/30

# ---- path 1: va/vb --------------------------------------------------------
check "t1 on BPF, underlay va (a) and vb (b)" test "$(jqa .foud.datapath)$(jqa .foud.underlay)$(jqb .foud.underlay)" = bpfvavb
check "path 1: ping over BPF" na ping -c 3 -i 0.2 -W 2 10.1.0.2
check "fouctl -d names the state and the underlay" grep -q "state up underlay va path-mtu 1500" <(fa -d link show t1)
check "path 1: TCP 8 MiB a->b, sha256 matches" tcp_transfer a 10.1.0.2 8
atx=$(jqa .stats64.tx.packets) abtx=$(jqa .foud.bpf_stats64.tx.packets)
brx=$(jqb .stats64.rx.packets) bbrx=$(jqb .foud.bpf_stats64.rx.packets)
check "path 1: every packet a sent went through BPF ($abtx of $atx)" test "$atx" -gt 1000 -a "$abtx" -eq "$atx"
check "path 1: every packet b received came through BPF ($bbrx of $brx)" test "$brx" -gt 1000 -a "$bbrx" -eq "$brx"
check "path 1: foud_ingress on va and vb, not on va2" eval 'attached a va && attached b vb && ! attached a va2'

# ---- the route moves to path 2: va2/vb2 ------------------------------------
# The /32 via the second pair; the connected /24 on the first pair goes, so
# that nothing routes by it any more.
na ip route add $B4/32 via 10.99.2.2 dev va2; na ip route del 192.0.2.0/24 dev va
nb ip route add $A4/32 via 10.99.2.1 dev vb2; nb ip route del 192.0.2.0/24 dev vb
check "a follows the route: underlay va2" wait_for 'test "$(jqa .foud.underlay)" = va2'
check "b follows the route: underlay vb2" wait_for 'test "$(jqb .foud.underlay)" = vb2'
check "a's log says where the route went" grep -q "t1: route to $B4 moved from va to va2" "$TMP/foud-a.log"
va0=$(devcount "$NSA" va tx) vb0=$(devcount "$NSB" vb tx) v20=$(devcount "$NSA" va2 tx bytes)
atx0=$(jqa .stats64.tx.packets) abtx0=$(jqa .foud.bpf_stats64.tx.packets)
brx0=$(jqb .stats64.rx.packets) bbrx0=$(jqb .foud.bpf_stats64.rx.packets)
check "path 2: ping over BPF" na ping -c 3 -i 0.2 -W 2 10.1.0.2
check "path 2: TCP 8 MiB a->b, sha256 matches" tcp_transfer a 10.1.0.2 8
atx=$(( $(jqa .stats64.tx.packets) - atx0 )) abtx=$(( $(jqa .foud.bpf_stats64.tx.packets) - abtx0 ))
brx=$(( $(jqb .stats64.rx.packets) - brx0 )) bbrx=$(( $(jqb .foud.bpf_stats64.rx.packets) - bbrx0 ))
check "path 2: every packet a sent went through BPF ($abtx of $atx)" test "$atx" -gt 1000 -a "$abtx" -eq "$atx"
check "path 2: every packet b received came through BPF ($bbrx of $brx)" test "$brx" -gt 1000 -a "$bbrx" -eq "$brx"
v2=$(( $(devcount "$NSA" va2 tx bytes) - v20 ))
check "path 2: va2 carried them ($v2 bytes out)" test "$v2" -ge $((8 * 1048576))
check "path 2: the old link saw none (va tx +$(( $(devcount "$NSA" va tx) - va0 )), vb tx +$(( $(devcount "$NSB" vb tx) - vb0 )))" \
	test "$(devcount "$NSA" va tx)" -eq "$va0" -a "$(devcount "$NSB" vb tx)" -eq "$vb0"
check "path 2: foud_ingress moved from va to va2 (and vb to vb2)" \
	eval 'attached a va2 && ! attached a va && attached b vb2 && ! attached b vb'
check "path 2: no drops" test "$(jqa .stats64.tx.dropped)$(jqb .stats64.rx.dropped)" = 00

# ---- a burst of route changes is one look, not hundreds ---------------------
for i in $(seq 300); do echo "route add 10.200.$((i / 200)).$((i % 200))/32 dev va2"; done >"$TMP/burst"
n0=$(grep -c "looked again" "$TMP/foud-a.log")
na ip -batch "$TMP/burst"
sleep 0.5
looks=$(( $(grep -c "looked again" "$TMP/foud-a.log") - n0 ))
msgs=$(grep "looked again" "$TMP/foud-a.log" | tail -n "$looks" | sed -E 's/.*\(([0-9]+) netlink.*/\1/' | awk '{ s += $1 } END { print s + 0 }')
check "300 route adds in one burst: $looks look(s) at the tunnels for ${msgs:-0} messages" \
	test "$looks" -ge 1 -a "$looks" -le 3 -a "${msgs:-0}" -ge 300

# ---- the underlay MTU drops: tunnel MTUs and the BPF limit follow -----------
fa link add name u1 type gre remote $B4 local $A4 datapath userspace
dev_up a u1 10.3.0.1/30
check "userspace tunnel u1: mtu 1476, underlay va2" test "$(jqa .mtu u1)$(jqa .foud.underlay u1)" = 1476va2
na ip link set va2 mtu 1400; nb ip link set vb2 mtu 1400
check "a's t1 follows: mtu 1372 (1400 - 28)" wait_for 'test "$(na cat /sys/class/net/t1/mtu)" = 1372'
check "b's t1 follows: mtu 1372" wait_for 'test "$(nb cat /sys/class/net/t1/mtu)" = 1372'
check "fouctl says mtu 1372, path-mtu 1400" test "$(jqa .mtu)/$(jqa .foud.path_mtu)" = 1372/1400
check "the userspace tunnel u1 follows too: mtu 1376 (1400 - 24)" test "$(na cat /sys/class/net/u1/mtu)/$(jqa .mtu u1)" = 1376/1376
check "a's log says so" grep -q "t1: mtu 1472 -> 1372 (path mtu 1400)" "$TMP/foud-a.log"
out=$(na ping -M do -s 1444 -c 1 -W 2 10.1.0.2 2>&1)
check "DF ping sized for the old MTU (1472) is refused at the device: mtu=1372" grep -q "mtu=1372" <<<"$out"
t0=$(jqa .foud.bpf_stats64.tx.packets)
check "a DF ping that fits (1372) crosses" na ping -M do -s 1344 -c 1 -W 2 10.1.0.2
check "... over BPF" test "$(( $(jqa .foud.bpf_stats64.tx.packets) - t0 ))" -eq 1
# The device MTU set by hand stays; the programs' limit still follows the path.
na ip link set t1 mtu 1472
na ip route add 10.201.0.0/24 dev va2	# a change, so foud looks again
check "t1 mtu set by hand to 1472: foud keeps it" wait_for 'grep -q "t1: mtu 1472 set by hand" "$TMP/foud-a.log"'
check "... the device still has 1472" test "$(na cat /sys/class/net/t1/mtu)" = 1472
m0=$(jqa .foud.drops.tx.mtu)
out=$(na ping -M do -s 1444 -c 1 -W 2 10.1.0.2 2>&1)
check "DF ping of 1472 through the 1472 device: 'Frag needed ... mtu = 1372' from the BPF limit" grep -q "mtu = 1372" <<<"$out"
check "... counted as one tx drop under mtu" test "$(( $(jqa .foud.drops.tx.mtu) - m0 ))" -eq 1
check "... and 1372 still crosses" na ping -M do -s 1344 -c 1 -W 2 10.1.0.2

# ---- the tunnel device goes down: the program counts link_down --------------
na ip link set t1 down
check "foud saw t1 go down" wait_for 'fa -d link show t1 | grep -q "state down"'
d0=$(jqa .foud.drops.rx.link_down) bd0=$(jqa .foud.bpf_drops.rx.link_down)
nb ping -c 5 -i 0.2 -W 1 10.1.0.1 >/dev/null 2>&1
d=$(( $(jqa .foud.drops.rx.link_down) - d0 )) bd=$(( $(jqa .foud.bpf_drops.rx.link_down) - bd0 ))
check "5 pings from b into the down t1: link_down +$d (exactly 5)" test "$d" -eq 5
check "... all counted by the BPF program ($bd), none by userspace ($(( d - bd )))" test "$bd" -eq 5
na ip link set t1 up
check "foud saw t1 come up" wait_for 'fa -d link show t1 | grep -q "state up"'
check "t1 up again: ping from b" nb ping -c 3 -i 0.2 -W 2 10.1.0.1
check "... and no more link_down" test "$(( $(jqa .foud.drops.rx.link_down) - d0 ))" -eq 5

# ---- the route goes away: no_route, said once; it comes back ----------------
na ip route del $B4/32
check "no route: fouctl says underlay none" wait_for 'fa -d link show t1 | grep -q "underlay none (no route)"'
check "no route: the log says so" grep -q "t1: no route to $B4: its packets are dropped (no_route)" "$TMP/foud-a.log"
check "no route: foud_ingress left va2 (no tunnel uses it)" eval '! attached a va2'
r0=$(jqa .foud.drops.tx.no_route) br0=$(jqa .foud.bpf_drops.tx.no_route)
# Four UDP datagrams, one send each (ping would retry: a drop in TC is ENOBUFS to a local sender).
na bash -c 'for i in 1 2 3 4; do echo x >/dev/udp/10.1.0.2/9; done' 2>/dev/null
r=$(( $(jqa .foud.drops.tx.no_route) - r0 )) br=$(( $(jqa .foud.bpf_drops.tx.no_route) - br0 ))
check "4 datagrams without a route: no_route +$r (exactly 4, $br by BPF)" test "$r" -eq 4 -a "$br" -eq 4
u0=$(jqa .foud.drops.tx.no_route u1)
na bash -c 'for i in 1 2 3; do echo x >/dev/udp/10.3.0.2/9; done' 2>/dev/null
check "the userspace tunnel u1 too: 3 datagrams, no_route +3 (foud's raw send: ENETUNREACH)" \
	wait_for 'test "$(( $(jqa .foud.drops.tx.no_route u1) - u0 ))" -eq 3'
na ip route add 10.202.0.0/24 dev va2	# another change: still no route, nothing more said
sleep 0.3
check "the no-route line was logged once" test "$(grep -c "t1: no route to $B4" "$TMP/foud-a.log")" -eq 1
na ip route add $B4/32 via 10.99.2.2 dev va2
check "route back: underlay va2 again" wait_for 'test "$(jqa .foud.underlay)" = va2'
check "the log says it is back" grep -q "t1: route to $B4 is back, via va2" "$TMP/foud-a.log"
check "route back: foud_ingress on va2 again" attached a va2
t0=$(jqa .foud.bpf_stats64.tx.packets)
check "route back: ping over BPF" na ping -c 3 -i 0.2 -W 2 10.1.0.2
check "... 3 echo requests by BPF" test "$(( $(jqa .foud.bpf_stats64.tx.packets) - t0 ))" -eq 3
check "route back: TCP 4 MiB a->b, sha256 matches" tcp_transfer a 10.1.0.2 4
check "t1 keeps its transmit program" attached_egress a t1

# ---- no route at link add: the transmit program waits for one -------------
# (each attach waits for an RCU grace period; 1000 route-less tunnels took 12 s)
nb ip addr add 10.99.3.2/32 dev vb2
fa link add name t2 type ipip remote 10.99.3.2 local 10.99.2.1 encap fou encap-sport auto encap-dport 5555
fb link add name t2 type ipip remote 10.99.2.1 local 10.99.3.2 encap fou encap-sport auto encap-dport 5555
dev_up a t2 10.2.0.1/30; dev_up b t2 10.2.0.2/30
check "t2, no route to 10.99.3.2: datapath bpf, underlay none" \
	test "$(jqa .foud.datapath t2)$(jqa .foud.underlay t2)" = bpfnull
check "t2: no transmit program yet" eval '! attached_egress a t2'
r0=$(jqa .foud.drops.tx.no_route t2)
na bash -c 'for i in 1 2 3; do echo x >/dev/udp/10.2.0.2/9; done'
check "t2: 3 datagrams sent without error, no_route +3 by foud, none by BPF" \
	wait_for 'test "$(( $(jqa .foud.drops.tx.no_route t2) - r0 ))" -eq 3 -a "$(jqa .foud.bpf_drops.tx.no_route t2)" -eq 0'
na ip route add 10.99.3.2/32 dev va2
check "t2: route added, underlay va2" wait_for 'test "$(jqa .foud.underlay t2)" = va2'
check "t2: the transmit program is on t2" attached_egress a t2
t0=$(jqa .foud.bpf_stats64.tx.packets t2)
check "t2: ping over BPF" na ping -c 3 -i 0.2 -W 2 10.2.0.2
check "... 3 echo requests by BPF" test "$(( $(jqa .foud.bpf_stats64.tx.packets t2) - t0 ))" -eq 3
finish
