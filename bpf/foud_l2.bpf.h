/* SPDX-License-Identifier: (MIT OR GPL-2.0) */
/*
 * The L2 overlays on the kernel data path, included by foud.bpf.c (its
 * helpers and maps above): VXLAN, Geneve without options, GRE-TAP and
 * NVGRE. Transmit on the TAP's egress: an IPv4 or IPv6 frame to a unicast
 * MAC with an entry in foud_fdb goes out in outer IP + UDP + VXLAN or
 * Geneve, or IP + GRE (GRE-TAP also IP + UDP + FOU or GUE + GRE), as
 * lib/vxlan.c, lib/geneve.c, lib/nvgre.c and overlay.c build it; a udpcsum device's datagram gets its checksum here (single
 * frames). Receive on the underlay's ingress: a datagram for a device's
 * port, VNI and address, with VXLAN flags exactly I (Geneve: version 0, no
 * options, no O or C bit, Ethernet), or GRE 0x6558 with flags K only or
 * none for a device's key or VSID (raw, or after outer_udp's FOU or GUE
 * port), from one of its peers, whose inner
 * source is in foud_fdb behind that sender (or the device does not learn),
 * is stripped and goes up the TAP, a GSO super-frame whole.
 *
 * Everything else passes to foud's userspace path, which floods (broadcast,
 * multicast, unknown unicast, ARP), learns (and mirrors the entry into
 * foud_fdb, so the next frame stays here), refuses past maxaddress, and
 * drops and counts under its reasons.
 */
#ifndef FOUD_L2_BPF_H
#define FOUD_L2_BPF_H

#define ETH_P_ARP_		0x0806
#define VXLAN_HLEN_		8
#define VXLAN_FLAG_I_		0x08	/* first byte: VNI valid (RFC 7348) */
#define L2_NOT_OURS		(-1)
#define SEEN_EVERY_NS		1000000000ULL	/* refresh seen_ns at most once a second */

FOUD_MAP(foud_l2rx, HASH, FOUD_BPF_TUNNELS, struct foud_bpf_l2rxkey, struct foud_bpf_l2rxval);

FOUD_MAP_NP(foud_fdb, HASH, FOUD_BPF_FDB, struct foud_bpf_fdbkey, struct foud_bpf_fdb);

FOUD_MAP_NP(foud_l2peer, HASH, FOUD_BPF_L2_PEERS, struct foud_bpf_l2peer, __u8);

FOUD_MAP(foud_flood, HASH, FOUD_BPF_TUNNELS, __u32, struct foud_bpf_flood);

/* ---- transmit ----------------------------------------------------------- */

static __always_inline struct foud_bpf_fdb *fdb_get(__u32 ifindex, const __u8 *mac)
{
	struct foud_bpf_fdbkey k = { .ifindex = ifindex };

	__builtin_memcpy(k.mac, mac, 6);
	return bpf_map_lookup_elem(&foud_fdb, &k);
}

/* The sum of an inner segment whose checksum is right: ICMP's is 0, others' the pseudo-header's complement. */
static __always_inline __u32 l2_l4_sum(const __u8 *h, __u8 proto, __u32 l4len, int v6)
{
	__u8 ps[40] = {};

	if (proto == FOU_PROTO_ICMP && !v6)
		return 0;
	if (v6) {
		__builtin_memcpy(ps, h + 8, 32);
		put32(ps + 32, l4len);
		ps[39] = proto;
		return csum_fold(bpf_csum_diff(0, 0, (__be32 *)ps, 40, 0));
	}
	__builtin_memcpy(ps, h + 12, 8);
	ps[9] = proto;
	put16(ps + 10, (__u16)l4len);
	return csum_fold(bpf_csum_diff(0, 0, (__be32 *)ps, 12, 0));
}

/*
 * The outer UDP checksum without reading the payload (the kernel's
 * lco_csum()): a TCP, UDP, ICMP or ICMPv6 segment whose checksum is right,
 * or partial and filled in when the skb leaves, sums to a value its IP
 * header gives (l2_l4_sum). Returns the 32-bit sum of the inner IP packet
 * at off, or -1 where its payload's sum is unknown: no or a zero L4
 * checksum, IPv4 options or fragments, IPv6 extension headers, padding.
 */
static __always_inline __s64 l2_inner_sum(struct __sk_buff *skb, __u32 off)
{
	__u8 h[40], proto;
	__u16 ucs = 1;
	__u32 l4len;
	int v6;

	if (bpf_skb_load_bytes(skb, off, h, 20))
		return -1;
	v6 = h[0] >> 4 == 6;
	if (v6 && bpf_skb_load_bytes(skb, off, h, 40))
		return -1;
	if (!v6 && (h[0] != 0x45 || (get16(h + 6) & (FOU_IP_MF | FOU_IP_OFFMASK))))
		return -1;
	proto = v6 ? h[6] : h[9];
	l4len = v6 ? get16(h + 4) : (__u32)get16(h + 2) - 20;
	/* Bytes past the IP packet (padding) would be summed too. */
	if (l4len + (v6 ? 40 : 20) != skb->len - off)
		return -1;
	if (proto == FOU_PROTO_UDP && bpf_skb_load_bytes(skb, off + (v6 ? 40 : 20) + 6, &ucs, 2))
		return -1;
	if (!ucs || (proto != FOU_PROTO_TCP && proto != FOU_PROTO_UDP &&
		     proto != (v6 ? FOU_PROTO_ICMPV6 : FOU_PROTO_ICMP)))
		return -1;
	return bpf_csum_diff(0, 0, (__be32 *)h, v6 ? 40 : 20, l2_l4_sum(h, proto, l4len, v6));
}

/* The outer UDP checksum of h (the UDP header, its checksum 0, and 24 bytes after it). */
static __always_inline __u16 l2_udp_csum(const struct foud_bpf_tnl *t, const __u8 *remote,
					 const __u8 *h, __u32 isum)
{
	__u8 ps[40] = {};
	__s64 s;
	__u16 c;

	if (t->flags & FOUD_BPF_F_V6) {
		__builtin_memcpy(ps, t->local, 16);
		__builtin_memcpy(ps + 16, remote, 16);
		put32(ps + 32, get16(h + 4));
		ps[39] = FOU_PROTO_UDP;
		s = bpf_csum_diff(0, 0, (__be32 *)ps, 40, isum);
	} else {
		__builtin_memcpy(ps, t->local, 4);
		__builtin_memcpy(ps + 4, remote, 4);
		ps[9] = FOU_PROTO_UDP;
		__builtin_memcpy(ps + 10, h + 4, 2);
		s = bpf_csum_diff(0, 0, (__be32 *)ps, 12, isum);
	}
	c = csum_fold(bpf_csum_diff(0, 0, (__be32 *)h, 32, (__u32)s));
	return c ? c : 0xffff;	/* RFC 768: a computed 0 is sent as all ones */
}

/* Outer UDP, VXLAN or Geneve, and the inner Ethernet header, after the outer IP header. */
static __always_inline int l2_put_udp(struct __sk_buff *skb, __u32 off, const struct foud_bpf_tnl *t,
				      __u32 hash, __u32 flen, const __u8 *eth, const __u8 *remote,
				      __s64 isum)
{
	__u8 h[32] = {};
	__u16 c;

	put16(h, t->sport ? t->sport : flow_sport(hash, t->port_min, t->port_max));
	put16(h + 2, t->dport);
	put16(h + 4, (__u16)(8 + VXLAN_HLEN_ + flen));
	if (t->encap == FOUD_BPF_L2_GENEVE)
		put16(h + 10, FOU_ETH_P_TEB);	/* version 0, no options, O and C clear */
	else
		h[8] = VXLAN_FLAG_I_;
	put32(h + 12, t->okey << 8);
	__builtin_memcpy(h + 16, eth, ETH_HLEN_);
	/* Else 0: noudpcsum. */
	if (isum >= 0) {
		c = l2_udp_csum(t, remote, h, (__u32)isum);
		__builtin_memcpy(h + 6, &c, 2);
	}
	return bpf_skb_store_bytes(skb, off, h, 30, 0);
}

/* What one frame's outer headers need, whichever the destination. */
struct l2_tx {
	__u32 len, iplen, olen, hash;
	__s64 isum;
	__u8 eth[ETH_HLEN_];
	struct inner in;
};

/* GRE-TAP's FOU or GUE header bytes (UDP, and GUE's 4), 0 when it goes over IP. */
static __always_inline __u32 l2_fou_hlen(const struct foud_bpf_tnl *t)
{
	return t->l2flags & FOUD_BPF_L2_TX_GUE ? 12 : t->l2flags & FOUD_BPF_L2_TX_FOU ? 8 : 0;
}

/*
 * GRE-TAP over FOU or GUE: UDP to the device's encap-dport without a
 * checksum (encap-csum stays on userspace), GUE variant 0 carrying
 * protocol 47, as ip_tunnel's fou_build_header and gue_build_header.
 */
static __always_inline int l2_put_fou(struct __sk_buff *skb, __u32 off, const struct foud_bpf_tnl *t,
				      const struct l2_tx *x, __u32 ul)
{
	__u8 h[12] = {};

	put16(h, t->sport ? t->sport : flow_sport(x->hash, t->port_min, t->port_max));
	put16(h + 2, t->dport);
	put16(h + 4, (__u16)(x->olen - x->iplen - ETH_HLEN_ + x->len));
	h[9] = FOU_PROTO_GRE;	/* GUE: version 0, Hlen 0, no flags */
	return bpf_skb_store_bytes(skb, off, h, ul == 12 ? 12 : 8, 0);
}

/* GRE-TAP or NVGRE (flags K only, or none) and the inner Ethernet header, after the outer IP header. */
static __always_inline int l2_put_gre(struct __sk_buff *skb, __u32 off, const struct foud_bpf_tnl *t,
				      __u32 hash, const __u8 *eth)
{
	__u32 key = t->okey;
	__u8 h[22] = {};

	put16(h + 2, FOU_ETH_P_TEB);
	if (!(t->encap & FOUD_BPF_L2_NVGRE) && !(t->l2flags & FOUD_BPF_L2_TX_KEY)) {
		__builtin_memcpy(h + 4, eth, ETH_HLEN_);
		return bpf_skb_store_bytes(skb, off, h, 18, 0);
	}
	/* NVGRE's FlowID: entropy from the inner flow, as foud's userspace path sends. */
	if (t->l2flags & FOUD_BPF_L2_TX_FLOWID)
		key |= hash & 0xff;
	put16(h, FOU_GRE_KEY);
	put32(h + 4, key);
	__builtin_memcpy(h + 8, eth, ETH_HLEN_);
	return bpf_skb_store_bytes(skb, off, h, 22, 0);
}

/* The bytes between the outer IP header and the inner Ethernet header. */
static __always_inline __u32 l2_hlen(const struct foud_bpf_tnl *t)
{
	if (t->encap & FOUD_BPF_L2_NVGRE)
		return 8;
	if (t->encap & FOUD_BPF_L2_GRETAP)
		return l2_fou_hlen(t) + (t->l2flags & FOUD_BPF_L2_TX_KEY ? 8 : 4);
	return 8 + VXLAN_HLEN_;
}

/* The outer IP header and what follows it, for remote (a flood writes one per destination). */
static __always_inline int l2_put(struct __sk_buff *skb, struct foud_bpf_tnl *t,
				  struct foud_bpf_stats *st, struct l2_tx *x, const __u8 *remote, __u8 ttl)
{
	int gre = !!(t->encap & (FOUD_BPF_L2_GRETAP | FOUD_BPF_L2_NVGRE));
	__u16 et = bpf_htons(t->flags & FOUD_BPF_F_V6 ? ETH_P_IPV6 : ETH_P_IP);
	__u32 ul = gre ? l2_fou_hlen(t) : 0, off = ETH_HLEN_ + x->iplen;

	if (put_ip(skb, ETH_HLEN_, t, remote, st, &x->in, x->len - ETH_HLEN_ + x->olen,
		   gre && !ul ? FOU_PROTO_GRE : FOU_PROTO_UDP, x->hash, ttl ? ttl : x->in.ttl))
		return -1;
	if (ul && l2_put_fou(skb, off, t, x, ul))
		return -1;
	if (gre ? l2_put_gre(skb, off + ul, t, x->hash, x->eth) :
		  l2_put_udp(skb, off, t, x->hash, x->len, x->eth, remote, x->isum))
		return -1;
	return bpf_skb_store_bytes(skb, 12, &et, 2, 0);
}

/*
 * Room for the outer headers, and what they need; 1 where the frame is
 * foud's (unchanged): too big, or udpcsum on a super-frame or a payload
 * whose sum is unknown.
 */
static __always_inline int l2_room(struct __sk_buff *skb, struct foud_bpf_tnl *t, struct l2_tx *x)
{
	/* GRE over FOU or GUE segments as UDP: GUE and GRE are tunnel header, copied whole. */
	int gre = (t->encap & (FOUD_BPF_L2_GRETAP | FOUD_BPF_L2_NVGRE)) && !l2_fou_hlen(t);
	int v6 = !!(t->flags & FOUD_BPF_F_V6);
	__u64 f;

	/* Too big for the path: foud counts it (mtu). */
	if (skb->gso_size ? x->in.hdrs + skb->gso_size > t->mtu_limit :
			    x->len - ETH_HLEN_ > t->mtu_limit)
		return 1;
	x->iplen = v6 ? FOU_IPV6_HLEN : FOU_IPV4_HLEN;
	x->olen = x->iplen + l2_hlen(t) + ETH_HLEN_;
	if (x->len + x->olen - (v6 ? x->iplen : 0) > 0xffff)
		return 1;
	/*
	 * udpcsum: segmentation would copy one checksum into every segment
	 * (bpf_skb_adjust_room marks no SKB_GSO_UDP_TUNNEL_CSUM), so a
	 * super-frame goes to foud, whose UDP GSO sums each; a frame whose
	 * payload sum is unknown too.
	 */
	x->isum = -1;
	if (t->l2flags & FOUD_BPF_L2_TX_CSUM) {
		x->isum = skb->gso_size ? -1 : l2_inner_sum(skb, ETH_HLEN_);
		if (x->isum < 0)
			return 1;
	}
	if ((t->flags & FOUD_BPF_F_TTL_INHERIT) && !x->in.ttl)
		x->in.ttl = 64;
	bpf_set_hash_invalid(skb);
	x->hash = bpf_get_hash_recalc(skb);
	/*
	 * The inner "L2" is the Ethernet header alone: the inner MAC header
	 * must point at it, the VXLAN (or GRE) header counting as tunnel, or
	 * segmentation parses VXLAN as Ethernet and drops every super-frame.
	 */
	f = BPF_F_ADJ_ROOM_FIXED_GSO | BPF_F_ADJ_ROOM_ENCAP_L2_ETH | ADJ_ENCAP_L2(ETH_HLEN_) |
	    (gre ? BPF_F_ADJ_ROOM_ENCAP_L4_GRE : BPF_F_ADJ_ROOM_ENCAP_L4_UDP) |
	    (v6 ? BPF_F_ADJ_ROOM_ENCAP_L3_IPV6 : BPF_F_ADJ_ROOM_ENCAP_L3_IPV4);
	return bpf_skb_adjust_room(skb, (__s32)x->olen, BPF_ADJ_ROOM_MAC, f) ? 1 : 0;
}

#define AF_INET_	2
#define AF_INET6_	10

/* The next hop's MACs towards remote through the underlay, in eth; -1 when unresolved. */
static __always_inline int l2_hop(struct __sk_buff *skb, const struct foud_bpf_tnl *t,
				  const __u8 *remote, __u8 *eth)
{
	struct bpf_fib_lookup p = { .ifindex = t->oif };

	if (t->flags & FOUD_BPF_F_V6) {
		p.family = AF_INET6_;
		__builtin_memcpy(p.ipv6_src, t->local, 16);
		__builtin_memcpy(p.ipv6_dst, remote, 16);
	} else {
		p.family = AF_INET_;
		__builtin_memcpy(&p.ipv4_src, t->local, 4);
		__builtin_memcpy(&p.ipv4_dst, remote, 4);
	}
	if (bpf_fib_lookup(skb, &p, sizeof(p), BPF_FIB_LOOKUP_OUTPUT) != BPF_FIB_LKUP_RET_SUCCESS ||
	    p.ifindex != t->oif)
		return -1;
	__builtin_memcpy(eth, p.dmac, 6);
	__builtin_memcpy(eth + 6, p.smac, 6);
	return 0;
}

static __always_inline int l2_is_mcast(const struct foud_bpf_tnl *t, const __u8 *a)
{
	return t->flags & FOUD_BPF_F_V6 ? a[0] == 0xff : (a[0] & 0xf0) == 0xe0;
}

/*
 * A flood destination's MACs: a group's multicast MAC (RFC 1112: 01:00:5e
 * and the low 23 bits; RFC 2464: 33:33 and the low 32) from the underlay's
 * own, else the next hop's by FIB lookup.
 */
static __always_inline int l2_flood_hop(struct __sk_buff *skb, const struct foud_bpf_tnl *t,
					const struct foud_bpf_flood *fl, const __u8 *remote, __u8 *hop)
{
	if (!l2_is_mcast(t, remote))
		return l2_hop(skb, t, remote, hop);
	if (t->flags & FOUD_BPF_F_V6) {
		hop[0] = hop[1] = 0x33;
		__builtin_memcpy(hop + 2, remote + 12, 4);
	} else {
		hop[0] = 0x01;
		hop[1] = 0x00;
		hop[2] = 0x5e;
		hop[3] = remote[1] & 0x7f;
		hop[4] = remote[2];
		hop[5] = remote[3];
	}
	__builtin_memcpy(hop + 6, fl->smac, 6);
	return 0;
}

/* A destination's TTL: a group's (mttl, as vxlan_xmit_one: 1 unless set), else the device's. */
static __always_inline __u8 l2_flood_ttl(const struct foud_bpf_tnl *t,
					 const struct foud_bpf_flood *fl, const __u8 *remote)
{
	return l2_is_mcast(t, remote) ? fl->mttl : t->ttl;
}

/*
 * Broadcast, multicast and unknown unicast to every flood destination (up
 * to FOUD_BPF_FLOOD_MAX, VXLAN's group among them): wrapped once, then per
 * destination the outer headers rewritten and a clone sent to the next
 * hop's MAC (found by FIB lookup: bpf_clone_redirect resolves no
 * neighbour). Super-frames, a device without a list here (too many
 * destinations, a group on another device) or a next hop not yet
 * resolved: foud's.
 */
static __always_inline int l2_flood(struct __sk_buff *skb, struct foud_bpf_tnl *t,
				    struct foud_bpf_stats *st, struct l2_tx *x)
{
	__u32 key = skb->ifindex, i, n;
	struct foud_bpf_flood *fl = bpf_map_lookup_elem(&foud_flood, &key);
	__u8 hop[12];

	if (!fl || !t->oif || skb->gso_size)
		return PASS;
	n = fl->n;
	if (!n || n > FOUD_BPF_FLOOD_MAX)
		return PASS;
	for (i = 0; i < FOUD_BPF_FLOOD_MAX && i < n; i++)
		if (l2_flood_hop(skb, t, fl, fl->remote[i], hop))
			return PASS;
	if (l2_room(skb, t, x))
		return PASS;
	for (i = 0; i < FOUD_BPF_FLOOD_MAX && i < n; i++) {
		if (l2_put(skb, t, st, x, fl->remote[i], l2_flood_ttl(t, fl, fl->remote[i])) ||
		    l2_flood_hop(skb, t, fl, fl->remote[i], hop) ||
		    bpf_skb_store_bytes(skb, 0, hop, 12, 0))
			goto err;
		st->tx_packets++;
		st->tx_bytes += x->len;
		cap_tx(skb, key, x->olen);	/* olen ends with the inner Ethernet header */
		if (i + 1 == n)
			return bpf_redirect(t->oif, 0);
		if (bpf_clone_redirect(skb, t->oif, 0))
			goto err;
	}
err:
	st->tx_drop_error++;
	return TC_ACT_SHOT;
}

static __always_inline int l2_egress(struct __sk_buff *skb, struct foud_bpf_tnl *t,
				     struct foud_bpf_stats *st)
{
	struct l2_tx x = { .len = skb->len };
	struct foud_bpf_fdb *e;
	__u32 segs;
	int ret;

	if (bpf_skb_load_bytes(skb, 0, x.eth, ETH_HLEN_))
		return PASS;
	/* ARP is foud's (it answers and floods it). */
	if (skb->protocol != bpf_htons(ETH_P_IP) && skb->protocol != bpf_htons(ETH_P_IPV6))
		return PASS;
	if (inner_read(skb, ETH_HLEN_, &x.in))
		return PASS;
	e = (x.eth[0] & 1) ? NULL : fdb_get(skb->ifindex, x.eth);
	if (!e)
		return l2_flood(skb, t, st, &x);
	if (!t->oif) {
		st->tx_drop_no_route += gso_segs(skb, x.len - ETH_HLEN_, x.in.hdrs);
		return TC_ACT_SHOT;
	}
	ret = l2_room(skb, t, &x);
	if (ret)
		return PASS;
	if (l2_put(skb, t, st, &x, e->remote, t->ttl)) {
		st->tx_drop_error++;
		return TC_ACT_SHOT;
	}
	cap_tx(skb, skb->ifindex, x.olen);	/* olen ends with the inner Ethernet header */
	segs = gso_segs(skb, x.len - ETH_HLEN_, x.in.hdrs);
	st->tx_packets += segs;
	st->tx_bytes += x.len + (segs - 1) * (ETH_HLEN_ + x.in.hdrs);
	return bpf_redirect_neigh(t->oif, NULL, 0, 0);
}

/* ---- receive ------------------------------------------------------------ */

/*
 * The inner frame may go up here: not from the TAP's own MAC, an IPv4 or
 * IPv6 packet that would not nest (inner_check) or ARP; and, on a device
 * that learns, its source already in foud_fdb behind this sender (seen_ns
 * refreshed). Returns the IP + TCP header bytes (0 for ARP), or -1.
 */
static __always_inline int l2_inner_ok(struct __sk_buff *skb, __u32 off, const struct outer *o,
				       const struct foud_bpf_l2rxval *rv)
{
	struct foud_bpf_fdb *e;
	__u8 eth[ETH_HLEN_];
	__u16 et;
	__u64 now;
	int hdrs = 0;

	if (bpf_skb_load_bytes(skb, off, eth, ETH_HLEN_))
		return -1;
	if (addr_eq(eth + 6, rv->mac, 6))
		return -1;
	et = get16(eth + 12);
	if (et == FOU_ETH_P_IP)
		hdrs = inner_check(skb, off + ETH_HLEN_, FOUD_BPF_INNER_V4);
	else if (et == FOU_ETH_P_IPV6)
		hdrs = inner_check(skb, off + ETH_HLEN_, FOUD_BPF_INNER_V6);
	else if (et != ETH_P_ARP_)
		return -1;
	if (hdrs < 0 || !(rv->flags & FOUD_BPF_L2_LEARNING))
		return hdrs;
	e = fdb_get(rv->ifindex, eth + 6);
	if (!e || !addr_eq(e->remote, o->k.remote, 16))
		return -1;
	now = bpf_ktime_get_ns();
	if (!(e->flags & FOUD_BPF_FDB_STATIC) && now - e->seen_ns > SEEN_EVERY_NS)
		e->seen_ns = now;
	return hdrs;
}

/* The device of the outer UDP and VXLAN or Geneve headers: by port, VNI and local address. */
static __always_inline struct foud_bpf_l2rxval *l2_outer(struct __sk_buff *skb, const struct outer *o)
{
	struct foud_bpf_l2rxkey k = { .v6 = o->v6 };
	__u8 h[16];

	if (bpf_skb_load_bytes(skb, o->off, h, 16))
		return NULL;
	k.port = get16(h + 2);
	k.vni = (__u32)h[12] << 16 | (__u32)h[13] << 8 | h[14];
	addr_copy(k.local, o->k.local, 16);
	return bpf_map_lookup_elem(&foud_l2rx, &k);
}

/* Length, checksum, the kind's flags: anything foud would judge otherwise is foud's. */
static __always_inline int l2_valid(struct __sk_buff *skb, const struct outer *o, __u32 flags)
{
	__u8 h[16];

	if (bpf_skb_load_bytes(skb, o->off, h, 16))
		return -1;
	/*
	 * A super-frame (veth hands the sender's GSO skb over whole) is taken
	 * as one: punted, foud's socket would read it datagram by datagram.
	 */
	if (get16(h + 4) != skb->len - o->off)
		return -1;
	/* A checksum neither the device nor udp_sum_ok verified, or none over IPv6 unless allowed: foud's. */
	if (get16(h + 6) ? !udp_csum_trusted(skb, o, h) :
			   o->v6 && !(flags & FOUD_BPF_L2_ZCSUM6RX))
		return -1;
	if (flags & FOUD_BPF_L2_GENEVE) {
		if (h[8] || h[9] || get16(h + 10) != FOU_ETH_P_TEB || h[15])
			return -1;
	} else if (h[8] != VXLAN_FLAG_I_ || h[9] || h[10] || h[11] || h[15]) {
		return -1;
	}
	return 0;
}

static __always_inline int l2_peer_ok(const struct outer *o, const struct foud_bpf_l2rxval *rv)
{
	struct foud_bpf_l2peer pk = { .ifindex = rv->ifindex };

	/* Our own datagram come back is foud's to count (loop). */
	if (addr_eq(o->k.remote, o->k.local, 16))
		return 0;
	if (rv->flags & FOUD_BPF_L2_ANYPEER)
		return 1;
	addr_copy(pk.addr, o->k.remote, 16);
	return bpf_map_lookup_elem(&foud_l2peer, &pk) != NULL;
}

/* GRE-TAP over FOU or GUE: its port's counters, as foud's socket would count the datagrams. */
static __always_inline void l2_port_count(struct foud_bpf_portkey *pk, __u32 segs, __u32 payload,
					  __u32 seg_hdrs)
{
	if (pk)
		port_count(bpf_map_lookup_elem(&foud_pstats, pk), segs, payload, seg_hdrs);
}

/*
 * The inner frame at off, of the device rv: from one of its peers, not
 * congestion-marked, an inner frame l2_inner_ok takes, stripped and sent up
 * its TAP; anything else is foud's. pk: the FOU or GUE port it came through
 * (udp_off its payload), or NULL.
 */
static __always_inline int l2_take(struct __sk_buff *skb, const struct outer *o,
				   const struct foud_bpf_l2rxval *rv, __u32 off,
				   struct foud_bpf_portkey *pk, __u32 udp_off)
{
	__u32 ifindex = rv->ifindex, flen, segs;
	__u8 eth[ETH_HLEN_], oeth[ETH_HLEN_], how;
	struct foud_bpf_stats *st;
	struct cap_rec c;
	int hdrs;

	st = bpf_map_lookup_elem(&foud_stats, &ifindex);
	if (!st || !l2_peer_ok(o, rv))
		return PASS;
	/* Congestion marks go to foud, which applies RFC 6040 and counts drops. */
	if ((o->tos & FOU_ECN_MASK) == FOU_ECN_CE)
		return PASS;
	hdrs = l2_inner_ok(skb, off, o, rv);
	if (hdrs < 0)
		return PASS;
	flen = skb->len - off;
	segs = gso_segs(skb, flen - ETH_HLEN_, (__u32)hdrs);
	if (rv->flags & FOUD_BPF_RX_DOWN) {
		st->rx_drop_link_down += segs;
		return TC_ACT_SHOT;
	}
	/* The inner Ethernet header replaces the outer; what lies between goes. */
	if (bpf_skb_load_bytes(skb, 0, oeth, ETH_HLEN_) ||
	    bpf_skb_load_bytes(skb, off, eth, ETH_HLEN_) ||
	    bpf_skb_store_bytes(skb, 0, eth, ETH_HLEN_, 0))
		return PASS;
	how = cap_how(ifindex);
	c = cap_rx_outer(skb, how, ifindex);
	/* Refused (too little left for the outer family's header: ARP over IPv6): as it came. */
	if (bpf_skb_adjust_room(skb, -(__s32)off, BPF_ADJ_ROOM_MAC, BPF_F_ADJ_ROOM_FIXED_GSO)) {
		cap_end(c, 0);
		bpf_skb_store_bytes(skb, 0, oeth, ETH_HLEN_, 0);
		return PASS;
	}
	cap_end(c, 1);
	st->rx_packets += segs;
	st->rx_bytes += flen + (segs - 1) * (ETH_HLEN_ + (__u32)hdrs);
	l2_port_count(pk, segs, flen + off - udp_off, off - udp_off + ETH_HLEN_ + (__u32)hdrs);
	cap_rx_inner(skb, how, 0, ifindex);
	return bpf_redirect(ifindex, BPF_F_INGRESS);
}

/* L2_NOT_OURS when no VXLAN or Geneve device has the datagram's port, VNI and address. */
static __always_inline int l2_ingress(struct __sk_buff *skb, struct outer *o)
{
	struct foud_bpf_l2rxval *rv = l2_outer(skb, o);

	if (!rv)
		return L2_NOT_OURS;
	if (l2_valid(skb, o, rv->flags))
		return PASS;
	return l2_take(skb, o, rv, o->off + 8 + VXLAN_HLEN_, NULL, 0);
}

static __always_inline struct foud_bpf_l2rxval *l2_gre_dev(const struct outer *o, __u8 gre, __u32 id,
							  const struct foud_bpf_portkey *pk)
{
	struct foud_bpf_l2rxkey k = { .v6 = o->v6, .gre = gre | (pk ? FOUD_BPF_L2RX_UDP : 0), .vni = id };

	addr_copy(k.local, o->k.local, 16);
	return bpf_map_lookup_elem(&foud_l2rx, &k);
}

/*
 * GRE carrying Ethernet (0x6558), as overlay.c's l2_gre_input takes it: flags K
 * only (a GRE-TAP device's key, else an NVGRE device's VSID) or none (a
 * keyless GRE-TAP device). L2_NOT_OURS for any other protocol; checksum,
 * sequence, routing or a version are foud's to judge. pk: arrived over FOU
 * or GUE on that port (outer_udp checked it; udp_off its payload), else NULL.
 */
static __always_inline int l2_gre_ingress(struct __sk_buff *skb, const struct outer *o,
					  struct foud_bpf_portkey *pk, __u32 udp_off)
{
	struct foud_bpf_l2rxval *rv;
	__u8 g[8];
	__u32 key;

	if (bpf_skb_load_bytes(skb, o->off, g, 4) || get16(g + 2) != FOU_ETH_P_TEB)
		return L2_NOT_OURS;
	if (!get16(g)) {
		rv = l2_gre_dev(o, FOUD_BPF_L2RX_GRE, 0, pk);
		return rv ? l2_take(skb, o, rv, o->off + 4, pk, udp_off) : PASS;
	}
	if (get16(g) != FOU_GRE_KEY || bpf_skb_load_bytes(skb, o->off, g, 8))
		return PASS;
	key = (__u32)g[4] << 24 | (__u32)g[5] << 16 | (__u32)g[6] << 8 | g[7];
	rv = l2_gre_dev(o, FOUD_BPF_L2RX_GRE_KEY, key, pk);
	if (!rv)
		rv = l2_gre_dev(o, FOUD_BPF_L2RX_NVGRE, key >> 8, pk);
	return rv ? l2_take(skb, o, rv, o->off + 8, pk, udp_off) : PASS;
}

#endif /* FOUD_L2_BPF_H */
