#!/usr/bin/env bash
# Restart without losing devices (issue 14): a foud stopped with SIGTERM (or
# killed) leaves its devices and (with a bpffs) its BPF programs; the next foud with
# the same configuration takes them over: same ifindex, addresses and
# routes; the BPF path forwards while no foud runs. A device foud did not
# make is refused; what the new configuration lacks is removed; foud
# --cleanup removes everything. Each foud pins in a bpffs of its own.
. "$(dirname "$0")/lib.sh"
setup_hosts
bpftool version >/dev/null 2>&1 || skip "bpftool missing (scripts/install-deps.sh installs it)"
PIN_A=$TMP/bpf-a PIN_B=$TMP/bpf-b
mkdir -p "$PIN_A" "$PIN_B"	# foud makes foud/ in each
mount -t bpf bpf "$PIN_A" && mount -t bpf bpf "$PIN_B" || skip "cannot mount a bpffs"
trap 'cleanup_all' EXIT
cleanup_all() { cleanup_pids; umount "$PIN_A" "$PIN_B" 2>/dev/null; cleanup; }
cleanup_pids() { local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; PIDS=(); }

for h in a b; do
	l=$A4 r=$B4; [ $h = b ] && l=$B4 r=$A4
	cat >"$TMP/$h.conf" <<-EOF
	fou add port 5555 ipproto 4
	fou add port 5556 ipproto 47
	link add name t1 type ipip remote $r local $l encap fou encap-sport auto encap-dport 5555
	link add name u1 type gre remote $r local $l key 7 encap fou encap-sport auto encap-dport 5556 datapath userspace
	link add name v1 type vxlan id 5 remote $r local $l noudpcsum
	EOF
done
cp "$TMP/a.conf" "$TMP/a2.conf"
echo "link add name x3 type ipip remote 192.0.2.99 local $A4" >>"$TMP/a.conf"
# w1: an L3 tunnel (TUN), then in a2.conf a VXLAN device (TAP) of that name.
echo "link add name w1 type ipip remote 192.0.2.97 local $A4" >>"$TMP/a.conf"
echo "link add name w1 type vxlan id 9 remote 192.0.2.97 local $A4" >>"$TMP/a2.conf"

# start a|b CONF: a foud pinning in its own bpffs, its configuration applied.
start() {
	local pin=$PIN_A; [ "$1" = b ] && pin=$PIN_B
	FOUD_BPF_PIN=$pin/foud start_foud "$1" -c "$2"
	declare -g "P_$1=${PIDS[-1]}"
	"$FOUCTL" -S "$TMP/$1.sock" link show >/dev/null	# answered once the file is applied
}
# stop a|b: SIGTERM, and the process is gone.
stop() {
	local v=P_$1 p rc
	kill -TERM "${!v}"; wait "${!v}"; rc=$?
	[ $rc -eq 0 ] || nok "foud $1 exited with $rc on SIGTERM"
	for p in "${!PIDS[@]}"; do [ "${PIDS[$p]}" = "${!v}" ] && unset "PIDS[$p]"; done
	PIDS=("${PIDS[@]}")
}
# What must not change across a restart: ifindex, addresses, routes.
state() {
	local d
	for d in t1 u1 v1; do
		ip -n "$1" -o link show "$d" | cut -d: -f1-2
		ip -n "$1" -o addr show dev "$d" | awk '{print $2, $3, $4}'
		ip -n "$1" route show dev "$d"
	done
}
loss() { sed -n 's/.* \([0-9]*\) received.*/\1/p' "$1"; }

start a "$TMP/a.conf"; start b "$TMP/b.conf"
dev_up a t1 10.1.0.1/24; dev_up b t1 10.1.0.2/24
dev_up a u1 10.2.0.1/24; dev_up b u1 10.2.0.2/24
dev_up a v1 10.3.0.1/24; dev_up b v1 10.3.0.2/24
na ip route add 10.9.0.0/24 via 10.1.0.2 dev t1
check "t1 is on the BPF path, u1 on the userspace path" \
	test "$(fa -d link show t1 | grep -o 'datapath [a-z]*')/$(fa -d link show u1 | grep -o 'datapath [a-z]*')" = "datapath bpf/datapath userspace"
check "before: ping over t1 and u1" sh -c "ip netns exec $NSA ping -c 2 -i 0.1 -W 2 10.1.0.2 && ip netns exec $NSA ping -c 2 -i 0.1 -W 2 10.2.0.2"
state "$NSA" >"$TMP/state-a0"; state "$NSB" >"$TMP/state-b0"
x3=$(na cat /sys/class/net/x3/ifindex)

# ---- kill -TERM + start, 100 pps through each path --------------------------
na ping -i 0.01 -c 300 -W 1 -q 10.1.0.2 >"$TMP/ping-bpf" 2>&1 & pb=$!
na ping -i 0.01 -c 300 -W 1 -q 10.2.0.2 >"$TMP/ping-us" 2>&1 & pu=$!
sleep 0.3
t0=$(date +%s%N)
stop a; stop b
check "SIGTERM: t1, u1 and v1 stay in A and B (persistent)" \
	test "$(na ip -o link show | grep -c -E ' (t1|u1|v1):')$(nb ip -o link show | grep -c -E ' (t1|u1|v1):')" = 33
check "no foud process left" test -z "$(pgrep -f "$FOUD -f -S $TMP/" || true)"
check "with no foud running: 20 pings over t1 (BPF) all answered" na ping -c 20 -i 0.01 -W 1 -q 10.1.0.2
check "with no foud running: no ping over u1 (userspace) answered" sh -c "! ip netns exec $NSA ping -c 2 -i 0.1 -W 0.3 -q 10.2.0.2"
start a "$TMP/a.conf"; start b "$TMP/b.conf"
t1=$(date +%s%N)
wait $pb $pu
down_ms=$(( (t1 - t0) / 1000000 ))
rb=$(loss "$TMP/ping-bpf") ru=$(loss "$TMP/ping-us")
echo "# 100 pps across kill -TERM + start (foud down ${down_ms} ms): BPF path $((300 - rb)) of 300 lost, userspace path $((300 - ru)) of 300 lost"
check "BPF path: at most 1% lost across the restart ($((300 - rb)) of 300)" test "$rb" -ge 297
check "userspace path: pings resume after the restart" na ping -c 3 -i 0.1 -W 2 10.2.0.2
check "... and over the VXLAN device v1" na ping -c 3 -i 0.1 -W 2 10.3.0.2
# v1 on BPF (noudpcsum) before and after: the new foud took its receive key and table over.
check_l2_path v1 10.3.0.2 3
check "userspace path: lost no more than were sent while foud was down ($((300 - ru)) <= ${down_ms}/10 + 2)" \
	test $((300 - ru)) -le $((down_ms / 10 + 2))
# The same, restarting A at once (nothing checked while it is down).
na ping -i 0.01 -c 200 -W 1 -q 10.1.0.2 >"$TMP/ping-bpf2" 2>&1 & pb=$!
na ping -i 0.01 -c 200 -W 1 -q 10.2.0.2 >"$TMP/ping-us2" 2>&1 & pu=$!
sleep 0.3
t0=$(date +%s%N); stop a; start a "$TMP/a.conf"; t1=$(date +%s%N)
wait $pb $pu
rb=$(loss "$TMP/ping-bpf2") ru=$(loss "$TMP/ping-us2")
echo "# 100 pps across an immediate restart of A (down $(( (t1 - t0) / 1000000 )) ms): BPF path $((200 - rb)) of 200 lost, userspace path $((200 - ru)) of 200 lost"
check "immediate restart: BPF path at most 1% lost ($((200 - rb)) of 200)" test "$rb" -ge 198
state "$NSA" >"$TMP/state-a1"; state "$NSB" >"$TMP/state-b1"
check "A: ifindex, addresses and routes of t1, u1 and v1 (a TAP) identical across the restart" diff "$TMP/state-a0" "$TMP/state-a1"
check "B: the same" diff "$TMP/state-b0" "$TMP/state-b1"
check "the log says t1 was taken over" grep -q "t1: taking over the existing device" "$TMP/foud-a.log"
check "after the restart t1 is still on the BPF path" grep -q "datapath bpf" <(fa -d link show t1)
brx=$(fa -j -s -d link show t1 | jq -r '.[0].foud.bpf_stats64.rx.packets')
check "after the restart: ping over t1" na ping -c 3 -i 0.1 -W 2 10.1.0.2
check "... counted by the taken-over BPF programs ($(fa -j -s -d link show t1 | jq -r '.[0].foud.bpf_stats64.rx.packets') - $brx = 3)" \
	test $(( $(fa -j -s -d link show t1 | jq -r '.[0].foud.bpf_stats64.rx.packets') - brx )) -eq 3

# ---- a device foud did not make is refused, never taken -----------------------
na ip tuntap add dev f1 mode tun
na ip link add f2 type veth peer name f2p
f1=$(na cat /sys/class/net/f1/ifindex)
fa link add name f1 type ipip remote 192.0.2.98 local $A4 >"$TMP/f1.out" 2>&1; rc1=$?
fa link add name f2 type gretap remote 192.0.2.98 local $A4 >"$TMP/f2.out" 2>&1; rc2=$?
check "link add f1 over a TUN foud did not make: refused (exit $rc1), saying why" \
	sh -c "test $rc1 -ne 0 && grep -q 'device \"f1\" exists and is not foud.s to take over: it has not foud.s alias' '$TMP/f1.out'"
check "... and the log says why" grep -q "f1: a device of that name exists and foud will not take it over: it has not foud's alias" "$TMP/foud-a.log"
check "link add f2 over a veth: refused (exit $rc2), not a TUN/TAP" \
	sh -c "test $rc2 -ne 0 && grep -q 'f2.*: it is not a TUN/TAP device' '$TMP/f2.out' && grep -q 'f2: .*it is not a TUN/TAP device' '$TMP/foud-a.log'"
check "f1 untouched (ifindex $f1), f2 still a veth" \
	test "$(na cat /sys/class/net/f1/ifindex)/$(na ip -d -o link show f2 | grep -o veth)" = "$f1/veth"

# ---- a restart with a configuration without x3: x3 goes -----------------------
# foud removes devices by putting them in a group of their own (0x666f7564)
# and deleting that group; a device of someone else's already in it stays.
na ip link set f2 group 1718580580
stop a
check "after SIGTERM x3 stays, its egress link pinned" test -e "$PIN_A/foud/link-eg-$x3"
start a "$TMP/a2.conf"
check "restart without x3 in the file: x3 removed" test -z "$(na ip -o link show x3 2>/dev/null)"
check "... and not f2, which was in the group foud deletes by" test -n "$(na ip -o link show f2 2>/dev/null)"
check "... and its pinned link" test ! -e "$PIN_A/foud/link-eg-$x3"
check "... the log says so" grep -q "x3: removed foud's unused device" "$TMP/foud-a.log"
check "t1 still forwards" na ping -c 2 -i 0.1 -W 2 10.1.0.2
check "w1, foud's TUN, replaced by the TAP a2.conf wants" \
	sh -c "ip -n $NSA -d link show w1 | grep -q 'tun type tap' && grep -q \"w1: replacing foud's TUN device by a TAP\" '$TMP/foud-a.log'"

# ---- clsact filters (kernels before 6.6): kept, and replaced in place ---------
stop a
FOUD_BPF_TC=1 start a "$TMP/a2.conf"
check "clsact: foud's filters on va ingress and t1 egress" \
	sh -c "ip netns exec $NSA tc filter show dev va ingress | grep -q foud_ingress && ip netns exec $NSA tc filter show dev t1 egress | grep -q foud_egress"
stop a
check "clsact, no foud running: 10 pings over t1 all answered" na ping -c 10 -i 0.01 -W 1 -q 10.1.0.2
FOUD_BPF_TC=1 start a "$TMP/a2.conf"
check "clsact, restarted: one filter on va ingress, replaced rather than added" \
	test "$(na tc filter show dev va ingress | grep -c foud_ingress)" -eq 1
check "clsact, restarted: ping over t1" na ping -c 2 -i 0.1 -W 2 10.1.0.2
stop a
start a "$TMP/a2.conf"

# ---- kill -9 (a crash): the devices and the BPF path stay too ------------------
t1_idx=$(na cat /sys/class/net/t1/ifindex)
kill -9 "$P_a"; wait "$P_a" 2>/dev/null
PIDS=("${PIDS[@]/$P_a}"); PIDS=(${PIDS[@]})
check "kill -9: t1 stays, and BPF pings over it are answered" na ping -c 10 -i 0.01 -W 1 -q 10.1.0.2
rm -f "$TMP/a.sock"	# left by the killed foud: start_foud waits for a new one
start a "$TMP/a2.conf"
check "the next foud took t1 over (ifindex $t1_idx)" test "$(na cat /sys/class/net/t1/ifindex)" = "$t1_idx"
check "... and t1 forwards" na ping -c 2 -i 0.1 -W 2 10.1.0.2

# ---- foud --cleanup ----------------------------------------------------------
nb "$FOUD" --cleanup -S "$TMP/b.sock" >"$TMP/cl-b" 2>&1; rc=$?
check "--cleanup refuses while a foud runs (exit $rc), B's devices stay" \
	sh -c "test $rc -ne 0 && grep -q 'a foud is running' '$TMP/cl-b' && ip -n $NSB -o link show t1 >/dev/null"
# A second foud in B (another socket) starts while B's runs: it removes none
# of B's devices and takes none over.
ip netns exec "$NSB" "$FOUD" -f -S "$TMP/b2.sock" 2>>"$TMP/foud-b2.log" & b2=$!
for i in $(seq 50); do [ -S "$TMP/b2.sock" ] && break; sleep 0.1; done
"$FOUCTL" -S "$TMP/b2.sock" link add name t1 type ipip remote $A4 local $B4 >/dev/null 2>&1; rc=$?
check "a second foud in B: link add t1 refused (exit $rc), B's foud holds it" \
	sh -c "test $rc -ne 0 && grep -q 't1: .*another process holds it' '$TMP/foud-b2.log'"
kill -TERM $b2; wait $b2
check "... B's t1, u1 and v1 all still there, same ifindex" diff "$TMP/state-b0" <(state "$NSB")
links=$(for f in "$PIN_A"/foud/link-*; do bpftool -j link show pinned "$f" | jq -r .id; done)
stop a
check "stopped foud left pinned links ($(echo $links))" test -n "$links"
na env FOUD_BPF_PIN="$PIN_A/foud" "$FOUD" --cleanup -S "$TMP/a.sock" 2>"$TMP/cl-a"; rc=$?
check "foud --cleanup exits 0" test $rc -eq 0
check "--cleanup: none of foud's devices left in A" test -z "$(na ip -o link show | grep -E ' (t1|u1|v1|w1|x3):')"
check "--cleanup: f1 and f2 (not foud's) stay" sh -c "ip -n $NSA link show f1 && ip -n $NSA link show f2" 
check "--cleanup: no pin left, the directory removed" test ! -e "$PIN_A/foud"
check "--cleanup: none of the pinned links exists any more" \
	sh -c "for i in $(echo $links); do bpftool link show id \$i >/dev/null 2>&1 && exit 1; done; exit 0"
check "--cleanup: no tc filter on va" test -z "$(na tc filter show dev va ingress)$(na tc filter show dev va egress)"

# ---- two fouds in one namespace, /sys/fs/bpf a bpffs: a pin directory each --
# (a mount namespace of A's with its own bpffs there, shared by both)
ip netns exec "$NSA" unshare -m --propagation private sh -c 'mount -t bpf bpf /sys/fs/bpf && exec sleep 60' & hold=$!
PIDS+=($hold)
for i in $(seq 50); do [ "$(nsenter -t $hold -m stat -f -c %T /sys/fs/bpf 2>/dev/null)" = bpf_fs ] && break; sleep 0.1; done
inst() { # inst NAME [foud args]: a foud in that mount namespace
	local n=$1; shift
	nsenter -t $hold -m -n "$FOUD" -f -S "$TMP/$n.sock" "$@" 2>>"$TMP/foud-$n.log" &
	PIDS+=($!) IPIDS+=($!)
	for i in $(seq 50); do [ -S "$TMP/$n.sock" ] && break; sleep 0.1; done
	"$FOUCTL" -S "$TMP/$n.sock" link show >/dev/null
}
IPIDS=()
inst i1
"$FOUCTL" -S "$TMP/i1.sock" fou add port 5555 ipproto 4
"$FOUCTL" -S "$TMP/i1.sock" link add name p1 type ipip remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555 datapath bpf
p1=$(na cat /sys/class/net/p1/ifindex)
printf 'fou add port 5565 ipproto 4\nlink add name p2 type ipip remote 192.0.2.98 local %s encap fou encap-sport auto encap-dport 5565 datapath bpf\n' $A4 >"$TMP/i2.conf"
inst i2 -c "$TMP/i2.conf"
# p1's entry in a pinned foud_tnl: the second foud's start swept it from a shared one.
p1_pinned() { nsenter -t $hold -m sh -c "for m in /sys/fs/bpf/foud/*/foud_tnl; do bpftool map lookup pinned \$m key $p1 0 0 0 && exit 0; done; exit 1"; }
check "two fouds, two pin directories ($(nsenter -t $hold -m ls /sys/fs/bpf/foud | tr '\n' ' '))" \
	test "$(nsenter -t $hold -m ls /sys/fs/bpf/foud | wc -l)" -eq 2
check "the second foud's start left the first one's tunnel p1 in its BPF maps" p1_pinned
for p in "${IPIDS[@]}"; do kill -TERM $p; wait $p; rc=$?; check "foud $p (one of two in A) exited cleanly" test $rc -eq 0; done
kill $hold; wait $hold 2>/dev/null
PIDS=($(printf '%s\n' "${PIDS[@]}" | grep -vxF -e $hold "${IPIDS[@]/#/-e}"))
finish
