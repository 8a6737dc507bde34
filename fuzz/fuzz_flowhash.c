// SPDX-License-Identifier: MIT
/*
 * fou_flow_hash on any bytes and fou_flow_sport on its result. Input:
 * 4 bytes seed, 2 + 2 bytes port range, then the packet.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t seed, h;
	uint16_t min, max, port;
	uint8_t *p;
	size_t len;

	if (size < 8)
		return 0;
	seed = fou_get32(data);
	min = fou_get16(data + 4);
	max = fou_get16(data + 6);
	len = size - 8;
	p = fuzz_dup(data + 8, len);
	h = fou_flow_hash(p, len, seed);
	FUZZ_CHECK(h != 0);
	FUZZ_CHECK(h == fou_flow_hash(p, len, seed));
	if (min < max) {
		port = fou_flow_sport(h, min, max);
		FUZZ_CHECK(port >= min && port < max);
	}
	free(p);
	return 0;
}
