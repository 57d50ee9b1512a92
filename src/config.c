// SPDX-License-Identifier: GPL-2.0-or-later
#include "config.h"
#include "fileio.h"
#include "log.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

static const char *const default_preload[] = { "alua", "emc", "rdac", "hp_sw" };

void policy_defaults(struct policy *p)
{
	unsigned int i;

	/*
	 * All but owners[], 540 KB that only the first nowners of are read, each
	 * cleared when its section starts: left untouched, they cost no memory.
	 */
	memset(p, 0, offsetof(struct policy, owners));
	memset((char *)p + offsetof(struct policy, nowners), 0,
	       sizeof(*p) - offsetof(struct policy, nowners));
	p->enabled = true;
	for (i = 0; i < ARRAY_SIZE(default_preload); i++)
		str_copy(p->preload[i], HANDLER_NAME_MAX, default_preload[i]);
	p->npreload = ARRAY_SIZE(default_preload);
	p->late_attach = true;
	p->detach = true;
	p->timeout_ms = 10 * 1000;
	p->write_jobs = WRITE_JOBS_DEFAULT;
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
	if (ms == 0 || ms > (unsigned long long)TIMEOUT_MAX_MS)
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

/*
 * Strip an optional scsi_dh_ prefix and check the name. Once: a name that
 * still starts with scsi_dh_ would lose it again when written back and read.
 */
static const char *handler_word(const char *w)
{
	if (str_starts(w, "scsi_dh_"))
		w += strlen("scsi_dh_");
	return handler_name_valid(w) && !str_starts(w, "scsi_dh_") ? w : NULL;
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
	char list[MAX_HANDLERS][HANDLER_NAME_MAX];
	unsigned int nlist = 0, j;
	int i;

	memset(list, 0, sizeof(list));
	for (i = 0; i < n; i++) {
		const char *h = handler_word(words[i]);
		bool dup = false;

		if (!h) {
			add_error(p, where, line,
				  "preload: invalid handler name \"%s\" (allowed: a-z, 0-9, _)",
				  words[i]);
			return;
		}
		for (j = 0; j < nlist; j++)
			dup = dup || str_eq(list[j], h);
		if (dup)
			continue;
		if (nlist == MAX_HANDLERS) {
			add_error(p, where, line, "preload: too many handlers (at most %d)",
				  MAX_HANDLERS);
			return;
		}
		str_copy(list[nlist++], HANDLER_NAME_MAX, h);
	}
	memcpy(p->preload, list, sizeof(p->preload));
	p->npreload = nlist;
}

/* "1".."max", decimal digits only; 0 for anything else */
static unsigned int parse_count(const char *s, unsigned int max)
{
	unsigned int v = 0;
	const char *c;

	for (c = s; *c >= '0' && *c <= '9'; c++) {
		v = v * 10 + (unsigned int)(*c - '0');
		if (v > max)
			return 0;
	}
	return *c || c == s ? 0 : v;
}

/* An absolute path of printable bytes, or none at all (an empty value). */
static void parse_metrics_dir(struct parse_ctx *c, char **words, int n)
{
	const char *w = n ? words[0] : "";
	size_t i, len = strlen(w);

	for (i = 0; i < len && (unsigned char)w[i] >= 0x20 && w[i] != 0x7f; i++)
		;
	if (len >= METRICS_DIR_MAX) {
		add_error(c->p, c->name, c->line,
			  "metrics_textfile_dir: \"%.40s...\" is longer than %d bytes", w,
			  METRICS_DIR_MAX - 1);
		return;
	}
	if (n > 1 || (n && (w[0] != '/' || i < len))) {
		add_error(c->p, c->name, c->line,
			  "metrics_textfile_dir: \"%s\" is not one absolute path",
			  n > 1 ? words[1] : w);
		return;
	}
	memcpy(c->p->metrics_dir, w, len + 1);
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
	if (str_eq(key, "write_jobs")) {
		unsigned int jobs = n == 1 ? parse_count(words[0], WRITE_JOBS_MAX) : 0;

		if (!jobs) {
			add_error(p, c->name, c->line,
				  "write_jobs: \"%s\" is not a whole number from 1 to %d",
				  n ? words[0] : "", WRITE_JOBS_MAX);
			return;
		}
		p->write_jobs = jobs;
		return;
	}
	if (str_eq(key, "metrics_textfile_dir")) {
		parse_metrics_dir(c, words, n);
		return;
	}
	add_error(p, c->name, c->line,
		  "unknown key \"%s\" (preload, late_attach, detach, modprobe_timeout, write_jobs, "
		  "metrics_textfile_dir)",
		  key);
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

static unsigned int load_text(struct policy *p, const char *path, bool must_exist,
			      const char *text, ssize_t n)
{
	if (n == -ENOENT && !must_exist)
		return 0;
	if (p->nfiles <= MAX_CONFIG_FILES) {
		str_copy(p->files[p->nfiles], sizeof(p->files[0]), path);
		p->nfiles++;
	}
	if (n < 0) {
		add_error(p, path, 0, "cannot read: %s", read_error((int)-n));
		return 1;
	}
	if (memchr(text, '\0', (size_t)n)) {
		add_error(p, path, 0, "binary data in a configuration file");
		return 1;
	}
	return config_parse(p, path, text);
}

static unsigned int load_file(struct policy *p, const char *path, bool must_exist)
{
	/* on the heap while one file is read: no 256 KiB kept for the whole run */
	char *text = malloc((size_t)CONFIG_FILE_MAX);
	unsigned int r;
	ssize_t n;

	if (!text) {
		add_error(p, path, 0, "cannot read: %s", strerror(ENOMEM));
		return 1;
	}
	n = read_file(path, text, (size_t)CONFIG_FILE_MAX);
	r = load_text(p, path, must_exist, text, n);
	free(text);
	return r;
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
	} else if (r < 0) {
		add_error(p, path, 0, "cannot read: %s", strerror(-r));
		return errs + 1;
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

/* One whole argument of a command line. */
static void cmdline_arg(struct cmdline_reader *cr, char *arg)
{
	struct policy *p = cr->p;
	const char *where = cr->where;
	char *val;

	if (!str_starts(arg, "rd.scsi_dh"))
		return;
	val = strchr(arg, '=');
	if (val)
		*val++ = '\0';
	if (str_eq(arg, "rd.scsi_dh") && !arg_bool(val))
		p->kill_seen = true;
	if (cr->kill_only)
		return;

	if (str_eq(arg, "rd.scsi_dh")) {
		p->enabled = arg_bool(val);
	} else if (str_eq(arg, "rd.scsi_dh.debug")) {
		p->debug = arg_bool(val);
	} else if (str_eq(arg, "rd.scsi_dh.late_attach")) {
		p->late_attach = arg_bool(val);
	} else if (str_eq(arg, "rd.scsi_dh.detach")) {
		p->detach = arg_bool(val);
	} else if (str_eq(arg, "rd.scsi_dh.settle")) {
		/* the sweep's scripts read it: udevadm settle's bound before the run */
	} else if (str_eq(arg, "rd.scsi_dh.preload")) {
		char *words[MAX_HANDLERS + 1];
		char *w = val ? val : (char *)"";
		int nw = 0, i;

		/* comma-separated; an empty value means none */
		for (;;) {
			char *comma = strchr(w, ',');

			if (comma)
				*comma = '\0';
			for (i = 0; *w && i < nw; i++)
				if (str_eq(words[i], w))
					*w = '\0';	/* said twice: once is enough */
			if (*w) {
				if (nw == (int)ARRAY_SIZE(words)) {
					add_error(p, where, 0,
						  "preload: too many handlers (at most %d)",
						  MAX_HANDLERS);
					return;
				}
				words[nw++] = w;
			}
			if (!comma)
				break;
			w = comma + 1;
		}
		parse_preload(p, where, 0, words, nw);
	} else {
		add_error(p, where, 0, "unknown option \"%s\"", arg);
	}
}

void cmdline_begin(struct cmdline_reader *cr, struct policy *p, const char *where)
{
	cr->p = p;
	cr->where = where;
	cr->len = 0;
	cr->quoted = false;
	cr->kill_only = false;
}

/* The end of an argument: hand it on, or say that it was too long. */
static void cmdline_end_arg(struct cmdline_reader *cr)
{
	if (cr->len == 0)
		return;
	if (cr->len >= sizeof(cr->arg)) {
		cr->arg[sizeof(cr->arg) - 1] = '\0';
		/* not ours: not our business; ours: never cut, never guessed */
		if (str_starts(cr->arg, "rd.scsi_dh") && !cr->kill_only)
			add_error(cr->p, cr->where, 0,
				  "argument \"%.40s...\" of %zu bytes is longer than %zu",
				  cr->arg, cr->len, sizeof(cr->arg) - 1);
	} else {
		cr->arg[cr->len] = '\0';
		cmdline_arg(cr, cr->arg);
	}
	cr->len = 0;
}

void cmdline_feed(struct cmdline_reader *cr, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		/* the kernel's rule: blanks inside double quotes do not split */
		if (c == '"') {
			cr->quoted = !cr->quoted;
			continue;
		}
		if (c == '\0' || (!cr->quoted && (c == ' ' || c == '\t' || c == '\n'))) {
			cmdline_end_arg(cr);
			continue;
		}
		if (cr->len < sizeof(cr->arg) - 1)
			cr->arg[cr->len] = c;
		if (cr->len < SIZE_MAX)
			cr->len++;
	}
}

void cmdline_finish(struct cmdline_reader *cr)
{
	cmdline_end_arg(cr);
	cr->quoted = false;
}

unsigned int cmdline_apply(struct policy *p, const char *cmdline)
{
	static struct cmdline_reader cr;
	unsigned int before = p->nerrors;

	cmdline_begin(&cr, p, "kernel command line");
	cmdline_feed(&cr, cmdline, strlen(cmdline));
	cmdline_finish(&cr);
	return p->nerrors - before;
}

/* Feed one file through cr whatever its length: 0, or -errno with an error said. */
static int cmdline_file(struct cmdline_reader *cr, const char *path, bool must_exist)
{
	char buf[4096];
	int fd = open_regular(AT_FDCWD, path);

	if (fd == -ENOENT && !must_exist)
		return 0;
	if (fd < 0) {
		if (!cr->kill_only)
			add_error(cr->p, path, 0, "cannot read: %s", read_error(-fd));
		return fd;
	}
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			if (!cr->kill_only)
				add_error(cr->p, path, 0, "cannot read: %s",
					  strerror((int)-r));
			close(fd);
			cmdline_finish(cr);
			return (int)r;
		}
		if (r == 0)
			break;
		cmdline_feed(cr, buf, (size_t)r);
	}
	close(fd);
	cmdline_finish(cr);
	return 0;
}

/* Every *.conf of dir in directory order, looking for the kill switch only. */
static void cmdline_dir_kill_scan(struct cmdline_reader *cr, const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	cr->kill_only = true;
	while ((de = readdir(d))) {
		char f[SDE_PATH_MAX];
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 6 || !str_eq(de->d_name + len - 5, ".conf"))
			continue;
		if (xsnprintf(f, sizeof(f), "%s/%s", dir, de->d_name) == 0)
			cmdline_file(cr, f, false);
	}
	closedir(d);
	cr->kill_only = false;
}

unsigned int cmdline_load(struct policy *p)
{
	static char names[MAX_CMDLINE_FILES][256];
	static struct cmdline_reader cr;
	char dir[SDE_PATH_MAX], path[SDE_PATH_MAX];
	unsigned int before = p->nerrors;
	int i, n;

	p->kill_seen = false;
	if (sde_path(dir, sizeof(dir), "/etc/cmdline.d") == 0) {
		n = conf_dir_list(dir, names, ARRAY_SIZE(names));
		if (n == -E2BIG) {
			add_error(p, dir, 0, "more than %d files: rd.scsi_dh=0 in any of them wins",
				  MAX_CMDLINE_FILES);
			cmdline_begin(&cr, p, dir);
			cmdline_dir_kill_scan(&cr, dir);
			n = MAX_CMDLINE_FILES;
		} else if (n < 0) {
			add_error(p, dir, 0, "cannot read: %s", strerror(-n));
			n = 0;
		}
		for (i = 0; i < n; i++) {
			if (xsnprintf(path, sizeof(path), "%s/%s", dir, names[i]) < 0) {
				add_error(p, dir, 0, "file name too long: \"%.40s...\"", names[i]);
				continue;
			}
			cmdline_begin(&cr, p, path);
			cmdline_file(&cr, path, false);
		}
	} else {
		add_error(p, "/etc/cmdline.d", 0, "path under --sysroot too long");
	}
	if (sde_path(path, sizeof(path), "/proc/cmdline") == 0) {
		cmdline_begin(&cr, p, "kernel command line");
		cmdline_file(&cr, path, false);
	}
	cr.where = NULL;
	/* what could not be read whole may have said rd.scsi_dh=0: it wins */
	if (p->nerrors != before && p->kill_seen)
		p->enabled = false;
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
	fprintf(out, "write_jobs = %u\n", p->write_jobs);
	if (p->metrics_dir[0]) {
		fprintf(out, "metrics_textfile_dir =");
		write_word(out, p->metrics_dir);
		fputc('\n', out);
	}
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
