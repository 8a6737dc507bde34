#!/usr/bin/env bash
# Prometheus metrics (foud --metrics, the line metrics listen): counters that
# the traffic moves by exactly its packet count, on the userspace and the BPF
# path; promtool accepts the scrape; a real Prometheus scrapes foud and its
# query API answers the counter; slow and piled-up HTTP clients do not delay
# pings through foud's own loop; bad addresses are refused, naming the word.
. "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null && command -v prometheus >/dev/null ||
	skip "prometheus missing (scripts/install-deps.sh installs it)"
setup_hosts
MA=127.0.0.1:9100
echo "metrics listen unix:$TMP/b-metrics.sock" >"$TMP/b.conf"
start_foud a --metrics $MA
start_foud b -c "$TMP/b.conf"

scrape_a() { na curl -sf --max-time 5 "http://$MA/metrics"; }
scrape_b() { curl -sf --max-time 5 --unix-socket "$TMP/b-metrics.sock" http://foud/metrics; }
# metric SCRAPE-FUNCTION 'NAME{LABELS}': the sample's value, or nothing.
# (The key goes through the environment: awk -v would read its backslashes as escapes.)
metric() { $1 | K=$2 awk '$1 == ENVIRON["K"] { print $2 }'; }

for f in fa fb; do $f fou add port 5555 ipproto 4; $f fou add port 5556 ipproto 47; done
# t1 on the userspace path (every packet through foud's loop), t2 on BPF where it can be.
fa link add name t1 type ipip remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555 datapath userspace
fb link add name t1 type ipip remote $A4 local $B4 encap fou encap-sport auto encap-dport 5555 datapath userspace
fa link add name t2 type gre remote $B4 local $A4 key 2 encap fou encap-sport auto encap-dport 5556
fb link add name t2 type gre remote $A4 local $B4 key 2 encap fou encap-sport auto encap-dport 5556
dev_up a t1 10.1.0.1/24; dev_up b t1 10.1.0.2/24
dev_up a t2 10.2.0.1/24; dev_up b t2 10.2.0.2/24
dp2=$(fb -j -d link show t2 | jq -r '.[0].foud.datapath')

# ---- counters move by exactly the traffic ---------------------------------
K1='foud_device_rx_packets_total{device="t1",kind="ipip"}'
K2='foud_device_rx_packets_total{device="t2",kind="gre"}'
r1=$(metric scrape_b "$K1") r2=$(metric scrape_b "$K2")
check "b's scrape over its Unix socket (config line) has t1 and t2 ($r1, $r2)" test -n "$r1" -a -n "$r2"
check "ping 7 over t1 (userspace)" na ping -c 7 -i 0.1 -W 2 10.1.0.2
check "ping 5 over t2 ($dp2)" na ping -c 5 -i 0.1 -W 2 10.2.0.2
n1=$(metric scrape_b "$K1") n2=$(metric scrape_b "$K2")
check "b: t1 rx_packets_total rose by exactly 7 ($r1 -> $n1)" test "$((n1 - r1))" -eq 7
check "b: t2 rx_packets_total rose by exactly 5 on $dp2 ($r2 -> $n2)" test "$((n2 - r2))" -eq 5
check "b: t2's figure is fouctl -s's ($(counter b t2 .stats64.rx.packets))" \
	test "$n2" -eq "$(counter b t2 .stats64.rx.packets)"
check "a: t1 tx_packets_total is 7" \
	test "$(metric scrape_a 'foud_device_tx_packets_total{device="t1",kind="ipip"}')" = 7
check "a: t2 info says datapath $dp2" \
	test "$(metric scrape_a "foud_device_info{device=\"t2\",kind=\"gre\",datapath=\"$dp2\"}")" = 1
sys() { ip netns exec "$NSB" cat "/sys/class/net/$1/statistics/rx_packets"; }
check "userspace path: the kernel's own counter of b's t1 counted the 7 too ($(sys t1))" test "$(sys t1)" = 7
# README, foud(8): the kernel does not count BPF-path packets on the device; the metrics do.
[ "$dp2" = bpf ] && check "BPF path: b's t2 sysfs rx_packets stays $(sys t2) (README: use the metrics)" test "$(sys t2)" = 0
check "b: port 5555 received the 7 (and no more)" \
	test "$(metric scrape_b 'foud_port_rx_packets_total{port="5555",family="inet",encap="fou",local=""}')" = 7

# ---- a malformed packet: one drop under its reason --------------------------
kd='foud_device_drops_total{device="t1",kind="ipip",direction="rx",reason="inner_proto"}'
d0=$(metric scrape_b "$kd")
# FOU port 5555 carries IPIP: an inner "IPv4" header of version 6 is no IPv4 packet.
na python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(bytes([0x60]) + bytes(39), ("'$B4'", 5555))'
d1=$d0
for i in $(seq 50); do d1=$(metric scrape_b "$kd"); [ "$d1" != "$d0" ] && break; sleep 0.1; done
check "b: a bad inner header counts one rx drop ($kd: $d0 -> $d1)" test "$((d1 - d0))" -eq 1

# ---- an L2 device's forwarding database --------------------------------------
fa link add name x1 type vxlan id 7 remote $B4 local $A4 dstport 4789
fb link add name x1 type vxlan id 7 remote $A4 local $B4 dstport 4789
dev_up a x1 10.7.0.1/24; dev_up b x1 10.7.0.2/24
check "ping 2 over vxlan x1" na ping -c 2 -i 0.1 -W 2 10.7.0.2
KL='foud_device_fdb_learned_total{device="x1",kind="vxlan"}'
check "b: x1 learned exactly a's one MAC ($KL $(metric scrape_b "$KL"))" test "$(metric scrape_b "$KL")" = 1
xr=$(metric scrape_b 'foud_device_rx_packets_total{device="x1",kind="vxlan"}')
check "b: vxlan port 4789 counted what x1 received ($xr)" test "$xr" -ge 3 -a \
	"$(metric scrape_b 'foud_port_rx_packets_total{port="4789",family="inet",encap="vxlan",local=""}')" = "$xr"
check "b: x1 has it in its table" \
	test "$(metric scrape_b 'foud_device_fdb_entries{device="x1",kind="vxlan"}')" = 1

# ---- the exposition format ----------------------------------------------------
# A device name with a quote and a backslash: its label value escaped.
fa link add name 'e"\1' type ipip remote 192.0.2.9 local $A4 datapath userspace
check "a name with \" and \\ is escaped in its labels" \
	test "$(metric scrape_a 'foud_device_info{device="e\"\\1",kind="ipip",datapath="userspace"}')" = 1
scrape_a >"$TMP/a.prom"; scrape_b >"$TMP/b.prom"
check "promtool check metrics: a's scrape" promtool check metrics <"$TMP/a.prom"
check "promtool check metrics: b's scrape" promtool check metrics <"$TMP/b.prom"
check "HELP and TYPE for every family, process metrics there" \
	test "$(grep -c '^# TYPE' "$TMP/a.prom")" -eq "$(grep -c '^# HELP' "$TMP/a.prom")" -a \
	"$(grep -cE '^process_(start_time_seconds|resident_memory_bytes|open_fds) [0-9.]+$' "$TMP/a.prom")" -eq 3
check "another path is 404" test "$(na curl -s -o /dev/null -w '%{http_code}' "http://$MA/")" = 404
check "POST is 405" test "$(na curl -s -o /dev/null -w '%{http_code}' -d x "http://$MA/metrics")" = 405

# ---- a real Prometheus scrapes a and answers the query ------------------------
cat >"$TMP/prom.yml" <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: foud
    static_configs:
      - targets: ['$MA']
EOF
# Not through na(): $! must be Prometheus itself, to stop it here.
ip netns exec "$NSA" prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/prom" \
	--web.listen-address=127.0.0.1:9090 >"$TMP/prom.log" 2>&1 &
PROM=$!
PIDS+=("$PROM")
ra=$(metric scrape_a "$K1")
check "ping 3 over t1 more" na ping -c 3 -i 0.1 -W 2 10.1.0.2
want=$((ra + 3)) got=
for i in $(seq 100); do
	got=$(na curl -s --max-time 2 http://127.0.0.1:9090/api/v1/query \
		--data-urlencode "query=foud_device_rx_packets_total{device=\"t1\"}" |
		jq -r '.data.result[0].value[1] // empty' 2>/dev/null)
	[ "$got" = "$want" ] && break
	sleep 0.2
done
check "Prometheus's query API: a's t1 rx_packets_total is $want (got ${got:-nothing})" test "$got" = "$want"
kill "$PROM"; wait "$PROM"
PIDS=("${PIDS[@]/$PROM}"); PIDS=(${PIDS[@]})

# ---- slow and piled-up HTTP clients do not delay the data path ----------------
ip netns exec "$NSA" python3 - "$TMP/held" <<'EOF' &
import socket, sys, time, select
socks = []
silent = socket.create_connection(("127.0.0.1", 9100)); socks.append(silent)
partial = socket.create_connection(("127.0.0.1", 9100))
partial.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")	# never ends its headers
socks.append(partial)
for _ in range(200):
	s = socket.socket(); s.setblocking(False)
	s.connect_ex(("127.0.0.1", 9100)); socks.append(s)
deadline = time.time() + 1
pending = list(socks[2:])
while pending and time.time() < deadline:
	_, w, _ = select.select([], pending, [], 0.2)
	pending = [s for s in pending if s not in w]
open(sys.argv[1], "w").write(str(len(socks) - len(pending)))
time.sleep(15)	# held until the test kills it
EOF
SLOW=$!
PIDS+=("$SLOW")
for i in $(seq 50); do [ -s "$TMP/held" ] && break; sleep 0.1; done
# foud serves 32 at once and its backlog holds 64: the rest wait for the kernel to retry.
check "202 HTTP connections opened, $(cat "$TMP/held" 2>/dev/null) established, more than foud serves at once" \
	test "$(cat "$TMP/held" 2>/dev/null)" -gt 32
u0=$(counter b t1 .stats64.rx.packets)
check "while they are held: 20 pings through foud's userspace path all cross" \
	na ping -c 20 -i 0.05 -W 2 10.1.0.2
held=$(na ss -Htn state established "( dport = :9100 )" | wc -l)
check "... the clients still held $held connections after the pings" test "$held" -gt 32
check "... and b counted the 20 ($(( $(counter b t1 .stats64.rx.packets) - u0 )))" \
	test $(( $(counter b t1 .stats64.rx.packets) - u0 )) -eq 20
kill "$SLOW"; wait "$SLOW" 2>/dev/null
PIDS=("${PIDS[@]/$SLOW}"); PIDS=(${PIDS[@]})
ok=
for i in $(seq 50); do scrape_a >/dev/null && { ok=1; break; }; sleep 0.2; done
check "once they are gone, a scrape is answered again" test -n "$ok"

# ---- reload: the file's line moves the server, or stops it; counters go on ----------
c0=$(metric scrape_b "$K1")
echo "metrics listen unix:$TMP/b-moved.sock" >"$TMP/b.conf"
check "fouctl reload with a new metrics address" fb reload
check "fouctl save writes the line" grep -qx "metrics listen unix:$TMP/b-moved.sock" <(fb save)
check "... served there, the old socket gone, t1's counter as before ($c0)" \
	test "$(curl -sf --max-time 5 --unix-socket "$TMP/b-moved.sock" http://foud/metrics |
		K=$K1 awk '$1 == ENVIRON["K"] { print $2 }')" = "$c0" -a ! -e "$TMP/b-metrics.sock"
: >"$TMP/b.conf"
check "fouctl reload without the line" fb reload
check "... no server any more, and save has no line" \
	test ! -e "$TMP/b-moved.sock" -a "$(fb save | grep -c '^metrics')" = 0

# ---- bad addresses: refused, naming the word or the line -----------------------
fa metrics listen 1.2.3.4 >"$TMP/bad" 2>&1
rc=$?
check "fouctl metrics listen 1.2.3.4: refused naming it (exit $rc)" \
	test $rc -ne 0 -a "$(grep -c '"1.2.3.4"' "$TMP/bad")" = 1
fa metrics listen 127.0.0.1:9200 >"$TMP/bad" 2>&1
rc=$?
check "a second address while one is served: refused (exit $rc: $(head -c 80 "$TMP/bad"))" \
	test $rc -ne 0 -a "$(grep -c 'already' "$TMP/bad")" = 1
printf 'fou add port 5000 ipproto 4\nmetrics listen [::1]9100\n' >"$TMP/bad.conf"
"$FOUD" -n -c "$TMP/bad.conf" >"$TMP/bad" 2>&1
rc=$?
check "foud -n: a bad metrics line names its line (exit $rc)" \
	test $rc -ne 0 -a "$(grep -c 'bad.conf:2:.*"\[::1\]9100"' "$TMP/bad")" = 1
"$FOUD" --metrics localhost:x -n -c "$TMP/b.conf" >"$TMP/bad" 2>&1
rc=$?
check "foud --metrics localhost:x: refused (exit $rc)" test $rc -ne 0 -a "$(grep -c 'localhost:x' "$TMP/bad")" = 1
finish
