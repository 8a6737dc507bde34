// SPDX-License-Identifier: MIT
/*
 * The control-protocol request codec: round trips, and a decoder that
 * refuses every truncated, padded or forged buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <cmocka.h>

#include "ctl.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static uint8_t buf[CTL_HDR + CTL_MAX + 64];

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

struct rt_case {
	uint32_t flags;
	int argc;
	const char *argv[8];
};

static const struct rt_case rts[] = {
	{ 0, 0 },
	{ CTL_F_JSON, 2, { "fou", "show" } },
	{ CTL_F_JSON | CTL_F_PRETTY | CTL_F_STATS | CTL_F_DETAILS,
	  3, { "link", "show", "tun1" } },
	{ 0, 7, { "fou", "add", "port", "5555", "ipproto", "4", "-6" } },
	{ 0, 3, { "", "x", "" } },
};

static void test_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(rts); i++) {
		const struct rt_case *c = &rts[i];
		char *out[CTL_MAX_ARGS];
		uint32_t flags = 0xdead;
		int len, n;

		len = ctl_encode(buf, sizeof(buf), c->flags, c->argc, (char *const *)c->argv);
		assert_true(len >= CTL_HDR);
		n = ctl_decode(buf, (size_t)len, &flags, out, CTL_MAX_ARGS);
		assert_int_equal(n, c->argc);
		assert_int_equal(flags, c->flags);
		for (int j = 0; j < n; j++)
			assert_string_equal(out[j], c->argv[j]);
	}
}

static int encode_sample(void)
{
	static const char *const w[] = { "link", "add", "name", "tun1", "type", "ipip" };

	return ctl_encode(buf, sizeof(buf), CTL_F_JSON, 6, (char *const *)w);
}

/* Every prefix is refused, and so is the whole with one byte more. */
static void test_truncated(void **state)
{
	char *out[16];
	int len = encode_sample();

	(void)state;
	assert_true(len > 0);
	for (int l = 0; l < len; l++)
		assert_true(ctl_decode(buf, (size_t)l, NULL, out, 16) < 0);
	assert_int_equal(ctl_decode(buf, (size_t)len + 1, NULL, out, 16), -EINVAL);
	assert_int_equal(ctl_decode(buf, (size_t)len, NULL, out, 16), 6);
}

static void test_bad_header(void **state)
{
	char *out[16];
	int len;

	(void)state;
	len = encode_sample();
	put32(buf, CTL_MAGIC ^ 1);
	assert_int_equal(ctl_decode(buf, (size_t)len, NULL, out, 16), -EINVAL);

	len = encode_sample();
	put32(buf + 4, 0x100);		/* unknown flag */
	assert_int_equal(ctl_decode(buf, (size_t)len, NULL, out, 16), -EINVAL);

	len = encode_sample();
	assert_int_equal(ctl_decode(buf, (size_t)len, NULL, out, 5), -E2BIG);
	put32(buf + 8, CTL_MAX_ARGS + 1);
	assert_int_equal(ctl_decode(buf, (size_t)len, NULL, out, 16), -E2BIG);
	put32(buf + 8, UINT32_MAX);
	assert_int_equal(ctl_decode(buf, (size_t)len, NULL, out, 16), -E2BIG);

	len = encode_sample();
	put32(buf + 12, CTL_MAX + 1);
	assert_int_equal(ctl_decode(buf, (size_t)len, NULL, out, 16), -E2BIG);
	put32(buf + 12, UINT32_MAX);
	assert_int_equal(ctl_decode(buf, (size_t)len, NULL, out, 16), -E2BIG);
	assert_int_equal(ctl_decode(NULL, 0, NULL, out, 16), -EINVAL);
}

/* foud reads the header, then exactly the length it gives: no more, never past the limit. */
static void test_request_len(void **state)
{
	int len;

	(void)state;
	len = encode_sample();
	assert_int_equal(ctl_request_len(buf, CTL_HDR), len);
	assert_int_equal(ctl_request_len(buf, CTL_HDR - 1), -EINVAL);
	assert_int_equal(ctl_request_len(NULL, CTL_HDR), -EINVAL);
	put32(buf + 12, CTL_MAX);
	assert_int_equal(ctl_request_len(buf, CTL_HDR), CTL_HDR + CTL_MAX);
	put32(buf + 12, CTL_MAX + 1);
	assert_int_equal(ctl_request_len(buf, CTL_HDR), -E2BIG);
	put32(buf + 12, UINT32_MAX);
	assert_int_equal(ctl_request_len(buf, CTL_HDR), -E2BIG);
	len = encode_sample();
	put32(buf + 8, CTL_MAX_ARGS + 1);
	assert_int_equal(ctl_request_len(buf, CTL_HDR), -E2BIG);
	len = encode_sample();
	put32(buf, CTL_MAGIC ^ 1);
	assert_int_equal(ctl_request_len(buf, (size_t)len), -EINVAL);
	len = encode_sample();
	put32(buf, CTL_MAGIC_V1);	/* an older fouctl: told so, not "malformed" */
	assert_int_equal(ctl_request_len(buf, (size_t)len), -EPROTO);
}

/* A reply's frames: output up to CTL_CHUNK, an end with at least its status; else refused. */
static void test_frames(void **state)
{
	uint8_t h[CTL_FRAME_HDR];
	uint32_t type, len;

	(void)state;
	ctl_frame_put(h, CTL_FR_OUT, CTL_CHUNK);
	assert_int_equal(ctl_frame_get(h, &type, &len), 0);
	assert_int_equal(type, CTL_FR_OUT);
	assert_int_equal(len, CTL_CHUNK);
	ctl_frame_put(h, CTL_FR_OUT, CTL_CHUNK + 1);
	assert_int_equal(ctl_frame_get(h, &type, &len), -EBADMSG);
	ctl_frame_put(h, CTL_FR_END, 4);
	assert_int_equal(ctl_frame_get(h, &type, &len), 0);
	assert_int_equal(type, CTL_FR_END);
	ctl_frame_put(h, CTL_FR_END, 3);
	assert_int_equal(ctl_frame_get(h, &type, &len), -EBADMSG);
	ctl_frame_put(h, CTL_FR_END, 4 + CTL_MAX + 1);
	assert_int_equal(ctl_frame_get(h, &type, &len), -EBADMSG);
	ctl_frame_put(h, 3, 0);
	assert_int_equal(ctl_frame_get(h, &type, &len), -EBADMSG);
	ctl_frame_put(h, CTL_FR_END, 4);
	put32(h, CTL_MAGIC_V1);		/* an older foud's reply header */
	assert_int_equal(ctl_frame_get(h, &type, &len), -EPROTO);
	put32(h, CTL_MAGIC ^ 4);
	assert_int_equal(ctl_frame_get(h, &type, &len), -EBADMSG);
}

/* argc says more or fewer words than bytes holds, or the last lacks its NUL. */
static void test_bad_words(void **state)
{
	char *out[16];
	int len;

	(void)state;
	len = encode_sample();
	put32(buf + 8, 7);
	assert_int_equal(ctl_decode(buf, (size_t)len, NULL, out, 16), -EINVAL);
	put32(buf + 8, 5);
	assert_int_equal(ctl_decode(buf, (size_t)len, NULL, out, 16), -EINVAL);
	put32(buf + 8, 0);
	assert_int_equal(ctl_decode(buf, (size_t)len, NULL, out, 16), -EINVAL);

	len = encode_sample();
	buf[len - 1] = 'x';		/* last word not terminated */
	assert_int_equal(ctl_decode(buf, (size_t)len, NULL, out, 16), -EINVAL);

	/* bytes shorter than the buffer: trailing garbage */
	len = encode_sample();
	put32(buf + 12, (uint32_t)(len - CTL_HDR - 1));
	assert_int_equal(ctl_decode(buf, (size_t)len, NULL, out, 16), -EINVAL);
}

static void test_encode_limits(void **state)
{
	static char *many[CTL_MAX_ARGS + 1];
	char *big = malloc(CTL_MAX + 1);
	char *one[1] = { big };
	const char *w[] = { "fou", "show" };

	(void)state;
	assert_non_null(big);
	for (size_t i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = "x";
	assert_int_equal(ctl_encode(buf, sizeof(buf), 0, CTL_MAX_ARGS + 1, many),
			 -E2BIG);
	assert_true(ctl_encode(buf, sizeof(buf), 0, CTL_MAX_ARGS, many) > 0);

	memset(big, 'a', CTL_MAX);
	big[CTL_MAX] = '\0';	/* one byte too many with its NUL */
	assert_int_equal(ctl_encode(buf, sizeof(buf), 0, 1, one), -E2BIG);
	big[CTL_MAX - 1] = '\0';	/* exactly CTL_MAX */
	assert_int_equal(ctl_encode(buf, sizeof(buf), 0, 1, one),
			 CTL_HDR + CTL_MAX);
	free(big);

	/* the buffer must hold header and words */
	assert_int_equal(ctl_encode(buf, CTL_HDR + 8, 0, 2, (char *const *)w),
			 -E2BIG);
	assert_int_equal(ctl_encode(buf, CTL_HDR + 9, 0, 2, (char *const *)w),
			 CTL_HDR + 9);
	assert_true(ctl_encode(buf, sizeof(buf), 0, -1, NULL) < 0);
}

/* Random bytes after a valid header never crash and never overrun. */
static void test_random(void **state)
{
	uint8_t *b = malloc(CTL_HDR + 64);
	char *out[CTL_MAX_ARGS];

	(void)state;
	assert_non_null(b);
	srand(1);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = (size_t)(rand() % (CTL_HDR + 64 + 1));
		int n;

		for (size_t i = 0; i < len; i++)
			b[i] = (uint8_t)(rand() % 4 ? rand() : 0);
		if (len >= CTL_HDR && rand() % 2) {
			put32(b, CTL_MAGIC);
			put32(b + 4, (uint32_t)rand() & 0xf);
			put32(b + 8, (uint32_t)(rand() % 8));
			put32(b + 12, (uint32_t)(len - CTL_HDR));
		}
		n = ctl_decode(b, len, NULL, out, CTL_MAX_ARGS);
		for (int j = 0; j < n; j++)
			assert_true((uint8_t *)out[j] >= b + CTL_HDR &&
				    (uint8_t *)out[j] + strlen(out[j]) < b + len);
	}
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_request_len),
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_bad_words),
		cmocka_unit_test(test_encode_limits),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
