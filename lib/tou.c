// SPDX-License-Identifier: MIT
/*
 * Transports over UDP (draft-herbert-transports-over-udp-01): a TCP segment
 * carried right after a GUE header of protocol 6, with no IP header of its
 * own. The receiver rebuilds the IP header from the outer addresses.
 *
 * The draft takes the IP addresses out of the transport checksum's
 * pseudo-header, so that a NAT rewriting the outer addresses cannot break
 * it, and leaves open whether protocol and length stay. Here they stay: the
 * wire checksum is the ordinary TCP checksum computed with both addresses
 * zero. IPv4's and IPv6's pseudo-headers then sum to the same value
 * (6 + TCP length), so the wire format does not depend on the family. Both
 * directions convert incrementally (RFC 1624): only the address words are
 * taken out or put back, the segment is not summed again.
 */
#include <string.h>

#include "fou/fou.h"

#define TCP_HLEN	20
#define TCP_CSUM_OFF	16
#define TOU_TTL		64

/* The one's-complement sum of both addresses, folded but not inverted. */
static uint16_t tou_addr_sum(const struct fou_addr *src, const struct fou_addr *dst)
{
	size_t alen = src->family == AF_INET6 ? 16 : 4;
	uint32_t s = fou_csum_add(fou_csum_add(0, src->a, alen), dst->a, alen);

	return (uint16_t)~fou_csum_fold(s);
}

/*
 * Takes the address sum out of a checksum (remove) or puts it back in: the
 * inverted checksum is the sum S, and S - A is S + ~A.
 */
static uint16_t tou_csum_adjust(uint16_t csum, uint16_t addr_sum, bool remove)
{
	uint32_t s = (uint16_t)~csum;

	s += remove ? (uint16_t)~addr_sum : addr_sum;
	return fou_csum_fold(s);
}

static void tou_csum_field(uint8_t *tcp, uint16_t addr_sum, bool remove)
{
	fou_put16(tcp + TCP_CSUM_OFF, tou_csum_adjust(fou_get16(tcp + TCP_CSUM_OFF), addr_sum,
						      remove));
}

/* A TCP header that fits: at least 20 bytes and its data offset within len. */
static int tou_tcp_check(const uint8_t *tcp, size_t len)
{
	size_t doff;

	if (len < TCP_HLEN)
		return -FOU_DROP_TOO_SHORT;
	doff = (size_t)(tcp[12] >> 4) * 4;
	if (doff < TCP_HLEN || doff > len)
		return -FOU_DROP_TOO_SHORT;
	return 0;
}

uint16_t fou_tou_csum_to_wire(uint16_t csum, const struct fou_addr *src,
			      const struct fou_addr *dst)
{
	return tou_csum_adjust(csum, tou_addr_sum(src, dst), true);
}

uint16_t fou_tou_csum_from_wire(uint16_t csum, const struct fou_addr *src,
				const struct fou_addr *dst)
{
	return tou_csum_adjust(csum, tou_addr_sum(src, dst), false);
}

/* The inner packet's IP facts; TCP right after the IP header, unfragmented. */
static int tou_inner(const uint8_t *p, size_t len, struct fou_ip *ip)
{
	int err = fou_ip_parse(p, len, ip);

	if (err)
		return err;
	if (ip->proto != FOU_PROTO_TCP)
		return -FOU_DROP_INNER_PROTO;
	if (ip->family == AF_INET && (ip->frag & (FOU_IP_MF | FOU_IP_OFFMASK)))
		return -FOU_DROP_INNER_PROTO;
	return tou_tcp_check(p + ip->hlen, ip->tot_len - ip->hlen);
}

/*
 * A complete checksum field holds the inverted sum, a partial one the
 * pseudo-header sum itself: taking the addresses out of the latter is the
 * adjustment that puts them into the former.
 */
static int tou_encap_ip(struct fou_buf *b, struct fou_tou_info *info, const struct fou_ip *ip,
			bool partial)
{
	static const struct fou_remcsum rco = { .start = 0, .offset = TCP_CSUM_OFF };
	uint8_t *tcp;

	b->len = ip->tot_len;	/* link padding off */
	info->src = ip->src;
	info->dst = ip->dst;
	info->tos = ip->tos;
	info->ttl = ip->ttl;
	tcp = fou_buf_pull(b, ip->hlen);
	tou_csum_field(tcp, tou_addr_sum(&ip->src, &ip->dst), !partial);
	return fou_gue_push(b, FOU_PROTO_TCP, partial ? &rco : NULL);
}

static int tou_encap(struct fou_buf *b, struct fou_tou_info *info, bool partial)
{
	struct fou_ip ip;
	int err = tou_inner(fou_buf_data(b), b->len, &ip);

	return err ? err : tou_encap_ip(b, info, &ip, partial);
}

int fou_tou_encap(struct fou_buf *b, struct fou_tou_info *info)
{
	return tou_encap(b, info, false);
}

/* The segment's IP header given (fou_gso_seg_ip()): only the TCP header is checked. */
int fou_tou_encap_seg(struct fou_buf *b, struct fou_tou_info *info, const struct fou_ip *ip,
		      bool partial)
{
	int err;

	if (b->len < ip->hlen || b->len != ip->tot_len)
		return -FOU_DROP_TOO_SHORT;
	err = tou_tcp_check(fou_buf_data(b) + ip->hlen, b->len - ip->hlen);
	return err ? err : tou_encap_ip(b, info, ip, partial);
}

int fou_tou_encap_rco(struct fou_buf *b, struct fou_tou_info *info)
{
	return tou_encap(b, info, true);
}

/*
 * partial given: an RCO at the TCP checksum is left partial, its field the
 * address-free pseudo-header sum, into which the addresses go back as into
 * a sum (as tou_encap() took them out), not as into an inverted one.
 */
static int tou_decap(struct fou_buf *b, const struct fou_tou_info *info, bool *partial)
{
	struct fou_ip_params ip = {
		.src = info->src, .dst = info->dst, .proto = FOU_PROTO_TCP,
		.tos = info->tos, .ttl = info->ttl ? info->ttl : TOU_TTL, .df = true,
	};
	uint8_t proto;
	int err;

	if (info->src.family != info->dst.family ||
	    (info->src.family != AF_INET && info->src.family != AF_INET6))
		return -FOU_DROP_BAD_IP;
	err = partial ? fou_gue_pull_partial(b, &proto, partial) : fou_gue_pull(b, &proto);
	if (err)
		return err;
	/* Every protocol but TCP (variant 1 says 4 or 41): no TOU for it. */
	if (proto != FOU_PROTO_TCP)
		return -FOU_DROP_TOU_PROTO;
	err = tou_tcp_check(fou_buf_data(b), b->len);
	if (err)
		return err;
	tou_csum_field(fou_buf_data(b), tou_addr_sum(&info->src, &info->dst),
		       partial && *partial);
	return fou_ip_push(b, &ip);
}

int fou_tou_decap(struct fou_buf *b, const struct fou_tou_info *info)
{
	return tou_decap(b, info, NULL);
}

int fou_tou_decap_partial(struct fou_buf *b, const struct fou_tou_info *info, bool *partial)
{
	*partial = false;
	return tou_decap(b, info, partial);
}

bool fou_tou_csum_ok(const struct fou_buf *b, const struct fou_tou_info *info)
{
	size_t hlen = info->src.family == AF_INET6 ? FOU_IPV6_HLEN : FOU_IPV4_HLEN;
	uint32_t s;

	if (b->len < hlen + TCP_HLEN)
		return false;
	s = fou_csum_pseudo(&info->src, &info->dst, FOU_PROTO_TCP, (uint32_t)(b->len - hlen));
	return fou_csum_fold(fou_csum_add(s, fou_buf_data(b) + hlen, b->len - hlen)) == 0;
}
