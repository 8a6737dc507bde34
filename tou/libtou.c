// SPDX-License-Identifier: MIT
/*
 * libtou: the per-socket opt-in of transports over UDP, for programs that
 * cannot be changed. Preloaded (LD_PRELOAD=libtou.so, or tou-run CMD), it
 * puts a firewall mark on every TCP socket the program creates; foud's policy
 * rule sends marked traffic to its TOU peers through tou0. This stands in
 * for the draft's socket option: the kernel patches that would read it never
 * merged. The mark is $TOU_MARK (decimal or 0x hexadecimal), 0x746f75 ("tou")
 * by default, as foud's rule expects. SO_MARK needs CAP_NET_ADMIN (or
 * CAP_NET_RAW); without it the socket is left unmarked (and goes the normal
 * way), and libtou says so once on stderr, if stderr is a terminal or a
 * file: a program may have closed fd 2 (the new socket may be fd 2 then) or
 * made it something of its own, and a write there would corrupt its stream
 * or kill it by SIGPIPE.
 */
#include <dlfcn.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define TOU_MARK_DEFAULT 0x746f75u

typedef int (*socket_fn)(int, int, int);

static unsigned int tou_mark(void)
{
	const char *s = getenv("TOU_MARK");
	unsigned long v;
	char *end;

	if (!s || !*s)
		return TOU_MARK_DEFAULT;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v == 0 || v > 0xffffffffu)
		return TOU_MARK_DEFAULT;
	return (unsigned int)v;
}

/*
 * Says why fd goes unmarked, on fd 2 only when it is a terminal or a regular
 * file that is not fd itself: nothing else can be trusted to be the
 * program's stderr. No stdio: its stderr may be the program's to lock.
 */
static void tou_warn(int fd, int err)
{
	char msg[128];
	struct stat st;
	int n;

	if (fd == 2 || fstat(2, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISREG(st.st_mode)))
		return;
	n = snprintf(msg, sizeof(msg), "libtou: SO_MARK: %s (this socket goes the normal way)\n",
		     strerror(err));
	if (n > 0 && write(2, msg, (size_t)n) < 0)
		return;		/* nothing more to be done about it */
}

static int is_tcp(int domain, int type, int protocol)
{
	return (domain == AF_INET || domain == AF_INET6) &&
	       (type & 0xf) == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP);
}

int socket(int domain, int type, int protocol)
{
	static socket_fn real;
	static int warned;
	unsigned int mark;
	int fd, saved;

	if (!real)
		real = (socket_fn)dlsym(RTLD_NEXT, "socket");
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	fd = real(domain, type, protocol);
	if (fd < 0 || !is_tcp(domain, type, protocol))
		return fd;
	saved = errno;
	mark = tou_mark();
	if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0 && !warned) {
		warned = 1;
		tou_warn(fd, errno);
	}
	errno = saved;
	return fd;
}
