#!/bin/bash
# SPDX-License-Identifier: MIT
# IPIP over GUE between foud and the Linux kernel: pings both ways and a
# 4 MiB TCP stream through the guest's echo service; the kernel's GUE as the
# Wireshark dissector (share/wireshark/gue.lua) decodes it.
set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fi_require socat
fi_require_foud
fi_setup || exit 1
kp_prepare || exit 1

cat >"$FI_TMP/guest.sh" <<'GUEST'
ip fou add port 5556 gue
ip link add name tun1 type ipip remote 192.0.2.1 local 192.0.2.2 encap gue encap-sport auto encap-dport 5556
ip addr add 10.1.0.2/30 dev tun1
ip link set tun1 up
kp_echo_server 7777
GUEST
kp_boot "$FI_NS" "$FI_TMP/guest.sh" "$FI_TMP/guest.log" || exit 1

fi_start_foud || exit 1
fi_ctl fou add port 5556 gue || exit 1
fi_ctl link add name tun1 type ipip remote 192.0.2.2 local 192.0.2.1 \
	encap gue encap-sport auto encap-dport 5556 || exit 1
fi_link_up tun1 10.1.0.1/30 || exit 1

kp_wait_ready "$FI_TMP/guest.log" 90 || exit 1
fi_have_tshark && fi_capture_start gue "udp port 5556"
fi_check_tunnel tun1 10.1.0.1 10.1.0.2 $((4 << 20))
if fi_have_tshark; then
	# What the kernel sends, decoded by share/wireshark/gue.lua.
	fi_capture_stop
	fi_gue_check gue "kernel, every datagram" "ip.src == 192.0.2.2" \
		"0;0;0;4;0x0000" gue.version gue.c gue.hlen gue.proto gue.flags
	fi_gue_check gue "kernel, the inner ICMP" "ip.src == 192.0.2.2 && icmp" \
		"17,1;192.0.2.2,10.1.0.2" ip.proto ip.src
fi
[[ $FI_FAILED -eq 0 ]] || fi_guest_stats tun1
fi_done
