/* SPDX-License-Identifier: MIT */
/*
 * Receive coalescing: consecutive TCP segments of a flow, decapsulated from
 * one receive batch, become one super-packet and one TUN write with a GSO
 * virtio header, so the kernel's TCP takes them in one go. A few slots are
 * shared by all tunnels; every slot is written out at the end of a batch,
 * so nothing waits longer than one wake-up. A segment still in the receive
 * batch's buffers (an L3 tunnel's or an overlay's, decapsulated in place)
 * joins by reference: the write gathers the payloads from where they were
 * received, with no copy in foud; the batch is not read into again before
 * every slot is written (rx.c), and nothing writes in front of a received
 * packet meanwhile (tun.c: virtio headers go in a piece of their own).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "foud.h"

#define GRO_BUF (FOU_VNET_HLEN + 14 + FOUD_PKT_MAX)
#define GRO_TCP_CSUM	16	/* the checksum's offset in the TCP header */

/*
 * The TCP flow of an inner packet (after l2len bytes of Ethernet); false for
 * anything else. TCP right after the IP header, all that GRO can merge, has
 * its ports read in place from the header parsed once (ip).
 */
static bool gro_key(const uint8_t *pkt, size_t len, const struct fou_ip *ip,
		    struct foud_flow_key *k)
{
	uint8_t proto;

	if (ip->proto == FOU_PROTO_TCP && !(ip->frag & (FOU_IP_MF | FOU_IP_OFFMASK)) &&
	    ip->tot_len >= ip->hlen + 4u) {
		k->sport = fou_get16(pkt + ip->hlen);
		k->dport = fou_get16(pkt + ip->hlen + 2);
	} else if (fou_ip_l4_ports(pkt, len, &proto, &k->sport, &k->dport) ||
		   proto != FOU_PROTO_TCP) {
		/* IPv6 extension headers before TCP: the same flow still, kept in order. */
		return false;
	}
	k->src = ip->src;
	k->dst = ip->dst;
	return true;
}

static bool gro_key_eq(const struct foud_flow_key *a, const struct foud_flow_key *b)
{
	return a->sport == b->sport && a->dport == b->dport &&
	       fou_addr_eq(&a->src, &b->src) && fou_addr_eq(&a->dst, &b->dst);
}

static void gro_count(struct foud_tunnel *t, int ret, unsigned int nseg, uint64_t bytes)
{
	if (ret) {
		t->st.rx_drop[-ret] += nseg;
		return;
	}
	t->st.rx_packets += nseg;
	t->st.rx_bytes += bytes;
}

/* A TCP checksum left partial (RCO): the kernel completes it where it must, trusts it where it may. */
static void gro_vnet_partial(struct fou_vnet_hdr *vh, uint16_t l4start)
{
	vh->flags = FOU_VNET_F_NEEDS_CSUM;
	vh->csum_start = l4start;
	vh->csum_offset = GRO_TCP_CSUM;
}

/* Where the TCP header of a packet whose checksum is partial starts, Ethernet header included. */
static uint16_t gro_partial_start(const struct foud *d, const struct fou_ip *ip, size_t l2len)
{
	return d->rx_partial ? (uint16_t)(l2len + ip->hlen) : 0;
}

static void gro_flush_slot(struct foud_gro_slot *s)
{
	struct fou_vnet_hdr vh;
	unsigned int nref;

	if (!s->t)
		return;
	/* The packet's length is in its pieces: the buffer's, then the references. */
	fou_gro_finish(&s->g, &vh);
	if (vh.gso_type != FOU_VNET_GSO_NONE) {
		/* Offsets count from the frame start, Ethernet header included. */
		vh.csum_start = (uint16_t)(vh.csum_start + s->l2len);
		vh.hdr_len = (uint16_t)(vh.hdr_len + s->l2len);
	} else if (s->partial) {
		gro_vnet_partial(&vh, s->partial);
	} else if (s->verified) {
		vh.flags = FOU_VNET_F_DATA_VALID;
	}
	fou_vnet_put(s->buf, &vh);
	s->iov[0].iov_base = s->buf;
	s->iov[0].iov_len = FOU_VNET_HLEN + s->l2len + fou_gro_inbuf(&s->g, &nref);
	gro_count(s->t, foud_tun_writev(s->t->ev.fd, s->iov, 1 + (int)nref), s->nseg, s->bytes);
	s->t = NULL;
}

void foud_gro_flush(struct foud *d)
{
	int i;

	for (i = 0; i < FOUD_GRO_SLOTS; i++)
		gro_flush_slot(&d->gro[i]);
}

void foud_gro_forget(struct foud *d, const struct foud_tunnel *t)
{
	int i;

	for (i = 0; i < FOUD_GRO_SLOTS; i++)
		if (d->gro[i].t == t)
			d->gro[i].t = NULL;
}

/* A free slot, or the one opened longest ago, written out first. */
static struct foud_gro_slot *gro_slot_new(struct foud *d)
{
	struct foud_gro_slot *s, *old = &d->gro[0];

	for (s = d->gro; s < d->gro + FOUD_GRO_SLOTS; s++) {
		if (!s->t)
			return s;
		if (s->age < old->age)
			old = s;
	}
	gro_flush_slot(old);
	return old;
}

static void gro_direct(struct foud *d, struct foud_tunnel *t, struct fou_buf *b, uint16_t partial)
{
	struct fou_vnet_hdr vh = { .flags = d->rx_verified ? FOU_VNET_F_DATA_VALID : 0 };
	size_t len = b->len;

	if (partial)
		gro_vnet_partial(&vh, partial);
	gro_count(t, foud_tun_write_vnet(t->ev.fd, b, &vh), 1, len);
}

/*
 * The inner IP packet at ip (its header parsed into pi, read by each step
 * below) after l2len bytes of Ethernet in b, to t's device; later segments
 * joined by reference if ref.
 */
static void gro_take(struct foud *d, struct foud_tunnel *t, struct fou_buf *b, size_t l2len,
		     uint8_t *ip, const struct fou_ip *pi, bool ref)
{
	size_t iplen = b->len - l2len;
	struct foud_gro_slot *s;
	struct foud_flow_key k;
	uint16_t partial;
	int ret;

	/*
	 * A local sender (foud's BPF path, the kernel's tunnels, a container)
	 * leaves the checksum to an offload that a veth never does; the stack
	 * would drop it. Completed here, as the device would have; one RCO left
	 * partial goes to the device as such.
	 */
	partial = gro_partial_start(d, pi, l2len);
	if (!partial)
		fou_gro_csum_complete_ip(ip, pi);
	if (!d->offload || !gro_key(ip, iplen, pi, &k)) {
		gro_direct(d, t, b, partial);
		return;
	}
	for (s = d->gro; s < d->gro + FOUD_GRO_SLOTS; s++) {
		if (s->t != t || !gro_key_eq(&s->key, &k))
			continue;
		if ((!l2len || !memcmp(s->buf + FOU_VNET_HLEN, fou_buf_data(b), l2len)) &&
		    fou_gro_append_ip(&s->g, ip, pi, d->rx_verified) == 1) {
			s->nseg++;
			s->bytes += b->len;
			s->verified = s->verified && d->rx_verified;
			return;
		}
		/* Same flow, cannot join: what came before goes first. */
		gro_flush_slot(s);
		break;
	}
	s = gro_slot_new(d);
	ret = fou_gro_start_ip(&s->g, s->buf + FOU_VNET_HLEN + l2len,
			       GRO_BUF - FOU_VNET_HLEN - l2len, ip, pi, d->rx_verified);
	if (ret == -FOU_DROP_INNER_CSUM) {
		gro_count(t, ret, 1, 0);
		return;
	}
	if (ret != 0) {
		gro_direct(d, t, b, partial);
		return;
	}
	if (ref)
		fou_gro_refs(&s->g, s->iov + 1);
	memcpy(s->buf + FOU_VNET_HLEN, fou_buf_data(b), l2len);
	s->l2len = l2len;
	s->t = t;
	s->key = k;
	s->nseg = 1;
	s->bytes = b->len;
	s->verified = d->rx_verified;
	s->partial = partial;
	s->age = ++d->gro_clock;
}

/*
 * Hands one decapsulated inner packet to tunnel t's device, coalescing TCP.
 * For a TAP device the packet starts with an Ethernet header of l2len
 * bytes, which merged frames must share.
 */
void foud_gro_input(struct foud *d, struct foud_tunnel *t, struct fou_buf *b, size_t l2len,
		    bool kept)
{
	uint8_t *ip = fou_gro_ip(fou_buf_data(b), b->len, l2len);
	struct fou_ip pi;

	t->csum_trusted += d->rx_verified;
	if (!ip || fou_ip_parse(ip, b->len - l2len, &pi)) {
		gro_direct(d, t, b, 0);
		return;
	}
	gro_take(d, t, b, l2len, ip, &pi, kept && foud_batch_holds(&d->rxb, fou_buf_data(b)));
}

void foud_gro_input_ip(struct foud *d, struct foud_tunnel *t, struct fou_buf *b,
		       const struct fou_ip *ip)
{
	t->csum_trusted += d->rx_verified;
	gro_take(d, t, b, 0, fou_buf_data(b), ip, foud_batch_holds(&d->rxb, fou_buf_data(b)));
}

int foud_gro_init(struct foud *d)
{
	int i;

	for (i = 0; i < FOUD_GRO_SLOTS; i++) {
		d->gro[i].buf = malloc(GRO_BUF);
		if (!d->gro[i].buf)
			return -ENOMEM;
	}
	return 0;
}

void foud_gro_fini(struct foud *d)
{
	int i;

	for (i = 0; i < FOUD_GRO_SLOTS; i++) {
		free(d->gro[i].buf);
		d->gro[i].buf = NULL;
	}
}
