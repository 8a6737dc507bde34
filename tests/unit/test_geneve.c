// SPDX-License-Identifier: MIT
/* Geneve (RFC 8926) push/pull with options and the critical-option rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/l2.h"

/*
 * Ver 0, Opt Len 3 words, C set, 0x6558, VNI 0xabcdef; option class 0x0102
 * type 3 with one word "wxyz", option class 0xffff type 0x80 (critical)
 * without data; then an inner frame and "hi".
 */
static const uint8_t pkt[] = {
	0x03, 0x40, 0x65, 0x58, 0xab, 0xcd, 0xef, 0x00,
	0x01, 0x02, 0x03, 0x01, 'w', 'x', 'y', 'z',
	0xff, 0xff, 0x80, 0x00,
	0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00, 'h', 'i',
};
#define HLEN	20
#define OPTS	(pkt + 8)

static const struct fou_geneve_opt_id known[] = { { 0x0102, 0x83 }, { 0xffff, 0x80 } };

static uint8_t st[512];

static struct fou_buf mk(const uint8_t *p, size_t n)
{
	struct fou_buf b = { st, sizeof(st), 300, n };

	memset(st, 0, sizeof(st));
	if (n)
		memcpy(st + 300, p, n);
	return b;
}

static void test_push(void **state)
{
	struct fou_buf b = mk(pkt + HLEN, sizeof(pkt) - HLEN);

	(void)state;
	assert_int_equal(fou_geneve_hdr_len(12), 20);
	assert_int_equal(fou_geneve_push(&b, 0xabcdef, OPTS, 12, false), 0);
	assert_int_equal(b.len, sizeof(pkt));
	assert_memory_equal(fou_buf_data(&b), pkt, sizeof(pkt));
	/* No options: no C; O on request. */
	b = mk(pkt + HLEN, sizeof(pkt) - HLEN);
	assert_int_equal(fou_geneve_push(&b, 0x1000001, NULL, 0, true), 0);
	assert_memory_equal(fou_buf_data(&b), "\x00\x80\x65\x58\x00\x00\x01\x00", 8);
	/* Only non-critical options: no C. */
	b = mk(pkt + HLEN, sizeof(pkt) - HLEN);
	assert_int_equal(fou_geneve_push(&b, 1, OPTS, 8, false), 0);
	assert_memory_equal(fou_buf_data(&b), "\x02\x00\x65\x58\x00\x00\x01\x00", 8);
}

static void test_push_bad(void **state)
{
	static uint8_t big[256];
	struct fou_buf b = mk(NULL, 0);

	(void)state;
	/* An option running past the buffer, a stray half header, too long, no headroom. */
	assert_int_equal(fou_geneve_push(&b, 1, OPTS, 4, false), -FOU_DROP_TOO_SHORT);
	assert_int_equal(fou_geneve_push(&b, 1, OPTS, 10, false), -FOU_DROP_TOO_SHORT);
	assert_int_equal(fou_geneve_push(&b, 1, big, 256, false), -FOU_DROP_TOO_SHORT);
	assert_int_equal(fou_geneve_push(&b, 1, NULL, 4, false), -FOU_DROP_TOO_SHORT);
	b.off = 19;
	assert_int_equal(fou_geneve_push(&b, 1, OPTS, 12, false), -FOU_DROP_TOO_SHORT);
	assert_int_equal(b.off, 19);
	assert_int_equal(b.len, 0);
}

static void test_pull(void **state)
{
	struct fou_buf b = mk(pkt, sizeof(pkt));
	struct fou_geneve g;

	(void)state;
	assert_int_equal(fou_geneve_pull(&b, known, 2, &g), 0);
	assert_int_equal(g.vni, 0xabcdef);
	assert_int_equal(g.proto, FOU_ETH_P_TEB);
	assert_int_equal(g.flags, FOU_GENEVE_F_CRIT);
	assert_int_equal(g.opts_len, 12);
	assert_memory_equal(g.opts, OPTS, 12);
	assert_int_equal(b.len, sizeof(pkt) - HLEN);
	assert_memory_equal(fou_buf_data(&b), pkt + HLEN, b.len);
}

static void expect_drop(const uint8_t *p, size_t n, const struct fou_geneve_opt_id *k,
			size_t nk, int reason)
{
	struct fou_buf b = mk(p, n);
	struct fou_geneve g;

	assert_int_equal(fou_geneve_pull(&b, k, nk, &g), reason);
	assert_int_equal(b.off, 300);
	assert_int_equal(b.len, n);
}

static void test_critical(void **state)
{
	static const struct fou_geneve_opt_id other[] = { { 0xffff, 0x81 }, { 0xfffe, 0x80 } };
	uint8_t p[sizeof(pkt)];
	struct fou_buf b;
	struct fou_geneve g;

	(void)state;
	/* Unknown critical option: dropped, whatever else is known. */
	expect_drop(pkt, sizeof(pkt), NULL, 0, -FOU_DROP_GENEVE_CRITICAL);
	expect_drop(pkt, sizeof(pkt), known, 1, -FOU_DROP_GENEVE_CRITICAL);
	expect_drop(pkt, sizeof(pkt), other, 2, -FOU_DROP_GENEVE_CRITICAL);
	/* Non-critical unknown options are skipped. */
	memcpy(p, pkt, sizeof(p));
	p[18] = 0x7f;
	b = mk(p, sizeof(p));
	assert_int_equal(fou_geneve_pull(&b, NULL, 0, &g), 0);
	/* The critical bit counts even when the sender forgot C. */
	memcpy(p, pkt, sizeof(p));
	p[1] = 0;
	expect_drop(p, sizeof(p), NULL, 0, -FOU_DROP_GENEVE_CRITICAL);
	/* C without a critical option: we parse options, so it is accepted. */
	p[1] = FOU_GENEVE_F_CRIT;
	p[18] = 0x00;
	b = mk(p, sizeof(p));
	assert_int_equal(fou_geneve_pull(&b, NULL, 0, &g), 0);
	assert_int_equal(g.flags, FOU_GENEVE_F_CRIT);
}

static void test_bad_header(void **state)
{
	uint8_t p[sizeof(pkt)];
	int v;

	(void)state;
	for (v = 1; v < 4; v++) {
		memcpy(p, pkt, sizeof(p));
		p[0] = (uint8_t)(v << 6 | 3);
		expect_drop(p, sizeof(p), known, 2, -FOU_DROP_GENEVE_VERSION);
	}
	memcpy(p, pkt, sizeof(p));
	fou_put16(p + 2, FOU_ETH_P_IP);
	expect_drop(p, sizeof(p), known, 2, -FOU_DROP_GENEVE_PROTO);
	memcpy(p, pkt, sizeof(p));
	p[1] |= FOU_GENEVE_F_OAM;
	expect_drop(p, sizeof(p), known, 2, -FOU_DROP_GENEVE_OAM);
	/* Reserved bits are ignored. */
	memcpy(p, pkt, sizeof(p));
	p[1] |= 0x3f;
	p[7] = 0xff;
	{
		struct fou_buf b = mk(p, sizeof(p));
		struct fou_geneve g;

		assert_int_equal(fou_geneve_pull(&b, known, 2, &g), 0);
		assert_int_equal(g.vni, 0xabcdef);
	}
	/* An option longer than Opt Len; Opt Len cutting an option header. */
	memcpy(p, pkt, sizeof(p));
	p[11] = 3;
	expect_drop(p, sizeof(p), known, 2, -FOU_DROP_TOO_SHORT);
	memcpy(p, pkt, sizeof(p));
	p[11] = 0;		/* first option 4 bytes: then "wxyz" is a header of len 'z'&31 */
	expect_drop(p, sizeof(p), known, 2, -FOU_DROP_TOO_SHORT);
	memcpy(p, pkt, sizeof(p));
	p[0] = 2;		/* Opt Len ends inside the second option */
	p[11] = 2;
	expect_drop(p, sizeof(p), known, 2, -FOU_DROP_TOO_SHORT);
	/* Opt Len past the packet. */
	memcpy(p, pkt, sizeof(p));
	p[0] = 0x3f;
	expect_drop(p, sizeof(p), known, 2, -FOU_DROP_TOO_SHORT);
}

static void test_truncated(void **state)
{
	size_t n;

	(void)state;
	for (n = 0; n < HLEN + FOU_ETH_HLEN; n++)
		expect_drop(pkt, n, known, 2, -FOU_DROP_TOO_SHORT);
}

static void test_max_options(void **state)
{
	uint8_t opts[FOU_GENEVE_MAX_OPTLEN];
	struct fou_buf b = mk(pkt + HLEN, sizeof(pkt) - HLEN);
	struct fou_geneve g;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(opts); i++)
		opts[i] = (uint8_t)i;
	/* 4 + 31*4 = 128, then 4 + 30*4 = 124: 252 bytes, Opt Len 63. */
	memcpy(opts, "\x00\x01\x02\x1f", 4);
	memcpy(opts + 128, "\x00\x02\x03\x1e", 4);
	assert_int_equal(fou_geneve_push(&b, 77, opts, sizeof(opts), false), 0);
	assert_int_equal(fou_buf_data(&b)[0], 63);
	assert_int_equal(fou_geneve_pull(&b, NULL, 0, &g), 0);
	assert_int_equal(g.vni, 77);
	assert_int_equal(g.opts_len, 252);
	assert_memory_equal(g.opts, opts, 252);
	assert_int_equal(b.len, sizeof(pkt) - HLEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push),
		cmocka_unit_test(test_push_bad),
		cmocka_unit_test(test_pull),
		cmocka_unit_test(test_critical),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_max_options),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
