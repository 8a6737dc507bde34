/* SPDX-License-Identifier: MIT */
/*
 * A growable byte buffer: a reply being built (foud's control and metrics
 * output), one being read (etcd's, fouctl -br's). Always NUL-terminated
 * once it holds anything, so text can be read as a string.
 */
#ifndef CMN_BUF_H
#define CMN_BUF_H

#include <stddef.h>

struct cmn_buf {
	char *p;		/* NULL until the first byte */
	size_t len;		/* bytes held, the NUL not counted */
	size_t cap;		/* bytes allocated */
	size_t max;		/* len + 1 may not pass it: 0, no bound */
};

/* Room for n more bytes and a NUL: 0, -EMSGSIZE past max, or -ENOMEM. */
int cmn_buf_room(struct cmn_buf *b, size_t n);
/* Appends n bytes of p and a NUL after them: 0 or as cmn_buf_room. */
int cmn_buf_add(struct cmn_buf *b, const void *p, size_t n);
/* Frees the bytes; the bound stays. */
void cmn_buf_free(struct cmn_buf *b);

#endif
