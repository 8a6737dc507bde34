/* SPDX-License-Identifier: MIT */
/*
 * The control protocol between fouctl and foud, over a Unix stream socket.
 *
 * request: u32 magic, u32 flags, u32 argc, u32 bytes, then `bytes` bytes of
 *          argc NUL-terminated words.
 * reply:   frames of u32 magic, u32 type, u32 len, then len bytes: any number
 *          of CTL_FR_OUT (len <= CTL_CHUNK bytes of stdout, so a reply has no
 *          size limit and is shown as it arrives), then one CTL_FR_END (i32
 *          status, 0 or -errno, then len - 4 bytes for stderr).
 * All integers are in host order: the socket never leaves
 * the machine. A request is bounded by CTL_MAX. The magic is the protocol's
 * version: a peer that sends CTL_MAGIC_V1 (one reply header with two
 * lengths, before the frames) is told so rather than misread.
 */
#ifndef CTL_H
#define CTL_H

#include <stddef.h>
#include <stdint.h>

#define CTL_MAGIC		0x464f5532u	/* "FOU2" */
#define CTL_MAGIC_V1		0x464f5531u	/* "FOU1": one reply, 16 MiB at most */
#define CTL_MAX		(64 * 1024)	/* request payload */
#define CTL_CHUNK		(64 * 1024)	/* stdout bytes in one frame */
#define CTL_FRAME_HDR	12
#define CTL_FR_OUT		1
#define CTL_FR_END		2
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
 * -EINVAL / -E2BIG, -EPROTO for CTL_MAGIC_V1.
 */
int ctl_decode(uint8_t *buf, size_t len, uint32_t *flags, char *argv[], int max);
/*
 * The length of the whole request whose header (CTL_HDR bytes) buf
 * holds, header included; -EINVAL for a bad magic or flags, -EPROTO for
 * CTL_MAGIC_V1 (an older fouctl), -E2BIG past the limits. A reader needs no more bytes than that.
 */
int ctl_request_len(const uint8_t *buf, size_t len);

/* Writes a frame's header: magic, type, len. */
void ctl_frame_put(uint8_t hdr[CTL_FRAME_HDR], uint32_t type, uint32_t len);
/*
 * Reads a frame's header into type and len: -EPROTO if the peer speaks
 * CTL_MAGIC_V1, -EBADMSG for any other magic, an unknown type, or a length
 * past its bound (CTL_CHUNK for output, 4 + CTL_MAX for the end).
 */
int ctl_frame_get(const uint8_t hdr[CTL_FRAME_HDR], uint32_t *type, uint32_t *len);

#endif /* CTL_H */
