/* SPDX-License-Identifier: MIT */
/*
 * TOU over DTLS 1.2 with a peer (`tou add peer ADDR dtls ...`): OpenSSL's
 * DTLS over memory BIOs, driven from the event loop. tou.c hands each TCP
 * segment to seal and each datagram from the peer to open; everything else
 * (handshakes, retransmission, rekeying) happens here.
 *
 * Who starts: both ends keep a session with each DTLS peer, so each sends a
 * ClientHello when it has none (at `tou add`, after a failure, when the
 * peer stopped answering) or when its session is due for a rekey. A
 * ClientHello from the peer is answered as a server once it carries a
 * cookie (RFC 6347 §4.2.1: a HelloVerifyRequest costs no state, so a
 * spoofer of the peer's address cannot take the handshake's place); when
 * both ends start at once, the ClientHello with the higher random wins and
 * the other end drops its own and answers (the address order would not do:
 * behind a NAT both ends may see themselves as the lower address); one the
 * peer never answered yields anyway, as the NAT may keep it from the peer.
 * A handshake's flights go to the port its ClientHello came from.
 *
 * Rekey without loss: a new session is a full handshake (fresh ECDHE) beside
 * the current one, which keeps carrying traffic until the new one is up;
 * then sending moves to the new one, and the old one still decrypts what
 * was in flight for DTLS_OLD_MS. A record is tried on the current session,
 * then on the old one (DTLS drops a record that fails silently, and its
 * replay window only moves for records that pass).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "foud.h"
#include "fou/tou_dtls.h"

#define DTLS_TICK_MS	100
#define DTLS_HS_MS	3000	/* a handshake not done by then is abandoned */
#define DTLS_RETRY_MS	1000	/* the pause before the next attempt */
#define DTLS_OLD_MS	2000	/* the old session still decrypts this long after a rekey */
#define DTLS_DEAD_MS	5000	/* sent, but nothing decrypted for this long: a new session */
#define DTLS_PSK_ID	"foud"
#define DTLS_RANDOM	32
#define DTLS_CTL	128
#define DTLS_ERR	160

/* Forward secrecy first; AEAD only, so every record of a session grows alike (GSO). */
#define DTLS_CIPHERS_PSK \
	"ECDHE-PSK-CHACHA20-POLY1305:PSK-AES256-GCM-SHA384:PSK-AES128-GCM-SHA256"
#define DTLS_CIPHERS_CERT	"ECDHE+AESGCM:ECDHE+CHACHA20"

struct dtls_sess {
	SSL *ssl;
	BIO *rbio, *wbio;	/* owned by ssl: a datagram in, records out */
	uint64_t born_ms, tx_ms, rx_ms;
	uint64_t bytes;		/* plaintext, both ways */
	bool up;		/* handshake done */
	bool client;
	bool heard;		/* the peer answered its handshake */
	uint16_t port;		/* the peer's, for its handshake: a server's is its ClientHello's */
};

struct foud_tou_dtls {
	struct foud_tou_peer *p;
	SSL_CTX *ctx;
	struct dtls_sess *cur, *next, *old;	/* sending; handshaking; still decrypting */
	struct dtls_sess *lis;	/* answers ClientHellos without a cookie (DTLSv1_listen) */
	uint64_t old_until, retry_ms;
	uint64_t handshakes, rekeys, failures;
	bool rekey_now;		/* reload read the files again: a new session with them */
	uint32_t psk_id;	/* the PSK's first 32 bits of SHA-256, to compare both ends */
	long mtu;		/* for handshake records: the path's, less IP, UDP, GUE */
	uint16_t hello_port;	/* the port of the ClientHello being answered (its cookie's) */
	char err[DTLS_ERR];	/* why the last handshake failed */
	uint8_t psk[32];
};

/* One timer serves every DTLS peer. */
static unsigned int dtls_peers;
/* The cookies' key, drawn when foud starts its first DTLS peer. */
static uint8_t dtls_cookie_key[32];
static bool dtls_cookie_ready;
/* Plaintext out of SSL_read, before it goes back into the datagram's buffer. */
static uint8_t dtls_plain[FOUD_PKT_MAX];

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char *peer_name(const struct foud_tou_dtls *t, char *buf, size_t len)
{
	return fou_addr_str(&t->p->cfg.peer, buf, len);
}

/* ---- sessions ---------------------------------------------------------------- */

static void sess_free(struct dtls_sess **sp)
{
	struct dtls_sess *s = *sp;

	if (!s)
		return;
	SSL_free(s->ssl);	/* and its BIOs */
	free(s);
	*sp = NULL;
}

static struct dtls_sess *sess_new(struct foud_tou_dtls *t, bool client, uint16_t port)
{
	struct dtls_sess *s = calloc(1, sizeof(*s));
	BIO *r = BIO_new(BIO_s_mem()), *w = BIO_new(BIO_s_mem());
	SSL *ssl = SSL_new(t->ctx);

	if (!s || !r || !w || !ssl) {
		BIO_free(r);
		BIO_free(w);
		SSL_free(ssl);
		free(s);
		return NULL;
	}
	BIO_set_mem_eof_return(r, -1);	/* empty: "try again", not end of file */
	BIO_set_mem_eof_return(w, -1);
	SSL_set_bio(ssl, r, w);
	SSL_set_app_data(ssl, t);
	SSL_set_options(ssl, SSL_OP_NO_QUERY_MTU);
	SSL_set_mtu(ssl, t->mtu);
	if (client)
		SSL_set_connect_state(ssl);
	else
		SSL_set_accept_state(ssl);
	*s = (struct dtls_sess){ .ssl = ssl, .rbio = r, .wbio = w, .client = client, .port = port };
	s->born_ms = s->rx_ms = now_ms();
	return s;
}

/*
 * Sends n bytes of the records of s, behind the GUE header and transform
 * word, to the port of its handshake: through a NAT, a ClientHello's
 * source port is where the peer hears, whatever port TOU learned before.
 */
static void send_records(struct foud_tou_dtls *t, const struct dtls_sess *s, const uint8_t *rec,
			 size_t n)
{
	struct foud_tou_peer *p = t->p;
	const struct foud_uso_to to = { .local = &p->src };
	uint8_t hdr[FOU_TOU_DTLS_HLEN + 8], ctl[DTLS_CTL] __attribute__((aligned(8)));
	struct fou_buf hb = { .head = hdr, .cap = sizeof(hdr), .off = FOU_TOU_DTLS_HLEN };
	struct sockaddr_storage ss;
	struct iovec iov[2];
	struct msghdr mh = { .msg_name = &ss, .msg_iov = iov, .msg_iovlen = 2, .msg_control = ctl };

	mh.msg_namelen = foud_sockaddr(&ss, &p->cfg.peer, p->cfg.peer.family, s->port);
	fou_tou_dtls_push(&hb);
	iov[0] = (struct iovec){ .iov_base = fou_buf_data(&hb), .iov_len = hb.len };
	iov[1] = (struct iovec){ .iov_base = (void *)rec, .iov_len = n };
	mh.msg_controllen = foud_tx_control(ctl, &to, 0);
	/* A lost flight is sent again on the DTLS timer. */
	(void)sendmsg(p->sock->pair.ev.fd, &mh, MSG_DONTWAIT);
}

/* What the session wrote, its records packed into datagrams of at most t->mtu bytes. */
static void sess_flush(struct foud_tou_dtls *t, struct dtls_sess *s)
{
	uint8_t *out;
	long n = BIO_get_mem_data(s->wbio, (char **)&out);
	size_t off = 0, start = 0, r;

	while (n > 0 && off < (size_t)n) {
		r = fou_dtls_rec_len(out + off, (size_t)n - off);
		if (!r)
			break;
		if (off > start && off + r - start > (size_t)t->mtu) {
			send_records(t, s, out + start, off - start);
			start = off;
		}
		off += r;
	}
	if (off > start)
		send_records(t, s, out + start, off - start);
	(void)BIO_reset(s->wbio);
}

/* Why the handshake of s failed, into t->err, as OpenSSL says it. */
static void sess_why(struct foud_tou_dtls *t, const struct dtls_sess *s)
{
	long v = SSL_get_verify_result(s->ssl);
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	if (v != X509_V_OK)
		snprintf(t->err, sizeof(t->err), "peer certificate refused: %s",
			 X509_verify_cert_error_string(v));
	else
		snprintf(t->err, sizeof(t->err), "handshake failed: %s", r ? r : "unknown error");
}

static void sess_drop(struct foud_tou_dtls *t, struct dtls_sess *s)
{
	if (s == t->next)
		sess_free(&t->next);
	else if (s == t->cur)
		sess_free(&t->cur);
	else if (s == t->old)
		sess_free(&t->old);
}

/* The session s failed: t->err says why; it goes, and a new attempt waits a while. */
static void sess_fail(struct foud_tou_dtls *t, struct dtls_sess *s)
{
	char a[64];

	t->failures++;
	foud_log(LOG_WARNING, "tou peer %s: DTLS: %s", peer_name(t, a, sizeof(a)), t->err);
	sess_flush(t, s);	/* the alert, if OpenSSL wrote one */
	sess_drop(t, s);
	t->retry_ms = now_ms() + DTLS_RETRY_MS;
}

/* s finished its handshake: it carries the traffic from now on. */
static void sess_up(struct foud_tou_dtls *t, struct dtls_sess *s)
{
	char a[64];

	s->up = true;
	t->handshakes++;
	if (t->cur) {
		t->rekeys++;
		sess_free(&t->old);
		t->old = t->cur;
		t->old_until = now_ms() + DTLS_OLD_MS;
	}
	t->cur = s;
	t->next = NULL;
	t->err[0] = 0;
	t->rekey_now = false;
	foud_log(LOG_INFO, "tou peer %s: DTLS session %llu up (%s, %s)", peer_name(t, a, sizeof(a)),
		 (unsigned long long)t->handshakes, s->client ? "client" : "server",
		 SSL_get_cipher_name(s->ssl));
}

/* Drives the handshake of s on: done, still going, or failed (-FOU_DROP_DTLS). */
static int sess_handshake(struct foud_tou_dtls *t, struct dtls_sess *s)
{
	int ret;

	ERR_clear_error();
	ret = SSL_do_handshake(s->ssl);
	if (ret == 1) {
		sess_flush(t, s);
		sess_up(t, s);
		return 0;
	}
	if (SSL_get_error(s->ssl, ret) == SSL_ERROR_WANT_READ) {
		sess_flush(t, s);
		return 0;
	}
	sess_why(t, s);
	sess_fail(t, s);
	return -FOU_DROP_DTLS;
}

static void sess_start(struct foud_tou_dtls *t)
{
	t->next = sess_new(t, true, t->p->cur_port);
	if (!t->next) {
		snprintf(t->err, sizeof(t->err), "out of memory");
		t->retry_ms = now_ms() + DTLS_RETRY_MS;
		return;
	}
	sess_handshake(t, t->next);
}

/* ---- receive ------------------------------------------------------------------ */

/* One datagram's records into s: the plaintext length, 0 for none, -1 if s broke. */
static int sess_read(struct dtls_sess *s, const uint8_t *rec, size_t len)
{
	int n, e;

	(void)BIO_reset(s->rbio);
	if (BIO_write(s->rbio, rec, (int)len) != (int)len)
		return 0;
	ERR_clear_error();
	n = SSL_read(s->ssl, dtls_plain, sizeof(dtls_plain));
	(void)BIO_reset(s->rbio);	/* what it left of the datagram goes with it */
	if (n > 0)
		return n;
	e = SSL_get_error(s->ssl, n);
	return e == SSL_ERROR_SSL || e == SSL_ERROR_ZERO_RETURN ? -1 : 0;
}

/* An application-data record: one TCP segment, tried on the current session, then the old. */
static int rx_data(struct foud_tou_dtls *t, struct fou_buf *b)
{
	struct dtls_sess *try[2] = { t->cur, t->old };
	int n = 0;

	if (fou_dtls_rec_len(fou_buf_data(b), b->len) != b->len)
		return -FOU_DROP_DTLS;	/* one record per datagram, as sent */
	for (int i = 0; i < 2 && n <= 0; i++) {
		if (!try[i] || !try[i]->up)
			continue;
		n = sess_read(try[i], fou_buf_data(b), b->len);
		if (n > 0) {
			try[i]->rx_ms = now_ms();
			try[i]->bytes += (uint64_t)n;
		}
	}
	if (n <= 0)
		return -FOU_DROP_DTLS;
	memcpy(fou_buf_data(b), dtls_plain, (size_t)n);
	b->len = (size_t)n;
	return fou_gue_push(b, FOU_PROTO_TCP, NULL);
}

/* The random of the ClientHello in rec (length checked by the caller), or NULL. */
static const uint8_t *hello_random(const uint8_t *rec, size_t len)
{
	/* record header, handshake header (12), client_version (2), random */
	size_t off = FOU_DTLS_REC_HLEN + 12 + 2;

	return len >= off + DTLS_RANDOM ? rec + off : NULL;
}

/* The datagram in b to the handshake of s. */
static int rx_feed(struct foud_tou_dtls *t, struct dtls_sess *s, const struct fou_buf *b)
{
	s->heard = true;
	(void)BIO_reset(s->rbio);
	if (BIO_write(s->rbio, fou_buf_data(b), (int)b->len) != (int)b->len)
		return -FOU_DROP_DTLS;
	return sess_handshake(t, s) ? -FOU_DROP_DTLS : 1;
}

/*
 * 1 when the ClientHello in b carries our cookie; 0 when a
 * HelloVerifyRequest went back; -1 when it was none OpenSSL would answer.
 */
static int hello_listen(struct foud_tou_dtls *t, const struct fou_buf *b)
{
	BIO_ADDR *from = BIO_ADDR_new();
	struct dtls_sess *l = t->lis;
	int ret = -1;

	(void)BIO_reset(l->rbio);
	if (from && BIO_write(l->rbio, fou_buf_data(b), (int)b->len) == (int)b->len) {
		ERR_clear_error();
		ret = DTLSv1_listen(l->ssl, from);
	}
	BIO_ADDR_free(from);
	if (ret == 0 && !BIO_ctrl_pending(l->wbio))
		ret = -1;
	sess_flush(t, l);
	(void)BIO_reset(l->rbio);
	if (ret < 0)
		sess_free(&t->lis);	/* made again for the next one */
	return ret;
}

static struct dtls_sess *lis_new(struct foud_tou_dtls *t)
{
	struct dtls_sess *l = sess_new(t, false, 0);

	if (l)
		SSL_set_options(l->ssl, SSL_OP_COOKIE_EXCHANGE);
	return l;
}

/*
 * A ClientHello from the peer's port sport: to our server session if one
 * is under way; else one with our cookie starts it, unless ours, started at
 * the same time and answered, has the higher random and goes on instead
 * (one the peer never answered may not reach it: a NAT in between).
 */
static int rx_hello(struct foud_tou_dtls *t, const struct fou_buf *b, uint16_t sport)
{
	const uint8_t *theirs = hello_random(fou_buf_data(b), b->len);
	uint8_t ours[DTLS_RANDOM];

	if (!theirs)
		return -FOU_DROP_DTLS;
	t->hello_port = sport;
	if (t->next && !t->next->client)
		return rx_feed(t, t->next, b);
	if (!t->lis)
		t->lis = lis_new(t);
	if (!t->lis)
		return 1;
	t->lis->port = sport;
	switch (hello_listen(t, b)) {
	case 0:
		return 1;
	case 1:
		break;
	default:
		return -FOU_DROP_DTLS;
	}
	if (t->next && t->next->heard) {
		SSL_get_client_random(t->next->ssl, ours, sizeof(ours));
		if (memcmp(ours, theirs, sizeof(ours)) > 0) {
			sess_free(&t->lis);
			return 1;
		}
	}
	sess_free(&t->next);
	t->next = t->lis;
	t->lis = NULL;
	t->next->born_ms = t->next->rx_ms = now_ms();
	return rx_feed(t, t->next, b);	/* the listener read it: the handshake reads it again */
}

/* Handshake, change-cipher-spec or alert records: to the handshaking session, else the current. */
static int rx_control(struct foud_tou_dtls *t, struct fou_buf *b, uint16_t sport)
{
	const uint8_t *rec = fou_buf_data(b);
	struct dtls_sess *s = t->next ? t->next : t->cur;

	if (fou_dtls_client_hello(rec, b->len))
		return rx_hello(t, b, sport);
	if (!s)
		return 1;
	if (!s->up)
		return rx_feed(t, s, b);
	/*
	 * An established session hears control records only from its peer's
	 * port: anyone can forge one from the peer's address, and OpenSSL's
	 * answer to it (an alert) went to the peer and ended its session.
	 */
	if (sport != s->port)
		return -FOU_DROP_DTLS;
	if (sess_read(s, rec, b->len) < 0) {
		sess_why(t, s);
		sess_fail(t, s);
		return -FOU_DROP_DTLS;
	}
	/* A session that is up answers only a retransmitted flight (the peer missed ours). */
	if (!BIO_ctrl_pending(s->wbio))
		return -FOU_DROP_DTLS;
	sess_flush(t, s);
	return 1;
}

int foud_tou_dtls_open(struct foud_tou_peer *p, struct fou_buf *b, uint16_t sport)
{
	int ret = fou_tou_dtls_pull(b);

	if (ret)
		return ret;
	if (!fou_dtls_rec_len(fou_buf_data(b), b->len))
		return -FOU_DROP_DTLS;
	if (fou_dtls_rec_type(fou_buf_data(b)) == FOU_DTLS_CT_APPDATA)
		return rx_data(p->dtls, b);
	return rx_control(p->dtls, b, sport);
}

/* ---- transmit ----------------------------------------------------------------- */

int foud_tou_dtls_seal(struct foud_tou_peer *p, struct fou_buf *b)
{
	struct dtls_sess *s = p->dtls->cur;
	const uint8_t *h = fou_buf_data(b);
	size_t plain, room = b->cap - b->off;
	int n;

	/* Never in clear; and only fou_tou_encap()'s plain header, which the record replaces. */
	if (!s || b->len <= FOU_GUE_HLEN || h[0] || h[1] != FOU_PROTO_TCP || fou_get16(h + 2))
		return -FOU_DROP_DTLS;
	fou_buf_pull(b, FOU_GUE_HLEN);
	plain = b->len;
	ERR_clear_error();
	if (SSL_write(s->ssl, fou_buf_data(b), (int)plain) != (int)plain)
		return -FOU_DROP_DTLS;
	if ((size_t)BIO_ctrl_pending(s->wbio) > room) {
		(void)BIO_reset(s->wbio);
		return -FOU_DROP_DTLS;
	}
	n = BIO_read(s->wbio, fou_buf_data(b), (int)room);
	if (n <= 0)
		return -FOU_DROP_DTLS;
	b->len = (size_t)n;
	s->bytes += plain;
	s->tx_ms = now_ms();
	return fou_tou_dtls_push(b);
}

unsigned int foud_tou_dtls_overhead(const struct foud_tou_peer *p)
{
	return p->dtls ? FOU_TOU_DTLS_HLEN - FOU_GUE_HLEN + FOU_DTLS_OVERHEAD : 0;
}

/* ---- the timer ---------------------------------------------------------------- */

/* Due for a new session: by bytes, by age, or the peer answers nothing on this one. */
static bool sess_due(const struct foud_tou_dtls *t, const struct dtls_sess *s, uint64_t now)
{
	const struct cmd_tou_dtls *c = &t->p->cfg.dtls;

	return t->rekey_now || s->bytes >= c->rekey_bytes ||
	       now - s->born_ms >= (uint64_t)c->rekey_time * 1000 ||
	       (s->tx_ms > s->rx_ms && s->tx_ms - s->rx_ms >= DTLS_DEAD_MS);
}

static void peer_tick(struct foud_tou_dtls *t, uint64_t now)
{
	if (t->old && now >= t->old_until)
		sess_free(&t->old);
	if (t->next && now - t->next->born_ms >= DTLS_HS_MS) {
		snprintf(t->err, sizeof(t->err),
			 "no handshake within %u ms: peer down, or its key or PSK differs",
			 DTLS_HS_MS);
		sess_fail(t, t->next);
		return;
	}
	if (t->next) {
		if (DTLSv1_handle_timeout(t->next->ssl) > 0)
			sess_flush(t, t->next);
		return;
	}
	if (now >= t->retry_ms && (!t->cur || sess_due(t, t->cur, now)))
		sess_start(t);
}

static void dtls_tick(struct foud *d, void *arg)
{
	struct foud_tou_peer *p;
	uint64_t now = now_ms();

	(void)arg;
	if (d->tou)
		TAILQ_FOREACH(p, &d->tou->peers, entry)
			if (p->dtls)
				peer_tick(p->dtls, now);
}

/* ---- configuration ------------------------------------------------------------ */

static unsigned int psk_client(SSL *ssl, const char *hint, char *id, unsigned int id_len,
			       unsigned char *psk, unsigned int psk_len)
{
	const struct foud_tou_dtls *t = SSL_get_app_data(ssl);

	(void)hint;
	if (id_len < sizeof(DTLS_PSK_ID) || psk_len < sizeof(t->psk))
		return 0;
	memcpy(id, DTLS_PSK_ID, sizeof(DTLS_PSK_ID));
	memcpy(psk, t->psk, sizeof(t->psk));
	return sizeof(t->psk);
}

static unsigned int psk_server(SSL *ssl, const char *id, unsigned char *psk,
			       unsigned int psk_len)
{
	const struct foud_tou_dtls *t = SSL_get_app_data(ssl);

	if (strcmp(id, DTLS_PSK_ID) || psk_len < sizeof(t->psk))
		return 0;
	memcpy(psk, t->psk, sizeof(t->psk));
	return sizeof(t->psk);
}

/* OpenSSL's reason for the last error, into err. */
static int ssl_err(char *err, size_t errlen, const char *what, const char *path)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;

	snprintf(err, errlen, "dtls %s \"%s\": %s", what, path, r ? r : "refused");
	return -EINVAL;
}

/*
 * Whom the peer's certificate must name, in its subjectAltName (OpenSSL's
 * host and IP checks; the subject's CN only when it has no DNS name): the
 * `name` given, a DNS name or an address, else the peer's address. Any
 * certificate of the CA would do otherwise.
 */
static int ctx_name(SSL_CTX *ctx, const struct cmd_tou_dtls *c, const struct fou_addr *peer)
{
	X509_VERIFY_PARAM *vp = SSL_CTX_get0_param(ctx);
	size_t alen = peer->family == AF_INET6 ? 16 : 4;

	X509_VERIFY_PARAM_set_hostflags(vp, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (!c->name[0])
		return X509_VERIFY_PARAM_set1_ip(vp, peer->a, alen) == 1 ? 0 : -EINVAL;
	if (X509_VERIFY_PARAM_set1_ip_asc(vp, c->name) == 1)
		return 0;
	return X509_VERIFY_PARAM_set1_host(vp, c->name, 0) == 1 ? 0 : -EINVAL;
}

static int ctx_certs(SSL_CTX *ctx, const struct cmd_tou_dtls *c, const struct fou_addr *peer,
		     char *err, size_t errlen)
{
	int ret = foud_key_file_private(c->key, err, errlen);

	if (ret)
		return ret;
	if (SSL_CTX_use_certificate_chain_file(ctx, c->cert) != 1)
		return ssl_err(err, errlen, "cert", c->cert);
	if (SSL_CTX_use_PrivateKey_file(ctx, c->key, SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx) != 1)
		return ssl_err(err, errlen, "key", c->key);
	if (SSL_CTX_load_verify_locations(ctx, c->cacert, NULL) != 1)
		return ssl_err(err, errlen, "cacert", c->cacert);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	if (ctx_name(ctx, c, peer))
		return ssl_err(err, errlen, "name", c->name[0] ? c->name : "(the peer's address)");
	if (SSL_CTX_set_cipher_list(ctx, DTLS_CIPHERS_CERT) != 1)
		return ssl_err(err, errlen, "ciphers", DTLS_CIPHERS_CERT);
	return 0;
}

static int ctx_psk(struct foud_tou_dtls *t, const struct cmd_tou_dtls *c, char *err,
		   size_t errlen)
{
	uint8_t md[SHA256_DIGEST_LENGTH];
	int ret = foud_key_file_read(c->psk, t->psk, err, errlen);

	if (ret)
		return ret;
	SHA256(t->psk, sizeof(t->psk), md);
	t->psk_id = fou_get32(md);
	SSL_CTX_set_psk_client_callback(t->ctx, psk_client);
	SSL_CTX_set_psk_server_callback(t->ctx, psk_server);
	if (SSL_CTX_set_cipher_list(t->ctx, DTLS_CIPHERS_PSK) != 1)
		return ssl_err(err, errlen, "ciphers", DTLS_CIPHERS_PSK);
	return 0;
}

/* A cookie: HMAC-SHA256 of the peer's address and the ClientHello's port, under a key of this process. */
static int cookie_of(SSL *ssl, uint8_t out[32])
{
	const struct foud_tou_dtls *t = SSL_get_app_data(ssl);
	const struct foud_tou_peer *p = t->p;
	uint8_t msg[sizeof(p->cfg.peer.a) + 2];
	unsigned int n = 0;

	memcpy(msg, p->cfg.peer.a, sizeof(p->cfg.peer.a));
	fou_put16(msg + sizeof(p->cfg.peer.a), t->hello_port);
	return HMAC(EVP_sha256(), dtls_cookie_key, sizeof(dtls_cookie_key), msg, sizeof(msg), out,
		    &n) && n == 32 ? 0 : -1;
}

static int cookie_make(SSL *ssl, unsigned char *cookie, unsigned int *len)
{
	if (cookie_of(ssl, cookie))
		return 0;
	*len = 32;
	return 1;
}

static int cookie_check(SSL *ssl, const unsigned char *cookie, unsigned int len)
{
	uint8_t want[32];

	return len == sizeof(want) && !cookie_of(ssl, want) &&
	       !CRYPTO_memcmp(want, cookie, sizeof(want));
}

/* DTLS 1.2 only, no session resumption: every session is a full handshake. */
static int ctx_new(struct foud_tou_dtls *t, const struct cmd_tou_dtls *c, char *err,
		   size_t errlen)
{
	t->ctx = SSL_CTX_new(DTLS_method());
	if (!t->ctx) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	SSL_CTX_set_min_proto_version(t->ctx, DTLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(t->ctx, DTLS1_2_VERSION);
	SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(t->ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_cookie_generate_cb(t->ctx, cookie_make);
	SSL_CTX_set_cookie_verify_cb(t->ctx, cookie_check);
	if (!dtls_cookie_ready && RAND_bytes(dtls_cookie_key, sizeof(dtls_cookie_key)) != 1) {
		snprintf(err, errlen, "no randomness for DTLS cookies");
		return -EIO;
	}
	dtls_cookie_ready = true;
	ERR_clear_error();
	return c->mode == CMD_DTLS_PSK ? ctx_psk(t, c, err, errlen)
				       : ctx_certs(t->ctx, c, &t->p->cfg.peer, err, errlen);
}

static void dtls_free(struct foud_tou_dtls *t)
{
	sess_free(&t->next);
	sess_free(&t->cur);
	sess_free(&t->old);
	sess_free(&t->lis);
	SSL_CTX_free(t->ctx);
	OPENSSL_cleanse(t, sizeof(*t));
	free(t);
}

int foud_tou_dtls_new(struct foud *d, struct foud_tou_peer *p, char *err, size_t errlen)
{
	size_t iph = p->cfg.peer.family == AF_INET6 ? FOU_IPV6_HLEN : FOU_IPV4_HLEN;
	struct foud_tou_dtls *t;
	int ret;

	if (!p->cfg.dtls.mode)
		return 0;
	t = foud_zalloc(sizeof(*t), err, errlen);
	if (!t)
		return -ENOMEM;
	t->p = p;
	t->mtu = (long)(foud_path_mtu(&p->cfg.peer) - iph - FOU_UDP_HLEN - FOU_TOU_DTLS_HLEN);
	ret = ctx_new(t, &p->cfg.dtls, err, errlen);
	if (!ret && !dtls_peers && foud_timer_add(d, DTLS_TICK_MS, dtls_tick, NULL)) {
		snprintf(err, errlen, "no timer left for DTLS");
		ret = -ENOSPC;
	}
	if (ret) {
		dtls_free(t);
		return ret;
	}
	dtls_peers++;
	p->dtls = t;
	return 0;
}

/*
 * reload with the peer's line unchanged: its files are read again, and a
 * new session made with them while the current one carries on. If they
 * cannot be read, nothing changes.
 */
int foud_tou_dtls_reload(struct foud_tou_dtls *t, char *err, size_t errlen)
{
	SSL_CTX *old = t->ctx;
	uint8_t psk[sizeof(t->psk)];
	uint32_t id = t->psk_id;
	int ret;

	memcpy(psk, t->psk, sizeof(psk));
	ret = ctx_new(t, &t->p->cfg.dtls, err, errlen);
	if (ret) {
		SSL_CTX_free(t->ctx);
		t->ctx = old;
		memcpy(t->psk, psk, sizeof(psk));
		t->psk_id = id;
	} else {
		SSL_CTX_free(old);	/* the sessions made with it hold their own reference */
		t->rekey_now = true;
	}
	OPENSSL_cleanse(psk, sizeof(psk));
	return ret;
}

void foud_tou_dtls_free(struct foud *d, struct foud_tou_peer *p)
{
	if (!p->dtls)
		return;
	dtls_free(p->dtls);
	p->dtls = NULL;
	if (!--dtls_peers)
		foud_timer_del(d, dtls_tick, NULL);
}

/* ---- tou show ----------------------------------------------------------------- */

static const char *dtls_state(const struct foud_tou_dtls *t)
{
	if (t->cur)
		return t->next ? "rekeying" : "established";
	return t->next ? "handshaking" : t->failures ? "failed" : "idle";
}

const char *foud_tou_dtls_counts(const struct foud_tou_peer *p, uint64_t *ok, uint64_t *failed)
{
	if (!p->dtls)
		return NULL;
	*ok = p->dtls->handshakes;
	*failed = p->dtls->failures;
	return dtls_state(p->dtls);
}

void foud_tou_dtls_show(const struct foud_tou_peer *p, struct foud_pr *pr)
{
	const struct foud_tou_dtls *t = p->dtls;

	if (!t)
		return;
	foud_pr_open_object(pr, "dtls");
	foud_pr_str(pr, "mode", "    dtls %s", p->cfg.dtls.mode == CMD_DTLS_PSK ? "psk" : "cert");
	foud_pr_str(pr, "state", " %s", dtls_state(t));
	if (t->cur)
		foud_pr_str(pr, "cipher", " cipher %s", SSL_get_cipher_name(t->cur->ssl));
	foud_pr_u64(pr, "sessions", " sessions %llu", t->handshakes);
	foud_pr_u64(pr, "rekeys", " rekeys %llu", t->rekeys);
	foud_pr_u64(pr, "failures", " failures %llu", t->failures);
	if (p->cfg.dtls.mode == CMD_DTLS_PSK)
		foud_pr_uint(pr, "psk_id", " psk-id %08x", t->psk_id);
	foud_pr_text(pr, "\n");
	if (t->err[0])
		foud_pr_str(pr, "error", "    dtls-error %s\n", t->err);
	foud_pr_close_object(pr);
}
