// SPDX-License-Identifier: MIT
/*
 * Hashes of Ethernet frames and MAC addresses. udp_flow_src_port() with
 * use_eth hashes the inner flow when the flow dissector finds one, else
 * jhash(the two MAC addresses, 12 bytes, skb->protocol): lookup3 below.
 */
#include "fou/l2.h"

#define ETH_MAX_TAGS	2

static uint32_t rol32(uint32_t x, unsigned int k)
{
	return x << k | x >> (32 - k);
}

/* lookup3 final() */
static uint32_t jfinal(uint32_t a, uint32_t b, uint32_t c)
{
	c ^= b; c -= rol32(b, 14);
	a ^= c; a -= rol32(c, 11);
	b ^= a; b -= rol32(a, 25);
	c ^= b; c -= rol32(b, 16);
	a ^= c; a -= rol32(c, 4);
	b ^= a; b -= rol32(a, 14);
	c ^= b; c -= rol32(b, 24);
	return c;
}

/* Little-endian word, as jhash() reads bytes on x86. */
static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* jhash() of exactly 12 bytes. */
static uint32_t jhash12(const uint8_t *k, uint32_t initval)
{
	uint32_t a, b, c;

	a = b = c = 0xdeadbeef + 12 + initval;
	a += get_le32(k);
	b += get_le32(k + 4);
	c += get_le32(k + 8);
	return jfinal(a, b, c);
}

uint32_t fou_mac_hash(const uint8_t *mac, uint32_t seed)
{
	uint32_t a, b, c;

	a = b = c = 0xdeadbeef + FOU_ETH_ALEN + seed;
	a += get_le32(mac);
	b += (uint32_t)mac[4] | (uint32_t)mac[5] << 8;
	return jfinal(a, b, c);
}

/* Offset of the L3 header after up to two VLAN tags, and its ethertype. */
static size_t eth_l3(const uint8_t *frame, size_t len, uint16_t *type)
{
	size_t off = 12;
	int tags;

	*type = fou_get16(frame + off);
	for (tags = 0; tags < ETH_MAX_TAGS; tags++) {
		if (*type != FOU_ETH_P_8021Q && *type != FOU_ETH_P_8021AD)
			break;
		if (len - off < 6)
			return 0;
		off += 4;
		*type = fou_get16(frame + off);
	}
	return off + 2;
}

uint32_t fou_eth_hash(const uint8_t *frame, size_t len, uint32_t seed)
{
	uint16_t type;
	size_t off;
	uint32_t h;

	if (len < FOU_ETH_HLEN)
		return 1;
	off = eth_l3(frame, len, &type);
	if (off && (type == FOU_ETH_P_IP || type == FOU_ETH_P_IPV6))
		return fou_flow_hash(frame + off, len - off, seed);
	h = jhash12(frame, seed ^ fou_get16(frame + 12));
	return h ? h : 1;
}

uint16_t fou_l2_sport(const uint8_t *frame, size_t len, uint32_t seed,
		      uint16_t min, uint16_t max)
{
	return fou_flow_sport(fou_eth_hash(frame, len, seed), min, max);
}
