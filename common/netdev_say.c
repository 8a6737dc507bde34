// SPDX-License-Identifier: MIT
/*
 * What fouctl import says about a .netdev file: "PATH:LINE: message", and
 * a required key that is missing. Below the reader (netdev.c) and the
 * emitters (netdev_emit.c), which both report through it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "netdev_int.h"

const char *const nd_sect_names[SEC__MAX] = {
	"NetDev", "Tunnel", "FooOverUDP", "VXLAN", "GENEVE",
};

void nd_say(struct nd_ctx *c, unsigned long line, const char *fmt, ...)
{
	va_list ap;

	if (line)
		fprintf(c->err, "%s:%lu: ", c->path, line);
	else
		fprintf(c->err, "%s: ", c->path);
	va_start(ap, fmt);
	vfprintf(c->err, fmt, ap);
	va_end(ap);
	fputc('\n', c->err);
}

int nd_missing(struct nd_ctx *c, enum nd_sect s, const char *key, const char *why)
{
	nd_say(c, 0, "[%s] %s= is missing (%s), file not applied", nd_sect_names[s], key, why);
	return -EINVAL;
}
