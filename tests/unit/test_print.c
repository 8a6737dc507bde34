// SPDX-License-Identifier: MIT
/*
 * The show writer (daemon/core/print.c): one sequence of calls gives the text or
 * the JSON; JSON with its commas, escaped keys and strings, every nesting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "foud.h"
#include "ctl.h"

/* The calls of a small show: a list of two objects, one nesting an object and an array. */
static void sample(struct foud_pr *p)
{
	foud_pr_open_array(p, NULL);
	foud_pr_open_object(p, NULL);
	foud_pr_s64(p, "ifindex", NULL, -1);
	foud_pr_str(p, "ifname", "%s:", "a\"b\\c\x01");
	foud_pr_uint(p, "mtu", " mtu %u", 1400);
	foud_pr_open_object(p, "info");
	foud_pr_u64(p, "key", " key %llu", UINT64_MAX);
	foud_pr_bool(p, "csum", " csum", " nocsum", false);
	foud_pr_bool(p, "seq", " seq", NULL, true);
	foud_pr_null(p, "gue", " %s");
	foud_pr_close_object(p);
	foud_pr_open_array(p, "flags");
	foud_pr_str(p, NULL, NULL, "self");
	foud_pr_uint(p, NULL, NULL, 7);
	foud_pr_close_array(p);
	foud_pr_text(p, " text only %d", 5);
	foud_pr_nl(p);
	foud_pr_close_object(p);
	foud_pr_open_object(p, NULL);
	foud_pr_open_array(p, "empty");
	foud_pr_close_array(p);
	foud_pr_close_object(p);
	foud_pr_close_array(p);
}

static char *run(uint32_t flags, void (*fn)(struct foud_pr *p), struct foud_out *o)
{
	struct foud_pr p;

	*o = (struct foud_out){ 0 };
	foud_pr_init(&p, o, flags);
	fn(&p);
	assert_false(o->failed);
	return o->buf.p ? o->buf.p : "";
}

static void test_json(void **state)
{
	struct foud_out o;
	const char *want = "[{\"ifindex\":-1,\"ifname\":\"a\\\"b\\\\c\\u0001\",\"mtu\":1400,"
			   "\"info\":{\"key\":18446744073709551615,\"csum\":false,\"seq\":true,"
			   "\"gue\":null},\"flags\":[\"self\",7]},{\"empty\":[]}]\n";
	json_t *j;

	(void)state;
	assert_string_equal(run(CTL_F_JSON, sample, &o), want);
	/* jansson reads it back (a u64 beyond its signed integers as a real) */
	j = json_loads(o.buf.p, JSON_DECODE_INT_AS_REAL, NULL);
	assert_non_null(j);
	assert_int_equal(json_array_size(j), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "ifname")),
			    "a\"b\\c\x01");
	json_decref(j);
	foud_out_free(&o);
}

static void test_text(void **state)
{
	struct foud_out o;

	(void)state;
	/* Formats only: NULL ones, brackets and keys are JSON's alone. */
	assert_string_equal(run(CTL_F_STATS, sample, &o),
			    "a\"b\\c\x01: mtu 1400 key 18446744073709551615 nocsum seq gue"
			    " text only 5\n");
	foud_out_free(&o);
}

static void odd_names(struct foud_pr *p)
{
	foud_pr_open_object(p, NULL);
	foud_pr_str(p, "k\"ey\n", "%s", "\xff\xfe" "ok");
	foud_pr_str(p, "utf8", "%s", "\xc3\xa9");
	foud_pr_close_object(p);
}

/* Keys are escaped too; bytes that are not UTF-8 become '?' in JSON, stay as they are in text. */
static void test_escaping(void **state)
{
	struct foud_out o;

	(void)state;
	assert_string_equal(run(CTL_F_JSON, odd_names, &o),
			    "{\"k\\\"ey\\n\":\"??ok\",\"utf8\":\"\xc3\xa9\"}\n");
	foud_out_free(&o);
	assert_string_equal(run(0, odd_names, &o), "\xff\xfe" "ok\xc3\xa9");
	foud_out_free(&o);
}

static void nest_deep(struct foud_pr *p)
{
	for (int i = 0; i < 40; i++)
		foud_pr_open_array(p, NULL);
}

/* Nesting beyond the writer's depth fails the reply rather than write wrong JSON. */
static void test_too_deep(void **state)
{
	struct foud_out o = { 0 };
	struct foud_pr p;

	(void)state;
	foud_pr_init(&p, &o, CTL_F_JSON);
	nest_deep(&p);
	assert_true(o.failed);
	foud_out_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_too_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
