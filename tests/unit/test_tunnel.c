// SPDX-License-Identifier: MIT
/*
 * Full encapsulation and receive for every kind x encap, exact outer bytes,
 * and the kernel's receive policy (addresses, GRE key, csum, sequence).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/fou.h"

#define HEAD	128
#define DPORT	5555

static uint8_t st[2048];

/* 10.1.0.1 -> 10.1.0.2, tos 0xb9 (ECT1), DF, ttl 33, UDP 1000 -> 2000 "hello". */
static size_t mk_inner4(uint8_t *p, bool partial)
{
	struct fou_addr s = { AF_INET, { 10, 1, 0, 1 } }, d = { AF_INET, { 10, 1, 0, 2 } };
	static const uint8_t h[] = {
		0x45, 0xb9, 0x00, 0x21, 0x00, 0x01, 0x40, 0x00, 0x21, 0x11, 0, 0,
		10, 1, 0, 1, 10, 1, 0, 2,
		0x03, 0xe8, 0x07, 0xd0, 0x00, 0x0d, 0, 0, 'h', 'e', 'l', 'l', 'o',
	};
	uint32_t ps = fou_csum_pseudo(&s, &d, 17, 13);

	memcpy(p, h, sizeof(h));
	fou_put16(p + 10, fou_csum_fold(fou_csum_add(0, p, 20)));
	fou_put16(p + 26, (uint16_t)~fou_csum_fold(ps));
	if (!partial)
		fou_csum_complete(p, sizeof(h), 20, 6);
	return sizeof(h);
}

/* fd00::1 -> fd00::2, tclass 0x2a (ECT0), hop 33, UDP 1000 -> 2000 "hello". */
static size_t mk_inner6(uint8_t *p, bool partial)
{
	struct fou_addr s = { AF_INET6, { 0xfd, [15] = 1 } }, d = { AF_INET6, { 0xfd, [15] = 2 } };
	uint32_t ps = fou_csum_pseudo(&s, &d, 17, 13);

	memset(p, 0, 53);
	fou_put32(p, 6u << 28 | 0x2au << 20 | 0xbeef);
	fou_put16(p + 4, 13);
	p[6] = 17;
	p[7] = 33;
	memcpy(p + 8, s.a, 16);
	memcpy(p + 24, d.a, 16);
	memcpy(p + 40, "\x03\xe8\x07\xd0\x00\x0d\x00\x00hello", 13);
	fou_put16(p + 46, (uint16_t)~fou_csum_fold(ps));
	if (!partial)
		fou_csum_complete(p, 53, 40, 6);
	return 53;
}

static void tnl_init(struct fou_tnl *t, enum fou_kind k, enum fou_encap e, bool rc)
{
	memset(t, 0, sizeof(*t));
	t->kind = k;
	t->encap = e;
	if (fou_kind(k)->family == AF_INET) {
		fou_addr_parse("192.0.2.1", &t->local);
		fou_addr_parse("192.0.2.2", &t->remote);
	} else {
		fou_addr_parse("2001:db8::1", &t->local);
		fou_addr_parse("2001:db8::2", &t->remote);
	}
	t->encap_dport = DPORT;
	t->port_min = 40000;
	t->port_max = 50000;
	t->encap_flags = FOU_ENCAP_F_CSUM | FOU_ENCAP_F_CSUM6 | (rc ? FOU_ENCAP_F_REMCSUM : 0);
	t->pmtudisc = true;
	t->tos_inherit = true;
	if (fou_kind(k)->gre) {
		t->gre_oflags = t->gre_iflags = FOU_GRE_CSUM | FOU_GRE_KEY | FOU_GRE_SEQ;
		t->okey = t->ikey = 0x0a0b0c0d;
	}
}

/* The receiving end of t: addresses swapped, same keys and flags. */
static void tnl_peer(struct fou_tnl *p, const struct fou_tnl *t)
{
	*p = *t;
	p->local = t->remote;
	p->remote = t->local;
}

static struct fou_buf buf_with(const uint8_t *p, size_t n)
{
	struct fou_buf b = { st, sizeof(st), HEAD, n };

	memset(st, 0, sizeof(st));
	memcpy(st + HEAD, p, n);
	return b;
}

/* Checks the UDP checksum of the datagram at u against the outer addresses. */
static void assert_udp_ok(const struct fou_ip *ip, const uint8_t *u, size_t len)
{
	uint32_t s = fou_csum_pseudo(&ip->src, &ip->dst, 17, (uint32_t)len);

	assert_int_equal(fou_get16(u + 4), len);
	assert_int_not_equal(fou_get16(u + 6), 0);
	assert_int_equal(fou_csum_fold(fou_csum_add(s, u, len)), 0);
}

struct rt_case {
	enum fou_kind kind;
	enum fou_encap encap;
	bool rc;
	int inner_family;
};

static uint8_t inner_proto_of(int family)
{
	return family == AF_INET ? FOU_PROTO_IPIP : FOU_PROTO_IPV6;
}

/* Checks the GUE header bytes, returns its length. */
static size_t check_gue(const uint8_t *g, const struct rt_case *c, size_t gre_len, size_t ihl)
{
	uint8_t proto = fou_kind(c->kind)->gre ? FOU_PROTO_GRE : inner_proto_of(c->inner_family);

	if (!c->rc) {
		assert_int_equal(g[0], 0);
		assert_int_equal(g[1], proto);
		assert_int_equal(fou_get16(g + 2), 0);
		return 4;
	}
	assert_int_equal(g[0], 0x02);
	assert_int_equal(g[1], proto);
	assert_int_equal(fou_get16(g + 2), FOU_GUE_FLAG_PRIV);
	assert_int_equal(fou_get32(g + 4), 0x80000000u);
	assert_int_equal(fou_get16(g + 8), gre_len + ihl);
	assert_int_equal(fou_get16(g + 10), gre_len + ihl + 6);
	return 12;
}

static void check_gre(const uint8_t *g, const struct fou_tnl *t, int inner_family, uint32_t seq)
{
	assert_int_equal(fou_get16(g), FOU_GRE_CSUM | FOU_GRE_KEY | FOU_GRE_SEQ);
	assert_int_equal(fou_get16(g + 2), inner_family == AF_INET ? 0x0800 : 0x86dd);
	assert_int_equal(fou_get32(g + 8), t->okey);
	assert_int_equal(fou_get32(g + 12), seq);
}

static void check_outer_ip(const struct fou_ip *o, const struct fou_tnl *t, const struct fou_ip *in,
			   uint8_t proto)
{
	assert_int_equal(o->family, fou_kind(t->kind)->family);
	assert_true(fou_addr_eq(&o->src, &t->local));
	assert_true(fou_addr_eq(&o->dst, &t->remote));
	assert_int_equal(o->proto, proto);
	assert_int_equal(o->ttl, in->ttl);			/* inherited */
	assert_int_equal(o->tos, fou_ecn_encap(in->tos, in->tos));
	if (o->family == AF_INET) {
		assert_int_equal(o->frag, FOU_IP_DF);
		assert_int_equal(o->id, 7);
	}
}

/* Receives the outer packet in b as foud would and compares with want. */
static void receive(struct fou_buf *b, const struct rt_case *c, const struct fou_tnl *t,
		    const uint8_t *want, size_t want_len)
{
	struct fou_tnl peer, other;
	struct fou_tnl_rx rs = { 0 };
	struct fou_rx rx = { 0 };
	struct fou_ip o;
	uint8_t port_proto;

	assert_int_equal(fou_ip_parse(fou_buf_data(b), b->len, &o), 0);
	rx.src = o.src;
	rx.dst = o.dst;
	rx.tos = o.tos;
	rx.proto = o.proto;
	fou_buf_pull(b, o.hlen);
	if (c->encap != FOU_ENCAP_NONE) {
		fou_buf_pull(b, FOU_UDP_HLEN);
		port_proto = fou_kind(c->kind)->gre ? FOU_PROTO_GRE : inner_proto_of(c->inner_family);
		assert_int_equal(fou_encap(c->encap)->pull(b, port_proto, &rx.proto), 0);
	}
	assert_int_equal(fou_rx_kind(b, &rx), 0);
	tnl_peer(&peer, t);
	assert_true(fou_tnl_match(&peer, &rx));
	/* The sender's own view of the tunnel must not take it. */
	assert_false(fou_tnl_match(t, &rx));
	other = peer;
	other.remote.a[3] ^= 0xff;
	assert_false(fou_tnl_match(&other, &rx));
	assert_int_equal(fou_tnl_decap(b, &peer, &rs, &rx), 0);
	assert_int_equal(b->len, want_len);
	assert_memory_equal(fou_buf_data(b), want, want_len);
}

static void round_trip(const struct rt_case *c)
{
	uint8_t inner[64], want[64];
	struct fou_tnl t;
	struct fou_tnl_tx tx = { .oseq = 41, .ip_id = 7 };
	struct fou_remcsum part;
	struct fou_ip o, in;
	struct fou_buf b;
	size_t n, ihl, off, gre_len = 0;
	uint32_t hash;
	uint8_t proto;
	const uint8_t *p;

	tnl_init(&t, c->kind, c->encap, c->rc);
	n = c->inner_family == AF_INET ? mk_inner4(inner, c->rc) : mk_inner6(inner, c->rc);
	(c->inner_family == AF_INET ? mk_inner4 : mk_inner6)(want, false);
	ihl = c->inner_family == AF_INET ? 20 : 40;
	part.start = (uint16_t)ihl;
	part.offset = (uint16_t)(ihl + 6);
	assert_int_equal(fou_ip_parse(inner, n, &in), 0);
	hash = fou_flow_hash(inner, n, 0x1234);
	b = buf_with(inner, n);
	assert_int_equal(fou_tnl_encap(&b, &t, &tx, hash, c->rc ? &part : NULL), 0);
	assert_true(b.len <= n + fou_tnl_overhead(&t));
	assert_int_equal(tx.ip_id, fou_kind(c->kind)->family == AF_INET ? 8 : 7);
	assert_int_equal(fou_ip_parse(fou_buf_data(&b), b.len, &o), 0);
	assert_int_equal(o.tot_len, b.len);
	p = fou_buf_data(&b);
	off = o.hlen;
	proto = fou_kind(c->kind)->gre ? FOU_PROTO_GRE : inner_proto_of(c->inner_family);
	if (c->encap != FOU_ENCAP_NONE) {
		check_outer_ip(&o, &t, &in, FOU_PROTO_UDP);
		assert_int_equal(fou_get16(p + off), fou_flow_sport(hash, 40000, 50000));
		assert_int_equal(fou_get16(p + off + 2), DPORT);
		assert_udp_ok(&o, p + off, b.len - off);
		off += FOU_UDP_HLEN;
	} else {
		check_outer_ip(&o, &t, &in, proto);
	}
	if (fou_kind(c->kind)->gre)
		gre_len = 16;
	if (c->encap == FOU_ENCAP_GUE)
		off += check_gue(p + off, c, gre_len, ihl);
	if (gre_len) {
		check_gre(p + off, &t, c->inner_family, 42);
		assert_int_equal(tx.oseq, 42);
		off += gre_len;
	}
	assert_int_equal(b.len - off, n);
	/* RCO leaves the inner checksum partial; otherwise it is complete. */
	assert_memory_equal(p + off, c->rc && c->encap == FOU_ENCAP_GUE ? inner : want, n);
	receive(&b, c, &t, want, n);
}

static void test_round_trips(void **state)
{
	static const struct { enum fou_kind k; int fam[2]; } kinds[] = {
		{ FOU_KIND_IPIP, { AF_INET, 0 } },
		{ FOU_KIND_SIT, { AF_INET6, 0 } },
		{ FOU_KIND_GRE, { AF_INET, AF_INET6 } },
		{ FOU_KIND_IP6TNL, { AF_INET, AF_INET6 } },
		{ FOU_KIND_IP6GRE, { AF_INET, AF_INET6 } },
	};
	static const struct { enum fou_encap e; bool rc; } encs[] = {
		{ FOU_ENCAP_NONE, false }, { FOU_ENCAP_FOU, false },
		{ FOU_ENCAP_GUE, false }, { FOU_ENCAP_GUE, true },
		{ FOU_ENCAP_FOU, true },	/* partial completed: no RCO for fou */
	};
	size_t i, j, f;

	(void)state;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		for (j = 0; j < sizeof(encs) / sizeof(encs[0]); j++)
			for (f = 0; f < 2 && kinds[i].fam[f]; f++) {
				struct rt_case c = { kinds[i].k, encs[j].e, encs[j].rc, kinds[i].fam[f] };

				round_trip(&c);
			}
}

static void test_fou_rc_completes(void **state)
{
	/* FOU + partial: the inner checksum is completed before encapsulation. */
	struct rt_case c = { FOU_KIND_IPIP, FOU_ENCAP_FOU, true, AF_INET };

	(void)state;
	round_trip(&c);
}

/*
 * ipip over GUE, exact bytes: 192.0.2.1 -> 192.0.2.2, id 7, DF, ttl 33,
 * tos 0xb9, UDP sport 40000 dport 5555, GUE proto 4.
 */
static void test_exact_ipip_gue(void **state)
{
	uint8_t inner[64], want[20 + 8 + 4];
	struct fou_tnl t;
	struct fou_tnl_tx tx = { 0, 7 };
	struct fou_addr s, d;
	struct fou_buf b;
	size_t n;
	uint8_t *p;

	(void)state;
	tnl_init(&t, FOU_KIND_IPIP, FOU_ENCAP_GUE, false);
	t.encap_sport = 40000;
	t.encap_flags = FOU_ENCAP_F_CSUM;
	n = mk_inner4(inner, false);
	b = buf_with(inner, n);
	assert_int_equal(fou_tnl_encap(&b, &t, &tx, 99, NULL), 0);
	assert_int_equal(b.len, 32 + n);
	memcpy(want, "\x45\xb9\x00\x41\x00\x07\x40\x00\x21\x11\x00\x00"
	       "\xc0\x00\x02\x01\xc0\x00\x02\x02"
	       "\x9c\x40\x15\xb3\x00\x2d\x00\x00"
	       "\x00\x04\x00\x00", sizeof(want));
	/* 45b9+0041+0007+4000+2111+c000+0201+c000+0202 = 0x22b15 -> 0x2b17 */
	fou_put16(want + 10, (uint16_t)~0x2b17);
	p = fou_buf_data(&b);
	fou_addr_parse("192.0.2.1", &s);
	fou_addr_parse("192.0.2.2", &d);
	fou_put16(want + 26, fou_get16(p + 26));
	assert_memory_equal(p, want, sizeof(want));
	assert_int_equal(fou_csum_fold(fou_csum_add(fou_csum_pseudo(&s, &d, 17, 0x2d), p + 20, 0x2d)), 0);
	assert_memory_equal(p + 32, inner, n);
	/* Without the checksum flag the UDP checksum is 0. */
	t.encap_flags = FOU_ENCAP_F_CSUM6;
	b = buf_with(inner, n);
	assert_int_equal(fou_tnl_encap(&b, &t, &tx, 99, NULL), 0);
	assert_int_equal(fou_get16(fou_buf_data(&b) + 26), 0);
	assert_int_equal(fou_get16(fou_buf_data(&b) + 4), 8);	/* ip_id++ */
}

static void test_ttl_tos_ecn(void **state)
{
	uint8_t inner[64];
	struct fou_tnl t;
	struct fou_tnl_tx tx = { 0 };
	struct fou_buf b;
	struct fou_ip o;
	size_t n;

	(void)state;
	tnl_init(&t, FOU_KIND_IPIP, FOU_ENCAP_FOU, false);
	t.ttl = 200;
	t.tos_inherit = false;
	t.tos = 0x10;
	t.pmtudisc = false;
	n = mk_inner4(inner, false);
	inner[1] = 0x03;		/* CE inside */
	inner[6] = 0;			/* no DF */
	fou_put16(inner + 10, 0);
	fou_put16(inner + 10, fou_csum_fold(fou_csum_add(0, inner, 20)));
	b = buf_with(inner, n);
	assert_int_equal(fou_tnl_encap(&b, &t, &tx, 1, NULL), 0);
	assert_int_equal(fou_ip_parse(fou_buf_data(&b), b.len, &o), 0);
	assert_int_equal(o.ttl, 200);
	assert_int_equal(o.tos, 0x12);	/* CE goes out as ECT(0) */
	assert_int_equal(o.frag, 0);
}

static void test_encap_errors(void **state)
{
	uint8_t inner[64];
	struct fou_tnl t;
	struct fou_tnl_tx tx = { 0 };
	struct fou_remcsum bad = { 30, 20 };
	struct fou_buf b;
	size_t n;

	(void)state;
	tnl_init(&t, FOU_KIND_IPIP, FOU_ENCAP_FOU, false);
	n = mk_inner6(inner, false);
	b = buf_with(inner, n);
	assert_int_equal(fou_tnl_encap(&b, &t, &tx, 1, NULL), -FOU_DROP_INNER_PROTO);
	tnl_init(&t, FOU_KIND_SIT, FOU_ENCAP_FOU, false);
	n = mk_inner4(inner, false);
	b = buf_with(inner, n);
	assert_int_equal(fou_tnl_encap(&b, &t, &tx, 1, NULL), -FOU_DROP_INNER_PROTO);
	tnl_init(&t, FOU_KIND_IPIP, FOU_ENCAP_GUE, true);
	b = buf_with(inner, n);
	assert_int_equal(fou_tnl_encap(&b, &t, &tx, 1, &bad), -FOU_DROP_BAD_GSO);
	/* Not enough headroom. */
	b = buf_with(inner, n);
	b.off = 10;
	assert_true(fou_tnl_encap(&b, &t, &tx, 1, NULL) < 0);
	/* Inner addressed to the tunnel's own remote: a loop. */
	tnl_init(&t, FOU_KIND_IPIP, FOU_ENCAP_FOU, false);
	memcpy(inner + 16, t.remote.a, 4);
	fou_put16(inner + 10, 0);
	fou_put16(inner + 10, fou_csum_fold(fou_csum_add(0, inner, 20)));
	b = buf_with(inner, n);
	assert_int_equal(fou_tnl_encap(&b, &t, &tx, 1, NULL), -FOU_DROP_LOOP);
}

static void test_overhead_and_kinds(void **state)
{
	struct fou_tnl t;

	(void)state;
	tnl_init(&t, FOU_KIND_IPIP, FOU_ENCAP_FOU, false);
	assert_int_equal(fou_tnl_overhead(&t), 28);
	tnl_init(&t, FOU_KIND_IPIP, FOU_ENCAP_GUE, true);
	assert_int_equal(fou_tnl_overhead(&t), 40);
	tnl_init(&t, FOU_KIND_GRE, FOU_ENCAP_NONE, false);
	assert_int_equal(fou_tnl_overhead(&t), 36);
	tnl_init(&t, FOU_KIND_IP6GRE, FOU_ENCAP_GUE, false);
	assert_int_equal(fou_tnl_overhead(&t), 40 + 12 + 16);
	assert_int_equal(fou_kind_lookup("ipip"), FOU_KIND_IPIP);
	assert_int_equal(fou_kind_lookup("sit"), FOU_KIND_SIT);
	assert_int_equal(fou_kind_lookup("gre"), FOU_KIND_GRE);
	assert_int_equal(fou_kind_lookup("ip6tnl"), FOU_KIND_IP6TNL);
	assert_int_equal(fou_kind_lookup("ip6gre"), FOU_KIND_IP6GRE);
	assert_true(fou_kind_lookup("vxlan") < 0);
	assert_null(fou_kind(FOU_KIND__MAX));
	assert_int_equal(fou_kind(FOU_KIND_SIT)->inner, FOU_INNER_V6);
	assert_int_equal(fou_kind(FOU_KIND_IP6TNL)->family, AF_INET6);
}

/* A GRE receive for tunnel t with the given header fields, inner IPv4. */
static int gre_rx(const struct fou_tnl *t, struct fou_tnl_rx *rs, uint16_t flags,
		  uint32_t key, uint32_t seq, bool *matched)
{
	struct fou_rx rx = { .src = t->remote, .dst = t->local, .proto = FOU_PROTO_GRE };
	struct fou_gre g = { flags, FOU_ETH_P_IP, key, seq };
	uint8_t inner[64];
	struct fou_buf b;
	size_t n;
	int err;

	n = mk_inner4(inner, false);
	b = buf_with(inner, n);
	assert_int_equal(fou_gre_push(&b, &g), 0);
	err = fou_rx_kind(&b, &rx);
	if (err)
		return err;
	*matched = fou_tnl_match(t, &rx);
	return fou_tnl_decap(&b, t, rs, &rx);
}

static void test_gre_key(void **state)
{
	struct fou_tnl t;
	struct fou_tnl_rx rs = { 0 };
	bool m;

	(void)state;
	tnl_init(&t, FOU_KIND_GRE, FOU_ENCAP_NONE, false);
	t.gre_iflags = FOU_GRE_KEY;
	t.ikey = 77;
	assert_int_equal(gre_rx(&t, &rs, FOU_GRE_KEY, 77, 0, &m), 0);
	assert_true(m);
	assert_int_equal(gre_rx(&t, &rs, FOU_GRE_KEY, 78, 0, &m), -FOU_DROP_GRE_KEY);
	assert_false(m);
	assert_int_equal(gre_rx(&t, &rs, 0, 0, 0, &m), -FOU_DROP_GRE_KEY);
	assert_false(m);
	/* A keyless tunnel takes no keyed packet. */
	t.gre_iflags = 0;
	assert_int_equal(gre_rx(&t, &rs, 0, 0, 0, &m), 0);
	assert_true(m);
	assert_int_equal(gre_rx(&t, &rs, FOU_GRE_KEY, 0, 0, &m), -FOU_DROP_GRE_KEY);
	assert_false(m);
}

static void test_gre_csum_presence(void **state)
{
	struct fou_tnl t;
	struct fou_tnl_rx rs = { 0 };
	bool m;

	(void)state;
	tnl_init(&t, FOU_KIND_GRE, FOU_ENCAP_NONE, false);
	t.gre_iflags = FOU_GRE_CSUM;
	assert_int_equal(gre_rx(&t, &rs, FOU_GRE_CSUM, 0, 0, &m), 0);
	assert_int_equal(gre_rx(&t, &rs, 0, 0, 0, &m), -FOU_DROP_GRE_CSUM);
	t.gre_iflags = 0;
	assert_int_equal(gre_rx(&t, &rs, FOU_GRE_CSUM, 0, 0, &m), -FOU_DROP_GRE_CSUM);
	assert_true(m);
}

static void test_gre_seq(void **state)
{
	struct fou_tnl t;
	struct fou_tnl_rx rs = { 0 };
	bool m;

	(void)state;
	tnl_init(&t, FOU_KIND_GRE, FOU_ENCAP_NONE, false);
	t.gre_iflags = FOU_GRE_SEQ;
	assert_int_equal(gre_rx(&t, &rs, 0, 0, 0, &m), -FOU_DROP_GRE_SEQ);
	/* The first packet is taken whatever its number. */
	assert_int_equal(gre_rx(&t, &rs, FOU_GRE_SEQ, 0, 100, &m), 0);
	assert_int_equal(gre_rx(&t, &rs, FOU_GRE_SEQ, 0, 101, &m), 0);
	assert_int_equal(gre_rx(&t, &rs, FOU_GRE_SEQ, 0, 101, &m), -FOU_DROP_GRE_SEQ);
	assert_int_equal(gre_rx(&t, &rs, FOU_GRE_SEQ, 0, 50, &m), -FOU_DROP_GRE_SEQ);
	/* A gap is fine; the expected number jumps. */
	assert_int_equal(gre_rx(&t, &rs, FOU_GRE_SEQ, 0, 200, &m), 0);
	assert_int_equal(gre_rx(&t, &rs, FOU_GRE_SEQ, 0, 150, &m), -FOU_DROP_GRE_SEQ);
	assert_int_equal(rs.iseq, 201);
	/* Wrap-around is in order in serial-number arithmetic. */
	rs.iseq = 0xfffffff0u;
	assert_int_equal(gre_rx(&t, &rs, FOU_GRE_SEQ, 0, 0x5, &m), 0);
	assert_int_equal(gre_rx(&t, &rs, FOU_GRE_SEQ, 0, 0xfffffff8u, &m), -FOU_DROP_GRE_SEQ);
	assert_int_equal(gre_rx(&t, &rs, 0, 0, 0, &m), -FOU_DROP_GRE_SEQ);
}

static void test_gre_proto_and_inner(void **state)
{
	struct fou_tnl t;
	struct fou_tnl_rx rs = { 0 };
	struct fou_rx rx = { 0 };
	uint8_t inner[64];
	struct fou_buf b;
	struct fou_gre g = { 0, FOU_ETH_P_TEB, 0, 0 };
	size_t n;

	(void)state;
	tnl_init(&t, FOU_KIND_GRE, FOU_ENCAP_NONE, false);
	t.gre_iflags = 0;
	rx.src = t.remote;
	rx.dst = t.local;
	rx.proto = FOU_PROTO_GRE;
	n = mk_inner4(inner, false);
	b = buf_with(inner, n);
	fou_gre_push(&b, &g);
	assert_int_equal(fou_rx_kind(&b, &rx), 0);
	assert_int_equal(fou_tnl_decap(&b, &t, &rs, &rx), -FOU_DROP_GRE_PROTO);
	/* GRE says IPv6, the packet is IPv4. */
	g.proto = FOU_ETH_P_IPV6;
	b = buf_with(inner, n);
	fou_gre_push(&b, &g);
	assert_int_equal(fou_rx_kind(&b, &rx), 0);
	assert_int_equal(fou_tnl_decap(&b, &t, &rs, &rx), -FOU_DROP_INNER_PROTO);
}

static void test_match_rules(void **state)
{
	struct fou_tnl t;
	struct fou_rx rx = { 0 };

	(void)state;
	tnl_init(&t, FOU_KIND_IPIP, FOU_ENCAP_FOU, false);
	rx.src = t.remote;
	rx.dst = t.local;
	rx.proto = FOU_PROTO_IPIP;
	assert_true(fou_tnl_match(&t, &rx));
	rx.proto = FOU_PROTO_IPV6;
	assert_false(fou_tnl_match(&t, &rx));
	rx.proto = FOU_PROTO_GRE;
	assert_false(fou_tnl_match(&t, &rx));
	rx.proto = FOU_PROTO_IPIP;
	rx.dst.a[3]++;
	assert_false(fou_tnl_match(&t, &rx));
	/* An unset local takes any local address. */
	t.local.family = 0;
	assert_true(fou_tnl_match(&t, &rx));
	tnl_init(&t, FOU_KIND_IP6TNL, FOU_ENCAP_FOU, false);
	rx.src = t.remote;
	rx.dst = t.local;
	rx.proto = FOU_PROTO_IPIP;
	assert_true(fou_tnl_match(&t, &rx));
	rx.proto = FOU_PROTO_IPV6;
	assert_true(fou_tnl_match(&t, &rx));
	rx.proto = 0;
	assert_false(fou_tnl_match(&t, &rx));
}

static void test_decap_ecn_and_trim(void **state)
{
	struct fou_tnl t;
	struct fou_tnl_rx rs = { 0 };
	struct fou_rx rx = { 0 };
	uint8_t inner[64], pad[80];
	struct fou_buf b;
	size_t n;
	uint8_t *p;

	(void)state;
	tnl_init(&t, FOU_KIND_IPIP, FOU_ENCAP_FOU, false);
	rx.src = t.remote;
	rx.dst = t.local;
	rx.proto = FOU_PROTO_IPIP;
	rx.tos = 0x03;
	n = mk_inner4(inner, false);
	memset(pad, 0xaa, sizeof(pad));
	memcpy(pad, inner, n);
	b = buf_with(pad, n + 7);	/* trailing padding is trimmed */
	assert_int_equal(fou_tnl_decap(&b, &t, &rs, &rx), 0);
	assert_int_equal(b.len, n);
	p = fou_buf_data(&b);
	assert_int_equal(p[1], 0xbb);	/* ECT(1) became CE */
	assert_int_equal(fou_csum_fold(fou_csum_add(0, p, 20)), 0);
	/* Outer CE over not-ECT inner drops. */
	inner[1] = 0xb8;
	fou_put16(inner + 10, 0);
	fou_put16(inner + 10, fou_csum_fold(fou_csum_add(0, inner, 20)));
	b = buf_with(inner, n);
	assert_int_equal(fou_tnl_decap(&b, &t, &rs, &rx), -FOU_DROP_ECN);
	/* Truncated inner packets at every length. */
	mk_inner4(inner, false);
	for (size_t i = 0; i < n; i++) {
		b = buf_with(inner, i);
		assert_true(fou_tnl_decap(&b, &t, &rs, &rx) < 0);
	}
}

static void test_rx_kind(void **state)
{
	struct fou_rx rx = { 0 };
	struct fou_buf b = buf_with((const uint8_t *)"\x00\x00\x08\x00", 4);

	(void)state;
	rx.proto = FOU_PROTO_UDP;
	assert_int_equal(fou_rx_kind(&b, &rx), -FOU_DROP_INNER_PROTO);
	rx.proto = FOU_PROTO_GRE;
	for (size_t i = 0; i < 4; i++) {
		b = buf_with((const uint8_t *)"\x00\x00\x08\x00", i);
		assert_int_equal(fou_rx_kind(&b, &rx), -FOU_DROP_TOO_SHORT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trips),
		cmocka_unit_test(test_fou_rc_completes),
		cmocka_unit_test(test_exact_ipip_gue),
		cmocka_unit_test(test_ttl_tos_ecn),
		cmocka_unit_test(test_encap_errors),
		cmocka_unit_test(test_overhead_and_kinds),
		cmocka_unit_test(test_gre_key),
		cmocka_unit_test(test_gre_csum_presence),
		cmocka_unit_test(test_gre_seq),
		cmocka_unit_test(test_gre_proto_and_inner),
		cmocka_unit_test(test_match_rules),
		cmocka_unit_test(test_decap_ecn_and_trim),
		cmocka_unit_test(test_rx_kind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
