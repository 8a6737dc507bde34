// SPDX-License-Identifier: MIT
/*
 * VXLAN (RFC 7348), 8 bytes after UDP:
 *
 *  |R|R|R|R|I|R|R|R|            Reserved                           |
 *  |                VXLAN Network Identifier (VNI) |   Reserved    |
 *
 * Receive follows the RFC, not Linux's default: only I is checked, the
 * reserved bits are ignored (Linux drops them unless `reserved_bits`).
 */
#include "fou/l2.h"

#define VXLAN_VNI_SHIFT	8

int fou_vxlan_push(struct fou_buf *b, uint32_t vni)
{
	uint8_t *h;

	h = fou_buf_push(b, FOU_VXLAN_HLEN);
	if (!h)
		return -FOU_DROP_TOO_SHORT;
	fou_put32(h, (uint32_t)FOU_VXLAN_FLAG_I << 24);
	fou_put32(h + 4, (vni & FOU_VNI_MASK) << VXLAN_VNI_SHIFT);
	return 0;
}

int fou_vxlan_pull(struct fou_buf *b, uint32_t *vni)
{
	const uint8_t *h = fou_buf_data(b);

	if (b->len < FOU_VXLAN_HLEN + FOU_ETH_HLEN)
		return -FOU_DROP_TOO_SHORT;
	if (!(h[0] & FOU_VXLAN_FLAG_I))
		return -FOU_DROP_VXLAN_FLAGS;
	*vni = fou_get32(h + 4) >> VXLAN_VNI_SHIFT;
	fou_buf_pull(b, FOU_VXLAN_HLEN);
	return 0;
}

static int vxlan_push(struct fou_buf *b, uint32_t vni, const uint8_t *opts, size_t opts_len)
{
	(void)opts;
	(void)opts_len;
	return fou_vxlan_push(b, vni);
}

const struct fou_l2_codec fou_l2_vxlan = {
	vxlan_push, fou_vxlan_pull, FOU_VXLAN_HLEN, FOU_DROP_WRONG_VNI
};
