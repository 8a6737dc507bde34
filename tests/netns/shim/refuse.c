// SPDX-License-Identifier: MIT
/*
 * LD_PRELOAD shim for tests: makes foud's kernel refuse UDP offloads the way
 * older kernels and other paths do, which this machine's kernel never does
 * (since Linux 6.11 a device without checksum offload no longer fails UDP
 * GSO with EIO; it checksums in software).
 *
 *   FOUD_REFUSE=eio       every sendmsg carrying UDP_SEGMENT fails with EIO
 *                         (as before 6.11 on such a device, or through IPsec)
 *   FOUD_REFUSE=noproto   UDP_SEGMENT and UDP_GRO do not exist: getsockopt
 *                         and setsockopt fail with ENOPROTOOPT (before 4.18)
 *
 * Everything else goes straight to the system calls.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

ssize_t sendmsg(int fd, const struct msghdr *m, int flags);
int getsockopt(int fd, int level, int opt, void *v, socklen_t *len);
int setsockopt(int fd, int level, int opt, const void *v, socklen_t len);

static int mode(const char *want)
{
	const char *m = getenv("FOUD_REFUSE");

	return m && !strcmp(m, want);
}

static int has_segment(const struct msghdr *m)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR((struct msghdr *)m, c))
		if (c->cmsg_level == IPPROTO_UDP && c->cmsg_type == UDP_SEGMENT)
			return 1;
	return 0;
}

ssize_t sendmsg(int fd, const struct msghdr *m, int flags)
{
	if (mode("eio") && has_segment(m)) {
		errno = EIO;
		return -1;
	}
	return syscall(SYS_sendmsg, fd, m, flags);
}

static int udp_offload_opt(int level, int opt)
{
	return mode("noproto") && level == IPPROTO_UDP && (opt == UDP_SEGMENT || opt == UDP_GRO);
}

int getsockopt(int fd, int level, int opt, void *v, socklen_t *len)
{
	if (udp_offload_opt(level, opt)) {
		errno = ENOPROTOOPT;
		return -1;
	}
	return (int)syscall(SYS_getsockopt, fd, level, opt, v, len);
}

int setsockopt(int fd, int level, int opt, const void *v, socklen_t len)
{
	if (udp_offload_opt(level, opt)) {
		errno = ENOPROTOOPT;
		return -1;
	}
	return (int)syscall(SYS_setsockopt, fd, level, opt, v, len);
}
