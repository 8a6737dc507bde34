/* SPDX-License-Identifier: MIT */
/* Logging to stderr (foreground) or syslog, with rate-limited drop logs. */
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>

#include "foud.h"

static bool log_stderr = true;
static bool log_verbose;

/* calloc, or NULL with "out of memory" in err: a command's answer. */
void *foud_zalloc(size_t n, char *err, size_t errlen)
{
	void *p = calloc(1, n);

	if (!p)
		snprintf(err, errlen, "out of memory");
	return p;
}

void foud_log_init(bool foreground, bool verbose)
{
	log_stderr = foreground;
	log_verbose = verbose;
	if (!foreground)
		openlog("foud", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/*
 * One write(2) per line: stderr is unbuffered, and three writes let another
 * writer of the same file (the next foud of a restart, a test) come between
 * the message and its newline.
 */
static void log_line(const char *fmt, va_list ap)
{
	char line[1024];
	int n = snprintf(line, sizeof(line), "foud: ");

	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	fwrite(line, 1, (size_t)n, stderr);
}

void foud_log(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio == LOG_DEBUG && !log_verbose)
		return;
	va_start(ap, fmt);
	if (log_stderr)
		log_line(fmt, ap);
	else
		vsyslog(prio, fmt, ap);
	va_end(ap);
}

/*
 * A flood of bad packets must not become a flood of log lines: at most
 * DROP_BURST lines per reason per second, then a count of what was hidden.
 */
#define DROP_BURST 5

void foud_log_drop(const char *where, int reason, const struct fou_addr *src)
{
	static time_t window[FOU_DROP__MAX];
	static unsigned int used[FOU_DROP__MAX], hidden[FOU_DROP__MAX];
	char a[64];
	time_t now = time(NULL);

	if (reason <= 0 || reason >= FOU_DROP__MAX)
		return;
	if (window[reason] != now) {
		if (hidden[reason])
			foud_log(LOG_INFO, "%u more %s drops not logged", hidden[reason],
				 fou_drop_name(reason));
		window[reason] = now;
		used[reason] = hidden[reason] = 0;
	}
	if (used[reason] >= DROP_BURST) {
		hidden[reason]++;
		return;
	}
	used[reason]++;
	foud_log(LOG_INFO, "%s: dropped packet from %s: %s", where,
		 src ? fou_addr_str(src, a, sizeof(a)) : "?", fou_drop_name(reason));
}
