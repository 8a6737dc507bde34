// SPDX-License-Identifier: MIT
/*
 * A growable byte buffer (buf.h). It doubles, so n appends cost O(log n)
 * reallocs: under ASan each realloc copies the whole buffer.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define CMN_BUF_FIRST	4096

int cmn_buf_room(struct cmn_buf *b, size_t n)
{
	size_t need = b->len + n + 1, cap = b->cap ? b->cap : CMN_BUF_FIRST;
	char *p;

	if (n > SIZE_MAX - b->len - 1)
		return b->max ? -EMSGSIZE : -ENOMEM;
	if (b->max && need > b->max)
		return -EMSGSIZE;
	if (need <= b->cap)
		return 0;
	while (cap < need && cap <= SIZE_MAX / 2)
		cap *= 2;
	if (cap < need)
		cap = need;
	p = realloc(b->p, cap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = cap;
	return 0;
}

int cmn_buf_add(struct cmn_buf *b, const void *p, size_t n)
{
	int ret = cmn_buf_room(b, n);

	if (ret)
		return ret;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

void cmn_buf_free(struct cmn_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
