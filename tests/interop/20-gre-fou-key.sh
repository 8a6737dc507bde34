#!/bin/bash
# SPDX-License-Identifier: MIT
# GRE (key 42, csum, seq) over FOU between foud and the Linux kernel: pings
# both ways and a 1 MiB TCP stream.
set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fi_require socat
fi_require_foud
fi_setup || exit 1
kp_prepare || exit 1

cat >"$FI_TMP/guest.sh" <<'GUEST'
ip fou add port 5557 ipproto 47
ip link add name gre1 type gre remote 192.0.2.1 local 192.0.2.2 key 42 csum seq encap fou encap-sport auto encap-dport 5557
ip addr add 10.2.0.2/30 dev gre1
ip link set gre1 up
kp_echo_server 7777
GUEST
kp_boot "$FI_NS" "$FI_TMP/guest.sh" "$FI_TMP/guest.log" || exit 1

fi_start_foud || exit 1
fi_ctl fou add port 5557 ipproto 47 || exit 1
fi_ctl link add name gre1 type gre remote 192.0.2.2 local 192.0.2.1 key 42 csum seq \
	encap fou encap-sport auto encap-dport 5557 || exit 1
fi_link_up gre1 10.2.0.1/30 || exit 1

kp_wait_ready "$FI_TMP/guest.log" 90 || exit 1
fi_check_tunnel gre1 10.2.0.1 10.2.0.2 $((1 << 20))
[[ $FI_FAILED -eq 0 ]] || fi_guest_stats gre1
fi_done
