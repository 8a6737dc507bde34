// SPDX-License-Identifier: MIT
/*
 * Authenticated GUE: arbitrary datagrams against a keyed receiver (all must
 * drop, the buffer untouched), and the input as a payload signed, accepted
 * once, refused as a replay the second time.
 */
#include "fuzz.h"
#include "fou/gue_auth.h"
#include "fou/tou_session.h"

/* Keyed once for the whole run, as a tunnel is. */
static const struct fou_gue_keys *keys(void)
{
	static struct fou_gue_keys ks;
	uint8_t s[FOU_GUE_AUTH_KEYLEN];

	if (ks.n)
		return &ks;
	memset(s, 0x5a, sizeof(s));
	if (fou_gue_key_init(&ks.key[0], s))
		abort();
	ks.n = 1;
	return &ks;
}

static void raw(const struct fou_gue_keys *ks, const uint8_t *data, size_t size)
{
	uint8_t *p = fuzz_dup(data, size);
	struct fou_buf b = { p, size, 0, size };
	struct fou_replay r = { 0 };
	int ret = fou_gue_auth_pull(&b, ks, &r);
	uint64_t seq;

	/* Forging an HMAC-SHA256 is beyond a fuzzer. */
	FUZZ_CHECK(ret == -FOU_DROP_AUTH);
	FUZZ_CHECK(b.off == 0 && b.len == size && !memcmp(p, data, size));
	FUZZ_CHECK(!r.any);
	/* Nor with TOU's session ids allowed between the security field and the sequence. */
	FUZZ_CHECK(fou_gue_auth_open(&b, ks, FOU_TOU_FLAGS_SID, &seq) == -FOU_DROP_AUTH);
	FUZZ_CHECK(b.off == 0 && b.len == size && !memcmp(p, data, size));
	free(p);
}

static void round_trip(const struct fou_gue_keys *ks, const uint8_t *data, size_t size)
{
	size_t room = FOU_GUE_HLEN + FOU_GUE_AUTH_LEN;
	uint8_t *p = malloc(room + size + 1), *copy = malloc(room + size + 1), proto = 0;
	struct fou_buf b = { p, room + size + 1, room, size };
	struct fou_replay r = { 0 };
	uint64_t seq = size >= 8 ? fou_get32(data) | (uint64_t)fou_get32(data + 4) << 32 : size;
	size_t off;

	if (!p || !copy)
		abort();
	memcpy(p + room, data, size);
	FUZZ_CHECK(fou_gue_auth_push(&b, 4, &ks->key[0], seq) == 0);
	off = b.off;
	memcpy(copy, p, room + size);
	FUZZ_CHECK(fou_gue_auth_pull(&b, ks, &r) == 0);
	FUZZ_CHECK(fou_gue_pull(&b, &proto) == 0 && proto == 4);
	FUZZ_CHECK(b.len == size && !memcmp(fou_buf_data(&b), data, size));
	/* The same datagram again (the pull rewrote its header in place). */
	memcpy(p, copy, room + size);
	b.off = off;
	b.len = size + room;
	FUZZ_CHECK(fou_gue_auth_pull(&b, ks, &r) == -FOU_DROP_REPLAY);
	free(copy);
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct fou_gue_keys *ks = keys();

	raw(ks, data, size);
	if (size <= 0xffff)
		round_trip(ks, data, size);
	return 0;
}
