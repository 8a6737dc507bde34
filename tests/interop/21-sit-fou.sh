#!/bin/bash
# SPDX-License-Identifier: MIT
# SIT (IPv6 in IPv4) over FOU between foud and the Linux kernel: pings both
# ways and a 1 MiB TCP stream over IPv6 inside the tunnel.
set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fi_require socat
fi_require_foud
fi_setup || exit 1
kp_prepare || exit 1

cat >"$FI_TMP/guest.sh" <<'GUEST'
ip fou add port 5558 ipproto 41
ip link add name sit1 type sit remote 192.0.2.1 local 192.0.2.2 encap fou encap-sport auto encap-dport 5558
ip -6 addr add 2001:db8:100::2/64 dev sit1 nodad
ip link set sit1 up
kp_echo_server 7777
GUEST
kp_boot "$FI_NS" "$FI_TMP/guest.sh" "$FI_TMP/guest.log" || exit 1

fi_start_foud || exit 1
fi_ctl fou add port 5558 ipproto 41 || exit 1
fi_ctl link add name sit1 type sit remote 192.0.2.2 local 192.0.2.1 \
	encap fou encap-sport auto encap-dport 5558 || exit 1
fi_link_up sit1 10.5.0.1/30 2001:db8:100::1/64 || exit 1

kp_wait_ready "$FI_TMP/guest.log" 90 || exit 1
fi_check_tunnel sit1 2001:db8:100::1 2001:db8:100::2 $((1 << 20))
[[ $FI_FAILED -eq 0 ]] || fi_guest_stats sit1
fi_done
