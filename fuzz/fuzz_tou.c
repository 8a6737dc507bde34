// SPDX-License-Identifier: MIT
/*
 * Transports over UDP: fou_tou_decap on a UDP payload (the first byte picks
 * IPv4 or IPv6 outer addresses) and fou_tou_encap on what it rebuilt, which
 * must give back the same TCP segment; fou_tou_encap on the input as an
 * inner packet, which must never read or write outside it; the session ids
 * (peek, pull) on the payload, which push must give back byte for byte.
 */
#include "fuzz.h"
#include "fou/gue_auth.h"
#include "fou/tou_session.h"

#define HEAD 64
#define FUZZ_TOU_MAX 65536

static void decap_encap(const uint8_t *data, size_t size)
{
	struct fou_tou_info in = { 0 }, out;
	uint8_t *p = malloc(HEAD + size + 1);
	struct fou_buf b = { p, HEAD + size, HEAD, size };
	int ret;

	if (!p)
		abort();
	memcpy(p + HEAD, data, size);
	in.src.family = in.dst.family = size && (data[0] & 1) ? AF_INET6 : AF_INET;
	memcpy(in.src.a, "\xfd\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02", 16);
	memcpy(in.dst.a, "\xc0\x00\x02\x07\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09", 16);
	ret = fou_tou_decap(&b, &in);
	fuzz_reason_ok(ret);
	fuzz_buf_sane(&b);
	if (ret == 0) {
		size_t tcplen = b.len - (in.src.family == AF_INET ? 20 : 40);
		/* The segment as decap left it: GUE remote checksum offload may have written into it. */
		uint8_t tcp[FUZZ_TOU_MAX];
		uint16_t c0, c1;

		FUZZ_CHECK(tcplen >= 20 && tcplen <= size - 4);
		if (tcplen > sizeof(tcp))
			goto out;
		memcpy(tcp, fou_buf_data(&b) + (b.len - tcplen), tcplen);
		FUZZ_CHECK(fou_tou_encap(&b, &out) == 0);
		FUZZ_CHECK(b.len == tcplen + 4);
		FUZZ_CHECK(!memcmp(fou_buf_data(&b), "\x00\x06\x00\x00", 4));
		/* Same segment back; the checksum may come back as the other zero. */
		FUZZ_CHECK(!memcmp(fou_buf_data(&b) + 4, tcp, 16));
		FUZZ_CHECK(!memcmp(fou_buf_data(&b) + 4 + 18, tcp + 18, tcplen - 18));
		c0 = fou_tou_csum_to_wire(fou_get16(tcp + 16), &in.src, &in.dst);
		c1 = fou_get16(fou_buf_data(&b) + 4 + 16);
		FUZZ_CHECK(c0 == c1 || (c0 | c1) == 0xffff);
		FUZZ_CHECK(fou_addr_eq(&out.src, &in.src) && fou_addr_eq(&out.dst, &in.dst));
	}
out:
	free(p);
}

static void sessions(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(HEAD + size + 1);
	struct fou_buf b = { p, HEAD + size, HEAD, size };
	struct fou_tou_sid peek, id;
	int ret;

	if (!p)
		abort();
	memcpy(p + HEAD, data, size);
	fuzz_reason_ok(fou_tou_sid_peek(&b, &peek));
	ret = fou_tou_sid_pull(&b, &id);
	fuzz_reason_ok(ret);
	fuzz_buf_sane(&b);
	if (ret == 0 && id.flags) {
		/* Without a security field the lookup read what the parser reads. */
		if (!(fou_get16(data + 2) & FOU_GUE_FLAG_SEC_MASK))
			FUZZ_CHECK(peek.flags == id.flags && peek.src == id.src && peek.dst == id.dst);
		FUZZ_CHECK(fou_tou_sid_push(&b, &id) == 0);
		FUZZ_CHECK(b.len == size && !memcmp(fou_buf_data(&b), data, size));
	}
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fou_tou_info info;
	uint8_t *p = fuzz_dup(data, size);
	struct fou_buf b = { p, size, 0, size };
	int ret;

	decap_encap(data, size);
	sessions(data, size);
	ret = fou_tou_encap(&b, &info);
	fuzz_reason_ok(ret);
	fuzz_buf_sane(&b);
	if (ret == 0)
		FUZZ_CHECK(b.len >= 24 && !memcmp(fou_buf_data(&b), "\x00\x06\x00\x00", 4));
	free(p);
	return 0;
}
