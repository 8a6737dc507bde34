/* SPDX-License-Identifier: MIT */
/*
 * Prometheus metrics over HTTP (`foud --metrics`, `metrics listen`), served
 * by libmicrohttpd inside foud's own loop: MHD's epoll descriptor is one
 * more event, MHD_run never blocks, and every connection is bounded in
 * number, memory and time, so an HTTP client can only wait for its turn,
 * never hold up a packet. A scrape reads the same counters as `fouctl -s`,
 * the BPF programs' added to foud's own.
 */
#include <dirent.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "foud.h"
#include "metrics.h"

#define METRICS_CONNS		32	/* at once; more wait in the backlog */
#define METRICS_BACKLOG		64
#define METRICS_TIMEOUT_S	5	/* from accept to the last byte of the reply */
#define METRICS_CONN_MEM	(16 * 1024)	/* request headers; the reply is apart */
#define METRICS_TICK_MS		250	/* MHD's timeouts and left-over work */
#define METRICS_RUNS		8	/* MHD_run calls per wake-up, at most */

struct foud_metrics {
	struct MHD_Daemon *mhd;
	struct foud_ev ev;		/* MHD's epoll descriptor */
	struct cmd_metrics_cfg cfg;
	int lfd;
	bool pinned;			/* foud --metrics: the file's lines leave it alone */
	struct foud *d;
};

/* MHD_run until it has nothing left to do now, a bounded number of times. */
static void metrics_run(struct foud *d, void *arg)
{
	struct foud_metrics *m = arg;
	MHD_UNSIGNED_LONG_LONG ms = 0;
	int i;

	(void)d;
	for (i = 0; i < METRICS_RUNS; i++) {
		MHD_run(m->mhd);
		if (MHD_get_timeout(m->mhd, &ms) != MHD_YES || ms > 0)
			break;
	}
}

static void metrics_ev(struct foud *d, struct foud_ev *ev)
{
	metrics_run(d, (char *)ev - offsetof(struct foud_metrics, ev));
}

static enum MHD_Result metrics_reply(struct MHD_Connection *c, unsigned int code,
				     struct foud_out *o, const char *type)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (o->failed || !o->buf.p) {
		foud_out_free(o);
		return MHD_NO;		/* out of memory: MHD closes the connection */
	}
	r = MHD_create_response_from_buffer(o->buf.len, o->buf.p, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		foud_out_free(o);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

/* GET (or HEAD) /metrics; anything else is answered 404 or 405. */
static enum MHD_Result metrics_req(void *cls, struct MHD_Connection *c, const char *url,
				   const char *method, const char *version,
				   const char *upload, size_t *upload_len, void **state)
{
	struct foud_metrics *m = cls;
	struct foud_out o = { 0 };

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)state;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD)) {
		foud_out_printf(&o, "only GET\n");
		return metrics_reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, &o, "text/plain");
	}
	if (strcmp(url, "/metrics")) {
		foud_out_printf(&o, "foud serves /metrics\n");
		return metrics_reply(c, MHD_HTTP_NOT_FOUND, &o, "text/plain");
	}
	foud_metrics_write(m->d, &o);
	foud_metrics_sec_write(m->d, &o);
	return metrics_reply(c, MHD_HTTP_OK, &o, "text/plain; version=0.0.4; charset=utf-8");
}

/* A Unix socket's path: a stale socket file is replaced, anything else is not. */
static int metrics_unlink_stale(const struct cmd_metrics_cfg *c)
{
	const struct sockaddr_un *un = (const struct sockaddr_un *)&c->addr;
	struct stat st;

	if (c->addr.ss_family != AF_UNIX || lstat(un->sun_path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode))
		return -EEXIST;
	return unlink(un->sun_path) < 0 ? -errno : 0;
}

static int metrics_socket(const struct cmd_metrics_cfg *c)
{
	int one = 1, s, ret;

	ret = metrics_unlink_stale(c);
	if (ret)
		return ret;
	s = socket(c->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (c->addr.ss_family != AF_UNIX)
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (const struct sockaddr *)&c->addr, c->len) < 0 ||
	    listen(s, METRICS_BACKLOG) < 0) {
		ret = -errno;
		close(s);
		return ret;
	}
	return s;
}

static struct MHD_Daemon *metrics_mhd(struct foud_metrics *m)
{
	/* No internal thread: foud's loop runs MHD (MHD_run) when its epoll fd is readable. */
	return MHD_start_daemon(MHD_USE_EPOLL, 0, NULL, NULL, metrics_req, m,
				MHD_OPTION_LISTEN_SOCKET, m->lfd,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned int)METRICS_CONNS,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_TIMEOUT_S,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_CONN_MEM,
				MHD_OPTION_END);
}

static void metrics_free(struct foud *d, struct foud_metrics *m)
{
	const struct sockaddr_un *un = (const struct sockaddr_un *)&m->cfg.addr;

	if (m->ev.fd >= 0)
		foud_loop_del(d, &m->ev);
	foud_timer_del(d, metrics_run, m);
	if (m->mhd)
		MHD_stop_daemon(m->mhd);
	/* Our own socket file only: bound, so the path was ours. */
	if (m->lfd >= 0 && m->cfg.addr.ss_family == AF_UNIX)
		unlink(un->sun_path);
	if (m->lfd >= 0)
		close(m->lfd);
	free(m);
}

static int metrics_start(struct foud *d, struct foud_metrics *m)
{
	const union MHD_DaemonInfo *info;

	m->lfd = metrics_socket(&m->cfg);
	if (m->lfd < 0)
		return m->lfd;
	m->mhd = metrics_mhd(m);
	if (!m->mhd)
		return -ENOMEM;
	info = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info)
		return -EOPNOTSUPP;
	m->ev.fd = info->epoll_fd;
	if (foud_loop_add(d, &m->ev))
		return -errno;
	return foud_timer_add(d, METRICS_TICK_MS, metrics_run, m);
}

int foud_metrics_listen(struct foud *d, const struct cmd_metrics_cfg *c, char *err,
			size_t errlen)
{
	struct foud_metrics *m;
	int ret;

	if (d->metrics) {
		if (!strcmp(d->metrics->cfg.spec, c->spec))
			return 0;
		snprintf(err, errlen, "metrics already served on %s", d->metrics->cfg.spec);
		return -EEXIST;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->cfg = *c;
	m->d = d;
	m->lfd = m->ev.fd = -1;
	m->ev.fn = metrics_ev;
	ret = metrics_start(d, m);
	if (ret) {
		snprintf(err, errlen, "metrics listen %s: %s", c->spec, strerror(-ret));
		metrics_free(d, m);
		return ret;
	}
	d->metrics = m;
	foud_log(LOG_INFO, "metrics on %s", c->spec);
	return 0;
}

int foud_metrics_pin(struct foud *d, const struct cmd_metrics_cfg *c, char *err, size_t errlen)
{
	int ret = foud_metrics_listen(d, c, err, errlen);

	if (!ret)
		d->metrics->pinned = true;
	return ret;
}

int foud_metrics_reconf(struct foud *d, const struct cmd_metrics_cfg *c, char *err,
			size_t errlen)
{
	if (d->metrics && strcmp(d->metrics->cfg.spec, c->spec)) {
		if (d->metrics->pinned) {
			snprintf(err, errlen, "foud --metrics serves %s", d->metrics->cfg.spec);
			return -EEXIST;
		}
		foud_log(LOG_INFO, "metrics leave %s", d->metrics->cfg.spec);
		foud_metrics_fini(d);
	}
	return foud_metrics_listen(d, c, err, errlen);
}

void foud_metrics_save(const struct foud *d, struct foud_out *out)
{
	if (d->metrics && !d->metrics->pinned)
		foud_out_printf(out, "metrics listen %s\n", d->metrics->cfg.spec);
}

void foud_metrics_stop(struct foud *d)
{
	if (d->metrics && !d->metrics->pinned) {
		foud_log(LOG_INFO, "metrics leave %s (no longer in the file)",
			 d->metrics->cfg.spec);
		foud_metrics_fini(d);
	}
}

void foud_metrics_fini(struct foud *d)
{
	if (!d->metrics)
		return;
	metrics_free(d, d->metrics);
	d->metrics = NULL;
}
