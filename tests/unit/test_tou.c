// SPDX-License-Identifier: MIT
/* Transports over UDP: GUE proto 6, no inner IP header, address-free TCP checksum. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/fou.h"

#define HEAD	64
#define PAY	333	/* odd: the checksum's padding byte is exercised */

static uint8_t mem[HEAD + 40 + 20 + PAY + 16];

static struct fou_addr addr(const char *s)
{
	struct fou_addr a;

	assert_int_equal(fou_addr_parse(s, &a), 0);
	return a;
}

/* The ordinary TCP checksum of the segment at tcp with these addresses. */
static uint16_t tcp_csum(const uint8_t *tcp, size_t len, const struct fou_addr *s,
			 const struct fou_addr *d)
{
	return fou_csum_fold(fou_csum_add(fou_csum_pseudo(s, d, 6, (uint32_t)len), tcp, len));
}

/* A TCP packet from s to d with a correct checksum, in mem after HEAD bytes. */
static struct fou_buf mk_pkt(const char *s, const char *d, uint8_t proto)
{
	struct fou_addr src = addr(s), dst = addr(d);
	struct fou_ip_params ip = { .src = src, .dst = dst, .proto = proto, .tos = 0x02,
				    .ttl = 61, .df = true };
	struct fou_buf b = { .head = mem, .cap = sizeof(mem), .off = HEAD + 40 };
	uint8_t *t = mem + b.off;
	size_t i;

	memset(mem, 0, sizeof(mem));
	fou_put16(t, 40000);
	fou_put16(t + 2, 80);
	fou_put32(t + 4, 0x01020304);
	t[12] = 5 << 4;
	t[13] = 0x18;
	for (i = 0; i < PAY; i++)
		t[20 + i] = (uint8_t)(i * 13 + 1);
	b.len = 20 + PAY;
	fou_put16(t + 16, tcp_csum(t, b.len, &src, &dst));
	assert_int_equal(fou_ip_push(&b, &ip), 0);
	return b;
}

/* The wire checksum must be the ordinary one with both addresses zero. */
static void check_wire(const struct fou_buf *b, int family)
{
	struct fou_addr z = { .family = family };
	const uint8_t *p = fou_buf_data(b);
	uint8_t seg[20 + PAY];

	assert_int_equal(b->len, 4 + 20 + PAY);
	assert_int_equal(p[0], 0);		/* GUE variant 0, C 0, Hlen 0 */
	assert_int_equal(p[1], 6);		/* proto TCP */
	assert_int_equal(fou_get16(p + 2), 0);	/* no flags */
	assert_int_equal(fou_get16(p + 4), 40000);
	assert_int_equal(fou_get16(p + 6), 80);
	memcpy(seg, p + 4, sizeof(seg));
	fou_put16(seg + 16, 0);
	assert_int_equal(fou_get16(p + 4 + 16), tcp_csum(seg, sizeof(seg), &z, &z));
}

static void test_encap_v4(void **state)
{
	struct fou_buf b = mk_pkt("192.0.2.1", "198.51.100.7", 6);
	struct fou_tou_info info;

	(void)state;
	assert_int_equal(fou_tou_encap(&b, &info), 0);
	check_wire(&b, AF_INET);
	assert_int_equal(info.src.family, AF_INET);
	assert_memory_equal(info.dst.a, "\xc6\x33\x64\x07", 4);
	assert_int_equal(info.tos, 0x02);
	assert_int_equal(info.ttl, 61);
}

/* The same segment gives the same wire bytes over IPv4 and IPv6. */
static void test_encap_v6_same_wire(void **state)
{
	uint8_t w4[4 + 20 + PAY];
	struct fou_tou_info info;
	struct fou_buf b = mk_pkt("192.0.2.1", "198.51.100.7", 6);

	(void)state;
	assert_int_equal(fou_tou_encap(&b, &info), 0);
	memcpy(w4, fou_buf_data(&b), sizeof(w4));
	b = mk_pkt("2001:db8::1", "2001:db8:ffff::2", 6);
	assert_int_equal(fou_tou_encap(&b, &info), 0);
	check_wire(&b, AF_INET6);
	assert_int_equal(info.dst.family, AF_INET6);
	assert_memory_equal(fou_buf_data(&b), w4, sizeof(w4));
}

/* Through a NAT: the receiver's addresses differ, the rebuilt checksum is right for them. */
static void roundtrip(const char *s, const char *d, const char *ns, const char *nd)
{
	struct fou_buf b = mk_pkt(s, d, 6);
	struct fou_tou_info info = { .src = addr(ns), .dst = addr(nd), .tos = 0x01 };
	struct fou_tou_info out;
	struct fou_ip ip;
	const uint8_t *t;

	assert_int_equal(fou_tou_encap(&b, &out), 0);
	assert_int_equal(fou_tou_decap(&b, &info), 0);
	assert_int_equal(fou_ip_parse(fou_buf_data(&b), b.len, &ip), 0);
	assert_int_equal(ip.tot_len, b.len);
	assert_int_equal(ip.proto, 6);
	assert_int_equal(ip.ttl, 64);
	assert_int_equal(ip.tos, 0x01);
	assert_true(fou_addr_eq(&ip.src, &info.src));
	assert_true(fou_addr_eq(&ip.dst, &info.dst));
	t = fou_buf_data(&b) + ip.hlen;
	assert_int_equal(b.len - ip.hlen, 20 + PAY);
	/* a segment with a right checksum sums to zero over pseudo-header and all */
	assert_int_equal(fou_csum_fold(fou_csum_add(fou_csum_pseudo(&ip.src, &ip.dst, 6,
								      20 + PAY), t, 20 + PAY)), 0);
	assert_int_equal(fou_get32(t + 4), 0x01020304);
}

/* A rebuilt segment's checksum verifies iff the wire one did, through a NAT too. */
static void test_csum_ok(void **state)
{
	struct fou_tou_info info = { .src = addr("10.0.2.1"), .dst = addr("10.0.2.2") }, out;
	struct fou_buf b = mk_pkt("10.0.1.2", "10.0.2.2", 6), w;
	uint8_t *p;

	(void)state;
	assert_int_equal(fou_tou_encap(&b, &out), 0);
	w = b;
	assert_int_equal(fou_tou_decap(&b, &info), 0);
	assert_true(fou_tou_csum_ok(&b, &info));
	b = mk_pkt("10.0.1.2", "10.0.2.2", 6);
	assert_int_equal(fou_tou_encap(&b, &out), 0);
	p = fou_buf_data(&b);
	p[4 + 20 + 7] ^= 0x40;		/* one payload bit on the wire */
	assert_int_equal(fou_tou_decap(&b, &info), 0);
	assert_false(fou_tou_csum_ok(&b, &info));
	b = w;				/* too short to hold IP and TCP headers */
	b.len = 19;
	assert_false(fou_tou_csum_ok(&b, &info));
}

static void test_roundtrip_nat(void **state)
{
	(void)state;
	roundtrip("10.0.1.2", "10.0.2.2", "10.0.2.1", "10.0.2.2");	/* masquerade */
	roundtrip("10.0.1.2", "10.0.2.2", "10.0.1.2", "10.0.2.2");	/* no NAT */
	roundtrip("fd00:1::2", "fd00:2::2", "fd00:2::1", "fd00:2::2");
}

/*
 * RCO through a NAT, received partial: the field holds the pseudo-header sum
 * of the rebuilt header (CHECKSUM_PARTIAL); completing it, as the kernel
 * would, gives a checksum that verifies. Without RCO nothing is partial.
 */
static void rco_partial(const char *s, const char *d, const char *ns, const char *nd)
{
	struct fou_tou_info info = { .src = addr(ns), .dst = addr(nd) }, out;
	struct fou_buf b = mk_pkt(s, d, 6);
	size_t hlen = info.src.family == AF_INET6 ? 40 : 20;
	struct fou_addr src = addr(s), dst = addr(d);
	uint8_t *t = fou_buf_data(&b) + (src.family == AF_INET6 ? 40 : 20);
	bool partial = true;

	fou_put16(t + 16, (uint16_t)~fou_csum_fold(fou_csum_pseudo(&src, &dst, 6, 20 + PAY)));
	assert_int_equal(fou_tou_encap_rco(&b, &out), 0);
	assert_int_equal(fou_tou_decap_partial(&b, &info, &partial), 0);
	assert_true(partial);
	t = fou_buf_data(&b) + hlen;
	assert_int_equal(fou_get16(t + 16),
			 (uint16_t)~fou_csum_fold(fou_csum_pseudo(&info.src, &info.dst, 6, 20 + PAY)));
	assert_false(fou_tou_csum_ok(&b, &info));
	assert_int_equal(fou_csum_complete(fou_buf_data(&b), b.len, hlen, 16), 0);
	assert_true(fou_tou_csum_ok(&b, &info));
	b = mk_pkt(s, d, 6);
	assert_int_equal(fou_tou_encap(&b, &out), 0);
	assert_int_equal(fou_tou_decap_partial(&b, &info, &partial), 0);
	assert_false(partial);
	assert_true(fou_tou_csum_ok(&b, &info));
}

static void test_rco_partial(void **state)
{
	(void)state;
	rco_partial("10.0.1.2", "10.0.2.2", "10.0.2.1", "10.0.2.2");
	rco_partial("fd00:1::2", "fd00:2::2", "fd00:2::1", "fd00:2::2");
}

static void test_csum_helpers(void **state)
{
	struct fou_addr s = addr("10.1.2.3"), d = addr("10.9.8.7");
	uint16_t c;

	(void)state;
	for (c = 0; c < 0xfff0; c += 0x1111) {
		uint16_t back = fou_tou_csum_from_wire(fou_tou_csum_to_wire(c, &s, &d), &s, &d);

		/* 0 and 0xffff are the same one's-complement number */
		assert_true(back == c || (c == 0 && back == 0xffff));
	}
}

static struct fou_buf mk_gue(uint8_t b0, uint8_t proto, size_t tcplen)
{
	struct fou_buf b = { .head = mem, .cap = sizeof(mem), .off = HEAD };

	memset(mem, 0, sizeof(mem));
	mem[HEAD] = b0;
	mem[HEAD + 1] = proto;
	mem[HEAD + 4 + 12] = 5 << 4;
	b.len = 4 + tcplen;
	return b;
}

static void test_decap_rejects(void **state)
{
	struct fou_tou_info info = { .src = addr("10.0.0.1"), .dst = addr("10.0.0.2") };
	struct fou_buf b;

	(void)state;
	b = mk_gue(0, 17, 28);		/* UDP in GUE */
	assert_int_equal(fou_tou_decap(&b, &info), -FOU_DROP_TOU_PROTO);
	b = mk_gue(0, 4, 40);		/* IPIP in GUE: a tunnel's, not TOU's */
	assert_int_equal(fou_tou_decap(&b, &info), -FOU_DROP_TOU_PROTO);
	b = mk_gue(0x45, 0, 40);	/* variant 1, direct IPv4 */
	assert_int_equal(fou_tou_decap(&b, &info), -FOU_DROP_TOU_PROTO);
	b = mk_gue(0x20, 6, 40);	/* control message */
	assert_int_equal(fou_tou_decap(&b, &info), -FOU_DROP_GUE_CONTROL);
	b = mk_gue(0, 6, 19);		/* TCP header cut */
	assert_int_equal(fou_tou_decap(&b, &info), -FOU_DROP_TOO_SHORT);
	b = mk_gue(0, 6, 20);
	mem[HEAD + 4 + 12] = 6 << 4;	/* data offset past the end */
	assert_int_equal(fou_tou_decap(&b, &info), -FOU_DROP_TOO_SHORT);
	b = mk_gue(0, 6, 20);
	mem[HEAD + 4 + 12] = 4 << 4;	/* data offset under 20 */
	assert_int_equal(fou_tou_decap(&b, &info), -FOU_DROP_TOO_SHORT);
	b = mk_gue(0, 6, 20);
	info.dst = addr("::1");		/* families differ */
	assert_int_equal(fou_tou_decap(&b, &info), -FOU_DROP_BAD_IP);
}

static void test_encap_rejects(void **state)
{
	struct fou_tou_info info;
	struct fou_buf b;

	(void)state;
	b = mk_pkt("192.0.2.1", "192.0.2.2", 17);
	assert_int_equal(fou_tou_encap(&b, &info), -FOU_DROP_INNER_PROTO);
	b = mk_pkt("192.0.2.1", "192.0.2.2", 6);
	fou_put16(fou_buf_data(&b) + 6, FOU_IP_MF);	/* a first fragment */
	fou_put16(fou_buf_data(&b) + 10, 0);
	fou_put16(fou_buf_data(&b) + 10, fou_csum_fold(fou_csum_add(0, fou_buf_data(&b), 20)));
	assert_int_equal(fou_tou_encap(&b, &info), -FOU_DROP_INNER_PROTO);
	b = mk_pkt("192.0.2.1", "192.0.2.2", 6);
	b.len = 20 + 10;			/* IP says more than there is */
	assert_int_equal(fou_tou_encap(&b, &info), -FOU_DROP_TOO_SHORT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encap_v4),
		cmocka_unit_test(test_encap_v6_same_wire),
		cmocka_unit_test(test_roundtrip_nat),
		cmocka_unit_test(test_csum_ok),
		cmocka_unit_test(test_rco_partial),
		cmocka_unit_test(test_csum_helpers),
		cmocka_unit_test(test_decap_rejects),
		cmocka_unit_test(test_encap_rejects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
