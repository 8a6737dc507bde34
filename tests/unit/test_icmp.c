// SPDX-License-Identifier: MIT
/* ICMPv4 fragmentation needed and ICMPv6 packet too big. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/fou.h"

static uint8_t orig[2000], out[2048];

static size_t mk4(size_t len)
{
	memset(orig, 0x5a, sizeof(orig));
	memset(orig, 0, 20);
	orig[0] = 0x45;
	fou_put16(orig + 2, (uint16_t)len);
	fou_put16(orig + 6, FOU_IP_DF);
	orig[8] = 64;
	orig[9] = 6;
	memcpy(orig + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	fou_put16(orig + 10, fou_csum_fold(fou_csum_add(0, orig, 20)));
	return len;
}

static size_t mk6(size_t len)
{
	memset(orig, 0x5a, sizeof(orig));
	memset(orig, 0, 40);
	orig[0] = 0x60;
	fou_put16(orig + 4, (uint16_t)(len - 40));
	orig[6] = 6;
	orig[7] = 64;
	orig[8] = 0xfd;
	orig[23] = 1;
	orig[24] = 0xfd;
	orig[39] = 2;
	return len;
}

static void test_v4(void **state)
{
	struct fou_ip ip;
	size_t n = mk4(1500), len;

	(void)state;
	assert_int_equal(fou_icmp_too_big(out, sizeof(out), &len, orig, n, 1472), 0);
	assert_int_equal(len, 576);
	assert_int_equal(fou_ip_parse(out, len, &ip), 0);
	assert_int_equal(ip.proto, 1);
	assert_memory_equal(ip.src.a, orig + 16, 4);
	assert_memory_equal(ip.dst.a, orig + 12, 4);
	assert_int_equal(out[20], 3);
	assert_int_equal(out[21], 4);
	assert_int_equal(fou_get16(out + 24), 0);
	assert_int_equal(fou_get16(out + 26), 1472);
	assert_int_equal(fou_csum_fold(fou_csum_add(0, out + 20, len - 20)), 0);
	assert_memory_equal(out + 28, orig, 548);
	/* A small original is quoted whole. */
	n = mk4(100);
	assert_int_equal(fou_icmp_too_big(out, sizeof(out), &len, orig, n + 10, 1400), 0);
	assert_int_equal(len, 128);
	assert_memory_equal(out + 28, orig, 100);
}

static void test_v6(void **state)
{
	struct fou_ip ip;
	size_t n = mk6(1500), len;
	uint32_t s;

	(void)state;
	assert_int_equal(fou_icmp_too_big(out, sizeof(out), &len, orig, n, 1452), 0);
	assert_int_equal(len, 1280);
	assert_int_equal(fou_ip_parse(out, len, &ip), 0);
	assert_int_equal(ip.proto, 58);
	assert_int_equal(ip.src.a[15], 2);
	assert_int_equal(ip.dst.a[15], 1);
	assert_int_equal(out[40], 2);
	assert_int_equal(out[41], 0);
	assert_int_equal(fou_get32(out + 44), 1452);
	s = fou_csum_pseudo(&ip.src, &ip.dst, 58, 1240);
	assert_int_equal(fou_csum_fold(fou_csum_add(s, out + 40, 1240)), 0);
	assert_memory_equal(out + 48, orig, 1232);
}

static void test_errors(void **state)
{
	size_t n = mk4(100), len, i;

	(void)state;
	for (i = 0; i < n; i++)
		assert_true(fou_icmp_too_big(out, sizeof(out), &len, orig, i, 1400) < 0);
	assert_true(fou_icmp_too_big(out, 20, &len, orig, n, 1400) < 0);
	/* A small buffer shortens the quote. */
	assert_int_equal(fou_icmp_too_big(out, 40, &len, orig, n, 1400), 0);
	assert_int_equal(len, 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4),
		cmocka_unit_test(test_v6),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
