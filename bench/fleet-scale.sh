#!/usr/bin/env bash
# Fleet scale: one etcd member and one foud (a VXLAN fleet device and an
# ipip/FOU L3 fleet device) in a namespace; N simulated nodes (default 1000,
# each one MAC on VNI 42 and one /24 prefix) are written straight into etcd
# through its JSON gateway. Prints the time until foud lists them all, has
# their forwarding entries and has routed their prefixes, and foud's memory.
# Usage: bench/fleet-scale.sh [N]   (root; etcd-server installed)
set -eu
N=${1:-1000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
B=${B:-build}
NS=foud-scale-$$
TMP=$(mktemp -d /tmp/foud-scale.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; ip netns del "$NS" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add d0 type veth peer name d1
ip -n "$NS" addr add 192.0.2.1/24 dev d0
ip -n "$NS" link set d0 up
ip netns exec "$NS" etcd --name s --data-dir "$TMP/etcd" --listen-client-urls http://127.0.0.1:2379 \
	--advertise-client-urls http://127.0.0.1:2379 --listen-peer-urls http://127.0.0.1:2380 \
	--initial-advertise-peer-urls http://127.0.0.1:2380 --initial-cluster s=http://127.0.0.1:2380 \
	>"$TMP/etcd.log" 2>&1 &
PIDS+=($!)
disown
for i in $(seq 100); do ip netns exec "$NS" curl -sf http://127.0.0.1:2379/health >/dev/null && break; sleep 0.1; done
ip netns exec "$NS" "$ROOT/$B/foud" -f -S "$TMP/s.sock" 2>"$TMP/foud.log" &
FPID=$!
PIDS+=($FPID)
for i in $(seq 50); do [ -S "$TMP/s.sock" ] && break; sleep 0.1; done
ctl() { "$ROOT/$B/fouctl" -S "$TMP/s.sock" "$@"; }
ctl link add name vx0 type vxlan id 42 local 192.0.2.1 fleet
ctl fou add port 5555 ipproto 4
ctl link add name fl0 type ipip local 192.0.2.1 encap fou encap-sport auto encap-dport 5555 \
	fleet prefix 172.15.0.0/24
ip -n "$NS" link set fl0 up
ctl fleet etcd http://127.0.0.1:2379 ttl 10
ctl fleet node self address 192.0.2.1
rss() { awk '/^VmRSS/ {print $2 " kB"}' /proc/$FPID/status; }
echo "foud before: $(rss)"
t0=$(date +%s%N)
# One keep-alive HTTP connection for all puts (a maintained client: python's http.client).
ip netns exec "$NS" python3 - "$N" <<'PY'
import base64, http.client, json, sys
n = int(sys.argv[1])
c = http.client.HTTPConnection("127.0.0.1", 2379)
b64 = lambda s: base64.b64encode(s.encode()).decode()
for i in range(n):
    name = "sim-%d" % i
    addr = "10.%d.%d.%d" % (1 + (i >> 16 & 255), i >> 8 & 255, i & 255)
    mac = "02:10:00:%02x:%02x:%02x" % (i >> 16 & 255, i >> 8 & 255, i & 255)
    pfx = "172.%d.%d.0/24" % (16 + (i >> 8), i & 255)
    v = {"name": name, "address": addr,
         "devices": [{"name": "vx0", "kind": "vxlan", "vni": 42, "macs": [mac]},
                     {"name": "fl0", "kind": "ipip", "encap": "fou", "port": 5555, "prefix": pfx}]}
    c.request("POST", "/v3/kv/put", json.dumps({"key": b64("/foud/nodes/" + name), "value": b64(json.dumps(v))}))
    r = c.getresponse(); r.read()
    assert r.status == 200, r.status
PY
t1=$(date +%s%N)
want=$((N + (N < 1024 ? N : 1024)))	# a device floods to at most 1024 (L2_FLOOD_MAX)
for i in $(seq 600); do
	have=$(ctl -j fdb show dev vx0 | jq length)
	[ "$have" -ge "$want" ] && break
	sleep 0.1
done
t2=$(date +%s%N)
for i in $(seq 600); do
	routes=$(ip -n "$NS" route show dev fl0 | grep -c ' via ')
	[ "$routes" -ge "$N" ] && break
	sleep 0.1
done
t3=$(date +%s%N)
echo "$N nodes written in $(((t1 - t0) / 1000000)) ms; foud has $have of $want forwarding entries $(((t2 - t0) / 1000000)) ms after the first write ($(((t2 - t1) / 1000000)) ms after the last)"
echo "L3: $routes of $N prefixes routed over fl0 $(((t3 - t0) / 1000000)) ms after the first write ($(((t3 - t1) / 1000000)) ms after the last)"
echo "nodes listed: $(ctl -j fleet show | jq '.nodes | length')"
echo "foud after: $(rss)"
