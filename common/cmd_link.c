// SPDX-License-Identifier: MIT
/*
 * `link add|del|show`: the words every kind takes (name, type, mtu,
 * datapath), and the loop that finds the kind and runs its words
 * (its row in kinds.def points to them: cmd_link_l3.c, cmd_link_l2.c).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd_int.h"

int cmd_link_name(struct pctx *p, const char *v)
{
	return cmd_parse_name(v, p->cmd->link.name);
}

/* The kind was found before the loop (link_prescan); this checks and keeps it. */
int cmd_link_type(struct pctx *p, const char *v)
{
	const struct fk_kind *k = fk_by_name(v);

	if (!k || (p->lk && k != p->lk)) {
		fk_names(p->expect_buf, sizeof(p->expect_buf));	/* the message's "expected" */
		return -EINVAL;
	}
	p->lk = k;
	/* gretap and nvgre settle theirs at the end; the UDP kinds have none */
	tnl(p)->kind = k->tnl == FK_TNL_NONE ? 0 : k->tnl;
	return 0;
}

int cmd_link_mtu(struct pctx *p, const char *v)
{
	uint16_t mtu;

	if (cmd_parse_u16(v, 68, &mtu))
		return -EINVAL;
	p->cmd->link.mtu = mtu;
	return 0;
}

static const struct name_val datapaths[] = {
	{ "auto", CMD_DP_AUTO },
	{ "bpf", CMD_DP_BPF },
	{ "userspace", CMD_DP_USERSPACE },
};

int cmd_datapath_lookup(const char *name)
{
	return cmd_nv_find(datapaths, ARRAY_SIZE(datapaths), name);
}

const char *cmd_datapath_name(enum cmd_datapath dp)
{
	return cmd_nv_name(datapaths, ARRAY_SIZE(datapaths), (int)dp);
}

int cmd_link_datapath(struct pctx *p, const char *v)
{
	int dp = cmd_datapath_lookup(v);

	if (dp < 0)
		return dp;
	p->cmd->link.datapath = (enum cmd_datapath)dp;
	return 0;
}

/* A word of any kind's tables, for walking past values before the kind is known. */
const struct kw *cmd_link_kw_any(const char *w)
{
	for (size_t i = 0; i < fk_nkinds; i++) {
		const struct fk_kind *r = &fk_kinds[i];
		const struct cmd_link_syntax *s = r->syntax;
		const struct kw *k = cmd_kw_find(s->kws, s->nkws, w, r);

		if (!k && s->extra)
			k = cmd_kw_find(s->extra, s->nextra, w, r);
		if (k)
			return k;
	}
	return NULL;
}

/*
 * The kind decides which words exist, and "type" may come last: find it
 * first, skipping values (so "name type type vxlan" is a link named type).
 * NULL when there is none or it is unknown: the L3 table then says so.
 */
static const struct fk_kind *link_prescan(const struct pctx *p)
{
	for (int i = p->i; i < p->argc; i++) {
		const struct kw *k;

		if (!strcmp(p->argv[i], "type"))
			return i + 1 < p->argc ? fk_by_name(p->argv[i + 1]) : NULL;
		k = cmd_link_kw_any(p->argv[i]);
		if (k)
			i += k->nval;
	}
	return NULL;
}

static void l2_defaults(struct pctx *p, const struct fk_kind *k)
{
	struct cmd_l2_cfg *c = l2(p);

	c->kind = k->l2;
	c->dstport = k->dstport;
	c->learning = true;
	c->ageing = 300;
	c->udpcsum = true;
}

/*
 * iproute2's habits: `link add NAME ...` and `link add dev NAME ...`, the
 * name first without "name". Only the first word: after it, "dev" is
 * VXLAN's underlay device, and a word no kind knows is an error.
 */
static int link_add_lead(struct pctx *p)
{
	static const struct kw name = KW_NAME;
	const char *w;

	if (p->i >= p->argc)
		return 0;
	w = p->argv[p->i];
	if (!strcmp(w, "dev")) {
		p->i++;
		return cmd_kw_one(p, &name, w);
	}
	if (!strcmp(w, "type") || cmd_link_kw_any(w))
		return 0;
	return cmd_kw_one(p, &name, "name");	/* the value is w itself */
}

int cmd_link_add(struct pctx *p)
{
	const struct fk_kind *k = link_prescan(p);
	const struct cmd_link_syntax *s;
	int ret;

	p->lk = k;
	if (!k)
		k = &fk_kinds[0];	/* the L3 words; "type" reports itself */
	s = k->syntax;
	p->where = "link add";
	if (!fk_l3(k->l2)) {
		snprintf(p->where_buf, sizeof(p->where_buf), "link add type %s", k->name);
		p->where = p->where_buf;
		l2_defaults(p, k);
	}
	p->extra = s->extra;
	p->nextra = s->nextra;
	tnl(p)->pmtudisc = true;
	ret = link_add_lead(p);
	if (!ret)
		ret = cmd_kw_run(p, s->kws, s->nkws);
	if (!ret)
		ret = s->finish(p);
	/* also in cmd->name, where every link command keeps its target */
	if (!ret)
		memcpy(p->cmd->name, p->cmd->link.name, IFNAMSIZ);
	return ret;
}

/* ---- link del / show ------------------------------------------------------ */

/* `NAME`, `dev NAME` or `name NAME`; optional only for show. */
static int link_target(struct pctx *p, bool required)
{
	const char *kw, *w;

	if (p->i >= p->argc)
		return required ? cmd_perr(p, "\"NAME\" is missing: expected a link name") : 0;
	kw = w = p->argv[p->i++];
	if (!strcmp(w, "dev") || !strcmp(w, "name")) {
		if (p->i >= p->argc)
			return cmd_perr(p, "\"%s\" needs a value", w);
		w = p->argv[p->i++];
	}
	if (cmd_parse_name(w, p->cmd->name))
		return cmd_perr(p, "invalid value \"%s\" for \"%s\": expected %s", w,
				w == kw ? "NAME" : kw, EXP_NAME);
	if (p->i < p->argc)
		return cmd_perr(p, "\"%s\" is not a keyword of \"%s\"", p->argv[p->i], p->where);
	return 0;
}

int cmd_link_del(struct pctx *p)
{
	return link_target(p, true);
}

int cmd_link_show(struct pctx *p)
{
	return link_target(p, false);
}
