// SPDX-License-Identifier: MIT
/*
 * The growable buffer of common/buf.c: what it holds after growing, its
 * bound, a failed realloc (linked with --wrap=realloc) and its NUL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"

void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);

static bool realloc_fails;

void *__wrap_realloc(void *p, size_t n)
{
	return realloc_fails ? NULL : __real_realloc(p, n);
}

/* Many appends across several doublings: every byte where it was put, NUL after. */
static void test_growth(void **state)
{
	struct cmn_buf b = { 0 };
	char c;

	(void)state;
	for (size_t i = 0; i < 100000; i++) {
		c = (char)('a' + i % 26);
		assert_int_equal(cmn_buf_add(&b, &c, 1), 0);
	}
	assert_int_equal(b.len, 100000);
	assert_true(b.cap > b.len);
	for (size_t i = 0; i < b.len; i++)
		assert_int_equal(b.p[i], 'a' + i % 26);
	assert_int_equal(b.p[b.len], '\0');
	cmn_buf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
}

/* Text reads as a string after each add, an empty add included. */
static void test_nul(void **state)
{
	struct cmn_buf b = { 0 };

	(void)state;
	assert_int_equal(cmn_buf_add(&b, "", 0), 0);
	assert_string_equal(b.p, "");
	assert_int_equal(cmn_buf_add(&b, "ab", 2), 0);
	assert_int_equal(cmn_buf_add(&b, "cdXX", 2), 0);
	assert_string_equal(b.p, "abcd");
	assert_int_equal(b.len, 4);
	cmn_buf_free(&b);
}

/* The bound counts the NUL: max - 1 bytes fit, one more is -EMSGSIZE and changes nothing. */
static void test_bound(void **state)
{
	struct cmn_buf b = { .max = 10 };

	(void)state;
	assert_int_equal(cmn_buf_add(&b, "123456789", 9), 0);
	assert_int_equal(cmn_buf_add(&b, "x", 1), -EMSGSIZE);
	assert_int_equal(b.len, 9);
	assert_string_equal(b.p, "123456789");
	assert_int_equal(cmn_buf_room(&b, SIZE_MAX), -EMSGSIZE);
	assert_int_equal(b.max, 10);
	cmn_buf_free(&b);
	assert_int_equal(b.max, 10);
}

/* Without a bound, a size past memory is -ENOMEM, not a wrapped length. */
static void test_overflow(void **state)
{
	struct cmn_buf b = { 0 };

	(void)state;
	assert_int_equal(cmn_buf_add(&b, "ab", 2), 0);
	assert_int_equal(cmn_buf_room(&b, SIZE_MAX - 2), -ENOMEM);
	assert_int_equal(cmn_buf_room(&b, SIZE_MAX), -ENOMEM);
	assert_string_equal(b.p, "ab");
	cmn_buf_free(&b);
}

/* A realloc that fails leaves what was held, whole; the next add succeeds. */
static void test_enomem(void **state)
{
	struct cmn_buf b = { 0 };
	char big[5000];

	(void)state;
	memset(big, 'z', sizeof(big));
	assert_int_equal(cmn_buf_add(&b, "keep", 4), 0);
	realloc_fails = true;
	assert_int_equal(cmn_buf_add(&b, big, sizeof(big)), -ENOMEM);
	realloc_fails = false;
	assert_int_equal(b.len, 4);
	assert_string_equal(b.p, "keep");
	assert_int_equal(cmn_buf_add(&b, big, sizeof(big)), 0);
	assert_int_equal(b.len, 4 + sizeof(big));
	assert_int_equal(b.p[b.len - 1], 'z');
	assert_int_equal(b.p[b.len], '\0');
	cmn_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
