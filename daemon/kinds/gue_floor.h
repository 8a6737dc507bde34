/* SPDX-License-Identifier: MIT */
/* A keyed tunnel's or TOU peer's replay floor in foud's state directory (gue_floor.c). */
#ifndef FOUD_GUE_FLOOR_H
#define FOUD_GUE_FLOOR_H

#include <stddef.h>
#include <stdint.h>

/*
 * How far the floor is written ahead of what arrives: 100 ms of the sender's
 * clock, as its sequences are nanoseconds (foud_gue_auth_seq()). At most ten
 * writes a second per tunnel (a reserve of 16384 was passed by every batch
 * once sequences followed the clock: a file write per batch), and after a
 * crash at most 100 ms of the peer's traffic refused.
 */
#define FOUD_GUE_FLOOR_RESERVE	100000000u

/* The floor file of device name: 0, or -ENAMETOOLONG. */
int foud_gue_floor_path(const char *name, char *path, size_t len);
/* The floor file of the TOU peer at address peer (as text): tou-PEER.floor. */
int foud_tou_floor_path(const char *peer, char *path, size_t len);
/*
 * The floor written last for the remote who (an address as text): 0,
 * -ENOENT (none, or another remote's: its sequences are not this one's),
 * or another -errno.
 */
int foud_gue_floor_read(const char *path, const char *who, uint64_t *floor);
/* Replaces the floor, whole or not at all: 0 or -errno. */
int foud_gue_floor_write(const char *path, const char *who, uint64_t floor);

#endif
