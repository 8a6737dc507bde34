// SPDX-License-Identifier: MIT
/*
 * NVGRE (RFC 7637): GRE with K=1, C=S=0, protocol 0x6558 (Transparent
 * Ethernet Bridging) and key = VSID(24) | FlowID(8); the inner Ethernet
 * frame carries no 802.1Q tag (3.3). Built on lib/gre.c.
 */
#include "fou/l2.h"

#define NVGRE_VSID_SHIFT	8
#define NVGRE_FLOWID_MASK	0xff

uint8_t fou_nvgre_flowid(const uint8_t *frame, size_t len, uint32_t seed)
{
	return (uint8_t)(fou_eth_hash(frame, len, seed) & NVGRE_FLOWID_MASK);
}

/* An Ethernet header without VLAN tag. */
static int nvgre_inner(const uint8_t *p, size_t len)
{
	uint16_t type;

	if (len < FOU_ETH_HLEN)
		return -FOU_DROP_TOO_SHORT;
	type = fou_get16(p + 12);
	if (type == FOU_ETH_P_8021Q || type == FOU_ETH_P_8021AD)
		return -FOU_DROP_INNER_PROTO;
	return 0;
}

int fou_nvgre_push(struct fou_buf *b, uint32_t vsid, uint8_t flowid)
{
	struct fou_gre g = { FOU_GRE_KEY, FOU_ETH_P_TEB, 0, 0 };
	int err;

	err = nvgre_inner(fou_buf_data(b), b->len);
	if (err)
		return err;
	g.key = fou_nvgre_key(vsid, flowid);
	return fou_gre_push(b, &g);
}

int fou_nvgre_check(const struct fou_gre *g, const uint8_t *inner, size_t len,
		    uint32_t *vsid, uint8_t *flowid)
{
	int err;

	if (g->flags & FOU_GRE_CSUM)
		return -FOU_DROP_GRE_CSUM;
	if (g->flags & FOU_GRE_SEQ)
		return -FOU_DROP_GRE_SEQ;
	if (!(g->flags & FOU_GRE_KEY))
		return -FOU_DROP_GRE_KEY;
	if (g->proto != FOU_ETH_P_TEB)
		return -FOU_DROP_GRE_PROTO;
	err = nvgre_inner(inner, len);
	if (err)
		return err;
	*vsid = g->key >> NVGRE_VSID_SHIFT;
	*flowid = (uint8_t)(g->key & NVGRE_FLOWID_MASK);
	return 0;
}

int fou_nvgre_pull(struct fou_buf *b, uint32_t *vsid, uint8_t *flowid)
{
	size_t off = b->off, len = b->len;
	struct fou_gre g;
	int err;

	err = fou_gre_pull(b, &g);
	if (err)
		return err;
	err = fou_nvgre_check(&g, fou_buf_data(b), b->len, vsid, flowid);
	if (err) {
		b->off = off;
		b->len = len;
	}
	return err;
}
