// SPDX-License-Identifier: MIT
/*
 * fou_ip_parse, fou_ip_l4_ports and the nesting judge (as an IP packet and
 * as an Ethernet frame) on any bytes; then ECN decapsulation on the result.
 */
#include "fuzz.h"

/* The judge's answer is one of its results; a port only with TCP or UDP. */
static bool nest_ok(const uint8_t *p, size_t size, bool l2)
{
	struct fou_nest n = { 0 };
	int ret = fou_nest_judge(p, size, l2, &n);

	if (ret == FOU_NEST_L4)
		return n.dport == 0 || n.proto == FOU_PROTO_TCP || n.proto == FOU_PROTO_UDP;
	return ret >= FOU_NEST_NOT_IP && ret <= FOU_NEST_UNKNOWN;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = fuzz_dup(data, size);
	struct fou_ip ip;
	uint16_t sport, dport;
	uint8_t proto;
	int ret;

	ret = fou_ip_parse(p, size, &ip);
	fuzz_reason_ok(ret);
	if (ret == 0) {
		FUZZ_CHECK(ip.family == AF_INET || ip.family == AF_INET6);
		FUZZ_CHECK(ip.hlen <= ip.tot_len && ip.tot_len <= size);
		FUZZ_CHECK(ip.hlen >= (ip.family == AF_INET ? FOU_IPV4_HLEN : FOU_IPV6_HLEN));
		FUZZ_CHECK(ip.src.family == ip.family && ip.dst.family == ip.family);
	}
	ret = fou_ip_l4_ports(p, size, &proto, &sport, &dport);
	fuzz_reason_ok(ret);
	if (ret == 0)
		FUZZ_CHECK(proto == FOU_PROTO_TCP || proto == FOU_PROTO_UDP ||
			   proto == 132 || proto == 136);	/* SCTP, UDP-Lite */
	FUZZ_CHECK(nest_ok(p, size, false) && nest_ok(p, size, true));
	/* Outer CE onto whatever it is: only the inner TOS and checksum may change. */
	if (size)
		fuzz_reason_ok(fou_ecn_decap(p, size, data[0] & FOU_ECN_MASK ? FOU_ECN_CE : 0));
	free(p);
	return 0;
}
