/* SPDX-License-Identifier: MIT */
/*
 * Small packets as UDP GSO trains. One flow's packets from a TUN read batch
 * become outer datagrams of one header (addresses, ports, TOS, TTL, DF) and
 * one size. Sent one by one on the raw socket, each costs a route lookup and
 * a pass through the stack, and a flood of 64-byte packets outruns foud.
 * Here a run of them goes as one UDP_SEGMENT send of their payloads: the
 * kernel cuts it apart again with the same headers and a checksum each, and
 * the receiver's UDP GRO hands them to foud in one read. The raw sends
 * between runs leave before them: the batch goes out in the order read.
 *
 * Only IPv4 datagrams with a UDP checksum and DF, of a tunnel that sets DF:
 * the kernel refuses GSO without checksums (a tunnel that sends zero
 * checksums keeps sending them raw), a train's socket always sets DF, and
 * an IPv6 train would carry the kernel's flow label instead of foud's.
 */
#include <netinet/in.h>
#include <string.h>

#include "foud.h"

#define TRAIN_HLEN	(FOU_IPV4_HLEN + FOU_UDP_HLEN)
#define TRAIN_MAX	(65535 - TRAIN_HLEN)
/*
 * A source port without a socket gets one (about ten system calls, and
 * perhaps another port's socket closed) only for a train this long:
 * many flows' short runs would otherwise open and close sockets all day.
 */
#define TRAIN_OPEN	16

/* An outer datagram a train may carry: no options, DF and no fragment, a checksum, unicast. */
static bool train_fits(const uint8_t *p, size_t len)
{
	return len > TRAIN_HLEN && p[0] == 0x45 && p[6] == 0x40 && !p[7] && p[8] &&
	       p[9] == FOU_PROTO_UDP && (p[16] & 0xf0) != 0xe0 &&
	       fou_get16(p + FOU_IPV4_HLEN + 6);
}

/* The same TOS, TTL, addresses and ports (train_fits() checked the rest). */
static bool train_same(const uint8_t *a, const uint8_t *b)
{
	return a[1] == b[1] && a[8] == b[8] && !memcmp(a + 12, b + 12, 12);
}

static const uint8_t *train_pkt(const struct foud_txq *q, int i, size_t *len)
{
	*len = q->iov[i].iov_len;
	return q->iov[i].iov_base;
}

/* How many datagrams from q's i-th on make one train, the last maybe shorter: 1 if none. */
static int train_run(const struct foud_txq *q, int i)
{
	size_t alen, blen, tot;
	const uint8_t *a = train_pkt(q, i, &alen), *b;
	int j = i + 1;

	if (!train_fits(a, alen))
		return 1;
	for (tot = alen - TRAIN_HLEN; j < q->n && j - i < FOUD_USO_SEGS; j++) {
		b = train_pkt(q, j, &blen);
		if (blen > alen || !train_fits(b, blen) || !train_same(a, b) ||
		    tot + blen - TRAIN_HLEN > TRAIN_MAX)
			break;
		tot += blen - TRAIN_HLEN;
		if (blen < alen)
			return j + 1 - i;
	}
	return j - i;
}

/* Lays the UDP payloads of q's datagrams i to i + n - 1 end to end in d->sendbuf. */
static void train_load(struct foud *d, const struct foud_txq *q, int i, int n)
{
	struct foud_train *tr = &d->train;
	const uint8_t *p;
	size_t len;
	int k;

	memset(tr, 0, offsetof(struct foud_train, inner));
	for (k = 0; k < n; k++) {
		p = train_pkt(q, i + k, &len);
		len -= TRAIN_HLEN;
		memcpy(d->sendbuf + tr->len, p + TRAIN_HLEN, len);
		if (!k)
			tr->seg = (uint16_t)len;
		tr->len += len;
		tr->inner[k] = q->inner_len[i + k];
		tr->inner_bytes += tr->inner[k];
	}
	tr->nseg = (unsigned int)n;
}

/* Sends q's datagrams i to i + n - 1 as one train; 1, nothing sent, if UDP GSO cannot now. */
static int train_go(struct foud *d, struct foud_tunnel *t, const struct foud_txq *q, int i, int n)
{
	const uint8_t *p = q->iov[i].iov_base;
	struct fou_addr local = { .family = AF_INET }, remote = { .family = AF_INET };
	struct sockaddr_storage ss;
	struct foud_uso_to to = { .addr = &ss, .local = &local, .tos = p[1], .ttl = p[8] };

	memcpy(local.a, p + 12, 4);
	memcpy(remote.a, p + 16, 4);
	to.addrlen = foud_sockaddr(&ss, &remote, AF_INET, fou_get16(p + 22));
	train_load(d, q, i, n);
	return foud_uso_send_train(d, t, &d->train, &to, fou_get16(p + 20), n >= TRAIN_OPEN);
}

bool foud_train_send(struct foud *d, struct foud_tunnel *t, struct foud_txq *q, int raw)
{
	bool too_big = false;
	int i = 0, start = 0, n;

	while (i < q->n) {
		n = t->tnl.pmtudisc ? train_run(q, i) : 1;
		if (n > 1) {
			/* What came before leaves first; a train refused now goes raw. */
			too_big |= foud_send_counted(raw, q->mm + start, q->inner_len + start,
						     i - start, &t->st);
			start = train_go(d, t, q, i, n) ? i : i + n;
		}
		i += n;
	}
	too_big |= foud_send_counted(raw, q->mm + start, q->inner_len + start, q->n - start,
				     &t->st);
	q->n = 0;
	return too_big;
}
