/* SPDX-License-Identifier: MIT */
/*
 * The replay floor of a keyed tunnel (encap-key) or TOU peer (key), kept in foud's state
 * directory so that a restarted foud still refuses what it accepted
 * before: every sequence at or below the floor is a replay. It is raised
 * ahead of what arrives, by FOUD_GUE_FLOOR_RESERVE, before a datagram
 * above it is accepted (so a crash cannot leave it below anything
 * accepted), and set to the exact top when a tunnel closes (so a clean
 * restart refuses nothing the peer sends next). It holds the remote's
 * address too: a tunnel moved to another remote starts afresh. Why that is sound and what
 * it costs: README, "Replay after a restart".
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gue_floor.h"

#define FLOOR_DIR	"/var/lib/foud"

/* FOUD_STATE_DIR, systemd's StateDirectory= (its first), or FLOOR_DIR. */
static const char *state_dir(size_t *len)
{
	const char *d = getenv("FOUD_STATE_DIR");

	if (!d || d[0] != '/')
		d = getenv("STATE_DIRECTORY");
	if (!d || d[0] != '/')
		d = FLOOR_DIR;
	*len = strcspn(d, ":");
	return d;
}

static int floor_path(const char *kind, const char *name, char *path, size_t len)
{
	size_t dl;
	const char *dir = state_dir(&dl);
	int n = snprintf(path, len, "%.*s/%s-%s.floor", (int)dl, dir, kind, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int foud_gue_floor_path(const char *name, char *path, size_t len)
{
	return floor_path("gue", name, path, len);
}

int foud_tou_floor_path(const char *peer, char *path, size_t len)
{
	return floor_path("tou", peer, path, len);
}

/* The file: the floor, a space, the remote's address, a newline. */
int foud_gue_floor_read(const char *path, const char *who, uint64_t *floor)
{
	char text[96], *end;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -EINVAL;
	text[n] = 0;
	errno = 0;
	*floor = strtoull(text, &end, 10);
	if (errno || end == text || *end != ' ' || !strchr(end, '\n'))
		return -EINVAL;
	*strchr(end, '\n') = 0;
	return strcmp(end + 1, who) ? -ENOENT : 0;
}

/* The directory of path, made 0700 if it is not there. */
static int floor_dir(const char *path)
{
	char dir[512];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (!n || n >= sizeof(dir))
		return -EINVAL;
	memcpy(dir, path, n);
	dir[n] = 0;
	return mkdir(dir, 0700) && errno != EEXIST ? -errno : 0;
}

int foud_gue_floor_write(const char *path, const char *who, uint64_t floor)
{
	char tmp[512], text[96];
	int fd, len, ret = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	len = snprintf(text, sizeof(text), "%" PRIu64 " %s\n", floor, who);
	if (len < 0 || len >= (int)sizeof(text))
		return -EINVAL;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno == ENOENT && !floor_dir(path))
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, text, (size_t)len) != len)
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -EIO;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}
