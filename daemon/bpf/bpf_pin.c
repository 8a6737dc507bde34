/* SPDX-License-Identifier: MIT */
/*
 * The BPF data path outliving foud: maps and TCX links pinned in a bpffs
 * directory, $FOUD_BPF_PIN or /sys/fs/bpf/foud/netns-INODE[_SOCKET] (one per network
 * namespace and control socket: links are named by ifindex). A link pin keeps its program
 * attached with no process; the next foud loads its object onto the pinned
 * maps (libbpf reuses them when their layout agrees) and swaps each link's
 * program in place (BPF_LINK_UPDATE): no moment without one. Without a
 * bpffs there, nothing is pinned and the programs go with foud, as before.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <syslog.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ctl.h"
#include "foud.h"

#define PIN_ROOT "/sys/fs/bpf"

static char pin_dir[PATH_MAX];	/* "": no pinning */

static bool on_bpffs(const char *path)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && sf.f_type == BPF_FS_MAGIC;
}

/*
 * The instance's part of the name: none for the default control socket (the
 * name fouds before this one used), else the socket's path with '/' and '.' as '_',
 * so that two fouds of one namespace never unpin each other's maps.
 */
static void pin_instance(char *buf, size_t len, const char *sock)
{
	size_t i;

	buf[0] = 0;
	if (!sock || !*sock || !strcmp(sock, CTL_SOCKET_DEFAULT))
		return;
	snprintf(buf, len, "%s", sock);
	for (i = 0; buf[i]; i++)
		if (buf[i] == '/' || buf[i] == '.')	/* bpffs refuses '.' in names */
			buf[i] = '_';
}

/* The directory's path; whether it is on a bpffs at all. */
static bool pin_path(char *buf, size_t len, const char *sock)
{
	const char *env = getenv("FOUD_BPF_PIN");
	char inst[128];
	struct stat st;

	if (env && *env) {
		snprintf(buf, len, "%s", env);
		return true;
	}
	if (stat("/proc/self/ns/net", &st) < 0 || !on_bpffs(PIN_ROOT))
		return false;
	pin_instance(inst, sizeof(inst), sock);
	snprintf(buf, len, PIN_ROOT "/foud/netns-%lu%s", (unsigned long)st.st_ino, inst);
	return true;
}

/* mkdir, only inside a bpffs (a mistyped $FOUD_BPF_PIN makes nothing elsewhere). */
static void mkdir_bpffs(const char *path)
{
	char parent[PATH_MAX], *slash;

	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return;
	*slash = 0;
	if (on_bpffs(parent))
		mkdir(path, 0700);
}

/* Finds (create: makes) the directory; false when pinning is not possible here. */
bool foud_pin_init(const char *sock, bool create)
{
	char parent[PATH_MAX], *slash;

	if (!pin_path(pin_dir, sizeof(pin_dir), sock)) {
		pin_dir[0] = 0;
		return false;
	}
	snprintf(parent, sizeof(parent), "%s", pin_dir);
	slash = strrchr(parent, '/');
	if (create && slash && slash != parent) {
		*slash = 0;
		mkdir_bpffs(parent);
		mkdir_bpffs(pin_dir);
	}
	if (!on_bpffs(pin_dir)) {
		if (create && getenv("FOUD_BPF_PIN"))
			foud_log(LOG_WARNING, "FOUD_BPF_PIN=%s: not a directory on a bpffs: "
				 "nothing is pinned", pin_dir);
		pin_dir[0] = 0;
	}
	return pin_dir[0] != 0;
}

bool foud_pin_on(void)
{
	return pin_dir[0] != 0;
}

/* Every map of the object (not libbpf's .rodata and such) at PIN_DIR/NAME. */
int foud_pin_maps(struct bpf_object *obj)
{
	char path[PATH_MAX + 32];
	struct bpf_map *m;
	int ret;

	bpf_object__for_each_map(m, obj) {
		if (bpf_map__is_internal(m))
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, bpf_map__name(m));
		ret = bpf_map__set_pin_path(m, path);
		if (ret)
			return ret;
	}
	return 0;
}

static void link_name(char *buf, size_t len, int ifindex, bool ingress)
{
	snprintf(buf, len, "%s/link-%s-%d", pin_dir, ingress ? "in" : "eg", ifindex);
}

/*
 * The pinned link of (ifindex, direction), now running prog: its
 * descriptor, or -errno when there is none (a stale one is unpinned).
 */
int foud_pin_link_take(int ifindex, bool ingress, int prog)
{
	char path[PATH_MAX + 32];
	int fd;

	if (!pin_dir[0])
		return -ENOENT;
	link_name(path, sizeof(path), ifindex, ingress);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -ENOENT;
	/* Fails when the device went away meanwhile: the link is defunct. */
	if (bpf_link_update(fd, prog, NULL) == 0)
		return fd;
	close(fd);
	unlink(path);
	return -ENOENT;
}

void foud_pin_link(int link, int ifindex, bool ingress)
{
	char path[PATH_MAX + 32];

	if (!pin_dir[0])
		return;
	link_name(path, sizeof(path), ifindex, ingress);
	unlink(path);
	if (bpf_obj_pin(link, path))
		foud_log(LOG_WARNING, "cannot pin %s: the program goes with foud", path);
}

void foud_pin_unlink(int ifindex, bool ingress)
{
	char path[PATH_MAX + 32];

	if (!pin_dir[0])
		return;
	link_name(path, sizeof(path), ifindex, ingress);
	unlink(path);
}

/* The kernel's id of a loaded program; 0: none. */
uint32_t foud_bpf_prog_id(int fd)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	return fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0 ? info.id : 0;
}

/* Whether a pinned object is a link running one of the programs kept[]. */
static bool link_kept(const char *path, const uint32_t kept[2])
{
	struct bpf_link_info info = { 0 };
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path);
	bool ok;

	if (fd < 0)
		return false;
	ok = bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && info.prog_id &&
	     (info.prog_id == kept[0] || info.prog_id == kept[1]);
	close(fd);
	return ok;
}

/* Unpins the links not running kept[] (NULL: keeps every link), and the maps with maps. */
static void pin_remove(const uint32_t *kept, bool maps)
{
	char path[PATH_MAX + 300];
	struct dirent *e;
	DIR *dir = opendir(pin_dir);

	if (!dir)
		return;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", pin_dir, e->d_name);
		if (!strncmp(e->d_name, "link-", 5) ? !kept || link_kept(path, kept) : !maps)
			continue;
		if (unlink(path) == 0)
			foud_log(LOG_INFO, "unpinned %s", path);
	}
	closedir(dir);
}

/*
 * Unpins what the current programs (eg, in; -1: none) do not use: links
 * of devices no longer configured (which detaches them), and, when no
 * program is loaded, the maps and the directory too.
 */
void foud_pin_sweep(int eg, int in)
{
	uint32_t kept[2] = { foud_bpf_prog_id(eg), foud_bpf_prog_id(in) };

	if (!pin_dir[0])
		return;
	pin_remove(kept, eg < 0);
	if (eg < 0)
		rmdir(pin_dir);
}

/* Pinned maps of another layout (an older foud): the new object makes its own. */
void foud_pin_drop_maps(void)
{
	if (pin_dir[0])
		pin_remove(NULL, true);
}

/* No pinning from now on (the maps could not be pinned). */
void foud_pin_off(void)
{
	pin_dir[0] = 0;
}
