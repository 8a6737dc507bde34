/* SPDX-License-Identifier: MIT */
/*
 * An etcd v3 client: POSTs of JSON to the gateway every etcd serves on its
 * client port (/v3/kv/range, /v3/lease/grant, /v3/watch, ...), through
 * libcurl's multi interface. libcurl tells us which sockets to watch
 * (CURLMOPT_SOCKETFUNCTION) and when to call it back (a timerfd); foud's
 * loop does the waiting, so a slow or dead etcd costs the data path nothing.
 *
 * Streamed replies (watch, keepalive) are one JSON object per line; libcurl
 * hands out arbitrary slices, so lines are reassembled here.
 */
#include <curl/curl.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <syslog.h>
#include <unistd.h>

#include "buf.h"
#include "etcd.h"
#include "foud.h"

#define ETCD_SOCKS		16		/* sockets libcurl may have open at once */
#define ETCD_CONNECT_MS		1000
#define ETCD_UNARY_MS		5000		/* a unary call, from start to reply: at most */
#define ETCD_UNARY_MIN_MS	500
#define ETCD_REPLY_MAX		(16u << 20)	/* a reply or a line: beyond is an error */

struct etcd_sock {
	struct foud_ev ev;		/* fd -1: a free slot */
	struct foud_etcd *e;
};

struct foud_etcd_req {
	struct foud_etcd_req *next;	/* on e->reqs, or e->dead */
	CURL *h;
	struct curl_slist *hdrs;
	char *body;
	struct cmn_buf reply;		/* so far (a stream: the unfinished line); ETCD_REPLY_MAX */
	bool dead;			/* cancelled or done: freed at the end of the turn */
	bool stopped;			/* msg returned false */
	foud_etcd_msg_fn msg;
	foud_etcd_done_fn done;
	void *arg;
};

struct foud_etcd {
	struct foud *d;
	CURLM *m;
	struct foud_ev timer;
	struct etcd_sock socks[ETCD_SOCKS];
	struct foud_etcd_req *reqs, *dead;
	unsigned int depth;		/* inside libcurl or a done: frees wait */
	struct cmd_fleet_cfg cfg;
	unsigned int cur;		/* endpoint in use */
	long timeout_ms;		/* of a unary call */
	char auth[512];			/* "Authorization: TOKEN", or "" */
};

/* ---- base64 and numbers ---------------------------------------------------- */

char *foud_etcd_b64(const char *s, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);

	if (out)
		EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
	return out;
}

/* EVP_DecodeBlock counts the padding's zero bytes: taken off here. */
char *foud_etcd_unb64(const char *s, size_t *n)
{
	size_t in = strlen(s);
	char *out;
	int r;

	if (in % 4 || in > ETCD_REPLY_MAX)
		return NULL;
	out = malloc(in / 4 * 3 + 1);
	if (!out)
		return NULL;
	r = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)s, (int)in);
	if (r < 0) {
		free(out);
		return NULL;
	}
	if (in && s[in - 1] == '=')
		r--;
	if (in > 1 && s[in - 2] == '=')
		r--;
	out[r] = '\0';
	*n = (size_t)r;
	return out;
}

/* strtoll with its end checked: "12x" is not 12. */
bool foud_etcd_int(const json_t *v, long long *out)
{
	const char *s;
	char *end;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (!json_is_string(v))
		return false;
	s = json_string_value(v);
	errno = 0;
	*out = strtoll(s, &end, 10);
	return *s && !*end && !errno;
}

/* ---- requests -------------------------------------------------------------- */

static void req_free(struct foud_etcd_req *r)
{
	if (r->h)
		curl_easy_cleanup(r->h);
	curl_slist_free_all(r->hdrs);
	free(r->body);
	cmn_buf_free(&r->reply);
	free(r);
}

/* Frees the requests that ended, once nothing can still point at them. */
static void etcd_reap(struct foud_etcd *e)
{
	struct foud_etcd_req *r;

	if (e->depth)
		return;
	while ((r = e->dead)) {
		e->dead = r->next;
		req_free(r);
	}
}

static void req_unlink(struct foud_etcd *e, struct foud_etcd_req *r)
{
	struct foud_etcd_req **pp;

	for (pp = &e->reqs; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	curl_multi_remove_handle(e->m, r->h);
	r->dead = true;
	r->next = e->dead;
	e->dead = r;
}

void foud_etcd_cancel(struct foud_etcd *e, struct foud_etcd_req *r)
{
	if (!r || r->dead)
		return;
	req_unlink(e, r);
	etcd_reap(e);
}

/* Hands each whole line of a stream to msg; keeps the unfinished rest. */
static void stream_lines(struct foud_etcd_req *r)
{
	struct cmn_buf *b = &r->reply;
	char *s = b->p, *nl;
	json_t *j;

	while (!r->stopped && (nl = memchr(s, '\n', b->len - (size_t)(s - b->p)))) {
		j = json_loadb(s, (size_t)(nl - s), 0, NULL);
		if (j && !r->msg(r->arg, j))
			r->stopped = true;
		json_decref(j);
		s = nl + 1;
	}
	b->len -= (size_t)(s - b->p);
	memmove(b->p, s, b->len + 1);
}

static size_t on_write(char *p, size_t size, size_t n, void *arg)
{
	struct foud_etcd_req *r = arg;

	if (r->stopped || cmn_buf_add(&r->reply, p, size * n))
		return 0;	/* libcurl ends the transfer */
	if (r->msg)
		stream_lines(r);
	return r->stopped ? 0 : size * n;
}

/* TLS and timeouts of every request. */
static void req_options(struct foud_etcd *e, struct foud_etcd_req *r)
{
	CURL *h = r->h;

	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
			 e->timeout_ms < ETCD_CONNECT_MS ? e->timeout_ms : (long)ETCD_CONNECT_MS);
	if (!r->msg)
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, e->timeout_ms);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 2L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 1L);
	if (e->cfg.cacert[0])
		curl_easy_setopt(h, CURLOPT_CAINFO, e->cfg.cacert);
	if (e->cfg.cert[0]) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, e->cfg.cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, e->cfg.key);
	}
}

static int req_setup(struct foud_etcd *e, struct foud_etcd_req *r, const char *path)
{
	char url[CMD_FLEET_URL_MAX + 64];

	snprintf(url, sizeof(url), "%s%s", foud_etcd_endpoint(e), path);
	r->h = curl_easy_init();
	r->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	/* etcd's gateway takes the token as it is, no "Bearer". */
	if (r->hdrs && e->auth[0] && !curl_slist_append(r->hdrs, e->auth))
		return -ENOMEM;
	if (!r->h || !r->hdrs)
		return -ENOMEM;
	curl_easy_setopt(r->h, CURLOPT_URL, url);
	curl_easy_setopt(r->h, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(r->h, CURLOPT_POSTFIELDS, r->body);
	curl_easy_setopt(r->h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(r->h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->h, CURLOPT_PRIVATE, r);
	req_options(e, r);
	return curl_multi_add_handle(e->m, r->h) == CURLM_OK ? 0 : -EIO;
}

struct foud_etcd_req *foud_etcd_call(struct foud_etcd *e, const char *path, json_t *body,
				     foud_etcd_msg_fn msg, foud_etcd_done_fn done, void *arg)
{
	struct foud_etcd_req *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->msg = msg;
	r->done = done;
	r->arg = arg;
	r->reply.max = ETCD_REPLY_MAX;
	r->body = json_dumps(body, JSON_COMPACT);
	if (!r->body || req_setup(e, r, path)) {
		req_free(r);
		return NULL;
	}
	r->next = e->reqs;
	e->reqs = r;
	return r;
}

/* ---- how a request ended --------------------------------------------------- */

/* etcd's own words for a refusal: {"error":..,"message":..,"code":..}. */
static void reply_why(json_t *j, long status, char *why, size_t n)
{
	const char *m = json_string_value(json_object_get(j, "message"));

	if (!m)
		m = json_string_value(json_object_get(j, "error"));
	snprintf(why, n, "HTTP %ld%s%s", status, m ? ": " : "", m ? m : "");
}

static void req_finish(struct foud_etcd *e, struct foud_etcd_req *r, CURLcode cc)
{
	long status = 0;
	json_t *j = NULL;
	char why[256] = "";
	int err = 0;

	curl_easy_getinfo(r->h, CURLINFO_RESPONSE_CODE, &status);
	if (!r->msg && r->reply.p)
		j = json_loadb(r->reply.p, r->reply.len, 0, NULL);
	if (r->stopped) {
		err = -ECANCELED;
	} else if (cc != CURLE_OK) {
		err = -EIO;
		snprintf(why, sizeof(why), "%s", curl_easy_strerror(cc));
	} else if (status != 200 || (!r->msg && !json_is_object(j))) {
		err = status >= 500 || status == 0 ? -EIO : -EPROTO;
		reply_why(j, status, why, sizeof(why));
	}
	req_unlink(e, r);
	r->done(r->arg, err, err ? NULL : j, why);
	json_decref(j);
}

/* Every request that ended, then what could be freed. */
static void etcd_done(struct foud_etcd *e)
{
	struct foud_etcd_req *r;
	CURLMsg *m;
	int left;

	e->depth++;
	while ((m = curl_multi_info_read(e->m, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		r = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		if (r && !r->dead)
			req_finish(e, r, m->data.result);
	}
	e->depth--;
	etcd_reap(e);
}

/* ---- libcurl on foud's loop ------------------------------------------------ */

static void etcd_action(struct foud_etcd *e, curl_socket_t s)
{
	int running;

	e->depth++;
	curl_multi_socket_action(e->m, s, 0, &running);
	e->depth--;
	etcd_done(e);
}

static void on_sock(struct foud *d, struct foud_ev *ev)
{
	struct etcd_sock *s = (struct etcd_sock *)ev;

	(void)d;
	/* A slot freed earlier in this turn: its event is stale. */
	if (ev->fd >= 0)
		etcd_action(s->e, ev->fd);
}

static void on_timer(struct foud *d, struct foud_ev *ev)
{
	struct foud_etcd *e = (struct foud_etcd *)((char *)ev - offsetof(struct foud_etcd, timer));
	uint64_t n;

	(void)d;
	if (read(ev->fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	etcd_action(e, CURL_SOCKET_TIMEOUT);
}

static struct etcd_sock *sock_slot(struct foud_etcd *e, curl_socket_t fd)
{
	struct etcd_sock *s = NULL;

	for (unsigned int i = 0; i < ETCD_SOCKS && !s; i++)
		if (e->socks[i].ev.fd == fd)
			s = &e->socks[i];
	return s;
}

/* libcurl's CURLMOPT_SOCKETFUNCTION: which sockets, for what. */
static int on_socket(CURL *h, curl_socket_t fd, int what, void *arg, void *sp)
{
	struct foud_etcd *e = arg;
	struct etcd_sock *s = sp;
	uint32_t evs = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);

	(void)h;
	if (what == CURL_POLL_REMOVE) {
		if (s) {
			foud_loop_del(e->d, &s->ev);
			s->ev.fd = -1;
		}
		return 0;
	}
	if (!s) {
		s = sock_slot(e, -1);
		if (!s)
			return -1;	/* libcurl fails that transfer */
		s->ev.fd = fd;
		if (foud_loop_add(e->d, &s->ev)) {
			s->ev.fd = -1;
			return -1;
		}
		curl_multi_assign(e->m, fd, s);
	}
	return foud_loop_set(e->d, &s->ev, evs) ? -1 : 0;
}

/* libcurl's CURLMOPT_TIMERFUNCTION: when to call it without a socket event. */
static int on_timeout(CURLM *m, long ms, void *arg)
{
	struct foud_etcd *e = arg;
	struct itimerspec its = { 0 };

	(void)m;
	if (ms >= 0) {
		its.it_value.tv_sec = ms / 1000;
		its.it_value.tv_nsec = (ms % 1000) * 1000000 + 1;	/* 0 would disarm */
	}
	return timerfd_settime(e->timer.fd, 0, &its, NULL) ? -1 : 0;
}

int foud_etcd_token(struct foud_etcd *e, const char *token)
{
	size_t n = strlen(token);

	/* A header line: no line breaks in it. */
	if (n + sizeof("Authorization: ") > sizeof(e->auth) || strpbrk(token, "\r\n"))
		return -EINVAL;
	snprintf(e->auth, sizeof(e->auth), "Authorization: %s", token);
	return 0;
}

const char *foud_etcd_endpoint(const struct foud_etcd *e)
{
	return e->cfg.endpoint[e->cur];
}

void foud_etcd_next(struct foud_etcd *e)
{
	e->cur = (e->cur + 1) % e->cfg.nendpoints;
}

static int etcd_init(struct foud_etcd *e)
{
	e->m = curl_multi_init();
	e->timer.fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	e->timer.fn = on_timer;
	if (!e->m || e->timer.fd < 0 || foud_loop_add(e->d, &e->timer))
		return -EIO;
	curl_multi_setopt(e->m, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(e->m, CURLMOPT_SOCKETDATA, e);
	curl_multi_setopt(e->m, CURLMOPT_TIMERFUNCTION, on_timeout);
	curl_multi_setopt(e->m, CURLMOPT_TIMERDATA, e);
	return 0;
}

struct foud_etcd *foud_etcd_new(struct foud *d, const struct cmd_fleet_cfg *cfg)
{
	static bool curl_ready;
	struct foud_etcd *e;

	if (!curl_ready && curl_global_init(CURL_GLOBAL_DEFAULT))
		return NULL;
	curl_ready = true;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->d = d;
	e->cfg = *cfg;
	e->timer.fd = -1;
	/* A third of the lease's life: a stuck member is left while the lease lives. */
	e->timeout_ms = (long)cfg->ttl * 1000 / 3;
	if (e->timeout_ms < ETCD_UNARY_MIN_MS)
		e->timeout_ms = ETCD_UNARY_MIN_MS;
	if (e->timeout_ms > ETCD_UNARY_MS)
		e->timeout_ms = ETCD_UNARY_MS;
	for (unsigned int i = 0; i < ETCD_SOCKS; i++) {
		e->socks[i].ev.fd = -1;
		e->socks[i].ev.fn = on_sock;
		e->socks[i].e = e;
	}
	if (etcd_init(e)) {
		foud_etcd_free(e);
		return NULL;
	}
	return e;
}

void foud_etcd_free(struct foud_etcd *e)
{
	if (!e)
		return;
	while (e->reqs)
		req_unlink(e, e->reqs);
	e->depth = 0;
	etcd_reap(e);
	if (e->m)
		curl_multi_cleanup(e->m);
	for (unsigned int i = 0; i < ETCD_SOCKS; i++)
		foud_loop_del(e->d, &e->socks[i].ev);
	if (e->timer.fd >= 0) {
		foud_loop_del(e->d, &e->timer);
		close(e->timer.fd);
	}
	free(e);
}
