// SPDX-License-Identifier: MIT
/* TOU session ids: the S and D fields in GUE, alone and with authenticated GUE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/gue_auth.h"
#include "fou/tou_session.h"

#define SRC_ID	0x0123456789abcdefull
#define DST_ID	0xfedcba9876543210ull

static const uint8_t tcp[20] = { 0x9c, 0x40, 0x1b, 0x59, 1, 2, 3, 4, 0, 0, 0, 0, 0x50, 0x10 };
static uint8_t st[256];

/* A plain TOU datagram (GUE proto 6, then tcp) at offset 128 of st. */
static struct fou_buf plain(void)
{
	struct fou_buf b = { st, sizeof(st), 128, sizeof(tcp) };

	memset(st, 0, sizeof(st));
	memcpy(st + 128, tcp, sizeof(tcp));
	assert_int_equal(fou_gue_push(&b, 6, NULL), 0);
	return b;
}

static void back_to_plain(struct fou_buf *b, uint16_t flags)
{
	struct fou_tou_sid id;
	uint8_t proto;

	assert_int_equal(fou_tou_sid_pull(b, &id), 0);
	assert_int_equal(id.flags, flags);
	assert_int_equal(id.src, flags & FOU_TOU_FLAG_S ? SRC_ID : 0);
	assert_int_equal(id.dst, flags & FOU_TOU_FLAG_D ? DST_ID : 0);
	assert_memory_equal(fou_buf_data(b), "\x00\x06\x00\x00", 4);
	assert_int_equal(fou_gue_pull(b, &proto), 0);
	assert_int_equal(proto, 6);
	assert_memory_equal(fou_buf_data(b), tcp, sizeof(tcp));
}

/* The draft's layout: Hlen counts the ids, S before D, flags 0x0100 and 0x0080. */
static void test_push_pull(void **state)
{
	static const uint8_t want[3][4] = { { 2, 6, 0x01, 0x00 }, { 4, 6, 0x01, 0x80 },
					     { 2, 6, 0x00, 0x80 } };
	const uint16_t fl[3] = { FOU_TOU_FLAG_S, FOU_TOU_FLAGS_SID, FOU_TOU_FLAG_D };
	struct fou_tou_sid id, seen;
	struct fou_buf b;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		b = plain();
		id = (struct fou_tou_sid){ .flags = fl[i], .src = SRC_ID, .dst = DST_ID };
		assert_int_equal(fou_tou_sid_push(&b, &id), 0);
		assert_memory_equal(fou_buf_data(&b), want[i], 4);
		assert_int_equal(b.len, 4 + sizeof(tcp) + (size_t)want[i][0] * 4);
		assert_int_equal(fou_tou_sid_peek(&b, &seen), 0);
		assert_int_equal(seen.flags, fl[i]);
		assert_int_equal(fou_get32(fou_buf_data(&b) + 4),
				 (uint32_t)((fl[i] & FOU_TOU_FLAG_S ? SRC_ID : DST_ID) >> 32));
		back_to_plain(&b, fl[i]);
	}
}

static void test_pull_rejects(void **state)
{
	struct fou_buf b = plain();
	struct fou_tou_sid id;

	(void)state;
	fou_put16(fou_buf_data(&b) + 2, FOU_TOU_FLAG_D);	/* D, but Hlen 0 */
	assert_int_equal(fou_tou_sid_pull(&b, &id), -FOU_DROP_GUE_HLEN);
	assert_int_equal(fou_tou_sid_peek(&b, &id), -FOU_DROP_GUE_HLEN);
	b = plain();
	fou_buf_data(&b)[0] = 0x1f;				/* Hlen past the datagram */
	fou_put16(fou_buf_data(&b) + 2, FOU_TOU_FLAG_S);
	assert_int_equal(fou_tou_sid_pull(&b, &id), -FOU_DROP_GUE_HLEN);
	b = plain();
	b.len = 3;
	assert_int_equal(fou_tou_sid_pull(&b, &id), -FOU_DROP_TOO_SHORT);
	b = plain();							/* no ids: unchanged */
	assert_int_equal(fou_tou_sid_pull(&b, &id), 0);
	assert_int_equal(id.flags, 0);
	assert_int_equal(b.len, 4 + sizeof(tcp));
}

static void key(struct fou_gue_keys *ks)
{
	uint8_t s[FOU_GUE_AUTH_KEYLEN];

	memset(s, 0x5a, sizeof(s));
	assert_int_equal(fou_gue_key_init(&ks->key[0], s), 0);
	ks->n = 1;
}

/* Authenticated: the security field first, the ids, then the sequence. */
static void test_with_auth(void **state)
{
	struct fou_tou_sid id = { .flags = FOU_TOU_FLAGS_SID, .src = SRC_ID, .dst = DST_ID }, seen;
	struct fou_gue_keys ks = { .n = 0 };
	struct fou_buf b = plain(), c;
	uint8_t copy[sizeof(st)];
	uint64_t seq = 0;

	(void)state;
	key(&ks);
	assert_int_equal(fou_tou_sid_push(&b, &id), 0);
	assert_int_equal(fou_gue_auth_sign(&b, &ks.key[0], 77), 0);
	assert_int_equal(fou_buf_data(&b)[0], (48 + 16) / 4);
	assert_int_equal(fou_get16(fou_buf_data(&b) + 2), FOU_GUE_FLAG_SEC_HMAC | FOU_TOU_FLAGS_SID);
	assert_int_equal(fou_get32(fou_buf_data(&b) + 44), (uint32_t)(SRC_ID >> 32));
	assert_int_equal(fou_get32(fou_buf_data(&b) + 64), 77);	/* the sequence's low half */
	assert_int_equal(fou_tou_sid_peek(&b, &seen), 0);
	assert_true(seen.flags == FOU_TOU_FLAGS_SID && seen.src == SRC_ID && seen.dst == DST_ID);
	memcpy(copy, st, sizeof(st));
	c = b;
	assert_int_equal(fou_gue_auth_open(&b, &ks, 0, &seq), -FOU_DROP_AUTH);	/* not allowed */
	assert_int_equal(fou_gue_auth_open(&b, &ks, FOU_TOU_FLAGS_SID, &seq), 0);
	assert_int_equal(seq, 77);
	back_to_plain(&b, FOU_TOU_FLAGS_SID);
	/* A flipped id bit is refused: the HMAC covers the ids. */
	memcpy(st, copy, sizeof(st));
	fou_buf_data(&c)[59] ^= 1;
	assert_int_equal(fou_gue_auth_open(&c, &ks, FOU_TOU_FLAGS_SID, &seq), -FOU_DROP_AUTH);
	fou_gue_key_clear(&ks.key[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_pull),
		cmocka_unit_test(test_pull_rejects),
		cmocka_unit_test(test_with_auth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
