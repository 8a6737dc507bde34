/* SPDX-License-Identifier: MIT */
/*
 * Tunnels: a TUN device each. Transmit reads inner packets from the TUN,
 * segments super-packets, encapsulates in place and sends the batch on a
 * raw socket; receive matches a decapsulated packet to its tunnel by outer
 * addresses and GRE key, as the kernel does, and writes it to the TUN.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "event.h"
#include "foud.h"

static struct foud_tunnel *ev_tunnel(struct foud_ev *ev)
{
	return (struct foud_tunnel *)((char *)ev - offsetof(struct foud_tunnel, ev));
}

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
	if (foud_txq_send(q, foud_raw_tx(d, t->tnl.remote.family), &t->st))
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

/* Encapsulates the inner packet in b and queues it; returns 0 or -FOU_DROP_*. */
static int tunnel_encap(struct foud *d, struct foud_tunnel *t, struct foud_txq *q,
			struct fou_buf *b, const struct fou_remcsum *partial)
{
	size_t overhead = fou_tnl_overhead(&t->tnl);
	uint32_t limit = t->path_mtu > overhead ? t->path_mtu - (uint32_t)overhead : 0;
	uint32_t inner_len = (uint32_t)b->len;
	int i, ret;

	if (b->len > limit) {
		if (tunnel_df(fou_buf_data(b), b->len))
			tunnel_too_big(t, fou_buf_data(b), b->len, limit);
		return -FOU_DROP_MTU;
	}
	/* fou_tnl_encap() refuses, as -FOU_DROP_LOOP, a packet for the tunnel's own remote. */
	ret = fou_tnl_encap(b, &t->tnl, &t->tx,
			    fou_flow_hash(fou_buf_data(b), b->len, d->hash_seed), partial);
	if (ret)
		return ret;
	i = foud_txq_add(q, b, inner_len);
	q->mm[i].msg_hdr.msg_name = &t->dst;
	q->mm[i].msg_hdr.msg_namelen = t->dst_len;
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
	uint8_t tos, ttl;
};

static int tunnel_uso_push(struct fou_buf *b, void *arg)
{
	struct tunnel_uso *x = arg;

	return fou_tnl_encap_payload(b, &x->t->tnl, &x->t->tx, &x->tos, &x->ttl);
}

static void tunnel_uso_to(void *arg, size_t i, struct foud_uso_to *to)
{
	const struct tunnel_uso *x = arg;

	(void)i;
	to->addr = &x->t->udp_dst;
	to->addrlen = x->t->dst_len;
	to->tos = x->tos;
	to->ttl = x->ttl;
}

/* A TCP super-packet in UDP GSO trains; 1 when that path does not apply. */
static int tunnel_tx_uso(struct foud *d, struct foud_tunnel *t, const struct fou_vnet_hdr *vh,
			 const uint8_t *pkt, size_t len)
{
	const struct fou_tnl *n = &t->tnl;
	size_t ohl = n->local.family == AF_INET ? FOU_IPV4_HLEN : FOU_IPV6_HLEN;
	struct tunnel_uso x = { .t = t };
	const struct foud_uso_enc e = {
		.family = n->local.family, .hlen = fou_tnl_payload_hlen(n),
		.push = tunnel_uso_push, .arg = &x,
	};
	const struct foud_uso_dests ds = { .n = 1, .to = tunnel_uso_to, .arg = &x };
	struct fou_gso g;
	uint16_t sport = n->encap_sport;

	if (n->encap == FOU_ENCAP_NONE || fou_gso_init(&g, vh, pkt, len))
		return 1;
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

static int tunnel_tx_one(struct foud *d, struct foud_tunnel *t, struct foud_txq *q, size_t n)
{
	struct fou_vnet_hdr vh;
	const uint8_t *pkt = d->scratch + FOU_VNET_HLEN;
	size_t len = n - FOU_VNET_HLEN;
	struct fou_remcsum partial, *pp = NULL;
	struct fou_buf *b;
	int ret;

	ret = fou_vnet_parse(d->scratch, n, &vh);
	if (ret)
		return ret;
	if ((vh.gso_type & ~FOU_VNET_GSO_ECN) != FOU_VNET_GSO_NONE)
		return tunnel_tx_gso(d, t, q, &vh, pkt, len);
	if (vh.flags & FOU_VNET_F_NEEDS_CSUM) {
		partial.start = vh.csum_start;
		partial.offset = (uint16_t)(vh.csum_start + vh.csum_offset);
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

static int tunnel_read_one(struct foud *d, void *ctx, size_t n)
{
	struct tunnel_rd *r = ctx;

	return tunnel_tx_one(d, r->t, &r->q, n);
}

static void tunnel_readable(struct foud *d, struct foud_ev *ev)
{
	struct tunnel_rd r = { .t = ev_tunnel(ev), .q.n = 0 };

	foud_batch_reset(&d->txb, FOUD_HEADROOM);
	foud_tun_drain(d, ev->fd, r.t->name, &r.t->st, tunnel_read_one, &r);
	if (r.q.n)
		txq_flush(d, r.t, &r.q);
}

/* ---- receive ------------------------------------------------------------ */

static int tunnel_no_match(struct foud *d, const struct fou_rx *rx)
{
	struct foud_tunnel *t;

	TAILQ_FOREACH(t, &d->tunnels, entry)
		if (!t->l2 && fou_addr_eq(&t->tnl.remote, &rx->src))
			return FOU_DROP_NO_TUNNEL;
	return FOU_DROP_UNKNOWN_PEER;
}

void foud_tunnel_input(struct foud *d, struct fou_buf *b, struct fou_rx *rx,
		       struct foud_stats *src_stats)
{
	struct foud_tunnel *t;
	int ret;

	if (rx->proto == FOU_PROTO_GRE && rx->gre.proto == FOU_ETH_P_TEB) {
		foud_l2_gre_input(d, b, rx, src_stats);
		return;
	}
	TAILQ_FOREACH(t, &d->tunnels, entry)
		if (!t->l2 && fou_tnl_match(&t->tnl, rx))
			break;
	if (!t) {
		ret = tunnel_no_match(d, rx);
		src_stats->rx_drop[ret]++;
		foud_log_drop("rx", ret, &rx->src);
		return;
	}
	ret = fou_tnl_decap(b, &t->tnl, &t->rx, rx);
	if (!ret && foud_nested(d, fou_buf_data(b), b->len, false))
		ret = -FOU_DROP_NESTED;
	if (ret) {
		tunnel_drop(t, -ret, true);
		foud_log_drop(t->name, -ret, &rx->src);
		return;
	}
	foud_gro_input(d, t, b, 0);
}

/* ---- configuration ------------------------------------------------------ */

struct foud_tunnel *foud_tunnel_find(struct foud *d, const char *name)
{
	struct foud_tunnel *t;

	TAILQ_FOREACH(t, &d->tunnels, entry)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

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
		foud_raw_put(d, tnl->remote.family, protos[i]);
}

static int tunnel_raw_get(struct foud *d, const struct fou_tnl *tnl)
{
	uint8_t protos[2];
	int i, ret, n = tunnel_raw_protos(tnl, protos);

	for (i = 0; i < n; i++) {
		ret = foud_raw_get(d, tnl->remote.family, protos[i]);
		if (ret) {
			tunnel_raw_put(d, tnl, i);
			return ret;
		}
	}
	return 0;
}

/* The remote as the raw socket wants it (port 0) and as UDP sends want it. */
static void tunnel_dst(struct foud_tunnel *t)
{
	const struct fou_addr *r = &t->tnl.remote;

	t->dst_len = foud_sockaddr(&t->dst, r, r->family, 0);
	foud_sockaddr(&t->udp_dst, r, r->family, t->tnl.encap_dport);
	foud_uso_init(t);
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

static int tunnel_open(struct foud *d, struct foud_tunnel *t, const struct foud_link_cfg *cfg,
		       char *err, size_t errlen)
{
	size_t overhead = fou_tnl_overhead(&t->tnl);
	char a[64];
	int fd, ret;

	fd = foud_tun_open(t->name, false, d->offload, &t->offload, &t->ifindex);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create device \"%s\": %s", t->name, strerror(-fd));
		return fd;
	}
	t->ev.fd = fd;
	t->ev.fn = tunnel_readable;
	tunnel_no_ipv6(t);
	t->path_mtu = foud_path_mtu(&t->tnl.remote);
	t->mtu = cfg->mtu ? cfg->mtu : t->path_mtu - (uint32_t)overhead;
	t->mtu_auto = !cfg->mtu;
	/* follow.c keeps the route's device, the path MTU and mtu_auto's MTU current. */
	ret = foud_rtnl_route_oif(&t->tnl.remote);
	t->ul_ifindex = ret > 0 ? ret : 0;
	t->dev_up = foud_dev_up(t->name) == 1;
	if (!t->ul_ifindex)
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
	close(fd);
	return ret;
}

int foud_tunnel_add(struct foud *d, const struct foud_link_cfg *cfg, char *err, size_t errlen)
{
	struct foud_tunnel *t;
	int ret;

	if (foud_tunnel_find(d, cfg->name)) {
		snprintf(err, errlen, "link \"%s\" already exists", cfg->name);
		return -EEXIST;
	}
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	snprintf(t->name, sizeof(t->name), "%s", cfg->name);
	t->ev.fd = -1;
	t->tnl = cfg->tnl;
	if (!t->tnl.port_min || t->tnl.port_min >= t->tnl.port_max)
		foud_local_port_range(&t->tnl.port_min, &t->tnl.port_max);
	tunnel_dst(t);
	if (cfg->l2.kind != FOUD_L2_NONE) {
		ret = foud_l2_open(d, t, cfg, err, errlen);
		if (!ret)
			ret = foud_bpf_tunnel_add(d, t, cfg->datapath, err, errlen);
		if (ret) {
			if (t->ev.fd >= 0)
				close(t->ev.fd);
			foud_l2_close(d, t);
		}
	} else {
		ret = tunnel_open(d, t, cfg, err, errlen);
	}
	if (ret) {
		free(t);
		return ret;
	}
	TAILQ_INSERT_TAIL(&d->tunnels, t, entry);
	/* A BPF tunnel's port receives without GRO (receive points mirror themselves: ours.c). */
	foud_bpf_ports_changed(d);
	foud_log(LOG_INFO, "link %s added (mtu %u)", t->name, t->mtu);
	foud_event(d, &(struct foud_event){ .type = FOUD_EVT_LINK_NEW, .t = t });
	return 0;
}

static void tunnel_free(struct foud *d, struct foud_tunnel *t)
{
	foud_event(d, &(struct foud_event){ .type = FOUD_EVT_LINK_DEL, .t = t });
	TAILQ_REMOVE(&d->tunnels, t, entry);
	foud_bpf_tunnel_del(d, t);
	foud_loop_del(d, &t->ev);
	close(t->ev.fd);
	foud_uso_close(t);
	foud_gro_forget(d, t);
	if (t->l2)
		foud_l2_close(d, t);
	else
		tunnel_raw_put(d, &t->tnl, 2);
	free(t);
}

int foud_tunnel_del(struct foud *d, const char *name, char *err, size_t errlen)
{
	struct foud_tunnel *t = foud_tunnel_find(d, name);

	if (!t) {
		snprintf(err, errlen, "no link \"%s\"", name);
		return -ENODEV;
	}
	tunnel_free(d, t);
	return 0;
}

void foud_tunnel_free_all(struct foud *d)
{
	while (!TAILQ_EMPTY(&d->tunnels))
		tunnel_free(d, TAILQ_FIRST(&d->tunnels));
}
