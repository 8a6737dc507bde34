// SPDX-License-Identifier: MIT
/* Never nest: the judge walks to the transport header, or says why not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "fou/fou.h"

/* An IPv4 header of ihl words, total tot, protocol proto, fragment field frag. */
static size_t ip4(uint8_t *p, unsigned int ihl, uint16_t tot, uint8_t proto, uint16_t frag)
{
	memset(p, 0, tot);
	p[0] = (uint8_t)(0x40 | ihl);
	fou_put16(p + 2, tot);
	fou_put16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	return ihl * 4;
}

/* An IPv6 header, payload plen, first next header nh. */
static void ip6(uint8_t *p, uint16_t plen, uint8_t nh)
{
	memset(p, 0, 40 + plen);
	p[0] = 0x60;
	fou_put16(p + 4, plen);
	p[6] = nh;
}

static int judge(const uint8_t *p, size_t len, bool l2, uint8_t proto, uint16_t dport)
{
	struct fou_nest n = { 0xff, 0xffff };
	int ret = fou_nest_judge(p, len, l2, &n);

	if (ret == FOU_NEST_L4) {
		assert_int_equal(n.proto, proto);
		assert_int_equal(n.dport, dport);
	}
	return ret;
}

static void test_v4(void **state)
{
	uint8_t p[128];
	size_t off;

	(void)state;
	off = ip4(p, 5, 28, FOU_PROTO_UDP, FOU_IP_DF);
	fou_put16(p + off + 2, 5555);
	assert_int_equal(judge(p, 28, false, FOU_PROTO_UDP, 5555), FOU_NEST_L4);
	/* Options: the ports after them. */
	off = ip4(p, 7, 36, FOU_PROTO_TCP, 0);
	fou_put16(p + off + 2, 7471);
	assert_int_equal(judge(p, 36, false, FOU_PROTO_TCP, 7471), FOU_NEST_L4);
	/* A first fragment carries the ports; a later one cannot. */
	off = ip4(p, 5, 28, FOU_PROTO_UDP, FOU_IP_MF);
	fou_put16(p + off + 2, 5555);
	assert_int_equal(judge(p, 28, false, FOU_PROTO_UDP, 5555), FOU_NEST_L4);
	ip4(p, 5, 28, FOU_PROTO_UDP, 1);
	assert_int_equal(judge(p, 28, false, 0, 0), FOU_NEST_LATER_FRAG);
	/* A first fragment too short for the ports: cannot be judged. */
	ip4(p, 5, 22, FOU_PROTO_UDP, FOU_IP_MF);
	assert_int_equal(judge(p, 22, false, 0, 0), FOU_NEST_UNKNOWN);
	/* AH, then UDP; ESP ends the walk. */
	off = ip4(p, 5, 20 + 12 + 8, 51, 0);
	p[off] = FOU_PROTO_UDP;
	p[off + 1] = 1;
	fou_put16(p + off + 12 + 2, 6081);
	assert_int_equal(judge(p, 40, false, FOU_PROTO_UDP, 6081), FOU_NEST_L4);
	ip4(p, 5, 28, 50, 0);
	assert_int_equal(judge(p, 28, false, 0, 0), FOU_NEST_END);
	/* Fragment and hop-by-hop are IPv6's: as IPv4 protocols, no ports behind them. */
	ip4(p, 5, 28, 44, 0);
	assert_int_equal(judge(p, 28, false, 44, 0), FOU_NEST_L4);
	/* A raw protocol needs no ports. */
	ip4(p, 5, 20, FOU_PROTO_IPIP, FOU_IP_MF);
	assert_int_equal(judge(p, 20, false, FOU_PROTO_IPIP, 0), FOU_NEST_L4);
	/* Headers the kernel drops: IHL < 5, total past the packet, version, nothing. */
	ip4(p, 4, 28, FOU_PROTO_UDP, 0);
	assert_int_equal(judge(p, 28, false, 0, 0), FOU_NEST_BAD_IP);
	ip4(p, 5, 28, FOU_PROTO_UDP, 0);
	assert_int_equal(judge(p, 27, false, 0, 0), FOU_NEST_BAD_IP);
	p[0] = 0x55;
	assert_int_equal(judge(p, 28, false, 0, 0), FOU_NEST_BAD_IP);
	assert_int_equal(judge(p, 0, false, 0, 0), FOU_NEST_BAD_IP);
	/* A whole packet too short for the ports. */
	ip4(p, 5, 22, FOU_PROTO_TCP, 0);
	assert_int_equal(judge(p, 22, false, 0, 0), FOU_NEST_UNKNOWN);
}

static void test_v6(void **state)
{
	uint8_t p[256];

	(void)state;
	ip6(p, 8, FOU_PROTO_UDP);
	fou_put16(p + 42, 6080);
	assert_int_equal(judge(p, 48, false, FOU_PROTO_UDP, 6080), FOU_NEST_L4);
	/* Hop-by-hop, destination options (16 bytes), routing, then UDP. */
	ip6(p, 8 + 8 + 16 + 8, 0);
	p[40] = 60;
	p[48] = 43;
	p[49] = 1;
	p[64] = FOU_PROTO_UDP;
	fou_put16(p + 74, 5555);
	assert_int_equal(judge(p, 80, false, FOU_PROTO_UDP, 5555), FOU_NEST_L4);
	/* AH (length in 4-byte words, minus 2) then TCP. */
	ip6(p, 12 + 20, 51);
	p[40] = FOU_PROTO_TCP;
	p[41] = 1;
	fou_put16(p + 54, 7471);
	assert_int_equal(judge(p, 72, false, FOU_PROTO_TCP, 7471), FOU_NEST_L4);
	/* First fragment with UDP whole in it; a later fragment. */
	ip6(p, 8 + 8, 44);
	p[40] = FOU_PROTO_UDP;
	fou_put16(p + 42, 1);		/* M */
	fou_put16(p + 50, 5555);
	assert_int_equal(judge(p, 56, false, FOU_PROTO_UDP, 5555), FOU_NEST_L4);
	fou_put16(p + 42, 8 << 3);
	assert_int_equal(judge(p, 56, false, 0, 0), FOU_NEST_LATER_FRAG);
	/* RFC 7112: a first fragment whose chain stops before UDP. */
	ip6(p, 8 + 8, 44);
	p[40] = 60;
	fou_put16(p + 42, 1);
	p[48] = FOU_PROTO_UDP;
	assert_int_equal(judge(p, 56, false, 0, 0), FOU_NEST_UNKNOWN);
	/* ESP, no next header: nothing more to see. */
	ip6(p, 8, 50);
	assert_int_equal(judge(p, 48, false, 0, 0), FOU_NEST_END);
	ip6(p, 0, 59);
	assert_int_equal(judge(p, 40, false, 0, 0), FOU_NEST_END);
	/* Truncated: payload length past the packet; an extension past the payload. */
	ip6(p, 8, FOU_PROTO_UDP);
	assert_int_equal(judge(p, 47, false, 0, 0), FOU_NEST_BAD_IP);
	ip6(p, 8, 0);
	p[41] = 1;
	assert_int_equal(judge(p, 48, false, 0, 0), FOU_NEST_UNKNOWN);
}

static void test_l2(void **state)
{
	uint8_t f[128];

	(void)state;
	memset(f, 0, sizeof(f));
	fou_put16(f + 12, 0x88a8);
	fou_put16(f + 16, 0x8100);
	fou_put16(f + 20, FOU_ETH_P_IP);
	ip4(f + 22, 5, 28, FOU_PROTO_UDP, 0);
	fou_put16(f + 44, 4789);
	/* Padding after the IP packet is the link's. */
	assert_int_equal(judge(f, 64, true, FOU_PROTO_UDP, 4789), FOU_NEST_L4);
	fou_put16(f + 12, FOU_ETH_P_IPV6);
	ip6(f + 14, 8, FOU_PROTO_UDP);
	fou_put16(f + 56, 6081);
	assert_int_equal(judge(f, 62, true, FOU_PROTO_UDP, 6081), FOU_NEST_L4);
	fou_put16(f + 12, 0x0806);	/* ARP */
	assert_int_equal(judge(f, 60, true, 0, 0), FOU_NEST_NOT_IP);
	fou_put16(f + 12, 0x8100);	/* a tag cut short */
	assert_int_equal(judge(f, 16, true, 0, 0), FOU_NEST_NOT_IP);
	fou_put16(f + 12, FOU_ETH_P_IP);	/* IPv4 said, not there */
	assert_int_equal(judge(f, 20, true, 0, 0), FOU_NEST_BAD_IP);
	memset(f + 14, 0, 46);			/* zeros: no IP the kernel takes */
	assert_int_equal(judge(f, 60, true, 0, 0), FOU_NEST_BAD_IP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v4),
		cmocka_unit_test(test_v6),
		cmocka_unit_test(test_l2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
