// SPDX-License-Identifier: MIT
/*
 * ICMP errors for packets too big for the tunnel: ICMPv4 fragmentation
 * needed (RFC 1191) and ICMPv6 packet too big (RFC 4443), quoting as much
 * of the original as the minimum MTU allows.
 */
#include <string.h>

#include "fou/fou.h"

#define ICMP4_MAX	576
#define ICMP6_MAX	1280
#define ICMP4_DEST_UNREACH	3
#define ICMP4_FRAG_NEEDED	4
#define ICMP6_PKT_TOOBIG	2
#define ICMP_TTL		64
#define ICMP4_TOS		0xc0	/* IPTOS_PREC_INTERNETCONTROL, as icmp_send() */

struct icmp_out {
	uint8_t *out;
	size_t cap, *outlen;
	const uint8_t *orig;
	size_t orig_len;
};

static size_t quote_len(size_t orig_len, size_t max, size_t hdrs, size_t cap)
{
	size_t q = orig_len;

	if (q > max - hdrs)
		q = max - hdrs;
	if (q > cap - hdrs)
		q = cap - hdrs;
	return q;
}

/* Room for hdrs, the quote moved behind them (first, so that out may be
 * orig itself), the headers zeroed; *q says how much was quoted. */
static int quote_start(const struct icmp_out *o, size_t hdrs, size_t max, size_t *q)
{
	if (o->cap < hdrs)
		return -FOU_DROP_TOO_SHORT;
	*q = quote_len(o->orig_len, max, hdrs, o->cap);
	memmove(o->out + hdrs, o->orig, *q);
	memset(o->out, 0, hdrs);
	return 0;
}

static int too_big4(const struct icmp_out *o, const struct fou_ip *ip, uint32_t mtu)
{
	size_t hdrs = FOU_IPV4_HLEN + FOU_ICMP_HLEN;
	size_t q, tot;
	uint8_t *h = o->out, *ic;
	int err = quote_start(o, hdrs, ICMP4_MAX, &q);

	if (err)
		return err;
	tot = hdrs + q;
	h[0] = 0x45;
	h[1] = ICMP4_TOS;
	fou_put16(h + 2, (uint16_t)tot);
	h[8] = ICMP_TTL;
	h[9] = FOU_PROTO_ICMP;
	memcpy(h + 12, ip->dst.a, 4);
	memcpy(h + 16, ip->src.a, 4);
	fou_put16(h + 10, fou_csum_fold(fou_csum_add(0, h, FOU_IPV4_HLEN)));
	ic = h + FOU_IPV4_HLEN;
	ic[0] = ICMP4_DEST_UNREACH;
	ic[1] = ICMP4_FRAG_NEEDED;
	fou_put16(ic + 6, mtu > 0xffff ? 0xffff : (uint16_t)mtu);
	fou_put16(ic + 2, fou_csum_fold(fou_csum_add(0, ic, FOU_ICMP_HLEN + q)));
	*o->outlen = tot;
	return 0;
}

static int too_big6(const struct icmp_out *o, const struct fou_ip *ip, uint32_t mtu)
{
	size_t hdrs = FOU_IPV6_HLEN + FOU_ICMP_HLEN;
	size_t q, plen;
	uint8_t *h = o->out, *ic;
	uint32_t sum;
	int err = quote_start(o, hdrs, ICMP6_MAX, &q);

	if (err)
		return err;
	plen = FOU_ICMP_HLEN + q;
	h[0] = 0x60;
	fou_put16(h + 4, (uint16_t)plen);
	h[6] = FOU_PROTO_ICMPV6;
	h[7] = ICMP_TTL;
	memcpy(h + 8, ip->dst.a, 16);
	memcpy(h + 24, ip->src.a, 16);
	ic = h + FOU_IPV6_HLEN;
	ic[0] = ICMP6_PKT_TOOBIG;
	fou_put32(ic + 4, mtu);
	sum = fou_csum_pseudo(&ip->dst, &ip->src, FOU_PROTO_ICMPV6, (uint32_t)plen);
	fou_put16(ic + 2, fou_csum_fold(fou_csum_add(sum, ic, plen)));
	*o->outlen = FOU_IPV6_HLEN + plen;
	return 0;
}

int fou_icmp_too_big(uint8_t *out, size_t cap, size_t *outlen,
		     const uint8_t *orig, size_t orig_len, uint32_t mtu)
{
	struct icmp_out o = {
		.out = out, .cap = cap, .outlen = outlen,
		.orig = orig, .orig_len = orig_len,
	};
	struct fou_ip ip;
	int err;

	*outlen = 0;
	err = fou_ip_parse(orig, orig_len, &ip);
	if (err)
		return err;
	/* Quote only the packet itself, not link padding. */
	o.orig_len = ip.tot_len;
	if (ip.family == AF_INET)
		return too_big4(&o, &ip, mtu);
	return too_big6(&o, &ip, mtu);
}
