/* SPDX-License-Identifier: MIT */
/*
 * The control socket: a Unix stream socket, mode 0600, root only, at its
 * path and at CTL_SOCKET_ABSTRACT in the abstract namespace (one per
 * network namespace, so `ip netns exec NS fouctl` finds NS's foud; it has
 * no file mode, so the peer's uid is checked on both alike). Each
 * connection carries one request (the words of a fouctl command) and gets
 * one reply; requests are parsed with the same grammar as fouctl's. Clients
 * are served on the event loop without blocking it: at most 64 at once,
 * 2 s to send the request; the reply, of any size, goes out in frames as
 * the socket takes them, and a client that reads none of it for 5 s is
 * cut. `monitor` hands its connection over to event.c, where it stays.
 */
#include <errno.h>
#include <libgen.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "event.h"
#include "foud.h"

/* ---- the control socket's clients -------------------------------------- */

#define CTL_CLIENTS_MAX	64	/* beyond: left in the listen backlog until one ends */
#define CTL_RETRY_MS	200	/* out of descriptors: accept again after */
#define CTL_BACKLOG	128
#define CTL_READ_MS	2000	/* from accept to the whole request */
#define CTL_WRITE_MS	5000	/* without a byte of the reply read */
#define CTL_ERR_MAX	512	/* the end frame's text */
#define CTL_TX_FRAMES	16	/* a turn of the loop: a fast reader of a huge reply waits its turn */

/*
 * A reply on its way out: the output whole (one reply's worth per client),
 * cut into CTL_FR_OUT frames as they are sent, then the CTL_FR_END frame.
 * One frame at a time: its header, then its payload.
 */
struct ctl_tx {
	struct foud_out out;
	size_t off;			/* bytes of out already framed */
	uint8_t hdr[CTL_FRAME_HDR + 4];	/* + the status, in the end frame */
	size_t hlen, hsent;
	const char *data;
	size_t dlen, dsent;
	bool last;			/* the frame is the end frame */
	int status;
	char err[CTL_ERR_MAX];
};

/*
 * One connection, served without ever blocking the loop: the request is
 * read as it arrives, run once whole, and the reply written as the socket
 * takes it. A deadline bounds each phase.
 */
struct ctl_client {
	struct foud_ev ev;		/* first: the loop hands back &ev; fd -1 once dead */
	TAILQ_ENTRY(ctl_client) entry;
	uint64_t deadline;		/* ms of CLOCK_MONOTONIC */
	pid_t pid;
	bool allowed;			/* SO_PEERCRED at accept: root or foud's own uid */
	bool writing;
	bool served;			/* answered a request: may wait idle for the next */
	uint8_t hdr[CTL_HDR];
	uint8_t *buf;			/* the request */
	size_t have, need;		/* bytes read of need */
	struct ctl_tx *tx;		/* the reply being written; NULL: none */
	int fd_in;			/* a descriptor sent with the request (capture's pipe); -1 */
};

TAILQ_HEAD(ctl_clients, ctl_client);

struct foud_ctlsrv {
	struct foud_ev timer;		/* fires at the earliest deadline */
	struct foud_ev abstract;	/* the listening socket at CTL_SOCKET_ABSTRACT; fd -1: none */
	struct ctl_clients clients;
	struct ctl_clients dead;	/* closed by the timer; freed at its next run */
	unsigned int n;
	bool paused;			/* at the cap: the listening socket is out of the loop */
	uint64_t retry;			/* out of descriptors: accept again at this time (ms); 0: not */
	bool starved;			/* ... and said so, once until an accept succeeds */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Arms the timer for the earliest deadline; soon if dead clients wait to be freed. */
static void ctl_timer_arm(struct foud_ctlsrv *srv)
{
	struct itimerspec its = { 0 };
	struct ctl_client *c;
	uint64_t next = 0;

	TAILQ_FOREACH(c, &srv->clients, entry)
		if (!next || c->deadline < next)
			next = c->deadline;
	if (srv->retry && (!next || srv->retry < next))
		next = srv->retry;
	if (!TAILQ_EMPTY(&srv->dead) && (!next || next > now_ms() + 1))
		next = now_ms() + 1;
	its.it_value.tv_sec = (time_t)(next / 1000);
	its.it_value.tv_nsec = (long)(next % 1000) * 1000000L;	/* 0: disarmed */
	timerfd_settime(srv->timer.fd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Both listening sockets wait for clients (EPOLLIN) or not (0); 0 or -errno. */
static int ctl_listen_set(struct foud *d, uint32_t events)
{
	struct foud_ctlsrv *srv = d->ctlsrv;
	int ret = foud_loop_set(d, &d->ctl, events);

	if (!ret && srv->abstract.fd >= 0)
		ret = foud_loop_set(d, &srv->abstract, events);
	return ret;
}

/* The listening sockets back in the loop, below the cap and not waiting for descriptors. */
static void ctl_resume(struct foud *d)
{
	struct foud_ctlsrv *srv = d->ctlsrv;

	if (srv->paused && !srv->retry && srv->n < CTL_CLIENTS_MAX && ctl_listen_set(d, EPOLLIN) == 0)
		srv->paused = false;
}

/* Takes c out of the count; the listening sockets resume below the cap. */
static void ctl_client_unlist(struct foud *d, struct ctl_client *c)
{
	struct foud_ctlsrv *srv = d->ctlsrv;

	if (c->fd_in >= 0)
		close(c->fd_in);
	c->fd_in = -1;
	TAILQ_REMOVE(&srv->clients, c, entry);
	srv->n--;
	ctl_resume(d);
}

/* Takes c out of the loop and the count, and closes it. */
static void ctl_client_detach(struct foud *d, struct ctl_client *c)
{
	foud_loop_del(d, &c->ev);
	close(c->ev.fd);
	c->ev.fd = -1;
	ctl_client_unlist(d, c);
}

static void ctl_tx_free(struct ctl_tx *tx)
{
	if (!tx)
		return;
	foud_out_free(&tx->out);
	free(tx);
}

/* What a closed client holds: freed now, or later by the timer (ctl_timer). */
static void ctl_client_release(struct ctl_client *c)
{
	ctl_tx_free(c->tx);
	free(c->buf);
	free(c);
}

static void ctl_client_free(struct foud *d, struct ctl_client *c)
{
	ctl_client_detach(d, c);
	ctl_client_release(c);
}

/*
 * The reply is out: the connection waits for another request (fouctl -b
 * sends its lines on one, not a connect and an accept a line).
 */
static void ctl_client_again(struct foud *d, struct ctl_client *c)
{
	free(c->buf);
	c->buf = NULL;
	ctl_tx_free(c->tx);
	c->tx = NULL;
	c->have = c->need = 0;
	c->writing = false;
	c->served = true;
	c->deadline = now_ms() + CTL_READ_MS;
	ctl_timer_arm(d->ctlsrv);
	foud_loop_set(d, &c->ev, EPOLLIN);
}

/* The next frame: output while some is left, then the end. */
static void ctl_tx_next(struct ctl_tx *tx)
{
	size_t n = tx->out.buf.len - tx->off;

	tx->hsent = tx->dsent = 0;
	tx->hlen = CTL_FRAME_HDR;
	if (n) {
		tx->dlen = n < CTL_CHUNK ? n : CTL_CHUNK;
		tx->data = tx->out.buf.p + tx->off;
		tx->off += tx->dlen;
		ctl_frame_put(tx->hdr, CTL_FR_OUT, (uint32_t)tx->dlen);
		return;
	}
	tx->dlen = strlen(tx->err);
	tx->data = tx->err;
	tx->last = true;
	ctl_frame_put(tx->hdr, CTL_FR_END, (uint32_t)(4 + tx->dlen));
	memcpy(tx->hdr + CTL_FRAME_HDR, &tx->status, 4);
	tx->hlen += 4;
}

/* Sends what the socket takes of the frame; 1 once all of it is out. */
static ssize_t ctl_tx_send(int fd, struct ctl_tx *tx)
{
	struct iovec iov[2] = {
		{ tx->hdr + tx->hsent, tx->hlen - tx->hsent },
		{ (void *)(tx->data + tx->dsent), tx->dlen - tx->dsent },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	size_t h;

	if (n <= 0)
		return n < 0 ? -errno : -EPIPE;
	h = (size_t)n < iov[0].iov_len ? (size_t)n : iov[0].iov_len;
	tx->hsent += h;
	tx->dsent += (size_t)n - h;
	return tx->hsent == tx->hlen && tx->dsent == tx->dlen;
}

/*
 * Writes frames while the socket takes them, CTL_TX_FRAMES at most: 1 when
 * the end is out, 0 when the socket is full or the turn over.
 */
static int ctl_tx_write(int fd, struct ctl_tx *tx, bool *moved)
{
	ssize_t ret;
	int frames = 0;

	while (frames < CTL_TX_FRAMES) {
		ret = ctl_tx_send(fd, tx);
		if (ret == -EINTR)
			continue;
		if (ret == -EAGAIN || ret == -EWOULDBLOCK)
			return 0;
		if (ret < 0)
			return (int)ret;
		*moved = true;
		if (ret && tx->last)
			return 1;
		if (ret) {
			ctl_tx_next(tx);
			frames++;
		}
	}
	return 0;
}

/*
 * Writes what the socket takes; waits for EPOLLOUT when it is full. The
 * deadline moves with every byte the client takes: a huge reply read
 * slowly goes on, a client that stops reading is cut.
 */
static void ctl_client_write(struct foud *d, struct ctl_client *c)
{
	bool moved = false;
	int ret = ctl_tx_write(c->ev.fd, c->tx, &moved);

	if (!ret) {
		if (moved) {
			c->deadline = now_ms() + CTL_WRITE_MS;
			ctl_timer_arm(d->ctlsrv);
		}
		foud_loop_set(d, &c->ev, EPOLLOUT);
		return;
	}
	if (ret > 0 && c->allowed)
		ctl_client_again(d, c);
	else
		ctl_client_free(d, c);
}

/* Takes the output over (out is left empty) and starts writing the reply. */
static void ctl_client_reply(struct foud *d, struct ctl_client *c, int status,
			     struct foud_out *out, const char *err)
{
	struct ctl_tx *tx = calloc(1, sizeof(*tx));

	if (!tx) {
		ctl_client_free(d, c);
		return;
	}
	tx->out = *out;
	*out = (struct foud_out){ 0 };
	tx->status = status;
	snprintf(tx->err, sizeof(tx->err), "%s", err);
	ctl_tx_next(tx);
	ctl_tx_free(c->tx);
	c->tx = tx;
	c->writing = true;
	c->deadline = now_ms() + CTL_WRITE_MS;
	ctl_timer_arm(d->ctlsrv);
	ctl_client_write(d, c);
}

#define CTL_HANDED_OVER	1	/* ctl_client_run: c is a monitor now, and freed */

/*
 * monitor [ all | link | fdb | tou ]: the connection goes to event.c, which
 * says yes and sends events from now on. On a refusal c stays, to answer.
 */
static int ctl_monitor(struct foud *d, struct ctl_client *c, const struct cmd_req *cmd,
		       uint32_t flags, char *err, size_t errlen)
{
	static const unsigned int groups[] = {
		[CMD_OP_MON_ALL] = FOUD_EVG_ALL, [CMD_OP_MON_LINK] = FOUD_EVG_LINK,
		[CMD_OP_MON_FDB] = FOUD_EVG_FDB, [CMD_OP_MON_TOU] = FOUD_EVG_TOU,
	};
	int ret;

	if ((unsigned int)cmd->op >= sizeof(groups) / sizeof(groups[0]) || !groups[cmd->op])
		return -EINVAL;
	foud_loop_del(d, &c->ev);
	ret = foud_event_subscribe(d, c->ev.fd, groups[cmd->op], flags, c->pid, err, errlen);
	if (ret) {
		foud_loop_add(d, &c->ev);
		return ret;
	}
	c->ev.fd = -1;
	ctl_client_unlist(d, c);
	ctl_client_release(c);
	return CTL_HANDED_OVER;
}

/* Runs c's whole request; returns the status for the reply, or CTL_HANDED_OVER. */
static int ctl_client_run(struct foud *d, struct ctl_client *c, struct foud_out *out,
			  char *err, size_t errlen)
{
	char *argv[CTL_MAX_ARGS];
	struct cmd_req cmd;
	uint32_t flags;
	int argc, ret;

	/* The whole request was read even to refuse it, so the reply is not lost to a reset. */
	if (!c->allowed) {
		snprintf(err, errlen, "permission denied");
		return -EPERM;
	}
	argc = ctl_decode(c->buf, c->need, &flags, argv, CTL_MAX_ARGS);
	if (argc < 0) {
		snprintf(err, errlen, "malformed request");
		return argc;
	}
	ret = cmd_parse(argc, argv, &cmd, err, errlen);
	if (ret)
		return ret;
	if (cmd.obj == CMD_OBJ_MONITOR)
		return ctl_monitor(d, c, &cmd, flags, err, errlen);
	cmd.capture.fd = c->fd_in;	/* capture keeps a copy of its own */
	ret = foud_exec(d, &cmd, flags, out, err, errlen);
	if (c->fd_in >= 0)
		close(c->fd_in);
	c->fd_in = -1;
	if (!ret && out->failed) {
		snprintf(err, errlen, "reply too large");
		ret = -ENOMEM;
	}
	return ret;
}

/* Answers with status and err (a newline added), output if ret is 0. */
static void ctl_client_finish(struct foud *d, struct ctl_client *c, int ret,
			      struct foud_out *out, char *err, size_t errlen)
{
	size_t n;

	if (ret && !err[0])
		snprintf(err, errlen, "%s", strerror(-ret));
	n = strlen(err);
	if (n && err[n - 1] != '\n' && n + 1 < errlen)
		strcpy(err + n, "\n");
	ctl_client_reply(d, c, ret, out, err);
}

/* After the header: how much more to read, or a reply refusing the request. */
static int ctl_client_header(struct ctl_client *c, char *err, size_t errlen)
{
	int len = ctl_request_len(c->hdr, sizeof(c->hdr));

	if (len < 0) {
		snprintf(err, errlen, len == -E2BIG ? "request too large" : "malformed request");
		return len;
	}
	c->buf = malloc((size_t)len);
	if (!c->buf)
		return -ENOMEM;
	memcpy(c->buf, c->hdr, sizeof(c->hdr));
	c->need = (size_t)len;
	return 0;
}

/* read(), keeping a descriptor that comes with the bytes (the last one, if several). */
static ssize_t ctl_recv(struct ctl_client *c, void *p, size_t want)
{
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(int))];
	} u;
	struct iovec iov = { p, want };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
			     .msg_controllen = sizeof(u.b) };
	struct cmsghdr *cm;
	ssize_t n = recvmsg(c->ev.fd, &mh, MSG_CMSG_CLOEXEC);

	for (cm = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len != CMSG_LEN(sizeof(int)))
			continue;
		if (c->fd_in >= 0)
			close(c->fd_in);
		memcpy(&c->fd_in, CMSG_DATA(cm), sizeof(int));
	}
	return n;
}

/*
 * A last word to a client about to be closed, if its socket takes it now:
 * an end frame, or for a fouctl of protocol 1 the one reply it reads.
 */
static void ctl_say_last(int fd, bool v1, int status, const char *msg)
{
	uint32_t len = (uint32_t)strlen(msg);
	uint32_t v1hdr[4] = { CTL_MAGIC_V1, (uint32_t)status, 0, len };
	uint8_t hdr[CTL_FRAME_HDR + 4];
	struct iovec iov[2] = { { hdr, sizeof(hdr) }, { (void *)msg, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

	ctl_frame_put(hdr, CTL_FR_END, 4 + len);
	memcpy(hdr + CTL_FRAME_HDR, &status, 4);
	if (v1)
		iov[0] = (struct iovec){ v1hdr, sizeof(v1hdr) };
	sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/*
 * Discards what the client has sent (at most a request): a Unix socket
 * closed with unread bytes resets its peer, which would lose the reply.
 */
static void ctl_drain(int fd)
{
	char buf[4096];

	for (int i = 0; i <= (CTL_HDR + CTL_MAX) / (int)sizeof(buf); i++)
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0)
			break;
}

/*
 * A fouctl of protocol 1 would misread frames: it gets the one reply it
 * understands, saying why, and the connection ends.
 */
static void ctl_client_old(struct foud *d, struct ctl_client *c)
{
	foud_log(LOG_NOTICE, "control client (pid %d) speaks control protocol 1: refused",
		 (int)c->pid);
	ctl_drain(c->ev.fd);
	ctl_say_last(c->ev.fd, true, -EPROTO, "fouctl speaks control protocol 1 (FOU1) and "
		     "this foud protocol 2 (FOU2): use the fouctl of foud's release\n");
	ctl_client_free(d, c);
}

/* Reads what has arrived, never more than the request; runs it once whole. */
static void ctl_client_read(struct foud *d, struct ctl_client *c)
{
	struct foud_out out = { 0 };
	char err[CTL_ERR_MAX] = "";
	uint8_t *p;
	size_t want;
	ssize_t n;
	int ret = 0;

	while (!ret && (!c->buf || c->have < c->need)) {
		p = c->buf ? c->buf + c->have : c->hdr + c->have;
		want = c->buf ? c->need - c->have : sizeof(c->hdr) - c->have;
		n = ctl_recv(c, p, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			ctl_client_free(d, c);	/* gone before the whole request */
			return;
		}
		c->have += (size_t)n;
		if (!c->buf && c->have == sizeof(c->hdr))
			ret = ctl_client_header(c, err, sizeof(err));
	}
	if (ret == -EPROTO) {
		ctl_client_old(d, c);
		return;
	}
	if (!ret)
		ret = ctl_client_run(d, c, &out, err, sizeof(err));
	if (ret == CTL_HANDED_OVER)
		return;
	ctl_client_finish(d, c, ret, &out, err, sizeof(err));
}

static void ctl_client_event(struct foud *d, struct foud_ev *ev)
{
	struct ctl_client *c = (struct ctl_client *)ev;

	if (c->ev.fd < 0)
		return;		/* closed by the timer earlier in this batch */
	if (c->writing)
		ctl_client_write(d, c);
	else
		ctl_client_read(d, c);
}

/* Past its deadline: said in the log (and to the client, if it reads), then closed. */
static void ctl_client_expire(struct foud *d, struct ctl_client *c)
{

	if (c->served && !c->writing && !c->have) {
		/* Idle between requests: nothing was cut, nothing to say. */
	} else if (c->writing) {
		foud_log(LOG_WARNING, "control client (pid %d) did not read its reply within "
			 "%d s: disconnected", (int)c->pid, CTL_WRITE_MS / 1000);
	} else {
		foud_log(LOG_WARNING, "control client (pid %d) sent no whole request within "
			 "%d s: disconnected", (int)c->pid, CTL_READ_MS / 1000);
		ctl_say_last(c->ev.fd, false, -ETIMEDOUT, "request not complete in time: closed\n");
	}
	ctl_client_detach(d, c);
	TAILQ_INSERT_TAIL(&d->ctlsrv->dead, c, entry);
}

/*
 * Closes the clients past their deadline. They are freed at the next run,
 * not now: an event of theirs may still wait in this batch of the loop.
 */
static void ctl_timer(struct foud *d, struct foud_ev *ev)
{
	struct foud_ctlsrv *srv = d->ctlsrv;
	struct ctl_client *c, *next;
	uint64_t exp, now = now_ms();

	if (read(ev->fd, &exp, sizeof(exp)) < 0 && errno != EAGAIN)
		return;
	while ((c = TAILQ_FIRST(&srv->dead))) {
		TAILQ_REMOVE(&srv->dead, c, entry);
		ctl_client_release(c);
	}
	for (c = TAILQ_FIRST(&srv->clients); c; c = next) {
		next = TAILQ_NEXT(c, entry);
		if (c->deadline <= now)
			ctl_client_expire(d, c);
	}
	if (srv->retry && srv->retry <= now) {
		srv->retry = 0;
		ctl_resume(d);
	}
	ctl_timer_arm(srv);
}

static void ctl_client_new(struct foud *d, int fd)
{
	struct foud_ctlsrv *srv = d->ctlsrv;
	struct ctl_client *c = calloc(1, sizeof(*c));
	struct ucred cr;
	socklen_t sl = sizeof(cr);

	if (!c) {
		close(fd);
		return;
	}
	c->ev = (struct foud_ev){ .fd = fd, .fn = ctl_client_event };
	c->fd_in = -1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &sl) == 0) {
		c->allowed = cr.uid == 0 || cr.uid == geteuid();
		c->pid = cr.pid;
	}
	c->deadline = now_ms() + CTL_READ_MS;
	if (foud_loop_add(d, &c->ev)) {
		close(fd);
		free(c);
		return;
	}
	TAILQ_INSERT_TAIL(&srv->clients, c, entry);
	srv->n++;
	ctl_timer_arm(srv);
}

/*
 * Accepts while below the cap. At the cap the listening socket leaves the
 * loop: further clients wait in its backlog (their connect() blocks when
 * that is full) and are served as slots free, instead of being refused.
 */
static void ctl_accept(struct foud *d, struct foud_ev *ev)
{
	struct foud_ctlsrv *srv = d->ctlsrv;
	int fd;

	while (srv->n < CTL_CLIENTS_MAX) {
		fd = accept4(ev->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd >= 0) {
			srv->starved = false;
			ctl_client_new(d, fd);
			continue;
		}
		if (errno != EMFILE && errno != ENFILE && errno != ENOBUFS && errno != ENOMEM)
			return;
		/* The pending client stays readable: without a pause the loop would spin. */
		if (!srv->starved)
			foud_log(LOG_WARNING, "control: accept: %s; retrying every %d ms",
				 strerror(errno), CTL_RETRY_MS);
		srv->starved = true;
		srv->retry = now_ms() + CTL_RETRY_MS;
		ctl_timer_arm(srv);
		break;
	}
	if (ctl_listen_set(d, 0) == 0)
		srv->paused = true;
}

static int ctl_srv_init(struct foud *d)
{
	struct foud_ctlsrv *srv = calloc(1, sizeof(*srv));

	if (!srv)
		return -ENOMEM;
	TAILQ_INIT(&srv->clients);
	TAILQ_INIT(&srv->dead);
	srv->abstract = (struct foud_ev){ .fd = -1, .fn = ctl_accept };
	srv->timer = (struct foud_ev){ .fn = ctl_timer };
	srv->timer.fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->ctlsrv = srv;
	if (srv->timer.fd < 0)
		return -errno;
	return foud_loop_add(d, &srv->timer);
}

static void ctl_srv_fini(struct foud *d)
{
	struct foud_ctlsrv *srv = d->ctlsrv;
	struct ctl_client *c;

	if (!srv)
		return;
	while ((c = TAILQ_FIRST(&srv->clients)))
		ctl_client_free(d, c);
	while ((c = TAILQ_FIRST(&srv->dead))) {
		TAILQ_REMOVE(&srv->dead, c, entry);
		ctl_client_release(c);
	}
	if (srv->timer.fd >= 0) {
		foud_loop_del(d, &srv->timer);
		close(srv->timer.fd);
	}
	if (srv->abstract.fd >= 0) {
		foud_loop_del(d, &srv->abstract);
		close(srv->abstract.fd);
	}
	free(srv);
	d->ctlsrv = NULL;
}

/*
 * Removes a stale socket left at the path by a foud that died. Anything
 * else stays: a file that is not a socket, and a socket a foud still
 * answers on (connect fails with ECONNREFUSED only when nobody listens).
 */
static int ctl_stale(const struct sockaddr_un *sun, char *err, size_t errlen)
{
	struct stat st;
	int s, ret = 0;

	if (lstat(sun->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket: not removing it",
			 sun->sun_path);
		return -EEXIST;
	}
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (const struct sockaddr *)sun, sizeof(*sun)) == 0) {
		snprintf(err, errlen, "another foud is running on %s", sun->sun_path);
		ret = -EADDRINUSE;
	} else if (errno == ECONNREFUSED && unlink(sun->sun_path) < 0) {
		ret = -errno;
	}
	close(s);
	return ret;
}

/*
 * The abstract socket of this network namespace. Another foud here may
 * hold it already: then this one is reached at its path only (said in the log).
 */
static void ctl_abstract_open(struct foud *d)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				    strlen(CTL_SOCKET_ABSTRACT));
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	memcpy(sun.sun_path + 1, CTL_SOCKET_ABSTRACT, strlen(CTL_SOCKET_ABSTRACT));
	if (s < 0 || bind(s, (struct sockaddr *)&sun, len) < 0 || listen(s, CTL_BACKLOG) < 0) {
		foud_log(LOG_WARNING, "control socket @%s: %s: fouctl reaches this foud with -S %s "
			 "only", CTL_SOCKET_ABSTRACT, strerror(errno), d->sock_path);
		if (s >= 0)
			close(s);
		return;
	}
	d->ctlsrv->abstract.fd = s;
	if (foud_loop_add(d, &d->ctlsrv->abstract)) {
		close(s);
		d->ctlsrv->abstract.fd = -1;
	}
}

int foud_ctl_open(struct foud *d, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[sizeof(sun.sun_path)];
	mode_t old;
	int s, ret;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	mkdir(dirname(dir), 0755);
	ret = ctl_stale(&sun, err, errlen);
	if (ret)
		return ret;
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -errno;
	old = umask(0177);
	ret = bind(s, (struct sockaddr *)&sun, sizeof(sun)) < 0 ? -errno : 0;
	umask(old);
	if (!ret && (chmod(path, 0600) < 0 || listen(s, CTL_BACKLOG) < 0))
		ret = -errno;
	if (ret) {
		close(s);
		return ret;
	}
	snprintf(d->sock_path, sizeof(d->sock_path), "%s", path);
	d->ctl.fd = s;
	d->ctl.fn = ctl_accept;
	ret = ctl_srv_init(d);
	if (!ret)
		ctl_abstract_open(d);
	return ret ? ret : foud_loop_add(d, &d->ctl);
}

void foud_ctl_close(struct foud *d)
{
	foud_event_fini(d);
	ctl_srv_fini(d);
	if (d->ctl.fd < 0)
		return;
	foud_loop_del(d, &d->ctl);
	close(d->ctl.fd);
	d->ctl.fd = -1;
	unlink(d->sock_path);
}
