// SPDX-License-Identifier: MIT
/*
 * Software GRO of inner TCP segments into TUN super-packets (reference/
 * performance.md 1.4), with the merge rules of the kernel's
 * tcp_gro_receive(). Every segment's checksums are verified before it is
 * merged (once merged, the kernel trusts the checksum we write), unless the
 * caller vouches for them: a verified outer UDP checksum covers the segment.
 */
#include <string.h>

#include "fou/gro.h"
#include "fou/l2.h"

#define TCP_HLEN	20
#define TCP_CSUM_OFF	16
#define UDP_CSUM_OFF	6
#define TCP_PSH		0x08
#define TCP_ACK		0x10
#define IP_MAX_LEN	0xffff

/* One TCP segment, located and checked. */
struct seg {
	const uint8_t *p;
	size_t len;		/* IP total length */
	size_t l4off;		/* TCP header offset */
	size_t hlen;		/* IP + TCP header length */
	int family;
};

static void addr_get(struct fou_addr *a, int family, const uint8_t *p)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	memcpy(a->a, p, family == AF_INET6 ? 16 : 4);
}

/* Pseudo-header sum of the IP header at p for l4len TCP bytes. */
static uint32_t tcp_pseudo(const uint8_t *p, int family, size_t l4len)
{
	struct fou_addr src, dst;

	if (family == AF_INET6) {
		addr_get(&src, family, p + 8);
		addr_get(&dst, family, p + 24);
	} else {
		addr_get(&src, family, p + 12);
		addr_get(&dst, family, p + 16);
	}
	return fou_csum_pseudo(&src, &dst, FOU_PROTO_TCP, (uint32_t)l4len);
}

static bool tcp_csum_ok(const struct seg *s)
{
	size_t l4len = s->len - s->l4off;
	uint32_t sum = tcp_pseudo(s->p, s->family, l4len);

	return fou_csum_fold(fou_csum_add(sum, s->p + s->l4off, l4len)) == 0;
}

/*
 * Locates a TCP segment that GRO may merge: TCP right after a 20-byte IPv4
 * header (no options, not a fragment) or the IPv6 header, a sane data
 * offset. Returns 0, 1 for "not mergeable", or -FOU_DROP_* for a bad IP
 * header. ip must come from fou_ip_parse() of p.
 */
static int seg_locate(struct seg *s, const uint8_t *p, const struct fou_ip *ip)
{
	size_t doff;

	s->p = p;
	s->len = ip->tot_len;
	s->l4off = ip->hlen;
	s->family = ip->family;
	if (ip->proto != FOU_PROTO_TCP)
		return 1;
	if (ip->family == AF_INET &&
	    (ip->hlen != FOU_IPV4_HLEN || (ip->frag & (FOU_IP_MF | FOU_IP_OFFMASK))))
		return 1;
	if (s->len - s->l4off < TCP_HLEN)
		return 1;
	doff = (size_t)(p[s->l4off + 12] >> 4) * 4;
	if (doff < TCP_HLEN || doff > s->len - s->l4off)
		return 1;
	s->hlen = s->l4off + doff;
	return 0;
}

static uint8_t seg_flags(const struct seg *s)
{
	return s->p[s->l4off + 13];
}

static uint32_t seg_seq(const struct seg *s)
{
	return fou_get32(s->p + s->l4off + 4);
}

static size_t seg_payload(const struct seg *s)
{
	return s->len - s->hlen;
}

#define SEG_BAD_CSUM	2	/* seg_get(): mergeable but for its TCP checksum */

/* Flags exactly ACK or ACK|PSH, some payload: 0; then a bad checksum: SEG_BAD_CSUM. */
static int seg_mergeable(const struct seg *s, bool verified)
{
	uint8_t f = seg_flags(s);

	if ((f != TCP_ACK && f != (TCP_ACK | TCP_PSH)) || !seg_payload(s))
		return 1;
	return verified || tcp_csum_ok(s) ? 0 : SEG_BAD_CSUM;
}

/* Locates pkt, parsed into ip, in s; 0 only for a mergeable TCP segment. */
static int seg_get(struct seg *s, const uint8_t *pkt, const struct fou_ip *ip, bool verified)
{
	int err = seg_locate(s, pkt, ip);

	return err ? err : seg_mergeable(s, verified);
}

static int gro_copy(struct fou_gro *g, const uint8_t *pkt, size_t len)
{
	if (len > g->cap)
		return -FOU_DROP_TOO_SHORT;
	memcpy(g->pkt, pkt, len);
	g->len = g->inbuf = len;
	return 0;
}

static void gro_init(struct fou_gro *g, uint8_t *out, size_t cap)
{
	memset(g, 0, sizeof(*g));
	g->pkt = out;
	g->cap = cap;
	g->nseg = 1;
}

int fou_gro_start_csum(struct fou_gro *g, uint8_t *out, size_t cap,
		       const uint8_t *pkt, size_t len, bool verified)
{
	struct fou_ip ip;
	int err = fou_ip_parse(pkt, len, &ip), c;

	if (!err)
		return fou_gro_start_ip(g, out, cap, pkt, &ip, verified);
	/* Malformed: keep the bytes as they came, the caller decides. */
	gro_init(g, out, cap);
	c = gro_copy(g, pkt, len);
	return c ? c : err;
}

int fou_gro_start_ip(struct fou_gro *g, uint8_t *out, size_t cap,
		     const uint8_t *pkt, const struct fou_ip *ip, bool verified)
{
	struct seg s;
	int r, err;

	gro_init(g, out, cap);
	r = seg_get(&s, pkt, ip, verified);
	err = gro_copy(g, pkt, s.len);
	if (err)
		return err;
	if (r == SEG_BAD_CSUM)
		return -FOU_DROP_INNER_CSUM;
	if (r)
		return r;
	g->flags = seg_flags(&s);
	/* Nothing may follow a PSH, so such a segment is written alone. */
	if (g->flags & TCP_PSH)
		return 1;
	g->family = s.family;
	g->l4off = s.l4off;
	g->hlen = s.hlen;
	g->mss = seg_payload(&s);
	g->next_seq = seg_seq(&s) + (uint32_t)g->mss;
	if (s.family == AF_INET)
		g->next_id = (uint16_t)(fou_get16(pkt + 4) + 1);
	g->open = true;
	return 0;
}

int fou_gro_start(struct fou_gro *g, uint8_t *out, size_t cap,
		  const uint8_t *pkt, size_t len)
{
	int r = fou_gro_start_csum(g, out, cap, pkt, len, false);

	return r == -FOU_DROP_INNER_CSUM ? 1 : r;
}

/*
 * IPv4: equal version/IHL, TOS, flags (DF) and fragment field, TTL,
 * protocol and addresses. The ID must increment unless DF is set (RFC
 * 6864: then it means nothing and the kernel's resegmentation rewrites it).
 */
static bool ip4_same(const struct fou_gro *g, const uint8_t *p)
{
	const uint8_t *h = g->pkt;

	if (p[0] != h[0] || p[1] != h[1] || memcmp(p + 6, h + 6, 4) != 0 ||
	    memcmp(p + 12, h + 12, 8) != 0)
		return false;
	return (fou_get16(p + 6) & FOU_IP_DF) || fou_get16(p + 4) == g->next_id;
}

/* IPv6: equal version, traffic class, flow label, next header, hop limit, addresses. */
static bool ip6_same(const struct fou_gro *g, const uint8_t *p)
{
	const uint8_t *h = g->pkt;

	return memcmp(p, h, 4) == 0 && memcmp(p + 6, h + 6, 34) == 0;
}

/*
 * TCP: equal ports, ACK number, data offset byte and options (timestamps
 * included), contiguous sequence number.
 */
static bool tcp_same(const struct fou_gro *g, const struct seg *s)
{
	const uint8_t *t = s->p + s->l4off, *h = g->pkt + g->l4off;

	if (s->hlen != g->hlen || seg_seq(s) != g->next_seq)
		return false;
	return memcmp(t, h, 4) == 0 && memcmp(t + 8, h + 8, 5) == 0 &&
	       memcmp(t + TCP_HLEN, h + TCP_HLEN, s->hlen - s->l4off - TCP_HLEN) == 0;
}

/*
 * The merged packet must fit the buffer (what is copied into it) and the
 * segment limit, and stay within 65535 bytes: the IPv4 total length, and
 * for IPv6 the kernel's own GRO limit (GRO_LEGACY_MAX_SIZE counts the whole
 * packet) and fou_ip_parse().
 */
static bool gro_fits(const struct fou_gro *g, size_t n)
{
	if (g->nseg >= FOU_GRO_MAX_SEGS)
		return false;
	return (g->ref || g->inbuf + n <= g->cap) && g->len + n <= IP_MAX_LEN;
}

/* A payload joins the packet: copied after it, or referenced. */
static void gro_add(struct fou_gro *g, const uint8_t *p, size_t n)
{
	if (g->ref) {
		g->ref[g->nref].iov_base = (void *)(uintptr_t)p;
		g->ref[g->nref++].iov_len = n;
	} else {
		memcpy(g->pkt + g->inbuf, p, n);
		g->inbuf += n;
	}
	g->len += n;
}

void fou_gro_refs(struct fou_gro *g, struct iovec *ref)
{
	g->ref = ref;
	g->nref = 0;
}

size_t fou_gro_inbuf(const struct fou_gro *g, unsigned int *nref)
{
	*nref = g->nref;
	return g->inbuf;
}

int fou_gro_append_csum(struct fou_gro *g, const uint8_t *pkt, size_t len, bool verified)
{
	struct fou_ip ip;

	if (!g->open || fou_ip_parse(pkt, len, &ip))
		return 0;
	return fou_gro_append_ip(g, pkt, &ip, verified);
}

int fou_gro_append_ip(struct fou_gro *g, const uint8_t *pkt, const struct fou_ip *ip, bool verified)
{
	struct seg s;
	size_t n;

	if (!g->open || seg_get(&s, pkt, ip, verified) != 0 || s.family != g->family)
		return 0;
	n = seg_payload(&s);
	if (n > g->mss || !gro_fits(g, n))
		return 0;
	if (g->family == AF_INET ? !ip4_same(g, pkt) : !ip6_same(g, pkt))
		return 0;
	if (!tcp_same(g, &s))
		return 0;
	gro_add(g, pkt + s.hlen, n);
	g->nseg++;
	g->next_seq += (uint32_t)n;
	g->next_id++;
	g->flags |= seg_flags(&s);
	/* As tcp_gro_receive(): a PSH or short segment flushes the flow. */
	if ((g->flags & TCP_PSH) || n < g->mss)
		g->open = false;
	return 1;
}

int fou_gro_append(struct fou_gro *g, const uint8_t *pkt, size_t len)
{
	return fou_gro_append_csum(g, pkt, len, false);
}

static void gro_fix_ip(struct fou_gro *g)
{
	uint8_t *h = g->pkt;

	if (g->family == AF_INET6) {
		fou_put16(h + 4, (uint16_t)(g->len - FOU_IPV6_HLEN));
		return;
	}
	fou_put16(h + 2, (uint16_t)g->len);
	fou_put16(h + 10, 0);
	fou_put16(h + 10, fou_csum_fold(fou_csum_add(0, h, g->l4off)));
}

/* CHECKSUM_PARTIAL as the kernel expects it: the folded pseudo-header sum, not inverted. */
static void gro_fix_tcp(struct fou_gro *g)
{
	uint8_t *t = g->pkt + g->l4off;
	size_t l4len = g->len - g->l4off;

	t[13] = (uint8_t)(t[13] | (g->flags & TCP_PSH));
	fou_put16(t + TCP_CSUM_OFF,
		  (uint16_t)~fou_csum_fold(tcp_pseudo(g->pkt, g->family, l4len)));
}

size_t fou_gro_finish(struct fou_gro *g, struct fou_vnet_hdr *vh)
{
	memset(vh, 0, sizeof(*vh));
	g->open = false;
	if (g->nseg < 2)
		return g->len;
	gro_fix_ip(g);
	gro_fix_tcp(g);
	vh->flags = FOU_VNET_F_NEEDS_CSUM;
	vh->gso_type = g->family == AF_INET ? FOU_VNET_GSO_TCPV4 : FOU_VNET_GSO_TCPV6;
	vh->hdr_len = (uint16_t)g->hlen;
	vh->gso_size = (uint16_t)g->mss;
	vh->csum_start = (uint16_t)g->l4off;
	vh->csum_offset = TCP_CSUM_OFF;
	return g->len;
}

uint8_t *fou_gro_ip(uint8_t *frame, size_t len, size_t l2len)
{
	if (!l2len)
		return frame;
	/* Only what the kernel would take for IP: never parse ARP or a tag as IP. */
	if (l2len != FOU_ETH_HLEN || !fou_l2_ip(frame, len))
		return NULL;
	return frame + l2len;
}

/*
 * A checksum left for offload holds the folded pseudo-header sum, not
 * inverted (CHECKSUM_PARTIAL). A valid checksum equal to it by chance is
 * rewritten to itself: the sum taken over the field gives the same value.
 */
int fou_gro_csum_complete(uint8_t *pkt, size_t len)
{
	struct fou_ip ip;

	return fou_ip_parse(pkt, len, &ip) ? 0 : fou_gro_csum_complete_ip(pkt, &ip);
}

int fou_gro_csum_complete_ip(uint8_t *pkt, const struct fou_ip *ip)
{
	size_t l4len, off;
	uint16_t partial;

	if (ip->frag & (FOU_IP_MF | FOU_IP_OFFMASK))
		return 0;
	if (ip->proto == FOU_PROTO_TCP)
		off = TCP_CSUM_OFF;
	else if (ip->proto == FOU_PROTO_UDP)
		off = UDP_CSUM_OFF;
	else
		return 0;
	l4len = ip->tot_len - ip->hlen;
	if (l4len < off + 2)
		return 0;
	partial = (uint16_t)~fou_csum_fold(fou_csum_pseudo(&ip->src, &ip->dst, ip->proto,
							   (uint32_t)l4len));
	if (fou_get16(pkt + ip->hlen + off) != partial)
		return 0;
	return fou_csum_complete(pkt, ip->tot_len, ip->hlen, off) ? 0 : 1;
}
