// SPDX-License-Identifier: MIT
/*
 * TOU session identifiers in GUE (draft-herbert-transports-over-udp-01 §3.1):
 *
 *   0                   1                   2                   3
 *  |0|0|  Hlen   |   Proto = 6   |0 0 0 0 0 0 0|S|D|0 0 0 0 0 0 0|
 *  |                 Source session id (S)                       |
 *  |              Destination session id (D)                     |
 *  |  TCP header and data ...
 *
 * The fields sit right after the first word: with authenticated GUE they
 * move behind the security field (lib/gue_auth.c does that).
 */
#include <string.h>

#include "fou/gue_auth.h"
#include "fou/tou_session.h"

#define GUE_HLEN_MASK	0x1f

static size_t sid_len(uint16_t flags)
{
	return (flags & FOU_TOU_FLAG_S ? FOU_TOU_SID_LEN : 0) +
	       (flags & FOU_TOU_FLAG_D ? FOU_TOU_SID_LEN : 0);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)fou_get32(p) << 32 | fou_get32(p + 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	fou_put32(p, (uint32_t)(v >> 32));
	fou_put32(p + 4, (uint32_t)v);
}

/* Reads the ids flags names at f, which has room for them. */
static void sid_read(const uint8_t *f, uint16_t flags, struct fou_tou_sid *id)
{
	id->flags = flags & FOU_TOU_FLAGS_SID;
	id->src = id->dst = 0;
	if (flags & FOU_TOU_FLAG_S) {
		id->src = get64(f);
		f += FOU_TOU_SID_LEN;
	}
	if (flags & FOU_TOU_FLAG_D)
		id->dst = get64(f);
}

int fou_tou_sid_peek(const struct fou_buf *b, struct fou_tou_sid *id)
{
	const uint8_t *h = fou_buf_data(b);
	size_t off = FOU_GUE_HLEN, optlen;
	uint16_t flags;

	memset(id, 0, sizeof(*id));
	if (b->len < FOU_GUE_HLEN || h[0] >> 6)
		return 0;
	flags = fou_get16(h + 2);
	optlen = (size_t)(h[0] & GUE_HLEN_MASK) << 2;
	if ((flags & FOU_GUE_FLAG_SEC_MASK) == FOU_GUE_FLAG_SEC_HMAC)
		off += FOU_GUE_SEC_HMAC_LEN;
	if (FOU_GUE_HLEN + optlen > b->len || off + sid_len(flags) > FOU_GUE_HLEN + optlen)
		return -FOU_DROP_GUE_HLEN;
	sid_read(h + off, flags, id);
	return 0;
}

int fou_tou_sid_push(struct fou_buf *b, const struct fou_tou_sid *id)
{
	size_t n = sid_len(id->flags), hlen;
	uint8_t *h, *f;

	if (b->len < FOU_GUE_HLEN)
		return -FOU_DROP_TOO_SHORT;
	hlen = (size_t)(fou_buf_data(b)[0] & GUE_HLEN_MASK) + n / 4;
	if (hlen > GUE_HLEN_MASK)
		return -FOU_DROP_GUE_HLEN;
	h = fou_buf_push(b, n);
	if (!h)
		return -FOU_DROP_TOO_SHORT;
	memmove(h, h + n, FOU_GUE_HLEN);
	h[0] = (uint8_t)((h[0] & ~GUE_HLEN_MASK) | hlen);
	fou_put16(h + 2, fou_get16(h + 2) | (id->flags & FOU_TOU_FLAGS_SID));
	f = h + FOU_GUE_HLEN;
	if (id->flags & FOU_TOU_FLAG_S) {
		put64(f, id->src);
		f += FOU_TOU_SID_LEN;
	}
	if (id->flags & FOU_TOU_FLAG_D)
		put64(f, id->dst);
	return 0;
}

int fou_tou_sid_pull(struct fou_buf *b, struct fou_tou_sid *id)
{
	uint8_t *h = fou_buf_data(b);
	size_t n, optlen;
	uint16_t flags;

	memset(id, 0, sizeof(*id));
	if (b->len < FOU_GUE_HLEN)
		return -FOU_DROP_TOO_SHORT;
	if (h[0] >> 6)
		return -FOU_DROP_GUE_VERSION;
	flags = fou_get16(h + 2);
	n = sid_len(flags);
	optlen = (size_t)(h[0] & GUE_HLEN_MASK) << 2;
	if (n > optlen || FOU_GUE_HLEN + optlen > b->len)
		return -FOU_DROP_GUE_HLEN;
	if (!n)
		return 0;
	sid_read(h + FOU_GUE_HLEN, flags, id);
	memmove(h + n, h, FOU_GUE_HLEN);
	h = fou_buf_pull(b, n);
	h[0] = (uint8_t)((h[0] & ~GUE_HLEN_MASK) | ((optlen - n) >> 2));
	fou_put16(h + 2, flags & ~FOU_TOU_FLAGS_SID);
	return 0;
}
