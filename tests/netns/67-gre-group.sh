#!/usr/bin/env bash
# GRE-TAP and NVGRE with a multicast remote, as Linux's GRE: three foud hosts
# on one bridge join the group on `dev`; broadcast (ARP) goes to the group,
# replies come back unicast and are learned, pings cross between every pair.
# Deleting the device leaves the group. The L3 kinds, which join nothing,
# refuse a multicast remote and create nothing.
. "$(dirname "$0")/lib.sh"
setup_bridge3
start_foud a
start_foud b
start_foud c
G=239.1.1.1 N=239.1.1.2

fa link add name gm type gretap remote $G local $A4 dev va key 7
fb link add name gm type gretap remote $G local $B4 dev vb key 7
fc link add name gm type gretap remote $G local $C4 dev vc key 7
fa link add name nm type nvgre vsid 5000 remote $N local $A4 dev va
fb link add name nm type nvgre vsid 5000 remote $N local $B4 dev vb
fc link add name nm type nvgre vsid 5000 remote $N local $C4 dev vc
for h in a b c; do
	i=1; [ $h = b ] && i=2; [ $h = c ] && i=3
	dev_up $h gm 10.12.0.$i/24
	dev_up $h nm 10.13.0.$i/24
done
check "gretap group: A joined $G on va" grep -qE "inet +$G\$" <(na ip maddr show dev va)
check "gretap group: A -> B" na ping -c 2 -i 0.2 -W 2 10.12.0.2
check "gretap group: A -> C" na ping -c 2 -i 0.2 -W 2 10.12.0.3
check "gretap group: C -> B" nc_ ping -c 2 -i 0.2 -W 2 10.12.0.2
bmac=$(nb cat /sys/class/net/gm/address) cmac=$(nc_ cat /sys/class/net/gm/address)
check "gretap group: A learned B's MAC behind $B4 and C's behind $C4" \
	test -n "$(fa fdb show dev gm | grep "^$bmac dev gm dst $B4 self learned")" \
	-a -n "$(fa fdb show dev gm | grep "^$cmac dev gm dst $C4 self learned")"
check "gretap group: A floods to the group" \
	grep -q "^00:00:00:00:00:00 dev gm dst $G self permanent" <(fa fdb show dev gm)
check "gretap group: link show says remote $G dev va" grep -q "remote $G local $A4 dev va" <(fa link show gm)
check "nvgre group: A -> B" na ping -c 2 -i 0.2 -W 2 10.13.0.2
check "nvgre group: B -> C" nb ping -c 2 -i 0.2 -W 2 10.13.0.3
check "nvgre group: B learned C's MAC behind $C4" \
	grep -q "^$(nc_ cat /sys/class/net/nm/address) dev nm dst $C4 self learned" <(fb fdb show dev nm)

fa link del gm
check "gretap group: deleting the device left $G (nvgre still holds $N)" \
	test -z "$(na ip maddr show dev va | grep -w "$G")" -a -n "$(na ip maddr show dev va | grep -w "$N")"

# The L3 kinds join nothing: refused, naming the word, nothing created.
for k in gre ipip; do
	fa link add name g3 type $k remote $G local $A4 2>"$TMP/err"; rc=$?
	check "$k remote $G: refused ($(cat "$TMP/err"))" \
		test $rc -ne 0 -a -n "$(grep -F '"remote" 239.1.1.1: a multicast remote is not supported' "$TMP/err")"
	check "$k remote $G: no device" test -z "$(na ip -br link show g3 2>/dev/null)$(fa link show g3 2>/dev/null)"
done
fa link add name g4 type gretap remote $G local $A4 2>"$TMP/err"; rc=$?
check "gretap remote $G without dev: refused ($(cat "$TMP/err"))" \
	test $rc -ne 0 -a -n "$(grep -F '"dev" is missing' "$TMP/err")"
finish
