// SPDX-License-Identifier: MIT
/*
 * The whole receive pipeline as foud's port_rx_one() and
 * foud_tunnel_input() run it on a UDP payload: the port's encapsulation
 * pull (fou or gue), fou_rx_kind, then for a fixed tunnel of every kind
 * fou_tnl_match and, when it matches, fou_tnl_decap, and the nesting check
 * (fou_ip_l4_ports) and flow hash on what comes out.
 *
 * Input: 3 bytes that say what arrived where, then the UDP payload.
 *   byte 0  bit 0     port encapsulation: 0 fou, 1 gue
 *           bits 1-2  fou port ipproto: 4, 41, 47, 0
 *           bit 3     underlay: 0 IPv4, 1 IPv6
 *           bits 4-6  the GRE tunnels' input flags: csum, key, seq
 *           bit 7     the GRE tunnels' ikey: 0 -> 42, 1 -> 7
 *   byte 1  outer TOS / traffic class
 *   byte 2  bit 0: outer source is not the tunnels' remote (unknown peer)
 *           bit 1: the tunnels have no local address (wildcard)
 * fuzz/seeds.sh turns the kernel's packets (tests/unit/kernel_vectors.h)
 * into this form.
 */
#include <arpa/inet.h>

#include "fuzz.h"

#define HDR 3

static void addr(struct fou_addr *a, int family, const char *s)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	if (inet_pton(family, s, a->a) != 1)
		abort();
}

static void mk_tnl(struct fou_tnl *t, enum fou_kind k, uint8_t cfg, uint8_t where)
{
	const struct fou_kind_ops *ops = fou_kind(k);
	bool v6 = ops->family == AF_INET6;

	memset(t, 0, sizeof(*t));
	t->kind = k;
	t->encap = (cfg & 1) ? FOU_ENCAP_GUE : FOU_ENCAP_FOU;
	if (!(where & 2))
		addr(&t->local, ops->family, v6 ? "2001:db8:1::1" : "192.0.2.1");
	addr(&t->remote, ops->family, v6 ? "2001:db8:1::2" : "192.0.2.2");
	t->encap_dport = 5555;
	t->port_min = 32768;
	t->port_max = 61000;
	t->encap_flags = FOU_ENCAP_F_CSUM | FOU_ENCAP_F_CSUM6 | FOU_ENCAP_F_REMCSUM;
	if (ops->gre) {
		t->gre_iflags = (uint16_t)(((cfg & 0x10) ? FOU_GRE_CSUM : 0) |
					   ((cfg & 0x20) ? FOU_GRE_KEY : 0) |
					   ((cfg & 0x40) ? FOU_GRE_SEQ : 0));
		t->gre_oflags = t->gre_iflags;
		t->ikey = t->okey = (cfg & 0x80) ? 7 : 42;
	}
	t->pmtudisc = true;
}

static void decap_one(const struct fou_buf *in, const struct fou_rx *rx, enum fou_kind k,
		      uint8_t cfg, uint8_t where)
{
	struct fou_tnl t;
	struct fou_tnl_rx st = { 0 };
	uint8_t *p = fuzz_dup(fou_buf_data(in), in->len);
	struct fou_buf b = { p, in->len, 0, in->len };
	uint16_t sport, dport;
	uint8_t proto;
	int ret;

	mk_tnl(&t, k, cfg, where);
	if (fou_tnl_match(&t, rx)) {
		FUZZ_CHECK(fou_addr_eq(&rx->src, &t.remote));
		ret = fou_tnl_decap(&b, &t, &st, rx);
		fuzz_reason_ok(ret);
		fuzz_buf_sane(&b);
		if (ret == 0) {
			struct fou_ip ip;

			/* Exactly one whole inner IP packet of a version the kind carries. */
			FUZZ_CHECK(fou_ip_parse(fou_buf_data(&b), b.len, &ip) == 0);
			FUZZ_CHECK(ip.tot_len == b.len);
			FUZZ_CHECK((ip.family == AF_INET ? FOU_INNER_V4 : FOU_INNER_V6) &
				   fou_kind(k)->inner);
			(void)fou_ip_l4_ports(fou_buf_data(&b), b.len, &proto, &sport, &dport);
			FUZZ_CHECK(fou_flow_hash(fou_buf_data(&b), b.len, 1) != 0);
			/* The same packet again: a sequenced tunnel must refuse a replay. */
			if (t.gre_iflags & FOU_GRE_SEQ) {
				ret = fou_tnl_decap(&b, &t, &st, rx);
				FUZZ_CHECK(ret == -FOU_DROP_GRE_SEQ);
			}
		}
	}
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t protos[4] = { FOU_PROTO_IPIP, FOU_PROTO_IPV6, FOU_PROTO_GRE, 0 };
	uint8_t cfg, where, *p;
	struct fou_rx rx;
	struct fou_buf b;
	size_t len;
	int fam, ret, k;

	if (size < HDR)
		return 0;
	cfg = data[0];
	where = data[2];
	len = size - HDR;
	p = fuzz_dup(data + HDR, len);
	b = (struct fou_buf){ p, len, 0, len };

	fam = (cfg & 8) ? AF_INET6 : AF_INET;
	memset(&rx, 0, sizeof(rx));
	addr(&rx.dst, fam, fam == AF_INET6 ? "2001:db8:1::1" : "192.0.2.1");
	addr(&rx.src, fam, fam == AF_INET6 ? (where & 1 ? "2001:db8:1::3" : "2001:db8:1::2")
					   : (where & 1 ? "192.0.2.3" : "192.0.2.2"));
	rx.tos = data[1];

	ret = fou_encap((cfg & 1) ? FOU_ENCAP_GUE : FOU_ENCAP_FOU)->pull(&b, protos[(cfg >> 1) & 3],
									 &rx.proto);
	fuzz_reason_ok(ret);
	fuzz_buf_sane(&b);
	if (ret)
		goto out;
	/* As port_rx_one(): only what a tunnel kind can take goes on. */
	if (rx.proto != FOU_PROTO_IPIP && rx.proto != FOU_PROTO_IPV6 && rx.proto != FOU_PROTO_GRE)
		goto out;
	ret = fou_rx_kind(&b, &rx);
	fuzz_reason_ok(ret);
	fuzz_buf_sane(&b);
	if (ret)
		goto out;
	for (k = 0; k < FOU_KIND__MAX; k++)
		decap_one(&b, &rx, (enum fou_kind)k, cfg, where);
out:
	free(p);
	return 0;
}
