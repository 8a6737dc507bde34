// SPDX-License-Identifier: MIT
/*
 * `tou add|del peer ADDR [ port PORT ] [ local ADDR ] [ key FILE [ key-next FILE ] ]`.
 */

#include "cmd_int.h"

enum {
	TS_PEER = 1u << 0,
	TS_PORT = 1u << 1,
	TS_LOCAL = 1u << 2,
	TS_KEY = 1u << 3,
	TS_KEYNEXT = 1u << 4,
};

static int tou_peer(struct pctx *p, const char *v)
{
	return cmd_parse_unicast(v, &p->cmd->tou.peer);
}

static int tou_port(struct pctx *p, const char *v)
{
	return cmd_parse_u16(v, 1, &p->cmd->tou.port);
}

static int tou_local(struct pctx *p, const char *v)
{
	return cmd_parse_unicast(v, &p->cmd->tou.local);
}

static int tou_key(struct pctx *p, const char *v)
{
	return cmd_parse_key_file(v, p->cmd->tou.key_file[0]);
}

static int tou_key_next(struct pctx *p, const char *v)
{
	return cmd_parse_key_file(v, p->cmd->tou.key_file[1]);
}

static const struct kw tou_kws[] = {
	{ "peer", TS_PEER, 1, 0, EXP_UADDR, tou_peer },
	{ "port", TS_PORT, 1, 0, EXP_PORT, tou_port },
	{ "local", TS_LOCAL, 1, 0, EXP_UADDR, tou_local },
	{ "key", TS_KEY, 1, 0, EXP_KEYFILE, tou_key },
	{ "key-next", TS_KEYNEXT, 1, 0, EXP_KEYFILE, tou_key_next },
};

/* add takes every word; del names the peer only. */
int cmd_tou_addel(struct pctx *p)
{
	const struct cmd_tou_cfg *c = &p->cmd->tou;
	size_t n = p->cmd->op == CMD_OP_ADD ? ARRAY_SIZE(tou_kws) : 1;
	int ret;

	p->cmd->tou.port = CMD_TOU_PORT;
	ret = cmd_kw_run(p, tou_kws, n);
	if (ret)
		return ret;
	if (!(p->seen & TS_PEER))
		return cmd_perr(p, "\"peer\" is missing");
	if ((p->seen & TS_KEYNEXT) && !(p->seen & TS_KEY))
		return cmd_perr(p, "\"key-next\" needs \"key\"");
	return cmd_same_family(p, "local", &c->local, "peer", &c->peer);
}

