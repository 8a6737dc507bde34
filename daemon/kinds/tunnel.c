/* SPDX-License-Identifier: MIT */
/*
 * L3 tunnels (ipip, sit, gre, ip6tnl, ip6gre, over FOU/GUE or not): a TUN
 * device each (foud_tunnel_ops). Transmit reads inner packets from the TUN,
 * segments super-packets, encapsulates in place and sends the batch on a
 * raw socket; receive matches a decapsulated packet to its tunnel by outer
 * addresses and GRE key, as the kernel does, and writes it to the TUN.
 */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "capture.h"
#include "ctl.h"
#include "foud.h"
#include "fou/pfx.h"

static void tunnel_drop(struct foud_tunnel *t, int reason, bool rx)
{
	if (reason <= 0 || reason >= FOU_DROP__MAX)
		reason = FOU_DROP_TX_ERROR;
	if (rx)
		t->st.rx_drop[reason]++;
	else
		t->st.tx_drop[reason]++;
}

/* ---- transmit ----------------------------------------------------------- */

static void txq_flush(struct foud *d, struct foud_tunnel *t, struct foud_txq *q)
{
	foud_cap_txq(t->ev.fd, q);
	/* local's: a fleet's device has no remote until the fleet gives it nodes. */
	if (foud_train_send(d, t, q, foud_raw_tx(d, t->tnl.local.family)))
		t->path_mtu = foud_path_mtu(&t->tnl.remote);
	foud_batch_reset(&d->txb, FOUD_HEADROOM);
}

/* Answers an oversized packet with ICMP "fragmentation needed"/"packet too big". */
static void tunnel_too_big(struct foud_tunnel *t, const uint8_t *pkt, size_t len, uint32_t mtu)
{
	uint8_t mem[FOU_VNET_HLEN + 1280 + 64];
	struct fou_buf b = { .head = mem, .cap = sizeof(mem), .off = FOU_VNET_HLEN };
	size_t n;

	if (fou_icmp_too_big(mem + b.off, sizeof(mem) - b.off, &n, pkt, len, mtu) == 0) {
		b.len = n;
		foud_tun_write(t->ev.fd, &b);
	}
}

static bool tunnel_df(const uint8_t *pkt, size_t len)
{
	/* IPv6 is never fragmented on the way; IPv4 only without DF. */
	return len < 7 || (pkt[0] >> 4) != 4 || (pkt[6] & 0x40);
}

/* A fleet's device (fleet prefix): the node behind the inner destination is the remote. */
static int tunnel_mp_dst(const struct foud_tunnel *t, const uint8_t *pkt, size_t len,
			 struct fou_tnl *n)
{
	const struct fou_pfx_ent *e;
	struct fou_addr dst;
	int ret = fou_pfx_inner_dst(pkt, len, &dst);

	if (ret)
		return ret;
	e = t->mp ? fou_pfx_lookup(t->mp, &dst) : NULL;
	if (!e)
		return -FOU_DROP_NO_ROUTE;
	*n = t->tnl;
	n->remote = e->nh;
	return 0;
}

/* Encapsulates the inner packet in b and queues it; returns 0 or -FOU_DROP_*. */
static int tunnel_encap(struct foud *d, struct foud_tunnel *t, struct foud_txq *q,
			struct fou_buf *b, const struct fou_remcsum *partial)
{
	size_t overhead = fou_tnl_overhead(&t->tnl);
	uint32_t limit = t->path_mtu > overhead ? t->path_mtu - (uint32_t)overhead : 0;
	uint32_t inner_len = (uint32_t)b->len;
	const struct fou_tnl *n = &t->tnl;
	struct fou_tnl mp;
	int i, ret;

	if (b->len > limit) {
		if (tunnel_df(fou_buf_data(b), b->len))
			tunnel_too_big(t, fou_buf_data(b), b->len, limit);
		return -FOU_DROP_MTU;
	}
	if (t->cfg.fleet_pfx.family && (ret = tunnel_mp_dst(t, fou_buf_data(b), b->len, &mp)))
		return ret;
	if (t->cfg.fleet_pfx.family)
		n = &mp;
	/* fou_tnl_encap() refuses, as -FOU_DROP_LOOP, a packet for the tunnel's own remote. */
	ret = fou_tnl_encap(b, n, &t->tx,
			    fou_flow_hash(fou_buf_data(b), b->len, d->hash_seed), partial);
	if (ret)
		return ret;
	i = foud_txq_add(q, b, inner_len);
	q->mm[i].msg_hdr.msg_name = &t->dst;
	q->mm[i].msg_hdr.msg_namelen = t->dst_len;
	if (n == &mp) {
		q->mm[i].msg_hdr.msg_name = &q->to[i];
		q->mm[i].msg_hdr.msg_namelen = foud_sockaddr(&q->to[i], &n->remote,
							     n->remote.family, 0);
	}
	return 0;
}

static struct fou_buf *txq_slot(struct foud *d, struct foud_tunnel *t, struct foud_txq *q)
{
	struct fou_buf *b;

	if (q->n == FOUD_BATCH)
		txq_flush(d, t, q);
	/* A slot whose packet was dropped half-built is reused from scratch. */
	b = &d->txb.buf[q->n];
	b->off = FOUD_HEADROOM;
	b->len = 0;
	return b;
}

/* UDP GSO for FOU and GUE: the encapsulation after UDP in front of each segment, one destination. */
struct tunnel_uso {
	struct foud_tunnel *t;
	const struct fou_gso *g;	/* whose segments are pushed: their headers, known */
	uint8_t tos, ttl;
	struct fou_remcsum rco;		/* with encap-remcsum: each segment's TCP checksum */
	bool use_rco;
	struct sockaddr_storage to;	/* a fleet's device: the node's address and port */
	socklen_t tolen;
};

static int tunnel_uso_push(struct fou_buf *b, void *arg)
{
	struct tunnel_uso *x = arg;
	struct fou_ip ip;

	fou_gso_seg_ip(x->g, fou_buf_data(b), b->len, &ip);
	return fou_tnl_encap_payload_ip(b, &x->t->tnl, &x->t->tx, x->use_rco ? &x->rco : NULL,
					&ip, &x->tos, &x->ttl);
}

static void tunnel_uso_to(void *arg, size_t i, struct foud_uso_to *to)
{
	const struct tunnel_uso *x = arg;

	(void)i;
	to->addr = x->tolen ? &x->to : &x->t->udp_dst;
	to->addrlen = x->tolen ? x->tolen : x->t->dst_len;
	to->tos = x->tos;
	to->ttl = x->ttl;
}

/* A fleet's device: the train goes to the node behind the inner destination. */
static int tunnel_uso_mp(const struct foud_tunnel *t, const uint8_t *pkt, size_t len,
			 struct tunnel_uso *x)
{
	struct fou_tnl n;
	int ret = tunnel_mp_dst(t, pkt, len, &n);

	if (!ret)
		x->tolen = foud_sockaddr(&x->to, &n.remote, n.remote.family, n.encap_dport);
	return ret;
}

/* A TCP super-packet in UDP GSO trains; 1 when that path does not apply. */
static int tunnel_tx_uso(struct foud *d, struct foud_tunnel *t, const struct fou_vnet_hdr *vh,
			 const uint8_t *pkt, size_t len)
{
	const struct fou_tnl *n = &t->tnl;
	size_t ohl = n->local.family == AF_INET ? FOU_IPV4_HLEN : FOU_IPV6_HLEN;
	struct fou_gso g;
	struct tunnel_uso x = { .t = t, .g = &g };
	const struct foud_uso_enc e = {
		.family = n->local.family, .hlen = fou_tnl_payload_hlen(n),
		.push = tunnel_uso_push, .arg = &x,
	};
	const struct foud_uso_dests ds = { .n = 1, .to = tunnel_uso_to, .arg = &x };
	uint16_t sport = n->encap_sport;

	if (n->encap == FOU_ENCAP_NONE || fou_gso_init(&g, vh, pkt, len))
		return 1;
	if (t->cfg.fleet_pfx.family && tunnel_uso_mp(t, pkt, len, &x))
		return 1;	/* no node for it: the slow way counts the drop */
	/* RCO on every segment: the receiver completes what we leave partial. */
	if (n->encap == FOU_ENCAP_GUE && (n->encap_flags & FOU_ENCAP_F_REMCSUM)) {
		g.partial = x.use_rco = true;
		x.rco.start = (uint16_t)g.l4off;
		x.rco.offset = (uint16_t)(g.l4off + 16);
	}
	/* Segments that would not fit the path go the slow way, which answers with ICMP. */
	if (g.hlen + g.mss + e.hlen + FOU_UDP_HLEN + ohl > t->path_mtu)
		return 1;
	if (!sport)
		sport = fou_flow_sport(fou_flow_hash(pkt, len, d->hash_seed), n->port_min,
				       n->port_max);
	return foud_uso_xmit(d, t, &g, &e, &n->local, sport, n->pmtudisc, &ds);
}

/* A TCP super-packet from TSO: cut into segments, each encapsulated. */
static int tunnel_tx_gso(struct foud *d, struct foud_tunnel *t, struct foud_txq *q,
			 const struct fou_vnet_hdr *vh, const uint8_t *pkt, size_t len)
{
	struct fou_gso g;
	struct fou_buf *b;
	int ret;

	/* Packets read earlier leave first: order matters to TCP and to GRE seq. */
	if (q->n)
		txq_flush(d, t, q);
	if (tunnel_tx_uso(d, t, vh, pkt, len) == 0)
		return 0;
	ret = fou_gso_init(&g, vh, pkt, len);
	if (ret)
		return ret;
	for (;;) {
		b = txq_slot(d, t, q);
		ret = fou_gso_next(&g, fou_buf_data(b), b->cap - b->off, &b->len);
		if (ret <= 0)
			return ret;
		ret = tunnel_encap(d, t, q, b, NULL);
		if (ret)
			tunnel_drop(t, -ret, false);
	}
}

static int tunnel_tx_one(struct foud *d, struct foud_tunnel *t, struct foud_txq *q,
			 const struct fou_vnet_hdr *vh, const uint8_t *pkt, size_t len)
{
	struct fou_remcsum partial, *pp = NULL;
	struct fou_buf *b;

	if (fou_vnet_is_gso(vh))
		return tunnel_tx_gso(d, t, q, vh, pkt, len);
	if (vh->flags & FOU_VNET_F_NEEDS_CSUM) {
		partial.start = vh->csum_start;
		partial.offset = (uint16_t)(vh->csum_start + vh->csum_offset);
		pp = &partial;
	}
	b = txq_slot(d, t, q);
	memcpy(fou_buf_data(b), pkt, len);
	b->len = len;
	return tunnel_encap(d, t, q, b, pp);
}

struct tunnel_rd {
	struct foud_tunnel *t;
	struct foud_txq q;
};

static int tunnel_read_one(struct foud *d, void *ctx, struct fou_vnet_hdr *vh, uint8_t *pkt,
			   size_t len)
{
	struct tunnel_rd *r = ctx;

	return tunnel_tx_one(d, r->t, &r->q, vh, pkt, len);
}

static void tunnel_readable(struct foud *d, struct foud_ev *ev)
{
	struct tunnel_rd r;

	/* The count only: foud_txq_add() clears each slot it fills (an initialiser cleared 16 KB a read). */
	r.t = foud_dev_of(ev);
	r.q.n = 0;
	foud_batch_reset(&d->txb, FOUD_HEADROOM);
	if (r.t->auth)	/* once a batch: see foud_gue_auth_seq() */
		r.t->tx.auth_seq = foud_gue_auth_seq(r.t->tx.auth_seq);
	foud_tun_drain(d, r.t, tunnel_read_one, &r);
	if (r.q.n)
		txq_flush(d, r.t, &r.q);
}

/* ---- receive ------------------------------------------------------------ */

static int tunnel_no_match(struct foud *d, const struct fou_rx *rx)
{
	return foud_tnl_peer(d, &rx->src, NULL, NULL) ? FOU_DROP_NO_TUNNEL : FOU_DROP_UNKNOWN_PEER;
}

/*
 * After the tunnels of one remote: a fleet's device (fleet prefix) takes
 * what else matches it, with the source as remote ("remote any").
 */
static struct foud_tunnel *tunnel_mp_match(struct foud *d, const struct fou_rx *rx,
					   struct fou_tnl *n)
{
	struct foud_tunnel *t;

	FOUD_DEV_FOREACH(t, d) {
		if (t->ops != &foud_tunnel_ops || !t->cfg.fleet_pfx.family)
			continue;
		*n = t->tnl;
		n->remote = rx->src;
		if (fou_tnl_match(n, rx))
			return t;
	}
	return NULL;
}

/* Every packet left by the other classes is an L3 tunnel's, or dropped here. */
static bool tunnel_input(struct foud *d, struct fou_buf *b, struct fou_rx *rx,
			 struct foud_stats *src_stats)
{
	struct foud_tunnel *t = foud_tnl_lookup(d, rx);
	const struct fou_tnl *n = NULL;
	struct fou_tnl mp;
	struct fou_ip ip;
	int ret;

	if (t)
		n = &t->tnl;
	else if ((t = tunnel_mp_match(d, rx, &mp)))
		n = &mp;
	if (!t) {
		ret = tunnel_no_match(d, rx);
		src_stats->rx_drop[ret]++;
		foud_log_drop("rx", ret, &rx->src);
		return true;
	}
	foud_cap_rx(t->ev.fd);
	/* Only the fleet's members: a node that left, or never joined, is unknown. */
	ret = t->cfg.fleet_pfx.family && !(t->mp && fou_pfx_peer(t->mp, &rx->src)) ?
	      -FOU_DROP_UNKNOWN_PEER : fou_tnl_decap_ip(b, n, &t->rx, rx, &ip);
	if (!ret && foud_nested(d, fou_buf_data(b), b->len, false))
		ret = -FOU_DROP_NESTED;
	if (ret) {
		tunnel_drop(t, -ret, true);
		foud_log_drop(t->name, -ret, &rx->src);
		return true;
	}
	foud_gro_input_ip(d, t, b, &ip);
	return true;
}

/* ---- link show ---------------------------------------------------------- */

/* ip's "proto" of ipip, sit and ip6tnl: what the kind carries inside. */
static void tunnel_show_proto(const struct fou_kind_ops *k, struct foud_pr *p)
{
	bool v4 = k->inner & FOU_INNER_V4, v6 = k->inner & FOU_INNER_V6;
	const char *in4 = k->family == AF_INET ? "ipip" : "ipip6";
	const char *in6 = k->family == AF_INET ? "ip6ip" : "ip6ip6";

	if (!k->gre)
		foud_pr_str(p, "proto", NULL, v4 && v6 ? "any" : v4 ? in4 : in6);
}

/*
 * ip6tnl's and ip6gre's words in ip -j: no encapsulation limit option goes
 * out; the traffic class (tos) or its inheritance; the flow label foud
 * configures, none (it sets the flow's hash, as the kernel's auto labels).
 */
static void tunnel_show_ip6(const struct fou_tnl *n, struct foud_pr *p)
{
	char h[8];

	foud_pr_bool(p, "ip6_tnl_f_ign_encap_limit", NULL, NULL, true);
	snprintf(h, sizeof(h), "0x%02x", n->tos);
	if (n->tos_inherit) {
		foud_pr_bool(p, "ip6_tnl_f_use_orig_tclass", " tos inherit", NULL, true);
	} else {
		foud_pr_str(p, "tclass", NULL, h);
		if (n->tos)
			foud_pr_text(p, " tos 0x%x", n->tos);
	}
	foud_pr_str(p, "flowlabel", NULL, "0x00000");
	if (!n->pmtudisc)
		foud_pr_text(p, " nopmtudisc");
}

/* An L3 tunnel's linkinfo; text: its first line (ending in mtu) and the encap line. */
static void tunnel_show(const struct foud_tunnel *t, struct foud_pr *p)
{
	const struct fou_tnl *n = &t->tnl;
	const struct fou_kind_ops *k = fou_kind(n->kind);
	char a[64];

	foud_pr_str(p, "info_kind", " %s", k->name);
	foud_pr_open_object(p, "info_data");
	tunnel_show_proto(k, p);
	/* A fleet's device has many: "any", as the kernel's NBMA tunnels. */
	foud_pr_str(p, "remote", " remote %s", t->cfg.fleet_pfx.family ? "any" :
		    fou_addr_str(&n->remote, a, sizeof(a)));
	foud_pr_str(p, "local", " local %s", fou_addr_str(&n->local, a, sizeof(a)));
	if (t->cfg.fleet_pfx.family)
		foud_pr_str(p, "fleet_prefix", " fleet prefix %s",
			    fou_pfx_str(&t->cfg.fleet_pfx, t->cfg.fleet_plen, a, sizeof(a)));
	foud_pr_uint(p, "ttl", n->ttl ? " ttl %u" : NULL, n->ttl);
	if (!n->ttl)
		foud_pr_text(p, " ttl inherit");
	if (k->family == AF_INET6) {
		tunnel_show_ip6(n, p);
	} else {
		foud_show_tos(p, n->tos_inherit, n->tos);
		foud_pr_bool(p, "pmtudisc", NULL, " nopmtudisc", n->pmtudisc);
	}
	if (k->gre)
		foud_show_gre(p, n);
	foud_pr_text(p, " mtu %u\n", t->mtu);
	foud_show_encap(p, n, true);
	foud_pr_close_object(p);
}

/* The device of the route to remote now (follow.c), or none. */
static const char *tunnel_underlay(const struct foud_tunnel *t, char buf[IF_NAMESIZE])
{
	if (!t->ul_ifindex || !if_indextoname((unsigned int)t->ul_ifindex, buf))
		return NULL;
	return buf;
}

const char *foud_tunnel_why(const struct foud_tunnel *t)
{
	/* A BPF tunnel whose route goes through a device the programs cannot send on. */
	if (t->bpf_egress && t->ul_ifindex && !t->bpf_oif)
		return "transmit by userspace: BPF cannot send on the underlay";
	return t->bpf_egress ? NULL : t->dp_why;
}

/* -d: the path, the state and the underlay device, as follow.c last heard. */
static void tunnel_show_path(struct foud *d, const struct foud_tunnel *t, struct foud_pr *p)
{
	const char *state = !d->follow ? "unknown" : t->dev_up ? "up" : "down";
	const char *why = foud_tunnel_why(t);
	char b[IF_NAMESIZE];
	const char *ul = tunnel_underlay(t, b);
	unsigned int slow;

	foud_pr_text(p, "    ifindex %d state %s underlay %s", t->ifindex, state,
		     ul ? ul : "none (no route)");
	foud_pr_uint(p, "path_mtu", " path-mtu %u", t->path_mtu);
	foud_pr_u64(p, "overhead", " overhead %llu", fou_tnl_overhead(&t->tnl));
	foud_pr_str(p, "datapath", " datapath %s", t->bpf_egress ? "bpf" : "userspace");
	if (why)
		foud_pr_text(p, " (%s)", why);
	/* A fleet's nodes behind another device than the underlay: foud sends to those. */
	if ((slow = foud_bpf_mp_userspace(d, t)))
		foud_pr_uint(p, "datapath_userspace_prefixes", " (%u fleet prefixes by userspace: their "
			     "node's route is not through the underlay)", slow);
	foud_pr_bool(p, "offload", " offload on\n", " offload off\n", t->offload);
	foud_pr_str(p, "state", NULL, state);
	if (ul)
		foud_pr_str(p, "underlay", NULL, ul);
	else
		foud_pr_null(p, "underlay", NULL);
	if (why)
		foud_pr_str(p, "datapath_reason", NULL, why);
}

/* ---- configuration ------------------------------------------------------ */

/* The raw protocols a plain tunnel receives on. */
static int tunnel_raw_protos(const struct fou_tnl *tnl, uint8_t protos[2])
{
	const struct fou_kind_ops *k = fou_kind(tnl->kind);
	int n = 0;

	if (tnl->encap != FOU_ENCAP_NONE)
		return 0;
	if (k->gre) {
		protos[n++] = FOU_PROTO_GRE;
		return n;
	}
	if (k->inner & FOU_INNER_V4)
		protos[n++] = FOU_PROTO_IPIP;
	if (k->inner & FOU_INNER_V6)
		protos[n++] = FOU_PROTO_IPV6;
	return n;
}
static void tunnel_raw_put(struct foud *d, const struct fou_tnl *tnl, int upto)
{
	uint8_t protos[2];
	int i, n = tunnel_raw_protos(tnl, protos);

	for (i = 0; i < n && i < upto; i++)
		foud_raw_put(d, tnl->local.family, protos[i]);
}

static int tunnel_raw_get(struct foud *d, const struct fou_tnl *tnl)
{
	uint8_t protos[2];
	int i, ret, n = tunnel_raw_protos(tnl, protos);

	for (i = 0; i < n; i++) {
		ret = foud_raw_get(d, tnl->local.family, protos[i]);
		if (ret) {
			tunnel_raw_put(d, tnl, i);
			return ret;
		}
	}
	return 0;
}

/*
 * A kernel ipip device has no IPv6 at all; without this, router
 * solicitations and MLD reports would reach foud only to be dropped.
 */
static void tunnel_no_ipv6(const struct foud_tunnel *t)
{
	char path[96];
	FILE *f;

	if (fou_kind(t->tnl.kind)->inner & FOU_INNER_V6)
		return;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", t->name);
	f = fopen(path, "we");
	if (f) {
		fputs("1\n", f);
		fclose(f);
	}
}

static int tunnel_open_dev(struct foud *d, struct foud_tunnel *t,
			   const struct cmd_link_cfg *cfg, char *err, size_t errlen)
{
	size_t overhead = fou_tnl_overhead(&t->tnl);
	char a[64];
	int fd, ret;

	ret = foud_dev_open_tun(d, t, false, err, errlen);
	if (ret)
		return ret;
	fd = t->ev.fd;
	tunnel_no_ipv6(t);
	if (d->offload && d->udp_gso)
		t->tnl.encap_flags |= FOU_ENCAP_F_CSUM_GSO;
	t->path_mtu = foud_path_mtu(&t->tnl.remote);
	t->mtu = cfg->mtu ? cfg->mtu : t->path_mtu - (uint32_t)overhead;
	t->mtu_auto = !cfg->mtu;
	/* follow.c keeps the route's device, the path MTU and mtu_auto's MTU current. */
	ret = foud_rtnl_route_oif(&t->tnl.remote);
	t->ul_ifindex = ret > 0 ? ret : 0;
	t->dev_up = foud_dev_up(t->name) == 1;
	if (!t->ul_ifindex && !t->cfg.fleet_pfx.family)
		foud_log(LOG_WARNING, "%s: no route to %s yet: its packets are dropped (no_route) "
			 "until one appears", t->name, fou_addr_str(&t->tnl.remote, a, sizeof(a)));
	ret = foud_tun_set_mtu(t->name, t->mtu);
	if (ret) {
		snprintf(err, errlen, "cannot set mtu %u on \"%s\": %s", t->mtu, t->name,
			 strerror(-ret));
		goto err_close;
	}
	ret = tunnel_raw_get(d, &t->tnl);
	if (ret) {
		snprintf(err, errlen, "cannot open raw socket: %s", strerror(-ret));
		goto err_close;
	}
	ret = foud_loop_add(d, &t->ev);
	if (ret) {
		snprintf(err, errlen, "cannot watch \"%s\": %s", t->name, strerror(-ret));
		tunnel_raw_put(d, &t->tnl, 2);
		goto err_close;
	}
	/* The TUN and sockets stay: BPF leaves foud whatever it does not carry. */
	ret = foud_bpf_tunnel_add(d, t, cfg->datapath, err, errlen);
	if (ret) {
		foud_loop_del(d, &t->ev);
		tunnel_raw_put(d, &t->tnl, 2);
		goto err_close;
	}
	foud_uso_fit_device(d, t);
	return 0;
err_close:
	foud_tun_close(d, fd);
	return ret;
}

/* The keys first: the data path chosen next depends on them. Received packets find it by hash. */
static int tunnel_open(struct foud *d, struct foud_tunnel *t, const struct cmd_link_cfg *cfg,
		       char *err, size_t errlen)
{
	int ret = foud_tnl_index(d, t);

	if (ret)
		snprintf(err, errlen, "out of memory");
	else
		ret = foud_gue_auth_open(t, cfg, err, errlen);
	if (!ret) {
		ret = tunnel_open_dev(d, t, cfg, err, errlen);
		if (ret)
			foud_gue_auth_close(t);
	}
	if (ret)
		foud_tnl_unindex(d, t);
	return ret;
}

static void tunnel_close(struct foud *d, struct foud_tunnel *t)
{
	foud_tnl_unindex(d, t);
	tunnel_raw_put(d, &t->tnl, 2);
	foud_gue_auth_close(t);
	if (t->mp) {
		fou_pfx_free(t->mp);
		free(t->mp);
		t->mp = NULL;
	}
}

/* -d: the path and the device's state; UDP GSO's when it sends with it; the programs' counters. */
static void tunnel_details(struct foud *d, const struct foud_tunnel *t, struct foud_pr *p)
{
	tunnel_show_path(d, t, p);
	foud_gue_auth_show(t, p);
	/* Raw-socket tunnels never send with UDP_SEGMENT. */
	if (t->bpf_egress || t->tnl.encap != FOU_ENCAP_NONE)
		foud_show_gso(d, t, p);
	if ((p->flags & CTL_F_STATS) && t->bpf_egress)
		foud_show_bpf_stats(d, t, p);
}

const struct foud_dev_ops foud_tunnel_ops = {
	FOUD_DEV_OPS(tunnel),
	.flags = FOUD_DEV_F_ROUTE,
	.input = tunnel_input,
	.show_details = tunnel_details,
};
