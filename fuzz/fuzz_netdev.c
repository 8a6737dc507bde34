// SPDX-License-Identifier: MIT
/*
 * A .netdev file as fouctl import reads it (netdev_read). Either the file
 * is refused and no command is left, or the command is one foud's parser
 * accepts and fits its buffer; and something is always said on a refusal.
 */
#include <errno.h>

#include "netdev.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct netdev_file nf;
	char msgs[4096];
	FILE *in, *err;
	int ret;

	if (!size)
		return 0;
	in = fmemopen((void *)data, size, "r");
	err = fmemopen(msgs, sizeof(msgs), "w");
	if (!in || !err)
		abort();
	memset(msgs, 0, sizeof(msgs));
	ret = netdev_read(in, "f.netdev", &nf, err);
	fclose(err);
	fclose(in);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL);
	FUZZ_CHECK(memchr(nf.cmd, 0, sizeof(nf.cmd)));
	if (ret)
		FUZZ_CHECK(!nf.cmd[0] && msgs[0]);
	else
		FUZZ_CHECK(nf.cmd[0]);
	return 0;
}
