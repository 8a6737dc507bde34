// SPDX-License-Identifier: MIT
/* NVGRE (RFC 7637): key bits, header checks, inner VLAN rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/l2.h"

/* K, 0x6558, VSID 0x123456, FlowID 0x78; inner frame and "hi". */
static const uint8_t pkt[] = {
	0x20, 0x00, 0x65, 0x58, 0x12, 0x34, 0x56, 0x78,
	0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x06, 'h', 'i',
};
#define HLEN	8

static uint8_t st[256];

static struct fou_buf mk(const uint8_t *p, size_t n)
{
	struct fou_buf b = { st, sizeof(st), 64, n };

	memset(st, 0, sizeof(st));
	if (n)
		memcpy(st + 64, p, n);
	return b;
}

static void test_key(void **state)
{
	(void)state;
	assert_int_equal(fou_nvgre_key(0x123456, 0x78), 0x12345678);
	assert_int_equal(fou_nvgre_key(0xffffff, 0), 0xffffff00);
	assert_int_equal(fou_nvgre_key(0x1000001, 0xff), 0x000001ff);
}

static void test_push(void **state)
{
	struct fou_buf b = mk(pkt + HLEN, sizeof(pkt) - HLEN);

	(void)state;
	assert_int_equal(fou_nvgre_push(&b, 0x123456, 0x78), 0);
	assert_int_equal(b.len, sizeof(pkt));
	assert_memory_equal(fou_buf_data(&b), pkt, sizeof(pkt));
}

static void test_pull(void **state)
{
	struct fou_buf b = mk(pkt, sizeof(pkt));
	uint32_t vsid;
	uint8_t flowid;

	(void)state;
	assert_int_equal(fou_nvgre_pull(&b, &vsid, &flowid), 0);
	assert_int_equal(vsid, 0x123456);
	assert_int_equal(flowid, 0x78);
	assert_int_equal(b.len, sizeof(pkt) - HLEN);
	assert_memory_equal(fou_buf_data(&b), pkt + HLEN, b.len);
}

static void expect_drop(const uint8_t *p, size_t n, int reason)
{
	struct fou_buf b = mk(p, n);
	uint32_t vsid;
	uint8_t flowid;

	assert_int_equal(fou_nvgre_pull(&b, &vsid, &flowid), reason);
	assert_int_equal(b.off, 64);
	assert_int_equal(b.len, n);
}

static void test_bad(void **state)
{
	uint8_t p[sizeof(pkt) + 8];
	struct fou_gre g;
	struct fou_buf b;

	(void)state;
	/* No key. */
	expect_drop((const uint8_t *)"\x00\x00\x65\x58\x02\0\0\0\0\1\2\0\0\0\0\2\x08\x00", 18,
		    -FOU_DROP_GRE_KEY);
	/* Wrong protocol. */
	memcpy(p, pkt, sizeof(pkt));
	fou_put16(p + 2, FOU_ETH_P_IP);
	expect_drop(p, sizeof(pkt), -FOU_DROP_GRE_PROTO);
	/* Version, routing. */
	memcpy(p, pkt, sizeof(pkt));
	p[1] = 1;
	expect_drop(p, sizeof(pkt), -FOU_DROP_GRE_VERSION);
	p[1] = 0;
	p[0] |= 0x40;
	expect_drop(p, sizeof(pkt), -FOU_DROP_GRE_FLAGS);
	/* Inner 802.1Q tag: the decapsulator drops it (RFC 7637 3.3). */
	memcpy(p, pkt, sizeof(pkt));
	fou_put16(p + 20, FOU_ETH_P_8021Q);
	expect_drop(p, sizeof(pkt), -FOU_DROP_INNER_PROTO);
	/* The encapsulator refuses one too. */
	b = mk(p + HLEN, sizeof(pkt) - HLEN);
	assert_int_equal(fou_nvgre_push(&b, 1, 2), -FOU_DROP_INNER_PROTO);
	b = mk(pkt + HLEN, 13);
	assert_int_equal(fou_nvgre_push(&b, 1, 2), -FOU_DROP_TOO_SHORT);
	/* With C or S (valid GRE), still not NVGRE. */
	b = mk(pkt + HLEN, sizeof(pkt) - HLEN);
	g = (struct fou_gre){ FOU_GRE_KEY | FOU_GRE_CSUM, FOU_ETH_P_TEB, 1, 0 };
	assert_int_equal(fou_gre_push(&b, &g), 0);
	memcpy(p, fou_buf_data(&b), b.len);
	expect_drop(p, b.len, -FOU_DROP_GRE_CSUM);
	b = mk(pkt + HLEN, sizeof(pkt) - HLEN);
	g = (struct fou_gre){ FOU_GRE_KEY | FOU_GRE_SEQ, FOU_ETH_P_TEB, 1, 9 };
	assert_int_equal(fou_gre_push(&b, &g), 0);
	memcpy(p, fou_buf_data(&b), b.len);
	expect_drop(p, b.len, -FOU_DROP_GRE_SEQ);
}

static void test_check(void **state)
{
	struct fou_gre g = { FOU_GRE_KEY, FOU_ETH_P_TEB, 0xabcdef01, 0 };
	uint32_t vsid;
	uint8_t flowid;

	(void)state;
	/* After fou_rx_kind() has parsed GRE. */
	assert_int_equal(fou_nvgre_check(&g, pkt + HLEN, sizeof(pkt) - HLEN, &vsid, &flowid), 0);
	assert_int_equal(vsid, 0xabcdef);
	assert_int_equal(flowid, 0x01);
	assert_int_equal(fou_nvgre_check(&g, pkt + HLEN, 13, &vsid, &flowid), -FOU_DROP_TOO_SHORT);
}

static void test_truncated(void **state)
{
	size_t n;

	(void)state;
	for (n = 0; n < HLEN + FOU_ETH_HLEN; n++)
		expect_drop(pkt, n, -FOU_DROP_TOO_SHORT);
}

static void test_flowid(void **state)
{
	uint8_t f[64];
	unsigned int seen[256];
	unsigned int i, distinct = 0;

	(void)state;
	memset(seen, 0, sizeof(seen));
	memset(f, 0, sizeof(f));
	memcpy(f, pkt + HLEN, FOU_ETH_HLEN);
	for (i = 0; i < 1024; i++) {
		f[5] = (uint8_t)i;
		f[4] = (uint8_t)(i >> 8);
		assert_int_equal(fou_nvgre_flowid(f, 60, 9),
				 fou_eth_hash(f, 60, 9) & 0xff);
		seen[fou_nvgre_flowid(f, 60, 9)]++;
	}
	for (i = 0; i < 256; i++)
		distinct += seen[i] != 0;
	assert_true(distinct > 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_push),
		cmocka_unit_test(test_pull),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_flowid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
