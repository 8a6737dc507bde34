// SPDX-License-Identifier: MIT
/* virtio_net_hdr as TUN with IFF_VNET_HDR reads and writes it (little-endian). */
#include "fou/fou.h"

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

int fou_vnet_parse(const uint8_t *p, size_t len, struct fou_vnet_hdr *h)
{
	if (len < FOU_VNET_HLEN)
		return -FOU_DROP_TOO_SHORT;
	h->flags = p[0];
	h->gso_type = p[1];
	h->hdr_len = get_le16(p + 2);
	h->gso_size = get_le16(p + 4);
	h->csum_start = get_le16(p + 6);
	h->csum_offset = get_le16(p + 8);
	return 0;
}

bool fou_vnet_is_gso(const struct fou_vnet_hdr *h)
{
	return (h->gso_type & ~FOU_VNET_GSO_ECN) != FOU_VNET_GSO_NONE;
}

void fou_vnet_put(uint8_t *p, const struct fou_vnet_hdr *h)
{
	p[0] = h->flags;
	p[1] = h->gso_type;
	put_le16(p + 2, h->hdr_len);
	put_le16(p + 4, h->gso_size);
	put_le16(p + 6, h->csum_start);
	put_le16(p + 8, h->csum_offset);
}
