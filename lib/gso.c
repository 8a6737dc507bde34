// SPDX-License-Identifier: MIT
/*
 * Software TSO of TUN super-packets (reference/performance.md 1.3): each
 * segment gets a copied IP header, an advanced TCP sequence number and a
 * full TCP checksum, as tcp_gso_segment() would produce.
 */
#include <string.h>

#include "fou/fou.h"

#define TCP_HLEN	20
#define TCP_CSUM_OFF	16
#define TCP_FIN		0x01
#define TCP_PSH		0x08
#define TCP_CWR		0x80

struct gso_kind {
	uint8_t gso_type;
	uint8_t version;
	int family;
};

static const struct gso_kind gso_kinds[] = {
	{ FOU_VNET_GSO_TCPV4, 4, AF_INET },
	{ FOU_VNET_GSO_TCPV6, 6, AF_INET6 },
};

static const struct gso_kind *gso_kind(uint8_t type)
{
	size_t i;

	type &= (uint8_t)~FOU_VNET_GSO_ECN;
	for (i = 0; i < sizeof(gso_kinds) / sizeof(gso_kinds[0]); i++)
		if (gso_kinds[i].gso_type == type)
			return &gso_kinds[i];
	return NULL;
}

/* The IP header must agree with the gso type and put TCP at csum_start. */
static int gso_check_ip(const struct fou_ip *ip, const struct gso_kind *k,
			const struct fou_vnet_hdr *h)
{
	if (ip->family != k->family || ip->proto != FOU_PROTO_TCP)
		return -FOU_DROP_BAD_GSO;
	if (ip->family == AF_INET && (ip->frag & (FOU_IP_MF | FOU_IP_OFFMASK)))
		return -FOU_DROP_BAD_GSO;
	if (h->csum_start != ip->hlen || h->csum_offset != TCP_CSUM_OFF)
		return -FOU_DROP_BAD_GSO;
	return 0;
}

int fou_gso_init(struct fou_gso *g, const struct fou_vnet_hdr *h,
		 const uint8_t *pkt, size_t len)
{
	const struct gso_kind *k = gso_kind(h->gso_type);
	struct fou_ip ip;
	size_t doff;
	int err;

	if (!k || h->gso_size == 0)
		return -FOU_DROP_BAD_GSO;
	err = fou_ip_parse(pkt, len, &ip);
	if (err)
		return err;
	err = gso_check_ip(&ip, k, h);
	if (err)
		return err;
	len = ip.tot_len;
	if (len < (size_t)ip.hlen + TCP_HLEN)
		return -FOU_DROP_TOO_SHORT;
	/* hdr_len is not trusted: the TCP data offset says where data starts. */
	doff = (size_t)(pkt[ip.hlen + 12] >> 4) * 4;
	if (doff < TCP_HLEN)
		return -FOU_DROP_BAD_GSO;
	if (doff > len - ip.hlen)
		return -FOU_DROP_TOO_SHORT;
	memset(g, 0, sizeof(*g));
	g->pkt = pkt;
	g->len = len;
	g->l4off = ip.hlen;
	g->hlen = ip.hlen + doff;
	g->mss = h->gso_size;
	g->family = ip.family;
	g->psum = fou_csum_pseudo(&ip.src, &ip.dst, FOU_PROTO_TCP, 0);
	return 0;
}

static void seg_ip(const struct fou_gso *g, uint8_t *out, size_t seglen)
{
	if (g->family == AF_INET) {
		fou_put16(out + 2, (uint16_t)seglen);
		fou_put16(out + 4, (uint16_t)(fou_get16(g->pkt + 4) + g->seg));
		fou_put16(out + 10, 0);
		fou_put16(out + 10, fou_csum_fold(fou_csum_add(0, out, g->l4off)));
	} else {
		fou_put16(out + 4, (uint16_t)(seglen - FOU_IPV6_HLEN));
	}
}

/* Pseudo-header sum of the segment: the train's addresses were summed once, in init. */
static uint32_t seg_pseudo(const struct fou_gso *g, size_t l4len)
{
	return g->psum + (uint32_t)(l4len >> 16) + (uint32_t)(l4len & 0xffff);
}

static void seg_tcp(const struct fou_gso *g, uint8_t *out, size_t seglen, bool last)
{
	uint8_t *th = out + g->l4off;
	size_t l4len = seglen - g->l4off;

	fou_put32(th + 4, fou_get32(th + 4) + (uint32_t)g->pos);
	if (!last)
		th[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (g->seg > 0)
		th[13] &= (uint8_t)~TCP_CWR;
	fou_put16(th + TCP_CSUM_OFF, 0);
	/* Partial: the pseudo-header sum uncomplemented, for the receiver to finish. */
	if (g->partial)
		fou_put16(th + TCP_CSUM_OFF, (uint16_t)~fou_csum_fold(seg_pseudo(g, l4len)));
	else
		fou_put16(th + TCP_CSUM_OFF,
			  fou_csum_fold(fou_csum_add(seg_pseudo(g, l4len), th, l4len)));
}

int fou_gso_next(struct fou_gso *g, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t plen = g->len - g->hlen;
	size_t n, seglen;
	bool last;

	/* A super-packet without payload still yields its one header-only segment. */
	if (g->pos >= plen && (g->seg > 0 || plen > 0))
		return 0;
	n = plen - g->pos;
	if (n > g->mss)
		n = g->mss;
	last = g->pos + n >= plen;
	seglen = g->hlen + n;
	if (seglen > cap)
		return -FOU_DROP_TOO_SHORT;
	memcpy(out, g->pkt, g->hlen);
	memcpy(out + g->hlen, g->pkt + g->hlen + g->pos, n);
	seg_ip(g, out, seglen);
	seg_tcp(g, out, seglen, last);
	g->pos += n;
	g->seg++;
	*outlen = seglen;
	return 1;
}
