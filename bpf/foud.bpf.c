// SPDX-License-Identifier: (MIT OR GPL-2.0)
/*
 * foud's kernel data path: two TC programs configured through maps.
 *
 * foud_egress sits on each BPF-path tunnel's TUN device: it wraps the inner
 * packet in the tunnel's outer headers (as lib/tunnel.c and the kernel's
 * ip_tunnel_xmit do) and hands it to the underlay with bpf_redirect_neigh.
 * foud_ingress sits on the underlay devices: it decapsulates only packets
 * that are valid in every respect and belong to a BPF-path tunnel, and
 * redirects the inner packet into the tunnel's TUN device. Everything else
 * goes up the stack untouched (PASS), so foud's userspace path sees it
 * and drops or counts it under its exact reason.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "foud_bpf.h"
#include "fou/wire.h"

/* Newer than some uapi headers; the kernel checks them, so no guessing. */
#define ADJ_DECAP_L3_IPV4	(1ULL << 7)
#define ADJ_DECAP_L3_IPV6	(1ULL << 8)
#define ADJ_ENCAP_L2(len)	(((__u64)(len) & 0xff) << 56)

/*
 * Not ours: let the next TC program, then the stack (and so foud's userspace
 * path) have it. TC_ACT_OK would end the TCX chain for programs after us.
 */
#define PASS			TC_ACT_UNSPEC

#define ETH_HLEN_		14
#define PACKET_HOST_		0

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/*
 * A map as libbpf declares one from BTF, in one line a map. _NP: not
 * preallocated, for tables mostly empty (an LPM trie, the FDB).
 */
#define FOUD_MAP_FLAGS(name, t, max, k, v, flags)				\
	struct {							\
		__uint(type, BPF_MAP_TYPE_##t);				\
		__uint(max_entries, max);				\
		__uint(map_flags, flags);				\
		__type(key, k);						\
		__type(value, v);					\
	} name SEC(".maps")
#define FOUD_MAP(name, t, max, k, v)	FOUD_MAP_FLAGS(name, t, max, k, v, 0)
#define FOUD_MAP_NP(name, t, max, k, v)	FOUD_MAP_FLAGS(name, t, max, k, v, BPF_F_NO_PREALLOC)

FOUD_MAP(foud_tnl, HASH, FOUD_BPF_TUNNELS, __u32, struct foud_bpf_tnl);

FOUD_MAP(foud_rx, HASH, 2 * FOUD_BPF_TUNNELS + 2 * FOUD_BPF_MP_PEERS, struct foud_bpf_rxkey,
	 struct foud_bpf_rxval);

FOUD_MAP_NP(foud_mp, LPM_TRIE, FOUD_BPF_MP, struct foud_bpf_mpkey, struct foud_bpf_mpval);

FOUD_MAP(foud_port, HASH, FOUD_BPF_PORTS, struct foud_bpf_portkey, struct foud_bpf_port);

/* Every receive point of foud's: a decapsulated packet aimed at one would nest. */
FOUD_MAP(foud_ours, HASH, FOUD_BPF_PORTS, struct foud_bpf_ourskey, __u8);

/* Per IP protocol, FOUD_BPF_OURS_*: foud_ours is looked up only when there are entries of it. */
FOUD_MAP(foud_ours_proto, ARRAY, 256, __u32, __u8);

FOUD_MAP(foud_stats, PERCPU_HASH, FOUD_BPF_TUNNELS, __u32, struct foud_bpf_stats);

FOUD_MAP(foud_pstats, PERCPU_HASH, FOUD_BPF_PORTS, struct foud_bpf_portkey,
	 struct foud_bpf_pstats);

/* fouctl capture: how many devices capture (element 0), which ones, and the packets. */
FOUD_MAP(foud_capn, ARRAY, 1, __u32, __u32);

FOUD_MAP(foud_capon, HASH, 64, __u32, __u8);
/* udp_sum_ok()'s copy of a datagram's chunk (the stack holds 512 bytes in all). */
#define FOUD_CSUM_CHUNK	512
#define FOUD_CSUM_MAX	9216	/* a jumbo frame; longer unverified datagrams are foud's */
struct foud_csum_buf {
	__u8 b[FOUD_CSUM_CHUNK + 4];
};
FOUD_MAP(foud_csum_buf, PERCPU_ARRAY, 1, __u32, struct foud_csum_buf);

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, FOUD_BPF_CAP_RING);
} foud_cap SEC(".maps");

/*
 * How ifindex is captured (FOUD_BPF_CAP_INNER, _OUTER or both), 0 when it is not.
 * Without a capture: one array lookup (inlined) and a test of zero.
 */
static __always_inline __u8 cap_how(__u32 ifindex)
{
	__u32 zero = 0, *n = bpf_map_lookup_elem(&foud_capn, &zero);
	__u8 *on;

	if (!n || !*n)
		return 0;
	on = bpf_map_lookup_elem(&foud_capon, &ifindex);
	return on ? *on : 0;
}

/*
 * A record reserved in the ring, and whether there is one. The check after
 * is on rec.on, a constant on each path: 6.1's verifier does not know a
 * reserved record non-NULL once checked, so a second check of the pointer
 * (cap_end's) would be a path that keeps it unreleased, and a refusal.
 */
struct cap_rec {
	struct foud_bpf_cap *c;
	__u64 on;
};

/*
 * A copy of the packet from off on, reserved in the ring (on 0: none, or
 * foud is behind and the packet is not captured); cap_end submits it once
 * the caller knows the packet goes where the record says, or discards it.
 */
static __always_inline struct cap_rec cap_copy(struct __sk_buff *skb, __u32 off,
					       __u32 ifindex, __u16 dir, __u16 how)
{
	struct cap_rec r = { 0 };
	struct foud_bpf_cap *c;
	__u64 len;

	if (skb->len <= off)
		return r;
	c = bpf_ringbuf_reserve(&foud_cap, sizeof(*c), 0);
	if (!c)
		return r;
	len = skb->len - off;
	c->ns = bpf_ktime_get_ns();
	c->ifindex = ifindex;
	c->len = (__u32)len;
	c->dir = dir;
	c->how = how;
	if (len > FOUD_BPF_CAP_SNAP)
		len = FOUD_BPF_CAP_SNAP;
	/* The verifier must see the bound on the register the call gets. */
	asm volatile("%0 &= 0xfff" : "+r"(len));
	c->caplen = (__u32)len;
	/* And its minimum: 6.1's learns none from the "len == 0" clang makes of an unsigned test. */
	if ((__s64)len < 1 || bpf_skb_load_bytes(skb, off, c->data, (__u32)len)) {
		bpf_ringbuf_discard(c, 0);
		return r;
	}
	r.c = c;
	/* Opaque to clang, which would test c again in its place. */
	asm volatile("%0 = 1" : "=r"(r.on));
	return r;
}

static __always_inline void cap_end(struct cap_rec r, int keep)
{
	if (!r.on)
		return;
	if (keep)
		bpf_ringbuf_submit(r.c, 0);
	else
		bpf_ringbuf_discard(r.c, 0);
}

/* Receive, before decapsulation: the outer packet, for cap_end once it is stripped. */
static __always_inline struct cap_rec cap_rx_outer(struct __sk_buff *skb, __u8 how,
						   __u32 ifindex)
{
	struct cap_rec none = { 0 };

	if (!(how & FOUD_BPF_CAP_OUTER))
		return none;
	return cap_copy(skb, ETH_HLEN_, ifindex, FOUD_BPF_CAP_RX, FOUD_BPF_CAP_OUTER);
}

/* ... and after: the packet as the device gets it, from off. */
static __always_inline void cap_rx_inner(struct __sk_buff *skb, __u8 how, __u32 off, __u32 ifindex)
{
	if (how & FOUD_BPF_CAP_INNER)
		cap_end(cap_copy(skb, off, ifindex, FOUD_BPF_CAP_RX, FOUD_BPF_CAP_INNER), 1);
}

/* Transmit: the packet just encapsulated, from the outer IP header and from inner (the device's packet). */
static __always_inline void cap_tx(struct __sk_buff *skb, __u32 ifindex, __u32 inner)
{
	__u8 how = cap_how(ifindex);

	if (how & FOUD_BPF_CAP_OUTER)
		cap_end(cap_copy(skb, ETH_HLEN_, ifindex, FOUD_BPF_CAP_TX, FOUD_BPF_CAP_OUTER), 1);
	if (how & FOUD_BPF_CAP_INNER)
		cap_end(cap_copy(skb, inner, ifindex, FOUD_BPF_CAP_TX, FOUD_BPF_CAP_INNER), 1);
}

static __always_inline __u16 csum_fold(__s64 sum)
{
	__u32 s = (__u32)sum;

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

static __always_inline __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static __always_inline void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static __always_inline void put32(__u8 *p, __u32 v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

static __always_inline int addr_eq(const __u8 *a, const __u8 *b, int n)
{
	int i;

#pragma unroll
	for (i = 0; i < 16; i++)
		if (i < n && a[i] != b[i])
			return 0;
	return 1;
}

static __always_inline void addr_copy(__u8 *dst, const __u8 *src, int n)
{
	int i;

#pragma unroll
	for (i = 0; i < 16; i++)
		dst[i] = i < n ? src[i] : 0;
}

/* INET_ECN_encapsulate(): outer DSCP, the inner ECN with CE sent as ECT(0). */
static __always_inline __u8 ecn_encap(__u8 outer, __u8 inner)
{
	__u8 ecn = inner & FOU_ECN_MASK;

	return (outer & ~FOU_ECN_MASK) | (ecn == FOU_ECN_CE ? FOU_ECN_ECT0 : ecn);
}

/* What transmit needs of the inner packet. */
struct inner {
	__u8 flag;		/* FOUD_BPF_INNER_V4 or _V6 */
	__u8 tos, ttl, df;
	__u32 hdrs;		/* IP + TCP header bytes, for per-segment counts */
	__u8 dst[16];
};

static __always_inline int inner_read(struct __sk_buff *skb, __u32 l3, struct inner *in)
{
	__u8 h[40];
	__u8 proto, doff = 0;
	__u32 ihl;

	if (bpf_skb_load_bytes(skb, l3, h, 20))
		return -1;
	if ((h[0] >> 4) == 4) {
		ihl = (h[0] & 0xf) * 4;
		in->flag = FOUD_BPF_INNER_V4;
		in->tos = h[1];
		in->ttl = h[8];
		in->df = !!(h[6] & 0x40);
		proto = h[9];
		addr_copy(in->dst, h + 16, 4);
	} else if ((h[0] >> 4) == 6) {
		if (bpf_skb_load_bytes(skb, l3, h, 40))
			return -1;
		ihl = 40;
		in->flag = FOUD_BPF_INNER_V6;
		in->tos = (__u8)(h[0] << 4 | h[1] >> 4);
		in->ttl = h[7];
		in->df = 0;
		proto = h[6];
		addr_copy(in->dst, h + 24, 16);
	} else {
		return -1;
	}
	in->hdrs = ihl;
	if (proto == FOU_PROTO_TCP && !bpf_skb_load_bytes(skb, l3 + ihl + 12, &doff, 1))
		in->hdrs += (doff >> 4) * 4;
	return 0;
}

static __always_inline __u16 flow_sport(__u32 hash, __u16 min, __u16 max)
{
	/* udp_flow_src_port(): fold the low half up, scale into [min, max). */
	hash ^= hash << 16;
	return (__u16)((((__u64)hash * (__u32)(max - min)) >> 32) + min);
}

static __always_inline __u32 gso_segs(struct __sk_buff *skb, __u32 len, __u32 hdrs)
{
	__u32 mss = skb->gso_size;

	if (!mss || len <= hdrs)
		return 1;
	return (len - hdrs + mss - 1) / mss;
}

/* Writes the outer IPv4 or IPv6 header at offset l3. */
static __always_inline int put_ip(struct __sk_buff *skb, __u32 l3, const struct foud_bpf_tnl *t,
				  const __u8 *remote, struct foud_bpf_stats *st, const struct inner *in,
				  __u32 total, __u8 proto, __u32 hash, __u8 ttl)
{
	__u8 tos = ecn_encap(t->flags & FOUD_BPF_F_TOS_INHERIT ? in->tos : t->tos, in->tos);
	__u8 h[40] = {};
	__u32 fl;

	if (t->flags & FOUD_BPF_F_V6) {
		/* ip6_make_flowlabel(): the flow hash rotated, 20 bits. */
		fl = (hash << 16 | hash >> 16) & 0xfffff;
		h[0] = 0x60 | tos >> 4;
		h[1] = (__u8)(tos << 4) | (fl >> 16);
		h[2] = (fl >> 8) & 0xff;
		h[3] = fl & 0xff;
		put16(h + 4, (__u16)(total - FOU_IPV6_HLEN));
		h[6] = proto;
		h[7] = ttl;
		addr_copy(h + 8, t->local, 16);
		addr_copy(h + 24, remote, 16);
		return bpf_skb_store_bytes(skb, l3, h, 40, 0);
	}
	h[0] = 0x45;
	h[1] = tos;
	put16(h + 2, (__u16)total);
	put16(h + 4, (__u16)st->ip_id++);
	h[6] = (t->flags & FOUD_BPF_F_PMTUDISC) || in->df ? 0x40 : 0;
	h[8] = ttl;
	h[9] = proto;
	addr_copy(h + 12, t->local, 4);
	addr_copy(h + 16, remote, 4);
	/* The sum is of the bytes as they lie: store it the same way round. */
	*(__u16 *)(h + 10) = csum_fold(bpf_csum_diff(0, 0, (__be32 *)h, 20, 0));
	return bpf_skb_store_bytes(skb, l3, h, 20, 0);
}

/*
 * Where the inner IP header starts: 0 on a TUN device (L3), 14 where the
 * packet carries an Ethernet header (BPF_PROG_TEST_RUN gives one). The
 * room for the outer headers goes in at the same place (BPF_ADJ_ROOM_MAC).
 */
static __always_inline __u32 l3_offset(struct __sk_buff *skb)
{
	__u8 v = 0;

	bpf_skb_load_bytes(skb, 0, &v, 1);
	v >>= 4;
	if ((v == 4 && skb->protocol == bpf_htons(ETH_P_IP)) ||
	    (v == 6 && skb->protocol == bpf_htons(ETH_P_IPV6)))
		return 0;
	return ETH_HLEN_;
}

static __always_inline int l2_egress(struct __sk_buff *skb, struct foud_bpf_tnl *t,
				     struct foud_bpf_stats *st);

/* A fleet's device: the node behind the inner destination, or NULL (no route). */
static __always_inline struct foud_bpf_mpval *mp_node(__u32 ifindex, const struct inner *in)
{
	struct foud_bpf_mpkey k = { .ifindex = ifindex };

	k.v6 = in->flag == FOUD_BPF_INNER_V6;
	k.prefixlen = 64 + (k.v6 ? 128 : 32);
	addr_copy(k.addr, in->dst, 16);
	return bpf_map_lookup_elem(&foud_mp, &k);
}

SEC("tc")
int foud_egress(struct __sk_buff *skb)
{
	__u32 key = skb->ifindex, len, hash, olen, iplen, ul = 0, gl = 0, segs, l3;
	struct foud_bpf_stats *st;
	struct foud_bpf_tnl *t;
	struct inner in = {};
	const __u8 *remote;
	struct foud_bpf_mpval *mv;
	__u8 u[12] = {}, g[8] = {}, next;
	__u16 eth;
	__u64 f;
	int v6;

	t = bpf_map_lookup_elem(&foud_tnl, &key);
	st = bpf_map_lookup_elem(&foud_stats, &key);
	if (!t || !st || (t->flags & FOUD_BPF_F_USERSPACE))
		return PASS;
	if (t->flags & FOUD_BPF_F_L2)
		return l2_egress(skb, t, st);
	l3 = l3_offset(skb);
	len = skb->len - l3;
	/* Not an IP packet: foud counts it under its reason. */
	if (inner_read(skb, l3, &in))
		return PASS;
	if (!(t->inner & in.flag)) {
		st->tx_drop_inner++;
		return TC_ACT_SHOT;
	}
	v6 = !!(t->flags & FOUD_BPF_F_V6);
	remote = t->remote;
	if (t->mp) {
		mv = mp_node(key, &in);
		remote = mv ? mv->remote : NULL;
		/* A node behind another device than the underlay's: foud sends it. */
		if (mv && mv->oif != t->oif)
			return PASS;
	}
	/* Routed back into ourselves: the outer packet would follow it. */
	if (remote && (in.flag == FOUD_BPF_INNER_V6) == v6 && addr_eq(in.dst, remote, v6 ? 16 : 4)) {
		st->tx_drop_loop++;
		return TC_ACT_SHOT;
	}
	/* No route to the remote now (or no node for it); foud puts the device back when one returns. */
	if (!t->oif || !remote) {
		st->tx_drop_no_route += gso_segs(skb, len, in.hdrs);
		return TC_ACT_SHOT;
	}
	/* Too big for the path (whole, or a segment of it): foud answers with ICMP and counts it. */
	if (skb->gso_size ? in.hdrs + skb->gso_size > t->mtu_limit : len > t->mtu_limit)
		return PASS;

	iplen = v6 ? FOU_IPV6_HLEN : FOU_IPV4_HLEN;
	next = in.flag == FOUD_BPF_INNER_V4 ? FOU_PROTO_IPIP : FOU_PROTO_IPV6;
	if (t->flags & FOUD_BPF_F_GRE) {
		gl = t->flags & FOUD_BPF_F_GRE_KEY ? 8 : 4;
		put16(g, t->flags & FOUD_BPF_F_GRE_KEY ? FOU_GRE_KEY : 0);
		put16(g + 2, in.flag == FOUD_BPF_INNER_V4 ? FOU_ETH_P_IP : FOU_ETH_P_IPV6);
		put32(g + 4, t->okey);
		next = FOU_PROTO_GRE;
	}
	/*
	 * The flow dissector's hash of the inner headers, not the socket's
	 * random txhash: one flow keeps one source port, as with foud's
	 * userspace path, whichever socket sends it.
	 */
	bpf_set_hash_invalid(skb);
	hash = bpf_get_hash_recalc(skb);
	f = BPF_F_ADJ_ROOM_FIXED_GSO |
	    (v6 ? BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 : BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
	if (t->encap != FOUD_BPF_ENCAP_NONE) {
		ul = t->encap == FOUD_BPF_ENCAP_GUE ? 12 : 8;
		put16(u, t->sport ? t->sport : flow_sport(hash, t->port_min, t->port_max));
		put16(u + 2, t->dport);
		put16(u + 4, (__u16)(len + ul + gl));
		/* UDP checksum 0: a GSO super-packet's would be wrong once split. */
		u[9] = next;	/* GUE variant 0, no flags, Hlen 0 */
		/* The GUE and GRE headers are the inner "L2" that segmentation copies. */
		f |= BPF_F_ADJ_ROOM_ENCAP_L4_UDP | ADJ_ENCAP_L2(ul - 8 + gl);
		next = FOU_PROTO_UDP;
	} else if (gl) {
		f |= BPF_F_ADJ_ROOM_ENCAP_L4_GRE;
	}
	olen = iplen + ul + gl;
	/* The outer length fields have 16 bits; foud segments what would not fit. */
	if (len + olen - (v6 ? iplen : 0) > 0xffff)
		return PASS;
	/* An skb already encapsulated (say, VXLAN inside) cannot nest here: foud takes it. */
	if (bpf_skb_adjust_room(skb, (__s32)olen, BPF_ADJ_ROOM_MAC, f))
		return PASS;
	if (put_ip(skb, l3, t, remote, st, &in, len + olen, next, hash, t->ttl ? t->ttl : in.ttl))
		goto err;
	if (ul && bpf_skb_store_bytes(skb, l3 + iplen, u, ul, 0))
		goto err;
	if (gl && bpf_skb_store_bytes(skb, l3 + iplen + ul, g, gl, 0))
		goto err;
	/* TUN is L3; bpf_redirect_neigh wants an Ethernet header to replace. */
	if (!l3 && bpf_skb_change_head(skb, ETH_HLEN_, 0))
		goto err;
	eth = bpf_htons(v6 ? ETH_P_IPV6 : ETH_P_IP);
	if (bpf_skb_store_bytes(skb, 12, &eth, 2, 0))
		goto err;
	cap_tx(skb, key, ETH_HLEN_ + olen);
	segs = gso_segs(skb, len, in.hdrs);
	st->tx_packets += segs;
	st->tx_bytes += len + (segs - 1) * in.hdrs;
	return bpf_redirect_neigh(t->oif, NULL, 0, 0);
err:
	st->tx_drop_error++;
	return TC_ACT_SHOT;
}

/* ---- receive ------------------------------------------------------------ */

/* What the outer headers said, for the tunnel lookup. */
struct outer {
	struct foud_bpf_rxkey k;
	__u32 off;		/* start of the encapsulated payload */
	__u32 len;		/* skb bytes from the outer IP header */
	__u8 tos;
	__u8 sport_hi, sport_lo;
	__u8 v6;
};

/* ip_rcv(): version, no options or fragments, lengths, header checksum. */
static __always_inline int outer_ip(struct __sk_buff *skb, struct outer *o)
{
	__u8 h[40];

	o->len = skb->len - ETH_HLEN_;
	if (skb->len < ETH_HLEN_ + 20 || skb->pkt_type != PACKET_HOST_)
		return -1;
	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		if (bpf_skb_load_bytes(skb, ETH_HLEN_, h, 20))
			return -1;
		if (h[0] != 0x45 || get16(h + 2) != o->len)
			return -1;
		if (get16(h + 6) & (FOU_IP_MF | FOU_IP_OFFMASK))
			return -1;
		if (csum_fold(bpf_csum_diff(0, 0, (__be32 *)h, 20, 0)))
			return -1;
		o->tos = h[1];
		o->k.proto = h[9];
		addr_copy(o->k.remote, h + 12, 4);
		addr_copy(o->k.local, h + 16, 4);
		o->off = ETH_HLEN_ + 20;
		return 0;
	}
	if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		if (bpf_skb_load_bytes(skb, ETH_HLEN_, h, 40))
			return -1;
		if ((h[0] >> 4) != 6 || (__u32)get16(h + 4) + 40 != o->len)
			return -1;
		o->v6 = 1;
		o->k.v6 = 1;
		o->tos = (__u8)(h[0] << 4 | h[1] >> 4);
		o->k.proto = h[6];
		addr_copy(o->k.remote, h + 8, 16);
		addr_copy(o->k.local, h + 24, 16);
		o->off = ETH_HLEN_ + 40;
		return 0;
	}
	return -1;
}

/* The UDP pseudo-header's sum (RFC 768; RFC 8200 8.1), built in b. */
static __always_inline __s64 udp_pseudo(const struct outer *o, __u32 ulen, __u8 *b)
{
	if (!o->v6) {
		addr_copy(b, o->k.remote, 4);
		addr_copy(b + 4, o->k.local, 4);
		*(__u32 *)(b + 8) = bpf_htonl(FOU_PROTO_UDP << 16 | ulen);
		return bpf_csum_diff(0, 0, (__be32 *)b, 12, 0);
	}
	addr_copy(b, o->k.remote, 16);
	addr_copy(b + 16, o->k.local, 16);
	*(__u32 *)(b + 32) = bpf_htonl(ulen);
	*(__u32 *)(b + 36) = bpf_htonl(FOU_PROTO_UDP);
	return bpf_csum_diff(0, 0, (__be32 *)b, 40, 0);
}

/* Adds n bytes of the datagram from offset from: a whole chunk, or the rest padded with zeros. */
static __always_inline __s64 udp_sum_chunk(struct __sk_buff *skb, __u8 *b, __u32 from, __u32 n,
					   __s64 sum)
{
	if (n >= FOUD_CSUM_CHUNK)
		return bpf_skb_load_bytes(skb, from, b, FOUD_CSUM_CHUNK) ? -1 :
		       bpf_csum_diff(0, 0, (__be32 *)b, FOUD_CSUM_CHUNK, sum);
	n = ((n - 1) & (FOUD_CSUM_CHUNK - 1)) + 1;	/* 1..CHUNK, for the verifier */
	if (bpf_skb_load_bytes(skb, from, b, n))
		return -1;
	*(__u32 *)(b + n) = 0;
	return bpf_csum_diff(0, 0, (__be32 *)b, (n + 3) & ~3u, sum);
}

/*
 * A UDP checksum nothing verified (CHECKSUM_NONE, or PARTIAL: the TC hook
 * cannot tell them apart) summed here, as udp_rcv() would, over datagrams
 * up to FOUD_CSUM_MAX. A field equal to the pseudo-header's sum is what a
 * local sender leaves pending (PARTIAL, its csum_start on the outer header,
 * which decapsulation would leave pointing at moved bytes): foud's socket
 * takes it, as it takes a wrong sum, which the kernel then drops and counts.
 * (A PARTIAL one pending an inner sum does not sum right as it is.)
 */
static __always_inline int udp_sum_ok(struct __sk_buff *skb, const struct outer *o, const __u8 *u)
{
	__u32 z = 0, ulen = get16(u + 4), off;
	struct foud_csum_buf *s = bpf_map_lookup_elem(&foud_csum_buf, &z);
	__s64 sum;

	if (!s || ulen > FOUD_CSUM_MAX)
		return 0;
	sum = udp_pseudo(o, ulen, s->b);
	if (sum < 0 || *(const __u16 *)(u + 6) == (__u16)~csum_fold(sum))
		return 0;
	for (int i = 0; i < FOUD_CSUM_MAX / FOUD_CSUM_CHUNK; i++) {
		off = (__u32)i * FOUD_CSUM_CHUNK;
		if (off >= ulen)
			break;
		sum = udp_sum_chunk(skb, s->b, o->off + off, ulen - off, sum);
		if (sum < 0)
			return 0;
	}
	return !csum_fold(sum);
}

/* A checksum the device verified, or one summed here; a zero one is the caller's to judge. */
static __always_inline int udp_csum_trusted(struct __sk_buff *skb, const struct outer *o,
					    const __u8 *u)
{
	return bpf_csum_level(skb, BPF_CSUM_LEVEL_QUERY) >= 0 || udp_sum_ok(skb, o, u);
}

/*
 * udp_rcv() and the fou/gue socket: a configured port (its local address
 * and peer), the UDP length, a checksum the device has verified or none,
 * then the FOU or GUE header. Sets k.proto to what follows.
 */
static __always_inline int outer_udp(struct __sk_buff *skb, struct outer *o,
				     struct foud_bpf_portkey *pk)
{
	struct foud_bpf_port *p;
	__u8 u[8], g[4];
	int n = o->v6 ? 16 : 4;

	if (bpf_skb_load_bytes(skb, o->off, u, 8))
		return -1;
	pk->port = get16(u + 2);
	pk->v6 = o->v6;
	p = bpf_map_lookup_elem(&foud_port, pk);
	if (!p || get16(u + 4) != skb->len - o->off || get16(u + 4) < 8)
		return -1;
	if (p->has_local && !addr_eq(o->k.local, p->local, n))
		return -1;
	if (p->has_peer && (!addr_eq(o->k.remote, p->peer, n) || get16(u) != p->peer_port))
		return -1;
	if (get16(u + 6) && !udp_csum_trusted(skb, o, u))
		return -1;	/* foud's socket verifies it */
	o->off += 8;
	if (!p->gue) {
		o->k.proto = p->ipproto;
		return 0;
	}
	if (bpf_skb_load_bytes(skb, o->off, g, 4))
		return -1;
	if ((g[0] >> 6) == 1) {
		/* Variant 1: direct IP, nothing to strip. */
		o->k.proto = (g[0] >> 4) == 4 ? FOU_PROTO_IPIP : (g[0] >> 4) == 6 ? FOU_PROTO_IPV6 : 0;
		return o->k.proto ? 0 : -1;
	}
	/* Variant 0 without flags, options or control: anything else is foud's. */
	if (g[0] != 0 || g[1] == 0 || g[2] || g[3])
		return -1;
	o->k.proto = g[1];
	o->off += 4;
	return 0;
}

/* GRE without checksum, sequence or routing; sets the key and the inner version. */
static __always_inline int outer_gre(struct __sk_buff *skb, struct outer *o, __u32 *flag)
{
	__u8 g[8];
	__u16 fl, proto;

	if (bpf_skb_load_bytes(skb, o->off, g, 4))
		return -1;
	fl = get16(g);
	proto = get16(g + 2);
	if (fl & ~FOU_GRE_KEY)
		return -1;
	if (fl & FOU_GRE_KEY) {
		if (bpf_skb_load_bytes(skb, o->off, g, 8))
			return -1;
		o->k.has_key = 1;
		o->k.key = (__u32)g[4] << 24 | (__u32)g[5] << 16 | (__u32)g[6] << 8 | g[7];
		o->off += 4;
	}
	o->off += 4;
	if (proto == FOU_ETH_P_IP)
		*flag = FOUD_BPF_INNER_V4;
	else if (proto == FOU_ETH_P_IPV6)
		*flag = FOUD_BPF_INNER_V6;
	else
		return -1;
	return 0;
}

/*
 * The inner packet as fou_tnl_decap() checks it: version, header, length
 * exactly to the end, IPv4 header checksum; then never nest: not for one of
 * foud's receive points (a UDP or TCP port, a raw protocol). What needs a
 * walk (IPv4 options or fragments, IPv6 extension headers) goes to foud,
 * whose userspace path judges it whole and counts it nested if it is.
 * Returns the IP + TCP header bytes, or -1.
 */
static __always_inline int inner_check(struct __sk_buff *skb, __u32 off, __u32 flag)
{
	struct foud_bpf_ourskey k = {};
	__u32 len = skb->len - off, ihl, pi;
	__u8 h[40], doff = 0, *has;

	if (flag == FOUD_BPF_INNER_V4) {
		if (bpf_skb_load_bytes(skb, off, h, 20))
			return -1;
		if (h[0] != 0x45 || get16(h + 2) != len)
			return -1;
		if (csum_fold(bpf_csum_diff(0, 0, (__be32 *)h, 20, 0)))
			return -1;
		if (get16(h + 6) & (FOU_IP_MF | FOU_IP_OFFMASK))
			return -1;
		ihl = 20;
		k.proto = h[9];
	} else {
		if (bpf_skb_load_bytes(skb, off, h, 40))
			return -1;
		if ((h[0] >> 4) != 6 || (__u32)get16(h + 4) + 40 != len)
			return -1;
		ihl = 40;
		k.proto = h[6];
		if (k.proto != FOU_PROTO_TCP && k.proto != FOU_PROTO_UDP &&
		    k.proto != FOU_PROTO_ICMPV6)
			return -1;
	}
	pi = k.proto;
	has = bpf_map_lookup_elem(&foud_ours_proto, &pi);
	if (has && *has) {
		if (*has == FOUD_BPF_OURS_ALL)
			return -1;
		if (k.proto == FOU_PROTO_TCP || k.proto == FOU_PROTO_UDP) {
			if (bpf_skb_load_bytes(skb, off + ihl, h, 4))
				return -1;
			k.port = get16(h + 2);
		}
		if (bpf_map_lookup_elem(&foud_ours, &k))
			return -1;
	}
	if (k.proto == FOU_PROTO_TCP && !bpf_skb_load_bytes(skb, off + ihl + 12, &doff, 1))
		ihl += (doff >> 4) * 4;
	return (int)ihl;
}

/* A port's counters: datagrams (segments of a GRO packet) and UDP payload bytes. */
static __always_inline void port_count(struct foud_bpf_pstats *ps, __u32 segs, __u32 payload,
				       __u32 seg_hdrs)
{
	if (!ps)
		return;
	ps->rx_packets += segs;
	ps->rx_bytes += payload + (segs - 1) * seg_hdrs;
}

#include "foud_l2.bpf.h"

SEC("tc")
int foud_ingress(struct __sk_buff *skb)
{
	struct foud_bpf_portkey pk = {};
	struct foud_bpf_pstats *ps = NULL;
	struct foud_bpf_stats *st;
	struct foud_bpf_rxval *rv;
	struct cap_rec c;
	struct outer o = {};
	__u8 how;
	__u32 flag = 0, inner_len, payload, segs, udp_off = 0;
	__u64 f = BPF_F_ADJ_ROOM_FIXED_GSO;
	int hdrs, ret;

	if (outer_ip(skb, &o))
		return PASS;
	if (o.k.proto == FOU_PROTO_UDP) {
		ret = l2_ingress(skb, &o);
		if (ret != L2_NOT_OURS)
			return ret;
		udp_off = o.off + 8;
		if (outer_udp(skb, &o, &pk))
			return PASS;
		/* GRE-TAP over FOU or GUE. */
		ret = o.k.proto == FOU_PROTO_GRE ? l2_gre_ingress(skb, &o, &pk, udp_off) : L2_NOT_OURS;
		if (ret != L2_NOT_OURS)
			return ret;
	} else if (o.k.proto == FOU_PROTO_GRE) {
		ret = l2_gre_ingress(skb, &o, NULL, 0);
		if (ret != L2_NOT_OURS)
			return ret;
	} else if (o.k.proto != FOU_PROTO_IPIP && o.k.proto != FOU_PROTO_IPV6) {
		return PASS;
	}
	if (o.k.proto == FOU_PROTO_GRE) {
		if (outer_gre(skb, &o, &flag))
			return PASS;
	} else if (o.k.proto == FOU_PROTO_IPIP) {
		flag = FOUD_BPF_INNER_V4;
	} else if (o.k.proto == FOU_PROTO_IPV6) {
		flag = FOUD_BPF_INNER_V6;
	} else {
		return PASS;
	}
	/* A UDP arrival needs a fou/gue tunnel, a raw one an encap-none tunnel. */
	o.k.udp = udp_off ? 1 : 0;
	rv = bpf_map_lookup_elem(&foud_rx, &o.k);
	if (!rv || !(rv->inner & flag))
		return PASS;
	/* Congestion marks go to foud, which applies RFC 6040 and counts drops. */
	if ((o.tos & FOU_ECN_MASK) == FOU_ECN_CE)
		return PASS;
	hdrs = inner_check(skb, o.off, flag);
	if (hdrs < 0)
		return PASS;
	st = bpf_map_lookup_elem(&foud_stats, &rv->ifindex);
	if (!st)
		return PASS;
	if (udp_off)
		ps = bpf_map_lookup_elem(&foud_pstats, &pk);
	inner_len = skb->len - o.off;
	payload = skb->len - udp_off;
	segs = gso_segs(skb, inner_len, (__u32)hdrs);
	/* Into a device that is down the redirect would drop it uncounted: count it here. */
	if (rv->flags & FOUD_BPF_RX_DOWN) {
		port_count(ps, segs, payload, (__u32)hdrs + o.off - udp_off);
		st->rx_drop_link_down += segs;
		return TC_ACT_SHOT;
	}
	if ((flag == FOUD_BPF_INNER_V6) != o.v6)
		f |= flag == FOUD_BPF_INNER_V6 ? ADJ_DECAP_L3_IPV6 : ADJ_DECAP_L3_IPV4;
	how = cap_how(rv->ifindex);
	c = cap_rx_outer(skb, how, rv->ifindex);
	/* Refused: foud takes it, and captures it if it is to. */
	if (bpf_skb_adjust_room(skb, -(__s32)(o.off - ETH_HLEN_), BPF_ADJ_ROOM_MAC, f)) {
		cap_end(c, 0);
		return PASS;
	}
	cap_end(c, 1);
	st->rx_packets += segs;
	st->rx_bytes += inner_len + (segs - 1) * (__u32)hdrs;
	port_count(ps, segs, payload, (__u32)hdrs + o.off - udp_off);
	cap_rx_inner(skb, how, ETH_HLEN_, rv->ifindex);
	return bpf_redirect(rv->ifindex, BPF_F_INGRESS);
}
