// SPDX-License-Identifier: MIT
/* Flow hash stability and spread; udp_flow_src_port() scaling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/fou.h"
#include "fou/htab.h"

static void mk(uint8_t *p, uint16_t sport, uint16_t dport)
{
	memset(p, 0, 28);
	p[0] = 0x45;
	p[3] = 28;
	p[8] = 64;
	p[9] = 17;
	memcpy(p + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	fou_put16(p + 10, fou_csum_fold(fou_csum_add(0, p, 20)));
	fou_put16(p + 20, sport);
	fou_put16(p + 22, dport);
	p[25] = 8;
}

static void test_stable(void **state)
{
	uint8_t a[28], b[28];

	(void)state;
	mk(a, 1000, 53);
	mk(b, 1000, 53);
	b[27] = 0x77;	/* the UDP checksum is not part of the flow */
	assert_int_equal(fou_flow_hash(a, 28, 5), fou_flow_hash(b, 28, 5));
	assert_int_not_equal(fou_flow_hash(a, 28, 5), fou_flow_hash(a, 28, 6));
	assert_int_not_equal(fou_flow_hash(a, 0, 5), 0);
	assert_int_not_equal(fou_flow_hash(a, 3, 5), 0);
}

static void test_spread(void **state)
{
	unsigned int buckets[16] = { 0 }, i;
	uint32_t seen[256];
	uint8_t p[28];

	(void)state;
	for (i = 0; i < 256; i++) {
		mk(p, (uint16_t)(1024 + i), 80);
		seen[i] = fou_flow_hash(p, 28, 0);
		buckets[fou_flow_sport(seen[i], 0, 16)]++;
		for (unsigned int j = 0; j < i; j++)
			assert_int_not_equal(seen[i], seen[j]);
	}
	/* 256 flows over 16 ports: none empty, none hogging. */
	for (i = 0; i < 16; i++) {
		assert_true(buckets[i] > 4);
		assert_true(buckets[i] < 40);
	}
}

static void test_sport(void **state)
{
	uint32_t h;

	(void)state;
	/* hash ^= hash << 16, then scaled: 0x0000ffff -> 0xffffffff -> max-1. */
	assert_int_equal(fou_flow_sport(0x0000ffff, 40000, 50000), 49999);
	assert_int_equal(fou_flow_sport(0, 40000, 50000), 40000);
	/* 0x80000000 stays, half of the range. */
	assert_int_equal(fou_flow_sport(0x80000000u, 40000, 50000), 45000);
	for (h = 1; h < 0xfff00000u; h += 0x00fedcba) {
		uint16_t p = fou_flow_sport(h, 1000, 1010);

		assert_true(p >= 1000 && p < 1010);
	}
	/* min >= max falls back to the default local port range. */
	assert_true(fou_flow_sport(12345, 0, 0) >= 32768);
	assert_true(fou_flow_sport(0xffffffffu, 5, 5) < 60999);
}

/* The remembered hash is the hash of this address and seed, whatever came before. */
static void test_addr_hash_last(void **state)
{
	struct fou_addr a4 = { AF_INET, { 192, 0, 2, 1 } }, b4 = { AF_INET, { 192, 0, 2, 2 } };
	struct fou_addr a6 = { AF_INET6, { 192, 0, 2, 1 } };
	const struct fou_addr *seq[] = { &a4, &a4, &b4, &a4, &a6, &a4, &a6, &a6 };
	struct fou_addr_hlast c;
	size_t i;

	(void)state;
	memset(&c, 0, sizeof(c));
	for (i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		assert_int_equal(fou_addr_hash_last(&c, seq[i], 7), fou_addr_hash(seq[i], 7));
		assert_int_equal(fou_addr_hash_last(&c, seq[i], 9), fou_addr_hash(seq[i], 9));
	}
	assert_int_not_equal(fou_addr_hash(&a4, 7), fou_addr_hash(&b4, 7));
	assert_int_not_equal(fou_addr_hash(&a4, 7), fou_addr_hash(&a6, 7));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stable),
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_sport),
		cmocka_unit_test(test_addr_hash_last),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
