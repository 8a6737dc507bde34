/* SPDX-License-Identifier: MIT */
/* A growable reply buffer. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foud.h"

#define OUT_MAX (16u << 20)	/* fouctl reads at most this much */

static bool out_grow(struct foud_out *o, size_t need)
{
	size_t cap = o->cap ? o->cap : 4096;
	char *p;

	if (need <= o->cap)
		return true;	/* no realloc per call: under ASan each one copies */
	while (cap < need)
		cap *= 2;
	if (cap > OUT_MAX)
		return false;
	p = realloc(o->p, cap);
	if (!p)
		return false;
	o->p = p;
	o->cap = cap;
	return true;
}

void foud_out_printf(struct foud_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !out_grow(o, o->len + (size_t)n + 1)) {
		o->failed = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	o->len += (size_t)n;
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
void foud_out_jstr(struct foud_out *o, const char *s)
{
	json_t *j;
	size_t n;

	if (o->failed)
		return;
	j = json_string(s);
	if (!j)
		j = jstr_ascii(s);
	n = j ? json_dumpb(j, NULL, 0, JSON_ENCODE_ANY) : 0;
	if (!n || !out_grow(o, o->len + n + 1)) {
		o->failed = true;
		json_decref(j);
		return;
	}
	json_dumpb(j, o->p + o->len, n, JSON_ENCODE_ANY);
	o->len += n;
	o->p[o->len] = '\0';
	json_decref(j);
}

void foud_out_free(struct foud_out *o)
{
	free(o->p);
	o->p = NULL;
	o->len = o->cap = 0;
}
