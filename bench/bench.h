/* SPDX-License-Identifier: MIT */
/* What the bench's helpers (tunfwd.c, relay.c) share: namespaces by name, two threads until a signal. */
#ifndef BENCH_H
#define BENCH_H

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* NS is a path (/run/netns/NAME) or a name under /run/netns. */
static inline int bench_open_ns(const char *ns)
{
	char path[4096];

	if (strchr(ns, '/'))
		snprintf(path, sizeof(path), "%s", ns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", ns);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/*
 * Runs fn(a) and fn(b) in two threads, says "ready" on stdout, and returns
 * 0 at SIGINT or SIGTERM (taken by this thread only, with sigwait), -1 if
 * it cannot.
 */
static inline int bench_run2(const char *name, void *(*fn)(void *), void *a, void *b)
{
	pthread_t ta, tb;
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (pthread_create(&ta, NULL, fn, a) || pthread_create(&tb, NULL, fn, b)) {
		fprintf(stderr, "%s: cannot start threads\n", name);
		return -1;
	}
	printf("ready\n");
	fflush(stdout);
	return sigwait(&set, &sig) ? -1 : 0;
}

#endif
