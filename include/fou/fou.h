/* SPDX-License-Identifier: MIT */
/*
 * libfou: pure packet codecs of the foo-over-UDP tunnel family.
 *
 * No I/O, no allocation, no globals. Every function works on caller-owned
 * buffers with explicit lengths and checks a length before every read.
 * Functions that can fail return 0 or a negative drop reason (-FOU_DROP_*),
 * so that the daemon can count every dropped packet under its reason.
 * Multi-byte values in structs are in host order unless a name says _be.
 */
#ifndef FOU_FOU_H
#define FOU_FOU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "fou/wire.h"

/* ---- addresses ---------------------------------------------------------- */

struct fou_addr {
	int family;		/* AF_INET, AF_INET6, or 0 for "unset" */
	uint8_t a[16];		/* network order; IPv4 uses the first 4 bytes */
};

bool fou_addr_eq(const struct fou_addr *x, const struct fou_addr *y);
/* An order of addresses (family, then bytes), for qsort and bsearch. */
int fou_addr_cmp(const void *x, const void *y);
/* Parses "192.0.2.1" or "2001:db8::1"; returns 0 or -EINVAL. */
int fou_addr_parse(const char *s, struct fou_addr *out);
/* Formats into buf (at least 46 bytes); returns buf. */
const char *fou_addr_str(const struct fou_addr *a, char *buf, size_t len);

/* ---- drop reasons ------------------------------------------------------- */

enum fou_drop {
	FOU_OK = 0,
	FOU_DROP_TOO_SHORT,	/* a header runs past the end of the packet */
	FOU_DROP_BAD_IP,	/* malformed IP header (version, IHL, length) */
	FOU_DROP_BAD_CSUM,	/* IPv4 header, GRE or UDP checksum wrong */
	FOU_DROP_GUE_VERSION,	/* GUE variant 2 or 3, or v1 with a bad nibble */
	FOU_DROP_GUE_FLAGS,	/* unknown GUE flag or private flag */
	FOU_DROP_GUE_HLEN,	/* Hlen too small for the flagged options */
	FOU_DROP_GUE_CONTROL,	/* GUE control message (C=1), not supported */
	FOU_DROP_GUE_PROTO,	/* GUE proto 0 */
	FOU_DROP_REMCSUM,	/* remote checksum start/offset out of range */
	FOU_DROP_REMCSUM_NOCSUM,	/* remote checksum offload without an outer UDP checksum */
	FOU_DROP_GRE_VERSION,	/* GRE version != 0 */
	FOU_DROP_GRE_FLAGS,	/* routing or reserved0 bits set */
	FOU_DROP_GRE_CSUM,	/* checksum presence differs from the tunnel's */
	FOU_DROP_GRE_KEY,	/* key presence or value differs from the tunnel's */
	FOU_DROP_GRE_SEQ,	/* sequence missing or out of order (RFC 2890) */
	FOU_DROP_GRE_PROTO,	/* GRE protocol type this kind does not carry */
	FOU_DROP_UNKNOWN_PEER,	/* outer source is no configured peer */
	FOU_DROP_NO_TUNNEL,	/* no tunnel matches the outer addresses */
	FOU_DROP_INNER_PROTO,	/* inner packet is not what the kind carries */
	FOU_DROP_ECN,		/* outer CE on a not-ECT inner packet (RFC 6040) */
	FOU_DROP_NESTED,	/* inner packet aimed at one of our own ports */
	FOU_DROP_LOOP,		/* inner packet addressed to the tunnel's remote */
	FOU_DROP_MTU,		/* too big for the path, ICMP sent back */
	FOU_DROP_BAD_GSO,	/* inconsistent virtio header */
	FOU_DROP_QUEUE_FULL,	/* device or socket queue full */
	FOU_DROP_TX_ERROR,	/* the kernel refused the send */
	FOU_DROP_LINK_DOWN,	/* the tunnel device is down */
	/* L2 overlays (fou/l2.h) */
	FOU_DROP_VXLAN_FLAGS,	/* VXLAN without the I flag */
	FOU_DROP_GENEVE_VERSION, /* Geneve version != 0 */
	FOU_DROP_GENEVE_PROTO,	/* Geneve protocol type other than Ethernet */
	FOU_DROP_GENEVE_OAM,	/* Geneve control (O) packet: never forwarded */
	FOU_DROP_GENEVE_CRITICAL, /* unknown Geneve option with the critical bit */
	FOU_DROP_STT_VERSION,	/* STT version != 0 */
	FOU_DROP_STT_TCP,	/* STT's TCP-like header malformed */
	FOU_DROP_STT_REASM,	/* STT segment or frame refused by reassembly */
	FOU_DROP_WRONG_VNI,	/* no VXLAN or Geneve device has this VNI */
	FOU_DROP_WRONG_VSID,	/* no NVGRE device has this VSID */
	FOU_DROP_BAD_SRC_MAC,	/* inner source MAC multicast, broadcast or zero */
	FOU_DROP_FDB_FULL,	/* forwarding table full: not learned (frame delivered) */
	FOU_DROP_FDB_STATIC,	/* inner source MAC is static behind another remote */
	FOU_DROP_STT_FLAGS,	/* STT flags or offload fields contradict each other */
	FOU_DROP_TOU_PROTO,	/* GUE on a TOU port carrying anything but TCP */
	FOU_DROP_NO_ROUTE,	/* no route to the tunnel's remote */
	FOU_DROP_TOU_REBIND,	/* TOU from a peer's new port, not a rebinding */
	FOU_DROP_AUTH,		/* keyed tunnel: no, unknown-key or wrong GUE HMAC */
	FOU_DROP_REPLAY,	/* keyed tunnel: sequence seen or too old */
	FOU_DROP_INNER_CSUM,	/* inner TCP checksum wrong, no outer UDP checksum vouched */
	FOU_DROP_TOU_SESSION,	/* TOU: unknown session id, or ids or ports not the session's */
	FOU_DROP_DTLS,		/* DTLS TOU peer: plain TOU, no session, or a record that fails */
	FOU_DROP__MAX
};

/* Short snake_case name of a reason ("too_short", ...); "unknown" if out of range. */
const char *fou_drop_name(int reason);

/* ---- buffers with headroom ---------------------------------------------- */

struct fou_buf {
	uint8_t *head;		/* storage */
	size_t cap;		/* bytes of storage */
	size_t off;		/* packet starts at head + off (the headroom) */
	size_t len;		/* packet length */
};

static inline uint8_t *fou_buf_data(const struct fou_buf *b)
{
	return b->head + b->off;
}

/* Prepends n bytes; NULL if the headroom is too small. */
static inline uint8_t *fou_buf_push(struct fou_buf *b, size_t n)
{
	if (n > b->off)
		return NULL;
	b->off -= n;
	b->len += n;
	return b->head + b->off;
}

/*
 * Prepends an n-byte header whose 16-bit length field will say tot:
 * FOU_DROP_MTU if tot does not fit, FOU_DROP_TOO_SHORT without headroom.
 */
static inline int fou_buf_push_hdr(struct fou_buf *b, size_t n, size_t tot, uint8_t **h)
{
	if (tot > 0xffff)
		return -FOU_DROP_MTU;
	*h = fou_buf_push(b, n);
	return *h ? 0 : -FOU_DROP_TOO_SHORT;
}

/* Strips n bytes from the front; NULL if the packet is shorter. */
static inline uint8_t *fou_buf_pull(struct fou_buf *b, size_t n)
{
	if (n > b->len)
		return NULL;
	b->off += n;
	b->len -= n;
	return b->head + b->off;
}

/* ---- byte order helpers (unaligned, explicit) -------------------------- */

static inline uint16_t fou_get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t fou_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void fou_put16(uint8_t *p, uint16_t v) { p[0] = v >> 8; p[1] = v & 0xff; }
static inline void fou_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24; p[1] = (v >> 16) & 0xff; p[2] = (v >> 8) & 0xff; p[3] = v & 0xff;
}

/* ---- checksums ---------------------------------------------------------- */

/*
 * Internet checksum arithmetic over big-endian 16-bit words. A "sum" is a
 * 32-bit accumulator, congruent modulo 0xffff to the one's-complement sum
 * (possibly partly folded); fou_csum_fold() folds it and returns the one's
 * complement, ready for fou_put16(). An odd trailing byte is padded.
 */
uint32_t fou_csum_add(uint32_t sum, const void *buf, size_t len);
uint16_t fou_csum_fold(uint32_t sum);
/* Sum of the TCP/UDP pseudo-header of either family. */
uint32_t fou_csum_pseudo(const struct fou_addr *src, const struct fou_addr *dst,
			 uint8_t proto, uint32_t len);
/*
 * Completes a partial checksum (virtio NEEDS_CSUM, CHECKSUM_PARTIAL): the
 * field at start + offset holds the folded, not inverted, pseudo-header sum.
 * Returns 0, or -FOU_DROP_BAD_GSO if start/offset do not fit in len.
 */
int fou_csum_complete(uint8_t *pkt, size_t len, size_t start, size_t offset);

/* ---- IP ----------------------------------------------------------------- */

struct fou_ip {
	int family;		/* AF_INET or AF_INET6 */
	struct fou_addr src, dst;
	uint8_t proto;		/* IPv4 protocol, IPv6 next header */
	uint8_t tos;		/* IPv4 TOS, IPv6 traffic class */
	uint8_t ttl;		/* TTL, hop limit */
	uint16_t hlen;		/* header length (IPv4 with options; IPv6 40) */
	uint16_t tot_len;	/* total length as the header states it */
	uint16_t frag;		/* IPv4 flags and fragment offset; 0 for IPv6 */
	uint16_t id;		/* IPv4 identification */
};

/*
 * Parses an IPv4 or IPv6 header at p: version, IHL >= 5, header within len,
 * header checksum (IPv4), stated total length within [hlen, len]. Bytes
 * past tot_len are allowed (link padding); the caller trims.
 */
int fou_ip_parse(const uint8_t *p, size_t len, struct fou_ip *ip);

/* Transport ports of an unfragmented TCP/UDP packet; -FOU_DROP_* otherwise. */
int fou_ip_l4_ports(const uint8_t *p, size_t len, uint8_t *proto,
		    uint16_t *sport, uint16_t *dport);

/*
 * Never nest: what a decapsulated packet (an Ethernet frame with l2:
 * untagged, 802.1Q, 802.1ad) carries, walked to its transport header
 * through IPv4 options and IPv6 extension headers. FOU_NEST_L4 fills n
 * (dport 0 for a protocol without ports).
 */
enum {
	FOU_NEST_L4,		/* n->proto, n->dport */
	FOU_NEST_NOT_IP,	/* a frame that is not IPv4 or IPv6 */
	FOU_NEST_LATER_FRAG,	/* a fragment of offset > 0: no ports in it */
	FOU_NEST_END,		/* ESP or no next header: nothing to look at */
	FOU_NEST_BAD_IP,	/* an IP header the kernel drops (version, IHL, lengths) */
	FOU_NEST_UNKNOWN,	/* too short for its headers and ports: a chain cut before them */
};
struct fou_nest {
	uint8_t proto;
	uint16_t dport;
};
int fou_nest_judge(const uint8_t *p, size_t len, bool l2, struct fou_nest *n);

struct fou_ip_params {
	struct fou_addr src, dst;	/* family taken from src */
	uint8_t proto, tos, ttl;
	bool df;
	uint16_t id;			/* IPv4 only */
	uint32_t flowlabel;		/* IPv6 only, 20 bits */
};

/* Prepends an IPv4 (20 bytes, checksummed) or IPv6 header over b. */
int fou_ip_push(struct fou_buf *b, const struct fou_ip_params *p);

/*
 * Prepends a UDP header. With csum, the checksum covers the pseudo-header
 * and the whole of b (a computed 0 is sent as 0xffff); without, it is 0.
 */
int fou_udp_push(struct fou_buf *b, uint16_t sport, uint16_t dport,
		 const struct fou_addr *src, const struct fou_addr *dst, bool csum);

/* ---- ECN (RFC 6040, as the kernel's INET_ECN_encapsulate/decapsulate) --- */

/* Outer TOS for an inner TOS: the outer's DSCP, the inner's ECN with CE sent as ECT(0). */
uint8_t fou_ecn_encap(uint8_t outer_tos, uint8_t inner_tos);
/*
 * Applies the outer ECN to the inner IP packet in place: outer CE and inner
 * ECT -> inner CE (IPv4 checksum updated); outer CE and inner not-ECT ->
 * -FOU_DROP_ECN. Returns 0 otherwise.
 */
int fou_ecn_decap(uint8_t *inner, size_t len, uint8_t outer_tos);

/* ---- GUE (draft-ietf-intarea-gue, Linux private-flag RCO) --------------- */

/* Remote checksum offload: offsets from the start of the GUE payload. */
struct fou_remcsum {
	uint16_t start;		/* first byte covered by the inner checksum */
	uint16_t offset;	/* position of the inner checksum field */
};

/* GUE header length: 4, or 12 with remote checksum offload. */
size_t fou_gue_hdr_len(bool remcsum);
/*
 * Prepends a variant-0 header carrying proto; with rc, the P flag, the
 * REMCSUM private flag and rc's start/offset, exactly as Linux emits it.
 */
int fou_gue_push(struct fou_buf *b, uint8_t proto, const struct fou_remcsum *rc);
/*
 * Parses and strips the GUE header at the front of b (the UDP payload).
 * Variant 0: checks flags, private flags, Hlen, C=0, proto != 0, applies
 * RCO (writes the completed inner checksum), skips the rest of Hlen.
 * Variant 1: proto is 4 or 41 from the IP version nibble; nothing stripped.
 */
int fou_gue_pull(struct fou_buf *b, uint8_t *proto);
/*
 * The same for a datagram whose non-zero outer UDP checksum the kernel
 * verified: an RCO option naming the TCP checksum of the packet right after
 * GUE (TOU's segment; TCP in IPv4/IPv6) is left partial, its field holding
 * the pseudo-header sum, and *partial set: the payload is not summed; the
 * device that takes the packet is told where the checksum is. Any other
 * option is completed as fou_gue_pull() does. Sound only when the outer
 * checksum covered the bytes: with none, use fou_gue_pull().
 */
int fou_gue_pull_partial(struct fou_buf *b, uint8_t *proto, bool *partial);
/* Whether the GUE header at the front of b asks for remote checksum offload. */
bool fou_gue_has_rco(const struct fou_buf *b);

/* ---- GRE (RFC 2784, RFC 2890) ------------------------------------------- */

struct fou_gre {
	uint16_t flags;		/* FOU_GRE_CSUM | FOU_GRE_KEY | FOU_GRE_SEQ */
	uint16_t proto;		/* ethertype */
	uint32_t key;
	uint32_t seq;
};

size_t fou_gre_hdr_len(uint16_t flags);
/* Prepends a GRE header; with FOU_GRE_CSUM it covers header and payload. */
int fou_gre_push(struct fou_buf *b, const struct fou_gre *g);
/* Parses, verifies (version, routing, reserved0, checksum) and strips. */
int fou_gre_pull(struct fou_buf *b, struct fou_gre *g);

/* ---- flow hash for encap-sport auto ------------------------------------- */

/*
 * Hash of the inner flow: addresses, protocol and, for unfragmented TCP,
 * UDP, SCTP and UDP-Lite, the ports (IPv6 adds the flow label). The same
 * flow always gives the same hash for one seed; never returns 0.
 */
uint32_t fou_flow_hash(const uint8_t *pkt, size_t len, uint32_t seed);
/*
 * The kernel's udp_flow_src_port() scaling: hash ^= hash << 16, then
 * ((u64)hash * (max - min) >> 32) + min, a port in [min, max).
 */
uint16_t fou_flow_sport(uint32_t hash, uint16_t min, uint16_t max);

/* ---- ICMP errors for oversized packets ---------------------------------- */

/*
 * Builds into out an ICMPv4 "fragmentation needed" (type 3 code 4) when
 * orig is IPv4, or an ICMPv6 "packet too big" when orig is IPv6, addressed
 * to orig's source from orig's destination, quoting as much of orig as fits
 * in 576 (IPv4) or 1280 (IPv6) bytes. *outlen gets the packet's length.
 */
int fou_icmp_too_big(uint8_t *out, size_t cap, size_t *outlen,
		     const uint8_t *orig, size_t orig_len, uint32_t mtu);

/* ---- virtio_net_hdr and segmentation of TUN super-packets --------------- */

struct fou_vnet_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
};

/* Reads/writes the 10-byte header (little-endian, as TUN uses on x86). */
int fou_vnet_parse(const uint8_t *p, size_t len, struct fou_vnet_hdr *h);
void fou_vnet_put(uint8_t *p, const struct fou_vnet_hdr *h);
/* A super-packet to cut (any GSO type but none; the ECN bit is not a type). */
bool fou_vnet_is_gso(const struct fou_vnet_hdr *h);

/* Iterator that cuts a TCPv4/TCPv6 super-packet into MSS-sized segments. */
struct fou_gso {
	const uint8_t *pkt;
	size_t len;
	size_t hlen;		/* IP + TCP header bytes */
	size_t l4off;		/* TCP header offset */
	size_t mss;
	size_t pos;		/* payload bytes emitted so far */
	unsigned int seg;	/* segments emitted so far */
	int family;
	uint32_t psum;		/* pseudo-header sum of the addresses and protocol, for every segment */
	bool partial;		/* set after init: leave each TCP checksum partial (RCO) */
	struct fou_ip ip;	/* the super-packet's IP header, parsed once */
};

/*
 * Checks the header against the packet (gso type, csum_start, TCP header
 * length; hdr_len is not trusted) and prepares the iterator.
 */
int fou_gso_init(struct fou_gso *g, const struct fou_vnet_hdr *h,
		 const uint8_t *pkt, size_t len);
/*
 * Writes the next segment into out: copied IP header (IPv4 id + seg, total
 * length and header checksum; IPv6 payload length), TCP header with
 * seq + pos and FIN/PSH only on the last, payload, full TCP checksum (or,
 * with g->partial, only the pseudo-header sum in it, as CHECKSUM_PARTIAL:
 * start l4off, field l4off + 16). Returns 1 when a segment was written, 0 when done, or -FOU_DROP_*.
 */
int fou_gso_next(struct fou_gso *g, uint8_t *out, size_t cap, size_t *outlen);
/*
 * The IP header of the segment of seglen bytes that fou_gso_next() just
 * wrote at seg, as fou_ip_parse() would give it, without parsing again.
 */
void fou_gso_seg_ip(const struct fou_gso *g, const uint8_t *seg, size_t seglen, struct fou_ip *ip);

/* ---- tunnel kinds and encapsulations ------------------------------------ */

enum fou_kind {
	FOU_KIND_IPIP,		/* IPv4 in IPv4 */
	FOU_KIND_SIT,		/* IPv6 in IPv4 */
	FOU_KIND_GRE,		/* IPv4/IPv6 in GRE in IPv4 */
	FOU_KIND_IP6TNL,	/* IPv4/IPv6 in IPv6 */
	FOU_KIND_IP6GRE,	/* IPv4/IPv6 in GRE in IPv6 */
	FOU_KIND__MAX
};

enum fou_encap {
	FOU_ENCAP_NONE,
	FOU_ENCAP_FOU,
	FOU_ENCAP_GUE,
	FOU_ENCAP__MAX
};

#define FOU_INNER_V4	0x1
#define FOU_INNER_V6	0x2

struct fou_kind_ops {
	const char *name;	/* "ipip", ... as `ip link ... type` spells it */
	int family;		/* outer family */
	uint8_t inner;		/* FOU_INNER_* it carries */
	bool gre;		/* has a GRE header */
};

/* UDP encapsulations: "none" (raw IP), "fou" (direct), "gue" (variant 0). */
struct fou_encap_ops {
	const char *name;
	/* UDP + encapsulation header bytes; 0 for none. */
	size_t (*hdr_len)(uint16_t encap_flags);
	/* Prepends the encapsulation header only (not UDP). */
	int (*push)(struct fou_buf *b, uint8_t proto, const struct fou_remcsum *rc);
	/* Strips it from a UDP payload; sets *proto (fou: port_proto). */
	int (*pull)(struct fou_buf *b, uint8_t port_proto, uint8_t *proto);
};

const struct fou_kind_ops *fou_kind(enum fou_kind k);
int fou_kind_lookup(const char *name);		/* enum fou_kind or -EINVAL */
const struct fou_encap_ops *fou_encap(enum fou_encap e);
int fou_encap_lookup(const char *name);		/* enum fou_encap or -EINVAL */

#define FOU_ENCAP_F_CSUM	0x1	/* UDP checksum on an IPv4 underlay */
#define FOU_ENCAP_F_CSUM6	0x2	/* UDP checksum on an IPv6 underlay */
#define FOU_ENCAP_F_REMCSUM	0x4	/* GUE remote checksum offload */
#define FOU_ENCAP_F_AUTH	0x8	/* authenticated GUE (fou/gue_auth.h): fou_tnl.auth */

/*
 * Not a setting: the tunnel's super-packets get UDP checksums (UDP GSO
 * always has them), so its single packets get them too. A flow that mixed
 * both would be reordered by a receiver that steers by checksum (foud's).
 */
#define FOU_ENCAP_F_CSUM_GSO	0x10

struct fou_gue_keys;

/* Everything needed to encapsulate for one tunnel; fixed at link add. */
struct fou_tnl {
	enum fou_kind kind;
	enum fou_encap encap;
	struct fou_addr local, remote;
	uint16_t encap_sport;		/* 0 = auto */
	uint16_t encap_dport;
	uint16_t port_min, port_max;	/* auto range [min, max) */
	uint16_t encap_flags;		/* FOU_ENCAP_F_* */
	uint16_t gre_oflags, gre_iflags;	/* FOU_GRE_CSUM|KEY|SEQ out/in */
	uint32_t okey, ikey;
	uint8_t ttl;			/* 0 = inherit from the inner packet */
	uint8_t tos;
	bool tos_inherit;
	bool pmtudisc;			/* DF on the outer header */
	const struct fou_gue_keys *auth;	/* FOU_ENCAP_F_AUTH: its keys, set by the owner */
};

/* Mutable per-tunnel transmit state. */
struct fou_tnl_tx {
	uint32_t oseq;
	uint16_t ip_id;
	uint64_t auth_seq;		/* authenticated GUE: the next sequence */
};

/* Mutable per-tunnel receive state. */
struct fou_tnl_rx {
	uint32_t iseq;
	bool seq_seen;
};

/* Bytes a tunnel adds: outer IP + UDP and encap header + GRE header. */
size_t fou_tnl_overhead(const struct fou_tnl *t);

/*
 * Encapsulates the inner IP packet in b (headroom >= overhead) into a full
 * outer packet: GRE, then GUE/FOU and UDP, then outer IP. hash is the inner
 * flow hash (for encap-sport auto). partial, when not NULL, says the inner
 * L4 checksum is still partial (start/offset from the inner packet start):
 * it becomes GUE remote checksum offload when the tunnel asks for it, and
 * is completed otherwise. Checks that the kind carries the inner version.
 */
int fou_tnl_encap(struct fou_buf *b, const struct fou_tnl *t, struct fou_tnl_tx *st,
		  uint32_t hash, const struct fou_remcsum *partial);

/*
 * For senders that hand whole UDP datagrams to a socket (UDP GSO): builds
 * only the UDP payload, GRE and the FOU/GUE header without RCO, in front of
 * the inner packet in b, and says which outer TOS and TTL the full path
 * would have used. partial, as for fou_tnl_encap(), must be given to a
 * tunnel with encap-remcsum, and not otherwise. Not for encap none.
 */
int fou_tnl_encap_payload(struct fou_buf *b, const struct fou_tnl *t, struct fou_tnl_tx *st,
			  const struct fou_remcsum *partial, uint8_t *tos, uint8_t *ttl);
/* The same for an inner packet whose header the caller has (fou_gso_seg_ip()). */
int fou_tnl_encap_payload_ip(struct fou_buf *b, const struct fou_tnl *t, struct fou_tnl_tx *st,
			     const struct fou_remcsum *partial, const struct fou_ip *ip,
			     uint8_t *tos, uint8_t *ttl);
/*
 * The bytes fou_tnl_encap_payload() prepends: the same for every segment of
 * a train, so a tunnel with encap-remcsum gets RCO on each (partial given).
 */
size_t fou_tnl_payload_hlen(const struct fou_tnl *t);

/* What the daemon learned of an arriving packet, outside its payload. */
struct fou_rx {
	struct fou_addr src, dst;	/* outer addresses */
	uint8_t tos;			/* outer TOS / traffic class */
	uint8_t proto;			/* 4, 41 or 47 */
	struct fou_gre gre;		/* filled by fou_rx_kind() for 47 */
};

/* For proto 47, parses and strips the GRE header into rx->gre. */
int fou_rx_kind(struct fou_buf *b, struct fou_rx *rx);
/* Whether tunnel t takes this packet: addresses, protocol, GRE key. */
bool fou_tnl_match(const struct fou_tnl *t, const struct fou_rx *rx);
/*
 * Finishes the receive for the matched tunnel: GRE checksum and sequence
 * policy, inner protocol for the kind, inner IP header, trim to its length,
 * ECN decapsulation. b then holds exactly the inner packet.
 */
int fou_tnl_decap(struct fou_buf *b, const struct fou_tnl *t, struct fou_tnl_rx *st,
		  const struct fou_rx *rx);
/*
 * The same, giving the inner header it parsed (on success) in ip, for the
 * next steps to read rather than parse again; its tos is the one received,
 * before ECN decapsulation.
 */
int fou_tnl_decap_ip(struct fou_buf *b, const struct fou_tnl *t, struct fou_tnl_rx *st,
		     const struct fou_rx *rx, struct fou_ip *ip);
/*
 * The GRE part of fou_tnl_decap(), for callers whose payload is no IP packet
 * (GRE-TAP): checksum presence as configured, the key, sequence order.
 */
int fou_tnl_gre_policy(const struct fou_tnl *t, struct fou_tnl_rx *st, const struct fou_gre *g);

/* ---- transports over UDP (draft-herbert-transports-over-udp) ----------- */

/*
 * On the wire: UDP, GUE variant 0 with proto 6, then the TCP header and
 * data, no inner IP header. The TCP checksum on the wire is the ordinary
 * one computed with both IP addresses zero (protocol and TCP length stay in
 * the pseudo-header), for IPv4 and IPv6 alike, so NAT cannot break it.
 */
struct fou_tou_info {
	struct fou_addr src, dst;	/* inner = outer addresses */
	uint8_t tos, ttl;		/* decap: ttl 0 means 64 */
};

/*
 * Turns the IPv4/IPv6 TCP packet in b (complete checksum) into a TOU UDP
 * payload in place: fills info from its IP header, strips the header,
 * converts the checksum to the wire form, prepends GUE (proto 6). Anything
 * but unfragmented TCP directly after the IP header is -FOU_DROP_INNER_PROTO.
 */
int fou_tou_encap(struct fou_buf *b, struct fou_tou_info *info);
/*
 * The same for a packet whose TCP checksum is left for offload (the
 * pseudo-header sum, as CHECKSUM_PARTIAL has it): GUE with remote checksum
 * offload (start 0, offset 16: the TCP checksum), the field holding the
 * address-free pseudo-header sum. fou_tou_decap() completes it.
 */
int fou_tou_encap_rco(struct fou_buf *b, struct fou_tou_info *info);
/*
 * Either of the two for a segment fou_gso_next() cut, whose IP header
 * fou_gso_seg_ip() gave as *ip: that header is not parsed again, only the
 * TCP header is checked. partial: as fou_tou_encap_rco().
 */
int fou_tou_encap_seg(struct fou_buf *b, struct fou_tou_info *info, const struct fou_ip *ip,
		      bool partial);
/*
 * The inverse, for a received UDP payload: strips GUE (any other proto is
 * -FOU_DROP_TOU_PROTO), checks the TCP header, converts the checksum back
 * with info's addresses and prepends an IP header (DF, info's TOS and TTL).
 * b needs 40 bytes of headroom.
 */
int fou_tou_decap(struct fou_buf *b, const struct fou_tou_info *info);
/*
 * The same, but an RCO at the TCP checksum is not completed: the payload is
 * not summed, the field holds the pseudo-header sum of the rebuilt header
 * (CHECKSUM_PARTIAL) and *partial is set. Only for a datagram whose outer
 * UDP checksum was verified: nothing else then vouches for the payload.
 */
int fou_tou_decap_partial(struct fou_buf *b, const struct fou_tou_info *info, bool *partial);
/*
 * Whether the TCP checksum of a packet fou_tou_decap() rebuilt from info
 * verifies (the conversion is incremental, so a bad one on the wire stays bad).
 */
bool fou_tou_csum_ok(const struct fou_buf *b, const struct fou_tou_info *info);
/* The conversions alone, on a checksum field's value. */
uint16_t fou_tou_csum_to_wire(uint16_t csum, const struct fou_addr *src,
			      const struct fou_addr *dst);
uint16_t fou_tou_csum_from_wire(uint16_t csum, const struct fou_addr *src,
				const struct fou_addr *dst);

#endif /* FOU_FOU_H */
