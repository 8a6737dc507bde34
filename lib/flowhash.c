// SPDX-License-Identifier: MIT
/*
 * Inner flow hash for encap-sport auto and the IPv6 flow label. The kernel
 * hashes flow-dissector keys with a boot-random key, so only the properties
 * matter: stable per flow, spread across flows. Jenkins lookup3 mixing.
 */
#include <string.h>

#include "fou/fou.h"
#include "fou/htab.h"

#define FLOW_WORDS	10	/* 2 x 4 address words, ports, proto/label */

static uint32_t rol32(uint32_t x, unsigned int k)
{
	return x << k | x >> (32 - k);
}

static void mix(uint32_t *a, uint32_t *b, uint32_t *c)
{
	*a -= *c; *a ^= rol32(*c, 4); *c += *b;
	*b -= *a; *b ^= rol32(*a, 6); *a += *c;
	*c -= *b; *c ^= rol32(*b, 8); *b += *a;
	*a -= *c; *a ^= rol32(*c, 16); *c += *b;
	*b -= *a; *b ^= rol32(*a, 19); *a += *c;
	*c -= *b; *c ^= rol32(*b, 4); *b += *a;
}

static void final(uint32_t *a, uint32_t *b, uint32_t *c)
{
	*c ^= *b; *c -= rol32(*b, 14);
	*a ^= *c; *a -= rol32(*c, 11);
	*b ^= *a; *b -= rol32(*a, 25);
	*c ^= *b; *c -= rol32(*b, 16);
	*a ^= *c; *a -= rol32(*c, 4);
	*b ^= *a; *b -= rol32(*a, 14);
	*c ^= *b; *c -= rol32(*b, 24);
}

/* lookup3 hashword() over a fixed number of words. */
static uint32_t hash_words(const uint32_t *k, size_t n, uint32_t seed)
{
	uint32_t a, b, c;

	a = b = c = 0xdeadbeef + ((uint32_t)n << 2) + seed;
	while (n > 3) {
		a += k[0];
		b += k[1];
		c += k[2];
		mix(&a, &b, &c);
		n -= 3;
		k += 3;
	}
	if (n == 3)
		c += k[2];
	if (n >= 2)
		b += k[1];
	if (n >= 1) {
		a += k[0];
		final(&a, &b, &c);
	}
	return c;
}

uint32_t fou_hash_words(const uint32_t *k, size_t n, uint32_t seed)
{
	return hash_words(k, n, seed);
}

/* 64 bytes at a time, the last zero-padded, each round seeded by the one before. */
uint32_t fou_hash_bytes(const void *p, size_t n, uint32_t seed)
{
	const uint8_t *b = p;
	uint32_t w[16], h = seed + (uint32_t)n;
	size_t k;

	do {
		k = n < sizeof(w) ? n : sizeof(w);
		memset(w, 0, sizeof(w));
		memcpy(w, b, k);
		h = hash_words(w, 16, h);
		b += k;
		n -= k;
	} while (n);
	return h;
}

uint32_t fou_hash_str(const char *s, uint32_t seed)
{
	return fou_hash_bytes(s, strlen(s), seed);
}

/* The bytes fou_addr_eq() compares: the family's, not the unused rest. */
uint32_t fou_addr_hash(const struct fou_addr *a, uint32_t seed)
{
	size_t n = a->family == AF_INET6 ? 16 : a->family == AF_INET ? 4 : 0;

	return fou_hash_bytes(a->a, n, seed + (uint32_t)a->family);
}

/* A zeroed c holds family 0, which no looked-up address has: the first call hashes. */
uint32_t fou_addr_hash_last(struct fou_addr_hlast *c, const struct fou_addr *a, uint32_t seed)
{
	if (!a->family || c->seed != seed || !fou_addr_eq(&c->a, a)) {
		c->a = *a;
		c->seed = seed;
		c->h = fou_addr_hash(a, seed);
	}
	return c->h;
}

static void put_addr(uint32_t *w, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len / 4; i++)
		w[i] = fou_get32(p + 4 * i);
}

/* Fills the key words from whatever headers are present; lenient on purpose. */
static void flow_keys(const uint8_t *pkt, size_t len, uint32_t *w)
{
	uint16_t sport, dport;
	uint8_t proto;

	if (len >= FOU_IPV4_HLEN && pkt[0] >> 4 == 4) {
		put_addr(w, pkt + 12, 4);
		put_addr(w + 4, pkt + 16, 4);
		w[9] = pkt[9];
	} else if (len >= FOU_IPV6_HLEN && pkt[0] >> 4 == 6) {
		put_addr(w, pkt + 8, 16);
		put_addr(w + 4, pkt + 24, 16);
		w[9] = (uint32_t)pkt[6] << 24 | (fou_get32(pkt) & 0xfffff);
	} else {
		return;
	}
	if (fou_ip_l4_ports(pkt, len, &proto, &sport, &dport) == 0)
		w[8] = (uint32_t)sport << 16 | dport;
}

uint32_t fou_flow_hash(const uint8_t *pkt, size_t len, uint32_t seed)
{
	uint32_t w[FLOW_WORDS];
	uint32_t h;

	memset(w, 0, sizeof(w));
	flow_keys(pkt, len, w);
	h = hash_words(w, FLOW_WORDS, seed);
	return h ? h : 1;
}

uint16_t fou_flow_sport(uint32_t hash, uint16_t min, uint16_t max)
{
	/* ip_local_port_range's default, as udp_flow_src_port() falls back to. */
	if (min >= max) {
		min = 32768;
		max = 60999;
	}
	hash ^= hash << 16;
	return (uint16_t)((((uint64_t)hash * (uint32_t)(max - min)) >> 32) + min);
}
