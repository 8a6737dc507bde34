// SPDX-License-Identifier: MIT
/*
 * The control-socket request codec. foud decodes what any local process
 * with access to the socket sends, so decode trusts nothing: every length
 * is checked against the buffer before a byte is read, and the words must
 * fill the payload exactly.
 */
#include <errno.h>
#include <string.h>

#include "ctl.h"

#define CTL_F_ALL (CTL_F_JSON | CTL_F_STATS | CTL_F_DETAILS | \
		   CTL_F_PRETTY)

struct ctl_hdr {
	uint32_t magic, flags, argc, bytes;
};

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Payload bytes of argv, or -E2BIG past CTL_MAX. */
static long ctl_words_len(int argc, char *const argv[])
{
	size_t total = 0;

	for (int i = 0; i < argc; i++) {
		if (!argv[i])
			return -EINVAL;
		total += strnlen(argv[i], CTL_MAX + 1) + 1;
		if (total > CTL_MAX)
			return -E2BIG;
	}
	return (long)total;
}

int ctl_encode(uint8_t *buf, size_t cap, uint32_t flags, int argc, char *const argv[])
{
	long bytes;
	size_t off = CTL_HDR;

	if (argc < 0 || (argc > 0 && !argv) || (flags & ~CTL_F_ALL))
		return -EINVAL;
	if (argc > CTL_MAX_ARGS)
		return -E2BIG;
	bytes = ctl_words_len(argc, argv);
	if (bytes < 0)
		return (int)bytes;
	if (!buf || cap < CTL_HDR + (size_t)bytes)
		return -E2BIG;
	put32(buf, CTL_MAGIC);
	put32(buf + 4, flags);
	put32(buf + 8, (uint32_t)argc);
	put32(buf + 12, (uint32_t)bytes);
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]) + 1;

		memcpy(buf + off, argv[i], n);
		off += n;
	}
	return (int)off;
}

static int ctl_hdr_get(const uint8_t *buf, size_t len, int max, struct ctl_hdr *h)
{
	if (!buf || len < CTL_HDR)
		return -EINVAL;
	h->magic = get32(buf);
	h->flags = get32(buf + 4);
	h->argc = get32(buf + 8);
	h->bytes = get32(buf + 12);
	if (h->magic == CTL_MAGIC_V1)
		return -EPROTO;
	if (h->magic != CTL_MAGIC || (h->flags & ~CTL_F_ALL))
		return -EINVAL;
	if (h->argc > CTL_MAX_ARGS || max < 0 || h->argc > (uint32_t)max ||
	    h->bytes > CTL_MAX)
		return -E2BIG;
	return 0;
}

static int ctl_hdr_check(const uint8_t *buf, size_t len, int max, struct ctl_hdr *h)
{
	int ret = ctl_hdr_get(buf, len, max, h);

	/* exactly one request: a short or long buffer is a framing error */
	if (!ret && len - CTL_HDR != h->bytes)
		return -EINVAL;
	return ret;
}

int ctl_request_len(const uint8_t *buf, size_t len)
{
	struct ctl_hdr h;
	int ret = ctl_hdr_get(buf, len, CTL_MAX_ARGS, &h);

	return ret ? ret : CTL_HDR + (int)h.bytes;
}

int ctl_decode(uint8_t *buf, size_t len, uint32_t *flags, char *argv[], int max)
{
	struct ctl_hdr h;
	size_t off = CTL_HDR;
	int ret = ctl_hdr_check(buf, len, max, &h);

	for (uint32_t i = 0; !ret && i < h.argc; i++) {
		const uint8_t *nul = memchr(buf + off, '\0', len - off);

		if (!nul) {
			ret = -EINVAL;
			break;
		}
		argv[i] = (char *)buf + off;
		off = (size_t)(nul - buf) + 1;
	}
	/* the words must fill the payload: no trailing bytes */
	if (!ret && off != len)
		ret = -EINVAL;
	if (!ret && flags)
		*flags = h.flags;
	if (!ret && (int)h.argc < max)
		argv[h.argc] = NULL;
	return ret ? ret : (int)h.argc;
}

void ctl_frame_put(uint8_t hdr[CTL_FRAME_HDR], uint32_t type, uint32_t len)
{
	put32(hdr, CTL_MAGIC);
	put32(hdr + 4, type);
	put32(hdr + 8, len);
}

int ctl_frame_get(const uint8_t hdr[CTL_FRAME_HDR], uint32_t *type, uint32_t *len)
{
	uint32_t magic = get32(hdr);

	*type = get32(hdr + 4);
	*len = get32(hdr + 8);
	if (magic == CTL_MAGIC_V1)
		return -EPROTO;
	if (magic != CTL_MAGIC)
		return -EBADMSG;
	if (*type == CTL_FR_OUT && *len <= CTL_CHUNK)
		return 0;
	if (*type == CTL_FR_END && *len >= 4 && *len <= 4 + CTL_MAX)
		return 0;
	return -EBADMSG;
}
