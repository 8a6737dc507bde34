#!/usr/bin/env bash
# -j output stays JSON whatever a device name holds: the kernel accepts '"',
# '\' and control characters in names, and jq must read them back exactly
# (link show, -d -s included, and fdb show of an L2 device).
. "$(dirname "$0")/lib.sh"
setup_hosts
start_foud a
q='a"b' bs='c\d' ctl=$'x\001y' l2='v"\x'
fa link add name "$q" type ipip remote $B4 local $A4
fa link add name "$bs" type gre remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555
fa link add name "$ctl" type sit remote $B4 local $A4
fa link add name "$l2" type vxlan id 7 remote $B4 local $A4 dstport 4789
fa fdb add 02:00:00:00:00:01 dev "$l2" dst $B4
check "the kernel has the four devices" test "$(na ip -o link show | grep -cF -e "$q" -e "$bs" -e "$ctl" -e "$l2")" -eq 4

fa -j -s -d link show >"$TMP/links.json"
check "link show -j -s -d is valid JSON" jq -e 'length == 4' "$TMP/links.json"
for n in "$q" "$bs" "$ctl" "$l2"; do
	check "link show -j: $(printf %q "$n") round-trips" \
		test "$(jq --arg n "$n" '[.[] | select(.ifname == $n)] | length' "$TMP/links.json")" -eq 1
	check "link show -j NAME: $(printf %q "$n") is one JSON object with that name" \
		test "$(fa -j link show "$n" | jq -r --arg n "$n" '.[0].ifname == $n')" = true
done
names_pretty() {
	fa -j -p link show | jq -e --arg q "$q" --arg b "$bs" --arg c "$ctl" --arg l "$l2" \
		'([.[].ifname] | sort) == ([$q, $b, $c, $l] | sort)'
}
check "fouctl -j -p keeps the names" names_pretty
fa -j fdb show >"$TMP/fdb.json"
check "fdb show -j is valid JSON naming the L2 device" \
	test "$(jq -r --arg n "$l2" '[.[] | select(.ifname == $n and .mac == "02:00:00:00:00:01")] | length' "$TMP/fdb.json")" -eq 1
check "fdb show -j dev NAME: the same" \
	test "$(fa -j fdb show dev "$l2" | jq -r --arg n "$l2" '[.[] | select(.ifname == $n)] | length > 0')" = true
finish
