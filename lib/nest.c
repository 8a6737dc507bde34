// SPDX-License-Identifier: MIT
/*
 * Never nest (CVE-2020-10136): where a decapsulated packet would go on the
 * host. The walk reaches the transport header the way the kernel's receive
 * path does (IPv4 options, IPv6 extension headers, AH, 802.1Q/802.1ad tags) so
 * the daemon can ask whether one of its own receive points would take it.
 * No checksum is verified: a packet the kernel would drop anyway may be
 * judged, which only errs towards dropping.
 */
#include "fou/fou.h"
#include "fou/l2.h"

#define IP6_HOP		0
#define IP6_ROUTING	43
#define IP6_FRAGMENT	44
#define IP6_ESP		50
#define IP6_AH		51
#define IP6_NONE	59
#define IP6_DEST	60

/* The transport header at off in a packet of len bytes. */
static int nest_l4(const uint8_t *p, size_t len, size_t off, uint8_t proto,
		   struct fou_nest *n)
{
	n->proto = proto;
	n->dport = 0;
	if (proto != FOU_PROTO_TCP && proto != FOU_PROTO_UDP)
		return off <= len ? FOU_NEST_L4 : FOU_NEST_UNKNOWN;
	if (off > len || len - off < 4)
		return FOU_NEST_UNKNOWN;
	n->dport = fou_get16(p + off + 2);
	return FOU_NEST_L4;
}

/* One extension header at *off: its next header and length, or why the walk ends. */
static int nest_ext(const uint8_t *p, size_t len, size_t *off, uint8_t *nh)
{
	size_t o = *off;

	if (o > len || len - o < 8)	/* every extension header is 8 bytes or more */
		return FOU_NEST_UNKNOWN;
	switch (*nh) {
	case IP6_FRAGMENT:
		if (fou_get16(p + o + 2) & 0xfff8)
			return FOU_NEST_LATER_FRAG;	/* as IPv4's later fragments */
		*off = o + 8;
		break;
	case IP6_AH:
		*off = o + ((size_t)p[o + 1] + 2) * 4;
		break;
	default:
		*off = o + ((size_t)p[o + 1] + 1) * 8;
		break;
	}
	*nh = p[o];
	return FOU_NEST_L4;
}

static bool nest_is_ext(uint8_t nh, bool v6)
{
	if (nh == IP6_AH)	/* the one both families have */
		return true;
	return v6 && (nh == IP6_HOP || nh == IP6_ROUTING || nh == IP6_DEST || nh == IP6_FRAGMENT);
}

/*
 * From the header after IP's to the transport header. Each extension moves
 * off by 8 bytes or more: the walk ends. ESP ends it too: only a host
 * holding the security association can open it, under its own policy.
 */
static int nest_walk(const uint8_t *p, size_t tot, size_t off, uint8_t nh, bool v6,
		     struct fou_nest *n)
{
	int ret;

	while (nest_is_ext(nh, v6)) {
		ret = nest_ext(p, tot, &off, &nh);
		if (ret != FOU_NEST_L4)
			return ret;
	}
	if (nh == IP6_ESP || nh == IP6_NONE)
		return off <= tot ? FOU_NEST_END : FOU_NEST_UNKNOWN;
	/* UNKNOWN when the chain does not reach the ports (a first fragment so cut breaks RFC 7112). */
	return nest_l4(p, tot, off, nh, n);
}

static int nest_ip4(const uint8_t *p, size_t len, struct fou_nest *n)
{
	size_t hlen, tot;

	if (len < FOU_IPV4_HLEN || p[0] >> 4 != 4)
		return FOU_NEST_BAD_IP;
	hlen = (size_t)(p[0] & 0x0f) * 4;
	tot = fou_get16(p + 2);
	if (hlen < FOU_IPV4_HLEN || tot < hlen || tot > len)
		return FOU_NEST_BAD_IP;
	/*
	 * A later fragment holds no ports, and the kernel cannot reassemble it
	 * without the first one, which is judged here like any other packet
	 * (every fragment of offset 0 is): it may pass.
	 */
	if (fou_get16(p + 6) & FOU_IP_OFFMASK)
		return FOU_NEST_LATER_FRAG;
	return nest_walk(p, tot, hlen, p[9], false, n);
}

static int nest_ip6(const uint8_t *p, size_t len, struct fou_nest *n)
{
	size_t tot;

	if (len < FOU_IPV6_HLEN || p[0] >> 4 != 6)
		return FOU_NEST_BAD_IP;
	tot = FOU_IPV6_HLEN + (size_t)fou_get16(p + 4);
	if (tot > len)
		return FOU_NEST_BAD_IP;
	return nest_walk(p, tot, FOU_IPV6_HLEN, p[6], true, n);
}

int fou_nest_judge(const uint8_t *p, size_t len, bool l2, struct fou_nest *n)
{
	size_t off = 0;
	uint16_t type;

	if (l2) {
		if (len < FOU_ETH_HLEN)
			return FOU_NEST_NOT_IP;
		off = FOU_ETH_HLEN;
		type = fou_get16(p + 12);
		while (type == FOU_ETH_P_8021Q || type == FOU_ETH_P_8021AD) {
			if (len - off < 4)
				return FOU_NEST_NOT_IP;
			type = fou_get16(p + off + 2);
			off += 4;
		}
		if (type == FOU_ETH_P_IP)
			return nest_ip4(p + off, len - off, n);
		if (type == FOU_ETH_P_IPV6)
			return nest_ip6(p + off, len - off, n);
		return FOU_NEST_NOT_IP;
	}
	if (len && p[0] >> 4 == 6)
		return nest_ip6(p, len, n);
	return nest_ip4(p, len, n);
}
