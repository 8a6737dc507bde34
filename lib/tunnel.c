// SPDX-License-Identifier: MIT
/*
 * Tunnel kinds and the full encapsulation / decapsulation of one packet,
 * following net/ipv4/ip_tunnel.c (ip_tunnel_xmit, ip_tunnel_rcv), ip_gre.c
 * and fou_core.c.
 */
#include <errno.h>
#include <string.h>

#include "fou/fou.h"
#include "fou/gue_auth.h"

struct kind_def {
	struct fou_kind_ops ops;
	uint8_t protos[2];	/* outer IP protocols accepted on receive, 0 = none */
};

static const struct kind_def kinds[FOU_KIND__MAX] = {
	[FOU_KIND_IPIP] = {
		{ "ipip", AF_INET, FOU_INNER_V4, false },
		{ FOU_PROTO_IPIP, 0 },
	},
	[FOU_KIND_SIT] = {
		{ "sit", AF_INET, FOU_INNER_V6, false },
		{ FOU_PROTO_IPV6, 0 },
	},
	[FOU_KIND_GRE] = {
		{ "gre", AF_INET, FOU_INNER_V4 | FOU_INNER_V6, true },
		{ FOU_PROTO_GRE, 0 },
	},
	[FOU_KIND_IP6TNL] = {
		{ "ip6tnl", AF_INET6, FOU_INNER_V4 | FOU_INNER_V6, false },
		{ FOU_PROTO_IPIP, FOU_PROTO_IPV6 },
	},
	[FOU_KIND_IP6GRE] = {
		{ "ip6gre", AF_INET6, FOU_INNER_V4 | FOU_INNER_V6, true },
		{ FOU_PROTO_GRE, 0 },
	},
};

const struct fou_kind_ops *fou_kind(enum fou_kind k)
{
	if ((unsigned int)k >= FOU_KIND__MAX)
		return NULL;
	return &kinds[k].ops;
}

int fou_kind_lookup(const char *name)
{
	int i;

	for (i = 0; i < FOU_KIND__MAX; i++)
		if (strcmp(kinds[i].ops.name, name) == 0)
			return i;
	return -EINVAL;
}

static size_t ip_hlen(int family)
{
	return family == AF_INET6 ? FOU_IPV6_HLEN : FOU_IPV4_HLEN;
}

size_t fou_tnl_overhead(const struct fou_tnl *t)
{
	const struct fou_kind_ops *k = fou_kind(t->kind);
	const struct fou_encap_ops *e = fou_encap(t->encap);
	size_t n;

	if (!k || !e)
		return 0;
	n = ip_hlen(k->family) + e->hdr_len(t->encap_flags);
	if (k->gre)
		n += fou_gre_hdr_len(t->gre_oflags);
	return n;
}

/* ---- transmit ----------------------------------------------------------- */

/* What encapsulation needs from the inner packet. */
struct inner {
	struct fou_ip ip;
	uint8_t flag;		/* FOU_INNER_V4 or FOU_INNER_V6 */
};

/* The checks of the inner header in in->ip, already parsed. */
static int inner_take(struct fou_buf *b, const struct fou_tnl *t,
		      const struct fou_kind_ops *k, struct inner *in)
{
	in->flag = in->ip.family == AF_INET ? FOU_INNER_V4 : FOU_INNER_V6;
	if (!(k->inner & in->flag))
		return -FOU_DROP_INNER_PROTO;
	/* Routed back into ourselves: the outer packet would follow it. */
	if (fou_addr_eq(&in->ip.dst, &t->remote))
		return -FOU_DROP_LOOP;
	b->len = in->ip.tot_len;
	return 0;
}

static int inner_parse(struct fou_buf *b, const struct fou_tnl *t,
		       const struct fou_kind_ops *k, struct inner *in)
{
	int err = fou_ip_parse(fou_buf_data(b), b->len, &in->ip);

	return err ? err : inner_take(b, t, k, in);
}

static bool tnl_rco(const struct fou_tnl *t)
{
	return t->encap == FOU_ENCAP_GUE && (t->encap_flags & FOU_ENCAP_F_REMCSUM) &&
	       !(t->encap_flags & FOU_ENCAP_F_AUTH);
}

static bool want_rco(const struct fou_tnl *t, const struct fou_remcsum *partial)
{
	return partial && tnl_rco(t);
}

static int complete_partial(struct fou_buf *b, const struct fou_remcsum *p)
{
	if (p->offset < p->start)
		return -FOU_DROP_BAD_GSO;
	return fou_csum_complete(fou_buf_data(b), b->len, p->start,
				 (size_t)p->offset - p->start);
}

/*
 * GRE checksum over a payload whose inner checksum stays partial for RCO:
 * like the kernel's local checksum offload, sum it as if completed.
 */
static int gre_push_lco(struct fou_buf *b, const struct fou_gre *g,
			const struct fou_remcsum *p)
{
	uint8_t *f = fou_buf_data(b) + p->offset;
	uint8_t saved[2] = { f[0], f[1] };
	int err;

	err = complete_partial(b, p);
	if (!err)
		err = fou_gre_push(b, g);
	f[0] = saved[0];
	f[1] = saved[1];
	return err;
}

static int encap_gre(struct fou_buf *b, const struct fou_tnl *t, struct fou_tnl_tx *st,
		     const struct inner *in, const struct fou_remcsum *rco_partial)
{
	struct fou_gre g = {
		.flags = t->gre_oflags,
		.proto = in->flag == FOU_INNER_V4 ? FOU_ETH_P_IP : FOU_ETH_P_IPV6,
		.key = t->okey,
	};

	/* As __gre_xmit(): the counter advances first, so the first seq is 1. */
	if (t->gre_oflags & FOU_GRE_SEQ)
		g.seq = ++st->oseq;
	if (rco_partial && (t->gre_oflags & FOU_GRE_CSUM))
		return gre_push_lco(b, &g, rco_partial);
	return fou_gre_push(b, &g);
}

static uint8_t outer_tos(const struct fou_tnl *t, const struct inner *in)
{
	return fou_ecn_encap(t->tos_inherit ? in->ip.tos : t->tos, in->ip.tos);
}

static int push_outer_ip(struct fou_buf *b, const struct fou_tnl *t, struct fou_tnl_tx *st,
			 const struct inner *in, uint8_t proto, uint32_t hash)
{
	struct fou_ip_params p = {
		.src = t->local,
		.dst = t->remote,
		.proto = proto,
		.tos = outer_tos(t, in),
		.ttl = t->ttl ? t->ttl : in->ip.ttl,
		.df = t->pmtudisc || (in->ip.family == AF_INET && (in->ip.frag & FOU_IP_DF)),
		/* As ip6_make_flowlabel(): the flow hash rotated, 20 bits. */
		.flowlabel = (hash << 16 | hash >> 16) & 0xfffff,
	};

	if (p.src.family == AF_INET)
		p.id = st->ip_id++;
	return fou_ip_push(b, &p);
}

static int push_udp(struct fou_buf *b, const struct fou_tnl *t, uint32_t hash, bool rco)
{
	uint16_t flag = t->local.family == AF_INET6 ? FOU_ENCAP_F_CSUM6 : FOU_ENCAP_F_CSUM;
	uint16_t sport = t->encap_sport;

	if (!sport)
		sport = fou_flow_sport(hash, t->port_min, t->port_max);
	/* RCO is only sound when the outer checksum covers the payload. */
	return fou_udp_push(b, sport, t->encap_dport, &t->local, &t->remote,
			    rco || (t->encap_flags & (flag | FOU_ENCAP_F_CSUM_GSO)));
}

static int encap_check(const struct fou_tnl *t, const struct fou_kind_ops *k,
		       const struct fou_encap_ops *e)
{
	if (!k || !e)
		return -FOU_DROP_NO_TUNNEL;
	if (t->local.family != k->family || t->remote.family != k->family)
		return -FOU_DROP_NO_TUNNEL;
	return 0;
}

/* Authenticated GUE (never with RCO): signed with the first key, each datagram its sequence. */
static int encap_auth(struct fou_buf *b, const struct fou_tnl *t, struct fou_tnl_tx *st,
		      uint8_t proto)
{
	if (t->encap != FOU_ENCAP_GUE || !t->auth || !t->auth->n)
		return -FOU_DROP_AUTH;
	return fou_gue_auth_push(b, proto, &t->auth->key[0], st->auth_seq++);
}

/* GRE, then the encapsulation header with RCO; returns the next protocol. */
static int encap_inner(struct fou_buf *b, const struct fou_tnl *t, struct fou_tnl_tx *st,
		       const struct inner *in, const struct fou_remcsum *rcop)
{
	const struct fou_encap_ops *e = fou_encap(t->encap);
	struct fou_remcsum rc;
	uint8_t proto;
	size_t gre_len = 0;
	int err;

	proto = in->flag == FOU_INNER_V4 ? FOU_PROTO_IPIP : FOU_PROTO_IPV6;
	if (fou_kind(t->kind)->gre) {
		gre_len = fou_gre_hdr_len(t->gre_oflags);
		err = encap_gre(b, t, st, in, rcop);
		if (err)
			return err;
		proto = FOU_PROTO_GRE;
	}
	if (rcop) {
		/* Offsets from the GUE payload, which starts at the GRE header. */
		rc.start = (uint16_t)(rcop->start + gre_len);
		rc.offset = (uint16_t)(rcop->offset + gre_len);
	}
	if (t->encap_flags & FOU_ENCAP_F_AUTH)
		err = encap_auth(b, t, st, proto);
	else
		err = e->push(b, proto, rcop ? &rc : NULL);
	return err ? err : proto;
}

int fou_tnl_encap(struct fou_buf *b, const struct fou_tnl *t, struct fou_tnl_tx *st,
		  uint32_t hash, const struct fou_remcsum *partial)
{
	const struct fou_kind_ops *k = fou_kind(t->kind);
	bool rco = want_rco(t, partial);
	struct inner in;
	int proto, err;

	err = encap_check(t, k, fou_encap(t->encap));
	if (err)
		return err;
	err = inner_parse(b, t, k, &in);
	if (err)
		return err;
	if (partial) {
		if (partial->offset < partial->start ||
		    (size_t)partial->offset + 2 > b->len)
			return -FOU_DROP_BAD_GSO;
		if (!rco) {
			err = complete_partial(b, partial);
			if (err)
				return err;
		}
	}
	proto = encap_inner(b, t, st, &in, rco ? partial : NULL);
	if (proto < 0)
		return proto;
	if (t->encap != FOU_ENCAP_NONE) {
		err = push_udp(b, t, hash, rco);
		if (err)
			return err;
		proto = FOU_PROTO_UDP;
	}
	return push_outer_ip(b, t, st, &in, (uint8_t)proto, hash);
}

/* Every datagram of a train has the same header: RCO on all of them or on none. */
static int payload_rco_check(const struct fou_buf *b, const struct fou_tnl *t,
			     const struct fou_remcsum *partial)
{
	if (!partial)
		return tnl_rco(t) ? -FOU_DROP_BAD_GSO : 0;
	if (!tnl_rco(t) || partial->offset < partial->start ||
	    (size_t)partial->offset + 2 > b->len)
		return -FOU_DROP_BAD_GSO;
	return 0;
}

int fou_tnl_encap_payload(struct fou_buf *b, const struct fou_tnl *t, struct fou_tnl_tx *st,
			  const struct fou_remcsum *partial, uint8_t *tos, uint8_t *ttl)
{
	return fou_tnl_encap_payload_ip(b, t, st, partial, NULL, tos, ttl);
}

int fou_tnl_encap_payload_ip(struct fou_buf *b, const struct fou_tnl *t, struct fou_tnl_tx *st,
			     const struct fou_remcsum *partial, const struct fou_ip *ip,
			     uint8_t *tos, uint8_t *ttl)
{
	const struct fou_kind_ops *k = fou_kind(t->kind);
	struct inner in;
	int err;

	err = encap_check(t, k, fou_encap(t->encap));
	if (!err && t->encap == FOU_ENCAP_NONE)
		err = -FOU_DROP_NO_TUNNEL;
	if (!err && ip)
		in.ip = *ip;
	if (!err)
		err = ip ? inner_take(b, t, k, &in) : inner_parse(b, t, k, &in);
	if (!err)
		err = payload_rco_check(b, t, partial);
	if (err)
		return err;
	err = encap_inner(b, t, st, &in, partial);
	if (err < 0)
		return err;
	*tos = outer_tos(t, &in);
	*ttl = t->ttl ? t->ttl : in.ip.ttl;
	return 0;
}

size_t fou_tnl_payload_hlen(const struct fou_tnl *t)
{
	const struct fou_kind_ops *k = fou_kind(t->kind);
	size_t n = t->encap == FOU_ENCAP_GUE ? fou_gue_hdr_len(tnl_rco(t)) : 0;

	if (t->encap == FOU_ENCAP_GUE && (t->encap_flags & FOU_ENCAP_F_AUTH))
		n += FOU_GUE_AUTH_LEN;

	if (k && k->gre)
		n += fou_gre_hdr_len(t->gre_oflags);
	return n;
}

/* ---- receive ------------------------------------------------------------ */

int fou_rx_kind(struct fou_buf *b, struct fou_rx *rx)
{
	memset(&rx->gre, 0, sizeof(rx->gre));
	switch (rx->proto) {
	case FOU_PROTO_IPIP:
	case FOU_PROTO_IPV6:
		return 0;
	case FOU_PROTO_GRE:
		return fou_gre_pull(b, &rx->gre);
	default:
		return -FOU_DROP_INNER_PROTO;
	}
}

static bool kind_takes(const struct kind_def *d, uint8_t proto)
{
	return proto != 0 && (d->protos[0] == proto || d->protos[1] == proto);
}

/* As ip_tunnel_key_match(): a keyed tunnel takes its key, a keyless none. */
static bool gre_key_ok(const struct fou_tnl *t, const struct fou_gre *g)
{
	if (g->flags & FOU_GRE_KEY)
		return (t->gre_iflags & FOU_GRE_KEY) && g->key == t->ikey;
	return !(t->gre_iflags & FOU_GRE_KEY);
}

bool fou_tnl_match(const struct fou_tnl *t, const struct fou_rx *rx)
{
	const struct kind_def *d;

	if ((unsigned int)t->kind >= FOU_KIND__MAX)
		return false;
	d = &kinds[t->kind];
	if (!kind_takes(d, rx->proto))
		return false;
	if (rx->src.family != d->ops.family || !fou_addr_eq(&rx->src, &t->remote))
		return false;
	/* An unset local address takes any of ours, as a kernel wildcard. */
	if (t->local.family != 0 && !fou_addr_eq(&rx->dst, &t->local))
		return false;
	if (d->ops.gre && !gre_key_ok(t, &rx->gre))
		return false;
	return true;
}

/* As ip_tunnel_rcv(): checksum presence, then RFC 2890 sequence order. */
int fou_tnl_gre_policy(const struct fou_tnl *t, struct fou_tnl_rx *st, const struct fou_gre *g)
{
	if (!(g->flags & FOU_GRE_CSUM) != !(t->gre_iflags & FOU_GRE_CSUM))
		return -FOU_DROP_GRE_CSUM;
	if (!gre_key_ok(t, g))
		return -FOU_DROP_GRE_KEY;
	if (!(t->gre_iflags & FOU_GRE_SEQ))
		return 0;
	if (!(g->flags & FOU_GRE_SEQ))
		return -FOU_DROP_GRE_SEQ;
	if (st->seq_seen && (int32_t)(g->seq - st->iseq) < 0)
		return -FOU_DROP_GRE_SEQ;
	st->iseq = g->seq + 1;
	st->seq_seen = true;
	return 0;
}

/* The inner IP version the outer headers announce, as a FOU_INNER_* flag. */
static int rx_inner_flag(const struct fou_rx *rx, bool gre)
{
	if (gre) {
		switch (rx->gre.proto) {
		case FOU_ETH_P_IP:
			return FOU_INNER_V4;
		case FOU_ETH_P_IPV6:
			return FOU_INNER_V6;
		default:
			return -FOU_DROP_GRE_PROTO;
		}
	}
	return rx->proto == FOU_PROTO_IPIP ? FOU_INNER_V4 : FOU_INNER_V6;
}

static int inner_check(struct fou_buf *b, int flag, struct fou_ip *ip)
{
	const uint8_t *p = fou_buf_data(b);
	int err;

	if (b->len < 1)
		return -FOU_DROP_TOO_SHORT;
	if ((p[0] >> 4) != (flag == FOU_INNER_V4 ? 4 : 6))
		return -FOU_DROP_INNER_PROTO;
	err = fou_ip_parse(p, b->len, ip);
	if (err)
		return err;
	b->len = ip->tot_len;
	return 0;
}

int fou_tnl_decap(struct fou_buf *b, const struct fou_tnl *t, struct fou_tnl_rx *st,
		  const struct fou_rx *rx)
{
	struct fou_ip ip;

	return fou_tnl_decap_ip(b, t, st, rx, &ip);
}

int fou_tnl_decap_ip(struct fou_buf *b, const struct fou_tnl *t, struct fou_tnl_rx *st,
		     const struct fou_rx *rx, struct fou_ip *ip)
{
	const struct fou_kind_ops *k = fou_kind(t->kind);
	int flag, err;

	if (!k || !kind_takes(&kinds[t->kind], rx->proto))
		return -FOU_DROP_INNER_PROTO;
	if (k->gre) {
		err = fou_tnl_gre_policy(t, st, &rx->gre);
		if (err)
			return err;
	}
	flag = rx_inner_flag(rx, k->gre);
	if (flag < 0)
		return flag;
	if (!(k->inner & flag))
		return -FOU_DROP_INNER_PROTO;
	err = inner_check(b, flag, ip);
	if (err)
		return err;
	return fou_ecn_decap(fou_buf_data(b), b->len, rx->tos);
}
