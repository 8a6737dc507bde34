// SPDX-License-Identifier: MIT
/* virtio_net_hdr and software TSO of TCPv4/TCPv6 super-packets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/fou.h"

#define PAY	3000
#define MSS	1000

static uint8_t sp[64 + PAY], seg[2048];

/* A super-packet: IP, 20-byte TCP with seq 0x10000000, ACK|PSH|FIN|CWR. */
static size_t mk_super(int family, size_t pay)
{
	size_t ihl = family == AF_INET ? 20 : 40, i;
	uint8_t *t = sp + ihl;

	memset(sp, 0, sizeof(sp));
	if (family == AF_INET) {
		sp[0] = 0x45;
		fou_put16(sp + 2, (uint16_t)(ihl + 20 + pay));
		fou_put16(sp + 4, 0x1000);
		fou_put16(sp + 6, FOU_IP_DF);
		sp[8] = 64;
		sp[9] = 6;
		memcpy(sp + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
		fou_put16(sp + 10, fou_csum_fold(fou_csum_add(0, sp, 20)));
	} else {
		sp[0] = 0x60;
		fou_put16(sp + 4, (uint16_t)(20 + pay));
		sp[6] = 6;
		sp[7] = 64;
		sp[8] = 0xfd;
		sp[23] = 1;
		sp[24] = 0xfd;
		sp[39] = 2;
	}
	fou_put16(t, 40000);
	fou_put16(t + 2, 80);
	fou_put32(t + 4, 0x10000000);
	fou_put32(t + 8, 0x55);
	t[12] = 5 << 4;
	t[13] = 0x80 | 0x10 | 0x08 | 0x01;
	fou_put16(t + 14, 65535);
	for (i = 0; i < pay; i++)
		t[20 + i] = (uint8_t)(i * 7);
	return ihl + 20 + pay;
}

static void vh(struct fou_vnet_hdr *h, int family)
{
	memset(h, 0, sizeof(*h));
	h->flags = FOU_VNET_F_NEEDS_CSUM;
	h->gso_type = family == AF_INET ? FOU_VNET_GSO_TCPV4 : FOU_VNET_GSO_TCPV6;
	h->hdr_len = 9999;	/* not trusted */
	h->gso_size = MSS;
	h->csum_start = family == AF_INET ? 20 : 40;
	h->csum_offset = 16;
}

/* Partial segments (RCO): completed at l4off/l4off+16, each equals the full one. */
static void check_partial(int family, size_t pay)
{
	static uint8_t full[4096];
	struct fou_vnet_hdr h;
	struct fou_gso g, gp;
	size_t n = mk_super(family, pay), len, plen, ihl = family == AF_INET ? 20 : 40;
	unsigned int i = 0;
	int r;

	vh(&h, family);
	assert_int_equal(fou_gso_init(&g, &h, sp, n), 0);
	assert_int_equal(fou_gso_init(&gp, &h, sp, n), 0);
	gp.partial = true;
	while ((r = fou_gso_next(&g, full, sizeof(full), &len)) == 1) {
		assert_int_equal(fou_gso_next(&gp, seg, sizeof(seg), &plen), 1);
		assert_int_equal(plen, len);
		assert_memory_not_equal(seg + ihl + 16, full + ihl + 16, 2);
		assert_int_equal(fou_csum_complete(seg, plen, ihl, 16), 0);
		assert_memory_equal(seg, full, len);
		i++;
	}
	assert_int_equal(r, 0);
	assert_int_equal(fou_gso_next(&gp, seg, sizeof(seg), &plen), 0);
	assert_true(i > 1);
}

static void test_partial(void **state)
{
	(void)state;
	check_partial(AF_INET, 3 * MSS + 5);
	check_partial(AF_INET6, 2 * MSS + 1);
}

/*
 * TOU: each segment encapsulated with the header fou_gso_seg_ip() gives
 * (fou_tou_encap_seg) is byte for byte what parsing its own gives.
 */
static void check_tou_seg(int family, bool partial)
{
	static uint8_t a[64 + 2048], b2[64 + 2048];
	struct fou_tou_info ia, ib;
	struct fou_vnet_hdr h;
	struct fou_gso g;
	struct fou_ip ip;
	size_t n = mk_super(family, PAY), len;
	unsigned int i = 0;

	vh(&h, family);
	assert_int_equal(fou_gso_init(&g, &h, sp, n), 0);
	g.partial = partial;
	while (fou_gso_next(&g, seg, sizeof(seg), &len) == 1) {
		struct fou_buf ba = { .head = a, .cap = sizeof(a), .off = 64, .len = len };
		struct fou_buf bb = { .head = b2, .cap = sizeof(b2), .off = 64, .len = len };

		memcpy(a + 64, seg, len);
		memcpy(b2 + 64, seg, len);
		memset(&ia, 0, sizeof(ia));	/* its padding too */
		memset(&ib, 0, sizeof(ib));
		assert_int_equal(partial ? fou_tou_encap_rco(&ba, &ia) : fou_tou_encap(&ba, &ia), 0);
		fou_gso_seg_ip(&g, seg, len, &ip);
		assert_int_equal(fou_tou_encap_seg(&bb, &ib, &ip, partial), 0);
		assert_int_equal(bb.len, ba.len);
		assert_memory_equal(fou_buf_data(&bb), fou_buf_data(&ba), ba.len);
		assert_memory_equal(&ib, &ia, sizeof(ia));
		i++;
	}
	assert_int_equal(i, 3);
}

static void test_tou_seg(void **state)
{
	(void)state;
	check_tou_seg(AF_INET, false);
	check_tou_seg(AF_INET, true);
	check_tou_seg(AF_INET6, false);
	check_tou_seg(AF_INET6, true);
}

static void check_segs(int family, size_t pay, unsigned int nseg)
{
	struct fou_vnet_hdr h;
	struct fou_gso g;
	struct fou_ip ip;
	size_t n = mk_super(family, pay), len, ihl = family == AF_INET ? 20 : 40, got = 0;
	unsigned int i = 0;
	int r;

	vh(&h, family);
	assert_int_equal(fou_gso_init(&g, &h, sp, n), 0);
	while ((r = fou_gso_next(&g, seg, sizeof(seg), &len)) == 1) {
		const uint8_t *t = seg + ihl;
		size_t l4 = len - ihl;
		bool last = i == nseg - 1;

		assert_int_equal(fou_ip_parse(seg, len, &ip), 0);	/* v4 csum verified */
		assert_int_equal(ip.tot_len, len);
		if (family == AF_INET)
			assert_int_equal(ip.id, 0x1000 + i);
		assert_int_equal(l4, 20 + (last ? pay - MSS * i : MSS));
		assert_int_equal(fou_get32(t + 4), 0x10000000u + MSS * i);
		assert_int_equal(t[13] & 0x09, last ? 0x09 : 0);	/* FIN|PSH */
		assert_int_equal(t[13] & 0x80, i == 0 ? 0x80 : 0);	/* CWR */
		assert_int_equal(t[13] & 0x10, 0x10);
		assert_int_equal(fou_csum_fold(fou_csum_add(
			fou_csum_pseudo(&ip.src, &ip.dst, 6, (uint32_t)l4), t, l4)), 0);
		assert_memory_equal(t + 20, sp + ihl + 20 + got, l4 - 20);
		got += l4 - 20;
		i++;
	}
	assert_int_equal(r, 0);
	assert_int_equal(i, nseg);
	assert_int_equal(got, pay);
}

static void test_tcpv4(void **state)
{
	(void)state;
	check_segs(AF_INET, PAY, 3);
	check_segs(AF_INET, PAY - 1, 3);
	check_segs(AF_INET, 1, 1);
	check_segs(AF_INET, 2001, 3);
}

static void test_tcpv6(void **state)
{
	(void)state;
	check_segs(AF_INET6, PAY, 3);
	check_segs(AF_INET6, 1500, 2);
}

static void test_bad_hdr(void **state)
{
	struct fou_vnet_hdr h;
	struct fou_gso g;
	size_t n = mk_super(AF_INET, 100), i, len;

	(void)state;
	vh(&h, AF_INET);
	h.gso_type = FOU_VNET_GSO_TCPV6;
	assert_int_equal(fou_gso_init(&g, &h, sp, n), -FOU_DROP_BAD_GSO);
	vh(&h, AF_INET);
	h.csum_start = 24;
	assert_int_equal(fou_gso_init(&g, &h, sp, n), -FOU_DROP_BAD_GSO);
	vh(&h, AF_INET);
	h.csum_offset = 6;
	assert_int_equal(fou_gso_init(&g, &h, sp, n), -FOU_DROP_BAD_GSO);
	vh(&h, AF_INET);
	h.gso_size = 0;
	assert_int_equal(fou_gso_init(&g, &h, sp, n), -FOU_DROP_BAD_GSO);
	vh(&h, AF_INET);
	h.gso_type = FOU_VNET_GSO_UDP;
	assert_int_equal(fou_gso_init(&g, &h, sp, n), -FOU_DROP_BAD_GSO);
	vh(&h, AF_INET);
	sp[32] = 4 << 4;	/* TCP data offset 4 */
	assert_int_equal(fou_gso_init(&g, &h, sp, n), -FOU_DROP_BAD_GSO);
	n = mk_super(AF_INET, 100);
	for (i = 0; i < n; i++)
		assert_true(fou_gso_init(&g, &h, sp, i) < 0);
	assert_int_equal(fou_gso_init(&g, &h, sp, n), 0);
	assert_int_equal(fou_gso_next(&g, seg, 50, &len), -FOU_DROP_TOO_SHORT);
	h.gso_type |= FOU_VNET_GSO_ECN;
	assert_int_equal(fou_gso_init(&g, &h, sp, n), 0);
}

static void test_vnet(void **state)
{
	static const uint8_t raw[] = { 0x01, 0x04, 0x36, 0x00, 0xa0, 0x05, 0x28, 0x00, 0x10, 0x00 };
	struct fou_vnet_hdr h;
	uint8_t out[10];
	size_t n;

	(void)state;
	assert_int_equal(fou_vnet_parse(raw, sizeof(raw), &h), 0);
	assert_int_equal(h.flags, FOU_VNET_F_NEEDS_CSUM);
	assert_int_equal(h.gso_type, FOU_VNET_GSO_TCPV6);
	assert_int_equal(h.hdr_len, 54);
	assert_int_equal(h.gso_size, 1440);
	assert_int_equal(h.csum_start, 40);
	assert_int_equal(h.csum_offset, 16);
	fou_vnet_put(out, &h);
	assert_memory_equal(out, raw, sizeof(raw));
	for (n = 0; n < sizeof(raw); n++)
		assert_int_equal(fou_vnet_parse(raw, n, &h), -FOU_DROP_TOO_SHORT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcpv4),
		cmocka_unit_test(test_tcpv6),
		cmocka_unit_test(test_bad_hdr),
		cmocka_unit_test(test_partial),
		cmocka_unit_test(test_tou_seg),
		cmocka_unit_test(test_vnet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
