#!/usr/bin/env bash
# foud as a service: readiness (sd_notify READY=1 once the -c file is applied
# and all its devices exist, STATUS=, STOPPING=1 on SIGTERM; none after a bad
# line), SIGHUP a reload (RELOADING=1, READY=1; 92-reload.sh tests what it does), the default configuration file ($FOUD_CONFIG), and
# the capabilities of systemd/foud.service: foud runs here with only those
# (its bounding set) and must create a BPF and a TUN tunnel that carry pings.
. "$(dirname "$0")/lib.sh"
setup_hosts
NOTIFY=$ROOT/tests/tools/notify-run.py
N=50

# The unit's CapabilityBoundingSet, in setpriv's words.
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$ROOT/systemd/foud.service")
setpriv_caps=-all
for c in $caps; do c=${c#CAP_}; setpriv_caps+=",+${c,,}"; done
[ -n "$caps" ] || { echo "no CapabilityBoundingSet in systemd/foud.service"; exit 1; }

# A's file: a port, the two tunnels that carry pings, then N more devices.
{
	echo "fou add port 5555 ipproto 4"
	echo "fou add port 5556 ipproto 47"
	echo "link add name t1 type ipip remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555"
	echo "link add name t2 type gre remote $B4 local $A4 encap fou encap-dport 5556 datapath userspace"
	for i in $(seq $N); do
		echo "link add name s$i type ipip remote 198.51.100.$i local $A4 encap fou encap-dport 5555"
	done
} >"$TMP/a.conf"

# notified LOG WORD: how many lines of LOG are exactly WORD.
notified() { grep -cx "$2" "$1"; }
wait_for() { # wait_for LOG WORD: until foud sent it or exited
	local i
	for i in $(seq 300); do
		grep -qx -e "$2" -e 'exit=.*' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
}

# ---- readiness, under the unit's capabilities ------------------------------
ip netns exec "$NSA" python3 "$NOTIFY" "$TMP/n-a" setpriv --bounding-set="$setpriv_caps" \
	"$FOUD" -f -S "$TMP/a.sock" -c "$TMP/a.conf" ${FOUD_TEST_OPTS:-} 2>>"$TMP/foud-a.log" &
PIDS+=($!)
wait_for "$TMP/n-a" READY=1
check "READY=1 once the file is applied" test "$(notified "$TMP/n-a" READY=1)" -eq 1
check "at READY=1 every device of the file existed ($(sed -n 's/links-at-ready=//p' "$TMP/n-a") of $N)" \
	grep -qx "links-at-ready=$N" "$TMP/n-a"
check "STATUS= says the devices and the ports" grep -qx "STATUS=$((N + 2)) devices, 2 ports" "$TMP/n-a"
check "the notifying PID is foud's" grep -qx "MAINPID=$(sed -n 's/^pid=//p' "$TMP/n-a")" "$TMP/n-a"
foud_pid=$(sed -n 's/^pid=//p' "$TMP/n-a")

start_foud b
fb fou add port 5555 ipproto 4
fb fou add port 5556 ipproto 47
fb link add name t1 type ipip remote $A4 local $B4 encap fou encap-sport auto encap-dport 5555
fb link add name t2 type gre remote $A4 local $B4 encap fou encap-dport 5556 datapath userspace
dev_up a t1 10.1.0.1/24; dev_up b t1 10.1.0.2/24
dev_up a t2 10.2.0.1/24; dev_up b t2 10.2.0.2/24
check "with only $caps: t1 is on the BPF path" grep -q "datapath bpf" <(fa -d link show t1)
check "with only $caps: ping over BPF (t1)" na ping -c 2 -i 0.2 -W 2 10.1.0.2
check "with only $caps: ping over TUN and raw sockets (t2)" na ping -c 2 -i 0.2 -W 2 10.2.0.2

# ---- SIGHUP: a reload of the same file changes nothing ---------------------
kill -HUP "$foud_pid"
for i in $(seq 50); do [ "$(notified "$TMP/n-a" READY=1)" -ge 2 ] && break; sleep 0.1; done
check "after SIGHUP foud answers fouctl link show" fa link show t1
check "after SIGHUP t1 still pings" na ping -c 2 -i 0.2 -W 2 10.1.0.2
check "after SIGHUP t2 still pings" na ping -c 2 -i 0.2 -W 2 10.2.0.2
check "SIGHUP was logged as a reload" grep -q "SIGHUP: reloading $TMP/a.conf" "$TMP/foud-a.log"
check "SIGHUP: RELOADING=1 with MONOTONIC_USEC=, then READY=1 again" \
	test "$(grep -x -e READY=1 -e RELOADING=1 -e 'MONOTONIC_USEC=[0-9]*' "$TMP/n-a" | sed 's/^MONOTONIC_USEC=[0-9]*$/MONOTONIC_USEC=N/' | tr '\n' ' ')" = \
	"READY=1 RELOADING=1 MONOTONIC_USEC=N READY=1 "

# ---- SIGTERM: STOPPING=1, exit 0 -------------------------------------------
kill -TERM "${PIDS[0]}"; wait "${PIDS[0]}"; rc=$?
PIDS=("${PIDS[@]:1}")
check "foud exited 0 on SIGTERM" test "$rc" -eq 0
check "STOPPING=1 on SIGTERM, after READY=1" \
	test "$(grep -x -e READY=1 -e STOPPING=1 "$TMP/n-a" | tail -2 | tr '\n' ' ')" = "READY=1 STOPPING=1 "
check "its $N devices stay, for the next foud to take over" test "$(na ip -o link show | grep -c ': s[0-9]*:')" -eq "$N"

# ---- without -f: the daemon()'s child reports, as MAINPID -----------------
ip netns exec "$NSA" env UNTIL_STOPPING=1 python3 "$NOTIFY" "$TMP/n-bg" "$FOUD" -S "$TMP/bg.sock" \
	-c "$TMP/a.conf" 2>>"$TMP/foud-bg.log" &
bg=$!
wait_for "$TMP/n-bg" READY=1
bg_pid=$(sed -n 's/^MAINPID=//p' "$TMP/n-bg")
check "without -f: READY=1 after the file, with all $N devices" grep -qx "links-at-ready=$N" "$TMP/n-bg"
check "without -f: MAINPID ($bg_pid) is the daemon, not the parent" \
	test "$bg_pid" != "$(sed -n 's/^pid=//p' "$TMP/n-bg")" -a "$(cat /proc/"$bg_pid"/comm)" = foud
kill -TERM "$bg_pid"
wait $bg
check "without -f: the parent exited 0" grep -qx exit=0 "$TMP/n-bg"
check "without -f: STOPPING=1 on SIGTERM" grep -qx STOPPING=1 "$TMP/n-bg"
while [ -e /proc/"$bg_pid" ]; do sleep 0.1; done	# its cleanup frees port 5555

# ---- SIGTERM while the file is applied: the same clean end ------------------
ip netns exec "$NSA" python3 "$NOTIFY" "$TMP/n-early" "$FOUD" -f -S "$TMP/early.sock" \
	-c "$TMP/a.conf" 2>>"$TMP/foud-early.log" &
early=$!
while ! grep -qx -e 'exit=.*' -e READY=1 "$TMP/n-early" 2>/dev/null && [ ! -S "$TMP/early.sock" ]; do sleep 0.01; done
kill -TERM $early; wait $early; rc=$?
check "SIGTERM during start-up ($(grep -c '^link' "$TMP/a.conf") tunnels): exit 0 ($rc), STOPPING=1" \
	sh -c "test $rc -eq 0 && grep -qx STOPPING=1 '$TMP/n-early'"
na "$FOUD" --cleanup -S "$TMP/early.sock" 2>>"$TMP/cleanup.log"
check "after SIGTERM during start-up, foud --cleanup leaves no device" test "$(na ip -o link show | grep -c ': s[0-9]*:')" -eq 0

# ---- a bad line: non-zero exit, never ready --------------------------------
{ head -5 "$TMP/a.conf"; echo "link add name bad type ipip remote nowhere"; } >"$TMP/bad.conf"
ip netns exec "$NSA" python3 "$NOTIFY" "$TMP/n-bad" "$FOUD" -f -S "$TMP/bad.sock" \
	-c "$TMP/bad.conf" 2>"$TMP/bad.log"
rc=$?
check "a bad line: foud exits non-zero ($rc)" test "$rc" -ne 0
check "a bad line: its error names the file and line" grep -q "bad.conf:6:" "$TMP/bad.log"
check "a bad line: no READY=1" test "$(notified "$TMP/n-bad" READY=1)" -eq 0

# ---- the default file: $FOUD_CONFIG, -c over it, none at all ---------------
echo "link add name d1 type ipip remote $B4 local $A4" >"$TMP/default.conf"
check "foud -n checks \$FOUD_CONFIG without -c" env FOUD_CONFIG="$TMP/default.conf" "$FOUD" -n
FOUD_CONFIG=$TMP/bad.conf "$FOUD" -n 2>"$TMP/n.err"; rc=$?
check "foud -n fails ($rc) on a bad \$FOUD_CONFIG, naming its line" \
	sh -c "test $rc -eq 1 && grep -q 'bad.conf:6:' '$TMP/n.err'"
check "foud -n fails when there is no file to check" sh -c "! FOUD_CONFIG='$TMP/none.conf' '$FOUD' -n"
default_run() { # default_run LOG [foud options]: starts, waits for READY=1, stops
	local log=$1; shift
	ip netns exec "$NSA" python3 "$NOTIFY" "$log" "$FOUD" -f -S "$TMP/d.sock" "$@" 2>>"$TMP/foud-d.log" &
	local p=$!
	wait_for "$log" READY=1
	fa_d=$("$FOUCTL" -S "$TMP/d.sock" link show 2>&1)
	kill -TERM $p; wait $p
}
FOUD_CONFIG=$TMP/default.conf default_run "$TMP/n-d1"
check "without -c foud applies \$FOUD_CONFIG" grep -q "^d1:" <<<"$fa_d"
echo "link add name c1 type ipip remote $B4 local $A4" >"$TMP/c.conf"
FOUD_CONFIG=$TMP/default.conf default_run "$TMP/n-d2" -c "$TMP/c.conf"
check "-c FILE replaces the default file" test "$(grep -c '^[a-z0-9]*:' <<<"$fa_d")-$(grep -c '^c1:' <<<"$fa_d")" = 1-1
FOUD_CONFIG=$TMP/none.conf default_run "$TMP/n-d3"
check "without -c and without the file foud starts empty and ready" \
	test -z "$fa_d" -a "$(notified "$TMP/n-d3" READY=1)" -eq 1
check "STATUS= of an empty foud" grep -qx "STATUS=0 devices, 0 ports" "$TMP/n-d3"

finish
