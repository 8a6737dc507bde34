// SPDX-License-Identifier: MIT
/* GUE variant 0/1 push and pull, as Linux's fou_core.c and gue.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/fou.h"

/* Inner IPv4 10.0.0.1 -> 10.0.0.2 UDP 1234 -> 5678 "hi", UDP csum partial. */
static const uint8_t inner[] = {
	0x45, 0x00, 0x00, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11,
	0x66, 0xcd, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
	0x04, 0xd2, 0x16, 0x2e, 0x00, 0x0a, 0x14, 0x1e, 'h', 'i',
};

/* GUE RCO: hlen 2, proto 4, P; REMCSUM; start 20, offset 26. */
static const uint8_t rco_hdr[] = {
	0x02, 0x04, 0x00, 0x01, 0x80, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x1a,
};

static uint8_t st[256];

/* Builds hdr + payload at offset 64 of st. */
static struct fou_buf mk(const uint8_t *hdr, size_t hl, const uint8_t *pl, size_t pll)
{
	struct fou_buf b = { st, sizeof(st), 64, hl + pll };

	memset(st, 0, sizeof(st));
	memcpy(st + 64, hdr, hl);
	if (pll)
		memcpy(st + 64 + hl, pl, pll);
	return b;
}

static void test_hdr_len(void **state)
{
	(void)state;
	assert_int_equal(fou_gue_hdr_len(false), 4);
	assert_int_equal(fou_gue_hdr_len(true), 12);
	assert_int_equal(fou_encap(FOU_ENCAP_NONE)->hdr_len(0), 0);
	assert_int_equal(fou_encap(FOU_ENCAP_FOU)->hdr_len(FOU_ENCAP_F_REMCSUM), 8);
	assert_int_equal(fou_encap(FOU_ENCAP_GUE)->hdr_len(0), 12);
	assert_int_equal(fou_encap(FOU_ENCAP_GUE)->hdr_len(FOU_ENCAP_F_REMCSUM), 20);
	assert_int_equal(fou_encap_lookup("gue"), FOU_ENCAP_GUE);
	assert_int_equal(fou_encap_lookup("fou"), FOU_ENCAP_FOU);
	assert_int_equal(fou_encap_lookup("none"), FOU_ENCAP_NONE);
	assert_true(fou_encap_lookup("gu") < 0);
	assert_null(fou_encap(FOU_ENCAP__MAX));
}

static void test_push_plain(void **state)
{
	struct fou_buf b = { st, sizeof(st), 64, 0 };

	(void)state;
	assert_int_equal(fou_gue_push(&b, 47, NULL), 0);
	assert_int_equal(b.len, 4);
	assert_memory_equal(fou_buf_data(&b), "\x00\x2f\x00\x00", 4);
	b.off = 3;
	assert_int_equal(fou_gue_push(&b, 47, NULL), -FOU_DROP_TOO_SHORT);
}

static void test_push_rco(void **state)
{
	struct fou_remcsum rc = { 20, 26 };
	struct fou_buf b = { st, sizeof(st), 64, 0 };

	(void)state;
	assert_int_equal(fou_gue_push(&b, 4, &rc), 0);
	assert_int_equal(b.len, 12);
	assert_memory_equal(fou_buf_data(&b), rco_hdr, sizeof(rco_hdr));
}

static void test_pull_plain(void **state)
{
	static const uint8_t h[] = { 0x00, 0x29, 0x00, 0x00 };
	struct fou_buf b = mk(h, 4, inner, sizeof(inner));
	uint8_t proto = 0;

	(void)state;
	assert_int_equal(fou_gue_pull(&b, &proto), 0);
	assert_int_equal(proto, 41);
	assert_int_equal(b.len, sizeof(inner));
	assert_memory_equal(fou_buf_data(&b), inner, sizeof(inner));
}

static void test_pull_surplus_skipped(void **state)
{
	/* Hlen 3 with no flags: 12 bytes of private data, ignored like Linux. */
	static const uint8_t h[] = { 0x03, 0x04, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	struct fou_buf b = mk(h, sizeof(h), inner, sizeof(inner));
	uint8_t proto = 0;

	(void)state;
	assert_int_equal(fou_gue_pull(&b, &proto), 0);
	assert_int_equal(proto, 4);
	assert_memory_equal(fou_buf_data(&b), inner, sizeof(inner));
}

static void test_pull_v1(void **state)
{
	static const uint8_t ip6[] = { 0x60, 0, 0, 0 };
	struct fou_buf b = mk(inner, sizeof(inner), NULL, 0);
	uint8_t proto = 0;

	(void)state;
	assert_int_equal(fou_gue_pull(&b, &proto), 0);
	assert_int_equal(proto, 4);
	assert_int_equal(b.len, sizeof(inner));	/* nothing stripped */
	b = mk(ip6, 4, NULL, 0);
	assert_int_equal(fou_gue_pull(&b, &proto), 0);
	assert_int_equal(proto, 41);
	/* Variant 1 with a nibble that is neither 4 nor 6. */
	b = mk((const uint8_t *)"\x50\0\0\0", 4, NULL, 0);
	assert_int_equal(fou_gue_pull(&b, &proto), -FOU_DROP_GUE_VERSION);
	b = mk((const uint8_t *)"\x70\0\0\0", 4, NULL, 0);
	assert_int_equal(fou_gue_pull(&b, &proto), -FOU_DROP_GUE_VERSION);
}

static void expect_drop(const uint8_t *h, size_t hl, const uint8_t *pl, size_t pll, int reason)
{
	struct fou_buf b = mk(h, hl, pl, pll);
	uint8_t proto = 0;

	assert_int_equal(fou_gue_pull(&b, &proto), reason);
	assert_int_equal(b.off, 64);
}

static void test_bad_version(void **state)
{
	(void)state;
	expect_drop((const uint8_t *)"\x80\x04\0\0", 4, inner, sizeof(inner), -FOU_DROP_GUE_VERSION);
	expect_drop((const uint8_t *)"\xc0\x04\0\0", 4, inner, sizeof(inner), -FOU_DROP_GUE_VERSION);
}

static void test_bad_flags(void **state)
{
	static const uint8_t f1[] = { 0x00, 0x04, 0x80, 0x00 };
	static const uint8_t f2[] = { 0x00, 0x04, 0x00, 0x02 };
	static const uint8_t pf[] = { 0x01, 0x04, 0x00, 0x01, 0x40, 0x00, 0x00, 0x00 };
	static const uint8_t pf2[] = { 0x01, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01 };

	(void)state;
	expect_drop(f1, 4, inner, sizeof(inner), -FOU_DROP_GUE_FLAGS);
	expect_drop(f2, 4, inner, sizeof(inner), -FOU_DROP_GUE_FLAGS);
	expect_drop(pf, 8, inner, sizeof(inner), -FOU_DROP_GUE_FLAGS);
	expect_drop(pf2, 8, inner, sizeof(inner), -FOU_DROP_GUE_FLAGS);
}

static void test_hlen_too_small(void **state)
{
	/* P with Hlen 0: no room for the private word. */
	static const uint8_t p0[] = { 0x00, 0x04, 0x00, 0x01, 0x80, 0, 0, 0 };
	/* REMCSUM with Hlen 1: no room for start/offset. */
	static const uint8_t r1[] = { 0x01, 0x04, 0x00, 0x01, 0x80, 0, 0, 0, 0, 0x14, 0, 0x1a };

	(void)state;
	expect_drop(p0, sizeof(p0), inner, sizeof(inner), -FOU_DROP_GUE_HLEN);
	expect_drop(r1, sizeof(r1), inner, sizeof(inner), -FOU_DROP_GUE_HLEN);
}

static void test_hlen_past_packet(void **state)
{
	static const uint8_t h[] = { 0x1f, 0x04, 0x00, 0x00 };

	(void)state;
	/* 4 + 124 bytes of header claimed, 30 present. */
	expect_drop(h, 4, inner, sizeof(inner), -FOU_DROP_TOO_SHORT);
}

static void test_control_and_proto0(void **state)
{
	(void)state;
	expect_drop((const uint8_t *)"\x20\x04\0\0", 4, inner, sizeof(inner), -FOU_DROP_GUE_CONTROL);
	expect_drop((const uint8_t *)"\x20\x00\0\0", 4, inner, sizeof(inner), -FOU_DROP_GUE_CONTROL);
	expect_drop((const uint8_t *)"\x00\x00\0\0", 4, inner, sizeof(inner), -FOU_DROP_GUE_PROTO);
}

static void test_rco_apply(void **state)
{
	struct fou_buf b = mk(rco_hdr, sizeof(rco_hdr), inner, sizeof(inner));
	uint8_t proto = 0;
	uint8_t *p;

	(void)state;
	assert_int_equal(fou_gue_pull(&b, &proto), 0);
	assert_int_equal(proto, 4);
	assert_int_equal(b.len, sizeof(inner));
	p = fou_buf_data(&b);
	/* The UDP checksum of 10.0.0.1:1234 -> 10.0.0.2:5678 "hi" is 0x686e. */
	assert_int_equal(fou_get16(p + 26), 0x686e);
	assert_memory_equal(p, inner, 26);
}

static void rco_drop(uint16_t start, uint16_t offset)
{
	uint8_t h[sizeof(rco_hdr)];

	memcpy(h, rco_hdr, sizeof(h));
	fou_put16(h + 8, start);
	fou_put16(h + 10, offset);
	expect_drop(h, sizeof(h), inner, sizeof(inner), -FOU_DROP_REMCSUM);
}

static void test_rco_bounds(void **state)
{
	(void)state;
	rco_drop(31, 31);	/* start past the payload */
	rco_drop(20, 29);	/* field runs one byte past */
	rco_drop(20, 30);
	rco_drop(20, 0xffff);
	rco_drop(26, 20);	/* offset before start */
}

static void test_truncated(void **state)
{
	uint8_t pkt[sizeof(rco_hdr) + sizeof(inner)];
	struct fou_buf b;
	uint8_t proto;
	size_t n;

	(void)state;
	memcpy(pkt, rco_hdr, sizeof(rco_hdr));
	memcpy(pkt + sizeof(rco_hdr), inner, sizeof(inner));
	/* Up to the checksum field's end, every prefix must drop. */
	for (n = 0; n < sizeof(rco_hdr) + 28; n++) {
		b = mk(pkt, n, NULL, 0);
		assert_true(fou_gue_pull(&b, &proto) < 0);
	}
	for (n = 0; n < 4; n++) {
		b = mk(inner, n, NULL, 0);
		assert_true(fou_gue_pull(&b, &proto) < 0);
	}
}

static void test_encap_ops(void **state)
{
	struct fou_buf b = mk(inner, sizeof(inner), NULL, 0);
	uint8_t proto = 0;

	(void)state;
	assert_int_equal(fou_encap(FOU_ENCAP_FOU)->pull(&b, 47, &proto), 0);
	assert_int_equal(proto, 47);
	assert_int_equal(b.len, sizeof(inner));
	assert_int_equal(fou_encap(FOU_ENCAP_FOU)->pull(&b, 0, &proto), -FOU_DROP_INNER_PROTO);
	assert_int_equal(fou_encap(FOU_ENCAP_FOU)->push(&b, 4, NULL), 0);
	assert_int_equal(b.len, sizeof(inner));
	assert_int_equal(fou_encap(FOU_ENCAP_GUE)->push(&b, 4, NULL), 0);
	assert_int_equal(b.len, sizeof(inner) + 4);
	assert_int_equal(fou_encap(FOU_ENCAP_GUE)->pull(&b, 0, &proto), 0);
	assert_int_equal(proto, 4);
	assert_int_equal(b.len, sizeof(inner));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr_len),
		cmocka_unit_test(test_push_plain),
		cmocka_unit_test(test_push_rco),
		cmocka_unit_test(test_pull_plain),
		cmocka_unit_test(test_pull_surplus_skipped),
		cmocka_unit_test(test_pull_v1),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_bad_flags),
		cmocka_unit_test(test_hlen_too_small),
		cmocka_unit_test(test_hlen_past_packet),
		cmocka_unit_test(test_control_and_proto0),
		cmocka_unit_test(test_rco_apply),
		cmocka_unit_test(test_rco_bounds),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_encap_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
