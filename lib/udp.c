// SPDX-License-Identifier: MIT
/* UDP header of the outer packet. */
#include "fou/fou.h"

int fou_udp_push(struct fou_buf *b, uint16_t sport, uint16_t dport,
		 const struct fou_addr *src, const struct fou_addr *dst, bool csum)
{
	size_t len = b->len + FOU_UDP_HLEN;
	uint32_t sum;
	uint16_t c;
	uint8_t *h;
	int ret;

	ret = fou_buf_push_hdr(b, FOU_UDP_HLEN, len, &h);
	if (ret)
		return ret;
	fou_put16(h, sport);
	fou_put16(h + 2, dport);
	fou_put16(h + 4, (uint16_t)len);
	fou_put16(h + 6, 0);
	if (!csum)
		return 0;
	sum = fou_csum_pseudo(src, dst, FOU_PROTO_UDP, (uint32_t)len);
	c = fou_csum_fold(fou_csum_add(sum, h, len));
	/* 0 means "no checksum" in UDP, so a computed 0 is sent as 0xffff. */
	fou_put16(h + 6, c ? c : 0xffff);
	return 0;
}
