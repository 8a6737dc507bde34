// SPDX-License-Identifier: MIT
/*
 * The grammar's lowest part: errors, the keyword loop every object runs
 * and the splitting of config and batch lines. It calls nothing of the
 * grammar above it; the objects (cmd_*.c), the descriptor (kinds.c) and
 * the dispatcher (cmd.c) call it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd_int.h"

/* ---- errors ---------------------------------------------------------------- */

int cmd_perr(struct pctx *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err && p->errlen) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* ---- the keyword loop ------------------------------------------------------ */

/* A table's word, or (NULL there) the identifier word of kind k's row. */
static const char *kw_word(const struct kw *kw, const struct fk_kind *k)
{
	return kw->word ? kw->word : k ? k->id_word : NULL;
}

const struct kw *cmd_kw_find(const struct kw *t, size_t n, const char *w,
			     const struct fk_kind *k)
{
	for (size_t i = 0; i < n; i++) {
		const char *word = kw_word(&t[i], k);

		if (word && !strcmp(word, w))
			return &t[i];
	}
	return NULL;
}

int cmd_kw_one(struct pctx *p, const struct kw *k, const char *w)
{
	const char *val = NULL;

	if (p->seen & k->slots)
		return cmd_perr(p, "duplicate \"%s\"", w);
	p->seen |= k->slots;
	if (p->argc - p->i < k->nval)
		return cmd_perr(p, "\"%s\" needs %s", w, k->nval > 1 ? "two values" : "a value");
	if (k->nval) {
		val = p->argv[p->i];
		p->i += k->nval;	/* a setter of two values finds the second at i - 1 */
	}
	if ((k->flags & KW_GRE) && !p->gre_word)
		p->gre_word = k->word;
	p->bad = NULL;
	if (k->set(p, val) < 0)
		return cmd_perr(p, "invalid value \"%s\" for \"%s\": expected %s",
				p->bad ? p->bad : val ? val : "", w,
				k->expect ? k->expect : p->expect_buf);
	return 0;
}

/* A positional word (k->word names it, "LLADDR"), which must be there. */
int cmd_kw_pos(struct pctx *p, const struct kw *k)
{
	if (p->i >= p->argc)
		return cmd_perr(p, "\"%s\" is missing: expected %s", k->word, k->expect);
	return cmd_kw_one(p, k, k->word);
}

int cmd_kw_run(struct pctx *p, const struct kw *t, size_t n)
{
	int ret = 0;

	while (!ret && p->i < p->argc) {
		const char *w = p->argv[p->i++];
		const struct kw *k = cmd_kw_find(t, n, w, p->lk);

		if (!k && p->extra)
			k = cmd_kw_find(p->extra, p->nextra, w, p->lk);
		if (!k)
			ret = cmd_perr(p, "\"%s\" is not a keyword of \"%s\"", w, p->where);
		else
			ret = cmd_kw_one(p, k, w);
	}
	return ret;
}

const char *cmd_kw_missing(const struct pctx *p, const struct kw *t, size_t n,
			   uint32_t required)
{
	for (size_t i = 0; i < n; i++)
		if ((t[i].slots & required) && !(p->seen & t[i].slots))
			return kw_word(&t[i], p->lk);
	return NULL;
}

int cmd_no_args(struct pctx *p)
{
	if (p->i < p->argc)
		return cmd_perr(p, "\"%s\" is not a keyword of \"%s\"", p->argv[p->i], p->where);
	return 0;
}

/* ---- splitting config and batch lines -------------------------------------- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Ends the word at s; returns where scanning goes on, or NULL at the end. */
static char *word_end(char *s)
{
	while (*s && *s != '#' && !is_blank(*s))
		s++;
	if (!*s || *s == '#') {
		*s = '\0';	/* a comment glued to a word ends the line */
		return NULL;
	}
	*s = '\0';
	return s + 1;
}

int cmd_split(char *line, char *argv[], int max)
{
	bool first = true;
	char *s = line;
	int n = 0;

	while (s && *s && *s != '#') {
		char *w = s;

		if (is_blank(*s)) {
			s++;
			continue;
		}
		s = word_end(s);
		if (first && !strcmp(w, "fouctl")) {
			first = false;
			continue;
		}
		first = false;
		if (n >= max)
			return -E2BIG;
		argv[n++] = w;
	}
	if (n < max)
		argv[n] = NULL;
	return n;
}
