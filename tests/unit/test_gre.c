// SPDX-License-Identifier: MIT
/* GRE (RFC 2784/2890) push and pull. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/fou.h"

/*
 * C|K|S, IPv4, csum, key 0x01020304, seq 5, payload "abcd". By hand:
 * b000+0800+0102+0304+0005+6162+6364 = 0x180d1 -> 0x80d2, so 0x7f2d.
 */
static const uint8_t full[] = {
	0xb0, 0x00, 0x08, 0x00, 0x7f, 0x2d, 0x00, 0x00,
	0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x05, 'a', 'b', 'c', 'd',
};

static uint8_t st[128];

static struct fou_buf mk(const uint8_t *p, size_t n)
{
	struct fou_buf b = { st, sizeof(st), 32, n };

	memset(st, 0, sizeof(st));
	if (n)
		memcpy(st + 32, p, n);
	return b;
}

static void test_hdr_len(void **state)
{
	(void)state;
	assert_int_equal(fou_gre_hdr_len(0), 4);
	assert_int_equal(fou_gre_hdr_len(FOU_GRE_CSUM), 8);
	assert_int_equal(fou_gre_hdr_len(FOU_GRE_KEY | FOU_GRE_SEQ), 12);
	assert_int_equal(fou_gre_hdr_len(FOU_GRE_CSUM | FOU_GRE_KEY | FOU_GRE_SEQ), 16);
}

static void test_push_full(void **state)
{
	struct fou_gre g = { FOU_GRE_CSUM | FOU_GRE_KEY | FOU_GRE_SEQ, FOU_ETH_P_IP, 0x01020304, 5 };
	struct fou_buf b = mk((const uint8_t *)"abcd", 4);

	(void)state;
	assert_int_equal(fou_gre_push(&b, &g), 0);
	assert_int_equal(b.len, sizeof(full));
	assert_memory_equal(fou_buf_data(&b), full, sizeof(full));
}

static void test_push_variants(void **state)
{
	struct fou_gre g = { 0, FOU_ETH_P_IPV6, 0, 0 };
	struct fou_gre k = { FOU_GRE_KEY, FOU_ETH_P_IP, 0xdeadbeef, 0 };
	struct fou_gre s = { FOU_GRE_SEQ, FOU_ETH_P_IP, 0, 0x80000001 };
	struct fou_buf b = mk(NULL, 0);

	(void)state;
	assert_int_equal(fou_gre_push(&b, &g), 0);
	assert_memory_equal(fou_buf_data(&b), "\x00\x00\x86\xdd", 4);
	b = mk(NULL, 0);
	assert_int_equal(fou_gre_push(&b, &k), 0);
	assert_memory_equal(fou_buf_data(&b), "\x20\x00\x08\x00\xde\xad\xbe\xef", 8);
	b = mk(NULL, 0);
	assert_int_equal(fou_gre_push(&b, &s), 0);
	assert_memory_equal(fou_buf_data(&b), "\x10\x00\x08\x00\x80\x00\x00\x01", 8);
	b.off = 2;
	assert_int_equal(fou_gre_push(&b, &s), -FOU_DROP_TOO_SHORT);
}

static void test_pull_full(void **state)
{
	struct fou_buf b = mk(full, sizeof(full));
	struct fou_gre g;

	(void)state;
	assert_int_equal(fou_gre_pull(&b, &g), 0);
	assert_int_equal(g.flags, FOU_GRE_CSUM | FOU_GRE_KEY | FOU_GRE_SEQ);
	assert_int_equal(g.proto, FOU_ETH_P_IP);
	assert_int_equal(g.key, 0x01020304);
	assert_int_equal(g.seq, 5);
	assert_int_equal(b.len, 4);
	assert_memory_equal(fou_buf_data(&b), "abcd", 4);
}

static void test_round_trip(void **state)
{
	uint16_t fl;

	(void)state;
	for (fl = 0; fl < 8; fl++) {
		struct fou_gre g = { 0, 0x86dd, 0x11223344, 0x55667788 }, r;
		struct fou_buf b = mk((const uint8_t *)"xyz", 3);

		g.flags = (fl & 1 ? FOU_GRE_CSUM : 0) | (fl & 2 ? FOU_GRE_KEY : 0) |
			  (fl & 4 ? FOU_GRE_SEQ : 0);
		assert_int_equal(fou_gre_push(&b, &g), 0);
		assert_int_equal(b.len, fou_gre_hdr_len(g.flags) + 3);
		assert_int_equal(fou_gre_pull(&b, &r), 0);
		assert_int_equal(r.flags, g.flags);
		assert_int_equal(r.proto, 0x86dd);
		assert_int_equal(r.key, g.flags & FOU_GRE_KEY ? 0x11223344 : 0);
		assert_int_equal(r.seq, g.flags & FOU_GRE_SEQ ? 0x55667788 : 0);
		assert_int_equal(b.len, 3);
	}
}

static void expect_drop(const uint8_t *p, size_t n, int reason)
{
	struct fou_buf b = mk(p, n);
	struct fou_gre g;

	assert_int_equal(fou_gre_pull(&b, &g), reason);
	assert_int_equal(b.off, 32);
}

static void test_bad(void **state)
{
	uint8_t p[sizeof(full)];
	int v;

	(void)state;
	for (v = 1; v < 8; v++) {
		memcpy(p, full, sizeof(p));
		p[1] |= (uint8_t)v;
		expect_drop(p, sizeof(p), -FOU_DROP_GRE_VERSION);
	}
	memcpy(p, full, sizeof(p));
	p[0] |= 0x40;				/* routing */
	expect_drop(p, sizeof(p), -FOU_DROP_GRE_FLAGS);
	memcpy(p, full, sizeof(p));
	p[0] |= 0x08;				/* reserved0 bit 4 */
	expect_drop(p, sizeof(p), -FOU_DROP_GRE_FLAGS);
	memcpy(p, full, sizeof(p));
	p[0] |= 0x04;				/* reserved0 bit 5 */
	expect_drop(p, sizeof(p), -FOU_DROP_GRE_FLAGS);
	memcpy(p, full, sizeof(p));
	p[5] ^= 0x01;				/* checksum */
	expect_drop(p, sizeof(p), -FOU_DROP_BAD_CSUM);
	memcpy(p, full, sizeof(p));
	p[19] ^= 0x01;				/* payload under the checksum */
	expect_drop(p, sizeof(p), -FOU_DROP_BAD_CSUM);
}

/* What a local stack leaves in the TCP checksum field of the IPv4 packet q: the folded pseudo-header sum. */
static void set_partial(uint8_t *q)
{
	struct fou_addr src = { .family = AF_INET }, dst = { .family = AF_INET };

	memcpy(src.a, q + 12, 4);
	memcpy(dst.a, q + 16, 4);
	fou_put16(q + 36, (uint16_t)~fou_csum_fold(fou_csum_pseudo(&src, &dst, 6, 31)));
}

/* An IPv4/TCP SYN with 11 bytes of data in p, Ethernet of type etype in front unless 0. */
static size_t mk_tcp4(uint8_t *p, uint16_t etype)
{
	static const uint8_t ip[] = {
		0x45, 0, 0, 51, 0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
	};
	size_t l2 = etype ? 14 : 0, i;
	uint8_t *q = p + l2;

	memset(p, 0, l2 + 51);
	if (etype)
		fou_put16(p + 12, etype);
	memcpy(q, ip, sizeof(ip));
	fou_put16(q + 10, fou_csum_fold(fou_csum_add(0, q, 20)));
	fou_put16(q + 20, 40000);
	fou_put16(q + 22, 80);
	q[32] = 5 << 4;
	q[33] = 0x02;
	for (i = 40; i < 51; i++)
		q[i] = (uint8_t)(i * 13);
	return l2 + 51;
}

/*
 * A local sender sums the GRE checksum over the inner packet as completed
 * (local checksum offload), while the inner TCP checksum arrives partial:
 * pulled with want; when accepted, the inner checksum is completed.
 */
static void pull_lco(uint16_t proto, uint16_t etype, int want)
{
	struct fou_gre g = { FOU_GRE_CSUM, proto, 0, 0 }, r;
	size_t n, l2 = etype ? 14 : 0;
	uint8_t done[80];
	struct fou_buf b;

	n = mk_tcp4(done, etype);
	set_partial(done + l2);
	assert_int_equal(fou_csum_complete(done + l2, 51, 20, 16), 0);
	b = mk(done, n);
	assert_int_equal(fou_gre_push(&b, &g), 0);
	set_partial(fou_buf_data(&b) + 8 + l2);
	assert_int_equal(fou_gre_pull(&b, &r), want);
	if (!want) {
		assert_int_equal(b.len, n);
		assert_memory_equal(fou_buf_data(&b), done, n);
	}
	/* A field neither complete nor partial is a corruption. */
	b = mk(done, n);
	assert_int_equal(fou_gre_push(&b, &g), 0);
	set_partial(fou_buf_data(&b) + 8 + l2);
	fou_buf_data(&b)[8 + l2 + 37] ^= 1;
	assert_int_equal(fou_gre_pull(&b, &r), -FOU_DROP_BAD_CSUM);
}

static void test_lco(void **state)
{
	(void)state;
	pull_lco(FOU_ETH_P_IP, 0, 0);
	pull_lco(FOU_ETH_P_TEB, FOU_ETH_P_IP, 0);
	/* Only IP, or Ethernet carrying IP, is looked into. */
	pull_lco(FOU_ETH_P_TEB, 0x88B5, -FOU_DROP_BAD_CSUM);
	pull_lco(0x88B5, 0, -FOU_DROP_BAD_CSUM);
}

static void test_truncated(void **state)
{
	size_t n;

	(void)state;
	for (n = 0; n < 16; n++)
		expect_drop(full, n, -FOU_DROP_TOO_SHORT);
	/* Past the header, a cut payload fails the checksum. */
	for (n = 16; n < sizeof(full); n++)
		expect_drop(full, n, -FOU_DROP_BAD_CSUM);
	/* Without the checksum, payload truncation is not GRE's business. */
	for (n = 0; n < 4; n++)
		expect_drop((const uint8_t *)"\x00\x00\x08\x00", n, -FOU_DROP_TOO_SHORT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr_len),
		cmocka_unit_test(test_push_full),
		cmocka_unit_test(test_push_variants),
		cmocka_unit_test(test_pull_full),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_lco),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
