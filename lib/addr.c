// SPDX-License-Identifier: MIT
/* Tunnel endpoint addresses: compare, parse, format. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "fou/fou.h"

bool fou_addr_eq(const struct fou_addr *x, const struct fou_addr *y)
{
	if (x->family != y->family)
		return false;
	if (x->family == 0)
		return true;
	/* Constant lengths: compiled to one or two compares, not a call (per packet). */
	if (x->family == AF_INET6)
		return memcmp(x->a, y->a, 16) == 0;
	return memcmp(x->a, y->a, 4) == 0;
}

int fou_addr_parse(const char *s, struct fou_addr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->a) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->a) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	memset(out, 0, sizeof(*out));
	return -EINVAL;
}

int fou_addr_cmp(const void *x, const void *y)
{
	const struct fou_addr *a = x, *b = y;
	int c = (a->family > b->family) - (a->family < b->family);

	return c ? c : memcmp(a->a, b->a, a->family == AF_INET6 ? 16 : 4);
}

const char *fou_addr_str(const struct fou_addr *a, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	buf[0] = '\0';
	if (a->family == AF_INET || a->family == AF_INET6) {
		if (!inet_ntop(a->family, a->a, buf, (socklen_t)len))
			buf[0] = '\0';
	} else {
		strncpy(buf, "any", len - 1);
		buf[len - 1] = '\0';
	}
	return buf;
}
