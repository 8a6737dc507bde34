#!/usr/bin/env bash
# Fleet measures with N foud hosts (default 8) in namespaces on one bridge and
# a three-member etcd cluster, each with an L2 fleet device (vxlan, 10.9.0.I)
# and an L3 one (ipip over FOU, prefix 10.244.I.0/24, the BPF path where it
# can): a host's join (until every other host has its MAC, and its prefix
# routed), all pairs pinging, kill -9 of a host (until it is gone everywhere),
# one etcd member killed (pings from h1 to every other host meanwhile), a full
# etcd outage of OUTAGE seconds (default 30; pings meanwhile, and a host that
# joins during it, known after etcd returns). Root; etcd-server, etcd-client.
# Usage: bench/fleet-hosts.sh [N] [OUTAGE]
set -u
N=${1:-8} OUTAGE=${2:-30} TTL=2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
FOUD=$ROOT/$B/foud FOUCTL=$ROOT/$B/fouctl
P=fleetb-$$
TMP=$(mktemp -d /tmp/foud-fleetb.XXXXXX)
E4=192.0.2.100
EPS=http://$E4:23791,http://$E4:23792,http://$E4:23793
CLUSTER=e1=http://127.0.0.1:23801,e2=http://127.0.0.1:23802,e3=http://127.0.0.1:23803
declare -A FPID EPID
cleanup() {
	for p in "${FPID[@]}" "${EPID[@]}"; do kill -9 "$p" 2>/dev/null; done
	for i in $(seq "$N"); do ip netns del $P-h$i 2>/dev/null; done
	ip netns del $P-u 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
now() { date +%s%N; }
ms() { echo $((($(now) - $1) / 1000000)); }
h() { local i=$1; shift; ip netns exec $P-h$i "$@"; }
f() { local i=$1; shift; "$FOUCTL" -S "$TMP/h$i.sock" "$@"; }
mac() { printf '02:00:00:00:%02x:%02x' "$2" "$1"; }	# mac HOST GENERATION

ip netns add $P-u
ip -n $P-u link add br0 type bridge
ip -n $P-u addr add $E4/24 dev br0
ip -n $P-u link set br0 up
ip -n $P-u link set lo up
for i in $(seq "$N"); do
	ip netns add $P-h$i
	ip link add v netns $P-h$i type veth peer name u$i netns $P-u
	ip -n $P-u link set u$i master br0 up
	ip -n $P-h$i link set lo up
	ip -n $P-h$i addr add 192.0.2.$i/24 dev v
	ip -n $P-h$i link set v up
done
etcd_start() {
	ip netns exec $P-u etcd --name e$1 --data-dir "$TMP/etcd$1" \
		--listen-client-urls http://$E4:2379$1 --advertise-client-urls http://$E4:2379$1 \
		--listen-peer-urls http://127.0.0.1:2380$1 --initial-advertise-peer-urls http://127.0.0.1:2380$1 \
		--initial-cluster $CLUSTER --initial-cluster-state new --initial-cluster-token $P \
		--heartbeat-interval 50 --election-timeout 500 >>"$TMP/etcd$1.log" 2>&1 &
	EPID[$1]=$!
	disown
}
healthy() { ip netns exec $P-u etcdctl --endpoints=$EPS --dial-timeout=1s endpoint health >/dev/null 2>&1; }
wait_for() { local n=$1 i; shift; for i in $(seq "$n"); do "$@" && return 0; sleep 0.05; done; return 1; }
etcd_start 1; etcd_start 2; etcd_start 3
wait_for 200 healthy || { echo "etcd did not start"; exit 1; }

start() { # start HOST GENERATION: foud, its vxlan fleet device, the fleet commands
	local i=$1
	rm -f "$TMP/h$i.sock"
	# Not through h(): $! must be foud's own PID (ip netns exec execs it).
	ip netns exec $P-h$i "$FOUD" -f -S "$TMP/h$i.sock" 2>>"$TMP/foud-h$i.log" &
	FPID[$i]=$!
	disown
	wait_for 100 test -S "$TMP/h$i.sock"
	f "$i" link add name vx0 type vxlan id 42 local 192.0.2.$i fleet
	h "$i" ip link set vx0 address "$(mac "$i" "$2")"
	h "$i" sysctl -qw net.ipv6.conf.vx0.disable_ipv6=1
	h "$i" ip addr add 10.9.0.$i/24 dev vx0
	h "$i" ip link set vx0 up
	f "$i" fou add port 5555 ipproto 4
	f "$i" link add name fl0 type ipip local 192.0.2.$i encap fou encap-sport auto encap-dport 5555 \
		fleet prefix 10.244.$i.0/24
	h "$i" ip addr add 10.244.$i.1/32 dev fl0
	h "$i" ip link set fl0 up
	f "$i" fleet etcd $EPS ttl $TTL
	f "$i" fleet node h$i address 192.0.2.$i
}
has_mac() { f "$1" -j fdb show dev vx0 | jq -e --arg m "$2" '.[] | select(.mac == $m)' >/dev/null; }
# has_route J HOST: J routes HOST's prefix via HOST's address
has_route() { h "$1" ip route show 10.244.$2.0/24 | grep -q "via 192.0.2.$2 dev fl0"; }
everywhere() { # everywhere HOST MAC yes|no [l3]: every other host has (or lacks) its MAC (or route)
	local j
	for j in $(seq "$N"); do
		[ "$j" = "$1" ] && continue
		if [ "${4:-}" = l3 ]; then
			if [ "$3" = yes ]; then has_route "$j" "$1" || return 1; else ! has_route "$j" "$1" || return 1; fi
		elif [ "$3" = yes ]; then has_mac "$j" "$2" || return 1; else ! has_mac "$j" "$2" || return 1; fi
	done
}
l3_reached() { # l3_reached HOST: every other host's ping reaches HOST's prefix
	local j
	for j in $(seq "$N"); do
		[ "$j" = "$1" ] && continue
		h "$j" ping -c 1 -W 1 -I 10.244.$j.1 10.244.$1.1 >/dev/null || return 1
	done
}
for i in $(seq $((N - 1))); do start "$i" 1; done
t0=$(now); start "$N" 1; tr=$(ms "$t0")
wait_for 200 everywhere "$N" "$(mac "$N" 1)" yes
echo "join: h$N's MAC on all $((N - 1)) others $(ms "$t0") ms after its foud started (foud up and configured after $tr ms)"
wait_for 200 everywhere "$N" - yes l3
echo "join l3: h$N's prefix routed on all $((N - 1)) others $(ms "$t0") ms after its foud started"
wait_for 200 l3_reached "$N"
echo "join l3: h$N's prefix reached by ping from all $((N - 1)) others $(ms "$t0") ms after its foud started"

lost=0
for i in $(seq "$N"); do for j in $(seq "$N"); do
	[ "$i" = "$j" ] && continue
	h "$i" ping -c 1 -W 2 10.9.0.$j >/dev/null || lost=$((lost + 1))
	h "$i" ping -c 1 -W 2 -I 10.244.$i.1 10.244.$j.1 >/dev/null || lost=$((lost + 1))
done; done
echo "all pairs, L2 and L3: $((2 * N * (N - 1))) pings, $lost lost"

t0=$(now); kill -9 "${FPID[$N]}"
wait_for 200 everywhere "$N" "$(mac "$N" 1)" no
echo "leave: h$N (kill -9) gone from all others $(ms "$t0") ms later (ttl $TTL s)"
wait_for 200 everywhere "$N" - no l3
echo "leave l3: h$N's route gone from all others $(ms "$t0") ms after kill -9"

pings() { # pings COUNT: from h1 to every other live host, L2 and L3, 0.1 s apart; prints the lost
	local j pids=() lost=0
	for j in $(seq 2 $((N - 1))); do
		h 1 ping -q -c "$1" -i 0.1 -W 1 10.9.0.$j >"$TMP/ping$j" 2>&1 &
		pids+=($!)
		h 1 ping -q -c "$1" -i 0.1 -W 1 -I 10.244.1.1 10.244.$j.1 >"$TMP/ping3-$j" 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
	for j in $(seq 2 $((N - 1))); do
		lost=$((lost + $(awk '/transmitted/ {s += $1 - $4} END {print s + 0}' "$TMP/ping$j" "$TMP/ping3-$j")))
	done
	echo "$lost"
}
(sleep 1; kill -9 "${EPID[1]}") &
l=$(pings 30)
echo "one etcd member killed: $((2 * 30 * (N - 2))) pings from h1 (L2 and L3), $l lost"

kill -9 "${EPID[2]}" "${EPID[3]}"
t0=$(now)
pings $((OUTAGE * 10)) >"$TMP/outage" &
opid=$!
start "$N" 2
sleep $((OUTAGE - ($(ms "$t0") / 1000)))
etcd_start 1; etcd_start 2; etcd_start 3
wait_for 400 healthy; t1=$(now)
wait_for 200 everywhere "$N" "$(mac "$N" 2)" yes
echo "full etcd outage ($OUTAGE s): h$N started during it known to all others $(ms "$t1") ms after etcd was healthy again"
wait_for 200 everywhere "$N" - yes l3
echo "full etcd outage l3: h$N's prefix routed on all others $(ms "$t1") ms after etcd was healthy again"
wait_for 200 l3_reached "$N"
echo "full etcd outage l3: h$N's prefix reached by ping from all others $(ms "$t1") ms after etcd was healthy again"
wait $opid
echo "full etcd outage: $((2 * OUTAGE * 10 * (N - 2))) pings from h1 meanwhile (L2 and L3), $(cat "$TMP/outage") lost"
echo "foud h1: $(awk '/^VmRSS/ {print $2 " kB"}' /proc/${FPID[1]}/status)"
