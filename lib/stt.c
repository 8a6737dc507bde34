// SPDX-License-Identifier: MIT
/*
 * STT (draft-davie-stt-08) with the flag values of Wireshark's packet-stt.c
 * and OVS's datapath/linux/compat/stt.c:
 *
 *   [outer IP][TCP-like header, 20][STT header, 18][inner Ethernet frame]
 *
 *  |  Version(0)   |    Flags      |  L4 Offset    |  Reserved     |
 *  |       Max. Segment Size       | PCP |V|     VLAN ID           |
 *  |                    Context ID (64 bits)                       |
 *  |       Padding (2 bytes)       |
 *
 * The TCP-like header has seq = frame length << 16 | segment offset and
 * ack = frame ID; an STT frame (STT header + inner frame) up to 65535
 * bytes is cut into segments and reassembled by the receiver.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "fou/l2.h"

#define TCP_ACK		0x10
#define TCP_PSH		0x08
#define TCP_DOFF_MIN	5
#define TCP_CSUM_OFF	16
#define UDP_CSUM_OFF	6
#define STT_TIMEOUT_MS	30000	/* OVS FRAG_EXP_TIME */
#define STT_MIN_SHARE	4	/* reassembly slots a peer may hold however many there are */

/* Reassembly results of a byte range. */
#define RANGE_NEW	0
#define RANGE_DUP	1
#define RANGE_OVERLAP	2
#define RANGE_FULL	3

/* ---- STT header --------------------------------------------------------- */

int fou_stt_push(struct fou_buf *b, const struct fou_stt *s)
{
	uint8_t *h;

	h = fou_buf_push(b, FOU_STT_HLEN);
	if (!h)
		return -FOU_DROP_TOO_SHORT;
	h[0] = 0;
	h[1] = s->flags;
	h[2] = s->l4_off;
	h[3] = 0;
	fou_put16(h + 4, s->mss);
	fou_put16(h + 6, s->tci);
	fou_put32(h + 8, (uint32_t)(s->context >> 32));
	fou_put32(h + 12, (uint32_t)(s->context & 0xffffffffu));
	fou_put16(h + 16, 0);
	return 0;
}

/*
 * Offload fields that contradict each other: C and P together (draft 3.1),
 * or an MSS on a partial frame that is not TCP or whose L4 header is past
 * the end (a super-frame must be cut as TCP). An MSS without P is ignored,
 * as OVS does.
 */
static int stt_offload_check(const struct fou_stt *s, size_t inner_len)
{
	if ((s->flags & FOU_STT_F_CSUM_VERIFIED) && (s->flags & FOU_STT_F_CSUM_PARTIAL))
		return -FOU_DROP_STT_FLAGS;
	if (!(s->flags & FOU_STT_F_CSUM_PARTIAL) || !s->mss)
		return 0;
	if (!(s->flags & FOU_STT_F_TCP) || (size_t)s->l4_off + FOU_STT_TCP_HLEN > inner_len)
		return -FOU_DROP_STT_FLAGS;
	return 0;
}

int fou_stt_pull(struct fou_buf *b, struct fou_stt *s)
{
	uint8_t *h = fou_buf_data(b);
	size_t off;
	int err;

	if (b->len < FOU_STT_HLEN + FOU_ETH_HLEN)
		return -FOU_DROP_TOO_SHORT;
	if (h[0] != 0)
		return -FOU_DROP_STT_VERSION;
	s->flags = h[1];
	s->l4_off = h[2];
	s->mss = fou_get16(h + 4);
	s->tci = fou_get16(h + 6);
	s->context = (uint64_t)fou_get32(h + 8) << 32 | fou_get32(h + 12);
	err = stt_offload_check(s, b->len - FOU_STT_HLEN);
	if (err)
		return err;
	/* A super-frame (MSS) keeps its partial checksum for the caller's GSO. */
	if ((s->flags & FOU_STT_F_CSUM_PARTIAL) && !s->mss) {
		off = s->flags & FOU_STT_F_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF;
		err = fou_csum_complete(h + FOU_STT_HLEN, b->len - FOU_STT_HLEN,
					s->l4_off, off);
		if (err)
			return err;
	}
	fou_buf_pull(b, FOU_STT_HLEN);
	return 0;
}

/* ---- TCP-like header ---------------------------------------------------- */

/* The TCP-like header's fields but the checksum. */
static void tcp_fields(uint8_t *h, const struct fou_stt_flow *f, uint16_t frame_len,
		       uint16_t offset, bool last)
{
	fou_put16(h, f->sport);
	fou_put16(h + 2, f->dport);
	fou_put32(h + 4, (uint32_t)frame_len << 16 | offset);
	fou_put32(h + 8, f->id);
	h[12] = TCP_DOFF_MIN << 4;
	h[13] = TCP_ACK | (last ? TCP_PSH : 0);
	fou_put16(h + 14, FOU_STT_TCP_WINDOW);
	fou_put16(h + 16, 0);
	fou_put16(h + 18, 0);	/* urgent pointer */
}

/* The partial checksum of a TCP segment of len bytes: its pseudo-header, folded, not inverted. */
static uint16_t tcp_partial(const struct fou_addr *src, const struct fou_addr *dst, size_t len)
{
	return (uint16_t)~fou_csum_fold(fou_csum_pseudo(src, dst, FOU_PROTO_TCP, (uint32_t)len));
}

int fou_stt_tcp_push(struct fou_buf *b, const struct fou_stt_flow *f,
		     uint16_t frame_len, uint16_t offset, bool last)
{
	uint32_t sum;
	uint8_t *h;

	h = fou_buf_push(b, FOU_STT_TCP_HLEN);
	if (!h)
		return -FOU_DROP_TOO_SHORT;
	tcp_fields(h, f, frame_len, offset, last);
	sum = fou_csum_pseudo(&f->src, &f->dst, FOU_PROTO_TCP, (uint32_t)b->len);
	fou_put16(h + TCP_CSUM_OFF, fou_csum_fold(fou_csum_add(sum, h, b->len)));
	return 0;
}

/*
 * The whole frame under one header, as the kernel's TCP hands a super-packet
 * to TSO: PSH (the segmentation clears it on all but the last segment), the
 * checksum partial, and seq advancing by the MSS is STT's offset.
 */
int fou_stt_tcp_push_gso(struct fou_buf *b, const struct fou_stt_flow *f)
{
	uint8_t *h;

	if (b->len > FOU_STT_MAX_FRAME)
		return -FOU_DROP_MTU;
	h = fou_buf_push(b, FOU_STT_TCP_HLEN);
	if (!h)
		return -FOU_DROP_TOO_SHORT;
	tcp_fields(h, f, (uint16_t)(b->len - FOU_STT_TCP_HLEN), 0, true);
	fou_put16(h + TCP_CSUM_OFF, tcp_partial(&f->src, &f->dst, b->len));
	return 0;
}

/* The segment's checksum: whole, or, when partial_ok, left partial by the kernel. */
static int tcp_csum_ok(const uint8_t *h, size_t len, const struct fou_addr *src,
		       const struct fou_addr *dst, bool partial_ok)
{
	uint32_t sum = fou_csum_pseudo(src, dst, FOU_PROTO_TCP, (uint32_t)len);

	/* The cheap comparison first: a whole sum of 64 KiB was 4% of a transfer's profile. */
	if (partial_ok && fou_get16(h + TCP_CSUM_OFF) == tcp_partial(src, dst, len))
		return 0;
	if (fou_csum_fold(fou_csum_add(sum, h, len)) == 0)
		return 0;
	return -FOU_DROP_BAD_CSUM;
}

int fou_stt_tcp_pull(struct fou_buf *b, const struct fou_addr *src,
		     const struct fou_addr *dst, struct fou_stt_seg *seg)
{
	return fou_stt_tcp_pull_gro(b, src, dst, seg, false);
}

int fou_stt_tcp_pull_gro(struct fou_buf *b, const struct fou_addr *src,
			 const struct fou_addr *dst, struct fou_stt_seg *seg, bool partial_ok)
{
	const uint8_t *h = fou_buf_data(b);
	uint32_t seq;
	size_t doff;

	if (b->len < FOU_STT_TCP_HLEN)
		return -FOU_DROP_TOO_SHORT;
	doff = (size_t)(h[12] >> 4) * 4;
	if (doff < FOU_STT_TCP_HLEN)
		return -FOU_DROP_STT_TCP;
	if (doff > b->len)
		return -FOU_DROP_TOO_SHORT;
	if (tcp_csum_ok(h, b->len, src, dst, partial_ok))
		return -FOU_DROP_BAD_CSUM;
	seq = fou_get32(h + 4);
	seg->sport = fou_get16(h);
	seg->dport = fou_get16(h + 2);
	seg->frame_len = seq >> 16;
	seg->offset = seq & 0xffff;
	seg->id = fou_get32(h + 8);
	fou_buf_pull(b, doff);
	return 0;
}

/* ---- segmentation ------------------------------------------------------- */

int fou_stt_tx_init(struct fou_stt_tx *t, const struct fou_stt_flow *f,
		    const uint8_t *frame, size_t len, size_t mss)
{
	if (len < FOU_STT_HLEN)
		return -FOU_DROP_TOO_SHORT;
	if (len > FOU_STT_MAX_FRAME)
		return -FOU_DROP_MTU;
	if (mss == 0)
		return -FOU_DROP_BAD_GSO;
	memset(t, 0, sizeof(*t));
	t->flow = *f;
	t->frame = frame;
	t->len = len;
	t->mss = mss;
	return 0;
}

int fou_stt_tx_next(struct fou_stt_tx *t, struct fou_buf *out)
{
	size_t n;
	int err;

	if (t->pos >= t->len)
		return 0;
	n = t->len - t->pos;
	if (n > t->mss)
		n = t->mss;
	if (out->off > out->cap || n > out->cap - out->off)
		return -FOU_DROP_TOO_SHORT;
	memcpy(out->head + out->off, t->frame + t->pos, n);
	out->len = n;
	err = fou_stt_tcp_push(out, &t->flow, (uint16_t)t->len, (uint16_t)t->pos,
			       t->pos + n >= t->len);
	if (err)
		return err;
	t->pos += n;
	t->seg++;
	return 1;
}

/* ---- reassembly --------------------------------------------------------- */

static size_t slot_bytes(void)
{
	return sizeof(struct fou_stt_slot) + FOU_STT_MAX_FRAME;
}

size_t fou_stt_reasm_size(size_t nslots)
{
	return alignof(struct fou_stt_slot) - 1 + nslots * slot_bytes();
}

int fou_stt_reasm_init(struct fou_stt_reasm *r, void *mem, size_t len,
		       uint32_t timeout_ms)
{
	uintptr_t base = (uintptr_t)mem;
	size_t pad = (alignof(struct fou_stt_slot) - base % alignof(struct fou_stt_slot)) %
		     alignof(struct fou_stt_slot);
	uint8_t *data;
	size_t i, n;

	if (!mem || len < pad)
		return -EINVAL;
	n = (len - pad) / slot_bytes();
	if (n == 0)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	r->slot = (struct fou_stt_slot *)((uint8_t *)mem + pad);
	r->nslots = n;
	r->timeout_ms = timeout_ms ? timeout_ms : STT_TIMEOUT_MS;
	memset(r->slot, 0, n * sizeof(*r->slot));
	data = (uint8_t *)(r->slot + n);
	for (i = 0; i < n; i++)
		r->slot[i].data = data + i * FOU_STT_MAX_FRAME;
	return 0;
}

static bool slot_expired(const struct fou_stt_reasm *r, const struct fou_stt_slot *s,
			 uint64_t now)
{
	return s->busy && s->born + r->timeout_ms <= now;
}

static struct fou_stt_slot *reasm_find(struct fou_stt_reasm *r, const struct fou_addr *src,
				       const struct fou_addr *dst, uint32_t id)
{
	size_t i;

	for (i = 0; i < r->nslots; i++) {
		struct fou_stt_slot *s = &r->slot[i];

		if (s->busy && s->id == id && fou_addr_eq(&s->src, src) &&
		    fou_addr_eq(&s->dst, dst))
			return s;
	}
	return NULL;
}

/* The frames src has in progress, and the oldest of them. */
static size_t peer_slots(struct fou_stt_reasm *r, const struct fou_addr *src,
			 struct fou_stt_slot **oldest)
{
	size_t i, n = 0;

	*oldest = NULL;
	for (i = 0; i < r->nslots; i++) {
		struct fou_stt_slot *s = &r->slot[i];

		if (!s->busy || !fou_addr_eq(&s->src, src))
			continue;
		n++;
		if (!*oldest || s->gen < (*oldest)->gen)
			*oldest = s;
	}
	return n;
}

/*
 * The peers with frames in progress, src counted among them, and in *top
 * the oldest frame of the one holding the most. Each peer is counted at its
 * first slot: O(slots x peers).
 */
static size_t reasm_census(struct fou_stt_reasm *r, const struct fou_addr *src,
			   struct fou_stt_slot **top)
{
	size_t i, j, n, most = 0, peers = 1;
	struct fou_stt_slot *old;

	*top = NULL;
	for (i = 0; i < r->nslots; i++) {
		const struct fou_stt_slot *s = &r->slot[i];

		if (!s->busy)
			continue;
		for (j = 0; j < i; j++)
			if (r->slot[j].busy && fou_addr_eq(&r->slot[j].src, &s->src))
				break;
		if (j < i)
			continue;
		peers += !fou_addr_eq(&s->src, src);
		n = peer_slots(r, &s->src, &old);
		if (n > most) {
			most = n;
			*top = old;
		}
	}
	return peers;
}

/*
 * The slot for a new frame from src, timed-out frames freed first. Each
 * peer with frames in progress may hold max(STT_MIN_SHARE, slots / peers):
 * one at its share gives up its own oldest frame, so that a peer (or a
 * spoofer of its address) starting frames it never ends pushes out only its
 * own. Below its share it takes a free slot, else the oldest frame of the
 * peer holding the most.
 */
static struct fou_stt_slot *reasm_victim(struct fou_stt_reasm *r, const struct fou_addr *src,
					 uint64_t now)
{
	struct fou_stt_slot *own, *top;
	size_t i, share, peers;

	fou_stt_reasm_expire(r, now);
	peers = reasm_census(r, src, &top);
	share = r->nslots / peers > STT_MIN_SHARE ? r->nslots / peers : STT_MIN_SHARE;
	if (peer_slots(r, src, &own) >= share) {
		r->evicted++;
		return own;
	}
	for (i = 0; i < r->nslots; i++)
		if (!r->slot[i].busy)
			return &r->slot[i];
	r->evicted++;
	return top;
}

static struct fou_stt_slot *reasm_new(struct fou_stt_reasm *r, const struct fou_addr *src,
				      const struct fou_addr *dst, const struct fou_stt_seg *seg,
				      uint8_t tos, uint64_t now)
{
	struct fou_stt_slot *s = reasm_victim(r, src, now);

	s->src = *src;
	s->dst = *dst;
	s->id = seg->id;
	s->frame_len = seg->frame_len;
	s->got = 0;
	s->born = now;
	s->gen = ++r->gen;
	s->tos = tos;
	s->nranges = 0;
	s->busy = true;
	return s;
}

/*
 * Records [lo, hi) in the slot's sorted, disjoint, non-touching ranges:
 * RANGE_NEW, RANGE_DUP (already held), RANGE_OVERLAP (partly held, the
 * segment is refused) or RANGE_FULL (one range too many).
 */
static int range_add(struct fou_stt_slot *s, uint32_t lo, uint32_t hi)
{
	struct fou_stt_range *r = s->r;
	size_t i, n = s->nranges;
	bool left, right;

	for (i = 0; i < n; i++) {
		if (r[i].lo < hi && lo < r[i].hi)
			return r[i].lo <= lo && hi <= r[i].hi ? RANGE_DUP : RANGE_OVERLAP;
	}
	for (i = 0; i < n && r[i].lo < hi; i++)
		;
	left = i > 0 && r[i - 1].hi == lo;
	right = i < n && r[i].lo == hi;
	if (left && right) {
		r[i - 1].hi = r[i].hi;
		memmove(&r[i], &r[i + 1], (n - i - 1) * sizeof(*r));
		s->nranges--;
	} else if (left) {
		r[i - 1].hi = (uint16_t)hi;
	} else if (right) {
		r[i].lo = (uint16_t)lo;
	} else {
		if (n == FOU_STT_MAX_RANGES)
			return RANGE_FULL;
		memmove(&r[i + 1], &r[i], (n - i) * sizeof(*r));
		r[i].lo = (uint16_t)lo;
		r[i].hi = (uint16_t)hi;
		s->nranges++;
	}
	return RANGE_NEW;
}

static int seg_check(const struct fou_stt_seg *seg, size_t plen)
{
	if (plen == 0 || seg->frame_len < FOU_STT_HLEN || seg->frame_len > FOU_STT_MAX_FRAME)
		return -FOU_DROP_TOO_SHORT;
	if (seg->offset > seg->frame_len || plen > seg->frame_len - seg->offset)
		return -FOU_DROP_TOO_SHORT;
	return 0;
}

static void slot_free(struct fou_stt_slot *s)
{
	s->busy = false;
	s->nranges = 0;
}

/* Stores a checked segment in its slot; 1 when the frame is complete. */
static int slot_add(struct fou_stt_reasm *r, struct fou_stt_slot *s,
		    const struct fou_stt_seg *seg, const uint8_t *p, size_t plen,
		    uint8_t tos, struct fou_stt_frame *out)
{
	switch (range_add(s, seg->offset, seg->offset + (uint32_t)plen)) {
	case RANGE_DUP:
		r->dups++;
		return 0;
	case RANGE_OVERLAP:
		r->bad++;
		return -FOU_DROP_STT_REASM;
	case RANGE_FULL:
		r->bad++;
		slot_free(s);
		return -FOU_DROP_STT_REASM;
	}
	memcpy(s->data + seg->offset, p, plen);
	s->got += (uint32_t)plen;
	if ((tos & FOU_ECN_MASK) == FOU_ECN_CE)
		s->tos |= FOU_ECN_CE;
	if (s->got < s->frame_len)
		return 0;
	out->data = s->data;
	out->len = s->frame_len;
	out->tos = s->tos;
	slot_free(s);
	return 1;
}

int fou_stt_reasm_add(struct fou_stt_reasm *r, const struct fou_addr *src,
		      const struct fou_addr *dst, const struct fou_stt_seg *seg,
		      const uint8_t *p, size_t plen, uint8_t tos, uint64_t now,
		      struct fou_stt_frame *out)
{
	struct fou_stt_slot *s;
	int err;

	err = seg_check(seg, plen);
	if (err) {
		r->bad++;
		return err;
	}
	/* The common case: one segment, nothing to copy. */
	if (seg->offset == 0 && plen == seg->frame_len) {
		out->data = p;
		out->len = plen;
		out->tos = tos;
		return 1;
	}
	s = reasm_find(r, src, dst, seg->id);
	if (s && slot_expired(r, s, now)) {
		r->timedout++;
		slot_free(s);
		s = NULL;
	}
	if (s && s->frame_len != seg->frame_len) {
		r->bad++;
		slot_free(s);
		return -FOU_DROP_STT_REASM;
	}
	if (!s)
		s = reasm_new(r, src, dst, seg, tos, now);
	return slot_add(r, s, seg, p, plen, tos, out);
}

size_t fou_stt_reasm_expire(struct fou_stt_reasm *r, uint64_t now)
{
	size_t i, n = 0;

	for (i = 0; i < r->nslots; i++) {
		if (slot_expired(r, &r->slot[i], now)) {
			slot_free(&r->slot[i]);
			n++;
		}
	}
	r->timedout += n;
	return n;
}

size_t fou_stt_reasm_busy(const struct fou_stt_reasm *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->nslots; i++)
		n += r->slot[i].busy;
	return n;
}
