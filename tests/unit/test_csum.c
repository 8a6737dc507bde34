// SPDX-License-Identifier: MIT
/* Internet checksum known answers (RFC 1071 example, a textbook IPv4 header). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "fou/fou.h"

static void test_rfc1071_example(void **state)
{
	static const uint8_t w[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	(void)state;
	/*
	 * RFC 1071 4.1: the sum is 0x2ddf0, folded 0xddf2, inverted 0x220d.
	 * fou_csum_add() may return any accumulator congruent to it modulo
	 * 0xffff (partly folded or not), so compare what folds out of it.
	 */
	uint32_t s = fou_csum_add(0, w, sizeof(w));

	assert_int_equal(s % 0xffff, 0x2ddf0 % 0xffff);
	assert_int_equal(fou_csum_fold(s), 0x220d);
	assert_int_equal(fou_csum_fold(0x2ddf0), 0x220d);
}

static void test_ipv4_header(void **state)
{
	uint8_t h[] = {
		0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
		0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
	};

	(void)state;
	assert_int_equal(fou_csum_fold(fou_csum_add(0, h, sizeof(h))), 0xb861);
	fou_put16(h + 10, 0xb861);
	assert_int_equal(fou_csum_fold(fou_csum_add(0, h, sizeof(h))), 0);
}

static void test_odd_length(void **state)
{
	static const uint8_t b[] = { 0x12, 0x34, 0x56 };

	(void)state;
	/* The odd byte is the high half of a padded word: 0x1234 + 0x5600. */
	assert_int_equal(fou_csum_add(0, b, 3), 0x6834);
	assert_int_equal(fou_csum_add(0, b, 0), 0);
}

static void test_incremental(void **state)
{
	uint8_t b[64];
	uint32_t s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 37 + 11);
	s = fou_csum_add(fou_csum_add(0, b, 20), b + 20, 44);
	assert_int_equal(fou_csum_fold(s), fou_csum_fold(fou_csum_add(0, b, 64)));
}

/* Every length and alignment against a plain big-endian word sum (all of the loop's tails). */
static void test_lengths_alignments(void **state)
{
	static uint8_t b[1024];
	size_t off, len, i;
	uint64_t ref;

	(void)state;
	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 131 + (i >> 3) * 17 + 0xa5);
	for (off = 0; off < 8; off++) {
		for (len = 0; len + off <= sizeof(b) && len <= 600; len++) {
			for (ref = 0, i = 0; i < len; i++)
				ref += i % 2 ? b[off + i] : (uint64_t)b[off + i] << 8;
			while (ref > 0xffff)
				ref = (ref >> 16) + (ref & 0xffff);
			assert_int_equal(fou_csum_fold(fou_csum_add(0, b + off, len)),
					 (uint16_t)~ref);
		}
	}
}

/*
 * Long buffers (the vector loop's whole chunks and the step between them)
 * against the same bytes summed in 64-byte calls, which take the scalar
 * words: the sum must not depend on the path.
 */
static void test_long_matches_pieces(void **state)
{
	static uint8_t b[600 * 1024 + 7];
	size_t lens[] = { 128, 4096, 65536, 256 * 1024, 256 * 1024 + 32, sizeof(b) }, i, k, off;
	uint32_t pieces;

	(void)state;
	for (i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 197 + (i >> 9) * 13 + (i >> 17));
	for (k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		for (pieces = 0, off = 0; off + 64 <= lens[k]; off += 64)
			pieces = fou_csum_add(pieces, b + off, 64);
		pieces = fou_csum_add(pieces, b + off, lens[k] - off);
		assert_int_equal(fou_csum_fold(fou_csum_add(0, b, lens[k])), fou_csum_fold(pieces));
	}
}

static void test_large_no_overflow(void **state)
{
	static uint8_t b[65536];

	(void)state;
	memset(b, 0xff, sizeof(b));
	/* All-ones words fold to 0xffff, whose complement is 0. */
	assert_int_equal(fou_csum_fold(fou_csum_add(0xffffffffu, b, sizeof(b))), 0);
}

static void test_pseudo(void **state)
{
	struct fou_addr s4 = { AF_INET, { 192, 0, 2, 1 } };
	struct fou_addr d4 = { AF_INET, { 198, 51, 100, 2 } };
	struct fou_addr s6 = { AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	struct fou_addr d6 = { AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } };

	(void)state;
	/* c000+0201+c633+6402+0011+001c = 0x1ec63 -> 0xec64 */
	assert_int_equal(fou_csum_fold(fou_csum_pseudo(&s4, &d4, 17, 28)), (uint16_t)~0xec64);
	/* 2*(2001+0db8) + 1 + 2 + 0x11 + 0x14 */
	assert_int_equal(fou_csum_fold(fou_csum_pseudo(&s6, &d6, 17, 20)),
			 (uint16_t)~(2 * (0x2001 + 0x0db8) + 3 + 0x11 + 0x14));
}

static void test_complete(void **state)
{
	/* UDP 1234 -> 5678, len 10, payload "hi", field = pseudo sum. */
	struct fou_addr s = { AF_INET, { 10, 0, 0, 1 } };
	struct fou_addr d = { AF_INET, { 10, 0, 0, 2 } };
	uint8_t p[] = { 0x04, 0xd2, 0x16, 0x2e, 0x00, 0x0a, 0x00, 0x00, 'h', 'i' };
	uint16_t ps = (uint16_t)~fou_csum_fold(fou_csum_pseudo(&s, &d, 17, 10));

	(void)state;
	fou_put16(p + 6, ps);
	assert_int_equal(fou_csum_complete(p, sizeof(p), 0, 6), 0);
	/* Hand sum: 0a00+0001+0a00+0002+0011+000a + 04d2+162e+000a+6869 = 0x9791 */
	assert_int_equal(fou_get16(p + 6), (uint16_t)~0x9791);
	assert_int_equal(fou_csum_fold(fou_csum_add(fou_csum_pseudo(&s, &d, 17, 10), p, 10)), 0);
}

static void test_complete_bounds(void **state)
{
	uint8_t p[10] = { 0 };

	(void)state;
	assert_int_equal(fou_csum_complete(p, 10, 0, 8), 0);
	assert_int_equal(fou_csum_complete(p, 10, 0, 9), -FOU_DROP_BAD_GSO);
	assert_int_equal(fou_csum_complete(p, 10, 9, 0), -FOU_DROP_BAD_GSO);
	assert_int_equal(fou_csum_complete(p, 10, 11, 0), -FOU_DROP_BAD_GSO);
	assert_int_equal(fou_csum_complete(p, 10, 4, (size_t)-1), -FOU_DROP_BAD_GSO);
}

static void test_drop_names(void **state)
{
	(void)state;
	assert_string_equal(fou_drop_name(FOU_DROP_TOO_SHORT), "too_short");
	assert_string_equal(fou_drop_name(-FOU_DROP_GRE_SEQ), "gre_seq");
	assert_string_equal(fou_drop_name(FOU_DROP_GENEVE_CRITICAL), "geneve_critical");
	assert_string_equal(fou_drop_name(-FOU_DROP_WRONG_VSID), "wrong_vsid");
	assert_string_equal(fou_drop_name(FOU_DROP_FDB_FULL), "fdb_full");
	assert_string_equal(fou_drop_name(FOU_DROP__MAX), "unknown");
	for (int i = 0; i < FOU_DROP__MAX; i++)
		assert_string_not_equal(fou_drop_name(i), "unknown");
}

static void test_addr(void **state)
{
	struct fou_addr a, b;
	char buf[64];

	(void)state;
	assert_int_equal(fou_addr_parse("192.0.2.1", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.a[3], 1);
	assert_string_equal(fou_addr_str(&a, buf, sizeof(buf)), "192.0.2.1");
	assert_int_equal(fou_addr_parse("2001:db8::1", &b), 0);
	assert_int_equal(b.family, AF_INET6);
	assert_string_equal(fou_addr_str(&b, buf, sizeof(buf)), "2001:db8::1");
	assert_false(fou_addr_eq(&a, &b));
	assert_true(fou_addr_eq(&a, &a));
	assert_int_equal(fou_addr_parse("300.1.1.1", &a), -EINVAL);
	assert_int_equal(fou_addr_parse("", &a), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_ipv4_header),
		cmocka_unit_test(test_odd_length),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_lengths_alignments),
		cmocka_unit_test(test_long_matches_pieces),
		cmocka_unit_test(test_large_no_overflow),
		cmocka_unit_test(test_pseudo),
		cmocka_unit_test(test_complete),
		cmocka_unit_test(test_complete_bounds),
		cmocka_unit_test(test_drop_names),
		cmocka_unit_test(test_addr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
