// SPDX-License-Identifier: MIT
/* Authenticated GUE: key files, the HMAC form against Python's hmac, replay window. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/gue_auth.h"

static const char payload[] = "foud authenticated GUE payload!\n";
#define PLEN (sizeof(payload) - 1)

/*
 * Key 00 01 .. 1f, proto 4, seq 0x0102030405060708, the payload above; from
 *   h = bytes([12,4,0x40,0]) + kid + pack('!HH', 0, 32) + bytes(32) + pack('!Q', seq)
 *   hmac.new(key, h + payload, sha256), kid = hmac.new(key, b"foud gue key id", sha256)[:4]
 */
static const uint8_t kat_hdr[52] = {
	0x0c, 0x04, 0x40, 0x00, 0x0d, 0x1b, 0xd7, 0x34, 0x00, 0x00, 0x00, 0x20,
	0x22, 0xa7, 0x84, 0x4e, 0x29, 0x44, 0x0e, 0x99, 0xce, 0x4a, 0xa2, 0x96,
	0xa4, 0xeb, 0xfb, 0x88, 0xe8, 0x1a, 0x4e, 0x6c, 0xb2, 0x83, 0xe1, 0x7f,
	0x7f, 0x71, 0x5e, 0x4c, 0x24, 0x1e, 0x69, 0x34, 0x01, 0x02, 0x03, 0x04,
	0x05, 0x06, 0x07, 0x08,
};
#define KAT_SEQ 0x0102030405060708ull

static uint8_t st[256];

static void key_n(struct fou_gue_key *k, uint8_t base)
{
	uint8_t s[FOU_GUE_AUTH_KEYLEN];
	size_t i;

	for (i = 0; i < sizeof(s); i++)
		s[i] = (uint8_t)(base + i);
	assert_int_equal(fou_gue_key_init(k, s), 0);
}

/* The payload at offset 64 of st, then signed with k. */
static struct fou_buf signed_buf(const struct fou_gue_key *k, uint64_t seq)
{
	struct fou_buf b = { st, sizeof(st), 64, PLEN };

	memset(st, 0, sizeof(st));
	memcpy(st + 64, payload, PLEN);
	assert_int_equal(fou_gue_auth_push(&b, 4, k, seq), 0);
	return b;
}

static void test_key_parse(void **state)
{
	const char *good = "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F\n";
	uint8_t k[32];

	(void)state;
	assert_int_equal(fou_gue_key_parse(good, strlen(good), k), 0);
	assert_int_equal(k[0], 0);
	assert_int_equal(k[31], 0x1f);
	assert_int_equal(fou_gue_key_parse(good, 64, k), 0);
	assert_int_equal(fou_gue_key_parse(good, 63, k), -EINVAL);
	assert_int_equal(fou_gue_key_parse("zz", 2, k), -EINVAL);
	assert_int_equal(fou_gue_key_parse(
		"g00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1", 64, k),
		-EINVAL);
	/* A second line or a blank after the digits is not the file we asked for. */
	assert_int_equal(fou_gue_key_parse(
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f \n", 66, k),
		-EINVAL);
	assert_int_equal(fou_gue_key_parse(
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n\n", 66, k),
		-EINVAL);
}

static void test_push_kat(void **state)
{
	struct fou_gue_key k;
	struct fou_buf b;

	(void)state;
	key_n(&k, 0);
	assert_int_equal(k.id, 0x0d1bd734);
	b = signed_buf(&k, KAT_SEQ);
	assert_int_equal(b.len, sizeof(kat_hdr) + PLEN);
	assert_memory_equal(fou_buf_data(&b), kat_hdr, sizeof(kat_hdr));
	assert_memory_equal(fou_buf_data(&b) + sizeof(kat_hdr), payload, PLEN);
	fou_gue_key_clear(&k);
	assert_null(k.mac);
}

static void test_pull_ok_then_replay(void **state)
{
	struct fou_gue_keys ks = { .n = 1 };
	struct fou_replay r = { 0 };
	struct fou_buf b, again;
	uint8_t proto = 0;

	(void)state;
	key_n(&ks.key[0], 0);
	b = signed_buf(&ks.key[0], KAT_SEQ);
	again = b;
	assert_int_equal(fou_gue_auth_pull(&b, &ks, &r), 0);
	assert_int_equal(fou_gue_pull(&b, &proto), 0);
	assert_int_equal(proto, 4);
	assert_int_equal(b.len, PLEN);
	assert_memory_equal(fou_buf_data(&b), payload, PLEN);
	/* The same bytes once more: the rebuilt header is undone first. */
	memcpy(fou_buf_data(&again), kat_hdr, sizeof(kat_hdr));
	assert_int_equal(fou_gue_auth_pull(&again, &ks, &r), -FOU_DROP_REPLAY);
	fou_gue_key_clear(&ks.key[0]);
}

/* Each one changed byte: dropped as auth, buffer and window unchanged. */
static void test_tamper(void **state)
{
	static const size_t at[] = { 0, 1, 2, 3, 4, 9, 11, 12, 43, 44, 51, 52, 52 + PLEN - 1 };
	struct fou_gue_keys ks = { .n = 1 };
	struct fou_replay r = { 0 };
	uint8_t copy[sizeof(kat_hdr) + PLEN];
	struct fou_buf b;
	size_t i;

	(void)state;
	key_n(&ks.key[0], 0);
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		b = signed_buf(&ks.key[0], KAT_SEQ);
		fou_buf_data(&b)[at[i]] ^= 0x01;
		memcpy(copy, fou_buf_data(&b), sizeof(copy));
		assert_int_equal(fou_gue_auth_pull(&b, &ks, &r), -FOU_DROP_AUTH);
		assert_int_equal(b.off, 64 - sizeof(kat_hdr));
		assert_memory_equal(fou_buf_data(&b), copy, sizeof(copy));
		assert_false(r.any);
	}
	fou_gue_key_clear(&ks.key[0]);
}

static void test_wrong_form(void **state)
{
	static const uint8_t plain[] = { 0x00, 0x04, 0x00, 0x00, 0x45 };
	struct fou_gue_keys ks = { .n = 1 };
	struct fou_replay r = { 0 };
	struct fou_buf b;

	(void)state;
	key_n(&ks.key[0], 0);
	memcpy(st, plain, sizeof(plain));
	b = (struct fou_buf){ st, sizeof(st), 0, sizeof(plain) };
	assert_false(fou_gue_has_sec(&b));
	assert_int_equal(fou_gue_auth_pull(&b, &ks, &r), -FOU_DROP_AUTH);
	b = signed_buf(&ks.key[0], 1);
	assert_true(fou_gue_has_sec(&b));
	b.len--;			/* the payload length no longer matches */
	assert_int_equal(fou_gue_auth_pull(&b, &ks, &r), -FOU_DROP_AUTH);
	b.len = 51;			/* shorter than the header */
	assert_int_equal(fou_gue_auth_pull(&b, &ks, &r), -FOU_DROP_AUTH);
	assert_false(r.any);
	fou_gue_key_clear(&ks.key[0]);
}

/* Rollover: the second key is accepted; a key neither side holds is not. */
static void test_keys(void **state)
{
	struct fou_gue_keys ks = { .n = 2 };
	struct fou_gue_key other;
	struct fou_replay r = { 0 };
	struct fou_buf b;

	(void)state;
	key_n(&ks.key[0], 0x40);
	key_n(&ks.key[1], 0);
	key_n(&other, 0x80);
	assert_int_not_equal(ks.key[0].id, ks.key[1].id);
	b = signed_buf(&ks.key[1], 10);
	assert_int_equal(fou_gue_auth_pull(&b, &ks, &r), 0);
	b = signed_buf(&ks.key[0], 11);
	assert_int_equal(fou_gue_auth_pull(&b, &ks, &r), 0);
	b = signed_buf(&other, 12);
	assert_int_equal(fou_gue_auth_pull(&b, &ks, &r), -FOU_DROP_AUTH);
	/* The right id with another secret: the HMAC decides. */
	other.id = ks.key[0].id;
	b = signed_buf(&other, 13);
	assert_int_equal(fou_gue_auth_pull(&b, &ks, &r), -FOU_DROP_AUTH);
	ks.n = 1;
	b = signed_buf(&ks.key[1], 14);
	assert_int_equal(fou_gue_auth_pull(&b, &ks, &r), -FOU_DROP_AUTH);
	fou_gue_key_clear(&ks.key[0]);
	fou_gue_key_clear(&ks.key[1]);
	fou_gue_key_clear(&other);
}

static void test_replay_window(void **state)
{
	struct fou_replay r = { 0 };
	uint64_t s;

	(void)state;
	assert_true(fou_replay_update(&r, 1000));
	assert_false(fou_replay_update(&r, 1000));
	assert_true(fou_replay_update(&r, 1002));
	assert_true(fou_replay_update(&r, 1001));	/* late but in the window */
	assert_false(fou_replay_update(&r, 1001));
	assert_true(fou_replay_update(&r, 1002 - FOU_REPLAY_WINDOW + 1));
	assert_false(fou_replay_update(&r, 1002 - FOU_REPLAY_WINDOW));	/* too old */
	/* Every one of a long run once, then none of the last window again. */
	for (s = 2000; s < 5000; s++)
		assert_true(fou_replay_update(&r, s));
	for (s = 5000 - FOU_REPLAY_WINDOW; s < 5000; s++)
		assert_false(fou_replay_update(&r, s));
	/* A jump past the whole window forgets it, without losing what is new. */
	assert_true(fou_replay_update(&r, 1ull << 40));
	assert_true(fou_replay_update(&r, (1ull << 40) - 5));
	assert_false(fou_replay_update(&r, 4999));
	assert_true(fou_replay_update(&r, UINT64_MAX));
	assert_false(fou_replay_update(&r, UINT64_MAX));
}

/* A restarted receiver: nothing at or below its floor, everything above it, once. */
static void test_replay_floor(void **state)
{
	static const uint64_t floors[] = { 1000, 1023, 1024, 1087, 1ull << 40 };
	struct fou_replay r;
	uint64_t f, s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(floors) / sizeof(floors[0]); i++) {
		f = floors[i];
		fou_replay_floor(&r, f);
		for (s = f - 2 * FOU_REPLAY_WINDOW; s <= f; s++)
			assert_false(fou_replay_update(&r, s));
		for (s = f + 1; s < f + 200; s += 2)
			assert_true(fou_replay_update(&r, s));
		for (s = f + 2; s < f + 200; s += 2)	/* late, in the window */
			assert_true(fou_replay_update(&r, s));
		assert_false(fou_replay_update(&r, f + 100));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_parse),
		cmocka_unit_test(test_push_kat),
		cmocka_unit_test(test_pull_ok_then_replay),
		cmocka_unit_test(test_tamper),
		cmocka_unit_test(test_wrong_form),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_replay_window),
		cmocka_unit_test(test_replay_floor),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
