/* SPDX-License-Identifier: MIT */
/*
 * Wire-format constants of the foo-over-UDP family. Plain #defines only, so
 * that BPF programs and userspace share them. Values follow the Linux kernel
 * (include/net/gue.h, include/uapi/linux/if_tunnel.h) and the RFCs.
 */
#ifndef FOU_WIRE_H
#define FOU_WIRE_H

/* Header sizes in bytes. */
#define FOU_IPV4_HLEN		20
#define FOU_IPV6_HLEN		40
#define FOU_UDP_HLEN		8
#define FOU_GUE_HLEN		4	/* GUE variant 0 base header */
#define FOU_GUE_PRIV_LEN	4	/* private-flags word */
#define FOU_GUE_REMCSUM_LEN	4	/* csum_start, csum_offset (be16 each) */
#define FOU_GUE_MAX_HLEN	(4 + 31 * 4)
#define FOU_GRE_HLEN		4	/* base header, options add 4 each */
#define FOU_GRE_MAX_HLEN	16
#define FOU_ICMP_HLEN		8

/* IP protocol numbers used here. */
#define FOU_PROTO_ICMP		1
#define FOU_PROTO_IPIP		4
#define FOU_PROTO_TCP		6
#define FOU_PROTO_UDP		17
#define FOU_PROTO_IPV6		41
#define FOU_PROTO_GRE		47
#define FOU_PROTO_ICMPV6	58

/* Ethertypes (GRE protocol type). */
#define FOU_ETH_P_IP		0x0800
#define FOU_ETH_P_IPV6		0x86DD
#define FOU_ETH_P_TEB		0x6558

/* IPv4 header bits. */
#define FOU_IP_DF		0x4000
#define FOU_IP_MF		0x2000
#define FOU_IP_OFFMASK		0x1FFF

/* ECN codepoints (low two bits of TOS / traffic class). */
#define FOU_ECN_MASK		0x03
#define FOU_ECN_NOT_ECT		0x00
#define FOU_ECN_ECT1		0x01
#define FOU_ECN_ECT0		0x02
#define FOU_ECN_CE		0x03

/*
 * GUE variant 0, first word: ver:2 C:1 hlen:5 | proto/ctype:8 | flags:16.
 * Linux knows one standard flag (PRIV) and one private flag (REMCSUM).
 */
#define FOU_GUE_FLAG_PRIV	0x0001
#define FOU_GUE_FLAGS_ALL	FOU_GUE_FLAG_PRIV
#define FOU_GUE_PFLAG_REMCSUM	0x80000000u
#define FOU_GUE_PFLAGS_ALL	FOU_GUE_PFLAG_REMCSUM

/* GRE first 16 bits (RFC 2784/2890). */
#define FOU_GRE_CSUM		0x8000
#define FOU_GRE_ROUTING		0x4000
#define FOU_GRE_KEY		0x2000
#define FOU_GRE_SEQ		0x1000
#define FOU_GRE_RESERVED0	0x4C00	/* bits 1, 4, 5 must be zero (with K, S defined) */
#define FOU_GRE_VERSION		0x0007

/* virtio_net_hdr, as TUN/TAP with IFF_VNET_HDR prepends it. */
#define FOU_VNET_HLEN			10
#define FOU_VNET_F_NEEDS_CSUM		1
#define FOU_VNET_F_DATA_VALID		2
#define FOU_VNET_GSO_NONE		0
#define FOU_VNET_GSO_TCPV4		1
#define FOU_VNET_GSO_UDP		3
#define FOU_VNET_GSO_TCPV6		4
#define FOU_VNET_GSO_UDP_L4		5
#define FOU_VNET_GSO_ECN		0x80

/* Default ports. */
#define FOU_PORT_GUE		6080
#define FOU_PORT_VXLAN		4789
#define FOU_PORT_GENEVE		6081
#define FOU_PORT_GRE_UDP	4754
#define FOU_PORT_STT		7471	/* TCP */

#endif /* FOU_WIRE_H */
