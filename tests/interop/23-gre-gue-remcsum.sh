#!/bin/bash
# SPDX-License-Identifier: MIT
# GRE (key 7) over GUE with encap-csum and encap-remcsum between foud and the
# Linux kernel: pings both ways and a 4 MiB TCP stream, whose inner TCP
# checksums travel as GUE remote checksum offload in both directions; what
# each side sends, decoded by the Wireshark dissector (share/wireshark/gue.lua).
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
ip fou add port 5556 gue
ip link add name gre1 type gre remote 192.0.2.1 local 192.0.2.2 key 7 encap gue encap-sport auto encap-dport 5556 encap-csum encap-remcsum
ip addr add 10.2.0.2/30 dev gre1
ip link set gre1 up
/sbin/ethtool -K eth0 gro off
kp_echo_server 7777
GUEST
kp_boot "$FI_NS" "$FI_TMP/guest.sh" "$FI_TMP/guest.log" || exit 1

fi_start_foud || exit 1
fi_ctl fou add port 5556 gue || exit 1
fi_ctl link add name gre1 type gre remote 192.0.2.2 local 192.0.2.1 key 7 \
	encap gue encap-sport auto encap-dport 5556 encap-csum encap-remcsum || exit 1
fi_link_up gre1 10.2.0.1/30 || exit 1

kp_wait_ready "$FI_TMP/guest.log" 90 || exit 1
fi_have_tshark && fi_capture_start gue "udp port 5556"
fi_check_tunnel gre1 10.2.0.1 10.2.0.2 $((4 << 20))
if fi_have_tshark; then
	# What the kernel sends, decoded by share/wireshark/gue.lua: RCO on TCP
	# (start = GRE header with key 8 + inner IPv4 20, offset = start + 16),
	# none on ICMP; foud's the same.
	fi_capture_stop
	fi_gue_check gue "kernel, TCP with RCO" "ip.src == 192.0.2.2 && gue.flags.p == 1" \
		"2;0x0001;0x80000000;28;44;0x00000007;17,6" gue.hlen gue.flags gue.pflags \
		gue.remcsum.start gue.remcsum.offset gre.key ip.proto
	fi_gue_check gue "kernel, ICMP without RCO" "ip.src == 192.0.2.2 && icmp" \
		"0;0x0000;47;0x00000007;17,1" gue.hlen gue.flags gue.proto gre.key ip.proto
	case " ${FOUD_TEST_OPTS:-} " in
	*" -O "*)
		# foud -O leaves no checksum partial, so no remote checksum offload
		# goes out (as 40-options asserts): every TCP datagram without it.
		fi_gue_check gue "foud -O, TCP without RCO" "ip.src == 192.0.2.1 && tcp" \
			"0;0x0000;47;0x00000007;17,6" gue.hlen gue.flags gue.proto gre.key ip.proto ;;
	*)
		fi_gue_check gue "foud, TCP with RCO" "ip.src == 192.0.2.1 && gue.flags.p == 1" \
			"2;0x0001;0x80000000;28;44;0x00000007;17,6" gue.hlen gue.flags gue.pflags \
			gue.remcsum.start gue.remcsum.offset gre.key ip.proto ;;
	esac
fi
[[ $FI_FAILED -eq 0 ]] || fi_guest_stats gre1
fi_done
