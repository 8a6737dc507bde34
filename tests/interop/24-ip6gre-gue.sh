#!/bin/bash
# SPDX-License-Identifier: MIT
# ip6gre over GUE on an IPv6 underlay between foud and the Linux kernel:
# pings both ways and a 1 MiB TCP stream.
# The guest's GRO is switched off: Debian's 6.1 kernel drops GRO-merged
# GRE-without-sequence-numbers-in-UDP packets in udp_queue_rcv_skb (Udp
# InErrors, drop reason NOT_SPECIFIED), for a kernel sender as much as for
# foud (two guests, GRE key over FOU, 1 MiB: 281 InErrors; foud with the
# guest's gro off: none).
# GRE with seq is not GRO-merged and needs no workaround (20-gre-fou-key.sh).
set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fi_require socat
fi_require_foud
fi_setup || exit 1
kp_prepare || exit 1

cat >"$FI_TMP/guest.sh" <<'GUEST'
ip fou add port 5560 gue -6
ip -6 link add name ip6g1 type ip6gre remote 2001:db8:1::1 local 2001:db8:1::2 encaplimit none encap gue encap-sport auto encap-dport 5560
ip addr add 10.4.0.2/30 dev ip6g1
ip link set ip6g1 up
/sbin/ethtool -K eth0 gro off
kp_echo_server 7777
GUEST
kp_boot "$FI_NS" "$FI_TMP/guest.sh" "$FI_TMP/guest.log" || exit 1

fi_start_foud || exit 1
fi_ctl fou add port 5560 gue -6 || exit 1
fi_ctl link add name ip6g1 type ip6gre remote 2001:db8:1::2 local 2001:db8:1::1 \
	encap gue encap-sport auto encap-dport 5560 || exit 1
fi_link_up ip6g1 10.4.0.1/30 || exit 1

kp_wait_ready "$FI_TMP/guest.log" 90 || exit 1
fi_check_tunnel ip6g1 10.4.0.1 10.4.0.2 $((1 << 20))
[[ $FI_FAILED -eq 0 ]] || fi_guest_stats ip6g1
fi_done
