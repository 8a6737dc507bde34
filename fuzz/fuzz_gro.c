// SPDX-License-Identifier: MIT
/*
 * fou_gro_start / fou_gro_append / fou_gro_finish (lib/gro.c) on a train of
 * inner packets as they come out of decapsulation, then the finished
 * super-packet cut again with fou_gso_init / fou_gso_next, its inverse.
 *
 * Input: records of a 2-byte big-endian length and that many bytes (the
 * last one takes what is left), then each is offered to the super-packet
 * being built; on "not appended" the super-packet is finished and a new one
 * started from that packet, as foud's receive path does. The output buffer
 * is on the heap, sized by the first byte (small buffers test the bounds).
 * With a buffer that never bounds it, a second super-packet is built beside
 * the first with its later payloads referenced (fou_gro_refs()): the two
 * must take the same segments and, joined, be the same bytes.
 */
#include "fou/gro.h"
#include "fuzz.h"

#define MAX_PKTS 256

static size_t gso_payload;	/* bytes the segmenter gave back */
static unsigned int gso_segs;

/* A finished super-packet: valid IP, and its segments hold its payload. */
static void check_finished(const struct fou_gro *g0, uint8_t *buf, size_t len,
			   const struct fou_vnet_hdr *vh, unsigned int nseg, size_t payload)
{
	static uint8_t seg[65536 + 64];
	struct fou_gso gs;
	struct fou_ip ip;
	size_t outlen;
	int ret;

	(void)g0;
	FUZZ_CHECK(len <= 65535 || vh->gso_type == 0);
	if (vh->gso_type == 0)
		return;
	FUZZ_CHECK(nseg >= 2);
	FUZZ_CHECK(fou_ip_parse(buf, len, &ip) == 0 && ip.tot_len == len);
	ret = fou_gso_init(&gs, vh, buf, len);
	FUZZ_CHECK(ret == 0);
	/* The checksum field holds the pseudo-header sum; complete it as TSO would. */
	gso_payload = 0;
	gso_segs = 0;
	while ((ret = fou_gso_next(&gs, seg, sizeof(seg), &outlen)) == 1) {
		gso_payload += outlen - gs.hlen;
		gso_segs++;
	}
	FUZZ_CHECK(ret == 0);
	FUZZ_CHECK(gso_payload == payload);
	FUZZ_CHECK(gso_segs == nseg);
}

/*
 * foud's receive path completes a partial checksum before GRO: it touches
 * at most the 2-byte field, and a second call leaves the packet as it is.
 */
static void gro_complete(uint8_t *pkt, size_t len)
{
	static uint8_t before[65536];
	size_t i, diff = 0;

	if (len > sizeof(before))
		return;
	memcpy(before, pkt, len);
	if (fou_gro_csum_complete(pkt, len) != 1) {
		FUZZ_CHECK(memcmp(before, pkt, len) == 0);
		return;
	}
	for (i = 0; i < len; i++)
		diff += before[i] != pkt[i];
	FUZZ_CHECK(diff <= 2);
	memcpy(before, pkt, len);
	fou_gro_csum_complete(pkt, len);
	FUZZ_CHECK(memcmp(before, pkt, len) == 0);
}

/* The referencing twin (r, in rbuf) of the copying one: its pieces joined equal out. */
static void check_refs(struct fou_gro *r, const uint8_t *rbuf, const struct iovec *ref,
		       const uint8_t *out, size_t len)
{
	static uint8_t joined[65536 + 128];
	struct fou_vnet_hdr vh;
	unsigned int nref, i;
	size_t at;

	FUZZ_CHECK(fou_gro_finish(r, &vh) == len);
	at = fou_gro_inbuf(r, &nref);
	memcpy(joined, rbuf, at);
	for (i = 0; i < nref; i++) {
		FUZZ_CHECK(at + ref[i].iov_len <= sizeof(joined));
		memcpy(joined + at, ref[i].iov_base, ref[i].iov_len);
		at += ref[i].iov_len;
	}
	FUZZ_CHECK(at == len && memcmp(joined, out, len) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t rbuf[65536 + 128];
	struct iovec ref[FOU_GRO_MAX_SEGS];
	struct fou_gro g, r;
	struct fou_vnet_hdr vh;
	uint8_t *out, *pkts[MAX_PKTS];
	size_t lens[MAX_PKTS], cap, off = 1, n = 0, i, payload = 0, len;
	unsigned int nseg = 0;
	bool open = false, twin;
	int ret;

	if (size < 1)
		return 0;
	cap = data[0] < 16 ? (size_t)data[0] * 64 : 65536 + 128;
	twin = cap == sizeof(rbuf);
	while (off < size && n < MAX_PKTS) {
		size_t l = size - off;

		if (l >= 2 && (size_t)fou_get16(data + off) <= l - 2) {
			l = fou_get16(data + off);
			off += 2;
		} else if (l >= 2) {
			off += 2;
			l -= 2;
		}
		pkts[n] = fuzz_dup(data + off, l);
		lens[n++] = l;
		off += l;
	}
	out = malloc(cap ? cap : 1);
	if (!out)
		abort();
	for (i = 0; i < n; i++) {
		gro_complete(pkts[i], lens[i]);
		if (open) {
			struct fou_gro before = g;

			ret = fou_gro_append(&g, pkts[i], lens[i]);
			FUZZ_CHECK(ret == 0 || ret == 1);
			FUZZ_CHECK(!twin || fou_gro_append(&r, pkts[i], lens[i]) == ret);
			if (ret == 1) {
				FUZZ_CHECK(g.len <= cap && g.len <= 65535);
				FUZZ_CHECK(g.nseg <= FOU_GRO_MAX_SEGS);
				payload += g.len - before.len;
				nseg++;
				continue;
			}
			FUZZ_CHECK(memcmp(&before, &g, sizeof(g)) == 0);
			len = fou_gro_finish(&g, &vh);
			FUZZ_CHECK(len <= cap);
			if (twin)
				check_refs(&r, rbuf, ref, out, len);
			check_finished(&g, out, len, &vh, nseg, payload);
			open = false;
		}
		ret = fou_gro_start(&g, out, cap, pkts[i], lens[i]);
		if (twin && ret == 0) {
			FUZZ_CHECK(fou_gro_start(&r, rbuf, sizeof(rbuf), pkts[i], lens[i]) == 0);
			fou_gro_refs(&r, ref);
		}
		fuzz_reason_ok(ret < 0 ? ret : 0);
		FUZZ_CHECK(ret <= 1);
		if (ret == 0) {
			open = true;
			nseg = 1;
			payload = g.len - g.hlen;
		} else {
			len = fou_gro_finish(&g, &vh);
			FUZZ_CHECK(len <= cap && len <= lens[i]);
			FUZZ_CHECK(vh.gso_type == 0 && vh.flags == 0);
		}
	}
	if (open) {
		len = fou_gro_finish(&g, &vh);
		FUZZ_CHECK(len <= cap);
		if (twin)
			check_refs(&r, rbuf, ref, out, len);
		check_finished(&g, out, len, &vh, nseg, payload);
	}
	for (i = 0; i < n; i++)
		free(pkts[i]);
	free(out);
	return 0;
}
