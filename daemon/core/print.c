/* SPDX-License-Identifier: MIT */
/*
 * One writer for every `show`, after iproute2's print_* helpers: each call
 * is one fact, written as its JSON member in JSON mode (-j) and through its
 * printf format in text mode. A show is thus written once; a fact that
 * text and JSON place apart is a call with a NULL format (JSON only) plus
 * a foud_pr_text (text only). JSON is streamed into the reply: keys and
 * strings encoded by jansson, numbers printed, commas placed here.
 */
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "foud.h"

#define PR_DEPTH_MAX	31	/* levels in p->more; shows nest five deep */

void foud_pr_init(struct foud_pr *p, struct foud_out *o, uint32_t flags)
{
	*p = (struct foud_pr){ .o = o, .flags = flags };
}

bool foud_pr_json(const struct foud_pr *p)
{
	return p->flags & CTL_F_JSON;
}

/* A copy of s with every byte outside ASCII made '?': valid UTF-8 whatever s holds. */
static json_t *jstr_ascii(const char *s)
{
	char *c = strdup(s);
	json_t *j;

	if (!c)
		return NULL;
	for (char *p = c; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(c);
	free(c);
	return j;
}

/*
 * Appends s as a JSON string, quotes and escapes by jansson. A device name
 * may hold any byte but '/', ':' and spaces; one that is not UTF-8 (which
 * JSON cannot carry) is shown with '?' for its non-ASCII bytes.
 */
static void pr_jstr(struct foud_out *o, const char *s)
{
	json_t *j = json_string(s);
	char *e;

	if (!j)
		j = jstr_ascii(s);
	e = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	if (e)
		foud_out_printf(o, "%s", e);
	else
		o->failed = true;
	free(e);
	json_decref(j);
}

/* JSON: the comma before all but a level's first member, then "key": in an object. */
static void pr_key(struct foud_pr *p, const char *key)
{
	uint32_t bit = 1u << p->depth;

	if (p->more & bit)
		foud_out_printf(p->o, ",");
	p->more |= bit;
	if (key) {
		pr_jstr(p->o, key);
		foud_out_printf(p->o, ":");
	}
}

static void pr_open(struct foud_pr *p, const char *key, const char *brace)
{
	if (!foud_pr_json(p))
		return;
	if (p->depth == PR_DEPTH_MAX) {
		p->o->failed = true;	/* no show nests this deep */
		return;
	}
	pr_key(p, key);
	foud_out_printf(p->o, "%s", brace);
	p->depth++;
	p->more &= ~(1u << p->depth);
}

/* A whole document ends with a newline, as `ip -j` ends its own. */
static void pr_close(struct foud_pr *p, const char *brace)
{
	if (!foud_pr_json(p) || !p->depth)
		return;
	p->depth--;
	foud_out_printf(p->o, "%s%s", brace, p->depth ? "" : "\n");
}

void foud_pr_open_object(struct foud_pr *p, const char *key)
{
	pr_open(p, key, "{");
}

void foud_pr_close_object(struct foud_pr *p)
{
	pr_close(p, "}");
}

void foud_pr_open_array(struct foud_pr *p, const char *key)
{
	pr_open(p, key, "[");
}

void foud_pr_close_array(struct foud_pr *p)
{
	pr_close(p, "]");
}

void foud_pr_text(struct foud_pr *p, const char *fmt, ...)
{
	va_list ap;

	if (foud_pr_json(p))
		return;
	va_start(ap, fmt);
	foud_out_vprintf(p->o, fmt, ap);
	va_end(ap);
}

void foud_pr_nl(struct foud_pr *p)
{
	foud_pr_text(p, "\n");
}

/* JSON: starts the member and says so; text: false, for the caller's format. */
static bool pr_member(struct foud_pr *p, const char *key)
{
	if (!foud_pr_json(p))
		return false;
	pr_key(p, key);
	return true;
}

void foud_pr_str(struct foud_pr *p, const char *key, const char *fmt, const char *v)
{
	if (pr_member(p, key))
		pr_jstr(p->o, v);
	else if (fmt)
		foud_out_printf(p->o, fmt, v);
}

void foud_pr_uint(struct foud_pr *p, const char *key, const char *fmt, unsigned int v)
{
	if (pr_member(p, key))
		foud_out_printf(p->o, "%u", v);
	else if (fmt)
		foud_out_printf(p->o, fmt, v);
}

void foud_pr_u64(struct foud_pr *p, const char *key, const char *fmt, uint64_t v)
{
	if (pr_member(p, key))
		foud_out_printf(p->o, "%llu", (unsigned long long)v);
	else if (fmt)
		foud_out_printf(p->o, fmt, (unsigned long long)v);
}

void foud_pr_s64(struct foud_pr *p, const char *key, const char *fmt, long long v)
{
	if (pr_member(p, key))
		foud_out_printf(p->o, "%lld", v);
	else if (fmt)
		foud_out_printf(p->o, fmt, v);
}

void foud_pr_bool(struct foud_pr *p, const char *key, const char *on, const char *off, bool v)
{
	const char *t = v ? on : off;

	if (pr_member(p, key))
		foud_out_printf(p->o, "%s", v ? "true" : "false");
	else if (t)
		foud_out_printf(p->o, "%s", t);
}

void foud_pr_null(struct foud_pr *p, const char *key, const char *fmt)
{
	if (pr_member(p, key))
		foud_out_printf(p->o, "null");
	else if (fmt)
		foud_out_printf(p->o, fmt, key);
}
