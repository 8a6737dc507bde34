#!/usr/bin/env bash
# fouctl import: systemd-networkd .netdev files, written as systemd's own
# test suite writes them (a Kind=fou port file, tunnels that use it), become
# foud's ports and devices on both hosts, and a ping crosses every tunnel.
# -n prints the fouctl commands (FOU ports first, whatever the order of the
# files); an unknown key is named by FILE:LINE and the rest applies; a
# Kind=bond file is refused and nothing of it is created.
. "$(dirname "$0")/lib.sh"
setup_hosts
start_foud a
start_foud b

# netdevs DIR LOCAL4 REMOTE4 LOCAL6 REMOTE6: the files of one host.
netdevs() {
	local d=$1 l=$2 r=$3 l6=$4 r6=$5
	mkdir -p "$d"
	printf '[NetDev]\nName=fou-tun\nKind=fou\n\n[FooOverUDP]\nPort=5555\nProtocol=4\n' >"$d/1-fou-tunnel.netdev"
	printf '[NetDev]\nName=fou-gre\nKind=fou\n\n[FooOverUDP]\nPort=5556\nProtocol=gre\n' >"$d/2-fou-gre.netdev"
	printf '[NetDev]\nName=fou-gretap\nKind=fou\n\n[FooOverUDP]\nPort=5557\nProtocol=47\n' >"$d/3-fou-gretap.netdev"
	printf '[NetDev]\nName=gue-sit\nKind=fou\n\n[FooOverUDP]\nEncapsulation=GenericUDPEncapsulation\nPort=6080\n' \
		>"$d/4-gue.netdev"
	cat >"$d/25-fou-ipip.netdev" <<-EOF
	[NetDev]
	Name=ipiptun
	Kind=ipip

	[Tunnel]
	Independent=yes
	Local=$l
	Remote=$r
	FooOverUDP=yes
	FOUDestinationPort=5555
	FOUSourcePort=4444
	Frobnicate=yes
	EOF
	printf '[NetDev]\nName=gretun\nKind=gre\n\n[Tunnel]\nLocal=%s\nRemote=%s\nKey=1.2.3.4\nFooOverUDP=yes\nFOUDestinationPort=5556\n' \
		"$l" "$r" >"$d/26-fou-gre.netdev"
	printf '[NetDev]\nName=gretaptun\nKind=gretap\n\n[Tunnel]\nLocal=%s\nRemote=%s\nKey=9\nFooOverUDP=yes\nFOUDestinationPort=5557\n' \
		"$l" "$r" >"$d/27-fou-gretap.netdev"
	printf '[NetDev]\nName=sittun\nKind=sit\n\n[Tunnel]\nLocal=%s\nRemote=%s\nTTL=64\nFooOverUDP=yes\nEncapsulation=GenericUDPEncapsulation\nFOUDestinationPort=6080\n' \
		"$l" "$r" >"$d/28-gue-sit.netdev"
	printf '[NetDev]\nName=ip6tnltun\nKind=ip6tnl\n\n[Tunnel]\nMode=any\nLocal=%s\nRemote=%s\n' \
		"$l6" "$r6" >"$d/29-ip6tnl.netdev"
	printf '[NetDev]\nName=ip6gretun\nKind=ip6gre\n\n[Tunnel]\nLocal=%s\nRemote=%s\nKey=77\n' \
		"$l6" "$r6" >"$d/30-ip6gre.netdev"
	printf '[NetDev]\nName=vxlan99\nKind=vxlan\n\n[VXLAN]\nVNI=99\nLocal=%s\nRemote=%s\nDestinationPort=4789\n' \
		"$l" "$r" >"$d/40-vxlan.netdev"
	printf '[NetDev]\nName=geneve7\nKind=geneve\n\n[GENEVE]\nId=7\nRemote=%s\n' "$r" >"$d/41-geneve.netdev"
}
netdevs "$TMP/a" $A4 $B4 $A6 $B6
netdevs "$TMP/b" $B4 $A4 $B6 $A6

# -n: the commands, in the grammar of foud -c; the ports first although named last.
cat >"$TMP/want" <<EOF
fou add port 6080 gue
fou add port 5557 ipproto 47
fou add port 5556 ipproto 47
fou add port 5555 ipproto 4
link add name geneve7 type geneve id 7 remote $B4
link add name vxlan99 type vxlan id 99 remote $B4 local $A4 dstport 4789 noudpcsum
link add name ip6gretun type ip6gre remote $B6 local $A6 key 77
link add name ip6tnltun type ip6tnl remote $B6 local $A6
link add name sittun type sit remote $B4 local $A4 ttl 64 encap gue encap-sport auto encap-dport 6080
link add name gretaptun type gretap remote $B4 local $A4 key 9 encap fou encap-sport auto encap-dport 5557
link add name gretun type gre remote $B4 local $A4 key 16909060 encap fou encap-sport auto encap-dport 5556
link add name ipiptun type ipip remote $B4 local $A4 encap fou encap-sport 4444 encap-dport 5555
EOF
# shellcheck disable=SC2046
fa import -n $(ls -r "$TMP"/a/*.netdev) >"$TMP/got" 2>"$TMP/n.err"; rc=$?
check "import -n: exit 0 and the expected commands, ports first" \
	test $rc -eq 0 -a "$(cat "$TMP/got")" = "$(cat "$TMP/want")"
diff "$TMP/want" "$TMP/got" | sed 's/^/#   /'
check "import -n checked them as foud -n -c does" "$FOUD" -n -c "$TMP/got"
check "import -n created nothing" test -z "$(fa link show)$(fa fou show)"

# The import itself, on both hosts.
fa import "$TMP"/a/*.netdev 2>"$TMP/a.err"; rc=$?
check "import on A: exit 0 ($(tr '\n' ' ' <"$TMP/a.err"))" test $rc -eq 0
check "the unknown key is named by file and line, and skipped" \
	grep -qxF "$TMP/a/25-fou-ipip.netdev:12: unknown key [Tunnel] Frobnicate, skipped" "$TMP/a.err"
check "nothing else is said" test "$(wc -l <"$TMP/a.err")" -eq 1
# shellcheck disable=SC2046
fb import $(ls -r "$TMP"/b/*.netdev) 2>"$TMP/b.err"; rc=$?
check "import on B, the files named in reverse: exit 0" test $rc -eq 0
got="$(fa -j fou show | jq -c '[.[].port]')/$(fa -j link show | jq -c '[.[].ifname]')"
check "A has the 4 FOU ports, the VXLAN and Geneve ports, and 8 devices: $got" test "$got" = \
	'[5555,5556,5557,6080,4789,6081]/["ipiptun","gretun","gretaptun","sittun","ip6tnltun","ip6gretun","vxlan99","geneve7"]' 
check "ipiptun's source port is the file's 4444" \
	test "$(fa -j -d link show ipiptun | jq -r '[.. | .sport? // empty][0]')" = 4444

# sit carries IPv6; ip6tnl (Mode=any) both families; the rest IPv4
devs=(ipiptun gretun gretaptun sittun ip6tnltun ip6gretun vxlan99 geneve7)
for n in "${!devs[@]}"; do
	dev=${devs[$n]} a4=10.35.$n.1/24 b4=10.35.$n.2/24 a6="" b6=""
	case $dev in sittun) a4="" b4="" ;& ip6tnltun) a6=fd35:$n::1/64 b6=fd35:$n::2/64 ;; esac
	dev_up a $dev "$a4" "$a6"; dev_up b $dev "$b4" "$b6"
done
for n in "${!devs[@]}"; do
	dev=${devs[$n]}
	rx=$(counter b $dev .stats64.rx.packets)
	if [ $dev != sittun ]; then
		check "$dev: ping A -> B across it" na ping -c 2 -i 0.2 -W 2 10.35.$n.2
	fi
	if [ $dev = sittun ] || [ $dev = ip6tnltun ]; then
		check "$dev: IPv6 ping A -> B across it" na ping -6 -c 2 -i 0.2 -W 2 fd35:$n::2
	fi
	check "$dev: B's device received them" test "$(counter b $dev .stats64.rx.packets)" -ge $((rx + 2))
done

# networkd's VXLAN defaults are the kernel's (port 8472, no UDP checksum): a
# file without DestinationPort= reaches a kernel VXLAN made without dstport,
# as networkd would make it from the same file.
modprobe vxlan 2>/dev/null
if nb ip link add vxk type vxlan id 100 remote $A4 local $B4 2>/dev/null; then
	printf '[NetDev]\nName=vxk\nKind=vxlan\n\n[VXLAN]\nVNI=100\nLocal=%s\nRemote=%s\n' $A4 $B4 >"$TMP/42-vxk.netdev"
	check "kernel VXLAN peer: import -n says dstport 8472 noudpcsum" test "$(fa import -n "$TMP/42-vxk.netdev")" = \
		"link add name vxk type vxlan id 100 remote $B4 local $A4 dstport 8472 noudpcsum"
	fa import "$TMP/42-vxk.netdev"
	dev_up a vxk 10.35.50.1/24; dev_up b vxk 10.35.50.2/24
	check "kernel VXLAN peer (port 8472): ping A -> B" na ping -c 2 -i 0.2 -W 2 10.35.50.2
else
	echo "# the host kernel has no VXLAN: the check against it is left out"
fi

# Kind=bond: refused with its name and kind; the other file still applies.
printf '[NetDev]\nName=bond0\nKind=bond\n\n[Bond]\nMode=802.3ad\n' >"$TMP/50-bond.netdev"
printf '[NetDev]\nName=late\nKind=ipip\n\n[Tunnel]\nLocal=%s\nRemote=192.0.2.99\n' $A4 >"$TMP/60-late.netdev"
fa import "$TMP/50-bond.netdev" "$TMP/60-late.netdev" 2>"$TMP/bond.err"; rc=$?
check "Kind=bond: non-zero exit, file and kind named ($(cat "$TMP/bond.err"))" test $rc -ne 0 -a \
	-n "$(grep -F "$TMP/50-bond.netdev:3: Kind=bond: foud does not do this kind" "$TMP/bond.err")"
check "nothing named bond0, in foud or in the namespace" \
	test -z "$(fa link show bond0 2>/dev/null)$(na ip link show bond0 2>/dev/null)"
check "the good file beside it applied" test "$(fa -j link show late | jq -r '.[0].ifname')" = late
got="$(fa -j link show | jq -c '[.[].ifname] - ["vxk"]')"
check "the 8 devices and late, and no more: $got" test "$got" = \
	'["ipiptun","gretun","gretaptun","sittun","ip6tnltun","ip6gretun","vxlan99","geneve7","late"]' 
finish
