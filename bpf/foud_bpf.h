/* SPDX-License-Identifier: MIT */
/*
 * The maps shared by foud (daemon/bpf/bpf.c) and its TC programs (bpf/foud.bpf.c).
 * Fixed-width types only; addresses in network order, ports and keys in host
 * order. IPv4 addresses use the first 4 bytes of the 16 and zero the rest.
 */
#ifndef FOUD_BPF_H
#define FOUD_BPF_H

#include <linux/types.h>

#define FOUD_BPF_TUNNELS	16384	/* 10 000 tunnels and more on the BPF path (README: Scale) */
#define FOUD_BPF_PORTS		256

#define FOUD_BPF_F_V6		0x01	/* outer IPv6 */
#define FOUD_BPF_F_GRE		0x02	/* GRE header */
#define FOUD_BPF_F_GRE_KEY	0x04	/* GRE key (okey on transmit) */
#define FOUD_BPF_F_TOS_INHERIT	0x08
#define FOUD_BPF_F_PMTUDISC	0x10	/* outer DF on every packet */
#define FOUD_BPF_F_USERSPACE	0x20	/* the route's device takes no redirect: foud sends */
#define FOUD_BPF_F_L2		0x40	/* an L2 device (TAP): okey is the VNI (GRE: the key), encap
					   FOUD_BPF_L2_GENEVE, _GRETAP, _NVGRE or 0 (VXLAN) */
#define FOUD_BPF_F_TTL_INHERIT	0x80	/* L2: the inner TTL, 64 where it is 0 */

#define FOUD_BPF_ENCAP_NONE	0
#define FOUD_BPF_ENCAP_FOU	1
#define FOUD_BPF_ENCAP_GUE	2

#define FOUD_BPF_INNER_V4	0x1
#define FOUD_BPF_INNER_V6	0x2

/* Transmit: one per BPF-path tunnel, keyed by the TUN device's ifindex. */
struct foud_bpf_tnl {
	__u8 flags;		/* FOUD_BPF_F_* */
	__u8 encap;		/* FOUD_BPF_ENCAP_* */
	__u8 inner;		/* FOUD_BPF_INNER_* the kind carries */
	__u8 ttl;		/* 0: inherit */
	__u8 tos;
	__u8 mp;		/* a fleet's device: the remote is foud_mp's, per packet */
	__u8 l2flags;		/* L2: FOUD_BPF_L2_TX_* */
	__u8 pad[1];
	__u32 okey;
	__u16 sport;		/* 0: auto, hashed into [port_min, port_max) */
	__u16 dport;
	__u16 port_min, port_max;
	__u32 mtu_limit;	/* larger non-GSO inner packets go to foud (ICMP, counted) */
	__u32 oif;		/* underlay device towards remote; 0: no route, dropped as no_route */
	__u8 local[16], remote[16];
};

/*
 * A fleet's device (`fleet prefix`, foud_tnl's mp): the inner destination's
 * longest prefix gives the node (daemon/bpf/bpf_mp.c fills it). Its members
 * each have their foud_rx keys, so that only they are received.
 */
#define FOUD_BPF_MP		16384	/* prefixes, all fleet devices together */
#define FOUD_BPF_MP_PEERS	4096	/* their nodes' receive keys, beyond the tunnels' */

struct foud_bpf_mpkey {
	__u32 prefixlen;	/* 64 + the prefix's length */
	__u32 ifindex;
	__u32 v6;
	__u8 addr[16];
};

struct foud_bpf_mpval {
	__u8 remote[16];
	__u32 oif;		/* the route's device towards it: another than foud_tnl's goes to foud */
	__u32 pad;
};

/* Receive: outer addresses, protocol after UDP/encap (4, 41, 47) and GRE key. */
struct foud_bpf_rxkey {
	__u8 v6;
	__u8 proto;
	__u8 has_key;
	__u8 udp;		/* arrived over UDP (fou/gue tunnel), else raw (encap none) */
	__u32 key;
	__u8 remote[16], local[16];
};

#define FOUD_BPF_RX_DOWN	0x1	/* the TUN device is down: dropped as link_down */

struct foud_bpf_rxval {
	__u32 ifindex;		/* the tunnel's TUN device */
	__u32 inner;		/* FOUD_BPF_INNER_* */
	__u32 flags;		/* FOUD_BPF_RX_* */
	__u32 pad;
};

/* A `fou add port`: datagrams to it are decapsulated when everything matches. */
struct foud_bpf_portkey {
	__u16 port;
	__u8 v6;
	__u8 pad;
};

struct foud_bpf_port {
	__u8 gue;
	__u8 ipproto;		/* fou: the protocol it carries */
	__u8 has_local, has_peer;
	__u16 peer_port;
	__u16 pad;
	__u8 local[16], peer[16];
};

/*
 * One of foud's receive points (daemon/io/ours.c): a UDP or TCP port, or a raw
 * IP protocol with port 0. A decapsulated packet it matches would nest.
 */
struct foud_bpf_ourskey {
	__u8 proto;
	__u8 pad;
	__u16 port;
};

/* foud_ours_proto, per IP protocol: whether foud_ours has entries of it. */
#define FOUD_BPF_OURS_NONE	0
#define FOUD_BPF_OURS_SOME	1	/* look the port up */
#define FOUD_BPF_OURS_ALL	2	/* the map was full: every packet of it goes to foud */

/* Per-CPU counters of a tunnel; foud adds them to its own. */
struct foud_bpf_stats {
	__u64 rx_packets, rx_bytes, tx_packets, tx_bytes;
	__u64 tx_drop_loop, tx_drop_inner, tx_drop_error;
	__u64 tx_drop_no_route, rx_drop_link_down;
	__u32 ip_id;		/* outer IPv4 identification, per CPU */
	__u32 pad;
};

/* Per-CPU counters of a port. */
struct foud_bpf_pstats {
	__u64 rx_packets, rx_bytes;
};

/*
 * fouctl capture on the BPF path: while foud_capn[0] is not 0, the devices
 * in foud_capon copy the packets they pass into the ring buffer foud_cap:
 * as the device has them (inner), with their encapsulation (outer), or both.
 */
#define FOUD_BPF_CAP_SNAP	4095	/* bytes of a packet copied (a 12-bit mask) */
#define FOUD_BPF_CAP_RING	(1 << 20)
#define FOUD_BPF_CAP_RX		0	/* decapsulated, into the device */
#define FOUD_BPF_CAP_TX		1	/* from the device, to be encapsulated */
#define FOUD_BPF_CAP_INNER	1	/* foud_capon's bits: the packets as the device has them */
#define FOUD_BPF_CAP_OUTER	2	/* ... with their encapsulation */

struct foud_bpf_cap {
	__u64 ns;		/* CLOCK_MONOTONIC */
	__u32 ifindex;
	__u32 len;		/* of the whole packet */
	__u32 caplen;		/* bytes in data */
	__u16 dir;		/* FOUD_BPF_CAP_RX or _TX */
	__u16 how;		/* FOUD_BPF_CAP_INNER or _OUTER */
	__u8 data[FOUD_BPF_CAP_SNAP];
};

/*
 * ---- L2 (VXLAN, Geneve) --------------------------------------------------
 * A VXLAN or Geneve device uses foud_tnl (FOUD_BPF_F_L2, keyed by the TAP's ifindex)
 * and foud_stats; receive finds it by port, VNI and local address. Its
 * forwarding table is foud's (lib/fdb.c) mirrored into foud_fdb: the
 * programs send to its unicast entries, refresh `seen` of the entries they
 * receive from, and punt to foud whatever needs a decision (flooding,
 * learning, a moved or refused MAC).
 */
#define FOUD_BPF_FDB		131072
#define FOUD_BPF_L2_PEERS	16384

struct foud_bpf_l2rxkey {
	__u8 v6;
	__u8 gre;		/* FOUD_BPF_L2RX_*: 0 for the UDP overlays */
	__u16 port;		/* UDP destination port; 0 for GRE */
	__u32 vni;		/* VNI; GRE: the key, NVGRE: the VSID, keyless: 0 */
	__u8 local[16];
};

#define FOUD_BPF_L2_LEARNING	0x2	/* source MACs must be in foud_fdb behind the sender */
#define FOUD_BPF_L2_ANYPEER	0x4	/* a group's members are not known in advance */
#define FOUD_BPF_L2_GENEVE	0x8	/* Geneve without options, else VXLAN */
#define FOUD_BPF_L2_ZCSUM6RX	0x10	/* udp6zerocsumrx: a zero checksum over IPv6 is taken */
#define FOUD_BPF_L2_GRETAP	0x20	/* transmit: GRE-TAP (a key with FOUD_BPF_L2_TX_KEY) */
#define FOUD_BPF_L2_NVGRE	0x40	/* transmit: NVGRE, okey the VSID << 8 */

/* How a GRE header names its device (foud_bpf_l2rxkey.gre). */
#define FOUD_BPF_L2RX_GRE	1	/* GRE-TAP without a key */
#define FOUD_BPF_L2RX_GRE_KEY	2	/* GRE-TAP with this key */
#define FOUD_BPF_L2RX_NVGRE	3	/* NVGRE with this VSID */
#define FOUD_BPF_L2RX_UDP	0x10	/* ... arrived over FOU or GUE (GRE-TAP's encap) */

#define FOUD_BPF_L2_TX_CSUM	0x1	/* udpcsum: outer UDP checksum on every datagram */
#define FOUD_BPF_L2_TX_KEY	0x2	/* GRE-TAP: a key (okey) */
#define FOUD_BPF_L2_TX_FLOWID	0x4	/* NVGRE: the FlowID from the inner flow's hash */
#define FOUD_BPF_L2_TX_FOU	0x8	/* GRE-TAP: over FOU (UDP to dport, no checksum) */
#define FOUD_BPF_L2_TX_GUE	0x10	/* GRE-TAP: over GUE (variant 0, no flags) */

struct foud_bpf_l2rxval {
	__u32 ifindex;		/* the TAP */
	__u32 flags;		/* FOUD_BPF_RX_DOWN, FOUD_BPF_L2_* */
	__u8 mac[6];		/* the TAP's own: a frame from it looped back */
	__u8 pad[2];
};

struct foud_bpf_fdbkey {
	__u32 ifindex;
	__u8 mac[6];
	__u8 pad[2];
};

#define FOUD_BPF_FDB_STATIC	0x1

struct foud_bpf_fdb {
	__u8 remote[16];
	__u64 seen_ns;		/* CLOCK_MONOTONIC: last frame received from it (learned entries) */
	__u32 flags;		/* FOUD_BPF_FDB_* */
	__u32 pad;
};

/*
 * Where an L2 device floods (head-end replication: its remote and the
 * all-zero entries; VXLAN's group too), keyed by the TAP's ifindex; a
 * device with more, or whose group leaves by another device than the
 * underlay's, floods in userspace. A multicast destination's frames go to
 * its multicast MAC from the underlay's own (smac), with TTL mttl (0: the
 * inner one).
 */
#define FOUD_BPF_FLOOD_MAX	8

struct foud_bpf_flood {
	__u8 n;
	__u8 mttl;
	__u8 smac[6];
	__u8 remote[FOUD_BPF_FLOOD_MAX][16];
};

/* Who may send to an L2 device: its remote, flood destinations, static entries. */
struct foud_bpf_l2peer {
	__u32 ifindex;
	__u8 addr[16];
};

#endif /* FOUD_BPF_H */
