/* SPDX-License-Identifier: MIT */
/*
 * Transports over UDP (draft-herbert-transports-over-udp): one TUN device,
 * tou0, whose TCP leaves as UDP/GUE(6)/TCP with the IP header removed, and
 * TOU datagrams from the peers come back into it with an IP header rebuilt
 * from the outer addresses. Programs opt in per socket: libtou marks their
 * sockets, and a policy rule (fwmark TOU_MARK -> table TOU_TABLE, with a
 * route per peer to tou0) sends their traffic here; everything else keeps
 * the normal path.
 *
 * The outer addresses are the inner ones: the inner destination is the
 * peer, the inner source goes out as the outer source (IP_PKTINFO). On
 * receive, the inner header takes the outer addresses as they arrive, so a
 * NAT between the hosts rewrites both at once, and the TCP checksum, which
 * leaves the addresses out on the wire, stays valid. The peer's UDP port is
 * learned from what it sends, so replies go back through the NAT's mapping.
 *
 * TCP super-packets from the TUN (TSO) are cut by the gso iterator and the
 * segments go out as one UDP GSO send; received segments are coalesced by
 * the same receive path as the tunnels'.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "event.h"
#include "foud.h"
#include "fou/gue_auth.h"
#include "fou/tou_session.h"
#include "rx.h"
#include "tou_rco.h"
#include "tou_session.h"

#define TOU_DEV		"tou0"
#define TOU_OVERHEAD	(FOU_UDP_HLEN + FOU_GUE_HLEN)	/* the outer IP header replaces the inner */
#define TOU_PRIO	1000				/* of the fwmark rule */
#define TOU_MAX_SEGS	64
#define TOU_CTL		128
/*
 * A NAT moves a peer's port when its mapping expires, after tens of seconds
 * of silence at the least; a port that moves more often than once a second
 * is a spoofer's, or reordering across a rebinding bouncing it back.
 */
#define TOU_REBIND_MS	1000
/* Sent nothing to the peer for this long: its mapping may be gone, a new connection may rebind. */
#define TOU_IDLE_MS	15000
#define TCP_SYN		0x02
#define TCP_ACK		0x10

/* ---- peers and sockets ---------------------------------------------------- */

#define PEER_OF(n)	((struct foud_tou_peer *)((char *)(n) - offsetof(struct foud_tou_peer, by_addr)))

static uint32_t peer_hash(const struct fou_addr *a)
{
	return fou_addr_hash(a, 0);
}

/* Per packet, both ways: by hash. */
static struct foud_tou_peer *peer_find(struct foud_tou *t, const struct fou_addr *a)
{
	struct fou_hnode *n;

	for (n = fou_htab_first(&t->peer_tab, fou_addr_hash_last(&t->peer_last, a, 0)); n;
	     n = fou_htab_next(n))
		if (fou_addr_eq(&PEER_OF(n)->cfg.peer, a))
			return PEER_OF(n);
	return NULL;
}

static unsigned int peers_of(const struct foud_tou *t, int family)
{
	const struct foud_tou_peer *p;
	unsigned int n = 0;

	TAILQ_FOREACH(p, &t->peers, entry)
		n += p->cfg.peer.family == family;
	return n;
}

/* Where replies go: the configured port until the peer is heard from. */
static void peer_dst(struct foud_tou_peer *p, uint16_t port)
{
	p->cur_port = port;
	p->dst_len = foud_sockaddr(&p->dst, &p->cfg.peer, p->cfg.peer.family, port);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	/* Once a batch, and on a rebinding: its rate needs no better than a tick. */
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * The connections foud carried to a peer, as the 4-tuples of what it sent
 * (every connection the local stack takes part in sends something): a slot
 * per hash of the ports, a newer connection taking an older one's, so memory
 * stays bounded however many there are. An evicted live one is back with its
 * next segment out.
 */
static struct foud_tou_conn *conn_slot(struct foud_tou_peer *p, const uint8_t *local,
				       uint16_t lport, uint16_t rport)
{
	uint32_t h = (uint32_t)lport * 31 + rport + local[15] + local[3];

	return &p->conn[h % FOUD_TOU_CONNS];
}

/* pkt: a TCP packet ip describes, parsed already. */
static void conn_note(struct foud_tou_peer *p, const uint8_t *pkt, const struct fou_ip *ip,
		      uint64_t now)
{
	struct foud_tou_conn *c;
	uint16_t sport, dport;

	if ((size_t)ip->hlen + 4 > ip->tot_len)
		return;
	sport = fou_get16(pkt + ip->hlen);
	dport = fou_get16(pkt + ip->hlen + 2);
	c = conn_slot(p, ip->src.a, sport, dport);
	memcpy(c->local, ip->src.a, sizeof(c->local));
	c->lport = sport;
	c->rport = dport;
	c->used = true;
	p->tx_ms = now;
}

static bool conn_known(struct foud_tou_peer *p, const uint8_t *local, uint16_t lport,
		       uint16_t rport)
{
	const struct foud_tou_conn *c = conn_slot(p, local, lport, rport);

	return c->used && c->lport == lport && c->rport == rport &&
	       !memcmp(c->local, local, sizeof(c->local));
}

static void sock_put(struct foud *d, struct foud_tou_sock *s)
{
	if (foud_csum_port_put(d, &d->tou->socks, &s->pair))
		free(s);
}

static void tou_sock_readable(struct foud *d, struct foud_ev *ev);
static void tou_sock_readable_verified(struct foud *d, struct foud_ev *ev);

static const struct foud_csum_class sock_class = {
	.size = sizeof(struct foud_tou_sock), .off = offsetof(struct foud_tou_sock, pair),
	.fn = tou_sock_readable, .vfn = tou_sock_readable_verified,
};

/* The UDP socket of one family and port, shared by the peers that use it. */
static struct foud_tou_sock *sock_get(struct foud *d, int family, uint16_t port,
				      char *err, size_t errlen)
{
	struct cmd_port_cfg pc = { .port = port, .family = family, .type = FOU_ENCAP_GUE };

	return foud_csum_port_get(d, &d->tou->socks, &sock_class, "tou", &pc, err, errlen);
}

/* ---- transmit: tou0 -> UDP ------------------------------------------------- */

/*
 * Messages for one sendmmsg on one socket. A message is one datagram or,
 * with UDP GSO, several of one size (the last may be shorter), each in its
 * own batch buffer, one iovec each.
 */
struct tou_txq {
	struct mmsghdr mm[FOUD_BATCH];
	struct iovec iov[FOUD_BATCH];
	uint8_t ctl[FOUD_BATCH][TOU_CTL] __attribute__((aligned(8)));
	struct foud_tou_peer *peer[FOUD_BATCH];
	uint32_t bytes[FOUD_BATCH];	/* inner bytes per message */
	uint16_t nseg[FOUD_BATCH];
	int nmsg, niov, fd;
	uint64_t now;			/* ms, for the connections noted */
	/* the message being built */
	bool open;
	int first;			/* its first iovec */
	uint16_t seg;			/* its segment size */
	size_t total;
	struct foud_tou_peer *p;
	struct foud_tou_sess *sess;	/* its TOU session (tou_session.c), or NULL */
	struct fou_tou_info info;
};

static int tx_errno_reason(struct foud *d, int err)
{
	switch (err) {
	case EAGAIN:
	case ENOBUFS:
		return FOU_DROP_QUEUE_FULL;
	case EMSGSIZE:
		return FOU_DROP_MTU;
	case EIO:	/* the route's device cannot segment UDP: stop asking it to */
		if (d->udp_gso)
			foud_log(LOG_WARNING, "UDP GSO refused by the kernel, sending segment by segment");
		d->udp_gso = false;
		return FOU_DROP_TX_ERROR;
	default:
		return FOU_DROP_TX_ERROR;
	}
}

static void tx_count(struct foud *d, struct tou_txq *q, int i, int reason)
{
	struct foud_stats *st[2] = { &q->peer[i]->st, &d->tou->dev.st };

	for (int k = 0; k < 2; k++) {
		if (reason) {
			st[k]->tx_drop[reason] += q->nseg[i];
		} else {
			st[k]->tx_packets += q->nseg[i];
			st[k]->tx_bytes += q->bytes[i];
		}
	}
}

static void tx_flush(struct foud *d, struct tou_txq *q)
{
	int i = 0, sent;

	while (i < q->nmsg) {
		sent = sendmmsg(q->fd, q->mm + i, (unsigned int)(q->nmsg - i), MSG_DONTWAIT);
		if (sent <= 0) {
			/* The message at i failed: count it and go on with the rest. */
			tx_count(d, q, i++, tx_errno_reason(d, errno));
			continue;
		}
		while (sent--)
			tx_count(d, q, i++, 0);
	}
	q->nmsg = q->niov = 0;
}

/* The inner source and TOS become the outer ones; the segment size for GSO. */
static size_t tx_control(uint8_t *buf, const struct fou_tou_info *in, uint16_t seg,
			 unsigned int nseg)
{
	const struct foud_uso_to to = { .local = &in->src, .tos = in->tos };

	return foud_tx_control(buf, &to, nseg > 1 ? seg : 0);
}

static void msg_end(struct tou_txq *q)
{
	unsigned int nseg = (unsigned int)(q->niov - q->first);
	struct msghdr *mh;

	if (!q->open)
		return;
	q->open = false;
	if (!nseg)
		return;
	mh = &q->mm[q->nmsg].msg_hdr;
	memset(mh, 0, sizeof(*mh));
	mh->msg_name = &q->p->dst;
	mh->msg_namelen = q->p->dst_len;
	if (q->sess)
		mh->msg_name = foud_tou_sess_dst(q->sess, &mh->msg_namelen);
	mh->msg_iov = &q->iov[q->first];
	mh->msg_iovlen = nseg;
	mh->msg_control = q->ctl[q->nmsg];
	mh->msg_controllen = tx_control(q->ctl[q->nmsg], &q->info, q->seg, nseg);
	q->peer[q->nmsg] = q->p;
	q->nseg[q->nmsg] = (uint16_t)nseg;
	q->nmsg++;
}

static void msg_begin(struct foud *d, struct tou_txq *q, struct foud_tou_peer *p)
{
	msg_end(q);
	/* Another socket, or no room for the message's slots (bytes[], mm[]): send first. */
	if (q->nmsg && (q->fd != p->sock->pair.ev.fd || q->nmsg == FOUD_BATCH))
		tx_flush(d, q);
	q->fd = p->sock->pair.ev.fd;
	q->open = true;
	q->first = q->niov;
	q->seg = 0;
	q->total = 0;
	q->p = p;
	q->bytes[q->nmsg] = 0;
}

/* The next batch buffer; a full batch is sent first, the open message carried on. */
static struct fou_buf *tx_slot(struct foud *d, struct tou_txq *q)
{
	struct fou_buf *b;

	if (q->niov == FOUD_BATCH) {
		bool open = q->open;

		msg_end(q);
		tx_flush(d, q);
		if (open)
			msg_begin(d, q, q->p);
	}
	b = &d->txb.buf[q->niov];
	b->off = FOUD_HEADROOM;
	b->len = 0;
	return b;
}

static void msg_add(struct tou_txq *q, const struct fou_buf *b, uint32_t inner_len)
{
	if (q->niov == q->first)
		q->seg = (uint16_t)b->len;
	q->iov[q->niov].iov_base = fou_buf_data(b);
	q->iov[q->niov].iov_len = b->len;
	q->niov++;
	q->total += b->len;
	q->bytes[q->nmsg] += inner_len;
}

/* Whether a datagram of len bytes must start a new GSO message. */
static bool msg_full(const struct foud *d, const struct tou_txq *q, size_t len)
{
	int n = q->niov - q->first;
	size_t max = q->p->cfg.peer.family == AF_INET ? 65535 - FOU_IPV4_HLEN - FOU_UDP_HLEN
						       : 65535 - FOU_UDP_HLEN;

	return n && (!d->udp_gso || n >= TOU_MAX_SEGS || len > q->seg || q->total + len > max ||
		     q->iov[q->niov - 1].iov_len < q->seg);
}

static void tx_drop(struct foud *d, struct foud_tou_peer *p, int reason)
{
	if (reason <= 0 || reason >= FOU_DROP__MAX)
		reason = FOU_DROP_TX_ERROR;
	d->tou->dev.st.tx_drop[reason]++;
	if (p)
		p->st.tx_drop[reason]++;
}

/* The segment in b whose IP header is *ip (fou_gso_seg_ip()): that header is not parsed again. */
static int tx_encap(struct tou_txq *q, struct fou_buf *b, const struct fou_ip *ip, bool partial)
{
	if (ip)
		return fou_tou_encap_seg(b, &q->info, ip, partial);
	return partial ? fou_tou_encap_rco(b, &q->info) : fou_tou_encap(b, &q->info);
}

/*
 * Encapsulates the packet in b (its TCP checksum partial: RCO; a segment
 * whose IP header is ip if given) and adds it to the open message.
 */
static void tx_one(struct foud *d, struct tou_txq *q, struct fou_buf *b, const struct fou_ip *ip,
		   bool partial)
{
	uint32_t inner = (uint32_t)b->len;
	int ret = tx_encap(q, b, ip, partial);

	if (!ret && q->sess)
		ret = foud_tou_sess_push(q->sess, b);
	if (!ret && q->p->auth)
		ret = foud_gue_auth_sign_plain(q->p->auth, b);
	if (!ret && q->p->dtls)
		ret = foud_tou_dtls_seal(q->p, b);
	if (ret) {
		tx_drop(d, q->p, -ret);
		return;
	}
	if (msg_full(d, q, b->len)) {
		struct fou_tou_info keep = q->info;

		msg_begin(d, q, q->p);
		q->info = keep;
	}
	msg_add(q, b, inner);
}

static int tx_gso(struct foud *d, struct tou_txq *q, const struct fou_vnet_hdr *vh,
		  const uint8_t *pkt, size_t len)
{
	struct fou_gso g;
	struct fou_ip ip;
	struct fou_buf *b;
	int ret = fou_gso_init(&g, vh, pkt, len);

	if (ret)
		return ret;
	/* RCO on every segment: each GUE header the same size, the batch one send. */
	g.partial = q->p->cfg.remcsum;
	for (;;) {
		b = tx_slot(d, q);
		ret = fou_gso_next(&g, fou_buf_data(b), b->cap - b->off, &b->len);
		if (ret <= 0)
			return ret;
		fou_gso_seg_ip(&g, fou_buf_data(b), b->len, &ip);
		tx_one(d, q, b, &ip, g.partial);
	}
}

/* A packet the kernel left for checksum offload, at the TCP checksum: RCO can carry it as is. */
static bool tx_rco(const struct foud_tou_peer *p, const struct fou_vnet_hdr *vh,
		   const struct fou_ip *ip)
{
	return p->cfg.remcsum && (vh->flags & FOU_VNET_F_NEEDS_CSUM) &&
	       vh->csum_start == ip->hlen && vh->csum_offset == 16;
}

static int tx_single(struct foud *d, struct tou_txq *q, const struct fou_vnet_hdr *vh,
		     const uint8_t *pkt, size_t len, const struct fou_ip *ip)
{
	struct fou_buf *b = tx_slot(d, q);
	bool rco = tx_rco(q->p, vh, ip);
	int ret = 0;

	memcpy(fou_buf_data(b), pkt, len);
	b->len = len;
	if (!rco && (vh->flags & FOU_VNET_F_NEEDS_CSUM))
		ret = fou_csum_complete(fou_buf_data(b), len, vh->csum_start, vh->csum_offset);
	if (!ret)
		tx_one(d, q, b, NULL, rco);
	return ret;
}

/* One read from tou0 (foud_tun_drain; ctx: the queue): an IPv4/IPv6 packet. */
static int tx_packet(struct foud *d, void *ctx, struct fou_vnet_hdr *vh, uint8_t *pkt, size_t len)
{
	struct tou_txq *q = ctx;
	struct foud_tou_peer *p;
	struct fou_ip ip;
	int ret;

	ret = fou_ip_parse(pkt, len, &ip);
	if (ret)
		return ret;
	/* Router solicitations and the like: TOU carries TCP only. */
	if (ip.proto != FOU_PROTO_TCP)
		return -FOU_DROP_INNER_PROTO;
	p = peer_find(d->tou, &ip.dst);
	if (!p)
		return -FOU_DROP_UNKNOWN_PEER;
	conn_note(p, pkt, &ip, q->now);
	msg_begin(d, q, p);
	/* A DTLS peer's session is its DTLS session: no session ids (the record hides them anyway). */
	q->sess = p->dtls ? NULL : foud_tou_sess_tx(d, p, pkt, &ip);
	ret = fou_vnet_is_gso(vh) ? tx_gso(d, q, vh, pkt, len) : tx_single(d, q, vh, pkt, len, &ip);
	msg_end(q);
	if (ret)
		tx_drop(d, p, -ret);
	return 0;
}

static void tou_dev_readable(struct foud *d, struct foud_ev *ev)
{
	static struct tou_txq q;

	q.nmsg = q.niov = 0;
	q.open = false;
	q.now = now_ms();
	foud_batch_reset(&d->txb, FOUD_HEADROOM);
	foud_tun_drain(d, foud_dev_of(ev), tx_packet, &q);
	if (q.nmsg)
		tx_flush(d, &q);
}

/* ---- receive: UDP -> tou0 -------------------------------------------------- */

static struct foud_tou_peer *rx_peer(struct foud *d, const struct foud_tou_sock *s,
				     const struct fou_addr *src)
{
	struct foud_tou_peer *p = peer_find(d->tou, src);

	return p && p->sock == s ? p : NULL;
}

/*
 * A TOU datagram from another port than the peer's last: a NAT's rebinding,
 * or a spoofer who would send the peer's replies nowhere. The port moves
 * for a segment whose checksum verifies, of a connection foud carried to
 * the peer, or for a SYN when foud has sent the peer nothing for
 * TOU_IDLE_MS (its mapping may have expired, and a new connection is then
 * the first thing heard); at most once per TOU_REBIND_MS.
 */
static bool rebind_ok(const struct foud *d, struct foud_tou_peer *p, const struct fou_buf *b,
		      const struct fou_tou_info *info, uint64_t now)
{
	size_t hlen = info->src.family == AF_INET6 ? FOU_IPV6_HLEN : FOU_IPV4_HLEN;
	const uint8_t *tcp = fou_buf_data(b) + hlen;
	bool syn, idle;

	if (!foud_tou_rx_csum_ok(d, b, info) || (p->rebind_ms && now - p->rebind_ms < TOU_REBIND_MS))
		return false;
	syn = (tcp[13] & (TCP_SYN | TCP_ACK)) == TCP_SYN;
	idle = !p->tx_ms || now - p->tx_ms >= TOU_IDLE_MS;
	return conn_known(p, info->dst.a, fou_get16(tcp + 2), fou_get16(tcp)) || (syn && idle);
}

static void peer_moved(struct foud *d, struct foud_tou_peer *p, uint16_t sport, uint64_t now)
{
	if (p->rx_seen)
		p->rebinds++;
	p->rebind_ms = now;
	peer_dst(p, sport);
	foud_event(d, &(struct foud_event){ .type = FOUD_EVT_TOU_REBIND, .peer = p });
}

/* Without session ids: the peer by its address, its port guarded as above. */
static int rx_plain(struct foud *d, struct foud_tou_sock *s, struct fou_buf *b,
		    const struct foud_rxmeta *m, struct foud_tou_peer **pp)
{
	struct fou_tou_info info = { .src = m->src, .dst = m->dst, .tos = m->tos };
	struct foud_tou_peer *p;
	int ret;

	p = *pp = rx_peer(d, s, &m->src);
	if (!p)
		return -FOU_DROP_UNKNOWN_PEER;
	/* A keyed peer's datagram is authenticated before anything reads or learns from it. */
	ret = p->auth ? foud_gue_auth_check(p->auth, b) : 0;
	if (!ret && p->dtls)
		ret = foud_tou_dtls_open(p, b, m->sport);
	if (ret > 0)
		return ret;	/* a handshake's, taken: nothing to deliver, no drop */
	if (!ret)
		ret = foud_tou_rx_decap(d, p, b, &info, m);
	if (!ret && foud_nested(d, fou_buf_data(b), b->len, false))
		ret = -FOU_DROP_NESTED;	/* a TCP segment to STT's port, say */
	if (ret)
		return ret;
	/* A NAT may have given the peer another port: answer where it speaks from. */
	if (m->sport != p->cur_port) {
		uint64_t now = now_ms();

		if (!rebind_ok(d, p, b, &info, now))
			return -FOU_DROP_TOU_REBIND;
		peer_moved(d, p, m->sport, now);
	}
	foud_tou_sess_plain(d, p, b);
	return 0;
}

/*
 * With session ids (tou_session.c). From the peer's own address, plain
 * datagrams follow its port too: for a D that matched, at the rebinding
 * rate; for S alone by the rules above, without dropping a SYN that does
 * not move it (another host behind the same NAT address, say).
 */
static int rx_session(struct foud *d, struct foud_tou_sock *s, struct fou_buf *b,
		      const struct foud_rxmeta *m, struct foud_tou_peer **pp)
{
	struct fou_tou_info info = { .src = m->src, .dst = m->dst };
	struct foud_tou_peer *p;
	uint64_t now = now_ms();
	bool proven;
	int ret;

	ret = foud_tou_sess_rx(d, s, rx_peer(d, s, &m->src), b, m, pp, &proven);
	p = *pp;
	if (ret || !fou_addr_eq(&m->src, &p->cfg.peer) || m->sport == p->cur_port)
		return ret;
	if (proven ? !p->rebind_ms || now - p->rebind_ms >= TOU_REBIND_MS
		   : rebind_ok(d, p, b, &info, now))
		peer_moved(d, p, m->sport, now);
	return 0;
}

static int rx_one(struct foud *d, struct foud_tou_sock *s, struct fou_buf *b,
		  const struct foud_rxmeta *m, struct foud_tou_peer **pp)
{
	struct foud_tou_peer *p;
	int ret;

	if (m->truncated)
		return -FOU_DROP_TOO_SHORT;
	ret = foud_tou_sess_is(b) ? rx_session(d, s, b, m, pp) : rx_plain(d, s, b, m, pp);
	if (ret)
		return ret;
	p = *pp;
	p->rx_seen = true;
	p->st.rx_packets++;
	p->st.rx_bytes += b->len;
	p->rco_partial += d->rx_partial;
	d->rx_verified = m->verified;
	foud_gro_input(d, &d->tou->dev, b, 0, false);
	d->rx_verified = false;
	return 0;
}

/* A datagram's drop is the device's (counted by the drain) and, when known, its peer's. */
static int rx_datagram(struct foud *d, void *ctx, struct fou_buf *b, struct foud_rxmeta *m)
{
	struct foud_tou_peer *p = NULL;
	int ret = rx_one(d, ctx, b, m, &p);

	d->rx_partial = false;	/* set by foud_tou_rx_decap() */
	if (ret < 0 && p)
		p->st.rx_drop[-ret]++;
	return ret > 0 ? 0 : ret;	/* > 0: taken, not delivered (a DTLS handshake's) */
}

static void tou_sock_readable(struct foud *d, struct foud_ev *ev)
{
	const struct foud_rxpt rp = {
		.name = TOU_DEV, .drops = &d->tou->dev.st, .one = rx_datagram,
		.ctx = (char *)ev - offsetof(struct foud_tou_sock, pair.ev),
	};

	foud_rx_drain(d, ev->fd, &rp);
}

/* The verified socket of the pair (csum.c): every datagram's outer checksum vouches. */
static void tou_sock_readable_verified(struct foud *d, struct foud_ev *ev)
{
	const struct foud_rxpt rp = {
		.name = TOU_DEV, .drops = &d->tou->dev.st, .one = rx_datagram,
		.ctx = (char *)ev - offsetof(struct foud_tou_sock, pair.vev), .verified = true,
	};

	foud_rx_drain(d, ev->fd, &rp);
}

/* ---- configuration ---------------------------------------------------------- */

static void sysctl_dev(const char *fmt, const char *val)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), fmt, TOU_DEV);
	f = fopen(path, "we");
	if (f) {
		fputs(val, f);
		fclose(f);
	}
}

/* tou0, up, loose reverse-path filter (its peers route elsewhere unmarked). */
static int dev_open(struct foud *d, char *err, size_t errlen)
{
	struct foud_tou *t = calloc(1, sizeof(*t));
	struct foud_tunnel *dev;
	int fd, ret;

	if (!t) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	TAILQ_INIT(&t->peers);
	TAILQ_INIT(&t->socks);
	dev = &t->dev;
	snprintf(dev->name, sizeof(dev->name), TOU_DEV);
	fd = foud_tun_open(TOU_DEV, false, d->offload, &dev->offload, &dev->ifindex);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create device \"" TOU_DEV "\": %s", strerror(-fd));
		free(t);
		return fd;
	}
	dev->ev.fd = fd;
	dev->ev.fn = tou_dev_readable;
	sysctl_dev("/proc/sys/net/ipv4/conf/%s/rp_filter", "2\n");
	ret = foud_loop_add(d, &dev->ev);
	if (!ret)
		ret = foud_tun_set_up(TOU_DEV);
	if (ret) {
		snprintf(err, errlen, "cannot bring up \"" TOU_DEV "\": %s", strerror(-ret));
		foud_loop_del(d, &dev->ev);
		foud_tun_close(d, fd);
		free(t);
		return ret;
	}
	d->tou = t;
	return 0;
}

/*
 * A peer's MTU inside tou0: its path's less UDP and GUE, FOU_TOU_SIDS_MAX
 * for session ids, a keyed peer's FOU_GUE_AUTH_LEN, a DTLS peer's record.
 */
static uint32_t peer_mtu(const struct foud_tou_peer *p)
{
	uint32_t mtu = foud_path_mtu(&p->cfg.peer) - TOU_OVERHEAD - FOU_TOU_SIDS_MAX;

	if (p->auth)
		mtu -= FOU_GUE_AUTH_LEN;
	return mtu - foud_tou_dtls_overhead(p);
}

/*
 * tou0's MTU is its widest peer's, up or down as peers come and go; each
 * peer's own is on its route (peer_route()), where TCP takes its MSS from,
 * so that a DTLS or keyed peer does not narrow every other peer's segments.
 */
static void dev_mtu(struct foud_tou *t)
{
	const struct foud_tou_peer *p;
	uint32_t mtu = 0;

	TAILQ_FOREACH(p, &t->peers, entry)
		mtu = p->mtu > mtu ? p->mtu : mtu;
	if (!mtu || mtu == t->dev.mtu)
		return;
	t->dev.mtu = mtu;
	if (foud_tun_set_mtu(TOU_DEV, mtu))
		foud_log(LOG_WARNING, TOU_DEV ": cannot set mtu %u", mtu);
}

static int fam_idx(int family)
{
	return family == AF_INET6;
}

/* The fwmark rule of a family, while it has peers. An existing one is taken over. */
static int rule_get(struct foud_tou *t, int family)
{
	int ret;

	if (t->rule[fam_idx(family)])
		return 0;
	ret = foud_rtnl_rule(true, family, CMD_TOU_MARK, CMD_TOU_TABLE, TOU_PRIO);
	if (ret && ret != -EEXIST)
		return ret;
	t->rule[fam_idx(family)] = true;
	return 0;
}

static void rule_put(struct foud_tou *t, int family)
{
	if (!t->rule[fam_idx(family)] || peers_of(t, family))
		return;
	foud_rtnl_rule(false, family, CMD_TOU_MARK, CMD_TOU_TABLE, TOU_PRIO);
	t->rule[fam_idx(family)] = false;
}

static void dev_close(struct foud *d)
{
	struct foud_tou *t = d->tou;

	rule_put(t, AF_INET);
	rule_put(t, AF_INET6);
	foud_tou_sess_free_all(d);
	foud_gro_forget(d, &t->dev);
	foud_loop_del(d, &t->dev.ev);
	foud_tun_close(d, t->dev.ev.fd);	/* the device goes, and its routes with it */
	free(t);
	d->tou = NULL;
}

static void peer_free(struct foud *d, struct foud_tou_peer *p)
{
	struct foud_tou *t = d->tou;

	TAILQ_REMOVE(&t->peers, p, entry);
	fou_htab_del(&t->peer_tab, &p->by_addr);
	if (!t->peer_tab.n)
		fou_htab_free(&t->peer_tab);
	foud_rtnl_route(false, &p->cfg.peer, NULL, t->dev.ifindex, CMD_TOU_TABLE, 0);
	foud_tou_sess_forget(d, p);
	sock_put(d, p->sock);
	rule_put(t, p->cfg.peer.family);
	foud_gue_auth_tou_close(p->auth);
	foud_gue_auth_free(p->auth);
	foud_tou_dtls_free(d, p);
	free(p);
}

/* The source address the kernel would use towards a, as connect() picks it. */
static int source_addr(const struct fou_addr *a, struct fou_addr *src)
{
	struct sockaddr_storage ss;
	socklen_t sl = foud_sockaddr(&ss, a, a->family, 9);
	int s = socket(a->family, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret = 0;

	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&ss, sl) < 0 || getsockname(s, (struct sockaddr *)&ss, &sl) < 0)
		ret = -errno;
	close(s);
	if (ret)
		return ret;
	memset(src, 0, sizeof(*src));
	src->family = a->family;
	if (a->family == AF_INET)
		memcpy(src->a, &((struct sockaddr_in *)&ss)->sin_addr, 4);
	else
		memcpy(src->a, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
	return 0;
}

/*
 * The peer's route in the TOU table, with the local address as its source
 * and the peer's MTU.
 * For IPv4 tou0 also carries that address: the kernel's reverse-path filter,
 * loose or off, drops everything arriving on a device without one.
 */
static int peer_route(struct foud_tou *t, struct foud_tou_peer *p)
{
	int ret = 0;

	p->src = p->cfg.local;
	if (!p->src.family)
		ret = source_addr(&p->cfg.peer, &p->src);
	if (!ret && p->src.family == AF_INET) {
		ret = foud_rtnl_addr(true, t->dev.ifindex, &p->src);
		ret = ret == -EEXIST ? 0 : ret;
	}
	if (!ret)
		ret = foud_rtnl_route(true, &p->cfg.peer, &p->src, t->dev.ifindex, CMD_TOU_TABLE,
				      p->mtu);
	return ret;
}

static int peer_add(struct foud *d, const struct cmd_tou_cfg *cfg, char *err, size_t errlen)
{
	struct foud_tou *t = d->tou;
	struct foud_tou_peer *p = calloc(1, sizeof(*p));
	char a[64];
	int ret;

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	p->cfg = *cfg;
	peer_dst(p, cfg->port);
	if (cfg->key_file[0][0]) {
		p->auth = foud_gue_auth_new(cfg->key_file, err, errlen);
		if (p->auth && foud_gue_auth_tou_open(p->auth, &cfg->peer, err, errlen)) {
			foud_gue_auth_free(p->auth);
			p->auth = NULL;
		}
		if (!p->auth) {
			free(p);
			return -EINVAL;
		}
	}
	p->sock = sock_get(d, cfg->peer.family, cfg->port, err, errlen);
	if (p->sock && fou_htab_add(&t->peer_tab, &p->by_addr, peer_hash(&cfg->peer))) {
		sock_put(d, p->sock);
		p->sock = NULL;
		snprintf(err, errlen, "out of memory");
	}
	if (!p->sock) {
		foud_gue_auth_free(p->auth);
		free(p);
		return -EADDRINUSE;
	}
	TAILQ_INSERT_TAIL(&t->peers, p, entry);
	/* DTLS first: its record's overhead is part of the route's MTU. */
	ret = foud_tou_dtls_new(d, p, err, errlen);
	if (ret) {
		peer_free(d, p);
		return ret;
	}
	p->mtu = peer_mtu(p);
	ret = rule_get(t, cfg->peer.family);
	if (!ret)
		ret = peer_route(t, p);
	if (ret) {
		snprintf(err, errlen, "cannot route %s to " TOU_DEV ": %s",
			 fou_addr_str(&cfg->peer, a, sizeof(a)), strerror(-ret));
		peer_free(d, p);
		return ret;
	}
	dev_mtu(t);
	foud_log(LOG_INFO, "tou peer %s port %u added", fou_addr_str(&cfg->peer, a, sizeof(a)),
		 cfg->port);
	return 0;
}

int foud_tou_add(struct foud *d, const struct cmd_tou_cfg *cfg, char *err, size_t errlen)
{
	char a[64];
	int ret;

	if (d->tou && peer_find(d->tou, &cfg->peer)) {
		snprintf(err, errlen, "tou peer %s already exists",
			 fou_addr_str(&cfg->peer, a, sizeof(a)));
		return -EEXIST;
	}
	if (!d->tou) {
		ret = dev_open(d, err, errlen);
		if (ret)
			return ret;
	}
	ret = peer_add(d, cfg, err, errlen);
	if (ret && TAILQ_EMPTY(&d->tou->peers))
		dev_close(d);
	return ret;
}

int foud_tou_del(struct foud *d, const struct cmd_tou_cfg *cfg, char *err, size_t errlen)
{
	struct foud_tou_peer *p = d->tou ? peer_find(d->tou, &cfg->peer) : NULL;
	char a[64];

	if (!p) {
		snprintf(err, errlen, "no tou peer %s", fou_addr_str(&cfg->peer, a, sizeof(a)));
		return -ENOENT;
	}
	peer_free(d, p);
	if (TAILQ_EMPTY(&d->tou->peers))
		dev_close(d);
	else
		dev_mtu(d->tou);
	return 0;
}

void foud_tou_free_all(struct foud *d)
{
	while (d->tou && !TAILQ_EMPTY(&d->tou->peers))
		peer_free(d, TAILQ_FIRST(&d->tou->peers));
	if (d->tou)
		dev_close(d);
}


/* ---- tou show ---------------------------------------------------------------- */

static void show_peer(const struct foud_tou_peer *p, struct foud_pr *pr)
{
	/* JSON has them always, text with -d. */
	bool d = pr->flags & CTL_F_DETAILS;
	char a[64];

	foud_pr_open_object(pr, NULL);
	foud_pr_str(pr, "peer", "peer %s", fou_addr_str(&p->cfg.peer, a, sizeof(a)));
	foud_pr_uint(pr, "port", " port %u", p->cfg.port);
	if (p->cfg.local.family)
		foud_pr_str(pr, "local", " local %s", fou_addr_str(&p->cfg.local, a, sizeof(a)));
	if (p->auth)
		foud_pr_str(pr, "key", " key %s", foud_gue_auth_file(p->auth));
	foud_pr_bool(pr, "remcsum", " remcsum", NULL, p->cfg.remcsum);
	foud_pr_text(pr, " dev " TOU_DEV);
	foud_pr_uint(pr, "mtu", " mtu %u\n", p->mtu);
	foud_tou_dtls_show(p, pr);
	foud_pr_uint(pr, "peer_port_seen", d ? "    peer-port-seen %u" : NULL, p->cur_port);
	foud_pr_u64(pr, "rebinds", d ? " rebinds %llu\n" : NULL, p->rebinds);
	foud_pr_u64(pr, "rco_partial", d ? "    remote checksum offload left partial %llu\n" : NULL,
		    p->rco_partial);
	if (p->auth)
		foud_pr_uint(pr, "key_id", d ? "    key-id %08x\n" : NULL, foud_gue_auth_id(p->auth));
	if (pr->flags & CTL_F_STATS)
		foud_show_stats(pr, &p->st);
	foud_pr_close_object(pr);
}

/* The TOU device's line; with -s its counters. */
static void show_dev(const struct foud_tou *t, struct foud_pr *pr)
{
	foud_pr_str(pr, "ifname", "%s:", TOU_DEV);
	foud_pr_s64(pr, "ifindex", NULL, t->dev.ifindex);
	foud_pr_uint(pr, "mtu", " mtu %u", t->dev.mtu);
	foud_pr_uint(pr, "fwmark", " fwmark 0x%x", CMD_TOU_MARK);
	foud_pr_uint(pr, "table", " table %u", CMD_TOU_TABLE);
	foud_pr_bool(pr, "offload", " offload on\n", " offload off\n", t->dev.offload);
	if (!(pr->flags & CTL_F_STATS))
		return;
	foud_pr_open_object(pr, "device");
	foud_pr_str(pr, "ifname", NULL, TOU_DEV);
	foud_show_stats(pr, &t->dev.st);
	foud_pr_u64(pr, "csum_trusted", "    inner checksums trusted (outer verified) %llu\n",
		    t->dev.csum_trusted);
	foud_pr_close_object(pr);
}

/* The TOU device (none without a peer), the peers (an empty list), the sessions. */
void foud_tou_show(struct foud *d, struct foud_pr *pr)
{
	const struct foud_tou *t = d->tou;
	const struct foud_tou_peer *p;

	foud_pr_open_object(pr, NULL);
	if (t)
		show_dev(t, pr);
	foud_pr_open_array(pr, "peers");
	if (t)
		TAILQ_FOREACH(p, &t->peers, entry)
			show_peer(p, pr);
	foud_pr_close_array(pr);
	foud_tou_sess_show(d, pr);
	foud_pr_close_object(pr);
}
