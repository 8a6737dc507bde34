// SPDX-License-Identifier: MIT
/*
 * The value parsers the grammar's objects share (addresses, numbers, names,
 * keys), and its name tables. 0 or -EINVAL, never a message: cmd_kw_one()
 * names the word and what it expected.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd_int.h"

/* ---- value parsers: 0 or -EINVAL, never a message ------------------------ */

/* Digits only: strtoul would take blanks, signs and "0x" silently. */
int cmd_parse_ulong(const char *s, int base, unsigned long min,
		    unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!isxdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int cmd_parse_u16(const char *s, unsigned long min, uint16_t *out)
{
	unsigned long v;

	if (!isdigit((unsigned char)s[0]) || cmd_parse_ulong(s, 10, min, 65535, &v))
		return -EINVAL;
	*out = (uint16_t)v;
	return 0;
}

int cmd_parse_u8(const char *s, int base, uint8_t *out)
{
	unsigned long v;

	if (cmd_parse_ulong(s, base, 0, 255, &v))
		return -EINVAL;
	*out = (uint8_t)v;
	return 0;
}

int cmd_parse_u32(const char *s, uint32_t *out)
{
	unsigned long v;

	if (!isdigit((unsigned char)s[0]) || cmd_parse_ulong(s, 10, 0, UINT32_MAX, &v))
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* A VXLAN/Geneve VNI or NVGRE VSID: 24 bits, any base as iproute2's get_u32. */
int cmd_parse_vni(const char *s, uint32_t *out)
{
	unsigned long v;

	if (!isdigit((unsigned char)s[0]) || cmd_parse_ulong(s, 0, 0, 0xffffff, &v))
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* 64 bits, decimal or 0x hexadecimal (no octal: a leading 0 is decimal). */
int cmd_parse_u64(const char *s, uint64_t *out)
{
	int base = 10;
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	/* digits only: strtoull would take blanks, a sign or a second "0x" */
	if (!s[0] || s[strspn(s, base == 16 ? "0123456789abcdefABCDEF" : "0123456789")])
		return -EINVAL;
	errno = 0;
	*out = strtoull(s, &end, base);
	return errno || *end ? -EINVAL : 0;
}

unsigned int cmd_hex_val(char c)
{
	return (unsigned int)(isdigit((unsigned char)c) ? c - '0' :
			      tolower((unsigned char)c) - 'a' + 10);
}

static int parse_hex_byte(const char **s, uint8_t *out)
{
	unsigned int v = 0;
	int n;

	for (n = 0; n < 2 && isxdigit((unsigned char)**s); n++, (*s)++)
		v = v * 16 + cmd_hex_val(**s);
	*out = (uint8_t)v;
	return n ? 0 : -EINVAL;
}

/* aa:bb:cc:dd:ee:ff, either case, one or two digits a byte as bridge(8). */
int cmd_parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		if (parse_hex_byte(&s, &mac[i]))
			return -EINVAL;
		if (*s != (i < 5 ? ':' : '\0'))
			return -EINVAL;
		s++;
	}
	return 0;
}

/* TOS is hexadecimal, as iproute2's rtnl_dsfield_a2n() reads it. */
int cmd_parse_tos(const char *s, uint8_t *tos, bool *inherit)
{
	if (!strcmp(s, "inherit")) {
		*tos = 0;
		*inherit = true;
		return 0;
	}
	return cmd_parse_u8(s, 16, tos);
}

int cmd_parse_addr(const char *s, struct fou_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, s, a->a) == 1)
		a->family = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

/* As iproute2's tnl_parse_key: a dotted quad, or a number in any base. */
int cmd_parse_key(const char *s, uint32_t *key)
{
	struct in_addr in;
	unsigned long v;

	if (strchr(s, '.')) {
		if (inet_pton(AF_INET, s, &in) != 1)
			return -EINVAL;
		*key = ntohl(in.s_addr);
		return 0;
	}
	if (!isdigit((unsigned char)s[0]) || cmd_parse_ulong(s, 0, 0, UINT32_MAX, &v))
		return -EINVAL;
	*key = (uint32_t)v;
	return 0;
}

/* Interface names as the kernel's dev_valid_name() accepts them. */
static bool name_valid(const char *s)
{
	size_t n = strnlen(s, IFNAMSIZ);

	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return false;
	return true;
}

int cmd_parse_key_file(const char *s, char path[CMD_KEY_PATH_MAX])
{
	if (s[0] != '/' || strlen(s) >= CMD_KEY_PATH_MAX)
		return -EINVAL;
	strcpy(path, s);
	return 0;
}

int cmd_parse_name(const char *s, char name[IFNAMSIZ])
{
	if (!name_valid(s))
		return -EINVAL;
	strcpy(name, s);	/* length checked by name_valid() */
	return 0;
}

bool cmd_addr_multicast(const struct fou_addr *a)
{
	return a->family == AF_INET ? (a->a[0] & 0xf0) == 0xe0 : a->a[0] == 0xff;
}

int cmd_parse_unicast(const char *s, struct fou_addr *a)
{
	return cmd_parse_addr(s, a) || cmd_addr_multicast(a) ? -EINVAL : 0;
}

/* ---- name tables ---------------------------------------------------------- */

int cmd_nv_find(const struct name_val *t, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].name, s))
			return t[i].val;
	return -EINVAL;
}

const char *cmd_nv_name(const struct name_val *t, size_t n, int val)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].val == val)
			return t[i].name;
	return "?";
}

const char *cmd_family_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

int cmd_same_family(struct pctx *p, const char *word, const struct fou_addr *a,
		    const char *ref_word, const struct fou_addr *ref)
{
	char buf[INET6_ADDRSTRLEN];

	if (!a->family || !ref->family || a->family == ref->family)
		return 0;
	inet_ntop(a->family, a->a, buf, sizeof(buf));
	return cmd_perr(p, "\"%s\" address \"%s\" is %s but \"%s\" is %s", word, buf,
			cmd_family_name(a->family), ref_word, cmd_family_name(ref->family));
}

