// SPDX-License-Identifier: MIT
/* ECN across the tunnel (RFC 6040), as INET_ECN_encapsulate/decapsulate. */
#include "fou/fou.h"

uint8_t fou_ecn_encap(uint8_t outer_tos, uint8_t inner_tos)
{
	uint8_t inner = inner_tos & FOU_ECN_MASK;

	outer_tos &= (uint8_t)~FOU_ECN_MASK;
	/* CE is not copied outward: it would mark the whole tunnel congested. */
	return outer_tos | (inner == FOU_ECN_CE ? FOU_ECN_ECT0 : inner);
}

static void ip4_set_ce(uint8_t *p)
{
	uint32_t sum;

	p[1] |= FOU_ECN_CE;
	fou_put16(p + 10, 0);
	sum = fou_csum_add(0, p, (size_t)(p[0] & 0x0f) * 4);
	fou_put16(p + 10, fou_csum_fold(sum));
}

static uint8_t inner_ecn(const uint8_t *p)
{
	if (p[0] >> 4 == 4)
		return p[1] & FOU_ECN_MASK;
	return (uint8_t)(fou_get16(p) >> 4) & FOU_ECN_MASK;
}

static int inner_len_ok(const uint8_t *p, size_t len)
{
	if (len < 1)
		return -FOU_DROP_TOO_SHORT;
	if (p[0] >> 4 == 4) {
		if (len < FOU_IPV4_HLEN || (size_t)(p[0] & 0x0f) * 4 > len ||
		    (p[0] & 0x0f) < 5)
			return -FOU_DROP_TOO_SHORT;
		return 0;
	}
	if (p[0] >> 4 == 6)
		return len < FOU_IPV6_HLEN ? -FOU_DROP_TOO_SHORT : 0;
	return -FOU_DROP_BAD_IP;
}

int fou_ecn_decap(uint8_t *inner, size_t len, uint8_t outer_tos)
{
	int err;

	if ((outer_tos & FOU_ECN_MASK) != FOU_ECN_CE)
		return 0;
	err = inner_len_ok(inner, len);
	if (err)
		return err;
	if (inner_ecn(inner) == FOU_ECN_NOT_ECT)
		return -FOU_DROP_ECN;
	if (inner[0] >> 4 == 4)
		ip4_set_ce(inner);
	else
		inner[1] |= FOU_ECN_CE << 4;
	return 0;
}
