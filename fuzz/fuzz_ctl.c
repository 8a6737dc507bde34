// SPDX-License-Identifier: MIT
/*
 * The control socket as foud's ctl_serve() reads it: ctl_decode on a
 * whole request, then cmd_parse on the decoded words. A request that
 * decodes must encode back to the same bytes.
 */
#include <errno.h>

#include "ctl.h"
#include "cmd.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *argv[CTL_MAX_ARGS];
	static uint8_t re[CTL_HDR + CTL_MAX];
	static struct cmd_req cmd;
	char err[512];
	uint8_t *buf;
	uint32_t flags = 0;
	int argc, n, i;

	if (size > CTL_HDR + CTL_MAX)
		return 0;
	buf = fuzz_dup(data, size);
	argc = ctl_decode(buf, size, &flags, argv, CTL_MAX_ARGS);
	FUZZ_CHECK(argc >= 0 || argc == -EINVAL || argc == -E2BIG || argc == -EPROTO);
	if (argc >= 0) {
		FUZZ_CHECK(argc <= CTL_MAX_ARGS);
		for (i = 0; i < argc; i++)
			FUZZ_CHECK((uint8_t *)argv[i] >= buf + CTL_HDR &&
				   (uint8_t *)argv[i] < buf + size);
		n = ctl_encode(re, sizeof(re), flags, argc, argv);
		FUZZ_CHECK(n == (int)size && memcmp(re, data, size) == 0);
		err[0] = 0;
		if (cmd_parse(argc, argv, &cmd, err, sizeof(err)) != 0)
			FUZZ_CHECK(err[0] != 0 && memchr(err, 0, sizeof(err)));
	}
	free(buf);
	return 0;
}
