/* SPDX-License-Identifier: MIT */
/* The event loop: one thread, epoll, every readable descriptor drained in batches. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <syslog.h>

#include "foud.h"

int foud_loop_add(struct foud *d, struct foud_ev *ev)
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = ev };

	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, ev->fd, &e) < 0)
		return -errno;
	return 0;
}

int foud_loop_set(struct foud *d, struct foud_ev *ev, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = ev };

	if (epoll_ctl(d->epfd, EPOLL_CTL_MOD, ev->fd, &e) < 0)
		return -errno;
	return 0;
}

void foud_loop_del(struct foud *d, struct foud_ev *ev)
{
	if (ev->fd >= 0)
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, ev->fd, NULL);
}

static uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t foud_now_ms(void)
{
	return loop_now_ms();
}

int foud_timer_add(struct foud *d, unsigned int period_ms, void (*fn)(struct foud *d, void *arg),
		   void *arg)
{
	struct foud_timer *x;

	for (x = d->timers; x < d->timers + FOUD_TIMERS; x++) {
		if (x->fn)
			continue;
		x->fn = fn;
		x->arg = arg;
		x->period_ms = period_ms;
		x->due = loop_now_ms() + period_ms;
		return 0;
	}
	return -ENOSPC;
}

void foud_timer_del(struct foud *d, void (*fn)(struct foud *d, void *arg), void *arg)
{
	struct foud_timer *x;

	for (x = d->timers; x < d->timers + FOUD_TIMERS; x++)
		if (x->fn == fn && x->arg == arg)
			x->fn = NULL;
}

/* Calls the timers that are due; returns how long epoll may wait for the next. */
static int loop_timers(struct foud *d)
{
	uint64_t now = loop_now_ms(), wait = 1000;
	struct foud_timer *x;

	for (x = d->timers; x < d->timers + FOUD_TIMERS; x++) {
		if (!x->fn)
			continue;
		if (now >= x->due) {
			x->due = now + x->period_ms;
			x->fn(d, x->arg);	/* may delete a timer, x included */
		}
		if (x->fn && x->due - now < wait)
			wait = x->due - now;
	}
	return (int)wait;
}

int foud_loop_run(struct foud *d)
{
	struct epoll_event evs[32];
	int i, n;

	while (!d->stop) {
		if (d->hup) {
			d->hup = 0;
			if (d->on_hup)
				d->on_hup(d);
		}
		n = epoll_wait(d->epfd, evs, 32, loop_timers(d));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			foud_log(LOG_ERR, "epoll_wait: %s", strerror(errno));
			return -errno;
		}
		for (i = 0; i < n; i++) {
			struct foud_ev *ev = evs[i].data.ptr;

			ev->fn(d, ev);
		}
	}
	return 0;
}

int foud_batch_init(struct foud_batch *b)
{
	int i;

	b->mem = malloc((size_t)FOUD_BATCH * FOUD_BUF_SIZE);
	if (!b->mem)
		return -ENOMEM;
	for (i = 0; i < FOUD_BATCH; i++) {
		b->buf[i].head = b->mem + (size_t)i * FOUD_BUF_SIZE;
		b->buf[i].cap = FOUD_BUF_SIZE;
	}
	foud_batch_reset(b, FOUD_HEADROOM);
	return 0;
}

/* Whether p is in one of b's buffers. */
bool foud_batch_holds(const struct foud_batch *b, const void *p)
{
	const uint8_t *q = p;

	return b->mem && q >= b->mem && q < b->mem + (size_t)FOUD_BATCH * FOUD_BUF_SIZE;
}

void foud_batch_reset(struct foud_batch *b, size_t headroom)
{
	int i;

	for (i = 0; i < FOUD_BATCH; i++) {
		b->buf[i].off = headroom;
		b->buf[i].len = 0;
	}
}

void foud_batch_free(struct foud_batch *b)
{
	free(b->mem);
	b->mem = NULL;
}
