// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const default_preload[] = { "alua", "emc", "rdac", "hp_sw" };

void policy_defaults(struct policy *p)
{
	unsigned int i;

	memset(p, 0, sizeof(*p));
	p->enabled = true;
	for (i = 0; i < ARRAY_SIZE(default_preload); i++)
		str_copy(p->preload[i], HANDLER_NAME_MAX, default_preload[i]);
	p->npreload = ARRAY_SIZE(default_preload);
	p->late_attach = true;
	p->detach = true;
	p->timeout_ms = 10 * 1000;
}

static void add_error(struct policy *p, const char *where, unsigned int line,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void add_error(struct policy *p, const char *where, unsigned int line,
		      const char *fmt, ...)
{
	char msg[ERROR_MAX];
	va_list ap;

	if (p->nerrors++ >= MAX_ERRORS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(p->errors[p->nerrors - 1], ERROR_MAX, "%s:%u: %s", where, line, msg);
	else
		snprintf(p->errors[p->nerrors - 1], ERROR_MAX, "%s: %s", where, msg);
}

bool handler_name_valid(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
		      s[n] == '_'))
			return false;
	return n > 0 && n < HANDLER_NAME_MAX;
}

static bool name_valid(const char *s, size_t max, bool dash_dot)
{
	size_t n = 0;

	for (; s[n]; n++) {
		char c = s[n];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '_' || (dash_dot && (c == '-' || c == '.')))
			continue;
		if (c == '-' && !dash_dot)
			continue;
		return false;
	}
	return n > 0 && n < max;
}

bool policy_preloads(const struct policy *p, const char *handler)
{
	unsigned int i;

	for (i = 0; i < p->npreload; i++)
		if (str_eq(p->preload[i], handler))
			return true;
	return false;
}

/* "yes"/"no" and friends; -1 when it is not a boolean */
static int parse_bool(const char *s)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(yes); i++)
		if (str_eq(s, yes[i]))
			return 1;
	for (i = 0; i < ARRAY_SIZE(no); i++)
		if (str_eq(s, no[i]))
			return 0;
	return -1;
}

/* Positive seconds with up to three decimals; 0 on error. */
static unsigned int parse_seconds(const char *s)
{
	unsigned long long ms = 0;
	unsigned int frac = 0;
	const char *c = s;

	if (!*c)
		return 0;
	for (; *c >= '0' && *c <= '9'; c++) {
		ms = ms * 10 + (unsigned int)(*c - '0');
		if (ms > TIMEOUT_MAX_MS / 1000)
			return 0;
	}
	ms *= 1000;
	if (*c == '.') {
		unsigned int scale = 100;

		c++;
		if (!(*c >= '0' && *c <= '9'))
			return 0;
		for (; *c >= '0' && *c <= '9'; c++, scale /= 10) {
			if (scale == 0)
				return 0;
			frac += (unsigned int)(*c - '0') * scale;
		}
	}
	if (*c || c == s)
		return 0;
	ms += frac;
	if (ms == 0 || ms > TIMEOUT_MAX_MS)
		return 0;
	return (unsigned int)ms;
}

/*
 * Split s in place into blank-separated words; a word in double quotes may hold
 * blanks. Returns the number of words, or -1 with *err set.
 */
static int split_words(char *s, char **words, int max, const char **err)
{
	int n = 0;

	for (;;) {
		char *w;

		s = ltrim(s);
		if (!*s)
			return n;
		if (n == max) {
			*err = "too many values";
			return -1;
		}
		if (*s == '"') {
			w = ++s;
			s = strchr(s, '"');
			if (!s) {
				*err = "missing closing quote";
				return -1;
			}
			*s++ = '\0';
			if (*s && *s != ' ' && *s != '\t') {
				*err = "text after a closing quote";
				return -1;
			}
		} else {
			w = s;
			while (*s && *s != ' ' && *s != '\t') {
				if (*s == '"') {
					*err = "quote inside a word";
					return -1;
				}
				s++;
			}
		}
		if (*s)
			*s++ = '\0';
		words[n++] = w;
	}
}

/* Strip an optional scsi_dh_ prefix and check the name. */
static const char *handler_word(const char *w)
{
	if (str_starts(w, "scsi_dh_"))
		w += strlen("scsi_dh_");
	return handler_name_valid(w) ? w : NULL;
}

struct parse_ctx {
	struct policy *p;
	const char *name;
	unsigned int line;
	struct owner_rule *owner;	/* current section, NULL: global */
	bool owner_bad;			/* current section rejected: skip its keys */
};

static void owner_finish(struct parse_ctx *c)
{
	struct owner_rule *o = c->owner;

	if (!o)
		return;
	if (!o->vendor.n && !o->model.n && !o->wwid.n && !o->host.n) {
		add_error(c->p, c->name, o->line,
			  "[owner %s]: no vendor, model, wwid or host key: it would own every LUN",
			  o->name);
		c->p->nowners--;
	}
	c->owner = NULL;
}

static void parse_section(struct parse_ctx *c, char *s)
{
	struct policy *p = c->p;
	char *end = strrchr(s, ']');
	char *words[3];
	const char *err = NULL;
	struct owner_rule *o;
	unsigned int i;
	int n;

	owner_finish(c);
	c->owner_bad = true;
	if (!end || end[1]) {
		add_error(p, c->name, c->line, "malformed section header \"%s\"", s);
		return;
	}
	*end = '\0';
	n = split_words(s + 1, words, ARRAY_SIZE(words), &err);
	if (n < 1 || !str_eq(words[0], "owner")) {
		add_error(p, c->name, c->line, "unknown section \"[%s]\" (only [owner NAME])",
			  n > 0 ? words[0] : "");
		return;
	}
	if (n != 2 || !name_valid(words[1], OWNER_NAME_MAX, true)) {
		add_error(p, c->name, c->line,
			  "[owner]: needs one name of letters, digits, '_', '-' or '.'");
		return;
	}
	for (i = 0; i < p->nowners; i++) {
		if (str_eq(p->owners[i].name, words[1])) {
			add_error(p, c->name, c->line,
				  "[owner %s] defined twice (first in %s:%u)", words[1],
				  p->files[p->owners[i].file], p->owners[i].line);
			return;
		}
	}
	if (p->nowners == MAX_OWNERS) {
		add_error(p, c->name, c->line, "too many [owner] sections (at most %d)",
			  MAX_OWNERS);
		return;
	}
	o = &p->owners[p->nowners++];
	memset(o, 0, sizeof(*o));
	str_copy(o->name, sizeof(o->name), words[1]);
	o->file = p->nfiles ? p->nfiles - 1 : 0;
	o->line = c->line;
	c->owner = o;
	c->owner_bad = false;
}

static void parse_globs(struct parse_ctx *c, const char *key, struct glob_list *l,
			char **words, int n)
{
	int i;

	if (n == 0) {
		add_error(c->p, c->name, c->line, "%s: needs at least one value", key);
		return;
	}
	l->n = 0;
	for (i = 0; i < n; i++) {
		if (str_copy(l->v[l->n], GLOB_MAX, words[i]) < 0) {
			add_error(c->p, c->name, c->line, "%s: value too long: \"%.40s...\"", key,
				  words[i]);
			return;
		}
		l->n++;
	}
}

static void parse_owner_key(struct parse_ctx *c, const char *key, char **words, int n)
{
	struct owner_rule *o = c->owner;

	if (str_eq(key, "driver")) {
		if (n != 1 || !name_valid(words[0], MODULE_NAME_MAX, false)) {
			add_error(c->p, c->name, c->line,
				  "driver: \"%s\" is not one module name", n ? words[0] : "");
			return;
		}
		str_copy(o->driver, sizeof(o->driver), words[0]);
	} else if (str_eq(key, "vendor")) {
		parse_globs(c, key, &o->vendor, words, n);
	} else if (str_eq(key, "model")) {
		parse_globs(c, key, &o->model, words, n);
	} else if (str_eq(key, "wwid")) {
		parse_globs(c, key, &o->wwid, words, n);
	} else if (str_eq(key, "host")) {
		parse_globs(c, key, &o->host, words, n);
	} else {
		add_error(c->p, c->name, c->line,
			  "unknown key \"%s\" in [owner %s] (driver, vendor, model, wwid, host)",
			  key, o->name);
	}
}

static void parse_preload(struct policy *p, const char *where, unsigned int line,
			  char **words, int n)
{
	struct policy tmp;
	int i;

	tmp.npreload = 0;
	for (i = 0; i < n; i++) {
		const char *h = handler_word(words[i]);

		if (!h) {
			add_error(p, where, line,
				  "preload: invalid handler name \"%s\" (allowed: a-z, 0-9, _)",
				  words[i]);
			return;
		}
		if (policy_preloads(&tmp, h))
			continue;
		if (tmp.npreload == MAX_HANDLERS) {
			add_error(p, where, line, "preload: too many handlers (at most %d)",
				  MAX_HANDLERS);
			return;
		}
		str_copy(tmp.preload[tmp.npreload++], HANDLER_NAME_MAX, h);
	}
	memcpy(p->preload, tmp.preload, sizeof(p->preload));
	p->npreload = tmp.npreload;
}

static void parse_global_key(struct parse_ctx *c, const char *key, char **words, int n)
{
	struct policy *p = c->p;
	int b;

	if (str_eq(key, "preload")) {
		parse_preload(p, c->name, c->line, words, n);
		return;
	}
	if (str_eq(key, "late_attach") || str_eq(key, "detach")) {
		if (n != 1 || (b = parse_bool(words[0])) < 0) {
			add_error(p, c->name, c->line, "%s: \"%s\" is not a boolean (yes or no)",
				  key, n ? words[0] : "");
			return;
		}
		if (str_eq(key, "detach"))
			p->detach = b;
		else
			p->late_attach = b;
		return;
	}
	if (str_eq(key, "modprobe_timeout")) {
		unsigned int ms = n == 1 ? parse_seconds(words[0]) : 0;

		if (!ms) {
			add_error(p, c->name, c->line,
				  "modprobe_timeout: \"%s\" is not a positive number of seconds "
				  "(at most %d)",
				  n ? words[0] : "", TIMEOUT_MAX_MS / 1000);
			return;
		}
		p->timeout_ms = ms;
		return;
	}
	add_error(p, c->name, c->line,
		  "unknown key \"%s\" (preload, late_attach, detach, modprobe_timeout)", key);
}

unsigned int config_parse(struct policy *p, const char *name, const char *text)
{
	struct parse_ctx c = { .p = p, .name = name };
	unsigned int before = p->nerrors;
	const char *s = text;

	while (*s) {
		char buf[SDE_LINE_MAX];
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		char *line, *eq, *key;
		char *words[MAX_GLOBS];
		const char *err = NULL;
		int n;

		c.line++;
		if (len >= sizeof(buf)) {
			add_error(p, name, c.line, "line too long");
			s += len + (nl ? 1 : 0);
			continue;
		}
		memcpy(buf, s, len);
		buf[len] = '\0';
		s += len + (nl ? 1 : 0);

		line = rtrim(ltrim(buf));
		if (!*line || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			parse_section(&c, line);
			continue;
		}
		eq = strchr(line, '=');
		if (!eq) {
			add_error(p, name, c.line, "expected KEY = VALUE, got \"%s\"", line);
			continue;
		}
		*eq = '\0';
		key = rtrim(line);
		if (!*key) {
			add_error(p, name, c.line, "missing key before '='");
			continue;
		}
		n = split_words(eq + 1, words, ARRAY_SIZE(words), &err);
		if (n < 0) {
			add_error(p, name, c.line, "%s: %s", key, err);
			continue;
		}
		if (c.owner)
			parse_owner_key(&c, key, words, n);
		else if (c.owner_bad)
			continue; /* keys of a rejected section: its error said it all */
		else
			parse_global_key(&c, key, words, n);
	}
	owner_finish(&c);
	return p->nerrors - before;
}

static unsigned int load_file(struct policy *p, const char *path, bool must_exist)
{
	static char text[CONFIG_FILE_MAX];
	ssize_t n;

	n = read_file(path, text, sizeof(text));
	if (n == -ENOENT && !must_exist)
		return 0;
	if (p->nfiles <= MAX_CONFIG_FILES) {
		str_copy(p->files[p->nfiles], sizeof(p->files[0]), path);
		p->nfiles++;
	}
	if (n < 0) {
		add_error(p, path, 0, "cannot read: %s", n == -EFBIG ? "file too large" :
			  strerror((int)-n));
		return 1;
	}
	if (memchr(text, '\0', (size_t)n)) {
		add_error(p, path, 0, "binary data in a configuration file");
		return 1;
	}
	return config_parse(p, path, text);
}

unsigned int config_load(struct policy *p, const char *file)
{
	static char names[MAX_CONFIG_FILES][256];
	char path[SDE_PATH_MAX];
	unsigned int errs = 0, n, i;
	int r;

	if (file)
		return load_file(p, file, true);

	if (sde_path(path, sizeof(path), CONFIG_FILE) == 0)
		errs += load_file(p, path, false);
	if (sde_path(path, sizeof(path), CONFIG_DIR) < 0)
		return errs;
	r = conf_dir_list(path, names, MAX_CONFIG_FILES);
	if (r == -E2BIG) {
		add_error(p, path, 0, "more than %d files", MAX_CONFIG_FILES);
		errs++;
		r = MAX_CONFIG_FILES;
	}
	n = (unsigned int)r;
	for (i = 0; i < n; i++) {
		char f[SDE_PATH_MAX];

		if (xsnprintf(f, sizeof(f), "%s/%s", path, names[i]) == 0)
			errs += load_file(p, f, false);
	}
	return errs;
}

/* dracut's getargbool: "0", "no" and "off" are false, anything else true */
static bool arg_bool(const char *v)
{
	return !(v && (str_eq(v, "0") || str_eq(v, "no") || str_eq(v, "off")));
}

unsigned int cmdline_apply(struct policy *p, const char *cmdline)
{
	static const char where[] = "kernel command line";
	unsigned int before = p->nerrors;
	const char *s = cmdline;

	while (*s) {
		char arg[1024];
		size_t n = 0;
		bool quoted = false;
		char *val;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		/* the kernel's rule: blanks inside double quotes do not split */
		while (*s && (quoted || (*s != ' ' && *s != '\t' && *s != '\n'))) {
			if (*s == '"')
				quoted = !quoted;
			else if (n < sizeof(arg) - 1)
				arg[n++] = *s;
			s++;
		}
		arg[n] = '\0';
		if (!str_starts(arg, "rd.scsi_dh"))
			continue;
		val = strchr(arg, '=');
		if (val)
			*val++ = '\0';

		if (str_eq(arg, "rd.scsi_dh")) {
			p->enabled = arg_bool(val);
		} else if (str_eq(arg, "rd.scsi_dh.debug")) {
			p->debug = arg_bool(val);
		} else if (str_eq(arg, "rd.scsi_dh.late_attach")) {
			p->late_attach = arg_bool(val);
		} else if (str_eq(arg, "rd.scsi_dh.detach")) {
			p->detach = arg_bool(val);
		} else if (str_eq(arg, "rd.scsi_dh.preload")) {
			char *words[MAX_HANDLERS + 1];
			char *w = val ? val : (char *)"";
			int nw = 0;

			/* comma-separated; an empty value means none */
			while (nw < (int)ARRAY_SIZE(words)) {
				char *comma = strchr(w, ',');

				if (comma)
					*comma = '\0';
				if (*w)
					words[nw++] = w;
				if (!comma)
					break;
				w = comma + 1;
			}
			parse_preload(p, where, 0, words, nw);
		} else {
			add_error(p, where, 0, "unknown option \"%s\"", arg);
		}
	}
	return p->nerrors - before;
}

void policy_fallback(struct policy *p)
{
	unsigned int i;

	p->npreload = ARRAY_SIZE(default_preload);
	for (i = 0; i < p->npreload; i++)
		str_copy(p->preload[i], HANDLER_NAME_MAX, default_preload[i]);
	p->late_attach = false;
	p->detach = false;
	p->nowners = 0;
	p->fallback = true;
}

static void write_word(FILE *out, const char *w)
{
	if (strpbrk(w, " \t") || !*w)
		fprintf(out, " \"%s\"", w);
	else
		fprintf(out, " %s", w);
}

static void write_globs(FILE *out, const char *pfx, const char *key,
			const struct glob_list *l)
{
	unsigned int i;

	if (!l->n)
		return;
	fprintf(out, "%s%s =", pfx, key);
	for (i = 0; i < l->n; i++)
		write_word(out, l->v[i]);
	fputc('\n', out);
}

void policy_write(const struct policy *p, FILE *out, bool resolved)
{
	unsigned int i;

	fprintf(out, "preload =");
	for (i = 0; i < p->npreload; i++)
		fprintf(out, " %s", p->preload[i]);
	fprintf(out, "\nlate_attach = %s\ndetach = %s\n", p->late_attach ? "yes" : "no",
		p->detach ? "yes" : "no");
	if (p->timeout_ms % 1000)
		fprintf(out, "modprobe_timeout = %u.%03u\n", p->timeout_ms / 1000,
			p->timeout_ms % 1000);
	else
		fprintf(out, "modprobe_timeout = %u\n", p->timeout_ms / 1000);
	for (i = 0; i < p->nowners; i++) {
		const struct owner_rule *o = &p->owners[i];
		const char *pfx = resolved && !o->active ? "# " : "";

		fputc('\n', out);
		if (resolved)
			fprintf(out, "# %s:%u: %s\n", p->files[o->file], o->line, o->why);
		fprintf(out, "%s[owner %s]\n", pfx, o->name);
		if (o->driver[0] && !resolved)
			fprintf(out, "driver = %s\n", o->driver);
		write_globs(out, pfx, "vendor", &o->vendor);
		write_globs(out, pfx, "model", &o->model);
		write_globs(out, pfx, "wwid", &o->wwid);
		write_globs(out, pfx, "host", &o->host);
	}
}
