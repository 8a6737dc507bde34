// SPDX-License-Identifier: MIT
/* VXLAN (RFC 7348) push/pull and the L2 source-port hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/l2.h"

/* VNI 0x123456, then an inner frame: dst, src, type 0x0800, "ab". */
static const uint8_t pkt[] = {
	0x08, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x00,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x08, 0x00, 'a', 'b',
};
#define HDR	8

static uint8_t st[256];

static struct fou_buf mk(const uint8_t *p, size_t n)
{
	struct fou_buf b = { st, sizeof(st), 64, n };

	memset(st, 0, sizeof(st));
	if (n)
		memcpy(st + 64, p, n);
	return b;
}

static void test_push(void **state)
{
	struct fou_buf b = mk(pkt + HDR, sizeof(pkt) - HDR);

	(void)state;
	assert_int_equal(fou_vxlan_push(&b, 0x123456), 0);
	assert_int_equal(b.len, sizeof(pkt));
	assert_memory_equal(fou_buf_data(&b), pkt, sizeof(pkt));
	/* Bits above 24 never leak into the reserved byte or the flags. */
	b = mk(pkt + HDR, sizeof(pkt) - HDR);
	assert_int_equal(fou_vxlan_push(&b, 0xff000001), 0);
	assert_memory_equal(fou_buf_data(&b), "\x08\x00\x00\x00\x00\x00\x01\x00", 8);
	b = mk(NULL, 0);
	b.off = 7;
	assert_int_equal(fou_vxlan_push(&b, 1), -FOU_DROP_TOO_SHORT);
	assert_int_equal(b.off, 7);
}

static void test_pull(void **state)
{
	struct fou_buf b = mk(pkt, sizeof(pkt));
	uint32_t vni = 0;

	(void)state;
	assert_int_equal(fou_vxlan_pull(&b, &vni), 0);
	assert_int_equal(vni, 0x123456);
	assert_int_equal(b.len, sizeof(pkt) - HDR);
	assert_memory_equal(fou_buf_data(&b), pkt + HDR, b.len);
}

static void test_reserved_ignored(void **state)
{
	uint8_t p[sizeof(pkt)];
	struct fou_buf b;
	uint32_t vni;

	(void)state;
	memcpy(p, pkt, sizeof(p));
	p[0] = 0xff;		/* every flag */
	p[1] = p[2] = p[3] = 0xa5;
	p[7] = 0x5a;		/* reserved byte after the VNI */
	b = mk(p, sizeof(p));
	assert_int_equal(fou_vxlan_pull(&b, &vni), 0);
	assert_int_equal(vni, 0x123456);
}

static void test_no_i_flag(void **state)
{
	uint8_t p[sizeof(pkt)];
	struct fou_buf b;
	uint32_t vni;

	(void)state;
	memcpy(p, pkt, sizeof(p));
	p[0] = 0xf7;		/* everything but I */
	b = mk(p, sizeof(p));
	assert_int_equal(fou_vxlan_pull(&b, &vni), -FOU_DROP_VXLAN_FLAGS);
	assert_int_equal(b.off, 64);
	assert_int_equal(b.len, sizeof(p));
}

static void test_truncated(void **state)
{
	size_t n;

	(void)state;
	/* Header and inner Ethernet header are both required. */
	for (n = 0; n < HDR + FOU_ETH_HLEN; n++) {
		struct fou_buf b = mk(pkt, n);
		uint32_t vni;

		assert_int_equal(fou_vxlan_pull(&b, &vni), -FOU_DROP_TOO_SHORT);
		assert_int_equal(b.off, 64);
		assert_int_equal(b.len, n);
	}
}

static void test_round_trip(void **state)
{
	uint32_t v, out;

	(void)state;
	for (v = 0; v <= FOU_VNI_MASK; v += 0x10101) {
		struct fou_buf b = mk(pkt + HDR, sizeof(pkt) - HDR);

		assert_int_equal(fou_vxlan_push(&b, v), 0);
		assert_int_equal(fou_vxlan_pull(&b, &out), 0);
		assert_int_equal(out, v);
	}
}

/* Ethernet + IPv4 UDP frame from 10.0.0.s:sport to 10.0.0.2:53, optional tag. */
static size_t frame(uint8_t *f, uint8_t s, uint16_t sport, bool tag)
{
	uint8_t *ip;
	size_t off = 12;

	memset(f, 0, 64);
	memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	if (tag) {
		fou_put16(f + off, FOU_ETH_P_8021Q);
		fou_put16(f + off + 2, 100);
		off += 4;
	}
	fou_put16(f + off, FOU_ETH_P_IP);
	ip = f + off + 2;
	ip[0] = 0x45;
	fou_put16(ip + 2, 28);
	ip[8] = 64;
	ip[9] = FOU_PROTO_UDP;
	memcpy(ip + 12, "\x0a\x00\x00\x00\x0a\x00\x00\x02", 8);
	ip[15] = s;
	fou_put16(ip + 10, fou_csum_fold(fou_csum_add(0, ip, 20)));
	fou_put16(ip + 20, sport);
	fou_put16(ip + 22, 53);
	fou_put16(ip + 24, 8);
	return off + 2 + 28;
}

static void test_eth_hash_ip(void **state)
{
	uint8_t a[64], b[64];
	size_t la, lb;

	(void)state;
	la = frame(a, 1, 1000, false);
	lb = frame(b, 1, 1000, true);
	/* The inner flow decides: tagged or not, MACs or not. */
	assert_int_equal(fou_eth_hash(a, la, 7), fou_flow_hash(a + 14, la - 14, 7));
	assert_int_equal(fou_eth_hash(a, la, 7), fou_eth_hash(b, lb, 7));
	a[0] ^= 0x10;
	assert_int_equal(fou_eth_hash(a, la, 7), fou_eth_hash(b, lb, 7));
	lb = frame(b, 1, 1001, false);
	assert_int_not_equal(fou_eth_hash(a, la, 7), fou_eth_hash(b, lb, 7));
	assert_int_not_equal(fou_eth_hash(a, la, 7), fou_eth_hash(a, la, 8));
}

static void test_eth_hash_mac(void **state)
{
	uint8_t a[64];
	uint32_t h;

	(void)state;
	memset(a, 0, sizeof(a));
	memcpy(a, "\xff\xff\xff\xff\xff\xff\x02\x00\x00\x00\x00\x01\x08\x06", 14);
	h = fou_eth_hash(a, 42, 0);
	assert_int_not_equal(h, 0);
	/* ARP: only the addresses and the ethertype count. */
	a[20] = 0x55;
	assert_int_equal(fou_eth_hash(a, 42, 0), h);
	a[11] = 0x02;
	assert_int_not_equal(fou_eth_hash(a, 42, 0), h);
	/* Too short to be Ethernet: still a valid non-zero hash. */
	assert_int_equal(fou_eth_hash(a, 13, 0), 1);
	/* A tag cut short falls back to the addresses. */
	memcpy(a + 12, "\x81\x00\x00", 3);
	assert_int_not_equal(fou_eth_hash(a, 15, 0), 0);
}

static void test_sport(void **state)
{
	uint8_t a[64];
	unsigned int hits[4] = { 0 };
	uint16_t p, q;
	size_t la;
	int s;

	(void)state;
	for (s = 0; s < 256; s++) {
		la = frame(a, (uint8_t)s, (uint16_t)(1000 + s), false);
		p = fou_l2_sport(a, la, 1, 49152, 65535);
		assert_true(p >= 49152 && p < 65535);
		q = fou_l2_sport(a, la, 1, 49152, 65535);
		assert_int_equal(p, q);
		hits[(p - 49152) * 4 / (65535 - 49152)]++;
		/* Default range when min >= max, as ip_local_port_range. */
		p = fou_l2_sport(a, la, 1, 0, 0);
		assert_true(p >= 32768 && p < 60999);
	}
	/* Spread: every quarter of the range is used. */
	for (s = 0; s < 4; s++)
		assert_true(hits[s] > 20);
	/* Known answer: the scaling of udp_flow_src_port(). */
	la = frame(a, 9, 4242, false);
	assert_int_equal(fou_l2_sport(a, la, 3, 1, 65535),
			 fou_flow_sport(fou_flow_hash(a + 14, la - 14, 3), 1, 65535));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push),
		cmocka_unit_test(test_pull),
		cmocka_unit_test(test_reserved_ignored),
		cmocka_unit_test(test_no_i_flag),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_eth_hash_ip),
		cmocka_unit_test(test_eth_hash_mac),
		cmocka_unit_test(test_sport),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
