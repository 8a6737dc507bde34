#!/bin/bash
# SPDX-License-Identifier: MIT
# ip6tnl (IPv4 in IPv6, encaplimit none) over FOU on an IPv6 underlay between
# foud and the Linux kernel: pings both ways and a 1 MiB TCP stream.
set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fi_require socat
fi_require_foud
fi_setup || exit 1
kp_prepare || exit 1

cat >"$FI_TMP/guest.sh" <<'GUEST'
ip fou add port 5559 ipproto 4 -6
ip -6 link add name ip6t1 type ip6tnl mode ipip6 remote 2001:db8:1::1 local 2001:db8:1::2 encaplimit none encap fou encap-sport auto encap-dport 5559
ip addr add 10.3.0.2/30 dev ip6t1
ip link set ip6t1 up
kp_echo_server 7777
GUEST
kp_boot "$FI_NS" "$FI_TMP/guest.sh" "$FI_TMP/guest.log" || exit 1

fi_start_foud || exit 1
fi_ctl fou add port 5559 ipproto 4 -6 || exit 1
fi_ctl link add name ip6t1 type ip6tnl remote 2001:db8:1::2 local 2001:db8:1::1 \
	encap fou encap-sport auto encap-dport 5559 || exit 1
fi_link_up ip6t1 10.3.0.1/30 || exit 1

kp_wait_ready "$FI_TMP/guest.log" 90 || exit 1
fi_check_tunnel ip6t1 10.3.0.1 10.3.0.2 $((1 << 20))
[[ $FI_FAILED -eq 0 ]] || fi_guest_stats ip6t1
fi_done
