/* SPDX-License-Identifier: MIT */
/* A growable reply buffer. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foud.h"

static bool out_grow(struct foud_out *o, size_t need)
{
	size_t cap = o->cap ? o->cap : 4096;
	char *p;

	if (need <= o->cap)
		return true;	/* no realloc per call: under ASan each one copies */
	/* no cap: replies go out in frames, of any size (common/ctl.h) */
	while (cap < need && cap <= SIZE_MAX / 2)
		cap *= 2;
	if (cap < need)
		return false;
	p = realloc(o->p, cap);
	if (!p)
		return false;
	o->p = p;
	o->cap = cap;
	return true;
}

void foud_out_vprintf(struct foud_out *o, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	if (o->failed)
		return;
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || !out_grow(o, o->len + (size_t)n + 1)) {
		o->failed = true;
		return;
	}
	vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	o->len += (size_t)n;
}

void foud_out_printf(struct foud_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	foud_out_vprintf(o, fmt, ap);
	va_end(ap);
}

void foud_out_free(struct foud_out *o)
{
	free(o->p);
	o->p = NULL;
	o->len = o->cap = 0;
}
