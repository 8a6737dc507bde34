// SPDX-License-Identifier: MIT
/*
 * A `foud -c` file as apply_conf() reads it: line by line (at most 4095
 * bytes each, as fgets into its 4096-byte buffer), cmd_split, then
 * cmd_parse on each line's words. Every line is parsed, even after a
 * bad one, to reach more of the parser per input.
 */
#include "ctl.h"
#include "cmd.h"
#include "fuzz.h"

#define LINE 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *argv[CTL_MAX_ARGS];
	static struct cmd_req cmd;
	char err[512];
	size_t off = 0;

	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t n = nl ? (size_t)(nl - (data + off)) + 1 : size - off;
		char *line;
		int argc, i;

		if (n > LINE - 1)
			n = LINE - 1;
		/* A NUL inside a line ends it for the parser, as it would for fgets' caller. */
		line = malloc(n + 1);
		if (!line)
			abort();
		memcpy(line, data + off, n);
		line[n] = 0;
		off += n;
		argc = cmd_split(line, argv, CTL_MAX_ARGS);
		FUZZ_CHECK(argc <= CTL_MAX_ARGS);
		if (argc > 0) {
			for (i = 0; i < argc; i++)
				FUZZ_CHECK(argv[i] >= line && argv[i] < line + n + 1);
			err[0] = 0;
			if (cmd_parse(argc, argv, &cmd, err, sizeof(err)) != 0)
				FUZZ_CHECK(err[0] != 0 && memchr(err, 0, sizeof(err)));
		}
		free(line);
	}
	return 0;
}
