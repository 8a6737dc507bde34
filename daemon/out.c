/* SPDX-License-Identifier: MIT */
/* A growable reply buffer. */
#include <stdio.h>
#include <stdlib.h>

#include "foud.h"

#define OUT_MAX (16u << 20)	/* fouctl reads at most this much */

static bool out_grow(struct foud_out *o, size_t need)
{
	size_t cap = o->cap ? o->cap : 4096;
	char *p;

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

void foud_out_free(struct foud_out *o)
{
	free(o->p);
	o->p = NULL;
	o->len = o->cap = 0;
}
