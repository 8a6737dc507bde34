// SPDX-License-Identifier: MIT
/*
 * GUE (draft-ietf-intarea-gue) as Linux speaks it, include/net/gue.h:
 *
 *   0                   1                   2                   3
 *  |Ver|C|  Hlen   | Proto/ctype   |        Standard flags       |P|
 *  [ private flags (P) ][ csum_start | csum_offset (REMCSUM) ][ surplus ]
 *
 * Explicit shifts and masks instead of the kernel's bitfields.
 */
#include "fou/fou.h"

#define GUE_VER_SHIFT	6
#define GUE_C_BIT	0x20
#define GUE_HLEN_MASK	0x1f

size_t fou_gue_hdr_len(bool remcsum)
{
	return FOU_GUE_HLEN + (remcsum ? FOU_GUE_PRIV_LEN + FOU_GUE_REMCSUM_LEN : 0);
}

int fou_gue_push(struct fou_buf *b, uint8_t proto, const struct fou_remcsum *rc)
{
	size_t hlen = fou_gue_hdr_len(rc != NULL);
	uint8_t *h;

	h = fou_buf_push(b, hlen);
	if (!h)
		return -FOU_DROP_TOO_SHORT;
	h[0] = (uint8_t)((hlen - FOU_GUE_HLEN) >> 2);	/* ver 0, C 0 */
	h[1] = proto;
	fou_put16(h + 2, rc ? FOU_GUE_FLAG_PRIV : 0);
	if (rc) {
		fou_put32(h + 4, FOU_GUE_PFLAG_REMCSUM);
		fou_put16(h + 8, rc->start);
		fou_put16(h + 10, rc->offset);
	}
	return 0;
}

/* Variant 1 is direct IP: the IP version nibble names the protocol. */
static int gue_v1(const uint8_t *p, uint8_t *proto)
{
	switch (p[0] >> 4) {
	case 4:
		*proto = FOU_PROTO_IPIP;
		return 0;
	case 6:
		*proto = FOU_PROTO_IPV6;
		return 0;
	default:
		return -FOU_DROP_GUE_VERSION;
	}
}

/* As validate_gue_flags(): unknown flags and options past Hlen drop. */
static int gue_check_flags(const uint8_t *h, size_t optlen)
{
	uint16_t flags = fou_get16(h + 2);
	uint32_t pflags;
	size_t need = 0;

	if (flags & ~FOU_GUE_FLAGS_ALL)
		return -FOU_DROP_GUE_FLAGS;
	if (!(flags & FOU_GUE_FLAG_PRIV))
		return 0;
	need += FOU_GUE_PRIV_LEN;
	if (optlen < need)
		return -FOU_DROP_GUE_HLEN;
	pflags = fou_get32(h + FOU_GUE_HLEN);
	if (pflags & ~FOU_GUE_PFLAGS_ALL)
		return -FOU_DROP_GUE_FLAGS;
	if (pflags & FOU_GUE_PFLAG_REMCSUM)
		need += FOU_GUE_REMCSUM_LEN;
	if (optlen < need)
		return -FOU_DROP_GUE_HLEN;
	return 0;
}

/*
 * As skb_remcsum_process(): the payload's sum from start on, including the
 * field (which holds the pseudo-header sum), is the inner checksum.
 */
static int gue_remcsum(uint8_t *pl, size_t len, const uint8_t *rco)
{
	size_t start = fou_get16(rco);
	size_t offset = fou_get16(rco + 2);

	if (start > len || offset < start || offset + 2 > len)
		return -FOU_DROP_REMCSUM;
	fou_put16(pl + offset, fou_csum_fold(fou_csum_add(0, pl + start, len - start)));
	return 0;
}

static bool gue_has_remcsum(const uint8_t *h)
{
	return (fou_get16(h + 2) & FOU_GUE_FLAG_PRIV) &&
	       (fou_get32(h + FOU_GUE_HLEN) & FOU_GUE_PFLAG_REMCSUM);
}

static int gue_v0(struct fou_buf *b, uint8_t *proto)
{
	uint8_t *h = fou_buf_data(b);
	size_t optlen = (size_t)(h[0] & GUE_HLEN_MASK) << 2;
	size_t hlen = FOU_GUE_HLEN + optlen;
	int err;

	if (hlen > b->len)
		return -FOU_DROP_TOO_SHORT;
	err = gue_check_flags(h, optlen);
	if (err)
		return err;
	if (h[0] & GUE_C_BIT)
		return -FOU_DROP_GUE_CONTROL;
	if (h[1] == 0)
		return -FOU_DROP_GUE_PROTO;
	if (gue_has_remcsum(h)) {
		err = gue_remcsum(h + hlen, b->len - hlen,
				  h + FOU_GUE_HLEN + FOU_GUE_PRIV_LEN);
		if (err)
			return err;
	}
	*proto = h[1];
	fou_buf_pull(b, hlen);
	return 0;
}

int fou_gue_pull(struct fou_buf *b, uint8_t *proto)
{
	const uint8_t *h = fou_buf_data(b);

	if (b->len < FOU_GUE_HLEN)
		return -FOU_DROP_TOO_SHORT;
	switch (h[0] >> GUE_VER_SHIFT) {
	case 0:
		return gue_v0(b, proto);
	case 1:
		return gue_v1(h, proto);
	default:
		return -FOU_DROP_GUE_VERSION;
	}
}
