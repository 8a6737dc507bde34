// SPDX-License-Identifier: MIT
/* fou_gue_pull on a UDP payload: flags, Hlen, proto 0, remote checksum offload. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = fuzz_dup(data, size);
	struct fou_buf b = { p, size, 0, size };
	uint8_t proto = 0;
	int ret;

	ret = fou_gue_pull(&b, &proto);
	fuzz_reason_ok(ret);
	fuzz_buf_sane(&b);
	if (ret == 0) {
		/* Something to hand on, never the control or the reserved proto. */
		FUZZ_CHECK(proto != 0);
		FUZZ_CHECK(b.off <= FOU_GUE_MAX_HLEN);
		FUZZ_CHECK(b.off + b.len == size);
		if (b.off == 0)		/* variant 1: direct IP */
			FUZZ_CHECK(proto == FOU_PROTO_IPIP || proto == FOU_PROTO_IPV6);
	} else {
		FUZZ_CHECK(b.off == 0 && b.len == size);
	}
	free(p);
	return 0;
}
