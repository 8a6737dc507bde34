#!/bin/bash
# SPDX-License-Identifier: MIT
# Security default against a real kernel sender: foud decapsulates only from a
# tunnel's configured remote. The guest gets a second address (192.0.2.3) and
# a second IPIP-over-FOU tunnel from it to foud's port; foud's tun1 (remote
# 192.0.2.2) must not take any of those packets (CVE-2020-10136).
set -u
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

fi_require ping
fi_require_foud
fi_setup || exit 1
kp_prepare || exit 1

cat >"$FI_TMP/guest.sh" <<'GUEST'
ip fou add port 5555 ipproto 4
ip link add name tun1 type ipip remote 192.0.2.1 local 192.0.2.2 encap fou encap-sport auto encap-dport 5555
ip addr add 10.1.0.2/30 dev tun1
ip link set tun1 up
ip addr add 192.0.2.3/24 dev eth0
ip link add name tun2 type ipip remote 192.0.2.1 local 192.0.2.3 encap fou encap-sport auto encap-dport 5555
ip addr add 10.9.0.2 peer 10.1.0.1 dev tun2
GUEST
kp_boot "$FI_NS" "$FI_TMP/guest.sh" "$FI_TMP/guest.log" || exit 1

fi_start_foud || exit 1
fi_ctl fou add port 5555 ipproto 4 || exit 1
fi_ctl link add name tun1 type ipip remote 192.0.2.2 local 192.0.2.1 \
	encap fou encap-sport auto encap-dport 5555 || exit 1
fi_link_up tun1 10.1.0.1/30 || exit 1

kp_wait_ready "$FI_TMP/guest.log" 90 || exit 1
fi_check_tunnel tun1 10.1.0.1 10.1.0.2 0

# Now the same inner destination through the tunnel from the unknown address.
rx0=$(fi_link_stat tun1 rx)
kp_exec "ip link set tun2 up; ping -c 20 -i 0.1 -W 1 -w 5 10.1.0.1 >/dev/null; true" >/dev/null
sent=$(kp_exec "cat /sys/class/net/tun2/statistics/tx_packets")
rx1=$(fi_link_stat tun1 rx)
if [[ -z $sent || $sent -lt 20 ]]; then
	fi_fail "the guest sent ${sent:-no} packets through tun2, expected 20"
elif [[ -z $rx0 || -z $rx1 ]]; then
	fi_fail "no counters from fouctl -j -s link show tun1"
elif ((rx1 != rx0)); then
	fi_fail "tun1 took $((rx1 - rx0)) of $sent packets from 192.0.2.3, which is not its remote"
else
	fi_log "tun1 took none of the $sent packets from the unknown peer 192.0.2.3"
fi
fi_fouctl -s -d link show tun1 >&2 || true
fi_done
