// SPDX-License-Identifier: MIT
/*
 * `metrics listen { ADDR:PORT | [ADDR6]:PORT | unix:PATH }`: where foud
 * serves its Prometheus metrics (daemon/observe/metrics.c). Also foud --metrics.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/un.h>

#include "cmd_int.h"

static int metrics_unix(const char *path, struct cmd_metrics_cfg *c)
{
	struct sockaddr_un *un = (struct sockaddr_un *)&c->addr;
	size_t n = strlen(path);

	if (!n || n >= sizeof(un->sun_path))
		return -EINVAL;
	un->sun_family = AF_UNIX;
	memcpy(un->sun_path, path, n + 1);
	c->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	return 0;
}

/* host is the address without brackets, port the digits after the colon. */
static int metrics_inet(const char *host, const char *port, struct cmd_metrics_cfg *c)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&c->addr;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&c->addr;
	uint16_t p;

	if (cmd_parse_u16(port, 1, &p))
		return -EINVAL;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(p);
		c->len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(p);
		c->len = sizeof(*s6);
		return 0;
	}
	return -EINVAL;
}

int cmd_metrics_addr(const char *s, struct cmd_metrics_cfg *c)
{
	char host[INET6_ADDRSTRLEN + 2];
	bool bracket = s[0] == '[';
	const char *colon;
	size_t n;

	memset(c, 0, sizeof(*c));
	if (strlen(s) >= sizeof(c->spec))
		return -EINVAL;
	strcpy(c->spec, s);
	if (!strncmp(s, "unix:", 5))
		return metrics_unix(s + 5, c);
	colon = strrchr(s, ':');
	if (!colon)
		return -EINVAL;
	n = (size_t)(colon - s);
	/* [ADDR6]:PORT; a bare IPv6 address would leave the port ambiguous. */
	if (bracket) {
		if (n < 2 || s[n - 1] != ']')
			return -EINVAL;
		s++;
		n -= 2;
	}
	if (n >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, n);
	host[n] = '\0';
	if (!bracket && strchr(host, ':'))
		return -EINVAL;
	return metrics_inet(host, colon + 1, c);
}

int cmd_metrics_listen(struct pctx *p)
{
	const char *w;

	if (p->i >= p->argc)
		return cmd_perr(p, "\"ADDR:PORT\" is missing after \"metrics listen\"");
	w = p->argv[p->i++];
	if (cmd_metrics_addr(w, &p->cmd->metrics))
		return cmd_perr(p, "\"%s\" is not ADDR:PORT, [ADDR6]:PORT or unix:PATH", w);
	return cmd_no_args(p);
}
