/* SPDX-License-Identifier: MIT */
/*
 * Software GRO for the network -> TUN direction (reference/performance.md
 * 1.4): contiguous TCP segments of one flow are copied into one super-packet
 * that a single write() with a GSO virtio header hands to the kernel. The
 * merge rules are those of the kernel's tcp_gro_receive(). The inverse of
 * fou_gso_init()/fou_gso_next(): segmenting a finished super-packet gives
 * back the original segments.
 */
#ifndef FOU_GRO_H
#define FOU_GRO_H

#include <sys/uio.h>

#include "fou/fou.h"

/* Segments per super-packet, as UDP GSO and wireguard-go use. */
#define FOU_GRO_MAX_SEGS	64

/* One super-packet being built in a caller buffer. Fields are private. */
struct fou_gro {
	uint8_t *pkt;		/* the caller's buffer: the packet so far */
	size_t cap;		/* bytes of pkt */
	size_t len;		/* bytes in pkt */
	size_t l4off;		/* IP header length */
	size_t hlen;		/* IP + TCP header length */
	size_t mss;		/* first segment's payload length */
	uint32_t next_seq;	/* sequence number the next segment must carry */
	uint16_t next_id;	/* IPv4 ID the next segment must carry (no DF) */
	uint8_t flags;		/* TCP flags ORed over the segments */
	unsigned int nseg;	/* segments in pkt */
	bool open;		/* later segments may still join */
	int family;
	size_t inbuf;		/* bytes of the packet in pkt, the rest referenced */
	struct iovec *ref;	/* later payloads by reference (fou_gro_refs()), or NULL */
	unsigned int nref;
};

/*
 * Starts a super-packet in out (cap bytes) from one inner IPv4/IPv6 packet
 * of len bytes, and copies it (trimmed to the IP total length).
 *
 * Returns 0 if it is a TCP segment that later ones may join: ACK only,
 * payload > 0, no IPv4 options or fragmentation, TCP directly after the
 * IPv6 header, TCP checksum valid.
 * Returns 1 if it must be written alone: any other packet, including a
 * valid TCP segment with PSH (nothing may follow a PSH) or a malformed TCP
 * header (the kernel drops and counts it). out holds the copy.
 * Returns -FOU_DROP_* if the IP header is malformed (fou_ip_parse(), e.g. a
 * bad IPv4 header checksum); out holds a copy of the len bytes when they
 * fit. -FOU_DROP_TOO_SHORT with nothing copied when the packet exceeds cap.
 * In every case fou_gro_finish() gives the length to write (0 if nothing
 * was copied) and an all-zero virtio header.
 */
int fou_gro_start(struct fou_gro *g, uint8_t *out, size_t cap,
		  const uint8_t *pkt, size_t len);

/*
 * Appends pkt's payload if it continues g's flow (same addresses, ports, ACK
 * number, TOS/TTL/DF or traffic class/hop limit/flow label, TCP header bytes
 * but for seq, flags, window and checksum; seq == end of g; flags ACK or
 * ACK|PSH; 0 < payload <= g's gso_size; IPv4 ID incrementing unless DF) and
 * both its IPv4 header checksum and TCP checksum are valid. A PSH segment or
 * one shorter than gso_size ends g. The window of the first segment is kept,
 * as the kernel's GRO does. The merged packet stays within the buffer, 64
 * segments and 65535 bytes of IP packet (IPv6 too, as the kernel's GRO).
 * Returns 1 = appended, 0 = not appended (write g first, then start again
 * with pkt); g is unchanged on 0.
 */
int fou_gro_append(struct fou_gro *g, const uint8_t *pkt, size_t len);

/*
 * As fou_gro_start() and fou_gro_append(), but with verified true the
 * caller vouches for the TCP checksum (a non-zero outer UDP checksum that
 * the kernel verified covers the whole inner packet): it is not summed
 * again. Unverified, a segment that is mergeable but for a bad TCP checksum
 * makes fou_gro_start_csum() return -FOU_DROP_INNER_CSUM (the bytes copied
 * as for 1), where fou_gro_start() returns 1.
 */
int fou_gro_start_csum(struct fou_gro *g, uint8_t *out, size_t cap,
		       const uint8_t *pkt, size_t len, bool verified);
int fou_gro_append_csum(struct fou_gro *g, const uint8_t *pkt, size_t len, bool verified);

/*
 * As fou_gro_start_csum() and fou_gro_append_csum() for a packet the caller
 * has already parsed without error (fou_ip_parse() of pkt into ip): one
 * parse a segment where the receive path needs the header several times.
 */
int fou_gro_start_ip(struct fou_gro *g, uint8_t *out, size_t cap,
		     const uint8_t *pkt, const struct fou_ip *ip, bool verified);
int fou_gro_append_ip(struct fou_gro *g, const uint8_t *pkt, const struct fou_ip *ip, bool verified);

/*
 * After a start that returned 0: the payloads of later segments are not
 * copied into the buffer but referenced in ref (FOU_GRO_MAX_SEGS - 1
 * entries), so a super-packet costs no copy of its payload in userspace;
 * the buffer then holds only the first segment. The caller keeps every
 * appended segment's bytes unchanged until it has written the packet:
 * the buffer's fou_gro_inbuf() bytes, then the references in order.
 */
void fou_gro_refs(struct fou_gro *g, struct iovec *ref);
/* Bytes of the packet in the buffer; *nref references follow them. */
size_t fou_gro_inbuf(const struct fou_gro *g, unsigned int *nref);
/*
 * Finishes g in place and fills vh. One segment: the packet untouched and an
 * all-zero vh. Two or more: IPv4 total length and header checksum (or IPv6
 * payload length), PSH if any segment had it, the TCP checksum field holding
 * the folded, not inverted, pseudo-header sum, and vh = NEEDS_CSUM,
 * GSO_TCPV4/TCPV6, gso_size, hdr_len, csum_start = IP header length,
 * csum_offset = 16. Returns the packet length. Call once.
 */
size_t fou_gro_finish(struct fou_gro *g, struct fou_vnet_hdr *vh);

/*
 * The IP packet in a received frame of len bytes whose first l2len bytes
 * are Ethernet (0: none): frame itself, or the packet after an untagged
 * header of EtherType IPv4 or IPv6 (fou_l2_ip()). NULL for any other frame,
 * which GRO and fou_gro_csum_complete() must leave as it came.
 */
uint8_t *fou_gro_ip(uint8_t *frame, size_t len, size_t l2len);

/*
 * Completes the TCP or UDP checksum of an unfragmented IPv4/IPv6 packet
 * (transport right after the fixed or IPv4 header) whose checksum field
 * holds exactly the folded pseudo-header sum: what a local sender leaves
 * for offload (CHECKSUM_PARTIAL), which a veth carries on uncompleted and a
 * UDP socket hands up as it came. Returns 1 if it wrote the checksum, 0 if
 * the packet is anything else (left untouched).
 */
int fou_gro_csum_complete(uint8_t *pkt, size_t len);
/* The same for a packet already parsed into ip (fou_ip_parse() without error). */
int fou_gro_csum_complete_ip(uint8_t *pkt, const struct fou_ip *ip);

#endif /* FOU_GRO_H */
