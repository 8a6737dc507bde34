// SPDX-License-Identifier: MIT
/*
 * The L2 overlay decoders: the first byte picks VXLAN, Geneve, NVGRE, the
 * STT header, or a stream of STT segments into bounded reassembly; a frame
 * that passes goes through ECN decapsulation and the outer TTL/TOS.
 */
#include "fuzz.h"
#include "fou/l2.h"

static void one_pull(uint8_t sel, uint8_t *p, size_t n)
{
	static const struct fou_geneve_opt_id known[] = { { 0x0102, 0x80 } };
	struct fou_buf b = { p, n, 0, n };
	struct fou_geneve g;
	struct fou_stt s;
	uint32_t vni = 0, vsid = 0;
	uint8_t flowid = 0;
	int ret;

	switch (sel % 4) {
	case 0:
		ret = fou_vxlan_pull(&b, &vni);
		if (!ret)
			FUZZ_CHECK(vni <= FOU_VNI_MASK && b.len >= FOU_ETH_HLEN);
		break;
	case 1:
		ret = fou_geneve_pull(&b, known, 1, &g);
		if (!ret)
			FUZZ_CHECK(g.opts_len <= FOU_GENEVE_MAX_OPTLEN && b.len >= FOU_ETH_HLEN &&
				   g.opts + g.opts_len == p + b.off);
		break;
	case 2:
		ret = fou_nvgre_pull(&b, &vsid, &flowid);
		if (ret)	/* a refused packet is left as it was */
			FUZZ_CHECK(b.off == 0 && b.len == n);
		break;
	default:
		ret = fou_stt_pull(&b, &s);
		break;
	}
	fuzz_reason_ok(ret);
	fuzz_buf_sane(&b);
	if (!ret)
		FUZZ_CHECK(b.off + b.len == n);
	/* What the daemon does next with the frame: ECN under an outer CE; the outer TTL it would send. */
	if (!ret) {
		const struct fou_l2_hop h = { sel, sel & 0x40, (uint8_t)(sel >> 3), sel & 0x20, 64 };
		uint8_t tos, ttl;

		fuzz_reason_ok(fou_l2_ecn_decap(fou_buf_data(&b), b.len, FOU_ECN_CE));
		fou_l2_outer(&h, fou_buf_data(&b), b.len, &tos, &ttl);
		FUZZ_CHECK(ttl != 0);
	}
}

/* Records: frame_len(2) offset(2) id(1) plen(2) payload; time advances 1 s each. */
static void stt_stream(const uint8_t *p, size_t n)
{
	static uint8_t *mem;
	static struct fou_stt_reasm r;
	struct fou_addr a = { .family = AF_INET, .a = { 192, 0, 2, 1 } };
	struct fou_addr z = { .family = AF_INET, .a = { 192, 0, 2, 2 } };
	uint64_t now = 1;

	if (!mem) {
		mem = malloc(fou_stt_reasm_size(4));
		FUZZ_CHECK(mem);
	}
	/* A fresh, small table each input: 4 slots, 3 s timeout. */
	FUZZ_CHECK(fou_stt_reasm_init(&r, mem, fou_stt_reasm_size(4), 3000) == 0);
	while (n >= 7) {
		struct fou_stt_seg seg = {
			.dport = FOU_PORT_STT,
			.frame_len = (uint32_t)p[0] << 8 | p[1],
			.offset = (uint32_t)p[2] << 8 | p[3],
			.id = p[4],
		};
		size_t plen = (size_t)(p[5] << 8 | p[6]);
		struct fou_stt_frame out;
		uint8_t *copy;
		int ret;

		p += 7;
		n -= 7;
		if (plen > n)
			plen = n;
		copy = fuzz_dup(p, plen);
		ret = fou_stt_reasm_add(&r, &a, &z, &seg, copy, plen, 0, now, &out);
		fuzz_reason_ok(ret < 0 ? ret : 0);
		if (ret == 1)
			FUZZ_CHECK(out.len == seg.frame_len && out.len <= 65535);
		FUZZ_CHECK(fou_stt_reasm_busy(&r) <= 4);
		free(copy);
		p += plen;
		n -= plen;
		now += 1000;
		fou_stt_reasm_expire(&r, now);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *p;

	if (size < 1)
		return 0;
	if (data[0] >= 0xf0) {
		stt_stream(data + 1, size - 1);
		return 0;
	}
	p = fuzz_dup(data + 1, size - 1);
	one_pull(data[0], p, size - 1);
	free(p);
	return 0;
}
