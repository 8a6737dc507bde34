// SPDX-License-Identifier: MIT
/*
 * libfou's prefix table (lib/pfx.c), what a fleet's L3 device looks the
 * inner destination up in: the longest prefix wins, a miss is a miss, host
 * bits and overlaps are told apart, members are exactly the next hops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "fou/pfx.h"

static struct fou_addr A(const char *s)
{
	struct fou_addr a;

	assert_int_equal(fou_addr_parse(s, &a), 0);
	return a;
}

static void add(struct fou_pfx *t, const char *p, const char *nh)
{
	struct fou_addr a, n = A(nh);
	uint8_t len;

	assert_int_equal(fou_pfx_parse(p, &a, &len), 0);
	assert_int_equal(fou_pfx_add(t, &a, len, &n), 0);
}

/* The next hop dst goes to, as a string ("" for none). */
static const char *via(const struct fou_pfx *t, const char *dst, char *buf)
{
	struct fou_addr d = A(dst);
	const struct fou_pfx_ent *e = fou_pfx_lookup(t, &d);

	return e ? fou_addr_str(&e->nh, buf, 64) : "";
}

static void test_parse(void **state)
{
	struct fou_addr a, b;
	uint8_t len, blen;
	char buf[64];

	(void)state;
	assert_int_equal(fou_pfx_parse("10.244.1.0/24", &a, &len), 0);
	assert_int_equal(len, 24);
	assert_string_equal(fou_pfx_str(&a, len, buf, sizeof(buf)), "10.244.1.0/24");
	assert_int_equal(fou_pfx_parse("0.0.0.0/0", &a, &len), 0);
	assert_int_equal(fou_pfx_parse("2001:db8::/32", &a, &len), 0);
	assert_int_equal(a.family, AF_INET6);
	for (const char *const *s = (const char *const[]){ "10.244.1.1/24", "10.0.0.0/33",
		"10.0.0.0", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x", "2001:db8::1/64",
		"x/8", "/8", NULL }; *s; s++)
		if (fou_pfx_parse(*s, &a, &len) != -EINVAL)
			fail_msg("%s parsed", *s);
	assert_int_equal(fou_pfx_parse("10.0.0.0/8", &a, &len), 0);
	assert_int_equal(fou_pfx_parse("10.3.0.0/16", &b, &blen), 0);
	assert_true(fou_pfx_overlap(&a, len, &b, blen));
	assert_true(fou_pfx_overlap(&b, blen, &a, len));
	assert_int_equal(fou_pfx_parse("11.0.0.0/8", &b, &blen), 0);
	assert_false(fou_pfx_overlap(&a, len, &b, blen));
	b = A("10.255.255.255");
	assert_true(fou_pfx_contains(&a, len, &b));
}

static void test_lookup(void **state)
{
	struct fou_pfx t;
	struct fou_addr a, n = A("192.0.2.9");
	uint8_t len;
	char buf[64];

	(void)state;
	assert_int_equal(fou_pfx_init(&t, 8), 0);
	add(&t, "10.244.1.0/24", "192.0.2.1");
	add(&t, "10.244.0.0/16", "192.0.2.2");
	add(&t, "10.0.0.0/8", "192.0.2.3");
	add(&t, "2001:db8:1::/48", "192.0.2.1");
	add(&t, "0.0.0.0/0", "192.0.2.4");
	assert_string_equal(via(&t, "10.244.1.77", buf), "192.0.2.1");
	assert_string_equal(via(&t, "10.244.2.77", buf), "192.0.2.2");
	assert_string_equal(via(&t, "10.1.2.3", buf), "192.0.2.3");
	assert_string_equal(via(&t, "11.1.2.3", buf), "192.0.2.4");
	assert_string_equal(via(&t, "2001:db8:1:ff::1", buf), "192.0.2.1");
	assert_string_equal(via(&t, "2001:db8:2::1", buf), "");
	/* The same prefix twice: refused, the first stays. */
	assert_int_equal(fou_pfx_parse("10.0.0.0/8", &a, &len), 0);
	assert_int_equal(fou_pfx_add(&t, &a, len, &n), -EEXIST);
	assert_string_equal(via(&t, "10.1.2.3", buf), "192.0.2.3");
	/* Members: the next hops, and nothing else. */
	a = A("192.0.2.2");
	assert_true(fou_pfx_peer(&t, &a));
	assert_false(fou_pfx_peer(&t, &n));
	assert_int_equal(t.npeers, 4);
	fou_pfx_free(&t);
	/* An empty (freed) table finds nothing. */
	a = A("10.244.1.1");
	assert_null(fou_pfx_lookup(&t, &a));
	assert_false(fou_pfx_peer(&t, &a));
}

static void test_many(void **state)
{
	struct fou_pfx t;
	struct fou_addr a, n;
	char p[32], buf[64];

	(void)state;
	assert_int_equal(fou_pfx_init(&t, 1000), 0);
	for (int i = 0; i < 1000; i++) {
		snprintf(p, sizeof(p), "10.%d.%d.0/24", i / 250, i % 250);
		snprintf(buf, sizeof(buf), "192.0.%d.%d", i / 250, i % 250 + 1);
		add(&t, p, buf);
	}
	a = A("10.3.249.200");
	assert_string_equal(fou_addr_str(&fou_pfx_lookup(&t, &a)->nh, buf, sizeof(buf)),
			    "192.0.3.250");
	a = A("10.4.0.1");
	assert_null(fou_pfx_lookup(&t, &a));
	/* Full: refused, never overfilled. */
	n = A("192.0.9.9");
	for (int i = 0; i < 2000; i++) {
		snprintf(p, sizeof(p), "11.%d.%d.0/24", i / 250, i % 250);
		assert_int_equal(fou_pfx_parse(p, &a, &(uint8_t){ 0 }), 0);
		if (fou_pfx_add(&t, &a, 24, &n) == -ENOSPC)
			break;
		assert_true(i < 1100);
	}
	assert_true(t.n * 2 <= t.cap);
	fou_pfx_free(&t);
}

static void test_inner_dst(void **state)
{
	uint8_t v4[20] = { 0x45, [16] = 10, 244, 1, 5 }, v6[40] = { 0x60 }, bad[20] = { 0x55 };
	struct fou_addr d;
	char buf[64];

	(void)state;
	assert_int_equal(fou_pfx_inner_dst(v4, sizeof(v4), &d), 0);
	assert_string_equal(fou_addr_str(&d, buf, sizeof(buf)), "10.244.1.5");
	assert_int_equal(fou_pfx_inner_dst(v4, 19, &d), -FOU_DROP_TOO_SHORT);
	v6[24] = 0x20;
	v6[25] = 0x01;
	assert_int_equal(fou_pfx_inner_dst(v6, sizeof(v6), &d), 0);
	assert_string_equal(fou_addr_str(&d, buf, sizeof(buf)), "2001::");
	assert_int_equal(fou_pfx_inner_dst(v6, 39, &d), -FOU_DROP_TOO_SHORT);
	assert_int_equal(fou_pfx_inner_dst(bad, sizeof(bad), &d), -FOU_DROP_BAD_IP);
	assert_int_equal(fou_pfx_inner_dst(bad, 0, &d), -FOU_DROP_TOO_SHORT);
}

/* fou_addr_cmp: an order qsort and bsearch agree on (L2 devices' peers); IPv4 before IPv6. */
static void test_addr_cmp(void **state)
{
	struct fou_addr v[4] = { A("192.0.2.9"), A("2001:db8::1"), A("192.0.2.10"), A("10.0.0.1") };
	struct fou_addr k = A("192.0.2.10"), miss = A("192.0.2.11");
	char buf[64];

	(void)state;
	qsort(v, 4, sizeof(v[0]), fou_addr_cmp);
	assert_string_equal(fou_addr_str(&v[0], buf, sizeof(buf)), "10.0.0.1");
	assert_string_equal(fou_addr_str(&v[2], buf, sizeof(buf)), "192.0.2.10");
	assert_string_equal(fou_addr_str(&v[3], buf, sizeof(buf)), "2001:db8::1");
	assert_non_null(bsearch(&k, v, 4, sizeof(v[0]), fou_addr_cmp));
	assert_null(bsearch(&miss, v, 4, sizeof(v[0]), fou_addr_cmp));
	/* Bytes past an IPv4 address do not count. */
	k.a[10] = 0xff;
	assert_int_equal(fou_addr_cmp(&k, &v[2]), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_inner_dst),
		cmocka_unit_test(test_addr_cmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
