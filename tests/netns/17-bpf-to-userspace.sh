#!/usr/bin/env bash
# foud's BPF path on one host, its userspace path on the other, default
# offloads. The BPF transmit program leaves the inner TCP/UDP checksum as
# the local stack left it for offload (CHECKSUM_PARTIAL); it crosses the
# veth so, and the userspace receiver must complete it, or the peer's stack
# drops every segment (TcpInCsumErrors) and TCP never connects.
. "$(dirname "$0")/lib.sh"
opts_keep_offload
setup_hosts
start_foud a
start_foud b
command -v python3 >/dev/null || skip "python3 missing"

dp() { "$1" -j -d link show "$2" | jq -r '.[0].foud.datapath'; }
for f in fa fb; do $f fou add port 5555 ipproto 4; $f fou add port 5557 ipproto 41 -6; done
fa link add name t1 type ipip remote $B4 local $A4 encap fou encap-sport auto encap-dport 5555 datapath bpf
fb link add name t1 type ipip remote $A4 local $B4 encap fou encap-sport auto encap-dport 5555 datapath userspace
dev_up a t1 10.1.0.1/24; dev_up b t1 10.1.0.2/24
check "ipip/fou: a on bpf, b on userspace" test "$(dp fa t1)$(dp fb t1)" = bpfuserspace
e0=$(csum_errors b)
check "ipip/fou: ping bpf -> userspace" na ping -c 3 -i 0.2 -W 2 10.1.0.2
check "ipip/fou: TCP 16 MiB bpf -> userspace, sha256 matches" tcp_transfer a 10.1.0.2 16
check "ipip/fou: TCP 16 MiB userspace -> bpf, sha256 matches" tcp_transfer b 10.1.0.1 16
check "ipip/fou: UDP 1200 bytes bpf -> userspace, whole" udp_transfer a 10.1.0.2 1200
check "ipip/fou: b's stack counted no bad checksums" test "$(( $(csum_errors b) - e0 ))" -eq 0
check "ipip/fou: a's BPF program sent it all" \
	test "$(fa -j -s -d link show t1 | jq '.[0].foud.bpf_stats64.tx.packets')" -gt 1000
check "ipip/fou: no receive drops on b" test "$(counter b t1 .stats64.rx.dropped)" -eq 0

# IPv6 inner packets: another pseudo-header.
fa link add name s6 type ip6tnl remote $B6 local $A6 encap fou encap-sport auto encap-dport 5557 noencap-udp6-csum datapath bpf
fb link add name s6 type ip6tnl remote $A6 local $B6 encap fou encap-sport auto encap-dport 5557 noencap-udp6-csum datapath userspace
dev_up a s6 "" fd00:6::1/64; dev_up b s6 "" fd00:6::2/64
check "ip6tnl/fou: a on bpf, b on userspace" test "$(dp fa s6)$(dp fb s6)" = bpfuserspace
e0=$(csum_errors b)
check "ip6tnl/fou: TCP 8 MiB (inner IPv6) bpf -> userspace, sha256 matches" tcp_transfer a fd00:6::2 8
check "ip6tnl/fou: UDP 1200 bytes (inner IPv6) bpf -> userspace, whole" udp_transfer a fd00:6::2 1200
check "ip6tnl/fou: b's stack counted no bad checksums" test "$(( $(csum_errors b) - e0 ))" -eq 0
finish
