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

static int gue_rco_range(size_t len, size_t start, size_t offset)
{
	return start > len || offset < start || offset + 2 > len ? -FOU_DROP_REMCSUM : 0;
}

/*
 * As skb_remcsum_process(): the payload's sum from start on, including the
 * field (which holds the pseudo-header sum), is the inner checksum.
 */
static void gue_remcsum(uint8_t *pl, size_t len, size_t start, size_t offset)
{
	fou_put16(pl + offset, fou_csum_fold(fou_csum_add(0, pl + start, len - start)));
}

/*
 * Whether the option names the TCP checksum of the packet right after GUE
 * (TOU's segment, or an IPv4/IPv6 packet): only that one a device can be
 * told to trust as partial (virtio's csum_start/csum_offset).
 */
static bool gue_rco_tcp(const uint8_t *pl, size_t len, uint8_t proto, size_t start,
			size_t offset)
{
	struct fou_ip ip;

	if (offset != start + 16)
		return false;
	if (proto == FOU_PROTO_TCP)
		return start == 0;
	if ((proto != FOU_PROTO_IPIP && proto != FOU_PROTO_IPV6) || fou_ip_parse(pl, len, &ip))
		return false;
	return ip.proto == FOU_PROTO_TCP && ip.hlen == start && ip.tot_len == len &&
	       !(ip.frag & (FOU_IP_MF | FOU_IP_OFFMASK));
}

static bool gue_has_remcsum(const uint8_t *h)
{
	return (fou_get16(h + 2) & FOU_GUE_FLAG_PRIV) &&
	       (fou_get32(h + FOU_GUE_HLEN) & FOU_GUE_PFLAG_REMCSUM);
}

/* RCO completed now, or (partial given, the option at a TCP checksum) left partial. */
static int gue_rco(uint8_t *h, size_t hlen, size_t len, bool *partial)
{
	const uint8_t *rco = h + FOU_GUE_HLEN + FOU_GUE_PRIV_LEN;
	size_t start = fou_get16(rco), offset = fou_get16(rco + 2);
	int err = gue_rco_range(len - hlen, start, offset);

	if (err)
		return err;
	if (partial && gue_rco_tcp(h + hlen, len - hlen, h[1], start, offset)) {
		*partial = true;
		return 0;
	}
	gue_remcsum(h + hlen, len - hlen, start, offset);
	return 0;
}

static int gue_v0(struct fou_buf *b, uint8_t *proto, bool *partial)
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
		err = gue_rco(h, hlen, b->len, partial);
		if (err)
			return err;
	}
	*proto = h[1];
	fou_buf_pull(b, hlen);
	return 0;
}

static int gue_pull(struct fou_buf *b, uint8_t *proto, bool *partial)
{
	const uint8_t *h = fou_buf_data(b);

	if (partial)
		*partial = false;
	if (b->len < FOU_GUE_HLEN)
		return -FOU_DROP_TOO_SHORT;
	switch (h[0] >> GUE_VER_SHIFT) {
	case 0:
		return gue_v0(b, proto, partial);
	case 1:
		return gue_v1(h, proto);
	default:
		return -FOU_DROP_GUE_VERSION;
	}
}

bool fou_gue_has_rco(const struct fou_buf *b)
{
	const uint8_t *h = fou_buf_data(b);

	return b->len >= FOU_GUE_HLEN + FOU_GUE_PRIV_LEN && !(h[0] >> GUE_VER_SHIFT) &&
	       (size_t)(h[0] & GUE_HLEN_MASK) << 2 >= FOU_GUE_PRIV_LEN && gue_has_remcsum(h);
}

int fou_gue_pull_partial(struct fou_buf *b, uint8_t *proto, bool *partial)
{
	return gue_pull(b, proto, partial);
}

int fou_gue_pull(struct fou_buf *b, uint8_t *proto)
{
	return gue_pull(b, proto, NULL);
}
