// SPDX-License-Identifier: MIT
/*
 * rr: TCP request-response (ping-pong) for the bench's IPv6 rows, where
 * sockperf 3.7 (Debian 12) takes no IPv6 address. Like `sockperf ping-pong
 * --tcp --full-rtt`: one connection, TCP_NODELAY, a SIZE-byte message
 * (sockperf's 14 by default) sent and the same size read back, one at a
 * time, for SECONDS; the full round trips' percentiles.
 *
 *   rr server PORT                      echoes, one connection at a time, on [::]:PORT
 *   rr client ADDR PORT SECONDS [SIZE]
 *
 * The client prints one line:
 *   rr: round-trips N seconds S tps T p50_us A p99_us B avg_us C
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MSG_MAX	65536

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Reads, or writes, exactly len bytes: 0, or -1 at EOF or an error. */
static int io_full(int fd, char *buf, size_t len, bool wr)
{
	ssize_t n;

	while (len) {
		n = wr ? write(fd, buf, len) : read(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/* Echoes whatever arrives until the client closes: the size is the client's. */
static void echo(int fd)
{
	char buf[MSG_MAX];
	ssize_t n;

	nodelay(fd);
	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && io_full(fd, buf, (size_t)n, true))
			break;
	close(fd);
}

static int server(const char *port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, zero = 0, c;

	sa.sin6_port = htons((uint16_t)atoi(port));
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)) || listen(s, 8)) {
		perror("rr: server");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		c = accept4(s, NULL, NULL, SOCK_CLOEXEC);
		if (c >= 0)
			echo(c);
		else if (errno != EINTR && errno != ECONNABORTED)
			return 1;
	}
}

static int dial(const char *addr, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST }, *ai;
	int s = -1, ret;

	ret = getaddrinfo(addr, port, &hints, &ai);
	if (ret) {
		fprintf(stderr, "rr: %s: %s\n", addr, gai_strerror(ret));
		return -1;
	}
	s = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s >= 0 && connect(s, ai->ai_addr, ai->ai_addrlen)) {
		close(s);
		s = -1;
	}
	if (s < 0)
		perror("rr: connect");
	freeaddrinfo(ai);
	return s;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The q-th percentile of n sorted samples, nearest rank, in microseconds. */
static double pct_us(const uint32_t *v, size_t n, double q)
{
	size_t i = (size_t)(q / 100.0 * (double)n);

	return v[i < n ? i : n - 1] / 1000.0;
}

static int report(uint32_t *rtt, size_t n, uint64_t ns)
{
	double sum = 0, secs = (double)ns / 1e9;

	if (!n) {
		fprintf(stderr, "rr: no round trip\n");
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		sum += rtt[i];
	qsort(rtt, n, sizeof(*rtt), cmp_u32);
	printf("rr: round-trips %zu seconds %.3f tps %.0f p50_us %.3f p99_us %.3f avg_us %.3f\n",
	       n, secs, (double)n / secs, pct_us(rtt, n, 50), pct_us(rtt, n, 99), sum / (double)n / 1000.0);
	return 0;
}

struct samples {
	uint32_t *v;
	size_t n, cap;
};

/* Appends one RTT (ns, at most UINT32_MAX): 0, or -1 out of memory. */
static int push(struct samples *s, uint64_t ns)
{
	uint32_t *more;

	if (s->n == s->cap) {
		more = realloc(s->v, (s->cap ? s->cap * 2 : 1 << 16) * sizeof(*s->v));
		if (!more)
			return -1;
		s->v = more;
		s->cap = s->cap ? s->cap * 2 : 1 << 16;
	}
	s->v[s->n++] = (uint32_t)(ns < UINT32_MAX ? ns : UINT32_MAX);
	return 0;
}

/* Round trips until secs have passed. */
static int ping_pong(int fd, size_t size, unsigned int secs)
{
	static char buf[MSG_MAX];
	uint64_t t0 = now_ns(), end = t0 + secs * 1000000000ull, a, b = t0;
	struct samples s = { 0 };
	int ret = 1;

	while (b < end) {
		a = now_ns();
		if (io_full(fd, buf, size, true) || io_full(fd, buf, size, false))
			break;
		b = now_ns();
		if (push(&s, b - a))
			break;
	}
	if (b < end)
		fprintf(stderr, "rr: stopped after %zu round trips: %s\n", s.n, strerror(errno));
	else
		ret = report(s.v, s.n, b - t0);
	free(s.v);
	return ret;
}

static int client(const char *addr, const char *port, const char *secs, const char *size)
{
	long sz = size ? atol(size) : 14;
	int s, ret;

	if (sz < 1 || sz > MSG_MAX || atoi(secs) < 1) {
		fprintf(stderr, "rr: bad size or seconds\n");
		return 2;
	}
	s = dial(addr, port);
	if (s < 0)
		return 1;
	nodelay(s);
	ret = ping_pong(s, (size_t)sz, (unsigned int)atoi(secs));
	close(s);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		return server(argv[2]);
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "client"))
		return client(argv[2], argv[3], argv[4], argc == 6 ? argv[5] : NULL);
	fprintf(stderr, "usage: rr server PORT | rr client ADDR PORT SECONDS [SIZE]\n");
	return 2;
}
