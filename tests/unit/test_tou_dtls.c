// SPDX-License-Identifier: MIT
/* The wire form of TOU over DTLS: GUE 59 + T + transform word, record headers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "fou/tou_dtls.h"

static const uint8_t rec_app[] = {
	0x17, 0xfe, 0xfd, 0x00, 0x01, 0, 0, 0, 0, 0, 0x05, 0x00, 0x03, 0xaa, 0xbb, 0xcc,
};

static void test_push_pull(void **state)
{
	uint8_t mem[64];
	struct fou_buf b = { .head = mem, .cap = sizeof(mem), .off = 16, .len = sizeof(rec_app) };
	static const uint8_t hdr[] = { 0x01, 59, 0x04, 0x00, 1, 6, 0, 0 };

	(void)state;
	memcpy(fou_buf_data(&b), rec_app, sizeof(rec_app));
	assert_int_equal(fou_tou_dtls_push(&b), 0);
	assert_memory_equal(fou_buf_data(&b), hdr, sizeof(hdr));
	assert_int_equal(fou_tou_dtls_pull(&b), 0);
	assert_int_equal(b.len, sizeof(rec_app));
	assert_memory_equal(fou_buf_data(&b), rec_app, sizeof(rec_app));
	assert_int_equal(fou_dtls_rec_len(rec_app, sizeof(rec_app)), sizeof(rec_app));
	assert_int_equal(fou_dtls_rec_len(rec_app, sizeof(rec_app) - 1), 0);
	assert_int_equal(fou_dtls_rec_len(rec_app, 12), 0);
	assert_int_equal(fou_dtls_rec_epoch(rec_app), 1);
}

/* Plain TOU, another transform, another protocol, a flag more, too short: all dtls. */
static void test_pull_refuses(void **state)
{
	static const uint8_t bad[][8] = {
		{ 0x00, 6, 0x00, 0x00, 1, 6, 0, 0 },
		{ 0x01, 59, 0x04, 0x00, 2, 6, 0, 0 },
		{ 0x01, 59, 0x04, 0x00, 1, 17, 0, 0 },
		{ 0x01, 59, 0x06, 0x00, 1, 6, 0, 0 },
		{ 0x21, 59, 0x04, 0x00, 1, 6, 0, 0 },
		{ 0x02, 59, 0x04, 0x00, 1, 6, 0, 0 },
	};
	uint8_t mem[64];
	struct fou_buf b;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = (struct fou_buf){ .head = mem, .cap = sizeof(mem), .off = 0, .len = 8 + 16 };
		memcpy(mem, bad[i], 8);
		memcpy(mem + 8, rec_app, sizeof(rec_app));
		assert_int_equal(fou_tou_dtls_pull(&b), -FOU_DROP_DTLS);
	}
	b = (struct fou_buf){ .head = mem, .cap = sizeof(mem), .off = 0, .len = 8 + 12 };
	memcpy(mem, (uint8_t[]){ 0x01, 59, 0x04, 0x00, 1, 6, 0, 0 }, 8);
	assert_int_equal(fou_tou_dtls_pull(&b), -FOU_DROP_DTLS);
}

static void test_client_hello(void **state)
{
	uint8_t ch[13 + 12 + 2 + 32] = { 0x16, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 46, 1 };

	(void)state;
	assert_true(fou_dtls_client_hello(ch, sizeof(ch)));
	ch[3 + 1] = 1;		/* epoch 1: not a new session's */
	assert_false(fou_dtls_client_hello(ch, sizeof(ch)));
	ch[3 + 1] = 0;
	ch[13 + 5] = 1;		/* message_seq 1: the second ClientHello of a cookie exchange */
	assert_true(fou_dtls_client_hello(ch, sizeof(ch)));
	ch[13 + 5] = 0;
	ch[13] = 2;		/* ServerHello */
	assert_false(fou_dtls_client_hello(ch, sizeof(ch)));
	assert_false(fou_dtls_client_hello(ch, 13));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_pull),
		cmocka_unit_test(test_pull_refuses),
		cmocka_unit_test(test_client_hello),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
