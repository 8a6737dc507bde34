// SPDX-License-Identifier: MIT
/* IPv4/IPv6 header parse and push, transport ports, UDP push. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/fou.h"

/* 192.168.0.1 -> 192.168.0.199, UDP, total 28: header then a UDP header. */
static const uint8_t v4[] = {
	0x45, 0x00, 0x00, 0x1c, 0x12, 0x34, 0x40, 0x00, 0x40, 0x11,
	0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
	0x04, 0xd2, 0x16, 0x2e, 0x00, 0x08, 0x00, 0x00,
};

/* 2001:db8::1 -> 2001:db8::2, tclass 0xb8, label 0x12345, TCP, payload 4. */
static const uint8_t v6[] = {
	0x6b, 0x81, 0x23, 0x45, 0x00, 0x04, 0x06, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	0x00, 0x50, 0x01, 0xbb,
};

static void v4_copy(uint8_t *p)
{
	memcpy(p, v4, sizeof(v4));
	/* 4500+001c+1234+4000+4011+c0a8+0001+c0a8+00c7 = 0x25979 -> 0x597b */
	fou_put16(p + 10, (uint16_t)~0x597b);
}

static void test_v4_parse(void **state)
{
	uint8_t p[sizeof(v4) + 6];
	struct fou_ip ip;

	(void)state;
	memset(p, 0xee, sizeof(p));
	v4_copy(p);
	assert_int_equal(fou_csum_fold(fou_csum_add(0, p, 20)), 0);
	/* Link padding past tot_len is fine. */
	assert_int_equal(fou_ip_parse(p, sizeof(p), &ip), 0);
	assert_int_equal(ip.family, AF_INET);
	assert_int_equal(ip.hlen, 20);
	assert_int_equal(ip.tot_len, 28);
	assert_int_equal(ip.id, 0x1234);
	assert_int_equal(ip.frag, FOU_IP_DF);
	assert_int_equal(ip.ttl, 64);
	assert_int_equal(ip.proto, 17);
	assert_int_equal(ip.src.family, AF_INET);
	assert_memory_equal(ip.src.a, "\xc0\xa8\x00\x01", 4);
	assert_memory_equal(ip.dst.a, "\xc0\xa8\x00\xc7", 4);
}

static void test_v4_truncated(void **state)
{
	uint8_t p[sizeof(v4)];
	struct fou_ip ip;
	size_t n;

	(void)state;
	v4_copy(p);
	for (n = 0; n < sizeof(p); n++)
		assert_true(fou_ip_parse(p, n, &ip) < 0);
}

static void test_v4_bad(void **state)
{
	uint8_t p[sizeof(v4)];
	struct fou_ip ip;

	(void)state;
	v4_copy(p);
	p[10] ^= 1;
	assert_int_equal(fou_ip_parse(p, sizeof(p), &ip), -FOU_DROP_BAD_CSUM);
	v4_copy(p);
	p[0] = 0x44;		/* IHL 4 */
	assert_int_equal(fou_ip_parse(p, sizeof(p), &ip), -FOU_DROP_BAD_IP);
	v4_copy(p);
	p[0] = 0x55;		/* version 5 */
	assert_int_equal(fou_ip_parse(p, sizeof(p), &ip), -FOU_DROP_BAD_IP);
	v4_copy(p);
	p[0] = 0x4f;		/* 60-byte header in 28 bytes */
	assert_int_equal(fou_ip_parse(p, sizeof(p), &ip), -FOU_DROP_TOO_SHORT);
	/* tot_len 19 < hlen, checksum fixed up so only the length is wrong. */
	v4_copy(p);
	fou_put16(p + 2, 19);
	fou_put16(p + 10, 0);
	fou_put16(p + 10, fou_csum_fold(fou_csum_add(0, p, 20)));
	assert_int_equal(fou_ip_parse(p, sizeof(p), &ip), -FOU_DROP_BAD_IP);
}

static void test_v6_parse(void **state)
{
	struct fou_ip ip;
	size_t n;

	(void)state;
	assert_int_equal(fou_ip_parse(v6, sizeof(v6), &ip), 0);
	assert_int_equal(ip.family, AF_INET6);
	assert_int_equal(ip.tos, 0xb8);
	assert_int_equal(ip.tot_len, 44);
	assert_int_equal(ip.hlen, 40);
	assert_int_equal(ip.ttl, 64);
	assert_int_equal(ip.proto, 6);
	assert_int_equal(ip.dst.a[15], 2);
	for (n = 0; n < sizeof(v6); n++)
		assert_true(fou_ip_parse(v6, n, &ip) < 0);
}

static void test_l4_ports(void **state)
{
	uint8_t p[sizeof(v4)];
	uint16_t sp, dp;
	uint8_t proto;
	size_t n;

	(void)state;
	v4_copy(p);
	assert_int_equal(fou_ip_l4_ports(p, sizeof(p), &proto, &sp, &dp), 0);
	assert_int_equal(proto, 17);
	assert_int_equal(sp, 1234);
	assert_int_equal(dp, 5678);
	assert_int_equal(fou_ip_l4_ports(v6, sizeof(v6), &proto, &sp, &dp), 0);
	assert_int_equal(proto, 6);
	assert_int_equal(sp, 80);
	assert_int_equal(dp, 443);
	for (n = 0; n < sizeof(v6); n++)
		assert_true(fou_ip_l4_ports(v6, n, &proto, &sp, &dp) < 0);
	/* A fragment has no ports to trust. */
	fou_put16(p + 6, FOU_IP_MF);
	fou_put16(p + 10, 0);
	fou_put16(p + 10, fou_csum_fold(fou_csum_add(0, p, 20)));
	assert_int_equal(fou_ip_l4_ports(p, sizeof(p), &proto, &sp, &dp),
			 -FOU_DROP_INNER_PROTO);
}

static void test_v4_push(void **state)
{
	static const uint8_t want[] = {
		0x45, 0xb8, 0x00, 0x18, 0xab, 0xcd, 0x40, 0x00, 0x05, 0x04,
		0x00, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
		0xde, 0xad, 0xbe, 0xef,
	};
	struct fou_ip_params ip = {
		.src = { AF_INET, { 10, 0, 0, 1 } }, .dst = { AF_INET, { 10, 0, 0, 2 } },
		.proto = 4, .tos = 0xb8, .ttl = 5, .df = true, .id = 0xabcd,
	};
	uint8_t st[64];
	struct fou_buf b = { st, sizeof(st), 40, 4 };
	uint8_t exp[sizeof(want)];

	(void)state;
	memcpy(st + 40, "\xde\xad\xbe\xef", 4);
	assert_int_equal(fou_ip_push(&b, &ip), 0);
	assert_int_equal(b.off, 20);
	assert_int_equal(b.len, 24);
	memcpy(exp, want, sizeof(want));
	/* 45b8+0018+abcd+4000+0504+0a00+0001+0a00+0002 = 0x14aa4 -> 0x4aa5 */
	fou_put16(exp + 10, (uint16_t)~0x4aa5);
	assert_memory_equal(fou_buf_data(&b), exp, sizeof(exp));
	/* No headroom left for another. */
	b.off = 10;
	assert_int_equal(fou_ip_push(&b, &ip), -FOU_DROP_TOO_SHORT);
}

static void test_v6_push(void **state)
{
	struct fou_ip_params ip = {
		.src = { AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } },
		.dst = { AF_INET6, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 } },
		.proto = 6, .tos = 0xb8, .ttl = 64, .flowlabel = 0x12345,
	};
	uint8_t st[64];
	struct fou_buf b = { st, sizeof(st), 40, 4 };

	(void)state;
	memcpy(st + 40, "\x00\x50\x01\xbb", 4);
	assert_int_equal(fou_ip_push(&b, &ip), 0);
	assert_int_equal(b.len, sizeof(v6));
	assert_memory_equal(fou_buf_data(&b), v6, sizeof(v6));
}

static void test_udp_push(void **state)
{
	struct fou_addr s = { AF_INET, { 10, 0, 0, 1 } };
	struct fou_addr d = { AF_INET, { 10, 0, 0, 2 } };
	static const uint8_t want[] = {
		0x04, 0xd2, 0x16, 0x2e, 0x00, 0x0a, 0x68, 0x6e, 'h', 'i',
	};
	uint8_t st[32];
	struct fou_buf b = { st, sizeof(st), 16, 2 };

	(void)state;
	memcpy(st + 16, "hi", 2);
	assert_int_equal(fou_udp_push(&b, 1234, 5678, &s, &d, true), 0);
	/* Same datagram as test_csum's: ~0x9791 = 0x686e. */
	assert_memory_equal(fou_buf_data(&b), want, sizeof(want));
	b.off = 16;
	b.len = 2;
	assert_int_equal(fou_udp_push(&b, 1234, 5678, &s, &d, false), 0);
	assert_int_equal(fou_get16(fou_buf_data(&b) + 6), 0);
}

static void test_udp_zero_csum_sent_as_ffff(void **state)
{
	struct fou_addr s = { AF_INET, { 0, 0, 0, 0 } };
	struct fou_addr d = { AF_INET, { 0, 0, 0, 0 } };
	uint8_t st[32];
	struct fou_buf b = { st, sizeof(st), 16, 2 };
	uint16_t x;

	(void)state;
	/*
	 * Choose the payload word so the sum is 0xffff: pseudo 0x11 + 0x0a,
	 * header 0x0001 + 0x0002 + 0x000a; payload x completes it.
	 */
	x = (uint16_t)(0xffff - (0x11 + 0x0a + 0x0001 + 0x0002 + 0x0a));
	fou_put16(st + 16, x);
	assert_int_equal(fou_udp_push(&b, 1, 2, &s, &d, true), 0);
	assert_int_equal(fou_get16(fou_buf_data(&b) + 6), 0xffff);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4_parse),
		cmocka_unit_test(test_v4_truncated),
		cmocka_unit_test(test_v4_bad),
		cmocka_unit_test(test_v6_parse),
		cmocka_unit_test(test_l4_ports),
		cmocka_unit_test(test_v4_push),
		cmocka_unit_test(test_v6_push),
		cmocka_unit_test(test_udp_push),
		cmocka_unit_test(test_udp_zero_csum_sent_as_ffff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
