// SPDX-License-Identifier: MIT
/* IPv4 and IPv6 headers: parse, transport ports, prepend. */
#include <string.h>

#include "fou/fou.h"

#define IP6_NEXTHDR_HOP		0
#define IP6_NEXTHDR_ROUTING	43
#define IP6_NEXTHDR_FRAGMENT	44
#define IP6_NEXTHDR_DEST	60
#define IP_PROTO_SCTP		132
#define IP_PROTO_UDPLITE	136

static void addr_set(struct fou_addr *a, int family, const uint8_t *p)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->a, p, family == AF_INET6 ? 16 : 4);
}

static int ip4_parse(const uint8_t *p, size_t len, struct fou_ip *ip)
{
	size_t hlen;

	if (len < FOU_IPV4_HLEN)
		return -FOU_DROP_TOO_SHORT;
	hlen = (size_t)(p[0] & 0x0f) * 4;
	if (hlen < FOU_IPV4_HLEN)
		return -FOU_DROP_BAD_IP;
	if (hlen > len)
		return -FOU_DROP_TOO_SHORT;
	if (fou_csum_fold(fou_csum_add(0, p, hlen)) != 0)
		return -FOU_DROP_BAD_CSUM;
	ip->family = AF_INET;
	ip->tos = p[1];
	ip->tot_len = fou_get16(p + 2);
	ip->id = fou_get16(p + 4);
	ip->frag = fou_get16(p + 6);
	ip->ttl = p[8];
	ip->proto = p[9];
	ip->hlen = (uint16_t)hlen;
	addr_set(&ip->src, AF_INET, p + 12);
	addr_set(&ip->dst, AF_INET, p + 16);
	if (ip->tot_len < hlen)
		return -FOU_DROP_BAD_IP;
	if (ip->tot_len > len)
		return -FOU_DROP_TOO_SHORT;
	return 0;
}

static int ip6_parse(const uint8_t *p, size_t len, struct fou_ip *ip)
{
	uint32_t plen;

	if (len < FOU_IPV6_HLEN)
		return -FOU_DROP_TOO_SHORT;
	plen = fou_get16(p + 4);
	/* tot_len is 16 bits: an IPv6 packet over 65535 bytes does not fit. */
	if (plen > 0xffff - FOU_IPV6_HLEN)
		return -FOU_DROP_BAD_IP;
	ip->family = AF_INET6;
	ip->tos = (uint8_t)(fou_get16(p) >> 4);
	ip->tot_len = (uint16_t)(plen + FOU_IPV6_HLEN);
	ip->id = 0;
	ip->frag = 0;
	ip->proto = p[6];
	ip->ttl = p[7];
	ip->hlen = FOU_IPV6_HLEN;
	addr_set(&ip->src, AF_INET6, p + 8);
	addr_set(&ip->dst, AF_INET6, p + 24);
	if (ip->tot_len > len)
		return -FOU_DROP_TOO_SHORT;
	return 0;
}

int fou_ip_parse(const uint8_t *p, size_t len, struct fou_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (len < 1)
		return -FOU_DROP_TOO_SHORT;
	switch (p[0] >> 4) {
	case 4:
		return ip4_parse(p, len, ip);
	case 6:
		return ip6_parse(p, len, ip);
	default:
		return -FOU_DROP_BAD_IP;
	}
}

static bool ip6_is_ext(uint8_t nh)
{
	return nh == IP6_NEXTHDR_HOP || nh == IP6_NEXTHDR_ROUTING ||
	       nh == IP6_NEXTHDR_DEST;
}

/* Walks IPv6 extension headers to the transport header; 0 or -FOU_DROP_*. */
static int ip6_l4(const uint8_t *p, size_t len, uint8_t *nh, size_t *off)
{
	while (ip6_is_ext(*nh)) {
		if (*off + 2 > len)
			return -FOU_DROP_TOO_SHORT;
		*nh = p[*off];
		*off += ((size_t)p[*off + 1] + 1) * 8;
	}
	if (*nh == IP6_NEXTHDR_FRAGMENT)
		return -FOU_DROP_INNER_PROTO;
	return 0;
}

static bool has_ports(uint8_t proto)
{
	return proto == FOU_PROTO_TCP || proto == FOU_PROTO_UDP ||
	       proto == IP_PROTO_SCTP || proto == IP_PROTO_UDPLITE;
}

int fou_ip_l4_ports(const uint8_t *p, size_t len, uint8_t *proto,
		    uint16_t *sport, uint16_t *dport)
{
	struct fou_ip ip;
	size_t off;
	uint8_t nh;
	int err;

	err = fou_ip_parse(p, len, &ip);
	if (err)
		return err;
	len = ip.tot_len;
	off = ip.hlen;
	nh = ip.proto;
	if (ip.family == AF_INET && (ip.frag & (FOU_IP_MF | FOU_IP_OFFMASK)))
		return -FOU_DROP_INNER_PROTO;
	if (ip.family == AF_INET6) {
		err = ip6_l4(p, len, &nh, &off);
		if (err)
			return err;
	}
	if (!has_ports(nh))
		return -FOU_DROP_INNER_PROTO;
	if (off > len || len - off < 4)
		return -FOU_DROP_TOO_SHORT;
	*proto = nh;
	*sport = fou_get16(p + off);
	*dport = fou_get16(p + off + 2);
	return 0;
}

static int ip4_push(struct fou_buf *b, const struct fou_ip_params *ip)
{
	size_t tot = b->len + FOU_IPV4_HLEN;
	uint8_t *h;
	int ret;

	ret = fou_buf_push_hdr(b, FOU_IPV4_HLEN, tot, &h);
	if (ret)
		return ret;
	h[0] = 0x45;
	h[1] = ip->tos;
	fou_put16(h + 2, (uint16_t)tot);
	fou_put16(h + 4, ip->id);
	fou_put16(h + 6, ip->df ? FOU_IP_DF : 0);
	h[8] = ip->ttl;
	h[9] = ip->proto;
	fou_put16(h + 10, 0);
	memcpy(h + 12, ip->src.a, 4);
	memcpy(h + 16, ip->dst.a, 4);
	fou_put16(h + 10, fou_csum_fold(fou_csum_add(0, h, FOU_IPV4_HLEN)));
	return 0;
}

static int ip6_push(struct fou_buf *b, const struct fou_ip_params *ip)
{
	size_t plen = b->len;
	uint8_t *h;
	int ret;

	ret = fou_buf_push_hdr(b, FOU_IPV6_HLEN, plen, &h);
	if (ret)
		return ret;
	fou_put32(h, 6u << 28 | (uint32_t)ip->tos << 20 | (ip->flowlabel & 0xfffff));
	fou_put16(h + 4, (uint16_t)plen);
	h[6] = ip->proto;
	h[7] = ip->ttl;
	memcpy(h + 8, ip->src.a, 16);
	memcpy(h + 24, ip->dst.a, 16);
	return 0;
}

int fou_ip_push(struct fou_buf *b, const struct fou_ip_params *p)
{
	switch (p->src.family) {
	case AF_INET:
		return ip4_push(b, p);
	case AF_INET6:
		return ip6_push(b, p);
	default:
		return -FOU_DROP_BAD_IP;
	}
}
