// SPDX-License-Identifier: MIT
/*
 * -br and -o: two ways of putting foud's answer on fewer lines, done here
 * so that foud keeps one text and one JSON form of each object.
 *
 * -br link show takes the JSON of `-j -d link show` and prints what
 * `ip -br link` prints, a device a line: name, operational state, link
 * address, flags, and (foud's addition) the kind.
 */
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "fouctl.h"

void fouctl_oneline_put(struct oneline *ol, FILE *f, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (ol->nl)
			fputc(p[i] == ' ' || p[i] == '\t' ? '\\' : '\n', f);
		ol->nl = p[i] == '\n';
		if (!ol->nl)
			fputc(p[i], f);
	}
}

void fouctl_oneline_end(struct oneline *ol, FILE *f)
{
	if (ol->nl)
		fputc('\n', f);
	ol->nl = false;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* operstate as ip has it, else foud's -d state in ip's capitals. */
static void brief_state(json_t *dev, char *buf, size_t len)
{
	const char *s = jstr(dev, "operstate");
	size_t i;

	if (!*s)
		s = jstr(dev, "state");
	if (!*s)
		s = "unknown";
	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = (char)toupper((unsigned char)s[i]);
	buf[i] = '\0';
}

static void brief_flags(json_t *dev, FILE *f)
{
	json_t *flags = json_object_get(dev, "flags"), *v;
	size_t i;

	if (!json_is_array(flags))
		return;
	fputc('<', f);
	json_array_foreach(flags, i, v)
		fprintf(f, "%s%s", i ? "," : "", json_string_value(v) ? json_string_value(v) : "");
	fputs("> ", f);
}

static void brief_one(json_t *dev, FILE *f)
{
	char state[32];
	const char *addr = jstr(dev, "address");

	brief_state(dev, state, sizeof(state));
	fprintf(f, "%-16s %-14s ", jstr(dev, "ifname"), state);
	if (*addr)
		fprintf(f, "%s ", addr);
	brief_flags(dev, f);
	fprintf(f, "%s\n", jstr(json_object_get(dev, "linkinfo"), "info_kind"));
}

int fouctl_brief_links(const char *json, size_t n, FILE *f)
{
	json_t *root = json_loadb(json, n, 0, NULL), *dev;
	size_t i;

	if (!json_is_array(root)) {
		json_decref(root);
		return -EBADMSG;
	}
	json_array_foreach(root, i, dev)
		brief_one(dev, f);
	json_decref(root);
	return 0;
}
