/* SPDX-License-Identifier: MIT */
/*
 * libfou L2 overlays: codecs for Ethernet-carrying tunnels (VXLAN, Geneve,
 * NVGRE/GRE-TAP, STT) and the per-device forwarding table they share.
 *
 * Same rules as fou/fou.h: no I/O, no allocation, no globals; caller-owned
 * buffers; 0 or -FOU_DROP_* on the packet path (configuration calls of the
 * forwarding table return 0 or -errno). Times are caller-supplied
 * milliseconds from any monotonic clock.
 */
#ifndef FOU_L2_H
#define FOU_L2_H

#include "fou/fou.h"

/* ---- Ethernet ----------------------------------------------------------- */

#define FOU_ETH_ALEN		6
#define FOU_ETH_HLEN		14
#define FOU_ETH_P_8021Q		0x8100
#define FOU_ETH_P_8021AD	0x88A8

static inline bool fou_mac_is_zero(const uint8_t *m)
{
	return (m[0] | m[1] | m[2] | m[3] | m[4] | m[5]) == 0;
}

/* Group bit: multicast and broadcast. */
static inline bool fou_mac_is_mcast(const uint8_t *m)
{
	return (m[0] & 0x01) != 0;
}

/*
 * Hash of an inner Ethernet frame, as udp_flow_src_port(..., use_eth=true)
 * gets it: the inner flow (fou_flow_hash) when the frame carries IPv4 or
 * IPv6, after at most two 802.1Q/802.1ad tags; otherwise a Jenkins hash of
 * the destination and source MAC addresses keyed by seed and the
 * ethertype. Stable per flow for one seed; never 0.
 */
uint32_t fou_eth_hash(const uint8_t *frame, size_t len, uint32_t seed);
/* Source port for an L2 overlay: fou_flow_sport(fou_eth_hash(...), min, max). */
uint16_t fou_l2_sport(const uint8_t *frame, size_t len, uint32_t seed,
		      uint16_t min, uint16_t max);
/* Hash of one MAC address (forwarding-table buckets). */
uint32_t fou_mac_hash(const uint8_t *mac, uint32_t seed);

/*
 * Outer TOS and TTL of an L2 overlay, as the kernel's VXLAN, Geneve and
 * GRE-TAP set them. The inner packet is the IPv4 or IPv6 packet right after
 * an untagged Ethernet header (the kernel's skb->protocol: a tagged or
 * non-IP frame carries none).
 */
struct fou_l2_hop {
	uint8_t tos;		/* `tos T`: the outer DSCP */
	bool tos_inherit;	/* `tos inherit`: the inner TOS / traffic class */
	uint8_t ttl;		/* `ttl N`; 0: ttl_default */
	bool ttl_inherit;	/* `ttl inherit`: the inner TTL / hop limit */
	uint8_t ttl_default;	/* none given, or nothing (or 0) to inherit */
};

/*
 * The IP packet of an Ethernet frame, as the kernel's skb->protocol sees it:
 * right after an untagged header of EtherType IPv4 (0x0800) or IPv6
 * (0x86DD), its version agreeing and its fixed header whole; else NULL (ARP,
 * VLAN tags, any other EtherType).
 */
const uint8_t *fou_l2_ip(const uint8_t *frame, size_t len);
/*
 * The outer TOS (the configured or inherited DSCP, the inner ECN
 * encapsulated per RFC 6040: fou_ecn_encap) and TTL for frame.
 */
void fou_l2_outer(const struct fou_l2_hop *h, const uint8_t *frame, size_t len,
		  uint8_t *tos, uint8_t *ttl);
/*
 * RFC 6040 decapsulation into a received frame: fou_ecn_decap() on its
 * inner packet (CE marked in place, or -FOU_DROP_ECN for outer CE over a
 * not-ECT packet); 0 when the outer is not CE or the frame carries no IP.
 */
int fou_l2_ecn_decap(uint8_t *frame, size_t len, uint8_t outer_tos);

/* ---- UDP overlays: one codec each -------------------------------------- */

/*
 * What the daemon needs of a UDP overlay's header, so that one class of
 * device carries every such overlay. Each codec file exports one, named
 * fou_l2_NAME (fou_l2_vxlan, fou_l2_geneve); the kind's row in the kind
 * descriptor (common/kinds.def) names and declares it.
 */
struct fou_l2_codec {
	/* Prepends the header for identifier id with opts[0..opts_len) (Geneve's options; the others take none). */
	int (*push)(struct fou_buf *b, uint32_t id, const uint8_t *opts, size_t opts_len);
	/* Parses and strips the header of a UDP payload; says its identifier. */
	int (*pull)(struct fou_buf *b, uint32_t *id);
	size_t hlen;			/* header bytes, options aside */
	enum fou_drop wrong_id;		/* why a datagram no device has the identifier of is dropped */
};

/* ---- VXLAN (RFC 7348) --------------------------------------------------- */

#define FOU_VXLAN_HLEN		8
#define FOU_VXLAN_FLAG_I	0x08	/* first byte: VNI valid */
#define FOU_VNI_MASK		0xFFFFFFu

/* Prepends flags=I, VNI (vni & FOU_VNI_MASK), every reserved bit 0. */
int fou_vxlan_push(struct fou_buf *b, uint32_t vni);
/*
 * Parses and strips the header at the front of b (the UDP payload): the I
 * flag is required, the other flags and reserved fields are ignored (RFC
 * 7348 section 5), and an inner Ethernet header must follow. The caller
 * matches *vni against its devices (-FOU_DROP_NO_TUNNEL when none).
 */
int fou_vxlan_pull(struct fou_buf *b, uint32_t *vni);

/* ---- Geneve (RFC 8926) -------------------------------------------------- */

#define FOU_GENEVE_HLEN		8
#define FOU_GENEVE_OPT_HLEN	4
#define FOU_GENEVE_MAX_OPTLEN	252	/* 63 four-byte words */
#define FOU_GENEVE_F_OAM	0x80	/* second byte: O, control packet */
#define FOU_GENEVE_F_CRIT	0x40	/* second byte: C, critical options present */
#define FOU_GENEVE_TYPE_CRIT	0x80	/* option type: critical */

/* An option class and type (critical bit included) the caller understands. */
struct fou_geneve_opt_id {
	uint16_t cls;
	uint8_t type;
};

struct fou_geneve {
	uint32_t vni;
	uint16_t proto;		/* always FOU_ETH_P_TEB after a successful pull */
	uint8_t flags;		/* FOU_GENEVE_F_* as received */
	const uint8_t *opts;	/* options, in b's storage in front of the payload */
	size_t opts_len;
};

/* Header bytes with opts_len bytes of options. */
size_t fou_geneve_hdr_len(size_t opts_len);
/*
 * Prepends a version-0 header carrying Ethernet (0x6558) and the opaque
 * options opts (TLVs, validated: each within opts_len, at most 252 bytes).
 * C is set when one option is critical; O when oam.
 */
int fou_geneve_push(struct fou_buf *b, uint32_t vni, const uint8_t *opts,
		    size_t opts_len, bool oam);
/*
 * Parses and strips the header: version 0, options within the packet and
 * each option within Opt Len, protocol 0x6558, an inner Ethernet header.
 * An option whose type has the critical bit and whose (class, type) is not
 * in known[0..nknown) drops the packet (RFC 8926 3.5.1, endpoint rule).
 * O (control) packets are dropped: their payload must not be forwarded and
 * no OAM is implemented (as Linux does for VXLAN-GPE).
 */
int fou_geneve_pull(struct fou_buf *b, const struct fou_geneve_opt_id *known,
		    size_t nknown, struct fou_geneve *g);

/* ---- NVGRE (RFC 7637) and GRE-TAP --------------------------------------- */

#define FOU_NVGRE_HLEN		8	/* GRE with K only */

/* The GRE key of NVGRE: VSID (24 bits) << 8 | FlowID. */
static inline uint32_t fou_nvgre_key(uint32_t vsid, uint8_t flowid)
{
	return (vsid & FOU_VNI_MASK) << 8 | flowid;
}

/* FlowID entropy for a frame: the low byte of fou_eth_hash(). */
uint8_t fou_nvgre_flowid(const uint8_t *frame, size_t len, uint32_t seed);
/*
 * Prepends the NVGRE header (K=1, C=S=0, 0x6558, key from vsid and flowid)
 * with fou_gre_push(). The inner frame must not carry an 802.1Q tag (RFC
 * 7637 3.3: the encapsulator strips it first).
 */
int fou_nvgre_push(struct fou_buf *b, uint32_t vsid, uint8_t flowid);
/*
 * Checks an already parsed GRE header (fou_rx_kind or fou_gre_pull) and the
 * inner frame that follows it: exactly K, no C or S, 0x6558, an Ethernet
 * header without 802.1Q tag. Splits the key.
 */
int fou_nvgre_check(const struct fou_gre *g, const uint8_t *inner, size_t len,
		    uint32_t *vsid, uint8_t *flowid);
/* fou_gre_pull() then fou_nvgre_check(); b is untouched on failure. */
int fou_nvgre_pull(struct fou_buf *b, uint32_t *vsid, uint8_t *flowid);

/* ---- STT (draft-davie-stt-08; flag values of Wireshark and OVS) --------- */

#define FOU_STT_HLEN		18
#define FOU_STT_TCP_HLEN	20
#define FOU_STT_MAX_FRAME	65535	/* STT header + inner frame */
#define FOU_STT_F_CSUM_VERIFIED	0x01
#define FOU_STT_F_CSUM_PARTIAL	0x02
#define FOU_STT_F_IPV4		0x04
#define FOU_STT_F_TCP		0x08
#define FOU_STT_TCI_VALID	0x1000	/* V bit in the PCP|V|VID word */
/*
 * TCP-like header: ACK on every segment, PSH on the last, window and urgent
 * pointer 0 as the draft says (SHOULD; OVS sent a window of 65535 and no
 * receiver looks at it).
 */
#define FOU_STT_TCP_WINDOW	0

struct fou_stt {
	uint8_t flags;		/* FOU_STT_F_* */
	uint8_t l4_off;		/* inner L4 offset from the inner frame start (partial only) */
	uint16_t mss;		/* inner GSO size, 0 without offload */
	uint16_t tci;		/* PCP(3) | V | VID(12) as on the wire */
	uint64_t context;	/* context ID */
};

/* Prepends the 18-byte STT header (version 0, reserved and padding 0). */
int fou_stt_push(struct fou_buf *b, const struct fou_stt *s);
/*
 * Parses and strips the STT header of a reassembled frame: version 0 only
 * (draft 3.1, else -FOU_DROP_STT_VERSION), an inner Ethernet header after
 * it, offload fields that agree (C and P never together; P with an MSS
 * only on TCP with its header inside the frame; else -FOU_DROP_STT_FLAGS).
 * With CSUM_PARTIAL and no MSS the inner L4 checksum (TCP if
 * FOU_STT_F_TCP, else UDP) at l4_off is completed, as a NIC would. With an
 * MSS the frame is a TCP super-frame whose checksum field still holds the
 * pseudo-header sum, as virtio's NEEDS_CSUM: the caller segments it or
 * hands it on with a GSO header. The caller also handles the VLAN tag
 * (FOU_STT_TCI_VALID: insert an 802.1Q tag with tci & 0xefff).
 */
int fou_stt_pull(struct fou_buf *b, struct fou_stt *s);

/* Addresses and ports of one STT frame on the wire. */
struct fou_stt_flow {
	struct fou_addr src, dst;	/* outer addresses (checksum pseudo-header) */
	uint16_t sport;			/* inner-flow hash: fou_l2_sport(..., 1, 65535) as OVS */
	uint16_t dport;			/* FOU_PORT_STT */
	uint32_t id;			/* frame ID, carried as the ACK number */
};

/*
 * Prepends the TCP-like header over the segment payload in b: seq =
 * frame_len << 16 | offset, ack = f->id, data offset 5, ACK (and PSH when
 * last), full TCP checksum over the outer pseudo-header and b.
 */
int fou_stt_tcp_push(struct fou_buf *b, const struct fou_stt_flow *f,
		     uint16_t frame_len, uint16_t offset, bool last);
/*
 * Prepends one TCP-like header over the whole STT frame in b, for the
 * kernel's TCP segmentation (GSO/TSO) to cut: seq = frame length << 16,
 * ACK and PSH, the checksum partial (pseudo-header with b's length, not
 * inverted) as the kernel's TCP leaves it for TSO. -FOU_DROP_MTU over 65535.
 */
int fou_stt_tcp_push_gso(struct fou_buf *b, const struct fou_stt_flow *f);

/* One received segment, from its TCP-like header. */
struct fou_stt_seg {
	uint16_t sport, dport;
	uint32_t frame_len;	/* seq >> 16 */
	uint32_t offset;	/* seq & 0xffff */
	uint32_t id;		/* ack */
};

/*
 * Parses and strips the TCP-like header at the front of b (the outer IP
 * payload): length, data offset (options skipped), the TCP checksum over
 * the pseudo-header of src/dst. The caller checks seg->dport.
 */
int fou_stt_tcp_pull(struct fou_buf *b, const struct fou_addr *src,
		     const struct fou_addr *dst, struct fou_stt_seg *seg);
/*
 * The same for a segment the kernel may have handled with its checksum
 * left partial (partial_ok): segments merged by GRO, one read holding
 * several consecutive segments' payload, or cut from a GSO packet and passed
 * on over a veth. Their checksum field holds the pseudo-header sum, accepted
 * as well as a whole checksum. The payload is one fragment at seg->offset,
 * of any length; fou_stt_reasm_add() bounds it.
 */
int fou_stt_tcp_pull_gro(struct fou_buf *b, const struct fou_addr *src,
			 const struct fou_addr *dst, struct fou_stt_seg *seg, bool partial_ok);

/* Iterator cutting one STT frame (STT header + inner frame) into segments. */
struct fou_stt_tx {
	struct fou_stt_flow flow;
	const uint8_t *frame;
	size_t len;
	size_t mss;		/* payload bytes per segment */
	size_t pos;		/* bytes emitted so far */
	unsigned int seg;	/* segments emitted so far */
};

/*
 * Prepares the iterator. The frame must hold at least the STT header and at
 * most FOU_STT_MAX_FRAME bytes (-FOU_DROP_MTU: the caller segments the
 * inner packet first, as OVS did); mss must be at least 1.
 */
int fou_stt_tx_init(struct fou_stt_tx *t, const struct fou_stt_flow *f,
		    const uint8_t *frame, size_t len, size_t mss);
/*
 * Writes the next segment into out: its payload at out's data pointer (the
 * caller sets off to the headroom it wants for TCP + IP), then the TCP-like
 * header pushed in front. Returns 1 when a segment was written, 0 when
 * done, or -FOU_DROP_TOO_SHORT when out cannot hold it.
 */
int fou_stt_tx_next(struct fou_stt_tx *t, struct fou_buf *out);

/*
 * Reassembly over caller memory. Each slot holds one frame in progress:
 * keyed by (outer src, outer dst, frame ID), data area of 65535 bytes,
 * received byte ranges (at most FOU_STT_MAX_RANGES disjoint ones). Peers
 * (outer sources) share the slots fairly: each with frames in progress may
 * hold max(4, slots / such peers). A new frame from a peer at its share
 * evicts that peer's own oldest; below it, it takes a free slot (timed-out
 * frames are freed first), else evicts the oldest frame of the peer holding
 * the most. Every eviction is counted in evicted.
 * Policy as OVS's stt.c where the draft is silent: DSCP of the first
 * segment with CE ORed over all segments; frames older than timeout_ms
 * are dropped.
 */
#define FOU_STT_MAX_RANGES	32

struct fou_stt_range {
	uint16_t lo, hi;	/* [lo, hi) */
};

struct fou_stt_slot {
	struct fou_addr src, dst;
	uint32_t id;
	uint32_t frame_len;
	uint32_t got;		/* bytes received */
	uint64_t born;		/* ms of the first segment */
	uint64_t gen;		/* arrival order, for eviction */
	uint8_t *data;		/* FOU_STT_MAX_FRAME bytes */
	uint8_t tos;
	uint8_t nranges;
	bool busy;
	struct fou_stt_range r[FOU_STT_MAX_RANGES];
};

struct fou_stt_reasm {
	struct fou_stt_slot *slot;
	size_t nslots;
	uint32_t timeout_ms;
	uint64_t gen;
	/* Counters for the daemon's statistics. */
	uint64_t evicted;	/* frames dropped to make room */
	uint64_t timedout;	/* frames dropped after timeout_ms */
	uint64_t dups;		/* segments already received, ignored */
	uint64_t bad;		/* segments or frames refused as inconsistent */
};

/* A reassembled frame: STT header + inner frame. */
struct fou_stt_frame {
	const uint8_t *data;
	size_t len;
	uint8_t tos;		/* outer TOS to apply (ECN decapsulation) */
};

/* Bytes of memory fou_stt_reasm_init() needs for nslots slots (alignment included). */
size_t fou_stt_reasm_size(size_t nslots);
/*
 * Lays out as many slots as fit in mem[0..len) (any alignment). Returns 0,
 * or -EINVAL when not even one slot fits. timeout_ms 0 means 30000 (OVS).
 */
int fou_stt_reasm_init(struct fou_stt_reasm *r, void *mem, size_t len,
		       uint32_t timeout_ms);
/*
 * Adds one segment (payload p[0..plen) of frame seg, outer TOS tos) at time
 * now. Returns 1 with *out set when the frame is complete, 0 when it is
 * kept (or ignored as a duplicate), or -FOU_DROP_* when the segment is
 * refused: -FOU_DROP_TOO_SHORT when empty, offset + len past the frame
 * length, frame length below the STT header or over 65535;
 * -FOU_DROP_STT_REASM when the frame length differs from the frame's
 * earlier segments (the whole frame is dropped), the segment overlaps
 * earlier data partially, or the frame is too fragmented (the whole frame
 * is dropped). out->data
 * points into p (single-segment frame) or into the slot, and stays valid
 * until the next call of fou_stt_reasm_add().
 */
int fou_stt_reasm_add(struct fou_stt_reasm *r, const struct fou_addr *src,
		      const struct fou_addr *dst, const struct fou_stt_seg *seg,
		      const uint8_t *p, size_t plen, uint8_t tos, uint64_t now,
		      struct fou_stt_frame *out);
/* Drops frames older than the timeout; returns how many. Call it from a timer. */
size_t fou_stt_reasm_expire(struct fou_stt_reasm *r, uint64_t now);
/* Frames in progress. */
size_t fou_stt_reasm_busy(const struct fou_stt_reasm *r);

/* ---- forwarding table (drivers/net/vxlan semantics) --------------------- */

#define FOU_FDB_AGEING_DEFAULT	300	/* seconds */

#define FOU_FDB_F_STATIC	0x01	/* configured: never aged, never moved */
#define FOU_FDB_F_LEARNED	0x02	/* from a received frame's source */
#define FOU_FDB_F_REPLACE	0x80	/* fou_fdb_add: overwrite an existing entry */

struct fou_fdb_entry {
	uint8_t mac[FOU_ETH_ALEN];
	uint8_t flags;		/* FOU_FDB_F_STATIC or FOU_FDB_F_LEARNED; 0 = empty slot */
	struct fou_addr remote;
	uint64_t updated;	/* ms: created, moved or seen as a source */
};

/*
 * Entries over every table that shares a budget (all of foud's devices):
 * learning past max is refused as maxaddress refuses it.
 */
struct fou_fdb_budget {
	size_t used, max;
};

#define FOU_FDB_MIN_SIZE	64	/* slots of a table without maxaddress */
#define FOU_FDB_PREALLOC	8192	/* at most, slots preallocated for maxaddress */

/*
 * Open-addressing hash (linear probing, backward-shift deletion) over an
 * array it allocates: the floor at first (room for maxaddress, within
 * MIN_SIZE and PREALLOC slots). Learning never allocates: a new source
 * that would fill it past 3/4 is refused. fou_fdb_add doubles it then;
 * fou_fdb_age doubles it once half full, halves it under 1/8 (not below
 * the floor). The 00:00:00:00:00:00 key is kept apart: a bounded list of
 * flood destinations (head-end replication, or a group).
 */
struct fou_fdb {
	struct fou_fdb_entry *tab;
	size_t size;		/* a power of two */
	size_t floor;		/* slots preallocated: never shrunk below */
	size_t count;
	size_t limit;		/* maxaddress, or SIZE_MAX */
	uint32_t seed;
	uint64_t ageing_ms;	/* 0: never */
	uint64_t oldest;	/* ms, at most the oldest learned entry's updated */
	struct fou_fdb_budget *budget;	/* NULL: none */
	struct fou_addr *flood;
	size_t nflood, flood_cap;
	/* Counters. */
	uint64_t refused;	/* learning refused because the table was full */
	uint64_t moved;		/* learned entries that moved to another remote */
	uint64_t learned;	/* new entries learned from received frames */
	uint64_t aged;		/* learned entries removed by fou_fdb_age */
};

/*
 * Sets up an empty table. maxaddress 0 means unlimited (but for the
 * budget); ageing in seconds, 0 = never; seed keys the MAC hash (random per
 * device); budget may be NULL. Returns 0 or -ENOMEM. fou_fdb_free() undoes it.
 */
int fou_fdb_init(struct fou_fdb *f, size_t maxaddress, uint32_t ageing, uint32_t seed,
		 struct fou_addr *flood, size_t flood_cap, struct fou_fdb_budget *budget);
void fou_fdb_free(struct fou_fdb *f);
/* Bytes the table holds now. */
size_t fou_fdb_mem(const struct fou_fdb *f);

/*
 * Learns from a received frame: source mac seen behind outer address remote.
 * Returns 0 when learned, refreshed or moved (learned entries only);
 * -FOU_DROP_BAD_SRC_MAC when mac is multicast, broadcast or zero (Linux
 * drops the frame); -FOU_DROP_FDB_STATIC when mac is static behind
 * another remote (Linux drops the frame, the entry stays); and
 * -FOU_DROP_FDB_FULL when the table is full (maxaddress, the budget, or
 * the array 3/4 full: learning never allocates, fou_fdb_age grows it):
 * counted in refused, but the frame is still delivered (Linux ignores the
 * failed insert).
 */
int fou_fdb_learn(struct fou_fdb *f, const uint8_t *mac,
		  const struct fou_addr *remote, uint64_t now);
/*
 * `bridge fdb add|replace MAC dst REMOTE`: a static entry. mac must not be
 * zero (use fou_fdb_flood_add). -EEXIST unless FOU_FDB_F_REPLACE; -ENOSPC
 * when full (static entries count against maxaddress, as in Linux, and the budget).
 */
int fou_fdb_add(struct fou_fdb *f, const uint8_t *mac,
		const struct fou_addr *remote, unsigned int flags, uint64_t now);
/* Removes mac's entry: 0 or -ENOENT. */
int fou_fdb_del(struct fou_fdb *f, const uint8_t *mac);
/* Drops every learned entry, and the static ones too with all. */
void fou_fdb_flush(struct fou_fdb *f, bool all);
/* `bridge fdb append 00:00:00:00:00:00 dst REMOTE`: 0, -EEXIST or -ENOSPC. */
int fou_fdb_flood_add(struct fou_fdb *f, const struct fou_addr *remote);
int fou_fdb_flood_del(struct fou_fdb *f, const struct fou_addr *remote);

/*
 * The entry for a destination mac, or NULL: then the frame is flooded to
 * f->flood[0..nflood) (every unknown unicast, broadcast and multicast
 * destination without an entry), or dropped when that list is empty.
 */
const struct fou_fdb_entry *fou_fdb_lookup(const struct fou_fdb *f, const uint8_t *mac);
/*
 * Removes learned entries not refreshed for the ageing time; returns how
 * many. Scans only when one can have expired. Call it every second: it
 * also doubles a table half full, so that learning, which never
 * allocates, finds room again.
 */
size_t fou_fdb_age(struct fou_fdb *f, uint64_t now);
/*
 * Iterates for `fdb show`: start with *pos = 0; returns the next entry or
 * NULL at the end. Its age is now - updated. Not stable across changes.
 */
const struct fou_fdb_entry *fou_fdb_next(const struct fou_fdb *f, size_t *pos);

#endif /* FOU_L2_H */
