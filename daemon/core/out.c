/* SPDX-License-Identifier: MIT */
/* A reply's text, printf-style, in a growable buffer (common/buf.c). */
#include <stdarg.h>
#include <stdio.h>

#include "foud.h"

void foud_out_vprintf(struct foud_out *o, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	if (o->failed)
		return;
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0 || cmn_buf_room(&o->buf, (size_t)n)) {
		o->failed = true;
		return;
	}
	vsnprintf(o->buf.p + o->buf.len, o->buf.cap - o->buf.len, fmt, ap);
	o->buf.len += (size_t)n;
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
	cmn_buf_free(&o->buf);
}
