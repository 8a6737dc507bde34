/* SPDX-License-Identifier: MIT */
/*
 * `fouctl monitor`: control connections that stay and are told what changes.
 *
 * Each monitor has a queue of whole lines, written without blocking as its
 * socket takes them. A monitor that does not read must never stall foud:
 * past EV_QUEUE_MAX bytes the oldest lines not yet begun are dropped and
 * counted (logged once per monitor, and when it leaves). A monitor is freed
 * only in its own callback (hang-up or error), never while an event of its
 * may still wait in the loop's batch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "ctl.h"
#include "event.h"
#include "kinds.h"

#define EV_SUBS_MAX	16
#define EV_QUEUE_MAX	(64u << 10)	/* bytes queued per monitor */
#define EV_SNDBUF	(16u << 10)	/* and in its socket (the kernel doubles it) */

struct ev_line {
	STAILQ_ENTRY(ev_line) entry;
	size_t len;
	char text[];
};

struct ev_sub {
	struct foud_ev ev;		/* first: the loop hands back &ev */
	TAILQ_ENTRY(ev_sub) entry;
	unsigned int groups;
	uint32_t flags;			/* CTL_F_JSON */
	pid_t pid;
	STAILQ_HEAD(, ev_line) q;
	size_t qbytes, off;		/* off: bytes of the first line already sent */
	uint64_t dropped;
	bool broken;			/* a write failed: freed at its next callback */
};

struct foud_events {
	TAILQ_HEAD(, ev_sub) subs;
	unsigned int n;
};

bool foud_event_wanted(const struct foud *d, unsigned int group)
{
	const struct ev_sub *s;

	if (!d->events)
		return false;
	TAILQ_FOREACH(s, &d->events->subs, entry)
		if (s->groups & group)
			return true;
	return false;
}

static void sub_free(struct foud *d, struct ev_sub *s)
{
	struct ev_line *l;

	foud_log(LOG_INFO, "monitor (pid %d) left; %llu events dropped for it", (int)s->pid,
		 (unsigned long long)s->dropped);
	while ((l = STAILQ_FIRST(&s->q))) {
		STAILQ_REMOVE_HEAD(&s->q, entry);
		free(l);
	}
	foud_loop_del(d, &s->ev);
	close(s->ev.fd);
	TAILQ_REMOVE(&d->events->subs, s, entry);
	d->events->n--;
	free(s);
}

/* Sends what the socket takes; EPOLLOUT is asked for while lines wait. */
static void sub_flush(struct foud *d, struct ev_sub *s)
{
	struct ev_line *l;
	ssize_t n;

	while (!s->broken && (l = STAILQ_FIRST(&s->q))) {
		n = send(s->ev.fd, l->text + s->off, l->len - s->off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			s->broken = true;
			break;
		}
		s->off += (size_t)n;
		if (s->off < l->len)
			continue;
		STAILQ_REMOVE_HEAD(&s->q, entry);
		s->qbytes -= l->len;
		s->off = 0;
		free(l);
	}
	/* broken: EPOLLOUT (and the error epoll always reports) brings the callback */
	foud_loop_set(d, &s->ev, EPOLLIN | (s->broken || !STAILQ_EMPTY(&s->q) ? EPOLLOUT : 0));
}

/* Readable (the client hung up: nothing else may come), writable, or an error. */
static void sub_callback(struct foud *d, struct foud_ev *ev)
{
	struct ev_sub *s = (struct ev_sub *)ev;
	char buf[256];
	ssize_t n;

	n = recv(s->ev.fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
		s->broken = true;
	if (!s->broken)
		sub_flush(d, s);
	if (s->broken)
		sub_free(d, s);
}

/* Drops the oldest lines not begun until len more fit. */
static bool sub_make_room(struct ev_sub *s, size_t len)
{
	struct ev_line *first = STAILQ_FIRST(&s->q), *l;

	while (s->qbytes + len > EV_QUEUE_MAX) {
		/* the line being sent stays: half a line would garble the stream */
		l = first && s->off ? STAILQ_NEXT(first, entry) : first;
		if (!l)
			return false;
		STAILQ_REMOVE(&s->q, l, ev_line, entry);
		s->qbytes -= l->len;
		free(l);
		first = STAILQ_FIRST(&s->q);
		if (!s->dropped++)
			foud_log(LOG_WARNING, "monitor (pid %d) does not keep up: dropping "
				 "its oldest events", (int)s->pid);
	}
	return true;
}

static void sub_queue(struct ev_sub *s, const void *p, size_t len)
{
	struct ev_line *l;

	if (s->broken || !sub_make_room(s, len) || !(l = malloc(sizeof(*l) + len))) {
		s->dropped++;
		return;
	}
	l->len = len;
	memcpy(l->text, p, len);
	STAILQ_INSERT_TAIL(&s->q, l, entry);
	s->qbytes += len;
}

/* ---- the lines ------------------------------------------------------------ */

static void ev_ifname(struct foud_pr *p, const struct foud_tunnel *t)
{
	foud_pr_s64(p, "ifindex", "%lld: ", t->ifindex);
	foud_pr_str(p, "ifname", "%s:", t->name);
}

/* As ip monitor link: [Deleted ]IFINDEX: NAME: <FLAGS> mtu N state S link/KIND */
static void ev_link(struct foud_pr *p, const struct foud_event *e)
{
	const struct foud_tunnel *t = e->t;
	bool up = t->dev_up && e->type != FOUD_EVT_LINK_DEL;

	if (e->type == FOUD_EVT_LINK_DEL)
		foud_pr_bool(p, "deleted", "Deleted ", NULL, true);
	ev_ifname(p, t);
	foud_pr_text(p, " <");
	foud_pr_open_array(p, "flags");
	/* what a TUN (L3) or TAP (L2) device has, and UP,LOWER_UP while up */
	foud_pr_str(p, NULL, "%s", t->tap ? "BROADCAST" : "POINTOPOINT");
	foud_pr_str(p, NULL, ",%s", "MULTICAST");
	if (!t->tap)
		foud_pr_str(p, NULL, ",%s", "NOARP");
	if (up) {
		foud_pr_str(p, NULL, ",%s", "UP");
		foud_pr_str(p, NULL, ",%s", "LOWER_UP");
	}
	foud_pr_close_array(p);
	foud_pr_text(p, ">");
	foud_pr_uint(p, "mtu", " mtu %u", t->mtu);
	foud_pr_str(p, "operstate", " state %s", up ? "UP" : "DOWN");
	foud_pr_str(p, "link_type", " link/%s", e->kind);
}

/* foud's own: IFINDEX: NAME: datapath bpf|userspace [(why)], as link show -d words it */
static void ev_datapath(struct foud_pr *p, const struct foud_event *e)
{
	const char *why = e->why;

	ev_ifname(p, e->t);
	foud_pr_str(p, "datapath", " datapath %s", why ? "userspace" : "bpf");
	if (why)
		foud_pr_str(p, "datapath_reason", " (%s)", why);
}

/* foud's own: IFINDEX: NAME: underlay DEV path-mtu N (the route to remote moved) */
static void ev_route(struct foud_pr *p, const struct foud_event *e)
{
	const struct foud_tunnel *t = e->t;
	char b[IF_NAMESIZE];

	ev_ifname(p, t);
	if (t->ul_ifindex && if_indextoname((unsigned int)t->ul_ifindex, b))
		foud_pr_str(p, "underlay", " underlay %s", b);
	else
		foud_pr_null(p, "underlay", " underlay none (no route)");
	foud_pr_uint(p, "path_mtu", " path-mtu %u", t->path_mtu);
}

/* As bridge monitor fdb: [Deleted ]MAC dev NAME dst ADDR self [permanent] */
static void ev_fdb(struct foud_pr *p, const struct foud_event *e)
{
	const uint8_t *m = e->mac;
	char a[64], mac[18];

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
		 m[4], m[5]);
	if (e->type == FOUD_EVT_FDB_DEL)
		foud_pr_bool(p, "deleted", "Deleted ", NULL, true);
	foud_pr_str(p, "mac", "%s", mac);
	foud_pr_str(p, "ifname", " dev %s", e->t->name);
	foud_pr_open_array(p, "flags");
	foud_pr_str(p, NULL, NULL, "self");
	foud_pr_close_array(p);
	foud_pr_str(p, "dst", " dst %s", fou_addr_str(e->dst, a, sizeof(a)));
	foud_pr_text(p, " self");
	if (e->permanent)
		foud_pr_str(p, "state", " %s", "permanent");
}

/* foud's own: tou peer ADDR port PORT rebound */
static void ev_tou(struct foud_pr *p, const struct foud_event *e)
{
	char a[64];

	foud_pr_str(p, "peer", "tou peer %s", fou_addr_str(&e->peer->cfg.peer, a, sizeof(a)));
	foud_pr_uint(p, "port", " port %u", e->peer->cur_port);
	foud_pr_u64(p, "rebinds", " rebound (%llu)", e->peer->rebinds);
}

static void ev_tou_move(struct foud_pr *p, const struct foud_event *e)
{
	char a[64];

	snprintf(a, sizeof(a), "%016llx", (unsigned long long)e->sid);
	foud_pr_str(p, "session", "tou session %s", a);
	foud_pr_str(p, "peer", " peer %s", fou_addr_str(&e->peer->cfg.peer, a, sizeof(a)));
	foud_pr_str(p, "at", " moved to %s", fou_addr_str(e->at, a, sizeof(a)));
	foud_pr_uint(p, "at_port", " port %u", e->at_port);
	foud_pr_u64(p, "moves", " (%llu)", e->moves);
}

static unsigned int ev_group(enum foud_event_type type)
{
	switch (type) {
	case FOUD_EVT_FDB_NEW:
	case FOUD_EVT_FDB_DEL:
		return FOUD_EVG_FDB;
	case FOUD_EVT_TOU_REBIND:
	case FOUD_EVT_TOU_MOVE:
		return FOUD_EVG_TOU;
	default:
		return FOUD_EVG_LINK;
	}
}

/* One line of e in the form flags ask for. */
static void ev_format(const struct foud_event *e, uint32_t flags, struct foud_out *o)
{
	struct foud_pr p;

	foud_pr_init(&p, o, flags & CTL_F_JSON);
	foud_pr_open_object(&p, NULL);
	switch (e->type) {
	case FOUD_EVT_LINK_NEW:
	case FOUD_EVT_LINK_DEL: ev_link(&p, e); break;
	case FOUD_EVT_DATAPATH: ev_datapath(&p, e); break;
	case FOUD_EVT_ROUTE: ev_route(&p, e); break;
	case FOUD_EVT_FDB_NEW:
	case FOUD_EVT_FDB_DEL: ev_fdb(&p, e); break;
	case FOUD_EVT_TOU_REBIND: ev_tou(&p, e); break;
	case FOUD_EVT_TOU_MOVE: ev_tou_move(&p, e); break;
	}
	foud_pr_nl(&p);
	foud_pr_close_object(&p);
}

void foud_event(struct foud *d, const struct foud_event *e)
{
	struct foud_out out[2] = { 0 };		/* text, JSON: each made once, if wanted */
	unsigned int group = ev_group(e->type);
	struct ev_sub *s;

	if (!d->events)
		return;
	TAILQ_FOREACH(s, &d->events->subs, entry) {
		struct foud_out *o = &out[!!(s->flags & CTL_F_JSON)];

		if (!(s->groups & group))
			continue;
		if (!o->buf.len && !o->failed)
			ev_format(e, s->flags, o);
		if (o->failed)
			s->dropped++;
		else
			sub_queue(s, o->buf.p, o->buf.len);
		sub_flush(d, s);
	}
	foud_out_free(&out[0]);
	foud_out_free(&out[1]);
}

/* ---- monitors come and go ------------------------------------------------- */

static int events_init(struct foud *d)
{
	if (d->events)
		return 0;
	d->events = calloc(1, sizeof(*d->events));
	if (!d->events)
		return -ENOMEM;
	TAILQ_INIT(&d->events->subs);
	return 0;
}

int foud_event_subscribe(struct foud *d, int fd, unsigned int groups, uint32_t flags, pid_t pid,
			 char *err, size_t errlen)
{
	uint8_t yes[CTL_FRAME_HDR + 4] = { 0 };	/* the end frame, status 0: then the events */
	struct ev_sub *s = NULL;
	int ret = events_init(d);

	if (!ret && d->events->n >= EV_SUBS_MAX) {
		snprintf(err, errlen, "already %d monitors", EV_SUBS_MAX);
		ret = -EBUSY;
	}
	if (!ret && !(s = calloc(1, sizeof(*s))))
		ret = -ENOMEM;
	if (ret)
		return ret;
	*s = (struct ev_sub){ .ev = { .fd = fd, .fn = sub_callback }, .groups = groups,
			      .flags = flags, .pid = pid };
	/* what a monitor that stops reading holds is bounded by EV_QUEUE_MAX, not by the socket */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){ EV_SNDBUF }, sizeof(int));
	STAILQ_INIT(&s->q);
	TAILQ_INSERT_TAIL(&d->events->subs, s, entry);
	d->events->n++;
	if (foud_loop_add(d, &s->ev)) {
		sub_free(d, s);
		return 0;	/* fd closed: the client sees a hang-up */
	}
	ctl_frame_put(yes, CTL_FR_END, 4);
	sub_queue(s, yes, sizeof(yes));
	sub_flush(d, s);
	foud_log(LOG_INFO, "monitor (pid %d) listening", (int)pid);
	return 0;
}

void foud_event_fini(struct foud *d)
{
	if (!d->events)
		return;
	while (!TAILQ_EMPTY(&d->events->subs))
		sub_free(d, TAILQ_FIRST(&d->events->subs));
	free(d->events);
	d->events = NULL;
}
