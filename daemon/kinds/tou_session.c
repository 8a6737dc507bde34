/* SPDX-License-Identifier: MIT */
/*
 * TOU session ids (draft-herbert-transports-over-udp-01 §3, §4.1): each TCP
 * connection over TOU gets a session; each side picks a random 64-bit id
 * for what it receives. The SYN carries the initiator's as S; the SYN-ACK
 * carries the target's as S and the initiator's as D; from then on each
 * side sends the other's as D only. A datagram with D is looked up by that
 * id, not by its addresses: the peer's address and port are learned from
 * it (with a key, once its HMAC verified; without, once its TCP checksum
 * verified, at most once a second), and the TCP packet gets the addresses
 * the connection began with. So a NAT may change its address mid-
 * connection, and several hosts behind one NAT address each keep theirs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/random.h>
#include <syslog.h>

#include "event.h"
#include "fou/gue_auth.h"
#include "fou/tou_session.h"
#include "tou_rco.h"
#include "tou_session.h"

#define SESS_MAX	4096		/* kept at most; the least recently used goes first */
#define SESS_BUCKETS	1024
#define SESS_HALF_MS	10000		/* unanswered or unconfirmed handshake */
#define SESS_IDLE_MS	600000		/* an established connection, silent */
#define SESS_CLOSE_MS	3000		/* after a RST, or FIN both ways */
#define SESS_MOVE_MS	1000		/* a keyless session moves at most this often */
#define SESS_TICK_MS	1000
#define TCP_FIN		0x01
#define TCP_SYN		0x02
#define TCP_RST		0x04
#define TCP_ACK		0x10

struct foud_tou_sess {
	LIST_ENTRY(foud_tou_sess) by_id, by_conn;
	TAILQ_ENTRY(foud_tou_sess) lru;	/* on its table's q[confirmed] */
	const struct foud_tou_peer *peer;
	uint64_t lsid, rsid;		/* ours (what we receive as D), the peer's */
	bool have_rsid, confirmed;	/* the peer's id known; the peer sent ours */
	uint8_t fin;			/* 1: FIN sent, 2: received */
	bool rst;
	unsigned int syns;		/* SYNs sent while the peer's id is unknown */
	struct fou_addr laddr, raddr;	/* the connection as the local TCP knows it */
	uint16_t lport, rport;
	struct fou_addr at;		/* where the peer is: learned */
	uint16_t at_port;
	struct sockaddr_storage dst;
	socklen_t dst_len;
	struct fou_replay replay;	/* keyed peer: this session's sequences */
	uint64_t seen_ms, move_ms;
	uint64_t rx, tx, moves;
};

LIST_HEAD(sess_list, foud_tou_sess);
TAILQ_HEAD(sess_q, foud_tou_sess);

struct foud_tou_sessions {
	struct sess_list id[SESS_BUCKETS], conn[SESS_BUCKETS];
	/*
	 * Least recently used first: handshakes (which spoofed SYNs of a
	 * keyless peer can make) apart, so that they give way first.
	 */
	struct sess_q q[2];
	unsigned int n;
	uint32_t seed;
	uint64_t created, expired, evicted;
};

/* ---- the tables ------------------------------------------------------------- */

static void sess_tick(struct foud *d, void *arg);

static struct foud_tou_sessions *sess_tab(struct foud *d)
{
	struct foud_tou_sessions *t = d->tou->sess;

	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	if (foud_timer_add(d, SESS_TICK_MS, sess_tick, NULL)) {
		free(t);
		return NULL;
	}
	TAILQ_INIT(&t->q[0]);
	TAILQ_INIT(&t->q[1]);
	t->seed = d->hash_seed;
	d->tou->sess = t;
	return t;
}

static uint32_t conn_hash(const struct foud_tou_sessions *t, const struct fou_addr *l,
			  uint16_t lport, const struct fou_addr *r, uint16_t rport)
{
	uint32_t h = t->seed ^ ((uint32_t)lport << 16 | rport);
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ l->a[i] ^ (uint32_t)r->a[i] << 8) * 16777619u;
	return h % SESS_BUCKETS;
}

static struct foud_tou_sess *by_id(const struct foud_tou_sessions *t, uint64_t lsid)
{
	struct foud_tou_sess *s;

	LIST_FOREACH(s, &t->id[lsid % SESS_BUCKETS], by_id)
		if (s->lsid == lsid)
			return s;
	return NULL;
}

static struct foud_tou_sess *by_conn(const struct foud_tou_sessions *t,
				     const struct foud_tou_peer *p, const struct fou_addr *l,
				     uint16_t lport, const struct fou_addr *r, uint16_t rport)
{
	struct foud_tou_sess *s;

	LIST_FOREACH(s, &t->conn[conn_hash(t, l, lport, r, rport)], by_conn)
		if (s->peer == p && s->lport == lport && s->rport == rport &&
		    fou_addr_eq(&s->laddr, l) && fou_addr_eq(&s->raddr, r))
			return s;
	return NULL;
}

static void sess_free(struct foud_tou_sessions *t, struct foud_tou_sess *s)
{
	LIST_REMOVE(s, by_id);
	LIST_REMOVE(s, by_conn);
	TAILQ_REMOVE(&t->q[s->confirmed], s, lru);
	t->n--;
	free(s);
}

/* A random id of ours, unique among our sessions (0 means none). */
static uint64_t new_id(const struct foud_tou_sessions *t)
{
	uint64_t v = 0;
	int tries;

	for (tries = 0; tries < 4 && (!v || by_id(t, v)); tries++)
		if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v))
			v = 0;
	return v && !by_id(t, v) ? v : 0;
}

static void sess_at(struct foud_tou_sess *s, const struct fou_addr *a, uint16_t port)
{
	s->at = *a;
	s->at_port = port;
	s->dst_len = foud_sockaddr(&s->dst, a, a->family, port);
}

/* A session for the connection l:lport <-> r:rport with p; the oldest goes if full. */
static struct foud_tou_sess *sess_new(struct foud *d, const struct foud_tou_peer *p,
				      const struct fou_addr *l, uint16_t lport,
				      const struct fou_addr *r, uint16_t rport)
{
	struct foud_tou_sessions *t = sess_tab(d);
	struct foud_tou_sess *s;

	if (!t)
		return NULL;
	if (t->n >= SESS_MAX) {
		sess_free(t, TAILQ_EMPTY(&t->q[0]) ? TAILQ_FIRST(&t->q[1]) : TAILQ_FIRST(&t->q[0]));
		t->evicted++;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->peer = p;
	s->laddr = *l;
	s->raddr = *r;
	s->lport = lport;
	s->rport = rport;
	s->lsid = new_id(t);
	if (!s->lsid) {
		free(s);
		return NULL;
	}
	s->seen_ms = foud_now_ms();
	LIST_INSERT_HEAD(&t->id[s->lsid % SESS_BUCKETS], s, by_id);
	LIST_INSERT_HEAD(&t->conn[conn_hash(t, l, lport, r, rport)], s, by_conn);
	TAILQ_INSERT_TAIL(&t->q[0], s, lru);
	t->n++;
	t->created++;
	return s;
}

/* Seen now: the most recently used; a FIN or RST says the end is near. */
static void sess_touch(struct foud *d, struct foud_tou_sess *s, uint8_t tcp_flags, bool out)
{
	struct foud_tou_sessions *t = d->tou->sess;

	s->seen_ms = foud_now_ms();
	TAILQ_REMOVE(&t->q[s->confirmed], s, lru);
	TAILQ_INSERT_TAIL(&t->q[s->confirmed], s, lru);
	if (tcp_flags & TCP_RST)
		s->rst = true;
	if (tcp_flags & TCP_FIN)
		s->fin |= out ? 1 : 2;
}

static uint64_t sess_ttl(const struct foud_tou_sess *s)
{
	if (s->rst || s->fin == 3)
		return SESS_CLOSE_MS;
	return s->confirmed ? SESS_IDLE_MS : SESS_HALF_MS;
}

static void sess_tick(struct foud *d, void *arg)
{
	struct foud_tou_sessions *t = d->tou ? d->tou->sess : NULL;
	struct foud_tou_sess *s, *next;
	uint64_t now = foud_now_ms();
	int k;

	(void)arg;
	for (k = 0; t && k < 2; k++) {
		for (s = TAILQ_FIRST(&t->q[k]); s; s = next) {
			next = TAILQ_NEXT(s, lru);
			if (now - s->seen_ms >= sess_ttl(s)) {
				sess_free(t, s);
				t->expired++;
			}
		}
	}
}

/* ---- send ------------------------------------------------------------------- */

static uint8_t tcp_flags(const uint8_t *tcp)
{
	return tcp[13];
}

/* Every other SYN the peer has not answered with an id goes plain: it may not know them. */
static struct foud_tou_sess *tx_syn(struct foud *d, struct foud_tou_peer *p,
				    struct foud_tou_sess *s, const struct fou_ip *ip,
				    uint16_t lport, uint16_t rport)
{
	if (s && s->have_rsid) {	/* the connection's 4-tuple again: a new one */
		sess_free(d->tou->sess, s);
		s = NULL;
	}
	if (!s) {
		s = sess_new(d, p, &ip->src, lport, &ip->dst, rport);
		if (!s)
			return NULL;
		s->dst = p->dst;
		s->dst_len = p->dst_len;
		s->at = p->cfg.peer;
		s->at_port = p->cur_port;
	}
	return s->have_rsid || s->syns++ % 2 == 0 ? s : NULL;
}

struct foud_tou_sess *foud_tou_sess_tx(struct foud *d, struct foud_tou_peer *p,
				       const uint8_t *pkt, const struct fou_ip *ip)
{
	const uint8_t *tcp = pkt + ip->hlen;
	struct foud_tou_sess *s = NULL;
	uint16_t lport, rport;

	/* DTLS seals a plain GUE header (tou_dtls.c): its peers go without ids. */
	if ((size_t)ip->hlen + 14 > ip->tot_len || p->dtls)
		return NULL;
	lport = fou_get16(tcp);
	rport = fou_get16(tcp + 2);
	if (d->tou->sess)
		s = by_conn(d->tou->sess, p, &ip->src, lport, &ip->dst, rport);
	if ((tcp_flags(tcp) & (TCP_SYN | TCP_ACK)) == TCP_SYN)
		s = tx_syn(d, p, s, ip, lport, rport);
	if (s)
		sess_touch(d, s, tcp_flags(tcp), true);
	return s;
}

/* §4.1: S alone until the peer's id is known, S and D until it used ours, then D. */
int foud_tou_sess_push(struct foud_tou_sess *s, struct fou_buf *b)
{
	struct fou_tou_sid id = { .src = s->lsid, .dst = s->rsid };

	if (!s->have_rsid)
		id.flags = FOU_TOU_FLAG_S;
	else
		id.flags = s->confirmed ? FOU_TOU_FLAG_D : FOU_TOU_FLAGS_SID;
	s->tx++;	/* per datagram: a super-packet's segments each */
	return fou_tou_sid_push(b, &id);
}

struct sockaddr_storage *foud_tou_sess_dst(struct foud_tou_sess *s, socklen_t *len)
{
	*len = s->dst_len;
	return &s->dst;
}

/* ---- receive ---------------------------------------------------------------- */

/* What a datagram's ids found: its session (or, S alone, none yet) and peer. */
struct sess_rx {
	struct fou_tou_sid id;
	struct foud_tou_sess *s;
	struct foud_tou_peer *p;
	struct fou_tou_info info;	/* the addresses the TCP packet gets */
	uint64_t seq;
};

bool foud_tou_sess_is(const struct fou_buf *b)
{
	struct fou_tou_sid id;

	return !fou_tou_sid_peek(b, &id) && id.flags;
}

/* D names our session, which must be this socket's; S alone needs a peer at this address. */
static int rx_find(struct foud *d, struct foud_tou_sock *sock, struct foud_tou_peer *apeer,
		   const struct fou_buf *b, struct sess_rx *r)
{
	struct foud_tou_sessions *t = d->tou->sess;
	int ret = fou_tou_sid_peek(b, &r->id);

	if (ret)
		return ret;
	if (!(r->id.flags & FOU_TOU_FLAG_D)) {
		r->p = apeer;
		return apeer ? 0 : -FOU_DROP_UNKNOWN_PEER;
	}
	r->s = t ? by_id(t, r->id.dst) : NULL;
	if (!r->s || r->s->peer->sock != sock)
		return -FOU_DROP_TOU_SESSION;
	/* The peer is the session's; a const view there, tou.c's own peer here. */
	r->p = (struct foud_tou_peer *)r->s->peer;
	r->info.src = r->s->raddr;
	r->info.dst = r->s->laddr;
	return 0;
}

/* Authenticated (keyed peer) and stripped to a plain GUE header, then TCP. */
static int rx_open(struct foud *d, struct fou_buf *b, struct sess_rx *r,
		   const struct foud_rxmeta *m)
{
	struct fou_tou_sid id;
	int ret = 0;

	if (r->p->auth)
		ret = foud_gue_auth_verify(r->p->auth, b, FOU_TOU_FLAGS_SID, &r->seq);
	if (!ret)
		ret = fou_tou_sid_pull(b, &id);
	if (ret)
		return ret;
	/* What the HMAC covered must be what the lookup read. */
	if (id.flags != r->id.flags || id.src != r->id.src || id.dst != r->id.dst)
		return -FOU_DROP_TOU_SESSION;
	if (!r->s) {
		r->info.src = m->src;
		r->info.dst = m->dst;
	}
	r->info.tos = m->tos;
	return foud_tou_rx_decap(d, r->p, b, &r->info, m);
}

static uint8_t *rx_tcp(const struct fou_buf *b, const struct fou_tou_info *info)
{
	return fou_buf_data(b) + (info->src.family == AF_INET6 ? FOU_IPV6_HLEN : FOU_IPV4_HLEN);
}

/*
 * S alone: a SYN of a new connection (a session is made for it) or its
 * retransmission (the session it made). A known connection whose peer id
 * changed is a new connection on the same ports.
 */
static int rx_syn(struct foud *d, const struct fou_buf *b, struct sess_rx *r)
{
	const uint8_t *tcp = rx_tcp(b, &r->info);
	uint16_t rport = fou_get16(tcp), lport = fou_get16(tcp + 2);
	struct foud_tou_sessions *t = sess_tab(d);
	struct foud_tou_sess *s;

	if (!t)
		return -FOU_DROP_TOU_SESSION;
	s = by_conn(t, r->p, &r->info.dst, lport, &r->info.src, rport);
	if (s && s->have_rsid && s->rsid == r->id.src) {
		r->s = s;
		return 0;
	}
	if ((tcp_flags(tcp) & (TCP_SYN | TCP_ACK)) != TCP_SYN)
		return -FOU_DROP_TOU_SESSION;
	if (!r->p->auth && !foud_tou_rx_csum_ok(d, b, &r->info))	/* no session for noise */
		return -FOU_DROP_INNER_CSUM;
	/* A live connection's ports: a spoofed SYN must not end its session. */
	if (s && s->confirmed && !s->rst && s->fin != 3)
		return -FOU_DROP_TOU_SESSION;
	if (s)
		sess_free(t, s);
	s = sess_new(d, r->p, &r->info.dst, lport, &r->info.src, rport);
	if (!s)
		return -FOU_DROP_TOU_SESSION;
	s->rsid = r->id.src;
	s->have_rsid = true;
	r->s = s;
	return 0;
}

/* D: the connection's ports, the peer's id unchanged; then the window. */
static int rx_check(const struct fou_buf *b, const struct sess_rx *r)
{
	const uint8_t *tcp = rx_tcp(b, &r->info);
	const struct foud_tou_sess *s = r->s;

	if (fou_get16(tcp) != s->rport || fou_get16(tcp + 2) != s->lport)
		return -FOU_DROP_TOU_SESSION;
	if ((r->id.flags & FOU_TOU_FLAG_S) && s->have_rsid && s->rsid != r->id.src)
		return -FOU_DROP_TOU_SESSION;
	return 0;
}

/*
 * §3.9: the peer's address and port, learned from a validated datagram.
 * With a key, its HMAC verified; without one, the D id (64 random bits an
 * off-path sender cannot guess) and a TCP checksum that verifies, and at
 * most one move a second against copies from a sender on the path.
 */
/* 1: it moved (told to `fouctl monitor tou`), 0: it stays, or -FOU_DROP_TOU_REBIND. */
static int rx_move(const struct foud *d, struct foud_tou_sess *s, const struct fou_buf *b,
		   const struct sess_rx *r, const struct foud_rxmeta *m)
{
	uint64_t now = foud_now_ms();

	if (fou_addr_eq(&m->src, &s->at) && m->sport == s->at_port)
		return 0;
	if (!s->at.family) {
		sess_at(s, &m->src, m->sport);
		return 0;
	}
	if (!r->p->auth && (!foud_tou_rx_csum_ok(d, b, &r->info) ||
			    (s->move_ms && now - s->move_ms < SESS_MOVE_MS)))
		return -FOU_DROP_TOU_REBIND;
	s->move_ms = now;
	s->moves++;
	r->p->sess_moves++;
	sess_at(s, &m->src, m->sport);
	return 1;
}

static int rx_session(struct foud *d, struct fou_buf *b, struct sess_rx *r,
		      const struct foud_rxmeta *m)
{
	int ret = r->s ? rx_check(b, r) : rx_syn(d, b, r);
	struct foud_tou_sess *s = r->s;

	if (ret)
		return ret;
	if (r->p->auth && !fou_replay_update(&s->replay, r->seq))
		return -FOU_DROP_REPLAY;
	if (foud_nested(d, fou_buf_data(b), b->len, false))
		return -FOU_DROP_NESTED;
	ret = rx_move(d, s, b, r, m);
	if (ret < 0)
		return ret;
	if (ret)
		foud_event(d, &(struct foud_event){ .type = FOUD_EVT_TOU_MOVE, .peer = r->p,
			   .sid = s->lsid, .at = &s->at, .at_port = s->at_port, .moves = s->moves });
	if (r->id.flags & FOU_TOU_FLAG_S) {
		s->rsid = r->id.src;
		s->have_rsid = true;
	}
	if ((r->id.flags & FOU_TOU_FLAG_D) && !s->confirmed) {	/* among the established now */
		TAILQ_REMOVE(&d->tou->sess->q[0], s, lru);
		s->confirmed = true;
		TAILQ_INSERT_TAIL(&d->tou->sess->q[1], s, lru);
	}
	s->rx++;
	sess_touch(d, s, tcp_flags(rx_tcp(b, &r->info)), false);
	return 0;
}

int foud_tou_sess_rx(struct foud *d, struct foud_tou_sock *sock, struct foud_tou_peer *apeer,
		     struct fou_buf *b, const struct foud_rxmeta *m, struct foud_tou_peer **pp,
		     bool *proven)
{
	struct sess_rx r;
	int ret;

	memset(&r, 0, sizeof(r));
	ret = rx_find(d, sock, apeer, b, &r);
	*pp = r.p;
	if (!ret)
		ret = rx_open(d, b, &r, m);
	if (!ret)
		ret = rx_session(d, b, &r, m);
	*proven = !ret && (r.id.flags & FOU_TOU_FLAG_D);
	return ret;
}

void foud_tou_sess_plain(struct foud *d, const struct foud_tou_peer *p, const struct fou_buf *b)
{
	const uint8_t *pkt = fou_buf_data(b);
	struct foud_tou_sess *s;
	struct fou_ip ip;

	if (!d->tou->sess || fou_ip_parse(pkt, b->len, &ip) || (size_t)ip.hlen + 4 > ip.tot_len)
		return;
	s = by_conn(d->tou->sess, p, &ip.dst, fou_get16(pkt + ip.hlen + 2), &ip.src,
		    fou_get16(pkt + ip.hlen));
	if (s && !s->have_rsid)
		sess_free(d->tou->sess, s);
}

/* ---- peers going, show --------------------------------------------------------- */

void foud_tou_sess_forget(struct foud *d, const struct foud_tou_peer *p)
{
	struct foud_tou_sessions *t = d->tou ? d->tou->sess : NULL;
	struct foud_tou_sess *s, *next;
	int k;

	for (k = 0; t && k < 2; k++) {
		for (s = TAILQ_FIRST(&t->q[k]); s; s = next) {
			next = TAILQ_NEXT(s, lru);
			if (s->peer == p)
				sess_free(t, s);
		}
	}
}

void foud_tou_sess_free_all(struct foud *d)
{
	struct foud_tou_sessions *t = d->tou ? d->tou->sess : NULL;

	if (!t)
		return;
	while (t->n)
		sess_free(t, TAILQ_EMPTY(&t->q[0]) ? TAILQ_FIRST(&t->q[1]) : TAILQ_FIRST(&t->q[0]));
	foud_timer_del(d, sess_tick, NULL);
	free(t);
	d->tou->sess = NULL;
}

static const char *sess_state(const struct foud_tou_sess *s)
{
	if (s->rst || s->fin == 3)
		return "closing";
	return s->confirmed && s->have_rsid ? "established" : "handshake";
}

static void show_id(struct foud_pr *pr, const char *key, const char *fmt, uint64_t v)
{
	char buf[20];

	snprintf(buf, sizeof(buf), "%016llx", (unsigned long long)v);
	foud_pr_str(pr, key, fmt, buf);
}

static void show_conn(struct foud_pr *pr, const struct foud_tou_sess *s)
{
	char a[64];

	foud_pr_str(pr, "local", "    conn %s", fou_addr_str(&s->laddr, a, sizeof(a)));
	foud_pr_uint(pr, "local_port", " %u", s->lport);
	foud_pr_str(pr, "remote", " -> %s", fou_addr_str(&s->raddr, a, sizeof(a)));
	foud_pr_uint(pr, "remote_port", " %u", s->rport);
	foud_pr_str(pr, "at", " at %s", fou_addr_str(&s->at, a, sizeof(a)));
	foud_pr_uint(pr, "at_port", " port %u\n", s->at_port);
}

static void show_sess(struct foud_pr *pr, const struct foud_tou_sess *s, uint64_t now)
{
	char a[64];

	foud_pr_open_object(pr, NULL);
	show_id(pr, "id", "session %s", s->lsid);
	if (s->have_rsid)
		show_id(pr, "peer_id", " peer-id %s", s->rsid);
	foud_pr_str(pr, "peer", " peer %s", fou_addr_str(&s->peer->cfg.peer, a, sizeof(a)));
	foud_pr_str(pr, "state", " %s\n", sess_state(s));
	show_conn(pr, s);
	foud_pr_u64(pr, "last_seen_ms", "    last-seen %llums ago", now - s->seen_ms);
	foud_pr_u64(pr, "rx_packets", " rx %llu", s->rx);
	foud_pr_u64(pr, "tx_packets", " tx %llu", s->tx);
	foud_pr_u64(pr, "moves", " moves %llu\n", s->moves);
	foud_pr_close_object(pr);
}

/* The sessions and their totals (made, timed out, pushed out by newer ones). */
void foud_tou_sess_show(struct foud *d, struct foud_pr *pr)
{
	const struct foud_tou_sessions *t = d->tou ? d->tou->sess : NULL;
	const struct foud_tou_sess *s;
	uint64_t now = foud_now_ms();
	int k;

	if (d->tou) {	/* with tou0, as its line */
		foud_pr_open_object(pr, "session_totals");
		foud_pr_uint(pr, "active", "sessions %u", t ? t->n : 0);
		foud_pr_u64(pr, "created", " created %llu", t ? t->created : 0);
		foud_pr_u64(pr, "expired", " expired %llu", t ? t->expired : 0);
		foud_pr_u64(pr, "evicted", " evicted %llu\n", t ? t->evicted : 0);
		foud_pr_close_object(pr);
	}
	foud_pr_open_array(pr, "sessions");
	for (k = 0; t && k < 2; k++)
		TAILQ_FOREACH(s, &t->q[k], lru)
			show_sess(pr, s, now);
	foud_pr_close_array(pr);
}
