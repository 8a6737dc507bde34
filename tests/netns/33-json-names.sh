#!/usr/bin/env bash
# -j output stays JSON whatever a device name holds: the kernel accepts '"',
# '\' and control characters in names, and jq must read them back exactly
# (link show, -d -s included, and fdb show of an L2 device). And its shape is
# iproute2's: what fouctl says of the device itself is what `ip -j link show`
# says of it, values have ip -j's types, and foud's own figures are only
# under "foud" (tests/interop/70-json.sh compares the rest with a kernel's).
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
check "fdb show -j dev NAME: the entry, without ifname (as bridge -j fdb show dev NAME)" \
	test "$(fa -j fdb show dev "$l2" | jq -r '[.[] | select(.mac == "02:00:00:00:00:01" and (has("ifname") | not))] | length')" -eq 1

# ip -j's keys of a link (ip/ipaddress.c), and foud's one object.
IPKEYS='["ifindex","link","ifname","flags","mtu","qdisc","operstate","linkmode","group","txqlen",
 "link_type","address","link_pointtopoint","broadcast","promiscuity","allmulti","min_mtu","max_mtu",
 "linkinfo","inet6_addr_gen_mode","num_tx_queues","num_rx_queues","gso_max_size","gso_max_segs",
 "tso_max_size","tso_max_segs","gro_max_size","stats64","foud"]'
check "link show -j -s -d: no key outside ip -j's but foud" \
	jq -e --argjson k "$IPKEYS" 'all(.[]; (keys - $k) == [])' "$TMP/links.json"
check "link show -j -s -d: drop reasons and data path (the L2 device too) under foud" \
	jq -e 'all(.[]; (.foud.drops.rx | type) == "object") and
		([.[] | .foud.datapath // empty] | length) == 4' "$TMP/links.json"
check "link show -j: an L2 device's forwarding table under foud (the one static entry)" \
	jq -e --arg n "$l2" '.[] | select(.ifname == $n) | .foud.fdb_entries == 1 and .foud.fdb_refused == 0 and
		(.linkinfo.info_data | has("fdb_entries") | not)' "$TMP/links.json"
# The comparator of tests/interop/70-json.sh: a type is never a value (1 is not true,
# "0" is not 0), and only a row of README's table allows a difference.
JC=$ROOT/tests/tools/jsoncmp.py
echo '[{"ifname":"x","linkinfo":{"info_kind":"vxlan","info_data":{"learning":true,"ttl":0}}}]' >"$TMP/k.json"
echo '[{"ifname":"x","linkinfo":{"info_kind":"vxlan","info_data":{"learning":1,"ttl":0}}}]' >"$TMP/f1.json"
echo '[{"ifname":"x","linkinfo":{"info_kind":"vxlan","info_data":{"learning":true,"ttl":"0"}}}]' >"$TMP/f2.json"
echo '[{"ifname":"x","linkinfo":{"info_kind":"vxlan","info_data":{"learning":true,"ttl":0}},"foud":{}}]' >"$TMP/f3.json"
jc_says() { # jc_says KERNEL FOUD TEXT: jsoncmp fails, naming the difference TEXT
	! python3 "$JC" "$1" "$2" >"$TMP/jc.out" && grep -qF "$3" "$TMP/jc.out"
}
check "jsoncmp: true against 1 is a difference" \
	jc_says "$TMP/k.json" "$TMP/f1.json" "info_data.learning: type (kernel true, foud 1)"
check "jsoncmp: 0 against \"0\" is a difference" \
	jc_says "$TMP/k.json" "$TMP/f2.json" 'info_data.ttl: type (kernel 0, foud "0")'
check "jsoncmp: foud's own key only with README's row for it" \
	sh -c "! python3 '$JC' '$TMP/k.json' '$TMP/f3.json' && python3 '$JC' --table '$ROOT/README.md' '$TMP/k.json' '$TMP/f3.json'"
fa link add name jg type gre remote $B4 local $A4 key 42 encap fou encap-sport auto encap-dport 5555
na ip link set jg up
fa -j -d link show jg >"$TMP/jg.json"
na ip -j -d link show jg >"$TMP/jg-ip.json"
same_as_ip() { # the device's own keys as ip -j says them of foud's TUN device
	jq -e --slurpfile ip "$TMP/jg-ip.json" '.[0] as $f | $ip[0][0] as $i |
		all("flags","mtu","qdisc","operstate","linkmode","group","txqlen","promiscuity",
		    "num_tx_queues","gso_max_size"; $f[.] == $i[.])' "$TMP/jg.json"
}
check "link show -j: flags, mtu, qdisc, operstate, group, txqlen as ip -j says of the device" same_as_ip
check "link show -j: up, as ip link set up made it" jq -e '.[0].flags | index("UP")' "$TMP/jg.json"
check "link show -j: an L3 tunnel's link layer is the kernel's gre device's: local and peer" \
	jq -e --arg a "$A4" --arg b "$B4" '.[0] | .link_type == "gre" and .address == $a and
		.broadcast == $b and .link_pointtopoint == true' "$TMP/jg.json"
check "link show -j: ttl inherit is 0, encap-sport auto is 0, GRE keys are dotted quads" \
	jq -e '.[0].linkinfo.info_data | .ttl == 0 and .encap.sport == 0 and .ikey == "0.0.0.42" and
		.okey == "0.0.0.42" and (has("icsum") | not)' "$TMP/jg.json"
finish
