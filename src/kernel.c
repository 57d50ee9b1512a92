// SPDX-License-Identifier: GPL-2.0-or-later
#include "fileio.h"
#include "kernel.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int kernel_init(struct kernel_info *k, const char *release, const char *moddir)
{
	char path[SDE_PATH_MAX], running[128];
	ssize_t n;
	int r;

	memset(k, 0, sizeof(*k));
	k->can_detach = -1;
	k->dh = -1;
	running[0] = '\0';
	if (sde_path(path, sizeof(path), "/proc/sys/kernel/osrelease") == 0) {
		n = read_attr(path, running, sizeof(running));
		if (n < 0)
			running[0] = '\0';
		rtrim(running);
	}
	if (release) {
		if (str_copy(k->release, sizeof(k->release), release) < 0)
			return -ENAMETOOLONG;
	} else if (running[0]) {
		str_copy(k->release, sizeof(k->release), running);
	} else {
		return -ENOENT;
	}
	k->running = running[0] && str_eq(running, k->release);
	if (moddir)
		r = str_copy(k->moddir, sizeof(k->moddir), moddir);
	else
		r = sde_path(k->moddir, sizeof(k->moddir), "/lib/modules/%s", k->release);
	return r;
}

void module_name_from_path(const char *path, char *out, unsigned int size)
{
	const char *b = strrchr(path, '/');
	const char *ko;
	size_t n;
	unsigned int i;

	b = b ? b + 1 : path;
	ko = strstr(b, ".ko");
	n = ko ? (size_t)(ko - b) : strlen(b);
	if (n >= size)
		n = size - 1;
	for (i = 0; i < n; i++)
		out[i] = b[i] == '-' ? '_' : b[i];
	out[n] = '\0';
}

/* module names compare with '-' and '_' the same */
static bool modname_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '-' ? '_' : *a, y = *b == '-' ? '_' : *b;

		if (x != y)
			return false;
	}
	return *a == *b;
}

/* The symbol at tok is name, followed by the end or a blank. */
static bool symbol_is(const char *tok, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(tok, name, n) && (tok[n] == '\0' || tok[n] == ' ' || tok[n] == '\t');
}

/*
 * Scan a symbol list for scsi_dh_detach, scsi_dh_attach and scsi_add_device.
 * field: which blank-separated field holds the symbol (kallsyms/System.map: 3rd;
 * modules.symbols: 2nd, as "symbol:NAME"). Returns a bitmask 1 detach, 2 attach,
 * 4 the SCSI core (scsi_add_device, exported by drivers/scsi/scsi_scan.c in
 * every release), or -errno.
 */
static int scan_symbols(const char *path, int field, const char *prefix)
{
	struct line_reader lr;
	char *line;
	int r, found = 0;

	r = line_open(&lr, path);
	if (r < 0)
		return r;
	while ((r = line_next(&lr, &line)) > 0) {
		char *tok = line;
		int f;

		for (f = 1; f < field && tok; f++) {
			tok = strpbrk(tok, " \t");
			if (tok)
				tok = ltrim(tok);
		}
		if (!tok || !str_starts(tok, prefix))
			continue;
		tok += strlen(prefix);
		if (symbol_is(tok, "scsi_dh_detach"))
			found |= 1;
		else if (symbol_is(tok, "scsi_dh_attach"))
			found |= 2;
		else if (symbol_is(tok, "scsi_add_device"))
			found |= 4;
	}
	line_close(&lr);
	return r < 0 ? r : found;
}

/*
 * Where scsi_dh lives, from modules.builtin and modules.dep (read for the
 * handlers anyway, and a fraction of kallsyms). Before 4.3 it is a module of its
 * own, CONFIG_SCSI_DH tristate (drivers/scsi/device_handler/Makefile:
 * obj-$(CONFIG_SCSI_DH) += scsi_dh.o), which exports scsi_dh_detach; from 4.3 on
 * it is part of scsi_mod (drivers/scsi/Makefile: scsi_mod-$(CONFIG_SCSI_DH) +=
 * scsi_dh.o) and detach is gone. modules.symbols lists only what modules export:
 * with scsi_mod built in (Ubuntu) it is silent, and this answers instead.
 * 1 a scsi_dh module (built in or not), 0 scsi_mod built in and no scsi_dh
 * module, -1 neither (let the symbol lists say).
 */
static int scsi_dh_layout(const struct kernel_info *k)
{
	static const char *const names[] = { "scsi_dh", "scsi_mod" };
	enum modstate st[ARRAY_SIZE(names)];

	if (kernel_modules(k, names, ARRAY_SIZE(names), st) < 0 && st[0] == MOD_MISSING &&
	    st[1] == MOD_MISSING)
		return -1;
	if (st[0] != MOD_MISSING)
		return 1;
	return st[1] == MOD_BUILTIN ? 0 : -1;
}

int kernel_can_detach(struct kernel_info *k)
{
	/*
	 * The first list that knows scsi_dh at all decides; the short ones first:
	 * modules.symbols covers a modular scsi_mod, the module tree's layout a
	 * built-in one, System.map any release, and only then the running
	 * kernel's kallsyms, which is megabytes.
	 */
	static const struct {
		const char *fmt;
		const char *prefix;
		const char *name;
		int field;
		bool running_only;
	} src[] = {
		{ "%s/modules.symbols", "symbol:", "modules.symbols", 2, false },
		{ NULL, NULL, "modules.dep and modules.builtin", 0, false },
		{ "/boot/System.map-%s", "", "System.map", 3, false },
		{ "/proc/kallsyms", "", "/proc/kallsyms", 3, true },
	};
	char path[SDE_PATH_MAX];
	unsigned int i;
	int r;

	if (k->can_detach_known)
		return k->can_detach;
	k->can_detach_known = true;
	k->can_detach = -1;
	for (i = 0; i < ARRAY_SIZE(src); i++) {
		if (src[i].running_only && !k->running)
			continue;
		if (!src[i].fmt) {
			r = scsi_dh_layout(k);
			if (r < 0)
				continue;
			k->can_detach_src = src[i].name;
			k->can_detach = r;
			break;
		}
		if (i == 0)
			r = xsnprintf(path, sizeof(path), src[i].fmt, k->moddir);
		else if (src[i].running_only)
			r = sde_path(path, sizeof(path), "%s", src[i].fmt);
		else
			r = sde_path(path, sizeof(path), src[i].fmt, k->release);
		if (r < 0)
			continue;
		r = scan_symbols(path, src[i].field, src[i].prefix);
		if (r <= 0)
			continue;
		/*
		 * A list with the SCSI core's exports and no scsi_dh_attach: built
		 * without CONFIG_SCSI_DH (kernel_dh_support() makes sure).
		 */
		if (!(r & 3)) {
			if (!k->dh_scan)
				k->dh_scan = src[i].name;
			continue;
		}
		/* a kernel with scsi_dh_attach but no scsi_dh_detach refuses detach */
		k->can_detach_src = src[i].name;
		k->can_detach = (r & 1) ? 1 : 0;
		break;
	}
	return k->can_detach;
}

/* CONFIG_SCSI_DH in boot/config-RELEASE: 1 set, 0 not set, -1 not known. */
static int config_scsi_dh(const struct kernel_info *k)
{
	struct line_reader lr;
	char path[SDE_PATH_MAX];
	char *line;
	int r = -1;

	if (sde_path(path, sizeof(path), "/boot/config-%s", k->release) < 0 ||
	    line_open(&lr, path) < 0)
		return -1;
	while (r < 0 && line_next(&lr, &line) > 0) {
		rtrim(line);
		if (str_eq(line, "CONFIG_SCSI_DH=y") || str_eq(line, "CONFIG_SCSI_DH=m"))
			r = 1;
		else if (str_eq(line, "# CONFIG_SCSI_DH is not set"))
			r = 0;
	}
	line_close(&lr);
	return r;
}

int kernel_dh_support(struct kernel_info *k)
{
	static const char *const names[] = { "scsi_dh", "scsi_dh_alua", "scsi_dh_emc",
					     "scsi_dh_rdac", "scsi_dh_hp_sw" };
	enum modstate st[ARRAY_SIZE(names)];
	unsigned int i;
	int r;

	if (k->dh_known)
		return k->dh;
	k->dh_known = true;
	/* every handler depends on SCSI_DH (drivers/scsi/device_handler/Kconfig) */
	if (kernel_modules(k, names, ARRAY_SIZE(names), st) == 0) {
		for (i = 0; i < ARRAY_SIZE(names); i++)
			if (st[i] != MOD_MISSING) {
				k->dh = 1;
				snprintf(k->dh_why, sizeof(k->dh_why), "%s in modules.dep or "
					 "modules.builtin", names[i]);
				return 1;
			}
	}
	r = config_scsi_dh(k);
	if (r >= 0) {
		k->dh = r;
		snprintf(k->dh_why, sizeof(k->dh_why), "CONFIG_SCSI_DH is %s",
			 r ? "set" : "not set");
		return r;
	}
	kernel_can_detach(k);
	if (k->can_detach >= 0) {
		k->dh = 1;
		snprintf(k->dh_why, sizeof(k->dh_why), "scsi_dh_attach in %s",
			 k->can_detach_src);
	} else if (k->dh_scan) {
		/* a symbol list with the SCSI core but no scsi_dh_attach, and no handler */
		k->dh = 0;
		snprintf(k->dh_why, sizeof(k->dh_why), "no scsi_dh_attach in %s", k->dh_scan);
	}
	return k->dh;
}

/* "3.10.0-1160.el7.x86_64" -> 3, 10; 0 or -EINVAL */
static int release_version(const char *rel, unsigned long *major, unsigned long *minor)
{
	char *end;

	if (*rel < '0' || *rel > '9')
		return -EINVAL;
	*major = strtoul(rel, &end, 10);
	if (*end != '.' || end[1] < '0' || end[1] > '9')
		return -EINVAL;
	*minor = strtoul(end + 1, &end, 10);
	return 0;
}

const struct kfacts *kernel_facts(struct kernel_info *k)
{
	static const char *const names[] = { "scsi_dh_alua", "scsi_dh_emc", "scsi_dh_rdac",
					     "scsi_dh_hp_sw" };
	enum modstate states[ARRAY_SIZE(names)];
	unsigned long major = 0, minor = 0;
	bool ver = false;
	enum kgen_id id;
	unsigned int i;
	int cd;

	if (k->facts_known)
		return &k->facts;
	k->facts_known = true;
	cd = kernel_can_detach(k);
	if (release_version(k->release, &major, &minor) == 0)
		ver = true;
	if (cd == 1) {
		id = KGEN_PRE43;
		snprintf(k->gen_why, sizeof(k->gen_why), "it exports scsi_dh_detach (%s)",
			 k->can_detach_src);
	} else if (ver && (major < 4 || (major == 4 && minor < 3))) {
		/* a pre-4.3 release without scsi_dh_detach has the 4.3 core backported */
		id = cd == 0 ? KGEN_49 : KGEN_PRE43;
		snprintf(k->gen_why, sizeof(k->gen_why), "release %lu.%lu%s", major, minor,
			 cd == 0 ? ", but no scsi_dh_detach: the 4.3 rework backported" : "");
	} else if (ver && major == 4 && minor < 9) {
		id = KGEN_43;
		snprintf(k->gen_why, sizeof(k->gen_why), "release %lu.%lu", major, minor);
	} else if (ver) {
		id = KGEN_49;
		snprintf(k->gen_why, sizeof(k->gen_why), "release %lu.%lu", major, minor);
	} else {
		id = KGEN_49;
		snprintf(k->gen_why, sizeof(k->gen_why),
			 "release \"%.64s\" not understood: the newest rule", k->release);
	}
	k->facts.gen = kgen_get(id);
	/*
	 * alua's "disable for non-disk devices" came with 4.5 (commit
	 * db5a6a601ba9). A pre-4.3 release with the 4.3 core backported (no
	 * scsi_dh_detach) is taken to have it too.
	 */
	k->facts.alua_disk_only =
		!(id == KGEN_PRE43 || (id == KGEN_43 && ver && major == 4 && minor < 5));
	k->facts.can_detach = cd;
	k->facts.no_dh = kernel_dh_support(k) == 0;
	k->facts.builtin = 0;
	/* modules.builtin is read before modules.dep: good even if that is missing */
	kernel_modules(k, names, ARRAY_SIZE(names), states);
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		/* the running kernel: sys/module/NAME without initstate is built in */
		if (states[i] == MOD_BUILTIN ||
		    (k->running && module_present(names[i]) && !module_loaded(names[i])))
			k->facts.builtin |= HANDLER_BIT(i);
	}
	return &k->facts;
}

int kernel_modules(const struct kernel_info *k, const char *const *names, unsigned int n,
		   enum modstate *states)
{
	struct line_reader lr;
	char path[SDE_PATH_MAX], name[MODULE_NAME_MAX];
	char *line;
	unsigned int i;
	int r, ret = 0;

	for (i = 0; i < n; i++)
		states[i] = MOD_MISSING;

	if (xsnprintf(path, sizeof(path), "%s/modules.builtin", k->moddir) == 0 &&
	    line_open(&lr, path) == 0) {
		while (line_next(&lr, &line) > 0) {
			module_name_from_path(rtrim(line), name, sizeof(name));
			for (i = 0; i < n; i++)
				if (modname_eq(name, names[i]))
					states[i] = MOD_BUILTIN;
		}
		line_close(&lr);
	}
	if (xsnprintf(path, sizeof(path), "%s/modules.dep", k->moddir) < 0)
		return -ENAMETOOLONG;
	r = line_open(&lr, path);
	if (r < 0)
		return r;
	while ((r = line_next(&lr, &line)) > 0) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		*colon = '\0';
		module_name_from_path(line, name, sizeof(name));
		for (i = 0; i < n; i++)
			if (states[i] == MOD_MISSING && modname_eq(name, names[i]))
				states[i] = MOD_MODULE;
	}
	if (r < 0)
		ret = r;
	line_close(&lr);
	return ret;
}

/*
 * Where the SCSI host drivers live in the kernel tree. Only needed when scsi_mod
 * is built in, and modules.dep cannot tell who depends on it.
 */
static const char *const scsi_driver_dirs[] = {
	"/drivers/scsi/",	   "/drivers/ata/",	       "/drivers/message/fusion/",
	"/drivers/usb/storage/", "/drivers/infiniband/ulp/", "/drivers/s390/scsi/",
	"/drivers/firewire/",	   "/drivers/target/loopback/",
};

static bool in_scsi_dirs(const char *path)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(scsi_driver_dirs); i++)
		if (strstr(path, scsi_driver_dirs[i]))
			return true;
	return false;
}

/*
 * The module name of a modules.dep path, for a softdep line: false when it is
 * empty, cut, or not [A-Za-z0-9_] (a damaged modules.dep must not write a damaged
 * modprobe.d line).
 */
static bool softdep_name(const char *path, char *out, unsigned int size)
{
	const char *b = strrchr(path, '/');
	const char *ko;
	size_t n, i;

	b = b ? b + 1 : path;
	ko = strstr(b, ".ko");
	n = ko ? (size_t)(ko - b) : strlen(b);
	if (n == 0 || n >= size)
		return false;
	module_name_from_path(path, out, size);
	for (i = 0; out[i]; i++)
		if (!((out[i] >= 'a' && out[i] <= 'z') || (out[i] >= 'A' && out[i] <= 'Z') ||
		      (out[i] >= '0' && out[i] <= '9') || out[i] == '_'))
			return false;
	return true;
}

int kernel_scsi_modules(const struct kernel_info *k, bool by_path,
			void (*fn)(const char *name, void *arg), void *arg)
{
	struct line_reader lr;
	char path[SDE_PATH_MAX], name[MODULE_NAME_MAX], dep[MODULE_NAME_MAX];
	char *line;
	int r, count = 0;

	if (xsnprintf(path, sizeof(path), "%s/modules.dep", k->moddir) < 0)
		return -ENAMETOOLONG;
	r = line_open(&lr, path);
	if (r < 0)
		return r;
	while ((r = line_next(&lr, &line)) > 0) {
		char *colon = strchr(line, ':');
		char *tok, *save = NULL;

		if (lr.overlong)
			log_msg(SDE_WARNING, "%s: a line longer than %d bytes, ignoring", path,
				SDE_LINE_MAX);
		if (!colon)
			continue;
		*colon = '\0';
		if (!softdep_name(line, name, sizeof(name))) {
			log_msg(SDE_WARNING, "%s: not a module name: \"%.60s\", ignoring", path,
				line);
			continue;
		}
		if (by_path) {
			if (in_scsi_dirs(line)) {
				fn(name, arg);
				count++;
			}
			continue;
		}
		for (tok = strtok_r(colon + 1, " \t", &save); tok;
		     tok = strtok_r(NULL, " \t", &save)) {
			module_name_from_path(tok, dep, sizeof(dep));
			if (str_eq(dep, "scsi_mod")) {
				fn(name, arg);
				count++;
				break;
			}
		}
	}
	line_close(&lr);
	return r < 0 ? r : count;
}

static bool sys_module_has(const char *name, const char *leaf)
{
	char path[SDE_PATH_MAX], n[MODULE_NAME_MAX];
	struct stat st;
	unsigned int i;

	/* sysfs names modules with '_' */
	for (i = 0; i < sizeof(n) - 1 && name[i]; i++)
		n[i] = name[i] == '-' ? '_' : name[i];
	n[i] = '\0';
	if (sde_path(path, sizeof(path), "/sys/module/%s%s", n, leaf) < 0)
		return false;
	return stat(path, &st) == 0;
}

bool module_loaded(const char *name)
{
	return sys_module_has(name, "/initstate");
}

bool module_present(const char *name)
{
	return sys_module_has(name, "");
}

void owners_resolve(struct policy *p, const struct kernel_info *k)
{
	const char *names[MAX_OWNERS];
	enum modstate states[MAX_OWNERS] = { MOD_MISSING };
	unsigned int i, n = 0;
	int r = 0;

	for (i = 0; i < p->nowners; i++)
		if (p->owners[i].driver[0])
			names[n++] = p->owners[i].driver;
	if (n)
		r = kernel_modules(k, names, n, states);
	for (i = 0, n = 0; i < p->nowners; i++) {
		struct owner_rule *o = &p->owners[i];

		if (!o->driver[0]) {
			o->active = true;
			snprintf(o->why, sizeof(o->why), "active (no driver key)");
			continue;
		}
		if (r == 0 && states[n] != MOD_MISSING) {
			o->active = true;
			snprintf(o->why, sizeof(o->why), "active (driver %s installed for %s)",
				 o->driver, k->release);
		} else if (k->running && module_present(o->driver)) {
			o->active = true;
			snprintf(o->why, sizeof(o->why), "active (driver %s loaded)", o->driver);
		} else {
			o->active = false;
			snprintf(o->why, sizeof(o->why), "inactive (driver %s not installed for %s)",
				 o->driver, k->release);
		}
		n++;
	}
}
