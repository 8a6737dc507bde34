// SPDX-License-Identifier: MIT
/*
 * `link set NAME WORDS` (and iproute2's `link change`): the words of
 * `link add` that change a live link. fouctl checks each is a link word;
 * foud, which knows the link's kind, merges them into its configuration
 * (cmd_link_merge) and parses the result as a `link add` would be, so
 * a changed link is checked exactly as a new one.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd_int.h"
#include "save.h"

#define SET_WORDS_MAX	128

/* Words that name what a link is, not how it works. */
static int set_fixed(struct pctx *p, const char *w)
{
	if (strcmp(w, "name") && strcmp(w, "type"))
		return 0;
	return cmd_perr(p, "\"%s\" cannot be changed in place: delete the link and add it again",
			w);
}

/* Walks the words past their values; the kind's own check is foud's. */
static int set_words(struct pctx *p)
{
	const struct kw *k;
	const char *w;

	if (p->i >= p->argc)
		return cmd_perr(p, "nothing to change: give the words to set");
	p->cmd->set_argv = p->argv + p->i;
	p->cmd->set_argc = p->argc - p->i;
	while (p->i < p->argc) {
		w = p->argv[p->i++];
		if (set_fixed(p, w))
			return -EINVAL;
		k = cmd_link_kw_any(w);
		if (!k)
			return cmd_perr(p, "\"%s\" is not a keyword of \"link set\"", w);
		if (p->argc - p->i < k->nval)
			return cmd_perr(p, "\"%s\" needs %s", w,
					k->nval > 1 ? "two values" : "a value");
		p->i += k->nval;
	}
	return 0;
}

/* `NAME`, `dev NAME` or `name NAME`, then the words. */
int cmd_link_set(struct pctx *p)
{
	const char *w;

	if (p->i >= p->argc)
		return cmd_perr(p, "\"NAME\" is missing: expected a link name");
	w = p->argv[p->i++];
	if ((!strcmp(w, "dev") || !strcmp(w, "name")) && p->i < p->argc)
		w = p->argv[p->i++];
	if (cmd_parse_name(w, p->cmd->name))
		return cmd_perr(p, "invalid value \"%s\" for \"NAME\": expected %s", w, EXP_NAME);
	return set_words(p);
}

/* The slots new words set, by the kind's table; an unknown word is named. */
static int set_slots(struct pctx *p, const struct fk_kind *k, uint32_t *slots)
{
	const struct cmd_link_syntax *s = k->syntax;
	const struct kw *kw;

	while (p->i < p->argc) {
		const char *w = p->argv[p->i++];

		if (set_fixed(p, w))
			return -EINVAL;
		kw = cmd_kw_find(s->kws, s->nkws, w, k);
		if (!kw && s->extra)
			kw = cmd_kw_find(s->extra, s->nextra, w, k);
		if (!kw)
			return cmd_perr(p, "\"%s\" is not a keyword of \"link set\" for type \"%s\"",
					w, k->name);
		*slots |= kw->slots;
		p->i += kw->nval;
	}
	return 0;
}

/* Keeps the old words (after "link add") whose settings the new ones leave alone. */
static int set_keep(const struct fk_kind *k, char **old, int nold, uint32_t slots,
		    char **out, int max)
{
	const struct cmd_link_syntax *s = k->syntax;
	const struct kw *kw;
	int i = 2, n = 2, nv;

	out[0] = old[0];
	out[1] = old[1];
	while (i < nold) {
		kw = cmd_kw_find(s->kws, s->nkws, old[i], k);
		if (!kw && s->extra)
			kw = cmd_kw_find(s->extra, s->nextra, old[i], k);
		nv = kw ? kw->nval : 0;
		if (!kw || !(kw->slots & slots)) {
			for (int j = 0; j <= nv && i + j < nold && n < max; j++)
				out[n++] = old[i + j];
		}
		i += 1 + nv;
	}
	return n;
}

int cmd_link_merge(const struct cmd_link_cfg *old, int argc, char *const argv[],
			struct cmd_link_cfg *out, char *err, size_t errlen)
{
	struct pctx p = { .argv = argv, .argc = argc, .where = "link set", .err = err,
			  .errlen = errlen };
	char line[CMD_SAVE_LINE], *words[SET_WORDS_MAX], *merged[SET_WORDS_MAX];
	const struct fk_kind *k = fk_of(old->l2.kind, old->tnl.kind);
	struct cmd_req cmd;
	uint32_t slots = 0;
	int nold, n, ret;

	if (!k || cmd_save_link(old, line, sizeof(line)) < 0)
		return cmd_perr(&p, "the link's configuration cannot be written");
	p.cmd = &cmd;
	ret = set_slots(&p, k, &slots);
	if (ret)
		return ret;
	nold = cmd_split(line, words, SET_WORDS_MAX);
	if (nold < 2)
		return cmd_perr(&p, "the link's configuration cannot be read");
	n = set_keep(k, words, nold, slots, merged, SET_WORDS_MAX);
	if (n + argc > SET_WORDS_MAX)
		return cmd_perr(&p, "too many words");
	memcpy(merged + n, argv, (size_t)argc * sizeof(*argv));
	ret = cmd_parse(n + argc, merged, &cmd, err, errlen);
	if (!ret)
		*out = cmd.link;
	return ret;
}
