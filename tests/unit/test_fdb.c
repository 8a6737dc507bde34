// SPDX-License-Identifier: MIT
/* Forwarding table: learning, moves, static entries, maxaddress, ageing, flood list. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/l2.h"

#define SEC	1000u

static struct fou_addr flood[4];

static struct fou_addr ip4(uint8_t last)
{
	struct fou_addr a = { AF_INET, { 192, 0, 2, last } };

	return a;
}

static void mac(uint8_t *m, uint32_t n)
{
	m[0] = 0x02;
	m[1] = 0x00;
	fou_put32(m + 2, n);
}

#define SLOT	sizeof(struct fou_fdb_entry)

static void test_init(void **state)
{
	struct fou_fdb f;

	(void)state;
	assert_int_equal(fou_fdb_init(&f, 0, 300, 0, NULL, 0, NULL), 0);
	assert_int_equal(f.limit, SIZE_MAX);
	assert_int_equal(f.size, FOU_FDB_MIN_SIZE);
	assert_int_equal(fou_fdb_mem(&f), FOU_FDB_MIN_SIZE * SLOT);
	fou_fdb_free(&f);
	assert_int_equal(fou_fdb_init(&f, 10, 300, 0, NULL, 0, NULL), 0);
	assert_int_equal(f.limit, 10);
	fou_fdb_free(&f);
}

static void test_learn(void **state)
{
	struct fou_addr r1 = ip4(1), r2 = ip4(2);
	const struct fou_fdb_entry *e;
	uint8_t m[6];
	struct fou_fdb f;

	(void)state;
	fou_fdb_init(&f, 0, FOU_FDB_AGEING_DEFAULT, 42, NULL, 0, NULL);
	mac(m, 1);
	assert_null(fou_fdb_lookup(&f, m));
	assert_int_equal(fou_fdb_learn(&f, m, &r1, 1000), 0);
	e = fou_fdb_lookup(&f, m);
	assert_non_null(e);
	assert_true(fou_addr_eq(&e->remote, &r1));
	assert_int_equal(e->flags, FOU_FDB_F_LEARNED);
	assert_int_equal(e->updated, 1000);
	/* Seen again: refreshed. */
	assert_int_equal(fou_fdb_learn(&f, m, &r1, 5000), 0);
	assert_int_equal(e->updated, 5000);
	assert_int_equal(f.count, 1);
	/* Seen behind another remote: moves. */
	assert_int_equal(fou_fdb_learn(&f, m, &r2, 6000), 0);
	assert_true(fou_addr_eq(&e->remote, &r2));
	assert_int_equal(e->updated, 6000);
	assert_int_equal(f.moved, 1);
	assert_int_equal(f.count, 1);
	fou_fdb_free(&f);
}

static void test_bad_source(void **state)
{
	static const uint8_t bad[][6] = {
		{ 0, 0, 0, 0, 0, 0 },
		{ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
		{ 0x33, 0x33, 0x00, 0x00, 0x00, 0x01 },
	};
	struct fou_addr r = ip4(1);
	struct fou_fdb f;
	size_t i;

	(void)state;
	fou_fdb_init(&f, 0, 300, 0, NULL, 0, NULL);
	for (i = 0; i < 4; i++) {
		assert_int_equal(fou_fdb_learn(&f, bad[i], &r, 0), -FOU_DROP_BAD_SRC_MAC);
		assert_null(fou_fdb_lookup(&f, bad[i]));
	}
	assert_int_equal(f.count, 0);
	assert_int_equal(fou_fdb_add(&f, bad[0], &r, 0, 0), -EINVAL);
	fou_fdb_free(&f);
}

static void test_static(void **state)
{
	struct fou_addr r1 = ip4(1), r2 = ip4(2), r3 = ip4(3);
	const struct fou_fdb_entry *e;
	uint8_t m[6];
	struct fou_fdb f;

	(void)state;
	fou_fdb_init(&f, 0, 300, 0, NULL, 0, NULL);
	mac(m, 7);
	assert_int_equal(fou_fdb_add(&f, m, &r1, 0, 100), 0);
	assert_int_equal(fou_fdb_add(&f, m, &r2, 0, 100), -EEXIST);
	/* Learning never overwrites a static entry; the frame is dropped. */
	assert_int_equal(fou_fdb_learn(&f, m, &r2, 200), -FOU_DROP_FDB_STATIC);
	e = fou_fdb_lookup(&f, m);
	assert_true(fou_addr_eq(&e->remote, &r1));
	assert_int_equal(e->flags, FOU_FDB_F_STATIC);
	assert_int_equal(e->updated, 100);
	/* From where it is configured: fine, nothing changes. */
	assert_int_equal(fou_fdb_learn(&f, m, &r1, 300), 0);
	assert_int_equal(e->updated, 100);
	/* Static entries never age. */
	assert_int_equal(fou_fdb_age(&f, 1000 * SEC), 0);
	assert_non_null(fou_fdb_lookup(&f, m));
	/* replace: overwrites; and turns a learned entry static. */
	assert_int_equal(fou_fdb_add(&f, m, &r3, FOU_FDB_F_REPLACE, 400), 0);
	assert_true(fou_addr_eq(&fou_fdb_lookup(&f, m)->remote, &r3));
	mac(m, 8);
	assert_int_equal(fou_fdb_learn(&f, m, &r1, 0), 0);
	assert_int_equal(fou_fdb_add(&f, m, &r2, FOU_FDB_F_REPLACE, 0), 0);
	assert_int_equal(fou_fdb_lookup(&f, m)->flags, FOU_FDB_F_STATIC);
	assert_int_equal(f.count, 2);
	/* A multicast MAC may be configured, as `bridge fdb add` allows. */
	assert_int_equal(fou_fdb_add(&f, (const uint8_t *)"\x01\x00\x5e\x00\x00\x05", &r1, 0, 0), 0);
	assert_non_null(fou_fdb_lookup(&f, (const uint8_t *)"\x01\x00\x5e\x00\x00\x05"));
	fou_fdb_free(&f);
}

static void test_maxaddress(void **state)
{
	struct fou_addr r = ip4(1);
	uint8_t m[6];
	struct fou_fdb f;
	uint32_t i;

	(void)state;
	fou_fdb_init(&f, 5, 300, 0, NULL, 0, NULL);
	mac(m, 100);
	assert_int_equal(fou_fdb_add(&f, m, &r, 0, 0), 0);
	for (i = 0; i < 4; i++) {
		mac(m, i);
		assert_int_equal(fou_fdb_learn(&f, m, &r, 0), 0);
	}
	/* Full: refused and counted; known sources still refresh and move. */
	mac(m, 50);
	assert_int_equal(fou_fdb_learn(&f, m, &r, 0), -FOU_DROP_FDB_FULL);
	assert_int_equal(fou_fdb_learn(&f, m, &r, 0), -FOU_DROP_FDB_FULL);
	assert_int_equal(f.refused, 2);
	assert_null(fou_fdb_lookup(&f, m));
	mac(m, 0);
	assert_int_equal(fou_fdb_learn(&f, m, &r, 10), 0);
	assert_int_equal(fou_fdb_add(&f, (const uint8_t *)"\x02\x00\x00\x00\x01\x00", &r, 0, 0),
			 -ENOSPC);
	/* Deleting makes room again. */
	assert_int_equal(fou_fdb_del(&f, m), 0);
	assert_int_equal(fou_fdb_del(&f, m), -ENOENT);
	mac(m, 50);
	assert_int_equal(fou_fdb_learn(&f, m, &r, 0), 0);
	assert_int_equal(f.count, 5);
	fou_fdb_free(&f);
}

static void test_ageing(void **state)
{
	struct fou_addr r = ip4(1);
	uint8_t a[6], b[6], s[6];
	struct fou_fdb f;

	(void)state;
	fou_fdb_init(&f, 0, FOU_FDB_AGEING_DEFAULT, 0, NULL, 0, NULL);
	mac(a, 1);
	mac(b, 2);
	mac(s, 3);
	fou_fdb_learn(&f, a, &r, 0);
	fou_fdb_learn(&f, b, &r, 0);
	fou_fdb_add(&f, s, &r, 0, 0);
	fou_fdb_learn(&f, b, &r, 200 * SEC);	/* refreshed */
	assert_int_equal(fou_fdb_age(&f, 300 * SEC - 1), 0);
	/* Expires when updated + ageing <= now, as vxlan_cleanup(). */
	assert_int_equal(fou_fdb_age(&f, 300 * SEC), 1);
	assert_null(fou_fdb_lookup(&f, a));
	assert_non_null(fou_fdb_lookup(&f, b));
	assert_int_equal(fou_fdb_age(&f, 500 * SEC), 1);
	assert_null(fou_fdb_lookup(&f, b));
	assert_non_null(fou_fdb_lookup(&f, s));
	assert_int_equal(f.count, 1);
	/* Two learned (a refresh is not a new one), both aged; the static one is neither. */
	assert_int_equal(f.learned, 2);
	assert_int_equal(f.aged, 2);
	/* ageing 0: never. */
	fou_fdb_free(&f);
	fou_fdb_init(&f, 0, 0, 0, NULL, 0, NULL);
	fou_fdb_learn(&f, a, &r, 0);
	assert_int_equal(fou_fdb_age(&f, UINT64_MAX / 2), 0);
	assert_non_null(fou_fdb_lookup(&f, a));
	fou_fdb_free(&f);
}

static void test_flood(void **state)
{
	struct fou_addr r1 = ip4(1), r2 = ip4(2), r3 = ip4(3);
	struct fou_fdb f;
	uint8_t m[6];
	size_t i;

	(void)state;
	fou_fdb_init(&f, 0, 300, 0, flood, 2, NULL);
	assert_int_equal(fou_fdb_flood_add(&f, &r1), 0);
	assert_int_equal(fou_fdb_flood_add(&f, &r1), -EEXIST);
	assert_int_equal(fou_fdb_flood_add(&f, &r2), 0);
	assert_int_equal(fou_fdb_flood_add(&f, &r3), -ENOSPC);
	assert_int_equal(f.nflood, 2);
	/* Unknown unicast, broadcast, multicast: no entry, so every flood remote. */
	mac(m, 9);
	assert_null(fou_fdb_lookup(&f, m));
	assert_null(fou_fdb_lookup(&f, (const uint8_t *)"\xff\xff\xff\xff\xff\xff"));
	assert_null(fou_fdb_lookup(&f, (const uint8_t *)"\x33\x33\x00\x00\x00\x01"));
	/* Flood destinations are not entries and do not count against maxaddress. */
	assert_int_equal(f.count, 0);
	assert_int_equal(fou_fdb_flood_del(&f, &r3), -ENOENT);
	assert_int_equal(fou_fdb_flood_del(&f, &r1), 0);
	assert_int_equal(f.nflood, 1);
	assert_true(fou_addr_eq(&f.flood[0], &r2));
	assert_int_equal(fou_fdb_flood_add(&f, &r3), 0);
	assert_true(fou_addr_eq(&f.flood[1], &r3));
	for (i = 0; i < 2; i++)
		fou_fdb_flood_del(&f, &f.flood[0]);
	assert_int_equal(f.nflood, 0);
	/* No list at all. */
	fou_fdb_free(&f);
	fou_fdb_init(&f, 0, 300, 0, NULL, 8, NULL);
	assert_int_equal(fou_fdb_flood_add(&f, &r1), -ENOSPC);
	fou_fdb_free(&f);
}

static void test_iterate_flush(void **state)
{
	struct fou_addr r = ip4(1);
	const struct fou_fdb_entry *e;
	struct fou_fdb f;
	size_t pos = 0, n = 0, nstatic = 0;
	uint8_t m[6];
	uint32_t i;

	(void)state;
	/* maxaddress 100: room preallocated, learning needs no tick. */
	fou_fdb_init(&f, 100, 300, 5, NULL, 0, NULL);
	for (i = 0; i < 100; i++) {
		mac(m, i);
		if (i % 10 == 0)
			fou_fdb_add(&f, m, &r, 0, i);
		else
			fou_fdb_learn(&f, m, &r, i);
	}
	while ((e = fou_fdb_next(&f, &pos)) != NULL) {
		n++;
		nstatic += e->flags == FOU_FDB_F_STATIC;
		assert_int_equal(e->updated, fou_get32(e->mac + 2));
	}
	assert_int_equal(n, 100);
	assert_int_equal(nstatic, 10);
	fou_fdb_flush(&f, false);
	assert_int_equal(f.count, 10);
	for (i = 0; i < 100; i++) {
		mac(m, i);
		if (i % 10 == 0)
			assert_non_null(fou_fdb_lookup(&f, m));
		else
			assert_null(fou_fdb_lookup(&f, m));
	}
	fou_fdb_flush(&f, true);
	assert_int_equal(f.count, 0);
	pos = 0;
	assert_null(fou_fdb_next(&f, &pos));
	fou_fdb_free(&f);
}

static uint32_t rng = 12345;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* A MAC flood fills the table, is refused past maxaddress, and ages out. */
static void test_mac_flood(void **state)
{
	struct fou_addr r = ip4(1);
	struct fou_fdb f;
	uint8_t m[6];
	uint32_t i, learned = 0;

	(void)state;
	fou_fdb_init(&f, 6000, 300, 0xabcdef, NULL, 0, NULL);
	for (i = 0; i < 100000; i++) {
		mac(m, rnd());
		if (fou_fdb_learn(&f, m, &r, i) == 0)
			learned++;
	}
	assert_int_equal(f.count, 6000);
	assert_int_equal(learned, 6000);
	assert_int_equal(f.refused, 100000 - 6000);
	/* Every learned MAC is found; every one is gone after ageing. */
	rng = 12345;
	for (i = 0; i < 6000; i++) {
		mac(m, rnd());
		assert_non_null(fou_fdb_lookup(&f, m));
	}
	assert_int_equal(fou_fdb_age(&f, 100000 + 300 * SEC), 6000);
	assert_int_equal(f.count, 0);
	/* The array stays what maxaddress preallocated. */
	assert_int_equal(fou_fdb_mem(&f), FOU_FDB_PREALLOC * SLOT);
	fou_fdb_free(&f);
}

/* Random learn/delete churn against a brute-force model: no lost entries. */
static void test_churn(void **state)
{
	static uint8_t present[512];
	struct fou_addr r = ip4(1);
	struct fou_fdb f;
	uint8_t m[6];
	uint32_t i, k, n = 0;

	(void)state;
	memset(present, 0, sizeof(present));
	/* A small table with a constant seed: long probe runs and wraparound. */
	fou_fdb_init(&f, 0, 300, 1, NULL, 0, NULL);
	for (i = 0; i < 200000; i++) {
		k = rnd() % 512;
		mac(m, k);
		if (rnd() & 1) {
			int err = fou_fdb_learn(&f, m, &r, i);

			if (!present[k] && err == 0) {
				present[k] = 1;
				n++;
			}
		} else {
			assert_int_equal(fou_fdb_del(&f, m), present[k] ? 0 : -ENOENT);
			n -= present[k];
			present[k] = 0;
		}
		assert_int_equal(f.count, n);
	}
	for (k = 0; k < 512; k++) {
		mac(m, k);
		assert_int_equal(fou_fdb_lookup(&f, m) != NULL, present[k]);
	}
	fou_fdb_free(&f);
}

/*
 * Learning never allocates: a table without maxaddress refuses (and counts)
 * a source past 3/4 of its slots, with the same array; the ageing tick
 * doubles it, then learning goes on. The array follows the entries both
 * ways, never below its preallocation.
 */
static void test_learn_no_alloc(void **state)
{
	struct fou_addr r = ip4(1);
	struct fou_fdb_entry *tab;
	struct fou_fdb f;
	uint8_t m[6];
	uint32_t i, ok = 0;

	(void)state;
	assert_int_equal(fou_fdb_init(&f, 0, 300, 7, NULL, 0, NULL), 0);
	tab = f.tab;
	for (i = 0; i < FOU_FDB_MIN_SIZE; i++) {
		mac(m, i);
		ok += fou_fdb_learn(&f, m, &r, 0) == 0;
	}
	assert_int_equal(ok, FOU_FDB_MIN_SIZE * 3 / 4);
	assert_int_equal(f.refused, FOU_FDB_MIN_SIZE / 4);
	assert_ptr_equal(f.tab, tab);
	assert_int_equal(f.size, FOU_FDB_MIN_SIZE);
	/* The tick (nothing old enough to age) makes room: one doubling. */
	assert_int_equal(fou_fdb_age(&f, 1), 0);
	assert_int_equal(f.size, 2 * FOU_FDB_MIN_SIZE);
	mac(m, FOU_FDB_MIN_SIZE - 1);
	assert_int_equal(fou_fdb_learn(&f, m, &r, 2), 0);
	/* Learn and tick, as a second each: 100 000 sources get in, all found. */
	for (i = 0; i < 100000; i++) {
		mac(m, i);
		while (fou_fdb_learn(&f, m, &r, 2) == -FOU_DROP_FDB_FULL)
			fou_fdb_age(&f, 2);
	}
	assert_int_equal(f.count, 100000);
	assert_true(fou_fdb_mem(&f) <= 4 * 100000 * 4 / 3 * SLOT);
	for (i = 0; i < 100000; i++) {
		mac(m, i);
		assert_non_null(fou_fdb_lookup(&f, m));
	}
	/* Ageing frees the slots and the array shrinks back to its floor. */
	assert_int_equal(fou_fdb_age(&f, 400 * SEC), 100000);
	assert_int_equal(f.count, 0);
	assert_int_equal(fou_fdb_mem(&f), FOU_FDB_MIN_SIZE * SLOT);
	fou_fdb_free(&f);
}

/*
 * maxaddress preallocates: every address it allows is learned into the
 * array init made (a MAC flood allocates nothing), the next is refused
 * and counted; ageing frees slots for new sources, and the array stays.
 */
static void test_maxaddress_prealloc(void **state)
{
	struct fou_addr r = ip4(1);
	struct fou_fdb_entry *tab;
	struct fou_fdb f;
	uint8_t m[6];
	uint32_t i;

	(void)state;
	assert_int_equal(fou_fdb_init(&f, 1000, 300, 9, NULL, 0, NULL), 0);
	tab = f.tab;
	assert_true(f.size * 3 / 4 >= 1000);
	for (i = 0; i < 1000; i++) {
		mac(m, i);
		assert_int_equal(fou_fdb_learn(&f, m, &r, 0), 0);
	}
	mac(m, 1000);
	assert_int_equal(fou_fdb_learn(&f, m, &r, 0), -FOU_DROP_FDB_FULL);
	assert_int_equal(f.refused, 1);
	assert_ptr_equal(f.tab, tab);
	/* Full: the tick does not grow past maxaddress. */
	fou_fdb_age(&f, 1);
	assert_ptr_equal(f.tab, tab);
	assert_int_equal(fou_fdb_age(&f, 300 * SEC), 1000);
	assert_ptr_equal(f.tab, tab);
	assert_int_equal(fou_fdb_learn(&f, m, &r, 300 * SEC), 0);
	assert_ptr_equal(f.tab, tab);
	fou_fdb_free(&f);
	/* A huge maxaddress preallocates no more than FOU_FDB_PREALLOC slots. */
	assert_int_equal(fou_fdb_init(&f, 3000000, 300, 9, NULL, 0, NULL), 0);
	assert_int_equal(f.size, FOU_FDB_PREALLOC);
	fou_fdb_free(&f);
}

/* One budget over every table: learning past it is refused and counted, as past maxaddress. */
static void test_budget(void **state)
{
	struct fou_fdb_budget b = { .max = 100 };
	struct fou_addr r = ip4(1);
	struct fou_fdb f, g;
	uint8_t m[6];
	uint32_t i;

	(void)state;
	fou_fdb_init(&f, 100, 300, 1, NULL, 0, &b);
	fou_fdb_init(&g, 1000, 300, 2, NULL, 0, &b);
	for (i = 0; i < 60; i++) {
		mac(m, i);
		assert_int_equal(fou_fdb_learn(&f, m, &r, 0), 0);
	}
	for (i = 0; i < 60; i++) {
		mac(m, 1000 + i);
		assert_int_equal(fou_fdb_learn(&g, m, &r, 0), i < 40 ? 0 : -FOU_DROP_FDB_FULL);
	}
	assert_int_equal(b.used, 100);
	assert_int_equal(g.count, 40);
	assert_int_equal(g.refused, 20);
	/* Known sources still refresh; a static entry is refused too. */
	mac(m, 1000);
	assert_int_equal(fou_fdb_learn(&g, m, &r, 5), 0);
	mac(m, 5000);
	assert_int_equal(fou_fdb_add(&g, m, &r, 0, 0), -ENOSPC);
	/* Room comes back as entries go: deleted, aged, or a whole device. */
	mac(m, 0);
	assert_int_equal(fou_fdb_del(&f, m), 0);
	assert_int_equal(b.used, 99);
	mac(m, 5000);
	assert_int_equal(fou_fdb_add(&g, m, &r, 0, 0), 0);
	fou_fdb_free(&f);
	assert_int_equal(b.used, 41);
	assert_int_equal(fou_fdb_age(&g, 300 * SEC), 39);
	assert_int_equal(b.used, 2);
	fou_fdb_free(&g);
	assert_int_equal(b.used, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_learn),
		cmocka_unit_test(test_bad_source),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_maxaddress),
		cmocka_unit_test(test_ageing),
		cmocka_unit_test(test_flood),
		cmocka_unit_test(test_iterate_flush),
		cmocka_unit_test(test_mac_flood),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_learn_no_alloc),
		cmocka_unit_test(test_maxaddress_prealloc),
		cmocka_unit_test(test_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
