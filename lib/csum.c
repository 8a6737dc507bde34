// SPDX-License-Identifier: MIT
/* Internet checksum (RFC 1071) over big-endian words. */
#include <sys/socket.h>

#include "fou/fou.h"

/* Folds a 64-bit accumulator into 32 bits, keeping the end-around carry. */
static uint32_t fold64(uint64_t s)
{
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

uint32_t fou_csum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t s = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	return fold64(s);
}

uint16_t fou_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t fou_csum_pseudo(const struct fou_addr *src, const struct fou_addr *dst,
			 uint8_t proto, uint32_t len)
{
	size_t alen = src->family == AF_INET6 ? 16 : 4;
	uint64_t s;

	s = fou_csum_add(0, src->a, alen);
	s += fou_csum_add(0, dst->a, alen);
	s += proto;
	s += len >> 16;
	s += len & 0xffff;
	return fold64(s);
}

int fou_csum_complete(uint8_t *pkt, size_t len, size_t start, size_t offset)
{
	uint16_t c;

	if (start > len || offset > len - start || len - start - offset < 2)
		return -FOU_DROP_BAD_GSO;
	/* The field already holds the pseudo-header sum, so sum it in place. */
	c = fou_csum_fold(fou_csum_add(0, pkt + start, len - start));
	/* As skb_checksum_help(): a computed 0 goes out as 0xffff. */
	fou_put16(pkt + start + offset, c ? c : 0xffff);
	return 0;
}
