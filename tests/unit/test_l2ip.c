// SPDX-License-Identifier: MIT
/*
 * Outer TOS and TTL of the L2 overlays (tos/ttl N, inherit, defaults; ECN
 * encapsulated per RFC 6040) and ECN decapsulation into received frames.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/l2.h"

static uint8_t f4[14 + 28], f6[14 + 48], arp[14 + 28], tag[18 + 28];

/* An IPv4 packet of 28 bytes: TOS tos, TTL ttl, a valid header checksum. */
static void mk4(uint8_t *p, uint8_t tos, uint8_t ttl)
{
	memset(p, 0, 28);
	p[0] = 0x45;
	p[1] = tos;
	p[3] = 28;
	p[8] = ttl;
	p[9] = 17;
	fou_put16(p + 10, fou_csum_fold(fou_csum_add(0, p, 20)));
}

static void mk_eth(uint8_t *f, uint16_t type)
{
	memset(f, 0xff, 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);
	fou_put16(f + 12, type);
}

static int setup(void **state)
{
	(void)state;
	mk_eth(f4, FOU_ETH_P_IP);
	mk4(f4 + 14, 0xb8 | FOU_ECN_ECT0, 33);
	mk_eth(f6, FOU_ETH_P_IPV6);
	memset(f6 + 14, 0, 48);
	/* version 6, traffic class 0x29 (DSCP 0x28, ECT(1)), hop limit 17 */
	fou_put16(f6 + 14, 0x6000 | 0x29 << 4);
	f6[14 + 7] = 17;
	mk_eth(arp, 0x0806);
	memset(arp + 14, 0x45, 28);		/* looks like IPv4, but is not */
	mk_eth(tag, FOU_ETH_P_8021Q);
	fou_put16(tag + 16, FOU_ETH_P_IP);
	mk4(tag + 18, FOU_ECN_ECT0, 99);
	return 0;
}

struct hop_case {
	const uint8_t *frame;
	size_t len;
	struct fou_l2_hop h;
	uint8_t tos, ttl;
};

static void test_outer(void **state)
{
	const struct hop_case c[] = {
		/* defaults: DSCP 0, the inner ECN, TTL 64 */
		{ f4, sizeof(f4), { 0, false, 0, false, 64 }, FOU_ECN_ECT0, 64 },
		/* ttl N, tos T: T's DSCP with the inner ECN */
		{ f4, sizeof(f4), { 0x1f, false, 9, false, 64 }, 0x1e, 9 },
		/* ttl inherit: IPv4 TTL, IPv6 hop limit */
		{ f4, sizeof(f4), { 0, false, 0, true, 64 }, FOU_ECN_ECT0, 33 },
		{ f6, sizeof(f6), { 0, false, 0, true, 64 }, FOU_ECN_ECT1, 17 },
		/* tos inherit: IPv4 TOS, IPv6 traffic class */
		{ f4, sizeof(f4), { 0x10, true, 0, false, 64 }, 0xba, 64 },
		{ f6, sizeof(f6), { 0, true, 5, false, 1 }, 0x29, 5 },
		/* no IP to inherit from: ARP, a VLAN tag, a cut header: the default */
		{ arp, sizeof(arp), { 0, true, 0, true, 64 }, 0, 64 },
		{ tag, sizeof(tag), { 0x20, true, 0, true, 64 }, 0, 64 },
		{ f4, 14 + 19, { 0x20, true, 0, true, 1 }, 0, 1 },
		{ f6, 14 + 39, { 0, true, 0, true, 64 }, 0, 64 },
		{ f4, 13, { 0, true, 0, true, 64 }, 0, 64 },
	};
	uint8_t tos, ttl;

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		tos = ttl = 0xee;
		fou_l2_outer(&c[i].h, c[i].frame, c[i].len, &tos, &ttl);
		if (tos != c[i].tos || ttl != c[i].ttl)
			print_error("case %zu: tos 0x%x ttl %u\n", i, tos, ttl);
		assert_int_equal(tos, c[i].tos);
		assert_int_equal(ttl, c[i].ttl);
	}
}

/* Inner CE leaves as ECT(0); an inner TTL of 0 falls back to the default. */
static void test_outer_ce_ttl0(void **state)
{
	const struct fou_l2_hop h = { 0x04, false, 0, true, 64 };
	uint8_t f[sizeof(f4)], tos, ttl;

	(void)state;
	memcpy(f, f4, sizeof(f));
	mk4(f + 14, 0xb8 | FOU_ECN_CE, 0);
	fou_l2_outer(&h, f, sizeof(f), &tos, &ttl);
	assert_int_equal(tos, 0x04 | FOU_ECN_ECT0);
	assert_int_equal(ttl, 64);
}

static void test_decap(void **state)
{
	uint8_t f[sizeof(f6)];

	(void)state;
	/* Outer CE over ECT(0) IPv4: CE, header checksum still right. */
	memcpy(f, f4, sizeof(f4));
	assert_int_equal(fou_l2_ecn_decap(f, sizeof(f4), 0xb8 | FOU_ECN_CE), 0);
	assert_int_equal(f[15], 0xb8 | FOU_ECN_CE);
	assert_int_equal(fou_csum_fold(fou_csum_add(0, f + 14, 20)), 0);
	assert_memory_equal(f + 16, f4 + 16, 8);
	assert_memory_equal(f + 26, f4 + 26, sizeof(f4) - 26);
	/* Outer CE over ECT(1) IPv6: CE in the traffic class. */
	memcpy(f, f6, sizeof(f6));
	assert_int_equal(fou_l2_ecn_decap(f, sizeof(f6), FOU_ECN_CE), 0);
	assert_int_equal(fou_get16(f + 14), 0x6000 | (0x28 | FOU_ECN_CE) << 4);
	/* Outer CE over not-ECT: drop. */
	memcpy(f, f4, sizeof(f4));
	mk4(f + 14, 0xb8, 64);
	assert_int_equal(fou_l2_ecn_decap(f, sizeof(f4), FOU_ECN_CE), -FOU_DROP_ECN);
	/* Outer ECT(0) or not-ECT: nothing changes. */
	memcpy(f, f4, sizeof(f4));
	assert_int_equal(fou_l2_ecn_decap(f, sizeof(f4), FOU_ECN_ECT0), 0);
	assert_int_equal(fou_l2_ecn_decap(f, sizeof(f4), 0xfc), 0);
	assert_memory_equal(f, f4, sizeof(f4));
	/* No IP after an untagged header: delivered as it is. */
	memcpy(f, arp, sizeof(arp));
	assert_int_equal(fou_l2_ecn_decap(f, sizeof(arp), FOU_ECN_CE), 0);
	assert_memory_equal(f, arp, sizeof(arp));
	memcpy(f, tag, sizeof(tag));
	assert_int_equal(fou_l2_ecn_decap(f, sizeof(tag), FOU_ECN_CE), 0);
	assert_memory_equal(f, tag, sizeof(tag));
	assert_int_equal(fou_l2_ecn_decap(f, 10, FOU_ECN_CE), 0);
	/* A cut IPv4 header is left alone too, whatever its IHL says. */
	memcpy(f, f4, sizeof(f4));
	assert_int_equal(fou_l2_ecn_decap(f, 14 + 19, FOU_ECN_CE), 0);
	f[14] = 0x4f;	/* IHL 60 bytes past the 28 there are */
	assert_int_equal(fou_l2_ecn_decap(f, sizeof(f4), FOU_ECN_CE), -FOU_DROP_TOO_SHORT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outer),
		cmocka_unit_test(test_outer_ce_ttl0),
		cmocka_unit_test(test_decap),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
