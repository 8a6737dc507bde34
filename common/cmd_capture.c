// SPDX-License-Identifier: MIT
/*
 * `capture DEV [ inner | outer ] [ -c COUNT ] [ -w FILE | - ]`: the device
 * comes first, as in tcpdump -i DEV. -w is fouctl's (where it writes the
 * pcap foud sends through a pipe); foud sees it and ignores it.
 */
#include <errno.h>

#include <string.h>

#include "cmd_int.h"

#define CAPTURE_SLOTS(X) X(CS_SIDE) X(CS_COUNT) X(CS_FILE)
CMD_SLOTS(CAPTURE_SLOTS);

/* inner or outer: the word itself says which. */
static int cap_side(struct pctx *p, const char *v)
{
	(void)v;
	p->cmd->capture.outer = !strcmp(p->argv[p->i - 1], "outer");
	return 0;
}

static int cap_count(struct pctx *p, const char *v)
{
	int ret = cmd_parse_u64(v, &p->cmd->capture.count);

	return ret ? ret : p->cmd->capture.count ? 0 : -EINVAL;
}

static int cap_file(struct pctx *p, const char *v)
{
	p->cmd->capture.file = v;
	return 0;
}

static const struct kw cap_kws[] = {
	{ "inner", CS_SIDE, 0, 0, "", cap_side },
	{ "outer", CS_SIDE, 0, 0, "", cap_side },
	{ "-c", CS_COUNT, 1, 0, "a number 1 or more", cap_count },
	{ "-w", CS_FILE, 1, 0, "a file name or -", cap_file },
};

int cmd_capture(struct pctx *p)
{
	const char *dev;

	p->cmd->capture.fd = -1;
	if (p->i >= p->argc)
		return cmd_perr(p, "\"DEV\" is missing after \"capture\"");
	dev = p->argv[p->i++];
	if (cmd_parse_name(dev, p->cmd->name))
		return cmd_perr(p, "invalid value \"%s\" for \"DEV\": expected " EXP_NAME, dev);
	return cmd_kw_run(p, cap_kws, ARRAY_SIZE(cap_kws));
}
