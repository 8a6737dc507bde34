// SPDX-License-Identifier: MIT
/* Software GRO of TCP segments into TUN super-packets, checked by re-segmenting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/fou.h"
#include "fou/gro.h"
#include "fou/l2.h"

#define MSS		1000
#define MAXSEG		80
#define SEGCAP		2048
#define OUTCAP		(128 * 1024)
#define TCP_FIN		0x01
#define TCP_SYN		0x02
#define TCP_RST		0x04
#define TCP_PSH		0x08
#define TCP_ACK		0x10
#define TCP_URG		0x20
#define TCP_ECE		0x40
#define TCP_CWR		0x80

/* What one test segment looks like; mk() turns it into bytes with valid checksums. */
struct spec {
	int family;
	uint8_t proto, flags, tos, ttl;
	uint16_t sport, dport, id, frag, win;
	uint32_t seq, ack, flow, tsval;
	uint8_t dst_last;	/* last byte of the destination address */
	bool ts;		/* 12 bytes of NOP NOP timestamp options */
	size_t ipopt;		/* IPv4 option bytes (NOPs), a multiple of 4 */
	size_t pay;
	size_t off;		/* stream offset: the payload pattern follows it */
};

static uint8_t segs[MAXSEG][SEGCAP];
static size_t seglen[MAXSEG];
static uint8_t out[OUTCAP], re[SEGCAP];

static struct spec base(int family)
{
	struct spec s = {
		.family = family, .proto = FOU_PROTO_TCP, .flags = TCP_ACK,
		.tos = 0x02, .ttl = 64, .sport = 40000, .dport = 5201,
		.id = 0x1000, .frag = FOU_IP_DF, .win = 502, .seq = 0x10000000,
		.ack = 0xabcdef01, .flow = 0x12345, .tsval = 777, .dst_last = 2,
		.ts = true, .pay = MSS,
	};
	return s;
}

static size_t mk_ip4(uint8_t *p, const struct spec *s, size_t l4len)
{
	size_t ihl = FOU_IPV4_HLEN + s->ipopt;

	memset(p, 0, ihl);
	p[0] = (uint8_t)(0x40 | ihl / 4);
	p[1] = s->tos;
	fou_put16(p + 2, (uint16_t)(ihl + l4len));
	fou_put16(p + 4, s->id);
	fou_put16(p + 6, s->frag);
	p[8] = s->ttl;
	p[9] = s->proto;
	memcpy(p + 12, "\x0a\x00\x00\x01\x0a\x00\x00", 7);
	p[19] = s->dst_last;
	memset(p + FOU_IPV4_HLEN, 1, s->ipopt);	/* NOPs */
	fou_put16(p + 10, fou_csum_fold(fou_csum_add(0, p, ihl)));
	return ihl;
}

static size_t mk_ip6(uint8_t *p, const struct spec *s, size_t l4len)
{
	memset(p, 0, FOU_IPV6_HLEN);
	fou_put32(p, 6u << 28 | (uint32_t)s->tos << 20 | s->flow);
	fou_put16(p + 4, (uint16_t)l4len);
	p[6] = s->proto;
	p[7] = s->ttl;
	p[8] = 0xfd;
	p[23] = 1;
	p[24] = 0xfd;
	p[39] = s->dst_last;
	return FOU_IPV6_HLEN;
}

static size_t mk_tcp(uint8_t *t, const struct spec *s)
{
	size_t thl = 20 + (s->ts ? 12 : 0);

	memset(t, 0, thl);
	fou_put16(t, s->sport);
	fou_put16(t + 2, s->dport);
	fou_put32(t + 4, s->seq);
	fou_put32(t + 8, s->ack);
	t[12] = (uint8_t)(thl / 4 << 4);
	t[13] = s->flags;
	fou_put16(t + 14, s->win);
	if (s->ts) {
		memcpy(t + 20, "\x01\x01\x08\x0a", 4);
		fou_put32(t + 24, s->tsval);
		fou_put32(t + 28, 4242);
	}
	return thl;
}

/* Builds s into p with valid IP and transport checksums; returns its length. */
static size_t mk(uint8_t *p, const struct spec *s)
{
	size_t l4hl = s->proto == FOU_PROTO_TCP ? 20 + (s->ts ? 12 : 0) : 8;
	size_t l4len = l4hl + s->pay, ihl, i;
	struct fou_ip ip;
	uint8_t *t;

	ihl = s->family == AF_INET ? mk_ip4(p, s, l4len) : mk_ip6(p, s, l4len);
	t = p + ihl;
	if (s->proto == FOU_PROTO_TCP) {
		mk_tcp(t, s);
	} else {
		memset(t, 0, 8);
		fou_put16(t + 4, (uint16_t)l4len);
	}
	for (i = 0; i < s->pay; i++)
		t[l4hl + i] = (uint8_t)((s->off + i) * 7 + (s->off + i) / 251);
	assert_int_equal(fou_ip_parse(p, ihl + l4len, &ip), 0);
	if (s->proto == FOU_PROTO_TCP || s->proto == FOU_PROTO_UDP) {
		uint32_t sum = fou_csum_pseudo(&ip.src, &ip.dst, s->proto, (uint32_t)l4len);
		size_t co = s->proto == FOU_PROTO_TCP ? 16 : 6;

		fou_put16(t + co, fou_csum_fold(fou_csum_add(sum, t, l4len)));
	}
	return ihl + l4len;
}

/* Segment i of a train: contiguous sequence numbers, incrementing IPv4 IDs. */
static struct spec train_spec(const struct spec *s0, unsigned int i, size_t pay)
{
	struct spec s = *s0;

	s.seq = s0->seq + (uint32_t)(i * s0->pay);
	s.off = i * s0->pay;
	s.id = (uint16_t)(s0->id + i);
	s.pay = pay;
	return s;
}

/* n segments of s0->pay bytes, the last one lastpay bytes, into segs[]. */
static void mk_train(const struct spec *s0, unsigned int n, size_t lastpay)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct spec s = train_spec(s0, i, i == n - 1 ? lastpay : s0->pay);

		seglen[i] = mk(segs[i], &s);
	}
}

/* An independent RFC 1071 sum: 32-bit words of the buffer, folded at the end. */
static uint16_t ref_fold(const uint8_t *p, size_t n, uint64_t sum)
{
	size_t i;

	for (i = 0; i < n; i++)
		sum += i % 2 ? p[i] : (uint64_t)p[i] << 8;
	while (sum > 0xffff)
		sum = (sum >> 16) + (sum & 0xffff);
	return (uint16_t)sum;
}

/* Independent pseudo-header sum (not inverted) from the raw header bytes. */
static uint16_t ref_pseudo(const uint8_t *p, size_t l4len)
{
	bool v6 = p[0] >> 4 == 6;
	uint8_t ph[40] = { 0 };
	size_t alen = v6 ? 16 : 4;

	memcpy(ph, p + (v6 ? 8 : 12), 2 * alen);
	ph[2 * alen + 1] = v6 ? p[6] : p[9];
	ph[2 * alen + 2] = (uint8_t)(l4len >> 8);
	ph[2 * alen + 3] = (uint8_t)l4len;
	return ref_fold(ph, 2 * alen + 4, 0);
}

/* Merges segs[0..n) and checks every refusal-free step. */
static size_t merge(struct fou_gro *g, unsigned int n, size_t cap, struct fou_vnet_hdr *vh)
{
	unsigned int i;

	assert_int_equal(fou_gro_start(g, out, cap, segs[0], seglen[0]), 0);
	for (i = 1; i < n; i++)
		assert_int_equal(fou_gro_append(g, segs[i], seglen[i]), 1);
	return fou_gro_finish(g, vh);
}

static void check_vnet(const struct fou_vnet_hdr *vh, const struct spec *s0, size_t ihl)
{
	size_t thl = 20 + (s0->ts ? 12 : 0);

	assert_int_equal(vh->flags, FOU_VNET_F_NEEDS_CSUM);
	assert_int_equal(vh->gso_type, s0->family == AF_INET ? FOU_VNET_GSO_TCPV4 :
							       FOU_VNET_GSO_TCPV6);
	assert_int_equal(vh->gso_size, s0->pay);
	assert_int_equal(vh->hdr_len, ihl + thl);
	assert_int_equal(vh->csum_start, ihl);
	assert_int_equal(vh->csum_offset, 16);
}

/* The merged packet: lengths, IPv4 header checksum, partial TCP checksum, PSH. */
static void check_merged(size_t len, const struct spec *s0, unsigned int n, size_t lastpay,
			 bool psh)
{
	size_t ihl = s0->family == AF_INET ? 20 : 40, thl = 20 + (s0->ts ? 12 : 0);
	size_t l4len = thl + (n - 1) * s0->pay + lastpay;
	uint8_t *t = out + ihl;
	struct fou_ip ip;

	assert_int_equal(len, ihl + l4len);
	assert_int_equal(fou_ip_parse(out, len, &ip), 0);	/* v4 header csum too */
	assert_int_equal(ip.tot_len, len);
	if (s0->family == AF_INET)
		assert_int_equal(ref_fold(out, ihl, 0), 0xffff);
	assert_int_equal(fou_get16(t + 16), ref_pseudo(out, l4len));
	assert_int_equal(fou_get16(t + 16), (uint16_t)~fou_csum_fold(
		fou_csum_pseudo(&ip.src, &ip.dst, FOU_PROTO_TCP, (uint32_t)l4len)));
	assert_int_equal(t[13], TCP_ACK | (psh ? TCP_PSH : 0));
	assert_int_equal(fou_get32(t + 4), s0->seq);
	/* Headers but for the lengths and checksums are the first segment's. */
	assert_memory_equal(out + ihl, segs[0] + ihl, 13);
	assert_memory_equal(out + ihl + 14, segs[0] + ihl + 14, 2);
	assert_memory_equal(out + ihl + 20, segs[0] + ihl + 20, thl - 20);
}

/* TUN hands the packet over as written; its software TSO must give back segs[]. */
static void check_resegment(size_t len, const struct fou_vnet_hdr *vh, unsigned int n)
{
	uint8_t raw[FOU_VNET_HLEN];
	struct fou_vnet_hdr th;
	struct fou_gso gs;
	unsigned int i = 0;
	size_t sl;
	int r;

	fou_vnet_put(raw, vh);
	assert_int_equal(fou_vnet_parse(raw, sizeof(raw), &th), 0);
	assert_int_equal(fou_gso_init(&gs, &th, out, len), 0);
	while ((r = fou_gso_next(&gs, re, sizeof(re), &sl)) == 1) {
		assert_true(i < n);
		assert_int_equal(sl, seglen[i]);
		assert_memory_equal(re, segs[i], sl);
		i++;
	}
	assert_int_equal(r, 0);
	assert_int_equal(i, n);
}

/* Completing the partial checksum as the kernel would gives a valid TCP checksum. */
static void check_complete(size_t len, const struct fou_vnet_hdr *vh)
{
	static uint8_t full[OUTCAP];
	size_t ihl = vh->csum_start;

	memcpy(full, out, len);
	assert_int_equal(fou_csum_complete(full, len, vh->csum_start, vh->csum_offset), 0);
	assert_int_equal(ref_fold(full + ihl, len - ihl, ref_pseudo(full, len - ihl)), 0xffff);
}

struct train {
	int family;
	unsigned int n;
	size_t pay, lastpay;
	bool ts, psh_last;
	uint32_t seq;
	uint16_t frag;
};

static const struct train trains[] = {
	{ AF_INET, 2, MSS, MSS, true, false, 0x10000000, FOU_IP_DF },
	{ AF_INET, 10, MSS, MSS, true, true, 0x10000000, FOU_IP_DF },
	{ AF_INET, 7, MSS, 1, false, false, 0x10000000, 0 },
	{ AF_INET, 5, 1448, 700, true, true, 0xfffff000, FOU_IP_DF },	/* seq wraps */
	{ AF_INET, 64, 100, 100, true, false, 1, FOU_IP_DF },
	{ AF_INET, 44, 1460, 1460, false, false, 5, FOU_IP_DF },	/* 40 + 44 * 1460 = 64280 */
	{ AF_INET6, 2, MSS, MSS, true, false, 0x10000000, 0 },
	{ AF_INET6, 9, 1440, 3, true, true, 0x10000000, 0 },
	{ AF_INET6, 64, 1000, 1000, true, false, 0xffffffff, 0 },
};

static void run_train(const struct train *tr)
{
	struct spec s0 = base(tr->family);
	struct fou_vnet_hdr vh;
	struct fou_gro g;
	size_t len;
	struct spec last;

	s0.pay = tr->pay;
	s0.ts = tr->ts;
	s0.seq = tr->seq;
	s0.frag = tr->frag;
	mk_train(&s0, tr->n, tr->lastpay);
	if (tr->psh_last) {
		last = train_spec(&s0, tr->n - 1, tr->lastpay);
		last.flags |= TCP_PSH;
		seglen[tr->n - 1] = mk(segs[tr->n - 1], &last);
	}
	len = merge(&g, tr->n, sizeof(out), &vh);
	check_vnet(&vh, &s0, tr->family == AF_INET ? 20 : 40);
	check_merged(len, &s0, tr->n, tr->lastpay, tr->psh_last);
	check_complete(len, &vh);
	check_resegment(len, &vh, tr->n);
}

/*
 * fou_gro_refs(): the same train merged with its later payloads referenced,
 * in a buffer that holds only the first segment, gives the same bytes when
 * the pieces are joined in order, and the same virtio header.
 */
static void run_train_refs(const struct train *tr)
{
	static uint8_t small[SEGCAP], joined[OUTCAP];
	struct iovec ref[FOU_GRO_MAX_SEGS - 1];
	struct fou_vnet_hdr vh, vr;
	struct fou_gro g, r;
	unsigned int i, nref;
	size_t len, inbuf, at;

	run_train(tr);	/* segs[] and out: the train merged by copy */
	len = merge(&g, tr->n, sizeof(out), &vh);
	assert_int_equal(fou_gro_start(&r, small, seglen[0], segs[0], seglen[0]), 0);
	fou_gro_refs(&r, ref);
	for (i = 1; i < tr->n; i++)
		assert_int_equal(fou_gro_append(&r, segs[i], seglen[i]), 1);
	assert_int_equal(fou_gro_finish(&r, &vr), len);
	assert_memory_equal(&vr, &vh, sizeof(vh));
	inbuf = fou_gro_inbuf(&r, &nref);
	assert_int_equal(inbuf, seglen[0]);
	assert_int_equal(nref, tr->n - 1);
	memcpy(joined, small, inbuf);
	for (at = inbuf, i = 0; i < nref; at += ref[i].iov_len, i++) {
		assert_ptr_equal(ref[i].iov_base, segs[i + 1] + seglen[i + 1] - ref[i].iov_len);
		memcpy(joined + at, ref[i].iov_base, ref[i].iov_len);
	}
	assert_int_equal(at, len);
	assert_memory_equal(joined, out, len);
}

static void test_trains_by_reference(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(trains) / sizeof(trains[0]); i++)
		run_train_refs(&trains[i]);
}

static void test_trains(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(trains) / sizeof(trains[0]); i++)
		run_train(&trains[i]);
}

/*
 * One vector by hand, independent of every checksum routine: 10.0.0.1 ->
 * 10.0.0.2, two 4-byte segments, no options, so 28 TCP bytes. Pseudo-header
 * 0a00+0001+0a00+0002+0006+001c = 0x1425, written as is.
 */
static void test_hand_vector(void **state)
{
	struct spec s0 = base(AF_INET);
	struct fou_vnet_hdr vh;
	struct fou_gro g;
	size_t len;

	(void)state;
	s0.ts = false;
	s0.pay = 4;
	mk_train(&s0, 2, 4);
	/* The builder's checksums hold under the independent sum. */
	assert_int_equal(ref_fold(segs[0], 20, 0), 0xffff);
	assert_int_equal(ref_fold(segs[0] + 20, 24, ref_pseudo(segs[0], 24)), 0xffff);
	len = merge(&g, 2, sizeof(out), &vh);
	assert_int_equal(len, 48);
	assert_int_equal(fou_get16(out + 2), 48);
	assert_int_equal(fou_get16(out + 20 + 16), 0x1425);
	assert_int_equal(ref_fold(out, 20, 0), 0xffff);
	assert_int_equal(vh.gso_size, 4);
	assert_int_equal(vh.hdr_len, 40);
	check_resegment(len, &vh, 2);
}

/* A lone segment: start 0, finish leaves it untouched with a zero header. */
static void test_single(void **state)
{
	static const struct fou_vnet_hdr zero;
	struct fou_vnet_hdr vh;
	struct spec s = base(AF_INET);
	struct fou_gro g;
	size_t n;
	int fam;

	(void)state;
	for (fam = 0; fam < 2; fam++) {
		s = base(fam ? AF_INET6 : AF_INET);
		n = mk(segs[0], &s);
		assert_int_equal(fou_gro_start(&g, out, sizeof(out), segs[0], n), 0);
		memset(&vh, 0xff, sizeof(vh));
		assert_int_equal(fou_gro_finish(&g, &vh), n);
		assert_memory_equal(&vh, &zero, sizeof(vh));
		assert_memory_equal(out, segs[0], n);
	}
}

/* Packets start returns 1 for: copied whole, finished untouched, nothing joins them. */
static void expect_alone(const struct spec *s)
{
	static const struct fou_vnet_hdr zero;
	struct spec nx = base(s->family);
	struct fou_vnet_hdr vh;
	struct fou_gro g;
	size_t n = mk(segs[0], s);

	nx.seq = s->seq + (uint32_t)s->pay;
	nx.id = (uint16_t)(s->id + 1);
	seglen[1] = mk(segs[1], &nx);
	assert_int_equal(fou_gro_start(&g, out, sizeof(out), segs[0], n), 1);
	assert_int_equal(fou_gro_append(&g, segs[1], seglen[1]), 0);
	assert_int_equal(fou_gro_finish(&g, &vh), n);
	assert_memory_equal(&vh, &zero, sizeof(vh));
	assert_memory_equal(out, segs[0], n);
}

static void a_udp(struct spec *s) { s->proto = FOU_PROTO_UDP; }
static void a_icmp(struct spec *s) { s->proto = FOU_PROTO_ICMP; s->frag = 0; }
static void a_psh(struct spec *s) { s->flags = TCP_ACK | TCP_PSH; }
static void a_syn(struct spec *s) { s->flags = TCP_SYN; s->pay = 0; }
static void a_synack(struct spec *s) { s->flags = TCP_SYN | TCP_ACK; }
static void a_fin(struct spec *s) { s->flags = TCP_ACK | TCP_FIN; }
static void a_rst(struct spec *s) { s->flags = TCP_RST | TCP_ACK; }
static void a_urg(struct spec *s) { s->flags = TCP_ACK | TCP_URG; }
static void a_ece(struct spec *s) { s->flags = TCP_ACK | TCP_ECE; }
static void a_cwr(struct spec *s) { s->flags = TCP_ACK | TCP_CWR; }
static void a_noack(struct spec *s) { s->flags = 0; }
static void a_pure_ack(struct spec *s) { s->pay = 0; }
static void a_ipopt(struct spec *s) { s->ipopt = 4; }
static void a_mf(struct spec *s) { s->frag = FOU_IP_MF; }
static void a_fragoff(struct spec *s) { s->frag = 100; }

static void (*const alone[])(struct spec *) = {
	a_udp, a_icmp, a_psh, a_syn, a_synack, a_fin, a_rst, a_urg, a_ece, a_cwr,
	a_noack, a_pure_ack, a_ipopt, a_mf, a_fragoff,
};

static void test_alone(void **state)
{
	size_t i;
	int fam;

	(void)state;
	for (fam = 0; fam < 2; fam++)
		for (i = 0; i < sizeof(alone) / sizeof(alone[0]); i++) {
			struct spec s = base(fam ? AF_INET6 : AF_INET);

			if (fam && (alone[i] == a_ipopt || alone[i] == a_mf ||
				    alone[i] == a_fragoff))
				continue;
			alone[i](&s);
			expect_alone(&s);
		}
}

/* A bad TCP checksum on the first segment: written alone, the kernel drops it. */
static void test_start_bad_csum(void **state)
{
	struct spec s = base(AF_INET6);
	struct fou_gro g;
	size_t n = mk(segs[0], &s);

	(void)state;
	segs[0][n - 1] ^= 0x40;
	assert_int_equal(fou_gro_start(&g, out, sizeof(out), segs[0], n), 1);
	assert_memory_equal(out, segs[0], n);
	/* A bad IPv4 header checksum is malformed IP: negative, bytes copied anyway. */
	s = base(AF_INET);
	n = mk(segs[0], &s);
	segs[0][8] ^= 1;
	assert_int_equal(fou_gro_start(&g, out, sizeof(out), segs[0], n), -FOU_DROP_BAD_CSUM);
	assert_memory_equal(out, segs[0], n);
}

/*
 * Verify once: the caller vouches (a verified outer UDP checksum), so bad
 * TCP checksums are not looked at; unvouched, the same segment is a drop.
 */
static void test_csum_verified(void **state)
{
	struct spec s = base(AF_INET), nx;
	struct fou_vnet_hdr vh;
	struct fou_gro g;
	size_t n = mk(segs[0], &s);

	(void)state;
	nx = s;
	nx.seq = s.seq + (uint32_t)s.pay;
	nx.id = (uint16_t)(s.id + 1);
	seglen[1] = mk(segs[1], &nx);
	segs[0][n - 1] ^= 0x40;
	segs[1][seglen[1] - 1] ^= 0x40;
	assert_int_equal(fou_gro_start_csum(&g, out, sizeof(out), segs[0], n, false),
			 -FOU_DROP_INNER_CSUM);
	assert_memory_equal(out, segs[0], n);
	assert_int_equal(fou_gro_start_csum(&g, out, sizeof(out), segs[0], n, true), 0);
	assert_int_equal(fou_gro_append_csum(&g, segs[1], seglen[1], false), 0);
	assert_int_equal(fou_gro_append_csum(&g, segs[1], seglen[1], true), 1);
	assert_int_equal(fou_gro_finish(&g, &vh), n + s.pay);
	assert_int_equal(vh.gso_type, FOU_VNET_GSO_TCPV4);
}

/* ---- refusals: the second segment of a train is changed ---------------- */

struct neg {
	const char *name;
	void (*mod)(struct spec *s);		/* before the checksums */
	void (*corrupt)(uint8_t *p, size_t len);	/* after them */
	int only;		/* 4 or 6: one family only; 0: both */
};

static void n_sport(struct spec *s) { s->sport++; }
static void n_dport(struct spec *s) { s->dport--; }
static void n_dst(struct spec *s) { s->dst_last = 3; }
static void n_ack(struct spec *s) { s->ack++; }
static void n_gap(struct spec *s) { s->seq++; }
static void n_overlap(struct spec *s) { s->seq--; }
static void n_dup(struct spec *s) { s->seq -= MSS; }
static void n_syn(struct spec *s) { s->flags |= TCP_SYN; }
static void n_fin(struct spec *s) { s->flags |= TCP_FIN; }
static void n_rst(struct spec *s) { s->flags |= TCP_RST; }
static void n_urg(struct spec *s) { s->flags |= TCP_URG; }
static void n_ece(struct spec *s) { s->flags |= TCP_ECE; }
static void n_cwr(struct spec *s) { s->flags |= TCP_CWR; }
static void n_noack(struct spec *s) { s->flags = 0; }
static void n_tsval(struct spec *s) { s->tsval++; }
static void n_no_opts(struct spec *s) { s->ts = false; }
static void n_ttl(struct spec *s) { s->ttl--; }
static void n_tos(struct spec *s) { s->tos = 0x03; }
static void n_df(struct spec *s) { s->frag = 0; }
static void n_flow(struct spec *s) { s->flow ^= 1; }
static void n_ipopt(struct spec *s) { s->ipopt = 4; }
static void n_mf(struct spec *s) { s->frag |= FOU_IP_MF; }
static void n_big(struct spec *s) { s->pay = MSS + 1; }
static void n_empty(struct spec *s) { s->pay = 0; }
static void n_udp(struct spec *s) { s->proto = FOU_PROTO_UDP; }
static void c_tcp_csum(uint8_t *p, size_t len) { p[len - 7] ^= 0x01; }
static void c_ip_csum(uint8_t *p, size_t len) { (void)len; p[11] ^= 0x01; }
static void c_trunc(uint8_t *p, size_t len) { (void)len; fou_put16(p + 2, 30); }

static const struct neg negs[] = {
	{ "different sport", n_sport, NULL, 0 },
	{ "different dport", n_dport, NULL, 0 },
	{ "different address", n_dst, NULL, 0 },
	{ "different ACK", n_ack, NULL, 0 },
	{ "seq gap", n_gap, NULL, 0 },
	{ "seq overlap", n_overlap, NULL, 0 },
	{ "retransmission", n_dup, NULL, 0 },
	{ "SYN", n_syn, NULL, 0 },
	{ "FIN", n_fin, NULL, 0 },
	{ "RST", n_rst, NULL, 0 },
	{ "URG", n_urg, NULL, 0 },
	{ "ECE", n_ece, NULL, 0 },
	{ "CWR", n_cwr, NULL, 0 },
	{ "no ACK", n_noack, NULL, 0 },
	{ "different timestamp", n_tsval, NULL, 0 },
	{ "no options", n_no_opts, NULL, 0 },
	{ "different TTL", n_ttl, NULL, 0 },
	{ "different TOS", n_tos, NULL, 0 },
	{ "different flow label", n_flow, NULL, 6 },
	{ "different DF", n_df, NULL, 4 },
	{ "IPv4 options", n_ipopt, NULL, 4 },
	{ "fragment", n_mf, NULL, 4 },
	{ "larger than gso_size", n_big, NULL, 0 },
	{ "no payload", n_empty, NULL, 0 },
	{ "UDP", n_udp, NULL, 0 },
	{ "bad TCP checksum", NULL, c_tcp_csum, 0 },
	{ "bad IPv4 header checksum", NULL, c_ip_csum, 4 },
	{ "IPv4 total length cuts TCP", NULL, c_trunc, 4 },
};

static void expect_refused(const struct neg *ng, int family)
{
	struct spec s0 = base(family), s1;
	struct fou_vnet_hdr vh;
	struct fou_gro g, before;
	size_t n0, n1;

	n0 = mk(segs[0], &s0);
	s1 = train_spec(&s0, 1, MSS);
	if (ng->mod)
		ng->mod(&s1);
	n1 = mk(segs[1], &s1);
	if (ng->corrupt)
		ng->corrupt(segs[1], n1);
	assert_int_equal(fou_gro_start(&g, out, sizeof(out), segs[0], n0), 0);
	before = g;
	if (fou_gro_append(&g, segs[1], n1) != 0)
		fail_msg("appended: %s (family %d)", ng->name, family);
	assert_memory_equal(&g, &before, sizeof(g));
	assert_int_equal(fou_gro_finish(&g, &vh), n0);
	assert_memory_equal(out, segs[0], n0);
}

static void test_refused(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(negs) / sizeof(negs[0]); i++) {
		if (negs[i].only != 6)
			expect_refused(&negs[i], AF_INET);
		if (negs[i].only != 4)
			expect_refused(&negs[i], AF_INET6);
	}
}

/* An IPv6 segment never joins an IPv4 flow and the other way round. */
static void test_family_mix(void **state)
{
	struct spec s4 = base(AF_INET), s6 = base(AF_INET6);
	struct fou_gro g;
	size_t n4, n6;

	(void)state;
	s6.seq = s4.seq + MSS;
	n4 = mk(segs[0], &s4);
	n6 = mk(segs[1], &s6);
	assert_int_equal(fou_gro_start(&g, out, sizeof(out), segs[0], n4), 0);
	assert_int_equal(fou_gro_append(&g, segs[1], n6), 0);
	assert_int_equal(fou_gro_start(&g, out, sizeof(out), segs[1], n6), 0);
	s4.seq = s6.seq + MSS;
	n4 = mk(segs[0], &s4);
	assert_int_equal(fou_gro_append(&g, segs[0], n4), 0);
}

/* IPv4 IDs: incrementing always joins; any ID joins under DF; a jump without DF does not. */
static void test_ipid(void **state)
{
	struct spec s0 = base(AF_INET), s1;
	struct fou_gro g;
	size_t n0, n1;

	(void)state;
	s0.frag = 0;
	n0 = mk(segs[0], &s0);
	s1 = train_spec(&s0, 1, MSS);
	s1.id = 7;
	n1 = mk(segs[1], &s1);
	assert_int_equal(fou_gro_start(&g, out, sizeof(out), segs[0], n0), 0);
	assert_int_equal(fou_gro_append(&g, segs[1], n1), 0);
	s0.frag = s1.frag = FOU_IP_DF;
	n0 = mk(segs[0], &s0);
	n1 = mk(segs[1], &s1);
	assert_int_equal(fou_gro_start(&g, out, sizeof(out), segs[0], n0), 0);
	assert_int_equal(fou_gro_append(&g, segs[1], n1), 1);
}

/* A PSH or a short segment joins, then ends the super-packet. */
static void test_ended(void **state)
{
	struct spec s0 = base(AF_INET), s;
	struct fou_gro g;
	int k;

	(void)state;
	for (k = 0; k < 2; k++) {
		mk_train(&s0, 3, MSS);
		s = train_spec(&s0, 1, k ? MSS - 1 : MSS);
		if (!k)
			s.flags |= TCP_PSH;
		seglen[1] = mk(segs[1], &s);
		s = train_spec(&s0, 2, MSS);
		s.seq = s0.seq + MSS + (uint32_t)(k ? MSS - 1 : MSS);
		seglen[2] = mk(segs[2], &s);
		assert_int_equal(fou_gro_start(&g, out, sizeof(out), segs[0], seglen[0]), 0);
		assert_int_equal(fou_gro_append(&g, segs[1], seglen[1]), 1);
		assert_int_equal(fou_gro_append(&g, segs[2], seglen[2]), 0);
	}
}

/* The caller's buffer bounds a super-packet; a first packet over cap is not copied. */
static void test_cap(void **state)
{
	struct spec s0 = base(AF_INET);
	struct fou_vnet_hdr vh;
	struct fou_gro g;

	(void)state;
	mk_train(&s0, 3, MSS);
	assert_int_equal(fou_gro_start(&g, out, seglen[0] + MSS, segs[0], seglen[0]), 0);
	assert_int_equal(fou_gro_append(&g, segs[1], seglen[1]), 1);
	assert_int_equal(fou_gro_append(&g, segs[2], seglen[2]), 0);
	assert_int_equal(fou_gro_start(&g, out, seglen[0] - 1, segs[0], seglen[0]),
			 -FOU_DROP_TOO_SHORT);
	assert_int_equal(fou_gro_append(&g, segs[1], seglen[1]), 0);
	assert_int_equal(fou_gro_finish(&g, &vh), 0);
}

/* Appends segs[1..) until refused; returns how many segments joined. */
static unsigned int fill(struct fou_gro *g, unsigned int n)
{
	unsigned int i;

	assert_int_equal(fou_gro_start(g, out, sizeof(out), segs[0], seglen[0]), 0);
	for (i = 1; i < n; i++)
		if (!fou_gro_append(g, segs[i], seglen[i]))
			break;
	return i;
}

/* At most 64 segments, however small. */
static void test_max_segs(void **state)
{
	struct fou_vnet_hdr vh;
	struct fou_gro g;
	int fam;

	(void)state;
	for (fam = 0; fam < 2; fam++) {
		struct spec s0 = base(fam ? AF_INET6 : AF_INET);

		s0.pay = 10;
		mk_train(&s0, 70, 10);
		assert_int_equal(fill(&g, 70), FOU_GRO_MAX_SEGS);
		check_resegment(fou_gro_finish(&g, &vh), &vh, FOU_GRO_MAX_SEGS);
	}
}

/* The whole IP packet stays <= 65535 bytes, as the kernel's GRO keeps it. */
static void test_max_len(void **state)
{
	struct fou_vnet_hdr vh;
	struct fou_gro g;
	unsigned int n;
	size_t len;
	int fam;

	(void)state;
	for (fam = 0; fam < 2; fam++) {
		struct spec s0 = base(fam ? AF_INET6 : AF_INET);

		s0.pay = 1488;
		mk_train(&s0, 50, 1488);
		n = fill(&g, 50);
		len = fou_gro_finish(&g, &vh);
		assert_int_equal(len, seglen[0] + (n - 1) * 1488);
		assert_true(len <= 0xffff);
		assert_true(len + 1488 > 0xffff);
		check_resegment(len, &vh, n);
	}
}

/* Every truncation and every claimed length: no crash, never a mergeable start. */
static void test_truncated(void **state)
{
	struct fou_vnet_hdr vh;
	struct fou_gro g, g2;
	size_t n, i;
	int fam, r;

	(void)state;
	for (fam = 0; fam < 2; fam++) {
		struct spec s = base(fam ? AF_INET6 : AF_INET);

		s.pay = 40;
		mk_train(&s, 2, 40);
		n = seglen[0];
		assert_int_equal(fou_gro_start(&g2, out + 4096, 4096, segs[0], n), 0);
		for (i = 0; i < n; i++) {
			r = fou_gro_start(&g, out, sizeof(out), segs[0], i);
			assert_true(r < 0 || r == 1);
			assert_true(fou_gro_finish(&g, &vh) <= i);
			assert_int_equal(fou_gro_append(&g2, segs[1], i), 0);
		}
	}
}

/* The stated length shrinks below the TCP header: written alone, never merged. */
static void test_short_claims(void **state)
{
	struct spec s = base(AF_INET);
	struct fou_gro g;
	size_t n, i;
	int r;

	(void)state;
	n = mk(segs[0], &s);
	for (i = 20; i < n; i++) {
		memcpy(segs[1], segs[0], n);
		fou_put16(segs[1] + 2, (uint16_t)i);
		fou_put16(segs[1] + 10, 0);
		fou_put16(segs[1] + 10, fou_csum_fold(fou_csum_add(0, segs[1], 20)));
		r = fou_gro_start(&g, out, sizeof(out), segs[1], n);
		assert_int_equal(r, 1);		/* TCP checksum no longer holds */
	}
	/* A data offset past the end or under 5 words. */
	for (i = 0; i < 16; i++) {
		memcpy(segs[1], segs[0], n);
		segs[1][32] = (uint8_t)(i << 4);
		r = fou_gro_start(&g, out, sizeof(out), segs[1], n);
		assert_int_equal(r, i == 8 ? 0 : 1);
	}
}

/*
 * What a local sender leaves for offload (CHECKSUM_PARTIAL): the L4
 * checksum field of the packet built by mk() replaced by the folded
 * pseudo-header sum. Returns the field's offset.
 */
static size_t make_partial(uint8_t *p, size_t len)
{
	size_t ihl = p[0] >> 4 == 6 ? 40 : (size_t)(p[0] & 15) * 4;
	uint8_t proto = p[0] >> 4 == 6 ? p[6] : p[9];
	size_t co = ihl + (proto == FOU_PROTO_TCP ? 16 : 6);

	fou_put16(p + co, ref_pseudo(p, len - ihl));
	return co;
}

/* A partial checksum is completed to exactly what a full sender writes. */
static void check_completed(const struct spec *s)
{
	uint8_t pkt[SEGCAP], want[SEGCAP];
	size_t len = mk(want, s), co;

	memcpy(pkt, want, len);
	co = make_partial(pkt, len);
	assert_int_not_equal(fou_get16(pkt + co), fou_get16(want + co));
	assert_int_equal(fou_gro_csum_complete(pkt, len), 1);
	assert_memory_equal(pkt, want, len);
	/* A complete checksum is left alone. */
	assert_int_equal(fou_gro_csum_complete(pkt, len), 0);
	assert_memory_equal(pkt, want, len);
}

static void test_csum_partial(void **state)
{
	static const int fam[] = { AF_INET, AF_INET6 };
	unsigned int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		struct spec s = base(fam[i]);

		check_completed(&s);
		s.flags = TCP_SYN;	/* the connect that failed */
		s.pay = 0;
		check_completed(&s);
		s = base(fam[i]);
		s.proto = FOU_PROTO_UDP;
		s.pay = 1200;
		check_completed(&s);
		s.pay = 1;
		check_completed(&s);
	}
}

/* Partial segments become mergeable, and a train of them coalesces. */
static void test_csum_partial_train(void **state)
{
	struct spec s0 = base(AF_INET);
	struct fou_vnet_hdr vh;
	unsigned int i;
	size_t len;

	(void)state;
	mk_train(&s0, 4, MSS);
	for (i = 0; i < 4; i++) {
		make_partial(segs[i], seglen[i]);
		assert_int_equal(fou_gro_start(&(struct fou_gro){ 0 }, out, OUTCAP, segs[i], seglen[i]), 1);
		assert_int_equal(fou_gro_csum_complete(segs[i], seglen[i]), 1);
	}
	len = merge(&(struct fou_gro){ 0 }, 4, OUTCAP, &vh);
	check_merged(len, &s0, 4, MSS, false);
}

/*
 * Anything else is not touched: a bad checksum that is not the partial
 * form (corruption stays detected), a fragment, another protocol.
 */
static void test_csum_partial_not(void **state)
{
	struct spec s = base(AF_INET);
	uint8_t pkt[SEGCAP], want[SEGCAP];
	size_t len, co;

	(void)state;
	len = mk(pkt, &s);
	co = make_partial(pkt, len);
	fou_put16(pkt + co, (uint16_t)(fou_get16(pkt + co) + 1));
	memcpy(want, pkt, len);
	assert_int_equal(fou_gro_csum_complete(pkt, len), 0);
	assert_memory_equal(pkt, want, len);

	s.frag = FOU_IP_MF;
	len = mk(pkt, &s);
	make_partial(pkt, len);
	memcpy(want, pkt, len);
	assert_int_equal(fou_gro_csum_complete(pkt, len), 0);
	assert_memory_equal(pkt, want, len);

	s = base(AF_INET6);
	s.proto = 17 + 1;	/* neither TCP nor UDP, its bytes where UDP's checksum would be */
	len = mk(pkt, &s);
	fou_put16(pkt + 40 + 6, ref_pseudo(pkt, len - 40));
	memcpy(want, pkt, len);
	assert_int_equal(fou_gro_csum_complete(pkt, len), 0);
	assert_memory_equal(pkt, want, len);
}

/* An Ethernet frame of EtherType type around the IP packet of s. */
static size_t mk_frame(uint8_t *f, uint16_t type, const struct spec *s)
{
	memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	fou_put16(f + 12, type);
	return FOU_ETH_HLEN + mk(f + FOU_ETH_HLEN, s);
}

/*
 * On a TAP only IPv4/IPv6 frames are GRO's: an ARP or 0x88B5 frame whose
 * payload reads as a (partial) TCP segment is written as it came, neither
 * completed nor merged with the real segment after it.
 */
static void test_frame_ethertype(void **state)
{
	static const uint16_t other[] = { 0x0806, 0x88B5, FOU_ETH_P_8021Q, FOU_ETH_P_IPV6 };
	struct spec s0 = base(AF_INET), s1;
	uint8_t f0[SEGCAP], f1[SEGCAP], want[SEGCAP];
	struct fou_gro g;
	unsigned int i;
	size_t n0, n1;
	uint8_t *ip;

	(void)state;
	s1 = train_spec(&s0, 1, MSS);
	for (i = 0; i < 4; i++) {
		n0 = mk_frame(f0, other[i], &s0);
		make_partial(f0 + FOU_ETH_HLEN, n0 - FOU_ETH_HLEN);
		memcpy(want, f0, n0);
		assert_null(fou_gro_ip(f0, n0, FOU_ETH_HLEN));
		assert_memory_equal(f0, want, n0);
	}
	/* The same bytes as IPv4: completed, and the next segment joins. */
	n0 = mk_frame(f0, FOU_ETH_P_IP, &s0);
	n1 = mk_frame(f1, FOU_ETH_P_IP, &s1);
	make_partial(f0 + FOU_ETH_HLEN, n0 - FOU_ETH_HLEN);
	ip = fou_gro_ip(f0, n0, FOU_ETH_HLEN);
	assert_ptr_equal(ip, f0 + FOU_ETH_HLEN);
	assert_int_equal(fou_gro_csum_complete(ip, n0 - FOU_ETH_HLEN), 1);
	assert_int_equal(fou_gro_start(&g, out, OUTCAP, ip, n0 - FOU_ETH_HLEN), 0);
	ip = fou_gro_ip(f1, n1, FOU_ETH_HLEN);
	assert_ptr_equal(ip, f1 + FOU_ETH_HLEN);
	assert_int_equal(fou_gro_append(&g, ip, n1 - FOU_ETH_HLEN), 1);
	/* No Ethernet header: the packet itself; a cut header: nothing. */
	assert_ptr_equal(fou_gro_ip(f0, n0, 0), f0);
	assert_null(fou_gro_ip(f0, FOU_ETH_HLEN + 10, FOU_ETH_HLEN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trains),
		cmocka_unit_test(test_trains_by_reference),
		cmocka_unit_test(test_hand_vector),
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_alone),
		cmocka_unit_test(test_start_bad_csum),
		cmocka_unit_test(test_csum_verified),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_family_mix),
		cmocka_unit_test(test_ipid),
		cmocka_unit_test(test_ended),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_max_segs),
		cmocka_unit_test(test_max_len),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_short_claims),
		cmocka_unit_test(test_csum_partial),
		cmocka_unit_test(test_csum_partial_train),
		cmocka_unit_test(test_csum_partial_not),
		cmocka_unit_test(test_frame_ethertype),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
