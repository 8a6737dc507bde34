// SPDX-License-Identifier: MIT
/*
 * The IP packet an Ethernet frame carries, as the kernel's L2 tunnels see it
 * (skb->protocol): the IPv4 or IPv6 header right after an untagged
 * Ethernet header. Its TOS and TTL decide the outer ones with `inherit`,
 * and ECN crosses the tunnel per RFC 6040 both ways.
 */
#include "fou/l2.h"

const uint8_t *fou_l2_ip(const uint8_t *frame, size_t len)
{
	const uint8_t *p = frame + FOU_ETH_HLEN;
	uint16_t type;

	if (len < FOU_ETH_HLEN + 1)
		return NULL;
	type = fou_get16(frame + 12);
	len -= FOU_ETH_HLEN;
	if (type == FOU_ETH_P_IP && p[0] >> 4 == 4 && len >= FOU_IPV4_HLEN)
		return p;
	if (type == FOU_ETH_P_IPV6 && p[0] >> 4 == 6 && len >= FOU_IPV6_HLEN)
		return p;
	return NULL;
}

void fou_l2_outer(const struct fou_l2_hop *h, const uint8_t *frame, size_t len,
		  uint8_t *tos, uint8_t *ttl)
{
	const uint8_t *ip = fou_l2_ip(frame, len);
	uint8_t in_tos = 0, in_ttl = 0;

	if (ip && ip[0] >> 4 == 4) {
		in_tos = ip[1];
		in_ttl = ip[8];
	} else if (ip) {
		in_tos = (uint8_t)(fou_get16(ip) >> 4);
		in_ttl = ip[7];
	}
	*tos = fou_ecn_encap(h->tos_inherit ? in_tos : h->tos, in_tos);
	if (h->ttl_inherit)
		*ttl = in_ttl ? in_ttl : h->ttl_default;
	else
		*ttl = h->ttl ? h->ttl : h->ttl_default;
}

int fou_l2_ecn_decap(uint8_t *frame, size_t len, uint8_t outer_tos)
{
	if ((outer_tos & FOU_ECN_MASK) != FOU_ECN_CE || !fou_l2_ip(frame, len))
		return 0;
	return fou_ecn_decap(frame + FOU_ETH_HLEN, len - FOU_ETH_HLEN, outer_tos);
}
