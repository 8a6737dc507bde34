// SPDX-License-Identifier: MIT
/*
 * `fou add|del port PORT ...`: the receive side, as iproute2's `ip fou`.
 * The static helpers are port_*: fou_* is libfou's prefix.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <sys/socket.h>

#include "cmd_int.h"

/* Names that work without /etc/protocols, which minimal images lack. */
static const struct name_val protos[] = {
	{ "ipip", 4 },
	{ "ipencap", 4 },
	{ "ipv6", 41 },
	{ "gre", 47 },
};

#define FOU_SLOTS(X)                                                               \
	X(FS_PORT) X(FS_IPPROTO) X(FS_GUE) X(FS_LOCAL) X(FS_PEER) X(FS_PEER_PORT)  \
	X(FS_V6)
CMD_SLOTS(FOU_SLOTS);

static int port_port(struct pctx *p, const char *v)
{
	return cmd_parse_u16(v, 1, &p->cmd->port.port);
}

static int port_ipproto(struct pctx *p, const char *v)
{
	struct protoent *pe;
	int proto = cmd_nv_find(protos, ARRAY_SIZE(protos), v);

	if (proto < 0 && isdigit((unsigned char)v[0])) {
		uint8_t u;

		proto = cmd_parse_u8(v, 10, &u) ? -EINVAL : u;
	} else if (proto < 0) {
		pe = getprotobyname(v);
		proto = pe ? pe->p_proto : -EINVAL;
	}
	/* What the receive side can demultiplex; any other number would be dropped. */
	if (proto != FOU_PROTO_IPIP && proto != FOU_PROTO_IPV6 && proto != FOU_PROTO_GRE)
		return -EINVAL;
	p->cmd->port.type = FOU_ENCAP_FOU;
	p->cmd->port.ipproto = (uint8_t)proto;
	return 0;
}

static int port_gue(struct pctx *p, const char *v)
{
	(void)v;
	p->cmd->port.type = FOU_ENCAP_GUE;
	return 0;
}

static int port_local(struct pctx *p, const char *v)
{
	return cmd_parse_addr(v, &p->cmd->port.local);
}

static int port_peer(struct pctx *p, const char *v)
{
	return cmd_parse_addr(v, &p->cmd->port.peer);
}

static int port_peer_port(struct pctx *p, const char *v)
{
	return cmd_parse_u16(v, 1, &p->cmd->port.peer_port);
}

static int port_v6(struct pctx *p, const char *v)
{
	(void)v;
	p->cmd->port.family = AF_INET6;
	return 0;
}

static const struct kw port_kws[] = {
	{ "port", FS_PORT, true, 0, EXP_PORT, port_port },
	{ "ipproto", FS_IPPROTO, true, 0,
	  "4 (ipip), 41 (ipv6) or 47 (gre); use \"gue\" for TOU", port_ipproto },
	{ "gue", FS_GUE, false, 0, "", port_gue },
	{ "local", FS_LOCAL, true, 0, EXP_ADDR, port_local },
	{ "peer", FS_PEER, true, 0, EXP_ADDR, port_peer },
	{ "peer_port", FS_PEER_PORT, true, 0, EXP_PORT, port_peer_port },
	{ "-6", FS_V6, false, 0, "", port_v6 },
};

static int port_addr_check(struct pctx *p, const char *word, const struct fou_addr *a)
{
	char buf[INET6_ADDRSTRLEN];
	int family = p->cmd->port.family;

	if (!a->family || a->family == family)
		return 0;
	inet_ntop(a->family, a->a, buf, sizeof(buf));
	return cmd_perr(p, "\"%s\" address \"%s\" is %s but the port is %s%s", word, buf,
			cmd_family_name(a->family), cmd_family_name(family),
			family == AF_INET ? " (add -6)" : " (-6)");
}

static int port_finish(struct pctx *p)
{
	const char *miss = cmd_kw_missing(p, port_kws, ARRAY_SIZE(port_kws), FS_PORT);
	bool adding = p->cmd->op == CMD_OP_ADD;

	if (miss)
		return cmd_perr(p, "\"%s\" is missing", miss);
	if ((p->seen & FS_IPPROTO) && (p->seen & FS_GUE))
		return cmd_perr(p, "\"gue\" conflicts with \"ipproto\": give one of them");
	if (adding && !(p->seen & (FS_IPPROTO | FS_GUE)))
		return cmd_perr(p, "\"ipproto\" or \"gue\" is missing");
	if ((p->seen & FS_PEER) && !(p->seen & FS_PEER_PORT))
		return cmd_perr(p, "\"peer_port\" is missing (\"peer\" needs it)");
	if (!(p->seen & FS_PEER) && (p->seen & FS_PEER_PORT))
		return cmd_perr(p, "\"peer\" is missing (\"peer_port\" needs it)");
	if (port_addr_check(p, "local", &p->cmd->port.local))
		return -EINVAL;
	return port_addr_check(p, "peer", &p->cmd->port.peer);
}

int cmd_fou_addel(struct pctx *p)
{
	int ret;

	p->cmd->port.family = AF_INET;
	/* del without ipproto/gue matches either; NONE says "not given" */
	p->cmd->port.type = FOU_ENCAP_NONE;
	ret = cmd_kw_run(p, port_kws, ARRAY_SIZE(port_kws));
	return ret ? ret : port_finish(p);
}

