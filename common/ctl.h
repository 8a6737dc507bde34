/* SPDX-License-Identifier: MIT */
/*
 * The control protocol between fouctl and foud, over a Unix stream socket.
 *
 * request: u32 magic, u32 flags, u32 argc, u32 bytes, then `bytes` bytes of
 *          argc NUL-terminated words.
 * reply:   u32 magic, i32 status (0 or -errno), u32 outlen, u32 errlen, then
 *          outlen bytes for stdout and errlen bytes for stderr.
 * All integers are in host order: the socket never leaves
 * the machine. Sizes are bounded by CTL_MAX.
 */
#ifndef CTL_H
#define CTL_H

#include <stddef.h>
#include <stdint.h>

#define CTL_MAGIC		0x464f5531u	/* "FOU1" */
#define CTL_MAX		(64 * 1024)	/* request payload */
#define CTL_MAX_ARGS	256
#define CTL_HDR		16

#define CTL_F_JSON		0x1
#define CTL_F_STATS	0x2
#define CTL_F_DETAILS	0x4
#define CTL_F_PRETTY	0x8

#define CTL_SOCKET_DEFAULT	"/run/foud/foud.sock"
/*
 * Also in the abstract namespace, which is per network namespace: so
 * `ip netns exec NS fouctl ...` reaches the foud of NS without -S.
 */
#define CTL_SOCKET_ABSTRACT	"foud/control"

/* Encodes a request into buf; returns its length or -E2BIG. */
int ctl_encode(uint8_t *buf, size_t cap, uint32_t flags, int argc, char *const argv[]);
/*
 * Decodes a request held in buf (len bytes, header included); argv points
 * into buf, whose words it checks are NUL-terminated. Returns argc or
 * -EINVAL / -E2BIG.
 */
int ctl_decode(uint8_t *buf, size_t len, uint32_t *flags, char *argv[], int max);
/*
 * The length of the whole request whose header (CTL_HDR bytes) buf
 * holds, header included; -EINVAL for a bad magic or flags, -E2BIG past
 * the limits. A reader needs no more bytes than that.
 */
int ctl_request_len(const uint8_t *buf, size_t len);

#endif /* CTL_H */
