// SPDX-License-Identifier: MIT
/* STT: header, TCP-like header, segmentation and bounded reassembly. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/l2.h"

/* Version 0, flags V4|TCP, L4 0, MSS 0, V + VID 100, context 0x0102030405060708, padding. */
static const uint8_t stth[] = {
	0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x10, 0x64,
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x00, 0x00,
};
static const uint8_t eth[] = {
	0x02, 0, 0, 0, 0, 1, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00,
};

static uint8_t st[70000 + 128];
static uint8_t big[70000];
static uint8_t pool[8 * (sizeof(struct fou_stt_slot) + FOU_STT_MAX_FRAME) + 64];

static struct fou_buf mk(const uint8_t *p, size_t n)
{
	struct fou_buf b = { st, sizeof(st), 128, n };

	if (n)
		memmove(st + 128, p, n);
	return b;
}

static struct fou_addr ip4(uint8_t last)
{
	struct fou_addr a = { AF_INET, { 192, 0, 2, last } };

	return a;
}

/* ---- STT header ---------------------------------------------------------- */

static void test_hdr(void **state)
{
	struct fou_stt s = { FOU_STT_F_IPV4 | FOU_STT_F_TCP, 0, 0,
			     FOU_STT_TCI_VALID | 100, 0x0102030405060708ull };
	struct fou_stt r;
	struct fou_buf b = mk(eth, sizeof(eth));

	(void)state;
	assert_int_equal(fou_stt_push(&b, &s), 0);
	assert_int_equal(b.len, 32);
	assert_memory_equal(fou_buf_data(&b), stth, 18);
	assert_int_equal(fou_stt_pull(&b, &r), 0);
	assert_int_equal(r.flags, s.flags);
	assert_int_equal(r.tci, s.tci);
	assert_true(r.context == s.context);
	assert_int_equal(b.len, sizeof(eth));
	b.off = 17;
	assert_int_equal(fou_stt_push(&b, &s), -FOU_DROP_TOO_SHORT);
}

static void test_hdr_bad(void **state)
{
	uint8_t p[32];
	struct fou_stt r;
	struct fou_buf b;
	size_t n;

	(void)state;
	memcpy(p, stth, 18);
	memcpy(p + 18, eth, 14);
	for (n = 0; n < 32; n++) {
		b = mk(p, n);
		assert_int_equal(fou_stt_pull(&b, &r), -FOU_DROP_TOO_SHORT);
		assert_int_equal(b.off, 128);
	}
	p[0] = 1;
	b = mk(p, 32);
	assert_int_equal(fou_stt_pull(&b, &r), -FOU_DROP_STT_VERSION);
	assert_int_equal(b.len, 32);
	/* Reserved flag bits, reserved byte and padding are ignored. */
	p[0] = 0;
	p[1] |= 0xf0;
	p[3] = 0xff;
	p[16] = p[17] = 0xff;
	b = mk(p, 32);
	assert_int_equal(fou_stt_pull(&b, &r), 0);
}

/* Inner Ethernet + IPv4 + UDP with a partial checksum: the STT receiver completes it. */
static void test_partial(void **state)
{
	struct fou_addr s = ip4(10), d = ip4(20);
	uint8_t p[18 + 14 + 20 + 8 + 4];
	uint8_t *ip = p + 32, *udp = p + 52;
	struct fou_stt r;
	struct fou_buf b;
	uint32_t sum;

	(void)state;
	memset(p, 0, sizeof(p));
	memcpy(p, stth, 18);
	p[1] = FOU_STT_F_IPV4 | FOU_STT_F_CSUM_PARTIAL;
	p[2] = 34;
	memcpy(p + 18, eth, 14);
	ip[0] = 0x45;
	fou_put16(ip + 2, 32);
	ip[8] = 64;
	ip[9] = FOU_PROTO_UDP;
	memcpy(ip + 12, s.a, 4);
	memcpy(ip + 16, d.a, 4);
	fou_put16(ip + 10, fou_csum_fold(fou_csum_add(0, ip, 20)));
	fou_put16(udp, 1000);
	fou_put16(udp + 2, 2000);
	fou_put16(udp + 4, 12);
	memcpy(udp + 8, "data", 4);
	sum = fou_csum_pseudo(&s, &d, FOU_PROTO_UDP, 12);
	fou_put16(udp + 6, (uint16_t)~fou_csum_fold(sum));
	b = mk(p, sizeof(p));
	assert_int_equal(fou_stt_pull(&b, &r), 0);
	udp = fou_buf_data(&b) + 34;
	assert_int_equal(fou_csum_fold(fou_csum_add(sum, udp, 12)), 0);
	/* An L4 offset outside the frame. */
	p[2] = 60;
	b = mk(p, sizeof(p));
	assert_int_equal(fou_stt_pull(&b, &r), -FOU_DROP_BAD_GSO);
	/* Checksum verified and partial together (draft 3.1: never both). */
	p[2] = 34;
	p[1] |= FOU_STT_F_CSUM_VERIFIED;
	b = mk(p, sizeof(p));
	assert_int_equal(fou_stt_pull(&b, &r), -FOU_DROP_STT_FLAGS);
	/* An MSS on a partial UDP frame: no super-frame but TCP is cut. */
	p[1] = FOU_STT_F_IPV4 | FOU_STT_F_CSUM_PARTIAL;
	fou_put16(p + 4, 1000);
	b = mk(p, sizeof(p));
	assert_int_equal(fou_stt_pull(&b, &r), -FOU_DROP_STT_FLAGS);
	/* TCP with its header past the end of the frame. */
	p[1] |= FOU_STT_F_TCP;
	b = mk(p, sizeof(p));
	assert_int_equal(fou_stt_pull(&b, &r), -FOU_DROP_STT_FLAGS);
	/* A TCP super-frame keeps its partial checksum for the caller's GSO. */
	p[2] = 20;
	b = mk(p, sizeof(p));
	assert_int_equal(fou_stt_pull(&b, &r), 0);
	assert_int_equal(r.mss, 1000);
	assert_memory_equal(fou_buf_data(&b), p + 18, sizeof(p) - 18);
}

/* ---- TCP-like header ----------------------------------------------------- */

static const struct fou_stt_flow flow = {
	{ AF_INET, { 192, 0, 2, 1 } }, { AF_INET, { 192, 0, 2, 2 } },
	0x1234, FOU_PORT_STT, 0xdeadbeef,
};

static void test_tcp(void **state)
{
	static const uint8_t want[] = {
		0x12, 0x34, 0x1d, 0x2f, 0x00, 0x64, 0x00, 0x20, 0xde, 0xad, 0xbe, 0xef,
		0x50, 0x18, 0x00, 0x00,
	};
	struct fou_stt_seg seg;
	struct fou_buf b = mk((const uint8_t *)"payload!", 8);
	uint32_t sum;

	(void)state;
	assert_int_equal(fou_stt_tcp_push(&b, &flow, 100, 0x20, true), 0);
	assert_int_equal(b.len, 28);
	assert_memory_equal(fou_buf_data(&b), want, sizeof(want));
	assert_memory_equal(fou_buf_data(&b) + 18, "\x00\x00", 2);
	sum = fou_csum_pseudo(&flow.src, &flow.dst, FOU_PROTO_TCP, 28);
	assert_int_equal(fou_csum_fold(fou_csum_add(sum, fou_buf_data(&b), 28)), 0);
	assert_int_equal(fou_stt_tcp_pull(&b, &flow.src, &flow.dst, &seg), 0);
	assert_int_equal(seg.sport, 0x1234);
	assert_int_equal(seg.dport, 7471);
	assert_int_equal(seg.frame_len, 100);
	assert_int_equal(seg.offset, 0x20);
	assert_int_equal(seg.id, 0xdeadbeef);
	assert_int_equal(b.len, 8);
	/* Not last: ACK only. */
	b = mk((const uint8_t *)"x", 1);
	assert_int_equal(fou_stt_tcp_push(&b, &flow, 100, 0, false), 0);
	assert_int_equal(fou_buf_data(&b)[13], 0x10);
}

/*
 * One header over a whole frame, cut as the kernel's tcp_gso_segment() does
 * (seq + offset, PSH on the last only, each checksum whole): the same bytes
 * as foud's own segments; the partial checksum accepted only when allowed.
 */
static void test_tcp_gso(void **state)
{
	static uint8_t hdr[FOU_STT_TCP_HLEN], cut[1600], one[1600];
	struct fou_stt_seg seg;
	struct fou_stt_tx t;
	struct fou_buf b, out;
	size_t i, len = 3000, mss = 1000, n;
	uint32_t sum;

	(void)state;
	for (i = 0; i < len; i++)
		big[i] = (uint8_t)(i * 7);
	b = mk(big, len);
	assert_int_equal(fou_stt_tcp_push_gso(&b, &flow), 0);
	assert_int_equal(fou_get32(fou_buf_data(&b) + 4), (uint32_t)len << 16);
	assert_int_equal(fou_buf_data(&b)[13], 0x18);
	memcpy(hdr, fou_buf_data(&b), sizeof(hdr));
	assert_int_equal(fou_stt_tcp_pull(&b, &flow.src, &flow.dst, &seg), -FOU_DROP_BAD_CSUM);
	assert_int_equal(fou_stt_tcp_pull_gro(&b, &flow.src, &flow.dst, &seg, true), 0);
	assert_int_equal(seg.frame_len, len);
	assert_int_equal(seg.offset, 0);
	assert_int_equal(b.len, len);
	assert_int_equal(fou_stt_tx_init(&t, &flow, big, len, mss), 0);
	for (i = 0; i * mss < len; i++) {
		n = len - i * mss < mss ? len - i * mss : mss;
		memcpy(cut, hdr, sizeof(hdr));
		fou_put32(cut + 4, fou_get32(hdr + 4) + (uint32_t)(i * mss));
		cut[13] = (i + 1) * mss < len ? 0x10 : 0x18;
		memcpy(cut + sizeof(hdr), big + i * mss, n);
		fou_put16(cut + 16, 0);
		sum = fou_csum_pseudo(&flow.src, &flow.dst, FOU_PROTO_TCP, (uint32_t)(n + 20));
		fou_put16(cut + 16, fou_csum_fold(fou_csum_add(sum, cut, n + 20)));
		out = (struct fou_buf){ .head = one, .cap = sizeof(one), .off = 64 };
		assert_int_equal(fou_stt_tx_next(&t, &out), 1);
		assert_int_equal(out.len, n + 20);
		assert_memory_equal(fou_buf_data(&out), cut, n + 20);
	}
	/* A partial checksum off by one is refused even where partial ones are taken. */
	b = mk(big, len);
	fou_stt_tcp_push_gso(&b, &flow);
	fou_buf_data(&b)[17] ^= 1;
	assert_int_equal(fou_stt_tcp_pull_gro(&b, &flow.src, &flow.dst, &seg, true),
			 -FOU_DROP_BAD_CSUM);
	b = mk(big, 65536);
	assert_int_equal(fou_stt_tcp_push_gso(&b, &flow), -FOU_DROP_MTU);
}

static void test_tcp_bad(void **state)
{
	struct fou_addr other = ip4(3);
	struct fou_stt_seg seg;
	uint8_t p[64];
	struct fou_buf b;
	size_t n, len;
	uint32_t sum;

	(void)state;
	b = mk((const uint8_t *)"payload!", 8);
	fou_stt_tcp_push(&b, &flow, 100, 0, true);
	len = b.len;
	memcpy(p, fou_buf_data(&b), len);
	for (n = 0; n < 20; n++) {
		b = mk(p, n);
		assert_int_equal(fou_stt_tcp_pull(&b, &flow.src, &flow.dst, &seg),
				 -FOU_DROP_TOO_SHORT);
	}
	/* Cut payload, flipped bit, wrong pseudo-header. */
	b = mk(p, len - 1);
	assert_int_equal(fou_stt_tcp_pull(&b, &flow.src, &flow.dst, &seg), -FOU_DROP_BAD_CSUM);
	p[25] ^= 1;
	b = mk(p, len);
	assert_int_equal(fou_stt_tcp_pull(&b, &flow.src, &flow.dst, &seg), -FOU_DROP_BAD_CSUM);
	p[25] ^= 1;
	b = mk(p, len);
	assert_int_equal(fou_stt_tcp_pull(&b, &flow.src, &other, &seg), -FOU_DROP_BAD_CSUM);
	assert_int_equal(b.len, len);
	/* Data offset below 5 or past the packet. */
	p[12] = 0x40;
	b = mk(p, len);
	assert_int_equal(fou_stt_tcp_pull(&b, &flow.src, &flow.dst, &seg), -FOU_DROP_STT_TCP);
	p[12] = 0xf0;
	b = mk(p, len);
	assert_int_equal(fou_stt_tcp_pull(&b, &flow.src, &flow.dst, &seg), -FOU_DROP_TOO_SHORT);
	/* Options (doff 6) are skipped. */
	p[12] = 0x60;
	fou_put16(p + 16, 0);
	sum = fou_csum_pseudo(&flow.src, &flow.dst, FOU_PROTO_TCP, (uint32_t)len);
	fou_put16(p + 16, fou_csum_fold(fou_csum_add(sum, p, len)));
	b = mk(p, len);
	assert_int_equal(fou_stt_tcp_pull(&b, &flow.src, &flow.dst, &seg), 0);
	assert_int_equal(b.len, len - 24);
}

/* ---- segmentation and reassembly ----------------------------------------- */

static size_t mkframe(size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		big[i] = (uint8_t)(i * 7 + (i >> 8));
	memcpy(big, stth, 18);
	return len;
}

static uint8_t segs[64][1600];
static size_t seglen[64];

/* Cuts big[0..len) and parses every segment back. */
static size_t segment(size_t len, size_t mss)
{
	struct fou_stt_tx t;
	size_t n = 0;
	int rc;

	assert_int_equal(fou_stt_tx_init(&t, &flow, big, len, mss), 0);
	for (;;) {
		struct fou_buf o = { segs[n], sizeof(segs[n]), 60, 0 };

		rc = fou_stt_tx_next(&t, &o);
		if (rc == 0)
			break;
		assert_int_equal(rc, 1);
		memmove(segs[n], fou_buf_data(&o), o.len);
		seglen[n++] = o.len;
	}
	assert_int_equal(t.seg, n);
	return n;
}

static int feed(struct fou_stt_reasm *r, size_t i, const struct fou_addr *src,
		uint8_t tos, uint64_t now, struct fou_stt_frame *out)
{
	struct fou_buf b = { segs[i], sizeof(segs[i]), 0, seglen[i] };
	struct fou_stt_seg seg;

	assert_int_equal(fou_stt_tcp_pull(&b, src, &flow.dst, &seg), 0);
	return fou_stt_reasm_add(r, src, &flow.dst, &seg, fou_buf_data(&b), b.len, tos, now, out);
}

static void test_segment(void **state)
{
	struct fou_stt_seg seg;
	size_t i, n;

	(void)state;
	n = segment(mkframe(3000), 1000);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		struct fou_buf b = { segs[i], sizeof(segs[i]), 0, seglen[i] };

		assert_int_equal(seglen[i], 1020);
		assert_int_equal(segs[i][13], i == 2 ? 0x18 : 0x10);
		assert_int_equal(fou_stt_tcp_pull(&b, &flow.src, &flow.dst, &seg), 0);
		assert_int_equal(seg.frame_len, 3000);
		assert_int_equal(seg.offset, i * 1000);
		assert_int_equal(seg.id, flow.id);
		assert_memory_equal(fou_buf_data(&b), big + i * 1000, 1000);
	}
	/* A short last segment; a one-segment frame. */
	assert_int_equal(segment(mkframe(2001), 1000), 3);
	assert_int_equal(seglen[2], 21);
	assert_int_equal(segment(mkframe(18), 1448), 1);
	assert_int_equal(segs[0][13], 0x18);
}

static void test_segment_bad(void **state)
{
	struct fou_stt_tx t;
	uint8_t small[40];
	struct fou_buf o = { small, sizeof(small), 20, 0 };

	(void)state;
	mkframe(70000);
	assert_int_equal(fou_stt_tx_init(&t, &flow, big, 65536, 1000), -FOU_DROP_MTU);
	assert_int_equal(fou_stt_tx_init(&t, &flow, big, 17, 1000), -FOU_DROP_TOO_SHORT);
	assert_int_equal(fou_stt_tx_init(&t, &flow, big, 100, 0), -FOU_DROP_BAD_GSO);
	assert_int_equal(fou_stt_tx_init(&t, &flow, big, 100, 30), 0);
	/* 20 bytes of room after the headroom: too small for 30. */
	assert_int_equal(fou_stt_tx_next(&t, &o), -FOU_DROP_TOO_SHORT);
	/* No headroom for the TCP header. */
	o.off = 10;
	assert_int_equal(fou_stt_tx_init(&t, &flow, big, 100, 20), 0);
	assert_int_equal(fou_stt_tx_next(&t, &o), -FOU_DROP_TOO_SHORT);
	assert_int_equal(t.pos, 0);
	o.off = 40;
	assert_int_equal(fou_stt_tx_next(&t, &o), -FOU_DROP_TOO_SHORT);
}

static struct fou_stt_reasm R;

static void reasm_setup(size_t nslots)
{
	assert_int_equal(fou_stt_reasm_init(&R, pool + 3, fou_stt_reasm_size(nslots), 1000), 0);
	assert_int_equal(R.nslots, nslots);
}

static void test_reasm_init(void **state)
{
	struct fou_stt_reasm r;

	(void)state;
	assert_int_equal(fou_stt_reasm_init(&r, pool, 1000, 0), -EINVAL);
	assert_int_equal(fou_stt_reasm_init(&r, NULL, sizeof(pool), 0), -EINVAL);
	assert_int_equal(fou_stt_reasm_init(&r, pool + 1, sizeof(pool) - 1, 0), 0);
	assert_int_equal(r.nslots, 8);
	assert_int_equal(r.timeout_ms, 30000);
	assert_int_equal((uintptr_t)r.slot % _Alignof(struct fou_stt_slot), 0);
	assert_true((uint8_t *)r.slot[7].data + FOU_STT_MAX_FRAME <= pool + sizeof(pool));
}

static void test_reasm_order(void **state)
{
	static const size_t order[] = { 2, 0, 0, 2, 1 };
	struct fou_stt_frame out;
	size_t i, n;
	int rc;

	(void)state;
	reasm_setup(2);
	n = segment(mkframe(3000), 1000);
	assert_int_equal(n, 3);
	/* Out of order with duplicates: delivered once, when complete. */
	for (i = 0; i < 5; i++) {
		rc = feed(&R, order[i], &flow.src, 0, 10, &out);
		assert_int_equal(rc, i == 4 ? 1 : 0);
	}
	assert_int_equal(R.dups, 2);
	assert_int_equal(out.len, 3000);
	assert_memory_equal(out.data, big, 3000);
	assert_int_equal(fou_stt_reasm_busy(&R), 0);
	/* A late duplicate starts a frame that never completes and times out. */
	assert_int_equal(feed(&R, 1, &flow.src, 0, 20, &out), 0);
	assert_int_equal(fou_stt_reasm_busy(&R), 1);
	assert_int_equal(fou_stt_reasm_expire(&R, 1019), 0);
	assert_int_equal(fou_stt_reasm_expire(&R, 1020), 1);
	assert_int_equal(fou_stt_reasm_busy(&R), 0);
	assert_int_equal(R.timedout, 1);
}

static void test_reasm_lost(void **state)
{
	struct fou_stt_frame out;
	size_t i, n;

	(void)state;
	reasm_setup(2);
	n = segment(mkframe(5000), 1000);
	/* Segment 3 is lost: never delivered. */
	for (i = 0; i < n; i++)
		if (i != 3)
			assert_int_equal(feed(&R, i, &flow.src, 0, 0, &out), 0);
	assert_int_equal(fou_stt_reasm_busy(&R), 1);
	/* It arrives after the timeout: the old part is gone, nothing is delivered. */
	assert_int_equal(feed(&R, 3, &flow.src, 0, 1000, &out), 0);
	assert_int_equal(R.timedout, 1);
	assert_int_equal(fou_stt_reasm_busy(&R), 1);
	assert_int_equal(fou_stt_reasm_expire(&R, 5000), 1);
	/* In time, it completes. */
	for (i = 0; i < n; i++)
		assert_int_equal(feed(&R, i, &flow.src, 0, 6000, &out), i == n - 1);
	assert_memory_equal(out.data, big, 5000);
}

static void test_reasm_keys(void **state)
{
	struct fou_addr other = ip4(9);
	struct fou_stt_frame out;
	struct fou_stt_flow f2 = flow;
	size_t n;

	(void)state;
	reasm_setup(4);
	n = segment(mkframe(2000), 1000);
	assert_int_equal(n, 2);
	/* The same frame ID from two sources: two frames. */
	assert_int_equal(feed(&R, 0, &flow.src, 0, 0, &out), 0);
	f2.src = other;
	{
		struct fou_stt_tx t;
		struct fou_buf o = { segs[5], sizeof(segs[5]), 60, 0 };

		fou_stt_tx_init(&t, &f2, big, 2000, 1000);
		fou_stt_tx_next(&t, &o);
		memmove(segs[5], fou_buf_data(&o), o.len);
		seglen[5] = o.len;
	}
	assert_int_equal(feed(&R, 5, &other, 0, 0, &out), 0);
	assert_int_equal(fou_stt_reasm_busy(&R), 2);
	assert_int_equal(feed(&R, 1, &flow.src, 0, 0, &out), 1);
	assert_int_equal(fou_stt_reasm_busy(&R), 1);
}

static void test_reasm_single(void **state)
{
	struct fou_stt_frame out;

	(void)state;
	reasm_setup(1);
	assert_int_equal(segment(mkframe(500), 1448), 1);
	assert_int_equal(feed(&R, 0, &flow.src, FOU_ECN_ECT0, 0, &out), 1);
	assert_int_equal(out.len, 500);
	assert_int_equal(out.tos, FOU_ECN_ECT0);
	/* Zero-copy: points into the segment. */
	assert_ptr_equal(out.data, segs[0] + 20);
	assert_int_equal(fou_stt_reasm_busy(&R), 0);
}

static void test_reasm_ecn(void **state)
{
	struct fou_stt_frame out;

	(void)state;
	reasm_setup(1);
	segment(mkframe(3000), 1000);
	assert_int_equal(feed(&R, 1, &flow.src, 0xb8 | FOU_ECN_ECT0, 0, &out), 0);
	assert_int_equal(feed(&R, 0, &flow.src, 0x00 | FOU_ECN_CE, 0, &out), 0);
	assert_int_equal(feed(&R, 2, &flow.src, 0x20 | FOU_ECN_ECT0, 0, &out), 1);
	/* DSCP of the first segment to arrive, CE from any. */
	assert_int_equal(out.tos, 0xb8 | FOU_ECN_CE);
}

/*
 * RFC 6040 on a reassembled frame: one CE segment of three marks the inner
 * ECT(0) IPv4 packet CE (its header checksum kept right); over a not-ECT
 * packet the frame is dropped.
 */
static void test_reasm_ecn_decap(void **state)
{
	static uint8_t copy[3000];
	struct fou_stt_frame out;
	struct fou_buf b;
	struct fou_stt h;
	uint8_t *ip = big + 18 + 14;
	int inner;

	(void)state;
	for (inner = FOU_ECN_ECT0; inner >= FOU_ECN_NOT_ECT; inner -= FOU_ECN_ECT0) {
		reasm_setup(1);
		mkframe(3000);
		memcpy(big + 18, eth, sizeof(eth));
		memset(ip, 0, 20);
		ip[0] = 0x45;
		ip[1] = (uint8_t)(0x20 | inner);
		fou_put16(ip + 2, 3000 - 18 - 14);
		ip[8] = 64;
		ip[9] = 17;
		fou_put16(ip + 10, fou_csum_fold(fou_csum_add(0, ip, 20)));
		segment(3000, 1000);
		assert_int_equal(feed(&R, 0, &flow.src, FOU_ECN_ECT0, 0, &out), 0);
		assert_int_equal(feed(&R, 1, &flow.src, FOU_ECN_CE, 0, &out), 0);
		assert_int_equal(feed(&R, 2, &flow.src, FOU_ECN_ECT0, 0, &out), 1);
		assert_int_equal(out.tos & FOU_ECN_MASK, FOU_ECN_CE);
		memcpy(copy, out.data, out.len);
		b = (struct fou_buf){ copy, sizeof(copy), 0, out.len };
		assert_int_equal(fou_stt_pull(&b, &h), 0);
		if (inner == FOU_ECN_NOT_ECT) {
			assert_int_equal(fou_l2_ecn_decap(fou_buf_data(&b), b.len, out.tos),
					 -FOU_DROP_ECN);
			break;
		}
		assert_int_equal(fou_l2_ecn_decap(fou_buf_data(&b), b.len, out.tos), 0);
		assert_int_equal(fou_buf_data(&b)[14 + 1], 0x20 | FOU_ECN_CE);
		assert_int_equal(fou_csum_fold(fou_csum_add(0, fou_buf_data(&b) + 14, 20)), 0);
		/* Nothing else moved. */
		assert_memory_equal(fou_buf_data(&b) + 14 + 20, ip + 20, 3000 - 18 - 14 - 20);
	}
}

static int add(uint32_t flen, uint32_t off, size_t plen, uint32_t id, uint64_t now,
	       struct fou_stt_frame *out)
{
	struct fou_stt_seg seg = { 1, FOU_PORT_STT, flen, off, id };

	return fou_stt_reasm_add(&R, &flow.src, &flow.dst, &seg, big + off, plen, 0, now, out);
}

static void test_reasm_bad(void **state)
{
	struct fou_stt_frame out;

	(void)state;
	reasm_setup(2);
	mkframe(70000);
	assert_int_equal(add(100, 0, 0, 1, 0, &out), -FOU_DROP_TOO_SHORT);
	assert_int_equal(add(100, 90, 11, 1, 0, &out), -FOU_DROP_TOO_SHORT);
	assert_int_equal(add(100, 101, 1, 1, 0, &out), -FOU_DROP_TOO_SHORT);
	assert_int_equal(add(17, 0, 10, 1, 0, &out), -FOU_DROP_TOO_SHORT);
	assert_int_equal(add(65536, 0, 100, 1, 0, &out), -FOU_DROP_TOO_SHORT);
	assert_int_equal(add(70000, 65000, 1000, 1, 0, &out), -FOU_DROP_TOO_SHORT);
	assert_int_equal(fou_stt_reasm_busy(&R), 0);
	assert_int_equal(R.bad, 6);
	/* Frame length changing between segments: the whole frame goes. */
	assert_int_equal(add(100, 0, 50, 2, 0, &out), 0);
	assert_int_equal(add(200, 50, 50, 2, 0, &out), -FOU_DROP_STT_REASM);
	assert_int_equal(fou_stt_reasm_busy(&R), 0);
	/* Partial overlap: the segment is refused, the frame stays. */
	assert_int_equal(add(100, 0, 50, 3, 0, &out), 0);
	assert_int_equal(add(100, 40, 20, 3, 0, &out), -FOU_DROP_STT_REASM);
	assert_int_equal(add(100, 10, 20, 3, 0, &out), 0);	/* inside: duplicate */
	assert_int_equal(add(100, 50, 50, 3, 0, &out), 1);
	assert_int_equal(out.len, 100);
	assert_memory_equal(out.data, big, 100);
	/* The largest frame, 65535 bytes, at the end of its slot. */
	assert_int_equal(add(65535, 65000, 535, 4, 0, &out), 0);
	assert_int_equal(add(65535, 0, 65000, 4, 0, &out), 1);
	assert_int_equal(out.len, 65535);
	assert_memory_equal(out.data, big, 65535);
}

static void test_reasm_ranges(void **state)
{
	struct fou_stt_frame out;
	uint32_t i;

	(void)state;
	reasm_setup(1);
	mkframe(1000);
	/* Every other 10-byte piece: 32 ranges fit, the 33rd drops the frame. */
	for (i = 0; i < 32; i++)
		assert_int_equal(add(1000, i * 20, 10, 5, 0, &out), 0);
	assert_int_equal(R.slot[0].nranges, 32);
	assert_int_equal(add(1000, 700, 10, 5, 0, &out), -FOU_DROP_STT_REASM);
	assert_int_equal(fou_stt_reasm_busy(&R), 0);
	/* Filling the holes merges ranges back to one. */
	for (i = 0; i < 32; i++)
		assert_int_equal(add(1000, i * 20, 10, 6, 0, &out), 0);
	for (i = 0; i < 32; i++)
		assert_int_equal(add(1000, i * 20 + 10, 10, 6, 0, &out), 0);
	assert_int_equal(R.slot[0].nranges, 1);
	assert_int_equal(add(1000, 640, 360, 6, 0, &out), 1);
	assert_memory_equal(out.data, big, 1000);
}

/* A flood of partial frames never uses more than the slots, nor writes past them. */
static void test_reasm_flood(void **state)
{
	struct fou_stt_frame out;
	size_t sz = fou_stt_reasm_size(4);
	uint32_t i;

	(void)state;
	memset(pool, 0xa5, sizeof(pool));
	assert_int_equal(fou_stt_reasm_init(&R, pool + 3, sz, 60000), 0);
	assert_int_equal(R.nslots, 4);
	mkframe(65535);
	for (i = 0; i < 10000; i++) {
		assert_int_equal(add(65535, (i * 977) % 60000, 5000, i, i, &out), 0);
		assert_true(fou_stt_reasm_busy(&R) <= 4);
	}
	assert_int_equal(R.evicted, 10000 - 4);
	for (i = (uint32_t)(3 + sz); i < sizeof(pool); i++)
		assert_int_equal(pool[i], 0xa5);
	for (i = 0; i < 3; i++)
		assert_int_equal(pool[i], 0xa5);
	/* A real frame still gets through. */
	assert_int_equal(add(2000, 0, 1000, 99999, 10000, &out), 0);
	assert_int_equal(add(2000, 1000, 1000, 99999, 10000, &out), 1);
	assert_memory_equal(out.data, big, 2000);
	/* The oldest frames were the ones evicted. */
	for (i = 0; i < 4; i++)
		assert_true(!R.slot[i].busy || R.slot[i].id >= 10000 - 4);
}

static int add_from(const struct fou_addr *src, uint32_t off, uint32_t id,
		    struct fou_stt_frame *out)
{
	struct fou_stt_seg seg = { 1, FOU_PORT_STT, 2000, off, id };

	return fou_stt_reasm_add(&R, src, &flow.dst, &seg, big + off, 1000, 0, 0, out);
}

static size_t held(const struct fou_addr *src)
{
	size_t i, n = 0;

	for (i = 0; i < R.nslots; i++)
		n += R.slot[i].busy && fou_addr_eq(&R.slot[i].src, src);
	return n;
}

/*
 * Fair shares: a peer flooding frames it never ends pushes out only its
 * own, and a full table gives up the oldest frame of the peer holding most.
 */
static void test_reasm_fair(void **state)
{
	struct fou_addr a = ip4(1), x = ip4(66), y = ip4(77);
	struct fou_stt_frame out;
	uint32_t i;

	(void)state;
	reasm_setup(8);
	mkframe(2000);
	assert_int_equal(add_from(&a, 0, 1, &out), 0);
	assert_int_equal(add_from(&a, 0, 2, &out), 0);
	for (i = 0; i < 100; i++)
		assert_int_equal(add_from(&x, 0, 100 + i, &out), 0);
	/* x's share with two peers: max(4, 8 / 2); it kept its newest */
	assert_int_equal(held(&x), 4);
	assert_int_equal(R.evicted, 96);
	for (i = 0; i < R.nslots; i++)
		assert_true(!R.slot[i].busy || R.slot[i].id <= 2 || R.slot[i].id >= 196);
	assert_int_equal(add_from(&a, 1000, 1, &out), 1);
	assert_memory_equal(out.data, big, 2000);
	assert_int_equal(add_from(&a, 1000, 2, &out), 1);
	/* Three peers, shares of max(4, 8 / 3): x and y fill the table. */
	for (i = 0; i < 4; i++)
		assert_int_equal(add_from(&y, 0, 300 + i, &out), 0);
	assert_int_equal(fou_stt_reasm_busy(&R), 8);
	/* a, below its share, takes from the biggest holders, x and y in turn. */
	assert_int_equal(add_from(&a, 0, 3, &out), 0);
	assert_int_equal(add_from(&a, 0, 4, &out), 0);
	assert_int_equal(R.evicted, 98);
	assert_int_equal(held(&x), 3);
	assert_int_equal(held(&y), 3);
	assert_int_equal(add_from(&a, 1000, 3, &out), 1);
	assert_int_equal(add_from(&a, 1000, 4, &out), 1);
}

static uint32_t rng = 777;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

/* Largest frame, 46 segments in random order with duplicates. */
static void test_reasm_shuffle(void **state)
{
	struct fou_stt_frame out;
	size_t perm[64], i, j, n, tmp;
	int rc = 0;

	(void)state;
	reasm_setup(2);
	n = segment(mkframe(65535), 1448);
	assert_int_equal(n, 46);
	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = rnd() % (i + 1);
		tmp = perm[i];
		perm[i] = perm[j];
		perm[j] = tmp;
	}
	for (i = 0; i < n; i++) {
		rc = feed(&R, perm[i], &flow.src, 0, 0, &out);
		if (i + 1 < n) {
			assert_int_equal(rc, 0);
			assert_int_equal(feed(&R, perm[i], &flow.src, 0, 0, &out), 0);
		}
	}
	assert_int_equal(rc, 1);
	assert_int_equal(out.len, 65535);
	assert_memory_equal(out.data, big, 65535);
	assert_int_equal(R.dups, n - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr),
		cmocka_unit_test(test_hdr_bad),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_tcp_gso),
		cmocka_unit_test(test_tcp_bad),
		cmocka_unit_test(test_segment),
		cmocka_unit_test(test_segment_bad),
		cmocka_unit_test(test_reasm_init),
		cmocka_unit_test(test_reasm_order),
		cmocka_unit_test(test_reasm_lost),
		cmocka_unit_test(test_reasm_keys),
		cmocka_unit_test(test_reasm_single),
		cmocka_unit_test(test_reasm_ecn),
		cmocka_unit_test(test_reasm_ecn_decap),
		cmocka_unit_test(test_reasm_bad),
		cmocka_unit_test(test_reasm_ranges),
		cmocka_unit_test(test_reasm_flood),
		cmocka_unit_test(test_reasm_fair),
		cmocka_unit_test(test_reasm_shuffle),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
