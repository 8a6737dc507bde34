/* SPDX-License-Identifier: MIT */
/*
 * L2 overlays, the class foud_overlay_ops: a TAP device per tunnel,
 * Ethernet frames in VXLAN, Geneve, GRE-TAP (plain, or over FOU/GUE) or
 * NVGRE. The forwarding table (l2dev.c) learns inner source MACs behind
 * outer source addresses; unknown unicast, broadcast and multicast go to
 * every flood destination (the all-zero MAC entries: head-end replication,
 * the `remote`, the `group`). VXLAN and
 * Geneve ports are shared by every device of the kind with the same port,
 * family and local address, and demultiplexed by VNI; GRE-TAP and NVGRE
 * arrive through the GRE receive path (raw protocol 47 or a FOU/GUE port)
 * and are told apart by their key. What differs between the kinds is a
 * small table of ops (struct l2_kind): one for every UDP overlay, whose
 * codec is its row in common/kinds.def (with its name, id word, default
 * port), and one per GRE kind.
 *
 * The TAP has TSO: a TCP super-frame is cut into segments behind its
 * Ethernet header, each encapsulated once per destination; received TCP
 * frames of a flow are coalesced into one TAP write (gro.c).
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "../bpf/foud_bpf.h"
#include "capture.h"
#include "ctl.h"
#include "fou/l2.h"
#include "foud.h"
#include "foud_l2.h"
#include "rx.h"


/* A shared VXLAN or Geneve receive socket, on d->l2ports. */
struct foud_l2port {
	struct foud_csum_port pair;	/* its family, port, local address, kind's name, users */
	const struct fk_kind *fk;	/* its kind: name, codec */
	struct foud_stats st;		/* datagrams that reach no device */
	uint64_t sock_drops;		/* the kernel's drops at pair.ev (SO_RXQ_OVFL) */
	uint64_t vsock_drops;		/* and at pair.vev */
};

#define L2PORT_OF(cp)	((struct foud_l2port *)((char *)(cp) - offsetof(struct foud_l2port, pair)))

/* ---- the kinds ---------------------------------------------------------- */

/*
 * What the daemon does for an L2 kind: for every UDP overlay the same
 * (l2_udp, the codec read from the kind's row); for each GRE kind its own
 * row of l2_gre_kinds[], indexed by its row's l2, as it needs the GRE
 * tunnel's state.
 */
struct l2_kind {
	/* Prepends the kind's header (for GRE-TAP over FOU/GUE, GUE too) to the frame in b. */
	int (*push)(struct foud *d, struct foud_tunnel *t, struct fou_buf *b);
	/* GRE kinds: whether a GRE header is this device's, then the rest of its checks. */
	bool (*gre_match)(const struct foud_tunnel *t, const struct fou_gre *g);
	int (*gre_check)(struct foud_tunnel *t, const struct fou_buf *b, const struct fou_gre *g);
	enum fou_drop wrong_id;		/* GRE kinds: no device has the VSID or key */
	/* GRE kinds: the receive key (l2_hash.c) of a device, of a header (false: none). */
	uint32_t (*dev_id)(const struct foud_tunnel *t);
	bool (*gre_id)(const struct fou_gre *g, uint32_t *id);
};

/* A UDP overlay: its codec is its descriptor row's (common/kinds.def). */
static int udp_push(struct foud *d, struct foud_tunnel *t, struct fou_buf *b)
{
	const struct cmd_l2_cfg *c = &t->l2->cfg;

	(void)d;
	return t->l2->fk->udp->push(b, c->vni, c->geneve_opts, c->geneve_opts_len);
}

/* GRE with the device's key, checksum and sequence words, then FOU or GUE. */
static int gretap_push(struct foud *d, struct foud_tunnel *t, struct fou_buf *b)
{
	const struct fou_tnl *n = &t->tnl;
	struct fou_gre g = { .flags = n->gre_oflags, .proto = FOU_ETH_P_TEB, .key = n->okey };
	int ret;

	(void)d;
	/* As __gre_xmit(): the counter advances first, so the first seq is 1. */
	if (n->gre_oflags & FOU_GRE_SEQ)
		g.seq = ++t->tx.oseq;
	ret = fou_gre_push(b, &g);
	if (!ret && n->encap != FOU_ENCAP_NONE)
		ret = fou_encap(n->encap)->push(b, FOU_PROTO_GRE, NULL);
	return ret;
}

/* As ip_tunnel_key_match(): a keyed device takes its key, a keyless one none. */
static bool gretap_match(const struct foud_tunnel *t, const struct fou_gre *g)
{
	if (g->flags & FOU_GRE_KEY)
		return (t->tnl.gre_iflags & FOU_GRE_KEY) && g->key == t->tnl.ikey;
	return !(t->tnl.gre_iflags & FOU_GRE_KEY);
}

/* Keyless devices and unkeyed headers share id 0 with key 0: gretap_match decides. */
static uint32_t gretap_dev_id(const struct foud_tunnel *t)
{
	return t->tnl.gre_iflags & FOU_GRE_KEY ? t->tnl.ikey : 0;
}

static bool gretap_gre_id(const struct fou_gre *g, uint32_t *id)
{
	*id = g->flags & FOU_GRE_KEY ? g->key : 0;
	return true;
}

static int gretap_check(struct foud_tunnel *t, const struct fou_buf *b, const struct fou_gre *g)
{
	(void)b;
	return fou_tnl_gre_policy(&t->tnl, &t->rx, g);
}

/*
 * The FlowID is the inner flow's entropy, so that ECMP spreads a VSID's
 * flows; noflowid sends 0 for peers that match the whole key (a Linux
 * gretap with key VSID << 8).
 */
static int nvgre_push(struct foud *d, struct foud_tunnel *t, struct fou_buf *b)
{
	uint8_t flowid = t->l2->cfg.noflowid ? 0 :
			 fou_nvgre_flowid(fou_buf_data(b), b->len, d->hash_seed);

	return fou_nvgre_push(b, t->l2->cfg.vni, flowid);
}

/* The VSID decides; the FlowID is entropy only. */
static bool nvgre_match(const struct foud_tunnel *t, const struct fou_gre *g)
{
	return (g->flags & FOU_GRE_KEY) && g->key >> 8 == t->l2->cfg.vni;
}

static uint32_t nvgre_dev_id(const struct foud_tunnel *t)
{
	return t->l2->cfg.vni;
}

static bool nvgre_gre_id(const struct fou_gre *g, uint32_t *id)
{
	*id = g->key >> 8;
	return g->flags & FOU_GRE_KEY;
}

static int nvgre_check(struct foud_tunnel *t, const struct fou_buf *b, const struct fou_gre *g)
{
	uint32_t vsid;
	uint8_t flowid;

	(void)t;
	return fou_nvgre_check(g, fou_buf_data(b), b->len, &vsid, &flowid);
}

static const struct l2_kind l2_udp = { .push = udp_push };

static const struct l2_kind l2_gre_kinds[FK_L2__MAX] = {
	[FK_L2_GRETAP] = { gretap_push, gretap_match, gretap_check, FOU_DROP_GRE_KEY,
			   gretap_dev_id, gretap_gre_id },
	[FK_L2_NVGRE] = { nvgre_push, nvgre_match, nvgre_check, FOU_DROP_WRONG_VSID,
			  nvgre_dev_id, nvgre_gre_id },
};

/* ---- receive ------------------------------------------------------------ */

static int l2_deliver(struct foud *d, struct foud_tunnel *t, struct fou_buf *b,
		      const struct fou_addr *src)
{
	int ret = foud_l2_rx_learn(d, t, fou_buf_data(b), b->len, src);

	if (!ret)
		foud_gro_input(d, t, b, FOU_ETH_HLEN, true);	/* writes or holds it, and counts */
	return ret;
}

/*
 * A decapsulated frame for t from the outer source src with outer TOS tos;
 * drops are counted on t.
 */
static void l2_input(struct foud *d, struct foud_tunnel *t, struct fou_buf *b,
		     const struct fou_addr *src, uint8_t tos)
{
	int ret = 0;

	foud_cap_rx(t->ev.fd);
	if (fou_addr_eq(src, &t->l2->cfg.local))
		ret = -FOU_DROP_LOOP;		/* our own group traffic, looped back */
	else if (!foud_l2_peer_ok(t, src))
		ret = -FOU_DROP_UNKNOWN_PEER;
	if (!ret)
		ret = fou_l2_ecn_decap(fou_buf_data(b), b->len, tos);
	if (!ret)
		ret = l2_deliver(d, t, b, src);
	if (ret) {
		t->st.rx_drop[-ret]++;
		foud_log_drop(t->name, -ret, src);
	}
}

static int l2_rx_one(struct foud *d, void *ctx, struct fou_buf *b, struct foud_rxmeta *m)
{
	const struct foud_l2port *p = ctx;
	struct foud_tunnel *t;
	uint32_t vni;
	int ret;

	if (m->truncated)
		return -FOU_DROP_TOO_SHORT;
	ret = p->fk->udp->pull(b, &vni);
	if (ret)
		return ret;
	t = foud_l2_id_find(d, p, vni);
	if (!t)
		return -(int)p->fk->udp->wrong_id;
	d->rx_verified = m->verified;
	l2_input(d, t, b, &m->src, m->tos);
	d->rx_verified = false;
	return 0;
}

/* Sent to the device's local address, or to its group (as ip_tunnel_lookup()). */
static bool l2_gre_dst_ok(const struct foud_l2 *l, const struct fou_addr *dst)
{
	return fou_addr_eq(&l->cfg.local, dst) ||
	       (l->cfg.group.family && fou_addr_eq(&l->cfg.group, dst));
}

/* Whether t, a GRE device of its key, takes a header from rx's addresses. */
static bool l2_gre_takes(const struct foud_tunnel *t, const struct fou_rx *rx)
{
	return t->l2->cfg.local.family == rx->src.family && l2_gre_dst_ok(t->l2, &rx->dst) &&
	       t->l2->k->gre_match(t, &rx->gre);
}

/*
 * The device of kind k for a received header, by its key (l2_hash.c):
 * among several (keyless GRE-TAP devices), the one whose peer sent it,
 * else the first. *first keeps the first of every kind tried.
 */
static struct foud_tunnel *l2_find_gre_kind(struct foud *d, const struct l2_kind *k,
					    const struct fou_rx *rx, struct foud_tunnel **first)
{
	struct foud_tunnel *t = NULL;
	uint32_t id;

	if (!k->gre_id || !k->gre_id(&rx->gre, &id))
		return NULL;
	while ((t = foud_l2_key_next(d, k, id, t))) {
		if (!l2_gre_takes(t, rx))
			continue;
		if (foud_l2_peer_ok(t, &rx->src))
			return t;
		if (!*first)
			*first = t;
	}
	return NULL;
}

/* No device for the header: the kind's wrong id when a device's remote sent it, else unknown_peer. */
static int l2_gre_why(struct foud *d, const struct fou_rx *rx)
{
	struct foud_tunnel *t = NULL;

	while ((t = foud_l2_remote_next(d, &rx->src, t)))
		if (t->l2->cfg.local.family == rx->src.family && l2_gre_dst_ok(t->l2, &rx->dst))
			return (int)t->l2->k->wrong_id;
	return FOU_DROP_UNKNOWN_PEER;
}

/*
 * The GRE device for a received header: its family and local address, its
 * key (or VSID), each kind's by a hash; NULL with *why when none.
 */
static struct foud_tunnel *l2_find_gre(struct foud *d, const struct fou_rx *rx, int *why)
{
	struct foud_tunnel *t = NULL, *first = NULL;
	size_t i;

	for (i = 0; i < FK_L2__MAX && !t; i++)
		t = l2_find_gre_kind(d, &l2_gre_kinds[i], rx, &first);
	if (!t)
		t = first;
	if (!t)
		*why = l2_gre_why(d, rx);
	return t;
}

/* A GRE packet carrying Ethernet (0x6558), its GRE header pulled: to its GRE-TAP or NVGRE device. */
static void l2_gre_input(struct foud *d, struct fou_buf *b, const struct fou_rx *rx,
			 struct foud_stats *src_stats)
{
	struct foud_tunnel *t;
	int ret;

	t = l2_find_gre(d, rx, &ret);
	if (!t) {
		src_stats->rx_drop[ret]++;
		foud_log_drop("rx", ret, &rx->src);
		return;
	}
	/* Peers first: a stranger must not move GRE sequence state. */
	if (!foud_l2_peer_ok(t, &rx->src))
		ret = -FOU_DROP_UNKNOWN_PEER;
	else
		ret = t->l2->k->gre_check(t, b, &rx->gre);
	if (ret) {
		t->st.rx_drop[-ret]++;
		foud_log_drop(t->name, -ret, &rx->src);
		return;
	}
	l2_input(d, t, b, &rx->src, rx->tos);
}

static bool l2_input_shared(struct foud *d, struct fou_buf *b, struct fou_rx *rx,
			    struct foud_stats *src_stats)
{
	if (rx->proto != FOU_PROTO_GRE || rx->gre.proto != FOU_ETH_P_TEB)
		return false;
	l2_gre_input(d, b, rx, src_stats);
	return true;
}

static void l2port_readable(struct foud *d, struct foud_ev *ev)
{
	struct foud_l2port *p = (struct foud_l2port *)((char *)ev - offsetof(struct foud_l2port, pair.ev));
	const struct foud_rxpt rp = {
		.name = p->fk->name, .count = &p->st, .drops = &p->st,
		.sock_drops = &p->sock_drops, .one = l2_rx_one, .ctx = p,
	};

	foud_rx_drain(d, ev->fd, &rp);
}

/* The verified socket of the pair (csum.c): every datagram's outer checksum vouches. */
static void l2port_readable_verified(struct foud *d, struct foud_ev *ev)
{
	struct foud_l2port *p = (struct foud_l2port *)((char *)ev - offsetof(struct foud_l2port, pair.vev));
	const struct foud_rxpt rp = {
		.name = p->fk->name, .count = &p->st, .drops = &p->st,
		.sock_drops = &p->vsock_drops, .one = l2_rx_one, .ctx = p, .verified = true,
	};

	foud_rx_drain(d, ev->fd, &rp);
}

/* ---- transmit ----------------------------------------------------------- */

static void l2_flush(struct foud *d, struct foud_tunnel *t, struct foud_txq *q)
{
	foud_cap_txq(t->ev.fd, q);
	foud_txq_send(q, foud_raw_tx(d, t->l2->cfg.local.family), &t->st);
}

/* A multicast destination leaves by the group's device. */
static socklen_t l2_pktinfo(uint8_t *ctl, const struct foud_l2 *l, bool v6)
{
	struct cmsghdr *c = (struct cmsghdr *)ctl;

	if (!v6) {
		struct in_pktinfo pi = { .ipi_ifindex = l->group_ifindex };

		memcpy(foud_cmsg_put(&c, IPPROTO_IP, IP_PKTINFO, sizeof(pi)), &pi, sizeof(pi));
	} else {
		struct in6_pktinfo pi = { .ipi6_ifindex = (unsigned int)l->group_ifindex };

		memcpy(foud_cmsg_put(&c, IPPROTO_IPV6, IPV6_PKTINFO, sizeof(pi)), &pi, sizeof(pi));
	}
	return (socklen_t)((uint8_t *)c - ctl);
}

/*
 * The kind's header in front of each Ethernet frame (for GRE-TAP over FOU/GUE,
 * GUE too), as UDP GSO lays segments out; and its size behind the UDP header.
 */
struct l2_push_arg {
	struct foud *d;
	struct foud_tunnel *t;
};

static int l2_push_hdr(struct fou_buf *b, void *arg)
{
	const struct l2_push_arg *a = arg;

	return a->t->l2->k->push(a->d, a->t, b);
}

static size_t l2_hdr_len(const struct foud_l2 *l)
{
	size_t ip = l->cfg.local.family == AF_INET6 ? FOU_IPV6_HLEN : FOU_IPV4_HLEN;

	return l->overhead - ip - FOU_UDP_HLEN;
}

/* The UDP source port of a frame; min == max: a fixed one (GRE-TAP's encap-sport). */
static uint16_t l2_sport(const struct foud *d, const struct foud_l2 *l, const uint8_t *frame,
			 size_t len)
{
	return l->sport_min == l->sport_max ? l->sport_min :
	       fou_l2_sport(frame, len, d->hash_seed, l->sport_min, l->sport_max);
}

/* The outer TOS (the inner one for `tos inherit`, and ECN) and TTL of a frame to dst. */
static void l2_outer(const struct foud_l2 *l, const uint8_t *frame, size_t len,
		     const struct fou_addr *dst, uint8_t *tos, uint8_t *ttl)
{
	const struct cmd_l2_cfg *c = &l->cfg;
	struct fou_l2_hop h = l->hop;

	/* As vxlan_xmit_one(): TTL 1 to a group unless given or inherited. */
	if (c->group.family && !h.ttl_inherit && fou_addr_eq(dst, &c->group))
		h.ttl_default = 1;
	fou_l2_outer(&h, frame, len, tos, ttl);
}

static int l2_encap(struct foud *d, struct foud_tunnel *t, struct fou_buf *b,
		    const struct fou_addr *dst)
{
	struct foud_l2 *l = t->l2;
	const struct cmd_l2_cfg *c = &l->cfg;
	struct fou_ip_params ip = {
		.src = c->local, .dst = *dst, .proto = l->udp ? FOU_PROTO_UDP : FOU_PROTO_GRE,
		.df = l->df,
	};
	uint16_t sport;
	int ret;

	l2_outer(l, fou_buf_data(b), b->len, dst, &ip.tos, &ip.ttl);
	sport = l2_sport(d, l, fou_buf_data(b), b->len);
	ret = l->k->push(d, t, b);
	if (!ret && l->udp)
		ret = fou_udp_push(b, sport, l->dport, &c->local, dst, l->csum);
	if (!ret) {
		ip.id = l->ip_id++;
		ip.flowlabel = sport;
		ret = fou_ip_push(b, &ip);
	}
	return ret;
}

static void l2_queue(struct foud *d, struct foud_tunnel *t, struct foud_txq *q,
		     const uint8_t *frame, size_t len, const struct fou_addr *dst)
{
	struct fou_buf *b;
	struct msghdr *mh;
	int i, ret;

	if (q->n == FOUD_BATCH)
		l2_flush(d, t, q);
	b = &d->txb.buf[q->n];
	b->off = FOUD_HEADROOM;
	memcpy(fou_buf_data(b), frame, len);
	b->len = len;
	ret = l2_encap(d, t, b, dst);
	if (ret) {
		t->st.tx_drop[-ret]++;
		return;
	}
	i = foud_txq_add(q, b, (uint32_t)len);
	mh = &q->mm[i].msg_hdr;
	mh->msg_name = &q->to[i];
	mh->msg_namelen = foud_sockaddr(&q->to[i], dst, dst->family, 0);
	if (t->l2->cfg.group.family && fou_addr_eq(dst, &t->l2->cfg.group)) {
		mh->msg_control = q->ctl[i];
		mh->msg_controllen = l2_pktinfo(q->ctl[i], t->l2, dst->family == AF_INET6);
	}
}

/* Frames whose IP packet is longer than this do not fit the path. */
static size_t l2_ip_max(const struct foud_tunnel *t)
{
	size_t overhead = t->l2->overhead + FOU_ETH_HLEN;

	return t->path_mtu > overhead ? t->path_mtu - overhead : 0;
}

static void l2_tx_frame(struct foud *d, struct foud_tunnel *t, struct foud_txq *q,
			const uint8_t *frame, size_t len)
{
	const struct fou_addr *dst;
	size_t i, n;

	if (len < FOU_ETH_HLEN) {
		t->st.tx_drop[FOU_DROP_TOO_SHORT]++;
		return;
	}
	if (len - FOU_ETH_HLEN > l2_ip_max(t)) {
		t->st.tx_drop[FOU_DROP_MTU]++;
		return;
	}
	n = foud_l2_dests(t, frame, &dst);
	if (!n)
		t->st.tx_drop[FOU_DROP_NO_TUNNEL]++;
	for (i = 0; i < n; i++)
		l2_queue(d, t, q, frame, len, &dst[i]);
}

/* UDP GSO: a train to each destination of a frame, with its outer fields. */
struct l2_uso {
	const struct foud_l2 *l;
	const uint8_t *frame;
	size_t len;
	const struct fou_addr *dst;
	struct sockaddr_storage ss;
};

static void l2_uso_to(void *arg, size_t i, struct foud_uso_to *to)
{
	struct l2_uso *x = arg;
	const struct foud_l2 *l = x->l;
	const struct fou_addr *dst = &x->dst[i];

	to->addr = &x->ss;
	to->addrlen = foud_sockaddr(&x->ss, dst, dst->family, l->dport);
	to->ifindex = l->cfg.group.family && fou_addr_eq(dst, &l->cfg.group) ?
		      l->group_ifindex : 0;
	l2_outer(l, x->frame, x->len, dst, &to->tos, &to->ttl);
}

/*
 * A TCP super-frame through UDP GSO: each segment, the Ethernet header in
 * front, becomes one payload, and the train goes in one send to each
 * destination. Returns 1 when this path does not apply.
 */
static int l2_tx_uso(struct foud *d, struct foud_tunnel *t, struct fou_gso *g,
		     const uint8_t *frame, size_t len)
{
	struct foud_l2 *l = t->l2;
	struct l2_push_arg pa = { .d = d, .t = t };
	const struct foud_uso_enc e = {
		.family = l->cfg.local.family, .l2hdr = frame, .l2len = FOU_ETH_HLEN,
		.hlen = l2_hdr_len(l), .push = l2_push_hdr, .arg = &pa,
	};
	struct l2_uso x = { .l = l, .frame = frame, .len = len };
	struct foud_uso_dests ds = { .to = l2_uso_to, .arg = &x };

	/* UDP kinds only: NVGRE and plain GRE-TAP have no UDP socket to send with. */
	if (!l->udp || g->hlen + g->mss > l2_ip_max(t))
		return 1;
	ds.n = foud_l2_dests(t, frame, &x.dst);
	if (!ds.n)
		return 1;
	return foud_uso_xmit(d, t, g, &e, &l->cfg.local, l2_sport(d, l, frame, len), false, &ds);
}

/*
 * A TCP super-frame from the TAP: the IP packet behind the Ethernet header
 * is cut as on a TUN, and each segment gets the header back in front.
 */
static int l2_tx_gso(struct foud *d, struct foud_tunnel *t, struct foud_txq *q,
		     struct fou_vnet_hdr *vh, const uint8_t *frame, size_t len)
{
	uint8_t *seg = d->sendbuf;
	struct fou_gso g;
	size_t n;
	int ret;

	if (len < FOU_ETH_HLEN || vh->csum_start < FOU_ETH_HLEN)
		return -FOU_DROP_BAD_GSO;
	vh->csum_start -= FOU_ETH_HLEN;
	ret = fou_gso_init(&g, vh, frame + FOU_ETH_HLEN, len - FOU_ETH_HLEN);
	if (ret)
		return ret;
	/* Frames read earlier leave first. */
	if (q->n)
		l2_flush(d, t, q);
	if (!l2_tx_uso(d, t, &g, frame, len))
		return 0;
	memcpy(seg, frame, FOU_ETH_HLEN);
	while ((ret = fou_gso_next(&g, seg + FOU_ETH_HLEN, FOUD_PKT_MAX - FOU_ETH_HLEN, &n)) > 0)
		l2_tx_frame(d, t, q, seg, n + FOU_ETH_HLEN);
	return ret;
}

/* One frame read from the TAP (foud_tun_drain). */
static int l2_read_one(struct foud *d, void *ctx, struct fou_vnet_hdr *vh, uint8_t *frame,
		       size_t len)
{
	struct foud_tunnel *t = ctx;
	int ret;

	if (fou_vnet_is_gso(vh))
		return l2_tx_gso(d, t, d->l2q, vh, frame, len);
	if (vh->flags & FOU_VNET_F_NEEDS_CSUM) {
		ret = fou_csum_complete(frame, len, vh->csum_start, vh->csum_offset);
		if (ret)
			return ret;
	}
	l2_tx_frame(d, t, d->l2q, frame, len);
	return 0;
}

static void l2_overlay_readable(struct foud *d, struct foud_ev *ev)
{
	struct foud_tunnel *t = foud_dev_of(ev);

	d->l2q->n = 0;
	foud_tun_drain(d, t, l2_read_one, t);
	if (d->l2q->n)
		l2_flush(d, t, d->l2q);
}

static const struct foud_csum_class l2port_class = {
	.size = sizeof(struct foud_l2port), .off = offsetof(struct foud_l2port, pair),
	.fn = l2port_readable, .vfn = l2port_readable_verified,
};

/*
 * As the kernel's VXLAN and Geneve: one socket per port and family, bound
 * to the wildcard (group traffic is addressed to the group), VNIs
 * demultiplexed; a port carries one kind.
 */
static struct foud_l2port *l2port_get(struct foud *d, const struct foud_l2 *l,
				      char *err, size_t errlen)
{
	struct cmd_port_cfg pc = { .port = l->cfg.dstport, .family = l->cfg.local.family };
	struct foud_l2port *p;

	p = foud_csum_port_get(d, &d->l2ports, &l2port_class, l->fk->name, &pc, err, errlen);
	if (p)
		p->fk = l->fk;	/* the same when it was there: its owner is the kind's name */
	return p;
}

static void l2port_put(struct foud *d, struct foud_l2port *p)
{
	if (p && foud_csum_port_put(d, &d->l2ports, &p->pair))
		free(p);
}

static int l2_join(struct foud_l2 *l, int fd, char *err, size_t errlen)
{
	const struct cmd_l2_cfg *c = &l->cfg;
	int ret;

	l->group_ifindex = (int)if_nametoindex(c->dev);
	if (!l->group_ifindex) {
		snprintf(err, errlen, "no device \"%s\" for the group", c->dev);
		return -ENODEV;
	}
	/* Not Ethernet: all zero, and the group floods from userspace (bpf_l2.c). */
	foud_l2_hwaddr(c->dev, l->group_smac);
	if (c->group.family == AF_INET) {
		struct ip_mreqn mr = { .imr_ifindex = l->group_ifindex };

		memcpy(&mr.imr_multiaddr, c->group.a, 4);
		ret = setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr));
	} else {
		struct ipv6_mreq mr = { .ipv6mr_interface = (unsigned int)l->group_ifindex };

		memcpy(&mr.ipv6mr_multiaddr, c->group.a, 16);
		ret = setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mr, sizeof(mr));
	}
	if (ret < 0 && errno != EADDRINUSE) {
		snprintf(err, errlen, "cannot join the group: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/*
 * GRE kinds receive on sockets shared by every device (raw 47, a FOU/GUE
 * port), which take what the host accepts: the membership is held by a
 * socket of the device's own, so that it ends with the device.
 */
static int l2_gre_join(struct foud_l2 *l, char *err, size_t errlen)
{
	l->mc_fd = socket(l->cfg.group.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (l->mc_fd < 0) {
		snprintf(err, errlen, "cannot join the group: %s", strerror(errno));
		return -errno;
	}
	return l2_join(l, l->mc_fd, err, errlen);
}

/* What goes on the wire in front of a frame, from the kind and the configuration. */
static void l2_wire(struct foud_tunnel *t)
{
	struct foud_l2 *l = t->l2;
	const struct cmd_l2_cfg *c = &l->cfg;
	const struct fou_tnl *n = &t->tnl;
	bool v6 = c->local.family == AF_INET6;

	l->gre = l->k->gre_match != NULL;
	l->sport_min = c->srcport_min;
	l->sport_max = c->srcport_max;
	if (!l->gre) {
		l->udp = true;
		l->dport = c->dstport;
		l->csum = v6 ? !c->udp6zerocsumtx : c->udpcsum;
		l->overhead = (uint32_t)((v6 ? FOU_IPV6_HLEN : FOU_IPV4_HLEN) + FOU_UDP_HLEN +
					 l->fk->udp->hlen + c->geneve_opts_len);
	} else {
		/* GRE-TAP and NVGRE: the GRE tunnel that the grammar filled in. */
		l->udp = n->encap != FOU_ENCAP_NONE;
		l->dport = n->encap_dport;
		l->csum = n->encap_flags & (v6 ? FOU_ENCAP_F_CSUM6 : FOU_ENCAP_F_CSUM);
		l->overhead = (uint32_t)fou_tnl_overhead(n);
		l->df = n->pmtudisc;
		if (n->encap_sport) {
			l->sport_min = l->sport_max = n->encap_sport;
			return;
		}
	}
	if (!l->sport_min || l->sport_min >= l->sport_max)
		foud_local_port_range(&l->sport_min, &l->sport_max);
}

/* The overlay's receive points: a shared UDP port, or the GRE receive path (and a group). */
static int l2_overlay_rx(struct foud *d, struct foud_tunnel *t, char *err, size_t errlen)
{
	struct foud_l2 *l = t->l2;
	const struct cmd_l2_cfg *c = &l->cfg;
	int ret;

	if (l->gre) {
		ret = foud_l2_key_index(d, t, l->k, l->k->dev_id(t));
		if (!ret)
			ret = foud_l2_remote_index(d, t);
		if (ret) {
			snprintf(err, errlen, "out of memory");
			return ret;
		}
		ret = c->group.family ? l2_gre_join(l, err, errlen) : 0;
		/* GRE over FOU/GUE arrives through a `fou add port ... ipproto 47`. */
		if (ret || t->tnl.encap != FOU_ENCAP_NONE)
			return ret;
		ret = foud_raw_get(d, c->local.family, FOU_PROTO_GRE);
		if (ret)
			snprintf(err, errlen, "cannot open raw GRE socket: %s", strerror(-ret));
		l->raw = !ret;
		return ret;
	}
	l->port = l2port_get(d, l, err, errlen);
	if (!l->port)
		return -EIO;
	l->port_fd = l->port->pair.ev.fd;
	l->port_vfd = l->port->pair.vev.fd;
	ret = foud_l2_id_index(d, t);
	if (ret) {
		snprintf(err, errlen, "out of memory");
		return ret;
	}
	return c->group.family ? l2_join(l, l->port->pair.ev.fd, err, errlen) : 0;
}

/* Undoes l2_overlay_open, whatever point it reached. */
static void l2_overlay_close(struct foud *d, struct foud_tunnel *t)
{
	struct foud_l2 *l = t->l2;

	if (l) {
		foud_l2_id_unindex(d, t);
		foud_l2_remote_unindex(d, t);
		l2port_put(d, l->port);
		if (l->raw)
			foud_raw_put(d, l->cfg.local.family, FOU_PROTO_GRE);
		if (l->mc_fd >= 0)
			close(l->mc_fd);
	}
	foud_l2_free(t);
}

/* The L2 BPF programs' header for kind (foud_l2.bpf.h), or -1: they carry none. */
static int l2_bpf_encap(enum fk_l2_kind kind)
{
	switch (kind) {
	case FK_L2_VXLAN:
		return 0;
	case FK_L2_GENEVE:
		return FOUD_BPF_L2_GENEVE;
	case FK_L2_GRETAP:
		return FOUD_BPF_L2_GRETAP;
	case FK_L2_NVGRE:
		return FOUD_BPF_L2_NVGRE;
	default:
		return -1;
	}
}

static int l2_overlay_open(struct foud *d, struct foud_tunnel *t, const struct cmd_link_cfg *cfg,
			   char *err, size_t errlen)
{
	int ret = foud_l2_new(t, cfg, err, errlen);

	/* The first overlay device: the send queue they share, until foud exits. */
	if (!ret && !d->l2q && !(d->l2q = foud_zalloc(sizeof(*d->l2q), err, errlen)))
		ret = -ENOMEM;
	if (!ret) {
		t->l2->k = t->l2->fk->udp ? &l2_udp : &l2_gre_kinds[cfg->l2.kind];
		t->l2->bpf_encap = l2_bpf_encap(cfg->l2.kind);
		l2_wire(t);
		ret = foud_l2_tap(d, t, cfg, 0, err, errlen);
	}
	if (!ret)
		ret = l2_overlay_rx(d, t, err, errlen);
	if (!ret)
		ret = foud_l2_ready(d, t, err, errlen);
	if (!ret)
		ret = foud_bpf_tunnel_add(d, t, cfg->datapath, err, errlen);
	if (ret) {
		foud_loop_del(d, &t->ev);
		if (t->ev.fd >= 0)
			foud_tun_close(d, t->ev.fd);
		l2_overlay_close(d, t);
	}
	return ret;
}

/* The kernel's drops at both sockets of the pair. */
static uint64_t l2port_drops(const struct foud_l2port *lp)
{
	return foud_sock_drops(lp->pair.ev.fd, lp->sock_drops) +
	       (lp->pair.vev.fd >= 0 ? foud_sock_drops(lp->pair.vev.fd, lp->vsock_drops) : 0);
}

/* VXLAN and Geneve ports in `fou show`: the datagrams that reached no device are counted there. */
static void l2_show_ports(struct foud *d, struct foud_pr *p)
{
	const struct foud_csum_port *cp;
	const struct foud_l2port *lp;

	TAILQ_FOREACH(cp, &d->l2ports, entry) {
		lp = L2PORT_OF(cp);
		foud_pr_open_object(p, NULL);
		foud_pr_uint(p, "port", "port %u", lp->pair.port);
		foud_pr_null(p, lp->fk->name, " %s");
		foud_show_family(p, lp->pair.family);
		foud_pr_nl(p);
		foud_show_port_stats(p, &lp->st, l2port_drops(lp), NULL);
		foud_pr_close_object(p);
	}
}

/* For metrics: each shared L2 port, with its kind's name. */
static void l2_port_each(struct foud *d, void (*fn)(void *arg, const struct foud_port_info *i),
			 void *arg)
{
	const struct foud_csum_port *cp;
	const struct foud_l2port *lp;
	struct foud_port_info i;

	TAILQ_FOREACH(cp, &d->l2ports, entry) {
		lp = L2PORT_OF(cp);
		i = (struct foud_port_info){ .kind = lp->fk->name, .family = cp->family,
					     .port = cp->port, .local = &cp->local, .st = &lp->st,
					     .sock_drops = l2port_drops(lp) };
		fn(arg, &i);
	}
}

/* ---- link show ---------------------------------------------------------- */

/* GRE-TAP's own words: keys, checksums, sequence numbers, FOU/GUE. */
static void l2_show_gretap(const struct foud_tunnel *t, struct foud_pr *p)
{
	const struct fou_tnl *n = &t->tnl;

	foud_pr_bool(p, "pmtudisc", NULL, NULL, t->l2->df);
	foud_show_gre(p, n);
	foud_show_encap(p, n, false);
}

/*
 * ip -j's df of the UDP overlays (foud never sets DF on them), VXLAN's
 * udp_zero_csum6_tx (the rows with FK_ZCSUM6), and udp_zero_csum6_rx:
 * foud's IPv6 UDP sockets always accept zero checksums, as fou6 (sock.c).
 */
static void l2_show_udp_words(const struct foud_l2 *l, struct foud_pr *p)
{
	if (!l->fk->udp)
		return;
	foud_pr_str(p, "df", NULL, "unset");
	if (l->fk->flags & FK_ZCSUM6)
		foud_pr_bool(p, "udp_zero_csum6_tx", NULL, NULL, l->cfg.udp6zerocsumtx);
	foud_pr_bool(p, "udp_zero_csum6_rx", NULL, NULL, true);
}

/*
 * The kind's own words. JSON has a UDP kind's ports and checksum first, as
 * `ip -j` does; text has the ports after GRE-TAP's words, the checksum later.
 */
static void l2_show_kind(const struct foud_tunnel *t, struct foud_pr *p)
{
	const struct foud_l2 *l = t->l2;
	const struct cmd_l2_cfg *c = &l->cfg;

	if (l->udp) {
		foud_pr_uint(p, "port", NULL, l->dport);
		/* JSON: the srcport configured, 0 0 for ip_local_port_range, as ip -j */
		foud_pr_open_object(p, "port_range");
		foud_pr_uint(p, "low", NULL, c->srcport_min);
		foud_pr_uint(p, "high", NULL, c->srcport_max);
		foud_pr_close_object(p);
		foud_pr_bool(p, "udp_csum", NULL, NULL, l->csum);
	}
	l2_show_udp_words(l, p);
	/* Of the GRE kinds, GRE-TAP has no id word and NVGRE has its VSID. */
	if (!l->fk->id_word)
		l2_show_gretap(t, p);
	else if (l->gre)
		foud_pr_bool(p, "flowid", " flowid", " noflowid", !c->noflowid);
	else if (l->udp)
		foud_pr_text(p, " dstport %u", l->dport);
	if (l->udp)
		foud_pr_text(p, " srcport %u %u", l->sport_min, l->sport_max);
}

static void l2_overlay_show(const struct foud_tunnel *t, struct foud_pr *p)
{
	foud_l2_show(t, p, t->l2->cfg.vni, l2_show_kind);
}

const struct foud_dev_ops foud_overlay_ops = {
	FOUD_DEV_OPS(l2_overlay),
	FOUD_L2_DEV_OPS,
	.flags = FOUD_DEV_F_L2BPF,
	.input = l2_input_shared,
	.show_ports = l2_show_ports,
	.port_each = l2_port_each,
};
