/* SPDX-License-Identifier: MIT */
/*
 * Shared by the libFuzzer targets in fuzz/: a checked copy of the input
 * (exactly sized on the heap, so that ASan sees one byte past the end) and
 * FUZZ_CHECK, which turns a broken invariant into a crash libFuzzer keeps.
 */
#ifndef FOUD_FUZZ_H
#define FOUD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fou/fou.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "%s:%d: invariant broken: %s\n",        \
				__FILE__, __LINE__, #cond);                     \
			abort();                                                \
		}                                                               \
	} while (0)

/* A heap copy of exactly n bytes (malloc(0) is avoided: 1 byte, n = 0). */
static inline uint8_t *fuzz_dup(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);

	if (!q)
		abort();
	if (n)
		memcpy(q, p, n);
	return q;
}

/* The packet a fou_buf describes lies within its storage. */
static inline void fuzz_buf_sane(const struct fou_buf *b)
{
	FUZZ_CHECK(b->off <= b->cap);
	FUZZ_CHECK(b->len <= b->cap - b->off);
}

/* A drop reason is a known one. */
static inline void fuzz_reason_ok(int ret)
{
	FUZZ_CHECK(ret <= 0 && -ret < FOU_DROP__MAX);
}

#endif /* FOUD_FUZZ_H */
