// SPDX-License-Identifier: MIT
/*
 * fou_vnet_parse, fou_gso_init and fou_gso_next: a TUN read with its
 * virtio_net_hdr (10 bytes) in front, cut into segments. Every segment
 * must be a valid IP packet within the output buffer.
 */
#include "fuzz.h"

#define MAX_SEGS 4096	/* gso_size 1 on 64 KiB: enough to see it work, not to spin */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[65536 + 64];
	struct fou_vnet_hdr h;
	struct fou_gso g;
	uint8_t *p;
	size_t len, outlen, total = 0;
	unsigned int n;
	int ret;

	ret = fou_vnet_parse(data, size, &h);
	fuzz_reason_ok(ret);
	if (ret)
		return 0;
	len = size - FOU_VNET_HLEN;
	p = fuzz_dup(data + FOU_VNET_HLEN, len);
	ret = fou_gso_init(&g, &h, p, len);
	fuzz_reason_ok(ret);
	for (n = 0; ret == 0 && n < MAX_SEGS; n++) {
		struct fou_ip ip;

		/* The output buffer is sized to the segment's upper bound on odd steps. */
		size_t cap = (n & 1) ? g.hlen + g.mss : sizeof(out);

		if (cap > sizeof(out))
			cap = sizeof(out);
		outlen = 0;
		ret = fou_gso_next(&g, out, cap, &outlen);
		if (ret != 1) {
			fuzz_reason_ok(ret);
			break;
		}
		ret = 0;
		FUZZ_CHECK(outlen <= cap && outlen >= g.hlen);
		FUZZ_CHECK(fou_ip_parse(out, outlen, &ip) == 0);
		FUZZ_CHECK(ip.tot_len == outlen && ip.proto == FOU_PROTO_TCP);
		total += outlen - g.hlen;
		FUZZ_CHECK(total <= len);
	}
	free(p);
	return 0;
}
