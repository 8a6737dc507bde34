// SPDX-License-Identifier: MIT
/* fou_gre_pull: version, routing/reserved bits, options, checksum. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p = fuzz_dup(data, size);
	struct fou_buf b = { p, size, 0, size };
	struct fou_gre g;
	int ret;

	memset(&g, 0, sizeof(g));
	ret = fou_gre_pull(&b, &g);
	fuzz_reason_ok(ret);
	fuzz_buf_sane(&b);
	if (ret == 0) {
		FUZZ_CHECK(b.off == fou_gre_hdr_len(g.flags));
		FUZZ_CHECK(b.off <= FOU_GRE_MAX_HLEN);
		FUZZ_CHECK(b.off + b.len == size);
		FUZZ_CHECK((g.flags & ~(FOU_GRE_CSUM | FOU_GRE_KEY | FOU_GRE_SEQ)) == 0);
		FUZZ_CHECK((fou_get16(data) & (FOU_GRE_VERSION | FOU_GRE_ROUTING |
					       FOU_GRE_RESERVED0)) == 0);
	} else {
		FUZZ_CHECK(b.off == 0 && b.len == size);
	}
	free(p);
	return 0;
}
