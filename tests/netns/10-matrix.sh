#!/usr/bin/env bash
# Every kind x encapsulation between two foud instances: ping both ways for
# each inner family the kind carries, a TCP transfer whose sha256 matches at
# the far end, and counters that agree exactly between sender and receiver.
. "$(dirname "$0")/lib.sh"
MIB=${FOUD_TEST_MIB:-64}
setup_hosts
start_foud a
start_foud b

# kind underlay inner-families
cases=(
	"ipip 4 4" "sit 4 6" "gre 4 46" "ip6tnl 6 46" "ip6gre 6 46"
)
n=0
for c in "${cases[@]}"; do
	set -- $c
	kind=$1 uf=$2 inner=$3
	for encap in fou gue none; do
		n=$((n + 1))
		name="$kind/$encap/v$uf"
		la=$A4 lb=$B4 six=""
		[ "$uf" = 6 ] && { la=$A6 lb=$B6 six="-6"; }
		inn=$inner
		proto=""
		case $kind in ipip) proto=4 ;; sit) proto=41 ;; gre|ip6gre) proto=47 ;; ip6tnl) proto=41; [ $encap = fou ] && inn=6 ;; esac
		encw=()
		if [ $encap != none ]; then
			port=$((5550 + n))
			if [ $encap = fou ]; then
				fa fou add port $port ipproto $proto $six; fb fou add port $port ipproto $proto $six
			else
				fa fou add port $port gue $six; fb fou add port $port gue $six
			fi
			encw=(encap $encap encap-sport auto encap-dport $port)
		fi
		fa link add name t$n type $kind remote $lb local $la "${encw[@]}" ttl 64 || nok "$name: link add on a"
		fb link add name t$n type $kind remote $la local $lb "${encw[@]}" ttl 64 || nok "$name: link add on b"
		# The data path: foud's default (auto) takes BPF unless the tunnel
		# needs an outer UDP checksum (IPv6 over fou/gue by default).
		dp=bpf
		[ "$uf" = 6 ] && [ $encap != none ] && dp=userspace
		case " ${FOUD_TEST_OPTS:-} " in *" -D userspace "*) dp=userspace ;; esac
		check "$name: datapath $dp on both" test "$(fa -j -d link show t$n | jq -r '.[0].foud.datapath')$(fb -j -d link show t$n | jq -r '.[0].foud.datapath')" = "$dp$dp"
		# UDP GSO sends a super-packet as one train only if the device makes them small enough.
		if [ $dp = userspace ] && [ $encap != none ] && ! opts_no_offload; then
			gms=$(na ip -d link show t$n | sed -n 's/.* gso_max_size \([0-9]*\).*/\1/p')
			check "$name: gso_max_size ${gms:-unset} below 65536" test "${gms:-65536}" -lt 65536
		fi
		a4="" b4="" a6="" b6=""
		[[ $inn == *4* ]] && { a4=10.$n.0.1; b4=10.$n.0.2; }
		[[ $inn == *6* ]] && { a6=fd00:$n::1; b6=fd00:$n::2; }
		dev_up a t$n "${a4:+$a4/24}" "${a6:+$a6/64}"
		dev_up b t$n "${b4:+$b4/24}" "${b6:+$b6/64}"
		if [ -n "$a4" ]; then
			check "$name: ping a->b inner IPv4" na ping -c 3 -i 0.2 -W 2 $b4
			check "$name: ping b->a inner IPv4" nb ping -c 3 -i 0.2 -W 2 $a4
		fi
		if [ -n "$a6" ]; then
			check "$name: ping a->b inner IPv6" na ping -6 -c 3 -i 0.2 -W 2 $b6
			check "$name: ping b->a inner IPv6" nb ping -6 -c 3 -i 0.2 -W 2 $a6
		fi
		dst=${b4:-$b6}
		check "$name: TCP $MIB MiB a->b, sha256 matches" tcp_transfer a "$dst" "$MIB"
		atx=$(counter a t$n .stats64.tx.packets) brx=$(counter b t$n .stats64.rx.packets)
		btx=$(counter b t$n .stats64.tx.packets) arx=$(counter a t$n .stats64.rx.packets)
		ard=$(counter a t$n .stats64.rx.dropped) brd=$(counter b t$n .stats64.rx.dropped)
		# The only drop allowed: a packet (IPv6 router solicitation) that
		# arrives before the peer's device is up.
		other=$(( ard + brd - $(counter a t$n .foud.drops.rx.link_down) - $(counter b t$n .foud.drops.rx.link_down) +
			  $(counter a t$n .stats64.tx.dropped) + $(counter b t$n .stats64.tx.dropped) ))
		check "$name: a tx $atx = b rx $brx + dropped $brd, b tx $btx = a rx $arx + dropped $ard, other drops $other" \
			test "$atx" -eq $((brx + brd)) -a "$btx" -eq $((arx + ard)) -a "$brx" -gt 0 -a "$other" -eq 0
		fa link del t$n; fb link del t$n
		if [ $encap != none ]; then
			if [ $encap = fou ]; then
				fa fou del port $port ipproto $proto $six; fb fou del port $port ipproto $proto $six
			else
				fa fou del port $port gue $six; fb fou del port $port gue $six
			fi
		fi
	done
done
check "every link and port removed" test "$(fa link show)$(fa fou show)$(fb link show)$(fb fou show)" = ""
finish
