// SPDX-License-Identifier: MIT
/* Chained hash table: lookups by key, insertion order within a hash, growth, deletion. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fou/fou.h"
#include "fou/htab.h"

struct item {
	struct fou_hnode node;
	uint32_t key;
	int order;
};

#define ITEM(n)	((struct item *)((char *)(n) - offsetof(struct item, node)))

static uint32_t key_hash(uint32_t key)
{
	return fou_hash_words(&key, 1, 7);
}

static struct item *find(const struct fou_htab *h, uint32_t key)
{
	struct fou_hnode *n;

	for (n = fou_htab_first(h, key_hash(key)); n; n = fou_htab_next(n))
		if (ITEM(n)->key == key)
			return ITEM(n);
	return NULL;
}

static void test_empty(void **state)
{
	struct fou_htab h = { 0 };

	(void)state;
	assert_null(fou_htab_first(&h, 1));
	assert_int_equal(fou_htab_mem(&h), 0);
	fou_htab_free(&h);
}

/* 100 000 keys: each found, a missing one not, and the table grew with them (load at most 1). */
static void test_many(void **state)
{
	enum { N = 100000 };
	struct item *v = calloc(N, sizeof(*v));
	struct fou_htab h = { 0 };
	uint32_t i;

	(void)state;
	assert_non_null(v);
	for (i = 0; i < N; i++) {
		v[i].key = i * 2654435761u;
		assert_int_equal(fou_htab_add(&h, &v[i].node, key_hash(v[i].key)), 0);
	}
	assert_int_equal(h.n, N);
	assert_true(h.mask + 1 >= N);
	assert_true(fou_htab_mem(&h) <= 4 * N * sizeof(void *));
	for (i = 0; i < N; i++)
		assert_ptr_equal(find(&h, v[i].key), &v[i]);
	assert_null(find(&h, 1));
	/* Every other one deleted: those are gone, the rest stay. */
	for (i = 0; i < N; i += 2)
		fou_htab_del(&h, &v[i].node);
	assert_int_equal(h.n, N / 2);
	for (i = 0; i < N; i++)
		assert_ptr_equal(find(&h, v[i].key), i % 2 ? &v[i] : NULL);
	fou_htab_free(&h);
	assert_null(fou_htab_first(&h, key_hash(v[1].key)));
	free(v);
}

/* Equal hashes stay in the order they were added, across growth: the first added is found first. */
static void test_order(void **state)
{
	enum { N = 200 };
	struct item same[5], other[N];
	struct fou_hnode *n;
	struct fou_htab h = { 0 };
	int i, k = 0;

	(void)state;
	for (i = 0; i < 5; i++) {
		same[i] = (struct item){ .key = 99, .order = i };
		fou_htab_add(&h, &same[i].node, key_hash(99));
	}
	for (i = 0; i < N; i++) {	/* several doublings */
		other[i] = (struct item){ .key = (uint32_t)i + 1000 };
		fou_htab_add(&h, &other[i].node, key_hash(other[i].key));
	}
	for (n = fou_htab_first(&h, key_hash(99)); n; n = fou_htab_next(n))
		assert_int_equal(ITEM(n)->order, k++);
	assert_int_equal(k, 5);
	fou_htab_del(&h, &same[0].node);
	assert_ptr_equal(find(&h, 99), &same[1]);
	fou_htab_free(&h);
}

/* Names: equal strings hash equal, and the 16 bytes of a device name all count. */
static void test_str(void **state)
{
	(void)state;
	assert_int_equal(fou_hash_str("tun1", 3), fou_hash_str("tun1", 3));
	assert_int_not_equal(fou_hash_str("tun1", 3), fou_hash_str("tun2", 3));
	assert_int_not_equal(fou_hash_str("abcdefghijklmn1", 3), fou_hash_str("abcdefghijklmn2", 3));
	assert_int_not_equal(fou_hash_str("a", 3), fou_hash_str("a", 4));
}

/* Addresses hash as fou_addr_eq() compares them: an IPv4 address's unused bytes do not count. */
static void test_addr(void **state)
{
	struct fou_addr a = { AF_INET, { 192, 0, 2, 1 } }, b = a, c = a;

	(void)state;
	memset(b.a + 4, 0xee, 12);
	c.a[3] = 2;
	assert_true(fou_addr_eq(&a, &b));
	assert_int_equal(fou_addr_hash(&a, 5), fou_addr_hash(&b, 5));
	assert_int_not_equal(fou_addr_hash(&a, 5), fou_addr_hash(&c, 5));
	b.family = AF_INET6;
	assert_int_not_equal(fou_addr_hash(&a, 5), fou_addr_hash(&b, 5));
}

/* Long strings (configuration lines) differ past 64 bytes too. */
static void test_long(void **state)
{
	char x[200], y[200];

	(void)state;
	memset(x, 'a', sizeof(x) - 1);
	x[sizeof(x) - 1] = 0;
	memcpy(y, x, sizeof(x));
	y[150] = 'b';
	assert_int_equal(fou_hash_str(x, 1), fou_hash_bytes(x, strlen(x), 1));
	assert_int_not_equal(fou_hash_str(x, 1), fou_hash_str(y, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
