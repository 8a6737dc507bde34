// SPDX-License-Identifier: MIT
/*
 * GRE (RFC 2784, RFC 2890) as net/ipv4/gre_demux.c and ip_gre.c build it:
 * flags | proto, then [csum | reserved1] [key] [seq] in that order.
 */
#include "fou/fou.h"
#include "fou/gro.h"
#include "fou/l2.h"

#define GRE_OPTS	(FOU_GRE_CSUM | FOU_GRE_KEY | FOU_GRE_SEQ)

size_t fou_gre_hdr_len(uint16_t flags)
{
	size_t len = FOU_GRE_HLEN;

	if (flags & FOU_GRE_CSUM)
		len += 4;
	if (flags & FOU_GRE_KEY)
		len += 4;
	if (flags & FOU_GRE_SEQ)
		len += 4;
	return len;
}

int fou_gre_push(struct fou_buf *b, const struct fou_gre *g)
{
	uint16_t flags = g->flags & GRE_OPTS;
	size_t hlen = fou_gre_hdr_len(flags);
	uint8_t *h, *o;

	h = fou_buf_push(b, hlen);
	if (!h)
		return -FOU_DROP_TOO_SHORT;
	fou_put16(h, flags);
	fou_put16(h + 2, g->proto);
	o = h + FOU_GRE_HLEN;
	if (flags & FOU_GRE_CSUM) {
		fou_put32(o, 0);
		o += 4;
	}
	if (flags & FOU_GRE_KEY) {
		fou_put32(o, g->key);
		o += 4;
	}
	if (flags & FOU_GRE_SEQ)
		fou_put32(o, g->seq);
	/* Covers header and payload, with the field still zero. */
	if (flags & FOU_GRE_CSUM)
		fou_put16(h + FOU_GRE_HLEN, fou_csum_fold(fou_csum_add(0, h, b->len)));
	return 0;
}

static int gre_check(uint16_t flags)
{
	if (flags & FOU_GRE_VERSION)
		return -FOU_DROP_GRE_VERSION;
	if (flags & (FOU_GRE_ROUTING | FOU_GRE_RESERVED0))
		return -FOU_DROP_GRE_FLAGS;
	return 0;
}

/*
 * A sender on this host sums the GRE checksum over its inner packet as it
 * will be once its offloaded TCP/UDP checksum is filled in (local checksum
 * offload), and over a veth that checksum arrives unfilled: on a mismatch,
 * a partial inner checksum is completed (fou_gro_csum_complete()) and the
 * sum taken again. Anything else still fails.
 */
static bool gre_csum_ok(uint8_t *h, size_t len, uint16_t proto, size_t hlen)
{
	uint8_t *in = h + hlen;
	size_t n = len - hlen;

	if (fou_csum_fold(fou_csum_add(0, h, len)) == 0)
		return true;
	if (proto == FOU_ETH_P_TEB) {
		in = fou_gro_ip(in, n, FOU_ETH_HLEN);
		n -= FOU_ETH_HLEN;
	} else if (proto != FOU_ETH_P_IP && proto != FOU_ETH_P_IPV6) {
		return false;
	}
	if (!in || !fou_gro_csum_complete(in, n))
		return false;
	return fou_csum_fold(fou_csum_add(0, h, len)) == 0;
}

int fou_gre_pull(struct fou_buf *b, struct fou_gre *g)
{
	uint8_t *h = fou_buf_data(b);
	const uint8_t *o;
	size_t hlen;
	int err;

	if (b->len < FOU_GRE_HLEN)
		return -FOU_DROP_TOO_SHORT;
	g->flags = fou_get16(h);
	err = gre_check(g->flags);
	if (err)
		return err;
	g->flags &= GRE_OPTS;
	g->proto = fou_get16(h + 2);
	hlen = fou_gre_hdr_len(g->flags);
	if (hlen > b->len)
		return -FOU_DROP_TOO_SHORT;
	o = h + FOU_GRE_HLEN;
	if (g->flags & FOU_GRE_CSUM) {
		if (!gre_csum_ok(h, b->len, g->proto, hlen))
			return -FOU_DROP_BAD_CSUM;
		o += 4;
	}
	g->key = 0;
	g->seq = 0;
	if (g->flags & FOU_GRE_KEY) {
		g->key = fou_get32(o);
		o += 4;
	}
	if (g->flags & FOU_GRE_SEQ)
		g->seq = fou_get32(o);
	fou_buf_pull(b, hlen);
	return 0;
}
