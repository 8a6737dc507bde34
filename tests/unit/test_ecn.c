// SPDX-License-Identifier: MIT
/* ECN per the kernel's INET_ECN_encapsulate / INET_ECN_decapsulate. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/fou.h"

static void test_encap_table(void **state)
{
	/* outer DSCP kept, inner ECN copied, CE -> ECT(0). */
	static const uint8_t rows[][3] = {
		{ 0xb8, 0x00, 0xb8 }, { 0xb8, 0x01, 0xb9 }, { 0xb8, 0x02, 0xba },
		{ 0xb8, 0x03, 0xba }, { 0xbb, 0x00, 0xb8 }, { 0x03, 0xff, 0x02 },
		{ 0x00, 0x29, 0x01 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(fou_ecn_encap(rows[i][0], rows[i][1]), rows[i][2]);
}

static void mk4(uint8_t *p, uint8_t tos)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	p[1] = tos;
	p[3] = 20;
	p[8] = 64;
	p[9] = 17;
	fou_put16(p + 10, fou_csum_fold(fou_csum_add(0, p, 20)));
}

static void test_decap4(void **state)
{
	uint8_t p[20];
	int o, i;

	(void)state;
	for (o = 0; o < 4; o++) {
		for (i = 0; i < 4; i++) {
			int want = (o == 3 && i == 0) ? -FOU_DROP_ECN : 0;
			uint8_t tos = (uint8_t)(0x20 | i);

			mk4(p, tos);
			assert_int_equal(fou_ecn_decap(p, 20, (uint8_t)(0x40 | o)), want);
			if (want)
				continue;
			assert_int_equal(p[1], (o == 3) ? (0x20 | 3) : tos);
			assert_int_equal(fou_csum_fold(fou_csum_add(0, p, 20)), 0);
		}
	}
}

static void test_decap6(void **state)
{
	uint8_t p[40] = { 0x62, 0x10, 0x00, 0x01 };	/* tclass 0x21: ECT(1) */

	(void)state;
	assert_int_equal(fou_ecn_decap(p, 40, 0x02), 0);
	assert_int_equal(p[1], 0x10);
	assert_int_equal(fou_ecn_decap(p, 40, 0x03), 0);
	assert_int_equal(p[0], 0x62);
	assert_int_equal(p[1], 0x30);			/* tclass 0x23: CE */
	assert_int_equal(p[3], 0x01);
	p[1] = 0x00;					/* tclass 0x20: not-ECT */
	assert_int_equal(fou_ecn_decap(p, 40, 0x03), -FOU_DROP_ECN);
	assert_true(fou_ecn_decap(p, 39, 0x03) < 0);
	assert_true(fou_ecn_decap(p, 0, 0x03) < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encap_table),
		cmocka_unit_test(test_decap4),
		cmocka_unit_test(test_decap6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
