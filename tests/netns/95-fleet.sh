#!/usr/bin/env bash
# Fleets from etcd: a three-member etcd cluster (started here, in the bridge's
# namespace) and three foud hosts whose VXLAN, Geneve, NVGRE and GRE-TAP devices carry "fleet" and no
# remote, no fdb typed by hand. Join: every pair pings. Leave: a foud killed
# with -9 (ttl 2) is gone from the others' forwarding tables within ttl + 1 s.
# A malformed node is refused by name, the rest undisturbed. One etcd member
# killed: pings go on with no loss, and a host that joins after it is reached.
# All of etcd down: the last state stays; a host back meanwhile is known soon
# after etcd returns. TLS: client certificates given are accepted, none refused.
# etcd's authentication: a wrong password refused (and said), the right one works.
# L3: ipip, gre and sit fleets over IPv4, an ip6tnl one over IPv6 (each node
# gives an address of each family); a restarted foud sweeps the routes of
# nodes that left while it was down.
. "$(dirname "$0")/lib.sh"
need_root
command -v etcd >/dev/null || skip "etcd missing (etcd-server)"
command -v etcdctl >/dev/null || skip "etcdctl missing (etcd-client)"
setup_bridge3

# ---- etcd: three members, clients on the bridge, peers on loopback --------
E4=192.0.2.100
ip -n "$NSU" addr add $E4/24 dev br0
ip -n "$NSU" link set lo up
EPS=http://$E4:23791,http://$E4:23792,http://$E4:23793
CLUSTER=e1=http://127.0.0.1:23801,e2=http://127.0.0.1:23802,e3=http://127.0.0.1:23803
EPID=()
etcd_start() { # etcd_start N: member eN (again, on its data directory)
	ip netns exec "$NSU" etcd --name e$1 --data-dir "$TMP/etcd$1" \
		--listen-client-urls http://$E4:2379$1 --advertise-client-urls http://$E4:2379$1 \
		--listen-peer-urls http://127.0.0.1:2380$1 --initial-advertise-peer-urls http://127.0.0.1:2380$1 \
		--initial-cluster $CLUSTER --initial-cluster-state new --initial-cluster-token foud-$ID \
		--heartbeat-interval 50 --election-timeout 500 >>"$TMP/etcd$1.log" 2>&1 &
	EPID[$1]=$!
	disown
}
etcd_start 1; etcd_start 2; etcd_start 3
# Killed by PID at exit, whatever happens.
trap 'for p in "${EPID[@]}"; do kill -9 "$p" 2>/dev/null; done; cleanup' EXIT
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }
ectl() { ip netns exec "$NSU" etcdctl --endpoints=$EPS --dial-timeout=1s --command-timeout=2s "$@"; }
for i in $(seq 100); do ectl endpoint health >/dev/null 2>&1 && break; sleep 0.1; done
check "etcd: three members healthy" ectl endpoint health

# ---- three hosts join ------------------------------------------------------
# An IPv6 underlay too, for the ip6tnl fleet (fl3): each node gives an address of each family.
C6=2001:db8::3
na ip addr add $A6/64 dev va nodad; nb ip addr add $B6/64 dev vb nodad; nc_ ip addr add $C6/64 dev vc nodad
# Each host's MAC stays the same across a restart, so that the others' ARP
# caches stay right and what is measured is the fleet.
# L3: fl0 (ipip over FOU, the default data path: BPF where it can), fl1
# (GRE over GUE, userspace) and fl2 (plain sit, IPv6 prefixes), each host's prefix 10.244.N.0/24 and 10.245.N.0/24,
# its own address .1 of it; the fleet routes the others' prefixes.
l3_join() { # l3_join a|b|c ADDR N
	local f=f$1 ns=$NSA; [ $1 = b ] && ns=$NSB; [ $1 = c ] && f=fc ns=$NSC
	$f fou add port 5555 ipproto 4 &&
	$f link add name fl0 type ipip local $2 encap fou encap-sport auto encap-dport 5555 \
		fleet prefix 10.244.$3.0/24 &&
	dev_up $1 fl0 10.244.$3.1/32 &&
	$f fou add port 6080 gue &&
	$f link add name fl1 type gre local $2 encap gue encap-sport auto encap-dport 6080 \
		fleet prefix 10.245.$3.0/24 datapath userspace &&
	dev_up $1 fl1 10.245.$3.1/32 &&
	$f link add name fl2 type sit local $2 fleet prefix fd00:$3::/64 &&
	dev_up $1 fl2 "" fd00:$3::1/128 &&
	$f link add name fl3 type ip6tnl local 2001:db8::$3 fleet prefix fd01:$3::/64 &&
	dev_up $1 fl3 "" fd01:$3::1/128 &&
	$f link add name fl4 type ip6gre local 2001:db8::$3 fleet prefix 10.246.$3.0/24 &&
	dev_up $1 fl4 10.246.$3.1/32
}
join() { # join a|b|c ADDR N [MAC's last byte]
	local f=f$1 ns=$NSA; [ $1 = b ] && ns=$NSB; [ $1 = c ] && f=fc ns=$NSC
	$f link add name vx0 type vxlan id 42 local $2 dstport 4789 fleet &&
	ip -n "$ns" link set vx0 address 02:00:00:00:00:${4:-0$3} &&
	dev_up $1 vx0 10.9.0.$3/24 &&
	$f link add name gv0 type geneve id 7 local $2 fleet &&
	ip -n "$ns" link set gv0 address 02:00:00:00:01:0$3 &&
	dev_up $1 gv0 10.10.0.$3/24 &&
	$f link add name nv0 type nvgre vsid 9 local $2 fleet &&
	ip -n "$ns" link set nv0 address 02:00:00:00:02:0$3 &&
	dev_up $1 nv0 10.11.0.$3/24 &&
	$f link add name gt0 type gretap local $2 key 77 fleet &&
	ip -n "$ns" link set gt0 address 02:00:00:00:03:0$3 &&
	dev_up $1 gt0 10.12.0.$3/24 &&
	l3_join $1 $2 $3 &&
	$f fleet etcd $EPS ttl 2 &&
	$f fleet node host-$1 address $2 address 2001:db8::$3
}
start_foud a; start_foud b; start_foud c
check "join: a" join a $A4 1
check "join: b" join b $B4 2
check "join: c" join c $C4 3
nodes_up() { # nodes_up a|b|c N: the fleet shows N nodes and is watching
	local f=f$1; [ $1 = c ] && f=fc
	[ "$($f -j fleet show | jq '[.nodes[] | select(.state != "refused")] | length')" = "$2" ] &&
	[ "$($f -j fleet show | jq -r .store.state)" = watching ]
}
wait_for() { # wait_for TENTHS command...: polls, true once command is
	local n=$1 i; shift
	for i in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
	return 1
}
check "join: link show says fleet" test "$(fa -j -d link show vx0 | jq '.[0].linkinfo.info_data.fleet')" = true
check "join: a sees the three nodes" wait_for 50 nodes_up a 3
check "join: b sees the three nodes" wait_for 50 nodes_up b 3
check "join: c sees the three nodes" wait_for 50 nodes_up c 3
check "ping a -> b over the fleet" na ping -c 2 -i 0.2 -W 2 10.9.0.2
check "ping a -> c over the fleet" na ping -c 2 -i 0.2 -W 2 10.9.0.3
check "ping b -> c over the fleet" nb ping -c 2 -i 0.2 -W 2 10.9.0.3
check "geneve: ping a -> b over the fleet" na ping -c 2 -i 0.2 -W 2 10.10.0.2
check "geneve: ping b -> c over the fleet" nb ping -c 2 -i 0.2 -W 2 10.10.0.3
check "nvgre: ping a -> c over the fleet" na ping -c 2 -i 0.2 -W 2 10.11.0.3
check "nvgre: ping c -> b over the fleet" nc_ ping -c 2 -i 0.2 -W 2 10.11.0.2
check "gretap: ping b -> a over the fleet" nb ping -c 2 -i 0.2 -W 2 10.12.0.1
check "gretap: ping a -> c over the fleet" na ping -c 2 -i 0.2 -W 2 10.12.0.3
check "geneve: a's flood entries to b and c" \
	test "$(fa -j fdb show dev gv0 | jq -r '[.[] | select(.mac == "00:00:00:00:00:00") | .dst] | sort | join(" ")')" = "$B4 $C4"
bmac=$(nb cat /sys/class/net/vx0/address)
check "fdb on a: b's MAC ($bmac) static to $B4, from b's publication" \
	test "$(fa -j fdb show dev vx0 | jq -r --arg m "$bmac" '.[] | select(.mac == $m) | .dst + " " + .state')" = "$B4 permanent"
check "fdb on a: flood entries to b and c, none to itself" \
	test "$(fa -j fdb show dev vx0 | jq -r '[.[] | select(.mac == "00:00:00:00:00:00") | .dst] | sort | join(" ")')" = "$B4 $C4"
# ---- L3: every pair pings between the prefixes, on both data paths ---------
routes_in() { # routes_in a|b|c DEV: the fleet's routes on DEV, "PREFIX via ADDR" sorted
	local ns=$NSA; [ $1 = b ] && ns=$NSB; [ $1 = c ] && ns=$NSC
	ip -n "$ns" -j route show dev $2 | jq -r '[.[] | select(.gateway) | .dst + " via " + .gateway] | sort | join(",")'
}
l3_routes() { [ "$(routes_in a fl0)" = "10.244.2.0/24 via $B4,10.244.3.0/24 via $C4" ]; }
check "l3: a routes b's and c's prefixes via their addresses" wait_for 30 l3_routes
check "l3: link show -d says fleet prefix" eval 'fa -d link show fl0 | grep -q "remote any local $A4 fleet prefix 10.244.1.0/24"'
check "l3: fleet show -j has b's prefix" \
	test "$(fa -j fleet show | jq -r '.nodes[] | select(.name == "host-b") | .devices[] | select(.kind == "ipip") | .prefix')" = 10.244.2.0/24
l3_ping() { # l3_ping FROM NS-fn NET N [WAIT]: FROM's address of NET pings N's, twice
	local from=$1 fn=$2 net=$3 to=$4
	$fn ping -c 2 -i 0.2 -W "${5:-2}" -I 10.$net.$from.1 10.$net.$to.1
}
l3_ping1() { # l3_ping1 FROM NS-fn NET N: once, for polling
	$2 ping -c 1 -W 1 -I 10.$3.$1.1 10.$3.$4.1 >/dev/null
}
for net in 244 245; do
	path=bpf; [ $net = 245 ] && path=userspace
	check "l3 $path: a -> b" l3_ping 1 na $net 2
	check "l3 $path: a -> c" l3_ping 1 na $net 3
	check "l3 $path: b -> c" l3_ping 2 nb $net 3
	check "l3 $path: c -> a" l3_ping 3 nc_ $net 1
done
# TCP's super-packets on the userspace path: each UDP GSO train to the node of its destination.
check "l3 userspace: 2 MiB of TCP a -> b over fl1 arrive intact" tcp_transfer a 10.245.2.1 2
check "l3 userspace: ... and b -> a" tcp_transfer b 10.245.1.1 2
# sit: IPv6 prefixes behind IPv4 nodes, routed without via (the families differ).
check "l3 sit: a routes b's IPv6 prefix over fl2" eval \
	'ip -n "$NSA" -6 route show dev fl2 | grep -q "^fd00:2::/64"'
check "l3 sit: a -> b" na ping -6 -c 2 -i 0.2 -W 2 -I fd00:1::1 fd00:2::1
check "l3 sit: c -> a" nc_ ping -6 -c 2 -i 0.2 -W 2 -I fd00:3::1 fd00:1::1
# ip6tnl over the IPv6 underlay, to each node's IPv6 address. IPv6 routes
# have no via (the kernel refuses an onlink gateway the underlay's route covers).
l3_routes6() { [ "$(ip -n "$NSA" -6 -j route show dev fl3 proto 241 | jq -r '[.[].dst] | sort | join(",")')" = "fd01:2::/64,fd01:3::/64" ]; }
check "l3 ip6tnl: a routes b's and c's prefixes over fl3" wait_for 30 l3_routes6
fa -j fleet show | jq -c '.nodes[] | select(.name == "host-b")' | sed 's/^/# /'
check "l3 ip6tnl: fleet show -j has b's IPv6 address" \
	test "$(fa -j fleet show | jq -r '.nodes[] | select(.name == "host-b") | .address2')" = "$B6"
check "l3 ip6tnl: a -> b" na ping -6 -c 2 -i 0.2 -W 2 -I fd01:1::1 fd01:2::1
check "l3 ip6tnl: a -> c" na ping -6 -c 2 -i 0.2 -W 2 -I fd01:1::1 fd01:3::1
check "l3 ip6tnl: b -> c" nb ping -6 -c 2 -i 0.2 -W 2 -I fd01:2::1 fd01:3::1
fa -d link show fl3 | sed 's/^/# /'
# ip6gre over the IPv6 underlay, carrying IPv4 prefixes (no via: the families differ).
l3_routes_gre6() { [ "$(ip -n "$NSA" -j route show dev fl4 proto 241 | jq -r '[.[].dst] | sort | join(",")')" = "10.246.2.0/24,10.246.3.0/24" ]; }
check "l3 ip6gre: a routes b's and c's IPv4 prefixes over fl4" wait_for 30 l3_routes_gre6
check "l3 ip6gre: a -> b" na ping -c 2 -i 0.2 -W 2 -I 10.246.1.1 10.246.2.1
check "l3 ip6gre: c -> a" nc_ ping -c 2 -i 0.2 -W 2 -I 10.246.3.1 10.246.1.1
fa -d link show fl0 | sed 's/^/# /'
check "l3: fl0 on the BPF data path, fl1 on userspace" eval \
	'fa -d link show fl0 | grep -q "datapath bpf" && fa -d link show fl1 | grep -q "datapath userspace (requested)"'
bpf_tx=$(fa -j -s -d link show fl0 | jq '[.. | objects | select(has("bpf_stats64")) | .bpf_stats64.tx.packets] | first // 0')
check "l3 bpf: the programs sent a's pings to b and c on fl0 ($bpf_tx packets)" test "$bpf_tx" -ge 4
check "l3 bpf: no fleet prefix left to userspace (b and c behind the underlay)" \
	eval '! fa -d link show fl0 | grep -q "fleet prefixes by userspace"'
# a's fl0 down: what b sends to it is dropped and counted as link_down, on the BPF path too.
before=$(counter a fl0 .foud.drops.rx.link_down)
na ip link set fl0 down
down_counted() { ! nb ping -c 1 -W 1 -I 10.244.2.1 10.244.1.1 >/dev/null 2>&1 &&
		 [ "$(counter a fl0 .foud.drops.rx.link_down)" -gt "$before" ]; }
check "l3: a's fl0 down: b's ping dropped as link_down" wait_for 20 down_counted
na ip link set fl0 up
check "l3: a's fl0 up: b -> a pings again" wait_for 30 l3_ping1 2 nb 244 1
# Changed in place (rebuilt on its device): the routes stay, the table and the BPF path come back.
check "l3: link set fl0 mtu 1400" fa link set fl0 mtu 1400
check "l3: ... a -> b again on fl0, routes unchanged" eval 'wait_for 30 l3_ping1 1 na 244 2 && l3_routes'
bpf_tx() { fa -j -s -d link show fl0 | jq '[.. | objects | select(has("bpf_stats64")) | .bpf_stats64.tx.packets] | first // 0'; }
bpf_again() { local b0; b0=$(bpf_tx); na ping -c 1 -W 1 -I 10.244.1.1 10.244.2.1 >/dev/null && [ "$(bpf_tx)" -gt "$b0" ]; }
check "l3: ... a ping sent by the BPF programs again" wait_for 30 bpf_again
# Overlapping publications: one over b's, one over a's own; both refused by name.
ectl put /foud/nodes/ovl '{"name":"ovl","address":"192.0.2.50","devices":[{"kind":"ipip","encap":"fou","port":5555,"prefix":"10.244.2.128/25"}]}' >/dev/null
ectl put /foud/nodes/ovm '{"name":"ovm","address":"192.0.2.51","devices":[{"kind":"ipip","encap":"fou","port":5555,"prefix":"10.244.0.0/16"}]}' >/dev/null
ectl put /foud/nodes/ovk '{"name":"ovk","address":"192.0.2.52","devices":[{"kind":"ipip","encap":"gue","port":6080,"prefix":"10.244.9.0/24"}]}' >/dev/null
refused_l3() { fa -j fleet show | jq -e '.nodes[] | select(.name == "ovl") | .refused | test("overlaps 10.244.2.0/24 of node host-b")' >/dev/null &&
	       fa -j fleet show | jq -e '.nodes[] | select(.name == "ovm") | .refused | test("overlaps 10.244.1.0/24 of this host.s fl0")' >/dev/null; }
check "l3 overlap: both refused on a, each named with what it overlaps" wait_for 30 refused_l3
check "l3 overlap: logged with the publisher's name" grep -q "node ovl: refused: prefix 10.244.2.128/25 overlaps" "$TMP/foud-a.log"
check "l3 mismatch: ipip over GUE 6080, matching no device of a's, refused by name" eval \
	'fa -j fleet show | jq -e ".nodes[] | select(.name == \"ovk\") | .refused | test(\"ipip/gue port 6080 device matches none of ours\")" >/dev/null'
refused_b() { fb -j fleet show | jq -e '.nodes[] | select(.name == "ovm") | .refused | test("overlaps")' >/dev/null; }
check "l3 overlap: b refuses ovm too" wait_for 30 refused_b
check "l3 overlap: no route for them on a, b's and c's stay" l3_routes
check "l3 overlap: a -> b still pings" l3_ping 1 na 244 2
ectl del /foud/nodes/ovl >/dev/null
ectl del /foud/nodes/ovm >/dev/null
ectl del /foud/nodes/ovk >/dev/null
fa fleet show | sed 's/^/# /'

# ---- b's key deleted by hand: b puts it again -------------------------------
ectl del /foud/nodes/host-b >/dev/null
b_back() { nodes_up a 3 && ectl get /foud/nodes/host-b --print-value-only | jq -e '.name == "host-b"' >/dev/null; }
check "self: b's key deleted by hand is put again by b" wait_for 30 b_back
check "self: b says so" grep -q "our key /foud/nodes/host-b was deleted" "$TMP/foud-b.log"
check "self: a -> b pings again" wait_for 30 na ping -c 1 -W 1 10.9.0.2

# ---- a malformed node is refused by name; nothing else changes ------------
ectl put /foud/nodes/evil '{"name":"evil","address":"224.0.0.1","devices":[{"kind":"vxlan","vni":42,"macs":["ff:ff:ff:ff:ff:ff"]}]}' >/dev/null
refused() { [ "$(fa -j fleet show | jq -r '.nodes[] | select(.name == "evil") | .state')" = refused ]; }
check "malformed: node evil refused on a" wait_for 30 refused
check "malformed: logged with its name" grep -q "node evil: refused" "$TMP/foud-a.log"
check "malformed: no entry towards it" test "$(fa -j fdb show dev vx0 | jq '[.[] | select(.dst == "224.0.0.1")] | length')" = 0
check "malformed: a -> b still pings" na ping -c 1 -W 2 10.9.0.2
ectl del /foud/nodes/evil >/dev/null

# ---- leave: c killed with -9, gone from a and b within ttl + 1 s -----------
cpid=${PIDS[2]}
PIDS=("${PIDS[0]}" "${PIDS[1]}")
t0=$(date +%s%N)
kill -9 "$cpid"; wait "$cpid" 2>/dev/null
gone() { ! fa -j fdb show dev vx0 | jq -e --arg c $C4 '.[] | select(.dst == $c)' >/dev/null &&
	 ! fb -j fdb show dev vx0 | jq -e --arg c $C4 '.[] | select(.dst == $c)' >/dev/null; }
wait_for 60 gone; ms=$(ms_since $t0)
echo "# c's entries gone from a and b ${ms} ms after kill -9 (ttl 2 s)"
check "leave: c's entries gone from a and b within ttl + 1 s (${ms} ms)" test "$ms" -le 3000
l3_gone() { [ "$(routes_in a fl0)" = "10.244.2.0/24 via $B4" ] && [ "$(routes_in b fl1)" = "10.245.1.0/24 via $A4" ]; }
wait_for 30 l3_gone; ms=$(ms_since $t0)
echo "# c's L3 routes gone from a and b ${ms} ms after kill -9 (ttl 2 s)"
check "leave: c's L3 routes gone from a and b within ttl + 1 s (${ms} ms)" test "$ms" -le 3000
check "leave: a lists two nodes" nodes_up a 2

# ---- one etcd member killed: no loss, and the fleet still follows ---------
na ping -c 30 -i 0.1 -W 1 10.9.0.2 >"$TMP/ping" 2>&1 &
ppid=$!
sleep 0.5
kill -9 "${EPID[1]}"
wait "$ppid"; prc=$?
check "etcd member e1 killed: a -> b 30 pings, 0 lost" test $prc = 0 -a "$(grep -c 'bytes from' "$TMP/ping")" = 30
rm -f "$TMP/c.sock"
start_foud c
t0=$(date +%s%N)
check "rejoin: c again, with one etcd member down" join c $C4 3
check "rejoin: a reaches c" wait_for 50 na ping -c 1 -W 1 10.9.0.3
ms=$(ms_since $t0)
echo "# c reached from a ${ms} ms after its fleet commands"
check "rejoin: c reaches b" nc_ ping -c 2 -i 0.2 -W 2 10.9.0.2

# ---- all of etcd down: the last state stays, foud says so; then it returns -
kill -9 "${EPID[2]}" "${EPID[3]}"
down() { [ "$(fa -j fleet show | jq .store.connected)" = false ]; }
check "outage: a says it is disconnected" wait_for 50 down
check "outage: ... and why, in the log" grep -q "keeping the last known nodes" "$TMP/foud-a.log"
check "outage: a -> b 20 pings, 0 lost" na ping -c 20 -i 0.1 -W 1 10.9.0.2
check "outage: a -> c 20 pings, 0 lost" na ping -c 20 -i 0.1 -W 1 10.9.0.3
# c comes back during the outage with another MAC: nobody can know it yet.
cpid=${PIDS[2]}
PIDS=("${PIDS[0]}" "${PIDS[1]}")
kill -9 "$cpid"; wait "$cpid" 2>/dev/null
rm -f "$TMP/c.sock"
start_foud c
check "outage: c joins with MAC 02:00:00:00:00:13" join c $C4 3 13
etcd_start 1; etcd_start 2; etcd_start 3
wait_for 100 ectl endpoint health >/dev/null 2>&1
t0=$(date +%s%N)
newmac() { fa -j fdb show dev vx0 | jq -e --arg c $C4 '.[] | select(.mac == "02:00:00:00:00:13" and .dst == $c)' >/dev/null; }
wait_for 50 newmac; ms=$(ms_since $t0)
echo "# etcd healthy again: c's new MAC on a after ${ms} ms"
check "outage over: c's new MAC on a within 2 s (${ms} ms)" test "$ms" -le 2000
check "outage over: c -> a ping" nc_ ping -c 2 -i 0.2 -W 2 10.9.0.1
check "outage over: a saw etcd's leader change" test "$(fa -j fleet show | jq .store.leader_changes)" -ge 1
fa fleet show | sed 's/^/# /'

# ---- compaction: etcd compacted past a's watch revision, a's member killed:
# a starts over from a full read and keeps converging ------------------------
rev=$(ectl endpoint status -w json | jq '[.[].Status.header.revision] | max')
arev=$(fa -j fleet show | jq .store.revision)
ectl put /foud/nodes/filler '{"name":"filler","address":"192.0.2.98"}' >/dev/null
ectl del /foud/nodes/filler >/dev/null
check "compaction: etcd compacted to $((rev + 2)), past a's revision $arev" \
	eval "ectl compact $((rev + 2)) >/dev/null"
resyncs=$(fa -j fleet show | jq .store.resyncs)
m=$(fa -j fleet show | jq -r .store.endpoint | sed 's/.*:2379//')
kill -9 "${EPID[$m]}"
live=$(echo $EPS | tr , '\n' | grep -v ":2379$m\$" | paste -sd,)
# The live members only: etcdctl would wait for the one just killed.
put_late() { ip netns exec "$NSU" etcdctl --endpoints=$live --dial-timeout=1s put /foud/nodes/late '{"name":"late","address":"192.0.2.99","devices":[{"kind":"ipip","encap":"fou","port":5555,"prefix":"10.244.99.0/24"}]}' >/dev/null 2>&1; }
wait_for 30 put_late
late_in() { routes_in a fl0 | grep -q "10.244.99.0/24 via 192.0.2.99" &&
	    [ "$(fa -j fleet show | jq .store.resyncs)" -gt "$resyncs" ]; }
check "compaction: a read all again and routes late's prefix, published after it" wait_for 50 late_in
ip netns exec "$NSU" etcdctl --endpoints=$live del /foud/nodes/late >/dev/null
late_out() { ! routes_in a fl0 | grep -q 10.244.99.0; }
check "compaction: ... and removes it when late leaves" wait_for 30 late_out
etcd_start "$m"
wait_for 100 ectl endpoint health >/dev/null 2>&1

# ---- TLS with client certificates: a and b move to another etcd -----------
command -v openssl >/dev/null || skip "openssl missing"
cert() { # cert NAME CN EXT: a key and a certificate signed by the test's CA
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$TMP/$1.key" \
		-out "$TMP/$1.csr" -subj "/CN=$2" 2>/dev/null &&
	openssl x509 -req -in "$TMP/$1.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" -CAcreateserial \
		-out "$TMP/$1.pem" -days 1 -extfile <(printf '%s\n' "$3") 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$TMP/ca.key" \
	-out "$TMP/ca.pem" -days 1 -subj /CN=foud-test-ca 2>/dev/null
# clientAuth too: etcd's JSON gateway dials its own gRPC port with it.
cert srv etcd "subjectAltName=IP:$E4"$'\n'"extendedKeyUsage=serverAuth,clientAuth"
cert cli foud "extendedKeyUsage=clientAuth"
ip netns exec "$NSU" etcd --name t1 --data-dir "$TMP/etcd-tls" \
	--listen-client-urls https://$E4:23794 --advertise-client-urls https://$E4:23794 \
	--listen-peer-urls http://127.0.0.1:23804 --initial-advertise-peer-urls http://127.0.0.1:23804 \
	--initial-cluster t1=http://127.0.0.1:23804 --cert-file "$TMP/srv.pem" --key-file "$TMP/srv.key" \
	--client-cert-auth --trusted-ca-file "$TMP/ca.pem" >"$TMP/etcd-tls.log" 2>&1 &
EPID[4]=$!
disown
TLS="https://$E4:23794 ttl 2 cacert $TMP/ca.pem"
tctl() { ip netns exec "$NSU" etcdctl --endpoints=https://$E4:23794 --cacert "$TMP/ca.pem" \
	--cert "$TMP/cli.pem" --key "$TMP/cli.key" --dial-timeout=1s "$@"; }
wait_for 100 tctl endpoint health >/dev/null 2>&1
check "tls: a and b to the TLS etcd, with a client certificate" \
	eval 'fa fleet etcd $TLS cert $TMP/cli.pem key $TMP/cli.key && fb fleet etcd $TLS cert $TMP/cli.pem key $TMP/cli.key'
check "tls: c to it without one" fc fleet etcd $TLS
check "tls: a sees a and b, not c (its key is in the other cluster)" wait_for 50 nodes_up a 2
tls_refused() { [ "$(fc -j fleet show | jq .store.connected)" = false ] &&
		fc -j fleet show | jq -e '.store.error | test("^lease grant at https:")' >/dev/null &&
		grep -q "didn't provide a certificate" "$TMP/etcd-tls.log"; }
check "tls: c, without a certificate, is refused and says so" wait_for 30 tls_refused
check "tls: a -> b ping" na ping -c 2 -i 0.2 -W 2 10.9.0.2
check "tls: the nodes are in the TLS etcd" test "$(tctl get --prefix /foud/nodes/ --keys-only | grep -c host-)" = 2
fc fleet show | sed "s/^/# /"
# c keeps its last state, a does not know c any more: only members get in.
before=$(counter a vx0 .foud.drops.rx.unknown_peer)
check "members only: c -> a, c no longer in a's fleet, 3 pings, none answered" \
	eval '! nc_ ping -c 3 -i 0.2 -W 1 10.9.0.1'
after=$(counter a vx0 .foud.drops.rx.unknown_peer)
check "members only: a dropped them as unknown_peer ($before -> $after)" test $((after - before)) -ge 3
for dev in fl0 fl1; do
	net=244; [ $dev = fl1 ] && net=245
	before=$(counter a $dev .foud.drops.rx.unknown_peer)
	check "members only, l3 $dev: c -> a, 2 pings, none answered" eval "! l3_ping 3 nc_ $net 1 1"
	after=$(counter a $dev .foud.drops.rx.unknown_peer)
	check "members only, l3 $dev: a dropped them as unknown_peer ($before -> $after)" test $((after - before)) -ge 2
done
before=$(counter a fl3 .foud.drops.rx.unknown_peer)
check "members only, l3 fl3 (ip6tnl): c -> a, 2 pings, none answered" \
	eval '! nc_ ping -6 -c 2 -i 0.2 -W 1 -I fd01:3::1 fd01:1::1'
after=$(counter a fl3 .foud.drops.rx.unknown_peer)
check "members only, l3 fl3: a dropped exactly those 2 as unknown_peer ($before -> $after)" \
	test $((after - before)) = 2

# ---- etcd's own authentication: c joins a store that asks for a password ----
ip netns exec "$NSU" etcd --name p1 --data-dir "$TMP/etcd-auth" \
	--listen-client-urls http://$E4:23795 --advertise-client-urls http://$E4:23795 \
	--listen-peer-urls http://127.0.0.1:23805 --initial-advertise-peer-urls http://127.0.0.1:23805 \
	--initial-cluster p1=http://127.0.0.1:23805 >"$TMP/etcd-auth.log" 2>&1 &
EPID[5]=$!
disown
actl() { ip netns exec "$NSU" etcdctl --endpoints=http://$E4:23795 --dial-timeout=1s "$@"; }
wait_for 100 actl endpoint health >/dev/null 2>&1
{ actl user add root:rootpw && actl user add foud:foudpw && actl role add fleet &&
  actl role grant-permission fleet --prefix=true readwrite /foud/ && actl user grant-role foud fleet &&
  actl auth enable; } >/dev/null 2>&1
echo wrongpw >"$TMP/bad.pw"; echo foudpw >"$TMP/good.pw"
check "auth: c with a wrong password" fc fleet etcd http://$E4:23795 ttl 2 user foud password-file "$TMP/bad.pw"
auth_refused() { fc -j fleet show | jq -e '.store.connected == false and (.store.error | test("^authenticate at .*authentication failed"))' >/dev/null; }
check "auth: refused, and fleet show says why" wait_for 30 auth_refused
check "auth: c with the right one" fc fleet etcd http://$E4:23795 ttl 2 user foud password-file "$TMP/good.pw"
check "auth: c registered and watching" wait_for 30 nodes_up c 1
check "auth: c's key in that store, under its lease" \
	eval 'actl --user root:rootpw get /foud/nodes/host-c -w json | jq -e ".kvs[0].lease > 0" >/dev/null'

# ---- c from a configuration file: save gives the fleet lines back, not the
# fleet's entries; a reload without the fleet lines stops it, entries gone --
cpid=${PIDS[2]}
PIDS=("${PIDS[0]}" "${PIDS[1]}")
kill -TERM "$cpid"; wait "$cpid"
rm -f "$TMP/c.sock"
cat >"$TMP/c.conf" <<CONF
link add name vx0 type vxlan id 42 local $C4 dstport 4789 fleet
fou add port 5555 ipproto 4
link add name fl0 type ipip local $C4 encap fou encap-sport auto encap-dport 5555 fleet prefix 10.244.3.0/24
fleet etcd $EPS ttl 2
fleet node host-c address $C4
CONF
ectl put /foud/nodes/sim '{"name":"sim","address":"192.0.2.77","devices":[{"kind":"vxlan","vni":42,"macs":["02:00:00:00:07:07"]},{"kind":"ipip","encap":"fou","port":5555,"prefix":"10.244.77.0/24"}]}' >/dev/null
ectl put /foud/nodes/sim2 '{"name":"sim2","address":"192.0.2.78","devices":[{"kind":"ipip","encap":"fou","port":5555,"prefix":"10.244.78.0/24"}]}' >/dev/null
start_foud c -c "$TMP/c.conf"
sim_in() { fc -j fdb show dev vx0 | jq -e '.[] | select(.mac == "02:00:00:00:07:07" and .dst == "192.0.2.77")' >/dev/null &&
	   routes_in c fl0 | grep -q "10.244.77.0/24 via 192.0.2.77"; }
check "conf: c, from its file, has sim's entry and route from etcd" wait_for 50 sim_in
fc save >"$TMP/saved"
check "save: the fleet lines and the fleet words" eval \
	'grep -qx "fleet etcd $EPS prefix /foud ttl 2" "$TMP/saved" && grep -qx "fleet node host-c address $C4" "$TMP/saved" && grep -q "^link add name vx0 type vxlan .* fleet" "$TMP/saved" &&
	 grep -q "^link add name fl0 type ipip .*encap-dport 5555.* fleet prefix 10.244.3.0/24" "$TMP/saved"'
grep "^link add name fl0" "$TMP/saved" | sed 's/^/# /'
check "save: not the fleet's forwarding entries or routes" eval '! grep -q "^fdb\|10.244.77" "$TMP/saved"'
check "reload: the same file changes nothing" fc reload
check "reload: ... sim's route stays" sim_in
# Stale routes: c stopped (its devices and routes stay), sim's key deleted
# meanwhile; c's next start removes sim's route after its first full read,
# only that one, and only foud's (proto 241).
sim2_in() { routes_in c fl0 | grep -q "10.244.78.0/24 via 192.0.2.78"; }
check "stale: c routes sim2's prefix too, as proto 241" eval \
	'wait_for 30 sim2_in && ip -n "$NSC" route show proto 241 dev fl0 | grep -q "^10.244.77.0/24 via 192.0.2.77"'
ip -n "$NSC" route add 10.244.88.0/24 dev fl0
ifc=$(ip -n "$NSC" -j link show fl0 | jq '.[0].ifindex')
cpid=${PIDS[2]}
PIDS=("${PIDS[0]}" "${PIDS[1]}")
kill -TERM "$cpid"; wait "$cpid"
rm -f "$TMP/c.sock"
ectl del /foud/nodes/sim >/dev/null
check "stale: with c stopped, sim's route stays on its device" eval \
	'routes_in c fl0 | grep -q "10.244.77.0/24 via 192.0.2.77"'
t0=$(date +%s%N)
start_foud c -c "$TMP/c.conf"
check "stale: c took its fl0 over (same ifindex $ifc)" \
	test "$(ip -n "$NSC" -j link show fl0 | jq '.[0].ifindex')" = "$ifc"
sim_out() { [ "$(routes_in c fl0)" = "10.244.78.0/24 via 192.0.2.78" ]; }
check "stale: c restarted: sim's route gone, sim2's stays" wait_for 50 sim_out
echo "# sim's stale route gone $(ms_since $t0) ms after c's foud started"
check "stale: a route typed by hand on fl0 (proto boot) left alone" eval \
	'ip -n "$NSC" route show dev fl0 | grep -q "^10.244.88.0/24"'
check "stale: c says so" grep -q "fleet: 1 routes of nodes gone removed, 0 refused" "$TMP/foud-c.log"
ectl put /foud/nodes/sim '{"name":"sim","address":"192.0.2.77","devices":[{"kind":"vxlan","vni":42,"macs":["02:00:00:00:07:07"]},{"kind":"ipip","encap":"fou","port":5555,"prefix":"10.244.77.0/24"}]}' >/dev/null
check "stale: sim back, its route and entry again" wait_for 50 sim_in
ectl del /foud/nodes/sim2 >/dev/null
sed -i '/^fleet/d' "$TMP/c.conf"
check "reload: the file without its fleet lines" fc reload
sim_gone() { ! fc -j fdb show dev vx0 | grep -q 02:00:00:00:07:07 && [ -z "$(routes_in c fl0)" ] &&
	     [ "$(fc -j fleet show | jq -r .store.state)" = unconfigured ]; }
check "reload: the fleet stopped, its entries and routes gone" wait_for 20 sim_gone
finish
