/* SPDX-License-Identifier: MIT */
/*
 * L2 overlays: a TAP device per tunnel, Ethernet frames in VXLAN, Geneve,
 * GRE-TAP (plain, or over FOU/GUE) or NVGRE. A forwarding table per device
 * learns inner source MACs behind outer source addresses; unknown unicast,
 * broadcast and multicast go to every flood destination (the all-zero MAC
 * entries: head-end replication, the `remote`, the `group`). VXLAN and
 * Geneve ports are shared by every device of the kind with the same port,
 * family and local address, and demultiplexed by VNI; GRE-TAP and NVGRE
 * arrive through the GRE receive path (raw protocol 47 or a FOU/GUE port)
 * and are told apart by their key. What differs between the kinds is a
 * small table of ops (struct l2_kind); what describes them (name, id word,
 * default port) is their row in common/kinds.c.
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

#include "ctl.h"
#include "fou/l2.h"
#include "foud.h"
#include "rx.h"

#define L2_FLOOD_MAX	64		/* flood destinations per device */
#define L2_PEERS_MAX	(L2_FLOOD_MAX + 64)
/* STT cuts frames to the path itself: OVS's STT device MTU, 65535 - TCP, STT, IPv4, Ethernet. */
#define L2_STT_MTU	(65535 - FOU_STT_TCP_HLEN - FOU_STT_HLEN - FOU_IPV4_HLEN - FOU_ETH_HLEN)
#define L2_STT_MTU_MAX	(65535 - FOU_STT_HLEN - FOU_ETH_HLEN - 4)	/* room for an 802.1Q tag */

struct l2_kind;

/* A shared VXLAN or Geneve receive socket. */
struct foud_l2port {
	TAILQ_ENTRY(foud_l2port) entry;
	struct foud_ev ev;
	const struct l2_kind *k;
	const struct fk_kind *fk;	/* its name */
	int family;
	uint16_t port;
	struct fou_addr local;
	unsigned int users;
	struct foud_stats st;		/* datagrams that reach no device */
	uint64_t sock_drops;		/* the kernel's drops at this socket (SO_RXQ_OVFL) */
};

/* The L2 half of a tunnel. */
struct foud_l2 {
	struct foud_l2_cfg cfg;
	const struct l2_kind *k;
	const struct fk_kind *fk;	/* name, id word (common/kinds.c) */
	struct foud_l2port *port;	/* UDP kinds */
	bool raw;			/* holds the raw GRE receive socket */
	bool udp;			/* a UDP header goes out: VXLAN, Geneve, GRE-TAP over FOU/GUE */
	bool csum;			/* with a UDP checksum */
	uint16_t dport;			/* its destination port */
	bool df;			/* DF on the outer header: GRE kinds' pmtudisc */
	uint32_t overhead;		/* outer bytes in front of the Ethernet frame */
	struct fou_l2_hop hop;		/* outer TOS and TTL */
	struct fou_fdb fdb;
	struct fou_addr flood[L2_FLOOD_MAX];
	/* Who may send to us: remote, flood destinations, static entries. */
	struct fou_addr peers[L2_PEERS_MAX];
	size_t npeers;
	uint8_t mac[FOU_ETH_ALEN];	/* the TAP's own address */
	int group_ifindex;
	int mc_fd;			/* GRE kinds: holds the group's membership, or -1 */
	uint16_t sport_min, sport_max;
	uint16_t ip_id;
	bool stt;			/* holds a reference on stt.c's shared state */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	/* Learning asks for every frame; ageing needs no better than a tick. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct foud_tunnel *l2_ev_tunnel(struct foud_ev *ev)
{
	return (struct foud_tunnel *)((char *)ev - offsetof(struct foud_tunnel, ev));
}

/* ---- who may send to us ------------------------------------------------- */

static void l2_peers_add(struct foud_l2 *l, const struct fou_addr *a)
{
	size_t i;

	if (!a->family || l->npeers == L2_PEERS_MAX)
		return;
	for (i = 0; i < l->npeers; i++)
		if (fou_addr_eq(&l->peers[i], a))
			return;
	l->peers[l->npeers++] = *a;
}

/* Rebuilt whenever the configuration changes; learning never adds peers. */
static void l2_peers_rebuild(struct foud_l2 *l)
{
	const struct fou_fdb_entry *e;
	size_t i, pos = 0;

	l->npeers = 0;
	l2_peers_add(l, &l->cfg.remote);
	for (i = 0; i < l->fdb.nflood; i++)
		l2_peers_add(l, &l->fdb.flood[i]);
	while ((e = fou_fdb_next(&l->fdb, &pos)))
		if (e->flags & FOU_FDB_F_STATIC)
			l2_peers_add(l, &e->remote);
}

static bool l2_peer_ok(const struct foud_l2 *l, const struct fou_addr *src)
{
	size_t i;

	/* Members of a group are not known in advance. */
	if (l->cfg.group.family)
		return true;
	for (i = 0; i < l->npeers; i++)
		if (fou_addr_eq(&l->peers[i], src))
			return true;
	return false;
}

/* ---- the kinds ---------------------------------------------------------- */

/* What the daemon does differently for each L2 kind, indexed by its row's l2. */
struct l2_kind {
	/* Prepends the kind's header (for GRE-TAP over FOU/GUE, GUE too) to the frame in b. */
	int (*push)(struct foud *d, struct foud_tunnel *t, struct fou_buf *b);
	/* UDP kinds: strips the header of a received datagram, says its VNI. */
	int (*pull)(struct fou_buf *b, uint32_t *vni);
	size_t hlen;			/* UDP kinds: header bytes after UDP */
	/* GRE kinds: whether a GRE header is this device's, then the rest of its checks. */
	bool (*gre_match)(const struct foud_tunnel *t, const struct fou_gre *g);
	int (*gre_check)(struct foud_tunnel *t, const struct fou_buf *b, const struct fou_gre *g);
	enum fou_drop wrong_id;		/* no device has the VNI, VSID or key */
};

static int vxlan_push(struct foud *d, struct foud_tunnel *t, struct fou_buf *b)
{
	(void)d;
	return fou_vxlan_push(b, t->l2->cfg.vni);
}

/* With the device's geneve_opts; C when one of them is critical. */
static int geneve_push(struct foud *d, struct foud_tunnel *t, struct fou_buf *b)
{
	const struct foud_l2_cfg *c = &t->l2->cfg;

	(void)d;
	return fou_geneve_push(b, c->vni, c->geneve_opts, c->geneve_opts_len, false);
}

/*
 * Options are skipped: foud understands none, so a critical one drops the
 * packet (RFC 8926 3.5.1) and the others are ignored.
 */
static int geneve_pull(struct fou_buf *b, uint32_t *vni)
{
	struct fou_geneve g;
	int ret = fou_geneve_pull(b, NULL, 0, &g);

	if (!ret)
		*vni = g.vni;
	return ret;
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

static int nvgre_check(struct foud_tunnel *t, const struct fou_buf *b, const struct fou_gre *g)
{
	uint32_t vsid;
	uint8_t flowid;

	(void)t;
	return fou_nvgre_check(g, fou_buf_data(b), b->len, &vsid, &flowid);
}

static const struct l2_kind l2_kinds[FOUD_L2__MAX] = {
	[FOUD_L2_VXLAN] = { vxlan_push, fou_vxlan_pull, FOU_VXLAN_HLEN, NULL, NULL,
			    FOU_DROP_WRONG_VNI },
	[FOUD_L2_GENEVE] = { geneve_push, geneve_pull, FOU_GENEVE_HLEN, NULL, NULL,
			     FOU_DROP_WRONG_VNI },
	[FOUD_L2_GRETAP] = { gretap_push, NULL, 0, gretap_match, gretap_check, FOU_DROP_GRE_KEY },
	[FOUD_L2_NVGRE] = { nvgre_push, NULL, 0, nvgre_match, nvgre_check, FOU_DROP_WRONG_VSID },
	/* STT's I/O is stt.c's. */
	[FOUD_L2_STT] = { NULL, NULL, 0, NULL, NULL, FOU_DROP_NO_TUNNEL },
};

/* ---- receive ------------------------------------------------------------ */

static struct foud_tunnel *l2_find_vni(struct foud *d, const struct foud_l2port *p, uint32_t vni)
{
	struct foud_tunnel *t;

	TAILQ_FOREACH(t, &d->tunnels, entry)
		if (t->l2 && t->l2->port == p && t->l2->cfg.vni == vni)
			return t;
	return NULL;
}

/*
 * A received frame: our own frame come back, a nested one (never learned
 * from: its source may be forged), or its source learned behind src.
 */
int foud_l2_rx_learn(struct foud *d, struct foud_tunnel *t, const uint8_t *eth, size_t len,
		     const struct fou_addr *src)
{
	struct foud_l2 *l = t->l2;
	int ret;

	if (len < FOU_ETH_HLEN)
		return -FOU_DROP_TOO_SHORT;
	/* Our own frame come back (a group loops to its sender). */
	if (!memcmp(eth + FOU_ETH_ALEN, l->mac, FOU_ETH_ALEN))
		return -FOU_DROP_LOOP;
	if (foud_nested(d, eth, len, true))
		return -FOU_DROP_NESTED;
	if (l->cfg.learning) {
		ret = fou_fdb_learn(&l->fdb, eth + FOU_ETH_ALEN, src, now_ms());
		/* Table full: counted in fdb.refused; as Linux, the frame still goes up. */
		if (ret && ret != -FOU_DROP_FDB_FULL)
			return ret;
	}
	return 0;
}

static int l2_deliver(struct foud *d, struct foud_tunnel *t, struct fou_buf *b,
		      const struct fou_addr *src)
{
	int ret = foud_l2_rx_learn(d, t, fou_buf_data(b), b->len, src);

	if (!ret)
		foud_gro_input(d, t, b, FOU_ETH_HLEN);	/* writes or holds it, and counts */
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

	if (fou_addr_eq(src, &t->l2->cfg.local))
		ret = -FOU_DROP_LOOP;		/* our own group traffic, looped back */
	else if (!l2_peer_ok(t->l2, src))
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

/* For stt.c: a device's configuration, its peers, a frame's destinations. */
const struct foud_l2_cfg *foud_l2_cfg(const struct foud_tunnel *t)
{
	return &t->l2->cfg;
}

bool foud_l2_peer_ok(const struct foud_tunnel *t, const struct fou_addr *src)
{
	return l2_peer_ok(t->l2, src);
}

static int l2_rx_one(struct foud *d, void *ctx, struct fou_buf *b, struct foud_rxmeta *m)
{
	const struct foud_l2port *p = ctx;
	struct foud_tunnel *t;
	uint32_t vni;
	int ret;

	if (m->truncated)
		return -FOU_DROP_TOO_SHORT;
	ret = p->k->pull(b, &vni);
	if (ret)
		return ret;
	t = l2_find_vni(d, p, vni);
	if (!t)
		return -(int)p->k->wrong_id;
	l2_input(d, t, b, &m->src, m->tos);
	return 0;
}

static bool l2_is_gre(const struct foud_tunnel *t)
{
	return t->l2 && t->l2->k->gre_match;
}

/* Sent to the device's local address, or to its group (as ip_tunnel_lookup()). */
static bool l2_gre_dst_ok(const struct foud_l2 *l, const struct fou_addr *dst)
{
	return fou_addr_eq(&l->cfg.local, dst) ||
	       (l->cfg.group.family && fou_addr_eq(&l->cfg.group, dst));
}

/*
 * The GRE device for a received header: its family and local address, its
 * key (or VSID); among several (keyless GRE-TAP devices), the one whose
 * peer sent it. NULL with *why when none: the kind's wrong_id when the
 * source is a peer of some device, else unknown_peer.
 */
static struct foud_tunnel *l2_find_gre(struct foud *d, const struct fou_rx *rx, int *why)
{
	struct foud_tunnel *t, *first = NULL;

	*why = FOU_DROP_UNKNOWN_PEER;
	TAILQ_FOREACH(t, &d->tunnels, entry) {
		if (!l2_is_gre(t) || t->l2->cfg.local.family != rx->src.family ||
		    !l2_gre_dst_ok(t->l2, &rx->dst))
			continue;
		if (!t->l2->k->gre_match(t, &rx->gre)) {
			if (l2_peer_ok(t->l2, &rx->src))
				*why = (int)t->l2->k->wrong_id;
			continue;
		}
		if (l2_peer_ok(t->l2, &rx->src))
			return t;
		if (!first)
			first = t;
	}
	return first;
}

void foud_l2_gre_input(struct foud *d, struct fou_buf *b, const struct fou_rx *rx,
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
	if (!l2_peer_ok(t->l2, &rx->src))
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

static void l2port_readable(struct foud *d, struct foud_ev *ev)
{
	struct foud_l2port *p = (struct foud_l2port *)((char *)ev - offsetof(struct foud_l2port, ev));
	const struct foud_rxpt rp = {
		.name = p->fk->name, .count = &p->st, .drops = &p->st,
		.sock_drops = &p->sock_drops, .one = l2_rx_one, .ctx = p,
	};

	foud_rx_drain(d, ev->fd, &rp);
}

/* ---- transmit ----------------------------------------------------------- */

static void l2_flush(struct foud *d, struct foud_tunnel *t, struct foud_txq *q)
{
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
	const struct foud_l2_cfg *c = &l->cfg;
	struct fou_l2_hop h = l->hop;

	/* As vxlan_xmit_one(): TTL 1 to a group unless given or inherited. */
	if (c->group.family && !h.ttl_inherit && fou_addr_eq(dst, &c->group))
		h.ttl_default = 1;
	fou_l2_outer(&h, frame, len, tos, ttl);
}

/* For stt.c: the outer TOS and TTL of a frame. */
void foud_l2_outer(const struct foud_tunnel *t, const uint8_t *frame, size_t len,
		   uint8_t *tos, uint8_t *ttl)
{
	fou_l2_outer(&t->l2->hop, frame, len, tos, ttl);
}

static int l2_encap(struct foud *d, struct foud_tunnel *t, struct fou_buf *b,
		    const struct fou_addr *dst)
{
	struct foud_l2 *l = t->l2;
	const struct foud_l2_cfg *c = &l->cfg;
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

/* A frame's destinations: its forwarding entry, else every flood destination. */
static size_t l2_dests(const struct foud_l2 *l, const uint8_t *frame, const struct fou_addr **v)
{
	const struct fou_fdb_entry *e = fou_fdb_lookup(&l->fdb, frame);

	if (e) {
		*v = &e->remote;
		return 1;
	}
	*v = l->fdb.flood;
	return l->fdb.nflood;
}

/* For stt.c: the entry for the frame's destination MAC, else the flood list; how many. */
size_t foud_l2_dests(const struct foud_tunnel *t, const uint8_t *frame, const struct fou_addr **dst)
{
	return l2_dests(t->l2, frame, dst);
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
	n = l2_dests(t->l2, frame, &dst);
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
	ds.n = l2_dests(l, frame, &x.dst);
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

static int l2_tx_one(struct foud *d, struct foud_tunnel *t, struct foud_txq *q, size_t n)
{
	uint8_t *frame = d->scratch + FOU_VNET_HLEN;
	size_t len = n - FOU_VNET_HLEN;
	struct fou_vnet_hdr vh;
	int ret;

	ret = fou_vnet_parse(d->scratch, n, &vh);
	if (ret)
		return ret;
	if (t->l2->cfg.kind == FOUD_L2_STT)
		return foud_stt_xmit(d, t, &vh, frame, len);
	if ((vh.gso_type & ~FOU_VNET_GSO_ECN) != FOU_VNET_GSO_NONE)
		return l2_tx_gso(d, t, q, &vh, frame, len);
	if (vh.flags & FOU_VNET_F_NEEDS_CSUM) {
		ret = fou_csum_complete(frame, len, vh.csum_start, vh.csum_offset);
		if (ret)
			return ret;
	}
	l2_tx_frame(d, t, q, frame, len);
	return 0;
}

static int l2_read_one(struct foud *d, void *ctx, size_t n)
{
	return l2_tx_one(d, ctx, d->l2q, n);
}

static void l2_readable(struct foud *d, struct foud_ev *ev)
{
	struct foud_tunnel *t = l2_ev_tunnel(ev);

	d->l2q->n = 0;
	foud_tun_drain(d, ev->fd, t->name, &t->st, l2_read_one, t);
	if (d->l2q->n)
		l2_flush(d, t, d->l2q);
	foud_stt_flush(d);
}

/* ---- configuration ------------------------------------------------------ */

static void l2_age(struct foud *d, void *arg)
{
	struct foud_tunnel *t;
	uint64_t now = now_ms();

	(void)arg;
	TAILQ_FOREACH(t, &d->tunnels, entry)
		if (t->l2)
			fou_fdb_age(&t->l2->fdb, now);
}

static struct foud_l2port *l2port_get(struct foud *d, const struct foud_l2 *l,
				      char *err, size_t errlen)
{
	const struct foud_l2_cfg *c = &l->cfg;
	struct foud_port_cfg pc = { .port = c->dstport, .family = c->local.family };
	struct foud_l2port *p;
	int fd;

	/*
	 * As the kernel's VXLAN and Geneve: one socket per port and family,
	 * bound to the wildcard (group traffic is addressed to the group), VNIs
	 * demultiplexed.
	 */
	TAILQ_FOREACH(p, &d->l2ports, entry) {
		if (p->port != pc.port || p->family != pc.family || !fou_addr_eq(&p->local, &pc.local))
			continue;
		if (p->k != l->k) {
			snprintf(err, errlen, "UDP port %u carries %s", c->dstport, p->fk->name);
			return NULL;
		}
		p->users++;
		return p;
	}
	fd = foud_udp_open(&pc, d->offload);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open UDP port %u: %s", c->dstport, strerror(-fd));
		return NULL;
	}
	p = calloc(1, sizeof(*p));
	if (!p) {
		close(fd);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->ev.fd = fd;
	p->ev.fn = l2port_readable;
	p->k = l->k;
	p->fk = l->fk;
	p->family = pc.family;
	p->port = pc.port;
	p->local = pc.local;
	p->users = 1;
	if (foud_loop_add(d, &p->ev)) {
		close(fd);
		free(p);
		snprintf(err, errlen, "cannot watch UDP port %u", c->dstport);
		return NULL;
	}
	if (foud_ours_add(d, FOU_PROTO_UDP, p->port)) {
		foud_loop_del(d, &p->ev);
		close(fd);
		free(p);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	TAILQ_INSERT_TAIL(&d->l2ports, p, entry);
	return p;
}

static void l2port_put(struct foud *d, struct foud_l2port *p)
{
	if (!p || --p->users)
		return;
	TAILQ_REMOVE(&d->l2ports, p, entry);
	foud_loop_del(d, &p->ev);
	close(p->ev.fd);
	foud_ours_del(d, FOU_PROTO_UDP, p->port);
	free(p);
}

static int l2_join(struct foud_l2 *l, int fd, char *err, size_t errlen)
{
	const struct foud_l2_cfg *c = &l->cfg;
	int ret;

	l->group_ifindex = (int)if_nametoindex(c->dev);
	if (!l->group_ifindex) {
		snprintf(err, errlen, "no device \"%s\" for the group", c->dev);
		return -ENODEV;
	}
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
	const struct foud_l2_cfg *c = &l->cfg;
	const struct fou_tnl *n = &t->tnl;
	bool v6 = c->local.family == AF_INET6;

	l->hop = (struct fou_l2_hop){
		.tos = c->tos, .tos_inherit = c->tos_inherit, .ttl = c->ttl,
		.ttl_inherit = c->ttl_inherit, .ttl_default = 64,
	};
	if (c->kind == FOUD_L2_STT)
		return;		/* stt.c lays out its own segments */
	l->sport_min = c->srcport_min;
	l->sport_max = c->srcport_max;
	if (!l->k->gre_match) {
		l->udp = true;
		l->dport = c->dstport;
		l->csum = v6 ? !c->udp6zerocsumtx : c->udpcsum;
		l->overhead = (uint32_t)((v6 ? FOU_IPV6_HLEN : FOU_IPV4_HLEN) + FOU_UDP_HLEN +
					 l->k->hlen + c->geneve_opts_len);
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

/* Geneve may omit local: the source address of the route to remote, now. */
static int l2_pick_local(struct foud_l2_cfg *c, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int s, ret = 0;

	if (c->local.family || !c->remote.family)
		return 0;
	s = socket(c->remote.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	sl = foud_sockaddr(&ss, &c->remote, c->remote.family, c->dstport ? c->dstport : 9);
	if (connect(s, (struct sockaddr *)&ss, sl) < 0 ||
	    getsockname(s, (struct sockaddr *)&ss, &sl) < 0) {
		ret = -errno;
		snprintf(err, errlen, "no local address towards the remote: %s", strerror(errno));
	} else {
		c->local.family = c->remote.family;
		if (ss.ss_family == AF_INET)
			memcpy(c->local.a, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		else
			memcpy(c->local.a, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
	}
	close(s);
	return ret;
}

static int l2_state_init(struct foud *d, struct foud_tunnel *t, char *err, size_t errlen)
{
	struct foud_l2 *l = t->l2;
	const struct foud_l2_cfg *c = &l->cfg;
	uint32_t seed = d->hash_seed ^ (uint32_t)t->ifindex * 2654435761u;
	int ret;

	if (fou_fdb_init(&l->fdb, c->maxaddress, c->ageing, seed, l->flood, L2_FLOOD_MAX,
			 &d->fdb_budget)) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (c->remote.family)
		fou_fdb_flood_add(&l->fdb, &c->remote);
	if (c->group.family)
		fou_fdb_flood_add(&l->fdb, &c->group);
	l2_peers_rebuild(l);
	if (c->kind == FOUD_L2_STT) {
		ret = foud_stt_open(d, t, err, errlen);
		l->stt = !ret;
		return ret;
	}
	if (l->k->gre_match) {
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
	return c->group.family ? l2_join(l, l->port->ev.fd, err, errlen) : 0;
}

static int l2_hwaddr(const char *name, uint8_t mac[FOU_ETH_ALEN])
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(s, SIOCGIFHWADDR, &ifr) < 0)
		ret = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, FOU_ETH_ALEN);
	close(s);
	return ret;
}

/* The first L2 device: the send queue, and forwarding tables age by the second until foud exits. */
static int l2_first(struct foud *d)
{
	d->l2q = calloc(1, sizeof(*d->l2q));
	if (!d->l2q)
		return -ENOMEM;
	if (foud_timer_add(d, 1000, l2_age, NULL)) {
		free(d->l2q);
		d->l2q = NULL;
		return -ENOMEM;
	}
	return 0;
}

int foud_l2_open(struct foud *d, struct foud_tunnel *t, const struct foud_link_cfg *cfg,
		 char *err, size_t errlen)
{
	const struct foud_l2_cfg *c = &cfg->l2;
	const struct fk_kind *fk = fk_by_l2(c->kind);
	const struct l2_kind *k = fk ? &l2_kinds[c->kind] : NULL;
	int fd, ret;

	if (!k) {
		snprintf(err, errlen, "unknown link type");
		return -EOPNOTSUPP;
	}
	if (c->kind == FOUD_L2_STT && cfg->mtu > L2_STT_MTU_MAX) {
		snprintf(err, errlen, "mtu %u is too big for stt (at most %u)", cfg->mtu,
			 L2_STT_MTU_MAX);
		return -EINVAL;
	}
	if (!d->l2q && l2_first(d))
		return -ENOMEM;
	t->l2 = calloc(1, sizeof(*t->l2));
	if (!t->l2) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	t->l2->k = k;
	t->l2->fk = fk;
	t->l2->cfg = *c;
	t->l2->mc_fd = -1;
	ret = l2_pick_local(&t->l2->cfg, err, errlen);
	if (ret)
		return ret;
	l2_wire(t);
	fd = foud_tun_open(t->name, true, d->offload, &t->offload, &t->ifindex);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create device \"%s\": %s", t->name, strerror(-fd));
		return fd;
	}
	t->ev.fd = fd;
	t->ev.fn = l2_readable;
	t->path_mtu = foud_path_mtu(c->group.family ? &c->group : &c->remote);
	t->mtu = cfg->mtu ? cfg->mtu : c->kind == FOUD_L2_STT ? L2_STT_MTU :
		 t->path_mtu - t->l2->overhead - FOU_ETH_HLEN;
	ret = foud_tun_set_mtu(t->name, t->mtu);
	if (ret)
		snprintf(err, errlen, "cannot set mtu %u on \"%s\": %s", t->mtu, t->name,
			 strerror(-ret));
	if (!ret)
		ret = l2_hwaddr(t->name, t->l2->mac);
	if (!ret)
		ret = l2_state_init(d, t, err, errlen);
	if (!ret && (foud_raw_tx(d, t->l2->cfg.local.family) < 0 || foud_loop_add(d, &t->ev))) {
		snprintf(err, errlen, "cannot set up \"%s\"", t->name);
		ret = -EIO;
	}
	return ret;
}

/* Undoes foud_l2_open, whatever point it reached. */
void foud_l2_close(struct foud *d, struct foud_tunnel *t)
{
	if (!t->l2)
		return;
	if (t->l2->stt)
		foud_stt_close(d, t);
	l2port_put(d, t->l2->port);
	if (t->l2->raw)
		foud_raw_put(d, t->l2->cfg.local.family, FOU_PROTO_GRE);
	if (t->l2->mc_fd >= 0)
		close(t->l2->mc_fd);
	fou_fdb_free(&t->l2->fdb);
	free(t->l2);
	t->l2 = NULL;
}

/* VXLAN and Geneve ports in `fou show`: the datagrams that reached no device are counted there. */
void foud_l2_show_ports(struct foud *d, struct foud_pr *p)
{
	const struct foud_l2port *lp;

	foud_stt_show_port(d, p);
	TAILQ_FOREACH(lp, &d->l2ports, entry) {
		foud_pr_open_object(p, NULL);
		foud_pr_uint(p, "port", "port %u", lp->port);
		foud_pr_null(p, lp->fk->name, " %s");
		foud_show_family(p, lp->family);
		foud_pr_nl(p);
		foud_show_port_stats(p, &lp->st, lp->ev.fd, lp->sock_drops);
		foud_pr_close_object(p);
	}
}

/* ---- fdb commands ------------------------------------------------------- */

static struct foud_tunnel *fdb_dev(struct foud *d, const char *name, char *err, size_t errlen)
{
	struct foud_tunnel *t = foud_tunnel_find(d, name);

	if (!t || !t->l2) {
		snprintf(err, errlen, "\"%s\" is no %s", name, t ? "L2 device" : "link");
		return NULL;
	}
	return t;
}

int foud_fdb_exec(struct foud *d, const struct foud_cmd *cmd, char *err, size_t errlen)
{
	const struct foud_fdb_cfg *f = &cmd->fdb;
	struct foud_tunnel *t = fdb_dev(d, f->dev, err, errlen);
	struct foud_l2 *l;
	int ret;

	if (!t)
		return -ENODEV;
	l = t->l2;
	if (f->dst.family && f->dst.family != l->cfg.local.family) {
		snprintf(err, errlen, "dst is not of the device's address family");
		return -EINVAL;
	}
	if (fou_mac_is_zero(f->mac)) {
		if (cmd->op == FOUD_OP_DEL && !f->dst.family) {
			/* No dst: the whole flood list goes, as `bridge fdb del` does. */
			while (l->fdb.nflood)
				fou_fdb_flood_del(&l->fdb, &l->fdb.flood[l->fdb.nflood - 1]);
			ret = 0;
		} else if (cmd->op == FOUD_OP_DEL)
			ret = fou_fdb_flood_del(&l->fdb, &f->dst);
		else
			ret = fou_fdb_flood_add(&l->fdb, &f->dst);
	} else if (cmd->op == FOUD_OP_DEL) {
		ret = fou_fdb_del(&l->fdb, f->mac);
	} else {
		ret = fou_fdb_add(&l->fdb, f->mac, &f->dst, FOU_FDB_F_STATIC, now_ms());
	}
	if (ret)
		snprintf(err, errlen, "fdb %s: %s", cmd->op == FOUD_OP_DEL ? "del" : "add",
			 ret == -EEXIST ? "entry exists" : ret == -ENOENT ? "no such entry" :
			 ret == -ENOSPC ? "table full" : strerror(-ret));
	l2_peers_rebuild(l);
	return ret;
}

/* One entry as `bridge fdb show` words it (JSON: as `bridge -j`). */
static void fdb_line(struct foud_pr *p, const struct foud_tunnel *t, bool named,
		     const uint8_t *mac, const struct fou_addr *dst, const char *state, long long age)
{
	char a[64], m[18];

	snprintf(m, sizeof(m), "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	foud_pr_open_object(p, NULL);
	foud_pr_str(p, "mac", "%s", m);
	if (named)	/* bridge -j: no ifname when the command named the device */
		foud_pr_str(p, "ifname", " dev %s", t->name);
	else
		foud_pr_text(p, " dev %s", t->name);
	foud_pr_open_array(p, "flags");
	foud_pr_str(p, NULL, NULL, "self");
	foud_pr_close_array(p);
	foud_pr_str(p, "dst", " dst %s", fou_addr_str(dst, a, sizeof(a)));
	foud_pr_text(p, " self %s", state);
	/* bridge -j: a learned (reachable) entry's state is "", its age -s's "updated" */
	foud_pr_str(p, "state", NULL, age >= 0 ? "" : state);
	if (age >= 0 && (p->flags & FOUD_CTL_F_STATS))
		foud_pr_s64(p, "updated", NULL, age);
	if (age >= 0)
		foud_pr_text(p, " age %lld", age);
	foud_pr_nl(p);
	foud_pr_close_object(p);
}

static void fdb_show_dev(const struct foud_tunnel *t, bool named, struct foud_pr *p)
{
	static const uint8_t zero[FOU_ETH_ALEN];
	const struct fou_fdb_entry *e;
	uint64_t now = now_ms();
	size_t i, pos = 0;

	while ((e = fou_fdb_next(&t->l2->fdb, &pos))) {
		bool st = e->flags & FOU_FDB_F_STATIC;

		fdb_line(p, t, named, e->mac, &e->remote, st ? "permanent" : "learned",
			 st ? -1 : (long long)((now - e->updated) / 1000));
	}
	for (i = 0; i < t->l2->fdb.nflood; i++)
		fdb_line(p, t, named, zero, &t->l2->fdb.flood[i], "permanent", -1);
}

int foud_fdb_show(struct foud *d, const struct foud_cmd *cmd, struct foud_pr *p, char *err,
		  size_t errlen)
{
	const struct foud_tunnel *t;

	if (cmd->fdb.dev[0] && !fdb_dev(d, cmd->fdb.dev, err, errlen))
		return -ENODEV;
	foud_pr_open_array(p, NULL);
	TAILQ_FOREACH(t, &d->tunnels, entry)
		if (t->l2 && (!cmd->fdb.dev[0] || !strcmp(cmd->fdb.dev, t->name)))
			fdb_show_dev(t, !cmd->fdb.dev[0], p);
	foud_pr_close_array(p);
	return 0;
}

/* ---- link show ---------------------------------------------------------- */

/* GRE-TAP's own words: keys, checksums, sequence numbers, FOU/GUE. */
static void l2_show_gretap(const struct foud_tunnel *t, struct foud_pr *p)
{
	const struct fou_tnl *n = &t->tnl;

	foud_pr_bool(p, "pmtudisc", NULL, NULL, t->l2->df);
	foud_show_gre(p, n);
	if (n->encap == FOU_ENCAP_NONE)
		return;
	foud_pr_open_object(p, "encap");
	foud_pr_str(p, "type", " encap %s", fou_encap(n->encap)->name);
	foud_pr_uint(p, "sport", n->encap_sport ? " encap-sport %u" : NULL, n->encap_sport);
	if (!n->encap_sport)
		foud_pr_text(p, " encap-sport auto");
	foud_pr_uint(p, "dport", " encap-dport %u", n->encap_dport);
	foud_pr_bool(p, "csum", NULL, NULL, n->encap_flags & FOU_ENCAP_F_CSUM);
	foud_pr_bool(p, "csum6", NULL, NULL, n->encap_flags & FOU_ENCAP_F_CSUM6);
	foud_pr_bool(p, "remcsum", NULL, NULL, n->encap_flags & FOU_ENCAP_F_REMCSUM);
	foud_pr_close_object(p);
}

/*
 * The kind's own words. JSON has a UDP kind's ports and checksum first, as
 * `ip -j` does; text has the ports after GRE-TAP's words, the checksum later.
 */
static void l2_show_kind(const struct foud_tunnel *t, struct foud_pr *p)
{
	const struct foud_l2 *l = t->l2;
	const struct foud_l2_cfg *c = &l->cfg;

	if (c->kind == FOUD_L2_STT)
		foud_pr_uint(p, "port", NULL, FOU_PORT_STT);
	if (l->udp) {
		foud_pr_uint(p, "port", NULL, l->dport);
		/* JSON: the srcport configured, 0 0 for ip_local_port_range, as ip -j */
		foud_pr_open_object(p, "port_range");
		foud_pr_uint(p, "low", NULL, c->srcport_min);
		foud_pr_uint(p, "high", NULL, c->srcport_max);
		foud_pr_close_object(p);
		foud_pr_bool(p, "udp_csum", NULL, NULL, l->csum);
	}
	/* ip -j's df of VXLAN and Geneve: foud never sets DF on them */
	if (c->kind == FOUD_L2_VXLAN || c->kind == FOUD_L2_GENEVE)
		foud_pr_str(p, "df", NULL, "unset");
	if (c->kind == FOUD_L2_VXLAN)
		foud_pr_bool(p, "udp_zero_csum6_tx", NULL, NULL, c->udp6zerocsumtx);
	/* foud's IPv6 UDP sockets accept zero checksums, as fou6 (sock.c) */
	if (c->kind == FOUD_L2_VXLAN || c->kind == FOUD_L2_GENEVE)
		foud_pr_bool(p, "udp_zero_csum6_rx", NULL, NULL, true);
	if (!l->fk->id_word)
		l2_show_gretap(t, p);
	else if (c->kind == FOUD_L2_NVGRE)
		foud_pr_bool(p, "flowid", " flowid", " noflowid", !c->noflowid);
	else if (l->udp)
		foud_pr_text(p, " dstport %u", l->dport);
	if (l->udp)
		foud_pr_text(p, " srcport %u %u", l->sport_min, l->sport_max);
}

/* ttl and tos, as `ip -d link show` words them; JSON as ip -j: GRE's inherit is 0, VXLAN's none. */
static void l2_show_hop(const struct foud_l2 *l, struct foud_pr *p)
{
	const struct foud_l2_cfg *c = &l->cfg;

	if (c->ttl_inherit) {
		if (l->k->gre_match)
			foud_pr_uint(p, "ttl", NULL, 0);
		foud_pr_text(p, " ttl inherit");
	} else if (c->ttl) {
		foud_pr_uint(p, "ttl", " ttl %u", c->ttl);
	} else {
		/* 0: the default, 64 (1 towards a group) */
		foud_pr_uint(p, "ttl", NULL, 0);
		foud_pr_text(p, " ttl auto");
	}
	foud_show_tos(p, c->tos_inherit, c->tos);
}

/* geneve_opts as tc's tunnel_key prints them: CLASS:TYPE:DATA,... in hexadecimal. */
static void l2_show_geneve_opts(const struct foud_l2_cfg *c, struct foud_pr *p)
{
	const uint8_t *o = c->geneve_opts, *end = o + c->geneve_opts_len;
	char hex[2 * 0x1f * 4 + 1];
	size_t i, n;

	if (o == end)
		return;
	foud_pr_text(p, " geneve_opts ");
	foud_pr_open_array(p, "geneve_opts");
	/* The grammar wrote these TLVs: each is whole. */
	for (; o < end; o += FOU_GENEVE_OPT_HLEN + n) {
		n = (size_t)(o[3] & 0x1f) * 4;
		for (i = 0; i < n; i++)
			snprintf(hex + 2 * i, 3, "%02x", o[FOU_GENEVE_OPT_HLEN + i]);
		hex[2 * n] = '\0';
		if (o != c->geneve_opts)
			foud_pr_text(p, ",");
		foud_pr_open_object(p, NULL);
		foud_pr_uint(p, "class", "%04x", fou_get16(o));
		foud_pr_uint(p, "type", ":%02x", o[2]);
		foud_pr_str(p, "data", ":%s", hex);
		foud_pr_close_object(p);
	}
	foud_pr_close_array(p);
}

/* VXLAN's group is `group`; a GRE kind's is a multicast `remote`, as typed. */
static const char *l2_dest_word(const struct foud_l2 *l)
{
	return l->cfg.group.family && !l->k->gre_match ? "group" : "remote";
}

void foud_l2_show(const struct foud_tunnel *t, struct foud_pr *p)
{
	const struct foud_l2 *l = t->l2;
	const struct foud_l2_cfg *c = &l->cfg;
	const struct fou_addr *peer = c->group.family ? &c->group : &c->remote;
	char a[64];

	foud_pr_str(p, "info_kind", " %s", l->fk->name);
	foud_pr_open_object(p, "info_data");
	if (l->fk->id_word) {
		foud_pr_text(p, " %s", l->fk->id_word);
		foud_pr_u64(p, l->fk->id_word, " %llu", c->kind == FOUD_L2_STT ? c->key : c->vni);
	}
	foud_pr_text(p, " %s", l2_dest_word(l));
	foud_pr_str(p, l2_dest_word(l), " %s", fou_addr_str(peer, a, sizeof(a)));
	foud_pr_str(p, "local", " local %s", fou_addr_str(&c->local, a, sizeof(a)));
	if (c->group.family)
		foud_pr_text(p, " dev %s", c->dev);
	l2_show_kind(t, p);
	l2_show_geneve_opts(c, p);
	l2_show_hop(l, p);
	foud_pr_bool(p, "learning", " learning", " nolearning", c->learning);
	foud_pr_uint(p, "ageing", " ageing %u", c->ageing);
	if (c->maxaddress)	/* ip -j: none is no limit */
		foud_pr_uint(p, "limit", NULL, c->maxaddress);
	foud_pr_text(p, " maxaddress %u", c->maxaddress);
	if (l->udp)
		foud_pr_text(p, " %sudpcsum", l->csum ? "" : "no");
	foud_pr_text(p, " mtu %u\n", t->mtu);
	/* JSON has the table's figures under "foud" (foud_l2_show_fdb). */
	foud_pr_text(p, "    fdb entries %llu refused %llu\n", (unsigned long long)l->fdb.count,
		     (unsigned long long)l->fdb.refused);
	foud_pr_close_object(p);
}

/* GRE-TAP and NVGRE: ip -j says such a kernel device is bound to no device ("link": null). */
bool foud_l2_gre(const struct foud_tunnel *t)
{
	return t->l2 && t->l2->k->gre_match;
}

/* The forwarding table's entries and refused learning, for link show's "foud" (JSON). */
void foud_l2_show_fdb(const struct foud_tunnel *t, struct foud_pr *p)
{
	foud_pr_u64(p, "fdb_entries", NULL, t->l2->fdb.count);
	foud_pr_u64(p, "fdb_refused", NULL, t->l2->fdb.refused);
}
