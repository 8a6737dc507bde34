#!/usr/bin/env bash
# fouctl as iproute2 users type it: abbreviations, link add NAME, help and
# version, -n NETNS and the per-namespace abstract socket (no -S), -b with
# and without -force, -br, -o, -p; and monitor, its events checked line by line.
. "$(dirname "$0")/lib.sh"
setup_hosts
start_foud a
start_foud b
F=$FOUCTL
L4="remote $B4 local $A4"
# IP tunnels alike but for their remote (Linux, and foud, refuse twins: same type and addresses)
r4() { echo "remote 192.0.2.$1 local $A4"; }

# Polls (at most 5 s) until file $1 has at least $2 lines.
wait_lines() {
	local i
	for i in $(seq 50); do [ "$(wc -l <"$1")" -ge "$2" ] && return 0; sleep 0.1; done
	return 1
}
# Polls (at most 5 s) until file $1 has a line matching the extended regex $2.
wait_grep() {
	local i
	for i in $(seq 50); do grep -qE "$2" "$1" && return 0; sleep 0.1; done
	return 1
}
# Starts a monitor in host A (its output in $TMP/$1.out), waits for foud to take it.
start_monitor() { # start_monitor NAME fouctl-words...
	local name=$1 n i; shift
	n=$(grep -c 'monitor (pid' "$TMP/foud-a.log")
	# not through na: $! must be fouctl's pid (ip netns exec execs it), not a subshell's
	ip netns exec "$NSA" "$F" "$@" >"$TMP/$name.out" 2>&1 &
	MONS+=($!)
	for i in $(seq 50); do
		[ "$(grep -c 'monitor (pid' "$TMP/foud-a.log")" -gt "$n" ] && return 0
		sleep 0.1
	done
	return 1
}
MONS=()
# Stops them, and waits (at most 5 s) until foud has seen each leave.
stop_monitors() {
	local p i want
	want=$(( $(grep -c 'monitor (pid .*) left' "$TMP/foud-a.log") + ${#MONS[@]} ))
	for p in "${MONS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	MONS=()
	for i in $(seq 50); do
		[ "$(grep -c 'monitor (pid .*) left' "$TMP/foud-a.log")" -ge "$want" ] && return 0
		sleep 0.1
	done
}

# ---- help and version: exit 0, usage on stdout, no foud needed ----
for words in "-V" "-Version" "--version" "-h" "--help" "-help" "help" "link help" \
	"l a help" "fdb help" "monitor help" "fleet help" "metrics help"; do
	# shellcheck disable=SC2086
	out=$("$F" -S /nonexistent $words 2>&1); rc=$?
	case $words in -V*|--v*) want="fouctl, foud [0-9]" ;; *) want="^Usage: fouctl" ;; esac
	check "fouctl $words: exit 0 ($rc), prints $want" \
		bash -c '[ "$1" = 0 ] && grep -qE "$2" <<<"$3"' _ "$rc" "$want" "$out"
done
out=$("$F" link help)
check "link help lists link add and link show, nothing of fdb" \
	bash -c 'grep -q "^fouctl link show" <<<"$1" && grep -q "link add name NAME type vxlan" <<<"$1" && ! grep -q "fouctl fdb" <<<"$1"' _ "$out"
check "an unknown option is refused, naming it" \
	bash -c '! "$1" -zz link show 2>"$2/err" && grep -q "\"-zz\" is unknown" "$2/err"' _ "$F" "$TMP"

# ---- monitors: started now, read at the end ----
check "monitor (abstract socket, no -S) taken by foud" start_monitor all monitor
check "monitor link -j taken" start_monitor linkj -j monitor link
check "monitor fdb taken" start_monitor fdb mon fdb

# ---- every accepted form of link add, abbreviations of objects and commands ----
check "link add name NAME" fa link add name t1 type ipip $(r4 11)
check "link add dev NAME" fa link add dev t2 type ipip $L4
check "link add NAME" fa link add t3 type ipip $(r4 13)
check "l a NAME (ip's abbreviations)" fa l a t4 type ipip $(r4 14)
check "li add NAME" fa li add t5 type gre $L4
check "fou a (fou add)" fa f a port 5555 gue
check "link sh / lst / list / l / link: every link there" bash -c '
	for w in "link sh" "link lst" "link list" "l l" "l" "link"; do
		out=$("$@" $w) || exit 1
		for t in t1 t2 t3 t4 t5; do grep -q "^$t: " <<<"$out" || { echo "$w: no $t"; exit 1; }; done
	done' _ "$F" -S "$TMP/a.sock"
check "f s shows port 5555" bash -c '"$@" f s | grep -q 5555' _ "$F" -S "$TMP/a.sock"
check "l d NAME" fa l d t5
check "link delete dev NAME" fa link delete dev t4
check "l s NAME mtu 1400 (ip's set, never show): t3's mtu is 1400" bash -c '"$@" l s t3 mtu 1400 &&
	[ "$("$@" -j link show t3 | jq ".[0].mtu")" = 1400 ]' _ "$F" -S "$TMP/a.sock"
check "link rep is ip's replace, which foud lacks: refused by name" bash -c '! "$@" link rep t3 2>"$0" && grep -q "link replace" "$0"' \
	"$TMP/rep.err" "$F" -S "$TMP/a.sock"
check "keywords stay exact: ty is refused" bash -c '! "$@" l a t9 ty ipip remote 192.0.2.2 local 192.0.2.1' _ "$F" -S "$TMP/a.sock"

# ---- the per-namespace socket: ip netns exec without -S, and -n NETNS ----
fb link add tb type ipip remote $A4 local $B4
check "ip netns exec A fouctl link show (no -S) reaches A's foud" \
	bash -c 'out=$(ip netns exec "$1" "$2" link show) && grep -q "^t1: " <<<"$out" && ! grep -q "^tb: " <<<"$out"' _ "$NSA" "$F"
check "fouctl -n B link show reaches B's foud" \
	bash -c 'out=$("$2" -n "$1" link show) && grep -q "^tb: " <<<"$out" && ! grep -q "^t1: " <<<"$out"' _ "$NSB" "$F"
check "-n of a namespace that does not exist fails, naming it" \
	bash -c '! "$1" -n nosuch-ns link show 2>"$2/err" && grep -q "nosuch-ns" "$2/err"' _ "$F" "$TMP"

# An abstract name is anyone's to bind: in a namespace without foud, an
# unprivileged squatter of @foud/control gets no command from root's fouctl.
ip netns add "$NSC"
ip netns exec "$NSC" setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c '
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("\0foud/control"); s.listen(4); s.settimeout(10)
c, _ = s.accept(); c.settimeout(2)
try:
    got = c.recv(4096)
except OSError:
    got = b""
print(len(got))' >"$TMP/squat.got" 2>&1 &
squat=$!
for i in $(seq 50); do ip netns exec "$NSC" ss -xl | grep -q '@foud/control' && break; sleep 0.1; done
FOUD_SOCKET= ip netns exec "$NSC" "$F" link show >"$TMP/squat.out" 2>&1
wait $squat
check "a squatter of @foud/control (uid 65534) is refused by name and gets 0 bytes ($(cat "$TMP/squat.got"))" \
	bash -c 'grep -q "@foud/control is held by uid 65534" "$1" && [ "$(cat "$2")" = 0 ]' _ "$TMP/squat.out" "$TMP/squat.got"

# ---- -b: stop at the first bad line; -force goes on; the line is named ----
printf 'link add b1 type ipip %s\nlink add b2 type ipip bogus\nlink add b3 type ipip %s\n' "$(r4 31)" "$(r4 33)" >"$TMP/batch"
fa -b "$TMP/batch" 2>"$TMP/berr"; rc=$?
check "-b: exit 1, line 2 named, b1 made, b3 not" bash -c '[ "$1" = 1 ] && grep -q "batch:2: " "$2/berr" &&
	"${@:3}" link show b1 >/dev/null && ! "${@:3}" link show b3 2>/dev/null' _ "$rc" "$TMP" "$F" -S "$TMP/a.sock"
sed -i 's/b1\(.*\)\.31 /b4\1.34 /; s/b3\(.*\)\.33 /b5\1.35 /' "$TMP/batch"
fa -force -b "$TMP/batch" 2>"$TMP/berr"; rc=$?
check "-force -b: exit 1, line 2 named, b4 and b5 made" bash -c '[ "$1" = 1 ] && grep -q "batch:2: " "$2/berr" &&
	"${@:3}" link show b4 >/dev/null && "${@:3}" link show b5 >/dev/null' _ "$rc" "$TMP" "$F" -S "$TMP/a.sock"

# ---- -br, -o, -p ----
na ip link set t1 up
n=$(fa -j link show | jq length)
fa -br link show >"$TMP/br"
check "-br: one line per device ($n)" test "$(wc -l <"$TMP/br")" -eq "$n"
check "-br: t1 UP (UNKNOWN, as ip says of an up TUN, once foud reports operstate) ipip, t2 DOWN ipip" bash -c 'grep -qE "^t1 +(UP|UNKNOWN) +.*ipip$" "$1" && grep -qE "^t2 +DOWN +.*ipip$" "$1"' _ "$TMP/br"
fa -o -d link show >"$TMP/o"
check "-o: one line per device ($n), continuation lines joined by \\" \
	bash -c '[ "$(wc -l <"$1")" -eq "$2" ] && grep -q "^t1: .*\\\\ " "$1"' _ "$TMP/o" "$n"
fa -j -p link show >"$TMP/p"
check "-p: indented JSON over many lines, the same as -j's" bash -c '[ "$(wc -l <"$1")" -gt "$2" ] &&
	[ "$(jq -cS . "$1")" = "$("${@:3}" -j link show | jq -cS .)" ]' _ "$TMP/p" "$n" "$F" -S "$TMP/a.sock"

# ---- monitor: the events of the commands above, line by line ----
na ip link set t1 down
fa link add vx0 type vxlan id 5 $L4
fb link add vx0 type vxlan id 5 remote $A4 local $B4
fa fdb add 00:11:22:33:44:55 dev vx0 dst $B4
fa fdb del 00:11:22:33:44:55 dev vx0
dev_up a vx0 10.5.0.1/24; dev_up b vx0 10.5.0.2/24
na ping -c 1 -W 2 10.5.0.2 >/dev/null
BMAC=$(nb cat /sys/class/net/vx0/address)
fa link del t1
# the route to B gets an MTU: foud follows it, and says so
na ip route add $B4/32 dev va mtu 1400
wait_grep "$TMP/all.out" "^[0-9]+: t2: underlay va path-mtu 1400$"
wait_grep "$TMP/all.out" "^Deleted [0-9]+: t1: "
wait_lines "$TMP/fdb.out" 3
fa link del t2	# tp below is t2's twin otherwise
# on BPF, tp goes to userspace while its route goes through a device BPF cannot
# send on (a TUN device: not Ethernet), and back when the route returns to va
fa link add tp type ipip $L4 encap gue encap-sport auto encap-dport 5555
dp2=$(fa -j -d link show tp | jq -r '.[0].foud.datapath')
if [ "$dp2" = bpf ]; then
	na ip tuntap add tunx mode tun && na ip link set tunx up
	na ip route replace $B4/32 dev tunx
	wait_grep "$TMP/all.out" "^[0-9]+: tp: datapath userspace "
	na ip route replace $B4/32 dev va
	wait_grep "$TMP/all.out" "^[0-9]+: tp: datapath bpf$"
fi
wait_grep "$TMP/linkj.out" '"ifname":"t1",.*"deleted":true|"deleted":true,.*"ifname":"t1"' 
grep -v ' vx0\|^[0-9]*: vx0:' "$TMP/all.out" | grep ': t1:' >"$TMP/t1.ev"
check "monitor: t1 added, up, down, deleted, as ip monitor prints them" bash -c '
	sed -n 1p "$1" | grep -qE "^[0-9]+: t1: <POINTOPOINT,MULTICAST,NOARP> mtu [0-9]+ state DOWN link/ipip$" &&
	sed -n 2p "$1" | grep -qE "^[0-9]+: t1: <POINTOPOINT,MULTICAST,NOARP,UP,LOWER_UP> mtu [0-9]+ state UP link/ipip$" &&
	sed -n 3p "$1" | grep -qE "^[0-9]+: t1: <POINTOPOINT,MULTICAST,NOARP> mtu [0-9]+ state DOWN link/ipip$" &&
	sed -n 4p "$1" | grep -qE "^Deleted [0-9]+: t1: <POINTOPOINT,MULTICAST,NOARP> mtu [0-9]+ state DOWN link/ipip$" &&
	[ "$(wc -l <"$1")" = 4 ]' _ "$TMP/t1.ev"
check "monitor: b4 and b5 added, t4 and t5 deleted, one line each" bash -c '
	[ "$(grep -cE "^[0-9]+: b[45]: <" "$1")" = 2 ] && [ "$(grep -cE "^Deleted [0-9]+: t[45]: " "$1")" = 2 ]' _ "$TMP/all.out"
check "monitor: the static fdb entry added and deleted, as bridge monitor fdb prints them" bash -c '
	grep -qx "00:11:22:33:44:55 dev vx0 dst $2 self permanent" "$1" &&
	grep -qx "Deleted 00:11:22:33:44:55 dev vx0 dst $2 self permanent" "$1"' _ "$TMP/all.out" "$B4"
check "monitor: B's MAC learned behind $B4" grep -qx "$BMAC dev vx0 dst $B4 self" "$TMP/all.out"
check "monitor: vx0 (a TAP) added and up as ip monitor prints an Ethernet device, link/vxlan" bash -c '
	grep -E "^[0-9]+: vx0: <" "$1" >"$1.vx" &&
	sed -n 1p "$1.vx" | grep -qE "^[0-9]+: vx0: <BROADCAST,MULTICAST> mtu [0-9]+ state DOWN link/vxlan$" &&
	grep -qE "^[0-9]+: vx0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu [0-9]+ state UP link/vxlan$" "$1.vx"' _ "$TMP/all.out"
check "monitor: the route followed: t2's underlay va, path-mtu 1400" \
	grep -qE "^[0-9]+: t2: underlay va path-mtu 1400$" "$TMP/all.out"
if [ "$dp2" = bpf ]; then
	check "monitor: tp's datapath: userspace while the route goes through tunx, then bpf" bash -c '
		grep -E "^[0-9]+: tp: datapath" "$1" >"$1.dp"
		[ "$(wc -l <"$1.dp")" = 2 ] &&
		sed -n 1p "$1.dp" | grep -qE "^[0-9]+: tp: datapath userspace \(transmit by userspace: BPF cannot send on the underlay\)$" &&
		sed -n 2p "$1.dp" | grep -qE "^[0-9]+: tp: datapath bpf$"' _ "$TMP/all.out"
else
	echo "# tp is on $dp2, not bpf: the datapath events are not checked"
fi
check "monitor fdb: the fdb lines only (3)" bash -c '[ "$(wc -l <"$1")" = 3 ] && ! grep -q "t1" "$1"' _ "$TMP/fdb.out"
check "monitor -j link: one JSON object a line; t1 deleted says \"deleted\":true" bash -c '
	jq -e . "$1" >/dev/null &&
	[ "$(jq -c "select(.ifname == \"t1\" and .deleted == true) | .operstate" "$1")" = "\"DOWN\"" ] &&
	! grep -q 00:11:22 "$1"' _ "$TMP/linkj.out"
# at most 16 monitors: the 17th is refused, and says why
for i in $(seq 13); do start_monitor "tou$i" monitor tou || break; done
check "a 17th monitor is refused: already 16" bash -c '! ip netns exec "$1" "$2" monitor >"$3/m17" 2>&1 && grep -q "already 16 monitors" "$3/m17"' \
	_ "$NSA" "$F" "$TMP"
stop_monitors

# ---- a monitor that stops reading stalls nothing: its oldest events go, counted ----
# 1000 fdb entries added and deleted (2000 lines, ~110 KB: more than its queue
# of 64 KiB and its socket's 32 KiB); a monitor that reads gets every line.
start_monitor fdb2 monitor fdb
na python3 "$ROOT/tests/tools/ctl-client.py" monitor-stuck @foud/control "$TMP/ready" "$TMP/go" \
	"Deleted 02:00:00:00:03:e7 dev vx0 dst $B4 self permanent" >"$TMP/stuck.out" 2>&1 &
stuck=$!
for i in $(seq 50); do [ -e "$TMP/ready" ] && break; sleep 0.1; done
for i in $(seq 0 999); do
	m=$(printf '02:00:00:00:%02x:%02x' $((i / 256)) $((i % 256)))
	echo "fdb add $m dev vx0 dst $B4"
	echo "fdb del $m dev vx0"
done >"$TMP/fdb-batch"
check "2000 fdb commands done while a monitor reads nothing" fa -b "$TMP/fdb-batch"
check "... and the tunnel still carries a ping" na ping -c 1 -W 2 10.5.0.2
wait_lines "$TMP/fdb2.out" 2000
check "the monitor that reads got all 2000 lines" test "$(wc -l <"$TMP/fdb2.out")" -eq 2000
check "foud's log names the slow one" grep -q 'does not keep up: dropping its oldest events' "$TMP/foud-a.log"
touch "$TMP/go"
wait $stuck
check "the slow one lost old events but got the newest: $(cat "$TMP/stuck.out")" bash -c '
	read -r n _ _ last <"$1"; [ "$n" -lt 2000 ] && [ "$last" = "Deleted 02:00:00:00:03:e7 dev vx0 dst $2 self permanent" ]' _ "$TMP/stuck.out" "$B4"
stop_monitors
check "foud A serves after its monitors left" fa link show t3
finish
