#!/usr/bin/env bash
# Scale, kept short for make check: 2000 keyed GRE tunnels (same remote, keys
# 1..2000, userspace path) added by one fouctl -b batch; one GRE packet from B
# with each key lands on its own tunnel (every one found by the receive
# lookup: each rx counter exactly 1), a key no tunnel has is dropped as
# no_tunnel; foud's VmRSS stays under 64 MiB (the README's limit for 10 000
# tunnels); one batch deletes them all, and no device of theirs remains,
# renamed or not. The 10 000-tunnel run is bench/scale.sh.
# Then 100 GRE-TAP (keys 1..100) and 100 NVGRE devices (VSIDs 1..100) on the
# one raw GRE socket: a frame per key and per VSID reaches its own device
# (found by a hash of kind and key, l2_hash.c), key 101 is dropped once.
# Last, a control reply over 16 MiB (180 000 FDB entries) is one JSON document.
. "$(dirname "$0")/lib.sh"
N=2000
setup_hosts
# IPv4 tunnels: without IPv6 on them the kernel need not walk its IPv6 routes per device down.
na sysctl -qw net.ipv6.conf.default.disable_ipv6=1
start_foud a
for ((i = 1; i <= N; i++)); do
	echo "link add name s$i type gre remote $B4 local $A4 key $i datapath userspace"
done >"$TMP/add"
for ((i = 1; i <= N; i++)); do echo "link set s$i up"; done >"$TMP/up"
for ((i = 1; i <= N; i++)); do echo "link del s$i"; done >"$TMP/del"

t0=$(date +%s%N)
check "fouctl -b adds $N tunnels" fa -b "$TMP/add"
t1=$(date +%s%N)
echo "# added $N tunnels in $(((t1 - t0) / 1000000)) ms"
check "fouctl link show lists all $N" test "$(fa -j link show | jq '[.[] | select(.ifname | test("^s[0-9]+$"))] | length')" = $N
# The fullest listing (about 2.4 KB a tunnel) goes out in 64 KiB frames and
# comes out of fouctl as one JSON document with every tunnel.
fa -j -s -d link show >"$TMP/full.json"
echo "# fouctl -j -s -d link show of $N tunnels: $(wc -c <"$TMP/full.json") bytes"
check "fouctl -j -s -d link show: one JSON document with all $N" \
	test "$(jq -s '.[0] | [.[] | select(.ifname | test("^s[0-9]+$"))] | length' "$TMP/full.json")" = $N
# A reader that stops early (| head) is no fault of foud's: fouctl says nothing.
fa -j -s -d link show 2>"$TMP/head.err" | head -c 100 >/dev/null
check "fouctl -j -s -d link show | head -c 100: fouctl says nothing on stderr ($(head -c 80 "$TMP/head.err"))" \
	test ! -s "$TMP/head.err"
na ip -b "$TMP/up"

# One GRE packet per key 1..N, then one with key N+1.
nb python3 "$ROOT/tests/tools/inject.py" grekeys "$B4" "$A4" $((N + 1)) $((N + 1)) >/dev/null
rx_ok() { # every tunnel received exactly one packet
	fa -j -s link show | jq -e --argjson n $N \
		'[.[] | select(.ifname | test("^s[0-9]+$")) | select(.stats64.rx.packets == 1)] | length == $n' >/dev/null
}
for _ in $(seq 50); do rx_ok && break; sleep 0.1; done
check "each of the $N tunnels received exactly its one packet (lookup by remote and key)" rx_ok
check "no tunnel received more than one" test "$(fa -j -s link show | jq '[.[] | .stats64.rx.packets] | add')" = $N
raw=$(fa -s fou show | grep -A3 "raw sockets" | tr '\n' ' ')
check "key $((N + 1)), which no tunnel has, is dropped once as no_tunnel: $raw" \
	grep -q -E "no_tunnel +1( |$)" <<<"$raw"
rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/${PIDS[0]}/status")
echo "# foud VmRSS with $N tunnels: $rss KiB"
# AddressSanitizer's shadow memory and quarantine are no measure of foud's.
if [ "$B" = build-san ]; then echo "# VmRSS not judged under the sanitizers"
else check "foud's VmRSS with $N tunnels ($rss KiB) is under 64 MiB" test "$rss" -lt 65536; fi

t0=$(date +%s%N)
check "fouctl -b deletes them" fa -b "$TMP/del"
t1=$(date +%s%N)
echo "# deleted $N tunnels in $(((t1 - t0) / 1000000)) ms"
check "fouctl link show lists none" test "$(fa -j link show | jq length)" = 0
gone() { [ "$(na ip -o link show | grep -c -E ': (s[0-9]+|fouddel[0-9a-f]+)[:@]')" = 0 ]; }
for _ in $(seq 100); do gone && break; sleep 0.1; done
check "no device of theirs is left in the namespace (none renamed and pending either)" gone

M=100
for ((i = 1; i <= M; i++)); do
	echo "link add name gt$i type gretap remote $B4 local $A4 key $i"
	echo "link add name nv$i type nvgre vsid $i remote $B4 local $A4"
done >"$TMP/l2add"
check "fouctl -b adds $M GRE-TAP and $M NVGRE devices" fa -b "$TMP/l2add"
for ((i = 1; i <= M; i++)); do echo "link set gt$i up"; echo "link set nv$i up"; done >"$TMP/l2up"
na ip -b "$TMP/l2up"
l2_rx() { # how many of the 2M devices received exactly one frame
	fa -j -s link show | jq '[.[] | select(.ifname | test("^(gt|nv)[0-9]+$")) |
		select(.stats64.rx.packets == 1)] | length'
}
nb python3 "$ROOT/tests/tools/inject.py" tebkeys "$B4" "$A4" $((M + 1)) 0
nb python3 "$ROOT/tests/tools/inject.py" tebkeys "$B4" "$A4" $M 8
for _ in $(seq 50); do [ "$(l2_rx)" = $((2 * M)) ] && break; sleep 0.1; done
check "each of the $((2 * M)) GRE-TAP and NVGRE devices received exactly its one frame" \
	test "$(l2_rx)" = $((2 * M))
check "none received more than one" \
	test "$(fa -j -s link show | jq '[.[] | .stats64.rx.packets] | add')" = $((2 * M))
raw=$(fa -s fou show | grep -A3 "raw sockets" | tr '\n' ' ')
check "GRE-TAP key $((M + 1)), which no device has, is dropped once as gre_key: $raw" \
	grep -q -E "gre_key +1( |$)" <<<"$raw"
for ((i = 1; i <= M; i++)); do echo "link del gt$i"; echo "link del nv$i"; done >"$TMP/l2del"
check "fouctl -b deletes them" fa -b "$TMP/l2del"

# A reply past the old 16 MiB cap: 180 000 FDB entries on one VXLAN device
# (foud -c of B), about 97 bytes each in -j -s -d fdb show. It comes in
# frames and out of fouctl as one JSON document with every entry.
F=180000
{
	echo "link add name x1 type vxlan id 1 remote $A4 local $B4 dstport 4789"
	awk -v n=$F -v a="$A4" 'BEGIN { for (j = 1; j <= n; j++)
		printf "fdb add 02:00:00:%02x:%02x:%02x dev x1 dst %s\n", j / 65536, j / 256 % 256, j % 256, a }'
} >"$TMP/fdb.conf"
start_foud b -c "$TMP/fdb.conf"
fb -j -s -d fdb show >"$TMP/fdb.json"; rc=$?
size=$(wc -c <"$TMP/fdb.json")
echo "# fouctl -j -s -d fdb show of $F entries: $size bytes"
check "fouctl -j -s -d fdb show of $F entries exits 0 (rc $rc) with more than 16 MiB ($size bytes)" \
	test $rc = 0 -a "$size" -gt $((16 << 20))
check "... one JSON document with all $F entries, each once (and the remote's 00:00:00:00:00:00)" \
	test "$(jq -s 'length, (.[0] | map(.mac) | (map(select(startswith("02:00:00:"))) | unique | length), length)' \
		"$TMP/fdb.json" | tr '\n' ' ')" = "1 $F $((F + 1)) "
finish
