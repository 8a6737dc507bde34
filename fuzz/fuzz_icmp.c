// SPDX-License-Identifier: MIT
/*
 * fou_icmp_too_big on any "original" packet. Input: 4 bytes MTU, 2 bytes
 * output capacity (big-endian), then the packet. The output buffer has
 * exactly that capacity, on the heap.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *orig, *out;
	size_t cap, len, outlen = 12345;
	uint32_t mtu;
	int ret;

	if (size < 6)
		return 0;
	mtu = fou_get32(data);
	cap = fou_get16(data + 4);
	len = size - 6;
	orig = fuzz_dup(data + 6, len);
	out = malloc(cap ? cap : 1);
	if (!out)
		abort();
	ret = fou_icmp_too_big(out, cap, &outlen, orig, len, mtu);
	fuzz_reason_ok(ret);
	if (ret == 0) {
		struct fou_ip ip;

		FUZZ_CHECK(outlen <= cap && outlen <= 1280);
		FUZZ_CHECK(fou_ip_parse(out, outlen, &ip) == 0);
		FUZZ_CHECK(ip.tot_len == outlen);
		FUZZ_CHECK(ip.proto == FOU_PROTO_ICMP || ip.proto == FOU_PROTO_ICMPV6);
	} else {
		FUZZ_CHECK(outlen == 0);
	}
	free(out);
	free(orig);
	return 0;
}
