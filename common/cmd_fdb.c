// SPDX-License-Identifier: MIT
/*
 * `fdb add|append|del LLADDR dev NAME dst ADDR`, `fdb show [ dev NAME ]`.
 */
#include <string.h>

#include "cmd_int.h"

#define FDB_SLOTS(X) X(DS_DEV) X(DS_DST)
CMD_SLOTS(FDB_SLOTS);

static int fdb_dev(struct pctx *p, const char *v)
{
	return cmd_parse_name(v, p->cmd->fdb.dev);
}

static int fdb_dst(struct pctx *p, const char *v)
{
	return cmd_parse_addr(v, &p->cmd->fdb.dst);
}

static const struct kw fdb_kws[] = {
	{ "dev", DS_DEV, 1, 0, EXP_NAME, fdb_dev },
	{ "dst", DS_DST, 1, 0, EXP_ADDR, fdb_dst },
};

#define EXP_MAC "a MAC address like 02:00:5e:00:53:01"

static int fdb_mac(struct pctx *p, const char *v)
{
	return cmd_parse_mac(v, p->cmd->fdb.mac);
}

static const struct kw fdb_lladdr = { "LLADDR", 0, 1, 0, EXP_MAC, fdb_mac };

static bool mac_zero(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !memcmp(mac, zero, sizeof(zero));
}

static int fdb_finish(struct pctx *p, const char *mac)
{
	enum cmd_op op = p->cmd->op;
	const char *miss = cmd_kw_missing(p, fdb_kws, ARRAY_SIZE(fdb_kws),
					  op == CMD_OP_DEL ? DS_DEV : DS_DEV | DS_DST);

	if (miss)
		return cmd_perr(p, "\"%s\" is missing", miss);
	/* Linux appends to any entry; foud keeps lists only for flooding. */
	if (op == CMD_OP_APPEND && !mac_zero(p->cmd->fdb.mac))
		return cmd_perr(p, "\"%s\": append is only for the flood list 00:00:00:00:00:00",
				mac);
	return 0;
}

/* `LLADDR dev NAME dst ADDR`: the address first, as bridge(8) writes it. */
int cmd_fdb_entry(struct pctx *p)
{
	const char *mac = p->i < p->argc ? p->argv[p->i] : NULL;
	int ret;

	ret = cmd_kw_pos(p, &fdb_lladdr);
	if (!ret)
		ret = cmd_kw_run(p, fdb_kws, ARRAY_SIZE(fdb_kws));
	return ret ? ret : fdb_finish(p, mac);
}

/* `[ dev NAME ]`; fdb.dev stays "" for every device. */
int cmd_fdb_show(struct pctx *p)
{
	return cmd_kw_run(p, fdb_kws, 1);
}

