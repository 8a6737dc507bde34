// SPDX-License-Identifier: MIT
/*
 * tunfwd: the ceiling of any TUN-based tunnel. Opens one TUN device in each of
 * two network namespaces, with IFF_VNET_HDR and the same offloads foud asks
 * for (CSUM, TSO4, TSO6), and copies every packet, virtio header included,
 * from one to the other in two threads (one per direction). No encapsulation,
 * no segmentation: what is left is the cost of TUN itself.
 *
 *   tunfwd NETNS_A DEV_A NETNS_B DEV_B
 *
 * NETNS_x is a path (/run/netns/NAME) or a name under /run/netns. The devices
 * are created in those namespaces (the namespace a TUN fd is opened in is the
 * one its device lives in); "ready" goes to stdout once both exist. SIGINT or
 * SIGTERM ends it; the per-direction counters go to stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bench.h"

#define VNET_HDR_LEN 10
#define BUF_LEN (VNET_HDR_LEN + 65535)

struct dir {
	const char *name;
	int in, out;
	/* Updated by one thread, read once at exit: no locking needed for a report. */
	volatile uint64_t packets, bytes, gso, read_err, write_err;
};

/* Creates DEV inside namespace NS (entered, then left again). */
static int tun_in_ns(const char *ns, const char *dev, int home)
{
	struct ifreq ifr;
	int nsfd, fd, err;

	nsfd = bench_open_ns(ns);
	if (nsfd < 0) {
		fprintf(stderr, "tunfwd: %s: %s\n", ns, strerror(errno));
		return -1;
	}
	if (setns(nsfd, CLONE_NEWNET) < 0) {
		fprintf(stderr, "tunfwd: setns %s: %s\n", ns, strerror(errno));
		close(nsfd);
		return -1;
	}
	close(nsfd);
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	err = errno;
	if (setns(home, CLONE_NEWNET) < 0) {
		fprintf(stderr, "tunfwd: setns back: %s\n", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (fd < 0) {
		fprintf(stderr, "tunfwd: /dev/net/tun: %s\n", strerror(err));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "tunfwd: TUNSETIFF %s: %s\n", dev, strerror(errno));
		close(fd);
		return -1;
	}
	if (ioctl(fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) < 0) {
		fprintf(stderr, "tunfwd: TUNSETOFFLOAD %s: %s\n", dev, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void *pump(void *arg)
{
	struct dir *d = arg;
	unsigned char *buf = malloc(BUF_LEN);
	ssize_t n, w;

	if (!buf) {
		fprintf(stderr, "tunfwd: out of memory\n");
		exit(1);
	}
	for (;;) {
		n = read(d->in, buf, BUF_LEN);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			d->read_err++;
			if (errno == EBADFD || errno == EBADF)
				break;
			continue;
		}
		if (n <= VNET_HDR_LEN)
			continue;
		if (buf[1] != VIRTIO_NET_HDR_GSO_NONE)
			d->gso++;
		w = write(d->out, buf, (size_t)n);
		if (w < 0) {
			d->write_err++;
			continue;
		}
		d->packets++;
		d->bytes += (uint64_t)(n - VNET_HDR_LEN);
	}
	free(buf);
	return NULL;
}

static void report(const struct dir *d)
{
	fprintf(stderr, "tunfwd: %s: %llu packets (%llu GSO), %llu bytes, %llu read errors, %llu write errors\n",
		d->name, (unsigned long long)d->packets, (unsigned long long)d->gso,
		(unsigned long long)d->bytes, (unsigned long long)d->read_err,
		(unsigned long long)d->write_err);
}

int main(int argc, char **argv)
{
	struct dir ab = { .name = "a->b" }, ba = { .name = "b->a" };
	int home, fa, fb;

	if (argc != 5) {
		fprintf(stderr, "usage: tunfwd NETNS_A DEV_A NETNS_B DEV_B\n");
		return 2;
	}
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0) {
		perror("tunfwd: /proc/self/ns/net");
		return 1;
	}
	fa = tun_in_ns(argv[1], argv[2], home);
	if (fa < 0)
		return 1;
	fb = tun_in_ns(argv[3], argv[4], home);
	if (fb < 0)
		return 1;
	close(home);
	ab.in = fa, ab.out = fb;
	ba.in = fb, ba.out = fa;

	if (bench_run2("tunfwd", pump, &ab, &ba))
		return 1;
	report(&ab);
	report(&ba);
	return 0;
}
